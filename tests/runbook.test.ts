/**
 * docs/runbook.md as code. Its shell blocks are what an on-call engineer pastes at 3 a.m. during a
 * us-east-1 outage, into bash or zsh: each is run here in both shells, interactive as a terminal is
 * (history expansion on, zsh without `interactivecomments`), against a stub `aws` that answers as
 * ARC, SSM, STS and CloudWatch do (tests/awsStub.ts) in every execution state the runbook handles
 * (tests/runbookScenarios.ts). Each run is held to: the calls it makes and their order, every call in
 * the region being activated (STS through that region's endpoint), none to us-east-1 in the unplanned
 * failover, every call valid for its operation (parameters and enum values of the API references), a
 * failing lookup stopping everything after it, and names that the stacks register under the mocks.
 * The generated sections (cases, timings) are checked fresh against the DR report.
 *
 * zsh is not on every machine image: without it the zsh runs fail with a message saying how to
 * install it (`.ci/run` does), never skip.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { ROOT_DIR, StackRun } from "../tools/mocks";
import { fixtureStackRuns, isControlRun } from "../tools/runStacks";
import { renderRunbook, CASE_DNS } from "../tools/runbookDocs";
import { EXECUTION_STATES, STEP_STATUSES } from "../tools/drillReport";
import { Call, mutates, paste, Run, Shell, shellMissing, validateCall } from "./awsStub";
import { ofType } from "./helpers";
import {
  APPROVER_KEY,
  HOME,
  PAUSED,
  SCENARIOS,
  STANDBY,
  STARTED,
  TRIGGERED,
  World,
} from "./runbookScenarios";

const RUNBOOK_FILE = path.join(ROOT_DIR, "docs", "runbook.md");
const doc = fs.readFileSync(RUNBOOK_FILE, "utf8");

interface Block {
  id: string;
  /** The region the block activates (or reads for), when the block says. */
  region?: string;
  setup: boolean;
  text: string;
}

/** Every sh block, with the annotation before it (`<!-- block ID region=R -->` or `<!-- setup -->`). */
function blocksOf(text: string): Block[] {
  const found: Block[] = [];
  for (const m of text.matchAll(/^```sh\n([\s\S]*?)^```/gm)) {
    const before = text.slice(0, m.index).trimEnd();
    const note = /<!-- (block (\w+)(?: region=([a-z0-9-]+))?|setup) -->$/.exec(before);
    if (!note)
      throw new Error(`docs/runbook.md: a sh block without <!-- block ID --> or <!-- setup -->:\n${m[1]}`);
    found.push({ id: note[2] ?? "setup", region: note[3], setup: note[1] === "setup", text: m[1] });
  }
  return found;
}

const blocks = blocksOf(doc);
const byId = new Map(blocks.map((b) => [b.id, b]));
const block = (id: string) => {
  const b = byId.get(id);
  if (!b) throw new Error(`docs/runbook.md has no block ${id}`);
  return b;
};
const SHELLS: Shell[] = ["bash", "zsh"];

