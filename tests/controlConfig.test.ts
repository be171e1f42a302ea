/**
 * The failover control stack's config (config/control.ts) and what it reads from the regional stacks
 * (control/regionalStacks.ts): pure, no mocks (the failover mutation run, stryker.failover.config.mjs,
 * runs this file). The control stack under mocks is tests/control.test.ts.
 */
import { expect } from "chai";
import { ConfigError } from "../config";
import { ConfigErrors } from "../config/errors";
import {
  automaticTarget,
  buildControlConfig,
  CONTROL_DEFAULTS,
  CONTROL_SCHEMA,
  controlConfigFromEngine,
  RawControlConfig,
  regionalProject,
  standbyStackName,
  triggerWitnesses,
  validateApprovalPrincipals,
  validateWitnessRegions,
} from "../config/control";
import {
  checkRegionalStacks,
  outputNames,
  parseRegionalOutputs,
  RegionalStack,
} from "../control/regionalStacks";

const APPROVER = "arn:aws:iam::111122223333:role/failover-approver";
const RAW: RawControlConfig = {
  project: "multi-region-web-control",
  stack: "global",
  organization: "organization",
  region: "us-east-1",
  values: {
    homeStack: "organization/multi-region-web/us-east-1",
    alarmEmails: ["ops@example.com"],
    approvalPrincipals: [APPROVER],
  },
};

function configError(fn: () => unknown, key: string): ConfigError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, `a ConfigError for ${key}`).to.be.instanceOf(ConfigError);
  expect((error as ConfigError).key).to.equal(key);
  expect((error as ConfigError).message).to.contain(`"${key}"`);
  return error as ConfigError;
}

const withValues = (values: Record<string, unknown>): RawControlConfig => ({
  ...RAW,
  values: { ...RAW.values, ...values },
});

/** Every problem buildControlConfig reports, as [key, message]. */
function problems(raw: RawControlConfig): [string, string][] {
  try {
    buildControlConfig(raw);
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigErrors);
    return (e as ConfigErrors).problems.map((p) => [p.key, p.message]);
  }
  return [];
}

