/**
 * Day-2 operations of one region: the ops SNS topic operators subscribe to, the CloudWatch alarms
 * that notify it, and a dashboard with the same metrics. Replication lag is the RPO and a standby
 * nobody watches is not a standby, so every replicated store gets its lag alarm here.
 *
 * The alarm definitions are built by a pure function (`alarmSpecs`) from plain values, so the
 * metric names, namespaces, dimensions and thresholds are testable without mocks; the component
 * only turns each spec into a MetricAlarm wired to the ops topic.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmsConfig, Role } from "../config";
import { Component, renamedFrom } from "./component";

/**
 * Route 53 publishes health-check metrics only in us-east-1 ("Route 53 metrics are not available if
 * you select any other region as the current region", Route 53 Developer Guide, "Monitoring health
 * check status and getting notifications"). The dashboard's health-check widget reads them from there;
 * the alarm on them belongs to the control stack, since a regional stack owns nothing outside its region.
 */
export const EDGE_METRICS_REGION = "us-east-1";

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

export interface ObservabilityArgs {
  /** Stack name (or `<project>-<stack>`): the dashboard's name and the alarms' description prefix. Required. */
  stackName: string;
  /** This stack's region. Required. */
  region: string;
  /** Sizing role of the region, shown on the dashboard. Required. */
  role: Role;
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
  /** Id of the Route 53 health check on the public ALB, for the dashboard (its alarm is EdgeDns's). */
  healthCheckId?: pulumi.Input<string>;
  /** Extra tags for the topics, keys and alarms. @default {} */
  tags?: Record<string, string>;
  /** Pulumi `protect` on the topics' KMS keys, like every key of the program. @default true */
  protect?: boolean;
}

/** One alarm, before it is wired to the ops topic. */
export interface AlarmSpec {
  /** Stable key: the alarm's resource name is `<component>-<key>`. */
  key: string;
  args: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "tags">;
}

/** What `alarmSpecs` reads: the component's arguments without the naming and tagging. */
export type AlarmInputs = Omit<ObservabilityArgs, "stackName" | "role" | "tags"> & { stackName?: string };

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

/** A dashboard name: letters, digits, `-` and `_` only, at most 255 characters. */
export function dashboardNameFor(stackName: string): string {
  return stackName.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 255);
}

type MetricRow = (string | pulumi.Input<string> | Record<string, unknown>)[];
interface Widget {
  title: string;
  metrics: pulumi.Input<MetricRow[]>;
  stat?: string;
  /** Region of the metrics; Route 53's are only in us-east-1. */
  region?: string;
}

