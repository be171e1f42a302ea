/**
 * The app domain's failover pair, owned by the control stack, on top of the regions' own records
 * (components/edgeDns.ts):
 *
 *   <domain>  PRIMARY   set <home>      health check: ARC's check of the home (per plan)
 *                                       alias → home.<domain> (automatic) or the home's ALB (manual)
 *   <domain>  SECONDARY set "standby"   alias → standby.<domain> (the standby set, nearest healthy)
 *
 * Everything a failover changes is a health-check status, which is Route 53's data plane: "During a
 * control plane impairment, CRUDL-type operations for Route 53 may not work, but DNS resolution and
 * health checks, and updates to routing resulting from changes in health checks, will continue to
 * work" (AWS Fault Isolation Boundaries whitepaper, Appendix B). No record changes in a failover.
 *
 * - The home serves while every plan's ARC check of the home is healthy AND (automatic mode) its deep
 *   health check passes. Route 53 evaluates a health check associated with an alias record in
 *   addition to its target's health ("You can associate a health check with an alias record instead
 *   of or in addition to setting the value of Evaluate Target Health to Yes", Route 53 Developer
 *   Guide, "How health checks work in complex Amazon Route 53 configurations").
 * - When the PRIMARY is unhealthy, the SECONDARY answers: it has no health check of its own, so
 *   "Route 53 always responds to DNS queries by using the secondary record" (Route 53 Developer Guide,
 *   "How Amazon Route 53 chooses records when health checking is configured"), and its alias target is
 *   the standby set, whose members are deep health-checked.
 * - With several standby regions there is one plan, hence one ARC check of the home, per standby.
 *   A record holds one health check, so each further check sits on a one-member latency record
 *   (`gate-<standby>.<domain>`) that the chain aliases through; any plan that deactivates the home
 *   takes it out.
 *
 * The ARC checks are not attached to the standby side: a standby's record stays in the set while it is
 * deep-healthy, so the automatic (deep-health) failover never depends on a plan's state. The alarms on
 * every region's deep health check live here too, in us-east-1, the only region with Route 53 metrics.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Component } from "./component";
import { notificationTopic } from "./notificationTopic";

/** setIdentifier of the app domain's SECONDARY record. */
export const STANDBY_SET_IDENTIFIER = "standby";

/** A region's deep-checked record and health check, as its regional stack exports them. */
export interface RoutedRegion {
  region: string;
  /** `home.<domain>` or `standby.<domain>`. */
  recordName: pulumi.Input<string>;
  /** The region's deep health check. */
  healthCheckId: pulumi.Input<string>;
}

export interface FailoverRoutingArgs {
  /** The app domain. Required. */
  domain: string;
  /** Public hosted zone that holds the domain. Required. */
  hostedZoneId: pulumi.Input<string>;
  /** The home region and its deep-checked record. Required. */
  home: RoutedRegion & { albDnsName: pulumi.Input<string>; albZoneId: pulumi.Input<string> };
  /** Every standby region, with its record in the standby set. Required (at least one). */
  standbys: RoutedRegion[];
  /**
   * The ARC health check of the home region of each plan, by the plan's standby region, in the
   * standby order; undefined while ARC has not created it yet. Required.
   */
  homeArcHealthCheckIds: pulumi.Input<Record<string, string>>;
  /**
   * Automatic: the home serves only while its deep health passes, so an application failure moves
   * traffic to the standby set within detection + TTL, without a human or a plan. Manual: only the
   * plans (and an ALB with no healthy target) move traffic. Required.
   */
  automatic: boolean;
  /** Addresses notified by the health-check alarms. Required (at least one). */
  alarmEmails: string[];
  /** Pulumi `protect` on the alarm topic's key. @default true */
  protect?: boolean;
  tags?: Record<string, string>;
}

/** The name of the gate record that carries the ARC check of the home of the plan for `standby`. */
export function gateRecordName(domain: string, standby: string): string {
  return `gate-${standby}.${domain}`;
}

/**
 * The chain from the PRIMARY to the home: which record carries which plan's home check, and what
 * each aliases. The PRIMARY carries the first plan's check; each further plan's check sits on its
 * gate record; the last link aliases the final target.
 */
