/**
 * Network: security groups open to the world only on 80/443 of internet-facing ALBs, no SSH/RDP,
 * everything described, VPC flow logs and log retention.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, validateResourceOfType } from "@pulumi/policy";
import {
  internetFacingLoadBalancers,
  ofType,
  PackResourcePolicy,
  PackStackPolicy,
  perResource,
  portRange,
  prop,
  refersTo,
  TYPES,
  WORLD_CIDRS,
} from "./common";

/** The only ports the world may reach: the public ALB's HTTP (redirect) and HTTPS listeners. */
export const PUBLIC_PORTS = [80, 443];
const ADMIN_PORTS = [22, 3389];
const DEFAULT_DESCRIPTION = "Managed by Pulumi";

interface IngressShape {
  ipProtocol?: string;
  protocol?: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  cidrBlocks?: string[];
  ipv6CidrBlocks?: string[];
}

function cidrsOf(rule: IngressShape): string[] {
  return [rule.cidrIpv4, rule.cidrIpv6, ...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].filter(
    (c): c is string => typeof c === "string",
  );
}

/** What is wrong with an ingress rule open to the internet, or undefined when it is fine. */
export function worldIngressProblem(rule: IngressShape): string | undefined {
  const world = cidrsOf(rule).filter((c) => WORLD_CIDRS.includes(c));
  if (world.length === 0) return undefined;
  const protocol = rule.ipProtocol ?? rule.protocol;
  const [from, to] = portRange(protocol, rule.fromPort, rule.toPort);
  const single = from === to && PUBLIC_PORTS.includes(from);
  if (!(single && (protocol === "tcp" || protocol === "6"))) {
    return `ingress from ${world.join(", ")} on ${protocol ?? "?"} ${from}-${to}; only tcp 80 or 443 may be open to the world`;
  }
  return undefined;
}

function adminIngressProblem(rule: IngressShape): string | undefined {
  const [from, to] = portRange(rule.ipProtocol ?? rule.protocol, rule.fromPort, rule.toPort);
  const admin = ADMIN_PORTS.filter((p) => p >= from && p <= to);
  if (admin.length > 0 && cidrsOf(rule).length > 0) {
    return `ingress on port ${admin.join("/")} from ${cidrsOf(rule).join(", ")}`;
  }
  return undefined;
}

export const sgDescribed: PackResourcePolicy = {
  name: "security-group-described",
  description: "Security groups have a description of their own (not the provider default).",
  rationale: "Reviewers and incident responders read the description to know what a group guards.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps: "Set `description` to what the group is for.",
  validateResource: validateResourceOfType(aws.ec2.SecurityGroup, (sg, _args, report) => {
    if (!sg.description || sg.description === DEFAULT_DESCRIPTION)
      report("The security group has no description.");
  }),
};

export const ingressRuleDescribed: PackResourcePolicy = {
  name: "security-group-ingress-rule-described",
  description: "Security group ingress rules have a description.",
  rationale: "Every opening must say why it exists, or nobody dares to remove it.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps: "Set `description` on the rule.",
  validateResource: validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, _args, report) => {
    if (!rule.description) report("The ingress rule has no description.");
  }),
};

export const egressRuleDescribed: PackResourcePolicy = {
  name: "security-group-egress-rule-described",
  description: "Security group egress rules have a description.",
  rationale: "Egress is part of the blast radius; every path out must say why it exists.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps: "Set `description` on the rule.",
  validateResource: validateResourceOfType(aws.vpc.SecurityGroupEgressRule, (rule, _args, report) => {
    if (!rule.description) report("The egress rule has no description.");
  }),
};

