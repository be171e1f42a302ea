/**
 * Names we give resources ourselves (no Pulumi auto-naming: they must be stable, or AWS needs the
 * prefix) are built from the project, stack and region names. Each must fit AWS's limit whole: a
 * truncated name could make two stacks' names collide. The rules live here, below the components that
 * use them, so that the config check and the resource agree by construction; `validateNames` runs with
 * the config, before any resource.
 */
import { ConfigError } from "./errors";
import type { AppConfig } from "./types";

/**
 * The data tier's identifiers are `<project>-<stack>` plus a suffix of up to 23 characters
 * (`-aurora-final`, `-cluster`), and an RDS cluster or snapshot identifier holds at most 63
 * characters (RDS API reference, CreateDBCluster `DBClusterIdentifier`).
 */
export const RDS_BASE_MAX = 40;
/** AWS Backup vault names: 2 to 50 characters (Backup API reference, CreateBackupVault). */
export const VAULT_NAME_MAX = 50;
/** ARC Region switch plan names: "Minimum length of 1. Maximum length of 32." (ARC API reference, Plan). */
export const PLAN_NAME_MAX = 32;
/**
 * ARC Region switch plan names: "Pattern: [a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?" (ARC API
 * reference, CreatePlan `name`): letters, digits and hyphens, a letter or digit at both ends.
 */
export const PLAN_NAME_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/;

/**
 * An RDS-style identifier (global cluster, snapshot): lower-case letters, digits and single hyphens,
 * starting with a letter, at most `max` characters.
 */
export function rdsIdentifier(parts: string[], max = 63): string {
  // Stryker disable Regex: each replace leaves single hyphens, so a mutant that replaces one hyphen per
  // character (the first), collapses nothing (the second) or trims one hyphen (the third) gives the same id.
  let id = parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "");
  // Stryker restore Regex
  if (!/^[a-z]/.test(id)) id = `db-${id}`;
  // Stryker disable next-line Regex: runs are collapsed already: the cut leaves one trailing hyphen at most
  return id.slice(0, max).replace(/-+$/, "");
}

/** Name of the backup vault of `project` in `region`: the same function in every stack. */
export function backupVaultName(project: string, region: string): string {
  // Vault names: 2 to 50 letters, digits, hyphens and underscores.
  return `${project}-${region}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, VAULT_NAME_MAX);
}

/**
 * Name of the role AWS Backup assumes in `region`: fixed, like the vault's, so that a restore needs
 * nothing but the AWS CLI and the account id (docs/operations.md), not this program's state. IAM role
 * names: up to 64 characters, unique in the account, hence the region in it.
 */
export function backupRoleName(project: string, region: string): string {
  return `${project}-${region}-backup`.replace(/[^A-Za-z0-9+=,.@_-]/g, "-").slice(0, 64);
}

/** Name of the ARC Region switch plan that activates `standbyRegion` (the control stack builds one per standby). */
export function failoverPlanName(project: string, standbyRegion: string): string {
  return `${project}-${standbyRegion}`;
}

export function validateNames(cfg: AppConfig): void {
  const base = rdsIdentifier([cfg.project, cfg.stack], Infinity);
  if (base.length > RDS_BASE_MAX) {
    throw new ConfigError(
      "stack name",
      cfg.stack,
      `with the project "${cfg.project}" makes the database identifier base "${base}" (${base.length} characters); at most ${RDS_BASE_MAX} fit RDS's 63 with their suffixes: use a shorter stack or project name`,
    );
  }
  const vault = `${cfg.project}-${cfg.region}`;
  // Stryker disable next-line ConditionalExpression: backupVaultName cuts at VAULT_NAME_MAX, so a longer name already differs from it
  if (vault !== backupVaultName(cfg.project, cfg.region) || vault.length > VAULT_NAME_MAX) {
    throw new ConfigError(
      "project name",
      cfg.project,
      `makes the backup vault name "${vault}", which AWS Backup does not accept (letters, digits, - and _; at most ${VAULT_NAME_MAX} characters)`,
    );
  }
  for (const region of cfg.standbyRegions) {
    const plan = failoverPlanName(cfg.project, region);
    if (plan.length > PLAN_NAME_MAX) {
      throw new ConfigError(
        "standbyRegions",
        region,
        `makes the failover plan name "${plan}" (${plan.length} characters); ARC allows ${PLAN_NAME_MAX}: use a shorter project name`,
      );
    }
    if (!PLAN_NAME_PATTERN.test(plan)) {
      throw new ConfigError(
        "project name",
        cfg.project,
        `makes the failover plan name "${plan}", which ARC does not accept (letters, digits and hyphens, a letter or digit at both ends): rename the project`,
      );
    }
  }
}
