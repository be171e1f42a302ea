/**
 * The DR report's arithmetic on hand-built stack runs (no program run): every cost item against a
 * hand-computed figure from tools/prices.json, the step timings of each block type, the detection
 * and capacity times, and the standby database options. Fast enough for mutation testing.
 */
import { expect } from "chai";
import {
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
    expect(options[0].writesSeconds).to.deep.equal({
      ungraceful: 15 + 60 + 15 + 60,
      graceful: 15 + 60 + 15 + 120,
    });
    expect(options[1].writesSeconds).to.deep.equal({ ungraceful: 75, graceful: 135 });
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

  it("reads a plan's timeline: when the writer moves and when traffic arrives", () => {
    const plan = r("aws:arcregionswitch/plan:Plan", {
      name: "p",
      triggers: [{}],
      workflows: [
        {
          workflowTargetRegion: "ca-central-1",
          steps: [
            { name: "scale-aurora", executionBlockType: "AuroraServerlessScaling" },
            {
              name: "scale-and-move-writer",
              executionBlockType: "Parallel",
              parallelConfigs: [{ steps: [{ executionBlockType: "AuroraGlobalDatabase" }] }],
            },
            { name: "route-traffic", executionBlockType: "Route53HealthCheck" },
          ],
        },
      ],
    });
    const t = planTimings(plan, "ca-central-1", 120);
    expect(t.automatic).to.equal(true);
    expect(t.manualApproval).to.equal(false);
    expect(t.ungraceful).to.deep.equal({ writesSeconds: 75 + 75, trafficSeconds: 75 + 75 + 45 + 60 });
    expect(t.graceful).to.deep.equal({ writesSeconds: 75 + 135, trafficSeconds: 75 + 135 + 45 + 60 });
    expect(planTimings(plan, "us-east-1", 120).steps).to.deep.equal([]);
  });

  it("detects in interval × threshold, and brings capacity in boot + healthy threshold × interval", () => {
    expect(detectionSeconds(r("x", { requestInterval: 30, failureThreshold: 2 }))).to.equal(60);
    expect(detectionSeconds(undefined)).to.be.NaN;
    expect(capacitySeconds(standby)).to.equal(A.instanceBoot.seconds + 2 * 15);
    expect(capacitySeconds(undefined)).to.equal(A.instanceBoot.seconds);
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
