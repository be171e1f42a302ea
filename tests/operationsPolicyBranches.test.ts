/**
 * The day-2 operations policies (policy/rules/operations.ts), condition by condition, both ways,
 * through the runner, with the exact message: which alarm watches which store (by value or property
 * dependency, own metric or metric math), which backup plan copies across regions, which rule
 * catches failed jobs and which topic lets its publishers in.
 */
import { expect } from "chai";
import { FAILED_JOBS_PATTERN } from "../components/backups";
import { auroraLagAlarm } from "../components/alarms";
import { opsKeyPolicy, opsTopicPolicy } from "../components/notificationTopic";
import { TYPES } from "../policy/rules/common";
import { OPERATIONS_TYPES as O } from "../policy/rules/operations";
import { UNKNOWN } from "../policy/runner";
import { dep, findings, messages, res } from "./policyHelpers";

const ACCOUNT = "123456789012";
const cluster = (over: Record<string, unknown> = {}, extra = {}) =>
  res(
    TYPES.cluster,
    "primary",
    { clusterIdentifier: "app-c", globalClusterIdentifier: "app-global", ...over },
    extra,
  );
const lag = (name: string, props: Record<string, unknown>, extra = {}) =>
  res(O.metricAlarm, name, props, extra);
const ours = (id: string) => auroraLagAlarm(id, 1000, "test") as Record<string, unknown>;
const MISSING = (id: string) =>
  `Aurora cluster "${id}" is a global-database member without an alarm on AWS/RDS AuroraGlobalDBRPOLag (or AuroraGlobalDBReplicationLag) for DBClusterIdentifier "${id}".`;

