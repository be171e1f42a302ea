/**
 * The failover plan's pure parts: its workflows, alarms and trigger (components/failoverWorkflows.ts),
 * its roles' documents, block by block (components/failoverPlanPolicy.ts), and the component's
 * argument checks (components/failoverPlan.ts). No mocks: plain values in, plain values out. The plan
 * as the control stack registers it is tests/control.test.ts.
 */
import { expect } from "chai";
import {
  approvalRoleArnParameterName,
  executionPolicyValues,
  needsApproval,
  planArnParameterName,
  planSettings,
  PlanRegionValues,
  TRIGGER_CONDITIONS_MAX,
  FailoverPlanArgs,
  validateFailoverPlanArgs,
} from "../components/failoverPlan";
import {
  alarmStatements,
  approvalPolicyDocument,
  approvalTrustPolicy,
  autoScalingStatements,
  databaseScalingStatements,
  executionPolicyDocument,
  ExecutionPolicyValues,
  executionTrustPolicy,
  globalDatabaseStatements,
  planArnPattern,
  planStatements,
  reportStatements,
  route53Statements,
  triggerStatements,
} from "../components/failoverPlanPolicy";
import {
  AlarmValues,
  databaseScalingOf,
  planAssociatedAlarms,
  planTriggers,
  planWorkflows,
  STEP_NAMES,
  WorkflowValues,
} from "../components/failoverWorkflows";
import { wildcardMatch } from "../policy/rules/failover";

const VALUES: WorkflowValues = {
  home: {
    region: "us-east-1",
    frontendAsgArn: "arn:aws:autoscaling:us-east-1:1:autoScalingGroup:a:autoScalingGroupName/frontend",
    backendAsgArn: "arn:aws:autoscaling:us-east-1:1:autoScalingGroup:b:autoScalingGroupName/backend",
    clusterArn: "arn:aws:rds:us-east-1:1:cluster:home",
    recordSetIdentifier: "us-east-1",
  },
  standby: {
    region: "ca-central-1",
    frontendAsgArn: "arn:aws:autoscaling:ca-central-1:1:autoScalingGroup:c:autoScalingGroupName/frontend",
    backendAsgArn: "arn:aws:autoscaling:ca-central-1:1:autoScalingGroup:d:autoScalingGroupName/backend",
    clusterArn: "arn:aws:rds:ca-central-1:1:cluster:standby",
    recordSetIdentifier: "standby",
  },
  globalClusterIdentifier: "app-global",
  hostedZoneId: "Z1",
  domain: "app.example.com",
};

/** The Aurora instances of each region, as the regional stacks export them. */
const DB = {
  home: {
    dbInstanceClass: "db.r6g.large",
    dbInstanceArns: ["arn:aws:rds:us-east-1:1:db:home-0", "arn:aws:rds:us-east-1:1:db:home-1"],
  },
  serverless: {
    dbInstanceClass: "db.serverless",
    dbInstanceArns: ["arn:aws:rds:ca-central-1:1:db:standby-0"],
  },
  smaller: { dbInstanceClass: "db.r6g.large", dbInstanceArns: ["arn:aws:rds:ca-central-1:1:db:standby-0"] },
};

type StepLike = {
  name: string;
  executionBlockType: string;
  parallelConfigs?: { steps: StepLike[] }[];
} & Record<string, unknown>;

/** Each step as [name, type, ...parallel sub-steps as name:type]. */
const shape = (steps: unknown) =>
  (steps as StepLike[]).map((s) => [
    s.name,
    s.executionBlockType,
    ...(s.parallelConfigs?.[0].steps.map((p) => `${p.name}:${p.executionBlockType}`) ?? []),
  ]);

const PARALLEL = [
  STEP_NAMES.capacityAndDatabase,
  "Parallel",
  `${STEP_NAMES.frontendCapacity}:EC2AutoScaling`,
  `${STEP_NAMES.backendCapacity}:EC2AutoScaling`,
  `${STEP_NAMES.database}:AuroraGlobalDatabase`,
];
const DNS = [STEP_NAMES.dns, "Route53HealthCheck"];

