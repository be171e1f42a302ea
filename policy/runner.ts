/**
 * Runs the pack's policies offline over resources recorded by tools/mocks.ts or built by hand, through
 * @pulumi/policy's own analyzer (server.js `analyze` and `analyzeStack`, the functions its gRPC server
 * serves): the SDK deserializes the properties, wraps them in its unknown-checking proxy, builds the
 * validation arguments, skips disabled policies, reports `remediate` as mandatory, turns an unknown
 * value read during preview into an advisory "can't run" diagnostic and records `notApplicable`.
 *
 * What is left here is the engine's side of the conversation:
 *
 * - the config: the Pulumi CLI (Go, `ReconcilePolicyPackConfig`) fills in each policy's schema
 *   defaults, applies "all" and the per-policy entries of `--policy-pack-config`, and validates the
 *   result against each policy's JSON schema (gojsonschema; here Ajv, a JSON Schema validator too);
 * - the requests: each resource marshalled as the engine sends it (an `AnalyzeRequest` per resource
 *   with its inputs, one `AnalyzeStackRequest` with every resource's outputs);
 * - the server keeps the reconciled config and the stack tags that the engine sends with its
 *   `Configure` and `ConfigureStack` calls in module state that only those gRPC calls set, so each
 *   policy is handed to the analyzer with its reconciled level, and its validations get the
 *   reconciled properties and the stack tags as the server would pass them.
 */
import Ajv, { ValidateFunction } from "ajv";
import {
  EnforcementLevel,
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  Severity,
  StackValidation,
  StackValidationArgs,
} from "@pulumi/policy";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import type { Resource } from "@pulumi/pulumi";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME } from "./policies";
import type { PackPolicy, PackStackPolicy } from "./rules/common";
import { UNKNOWN } from "./rules/sdk";

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
  /** As the engine prints it: the policy's description, then the policy's own message. */
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
// The version PolicyPack reads from the pack's package.json.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PACK_VERSION = (require("./package.json") as { version: string }).version;

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

const ajv = new Ajv({ allErrors: true, strict: false });
// Compiled once per policy schema: Ajv caches by schema object, and a run builds a new one each time.
const validators = new WeakMap<PolicyConfigSchema, ValidateFunction>();

/** The CLI validates each policy's properties against `{type: "object", properties, required}`. */
function schemaErrors(
  name: string,
  schema: PolicyConfigSchema,
  properties: Record<string, unknown>,
): string[] {
  let validate = validators.get(schema);
  if (validate === undefined) {
    validate = ajv.compile({
      type: "object",
      properties: schema.properties,
      ...(schema.required && schema.required.length > 0 ? { required: schema.required } : {}),
    });
    validators.set(schema, validate);
  }
  if (validate(properties)) return [];
  return (validate.errors ?? []).map((e) => {
    const where = e.instancePath.split("/").slice(1).join(".");
    return `${name}: ${where ? `${where}: ` : ""}${e.message ?? "is invalid"}`;
  });
}

/**
 * The config each policy runs with: schema defaults, the "all" level, then per-policy entries
 * (levels replace, properties merge key by key). Throws with every validation error, as the CLI
 * refuses to run a pack whose config does not match its schema.
 */
export function reconcileConfig(
  policies: readonly PackPolicy[],
  config: PackConfig = {},
  packLevel: EnforcementLevel = PACK_ENFORCEMENT_LEVEL,
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
  const errors = policies.flatMap((policy) =>
    policy.configSchema ? schemaErrors(policy.name, policy.configSchema, result[policy.name].properties) : [],
  );
  if (errors.length > 0) throw new Error(`validating policy config:\n${errors.join("\n")}`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Requests, as the engine marshals resources for the analyzer.

/** A recorded value as the engine sends it: undefined properties are not sent (a list keeps a null). */
function wireValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : wireValue(v)));
  const result: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== undefined) result[key] = wireValue(v);
  }
  return result;
}

function struct(values: Record<string, unknown> | undefined): Struct {
  return Struct.fromJavaScript(wireValue(values ?? {}) as Record<string, never>);
}

