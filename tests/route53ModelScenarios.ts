/**
 * What DNS answers in every failure the runbook covers: the Route 53 model (tests/route53Model.ts) run
 * over the records the regional and control stacks register under the mocks, with each region's deep
 * health check, load balancer and ARC health checks set per scenario. The scenarios and their expected
 * answers are declared here, with why each answer is right; the tests check the model agrees, and
 * docs/dns-scenarios.md is generated from the same table (`npm run dns-docs`; `-- --check` compares).
 */
import * as fs from "fs";
import * as path from "path";
import * as prettier from "prettier";
import { listStackFiles, StackFile, StackRun } from "../tools/mocks";
import { fixtureRoot } from "../tools/runStacks";
import { ModelClient, ModelRecord, ModelWorld, normalizeName, Route53Model } from "./route53Model";
import {
  fixtureDeployment,
  controlStackFile,
  deploy,
  deployControlAgain,
  Deployment,
} from "./route53ModelStacks";

export const DOC_FILE = path.join(__dirname, "..", "docs", "dns-scenarios.md");

/** A region's state as Route 53 sees it. */
export interface RegionHealth {
  /** The public ALB: `up` (its target group has healthy targets) or `down` (none healthy). @default up */
  alb?: "up" | "down";
  /** The region's deep health check (`/healthz/deep` through the ALB). @default pass */
  deep?: "pass" | "fail";
}

/**
 * Where a plan stands, as the states of its two ARC health checks (ARC Developer Guide, "Amazon Route
 * 53 health check execution block"):
 * - `initial`: no execution yet ("For plans that use a active/passive recovery approach, the health
 *   check for the primary Region starts as healthy, and the health check for the standby Region is
 *   initially set to unhealthy");
 * - `activated`: the activate-standby workflow ran ("When an activate workflow runs for a Region, the
 *   health check for that Region is set to healthy ... At the same time, the health check for the
 *   other Region in the plan is set to unhealthy");
 * - `failback`: the activate-home workflow ran (the same, the other way round);
 * - `stop-default`: activated, then the standby region's own resource behind ARC's check is
 *   unreachable: "if the standby resource is unreachable, the health check for the primary Region
 *   defaults to healthy" (same page, "How the Route 53 health check execution block works"); what the
 *   standby's check does then is not documented: it is left healthy.
 */
export type PlanState = "initial" | "activated" | "failback" | "stop-default";

/** The initial state of a plan's checks: as documented, or an alternative the tests also try. */
export type InitialArc = "documented" | "both-healthy" | "both-unhealthy";

const ARC_STATES: Record<Exclude<PlanState, "initial">, { home: boolean; standby: boolean }> = {
  activated: { home: false, standby: true },
  failback: { home: true, standby: false },
  "stop-default": { home: true, standby: true },
};
const INITIAL: Record<InitialArc, { home: boolean; standby: boolean }> = {
  documented: { home: true, standby: false },
  "both-healthy": { home: true, standby: true },
  "both-unhealthy": { home: false, standby: false },
};

export interface Scenario {
  id: string;
  title: string;
  /** Health by region (unlisted: ALB up, deep check passing). */
  health: Record<string, RegionHealth>;
  /** Plan state by standby region (unlisted: initial). */
  plans: Record<string, PlanState>;
  /** The region each client must be answered, by client name. */
  expect: Record<string, string>;
  /** Why that answer is the right one. */
  why: string;
}

/** The deployed stacks as Route 53 sees them: every A record of the app's zone, and what they name. */
export interface StacksWorld {
  zoneId: string;
  domain: string;
  home: string;
  standbys: string[];
  records: ModelRecord[];
  deepChecks: Record<string, string>;
  albs: Record<string, string>;
  /** ARC's checks attached, by standby (plan), then `home` / `standby`. */
  arcChecks: Record<string, { home?: string; standby?: string }>;
}

