/**
 * Backups against logical damage, wherever writes happen. Replication protects against losing a
 * region, not against a bad deploy, a dropped table or corrupted rows: those reach every region within
 * a second. AWS Backup keeps restore points that replication cannot overwrite, and a copy in another
 * region survives the loss of the region that made it.
 *
 * Every regional stack owns the same thing: its vault, and a plan that selects its own Aurora cluster
 * and its own DynamoDB table (or replica) and copies each recovery point to the other region's vault:
 * the home copies to every standby, a standby to the home. Whichever region holds the Aurora writer
 * after a failover (the plan moves it; no `pulumi up` runs) is therefore already backed up and copied
 * away, and so is the other one, whatever it is doing.
 *
 * An Aurora *secondary* cluster of a global database in a backup selection: whether AWS Backup can
 * snapshot one is documented nowhere we could find (AWS Backup Developer Guide, "Feature availability
 * by resource"; Aurora User Guide, global database pages): unverified. The design holds either way:
 * the writer's region backs up its primary cluster (so the data is backed up and copied out of that
 * region), and if AWS Backup refuses the secondary, that job fails, the EventBridge rule below mails
 * the ops topic, and docs/operations.md says what that failure means. Aurora's own automated backups
 * (backupRetentionPeriod, PITR) run on every cluster regardless.
 *
 * How a stack learns the other region's vault ARN: not through a StackReference (the standby already
 * reads the home; the other way round would be a cycle). The vault name is a deterministic function of
 * the project and the region (`backupVaultName`), and a vault ARN is
 * `arn:<partition>:backup:<region>:<account>:backup-vault:<name>`; each stack knows the other regions
 * from config and the account from the caller identity. Until the other stack is deployed its copy
 * jobs fail (and are reported as failed); the plan itself does not need the vault to exist. Nothing
 * here is a resource in another region: the copy is an action of this region's plan.
 *
 * Failures are reported two ways to the region's ops topic: an EventBridge rule on failed, aborted and
 * expired backup jobs and failed copy jobs, and the vault's own notifications for the events AWS
 * Backup still sends (BACKUP_JOB_FAILED and the other deprecated events never fire).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BackupConfig, backupRoleName, backupVaultName } from "../config";
import { Component, renamedFrom } from "./component";
import { RegionKey } from "./regionKey";

/**
 * Cron schedules (UTC): daily at 05:00, weekly on Sunday at 05:00, off-peak for us-east-1. On Sunday
 * the two rules coincide and AWS Backup takes one backup, kept under the rule with the longer retention.
 */
export const DAILY_SCHEDULE = "cron(0 5 ? * * *)";
export const WEEKLY_SCHEDULE = "cron(0 5 ? * SUN *)";

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
 * Shortest retention a vault holds: the vault lock's minimum must not exceed it, or AWS Backup rejects
 * the jobs that store shorter-lived recovery points. Every vault holds its own plan's recovery points
 * (daily, weekly) and the copies the other region sends it.
 */
export function vaultLockMinRetentionDays(backup: BackupConfig): number {
  return Math.min(backup.dailyRetentionDays, backup.weeklyRetentionDays, backup.copyRetentionDays);
}

/**
 * The actions the vault access policy denies to everyone but the account root user and the
 * break-glass principals: deleting a recovery point or shortening its life, and changing or removing
 * the policy, the lock or the vault. The first three are the ones AWS Config's
 * backup-recovery-point-manual-deletion-disabled rule looks for; vault access policies take no
 * wildcard in Action (AWS Backup Developer Guide, "Vault access policies"). Backup and copy jobs, and
 * AWS Backup's own expiry of recovery points at the end of their lifecycle, are not these calls.
 */
export const VAULT_PROTECTED_ACTIONS = [
  "backup:DeleteRecoveryPoint",
  "backup:UpdateRecoveryPointLifecycle",
  "backup:PutBackupVaultAccessPolicy",
  "backup:DeleteBackupVaultAccessPolicy",
  "backup:PutBackupVaultLockConfiguration",
  "backup:DeleteBackupVaultLockConfiguration",
  "backup:DeleteBackupVault",
];

/**
 * The vault access policy. Principal and Resource "*" as AWS's examples and the Config rule have it
 * (in a vault access policy "*" is this vault and its recovery points). aws:PrincipalArn: a role's ARN
 * for its sessions, arn:<partition>:iam::<account>:root for the root user (IAM User Guide, "AWS global
 * condition context keys"); a Deny in a resource policy applies to the root user too, hence its
 * exception: it is the break-glass principal of last resort.
 */
