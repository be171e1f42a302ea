/**
 * Runs the pack's policies offline, the way the engine and @pulumi/policy's analyzer server do
 * (server.js `analyze` / `analyzeStack`, and the CLI's ReconcilePolicyPackConfig), over resources
 * recorded by tools/mocks.ts or built by hand:
 *
 * - config: each policy's schema defaults, then an "all" enforcement level, then the per-policy
 *   level and properties of the `--policy-pack-config` file; validated against the schema;
 * - level: the reconciled level, "disabled" skips, "remediate" reports as mandatory;
 * - resource policies get the inputs, stack policies the outputs, both deserialized like the SDK
 *   (undefined dropped, secrets unwrapped) and wrapped in the SDK's `unknownCheckingProxy`; an
 *   unknown value read during "preview" becomes an advisory "can't run" violation;
 * - `notApplicable` is recorded, never reported as a violation; a type-filtered policy is not
 *   applicable to other types without being called.
 */
import {
  EnforcementLevel,
  PolicyProviderResource,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  Severity,
  StackValidationArgs,
} from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type { Resource } from "@pulumi/pulumi";
import type { PackPolicy, PackStackPolicy } from "./rules/common";
import { unknownCheckingProxy, UNKNOWN, UnknownValueError } from "./rules/sdk";

export { UNKNOWN };

/** The slice of tools/mocks.ts `RecordedResource` the runner needs (hand-built ones may omit the rest). */
export interface RunnerResource {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  inputs: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  protect?: boolean;
  provider?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  ignoreChanges?: string[];
  deleteBeforeReplace?: boolean;
}

/** A `--policy-pack-config` file: per policy a level, or an object of level and properties. */
export type PackConfig = Record<
  string,
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

export interface ReconciledPolicyConfig {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}

export interface Violation {
  policyName: string;
  level: "advisory" | "mandatory";
  message: string;
  urn?: string;
  severity?: Severity;
}

export interface NotApplicable {
  policyName: string;
  reason?: string;
  urn?: string;
}

export interface RunOptions {
  /** The `--policy-pack-config` file's content. */
  config?: PackConfig;
  /** Stack tags, as `pulumi stack tag set` stores them. */
  stackTags?: ReadonlyMap<string, string> | Record<string, string>;
  /** Skip stack policies (the engine runs them only after a successful preview/update). */
  resourcesOnly?: boolean;
}

export interface RunResult {
  violations: Violation[];
  notApplicable: NotApplicable[];
  config: Record<string, ReconciledPolicyConfig>;
}

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

// The RPC layer's signature keys (tools/mocks.ts records values deserialized by it).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function isStackPolicy(policy: PackPolicy): policy is PackStackPolicy {
  return typeof (policy as Partial<PackStackPolicy>).validateStack === "function";
}

class NotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicableError(reason);
}

// ---------------------------------------------------------------------------------------------
// Config, as the CLI reconciles it before calling the analyzer's Configure.

function checkLevel(key: string, level: unknown): EnforcementLevel | undefined {
  if (level === undefined) return undefined;
  if (typeof level !== "string" || !LEVELS.includes(level as EnforcementLevel)) {
    throw new Error(
      `parsing enforcement level for "${key}": ${JSON.stringify(level)} is not a valid enforcement level`,
    );
  }
  return level as EnforcementLevel;
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "null":
      return value === null;
    default:
      return typeof value === type;
  }
}

