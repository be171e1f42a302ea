/**
 * The WAF policies (policy/rules/waf.ts), condition by condition, both ways, with the exact message:
 * rules given as `rules` or as the WAF API's JSON (`ruleJson`), managed groups that only count or
 * whose rules are overridden to count, metrics, logging and the association with public ALBs.
 */
import { expect } from "chai";
import { TYPES } from "../policy/rules/common";
import { dep, findings, messages, res } from "./policyHelpers";

const COMMON = "AWSManagedRulesCommonRuleSet";
const BAD_INPUTS = "AWSManagedRulesKnownBadInputsRuleSet";
const visible = (metricName: string) => ({
  cloudwatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
  metricName,
});
const managed = (
  name: string,
  over: Record<string, unknown> = {},
  statement: Record<string, unknown> = {},
) => ({
  name,
  priority: 1,
  overrideAction: { none: {} },
  statement: { managedRuleGroupStatement: { vendorName: "AWS", name, ...statement } },
  visibilityConfig: visible(name),
  ...over,
});
const rate = (over: Record<string, unknown> = {}) => ({
  name: "rate",
  priority: 0,
  action: { block: {} },
  statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: "IP" } },
  visibilityConfig: visible("rate"),
  ...over,
});
const acl = (
  rules: object[] = [rate(), managed(COMMON), managed(BAD_INPUTS)],
  over: Record<string, unknown> = {},
) =>
  res(
    TYPES.webAcl,
    "web-acl",
    { scope: "REGIONAL", defaultAction: { allow: {} }, rules, visibilityConfig: visible("acl"), ...over },
    { out: { arn: "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/web/abc" } },
  );
/** The same rules as the WAF API writes them (`ruleJson`). */
const apiRule = (
  name: string,
  over: Record<string, unknown> = {},
  statement: Record<string, unknown> = {},
) => ({
  Name: name,
  Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: name, ...statement } },
  OverrideAction: { None: {} },
  ...over,
});
const jsonAcl = (rules: object[]) => acl([], { rules: undefined, ruleJson: JSON.stringify(rules) });

