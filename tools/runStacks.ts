/**
 * Runs the real programs for stacks under the shared mocks: the regional stacks (index.ts) home first,
 * feeding each standby's StackReference with the home run's real exports, then the failover control
 * stacks (control/index.ts), which read every regional run's exports. Used by the tests and the plan.
 *
 * The stack files at the repository's root are the user's: they change domain, zone, organization,
 * e-mails, tags and regions. The specs and the diagram run on the example stack files in
 * tests/fixtures/stacks instead (`fixtureRoot`), so that nothing a user puts in their own files turns
 * a test red or redraws docs/architecture.svg; tests/examples.test.ts alone checks the user's files,
 * for what must hold for any user (they parse, pass the pre-flight, plan with no mandatory violation).
 */
import * as fs from "fs";
import * as os from "os";
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

/** Runs every given regional stack, home first, then the control stacks. */
export async function runAllStacks(stacks: StackFile[], controlStacks: StackFile[]): Promise<StackRun[]> {
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

/** The example stack files (tests/fixtures/stacks): Pulumi.<stack>.yaml and control/Pulumi.<stack>.yaml. */
export const FIXTURE_STACKS_DIR = path.join(ROOT_DIR, "tests", "fixtures", "stacks");

/**
 * The project files a root holds besides its stack files: the pre-flight and the runs read them (and the
 * tsconfig.json control/Pulumi.yaml's runtime option names).
 */
const PROJECT_FILES = ["Pulumi.yaml", path.join("control", "Pulumi.yaml"), "tsconfig.json"];
const STACK_FILE = /^Pulumi\..+\.yaml$/;

/** One change to a stack root: `from` (which must occur) replaced by `to` in `file`, or the whole file when no `from`. */
export interface StackFileEdit {
  /** Relative to the root: `Pulumi.ca-central-1.yaml`, `control/Pulumi.global.yaml`. */
  file: string;
  from?: string;
  to: string;
}

const temporaryRoots: string[] = [];

/**
 * A temporary folder laid out as this repository's stack files, as the pre-flight, the plan and
 * `listStackFiles` read a root: this repository's project files (Pulumi.yaml, control/Pulumi.yaml,
 * so their config schema is always the current one), every stack file of `stacksDir` (its
 * Pulumi.<stack>.yaml and control/Pulumi.<stack>.yaml), then `edits` in order. Removed when the process exits.
 */
export function stackRoot(stacksDir: string, edits: StackFileEdit[] = []): string {
  if (temporaryRoots.length === 0) {
    process.once("exit", () => temporaryRoots.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"));
  temporaryRoots.push(root);
  fs.mkdirSync(path.join(root, "control"));
  for (const file of PROJECT_FILES) fs.copyFileSync(path.join(ROOT_DIR, file), path.join(root, file));
  for (const dir of [".", "control"]) {
    const from = path.join(stacksDir, dir);
    const names = fs.existsSync(from) ? fs.readdirSync(from).filter((f) => STACK_FILE.test(f)) : [];
    for (const name of names) fs.copyFileSync(path.join(from, name), path.join(root, dir, name));
  }
  for (const { file, from, to } of edits) {
    const target = path.join(root, file);
    if (from === undefined) {
      fs.writeFileSync(target, to);
      continue;
    }
    const text = fs.readFileSync(target, "utf8");
    if (!text.includes(from)) throw new Error(`test setup: ${file} has no "${from}"`);
    fs.writeFileSync(target, text.replace(from, to));
  }
  return root;
}

let fixtures: string | undefined;

/** The example stack files' root (`stackRoot(FIXTURE_STACKS_DIR)`), made once per process: what the specs run on. */
export function fixtureRoot(): string {
  fixtures ??= stackRoot(FIXTURE_STACKS_DIR);
  return fixtures;
}

/** The example stack files, regional (as in the files) and control. */
export function fixtureStackFiles(): { regional: StackFile[]; control: StackFile[] } {
  return { regional: listStackFiles(fixtureRoot()), control: listControlStackFiles(fixtureRoot()) };
}

let fixtureRuns: Promise<StackRun[]> | undefined;

/**
 * The example stack files' runs (regional and control), computed once per process and shared by the
 * specs that only read them (the programs are deterministic under mocks, so every spec would get the
 * same result).
 */
export function fixtureStackRuns(): Promise<StackRun[]> {
  if (!fixtureRuns) {
    const { regional, control } = fixtureStackFiles();
    fixtureRuns = runAllStacks(regional, control);
  }
  return fixtureRuns;
}
