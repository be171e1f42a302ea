/**
 * The ARC health-check lookup (components/arcHealthChecks.ts), pure: what ListRoute53HealthChecks'
 * answers become (a null or empty list, entries without an id, other records), what the records carry
 * in Route 53, and which check a record carries after an `up` (attached the first time only in a
 * settled state, never detached). And the mocks, which answer as ARC and Route 53 do.
 */
import { expect } from "chai";
import {
  ArcCheckDetachError,
  ArcHealthChecks,
  arcCheckToAttach,
  arcChecksByRegion,
  attachedChecks,
  recordKey,
  recordNameRegex,
  sameDnsName,
} from "../components/arcHealthChecks";
import { fabricateCall, fabricateState, MockAccount, runProgram } from "../tools/mocks";

const ZONE = "Z1";
const PLAN = "arn:aws:arc-region-switch::123456789012:plan/app-ca-central-1:abc123";
const listed = (region: string, over: Record<string, unknown> = {}) => ({
  healthCheckId: `hc-${region}`,
  hostedZoneId: ZONE,
  recordName: "app.example.com",
  region,
  status: region === "us-east-1" ? "healthy" : "unhealthy",
  ...over,
});

describe("ARC's health checks, as ListRoute53HealthChecks lists them", () => {
  it("finds none in a null list, an empty one, or entries without an id", () => {
    expect(arcChecksByRegion(null, "app.example.com", ZONE)).to.deep.equal({});
    expect(arcChecksByRegion(undefined, "app.example.com", ZONE)).to.deep.equal({});
    expect(arcChecksByRegion([], "app.example.com", ZONE)).to.deep.equal({});
    expect(
      arcChecksByRegion(
        [listed("us-east-1", { healthCheckId: null }), listed("ca-central-1", { healthCheckId: "" })],
        "app.example.com",
        ZONE,
      ),
    ).to.deep.equal({});
  });

  it("keeps the app domain's checks in its zone, by region, whatever the name's case or trailing dot", () => {
    expect(
      arcChecksByRegion(
        [
          listed("us-east-1", { recordName: "App.Example.com." }),
          listed("ca-central-1"),
          listed("eu-west-1", { recordName: "other.example.com" }),
          listed("ap-south-1", { hostedZoneId: "Z2" }),
        ],
        "app.example.com",
        ZONE,
      ),
    ).to.deep.equal({
      "us-east-1": { id: "hc-us-east-1", status: "healthy" },
      "ca-central-1": { id: "hc-ca-central-1", status: "unhealthy" },
    });
  });

  it("counts a status the API does not define as unknown", () => {
    expect(
      arcChecksByRegion([listed("us-east-1", { status: "HEALTHY" })], "app.example.com", ZONE),
    ).to.deep.equal({
      "us-east-1": { id: "hc-us-east-1", status: "unknown" },
    });
    expect(sameDnsName("a.example.com.", "A.EXAMPLE.COM")).to.equal(true);
    expect(sameDnsName("A.EXAMPLE.COM", "a.example.com.")).to.equal(true);
    expect(sameDnsName("a.example.com", "b.example.com")).to.equal(false);
  });

  it("keeps a check listed without a zone, and takes healthy, unhealthy and a missing status as they are", () => {
    expect(
      arcChecksByRegion(
        [
          listed("us-east-1", { hostedZoneId: null }),
          listed("ca-central-1", { status: null }),
          listed("eu-west-1", { region: null }),
          listed("ap-south-1", { recordName: null }),
        ],
        "app.example.com",
        ZONE,
      ),
    ).to.deep.equal({
      "us-east-1": { id: "hc-us-east-1", status: "healthy" },
      "ca-central-1": { id: "hc-ca-central-1", status: "unknown" },
    });
  });
});

