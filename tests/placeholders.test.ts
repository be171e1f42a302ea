/** `npm run placeholders` (tools/placeholders.ts): every example value still in the stack files, and nothing else. */
import { expect } from "chai";
import { execFile } from "child_process";
import * as path from "path";
import { formatFinding } from "../config/errors";
import {
  findPlaceholders,
  isExampleAddress,
  isExampleName,
  placeholdersMain,
  PLACEHOLDERS,
  selfManagedBackend,
} from "../tools/placeholders";
import { fixtureRoot } from "../tools/runStacks";
import { editedRoot, fixtureLine, userVariantRoot } from "./helpers";

const HOME = "Pulumi.us-east-1.yaml";
const STANDBY = "Pulumi.ca-central-1.yaml";
const CONTROL = "control/Pulumi.global.yaml";
const CLOUD = {}; // no PULUMI_BACKEND_URL: Pulumi Cloud

function run(argv: string[], root: string, env: NodeJS.ProcessEnv = CLOUD) {
  const out: string[] = [];
  const err: string[] = [];
  const code = placeholdersMain(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, root, env);
  return { code, out, err };
}

describe("placeholders", function () {
  this.timeout(20_000);

  it("names reserved example names and addresses only (RFC 2606)", () => {
    for (const name of [
      "example.com",
      "app.example.com",
      "EXAMPLE.ORG.",
      "a.b.example.net",
      "shop.example",
    ]) {
      expect(isExampleName(name), name).to.equal(true);
    }
    for (const name of ["myexample.com", "example.co", "example.com.au", "examples.org", "acme.io", ""]) {
      expect(isExampleName(name), name).to.equal(false);
    }
    expect(isExampleAddress("ops@example.com")).to.equal(true);
    expect(isExampleAddress("ops@sub.example.org")).to.equal(true);
    expect(isExampleAddress("example.com@acme.io")).to.equal(false);
    expect(isExampleAddress("@example.com")).to.equal(false);
  });

  it("lists every example value of the fixture stack files, at the value, with what to put instead", () => {
    const found = findPlaceholders(fixtureRoot(), CLOUD).map(formatFinding);
    const at = (file: string, text: string, column: number) => `${file}:${fixtureLine(file, text)}:${column}`;
    expect(found).to.deep.equal([
      `${at(STANDBY, "primaryStack", 34)}: multi-region-web:primaryStack = "organization/multi-region-web/us-east-1": replace with ${PLACEHOLDERS[3].replaceWith}`,
      `${at(STANDBY, "domain:", 28)}: multi-region-web:domain = "app.example.com": replace with your app's DNS name, inside hostedZone`,
      `${at(STANDBY, "hostedZone:", 32)}: multi-region-web:hostedZone = "example.com": replace with your public Route 53 hosted zone (it must exist before the first deploy)`,
      `${at(STANDBY, "ops@", 9)}: multi-region-web:alarms.emails[0] = "ops@example.com": replace with an address your on-call team reads (AWS mails it a link to confirm)`,
      `${at(STANDBY, "Owner:", 14)}: aws:defaultTags.tags.Owner = "platform-team": replace with the team that owns this deployment`,
      `${at(STANDBY, "CostCentre:", 19)}: aws:defaultTags.tags.CostCentre = "0000": replace with your cost centre`,
      `${at(HOME, "domain:", 28)}: multi-region-web:domain = "app.example.com": replace with your app's DNS name, inside hostedZone`,
      `${at(HOME, "hostedZone:", 32)}: multi-region-web:hostedZone = "example.com": replace with your public Route 53 hosted zone (it must exist before the first deploy)`,
      `${at(HOME, "ops@", 9)}: multi-region-web:alarms.emails[0] = "ops@example.com": replace with an address your on-call team reads (AWS mails it a link to confirm)`,
      `${at(HOME, "Owner:", 14)}: aws:defaultTags.tags.Owner = "platform-team": replace with the team that owns this deployment`,
      `${at(HOME, "CostCentre:", 19)}: aws:defaultTags.tags.CostCentre = "0000": replace with your cost centre`,
      `${at(CONTROL, "homeStack", 39)}: multi-region-web-control:homeStack = "organization/multi-region-web/us-east-1": replace with ${PLACEHOLDERS[3].replaceWith}`,
      `${at(CONTROL, "ops@", 7)}: multi-region-web-control:alarmEmails[0] = "ops@example.com": replace with an address your on-call team reads (AWS mails it a link to confirm)`,
      `${at(CONTROL, "failover-approver", 7)}: multi-region-web-control:approvalPrincipals[0] = "arn:aws:iam::111122223333:role/failover-approver": replace with the ARN of a role or user of your account that may approve a failover (your on-call role)`,
      `${at(CONTROL, "Owner:", 14)}: aws:defaultTags.tags.Owner = "platform-team": replace with the team that owns this deployment`,
      `${at(CONTROL, "CostCentre:", 19)}: aws:defaultTags.tags.CostCentre = "0000": replace with your cost centre`,
    ]);
  });

  it("exits 2 with the list on stdout and a count on stderr; 0 once a user replaced them all", () => {
    const examples = run([], fixtureRoot());
    expect(examples.code).to.equal(2);
    expect(examples.out).to.have.length(16);
    expect(examples.err).to.deep.equal([
      "16 placeholder value(s) in the stack files: replace them before a real deploy (npm run plan still plans them offline).",
    ]);
    const user = run([], userVariantRoot());
    expect(user).to.deep.equal({ code: 0, out: ["No placeholder values left in the stack files."], err: [] });
  });

  it("keeps the organization on a self-managed backend (PULUMI_BACKEND_URL or Pulumi.yaml's backend.url)", () => {
    const organization = (env: NodeJS.ProcessEnv, root = fixtureRoot()) =>
      findPlaceholders(root, env).filter((f) => /primaryStack|homeStack/.test(f.key)).length;
    expect(organization(CLOUD)).to.equal(2);
    expect(organization({ PULUMI_BACKEND_URL: "s3://state-bucket?region=us-east-2" })).to.equal(0);
    expect(organization({ PULUMI_BACKEND_URL: "file://~" })).to.equal(0);
    expect(organization({ PULUMI_BACKEND_URL: "https://api.pulumi.com" })).to.equal(2);
    expect(selfManagedBackend("name: x\nbackend:\n  url: gs://bucket\n", {})).to.equal("gs://bucket");
    expect(selfManagedBackend("name: x\n", { PULUMI_BACKEND_URL: "azblob://c" })).to.equal("azblob://c");
    expect(selfManagedBackend("name: x\nbackend:\n  url: https://api.pulumi.com\n", {})).to.equal(undefined);
  });

  it("finds a key written without its namespace, and an example name in any other key", () => {
    const root = editedRoot([
      { file: HOME, from: "  multi-region-web:domain: app.example.com", to: "  domain: www.example.org" },
      {
        file: STANDBY,
        from: "  multi-region-web:alarms:",
        to: "  multi-region-web:mail:\n    fromAddress: no-reply@example.com\n  multi-region-web:alarms:",
      },
    ]);
    const found = findPlaceholders(root, CLOUD).map(formatFinding);
    expect(found).to.include(
      `${HOME}:${fixtureLine(HOME, "domain:")}:11: domain = "www.example.org": replace with your app's DNS name, inside hostedZone`,
    );
    expect(found.filter((f) => f.includes("mail.fromAddress"))).to.deep.equal([
      `${STANDBY}:12:18: multi-region-web:mail.fromAddress = "no-reply@example.com": replace with ${PLACEHOLDERS[7].replaceWith}`,
    ]);
  });

  it("ignores a secret, and an empty value", () => {
    const root = editedRoot([
      {
        file: STANDBY,
        from: "  multi-region-web:alarms:",
        to: "  multi-region-web:smtpPassword:\n    secure: AAABAexample.com\n  multi-region-web:maps:\n  multi-region-web:alarms:",
      },
    ]);
    expect(findPlaceholders(root, CLOUD).filter((f) => /smtpPassword|maps/.test(f.key))).to.deep.equal([]);
  });

  it("exits 2 on a bad option or a stack file that is not YAML, naming it; --help exits 0", () => {
    const bad = run(["--fix"], fixtureRoot());
    expect(bad.code).to.equal(2);
    expect(bad.err[0]).to.equal('error: unknown option "--fix"; allowed: --help');
    expect(bad.err[1]).to.match(/^Usage: npm run placeholders/);
    const help = run(["--help"], fixtureRoot());
    expect([help.code, help.out[0].split("\n")[0]]).to.deep.equal([
      0,
      "Usage: npm run placeholders [-- --help]",
    ]);
    const broken = run([], editedRoot([{ file: STANDBY, from: "azCount: 2", to: "azCount: [2" }]));
    expect(broken).to.deep.equal({
      code: 2,
      out: [],
      err: [`error: ${STANDBY}: not valid YAML (npm run plan names the problem)`],
    });
  });

  it("runs as npm run placeholders runs it: a bad option exits 2 with the usage, no stack trace", async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["-r", "sucrase/register/ts", path.join(__dirname, "..", "tools", "placeholders.ts"), "--bogus"],
        { cwd: path.join(__dirname, "..") },
        (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
      );
    });
    expect(result.code).to.equal(2);
    expect(result.stderr)
      .to.contain('unknown option "--bogus"')
      .and.to.contain("Usage: npm run placeholders");
    expect(result.stderr).to.not.match(/\n\s+at /);
  });
});
