/**
 * A stub `aws` for running shell blocks as an operator would paste them (bash and zsh, interactive)
 * or as a workflow would run a script: a small POSIX sh script first on PATH that records every call
 * (its arguments, and the access key it ran with) and answers each from canned responses.
 *
 * The answers are honest: each scenario gives ARC's, SSM's, STS's and CloudWatch's responses as the
 * APIs shape them (JSON), and the stub prints what the AWS CLI would print for the call's own
 * `--query` and `--output`: the query is evaluated with jmespath.js (the JMESPath reference
 * implementation; the CLI uses the Python one of the same specification) and the result formatted as
 * awscli/text.py formats text output (lists of scalars tab-separated on one line, nested lists one
 * line each, null as "None", an empty list as nothing). A query naming a field the response does not
 * have yields "None" or nothing, exactly as with the real CLI. The k-th call of an operation gets the
 * k-th response of that operation (the last one repeats), so a scenario can change state between
 * calls. A call the scenario has no response for fails (exit 255) and is reported.
 *
 * `validateCall` holds each call to the operation's parameters as the API references state them:
 * required parameters present, nothing unknown, enum values valid.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// jmespath.js 0.16.0 (jmespath/jmespath.js): no type declarations of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jmespath = require("jmespath") as { search(data: unknown, expression: string): unknown };

/** One canned response: the API's JSON, or an error the CLI reports (stderr, exit code). */
export type StubResponse = { json: unknown } | { error: string; rc?: number };

/** A scenario: each operation ("svc op", e.g. "arc-region-switch list-plan-executions") and its responses in call order. */
export type Responses = Record<string, StubResponse[]>;

/** One recorded call. */
export interface Call {
  /** `service operation`. */
  op: string;
  args: string[];
  /** The access key in the environment of the call (whose credentials it ran with). */
  accessKey: string;
  /** Each `--option value` (flags without a value map to ""). */
  options: Record<string, string>;
}

export interface Run {
  calls: Call[];
  unanswered: string[];
  stdout: string;
  stderr: string;
  status: number | null;
}

/** What awscli/text.py prints for a value (`--output text`). */
export function formatText(value: unknown): string {
  const out: string[] = [];
  // Python's str() of a JSON scalar: None, True/False, the number or the string.
  const scalar = (v: unknown) =>
    v === null || v === undefined
      ? "None"
      : typeof v === "boolean"
        ? v
          ? "True"
          : "False"
        : `${v as string | number}`;
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  const text = (item: unknown, identifier?: string, scalarKeys?: string[]): void => {
    if (isObject(item)) dict(item, identifier, scalarKeys);
    else if (Array.isArray(item)) list(item, identifier);
    else out.push(`${scalar(item)}\n`);
  };
  const scalars = (elements: unknown[], identifier?: string) => {
    if (identifier !== undefined)
      for (const e of elements) out.push(`${identifier.toUpperCase()}\t${scalar(e)}\n`);
    else out.push(`${elements.map(scalar).join("\t")}\n`);
  };
  const list = (item: unknown[], identifier?: string) => {
    if (item.length === 0) return;
    if (item.some(isObject)) {
      const keys = [
        ...new Set(
          item
            .filter(isObject)
            .flatMap((d) => Object.keys(d).filter((k) => !isObject(d[k]) && !Array.isArray(d[k]))),
        ),
      ].sort();
      for (const e of item) text(e, identifier, keys);
    } else if (item.some(Array.isArray)) {
      const plain = item.filter((e) => !Array.isArray(e) && !isObject(e));
      if (plain.length > 0) scalars(plain, identifier);
      for (const e of item.filter((x) => Array.isArray(x) || isObject(x))) text(e, identifier);
    } else scalars(item, identifier);
  };
  const dict = (item: Record<string, unknown>, identifier?: string, scalarKeys?: string[]) => {
    const keys =
      scalarKeys ??
      Object.keys(item)
        .filter((k) => !isObject(item[k]) && !Array.isArray(item[k]))
        .sort();
    const values = keys.map((k) => scalar(item[k] ?? ""));
    if (values.length > 0)
      out.push(
        `${[...(identifier !== undefined ? [identifier.toUpperCase()] : []), ...values].join("\t")}\n`,
      );
    for (const k of Object.keys(item)
      .filter((k) => !keys.includes(k))
      .sort()) {
      if (isObject(item[k]) || Array.isArray(item[k])) text(item[k], k);
    }
  };
  text(value);
  return out.join("");
}

