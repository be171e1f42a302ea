/**
 * Confused-deputy guards on every statement that lets an AWS service principal in (issue 21.5). A
 * service acting for a resource of ANY account presents the same service principal; only
 * `aws:SourceArn` / `aws:SourceAccount` (or a key the service documents in their place) tell this
 * account's alarm, vault, rule or log group from another account's ("We recommend using the
 * aws:SourceArn, aws:SourceAccount, aws:SourceOrgID, or aws:SourceOrgPaths global condition context
 * keys in resource-based policies to limit the permissions that a service has to a specific
 * resource", IAM User Guide, "The confused deputy problem",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 *
 * The statements are found, not listed: every Allow with a `Principal.Service` in any policy document
 * the stacks register (tools/iamPolicies.ts's discovery: trust, key, bucket, topic, vault, endpoint
 * policies), and every Lambda permission (a statement of the function's resource policy, written by
 * `AddPermission`). Each must carry a condition key its service documents, positively (no `Not`, no
 * `IfExists`, which would pass when the key is absent) and naming this account; or be in
 * NO_SOURCE_CONDITION with the reason the service's documentation gives none.
 */
import { DocumentKind, policyDocuments, Statement } from "./iamPolicies";
import type { RecordedResource, StackRun } from "./mocks";

/** One service principal let in by one statement. */
export interface ServiceStatement {
  stack: string;
  /** `<type> <name>.<input>`, as tools/iamPolicies.ts names a document. */
  where: string;
  /** The document's kind, or `permission` for a Lambda permission. */
  kind: DocumentKind | "permission";
  sid?: string;
  principal: string;
  /** Operator → key → value(s), as in a policy's Condition. */
  condition: Record<string, Record<string, unknown>>;
}

/** The condition keys a service documents against the confused deputy, and where. */
export interface SourceConditionRule {
  /** The service principal (a pattern for the regional ones, `logs.<region>.amazonaws.com`). */
  principal: string | RegExp;
  /** Any one of these keys, naming this account, guards a statement. */
  keys: string[];
  /** The page (and its words, or what is unverified). */
  source: string;
}

export const SOURCE_CONDITION_RULES: SourceConditionRule[] = [
  {
    principal: "backup.amazonaws.com",
    keys: ["aws:SourceArn", "aws:SourceAccount"],
    source:
      'AWS Backup Developer Guide, "Cross-service confused deputy prevention": "The value of aws:SourceArn must be a ' +
      'AWS Backup vault when using AWS Backup to publish Amazon SNS topics on your behalf" ' +
      "(https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-service-confused-deputy-prevention.html). " +
      "On the topic's key: unverified for AWS Backup (components/notificationTopic.ts)",
  },
  {
    principal: "events.amazonaws.com",
    keys: ["aws:SourceArn", "aws:SourceAccount"],
    source:
      'EventBridge User Guide, "Cross-service confused deputy prevention in Amazon EventBridge": "For EventBridge ' +
      'event bus rule targets, the value of aws:SourceArn must be the rule ARN" ' +
      "(https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html); " +
      '"AWS Lambda permissions" (eb-use-resource-based.html) for a function. On the topic\'s key: unverified for ' +
      "EventBridge (components/notificationTopic.ts)",
  },
  {
    principal: "cloudwatch.amazonaws.com",
    keys: ["aws:SourceArn", "aws:SourceAccount"],
    source:
      'IAM User Guide, "The confused deputy problem"; the Knowledge Center\'s cloudwatch-receive-sns-for-alarm-trigger ' +
      "scopes CloudWatch alarms' SNS:Publish by aws:SourceArn (the alarm). On the topic's key: aws:SourceAccount " +
      "(components/notificationTopic.ts)",
  },
  {
    principal: "vpc-flow-logs.amazonaws.com",
    keys: ["aws:SourceArn", "aws:SourceAccount"],
    source:
      'Amazon VPC User Guide, "IAM role for publishing flow logs to CloudWatch Logs": its trust policy sets both ' +
      "(components/regionalVpc.ts)",
  },
  {
    principal: "logging.s3.amazonaws.com",
    keys: ["aws:SourceArn", "aws:SourceAccount"],
    source:
      'Amazon S3 User Guide, "Permissions for server access log delivery": aws:SourceArn (the source bucket, ' +
      "whose ARN names no account) and aws:SourceAccount (components/accessLogBucket.ts)",
  },
  {
    principal: /^logs\.[a-z0-9-]+\.amazonaws\.com$/,
    keys: ["kms:EncryptionContext:aws:logs:arn", "aws:SourceArn", "aws:SourceAccount"],
    source:
      'CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS": the key policy statement ' +
      "is scoped by kms:EncryptionContext:aws:logs:arn, the log group's ARN (components/regionKey.ts)",
  },
];

