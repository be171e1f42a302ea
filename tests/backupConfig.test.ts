/**
 * The backup config keys (config/rules.ts): retention, the vault lock's options and the break-glass
 * principals, checked directly and through buildConfig. Pure: no program runs (the vaults, plans and
 * locks they configure: tests/backups.test.ts).
 */
import { expect } from "chai";
import { BackupConfig, buildConfig, ConfigError, DEFAULTS, validateBackup } from "../config";
import { HOME_CONFIG } from "./helpers";

function backup(overrides: Partial<BackupConfig> = {}): BackupConfig {
  return { ...DEFAULTS.backup, ...overrides };
}

describe("Backups config", () => {
  it("rejects lock settings that would be ignored, and break-glass entries that are not role or user ARNs", () => {
    const cfg = (b: Record<string, unknown>) => () => buildConfig({ ...HOME_CONFIG, backup: b as never });
    expect(cfg({ vaultLock: false, vaultLockMode: "compliance" })).to.throw(
      ConfigError,
      /backup\.vaultLockMode/,
    );
    expect(cfg({ vaultLockChangeableForDays: 5 })).to.throw(
      ConfigError,
      /backup\.vaultLockChangeableForDays.*only with backup\.vaultLockMode compliance/,
    );
    expect(cfg({ vaultLockMode: "compliance", vaultLockChangeableForDays: 2 })).to.throw(
      ConfigError,
      /backup\.vaultLockChangeableForDays/,
    );
    expect(cfg({ vaultLockMode: "legal-hold" })).to.throw(ConfigError, /backup\.vaultLockMode/);
    expect(cfg({ breakGlassPrincipalArns: ["arn:aws:iam::123456789012:root"] })).to.throw(
      ConfigError,
      /backup\.breakGlassPrincipalArns\[0\].*IAM role or user ARN/,
    );
    const role = "arn:aws:iam::123456789012:role/break-glass";
    expect(cfg({ breakGlassPrincipalArns: [role, role] })).to.throw(ConfigError, /\[1\].*repeats/);
    const ok = buildConfig({
      ...HOME_CONFIG,
      backup: { vaultLockMode: "compliance", vaultLockChangeableForDays: 3, breakGlassPrincipalArns: [role] },
    });
    expect(ok.backup).to.include({
      vaultLock: true,
      vaultLockMode: "compliance",
      vaultLockChangeableForDays: 3,
    });
    expect(buildConfig(HOME_CONFIG).backup).to.include({ vaultLock: true, vaultLockMode: "governance" });
  });
});

describe("backup config validation (config.ts)", () => {
  it("rejects non-positive retention naming the key", () => {
    for (const key of ["dailyRetentionDays", "weeklyRetentionDays", "copyRetentionDays"] as const) {
      for (const bad of [0, -7, 1.5]) {
        expect(() => validateBackup(backup({ [key]: bad })), `${key}=${bad}`)
          .to.throw(ConfigError)
          .with.property("key", `backup.${key}`);
      }
    }
  });

  it("rejects a local retention shorter than the cross-region copy's, with a clear message", () => {
    expect(() => validateBackup(backup({ dailyRetentionDays: 7, copyRetentionDays: 14 }))).to.throw(
      /backup\.dailyRetentionDays.*must be at least backup\.copyRetentionDays \(14\)/,
    );
    expect(() =>
      validateBackup(backup({ dailyRetentionDays: 30, weeklyRetentionDays: 20, copyRetentionDays: 30 })),
    ).to.throw(/backup\.weeklyRetentionDays/);
  });

  it("is applied by buildConfig before any resource exists", () => {
    const raw = HOME_CONFIG;
    expect(() => buildConfig({ ...raw, backup: { copyRetentionDays: 60 } })).to.throw(
      ConfigError,
      /copyRetentionDays/,
    );
    expect(() => buildConfig({ ...raw, alarms: { ...raw.alarms, dbCpuPercent: 0 } })).to.throw(
      ConfigError,
      /alarms.dbCpuPercent/,
    );
    expect(buildConfig(raw).backup).to.deep.equal(DEFAULTS.backup);
  });
});
