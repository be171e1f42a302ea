/**
 * Disaster recovery: the rules no public pack checks. A policy pack sees one stack at a time, so
 * each rule checks what one stack can show about the whole.
 *
 * DNS shape (components/edgeDns.ts, components/failoverRouting.ts): each regional stack holds one
 * latency record of its region, deep health-checked (`home.<domain>` or `standby.<domain>`); the
 * failover control stack holds the app domain's failover pair under the ARC Region switch plans'
 * health checks (PRIMARY → the pairs below, SECONDARY → the standby set), and below it a pin pair per
 * further plan and the serve pair (the home, else the standby set).
 *
 * Role (active / passive): the stack tag `role` (`pulumi stack tag set role passive`), which the
 * engine passes to every policy as `stackTags`; without the tag, the steady state of the design: the
 * home stack (it owns the Aurora GlobalCluster) is active, a standby (a secondary cluster or a table
 * replica) is passive. Capacity and spread are checked by role, global-data membership by home-ness.
 */
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { isSet, known, ofType, PackStackPolicy, perResource, prop, refersTo, TYPES } from "./common";

export const ROLE_TAG = "role";
export type Role = "active" | "passive";

export function failoverRecords(args: StackValidationArgs): PolicyResource[] {
  return ofType(args, TYPES.record).filter(
    (r) => (prop<{ type?: string }[]>(r, "failoverRoutingPolicies") ?? []).length > 0,
  );
}

/** Latency records: a region's deep-checked record, or a gate of the control stack. */
export function latencyRecords(args: StackValidationArgs): PolicyResource[] {
  return ofType(args, TYPES.record).filter(
    (r) => (prop<{ region?: string }[]>(r, "latencyRoutingPolicies") ?? []).length > 0,
  );
}

function failoverTypes(record: PolicyResource): string[] {
  return (prop<{ type?: string }[]>(record, "failoverRoutingPolicies") ?? []).map((p) => p.type ?? "");
}

interface Alias {
  name?: string;
  zoneId?: string;
  evaluateTargetHealth?: boolean;
}

/** The record's alias target, with values the engine does not know yet (preview) left undefined. */
function aliasOf(record: PolicyResource): Alias | undefined {
  if (!isSet(record.props, "aliases")) return undefined;
  const aliases = known(() => prop<unknown[]>(record, "aliases"));
  if (!Array.isArray(aliases) || aliases.length !== 1) return undefined;
  const alias = aliases[0] as Record<string, unknown>;
  const read = <T>(key: string) => known(() => alias[key] as T | undefined);
  return {
    name: read<string>("name"),
    zoneId: read<string>("zoneId"),
    evaluateTargetHealth: read<boolean>("evaluateTargetHealth"),
  };
}

/** The stack's role and where it came from; undefined when neither the tag nor the data tier tells. */
export function stackRole(args: StackValidationArgs): { role?: Role; source?: string } {
  const tag = args.stackTags.get(ROLE_TAG);
  if (tag === "active" || tag === "passive") return { role: tag, source: `stack tag ${ROLE_TAG}` };
  if (isHomeStack(args)) return { role: "active", source: "home stack (steady state)" };
  if (ofType(args, TYPES.tableReplica).length > 0 || ofType(args, TYPES.cluster).length > 0) {
    return { role: "passive", source: "standby stack (steady state)" };
  }
  return {};
}

export function isHomeStack(args: StackValidationArgs): boolean {
  return ofType(args, TYPES.globalCluster).length > 0;
}

/** A record's name, normalized, or undefined while the engine does not know it (preview). */
function nameOf(record: PolicyResource): string | undefined {
  const name = known(() => prop<string>(record, "name"));
  return typeof name === "string" ? name.replace(/\.$/, "").toLowerCase() : undefined;
}

/**
 * The app domain's failover pair in the control stack: the failover records whose name no record of
 * the stack aliases (the pairs below it, `pin-<standby>.<domain>` and `serve.<domain>`, are aliased
 * from above: components/failoverRouting.ts). Undefined while a name is unknown or when there is not
 * exactly one such name.
 */
export function appDomainPair(
  args: StackValidationArgs,
): { name: string; primary?: PolicyResource; secondary?: PolicyResource } | undefined {
  const records = failoverRecords(args);
  const names = records.map(nameOf);
  if (names.some((n) => n === undefined)) return undefined;
  const aliased = new Set(
    ofType(args, TYPES.record)
      .map((r) => aliasOf(r)?.name)
      .filter((n): n is string => typeof n === "string")
      .map((n) => n.replace(/\.$/, "").toLowerCase()),
  );
  const tops = [...new Set(names as string[])].filter((n) => !aliased.has(n));
  if (tops.length !== 1) return undefined;
  const ofName = records.filter((r) => nameOf(r) === tops[0]);
  return {
    name: tops[0],
    primary: ofName.find((r) => failoverTypes(r).includes("PRIMARY")),
    secondary: ofName.find((r) => failoverTypes(r).includes("SECONDARY")),
  };
}

