/**
 * The backup config keys (config/rules.ts): retention, the vault lock's options and the break-glass
 * principals, checked directly and through buildConfig. Pure: no program runs (the vaults, plans and
 * locks they configure: tests/backups.test.ts).
 */
import { expect } from "chai";
import {
  BackupConfig,
  buildConfig,
  ConfigError,
  DEFAULTS,
  validateBackup,
  validateBreakGlassPrincipals,
  validateVaultLock,
} from "../config";
import { HOME_CONFIG, problemLines } from "./helpers";

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

describe("backup config, exactly", () => {
  const problems = problemLines;
  const lock = (over: Partial<BackupConfig>, userSet: string[] = Object.keys(over)) =>
    problems(() => validateVaultLock(backup(over), new Set(userSet)));
  const GOVERNANCE_DAYS =
    "applies only with backup.vaultLockMode compliance (a governance lock has no lock date)";

  it("validateVaultLock: compliance mode needs the lock; a lock date needs compliance mode", () => {
    expect(lock({ vaultLock: false, vaultLockMode: "compliance" })).to.deep.equal([
      'backup.vaultLockMode = "compliance": needs backup.vaultLock true (a compliance lock is a lock)',
    ]);
    expect(lock({ vaultLock: false, vaultLockMode: "governance" })).to.deep.equal([]);
    expect(lock({ vaultLock: true, vaultLockMode: "compliance" })).to.deep.equal([]);
    expect(lock({ vaultLockChangeableForDays: 5 })).to.deep.equal([
      `backup.vaultLockChangeableForDays = 5: ${GOVERNANCE_DAYS}`,
    ]);
    expect(lock({ vaultLock: false, vaultLockChangeableForDays: 5 })).to.deep.equal([
      `backup.vaultLockChangeableForDays = 5: ${GOVERNANCE_DAYS}`,
    ]);
    expect(lock({ vaultLockMode: "compliance", vaultLockChangeableForDays: 5 })).to.deep.equal([]);
    // The default (3), whether the file says it or not, and a value the file does not set, are no choice.
    expect(lock({ vaultLockChangeableForDays: 3 })).to.deep.equal([]);
    expect(lock({ vaultLockChangeableForDays: 5 }, [])).to.deep.equal([]);
    expect(lock({ vaultLockChangeableForDays: 5 }, ["vaultLockMode"])).to.deep.equal([]);
  });

  it("validateBackup runs the lock's and the break-glass principals' checks", () => {
    expect(
      problems(() =>
        validateBackup(backup({ vaultLockChangeableForDays: 5 }), new Set(["vaultLockChangeableForDays"])),
      ),
    ).to.deep.equal([`backup.vaultLockChangeableForDays = 5: ${GOVERNANCE_DAYS}`]);
    expect(problems(() => validateBackup(backup({ breakGlassPrincipalArns: ["x"] })))).to.deep.equal([
      'backup.breakGlassPrincipalArns[0] = "x": must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/break-glass',
    ]);
  });

  it("validateBreakGlassPrincipals: IAM role or user ARNs of any partition and path, each once", () => {
    const NOT_AN_ARN = "must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/break-glass";
    const arns = (list: unknown[]) => problems(() => validateBreakGlassPrincipals(list as string[]));
    expect(arns([])).to.deep.equal([]);
    expect(
      arns([
        "arn:aws:iam::123456789012:role/break-glass",
        "arn:aws:iam::123456789012:user/ops",
        "arn:aws:iam::123456789012:role/admins/Break_Glass+1=a,b.c@d-e",
        "arn:aws-us-gov:iam::123456789012:role/break-glass",
        "arn:aws-cn:iam::123456789012:user/x",
      ]),
    ).to.deep.equal([]);
    for (const bad of [
      "arn:aws:iam::123456789012:root",
      "arn:aws:iam::123456789012:group/ops",
      "arn:aws:iam::12345678901:role/x",
      "arn:aws:iam::1234567890123:role/x",
      "arn:aws:iam::1:role/x",
      "arn:aws:iam::abcdefghijkl:role/x",
      "arn:aws:iam::123456789012:role/",
      "arn:aws:iam::123456789012:role/x y",
      "arn:aws:iam::123456789012:role/x!",
      "xarn:aws:iam::123456789012:role/x",
      "arn:aws_1:iam::123456789012:role/x",
      "arn:aws:sts::123456789012:assumed-role/x/y",
      "arn:aws:iam:us-east-1:123456789012:role/x",
    ]) {
      expect(arns(["arn:aws:iam::123456789012:role/ok", bad]), bad).to.deep.equal([
        `backup.breakGlassPrincipalArns[1] = ${JSON.stringify(bad)}: ${NOT_AN_ARN}`,
      ]);
    }
    // Only a string: not an array that would print as an ARN, nor a number.
    expect(arns([["arn:aws:iam::123456789012:role/x"]])).to.deep.equal([
      `backup.breakGlassPrincipalArns[0] = ["arn:aws:iam::123456789012:role/x"]: ${NOT_AN_ARN}`,
    ]);
    expect(arns([5])).to.deep.equal([`backup.breakGlassPrincipalArns[0] = 5: ${NOT_AN_ARN}`]);
    const role = "arn:aws:iam::123456789012:role/break-glass";
    const user = "arn:aws:iam::123456789012:user/break-glass";
    expect(arns([role, user, role])).to.deep.equal([
      `backup.breakGlassPrincipalArns[2] = ${JSON.stringify(role)}: repeats an earlier ARN`,
    ]);
  });
});
