/**
 * The app domain's records, owned by the control stack, on top of the regions' own deep-checked records
 * (components/edgeDns.ts: `home.<domain>`, and `standby.<domain>`, one latency record per standby):
 *
 *   <domain>          PRIMARY   set <home>    check: ARC's check of the home   → serve.<domain>      (ETH no)
 *   <domain>          SECONDARY set standby   check: ARC's check of the standby → standby.<domain>   (ETH no)
 *   serve.<domain>    PRIMARY   set <home>    → home.<domain> (automatic) or the home's ALB (manual)  (ETH yes)
 *   serve.<domain>    SECONDARY set standby   → standby.<domain>                                      (ETH yes)
 *
 * (ETH: the alias evaluates its target's health.) Two decisions, one per level:
 *
 * - The top pair is the plans' alone: its records' health is their ARC check and nothing else.
 *   Before any plan execution, and after a failback, the home's check is healthy, so Route 53 answers
 *   the PRIMARY ("If Route 53 considers the primary record healthy ..., Route 53 returns only the
 *   primary record", Route 53 Developer Guide, "How Amazon Route 53 chooses records when health
 *   checking is configured"). Once a plan has activated the standby, the home's check is unhealthy and
 *   the standby's healthy ("the health check for that Region is set to healthy ... the health check
 *   for the other Region in the plan is set to unhealthy", ARC Developer Guide, "Amazon Route 53
 *   health check execution block"), so it answers the SECONDARY, whose alias does not evaluate its
 *   target: the standby set, even when every standby's deep check fails ("Route 53 must choose one
 *   record in this branch instead of backing out", Developer Guide, "How health checks work in
 *   complex Amazon Route 53 configurations"). That is "pinned": nothing but a failback execution sends
 *   users back to a home the plan deactivated. (An alias SECONDARY that evaluated its target would
 *   answer the PRIMARY whenever the standby set fails: "When the secondary resource record set is
 *   unhealthy, Route 53 responds to DNS queries with the applicable value from the primary resource
 *   record set regardless of the health of the primary", Route 53 API reference, ResourceRecordSet.)
 * - The serve pair is the automatic failover, before any plan: the home while its deep check (or, in
 *   manual mode, its ALB) is healthy, else the nearest deep-healthy standby, else (nothing healthy) the
 *   home, where the writer and the full capacity are.
 *
 * With several standbys there is one plan, hence one pair of ARC checks, per standby, and a record
 * holds one health check: the top pair belongs to the first standby's plan, and each further plan has
 * a pair of the same shape, `pin-<standby>.<domain>`, chained through the PRIMARYs in front of the
 * serve pair. Any plan that activates its standby takes its level's SECONDARY; otherwise the chain ends
 * in the serve pair. docs/dns-scenarios.md is the resulting answer for every failure, from the Route
 * 53 model in the tests.
 *
 * Everything a failover changes is a health-check status, which is Route 53's data plane: "During a
 * control plane impairment, CRUDL-type operations for Route 53 may not work, but DNS resolution and
 * health checks, and updates to routing resulting from changes in health checks, will continue to
 * work" (AWS Fault Isolation Boundaries whitepaper, Appendix B). No record changes in a failover.
 * The ARC checks are attached as components/arcHealthChecks.ts decides (never detached by an `up`).
 * The alarms on every region's deep health check live here too, in us-east-1, the only region with
 * Route 53 metrics.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  ArcCheckDetachError,
  ArcCheckedRecord,
  ArcHealthChecks,
  arcCheckToAttach,
  liveAttachedChecks,
  planArcHealthChecks,
  recordKey,
} from "./arcHealthChecks";
import { AlarmSpec } from "./alarms";
import { Component } from "./component";
import { notificationTopic } from "./notificationTopic";

/** setIdentifier of the SECONDARY records (the standby side of every pair). */
export const STANDBY_SET_IDENTIFIER = "standby";

/** Label of the automatic failover pair: `serve.<domain>`. */
export const SERVE_RECORD_LABEL = "serve";

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
  /** The ARN of each standby's ARC Region switch plan, by standby region. Required (one per standby). */
  planArns: Record<string, pulumi.Input<string>>;
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

/** The name of the pair that carries the checks of the plan for `standby` (not the first). */
export function pinRecordName(domain: string, standby: string): string {
  return `pin-${standby}.${domain}`;
}

/** The name of the automatic failover pair. */
export function serveRecordName(domain: string): string {
  return `${SERVE_RECORD_LABEL}.${domain}`;
}

/**
 * The pairs from the app domain down: which plan's checks each carries, and what its PRIMARY aliases.
 * The first plan's pair is the app domain itself; each further plan's is its pin pair; the last
 * PRIMARY aliases the serve pair.
 */
export function pinChain(
  domain: string,
  standbys: string[],
): { standby: string; recordName: string; primaryTo: string }[] {
  return standbys.map((standby, i) => ({
    standby,
    recordName: i === 0 ? domain : pinRecordName(domain, standby),
    primaryTo: i + 1 < standbys.length ? pinRecordName(domain, standbys[i + 1]) : serveRecordName(domain),
  }));
}

