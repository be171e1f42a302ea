/**
 * Runs Pulumi's compliance-ready AWS policies (the `vendor-aws/aws` folder of a checkout of the
 * pulumi/compliance-policies repository) offline, with our runner (policy/runner.ts), over the
 * resources every example stack (tests/fixtures/stacks: the regional ones and the failover control
 * stack) registers under the shared mocks:
 *
 *   node -r sucrase/register/ts tools/compliance.ts <checkout>/vendor-aws/aws [--json <file>]
 *
 * Why a checkout and not a devDependency: the npm registry has no `@pulumi/aws-compliance-policies` nor
 * `@pulumi/compliance-policy-manager` (both answer 404), so the rules can only be read from their
 * source. Each rule file is loaded on its own (a rule for a resource class that @pulumi/aws 7 no
 * longer has is reported as not loadable, not fatal), and `@pulumi/compliance-policy-manager` is
 * replaced by a stand-in that registers each rule as it is written and evaluates it for every
 * resource (the manager's include/exclude filters are configuration, and we set none).
 *
 * The findings, and why each is fixed or accepted, are in docs/compliance.md.
 */
import * as fs from "fs";
import * as path from "path";
import type { PackPolicy } from "../policy/rules/common";
import { runPolicies, Violation } from "../policy/runner";
import { ROOT_DIR } from "./mocks";
import { fixtureStackRuns } from "./runStacks";

// The module loader's internals: the only way to answer one package name with a stand-in.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require("module") as {
  _load: (request: string, parent: unknown, isMain: boolean) => unknown;
  _resolveFilename: (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
};

interface Registration {
  resourceValidationPolicy?: Record<string, unknown>;
  stackValidationPolicy?: Record<string, unknown>;
  severity?: string;
}

/** What a rule file needs of the policy manager. */
const policyManagerStandIn = {
  policyManager: {
    policyConfigSchema: { properties: {} },
    registerPolicy: (registration: Registration) => ({
      ...(registration.resourceValidationPolicy ?? registration.stackValidationPolicy),
      severity: registration.severity,
    }),
    shouldEvalPolicy: () => true,
  },
  /** The manager's reading of launch-template flags, which the provider takes as "true"/"false" strings. */
  valToBoolean: (value: unknown): boolean | undefined => {
    if (typeof value === "boolean") return value;
    if (typeof value !== "string") return undefined;
    const lower = value.toLowerCase();
    return lower === "true" ? true : lower === "false" ? false : undefined;
  },
};

/** Loads every rule file under `dir` with the stand-in and this project's @pulumi packages. */
export function loadCompliancePolicies(dir: string): { policies: PackPolicy[]; failed: string[] } {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts") && entry.name !== "index.ts") files.push(full);
    }
  };
  walk(dir);
  const load = Module._load;
  const resolve = Module._resolveFilename;
  Module._load = (request, parent, isMain) =>
    request === "@pulumi/compliance-policy-manager" ? policyManagerStandIn : load(request, parent, isMain);
  Module._resolveFilename = (request, parent, isMain, options) =>
    request.startsWith("@pulumi/")
      ? resolve(request, parent, isMain, { paths: [ROOT_DIR] })
      : resolve(request, parent, isMain, options);
  const policies: PackPolicy[] = [];
  const failed: string[] = [];
  try {
    for (const file of files.sort()) {
      try {
        // Rule files are found at run time: only require() can load them.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const exported = require(file) as Record<string, unknown>;
        for (const value of Object.values(exported)) {
          if (typeof value === "object" && value !== null && "name" in value) {
            policies.push({ rationale: "compliance-ready", ...(value as object) } as PackPolicy);
          }
        }
      } catch (e) {
        failed.push(`${path.relative(dir, file)}: ${(e as Error).message.split("\n")[0]}`);
      }
    }
  } finally {
    Module._load = load;
    Module._resolveFilename = resolve;
  }
  return { policies, failed };
}

export interface ComplianceFinding {
  stack: string;
  policy: string;
  severity?: string;
  resource?: string;
  message: string;
}

/**
 * Every compliance rule over every example stack (tests/fixtures/stacks: the regional ones and the
 * failover control stack), one rule at a time: a rule that throws (written for provider 6 shapes) is
 * reported as an error finding instead of stopping the others.
 */
export async function runCompliance(policies: PackPolicy[]): Promise<ComplianceFinding[]> {
  const findings: ComplianceFinding[] = [];
  for (const run of await fixtureStackRuns()) {
    for (const policy of policies) {
      try {
        const result = await runPolicies([policy], run.resources, { config: { all: "advisory" } });
        findings.push(
          ...result.violations.map((v: Violation) => ({
            stack: run.stack,
            policy: v.policyName,
            severity: v.severity,
            resource: v.urn?.split("::").slice(-2).join(" "),
            message: v.message.split("\n").slice(1).join(" "),
          })),
        );
      } catch (e) {
        findings.push({
          stack: run.stack,
          policy: policy.name,
          severity: "error",
          // The analyzer's error, then the rule's own on the next line (its stack follows).
          message: `the rule threw: ${String(e).split("\n").slice(0, 2).join(" ")}`,
        });
      }
    }
  }
  return findings;
}

async function main(argv: string[]): Promise<number> {
  const dir = argv[0];
  if (!dir || !fs.existsSync(dir)) {
    process.stderr.write(
      "usage: tools/compliance.ts <compliance-policies checkout>/vendor-aws/aws [--json <file>]\n",
    );
    return 2;
  }
  const { policies, failed } = loadCompliancePolicies(path.resolve(dir));
  const findings = await runCompliance(policies);
  const byPolicy = new Map<string, ComplianceFinding[]>();
  for (const f of findings) byPolicy.set(f.policy, [...(byPolicy.get(f.policy) ?? []), f]);
  process.stdout.write(`${policies.length} rules loaded, ${failed.length} not loadable\n`);
  for (const line of failed) process.stdout.write(`  not loadable: ${line}\n`);
  process.stdout.write(`${findings.length} findings in ${byPolicy.size} rules\n`);
  for (const [policy, list] of [...byPolicy].sort()) {
    process.stdout.write(`\n${policy} (${list[0].severity ?? "?"}): ${list.length}\n`);
    for (const f of list) process.stdout.write(`  [${f.stack}] ${f.resource ?? "(stack)"}: ${f.message}\n`);
  }
  const json = argv.indexOf("--json");
  if (json >= 0 && argv[json + 1])
    fs.writeFileSync(argv[json + 1], JSON.stringify({ failed, findings }, null, 2));
  return 0;
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
