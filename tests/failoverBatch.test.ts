/**
 * tools/failoverBatch.ts: the Route 53 change batch that moves the active region atomically. Checked
 * against hand-written batches (two stacks, both directions, and three stacks), for the no-op and
 * every validation error, against the records the real program creates under mocks (applying the
 * batch to the committed stacks' records must give exactly the records of the stacks with the roles
 * flipped), and through the CLI.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  EXIT,
  failoverChangeBatch,
  FailoverChangeBatch,
  MAX_COMMENT_LENGTH,
  parseArgs,
  RecordSet,
  REQUIRED_OUTPUTS,
  runCli,
  StackOutputs,
} from "../tools/failoverBatch";
import { listStackFiles, StackFile, StackRun } from "../tools/mocks";
import { committedStackRuns, runAllStacks } from "../tools/runStacks";
import { ofType } from "./helpers";

const ROOT = path.resolve(__dirname, "..");
const ZONE = "Z0123456789EXAMPLE";

/** What `pulumi stack output --json` prints for each stack (trimmed to a few other outputs). */
const USE1: StackOutputs = {
  role: "active",
  region: "us-east-1",
  appUrl: "https://app.example.com",
  domain: "app.example.com",
  hostedZoneId: ZONE,
  publicAlbDnsName: "frontend-alb-1a2b3c4-1234567890.us-east-1.elb.amazonaws.com",
  publicAlbZoneId: "Z35SXDOTRQ7X7K",
  healthCheckId: "11111111-aaaa-4bbb-8ccc-000000000001",
  vpcId: "vpc-0aaa",
};
const CAC1: StackOutputs = {
  role: "passive",
  region: "ca-central-1",
  appUrl: "https://app.example.com",
  domain: "app.example.com",
  hostedZoneId: ZONE,
  publicAlbDnsName: "frontend-alb-5d6e7f8-0987654321.ca-central-1.elb.amazonaws.com",
  publicAlbZoneId: "ZQSVJUPU6J1EY",
  healthCheckId: "22222222-aaaa-4bbb-8ccc-000000000002",
  vpcId: "vpc-0bbb",
};
/** A third region, passive: it exists only in these tests. */
const EUW1: StackOutputs = {
  role: "passive",
  region: "eu-west-1",
  appUrl: "https://app.example.com",
  domain: "app.example.com",
  hostedZoneId: ZONE,
  publicAlbDnsName: "frontend-alb-9a8b7c6-1122334455.eu-west-1.elb.amazonaws.com",
  publicAlbZoneId: "Z32O12XQLNTSW2",
  healthCheckId: "33333333-aaaa-4bbb-8ccc-000000000003",
  vpcId: "vpc-0ccc",
};

const USE1_PRIMARY = {
  Name: "app.example.com",
  Type: "A",
  SetIdentifier: "us-east-1",
  Failover: "PRIMARY",
  HealthCheckId: "11111111-aaaa-4bbb-8ccc-000000000001",
  AliasTarget: {
    HostedZoneId: "Z35SXDOTRQ7X7K",
    DNSName: "frontend-alb-1a2b3c4-1234567890.us-east-1.elb.amazonaws.com",
    EvaluateTargetHealth: true,
  },
};
const CAC1_PRIMARY = {
  Name: "app.example.com",
  Type: "A",
  SetIdentifier: "ca-central-1",
  Failover: "PRIMARY",
  HealthCheckId: "22222222-aaaa-4bbb-8ccc-000000000002",
  AliasTarget: {
    HostedZoneId: "ZQSVJUPU6J1EY",
    DNSName: "frontend-alb-5d6e7f8-0987654321.ca-central-1.elb.amazonaws.com",
    EvaluateTargetHealth: true,
  },
};
const USE1_LATENCY = {
  Name: "standby.app.example.com",
  Type: "A",
  SetIdentifier: "us-east-1",
  Region: "us-east-1",
  HealthCheckId: "11111111-aaaa-4bbb-8ccc-000000000001",
  AliasTarget: {
    HostedZoneId: "Z35SXDOTRQ7X7K",
    DNSName: "frontend-alb-1a2b3c4-1234567890.us-east-1.elb.amazonaws.com",
    EvaluateTargetHealth: true,
  },
};
const CAC1_LATENCY = {
  Name: "standby.app.example.com",
  Type: "A",
  SetIdentifier: "ca-central-1",
  Region: "ca-central-1",
  HealthCheckId: "22222222-aaaa-4bbb-8ccc-000000000002",
  AliasTarget: {
    HostedZoneId: "ZQSVJUPU6J1EY",
    DNSName: "frontend-alb-5d6e7f8-0987654321.ca-central-1.elb.amazonaws.com",
    EvaluateTargetHealth: true,
  },
};
/** The SECONDARY every passive stack declares: an alias to the standby set, in the app's zone. */
const SECONDARY = {
  Name: "app.example.com",
  Type: "A",
  SetIdentifier: "standby",
  Failover: "SECONDARY",
  AliasTarget: { HostedZoneId: ZONE, DNSName: "standby.app.example.com", EvaluateTargetHealth: true },
};

