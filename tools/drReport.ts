/**
 * The disaster-recovery report of the offline plan: what happens, and how fast, in each failure case,
 * derived from the resources the programs actually register (the home's deep health check, the ARC
 * Region switch plan's workflow steps, the target groups' health checks), and each region's footprint
 * and cost. Every figure it relies on is in DR_ASSUMPTIONS, with its source; the ones AWS publishes
 * no number for say so, and the DR drill (docs/runbook.md) measures them.
 */
import prices from "./prices.json";
import { AURORA_POSTGRESQL_CLASSES, globalDatabaseSupports } from "../config/catalog";
import { ofType, RecordedResource, StackRun } from "./mocks";
import { isControlRun } from "./runStacks";

export interface Assumption {
  seconds: number;
  source: string;
}

/** AWS's published figures, and our own (labelled as such), that the timings rest on. */
export const DR_ASSUMPTIONS = {
  aliasRecordTtl: {
    seconds: 60,
    source:
      "Route 53 FAQ: alias records to ELB endpoints 'have fixed TTL of 60 seconds'; Route 53 Developer Guide, 'Choosing between alias and non-alias records'",
  },
  auroraFailover: {
    seconds: 60,
    source:
      "Aurora User Guide, 'Using Amazon Aurora Global Database': a secondary cluster can be promoted to full read/write capability in typically under a minute",
  },
  auroraSwitchover: {
    seconds: 120,
    source:
      "unverified: AWS publishes no duration for a global database switchover (it waits for the secondary to catch up); our assumption, measured by the DR drill",
  },
  arcStepStart: {
    seconds: 15,
    source:
      "unverified: ARC publishes no start-up time for an execution or a step; our assumption, measured by the DR drill (get-plan-execution shows each step's start and end)",
  },
  healthCheckFlip: {
    seconds: 30,
    source:
      "unverified: time for Route 53's DNS servers to act on a health check that ARC set; our assumption, measured by the DR drill",
  },
  instanceBoot: {
    seconds: 90,
    source:
      "our assumption: EC2 launch and boot of Amazon Linux 2023 with the placeholder service (nothing is downloaded at boot); the target group's healthy threshold × interval is added from the program",
  },
  humanDecision: {
    seconds: 300,
    source:
      "our assumption, not AWS's: time for the on-call engineer to be paged, confirm the outage and start or approve the plan (docs/runbook.md); shown apart from the machine time",
  },
  auroraServerlessScaling: {
    seconds: 60,
    source:
      "unverified: time for ARC's Aurora Serverless scaling block to set the standby's minimum and maximum ACUs (ModifyDBCluster) and for Serverless v2 to reach that minimum in place; AWS publishes no duration; our assumption, measured by the DR drill. It runs beside the writer move (components/failoverWorkflows.ts), so it delays no write",
  },
  auroraProvisionedScaling: {
    seconds: 900,
    source:
      "unverified: time for ARC's Aurora provisioned scaling block to modify the standby instance to the home's class; a class change restarts the instance and AWS publishes no duration; our assumption, measured by the DR drill. It runs last, after traffic moved: the new writer's writes stop for that long",
  },
  replicationLag: {
    seconds: 1,
    source:
      "Aurora User Guide (global databases) and DynamoDB Developer Guide (global tables): asynchronous replication, typically under one second; no SLA",
  },
} satisfies Record<string, Assumption>;

export type Assumptions = typeof DR_ASSUMPTIONS;

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

export interface MonthlyCost {
  /** The priced items' sum; null for a region tools/prices.json has no prices for (not $0: unknown). */
  totalUsd: number | null;
  items: CostItem[];
  unpriced: string[];
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
  monthlyCost: MonthlyCost;
}

