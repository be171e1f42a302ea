import { expect } from "chai";
import { Role } from "../config";
import {
  EdgeDns,
  HEALTH_CHECK_METRICS_REGION,
  HEALTH_CHECKER_REGIONS,
  detectionSeconds,
  failoverType,
} from "../components/edgeDns";
import { RecordedResource, StackRun, runProgram } from "../tools/mocks";

const ALB_DNS = "frontend-alb-1234567890.ca-central-1.elb.amazonaws.com";
const ALB_ZONE = "ZQSVJUPU6J1EY";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:ops-alarms";

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
        hostedZoneId: "ZEXAMPLEZONE",
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

  it("writes a SECONDARY failover alias to the ALB, identified by region, with the check attached", () => {
    const check = only(run, "aws:route53/healthCheck:HealthCheck");
    const record = only(run, "aws:route53/record:Record");
    expect(record.inputs).to.include({
      zoneId: "ZEXAMPLEZONE",
      name: "app.example.com",
      type: "A",
      setIdentifier: "ca-central-1",
    });
    expect(run.outputs.healthCheckId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(record.inputs.healthCheckId).to.equal(run.outputs.healthCheckId);
    expect(record.dependencies).to.include(check.urn);
    expect(record.inputs.failoverRoutingPolicies).to.deep.equal([{ type: "SECONDARY" }]);
    expect(record.inputs.aliases).to.deep.equal([
      { name: ALB_DNS, zoneId: ALB_ZONE, evaluateTargetHealth: true },
    ]);
    expect(record.inputs.ttl).to.equal(undefined);
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
    for (const type of ["aws:route53/healthCheck:HealthCheck", "aws:route53/record:Record"]) {
      expect(only(run, type).inputs.region, type).to.equal(undefined);
    }
  });

  it("parents every child to the component", () => {
    const component = only(run, "multi-region-web:edgeDns:EdgeDns");
    const children = run.resources.filter((r) => r.urn !== component.urn && r.type !== "pulumi:pulumi:Stack");
    expect(children).to.have.length(3);
    for (const child of children) {
      expect(child.parent, child.name).to.equal(component.urn);
      expect(child.name).to.match(/^edge-/);
    }
  });
});

describe("EdgeDns (active, us-east-1)", () => {
  it("writes a PRIMARY record identified by its region and still alarms in us-east-1", async () => {
    const run = await runEdge("active", "us-east-1", { interval: 10, threshold: 3 });
    const record = only(run, "aws:route53/record:Record");
    expect(record.inputs.failoverRoutingPolicies).to.deep.equal([{ type: "PRIMARY" }]);
    expect(record.inputs.setIdentifier).to.equal("us-east-1");
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