/** The records and checks of deployed runs (regional runs, then a control run). */
export function stacksWorld(regional: StackRun[], control: StackRun): StacksWorld {
  const home = regional.find((r) => r.outputs.home === true)!;
  const zoneId = home.outputs.hostedZoneId as string;
  const records: ModelRecord[] = [...regional, control]
    .flatMap((run) => run.resources.filter((r) => r.type === "aws:route53/record:Record"))
    .map((r) => r.inputs)
    .filter((i) => i.zoneId === zoneId && i.type === "A")
    .map((i) => {
      const alias = (
        i.aliases as { name: string; zoneId: string; evaluateTargetHealth: boolean }[] | undefined
      )?.[0];
      return {
        zoneId,
        name: normalizeName(i.name as string),
        type: "A",
        setIdentifier: i.setIdentifier as string | undefined,
        failover: (i.failoverRoutingPolicies as { type: "PRIMARY" | "SECONDARY" }[] | undefined)?.[0]?.type,
        latencyRegion: (i.latencyRoutingPolicies as { region: string }[] | undefined)?.[0]?.region,
        healthCheckId: i.healthCheckId as string | undefined,
        alias: alias && {
          name: alias.name,
          zoneId: alias.zoneId,
          evaluateTargetHealth: alias.evaluateTargetHealth,
        },
      };
    });
  const standbys = home.outputs.standbyRegions as string[];
  const arcIds = control.outputs.plans as Record<string, { arcHealthCheckIds: Record<string, string> }>;
  const attached = new Set(records.map((r) => r.healthCheckId));
  return {
    zoneId,
    domain: home.outputs.domain as string,
    home: home.region,
    standbys,
    records,
    deepChecks: Object.fromEntries(regional.map((r) => [r.region, r.outputs.healthCheckId as string])),
    albs: Object.fromEntries(
      regional.map((r) => [r.region, normalizeName(r.outputs.publicAlbDnsName as string)]),
    ),
    arcChecks: Object.fromEntries(
      standbys.map((s) => {
        const ids = arcIds[s].arcHealthCheckIds;
        const keep = (id?: string) => (id !== undefined && attached.has(id) ? id : undefined);
        return [s, { home: keep(ids[home.region]), standby: keep(ids[s]) }];
      }),
    ),
  };
}

/** The model's world for one scenario. */
export function scenarioWorld(
  world: StacksWorld,
  scenario: Scenario,
  initial: InitialArc = "documented",
): ModelWorld {
  const healthChecks: Record<string, boolean> = {};
  const loadBalancers: ModelWorld["loadBalancers"] = {};
  for (const region of [world.home, ...world.standbys]) {
    const h = scenario.health[region] ?? {};
    healthChecks[world.deepChecks[region]] = (h.deep ?? "pass") === "pass";
    const healthy = (h.alb ?? "up") === "up" ? 2 : 0;
    loadBalancers[world.albs[region]] = { region, targetGroups: [{ registered: 2, healthy }] };
  }
  for (const standby of world.standbys) {
    const state = scenario.plans[standby] ?? "initial";
    const states = state === "initial" ? INITIAL[initial] : ARC_STATES[state];
    const ids = world.arcChecks[standby];
    if (ids.home) healthChecks[ids.home] = states.home;
    if (ids.standby) healthChecks[ids.standby] = states.standby;
  }
  return { records: world.records, healthChecks, loadBalancers };
}

/** Clients by the order of their latency to each region (an assumption: geography). */
export const CLIENTS: Record<string, ModelClient> = {
  "us-east-1": { name: "near us-east-1", latency: ["us-east-1", "ca-central-1", "eu-west-1"] },
  "ca-central-1": { name: "near ca-central-1", latency: ["ca-central-1", "us-east-1", "eu-west-1"] },
  "eu-west-1": { name: "near eu-west-1", latency: ["eu-west-1", "us-east-1", "ca-central-1"] },
};

export interface Outcome {
  scenario: Scenario;
  /** The region answered, by client. */
  answers: Record<string, string>;
  /** The model's route, by client. */
  routes: Record<string, string[]>;
}

/** What the model answers each client of `scenario`. */
export function evaluate(
  world: StacksWorld,
  scenario: Scenario,
  initial: InitialArc = "documented",
): Outcome {
  const model = new Route53Model(scenarioWorld(world, scenario, initial));
  const answers: Record<string, string> = {};
  const routes: Record<string, string[]> = {};
  for (const client of Object.keys(scenario.expect)) {
    const answer = model.resolve(world.zoneId, world.domain, CLIENTS[client]);
    answers[client] = answer.region!;
    routes[client] = answer.path.map((line) => shorten(line, world.domain));
  }
  return { scenario, answers, routes };
}

