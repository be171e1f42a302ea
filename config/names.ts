/**
 * Names we give resources ourselves (no Pulumi auto-naming: they must be stable, or AWS needs the
 * prefix) are built from the project, stack and region names. Each must fit AWS's limit whole: a
 * truncated name could make two stacks' names collide. Checked with the config, before any resource.
 */
import { PLAN_NAME_MAX } from "../components/failoverPlan";
import { backupVaultName } from "../components/backups";
import { rdsIdentifier } from "../components/dataTier";
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
  if (vault !== backupVaultName(cfg.project, cfg.region) || vault.length > VAULT_NAME_MAX) {
    throw new ConfigError(
      "project name",
      cfg.project,
      `makes the backup vault name "${vault}", which AWS Backup does not accept (letters, digits, - and _; at most ${VAULT_NAME_MAX} characters)`,
    );
  }
  // The control stack names each plan `<project>-<standby region>` (control/index.ts).
  for (const region of cfg.standbyRegions) {
    const plan = `${cfg.project}-${region}`;
    if (plan.length > PLAN_NAME_MAX) {
      throw new ConfigError(
        "standbyRegions",
        region,
        `makes the failover plan name "${plan}" (${plan.length} characters); ARC allows ${PLAN_NAME_MAX}: use a shorter project name`,
      );
    }
  }
}
