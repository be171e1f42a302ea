import { expect } from "chai";
import { Role } from "../config";
import {
  EdgeDns,
  HEALTH_CHECK_METRICS_REGION,
  HEALTH_CHECKER_REGIONS,
  detectionSeconds,
  failoverType,
  STANDBY_RECORD_LABEL,
  STANDBY_SET_IDENTIFIER,
  standbyRecordName,
} from "../components/edgeDns";
import { ofType, RecordedResource, StackRun, runProgram } from "../tools/mocks";

const ALB_DNS = "frontend-alb-1234567890.ca-central-1.elb.amazonaws.com";
const ALB_ZONE = "ZQSVJUPU6J1EY";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:ops-alarms";
const ZONE = "ZEXAMPLEZONE";
const RECORD = "aws:route53/record:Record";

/** The recorded Route 53 record of the given Pulumi resource name. */
function recordNamed(run: StackRun, name: string): RecordedResource {
  const found = run.resources.filter((r) => r.type === RECORD && r.name === name);
  expect(found, `record ${name}`).to.have.length(1);
  return found[0];
}

function only(run: StackRun, type: string): RecordedResource {
  const found = run.resources.filter((r) => r.type === type);
  expect(found, type).to.have.length(1);
  return found[0];
}

function runEdge(role: Role, region: string, extra: { interval?: number; threshold?: number } = {}) {
  return runProgram(
    () => {
      const edge = new EdgeDns("edge", {
        domain: "app.example.com",
        hostedZoneId: ZONE,
        role,
        region,
        loadBalancerDnsName: ALB_DNS,
        loadBalancerZoneId: ALB_ZONE,
        healthCheckInterval: extra.interval ?? 30,
        healthCheckFailureThreshold: extra.threshold ?? 4,
        alarmActions: [TOPIC],
      });
      return {
        healthCheckId: edge.healthCheckId,
        fqdn: edge.fqdn,
        alarmName: edge.healthCheckAlarmName,
        alarmArn: edge.healthCheckAlarmArn,
      };
    },
    { stack: region, config: { "aws:region": region } },
  );
}

describe("failoverType", () => {
  it("is PRIMARY for the active role and SECONDARY for the passive one", () => {
    expect(failoverType("active")).to.equal("PRIMARY");
    expect(failoverType("passive")).to.equal("SECONDARY");
  });
});

describe("the standby set's names", () => {
  it("is standby.<domain>, with the label and the SECONDARY's set identifier exported as constants", () => {
    expect(STANDBY_RECORD_LABEL).to.equal("standby");
    expect(STANDBY_SET_IDENTIFIER).to.equal("standby");
    expect(standbyRecordName("app.example.com")).to.equal("standby.app.example.com");
    expect(standbyRecordName("app.example.com.")).to.equal("standby.app.example.com");
  });
});

describe("detectionSeconds", () => {
  it("is the request interval times the failure threshold", () => {
    expect(detectionSeconds(10, 3)).to.equal(30);
    expect(detectionSeconds(30, 4)).to.equal(120);
  });

  it("rejects values Route 53 does not accept", () => {
    expect(() => detectionSeconds(15, 3)).to.throw(/10 or 30/);
    expect(() => detectionSeconds(10, 0)).to.throw(/1 to 10/);
    expect(() => detectionSeconds(10, 11)).to.throw(/1 to 10/);
  });
});