export const failoverRecordsPolicy: PackStackPolicy = {
  name: "dr-failover-records",
  description:
    "Regional stack: only latency records of its own region, each health-checked and evaluating its alias target. Control stack: failover pairs of one PRIMARY and one SECONDARY each; the app domain's pair (the one no record aliases) has a health-checked PRIMARY and a SECONDARY that aliases the standby set in its zone without evaluating its health.",
  rationale:
    "Once a plan has activated the standby, the app domain's PRIMARY is unhealthy, and Route 53 answers the PRIMARY when both records are unhealthy: a SECONDARY that took the standby set's health would send users back to the deactivated home whenever the standbys fail. The plan flips the PRIMARY's check; the deep checks drop a failing region below.",
  enforcementLevel: "advisory",
  severity: "high",
  remediationSteps:
    "Regional: EdgeDns (components/edgeDns.ts), one `latencyRoutingPolicies` record with `setIdentifier` = region, `healthCheckId` and `evaluateTargetHealth`. Control: FailoverRouting (components/failoverRouting.ts); docs/dns-scenarios.md says what each failure answers.",
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const records = failoverRecords(args);
    const latency = latencyRecords(args);
    if (records.length + latency.length === 0) args.notApplicable("No failover or latency record");
    const control = ofType(args, TYPES.plan).length > 0;
    for (const record of latency) {
      if (!isSet(record.props, "setIdentifier"))
        report(`Latency record ${record.name} has no setIdentifier.`, record);
      if (!isSet(record.props, "healthCheckId")) {
        report(
          `Latency record ${record.name} has no health check: a failing region would stay in DNS.`,
          record,
        );
      }
      const alias = aliasOf(record);
      if (alias !== undefined && alias.evaluateTargetHealth !== true) {
        report(`Latency record ${record.name} does not evaluate its alias target's health.`, record);
      }
    }
    if (!control) {
      for (const record of records) {
        report(
          `Record ${record.name} is a failover record in a regional stack: the app domain's pair belongs to the failover control stack.`,
          record,
        );
      }
      return;
    }
    for (const record of records) {
      if (!isSet(record.props, "setIdentifier"))
        report(`Record ${record.name} has no setIdentifier.`, record);
    }
    // A name unknown during preview: the records cannot be paired yet.
    if (records.some((r) => nameOf(r) === undefined)) return;
    const names = new Map<string, PolicyResource[]>();
    for (const record of records) {
      const name = nameOf(record)!;
      names.set(name, [...(names.get(name) ?? []), record]);
    }
    for (const [name, pair] of names) {
      const count = (side: string) => pair.filter((r) => failoverTypes(r).includes(side)).length;
      if (count("PRIMARY") !== 1 || count("SECONDARY") !== 1) {
        report(
          `The failover records named ${name} are ${count("PRIMARY")} PRIMARY and ${count("SECONDARY")} SECONDARY; a pair is exactly one of each.`,
        );
      }
    }
    if (names.size === 0) return;
    const top = appDomainPair(args);
    if (top === undefined) {
      report(
        `The control stack's failover records (${[...names.keys()].join(", ")}) have no single pair that no record aliases: the app domain's pair cannot be told.`,
      );
      return;
    }
    const { primary, secondary } = top;
    if (primary && !isSet(primary.props, "healthCheckId")) {
      report(
        `PRIMARY record ${primary.name} has no health check: no plan can take traffic off the home (ARC creates its checks after the plan; run pulumi up again).`,
        primary,
      );
    }
    if (secondary) {
      const alias = aliasOf(secondary);
      if (alias === undefined) {
        report(`SECONDARY record ${secondary.name} is not an alias to the standby set.`, secondary);
        return;
      }
      if (alias.evaluateTargetHealth === true) {
        report(
          `SECONDARY record ${secondary.name} evaluates its target's health: when every standby fails after a plan has activated one, Route 53 would answer the PRIMARY, the deactivated home.`,
          secondary,
        );
      }
      const zone = known(() => prop<string>(secondary, "zoneId"));
      if (alias.zoneId !== undefined && zone !== undefined && alias.zoneId !== zone) {
        report(
          `SECONDARY record ${secondary.name} aliases a name in zone ${alias.zoneId}, not its own zone ${zone}.`,
          secondary,
        );
      }
    }
  },
};

