/**
 * Day-2 operations: every replicated store has its replication-lag alarm (lag is the RPO, and
 * nobody knows it unless an alarm says so); every stack that holds data backs it up with a copy in
 * another region (replication copies a dropped table or corrupted rows too), and failed backups
 * reach a person: the notifications, the rule, and the topic and key policies that let them publish.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, StackValidationArgs, validateResourceOfType } from "@pulumi/policy";
import {
  isSet,
  known,
  ofType,
  PackPolicy,
  PackResourcePolicy,
  PackStackPolicy,
  perResource,
  policyDocument,
  prop,
  refersTo,
  serviceGrants,
  TYPES,
} from "./common";

export const OPERATIONS_TYPES = {
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  backupPlan: "aws:backup/plan:Plan",
  backupSelection: "aws:backup/selection:Selection",
  backupVault: "aws:backup/vault:Vault",
  vaultNotifications: "aws:backup/vaultNotifications:VaultNotifications",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
} as const;

/**
 * The metrics AWS documents for Aurora global database lag (only a secondary cluster emits them):
 * AuroraGlobalDBRPOLag, which AWS recommends for Aurora PostgreSQL, and AuroraGlobalDBReplicationLag.
 */
export const AURORA_LAG_METRICS = [
  { namespace: "AWS/RDS", metricName: "AuroraGlobalDBRPOLag" },
  { namespace: "AWS/RDS", metricName: "AuroraGlobalDBReplicationLag" },
];
/** DynamoDB global tables: emitted in the source region, per receiving region. */
export const DYNAMO_LAG_METRIC = { namespace: "AWS/DynamoDB", metricName: "ReplicationLatency" };