/** The dashboard's widgets: the alarms' metrics, plus the health check that EdgeDns alarms on. */
export function dashboardWidgets(input: AlarmInputs & { healthCheckId?: pulumi.Input<string> }): Widget[] {
  const elb = "AWS/ApplicationELB";
  const pub = input.publicAlb;
  const int = input.internalAlb;
  const widgets: Widget[] = [
    {
      title: "Public ALB: requests and 5xx",
      stat: "Sum",
      metrics: [
        [elb, "RequestCount", "LoadBalancer", pub.arnSuffix],
        [elb, "HTTPCode_ELB_5XX_Count", "LoadBalancer", pub.arnSuffix],
        [elb, "HTTPCode_Target_5XX_Count", "LoadBalancer", pub.arnSuffix],
      ],
    },
    {
      title: "Target response time p99 (s)",
      stat: "p99",
      metrics: [
        [elb, "TargetResponseTime", "LoadBalancer", pub.arnSuffix, { label: "public" }],
        [elb, "TargetResponseTime", "LoadBalancer", int.arnSuffix, { label: "internal" }],
      ],
    },
    {
      title: "Unhealthy targets",
      stat: "Maximum",
      metrics: [
        [elb, "UnHealthyHostCount", "LoadBalancer", pub.arnSuffix, "TargetGroup", pub.targetGroupArnSuffix],
        [elb, "UnHealthyHostCount", "LoadBalancer", int.arnSuffix, "TargetGroup", int.targetGroupArnSuffix],
      ],
    },
  ];
  if (input.asgs?.length) {
    widgets.push({
      title: "Instances in service",
      stat: "Minimum",
      metrics: input.asgs.map((g) => [
        "AWS/AutoScaling",
        "GroupInServiceInstances",
        "AutoScalingGroupName",
        g.name,
        { label: g.tier },
      ]),
    });
  }
  const db = input.database;
  if (db) {
    const roles = [...(db.isSecondary ? [] : ["WRITER"]), "READER"];
    const byRole = (metricName: string) =>
      roles.map((role) => [
        "AWS/RDS",
        metricName,
        "DBClusterIdentifier",
        db.clusterIdentifier,
        "Role",
        role,
        { label: role },
      ]);
    widgets.push({ title: "Aurora CPU (%)", stat: "Maximum", metrics: byRole("CPUUtilization") });
    widgets.push({
      title: "Aurora freeable memory (bytes)",
      stat: "Minimum",
      metrics: byRole("FreeableMemory"),
    });
    widgets.push({
      title: "Aurora global replication lag (ms)",
      stat: "Maximum",
      metrics: [
        ["AWS/RDS", "AuroraGlobalDBReplicationLag", "DBClusterIdentifier", db.clusterIdentifier],
        ["AWS/RDS", "AuroraGlobalDBRPOLag", "DBClusterIdentifier", db.clusterIdentifier],
      ],
    });
  }
  const dynamo = input.dynamo;
  if (dynamo) {
    if (dynamo.replicaRegions?.length) {
      widgets.push({
        title: "DynamoDB replication latency (ms)",
        stat: "Average",
        metrics: dynamo.replicaRegions.map((r) => [
          "AWS/DynamoDB",
          "ReplicationLatency",
          "TableName",
          dynamo.tableName,
          "ReceivingRegion",
          r,
          { label: `to ${r}` },
        ]),
      });
    }
    widgets.push({
      title: "DynamoDB throttle events",
      stat: "Sum",
      metrics: [
        ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", dynamo.tableName],
        ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", dynamo.tableName],
      ],
    });
  }
  if (input.webAcl) {
    widgets.push({
      title: "WAF blocked requests",
      stat: "Sum",
      metrics: [
        [
          "AWS/WAFV2",
          "BlockedRequests",
          "WebACL",
          input.webAcl.metricName,
          "Rule",
          "ALL",
          "Region",
          input.region,
        ],
      ],
    });
  }
  const nat = input.natGateways;
  if (nat && nat.count > 0) {
    widgets.push({
      title: "NAT port allocation errors",
      stat: "Sum",
      metrics: pulumi
        .output(nat.ids)
        .apply((ids) =>
          ids.map((id): MetricRow => ["AWS/NATGateway", "ErrorPortAllocation", "NatGatewayId", id]),
        ),
    });
  }
  if (input.healthCheckId) {
    widgets.push({
      title: "Route 53 health check (1 = healthy)",
      stat: "Minimum",
      region: EDGE_METRICS_REGION,
      metrics: [["AWS/Route53", "HealthCheckStatus", "HealthCheckId", input.healthCheckId]],
    });
  }
  return widgets;
}

/** The dashboard body (CloudWatch dashboard JSON), two widgets per row. */
export function dashboardBody(region: string, title: string, widgets: Widget[]): pulumi.Output<string> {
  return pulumi.jsonStringify(
    pulumi.output({
      widgets: [
        {
          type: "text",
          x: 0,
          y: 0,
          width: 24,
          height: 1,
          properties: { markdown: `## ${title}` },
        },
        ...widgets.map((w, i) => ({
          type: "metric",
          x: (i % 2) * 12,
          y: 1 + Math.floor(i / 2) * 6,
          width: 12,
          height: 6,
          properties: {
            title: w.title,
            region: w.region ?? region,
            view: "timeSeries",
            stat: w.stat ?? "Average",
            period: 60,
            metrics: w.metrics,
          },
        })),
      ],
    }),
  );
}

/**
 * AWS services other than CloudWatch alarms that may publish to a topic: AWS Backup's vault
 * notifications and EventBridge rules (the failed-backup-job rule of components/backups.ts).
 */
