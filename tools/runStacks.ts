/**
 * Runs the real program (index.ts) for stacks under the shared mocks, home stack first, feeding each
 * standby's StackReference with the home run's real exports. Used by the tests and the offline plan.
 */
import { listStackFiles, runProgram, StackFile, StackRun } from "./mocks";

export const PROJECT = "multi-region-web";
/** The organization the stack files name when none says otherwise (a self-managed backend's). */
export const DEFAULT_ORGANIZATION = "organization";

/** A standby's `primaryStack` that no stack file answers: what a real preview reports as a missing stack. */
export class StackWiringError extends Error {}

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

/**
 * The organization of the stacks, as the standbys' `primaryStack` names it (`my-org/...` once a user
 * sets their Pulumi Cloud organization); every stack runs in it, so the names line up as in the backend.
 */
export function organizationOf(stacks: StackFile[]): string {
  const orgs = new Set(
    stacks
      .map((s) => s.config[`${PROJECT}:primaryStack`])
      .filter((name): name is string => typeof name === "string" && name.includes("/"))
      .map((name) => name.split("/")[0]),
  );
  if (orgs.size > 1) {
    throw new StackWiringError(
      `the stack files' primaryStack values name different organizations (${[...orgs].join(", ")}); all stacks live in one`,
    );
  }
  return [...orgs][0] ?? DEFAULT_ORGANIZATION;
}

export function qualifiedName(stack: string, organization = DEFAULT_ORGANIZATION): string {
  return `${organization}/${PROJECT}/${stack}`;
}

/** Every standby's primaryStack must name a home stack among the stack files (home first needs it). */
export function checkStackWiring(stacks: StackFile[], organization = organizationOf(stacks)): void {
  const homes = stacks.filter(isHome).map((s) => qualifiedName(s.stack, organization));
  for (const stack of stacks.filter((s) => !isHome(s))) {
    const primary = stack.config[`${PROJECT}:primaryStack`];
    if (primary && !homes.includes(primary)) {
      throw new StackWiringError(
        `stack ${stack.stack}: primaryStack "${primary}" is not a home stack of these stack files ` +
          `(home: true); expected one of: ${homes.join(", ") || "none"}`,
      );
    }
  }
}

/** Runs one stack; `references` maps fully qualified stack names to their exports. */
export function runStack(
  stack: StackFile,
  references: Record<string, Record<string, unknown>> = {},
  organization = DEFAULT_ORGANIZATION,
  program: Program = loadProgram(),
): Promise<StackRun> {
  return runProgram(program, {
    project: PROJECT,
    organization,
    stack: stack.stack,
    config: stack.config,
    stackReferences: references,
  });
}

/** Runs every given stack (default: the committed stack files), home first. */
export async function runAllStacks(stacks: StackFile[] = listStackFiles()): Promise<StackRun[]> {
  const organization = organizationOf(stacks);
  checkStackWiring(stacks, organization);
  const runs: StackRun[] = [];
  const references: Record<string, Record<string, unknown>> = {};
  for (const stack of homeFirst(stacks)) {
    const run = await runStack(stack, references, organization);
    references[qualifiedName(stack.stack, organization)] = run.outputs;
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
