/**
 * The automatic trigger's witnesses (components/failoverTrigger.ts), pure: their names, their alarms
 * and the checks of their arguments. No mocks (the failover mutation run, stryker.failover.config.mjs,
 * runs this file); the witnesses as the control stack registers them are tests/failoverTrigger.test.ts.
 */
import { expect } from "chai";
import {
  FAILOVER_TRIGGER_DEFAULTS,
  FailoverTriggerArgs,
  validateFailoverTriggerArgs,
  vantagePoints,
  witnessAlarmName,
  witnessAlarmSpec,
  witnessFunctionName,
  witnessProbeArgs,
} from "../components/failoverTrigger";
import { planTriggers } from "../components/failoverWorkflows";
import { HOME_PROBE_METRIC, HOME_PROBE_NAMESPACE, validateHomeProbeArgs } from "../components/homeProbe";
import { minutes, repeat, triggerFiresAt } from "./alarmModel";

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

  it("names the plan, the region and what a witness must be in each refusal", () => {
    expect(() => validateFailoverTriggerArgs({ ...ARGS, witnessRegions: [] })).to.throw(
      'FailoverTrigger "app-ca-central-1": at least one witness region besides the standby ca-central-1',
    );
    expect(() =>
      validateFailoverTriggerArgs({ ...ARGS, witnessRegions: ["us-west-2", "eu-west-1", "us-west-2"] }),
    ).to.throw(
      'FailoverTrigger "app-ca-central-1": witness regions us-west-2, eu-west-1, us-west-2 repeat a region',
    );
    expect(() => validateFailoverTriggerArgs({ ...ARGS, minutes: 2.5 })).to.throw(
      'FailoverTrigger "app-ca-central-1": minutes 2.5 must be a positive integer',
    );
    expect(() => validateFailoverTriggerArgs({ ...ARGS, minutes: 1 })).to.not.throw();
  });

  it("has a vantage point in the standby first, then in each witness region", () => {
    expect(
      vantagePoints({ standbyRegion: "ca-central-1", witnessRegions: ["us-west-2", "eu-west-1"] }),
    ).to.deep.equal(["ca-central-1", "us-west-2", "eu-west-1"]);
  });

  it("keys each alarm by its vantage point, and says what it means and what follows when it is red", () => {
    const spec = witnessAlarmSpec({
      planName: "p",
      domain: "app.example.com",
      homeRegion: "us-east-1",
      probeRegion: "us-west-2",
      minutes: 5,
    });
    expect(spec.key).to.equal("witness-us-west-2");
    expect(spec.args.alarmDescription).to.equal(
      "Trigger witness of plan p: app.example.com in us-east-1 failed its deep health check, probed from us-west-2, " +
        "for 5 consecutive minutes. When every witness of the plan is red, ARC starts the plan; the execution waits for approval.",
    );
  });

  it("runs each witness's probe in its own region, publishing into the standby's, under the plan's function name", () => {
    const probe = witnessProbeArgs({ ...ARGS, tags: { Team: "ops" } }, "us-west-2", "arn:key");
    expect(probe).to.deep.equal({
      region: "us-west-2",
      metricRegion: "ca-central-1",
      homeRegion: "us-east-1",
      homeAlbDnsName: "alb",
      domain: "app.example.com",
      alarmTopicArn: "arn:aws:sns:ca-central-1:1:ops",
      logRetentionDays: 30,
      logKmsKeyArn: "arn:key",
      functionName: "app-ca-central-1-witness",
      tags: { Team: "ops" },
    });
    expect(FAILOVER_TRIGGER_DEFAULTS.logRetentionDays).to.equal(30);
    expect(witnessProbeArgs({ ...ARGS, logRetentionDays: 90 }, "us-west-2", "k").logRetentionDays).to.equal(
      90,
    );
    // A probe HomeProbe accepts.
    expect(() => validateHomeProbeArgs("witness", probe)).to.not.throw();
  });
});

describe("what the witnesses and the plan's trigger decide, as the pure builders make them (tests/alarmModel.ts)", () => {
  const args = { ...ARGS, witnessRegions: ["us-west-2", "eu-west-1"], minutes: 3 };
  const alarmsByName = Object.fromEntries(
    vantagePoints(args).map((probeRegion) => {
      const spec = witnessAlarmSpec({ ...args, probeRegion });
      return [spec.args.name as string, spec.args as Record<string, unknown>];
    }),
  );
  const [trigger] = planTriggers({
    home: { region: "us-east-1", appHealthAlarmArn: "h" },
    standby: { region: "ca-central-1", appHealthAlarmArn: "s" },
    trigger: {
      cooldownMinutes: 60,
      witnesses: vantagePoints(args).map((probeRegion) => ({
        probeRegion,
        alarmName: witnessAlarmName(args.planName, probeRegion),
        alarmArn: `arn:${probeRegion}`,
      })),
    },
  })!;
  const fires = (series: Record<string, (number[] | undefined)[]>) =>
    triggerFiresAt(trigger as Parameters<typeof triggerFiresAt>[0], alarmsByName, series, 20);
  const down = minutes(repeat<"down">("down", 20));
  const up = minutes(repeat<"up">("up", 20));

  it("fires in the minute the last of the three vantage points has seen `minutes` failing minutes", () => {
    const late = minutes([...repeat<"up">("up", 4), ...repeat<"down">("down", 16)]);
    expect(fires({ "ca-central-1": down, "us-west-2": down, "eu-west-1": down })).to.equal(2);
    expect(fires({ "ca-central-1": down, "us-west-2": down, "eu-west-1": late })).to.equal(4 + 3 - 1);
  });

  it("does not fire while any vantage point still reaches the home, or sees nothing", () => {
    expect(fires({ "ca-central-1": down, "us-west-2": down, "eu-west-1": up })).to.equal(undefined);
    expect(
      fires({
        "ca-central-1": down,
        "us-west-2": down,
        "eu-west-1": minutes(repeat<"silent">("silent", 20)),
      }),
    ).to.equal(undefined);
    // A failed run among healthy ones in the same minute makes that minute unhealthy (Minimum).
    const flaky = minutes(repeat<"up">("up", 20)).map(() => [1, 0]);
    expect(fires({ "ca-central-1": flaky, "us-west-2": flaky, "eu-west-1": flaky })).to.equal(2);
  });
});
