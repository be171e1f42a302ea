/**
 * The data tier and its keys: Aurora, DynamoDB, KMS, SNS, Secrets Manager. Encryption with our own
 * KMS keys is mandatory; recoverability (deletion protection, backups, PITR) is advisory here and
 * checked as a whole by the DR stack policies.
 */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { isSet, known, ofType, PackResourcePolicy, PackStackPolicy, perResource, TYPES } from "./common";

/** Aliases of AWS managed keys: encryption, but with a key we neither control nor can share. */
function isAwsManagedKey(keyId: unknown): boolean {
  return typeof keyId === "string" && /(^|:)alias\/aws\//.test(keyId);
}

export const auroraCmk: PackResourcePolicy = {
  name: "aurora-encrypted-with-cmk",
  description: "Aurora clusters encrypt storage with a customer managed KMS key.",
  rationale: "Data at rest; our own key is also what lets a global secondary decrypt in its region.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Set `storageEncrypted: true` and `kmsKeyId` to the region's KMS key ARN.",
  validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, _args, report) => {
    if (cluster.storageEncrypted !== true) report("storageEncrypted is not true.");
    if (!isSet(cluster, "kmsKeyId")) report("No kmsKeyId: storage would use the AWS managed aws/rds key.");
  }),
};

export const auroraDeletionProtection: PackResourcePolicy = {
  name: "aurora-deletion-protection",
  description: "Aurora clusters have deletion protection on and take a final snapshot.",
  rationale: "A mistaken replacement or destroy must not drop the database.",
  enforcementLevel: "advisory",
  severity: "high",
  remediationSteps:
    "Set `deletionProtection: true`, `skipFinalSnapshot: false` and a `finalSnapshotIdentifier`.",
  validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, _args, report) => {
    if (cluster.deletionProtection !== true) report("deletionProtection is not true.");
    if (cluster.skipFinalSnapshot === true) report("skipFinalSnapshot is true.");
  }),
};

export const auroraBackupRetention: PackResourcePolicy = {
  name: "aurora-backup-retention",
  description: "Aurora clusters keep automated backups for at least `minRetentionDays` days.",
  rationale: "Point-in-time restore is the answer to corruption that replication faithfully copies.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps: "Set `backupRetentionPeriod` (config `database.backupRetentionDays`).",
  configSchema: {
    properties: {
      minRetentionDays: { type: "integer", minimum: 1, maximum: 35, default: 7, description: "Days." },
    },
  },
  validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, args, report) => {
    const { minRetentionDays } = args.getConfig<{ minRetentionDays: number }>();
    const days = cluster.backupRetentionPeriod ?? 1;
    if (days < minRetentionDays) report(`backupRetentionPeriod is ${days}; at least ${minRetentionDays}.`);
  }),
};

export const auroraIamAuth: PackResourcePolicy = {
  name: "aurora-iam-authentication",
  description: "Aurora clusters enable IAM database authentication.",
  rationale: "Short-lived IAM tokens for the app instead of a long-lived password.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps: "Set `iamDatabaseAuthenticationEnabled: true`.",
  validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, _args, report) => {
    if (cluster.iamDatabaseAuthenticationEnabled !== true) report("IAM database authentication is off.");
  }),
};

export const auroraInstanceNotPublic: PackResourcePolicy = {
  name: "aurora-instance-not-public",
  description: "Aurora instances are not publicly accessible.",
  rationale: "The database lives in isolated subnets and is reached only by the backend.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Set `publiclyAccessible: false`.",
  validateResource: validateResourceOfType(aws.rds.ClusterInstance, (instance, _args, report) => {
    if (instance.publiclyAccessible === true) report("publiclyAccessible is true.");
  }),
};

export const auroraPerformanceInsightsCmk: PackResourcePolicy = {
  name: "aurora-performance-insights-cmk",
  description: "Performance Insights, when on, is encrypted with a customer managed KMS key.",
  rationale: "Performance Insights stores query text, which can contain personal data.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set `performanceInsightsKmsKeyId` to the region's KMS key ARN.",
  validateResource: validateResourceOfType(aws.rds.ClusterInstance, (instance, args, report) => {
    if (instance.performanceInsightsEnabled !== true) args.notApplicable("Performance Insights is off");
    if (
      !isSet(instance, "performanceInsightsKmsKeyId") ||
      isAwsManagedKey(known(() => instance.performanceInsightsKmsKeyId))
    ) {
      report("Performance Insights uses the AWS managed key.");
    }
  }),
};

