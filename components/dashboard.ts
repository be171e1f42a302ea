/**
 * The CloudWatch dashboard of one region: the alarms' metrics (alarms.ts), two widgets per row, and
 * the status of the Route 53 health check on the public ALB. Pure: the body is built from plain values.
 */
import * as pulumi from "@pulumi/pulumi";
import { AlarmInputs } from "./alarms";

/**
 * Route 53 publishes health-check metrics only in us-east-1 ("Route 53 metrics are not available if
 * you select any other region as the current region", Route 53 Developer Guide, "Monitoring health
 * check status and getting notifications"). The dashboard's health-check widget reads them from there;
 * the alarm on them belongs to the control stack, since a regional stack owns nothing outside its region.
 */
export const EDGE_METRICS_REGION = "us-east-1";

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
