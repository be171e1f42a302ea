/**
 * Runs the real programs for stacks under the shared mocks: the regional stacks (index.ts) home first,
 * feeding each standby's StackReference with the home run's real exports, then the failover control
 * stacks (control/index.ts), which read every regional run's exports. Used by the tests and the plan.
 */
import * as path from "path";
import {
  CONTROL_DIR,
  listControlStackFiles,
  listStackFiles,
  ROOT_DIR,
  runProgram,
  StackFile,
  StackRun,
} from "./mocks";

export const PROJECT = "multi-region-web";
/** The organization the stack files name when none says otherwise (a self-managed backend's). */
export const DEFAULT_ORGANIZATION = "organization";

type Program = () => Promise<Record<string, unknown>>;

/** A project's entry point (its folder's index.ts, which exports an async function), loaded once. */
export function loadProgram(dir = ROOT_DIR): Program {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(dir, "index")) as Program;
}

export function isHome(stack: StackFile): boolean {
  return stack.config[`${PROJECT}:home`] === "true";
}

/** Orders stacks home first (the standbys read its exports). */
export function homeFirst(stacks: StackFile[]): StackFile[] {
  return [...stacks.filter(isHome), ...stacks.filter((s) => !isHome(s))];
}

/**
 * The organization of the stacks, as the standbys' `primaryStack` names it (`my-org/...` once a user
 * sets their Pulumi Cloud organization); every stack runs in it, so the names line up as in the
 * backend. The pre-flight (config/preflight.ts) checks that they agree.
 */
export function organizationOf(stacks: StackFile[]): string {
  const named = stacks
    .map((s) => s.config[`${PROJECT}:primaryStack`])
    .find((name): name is string => typeof name === "string" && name.includes("/"));
  return named?.split("/")[0] ?? DEFAULT_ORGANIZATION;
}

export function qualifiedName(stack: string, organization = DEFAULT_ORGANIZATION, project = PROJECT): string {
  return `${organization}/${project}/${stack}`;
}

/** What earlier runs exported, by fully qualified stack name: what a StackReference reads. */
export interface References {
  outputs: Record<string, Record<string, unknown>>;
  secretOutputs: Record<string, string[]>;
}

export function emptyReferences(): References {
  return { outputs: {}, secretOutputs: {} };
}

/** Records a run's exports so that later stacks' StackReferences find them. */
export function addReference(references: References, run: StackRun): void {
  const name = qualifiedName(run.stack, run.organization, run.project);
  references.outputs[name] = run.outputs;
  references.secretOutputs[name] = run.secretOutputNames;
}

/** Runs one stack of any project (regional or control) against what earlier runs exported. */
export function runStack(
  stack: StackFile,
  references: References = emptyReferences(),
  organization = DEFAULT_ORGANIZATION,
  program: Program = loadProgram(stack.dir),
): Promise<StackRun> {
  return runProgram(program, {
    project: stack.project,
    organization,
    stack: stack.stack,
    config: stack.config,
    stackReferences: references.outputs,
    secretStackOutputs: references.secretOutputs,
  });
}

/** Runs every given regional stack (default: the committed stack files), home first, then the control stacks. */
export async function runAllStacks(
  stacks: StackFile[] = listStackFiles(),
  controlStacks: StackFile[] = listControlStackFiles(),
): Promise<StackRun[]> {
  const organization = organizationOf(stacks);
  const runs: StackRun[] = [];
  const references = emptyReferences();
  for (const stack of [...homeFirst(stacks), ...controlStacks]) {
    const run = await runStack(stack, references, organization);
    addReference(references, run);
    runs.push(run);
  }
  return runs;
}

/** True for a run of the failover control project. */
export function isControlRun(run: Pick<StackRun, "project">): boolean {
  return run.project !== PROJECT;
}

/** The control project's folder, for callers that list its stack files. */
export { CONTROL_DIR };

let committedRuns: Promise<StackRun[]> | undefined;

/**
 * The committed stack files' runs (regional and control), computed once per process and shared by the
 * specs that only read them (the programs are deterministic under mocks, so every spec would get the
 * same result).
 */
export function committedStackRuns(): Promise<StackRun[]> {
  committedRuns ??= runAllStacks();
  return committedRuns;
}
