/**
 * The backup-notification policies, condition by condition, both ways, on hand-built resources
 * shaped like what the engine passes (stack policies: outputs; resource policies: inputs). The
 * compliant shapes are the ones components/backups.ts and components/notificationTopic.ts write.
 */
import { expect } from "chai";
import { FAILED_JOBS_PATTERN, VAULT_EVENTS } from "../components/backups";
import { opsKeyPolicy, opsTopicPolicy } from "../components/notificationTopic";
import { policies } from "../policy/policies";
import { runPolicies, RunnerResource } from "../policy/runner";

const ACCOUNT = "123456789012";
const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:ops-ops`;
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const find = (name: string) => policies.find((p) => p.name === name)!;

function res(type: string, name: string, props: Record<string, unknown>): RunnerResource {
  return { urn: `urn:pulumi:test::p::${type}::${name}`, type, name, inputs: props, outputs: props };
}
const vault = () => res("aws:backup/vault:Vault", "vault", { name: "app-us-east-1" });
const plan = () => res("aws:backup/plan:Plan", "plan", { id: "plan-1", rules: [] });
const notifications = (events: string[] = VAULT_EVENTS) =>
  res("aws:backup/vaultNotifications:VaultNotifications", "notifications", {
    backupVaultName: "app-us-east-1",
    snsTopicArn: TOPIC_ARN,
    backupVaultEvents: events,
  });
const rule = (pattern: object = FAILED_JOBS_PATTERN) =>
  res("aws:cloudwatch/eventRule:EventRule", "failed-jobs", {
    name: "failed-jobs-1234",
    eventPattern: JSON.stringify(pattern),
  });
const target = () =>
  res("aws:cloudwatch/eventTarget:EventTarget", "to-ops", { rule: "failed-jobs-1234", arn: TOPIC_ARN });
const topic = () => res("aws:sns/topic:Topic", "ops", { arn: TOPIC_ARN, kmsMasterKeyId: KEY_ARN });
const topicPolicy = (doc: object) =>
  res("aws:sns/topicPolicy:TopicPolicy", "ops-policy", { arn: TOPIC_ARN, policy: JSON.stringify(doc) });
const key = (doc: object) => res("aws:kms/key:Key", "ops-key", { arn: KEY_ARN, policy: JSON.stringify(doc) });
type Doc = { Statement: Record<string, unknown>[] };
const ourTopicPolicy = () =>
  opsTopicPolicy("aws", ACCOUNT, "us-east-1", TOPIC_ARN, ["backup", "events"]) as Doc;
const ourKeyPolicy = () => opsKeyPolicy("aws", ACCOUNT, ["backup", "events"]) as Doc;

async function messages(name: string, resources: RunnerResource[]): Promise<string[]> {
  const result = await runPolicies([find(name)], resources);
  return result.violations.map((v) => v.message.split("\n").slice(1).join(" "));
}

describe("policy backup-vault-notifications-supported-events", () => {
  const policy = "backup-vault-notifications-supported-events";
  it("passes the events the component subscribes to", async () => {
    expect(await messages(policy, [notifications()])).to.deep.equal([]);
  });
  it("flags a deprecated event, which AWS Backup never sends", async () => {
    expect(await messages(policy, [notifications(["BACKUP_JOB_FAILED", "COPY_JOB_FAILED"])])).to.deep.equal([
      "BACKUP_JOB_FAILED: deprecated or unknown; AWS Backup never sends it.",
    ]);
  });
  it("flags a subscription to nothing that fires", async () => {
    const found = await messages(policy, [notifications(["BACKUP_JOB_FAILED"])]);
    expect(found).to.include("No supported event: the vault notifies nobody.");
  });
});

describe("policy ops-backup-failures-notified", () => {
  const policy = "ops-backup-failures-notified";
  const complete = () => [plan(), vault(), notifications(), rule(), target()];

  it("passes the component's rule, target and vault notifications", async () => {
    expect(await messages(policy, complete())).to.deep.equal([]);
  });
  it("flags a plan without a failed-job rule, naming each state it misses", async () => {
    const found = await messages(policy, [plan(), vault(), notifications()]);
    expect(found).to.have.length(4);
    expect(found[0]).to.equal(
      'No EventBridge rule with a target matches AWS Backup "Backup Job State Change" events in state FAILED.',
    );
  });
  it("flags a rule that misses aborted and expired jobs and failed copies", async () => {
    const narrow = rule({
      source: ["aws.backup"],
      "detail-type": ["Backup Job State Change"],
      detail: { state: ["FAILED"] },
    });
    expect(await messages(policy, [plan(), vault(), notifications(), narrow, target()])).to.have.length(3);
  });
  it("flags a rule without a target", async () => {
    expect(await messages(policy, [plan(), vault(), notifications(), rule()])).to.have.length(4);
  });
  it("flags a vault without notifications", async () => {
    expect(await messages(policy, [plan(), vault(), rule(), target()])).to.deep.equal([
      "Backup vault vault has no vault notifications.",
    ]);
  });
  it("does not apply without a backup plan", async () => {
    const result = await runPolicies([find(policy)], [vault()]);
    expect(result.notApplicable.map((n) => n.reason)).to.deep.equal(["No backup plan"]);
  });
});

describe("policy ops-topic-allows-service-publishers", () => {
  const policy = "ops-topic-allows-service-publishers";
  const publishers = () => [notifications(), rule(), target()];

  it("passes the ops topic's own topic and key policies", async () => {
    expect(
      await messages(policy, [...publishers(), topic(), topicPolicy(ourTopicPolicy()), key(ourKeyPolicy())]),
    ).to.deep.equal([]);
  });
  it("flags a topic with no topic policy for the publishers (the default policy lets neither in)", async () => {
    const found = await messages(policy, [...publishers(), topic(), key(ourKeyPolicy())]);
    expect(found).to.deep.equal([
      "Topic ops has no topic policy letting backup.amazonaws.com publish (for notifications).",
      "Topic ops has no topic policy letting events.amazonaws.com publish (for to-ops).",
    ]);
  });
  it("flags EventBridge allowed to publish without an aws:SourceArn condition", async () => {
    const doc = ourTopicPolicy();
    for (const statement of doc.Statement) delete statement.Condition;
    const found = await messages(policy, [...publishers(), topic(), topicPolicy(doc), key(ourKeyPolicy())]);
    expect(found).to.deep.equal([
      "Topic ops lets events.amazonaws.com publish without an aws:SourceArn condition: any account's rule could.",
    ]);
  });
  it("flags a topic key that only CloudWatch may use", async () => {
    const found = await messages(policy, [
      ...publishers(),
      topic(),
      topicPolicy(ourTopicPolicy()),
      key(opsKeyPolicy("aws", ACCOUNT)),
    ]);
    expect(found).to.have.length(2);
    expect(found[0]).to.contain("does not let backup.amazonaws.com use it");
  });
  it("does not apply when nothing publishes to a topic of the stack", async () => {
    const result = await runPolicies([find(policy)], [topic()]);
    expect(result.violations).to.deep.equal([]);
    expect(result.notApplicable).to.have.length(1);
  });
});
