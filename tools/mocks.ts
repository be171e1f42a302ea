/**
 * The one mocks layer, shared by the tests and the offline plan (`npm run plan`): runs the real
 * program in-process under Pulumi mocks, with realistic fabricated ids and ARNs, and records every
 * registered resource with its inputs, options (protect, parent, provider, dependencies, aliases) and
 * outputs.
 *
 * Pulumi's `Mocks.newResource` does not see resource options, so the runner wraps the mock
 * monitor's `registerResource` to read them from the engine request itself.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { formatFinding } from "../config/errors";
import { checkProjectTexts, readProjectTexts } from "../config/pulumiCli";

// Internal SDK modules: the mock monitor and the RPC queue live there (no public export).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
  getMonitor(): unknown;
  waitForRPCs(): Promise<void>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc") as {
  deserializeProperties(struct: unknown): Record<string, unknown>;
};

/** Account id in every fabricated ARN: the documentation placeholder, never a real account. */
export const ACCOUNT_ID = "123456789012";
export const PARTITION = "aws";
export const ROOT_DIR = path.resolve(__dirname, "..");

/** Hosted zone ids of ALBs per region (the real values AWS publishes for ELB alias targets). */
const ALB_ZONE_IDS: Record<string, string> = {
  "us-east-1": "Z35SXDOTRQ7X7K",
  "us-east-2": "Z3AADJGX6KTTL2",
  "us-west-2": "Z1H1FL5HABSF5",
  "ca-central-1": "ZQSVJUPU6J1EY",
  "eu-west-1": "Z32O12XQLNTSW2",
};

/** ELB log-delivery accounts for the access-log bucket policy (AWS documents one per older region). */
const ELB_ACCOUNTS: Record<string, string> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-2": "797873946194",
  "ca-central-1": "985666609251",
  "eu-west-1": "156460612806",
};

export interface RecordedResource {
  urn: string;
  /** Physical id the (mock) provider returned; empty for components. */
  id: string;
  type: string;
  name: string;
  /** URN of the parent resource (the stack for top-level resources). */
  parent?: string;
  custom: boolean;
  /** Region the resource lives in (explicit provider's, or the stack's). */
  region: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  protect: boolean;
  /** Reference to the explicit provider (`urn::id`), when one is set. */
  provider?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  ignoreChanges: string[];
  deleteBeforeReplace: boolean;
  retainOnDelete: boolean;
  /** The `aliases` option as the engine receives it: a spec's fields that are set, or a URN. */
  aliases: RecordedAlias[];
}

/** One former identity of a resource (Pulumi's `Alias`, as a spec or a whole URN). */
export interface RecordedAlias {
  urn?: string;
  name?: string;
  type?: string;
  /** The former parent's URN; the SDK fills in the current parent when the alias names none. */
  parentUrn?: string;
  /** True when the resource formerly had no parent. */
  noParent?: boolean;
}

/** The recorded resources of one type. */
export function ofType(run: Pick<StackRun, "resources">, type: string): RecordedResource[] {
  return run.resources.filter((r) => r.type === type);
}

export interface StackRun {
  project: string;
  stack: string;
  organization: string;
  region: string;
  /** Config as the engine passes it: fully qualified keys, string values (objects as JSON). */
  config: Record<string, string>;
  resources: RecordedResource[];
  /** The stack's exports. */
  outputs: Record<string, unknown>;
  /**
   * What the mocks invented during the run (lowercase): a string that contains one of these exists
   * only after a deploy. See `isFabricated`.
   */
  fabricated: string[];
  /** Names of the exports that are Pulumi secrets (a StackReference hands them out as secrets only). */
  secretOutputNames: string[];
  /** Every provider function the program called (data sources), with its arguments, in call order. */
  invokes: RecordedInvoke[];
  /** The account the run deployed into: give it to a later run to deploy again (`RunOptions.account`). */
  account?: MockAccount;
}

/** One provider function call (`aws.getAvailabilityZones`, `aws.route53.getZone`, ...). */
export interface RecordedInvoke {
  token: string;
  args: Record<string, unknown>;
  /** The region of the provider it ran against. */
  region: string;
}

export interface RunOptions {
  project?: string;
  stack: string;
  organization?: string;
  /** Fully qualified keys (`aws:region`, `multi-region-web:role`), string values. */
  config: Record<string, string>;
  /** Outputs per fully qualified stack name for `StackReference`s. */
  stackReferences?: Record<string, Record<string, unknown>>;
  /** Secret output names per fully qualified stack name (as the referenced run reported them). */
  secretStackOutputs?: Record<string, string[]>;
  /**
   * The account the run deploys into: an earlier run's `account` makes this run a later `pulumi up`
   * into the same account (ARC has created its health checks by then, the records are there).
   * @default a fresh account: a first deploy
   */
  account?: MockAccount;
}

/** A Route 53 health check's status as ARC's ListRoute53HealthChecks reports it. */
export type ArcCheckStatus = "healthy" | "unhealthy" | "unknown";

