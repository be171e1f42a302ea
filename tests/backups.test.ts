import { expect } from "chai";
import { BackupConfig, ConfigError, DEFAULTS, buildConfig, validateBackup } from "../config";
import {
  Backups,
  BackupsArgs,
  DAILY_SCHEDULE,
  WEEKLY_SCHEDULE,
  backupRules,
  backupVaultArn,
  backupVaultName,
  vaultLockMinRetentionDays,
} from "../components/backups";
import { RecordedResource, StackRun, runProgram } from "../tools/mocks";
import { HOME_CONFIG } from "./helpers";

const PROJECT = "multi-region-web";
const HOME_KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const STANDBY_KEY = "arn:aws:kms:ca-central-1:123456789012:key/66666666-7777-8888-9999-000000000000";
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

function homeArgs(overrides: Partial<BackupConfig> = {}): BackupsArgs {
  return {
    project: PROJECT,
    region: "us-east-1",
    home: true,
    kmsKeyArn: HOME_KEY,
    backup: backup(overrides),
    standbyRegions: ["ca-central-1"],
    resourceArns: [CLUSTER_ARN, TABLE_ARN],
    protect: true,
  };
}

function standbyArgs(overrides: Partial<BackupConfig> = {}): BackupsArgs {
  return {
    project: PROJECT,
    region: "ca-central-1",
    home: false,
    kmsKeyArn: STANDBY_KEY,
    backup: backup(overrides),
    protect: true,
  };
}

