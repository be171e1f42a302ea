/**
 * The disaster-recovery report of the offline plan: failover timings and the standby's footprint
 * and cost against the active region, computed from the resources the program actually registers.
 * Every published figure it relies on is in DR_ASSUMPTIONS, with its source.
 */
import prices from "./prices.json";
import { ofType, RecordedResource, StackRun } from "./mocks";

export interface Assumption {
  seconds: number;
  source: string;
}

/** AWS's published figures (and our own, labelled as such) that the timings rest on. */
export const DR_ASSUMPTIONS = {
  aliasRecordTtl: {
    seconds: 60,
    source:
      "Route 53 Developer Guide, 'Choosing between alias and non-alias records': an alias record that routes to an ELB load balancer has a TTL of 60 seconds",
  },
  auroraPromotion: {
    seconds: 60,
    source:
      "Aurora User Guide, 'Using Amazon Aurora Global Database': a secondary cluster can be promoted to full read/write capability in typically under a minute (RTO)",
  },
  operatorResponse: {
    seconds: 300,
    source:
      "our assumption, not AWS's: time for the on-call engineer to confirm the outage and run `aws rds failover-global-cluster` (docs/runbook.md); the database failover is not automatic",
  },
  replicationLag: {
    seconds: 1,
    source:
      "Aurora User Guide (global databases) and DynamoDB Developer Guide (global tables): asynchronous replication, typically under one second; no SLA",
  },
} satisfies Record<string, Assumption>;

export interface TierFootprint {
  tier: string;
  instanceType: string;
  desired: number;
  max: number;
}

export interface CostItem {
  item: string;
  quantity: number;
  monthlyUsd: number;
}

export interface RegionFootprint {
  stack: string;
  region: string;
  role: string;
  tiers: TierFootprint[];
  natGateways: number;
  loadBalancers: number;
  dbInstances: number;
  dbInstanceClass: string;
  monthlyCost: { totalUsd: number; items: CostItem[]; unpriced: string[] };
}

export interface DrReport {
  detectionSeconds: number;
  dnsSeconds: number;
  standbyServesSeconds: number;
  dynamoWritesSeconds: number;
  auroraWritesSeconds: number;
  fullCapacitySeconds: number;
  rpo: string;
  assumptions: typeof DR_ASSUMPTIONS;
  regions: RegionFootprint[];
  standbyCostPercentOfActive: number | null;
  priceTable: { label: string; compiled: string; source: string };
}

function roleOf(run: StackRun): string {
  return run.config[`${run.project}:role`] ?? "unknown";
}

/** Route 53 detection: the active region's health check interval × failure threshold. */
export function detectionSeconds(healthCheck: RecordedResource | undefined): number {
  if (!healthCheck) return NaN;
  return Number(healthCheck.inputs.requestInterval) * Number(healthCheck.inputs.failureThreshold);
}

type RegionPrices = (typeof prices.regions)["us-east-1"];

/** Tier footprint from each ASG and its launch template. */
function tiers(run: StackRun): { tiers: TierFootprint[]; rootVolumeGb: number } {
  const templates = ofType(run, "aws:ec2/launchTemplate:LaunchTemplate");
  let rootVolumeGb = 0;
  const result = ofType(run, "aws:autoscaling/group:Group").map((asg) => {
    const templateId = (asg.inputs.launchTemplate as { id?: string } | undefined)?.id;
    const template = templates.find((t) => t.id === templateId);
    const volume = (
      template?.inputs.blockDeviceMappings as { ebs?: { volumeSize?: number } }[] | undefined
    )?.[0]?.ebs?.volumeSize;
    rootVolumeGb += Number(volume ?? 8) * Number(asg.inputs.desiredCapacity);
    return {
      tier: asg.name.split("-")[0],
      instanceType: String((template?.inputs.instanceType as string | undefined) ?? "unknown"),
      desired: Number(asg.inputs.desiredCapacity),
      max: Number(asg.inputs.maxSize),
    };
  });
  return { tiers: result.sort((a, b) => a.tier.localeCompare(b.tier)), rootVolumeGb };
}

function natGateways(run: StackRun): number {
  return ofType(run, "awsx:ec2:Vpc").reduce((sum, vpc) => {
    const strategy = (vpc.inputs.natGateways as { strategy?: string } | undefined)?.strategy;
    const azs =
      (vpc.inputs.availabilityZoneNames as string[] | undefined)?.length ??
      Number(vpc.inputs.numberOfAvailabilityZones ?? 3);
    return sum + (strategy === "Single" ? 1 : strategy === "None" ? 0 : azs);
  }, 0);
}

