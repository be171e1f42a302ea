/**
 * The log-group encryption policies, condition by condition, both ways, on hand-built resources; the
 * key policy they accept is the one components/regionKey.ts writes.
 */
import { expect } from "chai";
import { regionKeyPolicy } from "../components/regionKey";
import { policies } from "../policy/policies";
import { runPolicies, RunnerResource, UNKNOWN } from "../policy/runner";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const find = (name: string) => policies.find((p) => p.name === name)!;

function res(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  deps: Record<string, string[]> = {},
) {
  const r: RunnerResource = {
    urn: `urn:pulumi:test::p::${type}::${name}`,
    type,
    name,
    inputs,
    outputs: inputs,
    propertyDependencies: deps,
  };
  return r;
}
const key = (policy: unknown) =>
  res("aws:kms/key:Key", "data-key", {
    arn: KEY_ARN,
    region: "us-east-1",
    policy: typeof policy === "string" ? policy : JSON.stringify(policy),
  });
const logGroup = (k: RunnerResource | undefined, extra: Record<string, unknown> = {}) =>
  res(
    "aws:cloudwatch/logGroup:LogGroup",
    "flow-logs",
    { region: "us-east-1", retentionInDays: 90, ...(k ? { kmsKeyId: KEY_ARN } : {}), ...extra },
    k ? { kmsKeyId: [k.urn] } : {},
  );

async function messages(name: string, resources: RunnerResource[]): Promise<string[]> {
  const result = await runPolicies([find(name)], resources);
  return result.violations.map((v) => v.message.split("\n").slice(1).join(" "));
}

type Doc = { Statement: Record<string, unknown>[] };
const ours = () => regionKeyPolicy("aws", "123456789012", "us-east-1") as Doc;

describe("policy log-group-encrypted-with-cmk", () => {
  it("passes a log group with a kmsKeyId, even one unknown during preview", async () => {
    expect(await messages("log-group-encrypted-with-cmk", [logGroup(key(ours()))])).to.deep.equal([]);
    expect(
      await messages("log-group-encrypted-with-cmk", [logGroup(undefined, { kmsKeyId: UNKNOWN.string })]),
    ).to.deep.equal([]);
  });
  it("flags a log group on CloudWatch Logs' own key", async () => {
    expect(await messages("log-group-encrypted-with-cmk", [logGroup(undefined)])).to.deep.equal([
      "No kmsKeyId: the log group uses CloudWatch Logs' own key.",
    ]);
  });
});

describe("policy log-group-key-allows-cloudwatch-logs", () => {
  const policy = "log-group-key-allows-cloudwatch-logs";

  it("passes the region key's policy (logs.<region> scoped by the encryption context)", async () => {
    const k = key(ours());
    expect(await messages(policy, [k, logGroup(k)])).to.deep.equal([]);
  });

  it("flags a key without a statement for CloudWatch Logs", async () => {
    const doc = ours();
    const k = key({ ...doc, Statement: [doc.Statement[0]] });
    expect(await messages(policy, [k, logGroup(k)])).to.deep.equal([
      "Key data-key encrypts log group flow-logs but its policy does not let logs.us-east-1.amazonaws.com use it (kms:Encrypt, kms:Decrypt, kms:ReEncryptFrom, kms:GenerateDataKey).",
    ]);
  });

  it("flags a statement for another region's CloudWatch Logs, or without GenerateDataKey", async () => {
    const other = key(regionKeyPolicy("aws", "123456789012", "ca-central-1"));
    expect(await messages(policy, [other, logGroup(other)])).to.have.length(1);
    const doc = ours();
    doc.Statement[1] = { ...doc.Statement[1], Action: ["kms:Encrypt*", "kms:Decrypt*"] };
    const partial = key(doc);
    expect(await messages(policy, [partial, logGroup(partial)])).to.have.length(1);
  });

  it("flags a statement without the encryption-context condition", async () => {
    const doc = ours();
    delete doc.Statement[1].Condition;
    const k = key(doc);
    expect((await messages(policy, [k, logGroup(k)]))[0]).to.contain(
      "without a kms:EncryptionContext:aws:logs:arn condition",
    );
  });

  it("is not applicable without an encrypted log group, and skips keys of other stacks", async () => {
    const result = await runPolicies([find(policy)], [key(ours()), logGroup(undefined)]);
    expect(result.notApplicable.map((n) => n.reason)).to.deep.equal(["No log group with a kmsKeyId"]);
    expect(await messages(policy, [logGroup(undefined, { kmsKeyId: KEY_ARN })])).to.deep.equal([]);
  });
});

describe("policy log-group-key-allows-cloudwatch-logs, exactly", () => {
  const policy = "log-group-key-allows-cloudwatch-logs";
  const noRegion = (k: RunnerResource, over: Record<string, unknown> = {}) => {
    const inputs = { ...k.inputs, ...over };
    delete inputs.region;
    return { ...k, inputs, outputs: inputs };
  };

  it("takes the region from the log group, else from its key, else says <region>", async () => {
    const caKey = key(regionKeyPolicy("aws", "123456789012", "ca-central-1"));
    const caGroup = (k: RunnerResource) => noRegion(logGroup(k));
    expect(
      await messages(policy, [
        {
          ...caKey,
          inputs: { ...caKey.inputs, region: "ca-central-1" },
          outputs: { ...caKey.inputs, region: "ca-central-1" },
        },
        caGroup(caKey),
      ]),
    ).to.deep.equal([]);
    const bare = noRegion(key(ours()), { arn: "arn:aws:kms:::key/1" });
    expect(await messages(policy, [bare, noRegion(logGroup(bare))])).to.deep.equal([
      "Key data-key encrypts log group flow-logs but its policy does not let logs.<region>.amazonaws.com use it (kms:Encrypt, kms:Decrypt, kms:ReEncryptFrom, kms:GenerateDataKey).",
    ]);
  });

  it("skips a key whose policy is unknown during preview, but not a key without a policy", async () => {
    const later = key(UNKNOWN.string);
    expect(await messages(policy, [later, logGroup(later)])).to.deep.equal([]);
    const none = key(ours());
    delete none.inputs.policy;
    expect(await messages(policy, [none, logGroup(none)])).to.deep.equal([
      "Key data-key encrypts log group flow-logs but its policy does not let logs.us-east-1.amazonaws.com use it (kms:Encrypt, kms:Decrypt, kms:ReEncryptFrom, kms:GenerateDataKey).",
    ]);
  });

  it("accepts the context condition on any one of the granting statements", async () => {
    const doc = ours();
    const grant = doc.Statement[1];
    doc.Statement.push({ ...grant, Sid: "Unscoped", Condition: undefined });
    const k = key(doc);
    expect(await messages(policy, [k, logGroup(k)])).to.deep.equal([]);
    delete grant.Condition;
    expect(await messages(policy, [key(doc), logGroup(key(doc))])).to.deep.equal([
      "Key data-key lets logs.us-east-1.amazonaws.com use it without a kms:EncryptionContext:aws:logs:arn condition: any account's log group in the region could.",
    ]);
  });
});
