/**
 * The names we build (config/names.ts), as AWS constrains them. The config check that they fit is in
 * configRules.test.ts ("names we build"); the components' use of them in dataTier, backups and
 * control tests.
 */
import { expect } from "chai";
import fc from "fast-check";
import {
  backupRoleName,
  backupVaultName,
  failoverPlanName,
  PLAN_NAME_MAX,
  rdsIdentifier,
  VAULT_NAME_MAX,
} from "../config/names";

describe("names we build (config/names.ts)", () => {
  it("rdsIdentifier: a letter first, then lower-case letters, digits and single hyphens, within its maximum", () => {
    // RDS identifiers: "First character must be a letter. Can't end with a hyphen or contain two
    // consecutive hyphens." (RDS API reference, CreateDBCluster, DBClusterIdentifier).
    expect(rdsIdentifier(["Multi_Region", "us-east-1", "aurora"])).to.equal("multi-region-us-east-1-aurora");
    expect(rdsIdentifier(["1st", "--x--"])).to.equal("db-1st-x");
    expect(rdsIdentifier(["a".repeat(70)])).to.equal("a".repeat(63));
    expect(rdsIdentifier(["ab", "c".repeat(70)], 3)).to.equal("ab");
    fc.assert(
      fc.property(
        fc.array(fc.string(), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 63 }),
        (parts, max) => {
          const id = rdsIdentifier(parts, max);
          expect(id).to.match(/^[a-z]([a-z0-9]|-(?!-))*$/);
          expect(id).to.not.match(/-$/);
          expect(id.length).to.be.within(1, max);
        },
      ),
    );
  });

  it("backupVaultName: the project and region, in AWS Backup's characters and length", () => {
    expect(backupVaultName("multi-region-web", "ca-central-1")).to.equal("multi-region-web-ca-central-1");
    expect(backupVaultName("my app", "us-east-1")).to.equal("my-app-us-east-1");
    expect(backupVaultName("x".repeat(60), "eu-west-1")).to.have.length(VAULT_NAME_MAX);
  });

  it("backupRoleName: the vault's name and -backup, in IAM's characters and 64", () => {
    expect(backupRoleName("multi-region-web", "us-east-1")).to.equal("multi-region-web-us-east-1-backup");
    expect(backupRoleName("my app+1", "us-east-1")).to.equal("my-app+1-us-east-1-backup");
    expect(backupRoleName("x".repeat(70), "us-east-1")).to.have.length(64);
  });

  it("failoverPlanName: the project and the standby region it activates", () => {
    expect(failoverPlanName("multi-region-web", "ca-central-1")).to.equal("multi-region-web-ca-central-1");
    expect(failoverPlanName("multi-region-web", "ca-central-1").length).to.be.at.most(PLAN_NAME_MAX);
    expect(PLAN_NAME_MAX).to.equal(32);
  });
});
