/**
 * This region's part of the app's DNS: a Route 53 health check of the region's DEEP health (the
 * public ALB's `/healthz/deep`, which only answers 200 when the frontend, the internal ALB, the backend,
 * Aurora and DynamoDB all answer), and one latency record that names the region's ALB under that check:
 *
 *   home.<domain>     latency (set <home region>)     → the home's public ALB, deep health-checked
 *   standby.<domain>  latency (set <standby region>)  → that standby's public ALB, deep health-checked
 *                                                       (one per standby region: the standby set)
 *
 * The app domain itself is not here: its failover records, which carry the health checks of the ARC
 * Region switch plans and alias these two names, belong to the failover control stack
 * (components/failoverRouting.ts; docs/dns-scenarios.md says what each failure answers). A failover
 * changes health-check states (Route 53's data plane), never these records, so no regional stack has
 * anything to change in a failover.
 *
 * No alarm here either: Route 53 publishes health-check metrics only in us-east-1, and a regional
 * stack owns nothing outside its region. The control stack alarms on every region's check.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Component, renamedFrom } from "./component";

/** Path of the deep health endpoint (components/userData.ts): the whole request path of the region. */
export const DEEP_HEALTH_PATH = "/healthz/deep";

/** Label of the home region's record: `home.<domain>`. */
export const HOME_RECORD_LABEL = "home";
/** Label of the standby set: `standby.<domain>` holds one latency record per standby region. */
export const STANDBY_RECORD_LABEL = "standby";

/**
 * Regions the health checkers probe from. Route 53 requires at least three; three on different
 * continents keep a single checker region's trouble from failing the app over. (ca-central-1 is not
 * a checker region, so the standby cannot be "checked from itself".)
 */
export const HEALTH_CHECKER_REGIONS = ["us-east-1", "us-west-2", "eu-west-1"];

/** The name of a region's deep-checked record: `home.<domain>` or `standby.<domain>`. */
export function regionRecordName(domain: string, home: boolean): string {
  return `${home ? HOME_RECORD_LABEL : STANDBY_RECORD_LABEL}.${domain.replace(/\.$/, "")}`;
}

/**
 * Seconds from the region failing to Route 53 declaring it unhealthy: "the number of consecutive
 * health checks that an endpoint must pass or fail for Route 53 to change the current status"
 * (Route 53 Developer Guide, "Values that you specify when you create or update health checks",
 * Failure threshold) × the request interval (10 or 30 s).
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

export interface EdgeDnsArgs {
  /** Fully qualified app domain, e.g. `app.example.com`; the records are named under it. Required. */
  domain: string;
  /** Public hosted zone that holds `domain`. Required. */
  hostedZoneId: pulumi.Input<string>;
  /** True on the home stack: its record is `home.<domain>`; a standby's joins `standby.<domain>`. Required. */
  home: boolean;
  /** This stack's region: the record's set identifier and latency region. Required. */
  region: string;
  /** DNS name of this region's public ALB: the alias target and the health-checked endpoint. Required. */
  loadBalancerDnsName: pulumi.Input<string>;
  /** Canonical hosted zone id of the ALB (the alias target's zone). Required. */
  loadBalancerZoneId: pulumi.Input<string>;
  /** Seconds between health checks: 10 (fast) or 30 (standard). @default 10 */
  healthCheckInterval?: number;
  /** Consecutive failures before Route 53 marks the region unhealthy, 1 to 10. @default 3 */
  healthCheckFailureThreshold?: number;
  /** Path the health checkers request over HTTPS. @default "/healthz/deep" */
  healthCheckPath?: string;
  /** Extra tags for the health check. @default {} */
  tags?: Record<string, string>;
}

export interface EdgeDnsOutputs {
  /** Id of the Route 53 health check of this region's deep health. */
  healthCheckId: pulumi.Output<string>;
  /** Name of this region's record (`home.<domain>` or `standby.<domain>`). */
  recordName: pulumi.Output<string>;
  /** Set identifier of this region's record (the region). */
  setIdentifier: string;
}

export class EdgeDns extends Component<EdgeDnsOutputs> {
  constructor(name: string, args: EdgeDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-web:edge:EdgeDns", name, args, renamedFrom("multi-region-web:edgeDns:EdgeDns", opts));

    const interval = args.healthCheckInterval ?? 10;
    const threshold = args.healthCheckFailureThreshold ?? 3;
    detectionSeconds(interval, threshold);
    const path = args.healthCheckPath ?? DEEP_HEALTH_PATH;
    if (!path.startsWith("/")) throw new Error(`EdgeDns "${name}": healthCheckPath must start with "/"`);
    const tags = { Name: `${args.domain} ${args.region} deep health`, ...args.tags };

    const healthCheck = new aws.route53.HealthCheck(
      `${name}-health`,
      {
        type: "HTTPS",
        fqdn: args.loadBalancerDnsName,
        port: 443,
        resourcePath: path,
        requestInterval: interval,
        failureThreshold: threshold,
        // Send the host name in the TLS handshake as browsers do, so the ALB's SNI certificate
        // selection is exercised. "HTTPS health checks don't validate SSL/TLS certificates" (Route 53
        // Developer Guide, "How Amazon Route 53 determines whether a health check is healthy"), which
        // is why checking the ALB's own name (not covered by the app certificate) still passes.
        enableSni: true,
        measureLatency: true,
        regions: HEALTH_CHECKER_REGIONS,
        // Part of the caller reference: makes the check recognisable in the console and API.
        referenceName: `${name}-${args.region}`.slice(0, 64),
        tags,
      },
      { parent: this },
    );

    // One member of a latency set per region. The control stack's serve pair aliases the set with
    // evaluateTargetHealth: when this record's check fails Route 53 "backs out of that branch of the
    // tree" and answers from another (Route 53 Developer Guide, "How health checks work in complex
    // Amazon Route 53 configurations"); within the set, the nearest healthy standby answers.
    // evaluateTargetHealth here also drops an ALB whose target groups have no healthy target ("If any
    // target group contains only unhealthy targets, the load balancer is considered unhealthy", same
    // guide, "Values specific for latency alias records"). An alias to an ALB answers with a 60 s TTL.
    const record = new aws.route53.Record(
      `${name}-region`,
      {
        zoneId: args.hostedZoneId,
        name: regionRecordName(args.domain, args.home),
        type: "A",
        setIdentifier: args.region,
        latencyRoutingPolicies: [{ region: args.region }],
        healthCheckId: healthCheck.id,
        aliases: [
          { name: args.loadBalancerDnsName, zoneId: args.loadBalancerZoneId, evaluateTargetHealth: true },
        ],
      },
      { parent: this },
    );

    this.publish({ healthCheckId: healthCheck.id, recordName: record.name, setIdentifier: args.region });
  }
}
