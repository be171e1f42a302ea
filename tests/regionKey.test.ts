/**
 * RegionKey: the region's data key, its alias and its policy (the account through IAM, and
 * CloudWatch Logs of this region for this account's log groups only).
 */
import { expect } from "chai";
import { RegionKey, regionKeyPolicy } from "../components/regionKey";
import { runProgram, StackRun } from "../tools/mocks";
import { dependsOn, one } from "./helpers";

interface Statement {
  Sid: string;
  Effect: string;
  Principal: { AWS?: string; Service?: string };
  Action: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

function run(region: string, protect?: boolean): Promise<StackRun> {
  return runProgram(
    () => {
      const key = new RegionKey("data", { region, protect });
      return { keyArn: key.keyArn };
    },
    { stack: region, config: { "aws:region": region } },
  );
}

describe("RegionKey", () => {
  it("creates a rotating, protected key with the data alias, in the stack's region", async () => {
    const r = await run("ca-central-1");
    const key = one(r, "aws:kms/key:Key");
    expect(key.region).to.equal("ca-central-1");
    expect(key.inputs).to.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(key.protect).to.equal(true);
    expect(r.outputs.keyArn).to.equal(key.outputs.arn);
    const alias = one(r, "aws:kms/alias:Alias");
    expect(alias.inputs.name).to.equal("alias/multi-region-web-ca-central-1-data");
    expect(dependsOn(alias, "targetKeyId", key)).to.equal(true);
    expect(
      (await run("us-east-1", false)).resources.find((x) => x.type === "aws:kms/key:Key")?.protect,
    ).to.equal(false);
  });

  it("lets the account administer the key through IAM", async () => {
    const key = one(await run("us-east-1"), "aws:kms/key:Key");
    const policy = JSON.parse(key.inputs.policy as string) as { Statement: Statement[] };
    expect(policy.Statement[0]).to.deep.include({
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::123456789012:root" },
      Action: "kms:*",
    });
  });

  it("lets CloudWatch Logs of its own region use it, for this account's log groups there only", () => {
    const doc = regionKeyPolicy("aws", "123456789012", "ca-central-1") as { Statement: Statement[] };
    const logs = doc.Statement.filter((s) => s.Principal.Service?.startsWith("logs."));
    expect(logs).to.have.length(1);
    expect(logs[0].Principal.Service).to.equal("logs.ca-central-1.amazonaws.com");
    expect(logs[0].Action).to.include.members(["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"]);
    expect(logs[0].Condition).to.deep.equal({
      ArnLike: {
        "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:ca-central-1:123456789012:log-group:*",
      },
    });
    // No other service principal gets the data key.
    expect(doc.Statement.filter((s) => s.Principal.Service !== undefined)).to.deep.equal(logs);
  });

  it("a deletion guard denies disabling and scheduling deletion to all but the root user and break-glass", () => {
    const doc = regionKeyPolicy("aws", "123456789012", "us-east-1", {
      breakGlassPrincipalArns: ["arn:aws:iam::123456789012:role/bg"],
    }) as { Statement: { Sid: string; Effect: string; Action: unknown; Condition?: unknown }[] };
    const deny = doc.Statement.filter((s) => s.Effect === "Deny");
    expect(deny).to.have.length(1);
    expect(deny[0].Action).to.deep.equal(["kms:DisableKey", "kms:ScheduleKeyDeletion"]);
    expect(deny[0].Condition).to.deep.equal({
      ArnNotEquals: {
        "aws:PrincipalArn": ["arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:role/bg"],
      },
    });
    // PutKeyPolicy stays allowed: KMS's lockout safety check, and Pulumi manages the policy.
    expect(JSON.stringify(deny)).not.to.contain("PutKeyPolicy");
    const backup = regionKeyPolicy("aws", "123456789012", "us-east-1", { purpose: "backup" }) as {
      Statement: { Sid: string }[];
    };
    expect(backup.Statement.map((s) => s.Sid)).to.deep.equal(["EnableAccountAdministration"]);
  });
});
