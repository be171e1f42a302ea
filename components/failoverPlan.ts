/**
 * The failover of one home/standby pair, as an Amazon ARC Region switch plan: what to do to make a
 * region the one that serves, run by ARC from the data plane of the region being activated. "Region
 * switch is built on a Regional data plane architecture, where Region switch plans are executed from
 * the Region being activated. This design eliminates dependencies on the impacted Region during the
 * switch" (AWS News Blog, "Introducing Amazon Application Recovery Controller Region switch").
 *
 *   activate <standby>  (failover, switchover)      activate <home>  (failback)
 *     [manual approval]                               [manual approval]
 *     parallel: frontend ASG ▲  backend ASG ▲          parallel: frontend ASG ▲  backend ASG ▲
 *               Aurora writer → standby                          Aurora writer → home
 *     Route 53 health checks → standby                 Route 53 health checks → home
 *
 * A standby whose Aurora capacity is below the home's (Serverless v2, or a smaller class) has it
 * raised first (Aurora capacity ▲), then the parallel step, then Route 53.
 *
 * A plan covers exactly two regions ("Array Members: Fixed number of 2 items", ARC API reference,
 * Plan.regions), hence one plan per standby region. The plan, its execution role and its reports
 * are owned by the control stack, never by a regional stack: creating or changing a plan is ARC's
 * control plane, in us-east-1; executing it is not.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PLAN_NAME_MAX } from "../config";
import { AccessLogBucket } from "./accessLogBucket";
import { Component } from "./component";

/**
 * recoveryTimeObjectiveMinutes: "Minimum value of 1. Maximum value of 10080." (ARC API reference, Plan).
 */
export const RTO_MINUTES_RANGE = [1, 10080] as const;

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

/** The resources of one region that the plan acts on. */
export interface PlanRegion {
  /** The region. Required. */
  region: string;
  /** ARN of the frontend tier's Auto Scaling group. Required. */
  frontendAsgArn: pulumi.Input<string>;
  /** ARN of the backend tier's Auto Scaling group. Required. */
  backendAsgArn: pulumi.Input<string>;
  /** ARN of the region's Aurora cluster (primary or secondary of the global database). Required. */
  clusterArn: pulumi.Input<string>;
  /** ARN of an alarm on the region's application health (ARC's `applicationHealth` alarm). Required. */
  appHealthAlarmArn: pulumi.Input<string>;
  /** Set identifier of the app domain's failover record that sends traffic to this region. Required. */
  recordSetIdentifier: string;
  /** The instance class of the region's Aurora cluster (`db.serverless` for Serverless v2). Required. */
  dbInstanceClass: string;
  /** ARNs of the region's Aurora instances. Required. */
  dbInstanceArns: pulumi.Input<string[]>;
}

export interface FailoverPlanArgs {
  /** Plan name, unique in the account, at most 32 characters. Required. */
  planName: string;
  /** The home region: the plan's primary region. Required. */
  home: PlanRegion;
  /** The standby region this plan can activate. Required. */
  standby: PlanRegion;
  /** Identifier of the Aurora global database. Required. */
  globalClusterIdentifier: pulumi.Input<string>;
  /** Hosted zone of the app domain. Required. */
  hostedZoneId: pulumi.Input<string>;
  /** The app domain: the name of the failover pair whose health checks the plan flips. Required. */
  domain: string;
  /** ARC's recovery time objective, shown against every execution. Required. */
  recoveryTimeObjectiveMinutes: number;
  /**
   * When set, the plan activates the standby on its own when this alarm (in the standby region) is
   * red; `cooldownMinutes` is the least time between two automatic executions. @default none (manual)
   */
  trigger?: { alarmArn: pulumi.Input<string>; cooldownMinutes: number };
  /** Start every execution with a manual approval step. @default false */
  manualApproval?: boolean;
  /** Days the execution reports are kept. Required. */
  reportRetentionDays: number;
  /** Pulumi `protect` on the report bucket. @default true */
  protect?: boolean;
  /** Tags for the plan, roles and bucket. @default {} */
  tags?: Record<string, string>;
}

