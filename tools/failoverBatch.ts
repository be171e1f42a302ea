/**
 * `npm run failover-batch`: the Route 53 change batch that moves the active region, in ONE request,
 * for the role flip of docs/runbook.md.
 *
 * The app domain is one failover pair whatever the number of regions (components/edgeDns.ts):
 *
 * - the active stack's PRIMARY record: name = domain, type A, `setIdentifier` = its region, its own
 *   health check, an alias to its public ALB;
 * - the SECONDARY record every passive stack declares (identical, shared): `setIdentifier`
 *   "standby", an alias to `standby.<domain>` in the same hosted zone with EvaluateTargetHealth, no
 *   health check;
 * - the standby set `standby.<domain>`: one latency record per passive stack, `setIdentifier` =
 *   `Region` = its region, its own health check, an alias to its public ALB.
 *
 * Moving the active region to another stack changes three things at once: the PRIMARY becomes the
 * new region's; the old active region joins the standby set; the new one leaves it. Route 53 holds
 * one PRIMARY per failover pair, so one `pulumi up` per stack cannot do it (the first would ask for a
 * second PRIMARY, or leave none), and the PRIMARY records of two regions have different set
 * identifiers, so the old one has to be deleted, not overwritten. A change batch is validated as a
 * whole and applied all or nothing, so one batch moves everything without an invalid state in
 * between:
 *
 *   DELETE the old PRIMARY (exactly as the old active stack created it: Route 53 deletes only a
 *          record whose every value matches)
 *   UPSERT the new PRIMARY
 *   UPSERT the old active region's latency record in the standby set
 *   DELETE the new active region's latency record (exactly as it was created)
 *   UPSERT the shared SECONDARY (idempotent: it is already there; restating it keeps it present)
 *
 * The latency changes add before they remove, so the set the SECONDARY points at is never empty, even
 * if Route 53 checked the changes one by one. Every record carries every field the program sets, so
 * the `pulumi up --refresh` that follows (after `role` is flipped in the two stacks) finds nothing to
 * change: the records the batch created are the program's, adopted through `allowOverwrite`.
 *
 * Which region is active now comes from the stacks' `role` outputs (exactly one must be active), or
 * from `--current-primary` when Route 53 and the roles disagree (a rollback between the swap and the
 * role flip). When the requested primary is already the active one there is nothing to change: the
 * result has no changes (a batch that deleted and recreated the PRIMARY would not be a no-op).
 *
 * Usage: npm run --silent failover-batch -- --primary <region> <outputs.json>...
 * where each file is a stack's `pulumi stack output --json`, one per stack (every region). Prints the
 * batch JSON on stdout (nothing when there is nothing to change). Exit codes: 0 printed or nothing to
 * change; 2 bad arguments or bad input; 3 internal error.
 */
import * as fs from "fs";
import { STANDBY_SET_IDENTIFIER, standbyRecordName } from "../components/edgeDns";

export const EXIT = { ok: 0, badInput: 2, internal: 3 } as const;

/** A stack's exports, as `pulumi stack output --json` prints them (index.ts). */
export type StackOutputs = Record<string, unknown>;

/** The exports the batch is built from. `role` says which stack is active now. */
export const REQUIRED_OUTPUTS = [
  "region",
  "role",
  "domain",
  "hostedZoneId",
  "publicAlbDnsName",
  "publicAlbZoneId",
  "healthCheckId",
] as const;

type RequiredOutput = (typeof REQUIRED_OUTPUTS)[number];
export type CheckedOutputs = Record<RequiredOutput, string>;

export const ROLES = ["active", "passive"] as const;

export type FailoverType = "PRIMARY" | "SECONDARY";

/** An alias target, in the Route 53 API's shape. */
export interface AliasTarget {
  /** The ALB's canonical hosted zone id, or the app's hosted zone for the alias to the standby set. */
  HostedZoneId: string;
  DNSName: string;
  /** Route 53 requires true on failover alias records; the program sets it on every record. */
  EvaluateTargetHealth: true;
}

/** A record of the failover pair, in the Route 53 API's shape (what `--change-batch` reads). */
export interface FailoverRecordSet {
  Name: string;
  Type: "A";
  SetIdentifier: string;
  Failover: FailoverType;
  /** The PRIMARY's health check; the SECONDARY has none (it evaluates the standby set's health). */
  HealthCheckId?: string;
  AliasTarget: AliasTarget;
}

/** A passive region's record in the standby set. */
export interface LatencyRecordSet {
  Name: string;
  Type: "A";
  SetIdentifier: string;
  Region: string;
  HealthCheckId: string;
  AliasTarget: AliasTarget;
}

export type RecordSet = FailoverRecordSet | LatencyRecordSet;

export interface Change {
  Action: "DELETE" | "UPSERT";
  ResourceRecordSet: RecordSet;
}