/**
 * The AWS account a run deploys into, as far as the mocks keep state from one run to the next:
 *
 * - ARC Region switch plans. ARC creates a plan's Route 53 health checks on its own after the plan
 *   exists, so the run that creates a plan finds none: the provider returns ListRoute53HealthChecks'
 *   list as is, and a nil list flattens to null (terraform-provider-aws,
 *   internal/service/arcregionswitch/route53_health_checks_data_source.go: `fwflex.Flatten` of
 *   `output.HealthChecks`). A later run into the same account lists them, one per region of the
 *   plan, in the documented initial state: "the health check for the primary Region starts as
 *   healthy, and the health check for the standby Region is initially set to unhealthy" (ARC
 *   Developer Guide, "Amazon Route 53 health check execution block").
 * - The Route 53 records each stack left after its last successful run: what `aws.route53.getRecords`
 *   reads before the next `pulumi up` changes anything.
 *
 * A test plays ARC or an operator by setting `arcListing` and `arcStatus`.
 */
export class MockAccount {
  /** ARC plans by ARN: their last registered inputs, and how many runs registered them. */
  readonly arcPlans = new Map<string, { inputs: Record<string, unknown>; runs: number }>();
  /**
   * What ListRoute53HealthChecks answers for a plan, by ARN, instead of ARC's progress: no list
   * (`null`), an empty one (`empty`) or the plan's checks (`listed`).
   */
  readonly arcListing = new Map<string, "null" | "empty" | "listed">();
  /** The status ARC reports for a check, by id, instead of the documented initial state. */
  readonly arcStatus = new Map<string, ArcCheckStatus>();
  /** The Route 53 records' inputs each stack left after its last successful run, by stack. */
  readonly records = new Map<string, Record<string, unknown>[]>();
  /**
   * AMIs as EC2 DescribeImages sees them in this account, by id, or `missing`. An id not listed here
   * is found, of the architecture asked for, with Amazon Linux's root device: the happy path.
   */
  readonly images = new Map<string, { architecture: string; rootDeviceName: string } | "missing">();

  /** A copy to deploy into without changing this account (another branch of the same history). */
  clone(): MockAccount {
    const copy = new MockAccount();
    for (const [id, image] of this.images) copy.images.set(id, image);
    for (const [arn, plan] of this.arcPlans) copy.arcPlans.set(arn, { ...plan });
    for (const [arn, listing] of this.arcListing) copy.arcListing.set(arn, listing);
    for (const [id, status] of this.arcStatus) copy.arcStatus.set(id, status);
    for (const [stack, records] of this.records) copy.records.set(stack, [...records]);
    return copy;
  }
}

/** The account of the run under way (runs are sequential: the mocks are process-wide). */
let account: MockAccount | undefined;

function currentAccount(what: string): MockAccount {
  if (!account) throw new Error(`${what}: the mocks keep ARC and Route 53 state only during a run`);
  return account;
}

interface ArcRoute53Config {
  hostedZoneId: string;
  recordName: string;
  recordSets?: { recordSetIdentifier: string; region: string }[];
}

/** Every Route 53 health check step of a plan's workflows (parallel steps included). */
function arcRoute53Configs(plan: Record<string, unknown>): ArcRoute53Config[] {
  type StepLike = {
    route53HealthCheckConfigs?: ArcRoute53Config[];
    parallelConfigs?: { steps?: StepLike[] }[];
  };
  const configs: ArcRoute53Config[] = [];
  const visit = (steps: StepLike[] = []) => {
    for (const step of steps) {
      configs.push(...(step.route53HealthCheckConfigs ?? []));
      for (const parallel of step.parallelConfigs ?? []) visit(parallel.steps);
    }
  };
  for (const workflow of (plan.workflows as { steps?: StepLike[] }[] | undefined) ?? [])
    visit(workflow.steps);
  return configs;
}

/**
 * A registered record as ListResourceRecordSets returns it (terraform-provider-aws
 * records_data_source.go): the fully qualified name with its trailing dot, the failover side, the
 * alias target, the health check.
 */
function recordSetOf(inputs: Record<string, unknown>): Record<string, unknown> {
  const alias = (
    inputs.aliases as { name: string; zoneId: string; evaluateTargetHealth: boolean }[] | undefined
  )?.[0];
  const failover = (inputs.failoverRoutingPolicies as { type: string }[] | undefined)?.[0]?.type;
  const latency = (inputs.latencyRoutingPolicies as { region: string }[] | undefined)?.[0]?.region;
  return {
    name: `${String(inputs.name).replace(/\.$/, "")}.`,
    type: inputs.type,
    setIdentifier: inputs.setIdentifier,
    healthCheckId: inputs.healthCheckId,
    failover,
    region: latency,
    aliasTarget: alias && {
      dnsName: alias.name,
      hostedZoneId: alias.zoneId,
      evaluateTargetHealth: alias.evaluateTargetHealth,
    },
  };
}

/**
 * Every value the mocks invent in the run under way (lowercase): the fingerprints in fabricated ids,
 * ARNs and DNS names, the placeholder account, the availability zones. The tests, the policies and
 * the StackReferences need realistic values, so the mocks hand them out; the plan must not print them
 * as if they were real (`pulumi preview` shows them as unknown), and finds them through this list.
 * Numbers the mocks invent (a cluster's port) are not tracked: no stack exports one.
 */
let invented: Set<string> | undefined;

function invent<T extends string>(value: T): T {
  invented?.add(value.toLowerCase());
  return value;
}