/** Throws before any resource is registered when the records cannot be built as described. */
export function validateFailoverRoutingArgs(
  args: Pick<FailoverRoutingArgs, "standbys" | "alarmEmails" | "planArns">,
): void {
  if (args.standbys.length === 0) throw new Error("FailoverRouting: at least one standby region is needed");
  if (args.alarmEmails.length === 0) throw new Error("FailoverRouting: at least one alarm e-mail is needed");
  const missing = args.standbys.filter((s) => args.planArns[s.region] === undefined).map((s) => s.region);
  if (missing.length > 0) throw new Error(`FailoverRouting: no plan for standby ${missing.join(", ")}`);
}

/** One record of the failover pairs: an alias A record with a failover routing policy. */
export interface FailoverRecord {
  /** Its resource name after the component's: `serve-primary`, `primary`, `pin-<standby>-secondary`. */
  resourceName: string;
  name: string;
  setIdentifier: string;
  failover: "PRIMARY" | "SECONDARY";
  alias: { name: pulumi.Input<string>; zoneId: pulumi.Input<string>; evaluateTargetHealth: boolean };
  /** The plan whose ARC check it carries (by standby), and the region of that check; none in the serve pair. */
  arcCheck?: { record: ArcCheckedRecord; standby: string; region: string };
  /** Its alias targets the pair registered before it, which must exist first. */
  aliasesPairBelow: boolean;
}

/**
 * Every record of the failover pairs, pair by pair from the bottom up (the serve pair, then the chain
 * from its last pin pair to the app domain's): Route 53 refuses an alias to a name that has no record
 * yet ("InvalidChangeBatch: Tried to create an alias that targets <name>, type A in zone <zone>, but
 * that target was not found", as quoted in pcorliss/ruby_route_53#17).
 */
export function failoverRecords(
  args: Pick<FailoverRoutingArgs, "domain" | "hostedZoneId" | "home" | "standbys" | "automatic">,
): FailoverRecord[][] {
  const zoneId = args.hostedZoneId;
  const homeRegion = args.home.region;
  const standbySet = args.standbys[0].recordName;
  const serveName = serveRecordName(args.domain);
  const serve: FailoverRecord[] = [
    {
      resourceName: "serve-primary",
      name: serveName,
      setIdentifier: homeRegion,
      failover: "PRIMARY",
      alias: args.automatic
        ? { name: args.home.recordName, zoneId, evaluateTargetHealth: true }
        : { name: args.home.albDnsName, zoneId: args.home.albZoneId, evaluateTargetHealth: true },
      aliasesPairBelow: false,
    },
    {
      resourceName: "serve-secondary",
      name: serveName,
      setIdentifier: STANDBY_SET_IDENTIFIER,
      failover: "SECONDARY",
      alias: { name: standbySet, zoneId, evaluateTargetHealth: true },
      aliasesPairBelow: false,
    },
  ];
  const chain = pinChain(
    args.domain,
    args.standbys.map((s) => s.region),
  );
  const pins = [...chain].reverse().map((link): FailoverRecord[] => {
    const prefix = link.recordName === args.domain ? "" : `pin-${link.standby}-`;
    return [
      {
        resourceName: `${prefix}primary`,
        name: link.recordName,
        setIdentifier: homeRegion,
        failover: "PRIMARY",
        alias: { name: link.primaryTo, zoneId, evaluateTargetHealth: false },
        arcCheck: {
          record: { name: link.recordName, setIdentifier: homeRegion, side: "home" },
          standby: link.standby,
          region: homeRegion,
        },
        aliasesPairBelow: true,
      },
      {
        resourceName: `${prefix}secondary`,
        name: link.recordName,
        setIdentifier: STANDBY_SET_IDENTIFIER,
        failover: "SECONDARY",
        alias: { name: standbySet, zoneId, evaluateTargetHealth: false },
        arcCheck: {
          record: { name: link.recordName, setIdentifier: STANDBY_SET_IDENTIFIER, side: "standby" },
          standby: link.standby,
          region: link.standby,
        },
        aliasesPairBelow: false,
      },
    ];
  });
  return [serve, ...pins];
}

/** The alarm on one region's deep health check (Route 53 metrics: us-east-1 only). */
export function deepHealthAlarmSpec(
  domain: string,
  region: string,
  healthCheckId: pulumi.Input<string>,
): AlarmSpec {
  return {
    key: `deep-health-${region}`,
    args: {
      alarmDescription: `${domain}: the deep health check of ${region} is failing (Route 53 takes it out of DNS)`,
      namespace: "AWS/Route53",
      metricName: "HealthCheckStatus",
      dimensions: { HealthCheckId: healthCheckId },
      // 1 = healthy, 0 = unhealthy; Minimum catches any unhealthy minute.
      statistic: "Minimum",
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      period: 60,
      evaluationPeriods: 1,
      // No data means the health check (or its metrics) is gone: that is not "healthy".
      treatMissingData: "breaching",
    },
  };
}

