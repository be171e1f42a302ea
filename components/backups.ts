/**
 * Backups against logical damage. Replication protects against losing a region, not against a bad
 * deploy, a dropped table or corrupted rows: those reach the standby within a second. AWS Backup
 * keeps restore points that replication cannot overwrite, and copies them to the standby region so
 * that they also survive the loss of the home region.
 *
 * The home stack owns the plan (daily and weekly rules, each with a cross-region copy) and its
 * vault; every standby stack owns the destination vault in its region.
 *
 * How the home learns the standby vault's ARN: not through a StackReference, because the standby
 * already reads the home stack and a reference the other way round would make the two stacks
 * depend on each other (neither could be deployed first). Instead the vault name is a deterministic
 * function of the project and the region (`backupVaultName`), and a vault ARN is
 * `arn:<partition>:backup:<region>:<account>:backup-vault:<name>`; the home knows the standby
 * regions from config and the account from the caller identity. The standby stack creates a vault
 * of exactly that name. Until the standby is deployed the copy jobs fail (and AWS Backup reports
 * them as failed); the plan itself does not need the vault to exist.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BackupConfig } from "../config";

/**
 * Cron schedules (UTC): daily at 05:00, weekly on Sunday at 05:00, off-peak for us-east-1. On Sunday
 * the two rules coincide and AWS Backup takes one backup, kept under the rule with the longer retention.
 */
export const DAILY_SCHEDULE = "cron(0 5 ? * * *)";
export const WEEKLY_SCHEDULE = "cron(0 5 ? * SUN *)";