/** Throws before any resource is registered when the plan cannot be built as described. */
export function validateFailoverPlanArgs(args: FailoverPlanArgs): void {
  const name = args.planName;
  if (name.length < 1 || name.length > PLAN_NAME_MAX || !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) {
    throw new Error(
      `FailoverPlan name "${name}" must be 1–${PLAN_NAME_MAX} letters, digits, "-" or "_" (ARC Region switch plan name)`,
    );
  }
  if (args.home.region === args.standby.region) {
    throw new Error(
      `FailoverPlan "${name}": home and standby are both ${args.home.region}; a plan covers two regions`,
    );
  }
  if (args.home.recordSetIdentifier === args.standby.recordSetIdentifier) {
    throw new Error(
      `FailoverPlan "${name}": home and standby records share set identifier ${args.home.recordSetIdentifier}`,
    );
  }
  const [min, max] = RTO_MINUTES_RANGE;
  const rto = args.recoveryTimeObjectiveMinutes;
  if (!Number.isInteger(rto) || rto < min || rto > max) {
    throw new Error(
      `FailoverPlan "${name}": recoveryTimeObjectiveMinutes ${rto} must be an integer from ${min} to ${max}`,
    );
  }
  if (args.trigger && (!Number.isInteger(args.trigger.cooldownMinutes) || args.trigger.cooldownMinutes < 1)) {
    throw new Error(
      `FailoverPlan "${name}": trigger cooldownMinutes ${args.trigger.cooldownMinutes} must be a positive integer`,
    );
  }
  if (!Number.isInteger(args.reportRetentionDays) || args.reportRetentionDays < 1) {
    throw new Error(
      `FailoverPlan "${name}": reportRetentionDays ${args.reportRetentionDays} must be a positive integer`,
    );
  }
}

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
 * How the standby's Aurora capacity reaches the home's before the writer moves there:
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

/** Associated alarm names (the map keys of `associatedAlarms`, which triggers refer to). */
export function alarmKeys(
  home: string,
  standby: string,
): { homeHealth: string; standbyHealth: string; trigger: string } {
  return {
    homeHealth: `app-health-${home}`,
    standbyHealth: `app-health-${standby}`,
    trigger: `home-unhealthy-${standby}`,
  };
}

type Workflow = aws.types.input.arcregionswitch.PlanWorkflow;
type Step = aws.types.input.arcregionswitch.PlanWorkflowStep;
type ParallelStep = aws.types.input.arcregionswitch.PlanWorkflowStepParallelConfigStep;

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
  approvalRoleArn?: string;
  /** How the standby's Aurora capacity is raised before the writer moves there; none when it is the home's. */
  databaseScaling?: DatabaseScaling;
}

/**
 * The two activation workflows of an active/passive plan, one per region ("If you choose to have
 * separate activation workflows for each Region, you'll create two workflows: one for each Region",
 * ARC Developer Guide, "Region switch workflows"). The same steps in both directions:
 *
 * 1. optional manual approval;
 * 2. in parallel: raise each tier's Auto Scaling group in the activated region to the other region's
 *    capacity (EC2AutoScaling: "ceil(percentToMatch * Source Auto Scaling group capacity)", and
 *    "Region switch does not scale down" — ARC Developer Guide, "EC2 Auto Scaling execution block"),
 *    and move the Aurora writer (AuroraGlobalDatabase `switchoverOnly`: "Calls
 *    SwitchoverGlobalCluster for a zero-data-loss switchover during graceful execution"; ungraceful
 *    `failover`: "calls FailoverGlobalCluster with AllowDataLoss set to true" — ARC API reference,
 *    GlobalAuroraConfiguration, GlobalAuroraUngraceful). In parallel, so writes do not wait for
 *    instances to boot: the standby's backend already forwards writes (write forwarding);
 * 3. flip the Route 53 health checks ARC created for the app domain's failover records
 *    (Route53HealthCheck; "When you execute your Region switch plan, the Route 53 health check state
 *    is updated, and traffic is redirected based on your DNS configuration" — ARC Developer Guide,
 *    "Amazon Route 53 health check execution block"). Record sets are mapped to regions explicitly.
 */
