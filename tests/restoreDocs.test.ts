/**
 * The restore instructions of docs/operations.md, as far as offline allows: the names the commands
 * compute (vault, role) are the ones every regional stack creates and exports, and each command runs
 * in the region it names. What AWS does with them is for the DR drill.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { ROOT_DIR, StackRun } from "../tools/mocks";
import { fixtureStackRuns, isControlRun } from "../tools/runStacks";
import { ofType } from "./helpers";

/** The shell block under "## Restoring". */
function restoreBlock(): string {
  const text = fs.readFileSync(path.join(ROOT_DIR, "docs", "operations.md"), "utf8");
  const section = text.slice(text.indexOf("## Restoring"));
  const match = /```sh\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error("docs/operations.md: no sh block under ## Restoring");
  return match[1];
}

/** The block's variable assignments (NAME=value, no command substitution), in order. */
function assignments(block: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [, name, value] of block.matchAll(/(?:^|[;\s])([A-Z]+)=([^\s;$(][^\s;]*|\$[^\s;(][^\s;]*)/gm)) {
    vars[name] = value;
  }
  return vars;
}

/** Expands $NAME references with the given values (what the shell would do for these lines). */
function expand(value: string, vars: Record<string, string>): string {
  return value.replace(/\$([A-Z]+)/g, (_, name: string) => vars[name] ?? `$${name}`);
}

describe("docs/operations.md restore instructions", function () {
  this.timeout(60_000);
  let regional: StackRun[];
  const block = restoreBlock();
  const vars = assignments(block);

  before(async () => {
    regional = (await fixtureStackRuns()).filter((r) => !isControlRun(r));
  });

  it("use only the AWS CLI and the account id: no pulumi, every command in the region it names", () => {
    expect(block).not.to.match(/\bpulumi\b/);
    const commands = block.split("\n").filter((line) => /(^|\$\()aws /.test(line));
    expect(commands.map((c) => /aws \S+ \S+/.exec(c)![0])).to.deep.equal([
      "aws sts get-caller-identity",
      "aws backup list-recovery-points-by-backup-vault",
      "aws backup get-recovery-point-restore-metadata",
      "aws backup start-restore-job",
      "aws backup describe-restore-job",
    ]);
    for (const command of commands.filter((c) => c.startsWith("aws backup"))) {
      expect(command, command).to.contain("--region $R");
    }
  });

  it("name the project the stacks run in", () => {
    expect(vars.P).to.equal(regional[0].project);
  });

  for (const stack of ["us-east-1", "ca-central-1"]) {
    it(`compute the vault and the role that stack ${stack} creates and exports`, () => {
      const run = regional.find((r) => r.stack === stack)!;
      const here = { ...vars, R: run.region, ACCOUNT: "123456789012" };
      const vault = expand(vars.VAULT, here);
      const role = expand(vars.ROLE, here);
      expect(ofType(run, "aws:backup/vault:Vault").map((v) => v.inputs.name)).to.deep.equal([vault]);
      expect(run.outputs.backupVaultName).to.equal(vault);
      expect(run.outputs.backupVaultArn).to.equal(
        `arn:aws:backup:${run.region}:123456789012:backup-vault:${vault}`,
      );
      const backupRole = ofType(run, "aws:iam/role:Role").find((r) => r.parent?.endsWith("::backups"))!;
      expect(backupRole.outputs.arn).to.equal(role);
      expect(run.outputs.backupRoleArn).to.equal(role);
      // That role may restore: AWS Backup's managed restore policy is attached to it.
      const attachments = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
        (a) => a.inputs.role === backupRole.outputs.name,
      );
      expect(attachments.map((a) => a.inputs.policyArn)).to.include(
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
      );
    });
  }
});
