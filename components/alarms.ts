/**
 * The CloudWatch alarms of one region, as plain specs. Replication lag is the RPO and a standby
 * nobody watches is not a standby, so every replicated store gets its lag alarm here.
 *
 * The specs are built by a pure function (`alarmSpecs`) from plain values, so the metric names,
 * namespaces, dimensions and thresholds are testable without mocks; Observability turns each spec
 * into a MetricAlarm wired to the ops topic (HomeProbe does the same with its own specs).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmsConfig } from "../config";

/** One Application Load Balancer, as its CloudWatch dimensions name it. */
export interface AlbMetricsRef {
  /** `LoadBalancer` dimension: the ALB's ARN suffix (`app/<name>/<id>`). Required. */
  arnSuffix: pulumi.Input<string>;
  /** `TargetGroup` dimension: the target group's ARN suffix (`targetgroup/<name>/<id>`). Required. */
  targetGroupArnSuffix: pulumi.Input<string>;
}

/** One Auto Scaling group. */
export interface AsgMetricsRef {
  /** Tier name used in alarm names and labels (`frontend`, `backend`). Required. */
  tier: string;
  /** `AutoScalingGroupName` dimension. Required. */
  name: pulumi.Input<string>;
  /** The group's minimum size: fewer in-service instances than this is an alarm. Required. */
  minSize: number;
}

/** This region's Aurora cluster. */
export interface DatabaseMetricsRef {
  /** `DBClusterIdentifier` dimension of this region's cluster. Required. */
  clusterIdentifier: pulumi.Input<string>;
  /** True for a secondary cluster of the global database (all its instances are readers). Required. */
  isSecondary: boolean;
  /** Instances in the cluster; a primary has readers only when it has more than one. @default 1 */
  instanceCount?: number;
}

/** This region's copy of the DynamoDB global table. */
export interface DynamoMetricsRef {
  /** `TableName` dimension (the same name in every replica region). Required. */
  tableName: pulumi.Input<string>;
  /**
   * Regions this region replicates to. DynamoDB emits ReplicationLatency in the *source* region, one
   * series per `ReceivingRegion`: the home stack passes the standby regions, a standby the home region.
   * @default [] (no replication-latency alarm)
   */
  replicaRegions?: string[];
}

/** This region's NAT gateways. */
export interface NatMetricsRef {
  /**
   * How many there are. Known before deployment (one per AZ or one), so the alarms are real resources
   * that `pulumi preview` shows; resources created inside an `apply` would be invisible to preview.
   */
  count: number;
  /** Their ids, in any order; index `i` gets alarm `nat-<i>`. */
  ids: pulumi.Input<string[]>;
}

/**
 * What a region's alarms and dashboard watch: its resources as CloudWatch's dimensions name them, and
 * the thresholds.
 */
export interface RegionMetrics {
  /** This stack's region. Required. */
  region: string;
  /** Thresholds and e-mail recipients (validated by config.ts). Required. */
  alarms: AlarmsConfig;
  /** The internet-facing ALB in front of the frontend tier. Required. */
  publicAlb: AlbMetricsRef;
  /** The internal ALB in front of the backend tier. Required. */
  internalAlb: AlbMetricsRef;
  /** The Auto Scaling groups; each must collect group metrics (GroupInServiceInstances). @default [] */
  asgs?: AsgMetricsRef[];
  /** This region's Aurora cluster. @default none (no database alarms) */
  database?: DatabaseMetricsRef;
  /** This region's DynamoDB table or replica. @default none (no DynamoDB alarms) */
  dynamo?: DynamoMetricsRef;
  /**
   * The regional web ACL. WAF names the `WebACL` dimension after the ACL's
   * `visibilityConfig.metricName`, not after the ACL's name, so that is what is passed here.
   * @default none (no WAF alarm)
   */
  webAcl?: { metricName: pulumi.Input<string> };
  /** This region's NAT gateways. @default none (no NAT alarms) */
  natGateways?: NatMetricsRef;
}

/** One alarm, before it is wired to the ops topic. */
export interface AlarmSpec {
  /** Stable key: the alarm's resource name is `<component>-<key>`. */
  key: string;
  args: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "tags">;
}

/** What `alarmSpecs` reads: the region's metrics, and the stack name that begins each description. */
export type AlarmInputs = RegionMetrics & { stackName?: string };

const MIB = 1024 * 1024;

type Dimensions = Record<string, pulumi.Input<string>>;