/** One failure case of the behaviour matrix. */
export interface DrCase {
  id: "a" | "b" | "c" | "d" | "e";
  title: string;
  /** What moves the traffic and the writer, in order. */
  acts: string;
  /** What users see meanwhile. */
  users: string;
  /** Seconds until reads (and DynamoDB and forwarded Aurora writes) are served from the target region. */
  readsSeconds: number;
  /** Whether a human decision comes before `readsSeconds` (counted in `decisionSeconds`, not in it); planned cases count from the start. */
  readsAfterDecision: boolean;
  /** Machine seconds, after the decision, until Aurora accepts writes in the target region. */
  writesSeconds: number;
  /** Seconds of human decision before the machine time (0: none needed). */
  decisionSeconds: number;
  rpo: string;
}

/** One mode's timeline of the activate-standby workflow, in machine seconds from the execution's start. */
export interface Timeline {
  /** Until the Aurora writer has moved (NaN: the workflow does not move it). */
  writesSeconds: number;
  /** Until users reach the activated region: the DNS step's end plus the alias TTL. */
  trafficSeconds: number;
  /** Until the last step ends (a provisioned standby's class change runs after the DNS step). */
  doneSeconds: number;
}

export interface PlanTimings {
  planName: string;
  standbyRegion: string;
  automatic: boolean;
  /** Whether the workflow starts with a person's approval (manualApproval, or any plan with a trigger). */
  manualApproval: boolean;
  /**
   * The automatic trigger: the witness alarms that must all be red (ARC: "all conditions must be
   * met"), and for how long each must see the home failing. Null without a trigger.
   */
  trigger: { witnesses: { alarmName: string; probeRegion: string }[]; seconds: number } | null;
  /** Machine seconds of each top-level step of the activate-standby workflow, ungraceful and graceful. */
  steps: { name: string; type: string; ungracefulSeconds: number; gracefulSeconds: number }[];
  ungraceful: Timeline;
  graceful: Timeline;
}

/**
 * One way to run the standby's Aurora capacity, costed and timed against the configured standby: the
 * same standby with only its database changed.
 */
export interface StandbyOption {
  option: "serverless" | "provisioned, the home's class" | "provisioned, a smaller class" | "headless";
  /** What the standby's database is under this option. */
  database: string;
  /** Whether the program offers it (database.instanceClass on the standby). */
  offered: boolean;
  /** Whether it is the standby's configuration. */
  configured: boolean;
  /** The standby's monthly estimate with this option; null when not priced. */
  monthlyUsd: number | null;
  percentOfActive: number | null;
  /**
   * Machine seconds after the decision until Aurora takes writes in the standby: the writer move (a
   * Serverless v2 raise runs beside it, a provisioned class change after it).
   */
  writesSeconds: { ungraceful: number; graceful: number };
  /**
   * Seconds the new writer stops taking writes later, after traffic moved: a smaller provisioned
   * class's change to the home's restarts it. 0 for the other options.
   */
  laterWriteOutageSeconds: number;
  /**
   * Against the home's class (null for that option itself and for options not offered): what this
   * option saves a month, in dollars and in points of the active region's cost (null when not
   * priced), how many more seconds Aurora takes to accept writes in the standby, and how long its
   * writes stop later.
   */
  versusHomeClass: {
    savedUsd: number | null;
    savedPoints: number | null;
    extraWritesSeconds: number;
    laterWriteOutageSeconds: number;
  } | null;
  note: string;
}

/**
 * Our target for Aurora writes in the standby: at most 3 minutes of machine time after the decision
 * to fail over. A project goal, not an AWS figure (docs/architecture.md, "A warm standby at about a
 * third of the cost"); the report says which option exceeds it, in which mode and by how much.
 */
export const WRITES_TARGET_SECONDS = 180;

export interface DrReport {
  /** The home's deep health check: interval × failure threshold. */
  detectionSeconds: number;
  dnsSeconds: number;
  /** Capacity: instance boot + target group healthy threshold × interval. */
  capacitySeconds: number;
  plan: PlanTimings | null;
  cases: DrCase[];
  assumptions: Assumptions;
  regions: RegionFootprint[];
  /** The control stack's monthly cost (ARC plans), apart from the regions. */
  control: { stack: string; monthlyCost: MonthlyCost } | null;
  /** The standby's database capacity options: cost, share of the active region's, write RTO. */
  standbyOptions: StandbyOption[];
  /** Our target for Aurora writes in the standby after the decision (WRITES_TARGET_SECONDS). */
  writesTargetSeconds: number;
  /** The standbys' cost against the active region's, over the regions that have prices. */
  standbyCostPercentOfActive: number | null;
  /** The regions tools/prices.json has no prices for: no total, and left out of the ratio. */
  regionsWithoutPrices: string[];
  priceTable: { label: string; compiled: string; source: string };
}