const TAIL =
  "One atomic batch; then flip role in those two stacks and run pulumi up --refresh (docs/runbook.md).";

/** us-east-1 active → ca-central-1. */
const TO_CA_CENTRAL_1 = {
  Comment: `Failover of app.example.com: PRIMARY us-east-1 -> ca-central-1; standby set us-east-1. ${TAIL}`,
  Changes: [
    { Action: "DELETE", ResourceRecordSet: USE1_PRIMARY },
    { Action: "UPSERT", ResourceRecordSet: CAC1_PRIMARY },
    { Action: "UPSERT", ResourceRecordSet: USE1_LATENCY },
    { Action: "DELETE", ResourceRecordSet: CAC1_LATENCY },
    { Action: "UPSERT", ResourceRecordSet: SECONDARY },
  ],
};

/** ca-central-1 active (after the swap and the role flip) → back to us-east-1. */
const TO_US_EAST_1 = {
  Comment: `Failover of app.example.com: PRIMARY ca-central-1 -> us-east-1; standby set ca-central-1. ${TAIL}`,
  Changes: [
    { Action: "DELETE", ResourceRecordSet: CAC1_PRIMARY },
    { Action: "UPSERT", ResourceRecordSet: USE1_PRIMARY },
    { Action: "UPSERT", ResourceRecordSet: CAC1_LATENCY },
    { Action: "DELETE", ResourceRecordSet: USE1_LATENCY },
    { Action: "UPSERT", ResourceRecordSet: SECONDARY },
  ],
};

/** The outputs after the roles were flipped (ca-central-1 active). */
const USE1_PASSIVE: StackOutputs = { ...USE1, role: "passive" };
const CAC1_ACTIVE: StackOutputs = { ...CAC1, role: "active" };

function without(outputs: StackOutputs, ...names: string[]): StackOutputs {
  return Object.fromEntries(Object.entries(outputs).filter(([k]) => !names.includes(k)));
}

