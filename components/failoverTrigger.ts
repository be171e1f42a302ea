/**
 * The witnesses of a plan's automatic trigger: every vantage point that must see the home failing
 * before ARC starts the plan. The standby probes the home from its own region (its regional stack's
 * HomeProbe); this component adds a probe in each witness region, publishing into the standby
 * region, and one alarm per vantage point there, on that probe's metric only (its ProbeRegion):
 *
 *   <plan>-home-down-from-<standby>     the standby's probe    ┐ all red for `minutes`
 *   <plan>-home-down-from-<witness>     each witness's probe   ┘ → ARC starts the plan (then waits in approve)
 *
 * A fault between the standby and the home (a network problem between two regions) turns one alarm
 * red, not all; a bad deploy rolled back within `minutes` turns none red. ARC starts the plan only when
 * "all conditions" are met (ARC Developer Guide, "Create a trigger for a Region switch plan").
 *
 * All the alarms live in the standby region: one of the plan's two regions, and the one being
 * activated, so ARC reads them from a region that is up when the trigger matters. ARC's guide shows
 * associated alarms in the plan's regions only ("CloudWatch alarms for application health
 * permissions"); whether an alarm in a third region works: unverified, hence none there. A witness's
 * function publishes with PutMetricData to the standby region's endpoint (a data-plane call to the
 * region being activated). Owned by the control stack: a regional stack owns nothing outside its
 * region, and this spans three.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmSpec } from "./alarms";
import { Component } from "./component";
import {
  HOME_PROBE_METRIC,
  HOME_PROBE_NAMESPACE,
  HomeProbe,
  HomeProbeArgs,
  homeProbeDimensions,
} from "./homeProbe";
import { regionKeyPolicy } from "./regionKey";

/** The defaults of the optional arguments, in one place. */
export const FAILOVER_TRIGGER_DEFAULTS = {
  /** The witness functions' log retention (a value CloudWatch Logs accepts). */
  logRetentionDays: 30,
} as const;

export interface FailoverTriggerArgs {
  /** The plan's name: the prefix of the witness functions' and alarms' names. Required. */
  planName: string;
  /** The home region, probed. Required. */
  homeRegion: string;
  /** The standby region the trigger activates: where every witness alarm lives. Required. */
  standbyRegion: string;
  /** Regions besides the standby that probe the home: neither the home nor the standby. Required (at least one). */
  witnessRegions: string[];
  /** DNS name of the home's public ALB (the home stack's output). Required. */
  homeAlbDnsName: pulumi.Input<string>;
  /** The app domain (SNI, certificate name and Host header of every probe). Required. */
  domain: string;
  /** Consecutive failing minutes every witness must see. Required. */
  minutes: number;
  /** The standby's ops topic: the witness alarms (and the witness probes' own) notify it. Required. */
  alarmTopicArn: pulumi.Input<string>;
  /** Days the witness functions keep their logs. @default FAILOVER_TRIGGER_DEFAULTS.logRetentionDays */
  logRetentionDays?: number;
  /** Pulumi `protect` on the witness regions' log keys. @default true */
  protect?: boolean;
  tags?: Record<string, string>;
}

/** The name of the alarm on the probe that runs in `probeRegion`, for the plan `planName`. */
export function witnessAlarmName(planName: string, probeRegion: string): string {
  return `${planName}-home-down-from-${probeRegion}`;
}

/** The name of the witness function in a witness region (unique per plan; Lambda allows 64 characters). */
export function witnessFunctionName(planName: string): string {
  return `${planName}-witness`;
}

/** Throws before any resource is registered when the witnesses cannot be built as described. */
export function validateFailoverTriggerArgs(args: FailoverTriggerArgs): void {
  const where = `FailoverTrigger "${args.planName}"`;
  if (args.witnessRegions.length === 0) {
    throw new Error(`${where}: at least one witness region besides the standby ${args.standbyRegion}`);
  }
  for (const region of args.witnessRegions) {
    if (region === args.homeRegion || region === args.standbyRegion) {
      throw new Error(
        `${where}: witness region ${region} is the ${region === args.homeRegion ? "home" : "standby"}; a witness must be a third region`,
      );
    }
  }
  if (new Set(args.witnessRegions).size !== args.witnessRegions.length) {
    throw new Error(`${where}: witness regions ${args.witnessRegions.join(", ")} repeat a region`);
  }
  if (!Number.isInteger(args.minutes) || args.minutes < 1) {
    throw new Error(`${where}: minutes ${args.minutes} must be a positive integer`);
  }
}

