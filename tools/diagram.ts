/**
 * The architecture diagram, drawn from the code: `buildDiagramModel` reads what the real program
 * registered under mocks (`runAllStacks`) and derives every node and edge from the recorded resources
 * and the references between them (ids, ARNs, DNS names, security groups, IAM policy documents).
 * Nothing is hand-drawn: an edge exists only when the wiring that makes it real exists, so broken
 * wiring drops the edge from the picture.
 *
 *   npm run diagram            writes docs/architecture.svg, docs/architecture.mmd and the Mermaid
 *                              block between the diagram markers in README.md
 *   npm run diagram -- --check exits 1 when a committed file differs from the regenerated one
 *
 * The SVG is laid out by Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz): no native binary
 * and no browser. Every output is deterministic (sorted, no timestamps), so the staleness check is stable.
 */
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import type { RecordedResource, StackRun } from "./mocks";

// ---------------------------------------------------------------------------------------------
// The model.

/** The tiers of a region, in the order the traffic crosses them. */
export const TIERS = ["edge", "public", "frontend", "backend", "data", "integrations"] as const;
export type Tier = (typeof TIERS)[number];

export const TIER_LABELS: Record<Tier, string> = {
  edge: "Edge: Route 53 · WAF",
  public: "Public subnets",
  frontend: "Private subnets: frontend tier",
  backend: "Private subnets: backend tier",
  data: "Data: isolated subnets · DynamoDB · secrets",
  integrations: "Integrations",
};

/** What a node is; one node per resource that plays the part (ASG, ALB, cluster, table...). */
export const NODE_KINDS = [
  "dns",
  "healthCheck",
  "waf",
  "publicAlb",
  "nat",
  "frontend",
  "internalAlb",
  "backend",
  "globalCluster",
  "aurora",
  "dynamodb",
  "secret",
  "backupVault",
  "sns",
  "mail",
  "maps",
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

const KIND_TIER: Record<NodeKind, Tier> = {
  dns: "edge",
  healthCheck: "edge",
  waf: "edge",
  publicAlb: "public",
  nat: "public",
  frontend: "frontend",
  internalAlb: "backend",
  backend: "backend",
  globalCluster: "data",
  aurora: "data",
  dynamodb: "data",
  secret: "data",
  backupVault: "data",
  sns: "integrations",
  mail: "integrations",
  maps: "integrations",
};

/**
 * traffic: a request path (users → DNS → WAF → ALB → ... → data); replication: asynchronous copy
 * from the home region to a standby; control: health checks and DNS failover; egress: outbound
 * through NAT.
 */
export type EdgeKind = "traffic" | "replication" | "control" | "egress";

export interface DiagramNode {
  /** Unique, stable id (also the DOT and Mermaid id). */
  id: string;
  kind: NodeKind;
  tier: Tier;
  /** Stack (cluster) the node is drawn in; empty for the users node. */
  stack: string;
  /** Region of the resource. */
  region: string;
  title: string;
  /** Extra lines: names, sizing, ports. */
  details: string[];
  /** URN of the resource the node stands for (none for nodes that stand for something outside). */
  urn?: string;
}

export interface DiagramEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  label: string;
  /** The references that make the edge real, for readers of the model (not drawn). */
  evidence: string[];
}

export interface DiagramCluster {
  stack: string;
  region: string;
  role: string;
  home: boolean;
  label: string;
  /** Node ids per tier, in tier order; tiers without nodes are left out. */
  tiers: { tier: Tier; label: string; nodes: string[] }[];
}

export interface DiagramModel {
  /** Nodes outside every region (the users). */
  external: DiagramNode[];
  clusters: DiagramCluster[];
  /** Every node, regional and external, sorted. */
  nodes: DiagramNode[];
  /** Every edge, sorted. */
  edges: DiagramEdge[];
}

export const USERS_NODE_ID = "users";

// ---------------------------------------------------------------------------------------------
// Reading recorded values.

// Pulumi's wire format for a secret value: `{ [SIG_KEY]: SECRET_SIG, value }`.
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function unwrap(value: unknown): unknown {
  if (value && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) {
    return unwrap((value as Record<string, unknown>).value);
  }
  return value;
}

function str(value: unknown): string | undefined {
  const v = unwrap(value);
  return typeof v === "string" && v !== "" ? v : undefined;
}