describe("the plan's workflows (failoverWorkflows.ts)", () => {
  it("has one activate workflow per region: failover/switchover to the standby, failback to the home", () => {
    const workflows = planWorkflows(VALUES);
    expect(workflows.map((w) => [w.workflowTargetAction, w.workflowTargetRegion])).to.deep.equal([
      ["activate", "ca-central-1"],
      ["activate", "us-east-1"],
    ]);
    for (const w of workflows) expect(shape(w.steps)).to.deep.equal([PARALLEL, DNS]);
  });

  it("scales both tiers and moves the writer in parallel: one group and one cluster per region, lossless when graceful", () => {
    const [activateStandby] = planWorkflows(VALUES);
    const parallel = (activateStandby.steps as StepLike[])[0].parallelConfigs![0].steps;
    expect(parallel[0].ec2AsgCapacityIncreaseConfigs).to.deep.equal([
      {
        asgs: [{ arn: VALUES.home.frontendAsgArn }, { arn: VALUES.standby.frontendAsgArn }],
        capacityMonitoringApproach: "sampledMaxInLast24Hours",
        targetPercent: 100,
        timeoutMinutes: 20,
        ungraceful: { minimumSuccessPercentage: 0 },
      },
    ]);
    expect((parallel[1].ec2AsgCapacityIncreaseConfigs as { asgs: unknown }[])[0].asgs).to.deep.equal([
      { arn: VALUES.home.backendAsgArn },
      { arn: VALUES.standby.backendAsgArn },
    ]);
    expect(parallel[2].globalAuroraConfigs).to.deep.equal([
      {
        behavior: "switchoverOnly",
        globalClusterIdentifier: "app-global",
        databaseClusterArns: [VALUES.home.clusterArn, VALUES.standby.clusterArn],
        timeoutMinutes: 30,
        ungracefuls: [{ ungraceful: "failover" }],
      },
    ]);
  });

  it("flips the app domain's records, mapping each record set to its region explicitly", () => {
    const [activateStandby] = planWorkflows(VALUES);
    const dns = (activateStandby.steps as StepLike[])[1];
    expect(dns.route53HealthCheckConfigs).to.deep.equal([
      {
        hostedZoneId: "Z1",
        recordName: "app.example.com",
        recordSets: [
          { recordSetIdentifier: "us-east-1", region: "us-east-1" },
          { recordSetIdentifier: "standby", region: "ca-central-1" },
        ],
        timeoutMinutes: 10,
      },
    ]);
  });

  it("starts with the approval step in both directions when an approval role is given, and only then", () => {
    const workflows = planWorkflows({ ...VALUES, approvalRoleArn: "arn:aws:iam::1:role/approve" });
    for (const w of workflows) {
      const [first, ...rest] = w.steps as StepLike[];
      expect([first.name, first.executionBlockType]).to.deep.equal([STEP_NAMES.approval, "ManualApproval"]);
      expect(first.executionApprovalConfigs).to.deep.equal([
        { approvalRole: "arn:aws:iam::1:role/approve", timeoutMinutes: 60 },
      ]);
      expect(shape(rest)).to.deep.equal([PARALLEL, DNS]);
    }
  });

  it("describes every step, and each workflow, as the console and the execution show them", () => {
    const described = (steps: unknown): string[][] =>
      (steps as (StepLike & { description: string })[]).flatMap((s) => [
        [s.name, s.description],
        ...described(s.parallelConfigs?.[0].steps ?? []),
      ]);
    const [toStandby, toHome] = planWorkflows({
      ...VALUES,
      approvalRoleArn: "arn:aws:iam::1:role/approve",
      databaseScaling: { kind: "serverless" },
    });
    expect([toStandby.workflowDescription, toHome.workflowDescription]).to.deep.equal([
      "Fail over or switch over to ca-central-1",
      "Fail back to the home region us-east-1",
    ]);
    expect(described(toStandby.steps)).to.deep.equal([
      ["approve", "A person approves the region switch before anything moves"],
      [
        "scale-and-move-writer",
        "Scale the tiers (and a Serverless v2 standby) and move the Aurora writer at the same time",
      ],
      ["scale-frontend", "Raise the frontend group of the activated region to the other region's capacity"],
      ["scale-backend", "Raise the backend group of the activated region to the other region's capacity"],
      [
        "scale-aurora",
        "Raise the activated region's Aurora Serverless v2 capacity to the other region's peak",
      ],
      [
        "move-aurora-writer",
        "Move the Aurora writer: switchover (no data loss) when graceful, failover when not",
      ],
      ["route-traffic", "Send app.example.com to the activated region"],
    ]);
    const [provisioned] = planWorkflows({
      ...VALUES,
      databaseScaling: { kind: "provisioned", homeInstanceArn: "h", standbyInstanceArn: "s" },
    });
    expect(described(provisioned.steps).at(-1)).to.deep.equal([
      "scale-aurora",
      "Raise the new writer's instance to the other region's class (restarts it, after traffic has moved)",
    ]);
  });

  it("names the workflows' regions whichever order the plan lists them in", () => {
    // The home second: the failback workflow is still the one that activates the home.
    const swapped = planWorkflows({ ...VALUES, home: VALUES.standby, standby: VALUES.home });
    expect(swapped.map((w) => [w.workflowTargetRegion, w.workflowDescription])).to.deep.equal([
      ["us-east-1", "Fail over or switch over to us-east-1"],
      ["ca-central-1", "Fail back to the home region ca-central-1"],
    ]);
  });

  describe("the standby's Aurora capacity", () => {
    it("chooses the raise from the two regions' classes: serverless, a smaller class, or none", () => {
      expect(databaseScalingOf(DB.home, DB.serverless)).to.deep.equal({ kind: "serverless" });
      expect(databaseScalingOf(DB.home, DB.smaller)).to.equal(undefined);
      expect(databaseScalingOf({ ...DB.home, dbInstanceClass: "db.r6g.2xlarge" }, DB.smaller)).to.deep.equal({
        kind: "provisioned",
        homeInstanceArn: DB.home.dbInstanceArns[0],
        standbyInstanceArn: DB.smaller.dbInstanceArns[0],
      });
    });

    it("raises a Serverless v2 standby inside the parallel step, beside the writer move, not before it; the failback has none", () => {
      const [activateStandby, activateHome] = planWorkflows({
        ...VALUES,
        databaseScaling: { kind: "serverless" },
      });
      expect(shape(activateStandby.steps)).to.deep.equal([
        [
          STEP_NAMES.capacityAndDatabase,
          "Parallel",
          `${STEP_NAMES.frontendCapacity}:EC2AutoScaling`,
          `${STEP_NAMES.backendCapacity}:EC2AutoScaling`,
          `${STEP_NAMES.databaseCapacity}:AuroraServerlessScaling`,
          `${STEP_NAMES.database}:AuroraGlobalDatabase`,
        ],
        DNS,
      ]);
      expect(shape(activateHome.steps)).to.deep.equal([PARALLEL, DNS]);
      const scale = (activateStandby.steps as StepLike[])[0].parallelConfigs![0].steps[2];
      expect(scale.auroraServerlessScalingConfigs).to.deep.equal([
        {
          globalClusterIdentifier: "app-global",
          regionDatabaseClusterArns: {
            "us-east-1": VALUES.home.clusterArn,
            "ca-central-1": VALUES.standby.clusterArn,
          },
          targetPercent: 100,
          timeoutMinutes: 30,
        },
      ]);
    });

    it("raises a smaller provisioned standby last, after the writer moved and traffic followed (the class change restarts it)", () => {
      const scaling = {
        kind: "provisioned" as const,
        homeInstanceArn: DB.home.dbInstanceArns[0],
        standbyInstanceArn: DB.smaller.dbInstanceArns[0],
      };
      const [activateStandby, activateHome] = planWorkflows({ ...VALUES, databaseScaling: scaling });
      expect(shape(activateStandby.steps)).to.deep.equal([
        PARALLEL,
        DNS,
        [STEP_NAMES.databaseCapacity, "AuroraProvisionedScaling"],
      ]);
      expect(shape(activateHome.steps)).to.deep.equal([PARALLEL, DNS]);
      expect((activateStandby.steps as StepLike[])[2].auroraProvisionedScalingConfigs).to.deep.equal([
        {
          globalClusterIdentifier: "app-global",
          instanceArns: { "us-east-1": scaling.homeInstanceArn, "ca-central-1": scaling.standbyInstanceArn },
          regionDatabaseClusterArns: {
            "us-east-1": VALUES.home.clusterArn,
            "ca-central-1": VALUES.standby.clusterArn,
          },
          timeoutMinutes: 30,
        },
      ]);
    });

    it("has no step before the writer move that acts on a resource, whatever the standby and the approval", () => {
      const scalings = [
        undefined,
        { kind: "serverless" as const },
        { kind: "provisioned" as const, homeInstanceArn: "h", standbyInstanceArn: "s" },
      ];
      for (const databaseScaling of scalings) {
        for (const approvalRoleArn of [undefined, "arn:aws:iam::1:role/approve"]) {
          for (const w of planWorkflows({ ...VALUES, databaseScaling, approvalRoleArn })) {
            const steps = w.steps as StepLike[];
            const writer = steps.findIndex((s) =>
              (s.parallelConfigs?.[0].steps ?? []).some(
                (p) => p.executionBlockType === "AuroraGlobalDatabase",
              ),
            );
            expect(writer, `${databaseScaling?.kind}: the writer moves in a parallel step`).to.be.greaterThan(
              -1,
            );
            // Only a person's approval may come first: it acts on nothing.
            expect(steps.slice(0, writer).map((s) => s.executionBlockType)).to.deep.equal(
              approvalRoleArn ? ["ManualApproval"] : [],
            );
          }
        }
      }
    });
  });
});

