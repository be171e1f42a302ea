/**
 * The data tier's policies (policy/rules/data.ts), condition by condition, both ways, with the exact
 * message: customer managed keys (an AWS managed alias, by name or ARN, does not count; a key unknown
 * during preview is the program's), deletion protection, backups, rotation and engine version drift.
 */
import { expect } from "chai";
import { TYPES } from "../policy/rules/common";
import { UNKNOWN } from "../policy/runner";
import { dep, findings, messages, res } from "./policyHelpers";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const managedAlias = (service: string) => [
  `alias/aws/${service}`,
  `arn:aws:kms:us-east-1:123456789012:alias/aws/${service}`,
];

const cluster = (over: Record<string, unknown> = {}, extra = {}) =>
  res(
    TYPES.cluster,
    "data-cluster",
    {
      globalClusterIdentifier: "app-global",
      storageEncrypted: true,
      kmsKeyId: KEY,
      deletionProtection: true,
      skipFinalSnapshot: false,
      backupRetentionPeriod: 7,
      iamDatabaseAuthenticationEnabled: true,
      ...over,
    },
    extra,
  );
const instance = (over: Record<string, unknown> = {}) =>
  res(TYPES.clusterInstance, "writer", {
    publiclyAccessible: false,
    performanceInsightsEnabled: true,
    performanceInsightsKmsKeyId: KEY,
    ...over,
  });
const table = (over: Record<string, unknown> = {}) =>
  res(TYPES.table, "data-table", {
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true, kmsKeyArn: KEY },
    deletionProtectionEnabled: true,
    ...over,
  });
const replica = (over: Record<string, unknown> = {}) =>
  res(TYPES.tableReplica, "data-replica", {
    kmsKeyArn: KEY,
    pointInTimeRecovery: true,
    deletionProtectionEnabled: true,
    ...over,
  });
const secret = (over: Record<string, unknown> = {}) =>
  res(TYPES.secret, "db-secret", { kmsKeyId: KEY, ...over });

