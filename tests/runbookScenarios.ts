/**
 * The world the runbook's blocks meet, as ARC, SSM, STS, CloudWatch and RDS answer (their APIs'
 * response shapes), for the stub `aws` of tests/awsStub.ts: the plan's ARN and approval role's are the
 * ones the example control stack registers, the executions are in the states of the ARC API's
 * ExecutionState, and each scenario is one night the runbook must get through.
 */
import { Responses, StubResponse } from "./awsStub";

export const HOME = "us-east-1";
export const STANDBY = "ca-central-1";
export const ACCOUNT = "123456789012";

export interface World {
  planArn: string;
  approvalRoleArn: string;
}

const T = (hms: string) => `2026-11-14T${hms}+00:00`;

export const ssm = (name: string, value: string, region: string): StubResponse => ({
  json: {
    Parameter: {
      Name: name,
      Type: "String",
      Value: value,
      Version: 1,
      LastModifiedDate: "2026-11-02T09:41:20.114000+00:00",
      ARN: `arn:aws:ssm:${region}:${ACCOUNT}:parameter${name}`,
      DataType: "text",
    },
  },
});

export const parameterNotFound: StubResponse = {
  error: "An error occurred (ParameterNotFound) when calling the GetParameter operation: ",
  rc: 254,
};

/** An AbbreviatedExecution of ListPlanExecutions. */
export function item(
  w: World,
  id: string,
  state: string,
  mode: "graceful" | "ungraceful",
  region = STANDBY,
  start = "03:12:09.551000",
) {
  return {
    planArn: w.planArn,
    executionId: id,
    version: "3",
    updatedAt: T(start),
    startTime: T(start),
    ...(["completed", "canceled", "failed", "planExecutionTimedOut", "completedWithExceptions"].includes(
      state,
    ) && {
      endTime: T(start.replace(/^03/, "04")),
    }),
    mode,
    executionState: state,
    executionAction: "activate",
    executionRegion: region,
  };
}

/** The drill of last month: an execution every list shows, ended long ago. */
export const OLD_DRILL = (w: World) => ({
  ...item(w, "e-0c1d2e3f4a5b6c7d", "completed", "graceful", STANDBY, "15:00:02.418000"),
  startTime: "2026-10-14T15:00:02.418000+00:00",
  updatedAt: "2026-10-14T15:06:10.734000+00:00",
  endTime: "2026-10-14T15:06:10.734000+00:00",
  comment: "DR drill: activate ca-central-1 (run 9182736455)",
});

export const list = (...items: object[]): StubResponse => ({ json: { items } });

/** GetPlanExecution (the parts the blocks read; the drill fixtures have the whole shape). */
export function execution(
  w: World,
  id: string,
  state: string,
  mode: "graceful" | "ungraceful",
  steps: [string, string][],
  region = STANDBY,
): StubResponse {
  return {
    json: {
      planArn: w.planArn,
      executionId: id,
      version: "3",
      updatedAt: T("03:31:40.002000"),
      startTime: T("03:12:09.551000"),
      mode,
      executionState: state,
      executionAction: "activate",
      executionRegion: region,
      stepStates: steps.map(([name, status], i) => ({
        name,
        status,
        ...(status !== "notStarted" && { startTime: T(`03:2${i}:00.000000`) }),
        ...(["completed", "failed", "skipped"].includes(status) && { endTime: T(`03:2${i}:40.000000`) }),
        stepMode: mode,
      })),
    },
  };
}

export const started = (w: World, id: string, region = STANDBY): StubResponse => ({
  json: {
    executionId: id,
    plan: w.planArn,
    planVersion: "3",
    activateRegion: region,
    deactivateRegion: region === STANDBY ? HOME : STANDBY,
  },
});

export const empty: StubResponse = { json: {} };

export const illegalState = (op: string): StubResponse => ({
  error: `An error occurred (IllegalStateException) when calling the ${op} operation: the execution's state does not allow it`,
  rc: 254,
});

