import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { AlarmsConfig, ConfigError, DEFAULTS, Role, validateAlarms } from "../config";
import { AlarmSpec, alarmSpecs, AURORA_LAG_EXPRESSION } from "../components/alarms";
import { dashboardNameFor } from "../components/dashboard";
import { Observability, ObservabilityArgs } from "../components/observability";
import { RecordedResource, StackRun, runProgram } from "../tools/mocks";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";

const PUBLIC = {
  arnSuffix: "app/frontend-alb/0123456789abcdef",
  targetGroupArnSuffix: "targetgroup/frontend/0aa",
};
const INTERNAL = {
  arnSuffix: "app/backend-alb/fedcba9876543210",
  targetGroupArnSuffix: "targetgroup/backend/0bb",
};
const CLUSTER = "multi-region-web-ca-central-1-aurora";
const TABLE = "multi-region-web-app";
const NAT_IDS = ["nat-0aaaaaaaaaaaaaaaa", "nat-0bbbbbbbbbbbbbbbb"];
const HEALTH_CHECK = "abcdef01-2345-6789-abcd-ef0123456789";

function alarms(overrides: Partial<AlarmsConfig> = {}): AlarmsConfig {
  return { ...DEFAULTS.alarms, emails: ["ops@example.com", "oncall@example.com"], ...overrides };
}

function args(
  region: string,
  role: Role,
  home: boolean,
  overrides: Partial<AlarmsConfig> = {},
): ObservabilityArgs {
  return {
    stackName: `multi-region-web-${region}`,
    region,
    role,
    alarms: alarms(overrides),
    publicAlb: PUBLIC,
    internalAlb: INTERNAL,
    asgs: [
      { tier: "frontend", name: "frontend-asg-1234", minSize: role === "active" ? 2 : 1 },
      { tier: "backend", name: "backend-asg-5678", minSize: role === "active" ? 2 : 1 },
    ],
    database: { clusterIdentifier: CLUSTER, isSecondary: !home, instanceCount: home ? 2 : 1 },
    dynamo: { tableName: TABLE, replicaRegions: home ? ["ca-central-1"] : ["us-east-1"] },
    webAcl: { metricName: "web-acl" },
    natGateways: { count: NAT_IDS.length, ids: pulumi.output(NAT_IDS) },
    healthCheckId: HEALTH_CHECK,
  };
}

function runObservability(a: ObservabilityArgs): Promise<StackRun> {
  return runProgram(
    () => {
      const ops = new Observability("ops", a);
      return {
        opsTopicArn: ops.opsTopicArn,
        dashboardName: ops.dashboardName,
        alarmNames: ops.alarmNames,
        alarmArns: ops.alarmArns,
      };
    },
    { stack: a.region, config: { "aws:region": a.region } },
  );
}

function alarmByName(run: StackRun, key: string): RecordedResource {
  const found = run.resources.filter((r) => r.type === ALARM && r.name === `ops-${key}`);
  expect(found, key).to.have.length(1);
  return found[0];
}

/** The single metric of an alarm, or the named query's metric in a metric-math alarm. */
function queryMetric(alarm: RecordedResource, id: string) {
  const queries = alarm.inputs.metricQueries as {
    id: string;
    metric?: { namespace: string; metricName: string; dimensions: Record<string, string>; stat: string };
  }[];
  return queries.find((q) => q.id === id)?.metric;
}

function spec(specs: AlarmSpec[], key: string): AlarmSpec {
  const found = specs.find((s) => s.key === key);
  expect(found, key).to.not.equal(undefined);
  return found!;
}