function roleOf(run: StackRun): string {
  return isControlRun(run) ? "control" : (run.config[`${run.project}:role`] ?? "unknown");
}

/** Route 53 detection: a health check's request interval × failure threshold. */
export function detectionSeconds(healthCheck: RecordedResource | undefined): number {
  if (!healthCheck) return NaN;
  return Number(healthCheck.inputs.requestInterval) * Number(healthCheck.inputs.failureThreshold);
}

interface PlanStepLike {
  name?: string;
  executionBlockType?: string;
  ec2AsgCapacityIncreaseConfigs?: { ungraceful?: { minimumSuccessPercentage?: number } }[];
  parallelConfigs?: { steps?: PlanStepLike[] }[];
}

/**
 * Machine seconds of one step of a plan, in an ungraceful or a graceful execution. A manual approval
 * is a human decision, not machine time (0 here; the report shows the decision apart). `capacity` is
 * the time for a new instance to be in service.
 */
export function stepSeconds(
  step: PlanStepLike,
  ungraceful: boolean,
  capacity: number,
  a: Assumptions = DR_ASSUMPTIONS,
): number {
  const start = a.arcStepStart.seconds;
  switch (step.executionBlockType) {
    case "ManualApproval":
      return 0;
    case "Parallel":
      return Math.max(
        0,
        ...(step.parallelConfigs ?? [])
          .flatMap((p) => p.steps ?? [])
          .map((s) => stepSeconds(s, ungraceful, capacity, a)),
      );
    case "EC2AutoScaling": {
      // Ungraceful with a minimum success of 0 % moves on at once; otherwise it waits for capacity.
      const minimum = step.ec2AsgCapacityIncreaseConfigs?.[0]?.ungraceful?.minimumSuccessPercentage;
      return start + (ungraceful && minimum === 0 ? 0 : capacity);
    }
    case "AuroraGlobalDatabase":
      return start + (ungraceful ? a.auroraFailover.seconds : a.auroraSwitchover.seconds);
    case "AuroraServerlessScaling":
      return start + a.auroraServerlessScaling.seconds;
    case "AuroraProvisionedScaling":
      return start + a.auroraProvisionedScaling.seconds;
    case "Route53HealthCheck":
      return start + a.healthCheckFlip.seconds;
    default:
      return start;
  }
}

/** Seconds from the start of a step to its Aurora writer moving, or undefined when it does not move it. */
function writerMovesAfter(step: PlanStepLike, ungraceful: boolean, a: Assumptions): number | undefined {
  if (step.executionBlockType === "AuroraGlobalDatabase") {
    return a.arcStepStart.seconds + (ungraceful ? a.auroraFailover.seconds : a.auroraSwitchover.seconds);
  }
  const inside = (step.parallelConfigs ?? [])
    .flatMap((p) => p.steps ?? [])
    .map((s) => writerMovesAfter(s, ungraceful, a));
  const found = inside.filter((t): t is number => t !== undefined);
  return found.length > 0 ? Math.min(...found) : undefined;
}

