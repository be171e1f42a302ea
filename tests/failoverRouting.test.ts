/**
 * The app domain's failover records (components/failoverRouting.ts), pure: the argument checks, the
 * chain of pairs from the app domain down to the serve pair, every record of it (exactly, and what the
 * Route 53 model of tests/route53Model.ts answers with it), and the alarms on the deep health checks.
 * No mocks (the failover mutation run, stryker.failover.config.mjs, runs this file); the records as the
 * control stack registers them are tests/control.test.ts, docs/dns-scenarios.md the full scenarios.
 */
import { expect } from "chai";
import {
  deepHealthAlarmSpec,
  FailoverRoutingArgs,
  failoverRecords,
  pinChain,
  pinRecordName,
  SERVE_RECORD_LABEL,
  serveRecordName,
  STANDBY_SET_IDENTIFIER,
  validateFailoverRoutingArgs,
} from "../components/failoverRouting";
import { ModelClient, ModelRecord, Route53Model } from "./route53Model";

const Z = "Z1";
const DOMAIN = "app.example.com";
const ALB = {
  "us-east-1": "home-alb.us-east-1.elb.amazonaws.com",
  "ca-central-1": "standby-alb.ca-central-1.elb.amazonaws.com",
  "eu-west-1": "standby-alb.eu-west-1.elb.amazonaws.com",
} as const;
const ALB_ZONE = "Z35SXDOTRQ7X7K";

const args = (standbys: string[], automatic = true): FailoverRoutingArgs => ({
  domain: DOMAIN,
  hostedZoneId: Z,
  home: {
    region: "us-east-1",
    recordName: `home.${DOMAIN}`,
    healthCheckId: "deep-us-east-1",
    albDnsName: ALB["us-east-1"],
    albZoneId: ALB_ZONE,
  },
  standbys: standbys.map((region) => ({
    region,
    recordName: `standby.${DOMAIN}`,
    healthCheckId: `deep-${region}`,
  })),
  planArns: Object.fromEntries(standbys.map((r) => [r, `arn:aws:arc-region-switch::1:plan/p-${r}:abcdef`])),
  automatic,
  alarmEmails: ["ops@example.com"],
});

