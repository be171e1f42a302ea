/**
 * WAFv2: the web ACL runs AWS managed rule groups and a rate limit, is observable, logs, and is
 * associated with every internet-facing ALB.
 */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { Unwrap } from "@pulumi/pulumi";
import {
  internetFacingLoadBalancers,
  isApplicationLoadBalancer,
  ofType,
  PackResourcePolicy,
  PackStackPolicy,
  perResource,
  refersTo,
  TYPES,
} from "./common";

type WebAclRule = Unwrap<aws.types.input.wafv2.WebAclRule>;

/** A rule reduced to what the policies look at, from `rules` or from the WAF API JSON in `ruleJson`. */
interface RuleSummary {
  name: string;
  managedGroup?: { vendorName: string; name: string };
  rateBased: boolean;
  /** The rule only counts: its action, or a managed group's override action, is count. */
  counts: boolean;
  /** Rules of a managed group whose action is overridden to count or allow (`ruleActionOverrides`). */
  weakened: string[];
}

interface ApiRule {
  Name?: string;
  Statement?: {
    ManagedRuleGroupStatement?: {
      VendorName?: string;
      Name?: string;
      RuleActionOverrides?: { Name?: string; ActionToUse?: { Count?: object; Allow?: object } }[];
    };
    RateBasedStatement?: object;
  };
  OverrideAction?: { Count?: object };
  Action?: { Count?: object };
}

export function summarizeRules(rules: WebAclRule[] | undefined, ruleJson: string | undefined): RuleSummary[] {
  const summaries: RuleSummary[] = (rules ?? []).map((rule) => {
    const group = rule.statement?.managedRuleGroupStatement;
    return {
      name: rule.name,
      managedGroup: group ? { vendorName: group.vendorName, name: group.name } : undefined,
      rateBased: rule.statement?.rateBasedStatement !== undefined,
      counts: rule.overrideAction?.count !== undefined || rule.action?.count !== undefined,
      weakened: (group?.ruleActionOverrides ?? [])
        .filter((o) => o.actionToUse?.count !== undefined || o.actionToUse?.allow !== undefined)
        .map((o) => o.name),
    };
  });
  if (ruleJson) {
    for (const rule of JSON.parse(ruleJson) as ApiRule[]) {
      const group = rule.Statement?.ManagedRuleGroupStatement;
      summaries.push({
        name: rule.Name ?? "",
        managedGroup: group ? { vendorName: group.VendorName ?? "", name: group.Name ?? "" } : undefined,
        rateBased: rule.Statement?.RateBasedStatement !== undefined,
        counts: rule.OverrideAction?.Count !== undefined || rule.Action?.Count !== undefined,
        weakened: (group?.RuleActionOverrides ?? [])
          .filter((o) => o.ActionToUse?.Count !== undefined || o.ActionToUse?.Allow !== undefined)
          .map((o) => o.Name ?? "?"),
      });
    }
  }
  return summaries;
}

export const wafManagedRuleGroups: PackResourcePolicy = {
  name: "waf-managed-rule-groups",
  description:
    "The web ACL runs the required AWS managed rule groups, blocking (not count-only, no rule overridden to count or allow).",
  rationale: "AWS-maintained rules cover OWASP-style attacks and known exploit payloads without upkeep.",
  enforcementLevel: "advisory",
  severity: "high",
  remediationSteps:
    'Add a rule `{ statement: { managedRuleGroupStatement: { vendorName: "AWS", name } }, overrideAction: { none: {} } }` per group, with no `ruleActionOverrides` to count or allow.',
  configSchema: {
    properties: {
      requiredRuleGroups: {
        type: "array",
        items: { type: "string" },
        default: ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"],
        description: "AWS managed rule groups every web ACL runs.",
      },
    },
  },
  validateResource: validateResourceOfType(aws.wafv2.WebAcl, (acl, args, report) => {
    const { requiredRuleGroups } = args.getConfig<{ requiredRuleGroups: string[] }>();
    const rules = summarizeRules(acl.rules, acl.ruleJson);
    for (const group of requiredRuleGroups) {
      const rule = rules.find((r) => r.managedGroup?.vendorName === "AWS" && r.managedGroup.name === group);
      if (rule === undefined) report(`Managed rule group ${group} is missing.`);
      else if (rule.counts) report(`Managed rule group ${group} only counts (override action count).`);
      else if (rule.weakened.length > 0) {
        // A rule overridden to count lets what it matches through; one overridden to allow lets it
        // skip every rule after it.
        report(
          `Managed rule group ${group} overrides ${rule.weakened.join(", ")} to count or allow (ruleActionOverrides).`,
        );
      }
    }
  }),
};