function metric(
  id: string,
  namespace: string,
  metricName: string,
  dimensions: Dimensions,
  stat: string,
  period = 60,
): aws.types.input.cloudwatch.MetricAlarmMetricQuery {
  return { id, returnData: false, metric: { namespace, metricName, dimensions, stat, period } };
}

/**
 * The Aurora global database's lag alarm of one cluster, the same on every stack whatever its role.
 *
 * Metric: AuroraGlobalDBRPOLag, "how far the secondary cluster is behind the primary cluster for user
 * transactions": "For all Aurora PostgreSQL-based global databases ... use Amazon CloudWatch to view the
 * AuroraGlobalDBRPOLag metric for all secondary DB clusters" (Aurora User Guide, "Using switchover or
 * failover in an Amazon Aurora global database"). "This metric is available only in secondary AWS
 * Regions" (Aurora User Guide, "Amazon CloudWatch metrics for Amazon Aurora", cluster-level table), so
 * the alarm lives in the cluster's own region.
 *
 * Dimensions: DBClusterIdentifier alone. The Aurora dimensions table lists DBClusterIdentifier ("A
 * specific Aurora DB cluster") and SourceRegion (Aurora User Guide, "Amazon CloudWatch dimensions for
 * Aurora"); AWS's global-database workshop (aws-samples/amazon-aurora-labs-for-mysql, "Monitor a Global
 * Database") reads the lag in the secondary region both under {DBClusterIdentifier} (its dashboard) and
 * under {DBClusterIdentifier, SourceRegion = the primary's region} (its console steps). SourceRegion
 * changes whenever the writer moves, with no `pulumi up`, so an alarm on that pair would watch a series
 * that stops after the first failover; the cluster-only series follows the cluster whatever its role.
 * That AWS publishes it for Aurora PostgreSQL as it does in the workshop's Aurora MySQL: unverified.
 *
 * Missing data: only a secondary emits the metric, and which cluster is the secondary changes when an
 * ARC plan moves the writer, without a deploy. "notBreaching" on the standby would hide a real stop
 * (a detached cluster or a replication that stopped emits nothing); "breaching" on the cluster that has
 * become the primary would page forever. So the alarm asks the cluster itself: while it has a WRITER
 * (the SampleCount of CPUUtilization for DBClusterIdentifier + Role=WRITER, which only a primary
 * cluster's writer instance reports) the lag counts as 0; otherwise the lag is the value, and no data
 * at all (no writer, no lag) is breaching. A primary is quiet, a secondary is watched, a silent
 * secondary pages, and the roles can swap under it. How metric math treats a series with no data at all
 * in FILL and IF (we rely on: FILL yields the fill value, an expression over no data yields no data,
 * which treatMissingData then judges): unverified; tests/observability.test.ts evaluates the expression
 * under that reading.
 */
export function auroraLagAlarm(
  clusterIdentifier: pulumi.Input<string>,
  thresholdMs: number,
  where: string,
): AlarmSpec["args"] {
  const cluster = { DBClusterIdentifier: clusterIdentifier };
  return {
    alarmDescription: `${where}: Aurora global database RPO lag above ${thresholdMs} ms while this cluster is a secondary, or no lag reported by a cluster that has no writer (replication stopped)`,
    metricQueries: [
      metric("lag", "AWS/RDS", "AuroraGlobalDBRPOLag", cluster, "Maximum"),
      metric("writer", "AWS/RDS", "CPUUtilization", { ...cluster, Role: "WRITER" }, "SampleCount"),
      {
        id: "rpo",
        expression: AURORA_LAG_EXPRESSION,
        label: "RPO lag while secondary (ms)",
        returnData: true,
      },
    ],
    comparisonOperator: "GreaterThanThreshold",
    threshold: thresholdMs,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: "breaching",
  };
}

/** The primary (it reports a writer) counts as no lag; a secondary as its RPO lag. */
export const AURORA_LAG_EXPRESSION = "IF(FILL(writer, 0) > 0, 0, lag)";

/**
 * The alarms of one region, from plain values: each threshold comes from `AlarmsConfig`.
 * Pure (no resources), so a spec can assert on every name, namespace, dimension and threshold.
 */
