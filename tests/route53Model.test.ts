/**
 * The Route 53 model's rules (tests/route53Model.ts) on hand-built record sets whose answers the Route
 * 53 documentation states: the failover rules, latency and backing out of a branch, alias records
 * with and without Evaluate Target Health, a health check on an alias record, records without health
 * checks, a group with no healthy record, and load balancers with and without healthy targets.
 */
import { expect } from "chai";
import { ModelClient, ModelLoadBalancer, ModelRecord, ModelWorld, Route53Model } from "./route53Model";

const Z = "ZEXAMPLE";
const EAST: ModelClient = { name: "near us-east-1", latency: ["us-east-1", "ap-southeast-2"] };

const rec = (name: string, over: Partial<ModelRecord>): ModelRecord => ({
  zoneId: Z,
  name,
  type: "A",
  ...over,
});
const alias = (name: string, evaluateTargetHealth: boolean, zoneId = Z) => ({
  name,
  zoneId,
  evaluateTargetHealth,
});
const lb = (region: string, ...targetGroups: [number, number][]): ModelLoadBalancer => ({
  region,
  targetGroups: targetGroups.map(([registered, healthy]) => ({ registered, healthy })),
});

function model(
  records: ModelRecord[],
  healthChecks: Record<string, boolean>,
  lbs: Record<string, ModelLoadBalancer> = {},
) {
  const world: ModelWorld = { records, healthChecks, loadBalancers: lbs };
  return new Route53Model(world);
}

describe("Route 53 model: failover records", () => {
  // [CHOOSE] "Failover records", with a health check on each record.
  const pair = [
    rec("www.example.com", {
      failover: "PRIMARY",
      setIdentifier: "p",
      healthCheckId: "hp",
      values: ["192.0.2.1"],
    }),
    rec("www.example.com", {
      failover: "SECONDARY",
      setIdentifier: "s",
      healthCheckId: "hs",
      values: ["192.0.2.2"],
    }),
  ];
  const answer = (hp: boolean, hs: boolean) =>
    model(pair, { hp, hs }).resolve(Z, "www.example.com", EAST).target;

  it("answers the primary while it is healthy, whatever the secondary's health", () => {
    expect(answer(true, true)).to.equal("192.0.2.1");
    expect(answer(true, false)).to.equal("192.0.2.1");
  });

  it("answers the secondary when the primary is unhealthy and the secondary healthy", () => {
    expect(answer(false, true)).to.equal("192.0.2.2");
  });

  it("answers the primary when both are unhealthy", () => {
    expect(answer(false, false)).to.equal("192.0.2.1");
  });

  it("always answers a secondary that has no health check when the primary is unhealthy", () => {
    const [primary, secondary] = pair;
    const m = model([primary, { ...secondary, healthCheckId: undefined }], { hp: false });
    expect(m.resolve(Z, "www.example.com", EAST).target).to.equal("192.0.2.2");
  });

  it("takes an alias secondary's health from its target when it evaluates target health, and not when it does not", () => {
    // The old app-domain pair: SECONDARY → standby set with Evaluate Target Health. With the standby
    // set unhealthy, Route 53 answers the PRIMARY "regardless of the health of the primary" [API].
    const records = [
      rec("app.example.com", {
        failover: "PRIMARY",
        setIdentifier: "home",
        healthCheckId: "arc-home",
        values: ["192.0.2.1"],
      }),
      rec("app.example.com", {
        failover: "SECONDARY",
        setIdentifier: "standby",
        alias: alias("standby.example.com", true),
      }),
      rec("standby.example.com", {
        latencyRegion: "ap-southeast-2",
        setIdentifier: "ap",
        healthCheckId: "deep",
        values: ["192.0.2.9"],
      }),
    ];
    const world = { "arc-home": false, deep: false };
    expect(model(records, world).resolve(Z, "app.example.com", EAST).target).to.equal("192.0.2.1");
    records[1] = { ...records[1], alias: alias("standby.example.com", false) };
    expect(model(records, world).resolve(Z, "app.example.com", EAST).target).to.equal("192.0.2.9");
  });
});

