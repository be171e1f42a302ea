/**
 * The DNS contract: every failure scenario resolves, in the Route 53 model run over the stacks the
 * mocks deploy, to the region the scenario table says (tests/route53ModelScenarios.ts), for clients
 * near each region; the answers do not depend on ARC's initial state; and docs/dns-scenarios.md is
 * the table as the model resolves it.
 */
import { expect } from "chai";
import * as fs from "fs";
import { Route53Model } from "./route53Model";
import {
  CLIENTS,
  DOC_FILE,
  evaluate,
  FIRST_DEPLOY,
  MANUAL,
  Outcome,
  renderDoc,
  SCENARIOS,
  scenarioTables,
  scenarioWorld,
  ScenarioTables,
  THREE,
} from "./route53ModelScenarios";

describe("what DNS answers in each failure (Route 53 model over the deployed stacks)", function () {
  this.timeout(120_000);
  let t: ScenarioTables;
  before(async () => {
    t = await scenarioTables();
  });

  const check =
    (outcomes: () => Outcome[], expected: (o: Outcome) => Record<string, string>) => (i: number) => () => {
      const o = outcomes()[i];
      expect(o.answers, JSON.stringify(o.routes, null, 1)).to.deep.equal(expected(o));
    };

  describe("two regions, automatic failover", () => {
    SCENARIOS.forEach((s, i) => {
      it(
        `${s.title}: ${JSON.stringify(s.expect)}`,
        check(
          () => t.automatic,
          (o) => o.scenario.expect,
        )(i),
      );
    });
  });

  describe("two regions, manual failover", () => {
    SCENARIOS.forEach((s, i) => {
      const expected = MANUAL[s.id]?.expect ?? s.expect;
      it(
        `${s.title}: ${JSON.stringify(expected)}`,
        check(
          () => t.manual,
          () => expected,
        )(i),
      );
    });
  });

  describe("three regions", () => {
    THREE.forEach((s, i) => {
      it(
        `${s.title}: ${JSON.stringify(s.expect)}`,
        check(
          () => t.three,
          (o) => o.scenario.expect,
        )(i),
      );
    });
  });

  describe("before the control stack's second pulumi up", () => {
    FIRST_DEPLOY.forEach((s, i) => {
      it(
        `${s.title}: ${JSON.stringify(s.expect)}`,
        check(
          () => t.firstDeploy,
          (o) => o.scenario.expect,
        )(i),
      );
    });
  });

  it("answers every scenario before a plan execution the same whatever ARC's initial state", () => {
    for (const initial of ["both-healthy", "both-unhealthy"] as const) {
      for (const [world, scenarios] of [
        [t.automaticWorld, SCENARIOS],
        [t.threeWorld, THREE],
      ] as const) {
        for (const s of scenarios.filter((x) => Object.keys(x.plans).length === 0)) {
          expect(evaluate(world, s, initial).answers, `${initial}: ${s.title}`).to.deep.equal(s.expect);
        }
      }
    }
  });

  it("would send users back to the deactivated home with the old SECONDARY (evaluating the standby set)", () => {
    const flaps = SCENARIOS.find((s) => s.id === "plan-standby-flaps")!;
    const world = scenarioWorld(t.automaticWorld, flaps);
    const old = {
      ...world,
      records: world.records.map((r) =>
        r.name === t.automaticWorld.domain && r.failover === "SECONDARY"
          ? { ...r, alias: { ...r.alias!, evaluateTargetHealth: true } }
          : r,
      ),
    };
    const answer = (w: typeof world) =>
      new Route53Model(w).resolve(t.automaticWorld.zoneId, t.automaticWorld.domain, CLIENTS["ca-central-1"])
        .region;
    expect(answer(world)).to.equal("ca-central-1");
    expect(answer(old)).to.equal("us-east-1");
  });

  it("attaches every plan's checks after the second deploy, in all three regions' records", () => {
    for (const world of [t.automaticWorld, t.threeWorld]) {
      for (const [standby, ids] of Object.entries(world.arcChecks)) {
        expect(ids.home, standby).to.be.a("string");
        expect(ids.standby, standby).to.be.a("string");
      }
    }
    expect(Object.keys(t.threeWorld.arcChecks)).to.deep.equal(["ca-central-1", "eu-west-1"]);
  });

  it("docs/dns-scenarios.md is the table the model resolves (run `npm run dns-docs`)", async () => {
    expect(fs.readFileSync(DOC_FILE, "utf8")).to.equal(await renderDoc(t));
  });
});
