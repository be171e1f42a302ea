/**
 * The failover control stack: its config (pure), what it reads from the regional stacks, the plan's
 * workflows and role (pure builders), and the fixture control stack run under mocks, wired to the
 * regional stacks' real exports.
 */
import { expect } from "chai";
import { ConfigError } from "../config";
import {
  automaticTarget,
  buildControlConfig,
  CONTROL_DEFAULTS,
  CONTROL_SCHEMA,
  RawControlConfig,
  standbyStackName,
} from "../config/control";
import {
  checkRegionalStacks,
  outputNames,
  parseRegionalOutputs,
  RegionalStack,
} from "../control/regionalStacks";
import {
  databaseScalingOf,
  executionPolicyDocument,
  planArnParameterName,
  planWorkflows,
  STEP_NAMES,
  validateFailoverPlanArgs,
  WorkflowValues,
  FailoverPlanArgs,
} from "../components/failoverPlan";
import { pinChain, pinRecordName, STANDBY_SET_IDENTIFIER } from "../components/failoverRouting";
import { policies } from "../policy/policies";
import { allows } from "../policy/rules/failover";
import { runPolicies } from "../policy/runner";
import { MockAccount, runProgram, StackRun } from "../tools/mocks";
import { fixtureStackRuns, CONTROL_DIR, isControlRun, loadProgram } from "../tools/runStacks";
import { dependsOn, ofType, one, unsecret } from "./helpers";
import { fixtureDeployment, deployControlAgain, Deployment, referencesOf } from "./route53ModelStacks";

const RAW: RawControlConfig = {
  project: "multi-region-web-control",
  stack: "global",
  organization: "organization",
  region: "us-east-1",
  values: { homeStack: "organization/multi-region-web/us-east-1", alarmEmails: ["ops@example.com"] },
};

function configError(fn: () => unknown, key: string): ConfigError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, `a ConfigError for ${key}`).to.be.instanceOf(ConfigError);
  expect((error as ConfigError).key).to.equal(key);
  expect((error as ConfigError).message).to.contain(`"${key}"`);
  return error as ConfigError;
}

const withValues = (values: Record<string, unknown>): RawControlConfig => ({
  ...RAW,
  values: { ...RAW.values, ...values },
});

describe("control stack config", () => {
  it("applies the defaults: automatic, no approval, RTO 15 min, 60 min between automatic runs", () => {
    const cfg = buildControlConfig(RAW);
    expect(cfg).to.include({
      homeStack: "organization/multi-region-web/us-east-1",
      automaticFailover: true,
      manualApproval: false,
      recoveryTimeObjectiveMinutes: 15,
      triggerCooldownMinutes: 60,
      reportRetentionDays: 365,
      protectData: true,
    });
    expect(cfg.automaticStandbyRegion).to.equal(undefined);
    expect(CONTROL_DEFAULTS.automaticFailover).to.equal(true);
  });

  it("must run in us-east-1, where ARC serves plan changes and Route 53 its metrics", () => {
    const error = configError(() => buildControlConfig({ ...RAW, region: "ca-central-1" }), "aws:region");
    expect(error.message).to.contain("must be us-east-1");
    configError(() => buildControlConfig({ ...RAW, region: undefined }), "aws:region");
  });

  it("requires a fully qualified homeStack and at least one alarm e-mail", () => {
    configError(() => buildControlConfig(withValues({ homeStack: undefined })), "homeStack");
    configError(() => buildControlConfig(withValues({ homeStack: "us-east-1" })), "homeStack");
    configError(() => buildControlConfig(withValues({ alarmEmails: [] })), "alarmEmails");
    configError(() => buildControlConfig(withValues({ alarmEmails: ["not-an-address"] })), "alarmEmails[0]");
  });

  it("checks every number's bounds and every boolean's type", () => {
    for (const [key, bad] of [
      ["recoveryTimeObjectiveMinutes", 0],
      ["recoveryTimeObjectiveMinutes", 10081],
      ["triggerCooldownMinutes", 0],
      ["triggerCooldownMinutes", 1.5],
      ["reportRetentionDays", 0],
      ["reportRetentionDays", 3651],
      ["automaticFailover", "yes"],
      ["manualApproval", 1],
      ["protectData", "true"],
    ] as const) {
      configError(() => buildControlConfig(withValues({ [key]: bad })), key);
    }
    const edges = buildControlConfig(
      withValues({
        recoveryTimeObjectiveMinutes: 10080,
        triggerCooldownMinutes: 1,
        reportRetentionDays: 3650,
      }),
    );
    expect(edges.recoveryTimeObjectiveMinutes).to.equal(10080);
  });

  it("rejects a key it does not know, naming the known ones", () => {
    const error = configError(() => buildControlConfig(withValues({ automatic: true })), "automatic");
    for (const key of Object.keys(CONTROL_SCHEMA)) expect(error.message).to.contain(key);
  });

  it("names standby stacks after their region, in the home's organization and project", () => {
    expect(standbyStackName("my-org/multi-region-web/us-east-1", "eu-west-1")).to.equal(
      "my-org/multi-region-web/eu-west-1",
    );
  });

  it("triggers the first standby by default, the configured one if it is a standby, none when manual", () => {
    const cfg = buildControlConfig(RAW);
    expect(automaticTarget(cfg, ["ca-central-1", "eu-west-1"])).to.equal("ca-central-1");
    const chosen = buildControlConfig(withValues({ automaticStandbyRegion: "eu-west-1" }));
    expect(automaticTarget(chosen, ["ca-central-1", "eu-west-1"])).to.equal("eu-west-1");
    configError(() => automaticTarget(chosen, ["ca-central-1"]), "automaticStandbyRegion");
    expect(
      automaticTarget(buildControlConfig(withValues({ automaticFailover: false })), ["ca-central-1"]),
    ).to.equal(undefined);
  });
});