/** A route line with the record names relative to the domain (`serve`, `home`; the domain is `app`). */
function shorten(line: string, domain: string): string {
  return line.startsWith(`${domain}:`)
    ? `app${line.slice(domain.length)}`
    : line.split(`.${domain}`).join("");
}

const H = "us-east-1";
const S = "ca-central-1";
const E = "eu-west-1";
const DOWN: RegionHealth = { alb: "down", deep: "fail" };
const BROKEN: RegionHealth = { deep: "fail" };
const everywhere = (region: string, clients = [H, S]) => Object.fromEntries(clients.map((c) => [c, region]));

/** Two regions, the committed stacks, automatic failover. */
export const SCENARIOS: Scenario[] = [
  {
    id: "steady",
    title: "Steady state",
    health: {},
    plans: {},
    expect: everywhere(H),
    why: "The home serves everyone: it holds the Aurora writer and the active capacity; the standby is warm.",
  },
  {
    id: "home-down",
    title: "Home fully down, before any plan",
    health: { [H]: DOWN },
    plans: {},
    expect: everywhere(S),
    why: "No plan has run, so the plans' checks leave the choice to the serve pair: the home's deep check (and ALB) fail, the standby's pass, so the standby serves within detection + TTL (≈ 90 s). Reads work at once, writes once the writer moves (runbook).",
  },
  {
    id: "home-app-broken",
    title: "Home backend or database broken, its ALB up",
    health: { [H]: BROKEN },
    plans: {},
    expect: everywhere(S),
    why: "Automatic mode: the serve pair takes the home's deep health, so an application failure moves traffic without a plan, and the standby forwards writes to the writer if the home's database still answers.",
  },
  {
    id: "plan-home-down",
    title: "Plan activated, home still down",
    health: { [H]: DOWN },
    plans: { [S]: "activated" },
    expect: everywhere(S),
    why: "The plan set the home's ARC check unhealthy and the standby's healthy: the app domain answers its SECONDARY, the standby set.",
  },
  {
    id: "plan-home-recovered",
    title: "Plan activated, home recovered",
    health: {},
    plans: { [S]: "activated" },
    expect: everywhere(S),
    why: "Pinned: the home's ARC check stays unhealthy until a failback, so a home whose deep check passes again (its database is not the writer any more, it may be mid-rebuild) gets no traffic.",
  },
  {
    id: "plan-standby-flaps",
    title: "Plan activated, the standby's deep check fails for a minute",
    health: { [S]: BROKEN },
    plans: { [S]: "activated" },
    expect: everywhere(S),
    why: "Pinned: the SECONDARY does not evaluate the standby set's health, so Route 53 stays in that branch (no healthy standby: all count as healthy) and never answers the deactivated home. Users see the standby's errors for that minute, as they would anywhere.",
  },
  {
    id: "failback",
    title: "Failback executed (home recovered)",
    health: {},
    plans: { [S]: "failback" },
    expect: everywhere(H),
    why: "The failback set the home's ARC check healthy again: the PRIMARY answers, and the serve pair sends everyone home.",
  },
  {
    id: "both-failing",
    title: "Both regions' deep checks failing, before any plan",
    health: { [H]: BROKEN, [S]: BROKEN },
    plans: {},
    expect: everywhere(H),
    why: "Nothing is healthy, so Route 53 answers the serve pair's PRIMARY (both records unhealthy: the primary): the home, where the writer and the full capacity are. It is also the right answer when the checks themselves are wrong (the health checkers cannot reach either region).",
  },
  {
    id: "both-failing-after-plan",
    title: "Both regions' deep checks failing, after a plan activated the standby",
    health: { [H]: BROKEN, [S]: BROKEN },
    plans: { [S]: "activated" },
    expect: everywhere(S),
    why: "Pinned: the standby holds the writer now; the deactivated home gets no traffic until a failback.",
  },
  {
    id: "standby-region-lost-after-plan",
    title:
      "Plan activated, then the standby region itself fails (ARC's check of the home reverts to healthy)",
    health: { [S]: DOWN },
    plans: { [S]: "stop-default" },
    expect: everywhere(H),
    why: "ARC's own design (the STOP pattern): when the standby's resource behind the home's check is unreachable, the home's check defaults to healthy, so the serve pair decides: the home, if its deep check passes. Failing back (or failing over again) is then an operator's call: the writer is in the lost region.",
  },
];

