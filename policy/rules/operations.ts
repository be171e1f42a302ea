/**
 * Day-2 operations: every replicated store has its replication-lag alarm (lag is the RPO, and
 * nobody knows it unless an alarm says so), and the home stack backs up every stateful resource
 * with a copy in another region (replication copies a dropped table or corrupted rows too).
 */
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { isSet, ofType, PackStackPolicy, perResource, prop, refersTo, TYPES } from "./common";

export const OPERATIONS_TYPES = {
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  backupPlan: "aws:backup/plan:Plan",
  backupSelection: "aws:backup/selection:Selection",
} as const;

/** The metric AWS documents for Aurora global database lag; only a secondary cluster emits it. */
export const AURORA_LAG_METRIC = { namespace: "AWS/RDS", metricName: "AuroraGlobalDBReplicationLag" };
/** DynamoDB global tables: emitted in the source region, per receiving region. */
export const DYNAMO_LAG_METRIC = { namespace: "AWS/DynamoDB", metricName: "ReplicationLatency" };

interface MetricRef {
  namespace?: string;
  metricName?: string;
  dimensions?: Record<string, string>;
}

/**
 * A value that may be unknown during preview: reading it throws the SDK's UnknownValueError, which
 * here means "not known to match" (the engine's property dependencies are checked as well).
 */
function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** The metrics an alarm watches: its own, or those of its metric-math queries. */
function alarmMetrics(alarm: PolicyResource): MetricRef[] {
  const metrics: MetricRef[] = [];
  const own = known(() => ({
    namespace: prop<string>(alarm, "namespace"),
    metricName: prop<string>(alarm, "metricName"),
    dimensions: prop<Record<string, string>>(alarm, "dimensions"),
  }));
  if (own?.metricName) metrics.push(own);
  const queries = known(() => prop<{ metric?: MetricRef }[]>(alarm, "metricQueries")) ?? [];
  for (const query of queries) {
    if (query?.metric?.metricName) metrics.push(query.metric);
  }
  return metrics;
}

/**
 * True when `alarm` watches `metric` with dimension `dimension` pointing at `target`: by value, or
 * through the engine's property dependencies (known even when the value is not).
 */
function alarmWatches(
  alarm: PolicyResource,
  metric: { namespace: string; metricName: string },
  dimension: string,
  value: string | undefined,
  target?: PolicyResource,
): boolean {
  const matching = alarmMetrics(alarm).filter(
    (m) => m.namespace === metric.namespace && m.metricName === metric.metricName,
  );
  if (matching.length === 0) return false;
  if (value !== undefined && matching.some((m) => m.dimensions?.[dimension] === value)) return true;
  return (
    target !== undefined &&
    ["dimensions", "metricQueries"].some((key) =>
      (alarm.propertyDependencies[key] ?? []).some((d) => d.urn === target.urn),
    )
  );
}

/** Aurora clusters that belong to a global database (its primary or a secondary). */
export function globalClusterMembers(args: StackValidationArgs): PolicyResource[] {
  return ofType(args, TYPES.cluster).filter((cluster) => {
    if ((cluster.propertyDependencies["globalClusterIdentifier"] ?? []).length > 0) return true;
    if (!isSet(cluster.props, "globalClusterIdentifier")) return false;
    // Set but unknown (preview): it comes from another resource, so the cluster is a member.
    const id = known(() => prop<string>(cluster, "globalClusterIdentifier"));
    return id === undefined || id !== "";
  });
}

/** The DynamoDB tables this stack holds a copy of, with the table name their metrics use. */
export function replicatedTables(
  args: StackValidationArgs,
): { resource: PolicyResource; tableName?: string }[] {
  const tables = ofType(args, TYPES.table)
    .filter((table) => {
      const replicas = known(() => prop<unknown[]>(table, "replicas")) ?? [];
      // The design's global table: the home's Table ignores `replicas` because TableReplica
      // resources in the standby stacks add them.
      return replicas.length > 0 || (table.opts?.ignoreChanges ?? []).includes("replicas");
    })
    .map((resource) => ({ resource, tableName: known(() => prop<string>(resource, "name")) }));
  const replicas = ofType(args, TYPES.tableReplica).map((resource) => ({
    resource,
    tableName: known(() => prop<string>(resource, "globalTableArn"))
      ?.split("/")
      .pop(),
  }));
  return [...tables, ...replicas];
}