describe("the checks the records carry in Route 53 (ListResourceRecordSets)", () => {
  it("keys them by name and set identifier, and leaves out records without one, or no list at all", () => {
    expect(attachedChecks(null)).to.deep.equal({});
    expect(
      attachedChecks([
        { name: "app.example.com.", setIdentifier: "us-east-1", healthCheckId: "hc-1" },
        { name: "app.example.com.", setIdentifier: "standby", healthCheckId: null },
        { name: "serve.app.example.com.", setIdentifier: "us-east-1" },
      ]),
    ).to.deep.equal({ [recordKey("app.example.com", "us-east-1")]: "hc-1" });
    expect(recordKey("App.Example.com.", "standby")).to.equal("app.example.com standby");
  });

  it("needs a name and a set identifier: a simple record with a health check is not one of the pairs", () => {
    expect(
      attachedChecks([
        { name: "app.example.com.", healthCheckId: "hc-simple" },
        { setIdentifier: "standby", healthCheckId: "hc-nameless" },
        { name: "app.example.com.", setIdentifier: "standby", healthCheckId: "hc-2" },
        { name: "pin-eu-west-1.app.example.com.", setIdentifier: "standby", healthCheckId: "hc-3" },
      ]),
    ).to.deep.equal({
      "app.example.com standby": "hc-2",
      "pin-eu-west-1.app.example.com standby": "hc-3",
    });
  });

  it("asks Route 53 for exactly the pairs' names, with or without the trailing dot, nothing that merely looks like them", () => {
    const pattern = recordNameRegex(["App.Example.com", "pin-eu-west-1.app.example.com."]);
    expect(pattern).to.equal("^(app\\.example\\.com\\.?|pin-eu-west-1\\.app\\.example\\.com\\.?)$");
    // The data source's nameRegex is RE2; this pattern uses nothing RE2 and JavaScript read differently.
    const re = new RegExp(pattern);
    for (const name of ["app.example.com.", "app.example.com", "pin-eu-west-1.app.example.com."]) {
      expect(re.test(name), name).to.equal(true);
    }
    for (const name of [
      "appxexample.com.",
      "serve.app.example.com.",
      "app.example.com.evil.",
      "pin-eu-west-1xapp.example.com",
    ]) {
      expect(re.test(name), name).to.equal(false);
    }
    expect(new RegExp(recordNameRegex(["a+b.example.com"])).test("a+b.example.com.")).to.equal(true);
    expect(new RegExp(recordNameRegex(["a+b.example.com"])).test("aab.example.com.")).to.equal(false);
  });
});