describe("control stack config", () => {
  it("applies the defaults: automatic, no approval, RTO 15 min, 60 min between automatic runs, a witness in us-west-2 for 5 min", () => {
    const cfg = buildControlConfig(RAW);
    expect(cfg).to.include({
      homeStack: "organization/multi-region-web/us-east-1",
      automaticFailover: true,
      manualApproval: false,
      recoveryTimeObjectiveMinutes: 15,
      triggerCooldownMinutes: 60,
      triggerMinutes: 5,
      reportRetentionDays: 365,
      protectData: true,
    });
    // Worked out from the regions: the first of us-west-2, us-east-2, eu-west-1 that neither is.
    expect(cfg.triggerWitnessRegions).to.equal(undefined);
    expect(cfg.approvalPrincipals).to.deep.equal([APPROVER]);
    expect(cfg.automaticStandbyRegion).to.equal(undefined);
    expect(CONTROL_DEFAULTS.automaticFailover).to.equal(true);
    expect(CONTROL_DEFAULTS.approvalPrincipals).to.deep.equal([]);
  });

  it("requires someone to approve when an execution can wait for approval, and names why", () => {
    const error = configError(
      () => buildControlConfig(withValues({ approvalPrincipals: [] })),
      "approvalPrincipals",
    );
    expect(error.message).to.contain(
      "automaticFailover is on: an execution the trigger starts waits in its approve step",
    );
    const manual = configError(
      () =>
        buildControlConfig(
          withValues({ approvalPrincipals: undefined, automaticFailover: false, manualApproval: true }),
        ),
      "approvalPrincipals",
    );
    expect(manual.message).to.contain("manualApproval is on");
    const neither = buildControlConfig(
      withValues({ approvalPrincipals: undefined, automaticFailover: false }),
    );
    expect(neither.approvalPrincipals).to.deep.equal([]);
  });

  it("takes IAM role and user ARNs as approvers, never an account root or a wildcard, each once", () => {
    const ok = buildControlConfig(
      withValues({
        approvalPrincipals: [
          APPROVER,
          "arn:aws:iam::123456789012:user/alice",
          "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Oncall_0123456789abcdef",
          "arn:aws-us-gov:iam::123456789012:role/oncall",
        ],
      }),
    );
    expect(ok.approvalPrincipals).to.have.length(4);
    for (const bad of [
      "arn:aws:iam::123456789012:root",
      "*",
      "arn:aws:iam::123456789012:role/*",
      "oncall",
      "arn:aws:sts::123456789012:assumed-role/x/y",
    ]) {
      const error = configError(
        () => buildControlConfig(withValues({ approvalPrincipals: [APPROVER, bad] })),
        "approvalPrincipals[1]",
      );
      expect(error.message, bad).to.contain("must be an IAM role or user ARN");
    }
    configError(
      () => buildControlConfig(withValues({ approvalPrincipals: [APPROVER, APPROVER] })),
      "approvalPrincipals[1]",
    );
  });

  it("requires a witness region besides the standby when automatic, each a region and each once; none when manual", () => {
    const error = configError(
      () => buildControlConfig(withValues({ triggerWitnessRegions: [] })),
      "triggerWitnessRegions",
    );
    expect(error.message).to.contain(
      "a network fault between two regions would look like the home going down",
    );
    configError(
      () => buildControlConfig(withValues({ triggerWitnessRegions: ["us-west-9"] })),
      "triggerWitnessRegions[0]",
    );
    configError(
      () => buildControlConfig(withValues({ triggerWitnessRegions: ["us-west-2", "us-west-2"] })),
      "triggerWitnessRegions[1]",
    );
    const manual = buildControlConfig(withValues({ automaticFailover: false, triggerWitnessRegions: [] }));
    expect(manual.triggerWitnessRegions).to.deep.equal([]);
    for (const bad of [0, 61, 2.5])
      configError(() => buildControlConfig(withValues({ triggerMinutes: bad })), "triggerMinutes");
  });

  it("picks the witness when none is set: the first of us-west-2, us-east-2, eu-west-1 that is neither the home nor the standby", () => {
    const cfg = buildControlConfig(RAW);
    expect(triggerWitnesses(cfg, "us-east-1", "ca-central-1")).to.deep.equal(["ca-central-1", "us-west-2"]);
    expect(triggerWitnesses(cfg, "us-west-2", "ca-central-1")).to.deep.equal(["ca-central-1", "us-east-2"]);
    expect(triggerWitnesses(cfg, "us-west-2", "us-east-2")).to.deep.equal(["us-east-2", "eu-west-1"]);
    expect(triggerWitnesses(cfg, "us-east-2", "us-west-2")).to.deep.equal(["us-west-2", "eu-west-1"]);
  });

  it("lists the automatic standby, then the witnesses, and refuses a witness in the home or the standby", () => {
    const cfg = buildControlConfig(withValues({ triggerWitnessRegions: ["us-west-2", "eu-west-1"] }));
    expect(triggerWitnesses(cfg, "us-east-1", "ca-central-1")).to.deep.equal([
      "ca-central-1",
      "us-west-2",
      "eu-west-1",
    ]);
    const home = configError(
      () => triggerWitnesses(cfg, "eu-west-1", "ca-central-1"),
      "triggerWitnessRegions",
    );
    expect(home.message).to.contain("must not include the home region eu-west-1");
    const standby = configError(
      () => triggerWitnesses(cfg, "us-east-1", "us-west-2"),
      "triggerWitnessRegions",
    );
    expect(standby.message).to.contain("its own probe is already the first witness");
  });

  it("must run in us-east-1, where ARC serves plan changes and Route 53 its metrics", () => {
    const error = configError(() => buildControlConfig({ ...RAW, region: "ca-central-1" }), "aws:region");
    expect(error.message).to.contain("must be us-east-1");
    configError(() => buildControlConfig({ ...RAW, region: undefined }), "aws:region");
  });

  it("requires a fully qualified homeStack and at least one alarm e-mail", () => {
    configError(() => buildControlConfig(withValues({ homeStack: undefined })), "homeStack");
    configError(() => buildControlConfig(withValues({ homeStack: "us-east-1" })), "homeStack");
    configError(() => buildControlConfig(withValues({ alarmEmails: [] })), "alarmEmails");
    configError(() => buildControlConfig(withValues({ alarmEmails: ["not-an-address"] })), "alarmEmails[0]");
  });

  it("checks every number's bounds and every boolean's type", () => {
    for (const [key, bad] of [
      ["recoveryTimeObjectiveMinutes", 0],
      ["recoveryTimeObjectiveMinutes", 10081],
      ["triggerCooldownMinutes", 0],
      ["triggerCooldownMinutes", 1.5],
      ["reportRetentionDays", 0],
      ["reportRetentionDays", 3651],
      ["automaticFailover", "yes"],
      ["manualApproval", 1],
      ["protectData", "true"],
    ] as const) {
      configError(() => buildControlConfig(withValues({ [key]: bad })), key);
    }
    const edges = buildControlConfig(
      withValues({
        recoveryTimeObjectiveMinutes: 10080,
        triggerCooldownMinutes: 1,
        reportRetentionDays: 3650,
      }),
    );
    expect(edges.recoveryTimeObjectiveMinutes).to.equal(10080);
  });

  it("rejects a key it does not know, naming the known ones", () => {
    const error = configError(() => buildControlConfig(withValues({ automatic: true })), "automatic");
    for (const key of Object.keys(CONTROL_SCHEMA)) expect(error.message).to.contain(key);
  });

  it("names standby stacks after their region, in the home's organization and project", () => {
    expect(standbyStackName("my-org/multi-region-web/us-east-1", "eu-west-1")).to.equal(
      "my-org/multi-region-web/eu-west-1",
    );
  });

  it("reports one problem per key: a missing or malformed value is not checked again", () => {
    expect(problems(withValues({ homeStack: undefined }))).to.deep.equal([
      ["homeStack", 'Invalid config "homeStack" = undefined: is required: <organization>/<project>/<stack>'],
    ]);
    expect(problems(withValues({ alarmEmails: undefined })).map(([k]) => k)).to.deep.equal(["alarmEmails"]);
    expect(
      problems(
        withValues({
          alarmEmails: "ops@example.com",
          approvalPrincipals: APPROVER,
          triggerWitnessRegions: "us-west-2",
        }),
      ),
    ).to.deep.equal([
      ["alarmEmails", 'Invalid config "alarmEmails" = "ops@example.com": must be a list of strings'],
      [
        "approvalPrincipals",
        `Invalid config "approvalPrincipals" = "${APPROVER}": must be a list of strings`,
      ],
      [
        "triggerWitnessRegions",
        'Invalid config "triggerWitnessRegions" = "us-west-2": must be a list of strings',
      ],
    ]);
  });

  it("takes a fully qualified homeStack and nothing around it", () => {
    for (const bad of [
      "@org/multi-region-web/us-east-1",
      "org/multi-region-web/us-east-1/x",
      "org/us-east-1",
    ]) {
      expect(problems(withValues({ homeStack: bad })), bad).to.deep.equal([
        [
          "homeStack",
          `Invalid config "homeStack" = "${bad}": must be the home regional stack as <organization>/<project>/<stack>`,
        ],
      ]);
    }
  });

  it("checks the automatic standby's region name", () => {
    expect(problems(withValues({ automaticStandbyRegion: "canada" })).map(([k]) => k)).to.deep.equal([
      "automaticStandbyRegion",
    ]);
    expect(
      buildControlConfig(withValues({ automaticStandbyRegion: "eu-west-1" })).automaticStandbyRegion,
    ).to.equal("eu-west-1");
  });

  it("refuses an approver ARN with anything before or after it, and says which repeats", () => {
    for (const bad of [
      " arn:aws:iam::123456789012:role/oncall",
      "arn:aws:iam::123456789012:role/oncall*",
      "arn:aws:iam::123456789012:role/oncall ",
      ["arn:aws:iam::123456789012:role/oncall"],
    ]) {
      configError(
        () => validateApprovalPrincipals([bad], { manualApproval: true, automaticFailover: true }),
        "approvalPrincipals[0]",
      );
    }
    const repeated = configError(
      () =>
        validateApprovalPrincipals([APPROVER, APPROVER], { manualApproval: false, automaticFailover: false }),
      "approvalPrincipals[1]",
    );
    expect(repeated.message).to.contain("repeats an earlier principal");
    const notAList = configError(
      () => validateApprovalPrincipals(APPROVER, { manualApproval: false, automaticFailover: false }),
      "approvalPrincipals",
    );
    expect(notAList.message).to.contain("must be a list of IAM role or user ARNs");
  });

  it("takes witness regions as a list of region names, each once", () => {
    const notAList = configError(() => validateWitnessRegions("us-west-2", true), "triggerWitnessRegions");
    expect(notAList.message).to.contain("must be a list of AWS region names");
    const repeated = configError(
      () => validateWitnessRegions(["us-west-2", "us-west-2"], false),
      "triggerWitnessRegions[1]",
    );
    expect(repeated.message).to.contain("repeats an earlier region");
    expect(() => validateWitnessRegions([], false)).to.not.throw();
  });

  it("reads its engine values: this project's keys, JSON for lists and numbers, aws:region for the check", () => {
    const cfg = controlConfigFromEngine({
      project: "multi-region-web-control",
      stack: "global",
      organization: "org",
      values: {
        "aws:region": "us-east-1",
        "multi-region-web-control:homeStack": "org/multi-region-web/us-east-1",
        "multi-region-web-control:alarmEmails": '["ops@example.com"]',
        "multi-region-web-control:approvalPrincipals": JSON.stringify([APPROVER]),
        "multi-region-web-control:triggerMinutes": "7",
      },
    });
    expect(cfg).to.include({
      project: "multi-region-web-control",
      stack: "global",
      organization: "org",
      homeStack: "org/multi-region-web/us-east-1",
      triggerMinutes: 7,
    });
    expect(cfg.alarmEmails).to.deep.equal(["ops@example.com"]);
    let error: unknown;
    try {
      controlConfigFromEngine({
        project: "multi-region-web-control",
        stack: "global",
        organization: "org",
        values: {
          "aws:region": "ca-central-1",
          "multi-region-web-control:alarmEmails": '["ops@example.com"]',
        },
      });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigErrors).problems.map((p) => p.key)).to.deep.equal([
      "aws:region",
      "homeStack",
      "approvalPrincipals",
    ]);
  });

  it("finds the regional stacks' organization and project in the home stack's name", () => {
    expect(regionalProject("my-org/multi-region-web/us-east-1")).to.deep.equal({
      organization: "my-org",
      project: "multi-region-web",
    });
  });

  it("triggers the first standby by default, the configured one if it is a standby, none when manual", () => {
    const cfg = buildControlConfig(RAW);
    expect(automaticTarget(cfg, ["ca-central-1", "eu-west-1"])).to.equal("ca-central-1");
    const chosen = buildControlConfig(withValues({ automaticStandbyRegion: "eu-west-1" }));
    expect(automaticTarget(chosen, ["ca-central-1", "eu-west-1"])).to.equal("eu-west-1");
    const notListed = configError(
      () => automaticTarget(chosen, ["ca-central-1", "ap-south-1"]),
      "automaticStandbyRegion",
    );
    expect(notListed.message).to.contain(
      "must be one of the home stack's standby regions (ca-central-1, ap-south-1)",
    );
    expect(
      automaticTarget(buildControlConfig(withValues({ automaticFailover: false })), ["ca-central-1"]),
    ).to.equal(undefined);
  });
});

