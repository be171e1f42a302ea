/**
 * `npm run plan`: the offline preview. Runs the real program for each stack file under the shared
 * mocks (home first; each standby's StackReference gets the home run's real exports), then prints,
 * top-down: a summary (each stack's resources, policy results and monthly cost, the total, the DR
 * overhead and the failover timings), the example values still to replace ("Before you deploy",
 * tools/placeholders.ts), each stack's resource tree, outputs and policy results, the DR report, and a
 * last line with the mandatory and advisory counts.
 *
 * Before any program runs, a pre-flight (config/preflight.ts) checks every stack file of both projects
 * as the Pulumi CLI would, each stack's config as the program would, and what the stacks must agree on.
 *
 * Exit codes: 0 clean; 1 a mandatory policy violation; 2 bad config or bad arguments; 3 internal error.
 * The --json file is written on every exit after the arguments parse, with the problems on 2 and 3.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, Finding, formatFinding } from "../config";
import { CheckedStack, preflight } from "../config/preflight";
import { drReport, DrReport, MonthlyCost } from "./drReport";
import { CONTROL_DIR, isFabricated, RecordedResource, ROOT_DIR, StackFile, StackRun } from "./mocks";
import { PackConfig } from "../policy/runner";
import { findPlaceholders } from "./placeholders";
import { evaluateStack, PolicyResult, readPolicyConfig } from "./planPolicies";
import { addReference, emptyReferences, isControlRun, isHome, qualifiedName, runStack } from "./runStacks";

export const EXIT = { clean: 0, mandatory: 1, badInput: 2, internal: 3 } as const;

export const USAGE = `Usage: npm run plan -- [options]

Offline preview of every stack in Pulumi.<stack>.yaml (no AWS account or Pulumi CLI needed):
the resource tree, outputs, CrossGuard policy results and the disaster-recovery report.

Values AWS assigns at deploy (ids, ARNs, DNS names, zone and subnet ids, the account, availability
zones) print as [unknown until deploy]: the mocks invent stand-ins for them. In the --json file they
are null, and each stack's unknownOutputs (each resource's unknownInputs) lists them as JSON Pointers.

Options:
  --stack <name>               plan only this stack: its name (us-east-1) or fully qualified
                               (<organization>/<project>/<stack>); every stack still runs, for the exports
  --json <file>                also write the whole plan as JSON to <file>: each resource's inputs
                               (secrets masked), and on exit 2 or 3 the problems
  --policy-pack-config <file>  policy pack config (levels, budgets), as for pulumi preview
  --no-color                   plain output (also when NO_COLOR is set or stdout is not a terminal)
  -h, --help                   show this help

Exit codes: 0 clean, 1 mandatory policy violation, 2 bad config or arguments, 3 internal error.`;

export interface PlanOptions {
  stack?: string;
  json?: string;
  policyConfig?: string;
  color: boolean;
  help: boolean;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], colorDefault: boolean): PlanOptions {
  const opts: PlanOptions = { color: colorDefault, help: false };
  const valueOf = (flag: string, i: number): string => {
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--")) {
      throw new UsageError(`${flag} needs a value`);
    }
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case "--stack":
        opts.stack = valueOf(arg, i++);
        break;
      case "--json":
        opts.json = valueOf(arg, i++);
        break;
      case "--policy-pack-config":
        opts.policyConfig = valueOf(arg, i++);
        break;
      case "--no-color":
        opts.color = false;
        break;
      case "-h":
      case "--help":
        opts.help = true;
        break;
      default:
        throw new UsageError(
          `unknown option "${arg}"; allowed: --stack <name>, --json <file>, --policy-pack-config <file>, --no-color, --help`,
        );
    }
  }
  return opts;
}

/** One resource as the JSON carries it: its inputs (secrets masked, values AWS assigns null). */
export interface ResourcePlan {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  protect: boolean;
  inputs: Record<string, unknown>;
  /** JSON Pointers into `inputs` of the values that exist only after a deploy (null there). */
  unknownInputs: string[];
}

export interface StackPlan {
  stack: string;
  /** `<organization>/<project>/<stack>`, as `pulumi up --stack` takes it. */
  qualifiedName: string;
  project: string;
  region: string;
  role: string;
  home: boolean;
  resources: ResourcePlan[];
  countsByType: Record<string, number>;
  /**
   * Resources a real preview lists that the mocks do not create: the children of the remote
   * component awsx:ec2:Vpc (see `remoteChildren`).
   */
  remoteChildren: number;
  /** The exports, with null for each value that exists only after a deploy. */
  outputs: Record<string, unknown>;
  /**
   * JSON Pointers (RFC 6901) into `outputs` of the values that exist only after a deploy: null alone
   * would not tell them from an export that is null (as Terraform's plan JSON has `after_unknown`).
   */
  unknownOutputs: string[];
  policies: { mandatory: PolicyResult[]; advisory: PolicyResult[] };
}

