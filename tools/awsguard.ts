/**
 * Runs Pulumi's AWSGuard rules (`@pulumi/awsguard`, a devDependency) offline, with our runner
 * (policy/runner.ts), over the resources the three committed stacks register under the shared mocks
 * (regional stacks and the failover control stack, one run reused):
 *
 *   node -r sucrase/register/ts tools/awsguard.ts [--json <file>]
 *
 * AWSGuard 0.3.1 is the only release on npm; it was written against @pulumi/aws 4 (npm installs that
 * version under it, so its rules test the resource classes they were written for). Three things stand
 * between its rules and a provider-7 program, and this tool bridges each one in the open:
 *
 * - Renamed types. Provider 7's `aws.lb.LoadBalancer` and `aws.lb.Listener` declare their former type
 *   tokens (`aws:elasticloadbalancingv2/...`) as aliases; AWSGuard's ELB rules check only those former
 *   types. Each resource is also shown under every alias its provider class declares, so those rules
 *   see our load balancers instead of finding nothing to check.
 * - Split resources. Provider 4's bucket carried its server access logging inline (`loggings`);
 *   provider 7 has `aws.s3.BucketLogging`. Each BucketLogging is folded into its bucket's `loggings`.
 * - Live calls. Three rules call AWS through the v2 SDK (certificate expiry, access-key age, MFA).
 *   `aws-sdk` is answered by a stand-in whose every call throws, so nothing leaves this machine; a
 *   rule that reached it is listed as "needs a live account", never as passed.
 *
 * One exemption, listed in the output and defended in docs/compliance.md: `s3-bucket-logging-enabled`
 * on a bucket that is itself a log destination (an ALB's `accessLogs.bucket` or a BucketLogging's
 * `targetBucket`). A chain of log buckets must end in one that does not log; S3 warns that a bucket
 * logging to itself loops ("Enabling Amazon S3 server access logging", S3 User Guide).
 */
import * as fs from "fs";
import * as path from "path";
import type { PackPolicy } from "../policy/rules/common";
import { runPolicies, RunnerResource, Violation } from "../policy/runner";
import type { RecordedResource, StackRun } from "./mocks";
import { fixtureStackRuns } from "./runStacks";

// The module loader's internals: the only way to answer one package name with a stand-in.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require("module") as {
  _load: (request: string, parent: unknown, isMain: boolean) => unknown;
};

/** What AWSGuard's rules throw when they reach for AWS (through the `aws-sdk` stand-in). */
export class NeedsLiveAccount extends Error {}

/** `aws-sdk` v2 as the rules use it (`new AWS.ACM(...).describeCertificate(...).promise()`): every call throws. */
const awsSdkStandIn = new Proxy(
  {},
  {
    get: (_target, service) =>
      function Client() {
        return new Proxy(
          {},
          {
            get: (_client, method) => () => {
              throw new NeedsLiveAccount(`${String(service)}.${String(method)} needs a live AWS account`);
            },
          },
        );
      },
  },
);

const PACKAGE_DIR = path.dirname(require.resolve("@pulumi/awsguard/package.json"));
/** The package's files that are not rule areas. */
const NOT_RULES = new Set(["index.js", "awsGuard.js", "enforcementLevel.js", "policyArgs.js", "version.js"]);

/** Every AWSGuard rule, loaded area by area with the `aws-sdk` stand-in. */
export function loadAwsGuardPolicies(): PackPolicy[] {
  const load = Module._load;
  Module._load = (request, parent, isMain) =>
    request === "aws-sdk" ? awsSdkStandIn : load(request, parent, isMain);
  const policies: PackPolicy[] = [];
  try {
    for (const file of fs.readdirSync(PACKAGE_DIR).sort()) {
      if (!file.endsWith(".js") || NOT_RULES.has(file)) continue;
      // Rule areas are found at run time: only require() can load them.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exported = require(path.join(PACKAGE_DIR, file)) as Record<string, unknown>;
      for (const value of Object.values(exported)) {
        if (typeof value === "object" && value !== null && "name" in value) {
          policies.push({ rationale: "awsguard", ...(value as object) } as PackPolicy);
        }
      }
    }
  } finally {
    Module._load = load;
  }
  return policies;
}

const aliasCache = new Map<string, string[]>();

/**
 * The former type tokens the provider declares for `type` (`aliases: [{ type: "..." }]` in the
 * generated class of @pulumi/aws, the provider's schema), read from the class file.
 */
export function providerAliases(type: string): string[] {
  let aliases = aliasCache.get(type);
  if (aliases === undefined) {
    const [pkg, middle = ""] = type.split(":");
    const [module, kind] = middle.split("/");
    aliases = [];
    if (pkg === "aws" && kind) {
      try {
        const text = fs.readFileSync(require.resolve(`@pulumi/aws/${module}/${kind}.js`), "utf8");
        const block = /aliases: \[([^\]]*)\]/.exec(text)?.[1] ?? "";
        aliases = [...block.matchAll(/type: "([^"]+)"/g)].map((m) => m[1]);
      } catch {
        aliases = [];
      }
    }
    aliasCache.set(type, aliases);
  }
  return aliases;
}

const BUCKET = "aws:s3/bucket:Bucket";
const BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging";
const LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer";

/** A bucket's name as other resources refer to it (the mocks record it as `bucket` and as the id). */
function bucketName(r: RecordedResource): string | undefined {
  return (r.outputs.bucket as string | undefined) ?? (r.id || undefined);
}