/** Whether `value` contains something the mocks invented (one of a run's `fabricated` strings). */
export function isFabricated(value: string, fabricated: Iterable<string>): boolean {
  const lower = value.toLowerCase();
  for (const f of fabricated) if (lower.includes(f)) return true;
  return false;
}

function hex(seed: string, length = 17): string {
  const h = crypto.createHash("sha256").update(seed).digest("hex").slice(0, length);
  // Shorter fingerprints only appear next to a longer one (a UUID's middle groups), and four hex
  // digits ("2026", "beef") could well occur in a configured name.
  return length >= 6 ? invent(h) : h;
}

/** "aws:ec2/securityGroup:SecurityGroup" → { pkg: "aws", module: "ec2", kind: "securityGroup" } */
function splitType(type: string): { pkg: string; module: string; kind: string } {
  const [pkg, middle = "", last = ""] = type.split(":");
  const [module, kind] = middle.includes("/") ? middle.split("/") : [middle, last];
  return { pkg, module, kind: kind ?? last };
}

const taggable = new Map<string, boolean>();

/**
 * True when the provider gives resources of `type` a `tagsAll` attribute, i.e. when they take the
 * provider's default tags. Read from the generated class in @pulumi/aws (the provider schema), not a
 * hand-kept list: `aws_autoscaling_group`, for one, has no `tags_all` and ignores default tags.
 */
export function takesDefaultTags(type: string): boolean {
  if (!type.startsWith("aws:")) return false;
  let known = taggable.get(type);
  if (known === undefined) {
    const { module, kind } = splitType(type);
    try {
      const file = require.resolve(`@pulumi/aws/${module}/${kind}.js`);
      known = fs.readFileSync(file, "utf8").includes('resourceInputs["tagsAll"]');
    } catch {
      known = false;
    }
    taggable.set(type, known);
  }
  return known;
}

/**
 * The stack's provider default tags (`aws:defaultTags: { tags: {...} }` in the stack config), as
 * the engine passes the config: a JSON string.
 */
export function defaultTagsOf(config: Record<string, string>): Record<string, string> {
  const raw = config["aws:defaultTags"];
  if (raw === undefined) return {};
  const parsed = JSON.parse(raw) as { tags?: Record<string, string> };
  return parsed.tags ?? {};
}

/**
 * Realistic fabricated state for a resource: the inputs plus ids, ARNs and computed attributes. Like
 * the provider, a resource that takes default tags gets `tagsAll`: the default tags overridden by
 * its own `tags`.
 */
