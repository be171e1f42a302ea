/**
 * `npm run failover-batch`: the Route 53 change batch that swaps the failover record pair in ONE
 * request, for the role flip of docs/runbook.md.
 *
 * Each stack owns one record of the pair (components/edgeDns.ts): same name, type A, `setIdentifier`
 * = its region, PRIMARY when the stack is active and SECONDARY when passive, its own health check,
 * an alias to its public ALB. Route 53 holds exactly one PRIMARY and one SECONDARY per failover pair,
 * so changing one record at a time (one `pulumi up` per stack) always passes through an invalid
 * state (two PRIMARY or two SECONDARY) and the second change is rejected. A change batch is
 * validated as a whole and applied all or nothing, so two UPSERTs in one batch swap the pair without
 * that state. The batch carries every field the program sets on the records, so the `pulumi up
 * --refresh` that follows (after `role` is flipped in both stacks) finds nothing to change.
 *
 * Usage: npm run --silent failover-batch -- --primary <region> <outputs.json> <outputs.json>
 * where each file is a stack's `pulumi stack output --json`. Prints the batch JSON on stdout.
 * Exit codes: 0 printed; 2 bad arguments or bad input; 3 internal error.
 */
import * as fs from "fs";

export const EXIT = { ok: 0, badInput: 2, internal: 3 } as const;

/** A stack's exports, as `pulumi stack output --json` prints them (index.ts). */
export type StackOutputs = Record<string, unknown>;

/** The exports the batch is built from. (`role` is not needed: the batch sets the roles.) */
export const REQUIRED_OUTPUTS = [
  "region",
  "domain",
  "hostedZoneId",
  "publicAlbDnsName",
  "publicAlbZoneId",
  "healthCheckId",
] as const;

type RequiredOutput = (typeof REQUIRED_OUTPUTS)[number];
type CheckedOutputs = Record<RequiredOutput, string>;

export type FailoverType = "PRIMARY" | "SECONDARY";

/** One record of the pair, in the Route 53 API's shape (what `aws route53 ... --change-batch` reads). */
export interface FailoverRecordSet {
  Name: string;
  Type: "A";
  SetIdentifier: string;
  Failover: FailoverType;
  HealthCheckId: string;
  AliasTarget: {
    /** The ALB's canonical hosted zone id, not the app's hosted zone. */
    HostedZoneId: string;
    DNSName: string;
    /** Route 53 requires true on failover alias records; the program sets it too. */
    EvaluateTargetHealth: true;
  };
}

export interface FailoverChangeBatch {
  Comment: string;
  Changes: { Action: "UPSERT"; ResourceRecordSet: FailoverRecordSet }[];
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
  return Object.fromEntries(
    REQUIRED_OUTPUTS.map((name) => [name, (record[name] as string).trim()]),
  ) as CheckedOutputs;
}

/**
 * The change batch that makes `primaryRegion`'s record PRIMARY and the other stack's SECONDARY, in
 * one atomic request. `stacks` are the two stacks' `pulumi stack output --json` objects, in any
 * order; `labels` name them in error messages (default "stack #1", "stack #2", …).
 *
 * Route 53 failover pairs have exactly one PRIMARY and one SECONDARY record, so the outputs of
 * exactly two stacks are accepted: a third region cannot join the same failover pair as another
 * SECONDARY (it needs a different routing design, such as nested failover alias records).
 */
