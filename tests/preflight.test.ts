/**
 * The plan's pre-flight on edited copies of the fixture stack files: each kind of mistake a user
 * makes is reported with the file, the key as written, the line and what is allowed, all at once.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { formatFinding } from "../config/errors";
import { preflight } from "../config/preflight";
import { SCHEMA } from "../config/schema";
import { fixtureRoot } from "../tools/runStacks";
import { editedRoot, fixtureLine, fixtureText } from "./helpers";

/** The findings of the pre-flight on an edited copy, formatted as the plan prints them. */
const findings = (edits: Parameters<typeof editedRoot>[0]) =>
  preflight(editedRoot(edits)).findings.map(formatFinding);

const lineOf = fixtureLine;

const STANDBY = "Pulumi.ca-central-1.yaml";
const HOME = "Pulumi.us-east-1.yaml";
const CONTROL = "control/Pulumi.global.yaml";

describe("pre-flight", function () {
  this.timeout(20000);

  it("passes the fixture stack files and hands over their engine config, home first", () => {
    const result = preflight(fixtureRoot());
    expect(result.findings.map(formatFinding)).to.deep.equal([]);
    expect(result.regional.map((s) => s.stack)).to.deep.equal(["us-east-1", "ca-central-1"]);
    expect(result.control.map((s) => s.stack)).to.deep.equal(["global"]);
    expect(result.regional[1].config["multi-region-web:vpcCidr"]).to.equal("10.20.0.0/16");
  });

  it("catches what only a comparison of the stacks shows: overlapping ranges, another domain, two homes", () => {
    const line = lineOf(STANDBY, "vpcCidr");
    expect(findings([{ file: STANDBY, from: "10.20.0.0/16", to: "10.10.128.0/17" }])).to.deep.equal([
      `${STANDBY}:${line}:3: multi-region-web:vpcCidr = "10.10.128.0/17": overlaps ${HOME}'s 10.10.0.0/16: give each region its own range, so that peering, Transit Gateway or VPN routes between them stay possible`,
    ]);
    const domain = findings([
      { file: STANDBY, from: "domain: app.example.com", to: "domain: www.example.com" },
    ]);
    expect(domain).to.have.length(1);
    expect(domain[0]).to.match(
      /^Pulumi.ca-central-1.yaml:\d+:3: multi-region-web:domain = "www.example.com": differs from Pulumi.us-east-1.yaml's "app.example.com"/,
    );
    const twoHomes = findings([
      {
        file: STANDBY,
        from: "  multi-region-web:primaryStack: organization/multi-region-web/us-east-1\n",
        to: "  multi-region-web:home: true\n  multi-region-web:standbyRegions: [us-east-1]\n",
      },
    ]);
    expect(
      twoHomes.filter((f) => /multi-region-web:home = true: .* says home: true too/.test(f)),
    ).to.have.length(2);
  });

  it("reports a standby missing from the home's list as a config problem, and a listed region without a stack", () => {
    const missing = findings([{ file: HOME, from: "    - ca-central-1", to: "    - eu-west-1" }]);
    expect(missing).to.have.length(2);
    expect(missing[0]).to.match(
      /^Pulumi.us-east-1.yaml:\d+:3: multi-region-web:standbyRegions = \["eu-west-1"\]: does not list ca-central-1/,
    );
    expect(missing[1]).to.match(
      /multi-region-web:standbyRegions = "eu-west-1": lists eu-west-1, but no stack file is in that region/,
    );
  });

  it("checks values against what AWS accepts, suggesting the nearest valid one", () => {
    const result = findings([
      { file: HOME, from: "aws:region: us-east-1", to: "aws:region: us-east-7" },
      {
        file: STANDBY,
        from: "  multi-region-web:alarms:",
        to: '  multi-region-web:frontend:\n    instanceType: t3.smal\n  multi-region-web:database:\n    instanceClass: db.r6g.medium\n    engineVersion: "16.6"\n  multi-region-web:alarms:',
      },
    ]);
    expect(result).to.include(
      `${HOME}:${lineOf(HOME, "aws:region")}:3: aws:region = "us-east-7": must be an AWS region name such as us-east-1 (did you mean "us-east-1"?)`,
    );
    expect(
      result.some((f) =>
        /Pulumi.ca-central-1.yaml:\d+:5: multi-region-web:frontend.instanceType = "t3.smal": .*did you mean "t3.small"/.test(
          f,
        ),
      ),
    ).to.equal(true);
    expect(
      result.some((f) =>
        /multi-region-web:database.instanceClass = "db.r6g.medium": is not a DB instance class/.test(f),
      ),
    ).to.equal(true);
    expect(
      result.some((f) =>
        /multi-region-web:database.engineVersion = "16.6": is not an aurora-postgresql version AWS offers/.test(
          f,
        ),
      ),
    ).to.equal(true);
  });

  it("reports every problem of every stack file in one run, each with its file", () => {
    const result = findings([
      { file: HOME, from: "multi-region-web:azCount: 2", to: "multi-region-web:azcount: 2" },
      { file: STANDBY, from: "multi-region-web:role: passive", to: "multi-region-web:role: standby" },
      { file: STANDBY, from: "      - ops@example.com", to: "      - ops" },
    ]);
    expect(result).to.have.length(3);
    // The pre-flight reads the stack files in name order.
    expect(result[2]).to.match(
      /^Pulumi.us-east-1.yaml:\d+:3: multi-region-web:azcount = "2": is not a key of this project \(did you mean "azCount"\?\)/,
    );
    expect(result[0]).to.match(
      /^Pulumi.ca-central-1.yaml:\d+:3: multi-region-web:role = "standby": must be one of active, passive/,
    );
    expect(result[1]).to.match(
      /^Pulumi.ca-central-1.yaml:\d+:9: multi-region-web:alarms.emails\[0\] = "ops": must be an e-mail address/,
    );
  });

  it("reports a YAML syntax error with file, line and column, and still checks the other files", () => {
    const result = findings([
      { file: STANDBY, from: "  multi-region-web:azCount: 2", to: "  multi-region-web:azCount: [2" },
      { file: HOME, from: "multi-region-web:role: active", to: "multi-region-web:role: primary" },
    ]);
    expect(result.some((f) => /^Pulumi.ca-central-1.yaml:\d+:\d+: \(yaml\): invalid YAML/.test(f))).to.equal(
      true,
    );
    expect(
      result.some((f) => /^Pulumi.us-east-1.yaml:\d+:3: multi-region-web:role = "primary"/.test(f)),
    ).to.equal(true);
  });

  it("reports yes for a boolean once, as the CLI would refuse it, on the key the user set", () => {
    const result = findings([
      {
        file: STANDBY,
        from: "multi-region-web:role: passive",
        to: "multi-region-web:role: passive\n  multi-region-web:home: yes",
      },
    ]);
    expect(result).to.have.length(1);
    expect(result[0]).to.match(/^Pulumi.ca-central-1.yaml:\d+:3: multi-region-web:home = "yes": .*boolean/);
  });

  it("refuses default tags that contradict the stack's config, and a tag that is not a string", () => {
    const result = findings([
      { file: STANDBY, from: "      Role: passive", to: "      Role: active" },
      { file: HOME, from: '      Home: "true"', to: "      Home: true" },
    ]);
    expect(result).to.deep.equal([
      `${HOME}:${lineOf(HOME, "Home:")}:7: aws:defaultTags.tags.Home = true: must be a non-empty string (quote it in YAML)`,
    ]);
    expect(
      findings([{ file: STANDBY, from: "      Role: passive", to: "      Role: active" }]),
    ).to.deep.equal([
      `${STANDBY}:${lineOf(STANDBY, "Role:")}:7: aws:defaultTags.tags.Role = "active": must be "passive", as this stack's config says`,
    ]);
  });

  it("refuses a secret written in plain text, and what the Pulumi CLI itself would refuse", () => {
    const plain = findings([
      {
        file: STANDBY,
        from: "  multi-region-web:alarms:",
        to: "  multi-region-web:smtpPassword: hunter2\n  multi-region-web:alarms:",
      },
    ]);
    expect(
      plain.some((f) => /multi-region-web:smtpPassword: is a secret stored in plain text/.test(f)),
    ).to.equal(true);
    const required = findings([
      { file: STANDBY, from: "  multi-region-web:domain: app.example.com\n", to: "" },
    ]);
    expect(required.some((f) => /^Pulumi.ca-central-1.yaml.*domain/.test(f))).to.equal(true);
  });

  it("checks the control stack against the regional ones", () => {
    const result = findings([
      {
        file: "control/Pulumi.global.yaml",
        from: "homeStack: organization/multi-region-web/us-east-1",
        to: "homeStack: organization/multi-region-web/ca-central-1",
      },
    ]);
    expect(result).to.deep.equal([
      `control/Pulumi.global.yaml:${lineOf("control/Pulumi.global.yaml", "homeStack")}:3: multi-region-web-control:homeStack = "organization/multi-region-web/ca-central-1": must name the home stack organization/multi-region-web/us-east-1 (Pulumi.us-east-1.yaml)`,
    ]);
  });
});