/** The text of a markdown section, from its heading to the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = doc.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/runbook.md has no "${heading}"`);
  const level = /^#+/.exec(heading)![0].length;
  const rest = doc.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`\\n#{1,${level}} `));
  return next < 0 ? rest : rest.slice(0, next);
}

let runs: StackRun[];
let world: World;

before(async function () {
  this.timeout(60_000);
  runs = await fixtureStackRuns();
  const control = runs.find(isControlRun)!;
  const plan = (control.outputs.plans as Record<string, { planArn: string; approvalRoleArn: string }>)[
    STANDBY
  ];
  world = { planArn: plan.planArn, approvalRoleArn: plan.approvalRoleArn };
});

describe("docs/runbook.md: the blocks as text", () => {
  it("has every block a section needs: A1-A5, B1-B2, C1-C2, E0-E4, P1, F1", () => {
    expect(blocks.filter((b) => !b.setup).map((b) => b.id)).to.have.members([
      "P1",
      "A1",
      "A2",
      "A3",
      "A4",
      "A5",
      "B1",
      "B2",
      "C1",
      "C2",
      "E0",
      "E1",
      "E2",
      "E3",
      "E4",
      "F1",
    ]);
  });

  it("the unplanned failover is five blocks, A1 to A5, and each is one command list", () => {
    const inA = blocksOf(section("## A. Unplanned failover: the home region is down"));
    expect(inA.map((b) => b.id)).to.deep.equal(["A1", "A2", "A3", "A4", "A5"]);
    for (const b of blocks.filter((x) => !x.setup)) {
      // Every line but the last continues the list (`&&`), or is part of one case … esac.
      const lines = b.text.trimEnd().split("\n");
      let inCase = false;
      lines.slice(0, -1).forEach((line, i) => {
        if (/\bcase\b.*\bin$/.test(line)) inCase = true;
        if (/^esac\b/.test(line)) inCase = false;
        if (!inCase) expect(line, `${b.id} line ${i + 1}`).to.match(/&&$/);
      });
    }
  });

  it("is paste-safe: no placeholder, no comment, no history expansion, no tab, nothing to edit", () => {
    for (const b of blocks) {
      expect(b.text, b.id).not.to.match(/<[A-Za-z][^>]*>/);
      expect(b.text, b.id).not.to.include("#");
      expect(b.text, b.id).not.to.include("!");
      expect(b.text, b.id).not.to.include("\t");
      expect(b.text, b.id).not.to.match(/\.\.\.|…/);
      // A quote inside ${VAR:?message} within double quotes starts a quoted string in bash and zsh
      // that runs to the next one, blocks away: it swallows everything between.
      for (const [expansion] of b.text.matchAll(/\$\{[^}]*\}/g))
        expect(expansion, b.id).not.to.match(/['"`]/);
    }
  });

  it("parses in bash and zsh", () => {
    for (const shell of SHELLS) {
      const missing = shellMissing(shell);
      if (missing) throw new Error(missing);
      for (const b of blocks) execFileSync(shell, ["-n"], { input: b.text });
    }
  });

  it("names the region in every AWS call: the block's own, through its R", () => {
    for (const b of blocks.filter((x) => !x.setup)) {
      const calls = b.text.split(/(?=\baws [a-z])/).filter((c) => /^aws [a-z]/.test(c));
      expect(calls.length, b.id).to.be.greaterThan(0);
      for (const c of calls) expect(c, b.id).to.match(/^aws \S+ \S+ --region "\$R"/);
      // The block's region is set in the section's first block; none of the unplanned ones is us-east-1.
      if (b.region) expect([STANDBY, HOME], b.id).to.include(b.region);
    }
    for (const b of blocksOf(section("## A. Unplanned failover: the home region is down")))
      expect(b.text).not.to.include(HOME);
  });

  it("handles every ExecutionState and StepStatus of the ARC API by name", () => {
    const states = section("### Execution states and what to do");
    for (const s of EXECUTION_STATES) expect(states, s).to.include(`| \`${s}\``);
    for (const s of STEP_STATUSES) expect(states, s).to.include(`\`${s}\``);
    expect(doc).to.include("switchToUngraceful");
    expect(doc).to.match(/--action resume/);
    expect(doc).to.match(/--action-to-take skip/);
    // No state filter: a paused automatic run is not inProgress.
    expect(doc).not.to.match(/list-plan-executions[^\n]*--state/);
  });
});

/**
 * The ARC operations ARC serves from every region's data plane ("Data plane API: Yes", ARC Developer
 * Guide, "Region switch API operations"); GetPlan, ListPlans, ListRoute53HealthChecks, CreatePlan,
 * UpdatePlan, DeletePlan and the tag operations are us-east-1's control plane.
 */
const ARC_DATA_PLANE = [
  "approve-plan-execution-step",
  "cancel-plan-execution",
  "get-plan-evaluation-status",
  "get-plan-execution",
  "get-plan-in-region",
  "list-plan-execution-events",
  "list-plan-executions",
  "list-plans-in-region",
  "list-route53-health-checks-in-region",
  "start-plan-execution",
  "update-plan-execution",
  "update-plan-execution-step",
];

