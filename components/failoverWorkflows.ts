/**
 * What an ARC Region switch plan of this app does, step by step: the two activation workflows, its
 * associated alarms and its trigger, as plain values built from plain values (every ARN a string),
 * so that they are testable without mocks and the DR report (tools/drReport.ts) can time them. The
 * component that registers them is components/failoverPlan.ts; the execution role's permissions for
 * these blocks are components/failoverPlanPolicy.ts. A change of how the failover runs is made here.
 *
 *   activate <standby>  (failover, switchover)             activate <home>  (failback)
 *     approve                       (see below)               approve                (manualApproval)
 *     scale-and-move-writer: in parallel                       scale-and-move-writer: in parallel
 *       scale-frontend · scale-backend                           scale-frontend · scale-backend
 *       scale-aurora (Serverless v2 standby)                     move-aurora-writer → home
 *       move-aurora-writer → standby
 *     route-traffic                                            route-traffic
 *     scale-aurora (provisioned standby of a smaller class)
 *
 * No step before `move-aurora-writer` acts on a resource, so none can fail because the region being
 * left is down: only `approve`, which waits for a person.
 */
import type * as aws from "@pulumi/aws";

/** Minutes ARC waits for each step before it fails the step (and pauses the execution). */
export const STEP_TIMEOUT_MINUTES = {
  approval: 60,
  capacity: 20,
  databaseCapacity: 30,
  database: 30,
  dns: 10,
} as const;

/**
 * Ungraceful (unplanned) executions: the capacity step moves on once this much of the target
 * capacity is in service ("the minimum percentage of compute capacity to match in the destination
 * before moving to the next step", ARC Developer Guide, "EC2 Auto Scaling execution block";
 * valid 0–99, ARC API reference, Ec2Ungraceful). 0: never make users wait for instances that the
 * group keeps launching anyway, while the other region is down.
 */
export const UNGRACEFUL_MIN_CAPACITY_PERCENT = 0;

/** Names of the workflow steps, as `approve-plan-execution-step --step-name` and reports show them. */
export const STEP_NAMES = {
  approval: "approve",
  capacityAndDatabase: "scale-and-move-writer",
  frontendCapacity: "scale-frontend",
  backendCapacity: "scale-backend",
  databaseCapacity: "scale-aurora",
  database: "move-aurora-writer",
  dns: "route-traffic",
} as const;

/**
 * How the standby's Aurora capacity reaches the home's after a region switch:
 * - `serverless`: Serverless v2 instances idle at their minimum ACUs; the AuroraServerlessScaling
 *   block sets the destination's minimum and maximum from the source's peak of the last 24 hours
 *   ("Source is Provisioned: Maps the source cluster's EC2 instance memory to equivalent ACUs",
 *   ARC Developer Guide, "Aurora Serverless Scaling execution block");
 * - `provisioned`: a smaller class than the home's; the AuroraProvisionedScaling block modifies the
 *   destination instance to the source's class ("If both instances are in the same family and the
 *   target is smaller, Region switch modifies the target instance to match the source class", ARC
 *   Developer Guide, "Aurora Provisioned Scaling execution block");
 * - none: the standby runs the home's class already.
 * Both blocks only scale up ("Region switch does not scale down"), so a failback needs neither.
 */
export type DatabaseScaling =
  | { kind: "serverless" }
  | { kind: "provisioned"; homeInstanceArn: string; standbyInstanceArn: string };

export function databaseScalingOf(
  home: { dbInstanceClass: string; dbInstanceArns: string[] },
  standby: { dbInstanceClass: string; dbInstanceArns: string[] },
): DatabaseScaling | undefined {
  if (standby.dbInstanceClass === "db.serverless") return { kind: "serverless" };
  if (standby.dbInstanceClass === home.dbInstanceClass) return undefined;
  return {
    kind: "provisioned",
    homeInstanceArn: home.dbInstanceArns[0],
    standbyInstanceArn: standby.dbInstanceArns[0],
  };
}

type Workflow = aws.types.input.arcregionswitch.PlanWorkflow;
type Step = aws.types.input.arcregionswitch.PlanWorkflowStep;
type ParallelStep = aws.types.input.arcregionswitch.PlanWorkflowStepParallelConfigStep;
type AssociatedAlarm = aws.types.input.arcregionswitch.PlanAssociatedAlarm;
type Trigger = aws.types.input.arcregionswitch.PlanTrigger;