describe("which ARC check a record carries after an `up`", () => {
  const home = { name: "app.example.com", setIdentifier: "us-east-1", side: "home" as const };
  const standby = { name: "app.example.com", setIdentifier: "standby", side: "standby" as const };
  const checks = (homeStatus: string, standbyStatus: string): ArcHealthChecks => ({
    "us-east-1": { id: "hc-home", status: homeStatus as "healthy" },
    "ca-central-1": { id: "hc-standby", status: standbyStatus as "healthy" },
  });
  const decide = (record: typeof home | typeof standby, c: ArcHealthChecks, attached?: string) =>
    arcCheckToAttach({
      record,
      planArn: PLAN,
      region: record.side === "home" ? "us-east-1" : "ca-central-1",
      homeRegion: "us-east-1",
      attached,
      checks: c,
    });

  const LIST =
    "`aws arc-region-switch list-route53-health-checks --region us-east-1 --arn <the plan's ARN: this stack's output plans>`";

  it("attaches nothing while ARC lists nothing, and says to run `pulumi up` again", () => {
    expect(decide(home, {})).to.deep.equal({
      note: {
        level: "info",
        text:
          "app.example.com (PRIMARY, set us-east-1) carries no ARC health check yet: plan app-ca-central-1 lists none " +
          `for us-east-1 (ARC creates them after the plan). Run \`pulumi up\` again once ${LIST} lists it.`,
      },
    });
    // A plan whose ARN has no name in it (not ARC's form) is named by what there is.
    const note = arcCheckToAttach({
      record: standby,
      planArn: "plan-x",
      region: "ca-central-1",
      homeRegion: "us-east-1",
      checks: {},
    }).note;
    expect(note?.text).to.contain(
      "app.example.com (SECONDARY, set standby) carries no ARC health check yet: plan plan-x lists none for ca-central-1",
    );
  });

  it("attaches the plan's checks in their documented initial state: the home's healthy, the standby's unhealthy", () => {
    expect(decide(home, checks("healthy", "unhealthy")).healthCheckId).to.equal("hc-home");
    expect(decide(standby, checks("healthy", "unhealthy")).healthCheckId).to.equal("hc-standby");
    expect(decide(standby, checks("unhealthy", "healthy")).healthCheckId).to.equal("hc-standby");
  });

  it("does not attach a check in a state that would change the answer, and warns", () => {
    for (const status of ["unhealthy", "unknown"]) {
      expect(decide(home, checks(status, "healthy")), status).to.deep.equal({
        note: {
          level: "warn",
          text:
            `Not attaching ARC health check hc-home (${status}) to app.example.com (PRIMARY, set us-east-1): attaching it ` +
            "now would change what DNS answers (the home's check is not healthy). A plan app-ca-central-1 execution may " +
            "be under way or ARC has not evaluated the check yet; run `pulumi up` again once the plan's checks are in a " +
            `settled state (${LIST}).`,
        },
      });
    }
    expect(decide(standby, checks("unhealthy", "unhealthy")).healthCheckId).to.equal(undefined);
    expect(decide(standby, checks("healthy", "unknown")).healthCheckId).to.equal(undefined);
    expect(decide(standby, checks("unknown", "unhealthy")).note?.text).to.contain(
      "Not attaching ARC health check hc-standby (unhealthy) to app.example.com (SECONDARY, set standby): attaching it " +
        "now would change what DNS answers (neither of the plan's checks is healthy).",
    );
  });

  it("does not attach the standby's unhealthy check while ARC lists no check of the home", () => {
    const onlyStandby: ArcHealthChecks = { "ca-central-1": { id: "hc-standby", status: "unhealthy" } };
    expect(decide(standby, onlyStandby).healthCheckId).to.equal(undefined);
    expect(decide(standby, onlyStandby).note?.level).to.equal("warn");
  });

  it("keeps an attached check whatever ARC reports its status to be", () => {
    for (const [h, s] of [
      ["unhealthy", "healthy"],
      ["unknown", "unknown"],
    ]) {
      expect(decide(home, checks(h, s), "hc-home").healthCheckId).to.equal("hc-home");
      expect(decide(standby, checks(h, s), "hc-standby").healthCheckId).to.equal("hc-standby");
    }
  });

  it("refuses to detach an attached check ARC no longer lists, or lists under another id", () => {
    expect(() => decide(home, {}, "hc-home")).to.throw(
      ArcCheckDetachError,
      `Refusing to detach ARC health check hc-home from app.example.com (PRIMARY, set us-east-1): plan ${PLAN} now lists no health check for us-east-1.`,
    );
    expect(() => decide(standby, checks("healthy", "unhealthy"), "hc-old")).to.throw(
      ArcCheckDetachError,
      "Refusing to detach ARC health check hc-old from app.example.com (SECONDARY, set standby): " +
        `plan ${PLAN} now lists health check hc-standby for ca-central-1.`,
    );
    const refusal = (record: typeof home | typeof standby) => {
      try {
        decide(record, {}, "hc-old");
      } catch (e) {
        expect(e).to.be.instanceOf(ArcCheckDetachError).with.property("name", "ArcCheckDetachError");
        return (e as Error).message.split("\n");
      }
      expect.fail("no refusal");
    };
    const [why, wait, remove] = refusal(home);
    expect(why).to.equal(
      `Refusing to detach ARC health check hc-old from app.example.com (PRIMARY, set us-east-1): plan ${PLAN} now lists ` +
        "no health check for us-east-1. Without it, no plan execution can take traffic off the home, and if a plan " +
        "has activated a standby, users would go back to the deactivated home.",
    );
    expect(wait).to.equal(
      "If ARC is still creating the plan's checks (the plan was just created or replaced), wait and run `pulumi up` " +
        `again; \`aws arc-region-switch list-route53-health-checks --region us-east-1 --arn ${PLAN}\` shows them.`,
    );
    expect(remove).to.equal(
      "If the plan was deleted or re-created on purpose and no failover is in progress, remove the health check from " +
        "that record in Route 53 yourself (console: the hosted zone, record app.example.com set us-east-1, Edit, " +
        "Health check ID: none), then run `pulumi up` again: it attaches ARC's current check.",
    );
    expect(refusal(standby)[0]).to.match(
      /now lists no health check for ca-central-1\. Without it, the records can no longer tell that a plan has activated the standby\.$/,
    );
  });
});