export function vaultAccessPolicy(
  partition: string,
  accountId: string,
  breakGlassPrincipalArns: string[],
): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OnlyBreakGlassDeletesOrUnlocks",
        Effect: "Deny",
        Principal: "*",
        Action: VAULT_PROTECTED_ACTIONS,
        Resource: "*",
        Condition: {
          ArnNotEquals: {
            "aws:PrincipalArn": [`arn:${partition}:iam::${accountId}:root`, ...breakGlassPrincipalArns],
          },
        },
      },
    ],
  };
}

/** The lock's arguments: compliance mode is governance plus a lock date (ChangeableForDays). */
export function vaultLockArgs(backup: BackupConfig): {
  minRetentionDays: number;
  changeableForDays?: number;
} {
  return {
    minRetentionDays: vaultLockMinRetentionDays(backup),
    ...(backup.vaultLockMode === "compliance"
      ? { changeableForDays: backup.vaultLockChangeableForDays }
      : {}),
  };
}

/**
 * The vault events that still fire and matter to operators: a failed copy (also caught by the
 * EventBridge rule, which is best-effort), a finished restore, and a recovery point whose retention
 * someone changed. Supported events: "BACKUP_JOB_STARTED | BACKUP_JOB_COMPLETED ; COPY_JOB_STARTED |
 * COPY_JOB_SUCCESSFUL | COPY_JOB_FAILED ; RESTORE_JOB_STARTED | RESTORE_JOB_COMPLETED |
 * RECOVERY_POINT_MODIFIED ; S3_BACKUP_OBJECT_FAILED | S3_RESTORE_OBJECT_FAILED"; the others (e.g.
 * BACKUP_JOB_FAILED) are deprecated and "will not return statuses or notifications" (AWS Backup API
 * Reference, PutBackupVaultNotifications). BACKUP_JOB_COMPLETED is left out: it mails every success.
 */
export const VAULT_EVENTS = ["COPY_JOB_FAILED", "RESTORE_JOB_COMPLETED", "RECOVERY_POINT_MODIFIED"];

/**
 * The EventBridge pattern of the jobs that need a person. "AWS Backup sends events to Amazon
 * EventBridge when the state of a backup or copy job changes ... in a best-effort manner every 5
 * minutes"; backup job states include FAILED, ABORTED and EXPIRED (AWS Backup Developer Guide,
 * "Monitor AWS Backup events using EventBridge"; detail types from the EventBridge events reference for
 * AWS Backup). That copy-job events carry their state in `detail.state` like backup jobs: unverified.
 */
export const FAILED_JOBS_PATTERN = {
  source: ["aws.backup"],
  "detail-type": ["Backup Job State Change", "Copy Job State Change"],
  detail: { state: ["FAILED", "ABORTED", "EXPIRED"] },
};

export interface BackupsArgs {
  /** Project name, the prefix of every vault name. Required. */
  project: string;
  /** This stack's region. Required. */
  region: string;
  /** Retention, vault lock and break-glass principals (validated by config.ts). Required. */
  backup: BackupConfig;
  /**
   * Regions whose vaults receive this region's copies: the home copies to every standby, a standby to
   * the home. Required, non-empty, never this region.
   */
  copyRegions: string[];
  /** ARNs of this region's resources to back up: its Aurora cluster and its DynamoDB table or replica. */
  resourceArns: pulumi.Input<string>[];
  /** The region's ops topic: vault notifications and the failed-job rule publish there. Required. */
  notificationTopicArn: pulumi.Input<string>;
  /** Pulumi `protect` on the vault: deleting a vault deletes the restore points' home. @default true */
  protect?: boolean;
  /** Extra tags for the vault, the plan and the rule. @default {} */
  tags?: Record<string, string>;
}

/** Throws before any resource is registered when the arguments cannot describe a useful plan. */
export function validateBackupsArgs(
  name: string,
  args: Pick<BackupsArgs, "region" | "copyRegions" | "resourceArns">,
): void {
  if (args.copyRegions.length === 0) {
    throw new Error(`Backups "${name}": at least one other region must receive the copies`);
  }
  if (args.copyRegions.includes(args.region)) {
    throw new Error(`Backups "${name}": a copy to its own region ${args.region} survives nothing`);
  }
  if (args.resourceArns.length === 0) {
    throw new Error(
      `Backups "${name}": no resource to back up (the region's Aurora cluster and DynamoDB table)`,
    );
  }
}

export interface BackupsOutputs {
  /** ARN of this region's vault (its plan's target, and the other regions' copies' destination). */
  vaultArn: pulumi.Output<string>;
  /** ARN of the vault's own KMS key (not the data key). */
  keyArn: pulumi.Output<string>;
  /** Name of this region's vault (`<project>-<region>`). */
  vaultName: pulumi.Output<string>;
  /** Id of this region's backup plan. */
  planId: pulumi.Output<string>;
  /** ARN of the role AWS Backup assumes to back up and to restore (`aws backup start-restore-job`). */
  roleArn: pulumi.Output<string>;
  /** ARNs of the vaults the rules copy to (one per copy region). */
  copyTargetVaultArns: pulumi.Output<string[]>;
}

