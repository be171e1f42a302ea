/**
 * The disaster-recovery policies (policy/rules/dr.ts), condition by condition, both ways, with the
 * exact message: the failover and latency records, the detection budget, global data, the role a
 * stack plays (from its tag or its data tier), standby capacity, protection and spread over AZs.
 */
import { expect } from "chai";
import { TYPES } from "../policy/rules/common";
import { UNKNOWN } from "../policy/runner";
import { dep, findings, messages, res } from "./policyHelpers";

const alias = (over: Record<string, unknown> = {}) => ({
  name: "home.app.example.com",
  zoneId: "Z1",
  evaluateTargetHealth: true,
  ...over,
});
const record = (name: string, over: Record<string, unknown>) =>
  res(TYPES.record, name, { zoneId: "Z1", name: "app.example.com", type: "A", setIdentifier: name, ...over });
const latency = (name: string, over: Record<string, unknown> = {}) =>
  record(name, {
    name: "standby.app.example.com",
    latencyRoutingPolicies: [{ region: "ca-central-1" }],
    healthCheckId: "hc",
    aliases: [alias()],
    ...over,
  });
const primary = (over: Record<string, unknown> = {}) =>
  record("primary", {
    failoverRoutingPolicies: [{ type: "PRIMARY" }],
    healthCheckId: "arc",
    aliases: [alias()],
    ...over,
  });
const secondary = (over: Record<string, unknown> = {}) =>
  record("secondary", {
    failoverRoutingPolicies: [{ type: "SECONDARY" }],
    aliases: [alias({ name: "standby.app.example.com", evaluateTargetHealth: false })],
    ...over,
  });
const plan = res(TYPES.plan, "plan", { name: "p" });
const check = (name: string, over: Record<string, unknown>) =>
  res(TYPES.healthCheck, name, { type: "HTTPS", ...over }, { out: { id: `${name}-id` } });
const asg = (name: string, over: Record<string, unknown> = {}) =>
  res(TYPES.asg, name, { minSize: 1, maxSize: 6, vpcZoneIdentifiers: ["subnet-a", "subnet-b"], ...over });

