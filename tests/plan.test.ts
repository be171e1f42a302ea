/** The offline plan: exit codes, the JSON shape, and the DR arithmetic against hand-computed values. */
import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DR_ASSUMPTIONS, drReport } from "../tools/drReport";
import { listStackFiles, StackFile } from "../tools/mocks";
import { EXIT, parseArgs, plan, Plan, PlanIo, UsageError } from "../tools/plan";
import { committedStackRuns, runAllStacks } from "../tools/runStacks";

const PROJECT = "multi-region-web";

function capture(): PlanIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

/** The committed stack files with some keys changed (fully qualified keys, engine-style string values). */
function stacksWith(overrides: Record<string, Record<string, string>>): StackFile[] {
  return listStackFiles().map((s) => ({ ...s, config: { ...s.config, ...(overrides[s.stack] ?? {}) } }));
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-"));

describe("plan", function () {
  this.timeout(60_000);

  describe("arguments", () => {
    it("parses every option", () => {
      expect(
        parseArgs(
          ["--stack", "us-east-1", "--json", "p.json", "--no-color", "--policy-pack-config", "c.json"],
          true,
        ),
      ).to.deep.equal({
        stack: "us-east-1",
        json: "p.json",
        policyConfig: "c.json",
        color: false,
        help: false,
      });
      expect(parseArgs(["--help"], false).help).to.equal(true);
    });
    it("rejects an unknown flag and a flag without its value, naming what is allowed", () => {
      expect(() => parseArgs(["--stacks", "x"], false)).to.throw(
        UsageError,
        /unknown option "--stacks"; allowed: --stack/,
      );
      expect(() => parseArgs(["--json"], false)).to.throw(UsageError, /--json needs a value/);
      expect(() => parseArgs(["--stack", "--no-color"], false)).to.throw(UsageError, /--stack needs a value/);
    });
    it("exits 2 with the usage for a bad flag, from the command line (as npm run plan starts it)", async () => {
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ["-r", "sucrase/register/ts", path.join(__dirname, "..", "tools", "plan.ts"), "--bogus"],
          { cwd: path.join(__dirname, "..") },
          (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
        );
      });
      expect(result.code).to.equal(EXIT.badInput);
      expect(result.stderr).to.contain('unknown option "--bogus"').and.to.contain("Usage: npm run plan");
      expect(result.stderr).to.not.match(/\n\s+at /);
    });
    it("exits 2 for a stack that has no stack file", async () => {
      const io = capture();
      const result = await plan({ color: false, help: false, stack: "eu-west-9" }, io);
      expect(result.exitCode).to.equal(EXIT.badInput);
      expect(io.stderr.join("\n")).to.contain(
        '--stack "eu-west-9": no such stack file; allowed: ca-central-1, us-east-1',
      );
    });
  });

  describe("the committed stacks", () => {
    let result: Plan;
    let io: ReturnType<typeof capture>;
    const jsonFile = path.join(tmp, "plan.json");
    before(async () => {
      io = capture();
      result = await plan({ color: false, help: false, json: jsonFile }, io);
    });

    it("exit 0: both stacks plan with no mandatory violation", () => {
      expect(result.exitCode, io.stdout.filter((l) => l.includes("mandatory")).join("\n")).to.equal(
        EXIT.clean,
      );
      expect(result.stacks.map((s) => s.stack)).to.deep.equal(["us-east-1", "ca-central-1"]);
    });

    it("prints each stack's resource tree, counts, outputs, policies and the DR report", () => {
      const text = io.stdout.join("\n");
      expect(text).to.contain("Stack us-east-1 (us-east-1, active, home)");
      expect(text).to.contain("Stack ca-central-1 (ca-central-1, passive, standby)");
      expect(text).to.match(/\+ {3}pulumi:pulumi:Stack {2}multi-region-web-us-east-1/);
      expect(text).to.match(/├─ multi-region-web:\w+:TierAsg {2}frontend/);
      expect(text).to.contain("Resources:");
      expect(text).to.contain("Outputs:");
      expect(text).to.match(/Policies: 0 mandatory violation\(s\), \d+ advisory/);
      expect(text).to.contain("Disaster recovery (active region lost)");
      expect(text).to.contain("monthly on-demand cost (ESTIMATE)");
    });

    it("writes JSON with the stacks, resources, counts, outputs, policies and DR report", () => {
      const json = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as Plan;
      expect(json.exitCode).to.equal(0);
      expect(json.stacks).to.have.length(2);
      for (const stack of json.stacks) {
        expect(stack).to.have.keys(
          "stack",
          "region",
          "role",
          "home",
          "resources",
          "countsByType",
          "outputs",
          "policies",
        );
        expect(stack.resources.length).to.equal(Object.values(stack.countsByType).reduce((a, b) => a + b, 0));
        expect(stack.resources[0]).to.include.keys("urn", "type", "name");
        expect(stack.policies).to.have.keys("mandatory", "advisory");
        expect(stack.outputs).to.have.property("publicAlbDnsName");
      }
      expect(json.dr).to.include.keys(
        "detectionSeconds",
        "dnsSeconds",
        "standbyServesSeconds",
        "auroraWritesSeconds",
        "rpo",
        "assumptions",
        "regions",
        "standbyCostPercentOfActive",
        "priceTable",
      );
      expect(json.dr!.regions.map((r) => r.role)).to.deep.equal(["active", "passive"]);
    });

    it("plans one stack with --stack; the DR report still covers both regions", async () => {
      for (const stack of ["ca-central-1", "us-east-1"]) {
        const one = await plan({ color: false, help: false, stack }, capture());
        expect(one.exitCode).to.equal(EXIT.clean);
        expect(one.stacks.map((s) => s.stack)).to.deep.equal([stack]);
        expect(one.dr, stack).to.deep.equal(result.dr);
      }
    });
  });

  it("exit 1: a mandatory violation injected through a test stack config", async () => {
    const stacks = stacksWith({ "ca-central-1": { [`${PROJECT}:protectData`]: "false" } });
    const policyConfig = path.join(tmp, "policy-config.json");
    fs.writeFileSync(policyConfig, JSON.stringify({ "dr-stateful-protected": "mandatory" }));
    const io = capture();
    const result = await plan({ color: false, help: false, policyConfig }, io, stacks);
    expect(result.exitCode).to.equal(EXIT.mandatory);
    const standby = result.stacks.find((s) => s.stack === "ca-central-1")!;
    expect(standby.policies.mandatory.map((v) => v.policyName)).to.include("dr-stateful-protected");
    expect(result.stacks.find((s) => s.stack === "us-east-1")!.policies.mandatory).to.be.empty;
    expect(io.stdout.join("\n")).to.contain("mandatory policy violation(s)");
  });

  it("exit 2: a bad config, with the config module's message and no stack trace", async () => {
    const stacks = stacksWith({ "us-east-1": { [`${PROJECT}:azCount`]: "7" } });
    const io = capture();
    const result = await plan({ color: false, help: false }, io, stacks);
    expect(result.exitCode).to.equal(EXIT.badInput);
    const err = io.stderr.join("\n");
    expect(err).to.contain('stack us-east-1: Invalid config "azCount" = 7: must be an integer from 2 to 3');
    expect(err).to.not.match(/\n\s+at /);
  });

  it("follows the organization the stack files name (a Pulumi Cloud organization)", async () => {
    const stacks = stacksWith({
      "ca-central-1": { [`${PROJECT}:primaryStack`]: "my-org/multi-region-web/us-east-1" },
    });
    const result = await plan({ color: false, help: false }, capture(), stacks);
    expect(result.exitCode).to.equal(EXIT.clean);
    expect(result.stacks).to.have.length(2);
  });

  it("exit 2: a primaryStack that names no home stack file", async () => {
    const stacks = stacksWith({
      "ca-central-1": { [`${PROJECT}:primaryStack`]: "organization/multi-region-web/eu-west-1" },
    });
    const io = capture();
    const result = await plan({ color: false, help: false }, io, stacks);
    expect(result.exitCode).to.equal(EXIT.badInput);
    expect(io.stderr.join("\n")).to.contain(
      'stack ca-central-1: primaryStack "organization/multi-region-web/eu-west-1" is not a home stack of these stack files',
    );
  });

  it("exit 2: a policy pack config with an unknown policy, a bad level or a bad setting", async () => {
    for (const [content, message] of [
      [{ "no-such-policy": "mandatory" }, '"no-such-policy" is not a policy of this pack'],
      [{ "alb-access-logs": "blocking" }, "blocking"],
      [{ "dr-standby-capacity": { activeCapacity: "ten" } }, "activeCapacity"],
    ] as const) {
      const file = path.join(tmp, "policy-config-bad.json");
      fs.writeFileSync(file, JSON.stringify(content));
      const io = capture();
      const result = await plan({ color: false, help: false, policyConfig: file }, io);
      expect(result.exitCode, JSON.stringify(content)).to.equal(EXIT.badInput);
      expect(io.stderr.join("\n")).to.contain(`--policy-pack-config "${file}"`).and.to.contain(message);
    }
  });

  it("exit 2: a --json file that cannot be written", async () => {
    const io = capture();
    const result = await plan(
      { color: false, help: false, json: path.join(tmp, "missing-dir", "p.json") },
      io,
    );
    expect(result.exitCode).to.equal(EXIT.badInput);
    expect(io.stderr.join("\n")).to.contain("cannot write the file");
  });

  it("exit 2: an unreadable policy pack config", async () => {
    const io = capture();
    const bad = path.join(tmp, "bad.json");
    fs.writeFileSync(bad, "{ not json");
    const result = await plan({ color: false, help: false, policyConfig: bad }, io);
    expect(result.exitCode).to.equal(EXIT.badInput);
    expect(io.stderr.join("\n")).to.contain(`--policy-pack-config "${bad}": not valid JSON`);
  });

  describe("DR arithmetic", () => {
    const { aliasRecordTtl, operatorResponse, auroraPromotion } = DR_ASSUMPTIONS;

    it("default config: 10 s × 3 detection, 60 s DNS", async () => {
      const dr = drReport(await committedStackRuns());
      // Hand-computed: 10 × 3 = 30; 30 + 60 = 90; 30 + 300 + 60 = 390; 90 + 300 (grace) = 390.
      expect(aliasRecordTtl.seconds).to.equal(60);
      expect(operatorResponse.seconds).to.equal(300);
      expect(auroraPromotion.seconds).to.equal(60);
      expect(dr.detectionSeconds).to.equal(30);
      expect(dr.dnsSeconds).to.equal(60);
      expect(dr.standbyServesSeconds).to.equal(90);
      expect(dr.dynamoWritesSeconds).to.equal(90);
      expect(dr.auroraWritesSeconds).to.equal(390);
      expect(dr.fullCapacitySeconds).to.equal(390);
    });

    it("30 s × 2 detection and a 600 s grace period in the standby", async () => {
      const runs = await runAllStacks(
        stacksWith({
          "us-east-1": {
            [`${PROJECT}:healthCheckInterval`]: "30",
            [`${PROJECT}:healthCheckFailureThreshold`]: "2",
          },
          "ca-central-1": {
            [`${PROJECT}:frontend`]: JSON.stringify({ healthCheckGracePeriod: 600 }),
          },
        }),
      );
      const dr = drReport(runs);
      // Hand-computed: 30 × 2 = 60; 60 + 60 = 120; 60 + 300 + 60 = 420; 120 + 600 = 720.
      expect(dr.detectionSeconds).to.equal(60);
      expect(dr.standbyServesSeconds).to.equal(120);
      expect(dr.auroraWritesSeconds).to.equal(420);
      expect(dr.fullCapacitySeconds).to.equal(720);
    });

    it("the standby's footprint and cost against the active region", async () => {
      const dr = drReport(await committedStackRuns());
      const [active, passive] = dr.regions;
      expect(active.tiers.map((t) => [t.tier, t.desired, t.max])).to.deep.equal([
        ["backend", 2, 6],
        ["frontend", 2, 6],
      ]);
      expect(passive.tiers.map((t) => [t.tier, t.desired, t.max])).to.deep.equal([
        ["backend", 1, 6],
        ["frontend", 1, 6],
      ]);
      expect([active.natGateways, passive.natGateways]).to.deep.equal([2, 1]);
      expect([active.dbInstances, passive.dbInstances]).to.deep.equal([2, 1]);
      // t3.small: 0.0208 $/h in us-east-1 × 730 h × 2 instances = 30.368 → 30.37 per tier.
      expect(active.monthlyCost.items.find((i) => i.item === "EC2 t3.small (frontend)")!.monthlyUsd).to.equal(
        30.37,
      );
      // db.r6g.large: 0.286 $/h in ca-central-1 × 730 h = 208.78.
      expect(passive.monthlyCost.items.find((i) => i.item.startsWith("Aurora"))!.monthlyUsd).to.equal(208.78);
      const sum = (r: typeof active) => r.monthlyCost.items.reduce((s, i) => s + i.monthlyUsd, 0);
      expect(active.monthlyCost.totalUsd).to.be.closeTo(sum(active), 0.001);
      expect(dr.standbyCostPercentOfActive).to.be.closeTo(
        (passive.monthlyCost.totalUsd / active.monthlyCost.totalUsd) * 100,
        0.01,
      );
      expect(dr.standbyCostPercentOfActive).to.be.lessThan(100);
    });
  });
});