describe("docs/runbook.md: only data planes", () => {
  it("every ARC operation a block calls is a data-plane operation, served in the region it names", () => {
    const used = new Set(
      [
        ...blocks
          .map((b) => b.text)
          .join("\n")
          .matchAll(/aws arc-region-switch ([a-z0-9-]+)/g),
      ].map(([, op]) => op),
    );
    expect(used.size).to.be.greaterThan(8);
    for (const op of used) expect(ARC_DATA_PLANE, op).to.include(op);
    const arch = fs.readFileSync(path.join(ROOT_DIR, "docs", "architecture.md"), "utf8");
    expect(arch).to.include("## Static stability: what a failover needs");
    expect(arch).to.include("internal/service/dynamodb/table_replica.go");
  });

  it("docs/teardown.md names the trigger witness's log key, which the control stack protects, in its region", () => {
    const control = runs.find(isControlRun)!;
    const keys = ofType(control, "aws:kms/key:Key").filter((k) => k.protect && k.region !== "us-east-1");
    expect(keys.map((k) => k.region)).to.deep.equal(["us-west-2"]);
    const teardown = fs.readFileSync(path.join(ROOT_DIR, "docs", "teardown.md"), "utf8");
    expect(teardown).to.match(
      /the trigger witness's log key, in each of `triggerWitnessRegions` \(us-west-2 by default\)/,
    );
  });
});

describe("docs/runbook.md: names the stacks register", () => {
  it("every SSM parameter, cluster, global cluster, alarm and step name it gives exists in the example stacks", () => {
    const control = runs.find(isControlRun)!;
    const known = new Set<string>();
    for (const run of runs) {
      for (const r of run.resources) {
        for (const key of ["name", "clusterIdentifier", "globalClusterIdentifier"]) {
          const v = r.inputs[key];
          if (typeof v === "string") known.add(v);
        }
        if (typeof r.outputs.name === "string") known.add(r.outputs.name);
      }
    }
    const plan = ofType(control, "aws:arcregionswitch/plan:Plan")[0];
    const stepNames = (
      plan.inputs.workflows as {
        steps: { name: string; parallelConfigs?: { steps: { name: string }[] }[] }[];
      }[]
    )
      .flatMap((w) => w.steps)
      .flatMap((s) => [s.name, ...(s.parallelConfigs ?? []).flatMap((p) => p.steps.map((x) => x.name))]);
    for (const s of stepNames) known.add(s);
    const named = [...doc.matchAll(/`((?:\/failover\/|multi-region-web-)[\w./-]+)`/g)].map(([, n]) => n);
    expect(named.length).to.be.greaterThan(5);
    for (const n of named) {
      if (n.endsWith("-*"))
        expect(
          [...known].some((k) => k.startsWith(n.slice(0, -1))),
          n,
        ).to.equal(true);
      else expect(known.has(n), n).to.equal(true);
    }
    for (const s of [
      "approve",
      "scale-and-move-writer",
      "scale-frontend",
      "scale-backend",
      "scale-aurora",
      "move-aurora-writer",
      "route-traffic",
    ])
      expect(stepNames, s).to.include(s);
  });

  it("the after-care range is the example standby's own Serverless v2 range", () => {
    const standby = runs.find((r) => r.stack === STANDBY)!;
    const cluster = ofType(standby, "aws:rds/cluster:Cluster")[0];
    const range = cluster.inputs.serverlessv2ScalingConfiguration as {
      minCapacity: number;
      maxCapacity: number;
    };
    expect(block("F1").text).to.include(`MinCapacity=${range.minCapacity},MaxCapacity=${range.maxCapacity}`);
  });
});