describe("operations policies, branch by branch", () => {
  describe("ops-replication-lag-alarm: Aurora", () => {
    const name = "ops-replication-lag-alarm";
    it("finds the alarm by its own metric or a metric-math query, in the AWS/RDS namespace only", async () => {
      const own = {
        namespace: "AWS/RDS",
        metricName: "AuroraGlobalDBReplicationLag",
        dimensions: { DBClusterIdentifier: "app-c" },
        treatMissingData: "breaching",
      };
      expect(await messages(name, [cluster(), lag("own", own)])).to.deep.equal([
        "Lag alarm own treats missing data as breaching without reading the cluster's WRITER series: once a failover makes this cluster the primary it stops reporting lag and the alarm pages forever.",
      ]);
      expect(await messages(name, [cluster(), lag("ours", ours("app-c"))])).to.deep.equal([]);
      expect(await messages(name, [cluster(), lag("custom", { ...own, namespace: "Custom" })])).to.deep.equal(
        [MISSING("app-c")],
      );
      expect(
        await messages(name, [
          cluster(),
          lag("math", {
            metricQueries: [null, { id: "e", expression: "1" }, { metric: { namespace: "AWS/RDS" } }],
          }),
        ]),
      ).to.deep.equal([MISSING("app-c")]);
    });
    it("follows the alarm's property dependencies on its dimensions or queries when the identifier is unknown", async () => {
      const c = cluster({ clusterIdentifier: UNKNOWN.string });
      const alarm = (key: string) =>
        lag("lag", { ...ours("x"), metricQueries: ours("x").metricQueries }, dep(key, c));
      expect(await messages(name, [c, alarm("metricQueries")])).to.deep.equal([]);
      expect(await messages(name, [c, alarm("dimensions")])).to.deep.equal([]);
      expect(await messages(name, [c, alarm("alarmActions")])).to.deep.equal([MISSING("primary")]);
      expect(await messages(name, [c, lag("lag", ours("x"))])).to.deep.equal([MISSING("primary")]);
    });
    it("wants missing data treated as breaching, gated on this cluster's WRITER series", async () => {
      const found = await findings(name, [
        cluster(),
        lag("lag", { ...ours("app-c"), treatMissingData: undefined }),
      ]);
      expect(found.messages).to.deep.equal([
        "Lag alarm lag treats missing data as missing: a secondary whose replication stopped, or that was detached, reports nothing and would look healthy.",
      ]);
      expect(found.on).to.deep.equal(["lag"]);
      const queries = (writer: Record<string, unknown>) => ({
        ...ours("app-c"),
        metricQueries: [
          {
            id: "lag",
            metric: {
              namespace: "AWS/RDS",
              metricName: "AuroraGlobalDBRPOLag",
              dimensions: { DBClusterIdentifier: "app-c" },
            },
          },
          { id: "writer", metric: { namespace: "AWS/RDS", metricName: "CPUUtilization", ...writer } },
        ],
      });
      const ungated =
        "Lag alarm lag treats missing data as breaching without reading the cluster's WRITER series: once a failover makes this cluster the primary it stops reporting lag and the alarm pages forever.";
      for (const writer of [
        { dimensions: { DBClusterIdentifier: "app-other", Role: "WRITER" } },
        { dimensions: { DBClusterIdentifier: "app-c", Role: "READER" } },
        { dimensions: { DBClusterIdentifier: "app-c", Role: "WRITER" }, namespace: "Custom" },
        { dimensions: { Role: "WRITER" } },
        {},
      ]) {
        expect(
          await messages(name, [cluster(), lag("lag", queries(writer))]),
          JSON.stringify(writer),
        ).to.deep.equal([ungated]);
      }
      // A cluster whose identifier is unknown: any WRITER series of AWS/RDS counts.
      const unknownId = cluster({ clusterIdentifier: UNKNOWN.string });
      expect(
        await messages(name, [
          unknownId,
          lag(
            "lag",
            queries({ dimensions: { DBClusterIdentifier: "app-other", Role: "WRITER" } }),
            dep("metricQueries", unknownId),
          ),
        ]),
      ).to.deep.equal([]);
    });
    it("counts as members the clusters that name a global cluster, by value or dependency, known or not", async () => {
      const global = res(TYPES.globalCluster, "global", { globalClusterIdentifier: "app-global" });
      expect(await messages(name, [cluster({ globalClusterIdentifier: undefined })])).to.deep.equal([]);
      expect(await messages(name, [cluster({ globalClusterIdentifier: "" })])).to.deep.equal([]);
      expect(await messages(name, [cluster({ globalClusterIdentifier: UNKNOWN.string })])).to.deep.equal([
        MISSING("app-c"),
      ]);
      expect(
        await messages(name, [
          global,
          cluster({ globalClusterIdentifier: undefined }, dep("globalClusterIdentifier", global)),
        ]),
      ).to.deep.equal([MISSING("app-c")]);
    });
  });

  describe("ops-replication-lag-alarm: DynamoDB", () => {
    const name = "ops-replication-lag-alarm";
    const latency = (table: string, extra = {}) =>
      lag(
        "dynamo",
        {
          namespace: "AWS/DynamoDB",
          metricName: "ReplicationLatency",
          dimensions: { TableName: table, ReceivingRegion: "ca-central-1" },
        },
        extra,
      );
    const MISSING_TABLE = (t: string) =>
      `DynamoDB table "${t}" is replicated without an alarm on AWS/DynamoDB ReplicationLatency for TableName "${t}".`;
    it("watches a table with replicas or that leaves its replicas to TableReplica resources, and every replica", async () => {
      const withReplicas = res(TYPES.table, "t1", {
        name: "app-t1",
        replicas: [{ regionName: "ca-central-1" }],
      });
      const ignoring = res(TYPES.table, "t2", { name: "app-t2" }, { ignoreChanges: ["replicas"] });
      const single = res(TYPES.table, "t3", { name: "app-t3", replicas: [] });
      const replica = res(TYPES.tableReplica, "r", {
        globalTableArn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/app-t4`,
      });
      const unknownArn = res(TYPES.tableReplica, "r2", { globalTableArn: UNKNOWN.string });
      const found = await findings(name, [
        withReplicas,
        ignoring,
        single,
        replica,
        unknownArn,
        latency("app-t2"),
      ]);
      expect(found.messages).to.deep.equal([
        MISSING_TABLE("app-t1"),
        MISSING_TABLE("app-t4"),
        MISSING_TABLE("r2"),
      ]);
      expect(found.on).to.deep.equal(["t1", "r", "r2"]);
      expect(await messages(name, [unknownArn, latency("x", dep("dimensions", unknownArn))])).to.deep.equal(
        [],
      );
    });
  });

  describe("ops-backup-cross-region-copy", () => {
    const name = "ops-backup-cross-region-copy";
    const VAULT_CA = `arn:aws:backup:ca-central-1:${ACCOUNT}:backup-vault:v`;
    const plan = (planName: string, props: Record<string, unknown>) =>
      res(
        O.backupPlan,
        planName,
        { rules: [{ copyActions: [{ destinationVaultArn: VAULT_CA }] }], ...props },
        { out: { id: `${planName}-id` } },
      );
    const store = res(TYPES.cluster, "c", {}, { out: { arn: "arn:aws:rds:us-east-1:1:cluster:c" } });
    const NO_PLAN =
      "The stack holds data but has no AWS Backup plan with a copy action to a vault in another region.";
    it("is not applicable without a data store", async () => {
      expect((await findings(name, [plan("p", { region: "us-east-1" })])).notApplicable).to.deep.equal([
        "No Aurora cluster or DynamoDB table in this stack",
      ]);
    });
    it("knows the plan's region by its attribute or its ARN, and copies that leave it", async () => {
      const select = (p: string) =>
        res(O.backupSelection, "s", { planId: `${p}-id`, resources: ["arn:aws:rds:us-east-1:1:cluster:c"] });
      expect(await messages(name, [store, plan("p", { region: "us-east-1" }), select("p")])).to.deep.equal(
        [],
      );
      expect(
        await messages(name, [
          store,
          plan("p", { arn: `arn:aws:backup:us-east-1:${ACCOUNT}:backup-plan:p` }),
          select("p"),
        ]),
      ).to.deep.equal([]);
      for (const props of [
        {},
        { region: "ca-central-1" },
        { region: "us-east-1", rules: [{ copyActions: [{}] }, {}] },
        { region: "us-east-1", rules: UNKNOWN.array },
      ]) {
        expect(
          await messages(name, [store, plan("p", props), select("p")]),
          JSON.stringify(props),
        ).to.deep.equal([NO_PLAN]);
      }
    });
    it("names each store no selection of such a plan covers, with its ARN when known", async () => {
      const table = res(TYPES.table, "t", {});
      const replica = res(
        TYPES.tableReplica,
        "r",
        {},
        { out: { arn: "arn:aws:dynamodb:us-east-1:1:table/r" } },
      );
      const local = res(
        O.backupPlan,
        "local",
        { region: "us-east-1", rules: [] },
        { out: { id: "local-id" } },
      );
      const found = await findings(name, [
        store,
        table,
        replica,
        plan("p", { region: "us-east-1" }),
        local,
        res(O.backupSelection, "of-local", {
          planId: "local-id",
          resources: ["arn:aws:rds:us-east-1:1:cluster:c"],
        }),
        res(O.backupSelection, "of-p", {
          planId: "p-id",
          resources: ["arn:aws:dynamodb:us-east-1:1:table/r"],
        }),
      ]);
      expect(found.messages).to.deep.equal([
        'Cluster "c" (arn:aws:rds:us-east-1:1:cluster:c) is not in any backup selection of a plan with a cross-region copy.',
        'Table "t" is not in any backup selection of a plan with a cross-region copy.',
      ]);
      expect(found.on).to.deep.equal(["c", "t"]);
    });
  });

  describe("backup-vault-notifications-supported-events", () => {
    const name = "backup-vault-notifications-supported-events";
    const notifications = (events?: string[]) =>
      res(O.vaultNotifications, "n", { backupVaultName: "v", snsTopicArn: "t", backupVaultEvents: events });
    it("accepts every event AWS Backup still sends", async () => {
      for (const event of [
        "BACKUP_JOB_STARTED",
        "BACKUP_JOB_COMPLETED",
        "COPY_JOB_STARTED",
        "COPY_JOB_SUCCESSFUL",
        "COPY_JOB_FAILED",
        "RESTORE_JOB_STARTED",
        "RESTORE_JOB_COMPLETED",
        "RECOVERY_POINT_MODIFIED",
        "S3_BACKUP_OBJECT_FAILED",
        "S3_RESTORE_OBJECT_FAILED",
      ]) {
        expect(await messages(name, [notifications([event])]), event).to.deep.equal([]);
      }
    });
    it("names the deprecated ones, and a subscription to nothing", async () => {
      expect(
        await messages(name, [notifications(["BACKUP_JOB_FAILED", "RESTORE_JOB_FAILED", "COPY_JOB_FAILED"])]),
      ).to.deep.equal([
        "BACKUP_JOB_FAILED, RESTORE_JOB_FAILED: deprecated or unknown; AWS Backup never sends them.",
      ]);
      expect(await messages(name, [notifications()])).to.deep.equal([
        "No supported event: the vault notifies nobody.",
      ]);
    });
  });

  describe("ops-backup-failures-notified", () => {
    const name = "ops-backup-failures-notified";
    const plan = res(O.backupPlan, "plan", { rules: [] });
    const rule = (pattern: unknown, ruleName = "r") =>
      res(O.eventRule, "rule", {
        name: ruleName,
        eventPattern: typeof pattern === "string" ? pattern : JSON.stringify(pattern),
      });
    const target = (ruleName: string, extra = {}) =>
      res(O.eventTarget, "target", { rule: ruleName, arn: "t" }, extra);
    const ALL_MISSING = [
      'No EventBridge rule with a target matches AWS Backup "Backup Job State Change" events in state FAILED.',
      'No EventBridge rule with a target matches AWS Backup "Backup Job State Change" events in state ABORTED.',
      'No EventBridge rule with a target matches AWS Backup "Backup Job State Change" events in state EXPIRED.',
      'No EventBridge rule with a target matches AWS Backup "Copy Job State Change" events in state FAILED.',
    ];
    it("reads a pattern's source, detail types and states; absent ones match everything", async () => {
      expect(await messages(name, [plan, rule(FAILED_JOBS_PATTERN), target("r")])).to.deep.equal([]);
      expect(await messages(name, [plan, rule({ source: ["aws.backup"] }), target("r")])).to.deep.equal([]);
      expect(
        await messages(name, [plan, rule({ source: ["aws.backup"], detail: {} }), target("r")]),
      ).to.deep.equal([]);
      expect(
        await messages(name, [
          plan,
          rule({ source: ["aws.backup"], "detail-type": ["Copy Job State Change"] }),
          target("r"),
        ]),
      ).to.deep.equal(ALL_MISSING.slice(0, 3));
      expect(
        await messages(name, [
          plan,
          rule({ source: ["aws.backup"], detail: { state: ["FAILED"] } }),
          target("r"),
        ]),
      ).to.deep.equal(ALL_MISSING.slice(1, 3));
      for (const pattern of [{ source: ["aws.ec2"] }, {}, "{", UNKNOWN.string]) {
        expect(
          await messages(name, [plan, rule(pattern), target("r")]),
          JSON.stringify(pattern),
        ).to.deep.equal(ALL_MISSING);
      }
    });
    it("links a target to its rule by reference or by the rule's name", async () => {
      const r = rule(FAILED_JOBS_PATTERN, UNKNOWN.string);
      expect(await messages(name, [plan, r, target("x", dep("rule", r))])).to.deep.equal([]);
      expect(await messages(name, [plan, r, target("x")])).to.deep.equal(ALL_MISSING);
      expect(await messages(name, [plan, rule(FAILED_JOBS_PATTERN, "r"), target("other")])).to.deep.equal(
        ALL_MISSING,
      );
    });
    it("finds each vault's notifications by reference or by its name", async () => {
      const ok = [rule(FAILED_JOBS_PATTERN), target("r")];
      const vault = (vaultName: unknown) => res(O.backupVault, "vault", { name: vaultName });
      const notify = (vaultName: string, extra = {}) =>
        res(
          O.vaultNotifications,
          "n",
          { backupVaultName: vaultName, snsTopicArn: "t", backupVaultEvents: ["COPY_JOB_FAILED"] },
          extra,
        );
      expect(await messages(name, [plan, ...ok, vault("v"), notify("v")])).to.deep.equal([]);
      const later = vault(UNKNOWN.string);
      expect(
        await messages(name, [plan, ...ok, later, notify("x", dep("backupVaultName", later))]),
      ).to.deep.equal([]);
      const found = await findings(name, [plan, ...ok, later, notify("x")]);
      expect(found.messages).to.deep.equal(["Backup vault vault has no vault notifications."]);
      expect(found.on).to.deep.equal(["vault"]);
    });
  });

  describe("ops-topic-allows-service-publishers", () => {
    const name = "ops-topic-allows-service-publishers";
    const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:ops`;
    const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k`;
    const topic = (over: Record<string, unknown> = {}) =>
      res(O.topic, "ops", { arn: TOPIC, kmsMasterKeyId: KEY, ...over });
    const topicPolicy = (policy: unknown) =>
      res(O.topicPolicy, "ops-policy", {
        arn: TOPIC,
        policy: typeof policy === "string" ? policy : JSON.stringify(policy),
      });
    const key = (policy: unknown) =>
      res(TYPES.kmsKey, "ops-key", {
        arn: KEY,
        policy: typeof policy === "string" ? policy : JSON.stringify(policy),
      });
    const notify = res(O.vaultNotifications, "n", {
      backupVaultName: "v",
      snsTopicArn: TOPIC,
      backupVaultEvents: ["COPY_JOB_FAILED"],
    });
    const toTopic = res(O.eventTarget, "to-ops", { rule: "r", arn: TOPIC });
    const goodTopicPolicy = opsTopicPolicy("aws", ACCOUNT, "us-east-1", TOPIC, ["backup", "events"]);
    const goodKeyPolicy = opsKeyPolicy("aws", ACCOUNT, ["backup", "events"]);
    it("checks only publishers to a topic of this stack", async () => {
      const elsewhere = res(O.vaultNotifications, "n", {
        backupVaultName: "v",
        snsTopicArn: "arn:aws:sns:us-east-1:1:other",
        backupVaultEvents: [],
      });
      expect((await findings(name, [topic(), elsewhere])).notApplicable).to.deep.equal([
        "No vault notification or EventBridge target publishes to a topic of this stack",
      ]);
      expect(
        await messages(name, [topic(), topicPolicy(goodTopicPolicy), key(goodKeyPolicy), notify, toTopic]),
      ).to.deep.equal([]);
    });
    it("names the topic and publisher without a grant, and skips a topic policy unknown during preview", async () => {
      const found = await findings(name, [topic({ kmsMasterKeyId: undefined }), notify, toTopic]);
      expect(found.messages).to.deep.equal([
        "Topic ops has no topic policy letting backup.amazonaws.com publish (for n).",
        "Topic ops has no topic policy letting events.amazonaws.com publish (for to-ops).",
      ]);
      expect(found.on).to.deep.equal(["ops", "ops"]);
      expect(
        await messages(name, [topic({ kmsMasterKeyId: undefined }), topicPolicy(UNKNOWN.string), notify]),
      ).to.deep.equal([]);
    });
    it("wants EventBridge's grant scoped by aws:SourceArn", async () => {
      const doc = JSON.parse(JSON.stringify(goodTopicPolicy)) as {
        Statement: { Condition?: unknown; Principal?: { Service?: string } }[];
      };
      for (const s of doc.Statement) if (s.Principal?.Service === "events.amazonaws.com") delete s.Condition;
      expect(
        await messages(name, [topic({ kmsMasterKeyId: undefined }), topicPolicy(doc), toTopic, notify]),
      ).to.deep.equal([
        "Topic ops lets events.amazonaws.com publish without an aws:SourceArn condition: any account's rule could.",
      ]);
    });
    it("checks the topic's key when it is a key of this stack whose policy is known", async () => {
      const base = [topic(), topicPolicy(goodTopicPolicy), notify];
      expect(await messages(name, base)).to.deep.equal([]);
      expect(await messages(name, [...base, key(UNKNOWN.string)])).to.deep.equal([]);
      const found = await findings(name, [...base, key({ Statement: [] })]);
      expect(found.messages).to.deep.equal([
        "Key ops-key of topic ops does not let backup.amazonaws.com use it (kms:GenerateDataKey*, kms:Decrypt).",
      ]);
      expect(found.on).to.deep.equal(["ops-key"]);
    });
  });
});

describe("ops-replication-lag-alarm during preview", () => {
  it("runs when the alarm's cluster dimensions are unknown and its dependencies name the cluster", async () => {
    const c = res(TYPES.cluster, "primary", {
      clusterIdentifier: "app-c",
      globalClusterIdentifier: "app-global",
    });
    const alarm = auroraLagAlarm(UNKNOWN.string, 1000, "test") as Record<string, unknown>;
    expect(
      await messages("ops-replication-lag-alarm", [
        c,
        res(O.metricAlarm, "lag", alarm, dep("metricQueries", c)),
      ]),
    ).to.deep.equal([]);
    // Without the dependency nothing ties the alarm to the cluster.
    expect(await messages("ops-replication-lag-alarm", [c, res(O.metricAlarm, "lag", alarm)])).to.deep.equal([
      'Aurora cluster "app-c" is a global-database member without an alarm on AWS/RDS AuroraGlobalDBRPOLag (or AuroraGlobalDBReplicationLag) for DBClusterIdentifier "app-c".',
    ]);
  });
});
