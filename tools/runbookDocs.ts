/**
 * The generated parts of docs/runbook.md: the case table (what acts, what users see, which region DNS
 * answers, how fast, what is lost) and the timings table (each step of the plan, in both modes), both
 * from the DR report of the example stacks (tests/fixtures/stacks), so that the runbook shows the
 * numbers the plan actually implies and never a stale copy. `npm run runbook-docs` rewrites the
 * sections between their `<!-- runbook-docs:<name> -->` markers; tests/runbook.test.ts fails when the
 * file differs from what this renders. The rest of the runbook is written by hand.
 */
import * as fs from "fs";
import * as path from "path";
import * as prettier from "prettier";
import { DrCase, drReport, DrReport, DR_ASSUMPTIONS, planTimings } from "./drReport";
import { ofType, ROOT_DIR, StackRun } from "./mocks";
import { StepLike, timedSteps } from "./planSteps";
import { fixtureStackRuns, isControlRun } from "./runStacks";

export const RUNBOOK_FILE = path.join(ROOT_DIR, "docs", "runbook.md");

/**
 * Where DNS sends users in each case, as rows of docs/dns-scenarios.md's two-region automatic table
 * (the Route 53 model's answers): before the plan acts, and once `route-traffic` has run. A case's
 * application failure with the ALB up and a whole-cluster failure are row 3 (deep check failing, ALB
 * up); the home fully down is row 2; once a plan activated the standby the answer is pinned (row 4:
 * home still failing, row 5: home recovered); a failback is row 7. tests/runbook.test.ts checks each
 * row's answer in docs/dns-scenarios.md against `serves`.
 */
export const CASE_DNS: Record<DrCase["id"], { row: number; serves: "home" | "standby"; when: string }[]> = {
  a: [
    { row: 3, serves: "standby", when: "before the plan" },
    { row: 4, serves: "standby", when: "after it (pinned)" },
  ],
  b: [
    { row: 2, serves: "standby", when: "before the plan" },
    { row: 4, serves: "standby", when: "after it (pinned)" },
  ],
  c: [
    { row: 3, serves: "standby", when: "before the plan" },
    { row: 4, serves: "standby", when: "after it (pinned)" },
  ],
  d: [
    { row: 1, serves: "home", when: "until `route-traffic`" },
    { row: 5, serves: "standby", when: "after it" },
  ],
  e: [{ row: 7, serves: "home", when: "after `route-traffic`" }],
};

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function table(head: string[], rows: string[][]): string {
  return [head, head.map(() => "---"), ...rows].map((r) => `| ${r.map(cell).join(" | ")} |`).join("\n");
}

function s(n: number): string {
  if (!Number.isFinite(n)) return "—";
  return n >= 120 ? `${n} s (${Math.round((n / 60) * 10) / 10} min)` : `${n} s`;
}

/** The case table: one row per case of the DR report's behaviour matrix. */
export function casesTable(dr: DrReport, regions: { home: string; standby: string }): string {
  return table(
    [
      "case",
      "what acts",
      "users see",
      "DNS answers ([rows](dns-scenarios.md))",
      "reads from the target region",
      "Aurora writes (machine time after the decision)",
      "human decision",
      "RPO",
    ],
    dr.cases.map((c) => [
      `(${c.id}) ${c.title}`,
      c.acts,
      c.users,
      CASE_DNS[c.id].map((d) => `${regions[d.serves]} ${d.when} (row ${d.row})`).join("; "),
      `${s(c.readsSeconds)}${c.readsAfterDecision ? " after the decision" : ""}`,
      c.writesSeconds === 0 ? "at once (forwarded to the writer)" : s(c.writesSeconds),
      c.decisionSeconds === 0 ? "none" : `${s(c.decisionSeconds)} (assumed)`,
      c.rpo,
    ]),
  );
}

/** The assumptions a step's time rests on, with their seconds. */
function basisText(keys: string[], capacity: number, approvalTimeout: number | undefined): string {
  return keys
    .map((k) => {
      if (k === "a person") return `a person (A4); the step times out after ${approvalTimeout ?? "?"} min`;
      if (k === "capacity") return `capacity ${capacity} s (instance boot + target group healthy checks)`;
      if (k === "the longest step inside") return k;
      const a = DR_ASSUMPTIONS[k as keyof typeof DR_ASSUMPTIONS];
      return a ? `${k} ${a.seconds} s` : k;
    })
    .join(" + ");
}

interface PlanInputs {
  name?: string;
  recoveryTimeObjectiveMinutes?: number;
  workflows?: {
    workflowTargetRegion?: string;
    steps?: (StepLike & { executionApprovalConfigs?: { timeoutMinutes?: number }[] })[];
  }[];
}