describe("docs/runbook.md: generated sections", function () {
  this.timeout(30_000);
  it("the cases and timings are the DR report's (run `npm run runbook-docs`)", async () => {
    expect(doc).to.equal(await renderRunbook(doc, runs));
  });

  it("each case's DNS answer is the one docs/dns-scenarios.md's Route 53 model gives", () => {
    const scenarios = fs.readFileSync(path.join(ROOT_DIR, "docs", "dns-scenarios.md"), "utf8");
    const twoRegions = scenarios.split("## Two regions, automatic failover")[1].split("\n## ")[0];
    const rows = new Map(
      twoRegions
        .split("\n")
        .filter((l) => /^\| \d+ /.test(l))
        .map((l) => {
          const cells = l.split("|").map((c) => c.trim());
          return [Number(cells[1]), [cells[5], cells[6]]] as const;
        }),
    );
    for (const [id, answers] of Object.entries(CASE_DNS)) {
      for (const a of answers) {
        const region = a.serves === "home" ? HOME : STANDBY;
        expect(rows.get(a.row), `case ${id} row ${a.row}`).to.deep.equal([`**${region}**`, `**${region}**`]);
      }
    }
  });
});

/** The stub's calls, each checked against its operation's parameters. */
function checked(run: Run): Call[] {
  expect(run.unanswered, `calls the scenario has no answer for\n${run.stderr}`).to.deep.equal([]);
  for (const call of run.calls) expect(validateCall(call), call.args.join(" ")).to.deep.equal([]);
  return run.calls;
}

const ops = (calls: Call[]) => calls.map((c) => c.op.replace("arc-region-switch ", ""));

