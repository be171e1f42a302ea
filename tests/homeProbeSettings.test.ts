/**
 * The home probe's pure parts (components/homeProbe.ts): its arguments, a run's budget and the
 * settings it passes to the function, its alarms and its role's documents. No mocks (the failover
 * mutation run, stryker.failover.config.mjs, runs this file); the resources under mocks and the
 * Python function are tests/homeProbe.test.ts.
 */
import { expect } from "chai";
import * as fs from "fs";
import {
  HOME_PROBE_DEFAULTS,
  HOME_PROBE_SCHEDULE,
  HOME_PROBE_SETTINGS,
  HOME_PROBE_SOURCE,
  HOME_PROBE_SOURCE_FILE,
  HomeProbeArgs,
  HomeProbeSettings,
  homeProbeAlarmSpecs,
  homeProbeEnvironment,
  homeProbeLayout,
  homeProbePolicy,
  homeProbeTrustPolicy,
  probeRunBudgetSeconds,
  probeSettingsEnvironment,
  validateHomeProbeArgs,
  validateProbeBudget,
} from "../components/homeProbe";
import { ALB, ARGS, DOMAIN } from "./homeProbeArgs";

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

    it("names the argument a region or domain check refuses", () => {
      const refusal = (override: Partial<HomeProbeArgs>) => {
        try {
          validateHomeProbeArgs("home-probe", { ...ARGS, ...override });
        } catch (e) {
          return (e as Error).message;
        }
        return "";
      };
      expect(refusal({ region: "canada" })).to.match(/^HomeProbe "home-probe": region "canada" must be/);
      expect(refusal({ homeRegion: "canada" })).to.match(
        /^HomeProbe "home-probe": homeRegion "canada" must be/,
      );
      expect(refusal({ metricRegion: "canada" })).to.match(
        /^HomeProbe "home-probe": metricRegion "canada" must be/,
      );
      expect(refusal({ domain: "App" })).to.match(/^HomeProbe "home-probe": domain "App" must be/);
      // A path that is not a string, even one that reads as a path once converted.
      expect(refusal({ path: ["/healthz"] as unknown as string })).to.equal(
        'HomeProbe "home-probe": path ["/healthz"] must start with "/" and be printable ASCII without spaces',
      );
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
      expect(bad({ functionTimeoutSeconds: 0 })).to.throw(
        "settings: functionTimeoutSeconds 0 must be an integer from 1 to 900",
      );
      for (const key of ["cloudWatchConnectSeconds", "cloudWatchReadSeconds"] as const) {
        expect(bad({ [key]: 0 }), key).to.throw(
          "settings: every timeout must be more than 0 s (0 means none to the socket module)",
        );
      }
      // Not numbers of seconds: a string, NaN, Infinity.
      expect(bad({ pauseSeconds: "1" as unknown as number })).to.throw(
        "settings: pauseSeconds 1 must be a number of seconds, 0 or more",
      );
      expect(bad({ marginSeconds: Number.NaN })).to.throw("settings: marginSeconds NaN must be a number");
      expect(bad({ marginSeconds: Infinity })).to.throw("settings: marginSeconds Infinity must be a number");
    });

    it("accepts each bound: one try, no pause, a one-second function, a 900-second one, a run of exactly a minute", () => {
      const fits = (change: Partial<HomeProbeSettings>) => () =>
        validateProbeBudget({ ...HOME_PROBE_SETTINGS, ...change });
      expect(fits({ attempts: 1, pauseSeconds: 0 })).to.not.throw();
      expect(
        fits({
          timeoutSeconds: 0.25,
          attempts: 1,
          pauseSeconds: 0,
          cloudWatchConnectSeconds: 0.25,
          cloudWatchReadSeconds: 0.25,
          marginSeconds: 0,
          functionTimeoutSeconds: 1,
        }),
      ).to.not.throw();
      expect(fits({ functionTimeoutSeconds: 900 })).to.not.throw();
      // 2 × 4 + 1 + 2 + 5 + margin: 60 s with a 44 s margin, 61 s with 45.
      expect(fits({ marginSeconds: 44, functionTimeoutSeconds: 120 })).to.not.throw();
      expect(fits({ marginSeconds: 45, functionTimeoutSeconds: 120 })).to.throw(
        "settings: a run may take 61 s, more than the minute between two runs",
      );
    });

    it("says what a run's worst case is made of when it does not fit", () => {
      expect(() => validateProbeBudget({ ...HOME_PROBE_SETTINGS, attempts: 4 })).to.throw(
        "settings: a run may take 31 s (4 tries of 4 s, 3 pauses of 1 s, PutMetricData 2 + 5 s, 5 s margin), more than the function's 30 s",
      );
    });

    it("passes the settings to the function in its environment, as home_probe.py reads them", () => {
      expect(probeSettingsEnvironment(HOME_PROBE_SETTINGS)).to.deep.equal({
        PROBE_TIMEOUT_SECONDS: "4",
        PROBE_ATTEMPTS: "2",
        PROBE_PAUSE_SECONDS: "1",
        CLOUDWATCH_CONNECT_TIMEOUT_SECONDS: "2",
        CLOUDWATCH_READ_TIMEOUT_SECONDS: "5",
      });
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

    it("says what each alarm means, where the probe runs and what it watches", () => {
      expect(specs.map((s) => s.args.alarmDescription)).to.deep.equal([
        "app.example.com in us-east-1 (probed from ca-central-1) failed its deep health check for 4 consecutive minutes (every try of every probe run)",
        "The probe of app.example.com in us-east-1 (probed from ca-central-1) published nothing for 5 minutes: the home-unhealthy alarm, and the failover trigger's witness from there, are blind (a blind witness never fires)",
      ]);
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

  describe("the defaults, the placement and the function's environment", () => {
    it("runs every resource where the provider is, unless the metric goes to another region", () => {
      expect(homeProbeLayout("home-probe", ARGS)).to.deep.equal({
        path: "/healthz/deep",
        evaluationMinutes: 3,
        functionName: "home-probe",
        settings: HOME_PROBE_SETTINGS,
        metricRegion: "ca-central-1",
        at: {},
        alarmsAt: {},
      });
      // Explicit even when equal to the probe's region: still one region, nothing named.
      expect(homeProbeLayout("p", { ...ARGS, metricRegion: "ca-central-1" }).at).to.deep.equal({});
      const witness = homeProbeLayout("p", {
        ...ARGS,
        region: "us-west-2",
        metricRegion: "ca-central-1",
        path: "/status",
        evaluationMinutes: 5,
        functionName: "w",
        settings: { ...HOME_PROBE_SETTINGS, attempts: 3 },
      });
      expect(witness).to.deep.equal({
        path: "/status",
        evaluationMinutes: 5,
        functionName: "w",
        settings: { ...HOME_PROBE_SETTINGS, attempts: 3 },
        metricRegion: "ca-central-1",
        at: { region: "us-west-2" },
        alarmsAt: { region: "ca-central-1" },
      });
    });

    it("gives the function exactly the variables home_probe.py reads (Lambda sets AWS_REGION; PROBE_PORT is the tests')", () => {
      const env = homeProbeEnvironment(
        ARGS,
        homeProbeLayout("home-probe", { ...ARGS, metricRegion: "eu-west-1" }),
      );
      expect(env).to.deep.equal({
        HOME_ALB_DNS_NAME: ALB,
        APP_DOMAIN: DOMAIN,
        PROBE_PATH: "/healthz/deep",
        HOME_REGION: "us-east-1",
        METRIC_NAMESPACE: "MultiRegionWeb/Failover",
        METRIC_REGION: "eu-west-1",
        ...probeSettingsEnvironment(HOME_PROBE_SETTINGS),
      });
      const read = [...HOME_PROBE_SOURCE.matchAll(/environ(?:\["([A-Z_]+)"\]|\.get\("([A-Z_]+)")/g)].map(
        (m) => m[1] ?? m[2],
      );
      expect([...Object.keys(env), "AWS_REGION", "PROBE_PORT"].sort()).to.deep.equal(
        [...new Set(read)].sort(),
      );
    });

    it("ships home_probe.py as it is on disk, and runs it every minute", () => {
      expect(HOME_PROBE_SOURCE).to.equal(fs.readFileSync(HOME_PROBE_SOURCE_FILE, "utf8"));
      expect(HOME_PROBE_SOURCE_FILE).to.match(/components\/python\/home_probe\.py$/);
      // "rate(1 minute)": the finest a scheduled rule offers; validateProbeBudget's minute between runs.
      expect(HOME_PROBE_SCHEDULE).to.equal("rate(1 minute)");
    });
  });

  describe("the function's role", () => {
    it("is assumed by Lambda, with no condition Lambda does not document", () => {
      expect(homeProbeTrustPolicy()).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      });
    });

    it("writes its own log group's streams and publishes only its own namespace", () => {
      expect(homeProbePolicy("arn:aws:logs:ca-central-1:1:log-group:/aws/lambda/home-probe")).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "WriteOwnLogGroup",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: "arn:aws:logs:ca-central-1:1:log-group:/aws/lambda/home-probe:*",
          },
          {
            Sid: "PublishProbeMetric",
            Effect: "Allow",
            Action: "cloudwatch:PutMetricData",
            Resource: "*",
            Condition: { StringEquals: { "cloudwatch:namespace": "MultiRegionWeb/Failover" } },
          },
        ],
      });
    });
  });
});
