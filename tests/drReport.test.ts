/**
 * The DR report's arithmetic on hand-built stack runs (no program run): every cost item against a
 * hand-computed figure from tools/prices.json, the step timings of each block type, the detection
 * and capacity times, and the standby database options. Fast enough for mutation testing.
 */
import { expect } from "chai";
import {
  behaviourMatrix,
  capacitySeconds,
  controlCost,
  detectionSeconds,
  DR_ASSUMPTIONS as A,
  drReport,
  planTimings,
  regionFootprint,
  standbyOptions,
  stepSeconds,
} from "../tools/drReport";
import { RecordedResource, StackRun } from "../tools/mocks";
import prices from "../tools/prices.json";
import { paint, printDr } from "../tools/plan";

let next = 0;

/** A recorded resource with just what the report reads. */
function r(
  type: string,
  inputs: Record<string, unknown> = {},
  extra: Partial<RecordedResource> = {},
): RecordedResource {
  next += 1;
  return {
    urn: `urn:pulumi:s::p::${type}::r${next}`,
    id: `id-${next}`,
    type,
    name: `r${next}`,
    custom: true,
    region: "us-east-1",
    inputs,
    outputs: {},
    protect: false,
    dependencies: [],
    propertyDependencies: {},
    ignoreChanges: [],
    deleteBeforeReplace: false,
    retainOnDelete: false,
    aliases: [],
    ...extra,
  };
}

/** A regional run: two tiers, NAT per the VPC inputs, two ALBs, Aurora, WAF, a health check, keys, a secret, a zone. */
function regional(opts: {
  stack: string;
  region: string;
  role: "active" | "passive";
  home: boolean;
  desired: number;
  natStrategy: "OnePerAz" | "Single";
  dbClass: string;
  dbInstances: number;
  minAcu?: number;
  instanceType?: string;
}): StackRun {
  const lt = (tier: string) =>
    r(
      "aws:ec2/launchTemplate:LaunchTemplate",
      {
        instanceType: opts.instanceType ?? "t4g.small",
        blockDeviceMappings: [{ ebs: { volumeSize: 8 } }],
      },
      { id: `lt-${tier}`, name: `${tier}-lt` },
    );
  const resources = [
    lt("frontend"),
    lt("backend"),
    r(
      "aws:autoscaling/group:Group",
      { desiredCapacity: opts.desired, maxSize: 6, launchTemplate: { id: "lt-frontend" } },
      { name: "frontend-asg" },
    ),
    r(
      "aws:autoscaling/group:Group",
      { desiredCapacity: opts.desired, maxSize: 6, launchTemplate: { id: "lt-backend" } },
      { name: "backend-asg" },
    ),
    r(
      "awsx:ec2:Vpc",
      { natGateways: { strategy: opts.natStrategy }, availabilityZoneNames: ["a", "b"] },
      { custom: false },
    ),
    r("aws:lb/loadBalancer:LoadBalancer"),
    r("aws:lb/loadBalancer:LoadBalancer"),
    r("aws:lb/targetGroup:TargetGroup", { healthCheck: { healthyThreshold: 2, interval: 15 } }),
    r(
      "aws:rds/cluster:Cluster",
      opts.minAcu === undefined ? {} : { serverlessv2ScalingConfiguration: { minCapacity: opts.minAcu } },
    ),
    ...Array.from({ length: opts.dbInstances }, () =>
      r("aws:rds/clusterInstance:ClusterInstance", { instanceClass: opts.dbClass }),
    ),
    r("aws:wafv2/webAcl:WebAcl", { rules: [1, 2, 3, 4, 5] }),
    r("aws:route53/healthCheck:HealthCheck", { requestInterval: 10, failureThreshold: 3 }),
    r("aws:kms/key:Key"),
    r("aws:kms/key:Key"),
    r("aws:secretsmanager/secret:Secret", { replicas: opts.home ? [{ region: "ca-central-1" }] : [] }),
    r("aws:route53/zone:Zone"),
  ];
  return {
    project: "multi-region-web",
    stack: opts.stack,
    organization: "o",
    region: opts.region,
    config: { "multi-region-web:role": opts.role, "multi-region-web:home": String(opts.home) },
    resources,
    outputs: {},
    fabricated: [],
    secretOutputNames: [],
    invokes: [],
  };
}

const home = regional({
  stack: "us-east-1",
  region: "us-east-1",
  role: "active",
  home: true,
  desired: 2,
  natStrategy: "OnePerAz",
  dbClass: "db.r6g.large",
  dbInstances: 2,
});
const standby = regional({
  stack: "ca-central-1",
  region: "ca-central-1",
  role: "passive",
  home: false,
  desired: 1,
  natStrategy: "Single",
  dbClass: "db.serverless",
  dbInstances: 1,
  minAcu: 0.5,
});

const item = (run: StackRun, name: string) =>
  regionFootprint(run).monthlyCost.items.find((i) => i.item === name);

