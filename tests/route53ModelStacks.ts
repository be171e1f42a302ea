/**
 * The stacks as they are deployed, for the Route 53 model and the control stack's tests: the regional
 * stacks, then the control stack's first `pulumi up` (ARC has not created its health checks yet) and
 * a second one into the same account (ARC lists them), each run under the shared mocks.
 */
import { listControlStackFiles, listStackFiles, runProgram, StackFile, StackRun } from "../tools/mocks";
import {
  addReference,
  CONTROL_DIR,
  emptyReferences,
  fixtureRoot,
  fixtureStackRuns,
  isControlRun,
  loadProgram,
  References,
  runAllStacks,
} from "../tools/runStacks";

export interface Deployment {
  /** The regional runs, home first. */
  regional: StackRun[];
  /** The control stack's first `pulumi up`. */
  first: StackRun;
  /** The control stack's second `pulumi up`, into the first one's account. */
  second: StackRun;
}

/** The committed control stack file with `config` (fully qualified keys) set on it. */
export function controlStackFile(config: Record<string, string> = {}): StackFile {
  const [file] = listControlStackFiles(fixtureRoot());
  return { ...file, config: { ...file.config, ...config } };
}

/** What the regional runs export, as the control stack's StackReferences read it. */
export function referencesOf(regional: StackRun[]): References {
  const references = emptyReferences();
  for (const run of regional) addReference(references, run);
  return references;
}

/**
 * One more `pulumi up` of the control stack after `previous`, into its account, against the regional
 * runs' exports. `config` overrides the stack file's values (fully qualified keys).
 */
export function deployControlAgain(
  regional: StackRun[],
  previous: StackRun,
  config: Record<string, string> = previous.config,
): Promise<StackRun> {
  const references = referencesOf(regional);
  return runProgram(loadProgram(CONTROL_DIR), {
    project: previous.project,
    organization: previous.organization,
    stack: previous.stack,
    config,
    stackReferences: references.outputs,
    secretStackOutputs: references.secretOutputs,
    account: previous.account,
  });
}

/** Runs the regional stack files and deploys the control stack twice. */
export async function deploy(
  stacks: StackFile[] = listStackFiles(fixtureRoot()),
  control: StackFile = controlStackFile(),
): Promise<Deployment> {
  const runs = await runAllStacks(stacks, [control]);
  const first = runs[runs.length - 1];
  const regional = runs.slice(0, -1);
  const second = await deployControlAgain(regional, first);
  return { regional, first, second };
}

let committed: Promise<Deployment> | undefined;

/**
 * The committed stack files deployed: the shared committed runs (whose control run is the first
 * `pulumi up`), then a second `pulumi up` of the control stack into a copy of its account. Computed
 * once per process; a test that plays ARC deploys into `second.account!.clone()`.
 */
export function fixtureDeployment(): Promise<Deployment> {
  committed ??= fixtureStackRuns().then(async (runs) => {
    const first = runs.find(isControlRun)!;
    const regional = runs.filter((r) => !isControlRun(r));
    const second = await deployControlAgain(regional, { ...first, account: first.account!.clone() });
    return { regional, first, second };
  });
  return committed;
}