export type TopicPublisher = "backup" | "events";
const PUBLISHER_PRINCIPALS: Record<TopicPublisher, string> = {
  backup: "backup.amazonaws.com",
  events: "events.amazonaws.com",
};

/**
 * Key policy of a topic's key. A service that publishes to an encrypted topic needs the topic's key
 * (kms:GenerateDataKey*, kms:Decrypt) for itself: "If you want to use a AWS KMS-encrypted Amazon SNS
 * topic to send notifications, you must also enable compatibility between the event source ... and the
 * encrypted topic" (SNS Developer Guide, "Enable compatibility between event sources from AWS services
 * and encrypted topics"). Without it the alarms, vault events and rules fire but every notification is
 * dropped. CloudWatch's statement is scoped to this account with aws:SourceAccount; for AWS Backup and
 * EventBridge no AWS page we found shows a condition on the key statement (the Knowledge Center's
 * "sns-not-getting-eventbridge-notification" shows none), so theirs have none: the topic policy, which
 * they also need, is where their confused-deputy conditions are. The account root statement keeps the
 * key manageable through IAM.
 */
export function opsKeyPolicy(
  partition: string,
  accountId: string,
  publishers: TopicPublisher[] = [],
): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministersThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        // Only on behalf of this account's alarms (the confused-deputy guard).
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
      ...publishers.map((publisher) => ({
        Sid: `${publisher === "backup" ? "AwsBackup" : "EventBridge"}PublishesToEncryptedTopic`,
        Effect: "Allow",
        Principal: { Service: PUBLISHER_PRINCIPALS[publisher] },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
      })),
    ],
  };
}

/**
 * The topic policy when services other than CloudWatch alarms publish: a topic policy replaces the
 * default one, so its statement (the account's principals, `AWS:SourceOwner` = the account, which is
 * also how this account's alarms publish) is kept as it is, and each publisher is added:
 * - AWS Backup, as the provider's backup_vault_notifications example does (Principal
 *   backup.amazonaws.com, SNS:Publish). AWS documents no condition for it; one that AWS Backup's
 *   requests did not carry would silently drop every vault notification, so none is set.
 * - EventBridge, limited to this account's rules in this region (`aws:SourceArn`), the confused-deputy
 *   guard of the EventBridge User Guide's SNS example ("Amazon SNS permissions"; its exact wording in
 *   the current page: unverified).
 */
export function opsTopicPolicy(
  partition: string,
  accountId: string,
  region: string,
  topicArn: string,
  publishers: TopicPublisher[],
): object {
  const publish = (publisher: TopicPublisher) => ({
    Sid: `${publisher === "backup" ? "AwsBackup" : "EventBridgeRules"}Publish`,
    Effect: "Allow",
    Principal: { Service: PUBLISHER_PRINCIPALS[publisher] },
    Action: "SNS:Publish",
    Resource: topicArn,
    ...(publisher === "events"
      ? {
          Condition: {
            ArnLike: { "aws:SourceArn": `arn:${partition}:events:${region}:${accountId}:rule/*` },
          },
        }
      : {}),
  });
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountDefault",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: [
          "SNS:GetTopicAttributes",
          "SNS:SetTopicAttributes",
          "SNS:AddPermission",
          "SNS:RemovePermission",
          "SNS:DeleteTopic",
          "SNS:Subscribe",
          "SNS:ListSubscriptionsByTopic",
          "SNS:Publish",
        ],
        Resource: topicArn,
        Condition: { StringEquals: { "AWS:SourceOwner": accountId } },
      },
      ...publishers.map(publish),
    ],
  };
}

/** Resource-name-safe form of an e-mail address. */
function subscriptionSuffix(email: string): string {
  return email.replace(/[^a-z0-9]+/g, "-");
}

export interface ObservabilityOutputs {
  /** ARN of this region's ops topic: every alarm here notifies it. */
  opsTopicArn: pulumi.Output<string>;
  /** Name of this region's CloudWatch dashboard. */
  dashboardName: pulumi.Output<string>;
  /** Alarm names by spec key (`public-alb-5xx-rate`, `db-replication-lag`, ...). */
  alarmNames: Record<string, pulumi.Output<string>>;
  /** Alarm ARNs by spec key: the failover plan watches `public-alb-5xx-rate` as application health. */
  alarmArns: Record<string, pulumi.Output<string>>;
}

