/**
 * The failover control stack: the fixture control stack run under mocks, wired to the regional stacks'
 * real exports. Its config and what it reads from the regional stacks, pure, are
 * tests/controlConfig.test.ts; the plan's workflows and roles, tests/failoverPlan.test.ts.
 */
import { expect } from "chai";
import { ConfigError } from "../config";
import { approvalRoleArnParameterName, planArnParameterName } from "../components/failoverPlan";
import { planWorkflows, STEP_NAMES } from "../components/failoverWorkflows";
import { STANDBY_SET_IDENTIFIER } from "../components/failoverRouting";
import { PLAN_EVALUATION_DETAIL_TYPE, planEvaluationEventPattern } from "../components/planEvaluationAlerts";
import { policies } from "../policy/policies";
import { wildcardMatch } from "../policy/rules/failover";
import { runPolicies } from "../policy/runner";
import { MockAccount, runProgram, StackRun } from "../tools/mocks";
import { fixtureStackRuns, CONTROL_DIR, isControlRun, loadProgram } from "../tools/runStacks";
import { dependsOn, ofType, one, unsecret } from "./helpers";
import { fixtureDeployment, deployControlAgain, Deployment, referencesOf } from "./route53ModelStacks";

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
      // The plan has the trigger, hence the approval step whatever manualApproval says (false here).
      approvalRoleArn: one(control, "aws:iam/role:Role", "plan-ca-central-1-approval").outputs.arn as string,
      // The committed standby runs Aurora Serverless v2 (the standby default).
      databaseScaling: { kind: "serverless" },
    });
    expect(control.config["multi-region-web-control:manualApproval"]).to.equal("false");
    expect(standby.outputs.dbInstanceClass).to.equal("db.serverless");
    expect(plan.inputs.workflows).to.deep.equal(JSON.parse(JSON.stringify(expected)));
    const steps = (plan.inputs.workflows as { steps: { name: string }[] }[])[0].steps;
    expect(steps.map((st) => st.name)).to.deep.equal([
      STEP_NAMES.approval,
      STEP_NAMES.capacityAndDatabase,
      STEP_NAMES.dns,
    ]);
  });

  it("associates both regions' application-health alarms, and triggers when every witness alarm is red", () => {
    const plan = one(control, "aws:arcregionswitch/plan:Plan");
    const witness = (probeRegion: string) =>
      one(control, "aws:cloudwatch/metricAlarm:MetricAlarm", `trigger-ca-central-1-witness-${probeRegion}`);
    const names = ["ca-central-1", "us-west-2"].map(
      (r) => `multi-region-web-ca-central-1-home-down-from-${r}`,
    );
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
      ...["ca-central-1", "us-west-2"].map((r, i) => ({
        mapBlockKey: names[i],
        alarmType: "trigger",
        resourceIdentifier: witness(r).outputs.arn,
      })),
    ]);
    // The key a condition names is the alarm's own CloudWatch name.
    expect(["ca-central-1", "us-west-2"].map((r) => witness(r).outputs.name)).to.deep.equal(names);
    expect(plan.inputs.triggers).to.deep.equal([
      {
        action: "activate",
        targetRegion: "ca-central-1",
        description:
          "Activate ca-central-1 when ca-central-1 and us-west-2 all see the home's deep health failing (the execution then waits for approval)",
        conditions: names.map((associatedAlarmName) => ({ associatedAlarmName, condition: "red" })),
        minDelayMinutesBetweenExecutions: 60,
      },
    ]);
    expect(control.outputs.triggerWitnessAlarms).to.deep.equal(names);
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
    const policy = one(control, "aws:iam/rolePolicy:RolePolicy", "plan-ca-central-1-execution-policy");
    const approval = one(control, "aws:iam/rolePolicy:RolePolicy", "plan-ca-central-1-approval-policy");
    expect(plan.dependencies).to.include.members([policy.urn, approval.urn]);
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

  it("puts the plan's ARN and its approval role's in SSM in both of its regions, for on-call during an outage", () => {
    const parameters = ofType(control, "aws:ssm/parameter:Parameter");
    const plan = one(control, "aws:arcregionswitch/plan:Plan");
    const approval = one(control, "aws:iam/role:Role", "plan-ca-central-1-approval");
    const byName = (name: string) =>
      parameters
        .filter((p) => p.inputs.name === name)
        .map((p) => [p.region, unsecret(p.inputs.value)])
        .sort();
    expect(parameters).to.have.length(4);
    // The provider always stores a parameter's value as a secret.
    expect(byName(planArnParameterName("multi-region-web-ca-central-1"))).to.deep.equal([
      ["ca-central-1", plan.outputs.arn],
      ["us-east-1", plan.outputs.arn],
    ]);
    expect(approvalRoleArnParameterName("multi-region-web-ca-central-1")).to.equal(
      "/failover/multi-region-web-ca-central-1/approval-role-arn",
    );
    expect(byName(approvalRoleArnParameterName("multi-region-web-ca-central-1"))).to.deep.equal([
      ["ca-central-1", approval.outputs.arn],
      ["us-east-1", approval.outputs.arn],
    ]);
    const outputs = (control.outputs.plans as Record<string, Record<string, unknown>>)["ca-central-1"];
    expect(outputs).to.deep.include({
      planArnParameter: "/failover/multi-region-web-ca-central-1/plan-arn",
      approvalRoleArnParameter: "/failover/multi-region-web-ca-central-1/approval-role-arn",
      approvalRoleArn: approval.outputs.arn,
    });
  });

  it("lets only the named approvers assume the approval role, to approve this plan's steps", () => {
    const role = one(control, "aws:iam/role:Role", "plan-ca-central-1-approval");
    expect(JSON.parse(role.inputs.assumeRolePolicy as string)).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: ["arn:aws:iam::111122223333:role/failover-approver"] },
          Action: "sts:AssumeRole",
        },
      ],
    });
    const policy = JSON.parse(
      one(control, "aws:iam/rolePolicy:RolePolicy", "plan-ca-central-1-approval-policy").inputs
        .policy as string,
    ) as { Statement: { Resource: string[] }[] };
    expect(policy.Statement[0].Resource).to.deep.equal([
      "arn:aws:arc-region-switch::123456789012:plan/multi-region-web-ca-central-1:??????",
    ]);
  });

  it("lets the execution role start the plan on its trigger and read the witness alarms", () => {
    const policy = JSON.parse(
      one(control, "aws:iam/rolePolicy:RolePolicy", "plan-ca-central-1-execution-policy").inputs
        .policy as string,
    ) as { Statement: { Sid: string; Action: string[]; Resource: string[] }[] };
    const plan = one(control, "aws:arcregionswitch/plan:Plan");
    const start = policy.Statement.find((st) => st.Sid === "StartThisPlanOnItsTrigger")!;
    expect(start.Action).to.deep.equal(["arc-region-switch:StartPlanExecution"]);
    expect(wildcardMatch(start.Resource[0], plan.outputs.arn as string)).to.equal(true);
    const witnesses = ofType(control, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) =>
      a.name.startsWith("trigger-ca-central-1-witness-"),
    );
    expect(policy.Statement.find((st) => st.Sid === "ReadTriggerAlarms")!.Resource).to.deep.equal(
      witnesses.map((a) => a.outputs.arn),
    );
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
    expect(
      dependsOn(topic, "kmsMasterKeyId", one(control, "aws:kms/key:Key", "routing-alarms-key")),
    ).to.equal(true);
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

/**
 * EventBridge's matching, as far as the plan-evaluation rule uses it ("Event patterns", EventBridge
 * User Guide): every field of the pattern must be in the event; an array lists the values allowed
 * (any of them); `{ exists: true }` asks for the field; `$or` holds alternative patterns.
 */
function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, wanted]) => {
    if (key === "$or") {
      return (wanted as Record<string, unknown>[]).some((alternative) => matches(alternative, event));
    }
    const value = event[key];
    if (Array.isArray(wanted)) {
      return wanted.some((w) =>
        typeof w === "object" && w !== null && "exists" in w
          ? (value !== undefined) === (w as { exists: boolean }).exists
          : value === w,
      );
    }
    return (
      typeof value === "object" &&
      value !== null &&
      matches(wanted as Record<string, unknown>, value as Record<string, unknown>)
    );
  });
}