/** The timings table: the automatic standby's plan, its activate-standby workflow step by step, then the totals. */
export function timingsTable(dr: DrReport, control: StackRun, home: string): string {
  const t = dr.plan;
  if (!t) throw new Error("the DR report has no plan: the control stack registered none");
  const plan = ofType(control, "aws:arcregionswitch/plan:Plan").find((p) => p.inputs.name === t.planName)!;
  const inputs = plan.inputs as PlanInputs;
  const steps = inputs.workflows?.find((w) => w.workflowTargetRegion === t.standbyRegion)?.steps ?? [];
  const approvalTimeout = steps.find((x) => x.executionBlockType === "ManualApproval")
    ?.executionApprovalConfigs?.[0]?.timeoutMinutes;
  const back = planTimings(plan, home, dr.capacitySeconds);
  const rows: string[][] = [
    [
      "Route 53 sees the home fail (its deep check: interval × failure threshold)",
      s(dr.detectionSeconds),
      s(dr.detectionSeconds),
      "the home's Route 53 health check",
    ],
    [
      "reads and DynamoDB writes from the standby, automatic mode (detection + alias TTL)",
      s(dr.detectionSeconds + dr.dnsSeconds),
      s(dr.detectionSeconds + dr.dnsSeconds),
      `aliasRecordTtl ${DR_ASSUMPTIONS.aliasRecordTtl.seconds} s`,
    ],
    ...(t.trigger
      ? [
          [
            `every trigger witness red (${t.trigger.witnesses.map((w) => w.probeRegion).join(", ")}), then ARC starts the plan`,
            s(t.trigger.seconds),
            s(t.trigger.seconds),
            "the witness alarms' evaluation periods × period (`triggerMinutes`)",
          ],
        ]
      : []),
    [
      "a person decides (an ungraceful failover; a planned one starts at once)",
      s(DR_ASSUMPTIONS.humanDecision.seconds),
      "—",
      "humanDecision (our assumption)",
    ],
    ...timedSteps(steps, dr.capacitySeconds).map((x) => [
      `step \`${x.name}\`${x.parent ? ` (in \`${x.parent}\`)` : ""}, ${x.type}`,
      x.type === "ManualApproval" ? "a person" : s(x.ungracefulSeconds),
      x.type === "ManualApproval" ? "a person" : s(x.gracefulSeconds),
      x.restsOn.ungraceful.join() === x.restsOn.graceful.join()
        ? basisText(x.restsOn.graceful, dr.capacitySeconds, approvalTimeout)
        : `ungraceful: ${basisText(x.restsOn.ungraceful, dr.capacitySeconds, approvalTimeout)}; graceful: ${basisText(x.restsOn.graceful, dr.capacitySeconds, approvalTimeout)}`,
    ]),
    [
      `**Aurora writes in ${t.standbyRegion}** (machine time after the decision or the approval)`,
      s(t.ungraceful.writesSeconds),
      s(t.graceful.writesSeconds),
      "the steps up to `move-aurora-writer`",
    ],
    [
      `**users on ${t.standbyRegion}** (\`route-traffic\` done + alias TTL)`,
      s(t.ungraceful.trafficSeconds),
      s(t.graceful.trafficSeconds),
      "the steps up to `route-traffic`, then the TTL",
    ],
    [
      `failback to ${home}: Aurora writes / users at home`,
      "—",
      `${s(back.graceful.writesSeconds)} / ${s(back.graceful.trafficSeconds)}`,
      "the home workflow, graceful (no `scale-aurora`)",
    ],
    [
      "the plan's recovery time objective (`recoveryTimeObjectiveMinutes`)",
      `${inputs.recoveryTimeObjectiveMinutes} min`,
      `${inputs.recoveryTimeObjectiveMinutes} min`,
      "what ARC measures each execution against",
    ],
  ];
  return `Plan \`${t.planName}\`, activate ${t.standbyRegion}:\n\n${table(
    ["", "ungraceful (unplanned)", "graceful (planned)", "rests on"],
    rows,
  )}`;
}

const MARKER = (name: string) => [`<!-- runbook-docs:${name} -->`, `<!-- /runbook-docs:${name} -->`];

/** `text` with the section between the markers of `name` replaced by `body`; throws when they are missing. */
export function replaceSection(text: string, name: string, body: string): string {
  const [open, close] = MARKER(name);
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`docs/runbook.md has no ${open} … ${close} section`);
  return `${text.slice(0, start + open.length)}\n\n${body}\n\n${text.slice(end)}`;
}

/** The runbook with its generated sections rendered from `runs`, formatted as prettier formats it. */
export async function renderRunbook(current: string, runs: StackRun[]): Promise<string> {
  const control = runs.find(isControlRun);
  const regional = runs.filter((r) => !isControlRun(r));
  const home = regional.find((r) => r.config[`${r.project}:home`] === "true");
  const standby = regional.find((r) => r !== home);
  if (!control || !home || !standby)
    throw new Error("runbook-docs needs a home, a standby and the control stack");
  const dr = drReport(runs);
  let text = replaceSection(current, "cases", casesTable(dr, { home: home.region, standby: standby.region }));
  text = replaceSection(text, "timings", timingsTable(dr, control, home.region));
  const options = (await prettier.resolveConfig(RUNBOOK_FILE)) ?? {};
  return prettier.format(text, { ...options, filepath: RUNBOOK_FILE });
}

if (require.main === module) {
  const check = process.argv.includes("--check");
  const current = fs.readFileSync(RUNBOOK_FILE, "utf8");
  void fixtureStackRuns()
    .then((runs) => renderRunbook(current, runs))
    .then((text) => {
      if (check) {
        if (current !== text) {
          console.error(
            `${path.relative(process.cwd(), RUNBOOK_FILE)} is stale: run \`npm run runbook-docs\``,
          );
          process.exitCode = 1;
        }
        return;
      }
      fs.writeFileSync(RUNBOOK_FILE, text);
      console.log(`wrote ${path.relative(process.cwd(), RUNBOOK_FILE)}`);
    });
}
