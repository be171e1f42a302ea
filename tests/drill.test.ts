/**
 * tools/drill.sh, the DR drill workflow's two legs, run with bash (as the workflow's `run:` does)
 * against the stub `aws` (tests/awsStub.ts): every call in the region the leg activates, STS through
 * that region's endpoint, the approval with the approval role's credentials only, nothing started
 * beside an open execution or on a plan whose evaluation did not pass, and the get-plan-execution it
 * saves readable by the drill report.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { ROOT_DIR } from "../tools/mocks";
import { compareExecution, validateExecution } from "../tools/drillReport";
import { Call, mutates, Responses, runScript, StubResponse, validateCall } from "./awsStub";
import {
  APPROVER_KEY,
  credentials,
  empty,
  evaluation,
  execution,
  HOME,
  item,
  list,
  OLD_DRILL,
  ssm,
  STANDBY,
  started,
  World,
} from "./runbookScenarios";

const SCRIPT = path.join(ROOT_DIR, "tools", "drill.sh");
const RECORDED = path.join(__dirname, "fixtures", "drill");
const world: World = {
  planArn: "arn:aws:arc-region-switch::123456789012:plan/multi-region-web-ca-central-1:k7q2xm",
  approvalRoleArn: "arn:aws:iam::123456789012:role/plan-ca-central-1-approval-3f9c2e1",
};
const ID = "e-5f0c9a7b31d24e8a";
const recorded = (file: string): StubResponse => ({
  json: JSON.parse(fs.readFileSync(path.join(RECORDED, file), "utf8")),
});

/** One leg's world: the plan passes its evaluation, nothing is open, the run waits for approval, then completes. */
function leg(region: string, saved: string, overrides: Partial<Responses> = {}): Responses {
  return {
    "ssm get-parameter": [
      ssm("/failover/multi-region-web-ca-central-1/plan-arn", world.planArn, region),
      ssm("/failover/multi-region-web-ca-central-1/approval-role-arn", world.approvalRoleArn, region),
    ],
    "arc-region-switch get-plan-evaluation-status": [evaluation(world, "passed", region)],
    "arc-region-switch list-plan-executions": [list(OLD_DRILL(world))],
    "arc-region-switch start-plan-execution": [started(world, ID, region)],
    "sts assume-role": [credentials(world)],
    "arc-region-switch approve-plan-execution-step": [empty],
    "arc-region-switch get-plan-execution": [
      execution(world, ID, "pendingManualApproval", "graceful", [["approve", "pendingApproval"]], region),
      execution(
        world,
        ID,
        "inProgress",
        "graceful",
        [
          ["approve", "completed"],
          ["scale-and-move-writer", "running"],
        ],
        region,
      ),
      execution(world, ID, "completed", "graceful", [["approve", "completed"]], region),
      recorded(saved),
    ],
    ...overrides,
  } as Responses;
}

const ops = (calls: Call[]) => calls.map((c) => c.op.replace("arc-region-switch ", ""));

function run(args: string[], responses: Responses) {
  const r = runScript(SCRIPT, args, responses, { POLL_SECONDS: "0", GITHUB_RUN_ID: "9182736455" });
  try {
    expect(r.unanswered, r.stderr).to.deep.equal([]);
    for (const c of r.calls) expect(validateCall(c), c.args.join(" ")).to.deep.equal([]);
    const out = path.join(r.dir, args[2] ?? "none");
    return { ...r, saved: fs.existsSync(out) ? fs.readFileSync(out, "utf8") : undefined };
  } finally {
    fs.rmSync(r.dir, { recursive: true, force: true });
  }
}