export interface FailoverChangeBatch {
  Comment: string;
  /** Empty when the requested primary is already the active region: nothing to apply. */
  Changes: Change[];
}

export interface FailoverBatchOptions {
  /**
   * The region whose record is PRIMARY in Route 53 now, when the stacks' `role` outputs do not say it
   * (a swap applied, roles not flipped yet). Default: the stack whose `role` output is `active`.
   */
  currentPrimary?: string;
}

/** Bad input: the message says what is wrong and in which stack's outputs. */
export class FailoverBatchError extends Error {}

/** Bad command-line arguments (the CLI prints the usage with it). */
export class UsageError extends FailoverBatchError {}

/** Route 53 accepts a change batch Comment of up to 256 characters. */
export const MAX_COMMENT_LENGTH = 256;

/** Route 53 names are case-insensitive and treat `a.example.com` and `a.example.com.` alike. */
function sameName(name: string): string {
  return name.replace(/\.$/, "").toLowerCase();
}

/** `aws route53` prints zone ids as `/hostedzone/Z…`; Pulumi exports the bare id. */
function bareZoneId(id: string): string {
  return id.replace(/^\/hostedzone\//, "");
}

function checkOutputs(outputs: unknown, label: string): CheckedOutputs {
  if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) {
    throw new FailoverBatchError(
      `${label}: expected a JSON object of stack outputs (\`pulumi stack output --json\`), got ${
        Array.isArray(outputs) ? "an array" : outputs === null ? "null" : typeof outputs
      }`,
    );
  }
  const record = outputs as StackOutputs;
  const region = typeof record.region === "string" && record.region.trim() !== "" ? record.region : undefined;
  const where = region === undefined ? label : `${label} (${region})`;
  const missing = REQUIRED_OUTPUTS.filter((name) => record[name] === undefined || record[name] === null);
  if (missing.length > 0) {
    throw new FailoverBatchError(
      `${where}: missing output${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; ` +
        `export them with \`pulumi stack output --json --stack <stack>\` from a stack deployed by this program`,
    );
  }
  const invalid = REQUIRED_OUTPUTS.filter(
    (name) => typeof record[name] !== "string" || record[name].trim() === "",
  );
  if (invalid.length > 0) {
    throw new FailoverBatchError(
      `${where}: output${invalid.length > 1 ? "s" : ""} ${invalid.join(", ")} must be ${invalid.length > 1 ? "non-empty strings" : "a non-empty string"}`,
    );
  }
  const hidden = REQUIRED_OUTPUTS.filter((name) => record[name] === "[secret]");
  if (hidden.length > 0) {
    throw new FailoverBatchError(
      `${where}: output${hidden.length > 1 ? "s" : ""} ${hidden.join(", ")} printed as "[secret]"; ` +
        `export them with \`pulumi stack output --json --show-secrets\``,
    );
  }
  const checked = Object.fromEntries(
    REQUIRED_OUTPUTS.map((name) => [name, (record[name] as string).trim()]),
  ) as CheckedOutputs;
  if (!(ROLES as readonly string[]).includes(checked.role)) {
    throw new FailoverBatchError(`${where}: output role is "${checked.role}"; expected active or passive`);
  }
  return checked;
}

const aliasTo = (DNSName: string, HostedZoneId: string): AliasTarget => ({
  HostedZoneId,
  DNSName,
  EvaluateTargetHealth: true,
});

/** The PRIMARY record a stack creates while it is active (components/edgeDns.ts). */
export function primaryRecordSet(outputs: CheckedOutputs): FailoverRecordSet {
  return {
    Name: outputs.domain.replace(/\.$/, ""),
    Type: "A",
    SetIdentifier: outputs.region,
    Failover: "PRIMARY",
    HealthCheckId: outputs.healthCheckId,
    AliasTarget: aliasTo(outputs.publicAlbDnsName, outputs.publicAlbZoneId),
  };
}

/** The latency record a stack creates in the standby set while it is passive. */
export function latencyRecordSet(outputs: CheckedOutputs): LatencyRecordSet {
  return {
    Name: standbyRecordName(outputs.domain),
    Type: "A",
    SetIdentifier: outputs.region,
    Region: outputs.region,
    HealthCheckId: outputs.healthCheckId,
    AliasTarget: aliasTo(outputs.publicAlbDnsName, outputs.publicAlbZoneId),
  };
}

/** The SECONDARY record every passive stack declares: an alias to the standby set, same zone. */
export function secondaryRecordSet(domain: string, hostedZoneId: string): FailoverRecordSet {
  return {
    Name: domain.replace(/\.$/, ""),
    Type: "A",
    SetIdentifier: STANDBY_SET_IDENTIFIER,
    Failover: "SECONDARY",
    AliasTarget: aliasTo(standbyRecordName(domain), bareZoneId(hostedZoneId)),
  };
}

