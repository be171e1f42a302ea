/**
 * Disaster recovery: the rules no public pack checks. A policy pack sees one stack at a time, so
 * each rule checks what one region's stack can show about the pair.
 *
 * Role (active / passive): the stack tag `role` (`pulumi stack tag set role passive`), which the
 * engine passes to every policy as `stackTags`; without the tag, the stack's failover records
 * decide (PRIMARY = active, SECONDARY = passive), since that record is what actually routes traffic.
 * The tag is the independent signal that lets `dr-failover-records` catch a record of the wrong type.
 *
 * DNS shape (components/edgeDns.ts): the active stack holds the failover pair's PRIMARY record; every
 * passive stack holds a latency record in the standby set (`standby.<domain>`) and the pair's shared
 * SECONDARY record, an alias to that set.
 *
 * Home: the stack that owns the Aurora GlobalCluster (it stays home after a failover, when its role
 * becomes passive), so global-data membership is checked by home-ness, capacity and spread by role.
 */
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { isSet, known, ofType, PackStackPolicy, perResource, prop, refersTo, TYPES } from "./common";

export const ROLE_TAG = "role";
export type Role = "active" | "passive";
const RECORD_TYPE_OF_ROLE: Record<Role, string> = { active: "PRIMARY", passive: "SECONDARY" };

export function failoverRecords(args: StackValidationArgs): PolicyResource[] {
  return ofType(args, TYPES.record).filter(
    (r) => (prop<{ type?: string }[]>(r, "failoverRoutingPolicies") ?? []).length > 0,
  );
}

/** Latency records: a passive stack's member of the standby set. */
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

/** DNS names compare case-insensitively, with or without the trailing dot. */
function sameDnsName(a: string | undefined, b: string | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.replace(/\.$/, "").toLowerCase() === b.replace(/\.$/, "").toLowerCase()
  );
}

/** The stack's role and where it came from; undefined when neither the tag nor a record tells. */
export function stackRole(args: StackValidationArgs): { role?: Role; source?: string } {
  const tag = args.stackTags.get(ROLE_TAG);
  if (tag === "active" || tag === "passive") return { role: tag, source: `stack tag ${ROLE_TAG}` };
  const types = new Set(failoverRecords(args).flatMap(failoverTypes));
  if (types.size === 1 && types.has("PRIMARY")) return { role: "active", source: "PRIMARY failover record" };
  if (types.size === 1 && types.has("SECONDARY"))
    return { role: "passive", source: "SECONDARY failover record" };
  return {};
}

export function isHomeStack(args: StackValidationArgs): boolean {
  return ofType(args, TYPES.globalCluster).length > 0;
}

export const failoverRecordsPolicy: PackStackPolicy = {
  name: "dr-failover-records",
  description:
    "Active: one PRIMARY failover record, health-checked. Passive: one SECONDARY, an alias with evaluateTargetHealth to the standby set in its zone, plus its own health-checked latency record there. Both match the `role` tag.",
  rationale:
    "Route 53 holds one PRIMARY and one SECONDARY per pair: the SECONDARY answers with the healthy standby regions, so any number can stand by.",
  enforcementLevel: "advisory",
  severity: "high",
  remediationSteps:
    "Active: `failoverRoutingPolicies: [{ type: PRIMARY }]`, `setIdentifier` = region, `healthCheckId`. Passive: a `latencyRoutingPolicies` record named `standby.<domain>` with `setIdentifier` = region and `healthCheckId`, and a SECONDARY record aliased to it with `evaluateTargetHealth: true` (components/edgeDns.ts).",
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const records = failoverRecords(args);
    const latency = latencyRecords(args);
    if (records.length + latency.length === 0) args.notApplicable("No failover or latency record");
    const tag = args.stackTags.get(ROLE_TAG);
    if (tag !== undefined && tag !== "active" && tag !== "passive") {
      report(`Stack tag ${ROLE_TAG} is "${tag}"; use active or passive.`);
    }
    for (const record of records) {
      const types = failoverTypes(record);
      if (types.length !== 1 || !["PRIMARY", "SECONDARY"].includes(types[0])) {
        report(
          `Record ${record.name} has failover types [${types.join(", ")}]; exactly one of PRIMARY/SECONDARY.`,
          record,
        );
      } else if ((tag === "active" || tag === "passive") && types[0] !== RECORD_TYPE_OF_ROLE[tag]) {
        report(
          `Record ${record.name} is ${types[0]} but the stack's role is ${tag} (${RECORD_TYPE_OF_ROLE[tag]}).`,
          record,
        );
      }
      if (!isSet(record.props, "setIdentifier"))
        report(`Record ${record.name} has no setIdentifier.`, record);
    }
    const sides = new Set(records.flatMap(failoverTypes));
    if (sides.size > 1) {
      report(
        "The stack holds both PRIMARY and SECONDARY records: one regional failure takes out both sides.",
      );
    }
    const ofSide = (side: string) => records.filter((r) => failoverTypes(r).includes(side));

    const { role } = stackRole(args);
    if (role === undefined) {
      if (records.length === 0) {
        report(
          "The stack has latency records but no failover record, and no role tag says which side it is.",
        );
      }
      return;
    }
    if (role === "active") {
      const primaries = ofSide("PRIMARY");
      if (primaries.length !== 1) {
        report(`The active stack has ${primaries.length} PRIMARY failover records; exactly one.`);
      }
      for (const primary of primaries) {
        if (!isSet(primary.props, "healthCheckId"))
          report(`PRIMARY record ${primary.name} has no health check.`, primary);
      }
      return;
    }

    const secondaries = ofSide("SECONDARY");
    if (secondaries.length !== 1) {
      report(`The passive stack has ${secondaries.length} SECONDARY failover records; exactly one.`);
    }
    for (const secondary of secondaries) {
      const alias = aliasOf(secondary);
      if (alias === undefined) {
        report(`SECONDARY record ${secondary.name} is not an alias to the standby set.`, secondary);
        continue;
      }
      if (alias.evaluateTargetHealth !== true) {
        report(
          `SECONDARY record ${secondary.name} does not evaluate target health: Route 53 would answer with unhealthy standbys.`,
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
      // The standby set: this stack's latency records of the name the SECONDARY aliases.
      const members =
        alias.name === undefined
          ? latency
          : latency.filter((r) =>
              sameDnsName(
                known(() => prop<string>(r, "name")),
                alias.name,
              ),
            );
      if (members.length === 0) {
        report(
          `SECONDARY record ${secondary.name} aliases ${alias.name ?? "a name"} but this stack has no latency record there: the region is not in the standby set.`,
          secondary,
        );
      }
      for (const member of members) {
        if (!isSet(member.props, "setIdentifier"))
          report(`Latency record ${member.name} has no setIdentifier.`, member);
        if (!isSet(member.props, "healthCheckId"))
          report(
            `Latency record ${member.name} has no health check: an unhealthy standby would stay in the set.`,
            member,
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
  const id = prop<string>(instance, "clusterIdentifier");
  return (
    refersTo(instance, "clusterIdentifier", cluster) ||
    (id !== undefined && id === prop(cluster, "clusterIdentifier"))
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