/** The timings of a plan's workflow that activates `region`, from its recorded steps. */
export function planTimings(
  plan: RecordedResource,
  region: string,
  capacity: number,
  a: Assumptions = DR_ASSUMPTIONS,
): PlanTimings {
  const workflows =
    (plan.inputs.workflows as { workflowTargetRegion?: string; steps?: PlanStepLike[] }[] | undefined) ?? [];
  const workflow = workflows.find((w) => w.workflowTargetRegion === region);
  const steps = workflow?.steps ?? [];
  // Steps run in sequence (ARC Developer Guide, "About Region switch": "execution blocks, which Region
  // switch runs in parallel or in sequence"); traffic follows the DNS step, not the steps after it.
  const timeline = (ungraceful: boolean): Timeline => {
    let elapsed = 0;
    let writes = NaN;
    let dnsDone: number | undefined;
    for (const step of steps) {
      const moves = writerMovesAfter(step, ungraceful, a);
      if (moves !== undefined && Number.isNaN(writes)) writes = elapsed + moves;
      elapsed += stepSeconds(step, ungraceful, capacity, a);
      if (step.executionBlockType === "Route53HealthCheck" && dnsDone === undefined) dnsDone = elapsed;
    }
    return {
      writesSeconds: writes,
      trafficSeconds: (dnsDone ?? elapsed) + a.aliasRecordTtl.seconds,
      doneSeconds: elapsed,
    };
  };
  return {
    planName: String(plan.inputs.name),
    standbyRegion: region,
    automatic: ((plan.inputs.triggers as unknown[] | undefined) ?? []).length > 0,
    manualApproval: steps.some((s) => s.executionBlockType === "ManualApproval"),
    trigger: null,
    steps: steps.map((s) => ({
      name: String(s.name),
      type: String(s.executionBlockType),
      ungracefulSeconds: stepSeconds(s, true, capacity, a),
      gracefulSeconds: stepSeconds(s, false, capacity, a),
    })),
    ungraceful: timeline(true),
    graceful: timeline(false),
  };
}

/**
 * The plan's trigger, from its conditions and the control stack's alarms they name: every witness
 * (its alarm, its ProbeRegion dimension) and the longest time one of them must see the home failing
 * (evaluation periods × period). Null without a trigger.
 */
export function triggerOf(plan: RecordedResource, control: StackRun): PlanTimings["trigger"] {
  const triggers =
    (plan.inputs.triggers as { conditions?: { associatedAlarmName?: string }[] }[] | undefined) ?? [];
  if (triggers.length === 0) return null;
  const names = triggers.flatMap((t) => t.conditions ?? []).map((c) => String(c.associatedAlarmName));
  const alarms = ofType(control, "aws:cloudwatch/metricAlarm:MetricAlarm");
  const witnesses = names.map((name) => {
    const alarm = alarms.find((a) => a.inputs.name === name);
    const dimensions = (alarm?.inputs.dimensions as Record<string, string> | undefined) ?? {};
    return {
      alarmName: name,
      probeRegion: dimensions.ProbeRegion ?? "unknown",
      seconds: alarm ? Number(alarm.inputs.evaluationPeriods) * Number(alarm.inputs.period) : NaN,
    };
  });
  return {
    witnesses: witnesses.map(({ alarmName, probeRegion }) => ({ alarmName, probeRegion })),
    seconds: Math.max(...witnesses.map((w) => w.seconds)),
  };
}

/**
 * The behaviour matrix: the five cases of the failover design, what acts and how fast, from the
 * plan's timings and the deep health check's detection.
 */