/** Manual mode (`automaticFailover: false`): the same scenarios; the table shows where answers differ. */
export const MANUAL: Record<string, { expect: Record<string, string>; why: string }> = {
  "home-app-broken": {
    expect: everywhere(H),
    why: "Manual mode: the serve pair takes the home's ALB (its target groups' shallow health), not its deep health, so only an operator's plan execution moves traffic; users see the home's errors until then.",
  },
};

/** Three regions: a third standby, eu-west-1 (its own plan). */
export const THREE: Scenario[] = [
  {
    id: "steady",
    title: "Steady state",
    health: {},
    plans: {},
    expect: everywhere(H, [H, S, E]),
    why: "The home serves everyone.",
  },
  {
    id: "home-down",
    title: "Home fully down, before any plan",
    health: { [H]: DOWN },
    plans: {},
    expect: { [H]: S, [S]: S, [E]: E },
    why: "The standby set answers each client with its nearest deep-healthy standby; each forwards writes to the writer.",
  },
  {
    id: "plan-home-down",
    title: "Plan ca-central-1 activated, home still down",
    health: { [H]: DOWN },
    plans: { [S]: "activated" },
    expect: { [H]: S, [S]: S, [E]: E },
    why: "The first plan's check takes the app domain's SECONDARY: the standby set, nearest deep-healthy standby (eu-west-1 forwards writes to the new writer in ca-central-1; it runs at passive capacity and scales out on load).",
  },
  {
    id: "plan-standby-flaps",
    title: "Plan ca-central-1 activated, ca-central-1's deep check failing",
    health: { [H]: DOWN, [S]: BROKEN },
    plans: { [S]: "activated" },
    expect: everywhere(E, [H, S, E]),
    why: "Within the standby set, Route 53 backs out of the failing standby to the healthy one; never to the deactivated home.",
  },
  {
    id: "second-plan-home-recovered",
    title: "Plan eu-west-1 activated, home recovered",
    health: {},
    plans: { [E]: "activated" },
    expect: { [H]: S, [S]: S, [E]: E },
    why: "Pinned by the second plan: its check of the home is on the pin pair, whose SECONDARY is the standby set; the home gets no traffic until that plan's failback.",
  },
  {
    id: "failback",
    title: "Plan ca-central-1 failed back",
    health: {},
    plans: { [S]: "failback" },
    expect: everywhere(H, [H, S, E]),
    why: "Every plan's check of the home is healthy: the chain of PRIMARYs ends in the serve pair, the home.",
  },
  {
    id: "all-failing-after-plan",
    title: "Every deep check failing, after plan ca-central-1 activated",
    health: { [H]: BROKEN, [S]: BROKEN, [E]: BROKEN },
    plans: { [S]: "activated" },
    expect: { [H]: S, [S]: S, [E]: E },
    why: "No standby is healthy, so all count as healthy and each client gets its nearest standby; never the deactivated home.",
  },
];

/** Before the control stack's second `pulumi up`: ARC's checks are not attached yet. */
export const FIRST_DEPLOY: Scenario[] = [
  {
    id: "home-down",
    title: "Home fully down",
    health: { [H]: DOWN },
    plans: {},
    expect: everywhere(S),
    why: "The serve pair works without ARC's checks.",
  },
  {
    id: "plan-home-recovered",
    title: "Plan activated, home recovered",
    health: {},
    plans: { [S]: "activated" },
    expect: everywhere(H),
    why: "Not pinned: no record carries ARC's checks yet, so the plan's DNS step changes nothing and a healthy home serves. Run the control stack's `pulumi up` a second time right after the first (docs/deploying.md).",
  },
];