/** Plain values the workflows are built from (every ARN a string), so they are testable without mocks. */
export interface WorkflowValues {
  home: {
    region: string;
    frontendAsgArn: string;
    backendAsgArn: string;
    clusterArn: string;
    recordSetIdentifier: string;
  };
  standby: WorkflowValues["home"];
  globalClusterIdentifier: string;
  hostedZoneId: string;
  domain: string;
  /** The approval role: every workflow starts with the `approve` step when it is given. */
  approvalRoleArn?: string;
  /** How the standby's Aurora capacity is raised; none when it runs the home's class. */
  databaseScaling?: DatabaseScaling;
}

/**
 * The two activation workflows of an active/passive plan, one per region ("If you choose to have
 * separate activation workflows for each Region, you'll create two workflows: one for each Region",
 * ARC Developer Guide, "Region switch workflows"). The same steps in both directions:
 *
 * 1. optional manual approval (`approve`): the only step before the writer moves that is not in
 *    the parallel step; it waits for a person and acts on nothing ("The manual approval and Route 53
 *    health check execution blocks do not assume the execution role", ARC Developer Guide, "Plan
 *    execution role trust policy");
 * 2. in parallel (`scale-and-move-writer`): raise each tier's Auto Scaling group in the activated
 *    region to the other region's capacity (EC2AutoScaling: "ceil(percentToMatch * source
 *    capacity)", "Region switch never scales down" — ARC Developer Guide, "EC2 Auto Scaling
 *    execution block"), raise a Serverless v2 standby's ACUs, and move the Aurora writer
 *    (AuroraGlobalDatabase `switchoverOnly`: "Calls SwitchoverGlobalCluster for a zero-data-loss
 *    switchover during graceful execution"; ungraceful `failover`: "calls FailoverGlobalCluster with
 *    AllowDataLoss set to true" — ARC API reference, GlobalAuroraConfiguration, GlobalAuroraUngraceful).
 *    Writes do not wait for instances or ACUs: the standby's backend already forwards writes (write
 *    forwarding), and Serverless v2 scales on its own under load meanwhile. The serverless raise
 *    derives its target from the source cluster's 24-hour peak, in the region being left, and has no
 *    ungraceful variant (AuroraServerlessScalingConfiguration has no `ungraceful` member, ARC API
 *    reference): nothing documents that it works with that region down. Here, if it fails, the
 *    writer moves all the same and the execution pauses before `route-traffic`
 *    (`update-plan-execution-step --action-to-take skip` on `scale-aurora` lets it continue).
 *    Whether RDS accepts the switchover while ModifyDBCluster's new capacity range applies to the
 *    same cluster: unverified (the DR drill runs both at once);
 * 3. flip the Route 53 health checks ARC created for the app domain's failover records
 *    (Route53HealthCheck; "When you execute your Region switch plan, the Route 53 health check state
 *    is updated, and traffic is redirected based on your DNS configuration" — ARC Developer Guide,
 *    "Amazon Route 53 health check execution block"). Record sets are mapped to regions explicitly;
 * 4. a provisioned standby of a smaller class than the home's is raised last: the class change
 *    restarts the instance ("Region switch modifies the target instance ... polls the target instance
 *    until it reaches available status"), so it may run neither beside the switchover onto that
 *    instance nor before it (it reads the source instance's class, in the region being left). Last,
 *    its failure pauses nothing that matters, and the restart interrupts the new writer's writes
 *    once, after traffic has moved (a cost of the smaller class, docs: DR report, standby options).
 */