export function fabricateState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  region: string,
  defaultTags: Record<string, string> = {},
): { id: string; state: Record<string, unknown> } {
  const { module, kind } = splitType(type);
  const suffix = hex(`${region}/${type}/${name}`, 7);
  // Ids differ per region, as they do in AWS (two stacks' health checks are never the same one).
  const seed = `${region}/${name}`;
  const physicalName = (inputs.name as string | undefined) ?? `${name}-${suffix}`;
  const arnOf = (service: string, resource: string, r = region) =>
    `arn:${PARTITION}:${service}:${r}:${ACCOUNT_ID}:${resource}`;
  const state: Record<string, unknown> = { ...inputs };
  let id = `${name}-${suffix}`;
  const set = (values: Record<string, unknown>) => Object.assign(state, values);

  switch (type) {
    case "awsx:ec2:Vpc": {
      const azCount =
        (inputs.availabilityZoneNames as string[] | undefined)?.length ??
        (inputs.numberOfAvailabilityZones as number | undefined) ??
        2;
      const ids = (prefix: string) =>
        Array.from({ length: azCount }, (_, i) => `subnet-${hex(`${region}/${name}/${prefix}/${i}`)}`);
      const vpcId = `vpc-${hex(`${region}/${name}`)}`;
      const natCount =
        (inputs.natGateways as { strategy?: string } | undefined)?.strategy === "Single" ? 1 : azCount;
      id = vpcId;
      set({
        vpcId,
        publicSubnetIds: ids("public"),
        privateSubnetIds: ids("private"),
        isolatedSubnetIds: ids("isolated"),
        // awsx returns resources; under mocks, plain objects with the same `id` field stand in for them.
        natGateways: Array.from({ length: natCount }, (_, i) => ({
          id: `nat-${hex(`${region}/${name}/nat/${i}`)}`,
        })),
      });
      break;
    }
    case "aws:lb/loadBalancer:LoadBalancer": {
      const lbName = physicalName.slice(0, 32);
      const internal = inputs.internal === true;
      id = arnOf("elasticloadbalancing", `loadbalancer/app/${lbName}/${hex(seed, 16)}`);
      set({
        arn: id,
        arnSuffix: `app/${lbName}/${hex(seed, 16)}`,
        name: lbName,
        dnsName: `${internal ? "internal-" : ""}${lbName}-${hex(seed, 10)}.${region}.elb.amazonaws.com`,
        // AWS's real zone id for the region, but a preview does not know an ALB's attributes yet.
        zoneId: invent(ALB_ZONE_IDS[region] ?? "Z00000000000000000000"),
      });
      break;
    }
    case "aws:lb/targetGroup:TargetGroup": {
      const tgName = physicalName.slice(0, 32);
      id = arnOf("elasticloadbalancing", `targetgroup/${tgName}/${hex(seed, 16)}`);
      set({ arn: id, arnSuffix: `targetgroup/${tgName}/${hex(seed, 16)}`, name: tgName });
      break;
    }
    case "aws:acm/certificate:Certificate": {
      const domains = [inputs.domainName as string, ...((inputs.subjectAlternativeNames as string[]) ?? [])];
      id = arnOf("acm", `certificate/${hex(seed, 8)}-${hex(seed + "x", 4)}`);
      set({
        arn: id,
        domainValidationOptions: domains.map((d) => ({
          domainName: d,
          resourceRecordName: `_${hex(d, 32)}.${d}.`,
          resourceRecordType: "CNAME",
          // Validation records depend on the domain and the account, not the region (hence allowOverwrite).
          resourceRecordValue: `_${hex(`value/${d}`, 32)}.acm-validations.aws.`,
        })),
      });
      break;
    }
    case "aws:ec2/launchTemplate:LaunchTemplate":
      id = `lt-${hex(`${region}/${name}`)}`;
      set({ arn: arnOf("ec2", `launch-template/${id}`), latestVersion: 1, defaultVersion: 1 });
      break;
    case "aws:ec2/securityGroup:SecurityGroup":
      id = `sg-${hex(`${region}/${name}`)}`;
      set({ arn: arnOf("ec2", `security-group/${id}`), name: physicalName });
      break;
    case "aws:rds/globalCluster:GlobalCluster":
      id = inputs.globalClusterIdentifier as string;
      set({
        arn: `arn:${PARTITION}:rds::${ACCOUNT_ID}:global-cluster:${id}`,
        globalClusterResourceId: `cluster-${hex(seed)}`,
        engineVersionActual: inputs.engineVersion,
        endpoint: `${id}.global-${hex(seed, 10)}.global.rds.amazonaws.com`,
      });
      break;
    case "aws:rds/cluster:Cluster": {
      id = (inputs.clusterIdentifier as string | undefined) ?? physicalName;
      const host = `${id}.cluster-${hex(region, 12)}.${region}.rds.amazonaws.com`;
      set({
        arn: arnOf("rds", `cluster:${id}`),
        clusterIdentifier: id,
        endpoint: host,
        readerEndpoint: host.replace(".cluster-", ".cluster-ro-"),
        port: 5432,
        clusterResourceId: `cluster-${hex(seed, 26).toUpperCase()}`,
      });
      break;
    }
    case "aws:rds/clusterInstance:ClusterInstance":
      id = (inputs.identifier as string | undefined) ?? physicalName;
      set({
        arn: arnOf("rds", `db:${id}`),
        identifier: id,
        endpoint: `${id}.${hex(region, 12)}.${region}.rds.amazonaws.com`,
      });
      break;
    case "aws:dynamodb/table:Table":
      id = physicalName;
      set({
        arn: arnOf("dynamodb", `table/${id}`),
        name: id,
        streamArn: arnOf("dynamodb", `table/${id}/stream/2026-01-01T00:00:00.000`),
        streamLabel: invent("2026-01-01T00:00:00.000"),
      });
      break;
    case "aws:dynamodb/tableReplica:TableReplica": {
      const tableName =
        String((inputs.globalTableArn as string | undefined) ?? "")
          .split("/")
          .pop() ?? physicalName;
      id = `${tableName}:${region}`;
      set({ arn: arnOf("dynamodb", `table/${tableName}`) });
      break;
    }
    case "aws:kms/key:Key":
      id = `${hex(seed, 8)}-${hex(seed + 1, 4)}-${hex(seed + 2, 4)}-${hex(seed + 3, 4)}-${hex(seed + 4, 12)}`;
      set({ arn: arnOf("kms", `key/${id}`), keyId: id });
      break;
    case "aws:kms/alias:Alias":
      id = inputs.name as string;
      set({ arn: arnOf("kms", String(inputs.name)) });
      break;
    case "aws:secretsmanager/secret:Secret":
      id = arnOf("secretsmanager", `secret:${physicalName}-${hex(seed, 6)}`);
      set({ arn: id, name: physicalName });
      break;
    case "aws:secretsmanager/secretVersion:SecretVersion": {
      // The provider's id is `<secret ARN>|<version id>`; its `arn` is the secret's.
      const versionId = `${hex(seed, 8)}-${hex(seed + 1, 4)}-${hex(seed + 2, 4)}-${hex(seed + 3, 4)}-${hex(seed + 4, 12)}`;
      id = `${String(inputs.secretId)}|${versionId}`;
      set({ arn: inputs.secretId, versionId });
      break;
    }
    case "aws:sns/topic:Topic":
      id = arnOf("sns", physicalName);
      set({ arn: id, name: physicalName });
      break;
    case "aws:cloudwatch/logGroup:LogGroup":
      id = physicalName;
      set({ arn: arnOf("logs", `log-group:${physicalName}`), name: physicalName });
      break;
    case "aws:s3/bucket:Bucket": {
      const bucket = (inputs.bucket as string | undefined) ?? `${name}-${suffix}`.toLowerCase().slice(0, 63);
      id = bucket;
      set({
        arn: `arn:${PARTITION}:s3:::${bucket}`,
        bucket,
        bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
      });
      break;
    }
    case "aws:iam/role:Role":
    case "aws:iam/policy:Policy":
    case "aws:iam/instanceProfile:InstanceProfile": {
      const resourceKind = kind === "instanceProfile" ? "instance-profile" : kind;
      id = physicalName;
      set({
        arn: `arn:${PARTITION}:iam::${ACCOUNT_ID}:${resourceKind}/${physicalName}`,
        name: physicalName,
        uniqueId: `AROA${hex(seed, 17).toUpperCase()}`,
      });
      break;
    }
    case "aws:route53/healthCheck:HealthCheck":
      id = `${hex(seed, 8)}-${hex(seed + 1, 4)}-${hex(seed + 2, 4)}-${hex(seed + 3, 4)}-${hex(seed + 4, 12)}`;
      set({ arn: `arn:${PARTITION}:route53:::healthcheck/${id}` });
      break;
    case "aws:route53/zone:Zone":
      id = `Z${hex(seed, 20).toUpperCase()}`;
      set({
        arn: `arn:${PARTITION}:route53:::hostedzone/${id}`,
        zoneId: id,
        // A private zone has no delegation: Route 53 still lists name servers, unused.
        nameServers: [1, 2, 3, 4].map((i) => invent(`ns-${i}.awsdns-${hex(seed + i, 2)}.com`)),
        primaryNameServer: invent(`ns-1.awsdns-${hex(seed + 1, 2)}.com`),
      });
      break;
    case "aws:route53/record:Record":
      id = `${inputs.zoneId as string}_${inputs.name as string}_${inputs.type as string}`;
      set({ fqdn: inputs.name });
      break;
    case "aws:arcregionswitch/plan:Plan": {
      // Plans are global: "arn:aws[a-zA-Z-]*:arc-region-switch::[0-9]{12}:plan/…" (no region).
      id = `arn:${PARTITION}:arc-region-switch::${ACCOUNT_ID}:plan/${physicalName}:${hex(seed, 6)}`;
      set({ arn: id, name: physicalName });
      const plans = currentAccount("an ARC plan").arcPlans;
      plans.set(id, { inputs, runs: (plans.get(id)?.runs ?? 0) + 1 });
      break;
    }
    case "aws:wafv2/webAcl:WebAcl":
      id = hex(seed, 36);
      set({ arn: arnOf("wafv2", `regional/webacl/${physicalName}/${id}`), capacity: 700 });
      break;
    case "aws:random/randomPassword:RandomPassword":
    case "random:index/randomPassword:RandomPassword":
      id = "none";
      set({ result: pulumi.secret(`mock-${hex(seed, 24)}`) });
      break;
    case "aws:ses/domainIdentity:DomainIdentity":
      id = inputs.domain as string;
      set({ arn: arnOf("ses", `identity/${id}`), verificationToken: hex(seed, 44) });
      break;
    case "aws:ses/domainDkim:DomainDkim":
      id = inputs.domain as string;
      set({ dkimTokens: [0, 1, 2].map((i) => hex(`${name}/${i}`, 32)) });
      break;
    case "aws:location/placeIndex:PlaceIndex":
      id = inputs.indexName as string;
      set({ indexArn: arnOf("geo", `place-index/${id}`) });
      break;
    case "aws:location/map:Map":
      id = inputs.mapName as string;
      set({ mapArn: arnOf("geo", `map/${id}`) });
      break;
    case "aws:backup/vault:Vault":
      id = physicalName;
      set({ arn: arnOf("backup", `backup-vault:${physicalName}`), name: physicalName });
      break;
    case "aws:backup/plan:Plan":
      id = `${hex(seed, 8)}-${hex(seed + 1, 4)}-${hex(seed + 2, 4)}-${hex(seed + 3, 4)}-${hex(seed + 4, 12)}`;
      set({ arn: arnOf("backup", `backup-plan:${id}`), name: physicalName });
      break;
    case "aws:ssm/parameter:Parameter":
      id = inputs.name as string;
      set({ arn: arnOf("ssm", `parameter${String(inputs.name)}`) });
      break;
    case "aws:lambda/function:Function":
      id = physicalName;
      set({
        arn: arnOf("lambda", `function:${physicalName}`),
        name: physicalName,
        invokeArn: `arn:${PARTITION}:apigateway:${region}:lambda:path/2015-03-31/functions/${arnOf("lambda", `function:${physicalName}`)}/invocations`,
        qualifiedArn: arnOf("lambda", `function:${physicalName}:$LATEST`),
        version: "$LATEST",
      });
      break;
    case "aws:cloudwatch/eventRule:EventRule":
      id = physicalName;
      set({ arn: arnOf("events", `rule/${physicalName}`), name: physicalName });
      break;
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      id = physicalName;
      set({ arn: arnOf("cloudwatch", `alarm:${physicalName}`), name: physicalName });
      break;
    case "aws:autoscaling/group:Group":
      id = physicalName;
      set({
        arn: arnOf("autoscaling", `autoScalingGroup:${hex(seed, 8)}:autoScalingGroupName/${physicalName}`),
        name: physicalName,
      });
      break;
    default:
      if (module && kind && type.startsWith("aws:")) {
        set({ arn: arnOf(module, `${kind}/${id}`) });
      }
  }
  if (type.startsWith("aws:") && state.name === undefined && inputs.name === undefined) {
    state.name = physicalName;
  }
  if (takesDefaultTags(type)) {
    state.tagsAll = { ...defaultTags, ...((inputs.tags as Record<string, string> | undefined) ?? {}) };
  }
  return { id, state };
}

