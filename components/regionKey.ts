/**
 * The region's data key: one customer managed KMS key per region that encrypts Aurora, DynamoDB,
 * Performance Insights, the secrets and every log group of the stack. It is the first thing a region
 * builds, because the network's flow logs already need it. The same component makes the region's
 * backup key (`purpose: "backup"`), which encrypts only the AWS Backup vault: whoever may schedule the
 * data key's deletion must not thereby reach the backups' key.
 *
 * The key policy delegates to IAM (AWS's default key policy) and lets CloudWatch Logs, and only for
 * this account's log groups in this region, encrypt and decrypt log data: CloudWatch Logs uses the key
 * as its own service principal, not on behalf of a caller, so IAM alone cannot allow it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RDS_BASE_MAX, rdsIdentifier } from "../config";
import { Component } from "./component";

export interface RegionKeyArgs {
  /** This stack's region: the key's, and the only region whose CloudWatch Logs may use it. Required. */
  region: string;
  /**
   * What the key encrypts: the region's data and logs, or its backup vault (AWS Backup only; no
   * CloudWatch Logs grant). @default "data"
   */
  purpose?: KeyPurpose;
  /**
   * Principals (besides the account root user) that may disable the key or schedule its deletion;
   * everyone else, the deploy role included, is denied both. Unset: no such guard. @default unset
   */
  deletionGuard?: { breakGlassPrincipalArns: string[] };
  /** Pulumi `protect` on the key: deleting it makes everything it encrypted unreadable. @default true */
  protect?: boolean;
  /** Extra tags for the key. @default {} */
  tags?: Record<string, string>;
}

export type KeyPurpose = "data" | "backup";

/**
 * The key policy: account administration through IAM; for the data key, CloudWatch Logs for this
 * region's log groups; with a guard, nobody but the root user and the break-glass principals may
 * disable the key or schedule its deletion.
 */
export function regionKeyPolicy(
  partition: string,
  accountId: string,
  region: string,
  options: { purpose?: KeyPurpose; breakGlassPrincipalArns?: string[] } = {},
): object {
  const purpose = options.purpose ?? "data";
  const root = `arn:${partition}:iam::${accountId}:root`;
  const guard = options.breakGlassPrincipalArns
    ? [
        {
          // An explicit Deny in the key policy wins over any IAM Allow, AdministratorAccess included
          // (IAM User Guide, "Policy evaluation logic"). aws:PrincipalArn is a role's ARN for its
          // sessions and arn:<partition>:iam::<account>:root for the root user (IAM User Guide, "AWS
          // global condition context keys"). kms:PutKeyPolicy is deliberately not denied: KMS refuses
          // a policy that would stop its caller from changing the policy again (the lockout safety
          // check), and Pulumi must keep managing this key; see docs/backups.md for what that leaves.
          Sid: "OnlyBreakGlassDisablesOrDeletes",
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: ["kms:DisableKey", "kms:ScheduleKeyDeletion"],
          Resource: "*",
          Condition: { ArnNotEquals: { "aws:PrincipalArn": [root, ...options.breakGlassPrincipalArns] } },
        },
      ]
    : [];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        // AWS's default key policy. Aurora, Performance Insights, Secrets Manager, DynamoDB, SNS and
        // AWS Backup use the key on behalf of a caller (grants / kms:ViaService) under that caller's
        // IAM permissions, so no service principal needs its own statement. Resource "*" in a key
        // policy means "this key".
        Sid: "EnableAccountAdministration",
        Effect: "Allow",
        Principal: { AWS: root },
        Action: "kms:*",
        Resource: "*",
      },
      ...guard,
      ...(purpose === "data" ? [cloudWatchLogsStatement(partition, accountId, region)] : []),
    ],
  };
}

function cloudWatchLogsStatement(partition: string, accountId: string, region: string): object {
  return {
    // "Encrypt log data in CloudWatch Logs using AWS KMS" (CloudWatch Logs User Guide,
    // encrypt-log-data-kms.html): the principal is logs.<region>.amazonaws.com, "in the same
    // region as where the CMK is stored", with these actions, scoped by the encryption context
    // CloudWatch Logs sends (kms:EncryptionContext:aws:logs:arn = the log group's ARN) to the
    // log groups of this account in this region. The ArnLike form with a wildcard is AWS's
    // own (managed policy CloudWatchLogsAPIKeyAccess); the current page's exact wording of the
    // condition: unverified.
    Sid: "CloudWatchLogsEncryptsThisRegionsLogGroups",
    Effect: "Allow",
    Principal: { Service: `logs.${region}.amazonaws.com` },
    Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
    Resource: "*",
    Condition: {
      ArnLike: {
        "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:*`,
      },
    },
  };
}

export interface RegionKeyOutputs {
  /** ARN of the key: what every `kmsKeyId` / `kmsKeyArn` of the region names. */
  keyArn: pulumi.Output<string>;
  /** Id of the key. */
  keyId: pulumi.Output<string>;
}

export class RegionKey extends Component<RegionKeyOutputs> {
  constructor(name: string, args: RegionKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-web:data:RegionKey", name, args, opts);
    const base = rdsIdentifier([pulumi.getProject(), pulumi.getStack()], RDS_BASE_MAX);
    const purpose = args.purpose ?? "data";
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description:
          purpose === "data"
            ? `${base}: Aurora, DynamoDB, Performance Insights, secrets and logs in ${args.region}`
            : `${base}: the AWS Backup vault in ${args.region}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.jsonStringify(
          pulumi.all([partition, accountId]).apply(([p, account]) =>
            regionKeyPolicy(p, account, args.region, {
              purpose,
              breakGlassPrincipalArns: args.deletionGuard?.breakGlassPrincipalArns,
            }),
          ),
        ),
        tags: args.tags,
      },
      { parent: this, protect: args.protect ?? true },
    );
    new aws.kms.Alias(
      `${name}-alias`,
      { name: `alias/${base}-${purpose}`, targetKeyId: key.keyId },
      { parent: this },
    );

    this.publish({ keyArn: key.arn, keyId: key.keyId });
  }
}
