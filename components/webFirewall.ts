/**
 * The firewall in front of the public ALB: a WAFv2 regional web ACL with AWS managed rule groups and
 * a per-IP rate limit, associated with the public ALB only, logging to CloudWatch Logs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Component, renamedFrom } from "./component";

export interface WebFirewallArgs {
  /** ARN of the internet-facing ALB to protect (never the internal one). Required. */
  loadBalancerArn: pulumi.Input<string>;
  /** Requests per client IP in any 5-minute window above which the IP is blocked. @default 2000 */
  rateLimit?: number;
  /** Days the WAF log group keeps its events. @default 30 */
  logRetentionDays?: number;
  /** The region's data key (RegionKey), which encrypts the WAF log group. Required. */
  logKmsKeyArn: pulumi.Input<string>;
  /** Extra tags for the web ACL and the log group. @default {} */
  tags?: Record<string, string>;
}

/**
 * AWS managed rule groups the web ACL runs, in evaluation order: the OWASP-style baseline, known
 * exploit payloads (Log4j and the like), SQL injection, and IPs that Amazon threat intelligence
 * reports as malicious. Together about 1,125 WCUs, under the 1,500 included in the base price.
 */
export const MANAGED_RULE_GROUPS = [
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesSQLiRuleSet",
  "AWSManagedRulesAmazonIpReputationList",
] as const;

/** WAF only delivers logs to CloudWatch log groups whose name starts with this. */
export const WAF_LOG_GROUP_PREFIX = "aws-waf-logs-";

/** Headers that carry credentials and session tokens: never written to the logs. */
export const REDACTED_HEADERS = ["authorization", "cookie"];

/** Metric names allow letters, digits, `-` and `_` only, at most 128 characters. */
function metricName(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 128);
}

function visibility(name: string): aws.types.input.wafv2.WebAclRuleVisibilityConfig {
  return { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: metricName(name) };
}

export interface WebFirewallOutputs {
  /** ARN of the web ACL. */
  webAclArn: pulumi.Output<string>;
  /** Name of the web ACL (the `WebACL` dimension of its CloudWatch metrics). */
  webAclName: pulumi.Output<string>;
  /** The ACL's `visibilityConfig.metricName`: WAF's CloudWatch `WebACL` dimension (not the ACL's name). */
  webAclMetricName: string;
  /** Name of the log group that receives the WAF logs. */
  logGroupName: pulumi.Output<string>;
}

export class WebFirewall extends Component<WebFirewallOutputs> {
  constructor(name: string, args: WebFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
    super(
      "multi-region-web:edge:WebFirewall",
      name,
      args,
      renamedFrom("multi-region-web:webFirewall:WebFirewall", opts),
    );

    const rateLimit = args.rateLimit ?? 2000;
    const tags = { Name: name, ...args.tags };

    // The rate rule is evaluated first so that every request counts towards a client's limit,
    // including the ones a managed group would block anyway; a flood is then cut off by the cheapest
    // rule before the managed groups inspect it.
    const rateRule: aws.types.input.wafv2.WebAclRule = {
      name: "rate-limit-per-ip",
      priority: 0,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: "IP" } },
      visibilityConfig: visibility(`${name}-rate-limit-per-ip`),
    };
    const managedRules: aws.types.input.wafv2.WebAclRule[] = MANAGED_RULE_GROUPS.map((group, i) => ({
      name: group,
      priority: i + 1,
      // "none" keeps the group's own actions (block); "count" would only observe.
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
      visibilityConfig: visibility(`${name}-${group}`),
    }));

    const webAclMetricName = metricName(`${name}-acl`);
    const webAcl = new aws.wafv2.WebAcl(
      `${name}-acl`,
      {
        description: "Protects the public load balancer from malicious traffic",
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        rules: [rateRule, ...managedRules],
        // Web-ACL-level data protection "applies across all output destinations" (AWS WAF Developer
        // Guide, "Data protection"), so the sampled requests (kept on: they are how operators see what
        // a rule blocks) show REDACTED where the logs redact too; logging redaction alone does not
        // reach them.
        dataProtectionConfig: {
          dataProtections: [
            {
              action: "SUBSTITUTION",
              field: { fieldType: "SINGLE_HEADER", fieldKeys: REDACTED_HEADERS },
            },
          ],
        },
        visibilityConfig: visibility(webAclMetricName),
        tags,
      },
      { parent: this },
    );

    new aws.wafv2.WebAclAssociation(
      `${name}-public-alb`,
      { resourceArn: args.loadBalancerArn, webAclArn: webAcl.arn },
      { parent: this },
    );

    // A fixed name (project, stack, component) because WAF requires the prefix, which Pulumi's
    // auto-naming would not produce; log groups are regional, so one per stack never collides.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: `${WAF_LOG_GROUP_PREFIX}${pulumi.getProject()}-${pulumi.getStack()}-${name}`,
        retentionInDays: args.logRetentionDays ?? 30,
        kmsKeyId: args.logKmsKeyArn,
        tags,
      },
      { parent: this },
    );

    // WAF rejects a destination ARN ending in `:*`; the provider's LogGroup.arn already strips that
    // suffix, so it is used as is. WAF adds the log group's resource policy for
    // delivery.logs.amazonaws.com itself (the deployer needs logs:PutResourcePolicy).
    new aws.wafv2.WebAclLoggingConfiguration(
      `${name}-logging`,
      {
        resourceArn: webAcl.arn,
        logDestinationConfigs: [logGroup.arn],
        redactedFields: REDACTED_HEADERS.map((header) => ({ singleHeader: { name: header } })),
      },
      { parent: this },
    );

    this.publish({
      webAclArn: webAcl.arn,
      webAclName: webAcl.name,
      webAclMetricName,
      logGroupName: logGroup.name,
    });
  }
}