describe("plan evaluation warnings to the ops topics", function () {
  this.timeout(60_000);
  let control: StackRun;
  let home: StackRun;
  before(async () => {
    const runs = await fixtureStackRuns();
    control = runs.find(isControlRun)!;
    home = runs.find((r) => r.config["multi-region-web:home"] === "true")!;
  });

  // The ARC Developer Guide's example events ("Using Region switch in ARC with Amazon EventBridge"),
  // their comments left out: an evaluation warning, printed with an execution's detail-type, and an
  // execution event.
  const warning = {
    version: "0",
    "detail-type": "ARC Region Switch Plan Execution",
    source: "aws.arc-region-switch",
    region: "us-east-1",
    resources: ["arn:aws:arc-region-switch::111122223333:plan/a2b89be4821bfd1d"],
    detail: {
      version: "0.0.1",
      idempotencyKey: "1111111-2222-3333-4444-5555555555",
      metadata: { evaluationTime: "timestamp", warning: "There is a plan evaluation warning for ..." },
    },
  };
  const execution = {
    "detail-type": "ARC Region Switch Plan Execution",
    source: "aws.arc-region-switch",
    detail: { version: "0.0.1", eventType: "ExecutionStarted", executionId: "bbbbbbEXAMPLE" },
  };

  it("matches a plan's evaluation warnings, under either detail-type the guide shows, and nothing else", () => {
    const pattern = planEvaluationEventPattern() as Record<string, unknown>;
    expect(matches(pattern, warning)).to.equal(true);
    expect(matches(pattern, { ...warning, "detail-type": PLAN_EVALUATION_DETAIL_TYPE, detail: {} })).to.equal(
      true,
    );
    expect(matches(pattern, execution)).to.equal(false);
    expect(matches(pattern, { ...warning, source: "aws.arc-zonal-shift" })).to.equal(false);
  });

  it("has one rule, in us-east-1 where ARC delivers them, to the control stack's topic and the home's ops topic", () => {
    const rule = one(control, "aws:cloudwatch/eventRule:EventRule", "plan-evaluation-rule");
    expect(rule.region).to.equal("us-east-1");
    expect(JSON.parse(rule.inputs.eventPattern as string)).to.deep.equal(planEvaluationEventPattern());
    const targets = ofType(control, "aws:cloudwatch/eventTarget:EventTarget")
      .filter((t) => t.name.startsWith("plan-evaluation-"))
      .sort((x, y) => x.name.localeCompare(y.name));
    const topic = one(control, "aws:sns/topic:Topic");
    expect(targets.map((t) => [t.region, t.inputs.rule, t.inputs.arn])).to.deep.equal([
      ["us-east-1", rule.outputs.name, topic.outputs.arn],
      // The home is in us-east-1: its ops topic is a topic of the rule's region.
      ["us-east-1", rule.outputs.name, home.outputs.opsTopicArn],
    ]);
    expect(control.outputs.planEvaluationRule).to.equal(rule.outputs.name);
  });

  it("lets EventBridge rules of this account and region publish to the control stack's encrypted topic", () => {
    const policy = JSON.parse(one(control, "aws:sns/topicPolicy:TopicPolicy").inputs.policy as string) as {
      Statement: { Principal?: { Service?: string }; Condition?: unknown }[];
    };
    expect(
      policy.Statement.find((st) => st.Principal?.Service === "events.amazonaws.com")!.Condition,
    ).to.deep.equal({
      ArnLike: { "aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/*" },
      StringEquals: { "aws:SourceAccount": "123456789012" },
    });
    const key = JSON.parse(one(control, "aws:kms/key:Key", "routing-alarms-key").inputs.policy as string) as {
      Statement: { Principal?: { Service?: string } }[];
    };
    expect(key.Statement.some((st) => st.Principal?.Service === "events.amazonaws.com")).to.equal(true);
  });
});