export function planWorkflows(v: WorkflowValues): Workflow[] {
  const recordSets = [
    { recordSetIdentifier: v.home.recordSetIdentifier, region: v.home.region },
    { recordSetIdentifier: v.standby.recordSetIdentifier, region: v.standby.region },
  ];
  const clusters = [v.home.clusterArn, v.standby.clusterArn];
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
        // needed ("this option does not incur additional cost"), unlike autoscalingMaxInLast24Hours.
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
        databaseClusterArns: clusters,
        timeoutMinutes: STEP_TIMEOUT_MINUTES.database,
        ungracefuls: [{ ungraceful: "failover" }],
      },
    ],
  };
  // Only activating the standby needs its Aurora capacity raised: the home runs at full size, and
  // both blocks only scale up. Block types of the ARC API (Step.executionBlockType: "AuroraServerlessScaling",
  // "AuroraProvisionedScaling"; the provider's doc comment lists the older types only).
  const regionClusters = { [v.home.region]: v.home.clusterArn, [v.standby.region]: v.standby.clusterArn };
  const scaling = v.databaseScaling;
  const databaseCapacity: Step | undefined =
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
      : scaling?.kind === "provisioned"
        ? {
            name: STEP_NAMES.databaseCapacity,
            executionBlockType: "AuroraProvisionedScaling",
            description: "Raise the activated region's Aurora instance to the other region's class",
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
  const steps = (region: string): Step[] => [
    ...(v.approvalRoleArn
      ? [
          {
            name: STEP_NAMES.approval,
            executionBlockType: "ManualApproval",
            description: "An operator approves the region switch",
            executionApprovalConfigs: [
              { approvalRole: v.approvalRoleArn, timeoutMinutes: STEP_TIMEOUT_MINUTES.approval },
            ],
          },
        ]
      : []),
    // The writer moves once the standby's Aurora capacity is there (a switchover onto 0.5 ACU would
    // hand the writes to a cluster that then has to scale under them); the tiers do not wait for it.
    ...(databaseCapacity && region === v.standby.region ? [databaseCapacity] : []),
    {
      name: STEP_NAMES.capacityAndDatabase,
      executionBlockType: "Parallel",
      description: "Scale both tiers and move the Aurora writer at the same time",
      parallelConfigs: [{ steps: [capacity("frontend"), capacity("backend"), database] }],
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
  ];
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

/** Plain values the execution role's policy is built from. */
export interface ExecutionPolicyValues {
  partition: string;
  accountId: string;
  planName: string;
  roleArn: string;
  asgArns: string[];
  globalClusterIdentifier: string;
  clusterArns: string[];
  hostedZoneId: string;
  alarmArns: string[];
  reportBucketArn: string;
  /** The standby's Aurora capacity raise, with the ARNs of its cluster's instances; none when not needed. */
  databaseScaling?: { kind: DatabaseScaling["kind"]; instanceArns: string[] };
}

/**
 * What the plan's blocks need, from the ARC Developer Guide's sample policies ("EC2 Auto Scaling
 * execution block sample policy", "Aurora Global Database execution block sample policy", "Route 53
 * health check execution block sample policy", "CloudWatch alarms", "Execution reports") and the AWS
 * managed policy AmazonApplicationRecoveryControllerRegionSwitchPlanExecutionPolicy (plan reads,
 * iam:SimulatePrincipalPolicy for plan evaluation), each scoped to this plan's resources wherever the
 * action allows it.
 */
export function executionPolicyDocument(v: ExecutionPolicyValues): object {
  // Plan ARNs carry no region: "arn:aws[a-zA-Z-]*:arc-region-switch::[0-9]{12}:plan/…" (ARC API
  // reference, StartPlanExecution planArn pattern); ARC appends an id to the name.
  const planArn = `arn:${v.partition}:arc-region-switch::${v.accountId}:plan/${v.planName}:*`;
  const globalClusterArn = `arn:${v.partition}:rds::${v.accountId}:global-cluster:${v.globalClusterIdentifier}`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadThisPlan",
        Effect: "Allow",
        Action: [
          "arc-region-switch:GetPlan",
          "arc-region-switch:GetPlanExecution",
          "arc-region-switch:ListPlanExecutions",
        ],
        Resource: [planArn],
      },
      {
        // Plan evaluation checks that this role may do what the blocks need.
        Sid: "EvaluateOwnPermissions",
        Effect: "Allow",
        Action: ["iam:SimulatePrincipalPolicy"],
        Resource: [v.roleArn],
      },
      {
        Sid: "ReadAlarms",
        Effect: "Allow",
        Action: ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"],
        Resource: v.alarmArns,
      },
      {
        // GetMetricStatistics has no resource-level permissions; the sample policy limits the namespace.
        Sid: "ReadScalingMetrics",
        Effect: "Allow",
        Action: ["cloudwatch:GetMetricStatistics"],
        Resource: ["*"],
      },
      {
        Sid: "DescribeGroups",
        Effect: "Allow",
        Action: ["autoscaling:DescribeAutoScalingGroups"],
        Resource: ["*"],
      },
      {
        Sid: "ScaleTheseGroups",
        Effect: "Allow",
        Action: ["autoscaling:UpdateAutoScalingGroup"],
        Resource: v.asgArns,
      },
      {
        // Both support resource-level permissions (Service Authorization Reference, Amazon RDS:
        // global-cluster, cluster); ARC's Aurora scaling sample policies scope them to the plan's ARNs.
        Sid: "DescribeDatabases",
        Effect: "Allow",
        Action: ["rds:DescribeGlobalClusters", "rds:DescribeDBClusters"],
        Resource: [globalClusterArn, ...v.clusterArns],
      },
      {
        Sid: "MoveTheWriter",
        Effect: "Allow",
        Action: ["rds:SwitchoverGlobalCluster", "rds:FailoverGlobalCluster"],
        Resource: [globalClusterArn, ...v.clusterArns],
      },
      ...databaseScalingStatements(v, globalClusterArn),
      {
        Sid: "FindTheRecords",
        Effect: "Allow",
        Action: ["route53:ListResourceRecordSets"],
        Resource: [`arn:${v.partition}:route53:::hostedzone/${v.hostedZoneId}`],
      },
      {
        Sid: "WriteReports",
        Effect: "Allow",
        Action: ["s3:PutObject"],
        Resource: [`${v.reportBucketArn}/*`],
      },
    ],
  };
}

