/**
 * The failover control stack: one ARC Region switch plan per home/standby pair, and the app domain's
 * failover pair whose health checks the plans flip. It reads the regional stacks (home first, then the
 * standby regions the home lists) through StackReferences; no regional stack reads it, so there is no
 * cycle, and the regional stacks deploy without it.
 *
 *   plan <home>↔<standby>  (one per standby)  ─ scales the ASGs, moves the Aurora writer, flips the checks
 *   <domain> PRIMARY (ARC check of the home) → serve.<domain> │ SECONDARY (ARC check of the standby) → standby.<domain>
 *   serve.<domain> PRIMARY → home.<domain> │ SECONDARY → standby.<domain>   (components/failoverRouting.ts)
 *   alarms on every region's deep health check (us-east-1, where Route 53 publishes its metrics)
 *
 * Executing a plan needs none of this stack: ARC runs it from the data plane of the region being
 * activated, and the plan's ARN is in SSM Parameter Store in both of its regions (docs/runbook.md).
 */
import { loadControlConfig } from "./config";
import { checkRegionalStacks, readRegionalStack } from "./regionalStacks";
import { FailoverPlan, planArnParameterName } from "../components/failoverPlan";
import { FailoverRouting } from "../components/failoverRouting";
import { failoverPlanName } from "../config";
import { automaticTarget, regionalProject, standbyStackName } from "../config/control";

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
  const plans = standbys.map(
    (standby) =>
      new FailoverPlan(`plan-${standby.region}`, {
        planName: failoverPlanName(project, standby.region),
        home: planRegion(home, home.region),
        // The app domain's SECONDARY (set "standby") is the standby side of every pair.
        standby: planRegion(standby, "standby"),
        globalClusterIdentifier: home.globalClusterIdentifier!,
        hostedZoneId: home.hostedZoneId,
        domain: home.domain,
        recoveryTimeObjectiveMinutes: cfg.recoveryTimeObjectiveMinutes,
        trigger:
          standby.region === automatic
            ? { alarmArn: standby.homeProbeAlarmArn!, cooldownMinutes: cfg.triggerCooldownMinutes }
            : undefined,
        manualApproval: cfg.manualApproval,
        reportRetentionDays: cfg.reportRetentionDays,
        protect: cfg.protectData,
      }),
  );

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
          reportBucket: plan.reportBucketName,
          arcHealthCheckIds: routing.arcHealthCheckIds.apply((ids) => ids[standbys[i].region] ?? {}),
        },
      ]),
    ),
    appRecordName: routing.recordName,
    healthCheckAlarmTopicArn: routing.alarmTopicArn,
  };
};