/** Returns the mocked result of a provider function (data source). Unknown tokens fail loudly. */
export function fabricateCall(
  token: string,
  inputs: Record<string, unknown>,
  region: string,
): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: ACCOUNT_ID,
        arn: `arn:${PARTITION}:iam::${ACCOUNT_ID}:user/mock`,
        userId: invent("AIDAMOCK"),
        id: ACCOUNT_ID,
      };
    case "aws:index/getPartition:getPartition":
      return {
        partition: PARTITION,
        dnsSuffix: "amazonaws.com",
        reverseDnsPrefix: "com.amazonaws",
        id: PARTITION,
      };
    case "aws:index/getRegion:getRegion":
      return { name: region, region, endpoint: `ec2.${region}.amazonaws.com`, id: region };
    case "aws:index/getAvailabilityZones:getAvailabilityZones":
      return {
        // Which zones an account sees is the account's: these names are stand-ins.
        names: ["a", "b", "c"].map((s) => invent(`${region}${s}`)),
        zoneIds: [1, 2, 3].map((i) => invent(`use1-az${i}`)),
        id: region,
      };
    case "aws:route53/getZone:getZone":
      return {
        zoneId: `Z${hex(String(inputs.name), 20).toUpperCase()}`,
        name: inputs.name,
        id: `Z${hex(String(inputs.name), 20).toUpperCase()}`,
        privateZone: false,
      };
    case "aws:elb/getServiceAccount:getServiceAccount": {
      const r = (inputs.region as string | undefined) ?? region;
      // AWS's published accounts are real (the provider's own table); the fallback is not.
      const account = ELB_ACCOUNTS[r] ?? invent("000000000000");
      return { arn: `arn:${PARTITION}:iam::${account}:root`, id: account, region: r };
    }
    case "aws:arcregionswitch/getRoute53HealthChecks:getRoute53HealthChecks": {
      const planArn = String(inputs.planArn);
      const arc = currentAccount("getRoute53HealthChecks");
      const plan = arc.arcPlans.get(planArn);
      if (!plan) throw new Error(`getRoute53HealthChecks: no ARC plan ${planArn} was registered`);
      const listing = arc.arcListing.get(planArn) ?? (plan.runs > 1 ? "listed" : "null");
      const result = { planArn, region, id: planArn };
      if (listing === "null") return { ...result, healthChecks: null };
      if (listing === "empty") return { ...result, healthChecks: [] };
      // One check per record and region, however many steps name the record (as ARC lists them).
      const checks = new Map<string, Record<string, unknown>>();
      for (const config of arcRoute53Configs(plan.inputs)) {
        for (const set of config.recordSets ?? []) {
          const key = `${config.hostedZoneId}/${config.recordName}/${set.region}`;
          const h = hex(`${planArn}/${key}`, 32);
          const healthCheckId = invent(
            `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`,
          );
          const initial = set.region === plan.inputs.primaryRegion ? "healthy" : "unhealthy";
          checks.set(key, {
            healthCheckId,
            hostedZoneId: config.hostedZoneId,
            recordName: config.recordName,
            region: set.region,
            status: arc.arcStatus.get(healthCheckId) ?? initial,
          });
        }
      }
      return { ...result, healthChecks: [...checks.values()] };
    }
    case "aws:route53/getRecords:getRecords": {
      const zoneId = String(inputs.zoneId);
      // The program's patterns are plain RE2 that JavaScript reads alike (anchors, groups, escaped dots).
      const nameRegex = typeof inputs.nameRegex === "string" ? new RegExp(inputs.nameRegex) : undefined;
      const sets = [...currentAccount("getRecords").records.values()]
        .flat()
        .filter((r) => r.zoneId === zoneId)
        .map(recordSetOf)
        .filter((r) => !nameRegex || nameRegex.test(r.name as string));
      // ListResourceRecordSets' records, flattened as the provider does: no match is a nil list.
      return {
        zoneId,
        nameRegex: inputs.nameRegex,
        resourceRecordSets: sets.length > 0 ? sets : null,
        id: zoneId,
      };
    }
    case "aws:ec2/getAmi:getAmi": {
      const filters = (inputs.filters as { name: string; values: string[] }[] | undefined) ?? [];
      const value = (name: string) => filters.find((f) => f.name === name)?.values[0];
      const imageId = String(value("image-id"));
      const architecture = value("architecture");
      const known = currentAccount("getAmi").images.get(imageId);
      const image = known ?? { architecture: architecture ?? "x86_64", rootDeviceName: "/dev/xvda" };
      // data "aws_ami" fails when nothing matches, with this text (terraform-provider-aws,
      // ami_data_source.go; unverified against the provider version pinned here).
      if (image === "missing" || (architecture !== undefined && image.architecture !== architecture)) {
        throw new Error("Your query returned no results. Please change your search criteria and try again.");
      }
      return {
        id: imageId,
        imageId,
        arn: `arn:${PARTITION}:ec2:${region}::image/${imageId}`,
        architecture: image.architecture,
        rootDeviceName: image.rootDeviceName,
        filters,
      };
    }
    case "aws:ec2/getRouteTables:getRouteTables": {
      const filters = (inputs.filters as { name: string; values: string[] }[] | undefined) ?? [];
      const subnets = filters.find((f) => f.name === "association.subnet-id")?.values ?? ["default"];
      return { ids: subnets.map((s) => `rtb-${hex(`${region}/${s}`)}`), id: region };
    }
    default:
      throw new Error(
        `tools/mocks.ts has no mock for the provider function ${token}; add one to fabricateCall`,
      );
  }
}