describe("data policies", () => {
  describe("Aurora", () => {
    it("aurora-encrypted-with-cmk: storage encrypted and a key, each on its own (storageEncrypted false with a key fails)", async () => {
      const name = "aurora-encrypted-with-cmk";
      expect(await messages(name, [cluster()])).to.deep.equal([]);
      expect(await messages(name, [cluster({ storageEncrypted: false })])).to.deep.equal([
        "storageEncrypted is not true.",
      ]);
      expect(await messages(name, [cluster({ storageEncrypted: undefined })])).to.deep.equal([
        "storageEncrypted is not true.",
      ]);
      expect(await messages(name, [cluster({ kmsKeyId: undefined })])).to.deep.equal([
        "No kmsKeyId: storage would use the AWS managed aws/rds key.",
      ]);
      expect(await messages(name, [cluster({ storageEncrypted: false, kmsKeyId: undefined })])).to.deep.equal(
        ["storageEncrypted is not true.", "No kmsKeyId: storage would use the AWS managed aws/rds key."],
      );
    });
    it("aurora-deletion-protection: protection on and a final snapshot", async () => {
      const name = "aurora-deletion-protection";
      expect(await messages(name, [cluster({ skipFinalSnapshot: undefined })])).to.deep.equal([]);
      expect(
        await messages(name, [cluster({ deletionProtection: undefined, skipFinalSnapshot: true })]),
      ).to.deep.equal(["deletionProtection is not true.", "skipFinalSnapshot is true."]);
    });
    it("aurora-backup-retention: 7 days by default (AWS keeps 1 when unset), or its config", async () => {
      const name = "aurora-backup-retention";
      expect(await messages(name, [cluster({ backupRetentionPeriod: 6 })])).to.deep.equal([
        "backupRetentionPeriod is 6; at least 7.",
      ]);
      expect(await messages(name, [cluster({ backupRetentionPeriod: undefined })])).to.deep.equal([
        "backupRetentionPeriod is 1; at least 7.",
      ]);
      expect(
        await messages(name, [cluster({ backupRetentionPeriod: 6 })], { config: { minRetentionDays: 6 } }),
      ).to.deep.equal([]);
    });
    it("aurora-iam-authentication and aurora-instance-not-public", async () => {
      expect(
        await messages("aurora-iam-authentication", [cluster({ iamDatabaseAuthenticationEnabled: false })]),
      ).to.deep.equal(["IAM database authentication is off."]);
      expect(
        await messages("aurora-instance-not-public", [instance({ publiclyAccessible: true })]),
      ).to.deep.equal(["publiclyAccessible is true."]);
      expect(
        await messages("aurora-instance-not-public", [instance({ publiclyAccessible: undefined })]),
      ).to.deep.equal([]);
    });
    it("aurora-performance-insights-cmk: a key of ours when Performance Insights is on", async () => {
      const name = "aurora-performance-insights-cmk";
      const off = await findings(name, [
        instance({ performanceInsightsEnabled: false, performanceInsightsKmsKeyId: undefined }),
      ]);
      expect([off.messages, off.notApplicable]).to.deep.equal([[], ["Performance Insights is off"]]);
      for (const key of [KEY, "alias/app", UNKNOWN.string]) {
        expect(await messages(name, [instance({ performanceInsightsKmsKeyId: key })]), key).to.deep.equal([]);
      }
      for (const key of [undefined, ...managedAlias("rds")]) {
        expect(await messages(name, [instance({ performanceInsightsKmsKeyId: key })]), key).to.deep.equal([
          "Performance Insights uses the AWS managed key.",
        ]);
      }
    });
    it("aurora-global-cluster-encrypted: encrypted, or made from an (encrypted) cluster", async () => {
      const name = "aurora-global-cluster-encrypted";
      const global = (over: Record<string, unknown>) =>
        res(TYPES.globalCluster, "global", { globalClusterIdentifier: "g", ...over });
      expect(await messages(name, [global({ sourceDbClusterIdentifier: "arn:cluster" })])).to.deep.equal([]);
      expect(await messages(name, [global({ storageEncrypted: false })])).to.deep.equal([
        "storageEncrypted is not true.",
      ]);
    });
    it("aurora-engine-version-drift-ignored: the global cluster and its members, by id or property dependency", async () => {
      const name = "aurora-engine-version-drift-ignored";
      const plain = cluster({ globalClusterIdentifier: undefined });
      expect((await findings(name, [plain])).notApplicable).to.deep.equal([
        "No Aurora global cluster or member",
      ]);
      const global = res(TYPES.globalCluster, "global", { globalClusterIdentifier: "g" });
      const member = res(
        TYPES.cluster,
        "member",
        { globalClusterIdentifier: UNKNOWN.string },
        dep("globalClusterIdentifier", global),
      );
      const byDependency = res(TYPES.cluster, "linked", {}, dep("globalClusterIdentifier", global));
      const ignoring = res(
        TYPES.cluster,
        "ignoring",
        { globalClusterIdentifier: "g" },
        { ignoreChanges: ["engineVersion"] },
      );
      const found = await findings(name, [global, member, byDependency, ignoring, plain]);
      const why = "does not ignore engineVersion: an AWS-applied minor version would be planned back.";
      expect(found.messages).to.deep.equal([
        `GlobalCluster global ${why}`,
        `Cluster member ${why}`,
        `Cluster linked ${why}`,
      ]);
      expect(found.on).to.deep.equal(["global", "member", "linked"]);
    });
  });

  describe("DynamoDB", () => {
    it("point-in-time recovery and deletion protection on the table and the replica", async () => {
      for (const pointInTimeRecovery of [undefined, { enabled: false }]) {
        expect(await messages("dynamodb-table-pitr", [table({ pointInTimeRecovery })])).to.deep.equal([
          "Point-in-time recovery is off.",
        ]);
      }
      expect(
        await messages("dynamodb-replica-pitr", [replica({ pointInTimeRecovery: undefined })]),
      ).to.deep.equal(["Point-in-time recovery is off."]);
      expect(
        await messages("dynamodb-table-deletion-protection", [
          table({ deletionProtectionEnabled: undefined }),
        ]),
      ).to.deep.equal(["deletionProtectionEnabled is not true."]);
      expect(
        await messages("dynamodb-replica-deletion-protection", [
          replica({ deletionProtectionEnabled: false }),
        ]),
      ).to.deep.equal(["deletionProtectionEnabled is not true."]);
    });
    it("dynamodb-table-cmk: encryption enabled with a key of ours", async () => {
      const name = "dynamodb-table-cmk";
      const wrong = "Server-side encryption does not use a customer managed key.";
      expect(
        await messages(name, [table({ serverSideEncryption: { enabled: true, kmsKeyArn: UNKNOWN.string } })]),
      ).to.deep.equal([]);
      for (const serverSideEncryption of [
        undefined,
        { enabled: false, kmsKeyArn: KEY },
        { enabled: true },
        ...managedAlias("dynamodb").map((kmsKeyArn) => ({ enabled: true, kmsKeyArn })),
      ]) {
        expect(
          await messages(name, [table({ serverSideEncryption })]),
          JSON.stringify(serverSideEncryption),
        ).to.deep.equal([wrong]);
      }
    });
    it("dynamodb-replica-cmk: a key of ours in the replica's region", async () => {
      for (const kmsKeyArn of [undefined, ...managedAlias("dynamodb")]) {
        expect(await messages("dynamodb-replica-cmk", [replica({ kmsKeyArn })]), kmsKeyArn).to.deep.equal([
          "No customer managed kmsKeyArn.",
        ]);
      }
      expect(await messages("dynamodb-replica-cmk", [replica({ kmsKeyArn: UNKNOWN.string })])).to.deep.equal(
        [],
      );
    });
  });

  describe("keys, topics and secrets", () => {
    it("kms-key-rotation: symmetric encryption keys rotate; other keys cannot", async () => {
      const name = "kms-key-rotation";
      const key = (over: Record<string, unknown>) => res(TYPES.kmsKey, "key", over);
      expect(
        await messages(name, [key({ enableKeyRotation: true, customerMasterKeySpec: "SYMMETRIC_DEFAULT" })]),
      ).to.deep.equal([]);
      for (const over of [{}, { enableKeyRotation: false, keyUsage: "ENCRYPT_DECRYPT" }]) {
        expect(await messages(name, [key(over)])).to.deep.equal(["Automatic rotation is off."]);
      }
      for (const over of [
        { customerMasterKeySpec: "RSA_2048" },
        { keyUsage: "SIGN_VERIFY" },
        { customerMasterKeySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" },
      ]) {
        const found = await findings(name, [key(over)]);
        expect([found.messages, found.notApplicable], JSON.stringify(over)).to.deep.equal([
          [],
          ["Only symmetric encryption keys can rotate automatically"],
        ]);
      }
    });
    it("sns-topic-encrypted: a key of ours", async () => {
      for (const kmsMasterKeyId of [undefined, ...managedAlias("sns")]) {
        expect(
          await messages("sns-topic-encrypted", [res("aws:sns/topic:Topic", "t", { kmsMasterKeyId })]),
        ).to.deep.equal(["The topic is not encrypted with a customer managed key."]);
      }
    });
    it("secret-cmk: the secret and each replica on a key of ours, naming the replica's region", async () => {
      const name = "secret-cmk";
      for (const kmsKeyId of [undefined, ...managedAlias("secretsmanager")]) {
        expect(await messages(name, [secret({ kmsKeyId })]), kmsKeyId).to.deep.equal([
          "No customer managed kmsKeyId.",
        ]);
      }
      expect(
        await messages(name, [
          secret({
            replicas: [
              { region: "ca-central-1", kmsKeyId: KEY },
              { region: "eu-west-1" },
              { kmsKeyId: "alias/aws/secretsmanager" },
              { region: "us-west-2", kmsKeyId: UNKNOWN.string },
            ],
          }),
        ]),
      ).to.deep.equal([
        "Replica in eu-west-1 has no customer managed kmsKeyId.",
        "Replica in ? has no customer managed kmsKeyId.",
      ]);
    });
    it("secret-recovery-window: never 0", async () => {
      expect(await messages("secret-recovery-window", [secret({ recoveryWindowInDays: 0 })])).to.deep.equal([
        "recoveryWindowInDays is 0 (immediate deletion).",
      ]);
      expect(await messages("secret-recovery-window", [secret({ recoveryWindowInDays: 7 })])).to.deep.equal(
        [],
      );
    });
  });
});