describe("pre-flight on a wrong value of every key", function () {
  this.timeout(60000);
  // Each key of the schema, set to values of the wrong shape: each must be a finding on that key
  // (exit 2 in the plan), never an exception (exit 3) and never a clean pass (exit 0).
  const WRONG = ["{ a: 1 }", "[1, 2]", "-1", "not-a-value", "true"];
  const keys = Object.entries(SCHEMA).filter(([key]) => key !== "smtpPassword");
  it(`reports each of ${keys.length} keys × ${WRONG.length} wrong values on that key`, () => {
    for (const [key, spec] of keys) {
      for (const wrong of WRONG) {
        const doc = YAML.parseDocument(fixtureText(STANDBY));
        doc.setIn(["config", `multi-region-web:${key}`], YAML.parse(wrong));
        const root = editedRoot([{ file: STANDBY, to: doc.toString() }]);
        let result: ReturnType<typeof preflight> | undefined;
        expect(() => (result = preflight(root)), `${key}: ${wrong}`).to.not.throw();
        const accepted = spec.type === "boolean" && wrong === "true";
        const keyFindings = result!.findings.filter((f) => f.key.startsWith(`multi-region-web:${key}`));
        if (accepted) continue;
        expect(
          keyFindings.length,
          `${key}: ${wrong} → ${result!.findings.map(formatFinding).join("; ")}`,
        ).to.be.greaterThan(0);
        for (const f of keyFindings) expect(f.file, key).to.equal(STANDBY);
      }
    }
  });
});

