/**
 * Where alarms notify: a KMS-encrypted SNS topic with its own key and one e-mail subscription per
 * address, and the key and topic policies that let CloudWatch alarms, AWS Backup and EventBridge
 * publish to it. Each region's ops topic (Observability) and the control stack's topic of the Route 53
 * health-check alarms (FailoverRouting) are one of these.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * AWS services other than CloudWatch alarms that may publish to a topic: AWS Backup's vault
 * notifications and EventBridge rules (the failed-backup-job rule of components/backups.ts).
 */
export type TopicPublisher = "backup" | "events";
const PUBLISHER_PRINCIPALS: Record<TopicPublisher, string> = {
  backup: "backup.amazonaws.com",
  events: "events.amazonaws.com",
};

/**
 * Key policy of a topic's key. A service that publishes to an encrypted topic needs the topic's key
 * (kms:GenerateDataKey*, kms:Decrypt) for itself: "If you want to use a AWS KMS-encrypted Amazon SNS
 * topic to send notifications, you must also enable compatibility between the event source ... and the
 * encrypted topic" (SNS Developer Guide, "Enable compatibility between event sources from AWS services
 * and encrypted topics"). Without it the alarms, vault events and rules fire but every notification is
 * dropped. The account root statement keeps the key manageable through IAM.
 *
 * Every service statement is held to this account with aws:SourceAccount, the confused-deputy guard
 * ("We recommend using the aws:SourceArn, aws:SourceAccount ... global condition context keys in
 * resource-based policies", IAM User Guide, "The confused deputy problem",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html): without it any account's
 * alarm, vault or event bus could have the service use this key. Both publishers document the keys
 * for their resource policies: AWS Backup ("Cross-service confused deputy prevention", AWS Backup
 * Developer Guide, https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-service-confused-deputy-prevention.html)
 * and EventBridge ("Cross-service confused deputy prevention in Amazon EventBridge", EventBridge User
 * Guide, https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html).
 * That SNS's KMS call for them carries the publisher's source account is shown by AWS for other
 * publishers to encrypted topics (the key statements of AWS End User Messaging SMS, "Amazon SNS
 * access policy", and of GameLift FlexMatch, "Set up an SNS topic with server-side encryption", carry
 * aws:SourceArn); for AWS Backup and EventBridge themselves: unverified, and docs/security.md ("After
 * the first deploy") says how the first failed copy job shows it. aws:SourceAccount rather than
 * aws:SourceArn here: what a key must refuse is another account; which vault or rule of this account
 * may publish is the topic policy's business.
 */
export function opsKeyPolicy(
  partition: string,
  accountId: string,
  publishers: TopicPublisher[] = [],
): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministersThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        // Only on behalf of this account's alarms (the confused-deputy guard).
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
      ...publishers.map((publisher) => ({
        Sid: `${publisher === "backup" ? "AwsBackup" : "EventBridge"}PublishesToEncryptedTopic`,
        Effect: "Allow",
        Principal: { Service: PUBLISHER_PRINCIPALS[publisher] },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      })),
    ],
  };
}

/**
 * Which resources of this account may publish as each service: the `aws:SourceArn` pattern the
 * service documents, with `aws:SourceAccount` (the same account; both pages ask for one account in
 * both keys when both are used).
 * - AWS Backup: "The value of aws:SourceArn must be a AWS Backup vault when using AWS Backup to
 *   publish Amazon SNS topics on your behalf" (AWS Backup Developer Guide, "Cross-service confused
 *   deputy prevention"): this account's vaults in this region (the stack's vault name is fixed, but
 *   the topic is built before the vault, in another component; every vault here is this account's).
 * - EventBridge: "For EventBridge event bus rule targets, the value of aws:SourceArn must be the rule
 *   ARN" (EventBridge User Guide, "Cross-service confused deputy prevention in Amazon EventBridge");
 *   aws:SourceAccount is "the account where the rule specified by aws:SourceArn exists" ("Using IAM
 *   policy conditions in Amazon EventBridge"). An earlier version of "Using resource-based policies
 *   for Amazon EventBridge" said condition blocks could not be used in SNS topic policies for
 *   EventBridge (awsdocs/amazon-eventbridge-user-guide, archived); the current confused-deputy page
 *   asks for them. Delivery with them on a live account: unverified (docs/security.md).
 */