/** A problem that stopped the plan (exit 2 or 3): a stack file finding, or a message alone. */
export type PlanProblem = Partial<Finding> & { message: string; text: string };

/** The money figures of the summary, from the DR report's footprints (every stack, whatever --stack chose). */
export interface CostSummary {
  /** Every priced stack's monthly total. */
  totalUsd: number;
  /** Stacks without prices (tools/prices.json has none for their region): left out of the sums. */
  unpriced: string[];
  /** The active stack's monthly cost, or null when it has no prices. */
  activeUsd: number | null;
  /** The standbys' and the control stack's monthly cost: what disaster recovery adds to the active stack. */
  overheadUsd: number;
  /** `overheadUsd` as a share of `activeUsd` (%, 2 decimals), or null without the active stack's prices. */
  overheadPercent: number | null;
}

export interface Plan {
  stacks: StackPlan[];
  dr: DrReport | null;
  /** The summary's money figures; null when nothing was planned. */
  cost: CostSummary | null;
  /** Example values still in the stack files (npm run placeholders): to replace before a real deploy. */
  placeholders: Finding[];
  /** What stopped the plan, on exit 2 or 3; empty otherwise. */
  problems: PlanProblem[];
  exitCode: number;
}

export interface PlanIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface Paint {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

export function paint(color: boolean): Paint {
  const wrap = (code: number) => (s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { green: wrap(32), yellow: wrap(33), red: wrap(31), bold: wrap(1), dim: wrap(2) };
}

/** The resource tree of one stack, nested by parent like `pulumi preview`. */
export function renderTree(resources: RecordedResource[], p: Paint): string[] {
  const children = new Map<string | undefined, RecordedResource[]>();
  for (const r of resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      const branch = parent === undefined ? "" : last ? "└─ " : "├─ ";
      const protect = r.protect ? p.dim(" [protected]") : "";
      lines.push(`${p.green("+")}   ${prefix}${branch}${r.type}  ${p.bold(r.name)}${protect}`);
      walk(r.urn, parent === undefined ? "" : prefix + (last ? "   " : "│  "));
    });
  };
  walk(undefined, "");
  return lines;
}

/** How the plan prints a value that exists only after a deploy (`pulumi preview`'s `output<string>`). */
export const UNKNOWN = "[unknown until deploy]";
/** How the plan prints a secret export, as `pulumi preview` does. */
export const SECRET = "[secret]";

/**
 * `value` with `unknown` in place of every string that holds something the mocks invented (a
 * fabricated id, ARN or DNS name, alone or inside a longer string), recursively; pushes the JSON
 * Pointer of each onto `paths`.
 */
export function maskFabricated(
  value: unknown,
  fabricated: ReadonlySet<string>,
  unknown: unknown,
  paths: string[] = [],
  path = "",
): unknown {
  const mask = (v: unknown, key: string | number) =>
    maskFabricated(
      v,
      fabricated,
      unknown,
      paths,
      `${path}/${String(key).replace(/~/g, "~0").replace(/\//g, "~1")}`,
    );
  if (typeof value === "string" && isFabricated(value, fabricated)) {
    paths.push(path);
    return unknown;
  }
  if (Array.isArray(value)) return value.map(mask);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, k)]));
  }
  return value;
}

/** One export as the plan prints it: JSON, with UNKNOWN (unquoted) where the value is not known yet. */
export function renderOutput(value: unknown, fabricated: ReadonlySet<string>): string {
  // A placeholder no export can hold (a NUL character), swapped for the bare marker once serialized.
  const placeholder = "\u0000unknown";
  return JSON.stringify(maskFabricated(value, fabricated, placeholder))
    .split(JSON.stringify(placeholder))
    .join(UNKNOWN);
}

export function countByType(resources: RecordedResource[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** The signature key Pulumi uses to mark a serialized secret value (the SDK's rpc.specialSigKey with specialSecretSig). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** `value` with SECRET in place of every secret (a marked object, wherever it is nested). */
export function maskSecrets(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (SECRET_SIG in value) return SECRET;
  if (Array.isArray(value)) return value.map(maskSecrets);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v)]));
}

