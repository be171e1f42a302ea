/**
 * The home probe's pure parts (components/homeProbe.ts): its arguments, a run's budget and the
 * settings it passes to the function, its alarms and its role's documents. No mocks (the failover
 * mutation run, stryker.failover.config.mjs, runs this file); the resources under mocks and the
 * Python function are tests/homeProbe.test.ts.
 */
import { expect } from "chai";
import {
  HOME_PROBE_DEFAULTS,
  HOME_PROBE_SETTINGS,
  HomeProbeArgs,
  HomeProbeSettings,
  homeProbeAlarmSpecs,
  probeRunBudgetSeconds,
  validateHomeProbeArgs,
  validateProbeBudget,
} from "../components/homeProbe";

const TOPIC = "arn:aws:sns:ca-central-1:123456789012:ops-ops";
const KEY = "arn:aws:kms:ca-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ALB = "frontend-alb-0123456789.us-east-1.elb.amazonaws.com";
const DOMAIN = "app.example.com";

const ARGS: HomeProbeArgs = {
  region: "ca-central-1",
  homeRegion: "us-east-1",
  homeAlbDnsName: ALB,
  domain: DOMAIN,
  alarmTopicArn: TOPIC,
  logRetentionDays: 90,
  logKmsKeyArn: KEY,
};

