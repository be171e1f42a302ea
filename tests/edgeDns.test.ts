import { expect } from "chai";
import {
  DEEP_HEALTH_PATH,
  EdgeDns,
  HEALTH_CHECKER_REGIONS,
  HOME_RECORD_LABEL,
  STANDBY_RECORD_LABEL,
  detectionSeconds,
  regionRecordName,
} from "../components/edgeDns";
import { RecordedResource, StackRun, runProgram } from "../tools/mocks";
import { ofType } from "./helpers";
import { ModelRecord, Route53Model } from "./route53Model";

const ALB_DNS = "frontend-alb-1234567890.ca-central-1.elb.amazonaws.com";
const ALB_ZONE = "ZQSVJUPU6J1EY";
const ZONE = "ZEXAMPLEZONE";

function only(run: StackRun, type: string): RecordedResource {
  const found = ofType(run, type);
  expect(found, type).to.have.length(1);
  return found[0];
}

function runEdge(
  home: boolean,
  region: string,
  extra: { interval?: number; threshold?: number; path?: string } = {},
) {
  return runProgram(
    () => {
      const edge = new EdgeDns("edge", {
        domain: "app.example.com",
        hostedZoneId: ZONE,
        home,
        region,
        loadBalancerDnsName: ALB_DNS,
        loadBalancerZoneId: ALB_ZONE,
        healthCheckInterval: extra.interval ?? 30,
        healthCheckFailureThreshold: extra.threshold ?? 4,
        healthCheckPath: extra.path,
      });
      return {
        healthCheckId: edge.healthCheckId,
        recordName: edge.recordName,
        setIdentifier: edge.setIdentifier,
      };
    },
    { stack: region, config: { "aws:region": region } },
  );
}

describe("regionRecordName", () => {
  it("is home.<domain> for the home and standby.<domain> for every standby, with or without a trailing dot", () => {
    expect(HOME_RECORD_LABEL).to.equal("home");
    expect(STANDBY_RECORD_LABEL).to.equal("standby");
    expect(regionRecordName("app.example.com", true)).to.equal("home.app.example.com");
    expect(regionRecordName("app.example.com.", false)).to.equal("standby.app.example.com");
  });
});

describe("detectionSeconds", () => {
  it("is the request interval times the failure threshold", () => {
    expect(detectionSeconds(10, 3)).to.equal(30);
    expect(detectionSeconds(30, 4)).to.equal(120);
    expect(detectionSeconds(10, 1)).to.equal(10);
    expect(detectionSeconds(30, 10)).to.equal(300);
  });

  it("rejects intervals Route 53 does not offer and thresholds outside 1..10", () => {
    expect(() => detectionSeconds(20, 3)).to.throw(/10 or 30/);
    expect(() => detectionSeconds(10, 0)).to.throw(/1 to 10/);
    expect(() => detectionSeconds(10, 11)).to.throw(/1 to 10/);
    expect(() => detectionSeconds(10, 2.5)).to.throw(/1 to 10/);
  });
});