export function planWorkflows(v: WorkflowValues): Workflow[] {
  const recordSets = [
    { recordSetIdentifier: v.home.recordSetIdentifier, region: v.home.region },
    { recordSetIdentifier: v.standby.recordSetIdentifier, region: v.standby.region },
  ];
  const capacity = (tier: "frontend" | "backend"): ParallelStep => ({
    name: tier === "frontend" ? STEP_NAMES.frontendCapacity : STEP_NAMES.backendCapacity,
    executionBlockType: "EC2AutoScaling",
    description: `Raise the ${tier} group of the activated region to the other region's capacity`,
    ec2AsgCapacityIncreaseConfigs: [
      {
        // "Enter the ARN for the EC2 Auto Scaling group in each Region for your plan" (one per region).
        asgs: [
          { arn: tier === "frontend" ? v.home.frontendAsgArn : v.home.backendAsgArn },
          { arn: tier === "frontend" ? v.standby.frontendAsgArn : v.standby.backendAsgArn },
        ],
        // The desired capacity of the group in the region being left: no extra CloudWatch metrics
        // needed ("This option does not create additional costs"), unlike autoscalingMaxInLast24Hours.
        capacityMonitoringApproach: "sampledMaxInLast24Hours",
        targetPercent: 100,
        timeoutMinutes: STEP_TIMEOUT_MINUTES.capacity,
        ungraceful: { minimumSuccessPercentage: UNGRACEFUL_MIN_CAPACITY_PERCENT },
      },
    ],
  });
  const database: ParallelStep = {
    name: STEP_NAMES.database,
    executionBlockType: "AuroraGlobalDatabase",
    description: "Move the Aurora writer: switchover (no data loss) when graceful, failover when not",
    globalAuroraConfigs: [
      {
        behavior: "switchoverOnly",
        globalClusterIdentifier: v.globalClusterIdentifier,
        databaseClusterArns: [v.home.clusterArn, v.standby.clusterArn],
        timeoutMinutes: STEP_TIMEOUT_MINUTES.database,
        ungracefuls: [{ ungraceful: "failover" }],
      },
    ],
  };
  // Block types of the ARC API (Step.executionBlockType: "AuroraServerlessScaling",
  // "AuroraProvisionedScaling"; the provider's doc comment lists the older types only).
  const regionClusters = { [v.home.region]: v.home.clusterArn, [v.standby.region]: v.standby.clusterArn };
  const scaling = v.databaseScaling;
  const serverlessCapacity: ParallelStep | undefined =
    scaling?.kind === "serverless"
      ? {
          name: STEP_NAMES.databaseCapacity,
          executionBlockType: "AuroraServerlessScaling",
          description:
            "Raise the activated region's Aurora Serverless v2 capacity to the other region's peak",
          auroraServerlessScalingConfigs: [
            {
              globalClusterIdentifier: v.globalClusterIdentifier,
              regionDatabaseClusterArns: regionClusters,
              targetPercent: 100,
              timeoutMinutes: STEP_TIMEOUT_MINUTES.databaseCapacity,
            },
          ],
        }
      : undefined;
  const provisionedCapacity: Step | undefined =
    scaling?.kind === "provisioned"
      ? {
          name: STEP_NAMES.databaseCapacity,
          executionBlockType: "AuroraProvisionedScaling",
          description:
            "Raise the new writer's instance to the other region's class (restarts it, after traffic has moved)",
          auroraProvisionedScalingConfigs: [
            {
              globalClusterIdentifier: v.globalClusterIdentifier,
              instanceArns: {
                [v.home.region]: scaling.homeInstanceArn,
                [v.standby.region]: scaling.standbyInstanceArn,
              },
              regionDatabaseClusterArns: regionClusters,
              timeoutMinutes: STEP_TIMEOUT_MINUTES.databaseCapacity,
            },
          ],
        }
      : undefined;
  const steps = (region: string): Step[] => {
    // Only activating the standby needs its Aurora capacity raised: the home runs at full size, and
    // both blocks only scale up.
    const toStandby = region === v.standby.region;
    return [
      ...(v.approvalRoleArn
        ? [
            {
              name: STEP_NAMES.approval,
              executionBlockType: "ManualApproval",
              description: "A person approves the region switch before anything moves",
              executionApprovalConfigs: [
                { approvalRole: v.approvalRoleArn, timeoutMinutes: STEP_TIMEOUT_MINUTES.approval },
              ],
            },
          ]
        : []),
      {
        name: STEP_NAMES.capacityAndDatabase,
        executionBlockType: "Parallel",
        description:
          "Scale the tiers (and a Serverless v2 standby) and move the Aurora writer at the same time",
        parallelConfigs: [
          {
            steps: [
              capacity("frontend"),
              capacity("backend"),
              ...(toStandby && serverlessCapacity ? [serverlessCapacity] : []),
              database,
            ],
          },
        ],
      },
      {
        name: STEP_NAMES.dns,
        executionBlockType: "Route53HealthCheck",
        description: `Send ${v.domain} to the activated region`,
        route53HealthCheckConfigs: [
          {
            hostedZoneId: v.hostedZoneId,
            recordName: v.domain,
            recordSets,
            timeoutMinutes: STEP_TIMEOUT_MINUTES.dns,
          },
        ],
      },
      ...(toStandby && provisionedCapacity ? [provisionedCapacity] : []),
    ];
  };
  return [v.standby.region, v.home.region].map((region) => ({
    workflowTargetAction: "activate",
    workflowTargetRegion: region,
    workflowDescription:
      region === v.home.region
        ? `Fail back to the home region ${region}`
        : `Fail over or switch over to ${region}`,
    steps: steps(region),
  }));
}

