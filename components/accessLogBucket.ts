/**
 * A private log bucket: SSE-S3, no public access, no ACLs, TLS only, objects expiring. The region's
 * ALB access logs go here (both tiers, each under its own prefix; ELB delivers only to a bucket in its
 * own region), and so do the failover plan's execution reports (without the ELB delivery grant).
 *
 * A bucket that is not itself a log destination (the plan's reports) can have its S3 server access
 * logs kept too (`serverAccessLogs`): in a companion bucket of this same kind, which S3 writes to as
 * `logging.s3.amazonaws.com`. The chain ends there: the companion does not log, as no log
 * destination here does (S3 warns that a bucket logging to itself loops, S3 User Guide, "Enabling
 * Amazon S3 server access logging").
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Component, renamedFrom } from "./component";

const DEFAULT_ABORT_DAYS = 7;

export interface AccessLogBucketArgs {
  /** Days after which access log objects are deleted. */
  expirationDays: number;
  /** Days after which incomplete multipart uploads are aborted. @default 7 */
  abortIncompleteUploadDays?: number;
  /** Whether ELB's log-delivery account may write ALB access logs here. @default true */
  elbLogDelivery?: boolean;
  /** Region of the bucket (the resources' own `region`, provider v7). @default the stack's region */
  region?: string;
  /** Pulumi `protect` on the bucket. @default false */
  protect?: boolean;
  /**
   * Keep this bucket's S3 server access logs in a companion log bucket (`<name>-access-logs`, same
   * expiration and region). For buckets that are not log destinations themselves. @default false
   */
  serverAccessLogs?: boolean;
  /**
   * ARN of a bucket whose S3 server access logs S3 may write here (under SERVER_ACCESS_LOG_PREFIX):
   * set by the component on its companion. @default none
   */
  serverAccessLogsFrom?: pulumi.Input<string>;
}

/** Where S3 writes a bucket's server access logs in its companion bucket. */
export const SERVER_ACCESS_LOG_PREFIX = "s3-access/";

/** Throws before any resource is registered when a lifecycle number is not a positive integer. */
export function validateAccessLogBucketArgs(args: AccessLogBucketArgs): void {
  for (const [key, value] of [
    ["expirationDays", args.expirationDays],
    ["abortIncompleteUploadDays", args.abortIncompleteUploadDays ?? DEFAULT_ABORT_DAYS],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`AccessLogBucket ${key} ${value} must be a positive integer`);
    }
  }
}

/**
 * The bucket policy: TLS only, and ELB's log-delivery account may write under
 * `<prefix>/AWSLogs/<account>/` (every ALB of this design logs under a prefix).
 */
