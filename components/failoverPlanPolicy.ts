/**
 * The IAM documents of a failover plan: the execution role's trust and permissions, and the approval
 * role's. Each statement is the ARC Developer Guide's sample policy for one block (Region switch,
 * "Identity and Access Management", "Execution block permissions" and the pages beside it), cited
 * next to it and scoped to this plan's resources wherever the action allows it. A statement changes
 * when ARC's guide or the plan's blocks (components/failoverWorkflows.ts) do; the component that
 * attaches them is components/failoverPlan.ts.
 */
import type { DatabaseScaling } from "./failoverWorkflows";

/**
 * The plan's ARN as IAM matches it, for a plan of that name. "Pattern:
 * arn:aws[a-zA-Z-]*:arc-region-switch::[0-9]{12}:plan/([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?):([a-z0-9]{6})"
 * (ARC API reference, StartPlanExecution `planArn`): no region, the name, a colon, and six characters
 * ARC adds. IAM's `?` matches exactly one character ("IAM JSON policy elements: Resource"), so the six
 * `?` match that plan and no plan whose name merely starts with this one. (The guide's sample
 * policies write `plan/<name>/<id>` and `plan/<name>:<id>`; the API's pattern is the one AWS
 * validates, and the Service Authorization Reference's `plan/${ResourceId}` holds it.)
 */
export function planArnPattern(partition: string, accountId: string, planName: string): string {
  return `arn:${partition}:arc-region-switch::${accountId}:plan/${planName}:??????`;
}

/** The trust policy of the execution role. */
export function executionTrustPolicy(): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        // The ARC Developer Guide's trust policy ("Plan execution role trust policy"), as is: it shows
        // no Condition, and no ARC page documents aws:SourceAccount or aws:SourceArn in the requests
        // ARC makes when it assumes the role. A confused-deputy condition on keys ARC may not send
        // would make the role unassumable: evaluation, execution and the trigger would all fail.
        // Unverified either way, so none is set (docs/security.md, issue 21 part 5).
        Effect: "Allow",
        Principal: { Service: "arc-region-switch.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ],
  };
}

/** Plain values the execution role's policy is built from. */
export interface ExecutionPolicyValues {
  partition: string;
  accountId: string;
  planName: string;
  roleArn: string;
  asgArns: string[];
  globalClusterIdentifier: string;
  /** The Aurora clusters of the home and the standby. */
  homeClusterArn: string;
  standbyClusterArn: string;
  hostedZoneId: string;
  /** The application-health alarms (one per region). */
  appHealthAlarmArns: string[];
  /** The trigger's witness alarms; none when the plan has no trigger. */
  triggerAlarmArns: string[];
  reportBucketArn: string;
  /** How the standby's Aurora capacity is raised, with both regions' instances; none when not needed. */
  databaseScaling?: {
    kind: DatabaseScaling["kind"];
    homeInstanceArns: string[];
    standbyInstanceArns: string[];
  };
}

type Statement = {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string[];
};

const allow = (Sid: string, Action: string[], Resource: string[]): Statement => ({
  Sid,
  Effect: "Allow",
  Action,
  Resource,
});

function globalClusterArn(v: ExecutionPolicyValues): string {
  return `arn:${v.partition}:rds::${v.accountId}:global-cluster:${v.globalClusterIdentifier}`;
}

/**
 * What ARC needs of any plan: read the plan and its executions, and plan evaluation's check of this
 * role's own permissions (AWS managed policy AmazonApplicationRecoveryControllerRegionSwitchPlanExecutionPolicy,
 * Sids GetPlanAndExecutions and PlanEvaluation: "Grants permissions to ARC Region switch for plan
 * execution and plan evaluation"; there on "*" and arn:aws:iam::*:role/*, here on this plan and role).
 */
export function planStatements(v: ExecutionPolicyValues): Statement[] {
  const plan = planArnPattern(v.partition, v.accountId, v.planName);
  return [
    allow(
      "ReadThisPlan",
      [
        "arc-region-switch:GetPlan",
        "arc-region-switch:GetPlanExecution",
        "arc-region-switch:ListPlanExecutions",
      ],
      [plan],
    ),
    allow("EvaluateOwnPermissions", ["iam:SimulatePrincipalPolicy"], [v.roleArn]),
  ];
}

