/**
 * Shared vocabulary of the pack: the policy type with its rationale (the docs table is generated
 * from it) and the helpers the stack policies use to follow references between resources.
 */
import {
  PolicyResource,
  ReportViolation,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { UnknownValueError } from "./sdk";

/** Every policy of this pack carries its rationale, so the generated docs can say why it exists. */
export type PackResourcePolicy = ResourceValidationPolicy & { rationale: string };
export type PackStackPolicy = StackValidationPolicy & { rationale: string };
export type PackPolicy = PackResourcePolicy | PackStackPolicy;

export const TYPES = {
  loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
  listener: "aws:lb/listener:Listener",
  webAcl: "aws:wafv2/webAcl:WebAcl",
  webAclAssociation: "aws:wafv2/webAclAssociation:WebAclAssociation",
  webAclLogging: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
  asg: "aws:autoscaling/group:Group",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  vpc: "aws:ec2/vpc:Vpc",
  awsxVpc: "awsx:ec2:Vpc",
  flowLog: "aws:ec2/flowLog:FlowLog",
  bucket: "aws:s3/bucket:Bucket",
  bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  globalCluster: "aws:rds/globalCluster:GlobalCluster",
  cluster: "aws:rds/cluster:Cluster",
  clusterInstance: "aws:rds/clusterInstance:ClusterInstance",
  table: "aws:dynamodb/table:Table",
  tableReplica: "aws:dynamodb/tableReplica:TableReplica",
  kmsKey: "aws:kms/key:Key",
  secret: "aws:secretsmanager/secret:Secret",
  healthCheck: "aws:route53/healthCheck:HealthCheck",
  record: "aws:route53/record:Record",
  plan: "aws:arcregionswitch/plan:Plan",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
} as const;

/**
 * True when `key` is present, without reading its value: reading an id or ARN that the engine does
 * not know yet (during preview) would throw the SDK's UnknownValueError, but its presence is known.
 */
export function isSet(props: object | undefined, key: string): boolean {
  return props !== undefined && props !== null && Object.prototype.hasOwnProperty.call(props, key);
}

/**
 * The value `read` returns, or undefined while the engine does not know it yet (preview). For
 * references such as a KMS key ARN, unknown means "computed from a resource of this program", which
 * is exactly what the policies want (an AWS managed alias would be a known literal).
 */
export function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof UnknownValueError) return undefined;
    throw e;
  }
}

/** Reads a property of a stack resource's outputs without `any` leaking into the policies. */
export function prop<T>(resource: PolicyResource, key: string): T | undefined {
  return (resource.props as Record<string, T | undefined>)[key];
}

export function ofType(args: StackValidationArgs, type: string): PolicyResource[] {
  return args.resources.filter((r) => r.type === type);
}

/** The values other resources use to point at this one: its id, ARN (and the id an ARN ends with). */
function referenceValues(target: PolicyResource): unknown[] {
  const values: unknown[] = [];
  for (const key of ["id", "arn", "bucket", "vpcId"]) {
    if (isSet(target.props, key)) values.push(known(() => prop(target, key)));
  }
  const arn = isSet(target.props, "arn") ? known(() => prop<string>(target, "arn")) : undefined;
  if (typeof arn === "string" && arn.includes("/")) values.push(arn.split("/").pop());
  return values.filter((v) => typeof v === "string" && v !== "");
}

/**
 * True when `source.<key>` refers to `target`: through the engine's property dependencies (exact,
 * and known even during preview) or, failing those, by value (id, ARN, bucket name, VPC id).
 */
export function refersTo(source: PolicyResource, key: string, target: PolicyResource): boolean {
  if ((source.propertyDependencies[key] ?? []).some((d) => d.urn === target.urn)) return true;
  if (!isSet(source.props, key)) return false;
  const value = known(() => prop<unknown>(source, key));
  const values: unknown[] = [];
  if (Array.isArray(value)) {
    // Element by element: one unknown id in a list must not hide the known ones.
    for (let i = 0; i < value.length; i++) values.push(known(() => (value as unknown[])[i]));
  } else {
    values.push(value);
  }
  const targets = referenceValues(target);
  return values.some((v) => targets.includes(v));
}

/** Load balancers reachable from the internet (`internal` unset means internet-facing). */
export function internetFacingLoadBalancers(args: StackValidationArgs): PolicyResource[] {
  return ofType(args, TYPES.loadBalancer).filter((lb) => prop<boolean>(lb, "internal") !== true);
}

export function isApplicationLoadBalancer(lb: PolicyResource): boolean {
  return (prop<string>(lb, "loadBalancerType") ?? "application") === "application";
}

/** Adapts a stack check that reports per resource to the engine's `reportViolation(message, urn)`. */
export type StackReport = (message: string, resource?: PolicyResource) => void;
export function perResource(report: ReportViolation): StackReport {
  return (message, resource) => report(message, resource?.urn);
}

/** Ports covered by a rule: `-1` (all protocols) covers every port. */
export function portRange(
  ipProtocol: string | undefined,
  fromPort?: number,
  toPort?: number,
): [number, number] {
  if (ipProtocol === "-1" || ipProtocol === "all") return [0, 65535];
  return [fromPort ?? 0, toPort ?? fromPort ?? 65535];
}

export const WORLD_CIDRS = ["0.0.0.0/0", "::/0"];

/** One statement of an IAM, key or resource policy, as far as the policies read it. */
export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: string | { AWS?: string | string[]; Service?: string | string[] };
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** A policy document from a resource's `policy` property (JSON text or an object), or undefined. */
export function policyDocument(value: unknown): { Statement?: PolicyStatement[] } | undefined {
  let doc: unknown = value;
  if (typeof value === "string") {
    try {
      doc = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof doc !== "object" || doc === null) return undefined;
  const statement = (doc as { Statement?: PolicyStatement | PolicyStatement[] }).Statement;
  return { Statement: statement === undefined ? [] : Array.isArray(statement) ? statement : [statement] };
}

function asList<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** `*` and `?` wildcards, as IAM matches actions (case-insensitively). */
function actionMatches(pattern: string, action: string): boolean {
  const regex = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`).test(action.toLowerCase());
}

/**
 * The Allow statements of `document` that grant the AWS service principal `service` (for example
 * `logs.us-east-1.amazonaws.com`) every one of `actions`. Conditions are returned, not evaluated.
 */
export function serviceGrants(
  document: { Statement?: PolicyStatement[] } | undefined,
  service: string,
  actions: string[],
): PolicyStatement[] {
  return (document?.Statement ?? []).filter((s) => {
    if (s.Effect !== "Allow" || typeof s.Principal !== "object") return false;
    if (!asList(s.Principal.Service).includes(service)) return false;
    return actions.every((action) => asList(s.Action).some((pattern) => actionMatches(pattern, action)));
  });
}
