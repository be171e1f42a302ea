/**
 * How users reach a region: a Route 53 health check on the region's public ALB, this region's part of
 * the app domain's DNS, and an alarm that tells operators when the check fails (that is, when Route 53
 * is failing traffic over, or about to).
 *
 * The app domain is one failover pair, whatever the number of regions:
 *
 *   app.example.com  PRIMARY   (set <active region>)  → alias to the active region's ALB, health-checked
 *   app.example.com  SECONDARY (set "standby")        → alias to standby.app.example.com, evaluateTargetHealth
 *   standby.app.example.com  latency (set <region>)   → alias to that passive region's ALB, health-checked
 *                                                       (one per passive region: the standby set)
 *
 * Route 53 holds one PRIMARY and one SECONDARY per failover pair, so the passive regions do not each
 * get a SECONDARY: they share one that points at the standby set, and a new passive region only adds
 * its latency record. Swapping the active region is one atomic change batch (tools/failoverBatch.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Role } from "../config";

export interface EdgeDnsArgs {
  /** Fully qualified app domain the failover pair answers for, e.g. `app.example.com`. Required. */
  domain: string;
  /** Public hosted zone that holds `domain`. Required. */
  hostedZoneId: pulumi.Input<string>;
  /**
   * `active` gets the PRIMARY record; `passive` a latency record in the standby set plus the shared
   * SECONDARY record that points at the set. Required.
   */
  role: Role;
  /**
   * This stack's region: the set identifier of its PRIMARY or latency record (so each region owns its
   * own record) and the latency record's region. Required.
   */
  region: string;
  /** DNS name of this region's public ALB: the alias target and the health-checked endpoint. Required. */
  loadBalancerDnsName: pulumi.Input<string>;
  /** Canonical hosted zone id of the ALB (the alias target's zone). Required. */
  loadBalancerZoneId: pulumi.Input<string>;
  /** Seconds between health checks: 10 (fast) or 30 (standard). @default 10 */
  healthCheckInterval?: number;
  /** Consecutive failures before Route 53 marks the ALB unhealthy, 1 to 10. @default 3 */
  healthCheckFailureThreshold?: number;
  /** Path the health checkers request over HTTPS. @default "/healthz" */
  healthCheckPath?: string;
  /**
   * SNS topic ARNs the health-check alarm notifies on ALARM and OK. They must be topics in
   * us-east-1, because the alarm lives there (CloudWatch only notifies topics in its own region).
   * @default [] (the alarm only changes state)
   */
  alarmActions?: pulumi.Input<string>[];
  /** Extra tags for the health check and the alarm. @default {} */
  tags?: Record<string, string>;
}

/**
 * Route 53 publishes health-check metrics only in us-east-1, whatever region the stack is in, so
 * the alarm on them has to be created there.
 */
export const HEALTH_CHECK_METRICS_REGION = "us-east-1";

/**
 * Regions the health checkers probe from. Route 53 requires at least three; three on different
 * continents keep a single checker region's trouble from failing the app over. (ca-central-1 is not
 * a checker region, so the standby cannot be "checked from itself".)
 */
export const HEALTH_CHECKER_REGIONS = ["us-east-1", "us-west-2", "eu-west-1"];

/** The failover record type for a role: the active region is PRIMARY, every standby SECONDARY. */
export function failoverType(role: Role): "PRIMARY" | "SECONDARY" {
  return role === "active" ? "PRIMARY" : "SECONDARY";
}

/**
 * Label of the standby set: `standby.<domain>` holds one latency record per passive region, and the
 * pair's SECONDARY record is an alias to it.
 */
export const STANDBY_RECORD_LABEL = "standby";

/** setIdentifier of the shared SECONDARY record (the same in every passive stack). */
export const STANDBY_SET_IDENTIFIER = "standby";

/** The standby set's name for an app domain: `standby.app.example.com`. */
export function standbyRecordName(domain: string): string {
  return `${STANDBY_RECORD_LABEL}.${domain.replace(/\.$/, "")}`;
}

/**
 * Seconds from the ALB going down to Route 53 declaring it unhealthy (request interval × failure
 * threshold); the DR report adds the alias record's 60 s TTL to get the time to serve from standby.
 */
export function detectionSeconds(interval: number, threshold: number): number {
  if (interval !== 10 && interval !== 30) {
    throw new Error(`health check interval must be 10 or 30 seconds, got ${interval}`);
  }
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > 10) {
    throw new Error(`health check failure threshold must be an integer from 1 to 10, got ${threshold}`);
  }
  return interval * threshold;
}

export class EdgeDns extends pulumi.ComponentResource {
  /** Id of the Route 53 health check on this region's public ALB. */
  public readonly healthCheckId: pulumi.Output<string>;
  /** Name of this stack's failover record, PRIMARY or the shared SECONDARY (the app domain). */
  public readonly recordName: pulumi.Output<string>;
  /** Fully qualified name of that failover record. */
  public readonly fqdn: pulumi.Output<string>;
  /** Name of the health-check alarm (in us-east-1). */
  public readonly healthCheckAlarmName: pulumi.Output<string>;
  /** ARN of the health-check alarm (in us-east-1). */
  public readonly healthCheckAlarmArn: pulumi.Output<string>;