export function alarmSpecs(input: AlarmInputs): AlarmSpec[] {
  const a = input.alarms;
  const where = `${input.stackName ?? input.region}`;
  const specs: AlarmSpec[] = [];

  // Error *rate*, not count: a count threshold is wrong at both peak and idle traffic. Metric math
  // fills the gaps with 0 (ALB publishes 5xx counts only when there are some), and dividing by at
  // least the error count keeps the rate at 100 % when every request fails before reaching a target
  // (ELB 503s are not in RequestCount).
  const lb = { LoadBalancer: input.publicAlb.arnSuffix };
  specs.push({
    key: "public-alb-5xx-rate",
    args: {
      alarmDescription: `${where}: more than ${a.alb5xxRatePercent} % of public ALB requests fail with 5xx (ELB + targets)`,
      metricQueries: [
        metric("elb5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, "Sum"),
        metric("target5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, "Sum"),
        metric("requests", "AWS/ApplicationELB", "RequestCount", lb, "Sum"),
        { id: "errors", expression: "FILL(elb5xx, 0) + FILL(target5xx, 0)", returnData: false },
        { id: "served", expression: "FILL(requests, 0)", returnData: false },
        {
          id: "rate",
          expression: "IF(errors > 0, 100 * errors / MAX([served, errors]), 0)",
          label: "5xx rate (%)",
          returnData: true,
        },
      ],
      comparisonOperator: "GreaterThanThreshold",
      threshold: a.alb5xxRatePercent,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: "notBreaching",
    },
  });

  for (const [tier, alb] of [
    ["public", input.publicAlb],
    ["internal", input.internalAlb],
  ] as const) {
    specs.push({
      key: `${tier}-alb-p99`,
      args: {
        alarmDescription: `${where}: ${tier} ALB p99 target response time above ${a.p99ResponseTimeSeconds} s`,
        namespace: "AWS/ApplicationELB",
        metricName: "TargetResponseTime",
        dimensions: { LoadBalancer: alb.arnSuffix },
        extendedStatistic: "p99",
        period: 60,
        comparisonOperator: "GreaterThanThreshold",
        threshold: a.p99ResponseTimeSeconds,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: "notBreaching",
      },
    });
    // UnHealthyHostCount is published per target group: both dimensions are required.
    specs.push({
      key: `${tier}-alb-unhealthy`,
      args: {
        alarmDescription: `${where}: ${tier} ALB has ${a.unhealthyHosts} or more unhealthy targets`,
        namespace: "AWS/ApplicationELB",
        metricName: "UnHealthyHostCount",
        dimensions: { LoadBalancer: alb.arnSuffix, TargetGroup: alb.targetGroupArnSuffix },
        statistic: "Maximum",
        period: 60,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: a.unhealthyHosts,
        evaluationPeriods: 3,
        treatMissingData: "notBreaching",
      },
    });
  }

  for (const asg of input.asgs ?? []) {
    if (asg.minSize < 1) continue; // nothing can be below a minimum of 0
    specs.push({
      key: `asg-${asg.tier}-in-service`,
      args: {
        alarmDescription: `${where}: ${asg.tier} ASG has fewer than ${asg.minSize} instances in service`,
        namespace: "AWS/AutoScaling",
        metricName: "GroupInServiceInstances",
        dimensions: { AutoScalingGroupName: asg.name },
        statistic: "Minimum",
        period: 60,
        comparisonOperator: "LessThanThreshold",
        threshold: asg.minSize,
        // An instance refresh or a scale-in replaces instances one at a time: only a sustained
        // shortfall is an incident.
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
        // Group metrics are only published when metrics collection is on: silence is a fault.
        treatMissingData: "breaching",
      },
    });
  }

  const db = input.database;
  if (db) {
    // Per cluster and role (DBClusterIdentifier + Role), not per instance: an in-region failover
    // moves the writer to another instance and a reader can be added or replaced, yet the WRITER /
    // READER series follow them, so no alarm ever points at the wrong or a deleted instance.
    // Maximum (CPU) and Minimum (memory) still surface the worst single instance of a role.
    const roles: ("WRITER" | "READER")[] = [];
    if (!db.isSecondary) roles.push("WRITER");
    if (db.isSecondary || (db.instanceCount ?? 1) > 1) roles.push("READER");
    for (const role of roles) {
      const dims = { DBClusterIdentifier: db.clusterIdentifier, Role: role };
      const r = role.toLowerCase();
      specs.push({
        key: `db-${r}-cpu`,
        args: {
          alarmDescription: `${where}: Aurora ${r} CPU above ${a.dbCpuPercent} %`,
          namespace: "AWS/RDS",
          metricName: "CPUUtilization",
          dimensions: dims,
          statistic: "Maximum",
          period: 300,
          comparisonOperator: "GreaterThanThreshold",
          threshold: a.dbCpuPercent,
          evaluationPeriods: 3,
          treatMissingData: "notBreaching",
        },
      });
      specs.push({
        key: `db-${r}-memory`,
        args: {
          alarmDescription: `${where}: Aurora ${r} freeable memory below ${a.dbFreeableMemoryMiB} MiB`,
          namespace: "AWS/RDS",
          metricName: "FreeableMemory",
          dimensions: dims,
          statistic: "Minimum",
          period: 300,
          comparisonOperator: "LessThanThreshold",
          threshold: a.dbFreeableMemoryMiB * MIB,
          evaluationPeriods: 3,
          treatMissingData: "notBreaching",
        },
      });
    }
    specs.push({
      key: "db-replication-lag",
      args: auroraLagAlarm(db.clusterIdentifier, a.auroraReplicationLagMs, where),
    });
  }

  const dynamo = input.dynamo;
  if (dynamo) {
    for (const receivingRegion of dynamo.replicaRegions ?? []) {
      specs.push({
        key: `dynamo-replication-${receivingRegion}`,
        args: {
          alarmDescription: `${where}: DynamoDB replication latency to ${receivingRegion} above ${a.dynamoReplicationLatencyMs} ms`,
          namespace: "AWS/DynamoDB",
          metricName: "ReplicationLatency",
          dimensions: { TableName: dynamo.tableName, ReceivingRegion: receivingRegion },
          statistic: "Average",
          period: 60,
          comparisonOperator: "GreaterThanThreshold",
          threshold: a.dynamoReplicationLatencyMs,
          evaluationPeriods: 5,
          datapointsToAlarm: 3,
          // Only emitted while writes replicate; an idle table is not lagging.
          treatMissingData: "notBreaching",
        },
      });
    }
    // ThrottledRequests is published per API operation (TableName + Operation) and would need an
    // alarm per operation; the read and write throttle events cover every operation on the table.
    const table = { TableName: dynamo.tableName };
    specs.push({
      key: "dynamo-throttles",
      args: {
        alarmDescription: `${where}: DynamoDB throttled ${a.dynamoThrottledRequests} or more reads/writes in a minute`,
        metricQueries: [
          metric("reads", "AWS/DynamoDB", "ReadThrottleEvents", table, "Sum"),
          metric("writes", "AWS/DynamoDB", "WriteThrottleEvents", table, "Sum"),
          {
            id: "throttles",
            expression: "FILL(reads, 0) + FILL(writes, 0)",
            label: "Throttle events",
            returnData: true,
          },
        ],
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: a.dynamoThrottledRequests,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: "notBreaching",
      },
    });
  }

  if (input.webAcl) {
    specs.push({
      key: "waf-blocked",
      args: {
        alarmDescription: `${where}: WAF blocked more than ${a.wafBlockedRequests} requests in 5 minutes (attack or false positives)`,
        namespace: "AWS/WAFV2",
        metricName: "BlockedRequests",
        // Rule "ALL" is the web ACL's total over every rule; Region is present for regional ACLs.
        dimensions: { WebACL: input.webAcl.metricName, Rule: "ALL", Region: input.region },
        statistic: "Sum",
        period: 300,
        comparisonOperator: "GreaterThanThreshold",
        threshold: a.wafBlockedRequests,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      },
    });
  }

  const nat = input.natGateways;
  for (let i = 0; i < (nat?.count ?? 0); i++) {
    // One alarm per known index, the id resolved inside an Output (no resource inside an apply).
    // CloudWatch alarms cannot use SEARCH expressions, and a Metrics Insights query would cover every
    // NAT gateway of the account in the region, not this VPC's.
    const id = pulumi.output(nat!.ids).apply((ids) => ids[i]);
    specs.push({
      key: `nat-${i}-port-allocation`,
      args: {
        alarmDescription: `${where}: NAT gateway ${i} failed to allocate ${a.natPortAllocationErrors} or more source ports (connections dropped)`,
        namespace: "AWS/NATGateway",
        metricName: "ErrorPortAllocation",
        dimensions: { NatGatewayId: id },
        statistic: "Sum",
        period: 300,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: a.natPortAllocationErrors,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      },
    });
  }

  return specs;
}
