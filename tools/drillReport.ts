/**
 * The DR drill's report: each step of a plan execution, as `aws arc-region-switch get-plan-execution`
 * recorded it, against the time the DR report assumes for that step, flagging every step that took
 * longer. The assumptions ARC and AWS publish no figure for (a step's start-up, a switchover, the
 * Serverless raise, a health check flip) are exactly what a drill measures.
 *
 *   npm run drill-report -- [--capacity-seconds N | --plan plan.json] [--fail-over] <execution.json>...
 *
 * Each file is the JSON the AWS CLI prints for GetPlanExecution (`--output json`, no `--query`): the
 * execution's state, mode and action, its `stepStates` (name, status, startTime, endTime, stepMode:
 * "StepState", ARC API reference) and the `plan` that ran, whose steps say what each step is. The
 * assumptions are DR_ASSUMPTIONS; the one figure that comes from the stacks, the time for a new
 * instance to serve (capacity), is taken from `--capacity-seconds`, from a saved offline plan
 * (`npm run plan -- --json plan.json`, its `dr.capacitySeconds`), or else from the DR report of this
 * repository's stack files.
 *
 * Exit codes: 0 the report was printed (steps over their assumption are flagged, not failed, unless
 * `--fail-over`); 1 with `--fail-over`, some step took longer than assumed; 2 bad input (an unknown
 * flag, a file that is not a GetPlanExecution response): the message names the file and the field.
 */
import * as fs from "fs";
import { Assumptions, drReport, DR_ASSUMPTIONS } from "./drReport";
import { listControlStackFiles, listStackFiles, ROOT_DIR } from "./mocks";
import { ApiStep, fromApiStep, timedSteps, TimedStep } from "./planSteps";
import { runAllStacks } from "./runStacks";

/** ExecutionState, ARC API reference (GetPlanExecution, ListPlanExecutions). */
export const EXECUTION_STATES = [
  "inProgress",
  "pausedByFailedStep",
  "pausedByOperator",
  "completed",
  "completedWithExceptions",
  "canceled",
  "planExecutionTimedOut",
  "pendingManualApproval",
  "failed",
  "pending",
  "completedMonitoringApplicationHealth",
] as const;

/** StepStatus, ARC API reference (StepState.status). */
export const STEP_STATUSES = [
  "notStarted",
  "running",
  "failed",
  "completed",
  "canceled",
  "skipped",
  "pendingApproval",
] as const;

/** The parts of a GetPlanExecution response this report reads (the AWS CLI's JSON: timestamps as ISO 8601 text). */
export interface PlanExecution {
  planArn: string;
  executionId: string;
  startTime: string;
  endTime?: string;
  mode: "graceful" | "ungraceful";
  executionState: (typeof EXECUTION_STATES)[number];
  executionAction: string;
  executionRegion: string;
  stepStates?: {
    name?: string;
    status?: (typeof STEP_STATUSES)[number];
    startTime?: string;
    endTime?: string;
    stepMode?: "graceful" | "ungraceful";
  }[];
  plan?: {
    name?: string;
    workflows?: { workflowTargetAction?: string; workflowTargetRegion?: string; steps?: ApiStep[] }[];
  };
}

export type Verdict = "over" | "within" | "a person" | "not measured" | "not in the plan";

export interface StepResult {
  name: string;
  type: string;
  parent?: string;
  status: string;
  mode: "graceful" | "ungraceful";
  measuredSeconds: number | null;
  assumedSeconds: number | null;
  verdict: Verdict;
  restsOn: string[];
}

export interface ExecutionResult {
  file: string;
  executionId: string;
  action: string;
  region: string;
  mode: string;
  state: string;
  steps: StepResult[];
  /** From the end of the approval (or the start) to the end of the last step, measured and assumed. */
  machineSeconds: number | null;
  assumedMachineSeconds: number;
}

/** A bad input file or flag: reported with exit code 2, never a stack trace. */
export class DrillInputError extends Error {}

function seconds(from: string | undefined, to: string | undefined): number | null {
  if (from === undefined || to === undefined) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? Math.round(ms / 100) / 10 : null;
}