for (const shell of SHELLS) {
  describe(`docs/runbook.md pasted into ${shell}`, function () {
    this.timeout(30_000);
    const runOf = (title: string): { run: Run; region: string } => {
      const s = SCENARIOS.find((x) => x.title === title)!;
      const text = s.blocks.map((id) => block(id).text).join("");
      const region = block(s.blocks[0]).region ?? STANDBY;
      return { run: paste(shell, text, s.responses(world)), region };
    };
    const inRegion = (calls: Call[], region: string) => {
      for (const c of calls) {
        expect(c.options["--region"], c.args.join(" ")).to.equal(region);
        if (c.op === "sts assume-role")
          expect(c.options["--endpoint-url"]).to.equal(`https://sts.${region}.amazonaws.com`);
      }
    };

    it(SCENARIOS[0].title, () => {
      const { run, region } = runOf(SCENARIOS[0].title);
      const calls = checked(run);
      expect(ops(calls)).to.deep.equal([
        "ssm get-parameter",
        "list-plan-executions",
        "cloudwatch describe-alarms",
        "cloudwatch get-metric-statistics",
        "list-plan-executions",
        "update-plan-execution",
        "ssm get-parameter",
        "sts assume-role",
        "approve-plan-execution-step",
        "get-plan-execution",
      ]);
      inRegion(calls, region);
      for (const c of calls) expect(c.args.join(" "), "a call to us-east-1").not.to.include(HOME);
      expect(calls[0].options["--name"]).to.equal("/failover/multi-region-web-ca-central-1/plan-arn");
      expect(calls[5].options).to.include({ "--execution-id": TRIGGERED, "--action": "switchToUngraceful" });
      expect(calls[6].options["--name"]).to.equal(
        "/failover/multi-region-web-ca-central-1/approval-role-arn",
      );
      expect(calls[7].options["--role-arn"]).to.equal(world.approvalRoleArn);
      // The approval runs with the approval role's credentials, and only the approval.
      expect(calls[8].options).to.include({
        "--execution-id": TRIGGERED,
        "--step-name": "approve",
        "--approval": "approve",
      });
      expect(calls.map((c) => c.accessKey)).to.deep.equal(
        calls.map((c) => (c.op.endsWith("approve-plan-execution-step") ? APPROVER_KEY : "AKIAOPERATOR")),
      );
      expect(calls[3].options["--dimensions"]).to.equal(
        "Name=DBClusterIdentifier,Value=multi-region-web-ca-central-1-cluster",
      );
      expect(Number(calls[3].options["--end-time"]) - Number(calls[3].options["--start-time"])).to.equal(
        3600,
      );
      // What the operator reads: the probe alarms (not the unrelated one), the lag in order, the final state.
      expect(run.stdout).to.include("multi-region-web-ca-central-1-home-down-from-us-west-2\tALARM");
      expect(run.stdout).not.to.include("ops-public-alb-5xx-rate");
      expect(run.stdout).to.match(
        /03:02:00\+00:00\t412[\s\S]*03:03:00\+00:00\t405[\s\S]*03:04:00\+00:00\t380/,
      );
      expect(run.stdout).to.include("completed\tungraceful");
    });

    it(SCENARIOS[1].title, () => {
      const { run, region } = runOf(SCENARIOS[1].title);
      const calls = checked(run);
      expect(ops(calls).filter((o) => !o.startsWith("cloudwatch"))).to.deep.equal([
        "ssm get-parameter",
        "list-plan-executions",
        "list-plan-executions",
        "start-plan-execution",
        "ssm get-parameter",
        "sts assume-role",
        "approve-plan-execution-step",
        "get-plan-execution",
      ]);
      inRegion(calls, region);
      const start = calls.find((c) => c.op.endsWith("start-plan-execution"))!;
      expect(start.options).to.include({
        "--target-region": STANDBY,
        "--action": "activate",
        "--mode": "ungraceful",
      });
      expect(
        calls.find((c) => c.op.endsWith("approve-plan-execution-step"))!.options["--execution-id"],
      ).to.equal(STARTED);
      for (const c of calls) expect(c.args.join(" ")).not.to.include(HOME);
    });

    it(SCENARIOS[2].title, () => {
      const { run, region } = runOf(SCENARIOS[2].title);
      const calls = checked(run);
      expect(ops(calls)).to.deep.equal([
        "ssm get-parameter",
        "list-plan-executions",
        "list-plan-executions",
        "update-plan-execution",
        "get-plan-execution",
        "list-plan-execution-events",
        "update-plan-execution-step",
        "update-plan-execution",
        "get-plan-execution",
      ]);
      inRegion(calls, region);
      expect(calls[3].options).to.include({ "--execution-id": PAUSED, "--action": "switchToUngraceful" });
      expect(calls[6].options).to.include({
        "--execution-id": PAUSED,
        "--step-name": "scale-aurora",
        "--action-to-take": "skip",
      });
      expect(calls[7].options).to.include({ "--action": "resume" });
      expect(run.stdout).to.include(
        "scale-aurora\tstepFailed\tUnable to read the capacity of the source cluster in us-east-1",
      );
      expect(run.stdout).to.include("completedWithExceptions\tungraceful");
    });

    it(SCENARIOS[3].title, () => {
      const { run, region } = runOf(SCENARIOS[3].title);
      const calls = checked(run);
      expect(ops(calls)).to.deep.equal([
        "ssm get-parameter",
        "list-plan-executions",
        "list-plan-executions",
        "update-plan-execution",
        "list-plan-executions",
        "cancel-plan-execution",
        "list-plan-executions",
        "start-plan-execution",
      ]);
      inRegion(calls, region);
      expect(calls[5].options["--execution-id"]).to.equal(TRIGGERED);
      expect(calls[7].options).to.include({ "--mode": "ungraceful" });
      expect(run.stdout + run.stderr).to.include(`execution ${STARTED} is ungraceful`);
    });

    it(SCENARIOS[4].title, () => {
      const { run } = runOf(SCENARIOS[4].title);
      const calls = checked(run);
      expect(calls.filter(mutates)).to.deep.equal([]);
      expect(run.stderr).to.include("more than one open execution");
    });

    it(SCENARIOS[5].title, () => {
      const { run } = runOf(SCENARIOS[5].title);
      const calls = checked(run);
      expect(calls.filter(mutates), "a mutating call after a failed lookup").to.deep.equal([]);
      // A1 stops at the lookup: its listing never runs.
      expect(ops(calls)[0]).to.equal("ssm get-parameter");
      expect(ops(calls)).not.to.include("list-plan-executions");
      expect(run.stderr).to.match(/paste A1 first|paste the first block of the section/);
    });

    it(SCENARIOS[6].title, () => {
      const { run } = runOf(SCENARIOS[6].title);
      const calls = checked(run);
      expect(ops(calls)).not.to.include("approve-plan-execution-step");
      expect(ops(calls).at(-1)).to.equal("sts assume-role");
    });

    it(SCENARIOS[7].title, () => {
      const { run, region } = runOf(SCENARIOS[7].title);
      const calls = checked(run);
      expect(ops(calls)).to.deep.equal([
        "ssm get-parameter",
        "get-plan-evaluation-status",
        "list-route53-health-checks-in-region",
        "ssm get-parameter",
        "list-plan-executions",
        "get-plan-evaluation-status",
        "start-plan-execution",
        "ssm get-parameter",
        "sts assume-role",
        "approve-plan-execution-step",
        "get-plan-execution",
      ]);
      inRegion(calls, region);
      expect(calls[6].options).to.include({ "--mode": "graceful", "--target-region": STANDBY });
      expect(run.stdout).to.include(`${HOME}\tapp.example.com\t`);
      expect(run.stdout).to.match(/^passed\t/m);
    });

    it(SCENARIOS[8].title, () => {
      const { run } = runOf(SCENARIOS[8].title);
      const calls = checked(run);
      expect(calls.filter(mutates)).to.deep.equal([]);
      expect(run.stderr).to.include("plan evaluation is actionRequired, not passed");
    });

    it(SCENARIOS[9].title, () => {
      const { run, region } = runOf(SCENARIOS[9].title);
      expect(region).to.equal(HOME);
      const calls = checked(run);
      expect(ops(calls)).to.deep.equal([
        "ssm get-parameter",
        "rds describe-global-clusters",
        "list-plan-executions",
        "get-plan-evaluation-status",
        "start-plan-execution",
        "ssm get-parameter",
        "sts assume-role",
        "approve-plan-execution-step",
        "get-plan-execution",
      ]);
      inRegion(calls, HOME);
      expect(calls[0].options["--name"]).to.equal("/failover/multi-region-web-ca-central-1/plan-arn");
      expect(calls[1].options["--global-cluster-identifier"]).to.equal(
        runs.find((r) => r.stack === HOME)!.outputs.globalClusterIdentifier,
      );
      expect(calls[4].options).to.include({
        "--mode": "graceful",
        "--target-region": HOME,
        "--action": "activate",
      });
    });

    it(SCENARIOS[10].title, () => {
      const { run, region } = runOf(SCENARIOS[10].title);
      const calls = checked(run);
      inRegion(calls, region);
      expect(
        calls
          .filter((c) => c.op === "autoscaling update-auto-scaling-group")
          .map((c) => c.options["--auto-scaling-group-name"]),
      ).to.deep.equal(["frontend-asg-54ff0a1", "backend-asg-70d73c2"]);
      const standby = runs.find((r) => r.stack === STANDBY)!;
      const groups = ofType(standby, "aws:autoscaling/group:Group").map((g) => g.outputs.name as string);
      expect(groups).to.have.members(["frontend-asg-54ff0a1", "backend-asg-70d73c2"]);
      expect(calls.at(-1)!.options["--db-cluster-identifier"]).to.equal(
        ofType(standby, "aws:rds/cluster:Cluster")[0].inputs.clusterIdentifier,
      );
    });
  });
}

describe("the runbook's shells", () => {
  it("zsh's absence fails the runbook tests with how to install it, and .ci/run installs it", () => {
    const message = spawnSync("sh", ["-c", "command -v zsh"]).status === 0 ? undefined : shellMissing("zsh");
    if (message) expect(message).to.include("apt-get install -y zsh");
    const ci = fs.readFileSync(path.join(ROOT_DIR, ".ci", "run"), "utf8");
    expect(ci).to.match(/apt-get install -y zsh/);
    expect(ci.indexOf("zsh")).to.be.lessThan(ci.indexOf("npm test"));
  });
});