interface ProviderInfo {
  region: string;
}

/** Runs `program` as stack `opts.stack` under mocks and returns what it registered and exported. */
export async function runProgram(
  program: () => Promise<Record<string, unknown>> | Record<string, unknown>,
  opts: RunOptions,
): Promise<StackRun> {
  const project = opts.project ?? "multi-region-web";
  const organization = opts.organization ?? "organization";
  const region = opts.config["aws:region"] ?? "us-east-1";
  const fabricated = new Set<string>([ACCOUNT_ID]);
  invented = fabricated;
  const deployedInto = opts.account ?? new MockAccount();
  account = deployedInto;
  const providers = new Map<string, ProviderInfo>();
  const regionOf = (provider?: string) => (provider ? providers.get(provider)?.region : undefined) ?? region;
  // Provider v7 resources may name their own region; otherwise they are in their provider's.
  const resourceRegion = (inputs: Record<string, unknown>, provider?: string) =>
    typeof inputs.region === "string" ? inputs.region : regionOf(provider);

  const defaultTags = defaultTagsOf(opts.config);
  const invokes: RecordedInvoke[] = [];

  pulumi.runtime.setAllConfig(opts.config);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        if (args.type === "pulumi:pulumi:StackReference") {
          const refName = String(inputs.name);
          const outputs = opts.stackReferences?.[refName];
          if (outputs === undefined) {
            throw new Error(`StackReference to "${refName}": no such stack was run before this one`);
          }
          return {
            id: refName,
            state: { name: refName, outputs, secretOutputNames: opts.secretStackOutputs?.[refName] ?? [] },
          };
        }
        if (args.type.startsWith("pulumi:providers:")) {
          return { id: `${args.name}-provider-id`, state: inputs };
        }
        return fabricateState(
          args.type,
          args.name,
          inputs,
          resourceRegion(inputs, args.provider),
          defaultTags,
        );
      },
      call(args) {
        const callRegion = regionOf(args.provider);
        invokes.push({ token: args.token, args: args.inputs as Record<string, unknown>, region: callRegion });
        return fabricateCall(args.token, args.inputs as Record<string, unknown>, callRegion);
      },
    },
    project,
    opts.stack,
    false,
    organization,
  );

  const resources: RecordedResource[] = [];
  type Callback = (
    err: Error | null,
    resp?: { getUrn(): string; getId(): string; getObject(): unknown },
  ) => void;
  const monitor = settings.getMonitor() as {
    registerResource(req: RegisterRequest, cb: Callback): void;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    original(req, (err, resp) => {
      if (!err && resp) {
        const type = req.getType();
        const providerRef = req.getProvider() || undefined;
        const inputs = rpc.deserializeProperties(req.getObject());
        const record: RecordedResource = {
          urn: resp.getUrn(),
          id: resp.getId(),
          type,
          name: req.getName(),
          parent: req.getParent() || undefined,
          custom: req.getCustom(),
          region: type.startsWith("pulumi:providers:aws")
            ? String((inputs.region as string | undefined) ?? region)
            : resourceRegion(inputs, providerRef),
          inputs,
          outputs: rpc.deserializeProperties(resp.getObject()),
          protect: req.getProtect() === true,
          provider: providerRef,
          dependencies: req.getDependenciesList(),
          propertyDependencies: propertyDependencies(req),
          ignoreChanges: req.getIgnorechangesList(),
          deleteBeforeReplace: req.getDeletebeforereplace(),
          retainOnDelete: req.getRetainondelete() === true,
          aliases: req.getAliasesList().map(recordedAlias),
        };
        if (type.startsWith("pulumi:providers:")) {
          providers.set(`${record.urn}::${resp.getId()}`, { region: record.region });
        }
        resources.push(record);
      }
      cb(err, resp);
    });
  };

  // A program error is caught inside the stack's init and rethrown after the run: thrown from init,
  // it would also reject promises the runtime leaves unobserved (an unhandled rejection). A mock
  // that fails (say, a StackReference to a stack that did not run) rejects such promises too: they
  // are collected here instead of crashing the process.
  let programError: unknown;
  const unobserved: unknown[] = [];
  const collect = (reason: unknown) => unobserved.push(reason);
  process.on("unhandledRejection", collect);
  // The program's own return value, before the stack resolves it: it still says which exports are secret.
  let exported: Record<string, unknown> = {};
  const outputs =
    (await pulumi.runtime.runInPulumiStack(async () => {
      try {
        exported = await program();
        return exported;
      } catch (e) {
        programError = e;
        return {};
      }
    })) ?? {};
  await settings.waitForRPCs();
  // Let the rejections of this run surface before the listener goes.
  await new Promise((resolve) => setImmediate(resolve));
  process.off("unhandledRejection", collect);
  invented = undefined;
  account = undefined;
  // Rethrown as it was (a ConfigError stays a ConfigError for the plan's exit code).
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  if (programError !== undefined) throw programError;
  if (unobserved.length > 0) throw unobserved[0] as Error;
  // A successful `pulumi up` leaves exactly its records in the account (a failed one, here, none changed).
  deployedInto.records.set(
    `${organization}/${project}/${opts.stack}`,
    resources.filter((r) => r.type === "aws:route53/record:Record").map((r) => r.inputs),
  );
  return {
    project,
    stack: opts.stack,
    organization,
    region,
    config: opts.config,
    resources,
    outputs: await resolveDeep(outputs),
    secretOutputNames: await secretNames(exported),
    invokes,
    fabricated: [...fabricated],
    account: deployedInto,
  };
}