/**
 * The alarm of one vantage point: the home's deep health, as the probe in `probeRegion` sees it,
 * failing for `minutes` consecutive minutes. Minimum over each minute: one failed run makes the minute
 * unhealthy (the probe already retries within a run). A minute without data is not breaching: a blind
 * witness can only delay the trigger, never start it (treatMissingData, "Configuring how CloudWatch
 * alarms treat missing data", CloudWatch User Guide); the probe's own probe-silent alarm reports it.
 */
export function witnessAlarmSpec(input: {
  planName: string;
  domain: string;
  homeRegion: string;
  probeRegion: string;
  minutes: number;
}): AlarmSpec {
  return {
    key: `witness-${input.probeRegion}`,
    args: {
      name: witnessAlarmName(input.planName, input.probeRegion),
      alarmDescription: `Trigger witness of plan ${input.planName}: ${input.domain} in ${input.homeRegion} failed its deep health check, probed from ${input.probeRegion}, for ${input.minutes} consecutive minutes. When every witness of the plan is red, ARC starts the plan; the execution waits for approval.`,
      namespace: HOME_PROBE_NAMESPACE,
      metricName: HOME_PROBE_METRIC,
      dimensions: homeProbeDimensions(input.domain, input.homeRegion, input.probeRegion),
      statistic: "Minimum",
      period: 60,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      evaluationPeriods: input.minutes,
      datapointsToAlarm: input.minutes,
      treatMissingData: "notBreaching",
    },
  };
}

/** Every vantage point of the trigger: the standby's own probe first, then each witness region's. */
export function vantagePoints(args: Pick<FailoverTriggerArgs, "standbyRegion" | "witnessRegions">): string[] {
  return [args.standbyRegion, ...args.witnessRegions];
}

/**
 * The probe of one witness region: it runs there and publishes into the standby region, where its
 * witness alarm (and its own two alarms) read its metric.
 */
export function witnessProbeArgs(
  args: FailoverTriggerArgs,
  region: string,
  logKmsKeyArn: pulumi.Input<string>,
): HomeProbeArgs {
  return {
    region,
    metricRegion: args.standbyRegion,
    homeRegion: args.homeRegion,
    homeAlbDnsName: args.homeAlbDnsName,
    domain: args.domain,
    alarmTopicArn: args.alarmTopicArn,
    logRetentionDays: args.logRetentionDays ?? FAILOVER_TRIGGER_DEFAULTS.logRetentionDays,
    logKmsKeyArn,
    functionName: witnessFunctionName(args.planName),
    tags: args.tags,
  };
}

export interface FailoverTriggerOutputs {
  /** Every witness: the vantage point, its alarm's name (the trigger condition's) and ARN. */
  witnesses: { probeRegion: string; alarmName: string; alarmArn: pulumi.Output<string> }[];
}

// Stryker disable all: the component's registration (keys, probes, alarms), run under mocks by
// tests/failoverTrigger.test.ts; the failover mutation run (stryker.failover.config.mjs) mutates the pure
// functions above, which hold its decisions.
export class FailoverTrigger extends Component<FailoverTriggerOutputs> {
  constructor(name: string, args: FailoverTriggerArgs, opts?: pulumi.ComponentResourceOptions) {
    validateFailoverTriggerArgs(args);
    super("multi-region-web:failover:FailoverTrigger", name, args, opts);
    const tags = { Name: `${args.planName} trigger`, ...args.tags };
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    for (const region of args.witnessRegions) {
      // The witness's log group is encrypted like every log group of the app (policy
      // cloudwatch-log-group-kms): a key of its own region that CloudWatch Logs there may use.
      const key = new aws.kms.Key(
        `${name}-${region}-logs-key`,
        {
          region,
          description: `Encrypts the logs of the ${args.planName} trigger witness in ${region}`,
          enableKeyRotation: true,
          deletionWindowInDays: 7,
          policy: pulumi.jsonStringify(
            pulumi.all([partition, accountId]).apply(([p, account]) => regionKeyPolicy(p, account, region)),
          ),
          tags,
        },
        { parent: this, protect: args.protect ?? true },
      );
      new HomeProbe(`${name}-${region}`, witnessProbeArgs(args, region, key.arn), { parent: this });
    }

    const actions = [args.alarmTopicArn];
    const witnesses = vantagePoints(args).map((probeRegion) => {
      const spec = witnessAlarmSpec({
        planName: args.planName,
        domain: args.domain,
        homeRegion: args.homeRegion,
        probeRegion,
        minutes: args.minutes,
      });
      const alarm = new aws.cloudwatch.MetricAlarm(
        `${name}-${spec.key}`,
        { ...spec.args, region: args.standbyRegion, alarmActions: actions, okActions: actions, tags },
        { parent: this },
      );
      return { probeRegion, alarmName: witnessAlarmName(args.planName, probeRegion), alarmArn: alarm.arn };
    });

    this.publish({ witnesses });
  }
}
// Stryker restore all
