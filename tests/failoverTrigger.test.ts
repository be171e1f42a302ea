/**
 * The automatic trigger's witnesses (components/failoverTrigger.ts): what the fixture control stack
 * registers, and what the alarms and ARC's conditions decide on minute-by-minute metric series
 * (tests/alarmModel.ts) — a true trigger (the home really down: every witness red) and false ones (one
 * vantage point cut off, a bad deploy rolled back in three minutes, a blind witness). Their pure parts
 * are tests/triggerWitnesses.test.ts.
 */
import { expect } from "chai";
import { regionKeyPolicy } from "../components/regionKey";
import { RecordedResource, StackRun } from "../tools/mocks";
import { fixtureStackRuns, isControlRun } from "../tools/runStacks";
import { minutes, repeat, triggerFiresAt } from "./alarmModel";
import { dependsOn, ofType, one } from "./helpers";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

describe("the fixture control stack's trigger", function () {
  this.timeout(60_000);
  let control: StackRun;
  let standby: StackRun;
  let plan: RecordedResource;
  let trigger: { conditions: { associatedAlarmName: string; condition: string }[] };
  let alarmsByName: Record<string, Record<string, unknown>>;
  before(async () => {
    const runs = await fixtureStackRuns();
    control = runs.find(isControlRun)!;
    standby = runs.find((r) => !isControlRun(r) && r.config["multi-region-web:home"] !== "true")!;
    plan = one(control, "aws:arcregionswitch/plan:Plan");
    trigger = (plan.inputs.triggers as (typeof trigger)[])[0];
    alarmsByName = Object.fromEntries(
      ofType(control, ALARM)
        .filter((a) => a.name.startsWith("trigger-ca-central-1-witness-"))
        .map((a) => [a.outputs.name as string, a.inputs]),
    );
  });

  it("puts a witness probe in us-west-2 that publishes into the standby region, its logs under a us-west-2 key", () => {
    const fn = one(control, "aws:lambda/function:Function", "trigger-ca-central-1-us-west-2-function");
    expect(fn.region).to.equal("us-west-2");
    expect(fn.inputs.name).to.equal("multi-region-web-ca-central-1-witness");
    const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
    expect(env).to.deep.include({
      METRIC_REGION: "ca-central-1",
      HOME_REGION: "us-east-1",
      APP_DOMAIN: "app.example.com",
    });
    const logs = one(control, "aws:cloudwatch/logGroup:LogGroup", "trigger-ca-central-1-us-west-2-logs");
    const key = one(control, "aws:kms/key:Key", "trigger-ca-central-1-us-west-2-logs-key");
    expect([logs.region, key.region]).to.deep.equal(["us-west-2", "us-west-2"]);
    expect(dependsOn(logs, "kmsKeyId", key)).to.equal(true);
    expect(JSON.parse(key.inputs.policy as string)).to.deep.equal(
      regionKeyPolicy("aws", "123456789012", "us-west-2"),
    );
    // Its own alarms (probe-silent tells that the witness is blind) live where its metric does.
    for (const name of ["home-unhealthy", "probe-silent"]) {
      expect(one(control, ALARM, `trigger-ca-central-1-us-west-2-${name}`).region).to.equal("ca-central-1");
    }
  });

  it("alarms in the standby region on each vantage point's own metric, notifying the standby's ops topic", () => {
    expect(Object.keys(alarmsByName).sort()).to.deep.equal([
      "multi-region-web-ca-central-1-home-down-from-ca-central-1",
      "multi-region-web-ca-central-1-home-down-from-us-west-2",
    ]);
    for (const a of ofType(control, ALARM).filter((r) =>
      r.name.startsWith("trigger-ca-central-1-witness-"),
    )) {
      expect(a.region).to.equal("ca-central-1");
      expect(a.inputs.alarmActions).to.deep.equal([standby.outputs.opsTopicArn]);
      expect(a.inputs).to.deep.include({
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
        treatMissingData: "notBreaching",
      });
    }
  });

  it("reads, for the standby's vantage point, exactly the metric the standby's own probe alarms on", () => {
    const probeAlarm = one(standby, ALARM, "home-probe-home-unhealthy");
    const witness = alarmsByName["multi-region-web-ca-central-1-home-down-from-ca-central-1"];
    for (const field of ["namespace", "metricName", "dimensions"]) {
      expect(witness[field], field).to.deep.equal(probeAlarm.inputs[field]);
    }
    expect(probeAlarm.region).to.equal("ca-central-1");
  });

  describe("decides on minute-by-minute series (5 minutes, the default)", () => {
    const fires = (series: Record<string, (number[] | undefined)[]>) =>
      triggerFiresAt(trigger, alarmsByName, series, 30);

    it("fires when the home is really down: every vantage point red for 5 minutes", () => {
      const down = minutes([...repeat<"up">("up", 3), ...repeat<"down">("down", 20)]);
      expect(fires({ "ca-central-1": down, "us-west-2": down })).to.equal(3 + 5 - 1);
    });

    it("fires when the witnesses agree even if they start failing at different minutes, once both windows are full", () => {
      const early = minutes([...repeat<"down">("down", 20)]);
      const late = minutes([...repeat<"up">("up", 2), ...repeat<"down">("down", 18)]);
      expect(fires({ "ca-central-1": early, "us-west-2": late })).to.equal(2 + 5 - 1);
    });

    it("does not fire on a fault between the standby and the home alone (us-west-2 still reaches it)", () => {
      expect(
        fires({
          "ca-central-1": minutes(repeat<"down">("down", 30)),
          "us-west-2": minutes(repeat<"up">("up", 30)),
        }),
      ).to.equal(undefined);
    });

    it("does not fire on a bad deploy rolled back within 3 minutes, nor 4, seen from everywhere", () => {
      for (const bad of [3, 4]) {
        const deploy = minutes([
          ...repeat<"up">("up", 2),
          ...repeat<"down">("down", bad),
          ...repeat<"up">("up", 20),
        ]);
        expect(fires({ "ca-central-1": deploy, "us-west-2": deploy }), `${bad} minutes`).to.equal(undefined);
      }
    });

    it("does not fire while a witness is blind (no data counts as healthy), whatever the other sees", () => {
      expect(
        fires({
          "ca-central-1": minutes(repeat<"down">("down", 30)),
          "us-west-2": minutes(repeat<"silent">("silent", 30)),
        }),
      ).to.equal(undefined);
      // A witness silent in minute 3 needs 5 failing minutes after it: red from minute 8 only.
      const gap = minutes([...repeat<"down">("down", 3), "silent", ...repeat<"down">("down", 20)]);
      expect(fires({ "ca-central-1": minutes(repeat<"down">("down", 30)), "us-west-2": gap })).to.equal(8);
    });

    it("would fire on a healthy home if the alarms breached on LessThanOrEqualToThreshold (a mutant this model kills)", () => {
      const healthy = minutes(repeat<"up">("up", 10));
      const mutated = Object.fromEntries(
        Object.entries(alarmsByName).map(([k, a]) => [
          k,
          { ...a, comparisonOperator: "LessThanOrEqualToThreshold" },
        ]),
      );
      expect(
        triggerFiresAt(trigger, mutated, { "ca-central-1": healthy, "us-west-2": healthy }, 10),
      ).to.equal(4);
      expect(
        triggerFiresAt(trigger, alarmsByName, { "ca-central-1": healthy, "us-west-2": healthy }, 10),
      ).to.equal(undefined);
    });
  });
});