describe("HomeProbe (pure)", () => {
  describe("validateHomeProbeArgs", () => {
    const bad: [string, Partial<HomeProbeArgs>, RegExp][] = [
      ["a malformed region", { region: "canada" }, /region "canada" must be an AWS region name/],
      [
        "a malformed home region",
        { homeRegion: "US-EAST-1" },
        /homeRegion "US-EAST-1" must be an AWS region/,
      ],
      ["the home region as its own region", { region: "us-east-1" }, /homeRegion "us-east-1" must differ/],
      [
        "the home region as the metric's region",
        { metricRegion: "us-east-1" },
        /homeRegion "us-east-1" must differ from metricRegion/,
      ],
      [
        "a malformed metric region",
        { metricRegion: "canada" },
        /metricRegion "canada" must be an AWS region/,
      ],
      [
        "tries that outlive the function",
        { settings: { ...HOME_PROBE_SETTINGS, attempts: 5 } },
        /a run may take 36 s .* more than the function's 30 s/,
      ],
      [
        "an upper-case domain",
        { domain: "App.example.com" },
        /domain "App.example.com" must be a lower-case/,
      ],
      ["a domain with a trailing dot", { domain: "app.example.com." }, /domain "app.example.com."/],
      ["a single-label domain", { domain: "localhost" }, /domain "localhost"/],
      [
        "a path without a leading slash",
        { path: "healthz/deep" },
        /path "healthz\/deep" must start with "\/"/,
      ],
      ["a path with a space", { path: "/healthz deep" }, /path "\/healthz deep"/],
      ["a non-ASCII path", { path: "/santé" }, /path "\/santé" must start with "\/" and be printable ASCII/],
      ["an empty path", { path: "" }, /path ""/],
      [
        "evaluationMinutes 0",
        { evaluationMinutes: 0 },
        /evaluationMinutes 0 must be an integer from 1 to 10/,
      ],
      ["evaluationMinutes 11", { evaluationMinutes: 11 }, /evaluationMinutes 11/],
      ["a fractional evaluationMinutes", { evaluationMinutes: 2.5 }, /evaluationMinutes 2.5/],
      [
        "a retention CloudWatch Logs rejects",
        { logRetentionDays: 10 },
        /logRetentionDays 10 must be one of 1, 3/,
      ],
      ["a never-expiring log group", { logRetentionDays: 0 }, /logRetentionDays 0/],
      ["a function name with a dot", { functionName: "home.probe" }, /function name "home.probe"/],
      ["a function name over 64 characters", { functionName: "p".repeat(65) }, /must be 1 to 64 letters/],
    ];
    for (const [what, override, message] of bad) {
      it(`rejects ${what}`, () => {
        expect(() => validateHomeProbeArgs("home-probe", { ...ARGS, ...override }))
          .to.throw(Error)
          .with.property("message")
          .that.matches(/^HomeProbe "home-probe": /)
          .and.matches(message);
      });
    }

    it("checks the component's name when it is the function's name", () => {
      expect(() => validateHomeProbeArgs("home probe", ARGS)).to.throw(/function name "home probe"/);
      expect(() =>
        validateHomeProbeArgs("home probe", { ...ARGS, functionName: "home-probe" }),
      ).to.not.throw();
    });

    it("accepts the defaults, both bounds of evaluationMinutes and another path", () => {
      expect(() => validateHomeProbeArgs("home-probe", ARGS)).to.not.throw();
      for (const evaluationMinutes of [1, 10]) {
        expect(() => validateHomeProbeArgs("home-probe", { ...ARGS, evaluationMinutes })).to.not.throw();
      }
      expect(() =>
        validateHomeProbeArgs("home-probe", { ...ARGS, path: "/status?deep=1", logRetentionDays: 1 }),
      ).to.not.throw();
      expect(() =>
        validateHomeProbeArgs("home-probe", { ...ARGS, functionName: "p".repeat(64) }),
      ).to.not.throw();
      expect(HOME_PROBE_DEFAULTS).to.deep.equal({ path: "/healthz/deep", evaluationMinutes: 3 });
    });
  });

  describe("a run's budget: every run ends with its data point before Lambda stops it", () => {
    it("fits the defaults: 2 tries of 4 s, a 1 s pause, PutMetricData 2 + 5 s, a 5 s margin, in 30 s", () => {
      expect(HOME_PROBE_SETTINGS).to.deep.equal({
        timeoutSeconds: 4,
        attempts: 2,
        pauseSeconds: 1,
        cloudWatchConnectSeconds: 2,
        cloudWatchReadSeconds: 5,
        marginSeconds: 5,
        functionTimeoutSeconds: 30,
      });
      expect(probeRunBudgetSeconds(HOME_PROBE_SETTINGS)).to.equal(4 * 2 + 1 + 2 + 5 + 5);
      expect(() => validateProbeBudget(HOME_PROBE_SETTINGS)).to.not.throw();
    });

    it("refuses tries × timeout beyond the function's timeout (a hanging home would leave no data point)", () => {
      const over = (change: Partial<HomeProbeSettings>) => () =>
        validateProbeBudget({ ...HOME_PROBE_SETTINGS, ...change });
      // attempts × 4 + (attempts − 1) × 1 + 2 + 5 + 5: 26 s for three tries, 31 s for four.
      expect(over({ attempts: 3 })).to.not.throw();
      expect(over({ attempts: 4 })).to.throw(/a run may take 31 s .* more than the function's 30 s/);
      expect(over({ attempts: 5 })).to.throw(/a run may take 36 s/);
      // 2 × timeout + 13: 29 s for 8 s tries, 31 s for 9 s.
      expect(over({ timeoutSeconds: 8 })).to.not.throw();
      expect(over({ timeoutSeconds: 9 })).to.throw(/a run may take 31 s/);
      expect(over({ functionTimeoutSeconds: 21 })).to.not.throw();
      expect(over({ functionTimeoutSeconds: 20 })).to.throw(
        /a run may take 21 s .* more than the function's 20 s/,
      );
      expect(over({ cloudWatchReadSeconds: 20 })).to.throw(/more than the function's 30 s/);
      // A budget that fits a longer function, but not the minute between runs.
      expect(over({ timeoutSeconds: 30, functionTimeoutSeconds: 120 })).to.throw(
        /more than the minute between two runs/,
      );
    });

    it("refuses settings that are not durations: no tries, a zero timeout, a fractional or too long function timeout", () => {
      const bad = (change: Partial<HomeProbeSettings>) => () =>
        validateProbeBudget({ ...HOME_PROBE_SETTINGS, ...change });
      expect(bad({ attempts: 0 })).to.throw(/attempts 0 must be a positive integer/);
      expect(bad({ attempts: 1.5 })).to.throw(/attempts 1.5/);
      expect(bad({ timeoutSeconds: 0 })).to.throw(/every timeout must be more than 0 s/);
      expect(bad({ pauseSeconds: -1 })).to.throw(/pauseSeconds -1/);
      expect(bad({ functionTimeoutSeconds: 29.5 })).to.throw(/functionTimeoutSeconds 29.5/);
      expect(bad({ functionTimeoutSeconds: 901 })).to.throw(/1 to 900/);
    });
  });

  describe("homeProbeAlarmSpecs", () => {
    const specs = homeProbeAlarmSpecs({
      domain: DOMAIN,
      homeRegion: "us-east-1",
      probeRegion: "ca-central-1",
      evaluationMinutes: 4,
    });
    const spec = (key: string) => specs.find((s) => s.key === key)!.args;

    it("has exactly the two alarms", () => {
      expect(specs.map((s) => s.key)).to.deep.equal(["home-unhealthy", "probe-silent"]);
    });

    it("raises home-unhealthy after evaluationMinutes consecutive unhealthy minutes, never on silence", () => {
      expect(spec("home-unhealthy")).to.deep.include({
        namespace: "MultiRegionWeb/Failover",
        metricName: "HomeDeepHealth",
        dimensions: { Domain: DOMAIN, HomeRegion: "us-east-1", ProbeRegion: "ca-central-1" },
        statistic: "Minimum",
        period: 60,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        evaluationPeriods: 4,
        datapointsToAlarm: 4,
        treatMissingData: "notBreaching",
      });
    });

    it("raises probe-silent when no data point arrives for 5 minutes", () => {
      expect(spec("probe-silent")).to.deep.include({
        namespace: "MultiRegionWeb/Failover",
        metricName: "HomeDeepHealth",
        dimensions: { Domain: DOMAIN, HomeRegion: "us-east-1", ProbeRegion: "ca-central-1" },
        statistic: "SampleCount",
        period: 300,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: "breaching",
      });
    });
  });
});
