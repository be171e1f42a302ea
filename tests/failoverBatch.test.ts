/**
 * tools/failoverBatch.ts: the Route 53 change batch that swaps the failover pair atomically. Checked
 * against hand-written batches, against the records the real program creates (run under mocks), for
 * every validation error, and through the CLI.
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
  REQUIRED_OUTPUTS,
  runCli,
  StackOutputs,
} from "../tools/failoverBatch";
import { RecordedResource, StackRun } from "../tools/mocks";
import { committedStackRuns } from "../tools/runStacks";
import { ofType } from "./helpers";

const ROOT = path.resolve(__dirname, "..");

/** What `pulumi stack output --json` prints for each stack (trimmed to a few other outputs). */
const USE1: StackOutputs = {
  role: "active",
  region: "us-east-1",
  appUrl: "https://app.example.com",
  domain: "app.example.com",
  hostedZoneId: "Z0123456789EXAMPLE",
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
  hostedZoneId: "Z0123456789EXAMPLE",
  publicAlbDnsName: "frontend-alb-5d6e7f8-0987654321.ca-central-1.elb.amazonaws.com",
  publicAlbZoneId: "ZQSVJUPU6J1EY",
  healthCheckId: "22222222-aaaa-4bbb-8ccc-000000000002",
  vpcId: "vpc-0bbb",
};

const TO_CA_CENTRAL_1 = {
  Comment:
    "Failover swap of app.example.com: PRIMARY ca-central-1, SECONDARY us-east-1. One atomic batch; " +
    "then flip role in both stacks and run pulumi up --refresh (docs/runbook.md).",
  Changes: [
    {
      Action: "UPSERT",
      ResourceRecordSet: {
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
      },
    },
    {
      Action: "UPSERT",
      ResourceRecordSet: {
        Name: "app.example.com",
        Type: "A",
        SetIdentifier: "us-east-1",
        Failover: "SECONDARY",
        HealthCheckId: "11111111-aaaa-4bbb-8ccc-000000000001",
        AliasTarget: {
          HostedZoneId: "Z35SXDOTRQ7X7K",
          DNSName: "frontend-alb-1a2b3c4-1234567890.us-east-1.elb.amazonaws.com",
          EvaluateTargetHealth: true,
        },
      },
    },
  ],
};

const TO_US_EAST_1 = {
  Comment:
    "Failover swap of app.example.com: PRIMARY us-east-1, SECONDARY ca-central-1. One atomic batch; " +
    "then flip role in both stacks and run pulumi up --refresh (docs/runbook.md).",
  Changes: [
    {
      Action: "UPSERT",
      ResourceRecordSet: {
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
      },
    },
    {
      Action: "UPSERT",
      ResourceRecordSet: {
        Name: "app.example.com",
        Type: "A",
        SetIdentifier: "ca-central-1",
        Failover: "SECONDARY",
        HealthCheckId: "22222222-aaaa-4bbb-8ccc-000000000002",
        AliasTarget: {
          HostedZoneId: "ZQSVJUPU6J1EY",
          DNSName: "frontend-alb-5d6e7f8-0987654321.ca-central-1.elb.amazonaws.com",
          EvaluateTargetHealth: true,
        },
      },
    },
  ],
};

function without(outputs: StackOutputs, ...names: string[]): StackOutputs {
  return Object.fromEntries(Object.entries(outputs).filter(([k]) => !names.includes(k)));
}