/** Throws a DrillInputError unless `value` is a GetPlanExecution response this report can read. */
export function validateExecution(value: unknown, file: string): PlanExecution {
  const fail = (what: string) => {
    throw new DrillInputError(
      `${file}: ${what}; save the whole response: aws arc-region-switch get-plan-execution --region <region> --plan-arn <plan> --execution-id <id> --output json > ${file}`,
    );
  };
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail("not a JSON object (a GetPlanExecution response)");
  const e = value as Record<string, unknown>;
  for (const key of [
    "executionId",
    "startTime",
    "mode",
    "executionState",
    "executionAction",
    "executionRegion",
  ]) {
    if (typeof e[key] !== "string") fail(`"${key}" is missing or not a string`);
  }
  if (!(EXECUTION_STATES as readonly string[]).includes(e.executionState as string))
    fail(`"executionState" ${JSON.stringify(e.executionState)} is not one of ${EXECUTION_STATES.join(", ")}`);
  if (e.mode !== "graceful" && e.mode !== "ungraceful")
    fail(`"mode" ${JSON.stringify(e.mode)} is neither graceful nor ungraceful`);
  if (!Array.isArray(e.stepStates)) fail('"stepStates" is missing');
  const plan = e.plan as PlanExecution["plan"];
  if (!plan || !Array.isArray(plan.workflows)) fail('"plan.workflows" is missing (a --query cut it off?)');
  for (const s of e.stepStates as unknown[]) {
    const status = (s as { status?: unknown }).status;
    if (status !== undefined && !(STEP_STATUSES as readonly string[]).includes(status as string))
      fail(`a step's "status" ${JSON.stringify(status)} is not one of ${STEP_STATUSES.join(", ")}`);
  }
  return value as PlanExecution;
}

/** The workflow that ran: the plan's workflow for the execution's action and region. */
function workflowOf(e: PlanExecution, file: string): ApiStep[] {
  const workflows = e.plan?.workflows ?? [];
  const match =
    workflows.find(
      (w) => w.workflowTargetAction === e.executionAction && w.workflowTargetRegion === e.executionRegion,
    ) ?? (workflows.length === 1 ? workflows[0] : undefined);
  if (!match) {
    throw new DrillInputError(
      `${file}: the plan has no ${e.executionAction} workflow for ${e.executionRegion} (workflows: ${workflows
        .map((w) => `${w.workflowTargetAction} ${w.workflowTargetRegion}`)
        .join(", ")})`,
    );
  }
  return match.steps ?? [];
}

/** Each recorded step against the DR report's assumption for it, in the mode it ran in. */
export function compareExecution(
  e: PlanExecution,
  file: string,
  capacitySeconds: number,
  a: Assumptions = DR_ASSUMPTIONS,
): ExecutionResult {
  const timed = timedSteps(workflowOf(e, file).map(fromApiStep), capacitySeconds, a);
  const byName = new Map<string, TimedStep>(timed.map((t) => [t.name, t]));
  const states = e.stepStates ?? [];
  const steps: StepResult[] = states.map((s) => {
    const name = String(s.name);
    const mode = s.stepMode ?? e.mode;
    const t = byName.get(name);
    const measured = s.status === "completed" ? seconds(s.startTime, s.endTime) : null;
    const assumed = t ? (mode === "ungraceful" ? t.ungracefulSeconds : t.gracefulSeconds) : null;
    let verdict: Verdict;
    if (!t) verdict = "not in the plan";
    else if (t.type === "ManualApproval") verdict = "a person";
    else if (measured === null || assumed === null) verdict = "not measured";
    else verdict = measured > assumed ? "over" : "within";
    return {
      name,
      type: t?.type ?? "unknown",
      ...(t?.parent !== undefined && { parent: t.parent }),
      status: String(s.status ?? "unknown"),
      mode,
      measuredSeconds: measured,
      assumedSeconds: assumed,
      verdict,
      restsOn: t ? (mode === "ungraceful" ? t.restsOn.ungraceful : t.restsOn.graceful) : [],
    };
  });
  // Machine time: from the approval's end (a person's wait is not the machine's) to the last step's end.
  const approval = states.find((s) => byName.get(String(s.name))?.type === "ManualApproval");
  const from = approval?.endTime ?? e.startTime;
  const ends = states.map((s) => s.endTime).filter((t): t is string => t !== undefined);
  const last = ends.sort((x, y) => Date.parse(x) - Date.parse(y)).at(-1);
  const topLevel = timed.filter((t) => t.parent === undefined);
  return {
    file,
    executionId: e.executionId,
    action: e.executionAction,
    region: e.executionRegion,
    mode: e.mode,
    state: e.executionState,
    steps,
    machineSeconds: last === undefined ? null : seconds(from, last),
    assumedMachineSeconds: topLevel.reduce(
      (sum, t) => sum + (e.mode === "ungraceful" ? t.ungracefulSeconds : t.gracefulSeconds),
      0,
    ),
  };
}

function show(n: number | null): string {
  return n === null ? "-" : `${n} s`;
}