describe("the plan's alarms and trigger (failoverWorkflows.ts)", () => {
  const ALARMS: AlarmValues = {
    home: { region: "us-east-1", appHealthAlarmArn: "arn:aws:cloudwatch:us-east-1:1:alarm:home-5xx" },
    standby: {
      region: "ca-central-1",
      appHealthAlarmArn: "arn:aws:cloudwatch:ca-central-1:1:alarm:standby-5xx",
    },
  };
  const WITNESSES = [
    {
      probeRegion: "ca-central-1",
      alarmName: "p-home-down-from-ca-central-1",
      alarmArn: "arn:aws:cloudwatch:ca-central-1:1:alarm:p-home-down-from-ca-central-1",
    },
    {
      probeRegion: "us-west-2",
      alarmName: "p-home-down-from-us-west-2",
      alarmArn: "arn:aws:cloudwatch:ca-central-1:1:alarm:p-home-down-from-us-west-2",
    },
  ];

  it("associates each region's application health, and without a trigger has none", () => {
    expect(planAssociatedAlarms(ALARMS)).to.deep.equal([
      {
        mapBlockKey: "app-health-us-east-1",
        alarmType: "applicationHealth",
        resourceIdentifier: ALARMS.home.appHealthAlarmArn,
      },
      {
        mapBlockKey: "app-health-ca-central-1",
        alarmType: "applicationHealth",
        resourceIdentifier: ALARMS.standby.appHealthAlarmArn,
      },
    ]);
    expect(planTriggers(ALARMS)).to.equal(undefined);
  });

  it("keys every witness by its CloudWatch alarm name, and fires only when all of them are red", () => {
    const v = { ...ALARMS, trigger: { witnesses: WITNESSES, cooldownMinutes: 60 } };
    expect(planAssociatedAlarms(v).slice(2)).to.deep.equal(
      WITNESSES.map((w) => ({
        mapBlockKey: w.alarmName,
        alarmType: "trigger",
        resourceIdentifier: w.alarmArn,
      })),
    );
    const [trigger, ...more] = planTriggers(v)!;
    expect(more).to.deep.equal([]);
    expect(trigger).to.deep.include({
      action: "activate",
      targetRegion: "ca-central-1",
      minDelayMinutesBetweenExecutions: 60,
    });
    expect(trigger.conditions).to.deep.equal([
      { associatedAlarmName: "p-home-down-from-ca-central-1", condition: "red" },
      { associatedAlarmName: "p-home-down-from-us-west-2", condition: "red" },
    ]);
    expect(trigger.description).to.contain("ca-central-1 and us-west-2").and.contain("waits for approval");
  });
});