function runBackups(args: BackupsArgs): Promise<StackRun> {
  return runProgram(
    () => {
      const backups = new Backups("backups", args);
      return {
        vaultArn: backups.vaultArn,
        vaultName: backups.vaultName,
        ...(backups.planId ? { planId: backups.planId } : {}),
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

  it("locks a vault no tighter than the shortest retention it holds", () => {
    const b = backup({ dailyRetentionDays: 35, weeklyRetentionDays: 90, copyRetentionDays: 30 });
    expect(vaultLockMinRetentionDays(b, true)).to.equal(35);
    expect(vaultLockMinRetentionDays(b, false)).to.equal(30);
  });
});

describe("Backups (home, us-east-1)", () => {
  let run: StackRun;

  before(async () => {
    run = await runBackups(
      homeArgs({ dailyRetentionDays: 40, weeklyRetentionDays: 100, copyRetentionDays: 30 }),
    );
  });

  it("creates a protected vault encrypted with this region's key", () => {
    const vault = only(run, "aws:backup/vault:Vault");
    expect(vault.inputs).to.include({ name: "multi-region-web-us-east-1", kmsKeyArn: HOME_KEY });
    expect(vault.protect).to.be.true;
    expect(vault.region).to.equal("us-east-1");
  });

  it("backs up daily and weekly into that vault, with the configured retention", () => {
    const plan = only(run, "aws:backup/plan:Plan");
    const rules = plan.inputs.rules as RuleInput[];
    expect(rules.map((r) => [r.ruleName, r.schedule, r.lifecycle.deleteAfter])).to.deep.equal([
      ["daily", "cron(0 5 ? * * *)", 40],
      ["weekly", "cron(0 5 ? * SUN *)", 100],
    ]);
    expect(rules.every((r) => r.targetVaultName === "multi-region-web-us-east-1")).to.be.true;
    expect(rules.some((r) => r.enableContinuousBackup)).to.be.false;
    expect(run.outputs.planId).to.be.a("string").and.not.equal("");
  });

  it("copies every rule's recovery points to the standby vault, kept copyRetentionDays", () => {
    const rules = only(run, "aws:backup/plan:Plan").inputs.rules as RuleInput[];
    for (const rule of rules) {
      expect(rule.copyActions, rule.ruleName).to.deep.equal([
        { destinationVaultArn: STANDBY_VAULT_ARN, lifecycle: { deleteAfter: 30 } },
      ]);
    }
    expect(run.outputs.copyTargetVaultArns).to.deep.equal([STANDBY_VAULT_ARN]);
  });

  it("selects the Aurora cluster and the DynamoDB table by ARN, with a role AWS Backup can assume", () => {
    const selection = only(run, "aws:backup/selection:Selection");
    const plan = only(run, "aws:backup/plan:Plan");
    const role = only(run, "aws:iam/role:Role");
    expect(selection.inputs.resources).to.deep.equal([CLUSTER_ARN, TABLE_ARN]);
    expect(selection.inputs.planId).to.be.a("string").and.not.equal("");
    expect(selection.inputs.iamRoleArn).to.equal(role.outputs.arn);
    expect(selection.propertyDependencies.planId).to.include(plan.urn);
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

  it("does not lock the vault by default", () => {
    expect(run.resources.some((r) => r.type === "aws:backup/vaultLockConfiguration:VaultLockConfiguration"))
      .to.be.false;
  });
});

describe("Backups (standby, ca-central-1)", () => {
  let run: StackRun;

  before(async () => {
    run = await runBackups(standbyArgs());
  });

  it("creates the destination vault under exactly the name and ARN the home copies to", () => {
    const vault = only(run, "aws:backup/vault:Vault");
    expect(vault.inputs).to.include({ name: "multi-region-web-ca-central-1", kmsKeyArn: STANDBY_KEY });
    expect(vault.protect).to.be.true;
    expect(run.outputs.vaultArn).to.equal(STANDBY_VAULT_ARN);
  });

  it("has no plan, selection or role of its own", () => {
    for (const type of ["aws:backup/plan:Plan", "aws:backup/selection:Selection", "aws:iam/role:Role"]) {
      expect(
        run.resources.some((r) => r.type === type),
        type,
      ).to.be.false;
    }
    expect(run.outputs.planId).to.equal(undefined);
  });
});

describe("Backups vault lock", () => {
  it("locks the home vault in governance mode at the shortest local retention when vaultLock is on", async () => {
    const run = await runBackups(
      homeArgs({ vaultLock: true, dailyRetentionDays: 35, weeklyRetentionDays: 90 }),
    );
    const lock = only(run, "aws:backup/vaultLockConfiguration:VaultLockConfiguration");
    expect(lock.inputs).to.include({ backupVaultName: "multi-region-web-us-east-1", minRetentionDays: 35 });
    expect(lock.inputs.changeableForDays).to.equal(undefined);
  });

  it("locks the standby vault at the copy retention", async () => {
    const run = await runBackups(
      standbyArgs({ vaultLock: true, copyRetentionDays: 21, dailyRetentionDays: 30 }),
    );
    const lock = only(run, "aws:backup/vaultLockConfiguration:VaultLockConfiguration");
    expect(lock.inputs).to.include({
      backupVaultName: "multi-region-web-ca-central-1",
      minRetentionDays: 21,
    });
  });
});

describe("Backups argument checks", () => {
  it("refuses a home without a standby region, without resources, or copying to itself", () => {
    expect(() => new Backups("b", { ...homeArgs(), standbyRegions: [] })).to.throw(
      /at least one standby region/,
    );
    expect(() => new Backups("b", { ...homeArgs(), resourceArns: [] })).to.throw(/ARNs of the resources/);
    expect(() => new Backups("b", { ...homeArgs(), standbyRegions: ["us-east-1"] })).to.throw(/own region/);
  });
});

describe("backup config validation (config.ts)", () => {
  it("rejects non-positive retention naming the key", () => {
    for (const key of ["dailyRetentionDays", "weeklyRetentionDays", "copyRetentionDays"] as const) {
      for (const bad of [0, -7, 1.5]) {
        expect(() => validateBackup(backup({ [key]: bad })), `${key}=${bad}`)
          .to.throw(ConfigError)
          .with.property("key", `backup.${key}`);
      }
    }
  });

  it("rejects a local retention shorter than the cross-region copy's, with a clear message", () => {
    expect(() => validateBackup(backup({ dailyRetentionDays: 7, copyRetentionDays: 14 }))).to.throw(
      /backup\.dailyRetentionDays.*must be at least backup\.copyRetentionDays \(14\)/,
    );
    expect(() =>
      validateBackup(backup({ dailyRetentionDays: 30, weeklyRetentionDays: 20, copyRetentionDays: 30 })),
    ).to.throw(/backup\.weeklyRetentionDays/);
  });

  it("is applied by buildConfig before any resource exists", () => {
    const raw = HOME_CONFIG;
    expect(() => buildConfig({ ...raw, backup: { copyRetentionDays: 60 } })).to.throw(
      ConfigError,
      /copyRetentionDays/,
    );
    expect(() => buildConfig({ ...raw, alarms: { ...raw.alarms, dbCpuPercent: 0 } })).to.throw(
      ConfigError,
      /alarms.dbCpuPercent/,
    );
    expect(buildConfig(raw).backup).to.deep.equal(DEFAULTS.backup);
  });
});