describe("tools/drill.sh (the DR drill's legs)", function () {
  this.timeout(20_000);

  for (const [title, plan, region, saved] of [
    ["switchover: activates the standby from the standby", STANDBY, STANDBY, "switchover-ca-central-1.json"],
    [
      "failback: activates the home from the home, with the same plan",
      STANDBY,
      HOME,
      "failback-us-east-1.json",
    ],
  ] as const) {
    it(`${title}, approves through the approval role, waits for the end, saves what the report reads`, () => {
      const r = run([plan, region, "out.json"], leg(region, saved));
      expect(r.status, r.stdout + r.stderr).to.equal(0);
      expect(ops(r.calls)).to.deep.equal([
        "ssm get-parameter",
        "get-plan-evaluation-status",
        "list-plan-executions",
        "start-plan-execution",
        "get-plan-execution",
        "ssm get-parameter",
        "sts assume-role",
        "approve-plan-execution-step",
        "get-plan-execution",
        "get-plan-execution",
        "get-plan-execution",
      ]);
      for (const c of r.calls) expect(c.options["--region"], c.args.join(" ")).to.equal(region);
      expect(r.calls[0].options["--name"]).to.equal("/failover/multi-region-web-ca-central-1/plan-arn");
      expect(r.calls[3].options).to.include({
        "--target-region": region,
        "--action": "activate",
        "--mode": "graceful",
      });
      expect(r.calls[6].options["--endpoint-url"]).to.equal(`https://sts.${region}.amazonaws.com`);
      expect(r.calls.map((c) => c.accessKey)).to.deep.equal(
        r.calls.map((c) => (c.op.endsWith("approve-plan-execution-step") ? APPROVER_KEY : "AKIADRILL")),
      );
      expect(r.calls.at(-1)!.options).to.include({ "--output": "json" });
      expect(r.calls.at(-1)!.options).not.to.have.property("--query");
      const execution = validateExecution(JSON.parse(r.saved!), "out.json");
      expect(compareExecution(execution, "out.json", 120).region).to.equal(region);
    });
  }

  it("starts nothing when the plan's evaluation did not pass", () => {
    const r = run(
      [STANDBY, STANDBY, "out.json"],
      leg(STANDBY, "switchover-ca-central-1.json", {
        "arc-region-switch get-plan-evaluation-status": [evaluation(world, "actionRequired")],
      }),
    );
    expect(r.status).to.equal(1);
    expect(r.calls.filter(mutates)).to.deep.equal([]);
    expect(r.stdout).to.include("::error title=Plan evaluation::");
  });

  it("starts nothing beside an execution that has not ended", () => {
    const r = run(
      [STANDBY, STANDBY, "out.json"],
      leg(STANDBY, "switchover-ca-central-1.json", {
        "arc-region-switch list-plan-executions": [
          list(item(world, "e-7d3f0a9c51b24e6d", "pausedByOperator", "graceful"), OLD_DRILL(world)),
        ],
      }),
    );
    expect(r.status).to.equal(1);
    expect(r.calls.filter(mutates)).to.deep.equal([]);
    expect(r.stdout).to.include("e-7d3f0a9c51b24e6d");
  });

  it("stops on a paused execution, leaves it as it is, and saves it", () => {
    const r = run(
      [STANDBY, STANDBY, "out.json"],
      leg(STANDBY, "switchover-ca-central-1.json", {
        "arc-region-switch get-plan-execution": [
          execution(world, ID, "pausedByFailedStep", "graceful", [
            ["approve", "completed"],
            ["scale-and-move-writer", "failed"],
          ]),
          recorded("switchover-ca-central-1.json"),
        ],
      }),
    );
    expect(r.status).to.equal(1);
    expect(r.calls.filter(mutates).map((c) => c.op)).to.deep.equal([
      "arc-region-switch start-plan-execution",
    ]);
    expect(r.stdout).to.include("::error title=Execution pausedByFailedStep::");
    expect(r.saved).to.be.a("string");
  });

  it("refuses arguments that are not three, or not region names", () => {
    for (const args of [
      [STANDBY, STANDBY],
      ["ca-central-1", "us-east-1; rm -rf /", "x.json"],
    ]) {
      const r = run(args, {});
      expect(r.status, args.join(" ")).to.equal(2);
      expect(r.calls).to.deep.equal([]);
    }
  });
});