const POLICY: ExecutionPolicyValues = {
  partition: "aws",
  accountId: "123456789012",
  planName: "app-ca-central-1",
  roleArn: "arn:aws:iam::123456789012:role/exec",
  asgArns: [
    VALUES.home.frontendAsgArn,
    VALUES.home.backendAsgArn,
    VALUES.standby.frontendAsgArn,
    VALUES.standby.backendAsgArn,
  ],
  globalClusterIdentifier: "app-global",
  homeClusterArn: VALUES.home.clusterArn,
  standbyClusterArn: VALUES.standby.clusterArn,
  hostedZoneId: "Z1",
  appHealthAlarmArns: [
    "arn:aws:cloudwatch:us-east-1:1:alarm:home-5xx",
    "arn:aws:cloudwatch:ca-central-1:1:alarm:standby-5xx",
  ],
  triggerAlarmArns: [],
  reportBucketArn: "arn:aws:s3:::reports",
};
const GLOBAL = "arn:aws:rds::123456789012:global-cluster:app-global";
/** An ARN of this plan as ARC writes it: the API's pattern, six characters of ARC's after the name. */
const THIS_PLAN = "arn:aws:arc-region-switch::123456789012:plan/app-ca-central-1:a1b2c3";

type Doc = { Statement: { Sid: string; Action: string[]; Resource: string[] }[] };
const allowedBy = (statements: object[]) => (action: string, resource: string) =>
  (statements as Doc["Statement"]).some(
    (s) =>
      s.Action.some((a) => wildcardMatch(a.toLowerCase(), action.toLowerCase())) &&
      s.Resource.some((r) => wildcardMatch(r, resource)),
  );
const actionsOf = (statements: object[]) => (statements as Doc["Statement"]).flatMap((s) => s.Action).sort();

