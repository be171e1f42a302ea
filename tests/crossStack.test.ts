/** What the stacks must agree on: each check with a disagreeing pair, and the committed pair agreeing. */
import { expect } from "chai";
import { buildConfig, RawConfig } from "../config";
import { crossStackProblems, RegionalStack } from "../config/crossStack";
import { ControlConfig } from "../config/control";
import { HOME_CONFIG as HOME, STANDBY_CONFIG as STANDBY } from "./helpers";

const stack = (raw: RawConfig, sets: string[] = []): RegionalStack => ({
  file: `Pulumi.${raw.stack}.yaml`,
  cfg: buildConfig(raw),
  sets: (key) => sets.includes(key),
});
const home = (over: Partial<RawConfig> = {}) => stack({ ...HOME, vpcCidr: "10.10.0.0/16", ...over });
const standby = (over: Partial<RawConfig> = {}, sets: string[] = []) =>
  stack({ ...STANDBY, vpcCidr: "10.20.0.0/16", ...over }, sets);

const CONTROL: ControlConfig = {
  project: "multi-region-web-control",
  stack: "global",
  organization: "organization",
  homeStack: "organization/multi-region-web/us-east-1",
  automaticFailover: true,
  manualApproval: false,
  recoveryTimeObjectiveMinutes: 15,
  triggerCooldownMinutes: 60,
  reportRetentionDays: 365,
  alarmEmails: ["ops@example.com"],
  approvalPrincipals: ["arn:aws:iam::111122223333:role/failover-approver"],
  triggerWitnessRegions: ["us-west-2"],
  triggerMinutes: 5,
  protectData: true,
};

/** The problems as `file key: message`, for readable assertions. */
const check = (stacks: RegionalStack[], controls = [{ file: "control/Pulumi.global.yaml", cfg: CONTROL }]) =>
  crossStackProblems(stacks, controls).map((p) => `${p.file} ${p.key}: ${p.message}`);