/** Name of the backup vault of `project` in `region`: the same function in every stack. */
export function backupVaultName(project: string, region: string): string {
  // Vault names: 2 to 50 letters, digits, hyphens and underscores.
  return `${project}-${region}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 50);
}

/** ARN of a vault from its parts (what the standby stack will create under that name). */
export function backupVaultArn(partition: string, region: string, accountId: string, name: string): string {
  return `arn:${partition}:backup:${region}:${accountId}:backup-vault:${name}`;
}

/** A rule of the plan, as plain values. */
export interface BackupRuleSpec {
  ruleName: string;
  schedule: string;
  deleteAfterDays: number;
}

/** The plan's rules from config: what is kept locally and for how long. */
export function backupRules(backup: BackupConfig): BackupRuleSpec[] {
  return [
    { ruleName: "daily", schedule: DAILY_SCHEDULE, deleteAfterDays: backup.dailyRetentionDays },
    { ruleName: "weekly", schedule: WEEKLY_SCHEDULE, deleteAfterDays: backup.weeklyRetentionDays },
  ];
}

/**
 * Shortest retention a vault holds: the vault lock's minimum must not exceed it, or AWS Backup
 * rejects the jobs that store shorter-lived recovery points.
 */
export function vaultLockMinRetentionDays(backup: BackupConfig, home: boolean): number {
  return home ? Math.min(backup.dailyRetentionDays, backup.weeklyRetentionDays) : backup.copyRetentionDays;
}

export interface BackupsArgs {
  /** Project name, the prefix of every vault name. Required. */
  project: string;
  /** This stack's region. Required. */
  region: string;
  /** True on the home stack: it gets the plan; the other stacks only get their destination vault. Required. */
  home: boolean;
  /** KMS key (ARN) of this region that encrypts the vault's recovery points. Required. */
  kmsKeyArn: pulumi.Input<string>;
  /** Retention and vault lock (validated by config.ts). Required. */
  backup: BackupConfig;
  /** Home only: regions whose vaults receive the copies. Required (non-empty) on the home stack. */
  standbyRegions?: string[];
  /** Home only: ARNs of the resources to back up (the Aurora cluster, the DynamoDB table). */
  resourceArns?: pulumi.Input<string>[];
  /** Pulumi `protect` on the vaults: deleting a vault deletes the restore points' home. @default true */
  protect?: boolean;
  /** Extra tags for the vault and the plan. @default {} */
  tags?: Record<string, string>;
}

export class Backups extends pulumi.ComponentResource {
  /** ARN of this region's vault (the plan's target on the home, the copies' destination elsewhere). */
  public readonly vaultArn: pulumi.Output<string>;
  /** Name of this region's vault. */
  public readonly vaultName: pulumi.Output<string>;
  /** Home only: id of the backup plan. */
  public readonly planId?: pulumi.Output<string>;
  /** Home only: ARNs of the vaults the rules copy to (one per standby region). */
  public readonly copyTargetVaultArns: pulumi.Output<string[]>;

  constructor(name: string, args: BackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    const standbyRegions = args.standbyRegions ?? [];
    if (args.home && standbyRegions.length === 0) {
      throw new Error(
        `Backups "${name}": the home stack needs at least one standby region to copy backups to`,
      );
    }
    if (args.home && !args.resourceArns?.length) {
      throw new Error(`Backups "${name}": the home stack needs the ARNs of the resources to back up`);
    }
    if (standbyRegions.includes(args.region)) {
      throw new Error(`Backups "${name}": a copy to the home's own region ${args.region} survives nothing`);
    }
    super("multi-region-web:backups:Backups", name, args, opts);

    const tags = { Name: `${name}-${args.region}`, ...args.tags };
    const vault = new aws.backup.Vault(
      `${name}-vault`,
      { name: backupVaultName(args.project, args.region), kmsKeyArn: args.kmsKeyArn, tags },
      { parent: this, protect: args.protect ?? true },
    );
    this.vaultArn = vault.arn;
    this.vaultName = vault.name;

    if (args.backup.vaultLock) {
      // Governance mode (no changeableForDays): recovery points cannot be deleted or shortened
      // below the minimum except by principals allowed backup:DeleteBackupVaultLockConfiguration, and
      // the lock can be removed. Compliance mode (changeableForDays set) becomes irreversible once the
      // grace time passes: not even the root user can delete the vault or its recovery points before
      // they expire, so it is left to a deliberate decision outside this program. Off by default
      // because a lock also keeps a mis-sized retention (and its cost) until it expires.
      new aws.backup.VaultLockConfiguration(
        `${name}-vault-lock`,
        {
          backupVaultName: vault.name,
          minRetentionDays: vaultLockMinRetentionDays(args.backup, args.home),
        },
        { parent: this },
      );
    }

    if (!args.home) {
      this.copyTargetVaultArns = pulumi.output([]);
      this.registerOutputs({ vaultArn: this.vaultArn, vaultName: this.vaultName });
      return;
    }

    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    this.copyTargetVaultArns = pulumi
      .all([partition, accountId])
      .apply(([p, account]) =>
        standbyRegions.map((r) => backupVaultArn(p, r, account, backupVaultName(args.project, r))),
      );

    // No continuous backup (enableContinuousBackup): both stores already have point-in-time recovery
    // in their own region (Aurora's backup retention and DynamoDB PITR, owned by DataTier), and AWS
    // Backup continuous backup of Aurora would take over the cluster's automated-backup retention that
    // DataTier manages. These rules add what PITR lacks: snapshots kept for weeks, in two regions.
    // Account prerequisite (not managed here, because BackupRegionSettings is one account-wide object
    // per region that other workloads share): AWS Backup copies DynamoDB backups to another region
    // only with "advanced features for DynamoDB" turned on (resource type management preference).
    const plan = new aws.backup.Plan(
      `${name}-plan`,
      {
        rules: backupRules(args.backup).map((rule) => ({
          ruleName: rule.ruleName,
          targetVaultName: vault.name,
          schedule: rule.schedule,
          startWindow: 60,
          completionWindow: 360,
          lifecycle: { deleteAfter: rule.deleteAfterDays },
          recoveryPointTags: { ...tags, Rule: rule.ruleName },
          copyActions: this.copyTargetVaultArns.apply((arns) =>
            arns.map((destinationVaultArn) => ({
              destinationVaultArn,
              lifecycle: { deleteAfter: args.backup.copyRetentionDays },
            })),
          ),
        })),
        tags,
      },
      { parent: this },
    );
    this.planId = plan.id;

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: "Lets AWS Backup snapshot, copy and restore the data stores",
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
        tags,
      },
      { parent: this },
    );
    const attachments = ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"].map(
      (policy, i) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-role-${i === 0 ? "backup" : "restore"}`,
          {
            role: role.name,
            policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/${policy}`,
          },
          { parent: this },
        ),
    );

    // By ARN rather than by tag: a tag can be dropped or mistyped without anything failing, while the
    // policy pack can check an ARN list against the stack's stateful resources.
    new aws.backup.Selection(
      `${name}-selection`,
      { planId: plan.id, iamRoleArn: role.arn, resources: args.resourceArns },
      // The role must carry its policies before AWS Backup validates the selection's role.
      { parent: this, dependsOn: attachments },
    );

    this.registerOutputs({
      vaultArn: this.vaultArn,
      vaultName: this.vaultName,
      planId: this.planId,
      copyTargetVaultArns: this.copyTargetVaultArns,
    });
  }
}