describe("the mocks answer as ARC and Route 53 do", () => {
  const plan = {
    primaryRegion: "us-east-1",
    workflows: [
      {
        steps: [
          {
            route53HealthCheckConfigs: [
              {
                hostedZoneId: ZONE,
                recordName: "app.example.com",
                recordSets: [
                  { recordSetIdentifier: "us-east-1", region: "us-east-1" },
                  { recordSetIdentifier: "standby", region: "ca-central-1" },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
  const call = "aws:arcregionswitch/getRoute53HealthChecks:getRoute53HealthChecks";

  it("lists no checks in the run that creates a plan, the plan's checks in the documented initial state later", async () => {
    const answers: unknown[] = [];
    let account = new MockAccount();
    for (let i = 0; i < 2; i++) {
      const run = await runProgram(
        () => {
          const { id } = fabricateState(
            "aws:arcregionswitch/plan:Plan",
            "plan",
            { name: "p", ...plan },
            "us-east-1",
          );
          answers.push(fabricateCall(call, { planArn: id }, "us-east-1").healthChecks);
          return {};
        },
        { stack: "global", config: { "aws:region": "us-east-1" }, account },
      );
      account = run.account!;
    }
    expect(answers[0]).to.equal(null);
    const later = answers[1] as { region: string; status: string; healthCheckId: string }[];
    expect(later.map((c) => [c.region, c.status])).to.deep.equal([
      ["us-east-1", "healthy"],
      ["ca-central-1", "unhealthy"],
    ]);
    expect(new Set(later.map((c) => c.healthCheckId)).size).to.equal(2);
  });

  it("answers an empty list, no list, or another status when a test plays ARC, and only during a run", async () => {
    const account = new MockAccount();
    const seen: unknown[] = [];
    await runProgram(
      () => {
        const { id } = fabricateState(
          "aws:arcregionswitch/plan:Plan",
          "plan",
          { name: "p", ...plan },
          "us-east-1",
        );
        account.arcListing.set(id, "empty");
        seen.push(fabricateCall(call, { planArn: id }, "us-east-1").healthChecks);
        account.arcListing.set(id, "listed");
        const [first] = fabricateCall(call, { planArn: id }, "us-east-1").healthChecks as {
          healthCheckId: string;
        }[];
        account.arcStatus.set(first.healthCheckId, "unknown");
        seen.push(
          (fabricateCall(call, { planArn: id }, "us-east-1").healthChecks as { status: string }[])[0].status,
        );
        return {};
      },
      { stack: "global", config: { "aws:region": "us-east-1" }, account },
    );
    expect(seen).to.deep.equal([[], "unknown"]);
    expect(() => fabricateCall(call, { planArn: PLAN }, "us-east-1")).to.throw(/only during a run/);
  });

  it("reads the records a stack left in Route 53 before this run, with their health checks and trailing dots", async () => {
    const account = new MockAccount();
    account.records.set("org/p/global", [
      {
        zoneId: ZONE,
        name: "app.example.com",
        type: "A",
        setIdentifier: "us-east-1",
        healthCheckId: "hc-1",
        failoverRoutingPolicies: [{ type: "PRIMARY" }],
        aliases: [{ name: "serve.app.example.com", zoneId: ZONE, evaluateTargetHealth: false }],
      },
      { zoneId: "Z2", name: "app.example.com", type: "A", setIdentifier: "x" },
    ]);
    const seen: unknown[] = [];
    await runProgram(
      () => {
        const read = (nameRegex: string) =>
          fabricateCall("aws:route53/getRecords:getRecords", { zoneId: ZONE, nameRegex }, "us-east-1")
            .resourceRecordSets;
        seen.push(read("^(app\\.example\\.com\\.)$"), read("^(other\\.example\\.com\\.)$"));
        return {};
      },
      { stack: "global", config: { "aws:region": "us-east-1" }, account },
    );
    expect(seen[0]).to.deep.equal([
      {
        name: "app.example.com.",
        type: "A",
        setIdentifier: "us-east-1",
        healthCheckId: "hc-1",
        failover: "PRIMARY",
        region: undefined,
        aliasTarget: { dnsName: "serve.app.example.com", hostedZoneId: ZONE, evaluateTargetHealth: false },
      },
    ]);
    expect(seen[1]).to.equal(null);
  });
});