interface MetricRef {
  namespace?: string;
  metricName?: string;
  dimensions?: Record<string, string>;
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
  // A dimension unknown during preview does not match by value; the property dependency tells.
  if (value !== undefined && matching.some((m) => known(() => m.dimensions?.[dimension]) === value))
    return true;
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

/** True when the alarm's metric math reads the WRITER series of the cluster (it knows when it is the primary). */
function gatedOnWriter(alarm: PolicyResource, clusterId: string | undefined): boolean {
  // A series' cluster unknown during preview is taken for this cluster: the alarm was matched to it.
  const writerCluster = (m: MetricRef) =>
    m.dimensions !== undefined && isSet(m.dimensions, "DBClusterIdentifier")
      ? (known(() => m.dimensions?.DBClusterIdentifier) ?? clusterId)
      : undefined;
  return alarmMetrics(alarm).some(
    (m) =>
      m.namespace === "AWS/RDS" &&
      known(() => m.dimensions?.Role) === "WRITER" &&
      (clusterId === undefined || writerCluster(m) === clusterId),
  );
}

export const replicationLagAlarms: PackStackPolicy = {
  name: "ops-replication-lag-alarm",
  description:
    "Every replicated store has a replication-lag alarm: each Aurora global-database member cluster on AuroraGlobalDBRPOLag or AuroraGlobalDBReplicationLag (DBClusterIdentifier), treating missing data as breaching and gated on the cluster's own WRITER series; each DynamoDB global table or replica on ReplicationLatency (TableName).",
  rationale:
    "Asynchronous replication lag is the recovery point: data written in the lag window is lost on failover. Only a secondary reports Aurora's lag and the roles swap without a deploy, so a silent secondary must page and a primary must not.",
  // Mandatory: an unwatched standby is discovered only during the disaster it was built for, and
  // the fix (one alarm) is cheap.
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Create the alarms with the Observability component (components/observability.ts, `database` and `dynamo` arguments; the specs are in components/alarms.ts): `auroraLagAlarm` (AuroraGlobalDBRPOLag with DBClusterIdentifier, gated on CPUUtilization SampleCount with Role=WRITER, treatMissingData breaching), and AWS/DynamoDB ReplicationLatency with TableName and ReceivingRegion = each other replica region.",
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const alarms = ofType(args, OPERATIONS_TYPES.metricAlarm);
    for (const cluster of globalClusterMembers(args)) {
      const id = known(() => prop<string>(cluster, "clusterIdentifier"));
      const lagAlarms = alarms.filter((alarm) =>
        AURORA_LAG_METRICS.some((metric) => alarmWatches(alarm, metric, "DBClusterIdentifier", id, cluster)),
      );
      if (lagAlarms.length === 0) {
        report(
          `Aurora cluster "${id ?? cluster.name}" is a global-database member without an alarm on AWS/RDS AuroraGlobalDBRPOLag (or AuroraGlobalDBReplicationLag) for DBClusterIdentifier "${id ?? cluster.name}".`,
          cluster,
        );
        continue;
      }
      for (const alarm of lagAlarms) {
        const missing = known(() => prop<string>(alarm, "treatMissingData")) ?? "missing";
        if (missing !== "breaching") {
          report(
            `Lag alarm ${alarm.name} treats missing data as ${missing}: a secondary whose replication stopped, or that was detached, reports nothing and would look healthy.`,
            alarm,
          );
        } else if (!gatedOnWriter(alarm, id)) {
          report(
            `Lag alarm ${alarm.name} treats missing data as breaching without reading the cluster's WRITER series: once a failover makes this cluster the primary it stops reporting lag and the alarm pages forever.`,
            alarm,
          );
        }
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

/** The stores writes land in, and so what a region's backups must cover: clusters, tables, replicas. */
function dataStores(args: StackValidationArgs): PolicyResource[] {
  return [...ofType(args, TYPES.cluster), ...ofType(args, TYPES.table), ...ofType(args, TYPES.tableReplica)];
}

export const backupCoverage: PackStackPolicy = {
  name: "ops-backup-cross-region-copy",
  description:
    "Every stack that holds an Aurora cluster or a DynamoDB table or replica has an AWS Backup plan that copies to a vault in another region, and its selections cover each of them by ARN.",
  rationale:
    "Replication copies logical damage (a bad deploy, a dropped table, corrupted rows) to every region within a second; only backups restore the data as it was, and only a cross-region copy survives losing the region. Every region backs up, because after a failover the writer is wherever the plan moved it, without a pulumi up.",
  // Mandatory: a missing backup is found only when a restore is needed, which is too late.
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Create components/backups.ts `Backups` in every regional stack with `copyRegions` (home: the standbys; standby: the home) and `resourceArns: [clusterArn, tableArn]`.",
  validateStack: (args, reportViolation) => {
    const stores = dataStores(args);
    if (stores.length === 0) args.notApplicable("No Aurora cluster or DynamoDB table in this stack");
    const report = perResource(reportViolation);
    const plans = crossRegionPlans(args);
    if (plans.length === 0) {
      report(
        "The stack holds data but has no AWS Backup plan with a copy action to a vault in another region.",
      );
      return;
    }
    const selections = ofType(args, OPERATIONS_TYPES.backupSelection).filter((selection) =>
      plans.some((plan) => refersTo(selection, "planId", plan)),
    );
    for (const resource of stores) {
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

/**
 * The vault events AWS Backup sends: "BACKUP_JOB_STARTED | BACKUP_JOB_COMPLETED ; COPY_JOB_STARTED |
 * COPY_JOB_SUCCESSFUL | COPY_JOB_FAILED ; RESTORE_JOB_STARTED | RESTORE_JOB_COMPLETED |
 * RECOVERY_POINT_MODIFIED ; S3_BACKUP_OBJECT_FAILED | S3_RESTORE_OBJECT_FAILED"; every other value
 * the API accepts is deprecated and "will not return statuses or notifications" (AWS Backup API
 * Reference, PutBackupVaultNotifications).
 */
export const SUPPORTED_VAULT_EVENTS = [
  "BACKUP_JOB_STARTED",
  "BACKUP_JOB_COMPLETED",
  "COPY_JOB_STARTED",
  "COPY_JOB_SUCCESSFUL",
  "COPY_JOB_FAILED",
  "RESTORE_JOB_STARTED",
  "RESTORE_JOB_COMPLETED",
  "RECOVERY_POINT_MODIFIED",
  "S3_BACKUP_OBJECT_FAILED",
  "S3_RESTORE_OBJECT_FAILED",
];

export const vaultNotificationEvents: PackResourcePolicy = {
  name: "backup-vault-notifications-supported-events",
  description: "Backup vault notifications subscribe only to events AWS Backup still sends.",
  rationale:
    "AWS Backup accepts deprecated events such as BACKUP_JOB_FAILED and never sends them: a subscription to them is silence that looks like monitoring.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Subscribe to supported events (COPY_JOB_FAILED, RESTORE_JOB_COMPLETED, RECOVERY_POINT_MODIFIED...) and catch failed backup jobs with an EventBridge rule (components/backups.ts).",
  validateResource: validateResourceOfType(aws.backup.VaultNotifications, (notifications, _args, report) => {
    const events = notifications.backupVaultEvents ?? [];
    const unsupported = events.filter((e) => !SUPPORTED_VAULT_EVENTS.includes(e));
    if (unsupported.length > 0) {
      report(
        `${unsupported.join(", ")}: deprecated or unknown; AWS Backup never sends ${unsupported.length > 1 ? "them" : "it"}.`,
      );
    }
    if (events.length === unsupported.length) report("No supported event: the vault notifies nobody.");
  }),
};

interface EventPattern {
  source?: string[];
  "detail-type"?: string[];
  detail?: { state?: string[] };
}

function patternOf(rule: PolicyResource): EventPattern | undefined {
  const text = known(() => prop<string>(rule, "eventPattern"));
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text) as EventPattern;
  } catch {
    return undefined;
  }
}

/** True when the rule's pattern matches a `detailType` event of AWS Backup in `state`. */
function matchesJob(pattern: EventPattern | undefined, detailType: string, state: string): boolean {
  if (!pattern?.source?.includes("aws.backup")) return false;
  const types = pattern["detail-type"];
  if (types !== undefined && !types.includes(detailType)) return false;
  const states = pattern.detail?.state;
  return states === undefined || states.includes(state);
}

/** Backup and copy job states that need a person (AWS Backup Developer Guide, EventBridge page). */
export const FAILED_JOB_STATES: [string, string][] = [
  ["Backup Job State Change", "FAILED"],
  ["Backup Job State Change", "ABORTED"],
  ["Backup Job State Change", "EXPIRED"],
  ["Copy Job State Change", "FAILED"],
];

export const backupFailuresNotified: PackStackPolicy = {
  name: "ops-backup-failures-notified",
  description:
    "A stack with a backup plan has an EventBridge rule, with a target, on failed, aborted and expired backup jobs and failed copy jobs, and vault notifications on every vault its plans write to.",
  rationale:
    "A backup that fails silently is found on the day of the restore. The vault notification API has no event for a failed backup job any more, so EventBridge carries those.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Use components/backups.ts: it creates the rule (FAILED_JOBS_PATTERN) with the ops topic as target, and the vault notifications.",
  validateStack: (args, reportViolation) => {
    const plans = ofType(args, OPERATIONS_TYPES.backupPlan);
    if (plans.length === 0) args.notApplicable("No backup plan");
    const report = perResource(reportViolation);
    const targets = ofType(args, OPERATIONS_TYPES.eventTarget);
    const rules = ofType(args, OPERATIONS_TYPES.eventRule).filter((rule) =>
      targets.some(
        (t) => refersTo(t, "rule", rule) || known(() => prop(t, "rule")) === known(() => prop(rule, "name")),
      ),
    );
    for (const [detailType, state] of FAILED_JOB_STATES) {
      if (!rules.some((rule) => matchesJob(patternOf(rule), detailType, state))) {
        report(
          `No EventBridge rule with a target matches AWS Backup "${detailType}" events in state ${state}.`,
        );
      }
    }
    const vaults = ofType(args, OPERATIONS_TYPES.backupVault);
    const notifications = ofType(args, OPERATIONS_TYPES.vaultNotifications);
    for (const vault of vaults) {
      const name = known(() => prop<string>(vault, "name"));
      const notified = notifications.some(
        (n) =>
          refersTo(n, "backupVaultName", vault) ||
          (name !== undefined && known(() => prop(n, "backupVaultName")) === name),
      );
      if (!notified) report(`Backup vault ${vault.name} has no vault notifications.`, vault);
    }
  },
};

/** The service principals that publish for each kind of resource pointing at a topic. */
const PUBLISHERS: { type: string; key: string; service: string }[] = [
  { type: OPERATIONS_TYPES.vaultNotifications, key: "snsTopicArn", service: "backup.amazonaws.com" },
  { type: OPERATIONS_TYPES.eventTarget, key: "arn", service: "events.amazonaws.com" },
];

export const topicAllowsPublishers: PackStackPolicy = {
  name: "ops-topic-allows-service-publishers",
  description:
    "An SNS topic that AWS Backup vault notifications or an EventBridge target publish to has a topic policy allowing that service principal SNS:Publish (EventBridge scoped by aws:SourceArn), and, when the topic is encrypted with a key of the stack, a key policy letting it use the key.",
  rationale:
    "Without the topic policy the publish is denied, and without the key statement it is dropped: either way the notification of a failed backup never arrives, and nothing reports that.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Create the topic with `notificationTopic(..., publishers)` (components/notificationTopic.ts): its topic policy and key policy name backup.amazonaws.com and events.amazonaws.com.",
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const topics = ofType(args, OPERATIONS_TYPES.topic);
    const topicPolicies = ofType(args, OPERATIONS_TYPES.topicPolicy);
    const keys = ofType(args, TYPES.kmsKey);
    let checked = 0;
    for (const { type, key, service } of PUBLISHERS) {
      for (const publisher of ofType(args, type)) {
        const topic = topics.find((t) => refersTo(publisher, key, t));
        if (topic === undefined) continue; // not an SNS topic of this stack
        checked++;
        const policy = topicPolicies.find((p) => refersTo(p, "arn", topic));
        const document = policy ? policyDocument(known(() => prop<unknown>(policy, "policy"))) : undefined;
        if (policy !== undefined && document === undefined) continue; // unknown during preview
        const grants = serviceGrants(document, service, ["SNS:Publish"]);
        if (grants.length === 0) {
          report(
            `Topic ${topic.name} has no topic policy letting ${service} publish (for ${publisher.name}).`,
            topic,
          );
        } else if (
          service === "events.amazonaws.com" &&
          !grants.some((g) => Object.values(g.Condition ?? {}).some((c) => "aws:SourceArn" in c))
        ) {
          report(
            `Topic ${topic.name} lets ${service} publish without an aws:SourceArn condition: any account's rule could.`,
            topic,
          );
        }
        const topicKey = keys.find((k) => refersTo(topic, "kmsMasterKeyId", k));
        if (topicKey === undefined) continue;
        const keyDocument = policyDocument(known(() => prop<unknown>(topicKey, "policy")));
        if (keyDocument === undefined) continue;
        if (serviceGrants(keyDocument, service, ["kms:GenerateDataKey", "kms:Decrypt"]).length === 0) {
          report(
            `Key ${topicKey.name} of topic ${topic.name} does not let ${service} use it (kms:GenerateDataKey*, kms:Decrypt).`,
            topicKey,
          );
        }
      }
    }
    if (checked === 0)
      args.notApplicable("No vault notification or EventBridge target publishes to a topic of this stack");
  },
};

export const operationsPolicies: PackPolicy[] = [
  replicationLagAlarms,
  backupCoverage,
  vaultNotificationEvents,
  backupFailuresNotified,
  topicAllowsPublishers,
];