export function behaviourMatrix(
  t: PlanTimings,
  detection: number,
  a: Assumptions = DR_ASSUMPTIONS,
): DrCase[] {
  const ttl = a.aliasRecordTtl.seconds;
  const decision = a.humanDecision.seconds;
  const lossy = `writes not yet replicated: typically under ${a.replicationLag.seconds} s (AuroraGlobalDBRPOLag; DynamoDB ReplicationLatency), no SLA`;
  const automaticReads = detection + ttl;
  const witnesses = t.trigger
    ? `every trigger witness (${t.trigger.witnesses.map((w) => w.probeRegion).join(", ")}) sees the home failing for ${t.trigger.seconds} s, ARC starts the plan, and it waits in approve (no triggered execution moves anything on its own: which mode ARC gives it is not documented)`
    : "the trigger starts the plan";
  return [
    {
      id: "a",
      title: "the active region's application tier fails, its database is fine",
      acts: t.automatic
        ? `Route 53's deep health check drops the home; the standby serves, forwarding Aurora writes to the home writer; ${witnesses}; on approval (graceful): capacity and a lossless switchover in parallel, DNS pinned`
        : "an operator starts the plan (graceful): capacity and a lossless switchover in parallel, then DNS",
      users: t.automatic
        ? "errors for about the detection time plus the TTL, then everything works from the standby (writes cross to the home writer until the switchover)"
        : "errors until the plan's DNS step (manual mode)",
      readsSeconds: t.automatic ? automaticReads : t.graceful.trafficSeconds,
      readsAfterDecision: !t.automatic,
      writesSeconds: t.automatic ? 0 : t.graceful.trafficSeconds,
      decisionSeconds: t.automatic ? 0 : decision,
      rpo: "none: the writer was healthy; the switchover waits for the secondary to catch up",
    },
    {
      id: "b",
      title: "the whole active region is down",
      acts: t.automatic
        ? `Route 53's deep health check drops the home; ${witnesses}; the operator decides the data loss: the execution ungraceful (switchToUngraceful, or a new ungraceful one), Aurora failover beside capacity, DNS pinned`
        : "the operator runs the plan ungraceful: Aurora failover beside capacity, then DNS",
      users: "reads and DynamoDB writes from the standby; Aurora writes fail until the failover",
      readsSeconds: t.automatic ? automaticReads : t.ungraceful.trafficSeconds,
      readsAfterDecision: !t.automatic,
      writesSeconds: t.ungraceful.writesSeconds,
      decisionSeconds: decision,
      rpo: lossy,
    },
    {
      id: "c",
      title: "the active region's Aurora writer fails (the whole primary cluster)",
      acts: "an instance failure is Aurora's own in-region failover to the reader (no region switch); a whole cluster failing fails the deep health check, so as in (b): the standby serves reads, the operator runs the plan ungraceful",
      users: "reads from the standby; Aurora writes fail until the failover",
      readsSeconds: t.automatic ? automaticReads : t.ungraceful.trafficSeconds,
      readsAfterDecision: !t.automatic,
      writesSeconds: t.ungraceful.writesSeconds,
      decisionSeconds: decision,
      rpo: lossy,
    },
    {
      id: "d",
      title: "planned switchover to the standby",
      acts: "the operator starts the plan (graceful): capacity and a lossless switchover in parallel, then DNS",
      users:
        "no errors: writes pause during the switchover, then forward from the old home to the new writer until DNS moves",
      readsSeconds: t.graceful.trafficSeconds,
      readsAfterDecision: false,
      writesSeconds: t.graceful.writesSeconds,
      decisionSeconds: 0,
      rpo: "none",
    },
    {
      id: "e",
      title: "failback to the home region",
      acts: "the operator starts the plan's home workflow (graceful): capacity at home, switchover back, DNS back",
      users: "as in (d), the other way",
      readsSeconds: t.graceful.trafficSeconds,
      readsAfterDecision: false,
      writesSeconds: t.graceful.writesSeconds,
      decisionSeconds: 0,
      rpo: "none",
    },
  ];
}

/** One region's prices in tools/prices.json (per hour, or per month where the name says so). */
interface RegionPrices {
  ec2PerHour: Record<string, number>;
  ebsGp3PerGbMonth: number;
  albPerHour: number;
  natGatewayPerHour: number;
  auroraPerHour: Record<string, number>;
  auroraServerlessPerAcuHour: number;
  wafPerWebAclMonth: number;
  wafPerRuleMonth: number;
  healthCheckPerMonth: number;
  kmsKeyPerMonth: number;
  secretPerMonth: number;
  route53HostedZonePerMonth: number;
}

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

function costBook(where: string) {
  const items: CostItem[] = [];
  const unpriced: string[] = [];
  const add = (item: string, quantity: number, unitMonthly: number | undefined) => {
    if (quantity <= 0) return;
    if (unitMonthly === undefined || Number.isNaN(unitMonthly)) {
      unpriced.push(`${item} × ${quantity} (not in tools/prices.json for ${where})`);
      return;
    }
    items.push({ item, quantity, monthlyUsd: round2(quantity * unitMonthly) });
  };
  const total = (): MonthlyCost => ({
    totalUsd: round2(items.reduce((s, i) => s + i.monthlyUsd, 0)),
    items,
    unpriced,
  });
  return { add, total };
}

