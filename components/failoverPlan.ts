/**
 * The failover of one home/standby pair, as an Amazon ARC Region switch plan: what to do to make a
 * region the one that serves, run by ARC from the data plane of the region being activated. "Region
 * switch is built on a Regional data plane architecture, where Region switch plans are executed from
 * the Region being activated. This design eliminates dependencies on the impacted Region during the
 * switch" (AWS News Blog, "Introducing Amazon Application Recovery Controller Region switch").
 *
 * This component registers the plan, its execution role, its approval role, its reports bucket and
 * the SSM parameters on-call reads during an outage. What the plan does is components/failoverWorkflows.ts
 * (steps, alarms, trigger); what its roles may do is components/failoverPlanPolicy.ts.
 *
 * A plan covers exactly two regions ("Array Members: Fixed number of 2 items", ARC API reference,
 * Plan.regions), hence one plan per standby region. The plan, its roles and its reports are owned by
 * the control stack, never by a regional stack: creating or changing a plan is ARC's control plane,
 * in us-east-1; executing it is not.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PLAN_NAME_MAX, PLAN_NAME_PATTERN } from "../config";
import { AccessLogBucket } from "./accessLogBucket";
import { Component } from "./component";
import {
  approvalPolicyDocument,
  approvalTrustPolicy,
  executionPolicyDocument,
  ExecutionPolicyValues,
  executionTrustPolicy,
} from "./failoverPlanPolicy";
import { databaseScalingOf, planAssociatedAlarms, planTriggers, planWorkflows } from "./failoverWorkflows";

/**
 * recoveryTimeObjectiveMinutes: "Minimum value of 1. Maximum value of 10080." (ARC API reference, Plan).
 */
export const RTO_MINUTES_RANGE = [1, 10080] as const;

/**
 * Conditions of one trigger: "Array Members: Minimum number of 1 item. Maximum number of 10 items."
 * (ARC API reference, Trigger.conditions).
 */
export const TRIGGER_CONDITIONS_MAX = 10;

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

/** One witness alarm of the trigger (components/failoverTrigger.ts), in the standby region. */
export interface PlanTriggerWitness {
  /** Where the witness's probe runs. */
  probeRegion: string;
  /** The alarm's name (fixed, not auto-named: the trigger condition names it). */
  alarmName: string;
  alarmArn: pulumi.Input<string>;
}

export interface FailoverPlanArgs {
  /** Plan name, unique in the account: ARC's name rules (PLAN_NAME_PATTERN, at most 32). Required. */
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
   * When set, ARC starts the plan's standby workflow once every witness alarm is red, at least
   * `cooldownMinutes` after its last automatic execution; the execution then waits in `approve`
   * (a plan with a trigger always has the approval step). @default none (manual)
   */
  trigger?: { witnesses: PlanTriggerWitness[]; cooldownMinutes: number };
  /** Start every execution with a manual approval step. @default false */
  manualApproval?: boolean;
  /**
   * The IAM roles and users that may assume the approval role. Required (at least one) when the plan
   * has the approval step: manualApproval or a trigger. @default []
   */
  approvalPrincipals?: string[];
  /** Days the execution reports are kept. Required. */
  reportRetentionDays: number;
  /** Pulumi `protect` on the report bucket. @default true */
  protect?: boolean;
  /** Tags for the plan, roles and bucket. @default {} */
  tags?: Record<string, string>;
}

/** Whether the plan's workflows start with the approval step. */
export function needsApproval(args: Pick<FailoverPlanArgs, "manualApproval" | "trigger">): boolean {
  return (args.manualApproval ?? false) || args.trigger !== undefined;
}