/** The map key of each region's application-health alarm in `associatedAlarms`. */
export function appHealthAlarmKey(region: string): string {
  return `app-health-${region}`;
}

/** One witness of the automatic trigger: an alarm in the standby region on one probe's view of the home. */
export interface TriggerWitness {
  /** Where the probe runs. */
  probeRegion: string;
  /** The alarm's CloudWatch name: also its key in `associatedAlarms`, which trigger conditions name. */
  alarmName: string;
  alarmArn: string;
}

/** Plain values of the plan's alarms and trigger. */
export interface AlarmValues {
  home: { region: string; appHealthAlarmArn: string };
  standby: { region: string; appHealthAlarmArn: string };
  /** The automatic trigger: every witness red at once activates the standby. @default none (manual) */
  trigger?: { witnesses: TriggerWitness[]; cooldownMinutes: number };
}

/**
 * The plan's associated alarms: each region's application health ("Region switch uses these
 * application health alarms to determine when your application is healthy again", ARC Developer
 * Guide, "About Region switch"), and every witness of the trigger, keyed by its CloudWatch alarm name
 * ("mapBlockKey: Name of the alarm", @pulumi/aws PlanAssociatedAlarm): a TriggerCondition names "the
 * CloudWatch alarm associated with the condition" (ARC API reference), so the key and the alarm's
 * name are one string whichever of the two ARC reads.
 */
export function planAssociatedAlarms(v: AlarmValues): AssociatedAlarm[] {
  return [
    ...[v.home, v.standby].map((r) => ({
      mapBlockKey: appHealthAlarmKey(r.region),
      alarmType: "applicationHealth",
      resourceIdentifier: r.appHealthAlarmArn,
    })),
    ...(v.trigger?.witnesses ?? []).map((w) => ({
      mapBlockKey: w.alarmName,
      alarmType: "trigger",
      resourceIdentifier: w.alarmArn,
    })),
  ];
}

/**
 * The automatic trigger: activate the standby when every witness is red. "When you select more
 * than one condition, all conditions must be met before automated execution of the plan will start"
 * and "The trigger starts plan execution when a CloudWatch alarm transitions to meet the conditions"
 * (ARC Developer Guide, "Create a trigger for a Region switch plan"). Which mode a triggered execution
 * runs in is documented nowhere (Trigger has no mode; StartPlanExecution's `mode` is optional, with
 * no default stated — ARC API reference): unverified. Hence a plan with a trigger always starts with
 * the `approve` step (components/failoverPlan.ts): whatever the mode, a triggered execution moves
 * nothing, the writer least of all, before a person approves.
 */
export function planTriggers(v: AlarmValues): Trigger[] | undefined {
  if (!v.trigger) return undefined;
  return [
    {
      action: "activate",
      targetRegion: v.standby.region,
      description: `Activate ${v.standby.region} when ${v.trigger.witnesses
        .map((w) => w.probeRegion)
        .join(" and ")} all see the home's deep health failing (the execution then waits for approval)`,
      conditions: v.trigger.witnesses.map((w) => ({ associatedAlarmName: w.alarmName, condition: "red" })),
      minDelayMinutesBetweenExecutions: v.trigger.cooldownMinutes,
    },
  ];
}