describe("Route 53 model: latency, alias records and evaluate target health", () => {
  // [COMPLEX]: latency alias records for example.com (Evaluate Target Health: Yes) to one group per
  // region, two health-checked instances in each (a failover group here: the model has no weights).
  const region = (r: string, a: string, b: string) => [
    rec(`${r}-www.example.com`, {
      failover: "PRIMARY",
      setIdentifier: `${r}-1`,
      healthCheckId: `${r}-1`,
      values: [a],
    }),
    rec(`${r}-www.example.com`, {
      failover: "SECONDARY",
      setIdentifier: `${r}-2`,
      healthCheckId: `${r}-2`,
      values: [b],
    }),
  ];
  const top = (r: string, evaluateTargetHealth = true, healthCheckId?: string) =>
    rec("example.com", {
      latencyRegion: r,
      setIdentifier: r,
      healthCheckId,
      alias: alias(`${r}-www.example.com`, evaluateTargetHealth),
    });
  const tree = (over: { east?: Partial<ModelRecord> } = {}) => [
    { ...top("us-east-1"), ...over.east },
    top("ap-southeast-2"),
    ...region("us-east-1", "192.0.2.1", "192.0.2.2"),
    ...region("ap-southeast-2", "198.51.100.1", "198.51.100.2"),
  ];
  const checks = (east: boolean, ap = true) => ({
    "us-east-1-1": east,
    "us-east-1-2": east,
    "ap-southeast-2-1": ap,
    "ap-southeast-2-2": ap,
  });

  it("answers from the region with the lowest latency", () => {
    const answer = model(tree(), checks(true)).resolve(Z, "example.com", EAST);
    expect(answer.target).to.equal("192.0.2.1");
    expect(answer.path[0]).to.equal("example.com: us-east-1 (lowest latency)");
  });

  it("backs out of a branch whose records are all unhealthy and takes the next-best latency", () => {
    const answer = model(tree(), checks(false)).resolve(Z, "example.com", EAST);
    expect(answer.target).to.equal("198.51.100.1");
    expect(answer.path[0]).to.equal(
      "example.com: ap-southeast-2 (us-east-1 unhealthy; next-best latency, healthy)",
    );
  });

  it("stays in a branch whose alias does not evaluate target health, even when all of it fails", () => {
    const m = model(tree({ east: { alias: alias("us-east-1-www.example.com", false) } }), checks(false));
    // "Route 53 must choose one record in this branch instead of backing out of the branch" [COMPLEX].
    expect(m.resolve(Z, "example.com", EAST).target).to.equal("192.0.2.1");
  });

  it("needs both the alias record's own health check and its target to be healthy", () => {
    const withCheck = tree({ east: { healthCheckId: "alias-check" } });
    // "the health check for the latency alias record ... failed. As a result, Route 53 stops responding
    // to queries using any of the weighted records that the latency alias record refers to even if
    // they're all healthy" [COMPLEX].
    expect(
      model(withCheck, { ...checks(true), "alias-check": false }).resolve(Z, "example.com", EAST).target,
    ).to.equal("198.51.100.1");
    expect(
      model(withCheck, { ...checks(true), "alias-check": true }).resolve(Z, "example.com", EAST).target,
    ).to.equal("192.0.2.1");
    expect(
      model(withCheck, { ...checks(false), "alias-check": true }).resolve(Z, "example.com", EAST).target,
    ).to.equal("198.51.100.1");
  });

  it("counts a record without a health check as healthy, so the branch stays", () => {
    const records = tree().map((r) =>
      r.setIdentifier === "us-east-1-2" ? { ...r, healthCheckId: undefined } : r,
    );
    // "Route 53 assumes that the resource is healthy and returns the applicable value" [COMPLEX].
    expect(model(records, checks(false)).resolve(Z, "example.com", EAST).target).to.equal("192.0.2.2");
  });

  it("considers every record healthy when none is, and answers by the routing policy", () => {
    const answer = model(tree(), checks(false, false)).resolve(Z, "example.com", EAST);
    expect(answer.target).to.equal("192.0.2.1");
    expect(answer.path).to.deep.equal([
      "example.com: us-east-1 (none healthy, so all count as healthy; lowest latency)",
      "us-east-1-www.example.com: PRIMARY (both unhealthy)",
    ]);
  });

  it("health-checks an alias through its target: healthy while at least one target record is", () => {
    const m = model(tree(), { ...checks(true), "us-east-1-1": false });
    expect(m.targetHealthy(alias("us-east-1-www.example.com", true), 0)).to.equal(true);
    const none = model(tree(), checks(false));
    expect(none.targetHealthy(alias("us-east-1-www.example.com", true), 0)).to.equal(false);
  });
});