/**
 * The trigger: "If your plan has triggers, Region switch assumes the execution role to read the
 * CloudWatch alarms that the triggers use and to start the plan execution" (ARC Developer Guide,
 * "Plan execution role trust policy"); plan evaluation "Checks that the plan's execution role has
 * the arc-region-switch:StartPlanExecution permission required for automated trigger-based execution"
 * and that the trigger's alarm "exists and is accessible with the configured role" ("Plan evaluation
 * for Region switch plans", plan-level checks). Nothing when the plan has no trigger.
 */
export function triggerStatements(v: ExecutionPolicyValues): Statement[] {
  if (v.triggerAlarmArns.length === 0) return [];
  return [
    allow(
      "StartThisPlanOnItsTrigger",
      ["arc-region-switch:StartPlanExecution"],
      [planArnPattern(v.partition, v.accountId, v.planName)],
    ),
    allow("ReadTriggerAlarms", ["cloudwatch:DescribeAlarms"], v.triggerAlarmArns),
  ];
}

/**
 * Application-health alarms ("CloudWatch alarms for application health permissions":
 * cloudwatch:DescribeAlarmHistory and DescribeAlarms on the alarms) — also what execution reports
 * show ("Automatic plan execution reports permissions", the same two actions).
 */
export function alarmStatements(v: ExecutionPolicyValues): Statement[] {
  return [
    allow(
      "ReadAlarms",
      ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"],
      [...v.appHealthAlarmArns, ...v.triggerAlarmArns],
    ),
  ];
}

/**
 * The EC2AutoScaling blocks ("EC2 Auto Scaling execution block sample policy"):
 * DescribeAutoScalingGroups and GetMetricStatistics on "*" (neither has a resource type in the
 * Service Authorization Reference), UpdateAutoScalingGroup on the plan's groups only.
 */
export function autoScalingStatements(v: ExecutionPolicyValues): Statement[] {
  return [
    allow("DescribeGroups", ["autoscaling:DescribeAutoScalingGroups"], ["*"]),
    allow("ScaleTheseGroups", ["autoscaling:UpdateAutoScalingGroup"], v.asgArns),
    allow("ReadScalingMetrics", ["cloudwatch:GetMetricStatistics"], ["*"]),
  ];
}

/**
 * The AuroraGlobalDatabase block ("Aurora Global Database execution block sample policy"):
 * FailoverGlobalCluster and SwitchoverGlobalCluster on the global cluster and both clusters (the
 * sample's three ARNs), DescribeGlobalClusters and DescribeDBClusters (there on "*"; both support
 * resource-level permissions, Service Authorization Reference, Amazon RDS: here the same three ARNs).
 */
export function globalDatabaseStatements(v: ExecutionPolicyValues): Statement[] {
  const resources = [globalClusterArn(v), v.homeClusterArn, v.standbyClusterArn];
  return [
    allow("DescribeDatabases", ["rds:DescribeGlobalClusters", "rds:DescribeDBClusters"], resources),
    allow("MoveTheWriter", ["rds:SwitchoverGlobalCluster", "rds:FailoverGlobalCluster"], resources),
  ];
}

/**
 * The standby's Aurora capacity raise, each scoped to what the block reads or changes:
 * - AuroraServerlessScaling ("Aurora serverless scaling execution block sample policy": rds
 *   DescribeDBInstances, DescribeDBClusters, DescribeGlobalClusters, ModifyDBCluster,
 *   RebootDBInstance; cloudwatch:GetMetricData and ec2:DescribeInstanceTypes on "*"). It reads the
 *   source: a provisioned home "Maps the source cluster's EC2 instance memory to equivalent ACUs"
 *   (the home's instances, described), and "applies the correct min and max ACU capacity to your
 *   destination cluster" (ModifyDBCluster on the standby's cluster only, RebootDBInstance on its
 *   instances only; when ARC reboots is not documented).
 * - AuroraProvisionedScaling ("Aurora provisioned scaling execution block sample policy": rds
 *   DescribeDBInstances, DescribeDBClusters, DescribeGlobalClusters, CreateDBInstance,
 *   ModifyDBInstance; DescribeOrderableDBInstanceOptions and ec2:DescribeInstanceTypes on "*"). "Region
 *   switch reads the source instance class" (the home's instance, described) and "modifies the target
 *   instance", or "creates it in the target cluster" when it does not exist (the standby's instance
 *   and cluster only).
 * GetMetricData's only resource type is CloudWatch's OTLP `dataset`, which RDS's metrics are not, and
 * the others have none: "*" as in ARC's samples (tools/iamPolicies.ts WILDCARD_RESOURCE_REASONS).
 */