export const globalClusterEncrypted: PackResourcePolicy = {
  name: "aurora-global-cluster-encrypted",
  description: "Aurora global clusters are created with encrypted storage.",
  rationale: "Every member of the global database inherits the global cluster's encryption setting.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Set `storageEncrypted: true` (or create it from an encrypted `sourceDbClusterIdentifier`).",
  validateResource: validateResourceOfType(aws.rds.GlobalCluster, (global, _args, report) => {
    if (global.storageEncrypted !== true && !isSet(global, "sourceDbClusterIdentifier")) {
      report("storageEncrypted is not true.");
    }
  }),
};

export const dynamoTablePitr: PackResourcePolicy = {
  name: "dynamodb-table-pitr",
  description: "DynamoDB tables have point-in-time recovery on.",
  rationale: "Replicas copy deletes and bad writes; only PITR can go back 35 days.",
  enforcementLevel: "advisory",
  severity: "high",
  remediationSteps: "Set `pointInTimeRecovery: { enabled: true }`.",
  validateResource: validateResourceOfType(aws.dynamodb.Table, (table, _args, report) => {
    if (table.pointInTimeRecovery?.enabled !== true) report("Point-in-time recovery is off.");
  }),
};

export const dynamoReplicaPitr: PackResourcePolicy = {
  name: "dynamodb-replica-pitr",
  description: "DynamoDB table replicas have point-in-time recovery on.",
  rationale: "After a failover the replica is the table; it needs its own PITR.",
  enforcementLevel: "advisory",
  severity: "high",
  remediationSteps: "Set `pointInTimeRecovery: true` on the TableReplica.",
  validateResource: validateResourceOfType(aws.dynamodb.TableReplica, (replica, _args, report) => {
    if (replica.pointInTimeRecovery !== true) report("Point-in-time recovery is off.");
  }),
};

export const dynamoTableCmk: PackResourcePolicy = {
  name: "dynamodb-table-cmk",
  description: "DynamoDB tables are encrypted with a customer managed KMS key.",
  rationale: "The default AWS owned key gives no control over, or audit of, who decrypts the data.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set `serverSideEncryption: { enabled: true, kmsKeyArn }`.",
  validateResource: validateResourceOfType(aws.dynamodb.Table, (table, _args, report) => {
    const sse = table.serverSideEncryption;
    if (sse?.enabled !== true || !isSet(sse, "kmsKeyArn") || isAwsManagedKey(known(() => sse.kmsKeyArn))) {
      report("Server-side encryption does not use a customer managed key.");
    }
  }),
};

export const dynamoReplicaCmk: PackResourcePolicy = {
  name: "dynamodb-replica-cmk",
  description: "DynamoDB table replicas are encrypted with a customer managed KMS key of their region.",
  rationale: "Without kmsKeyArn a replica of a CMK table falls back to the AWS managed key.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set `kmsKeyArn` to the replica region's KMS key ARN.",
  validateResource: validateResourceOfType(aws.dynamodb.TableReplica, (replica, _args, report) => {
    if (!isSet(replica, "kmsKeyArn") || isAwsManagedKey(known(() => replica.kmsKeyArn)))
      report("No customer managed kmsKeyArn.");
  }),
};

export const dynamoTableDeletionProtection: PackResourcePolicy = {
  name: "dynamodb-table-deletion-protection",
  description: "DynamoDB tables have deletion protection on.",
  rationale: "Deleting the global table deletes every replica's data with it.",
  enforcementLevel: "advisory",
  severity: "high",
  remediationSteps: "Set `deletionProtectionEnabled: true`.",
  validateResource: validateResourceOfType(aws.dynamodb.Table, (table, _args, report) => {
    if (table.deletionProtectionEnabled !== true) report("deletionProtectionEnabled is not true.");
  }),
};

export const dynamoReplicaDeletionProtection: PackResourcePolicy = {
  name: "dynamodb-replica-deletion-protection",
  description: "DynamoDB table replicas have deletion protection on.",
  rationale: "The standby's replica is the data the standby serves after a failover.",
  enforcementLevel: "advisory",
  severity: "high",
  remediationSteps: "Set `deletionProtectionEnabled: true` on the TableReplica.",
  validateResource: validateResourceOfType(aws.dynamodb.TableReplica, (replica, _args, report) => {
    if (replica.deletionProtectionEnabled !== true) report("deletionProtectionEnabled is not true.");
  }),
};