/** Footprint and monthly on-demand estimate of one region, from its recorded resources. */
export function regionFootprint(run: StackRun): RegionFootprint {
  // A region missing from the price table is planned all the same; its items are listed as unpriced.
  const p = (prices.regions as Record<string, RegionPrices | undefined>)[run.region];
  const hours = prices.hoursPerMonth;
  const items: CostItem[] = [];
  const unpriced: string[] = [];
  const add = (item: string, quantity: number, unitMonthly: number | undefined) => {
    if (quantity <= 0) return;
    if (unitMonthly === undefined || Number.isNaN(unitMonthly)) {
      unpriced.push(`${item} × ${quantity} (not in tools/prices.json for ${run.region})`);
      return;
    }
    items.push({ item, quantity, monthlyUsd: round2(quantity * unitMonthly) });
  };
  const perMonth = (table: Record<string, number> | undefined, key: string) =>
    table?.[key] === undefined ? undefined : table[key] * hours;

  const { tiers: tierList, rootVolumeGb } = tiers(run);
  for (const t of tierList) {
    add(`EC2 ${t.instanceType} (${t.tier})`, t.desired, perMonth(p?.ec2PerHour, t.instanceType));
  }
  add("EBS gp3 root volumes (GB)", rootVolumeGb, p?.ebsGp3PerGbMonth);
  const loadBalancers = ofType(run, "aws:lb/loadBalancer:LoadBalancer").length;
  add("Application Load Balancer (hours only, no LCUs)", loadBalancers, p && p.albPerHour * hours);
  const nats = natGateways(run);
  add("NAT gateway (hours only, no data processed)", nats, p && p.natGatewayPerHour * hours);

  const dbInstances = ofType(run, "aws:rds/clusterInstance:ClusterInstance");
  const dbClass = String((dbInstances[0]?.inputs.instanceClass as string | undefined) ?? "none");
  if (dbClass === "db.serverless") {
    const cluster = ofType(run, "aws:rds/cluster:Cluster")[0];
    const minAcu = Number(
      (cluster?.inputs.serverlessv2ScalingConfiguration as { minCapacity?: number } | undefined)
        ?.minCapacity ?? 0.5,
    );
    add(
      `Aurora Serverless v2 at its minimum ${minAcu} ACU`,
      dbInstances.length,
      p && minAcu * p.auroraServerlessPerAcuHour * hours,
    );
  } else if (dbInstances.length > 0) {
    add(`Aurora ${dbClass} (no storage or I/O)`, dbInstances.length, perMonth(p?.auroraPerHour, dbClass));
  }
  for (const acl of ofType(run, "aws:wafv2/webAcl:WebAcl")) {
    const rules = (acl.inputs.rules as unknown[] | undefined)?.length ?? 0;
    add(
      `WAF web ACL with ${rules} rules (no requests)`,
      1,
      p && p.wafPerWebAclMonth + rules * p.wafPerRuleMonth,
    );
  }
  add(
    "Route 53 health check (HTTPS, fast interval, latency)",
    ofType(run, "aws:route53/healthCheck:HealthCheck").length,
    p?.healthCheckPerMonth,
  );
  add("KMS customer-managed keys", ofType(run, "aws:kms/key:Key").length, p?.kmsKeyPerMonth);
  const secrets = ofType(run, "aws:secretsmanager/secret:Secret");
  const secretCopies = secrets.reduce(
    (n, s) => n + 1 + ((s.inputs.replicas as unknown[] | undefined)?.length ?? 0),
    0,
  );
  add("Secrets Manager secrets (incl. replicas)", secretCopies, p?.secretPerMonth);

  return {
    stack: run.stack,
    region: run.region,
    role: roleOf(run),
    tiers: tierList,
    natGateways: nats,
    loadBalancers,
    dbInstances: dbInstances.length,
    dbInstanceClass: dbClass,
    monthlyCost: { totalUsd: round2(items.reduce((s, i) => s + i.monthlyUsd, 0)), items, unpriced },
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The DR report for a set of stack runs (one active, the rest passive). */
export function drReport(runs: StackRun[], assumptions = DR_ASSUMPTIONS): DrReport {
  const active = runs.find((r) => roleOf(r) === "active");
  const standbys = runs.filter((r) => roleOf(r) === "passive");
  const detection = detectionSeconds(
    active ? ofType(active, "aws:route53/healthCheck:HealthCheck")[0] : undefined,
  );
  const dns = assumptions.aliasRecordTtl.seconds;
  const serves = detection + dns;
  const graceSeconds = Math.max(
    0,
    ...standbys.flatMap((s) =>
      ofType(s, "aws:autoscaling/group:Group").map((g) => Number(g.inputs.healthCheckGracePeriod ?? 0)),
    ),
  );
  const regions = runs.map(regionFootprint);
  const activeCost = regions.find((r) => r.role === "active")?.monthlyCost.totalUsd;
  const standbyCost = regions
    .filter((r) => r.role === "passive")
    .reduce((s, r) => s + r.monthlyCost.totalUsd, 0);
  return {
    detectionSeconds: detection,
    dnsSeconds: dns,
    standbyServesSeconds: serves,
    // DynamoDB global tables accept writes in every replica region: as soon as traffic arrives.
    dynamoWritesSeconds: serves,
    auroraWritesSeconds:
      detection + assumptions.operatorResponse.seconds + assumptions.auroraPromotion.seconds,
    // The standby's ASGs then scale out to active sizing; a new instance counts after its grace period.
    fullCapacitySeconds: serves + graceSeconds,
    rpo:
      `Asynchronous replication: writes not yet replicated when the home region fails are lost — typically under ` +
      `${assumptions.replicationLag.seconds} s for Aurora Global Database and DynamoDB global tables, with no SLA. ` +
      `A planned switchover (aws rds switchover-global-cluster) loses nothing.`,
    assumptions,
    regions,
    standbyCostPercentOfActive: activeCost ? round2((standbyCost / activeCost) * 100) : null,
    priceTable: { label: prices.label, compiled: prices.compiled, source: prices.source },
  };
}
