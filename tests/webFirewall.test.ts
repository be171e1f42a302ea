import { expect } from "chai";
import {
  MANAGED_RULE_GROUPS,
  REDACTED_HEADERS,
  WAF_LOG_GROUP_PREFIX,
  WebFirewall,
} from "../components/webFirewall";
import { RecordedResource, StackRun, runProgram } from "../tools/mocks";

const ALB_ARN =
  "arn:aws:elasticloadbalancing:ca-central-1:123456789012:loadbalancer/app/frontend-alb/0123456789abcdef";

interface Rule {
  name: string;
  priority: number;
  action?: Record<string, unknown>;
  overrideAction?: Record<string, unknown>;
  statement: {
    managedRuleGroupStatement?: { name: string; vendorName: string };
    rateBasedStatement?: { limit: number; aggregateKeyType: string };
  };
  visibilityConfig: {
    metricName: string;
    cloudwatchMetricsEnabled: boolean;
    sampledRequestsEnabled: boolean;
  };
}

function only(run: StackRun, type: string): RecordedResource {
  const found = run.resources.filter((r) => r.type === type);
  expect(found, type).to.have.length(1);
  return found[0];
}

const KEY = "arn:aws:kms:ca-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("WebFirewall", () => {
  let run: StackRun;
  let rules: Rule[];

  before(async () => {
    run = await runProgram(
      () => {
        const waf = new WebFirewall("web", {
          loadBalancerArn: ALB_ARN,
          rateLimit: 1500,
          logRetentionDays: 14,
          logKmsKeyArn: KEY,
        });
        return { webAclArn: waf.webAclArn, webAclName: waf.webAclName, logGroupName: waf.logGroupName };
      },
      { stack: "ca-central-1", config: { "aws:region": "ca-central-1" } },
    );
    rules = only(run, "aws:wafv2/webAcl:WebAcl").inputs.rules as Rule[];
  });

  it("is a regional web ACL that allows what no rule blocks, with metrics", () => {
    const acl = only(run, "aws:wafv2/webAcl:WebAcl");
    expect(acl.inputs.scope).to.equal("REGIONAL");
    expect(acl.inputs.defaultAction).to.deep.equal({ allow: {} });
    expect(acl.inputs.visibilityConfig).to.include({
      cloudwatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
    });
    expect(run.outputs.webAclArn).to.equal(acl.outputs.arn);
  });

  it("runs the four AWS managed rule groups with their own actions", () => {
    const managed = rules.filter((r) => r.statement.managedRuleGroupStatement);
    expect(managed.map((r) => r.statement.managedRuleGroupStatement!.name)).to.have.members([
      "AWSManagedRulesCommonRuleSet",
      "AWSManagedRulesKnownBadInputsRuleSet",
      "AWSManagedRulesSQLiRuleSet",
      "AWSManagedRulesAmazonIpReputationList",
    ]);
    expect(MANAGED_RULE_GROUPS).to.have.length(4);
    for (const rule of managed) {
      expect(rule.statement.managedRuleGroupStatement!.vendorName).to.equal("AWS");
      expect(rule.overrideAction).to.deep.equal({ none: {} });
      expect(rule.action).to.equal(undefined);
    }
  });

  it("blocks IPs over the rate limit, before any managed group", () => {
    const rate = rules.filter((r) => r.statement.rateBasedStatement);
    expect(rate).to.have.length(1);
    expect(rate[0].statement.rateBasedStatement).to.deep.equal({ limit: 1500, aggregateKeyType: "IP" });
    expect(rate[0].action).to.deep.equal({ block: {} });
    expect(rate[0].overrideAction).to.equal(undefined);
    expect(rate[0].priority).to.equal(Math.min(...rules.map((r) => r.priority)));
  });

  it("gives every rule a unique priority, name and metric", () => {
    expect(rules).to.have.length(5);
    for (const key of ["priority", "name"] as const) {
      expect(new Set(rules.map((r) => r[key])).size, key).to.equal(rules.length);
    }
    const metrics = rules.map((r) => r.visibilityConfig.metricName);
    expect(new Set(metrics).size).to.equal(rules.length);
    for (const metric of metrics) expect(metric).to.match(/^[A-Za-z0-9_-]{1,128}$/);
  });

  it("protects the given public ALB with this web ACL", () => {
    const association = only(run, "aws:wafv2/webAclAssociation:WebAclAssociation");
    expect(association.inputs.resourceArn).to.equal(ALB_ARN);
    expect(association.inputs.webAclArn).to.equal(run.outputs.webAclArn);
  });

  it("logs to an aws-waf-logs- log group with the configured retention, redacting credentials", () => {
    const logGroup = only(run, "aws:cloudwatch/logGroup:LogGroup");
    expect(logGroup.inputs.name)
      .to.be.a("string")
      .and.satisfy((n: string) => n.startsWith(WAF_LOG_GROUP_PREFIX));
    expect(logGroup.inputs.retentionInDays).to.equal(14);
    expect(logGroup.inputs.kmsKeyId).to.equal(KEY);
    expect(run.outputs.logGroupName).to.equal(logGroup.inputs.name);

    const logging = only(run, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration");
    expect(logging.inputs.resourceArn).to.equal(run.outputs.webAclArn);
    const destinations = logging.inputs.logDestinationConfigs as string[];
    expect(destinations).to.deep.equal([logGroup.outputs.arn]);
    expect(destinations[0]).not.to.match(/:\*$/);
    expect(logging.inputs.redactedFields).to.deep.equal(
      ["authorization", "cookie"].map((name) => ({ singleHeader: { name } })),
    );
    expect(REDACTED_HEADERS).to.deep.equal(["authorization", "cookie"]);
    // The same headers masked at the web ACL, for every output: sampled requests too.
    const acl = only(run, "aws:wafv2/webAcl:WebAcl");
    expect(acl.inputs.dataProtectionConfig).to.deep.equal({
      dataProtections: [
        {
          action: "SUBSTITUTION",
          field: { fieldType: "SINGLE_HEADER", fieldKeys: ["authorization", "cookie"] },
        },
      ],
    });
  });

  it("parents every child to the component", () => {
    const component = only(run, "multi-region-web:edge:WebFirewall");
    const children = run.resources.filter((r) => r.type.startsWith("aws:"));
    expect(children).to.have.length(4);
    for (const child of children) {
      expect(child.parent, child.name).to.equal(component.urn);
      expect(child.name).to.match(/^web-/);
    }
  });
});