function num(value: unknown): number | undefined {
  const v = unwrap(value);
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

function arr(value: unknown): unknown[] {
  const v = unwrap(value);
  return Array.isArray(v) ? v.map(unwrap) : [];
}

function obj(value: unknown): Record<string, unknown> {
  const v = unwrap(value);
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function strs(value: unknown): string[] {
  return arr(value)
    .map(str)
    .filter((s): s is string => s !== undefined);
}

/** An input, else the output of the same name (the provider's value). */
function prop(r: RecordedResource, key: string): unknown {
  return unwrap(r.inputs[key]) ?? unwrap(r.outputs[key]);
}

function arnOf(r: RecordedResource): string | undefined {
  return str(r.outputs.arn) ?? str(r.inputs.arn);
}

/** Values a reference to `r` may carry: its id, ARN and name. */
function handles(r: RecordedResource, ...keys: string[]): Set<string> {
  const set = new Set<string>();
  for (const v of [r.id, arnOf(r), ...keys.map((k) => str(r.outputs[k]) ?? str(r.inputs[k]))]) {
    if (v) set.add(v);
  }
  return set;
}

function slug(value: string): string {
  return value.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

/** DNS names compare case-insensitively, with or without the trailing dot. */
function dnsKey(name: string | undefined): string | undefined {
  return name === undefined ? undefined : name.replace(/\.$/, "").toLowerCase();
}

/** A Route 53 record's failover type (PRIMARY / SECONDARY), if it is a failover record. */
function failoverOf(record: RecordedResource): string | undefined {
  return str(obj(arr(record.inputs.failoverRoutingPolicies)[0]).type);
}

/** A Route 53 record's latency region, if it is a latency record. */
function latencyRegionOf(record: RecordedResource): string | undefined {
  return str(obj(arr(record.inputs.latencyRoutingPolicies)[0]).region);
}

/**
 * The latency records an alias of `record` names in the same hosted zone: a SECONDARY that points at
 * the standby set (`standby.<domain>`) reaches the region's ALB through them.
 */
function aliasedLatencyRecords(record: RecordedResource, records: RecordedResource[]): RecordedResource[] {
  const zone = str(record.inputs.zoneId);
  return arr(record.inputs.aliases)
    .map(obj)
    .filter((alias) => str(alias.zoneId) !== undefined && str(alias.zoneId) === zone)
    .flatMap((alias) =>
      records.filter(
        (r) =>
          r !== record &&
          latencyRegionOf(r) !== undefined &&
          str(r.inputs.zoneId) === zone &&
          dnsKey(str(r.inputs.name)) === dnsKey(str(alias.name)),
      ),
    );
}

/** Ports of `listeners`, highest first, as "443/80". */
function portList(ports: number[]): string {
  return [...new Set(ports)].sort((a, b) => b - a).join("/");
}

// ---------------------------------------------------------------------------------------------
// IAM policy documents.

interface PolicyStatement {
  actions: string[];
  resources: string[];
}

function parsePolicy(value: unknown): PolicyStatement[] {
  let doc: unknown = unwrap(value);
  if (typeof doc === "string") {
    try {
      doc = JSON.parse(doc);
    } catch {
      return [];
    }
  }
  const statements = obj(doc).Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  return list
    .map(obj)
    .filter((s) => s.Effect === "Allow")
    .map((s) => ({
      actions: typeof s.Action === "string" ? [s.Action] : strs(s.Action),
      resources: typeof s.Resource === "string" ? [s.Resource] : strs(s.Resource),
    }));
}

/**
 * Whether a policy resource names `arn`: the ARN itself, a sub-resource of it (`table/x/index/*`),
 * or a wildcard pattern matching it. A bare `*` names nothing in particular and does not count.
 */
function namesArn(pattern: string, arn: string): boolean {
  if (pattern === "*" || pattern === "") return false;
  if (pattern === arn || pattern.startsWith(`${arn}/`)) return true;
  if (!pattern.includes("*") && !pattern.includes("?")) return false;
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return regex.test(arn);
}

// ---------------------------------------------------------------------------------------------
// Security groups.

interface SgRule {
  direction: "ingress" | "egress";
  /** The group the rule belongs to. */
  groupId: string;
  /** The other side: a security group id, or a CIDR. */
  peerGroupId?: string;
  cidr?: string;
  fromPort?: number;
  toPort?: number;
  protocol: string;
  urn: string;
}

function securityGroupRules(resources: RecordedResource[]): SgRule[] {
  const rules: SgRule[] = [];
  for (const r of resources) {
    const base = { urn: r.urn };
    if (
      r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" ||
      r.type === "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
    ) {
      const groupId = str(r.inputs.securityGroupId);
      if (!groupId) continue;
      rules.push({
        ...base,
        direction: r.type.includes("Ingress") ? "ingress" : "egress",
        groupId,
        peerGroupId: str(r.inputs.referencedSecurityGroupId),
        cidr: str(r.inputs.cidrIpv4),
        fromPort: num(r.inputs.fromPort),
        toPort: num(r.inputs.toPort),
        protocol: str(r.inputs.ipProtocol) ?? "tcp",
      });
    } else if (r.type === "aws:ec2/securityGroupRule:SecurityGroupRule") {
      const groupId = str(r.inputs.securityGroupId);
      if (!groupId) continue;
      const cidrs = strs(r.inputs.cidrBlocks);
      rules.push({
        ...base,
        direction: str(r.inputs.type) === "egress" ? "egress" : "ingress",
        groupId,
        peerGroupId: str(r.inputs.sourceSecurityGroupId),
        cidr: cidrs[0],
        fromPort: num(r.inputs.fromPort),
        toPort: num(r.inputs.toPort),
        protocol: str(r.inputs.protocol) ?? "tcp",
      });
    } else if (r.type === "aws:ec2/securityGroup:SecurityGroup") {
      for (const direction of ["ingress", "egress"] as const) {
        for (const rule of arr(r.inputs[direction]).map(obj)) {
          const peers = strs(rule.securityGroups);
          const cidrs = strs(rule.cidrBlocks);
          for (const peer of peers.length > 0 ? peers : [undefined]) {
            rules.push({
              ...base,
              direction,
              groupId: r.id,
              peerGroupId: peer,
              cidr: peer ? undefined : cidrs[0],
              fromPort: num(rule.fromPort),
              toPort: num(rule.toPort),
              protocol: str(rule.protocol) ?? "tcp",
            });
          }
        }
      }
    }
  }
  return rules;
}

function coversPort(rule: SgRule, port: number | undefined): boolean {
  if (rule.protocol === "-1" || rule.protocol === "all") return true;
  if (port === undefined) return true;
  return (rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? 65535);
}

// ---------------------------------------------------------------------------------------------
// One stack's resources, indexed.

const T = {
  vpc: "awsx:ec2:Vpc",
  lb: "aws:lb/loadBalancer:LoadBalancer",
  listener: "aws:lb/listener:Listener",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  asg: "aws:autoscaling/group:Group",
  asgAttachment: "aws:autoscaling/attachment:Attachment",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  instanceProfile: "aws:iam/instanceProfile:InstanceProfile",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  policy: "aws:iam/policy:Policy",
  record: "aws:route53/record:Record",
  healthCheck: "aws:route53/healthCheck:HealthCheck",
  webAcl: "aws:wafv2/webAcl:WebAcl",
  webAclAssociation: "aws:wafv2/webAclAssociation:WebAclAssociation",
  globalCluster: "aws:rds/globalCluster:GlobalCluster",
  cluster: "aws:rds/cluster:Cluster",
  clusterInstance: "aws:rds/clusterInstance:ClusterInstance",
  table: "aws:dynamodb/table:Table",
  tableReplica: "aws:dynamodb/tableReplica:TableReplica",
  secret: "aws:secretsmanager/secret:Secret",
  topic: "aws:sns/topic:Topic",
  sesDomain: "aws:ses/domainIdentity:DomainIdentity",
  sesEmail: "aws:ses/emailIdentity:EmailIdentity",
  sesv2Identity: "aws:sesv2/emailIdentity:EmailIdentity",
  placeIndex: "aws:location/placeIndex:PlaceIndex",
  map: "aws:location/map:Map",
  routeCalculator: "aws:location/routeCalculator:RouteCalculator",
  vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  backupVault: "aws:backup/vault:Vault",
  backupPlan: "aws:backup/plan:Plan",
  backupSelection: "aws:backup/selection:Selection",
} as const;

class StackIndex {
  readonly byUrn = new Map<string, RecordedResource>();
  readonly rules: SgRule[];

  constructor(readonly run: StackRun) {
    for (const r of run.resources) this.byUrn.set(r.urn, r);
    this.rules = securityGroupRules(run.resources);
  }

  get role(): string {
    return this.run.config[`${this.run.project}:role`] ?? "active";
  }

  get home(): boolean {
    return this.run.config[`${this.run.project}:home`] === "true";
  }

  of(...types: string[]): RecordedResource[] {
    return this.run.resources
      .filter((r) => types.includes(r.type))
      .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  }

  /** Types of the components above `r`, nearest first. */
  ancestorTypes(r: RecordedResource): string[] {
    const types: string[] = [];
    let parent = r.parent ? this.byUrn.get(r.parent) : undefined;
    while (parent) {
      types.push(parent.type);
      parent = parent.parent ? this.byUrn.get(parent.parent) : undefined;
    }
    return types;
  }

  /** Target groups an ALB forwards to, through its listeners' default actions, with listener ports. */
  forwards(lb: RecordedResource): { targetGroupArn: string; listenerPort?: number; evidence: string }[] {
    const lbHandles = handles(lb);
    const result: { targetGroupArn: string; listenerPort?: number; evidence: string }[] = [];
    for (const listener of this.of(T.listener)) {
      const lbArn = str(listener.inputs.loadBalancerArn);
      if (!lbArn || !lbHandles.has(lbArn)) continue;
      for (const action of arr(listener.inputs.defaultActions).map(obj)) {
        const arns = [
          str(action.targetGroupArn),
          ...arr(obj(action.forward).targetGroups).map((g) => str(obj(g).arn)),
        ].filter((a): a is string => a !== undefined);
        for (const targetGroupArn of arns) {
          result.push({
            targetGroupArn,
            listenerPort: num(listener.inputs.port),
            evidence: `${listener.name}: listener ${num(listener.inputs.port) ?? "?"} of ${lb.name} forwards to ${targetGroupArn}`,
          });
        }
      }
    }
    return result;
  }

  listenerPorts(lb: RecordedResource): number[] {
    const lbHandles = handles(lb);
    return this.of(T.listener)
      .filter((l) => lbHandles.has(str(l.inputs.loadBalancerArn) ?? ""))
      .map((l) => num(l.inputs.port))
      .filter((p): p is number => p !== undefined);
  }

  /** Target group ARNs an ASG registers its instances in (inline, or through attachments). */
  asgTargetGroups(asg: RecordedResource): string[] {
    const names = handles(asg, "name");
    const attached = this.of(T.asgAttachment)
      .filter((a) => names.has(str(a.inputs.autoscalingGroupName) ?? ""))
      .map((a) => str(a.inputs.lbTargetGroupArn))
      .filter((a): a is string => a !== undefined);
    return [...strs(asg.inputs.targetGroupArns), ...attached];
  }

  launchTemplateOf(asg: RecordedResource): RecordedResource | undefined {
    const spec = obj(asg.inputs.launchTemplate);
    const mixed = obj(obj(obj(asg.inputs.mixedInstancesPolicy).launchTemplate).launchTemplateSpecification);
    const refs = [
      str(spec.id),
      str(spec.name),
      str(mixed.launchTemplateId),
      str(mixed.launchTemplateName),
    ].filter((v): v is string => v !== undefined);
    return this.of(T.launchTemplate).find((lt) => refs.some((ref) => handles(lt, "name").has(ref)));
  }

  instanceSecurityGroups(lt: RecordedResource | undefined): string[] {
    if (!lt) return [];
    return [
      ...strs(lt.inputs.vpcSecurityGroupIds),
      ...arr(lt.inputs.networkInterfaces).flatMap((ni) => strs(obj(ni).securityGroups)),
    ];
  }

  userData(lt: RecordedResource | undefined): string {
    const raw = lt ? str(lt.inputs.userData) : undefined;
    if (!raw) return "";
    const decoded = Buffer.from(raw, "base64").toString("utf8");
    return /[^\x09\x0a\x0d\x20-\x7e\u00a0-\uffff]/.test(decoded) ? raw : decoded;
  }

  /** The role of an instance profile named by a launch template. */
  instanceRole(lt: RecordedResource | undefined): RecordedResource | undefined {
    if (!lt) return undefined;
    const spec = obj(lt.inputs.iamInstanceProfile);
    const refs = [str(spec.arn), str(spec.name)].filter((v): v is string => v !== undefined);
    const profile = this.of(T.instanceProfile).find((p) => refs.some((ref) => handles(p, "name").has(ref)));
    const roleRef = profile ? str(profile.inputs.role) : undefined;
    return roleRef ? this.of(T.role).find((r) => handles(r, "name").has(roleRef)) : undefined;
  }

  /** Every Allow statement that applies to a role: inline, role policies, attached customer policies. */
  rolePolicies(role: RecordedResource | undefined): { statements: PolicyStatement[]; source: string }[] {
    if (!role) return [];
    const roleRefs = handles(role, "name");
    const docs: { statements: PolicyStatement[]; source: string }[] = [];
    for (const inline of arr(role.inputs.inlinePolicies).map(obj)) {
      docs.push({ statements: parsePolicy(inline.policy), source: `${role.name} inline policy` });
    }
    for (const rp of this.of(T.rolePolicy)) {
      if (roleRefs.has(str(rp.inputs.role) ?? "")) {
        docs.push({ statements: parsePolicy(rp.inputs.policy), source: `role policy ${rp.name}` });
      }
    }
    const attachedArns = [
      ...this.of(T.rolePolicyAttachment)
        .filter((a) => roleRefs.has(str(a.inputs.role) ?? ""))
        .map((a) => str(a.inputs.policyArn)),
      ...this.of(T.policyAttachment)
        .filter((a) => strs(a.inputs.roles).some((r) => roleRefs.has(r)))
        .map((a) => str(a.inputs.policyArn)),
    ];
    for (const policy of this.of(T.policy)) {
      if (attachedArns.some((a) => a !== undefined && handles(policy).has(a))) {
        docs.push({ statements: parsePolicy(policy.inputs.policy), source: `policy ${policy.name}` });
      }
    }
    return docs;
  }
}

// ---------------------------------------------------------------------------------------------
// Building the model.

interface Builder {
  nodes: DiagramNode[];
  edges: DiagramEdge[];
}

function addEdge(b: Builder, edge: DiagramEdge): void {
  const existing = b.edges.find((e) => e.from === edge.from && e.to === edge.to && e.kind === edge.kind);
  if (existing) {
    existing.evidence = [...new Set([...existing.evidence, ...edge.evidence])];
  } else {
    b.edges.push({ ...edge, evidence: [...edge.evidence] });
  }
}

/** What one stack contributes, kept for the cross-region pass. */
interface StackNodes {
  index: StackIndex;
  /** Node id per resource URN. */
  nodeOf: Map<string, string>;
  nodes: DiagramNode[];
}

function regionalNodes(index: StackIndex, b: Builder): StackNodes {
  const run = index.run;
  const prefix = slug(run.stack);
  const nodeOf = new Map<string, string>();
  const nodes: DiagramNode[] = [];
  const byKind = new Map<NodeKind, number>();

  const meta = new Map<DiagramNode, { urns: string[]; name: string }>();

  const add = (
    kind: NodeKind,
    title: string,
    details: string[],
    r?: RecordedResource,
    extraUrns: string[] = [],
  ): DiagramNode => {
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    const node: DiagramNode = {
      id: "",
      kind,
      tier: KIND_TIER[kind],
      stack: run.stack,
      region: r?.region ?? run.region,
      title,
      details,
      urn: r?.urn,
    };
    nodes.push(node);
    meta.set(node, { urns: [...(r ? [r.urn] : []), ...extraUrns], name: r?.name ?? title });
    return node;
  };

  // Load balancers and the tiers behind them.
  const lbs = index.of(T.lb);
  const asgs = index.of(T.asg);
  for (const lb of lbs) {
    const internal = prop(lb, "internal") === true;
    const ports = portList(index.listenerPorts(lb));
    add(
      internal ? "internalAlb" : "publicAlb",
      internal ? "Internal ALB" : "Public ALB",
      [
        str(lb.outputs.name) ?? lb.name,
        internal ? `internal · ${ports || "no listener"}` : `internet-facing · ${ports || "no listener"}`,
      ],
      lb,
    );
  }
  const tierOfAsg = (asg: RecordedResource): "frontend" | "backend" => {
    const tgs = index.asgTargetGroups(asg);
    for (const lb of lbs) {
      if (index.forwards(lb).some((f) => tgs.includes(f.targetGroupArn))) {
        return prop(lb, "internal") === true ? "backend" : "frontend";
      }
    }
    // Not behind any load balancer (broken wiring): place it by its name so it still shows.
    return /back/i.test(asg.name) ? "backend" : "frontend";
  };
  for (const asg of asgs) {
    const tier = tierOfAsg(asg);
    const lt = index.launchTemplateOf(asg);
    const sizing = [prop(asg, "minSize"), prop(asg, "desiredCapacity"), prop(asg, "maxSize")].map(
      (v) => num(v) ?? "?",
    );
    const instanceType = lt ? str(lt.inputs.instanceType) : undefined;
    add(
      tier,
      tier === "frontend" ? "Frontend ASG" : "Backend ASG",
      [
        `${str(asg.outputs.name) ?? asg.name}`,
        `min/desired/max ${sizing.join("/")}${instanceType ? ` · ${instanceType}` : ""}`,
      ],
      asg,
    );
  }

  // NAT gateways, counted from the awsx Vpc inputs.
  for (const vpc of index.of(T.vpc)) {
    const nat = obj(vpc.inputs.natGateways);
    const strategy = str(nat.strategy) ?? "OnePerAz";
    const azs =
      strs(vpc.inputs.availabilityZoneNames).length || num(vpc.inputs.numberOfAvailabilityZones) || 3;
    const count = strategy === "None" ? 0 : strategy === "Single" ? 1 : azs;
    if (count > 0) {
      add("nat", `NAT gateway × ${count}`, [`${strategy} · ${azs} AZs`], vpc);
    }
  }

  // Edge: failover records (a passive stack's SECONDARY with the latency record it reaches the ALB
  // through), health checks, web ACLs.
  const records = index.of(T.record);
  for (const record of records) {
    const failover = failoverOf(record);
    const aliases = arr(record.inputs.aliases).map(obj);
    if (failover === undefined || aliases.length === 0) continue;
    const members = aliasedLatencyRecords(record, records);
    add(
      "dns",
      "Route 53 failover record",
      [
        `${str(record.inputs.name) ?? record.name} ${str(record.inputs.type) ?? ""}`.trim(),
        `${failover} · set ${str(record.inputs.setIdentifier) ?? "?"}`,
        ...members.map((m) => `→ ${str(m.inputs.name) ?? m.name} · latency ${latencyRegionOf(m) ?? "?"}`),
      ],
      record,
      members.map((m) => m.urn),
    );
  }
  for (const hc of index.of(T.healthCheck)) {
    const interval = num(hc.inputs.requestInterval) ?? 30;
    const threshold = num(hc.inputs.failureThreshold) ?? 3;
    add(
      "healthCheck",
      "Route 53 health check",
      [
        `${str(hc.inputs.type) ?? "?"} ${num(hc.inputs.port) ?? ""} ${str(hc.inputs.resourcePath) ?? ""}`
          .replace(/\s+/g, " ")
          .trim(),
        `every ${interval} s × ${threshold}`,
      ],
      hc,
    );
  }
  for (const acl of index.of(T.webAcl)) {
    add(
      "waf",
      "WAF web ACL",
      [str(acl.outputs.name) ?? acl.name, `${arr(acl.inputs.rules).length} rules`],
      acl,
    );
  }

  // Data.
  for (const gc of index.of(T.globalCluster)) {
    add("globalCluster", "Aurora global database", [gc.id, str(gc.inputs.engine) ?? ""].filter(Boolean), gc);
  }
  for (const cluster of index.of(T.cluster)) {
    const clusterRefs = handles(cluster, "clusterIdentifier");
    const instances = index
      .of(T.clusterInstance)
      .filter((i) => clusterRefs.has(str(i.inputs.clusterIdentifier) ?? ""));
    const classes = [...new Set(instances.map((i) => str(i.inputs.instanceClass) ?? "?"))].join(", ");
    const secondary = index.of(T.globalCluster).length === 0 && str(cluster.inputs.globalClusterIdentifier);
    add(
      "aurora",
      secondary ? "Aurora secondary cluster" : "Aurora cluster",
      [
        `${str(cluster.inputs.engine) ?? "aurora"} ${str(cluster.inputs.engineVersion) ?? ""}`.trim(),
        `${instances.length} × ${classes || "no instance"} · ${num(prop(cluster, "port")) ?? 5432}`,
      ],
      cluster,
      instances.map((i) => i.urn),
    );
  }
  for (const table of index.of(T.table)) {
    add(
      "dynamodb",
      "DynamoDB table",
      [str(table.outputs.name) ?? table.name, str(table.inputs.billingMode) ?? ""].filter(Boolean),
      table,
    );
  }
  for (const replica of index.of(T.tableReplica)) {
    const tableName = (str(replica.inputs.globalTableArn) ?? "").split("/").pop() || replica.name;
    add("dynamodb", "DynamoDB table replica", [tableName, `in ${replica.region}`], replica);
  }
  for (const vault of index.of(T.backupVault)) {
    add("backupVault", "AWS Backup vault", [str(vault.outputs.name) ?? vault.name], vault);
  }

  // Integrations: the customer topic(s), mail, maps.
  const integration = (r: RecordedResource) => index.ancestorTypes(r).some((t) => /integration/i.test(t));
  const backendRolePolicies = asgs
    .filter((asg) => tierOfAsg(asg) === "backend")
    .flatMap((asg) => index.rolePolicies(index.instanceRole(index.launchTemplateOf(asg))));
  const namedByBackend = (arn: string | undefined) =>
    arn !== undefined &&
    backendRolePolicies.some((d) => d.statements.some((s) => s.resources.some((p) => namesArn(p, arn))));
  for (const topic of index.of(T.topic)) {
    if (integration(topic) || namedByBackend(arnOf(topic))) {
      add("sns", "SNS topic", [str(topic.outputs.name) ?? topic.name, "customer messages"], topic);
    }
  }
  for (const identity of index.of(T.sesDomain, T.sesEmail, T.sesv2Identity)) {
    const name =
      str(identity.inputs.domain) ??
      str(identity.inputs.email) ??
      str(identity.inputs.emailIdentity) ??
      identity.name;
    add("mail", "Mail: SES identity", [name], identity);
  }
  for (const secret of index.of(T.secret)) {
    const text = `${secret.name} ${str(secret.inputs.name) ?? ""} ${str(secret.inputs.description) ?? ""}`;
    if (arr(secret.inputs.replicas).length > 0) {
      add(
        "secret",
        "Secrets Manager secret",
        [
          str(secret.outputs.name) ?? secret.name,
          `replicated to ${arr(secret.inputs.replicas)
            .map((r) => str(obj(r).region))
            .join(", ")}`,
        ],
        secret,
      );
    } else if (/smtp|mail/i.test(text) && (integration(secret) || namedByBackend(arnOf(secret)))) {
      add(
        "mail",
        "Mail: external SMTP credentials",
        [str(secret.outputs.name) ?? secret.name, "Secrets Manager"],
        secret,
      );
    }
  }
  const location = index.of(T.placeIndex, T.map, T.routeCalculator);
  if (location.length > 0) {
    const what = (m: RecordedResource) =>
      m.type === T.placeIndex ? "place index" : m.type === T.map ? "map" : "route calculator";
    add(
      "maps",
      "Maps: Amazon Location",
      location.map((m) => `${what(m)} ${m.id || m.name}`),
      location[0],
      location.slice(1).map((m) => m.urn),
    );
  }

  // Ids: stack + kind, plus the resource name where a stack has several of a kind.
  const used = new Set<string>();
  for (const node of nodes) {
    const { urns, name } = meta.get(node)!;
    let id = `${prefix}_${node.kind}`;
    if ((byKind.get(node.kind) ?? 0) > 1) id = `${id}_${slug(name)}`;
    while (used.has(id)) id = `${id}_`;
    used.add(id);
    node.id = id;
    for (const urn of urns) nodeOf.set(urn, id);
  }
  b.nodes.push(...nodes);
  return { index, nodeOf, nodes };
}

function regionalEdges(s: StackNodes, b: Builder): void {
  const { index, nodeOf } = s;
  const node = (r: RecordedResource | undefined) => (r ? nodeOf.get(r.urn) : undefined);
  const lbs = index.of(T.lb);
  const asgs = index.of(T.asg);
  const albByDns = (dns: string | undefined) =>
    lbs.find((lb) => dns !== undefined && str(lb.outputs.dnsName) === dns);

  // WAF associations: web ACL → the ALB whose ARN the association names.
  const wafOf = new Map<string, RecordedResource>();
  for (const assoc of index.of(T.webAclAssociation)) {
    const acl = index.of(T.webAcl).find((a) => handles(a).has(str(assoc.inputs.webAclArn) ?? ""));
    const lb = lbs.find((l) => handles(l).has(str(assoc.inputs.resourceArn) ?? ""));
    if (!acl || !lb) continue;
    wafOf.set(lb.urn, acl);
    addEdge(b, {
      from: node(acl)!,
      to: node(lb)!,
      kind: "traffic",
      label: "allowed requests",
      evidence: [`${assoc.name}: webAclArn = ${acl.name}, resourceArn = ${lb.name} ARN`],
    });
  }

  // DNS: users → failover record → (WAF of the) ALB its alias names, directly (PRIMARY) or through
  // the standby set's latency record (SECONDARY → standby.<domain> → ALB); health checks.
  const records = index.of(T.record);
  const hcEdge = (hcId: string | undefined, to: string, label: string, evidence: string) => {
    const hc = index.of(T.healthCheck).find((h) => h.id === hcId);
    if (!hc || !node(hc)) return;
    addEdge(b, { from: node(hc)!, to, kind: "control", label, evidence: [`${evidence} = ${hc.name} id`] });
  };
  for (const record of records) {
    const from = node(record);
    const failover = failoverOf(record);
    if (!from || failover === undefined) continue;
    addEdge(b, {
      from: USERS_NODE_ID,
      to: from,
      kind: "traffic",
      label: `DNS · ${failover}`,
      evidence: [`${record.name}: failover ${failover}`],
    });
    const hops: { via?: RecordedResource; alias: Record<string, unknown> }[] = [
      ...arr(record.inputs.aliases).map((alias) => ({ alias: obj(alias) })),
      ...aliasedLatencyRecords(record, records).flatMap((via) =>
        arr(via.inputs.aliases).map((alias) => ({ via, alias: obj(alias) })),
      ),
    ];
    for (const { via, alias } of hops) {
      const lb = albByDns(str(alias.name));
      if (!lb) continue;
      const acl = wafOf.get(lb.urn);
      const chain = via
        ? `${record.name}: alias name = ${str(via.inputs.name)}, the latency record ${via.name} (${latencyRegionOf(via)}); ${via.name}: alias name`
        : `${record.name}: alias name`;
      addEdge(b, {
        from,
        to: node(acl ?? lb)!,
        kind: "traffic",
        label: portList(index.listenerPorts(lb)) || "no listener",
        evidence: [`${chain} = ${lb.name} dnsName${acl ? `; ${acl.name} is associated with it` : ""}`],
      });
    }
    hcEdge(str(record.inputs.healthCheckId), from, "fails over on", `${record.name}: healthCheckId`);
    for (const via of aliasedLatencyRecords(record, records)) {
      hcEdge(str(via.inputs.healthCheckId), from, "standby while healthy", `${via.name}: healthCheckId`);
    }
  }
  for (const hc of index.of(T.healthCheck)) {
    const lb = albByDns(str(hc.inputs.fqdn));
    if (lb && node(hc) && node(lb)) {
      addEdge(b, {
        from: node(hc)!,
        to: node(lb)!,
        kind: "control",
        label: `probes ${str(hc.inputs.type) ?? ""} ${num(hc.inputs.port) ?? ""}`.replace(/\s+/g, " ").trim(),
        evidence: [`${hc.name}: fqdn = ${lb.name} dnsName`],
      });
    }
  }

  // ALB → ASG: listener default action → target group ← ASG targetGroupArns.
  for (const lb of lbs) {
    for (const f of index.forwards(lb)) {
      const tg = index.of(T.targetGroup).find((t) => handles(t).has(f.targetGroupArn));
      for (const asg of asgs) {
        if (!index.asgTargetGroups(asg).includes(f.targetGroupArn)) continue;
        const port = tg ? num(tg.inputs.port) : undefined;
        const protocol = tg ? str(tg.inputs.protocol) : undefined;
        addEdge(b, {
          from: node(lb)!,
          to: node(asg)!,
          kind: "traffic",
          label: `${protocol ?? ""} ${port ?? "?"}`.trim(),
          evidence: [f.evidence, `${asg.name}: targetGroupArns has ${tg?.name ?? f.targetGroupArn}`],
        });
      }
    }
  }

  // ASG → internal ALB: the instances may open connections to the ALB's security group (egress)
  // and the ALB's security group admits them (ingress), or the user data addresses the ALB.
  for (const asg of asgs) {
    const lt = index.launchTemplateOf(asg);
    const instanceSgs = index.instanceSecurityGroups(lt);
    const userData = index.userData(lt);
    for (const lb of lbs.filter((l) => prop(l, "internal") === true)) {
      const albSgs = strs(lb.inputs.securityGroups);
      const ports = index.listenerPorts(lb);
      const port = ports[0];
      const egress = index.rules.find(
        (r) =>
          r.direction === "egress" &&
          instanceSgs.includes(r.groupId) &&
          ((r.peerGroupId !== undefined && albSgs.includes(r.peerGroupId)) || r.cidr === "0.0.0.0/0") &&
          coversPort(r, port),
      );
      const ingress = index.rules.find(
        (r) =>
          r.direction === "ingress" &&
          albSgs.includes(r.groupId) &&
          r.peerGroupId !== undefined &&
          instanceSgs.includes(r.peerGroupId) &&
          coversPort(r, port),
      );
      const dnsName = str(lb.outputs.dnsName);
      const addressed = dnsName !== undefined && userData.includes(dnsName);
      if ((egress && ingress) || (addressed && egress)) {
        addEdge(b, {
          from: node(asg)!,
          to: node(lb)!,
          kind: "traffic",
          label: portList(ports) ? `HTTP ${portList(ports)}` : "?",
          evidence: [
            ...(egress
              ? [`${asg.name} instance SG egress → ${lb.name} SG (${egress.urn.split("::").pop()})`]
              : []),
            ...(ingress
              ? [`${lb.name} SG ingress ← ${asg.name} instance SG (${ingress.urn.split("::").pop()})`]
              : []),
            ...(addressed ? [`${asg.name} user data names ${lb.name} dnsName`] : []),
          ],
        });
      }
    }
  }

  // Backend → Aurora: the DB security group admits the instances' security group.
  for (const asg of asgs) {
    const instanceSgs = index.instanceSecurityGroups(index.launchTemplateOf(asg));
    for (const cluster of index.of(T.cluster)) {
      const dbSgs = strs(cluster.inputs.vpcSecurityGroupIds);
      const port = num(prop(cluster, "port")) ?? 5432;
      const ingress = index.rules.find(
        (r) =>
          r.direction === "ingress" &&
          dbSgs.includes(r.groupId) &&
          r.peerGroupId !== undefined &&
          instanceSgs.includes(r.peerGroupId) &&
          coversPort(r, port),
      );
      if (ingress && node(cluster)) {
        addEdge(b, {
          from: node(asg)!,
          to: node(cluster)!,
          kind: "traffic",
          label: `${port}`,
          evidence: [
            `${cluster.name} SG ingress ← ${asg.name} instance SG (${ingress.urn.split("::").pop()})`,
          ],
        });
      }
    }
  }

  // Instances → DynamoDB / SNS / mail / maps / secrets: the instance role's policies name their ARNs.
  const gatewayEndpoint = index
    .of(T.vpcEndpoint)
    .some(
      (e) =>
        /\.dynamodb$/.test(str(e.inputs.serviceName) ?? "") &&
        (str(e.inputs.vpcEndpointType) ?? "Gateway") === "Gateway",
    );
  const targets: { r: RecordedResource; arns: string[]; label: string }[] = [
    ...index.of(T.table, T.tableReplica).map((r) => ({
      r,
      arns: [arnOf(r)].filter((a): a is string => !!a),
      label: gatewayEndpoint ? "443 · gateway endpoint" : "443",
    })),
    ...index
      .of(T.topic)
      .map((r) => ({ r, arns: [arnOf(r)].filter((a): a is string => !!a), label: "443 · publish" })),
    ...index
      .of(T.sesDomain, T.sesEmail, T.sesv2Identity)
      .map((r) => ({ r, arns: [arnOf(r)].filter((a): a is string => !!a), label: "443 · send" })),
    ...index
      .of(T.secret)
      .map((r) => ({ r, arns: [arnOf(r)].filter((a): a is string => !!a), label: "443 · read" })),
    ...index.of(T.placeIndex, T.map, T.routeCalculator).map((r) => ({
      r,
      arns: [str(r.outputs.indexArn), str(r.outputs.mapArn), str(r.outputs.calculatorArn), arnOf(r)].filter(
        (a): a is string => !!a,
      ),
      label: "443 · geo",
    })),
  ];
  for (const asg of asgs) {
    const docs = index.rolePolicies(index.instanceRole(index.launchTemplateOf(asg)));
    for (const target of targets) {
      const to = node(target.r);
      if (!to || !node(asg)) continue;
      const hits = docs.flatMap((d) =>
        d.statements
          .filter((st) => st.resources.some((p) => target.arns.some((arn) => namesArn(p, arn))))
          .map((st) => `${d.source} allows ${st.actions.join(", ")} on ${target.r.name}`),
      );
      if (hits.length > 0) {
        addEdge(b, { from: node(asg)!, to, kind: "traffic", label: target.label, evidence: hits });
      }
    }
  }

  // Egress through NAT: the ASG's subnets are the VPC's private subnets (routed to the NAT gateways).
  for (const vpc of index.of(T.vpc)) {
    const nat = node(vpc);
    const privateSubnets = strs(vpc.outputs.privateSubnetIds);
    if (!nat || privateSubnets.length === 0) continue;
    for (const asg of asgs) {
      const subnets = strs(asg.inputs.vpcZoneIdentifiers);
      if (subnets.length > 0 && subnets.every((s) => privateSubnets.includes(s)) && node(asg)) {
        addEdge(b, {
          from: node(asg)!,
          to: nat,
          kind: "egress",
          label: "egress",
          evidence: [`${asg.name}: vpcZoneIdentifiers ⊆ ${vpc.name} privateSubnetIds`],
        });
      }
    }
  }

  // Backups: a plan's selection names the resources; the plan's rules store them in a vault.
  for (const selection of index.of(T.backupSelection)) {
    const plan = index.of(T.backupPlan).find((p) => handles(p).has(str(selection.inputs.planId) ?? ""));
    if (!plan) continue;
    const vaultNames = arr(plan.inputs.rules).map((rule) => str(obj(rule).targetVaultName));
    const vaults = index
      .of(T.backupVault)
      .filter((v) => vaultNames.some((n) => n !== undefined && handles(v, "name").has(n)));
    for (const arn of strs(selection.inputs.resources)) {
      const source = index.run.resources.find((r) => r.custom && handles(r).has(arn) && node(r));
      for (const vault of vaults) {
        if (!source || !node(vault)) continue;
        addEdge(b, {
          from: node(source)!,
          to: node(vault)!,
          kind: "control",
          label: "backup",
          evidence: [
            `${selection.name}: resources has ${source.name} ARN; ${plan.name} stores in ${vault.name}`,
          ],
        });
      }
    }
  }

  // The home's own cluster is a member of its global database.
  for (const gc of index.of(T.globalCluster)) {
    for (const cluster of index.of(T.cluster)) {
      if (str(cluster.inputs.globalClusterIdentifier) === gc.id && node(gc) && node(cluster)) {
        addEdge(b, {
          from: node(cluster)!,
          to: node(gc)!,
          kind: "control",
          label: "primary member",
          evidence: [`${cluster.name}: globalClusterIdentifier = ${gc.name} id`],
        });
      }
    }
  }
}

/** Replication from the home to the standbys, matched on ids and ARNs across stacks. */
function replicationEdges(stacks: StackNodes[], b: Builder): void {
  for (const src of stacks) {
    for (const dst of stacks) {
      if (src === dst) continue;
      const srcNode = (r: RecordedResource) => src.nodeOf.get(r.urn);
      const dstNode = (r: RecordedResource) => dst.nodeOf.get(r.urn);

      // Aurora Global Database: the standby's cluster joins the global cluster the home owns.
      for (const gc of src.index.of(T.globalCluster)) {
        const primary = src.index.of(T.cluster).find((c) => str(c.inputs.globalClusterIdentifier) === gc.id);
        for (const secondary of dst.index.of(T.cluster)) {
          if (str(secondary.inputs.globalClusterIdentifier) !== gc.id) continue;
          addEdge(b, {
            from: srcNode(primary ?? gc)!,
            to: dstNode(secondary)!,
            kind: "replication",
            label: "Aurora Global Database · async",
            evidence: [
              `${dst.index.run.stack} ${secondary.name}: globalClusterIdentifier = ${src.index.run.stack} ${gc.name} id`,
            ],
          });
        }
      }

      // DynamoDB global table: the standby's TableReplica names the home table's ARN.
      for (const table of src.index.of(T.table)) {
        for (const replica of dst.index.of(T.tableReplica)) {
          if (!handles(table).has(str(replica.inputs.globalTableArn) ?? "")) continue;
          addEdge(b, {
            from: srcNode(table)!,
            to: dstNode(replica)!,
            kind: "replication",
            label: "DynamoDB global table · async",
            evidence: [
              `${dst.index.run.stack} ${replica.name}: globalTableArn = ${src.index.run.stack} ${table.name} arn`,
            ],
          });
        }
      }

      // Backup copy actions: a plan's rule copies into a vault of another stack.
      for (const plan of src.index.of(T.backupPlan)) {
        const copies = arr(plan.inputs.rules).flatMap((rule) =>
          arr(obj(rule).copyActions).map((c) => ({ rule: obj(rule), dest: str(obj(c).destinationVaultArn) })),
        );
        for (const { rule, dest } of copies) {
          const sourceVault = src.index
            .of(T.backupVault)
            .find((v) => handles(v, "name").has(str(rule.targetVaultName) ?? ""));
          const destVault = dst.index
            .of(T.backupVault)
            .find((v) => dest !== undefined && handles(v).has(dest));
          if (!sourceVault || !destVault) continue;
          addEdge(b, {
            from: srcNode(sourceVault)!,
            to: dstNode(destVault)!,
            kind: "replication",
            label: "AWS Backup copy",
            evidence: [
              `${src.index.run.stack} ${plan.name}: copyAction destinationVaultArn = ${dst.index.run.stack} ${destVault.name} arn`,
            ],
          });
        }
      }
    }
  }

  // Secrets Manager replicas: the home secret lists a standby's region; the replica is a node of
  // that standby (it has no resource of its own: the home creates it).
  for (const src of stacks) {
    for (const secret of src.index.of(T.secret)) {
      for (const replica of arr(secret.inputs.replicas).map(obj)) {
        const region = str(replica.region);
        const dst = stacks.find((s) => s !== src && s.index.run.region === region);
        const from = src.nodeOf.get(secret.urn);
        if (!dst || !from) continue;
        const id = `${slug(dst.index.run.stack)}_secret_replica_${slug(secret.name)}`;
        if (!b.nodes.some((n) => n.id === id)) {
          const n: DiagramNode = {
            id,
            kind: "secret",
            tier: "data",
            stack: dst.index.run.stack,
            region: region!,
            title: "Secrets Manager replica",
            details: [str(secret.outputs.name) ?? secret.name, `of ${src.index.run.region}`],
          };
          b.nodes.push(n);
          dst.nodes.push(n);
        }
        addEdge(b, {
          from,
          to: id,
          kind: "replication",
          label: "Secrets Manager replica",
          evidence: [`${src.index.run.stack} ${secret.name}: replicas[].region = ${region}`],
        });
        // A replica keeps the primary's ARN but for the region: the standby's instances read it there.
        const replicaArn = replicaArnIn(arnOf(secret), region!);
        for (const asg of dst.index.of(T.asg)) {
          const docs = dst.index.rolePolicies(dst.index.instanceRole(dst.index.launchTemplateOf(asg)));
          const hits = docs.flatMap((d) =>
            d.statements
              .filter((st) => replicaArn !== undefined && st.resources.some((p) => namesArn(p, replicaArn)))
              .map((st) => `${d.source} allows ${st.actions.join(", ")} on the replica of ${secret.name}`),
          );
          const asgNode = dst.nodeOf.get(asg.urn);
          if (hits.length > 0 && asgNode) {
            addEdge(b, { from: asgNode, to: id, kind: "traffic", label: "443 · read", evidence: hits });
          }
        }
      }
    }
  }
}

/** The ARN of a resource's copy in `region` (Secrets Manager replicas keep everything else). */
function replicaArnIn(arn: string | undefined, region: string): string | undefined {
  const parts = arn?.split(":") ?? [];
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  parts[3] = region;
  return parts.join(":");
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Derives the diagram from recorded runs: one cluster per stack (home first), its tiers and nodes,
 * and every edge that the references between the recorded resources make real.
 */
export function buildDiagramModel(runs: StackRun[]): DiagramModel {
  const b: Builder = { nodes: [], edges: [] };
  const ordered = [...runs].sort((x, y) => {
    const hx = new StackIndex(x).home ? 0 : 1;
    const hy = new StackIndex(y).home ? 0 : 1;
    return hx - hy || byString(x.stack, y.stack);
  });
  const stacks = ordered.map((run) => regionalNodes(new StackIndex(run), b));
  for (const s of stacks) regionalEdges(s, b);
  replicationEdges(stacks, b);

  const users: DiagramNode = {
    id: USERS_NODE_ID,
    kind: "dns",
    tier: "edge",
    stack: "",
    region: "",
    title: "Users",
    details: ["internet"],
  };
  const external = b.edges.some((e) => e.from === USERS_NODE_ID) ? [users] : [];

  const order = (n: DiagramNode) => NODE_KINDS.indexOf(n.kind);
  const clusters: DiagramCluster[] = stacks.map(({ index, nodes }) => {
    const run = index.run;
    const role = index.role;
    return {
      stack: run.stack,
      region: run.region,
      role,
      home: index.home,
      label: `${run.region} · ${role} · ${index.home ? "home" : "standby"}${run.stack !== run.region ? ` (stack ${run.stack})` : ""}`,
      tiers: TIERS.map((tier) => ({
        tier,
        label: TIER_LABELS[tier],
        nodes: nodes
          .filter((n) => n.tier === tier)
          .sort((x, y) => order(x) - order(y) || byString(x.id, y.id))
          .map((n) => n.id),
      })).filter((t) => t.nodes.length > 0),
    };
  });
  const position = new Map<string, number>();
  [...external.map((n) => n.id), ...clusters.flatMap((c) => c.tiers.flatMap((t) => t.nodes))].forEach(
    (id, i) => position.set(id, i),
  );
  const byId = new Map([...external, ...b.nodes].map((n) => [n.id, n]));
  const nodes = [...external, ...b.nodes].sort(
    (x, y) => (position.get(x.id) ?? 0) - (position.get(y.id) ?? 0),
  );
  const edges = b.edges
    .filter((e) => position.has(e.from) && position.has(e.to))
    .map((e) => ({ ...e, evidence: [...e.evidence].sort(byString) }))
    .sort(
      (x, y) =>
        position.get(x.from)! - position.get(y.from)! ||
        position.get(x.to)! - position.get(y.to)! ||
        byString(x.kind, y.kind),
    );
  // NAT gateways: which tiers send their outbound traffic through them.
  for (const nat of nodes.filter((n) => n.kind === "nat")) {
    const tiers = edges
      .filter((e) => e.to === nat.id && e.kind === "egress")
      .map((e) => byId.get(e.from)!.tier);
    if (tiers.length > 0) nat.details.push(`egress of ${[...new Set(tiers)].join(" + ")}`);
  }
  return { external, clusters, nodes, edges };
}

// ---------------------------------------------------------------------------------------------
// Rendering.

const TIER_STYLE: Record<Tier, { fill: string; stroke: string; node: string }> = {
  edge: { fill: "#eef3fd", stroke: "#4a78c2", node: "#d6e4fb" },
  public: { fill: "#eef8f0", stroke: "#3d8b4f", node: "#d3eed9" },
  frontend: { fill: "#fff6e8", stroke: "#c27c0e", node: "#fde3b8" },
  backend: { fill: "#fdf0f0", stroke: "#b8474f", node: "#f8d2d5" },
  data: { fill: "#f5effc", stroke: "#7b4bb3", node: "#e3d3f6" },
  integrations: { fill: "#eaf7f8", stroke: "#2b8a94", node: "#c9ebee" },
};

const EDGE_STYLE: Record<EdgeKind, { color: string; style: string }> = {
  traffic: { color: "#1f4e99", style: "solid" },
  replication: { color: "#c0392b", style: "dashed" },
  control: { color: "#7f8c8d", style: "dotted" },
  egress: { color: "#95a5a6", style: "dotted" },
};

const CYLINDERS: NodeKind[] = ["aurora", "globalCluster", "dynamodb"];

function dotString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function dotLabel(lines: string[]): string {
  return `"${lines.map((l) => l.replace(/\\/g, "\\\\").replace(/"/g, '\\"')).join("\\n")}"`;
}

/** Graphviz DOT: a cluster per region, a sub-cluster per tier; replication edges dashed. */
export function renderDot(model: DiagramModel): string {
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  const out: string[] = [];
  const nodeLine = (n: DiagramNode, indent: string) => {
    const style = n.stack === "" ? { node: "#ffffff", stroke: "#333333" } : TIER_STYLE[n.tier];
    const shape = n.stack === "" ? "oval" : CYLINDERS.includes(n.kind) ? "cylinder" : "box";
    const rounded = shape === "box" ? "rounded,filled" : "filled";
    out.push(
      `${indent}${n.id} [label=${dotLabel([n.title, ...n.details])}, shape=${shape}, style=${dotString(rounded)}, fillcolor=${dotString(style.node)}, color=${dotString(style.stroke)}];`,
    );
  };
  out.push("digraph architecture {");
  out.push(
    '  graph [rankdir=TB, newrank=true, forcelabels=true, compound=true, nodesep=0.35, ranksep=0.8, fontname="Helvetica,Arial,sans-serif", fontsize=12, labelloc=t,',
  );
  out.push(
    '         label="Multi-region web application: generated from the Pulumi program (npm run diagram)", bgcolor="white"];',
  );
  out.push('  node [fontname="Helvetica,Arial,sans-serif", fontsize=10, penwidth=1.2, margin="0.16,0.07"];');
  out.push('  edge [fontname="Helvetica,Arial,sans-serif", fontsize=9, arrowsize=0.7];');
  for (const n of model.external) nodeLine(n, "  ");
  for (const c of model.clusters) {
    out.push(`  subgraph cluster_${slug(c.stack)} {`);
    out.push(
      `    graph [label=${dotString(c.label)}, style="rounded,bold", color=${dotString(c.home ? "#1f4e99" : "#7f8c8d")}, fontsize=14, margin=14];`,
    );
    for (const t of c.tiers) {
      const style = TIER_STYLE[t.tier];
      out.push(`    subgraph cluster_${slug(c.stack)}_${t.tier} {`);
      out.push(
        `      graph [label=${dotString(t.label)}, style="rounded,filled", fillcolor=${dotString(style.fill)}, color=${dotString(style.stroke)}, fontsize=11, margin=10${t.tier === "data" || t.tier === "integrations" ? ", labelloc=b" : ""}];`,
      );
      for (const id of t.nodes) nodeLine(byId.get(id)!, "      ");
      out.push("    }");
    }
    out.push("  }");
  }
  // Layout only (invisible): the regions side by side in the model's order (home first), and
  // nodes that only replication reaches (a standby's backup vault) kept down with the data.
  const anchors = model.clusters.map((c) => {
    const ids = c.tiers.flatMap((t) => t.nodes);
    return ids.find((id) => byId.get(id)!.kind === "dns") ?? ids[0];
  });
  for (let i = 1; i < anchors.length; i++) {
    if (anchors[i - 1] && anchors[i]) {
      out.push(`  { rank=same; ${anchors[i - 1]} -> ${anchors[i]} [style=invis]; }`);
    }
  }
  const constrained = model.edges.filter((e) => e.kind !== "egress" && e.kind !== "replication");
  for (const c of model.clusters) {
    const backend = c.tiers.flatMap((t) => t.nodes).find((id) => byId.get(id)!.kind === "backend");
    const data = c.tiers.filter((t) => t.tier === "data").flatMap((t) => t.nodes);
    for (const id of data) {
      if (backend && !constrained.some((e) => e.to === id)) out.push(`  ${backend} -> ${id} [style=invis];`);
    }
  }
  // Egress edges stay in the model; the NAT node names the tiers instead (the edges would cross
  // the whole region).
  const drawn = model.edges.filter((x) => x.kind !== "egress");
  const fanOut = (from: string) => drawn.filter((x) => x.from === from && x.kind === "traffic").length;
  for (const e of drawn) {
    const style = EDGE_STYLE[e.kind];
    // Where the label goes: beside the edge on the main path; near the head where several edges
    // leave one node or cross between regions (their midpoints would pile up); free-floating for
    // the thin control edges.
    let label = `label=${dotString(e.label)}`;
    if (e.kind === "replication") {
      // Staggered, so that the labels of neighbouring heads do not overlap.
      const nth = drawn.filter((x) => x.kind === "replication").indexOf(e);
      label = `headlabel=${dotString(e.label)}, labeldistance=${5 + 4 * (nth % 3)}, labelangle=-20`;
    } else if (e.kind === "control") {
      label = `xlabel=${dotString(e.label)}`;
    } else if (fanOut(e.from) > 2) {
      label = `headlabel=${dotString(e.label)}, labeldistance=3.5, labelangle=0`;
    }
    const attrs = [
      label,
      `color=${dotString(style.color)}`,
      `fontcolor=${dotString(style.color)}`,
      `style=${style.style}`,
    ];
    if (e.kind === "replication") attrs.push("constraint=false", "penwidth=1.6");
    if (e.kind === "traffic") attrs.push("penwidth=1.4");
    out.push(`  ${e.from} -> ${e.to} [${attrs.join(", ")}];`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

function mermaidText(value: string): string {
  return value.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

/** Mermaid `flowchart LR` (GitHub renders it): a subgraph per region, nested per tier. */
export function renderMermaid(model: DiagramModel): string {
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  const out: string[] = ["flowchart LR"];
  const nodeLine = (n: DiagramNode, indent: string) => {
    const text = `"${[`<b>${mermaidText(n.title)}</b>`, ...n.details.map(mermaidText)].join("<br/>")}"`;
    const shape = n.stack === "" ? `([${text}])` : CYLINDERS.includes(n.kind) ? `[(${text})]` : `[${text}]`;
    out.push(`${indent}${n.id}${shape}`);
  };
  for (const n of model.external) nodeLine(n, "  ");
  for (const c of model.clusters) {
    out.push(`  subgraph cluster_${slug(c.stack)}["${mermaidText(c.label)}"]`);
    out.push("    direction LR");
    for (const t of c.tiers) {
      out.push(`    subgraph cluster_${slug(c.stack)}_${t.tier}["${mermaidText(t.label)}"]`);
      for (const id of t.nodes) nodeLine(byId.get(id)!, "      ");
      out.push("    end");
    }
    out.push("  end");
  }
  const linkStyles: string[] = [];
  model.edges
    .filter((e) => e.kind !== "egress")
    .forEach((e, i) => {
      const arrow = e.kind === "traffic" ? "-->" : "-.->";
      out.push(`  ${e.from} ${arrow}|"${mermaidText(e.label)}"| ${e.to}`);
      const style = EDGE_STYLE[e.kind];
      linkStyles.push(
        `  linkStyle ${i} stroke:${style.color}${e.kind === "replication" ? ",stroke-width:2px" : ""}`,
      );
    });
  out.push(...linkStyles);
  for (const tier of TIERS) {
    const style = TIER_STYLE[tier];
    const ids = model.nodes.filter((n) => n.stack !== "" && n.tier === tier).map((n) => n.id);
    if (ids.length === 0) continue;
    out.push(`  classDef ${tier}Tier fill:${style.node},stroke:${style.stroke},color:#1b1b1b`);
    out.push(`  class ${ids.join(",")} ${tier}Tier`);
  }
  for (const c of model.clusters) {
    for (const t of c.tiers) {
      const style = TIER_STYLE[t.tier];
      out.push(`  style cluster_${slug(c.stack)}_${t.tier} fill:${style.fill},stroke:${style.stroke}`);
    }
  }
  return `${out.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// SVG through Graphviz compiled to WebAssembly.

interface GraphvizWasm {
  dot(dotSource: string, outputFormat?: "svg"): string;
  version(): string;
}

let graphviz: Promise<GraphvizWasm> | undefined;

/**
 * @hpcc-js/wasm-graphviz ships ES modules only. TypeScript compiles `import()` to `require()` for
 * CommonJS output, which cannot load it on every Node 20, so the import goes through a function
 * TypeScript does not rewrite.
 */
function loadGraphviz(): Promise<GraphvizWasm> {
  if (!graphviz) {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const importModule = new Function("specifier", "return import(specifier)") as (
      s: string,
    ) => Promise<unknown>;
    const entry = pathToFileURL(require.resolve("@hpcc-js/wasm-graphviz")).href;
    graphviz = importModule(entry).then((m) =>
      (m as { Graphviz: { load(): Promise<GraphvizWasm> } }).Graphviz.load(),
    );
  }
  return graphviz;
}

/** Lays out `dot` and returns the SVG (deterministic for a given Graphviz version). */
export async function renderSvg(dot: string): Promise<string> {
  const svg = (await loadGraphviz()).dot(dot, "svg");
  return svg.endsWith("\n") ? svg : `${svg}\n`;
}

// ---------------------------------------------------------------------------------------------
// Files and the command line.

export const DIAGRAM_START = "<!-- diagram:start -->";
export const DIAGRAM_END = "<!-- diagram:end -->";

export interface DiagramFiles {
  svg: string;
  mermaid: string;
}

/** Everything `npm run diagram` writes, from recorded runs. */
export async function renderDiagram(runs: StackRun[]): Promise<DiagramFiles> {
  const model = buildDiagramModel(runs);
  return { svg: await renderSvg(renderDot(model)), mermaid: renderMermaid(model) };
}

/** README.md with the block between the markers replaced; undefined when it has no markers. */
export function replaceReadmeBlock(readme: string, mermaid: string): string | undefined {
  const start = readme.indexOf(DIAGRAM_START);
  const end = readme.indexOf(DIAGRAM_END);
  if (start < 0 || end < start) return undefined;
  const block = `${DIAGRAM_START}\n\n\`\`\`mermaid\n${mermaid}\`\`\`\n\n`;
  return `${readme.slice(0, start)}${block}${readme.slice(end)}`;
}

export const DOCS_DIR = "docs";
export const SVG_FILE = "docs/architecture.svg";
export const MERMAID_FILE = "docs/architecture.mmd";
export const README_FILE = "README.md";

/** Path → expected content of every generated file (README only when it has the markers). */
export function expectedFiles(files: DiagramFiles, rootDir: string): Map<string, string> {
  const expected = new Map<string, string>([
    [SVG_FILE, files.svg],
    [MERMAID_FILE, files.mermaid],
  ]);
  const readmePath = path.join(rootDir, README_FILE);
  if (fs.existsSync(readmePath)) {
    const updated = replaceReadmeBlock(fs.readFileSync(readmePath, "utf8"), files.mermaid);
    if (updated !== undefined) expected.set(README_FILE, updated);
  }
  return expected;
}

/** Generated files whose committed content differs (or that are missing). */
export function staleFiles(expected: Map<string, string>, rootDir: string): string[] {
  return [...expected.entries()]
    .filter(([file, content]) => {
      const full = path.join(rootDir, file);
      return !fs.existsSync(full) || fs.readFileSync(full, "utf8") !== content;
    })
    .map(([file]) => file);
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes("--check");
  const unknown = argv.filter((a) => a !== "--check");
  if (argv.includes("--help") || unknown.length > 0) {
    const usage =
      "usage: npm run diagram [-- --check]\n  writes docs/architecture.svg, docs/architecture.mmd and the README.md diagram block\n  --check  exit 1 when a committed file is stale";
    if (argv.includes("--help")) {
      console.log(usage);
      return 0;
    }
    console.error(`unknown argument ${unknown[0]}\n${usage}`);
    return 2;
  }
  // Loaded here, not at the top: the model and renderers stay usable without running the program.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runAllStacks } = require("./runStacks") as typeof import("./runStacks");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ROOT_DIR } = require("./mocks") as typeof import("./mocks");
  const files = await renderDiagram(await runAllStacks());
  const expected = expectedFiles(files, ROOT_DIR);
  const hasReadmeBlock = expected.has(README_FILE);
  if (check) {
    const stale = staleFiles(expected, ROOT_DIR);
    if (stale.length > 0) {
      console.error(`stale: ${stale.join(", ")}; run npm run diagram`);
      return 1;
    }
    console.log(`diagram up to date: ${[...expected.keys()].join(", ")}`);
    return 0;
  }
  fs.mkdirSync(path.join(ROOT_DIR, DOCS_DIR), { recursive: true });
  for (const [file, content] of expected) fs.writeFileSync(path.join(ROOT_DIR, file), content);
  console.log(`wrote ${[...expected.keys()].join(", ")}`);
  if (!hasReadmeBlock) {
    console.log(
      `${README_FILE} has no ${DIAGRAM_START} … ${DIAGRAM_END} block: only the docs files were written`,
    );
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
