/**
 * docs/application.md, the contract an application meets, against the code it describes: the SSM
 * parameters the backend reads (integrations.ts `parameterKeys`), the IAM actions it gets
 * (`backendPolicyDocument`) and the settings the launch templates put in the instance metadata. The
 * doc is written by hand; these keep it from drifting.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { backendPolicyDocument, BackendPolicyValues, parameterKeys } from "../components/integrations";
import { fixtureStackRuns, isControlRun } from "../tools/runStacks";
import { ofType } from "./helpers";

const DOC = fs.readFileSync(path.join(__dirname, "..", "docs", "application.md"), "utf8");

/** The text after `<!-- <marker>` up to the next heading. */
function section(marker: string): string {
  const at = DOC.indexOf(`<!-- ${marker}`);
  expect(at, marker).to.be.greaterThan(-1);
  const rest = DOC.slice(at);
  const end = rest.search(/\n#{2,3} /);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The first column of the Markdown table in `text`, without its backticks. */
function firstColumn(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => /^\| `([^`]+)`/.exec(line)![1]);
}

const POLICY_VALUES: BackendPolicyValues = {
  partition: "aws",
  region: "us-east-1",
  accountId: "123456789012",
  topicArn: "arn:aws:sns:us-east-1:123456789012:topic",
  mail: {
    provider: "ses",
    identityArn: "arn:aws:ses:us-east-1:123456789012:identity/example.com",
    fromAddress: "a@example.com",
  },
  placeIndexArn: "arn:aws:geo:us-east-1:123456789012:place-index/p",
  mapArn: "arn:aws:geo:us-east-1:123456789012:map/m",
  clusterResourceId: "cluster-ABC",
  dbUser: "app",
  tableArn: "arn:aws:dynamodb:us-east-1:123456789012:table/t",
  kmsKeyArns: ["arn:aws:kms:us-east-1:123456789012:key/k"],
  ssmPrefix: "/multi-region-web/us-east-1",
};

describe("docs/application.md, the application's contract", () => {
  it("lists exactly the SSM parameters the stack writes for the backend", () => {
    const listed = firstColumn(section("ssm-parameters"));
    expect([...listed].sort()).to.deep.equal([...parameterKeys("external")].sort());
    const onlyExternal = parameterKeys("external").filter((k) => !parameterKeys("ses").includes(k));
    for (const key of onlyExternal) {
      const row = section("ssm-parameters")
        .split("\n")
        .find((line) => line.startsWith(`| \`${key}\``));
      expect(row, key).to.match(/external provider only/);
    }
  });

  it("names every IAM action of the backend's policy, with either mail provider, and no other", () => {
    const policies = [
      backendPolicyDocument(POLICY_VALUES),
      backendPolicyDocument({
        ...POLICY_VALUES,
        mail: {
          provider: "external",
          smtpSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:s",
        },
      }),
    ];
    const granted = [...new Set(policies.flatMap((p) => p.Statement.flatMap((s) => s.Action)))].sort();
    const named = [
      ...new Set([...section("backend-actions").matchAll(/`([a-z0-9-]+:[A-Za-z*]+)`/g)].map((m) => m[1])),
    ].sort();
    expect(named).to.deep.equal(granted);
  });

  it("lists the settings every launch template puts in the instance metadata, tier by tier", async () => {
    const rows = section("instance-settings")
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .map((line) => line.split("|").map((cell) => cell.trim()));
    const documented = (tier: string) =>
      rows.filter((r) => r[2] === tier || r[2] === "both").map((r) => r[1].replace(/`/g, ""));
    const regional = (await fixtureStackRuns()).filter((run) => !isControlRun(run));
    expect(regional.length).to.be.greaterThan(1);
    for (const run of regional) {
      for (const tier of ["frontend", "backend"]) {
        const lt = ofType(run, "aws:ec2/launchTemplate:LaunchTemplate").find((r) => r.name === `${tier}-lt`)!;
        expect((lt.inputs.metadataOptions as Record<string, unknown>).instanceMetadataTags).to.equal(
          "enabled",
        );
        const specs = lt.inputs.tagSpecifications as { resourceType: string; tags: Record<string, string> }[];
        const tags = specs.find((s) => s.resourceType === "instance")!.tags;
        for (const key of documented(tier)) expect(tags, `${run.stack} ${tier}`).to.have.property(key);
        const appKeys = Object.keys(tags).filter((k) => k.startsWith("App"));
        expect(appKeys.sort(), `${run.stack} ${tier}`).to.deep.equal(
          documented(tier)
            .filter((k) => k.startsWith("App"))
            .sort(),
        );
      }
    }
  });

  it("gives the health endpoints the paths and the budget the stack checks", () => {
    expect(DOC).to.include("| `/healthz`      | the tier's target group, every 15 s");
    expect(DOC).to.match(/`\/healthz\/deep` \| Route 53/);
    expect(DOC).to.include("within **2 s** of the connection");
  });
});
