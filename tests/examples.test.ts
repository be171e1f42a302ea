/**
 * The stack files at the repository's root are the user's: the examples as cloned, then the user's own domain, zone,
 * organization, e-mails, tags and regions. This spec alone reads them (tests/guard.ts fails the run on any other
 * reader), and checks only what must hold for any user: the Pulumi CLI would accept them, they pass the pre-flight,
 * and they plan with no mandatory policy violation. The same checks pass on a user's variant of the fixtures, so that
 * they stay true whatever a user writes; every other spec runs on the fixtures (tests/fixtures/README.md).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { formatFinding } from "../config/errors";
import { preflight } from "../config/preflight";
import { checkProject } from "../config/pulumiCli";
import { ROOT_DIR } from "../tools/mocks";
import { EXIT, plan } from "../tools/plan";
import { isUsersStackFile, readingTheUsersStackFiles, unexpectedReads } from "./guard";
import { USER_VALUES, userVariantRoot } from "./helpers";

interface Checked {
  cli: string[];
  preflight: string[];
  exitCode: number;
  stacks: string[];
  mandatory: string[];
  stderr: string[];
}

/** What must hold for any user's stack files under `root`. */
async function check(root: string): Promise<Checked> {
  const cli = [root, path.join(root, "control")].flatMap((dir) =>
    checkProject(dir, { root }).map(formatFinding),
  );
  const stderr: string[] = [];
  const result = await plan(
    { color: false, help: false },
    { out: () => undefined, err: (l) => stderr.push(l) },
    root,
  );
  return {
    cli,
    preflight: preflight(root).findings.map(formatFinding),
    exitCode: result.exitCode,
    stacks: result.stacks.map((s) => s.stack),
    mandatory: result.stacks.flatMap((s) =>
      s.policies.mandatory.map((v) => `${s.stack} ${v.policyName}: ${v.message}`),
    ),
    stderr,
  };
}

function expectValid(checked: () => Checked): void {
  it("the Pulumi CLI would accept both projects' files", () => {
    expect(checked().cli).to.deep.equal([]);
  });
  it("pass the pre-flight", () => {
    expect(checked().preflight).to.deep.equal([]);
  });
  it("plan with no mandatory policy violation (npm run plan exits 0)", () => {
    const { exitCode, mandatory, stderr, stacks } = checked();
    expect(mandatory).to.deep.equal([]);
    expect(exitCode, stderr.join("\n")).to.equal(EXIT.clean);
    expect(stacks.length).to.be.at.least(2);
  });
}

describe("the user's stack files", function () {
  this.timeout(120_000);

  describe("at the repository's root", () => {
    let checked: Checked;
    before(async () => {
      checked = await readingTheUsersStackFiles(() => check(ROOT_DIR));
    });
    expectValid(() => checked);
  });

  describe("a user's own: another domain, zone, organization, e-mails, tags and regions", () => {
    let checked: Checked;
    before(async () => {
      checked = await check(userVariantRoot());
    });
    expectValid(() => checked);
    it("are the user's regions, home first, then the control stack", () => {
      expect(checked.stacks).to.deep.equal([USER_VALUES.home, USER_VALUES.standby, "global"]);
    });
  });

  describe("are read by this spec alone", () => {
    const specs = fs.readdirSync(__dirname).filter((f) => f.endsWith(".ts"));

    it("tests/guard.ts records any other read of one, and the run fails on it", () => {
      const file = fs.readdirSync(ROOT_DIR).find((f) => isUsersStackFile(path.join(ROOT_DIR, f)))!;
      expect(isUsersStackFile(path.join(ROOT_DIR, "control", "Pulumi.global.yaml"))).to.equal(true);
      expect(isUsersStackFile(path.join(ROOT_DIR, "Pulumi.yaml"))).to.equal(false);
      expect(isUsersStackFile(path.join(ROOT_DIR, "tests", "fixtures", "stacks", file))).to.equal(false);
      const before = unexpectedReads.length;
      fs.readFileSync(path.join(ROOT_DIR, file), "utf8");
      const recorded = unexpectedReads.splice(before);
      expect(recorded).to.have.length(1);
      expect(recorded[0].file).to.equal(file);
      expect(recorded[0].from).to.match(/tests[\\/]examples\.test\.ts:\d+:\d+/);
    });

    it("no other spec lifts the guard", () => {
      const lifting = specs.filter(
        (f) =>
          !["examples.test.ts", "guard.ts"].includes(f) &&
          fs.readFileSync(path.join(__dirname, f), "utf8").includes("readingTheUsersStackFiles"),
      );
      expect(lifting).to.deep.equal([]);
    });

    it("no spec runs a tool that reads them in a child process, unless with an option it refuses first", () => {
      // A child process escapes the guard: npm run plan and npm run placeholders read the root's stack files.
      const runs = specs.flatMap((f) => {
        const text = fs.readFileSync(path.join(__dirname, f), "utf8");
        return [...text.matchAll(/\b(execFile|execFileSync|spawn|spawnSync|exec|execSync|fork)\(/g)]
          .map((m) => text.slice(m.index, m.index + 400))
          .filter((call) =>
            /plan\.ts|placeholders\.ts|npm run (plan|placeholders)|"(plan|placeholders)"/.test(call),
          )
          .filter((call) => !call.includes('"--bogus"'))
          .map((call) => `${f}: ${call.split("\n")[0]}`);
      });
      expect(runs).to.deep.equal([]);
    });
  });
});
