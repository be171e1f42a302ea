/**
 * `npm run plan`: the offline preview. Runs the real program for each stack file under the shared
 * mocks (home first; each standby's StackReference gets the home run's real exports), then prints per
 * stack a resource tree with counts, the outputs and the policy results, and the DR report.
 *
 * Before any program runs, a pre-flight (config/preflight.ts) checks every stack file of both projects
 * as the Pulumi CLI would, each stack's config as the program would, and what the stacks must agree on.
 *
 * Exit codes: 0 clean; 1 a mandatory policy violation; 2 bad config or bad arguments; 3 internal error.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, formatFinding } from "../config";
import { CheckedStack, preflight } from "../config/preflight";
import { drReport, DrReport, MonthlyCost } from "./drReport";
import { CONTROL_DIR, isFabricated, RecordedResource, ROOT_DIR, StackFile, StackRun } from "./mocks";
import { PackConfig } from "../policy/runner";
import { evaluateStack, PolicyResult, readPolicyConfig } from "./planPolicies";
import { addReference, emptyReferences, isControlRun, isHome, runStack } from "./runStacks";

export const EXIT = { clean: 0, mandatory: 1, badInput: 2, internal: 3 } as const;

export const USAGE = `Usage: npm run plan -- [options]

Offline preview of every stack in Pulumi.<stack>.yaml (no AWS account or Pulumi CLI needed):
the resource tree, outputs, CrossGuard policy results and the disaster-recovery report.

Values AWS assigns at deploy (ids, ARNs, DNS names, zone and subnet ids, the account, availability
zones) print as [unknown until deploy]: the mocks invent stand-ins for them. In the --json file they
are null, and each stack's unknownOutputs lists them as JSON Pointers into its outputs.

Options:
  --stack <name>               plan only this stack (the home stack still runs first, for its exports)
  --json <file>                also write the whole plan as JSON to <file>
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

export interface StackPlan {
  stack: string;
  region: string;
  role: string;
  home: boolean;
  resources: { urn: string; type: string; name: string; parent?: string; protect: boolean }[];
  countsByType: Record<string, number>;
  /** The exports, with null for each value that exists only after a deploy. */
  outputs: Record<string, unknown>;
  /**
   * JSON Pointers (RFC 6901) into `outputs` of the values that exist only after a deploy: null alone
   * would not tell them from an export that is null (as Terraform's plan JSON has `after_unknown`).
   */
  unknownOutputs: string[];
  policies: { mandatory: PolicyResult[]; advisory: PolicyResult[] };
}

export interface Plan {
  stacks: StackPlan[];
  dr: DrReport | null;
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

async function stackPlan(
  run: StackRun,
  stackFile: StackFile,
  policyConfig: PackConfig,
  fabricated: ReadonlySet<string>,
): Promise<StackPlan> {
  const results = await evaluateStack(run, policyConfig);
  const unknownOutputs: string[] = [];
  return {
    stack: run.stack,
    region: run.region,
    role: isControlRun(run) ? "control" : (run.config[`${run.project}:role`] ?? "unknown"),
    home: isHome(stackFile),
    resources: run.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent,
      protect: r.protect,
    })),
    countsByType: countByType(run.resources),
    outputs: Object.fromEntries(
      Object.entries(run.outputs).map(([key, value]) => [
        key,
        // A secret is never printed, known or not (and so is no unknown either).
        run.secretOutputNames.includes(key)
          ? SECRET
          : maskFabricated(
              value,
              fabricated,
              null,
              unknownOutputs,
              `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`,
            ),
      ]),
    ),
    unknownOutputs,
    policies: {
      mandatory: results.filter((r) => r.level === "mandatory"),
      advisory: results.filter((r) => r.level === "advisory"),
    },
  };
}