export function homeChain(
  domain: string,
  standbys: string[],
  finalTarget: string,
): { standby: string; recordName: string; aliasTo: string }[] {
  return standbys.map((standby, i) => ({
    standby,
    recordName: i === 0 ? domain : gateRecordName(domain, standby),
    aliasTo: i + 1 < standbys.length ? gateRecordName(domain, standbys[i + 1]) : finalTarget,
  }));
}

export interface FailoverRoutingOutputs {
  /** Name of the app domain's record (the failover pair). */
  recordName: string;
  /** ARN of the topic the health-check alarms notify (us-east-1). */
  alarmTopicArn: pulumi.Output<string>;
  /** Health-check alarm names by region. */
  alarmNames: Record<string, pulumi.Output<string>>;
}

export class FailoverRouting extends Component<FailoverRoutingOutputs> {
  constructor(name: string, args: FailoverRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
    if (args.standbys.length === 0) throw new Error("FailoverRouting: at least one standby region is needed");
    if (args.alarmEmails.length === 0)
      throw new Error("FailoverRouting: at least one alarm e-mail is needed");
    super("multi-region-web:failover:FailoverRouting", name, args, opts);
    const tags = { Name: `${args.domain} failover`, ...args.tags };

    const homeTarget = args.automatic
      ? { name: args.home.recordName, zoneId: args.hostedZoneId }
      : { name: args.home.albDnsName, zoneId: args.home.albZoneId };
    const standbyRegions = args.standbys.map((s) => s.region);
    const checks = pulumi.output(args.homeArcHealthCheckIds);
    const chain = homeChain(args.domain, standbyRegions, "");
    chain.forEach((link, i) => {
      const last = i === chain.length - 1;
      const aliasName = last ? homeTarget.name : link.aliasTo;
      const aliasZone = last ? homeTarget.zoneId : args.hostedZoneId;
      const common = {
        zoneId: args.hostedZoneId,
        name: link.recordName,
        type: "A",
        setIdentifier: args.home.region,
        // Absent until ARC has created the check (see FailoverPlan.healthCheckIds): the record is then
        // gated by its target's health alone, and the next `pulumi up` attaches the check.
        healthCheckId: checks.apply((ids) => ids[link.standby]),
        aliases: [{ name: aliasName, zoneId: aliasZone, evaluateTargetHealth: true }],
      };
      new aws.route53.Record(
        i === 0 ? `${name}-primary` : `${name}-gate-${link.standby}`,
        i === 0
          ? { ...common, failoverRoutingPolicies: [{ type: "PRIMARY" }] }
          : { ...common, latencyRoutingPolicies: [{ region: args.home.region }] },
        { parent: this },
      );
    });

    new aws.route53.Record(
      `${name}-secondary`,
      {
        zoneId: args.hostedZoneId,
        name: args.domain,
        type: "A",
        setIdentifier: STANDBY_SET_IDENTIFIER,
        failoverRoutingPolicies: [{ type: "SECONDARY" }],
        aliases: [
          { name: args.standbys[0].recordName, zoneId: args.hostedZoneId, evaluateTargetHealth: true },
        ],
      },
      { parent: this },
    );

    // This stack's region is us-east-1 (config/control.ts checks it), where Route 53 publishes
    // health-check metrics and where an alarm on them can notify a topic of its own region.
    const topic = notificationTopic(this, `${name}-alarms`, args.alarmEmails, tags, args.protect ?? true);
    const alarmNames: Record<string, pulumi.Output<string>> = {};
    for (const region of [args.home, ...args.standbys]) {
      const alarm = new aws.cloudwatch.MetricAlarm(
        `${name}-deep-health-${region.region}`,
        {
          alarmDescription: `${args.domain}: the deep health check of ${region.region} is failing (Route 53 takes it out of DNS)`,
          namespace: "AWS/Route53",
          metricName: "HealthCheckStatus",
          dimensions: { HealthCheckId: region.healthCheckId },
          // 1 = healthy, 0 = unhealthy; Minimum catches any unhealthy minute.
          statistic: "Minimum",
          comparisonOperator: "LessThanThreshold",
          threshold: 1,
          period: 60,
          evaluationPeriods: 1,
          // No data means the health check (or its metrics) is gone: that is not "healthy".
          treatMissingData: "breaching",
          alarmActions: [topic.arn],
          okActions: [topic.arn],
          tags,
        },
        { parent: this },
      );
      alarmNames[region.region] = alarm.name;
    }

    this.publish({ recordName: args.domain, alarmTopicArn: topic.arn, alarmNames });
  }
}
