/**
 * The automatic trigger's witnesses (components/failoverTrigger.ts), pure: their names, their alarms
 * and the checks of their arguments. No mocks (the failover mutation run, stryker.failover.config.mjs,
 * runs this file); the witnesses as the control stack registers them are tests/failoverTrigger.test.ts.
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