export interface ScenarioTables {
  automatic: Outcome[];
  automaticWorld: StacksWorld;
  manual: Outcome[];
  three: Outcome[];
  threeWorld: StacksWorld;
  firstDeploy: Outcome[];
}

const MANUAL_CONFIG = { "multi-region-web-control:automaticFailover": "false" };

/** The three standby stack files: the committed ones, the home listing eu-west-1, and eu-west-1's. */
function threeRegionFiles(): StackFile[] {
  const files = listStackFiles(fixtureRoot());
  const homeFile = files.find((f) => f.config["multi-region-web:home"] === "true")!;
  const standbyFile = files.find((f) => f.stack === S)!;
  return [
    {
      ...homeFile,
      config: { ...homeFile.config, "multi-region-web:standbyRegions": JSON.stringify([S, E]) },
    },
    standbyFile,
    {
      ...standbyFile,
      stack: E,
      file: standbyFile.file.replace(`${S}.yaml`, `${E}.yaml`),
      config: { ...standbyFile.config, "aws:region": E, "multi-region-web:vpcCidr": "10.30.0.0/16" },
    },
  ];
}

let tables: Promise<ScenarioTables> | undefined;

/** Every table, from the stacks deployed under the mocks (computed once per process). */
export function scenarioTables(): Promise<ScenarioTables> {
  tables ??= (async () => {
    const committed: Deployment = await fixtureDeployment();
    const automaticWorld = stacksWorld(committed.regional, committed.second);
    // The control stack's second `pulumi up` in manual mode.
    const manualSecond = await deployControlAgain(
      committed.regional,
      { ...committed.first, account: committed.first.account!.clone() },
      controlStackFile(MANUAL_CONFIG).config,
    );
    const manualWorld = stacksWorld(committed.regional, manualSecond);
    const three = await deploy(threeRegionFiles());
    const threeWorld = stacksWorld(three.regional, three.second);
    const firstWorld = stacksWorld(committed.regional, committed.first);
    return {
      automatic: SCENARIOS.map((s) => evaluate(automaticWorld, s)),
      automaticWorld,
      manual: SCENARIOS.map((s) => evaluate(manualWorld, { ...s, ...MANUAL[s.id] })),
      three: THREE.map((s) => evaluate(threeWorld, s)),
      threeWorld,
      firstDeploy: FIRST_DEPLOY.map((s) => evaluate(firstWorld, s)),
    };
  })();
  return tables;
}

// ---------------------------------------------------------------------------------------------
// docs/dns-scenarios.md

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function table(head: string[], rows: string[][]): string {
  return [head, head.map(() => "---"), ...rows].map((r) => `| ${r.map(cell).join(" | ")} |`).join("\n");
}

function healthText(s: Scenario, regions: string[]): string {
  const parts = regions
    .filter((r) => s.health[r])
    .map((r) => {
      const h = s.health[r];
      const what =
        (h.alb ?? "up") === "down"
          ? "down (ALB without a healthy target, deep check failing)"
          : "deep check failing, ALB up";
      return `${r}: ${what}`;
    });
  return parts.length > 0 ? parts.join("; ") : "all healthy";
}

function arcText(s: Scenario, home: string): string {
  const plans = Object.entries(s.plans);
  if (plans.length === 0) return "no execution (home healthy, standby unhealthy)";
  return plans
    .map(([standby, state]) => {
      const st = ARC_STATES[state as Exclude<PlanState, "initial">];
      const word = (b: boolean) => (b ? "healthy" : "unhealthy");
      return `plan ${standby} ${state === "stop-default" ? "activated, home's check reverted" : state} (${home} ${word(st.home)}, ${standby} ${word(st.standby)})`;
    })
    .join("; ");
}

function outcomeTable(outcomes: Outcome[], world: StacksWorld, clients: string[]): string {
  const regions = [world.home, ...world.standbys];
  return table(
    ["", "Scenario", "Health", "ARC checks", ...clients.map((c) => `Near ${c}`), "Why this answer"],
    outcomes.map((o, i) => [
      String(i + 1),
      o.scenario.title,
      healthText(o.scenario, regions),
      arcText(o.scenario, world.home),
      ...clients.map((c) => `**${o.answers[c]}**`),
      o.scenario.why,
    ]),
  );
}

