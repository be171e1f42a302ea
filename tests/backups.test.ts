import { expect } from "chai";
import { BackupConfig, backupRoleName, backupVaultName, DEFAULTS } from "../config";
import {
  Backups,
  BackupsArgs,
  DAILY_SCHEDULE,
  WEEKLY_SCHEDULE,
  backupRules,
  backupVaultArn,
  FAILED_JOBS_PATTERN,
  validateBackupsArgs,
  VAULT_EVENTS,
  vaultAccessPolicy,
  vaultLockArgs,
  vaultLockMinRetentionDays,
  VAULT_PROTECTED_ACTIONS,
} from "../components/backups";
import { RecordedResource, StackRun, runProgram } from "../tools/mocks";
import { ofType } from "./helpers";

const PROJECT = "multi-region-web";
const CLUSTER_ARN = "arn:aws:rds:us-east-1:123456789012:cluster:multi-region-web-us-east-1-aurora";
const TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/multi-region-web-app";
/** The exact ARN of the vault the standby stack creates, as AWS will report it. */
const STANDBY_VAULT_ARN =
  "arn:aws:backup:ca-central-1:123456789012:backup-vault:multi-region-web-ca-central-1";

interface RuleInput {
  ruleName: string;
  schedule: string;
  targetVaultName: string;
  lifecycle: { deleteAfter: number };
  copyActions: { destinationVaultArn: string; lifecycle: { deleteAfter: number } }[];
  enableContinuousBackup?: boolean;
}

function backup(overrides: Partial<BackupConfig> = {}): BackupConfig {
  return { ...DEFAULTS.backup, ...overrides };
}

const TOPIC = "arn:aws:sns:us-east-1:123456789012:ops-ops";
const HOME_VAULT_ARN = "arn:aws:backup:us-east-1:123456789012:backup-vault:multi-region-web-us-east-1";
const STANDBY_CLUSTER_ARN =
  "arn:aws:rds:ca-central-1:123456789012:cluster:multi-region-web-ca-central-1-cluster";
const REPLICA_ARN = "arn:aws:dynamodb:ca-central-1:123456789012:table/multi-region-web-app";

function homeArgs(overrides: Partial<BackupConfig> = {}): BackupsArgs {
  return {
    project: PROJECT,
    region: "us-east-1",
    backup: backup(overrides),
    copyRegions: ["ca-central-1"],
    resourceArns: [CLUSTER_ARN, TABLE_ARN],
    notificationTopicArn: TOPIC,
    protect: true,
  };
}

function standbyArgs(overrides: Partial<BackupConfig> = {}): BackupsArgs {
  return {
    project: PROJECT,
    region: "ca-central-1",
    backup: backup(overrides),
    copyRegions: ["us-east-1"],
    resourceArns: [STANDBY_CLUSTER_ARN, REPLICA_ARN],
    notificationTopicArn: TOPIC.replace("us-east-1", "ca-central-1"),
    protect: true,
  };
}

function runBackups(args: BackupsArgs): Promise<StackRun> {
  return runProgram(
    () => {
      const backups = new Backups("backups", args);
      return {
        vaultArn: backups.vaultArn,
        keyArn: backups.keyArn,
        vaultName: backups.vaultName,
        planId: backups.planId,
        roleArn: backups.roleArn,
        copyTargetVaultArns: backups.copyTargetVaultArns,
      };
    },
    { project: PROJECT, stack: args.region, config: { "aws:region": args.region } },
  );
}

function only(run: StackRun, type: string): RecordedResource {
  const found = run.resources.filter((r) => r.type === type);
  expect(found, type).to.have.length(1);
  return found[0];
}