describe("DR report (hand-built runs)", () => {
  it("prices every item of the active region from tools/prices.json (us-east-1)", () => {
    const cost = regionFootprint(home).monthlyCost;
    expect(cost.items).to.deep.equal([
      { item: "EC2 t4g.small (backend)", quantity: 2, monthlyUsd: 24.53 }, // 2 × 0.0168 × 730
      { item: "EC2 t4g.small (frontend)", quantity: 2, monthlyUsd: 24.53 },
      { item: "EBS gp3 root volumes (GB)", quantity: 32, monthlyUsd: 2.56 }, // 4 instances × 8 GB × 0.08
      { item: "Application Load Balancer (hours only, no LCUs)", quantity: 2, monthlyUsd: 32.85 }, // 2 × 0.0225 × 730
      { item: "NAT gateway (hours only, no data processed)", quantity: 2, monthlyUsd: 65.7 }, // one per AZ, 2 × 0.045 × 730
      { item: "Aurora db.r6g.large (no storage or I/O)", quantity: 2, monthlyUsd: 379.6 }, // 2 × 0.26 × 730
      { item: "WAF web ACL with 5 rules (no requests)", quantity: 1, monthlyUsd: 10 }, // 5 + 5 × 1
      { item: "Route 53 health check (HTTPS, fast interval, latency)", quantity: 1, monthlyUsd: 3.5 },
      { item: "KMS customer-managed keys", quantity: 2, monthlyUsd: 2 },
      { item: "Route 53 private hosted zone", quantity: 1, monthlyUsd: 0.5 },
      { item: "Secrets Manager secrets (incl. replicas)", quantity: 2, monthlyUsd: 0.8 }, // the secret and its replica
    ]);
    expect(cost.totalUsd).to.equal(546.57);
    expect(cost.unpriced).to.deep.equal([]);
  });

  it("prices the standby's Serverless v2 at its minimum, one NAT gateway, and ca-central-1's prices", () => {
    expect(item(standby, "Aurora Serverless v2 at its minimum 0.5 ACU")).to.deep.equal({
      item: "Aurora Serverless v2 at its minimum 0.5 ACU",
      quantity: 1,
      monthlyUsd: 48.18, // 0.5 × 0.132 × 730
    });
    expect(item(standby, "NAT gateway (hours only, no data processed)")!.monthlyUsd).to.equal(36.5); // 0.05 × 730
    expect(item(standby, "EC2 t4g.small (frontend)")!.monthlyUsd).to.equal(14.02); // 0.0192 × 730
    expect(item(standby, "EBS gp3 root volumes (GB)")).to.deep.equal({
      item: "EBS gp3 root volumes (GB)",
      quantity: 16,
      monthlyUsd: 1.41,
    });
    const footprint = regionFootprint(standby);
    expect([
      footprint.natGateways,
      footprint.loadBalancers,
      footprint.dbInstances,
      footprint.dbInstanceClass,
    ]).to.deep.equal([1, 2, 1, "db.serverless"]);
    expect(footprint.tiers).to.deep.equal([
      { tier: "backend", instanceType: "t4g.small", desired: 1, max: 6 },
      { tier: "frontend", instanceType: "t4g.small", desired: 1, max: 6 },
    ]);
  });

  it("lists an instance type without a price as unpriced, and keeps the region's total", () => {
    const odd = regional({
      ...{
        stack: "x",
        region: "us-east-1",
        role: "active",
        home: true,
        desired: 1,
        natStrategy: "Single",
        dbClass: "db.r6g.large",
        dbInstances: 2,
      },
      instanceType: "m8g.large",
    });
    const cost = regionFootprint(odd).monthlyCost;
    expect(cost.unpriced).to.deep.equal([
      "EC2 m8g.large (backend) × 1 (not in tools/prices.json for us-east-1)",
      "EC2 m8g.large (frontend) × 1 (not in tools/prices.json for us-east-1)",
    ]);
    expect(cost.totalUsd).to.be.a("number");
  });

  it("compares the standby with the active region and lists its database options", () => {
    const dr = drReport([home, standby]);
    const [active, passive] = dr.regions;
    expect(dr.standbyCostPercentOfActive).to.equal(
      Math.round((passive.monthlyCost.totalUsd! / active.monthlyCost.totalUsd!) * 10000) / 100,
    );
    const options = standbyOptions(home, standby, dr.regions);
    expect(options.map((o) => [o.option, o.offered, o.configured])).to.deep.equal([
      ["serverless", true, true],
      ["provisioned, the home's class", true, false],
      ["provisioned, a smaller class", false, false],
      ["headless", false, false],
    ]);
    // The home's class in ca-central-1: 0.286 × 730 = 208.78 instead of 48.18.
    expect(options[1].monthlyUsd).to.equal(
      Math.round((passive.monthlyCost.totalUsd! - 48.18 + 208.78) * 100) / 100,
    );
    expect(options[3].monthlyUsd).to.equal(Math.round((passive.monthlyCost.totalUsd! - 48.18) * 100) / 100);
    // The Serverless v2 raise runs beside the writer move: it delays no write.
    expect(options[0].writesSeconds).to.deep.equal({ ungraceful: 15 + 60, graceful: 15 + 120 });
    expect(options[1].writesSeconds).to.deep.equal({ ungraceful: 75, graceful: 135 });
    expect(options.map((o) => o.laterWriteOutageSeconds)).to.deep.equal([0, 0, 15 + 900, 0]);
    expect(dr.plan).to.equal(null);
    expect(dr.cases).to.deep.equal([]);
  });

  it("times each block type of a plan, ungraceful and graceful", () => {
    const capacity = 120;
    const time = (step: object, ungraceful: boolean) => stepSeconds(step, ungraceful, capacity);
    expect(time({ executionBlockType: "ManualApproval" }, true)).to.equal(0);
    expect(time({ executionBlockType: "AuroraServerlessScaling" }, true)).to.equal(
      15 + A.auroraServerlessScaling.seconds,
    );
    expect(time({ executionBlockType: "AuroraProvisionedScaling" }, false)).to.equal(
      15 + A.auroraProvisionedScaling.seconds,
    );
    expect(time({ executionBlockType: "AuroraGlobalDatabase" }, true)).to.equal(15 + 60);
    expect(time({ executionBlockType: "AuroraGlobalDatabase" }, false)).to.equal(15 + 120);
    expect(time({ executionBlockType: "Route53HealthCheck" }, true)).to.equal(15 + 30);
    const asg = (minimum?: number) => ({
      executionBlockType: "EC2AutoScaling",
      ec2AsgCapacityIncreaseConfigs: [{ ungraceful: { minimumSuccessPercentage: minimum } }],
    });
    expect(time(asg(0), true)).to.equal(15);
    expect(time(asg(0), false)).to.equal(15 + capacity);
    expect(time(asg(50), true)).to.equal(15 + capacity);
    expect(
      time(
        {
          executionBlockType: "Parallel",
          parallelConfigs: [{ steps: [asg(0), { executionBlockType: "AuroraGlobalDatabase" }] }],
        },
        true,
      ),
    ).to.equal(75);
    expect(time({ executionBlockType: "Other" }, true)).to.equal(15);
  });

  it("reads a plan's timeline: when the writer moves, when traffic arrives, when the last step ends", () => {
    const plan = r("aws:arcregionswitch/plan:Plan", {
      name: "p",
      triggers: [{}],
      workflows: [
        {
          workflowTargetRegion: "ca-central-1",
          steps: [
            { name: "approve", executionBlockType: "ManualApproval" },
            {
              name: "scale-and-move-writer",
              executionBlockType: "Parallel",
              parallelConfigs: [
                {
                  steps: [
                    { executionBlockType: "AuroraServerlessScaling" },
                    { executionBlockType: "AuroraGlobalDatabase" },
                  ],
                },
              ],
            },
            { name: "route-traffic", executionBlockType: "Route53HealthCheck" },
          ],
        },
      ],
    });
    const t = planTimings(plan, "ca-central-1", 120);
    expect(t.automatic).to.equal(true);
    expect(t.manualApproval).to.equal(true);
    expect(t.trigger).to.equal(null);
    // Ungraceful: the raise (15 + 60) and the failover (15 + 60) side by side; graceful: the switchover's 135 s.
    expect(t.ungraceful).to.deep.equal({
      writesSeconds: 75,
      trafficSeconds: 75 + 45 + 60,
      doneSeconds: 75 + 45,
    });
    expect(t.graceful).to.deep.equal({
      writesSeconds: 135,
      trafficSeconds: 135 + 45 + 60,
      doneSeconds: 135 + 45,
    });
    expect(planTimings(plan, "us-east-1", 120).steps).to.deep.equal([]);
  });

  it("counts a step after the DNS step in the execution's end, not in the traffic's arrival", () => {
    const plan = r("aws:arcregionswitch/plan:Plan", {
      name: "p",
      workflows: [
        {
          workflowTargetRegion: "ca-central-1",
          steps: [
            {
              name: "scale-and-move-writer",
              executionBlockType: "Parallel",
              parallelConfigs: [{ steps: [{ executionBlockType: "AuroraGlobalDatabase" }] }],
            },
            { name: "route-traffic", executionBlockType: "Route53HealthCheck" },
            { name: "scale-aurora", executionBlockType: "AuroraProvisionedScaling" },
          ],
        },
      ],
    });
    const t = planTimings(plan, "ca-central-1", 120);
    expect(t.graceful).to.deep.equal({
      writesSeconds: 135,
      trafficSeconds: 135 + 45 + 60,
      doneSeconds: 135 + 45 + 15 + 900,
    });
  });

  it("detects in interval × threshold, and brings capacity in boot + healthy threshold × interval", () => {
    expect(detectionSeconds(r("x", { requestInterval: 30, failureThreshold: 2 }))).to.equal(60);
    expect(detectionSeconds(undefined)).to.be.NaN;
    expect(capacitySeconds(standby)).to.equal(A.instanceBoot.seconds + 2 * 15);
    expect(capacitySeconds(undefined)).to.equal(A.instanceBoot.seconds);
  });

  it("takes ELB's defaults without a health check block (5 × 30 s), the provider's for a field left out of one (3, 30 s)", () => {
    const TG = "aws:lb/targetGroup:TargetGroup";
    expect(capacitySeconds(runOf([r(TG, {})]))).to.equal(A.instanceBoot.seconds + 5 * 30);
    expect(capacitySeconds(runOf([r(TG, { healthCheck: {} })]))).to.equal(A.instanceBoot.seconds + 3 * 30);
    expect(capacitySeconds(runOf([r(TG, { healthCheck: { healthyThreshold: 2 } })]))).to.equal(
      A.instanceBoot.seconds + 2 * 30,
    );
    expect(capacitySeconds(runOf([r(TG, { healthCheck: { interval: 10 } })]))).to.equal(
      A.instanceBoot.seconds + 3 * 10,
    );
    // The slowest group decides.
    expect(
      capacitySeconds(runOf([r(TG, { healthCheck: { healthyThreshold: 2, interval: 15 } }), r(TG, {})])),
    ).to.equal(A.instanceBoot.seconds + 150);
  });

  it("costs the control stack's plans and key at the global and us-east-1 prices", () => {
    const control = {
      ...home,
      project: "multi-region-web-control",
      stack: "global",
      resources: [
        r("aws:arcregionswitch/plan:Plan"),
        r("aws:arcregionswitch/plan:Plan"),
        r("aws:kms/key:Key"),
      ],
    };
    expect(controlCost(control)).to.deep.equal({
      totalUsd: 141,
      items: [
        { item: "ARC Region switch plan", quantity: 2, monthlyUsd: 140 },
        { item: "KMS customer-managed keys", quantity: 1, monthlyUsd: 1 },
      ],
      unpriced: [],
    });
  });
});

