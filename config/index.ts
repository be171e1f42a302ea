/**
 * Stack configuration: one declaration per key (schema.ts), read once at the start of the program,
 * defaults applied from the role, every problem reported together before any resource is registered.
 *
 *   types.ts   the validated shape (AppConfig)            schema.ts  every key: type, default, allowed values, docs
 *   rules.ts   what the schema cannot say (pure)          catalog.ts what AWS accepts (provider enums, awsCatalog.json)
 *   build.ts   values in, AppConfig or all problems out   names.ts   the names we build, and AWS's limits on them
 *   errors.ts  ConfigError(s), findings, did-you-mean     generate.ts Pulumi.yaml's schema and docs/configuration.md
 */
import * as pulumi from "@pulumi/pulumi";
import { configFromEngine } from "./build";
import { fieldDefaults, SCHEMA } from "./schema";
import { AlarmsConfig, AppConfig, BackupConfig, DatabaseConfig, MapsConfig, Role, TierConfig } from "./types";

export * from "./errors";
export * from "./types";
export * from "./rules";
export { buildConfig, configFromEngine, RawConfig, SCALING_TARGET_DEFAULTS } from "./build";
export * from "./names";
export {
  HEALTH_CHECK_INTERVALS,
  LOG_RETENTION_DAYS,
  SCHEMA,
  STANDBY_ONLY_KEYS,
  TOP_LEVEL_KEYS,
  USER_DATA_LIMIT_BYTES,
} from "./schema";

/** Reads this stack's config once. Call it at the start of the program. */
export function loadConfig(): AppConfig {
  const project = pulumi.getProject();
  // Read raw (not through Config.get, which warns on secrets) only to tell set from unset.
  const smtpPassword = pulumi.runtime.getConfig(`${project}:smtpPassword`);
  return configFromEngine({
    project,
    stack: pulumi.getStack(),
    organization: pulumi.getOrganization(),
    values: pulumi.runtime.allConfig(),
    // A top-level secret, so it is never stored in plain text in the stack file.
    smtpPassword: smtpPassword ? pulumi.secret(smtpPassword) : undefined,
  });
}

// Defaults by role, as the schema declares them: for components' and tests' callers that build a
// config piece without a stack file.
const byRole = <T>(fields: Parameters<typeof fieldDefaults<T>>[0]) =>
  Object.fromEntries(
    (["active", "passive"] as Role[]).map((role) => [
      role,
      fieldDefaults(fields, { role, home: role === "active" }),
    ]),
  ) as Record<Role, T>;

export const TIER_DEFAULTS: Record<Role, Omit<TierConfig, "scalingTarget">> = byRole(SCHEMA.frontend.fields);
export const DATABASE_DEFAULTS: Record<Role, DatabaseConfig> = byRole(SCHEMA.database.fields);
export const DEFAULTS = {
  maps: fieldDefaults(SCHEMA.maps.fields, { role: "active", home: true }) as MapsConfig,
  alarms: {
    emails: [],
    ...fieldDefaults(SCHEMA.alarms.fields, { role: "active", home: true }),
  } as AlarmsConfig,
  backup: fieldDefaults(SCHEMA.backup.fields, { role: "active", home: true }) as BackupConfig,
};