/**
 * The change batch that makes `primaryRegion` the active region's record (PRIMARY) and puts the
 * current active region into the standby set, in one atomic request. `stacks` are every stack's
 * `pulumi stack output --json` objects (two or more, one per region, in any order); `labels` name them
 * in error messages (default "stack #1", "stack #2", …).
 */
export function failoverChangeBatch(
  stacks: StackOutputs[],
  primaryRegion: string,
  labels: string[] = [],
  options: FailoverBatchOptions = {},
): FailoverChangeBatch {
  const labelOf = (i: number): string => labels[i] ?? `stack #${i + 1}`;
  if (!Array.isArray(stacks) || stacks.length < 2) {
    const count = Array.isArray(stacks) ? stacks.length : 0;
    throw new FailoverBatchError(
      `need the outputs of every stack (at least two: the active one and a standby), got ${count}`,
    );
  }
  const checked = stacks.map((outputs, i) => checkOutputs(outputs, labelOf(i)));

  const byRegion = new Map<string, number>();
  checked.forEach((outputs, i) => {
    const seen = byRegion.get(outputs.region);
    if (seen !== undefined) {
      throw new FailoverBatchError(
        `${labelOf(seen)} and ${labelOf(i)} are both region ${outputs.region}: give one stack per region ` +
          `(the region is the records' setIdentifier)`,
      );
    }
    byRegion.set(outputs.region, i);
  });
  const regions = [...byRegion.keys()];

  const [first] = checked;
  for (const [i, outputs] of checked.entries()) {
    if (sameName(outputs.domain) !== sameName(first.domain)) {
      throw new FailoverBatchError(
        `the stacks answer for different domains: ${labelOf(0)} (${first.region}) ${first.domain}, ` +
          `${labelOf(i)} (${outputs.region}) ${outputs.domain}; a failover pair is one name`,
      );
    }
    if (bareZoneId(outputs.hostedZoneId) !== bareZoneId(first.hostedZoneId)) {
      throw new FailoverBatchError(
        `the stacks are in different hosted zones: ${labelOf(0)} (${first.region}) ${first.hostedZoneId}, ` +
          `${labelOf(i)} (${outputs.region}) ${outputs.hostedZoneId}; a failover pair lives in one zone`,
      );
    }
  }

  const primary = typeof primaryRegion === "string" ? primaryRegion.trim() : "";
  if (primary === "") {
    throw new FailoverBatchError(`no primary region given; one of: ${regions.join(", ")}`);
  }
  if (!byRegion.has(primary)) {
    throw new FailoverBatchError(
      `primary region ${primary} is not one of the stacks' regions: ${regions.join(", ")}`,
    );
  }

  let current: CheckedOutputs;
  const override = options.currentPrimary?.trim();
  if (override !== undefined) {
    if (!byRegion.has(override)) {
      throw new FailoverBatchError(
        `current primary ${override} is not one of the stacks' regions: ${regions.join(", ")}`,
      );
    }
    current = checked[byRegion.get(override)!];
  } else {
    const active = checked.map((o, i) => ({ o, i })).filter(({ o }) => o.role === "active");
    if (active.length === 0) {
      throw new FailoverBatchError(
        `no stack has role active (${checked.map((o, i) => `${labelOf(i)} (${o.region}) ${o.role}`).join(", ")}); ` +
          `exactly one stack is the current PRIMARY: export the outputs again, or name it with --current-primary`,
      );
    }
    if (active.length > 1) {
      throw new FailoverBatchError(
        `${active.map(({ o, i }) => `${labelOf(i)} (${o.region})`).join(" and ")} all have role active; ` +
          `exactly one stack is the current PRIMARY: export the outputs again, or name it with --current-primary`,
      );
    }
    current = active[0].o;
  }

  const name = first.domain.replace(/\.$/, "");
  if (current.region === primary) {
    return {
      Comment: `Nothing to change: ${primary} is already the PRIMARY of ${name}.`.slice(
        0,
        MAX_COMMENT_LENGTH,
      ),
      Changes: [],
    };
  }
  const next = checked[byRegion.get(primary)!];
  const standbys = regions.filter((r) => r !== primary).sort();
  return {
    Comment: (
      `Failover of ${name}: PRIMARY ${current.region} -> ${primary}; standby set ${standbys.join(", ")}. ` +
      `One atomic batch; then flip role in those two stacks and run pulumi up --refresh (docs/runbook.md).`
    ).slice(0, MAX_COMMENT_LENGTH),
    Changes: [
      { Action: "DELETE", ResourceRecordSet: primaryRecordSet(current) },
      { Action: "UPSERT", ResourceRecordSet: primaryRecordSet(next) },
      { Action: "UPSERT", ResourceRecordSet: latencyRecordSet(current) },
      { Action: "DELETE", ResourceRecordSet: latencyRecordSet(next) },
      { Action: "UPSERT", ResourceRecordSet: secondaryRecordSet(first.domain, first.hostedZoneId) },
    ],
  };
}

