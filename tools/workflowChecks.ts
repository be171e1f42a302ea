/**
 * Static checks of the GitHub Actions workflows for the mistakes that break silently: a step calling
 * an npm script that does not exist, a stack that has no stack file, standbys deployed before (or
 * without) the home stack, AWS credentials assumed without the OIDC permission, a secret interpolated
 * into a shell script, deploys that can overlap, jobs without explicit permissions.
 *
 * Every check is a pure function of a parsed workflow (plus the repository facts it compares with)
 * that returns a list of problems, empty when the workflow is fine, so that tests can run it both on
 * the real files and on small bad snippets. The one exception is the deploy order check, which runs
 * the shell step that a deploy job takes its stack names from (the step only reads the stack files).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";

export type Permissions = string | Record<string, string> | undefined;

export interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  "working-directory"?: string;
}

export interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  permissions?: Permissions;
  /** A reusable workflow call has `uses` and no steps. */
  uses?: string;
  steps?: Step[];
  env?: Record<string, unknown>;
  outputs?: Record<string, string>;
  strategy?: { matrix?: unknown };
  concurrency?: unknown;
  environment?: unknown;
  defaults?: { run?: { "working-directory"?: string } };
}

export interface Workflow {
  /** File name, for messages. */
  file: string;
  name?: string;
  permissions?: Permissions;
  concurrency?: unknown;
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

export interface StackInfo {
  name: string;
  region?: string;
  home: boolean;
}

export function parseWorkflow(file: string, text: string): Workflow {
  const doc = parse(text) as Partial<Workflow> | null;
  if (doc === null || typeof doc !== "object" || typeof doc.jobs !== "object" || doc.jobs === null) {
    throw new Error(`${file}: not a workflow (no jobs)`);
  }
  return { ...doc, file, jobs: doc.jobs };
}

export function loadWorkflows(dir: string): Workflow[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => parseWorkflow(f, fs.readFileSync(path.join(dir, f), "utf8")));
}

