/**
 * Failover: what the ARC Region switch plans of the control stack must cover, and what the regional
 * stacks must not do (own a resource in another region, which a failover could then not touch).
 *
 * A stack is the failover control stack when it holds an ARC Region switch plan; every other stack
 * of this program is a regional stack.
 */
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import {
  isSet,
  known,
  ofType,
  PackStackPolicy,
  perResource,
  prop,
  refersTo,
  StackReport,
  TYPES,
} from "./common";
import { appDomainPair } from "./dr";

/** The region an ARN names (`arn:<partition>:<service>:<region>:...`), or undefined (global services). */
export function arnRegion(arn: unknown): string | undefined {
  if (typeof arn !== "string" || !arn.startsWith("arn:")) return undefined;
  const region = arn.split(":")[3];
  return region === "" ? undefined : region;
}

/**
 * The region a resource lives in, as far as the stack shows it: its `region` attribute (every
 * resource of provider v7 has one), else its explicit provider's region, else its ARN's region.
 */
export function regionOf(resource: PolicyResource): string | undefined {
  const own = isSet(resource.props, "region") ? known(() => prop<string>(resource, "region")) : undefined;
  if (typeof own === "string" && own !== "") return own;
  const providerRegion = resource.provider?.props?.region as unknown;
  if (typeof providerRegion === "string" && providerRegion !== "") return providerRegion;
  return isSet(resource.props, "arn") ? arnRegion(known(() => prop<string>(resource, "arn"))) : undefined;
}

export function isControlStack(args: StackValidationArgs): boolean {
  return ofType(args, TYPES.plan).length > 0;
}

export const oneRegionPerStack: PackStackPolicy = {
  name: "regional-stack-one-region",
  description: "A regional stack registers every resource in one region: none in another region.",
  rationale:
    "A failover must not depend on the failed region: a stack that owns resources in two regions cannot be updated or refreshed while either is down.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Move the resource to the stack of its region (Route 53 health-check alarms belong to the control stack in us-east-1); do not set `region` on resources of a regional stack.",
  validateStack: (args, reportViolation) => {
    if (isControlStack(args)) args.notApplicable("The failover control stack spans the regions of its plans");
    const report = perResource(reportViolation);
    const located = args.resources
      .filter((r) => r.type.startsWith("aws:") && !r.type.startsWith("pulumi:providers"))
      .map((r) => ({ r, region: regionOf(r) }))
      .filter((x): x is { r: PolicyResource; region: string } => x.region !== undefined);
    if (located.length === 0) args.notApplicable("No resource with a known region");
    const counts = new Map<string, number>();
    for (const { region } of located) counts.set(region, (counts.get(region) ?? 0) + 1);
    // The stack's region is where most of its resources are.
    const home = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
    for (const { r, region } of located) {
      if (region !== home)
        report(`${r.type} ${r.name} is in ${region}; the stack's resources are in ${home}.`, r);
    }
  },
};

interface Arn {
  arn?: string;
}
interface PlanStep {
  name?: string;
  executionBlockType?: string;
  ec2AsgCapacityIncreaseConfigs?: { asgs?: Arn[] }[];
  globalAuroraConfigs?: {
    behavior?: string;
    databaseClusterArns?: string[];
    globalClusterIdentifier?: string;
    ungracefuls?: { ungraceful?: string }[];
  }[];
  route53HealthCheckConfigs?: {
    hostedZoneId?: string;
    recordName?: string;
    recordSets?: { recordSetIdentifier?: string; region?: string }[];
  }[];
  parallelConfigs?: { steps?: PlanStep[] }[];
}
interface PlanWorkflow {
  workflowTargetAction?: string;
  workflowTargetRegion?: string;
  steps?: PlanStep[];
}

/** Every step of a workflow, parallel steps included. */
export function allSteps(steps: PlanStep[] = []): PlanStep[] {
  return steps.flatMap((s) => [s, ...allSteps((s.parallelConfigs ?? []).flatMap((p) => p.steps ?? []))]);
}

function workflowsOf(plan: PolicyResource): PlanWorkflow[] {
  return known(() => prop<PlanWorkflow[]>(plan, "workflows")) ?? [];
}

function sameName(a?: string, b?: string): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.replace(/\.$/, "").toLowerCase() === b.replace(/\.$/, "").toLowerCase()
  );
}