/**
 * What the Aurora scaling blocks need, from the ARC Developer Guide's sample policies ("Aurora
 * serverless scaling execution block sample policy": rds Describe*, ModifyDBCluster, RebootDBInstance,
 * cloudwatch:GetMetricData, ec2:DescribeInstanceTypes; "Aurora provisioned scaling execution block
 * sample policy": rds Describe*, CreateDBInstance, ModifyDBInstance,
 * DescribeOrderableDBInstanceOptions, ec2:DescribeInstanceTypes), scoped to this plan's clusters and
 * instances where the action allows it.
 */
function databaseScalingStatements(v: ExecutionPolicyValues, globalClusterArn: string): object[] {
  if (!v.databaseScaling) return [];
  const resources = [globalClusterArn, ...v.clusterArns, ...v.databaseScaling.instanceArns];
  const serverless = v.databaseScaling.kind === "serverless";
  return [
    {
      // No resource types, or (GetMetricData) only CloudWatch's OTLP `dataset`, which classic RDS
      // metrics are not: "*" as in ARC's sample policies (tools/iamPolicies.ts WILDCARD_RESOURCE_REASONS).
      Sid: "DescribeDatabaseCapacity",
      Effect: "Allow",
      Action: [
        "ec2:DescribeInstanceTypes",
        ...(serverless ? ["cloudwatch:GetMetricData"] : ["rds:DescribeOrderableDBInstanceOptions"]),
      ],
      Resource: ["*"],
    },
    {
      // DescribeDBInstances supports the `db` resource type: scoped with the rest, as ARC's samples do.
      Sid: "RaiseDatabaseCapacity",
      Effect: "Allow",
      Action: [
        "rds:DescribeDBInstances",
        ...(serverless
          ? ["rds:ModifyDBCluster", "rds:RebootDBInstance"]
          : ["rds:CreateDBInstance", "rds:ModifyDBInstance"]),
      ],
      Resource: resources,
    },
  ];
}