describe("alarmSpecs (pure)", () => {
  it("takes every threshold from AlarmsConfig, and a changed config changes it", () => {
    const base = alarmSpecs(args("ca-central-1", "passive", false));
    const changed = alarmSpecs(
      args("ca-central-1", "passive", false, {
        alb5xxRatePercent: 2,
        p99ResponseTimeSeconds: 0.75,
        unhealthyHosts: 2,
        dbCpuPercent: 65,
        dbFreeableMemoryMiB: 1024,
        auroraReplicationLagMs: 250,
        dynamoReplicationLatencyMs: 400,
        dynamoThrottledRequests: 3,
        wafBlockedRequests: 50,
        natPortAllocationErrors: 5,
      }),
    );
    const threshold = (specs: AlarmSpec[], key: string) => spec(specs, key).args.threshold;
    expect(threshold(base, "public-alb-5xx-rate")).to.equal(DEFAULTS.alarms.alb5xxRatePercent);
    expect(threshold(changed, "public-alb-5xx-rate")).to.equal(2);
    expect(threshold(changed, "public-alb-p99")).to.equal(0.75);
    expect(threshold(changed, "internal-alb-unhealthy")).to.equal(2);
    expect(threshold(changed, "db-reader-cpu")).to.equal(65);
    expect(threshold(base, "db-reader-memory")).to.equal(DEFAULTS.alarms.dbFreeableMemoryMiB * 1024 * 1024);
    expect(threshold(changed, "db-reader-memory")).to.equal(1024 * 1024 * 1024);
    expect(threshold(changed, "db-replication-lag")).to.equal(250);
    expect(threshold(changed, "dynamo-replication-us-east-1")).to.equal(400);
    expect(threshold(changed, "dynamo-throttles")).to.equal(3);
    expect(threshold(changed, "waf-blocked")).to.equal(50);
    expect(threshold(changed, "nat-1-port-allocation")).to.equal(5);
  });

  it("watches the writer and the readers on a home cluster, only readers on a secondary", () => {
    const home = alarmSpecs(args("us-east-1", "active", true)).map((s) => s.key);
    const standby = alarmSpecs(args("ca-central-1", "passive", false)).map((s) => s.key);
    expect(home).to.include.members([
      "db-writer-cpu",
      "db-reader-cpu",
      "db-writer-memory",
      "db-reader-memory",
    ]);
    expect(standby).to.include.members(["db-reader-cpu", "db-reader-memory"]);
    expect(standby).to.not.include("db-writer-cpu");
  });

  it("evaluates every alarm exactly as designed: operator, periods, datapoints, statistic and missing data", () => {
    // [comparisonOperator, evaluationPeriods, datapointsToAlarm, period, statistic, treatMissingData]
    const settings = (specs: AlarmSpec[]) =>
      Object.fromEntries(
        specs.map((s) => {
          const a = s.args as Record<string, unknown>;
          return [
            s.key,
            [
              a.comparisonOperator,
              a.evaluationPeriods,
              a.datapointsToAlarm,
              a.period,
              a.statistic ?? a.extendedStatistic,
              a.treatMissingData,
            ],
          ];
        }),
      );
    const common = {
      // No traffic is no error; a rate over 5 of 5 minutes, 3 of them breaching.
      "public-alb-5xx-rate": ["GreaterThanThreshold", 5, 3, undefined, undefined, "notBreaching"],
      "public-alb-p99": ["GreaterThanThreshold", 5, 3, 60, "p99", "notBreaching"],
      "public-alb-unhealthy": ["GreaterThanOrEqualToThreshold", 3, undefined, 60, "Maximum", "notBreaching"],
      "internal-alb-p99": ["GreaterThanThreshold", 5, 3, 60, "p99", "notBreaching"],
      "internal-alb-unhealthy": [
        "GreaterThanOrEqualToThreshold",
        3,
        undefined,
        60,
        "Maximum",
        "notBreaching",
      ],
      // A group that reports nothing is gone: breaching.
      "asg-frontend-in-service": ["LessThanThreshold", 5, 5, 60, "Minimum", "breaching"],
      "asg-backend-in-service": ["LessThanThreshold", 5, 5, 60, "Minimum", "breaching"],
      "db-reader-cpu": ["GreaterThanThreshold", 3, undefined, 300, "Maximum", "notBreaching"],
      "db-reader-memory": ["LessThanThreshold", 3, undefined, 300, "Minimum", "notBreaching"],
      // A secondary whose replication stopped reports nothing: breaching (metric math reads the writer).
      "db-replication-lag": ["GreaterThanThreshold", 5, 3, undefined, undefined, "breaching"],
      "dynamo-throttles": ["GreaterThanOrEqualToThreshold", 5, 3, undefined, undefined, "notBreaching"],
      "waf-blocked": ["GreaterThanThreshold", 1, undefined, 300, "Sum", "notBreaching"],
      "nat-0-port-allocation": ["GreaterThanOrEqualToThreshold", 1, undefined, 300, "Sum", "notBreaching"],
      "nat-1-port-allocation": ["GreaterThanOrEqualToThreshold", 1, undefined, 300, "Sum", "notBreaching"],
    };
    expect(settings(alarmSpecs(args("us-east-1", "active", true)))).to.deep.equal({
      ...common,
      "db-writer-cpu": ["GreaterThanThreshold", 3, undefined, 300, "Maximum", "notBreaching"],
      "db-writer-memory": ["LessThanThreshold", 3, undefined, 300, "Minimum", "notBreaching"],
      "dynamo-replication-ca-central-1": ["GreaterThanThreshold", 5, 3, 60, "Average", "notBreaching"],
    });
    expect(settings(alarmSpecs(args("ca-central-1", "passive", false)))).to.deep.equal({
      ...common,
      "dynamo-replication-us-east-1": ["GreaterThanThreshold", 5, 3, 60, "Average", "notBreaching"],
    });
  });

  it("gives both roles the same lag alarm: whether a cluster is the secondary is read from the cluster", () => {
    const standby = spec(alarmSpecs(args("ca-central-1", "passive", false)), "db-replication-lag");
    const home = spec(alarmSpecs(args("us-east-1", "active", true)), "db-replication-lag");
    expect({ ...standby.args, alarmDescription: "" }).to.deep.equal({ ...home.args, alarmDescription: "" });
    expect(standby.args.treatMissingData).to.equal("breaching");
    const queries = standby.args.metricQueries as {
      id: string;
      metric?: { metricName: string; dimensions: object; stat: string };
      expression?: string;
      returnData?: boolean;
    }[];
    expect(
      queries.map((q) => [q.id, q.metric?.metricName, q.metric?.dimensions, q.metric?.stat]),
    ).to.deep.equal([
      ["lag", "AuroraGlobalDBRPOLag", { DBClusterIdentifier: CLUSTER }, "Maximum"],
      ["writer", "CPUUtilization", { DBClusterIdentifier: CLUSTER, Role: "WRITER" }, "SampleCount"],
      ["rpo", undefined, undefined, undefined],
    ]);
    expect(queries[2]).to.include({ expression: AURORA_LAG_EXPRESSION, returnData: true });
    // Not the SourceRegion pair: SourceRegion changes every time the writer moves.
    expect(JSON.stringify(queries)).not.to.contain("SourceRegion");
  });

  describe("the lag alarm across a failover (its expression, under CloudWatch's documented evaluation)", () => {
    const THRESHOLD = DEFAULTS.alarms.auroraReplicationLagMs;
    /**
     * One minute of `IF(FILL(writer, 0) > 0, 0, lag)`: FILL gives the writer series 0 where it has no
     * data; an expression whose inputs all have no data has no data (then treatMissingData decides).
     */
    function point(sample: { writer?: number; lag?: number }): number | undefined {
      if (sample.writer === undefined && sample.lag === undefined) return undefined;
      return (sample.writer ?? 0) > 0 ? 0 : sample.lag;
    }
    /** The alarm's state after five minutes: 3 of 5 breaching datapoints, missing data breaching. */
    function state(minutes: { writer?: number; lag?: number }[]): "ALARM" | "OK" {
      const spec0 = spec(alarmSpecs(args("ca-central-1", "passive", false)), "db-replication-lag").args;
      expect(spec0.treatMissingData).to.equal("breaching");
      const breaching = minutes.map(point).filter((v) => v === undefined || v > THRESHOLD).length;
      return breaching >= (spec0.datapointsToAlarm as number) ? "ALARM" : "OK";
    }
    const minutes = (sample: { writer?: number; lag?: number }) => Array.from({ length: 5 }, () => sample);

    it("models the expression the alarm uses", () => {
      expect(AURORA_LAG_EXPRESSION).to.equal("IF(FILL(writer, 0) > 0, 0, lag)");
    });
    it("stays quiet on the primary, which reports a writer and no lag (before or after a failover)", () => {
      expect(state(minutes({ writer: 60 }))).to.equal("OK");
    });
    it("watches a secondary: quiet under the threshold, alarming above it", () => {
      expect(state(minutes({ lag: THRESHOLD / 10 }))).to.equal("OK");
      expect(state(minutes({ lag: THRESHOLD * 10 }))).to.equal("ALARM");
    });
    it("pages when a secondary goes silent (detached, or replication stopped): no writer and no lag", () => {
      expect(state(minutes({}))).to.equal("ALARM");
    });
    it("follows the swap: the new primary falls quiet, the old one (now secondary) is watched", () => {
      // The standby's cluster, promoted by the plan: a writer appears, its lag stops.
      expect(state([{ lag: 100 }, { lag: 100 }, { writer: 60 }, { writer: 60 }, { writer: 60 }])).to.equal(
        "OK",
      );
      // The home's cluster, demoted: its writer goes, its lag starts.
      expect(state([{ writer: 60 }, { writer: 60 }, { lag: 100 }, { lag: 100 }, { lag: 100 }])).to.equal(
        "OK",
      );
      expect(state([{ writer: 60 }, { writer: 60 }, {}, {}, {}])).to.equal("ALARM");
    });
  });

  it("skips the in-service alarm of a tier whose minimum is 0", () => {
    const a = args("ca-central-1", "passive", false);
    a.asgs = [{ tier: "frontend", name: "frontend-asg", minSize: 0 }];
    expect(alarmSpecs(a).map((s) => s.key)).to.not.include("asg-frontend-in-service");
  });

  it("names the dashboard after the stack with only the characters CloudWatch allows", () => {
    expect(dashboardNameFor("multi-region-web-us-east-1")).to.equal("multi-region-web-us-east-1");
    expect(dashboardNameFor("org/app.prod")).to.equal("org-app-prod");
  });
});