export const USAGE = `Usage: npm run --silent failover-batch -- --primary <region> <outputs.json>...

Prints the Route 53 change batch that makes <region> the active region in one atomic request:
DELETE the current PRIMARY record and UPSERT <region>'s; UPSERT the old active region's latency
record in the standby set (standby.<domain>) and DELETE <region>'s; UPSERT the shared SECONDARY.
Each file is one stack's \`pulumi stack output --json --stack <stack>\`: give every stack (two or
more, one per region). The current PRIMARY is the stack whose role output is active. When <region>
is already the PRIMARY, prints nothing on stdout and says so (exit 0). Apply it with
  aws route53 change-resource-record-sets --hosted-zone-id <hostedZoneId> --change-batch file://<batch.json>

Options:
  --primary <region>          the region to make PRIMARY (required)
  --current-primary <region>  the region that is PRIMARY in Route 53 now, when the role outputs
                              do not say it (records swapped, roles not flipped yet)
  -h, --help                  show this help

Exit codes: 0 batch printed or nothing to change, 2 bad arguments or bad input, 3 internal error.`;

export interface CliOptions {
  primary?: string;
  currentPrimary?: string;
  files: string[];
  help: boolean;
}

export function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = { files: [], help: false };
  const regionOption = (flag: "--primary" | "--current-primary", i: number): [string, number] => {
    const arg = argv[i];
    const value = arg === flag ? argv[i + 1] : arg.slice(flag.length + 1);
    if (value === undefined || value === "" || value.startsWith("-")) {
      throw new UsageError(`${flag} needs a region, e.g. ${flag} ca-central-1`);
    }
    return [value, arg === flag ? i + 1 : i];
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      opts.help = true;
    } else if (arg === "--primary" || arg.startsWith("--primary=")) {
      const [value, last] = regionOption("--primary", i);
      if (opts.primary !== undefined) throw new UsageError("--primary is given more than once");
      opts.primary = value;
      i = last;
    } else if (arg === "--current-primary" || arg.startsWith("--current-primary=")) {
      const [value, last] = regionOption("--current-primary", i);
      if (opts.currentPrimary !== undefined)
        throw new UsageError("--current-primary is given more than once");
      opts.currentPrimary = value;
      i = last;
    } else if (arg.startsWith("-")) {
      throw new UsageError(
        `unknown option "${arg}"; allowed: --primary <region>, --current-primary <region>, --help`,
      );
    } else {
      opts.files.push(arg);
    }
  }
  if (opts.help) return opts;
  if (opts.primary === undefined) throw new UsageError("--primary <region> is required");
  if (opts.files.length === 0) {
    throw new UsageError("give the `pulumi stack output --json` files of every stack");
  }
  return opts;
}

export function readOutputs(file: string): StackOutputs {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new FailoverBatchError(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as StackOutputs;
  } catch (e) {
    throw new FailoverBatchError(
      `${file} is not JSON (${(e as Error).message}); expected \`pulumi stack output --json\``,
    );
  }
}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** The CLI without the process: returns the exit code. */
export function runCli(argv: string[], io: CliIo): number {
  try {
    const opts = parseArgs(argv);
    if (opts.help) {
      io.out(USAGE);
      return EXIT.ok;
    }
    const stacks = opts.files.map(readOutputs);
    const batch = failoverChangeBatch(stacks, opts.primary!, opts.files, {
      currentPrimary: opts.currentPrimary,
    });
    if (batch.Changes.length === 0) {
      // Route 53 rejects an empty batch, and there is nothing to apply: say so, print no batch.
      io.err(`${batch.Comment}\nNo change batch printed: do not apply one.`);
      return EXIT.ok;
    }
    io.out(JSON.stringify(batch, null, 2));
    const zone = (stacks[0] as Record<string, string>).hostedZoneId;
    io.err(
      `${batch.Comment}\nApply with: aws route53 change-resource-record-sets --hosted-zone-id ${zone} ` +
        `--change-batch file://<this output>`,
    );
    return EXIT.ok;
  } catch (e) {
    if (e instanceof FailoverBatchError) {
      io.err(`error: ${e.message}`);
      io.err(e instanceof UsageError ? USAGE : "(npm run failover-batch -- --help for the usage)");
      return EXIT.badInput;
    }
    throw e;
  }
}

if (require.main === module) {
  try {
    process.exitCode = runCli(process.argv.slice(2), {
      out: (t) => console.log(t),
      err: (t) => console.error(t),
    });
  } catch (e) {
    console.error(`internal error: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = EXIT.internal;
  }
}