describe("the failover pairs of the plans", () => {
  it("names the serve pair and the pin pairs after the domain", () => {
    expect([SERVE_RECORD_LABEL, serveRecordName(DOMAIN)]).to.deep.equal(["serve", "serve.app.example.com"]);
    expect(pinRecordName(DOMAIN, "eu-west-1")).to.equal("pin-eu-west-1.app.example.com");
    // The set identifier of every SECONDARY: the runbook and the plans' record sets name it.
    expect(STANDBY_SET_IDENTIFIER).to.equal("standby");
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

describe("FailoverRouting's arguments", () => {
  it("needs a standby, an alarm address and a plan for every standby, and names the standbys without one", () => {
    expect(() => validateFailoverRoutingArgs(args(["ca-central-1"]))).to.not.throw();
    expect(() => validateFailoverRoutingArgs(args([]))).to.throw(
      "FailoverRouting: at least one standby region is needed",
    );
    expect(() => validateFailoverRoutingArgs({ ...args(["ca-central-1"]), alarmEmails: [] })).to.throw(
      "FailoverRouting: at least one alarm e-mail is needed",
    );
    const three = args(["ca-central-1", "eu-west-1", "ap-south-1"]);
    expect(() => validateFailoverRoutingArgs({ ...three, planArns: { "eu-west-1": "arn" } })).to.throw(
      /^FailoverRouting: no plan for standby ca-central-1, ap-south-1$/,
    );
  });
});

describe("the failover records", () => {
  it("builds the serve pair, then the app domain's pair on top, each record exactly", () => {
    const planned = failoverRecords(args(["ca-central-1"]));
    expect(planned).to.deep.equal([
      [
        {
          resourceName: "serve-primary",
          name: "serve.app.example.com",
          setIdentifier: "us-east-1",
          failover: "PRIMARY",
          alias: { name: "home.app.example.com", zoneId: Z, evaluateTargetHealth: true },
          aliasesPairBelow: false,
        },
        {
          resourceName: "serve-secondary",
          name: "serve.app.example.com",
          setIdentifier: "standby",
          failover: "SECONDARY",
          alias: { name: "standby.app.example.com", zoneId: Z, evaluateTargetHealth: true },
          aliasesPairBelow: false,
        },
      ],
      [
        {
          resourceName: "primary",
          name: "app.example.com",
          setIdentifier: "us-east-1",
          failover: "PRIMARY",
          alias: { name: "serve.app.example.com", zoneId: Z, evaluateTargetHealth: false },
          arcCheck: {
            record: { name: "app.example.com", setIdentifier: "us-east-1", side: "home" },
            standby: "ca-central-1",
            region: "us-east-1",
          },
          aliasesPairBelow: true,
        },
        {
          resourceName: "secondary",
          name: "app.example.com",
          setIdentifier: "standby",
          failover: "SECONDARY",
          alias: { name: "standby.app.example.com", zoneId: Z, evaluateTargetHealth: false },
          arcCheck: {
            record: { name: "app.example.com", setIdentifier: "standby", side: "standby" },
            standby: "ca-central-1",
            region: "ca-central-1",
          },
          aliasesPairBelow: false,
        },
      ],
    ]);
  });

  it("sends the serve pair's PRIMARY to the home's ALB itself in manual mode", () => {
    const [serve] = failoverRecords(args(["ca-central-1"], false));
    expect(serve[0].alias).to.deep.equal({
      name: ALB["us-east-1"],
      zoneId: ALB_ZONE,
      evaluateTargetHealth: true,
    });
    expect(serve[1].alias).to.deep.equal({
      name: "standby.app.example.com",
      zoneId: Z,
      evaluateTargetHealth: true,
    });
  });

  it("adds a pin pair per further plan, from the bottom up, each carrying its own plan's checks", () => {
    const pairs = failoverRecords(args(["ca-central-1", "eu-west-1", "ap-south-1"]));
    const rows = pairs.map((pair) =>
      pair.map((r) => [r.resourceName, r.name, r.alias.name, r.arcCheck?.standby, r.arcCheck?.region]),
    );
    expect(rows).to.deep.equal([
      [
        ["serve-primary", "serve.app.example.com", "home.app.example.com", undefined, undefined],
        ["serve-secondary", "serve.app.example.com", "standby.app.example.com", undefined, undefined],
      ],
      [
        [
          "pin-ap-south-1-primary",
          "pin-ap-south-1.app.example.com",
          "serve.app.example.com",
          "ap-south-1",
          "us-east-1",
        ],
        [
          "pin-ap-south-1-secondary",
          "pin-ap-south-1.app.example.com",
          "standby.app.example.com",
          "ap-south-1",
          "ap-south-1",
        ],
      ],
      [
        [
          "pin-eu-west-1-primary",
          "pin-eu-west-1.app.example.com",
          "pin-ap-south-1.app.example.com",
          "eu-west-1",
          "us-east-1",
        ],
        [
          "pin-eu-west-1-secondary",
          "pin-eu-west-1.app.example.com",
          "standby.app.example.com",
          "eu-west-1",
          "eu-west-1",
        ],
      ],
      [
        ["primary", "app.example.com", "pin-eu-west-1.app.example.com", "ca-central-1", "us-east-1"],
        ["secondary", "app.example.com", "standby.app.example.com", "ca-central-1", "ca-central-1"],
      ],
    ]);
    for (const pair of pairs.slice(1)) {
      expect(
        pair.map((r) => [r.setIdentifier, r.failover, r.alias.evaluateTargetHealth, r.aliasesPairBelow]),
      ).to.deep.equal([
        ["us-east-1", "PRIMARY", false, true],
        ["standby", "SECONDARY", false, false],
      ]);
      expect(pair.map((r) => r.arcCheck?.record.side)).to.deep.equal(["home", "standby"]);
    }
  });

  describe("what Route 53 answers with them (tests/route53Model.ts)", () => {
    const NEAR_CANADA: ModelClient = {
      name: "near ca-central-1",
      latency: ["ca-central-1", "us-east-1", "eu-west-1"],
    };
    const NEAR_EAST: ModelClient = {
      name: "near us-east-1",
      latency: ["us-east-1", "ca-central-1", "eu-west-1"],
    };
    /** The regional records (components/edgeDns.ts): each region's latency record, deep-checked, to its ALB. */
    const regional = (region: keyof typeof ALB, label: string): ModelRecord => ({
      zoneId: Z,
      name: `${label}.${DOMAIN}`,
      type: "A",
      setIdentifier: region,
      latencyRegion: region,
      healthCheckId: `deep-${region}`,
      alias: { name: ALB[region], zoneId: ALB_ZONE, evaluateTargetHealth: true },
    });
    /** ARC's checks: `activated` is the standby whose plan ran (its check healthy, the home's not). */
    const answer = (
      a: FailoverRoutingArgs,
      state: { down?: string[]; albDown?: string[]; activated?: string },
      client = NEAR_CANADA,
    ) => {
      const arc = (region: string, standby: string) => `arc-${standby}-${region}`;
      const records: ModelRecord[] = failoverRecords(a)
        .flat()
        .map((r) => ({
          zoneId: Z,
          name: r.name,
          type: "A",
          setIdentifier: r.setIdentifier,
          failover: r.failover,
          healthCheckId: r.arcCheck && arc(r.arcCheck.region, r.arcCheck.standby),
          alias: r.alias as ModelRecord["alias"],
        }));
      records.push(
        regional("us-east-1", "home"),
        ...a.standbys.map((s) => regional(s.region as keyof typeof ALB, "standby")),
      );
      const healthChecks: Record<string, boolean> = {};
      for (const region of Object.keys(ALB))
        healthChecks[`deep-${region}`] = !(state.down ?? []).includes(region);
      for (const s of a.standbys) {
        const activated = state.activated === s.region;
        healthChecks[arc("us-east-1", s.region)] = !activated;
        healthChecks[arc(s.region, s.region)] = activated;
      }
      const loadBalancers = Object.fromEntries(
        Object.entries(ALB).map(([region, dns]) => [
          dns,
          {
            region,
            targetGroups: [{ registered: 2, healthy: (state.albDown ?? []).includes(region) ? 0 : 2 }],
          },
        ]),
      );
      return new Route53Model({ records, healthChecks, loadBalancers }).resolve(Z, DOMAIN, client).region;
    };
    const one = args(["ca-central-1"]);

    it("answers the home while it is healthy, and the standby set once its deep check fails (automatic)", () => {
      expect(answer(one, {})).to.equal("us-east-1");
      expect(answer(one, { down: ["us-east-1"] })).to.equal("ca-central-1");
      // Nothing healthy: the home, where the writer and the full capacity are.
      expect(answer(one, { down: ["us-east-1", "ca-central-1"] })).to.equal("us-east-1");
    });

    it("keeps the home while only its deep check fails in manual mode (its ALB still has healthy targets)", () => {
      const manual = args(["ca-central-1"], false);
      expect(answer(manual, { down: ["us-east-1"] })).to.equal("us-east-1");
      expect(answer(manual, { down: ["us-east-1"], albDown: ["us-east-1"] })).to.equal("ca-central-1");
    });

    it("stays on the standby set once a plan activated it, even while every standby's deep check fails", () => {
      expect(answer(one, { activated: "ca-central-1" })).to.equal("ca-central-1");
      expect(answer(one, { activated: "ca-central-1", down: ["ca-central-1"] })).to.equal("ca-central-1");
    });

    it("lets any plan of three regions take its level's SECONDARY, and otherwise falls through to the serve pair", () => {
      const two = args(["ca-central-1", "eu-west-1"]);
      expect(answer(two, {}, NEAR_EAST)).to.equal("us-east-1");
      expect(answer(two, { activated: "eu-west-1" }, NEAR_EAST)).to.equal("ca-central-1");
      expect(answer(two, { activated: "eu-west-1", down: ["ca-central-1"] }, NEAR_EAST)).to.equal(
        "eu-west-1",
      );
      expect(answer(two, { activated: "ca-central-1" }, NEAR_EAST)).to.equal("ca-central-1");
    });
  });
});

describe("the alarms on the regions' deep health checks", () => {
  it("alarms on any unhealthy minute, and on a check that reports nothing", () => {
    expect(deepHealthAlarmSpec(DOMAIN, "ca-central-1", "hc-1")).to.deep.equal({
      key: "deep-health-ca-central-1",
      args: {
        alarmDescription:
          "app.example.com: the deep health check of ca-central-1 is failing (Route 53 takes it out of DNS)",
        namespace: "AWS/Route53",
        metricName: "HealthCheckStatus",
        dimensions: { HealthCheckId: "hc-1" },
        statistic: "Minimum",
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        period: 60,
        evaluationPeriods: 1,
        treatMissingData: "breaching",
      },
    });
  });
});
