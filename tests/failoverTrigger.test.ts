/**
 * The automatic trigger's witnesses (components/failoverTrigger.ts): their pure parts, what the
 * fixture control stack registers, and what the alarms and ARC's conditions decide on minute-by-minute
 * metric series — a true trigger (the home really down: every witness red) and false ones (one
 * vantage point cut off, a bad deploy rolled back in three minutes, a blind witness).
 */
import { expect } from "chai";
import {
  FailoverTriggerArgs,
  validateFailoverTriggerArgs,
  witnessAlarmName,
  witnessAlarmSpec,
  witnessFunctionName,
} from "../components/failoverTrigger";
import { HOME_PROBE_METRIC, HOME_PROBE_NAMESPACE } from "../components/homeProbe";
import { regionKeyPolicy } from "../components/regionKey";
import { RecordedResource, StackRun } from "../tools/mocks";
import { fixtureStackRuns, isControlRun } from "../tools/runStacks";
import { dependsOn, ofType, one } from "./helpers";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

/**
 * A CloudWatch metric alarm's state at the end of minute `t` (period 60 s): ALARM when at least
 * `datapointsToAlarm` of the last `evaluationPeriods` minutes breach ("M out of N", CloudWatch User
 * Guide, "Evaluating an alarm"); a minute without a data point breaches or not as treatMissingData
 * says ("Configuring how CloudWatch alarms treat missing data"). Each minute's value is the alarm's
 * statistic over that minute's points (Minimum here), compared with the threshold as the operator says.
 */
function alarmState(
  alarm: Record<string, unknown>,
  minutes: (number[] | undefined)[],
  t: number,
): "ALARM" | "OK" {
  expect(alarm.period, "the model knows one-minute periods").to.equal(60);
  const n = alarm.evaluationPeriods as number;
  const m = (alarm.datapointsToAlarm as number | undefined) ?? n;
  const compare: Record<string, (a: number, b: number) => boolean> = {
    LessThanThreshold: (a, b) => a < b,
    LessThanOrEqualToThreshold: (a, b) => a <= b,
    GreaterThanThreshold: (a, b) => a > b,
    GreaterThanOrEqualToThreshold: (a, b) => a >= b,
  };
  const statistic: Record<string, (v: number[]) => number> = {
    Minimum: (v) => Math.min(...v),
    Maximum: (v) => Math.max(...v),
  };
  let breaching = 0;
  for (let i = Math.max(0, t - n + 1); i <= t; i++) {
    const points = minutes[i];
    if (points === undefined || points.length === 0) {
      if (alarm.treatMissingData === "breaching") breaching++;
      continue;
    }
    const value = statistic[alarm.statistic as string](points);
    if (compare[alarm.comparisonOperator as string](value, alarm.threshold as number)) breaching++;
  }
  return breaching >= m ? "ALARM" : "OK";
}

/**
 * The minute ARC starts the plan, if it does: "all conditions must be met", and "The trigger starts
 * plan execution when a CloudWatch alarm transitions to meet the conditions" (ARC Developer Guide,
 * "Create a trigger for a Region switch plan"); a condition `red` is an alarm in ALARM.
 */
function triggerFiresAt(
  trigger: { conditions: { associatedAlarmName: string; condition: string }[] },
  alarmsByName: Record<string, Record<string, unknown>>,
  series: Record<string, (number[] | undefined)[]>,
  horizon: number,
): number | undefined {
  let before = false;
  for (let t = 0; t < horizon; t++) {
    const met = trigger.conditions.every((c) => {
      const alarm = alarmsByName[c.associatedAlarmName];
      const probeRegion = (alarm.dimensions as Record<string, string>).ProbeRegion;
      const state = alarmState(alarm, series[probeRegion] ?? [], t);
      return c.condition === "red" ? state === "ALARM" : state === "OK";
    });
    if (met && !before) return t;
    before = met;
  }
  return undefined;
}

/** A probe's minutes: `healthy` or not, one run (one point) a minute; `silent` minutes have none. */
const minutes = (pattern: ("up" | "down" | "silent")[]): (number[] | undefined)[] =>
  pattern.map((p) => (p === "silent" ? undefined : [p === "up" ? 1 : 0]));
const repeat = <T>(value: T, count: number): T[] => Array.from({ length: count }, () => value);

const ARGS: FailoverTriggerArgs = {
  planName: "app-ca-central-1",
  homeRegion: "us-east-1",
  standbyRegion: "ca-central-1",
  witnessRegions: ["us-west-2"],
  homeAlbDnsName: "alb",
  domain: "app.example.com",
  minutes: 5,
  alarmTopicArn: "arn:aws:sns:ca-central-1:1:ops",
};

describe("FailoverTrigger (pure)", () => {
  it("names each witness alarm after the plan and the vantage point, and the witness function after the plan", () => {
    expect(witnessAlarmName("app-ca-central-1", "us-west-2")).to.equal(
      "app-ca-central-1-home-down-from-us-west-2",
    );
    expect(witnessFunctionName("multi-region-web-ca-central-1")).to.equal(
      "multi-region-web-ca-central-1-witness",
    );
  });

  it("alarms on one vantage point's metric for `minutes` consecutive minutes, a silent minute never breaching", () => {
    const spec = witnessAlarmSpec({
      planName: "p",
      domain: "app.example.com",
      homeRegion: "us-east-1",
      probeRegion: "us-west-2",
      minutes: 5,
    });
    expect(spec.args).to.deep.include({
      name: "p-home-down-from-us-west-2",
      namespace: HOME_PROBE_NAMESPACE,
      metricName: HOME_PROBE_METRIC,
      dimensions: { Domain: "app.example.com", HomeRegion: "us-east-1", ProbeRegion: "us-west-2" },
      statistic: "Minimum",
      period: 60,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      treatMissingData: "notBreaching",
    });
  });

  it("refuses no third region, a witness in the home or the standby, a repeated region, and a non-positive window", () => {
    expect(() => validateFailoverTriggerArgs(ARGS)).to.not.throw();
    expect(() => validateFailoverTriggerArgs({ ...ARGS, witnessRegions: [] })).to.throw(
      /at least one witness region/,
    );
    expect(() => validateFailoverTriggerArgs({ ...ARGS, witnessRegions: ["us-east-1"] })).to.throw(
      /is the home/,
    );
    expect(() => validateFailoverTriggerArgs({ ...ARGS, witnessRegions: ["ca-central-1"] })).to.throw(
      /is the standby/,
    );
    expect(() =>
      validateFailoverTriggerArgs({ ...ARGS, witnessRegions: ["us-west-2", "us-west-2"] }),
    ).to.throw(/repeat/);
    expect(() => validateFailoverTriggerArgs({ ...ARGS, minutes: 0 })).to.throw(/minutes 0/);
  });
});

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