const HOME_OUT: Record<string, unknown> = {
  region: "us-east-1",
  home: true,
  domain: "app.example.com",
  hostedZoneId: "Z1",
  publicAlbDnsName: "alb.us-east-1.elb.amazonaws.com",
  publicAlbZoneId: "Z35SXDOTRQ7X7K",
  healthCheckId: "hc-home",
  healthRecordName: "home.app.example.com",
  asgArns: { frontend: "arn:f", backend: "arn:b" },
  clusterArn: "arn:aws:rds:us-east-1:1:cluster:c",
  dbInstanceClass: "db.r6g.large",
  dbInstanceArns: ["arn:aws:rds:us-east-1:1:db:c-0", "arn:aws:rds:us-east-1:1:db:c-1"],
  appHealthAlarmArn: "arn:aws:cloudwatch:us-east-1:1:alarm:a",
  opsTopicArn: "arn:aws:sns:us-east-1:1:ops",
  globalClusterIdentifier: "app-global",
  standbyRegions: ["ca-central-1"],
};
const STANDBY_OUT: Record<string, unknown> = {
  ...HOME_OUT,
  region: "ca-central-1",
  home: false,
  healthRecordName: "standby.app.example.com",
  homeProbeAlarmArn: "arn:aws:cloudwatch:ca-central-1:1:alarm:probe",
  opsTopicArn: "arn:aws:sns:ca-central-1:1:ops",
  globalClusterIdentifier: undefined,
  standbyRegions: undefined,
};