describe("backup helpers (pure)", () => {
  it("names a vault after the project and region, within AWS's 50 characters", () => {
    expect(backupVaultName(PROJECT, "ca-central-1")).to.equal("multi-region-web-ca-central-1");
    expect(backupVaultName("x".repeat(60), "eu-west-1")).to.have.length(50);
  });

  it("builds the ARN AWS gives a vault of that name", () => {
    expect(backupVaultArn("aws", "ca-central-1", "123456789012", "multi-region-web-ca-central-1")).to.equal(
      STANDBY_VAULT_ARN,
    );
  });

  it("has a daily and a weekly rule with the configured retention", () => {
    expect(backupRules(backup({ dailyRetentionDays: 40, weeklyRetentionDays: 120 }))).to.deep.equal([
      { ruleName: "daily", schedule: DAILY_SCHEDULE, deleteAfterDays: 40 },
      { ruleName: "weekly", schedule: WEEKLY_SCHEDULE, deleteAfterDays: 120 },
    ]);
  });

  it("locks a vault no tighter than the shortest retention it holds: its own rules' or the copies'", () => {
    expect(
      vaultLockMinRetentionDays(
        backup({ dailyRetentionDays: 35, weeklyRetentionDays: 90, copyRetentionDays: 30 }),
      ),
    ).to.equal(30);
    expect(
      vaultLockMinRetentionDays(
        backup({ dailyRetentionDays: 35, weeklyRetentionDays: 90, copyRetentionDays: 60 }),
      ),
    ).to.equal(35);
  });

  it("subscribes the vault only to events AWS Backup still sends", () => {
    const supported = [
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
    ];
    expect(supported).to.include.members(VAULT_EVENTS);
    expect(VAULT_EVENTS).not.to.include("BACKUP_JOB_FAILED");
  });

  it("matches failed, aborted and expired backup jobs and failed copy jobs", () => {
    expect(FAILED_JOBS_PATTERN).to.deep.equal({
      source: ["aws.backup"],
      "detail-type": ["Backup Job State Change", "Copy Job State Change"],
      detail: { state: ["FAILED", "ABORTED", "EXPIRED"] },
    });
  });
});

