/**
 * From config values to a validated AppConfig, reporting every problem at once. `configFromEngine`
 * takes the values as the Pulumi engine hands them to a program (strings; YAML structures as JSON),
 * which is what both the program (`loadConfig`) and the plan's pre-flight give it; `buildConfig` takes
 * them typed. Defaults, allowed values and bounds come from the schema; the rules from rules.ts.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ConfigErrors, didYouMean, Problems } from "./errors";
import {
  validateBackup,
  validateDefaultTags,
  validateDatabase,
  validateDomainInZone,
  validateAlarms,
  validateAzCount,
  validateMail,
  validateMaps,
  validateRegion,
  validateStackWiring,
  validateSubnetMask,
  validateImage,
  validateTierSizing,
  validateUserData,
  validateVpcCidr,
  validateWriterRegion,
  checkScalar,
} from "./rules";
import { defaultOf, DefaultContext, ObjectSpec, ScalarSpec, SCHEMA, StackKeys } from "./schema";
import { AppConfig, DatabaseConfig, MailConfig, Role, ROLES, TierConfig } from "./types";
import { validateNames } from "./names";

/** A stack's config before defaults and checks: what the stack file sets (anything, until checked). */
export type RawConfig = {
  project: string;
  stack: string;
  organization: string;
  region?: unknown;
  /** `aws:defaultTags` as the engine passes it (JSON). */
  defaultTags?: string;
  smtpPassword?: pulumi.Output<string>;
} & { [K in Exclude<keyof StackKeys, "smtpPassword">]?: Loose<StackKeys[K]> };

/** Any value for a scalar; a mapping of any values for a structured key. */
type Loose<T> = T extends string | number | boolean | unknown[] ? unknown : { [F in keyof T]?: unknown };

/** Scaling target when none is set: 50 % CPU, or 1000 requests per target per minute. */
export const SCALING_TARGET_DEFAULTS: Record<TierConfig["scalingMetric"], number> = {
  cpu: 50,
  requestCount: 1000,
};

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Applies defaults and checks every key and rule; throws one ConfigErrors with every problem found.
 * A value that fails its check is replaced by its default so the checks after it still run.
 */