/** A service principal that, in one kind of document, carries no source condition, and why. */
export interface SourceConditionExemption {
  principal: string;
  kind: ServiceStatement["kind"];
  why: string;
}

/**
 * Service principals whose service documents no source condition for that use. Adding a key the
 * service does not send would deny it (an Allow whose condition key is absent does not match), and a
 * role nobody can assume breaks silently at the worst moment: an instance without credentials, a
 * backup or a failover plan that cannot start. The principal can still act only for this account's
 * resources that name the role (iam:PassRole, which the deploy role alone holds).
 */
export const NO_SOURCE_CONDITION: SourceConditionExemption[] = [
  {
    principal: "ec2.amazonaws.com",
    kind: "trust",
    why:
      'EC2 documents none for the role of an instance profile (EC2 User Guide, "IAM roles for Amazon EC2": its ' +
      "trust policy has no condition); whether EC2 sets aws:SourceAccount or aws:SourceArn when it gets an " +
      "instance's credentials: unverified (components/tierAsg.ts)",
  },
  {
    principal: "backup.amazonaws.com",
    kind: "trust",
    why:
      "AWS Backup documents aws:SourceArn only for publishing to SNS (a vault ARN); the trust policy of its service " +
      'role has none (AWS Backup Developer Guide, "Default service role for AWS Backup", ' +
      "AWSBackupDefaultServiceRole); unverified that AWS Backup sets them when it assumes the role " +
      "(components/backups.ts)",
  },
  {
    principal: "lambda.amazonaws.com",
    kind: "trust",
    why:
      'Lambda Developer Guide, "Defining Lambda function permissions with an execution role": the trust policy ' +
      "names lambda.amazonaws.com with no condition, and the guide's aws:SourceArn \"applies only to policies where " +
      'your Lambda function is the target resource" ("Using source function ARN to control function access ' +
      'behavior"); that Lambda sets aws:SourceAccount when it assumes an execution role is unverified. A role ' +
      "cannot be passed to another account's function (iam:PassRole), the guard that remains " +
      "(components/homeProbe.ts, components/appDatabaseUser.ts)",
  },
  {
    principal: "arc-region-switch.amazonaws.com",
    kind: "trust",
    why:
      'ARC Developer Guide, "Trust policy for the execution role": it documents no condition keys that ARC sets ' +
      "when it assumes the role (components/failoverPlan.ts)",
  },
];

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function principalsOf(s: Statement): string[] {
  const p = s.Principal;
  if (typeof p !== "object" || p === null || !("Service" in p)) return [];
  return asList((p as { Service: unknown }).Service).map(String);
}

/**
 * A Lambda permission as the statement `AddPermission` writes: SourceArn becomes
 * `ArnLike AWS:SourceArn`, SourceAccount `StringEquals AWS:SourceAccount` (Lambda API Reference,
 * AddPermission, and the policy it shows).
 */