/** What the CLI prints for a response, given the call's --query and --output ("" = the JSON default). */
export function render(json: unknown, query: string, output: string): string {
  const value = query === "" ? json : jmespath.search(json, query);
  if (output === "text") return formatText(value);
  // An operation with an empty response (UpdatePlanExecution, ApprovePlanExecutionStep, ...) prints nothing.
  const empty = typeof value === "object" && value !== null && Object.keys(value).length === 0;
  return query === "" && empty ? "" : `${JSON.stringify(value, null, 4)}\n`;
}

/** The flags that take no value. */
const FLAGS = new Set([
  "--no-paginate",
  "--apply-immediately",
  "--no-apply-immediately",
  "--with-decryption",
]);

/** The `service operation` and options of an argument list (`aws` itself left out). */
export function parseArgs(args: string[]): { op: string; options: Record<string, string> } {
  const options: Record<string, string> = {};
  for (let i = 2; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) throw new Error(`aws ${args.join(" ")}: stray argument "${a}"`);
    if (FLAGS.has(a)) options[a] = "";
    else options[a] = args[++i] ?? "";
  }
  return { op: `${args[0]} ${args[1]}`, options };
}

const STUB = `#!/bin/sh
dir="\${AWS_STUB_DIR:?}"
op="$1.$2"
query=""
output=""
prev=""
for a in "$@"; do
  if [ "$prev" = "--query" ]; then query="$a"; fi
  if [ "$prev" = "--output" ]; then output="$a"; fi
  prev="$a"
done
{
  printf '%s' "\${AWS_ACCESS_KEY_ID:-}"
  for a in "$@"; do printf '\\037%s' "$a"; done
  printf '\\n'
} >> "$dir/calls.log"
qid=$(OP="$op" Q="$query" O="$output" awk -F '\\t' '$2 == ENVIRON["OP"] && $3 == ENVIRON["Q"] && $4 == ENVIRON["O"] { print $1; exit }' "$dir/index")
if [ -z "$qid" ]; then
  printf '%s --query %s --output %s\\n' "$op" "$query" "$output" >> "$dir/unanswered.log"
  echo "aws stub: no answer for $op" >&2
  exit 255
fi
count=$(cat "$dir/count.$op" 2>/dev/null || echo 0)
count=$((count + 1))
echo "$count" > "$dir/count.$op"
last=$(cat "$dir/last.$op")
k=$count
if [ "$k" -gt "$last" ]; then k=$last; fi
cat "$dir/$qid.$k.out"
cat "$dir/$qid.$k.err" >&2
exit "$(cat "$dir/$qid.$k.rc")"
`;

/** The `--query` and `--output` of every `aws <service> <operation>` in some shell text, by operation. */
export function queriesIn(text: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const lines = text.replace(/\\\n\s*/g, " ").split("\n");
  for (const line of lines) {
    for (const m of line.matchAll(/(?<=^|[\s($;])aws ([a-z0-9-]+) ([a-z0-9-]+)((?:(?!\baws [a-z]).)*)/g)) {
      const rest = m[3];
      const q = /--query (?:'([^']*)'|"([^"]*)"|([^\s'"]+))/.exec(rest);
      const o = /--output (\w+)/.exec(rest);
      let query = q ? (q[1] ?? q[2] ?? q[3]) : "";
      // A query kept in a variable (tools/drill.sh): its single-quoted assignment.
      const variable = /^\$\{?(\w+)\}?$/.exec(query);
      if (variable) query = new RegExp(`^\\s*${variable[1]}='([^']*)'`, "m").exec(text)?.[1] ?? query;
      const key = `${m[1]} ${m[2]}`;
      const set = found.get(key) ?? new Set<string>();
      set.add(`${query}\t${o ? o[1] : ""}`);
      found.set(key, set);
    }
  }
  return found;
}