/**
 * How many resources a real preview lists under an awsx:ec2:Vpc, which the mocks do not create (awsx
 * components are remote: under mocks only the component registers, and its outputs are the mocks'). As
 * pulumi-awsx's awsx/ec2/vpc.ts creates them: the VPC and its internet gateway; per subnet a subnet,
 * a route table and its association; a route to the internet gateway per public subnet and to a NAT
 * gateway per private subnet (unless the strategy is None); an Elastic IP and a NAT gateway per NAT
 * gateway (OnePerAz: one per AZ; Single: one); none for vpcEndpointSpecs, which we do not pass.
 */
export function remoteChildren(resources: RecordedResource[]): number {
  let count = 0;
  for (const vpc of resources.filter((r) => r.type === "awsx:ec2:Vpc")) {
    const azs = (vpc.inputs.availabilityZoneNames as unknown[] | undefined)?.length ?? 0;
    const types = ((vpc.inputs.subnetSpecs as { type?: string }[] | undefined) ?? []).map((s) =>
      String(s.type).toLowerCase(),
    );
    const strategy = String(
      (vpc.inputs.natGateways as { strategy?: string } | undefined)?.strategy ?? "OnePerAz",
    );
    const nat = strategy === "None" ? 0 : strategy === "Single" ? 1 : azs;
    const perType = (type: string) => types.filter((t) => t === type).length * azs;
    const subnets = types.length * azs;
    count += 2 + 3 * subnets + perType("public") + (nat > 0 ? perType("private") : 0) + 2 * nat;
  }
  return count;
}