/** The stacks: one per `Pulumi.<stack>.yaml`; `<project>:home: true` marks the home. */
export function loadStacks(rootDir: string, project: string): StackInfo[] {
  return fs
    .readdirSync(rootDir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const doc = parse(fs.readFileSync(path.join(rootDir, m[0]), "utf8")) as {
        config?: Record<string, unknown>;
      } | null;
      const config = doc?.config ?? {};
      const region = config["aws:region"];
      const home = config[`${project}:home`];
      return {
        name: m[1],
        region: typeof region === "string" ? region : undefined,
        home: home === true || home === "true",
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function steps(job: Job): Step[] {
  return Array.isArray(job.steps) ? job.steps : [];
}

function needsOf(job: Job): string[] {
  if (job.needs === undefined) return [];
  return Array.isArray(job.needs) ? job.needs : [job.needs];
}

/** `run` text with continuation lines joined, split into simple commands. */
function commands(run: string): string[] {
  return run
    .replace(/\\\n/g, " ")
    .split(/\n|&&|\|\||;|\|/)
    .map((c) => c.trim())
    .filter((c) => c !== "" && !c.startsWith("#"));
}

/** A command that runs the Pulumi CLI (after optional `VAR=value` assignments). */
const PULUMI_COMMAND = /^(\w+=\S*\s+)*pulumi\s/;

/** True when one of the script's commands matches. */
function runs(run: string | undefined, pattern: RegExp): boolean {
  return typeof run === "string" && commands(run).some((c) => pattern.test(c));
}

// ---------------------------------------------------------------------------------------------
// npm scripts

/** npm commands that run a package.json script of the same name (`npm test` needs a "test" script). */
const NPM_SCRIPT_COMMANDS: Record<string, string> = {
  test: "test",
  t: "test",
  tst: "test",
  start: "start",
  stop: "stop",
  restart: "restart",
};
const NPM_RUN_COMMANDS = new Set(["run", "run-script", "rum", "urn"]);
/** npm's own commands that need no script (the ones a workflow plausibly calls). */
const NPM_BUILTINS = new Set([
  "ci",
  "install",
  "i",
  "install-ci-test",
  "exec",
  "x",
  "audit",
  "cache",
  "config",
  "explain",
  "ls",
  "outdated",
  "pack",
  "prune",
  "publish",
  "rebuild",
  "version",
  "view",
  "whoami",
]);

export interface NpmCall {
  command: string;
  /** The package.json script it runs, when it runs one. */
  script?: string;
  /** Run in a workspace (`-w`), whose scripts are not the root's. */
  workspace?: boolean;
}

/** The npm invocations in a `run:` script. */
export function npmCalls(run: string): NpmCall[] {
  const calls: NpmCall[] = [];
  for (const command of commands(run)) {
    const tokens = command.split(/\s+/);
    const at = tokens.indexOf("npm");
    if (at < 0) continue;
    let i = at + 1;
    while (i < tokens.length && tokens[i].startsWith("-")) i++;
    const cmd = tokens[i];
    if (cmd === undefined) continue;
    if (NPM_RUN_COMMANDS.has(cmd)) {
      let workspace = false;
      let j = i + 1;
      while (j < tokens.length && tokens[j].startsWith("-") && tokens[j] !== "--") {
        if (/^(-w|--workspace|-ws|--workspaces)(=|$)/.test(tokens[j])) {
          workspace = true;
          if (tokens[j] === "-w" || tokens[j] === "--workspace") j++;
        }
        j++;
      }
      calls.push({ command: cmd, script: tokens[j]?.replace(/^["']|["']$/g, ""), workspace });
    } else if (cmd in NPM_SCRIPT_COMMANDS) {
      calls.push({ command: cmd, script: NPM_SCRIPT_COMMANDS[cmd] });
    } else {
      calls.push({ command: cmd });
    }
  }
  return calls;
}

/** Every `npm run X` / `npm test` runs a script that package.json has; every other `npm X` is npm's own. */
export function checkNpmScripts(wf: Workflow, scripts: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(wf.jobs)) {
    for (const step of steps(job)) {
      if (typeof step.run !== "string") continue;
      for (const call of npmCalls(step.run)) {
        const where = `${wf.file}: job ${jobId}, step "${step.name ?? step.run.split("\n")[0]}"`;
        if (call.workspace) continue;
        if (call.script !== undefined) {
          if (call.script === "" || call.script.includes("$")) {
            problems.push(`${where}: npm ${call.command} without a literal script name`);
          } else if (!(call.script in scripts)) {
            const shown = NPM_RUN_COMMANDS.has(call.command)
              ? `${call.command} ${call.script}`
              : call.command;
            problems.push(`${where}: npm ${shown}: package.json has no script "${call.script}"`);
          }
        } else if (NPM_RUN_COMMANDS.has(call.command)) {
          problems.push(`${where}: npm ${call.command} without a script name`);
        } else if (!NPM_BUILTINS.has(call.command)) {
          problems.push(
            `${where}: "npm ${call.command}" is not an npm command (did you mean npm run ${call.command}?)`,
          );
        }
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Stacks

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

/** The last segment of `org/project/stack`, or undefined when the name is computed (`${{ }}`, `$VAR`). */
function literalStack(value: string): string | undefined {
  const name = value.replace(/^["']|["']$/g, "");
  if (name === "" || name.includes("$") || name.includes("*")) return undefined;
  return name.split("/").pop();
}

/** Stack names written literally in a workflow: `--stack x`, `stack-name: x`, `STACK: x`, `Pulumi.x.yaml`. */
export function referencedStacks(wf: Workflow): string[] {
  const found = new Set<string>();
  const add = (value: string | undefined) => {
    const name = value === undefined ? undefined : literalStack(value);
    if (name !== undefined) found.add(name);
  };
  for (const text of strings(wf.jobs)) {
    for (const m of text.matchAll(/Pulumi\.([A-Za-z0-9._-]+)\.yaml/g)) add(m[1]);
  }
  const fromEnv = (env: Record<string, unknown> | undefined) => {
    for (const [key, value] of Object.entries(env ?? {})) {
      if (/^(PULUMI_)?STACK(_NAME)?$/.test(key) && typeof value === "string") add(value);
    }
  };
  fromEnv(wf.env);
  for (const job of Object.values(wf.jobs)) {
    fromEnv(job.env);
    for (const step of steps(job)) {
      fromEnv(step.env);
      const stackName = step.with?.["stack-name"];
      if (typeof stackName === "string") add(stackName);
      if (typeof step.run === "string") {
        for (const command of commands(step.run).filter((c) => PULUMI_COMMAND.test(c))) {
          for (const m of command.matchAll(/\s(?:--stack|-s)(?:=|\s+)("[^"]*"|'[^']*'|\S+)/g)) add(m[1]);
        }
      }
    }
  }
  return [...found].sort();
}

export function checkStackReferences(wf: Workflow, stacks: string[]): string[] {
  return referencedStacks(wf)
    .filter((s) => !stacks.includes(s))
    .map((s) => `${wf.file}: stack "${s}" has no Pulumi.${s}.yaml (stacks: ${stacks.join(", ")})`);
}

// ---------------------------------------------------------------------------------------------
// Permissions, credentials and secrets

function grants(permissions: Permissions, scope: string, level: string): boolean {
  if (permissions === "write-all") return true;
  if (permissions === "read-all") return level === "read";
  if (permissions === undefined || typeof permissions !== "object") return false;
  const value = permissions[scope];
  return value === level || (level === "read" && value === "write");
}

const AWS_CREDENTIALS_ACTION = /^aws-actions\/configure-aws-credentials@/;

/** A job that assumes an AWS role through OIDC needs `id-token: write`, and uses no long-lived keys. */
export function checkIdTokenPermission(wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(wf.jobs)) {
    const credentialSteps = steps(job).filter((s) => AWS_CREDENTIALS_ACTION.test(s.uses ?? ""));
    if (credentialSteps.length === 0) continue;
    const permissions = job.permissions ?? wf.permissions;
    if (!grants(permissions, "id-token", "write")) {
      problems.push(`${wf.file}: job ${jobId} assumes AWS credentials but lacks "id-token: write"`);
    }
    for (const step of credentialSteps) {
      if (step.with?.["role-to-assume"] === undefined) {
        problems.push(`${wf.file}: job ${jobId}: configure-aws-credentials without role-to-assume (OIDC)`);
      }
      if (
        step.with?.["aws-access-key-id"] !== undefined ||
        step.with?.["aws-secret-access-key"] !== undefined
      ) {
        problems.push(
          `${wf.file}: job ${jobId}: long-lived AWS access keys; assume a role through OIDC instead`,
        );
      }
    }
  }
  return problems;
}

const SECRET_EXPRESSION = /\$\{\{[^}]*\bsecrets\.[^}]*\}\}/;

/**
 * No secret is interpolated into a script (`${{ secrets.X }}` in `run:` or in github-script's
 * `script:` is pasted into the code before it runs: it can leak in logs, in `ps`, or be injected);
 * secrets reach scripts through `env:`, and no script prints such a variable.
 */
export function checkNoSecretsInRun(wf: Workflow): string[] {
  const problems: string[] = [];
  const secretNames = (env: Record<string, unknown> | undefined) =>
    Object.entries(env ?? {})
      .filter(([, v]) => typeof v === "string" && SECRET_EXPRESSION.test(v))
      .map(([k]) => k);
  for (const [jobId, job] of Object.entries(wf.jobs)) {
    for (const step of steps(job)) {
      const where = `${wf.file}: job ${jobId}, step "${step.name ?? step.id ?? step.uses ?? "run"}"`;
      const scripts = [step.run, step.with?.script].filter((s): s is string => typeof s === "string");
      for (const script of scripts) {
        if (SECRET_EXPRESSION.test(script)) {
          problems.push(`${where}: a secret is interpolated into the script; pass it through env:`);
        }
      }
      if (typeof step.run !== "string") continue;
      const names = [...secretNames(wf.env), ...secretNames(job.env), ...secretNames(step.env)];
      for (const command of commands(step.run)) {
        if (!/^(echo|printf)\b/.test(command)) continue;
        for (const name of names) {
          if (new RegExp(`\\$\\{?!?${name}\\b`).test(command)) {
            problems.push(`${where}: prints $${name}, which holds a secret`);
          }
        }
      }
    }
  }
  return problems;
}

/** Permissions are explicit: at workflow level or on every job, and never write-all. */
export function checkExplicitPermissions(wf: Workflow): string[] {
  const problems: string[] = [];
  if (wf.permissions === undefined) {
    for (const [jobId, job] of Object.entries(wf.jobs)) {
      if (job.permissions === undefined) {
        problems.push(`${wf.file}: no workflow-level permissions and job ${jobId} sets none`);
      }
    }
  }
  const all: [string, Permissions][] = [
    ["workflow", wf.permissions],
    ...Object.entries(wf.jobs).map(([id, job]): [string, Permissions] => [`job ${id}`, job.permissions]),
  ];
  for (const [where, permissions] of all) {
    if (permissions === "write-all") problems.push(`${wf.file}: ${where} grants write-all`);
  }
  return problems;
}

/** Every action is pinned to a version (a major tag at least), never a branch. */
export function checkActionsPinned(wf: Workflow): string[] {
  const problems: string[] = [];
  const check = (where: string, uses: string) => {
    if (uses.startsWith("./") || uses.startsWith("docker://")) return;
    const ref = uses.split("@")[1];
    if (ref === undefined || ref === "" || ["main", "master", "latest", "HEAD"].includes(ref)) {
      problems.push(`${wf.file}: ${where} uses ${uses} without a version`);
    }
  };
  for (const [jobId, job] of Object.entries(wf.jobs)) {
    if (typeof job.uses === "string") check(`job ${jobId}`, job.uses);
    for (const step of steps(job)) if (typeof step.uses === "string") check(`job ${jobId}`, step.uses);
  }
  return problems;
}

const PULUMI_UP = /^(\w+=\S*\s+)*pulumi\s+(up|update)\b/;
const PULUMI_PREVIEW_OR_UP = /^(\w+=\S*\s+)*pulumi\s+(up|update|preview)\b/;

/**
 * Every real `pulumi preview` / `pulumi up` runs the policy pack: `--policy-pack <path>` where the
 * path, from the job's working directory (the control stack's job runs in control/), is `pack`.
 */
export function checkPolicyPack(wf: Workflow, pack = "policy"): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(wf.jobs)) {
    const workingDirectory = job.defaults?.run?.["working-directory"] ?? ".";
    for (const step of steps(job)) {
      if (typeof step.run === "string") {
        const cwd = step["working-directory"] ?? workingDirectory;
        for (const command of commands(step.run)) {
          const given = /--policy-pack\s+(\S+)/.exec(command)?.[1];
          const resolves = given !== undefined && path.posix.normalize(path.posix.join(cwd, given)) === pack;
          if (PULUMI_PREVIEW_OR_UP.test(command) && !resolves) {
            problems.push(`${wf.file}: job ${jobId}: "${command}" without --policy-pack ${pack}`);
          }
        }
      }
      if (
        /^pulumi\/actions@/.test(step.uses ?? "") &&
        ["up", "update", "preview"].includes(String(step.with?.command))
      ) {
        if (!strings(step.with?.policyPacks).some((p) => p.split(/[\s,]+/).includes(pack))) {
          problems.push(
            `${wf.file}: job ${jobId}: pulumi/actions ${String(step.with?.command)} without policyPacks: ${pack}`,
          );
        }
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Deploys

/** Jobs that run `pulumi up`. */
export function deployJobs(wf: Workflow): string[] {
  return Object.entries(wf.jobs)
    .filter(([, job]) =>
      steps(job).some(
        (s) =>
          runs(s.run, PULUMI_UP) ||
          (/^pulumi\/actions@/.test(s.uses ?? "") && ["up", "update"].includes(String(s.with?.command))),
      ),
    )
    .map(([id]) => id);
}

export function isDeployWorkflow(wf: Workflow): boolean {
  return deployJobs(wf).length > 0;
}

/** A deploy never cancels a running deploy, and two never overlap: a fixed group, cancel-in-progress false. */
export function checkDeployConcurrency(wf: Workflow): string[] {
  if (!isDeployWorkflow(wf)) return [];
  const problems: string[] = [];
  const c = wf.concurrency as { group?: unknown; "cancel-in-progress"?: unknown } | string | undefined;
  if (c === undefined || typeof c !== "object" || c === null) {
    problems.push(`${wf.file}: deploys need workflow-level concurrency { group, cancel-in-progress: false }`);
  } else {
    if (typeof c.group !== "string" || c.group === "" || c.group.includes("${{")) {
      problems.push(`${wf.file}: concurrency group must be one fixed name so that every deploy shares it`);
    }
    if (c["cancel-in-progress"] !== false) {
      problems.push(
        `${wf.file}: concurrency cancel-in-progress must be false (a cancelled pulumi up leaves pending operations)`,
      );
    }
  }
  for (const [jobId, job] of Object.entries(wf.jobs)) {
    const jc = job.concurrency as { "cancel-in-progress"?: unknown } | undefined;
    if (jc !== undefined && typeof jc === "object" && jc !== null && jc["cancel-in-progress"] !== false) {
      problems.push(`${wf.file}: job ${jobId} concurrency must not cancel in progress`);
    }
  }
  return problems;
}

/** Runs one `run:` step in `cwd` as GitHub would (bash -e) and returns what it wrote to $GITHUB_OUTPUT. */
export function runStepOutputs(step: Step, cwd: string): Record<string, string> {
  if (typeof step.run !== "string") throw new Error(`step ${step.id ?? step.name ?? "?"} has no run script`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-step-"));
  const outputFile = path.join(dir, "output");
  fs.writeFileSync(outputFile, "");
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_OUTPUT: outputFile };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = String(v).includes("${{") ? "" : String(v);
    const result = spawnSync("bash", ["--noprofile", "--norc", "-e", "-c", step.run], {
      cwd,
      env,
      encoding: "utf8",
    });
    if (result.status !== 0) {
      throw new Error(
        `step ${step.id ?? step.name ?? "?"} failed (${result.status}): ${result.stdout}${result.stderr}`,
      );
    }
    const outputs: Record<string, string> = {};
    for (const line of fs.readFileSync(outputFile, "utf8").split("\n")) {
      const eq = line.indexOf("=");
      if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
    }
    return outputs;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const NEEDS_OUTPUT = /^\$\{\{\s*(?:fromJSON\()?\s*needs\.([\w-]+)\.outputs\.([\w-]+)\s*\)?\s*\}\}$/;
const STEP_OUTPUT = /^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$/;

/** The value of `needs.<job>.outputs.<name>`, by running the step that produces it. */
function jobOutput(wf: Workflow, jobId: string, output: string, cwd: string): string {
  const job = wf.jobs[jobId];
  const expression = job?.outputs?.[output];
  const m = expression === undefined ? null : STEP_OUTPUT.exec(expression.trim());
  if (m === null) throw new Error(`${wf.file}: job ${jobId} has no output "${output}" taken from a step`);
  const step = steps(job).find((s) => s.id === m[1]);
  if (step === undefined) throw new Error(`${wf.file}: job ${jobId} has no step with id "${m[1]}"`);
  const value = runStepOutputs(step, cwd)[m[2]];
  if (value === undefined) throw new Error(`${wf.file}: step ${m[1]} of job ${jobId} does not set "${m[2]}"`);
  return value;
}

/**
 * The stacks a deploy job updates. Convention (what deploy.yml follows): the job names its stack in
 * the env variable STACK (`<org>/<stack>`), whose stack part is a literal, `${{ matrix.stack }}` (the
 * matrix coming from a literal list or from `fromJSON(needs.<job>.outputs.<name>)`), or
 * `${{ needs.<job>.outputs.<name> }}`; and `pulumi up` is given `--stack "$STACK"`.
 */
export function deployedStacks(wf: Workflow, jobId: string, cwd: string): string[] {
  const job = wf.jobs[jobId];
  const upStep = steps(job).find((s) => runs(s.run, PULUMI_UP));
  const stack = upStep?.env?.STACK ?? job.env?.STACK;
  if (typeof stack !== "string") throw new Error(`${wf.file}: job ${jobId} sets no STACK for pulumi up`);
  if (upStep !== undefined && !/--stack\s+"?\$\{?STACK\b/.test(upStep.run ?? "")) {
    throw new Error(`${wf.file}: job ${jobId}: pulumi up is not given --stack "$STACK"`);
  }
  const last = stack.slice(stack.lastIndexOf("/") + 1).trim();
  if (/^\$\{\{\s*matrix\.stack\s*\}\}$/.test(last)) {
    const matrix = job.strategy?.matrix;
    if (typeof matrix === "string") {
      const m = NEEDS_OUTPUT.exec(matrix.trim());
      if (m === null)
        throw new Error(`${wf.file}: job ${jobId}: matrix is not fromJSON(needs.<job>.outputs.<name>)`);
      if (!needsOf(job).includes(m[1])) throw new Error(`${wf.file}: job ${jobId} does not need ${m[1]}`);
      const parsed = JSON.parse(jobOutput(wf, m[1], m[2], cwd)) as {
        include?: { stack: string }[];
        stack?: string[];
      };
      return parsed.include?.map((e) => e.stack) ?? parsed.stack ?? [];
    }
    const literal = matrix as { include?: { stack: string }[]; stack?: string[] } | undefined;
    return literal?.include?.map((e) => e.stack) ?? literal?.stack ?? [];
  }
  const m = NEEDS_OUTPUT.exec(last);
  if (m !== null) {
    if (!needsOf(job).includes(m[1])) throw new Error(`${wf.file}: job ${jobId} does not need ${m[1]}`);
    return [jobOutput(wf, m[1], m[2], cwd)];
  }
  if (last.includes("$")) throw new Error(`${wf.file}: job ${jobId}: cannot resolve the stack in "${stack}"`);
  return [last];
}

/** True when `jobId` needs `other`, directly or through other jobs. */
export function dependsOn(wf: Workflow, jobId: string, other: string, seen = new Set<string>()): boolean {
  if (seen.has(jobId)) return false;
  seen.add(jobId);
  return needsOf(wf.jobs[jobId] ?? {}).some((n) => n === other || dependsOn(wf, n, other, seen));
}

/**
 * The home stack is deployed first, by a job of its own, and every standby job needs it; every stack
 * file is deployed. `cwd` holds the stack files (the steps that list them run there).
 */
export function checkDeployOrder(
  wf: Workflow,
  stacks: StackInfo[],
  cwd: string,
  controlStacks: string[] = [],
): string[] {
  const jobs = deployJobs(wf);
  if (jobs.length === 0) return [];
  const problems: string[] = [];
  const home = stacks.filter((s) => s.home);
  if (home.length !== 1) {
    return [
      `exactly one stack file must set home: true (found ${home.map((s) => s.name).join(", ") || "none"})`,
    ];
  }
  const homeName = home[0].name;
  const byJob = new Map<string, string[]>();
  for (const jobId of jobs) {
    try {
      byJob.set(jobId, deployedStacks(wf, jobId, cwd));
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length > 0) return problems;
  const homeJobs = jobs.filter((j) => byJob.get(j)?.includes(homeName));
  if (homeJobs.length !== 1) {
    return [
      `${wf.file}: the home stack ${homeName} must be deployed by exactly one job (found ${homeJobs.length})`,
    ];
  }
  const homeJob = homeJobs[0];
  const others = byJob.get(homeJob)?.filter((s) => s !== homeName) ?? [];
  if (others.length > 0) {
    problems.push(
      `${wf.file}: job ${homeJob} deploys the home ${homeName} together with ${others.join(", ")}`,
    );
  }
  const controlJobs = jobs.filter((j) => byJob.get(j)?.some((s) => controlStacks.includes(s)));
  for (const jobId of jobs.filter((j) => j !== homeJob && !controlJobs.includes(j))) {
    if (!dependsOn(wf, jobId, homeJob)) {
      problems.push(`${wf.file}: standby job ${jobId} does not need the home job ${homeJob}`);
    }
  }
  // The control stack reads every regional stack: its job comes after all the others.
  for (const jobId of controlJobs) {
    for (const other of jobs.filter((j) => !controlJobs.includes(j))) {
      if (!dependsOn(wf, jobId, other)) {
        problems.push(`${wf.file}: control job ${jobId} does not need the regional deploy job ${other}`);
      }
    }
  }
  const deployed = new Set([...byJob.values()].flat());
  for (const name of [...stacks.map((s) => s.name), ...controlStacks]) {
    if (!deployed.has(name)) problems.push(`${wf.file}: stack ${name} is never deployed`);
  }
  for (const name of deployed) {
    if (!stacks.some((s) => s.name === name) && !controlStacks.includes(name))
      problems.push(`${wf.file}: deploys ${name}, which has no stack file`);
  }
  return problems;
}