describe("EdgeDns", () => {
  for (const [home, region] of [
    [true, "us-east-1"],
    [false, "ca-central-1"],
  ] as const) {
    describe(`${home ? "home" : "standby"} (${region})`, () => {
      let run: StackRun;
      before(async () => {
        run = await runEdge(home, region);
      });

      it("health-checks the region's DEEP health over HTTPS on its public ALB, from three checker regions", () => {
        const check = only(run, "aws:route53/healthCheck:HealthCheck");
        expect(check.inputs).to.include({
          type: "HTTPS",
          fqdn: ALB_DNS,
          port: 443,
          resourcePath: DEEP_HEALTH_PATH,
          requestInterval: 30,
          failureThreshold: 4,
          enableSni: true,
          measureLatency: true,
        });
        expect(DEEP_HEALTH_PATH).to.equal("/healthz/deep");
        expect(check.inputs.regions).to.deep.equal(HEALTH_CHECKER_REGIONS);
        expect(HEALTH_CHECKER_REGIONS).to.have.length.of.at.least(3);
      });

      it("names the region's ALB in one latency record of its set, under that health check", () => {
        const check = only(run, "aws:route53/healthCheck:HealthCheck");
        const record = only(run, "aws:route53/record:Record");
        expect(record.inputs).to.deep.include({
          zoneId: ZONE,
          name: home ? "home.app.example.com" : "standby.app.example.com",
          type: "A",
          setIdentifier: region,
          latencyRoutingPolicies: [{ region }],
          healthCheckId: check.id,
          aliases: [{ name: ALB_DNS, zoneId: ALB_ZONE, evaluateTargetHealth: true }],
        });
        expect(record.inputs).to.not.have.property("failoverRoutingPolicies");
        expect(run.outputs).to.deep.equal({
          healthCheckId: check.id,
          recordName: record.inputs.name,
          setIdentifier: region,
        });
      });

      it("owns nothing outside its region: no alarm, topic or record of the app domain itself", () => {
        expect(ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm")).to.have.length(0);
        expect(run.resources.filter((r) => r.custom && r.inputs.region !== undefined)).to.have.length(0);
        expect(ofType(run, "aws:route53/record:Record").map((r) => r.inputs.name)).to.not.include(
          "app.example.com",
        );
      });
    });
  }

  it("defaults to a 10 s × 3 check of /healthz/deep", async () => {
    const run = await runProgram(
      () => {
        new EdgeDns("edge", {
          domain: "app.example.com",
          hostedZoneId: ZONE,
          home: true,
          region: "us-east-1",
          loadBalancerDnsName: ALB_DNS,
          loadBalancerZoneId: ALB_ZONE,
        });
        return {};
      },
      { stack: "us-east-1", config: { "aws:region": "us-east-1" } },
    );
    expect(only(run, "aws:route53/healthCheck:HealthCheck").inputs).to.include({
      requestInterval: 10,
      failureThreshold: 3,
      resourcePath: "/healthz/deep",
    });
  });

  it("rejects a health-check path that is not absolute, and bad timings, before registering anything", async () => {
    for (const extra of [{ path: "healthz" }, { interval: 15 }, { threshold: 0 }]) {
      let error: Error | undefined;
      try {
        await runEdge(true, "us-east-1", extra);
      } catch (e) {
        error = e as Error;
      }
      expect(error, JSON.stringify(extra)).to.be.instanceOf(Error);
    }
  });
});

describe("EdgeDns records, as Route 53 answers them (tests/route53Model.ts)", () => {
  // Two standbys' records in the standby set, each under its deep check, each evaluating its ALB.
  const STANDBYS = ["ca-central-1", "us-west-2"];
  let records: ModelRecord[];
  let checks: Record<string, string>;
  const albOf = (region: string) => `frontend-alb.${region}.elb.amazonaws.com`;
  before(async () => {
    const run = await runProgram(
      () => {
        for (const region of STANDBYS) {
          new EdgeDns(`edge-${region}`, {
            domain: "app.example.com",
            hostedZoneId: ZONE,
            home: false,
            region,
            loadBalancerDnsName: albOf(region),
            loadBalancerZoneId: ALB_ZONE,
          });
        }
        return {};
      },
      { stack: "standbys", config: { "aws:region": "ca-central-1" } },
    );
    records = ofType(run, "aws:route53/record:Record").map((r) => {
      const alias = (r.inputs.aliases as ModelRecord["alias"][])[0]!;
      return {
        zoneId: ZONE,
        name: r.inputs.name as string,
        type: "A",
        setIdentifier: r.inputs.setIdentifier as string,
        latencyRegion: (r.inputs.latencyRoutingPolicies as { region: string }[])[0].region,
        healthCheckId: r.inputs.healthCheckId as string,
        alias,
      };
    });
    checks = Object.fromEntries(
      ofType(run, "aws:route53/healthCheck:HealthCheck").map((c) => [
        (c.inputs.fqdn as string).split(".")[1],
        c.id,
      ]),
    );
  });
  const answer = (deep: Record<string, boolean>, albHealthy: Record<string, boolean> = {}) =>
    new Route53Model({
      records,
      healthChecks: Object.fromEntries(STANDBYS.map((r) => [checks[r], deep[r] ?? true])),
      loadBalancers: Object.fromEntries(
        STANDBYS.map((r) => [
          albOf(r),
          { region: r, targetGroups: [{ registered: 2, healthy: albHealthy[r] === false ? 0 : 2 }] },
        ]),
      ),
    }).resolve(ZONE, "standby.app.example.com", {
      name: "near ca-central-1",
      latency: ["ca-central-1", "us-west-2"],
    }).region;

  it("answers the nearest standby while its deep check passes and its ALB has a healthy target", () => {
    expect(answer({})).to.equal("ca-central-1");
  });

  it("drops a standby whose deep check fails, or whose ALB has no healthy target", () => {
    expect(answer({ "ca-central-1": false })).to.equal("us-west-2");
    expect(answer({}, { "ca-central-1": false })).to.equal("us-west-2");
  });

  it("answers the nearest anyway when no standby is healthy (Route 53 counts them all healthy)", () => {
    expect(answer({ "ca-central-1": false, "us-west-2": false })).to.equal("ca-central-1");
  });
});