describe("EdgeDns (passive, ca-central-1)", () => {
  let run: StackRun;

  before(async () => {
    run = await runEdge("passive", "ca-central-1");
  });

  it("health-checks the public ALB over HTTPS on /healthz with the configured timing", () => {
    const check = only(run, "aws:route53/healthCheck:HealthCheck");
    expect(check.inputs).to.include({
      type: "HTTPS",
      fqdn: ALB_DNS,
      port: 443,
      resourcePath: "/healthz",
      requestInterval: 30,
      failureThreshold: 4,
      enableSni: true,
      measureLatency: true,
    });
    expect(check.inputs.regions).to.deep.equal(HEALTH_CHECKER_REGIONS);
    expect((check.inputs.regions as string[]).length).to.be.at.least(3);
  });

  it("joins the standby set: a latency record for its region, an alias to its ALB, with the check attached", () => {
    const check = only(run, "aws:route53/healthCheck:HealthCheck");
    const latency = recordNamed(run, "edge-standby-latency");
    expect(latency.inputs).to.include({
      zoneId: ZONE,
      name: "standby.app.example.com",
      type: "A",
      setIdentifier: "ca-central-1",
      allowOverwrite: true,
    });
    expect(latency.inputs.latencyRoutingPolicies).to.deep.equal([{ region: "ca-central-1" }]);
    expect(latency.inputs.failoverRoutingPolicies).to.equal(undefined);
    expect(run.outputs.healthCheckId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(latency.inputs.healthCheckId).to.equal(run.outputs.healthCheckId);
    expect(latency.dependencies).to.include(check.urn);
    expect(latency.inputs.aliases).to.deep.equal([
      { name: ALB_DNS, zoneId: ALB_ZONE, evaluateTargetHealth: true },
    ]);
    expect(latency.inputs.ttl).to.equal(undefined);
    // Its own record: destroying this stack removes it from the set.
    expect(latency.retainOnDelete).to.equal(false);
  });

  it("writes the shared SECONDARY: an alias to the standby set in the same zone, no check, kept on delete", () => {
    const secondary = recordNamed(run, "edge-standby-failover");
    expect(secondary.inputs).to.include({
      zoneId: ZONE,
      name: "app.example.com",
      type: "A",
      setIdentifier: "standby",
      allowOverwrite: true,
    });
    expect(secondary.inputs.failoverRoutingPolicies).to.deep.equal([{ type: "SECONDARY" }]);
    // Route 53 answers with the healthy members of the set, so the record needs no check of its own.
    expect(secondary.inputs.aliases).to.deep.equal([
      { name: "standby.app.example.com", zoneId: ZONE, evaluateTargetHealth: true },
    ]);
    expect(secondary.inputs).to.not.have.property("healthCheckId");
    expect(secondary.inputs.latencyRoutingPolicies).to.equal(undefined);
    expect(secondary.inputs.ttl).to.equal(undefined);
    // Shared by every standby: destroying one must not delete the pair's SECONDARY.
    expect(secondary.retainOnDelete).to.equal(true);
    // Route 53 refuses an alias to a name with no record: the set's member is created first.
    expect(secondary.dependencies).to.include(recordNamed(run, "edge-standby-latency").urn);
    expect(run.outputs.fqdn).to.equal(secondary.outputs.fqdn);
  });

  it("writes no PRIMARY record and only these two records", () => {
    expect(
      ofType(run, RECORD)
        .map((r) => r.name)
        .sort(),
    ).to.deep.equal(["edge-standby-failover", "edge-standby-latency"]);
  });

  it("declares the same SECONDARY in every passive stack, whatever its region", async () => {
    const other = await runEdge("passive", "eu-west-1");
    const mine = recordNamed(run, "edge-standby-failover");
    const theirs = recordNamed(other, "edge-standby-failover");
    expect(theirs.inputs).to.deep.equal(mine.inputs);
    expect(recordNamed(other, "edge-standby-latency").inputs.latencyRoutingPolicies).to.deep.equal([
      { region: "eu-west-1" },
    ]);
  });

  it("alarms in us-east-1, where Route 53 publishes health-check metrics, on the check's status", () => {
    const alarm = only(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarm.region).to.equal(HEALTH_CHECK_METRICS_REGION);
    expect(run.region).to.equal("ca-central-1");
    expect(alarm.inputs).to.include({
      namespace: "AWS/Route53",
      metricName: "HealthCheckStatus",
      statistic: "Minimum",
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
    });
    expect(alarm.inputs.dimensions).to.deep.equal({ HealthCheckId: run.outputs.healthCheckId });
    expect(alarm.inputs.alarmActions).to.deep.equal([TOPIC]);
    expect(alarm.inputs.okActions).to.deep.equal([TOPIC]);
    expect(run.outputs.alarmArn).to.match(/^arn:aws:cloudwatch:us-east-1:/);
    expect(run.outputs.alarmName).to.equal(alarm.outputs.name);
  });

  it("moves only the alarm to us-east-1, through its region input rather than an explicit provider", () => {
    // An explicit provider would drop the stack provider's settings (credentials, assumed role).
    expect(run.resources.filter((r) => r.type === "pulumi:providers:aws")).to.be.empty;
    const alarm = only(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarm.inputs.region).to.equal("us-east-1");
    expect(only(run, "aws:route53/healthCheck:HealthCheck").inputs.region).to.equal(undefined);
    for (const record of ofType(run, RECORD)) expect(record.inputs.region, record.name).to.equal(undefined);
  });

  it("parents every child to the component", () => {
    const component = only(run, "multi-region-web:edgeDns:EdgeDns");
    const children = run.resources.filter((r) => r.urn !== component.urn && r.type !== "pulumi:pulumi:Stack");
    expect(children).to.have.length(4);
    for (const child of children) {
      expect(child.parent, child.name).to.equal(component.urn);
      expect(child.name).to.match(/^edge-/);
    }
  });
});

describe("EdgeDns (active, us-east-1)", () => {
  it("writes the PRIMARY: an alias to its ALB identified by its region, health-checked; no standby records", async () => {
    const run = await runEdge("active", "us-east-1", { interval: 10, threshold: 3 });
    const record = only(run, RECORD);
    expect(record.name).to.equal("edge-primary");
    expect(record.inputs).to.include({
      zoneId: ZONE,
      name: "app.example.com",
      type: "A",
      setIdentifier: "us-east-1",
      allowOverwrite: true,
    });
    expect(record.inputs.failoverRoutingPolicies).to.deep.equal([{ type: "PRIMARY" }]);
    expect(record.inputs.latencyRoutingPolicies).to.equal(undefined);
    expect(record.inputs.aliases).to.deep.equal([
      { name: ALB_DNS, zoneId: ALB_ZONE, evaluateTargetHealth: true },
    ]);
    expect(record.inputs.healthCheckId).to.equal(run.outputs.healthCheckId);
    expect(record.retainOnDelete).to.equal(false);
    expect(run.outputs.fqdn).to.equal(record.outputs.fqdn);
    const check = only(run, "aws:route53/healthCheck:HealthCheck");
    expect(check.inputs.requestInterval).to.equal(10);
    expect(check.inputs.failureThreshold).to.equal(3);
    expect(only(run, "aws:cloudwatch/metricAlarm:MetricAlarm").region).to.equal("us-east-1");
  });

  it("refuses a health-check interval Route 53 does not offer, before registering anything", async () => {
    let error: unknown;
    try {
      await runEdge("active", "us-east-1", { interval: 20 });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/10 or 30/);
  });
});