export const kmsRotation: PackResourcePolicy = {
  name: "kms-key-rotation",
  description: "Symmetric KMS keys rotate their key material automatically.",
  rationale: "Rotation limits how much data one key version protects; it is free and transparent.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps: "Set `enableKeyRotation: true`.",
  validateResource: validateResourceOfType(aws.kms.Key, (key, args, report) => {
    const spec = key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
    if (spec !== "SYMMETRIC_DEFAULT" || (key.keyUsage ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT") {
      args.notApplicable("Only symmetric encryption keys can rotate automatically");
    }
    if (key.enableKeyRotation !== true) report("Automatic rotation is off.");
  }),
};

export const snsEncrypted: PackResourcePolicy = {
  name: "sns-topic-encrypted",
  description: "SNS topics are encrypted with a customer managed KMS key.",
  rationale: "Customer messages (emails, phone numbers, content) are personal data at rest in the topic.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set `kmsMasterKeyId` to the region's KMS key (not alias/aws/sns).",
  validateResource: validateResourceOfType(aws.sns.Topic, (topic, _args, report) => {
    if (!isSet(topic, "kmsMasterKeyId") || isAwsManagedKey(known(() => topic.kmsMasterKeyId))) {
      report("The topic is not encrypted with a customer managed key.");
    }
  }),
};

export const secretCmk: PackResourcePolicy = {
  name: "secret-cmk",
  description: "Secrets Manager secrets, and each of their replicas, use a customer managed KMS key.",
  rationale: "Our key's policy decides who can read the database credentials, not just IAM.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set `kmsKeyId`, and `kmsKeyId` in every `replicas` entry, to the region's key.",
  validateResource: validateResourceOfType(aws.secretsmanager.Secret, (secret, _args, report) => {
    if (!isSet(secret, "kmsKeyId") || isAwsManagedKey(known(() => secret.kmsKeyId)))
      report("No customer managed kmsKeyId.");
    for (const replica of secret.replicas ?? []) {
      if (!isSet(replica, "kmsKeyId") || isAwsManagedKey(known(() => replica.kmsKeyId))) {
        report(`Replica in ${known(() => replica.region) ?? "?"} has no customer managed kmsKeyId.`);
      }
    }
  }),
};

export const secretRecoveryWindow: PackResourcePolicy = {
  name: "secret-recovery-window",
  description: "Secrets are not force-deleted (recoveryWindowInDays is not 0).",
  rationale: "A recovery window turns a mistaken delete into a restore instead of an outage.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps: "Leave `recoveryWindowInDays` unset (30) or set it to 7-30.",
  validateResource: validateResourceOfType(aws.secretsmanager.Secret, (secret, _args, report) => {
    if (secret.recoveryWindowInDays === 0) report("recoveryWindowInDays is 0 (immediate deletion).");
  }),
};

export const auroraVersionDriftIgnored: PackStackPolicy = {
  name: "aurora-engine-version-drift-ignored",
  description:
    "Aurora global clusters and their member clusters ignore `engineVersion` changes (Pulumi `ignoreChanges`): minor versions are AWS's and the upgrade procedure's to move.",
  rationale:
    "AWS applies minor versions to global databases by itself (critical fixes, end of support); a refreshed state then makes `pulumi up` plan a downgrade, and a member upgraded through its global cluster fails with an inconsistent plan (provider docs, Upgrading Engine Versions).",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    'Add `ignoreChanges: ["engineVersion"]` to the GlobalCluster and to every Cluster with a globalClusterIdentifier (components/dataTier.ts); upgrade with the procedure in docs/operations.md.',
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const members = ofType(args, TYPES.cluster).filter(
      (c) =>
        isSet(c.props, "globalClusterIdentifier") ||
        (c.propertyDependencies.globalClusterIdentifier ?? []).length > 0,
    );
    const versioned = [...ofType(args, TYPES.globalCluster), ...members];
    if (versioned.length === 0) args.notApplicable("No Aurora global cluster or member");
    for (const resource of versioned) {
      if (!(resource.opts.ignoreChanges ?? []).includes("engineVersion")) {
        report(
          `${resource.type.split(":").pop()} ${resource.name} does not ignore engineVersion: an AWS-applied minor version would be planned back.`,
          resource,
        );
      }
    }
  },
};

export const dataPolicies = [
  auroraCmk,
  auroraDeletionProtection,
  auroraBackupRetention,
  auroraIamAuth,
  auroraInstanceNotPublic,
  auroraPerformanceInsightsCmk,
  globalClusterEncrypted,
  dynamoTablePitr,
  dynamoReplicaPitr,
  dynamoTableCmk,
  dynamoReplicaCmk,
  dynamoTableDeletionProtection,
  dynamoReplicaDeletionProtection,
  kmsRotation,
  snsEncrypted,
  secretCmk,
  secretRecoveryWindow,
  auroraVersionDriftIgnored,
];