export const evaluation = (w: World, state: string, region = STANDBY): StubResponse => ({
  json: {
    planArn: w.planArn,
    lastEvaluationTime: T("02:00:13.771000"),
    lastEvaluatedVersion: "3",
    region,
    evaluationState: state,
    warnings:
      state === "passed"
        ? []
        : [
            {
              workflow: { action: "activate", name: "Fail over or switch over to ca-central-1" },
              version: "3",
              stepName: "scale-aurora",
              resourceArn: `arn:aws:rds:${STANDBY}:${ACCOUNT}:cluster:multi-region-web-ca-central-1-cluster`,
              warningStatus: "active",
              warningUpdatedTime: T("02:00:13.771000"),
              warningMessage: "The execution role is missing rds:ModifyDBCluster on the resource",
            },
          ],
  },
});

export const healthChecks = (w: World): StubResponse => ({
  json: {
    healthChecks: [
      {
        hostedZoneId: "Z0123456789ABCDEFGHIJ",
        healthCheckId: "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
        recordName: "app.example.com",
        status: "healthy",
        region: HOME,
      },
      {
        hostedZoneId: "Z0123456789ABCDEFGHIJ",
        healthCheckId: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        recordName: "app.example.com",
        status: "unhealthy",
        region: STANDBY,
      },
    ].map((h) => ({ ...h, planArn: w.planArn })),
  },
});

function alarm(name: string, state: string, probeRegion: string | undefined, since: string) {
  return {
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:${STANDBY}:${ACCOUNT}:alarm:${name}`,
    ActionsEnabled: true,
    StateValue: state,
    StateReason: "Threshold Crossed",
    StateUpdatedTimestamp: T(since),
    MetricName: probeRegion ? "HomeDeepHealth" : "HTTPCode_ELB_5XX_Count",
    Namespace: probeRegion ? "MultiRegionWeb/Failover" : "AWS/ApplicationELB",
    Statistic: "Minimum",
    Dimensions: probeRegion
      ? [
          { Name: "Domain", Value: "app.example.com" },
          { Name: "HomeRegion", Value: HOME },
          { Name: "ProbeRegion", Value: probeRegion },
        ]
      : [{ Name: "LoadBalancer", Value: "app/frontend-alb-990c037/aa1b3737acdad355" }],
    Period: 60,
    EvaluationPeriods: 5,
    Threshold: 1,
    ComparisonOperator: "LessThanThreshold",
  };
}

/** The standby's alarms while the home is down: the witnesses and its own probe red, an unrelated one OK. */
export const alarmsHomeDown: StubResponse = {
  json: {
    MetricAlarms: [
      alarm("multi-region-web-ca-central-1-home-down-from-ca-central-1", "ALARM", STANDBY, "03:11:02.000000"),
      alarm(
        "multi-region-web-ca-central-1-home-down-from-us-west-2",
        "ALARM",
        "us-west-2",
        "03:11:05.000000",
      ),
      alarm("home-probe-home-unhealthy-822c991", "ALARM", STANDBY, "03:09:01.000000"),
      alarm("ops-public-alb-5xx-rate-022591f", "OK", undefined, "01:00:00.000000"),
    ],
    CompositeAlarms: [],
  },
};

export const rpoLag: StubResponse = {
  json: {
    Label: "AuroraGlobalDBRPOLag",
    Datapoints: [
      { Timestamp: T("03:04:00"), Maximum: 380.0, Unit: "Milliseconds" },
      { Timestamp: T("03:02:00"), Maximum: 412.0, Unit: "Milliseconds" },
      { Timestamp: T("03:03:00"), Maximum: 405.0, Unit: "Milliseconds" },
    ],
  },
};

export const APPROVER_KEY = "ASIAAPPROVER7EXAMPLE";
export const credentials = (w: World): StubResponse => ({
  json: {
    Credentials: {
      AccessKeyId: APPROVER_KEY,
      SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      SessionToken: "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
      Expiration: T("04:12:09"),
    },
    AssumedRoleUser: {
      AssumedRoleId: "AROA3XFRBF535EXAMPLE:on-call-approval",
      Arn: `${w.approvalRoleArn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")}/on-call-approval`,
    },
  },
});