async function stackPlan(
  run: StackRun,
  stackFile: StackFile,
  organization: string,
  policyConfig: PackConfig,
  fabricated: ReadonlySet<string>,
): Promise<StackPlan> {
  const results = await evaluateStack(run, policyConfig);
  const unknownOutputs: string[] = [];
  const pointer = (key: string) => `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
  return {
    stack: run.stack,
    qualifiedName: qualifiedName(run.stack, organization, run.project),
    project: run.project,
    region: run.region,
    role: isControlRun(run) ? "control" : (run.config[`${run.project}:role`] ?? "unknown"),
    home: isHome(stackFile),
    resources: run.resources.map((r) => {
      const unknownInputs: string[] = [];
      return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        ...(r.parent !== undefined && { parent: r.parent }),
        protect: r.protect,
        inputs: maskFabricated(maskSecrets(r.inputs), fabricated, null, unknownInputs) as Record<
          string,
          unknown
        >,
        unknownInputs,
      };
    }),
    countsByType: countByType(run.resources),
    remoteChildren: remoteChildren(run.resources),
    outputs: Object.fromEntries(
      Object.entries(run.outputs).map(([key, value]) => [
        key,
        // A secret is never printed, known or not (and so is no unknown either).
        run.secretOutputNames.includes(key)
          ? SECRET
          : maskFabricated(value, fabricated, null, unknownOutputs, pointer(key)),
      ]),
    ),
    unknownOutputs,
    policies: {
      mandatory: results.filter((r) => r.level === "mandatory"),
      advisory: results.filter((r) => r.level === "advisory"),
    },
  };
}

const kindOf = (plan: StackPlan) =>
  plan.role === "control" ? "failover control" : `${plan.role}, ${plan.home ? "home" : "standby"}`;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const policyCounts = (mandatory: number, advisory: number) =>
  `${plural(mandatory, "mandatory violation")}, ${advisory} advisory`;

const usd = (n: number) => `$${n.toFixed(2)}`;

/** The summary's money figures from the DR report: every stack's, whatever --stack chose. */
export function costSummary(dr: DrReport): CostSummary {
  const stacks = [
    ...dr.regions.map((r) => ({ stack: r.stack, role: r.role, total: r.monthlyCost.totalUsd })),
    ...(dr.control
      ? [{ stack: dr.control.stack, role: "control", total: dr.control.monthlyCost.totalUsd }]
      : []),
  ];
  const priced = stacks.filter((s) => s.total !== null);
  const active = stacks.find((s) => s.role === "active");
  const overhead = priced.filter((s) => s !== active).reduce((sum, s) => sum + s.total!, 0);
  const activeUsd = active?.total ?? null;
  const round2 = (n: number) => Math.round(n * 100) / 100;
  return {
    totalUsd: round2(priced.reduce((sum, s) => sum + s.total!, 0)),
    unpriced: stacks.filter((s) => s.total === null).map((s) => s.stack),
    activeUsd,
    overheadUsd: round2(overhead),
    overheadPercent: activeUsd ? round2((overhead / activeUsd) * 100) : null,
  };
}

/** The summary: one row per planned stack, the totals, the note on remote components, cost and failover. */
export function printSummary(plans: StackPlan[], dr: DrReport, io: PlanIo, p: Paint): void {
  const cost = costSummary(dr);
  const monthly = (stack: string) => {
    const total =
      dr.regions.find((r) => r.stack === stack)?.monthlyCost.totalUsd ??
      (dr.control?.stack === stack ? dr.control.monthlyCost.totalUsd : null);
    return total === null ? "no prices" : usd(total);
  };
  const resources = (n: number, extra: number) => (extra > 0 ? `${n} (+${extra})` : String(n));
  const rows = plans.map((s) => [
    s.stack,
    s.region,
    kindOf(s),
    resources(s.resources.length, s.remoteChildren),
    policyCounts(s.policies.mandatory.length, s.policies.advisory.length),
    monthly(s.stack),
  ]);
  const sum = (f: (s: StackPlan) => number) => plans.reduce((n, s) => n + f(s), 0);
  const without = cost.unpriced.length > 0 ? ` (without ${cost.unpriced.join(", ")}: no prices)` : "";
  rows.push([
    "total",
    plural(plans.length, "stack"),
    "",
    resources(
      sum((s) => s.resources.length),
      sum((s) => s.remoteChildren),
    ),
    policyCounts(
      sum((s) => s.policies.mandatory.length),
      sum((s) => s.policies.advisory.length),
    ),
    // Every stack's total, on this row only when every stack is (no --stack).
    plans.length === dr.regions.length + (dr.control ? 1 : 0)
      ? usd(cost.totalUsd) + (without ? "*" : "")
      : "",
  ]);
  const header = ["stack", "region", "role", "resources", "policies", "monthly"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === 3 || i === 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ")}`.trimEnd();
  io.out(p.bold("Summary"));
  io.out(p.dim(line(header)));
  rows.forEach((r) => io.out(line(r)));
  if (sum((s) => s.remoteChildren) > 0) {
    io.out(
      "  (+n): more resources a real preview lists: awsx:ec2:Vpc is a remote component, and the mocks create none of",
    );
    io.out(
      "  its children (the VPC, subnets, route tables and associations, routes, internet and NAT gateways, Elastic IPs).",
    );
  }
  io.out(
    `  Monthly cost of every stack: ${usd(cost.totalUsd)}${without ? "*" : ""}${without}, an on-demand ESTIMATE (details below).`,
  );
  const standbys = dr.regions.filter((r) => r.role !== "active").map((r) => r.stack);
  const parts = [...standbys, ...(dr.control ? [`the control stack ${dr.control.stack}`] : [])];
  io.out(
    cost.overheadPercent === null
      ? `  DR overhead: not computed, no prices for the active stack.`
      : `  DR overhead: ${parts.join(" + ")} = ${usd(cost.overheadUsd)} a month, ${cost.overheadPercent}% of the active stack's ${usd(cost.activeUsd!)}${without}.`,
  );
  const t = dr.plan;
  const a = dr.cases.find((c) => c.id === "a");
  if (t && a) {
    const reads = a.readsAfterDecision
      ? `after a human decision + ${seconds(a.readsSeconds)}`
      : `after ${seconds(a.readsSeconds)} (detection ${seconds(dr.detectionSeconds)} + DNS ${seconds(dr.dnsSeconds)})`;
    io.out(
      `  Failover to ${t.standbyRegion} (${t.automatic ? "automatic trigger" : "manual"}): reads served by the standby ${reads};`,
    );
    io.out(
      `  Aurora writes ${seconds(t.ungraceful.writesSeconds)} ungraceful / ${seconds(t.graceful.writesSeconds)} graceful after the plan starts; ` +
        `traffic routed by the plan after ${seconds(t.ungraceful.trafficSeconds)} / ${seconds(t.graceful.trafficSeconds)}.`,
    );
  } else {
    io.out("  Failover: no failover control stack planned (control/Pulumi.<stack>.yaml), no plan to time.");
  }
}

/** "Before you deploy": the example values still in the stack files, as `npm run placeholders` lists them. */
export function printPlaceholders(placeholders: Finding[], io: PlanIo, p: Paint): void {
  io.out("");
  if (placeholders.length === 0) {
    io.out(p.bold("Before you deploy: ") + "no example values left in the stack files.");
    return;
  }
  io.out(
    p.bold(
      `Before you deploy: ${plural(placeholders.length, "example value")} to replace in the stack files `,
    ) + "(npm run placeholders lists them; the plan runs them offline all the same)",
  );
  placeholders.forEach((f) => io.out(`  ${p.yellow(formatFinding(f))}`));
}