/** The home and the standby again, in eu-west-1: a region tools/prices.json has no prices for. */
const unpricedHome = regional({
  stack: "eu-west-1",
  region: "eu-west-1",
  role: "active",
  home: true,
  desired: 2,
  natStrategy: "OnePerAz",
  dbClass: "db.r6g.large",
  dbInstances: 2,
});
const unpricedStandby = regional({
  stack: "eu-west-1",
  region: "eu-west-1",
  role: "passive",
  home: false,
  desired: 1,
  natStrategy: "Single",
  dbClass: "db.serverless",
  dbInstances: 1,
  minAcu: 0.5,
});

/** A bare regional run holding only `resources`. */
function runOf(resources: RecordedResource[], region = "us-east-1"): StackRun {
  return { ...home, stack: `bare-${region}`, region, resources };
}

/** The steps the failover plan component builds (components/failoverWorkflows.ts planWorkflows), by block type. */
const asgStep = (tier: string) => ({
  name: `${tier}-capacity`,
  executionBlockType: "EC2AutoScaling",
  ec2AsgCapacityIncreaseConfigs: [{ targetPercent: 100, ungraceful: { minimumSuccessPercentage: 0 } }],
});
const workflowSteps = (withScaling: boolean, approval: boolean) => [
  ...(approval ? [{ name: "approve", executionBlockType: "ManualApproval" }] : []),
  {
    name: "capacity-and-database",
    executionBlockType: "Parallel",
    parallelConfigs: [
      {
        steps: [
          asgStep("frontend"),
          asgStep("backend"),
          ...(withScaling
            ? [{ name: "database-capacity", executionBlockType: "AuroraServerlessScaling" }]
            : []),
          { name: "database", executionBlockType: "AuroraGlobalDatabase" },
        ],
      },
    ],
  },
  { name: "dns", executionBlockType: "Route53HealthCheck" },
];

/** An ARC Region switch plan between us-east-1 (home) and ca-central-1 (standby, Serverless v2). */
function arcPlan(opts: { name: string; automatic: boolean; approval?: boolean; regions?: string[] }) {
  return r("aws:arcregionswitch/plan:Plan", {
    name: opts.name,
    ...(opts.automatic ? { triggers: [{ action: "activate", targetRegion: "ca-central-1" }] } : {}),
    ...(opts.regions === undefined ? {} : { regions: opts.regions }),
    workflows: [
      { workflowTargetRegion: "ca-central-1", steps: workflowSteps(true, opts.approval ?? false) },
      { workflowTargetRegion: "us-east-1", steps: workflowSteps(false, opts.approval ?? false) },
    ],
  });
}

function controlRun(...resources: RecordedResource[]): StackRun {
  return {
    ...home,
    project: "multi-region-web-control",
    stack: "global",
    config: {},
    resources: [...resources, r("aws:kms/key:Key")],
  };
}

const BOTH = ["us-east-1", "ca-central-1"];

// The activate-ca-central-1 workflow with the standby's capacity time, 90 s boot + 2 × 15 s = 120 s:
//   capacity-and-database, in parallel: the tiers (15 s at a 0 % minimum ungraceful, 15 + 120 s
//   graceful), the Serverless scaling (15 + 60 = 75 s), the writer (15 + 60 failover, 15 + 120 switchover):
//   ungraceful max(15, 75, 75) = 75 s, graceful max(135, 75, 135) = 135 s;
//   dns 15 + 30 = 45 s; then the 60 s alias TTL.
// The writer moves at 75 s (ungraceful) or 135 s (graceful), not after the raise; traffic arrives at
// 75 + 45 + 60 = 180 s and 135 + 45 + 60 = 240 s; the last step ends at 120 s and 180 s.
const UNGRACEFUL = { writesSeconds: 75, trafficSeconds: 180, doneSeconds: 120 };
const GRACEFUL = { writesSeconds: 135, trafficSeconds: 240, doneSeconds: 180 };