function permissionStatement(stack: string, r: RecordedResource): ServiceStatement {
  const condition: ServiceStatement["condition"] = {};
  if (r.inputs.sourceArn !== undefined) condition.ArnLike = { "AWS:SourceArn": r.inputs.sourceArn };
  if (r.inputs.sourceAccount !== undefined)
    condition.StringEquals = { "AWS:SourceAccount": r.inputs.sourceAccount };
  return {
    stack,
    where: `${r.type} ${r.name}.principal`,
    kind: "permission",
    principal: String(r.inputs.principal),
    condition,
  };
}

const LAMBDA_PERMISSION = "aws:lambda/permission:Permission";

/**
 * Every service principal every Allow statement of a run lets in, and every Lambda permission. Any
 * other resource with a service `principal` input is returned as kind `permission` too, so that a
 * new kind of grant (an SNS or Logs permission resource) is checked rather than missed.
 */
export function serviceStatements(run: Pick<StackRun, "stack" | "resources">): ServiceStatement[] {
  const found: ServiceStatement[] = [];
  for (const doc of policyDocuments(run)) {
    const statements = Array.isArray(doc.document.Statement)
      ? doc.document.Statement
      : [doc.document.Statement];
    for (const s of statements) {
      if (s.Effect !== "Allow") continue;
      for (const principal of principalsOf(s)) {
        found.push({
          stack: doc.stack,
          where: doc.where,
          kind: doc.kind,
          sid: s.Sid,
          principal,
          condition: (s.Condition ?? {}) as ServiceStatement["condition"],
        });
      }
    }
  }
  for (const r of run.resources) {
    const principal = r.inputs.principal;
    if (
      r.type === LAMBDA_PERMISSION ||
      (typeof principal === "string" && principal.endsWith(".amazonaws.com"))
    ) {
      found.push(permissionStatement(run.stack, r));
    }
  }
  return found;
}

const matches = (pattern: string | RegExp, principal: string) =>
  typeof pattern === "string" ? pattern === principal : pattern.test(principal);

export function ruleFor(principal: string): SourceConditionRule | undefined {
  return SOURCE_CONDITION_RULES.find((r) => matches(r.principal, principal));
}

export function exemptionFor(
  s: Pick<ServiceStatement, "principal" | "kind">,
): SourceConditionExemption | undefined {
  return NO_SOURCE_CONDITION.find((e) => e.principal === s.principal && e.kind === s.kind);
}

/**
 * Whether a condition operator requires its key to be present and to match: not a negation (which
 * an absent key satisfies), not `...IfExists`, not `Null`; ForAllValues passes on an absent key too.
 */
function requiresMatch(operator: string): boolean {
  return !/Not|IfExists$|^Null$|^ForAllValues:/i.test(operator);
}

/**
 * Why a statement is not guarded (undefined when it is): an exempt principal passes; otherwise one of
 * its service's documented keys must appear under a positive operator with every value naming the
 * account.
 */
export function unguarded(s: ServiceStatement, accountId: string): string | undefined {
  if (exemptionFor(s)) return undefined;
  const at = `${s.stack}: ${s.where}${s.sid ? ` (${s.sid})` : ""} lets ${s.principal} in`;
  const rule = ruleFor(s.principal);
  if (!rule) {
    return `${at}, a service with no recorded confused-deputy keys: add its documentation to SOURCE_CONDITION_RULES or, if it documents none, an exemption to NO_SOURCE_CONDITION (tools/servicePrincipals.ts)`;
  }
  const wanted = new Set(rule.keys.map((k) => k.toLowerCase()));
  for (const [operator, keys] of Object.entries(s.condition)) {
    if (!requiresMatch(operator)) continue;
    for (const [key, value] of Object.entries(keys ?? {})) {
      if (!wanted.has(key.toLowerCase())) continue;
      const values = asList(value);
      if (values.length > 0 && values.every((v) => typeof v === "string" && v.includes(accountId))) {
        return undefined;
      }
    }
  }
  return `${at} without ${rule.keys.join(" or ")} naming account ${accountId} (${rule.source})`;
}