export function databaseScalingStatements(v: ExecutionPolicyValues): Statement[] {
  const s = v.databaseScaling;
  if (!s) return [];
  const serverless = s.kind === "serverless";
  return [
    allow(
      "DescribeDatabaseCapacity",
      [
        "ec2:DescribeInstanceTypes",
        ...(serverless ? ["cloudwatch:GetMetricData"] : ["rds:DescribeOrderableDBInstanceOptions"]),
      ],
      ["*"],
    ),
    allow(
      "ReadBothRegionsDatabaseCapacity",
      ["rds:DescribeDBInstances", "rds:DescribeDBClusters", "rds:DescribeGlobalClusters"],
      [
        globalClusterArn(v),
        v.homeClusterArn,
        v.standbyClusterArn,
        ...s.homeInstanceArns,
        ...s.standbyInstanceArns,
      ],
    ),
    serverless
      ? allow(
          "RaiseStandbyDatabaseCapacity",
          ["rds:ModifyDBCluster", "rds:RebootDBInstance"],
          [v.standbyClusterArn, ...s.standbyInstanceArns],
        )
      : allow(
          "RaiseStandbyDatabaseCapacity",
          ["rds:ModifyDBInstance", "rds:CreateDBInstance"],
          [v.standbyClusterArn, ...s.standbyInstanceArns],
        ),
  ];
}

/**
 * The Route53HealthCheck block ("Route 53 health check execution block sample policy":
 * route53:ListResourceRecordSets on the hosted zone). "The manual approval and Route 53 health check
 * execution blocks do not assume the execution role as part of a plan execution"; plan evaluation
 * "Checks that the plan's IAM role is authorized to access the hosted zone".
 */
export function route53Statements(v: ExecutionPolicyValues): Statement[] {
  return [
    allow(
      "FindTheRecords",
      ["route53:ListResourceRecordSets"],
      [`arn:${v.partition}:route53:::hostedzone/${v.hostedZoneId}`],
    ),
  ];
}

/**
 * Execution reports ("Automatic plan execution reports permissions": s3:PutObject on the bucket's
 * objects; the alarm reads are alarmStatements'; the child-plan reads do not apply, this plan has no
 * child). The bucket is encrypted with S3-managed keys (AccessLogBucket), so no KMS permission.
 */
export function reportStatements(v: ExecutionPolicyValues): Statement[] {
  return [allow("WriteReports", ["s3:PutObject"], [`${v.reportBucketArn}/*`])];
}

/** Everything the execution role may do: the statements of every block the plan has, nothing else. */
export function executionPolicyDocument(v: ExecutionPolicyValues): object {
  return {
    Version: "2012-10-17",
    Statement: [
      ...planStatements(v),
      ...triggerStatements(v),
      ...alarmStatements(v),
      ...autoScalingStatements(v),
      ...globalDatabaseStatements(v),
      ...databaseScalingStatements(v),
      ...route53Statements(v),
      ...reportStatements(v),
    ],
  };
}

/**
 * The approval role's trust: the named roles and users only (config `approvalPrincipals`), not the
 * account ("a role that trusts the account root lets every principal of the account that IAM allows
 * assume it": the finding of issue 21 part 5). AWS principals need no confused-deputy condition: no
 * service acts for them.
 */
export function approvalTrustPolicy(principals: string[]): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: principals },
        Action: "sts:AssumeRole",
      },
    ],
  };
}

/**
 * The approval role's permissions ("Manual approval execution block sample policy":
 * arc-region-switch:ApprovePlanExecutionStep on the plan), and the reads an approver needs to find the
 * execution waiting for them (docs/runbook.md: list-plan-executions, get-plan-execution). Plan
 * evaluation "Checks that the approver role has the arc-region-switch:ApprovePlanExecutionStep
 * permission".
 */
export function approvalPolicyDocument(partition: string, accountId: string, planName: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      allow(
        "ApproveThisPlansSteps",
        [
          "arc-region-switch:ApprovePlanExecutionStep",
          "arc-region-switch:GetPlanExecution",
          "arc-region-switch:ListPlanExecutions",
        ],
        [planArnPattern(partition, accountId, planName)],
      ),
    ],
  };
}