export const accessDenied: StubResponse = {
  error:
    "An error occurred (AccessDenied) when calling the AssumeRole operation: not authorized to perform sts:AssumeRole",
  rc: 254,
};

export const events: StubResponse = {
  json: {
    items: [
      {
        timestamp: T("03:20:41.220000"),
        type: "stepStarted",
        stepName: "scale-aurora",
        executionBlockType: "AuroraServerlessScaling",
        eventId: "ev-1",
      },
      {
        timestamp: T("03:21:12.004000"),
        type: "stepFailed",
        stepName: "scale-aurora",
        executionBlockType: "AuroraServerlessScaling",
        error: "Unable to read the capacity of the source cluster in us-east-1",
        eventId: "ev-2",
        previousEventId: "ev-1",
      },
    ],
  },
};

export const globalCluster: StubResponse = {
  json: {
    GlobalClusters: [
      {
        GlobalClusterIdentifier: "multi-region-web-us-east-1-aurora",
        Engine: "aurora-postgresql",
        Status: "available",
        GlobalClusterMembers: [
          {
            DBClusterArn: `arn:aws:rds:${STANDBY}:${ACCOUNT}:cluster:multi-region-web-ca-central-1-cluster`,
            Readers: [`arn:aws:rds:${HOME}:${ACCOUNT}:cluster:multi-region-web-us-east-1-cluster`],
            IsWriter: true,
          },
          {
            DBClusterArn: `arn:aws:rds:${HOME}:${ACCOUNT}:cluster:multi-region-web-us-east-1-cluster`,
            Readers: [],
            IsWriter: false,
            SynchronizationStatus: "connected",
          },
        ],
      },
    ],
  },
};

/** Steps of the activate-standby workflow, all done. */
const DONE: [string, string][] = [
  ["approve", "completed"],
  ["scale-and-move-writer", "completed"],
  ["scale-frontend", "completed"],
  ["scale-backend", "completed"],
  ["scale-aurora", "completed"],
  ["move-aurora-writer", "completed"],
  ["route-traffic", "completed"],
];

/** A scenario: the blocks pasted, in order, and the responses the world gives. */
export interface Scenario {
  title: string;
  blocks: string[];
  responses: (w: World) => Responses;
}

const ssmPlan = (w: World, region = STANDBY) =>
  ssm("/failover/multi-region-web-ca-central-1/plan-arn", w.planArn, region);
const ssmRole = (w: World, region = STANDBY) =>
  ssm("/failover/multi-region-web-ca-central-1/approval-role-arn", w.approvalRoleArn, region);

export const TRIGGERED = "e-7d3f0a9c51b24e6d";
export const STARTED = "e-b1c2d3e4f5a60718";
export const PAUSED = "e-4e5f6a7b8c9d0e1f";