describe("DR policies", () => {
  describe("dr-failover-records", () => {
    const name = "dr-failover-records";
    it("checks a latency record's alias only when it has exactly one", async () => {
      expect(
        await messages(name, [latency("ip", { aliases: undefined, records: ["192.0.2.1"] })]),
      ).to.deep.equal([]);
      expect(
        await messages(name, [
          latency("two", { aliases: [alias({ evaluateTargetHealth: false }), alias()] }),
        ]),
      ).to.deep.equal([]);
      expect(await messages(name, [latency("later", { aliases: UNKNOWN.array })])).to.deep.equal([]);
    });
    it("names each record of the control stack's pair that misses its setIdentifier", async () => {
      const found = await findings(name, [plan, primary({ setIdentifier: undefined }), secondary()]);
      expect(found.messages).to.deep.equal(["Record primary has no setIdentifier."]);
      expect(found.on).to.deep.equal(["primary"]);
    });
    it("wants the SECONDARY to be one alias, and compares zones only when both are known", async () => {
      expect(
        await messages(name, [plan, primary(), secondary({ aliases: [alias(), alias()] })]),
      ).to.deep.equal(["SECONDARY record secondary is not an alias to the standby set."]);
      for (const over of [{ zoneId: UNKNOWN.string }, {}]) {
        expect(await messages(name, [plan, primary(), secondary(over)]), JSON.stringify(over)).to.deep.equal(
          [],
        );
      }
      expect(
        await messages(name, [
          plan,
          primary(),
          secondary({ aliases: [alias({ zoneId: UNKNOWN.string, name: "x", evaluateTargetHealth: false })] }),
        ]),
      ).to.deep.equal([]);
      // Evaluate Target Health unknown during preview: not yet a violation.
      expect(
        await messages(name, [
          plan,
          primary(),
          secondary({
            aliases: [alias({ name: "standby.app.example.com", evaluateTargetHealth: UNKNOWN.boolean })],
          }),
        ]),
      ).to.deep.equal([]);
    });
    it("pairs the records by name once every name is known, naming the name and the count of each side", async () => {
      expect(await messages(name, [plan, primary({ name: UNKNOWN.string }), secondary()])).to.deep.equal([]);
      expect(await messages(name, [plan, primary(), secondary({ name: "www.example.com." })])).to.deep.equal([
        "The failover records named app.example.com are 1 PRIMARY and 0 SECONDARY; a pair is exactly one of each.",
        "The failover records named www.example.com are 0 PRIMARY and 1 SECONDARY; a pair is exactly one of each.",
        "The control stack's failover records (app.example.com, www.example.com) have no single pair that no record aliases: the app domain's pair cannot be told.",
      ]);
    });
    it("counts a record with an untyped failover policy as neither side", async () => {
      expect(
        await messages(name, [
          plan,
          primary(),
          secondary(),
          record("odd", { failoverRoutingPolicies: [{}] }),
        ]),
      ).to.deep.equal([]);
    });
  });

  describe("dr-failure-detection-budget", () => {
    const name = "dr-failure-detection-budget";
    it("is not applicable without a polling health check", async () => {
      const found = await findings(name, [
        check("calc", { type: "CALCULATED" }),
        check("alarm", { type: "CLOUDWATCH_METRIC" }),
        check("arc", { type: "RECOVERY_CONTROL" }),
      ]);
      expect(found.notApplicable).to.deep.equal(["No polling health check"]);
    });
    it("times the checks the records use, or every polling check when no record uses one, with AWS's defaults", async () => {
      const slow = check("slow", { requestInterval: 30, failureThreshold: 2 });
      const fast = check("fast", { requestInterval: 10 });
      const found = await findings(name, [
        slow,
        fast,
        check("untyped", { type: undefined, requestInterval: 10, failureThreshold: 3 }),
      ]);
      expect(found.messages).to.deep.equal([
        "Health check slow detects a failure in 30 s × 2 = 60 s; the budget is 30 s.",
      ]);
      expect(found.on).to.deep.equal(["slow"]);
      expect(await messages(name, [slow, fast, latency("r", { healthCheckId: "fast-id" })])).to.deep.equal(
        [],
      );
      expect(await messages(name, [slow, fast, primary({ healthCheckId: "slow-id" })])).to.deep.equal([
        "Health check slow detects a failure in 30 s × 2 = 60 s; the budget is 30 s.",
      ]);
      expect(await messages(name, [check("defaults", {})])).to.deep.equal([
        "Health check defaults detects a failure in 30 s × 3 = 90 s; the budget is 30 s.",
      ]);
      expect(await messages(name, [slow], { config: { maxDetectionSeconds: 60 } })).to.deep.equal([]);
    });
  });

  describe("dr-global-data-membership", () => {
    const name = "dr-global-data-membership";
    const cluster = (clusterName: string, over: Record<string, unknown> = {}) =>
      res(TYPES.cluster, clusterName, { globalClusterIdentifier: "app-global", ...over });
    const global = res(TYPES.globalCluster, "global", { globalClusterIdentifier: "app-global" });
    const table = (over: Record<string, unknown> = {}) =>
      res(TYPES.table, "table", { streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES", ...over });
    const replica = res(TYPES.tableReplica, "replica", {});
    it("is not applicable without a data tier", async () => {
      expect((await findings(name, [asg("a")])).notApplicable).to.deep.equal(["No data tier in this stack"]);
    });
    it("on the home: every cluster a member, a table streaming new and old images", async () => {
      expect(await messages(name, [global, cluster("c"), table()])).to.deep.equal([]);
      const found = await findings(name, [
        global,
        cluster("c", { globalClusterIdentifier: undefined }),
        table({ streamViewType: "KEYS_ONLY" }),
      ]);
      expect(found.messages).to.deep.equal([
        "Aurora cluster c is not a member of a global cluster.",
        "Table table has no NEW_AND_OLD_IMAGES stream, which global tables need.",
      ]);
      expect(found.on).to.deep.equal(["c", "table"]);
      expect(await messages(name, [global, cluster("c"), table({ streamEnabled: false })])).to.deep.equal([
        "Table table has no NEW_AND_OLD_IMAGES stream, which global tables need.",
      ]);
      expect(await messages(name, [global, cluster("c")])).to.deep.equal([
        "The home stack has no DynamoDB table to replicate.",
      ]);
    });
    it("on a standby: a credential-less secondary and a table replica", async () => {
      expect(await messages(name, [cluster("c"), replica])).to.deep.equal([]);
      expect(await messages(name, [replica])).to.deep.equal([
        "This standby has no Aurora secondary cluster.",
      ]);
      expect(await messages(name, [cluster("c")])).to.deep.equal([
        "This standby has no DynamoDB TableReplica.",
      ]);
      expect(
        await messages(name, [
          cluster("c", { masterUsername: "app_admin", masterPassword: "x", manageMasterUserPassword: true }),
          cluster("d", { masterPassword: "x" }),
          replica,
        ]),
      ).to.deep.equal([
        "Secondary cluster c sets masterUsername, masterPassword, manageMasterUserPassword; it inherits them from the primary.",
        "Secondary cluster d sets masterPassword; it inherits them from the primary.",
      ]);
    });
  });

  describe("dr-standby-capacity and the stack's role", () => {
    const name = "dr-standby-capacity";
    it("reads the role from the stack tag, else from the data tier, else does not know it", async () => {
      const reasons = async (resources: ReturnType<typeof res>[], tags?: Record<string, string>) =>
        (await findings(name, resources, { stackTags: tags })).notApplicable;
      expect(await reasons([asg("a")])).to.deep.equal(["Role is unknown, not passive"]);
      expect(await reasons([asg("a")], { role: "primary" })).to.deep.equal(["Role is unknown, not passive"]);
      expect(await reasons([asg("a")], { role: "active" })).to.deep.equal(["Role is active, not passive"]);
      expect(await reasons([asg("a"), res(TYPES.globalCluster, "g", {})])).to.deep.equal([
        "Role is active, not passive",
      ]);
      expect(await reasons([])).to.deep.equal(["Role is unknown, not passive"]);
      expect(await reasons([res(TYPES.tableReplica, "r", {})])).to.deep.equal(["No Auto Scaling group"]);
    });
    it("says where the role came from, and lets a standby grow exactly to the active capacity", async () => {
      const small = asg("small", { maxSize: 1 });
      const ok = asg("ok", { maxSize: 2 });
      expect(await messages(name, [small, ok], { stackTags: { role: "passive" } })).to.deep.equal([
        "Group small (passive per stack tag role) can grow to 1, below the active 2.",
      ]);
      expect(await messages(name, [small, res(TYPES.cluster, "c", {})])).to.deep.equal([
        "Group small (passive per standby stack (steady state)) can grow to 1, below the active 2.",
      ]);
      expect(
        await messages(name, [asg("unset", { maxSize: undefined }), res(TYPES.tableReplica, "r", {})]),
      ).to.deep.equal([
        "Group unset (passive per standby stack (steady state)) can grow to 0, below the active 2.",
      ]);
      expect(
        await messages(name, [small, res(TYPES.globalCluster, "g", {})], { stackTags: { role: "passive" } }),
      ).to.deep.equal(["Group small (passive per stack tag role) can grow to 1, below the active 2."]);
    });
  });

  describe("dr-stateful-protected", () => {
    const name = "dr-stateful-protected";
    it("is not applicable without a stateful resource", async () => {
      expect((await findings(name, [asg("a")])).notApplicable).to.deep.equal(["No stateful resource"]);
    });
    it("wants protect on every stateful type and each one's deletion protection flag", async () => {
      const cases: [string, string | undefined][] = [
        [TYPES.globalCluster, "deletionProtection"],
        [TYPES.cluster, "deletionProtection"],
        [TYPES.table, "deletionProtectionEnabled"],
        [TYPES.tableReplica, "deletionProtectionEnabled"],
        [TYPES.kmsKey, undefined],
        [TYPES.secret, undefined],
      ];
      for (const [type, flag] of cases) {
        expect(
          await messages(name, [res(type, "x", flag ? { [flag]: true } : {}, { protect: true })]),
          type,
        ).to.deep.equal([]);
        expect(await messages(name, [res(type, "x", {})]), type).to.deep.equal([
          `${type} x is not protected.`,
          ...(flag ? [`${type} x has ${flag} off.`] : []),
        ]);
      }
    });
  });

  describe("dr-active-multi-az", () => {
    const name = "dr-active-multi-az";
    const active = { stackTags: { role: "active" } };
    const cluster = res(TYPES.cluster, "c", { clusterIdentifier: "app-c" }, { out: { id: "app-c" } });
    const instance = (instanceName: string, over: Record<string, unknown>, extra = {}) =>
      res(TYPES.clusterInstance, instanceName, over, extra);
    it("applies to the active role only", async () => {
      expect(
        (await findings(name, [asg("a")], { stackTags: { role: "passive" } })).notApplicable,
      ).to.deep.equal(["Role is passive, not active"]);
      expect((await findings(name, [asg("a")])).notApplicable).to.deep.equal(["Role is unknown, not active"]);
    });
    it("counts each group's subnets and each cluster's pinned AZs, its instances by identifier or reference (during preview too)", async () => {
      const found = await findings(
        name,
        [
          asg("one", { vpcZoneIdentifiers: ["subnet-a", "subnet-a"] }),
          asg("none", { vpcZoneIdentifiers: undefined }),
          asg("two"),
          cluster,
          instance("writer", { clusterIdentifier: "app-c", availabilityZone: "us-east-1a" }),
          instance("reader", { clusterIdentifier: "app-c" }),
          instance("stranger", { clusterIdentifier: "app-other", availabilityZone: "us-east-1b" }),
          instance(
            "unknown",
            { clusterIdentifier: UNKNOWN.string, availabilityZone: "us-east-1a" },
            dep("clusterIdentifier", cluster),
          ),
        ],
        active,
      );
      expect(found.messages).to.deep.equal([
        "Group one spans 1 subnet(s); 2 AZs needed.",
        "Group none spans 0 subnet(s); 2 AZs needed.",
        "Aurora cluster c has 3 instance(s) in 1 pinned AZ(s); 2 distinct AZs needed.",
      ]);
      expect(found.on).to.deep.equal(["one", "none", "c"]);
      expect(
        await messages(
          name,
          [
            cluster,
            instance("b", { clusterIdentifier: "app-c", availabilityZone: "us-east-1b" }),
            instance("a", { clusterIdentifier: "app-c", availabilityZone: "us-east-1a" }),
          ],
          active,
        ),
      ).to.deep.equal([]);
      expect(
        await messages(name, [asg("two")], { ...active, config: { minAvailabilityZones: 3 } }),
      ).to.deep.equal(["Group two spans 2 subnet(s); 3 AZs needed."]);
    });
  });
});