describe("DR report: assumptions and plan timings", () => {
  it("says of every assumption whether AWS publishes it, and where, or that it is ours", () => {
    const kind = (source: string) =>
      source.startsWith("unverified: ")
        ? "unverified"
        : source.startsWith("our assumption")
          ? "ours"
          : /(User Guide|Developer Guide|FAQ)/.test(source)
            ? "published"
            : "no source";
    expect(Object.fromEntries(Object.entries(A).map(([k, v]) => [k, kind(v.source)]))).to.deep.equal({
      aliasRecordTtl: "published",
      auroraFailover: "published",
      auroraSwitchover: "unverified",
      arcStepStart: "unverified",
      healthCheckFlip: "unverified",
      instanceBoot: "ours",
      humanDecision: "ours",
      auroraServerlessScaling: "unverified",
      auroraProvisionedScaling: "unverified",
      replicationLag: "published",
    });
    // The unverified ones name what measures them.
    for (const key of [
      "auroraSwitchover",
      "arcStepStart",
      "healthCheckFlip",
      "auroraServerlessScaling",
      "auroraProvisionedScaling",
    ] as const) {
      expect(A[key].source, key).to.include("measured by the DR drill");
    }
    expect([A.humanDecision.seconds, A.replicationLag.seconds, A.instanceBoot.seconds]).to.deep.equal([
      300, 1, 90,
    ]);
  });

  it("waits for capacity in an EC2 Auto Scaling step that sets no ungraceful minimum", () => {
    const ec2 = (configs?: object[]) => ({
      executionBlockType: "EC2AutoScaling",
      ec2AsgCapacityIncreaseConfigs: configs,
    });
    expect(stepSeconds(ec2([{ targetPercent: 100 }]), true, 120)).to.equal(15 + 120);
    expect(stepSeconds(ec2([]), true, 120)).to.equal(15 + 120);
    expect(stepSeconds(ec2(), true, 120)).to.equal(15 + 120);
  });

  it("times the plan component's workflow step by step, with its manual approval apart", () => {
    const t = planTimings(arcPlan({ name: "manual", automatic: false, approval: true }), "ca-central-1", 120);
    expect(t.planName).to.equal("manual");
    expect(t.standbyRegion).to.equal("ca-central-1");
    expect(t.automatic).to.equal(false);
    expect(t.manualApproval).to.equal(true);
    expect(t.steps).to.deep.equal([
      { name: "approve", type: "ManualApproval", ungracefulSeconds: 0, gracefulSeconds: 0 },
      { name: "capacity-and-database", type: "Parallel", ungracefulSeconds: 75, gracefulSeconds: 135 },
      { name: "dns", type: "Route53HealthCheck", ungracefulSeconds: 45, gracefulSeconds: 45 },
    ]);
    // The approval takes no machine time: the same timeline as without it.
    expect(t.ungraceful).to.deep.equal(UNGRACEFUL);
    expect(t.graceful).to.deep.equal(GRACEFUL);
    // The failback workflow has no database scaling: the same timings, the raise having delayed nothing.
    const back = planTimings(arcPlan({ name: "p", automatic: true }), "us-east-1", 120);
    expect([back.automatic, back.manualApproval]).to.deep.equal([true, false]);
    expect(back.ungraceful).to.deep.equal(UNGRACEFUL);
    expect(back.graceful).to.deep.equal(GRACEFUL);
  });

  it("takes no time in a Parallel step with no steps inside", () => {
    expect(stepSeconds({ executionBlockType: "Parallel" }, true, 120)).to.equal(0);
    expect(stepSeconds({ executionBlockType: "Parallel", parallelConfigs: [{}] }, false, 120)).to.equal(0);
  });

  it("has no writer time for a workflow that does not move the writer", () => {
    const plan = r("aws:arcregionswitch/plan:Plan", {
      name: "dns-only",
      workflows: [
        {
          workflowTargetRegion: "ca-central-1",
          steps: [
            {
              name: "tiers",
              executionBlockType: "Parallel",
              parallelConfigs: [{ steps: [asgStep("frontend")] }],
            },
            { name: "dns", executionBlockType: "Route53HealthCheck" },
          ],
        },
      ],
    });
    const t = planTimings(plan, "ca-central-1", 120);
    expect(t.ungraceful.writesSeconds).to.be.NaN;
    expect(t.ungraceful.trafficSeconds).to.equal(15 + 45 + 60);
    expect(t.graceful.trafficSeconds).to.equal(135 + 45 + 60);
    expect(t.automatic).to.equal(false);
  });
});