describe("failoverChangeBatch", () => {
  it("promotes ca-central-1: its record PRIMARY, us-east-1's SECONDARY, in one batch of two UPSERTs", () => {
    expect(failoverChangeBatch([USE1, CAC1], "ca-central-1")).to.deep.equal(TO_CA_CENTRAL_1);
  });

  it("fails back to us-east-1: the same pair the other way round", () => {
    expect(failoverChangeBatch([USE1, CAC1], "us-east-1")).to.deep.equal(TO_US_EAST_1);
  });

  it("does not depend on the order of the stacks, and leaves the outputs untouched", () => {
    const before = JSON.stringify([CAC1, USE1]);
    const stacks = [CAC1, USE1];
    expect(failoverChangeBatch(stacks, "ca-central-1")).to.deep.equal(TO_CA_CENTRAL_1);
    expect(failoverChangeBatch(stacks, "us-east-1")).to.deep.equal(TO_US_EAST_1);
    expect(JSON.stringify(stacks)).to.equal(before);
  });

  it("names the record by the domain without a trailing dot, and matches names and zone ids as Route 53 does", () => {
    // Route 53 treats app.example.com and app.example.com. alike; `aws route53` prints zone ids
    // as /hostedzone/<id>.
    const batch = failoverChangeBatch(
      [
        { ...USE1, domain: "app.example.com." },
        { ...CAC1, domain: "App.Example.com", hostedZoneId: "/hostedzone/Z0123456789EXAMPLE" },
      ],
      "ca-central-1",
    );
    expect(batch.Changes.map((c) => c.ResourceRecordSet.Name)).to.deep.equal([
      "app.example.com",
      "app.example.com",
    ]);
  });

  it("gives every record a health check and an alias that evaluates target health (required for failover aliases)", () => {
    for (const change of failoverChangeBatch([USE1, CAC1], "ca-central-1").Changes) {
      expect(change.ResourceRecordSet.HealthCheckId).to.be.a("string").and.not.empty;
      expect(change.ResourceRecordSet.AliasTarget.EvaluateTargetHealth).to.equal(true);
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
  });

  describe("rejects bad input with a message that says what is wrong", () => {
    const cases: [string, () => unknown, RegExp][] = [
      ["no stacks", () => failoverChangeBatch([], "us-east-1"), /both stacks.*got 0/],
      ["one stack", () => failoverChangeBatch([USE1], "us-east-1"), /both stacks.*got 1/],
      [
        "a third stack (Route 53 allows one PRIMARY and one SECONDARY per pair)",
        () =>
          failoverChangeBatch(
            [USE1, CAC1, { ...CAC1, region: "us-west-2", healthCheckId: "h3" }],
            "ca-central-1",
          ),
        /3 stacks.*exactly one PRIMARY and one SECONDARY.*third region cannot be another SECONDARY/,
      ],
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
        "two stacks of one region",
        () => failoverChangeBatch([USE1, { ...USE1 }], "us-east-1"),
        /stack #1 and stack #2 are both region us-east-1: give one stack per region/,
      ],
      [
        "different domains",
        () => failoverChangeBatch([USE1, { ...CAC1, domain: "www.example.com" }], "us-east-1"),
        /different domains: stack #1 \(us-east-1\) app\.example\.com, stack #2 \(ca-central-1\) www\.example\.com/,
      ],
      [
        "different hosted zones",
        () => failoverChangeBatch([USE1, { ...CAC1, hostedZoneId: "ZOTHER" }], "us-east-1"),
        /different hosted zones: stack #1 \(us-east-1\) Z0123456789EXAMPLE, stack #2 \(ca-central-1\) ZOTHER/,
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
        ["domain", "healthCheckId", "hostedZoneId", "publicAlbDnsName", "publicAlbZoneId", "region"].sort(),
      );
      // `role` is not needed: it says what the stack was deployed as, the batch sets what it becomes.
      expect(() =>
        failoverChangeBatch([without(USE1, "role"), without(CAC1, "role")], "us-east-1"),
      ).not.to.throw();
    });
  });
});

/** The stack's failover record: the one Route 53 record with a failover routing policy. */
function failoverRecord(run: StackRun): RecordedResource {
  const records = ofType(run, "aws:route53/record:Record").filter(
    (r) => Array.isArray(r.inputs.failoverRoutingPolicies) && r.inputs.failoverRoutingPolicies.length > 0,
  );
  expect(records, `failover records of ${run.stack}`).to.have.length(1);
  return records[0];
}

interface RecordInputs {
  zoneId: string;
  name: string;
  type: string;
  setIdentifier: string;
  healthCheckId: string;
  failoverRoutingPolicies: { type: string }[];
  aliases: { name: string; zoneId: string; evaluateTargetHealth: boolean }[];
}