describe("what the control stack reads from the regional stacks", () => {
  it("reads every output it needs, by kind of stack", () => {
    expect(outputNames(true)).to.include.members([
      "globalClusterIdentifier",
      "standbyRegions",
      "asgArns",
      "healthCheckId",
    ]);
    expect(outputNames(false)).to.include("homeProbeAlarmArn").and.not.include("standbyRegions");
    const home = parseRegionalOutputs("org/p/us-east-1", HOME_OUT, true);
    expect(home).to.include({ region: "us-east-1", home: true, globalClusterIdentifier: "app-global" });
    expect(home.standbyRegions).to.deep.equal(["ca-central-1"]);
    const standby = parseRegionalOutputs("org/p/ca-central-1", STANDBY_OUT, false);
    expect(standby.homeProbeAlarmArn).to.equal("arn:aws:cloudwatch:ca-central-1:1:alarm:probe");
  });

  it("asks each kind of stack for exactly its outputs", () => {
    const common = [
      "region",
      "domain",
      "hostedZoneId",
      "publicAlbDnsName",
      "publicAlbZoneId",
      "healthCheckId",
      "healthRecordName",
      "clusterArn",
      "dbInstanceClass",
      "appHealthAlarmArn",
      "opsTopicArn",
      "home",
      "asgArns",
      "dbInstanceArns",
    ];
    expect(outputNames(true)).to.deep.equal([...common, "globalClusterIdentifier", "standbyRegions"]);
    expect(outputNames(false)).to.deep.equal([...common, "homeProbeAlarmArn"]);
  });

  it("returns the stack's outputs typed, the groups and instances as given", () => {
    const home = parseRegionalOutputs("org/p/us-east-1", HOME_OUT, true);
    expect(home).to.deep.equal({
      stack: "org/p/us-east-1",
      home: true,
      region: "us-east-1",
      domain: "app.example.com",
      hostedZoneId: "Z1",
      publicAlbDnsName: "alb.us-east-1.elb.amazonaws.com",
      publicAlbZoneId: "Z35SXDOTRQ7X7K",
      healthCheckId: "hc-home",
      healthRecordName: "home.app.example.com",
      clusterArn: "arn:aws:rds:us-east-1:1:cluster:c",
      dbInstanceClass: "db.r6g.large",
      appHealthAlarmArn: "arn:aws:cloudwatch:us-east-1:1:alarm:a",
      opsTopicArn: "arn:aws:sns:us-east-1:1:ops",
      asgArns: { frontend: "arn:f", backend: "arn:b" },
      dbInstanceArns: ["arn:aws:rds:us-east-1:1:db:c-0", "arn:aws:rds:us-east-1:1:db:c-1"],
      globalClusterIdentifier: "app-global",
      standbyRegions: ["ca-central-1"],
    });
  });

  it("refuses groups, instances and standby regions of the wrong shape, saying what they must be", () => {
    const fails =
      (over: Record<string, unknown>, home = true) =>
      () =>
        parseRegionalOutputs("s", { ...(home ? HOME_OUT : STANDBY_OUT), ...over }, home);
    for (const asgArns of [undefined, { backend: "arn:b" }, { frontend: "arn:f" }]) {
      expect(fails({ asgArns }), JSON.stringify(asgArns)).to.throw(
        /^Stack s: output 'asgArns' = .*: must be \{ frontend, backend \} Auto Scaling group ARNs$/,
      );
    }
    for (const dbInstanceArns of [["arn:a", ""], ["arn:a", 5], "arn:a"]) {
      expect(fails({ dbInstanceArns }), JSON.stringify(dbInstanceArns)).to.throw(/output 'dbInstanceArns'/);
    }
    expect(fails({ standbyRegions: ["ca-central-1", 5] })).to.throw(
      "Stack s: output 'standbyRegions' = [\"ca-central-1\",5]: must list the standby regions",
    );
    expect(fails({ home: true }, false)).to.throw(
      "Stack s: output 'home' = true: must be false: a standby stack",
    );
  });

  it("names the stack and the output that is missing or of the wrong shape", () => {
    expect(() => parseRegionalOutputs("org/p/us-east-1", { ...HOME_OUT, home: false }, true)).to.throw(
      /Stack org\/p\/us-east-1: output 'home' = false: must be true/,
    );
    expect(() => parseRegionalOutputs("org/p/us-east-1", { ...HOME_OUT, clusterArn: "" }, true)).to.throw(
      /output 'clusterArn' = "": must be a non-empty string/,
    );
    expect(() =>
      parseRegionalOutputs("org/p/us-east-1", { ...HOME_OUT, asgArns: { frontend: "x" } }, true),
    ).to.throw(/output 'asgArns'/);
    expect(() => parseRegionalOutputs("org/p/us-east-1", { ...HOME_OUT, standbyRegions: [] }, true)).to.throw(
      /output 'standbyRegions'/,
    );
    expect(() =>
      parseRegionalOutputs("org/p/ca-central-1", { ...STANDBY_OUT, homeProbeAlarmArn: undefined }, false),
    ).to.throw(/output 'homeProbeAlarmArn'/);
    expect(() => parseRegionalOutputs("org/p/us-east-1", { ...HOME_OUT, dbInstanceArns: [] }, true)).to.throw(
      /output 'dbInstanceArns' = \[\]: must list the ARNs/,
    );
  });

  it("requires one domain in one zone, and a standby outside the home region", () => {
    const home = parseRegionalOutputs("h", HOME_OUT, true);
    const standby = (over: Record<string, unknown>): RegionalStack =>
      parseRegionalOutputs("org/p/ca-central-1", { ...STANDBY_OUT, ...over }, false);
    expect(() => checkRegionalStacks(home, [standby({})])).to.not.throw();
    const domain = configError(
      () => checkRegionalStacks(home, [standby({ domain: "www.example.com" })]),
      "org/p/ca-central-1: domain",
    );
    expect(domain.message).to.contain(
      'must be the home\'s domain "app.example.com": the failover pair is one name',
    );
    const zone = configError(
      () => checkRegionalStacks(home, [standby({ hostedZoneId: "Z2" })]),
      "org/p/ca-central-1: hostedZone",
    );
    expect(zone.message).to.contain(
      "must be the home's hosted zone (Z1): the failover pair lives in one zone",
    );
    configError(
      () => checkRegionalStacks(home, [standby({ region: "us-east-1" })]),
      "org/p/ca-central-1: aws:region",
    );
  });

  it("requires each standby stack in the region the home lists for it, in the home's order", () => {
    const home = parseRegionalOutputs(
      "h",
      { ...HOME_OUT, standbyRegions: ["ca-central-1", "eu-west-1"] },
      true,
    );
    const standby = (stack: string, region: string) =>
      parseRegionalOutputs(`org/p/${stack}`, { ...STANDBY_OUT, region }, false);
    expect(() =>
      checkRegionalStacks(home, [standby("ca-central-1", "ca-central-1"), standby("eu-west-1", "eu-west-1")]),
    ).to.not.throw();
    // The stack named after eu-west-1 is deployed in us-west-2: its plan would act on the wrong region.
    const error = configError(
      () =>
        checkRegionalStacks(home, [
          standby("ca-central-1", "ca-central-1"),
          standby("eu-west-1", "us-west-2"),
        ]),
      "org/p/eu-west-1: aws:region",
    );
    expect(error.message).to.contain(
      '"us-west-2": must be eu-west-1: regional stacks are named after their region',
    );
    configError(
      () =>
        checkRegionalStacks(home, [
          standby("eu-west-1", "eu-west-1"),
          standby("ca-central-1", "ca-central-1"),
        ]),
      "org/p/eu-west-1: aws:region",
    );
    const unlisted = configError(
      () =>
        checkRegionalStacks(home, [
          standby("ca-central-1", "ca-central-1"),
          standby("eu-west-1", "eu-west-1"),
          standby("x", "ap-south-1"),
        ]),
      "org/p/x: aws:region",
    );
    expect(unlisted.message).to.contain("must be a region the home stack lists in standbyRegions");
  });

  it("refuses a standby stack in the home region even when the home lists its own region", () => {
    const home = parseRegionalOutputs("h", { ...HOME_OUT, standbyRegions: ["us-east-1"] }, true);
    const error = configError(
      () =>
        checkRegionalStacks(home, [
          parseRegionalOutputs("org/p/us-east-1b", { ...STANDBY_OUT, region: "us-east-1" }, false),
        ]),
      "org/p/us-east-1b: aws:region",
    );
    expect(error.message).to.contain("must not be the home region us-east-1");
    // A home that lists no standby (not one that reads its outputs) names none to compare with.
    const bare = { ...parseRegionalOutputs("h", HOME_OUT, true), standbyRegions: undefined };
    const none = configError(
      () => checkRegionalStacks(bare, [parseRegionalOutputs("org/p/ca-central-1", STANDBY_OUT, false)]),
      "org/p/ca-central-1: aws:region",
    );
    expect(none.message).to.contain("must be a region the home stack lists in standbyRegions");
  });
});