export interface FailoverRoutingOutputs {
  /** Name of the app domain's record (the top failover pair). */
  recordName: string;
  /** ARC's health checks of each plan, by standby region, then by region (absent until ARC made them). */
  arcHealthCheckIds: pulumi.Output<Record<string, Record<string, string>>>;
  /** ARN of the topic the health-check alarms notify (us-east-1). */
  alarmTopicArn: pulumi.Output<string>;
  /** Health-check alarm names by region. */
  alarmNames: Record<string, pulumi.Output<string>>;
}

// Stryker disable all: the component's registration (resources, the ARC check lookups, log lines), run
// under mocks by tests/control.test.ts and the Route 53 scenarios; the failover mutation run
// (stryker.failover.config.mjs) mutates the pure functions above, which hold its decisions.
export class FailoverRouting extends Component<FailoverRoutingOutputs> {
  constructor(name: string, args: FailoverRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
    validateFailoverRoutingArgs(args);
    super("multi-region-web:failover:FailoverRouting", name, args, opts);
    const tags = { Name: `${args.domain} failover`, ...args.tags };
    const zoneId = args.hostedZoneId;
    const homeRegion = args.home.region;
    const chain = pinChain(
      args.domain,
      args.standbys.map((s) => s.region),
    );
    const live = liveAttachedChecks(
      zoneId,
      chain.map((link) => link.recordName),
      { parent: this },
    );
    const arcChecks: Record<string, pulumi.Output<ArcHealthChecks>> = Object.fromEntries(
      chain.map((link) => [
        link.standby,
        planArcHealthChecks(args.planArns[link.standby], args.domain, zoneId, { parent: this }),
      ]),
    );
    const attach = (record: ArcCheckedRecord, standby: string, region: string) =>
      pulumi.all([live, arcChecks[standby], args.planArns[standby]]).apply(([attached, checks, planArn]) => {
        let decision;
        try {
          decision = arcCheckToAttach({
            record,
            planArn,
            region,
            homeRegion,
            attached: attached[recordKey(record.name, record.setIdentifier)],
            checks,
          });
        } catch (e) {
          // The `up` fails here, before the record changes, with the message alone.
          if (e instanceof ArcCheckDetachError) throw new pulumi.ResourceError(e.message, this, true);
          throw e;
        }
        if (decision.note?.level === "warn") void pulumi.log.warn(decision.note.text, this);
        if (decision.note?.level === "info") void pulumi.log.info(decision.note.text, this);
        return decision.healthCheckId;
      });

    // One record of a pair; its health check is the ARC check `attach` decides (none in the serve pair).
    const register = (r: FailoverRecord, below: aws.route53.Record[]) =>
      new aws.route53.Record(
        `${name}-${r.resourceName}`,
        {
          zoneId,
          name: r.name,
          type: "A",
          setIdentifier: r.setIdentifier,
          failoverRoutingPolicies: [{ type: r.failover }],
          ...(r.arcCheck
            ? { healthCheckId: attach(r.arcCheck.record, r.arcCheck.standby, r.arcCheck.region) }
            : {}),
          aliases: [r.alias],
        },
        { parent: this, ...(r.aliasesPairBelow ? { dependsOn: below } : {}) },
      );
    let below: aws.route53.Record[] = [];
    for (const pair of failoverRecords(args)) below = pair.map((r) => register(r, below));

    const arcHealthCheckIds = pulumi
      .all(arcChecks)
      .apply((byPlan) =>
        Object.fromEntries(
          Object.entries(byPlan).map(([standby, checks]) => [
            standby,
            Object.fromEntries(Object.entries(checks).map(([region, c]) => [region, c.id])),
          ]),
        ),
      );

    // This stack's region is us-east-1 (config/control.ts checks it), where Route 53 publishes
    // health-check metrics and where an alarm on them can notify a topic of its own region.
    // EventBridge publishes here too: the plan-evaluation rule (components/planEvaluationAlerts.ts).
    const topic = notificationTopic(this, `${name}-alarms`, args.alarmEmails, tags, args.protect ?? true, [
      "events",
    ]);
    const alarmNames: Record<string, pulumi.Output<string>> = {};
    for (const region of [args.home, ...args.standbys]) {
      const spec = deepHealthAlarmSpec(args.domain, region.region, region.healthCheckId);
      const alarm = new aws.cloudwatch.MetricAlarm(
        `${name}-${spec.key}`,
        { ...spec.args, alarmActions: [topic.arn], okActions: [topic.arn], tags },
        { parent: this },
      );
      alarmNames[region.region] = alarm.name;
    }

    this.publish({ recordName: args.domain, arcHealthCheckIds, alarmTopicArn: topic.arn, alarmNames });
  }
}
// Stryker restore all
