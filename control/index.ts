/**
 * The failover control stack: one ARC Region switch plan per home/standby pair, and the app domain's
 * failover pair whose health checks the plans flip. It reads the regional stacks (home first, then the
 * standby regions the home lists) through StackReferences; no regional stack reads it, so there is no
 * cycle, and the regional stacks deploy without it.
 *
 *   plan <home>↔<standby>  (one per standby)  ─ scales the ASGs, moves the Aurora writer, flips the checks
 *   trigger of the automatic standby's plan    ─ witness probes in third regions, one alarm per vantage point
 *   <domain> PRIMARY (ARC check of the home) → serve.<domain> │ SECONDARY (ARC check of the standby) → standby.<domain>
 *   serve.<domain> PRIMARY → home.<domain> │ SECONDARY → standby.<domain>   (components/failoverRouting.ts)
 *   alarms on every region's deep health check (us-east-1, where Route 53 publishes its metrics)
 *   plan evaluation warnings → the ops topics (us-east-1, where ARC delivers them)
 *
 * Executing a plan needs none of this stack: ARC runs it from the data plane of the region being
 * activated, and the plan's ARN (and its approval role's) is in SSM Parameter Store in both of its
 * regions (docs/runbook.md).
 */
import { loadControlConfig } from "./config";
import { checkRegionalStacks, readRegionalStack } from "./regionalStacks";
import { approvalRoleArnParameterName, FailoverPlan, planArnParameterName } from "../components/failoverPlan";
import { FailoverRouting, STANDBY_SET_IDENTIFIER } from "../components/failoverRouting";
import { FailoverTrigger, witnessAlarmName } from "../components/failoverTrigger";
import { PlanEvaluationAlerts } from "../components/planEvaluationAlerts";
import { failoverPlanName } from "../config";
import {
  automaticTarget,
  CONTROL_REGION,
  regionalProject,
  standbyStackName,
  triggerWitnesses,
} from "../config/control";

export = async () => {
  const cfg = loadControlConfig();

  const home = await readRegionalStack("home", cfg.homeStack, true);
  const standbyRegions = home.standbyRegions!;
  const standbys = await Promise.all(
    standbyRegions.map((region) =>
      readRegionalStack(`standby-${region}`, standbyStackName(cfg.homeStack, region), false),
    ),
  );
  checkRegionalStacks(home, standbys);
  const automatic = automaticTarget(cfg, standbyRegions);
  // Checked before any resource: a witness in the home or in the automatic standby is a config error.
  const witnessRegions = automatic ? triggerWitnesses(cfg, home.region, automatic).slice(1) : [];

  const planRegion = (s: typeof home, recordSetIdentifier: string) => ({
    region: s.region,
    frontendAsgArn: s.asgArns.frontend,
    backendAsgArn: s.asgArns.backend,
    clusterArn: s.clusterArn,
    dbInstanceClass: s.dbInstanceClass,
    dbInstanceArns: s.dbInstanceArns,
    appHealthAlarmArn: s.appHealthAlarmArn,
    recordSetIdentifier,
  });
  const { project } = regionalProject(cfg.homeStack);
  const plans = standbys.map((standby) => {
    const planName = failoverPlanName(project, standby.region);
    const trigger =
      standby.region === automatic
        ? new FailoverTrigger(`trigger-${standby.region}`, {
            planName,
            homeRegion: home.region,
            standbyRegion: standby.region,
            witnessRegions,
            homeAlbDnsName: home.publicAlbDnsName,
            domain: home.domain,
            minutes: cfg.triggerMinutes,
            alarmTopicArn: standby.opsTopicArn,
            protect: cfg.protectData,
          })
        : undefined;
    return new FailoverPlan(`plan-${standby.region}`, {
      planName,
      home: planRegion(home, home.region),
      // The app domain's SECONDARY is the standby side of every pair: the plan maps its set to the standby.
      standby: planRegion(standby, STANDBY_SET_IDENTIFIER),
      globalClusterIdentifier: home.globalClusterIdentifier!,
      hostedZoneId: home.hostedZoneId,
      domain: home.domain,
      recoveryTimeObjectiveMinutes: cfg.recoveryTimeObjectiveMinutes,
      trigger: trigger && { witnesses: trigger.witnesses, cooldownMinutes: cfg.triggerCooldownMinutes },
      manualApproval: cfg.manualApproval,
      approvalPrincipals: cfg.approvalPrincipals,
      reportRetentionDays: cfg.reportRetentionDays,
      protect: cfg.protectData,
    });
  });

  const routing = new FailoverRouting("routing", {
    domain: home.domain,
    hostedZoneId: home.hostedZoneId,
    home: {
      region: home.region,
      recordName: home.healthRecordName,
      healthCheckId: home.healthCheckId,
      albDnsName: home.publicAlbDnsName,
      albZoneId: home.publicAlbZoneId,
    },
    standbys: standbys.map((s) => ({
      region: s.region,
      recordName: s.healthRecordName,
      healthCheckId: s.healthCheckId,
    })),
    planArns: Object.fromEntries(plans.map((plan, i) => [standbys[i].region, plan.planArn])),
    automatic: cfg.automaticFailover,
    alarmEmails: cfg.alarmEmails,
    protect: cfg.protectData,
  });

  // The control stack's own topic, and the ops topic of every region of the app that is the control
  // stack's region (an EventBridge rule's SNS target is a topic of its own region).
  const evaluation = new PlanEvaluationAlerts("plan-evaluation", {
    region: CONTROL_REGION,
    topicArns: [
      routing.alarmTopicArn,
      ...[home, ...standbys].filter((s) => s.region === CONTROL_REGION).map((s) => s.opsTopicArn),
    ],
  });

  return {
    homeRegion: home.region,
    standbyRegions,
    automaticFailover: cfg.automaticFailover,
    automaticStandbyRegion: automatic ?? null,
    plans: Object.fromEntries(
      plans.map((plan, i) => [
        standbys[i].region,
        {
          planArn: plan.planArn,
          planArnParameter: planArnParameterName(plan.planName),
          executionRoleArn: plan.executionRoleArn,
          approvalRoleArn: plan.approvalRoleArn ?? null,
          approvalRoleArnParameter: plan.approvalRoleArn ? approvalRoleArnParameterName(plan.planName) : null,
          reportBucket: plan.reportBucketName,
          arcHealthCheckIds: routing.arcHealthCheckIds.apply((ids) => ids[standbys[i].region] ?? {}),
        },
      ]),
    ),
    // The alarms (in the automatic standby's region) that must all be red for the trigger to fire.
    triggerWitnessAlarms:
      automatic === undefined
        ? null
        : [automatic, ...witnessRegions].map((r) =>
            witnessAlarmName(failoverPlanName(project, automatic), r),
          ),
    planEvaluationRule: evaluation.ruleName,
    appRecordName: routing.recordName,
    healthCheckAlarmTopicArn: routing.alarmTopicArn,
  };
};