/** The top-level exports that are secrets (what the engine records as the stack's secret outputs). */
async function secretNames(outputs: Record<string, unknown>): Promise<string[]> {
  const names = await Promise.all(
    Object.entries(outputs).map(async ([name, value]) =>
      (await pulumi.isSecret(pulumi.output(value))) ? name : undefined,
    ),
  );
  return names.filter((n): n is string => n !== undefined);
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getObject(): unknown;
  getProtect(): boolean | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(callback: (value: { getUrnsList(): string[] }, key: string) => void): void;
  };
  getIgnorechangesList(): string[];
  getDeletebeforereplace(): boolean;
  getRetainondelete(): boolean | undefined;
  getAliasesList(): AliasMessage[];
}

/** pulumirpc.Alias: either a URN or a spec (the mock monitor supports specs, so the SDK sends those). */
interface AliasMessage {
  hasUrn(): boolean;
  getUrn(): string;
  getSpec():
    | { getName(): string; getType(): string; getParenturn(): string; getNoparent(): boolean }
    | undefined;
}

function recordedAlias(alias: AliasMessage): RecordedAlias {
  const spec = alias.getSpec();
  if (alias.hasUrn() || !spec) return { urn: alias.getUrn() };
  const recorded: RecordedAlias = {};
  if (spec.getName()) recorded.name = spec.getName();
  if (spec.getType()) recorded.type = spec.getType();
  if (spec.getParenturn()) recorded.parentUrn = spec.getParenturn();
  if (spec.getNoparent()) recorded.noParent = true;
  return recorded;
}