export class Backups extends Component<BackupsOutputs> {
  constructor(name: string, args: BackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    validateBackupsArgs(name, args);
    super("multi-region-web:data:Backups", name, args, renamedFrom("multi-region-web:backups:Backups", opts));

    const tags = { Name: `${name}-${args.region}`, ...args.tags };
    const breakGlass = args.backup.breakGlassPrincipalArns;
    // The vault's own key: a role that may schedule the data key's deletion (to destroy the live
    // data) must not thereby destroy the recovery points too. Only the root user and the break-glass
    // principals may disable it or schedule its deletion. What it encrypts: the recovery points of
    // resources under full AWS Backup management (DynamoDB with advanced features) and the copies
    // other regions send here; Aurora's snapshots keep their source cluster's key (AWS Backup
    // Developer Guide, "Encryption for backups in AWS Backup").
    const key = new RegionKey(
      `${name}-key`,
      {
        region: args.region,
        purpose: "backup",
        deletionGuard: { breakGlassPrincipalArns: breakGlass },
        protect: args.protect ?? true,
        tags: args.tags,
      },
      { parent: this },
    );
    const vault = new aws.backup.Vault(
      `${name}-vault`,
      { name: backupVaultName(args.project, args.region), kmsKeyArn: key.keyArn, tags },
      { parent: this, protect: args.protect ?? true },
    );

    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    // Vault Lock (AWS Backup Developer Guide, "AWS Backup Vault Lock"): no recovery point is deleted
    // or shortened while locked, and jobs must keep points at least minRetentionDays. Governance
    // mode (the default) can be removed with backup:DeleteBackupVaultLockConfiguration, which the
    // vault policy below leaves to the break-glass principals. Compliance mode sets a lock date
    // changeableForDays ahead ("AWS Backup enforces a 72-hour cooling-off period ... you must set
    // ChangeableForDays to 3 or greater", AWS::Backup::BackupVault LockConfigurationType; provider
    // schema aws.backup.VaultLockConfiguration.changeableForDays); after it nobody can remove the
    // lock or delete a recovery point before it expires, the root user included.
    const locks = args.backup.vaultLock
      ? [
          new aws.backup.VaultLockConfiguration(
            `${name}-vault-lock`,
            { backupVaultName: vault.name, ...vaultLockArgs(args.backup) },
            { parent: this },
          ),
        ]
      : [];
    // After the lock: the policy denies the deploy role any later change of the lock, so the lock
    // must exist first. From then on only the root user or a break-glass principal can change either
    // (docs/backups.md, "Who may lift each guard").
    new aws.backup.VaultPolicy(
      `${name}-vault-policy`,
      {
        backupVaultName: vault.name,
        policy: pulumi.jsonStringify(
          pulumi
            .all([partition, accountId])
            .apply(([p, account]) => vaultAccessPolicy(p, account, breakGlass)),
        ),
      },
      { parent: this, dependsOn: locks },
    );
    const copyTargetVaultArns = pulumi
      .all([partition, accountId])
      .apply(([p, account]) =>
        args.copyRegions.map((r) => backupVaultArn(p, r, account, backupVaultName(args.project, r))),
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
          copyActions: copyTargetVaultArns.apply((arns) =>
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

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: backupRoleName(args.project, args.region),
        description: "Lets AWS Backup snapshot, copy and restore the data stores",
        // No aws:SourceAccount/aws:SourceArn: AWS Backup documents them for publishing to SNS only,
        // and its default service role's trust has none (tools/servicePrincipals.ts, NO_SOURCE_CONDITION).
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

    // The topic's policy and key let backup.amazonaws.com and events.amazonaws.com publish
    // (Observability, `notificationTopic` with publishers).
    new aws.backup.VaultNotifications(
      `${name}-notifications`,
      {
        backupVaultName: vault.name,
        snsTopicArn: args.notificationTopicArn,
        backupVaultEvents: VAULT_EVENTS,
      },
      { parent: this },
    );
    const failedJobs = new aws.cloudwatch.EventRule(
      `${name}-failed-jobs`,
      {
        description: `AWS Backup jobs in ${args.region} that failed, were aborted or expired, and failed copies`,
        eventPattern: JSON.stringify(FAILED_JOBS_PATTERN),
        tags,
      },
      { parent: this },
    );
    new aws.cloudwatch.EventTarget(
      `${name}-failed-jobs-to-ops`,
      { rule: failedJobs.name, arn: args.notificationTopicArn },
      { parent: this },
    );

    this.publish({
      vaultArn: vault.arn,
      keyArn: key.keyArn,
      vaultName: vault.name,
      planId: plan.id,
      roleArn: role.arn,
      copyTargetVaultArns,
    });
  }
}