describe("failoverChangeBatch against the records the program creates (mocks)", () => {
  let runs: StackRun[];

  before(async () => {
    runs = await committedStackRuns();
  });

  const runOf = (region: string): StackRun => {
    const run = runs.find((r) => r.outputs.region === region);
    expect(run, `the run of ${region}`).to.not.equal(undefined);
    return run!;
  };

  /** Compares each change of `batch` with the record of the stack it targets. */
  function compare(batch: FailoverChangeBatch, expectFailover: (recorded: string) => string): void {
    expect(batch.Changes.map((c) => c.ResourceRecordSet.SetIdentifier).sort()).to.deep.equal(
      runs.map((r) => r.outputs.region as string).sort(),
    );
    for (const { Action, ResourceRecordSet: set } of batch.Changes) {
      expect(Action).to.equal("UPSERT");
      const run = runOf(set.SetIdentifier);
      const inputs = failoverRecord(run).inputs as unknown as RecordInputs;
      expect(inputs.aliases, `aliases of ${run.stack}`).to.have.length(1);
      const [alias] = inputs.aliases;
      expect(
        {
          name: set.Name,
          type: set.Type,
          setIdentifier: set.SetIdentifier,
          healthCheckId: set.HealthCheckId,
          alias: {
            name: set.AliasTarget.DNSName,
            zoneId: set.AliasTarget.HostedZoneId,
            evaluateTargetHealth: set.AliasTarget.EvaluateTargetHealth,
          },
        },
        `the ${run.stack} record`,
      ).to.deep.equal({
        name: inputs.name,
        type: inputs.type,
        setIdentifier: inputs.setIdentifier,
        healthCheckId: inputs.healthCheckId,
        alias: { name: alias.name, zoneId: alias.zoneId, evaluateTargetHealth: alias.evaluateTargetHealth },
      });
      // The zone the runbook passes as --hosted-zone-id is the zone the record lives in.
      expect(inputs.zoneId, `zone of the ${run.stack} record`).to.equal(run.outputs.hostedZoneId);
      expect(set.Failover, `failover type of ${run.stack}`).to.equal(
        expectFailover(inputs.failoverRoutingPolicies[0].type),
      );
    }
  }

  it("has the committed roles: one stack active (PRIMARY), the other passive (SECONDARY)", () => {
    expect(runs).to.have.length(2);
    expect(runs.map((r) => failoverRecord(r).inputs.failoverRoutingPolicies).flat()).to.have.deep.members([
      { type: "PRIMARY" },
      { type: "SECONDARY" },
    ]);
  });

  it("promoting the passive stack swaps both records' types and keeps every other field as the program sets it", () => {
    const passive = runs.find((r) => r.outputs.role === "passive")!;
    const batch = failoverChangeBatch(
      runs.map((r) => r.outputs),
      passive.outputs.region as string,
    );
    compare(batch, (recorded) => (recorded === "PRIMARY" ? "SECONDARY" : "PRIMARY"));
  });

  it("naming the active stack primary restates the records as they are (a no-op, safe to re-run)", () => {
    const active = runs.find((r) => r.outputs.role === "active")!;
    const batch = failoverChangeBatch(
      runs.map((r) => r.outputs),
      active.outputs.region as string,
    );
    compare(batch, (recorded) => recorded);
  });
});

describe("failover-batch CLI", () => {
  let dir: string;
  let use1File: string;
  let cac1File: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "failover-batch-"));
    use1File = path.join(dir, "us-east-1.json");
    cac1File = path.join(dir, "ca-central-1.json");
    fs.writeFileSync(use1File, JSON.stringify(USE1, null, 2));
    fs.writeFileSync(cac1File, JSON.stringify(CAC1, null, 2));
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

  it("accepts --primary=<region> and either file order", () => {
    const result = cli([cac1File, use1File, "--primary=us-east-1"]);
    expect(result.code, result.err).to.equal(EXIT.ok);
    expect(JSON.parse(result.out)).to.deep.equal(TO_US_EAST_1);
  });

  const badArgs: [string, string[], RegExp][] = [
    ["no --primary", ["a.json", "b.json"], /--primary <region> is required/],
    ["--primary without a value", ["--primary"], /--primary needs a region/],
    ["--primary followed by a flag", ["--primary", "--help"], /--primary needs a region/],
    ["--primary twice", ["--primary", "a", "--primary", "b"], /more than once/],
    ["no files", ["--primary", "us-east-1"], /files of both stacks/],
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

  it("exits 2 on a third stack's outputs", () => {
    const third = path.join(dir, "us-west-2.json");
    fs.writeFileSync(third, JSON.stringify({ ...CAC1, region: "us-west-2" }));
    const result = cli(["--primary", "ca-central-1", use1File, cac1File, third]);
    expect(result.code).to.equal(EXIT.badInput);
    expect(result.err).to.match(/exactly one PRIMARY and one SECONDARY/);
  });
});