function resourceOptions(r: RunnerResource): analyzer.AnalyzerResourceOptions {
  const opts = new analyzer.AnalyzerResourceOptions();
  opts.setProtect(r.protect === true);
  opts.setIgnorechangesList(r.ignoreChanges ?? []);
  if (r.deleteBeforeReplace !== undefined) {
    opts.setDeletebeforereplacedefined(true);
    opts.setDeletebeforereplace(r.deleteBeforeReplace);
  }
  if (r.parent) opts.setParent(r.parent);
  return opts;
}

/** The explicit provider (`urn::id` reference), with its inputs, as the engine describes it. */
function providerOf(
  r: RunnerResource,
  byUrn: Map<string, RunnerResource>,
): analyzer.AnalyzerProviderResource | undefined {
  if (!r.provider) return undefined;
  const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
  const provider = byUrn.get(urn);
  if (!provider) return undefined;
  const message = new analyzer.AnalyzerProviderResource();
  message.setType(provider.type);
  message.setProperties(struct(provider.inputs));
  message.setUrn(urn);
  message.setName(provider.name);
  return message;
}

function analyzeRequest(r: RunnerResource, byUrn: Map<string, RunnerResource>): analyzer.AnalyzeRequest {
  const request = new analyzer.AnalyzeRequest();
  request.setType(r.type);
  request.setProperties(struct(r.inputs));
  request.setUrn(r.urn);
  request.setName(r.name);
  request.setOptions(resourceOptions(r));
  const provider = providerOf(r, byUrn);
  if (provider) request.setProvider(provider);
  return request;
}

function analyzeStackRequest(
  resources: readonly RunnerResource[],
  byUrn: Map<string, RunnerResource>,
): analyzer.AnalyzeStackRequest {
  const request = new analyzer.AnalyzeStackRequest();
  request.setResourcesList(
    resources.map((r) => {
      const resource = new analyzer.AnalyzerResource();
      resource.setType(r.type);
      resource.setProperties(struct(r.outputs ?? r.inputs));
      resource.setUrn(r.urn);
      resource.setName(r.name);
      resource.setOptions(resourceOptions(r));
      const provider = providerOf(r, byUrn);
      if (provider) resource.setProvider(provider);
      if (r.parent) resource.setParent(r.parent);
      resource.setDependenciesList(r.dependencies ?? []);
      for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
        const dependencies = new analyzer.AnalyzerPropertyDependencies();
        dependencies.setUrnsList(urns);
        resource.getPropertydependenciesMap().set(key, dependencies);
      }
      return resource;
    }),
  );
  return request;
}

// ---------------------------------------------------------------------------------------------
// The SDK's analyzer.

type Rpc<Request> = (
  call: { request: Request },
  callback: (error: Error | null | undefined, response?: analyzer.AnalyzeResponse) => void,
) => Promise<void>;

interface ServerModule {
  makeAnalyzeRpcFun(
    packName: string,
    version: string,
    level: EnforcementLevel,
    policies: readonly PackPolicy[],
  ): Rpc<analyzer.AnalyzeRequest>;
  makeAnalyzeStackRpcFun(
    packName: string,
    version: string,
    level: EnforcementLevel,
    policies: readonly PackPolicy[],
  ): Rpc<analyzer.AnalyzeStackRequest>;
}
interface ProtoutilModule {
  convertEnforcementLevel(level: analyzer.EnforcementLevel): EnforcementLevel;
}
// The published typings of both modules are empty (`export {}`); the functions are exported at runtime.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require("@pulumi/policy/server") as ServerModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protoutil = require("@pulumi/policy/protoutil") as ProtoutilModule;

function call<Request>(rpc: Rpc<Request>, request: Request): Promise<analyzer.AnalyzeResponse> {
  return new Promise((resolve, reject) => {
    void rpc({ request }, (error, response) => (error ? reject(error) : resolve(response!)));
  });
}