const NON_POLLING_CHECKS = ["CALCULATED", "CLOUDWATCH_METRIC", "RECOVERY_CONTROL"];

export const detectionBudget: PackStackPolicy = {
  name: "dr-failure-detection-budget",
  description:
    "The health checks of the failover and standby-set (latency) records detect a failure (requestInterval × failureThreshold) within `maxDetectionSeconds` (default 30).",
  rationale:
    "30 s detection + the 60 s TTL Route 53 gives ALB aliases = the design's 90 s to serve from the standby.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Lower `healthCheckInterval` (10 or 30) or `healthCheckFailureThreshold` in the stack config.",
  configSchema: {
    properties: {
      maxDetectionSeconds: {
        type: "integer",
        minimum: 10,
        default: 30,
        description: "Longest acceptable time for Route 53 to declare a region unhealthy.",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const { maxDetectionSeconds } = args.getConfig<{ maxDetectionSeconds: number }>();
    const checks = ofType(args, TYPES.healthCheck).filter(
      (c) => !NON_POLLING_CHECKS.includes(prop<string>(c, "type") ?? ""),
    );
    const records = [...failoverRecords(args), ...latencyRecords(args)];
    const referenced = checks.filter((c) => records.some((r) => refersTo(r, "healthCheckId", c)));
    const inScope = referenced.length > 0 ? referenced : checks;
    if (inScope.length === 0) args.notApplicable("No polling health check");
    for (const check of inScope) {
      // AWS defaults: 30 s interval, 3 failures.
      const interval = prop<number>(check, "requestInterval") ?? 30;
      const threshold = prop<number>(check, "failureThreshold") ?? 3;
      const seconds = interval * threshold;
      if (seconds > maxDetectionSeconds) {
        report(
          `Health check ${check.name} detects a failure in ${interval} s × ${threshold} = ${seconds} s; the budget is ${maxDetectionSeconds} s.`,
          check,
        );
      }
    }
  },
};

export const globalDataMembership: PackStackPolicy = {
  name: "dr-global-data-membership",
  description:
    "Aurora clusters belong to the global cluster and DynamoDB is a global table: the home stack streams its table; every other stack has a credential-less Aurora secondary and a TableReplica.",
  rationale: "The standby can only take over with data that is already replicated into its region.",
  enforcementLevel: "advisory",
  severity: "high",
  remediationSteps:
    "Home: `streamEnabled` with NEW_AND_OLD_IMAGES. Standby: a Cluster with `globalClusterIdentifier` and no master credentials, and an `aws.dynamodb.TableReplica`.",
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const clusters = ofType(args, TYPES.cluster);
    const tables = ofType(args, TYPES.table);
    const replicas = ofType(args, TYPES.tableReplica);
    if (clusters.length + tables.length + replicas.length === 0)
      args.notApplicable("No data tier in this stack");
    for (const cluster of clusters) {
      if (!isSet(cluster.props, "globalClusterIdentifier")) {
        report(`Aurora cluster ${cluster.name} is not a member of a global cluster.`, cluster);
      }
    }
    if (isHomeStack(args)) {
      if (tables.length === 0) report("The home stack has no DynamoDB table to replicate.");
      for (const table of tables) {
        if (
          prop<boolean>(table, "streamEnabled") !== true ||
          prop<string>(table, "streamViewType") !== "NEW_AND_OLD_IMAGES"
        ) {
          report(`Table ${table.name} has no NEW_AND_OLD_IMAGES stream, which global tables need.`, table);
        }
      }
      return;
    }
    if (clusters.length === 0) report("This standby has no Aurora secondary cluster.");
    for (const cluster of clusters) {
      const credentials = ["masterUsername", "masterPassword", "manageMasterUserPassword"].filter((k) =>
        isSet(cluster.props, k),
      );
      if (credentials.length > 0) {
        report(
          `Secondary cluster ${cluster.name} sets ${credentials.join(", ")}; it inherits them from the primary.`,
          cluster,
        );
      }
    }
    if (replicas.length === 0) report("This standby has no DynamoDB TableReplica.");
  },
};

export const standbyCapacity: PackStackPolicy = {
  name: "dr-standby-capacity",
  description: "In the passive role, every Auto Scaling group's maxSize is at least `activeCapacity`.",
  rationale: "After a failover the standby must be able to scale to the load the active region carried.",
  enforcementLevel: "advisory",
  severity: "high",
  remediationSteps: "Raise `maxSize` of the tier (config `frontend.maxSize` / `backend.maxSize`).",
  configSchema: {
    properties: {
      activeCapacity: {
        type: "integer",
        minimum: 1,
        default: 2,
        description: "Instances per tier the active region runs (design: desired 2).",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const { role, source } = stackRole(args);
    if (role !== "passive") args.notApplicable(`Role is ${role ?? "unknown"}, not passive`);
    const { activeCapacity } = args.getConfig<{ activeCapacity: number }>();
    const groups = ofType(args, TYPES.asg);
    if (groups.length === 0) args.notApplicable("No Auto Scaling group");
    for (const group of groups) {
      const max = prop<number>(group, "maxSize") ?? 0;
      if (max < activeCapacity) {
        report(
          `Group ${group.name} (passive per ${source}) can grow to ${max}, below the active ${activeCapacity}.`,
          group,
        );
      }
    }
  },
};

/** Stateful types and the property that turns their deletion protection on (if they have one). */
const STATEFUL: Record<string, string | undefined> = {
  [TYPES.globalCluster]: "deletionProtection",
  [TYPES.cluster]: "deletionProtection",
  [TYPES.table]: "deletionProtectionEnabled",
  [TYPES.tableReplica]: "deletionProtectionEnabled",
  [TYPES.kmsKey]: undefined,
  [TYPES.secret]: undefined,
};

export const statefulProtected: PackStackPolicy = {
  name: "dr-stateful-protected",
  description:
    "Stateful resources (Aurora, DynamoDB, KMS keys, secrets) have Pulumi `protect` and, where AWS has it, deletion protection.",
  rationale: "A failover flips roles and re-runs both stacks; nothing in that path may delete data or keys.",
  enforcementLevel: "advisory",
  severity: "high",
  remediationSteps: "Keep config `protectData: true` and set the resource's deletion protection flag.",
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const stateful = args.resources.filter((r) => r.type in STATEFUL);
    if (stateful.length === 0) args.notApplicable("No stateful resource");
    for (const resource of stateful) {
      if (resource.opts.protect !== true)
        report(`${resource.type} ${resource.name} is not protected.`, resource);
      const flag = STATEFUL[resource.type];
      if (flag !== undefined && prop<boolean>(resource, flag) !== true) {
        report(`${resource.type} ${resource.name} has ${flag} off.`, resource);
      }
    }
  },
};

function belongsTo(instance: PolicyResource, cluster: PolicyResource): boolean {
  // During preview the identifier of a new cluster is unknown: the property dependency tells.
  const id = known(() => prop<string>(instance, "clusterIdentifier"));
  return (
    refersTo(instance, "clusterIdentifier", cluster) ||
    (id !== undefined && id === known(() => prop(cluster, "clusterIdentifier")))
  );
}

export const activeMultiAz: PackStackPolicy = {
  name: "dr-active-multi-az",
  description:
    "In the active role, every Auto Scaling group spans at least `minAvailabilityZones` subnets and every Aurora cluster has instances pinned to that many distinct AZs.",
  rationale: "An AZ failure must not need a regional failover: the active region survives it on its own.",
  enforcementLevel: "advisory",
  severity: "high",
  remediationSteps:
    "Spread `vpcZoneIdentifiers` over one private subnet per AZ; give the writer and reader distinct `availabilityZone`s.",
  configSchema: {
    properties: {
      minAvailabilityZones: {
        type: "integer",
        minimum: 1,
        default: 2,
        description: "AZs the active role spans.",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const { role } = stackRole(args);
    if (role !== "active") args.notApplicable(`Role is ${role ?? "unknown"}, not active`);
    const { minAvailabilityZones: min } = args.getConfig<{ minAvailabilityZones: number }>();
    for (const group of ofType(args, TYPES.asg)) {
      const subnets = new Set(prop<string[]>(group, "vpcZoneIdentifiers") ?? []);
      if (subnets.size < min)
        report(`Group ${group.name} spans ${subnets.size} subnet(s); ${min} AZs needed.`, group);
    }
    const instances = ofType(args, TYPES.clusterInstance);
    for (const cluster of ofType(args, TYPES.cluster)) {
      const mine = instances.filter((i) => belongsTo(i, cluster));
      const zones = new Set(
        mine.map((i) => prop<string>(i, "availabilityZone")).filter((z) => z !== undefined),
      );
      if (zones.size < min) {
        report(
          `Aurora cluster ${cluster.name} has ${mine.length} instance(s) in ${zones.size} pinned AZ(s); ${min} distinct AZs needed.`,
          cluster,
        );
      }
    }
  },
};

export const drPolicies = [
  failoverRecordsPolicy,
  detectionBudget,
  globalDataMembership,
  standbyCapacity,
  statefulProtected,
  activeMultiAz,
];