/** A directory with the stub as `aws`, and its answers for `responses` to every call `text` can make. */
export function prepareStub(responses: Responses, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-stub-"));
  fs.writeFileSync(path.join(dir, "aws"), STUB, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, "calls.log"), "");
  const index: string[] = [];
  const queries = queriesIn(text);
  let qid = 0;
  for (const [op, list] of Object.entries(responses)) {
    const file = op.replace(" ", ".");
    fs.writeFileSync(path.join(dir, `last.${file}`), String(list.length));
    for (const pair of queries.get(op) ?? []) {
      const [query, output] = pair.split("\t");
      qid++;
      index.push(`${qid}\t${file}\t${query}\t${output}`);
      list.forEach((response, i) => {
        const base = path.join(dir, `${qid}.${i + 1}`);
        if ("json" in response) {
          fs.writeFileSync(`${base}.out`, render(response.json, query, output));
          fs.writeFileSync(`${base}.err`, "");
          fs.writeFileSync(`${base}.rc`, "0");
        } else {
          fs.writeFileSync(`${base}.out`, "");
          fs.writeFileSync(`${base}.err`, `\n${response.error}\n`);
          fs.writeFileSync(`${base}.rc`, String(response.rc ?? 254));
        }
      });
    }
  }
  fs.writeFileSync(path.join(dir, "index"), index.join("\n") + "\n");
  return dir;
}

/** The calls the stub recorded in `dir`. */
export function recordedCalls(dir: string): { calls: Call[]; unanswered: string[] } {
  const calls = fs
    .readFileSync(path.join(dir, "calls.log"), "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((line) => {
      const [accessKey, ...args] = line.split("\x1f");
      const { op, options } = parseArgs(args);
      return { op, args, accessKey, options };
    });
  const file = path.join(dir, "unanswered.log");
  const unanswered = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
  return { calls, unanswered };
}

export type Shell = "bash" | "zsh";

/**
 * The shell's command line for text pasted into an interactive session: no profile or rc file, history
 * expansion and (zsh) no `interactivecomments`, as a fresh terminal has them; bash without readline, so
 * that nothing but the text itself is read.
 */
export function shellCommand(shell: Shell): string[] {
  return shell === "bash" ? ["bash", "--noprofile", "--norc", "--noediting", "-i"] : ["zsh", "-f", "-i"];
}

/** Whether `shell` runs here; when not, a message saying how to get it. */
export function shellMissing(shell: Shell): string | undefined {
  const r = spawnSync(shell, ["-c", "exit 0"]);
  if (r.status === 0) return undefined;
  return `${shell} is not installed: the runbook's blocks are tested in bash and zsh (an on-call laptop's default shell may be either); install it (Debian/Ubuntu: apt-get install -y ${shell}; .ci/run does it)`;
}