function publisherSourceCondition(
  publisher: TopicPublisher,
  partition: string,
  accountId: string,
  region: string,
): Record<string, Record<string, string>> {
  const source =
    publisher === "backup"
      ? `arn:${partition}:backup:${region}:${accountId}:backup-vault:*`
      : `arn:${partition}:events:${region}:${accountId}:rule/*`;
  return { ArnLike: { "aws:SourceArn": source }, StringEquals: { "aws:SourceAccount": accountId } };
}

/**
 * The topic policy when services other than CloudWatch alarms publish: a topic policy replaces the
 * default one, so its statement (the account's principals, `AWS:SourceOwner` = the account, which is
 * also how this account's alarms publish) is kept as it is, and each publisher is added
 * (SNS:Publish, as the provider's backup_vault_notifications example and the EventBridge User
 * Guide's "Amazon SNS permissions" have it), held to this account's vaults or rules in this region
 * by `publisherSourceCondition`.
 */
export function opsTopicPolicy(
  partition: string,
  accountId: string,
  region: string,
  topicArn: string,
  publishers: TopicPublisher[],
): object {
  const publish = (publisher: TopicPublisher) => ({
    Sid: `${publisher === "backup" ? "AwsBackup" : "EventBridgeRules"}Publish`,
    Effect: "Allow",
    Principal: { Service: PUBLISHER_PRINCIPALS[publisher] },
    Action: "SNS:Publish",
    Resource: topicArn,
    Condition: publisherSourceCondition(publisher, partition, accountId, region),
  });
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountDefault",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: [
          "SNS:GetTopicAttributes",
          "SNS:SetTopicAttributes",
          "SNS:AddPermission",
          "SNS:RemovePermission",
          "SNS:DeleteTopic",
          "SNS:Subscribe",
          "SNS:ListSubscriptionsByTopic",
          "SNS:Publish",
        ],
        Resource: topicArn,
        Condition: { StringEquals: { "AWS:SourceOwner": accountId } },
      },
      ...publishers.map(publish),
    ],
  };
}

/** Resource-name-safe form of an e-mail address. */
function subscriptionSuffix(email: string): string {
  return email.replace(/[^a-z0-9]+/g, "-");
}

/**
 * A KMS-encrypted SNS topic with its own key (whose policy lets CloudWatch alarms, and the given
 * `publishers`, publish), a topic policy when there are publishers, and one e-mail subscription per
 * address, created as children of `parent`. Used for each region's ops topic
 * and for the control stack's topic of the Route 53 health-check alarms.
 */
export function notificationTopic(
  parent: pulumi.Resource,
  prefix: string,
  emails: string[],
  tags: Record<string, string>,
  protectKey: boolean,
  publishers: TopicPublisher[] = [],
): aws.sns.Topic {
  const opts: pulumi.CustomResourceOptions = { parent };
  const partition = aws.getPartitionOutput({}, opts).partition;
  const accountId = aws.getCallerIdentityOutput({}, opts).accountId;
  const key = new aws.kms.Key(
    `${prefix}-key`,
    {
      description: `Encrypts the ${prefix} alarm notifications`,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: pulumi.jsonStringify(
        pulumi.all([partition, accountId]).apply(([p, account]) => opsKeyPolicy(p, account, publishers)),
      ),
      tags,
    },
    { ...opts, protect: protectKey },
  );
  const topic = new aws.sns.Topic(prefix, { kmsMasterKeyId: key.arn, tags }, opts);
  if (publishers.length > 0) {
    const region = aws.getRegionOutput({}, opts).region;
    new aws.sns.TopicPolicy(
      `${prefix}-policy`,
      {
        arn: topic.arn,
        policy: pulumi.jsonStringify(
          pulumi
            .all([partition, accountId, region, topic.arn])
            .apply(([p, account, r, arn]) => opsTopicPolicy(p, account, r, arn, publishers)),
        ),
      },
      opts,
    );
  }
  // Addresses differing only in case are one mailbox (and would collide as resource names).
  for (const email of [...new Set(emails.map((e) => e.toLowerCase()))]) {
    // E-mail subscriptions stay "pending confirmation" until the recipient clicks the link AWS sends.
    new aws.sns.TopicSubscription(
      `${prefix}-${subscriptionSuffix(email)}`,
      { topic: topic.arn, protocol: "email", endpoint: email },
      opts,
    );
  }
  return topic;
}