/** The Pulumi type token a resource class or a typed validation carries (`__pulumiType`). */
function pulumiTypeOf(value: unknown): string | undefined {
  const type = (value as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof type === "string" && type !== "" ? type : undefined;
}

/** A validation that gets `config` and `stackTags` in its arguments, keeping its type filter. */
function configured<F extends ResourceValidation | StackValidation>(
  validation: F,
  config: Record<string, unknown>,
  stackTags: ReadonlyMap<string, string>,
): F {
  const wrapped = (args: ResourceValidationArgs | StackValidationArgs, report: ReportViolation) =>
    (validation as (a: typeof args, r: ReportViolation) => unknown)(
      { ...args, stackTags, getConfig: <T extends object>() => ({ ...config }) as T },
      report,
    );
  const type = pulumiTypeOf(validation);
  return (type ? Object.assign(wrapped, { __pulumiType: type }) : wrapped) as unknown as F;
}

function isStackPolicy(policy: PackPolicy): policy is PackStackPolicy {
  return typeof (policy as Partial<PackStackPolicy>).validateStack === "function";
}

/** Each policy at its reconciled level, its validations given its properties and the stack tags. */
function asConfigured(
  policy: PackPolicy,
  config: ReconciledPolicyConfig,
  stackTags: ReadonlyMap<string, string>,
): PackPolicy {
  const level = { enforcementLevel: config.enforcementLevel };
  if (isStackPolicy(policy)) {
    return {
      ...policy,
      ...level,
      validateStack: configured(policy.validateStack, config.properties, stackTags),
    };
  }
  const validations = policy.validateResource;
  if (validations === undefined) return { ...policy, ...level };
  return {
    ...policy,
    ...level,
    validateResource: Array.isArray(validations)
      ? validations.map((v) => configured(v, config.properties, stackTags))
      : configured(validations, config.properties, stackTags),
  };
}

function toMap(tags: RunOptions["stackTags"]): ReadonlyMap<string, string> {
  if (tags === undefined) return new Map();
  if (tags instanceof Map) return tags as ReadonlyMap<string, string>;
  if (typeof (tags as ReadonlyMap<string, string>).get === "function")
    return tags as ReadonlyMap<string, string>;
  return new Map(Object.entries(tags as Record<string, string>));
}

/** The response's diagnostics and not-applicable reasons; resource ones belong to the analyzed resource. */
function collect(
  response: analyzer.AnalyzeResponse,
  policies: readonly PackPolicy[],
  into: { violations: Violation[]; notApplicable: NotApplicable[] },
  urn?: string,
): void {
  for (const d of response.getDiagnosticsList()) {
    const level = protoutil.convertEnforcementLevel(d.getEnforcementlevel());
    into.violations.push({
      policyName: d.getPolicyname(),
      level: level === "advisory" ? "advisory" : "mandatory",
      message: d.getMessage(),
      urn: d.getUrn() || urn,
      severity: policies.find((p) => p.name === d.getPolicyname())?.severity,
    });
  }
  for (const n of response.getNotApplicableList()) {
    into.notApplicable.push({ policyName: n.getPolicyName(), reason: n.getReason() || undefined, urn });
  }
}

/** The policies' violations for these resources (one stack), with the given pack config and tags. */
export async function runPolicies(
  policies: readonly PackPolicy[],
  resources: readonly RunnerResource[],
  opts: RunOptions = {},
): Promise<RunResult> {
  const config = reconcileConfig(policies, opts.config);
  const stackTags = toMap(opts.stackTags);
  const served = policies.map((p) => asConfigured(p, config[p.name], stackTags));
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const out = { violations: [] as Violation[], notApplicable: [] as NotApplicable[] };

  const analyze = server.makeAnalyzeRpcFun(PACK_NAME, PACK_VERSION, PACK_ENFORCEMENT_LEVEL, served);
  for (const resource of resources) {
    collect(await call(analyze, analyzeRequest(resource, byUrn)), policies, out, resource.urn);
  }
  if (!opts.resourcesOnly) {
    const analyzeStack = server.makeAnalyzeStackRpcFun(
      PACK_NAME,
      PACK_VERSION,
      PACK_ENFORCEMENT_LEVEL,
      served,
    );
    collect(await call(analyzeStack, analyzeStackRequest(resources, byUrn)), policies, out);
  }
  return { ...out, config };
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