/** Pastes `text` into an interactive `shell` whose `aws` is the stub answering `responses`. */
export function paste(
  shell: Shell,
  text: string,
  responses: Responses,
  env: Record<string, string> = {},
): Run {
  const missing = shellMissing(shell);
  if (missing) throw new Error(missing);
  const dir = prepareStub(responses, text);
  try {
    const [cmd, ...args] = shellCommand(shell);
    const r = spawnSync(cmd, args, {
      input: text.endsWith("\n") ? text : `${text}\n`,
      env: {
        PATH: `${dir}:${process.env.PATH ?? "/usr/bin:/bin"}`,
        HOME: dir,
        HISTFILE: path.join(dir, "history"),
        PS1: "",
        PS2: "",
        AWS_STUB_DIR: dir,
        AWS_ACCESS_KEY_ID: "AKIAOPERATOR",
        ...env,
      },
      encoding: "utf8",
      timeout: 20_000,
    });
    return { ...recordedCalls(dir), stdout: r.stdout, stderr: r.stderr, status: r.status };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a script file with bash (as a workflow's `run:` does) against the stub. */
export function runScript(
  script: string,
  args: string[],
  responses: Responses,
  env: Record<string, string> = {},
): Run & { dir: string } {
  const dir = prepareStub(responses, fs.readFileSync(script, "utf8"));
  const r = spawnSync("bash", [script, ...args], {
    cwd: dir,
    env: {
      PATH: `${dir}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      HOME: dir,
      AWS_STUB_DIR: dir,
      AWS_ACCESS_KEY_ID: "AKIADRILL",
      ...env,
    },
    encoding: "utf8",
    timeout: 20_000,
  });
  return { ...recordedCalls(dir), stdout: r.stdout, stderr: r.stderr, status: r.status, dir };
}

// ------------------------------------------------------------------------------------------------
// Each operation's parameters, as the API references state them (CLI names: the API's in kebab case).

interface OpSpec {
  required: string[];
  optional?: string[];
  enums?: Record<string, string[]>;
  /** Changes something (never in a block that only reads). */
  mutates?: boolean;
}

const PLAN = "--plan-arn";
export const OPERATIONS: Record<string, OpSpec> = {
  // SSM API reference, GetParameter: Name (required), WithDecryption.
  "ssm get-parameter": { required: ["--name"], optional: ["--with-decryption"] },
  // ARC API reference, ListPlanExecutions: planArn (required), state, maxResults, nextToken.
  "arc-region-switch list-plan-executions": {
    required: [PLAN],
    optional: ["--state", "--max-items", "--page-size"],
  },
  // GetPlanExecution: planArn, executionId (required), maxResults, nextToken.
  "arc-region-switch get-plan-execution": { required: [PLAN, "--execution-id"] },
  // GetPlanEvaluationStatus: planArn (required).
  "arc-region-switch get-plan-evaluation-status": { required: [PLAN] },
  // ListRoute53HealthChecksInRegion: arn (required), hostedZoneId, recordName.
  "arc-region-switch list-route53-health-checks-in-region": {
    required: ["--arn"],
    optional: ["--hosted-zone-id", "--record-name"],
  },
  // ListPlanExecutionEvents: planArn, executionId (required), name.
  "arc-region-switch list-plan-execution-events": {
    required: [PLAN, "--execution-id"],
    optional: ["--name"],
  },
  // StartPlanExecution: planArn, targetRegion, action (required: activate | deactivate | postRecovery),
  // mode (graceful | ungraceful), comment, latestVersion, clientToken.
  "arc-region-switch start-plan-execution": {
    required: [PLAN, "--target-region", "--action"],
    optional: ["--mode", "--comment", "--latest-version", "--client-token"],
    enums: { "--action": ["activate", "deactivate", "postRecovery"], "--mode": ["graceful", "ungraceful"] },
    mutates: true,
  },
  // UpdatePlanExecution: planArn, executionId, action (required: switchToGraceful | switchToUngraceful |
  // pause | resume), comment.
  "arc-region-switch update-plan-execution": {
    required: [PLAN, "--execution-id", "--action"],
    optional: ["--comment"],
    enums: { "--action": ["switchToGraceful", "switchToUngraceful", "pause", "resume"] },
    mutates: true,
  },
  // UpdatePlanExecutionStep: planArn, executionId, comment, stepName, actionToTake (all required;
  // actionToTake: switchToUngraceful | skip).
  "arc-region-switch update-plan-execution-step": {
    required: [PLAN, "--execution-id", "--comment", "--step-name", "--action-to-take"],
    enums: { "--action-to-take": ["switchToUngraceful", "skip"] },
    mutates: true,
  },
  // ApprovePlanExecutionStep: planArn, executionId, stepName, approval (required: approve | decline), comment.
  "arc-region-switch approve-plan-execution-step": {
    required: [PLAN, "--execution-id", "--step-name", "--approval"],
    optional: ["--comment"],
    enums: { "--approval": ["approve", "decline"] },
    mutates: true,
  },
  // CancelPlanExecution: planArn, executionId (required), comment.
  "arc-region-switch cancel-plan-execution": {
    required: [PLAN, "--execution-id"],
    optional: ["--comment"],
    mutates: true,
  },
  // STS API reference, AssumeRole: RoleArn, RoleSessionName (required), DurationSeconds, ...
  "sts assume-role": { required: ["--role-arn", "--role-session-name"], optional: ["--duration-seconds"] },
  // CloudWatch API reference, DescribeAlarms (every parameter optional), GetMetricStatistics.
  "cloudwatch describe-alarms": {
    required: [],
    optional: ["--alarm-names", "--alarm-name-prefix", "--state-value"],
  },
  "cloudwatch get-metric-statistics": {
    required: ["--namespace", "--metric-name", "--start-time", "--end-time", "--period"],
    optional: ["--dimensions", "--statistics", "--extended-statistics", "--unit"],
  },
  // RDS API reference, DescribeGlobalClusters, ModifyDBCluster.
  "rds describe-global-clusters": { required: [], optional: ["--global-cluster-identifier"] },
  "rds modify-db-cluster": {
    required: ["--db-cluster-identifier"],
    optional: ["--serverless-v2-scaling-configuration", "--apply-immediately"],
    mutates: true,
  },
  // Auto Scaling API reference, DescribeAutoScalingGroups, UpdateAutoScalingGroup.
  "autoscaling describe-auto-scaling-groups": { required: [], optional: ["--auto-scaling-group-names"] },
  "autoscaling update-auto-scaling-group": {
    required: ["--auto-scaling-group-name"],
    optional: ["--min-size", "--max-size", "--desired-capacity"],
    mutates: true,
  },
};

/** The AWS CLI's global options the blocks use. */
const GLOBAL = ["--region", "--query", "--output", "--no-paginate", "--endpoint-url"];

/** "ExecutionState"-style checks of one call against its operation: the problems, none when fine. */
export function validateCall(call: Call): string[] {
  const spec = OPERATIONS[call.op];
  if (!spec) return [`aws ${call.op}: an operation the runbook's tests do not know`];
  const problems: string[] = [];
  for (const r of spec.required) if (!(r in call.options)) problems.push(`aws ${call.op}: ${r} is required`);
  const allowed = new Set([...spec.required, ...(spec.optional ?? []), ...GLOBAL]);
  for (const o of Object.keys(call.options))
    if (!allowed.has(o)) problems.push(`aws ${call.op}: unknown option ${o}`);
  for (const [o, values] of Object.entries(spec.enums ?? {})) {
    if (o in call.options && !values.includes(call.options[o]))
      problems.push(`aws ${call.op}: ${o} ${call.options[o]} is not one of ${values.join(" | ")}`);
  }
  for (const [o, v] of Object.entries(call.options)) {
    if (!FLAGS.has(o) && (v === "" || v === "None")) problems.push(`aws ${call.op}: ${o} is empty or None`);
  }
  if ("--comment" in call.options && call.options["--comment"].length > 1024)
    problems.push(`aws ${call.op}: --comment longer than 1024`);
  // ARC API reference, every planArn: the pattern of a plan's ARN.
  const plan =
    call.options[PLAN] ?? (call.op.includes("route53-health-checks") ? call.options["--arn"] : undefined);
  if (
    plan !== undefined &&
    !/^arn:aws[a-zA-Z-]*:arc-region-switch::[0-9]{12}:plan\/([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?):([a-z0-9]{6})$/.test(
      plan,
    )
  )
    problems.push(`aws ${call.op}: ${plan} is not a plan ARN`);
  // STS API reference, AssumeRole RoleSessionName: [\w+=,.@-]*, 2 to 64 characters.
  const session = call.options["--role-session-name"];
  if (session !== undefined && !/^[\w+=,.@-]{2,64}$/.test(session))
    problems.push(`aws ${call.op}: --role-session-name ${session} is not a valid session name`);
  return problems;
}

export function mutates(call: Call): boolean {
  return OPERATIONS[call.op]?.mutates === true;
}
