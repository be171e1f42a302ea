/**
 * The DR drill's report (tools/drillReport.ts) on recorded get-plan-execution output (tests/fixtures/drill:
 * a graceful switchover to ca-central-1 and a failback to us-east-1, in the shape the ARC API's
 * GetPlanExecution returns and the AWS CLI prints): each step's measured duration against the DR
 * report's assumption, the steps over it flagged, bad input refused with the file and the field named.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { planWorkflows } from "../components/failoverWorkflows";
import {
  compareExecution,
  drillReport,
  DrillInputError,
  PlanExecution,
  renderReport,
  validateExecution,
} from "../tools/drillReport";
import { DR_ASSUMPTIONS } from "../tools/drReport";
import { ApiStep, fromApiStep, timedSteps } from "../tools/planSteps";

const FIXTURES = path.join(__dirname, "fixtures", "drill");
const SWITCHOVER = path.join(FIXTURES, "switchover-ca-central-1.json");
const FAILBACK = path.join(FIXTURES, "failback-us-east-1.json");
const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as PlanExecution;
/** The DR report's capacity with the example stacks: boot 90 s + healthy threshold × interval. */
const CAPACITY = 120;

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe("tools/drillReport.ts", () => {
  it("reads each step of a recorded switchover against its assumption, and flags those over it", () => {
    const r = compareExecution(read(SWITCHOVER), "switchover.json", CAPACITY);
    const rows = Object.fromEntries(
      r.steps.map((s) => [s.name, [s.measuredSeconds, s.assumedSeconds, s.verdict]]),
    );
    expect(rows).to.deep.equal({
      approve: [158.8, 0, "a person"],
      "scale-and-move-writer": [169.2, 135, "over"],
      "scale-frontend": [128.4, 135, "within"],
      "scale-backend": [135, 135, "within"],
      "scale-aurora": [54.6, 75, "within"],
      "move-aurora-writer": [168.2, 135, "over"],
      "route-traffic": [37.3, 45, "within"],
    });
    expect(r.steps.find((s) => s.name === "move-aurora-writer")).to.include({
      parent: "scale-and-move-writer",
      mode: "graceful",
    });
    expect(r.steps.find((s) => s.name === "move-aurora-writer")!.restsOn).to.deep.equal([
      "arcStepStart",
      "auroraSwitchover",
    ]);
    // From the approval's end to the last step's: the machine's time, not the approver's.
    expect(r.machineSeconds).to.equal(207.4);
    expect(r.assumedMachineSeconds).to.equal(180);
  });

  it("reads the failback against the home workflow (no scale-aurora)", () => {
    const r = compareExecution(read(FAILBACK), "failback.json", CAPACITY);
    expect(r.region).to.equal("us-east-1");
    expect(r.steps.filter((s) => s.verdict === "over").map((s) => s.name)).to.deep.equal([
      "scale-and-move-writer",
      "move-aurora-writer",
      "route-traffic",
    ]);
    expect(r.steps.map((s) => s.name)).not.to.include("scale-aurora");
  });

  it("takes the assumption of the mode each step ran in (a step switched to ungraceful)", () => {
    const e = read(SWITCHOVER);
    const switched = {
      ...e,
      stepStates: e.stepStates!.map((s) =>
        s.name === "scale-frontend" || s.name === "move-aurora-writer"
          ? { ...s, stepMode: "ungraceful" as const }
          : s,
      ),
    };
    const r = compareExecution(switched, "x.json", CAPACITY);
    const assumed = (n: string) => r.steps.find((s) => s.name === n)!.assumedSeconds;
    expect(assumed("scale-frontend")).to.equal(DR_ASSUMPTIONS.arcStepStart.seconds);
    expect(assumed("move-aurora-writer")).to.equal(
      DR_ASSUMPTIONS.arcStepStart.seconds + DR_ASSUMPTIONS.auroraFailover.seconds,
    );
    expect(assumed("scale-backend")).to.equal(135);
  });

  it("does not measure a step that did not complete, and says which steps the plan does not have", () => {
    const e = read(SWITCHOVER);
    const r = compareExecution(
      {
        ...e,
        executionState: "pausedByFailedStep",
        stepStates: [
          {
            name: "scale-aurora",
            status: "failed",
            startTime: e.startTime,
            endTime: e.endTime,
            stepMode: "graceful",
          },
          { name: "route-traffic", status: "notStarted", stepMode: "graceful" },
          {
            name: "a-step-from-another-plan",
            status: "completed",
            startTime: e.startTime,
            endTime: e.endTime,
          },
        ],
      },
      "x.json",
      CAPACITY,
    );
    expect(r.steps.map((s) => s.verdict)).to.deep.equal(["not measured", "not measured", "not in the plan"]);
  });

  it("times the API's plan shape as the DR report times the provider's: the same seconds for every step", () => {
    const arn = (r: string, k: string) => `arn:aws:${k}:${r}:123456789012:x`;
    const region = (r: string, id: string) => ({
      region: r,
      frontendAsgArn: arn(r, "autoscaling"),
      backendAsgArn: arn(r, "autoscaling"),
      clusterArn: arn(r, "rds"),
      recordSetIdentifier: id,
    });
    const provider = planWorkflows({
      home: region("us-east-1", "us-east-1"),
      standby: region("ca-central-1", "standby"),
      globalClusterIdentifier: "multi-region-web-us-east-1-aurora",
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      domain: "app.example.com",
      approvalRoleArn: "arn:aws:iam::123456789012:role/approval",
      databaseScaling: { kind: "serverless" },
    });
    const api = read(SWITCHOVER).plan!.workflows!;
    for (const target of ["ca-central-1", "us-east-1"]) {
      const fromProvider = timedSteps(
        provider.find((w) => w.workflowTargetRegion === target)!.steps as never,
        CAPACITY,
      );
      const fromApi = timedSteps(
        (api.find((w) => w.workflowTargetRegion === target)!.steps as ApiStep[]).map(fromApiStep),
        CAPACITY,
      );
      expect(fromApi, target).to.deep.equal(fromProvider);
    }
  });

  it("prints one line per step, OVER where the measure exceeds the assumption, and what to do", () => {
    const text = renderReport([compareExecution(read(SWITCHOVER), "switchover.json", CAPACITY)]);
    expect(text).to.match(
      /^ {2}OVER +scale-and-move-writer \/ move-aurora-writer +completed +measured +168\.2 s, assumed +135 s \(graceful: arcStepStart \+ auroraSwitchover\)$/m,
    );
    expect(text).to.match(/^ {2}within +route-traffic/m);
    expect(text).to.include(
      "2 step(s) took longer than the DR report assumes: switchover.json: scale-and-move-writer, switchover.json: move-aurora-writer.",
    );
  });

  it("refuses a file that is not a GetPlanExecution response, naming the file and the field", () => {
    const e = read(SWITCHOVER);
    const refuses = (value: unknown, pattern: RegExp) =>
      expect(() => validateExecution(value, "x.json")).to.throw(DrillInputError, pattern);
    refuses([], /x\.json: not a JSON object/);
    refuses({ ...e, executionState: "running" }, /"executionState" "running" is not one of inProgress, /);
    refuses({ ...e, mode: "fast" }, /"mode" "fast" is neither graceful nor ungraceful/);
    refuses({ ...e, plan: undefined }, /"plan\.workflows" is missing \(a --query cut it off\?\)/);
    refuses({ ...e, stepStates: undefined }, /"stepStates" is missing/);
    refuses(
      { ...e, stepStates: [{ name: "x", status: "done" }] },
      /a step's "status" "done" is not one of notStarted/,
    );
    refuses(
      { ...e, executionId: 7 },
      /"executionId" is missing or not a string; save the whole response: aws arc-region-switch get-plan-execution/,
    );
    expect(validateExecution(e, "x.json")).to.equal(e);
    expect(() => compareExecution({ ...e, executionRegion: "eu-west-1" }, "x.json", CAPACITY)).to.throw(
      /x\.json: the plan has no activate workflow for eu-west-1 \(workflows: activate ca-central-1, activate us-east-1\)/,
    );
  });

  describe("npm run drill-report", () => {
    it("exits 0 with the report, 1 with --fail-over when a step is over, 2 on bad input", async () => {
      let o = io();
      expect(await drillReport(["--capacity-seconds", "120", SWITCHOVER, FAILBACK], o.io)).to.equal(0);
      expect(o.out.join("\n")).to.include("5 step(s) took longer than the DR report assumes");
      o = io();
      expect(await drillReport(["--fail-over", "--capacity-seconds", "120", SWITCHOVER], o.io)).to.equal(1);
      for (const [argv, message] of [
        [["--capacity-seconds", "120"], "error: no get-plan-execution JSON file given"],
        [
          ["--capacity-seconds", "-1", SWITCHOVER],
          "error: --capacity-seconds -1: a number of seconds, 0 or more",
        ],
        [["--fast", SWITCHOVER], "error: unknown option --fast"],
        [
          ["--capacity-seconds", "1", "--plan", "p.json", SWITCHOVER],
          "error: give --capacity-seconds or --plan, not both",
        ],
        [["--capacity-seconds", "1", "missing.json"], "error: missing.json: cannot read it"],
      ] as [string[], string][]) {
        o = io();
        expect(await drillReport(argv, o.io), argv.join(" ")).to.equal(2);
        expect(o.err[0], argv.join(" ")).to.include(message);
        expect(o.err[1]).to.match(/^usage: npm run drill-report --/);
      }
    });

    it("takes the capacity from a saved offline plan (--plan plan.json)", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drill-"));
      try {
        const plan = path.join(dir, "plan.json");
        fs.writeFileSync(plan, JSON.stringify({ dr: { capacitySeconds: 200 } }));
        let o = io();
        expect(await drillReport(["--plan", plan, SWITCHOVER], o.io)).to.equal(0);
        // With 200 s for an instance, the graceful capacity steps assume 215 s.
        expect(o.out.join("\n")).to.match(/within +scale-and-move-writer \/ scale-frontend .*assumed +215 s/);
        fs.writeFileSync(plan, JSON.stringify({ stacks: [] }));
        o = io();
        expect(await drillReport(["--plan", plan, SWITCHOVER], o.io)).to.equal(2);
        expect(o.err[0]).to.include("no dr.capacitySeconds (write it with npm run plan -- --json");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