export interface FailoverPlanOutputs {
  /** ARN of the ARC Region switch plan (also in SSM in both regions: `planArnParameterName`). */
  planArn: pulumi.Output<string>;
  /** Name of the plan (`args.planName`). */
  planName: string;
  /** Role ARC assumes to run the plan's steps. */
  executionRoleArn: pulumi.Output<string>;
  /** Role an operator assumes to approve an execution; only with `manualApproval`. */
  approvalRoleArn?: pulumi.Output<string>;
  /** Bucket of the plan's execution reports, in the standby region. */
  reportBucketName: pulumi.Output<string>;
}

export class FailoverPlan extends Component<FailoverPlanOutputs> {
  constructor(name: string, args: FailoverPlanArgs, opts?: pulumi.ComponentResourceOptions) {
    validateFailoverPlanArgs(args);
    super("multi-region-web:failover:FailoverPlan", name, args, opts);
    const tags = { Name: args.planName, ...args.tags };
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    // Reports of every execution, in the standby region: the region that is up when it matters.
    const reports = new AccessLogBucket(
      `${name}-reports`,
      {
        expirationDays: args.reportRetentionDays,
        elbLogDelivery: false,
        region: args.standby.region,
        protect: args.protect ?? true,
        // Who read or changed a report: S3 server access logs, like every bucket that is not itself a log destination.
        serverAccessLogs: true,
      },
      { parent: this },
    );

    const role = new aws.iam.Role(
      `${name}-execution`,
      {
        description: `ARC Region switch plan ${args.planName}: scales the groups, moves the Aurora writer, reads alarms, writes reports`,
        // The trust policy of the ARC Developer Guide ("Trust policy for the execution role"), as is:
        // it documents no condition keys that ARC sets when it assumes the role.
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "arc-region-switch.amazonaws.com" },
              Action: "sts:AssumeRole",
            },
          ],
        }),
        tags,
      },
      { parent: this },
    );

    const databaseScaling = pulumi
      .all([args.home.dbInstanceArns, args.standby.dbInstanceArns])
      .apply(([homeArns, standbyArns]) =>
        databaseScalingOf(
          { dbInstanceClass: args.home.dbInstanceClass, dbInstanceArns: homeArns },
          { dbInstanceClass: args.standby.dbInstanceClass, dbInstanceArns: standbyArns },
        ),
      );
    const alarmArns = [
      args.home.appHealthAlarmArn,
      args.standby.appHealthAlarmArn,
      ...(args.trigger ? [args.trigger.alarmArn] : []),
    ];
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-execution-policy`,
      {
        role: role.id,
        policy: pulumi
          .output({
            partition,
            accountId,
            roleArn: role.arn,
            asgArns: pulumi.all([
              args.home.frontendAsgArn,
              args.home.backendAsgArn,
              args.standby.frontendAsgArn,
              args.standby.backendAsgArn,
            ]),
            globalClusterIdentifier: args.globalClusterIdentifier,
            clusterArns: pulumi.all([args.home.clusterArn, args.standby.clusterArn]),
            hostedZoneId: args.hostedZoneId,
            alarmArns: pulumi.all(alarmArns),
            reportBucketArn: reports.bucketArn,
            databaseScaling,
            standbyInstanceArns: args.standby.dbInstanceArns,
          })
          .apply(({ databaseScaling: scaling, standbyInstanceArns, ...v }) =>
            JSON.stringify(
              executionPolicyDocument({
                ...v,
                planName: args.planName,
                databaseScaling: scaling && { kind: scaling.kind, instanceArns: standbyInstanceArns },
              }),
            ),
          ),
      },
      { parent: this },
    );

    let approvalRole: aws.iam.Role | undefined;
    if (args.manualApproval) {
      // Operators of this account assume it to approve or decline ("The IAM role must be within the
      // account that is the owner of the plan", ARC Developer Guide, "Manual approval execution block").
      approvalRole = new aws.iam.Role(
        `${name}-approval`,
        {
          description: `Approves executions of the ARC Region switch plan ${args.planName}`,
          assumeRolePolicy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${accountId}:root` },
                Action: "sts:AssumeRole",
              },
            ],
          }),
          tags,
        },
        { parent: this },
      );
      new aws.iam.RolePolicy(
        `${name}-approval-policy`,
        {
          role: approvalRole.id,
          policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: [
                  "arc-region-switch:ApprovePlanExecutionStep",
                  "arc-region-switch:GetPlanExecution",
                  "arc-region-switch:ListPlanExecutions",
                ],
                Resource: pulumi.interpolate`arn:${partition}:arc-region-switch::${accountId}:plan/${args.planName}:*`,
              },
            ],
          }),
        },
        { parent: this },
      );
    }

    const keys = alarmKeys(args.home.region, args.standby.region);
    const plan = new aws.arcregionswitch.Plan(
      `${name}-plan`,
      {
        name: args.planName,
        description: `Fail over, switch over and fail back ${args.domain} between ${args.home.region} and ${args.standby.region}`,
        executionRole: role.arn,
        recoveryApproach: "activePassive",
        regions: [args.home.region, args.standby.region],
        primaryRegion: args.home.region,
        recoveryTimeObjectiveMinutes: args.recoveryTimeObjectiveMinutes,
        workflows: pulumi
          .output({
            home: args.home,
            standby: args.standby,
            globalClusterIdentifier: args.globalClusterIdentifier,
            hostedZoneId: args.hostedZoneId,
            approvalRoleArn: approvalRole?.arn,
            databaseScaling,
          })
          .apply((v) => planWorkflows({ ...v, domain: args.domain })),
        associatedAlarms: [
          {
            mapBlockKey: keys.homeHealth,
            alarmType: "applicationHealth",
            resourceIdentifier: args.home.appHealthAlarmArn,
          },
          {
            mapBlockKey: keys.standbyHealth,
            alarmType: "applicationHealth",
            resourceIdentifier: args.standby.appHealthAlarmArn,
          },
          ...(args.trigger
            ? [{ mapBlockKey: keys.trigger, alarmType: "trigger", resourceIdentifier: args.trigger.alarmArn }]
            : []),
        ],
        triggers: args.trigger
          ? [
              {
                action: "activate",
                targetRegion: args.standby.region,
                description: `Activate ${args.standby.region} when ${args.standby.region} sees the home region's deep health failing`,
                conditions: [{ associatedAlarmName: keys.trigger, condition: "red" }],
                minDelayMinutesBetweenExecutions: args.trigger.cooldownMinutes,
              },
            ]
          : undefined,
        reportConfigurations: [
          {
            reportOutputs: [
              {
                s3Configurations: [
                  {
                    bucketPath: pulumi.interpolate`s3://${reports.bucketName}/${args.planName}`,
                    bucketOwner: accountId,
                  },
                ],
              },
            ],
          },
        ],
        tags,
      },
      // The role must carry its permissions before ARC evaluates the plan (right after creation).
      // ARC returns the workflows in another order than sent (hashicorp/terraform-provider-aws#47282,
      // "Provider produced inconsistent result after apply"); the provider's own acceptance tests
      // ignore them after creation for that reason. Here they are compared as sent, so a change in
      // the plan's content still shows in the preview; if a deployed plan keeps showing a diff in
      // `workflows` with unchanged inputs, that is the provider issue, not drift.
      { parent: this, dependsOn: [rolePolicy] },
    );

    // Where on-call finds the plan's ARN during an outage: SSM Parameter Store in each of the plan's
    // regions, read from the region that is up (a regional data-plane call).
    for (const region of [args.home.region, args.standby.region]) {
      new aws.ssm.Parameter(
        `${name}-arn-${region}`,
        {
          region,
          name: planArnParameterName(args.planName),
          type: "String",
          value: plan.arn,
          description: `ARN of the ARC Region switch plan ${args.planName}`,
          tags,
        },
        { parent: this },
      );
    }

    this.publish({
      planArn: plan.arn,
      planName: args.planName,
      executionRoleArn: role.arn,
      approvalRoleArn: approvalRole?.arn,
      reportBucketName: reports.bucketName,
    });
  }
}

/** The SSM parameter that holds a plan's ARN, in both of its regions. */
export function planArnParameterName(planName: string): string {
  return `/failover/${planName}/plan-arn`;
}