describe("failoverChangeBatch", () => {
  it("promotes ca-central-1: DELETE + UPSERT of the PRIMARY, the standby set swapped, the SECONDARY kept", () => {
    expect(failoverChangeBatch([USE1, CAC1], "ca-central-1")).to.deep.equal(TO_CA_CENTRAL_1);
  });

  it("fails back to us-east-1 once the roles are flipped: the same batch the other way round", () => {
    expect(failoverChangeBatch([USE1_PASSIVE, CAC1_ACTIVE], "us-east-1")).to.deep.equal(TO_US_EAST_1);
  });

  it("swaps back with --current-primary when the records were swapped but the roles not yet flipped", () => {
    // The outputs still say us-east-1 is active; Route 53 already has ca-central-1 as PRIMARY.
    expect(
      failoverChangeBatch([USE1, CAC1], "us-east-1", [], { currentPrimary: "ca-central-1" }),
    ).to.deep.equal(TO_US_EAST_1);
  });

  it("is a no-op, with no changes and a message, when the requested primary is already active", () => {
    for (const [stacks, primary] of [
      [[USE1, CAC1], "us-east-1"],
      [[USE1_PASSIVE, CAC1_ACTIVE], "ca-central-1"],
      [[USE1, CAC1, EUW1], "us-east-1"],
    ] as [StackOutputs[], string][]) {
      const batch = failoverChangeBatch(stacks, primary);
      expect(batch.Changes, primary).to.deep.equal([]);
      expect(batch.Comment).to.equal(
        `Nothing to change: ${primary} is already the PRIMARY of app.example.com.`,
      );
    }
    expect(
      failoverChangeBatch([USE1, CAC1], "ca-central-1", [], { currentPrimary: "ca-central-1" }).Changes,
    ).to.deep.equal([]);
  });

  it("takes any number of stacks: with three, only the old and the new primary's records change", () => {
    const EUW1_PRIMARY = {
      Name: "app.example.com",
      Type: "A",
      SetIdentifier: "eu-west-1",
      Failover: "PRIMARY",
      HealthCheckId: "33333333-aaaa-4bbb-8ccc-000000000003",
      AliasTarget: {
        HostedZoneId: "Z32O12XQLNTSW2",
        DNSName: "frontend-alb-9a8b7c6-1122334455.eu-west-1.elb.amazonaws.com",
        EvaluateTargetHealth: true,
      },
    };
    const { Failover, ...euw1Rest } = EUW1_PRIMARY;
    expect(Failover).to.equal("PRIMARY");
    const EUW1_LATENCY = { ...euw1Rest, Name: "standby.app.example.com", Region: "eu-west-1" };
    const batch = failoverChangeBatch([USE1, CAC1, EUW1], "eu-west-1");
    expect(batch).to.deep.equal({
      Comment: `Failover of app.example.com: PRIMARY us-east-1 -> eu-west-1; standby set ca-central-1, us-east-1. ${TAIL}`,
      Changes: [
        { Action: "DELETE", ResourceRecordSet: USE1_PRIMARY },
        { Action: "UPSERT", ResourceRecordSet: EUW1_PRIMARY },
        { Action: "UPSERT", ResourceRecordSet: USE1_LATENCY },
        { Action: "DELETE", ResourceRecordSet: EUW1_LATENCY },
        { Action: "UPSERT", ResourceRecordSet: SECONDARY },
      ],
    });
    // ca-central-1 stays in the standby set, untouched.
    expect(batch.Changes.filter((c) => c.ResourceRecordSet.SetIdentifier === "ca-central-1")).to.be.empty;
    // And promoting ca-central-1 instead leaves eu-west-1 alone.
    const toCac1 = failoverChangeBatch([USE1, CAC1, EUW1], "ca-central-1");
    expect(toCac1.Changes).to.deep.equal(TO_CA_CENTRAL_1.Changes);
    expect(toCac1.Comment).to.contain("standby set eu-west-1, us-east-1.");
  });

  it("does not depend on the order of the stacks, and leaves the outputs untouched", () => {
    const stacks = [EUW1, CAC1, USE1];
    const before = JSON.stringify(stacks);
    expect(failoverChangeBatch([CAC1, USE1], "ca-central-1")).to.deep.equal(TO_CA_CENTRAL_1);
    expect(failoverChangeBatch([CAC1_ACTIVE, USE1_PASSIVE], "us-east-1")).to.deep.equal(TO_US_EAST_1);
    expect(failoverChangeBatch(stacks, "eu-west-1")).to.deep.equal(
      failoverChangeBatch([USE1, CAC1, EUW1], "eu-west-1"),
    );
    expect(JSON.stringify(stacks)).to.equal(before);
  });

  it("names each record as its stack spells the domain, without a trailing dot, and matches names and zone ids as Route 53 does", () => {
    // Route 53 treats app.example.com, App.Example.com and app.example.com. alike; `aws route53`
    // prints zone ids as /hostedzone/<id>.
    const batch = failoverChangeBatch(
      [
        { ...USE1, domain: "app.example.com.", hostedZoneId: `/hostedzone/${ZONE}` },
        { ...CAC1, domain: "App.Example.com" },
      ],
      "ca-central-1",
    );
    expect(batch.Changes.map((c) => c.ResourceRecordSet.Name)).to.deep.equal([
      "app.example.com",
      "App.Example.com",
      "standby.app.example.com",
      "standby.App.Example.com",
      "app.example.com",
    ]);
    // The alias to the standby set names the bare zone id.
    expect(batch.Changes[4].ResourceRecordSet.AliasTarget.HostedZoneId).to.equal(ZONE);
  });

  it("gives the PRIMARY and latency records a health check, the SECONDARY none, and every alias EvaluateTargetHealth", () => {
    for (const { ResourceRecordSet: set } of failoverChangeBatch([USE1, CAC1, EUW1], "ca-central-1")
      .Changes) {
      expect(set.AliasTarget.EvaluateTargetHealth, set.SetIdentifier).to.equal(true);
      if ("Failover" in set && set.Failover === "SECONDARY") {
        expect(set).to.not.have.property("HealthCheckId");
      } else {
        expect(set.HealthCheckId, set.SetIdentifier).to.be.a("string").and.not.empty;
      }
    }
  });

  it("keeps the Comment within Route 53's 256 characters", () => {
    const long = `${"a".repeat(200)}.example.com`;
    const batch = failoverChangeBatch(
      [
        { ...USE1, domain: long },
        { ...CAC1, domain: long },
      ],
      "ca-central-1",
    );
    expect(batch.Comment.length).to.be.at.most(MAX_COMMENT_LENGTH);
    const noop = failoverChangeBatch(
      [
        { ...USE1, domain: `${"a".repeat(250)}.example.com` },
        { ...CAC1, domain: `${"a".repeat(250)}.example.com` },
      ],
      "us-east-1",
    );
    expect(noop.Comment.length).to.be.at.most(MAX_COMMENT_LENGTH);
  });

  describe("rejects bad input with a message that says what is wrong", () => {
    const cases: [string, () => unknown, RegExp][] = [
      ["no stacks", () => failoverChangeBatch([], "us-east-1"), /every stack \(at least two.*got 0/],
      ["one stack", () => failoverChangeBatch([USE1], "us-east-1"), /every stack \(at least two.*got 1/],
      [
        "outputs that are not an object",
        () => failoverChangeBatch([USE1, [] as unknown as StackOutputs], "us-east-1"),
        /stack #2: expected a JSON object.*got an array/,
      ],
      [
        "null outputs",
        () => failoverChangeBatch([null as unknown as StackOutputs, CAC1], "us-east-1"),
        /stack #1: expected a JSON object.*got null/,
      ],
      [
        "a missing output",
        () => failoverChangeBatch([USE1, without(CAC1, "publicAlbZoneId")], "us-east-1"),
        /stack #2 \(ca-central-1\): missing output publicAlbZoneId;/,
      ],
      [
        "several missing outputs, region included",
        () => failoverChangeBatch([without(USE1, "region", "healthCheckId"), CAC1], "us-east-1"),
        /stack #1: missing outputs region, healthCheckId;/,
      ],
      [
        "a missing role",
        () => failoverChangeBatch([USE1, CAC1, without(EUW1, "role")], "us-east-1"),
        /stack #3 \(eu-west-1\): missing output role;/,
      ],
      [
        "an empty output",
        () => failoverChangeBatch([USE1, { ...CAC1, publicAlbDnsName: " " }], "us-east-1"),
        /stack #2 \(ca-central-1\): output publicAlbDnsName must be a non-empty string$/,
      ],
      [
        "a non-string output",
        () => failoverChangeBatch([{ ...USE1, healthCheckId: 42 }, CAC1], "us-east-1"),
        /stack #1 \(us-east-1\): output healthCheckId must be a non-empty string$/,
      ],
      [
        "an output hidden as a secret",
        () => failoverChangeBatch([USE1, { ...CAC1, hostedZoneId: "[secret]" }], "us-east-1"),
        /stack #2 \(ca-central-1\): output hostedZoneId printed as "\[secret\]".*--show-secrets/,
      ],
      [
        "a role that is neither active nor passive",
        () => failoverChangeBatch([USE1, { ...CAC1, role: "standby" }], "us-east-1"),
        /stack #2 \(ca-central-1\): output role is "standby"; expected active or passive/,
      ],
      [
        "two stacks of one region",
        () => failoverChangeBatch([USE1, { ...USE1, role: "passive" }], "us-east-1"),
        /stack #1 and stack #2 are both region us-east-1: give one stack per region/,
      ],
      [
        "different domains",
        () => failoverChangeBatch([USE1, { ...CAC1, domain: "www.example.com" }], "us-east-1"),
        /different domains: stack #1 \(us-east-1\) app\.example\.com, stack #2 \(ca-central-1\) www\.example\.com/,
      ],
      [
        "different hosted zones",
        () => failoverChangeBatch([USE1, CAC1, { ...EUW1, hostedZoneId: "ZOTHER" }], "us-east-1"),
        /different hosted zones: stack #1 \(us-east-1\) Z0123456789EXAMPLE, stack #3 \(eu-west-1\) ZOTHER/,
      ],
      [
        "a primary region that is not one of the stacks'",
        () => failoverChangeBatch([USE1, CAC1], "eu-west-1"),
        /primary region eu-west-1 is not one of the stacks' regions: us-east-1, ca-central-1/,
      ],
      [
        "an empty primary region",
        () => failoverChangeBatch([USE1, CAC1], ""),
        /no primary region given; one of: us-east-1, ca-central-1/,
      ],
      [
        "no active stack",
        () => failoverChangeBatch([USE1_PASSIVE, CAC1, EUW1], "ca-central-1"),
        /no stack has role active \(stack #1 \(us-east-1\) passive, stack #2 \(ca-central-1\) passive, stack #3 \(eu-west-1\) passive\).*--current-primary/,
      ],
      [
        "two active stacks",
        () => failoverChangeBatch([USE1, CAC1_ACTIVE, EUW1], "eu-west-1"),
        /stack #1 \(us-east-1\) and stack #2 \(ca-central-1\) all have role active; exactly one stack is the current PRIMARY/,
      ],
      [
        "a current primary that is not one of the stacks'",
        () => failoverChangeBatch([USE1, CAC1], "ca-central-1", [], { currentPrimary: "eu-west-1" }),
        /current primary eu-west-1 is not one of the stacks' regions: us-east-1, ca-central-1/,
      ],
    ];
    for (const [what, call, message] of cases) {
      it(what, () => {
        expect(call).to.throw(message);
      });
    }

    it("names the stacks by the given labels (the CLI passes the file names)", () => {
      expect(() =>
        failoverChangeBatch([USE1, without(CAC1, "domain")], "us-east-1", ["use1.json", "cac1.json"]),
      ).to.throw(/^cac1\.json \(ca-central-1\): missing output domain/);
    });

    it("requires every output it uses, and only those", () => {
      expect([...REQUIRED_OUTPUTS].sort()).to.deep.equal(
        [
          "domain",
          "healthCheckId",
          "hostedZoneId",
          "publicAlbDnsName",
          "publicAlbZoneId",
          "region",
          "role",
        ].sort(),
      );
      // Other outputs are not needed.
      expect(() =>
        failoverChangeBatch(
          [without(USE1, "appUrl", "vpcId"), without(CAC1, "appUrl", "vpcId")],
          "ca-central-1",
        ),
      ).not.to.throw();
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Against the program: the records it creates under mocks, as a Route 53 zone.

const PROJECT = "multi-region-web";

interface RecordInputs {
  zoneId: string;
  name: string;
  type: "A";
  setIdentifier: string;
  healthCheckId?: string;
  failoverRoutingPolicies?: { type: "PRIMARY" | "SECONDARY" }[];
  latencyRoutingPolicies?: { region: string }[];
  aliases: { name: string; zoneId: string; evaluateTargetHealth: true }[];
}

/** What Route 53 holds for the app: the routing records, keyed as Route 53 keys them. */
type Zone = Map<string, RecordSet>;
const keyOf = (set: RecordSet) => `${set.Name.toLowerCase()}|${set.Type}|${set.SetIdentifier}`;

/** A recorded aws.route53.Record as the Route 53 API shows it (every field the program sets). */
function recordSetOf(inputs: RecordInputs): RecordSet {
  expect(inputs.aliases, `aliases of ${inputs.name} ${inputs.setIdentifier}`).to.have.length(1);
  const [alias] = inputs.aliases;
  return {
    Name: inputs.name,
    Type: inputs.type,
    SetIdentifier: inputs.setIdentifier,
    ...(inputs.failoverRoutingPolicies ? { Failover: inputs.failoverRoutingPolicies[0].type } : {}),
    ...(inputs.latencyRoutingPolicies ? { Region: inputs.latencyRoutingPolicies[0].region } : {}),
    ...(inputs.healthCheckId !== undefined ? { HealthCheckId: inputs.healthCheckId } : {}),
    AliasTarget: {
      HostedZoneId: alias.zoneId,
      DNSName: alias.name,
      EvaluateTargetHealth: alias.evaluateTargetHealth,
    },
  } as RecordSet;
}

/** The zone the stacks' routing records (failover and latency) make together. */
function zoneOf(runs: StackRun[]): Zone {
  const zone: Zone = new Map();
  for (const run of runs) {
    for (const record of ofType(run, "aws:route53/record:Record")) {
      const inputs = record.inputs as unknown as RecordInputs;
      if (!inputs.failoverRoutingPolicies && !inputs.latencyRoutingPolicies) continue;
      // The zone the runbook passes as --hosted-zone-id is the zone every record lives in.
      expect(inputs.zoneId, `zone of ${run.stack}'s ${record.name}`).to.equal(run.outputs.hostedZoneId);
      const set = recordSetOf(inputs);
      const existing = zone.get(keyOf(set));
      // Only the shared SECONDARY is declared by several stacks, always identically.
      if (existing)
        expect(set, `${run.stack}'s ${record.name}, declared by another stack too`).to.deep.equal(existing);
      zone.set(keyOf(set), set);
    }
  }
  return zone;
}

/** Applies a batch as Route 53 does: a DELETE must match an existing record exactly. */
function apply(zone: Zone, batch: FailoverChangeBatch): Zone {
  const result: Zone = new Map(zone);
  for (const { Action, ResourceRecordSet: set } of batch.Changes) {
    if (Action === "DELETE") {
      expect(result.get(keyOf(set)), `DELETE ${keyOf(set)} must match the record exactly`).to.deep.equal(set);
      result.delete(keyOf(set));
    } else {
      result.set(keyOf(set), set);
    }
  }
  return result;
}

/** One PRIMARY and one SECONDARY for the domain; the SECONDARY's alias target has records. */
function expectValidPair(zone: Zone, domain: string): void {
  const sets = [...zone.values()];
  const failover = sets.filter((s) => s.Name === domain && "Failover" in s) as (RecordSet & {
    Failover: string;
  })[];
  expect(failover.map((s) => s.Failover).sort()).to.deep.equal(["PRIMARY", "SECONDARY"]);
  const secondary = failover.find((s) => s.Failover === "SECONDARY")!;
  const standbySet = sets.filter((s) => s.Name === secondary.AliasTarget.DNSName);
  expect(standbySet, "the standby set").to.not.be.empty;
  for (const s of standbySet) expect(s).to.have.property("Region", s.SetIdentifier);
}

const sorted = (zone: Zone) => [...zone.entries()].sort(([a], [b]) => a.localeCompare(b));

function withConfig(stack: StackFile, overrides: Record<string, string>, name = stack.stack): StackFile {
  return { ...stack, stack: name, file: `Pulumi.${name}.yaml`, config: { ...stack.config, ...overrides } };
}

/** The committed stack files plus eu-west-1, a copy of the standby (in memory only). */
function threeStackFiles(): StackFile[] {
  const files = listStackFiles();
  const home = files.find((f) => f.config[`${PROJECT}:home`] === "true")!;
  const standby = files.find((f) => f.stack === "ca-central-1")!;
  return [
    withConfig(home, { [`${PROJECT}:standbyRegions`]: JSON.stringify(["ca-central-1", "eu-west-1"]) }),
    standby,
    withConfig(standby, { "aws:region": "eu-west-1", [`${PROJECT}:vpcCidr`]: "10.30.0.0/16" }, "eu-west-1"),
  ];
}

/** The same stack files with `role` set per stack (what the runbook's role flip does). */
function withRoles(files: StackFile[], roles: Record<string, "active" | "passive">): StackFile[] {
  return files.map((f) => withConfig(f, { [`${PROJECT}:role`]: roles[f.stack] ?? "passive" }));
}

describe("failoverChangeBatch against the records the program creates (mocks)", function () {
  this.timeout(60_000);
  let runs: StackRun[];
  let flipped: StackRun[];
  let domain: string;

  before(async () => {
    runs = await committedStackRuns();
    flipped = await runAllStacks(
      withRoles(listStackFiles(), { "ca-central-1": "active", "us-east-1": "passive" }),
    );
    domain = runs[0].outputs.domain as string;
  });

  it("has the committed roles: a valid pair, us-east-1 PRIMARY and ca-central-1 in the standby set", () => {
    expect(runs.map((r) => [r.outputs.region, r.outputs.role])).to.have.deep.members([
      ["us-east-1", "active"],
      ["ca-central-1", "passive"],
    ]);
    const zone = zoneOf(runs);
    expectValidPair(zone, domain);
    expect(sorted(zone).map(([key]) => key)).to.deep.equal([
      `${domain}|A|standby`,
      `${domain}|A|us-east-1`,
      `standby.${domain}|A|ca-central-1`,
    ]);
  });

  it("promoting ca-central-1 turns the committed records into exactly the records of the flipped stacks", () => {
    const batch = failoverChangeBatch(
      runs.map((r) => r.outputs),
      "ca-central-1",
    );
    const after = apply(zoneOf(runs), batch);
    expectValidPair(after, domain);
    // So the `pulumi up --refresh` after the role flip finds every record as the program declares it.
    expect(sorted(after)).to.deep.equal(sorted(zoneOf(flipped)));
  });

  it("failing back turns the flipped stacks' records into the committed ones again", () => {
    const batch = failoverChangeBatch(
      flipped.map((r) => r.outputs),
      "us-east-1",
    );
    const after = apply(zoneOf(flipped), batch);
    expectValidPair(after, domain);
    expect(sorted(after)).to.deep.equal(sorted(zoneOf(runs)));
  });

  it("naming the active stack primary changes nothing", () => {
    const active = runs.find((r) => r.outputs.role === "active")!;
    expect(
      failoverChangeBatch(
        runs.map((r) => r.outputs),
        active.outputs.region as string,
      ).Changes,
    ).to.deep.equal([]);
  });

  it("with a third region: promoting eu-west-1 gives exactly the records of the three stacks with eu-west-1 active", async () => {
    const files = threeStackFiles();
    const three = await runAllStacks(files);
    const threeFlipped = await runAllStacks(
      withRoles(files, { "eu-west-1": "active", "us-east-1": "passive", "ca-central-1": "passive" }),
    );
    const before = zoneOf(three);
    expectValidPair(before, domain);
    expect(
      [...before.values()]
        .filter((s) => "Region" in s)
        .map((s) => s.SetIdentifier)
        .sort(),
    ).to.deep.equal(["ca-central-1", "eu-west-1"]);
    const after = apply(
      before,
      failoverChangeBatch(
        three.map((r) => r.outputs),
        "eu-west-1",
      ),
    );
    expectValidPair(after, domain);
    expect(sorted(after)).to.deep.equal(sorted(zoneOf(threeFlipped)));
  });
});

describe("failover-batch CLI", () => {
  let dir: string;
  let use1File: string;
  let cac1File: string;
  let euw1File: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "failover-batch-"));
    use1File = path.join(dir, "us-east-1.json");
    cac1File = path.join(dir, "ca-central-1.json");
    fs.writeFileSync(use1File, JSON.stringify(USE1, null, 2));
    fs.writeFileSync(cac1File, JSON.stringify(CAC1, null, 2));
    euw1File = path.join(dir, "eu-west-1.json");
    fs.writeFileSync(euw1File, JSON.stringify(EUW1, null, 2));
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function cli(argv: string[]): { code: number; out: string; err: string } {
    const out: string[] = [];
    const err: string[] = [];
    const code = runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join("\n"), err: err.join("\n") };
  }

  function spawn(args: string[]) {
    return spawnSync(process.execPath, ["-r", "sucrase/register/ts", "tools/failoverBatch.ts", ...args], {
      cwd: ROOT,
      encoding: "utf8",
    });
  }

  it("exits 2 with the usage and no stack trace on an unknown flag (a real process)", () => {
    const result = spawn(["--bogus"]);
    expect(result.status).to.equal(2);
    expect(result.stdout).to.equal("");
    expect(result.stderr).to.match(/unknown option "--bogus"/);
    expect(result.stderr).to.include("Usage: npm run --silent failover-batch");
    expect(result.stderr).not.to.match(/^\s+at /m);
  });

  it("prints the batch JSON on stdout, alone, and the apply command on stderr (a real process)", () => {
    const result = spawn(["--primary", "ca-central-1", use1File, cac1File]);
    expect(result.status, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal(TO_CA_CENTRAL_1);
    expect(result.stderr).to.include(
      "aws route53 change-resource-record-sets --hosted-zone-id Z0123456789EXAMPLE --change-batch file://",
    );
  });

  it("is the package's failover-batch script", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts["failover-batch"]).to.equal("node -r sucrase/register/ts tools/failoverBatch.ts");
  });

  it("--help prints the usage and exits 0", () => {
    const result = cli(["--help"]);
    expect(result.code).to.equal(EXIT.ok);
    expect(result.out).to.include("--primary <region>");
  });

  it("accepts --primary=<region>, --current-primary=<region> and any file order", () => {
    const result = cli([cac1File, use1File, "--primary=us-east-1", "--current-primary=ca-central-1"]);
    expect(result.code, result.err).to.equal(EXIT.ok);
    expect(JSON.parse(result.out)).to.deep.equal(TO_US_EAST_1);
    expect(
      parseArgs(["--current-primary", "ca-central-1", "--primary", "us-east-1", "a.json"]),
    ).to.deep.equal({
      primary: "us-east-1",
      currentPrimary: "ca-central-1",
      files: ["a.json"],
      help: false,
    });
  });

  it("prints nothing on stdout and says so on stderr, exit 0, when the primary is already active", () => {
    const result = cli(["--primary", "us-east-1", use1File, cac1File, euw1File]);
    expect(result.code).to.equal(EXIT.ok);
    expect(result.out).to.equal("");
    expect(result.err).to.include("Nothing to change: us-east-1 is already the PRIMARY of app.example.com.");
    expect(result.err).to.include("No change batch printed");
  });

  it("takes every stack's outputs: three files give one batch", () => {
    const result = cli(["--primary", "eu-west-1", use1File, cac1File, euw1File]);
    expect(result.code, result.err).to.equal(EXIT.ok);
    const batch = JSON.parse(result.out) as FailoverChangeBatch;
    expect(
      batch.Changes.map(
        (c) => `${c.Action} ${c.ResourceRecordSet.Name} ${c.ResourceRecordSet.SetIdentifier}`,
      ),
    ).to.deep.equal([
      "DELETE app.example.com us-east-1",
      "UPSERT app.example.com eu-west-1",
      "UPSERT standby.app.example.com us-east-1",
      "DELETE standby.app.example.com eu-west-1",
      "UPSERT app.example.com standby",
    ]);
  });

  const badArgs: [string, string[], RegExp][] = [
    ["no --primary", ["a.json", "b.json"], /--primary <region> is required/],
    ["--primary without a value", ["--primary"], /--primary needs a region/],
    ["--primary followed by a flag", ["--primary", "--help"], /--primary needs a region/],
    ["--primary twice", ["--primary", "a", "--primary", "b"], /--primary is given more than once/],
    [
      "--current-primary without a value",
      ["--primary", "a", "--current-primary"],
      /--current-primary needs a region/,
    ],
    [
      "--current-primary twice",
      ["--current-primary=a", "--current-primary", "b"],
      /--current-primary is given more than once/,
    ],
    ["no files", ["--primary", "us-east-1"], /files of every stack/],
  ];
  for (const [what, argv, message] of badArgs) {
    it(`rejects ${what} (exit 2, with the usage)`, () => {
      expect(() => parseArgs(argv)).to.throw(message);
      const result = cli(argv);
      expect(result.code).to.equal(EXIT.badInput);
      expect(result.out).to.equal("");
      expect(result.err).to.match(message).and.include("Usage:");
    });
  }

  it("exits 2 naming the file on unreadable or non-JSON input", () => {
    const missing = path.join(dir, "missing.json");
    let result = cli(["--primary", "us-east-1", use1File, missing]);
    expect(result.code).to.equal(EXIT.badInput);
    expect(result.err).to.include(`cannot read ${missing}`);

    const notJson = path.join(dir, "not.json");
    fs.writeFileSync(notJson, "Current stack outputs (7):\n");
    result = cli(["--primary", "us-east-1", use1File, notJson]);
    expect(result.code).to.equal(EXIT.badInput);
    expect(result.err).to.include(`${notJson} is not JSON`);
    expect(result.out).to.equal("");
  });

  it("exits 2 naming the file whose outputs are wrong", () => {
    const partial = path.join(dir, "partial.json");
    fs.writeFileSync(partial, JSON.stringify(without(CAC1, "healthCheckId")));
    const result = cli(["--primary", "ca-central-1", use1File, partial]);
    expect(result.code).to.equal(EXIT.badInput);
    expect(result.err).to.include(`${partial} (ca-central-1): missing output healthCheckId`);
    expect(result.out).to.equal("");
  });

  it("exits 2 when no stack is active and no --current-primary names the PRIMARY", () => {
    const passive = path.join(dir, "us-east-1-passive.json");
    fs.writeFileSync(passive, JSON.stringify(USE1_PASSIVE));
    const result = cli(["--primary", "ca-central-1", passive, cac1File]);
    expect(result.code).to.equal(EXIT.badInput);
    expect(result.err).to.match(/no stack has role active/);
    expect(result.out).to.equal("");
  });
});