describe("the execution role, block by block (failoverPlanPolicy.ts)", () => {
  it("names this plan as the API's ARN pattern states it, and no other plan", () => {
    // ARC API reference, StartPlanExecution planArn.
    const api =
      /^arn:aws[a-zA-Z-]*:arc-region-switch::[0-9]{12}:plan\/([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?):([a-z0-9]{6})$/;
    expect(THIS_PLAN).to.match(api);
    const pattern = planArnPattern("aws", "123456789012", "app-ca-central-1");
    expect(pattern).to.equal("arn:aws:arc-region-switch::123456789012:plan/app-ca-central-1:??????");
    expect(wildcardMatch(pattern, THIS_PLAN)).to.equal(true);
    for (const other of [
      "arn:aws:arc-region-switch::123456789012:plan/app-ca-central-1-x:a1b2c3",
      "arn:aws:arc-region-switch::123456789012:plan/app-ca-central-1:a1b2c3d",
      "arn:aws:arc-region-switch::123456789012:plan/other:a1b2c3",
      "arn:aws:arc-region-switch::210987654321:plan/app-ca-central-1:a1b2c3",
    ]) {
      expect(wildcardMatch(pattern, other), other).to.equal(false);
    }
  });

  it("trusts ARC Region switch, as the guide's trust policy does, with no condition ARC does not document", () => {
    expect(executionTrustPolicy()).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "arc-region-switch.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ],
    });
  });

  it("plan and evaluation: reads this plan and its executions, simulates its own policy", () => {
    const s = planStatements(POLICY);
    expect(actionsOf(s)).to.deep.equal([
      "arc-region-switch:GetPlan",
      "arc-region-switch:GetPlanExecution",
      "arc-region-switch:ListPlanExecutions",
      "iam:SimulatePrincipalPolicy",
    ]);
    const can = allowedBy(s);
    expect(can("arc-region-switch:GetPlan", THIS_PLAN)).to.equal(true);
    expect(can("iam:SimulatePrincipalPolicy", POLICY.roleArn)).to.equal(true);
    expect(can("iam:SimulatePrincipalPolicy", "arn:aws:iam::123456789012:role/other")).to.equal(false);
  });

  it("trigger: StartPlanExecution on this plan and the witness alarms read, only when the plan has a trigger", () => {
    expect(triggerStatements(POLICY)).to.deep.equal([]);
    const witness =
      "arn:aws:cloudwatch:ca-central-1:123456789012:alarm:app-ca-central-1-home-down-from-us-west-2";
    const s = triggerStatements({ ...POLICY, triggerAlarmArns: [witness] });
    expect(actionsOf(s)).to.deep.equal(["arc-region-switch:StartPlanExecution", "cloudwatch:DescribeAlarms"]);
    const can = allowedBy(s);
    expect(can("arc-region-switch:StartPlanExecution", THIS_PLAN)).to.equal(true);
    expect(
      can(
        "arc-region-switch:StartPlanExecution",
        "arn:aws:arc-region-switch::123456789012:plan/other:a1b2c3",
      ),
    ).to.equal(false);
    expect(can("cloudwatch:DescribeAlarms", witness)).to.equal(true);
    // The whole document, with and without a trigger.
    const start = (v: ExecutionPolicyValues) =>
      allowedBy((executionPolicyDocument(v) as Doc).Statement)(
        "arc-region-switch:StartPlanExecution",
        THIS_PLAN,
      );
    expect(start(POLICY)).to.equal(false);
    expect(start({ ...POLICY, triggerAlarmArns: [witness] })).to.equal(true);
  });

  it("alarms: DescribeAlarms and DescribeAlarmHistory on the application-health and trigger alarms", () => {
    const s = alarmStatements({ ...POLICY, triggerAlarmArns: ["arn:aws:cloudwatch:ca-central-1:1:alarm:w"] });
    expect(actionsOf(s)).to.deep.equal(["cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms"]);
    expect((s as Doc["Statement"])[0].Resource).to.deep.equal([
      ...POLICY.appHealthAlarmArns,
      "arn:aws:cloudwatch:ca-central-1:1:alarm:w",
    ]);
  });

  it("EC2 Auto Scaling: describes any group and its metrics, updates only the plan's four groups", () => {
    const s = autoScalingStatements(POLICY);
    expect(actionsOf(s)).to.deep.equal([
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:UpdateAutoScalingGroup",
      "cloudwatch:GetMetricStatistics",
    ]);
    const can = allowedBy(s);
    for (const arn of POLICY.asgArns) expect(can("autoscaling:UpdateAutoScalingGroup", arn)).to.equal(true);
    expect(
      can(
        "autoscaling:UpdateAutoScalingGroup",
        "arn:aws:autoscaling:us-east-1:1:autoScalingGroup:x:autoScalingGroupName/other",
      ),
    ).to.equal(false);
  });

  it("Aurora Global Database: switchover and failover, describes, on the global cluster and both clusters only", () => {
    const s = globalDatabaseStatements(POLICY);
    expect(actionsOf(s)).to.deep.equal([
      "rds:DescribeDBClusters",
      "rds:DescribeGlobalClusters",
      "rds:FailoverGlobalCluster",
      "rds:SwitchoverGlobalCluster",
    ]);
    for (const st of s as Doc["Statement"]) {
      expect(st.Resource).to.deep.equal([GLOBAL, VALUES.home.clusterArn, VALUES.standby.clusterArn]);
    }
  });

  it("Aurora Serverless scaling: reads both regions' capacity, modifies and reboots the standby's only", () => {
    const scaling = {
      kind: "serverless" as const,
      homeInstanceArns: DB.home.dbInstanceArns,
      standbyInstanceArns: DB.serverless.dbInstanceArns,
    };
    expect(databaseScalingStatements(POLICY)).to.deep.equal([]);
    const s = databaseScalingStatements({ ...POLICY, databaseScaling: scaling });
    expect(actionsOf(s)).to.deep.equal([
      "cloudwatch:GetMetricData",
      "ec2:DescribeInstanceTypes",
      "rds:DescribeDBClusters",
      "rds:DescribeDBInstances",
      "rds:DescribeGlobalClusters",
      "rds:ModifyDBCluster",
      "rds:RebootDBInstance",
    ]);
    const can = allowedBy(s);
    // A provisioned home: "Maps the source cluster's EC2 instance memory to equivalent ACUs".
    expect(can("rds:DescribeDBInstances", DB.home.dbInstanceArns[1])).to.equal(true);
    expect(can("rds:ModifyDBCluster", VALUES.standby.clusterArn)).to.equal(true);
    expect(can("rds:ModifyDBCluster", VALUES.home.clusterArn)).to.equal(false);
    expect(can("rds:RebootDBInstance", DB.serverless.dbInstanceArns[0])).to.equal(true);
    expect(can("rds:RebootDBInstance", DB.home.dbInstanceArns[0])).to.equal(false);
    expect(can("rds:CreateDBInstance", VALUES.standby.clusterArn)).to.equal(false);
  });

  it("Aurora provisioned scaling: reads both regions' instances, modifies (or creates) the standby's only", () => {
    const s = databaseScalingStatements({
      ...POLICY,
      databaseScaling: {
        kind: "provisioned",
        homeInstanceArns: DB.home.dbInstanceArns,
        standbyInstanceArns: DB.smaller.dbInstanceArns,
      },
    });
    expect(actionsOf(s)).to.deep.equal([
      "ec2:DescribeInstanceTypes",
      "rds:CreateDBInstance",
      "rds:DescribeDBClusters",
      "rds:DescribeDBInstances",
      "rds:DescribeGlobalClusters",
      "rds:DescribeOrderableDBInstanceOptions",
      "rds:ModifyDBInstance",
    ]);
    const can = allowedBy(s);
    expect(can("rds:DescribeDBInstances", DB.home.dbInstanceArns[0])).to.equal(true);
    expect(can("rds:ModifyDBInstance", DB.smaller.dbInstanceArns[0])).to.equal(true);
    expect(can("rds:ModifyDBInstance", DB.home.dbInstanceArns[0])).to.equal(false);
    expect(can("rds:ModifyDBCluster", VALUES.standby.clusterArn)).to.equal(false);
  });

  it("Route 53 health check: lists the records of the app's zone only", () => {
    const s = route53Statements(POLICY);
    expect(actionsOf(s)).to.deep.equal(["route53:ListResourceRecordSets"]);
    expect(allowedBy(s)("route53:ListResourceRecordSets", "arn:aws:route53:::hostedzone/Z1")).to.equal(true);
    expect(allowedBy(s)("route53:ListResourceRecordSets", "arn:aws:route53:::hostedzone/Z2")).to.equal(false);
  });

  it("reports: puts objects in the report bucket only", () => {
    const s = reportStatements(POLICY);
    expect(actionsOf(s)).to.deep.equal(["s3:PutObject"]);
    expect(allowedBy(s)("s3:PutObject", "arn:aws:s3:::reports/app-ca-central-1/report.pdf")).to.equal(true);
    expect(allowedBy(s)("s3:PutObject", "arn:aws:s3:::other/x")).to.equal(false);
  });

  it("writes every statement as an Allow of IAM's current policy language, with ARC's unscoped reads on \"*\"", () => {
    const full = executionPolicyDocument({
      ...POLICY,
      triggerAlarmArns: ["arn:aws:cloudwatch:ca-central-1:1:alarm:w"],
      databaseScaling: { kind: "provisioned", homeInstanceArns: ["h"], standbyInstanceArns: ["s"] },
    }) as { Version: string; Statement: (Doc["Statement"][number] & { Effect: string })[] };
    // "the current version of the policy language, and you should always include a Version element and
    // set it to 2012-10-17" (IAM User Guide, "IAM JSON policy elements: Version").
    expect(full.Version).to.equal("2012-10-17");
    expect(new Set(full.Statement.map((s) => s.Effect))).to.deep.equal(new Set(["Allow"]));
    const unscoped = full.Statement.filter((s) => s.Resource.includes("*"));
    expect(unscoped.map((s) => [s.Sid, s.Resource])).to.deep.equal([
      ["DescribeGroups", ["*"]],
      ["ReadScalingMetrics", ["*"]],
      ["DescribeDatabaseCapacity", ["*"]],
    ]);
    expect(full.Statement.map((s) => s.Sid)).to.include("RaiseStandbyDatabaseCapacity");
  });

  it("is exactly the blocks' statements: nothing that deletes, changes records, or acts beyond them", () => {
    const full = executionPolicyDocument({
      ...POLICY,
      triggerAlarmArns: ["arn:aws:cloudwatch:ca-central-1:1:alarm:w"],
      databaseScaling: { kind: "serverless", homeInstanceArns: [], standbyInstanceArns: [] },
    }) as Doc;
    expect(full.Statement.map((s) => s.Sid)).to.deep.equal([
      "ReadThisPlan",
      "EvaluateOwnPermissions",
      "StartThisPlanOnItsTrigger",
      "ReadTriggerAlarms",
      "ReadAlarms",
      "DescribeGroups",
      "ScaleTheseGroups",
      "ReadScalingMetrics",
      "DescribeDatabases",
      "MoveTheWriter",
      "DescribeDatabaseCapacity",
      "ReadBothRegionsDatabaseCapacity",
      "RaiseStandbyDatabaseCapacity",
      "FindTheRecords",
      "WriteReports",
    ]);
    for (const action of full.Statement.flatMap((s) => s.Action)) {
      expect(action).to.not.match(/Delete|ChangeResourceRecordSets|CreateDB|Put(?!Object)/);
    }
  });
});