for (const [label, args, ownVault, otherVault, resources] of [
  ["home, us-east-1", homeArgs, "multi-region-web-us-east-1", STANDBY_VAULT_ARN, [CLUSTER_ARN, TABLE_ARN]],
  [
    "standby, ca-central-1",
    standbyArgs,
    "multi-region-web-ca-central-1",
    HOME_VAULT_ARN,
    [STANDBY_CLUSTER_ARN, REPLICA_ARN],
  ],
] as const) {
  describe(`Backups (${label})`, () => {
    let run: StackRun;
    let given: BackupsArgs;

    before(async () => {
      given = args({ dailyRetentionDays: 40, weeklyRetentionDays: 100, copyRetentionDays: 30 });
      run = await runBackups(given);
    });

    it("creates a protected vault of the deterministic name, encrypted with its own backup key", () => {
      const vault = only(run, "aws:backup/vault:Vault");
      const key = only(run, "aws:kms/key:Key");
      expect(vault.inputs).to.include({ name: ownVault, kmsKeyArn: key.outputs.arn });
      expect(run.outputs.keyArn).to.equal(key.outputs.arn);
      expect(key.protect).to.be.true;
      expect(key.inputs.enableKeyRotation).to.be.true;
      expect(vault.protect).to.be.true;
      expect(vault.region).to.equal(given.region);
      expect(run.outputs.vaultArn).to.equal(backupVaultArn("aws", given.region, "123456789012", ownVault));
    });

    it("backs up daily and weekly into that vault, with the configured retention", () => {
      const plan = only(run, "aws:backup/plan:Plan");
      const rules = plan.inputs.rules as RuleInput[];
      expect(rules.map((r) => [r.ruleName, r.schedule, r.lifecycle.deleteAfter])).to.deep.equal([
        ["daily", "cron(0 5 ? * * *)", 40],
        ["weekly", "cron(0 5 ? * SUN *)", 100],
      ]);
      expect(rules.every((r) => r.targetVaultName === ownVault)).to.be.true;
      expect(rules.some((r) => r.enableContinuousBackup)).to.be.false;
      expect(run.outputs.planId).to.be.a("string").and.not.equal("");
    });

    it("copies every rule's recovery points to the other side's vault, kept copyRetentionDays", () => {
      const rules = only(run, "aws:backup/plan:Plan").inputs.rules as RuleInput[];
      for (const rule of rules) {
        expect(rule.copyActions, rule.ruleName).to.deep.equal([
          { destinationVaultArn: otherVault, lifecycle: { deleteAfter: 30 } },
        ]);
      }
      expect(run.outputs.copyTargetVaultArns).to.deep.equal([otherVault]);
      // The copy is an action of this region's plan: nothing is registered in the other region.
      expect(run.resources.filter((r) => r.custom && r.region !== given.region)).to.deep.equal([]);
    });

    it("selects this region's Aurora cluster and DynamoDB table by ARN, with a role AWS Backup can assume", () => {
      const selection = only(run, "aws:backup/selection:Selection");
      const plan = only(run, "aws:backup/plan:Plan");
      const role = only(run, "aws:iam/role:Role");
      expect(selection.inputs.resources).to.deep.equal(resources);
      expect(selection.inputs.iamRoleArn).to.equal(role.outputs.arn);
      expect(selection.propertyDependencies.planId).to.include(plan.urn);
      // The role carries its policies before AWS Backup validates the selection's role.
      const attachments = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
      expect(attachments.length).to.be.greaterThan(0);
      for (const a of attachments) expect(selection.dependencies, a.name).to.include(a.urn);
      expect(run.outputs.roleArn).to.equal(role.outputs.arn);
      expect(role.inputs.name).to.equal(backupRoleName(PROJECT, given.region));
      expect(backupRoleName(PROJECT, given.region)).to.equal(`multi-region-web-${given.region}-backup`);
      const trust = JSON.parse(role.inputs.assumeRolePolicy as string) as {
        Statement: { Principal: { Service: string } }[];
      };
      expect(trust.Statement[0].Principal.Service).to.equal("backup.amazonaws.com");
      const policies = run.resources
        .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .map((r) => r.inputs.policyArn);
      expect(policies).to.have.members([
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
      ]);
    });

    it("sends the vault's events that still fire to the ops topic", () => {
      const notifications = only(run, "aws:backup/vaultNotifications:VaultNotifications");
      expect(notifications.inputs).to.deep.include({
        backupVaultName: ownVault,
        snsTopicArn: given.notificationTopicArn,
        backupVaultEvents: VAULT_EVENTS,
      });
    });

    it("sends failed, aborted and expired backup jobs and failed copies to the ops topic through EventBridge", () => {
      const rule = only(run, "aws:cloudwatch/eventRule:EventRule");
      expect(JSON.parse(rule.inputs.eventPattern as string)).to.deep.equal(FAILED_JOBS_PATTERN);
      const target = only(run, "aws:cloudwatch/eventTarget:EventTarget");
      expect(target.inputs).to.include({ rule: rule.outputs.name, arn: given.notificationTopicArn });
    });

    // Behaviour change (issue 21.3): the lock used to be off by default.
    it("locks the vault by default, in governance mode, before its access policy", () => {
      const lock = only(run, "aws:backup/vaultLockConfiguration:VaultLockConfiguration");
      expect(lock.inputs).to.include({ backupVaultName: ownVault, minRetentionDays: 30 });
      expect(lock.inputs.changeableForDays).to.equal(undefined);
      const policy = only(run, "aws:backup/vaultPolicy:VaultPolicy");
      expect(policy.dependencies).to.include(lock.urn);
    });

    it("denies deleting recovery points and changing the policy, lock or vault to all but the root user", () => {
      const policy = only(run, "aws:backup/vaultPolicy:VaultPolicy");
      expect(policy.inputs.backupVaultName).to.equal(ownVault);
      expect(JSON.parse(policy.inputs.policy as string)).to.deep.equal(
        vaultAccessPolicy("aws", "123456789012", []),
      );
    });

    it("keeps the backup key out of the deploy role's reach: only the root user may disable or delete it", () => {
      const doc = JSON.parse(only(run, "aws:kms/key:Key").inputs.policy as string) as {
        Statement: { Sid: string; Effect: string; Action: string[]; Condition?: unknown }[];
      };
      const guard = doc.Statement.find((st) => st.Effect === "Deny")!;
      expect(guard.Action).to.deep.equal(["kms:DisableKey", "kms:ScheduleKeyDeletion"]);
      expect(guard.Condition).to.deep.equal({
        ArnNotEquals: { "aws:PrincipalArn": ["arn:aws:iam::123456789012:root"] },
      });
      // A backup key: no CloudWatch Logs grant.
      expect(doc.Statement.map((st) => st.Sid)).to.deep.equal([
        "EnableAccountAdministration",
        "OnlyBreakGlassDisablesOrDeletes",
      ]);
    });
  });
}