describe("pre-flight messages on the edits users make", function () {
  this.timeout(20000);

  it("a mis-indented field is a field to indent, not an unknown key (no 'did you mean mail?'), said once", () => {
    const line = lineOf(STANDBY, "    emails:");
    for (const items of ["      - ops@example.com\n", "    - ops@example.com\n"]) {
      const result = findings([
        {
          file: STANDBY,
          from: "  multi-region-web:alarms:\n    emails:\n      - ops@example.com\n",
          to: `  multi-region-web:alarms:\n  emails:\n${items}`,
        },
      ]);
      expect(result).to.deep.equal([
        `${STANDBY}:${line}:3: emails = "[\\"ops@example.com\\"]": is not a key of this project but a field of alarms: indent it under alarms`,
      ]);
    }
    // A field two object keys have: both named.
    expect(
      findings([
        {
          file: STANDBY,
          from: "  multi-region-web:azCount: 2",
          to: "  multi-region-web:azCount: 2\n  instanceType: t4g.small",
        },
      ]),
    ).to.deep.equal([
      `${STANDBY}:${lineOf(STANDBY, "azCount") + 1}:3: instanceType = "t4g.small": is not a key of this project but a field of frontend and of backend: indent it under the one it belongs to`,
    ]);
    // A set owner keeps its own problems: the stray field is a second mistake.
    const both = findings([
      {
        file: STANDBY,
        from: "      - ops@example.com\n",
        to: "      - ops\n  emails:\n    - ops@example.com\n",
      },
    ]);
    expect(both).to.have.length(2);
    expect(both[1]).to.match(/multi-region-web:alarms.emails\[0\] = "ops": must be an e-mail address/);
  });

  it("a deleted required key is reported once, to be set in the stack file (never a default in the generated Pulumi.yaml)", () => {
    const domain = findings([
      { file: STANDBY, from: "  multi-region-web:domain: app.example.com\n", to: "" },
    ]);
    const declared =
      fs
        .readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")
        .split("\n")
        .indexOf("  domain:") + 1;
    expect(declared).to.be.greaterThan(0);
    expect(domain).to.deep.equal([
      `${STANDBY}:${lineOf(STANDBY, "config:")}:1: domain: Stack 'ca-central-1' is missing configuration value 'domain': ` +
        `Pulumi.yaml:${declared} declares it required, with no default: set it in this file (allowed: a lower-case DNS name inside hostedZone)`,
    ]);
    expect(domain[0]).to.not.match(/default there|give it a default/);
    const control = findings([
      {
        file: CONTROL,
        from: "  multi-region-web-control:homeStack: organization/multi-region-web/us-east-1\n",
        to: "",
      },
    ]);
    expect(control).to.have.length(1);
    expect(control[0]).to.match(
      /^control\/Pulumi.global.yaml:\d+:1: homeStack: Stack 'global' is missing configuration value 'homeStack': control\/Pulumi.yaml:\d+ declares it required, with no default: set it in this file \(allowed: <organization>\/<project>\/<stack>\)$/,
    );
  });

  it("an organization changed in one file and not another: both files named, neither told to change back", () => {
    const message = (org: string, other: string, otherOrg: string) =>
      `names the organization ${org}, but ${other} names ${otherOrg}: every stack of the app lives in one organization, ` +
      `so make them agree (your Pulumi Cloud organization, or "organization" on a self-managed backend)`;
    const standbyAt = `${STANDBY}:${lineOf(STANDBY, "primaryStack")}:3`;
    const controlAt = `${CONTROL}:${lineOf(CONTROL, "homeStack")}:3`;
    // The user set homeStack to their organization; the standby's primaryStack is the stale one.
    expect(findings([{ file: CONTROL, from: "organization/", to: "acme/" }])).to.deep.equal([
      `${standbyAt}: multi-region-web:primaryStack = "organization/multi-region-web/us-east-1": ${message("organization", `${CONTROL}'s homeStack`, "acme")}`,
      `${controlAt}: multi-region-web-control:homeStack = "acme/multi-region-web/us-east-1": ${message("acme", `${STANDBY}'s primaryStack`, "organization")}`,
    ]);
    // The other way round: the same two findings, the values swapped.
    const swapped = findings([{ file: STANDBY, from: "organization/", to: "acme/" }]);
    expect(swapped).to.have.length(2);
    expect(swapped[1]).to.contain(
      `homeStack = "organization/multi-region-web/us-east-1": names the organization organization`,
    );
    // Both changed: nothing to say.
    expect(
      findings([
        { file: CONTROL, from: "organization/", to: "acme/" },
        { file: STANDBY, from: "organization/", to: "acme/" },
      ]),
    ).to.deep.equal([]);
    // A homeStack that names another stack, in the right organization, is still that mistake.
    expect(
      findings([{ file: CONTROL, from: "multi-region-web/us-east-1", to: "multi-region-web/ca-central-1" }]),
    ).to.deep.equal([
      `${controlAt}: multi-region-web-control:homeStack = "organization/multi-region-web/ca-central-1": must name the home stack organization/multi-region-web/us-east-1 (${HOME})`,
    ]);
  });
});
