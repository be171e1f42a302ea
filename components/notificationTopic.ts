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
 * dropped. CloudWatch's statement is scoped to this account with aws:SourceAccount; for AWS Backup and
 * EventBridge no AWS page we found shows a condition on the key statement (the Knowledge Center's
 * "sns-not-getting-eventbridge-notification" shows none), so theirs have none: the topic policy, which
 * they also need, is where their confused-deputy conditions are. The account root statement keeps the
 * key manageable through IAM.
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
      })),
    ],
  };
}

/**
 * The topic policy when services other than CloudWatch alarms publish: a topic policy replaces the
 * default one, so its statement (the account's principals, `AWS:SourceOwner` = the account, which is
 * also how this account's alarms publish) is kept as it is, and each publisher is added:
 * - AWS Backup, as the provider's backup_vault_notifications example does (Principal
 *   backup.amazonaws.com, SNS:Publish). AWS documents no condition for it; one that AWS Backup's
 *   requests did not carry would silently drop every vault notification, so none is set.
 * - EventBridge, limited to this account's rules in this region (`aws:SourceArn`), the confused-deputy
 *   guard of the EventBridge User Guide's SNS example ("Amazon SNS permissions"; its exact wording in
 *   the current page: unverified).
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
    ...(publisher === "events"
      ? {
          Condition: {
            ArnLike: { "aws:SourceArn": `arn:${partition}:events:${region}:${accountId}:rule/*` },
          },
        }
      : {}),
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