/** The checks of one workflow against its plan's two regions; each problem is one message. */
export function workflowProblems(
  planName: string,
  regions: string[],
  workflow: PlanWorkflow,
  pair: { zoneId?: string; name?: string },
  minCapacitySteps: number,
): string[] {
  const problems: string[] = [];
  const where = `Plan ${planName}, workflow activate ${workflow.workflowTargetRegion ?? "?"}`;
  const steps = allSteps(workflow.steps);
  const covers = (arns: (string | undefined)[]) => {
    const found = arns.map(arnRegion);
    return regions.every((r) => found.filter((f) => f === r).length === 1) && found.length === regions.length;
  };
  const capacity = steps.filter((s) => s.executionBlockType === "EC2AutoScaling");
  if (capacity.length < minCapacitySteps) {
    problems.push(
      `${where} scales ${capacity.length} Auto Scaling group pair(s); ${minCapacitySteps} tiers need scaling.`,
    );
  }
  for (const step of capacity) {
    for (const config of step.ec2AsgCapacityIncreaseConfigs ?? []) {
      if (!covers((config.asgs ?? []).map((a) => a.arn))) {
        problems.push(
          `${where}: step ${step.name} does not name one Auto Scaling group in each of ${regions.join(" and ")}.`,
        );
      }
    }
  }
  const database = steps.filter((s) => s.executionBlockType === "AuroraGlobalDatabase");
  if (database.length === 0)
    problems.push(`${where} does not move the Aurora writer (no AuroraGlobalDatabase step).`);
  for (const step of database) {
    for (const config of step.globalAuroraConfigs ?? []) {
      if (!covers(config.databaseClusterArns ?? [])) {
        problems.push(
          `${where}: step ${step.name} does not name the Aurora cluster of each of ${regions.join(" and ")}.`,
        );
      }
      if (!config.globalClusterIdentifier)
        problems.push(`${where}: step ${step.name} names no global cluster.`);
    }
  }
  const dns = steps.filter((s) => s.executionBlockType === "Route53HealthCheck");
  if (dns.length === 0) problems.push(`${where} does not move traffic (no Route53HealthCheck step).`);
  for (const step of dns) {
    for (const config of step.route53HealthCheckConfigs ?? []) {
      if (pair.name !== undefined && !sameName(config.recordName, pair.name)) {
        problems.push(
          `${where}: step ${step.name} flips ${config.recordName}, not the app's failover records ${pair.name}.`,
        );
      }
      if (
        pair.zoneId !== undefined &&
        config.hostedZoneId !== undefined &&
        config.hostedZoneId !== pair.zoneId
      ) {
        problems.push(
          `${where}: step ${step.name} looks in zone ${config.hostedZoneId}, not ${pair.zoneId}.`,
        );
      }
      const mapped = (config.recordSets ?? []).map((s) => s.region);
      if (!regions.every((r) => mapped.includes(r))) {
        problems.push(
          `${where}: step ${step.name} maps no record set to ${regions.filter((r) => !mapped.includes(r)).join(", ")}.`,
        );
      }
    }
  }
  return problems;
}