describe("Route 53 model: load balancers behind an alias", () => {
  const records = [
    rec("app.example.com", {
      latencyRegion: "us-east-1",
      setIdentifier: "e",
      alias: alias("east-alb", true, "ZALB1"),
    }),
    rec("app.example.com", {
      latencyRegion: "ap-southeast-2",
      setIdentifier: "a",
      alias: alias("ap-alb", true, "ZALB2"),
    }),
  ];
  const answer = (east: ModelLoadBalancer) =>
    model(records, {}, { "east-alb": east, "ap-alb": lb("ap-southeast-2", [2, 2]) }).resolve(
      Z,
      "app.example.com",
      EAST,
    );

  it("answers a load balancer whose target groups each have a healthy target", () => {
    expect(answer(lb("us-east-1", [2, 1])).region).to.equal("us-east-1");
    expect(answer(lb("us-east-1", [2, 1], [1, 1])).region).to.equal("us-east-1");
  });

  it("routes elsewhere when a target group has only unhealthy targets, or none registered", () => {
    expect(answer(lb("us-east-1", [2, 0])).region).to.equal("ap-southeast-2");
    expect(answer(lb("us-east-1", [2, 2], [1, 0])).region).to.equal("ap-southeast-2");
    expect(answer(lb("us-east-1", [0, 0])).region).to.equal("ap-southeast-2");
  });

  it("answers the load balancer anyway when Evaluate Target Health is off", () => {
    const m = model(
      [{ ...records[0], alias: alias("east-alb", false, "ZALB1") }, records[1]],
      {},
      { "east-alb": lb("us-east-1", [2, 0]), "ap-alb": lb("ap-southeast-2", [2, 2]) },
    );
    expect(m.resolve(Z, "app.example.com", EAST).region).to.equal("us-east-1");
  });
});

describe("Route 53 model: what it refuses", () => {
  it("refuses records of one name that mix routing policies, and a failover group without one of each side", () => {
    const mixed = [
      rec("x.example.com", { failover: "PRIMARY", setIdentifier: "a", values: ["192.0.2.1"] }),
      rec("x.example.com", { latencyRegion: "us-east-1", setIdentifier: "b", values: ["192.0.2.2"] }),
    ];
    expect(() => model(mixed, {}).resolve(Z, "x.example.com", EAST)).to.throw(/mix routing policies/);
    const twoPrimaries = mixed.map((r) => ({ ...r, latencyRegion: undefined, failover: "PRIMARY" as const }));
    expect(() => model(twoPrimaries, {}).resolve(Z, "x.example.com", EAST)).to.throw(
      /one PRIMARY and one SECONDARY/,
    );
  });

  it("refuses an alias to a name that does not exist and a health check it has no state for", () => {
    const dangling = [rec("x.example.com", { alias: alias("y.example.com", true) })];
    expect(() => model(dangling, {}).resolve(Z, "x.example.com", EAST)).to.throw(/does not exist/);
    const unknownCheck = [
      rec("x.example.com", {
        latencyRegion: "us-east-1",
        setIdentifier: "a",
        healthCheckId: "who",
        values: ["192.0.2.1"],
      }),
    ];
    expect(() => model(unknownCheck, {}).resolve(Z, "x.example.com", EAST)).to.throw(
      /health check who has no state/,
    );
  });

  it("refuses a client with no latency to a record's region", () => {
    const records = [
      rec("x.example.com", { latencyRegion: "eu-west-1", setIdentifier: "a", values: ["192.0.2.1"] }),
    ];
    expect(() => model(records, {}).resolve(Z, "x.example.com", EAST)).to.throw(/no latency to eu-west-1/);
  });
});