describe("cross-stack checks", () => {
  it("find nothing wrong with a home and a standby that agree", () => {
    expect(check([home(), standby()])).to.deep.equal([]);
  });

  it("require exactly one home", () => {
    const twoHomes = check([
      home(),
      stack({
        ...HOME,
        stack: "eu-west-1",
        region: "eu-west-1",
        vpcCidr: "10.30.0.0/16",
        role: "passive",
        standbyRegions: ["ca-central-1"],
      }),
      standby(),
    ]);
    expect(twoHomes.filter((p) => / home: .*says home: true too/.test(p))).to.have.length(2);
    const noHome = check([
      standby(),
      standby({ stack: "eu-west-1", region: "eu-west-1", vpcCidr: "10.30.0.0/16" }),
    ]);
    expect(noHome.filter((p) => /no stack file sets home: true/.test(p))).to.have.length(2);
  });

  it("require the home's standby list and the standby stacks to match, both ways", () => {
    const unlisted = check([
      home({ standbyRegions: ["eu-west-1"] }),
      standby(),
      stack({ ...STANDBY, stack: "eu-west-1", region: "eu-west-1", vpcCidr: "10.30.0.0/16" }),
    ]);
    expect(unlisted).to.include.members([
      "Pulumi.us-east-1.yaml standbyRegions: does not list ca-central-1, the region of Pulumi.ca-central-1.yaml: the home replicates its secret and copies its backups only to the regions it lists, and the control stack makes a plan only for them",
    ]);
    const missing = check([home({ standbyRegions: ["ca-central-1", "eu-west-1"] }), standby()]);
    expect(missing).to.deep.equal([
      "Pulumi.us-east-1.yaml standbyRegions: lists eu-west-1, but no stack file is in that region (add Pulumi.eu-west-1.yaml, or remove it from the list)",
    ]);
  });

  it("require one domain and hosted zone for all, or the failover records are different names", () => {
    const problems = check([home(), standby({ domain: "www.example.com" })]);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(
      /^Pulumi.ca-central-1.yaml domain: differs from Pulumi.us-east-1.yaml's "app.example.com"/,
    );
    const zone = check([home({ domain: "app.example.org", hostedZone: "example.org" }), standby()]);
    expect(zone.map((p) => p.split(":")[0])).to.have.members([
      "Pulumi.ca-central-1.yaml domain",
      "Pulumi.ca-central-1.yaml hostedZone",
    ]);
  });

  it("reject overlapping VPC ranges, naming the other file's range", () => {
    expect(check([home(), standby({ vpcCidr: "10.10.128.0/17" })])).to.deep.equal([
      "Pulumi.ca-central-1.yaml vpcCidr: overlaps Pulumi.us-east-1.yaml's 10.10.0.0/16: give each region its own range, so that peering, Transit Gateway or VPN routes between them stay possible",
    ]);
    expect(check([home(), standby({ vpcCidr: "10.11.0.0/16" })])).to.deep.equal([]);
    // Both left at the default: the same range twice.
    expect(check([home({ vpcCidr: undefined }), standby({ vpcCidr: undefined })])).to.have.length(1);
  });

  it("reject two stacks in one region, and a stack not named after its region", () => {
    const twice = check([home(), standby({ region: "us-east-1", stack: "us-east-1-b" })]);
    expect(twice).to.include(
      "Pulumi.us-east-1-b.yaml aws:region: is also Pulumi.us-east-1.yaml's region: each stack protects a region of its own",
    );
    expect(
      twice.some((p) =>
        p.startsWith("Pulumi.us-east-1-b.yaml stack name: must be the stack's region (us-east-1)"),
      ),
    ).to.equal(true);
  });

  it("reject an engine version a standby sets apart from the home's, but not a default it does not set", () => {
    expect(
      check([home(), standby({ database: { engineVersion: "16.13" } }, ["database.engineVersion"])]),
    ).to.deep.equal([
      "Pulumi.ca-central-1.yaml database.engineVersion: differs from Pulumi.us-east-1.yaml's 17.9: a global database has one engine version, the home's (upgrade it there)",
    ]);
    expect(check([home({ database: { engineVersion: "16.13" } }), standby()])).to.deep.equal([]);
  });

  it("require one active region, and a standby that can carry the home's steady load", () => {
    expect(check([home({ role: "passive" }), standby()])[0]).to.match(/role: no stack is active/);
    expect(check([home(), standby({ role: "active" })])).to.deep.equal([
      "Pulumi.ca-central-1.yaml role: Pulumi.us-east-1.yaml is active too: one region carries the traffic in steady state; make the home passive first (docs/runbook.md, after-care)",
    ]);
    expect(
      check([home({ frontend: { desiredCapacity: 4 } }), standby({ frontend: { maxSize: 3 } })]),
    ).to.deep.equal([
      "Pulumi.ca-central-1.yaml frontend.maxSize: is below Pulumi.us-east-1.yaml's frontend.desiredCapacity (4): after a failover the standby could not carry even the home's steady load",
    ]);
  });

  it("require the standbys and the control stack to name the home, and the automatic target to be a standby", () => {
    const other = check([home(), standby({ primaryStack: "organization/multi-region-web/eu-west-1" })]);
    expect(other).to.deep.equal([
      "Pulumi.ca-central-1.yaml primaryStack: must name the home stack organization/multi-region-web/us-east-1 (Pulumi.us-east-1.yaml)",
    ]);
    const control = check(
      [home(), standby()],
      [
        {
          file: "control/Pulumi.global.yaml",
          cfg: {
            ...CONTROL,
            homeStack: "organization/multi-region-web/ca-central-1",
            automaticStandbyRegion: "eu-west-1",
          },
        },
      ],
    );
    expect(control).to.deep.equal([
      "control/Pulumi.global.yaml homeStack: must name the home stack organization/multi-region-web/us-east-1 (Pulumi.us-east-1.yaml)",
      "control/Pulumi.global.yaml automaticStandbyRegion: must be one of Pulumi.us-east-1.yaml's standbyRegions (ca-central-1)",
    ]);
  });
});