export class Observability extends Component<ObservabilityOutputs> {
  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super(
      "multi-region-web:operations:Observability",
      name,
      args,
      renamedFrom("multi-region-web:observability:Observability", opts),
    );

    const tags = { Name: `${args.stackName}-ops`, ...args.tags };
    // The ops topic gets its own small key rather than the region's data key: the data key's policy
    // belongs to DataTier and must stay closed to service principals, while this one has to let
    // CloudWatch encrypt notifications. Losing it only loses notifications, never data.
    // AWS Backup (vault notifications) and EventBridge (the failed-backup-job rule) publish here too.
    const opsTopic = notificationTopic(this, `${name}-ops`, args.alarms.emails, tags, args.protect ?? true, [
      "backup",
      "events",
    ]);

    const actions = [opsTopic.arn];
    const alarmNames: Record<string, pulumi.Output<string>> = {};
    const alarmArns: Record<string, pulumi.Output<string>> = {};
    for (const spec of alarmSpecs(args)) {
      const alarm = new aws.cloudwatch.MetricAlarm(
        `${name}-${spec.key}`,
        { ...spec.args, alarmActions: actions, okActions: actions, tags },
        { parent: this },
      );
      alarmNames[spec.key] = alarm.name;
      alarmArns[spec.key] = alarm.arn;
    }

    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        // Dashboards are global to the account (their ARN has no region): the stack name keeps the
        // regions apart.
        dashboardName: dashboardNameFor(args.stackName),
        dashboardBody: dashboardBody(
          args.region,
          `${args.stackName} (${args.region}, ${args.role})`,
          dashboardWidgets(args),
        ),
      },
      { parent: this },
    );

    this.publish({
      opsTopicArn: opsTopic.arn,
      dashboardName: dashboard.dashboardName,
      alarmNames,
      alarmArns,
    });
  }
}

/**
 * A KMS-encrypted SNS topic with its own key (whose policy lets CloudWatch alarms, and the given
 * `publishers`, publish), a topic policy when there are publishers, and one e-mail subscription per
 * address, created as children of `parent`. Used for each region's ops topic
 * and for the control stack's topic of the Route 53 health-check alarms.
 */
export function notificationTopic(
  parent: pulumi.Resource,
  prefix: string,
  emails: string[],
  tags: Record<string, string>,
  protectKey: boolean,
  publishers: TopicPublisher[] = [],
): aws.sns.Topic {
  const opts: pulumi.CustomResourceOptions = { parent };
  const partition = aws.getPartitionOutput({}, opts).partition;
  const accountId = aws.getCallerIdentityOutput({}, opts).accountId;
  const key = new aws.kms.Key(
    `${prefix}-key`,
    {
      description: `Encrypts the ${prefix} alarm notifications`,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: pulumi.jsonStringify(
        pulumi.all([partition, accountId]).apply(([p, account]) => opsKeyPolicy(p, account, publishers)),
      ),
      tags,
    },
    { ...opts, protect: protectKey },
  );
  const topic = new aws.sns.Topic(prefix, { kmsMasterKeyId: key.arn, tags }, opts);
  if (publishers.length > 0) {
    const region = aws.getRegionOutput({}, opts).region;
    new aws.sns.TopicPolicy(
      `${prefix}-policy`,
      {
        arn: topic.arn,
        policy: pulumi.jsonStringify(
          pulumi
            .all([partition, accountId, region, topic.arn])
            .apply(([p, account, r, arn]) => opsTopicPolicy(p, account, r, arn, publishers)),
        ),
      },
      opts,
    );
  }
  // Addresses differing only in case are one mailbox (and would collide as resource names).
  for (const email of [...new Set(emails.map((e) => e.toLowerCase()))]) {
    // E-mail subscriptions stay "pending confirmation" until the recipient clicks the link AWS sends.
    new aws.sns.TopicSubscription(
      `${prefix}-${subscriptionSuffix(email)}`,
      { topic: topic.arn, protocol: "email", endpoint: email },
      opts,
    );
  }
  return topic;
}