function routes(outcomes: Outcome[], clients: string[]): string {
  return outcomes
    .map((o, n) =>
      [
        `- ${n + 1}. ${o.scenario.title}`,
        ...clients.map((c) => `  - near ${c}: ${o.routes[c].join(" › ")}`),
      ].join("\n"),
    )
    .join("\n");
}

function recordsTable(world: StacksWorld): string {
  const checkName = (id?: string): string => {
    if (!id) return "—";
    for (const [region, deep] of Object.entries(world.deepChecks))
      if (deep === id) return `deep check of ${region}`;
    for (const [standby, arc] of Object.entries(world.arcChecks)) {
      if (arc.home === id) return `ARC (plan ${standby}): ${world.home}`;
      if (arc.standby === id) return `ARC (plan ${standby}): ${standby}`;
    }
    return id;
  };
  const albRegion = (name: string) => Object.entries(world.albs).find(([, dns]) => dns === name)?.[0];
  const order = (r: ModelRecord) =>
    [world.domain, `serve.${world.domain}`, `home.${world.domain}`, `standby.${world.domain}`].indexOf(
      r.name,
    );
  const sorted = [...world.records].sort(
    (a, b) => order(a) - order(b) || (a.failover ?? "").localeCompare(b.failover ?? ""),
  );
  return table(
    ["Name", "Routing", "Set", "Health check", "Alias to", "Evaluates target health"],
    sorted.map((r) => [
      r.name,
      r.failover ?? (r.latencyRegion ? `latency ${r.latencyRegion}` : "simple"),
      r.setIdentifier ?? "",
      checkName(r.healthCheckId),
      r.alias
        ? albRegion(normalizeName(r.alias.name))
          ? `the ALB of ${albRegion(normalizeName(r.alias.name))}`
          : r.alias.name
        : "",
      r.alias ? (r.alias.evaluateTargetHealth ? "yes" : "**no**") : "",
    ]),
  );
}