/** The names of the buckets a run delivers logs to: ALB access logs and S3 server access logs. */
export function logDestinations(resources: readonly RecordedResource[]): Set<string> {
  const names = new Set<string>();
  for (const r of resources) {
    if (r.type === LOAD_BALANCER) {
      const logs = r.inputs.accessLogs as { bucket?: string; enabled?: boolean } | undefined;
      if (logs?.enabled && logs.bucket) names.add(logs.bucket);
    }
    if (r.type === BUCKET_LOGGING && typeof r.inputs.targetBucket === "string") {
      names.add(r.inputs.targetBucket);
    }
  }
  return names;
}

/**
 * The run as AWSGuard's provider-4 rules read it: each BucketLogging folded into its bucket's
 * `loggings`, and each resource also under the former types its provider class declares.
 */
export function awsGuardView(resources: readonly RecordedResource[]): RunnerResource[] {
  const loggings = new Map<string, { targetBucket: unknown; targetPrefix: unknown }[]>();
  for (const r of resources.filter((x) => x.type === BUCKET_LOGGING)) {
    const bucket = String(r.inputs.bucket);
    loggings.set(bucket, [
      ...(loggings.get(bucket) ?? []),
      { targetBucket: r.inputs.targetBucket, targetPrefix: r.inputs.targetPrefix },
    ]);
  }
  const view: RunnerResource[] = [];
  for (const r of resources) {
    let { inputs, outputs } = r;
    const folded = r.type === BUCKET ? loggings.get(bucketName(r) ?? "") : undefined;
    if (folded) {
      inputs = { ...inputs, loggings: folded };
      outputs = { ...outputs, loggings: folded };
    }
    view.push({ ...r, inputs, outputs });
    for (const alias of providerAliases(r.type)) {
      view.push({ ...r, inputs, outputs, type: alias, urn: `${r.urn}#as:${alias}` });
    }
  }
  return view;
}

export interface AwsGuardFinding {
  stack: string;
  policy: string;
  resource?: string;
  message: string;
}

export interface AwsGuardResult {
  /** Rules run. */
  rules: string[];
  findings: AwsGuardFinding[];
  /** `s3-bucket-logging-enabled` on log destinations (see the header). */
  exempt: AwsGuardFinding[];
  /** Rules that reached for AWS, per stack: not evaluated offline. */
  needsLiveAccount: AwsGuardFinding[];
}

const LOGGING_RULE = "s3-bucket-logging-enabled";

/** `urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>` → `<type> <name>`. */
function resourceOf(urn: string | undefined): string | undefined {
  if (!urn) return undefined;
  const [types, name] = urn.split("#as:")[0].split("::").slice(-2);
  return `${types.split("$").pop()} ${name}`;
}

function finding(stack: string, v: Violation): AwsGuardFinding {
  return {
    stack,
    policy: v.policyName,
    resource: resourceOf(v.urn),
    message: v.message.split("\n").slice(1).join(" "),
  };
}

/** Every AWSGuard rule over every given run, one rule at a time (a throwing rule does not stop the others). */
export async function runAwsGuard(
  runs: readonly Pick<StackRun, "stack" | "resources">[],
  policies: PackPolicy[] = loadAwsGuardPolicies(),
): Promise<AwsGuardResult> {
  const result: AwsGuardResult = {
    rules: policies.map((p) => p.name),
    findings: [],
    exempt: [],
    needsLiveAccount: [],
  };
  for (const run of runs) {
    const view = awsGuardView(run.resources);
    const destinations = logDestinations(run.resources);
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    for (const policy of policies) {
      try {
        const { violations } = await runPolicies([policy], view, { config: { all: "advisory" } });
        for (const v of violations) {
          const f = finding(run.stack, v);
          const bucket = byUrn.get(v.urn?.split("#as:")[0] ?? "");
          const exempt =
            v.policyName === LOGGING_RULE && bucket && destinations.has(bucketName(bucket) ?? "");
          (exempt ? result.exempt : result.findings).push(f);
        }
      } catch (e) {
        const needsAws = String(e).includes("needs a live AWS account");
        (needsAws ? result.needsLiveAccount : result.findings).push({
          stack: run.stack,
          policy: policy.name,
          message: needsAws
            ? (/\S+ needs a live AWS account/.exec(String(e))?.[0] ?? String(e))
            : `the rule threw: ${String(e).split("\n").slice(0, 2).join(" ")}`,
        });
      }
    }
  }
  return result;
}

async function main(argv: string[]): Promise<number> {
  const result = await runAwsGuard(await fixtureStackRuns());
  const line = (f: AwsGuardFinding) =>
    `  [${f.stack}] ${f.policy} ${f.resource ?? "(stack)"}: ${f.message}\n`;
  process.stdout.write(`${result.rules.length} AWSGuard rules, ${result.findings.length} findings\n`);
  result.findings.forEach((f) => process.stdout.write(line(f)));
  process.stdout.write(`${result.exempt.length} log destinations exempt from ${LOGGING_RULE}\n`);
  result.exempt.forEach((f) => process.stdout.write(line(f)));
  process.stdout.write(`${result.needsLiveAccount.length} rule runs need a live AWS account\n`);
  result.needsLiveAccount.forEach((f) => process.stdout.write(line(f)));
  const json = argv.indexOf("--json");
  if (json >= 0 && argv[json + 1]) fs.writeFileSync(argv[json + 1], JSON.stringify(result, null, 2));
  return result.findings.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(3);
    },
  );
}