export function accessLogBucketPolicy(
  bucketArn: pulumi.Input<string>,
  elbDelivery?: { principalArn: pulumi.Input<string>; accountId: pulumi.Input<string> },
  s3Delivery?: { sourceBucketArn: pulumi.Input<string>; accountId: pulumi.Input<string> },
): pulumi.Output<string> {
  const statements: object[] = [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ];
  if (elbDelivery) {
    statements.push({
      Sid: "AllowElbLogDelivery",
      Effect: "Allow",
      Principal: { AWS: elbDelivery.principalArn },
      Action: "s3:PutObject",
      Resource: pulumi.interpolate`${bucketArn}/*/AWSLogs/${elbDelivery.accountId}/*`,
    });
  }
  if (s3Delivery) {
    // "Permissions for server access log delivery" (S3 User Guide): with ACLs disabled (bucket owner
    // enforced) only a bucket policy can let logging.s3.amazonaws.com write; aws:SourceArn and
    // aws:SourceAccount keep it to the one source bucket of this account (confused deputy).
    statements.push({
      Sid: "AllowS3ServerAccessLogDelivery",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: pulumi.interpolate`${bucketArn}/${SERVER_ACCESS_LOG_PREFIX}*`,
      Condition: {
        ArnLike: { "aws:SourceArn": s3Delivery.sourceBucketArn },
        StringEquals: { "aws:SourceAccount": s3Delivery.accountId },
      },
    });
  }
  return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

export interface AccessLogBucketOutputs {
  /** Bucket name for `accessLogs.bucket`; resolves only once the bucket policy is in place. */
  bucketName: pulumi.Output<string>;
  /** ARN of the bucket. */
  bucketArn: pulumi.Output<string>;
}

export class AccessLogBucket extends Component<AccessLogBucketOutputs> {
  constructor(name: string, args: AccessLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    validateAccessLogBucketArgs(args);
    super(
      "multi-region-web:operations:AccessLogBucket",
      name,
      args,
      renamedFrom("multi-region-web:logging:AccessLogBucket", opts),
    );
    const abortIncompleteUploadDays = args.abortIncompleteUploadDays ?? DEFAULT_ABORT_DAYS;
    const region = args.region;

    // No forceDestroy: destroying the stack must not silently delete the audit trail.
    const bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      { region },
      { parent: this, protect: args.protect ?? false },
    );

    // SSE-S3, not SSE-KMS: ALB access log delivery supports only S3-managed keys.
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        region,
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      },
      { parent: this },
    );

    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access-block`,
      {
        region,
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this },
    );

    // ACLs off: ALB delivery does not need them, and the bucket owner owns every log object.
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { region, bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      { parent: this },
    );

    // No versioning: log objects are written once under unique keys and never overwritten, and with
    // versioning on the expiration below would only hide objects behind delete markers, keeping
    // (and billing) them until a second noncurrent-version rule removed them.
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        region,
        bucket: bucket.id,
        rules: [
          {
            id: "expire-access-logs",
            status: "Enabled",
            // An empty prefix is the whole bucket; an empty filter block draws the provider's
            // "invalid attribute combination" warning (terraform-provider-aws #42714).
            filter: { prefix: "" },
            expiration: { days: args.expirationDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: abortIncompleteUploadDays },
          },
        ],
      },
      { parent: this },
    );

    // The account ELB delivers logs from in this region. Regions opened after August 2022 use the
    // service principal logdelivery.elasticloadbalancing.amazonaws.com instead; every region of this
    // design (us-east-1, ca-central-1, eu-west-1) is older and uses the account.
    const elbDelivery =
      (args.elbLogDelivery ?? true)
        ? {
            principalArn: aws.elb.getServiceAccountOutput({ region }, { parent: this }).arn,
            accountId: aws.getCallerIdentityOutput({}, { parent: this }).accountId,
          }
        : undefined;

    const s3Delivery = args.serverAccessLogsFrom
      ? {
          sourceBucketArn: args.serverAccessLogsFrom,
          accountId: aws.getCallerIdentityOutput({}, { parent: this }).accountId,
        }
      : undefined;
    const policy = new aws.s3.BucketPolicy(
      `${name}-policy`,
      { region, bucket: bucket.id, policy: accessLogBucketPolicy(bucket.arn, elbDelivery, s3Delivery) },
      // S3 rejects concurrent changes to one bucket's configuration, and the public access block
      // decides which policies are accepted: apply the block first.
      { parent: this, dependsOn: [publicAccessBlock] },
    );

    if (args.serverAccessLogs) {
      const accessLogs = new AccessLogBucket(
        `${name}-access-logs`,
        {
          expirationDays: args.expirationDays,
          abortIncompleteUploadDays,
          elbLogDelivery: false,
          region,
          protect: args.protect,
          serverAccessLogsFrom: bucket.arn,
        },
        { parent: this },
      );
      // S3 server access logging, best effort and delayed by hours (S3 User Guide, "Logging requests
      // with server access logging"): the record of who read or changed a report. The target's name
      // comes from its policy resource, so logging starts only once S3 may write there.
      new aws.s3.BucketLogging(
        `${name}-access-logging`,
        {
          region,
          bucket: bucket.id,
          targetBucket: accessLogs.bucketName,
          targetPrefix: SERVER_ACCESS_LOG_PREFIX,
        },
        { parent: this },
      );
    }

    this.publish({
      // The ALB checks that it can write its test object when access logging is enabled, so anything
      // that consumes the name must wait for the policy: take the name from the policy resource.
      bucketName: policy.bucket,
      bucketArn: bucket.arn,
    });
  }
}