/** The subset of JSON Schema the pack's config schemas use (type, enum, bounds, items). */
function validateValue(path: string, schema: PolicyConfigJSONSchema, value: unknown): string[] {
  const errors: string[] = [];
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length > 0 && !types.some((t) => typeMatches(t, value))) {
    return [`${path}: Invalid type. Expected: ${types.join(" or ")}, given: ${JSON.stringify(value)}`];
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${path}: must be one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum)
      errors.push(`${path}: must be >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      errors.push(`${path}: must be <= ${schema.maximum}`);
  }
  if (
    Array.isArray(value) &&
    schema.items &&
    typeof schema.items === "object" &&
    !Array.isArray(schema.items)
  ) {
    const items = schema.items;
    value.forEach((v, i) => errors.push(...validateValue(`${path}.${i}`, items, v)));
  }
  return errors;
}

/**
 * The config each policy runs with: schema defaults, the "all" level, then per-policy entries
 * (levels replace, properties merge key by key). Throws with every validation error, as the CLI
 * refuses to run a pack whose config does not match its schema.
 */
export function reconcileConfig(
  policies: readonly PackPolicy[],
  config: PackConfig = {},
  packLevel: EnforcementLevel = "advisory",
): Record<string, ReconciledPolicyConfig> {
  const result: Record<string, ReconciledPolicyConfig> = {};
  for (const policy of policies) {
    const properties: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
      if (schema.default !== undefined) properties[key] = schema.default;
    }
    result[policy.name] = { enforcementLevel: policy.enforcementLevel ?? packLevel, properties };
  }
  const entries = Object.entries(config).map(([key, value]) => {
    if (typeof value === "string") return { key, level: checkLevel(key, value), properties: {} };
    if (typeof value !== "object" || value === null) {
      throw new Error(
        `parsing "${key}": ${JSON.stringify(value)} is not a valid value; must be a string or object`,
      );
    }
    const { enforcementLevel, ...properties } = value;
    return { key, level: checkLevel(key, enforcementLevel), properties };
  });
  const all = entries.find((e) => e.key === "all");
  if (all?.level) {
    for (const name of Object.keys(result)) result[name].enforcementLevel = all.level;
  }
  for (const { key, level, properties } of entries) {
    const current = result[key] ?? { enforcementLevel: packLevel, properties: {} };
    result[key] = {
      enforcementLevel: level ?? current.enforcementLevel,
      properties: { ...current.properties, ...properties },
    };
  }
  const errors: string[] = [];
  for (const policy of policies) {
    const schema = policy.configSchema;
    if (!schema) continue;
    const props = result[policy.name].properties;
    for (const key of schema.required ?? []) {
      if (!(key in props)) errors.push(`${policy.name}: ${key} is required`);
    }
    for (const [key, value] of Object.entries(props)) {
      const property = schema.properties[key];
      if (property !== undefined) errors.push(...validateValue(`${policy.name}: ${key}`, property, value));
    }
  }
  if (errors.length > 0) throw new Error(`validating policy config:\n${errors.join("\n")}`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Resources, as the analyzer server deserializes them.

/** A recorded value in the shape the engine sends: secrets unwrapped, undefined dropped. */
function engineValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : engineValue(v)));
  const record = value as Record<string, unknown>;
  if (record[SIG_KEY] === SECRET_SIG) return engineValue(record.value);
  if (record[SIG_KEY] !== undefined) return value; // assets and archives pass through as objects
  const result: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    if (v !== undefined) result[key] = engineValue(v);
  }
  return result;
}

function engineProps(values: Record<string, unknown> | undefined): Record<string, unknown> {
  return unknownCheckingProxy(engineValue(values ?? {}) as Record<string, unknown>);
}

function options(r: RunnerResource): PolicyResourceOptions {
  const opts: PolicyResourceOptions = {
    protect: r.protect === true,
    ignoreChanges: r.ignoreChanges ?? [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
  };
  if (r.deleteBeforeReplace !== undefined) opts.deleteBeforeReplace = r.deleteBeforeReplace;
  if (r.parent) opts.parent = r.parent;
  return opts;
}

/** The explicit provider (`urn::id` reference) as the engine describes it. */
function providerOf(
  r: RunnerResource,
  byUrn: Map<string, RunnerResource>,
): PolicyProviderResource | undefined {
  if (!r.provider) return undefined;
  const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
  const provider = byUrn.get(urn);
  if (!provider) return undefined;
  return { type: provider.type, props: engineProps(provider.inputs), urn, name: provider.name };
}

/** The Pulumi type token a resource class carries (generated SDK classes have `__pulumiType`). */
function pulumiTypeOf(value: unknown): string | undefined {
  const type = (value as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof type === "string" && type !== "" ? type : undefined;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
  const pulumiType = pulumiTypeOf(resourceClass);
  if (pulumiType) return type === pulumiType;
  const isInstance = (resourceClass as { isInstance?: (o: unknown) => boolean }).isInstance;
  return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function toMap(tags: RunOptions["stackTags"]): ReadonlyMap<string, string> {
  if (tags === undefined) return new Map();
  if (tags instanceof Map) return tags as ReadonlyMap<string, string>;
  if (typeof (tags as ReadonlyMap<string, string>).get === "function")
    return tags as ReadonlyMap<string, string>;
  return new Map(Object.entries(tags as Record<string, string>));
}

// ---------------------------------------------------------------------------------------------
// Running.

interface Collector {
  violations: Violation[];
  notApplicable: NotApplicable[];
}

function reporter(
  policy: PackPolicy,
  level: "advisory" | "mandatory",
  into: Violation[],
  fixedUrn?: string,
): ReportViolation {
  return (message: string, urn?: string) => {
    into.push({
      policyName: policy.name,
      level,
      // The engine prefixes every message with the policy's description.
      message: message ? `${policy.description}\n${message}` : policy.description,
      urn: fixedUrn ?? urn,
      severity: policy.severity,
    });
  };
}

/** Runs one validation as the server does: unknowns become an advisory, notApplicable is recorded. */
async function guarded(
  policy: PackPolicy,
  out: Collector,
  urn: string | undefined,
  run: () => unknown,
): Promise<void> {
  try {
    await Promise.resolve(run());
  } catch (e) {
    if (e instanceof UnknownValueError) {
      out.violations.push({
        policyName: policy.name,
        level: "advisory",
        message: `can't run policy '${policy.name}' during preview: ${e.message}`,
        urn,
        severity: policy.severity,
      });
    } else if (e instanceof NotApplicableError) {
      out.notApplicable.push({ policyName: policy.name, reason: e.reason, urn });
    } else {
      throw new Error(`Error validating resource with policy '${policy.name}': ${String(e)}`, { cause: e });
    }
  }
}