function printStack(
  plan: StackPlan,
  run: StackRun,
  fabricated: ReadonlySet<string>,
  io: PlanIo,
  p: Paint,
): void {
  io.out("");
  const kind =
    plan.role === "control" ? "failover control" : `${plan.role}, ${plan.home ? "home" : "standby"}`;
  io.out(p.bold(`Stack ${plan.stack} (${plan.region}, ${kind})`));
  io.out("");
  io.out(`    ${p.dim("Type  Name")}`);
  renderTree(run.resources, p).forEach((l) => io.out(l));
  io.out("");
  io.out(p.bold("Resources:"));
  io.out(`    ${p.green(`+ ${plan.resources.length} to create`)}`);
  for (const [type, n] of Object.entries(plan.countsByType))
    io.out(`      ${String(n).padStart(3)}  ${type}`);
  io.out("");
  io.out(p.bold("Outputs:"));
  for (const [key, value] of Object.entries(run.outputs)) {
    // As pulumi preview prints a secret export: never its value, known or not.
    io.out(`    ${key}: ${run.secretOutputNames.includes(key) ? SECRET : renderOutput(value, fabricated)}`);
  }
  io.out("");
  const { mandatory, advisory } = plan.policies;
  io.out(p.bold(`Policies: ${mandatory.length} mandatory violation(s), ${advisory.length} advisory`));
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
    for (const step of t.steps) {
      io.out(
        `    ${step.name.padEnd(24)} ${step.type.padEnd(22)} ungraceful ${seconds(step.ungracefulSeconds)}, graceful ${seconds(step.gracefulSeconds)}`,
      );
    }
    io.out(
      `    machine time to Aurora writes: ungraceful ${seconds(t.ungraceful.writesSeconds)}, graceful ${seconds(t.graceful.writesSeconds)}; to traffic: ungraceful ${seconds(t.ungraceful.trafficSeconds)}, graceful ${seconds(t.graceful.trafficSeconds)}`,
    );
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
    io.out(`    standby cost: ${dr.standbyCostPercentOfActive}% of the active region's${without}`);
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
        io.out(
          `        against the home's class: ${saves} for ${v.extraWritesSeconds} s more before Aurora takes writes`,
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
 * Plans the stacks of the projects under `root` (Pulumi.yaml, control/Pulumi.yaml and their stack
 * files) and returns the plan with its exit code; prints as it goes. Nothing runs until the
 * pre-flight finds no problem in any stack file.
 */
export async function plan(opts: PlanOptions, io: PlanIo, root: string): Promise<Plan> {
  const p = paint(opts.color);
  const fail = (exitCode: number, message: string): Plan => {
    io.err(`${p.red("error:")} ${message}`);
    return { stacks: [], dr: null, exitCode };
  };
  let policyConfig: PackConfig;
  try {
    policyConfig = readPolicyConfig(opts.policyConfig);
  } catch (e) {
    return fail(EXIT.badInput, (e as Error).message);
  }

  const checked = preflight(root);
  if (checked.findings.length > 0) {
    for (const finding of checked.findings) io.err(`${p.red("error:")} ${formatFinding(finding)}`);
    io.err(
      `${checked.findings.length} problem(s) in the stack files: nothing was planned. Each would stop pulumi preview or up, or break the failover.`,
    );
    return { stacks: [], dr: null, exitCode: EXIT.badInput };
  }
  const stackFiles = stackFilesOf(checked.regional, root, ROOT_DIR);
  const controlStackFiles = stackFilesOf(checked.control, root, CONTROL_DIR);
  const organization = checked.organization;
  const allFiles = [...stackFiles, ...controlStackFiles];
  if (opts.stack !== undefined && !allFiles.some((s) => s.stack === opts.stack)) {
    return fail(
      EXIT.badInput,
      `--stack "${opts.stack}": no such stack file; allowed: ${allFiles.map((s) => s.stack).join(", ")}`,
    );
  }

  // Every stack runs (standbys need the home's exports, the control stack every region's, and the DR
  // report all of them); --stack only chooses what is printed and checked.
  const references = emptyReferences();
  const runs: StackRun[] = [];
  const plans: StackPlan[] = [];
  // Of every run so far: a standby or the control stack exports values an earlier run invented.
  const fabricated = new Set<string>();
  io.out(
    p.dim(
      `Offline plan under Pulumi mocks. ${UNKNOWN}: a value AWS assigns at deploy (an id, ARN, DNS name, ` +
        "zone or subnet id, the account, an availability zone); the mocks' stand-ins are not printed.",
    ),
  );
  for (const stackFile of [...stackFiles, ...controlStackFiles]) {
    let run: StackRun;
    try {
      run = await runStack(stackFile, references, organization);
    } catch (e) {
      const error = findConfigError(e);
      if (error) return fail(EXIT.badInput, `stack ${stackFile.stack}: ${error.message}`);
      const hint = process.env.PLAN_STACK_TRACES
        ? `\n${(e as Error).stack}`
        : " (PLAN_STACK_TRACES=1 shows the stack trace)";
      return fail(EXIT.internal, `stack ${stackFile.stack}: ${(e as Error).message ?? String(e)}${hint}`);
    }
    addReference(references, run);
    runs.push(run);
    run.fabricated.forEach((f) => fabricated.add(f));
    if (opts.stack !== undefined && stackFile.stack !== opts.stack) continue;
    const stackPlanResult = await stackPlan(run, stackFile, policyConfig, fabricated);
    printStack(stackPlanResult, run, fabricated, io, p);
    plans.push(stackPlanResult);
  }

  const dr = drReport(runs);
  printDr(dr, io, p);
  const mandatory = plans.reduce((n, s) => n + s.policies.mandatory.length, 0);
  const exitCode = mandatory > 0 ? EXIT.mandatory : EXIT.clean;
  io.out("");
  io.out(
    mandatory > 0
      ? p.red(
          `${mandatory} mandatory policy violation(s): a real pulumi preview with --policy-pack policy would fail.`,
        )
      : p.green(`Planned ${plans.length} stack(s): no mandatory policy violations.`),
  );
  const result: Plan = { stacks: plans, dr, exitCode };
  if (opts.json) {
    try {
      fs.writeFileSync(path.resolve(opts.json), JSON.stringify(result, null, 2) + "\n");
    } catch (e) {
      return fail(EXIT.badInput, `--json "${opts.json}": cannot write the file (${(e as Error).message})`);
    }
    io.out(`Wrote ${opts.json}`);
  }
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