describe("DR report: behaviour matrix", () => {
  const lossy =
    "writes not yet replicated: typically under 1 s (AuroraGlobalDBRPOLag; DynamoDB ReplicationLatency), no SLA";
  const titles = [
    ["a", "the active region's application tier fails, its database is fine"],
    ["b", "the whole active region is down"],
    ["c", "the active region's Aurora writer fails (the whole primary cluster)"],
    ["d", "planned switchover to the standby"],
    ["e", "failback to the home region"],
  ];
  const numbers = (cases: ReturnType<typeof behaviourMatrix>) =>
    cases.map((c) => [c.id, c.readsSeconds, c.readsAfterDecision, c.writesSeconds, c.decisionSeconds]);

  it("with the automatic trigger: reads move after detection + TTL, writes after a decision when the region is lost", () => {
    const t = planTimings(arcPlan({ name: "p", automatic: true }), "ca-central-1", 120);
    const cases = behaviourMatrix(t, 30);
    expect(cases.map((c) => [c.id, c.title])).to.deep.equal(titles);
    // Detection 30 s + the 60 s alias TTL = 90 s; the human decision is 300 s.
    expect(numbers(cases)).to.deep.equal([
      ["a", 90, false, 0, 0],
      ["b", 90, false, 75, 300],
      ["c", 90, false, 75, 300],
      ["d", 240, false, 135, 0],
      ["e", 240, false, 135, 0],
    ]);
    expect(cases.map((c) => c.rpo)).to.deep.equal([
      "none: the writer was healthy; the switchover waits for the secondary to catch up",
      lossy,
      lossy,
      "none",
      "none",
    ]);
    expect(cases[0].acts).to.match(
      /^Route 53's deep health check drops the home.*the trigger starts the plan; on approval \(graceful\): capacity and a lossless switchover in parallel/,
    );
    expect(cases[0].users).to.match(/^errors for about the detection time plus the TTL/);
    expect(cases[1].acts).to.match(
      /the operator decides the data loss: the execution ungraceful \(switchToUngraceful/,
    );
    expect(cases[1].users).to.equal(
      "reads and DynamoDB writes from the standby; Aurora writes fail until the failover",
    );
    expect(cases[2].acts).to.match(
      /in-region failover to the reader.*the operator runs the plan ungraceful$/,
    );
    expect(cases[2].users).to.equal("reads from the standby; Aurora writes fail until the failover");
    expect(cases[3].acts).to.match(/^the operator starts the plan \(graceful\)/);
    expect(cases[3].users).to.match(/^no errors: writes pause during the switchover/);
    expect(cases[4].acts).to.match(/home workflow \(graceful\).*DNS back$/);
    expect(cases[4].users).to.equal("as in (d), the other way");
  });

  it("in manual mode: everything waits for the operator's decision and the plan's DNS step", () => {
    const t = planTimings(arcPlan({ name: "p", automatic: false, approval: true }), "ca-central-1", 120);
    const cases = behaviourMatrix(t, 30);
    expect(cases.map((c) => [c.id, c.title])).to.deep.equal(titles);
    expect(numbers(cases)).to.deep.equal([
      ["a", 240, true, 240, 300],
      ["b", 180, true, 75, 300],
      ["c", 180, true, 75, 300],
      ["d", 240, false, 135, 0],
      ["e", 240, false, 135, 0],
    ]);
    expect(cases[0].acts).to.equal(
      "an operator starts the plan (graceful): capacity and a lossless switchover in parallel, then DNS",
    );
    expect(cases[0].users).to.equal("errors until the plan's DNS step (manual mode)");
    expect(cases[1].acts).to.equal(
      "the operator runs the plan ungraceful: Aurora failover beside capacity, then DNS",
    );
  });

  it("takes its figures from the assumptions it is given", () => {
    const t = planTimings(arcPlan({ name: "p", automatic: true }), "ca-central-1", 120);
    const a = {
      ...A,
      aliasRecordTtl: { ...A.aliasRecordTtl, seconds: 300 },
      humanDecision: { ...A.humanDecision, seconds: 600 },
      replicationLag: { ...A.replicationLag, seconds: 5 },
    };
    const cases = behaviourMatrix(t, 30, a);
    expect(cases[0].readsSeconds).to.equal(330);
    expect(cases[1].decisionSeconds).to.equal(600);
    expect(cases[1].rpo).to.match(/^writes not yet replicated: typically under 5 s /);
  });
});

describe("DR report: footprints", () => {
  it("reads each tier's own launch template, defaults a root volume to 8 GB, and skips what is absent", () => {
    const lt = (tier: string, instanceType: string, blockDeviceMappings?: object[]) =>
      r(
        "aws:ec2/launchTemplate:LaunchTemplate",
        { instanceType, ...(blockDeviceMappings ? { blockDeviceMappings } : {}) },
        { id: `lt-${tier}` },
      );
    const asg = (tier: string, desired: number, max: number, template = true) =>
      r(
        "aws:autoscaling/group:Group",
        {
          desiredCapacity: desired,
          maxSize: max,
          ...(template ? { launchTemplate: { id: `lt-${tier}` } } : {}),
        },
        { name: `${tier}-asg` },
      );
    const run = runOf([
      lt("frontend", "m7g.large", [{ ebs: { volumeSize: 20 } }]),
      lt("backend", "m6i.large", [{ deviceName: "/dev/xvda" }]),
      lt("jobs", "t4g.small", []),
      asg("frontend", 2, 4),
      asg("backend", 1, 2),
      asg("jobs", 1, 1),
      asg("worker", 1, 3, false),
      r("awsx:ec2:Vpc", { numberOfAvailabilityZones: 2 }, { custom: false }),
      r("aws:rds/cluster:Cluster", { serverlessv2ScalingConfiguration: { minCapacity: 2 } }),
      r("aws:rds/clusterInstance:ClusterInstance", { instanceClass: "db.serverless" }),
      r("aws:rds/clusterInstance:ClusterInstance", { instanceClass: "db.serverless" }),
      r("aws:wafv2/webAcl:WebAcl", {}),
      r("aws:secretsmanager/secret:Secret", {}),
    ]);
    const f = regionFootprint(run);
    expect(f.tiers).to.deep.equal([
      { tier: "backend", instanceType: "m6i.large", desired: 1, max: 2 },
      { tier: "frontend", instanceType: "m7g.large", desired: 2, max: 4 },
      { tier: "jobs", instanceType: "t4g.small", desired: 1, max: 1 },
      { tier: "worker", instanceType: "unknown", desired: 1, max: 3 },
    ]);
    expect([f.natGateways, f.loadBalancers, f.dbInstances, f.dbInstanceClass]).to.deep.equal([
      2,
      0,
      2,
      "db.serverless",
    ]);
    expect(f.monthlyCost).to.deep.equal({
      totalUsd: 628.1,
      items: [
        { item: "EC2 m6i.large (backend)", quantity: 1, monthlyUsd: 70.08 }, // 0.096 × 730
        { item: "EC2 m7g.large (frontend)", quantity: 2, monthlyUsd: 119.14 }, // 2 × 0.0816 × 730
        { item: "EC2 t4g.small (jobs)", quantity: 1, monthlyUsd: 12.26 }, // 0.0168 × 730
        { item: "EBS gp3 root volumes (GB)", quantity: 64, monthlyUsd: 5.12 }, // 2 × 20 + 3 × 8 GB, × 0.08
        { item: "NAT gateway (hours only, no data processed)", quantity: 2, monthlyUsd: 65.7 }, // awsx's one per AZ
        { item: "Aurora Serverless v2 at its minimum 2 ACU", quantity: 2, monthlyUsd: 350.4 }, // 2 × 2 × 0.12 × 730
        { item: "WAF web ACL with 0 rules (no requests)", quantity: 1, monthlyUsd: 5 },
        { item: "Secrets Manager secrets (incl. replicas)", quantity: 1, monthlyUsd: 0.4 },
      ],
      unpriced: ["EC2 unknown (worker) × 1 (not in tools/prices.json for us-east-1)"],
    });
  });

  it("counts NAT gateways per awsx's strategy: one per AZ by default (3 AZs), one, or none", () => {
    const nats = (inputs: Record<string, unknown>) =>
      regionFootprint(runOf([r("awsx:ec2:Vpc", inputs, { custom: false })]));
    expect(nats({}).natGateways).to.equal(3);
    expect(nats({ numberOfAvailabilityZones: 2 }).natGateways).to.equal(2);
    expect(
      nats({ natGateways: { strategy: "OnePerAz" }, availabilityZoneNames: ["a", "b", "c"] }).natGateways,
    ).to.equal(3);
    expect(nats({ natGateways: { strategy: "Single" }, numberOfAvailabilityZones: 3 }).natGateways).to.equal(
      1,
    );
    const none = nats({ natGateways: { strategy: "None" }, availabilityZoneNames: ["a", "b", "c"] });
    expect(none.natGateways).to.equal(0);
    // Nothing to pay for, so no line at all, not a $0 one.
    expect(none.monthlyCost).to.deep.equal({ totalUsd: 0, items: [], unpriced: [] });
  });

  it("prices Serverless v2 at 0.5 ACU when the cluster sets no scaling configuration", () => {
    const f = regionFootprint(
      regional({
        stack: "x",
        region: "us-east-1",
        role: "passive",
        home: false,
        desired: 1,
        natStrategy: "Single",
        dbClass: "db.serverless",
        dbInstances: 1,
      }),
    );
    expect(f.monthlyCost.items.find((i) => i.item.startsWith("Aurora"))).to.deep.equal({
      item: "Aurora Serverless v2 at its minimum 0.5 ACU",
      quantity: 1,
      monthlyUsd: 43.8, // 0.5 × 0.12 × 730
    });
  });

  it("gives a stack without a role the role 'unknown', and the control stack 'control'", () => {
    expect(regionFootprint({ ...runOf([]), config: {} }).role).to.equal("unknown");
    expect(regionFootprint(controlRun()).role).to.equal("control");
  });

  it("has no database line and the class 'none' for a region without Aurora instances", () => {
    const f = regionFootprint(
      regional({
        stack: "x",
        region: "us-east-1",
        role: "passive",
        home: false,
        desired: 1,
        natStrategy: "Single",
        dbClass: "db.r6g.large",
        dbInstances: 0,
      }),
    );
    expect([f.dbInstances, f.dbInstanceClass]).to.deep.equal([0, "none"]);
    expect(f.monthlyCost.items.filter((i) => i.item.startsWith("Aurora"))).to.deep.equal([]);
  });

  it("lists every item of a region tools/prices.json has no prices for, with no total", () => {
    const where = "(not in tools/prices.json for eu-west-1)";
    const f = regionFootprint(unpricedHome);
    expect([f.stack, f.region, f.role]).to.deep.equal(["eu-west-1", "eu-west-1", "active"]);
    expect(f.monthlyCost).to.deep.equal({
      totalUsd: null,
      items: [],
      unpriced: [
        `EC2 t4g.small (backend) × 2 ${where}`,
        `EC2 t4g.small (frontend) × 2 ${where}`,
        `EBS gp3 root volumes (GB) × 32 ${where}`,
        `Application Load Balancer (hours only, no LCUs) × 2 ${where}`,
        `NAT gateway (hours only, no data processed) × 2 ${where}`,
        `Aurora db.r6g.large (no storage or I/O) × 2 ${where}`,
        `WAF web ACL with 5 rules (no requests) × 1 ${where}`,
        `Route 53 health check (HTTPS, fast interval, latency) × 1 ${where}`,
        `KMS customer-managed keys × 2 ${where}`,
        `Route 53 private hosted zone × 1 ${where}`,
        `Secrets Manager secrets (incl. replicas) × 2 ${where}`,
      ],
    });
    expect(regionFootprint(unpricedStandby).monthlyCost.unpriced).to.include(
      `Aurora Serverless v2 at its minimum 0.5 ACU × 1 ${where}`,
    );
  });
});

describe("DR report: the standby's database options", () => {
  const standbyWith = (dbClass: string, dbInstances: number, minAcu?: number) =>
    regional({
      stack: "ca-central-1",
      region: "ca-central-1",
      role: "passive",
      home: false,
      desired: 1,
      natStrategy: "Single",
      dbClass,
      dbInstances,
      minAcu,
    });
  const homeWith = (dbClass: string) =>
    regional({
      stack: "us-east-1",
      region: "us-east-1",
      role: "active",
      home: true,
      desired: 2,
      natStrategy: "OnePerAz",
      dbClass,
      dbInstances: 2,
    });
  /** The options, with the regions listed standby first (the active one is looked up by role). */
  const optionsOf = (h: StackRun, s: StackRun) =>
    standbyOptions(h, s, [regionFootprint(s), regionFootprint(h)]);
  const table = (options: ReturnType<typeof standbyOptions>) =>
    options.map((o) => [o.option, o.database, o.offered, o.configured, o.monthlyUsd, o.percentOfActive]);
  // The standby's items besides Aurora in ca-central-1 (see the test above): 2 × 14.02 EC2, 1.41 EBS,
  // 36.14 ALB (2 × 0.02475 × 730), 36.5 NAT, 10 WAF, 3.5 health check, 2 KMS, 0.5 zone, 0.4 secret.
  const withoutDb = 118.49;

  it("costs each option against the active region's 546.57 (serverless standby at 0.5 ACU)", () => {
    const options = optionsOf(home, standby);
    expect(table(options)).to.deep.equal([
      // 118.49 + 0.5 × 0.132 × 730 (48.18) = 166.67: the configured standby; 166.67 / 546.57
      ["serverless", "1 × Aurora Serverless v2, 0.5 ACU minimum", true, true, 166.67, 30.49],
      // 118.49 + 0.286 × 730 (208.78)
      ["provisioned, the home's class", "1 × db.r6g.large", true, false, 327.27, 59.88],
      // db.r6g.large is the smallest r6g class Aurora offers.
      [
        "provisioned, a smaller class",
        "none smaller than db.r6g.large that global databases support",
        false,
        false,
        null,
        null,
      ],
      ["headless", "no instance: storage only", false, false, withoutDb, 21.68],
    ]);
    // No raise comes before the writer moves: every option takes writes after the move alone; the
    // class change of a smaller provisioned standby stops them later (15 + 900 s).
    expect(options.map((o) => o.writesSeconds)).to.deep.equal([
      { ungraceful: 15 + 60, graceful: 15 + 120 },
      { ungraceful: 15 + 60, graceful: 15 + 120 },
      { ungraceful: 15 + 60, graceful: 15 + 120 },
      { ungraceful: NaN, graceful: NaN },
    ]);
    expect(options.map((o) => o.laterWriteOutageSeconds)).to.deep.equal([0, 0, 915, 0]);
    // Against the home's class: 327.27 − 166.67 = 160.60, 160.60 / 546.57 = 29.38 points, at no cost in
    // write RTO.
    expect(options.map((o) => o.versusHomeClass)).to.deep.equal([
      { savedUsd: 160.6, savedPoints: 29.38, extraWritesSeconds: 0, laterWriteOutageSeconds: 0 },
      null,
      null, // not offered under a db.r6g.large home
      null, // not offered
    ]);
    expect(options[0].note).to.match(/raises its minimum to the home's peak beside the writer move/);
    expect(options[1].note).to.match(/the writer moves at once$/);
    expect(options[2].note).to.match(
      /modifies the new writer to the home's class after traffic moved: the restart stops its writes/,
    );
    expect(options[3].note).to.match(/^not offered: .*you must add a DB instance to it/);
  });

  it("offers the family's smallest global-database class below a larger home class, and marks it configured", () => {
    // Home: 2 × db.r6g.xlarge (2 × 0.519 × 730 = 757.74 instead of 379.6): 924.71. Standby: 2 × db.r6g.large.
    const options = optionsOf(homeWith("db.r6g.xlarge"), standbyWith("db.r6g.large", 2));
    expect(table(options)).to.deep.equal([
      // No scaling configuration on the cluster: the 0.5 ACU default; 2 × 0.5 × 0.132 × 730 = 96.36
      ["serverless", "2 × Aurora Serverless v2, 0.5 ACU minimum", true, false, 214.85, 23.23],
      ["provisioned, the home's class", "2 × db.r6g.xlarge", true, false, 952.15, 102.97], // + 2 × 0.571 × 730
      ["provisioned, a smaller class", "2 × db.r6g.large", true, true, 536.05, 57.97], // + 2 × 0.286 × 730
      ["headless", "no instance: storage only", false, false, withoutDb, 12.81],
    ]);
    // The active region here costs 924.71: 952.15 − 214.85 = 737.30 (79.73 points);
    // 952.15 − 536.05 = 416.10 (45.00 points), paid for with the class change's restart (15 + 900 s)
    // after traffic moved.
    expect(options.map((o) => o.versusHomeClass)).to.deep.equal([
      { savedUsd: 737.3, savedPoints: 79.73, extraWritesSeconds: 0, laterWriteOutageSeconds: 0 },
      null,
      { savedUsd: 416.1, savedPoints: 45, extraWritesSeconds: 0, laterWriteOutageSeconds: 915 },
      null,
    ]);
  });

  it("marks the home's class configured when the standby runs it", () => {
    const options = optionsOf(home, standbyWith("db.r6g.large", 1));
    expect(options.map((o) => o.configured)).to.deep.equal([false, true, false, false]);
    expect(options[1].monthlyUsd).to.equal(327.27); // 118.49 + 0.286 × 730
  });

  it("costs Serverless v2 at the standby's own minimum ACUs and instance count", () => {
    // 2 × 2 × 0.132 × 730 = 385.44; 118.49 + 385.44 = 503.93, 92.2 % of 546.57.
    const options = optionsOf(home, standbyWith("db.serverless", 2, 2));
    expect(table(options)[0]).to.deep.equal([
      "serverless",
      "2 × Aurora Serverless v2, 2 ACU minimum",
      true,
      true,
      503.93,
      92.2,
    ]);
    expect(options[1].monthlyUsd).to.equal(536.05); // 118.49 + 2 × 208.78
    // Cheaper than two of the home's class: 536.05 − 503.93 = 32.12, 5.88 points of 546.57.
    expect(options[0].versusHomeClass).to.deep.equal({
      savedUsd: 32.12,
      savedPoints: 5.88,
      extraWritesSeconds: 0,
      laterWriteOutageSeconds: 0,
    });
    // Dearer: one instance at 4 ACU, 118.49 + 4 × 0.132 × 730 (385.44) = 503.93 against one
    // db.r6g.large's 327.27: a negative saving of 176.66, 32.32 points of 546.57.
    expect(optionsOf(home, standbyWith("db.serverless", 1, 4))[0].versusHomeClass).to.deep.equal({
      savedUsd: -176.66,
      savedPoints: -32.32,
      extraWritesSeconds: 0,
      laterWriteOutageSeconds: 0,
    });
  });

  it("prints the trade-off: a saving, a cost, the target kept or exceeded and by how much, a later outage", () => {
    const printed = (h: StackRun, st: StackRun, a = A) => {
      const lines: string[] = [];
      printDr(drReport([h, st], a), { out: (l) => lines.push(l), err: () => undefined }, paint(false));
      return lines;
    };
    const cheap = printed(home, standby);
    const line = (lines: string[], start: string) => lines[lines.findIndex((l) => l.startsWith(start)) + 1];
    expect(line(cheap, "    * serverless:")).to.equal(
      "        against the home's class: saves $160.60 a month (29.38 points of the active region's cost) for 0 s more before Aurora takes writes",
    );
    // 15 + 120 = 135 s graceful, within the 180 s target; ungraceful 75 s too.
    expect(cheap.find((l) => l.startsWith("    * serverless:"))).to.match(
      /; writes after 75 s ungraceful, 135 s \(2\.3 min\) graceful$/,
    );
    const dear = printed(home, standbyWith("db.serverless", 1, 4));
    expect(line(dear, "    * serverless:")).to.equal(
      "        against the home's class: costs $176.66 a month more (32.32 points of the active region's cost) for 0 s more before Aurora takes writes",
    );
    // A slower switchover than assumed would exceed the target: the report says by how much.
    const slow = { ...A, auroraSwitchover: { ...A.auroraSwitchover, seconds: 200 } };
    expect(printed(home, standby, slow).find((l) => l.startsWith("    * serverless:"))).to.match(
      /graceful \(over the 180 s target: graceful 35 s\)$/,
    );
    // A smaller provisioned standby: no delay to the first writes, then the restart.
    const smaller = printed(homeWith("db.r6g.xlarge"), standbyWith("db.r6g.large", 2));
    expect(line(smaller, "    * provisioned, a smaller class:")).to.equal(
      "        against the home's class: saves $416.10 a month (45.00 points of the active region's cost) for 0 s more before Aurora takes writes, then 915 s (15.3 min) without writes while the class changes",
    );
  });

  it("finds the smaller class by size order, within the family, among global-database classes", () => {
    const smaller = (homeClass: string) => optionsOf(homeWith(homeClass), standby)[2];
    expect(smaller("db.r6g.xlarge").database).to.equal("1 × db.r6g.large");
    expect(smaller("db.r6g.16xlarge").database).to.equal("1 × db.r6g.large");
    expect(smaller("db.r5.24xlarge").database).to.equal("1 × db.r5.large");
    expect(smaller("db.r6id.32xlarge").database).to.equal("1 × db.r6id.24xlarge"); // the family starts at 24xlarge
    expect(smaller("db.r7i.48xlarge").database).to.equal("1 × db.r7i.large");
    expect(smaller("db.r6gd.xlarge").database).to.equal(
      "none smaller than db.r6gd.xlarge that global databases support",
    );
    // Burstable classes are not memory-optimized: global databases do not support them.
    expect(smaller("db.t4g.large").offered).to.equal(false);
    expect(smaller("db.t4g.large").database).to.equal(
      "none smaller than db.t4g.large that global databases support",
    );
  });

  it("prices what tools/prices.json lists, and leaves the rest null rather than $0", () => {
    // The home's class has no ca-central-1 price, its smaller class has: 118.49 + 208.78. The active
    // region's total lacks its own Aurora line (unpriced in us-east-1 too): 546.57 - 379.6 = 166.97.
    const large = optionsOf(homeWith("db.r6g.2xlarge"), standby);
    expect(table(large)).to.deep.equal([
      ["serverless", "1 × Aurora Serverless v2, 0.5 ACU minimum", true, true, 166.67, 99.82],
      ["provisioned, the home's class", "1 × db.r6g.2xlarge", true, false, null, null],
      ["provisioned, a smaller class", "1 × db.r6g.large", true, false, 327.27, 196.01],
      ["headless", "no instance: storage only", false, false, withoutDb, 70.96],
    ]);
    // db.r5 has no price at all: offered, not priced.
    const r5 = optionsOf(homeWith("db.r5.xlarge"), standby)[2];
    expect([r5.database, r5.offered, r5.monthlyUsd, r5.percentOfActive]).to.deep.equal([
      "1 × db.r5.large",
      true,
      null,
      null,
    ]);
  });

  it("has no costs for a standby in a region without prices", () => {
    // A home class with a smaller one (db.r6g.large), so every option is there to be priced.
    const larger = homeWith("db.r6g.xlarge");
    const options = standbyOptions(larger, unpricedStandby, [
      regionFootprint(unpricedStandby),
      regionFootprint(larger),
    ]);
    expect(options.map((o) => [o.database, o.monthlyUsd, o.percentOfActive])).to.deep.equal([
      ["1 × Aurora Serverless v2, 0.5 ACU minimum", null, null],
      ["1 × db.r6g.xlarge", null, null],
      ["1 × db.r6g.large", null, null],
      ["no instance: storage only", null, null],
    ]);
    // What each option saves is not known without prices; the time it costs is.
    expect(options.map((o) => o.versusHomeClass)).to.deep.equal([
      { savedUsd: null, savedPoints: null, extraWritesSeconds: 0, laterWriteOutageSeconds: 0 },
      null,
      { savedUsd: null, savedPoints: null, extraWritesSeconds: 0, laterWriteOutageSeconds: 915 },
      null,
    ]);
    expect(options[0].configured).to.equal(true);
  });

  it("has no percentages without an active region, and no costs for a standby it has no footprint of", () => {
    const noActive = standbyOptions(home, standby, [regionFootprint(standby)]);
    expect(noActive.map((o) => [o.monthlyUsd, o.percentOfActive])).to.deep.equal([
      [166.67, null],
      [327.27, null],
      [null, null],
      [withoutDb, null],
    ]);
    expect(noActive[0].versusHomeClass).to.deep.equal({
      savedUsd: 160.6,
      savedPoints: null,
      extraWritesSeconds: 0,
      laterWriteOutageSeconds: 0,
    });
    const noFootprint = standbyOptions(home, standby, [regionFootprint(home)]);
    expect(noFootprint.map((o) => [o.monthlyUsd, o.configured])).to.deep.equal([
      [null, false],
      [null, false],
      [null, false],
      [null, false],
    ]);
  });

  it("has no options without both a home and a standby", () => {
    const regions = [regionFootprint(home), regionFootprint(standby)];
    expect(standbyOptions(undefined, standby, regions)).to.deep.equal([]);
    expect(standbyOptions(home, undefined, regions)).to.deep.equal([]);
  });
});

describe("DR report: the whole report", () => {
  // Standby: 118.49 + 48.18 = 166.67 a month; home 546.57 (see above).
  const STANDBY_TOTAL = 166.67;

  it("models the triggered plan between the home and the other region, whatever the order of the runs", () => {
    const control = controlRun(
      arcPlan({ name: "manual", automatic: false, regions: BOTH }),
      arcPlan({ name: "automatic", automatic: true, regions: BOTH }),
    );
    for (const runs of [
      [standby, control, home],
      [home, standby, control],
    ]) {
      const dr = drReport(runs);
      expect(dr.detectionSeconds).to.equal(30); // the home's health check: 10 s × 3
      expect(dr.dnsSeconds).to.equal(60);
      expect(dr.capacitySeconds).to.equal(120); // 90 s boot + 2 × 15 s
      expect(dr.plan!.planName).to.equal("automatic");
      expect(dr.plan!.standbyRegion).to.equal("ca-central-1");
      expect([dr.plan!.ungraceful, dr.plan!.graceful]).to.deep.equal([UNGRACEFUL, GRACEFUL]);
      expect(dr.cases.map((c) => [c.id, c.readsSeconds, c.writesSeconds])).to.deep.equal([
        ["a", 90, 0],
        ["b", 90, 75],
        ["c", 90, 75],
        ["d", 240, 135],
        ["e", 240, 135],
      ]);
      expect(dr.regions.map((r) => r.stack)).to.deep.equal(
        runs.filter((r) => r !== control).map((r) => r.stack),
      );
      expect(dr.control).to.deep.equal({
        stack: "global",
        monthlyCost: {
          totalUsd: 141,
          items: [
            { item: "ARC Region switch plan", quantity: 2, monthlyUsd: 140 },
            { item: "KMS customer-managed keys", quantity: 1, monthlyUsd: 1 },
          ],
          unpriced: [],
        },
      });
      expect(dr.standbyOptions.map((o) => [o.option, o.database, o.monthlyUsd])).to.deep.equal([
        ["serverless", "1 × Aurora Serverless v2, 0.5 ACU minimum", STANDBY_TOTAL],
        ["provisioned, the home's class", "1 × db.r6g.large", 327.27],
        [
          "provisioned, a smaller class",
          "none smaller than db.r6g.large that global databases support",
          null,
        ],
        ["headless", "no instance: storage only", 118.49],
      ]);
      expect(dr.standbyCostPercentOfActive).to.equal(30.49); // 166.67 / 546.57
      expect(dr.regionsWithoutPrices).to.deep.equal([]);
      expect(dr.assumptions).to.equal(A);
      expect(dr.priceTable).to.deep.equal({
        label: prices.label,
        compiled: prices.compiled,
        source: prices.source,
      });
      expect(dr.priceTable.label).to.match(/^ESTIMATE ONLY/);
    }
  });

  it("models the only plan when none is triggered, in manual mode", () => {
    const dr = drReport([
      home,
      standby,
      controlRun(arcPlan({ name: "manual", automatic: false, approval: true, regions: BOTH })),
    ]);
    expect([dr.plan!.planName, dr.plan!.automatic, dr.plan!.manualApproval]).to.deep.equal([
      "manual",
      false,
      true,
    ]);
    expect(
      dr.cases.map((c) => [c.id, c.readsSeconds, c.readsAfterDecision, c.decisionSeconds]),
    ).to.deep.equal([
      ["a", 240, true, 300],
      ["b", 180, true, 300],
      ["c", 180, true, 300],
      ["d", 240, false, 0],
      ["e", 240, false, 0],
    ]);
  });

  it("has no plan timings without a plan, or a plan with no region besides the home", () => {
    for (const control of [
      controlRun(),
      controlRun(arcPlan({ name: "p", automatic: true })),
      controlRun(arcPlan({ name: "p", automatic: true, regions: ["us-east-1"] })),
    ]) {
      const dr = drReport([home, standby, control]);
      expect(dr.plan).to.equal(null);
      expect(dr.cases).to.deep.equal([]);
      expect(dr.control!.stack).to.equal("global");
    }
    const noControl = drReport([home, standby]);
    expect([noControl.plan, noControl.control]).to.deep.equal([null, null]);
  });

  it("has no detection time and no database options without the home stack", () => {
    const dr = drReport([standby, controlRun(arcPlan({ name: "p", automatic: true, regions: BOTH }))]);
    expect(dr.detectionSeconds).to.be.NaN;
    expect(dr.standbyOptions).to.deep.equal([]);
    expect(dr.standbyCostPercentOfActive).to.equal(null); // no active region
    expect(dr.capacitySeconds).to.equal(120);
  });

  it("leaves regions without prices out of the standby's share, and says which they are", () => {
    // A priced and an unpriced standby: the share is the priced one's alone.
    const both = drReport([home, standby, unpricedStandby]);
    expect(both.standbyCostPercentOfActive).to.equal(30.49);
    expect(both.regionsWithoutPrices).to.deep.equal(["eu-west-1"]);
    // Only an unpriced standby: no share at all, not 0 %.
    const unpriced = drReport([home, unpricedStandby]);
    expect(unpriced.standbyCostPercentOfActive).to.equal(null);
    expect(unpriced.regionsWithoutPrices).to.deep.equal(["eu-west-1"]);
    // An unpriced active region: no share either.
    const noActive = drReport([unpricedHome, standby]);
    expect(noActive.standbyCostPercentOfActive).to.equal(null);
    expect(noActive.regionsWithoutPrices).to.deep.equal(["eu-west-1"]);
    // A single region has no standby to pay for: 0 %.
    const single = drReport([home]);
    expect(single.standbyCostPercentOfActive).to.equal(0);
    expect(single.regionsWithoutPrices).to.deep.equal([]);
  });
});