/** Footprint and monthly on-demand estimate of one region, from its recorded resources. */
export function regionFootprint(run: StackRun): RegionFootprint {
  // A region missing from the price table is planned all the same: its items are listed as unpriced,
  // and it has no total (a $0.00 one would read as a free region).
  const p = (prices.regions as unknown as Record<string, RegionPrices | undefined>)[run.region];
  const hours = prices.hoursPerMonth;
  const { add, total } = costBook(run.region);
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
  add(
    "Route 53 private hosted zone",
    ofType(run, "aws:route53/zone:Zone").length,
    p?.route53HostedZonePerMonth,
  );
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
    monthlyCost: p ? total() : { ...total(), totalUsd: null },
  };
}

/** The control stack's monthly cost: its ARC Region switch plans and KMS key (global prices). */
export function controlCost(run: StackRun): MonthlyCost {
  const { add, total } = costBook("the control stack");
  add(
    "ARC Region switch plan",
    ofType(run, "aws:arcregionswitch/plan:Plan").length,
    prices.global.arcRegionSwitchPlanPerMonth,
  );
  add(
    "KMS customer-managed keys",
    ofType(run, "aws:kms/key:Key").length,
    prices.regions["us-east-1"].kmsKeyPerMonth,
  );
  return total();
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Seconds for a new instance to serve: boot, then the target group's healthy threshold × interval. */
export function capacitySeconds(run: StackRun | undefined, a: Assumptions = DR_ASSUMPTIONS): number {
  const groups = run ? ofType(run, "aws:lb/targetGroup:TargetGroup") : [];
  const healthy = Math.max(
    0,
    ...groups.map((g) => {
      const hc = g.inputs.healthCheck as { healthyThreshold?: number; interval?: number } | undefined;
      // No block: the provider sends nothing and ELB's own defaults apply, 5 successes for an HTTP(S)
      // target group, every 30 s (ELBv2 API Reference, CreateTargetGroup; terraform-provider-aws
      // #23276: without the block the defaults are the console's and the CLI's). A block with a field
      // unset: the provider's default for it (TargetGroupHealthCheck in @pulumi/aws types/input.d.ts:
      // healthyThreshold "Defaults to 3", interval "Defaults to 30").
      if (hc === undefined) return 5 * 30;
      return Number(hc.healthyThreshold ?? 3) * Number(hc.interval ?? 30);
    }),
  );
  return a.instanceBoot.seconds + healthy;
}

/** The next size down in an instance class family, as Aurora names its sizes. */
const SIZES = [
  "medium",
  "large",
  "xlarge",
  "2xlarge",
  "4xlarge",
  "8xlarge",
  "12xlarge",
  "16xlarge",
  "24xlarge",
  "32xlarge",
  "48xlarge",
];

/** The smallest class of `instanceClass`'s family that Aurora global databases support, if it is smaller. */
function smallerGlobalClass(instanceClass: string): string | undefined {
  const [db, family, size] = instanceClass.split(".");
  const candidates = AURORA_POSTGRESQL_CLASSES.filter(
    (c) => c.startsWith(`${db}.${family}.`) && globalDatabaseSupports(c),
  ).sort((x, y) => SIZES.indexOf(x.split(".")[2]) - SIZES.indexOf(y.split(".")[2]));
  const smallest = candidates[0];
  return smallest && SIZES.indexOf(smallest.split(".")[2]) < SIZES.indexOf(size) ? smallest : undefined;
}

/**
 * The standby's database capacity options. Each keeps everything else of the configured standby and
 * changes its database only. The write RTO is the time to move the writer, for every option: the plan
 * raises a Serverless v2 standby beside the writer move and a smaller provisioned class after traffic
 * moved (components/failoverWorkflows.ts), so neither delays the first write; the class change
 * stops the new writer's writes later, for the time it takes.
 */
export function standbyOptions(
  home: StackRun | undefined,
  standby: StackRun | undefined,
  regions: RegionFootprint[],
  a: Assumptions = DR_ASSUMPTIONS,
): StandbyOption[] {
  if (!home || !standby) return [];
  const homeClass = String(
    (ofType(home, "aws:rds/clusterInstance:ClusterInstance")[0]?.inputs.instanceClass as
      | string
      | undefined) ?? "",
  );
  const footprint = regions.find((r) => r.stack === standby.stack);
  const active = regions.find((r) => r.role === "active")?.monthlyCost.totalUsd ?? null;
  const p = (prices.regions as unknown as Record<string, RegionPrices | undefined>)[standby.region];
  const hours = prices.hoursPerMonth;
  const instances = footprint?.dbInstances ?? 0;
  const total = footprint?.monthlyCost.totalUsd ?? null;
  const dbNow = (footprint?.monthlyCost.items ?? [])
    .filter((i) => i.item.startsWith("Aurora "))
    .reduce((sum, i) => sum + i.monthlyUsd, 0);
  const withoutDb = total === null ? null : total - dbNow;
  const cost = (dbMonthly: number | undefined) =>
    withoutDb === null || dbMonthly === undefined ? null : round2(withoutDb + dbMonthly);
  const percent = (monthly: number | null) =>
    monthly === null || active === null ? null : round2((monthly / active) * 100);
  const start = a.arcStepStart.seconds;
  const writes = {
    ungraceful: start + a.auroraFailover.seconds,
    graceful: start + a.auroraSwitchover.seconds,
  };
  const cluster = ofType(standby, "aws:rds/cluster:Cluster")[0];
  const minAcu = Number(
    (cluster?.inputs.serverlessv2ScalingConfiguration as { minCapacity?: number } | undefined)?.minCapacity ??
      0.5,
  );
  const configured = footprint?.dbInstanceClass;
  const smaller = smallerGlobalClass(homeClass);
  const option = (o: Omit<StandbyOption, "percentOfActive" | "versusHomeClass">): StandbyOption => ({
    ...o,
    percentOfActive: percent(o.monthlyUsd),
    versusHomeClass: null,
  });
  const options = [
    option({
      option: "serverless",
      database: `${instances} × Aurora Serverless v2, ${minAcu} ACU minimum`,
      offered: true,
      configured: configured === "db.serverless",
      monthlyUsd: cost(p && instances * minAcu * p.auroraServerlessPerAcuHour * hours),
      writesSeconds: writes,
      laterWriteOutageSeconds: 0,
      note: "serves reads and scales on its own up to its maximum; the plan raises its minimum to the home's peak beside the writer move, so the first writes may meet a cluster still scaling (no outage)",
    }),
    option({
      option: "provisioned, the home's class",
      database: `${instances} × ${homeClass}`,
      offered: true,
      configured: configured === homeClass,
      monthlyUsd: cost(
        p?.auroraPerHour[homeClass] === undefined
          ? undefined
          : instances * p.auroraPerHour[homeClass] * hours,
      ),
      writesSeconds: writes,
      laterWriteOutageSeconds: 0,
      note: "nothing to raise: the writer moves at once",
    }),
    option({
      option: "provisioned, a smaller class",
      database: smaller
        ? `${instances} × ${smaller}`
        : `none smaller than ${homeClass} that global databases support`,
      offered: smaller !== undefined,
      configured: configured !== undefined && configured !== "db.serverless" && configured !== homeClass,
      monthlyUsd:
        smaller && p?.auroraPerHour[smaller] !== undefined
          ? cost(instances * p.auroraPerHour[smaller] * hours)
          : null,
      writesSeconds: writes,
      laterWriteOutageSeconds: start + a.auroraProvisionedScaling.seconds,
      note: "the plan modifies the new writer to the home's class after traffic moved: the restart stops its writes for that long (a class change cannot run beside a switchover onto that instance, nor before it with the home region down)",
    }),
    option({
      option: "headless",
      database: "no instance: storage only",
      offered: false,
      configured: false,
      monthlyUsd: cost(0),
      writesSeconds: { ungraceful: NaN, graceful: NaN },
      laterWriteOutageSeconds: 0,
      note: 'not offered: without an instance the standby serves no reads and fails its deep health check, and "before you can perform a switchover or failover to a headless secondary Aurora DB cluster, you must add a DB instance to it" (Aurora User Guide, aurora-global-database-disaster-recovery): an RDS control-plane call of unpublished duration in the middle of the failover',
    }),
  ];
  const reference = options.find((o) => o.option === "provisioned, the home's class")!;
  return options.map((o) => {
    if (o === reference || !o.offered) return o;
    const savedUsd =
      reference.monthlyUsd === null || o.monthlyUsd === null
        ? null
        : round2(reference.monthlyUsd - o.monthlyUsd);
    return {
      ...o,
      versusHomeClass: {
        savedUsd,
        // From the dollars, not from two rounded percentages.
        savedPoints: savedUsd === null ? null : percent(savedUsd),
        // The same for both modes: no raise comes before the writer moves.
        extraWritesSeconds: o.writesSeconds.ungraceful - reference.writesSeconds.ungraceful,
        laterWriteOutageSeconds: o.laterWriteOutageSeconds,
      },
    };
  });
}

/** The DR report for a set of stack runs (the regional stacks and, when planned, the control stack). */
export function drReport(runs: StackRun[], assumptions = DR_ASSUMPTIONS): DrReport {
  const regional = runs.filter((r) => !isControlRun(r));
  const control = runs.find(isControlRun);
  const home = regional.find((r) => r.config[`${r.project}:home`] === "true");
  const detection = detectionSeconds(
    home ? ofType(home, "aws:route53/healthCheck:HealthCheck")[0] : undefined,
  );
  const standby = regional.find((r) => r !== home);
  const capacity = capacitySeconds(standby, assumptions);

  const plans = control ? ofType(control, "aws:arcregionswitch/plan:Plan") : [];
  // The plan the automatic trigger runs, else the first: the failover the report models.
  const plan = plans.find((p) => ((p.inputs.triggers as unknown[] | undefined) ?? []).length > 0) ?? plans[0];
  const planRegions = (plan?.inputs.regions as string[] | undefined) ?? [];
  const target = planRegions.find((r) => r !== home?.region);
  const timings =
    plan && target && control
      ? { ...planTimings(plan, target, capacity, assumptions), trigger: triggerOf(plan, control) }
      : null;

  const regions = regional.map(regionFootprint);
  // Regions without prices are left out of the ratio, not counted as free; none is left if the active
  // region or every standby has no prices.
  const priced = regions.filter((r) => r.monthlyCost.totalUsd !== null);
  const activeCost = priced.find((r) => r.role === "active")?.monthlyCost.totalUsd;
  const standbys = regions.filter((r) => r.role === "passive");
  const pricedStandbys = priced.filter((r) => r.role === "passive");
  const standbyCost = pricedStandbys.reduce((s, r) => s + (r.monthlyCost.totalUsd ?? 0), 0);
  const comparable = activeCost && (pricedStandbys.length > 0 || standbys.length === 0);
  return {
    detectionSeconds: detection,
    dnsSeconds: assumptions.aliasRecordTtl.seconds,
    capacitySeconds: capacity,
    plan: timings,
    cases: timings ? behaviourMatrix(timings, detection, assumptions) : [],
    assumptions,
    regions,
    control: control ? { stack: control.stack, monthlyCost: controlCost(control) } : null,
    standbyOptions: standbyOptions(home, standby, regions, assumptions),
    writesTargetSeconds: WRITES_TARGET_SECONDS,
    standbyCostPercentOfActive: comparable ? round2((standbyCost / activeCost) * 100) : null,
    regionsWithoutPrices: regions.filter((r) => r.monthlyCost.totalUsd === null).map((r) => r.region),
    priceTable: { label: prices.label, compiled: prices.compiled, source: prices.source },
  };
}
