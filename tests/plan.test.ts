/** The offline plan: exit codes, the JSON shape, and the DR arithmetic against hand-computed values. */
import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DR_ASSUMPTIONS, drReport } from "../tools/drReport";
import { listControlStackFiles, listStackFiles, StackFile } from "../tools/mocks";
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

/** The committed control stack file with some keys changed. */
function controlWith(overrides: Record<string, string>): StackFile[] {
  return listControlStackFiles().map((s) => ({ ...s, config: { ...s.config, ...overrides } }));
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
        '--stack "eu-west-9": no such stack file; allowed: ca-central-1, us-east-1, global',
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

    it("exit 0: every stack plans with no policy violation but the missing default tags", () => {
      expect(result.exitCode, io.stdout.filter((l) => l.includes("mandatory")).join("\n")).to.equal(
        EXIT.clean,
      );
      expect(result.stacks.map((s) => s.stack)).to.deep.equal(["us-east-1", "ca-central-1", "global"]);
      for (const stack of result.stacks) {
        expect(stack.policies.mandatory, stack.stack).to.deep.equal([]);
        // Until the stack files set aws:defaultTags (issue 12): one advisory finding per stack.
        expect(
          stack.policies.advisory.map((v) => v.policyName),
          stack.stack,
        ).to.deep.equal(["required-tags"]);
      }
    });

    it("prints each stack's resource tree, counts, outputs, policies and the DR report", () => {
      const text = io.stdout.join("\n");
      expect(text).to.contain("Stack us-east-1 (us-east-1, active, home)");
      expect(text).to.contain("Stack ca-central-1 (ca-central-1, passive, standby)");
      expect(text).to.contain("Stack global (us-east-1, failover control)");
      expect(text).to.match(/├─ multi-region-web:failover:FailoverPlan {2}plan-ca-central-1/);
      expect(text).to.match(/\+ {3}pulumi:pulumi:Stack {2}multi-region-web-us-east-1/);
      expect(text).to.match(/├─ multi-region-web:\w+:TierAsg {2}frontend/);
      expect(text).to.contain("Resources:");
      expect(text).to.contain("Outputs:");
      expect(text).to.match(/Policies: 0 mandatory violation\(s\), \d+ advisory/);
      expect(text).to.contain("Disaster recovery");
      expect(text).to.contain(
        "Plan multi-region-web-ca-central-1, activate ca-central-1 (automatic trigger)",
      );
      expect(text).to.contain("(b) the whole active region is down");
      expect(text).to.contain("1 × ARC Region switch plan");
      expect(text).to.contain("monthly on-demand cost (ESTIMATE)");
    });

    it("writes JSON with the stacks, resources, counts, outputs, policies and DR report", () => {
      const json = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as Plan;
      expect(json.exitCode).to.equal(0);
      expect(json.stacks).to.have.length(3);
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
        expect(stack.outputs).to.have.property(stack.role === "control" ? "plans" : "publicAlbDnsName");
      }
      expect(json.dr).to.include.keys(
        "detectionSeconds",
        "dnsSeconds",
        "capacitySeconds",
        "plan",
        "cases",
        "assumptions",
        "regions",
        "control",
        "standbyCostPercentOfActive",
        "priceTable",
      );
      expect(json.dr!.cases.map((c) => c.id)).to.deep.equal(["a", "b", "c", "d", "e"]);
      expect(json.dr!.regions.map((r) => r.role)).to.deep.equal(["active", "passive"]);
    });

    it("plans one stack with --stack; the DR report still covers every stack", async () => {
      for (const stack of ["ca-central-1", "us-east-1", "global"]) {
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
    const control = controlWith({
      "multi-region-web-control:homeStack": "my-org/multi-region-web/us-east-1",
    });
    const result = await plan({ color: false, help: false }, capture(), stacks, control);
    expect(result.exitCode).to.equal(EXIT.clean);
    expect(result.stacks).to.have.length(3);
  });

  it("exit 2: a control stack whose homeStack is not the stack files' home, naming its file", async () => {
    const stacks = stacksWith({
      "ca-central-1": { [`${PROJECT}:primaryStack`]: "my-org/multi-region-web/us-east-1" },
    });
    const io = capture();
    const result = await plan({ color: false, help: false }, io, stacks);
    expect(result.exitCode).to.equal(EXIT.badInput);
    expect(io.stderr.join("\n")).to.contain(
      'control stack global (control/Pulumi.global.yaml): homeStack "organization/multi-region-web/us-east-1" is not the home stack of these stack files; expected: my-org/multi-region-web/us-east-1',
    );
  });

  it("exit 2: a control stack config error names the stack and the key", async () => {
    const io = capture();
    const result = await plan(
      { color: false, help: false },
      io,
      listStackFiles(),
      controlWith({ "aws:region": "ca-central-1" }),
    );
    expect(result.exitCode).to.equal(EXIT.badInput);
    expect(io.stderr.join("\n")).to.contain(
      'stack global: Invalid config "aws:region" = "ca-central-1": must be us-east-1',
    );
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
    const a = DR_ASSUMPTIONS;

    it("default config: deep check 10 s × 3, then the plan's steps (hand-computed)", async () => {
      const dr = drReport(await committedStackRuns());
      expect([a.aliasRecordTtl.seconds, a.arcStepStart.seconds, a.auroraFailover.seconds]).to.deep.equal([
        60, 15, 60,
      ]);
      expect([a.auroraSwitchover.seconds, a.healthCheckFlip.seconds, a.instanceBoot.seconds]).to.deep.equal([
        120, 30, 90,
      ]);
      expect(dr.detectionSeconds).to.equal(30);
      expect(dr.dnsSeconds).to.equal(60);
      // 90 s boot + healthy threshold 2 × interval 15 s.
      expect(dr.capacitySeconds).to.equal(120);
      const t = dr.plan!;
      expect(t.planName).to.equal("multi-region-web-ca-central-1");
      expect(t.automatic).to.equal(true);
      expect(t.manualApproval).to.equal(false);
      expect(t.steps.map((s) => [s.name, s.ungracefulSeconds, s.gracefulSeconds])).to.deep.equal([
        // max(capacity ungraceful 15 + 0, Aurora 15 + 60) ; max(15 + 120, 15 + 120)
        ["scale-and-move-writer", 75, 135],
        // 15 + 30
        ["route-traffic", 45, 45],
      ]);
      expect(t.ungraceful).to.deep.equal({ writesSeconds: 75, trafficSeconds: 75 + 45 + 60 });
      expect(t.graceful).to.deep.equal({ writesSeconds: 135, trafficSeconds: 135 + 45 + 60 });
    });

    it("meets the failover targets: reads from the standby ≤ 90 s (automatic), writes ≤ 3 min of machine time after the decision", async () => {
      const dr = drReport(await committedStackRuns());
      const byId = Object.fromEntries(dr.cases.map((c) => [c.id, c]));
      expect(byId.a.readsSeconds).to.equal(90);
      expect(byId.a.readsAfterDecision).to.equal(false);
      expect(byId.a.decisionSeconds).to.equal(0);
      for (const id of ["b", "c"]) {
        expect(byId[id].readsSeconds, id).to.be.at.most(90);
        expect(byId[id].writesSeconds, id).to.be.at.most(180);
        expect(byId[id].decisionSeconds, id).to.equal(a.humanDecision.seconds);
      }
      expect(byId.d.writesSeconds).to.equal(135);
      expect(byId.d.rpo).to.equal("none");
      expect(byId.b.rpo).to.contain("typically under 1 s");
    });

    it("30 s × 2 detection, a manual control stack with approval: reads wait for the operator and the plan", async () => {
      const runs = await runAllStacks(
        stacksWith({
          "us-east-1": {
            [`${PROJECT}:healthCheckInterval`]: "30",
            [`${PROJECT}:healthCheckFailureThreshold`]: "2",
          },
        }),
        controlWith({
          "multi-region-web-control:automaticFailover": "false",
          "multi-region-web-control:manualApproval": "true",
        }),
      );
      const dr = drReport(runs);
      expect(dr.detectionSeconds).to.equal(60);
      const t = dr.plan!;
      expect(t.automatic).to.equal(false);
      expect(t.manualApproval).to.equal(true);
      expect(t.steps.map((s) => [s.name, s.ungracefulSeconds])).to.deep.equal([
        ["approve", 0],
        ["scale-and-move-writer", 75],
        ["route-traffic", 45],
      ]);
      const caseA = dr.cases.find((c) => c.id === "a")!;
      expect(caseA.readsAfterDecision).to.equal(true);
      expect(caseA.readsSeconds).to.equal(t.graceful.trafficSeconds);
      expect(caseA.decisionSeconds).to.equal(a.humanDecision.seconds);
      expect(dr.cases.find((c) => c.id === "b")!.readsSeconds).to.equal(t.ungraceful.trafficSeconds);
    });

    it("an ARC plan costs its price table figure, in the control stack apart from the regions", async () => {
      const dr = drReport(await committedStackRuns());
      const plan = dr.control!.monthlyCost.items.find((i) => i.item === "ARC Region switch plan")!;
      expect(plan).to.deep.equal({ item: "ARC Region switch plan", quantity: 1, monthlyUsd: 70 });
      expect(dr.regions.map((r) => r.role)).to.deep.equal(["active", "passive"]);
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