export const planCoversPair: PackStackPolicy = {
  name: "failover-plan-covers-pair",
  description:
    "Every ARC Region switch plan has an activate workflow for each of its two regions, and each scales the Auto Scaling groups of both regions, moves the Aurora writer between both regions' clusters, and flips the app's failover records.",
  rationale: "A plan that leaves out a tier, the database or the DNS fails over only part of the app.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Build the workflows with `planWorkflows` (components/failoverPlan.ts) from both regional stacks' outputs.",
  configSchema: {
    properties: {
      minCapacitySteps: {
        type: "integer",
        minimum: 1,
        default: 2,
        description: "Auto Scaling steps each workflow must have (the frontend and the backend tier).",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const plans = ofType(args, TYPES.plan);
    if (plans.length === 0) args.notApplicable("No ARC Region switch plan");
    const report = perResource(reportViolation);
    const { minCapacitySteps } = args.getConfig<{ minCapacitySteps: number }>();
    const primary = appDomainPair(args)?.primary;
    const pair = {
      name: primary ? known(() => prop<string>(primary, "name")) : undefined,
      zoneId: primary ? known(() => prop<string>(primary, "zoneId")) : undefined,
    };
    for (const plan of plans) {
      const regions = known(() => prop<string[]>(plan, "regions")) ?? [];
      const name = known(() => prop<string>(plan, "name")) ?? plan.name;
      if (regions.length !== 2 || regions[0] === regions[1]) {
        report(`Plan ${name} covers regions [${regions.join(", ")}]; a plan covers two regions.`, plan);
        continue;
      }
      if (prop<string>(plan, "recoveryApproach") !== "activePassive") {
        report(
          `Plan ${name} is ${String(prop(plan, "recoveryApproach"))}, not activePassive (one region serves at a time).`,
          plan,
        );
      }
      const workflows = workflowsOf(plan);
      for (const region of regions) {
        const activate = workflows.filter(
          (w) => w.workflowTargetAction === "activate" && w.workflowTargetRegion === region,
        );
        if (activate.length !== 1) {
          report(
            `Plan ${name} has ${activate.length} activate workflow(s) for ${region}; exactly one (failover and failback).`,
            plan,
          );
        }
        for (const w of activate)
          for (const problem of workflowProblems(name, regions, w, pair, minCapacitySteps))
            report(problem, plan);
      }
    }
  },
};

export const planNoDataLossWhenGraceful: PackStackPolicy = {
  name: "failover-plan-lossless-switchover",
  description:
    "The Aurora step of every plan switches over (no data loss) in a graceful execution and fails over only in an ungraceful one.",
  rationale:
    "Behavior `failover` calls FailoverGlobalCluster with AllowDataLoss even during a graceful execution (ARC API reference, GlobalAuroraConfiguration).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "`behavior: switchoverOnly` with `ungracefuls: [{ ungraceful: failover }]`.",
  validateStack: (args, reportViolation) => {
    const plans = ofType(args, TYPES.plan);
    if (plans.length === 0) args.notApplicable("No ARC Region switch plan");
    const report = perResource(reportViolation);
    for (const plan of plans) {
      for (const workflow of workflowsOf(plan)) {
        for (const step of allSteps(workflow.steps).filter(
          (s) => s.executionBlockType === "AuroraGlobalDatabase",
        )) {
          for (const config of step.globalAuroraConfigs ?? []) {
            if (config.behavior !== "switchoverOnly") {
              report(
                `Plan ${plan.name}, step ${step.name}: behavior ${String(config.behavior)} loses data even when graceful.`,
                plan,
              );
            }
            if (!(config.ungracefuls ?? []).some((u) => u.ungraceful === "failover")) {
              report(
                `Plan ${plan.name}, step ${step.name}: no ungraceful failover, so an outage of the writer's region cannot move it.`,
                plan,
              );
            }
          }
        }
      }
    }
  },
};

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
  Principal?: { Service?: string | string[] };
}

function list<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** IAM's wildcard match (`*` any run of characters, `?` one), case-sensitive as for ARNs. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`).test(value);
}

/** Whether a policy document allows `action` on `resource` (Allow statements only; no conditions). */
export function allows(
  document: { Statement?: Statement[] } | undefined,
  action: string,
  resource: string,
): boolean {
  return (document?.Statement ?? []).some(
    (s) =>
      s.Effect === "Allow" &&
      list(s.Action).some((a) => wildcardMatch(a.toLowerCase(), action.toLowerCase())) &&
      list(s.Resource).some((r) => wildcardMatch(r, resource)),
  );
}

function parseDocument(text: unknown): { Statement?: Statement[] } | undefined {
  if (typeof text !== "string")
    return typeof text === "object" && text !== null ? (text as { Statement?: Statement[] }) : undefined;
  try {
    return JSON.parse(text) as { Statement?: Statement[] };
  } catch {
    return undefined;
  }
}