describe("Observability (passive, ca-central-1)", () => {
  let run: StackRun;
  let opsTopic: RecordedResource;

  before(async () => {
    run = await runObservability(args("ca-central-1", "passive", false));
    opsTopic = run.resources.find((r) => r.type === TOPIC && r.name === "ops-ops")!;
  });

  it("encrypts the ops topic with its own key that lets CloudWatch publish", () => {
    expect(opsTopic.region).to.equal("ca-central-1");
    const key = run.resources.find((r) => r.type === "aws:kms/key:Key" && r.name === "ops-ops-key")!;
    expect(opsTopic.inputs.kmsMasterKeyId).to.equal(key.outputs.arn);
    expect([key.inputs.enableKeyRotation, key.inputs.deletionWindowInDays]).to.deep.equal([true, 7]);
    const policy = JSON.parse(key.inputs.policy as string) as {
      Statement: {
        Principal: { Service?: string; AWS?: string };
        Action: string | string[];
        Condition?: Record<string, Record<string, string>>;
      }[];
    };
    const cloudwatch = policy.Statement.find((s) => s.Principal.Service === "cloudwatch.amazonaws.com");
    expect(cloudwatch?.Action).to.have.members(["kms:Decrypt", "kms:GenerateDataKey*"]);
    expect(cloudwatch?.Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": "123456789012" } });
    expect(policy.Statement.some((s) => s.Principal.AWS === "arn:aws:iam::123456789012:root")).to.be.true;
  });

  it("subscribes every configured e-mail address to the ops topic", () => {
    const subs = run.resources.filter(
      (r) =>
        r.type === "aws:sns/topicSubscription:TopicSubscription" && r.inputs.topic === opsTopic.outputs.arn,
    );
    expect(subs.map((s) => s.inputs.endpoint)).to.have.members(["ops@example.com", "oncall@example.com"]);
    expect(subs.every((s) => s.inputs.protocol === "email")).to.be.true;
  });

  it("subscribes an address once even when config repeats it in another case", async () => {
    const a = args("us-east-1", "active", true);
    a.alarms = { ...a.alarms, emails: ["ops@example.com", "OPS@example.com"] };
    const single = await runObservability(a);
    const subs = single.resources.filter((r) => r.type === "aws:sns/topicSubscription:TopicSubscription");
    expect(subs.map((s) => s.inputs.endpoint)).to.deep.equal(["ops@example.com"]);
  });

  it("owns nothing outside its region: one ops topic, its key and subscriptions, here", () => {
    const topics = run.resources.filter((r) => r.type === TOPIC);
    expect(topics.map((t) => t.name)).to.deep.equal(["ops-ops"]);
    for (const r of run.resources.filter((r) => r.custom)) {
      expect(r.region, r.name).to.equal("ca-central-1");
      expect(r.inputs, r.name).to.not.have.property("region");
    }
    expect(run.resources.filter((r) => r.type === "pulumi:providers:aws")).to.be.empty;
  });

  it("exports every alarm's ARN by its key (the failover plan watches public-alb-5xx-rate)", () => {
    const arns = run.outputs.alarmArns as Record<string, string>;
    expect(arns["public-alb-5xx-rate"]).to.equal(alarmByName(run, "public-alb-5xx-rate").outputs.arn);
    expect(Object.keys(arns)).to.have.members(Object.keys(run.outputs.alarmNames as object));
  });

  it("notifies the ops topic on ALARM and OK from every alarm, all in this region", () => {
    const all = run.resources.filter((r) => r.type === ALARM);
    expect(all.length).to.be.greaterThan(10);
    for (const alarm of all) {
      expect(alarm.inputs.alarmActions, alarm.name).to.deep.equal([opsTopic.outputs.arn]);
      expect(alarm.inputs.okActions, alarm.name).to.deep.equal([opsTopic.outputs.arn]);
      expect(alarm.region, alarm.name).to.equal("ca-central-1");
    }
    expect(run.outputs.opsTopicArn).to.equal(opsTopic.outputs.arn);
  });

  it("computes the public ALB 5xx rate from ELB and target 5xx over RequestCount", () => {
    const alarm = alarmByName(run, "public-alb-5xx-rate");
    for (const [id, name] of [
      ["elb5xx", "HTTPCode_ELB_5XX_Count"],
      ["target5xx", "HTTPCode_Target_5XX_Count"],
      ["requests", "RequestCount"],
    ]) {
      expect(queryMetric(alarm, id)).to.deep.include({
        namespace: "AWS/ApplicationELB",
        metricName: name,
        dimensions: { LoadBalancer: PUBLIC.arnSuffix },
        stat: "Sum",
      });
    }
    const queries = alarm.inputs.metricQueries as { id: string; expression?: string; returnData?: boolean }[];
    const returned = queries.filter((q) => q.returnData);
    expect(returned).to.have.length(1);
    expect(queries.find((q) => q.id === "errors")?.expression).to.match(
      /FILL\(elb5xx, 0\) \+ FILL\(target5xx, 0\)/,
    );
    expect(returned[0].expression).to.contain("100 * errors");
    expect(alarm.inputs).to.include({ comparisonOperator: "GreaterThanThreshold", threshold: 5 });
  });

  it("watches p99 response time and unhealthy targets of both ALBs", () => {
    for (const [tier, alb] of [
      ["public", PUBLIC],
      ["internal", INTERNAL],
    ] as const) {
      const p99 = alarmByName(run, `${tier}-alb-p99`);
      expect(p99.inputs).to.deep.include({
        namespace: "AWS/ApplicationELB",
        metricName: "TargetResponseTime",
        extendedStatistic: "p99",
        dimensions: { LoadBalancer: alb.arnSuffix },
        threshold: DEFAULTS.alarms.p99ResponseTimeSeconds,
      });
      const unhealthy = alarmByName(run, `${tier}-alb-unhealthy`);
      expect(unhealthy.inputs).to.deep.include({
        namespace: "AWS/ApplicationELB",
        metricName: "UnHealthyHostCount",
        dimensions: { LoadBalancer: alb.arnSuffix, TargetGroup: alb.targetGroupArnSuffix },
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: DEFAULTS.alarms.unhealthyHosts,
      });
    }
  });

  it("alarms when an ASG has fewer instances in service than its minimum", () => {
    const alarm = alarmByName(run, "asg-frontend-in-service");
    expect(alarm.inputs).to.deep.include({
      namespace: "AWS/AutoScaling",
      metricName: "GroupInServiceInstances",
      dimensions: { AutoScalingGroupName: "frontend-asg-1234" },
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
    });
  });

  it("watches the secondary cluster's readers and its global replication lag by DBClusterIdentifier", () => {
    expect(alarmByName(run, "db-reader-cpu").inputs).to.deep.include({
      namespace: "AWS/RDS",
      metricName: "CPUUtilization",
      dimensions: { DBClusterIdentifier: CLUSTER, Role: "READER" },
      threshold: DEFAULTS.alarms.dbCpuPercent,
    });
    expect(alarmByName(run, "db-reader-memory").inputs).to.deep.include({
      metricName: "FreeableMemory",
      comparisonOperator: "LessThanThreshold",
    });
    const lag = alarmByName(run, "db-replication-lag").inputs;
    expect(lag).to.deep.include({
      threshold: DEFAULTS.alarms.auroraReplicationLagMs,
      treatMissingData: "breaching",
    });
    expect((lag.metricQueries as { metric?: object }[])[0].metric).to.deep.include({
      namespace: "AWS/RDS",
      metricName: "AuroraGlobalDBRPOLag",
      dimensions: { DBClusterIdentifier: CLUSTER },
    });
  });

  it("watches DynamoDB replication to the home region and throttling of the table", () => {
    expect(alarmByName(run, "dynamo-replication-us-east-1").inputs).to.deep.include({
      namespace: "AWS/DynamoDB",
      metricName: "ReplicationLatency",
      dimensions: { TableName: TABLE, ReceivingRegion: "us-east-1" },
      threshold: DEFAULTS.alarms.dynamoReplicationLatencyMs,
    });
    const throttles = alarmByName(run, "dynamo-throttles");
    expect(queryMetric(throttles, "reads")).to.deep.include({
      namespace: "AWS/DynamoDB",
      metricName: "ReadThrottleEvents",
      dimensions: { TableName: TABLE },
    });
    expect(queryMetric(throttles, "writes")?.metricName).to.equal("WriteThrottleEvents");
  });

  it("watches WAF blocked requests of the web ACL over all rules in this region", () => {
    expect(alarmByName(run, "waf-blocked").inputs).to.deep.include({
      namespace: "AWS/WAFV2",
      metricName: "BlockedRequests",
      dimensions: { WebACL: "web-acl", Rule: "ALL", Region: "ca-central-1" },
      threshold: DEFAULTS.alarms.wafBlockedRequests,
    });
  });

  it("has one port-allocation alarm per NAT gateway, each on its own gateway", () => {
    const ids = NAT_IDS.map((_, i) => alarmByName(run, `nat-${i}-port-allocation`)).map((alarm) => {
      expect(alarm.inputs).to.deep.include({
        namespace: "AWS/NATGateway",
        metricName: "ErrorPortAllocation",
      });
      return (alarm.inputs.dimensions as Record<string, string>).NatGatewayId;
    });
    expect(ids).to.deep.equal(NAT_IDS);
  });

  it("builds a dashboard named after the stack with the alarms' metrics and the health check", () => {
    const dashboard = run.resources.find((r) => r.type === "aws:cloudwatch/dashboard:Dashboard")!;
    expect(dashboard.inputs.dashboardName).to.equal("multi-region-web-ca-central-1");
    expect(run.outputs.dashboardName).to.equal("multi-region-web-ca-central-1");
    const body = JSON.parse(dashboard.inputs.dashboardBody as string) as {
      widgets: { type: string; properties: { region?: string; metrics?: unknown[][] } }[];
    };
    const metrics = body.widgets.flatMap((w) => w.properties.metrics ?? []);
    const names = metrics.map((m) => m[1]);
    expect(names).to.include.members([
      "HTTPCode_ELB_5XX_Count",
      "TargetResponseTime",
      "UnHealthyHostCount",
      "GroupInServiceInstances",
      "CPUUtilization",
      "FreeableMemory",
      "AuroraGlobalDBReplicationLag",
      "ReplicationLatency",
      "ReadThrottleEvents",
      "BlockedRequests",
      "ErrorPortAllocation",
      "HealthCheckStatus",
    ]);
    expect(metrics.filter((m) => m[1] === "ErrorPortAllocation").map((m) => m[3])).to.deep.equal(NAT_IDS);
    const health = body.widgets.find((w) => w.properties.metrics?.some((m) => m[1] === "HealthCheckStatus"));
    expect(health?.properties.region).to.equal("us-east-1");
    expect(health?.properties.metrics?.[0]).to.include(HEALTH_CHECK);
  });
});

describe("Observability (active home, us-east-1)", () => {
  let run: StackRun;

  before(async () => {
    run = await runObservability(args("us-east-1", "active", true, { dbCpuPercent: 70 }));
  });

  it("has one topic, the ops topic, like every region (the health-check alarms are the control stack's)", () => {
    const topics = run.resources.filter((r) => r.type === TOPIC);
    expect(topics).to.have.length(1);
    expect(run.outputs.opsTopicArn).to.equal(topics[0].outputs.arn);
    expect(run.resources.some((r) => r.type === "pulumi:providers:aws")).to.be.false;
  });

  it("watches DynamoDB replication to each standby region, emitted here in the source region", () => {
    expect(alarmByName(run, "dynamo-replication-ca-central-1").inputs).to.deep.include({
      dimensions: { TableName: TABLE, ReceivingRegion: "ca-central-1" },
    });
  });

  it("watches the writer with the configured threshold", () => {
    expect(alarmByName(run, "db-writer-cpu").inputs).to.deep.include({
      dimensions: { DBClusterIdentifier: CLUSTER, Role: "WRITER" },
      threshold: 70,
    });
  });
});

describe("alarm config validation (config.ts)", () => {
  for (const key of [
    "alb5xxRatePercent",
    "p99ResponseTimeSeconds",
    "unhealthyHosts",
    "dbCpuPercent",
    "dbFreeableMemoryMiB",
    "auroraReplicationLagMs",
    "dynamoReplicationLatencyMs",
    "dynamoThrottledRequests",
    "wafBlockedRequests",
    "natPortAllocationErrors",
  ] as const) {
    it(`rejects a non-positive ${key} naming the key`, () => {
      for (const bad of [0, -1]) {
        expect(() => validateAlarms(alarms({ [key]: bad })))
          .to.throw(ConfigError)
          .with.property("message")
          .that.contains(`alarms.${key}`)
          .and.contains("positive");
      }
    });
  }

  it("rejects a percentage above 100 and a malformed e-mail address", () => {
    expect(() => validateAlarms(alarms({ alb5xxRatePercent: 120 }))).to.throw(
      /alarms.alb5xxRatePercent.*at most 100/,
    );
    expect(() => validateAlarms(alarms({ emails: ["not-an-address"] }))).to.throw(/alarms.emails\[0\]/);
  });

  it("accepts the defaults", () => {
    expect(() => validateAlarms(alarms())).to.not.throw();
  });
});

describe("Observability key protection", () => {
  const keysOf = (run: StackRun) => run.resources.filter((r) => r.type === "aws:kms/key:Key");

  it("protects the ops topic's KMS key by default", async () => {
    const run = await runObservability(args("ca-central-1", "passive", false));
    expect(keysOf(run)).to.have.length(1);
    for (const key of keysOf(run)) expect(key.protect, key.name).to.equal(true);
  });

  it("leaves them unprotected when protect is false", async () => {
    const run = await runObservability({ ...args("us-east-1", "active", true), protect: false });
    expect(keysOf(run)).to.have.length(1);
    for (const key of keysOf(run)) expect(key.protect, key.name).to.equal(false);
  });
});