const HOME_OUT: Record<string, unknown> = {
  region: "us-east-1",
  home: true,
  domain: "app.example.com",
  hostedZoneId: "Z1",
  publicAlbDnsName: "alb.us-east-1.elb.amazonaws.com",
  publicAlbZoneId: "Z35SXDOTRQ7X7K",
  healthCheckId: "hc-home",
  healthRecordName: "home.app.example.com",
  asgArns: { frontend: "arn:f", backend: "arn:b" },
  clusterArn: "arn:aws:rds:us-east-1:1:cluster:c",
  dbInstanceClass: "db.r6g.large",
  dbInstanceArns: ["arn:aws:rds:us-east-1:1:db:c-0", "arn:aws:rds:us-east-1:1:db:c-1"],
  appHealthAlarmArn: "arn:aws:cloudwatch:us-east-1:1:alarm:a",
  globalClusterIdentifier: "app-global",
  standbyRegions: ["ca-central-1"],
};
const STANDBY_OUT: Record<string, unknown> = {
  ...HOME_OUT,
  region: "ca-central-1",
  home: false,
  healthRecordName: "standby.app.example.com",
  homeProbeAlarmArn: "arn:aws:cloudwatch:ca-central-1:1:alarm:probe",
  globalClusterIdentifier: undefined,
  standbyRegions: undefined,
};

describe("what the control stack reads from the regional stacks", () => {
  it("reads every output it needs, by kind of stack", () => {
    expect(outputNames(true)).to.include.members([
      "globalClusterIdentifier",
      "standbyRegions",
      "asgArns",
      "healthCheckId",
    ]);
    expect(outputNames(false)).to.include("homeProbeAlarmArn").and.not.include("standbyRegions");
    const home = parseRegionalOutputs("org/p/us-east-1", HOME_OUT, true);
    expect(home).to.include({ region: "us-east-1", home: true, globalClusterIdentifier: "app-global" });
    expect(home.standbyRegions).to.deep.equal(["ca-central-1"]);
    const standby = parseRegionalOutputs("org/p/ca-central-1", STANDBY_OUT, false);
    expect(standby.homeProbeAlarmArn).to.equal("arn:aws:cloudwatch:ca-central-1:1:alarm:probe");
  });

  it("names the stack and the output that is missing or of the wrong shape", () => {
    expect(() => parseRegionalOutputs("org/p/us-east-1", { ...HOME_OUT, home: false }, true)).to.throw(
      /Stack org\/p\/us-east-1: output 'home' = false: must be true/,
    );
    expect(() => parseRegionalOutputs("org/p/us-east-1", { ...HOME_OUT, clusterArn: "" }, true)).to.throw(
      /output 'clusterArn' = "": must be a non-empty string/,
    );
    expect(() =>
      parseRegionalOutputs("org/p/us-east-1", { ...HOME_OUT, asgArns: { frontend: "x" } }, true),
    ).to.throw(/output 'asgArns'/);
    expect(() => parseRegionalOutputs("org/p/us-east-1", { ...HOME_OUT, standbyRegions: [] }, true)).to.throw(
      /output 'standbyRegions'/,
    );
    expect(() =>
      parseRegionalOutputs("org/p/ca-central-1", { ...STANDBY_OUT, homeProbeAlarmArn: undefined }, false),
    ).to.throw(/output 'homeProbeAlarmArn'/);
    expect(() => parseRegionalOutputs("org/p/us-east-1", { ...HOME_OUT, dbInstanceArns: [] }, true)).to.throw(
      /output 'dbInstanceArns' = \[\]: must list the ARNs/,
    );
  });

  it("requires one domain in one zone, and a standby outside the home region", () => {
    const home = parseRegionalOutputs("h", HOME_OUT, true);
    const standby = (over: Record<string, unknown>): RegionalStack =>
      parseRegionalOutputs("org/p/ca-central-1", { ...STANDBY_OUT, ...over }, false);
    expect(() => checkRegionalStacks(home, [standby({})])).to.not.throw();
    configError(
      () => checkRegionalStacks(home, [standby({ domain: "www.example.com" })]),
      "org/p/ca-central-1: domain",
    );
    configError(
      () => checkRegionalStacks(home, [standby({ hostedZoneId: "Z2" })]),
      "org/p/ca-central-1: hostedZone",
    );
    configError(
      () => checkRegionalStacks(home, [standby({ region: "us-east-1" })]),
      "org/p/ca-central-1: aws:region",
    );
  });

  it("requires each standby stack in the region the home lists for it, in the home's order", () => {
    const home = parseRegionalOutputs(
      "h",
      { ...HOME_OUT, standbyRegions: ["ca-central-1", "eu-west-1"] },
      true,
    );
    const standby = (stack: string, region: string) =>
      parseRegionalOutputs(`org/p/${stack}`, { ...STANDBY_OUT, region }, false);
    expect(() =>
      checkRegionalStacks(home, [standby("ca-central-1", "ca-central-1"), standby("eu-west-1", "eu-west-1")]),
    ).to.not.throw();
    // The stack named after eu-west-1 is deployed in us-west-2: its plan would act on the wrong region.
    const error = configError(
      () =>
        checkRegionalStacks(home, [
          standby("ca-central-1", "ca-central-1"),
          standby("eu-west-1", "us-west-2"),
        ]),
      "org/p/eu-west-1: aws:region",
    );
    expect(error.message).to.contain(
      '"us-west-2": must be eu-west-1: regional stacks are named after their region',
    );
    configError(
      () =>
        checkRegionalStacks(home, [
          standby("eu-west-1", "eu-west-1"),
          standby("ca-central-1", "ca-central-1"),
        ]),
      "org/p/eu-west-1: aws:region",
    );
    configError(
      () =>
        checkRegionalStacks(home, [
          standby("ca-central-1", "ca-central-1"),
          standby("eu-west-1", "eu-west-1"),
          standby("x", "ap-south-1"),
        ]),
      "org/p/x: aws:region",
    );
  });
});

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

