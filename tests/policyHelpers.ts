/**
 * Hand-built resources and one policy's exact findings, for the specs that test a policy branch by
 * branch: what each violation says (without the description the engine puts before it), and why the
 * policy did not apply.
 */
import { policies } from "../policy/policies";
import { PackConfig, runPolicies, RunnerResource } from "../policy/runner";

/** A resource with the same inputs and outputs (stack policies read outputs), plus `out`. */
export function res(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<RunnerResource> & { out?: Record<string, unknown> } = {},
): RunnerResource {
  const { out, ...rest } = extra;
  return {
    urn: `urn:pulumi:test::multi-region-web::${type}::${name}`,
    type,
    name,
    inputs,
    outputs: { ...inputs, ...out },
    ...rest,
  };
}

/** Property dependencies pointing `key` at `targets`, as the engine records `vpcId: vpc.id`. */
export function dep(key: string, ...targets: RunnerResource[]): Pick<RunnerResource, "propertyDependencies"> {
  return { propertyDependencies: { [key]: targets.map((t) => t.urn) } };
}

export interface Findings {
  /** Each violation's own message. */
  messages: string[];
  /** The resource each violation names (its name), or "(stack)". */
  on: string[];
  /** Why the policy did not apply, per resource or to the stack. */
  notApplicable: string[];
}

export async function findings(
  name: string,
  resources: RunnerResource[],
  opts: { config?: Record<string, unknown>; stackTags?: Record<string, string> } = {},
): Promise<Findings> {
  const policy = policies.find((p) => p.name === name);
  if (!policy) throw new Error(`no policy ${name}`);
  const result = await runPolicies([policy], resources, {
    stackTags: opts.stackTags,
    config: opts.config ? ({ [name]: opts.config } as PackConfig) : undefined,
  });
  const byUrn = new Map(resources.map((r) => [r.urn, r.name]));
  return {
    // A policy that could not run (a value unknown during preview) says so instead.
    messages: result.violations.map((v) =>
      v.message.startsWith(`${policy.description}\n`)
        ? v.message.slice(policy.description.length + 1)
        : v.message,
    ),
    on: result.violations.map((v) => (v.urn ? (byUrn.get(v.urn) ?? v.urn) : "(stack)")),
    notApplicable: result.notApplicable.map((n) => n.reason ?? ""),
  };
}

/** The violations' messages only. */
export async function messages(
  name: string,
  resources: RunnerResource[],
  opts: Parameters<typeof findings>[2] = {},
): Promise<string[]> {
  return (await findings(name, resources, opts)).messages;
}