/** The report, as text: one block per execution, one line per step, the steps over their assumption flagged. */
export function renderReport(results: ExecutionResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.file}: execution ${r.executionId}, ${r.action} ${r.region}, ${r.mode}, ${r.state}`);
    for (const s of r.steps) {
      const name = s.parent ? `  ${s.parent} / ${s.name}` : s.name;
      const flag = s.verdict === "over" ? "OVER" : s.verdict;
      lines.push(
        `  ${flag.padEnd(15)} ${name.padEnd(44)} ${s.status.padEnd(14)} measured ${show(s.measuredSeconds).padStart(8)}, assumed ${show(s.assumedSeconds).padStart(7)} (${s.mode}${s.restsOn.length ? `: ${s.restsOn.join(" + ")}` : ""})`,
      );
    }
    lines.push(
      `  machine time after the approval: measured ${show(r.machineSeconds)}, assumed ${r.assumedMachineSeconds} s`,
    );
  }
  const over = results.flatMap((r) =>
    r.steps.filter((s) => s.verdict === "over").map((s) => `${r.file}: ${s.name}`),
  );
  lines.push(
    over.length === 0
      ? "Every measured step within the DR report's assumption."
      : `${over.length} step(s) took longer than the DR report assumes: ${over.join(", ")}. Update DR_ASSUMPTIONS (tools/drReport.ts) with the measured figure, or find out why.`,
  );
  return lines.join("\n");
}

export interface DrillOptions {
  files: string[];
  capacitySeconds?: number;
  planJson?: string;
  failOver: boolean;
}

export const USAGE =
  "usage: npm run drill-report -- [--capacity-seconds N | --plan plan.json] [--fail-over] <get-plan-execution JSON file>...";

export function parseArgs(argv: string[]): DrillOptions {
  const opts: DrillOptions = { files: [], failOver: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--fail-over") opts.failOver = true;
    else if (arg === "--capacity-seconds") {
      const value = argv[++i];
      const n = Number(value);
      if (value === undefined || !Number.isFinite(n) || n < 0)
        throw new DrillInputError(`--capacity-seconds ${String(value)}: a number of seconds, 0 or more`);
      opts.capacitySeconds = n;
    } else if (arg === "--plan") {
      const value = argv[++i];
      if (value === undefined)
        throw new DrillInputError("--plan needs the file `npm run plan -- --json` wrote");
      opts.planJson = value;
    } else if (arg.startsWith("-")) throw new DrillInputError(`unknown option ${arg}`);
    else opts.files.push(arg);
  }
  if (opts.files.length === 0) throw new DrillInputError("no get-plan-execution JSON file given");
  if (opts.capacitySeconds !== undefined && opts.planJson !== undefined)
    throw new DrillInputError("give --capacity-seconds or --plan, not both");
  return opts;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new DrillInputError(`${file}: cannot read it (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DrillInputError(`${file}: not JSON (${(e as Error).message})`);
  }
}

/** The capacity figure of a saved offline plan (`npm run plan -- --json`). */
function capacityFromPlan(file: string): number {
  const plan = readJson(file) as { dr?: { capacitySeconds?: unknown } } | null;
  const value = plan?.dr?.capacitySeconds;
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new DrillInputError(
      `${file}: no dr.capacitySeconds (write it with npm run plan -- --json ${file})`,
    );
  return value;
}

/** The capacity figure of the DR report of this repository's stack files (what `npm run plan` prints). */
async function capacityFromStacks(): Promise<number> {
  try {
    const runs = await runAllStacks(listStackFiles(ROOT_DIR), listControlStackFiles(ROOT_DIR));
    return drReport(runs).capacitySeconds;
  } catch (e) {
    throw new DrillInputError(
      `the stack files of this repository do not plan (${(e as Error).message}): run npm run plan to see why, or give --capacity-seconds`,
    );
  }
}

export interface DrillIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Runs the report; returns the exit code. */
export async function drillReport(argv: string[], io: DrillIo): Promise<number> {
  try {
    const opts = parseArgs(argv);
    const executions = opts.files.map((f) => validateExecution(readJson(f), f));
    const capacity =
      opts.capacitySeconds ??
      (opts.planJson !== undefined ? capacityFromPlan(opts.planJson) : await capacityFromStacks());
    const results = executions.map((e, i) => compareExecution(e, opts.files[i], capacity));
    io.out(renderReport(results));
    const over = results.some((r) => r.steps.some((s) => s.verdict === "over"));
    return opts.failOver && over ? 1 : 0;
  } catch (e) {
    if (!(e instanceof DrillInputError)) throw e;
    io.err(`error: ${e.message}`);
    io.err(USAGE);
    return 2;
  }
}

if (require.main === module) {
  drillReport(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((e: unknown) => {
      console.error(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exitCode = 3;
    });
}