describe("the plan's workflows and role (pure)", () => {
  it("has one activate workflow per region: failover/switchover to the standby, failback to the home", () => {
    const workflows = planWorkflows(VALUES);
    expect(workflows.map((w) => [w.workflowTargetAction, w.workflowTargetRegion])).to.deep.equal([
      ["activate", "ca-central-1"],
      ["activate", "us-east-1"],
    ]);
    for (const w of workflows) {
      const steps = w.steps as { name: string; executionBlockType: string }[];
      expect(steps.map((s) => [s.name, s.executionBlockType])).to.deep.equal([
        [STEP_NAMES.capacityAndDatabase, "Parallel"],
        [STEP_NAMES.dns, "Route53HealthCheck"],
      ]);
    }
  });

  it("scales both tiers and moves the writer in parallel: one group and one cluster per region, lossless when graceful", () => {
    const [activateStandby] = planWorkflows(VALUES);
    type P = {
      parallelConfigs: {
        steps: {
          name: string;
          ec2AsgCapacityIncreaseConfigs?: Record<string, unknown>[];
          globalAuroraConfigs?: Record<string, unknown>[];
        }[];
      }[];
    };
    const parallel = (activateStandby.steps as P[])[0].parallelConfigs[0].steps;
    expect(parallel.map((s) => s.name)).to.deep.equal([
      STEP_NAMES.frontendCapacity,
      STEP_NAMES.backendCapacity,
      STEP_NAMES.database,
    ]);
    expect(parallel[0].ec2AsgCapacityIncreaseConfigs![0]).to.deep.include({
      asgs: [{ arn: VALUES.home.frontendAsgArn }, { arn: VALUES.standby.frontendAsgArn }],
      capacityMonitoringApproach: "sampledMaxInLast24Hours",
      targetPercent: 100,
      ungraceful: { minimumSuccessPercentage: 0 },
    });
    expect(parallel[1].ec2AsgCapacityIncreaseConfigs![0].asgs).to.deep.equal([
      { arn: VALUES.home.backendAsgArn },
      { arn: VALUES.standby.backendAsgArn },
    ]);
    expect(parallel[2].globalAuroraConfigs![0]).to.deep.include({
      behavior: "switchoverOnly",
      globalClusterIdentifier: "app-global",
      databaseClusterArns: [VALUES.home.clusterArn, VALUES.standby.clusterArn],
      ungracefuls: [{ ungraceful: "failover" }],
    });
  });

  it("flips the app domain's records, mapping each record set to its region explicitly", () => {
    const [activateStandby] = planWorkflows(VALUES);
    const dns = (activateStandby.steps as { route53HealthCheckConfigs?: Record<string, unknown>[] }[])[1]
      .route53HealthCheckConfigs![0];
    expect(dns).to.deep.include({
      hostedZoneId: "Z1",
      recordName: "app.example.com",
      recordSets: [
        { recordSetIdentifier: "us-east-1", region: "us-east-1" },
        { recordSetIdentifier: "standby", region: "ca-central-1" },
      ],
    });
  });

  it("starts with a manual approval only when an approval role is given", () => {
    const workflows = planWorkflows({ ...VALUES, approvalRoleArn: "arn:aws:iam::1:role/approve" });
    for (const w of workflows) {
      const first = (w.steps as { name: string; executionApprovalConfigs?: unknown[] }[])[0];
      expect(first.name).to.equal(STEP_NAMES.approval);
      expect(first.executionApprovalConfigs).to.deep.equal([
        { approvalRole: "arn:aws:iam::1:role/approve", timeoutMinutes: 60 },
      ]);
    }
  });

  it("lets the execution role do exactly what the blocks need, on this plan's resources", () => {
    const doc = executionPolicyDocument({
      partition: "aws",
      accountId: "123456789012",
      planName: "app-ca-central-1",
      roleArn: "arn:aws:iam::123456789012:role/exec",
      asgArns: [VALUES.home.frontendAsgArn, VALUES.standby.frontendAsgArn],
      globalClusterIdentifier: "app-global",
      clusterArns: [VALUES.home.clusterArn, VALUES.standby.clusterArn],
      hostedZoneId: "Z1",
      alarmArns: ["arn:aws:cloudwatch:us-east-1:1:alarm:a"],
      reportBucketArn: "arn:aws:s3:::reports",
    }) as { Statement: { Action: string[]; Resource: string[] }[] };
    const can = (action: string, resource: string) => allows(doc as never, action, resource);
    expect(can("autoscaling:UpdateAutoScalingGroup", VALUES.standby.frontendAsgArn)).to.equal(true);
    expect(
      can(
        "autoscaling:UpdateAutoScalingGroup",
        "arn:aws:autoscaling:us-east-1:1:autoScalingGroup:x:autoScalingGroupName/other",
      ),
    ).to.equal(false);
    expect(can("rds:FailoverGlobalCluster", "arn:aws:rds::123456789012:global-cluster:app-global")).to.equal(
      true,
    );
    expect(can("rds:SwitchoverGlobalCluster", VALUES.standby.clusterArn)).to.equal(true);
    expect(can("rds:DeleteDBCluster", VALUES.standby.clusterArn)).to.equal(false);
    expect(can("route53:ListResourceRecordSets", "arn:aws:route53:::hostedzone/Z1")).to.equal(true);
    expect(can("route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/Z1")).to.equal(false);
    expect(can("s3:PutObject", "arn:aws:s3:::reports/plan/x.pdf")).to.equal(true);
    expect(
      can(
        "arc-region-switch:GetPlan",
        "arn:aws:arc-region-switch::123456789012:plan/app-ca-central-1:abc123",
      ),
    ).to.equal(true);
    expect(
      can("arc-region-switch:GetPlan", "arn:aws:arc-region-switch::123456789012:plan/other:abc123"),
    ).to.equal(false);
    expect(can("iam:SimulatePrincipalPolicy", "arn:aws:iam::123456789012:role/exec")).to.equal(true);
    // Only actions the blocks name: nothing that deletes or changes DNS records.
    const actions = doc.Statement.flatMap((st) => st.Action);
    for (const action of actions) expect(action).to.not.match(/Delete|Change|Put(?!Object)|Create/);
  });

  describe("a standby whose Aurora capacity is below the home's", () => {
    type StepLike = {
      name: string;
      executionBlockType: string;
      parallelConfigs?: { steps: StepLike[] }[];
    } & Record<string, unknown>;
    const shape = (steps: unknown) =>
      (steps as StepLike[]).map((s) => [
        s.name,
        s.executionBlockType,
        ...(s.parallelConfigs?.[0].steps.map((p) => `${p.name}:${p.executionBlockType}`) ?? []),
      ]);

    it("chooses the raise from the two regions' classes: serverless, a smaller class, or none", () => {
      expect(databaseScalingOf(DB.home, DB.serverless)).to.deep.equal({ kind: "serverless" });
      expect(databaseScalingOf(DB.home, DB.smaller)).to.equal(undefined);
      expect(databaseScalingOf({ ...DB.home, dbInstanceClass: "db.r6g.2xlarge" }, DB.smaller)).to.deep.equal({
        kind: "provisioned",
        homeInstanceArn: DB.home.dbInstanceArns[0],
        standbyInstanceArn: DB.smaller.dbInstanceArns[0],
      });
    });

    it("raises a Serverless v2 standby first, then scales the tiers and moves the writer, then DNS; the failback is unchanged", () => {
      const [activateStandby, activateHome] = planWorkflows({
        ...VALUES,
        databaseScaling: { kind: "serverless" },
      });
      const parallel = [
        STEP_NAMES.capacityAndDatabase,
        "Parallel",
        `${STEP_NAMES.frontendCapacity}:EC2AutoScaling`,
        `${STEP_NAMES.backendCapacity}:EC2AutoScaling`,
        `${STEP_NAMES.database}:AuroraGlobalDatabase`,
      ];
      expect(shape(activateStandby.steps)).to.deep.equal([
        [STEP_NAMES.databaseCapacity, "AuroraServerlessScaling"],
        parallel,
        [STEP_NAMES.dns, "Route53HealthCheck"],
      ]);
      expect(shape(activateHome.steps)).to.deep.equal([parallel, [STEP_NAMES.dns, "Route53HealthCheck"]]);
      const scale = (activateStandby.steps as StepLike[])[0];
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

    it("raises a smaller provisioned standby to the home's class with the provisioned block", () => {
      const scaling = {
        kind: "provisioned" as const,
        homeInstanceArn: DB.home.dbInstanceArns[0],
        standbyInstanceArn: DB.smaller.dbInstanceArns[0],
      };
      const [activateStandby] = planWorkflows({ ...VALUES, databaseScaling: scaling });
      const scale = (activateStandby.steps as StepLike[])[0];
      expect(scale.executionBlockType).to.equal("AuroraProvisionedScaling");
      expect(scale.auroraProvisionedScalingConfigs).to.deep.equal([
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

    it("lets the execution role raise only this plan's standby cluster, and only what each block needs", () => {
      const base = {
        partition: "aws",
        accountId: "123456789012",
        planName: "app-ca-central-1",
        roleArn: "arn:aws:iam::123456789012:role/exec",
        asgArns: [],
        globalClusterIdentifier: "app-global",
        clusterArns: [VALUES.home.clusterArn, VALUES.standby.clusterArn],
        hostedZoneId: "Z1",
        alarmArns: [],
        reportBucketArn: "arn:aws:s3:::reports",
      };
      const policy = (databaseScaling?: { kind: "serverless" | "provisioned"; instanceArns: string[] }) => {
        const doc = executionPolicyDocument({ ...base, databaseScaling });
        return (action: string, resource: string) => allows(doc as never, action, resource);
      };
      const none = policy();
      expect(none("rds:ModifyDBCluster", VALUES.standby.clusterArn)).to.equal(false);
      expect(none("rds:ModifyDBInstance", DB.smaller.dbInstanceArns[0])).to.equal(false);
      const serverless = policy({ kind: "serverless", instanceArns: DB.serverless.dbInstanceArns });
      expect(serverless("rds:ModifyDBCluster", VALUES.standby.clusterArn)).to.equal(true);
      expect(serverless("rds:ModifyDBCluster", "arn:aws:rds:ca-central-1:1:cluster:other")).to.equal(false);
      expect(serverless("rds:RebootDBInstance", DB.serverless.dbInstanceArns[0])).to.equal(true);
      expect(serverless("cloudwatch:GetMetricData", "*")).to.equal(true);
      expect(serverless("rds:CreateDBInstance", VALUES.standby.clusterArn)).to.equal(false);
      const provisioned = policy({ kind: "provisioned", instanceArns: DB.smaller.dbInstanceArns });
      expect(provisioned("rds:ModifyDBInstance", DB.smaller.dbInstanceArns[0])).to.equal(true);
      expect(provisioned("rds:DescribeOrderableDBInstanceOptions", "*")).to.equal(true);
      expect(provisioned("rds:ModifyDBCluster", VALUES.standby.clusterArn)).to.equal(false);
    });
  });

  it("validates the plan's name (ARC: 1–32 characters), regions, record sets, RTO, cooldown and retention", () => {
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
    expect(() => validateFailoverPlanArgs(args({}))).to.not.throw();
    expect(() => validateFailoverPlanArgs(args({ planName: "x".repeat(32) }))).to.not.throw();
    expect(() => validateFailoverPlanArgs(args({ planName: "x".repeat(33) }))).to.throw(/1–32/);
    expect(() => validateFailoverPlanArgs(args({ planName: "a b" }))).to.throw(/1–32/);
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
    expect(() => validateFailoverPlanArgs(args({ recoveryTimeObjectiveMinutes: 0 }))).to.throw(/1 to 10080/);
    expect(() => validateFailoverPlanArgs(args({ trigger: { alarmArn: "a", cooldownMinutes: 0 } }))).to.throw(
      /cooldownMinutes/,
    );
    expect(() => validateFailoverPlanArgs(args({ reportRetentionDays: 0 }))).to.throw(/reportRetentionDays/);
  });

  it("chains one failover pair per plan: the app domain's for the first, a pin pair per further plan, then the serve pair", () => {
    expect(pinChain("app.example.com", ["ca-central-1"])).to.deep.equal([
      { standby: "ca-central-1", recordName: "app.example.com", primaryTo: "serve.app.example.com" },
    ]);
    expect(pinChain("app.example.com", ["ca-central-1", "eu-west-1", "ap-south-1"])).to.deep.equal([
      {
        standby: "ca-central-1",
        recordName: "app.example.com",
        primaryTo: pinRecordName("app.example.com", "eu-west-1"),
      },
      {
        standby: "eu-west-1",
        recordName: "pin-eu-west-1.app.example.com",
        primaryTo: "pin-ap-south-1.app.example.com",
      },
      {
        standby: "ap-south-1",
        recordName: "pin-ap-south-1.app.example.com",
        primaryTo: "serve.app.example.com",
      },
    ]);
  });
});

describe("the fixture control stack under mocks", function () {
  this.timeout(60_000);
  let control: StackRun;
  let home: StackRun;
  let standby: StackRun;
  before(async () => {
    const runs = await fixtureStackRuns();
    control = runs.find(isControlRun)!;
    home = runs.find((r) => r.config["multi-region-web:home"] === "true")!;
    standby = runs.find((r) => !isControlRun(r) && r !== home)!;
  });

  it("runs in us-east-1 and reads the home and the standbys the home lists", () => {
    expect(control.region).to.equal("us-east-1");
    expect(control.project).to.equal("multi-region-web-control");
    expect(control.outputs).to.deep.include({
      homeRegion: "us-east-1",
      standbyRegions: home.outputs.standbyRegions,
    });
    expect(control.outputs.automaticStandbyRegion).to.equal("ca-central-1");
  });

  it("builds the plan from both regions' real exports", () => {
    const plan = one(control, "aws:arcregionswitch/plan:Plan");
    expect(plan.inputs).to.deep.include({
      name: "multi-region-web-ca-central-1",
      recoveryApproach: "activePassive",
      regions: ["us-east-1", "ca-central-1"],
      primaryRegion: "us-east-1",
      recoveryTimeObjectiveMinutes: 15,
    });
    const expected = planWorkflows({
      home: {
        region: "us-east-1",
        frontendAsgArn: (home.outputs.asgArns as { frontend: string }).frontend,
        backendAsgArn: (home.outputs.asgArns as { backend: string }).backend,
        clusterArn: home.outputs.clusterArn as string,
        recordSetIdentifier: "us-east-1",
      },
      standby: {
        region: "ca-central-1",
        frontendAsgArn: (standby.outputs.asgArns as { frontend: string }).frontend,
        backendAsgArn: (standby.outputs.asgArns as { backend: string }).backend,
        clusterArn: standby.outputs.clusterArn as string,
        recordSetIdentifier: STANDBY_SET_IDENTIFIER,
      },
      globalClusterIdentifier: home.outputs.globalClusterIdentifier as string,
      hostedZoneId: home.outputs.hostedZoneId as string,
      domain: "app.example.com",
      // The committed standby runs Aurora Serverless v2 (the standby default).
      databaseScaling: { kind: "serverless" },
    });
    expect(standby.outputs.dbInstanceClass).to.equal("db.serverless");
    expect(plan.inputs.workflows).to.deep.equal(JSON.parse(JSON.stringify(expected)));
  });

  it("associates both regions' application-health alarms and triggers on the standby's home probe", () => {
    const plan = one(control, "aws:arcregionswitch/plan:Plan");
    expect(plan.inputs.associatedAlarms).to.deep.equal([
      {
        mapBlockKey: "app-health-us-east-1",
        alarmType: "applicationHealth",
        resourceIdentifier: home.outputs.appHealthAlarmArn,
      },
      {
        mapBlockKey: "app-health-ca-central-1",
        alarmType: "applicationHealth",
        resourceIdentifier: standby.outputs.appHealthAlarmArn,
      },
      {
        mapBlockKey: "home-unhealthy-ca-central-1",
        alarmType: "trigger",
        resourceIdentifier: standby.outputs.homeProbeAlarmArn,
      },
    ]);
    expect(plan.inputs.triggers).to.deep.equal([
      {
        action: "activate",
        targetRegion: "ca-central-1",
        description: "Activate ca-central-1 when ca-central-1 sees the home region's deep health failing",
        conditions: [{ associatedAlarmName: "home-unhealthy-ca-central-1", condition: "red" }],
        minDelayMinutesBetweenExecutions: 60,
      },
    ]);
  });

  it("gives the plan its execution role (trusting ARC) and writes reports to a bucket in the standby region", () => {
    const plan = one(control, "aws:arcregionswitch/plan:Plan");
    const role = one(control, "aws:iam/role:Role", "plan-ca-central-1-execution");
    expect(plan.inputs.executionRole).to.equal(role.outputs.arn);
    const trust = JSON.parse(role.inputs.assumeRolePolicy as string) as {
      Statement: { Principal: unknown }[];
    };
    expect(trust.Statement[0].Principal).to.deep.equal({
      Service: "arc-region-switch.amazonaws.com",
    });
    const policy = one(control, "aws:iam/rolePolicy:RolePolicy");
    expect(plan.dependencies).to.include(policy.urn);
    const bucket = one(control, "aws:s3/bucket:Bucket", "plan-ca-central-1-reports-bucket");
    expect(bucket.region).to.equal("ca-central-1");
    expect(bucket.protect).to.equal(true);
    const s3 = (
      plan.inputs.reportConfigurations as {
        reportOutputs: { s3Configurations: Record<string, string>[] }[];
      }[]
    )[0].reportOutputs[0].s3Configurations[0];
    expect(s3.bucketPath).to.equal(`s3://${bucket.outputs.bucket as string}/multi-region-web-ca-central-1`);
    expect(s3.bucketOwner).to.equal("123456789012");
  });

  it("puts the plan's ARN in SSM in both of its regions, for on-call during an outage", () => {
    const parameters = ofType(control, "aws:ssm/parameter:Parameter");
    expect(parameters.map((p) => p.region).sort()).to.deep.equal(["ca-central-1", "us-east-1"]);
    for (const p of parameters) {
      expect(p.inputs.name).to.equal(planArnParameterName("multi-region-web-ca-central-1"));
      // The provider always stores a parameter's value as a secret.
      expect(unsecret(p.inputs.value)).to.equal(one(control, "aws:arcregionswitch/plan:Plan").outputs.arn);
    }
  });

  it("builds the app domain's pair on the first deploy, before ARC has created its checks, and attaches none", () => {
    // The run that creates the plan: ARC's list is null (tools/mocks.ts MockAccount).
    const plans = control.outputs.plans as Record<string, { arcHealthCheckIds: Record<string, string> }>;
    expect(plans["ca-central-1"].arcHealthCheckIds).to.deep.equal({});
    const zoneId = home.outputs.hostedZoneId;
    const primary = one(control, "aws:route53/record:Record", "routing-primary");
    expect(primary.inputs).to.deep.include({
      name: "app.example.com",
      zoneId,
      type: "A",
      setIdentifier: "us-east-1",
      failoverRoutingPolicies: [{ type: "PRIMARY" }],
      aliases: [{ name: "serve.app.example.com", zoneId, evaluateTargetHealth: false }],
    });
    const secondary = one(control, "aws:route53/record:Record", "routing-secondary");
    expect(secondary.inputs).to.deep.include({
      name: "app.example.com",
      setIdentifier: STANDBY_SET_IDENTIFIER,
      failoverRoutingPolicies: [{ type: "SECONDARY" }],
      aliases: [{ name: standby.outputs.healthRecordName, zoneId, evaluateTargetHealth: false }],
    });
    for (const r of [primary, secondary]) expect(r.inputs).to.not.have.property("healthCheckId");
  });

  it("puts the automatic failover under the pair: serve.<domain>, the home's deep-checked record, else the standby set", () => {
    const zoneId = home.outputs.hostedZoneId;
    const servePrimary = one(control, "aws:route53/record:Record", "routing-serve-primary");
    const serveSecondary = one(control, "aws:route53/record:Record", "routing-serve-secondary");
    expect(servePrimary.inputs).to.deep.include({
      name: "serve.app.example.com",
      setIdentifier: "us-east-1",
      failoverRoutingPolicies: [{ type: "PRIMARY" }],
      aliases: [{ name: home.outputs.healthRecordName, zoneId, evaluateTargetHealth: true }],
    });
    expect(serveSecondary.inputs).to.deep.include({
      name: "serve.app.example.com",
      setIdentifier: STANDBY_SET_IDENTIFIER,
      failoverRoutingPolicies: [{ type: "SECONDARY" }],
      aliases: [{ name: standby.outputs.healthRecordName, zoneId, evaluateTargetHealth: true }],
    });
    for (const r of [servePrimary, serveSecondary]) expect(r.inputs).to.not.have.property("healthCheckId");
    // Route 53 refuses an alias to a name with no record: the serve pair exists before the PRIMARY.
    const primary = one(control, "aws:route53/record:Record", "routing-primary");
    expect(primary.dependencies).to.include.members([servePrimary.urn, serveSecondary.urn]);
  });

  it("looks up ARC's checks by the plan's ARN, and what the records carry in Route 53, by their names", () => {
    const plan = one(control, "aws:arcregionswitch/plan:Plan");
    const arc = control.invokes.filter(
      (i) => i.token === "aws:arcregionswitch/getRoute53HealthChecks:getRoute53HealthChecks",
    );
    expect(arc.map((i) => i.args)).to.deep.equal([{ planArn: plan.outputs.arn }]);
    const records = control.invokes.filter((i) => i.token === "aws:route53/getRecords:getRecords");
    expect(records.map((i) => i.args)).to.deep.equal([
      { zoneId: home.outputs.hostedZoneId, nameRegex: "^(app\\.example\\.com\\.?)$" },
    ]);
    expect(records[0].region).to.equal("us-east-1");
  });
  it("alarms on each region's deep health check in us-east-1, notifying its own encrypted topic", () => {
    const topic = one(control, "aws:sns/topic:Topic");
    for (const [region, run] of [
      ["us-east-1", home],
      ["ca-central-1", standby],
    ] as const) {
      const alarm = one(control, "aws:cloudwatch/metricAlarm:MetricAlarm", `routing-deep-health-${region}`);
      expect(alarm.region).to.equal("us-east-1");
      expect(alarm.inputs).to.deep.include({
        namespace: "AWS/Route53",
        metricName: "HealthCheckStatus",
        dimensions: { HealthCheckId: run.outputs.healthCheckId },
        treatMissingData: "breaching",
        alarmActions: [topic.outputs.arn],
        okActions: [topic.outputs.arn],
      });
    }
    expect(dependsOn(topic, "kmsMasterKeyId", one(control, "aws:kms/key:Key"))).to.equal(true);
  });

  it("refuses a standby stack deployed in another region than the home lists for it", async () => {
    const deployment = await fixtureDeployment();
    const references = referencesOf(deployment.regional);
    const name = `${standby.organization}/${standby.project}/${standby.stack}`;
    // The stack the home lists as ca-central-1 reports another region (its aws:region was edited).
    references.outputs[name] = { ...references.outputs[name], region: "eu-west-1" };
    let error: unknown;
    try {
      await runProgram(loadProgram(CONTROL_DIR), {
        project: control.project,
        organization: control.organization,
        stack: control.stack,
        config: control.config,
        stackReferences: references.outputs,
        secretStackOutputs: references.secretOutputs,
      });
    } catch (e) {
      error = e;
    }
    expect(error, "a ConfigError").to.be.instanceOf(ConfigError);
    expect((error as ConfigError).key).to.equal(`${name}: aws:region`);
    expect((error as ConfigError).message).to.contain('"eu-west-1": must be ca-central-1');
  });

  it("turns each deep-health alarm red on an unhealthy minute or no data, and only then", () => {
    // Route 53's HealthCheckStatus: "1 indicates healthy, and 0 indicates unhealthy" (valid statistic:
    // Minimum; Route 53 Developer Guide, "Monitoring health checks using CloudWatch").
    for (const region of ["us-east-1", "ca-central-1"]) {
      const alarm = one(control, "aws:cloudwatch/metricAlarm:MetricAlarm", `routing-deep-health-${region}`);
      const state = (minute?: number[]) => alarmState(alarm.inputs, minute);
      expect(state([1, 1, 1, 1, 1, 1]), `${region}: a healthy minute`).to.equal("OK");
      expect(state([1, 1, 0, 1, 1, 1]), `${region}: one unhealthy datapoint`).to.equal("ALARM");
      expect(state([0, 0, 0]), `${region}: an unhealthy minute`).to.equal("ALARM");
      expect(state(undefined), `${region}: no data (the check or its metrics are gone)`).to.equal("ALARM");
      expect(alarm.inputs).to.include({ period: 60, evaluationPeriods: 1 });
    }
  });
});

/**
 * What a CloudWatch metric alarm with one evaluation period says about one period of datapoints: the
 * statistic of the period compared with the threshold, "The specified statistic value is used as the
 * first operand" (CloudWatch API reference, PutMetricAlarm, ComparisonOperator), and missing data as
 * `treatMissingData` says.
 */
function alarmState(
  alarm: Record<string, unknown>,
  datapoints?: number[],
): "OK" | "ALARM" | "INSUFFICIENT_DATA" {
  if (alarm.evaluationPeriods !== 1) throw new Error("alarmState models one evaluation period");
  if (!datapoints || datapoints.length === 0) {
    const missing = alarm.treatMissingData ?? "missing";
    return missing === "breaching" ? "ALARM" : missing === "notBreaching" ? "OK" : "INSUFFICIENT_DATA";
  }
  const statistics: Record<string, (v: number[]) => number> = {
    Minimum: (v) => Math.min(...v),
    Maximum: (v) => Math.max(...v),
    Average: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  };
  const value = statistics[alarm.statistic as string](datapoints);
  const threshold = alarm.threshold as number;
  const operators: Record<string, (a: number, b: number) => boolean> = {
    GreaterThanOrEqualToThreshold: (a, b) => a >= b,
    GreaterThanThreshold: (a, b) => a > b,
    LessThanThreshold: (a, b) => a < b,
    LessThanOrEqualToThreshold: (a, b) => a <= b,
  };
  const compare = operators[alarm.comparisonOperator as string];
  if (!compare) throw new Error(`alarmState does not model ${String(alarm.comparisonOperator)}`);
  return compare(value, threshold) ? "ALARM" : "OK";
}

describe("the control stack's later deploys: ARC's health checks attached, never detached", function () {
  this.timeout(60_000);
  let deployment: Deployment;
  let planArn: string;
  let checks: { home: string; standby: string };
  const record = (run: StackRun, name: string) => one(run, "aws:route53/record:Record", name);
  /** One more `pulumi up` after the second, into a copy of its account, with ARC played by `arc`. */
  const deployAgain = (arc: (account: MockAccount) => void) => {
    const account = deployment.second.account!.clone();
    arc(account);
    return deployControlAgain(deployment.regional, { ...deployment.second, account });
  };
  const failure = async (run: Promise<unknown>): Promise<string> => {
    try {
      await run;
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error("the deploy succeeded");
  };

  before(async () => {
    deployment = await fixtureDeployment();
    planArn = one(deployment.second, "aws:arcregionswitch/plan:Plan").outputs.arn as string;
    const ids = (
      deployment.second.outputs.plans as Record<string, { arcHealthCheckIds: Record<string, string> }>
    )["ca-central-1"].arcHealthCheckIds;
    checks = { home: ids["us-east-1"], standby: ids["ca-central-1"] };
  });

  it("attaches the plan's checks on the second deploy: the home's to the PRIMARY, the standby's to the SECONDARY", () => {
    expect(checks.home).to.be.a("string").and.not.equal(checks.standby);
    expect(record(deployment.second, "routing-primary").inputs.healthCheckId).to.equal(checks.home);
    expect(record(deployment.second, "routing-secondary").inputs.healthCheckId).to.equal(checks.standby);
    for (const name of ["routing-serve-primary", "routing-serve-secondary"]) {
      expect(record(deployment.second, name).inputs).to.not.have.property("healthCheckId");
    }
  });

  it("passes the whole policy pack after the second deploy, with no violation at all", async () => {
    const result = await runPolicies(policies, deployment.second.resources, {
      stackTags: { "pulumi:project": deployment.second.project },
    });
    expect(result.violations.map((v) => `${v.policyName}: ${v.message}`)).to.deep.equal([]);
  });

  it("keeps them attached whatever their state, e.g. while a plan has activated the standby", async () => {
    const run = await deployAgain((a) => {
      a.arcStatus.set(checks.home, "unhealthy");
      a.arcStatus.set(checks.standby, "healthy");
    });
    expect(record(run, "routing-primary").inputs.healthCheckId).to.equal(checks.home);
    expect(record(run, "routing-secondary").inputs.healthCheckId).to.equal(checks.standby);
  });

  for (const listing of ["null", "empty"] as const) {
    it(`refuses to detach them when ARC returns ${listing === "null" ? "no list (null)" : "an empty list"}, naming the record, the check and what to do`, async () => {
      const message = await failure(deployAgain((a) => a.arcListing.set(planArn, listing)));
      expect(message).to.contain(
        `Refusing to detach ARC health check ${checks.home} from app.example.com (PRIMARY, set us-east-1): plan ${planArn} now lists no health check for us-east-1.`,
      );
      expect(message).to.contain("wait and run `pulumi up` again");
      expect(message).to.contain(`list-route53-health-checks --region us-east-1 --arn ${planArn}`);
      expect(message).to.contain("remove the health check from that record in Route 53 yourself");
    });
  }

  it("refuses to swap an attached check for another id ARC lists (a re-created plan)", async () => {
    const run = await deployAgain(() => undefined);
    // Route 53 now holds another check on the SECONDARY than the one ARC lists.
    const account = run.account!.clone();
    const stack = `${run.organization}/${run.project}/${run.stack}`;
    account.records.set(
      stack,
      account.records
        .get(stack)!
        .map((r) => (r.healthCheckId === checks.standby ? { ...r, healthCheckId: "00000000-old" } : r)),
    );
    const message = await failure(deployControlAgain(deployment.regional, { ...run, account }));
    expect(message).to.contain(
      `Refusing to detach ARC health check 00000000-old from app.example.com (SECONDARY, set standby): plan ${planArn} now lists health check ${checks.standby} for ca-central-1.`,
    );
  });

  it("attaches a check the first time only in a state that changes nothing DNS answers", async () => {
    // A plan executed before the second deploy: the home's check is unhealthy, never attached.
    const account = deployment.first.account!.clone();
    const ids = { home: checks.home, standby: checks.standby };
    account.arcStatus.set(ids.home, "unhealthy");
    account.arcStatus.set(ids.standby, "healthy");
    const run = await deployControlAgain(deployment.regional, { ...deployment.first, account });
    expect(record(run, "routing-primary").inputs).to.not.have.property("healthCheckId");
    expect(record(run, "routing-secondary").inputs.healthCheckId).to.equal(ids.standby);
  });
});
