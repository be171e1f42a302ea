/**
 * CloudWatch Logs encryption: every log group on a customer managed key, and that key's policy lets
 * CloudWatch Logs use it. Flow logs, WAF logs, database logs and Lambda logs hold addresses, request
 * headers and SQL: data at rest like any other.
 */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import {
  isSet,
  known,
  ofType,
  PackResourcePolicy,
  PackStackPolicy,
  perResource,
  policyDocument,
  prop,
  refersTo,
  serviceGrants,
  TYPES,
} from "./common";
import { regionOf } from "./failover";

export const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

/** What CloudWatch Logs needs of a key to write and read a log group (encrypt-log-data-kms.html). */
export const LOGS_KEY_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey"];

export const logGroupEncrypted: PackResourcePolicy = {
  name: "log-group-encrypted-with-cmk",
  description: "CloudWatch log groups are encrypted with a customer managed KMS key (`kmsKeyId`).",
  rationale:
    "Flow, WAF, database and function logs hold addresses, request headers and SQL; our key decides who reads them and can be revoked.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Set `kmsKeyId` to the region's data key (components/regionKey.ts), whose policy lets logs.<region>.amazonaws.com use it.",
  validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (logGroup, _args, report) => {
    if (!isSet(logGroup, "kmsKeyId")) report("No kmsKeyId: the log group uses CloudWatch Logs' own key.");
  }),
};

export const logGroupKeyPolicy: PackStackPolicy = {
  name: "log-group-key-allows-cloudwatch-logs",
  description:
    "A KMS key of the stack that encrypts a log group lets `logs.<region>.amazonaws.com` encrypt and decrypt with it, scoped by the `kms:EncryptionContext:aws:logs:arn` condition.",
  rationale:
    "CloudWatch Logs uses the key as its own service principal; without that statement creating or associating the log group fails, and the context condition keeps other accounts' log groups off the key.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    'Add to the key policy: Principal `{ Service: "logs.<region>.amazonaws.com" }`, Action kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe*, Condition `ArnLike` `kms:EncryptionContext:aws:logs:arn` = `arn:aws:logs:<region>:<account>:log-group:*` (components/regionKey.ts).',
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const keys = ofType(args, TYPES.kmsKey);
    const encrypted = ofType(args, LOG_GROUP).filter((g) => isSet(g.props, "kmsKeyId"));
    if (encrypted.length === 0) args.notApplicable("No log group with a kmsKeyId");
    for (const logGroup of encrypted) {
      const key = keys.find((k) => refersTo(logGroup, "kmsKeyId", k));
      if (key === undefined) continue; // a key of another stack: its policy is not visible here
      const region = regionOf(logGroup) ?? regionOf(key);
      const service = `logs.${region ?? "<region>"}.amazonaws.com`;
      const policy = isSet(key.props, "policy") ? known(() => prop<unknown>(key, "policy")) : undefined;
      if (isSet(key.props, "policy") && policy === undefined) continue; // unknown during preview
      const grants = serviceGrants(policyDocument(policy), service, LOGS_KEY_ACTIONS);
      if (grants.length === 0) {
        report(
          `Key ${key.name} encrypts log group ${logGroup.name} but its policy does not let ${service} use it (${LOGS_KEY_ACTIONS.join(", ")}).`,
          key,
        );
        continue;
      }
      const scoped = grants.some((g) =>
        Object.values(g.Condition ?? {}).some((c) => "kms:EncryptionContext:aws:logs:arn" in c),
      );
      if (!scoped) {
        report(
          `Key ${key.name} lets ${service} use it without a kms:EncryptionContext:aws:logs:arn condition: any account's log group in the region could.`,
          key,
        );
      }
    }
  },
};

export const logPolicies = [logGroupEncrypted, logGroupKeyPolicy];