/** What a plan's execution role must be allowed to do, from the plan's own blocks. */
export function requiredPermissions(
  plan: PolicyResource,
  reportBuckets: string[],
): { action: string; resource: string }[] {
  const needs: { action: string; resource: string }[] = [];
  const steps = workflowsOf(plan).flatMap((w) => allSteps(w.steps));
  for (const step of steps) {
    for (const config of step.ec2AsgCapacityIncreaseConfigs ?? []) {
      for (const asg of config.asgs ?? []) {
        if (asg.arn) needs.push({ action: "autoscaling:UpdateAutoScalingGroup", resource: asg.arn });
      }
    }
    for (const config of step.globalAuroraConfigs ?? []) {
      for (const arn of config.databaseClusterArns ?? []) {
        needs.push(
          { action: "rds:SwitchoverGlobalCluster", resource: arn },
          { action: "rds:FailoverGlobalCluster", resource: arn },
        );
      }
    }
    for (const config of step.route53HealthCheckConfigs ?? []) {
      if (config.hostedZoneId) {
        needs.push({
          action: "route53:ListResourceRecordSets",
          resource: `arn:aws:route53:::hostedzone/${config.hostedZoneId}`,
        });
      }
    }
  }
  for (const alarm of known(() => prop<{ resourceIdentifier?: string }[]>(plan, "associatedAlarms")) ?? []) {
    if (alarm.resourceIdentifier)
      needs.push({ action: "cloudwatch:DescribeAlarms", resource: alarm.resourceIdentifier });
  }
  // "If your plan has triggers, Region switch assumes the execution role to read the CloudWatch
  // alarms that the triggers use and to start the plan execution" (ARC Developer Guide, "Plan
  // execution role trust policy"). The plan's ARN is ARC's: known once the plan exists.
  const triggers = known(() => prop<unknown[]>(plan, "triggers")) ?? [];
  const planArn = known(() => prop<string>(plan, "arn"));
  if (triggers.length > 0 && planArn) {
    needs.push({ action: "arc-region-switch:StartPlanExecution", resource: planArn });
  }
  for (const bucket of reportBuckets)
    needs.push({ action: "s3:PutObject", resource: `arn:aws:s3:::${bucket}/report` });
  return needs;
}

export const planRoleCanRunIt: PackStackPolicy = {
  name: "failover-plan-role-permissions",
  description:
    "Each plan's execution role trusts ARC Region switch and is allowed every action its blocks take on the plan's resources (scale its groups, move its writer, read its zone and alarms, write its reports), and to start the plan when it has a trigger.",
  rationale: "A permission missing from the role is found by ARC at the worst moment: during the failover.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Build the role's policy with `executionPolicyDocument` (components/failoverPlan.ts) from the same values as the plan.",
  validateStack: (args, reportViolation) => {
    const plans = ofType(args, TYPES.plan);
    if (plans.length === 0) args.notApplicable("No ARC Region switch plan");
    const report: StackReport = perResource(reportViolation);
    const roles = ofType(args, TYPES.role);
    const rolePolicies = ofType(args, TYPES.rolePolicy);
    for (const plan of plans) {
      const role = roles.find((r) => refersTo(plan, "executionRole", r));
      if (!role) {
        report(
          `Plan ${plan.name}: its execution role is not a role of this stack, so its permissions cannot be checked.`,
          plan,
        );
        continue;
      }
      const trust = parseDocument(known(() => prop(role, "assumeRolePolicy")));
      const trusted = (trust?.Statement ?? []).some(
        (s) => s.Effect === "Allow" && list(s.Principal?.Service).includes("arc-region-switch.amazonaws.com"),
      );
      if (!trusted) report(`Role ${role.name} does not trust arc-region-switch.amazonaws.com.`, role);
      const documents = rolePolicies
        .filter((p) => refersTo(p, "role", role))
        .map((p) => parseDocument(known(() => prop(p, "policy"))));
      const buckets = (
        known(() =>
          prop<{ reportOutputs?: { s3Configurations?: { bucketPath?: string }[] }[] }[]>(
            plan,
            "reportConfigurations",
          ),
        ) ?? []
      )
        .flatMap((c) => c.reportOutputs ?? [])
        .flatMap((o) => o.s3Configurations ?? [])
        .map((s) => (s.bucketPath ?? "").replace(/^s3:\/\//, "").split("/")[0])
        .filter((b) => b !== "");
      for (const need of requiredPermissions(plan, buckets)) {
        if (!documents.some((d) => allows(d, need.action, need.resource))) {
          report(
            `Role ${role.name} may not ${need.action} on ${need.resource}, which plan ${plan.name} needs.`,
            role,
          );
        }
      }
    }
  },
};

export const failoverPolicies = [
  oneRegionPerStack,
  planCoversPair,
  planNoDataLossWhenGraceful,
  planRoleCanRunIt,
];
