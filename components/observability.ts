/**
 * Day-2 operations of one region: the ops SNS topic operators subscribe to (notificationTopic.ts),
 * the CloudWatch alarms that notify it (alarms.ts: their specs), and a dashboard with the same
 * metrics (dashboard.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Role } from "../config";
import { alarmSpecs, RegionMetrics } from "./alarms";
import { Component, renamedFrom } from "./component";
import { dashboardBody, dashboardNameFor, dashboardWidgets } from "./dashboard";
import { notificationTopic } from "./notificationTopic";

export interface ObservabilityArgs extends RegionMetrics {
  /** Stack name (or `<project>-<stack>`): the dashboard's name and the alarms' description prefix. Required. */
  stackName: string;
  /** Sizing role of the region, shown on the dashboard. Required. */
  role: Role;
  /** Id of the Route 53 health check on the public ALB, for the dashboard (its alarm is EdgeDns's). */
  healthCheckId?: pulumi.Input<string>;
  /** Extra tags for the topics, keys and alarms. @default {} */
  tags?: Record<string, string>;
  /** Pulumi `protect` on the topics' KMS keys, like every key of the program. @default true */
  protect?: boolean;
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