export const wafRateLimit: PackResourcePolicy = {
  name: "waf-rate-based-rule",
  description: "The web ACL has a rate-based rule.",
  rationale: "A per-IP rate limit cuts off floods and credential stuffing before they reach the instances.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps: "Add a rule with `statement.rateBasedStatement` and a block action.",
  validateResource: validateResourceOfType(aws.wafv2.WebAcl, (acl, _args, report) => {
    if (!summarizeRules(acl.rules, acl.ruleJson).some((r) => r.rateBased && !r.counts)) {
      report("No blocking rate-based rule.");
    }
  }),
};

export const wafVisibility: PackResourcePolicy = {
  name: "waf-metrics-and-sampling",
  description: "The web ACL and each of its rules publish CloudWatch metrics and sample requests.",
  rationale: "Without metrics a blocked attack (or a rule blocking real users) is invisible.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps:
    "Set `cloudwatchMetricsEnabled: true` and `sampledRequestsEnabled: true` in every visibilityConfig.",
  validateResource: validateResourceOfType(aws.wafv2.WebAcl, (acl, _args, report) => {
    const configs = [
      { owner: "the web ACL", config: acl.visibilityConfig },
      ...(acl.rules ?? []).map((r) => ({ owner: `rule ${r.name}`, config: r.visibilityConfig })),
    ];
    for (const { owner, config } of configs) {
      if (config?.cloudwatchMetricsEnabled !== true || config.sampledRequestsEnabled !== true) {
        report(`Metrics or request sampling are off for ${owner}.`);
      }
    }
  }),
};

export const wafLoggingDestination: PackResourcePolicy = {
  name: "waf-logging-redacts-credentials",
  description: "WAF logging has a destination and redacts the authorization and cookie headers.",
  rationale: "WAF logs hold full request headers; session tokens must not end up in a log group.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    'Set `logDestinationConfigs` and `redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }]`.',
  validateResource: validateResourceOfType(aws.wafv2.WebAclLoggingConfiguration, (logging, _args, report) => {
    if ((logging.logDestinationConfigs ?? []).length === 0) report("No log destination.");
    const redacted = (logging.redactedFields ?? []).map((f) => f.singleHeader?.name.toLowerCase());
    for (const header of ["authorization", "cookie"]) {
      if (!redacted.includes(header)) report(`Header ${header} is not redacted.`);
    }
  }),
};

export const wafOnPublicAlbs: PackStackPolicy = {
  name: "waf-associated-with-public-albs",
  description: "Every internet-facing application load balancer has a WAF web ACL association.",
  rationale: "The architecture's firewall only protects the ALBs it is associated with.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Create an `aws.wafv2.WebAclAssociation` with the ALB's ARN as `resourceArn`.",
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const albs = internetFacingLoadBalancers(args).filter(isApplicationLoadBalancer);
    if (albs.length === 0) args.notApplicable("No internet-facing application load balancer");
    const associations = ofType(args, TYPES.webAclAssociation);
    for (const alb of albs) {
      if (!associations.some((a) => refersTo(a, "resourceArn", alb))) {
        report(`Internet-facing ALB ${alb.name} has no web ACL association.`, alb);
      }
    }
  },
};

export const wafLoggingEnabled: PackStackPolicy = {
  name: "waf-logging-enabled",
  description: "Every web ACL has a logging configuration.",
  rationale: "Blocked and allowed requests are the evidence of an attack and of false positives.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Create an `aws.wafv2.WebAclLoggingConfiguration` for the web ACL (log group `aws-waf-logs-*`).",
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const acls = ofType(args, TYPES.webAcl);
    if (acls.length === 0) args.notApplicable("No web ACL");
    const loggings = ofType(args, TYPES.webAclLogging);
    for (const acl of acls) {
      if (!loggings.some((l) => refersTo(l, "resourceArn", acl))) {
        report(`Web ACL ${acl.name} has no logging configuration.`, acl);
      }
    }
  },
};

export const wafPolicies = [
  wafManagedRuleGroups,
  wafRateLimit,
  wafVisibility,
  wafLoggingDestination,
  wafOnPublicAlbs,
  wafLoggingEnabled,
];