function printStack(
  plan: StackPlan,
  run: StackRun,
  fabricated: ReadonlySet<string>,
  io: PlanIo,
  p: Paint,
): void {
  io.out("");
  const real =
    plan.remoteChildren > 0 ? `, +${plan.remoteChildren} in a real preview (awsx:ec2:Vpc's children)` : "";
  io.out(
    p.bold(`Stack ${plan.stack} (${plan.region}, ${kindOf(plan)}): `) +
      p.green(`+ ${plan.resources.length} to create`) +
      real,
  );
  io.out(`    ${p.dim("Type  Name")}`);
  renderTree(run.resources, p).forEach((l) => io.out(l));
  io.out(p.bold("  Outputs:"));
  for (const [key, value] of Object.entries(run.outputs)) {
    // As pulumi preview prints a secret export: never its value, known or not.
    io.out(`    ${key}: ${run.secretOutputNames.includes(key) ? SECRET : renderOutput(value, fabricated)}`);
  }
  const { mandatory, advisory } = plan.policies;
  io.out(p.bold(`  Policies: ${policyCounts(mandatory.length, advisory.length)}`));
  for (const v of mandatory)
    io.out(`    ${p.red("mandatory")}  ${v.policyName}: ${v.message}${v.urn ? p.dim(` (${v.urn})`) : ""}`);
  for (const v of advisory)
    io.out(`    ${p.yellow("advisory ")}  ${v.policyName}: ${v.message}${v.urn ? p.dim(` (${v.urn})`) : ""}`);
}

function minutes(seconds: number): string {
  return seconds >= 120 ? `${seconds} s (${(seconds / 60).toFixed(1)} min)` : `${seconds} s`;
}

function seconds(value: number): string {
  return Number.isNaN(value) ? "n/a" : minutes(value);
}