export const sgNoInlineRules: PackResourcePolicy = {
  name: "security-group-no-inline-rules",
  description: "Security groups keep their rules in separate SecurityGroupIngressRule/EgressRule resources.",
  rationale: "Inline rules and rule resources fight over the same group (perpetual diffs, dropped rules).",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps:
    "Move `ingress`/`egress` blocks to `aws.vpc.SecurityGroupIngressRule`/`EgressRule` resources.",
  validateResource: validateResourceOfType(aws.ec2.SecurityGroup, (sg, _args, report) => {
    if ((sg.ingress ?? []).length > 0 || (sg.egress ?? []).length > 0) report("The group has inline rules.");
  }),
};

export const ingressRuleWorldPorts: PackResourcePolicy = {
  name: "security-group-rule-world-only-80-443",
  description: "An ingress rule from 0.0.0.0/0 or ::/0 opens nothing but tcp 80 or 443.",
  rationale: "Any other port open to the internet exposes the network.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Reference the source security group instead of a CIDR, or narrow the rule to tcp 443.",
  validateResource: validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, _args, report) => {
    const problem = worldIngressProblem(rule);
    if (problem) report(problem);
  }),
};

export const sgInlineWorldPorts: PackResourcePolicy = {
  name: "security-group-inline-world-only-80-443",
  description: "Inline ingress of a security group from 0.0.0.0/0 or ::/0 opens nothing but tcp 80 or 443.",
  rationale: "Any other port open to the internet exposes the network.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Reference the source security group instead of a CIDR, or narrow the rule to tcp 443.",
  validateResource: validateResourceOfType(aws.ec2.SecurityGroup, (sg, _args, report) => {
    for (const rule of sg.ingress ?? []) {
      const problem = worldIngressProblem(rule);
      if (problem) report(problem);
    }
  }),
};

export const ingressNoAdminPorts: PackResourcePolicy = {
  name: "security-group-no-ssh-rdp",
  description: "No ingress rule opens SSH (22) or RDP (3389) to a CIDR range.",
  rationale: "Operators use SSM Session Manager; an admin port is an attack surface with no purpose.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Delete the rule and use `aws ssm start-session`.",
  validateResource: validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, _args, report) => {
    const problem = adminIngressProblem(rule);
    if (problem) report(problem);
  }),
};

export const sgInlineNoAdminPorts: PackResourcePolicy = {
  name: "security-group-inline-no-ssh-rdp",
  description: "No inline ingress of a security group opens SSH (22) or RDP (3389) to a CIDR range.",
  rationale: "Operators use SSM Session Manager; an admin port is an attack surface with no purpose.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Delete the inline rule and use `aws ssm start-session`.",
  validateResource: validateResourceOfType(aws.ec2.SecurityGroup, (sg, _args, report) => {
    for (const rule of sg.ingress ?? []) {
      const problem = adminIngressProblem(rule);
      if (problem) report(problem);
    }
  }),
};

export const flowLogAllTraffic: PackResourcePolicy = {
  name: "flow-log-all-traffic",
  description: "VPC flow logs capture ALL traffic (accepted and rejected) to a destination.",
  rationale: "Rejected-only logs miss the exfiltration that the groups allowed.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps: 'Set `trafficType: "ALL"` and `logDestination`.',
  validateResource: validateResourceOfType(aws.ec2.FlowLog, (flowLog, _args, report) => {
    if (flowLog.trafficType !== "ALL") report(`trafficType is ${flowLog.trafficType ?? "unset"}, not ALL.`);
    if (!("logDestination" in flowLog)) report("No logDestination.");
  }),
};

export const logGroupRetention: PackResourcePolicy = {
  name: "log-group-retention",
  description: "CloudWatch log groups keep logs for at least `minRetentionDays` (0 = forever also passes).",
  rationale: "Investigations need logs older than a week; unset retention is forever, which also passes.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps: "Set `retentionInDays` (config `logRetentionDays`).",
  configSchema: {
    properties: {
      minRetentionDays: { type: "integer", minimum: 1, default: 30, description: "Minimum days." },
    },
  },
  validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (logGroup, args, report) => {
    const { minRetentionDays } = args.getConfig<{ minRetentionDays: number }>();
    const days = logGroup.retentionInDays ?? 0;
    if (days !== 0 && days < minRetentionDays)
      report(`Retention is ${days} days; at least ${minRetentionDays}.`);
  }),
};

