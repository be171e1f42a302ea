import { expect } from "chai";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { DEFAULTS } from "../config";
import { Backups } from "../components/backups";
import { auroraLagAlarm } from "../components/alarms";
import { Observability } from "../components/observability";
import {
  backupCoverage,
  backupFailuresNotified,
  operationsPolicies,
  replicationLagAlarms,
  topicAllowsPublishers,
} from "../policy/rules/operations";
import { RecordedResource, runProgram } from "../tools/mocks";

const T = {
  globalCluster: "aws:rds/globalCluster:GlobalCluster",
  cluster: "aws:rds/cluster:Cluster",
  table: "aws:dynamodb/table:Table",
  tableReplica: "aws:dynamodb/tableReplica:TableReplica",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  plan: "aws:backup/plan:Plan",
  selection: "aws:backup/selection:Selection",
};

const HOME_CLUSTER_ID = "app-us-east-1-aurora";
const CLUSTER_ARN = `arn:aws:rds:us-east-1:123456789012:cluster:${HOME_CLUSTER_ID}`;
const TABLE = "app-table";
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:123456789012:table/${TABLE}`;
const PLAN_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
const STANDBY_VAULT = "arn:aws:backup:ca-central-1:123456789012:backup-vault:app-ca-central-1";
const STANDBY_CLUSTER_ARN = "arn:aws:rds:ca-central-1:123456789012:cluster:app-ca-central-1-aurora";
const REPLICA_ARN = `arn:aws:dynamodb:ca-central-1:123456789012:table/${TABLE}`;

interface Spec {
  type: string;
  name: string;
  props: Record<string, unknown>;
  ignoreChanges?: string[];
}

function resource(spec: Spec): PolicyResource {
  return {
    type: spec.type,
    name: spec.name,
    urn: `urn:pulumi:stack::app::${spec.type}::${spec.name}`,
    props: spec.props,
    opts: {
      protect: false,
      ignoreChanges: spec.ignoreChanges ?? [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  };
}

function stackArgs(resources: PolicyResource[]): StackValidationArgs {
  return {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
}

async function violations(policy: StackValidationPolicy, resources: PolicyResource[]): Promise<string[]> {
  const messages: string[] = [];
  await policy.validateStack(stackArgs(resources), (message) => messages.push(message));
  return messages;
}

function lagAlarm(
  name: string,
  metricName: string,
  dimensions: Record<string, string>,
  namespace = "AWS/RDS",
): Spec {
  return { type: T.alarm, name, props: { namespace, metricName, dimensions } };
}

/** The Aurora lag alarm components/alarms.ts builds for a cluster. */
function auroraLag(clusterId: string): Spec {
  return {
    type: T.alarm,
    name: "aurora-lag",
    props: auroraLagAlarm(clusterId, 1000, "test") as Record<string, unknown>,
  };
}

/** A compliant home stack: global cluster, its primary, the table, both lag alarms, the plan and selection. */
function homeStack(): Spec[] {
  return [
    {
      type: T.globalCluster,
      name: "global",
      props: { id: "app-global", globalClusterIdentifier: "app-global" },
    },
    {
      type: T.cluster,
      name: "primary",
      props: {
        clusterIdentifier: HOME_CLUSTER_ID,
        arn: CLUSTER_ARN,
        id: HOME_CLUSTER_ID,
        globalClusterIdentifier: "app-global",
      },
    },
    {
      type: T.table,
      name: "table",
      props: { name: TABLE, arn: TABLE_ARN, id: TABLE },
      ignoreChanges: ["replicas"],
    },
    auroraLag(HOME_CLUSTER_ID),
    lagAlarm(
      "dynamo-lag",
      "ReplicationLatency",
      { TableName: TABLE, ReceivingRegion: "ca-central-1" },
      "AWS/DynamoDB",
    ),
    {
      type: T.plan,
      name: "plan",
      props: {
        id: PLAN_ID,
        arn: `arn:aws:backup:us-east-1:123456789012:backup-plan:${PLAN_ID}`,
        rules: [{ ruleName: "daily", copyActions: [{ destinationVaultArn: STANDBY_VAULT }] }],
      },
    },
    { type: T.selection, name: "selection", props: { planId: PLAN_ID, resources: [CLUSTER_ARN, TABLE_ARN] } },
  ];
}

/** A compliant standby stack: secondary cluster, table replica, their lag alarms. */
function standbyStack(): Spec[] {
  return [
    {
      type: T.cluster,
      name: "secondary",
      props: { clusterIdentifier: "app-ca-central-1-aurora", globalClusterIdentifier: "app-global" },
    },
    { type: T.tableReplica, name: "replica", props: { globalTableArn: TABLE_ARN } },
    auroraLag("app-ca-central-1-aurora"),
    lagAlarm(
      "dynamo-lag",
      "ReplicationLatency",
      { TableName: TABLE, ReceivingRegion: "us-east-1" },
      "AWS/DynamoDB",
    ),
  ];
}

const build = (specs: Spec[]) => specs.map(resource);
const without = (specs: Spec[], name: string) => specs.filter((s) => s.name !== name);

describe("operations policies: metadata", () => {
  it("are exported as an array, each with a level, severity and remediation", () => {
    expect(operationsPolicies).to.include.members([replicationLagAlarms, backupCoverage]);
    for (const policy of operationsPolicies) {
      expect(policy.enforcementLevel, policy.name).to.be.oneOf(["advisory", "mandatory"]);
      expect(policy.severity, policy.name).to.be.a("string");
      expect(policy.remediationSteps, policy.name).to.be.a("string").and.not.equal("");
      expect(policy.description, policy.name).to.be.a("string").and.not.equal("");
    }
  });
});

describe(`policy ${replicationLagAlarms.name}`, () => {
  it("passes a compliant home stack and a compliant standby stack", async () => {
    expect(await violations(replicationLagAlarms, build(homeStack()))).to.deep.equal([]);
    expect(await violations(replicationLagAlarms, build(standbyStack()))).to.deep.equal([]);
  });

  it("fails a global-cluster member whose lag alarm is dropped", async () => {
    const messages = await violations(replicationLagAlarms, build(without(standbyStack(), "aurora-lag")));
    expect(messages).to.have.length(1);
    expect(messages[0]).to.match(/app-ca-central-1-aurora.*AuroraGlobalDBRPOLag/);
  });

  it("fails a lag alarm that treats missing data as anything but breaching (a stopped secondary is silent)", async () => {
    for (const treatMissingData of ["notBreaching", "ignore", undefined]) {
      const alarm = auroraLag("app-ca-central-1-aurora");
      alarm.props = { ...alarm.props, treatMissingData };
      const messages = await violations(
        replicationLagAlarms,
        build([...without(standbyStack(), "aurora-lag"), alarm]),
      );
      expect(messages, String(treatMissingData)).to.have.length(1);
      expect(messages[0]).to.contain(`treats missing data as ${treatMissingData ?? "missing"}`);
    }
  });

  it("fails a breaching lag alarm that does not read the cluster's WRITER series (it would page forever after a failover)", async () => {
    const plain = lagAlarm("aurora-lag", "AuroraGlobalDBRPOLag", {
      DBClusterIdentifier: "app-ca-central-1-aurora",
    });
    plain.props = { ...plain.props, treatMissingData: "breaching" };
    const messages = await violations(
      replicationLagAlarms,
      build([...without(standbyStack(), "aurora-lag"), plain]),
    );
    expect(messages).to.have.length(1);
    expect(messages[0]).to.contain("pages forever");
    // Gated on another cluster's writer does not count either.
    const other = auroraLag("app-ca-central-1-aurora");
    other.props = auroraLagAlarm("app-ca-central-1-aurora", 1000, "t") as Record<string, unknown>;
    const queries = (other.props.metricQueries as { metric?: { dimensions: Record<string, string> } }[]).map(
      (q) =>
        q.metric?.dimensions.Role
          ? {
              ...q,
              metric: { ...q.metric, dimensions: { ...q.metric.dimensions, DBClusterIdentifier: "x" } },
            }
          : q,
    );
    other.props = { ...other.props, metricQueries: queries };
    expect(
      await violations(replicationLagAlarms, build([...without(standbyStack(), "aurora-lag"), other])),
    ).to.have.length(1);
  });

  it("fails an alarm on the wrong metric or on another cluster", async () => {
    const wrongMetric = [
      ...without(standbyStack(), "aurora-lag"),
      lagAlarm("aurora-lag", "AuroraReplicaLag", { DBClusterIdentifier: "app-ca-central-1-aurora" }),
    ];
    wrongMetric[wrongMetric.length - 1].props.treatMissingData = "breaching";
    const wrongCluster = [
      ...without(standbyStack(), "aurora-lag"),
      lagAlarm("aurora-lag", "AuroraGlobalDBReplicationLag", { DBClusterIdentifier: "someone-else" }),
    ];
    expect(await violations(replicationLagAlarms, build(wrongMetric))).to.have.length(1);
    expect(await violations(replicationLagAlarms, build(wrongCluster))).to.have.length(1);
  });

  it("fails a table replica and a global table without a ReplicationLatency alarm", async () => {
    const standby = await violations(replicationLagAlarms, build(without(standbyStack(), "dynamo-lag")));
    expect(standby).to.have.length(1);
    expect(standby[0]).to.match(/app-table.*ReplicationLatency/);
    const home = await violations(replicationLagAlarms, build(without(homeStack(), "dynamo-lag")));
    expect(home).to.have.length(1);
  });

  it("finds the metric inside a metric-math alarm, and accepts AuroraGlobalDBReplicationLag too", async () => {
    const math = auroraLag("app-ca-central-1-aurora");
    const queries = math.props.metricQueries as { id: string; metric?: { metricName: string } }[];
    math.props.metricQueries = queries.map((q) =>
      q.id === "lag" ? { ...q, metric: { ...q.metric, metricName: "AuroraGlobalDBReplicationLag" } } : q,
    );
    expect(
      await violations(replicationLagAlarms, build([...without(standbyStack(), "aurora-lag"), math])),
    ).to.deep.equal([]);
  });

  it("ignores a single-region cluster and table", async () => {
    const single: Spec[] = [
      { type: T.cluster, name: "solo", props: { clusterIdentifier: "solo", globalClusterIdentifier: "" } },
      { type: T.table, name: "solo-table", props: { name: "solo", replicas: [] } },
    ];
    expect(await violations(replicationLagAlarms, build(single))).to.deep.equal([]);
  });
});

describe(`policy ${backupCoverage.name}`, () => {
  it("passes a compliant home stack", async () => {
    expect(await violations(backupCoverage, build(homeStack()))).to.deep.equal([]);
  });

  it("fails a standby that holds data without a plan of its own: it takes the writes after a failover", async () => {
    const messages = await violations(backupCoverage, build(standbyStack()));
    expect(messages).to.deep.equal([
      "The stack holds data but has no AWS Backup plan with a copy action to a vault in another region.",
    ]);
  });

  it("passes a standby whose plan copies to the home and selects its cluster and replica", async () => {
    const standby = standbyStack().map((s) =>
      s.type === T.tableReplica
        ? { ...s, props: { ...s.props, arn: REPLICA_ARN } }
        : s.type === T.cluster
          ? { ...s, props: { ...s.props, arn: STANDBY_CLUSTER_ARN } }
          : s,
    );
    const plan: Spec = {
      type: T.plan,
      name: "plan",
      props: {
        id: PLAN_ID,
        arn: `arn:aws:backup:ca-central-1:123456789012:backup-plan:${PLAN_ID}`,
        rules: [
          {
            copyActions: [
              { destinationVaultArn: "arn:aws:backup:us-east-1:123456789012:backup-vault:app-us-east-1" },
            ],
          },
        ],
      },
    };
    const selection = (resources: string[]): Spec => ({
      type: T.selection,
      name: "selection",
      props: { planId: PLAN_ID, resources },
    });
    expect(
      await violations(
        backupCoverage,
        build([...standby, plan, selection([STANDBY_CLUSTER_ARN, REPLICA_ARN])]),
      ),
    ).to.deep.equal([]);
    const missing = await violations(
      backupCoverage,
      build([...standby, plan, selection([STANDBY_CLUSTER_ARN])]),
    );
    expect(missing).to.have.length(1);
    expect(missing[0]).to.contain(REPLICA_ARN);
  });

  it("fails a home whose plan drops the cross-region copy", async () => {
    const noCopy = homeStack().map((s) =>
      s.type === T.plan ? { ...s, props: { ...s.props, rules: [{ ruleName: "daily" }] } } : s,
    );
    const messages = await violations(backupCoverage, build(noCopy));
    expect(messages).to.have.length(1);
    expect(messages[0]).to.match(/no AWS Backup plan with a copy action to a vault in another region/);
  });

  it("fails a copy to a vault in the home's own region", async () => {
    const sameRegion = homeStack().map((s) =>
      s.type === T.plan
        ? {
            ...s,
            props: {
              ...s.props,
              rules: [
                {
                  copyActions: [
                    { destinationVaultArn: "arn:aws:backup:us-east-1:123456789012:backup-vault:x" },
                  ],
                },
              ],
            },
          }
        : s,
    );
    expect(await violations(backupCoverage, build(sameRegion))).to.have.length(1);
  });

  it("fails a home without any backup plan", async () => {
    const messages = await violations(
      backupCoverage,
      build(without(without(homeStack(), "plan"), "selection")),
    );
    expect(messages).to.have.length(1);
  });

  it("fails every stateful resource the selection leaves out", async () => {
    const partial = homeStack().map((s) =>
      s.type === T.selection ? { ...s, props: { ...s.props, resources: [CLUSTER_ARN] } } : s,
    );
    const messages = await violations(backupCoverage, build(partial));
    expect(messages).to.have.length(1);
    expect(messages[0]).to.contain(TABLE_ARN);
  });
});

/** Turns the mocks' recorded resources into what the policy engine passes a stack policy. */
function asPolicyResources(recorded: RecordedResource[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const resources = recorded.map((r) => {
    const res = resource({ type: r.type, name: r.name, props: r.outputs, ignoreChanges: r.ignoreChanges });
    res.urn = r.urn;
    byUrn.set(r.urn, res);
    return res;
  });
  recorded.forEach((r, i) => {
    resources[i].propertyDependencies = Object.fromEntries(
      Object.entries(r.propertyDependencies).map(([key, urns]) => [
        key,
        urns.map((u) => byUrn.get(u)).filter((d): d is PolicyResource => d !== undefined),
      ]),
    );
  });
  return resources;
}

describe("operations policies on the components' own resources", () => {
  it("pass a stack built with Observability and Backups", async () => {
    const run = await runProgram(
      () => {
        const global = new aws.rds.GlobalCluster("global", {
          globalClusterIdentifier: "app-global",
          engine: "aurora-postgresql",
          storageEncrypted: true,
        });
        const cluster = new aws.rds.Cluster("primary", {
          clusterIdentifier: HOME_CLUSTER_ID,
          engine: "aurora-postgresql",
          globalClusterIdentifier: global.id,
        });
        const table = new aws.dynamodb.Table(
          "table",
          {
            name: TABLE,
            hashKey: "pk",
            attributes: [{ name: "pk", type: "S" }],
            billingMode: "PAY_PER_REQUEST",
          },
          { ignoreChanges: ["replicas"] },
        );
        const alb = { arnSuffix: "app/a/1", targetGroupArnSuffix: "targetgroup/t/1" };
        const ops = new Observability("ops", {
          stackName: "app-us-east-1",
          region: "us-east-1",
          role: "active",
          alarms: DEFAULTS.alarms,
          publicAlb: alb,
          internalAlb: alb,
          database: { clusterIdentifier: cluster.clusterIdentifier, isSecondary: false, instanceCount: 2 },
          dynamo: { tableName: table.name, replicaRegions: ["ca-central-1"] },
          natGateways: { count: 1, ids: pulumi.output(["nat-0123"]) },
        });
        new Backups("backups", {
          project: "app",
          region: "us-east-1",
          backup: DEFAULTS.backup,
          copyRegions: ["ca-central-1"],
          resourceArns: [cluster.arn, table.arn],
          notificationTopicArn: ops.opsTopicArn,
        });
        return {};
      },
      { stack: "us-east-1", config: { "aws:region": "us-east-1" } },
    );
    const resources = asPolicyResources(run.resources);
    expect(await violations(replicationLagAlarms, resources)).to.deep.equal([]);
    expect(await violations(backupCoverage, resources)).to.deep.equal([]);
    expect(await violations(backupFailuresNotified, resources)).to.deep.equal([]);
    expect(await violations(topicAllowsPublishers, resources)).to.deep.equal([]);
  });
});