export function printDr(dr: DrReport, io: PlanIo, p: Paint): void {
  io.out("");
  io.out(p.bold("Disaster recovery"));
  io.out(
    `    detection (the home's deep health check: interval × failure threshold)   ${seconds(dr.detectionSeconds)}`,
  );
  io.out(
    `    DNS (alias record TTL)                                                    ${seconds(dr.dnsSeconds)}`,
  );
  io.out(
    `    new instance in service (boot + target group healthy threshold)          ${seconds(dr.capacitySeconds)}`,
  );
  const t = dr.plan;
  if (t) {
    io.out(
      `  Plan ${t.planName}, activate ${t.standbyRegion} (${t.automatic ? "automatic trigger" : "manual"}${t.manualApproval ? ", manual approval" : ""}):`,
    );
    if (t.trigger) {
      io.out(
        `    trigger: all of ${t.trigger.witnesses.map((w) => `${w.alarmName} (probe in ${w.probeRegion})`).join(", ")} red, each after ${seconds(t.trigger.seconds)} of failures; the execution then waits for approval`,
      );
    }
    for (const step of t.steps) {
      io.out(
        `    ${step.name.padEnd(24)} ${step.type.padEnd(22)} ungraceful ${seconds(step.ungracefulSeconds)}, graceful ${seconds(step.gracefulSeconds)}`,
      );
    }
    io.out(
      `    machine time to Aurora writes: ungraceful ${seconds(t.ungraceful.writesSeconds)}, graceful ${seconds(t.graceful.writesSeconds)}; to traffic: ungraceful ${seconds(t.ungraceful.trafficSeconds)}, graceful ${seconds(t.graceful.trafficSeconds)}`,
    );
    if (t.graceful.doneSeconds > t.graceful.trafficSeconds - dr.dnsSeconds) {
      io.out(
        `    steps after traffic moved end at: ungraceful ${seconds(t.ungraceful.doneSeconds)}, graceful ${seconds(t.graceful.doneSeconds)}`,
      );
    }
    io.out(
      "  Cases (reads: until the standby serves; writes: machine time after the decision; decision: human, apart):",
    );
    for (const c of dr.cases) {
      const reads = `${c.readsAfterDecision ? "decision + " : ""}${seconds(c.readsSeconds)}`;
      const writes = c.writesSeconds === 0 ? "at once (forwarded)" : seconds(c.writesSeconds);
      const decision = c.decisionSeconds === 0 ? "none" : `${seconds(c.decisionSeconds)} (assumed)`;
      io.out(`    (${c.id}) ${c.title}`);
      io.out(`        acts: ${c.acts}`);
      io.out(`        users: ${c.users}`);
      io.out(`        reads ${reads}; Aurora writes ${writes}; decision ${decision}; RPO: ${c.rpo}`);
    }
  } else {
    io.out(p.yellow("  No failover control stack planned (control/Pulumi.<stack>.yaml): no plan to model."));
  }
  io.out("  Assumptions:");
  for (const [name, a] of Object.entries(dr.assumptions))
    io.out(`    ${name} = ${a.seconds} s — ${a.source}`);
  io.out("");
  io.out(p.bold("Footprint and monthly on-demand cost (ESTIMATE)"));
  for (const r of dr.regions) {
    const tiers = r.tiers.map((t) => `${t.tier} ${t.desired}×${t.instanceType} (max ${t.max})`).join(", ");
    io.out(
      `    ${r.stack} (${r.role}): ${tiers}; NAT gateways ${r.natGateways}; DB instances ${r.dbInstances}×${r.dbInstanceClass}`,
    );
    printCost(r.monthlyCost, r.region, io, p);
  }
  if (dr.control) {
    io.out(`    ${dr.control.stack} (failover control)`);
    printCost(dr.control.monthlyCost, dr.control.stack, io, p);
  }
  const noPrices = dr.regionsWithoutPrices.join(", ");
  if (dr.standbyCostPercentOfActive !== null) {
    const without = noPrices ? ` (without ${noPrices}: no prices)` : "";
    const overhead = costSummary(dr).overheadPercent;
    const withControl =
      dr.control && overhead !== null ? `; with the control stack (the DR overhead): ${overhead}%` : "";
    io.out(
      `    standby cost: ${dr.standbyCostPercentOfActive}% of the active region's${without}${withControl}`,
    );
  } else if (noPrices) {
    io.out(`    standby cost against the active region's: not compared, no prices for ${noPrices}`);
  }
  if (dr.standbyOptions.length > 0) {
    io.out("  Standby database options (the rest of the standby as configured; * = configured):");
    for (const o of dr.standbyOptions) {
      const money = o.monthlyUsd === null ? "no price" : `$${o.monthlyUsd.toFixed(2)}`;
      const share = o.percentOfActive === null ? "" : ` (${o.percentOfActive}% of active)`;
      const over = (["ungraceful", "graceful"] as const)
        .filter((mode) => o.writesSeconds[mode] > dr.writesTargetSeconds)
        .map((mode) => `${mode} ${o.writesSeconds[mode] - dr.writesTargetSeconds} s`);
      const target =
        over.length > 0 ? ` (over the ${dr.writesTargetSeconds} s target: ${over.join(", ")})` : "";
      const writes = o.offered
        ? `writes after ${seconds(o.writesSeconds.ungraceful)} ungraceful, ${seconds(o.writesSeconds.graceful)} graceful${target}`
        : o.option === "headless"
          ? "not offered"
          : "not applicable here";
      io.out(`    ${o.configured ? "*" : " "} ${o.option}: ${o.database}; ${money}${share}; ${writes}`);
      const v = o.versusHomeClass;
      if (v) {
        const points = (n: number | null) =>
          n === null ? "" : ` (${n.toFixed(2)} points of the active region's cost)`;
        const saves =
          v.savedUsd === null
            ? "saving not priced"
            : v.savedUsd >= 0
              ? `saves $${v.savedUsd.toFixed(2)} a month${points(v.savedPoints)}`
              : `costs $${(-v.savedUsd).toFixed(2)} a month more${points(v.savedPoints === null ? null : -v.savedPoints)}`;
        const outage =
          v.laterWriteOutageSeconds > 0
            ? `, then ${seconds(v.laterWriteOutageSeconds)} without writes while the class changes`
            : "";
        io.out(
          `        against the home's class: ${saves} for ${v.extraWritesSeconds} s more before Aurora takes writes${outage}`,
        );
      }
      io.out(p.dim(`        ${o.note}`));
    }
  }
  io.out(
    p.dim(`    ${dr.priceTable.label}. Prices compiled ${dr.priceTable.compiled}; ${dr.priceTable.source}.`),
  );
}

function printCost(cost: MonthlyCost, where: string, io: PlanIo, p: Paint): void {
  if (cost.totalUsd === null) {
    // Every item is unpriced, for the same reason: one line says it (the JSON lists them).
    io.out(
      `        ${p.yellow(`no prices for ${where}`)} in tools/prices.json: ${cost.unpriced.length} items unpriced, no total`,
    );
    return;
  }
  for (const item of cost.items)
    io.out(`        $${item.monthlyUsd.toFixed(2).padStart(9)}  ${item.quantity} × ${item.item}`);
  for (const u of cost.unpriced) io.out(`        ${p.yellow("unpriced")}   ${u}`);
  io.out(`        $${cost.totalUsd.toFixed(2).padStart(9)}  total`);
}