export function failoverChangeBatch(
  stacks: StackOutputs[],
  primaryRegion: string,
  labels: string[] = [],
): FailoverChangeBatch {
  const labelOf = (i: number): string => labels[i] ?? `stack #${i + 1}`;
  if (!Array.isArray(stacks) || stacks.length < 2) {
    const count = Array.isArray(stacks) ? stacks.length : 0;
    throw new FailoverBatchError(
      `need the outputs of both stacks of the failover pair (one PRIMARY, one SECONDARY), got ${count}`,
    );
  }
  if (stacks.length > 2) {
    throw new FailoverBatchError(
      `got the outputs of ${stacks.length} stacks, but a Route 53 failover pair holds exactly one PRIMARY and ` +
        `one SECONDARY record: a third region cannot be another SECONDARY of the same name; give the two stacks ` +
        `whose records form the pair`,
    );
  }
  const checked = stacks.map((outputs, i) => checkOutputs(outputs, labelOf(i)));

  const byRegion = new Map<string, number>();
  checked.forEach((outputs, i) => {
    const seen = byRegion.get(outputs.region);
    if (seen !== undefined) {
      throw new FailoverBatchError(
        `${labelOf(seen)} and ${labelOf(i)} are both region ${outputs.region}: give one stack per region ` +
          `(the region is the record's setIdentifier)`,
      );
    }
    byRegion.set(outputs.region, i);
  });

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
    throw new FailoverBatchError(`no primary region given; one of: ${[...byRegion.keys()].join(", ")}`);
  }
  if (!byRegion.has(primary)) {
    throw new FailoverBatchError(
      `primary region ${primary} is not one of the stacks' regions: ${[...byRegion.keys()].join(", ")}`,
    );
  }

  const name = first.domain.replace(/\.$/, "");
  const record = (outputs: CheckedOutputs, failover: FailoverType): FailoverRecordSet => ({
    Name: name,
    Type: "A",
    SetIdentifier: outputs.region,
    Failover: failover,
    HealthCheckId: outputs.healthCheckId,
    AliasTarget: {
      HostedZoneId: outputs.publicAlbZoneId,
      DNSName: outputs.publicAlbDnsName,
      EvaluateTargetHealth: true,
    },
  });
  // The new PRIMARY first; the order does not matter to Route 53, which validates the batch whole.
  const ordered = [...checked].sort((a, b) => Number(b.region === primary) - Number(a.region === primary));
  const secondaries = ordered.filter((o) => o.region !== primary).map((o) => o.region);
  return {
    Comment: (
      `Failover swap of ${name}: PRIMARY ${primary}, SECONDARY ${secondaries.join(", ")}. ` +
      `One atomic batch; then flip role in both stacks and run pulumi up --refresh (docs/runbook.md).`
    ).slice(0, MAX_COMMENT_LENGTH),
    Changes: ordered.map((outputs) => ({
      Action: "UPSERT" as const,
      ResourceRecordSet: record(outputs, outputs.region === primary ? "PRIMARY" : "SECONDARY"),
    })),
  };
}

export const USAGE = `Usage: npm run --silent failover-batch -- --primary <region> <outputs.json> <outputs.json>

Prints the Route 53 change batch that swaps the app's failover record pair in one atomic request:
<region>'s record becomes PRIMARY, the other stack's SECONDARY. Each file is one stack's
\`pulumi stack output --json --stack <stack>\`; exactly two stacks (a failover pair has one PRIMARY
and one SECONDARY). Apply it with
  aws route53 change-resource-record-sets --hosted-zone-id <hostedZoneId> --change-batch file://<batch.json>

Options:
  --primary <region>  the region to make PRIMARY (required)
  -h, --help          show this help

Exit codes: 0 batch printed, 2 bad arguments or bad input, 3 internal error.`;

export interface CliOptions {
  primary?: string;
  files: string[];
  help: boolean;
}

export function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = { files: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      opts.help = true;
    } else if (arg === "--primary" || arg.startsWith("--primary=")) {
      const value = arg === "--primary" ? argv[++i] : arg.slice("--primary=".length);
      if (value === undefined || value === "" || value.startsWith("-")) {
        throw new UsageError("--primary needs a region, e.g. --primary ca-central-1");
      }
      if (opts.primary !== undefined) throw new UsageError("--primary is given more than once");
      opts.primary = value;
    } else if (arg.startsWith("-")) {
      throw new UsageError(`unknown option "${arg}"; allowed: --primary <region>, --help`);
    } else {
      opts.files.push(arg);
    }
  }
  if (opts.help) return opts;
  if (opts.primary === undefined) throw new UsageError("--primary <region> is required");
  if (opts.files.length === 0) {
    throw new UsageError("give the `pulumi stack output --json` files of both stacks");
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
    const batch = failoverChangeBatch(stacks, opts.primary!, opts.files);
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