/** Security group ids an internet-facing load balancer uses. */
function publicAlbSecurityGroups(resources: PolicyResource[], lbs: PolicyResource[]): PolicyResource[] {
  return resources.filter(
    (sg) => sg.type === TYPES.securityGroup && lbs.some((lb) => refersTo(lb, "securityGroups", sg)),
  );
}

export const worldIngressOnlyPublicAlb: PackStackPolicy = {
  name: "security-group-world-ingress-only-on-public-alb",
  description:
    "Only the security groups of internet-facing load balancers accept traffic from 0.0.0.0/0 or ::/0.",
  rationale:
    "Instances and databases are reached through the ALBs; the world may only talk to the public ALB.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Replace the CIDR with `referencedSecurityGroupId` of the caller's group.",
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const allowed = publicAlbSecurityGroups(args.resources, internetFacingLoadBalancers(args));
    const groups = ofType(args, TYPES.securityGroup);
    for (const rule of ofType(args, TYPES.ingressRule)) {
      const cidrs = [prop<string>(rule, "cidrIpv4"), prop<string>(rule, "cidrIpv6")];
      if (!cidrs.some((c) => c !== undefined && WORLD_CIDRS.includes(c))) continue;
      if (!allowed.some((sg) => refersTo(rule, "securityGroupId", sg))) {
        const target = groups.find((sg) => refersTo(rule, "securityGroupId", sg));
        report(
          `Rule ${rule.name} opens ${target ? `group ${target.name}` : "a group"} to the world, and no internet-facing load balancer uses that group.`,
          rule,
        );
      }
    }
    for (const sg of groups) {
      const inline = prop<IngressShape[]>(sg, "ingress") ?? [];
      if (inline.some((r) => cidrsOf(r).some((c) => WORLD_CIDRS.includes(c))) && !allowed.includes(sg)) {
        report(
          `Group ${sg.name} has inline ingress from the world and is not an internet-facing ALB's group.`,
          sg,
        );
      }
    }
  },
};

/** VPCs: plain aws.ec2.Vpc, or the awsx component (whose children are not visible under mocks). */
export const vpcFlowLogs: PackStackPolicy = {
  name: "vpc-flow-logs",
  description: "Every VPC has a flow log.",
  rationale: "Flow logs are the network's audit trail (who talked to what), needed for incident response.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps: "Create an `aws.ec2.FlowLog` with `vpcId` set to the VPC's id.",
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const vpcs = args.resources.filter((r) => r.type === TYPES.vpc || r.type === TYPES.awsxVpc);
    if (vpcs.length === 0) args.notApplicable("No VPC");
    const flowLogs = ofType(args, TYPES.flowLog);
    // An awsx Vpc and its child aws:ec2/vpc:Vpc are the same network: either reference counts.
    const covered = (vpc: PolicyResource) =>
      flowLogs.some((f) => refersTo(f, "vpcId", vpc)) ||
      vpcs.some(
        (other) =>
          other !== vpc && isSameNetwork(vpc, other) && flowLogs.some((f) => refersTo(f, "vpcId", other)),
      );
    for (const vpc of vpcs) {
      if (!covered(vpc)) report(`VPC ${vpc.name} has no flow log.`, vpc);
    }
  },
};

function isSameNetwork(a: PolicyResource, b: PolicyResource): boolean {
  return a.parent?.urn === b.urn || b.parent?.urn === a.urn;
}

export const networkPolicies = [
  sgDescribed,
  ingressRuleDescribed,
  egressRuleDescribed,
  sgNoInlineRules,
  ingressRuleWorldPorts,
  sgInlineWorldPorts,
  ingressNoAdminPorts,
  sgInlineNoAdminPorts,
  flowLogAllTraffic,
  logGroupRetention,
  worldIngressOnlyPublicAlb,
  vpcFlowLogs,
];