/** The pre-flight's checked stacks as the runner takes them: config from `root`, programs from this repository. */
function stackFilesOf(checked: CheckedStack[], root: string, programDir: string): StackFile[] {
  return checked.map((s) => ({
    stack: s.stack,
    file: path.join(root, s.file),
    project: s.project,
    dir: programDir,
    config: s.config,
  }));
}

/**
 * The stack file `--stack` names: its stack name (unique across both projects) or its fully qualified
 * name `<organization>/<project>/<stack>`, as docs/deploying.md's `pulumi up --stack "$ORG/..."` writes it.
 */
export function selectStack(name: string, files: StackFile[], organization: string): StackFile {
  const qualified = (s: StackFile) => qualifiedName(s.stack, organization, s.project);
  const allowed = `allowed: ${files.map((s) => s.stack).join(", ")} (or fully qualified: ${files.map(qualified).join(", ")})`;
  const parts = name.split("/");
  if (parts.length === 3) {
    const found = files.find((s) => qualified(s) === name);
    if (found) return found;
    const [org, project, stack] = parts;
    const sameStack = files.find((s) => s.project === project && s.stack === stack);
    throw new UsageError(
      sameStack && org !== organization
        ? `--stack "${name}": the stack files name the organization ${organization} (primaryStack, homeStack), not ${org}; ${allowed}`
        : `--stack "${name}": no such stack file; ${allowed}`,
    );
  }
  if (parts.length !== 1) {
    throw new UsageError(`--stack "${name}": a stack name or <organization>/<project>/<stack>; ${allowed}`);
  }
  const found = files.filter((s) => s.stack === name);
  if (found.length > 1) {
    throw new UsageError(
      `--stack "${name}": both projects have it; name it fully qualified: ${found.map(qualified).join(", ")}`,
    );
  }
  if (found.length === 0) throw new UsageError(`--stack "${name}": no such stack file; ${allowed}`);
  return found[0];
}

/**
 * Plans the stacks of the projects under `root` (Pulumi.yaml, control/Pulumi.yaml and their stack
 * files) and returns the plan with its exit code, printed top-down once every stack has run. Nothing
 * runs until the pre-flight finds no problem in any stack file.
 */
