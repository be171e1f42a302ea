/**
 * The region's data key: one customer managed KMS key per region that encrypts Aurora, DynamoDB,
 * Performance Insights, the secrets, the backup vault and every log group of the stack. It is the
 * first thing a region builds, because the network's flow logs already need it.
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
  /** Pulumi `protect` on the key: deleting it makes everything it encrypted unreadable. @default true */
  protect?: boolean;
  /** Extra tags for the key. @default {} */
  tags?: Record<string, string>;
}

/** The key policy: account administration through IAM, and CloudWatch Logs for this region's log groups. */
export function regionKeyPolicy(partition: string, accountId: string, region: string): object {
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
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
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
      },
    ],
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
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `${base}: Aurora, DynamoDB, Performance Insights, secrets, backups and logs in ${args.region}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.jsonStringify(
          pulumi
            .all([partition, accountId])
            .apply(([p, account]) => regionKeyPolicy(p, account, args.region)),
        ),
        tags: args.tags,
      },
      { parent: this, protect: args.protect ?? true },
    );
    new aws.kms.Alias(
      `${name}-alias`,
      { name: `alias/${base}-data`, targetKeyId: key.keyId },
      { parent: this },
    );

    this.publish({ keyArn: key.arn, keyId: key.keyId });
  }
}