describe("WAF policies", () => {
  describe("waf-managed-rule-groups", () => {
    const name = "waf-managed-rule-groups";
    it("passes the required groups blocking, in rules or in the API's JSON, and overrides that still block", async () => {
      expect(await messages(name, [acl()])).to.deep.equal([]);
      expect(await messages(name, [jsonAcl([apiRule(COMMON), apiRule(BAD_INPUTS)])])).to.deep.equal([]);
      const blockOrChallenge = {
        ruleActionOverrides: [
          { name: "SizeRestrictions_BODY", actionToUse: { block: {} } },
          { name: "NoUserAgent_HEADER", actionToUse: { challenge: {} } },
        ],
      };
      expect(
        await messages(name, [acl([managed(COMMON, {}, blockOrChallenge), managed(BAD_INPUTS)])]),
      ).to.deep.equal([]);
    });
    it("flags a missing group, or one of another vendor", async () => {
      expect(await messages(name, [acl([managed(COMMON)])])).to.deep.equal([
        `Managed rule group ${BAD_INPUTS} is missing.`,
      ]);
      const other = managed(BAD_INPUTS, {}, { vendorName: "F5" });
      expect(await messages(name, [acl([managed(COMMON), other])])).to.deep.equal([
        `Managed rule group ${BAD_INPUTS} is missing.`,
      ]);
      expect(await messages(name, [acl([])])).to.deep.equal([
        `Managed rule group ${COMMON} is missing.`,
        `Managed rule group ${BAD_INPUTS} is missing.`,
      ]);
      expect(
        await messages(name, [jsonAcl([apiRule(COMMON), apiRule(BAD_INPUTS, {}, { VendorName: "F5" })])]),
      ).to.deep.equal([`Managed rule group ${BAD_INPUTS} is missing.`]);
    });
    it("flags a group set to count (the hand mutation test's survivor), in rules or in JSON", async () => {
      const counting = `Managed rule group ${COMMON} only counts (override action count).`;
      expect(
        await messages(name, [
          acl([managed(COMMON, { overrideAction: { count: {} } }), managed(BAD_INPUTS)]),
        ]),
      ).to.deep.equal([counting]);
      expect(
        await messages(name, [
          acl([managed(COMMON, { overrideAction: undefined, action: { count: {} } }), managed(BAD_INPUTS)]),
        ]),
      ).to.deep.equal([counting]);
      expect(
        await messages(name, [
          jsonAcl([apiRule(COMMON, { OverrideAction: { Count: {} } }), apiRule(BAD_INPUTS)]),
        ]),
      ).to.deep.equal([counting]);
      expect(
        await messages(name, [
          jsonAcl([
            apiRule(COMMON, { OverrideAction: undefined, Action: { Count: {} } }),
            apiRule(BAD_INPUTS),
          ]),
        ]),
      ).to.deep.equal([counting]);
    });
    it("flags rules of a group overridden to count or allow (ruleActionOverrides), in rules or in JSON", async () => {
      const overrides = {
        ruleActionOverrides: [
          { name: "SizeRestrictions_BODY", actionToUse: { count: {} } },
          { name: "CrossSiteScripting_BODY", actionToUse: { block: {} } },
          { name: "GenericLFI_BODY", actionToUse: { allow: {} } },
        ],
      };
      expect(
        await messages(name, [acl([managed(COMMON, {}, overrides), managed(BAD_INPUTS)])]),
      ).to.deep.equal([
        `Managed rule group ${COMMON} overrides SizeRestrictions_BODY, GenericLFI_BODY to count or allow (ruleActionOverrides).`,
      ]);
      const api = {
        RuleActionOverrides: [
          { Name: "Log4JRCE_HEADER", ActionToUse: { Count: {} } },
          { ActionToUse: { Allow: {} } },
          { Name: "Host_localhost_HEADER", ActionToUse: { Block: {} } },
        ],
      };
      expect(await messages(name, [jsonAcl([apiRule(COMMON), apiRule(BAD_INPUTS, {}, api)])])).to.deep.equal([
        `Managed rule group ${BAD_INPUTS} overrides Log4JRCE_HEADER, ? to count or allow (ruleActionOverrides).`,
      ]);
    });
    it("takes the required groups from its config", async () => {
      expect(
        await messages(name, [acl([managed(COMMON)])], { config: { requiredRuleGroups: [COMMON] } }),
      ).to.deep.equal([]);
      expect(
        await messages(name, [acl()], { config: { requiredRuleGroups: ["AWSManagedRulesSQLiRuleSet"] } }),
      ).to.deep.equal(["Managed rule group AWSManagedRulesSQLiRuleSet is missing."]);
    });
  });

  describe("waf-rate-based-rule", () => {
    const name = "waf-rate-based-rule";
    it("wants a rate-based rule that blocks, in rules or in JSON", async () => {
      expect(await messages(name, [acl()])).to.deep.equal([]);
      expect(
        await messages(name, [
          jsonAcl([
            { Name: "rate", Statement: { RateBasedStatement: { Limit: 100 } }, Action: { Block: {} } },
          ]),
        ]),
      ).to.deep.equal([]);
      expect(await messages(name, [acl([managed(COMMON)])])).to.deep.equal(["No blocking rate-based rule."]);
      expect(await messages(name, [acl([rate({ action: { count: {} } })])])).to.deep.equal([
        "No blocking rate-based rule.",
      ]);
      expect(
        await messages(name, [
          jsonAcl([{ Name: "rate", Statement: { RateBasedStatement: {} }, Action: { Count: {} } }]),
        ]),
      ).to.deep.equal(["No blocking rate-based rule."]);
      expect(await messages(name, [acl(undefined, { rules: undefined })])).to.deep.equal([
        "No blocking rate-based rule.",
      ]);
    });
  });

  describe("waf-metrics-and-sampling", () => {
    const name = "waf-metrics-and-sampling";
    it("wants metrics and sampling on the ACL and on each rule, naming what has them off", async () => {
      expect(await messages(name, [acl()])).to.deep.equal([]);
      expect(await messages(name, [acl([], { rules: undefined })])).to.deep.equal([]);
      expect(
        await messages(name, [
          acl(
            [
              rate({ visibilityConfig: { ...visible("rate"), sampledRequestsEnabled: false } }),
              managed(COMMON),
            ],
            {
              visibilityConfig: { ...visible("acl"), cloudwatchMetricsEnabled: false },
            },
          ),
        ]),
      ).to.deep.equal([
        "Metrics or request sampling are off for the web ACL.",
        "Metrics or request sampling are off for rule rate.",
      ]);
      expect(await messages(name, [acl([], { visibilityConfig: undefined })])).to.deep.equal([
        "Metrics or request sampling are off for the web ACL.",
      ]);
    });
  });

  describe("waf-logging-redacts-credentials", () => {
    const name = "waf-logging-redacts-credentials";
    const logging = (over: Record<string, unknown>) =>
      res(TYPES.webAclLogging, "logging", {
        resourceArn: "arn",
        logDestinationConfigs: ["arn:logs"],
        ...over,
      });
    it("wants a destination and both credential headers redacted, in any case", async () => {
      const both = [
        { singleHeader: { name: "Authorization" } },
        { uriPath: {} },
        { singleHeader: { name: "COOKIE" } },
      ];
      expect(await messages(name, [logging({ redactedFields: both })])).to.deep.equal([]);
      expect(
        await messages(name, [logging({ logDestinationConfigs: [], redactedFields: both })]),
      ).to.deep.equal(["No log destination."]);
      expect(
        await messages(name, [
          logging({
            logDestinationConfigs: undefined,
            redactedFields: [{ singleHeader: { name: "authorization" } }],
          }),
        ]),
      ).to.deep.equal(["No log destination.", "Header cookie is not redacted."]);
      expect(await messages(name, [logging({})])).to.deep.equal([
        "Header authorization is not redacted.",
        "Header cookie is not redacted.",
      ]);
    });
  });

  describe("waf-associated-with-public-albs", () => {
    const name = "waf-associated-with-public-albs";
    const lb = (lbName: string, inputs: Record<string, unknown>) =>
      res(TYPES.loadBalancer, lbName, inputs, {
        out: { arn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/${lbName}/1` },
      });
    it("is not applicable without an internet-facing application load balancer", async () => {
      const found = await findings(name, [
        lb("backend-alb", { internal: true }),
        lb("nlb", { internal: false, loadBalancerType: "network" }),
      ]);
      expect(found.notApplicable).to.deep.equal(["No internet-facing application load balancer"]);
    });
    it("names each internet-facing ALB without an association", async () => {
      const a = lb("frontend-alb", {});
      const b = lb("admin-alb", { internal: false, loadBalancerType: "application" });
      const association = res(
        TYPES.webAclAssociation,
        "assoc",
        { resourceArn: "unknown", webAclArn: "arn" },
        dep("resourceArn", a),
      );
      const found = await findings(name, [a, b, association]);
      expect(found.messages).to.deep.equal(["Internet-facing ALB admin-alb has no web ACL association."]);
      expect(found.on).to.deep.equal(["admin-alb"]);
    });
  });

  describe("waf-logging-enabled", () => {
    const name = "waf-logging-enabled";
    it("is not applicable without a web ACL, and names each ACL without logging", async () => {
      expect((await findings(name, [])).notApplicable).to.deep.equal(["No web ACL"]);
      const found = await findings(name, [acl()]);
      expect(found.messages).to.deep.equal(["Web ACL web-acl has no logging configuration."]);
      expect(found.on).to.deep.equal(["web-acl"]);
      const logging = res(TYPES.webAclLogging, "logging", {
        resourceArn: "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/web/abc",
      });
      expect(await messages(name, [acl(), logging])).to.deep.equal([]);
    });
  });
});