/** docs/dns-scenarios.md, from the tables. */
export async function renderDoc(t: ScenarioTables): Promise<string> {
  const two = [H, S];
  const differs = t.manual.filter((m, i) => two.some((c) => m.answers[c] !== t.automatic[i].answers[c]));
  const doc = `# What DNS answers in each failure

<!-- Generated by \`npm run dns-docs\` from tests/route53ModelScenarios.ts; do not edit by hand. -->

Which region Route 53 answers for the app domain in each failure the [runbook](runbook.md) covers, for
clients near each region, and why that answer is the right one. The answers are not written by hand:
the Route 53 model in the tests (\`tests/route53Model.ts\`, Route 53's documented rules, each quoted next
to its code and tested on record sets whose answers the Route 53 documentation gives) resolves the app
domain over the records the regional and control stacks register under the mocks, after the control
stack's second \`pulumi up\`. \`npm test\` fails when the model disagrees with a row's expected answer,
or this file with the model.

The contract: before any plan execution the home serves while it is healthy and the nearest healthy
standby otherwise (automatic mode); once a plan has activated a standby, nothing but a failback sends
users back to the deactivated home ("pinned").

## The records

${recordsTable(t.automaticWorld)}

The app domain's pair carries the ARC Region switch plan's health checks and does not evaluate its
targets: only a plan execution moves it. Below it, \`serve\` is the automatic failover (the home's
deep-checked record, else the standby set) and evaluates its targets. \`home\` and \`standby\` are the
regions' own latency records (components/edgeDns.ts), each under its deep health check
(\`/healthz/deep\`: frontend, backend, Aurora and DynamoDB of that region) and evaluating its ALB's
target health. With more standbys, each further plan has a \`pin-<standby>\` pair of the same shape
between the app domain's PRIMARY and \`serve\` (components/failoverRouting.ts).

## How to read the tables

- **Health**: a region is *down* when its ALB's target group has no healthy target and its deep check
  fails; *deep check failing, ALB up* is an application or data failure behind a running ALB (the
  target groups check the shallow \`/healthz\`).
- **ARC checks**: the two Route 53 health checks each plan's DNS step sets. Before any execution the
  home's is healthy and the standby's unhealthy ("the health check for the primary Region starts as
  healthy, and the health check for the standby Region is initially set to unhealthy", ARC Developer
  Guide, "Amazon Route 53 health check execution block"); an activate workflow sets its region's
  healthy and the other's unhealthy.
- **Near a region**: clients whose latency is lowest to that region, then as geography suggests
  (\`CLIENTS\` in tests/route53ModelScenarios.ts; an assumption, Route 53 measures it).
- **Time**: the model gives the answer once the health checks have changed state. A region's failure
  is seen after the check interval × failure threshold (10 s × 3 by default) and resolvers keep an
  answer for its TTL (60 s for an alias to an ALB): about 90 s. A plan's DNS step changes the ARC
  checks at once; the TTL still applies.

## Two regions, automatic failover (the committed stacks)

${outcomeTable(t.automatic, t.automaticWorld, two)}

## Manual failover (\`automaticFailover: false\`): where it differs

${table(
  ["", "Scenario", ...two.map((c) => `Near ${c}`), "Why this answer"],
  differs.map((o) => [
    String(t.manual.indexOf(o) + 1),
    o.scenario.title,
    ...two.map((c) => `**${o.answers[c]}**`),
    o.scenario.why,
  ]),
)}

Every other scenario answers as in automatic mode. In manual mode the serve pair's PRIMARY is the
home's ALB itself: Route 53 leaves the home when no target of its ALB is healthy. Whether Route 53
still sees an ALB's target health when its whole region is down is not documented (unverified): the
*home fully down* row rests on it, and the plan execution moves traffic anyway.

## Three regions: a third standby, eu-west-1

The home lists \`[ca-central-1, eu-west-1]\`; the control stack has one plan per standby, the first
plan's checks on the app domain's pair and the second's on \`pin-eu-west-1\`.

${outcomeTable(t.three, t.threeWorld, [H, S, E])}

## Before the control stack's second \`pulumi up\`

ARC creates a plan's health checks some time after the plan, so the first \`pulumi up\` of the control
stack attaches none (components/arcHealthChecks.ts). Until the second:

${outcomeTable(t.firstDeploy, t.automaticWorld, two)}

## ARC's initial state

The tables use the documented initial state. Every scenario before a plan execution resolves the same
if both of a plan's checks start healthy, or both unhealthy (the tests check it): the app domain's
PRIMARY answers whenever the home's ARC check is healthy or both are unhealthy, and the serve pair
decides below it.

## Routes

The model's path for every answer: each group Route 53 chose from, and why.

### Two regions, automatic

${routes(t.automatic, two)}

### Three regions

${routes(t.three, [H, S, E])}

## What the model leaves out

- Time, caches and health-checker timing (see *How to read the tables*).
- An alias record with Evaluate Target Health and no health check of its own is health-checked through
  its target; the Developer Guide's "If you omit the health check for the secondary record ... Route 53
  always responds ... by using the secondary record" is read as covering records with no health
  checking at all. Only the *both regions' deep checks failing, before any plan* row depends on this
  reading (the serve pair's SECONDARY); under the other, that row would answer the standby.
- With several standbys, ARC's plan evaluation of the second and later plans looks for their checks on
  the app domain's records, which carry the first plan's: it may warn (unverified). Their executions
  set their own checks either way, which the pin pairs carry.
`;
  const options = (await prettier.resolveConfig(DOC_FILE)) ?? {};
  return prettier.format(doc, { ...options, filepath: DOC_FILE });
}

if (require.main === module) {
  const check = process.argv.includes("--check");
  void scenarioTables()
    .then(renderDoc)
    .then((text) => {
      const current = fs.existsSync(DOC_FILE) ? fs.readFileSync(DOC_FILE, "utf8") : "";
      if (check) {
        if (current !== text) {
          console.error(`${path.relative(process.cwd(), DOC_FILE)} is stale: run \`npm run dns-docs\``);
          process.exitCode = 1;
        }
        return;
      }
      fs.writeFileSync(DOC_FILE, text);
      console.log(`wrote ${path.relative(process.cwd(), DOC_FILE)}`);
    });
}