describe("Backups vault lock", () => {
  it("locks a vault in governance mode at the shortest retention it holds when vaultLock is on", async () => {
    for (const args of [homeArgs, standbyArgs]) {
      const run = await runBackups(
        args({ vaultLock: true, dailyRetentionDays: 35, weeklyRetentionDays: 90, copyRetentionDays: 21 }),
      );
      const lock = only(run, "aws:backup/vaultLockConfiguration:VaultLockConfiguration");
      expect(lock.inputs.minRetentionDays).to.equal(21);
      expect(lock.inputs.changeableForDays).to.equal(undefined);
    }
  });

  it("compliance mode sets the lock date changeableForDays ahead", async () => {
    const run = await runBackups(homeArgs({ vaultLockMode: "compliance", vaultLockChangeableForDays: 14 }));
    const lock = only(run, "aws:backup/vaultLockConfiguration:VaultLockConfiguration");
    expect(lock.inputs).to.include({ minRetentionDays: 35, changeableForDays: 14 });
    expect(
      vaultLockArgs(backup({ vaultLockMode: "governance", vaultLockChangeableForDays: 14 })),
    ).to.deep.equal({
      minRetentionDays: 35,
    });
  });

  it("without a lock the access policy still guards the recovery points", async () => {
    const run = await runBackups(homeArgs({ vaultLock: false }));
    expect(ofType(run, "aws:backup/vaultLockConfiguration:VaultLockConfiguration")).to.have.length(0);
    expect(ofType(run, "aws:backup/vaultPolicy:VaultPolicy")).to.have.length(1);
  });

  it("break-glass principals join the root user in the policy's and the key's exception", async () => {
    const breakGlass = ["arn:aws:iam::123456789012:role/break-glass"];
    const run = await runBackups(homeArgs({ breakGlassPrincipalArns: breakGlass }));
    const exceptions = ["arn:aws:iam::123456789012:root", ...breakGlass];
    const vaultDoc = JSON.parse(only(run, "aws:backup/vaultPolicy:VaultPolicy").inputs.policy as string) as {
      Statement: { Principal: unknown; Resource: unknown; Action: string[]; Condition: unknown }[];
    };
    expect(vaultDoc.Statement[0]).to.deep.include({
      Principal: "*",
      Resource: "*",
      Condition: { ArnNotEquals: { "aws:PrincipalArn": exceptions } },
    });
    // What AWS Config's backup-recovery-point-manual-deletion-disabled rule requires, and more.
    expect(vaultDoc.Statement[0].Action).to.include.members([
      "backup:DeleteRecoveryPoint",
      "backup:UpdateRecoveryPointLifecycle",
      "backup:PutBackupVaultAccessPolicy",
      "backup:DeleteBackupVaultLockConfiguration",
    ]);
    expect(vaultDoc.Statement[0].Action).to.deep.equal(VAULT_PROTECTED_ACTIONS);
    expect(VAULT_PROTECTED_ACTIONS.every((a) => !a.includes("*"))).to.be.true;
    const keyDoc = JSON.parse(only(run, "aws:kms/key:Key").inputs.policy as string) as {
      Statement: { Effect: string; Condition?: unknown }[];
    };
    expect(keyDoc.Statement.find((st) => st.Effect === "Deny")!.Condition).to.deep.equal({
      ArnNotEquals: { "aws:PrincipalArn": exceptions },
    });
  });
});

describe("Backups argument checks", () => {
  it("refuses no copy region, a copy to its own region, or nothing to back up", () => {
    expect(() => validateBackupsArgs("b", { ...homeArgs(), copyRegions: [] })).to.throw(
      /at least one other region/,
    );
    expect(() => validateBackupsArgs("b", { ...homeArgs(), copyRegions: ["us-east-1"] })).to.throw(
      /own region/,
    );
    expect(() => validateBackupsArgs("b", { ...standbyArgs(), resourceArns: [] })).to.throw(
      /no resource to back up/,
    );
    expect(() => validateBackupsArgs("b", standbyArgs())).not.to.throw();
  });
});