describe("the approval role (failoverPlanPolicy.ts)", () => {
  it("is trusted by the named roles and users only, never the account", () => {
    const principals = ["arn:aws:iam::123456789012:role/oncall", "arn:aws:iam::123456789012:user/alice"];
    expect(approvalTrustPolicy(principals)).to.deep.equal({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: principals }, Action: "sts:AssumeRole" }],
    });
  });

  it("approves this plan's steps and reads its executions, nothing else", () => {
    const doc = approvalPolicyDocument("aws", "123456789012", "app-ca-central-1") as Doc & {
      Version: string;
    };
    expect(doc.Version).to.equal("2012-10-17");
    expect(doc.Statement.map((s) => s.Sid)).to.deep.equal(["ApproveThisPlansSteps"]);
    expect(actionsOf(doc.Statement)).to.deep.equal([
      "arc-region-switch:ApprovePlanExecutionStep",
      "arc-region-switch:GetPlanExecution",
      "arc-region-switch:ListPlanExecutions",
    ]);
    const can = allowedBy(doc.Statement);
    expect(can("arc-region-switch:ApprovePlanExecutionStep", THIS_PLAN)).to.equal(true);
    expect(
      can(
        "arc-region-switch:ApprovePlanExecutionStep",
        "arn:aws:arc-region-switch::123456789012:plan/other:a1b2c3",
      ),
    ).to.equal(false);
    expect(can("arc-region-switch:StartPlanExecution", THIS_PLAN)).to.equal(false);
  });
});