  constructor(name: string, args: EdgeDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-web:edgeDns:EdgeDns", name, args, opts);

    const interval = args.healthCheckInterval ?? 10;
    const threshold = args.healthCheckFailureThreshold ?? 3;
    detectionSeconds(interval, threshold);
    const tags = { Name: `${args.domain} ${args.region}`, ...args.tags };

    const healthCheck = new aws.route53.HealthCheck(
      `${name}-health`,
      {
        type: "HTTPS",
        fqdn: args.loadBalancerDnsName,
        port: 443,
        resourcePath: args.healthCheckPath ?? "/healthz",
        requestInterval: interval,
        failureThreshold: threshold,
        // Send the host name in the TLS handshake as browsers do, so the ALB's SNI certificate
        // selection is exercised. Route 53 does not validate the certificate, which is why checking
        // the ALB's own name (not covered by the app certificate) still passes.
        enableSni: true,
        measureLatency: true,
        regions: HEALTH_CHECKER_REGIONS,
        // Part of the caller reference: makes the check recognisable in the console and API.
        referenceName: `${name}-${args.region}`.slice(0, 64),
        tags,
      },
      { parent: this },
    );
    this.healthCheckId = healthCheck.id;

    const alias = (target: pulumi.Input<string>, zoneId: pulumi.Input<string>) => [
      // Also fail over when the target has no healthy endpoint, not only when it is unreachable.
      { name: target, zoneId, evaluateTargetHealth: true },
    ];
    // Every record below sets allowOverwrite: after the runbook's atomic role-swap batch
    // (tools/failoverBatch.ts) has created a record in Route 53, the `pulumi up --refresh` that
    // follows adopts it (an UPSERT of identical values) instead of failing because it exists.
    let record: aws.route53.Record;
    if (args.role === "active") {
      // The PRIMARY of the failover pair: health-checked, an alias to this region's ALB. An alias
      // to an ALB has no TTL of its own (Route 53 answers with 60 s).
      record = new aws.route53.Record(
        `${name}-primary`,
        {
          zoneId: args.hostedZoneId,
          name: args.domain,
          type: "A",
          setIdentifier: args.region,
          failoverRoutingPolicies: [{ type: "PRIMARY" }],
          healthCheckId: healthCheck.id,
          aliases: alias(args.loadBalancerDnsName, args.loadBalancerZoneId),
          allowOverwrite: true,
        },
        { parent: this },
      );
    } else {
      // This region's member of the standby set: a latency record named standby.<domain>, one per
      // passive region (setIdentifier = region), health-checked, an alias to this region's ALB.
      const latency = new aws.route53.Record(
        `${name}-standby-latency`,
        {
          zoneId: args.hostedZoneId,
          name: standbyRecordName(args.domain),
          type: "A",
          setIdentifier: args.region,
          latencyRoutingPolicies: [{ region: args.region }],
          healthCheckId: healthCheck.id,
          aliases: alias(args.loadBalancerDnsName, args.loadBalancerZoneId),
          allowOverwrite: true,
        },
        { parent: this },
      );
      // The SECONDARY of the failover pair, shared by every passive stack: an alias to the standby
      // set in the same hosted zone. With evaluateTargetHealth, Route 53 answers with the healthy
      // standby regions only, nearest first; it needs no health check of its own. Route 53 holds one
      // SECONDARY per pair, so every passive stack declares the same record (setIdentifier
      // STANDBY_SET_IDENTIFIER, identical inputs): allowOverwrite lets the second standby adopt it
      // instead of failing on "already exists", and retainOnDelete keeps it when one standby is
      // destroyed (or turns active after a role swap), because the other standbys still need it.
      record = new aws.route53.Record(
        `${name}-standby-failover`,
        {
          zoneId: args.hostedZoneId,
          name: args.domain,
          type: "A",
          setIdentifier: STANDBY_SET_IDENTIFIER,
          failoverRoutingPolicies: [{ type: "SECONDARY" }],
          aliases: alias(standbyRecordName(args.domain), args.hostedZoneId),
          allowOverwrite: true,
        },
        // Route 53 refuses an alias to a name that has no record yet: the standby set first.
        { parent: this, dependsOn: [latency], retainOnDelete: true },
      );
    }
    this.recordName = record.name;
    this.fqdn = record.fqdn;

    const actions = args.alarmActions ?? [];
    const alarm = new aws.cloudwatch.MetricAlarm(
      `${name}-health-alarm`,
      {
        // The resource's own region (provider v7), not an explicit provider: it keeps every setting
        // of the stack's provider (credentials, assumed role, allowed accounts, default tags).
        region: HEALTH_CHECK_METRICS_REGION,
        alarmDescription: `Route 53 health check of the ${args.region} public ALB (${args.domain}) is failing`,
        namespace: "AWS/Route53",
        metricName: "HealthCheckStatus",
        dimensions: { HealthCheckId: healthCheck.id },
        // 1 = healthy, 0 = unhealthy; Minimum catches any unhealthy minute.
        statistic: "Minimum",
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        period: 60,
        evaluationPeriods: 1,
        // No data means the health check (or its metrics) is gone: that is not "healthy".
        treatMissingData: "breaching",
        alarmActions: actions,
        okActions: actions,
        tags,
      },
      { parent: this },
    );
    this.healthCheckAlarmName = alarm.name;
    this.healthCheckAlarmArn = alarm.arn;

    this.registerOutputs({
      healthCheckId: this.healthCheckId,
      recordName: this.recordName,
      fqdn: this.fqdn,
      healthCheckAlarmName: this.healthCheckAlarmName,
      healthCheckAlarmArn: this.healthCheckAlarmArn,
    });
  }
}