export async function plan(opts: PlanOptions, io: PlanIo, root: string): Promise<Plan> {
  const p = paint(opts.color);
  const writeJson = (result: Plan): Plan => {
    if (!opts.json) return result;
    try {
      fs.writeFileSync(path.resolve(opts.json), JSON.stringify(result, null, 2) + "\n");
    } catch (e) {
      io.err(`${p.red("error:")} --json "${opts.json}": cannot write the file (${(e as Error).message})`);
      return { ...result, exitCode: result.exitCode === EXIT.internal ? EXIT.internal : EXIT.badInput };
    }
    if (result.exitCode !== EXIT.badInput && result.exitCode !== EXIT.internal) io.out(`Wrote ${opts.json}`);
    return result;
  };
  const fail = (exitCode: number, problems: PlanProblem[], footer?: string): Plan => {
    for (const problem of problems) io.err(`${p.red("error:")} ${problem.text}`);
    if (footer) io.err(footer);
    return writeJson({ stacks: [], dr: null, cost: null, placeholders: [], problems, exitCode });
  };
  const problem = (message: string): PlanProblem => ({ message, text: message });
  let policyConfig: PackConfig;
  try {
    policyConfig = readPolicyConfig(opts.policyConfig);
  } catch (e) {
    return fail(EXIT.badInput, [problem((e as Error).message)]);
  }

  const checked = preflight(root);
  if (checked.findings.length > 0) {
    return fail(
      EXIT.badInput,
      checked.findings.map((f) => ({ ...f, text: formatFinding(f) })),
      `${checked.findings.length} problem(s) in the stack files: nothing was planned. Each would stop pulumi preview or up, or break the failover.`,
    );
  }
  const stackFiles = stackFilesOf(checked.regional, root, ROOT_DIR);
  const controlStackFiles = stackFilesOf(checked.control, root, CONTROL_DIR);
  const organization = checked.organization;
  const allFiles = [...stackFiles, ...controlStackFiles];
  let only: StackFile | undefined;
  try {
    only = opts.stack === undefined ? undefined : selectStack(opts.stack, allFiles, organization);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return fail(EXIT.badInput, [problem(e.message)]);
  }

  // Every stack runs (standbys need the home's exports, the control stack every region's, and the DR
  // report all of them); --stack only chooses what is printed and checked.
  const references = emptyReferences();
  const runs: StackRun[] = [];
  const planned: { plan: StackPlan; run: StackRun }[] = [];
  // Of every run so far: a standby or the control stack exports values an earlier run invented.
  const fabricated = new Set<string>();
  for (const stackFile of allFiles) {
    let run: StackRun;
    try {
      run = await runStack(stackFile, references, organization);
    } catch (e) {
      const error = findConfigError(e);
      if (error) return fail(EXIT.badInput, [problem(`stack ${stackFile.stack}: ${error.message}`)]);
      const hint = process.env.PLAN_STACK_TRACES
        ? `\n${(e as Error).stack}`
        : " (PLAN_STACK_TRACES=1 shows the stack trace)";
      const message = `stack ${stackFile.stack}: ${(e as Error).message ?? String(e)}`;
      return fail(EXIT.internal, [{ message, text: `${message}${hint}` }]);
    }
    addReference(references, run);
    runs.push(run);
    run.fabricated.forEach((f) => fabricated.add(f));
    if (only !== undefined && stackFile !== only) continue;
    planned.push({ plan: await stackPlan(run, stackFile, organization, policyConfig, fabricated), run });
  }

  const dr = drReport(runs);
  const placeholders = findPlaceholders(root);
  const plans = planned.map((s) => s.plan);
  io.out(
    p.dim(
      `Offline plan under Pulumi mocks: nothing is deployed. ${UNKNOWN}: a value AWS assigns at deploy (an id, ARN, ` +
        "DNS name, zone or subnet id, the account, an availability zone); the mocks' stand-ins are not printed.",
    ),
  );
  io.out("");
  printSummary(plans, dr, io, p);
  printPlaceholders(placeholders, io, p);
  for (const { plan: stackPlanResult, run } of planned) printStack(stackPlanResult, run, fabricated, io, p);
  printDr(dr, io, p);
  const mandatory = plans.reduce((n, s) => n + s.policies.mandatory.length, 0);
  const advisory = plans.reduce((n, s) => n + s.policies.advisory.length, 0);
  const exitCode = mandatory > 0 ? EXIT.mandatory : EXIT.clean;
  const examples =
    placeholders.length > 0
      ? `; ${plural(placeholders.length, "example value")} to replace before a real deploy`
      : "";
  io.out("");
  const result = writeJson({
    stacks: plans,
    dr,
    cost: costSummary(dr),
    placeholders,
    problems: [],
    exitCode,
  });
  // The last line: what the policies found, mandatory and advisory.
  io.out(
    mandatory > 0
      ? p.red(
          `${policyCounts(mandatory, advisory)}: a real pulumi preview with --policy-pack policy would fail${examples}.`,
        )
      : p.green(`Planned ${plural(plans.length, "stack")}: ${policyCounts(mandatory, advisory)}${examples}.`),
  );
  return result;
}

/** A ConfigError may arrive wrapped by the Pulumi runtime; find it (or its message) in the chain. */
export function findConfigError(e: unknown): { message: string } | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    if (cur instanceof ConfigError) return cur;
    const message = (cur as Error).message ?? "";
    const match = /Invalid config "[^"]+" = .*/.exec(message);
    if (match) return { message: match[0] };
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

async function main(): Promise<void> {
  // The Pulumi SDK captures a stack trace for every promise it tracks and every resource it
  // registers; formatting them was a third of the plan's time, and the plan never shows them (it
  // reports config errors and policy results as messages). PLAN_STACK_TRACES=1 keeps them, to debug
  // an internal error (exit 3).
  if (!process.env.PLAN_STACK_TRACES) Error.stackTraceLimit = 0;
  const io: PlanIo = { out: (l) => console.log(l), err: (l) => console.error(l) };
  const colorDefault = process.stdout.isTTY === true && !process.env.NO_COLOR;
  let opts: PlanOptions;
  try {
    opts = parseArgs(process.argv.slice(2), colorDefault);
  } catch (e) {
    io.err(`error: ${(e as Error).message}`);
    io.err(USAGE);
    process.exitCode = EXIT.badInput;
    return;
  }
  if (opts.help) {
    io.out(USAGE);
    return;
  }
  const result = await plan(opts, io, ROOT_DIR);
  process.exitCode = result.exitCode;
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    if (!process.env.PLAN_STACK_TRACES) console.error("(run with PLAN_STACK_TRACES=1 for the stack trace)");
    process.exitCode = EXIT.internal;
  });
}