function propertyDependencies(req: RegisterRequest): Record<string, string[]> {
  const deps: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((value, key) => {
    deps[key] = value.getUrnsList();
  });
  return deps;
}

/** Stack outputs may still hold Outputs/promises; resolve them to plain values. */
async function resolveDeep(value: unknown): Promise<Record<string, unknown>> {
  const resolved = await new Promise<unknown>((resolve) => {
    pulumi.output(value as pulumi.Input<Record<string, unknown>>).apply((v) => resolve(v));
  });
  return (resolved ?? {}) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Stack files.

export interface StackFile {
  stack: string;
  /** The stack file's absolute path. */
  file: string;
  /** The Pulumi project the stack file belongs to (its folder's Pulumi.yaml). */
  project: string;
  /** The program's folder in this repository (its index.ts): ROOT_DIR or CONTROL_DIR. */
  dir: string;
  /** Engine-style config: project schema defaults applied, objects as JSON strings. */
  config: Record<string, string>;
}

/**
 * Every `Pulumi.<stack>.yaml` of the regional project under `root` (a folder laid out as this repository: its
 * Pulumi.yaml and stack files, control/ likewise), with its config as the engine would pass it (read as the Pulumi
 * CLI reads it: config/pulumiCli.ts). The program is always this repository's (index.ts). Stack files the CLI would
 * refuse are the pre-flight's to report; here they are a bug in the caller. The specs pass the fixtures' root
 * (tools/runStacks.ts fixtureRoot), never the repository's: those stack files are the user's.
 */
export function listStackFiles(root: string): StackFile[] {
  return stackFilesIn(root, root, ROOT_DIR);
}

/** The failover control project's folder (control/Pulumi.yaml and its program). */
export const CONTROL_DIR = path.join(ROOT_DIR, "control");

/** The control project's stack files under `root` (control/Pulumi.<stack>.yaml); the program is control/index.ts. */
export function listControlStackFiles(root: string): StackFile[] {
  return stackFilesIn(path.join(root, "control"), root, CONTROL_DIR);
}

function stackFilesIn(projectDir: string, root: string, programDir: string): StackFile[] {
  const checked = checkProjectTexts(readProjectTexts(projectDir, root));
  if (checked.findings.length > 0 || !checked.project) {
    throw new Error(
      `stack files in ${projectDir} fail the pre-flight: ${checked.findings.map(formatFinding).join("; ")}`,
    );
  }
  const project = checked.project.name;
  return checked.stacks.map((s) => ({
    stack: s.stack,
    file: path.join(root, s.file),
    project,
    dir: programDir,
    config: s.config,
  }));
}