describe("validateFailoverPlanArgs", () => {
  const WITNESS = (probeRegion: string) => ({
    probeRegion,
    alarmName: `w-${probeRegion}`,
    alarmArn: `arn:${probeRegion}`,
  });
  const args = (over: Partial<FailoverPlanArgs>): FailoverPlanArgs => ({
    planName: "app-ca-central-1",
    home: { ...VALUES.home, ...DB.home, appHealthAlarmArn: "a" },
    standby: { ...VALUES.standby, ...DB.home, appHealthAlarmArn: "b" },
    globalClusterIdentifier: "g",
    hostedZoneId: "Z1",
    domain: "app.example.com",
    recoveryTimeObjectiveMinutes: 15,
    reportRetentionDays: 30,
    ...over,
  });
  const trigger = (regions: string[], cooldownMinutes = 60) => ({
    witnesses: regions.map(WITNESS),
    cooldownMinutes,
  });
  const approvers = ["arn:aws:iam::123456789012:role/oncall"];

  it("takes ARC's plan names: 1–32 letters, digits and hyphens, a letter or digit at both ends", () => {
    expect(() => validateFailoverPlanArgs(args({}))).to.not.throw();
    expect(() => validateFailoverPlanArgs(args({ planName: "x".repeat(32) }))).to.not.throw();
    expect(() => validateFailoverPlanArgs(args({ planName: "a" }))).to.not.throw();
    for (const bad of ["x".repeat(33), "a b", "my_app-ca-central-1", "app-", "-app", ""]) {
      expect(() => validateFailoverPlanArgs(args({ planName: bad })), bad).to.throw(/letters, digits or "-"/);
    }
  });

  it("requires two regions, two set identifiers, an RTO ARC accepts and a retention", () => {
    expect(() =>
      validateFailoverPlanArgs(args({ standby: { ...VALUES.home, ...DB.home, appHealthAlarmArn: "b" } })),
    ).to.throw(/covers two regions/);
    expect(() =>
      validateFailoverPlanArgs(
        args({
          standby: {
            ...VALUES.standby,
            ...DB.home,
            appHealthAlarmArn: "b",
            recordSetIdentifier: "us-east-1",
          },
        }),
      ),
    ).to.throw(/share set identifier/);
    expect(() => validateFailoverPlanArgs(args({ recoveryTimeObjectiveMinutes: 0 }))).to.throw(
      'FailoverPlan "app-ca-central-1": recoveryTimeObjectiveMinutes 0 must be an integer from 1 to 10080',
    );
    for (const bad of [10081, 1.5]) {
      expect(() => validateFailoverPlanArgs(args({ recoveryTimeObjectiveMinutes: bad })), `${bad}`).to.throw(
        /1 to 10080/,
      );
    }
    for (const edge of [1, 10080]) {
      expect(() => validateFailoverPlanArgs(args({ recoveryTimeObjectiveMinutes: edge }))).to.not.throw();
    }
    expect(() => validateFailoverPlanArgs(args({ reportRetentionDays: 0 }))).to.throw(
      'FailoverPlan "app-ca-central-1": reportRetentionDays 0 must be a positive integer',
    );
    expect(() => validateFailoverPlanArgs(args({ reportRetentionDays: 2.5 }))).to.throw(
      /reportRetentionDays/,
    );
    expect(() => validateFailoverPlanArgs(args({ reportRetentionDays: 1 }))).to.not.throw();
  });

  it("requires two vantage points in two regions outside the home, at most ARC's ten conditions, and a cooldown", () => {
    const ok = { approvalPrincipals: approvers };
    expect(() =>
      validateFailoverPlanArgs(args({ ...ok, trigger: trigger(["ca-central-1", "us-west-2"]) })),
    ).to.not.throw();
    expect(() => validateFailoverPlanArgs(args({ ...ok, trigger: trigger(["ca-central-1"]) }))).to.throw(
      /at least two/,
    );
    expect(() =>
      validateFailoverPlanArgs(args({ ...ok, trigger: trigger(["ca-central-1", "ca-central-1"]) })),
    ).to.throw(/at least two/);
    expect(() =>
      validateFailoverPlanArgs(args({ ...ok, trigger: trigger(["ca-central-1", "us-east-1"]) })),
    ).to.throw(/home region us-east-1/);
    // "Array Members: Minimum number of 1 item. Maximum number of 10 items." (ARC API reference, Trigger.conditions)
    expect(TRIGGER_CONDITIONS_MAX).to.equal(10);
    const regions = (n: number) => Array.from({ length: n }, (_, i) => `eu-west-${i + 1}`);
    expect(() => validateFailoverPlanArgs(args({ ...ok, trigger: trigger(regions(10)) }))).to.not.throw();
    expect(() => validateFailoverPlanArgs(args({ ...ok, trigger: trigger(regions(11)) }))).to.throw(
      'FailoverPlan "app-ca-central-1": 11 trigger witnesses; a trigger holds at most 10 conditions',
    );
    expect(() =>
      validateFailoverPlanArgs(args({ ...ok, trigger: trigger(["ca-central-1", "us-west-2"], 0) })),
    ).to.throw('FailoverPlan "app-ca-central-1": trigger cooldownMinutes 0 must be a positive integer');
    expect(() =>
      validateFailoverPlanArgs(args({ ...ok, trigger: trigger(["ca-central-1", "us-west-2"], 1.5) })),
    ).to.throw(/cooldownMinutes 1.5/);
    expect(() =>
      validateFailoverPlanArgs(args({ ...ok, trigger: trigger(["ca-central-1", "us-west-2"], 1) })),
    ).to.not.throw();
    // The message names the vantage points there are, or says there is none.
    expect(() => validateFailoverPlanArgs(args({ ...ok, trigger: trigger([]) }))).to.throw(
      'FailoverPlan "app-ca-central-1": the trigger has witnesses in no region; it needs at least two, in two regions, so that one vantage point alone never starts a failover',
    );
    expect(() =>
      validateFailoverPlanArgs(args({ ...ok, trigger: trigger(["ca-central-1", "ca-central-1"]) })),
    ).to.throw("the trigger has witnesses in ca-central-1, ca-central-1;");
  });

  it("has the approval step with manualApproval or a trigger, and then requires someone to approve", () => {
    expect(needsApproval({})).to.equal(false);
    expect(needsApproval({ manualApproval: true })).to.equal(true);
    expect(needsApproval({ trigger: trigger(["ca-central-1", "us-west-2"]) })).to.equal(true);
    expect(() => validateFailoverPlanArgs(args({ manualApproval: true }))).to.throw(
      /manualApproval needs approvalPrincipals/,
    );
    expect(() =>
      validateFailoverPlanArgs(args({ trigger: trigger(["ca-central-1", "us-west-2"]) })),
    ).to.throw(/a plan with a trigger needs approvalPrincipals/);
    expect(() =>
      validateFailoverPlanArgs(args({ manualApproval: true, approvalPrincipals: approvers })),
    ).to.not.throw();
  });
});