export function buildConfig(raw: RawConfig): AppConfig {
  const problems = new Problems();
  const role: Role =
    problems.check(() => {
      if (raw.role === undefined) {
        problems.add("role", raw.role, `is required: one of ${ROLES.join(", ")}`);
      } else {
        // Stryker disable next-line StringLiteral: the role only sets a number's minimum, and role is a string
        checkScalar("role", raw.role, SCHEMA.role, "active");
      }
      return raw.role as Role;
    }) ?? "active";
  const home = scalar(
    SCHEMA,
    raw as Record<string, unknown>,
    "home",
    { role, home: false },
    problems,
  ) as boolean;
  const ctx: DefaultContext = { role, home };

  const region =
    problems.check(() => {
      if (raw.region === undefined || raw.region === "")
        problems.add("aws:region", raw.region, "is required: the region of this stack");
      else validateRegion("aws:region", raw.region as string);
      return raw.region as string;
    }) ?? "";
  const values = raw as Record<string, unknown>;
  const get = <K extends keyof StackKeys>(key: K) =>
    scalar(SCHEMA, values, key, ctx, problems) as StackKeys[K];
  const primaryStack = get("primaryStack") || undefined;
  const standbyRegions = get("standbyRegions");
  // A wiring key that failed its own check holds its default, which would make up a second problem.
  if (!["home", "primaryStack", "standbyRegions"].some((key) => problems.has(key)))
    problems.check(() =>
      validateStackWiring({
        role,
        home,
        primaryStack,
        standbyRegions,
        region,
        selfName: `${raw.organization}/${raw.project}/${raw.stack}`,
      }),
    );

  const vpcCidr = get("vpcCidr");
  const azCount = get("azCount");
  const subnetCidrMask = get("subnetCidrMask");
  const cidrOk = problems.passes(() => validateVpcCidr(vpcCidr));
  const azOk = problems.passes(() => validateAzCount(azCount, region));
  if (cidrOk && azOk && !problems.has("subnetCidrMask"))
    problems.check(() => validateSubnetMask(vpcCidr, subnetCidrMask, azCount));

  const appPort = get("appPort");
  if (appPort === 80 || appPort === 443)
    problems.add("appPort", appPort, "must not be 80 or 443, which the public ALB listens on");
  const domain = get("domain") ?? "";
  const hostedZone = get("hostedZone") ?? "";
  if (domain && hostedZone) problems.check(() => validateDomainInZone(domain, hostedZone));

  const tier = (key: "frontend" | "backend"): TierConfig => {
    const { value, userSet } = object<TierConfig>(raw, key, ctx, problems);
    const metric = value.scalingMetric;
    const tierValue = { ...value, scalingTarget: value.scalingTarget ?? SCALING_TARGET_DEFAULTS[metric] };
    if (!userSet.has("desiredCapacity")) {
      // An unset desired capacity follows the sizes the user set instead of contradicting them.
      tierValue.desiredCapacity = Math.min(
        Math.max(tierValue.desiredCapacity, tierValue.minSize),
        tierValue.maxSize,
      );
    }
    if (!problems.has(key)) problems.check(() => validateTierSizing(key, tierValue, userSet));
    if (
      // Stryker disable next-line StringLiteral: an image that failed its own check is the default (none), which validateImage accepts
      !problems.has(`${key}.image`) &&
      !problems.has(`${key}.instanceType`)
    )
      problems.check(() => validateImage(`${key}.image`, tierValue.image, tierValue.instanceType));
    // Stryker disable next-line ConditionalExpression,StringLiteral: a userData that failed its own check is the default (placeholder), which validateUserData accepts
    if (!problems.has(`${key}.userData`))
      problems.check(() => validateUserData(`${key}.userData`, tierValue.userData));
    if (tierValue.userData === "none" && tierValue.image === undefined && !problems.has(`${key}.image`))
      problems.add(
        `${key}.userData`,
        "none",
        `needs ${key}.image, an image that starts the application by itself: the default image, Amazon Linux 2023, would run nothing on appPort and every instance would fail its health check`,
      );
    return tierValue;
  };
  const frontend = tier("frontend");
  const backend = tier("backend");

  const database = object<DatabaseConfig>(raw, "database", ctx, problems).value;
  if (!problems.has("database")) problems.check(() => validateDatabase(database, home));
  const writerInputs = [
    // Stryker disable next-line StringLiteral: a writerRegion that failed its own check is unset, which validateWriterRegion accepts
    "database.writerRegion",
    "home",
    "standbyRegions",
    "aws:region",
  ];
  if (!writerInputs.some((key) => problems.has(key)))
    problems.check(() =>
      validateWriterRegion({ home, region, standbyRegions, writerRegion: database.writerRegion }),
    );

  const mailFields = object<Omit<MailConfig, "smtpPassword">>(raw, "mail", ctx, problems).value;
  const mail: MailConfig = {
    ...mailFields,
    fromAddress: mailFields.fromAddress ?? `no-reply@${domain}`,
    smtpPassword: raw.smtpPassword,
  };
  if (!problems.has("mail") && domain) problems.check(() => validateMail(mail, domain));

  const maps = object<AppConfig["maps"]>(raw, "maps", ctx, problems).value;
  if (!problems.has("maps")) problems.check(() => validateMaps(maps, region));
  const alarms = object<AppConfig["alarms"]>(raw, "alarms", ctx, problems).value;
  if (!problems.has("alarms.emails")) problems.check(() => validateAlarms(alarms));
  const backup = object<AppConfig["backup"]>(raw, "backup", ctx, problems);
  if (!problems.has("backup")) problems.check(() => validateBackup(backup.value, backup.userSet));

  const defaultTags = problems.check(() => validateDefaultTags(raw.defaultTags)) ?? {};

  const config: AppConfig = {
    project: raw.project,
    stack: raw.stack,
    organization: raw.organization,
    region,
    defaultTags,
    role,
    home,
    primaryStack,
    standbyRegions,
    vpcCidr,
    subnetCidrMask,
    azCount,
    natGateways: get("natGateways"),
    homeProbeMinutes: get("homeProbeMinutes"),
    appPort,
    domain,
    hostedZone,
    healthCheckInterval: get("healthCheckInterval"),
    healthCheckFailureThreshold: get("healthCheckFailureThreshold"),
    albDeletionProtection: get("albDeletionProtection"),
    logRetentionDays: get("logRetentionDays"),
    accessLogExpirationDays: get("accessLogExpirationDays"),
    wafRateLimit: get("wafRateLimit"),
    protectData: get("protectData"),
    dataDeletionProtection: get("dataDeletionProtection"),
    frontend,
    backend,
    database,
    mail,
    maps,
    alarms,
    backup: backup.value,
  };
  if (problems.list.length === 0) problems.check(() => validateNames(config));
  problems.throwIfAny();
  return config;
}

/** Any project's schema: its keys' specs by name. */
export type AnySchema = Record<string, ScalarSpec<unknown> | ObjectSpec<unknown>>;

/** A top-level scalar key of `schema`: its checked value, or its default (also when the value fails its check). */
export function scalar(
  schema: AnySchema,
  values: Record<string, unknown>,
  key: string,
  ctx: DefaultContext,
  problems: Problems,
): unknown {
  const spec = schema[key] as ScalarSpec<unknown>;
  const value = values[key];
  const fallback = defaultOf(spec, ctx);
  if (value === undefined || (spec.required && value === "")) {
    if (spec.required) problems.add(key, value, `is required: ${spec.allowed ?? spec.doc}`);
    return fallback;
  }
  if (spec.scope !== undefined && (spec.scope === "home") !== ctx.home) {
    problems.add(
      key,
      value,
      `is set on ${spec.scope} stacks only (this stack is ${ctx.home ? "the home" : "a standby"})`,
    );
    return fallback;
  }
  return problems.passes(() => checkScalar(key, value, spec, ctx.role)) ? value : fallback;
}

/**
 * A structured key: its fields checked one by one against the schema, defaults filled in; `userSet`
 * names the fields the stack file sets, so a rule between fields blames one of those.
 */