export const SCENARIOS: Scenario[] = [
  {
    title:
      "unplanned: the trigger's run waits for approval; it is switched to ungraceful, approved and completes",
    blocks: ["A1", "A2", "A3", "A4", "A5"],
    responses: (w) => ({
      "ssm get-parameter": [ssmPlan(w), ssmRole(w)],
      "arc-region-switch list-plan-executions": [
        list(item(w, TRIGGERED, "pendingManualApproval", "graceful"), OLD_DRILL(w)),
      ],
      "cloudwatch describe-alarms": [alarmsHomeDown],
      "cloudwatch get-metric-statistics": [rpoLag],
      "arc-region-switch update-plan-execution": [empty],
      "sts assume-role": [credentials(w)],
      "arc-region-switch approve-plan-execution-step": [empty],
      "arc-region-switch get-plan-execution": [execution(w, TRIGGERED, "completed", "ungraceful", DONE)],
    }),
  },
  {
    title:
      "unplanned: nothing started yet (manual mode, or before the trigger); an ungraceful run is started and approved",
    blocks: ["A1", "A2", "A3", "A4", "A5"],
    responses: (w) => ({
      "ssm get-parameter": [ssmPlan(w), ssmRole(w)],
      "arc-region-switch list-plan-executions": [list(OLD_DRILL(w))],
      "cloudwatch describe-alarms": [alarmsHomeDown],
      "cloudwatch get-metric-statistics": [rpoLag],
      "arc-region-switch start-plan-execution": [started(w, STARTED)],
      "sts assume-role": [credentials(w)],
      "arc-region-switch approve-plan-execution-step": [empty],
      "arc-region-switch get-plan-execution": [
        execution(w, STARTED, "inProgress", "ungraceful", [
          ["approve", "completed"],
          ["scale-and-move-writer", "running"],
        ]),
      ],
    }),
  },
  {
    title:
      "unplanned: a run paused on a failed scale-aurora; switched, the step skipped, the run resumed and completed",
    blocks: ["A1", "A3", "A5", "E4", "E2", "A5"],
    responses: (w) => ({
      "ssm get-parameter": [ssmPlan(w)],
      "arc-region-switch list-plan-executions": [
        list(item(w, PAUSED, "pausedByFailedStep", "graceful"), OLD_DRILL(w)),
      ],
      "arc-region-switch update-plan-execution": [empty],
      "arc-region-switch get-plan-execution": [
        execution(w, PAUSED, "pausedByFailedStep", "ungraceful", [
          ["approve", "completed"],
          ["scale-and-move-writer", "failed"],
          ["scale-frontend", "completed"],
          ["scale-backend", "completed"],
          ["scale-aurora", "failed"],
          ["move-aurora-writer", "completed"],
          ["route-traffic", "notStarted"],
        ]),
        execution(
          w,
          PAUSED,
          "completedWithExceptions",
          "ungraceful",
          DONE.map(([n, s]) => [n, n === "scale-aurora" ? "skipped" : s]),
        ),
      ],
      "arc-region-switch list-plan-execution-events": [events],
      "arc-region-switch update-plan-execution-step": [empty],
    }),
  },
  {
    title: "unplanned: ARC refuses to switch the waiting run; it is cancelled and an ungraceful one started",
    blocks: ["A1", "A3", "E0", "E3", "A3"],
    responses: (w) => ({
      "ssm get-parameter": [ssmPlan(w)],
      "arc-region-switch list-plan-executions": [
        list(item(w, TRIGGERED, "pendingManualApproval", "graceful"), OLD_DRILL(w)),
        list(item(w, TRIGGERED, "pendingManualApproval", "graceful"), OLD_DRILL(w)),
        list(item(w, TRIGGERED, "pendingManualApproval", "graceful"), OLD_DRILL(w)),
        list(item(w, TRIGGERED, "canceled", "graceful"), OLD_DRILL(w)),
      ],
      "arc-region-switch update-plan-execution": [illegalState("UpdatePlanExecution")],
      "arc-region-switch cancel-plan-execution": [empty],
      "arc-region-switch start-plan-execution": [started(w, STARTED)],
    }),
  },
  {
    title: "unplanned: two open executions; A3 changes nothing",
    blocks: ["A1", "A3"],
    responses: (w) => ({
      "ssm get-parameter": [ssmPlan(w)],
      "arc-region-switch list-plan-executions": [
        list(
          item(w, TRIGGERED, "pendingManualApproval", "graceful"),
          item(w, PAUSED, "pausedByOperator", "graceful"),
        ),
      ],
    }),
  },
  {
    title: "unplanned: the plan's ARN is not found; nothing after the lookup changes anything",
    blocks: ["A1", "A2", "A3", "A4", "A5"],
    responses: (w) => ({
      "ssm get-parameter": [parameterNotFound, ssmRole(w)],
      "cloudwatch describe-alarms": [alarmsHomeDown],
      "cloudwatch get-metric-statistics": [rpoLag],
      "sts assume-role": [credentials(w)],
    }),
  },
  {
    title: "unplanned: the approval role cannot be assumed; nothing is approved",
    blocks: ["A1", "A3", "A4"],
    responses: (w) => ({
      "ssm get-parameter": [ssmPlan(w), ssmRole(w)],
      "arc-region-switch list-plan-executions": [
        list(item(w, TRIGGERED, "pendingManualApproval", "graceful")),
      ],
      "arc-region-switch update-plan-execution": [empty],
      "sts assume-role": [accessDenied],
    }),
  },
  {
    title: "planned switchover: evaluation passed, a graceful run started, approved, watched",
    blocks: ["P1", "B1", "B2", "A4", "A5"],
    responses: (w) => ({
      "ssm get-parameter": [ssmPlan(w), ssmPlan(w), ssmRole(w)],
      "arc-region-switch get-plan-evaluation-status": [evaluation(w, "passed")],
      "arc-region-switch list-route53-health-checks-in-region": [healthChecks(w)],
      "arc-region-switch list-plan-executions": [list(OLD_DRILL(w))],
      "arc-region-switch start-plan-execution": [started(w, STARTED)],
      "sts assume-role": [credentials(w)],
      "arc-region-switch approve-plan-execution-step": [empty],
      "arc-region-switch get-plan-execution": [
        execution(w, STARTED, "inProgress", "graceful", [
          ["approve", "completed"],
          ["scale-and-move-writer", "running"],
        ]),
      ],
    }),
  },
  {
    title: "planned switchover: the evaluation is not passed; nothing is started",
    blocks: ["B1", "B2"],
    responses: (w) => ({
      "ssm get-parameter": [ssmPlan(w)],
      "arc-region-switch list-plan-executions": [list(OLD_DRILL(w))],
      "arc-region-switch get-plan-evaluation-status": [evaluation(w, "actionRequired")],
    }),
  },
  {
    title: "failback: from the home region, graceful, approved there",
    blocks: ["C1", "C2", "A4", "A5"],
    responses: (w) => ({
      "ssm get-parameter": [ssmPlan(w, HOME), ssmRole(w, HOME)],
      "rds describe-global-clusters": [globalCluster],
      "arc-region-switch list-plan-executions": [
        list(item(w, TRIGGERED, "completed", "ungraceful"), OLD_DRILL(w)),
      ],
      "arc-region-switch get-plan-evaluation-status": [evaluation(w, "passed", HOME)],
      "arc-region-switch start-plan-execution": [started(w, STARTED, HOME)],
      "sts assume-role": [credentials(w)],
      "arc-region-switch approve-plan-execution-step": [empty],
      "arc-region-switch get-plan-execution": [
        execution(
          w,
          STARTED,
          "completed",
          "graceful",
          DONE.filter(([n]) => n !== "scale-aurora"),
          HOME,
        ),
      ],
    }),
  },
  {
    title:
      "after-care: the standby's groups back to their floor, its Aurora Serverless range back to its own",
    blocks: ["F1"],
    responses: () => ({
      "autoscaling describe-auto-scaling-groups": [
        {
          json: {
            AutoScalingGroups: ["frontend-asg-54ff0a1", "backend-asg-70d73c2", "some-other-asg-0a1b2c3"].map(
              (n) => ({
                AutoScalingGroupName: n,
                MinSize: 2,
                MaxSize: 6,
                DesiredCapacity: 2,
              }),
            ),
          },
        },
      ],
      "autoscaling update-auto-scaling-group": [empty, empty],
      "rds modify-db-cluster": [
        {
          json: {
            DBCluster: {
              DBClusterIdentifier: "multi-region-web-ca-central-1-cluster",
              ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16.0 },
            },
          },
        },
      ],
    }),
  },
];