describe("cross-stack checks, exactly", () => {
  const third = (over: Partial<RawConfig> = {}) =>
    stack({ ...STANDBY, stack: "eu-west-1", region: "eu-west-1", vpcCidr: "10.30.0.0/16", ...over });

  it("find nothing in no stacks, and need no control stack", () => {
    expect(crossStackProblems([])).to.deep.equal([]);
    expect(crossStackProblems([home(), standby()])).to.deep.equal([]);
  });

  it("name the key, the value and each other file", () => {
    expect(crossStackProblems([standby({ role: "active" })])).to.deep.equal([
      {
        file: "Pulumi.ca-central-1.yaml",
        key: "home",
        value: false,
        message: "no stack file sets home: true: one stack must own the global data resources",
      },
    ]);
    const homeLike = (name: string, cidr: string) =>
      stack({ ...HOME, stack: name, region: name, vpcCidr: cidr, role: "passive" });
    const three = crossStackProblems([
      home(),
      homeLike("eu-west-1", "10.30.0.0/16"),
      homeLike("eu-west-2", "10.40.0.0/16"),
    ])
      .filter((p) => p.key === "home")
      .map((p) => [p.file, p.value, p.message.split(" home: true too")[0]]);
    expect(three).to.deep.equal([
      ["Pulumi.us-east-1.yaml", true, "Pulumi.eu-west-1.yaml, Pulumi.eu-west-2.yaml say"],
      ["Pulumi.eu-west-1.yaml", true, "Pulumi.us-east-1.yaml, Pulumi.eu-west-2.yaml say"],
      ["Pulumi.eu-west-2.yaml", true, "Pulumi.us-east-1.yaml, Pulumi.eu-west-1.yaml say"],
    ]);
    expect(
      check([home(), homeLike("eu-west-1", "10.30.0.0/16")]).filter((p) => p.includes(" home: ")),
    ).to.deep.equal([
      "Pulumi.us-east-1.yaml home: Pulumi.eu-west-1.yaml says home: true too: exactly one stack owns the global database and table (two would make two unreplicated databases)",
      "Pulumi.eu-west-1.yaml home: Pulumi.us-east-1.yaml says home: true too: exactly one stack owns the global database and table (two would make two unreplicated databases)",
    ]);
  });

  it("check the rest against no home when there are two", () => {
    const two = check([
      home(),
      stack({ ...HOME, stack: "eu-west-1", region: "eu-west-1", vpcCidr: "10.30.0.0/16", role: "passive" }),
      standby({ domain: "www.example.com" }),
    ]);
    expect(two.filter((p) => p.includes("domain"))).to.deep.equal([]);
  });

  it("report each active standby once when several are active, naming the others", () => {
    expect(check([home(), standby({ role: "active" }), third({ role: "active" })])).to.deep.equal([
      "Pulumi.ca-central-1.yaml role: Pulumi.us-east-1.yaml, Pulumi.eu-west-1.yaml is active too: one region carries the traffic in steady state; make the home passive first (docs/runbook.md, after-care)",
      "Pulumi.eu-west-1.yaml role: Pulumi.us-east-1.yaml, Pulumi.ca-central-1.yaml is active too: one region carries the traffic in steady state; make the home passive first (docs/runbook.md, after-care)",
      "Pulumi.us-east-1.yaml standbyRegions: does not list eu-west-1, the region of Pulumi.eu-west-1.yaml: the home replicates its secret and copies its backups only to the regions it lists, and the control stack makes a plan only for them",
    ]);
    const values = crossStackProblems([home(), standby({ role: "active" })]).map((p) => p.value);
    expect(values).to.deep.equal(["active"]);
    expect(check([home({ role: "passive" }), standby()])).to.deep.equal([
      "Pulumi.us-east-1.yaml role: no stack is active: one region carries the traffic in steady state",
      "Pulumi.ca-central-1.yaml role: no stack is active: one region carries the traffic in steady state",
    ]);
  });

  it("accept a standby that can grow exactly to the home's steady load, and the home's own engine version", () => {
    expect(
      check([home({ frontend: { desiredCapacity: 3 } }), standby({ frontend: { maxSize: 3 } })]),
    ).to.deep.equal([]);
    expect(
      check([home(), standby({ database: { engineVersion: "17.9" } }, ["database.engineVersion"])]),
    ).to.deep.equal([]);
  });

  it("refuse a trigger witness in the home or in the automatic standby, naming both", () => {
    const witnesses = (triggerWitnessRegions: string[] | undefined, automaticFailover = true) =>
      check(
        [home(), standby()],
        [
          {
            file: "control/Pulumi.global.yaml",
            cfg: { ...CONTROL, triggerWitnessRegions, automaticFailover },
          },
        ],
      );
    expect(witnesses(["us-east-1"])).to.deep.equal([
      "control/Pulumi.global.yaml triggerWitnessRegions: must not include the home region us-east-1: a probe in the home goes down with it (Pulumi.us-east-1.yaml is the home; ca-central-1 the automatic standby)",
    ]);
    expect(witnesses(["us-west-2", "ca-central-1"])).to.deep.equal([
      "control/Pulumi.global.yaml triggerWitnessRegions: must not include the automatic standby ca-central-1: its own probe is already the first witness; name a third region (Pulumi.us-east-1.yaml is the home; ca-central-1 the automatic standby)",
    ]);
    expect(witnesses(undefined)).to.deep.equal([]);
    expect(witnesses(["us-east-1"], false)).to.deep.equal([]);
  });

  it("list every standby region the automatic target may be", () => {
    const control = check(
      [home({ standbyRegions: ["ca-central-1", "eu-west-1"] }), standby(), third()],
      [{ file: "control/Pulumi.global.yaml", cfg: { ...CONTROL, automaticStandbyRegion: "eu-west-2" } }],
    );
    expect(control).to.deep.equal([
      "control/Pulumi.global.yaml automaticStandbyRegion: must be one of Pulumi.us-east-1.yaml's standbyRegions (ca-central-1, eu-west-1)",
    ]);
  });
});