export const replicationLagAlarms: PackStackPolicy = {
  name: "ops-replication-lag-alarm",
  description:
    "Every replicated store has a replication-lag alarm: each Aurora global-database member cluster on AuroraGlobalDBReplicationLag (DBClusterIdentifier), each DynamoDB global table or replica on ReplicationLatency (TableName).",
  rationale:
    "Asynchronous replication lag is the recovery point: data written in the lag window is lost on failover, and nobody knows the window unless an alarm watches it.",
  // Mandatory: an unwatched standby is discovered only during the disaster it was built for, and
  // the fix (one alarm) is cheap.
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Create the alarms with components/observability.ts (`database` and `dynamo` arguments): AWS/RDS AuroraGlobalDBReplicationLag with DBClusterIdentifier = the cluster's identifier, and AWS/DynamoDB ReplicationLatency with TableName = the table's name and ReceivingRegion = each other replica region.",
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const alarms = ofType(args, OPERATIONS_TYPES.metricAlarm);
    for (const cluster of globalClusterMembers(args)) {
      const id = known(() => prop<string>(cluster, "clusterIdentifier"));
      if (
        !alarms.some((alarm) => alarmWatches(alarm, AURORA_LAG_METRIC, "DBClusterIdentifier", id, cluster))
      ) {
        report(
          `Aurora cluster "${id ?? cluster.name}" is a global-database member without an alarm on AWS/RDS AuroraGlobalDBReplicationLag for DBClusterIdentifier "${id ?? cluster.name}".`,
          cluster,
        );
      }
    }
    for (const { resource, tableName } of replicatedTables(args)) {
      if (!alarms.some((alarm) => alarmWatches(alarm, DYNAMO_LAG_METRIC, "TableName", tableName, resource))) {
        report(
          `DynamoDB table "${tableName ?? resource.name}" is replicated without an alarm on AWS/DynamoDB ReplicationLatency for TableName "${tableName ?? resource.name}".`,
          resource,
        );
      }
    }
  },
};

/** The region of an ARN (`arn:partition:service:region:account:...`). */
function arnRegion(arn: unknown): string | undefined {
  return typeof arn === "string" ? arn.split(":")[3] || undefined : undefined;
}

interface PlanRule {
  copyActions?: { destinationVaultArn?: string }[];
}

/** Backup plans with at least one rule that copies to a vault in another region. */
export function crossRegionPlans(args: StackValidationArgs): PolicyResource[] {
  return ofType(args, OPERATIONS_TYPES.backupPlan).filter((plan) => {
    const region = known(() => prop<string>(plan, "region")) ?? arnRegion(known(() => prop(plan, "arn")));
    const rules = known(() => prop<PlanRule[]>(plan, "rules")) ?? [];
    return rules.some((rule) =>
      (rule.copyActions ?? []).some((copy) => {
        const destination = arnRegion(copy.destinationVaultArn);
        return destination !== undefined && region !== undefined && destination !== region;
      }),
    );
  });
}

export const homeBackupCoverage: PackStackPolicy = {
  name: "ops-backup-cross-region-copy",
  description:
    "The home stack (the one with the Aurora GlobalCluster) has an AWS Backup plan that copies to a vault in another region, and its selections cover every Aurora cluster and DynamoDB table by ARN.",
  rationale:
    "Replication copies logical damage (a bad deploy, a dropped table, corrupted rows) to every region within a second; only backups restore the data as it was, and only a cross-region copy survives losing the home region.",
  // Mandatory: a missing backup is found only when a restore is needed, which is too late.
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Create components/backups.ts `Backups` on the home stack with `home: true`, `standbyRegions` and `resourceArns: [clusterArn, tableArn]`, and deploy each standby stack so that its destination vault exists.",
  validateStack: (args, reportViolation) => {
    if (ofType(args, TYPES.globalCluster).length === 0) return; // not the home stack
    const report = perResource(reportViolation);
    const plans = crossRegionPlans(args);
    if (plans.length === 0) {
      report("The home stack has no AWS Backup plan with a copy action to a vault in another region.");
      return;
    }
    const selections = ofType(args, OPERATIONS_TYPES.backupSelection).filter((selection) =>
      plans.some((plan) => refersTo(selection, "planId", plan)),
    );
    const stateful = [...ofType(args, TYPES.cluster), ...ofType(args, TYPES.table)];
    for (const resource of stateful) {
      if (!selections.some((selection) => refersTo(selection, "resources", resource))) {
        const arn = known(() => prop<string>(resource, "arn"));
        report(
          `${resource.type.split(":").pop()} "${resource.name}"${arn ? ` (${arn})` : ""} is not in any backup selection of a plan with a cross-region copy.`,
          resource,
        );
      }
    }
  },
};

export const operationsPolicies: PackStackPolicy[] = [replicationLagAlarms, homeBackupCoverage];