function object<T>(
  raw: RawConfig,
  key: keyof StackKeys,
  ctx: DefaultContext,
  problems: Problems,
): { value: T; userSet: Set<string> } {
  const fields = (SCHEMA[key] as unknown as ObjectSpec<T>).fields;
  const names = Object.keys(fields);
  const given = (raw as Record<string, unknown>)[key];
  const value: Record<string, unknown> = {};
  const userSet = new Set<string>();
  if (given !== undefined && !isMapping(given)) {
    problems.add(key, given, `must be a mapping with the keys ${names.join(", ")}`);
  }
  const entries = isMapping(given) ? given : {};
  for (const [field, fieldValue] of Object.entries(entries)) {
    if (!names.includes(field)) {
      problems.add(`${key}.${field}`, fieldValue, `is not a key of ${key}${unknownKeyHint(field, names)}`);
    }
  }
  for (const [field, spec] of Object.entries(fields) as [string, ScalarSpec<unknown>][]) {
    const path = `${key}.${field}`;
    const fieldValue = entries[field];
    value[field] = defaultOf(spec, ctx);
    if (fieldValue === undefined || fieldValue === null) {
      if (spec.required) problems.add(path, fieldValue, `is required: ${spec.allowed ?? spec.doc}`);
      continue;
    }
    userSet.add(field);
    if (problems.passes(() => checkScalar(path, fieldValue, spec, ctx.role))) value[field] = fieldValue;
  }
  return { value: value as T, userSet };
}

/** How a value of the schema's type arrives from the engine (a string) and is read back. */
export function fromEngine(text: string, spec: ScalarSpec<unknown> | ObjectSpec<unknown>): unknown {
  switch (spec.type) {
    case "string":
      return text;
    case "integer":
    case "number":
      return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
    case "boolean":
      return text === "true" ? true : text === "false" ? false : text;
    default:
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
  }
}

export interface EngineConfig {
  project: string;
  stack: string;
  organization: string;
  /** Every config value as the engine passes it to the program: `namespace:key` → string. */
  values: Record<string, string>;
  /** The secret `smtpPassword` as the program wraps it (the pre-flight passes a placeholder). */
  smtpPassword?: pulumi.Output<string>;
}

/**
 * A project's keys from engine values, typed as the schema says (a value that does not parse stays a
 * string, for the check to name). Keys the schema does not know are problems: a misspelt key would
 * otherwise be ignored and its default used silently. Secret keys are left to the caller.
 */
export function readEngineValues(
  project: string,
  values: Record<string, string>,
  schema: AnySchema,
  problems: Problems,
): Record<string, unknown> {
  const known = Object.keys(schema);
  const raw: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(values)) {
    if (!fullKey.startsWith(`${project}:`)) continue;
    const key = fullKey.slice(project.length + 1);
    const spec = schema[key];
    if (spec === undefined) {
      const hint = misplacedFieldHint(key, schema) ?? unknownKeyHint(key, known);
      problems.add(key, text, `is not a key of this project${hint}`);
    } else if (!(spec as ScalarSpec<unknown>).secret) {
      raw[key] = fromEngine(text, spec);
    }
  }
  return raw;
}

/** Reads this project's keys from engine values and builds the config: every problem, or the config. */
export function configFromEngine(engine: EngineConfig): AppConfig {
  const problems = new Problems();
  const raw = readEngineValues(engine.project, engine.values, SCHEMA as AnySchema, problems);
  let config: AppConfig | undefined;
  try {
    config = buildConfig({
      ...raw,
      project: engine.project,
      stack: engine.stack,
      organization: engine.organization,
      region: engine.values["aws:region"],
      defaultTags: engine.values["aws:defaultTags"],
      smtpPassword: engine.smtpPassword,
    });
  } catch (e) {
    if (!(e instanceof ConfigErrors)) throw e;
    e.problems.forEach((p) => problems.add(p.key, p.value, p.allowed));
  }
  problems.throwIfAny();
  return config as AppConfig;
}

/** The object keys that have a field named `key`. */
export function fieldOwners(key: string, schema: AnySchema): string[] {
  return Object.entries(schema)
    .filter(([, spec]) => spec.type === "object" && key in spec.fields)
    .map(([owner]) => owner);
}

/**
 * For a key that is a field of an object key (`emails` of `alarms`): where it belongs. A field written
 * without its indentation in YAML becomes a key of its own, and "did you mean" would name the nearest
 * top-level key instead (`mail`), which is not the mistake.
 */
export function misplacedFieldHint(key: string, schema: AnySchema): string | undefined {
  const owners = fieldOwners(key, schema);
  if (owners.length === 0) return undefined;
  const [first] = owners;
  return owners.length === 1
    ? ` but a field of ${first}: indent it under ${first}`
    : ` but a field of ${owners.join(" and of ")}: indent it under the one it belongs to`;
}

/** "(did you mean x?)" when a known key is near, the list of known keys otherwise. */
export function unknownKeyHint(key: string, known: readonly string[]): string {
  return didYouMean(key, known) || `; known keys: ${known.join(", ")}`;
}