/** Throws before any resource is registered when the plan cannot be built as described. */
export function validateFailoverPlanArgs(args: FailoverPlanArgs): void {
  const name = args.planName;
  // PLAN_NAME_PATTERN bounds the length too (a character, at most 30, a character).
  if (!PLAN_NAME_PATTERN.test(name)) {
    throw new Error(
      `FailoverPlan name "${name}" must be 1–${PLAN_NAME_MAX} letters, digits or "-", a letter or digit at both ends (ARC API reference, CreatePlan name)`,
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
  const trigger = args.trigger;
  if (trigger) {
    if (!Number.isInteger(trigger.cooldownMinutes) || trigger.cooldownMinutes < 1) {
      throw new Error(
        `FailoverPlan "${name}": trigger cooldownMinutes ${trigger.cooldownMinutes} must be a positive integer`,
      );
    }
    const regions = trigger.witnesses.map((w) => w.probeRegion);
    if (new Set(regions).size < 2) {
      throw new Error(
        `FailoverPlan "${name}": the trigger has witnesses in ${regions.join(", ") || "no region"}; it needs at least two, in two regions, so that one vantage point alone never starts a failover`,
      );
    }
    if (regions.includes(args.home.region)) {
      throw new Error(
        `FailoverPlan "${name}": a trigger witness probes from the home region ${args.home.region}, which goes down with it`,
      );
    }
    if (trigger.witnesses.length > TRIGGER_CONDITIONS_MAX) {
      throw new Error(
        `FailoverPlan "${name}": ${trigger.witnesses.length} trigger witnesses; a trigger holds at most ${TRIGGER_CONDITIONS_MAX} conditions`,
      );
    }
  }
  if (needsApproval(args) && (args.approvalPrincipals ?? []).length === 0) {
    throw new Error(
      `FailoverPlan "${name}": ${args.trigger ? "a plan with a trigger" : "manualApproval"} needs approvalPrincipals, the roles or users that may approve`,
    );
  }
  if (!Number.isInteger(args.reportRetentionDays) || args.reportRetentionDays < 1) {
    throw new Error(
      `FailoverPlan "${name}": reportRetentionDays ${args.reportRetentionDays} must be a positive integer`,
    );
  }
}

/** The plan's settings that come from the arguments alone. */
export function planSettings(
  args: Pick<FailoverPlanArgs, "planName" | "domain" | "home" | "standby" | "recoveryTimeObjectiveMinutes">,
) {
  return {
    name: args.planName,
    description: `Fail over, switch over and fail back ${args.domain} between ${args.home.region} and ${args.standby.region}`,
    // "An active/passive approach deploys two application replicas into two Regions, with traffic
    // routed to the active Region only" (ARC Developer Guide, "Create a Region switch plan"); "you have
    // a primary and a secondary Region" ("Create Region switch plan workflows"): the home is the primary.
    recoveryApproach: "activePassive",
    regions: [args.home.region, args.standby.region],
    primaryRegion: args.home.region,
    recoveryTimeObjectiveMinutes: args.recoveryTimeObjectiveMinutes,
  };
}

/** A PlanRegion with its values known (what the execution role's policy is built from). */
export type PlanRegionValues = pulumi.Unwrap<PlanRegion>;

/**
 * The values of the execution role's policy, from the plan's arguments once known: both regions'
 * groups and alarms, and both regions' Aurora instances when the standby's capacity is raised.
 */
export function executionPolicyValues(v: {
  partition: string;
  accountId: string;
  planName: string;
  roleArn: string;
  reportBucketArn: string;
  globalClusterIdentifier: string;
  hostedZoneId: string;
  home: PlanRegionValues;
  standby: PlanRegionValues;
  triggerAlarmArns: string[];
}): ExecutionPolicyValues {
  const scaling = databaseScalingOf(v.home, v.standby);
  return {
    partition: v.partition,
    accountId: v.accountId,
    planName: v.planName,
    roleArn: v.roleArn,
    asgArns: [v.home.frontendAsgArn, v.home.backendAsgArn, v.standby.frontendAsgArn, v.standby.backendAsgArn],
    globalClusterIdentifier: v.globalClusterIdentifier,
    homeClusterArn: v.home.clusterArn,
    standbyClusterArn: v.standby.clusterArn,
    hostedZoneId: v.hostedZoneId,
    appHealthAlarmArns: [v.home.appHealthAlarmArn, v.standby.appHealthAlarmArn],
    triggerAlarmArns: v.triggerAlarmArns,
    reportBucketArn: v.reportBucketArn,
    databaseScaling: scaling && {
      kind: scaling.kind,
      homeInstanceArns: v.home.dbInstanceArns,
      standbyInstanceArns: v.standby.dbInstanceArns,
    },
  };
}

export interface FailoverPlanOutputs {
  /** ARN of the ARC Region switch plan (also in SSM in both regions: `planArnParameterName`). */
  planArn: pulumi.Output<string>;
  /** Name of the plan (`args.planName`). */
  planName: string;
  /** Role ARC assumes to run the plan's steps. */
  executionRoleArn: pulumi.Output<string>;
  /** Role an approver assumes (also in SSM in both regions: `approvalRoleArnParameterName`); only with the approval step. */
  approvalRoleArn?: pulumi.Output<string>;
  /** Bucket of the plan's execution reports, in the standby region. */
  reportBucketName: pulumi.Output<string>;
}

// Stryker disable all: the component's registration (resources, their options, the values' plumbing), run
// under mocks by tests/control.test.ts; the failover mutation run (stryker.failover.config.mjs) mutates the
// pure functions it calls, which hold its decisions.
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
        assumeRolePolicy: JSON.stringify(executionTrustPolicy()),
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
    const witnesses = args.trigger?.witnesses ?? [];
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-execution-policy`,
      {
        role: role.id,
        policy: pulumi
          .output({
            partition,
            accountId,
            roleArn: role.arn,
            globalClusterIdentifier: args.globalClusterIdentifier,
            hostedZoneId: args.hostedZoneId,
            home: args.home,
            standby: args.standby,
            triggerAlarmArns: pulumi.all(witnesses.map((w) => w.alarmArn)),
            reportBucketArn: reports.bucketArn,
          })
          .apply((v) =>
            JSON.stringify(executionPolicyDocument(executionPolicyValues({ ...v, planName: args.planName }))),
          ),
      },
      { parent: this },
    );

    let approvalRole: aws.iam.Role | undefined;
    let approvalPolicy: aws.iam.RolePolicy | undefined;
    if (needsApproval(args)) {
      // "The IAM role must be within the account that is the owner of the plan" (ARC Developer Guide,
      // "Manual approval execution block"); the principals that may assume it are named in config.
      approvalRole = new aws.iam.Role(
        `${name}-approval`,
        {
          description: `Approves executions of the ARC Region switch plan ${args.planName}`,
          assumeRolePolicy: JSON.stringify(approvalTrustPolicy(args.approvalPrincipals!)),
          tags,
        },
        { parent: this },
      );
      approvalPolicy = new aws.iam.RolePolicy(
        `${name}-approval-policy`,
        {
          role: approvalRole.id,
          policy: pulumi
            .all([partition, accountId])
            .apply(([p, account]) => JSON.stringify(approvalPolicyDocument(p, account, args.planName))),
        },
        { parent: this },
      );
    }

    const alarmValues = {
      home: { region: args.home.region, appHealthAlarmArn: args.home.appHealthAlarmArn },
      standby: { region: args.standby.region, appHealthAlarmArn: args.standby.appHealthAlarmArn },
      trigger: args.trigger && {
        cooldownMinutes: args.trigger.cooldownMinutes,
        witnesses: args.trigger.witnesses,
      },
    };
    const plan = new aws.arcregionswitch.Plan(
      `${name}-plan`,
      {
        ...planSettings(args),
        executionRole: role.arn,
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
        associatedAlarms: pulumi
          .output(alarmValues)
          .apply((v) => planAssociatedAlarms(v as Parameters<typeof planAssociatedAlarms>[0])),
        triggers: pulumi
          .output(alarmValues)
          .apply((v) => planTriggers(v as Parameters<typeof planTriggers>[0])),
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
      // The roles must carry their permissions before ARC evaluates the plan (right after creation).
      // ARC returns the workflows in another order than sent (hashicorp/terraform-provider-aws#47282,
      // "Provider produced inconsistent result after apply"); the provider's own acceptance tests
      // ignore them after creation for that reason. Here they are compared as sent, so a change in
      // the plan's content still shows in the preview; if a deployed plan keeps showing a diff in
      // `workflows` with unchanged inputs, that is the provider issue, not drift.
      { parent: this, dependsOn: [rolePolicy, ...(approvalPolicy ? [approvalPolicy] : [])] },
    );

    // Where on-call finds the plan's ARN, and the approval role's, during an outage: SSM Parameter
    // Store in each of the plan's regions, read from the region that is up (a regional data-plane
    // call; the role's name has a random suffix, its ARN is nowhere else but in this stack's outputs).
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
      if (approvalRole) {
        new aws.ssm.Parameter(
          `${name}-approval-role-arn-${region}`,
          {
            region,
            name: approvalRoleArnParameterName(args.planName),
            type: "String",
            value: approvalRole.arn,
            description: `ARN of the role that approves executions of the ARC Region switch plan ${args.planName}`,
            tags,
          },
          { parent: this },
        );
      }
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

// Stryker restore all

/** The SSM parameter that holds a plan's ARN, in both of its regions. */
export function planArnParameterName(planName: string): string {
  return `/failover/${planName}/plan-arn`;
}

/** The SSM parameter that holds the ARN of a plan's approval role, in both of its regions. */
export function approvalRoleArnParameterName(planName: string): string {
  return `/failover/${planName}/approval-role-arn`;
}