describe("the plan's settings, its policy's values and its SSM parameters (failoverPlan.ts)", () => {
  const region = (
    r: typeof VALUES.home,
    db: { dbInstanceClass: string; dbInstanceArns: string[] },
    alarm: string,
  ) => ({ ...r, ...db, appHealthAlarmArn: alarm }) as PlanRegionValues;
  const HOME = region(VALUES.home, DB.home, POLICY.appHealthAlarmArns[0]);
  const resolved = (standby: PlanRegionValues) => ({
    partition: "aws",
    accountId: "123456789012",
    planName: "app-ca-central-1",
    roleArn: "arn:aws:iam::123456789012:role/exec",
    reportBucketArn: "arn:aws:s3:::reports",
    globalClusterIdentifier: "app-global",
    hostedZoneId: "Z1",
    home: HOME,
    standby,
    triggerAlarmArns: ["arn:w"],
  });

  it("makes the home the primary of an active/passive plan over the two regions", () => {
    expect(
      planSettings({
        planName: "app-ca-central-1",
        domain: "app.example.com",
        home: HOME,
        standby: region(VALUES.standby, DB.serverless, POLICY.appHealthAlarmArns[1]),
        recoveryTimeObjectiveMinutes: 15,
      }),
    ).to.deep.equal({
      name: "app-ca-central-1",
      description: "Fail over, switch over and fail back app.example.com between us-east-1 and ca-central-1",
      recoveryApproach: "activePassive",
      regions: ["us-east-1", "ca-central-1"],
      primaryRegion: "us-east-1",
      recoveryTimeObjectiveMinutes: 15,
    });
  });

  it("gives the execution role both regions' groups, clusters and alarms, and their instances when the standby is raised", () => {
    const serverless = region(VALUES.standby, DB.serverless, POLICY.appHealthAlarmArns[1]);
    expect(executionPolicyValues(resolved(serverless))).to.deep.equal({
      ...POLICY,
      triggerAlarmArns: ["arn:w"],
      databaseScaling: {
        kind: "serverless",
        homeInstanceArns: DB.home.dbInstanceArns,
        standbyInstanceArns: DB.serverless.dbInstanceArns,
      },
    });
    const smaller = region(VALUES.standby, { ...DB.smaller, dbInstanceClass: "db.r6g.medium" }, "arn:s");
    expect(executionPolicyValues(resolved(smaller)).databaseScaling).to.deep.equal({
      kind: "provisioned",
      homeInstanceArns: DB.home.dbInstanceArns,
      standbyInstanceArns: DB.smaller.dbInstanceArns,
    });
    // The home's class already: no capacity block, hence no RDS instance permission at all.
    const same = executionPolicyValues(resolved(region(VALUES.standby, DB.smaller, "arn:s")));
    expect(same.databaseScaling).to.equal(undefined);
    expect(actionsOf(databaseScalingStatements(same))).to.deep.equal([]);
  });

  it("keeps the plan's ARN and its approval role's under /failover/<plan>/ in SSM", () => {
    expect(planArnParameterName("app-ca-central-1")).to.equal("/failover/app-ca-central-1/plan-arn");
    expect(approvalRoleArnParameterName("app-ca-central-1")).to.equal(
      "/failover/app-ca-central-1/approval-role-arn",
    );
  });
});
