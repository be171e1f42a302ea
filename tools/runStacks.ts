/**
 * Runs the real program (index.ts) for stacks under the shared mocks, home stack first, feeding each
 * standby's StackReference with the home run's real exports. Used by the tests and the offline plan.
 */
import { listStackFiles, runProgram, StackFile, StackRun } from "./mocks";

export const PROJECT = "multi-region-web";
export const ORGANIZATION = "organization";

type Program = () => Promise<Record<string, unknown>>;

/** The program's entry point, loaded once (index.ts exports an async function). */
export function loadProgram(): Program {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../index") as Program;
}

export function isHome(stack: StackFile): boolean {
  return stack.config[`${PROJECT}:home`] === "true";
}

/** Orders stacks home first (the standbys read its exports). */
export function homeFirst(stacks: StackFile[]): StackFile[] {
  return [...stacks.filter(isHome), ...stacks.filter((s) => !isHome(s))];
}

export function qualifiedName(stack: string): string {
  return `${ORGANIZATION}/${PROJECT}/${stack}`;
}

/** Runs one stack; `references` maps fully qualified stack names to their exports. */
export function runStack(
  stack: StackFile,
  references: Record<string, Record<string, unknown>> = {},
  program: Program = loadProgram(),
): Promise<StackRun> {
  return runProgram(program, {
    project: PROJECT,
    organization: ORGANIZATION,
    stack: stack.stack,
    config: stack.config,
    stackReferences: references,
  });
}

/** Runs every given stack (default: the committed stack files), home first. */
export async function runAllStacks(stacks: StackFile[] = listStackFiles()): Promise<StackRun[]> {
  const runs: StackRun[] = [];
  const references: Record<string, Record<string, unknown>> = {};
  for (const stack of homeFirst(stacks)) {
    const run = await runStack(stack, references);
    references[qualifiedName(stack.stack)] = run.outputs;
    runs.push(run);
  }
  return runs;
}

let committedRuns: Promise<StackRun[]> | undefined;

/**
 * The committed stack files' runs, computed once per process and shared by the specs that only read
 * them (the program is deterministic under mocks, so every spec would get the same result).
 */
export function committedStackRuns(): Promise<StackRun[]> {
  committedRuns ??= runAllStacks();
  return committedRuns;
}
