/** The policy pack's offline runner, as the plan uses it: one stack's recorded resources in, results out. */
import * as fs from "fs";
import { policies } from "../policy/policies";
import { PackConfig, reconcileConfig, runPolicies, Violation } from "../policy/runner";
import { StackRun } from "./mocks";

export type PolicyResult = Violation;

/** Reads a `--policy-pack-config` file; a missing file or bad JSON is a clear error. */
export function readPolicyConfig(file?: string): PackConfig {
  if (file === undefined) return {};
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new Error(`--policy-pack-config "${file}": cannot read the file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`--policy-pack-config "${file}": not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(
      `--policy-pack-config "${file}": must be a JSON object of policy names to levels or settings`,
    );
  }
  const names = new Set(["all", ...policies.map((p) => p.name)]);
  for (const key of Object.keys(parsed)) {
    if (!names.has(key)) {
      throw new Error(
        `--policy-pack-config "${file}": "${key}" is not a policy of this pack (see docs/policies.md)`,
      );
    }
  }
  // Levels and settings are checked against the pack's schema now, before any stack runs.
  try {
    reconcileConfig(policies, parsed as PackConfig);
  } catch (e) {
    throw new Error(`--policy-pack-config "${file}": ${(e as Error).message}`);
  }
  return parsed as PackConfig;
}

/** Runs every resource and stack policy over one stack's recorded resources, with the engine's stack tags. */
export async function evaluateStack(run: StackRun, config: PackConfig): Promise<PolicyResult[]> {
  const result = await runPolicies(policies, run.resources, {
    config,
    stackTags: { "pulumi:project": run.project, "pulumi:runtime": "nodejs" },
  });
  return result.violations;
}