function effectiveLevel(level: EnforcementLevel): "advisory" | "mandatory" | undefined {
  if (level === "disabled") return undefined;
  return level === "advisory" ? "advisory" : "mandatory";
}

/** The policies' violations for these resources (one stack), with the given pack config and tags. */
export async function runPolicies(
  policies: readonly PackPolicy[],
  resources: readonly RunnerResource[],
  opts: RunOptions = {},
): Promise<RunResult> {
  const config = reconcileConfig(policies, opts.config);
  const stackTags = toMap(opts.stackTags);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const out: Collector = { violations: [], notApplicable: [] };
  const getConfigOf =
    (name: string) =>
    <T extends object>() =>
      ({ ...config[name].properties }) as T;

  for (const resource of resources) {
    for (const policy of policies) {
      const level = effectiveLevel(config[policy.name].enforcementLevel);
      if (level === undefined || isStackPolicy(policy) || !policy.validateResource) continue;
      const validations: ResourceValidation[] = Array.isArray(policy.validateResource)
        ? policy.validateResource
        : [policy.validateResource];
      const only = validations.length === 1 ? pulumiTypeOf(validations[0]) : undefined;
      if (only && only !== resource.type) {
        out.notApplicable.push({
          policyName: policy.name,
          reason: `Policy only applies to resources of type '${only}'`,
          urn: resource.urn,
        });
        continue;
      }
      for (const validation of validations) {
        await guarded(policy, out, resource.urn, () => {
          const props = engineProps(resource.inputs);
          const args: ResourceValidationArgs = {
            type: resource.type,
            props,
            urn: resource.urn,
            name: resource.name,
            opts: options(resource),
            stackTags,
            isType: (cls: unknown) => isTypeOf(resource.type, cls),
            asType: ((cls: unknown) =>
              isTypeOf(resource.type, cls) ? props : undefined) as ResourceValidationArgs["asType"],
            getConfig: getConfigOf(policy.name),
            notApplicable: throwNotApplicable,
          };
          const provider = providerOf(resource, byUrn);
          if (provider) args.provider = provider;
          return validation(args, reporter(policy, level, out.violations, resource.urn));
        });
      }
    }
  }

  if (!opts.resourcesOnly) {
    for (const policy of policies) {
      const level = effectiveLevel(config[policy.name].enforcementLevel);
      if (level === undefined || !isStackPolicy(policy)) continue;
      const only = pulumiTypeOf(policy.validateStack);
      if (only && !resources.some((r) => r.type === only)) {
        out.notApplicable.push({
          policyName: policy.name,
          reason: `Policy only applies to resources of type '${only}'`,
        });
        continue;
      }
      await guarded(policy, out, undefined, () => {
        const args: StackValidationArgs = {
          resources: stackResources(resources, byUrn),
          stackTags,
          getConfig: getConfigOf(policy.name),
          notApplicable: throwNotApplicable,
        };
        return policy.validateStack(args, reporter(policy, level, out.violations));
      });
    }
  }
  return { ...out, config };
}

/** PolicyResources with parent, dependencies and property dependencies linked as objects. */
function stackResources(
  resources: readonly RunnerResource[],
  byUrn: Map<string, RunnerResource>,
): PolicyResource[] {
  const built = new Map<string, PolicyResource>();
  for (const r of resources) {
    const props = engineProps(r.outputs ?? r.inputs);
    const resource: PolicyResource = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: options(r),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls: unknown) => isTypeOf(r.type, cls),
      asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
    };
    const provider = providerOf(r, byUrn);
    if (provider) resource.provider = provider;
    built.set(r.urn, resource);
  }
  const lookup = (urns: string[] | undefined) =>
    (urns ?? []).map((u) => built.get(u)).filter((d): d is PolicyResource => d !== undefined);
  for (const r of resources) {
    const resource = built.get(r.urn) as PolicyResource;
    if (r.parent && built.has(r.parent)) resource.parent = built.get(r.parent);
    resource.dependencies = lookup(r.dependencies);
    for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
      resource.propertyDependencies[key] = lookup(urns);
    }
  }
  return [...built.values()];
}

/** Violations of one level, for assertions and reports. */
export function byLevel(result: RunResult, level: Violation["level"]): Violation[] {
  return result.violations.filter((v) => v.level === level);
}

/** A resource class is enough to build a hand-made resource's type token. */
export function typeOf(resourceClass: new (...args: never[]) => Resource): string {
  const type = pulumiTypeOf(resourceClass);
  if (!type) throw new Error("Not a generated resource class");
  return type;
}
