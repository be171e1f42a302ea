/**
 * A small evaluator of how Route 53 answers a DNS query for a tree of records under health checks, as
 * the Route 53 Developer Guide and API reference document it. Every rule below quotes its source; the
 * model implements nothing else, and refuses what it does not model (a routing policy it does not
 * know, an alias to a name that does not exist, a health check whose state the caller did not give)
 * rather than guess.
 *
 * Sources (Amazon Route 53 Developer Guide unless said otherwise):
 * - [CHOOSE] "How Amazon Route 53 chooses records when health checking is configured"
 * - [COMPLEX] "How health checks work in complex Amazon Route 53 configurations"
 * - [FAILOVER-ALIAS] "Values specific for failover alias records" (Health check; Evaluate target
 *   health), and its latency alias twin for the load balancer rules
 * - [API] Route 53 API reference, ResourceRecordSet (Failover) and AliasTarget (EvaluateTargetHealth)
 *
 * What is not modelled: weighted, geolocation, geoproximity, IP-based and multivalue routing (the app
 * uses failover and latency only), TTLs and resolver caches (an answer changes within the TTL, 60 s
 * for an alias to a load balancer), and how long a health check takes to change state (the checks'
 * request interval × failure threshold, components/edgeDns.ts `detectionSeconds`).
 */

/** An alias target: another name in a hosted zone, or a load balancer. */
export interface ModelAlias {
  name: string;
  zoneId: string;
  evaluateTargetHealth: boolean;
}

/** One resource record set, as the Route 53 API holds it. */
export interface ModelRecord {
  zoneId: string;
  name: string;
  type: string;
  setIdentifier?: string;
  failover?: "PRIMARY" | "SECONDARY";
  /** The AWS Region of a latency record. */
  latencyRegion?: string;
  healthCheckId?: string;
  alias?: ModelAlias;
  /** A non-alias record's values (IP addresses). */
  values?: string[];
}

/**
 * An Application Load Balancer as Route 53 sees it through an alias with Evaluate Target Health: the
 * targets of each of its target groups.
 */
export interface ModelLoadBalancer {
  /** The region the load balancer is in (for the answer's description). */
  region: string;
  targetGroups: { registered: number; healthy: number }[];
}

/** Everything Route 53 consults to answer. */
export interface ModelWorld {
  records: ModelRecord[];
  /** Health check id → healthy. A record may only name a check listed here. */
  healthChecks: Record<string, boolean>;
  /** Load balancers by DNS name. */
  loadBalancers: Record<string, ModelLoadBalancer>;
}

/** Who asks: the AWS Regions in the order of the latency Route 53 measures for this client. */
export interface ModelClient {
  name: string;
  latency: string[];
}

/** The answer: the load balancer (or the values) returned, and the path taken to it. */
export interface ModelAnswer {
  /** DNS name of the load balancer answered, or the values of a non-alias record. */
  target: string;
  /** Region of the load balancer answered; undefined for a non-alias record. */
  region?: string;
  /** One line per group Route 53 chose from, top first. */
  path: string[];
}

const MAX_DEPTH = 16;

export function normalizeName(name: string): string {
  return name.replace(/\.$/, "").toLowerCase();
}

/** One line of a route: the group's name, the record chosen and why. */
function routeLine(r: ModelRecord, why: string): string {
  return `${normalizeName(r.name)}: ${why}`;
}

function describe(r: ModelRecord): string {
  const policy = r.failover ?? (r.latencyRegion !== undefined ? `latency ${r.latencyRegion}` : "simple");
  return `${r.name} ${policy}${r.setIdentifier !== undefined ? ` (set ${r.setIdentifier})` : ""}`;
}

export class Route53Model {
  constructor(private readonly world: ModelWorld) {}

  /** The group of records Route 53 chooses from for `name` and `type` in `zoneId`. */
  group(zoneId: string, name: string, type = "A"): ModelRecord[] {
    const found = this.world.records.filter(
      (r) => r.zoneId === zoneId && normalizeName(r.name) === normalizeName(name) && r.type === type,
    );
    // [CHOOSE]: a group is "a group of records that have the same name, the same type (such as A or
    // AAAA), and the same routing policy (such as weighted or failover)". Route 53 refuses a mix.
    const policies = new Set(found.map(policyOf));
    if (policies.size > 1) {
      throw new Error(
        `${name}: records of one name and type mix routing policies (${[...policies].join(", ")})`,
      );
    }
    if (policies.has("failover")) {
      const sides = found.map((r) => r.failover).sort();
      if (sides.join() !== "PRIMARY,SECONDARY") {
        throw new Error(
          `${name}: a failover group needs one PRIMARY and one SECONDARY, has [${sides.join(", ")}]`,
        );
      }
    }
    if (policies.has("simple") && found.length > 1) {
      throw new Error(`${name}: ${found.length} simple records of one name and type`);
    }
    return found;
  }

  /** What Route 53 answers `client` for `name` (type A) in `zoneId`. */
  resolve(zoneId: string, name: string, client: ModelClient): ModelAnswer {
    return this.answer(zoneId, name, client, 0);
  }

  private answer(zoneId: string, name: string, client: ModelClient, depth: number): ModelAnswer {
    if (depth > MAX_DEPTH) throw new Error(`${name}: alias chain deeper than ${MAX_DEPTH}`);
    const group = this.group(zoneId, name);
    if (group.length === 0) throw new Error(`${name}: no such record in zone ${zoneId}`);
    const { record, why } = this.choose(group, client);
    const line = routeLine(record, why);
    if (!record.alias) {
      return { target: (record.values ?? []).join(","), path: [line] };
    }
    const alias = record.alias;
    const lb = this.world.loadBalancers[normalizeName(alias.name)];
    if (lb) return { target: normalizeName(alias.name), region: lb.region, path: [line] };
    // Evaluate Target Health set to No: "Route 53 must choose one record in this branch instead of
    // backing out of the branch" [COMPLEX, What happens when you set Evaluate Target Health to No]:
    // the recursion chooses within the target's group by the same rules, whatever its health.
    const below = this.answer(alias.zoneId, alias.name, client, depth + 1);
    return { ...below, path: [line, ...below.path] };
  }

  /**
   * Which record of a group Route 53 answers with, and why. [CHOOSE]: "Route 53 initially chooses a
   * record based on the routing policy and on the values that you specify for each record." ... "If
   * the record is unhealthy, Route 53 chooses another record using the same criteria and repeats the
   * process until it finds a healthy record."
   */
  choose(group: ModelRecord[], client: ModelClient): { record: ModelRecord; why: string } {
    const health = new Map(group.map((r) => [r, this.healthy(r, 0)]));
    if (group[0].failover !== undefined) {
      const primary = group.find((r) => r.failover === "PRIMARY")!;
      const secondary = group.find((r) => r.failover === "SECONDARY")!;
      // [CHOOSE], Failover records: "If Route 53 considers the primary record healthy ..., Route 53
      // returns only the primary record in response to a DNS query." / "If Route 53 considers the
      // primary record unhealthy and the secondary record healthy, Route 53 returns the secondary
      // record instead." / "If Route 53 considers both the primary and secondary records unhealthy,
      // Route 53 returns the primary record." ([API] Failover: "When the secondary resource record set
      // is unhealthy, Route 53 responds to DNS queries with the applicable value from the primary
      // resource record set regardless of the health of the primary resource record set.")
      if (health.get(primary)) return { record: primary, why: "PRIMARY (healthy)" };
      if (health.get(secondary))
        return { record: secondary, why: "SECONDARY (PRIMARY unhealthy, SECONDARY healthy)" };
      return { record: primary, why: "PRIMARY (both unhealthy)" };
    }
    // [CHOOSE], If no record is healthy, all records are healthy: "If none of the records in a group of
    // records are healthy, Route 53 needs to return something ... In this circumstance, Route 53
    // considers all the records in the group to be healthy and selects one based on the routing
    // policy and on the values that you specify for each record."
    const healthy = group.filter((r) => health.get(r));
    const candidates = healthy.length > 0 ? healthy : group;
    const fallback =
      healthy.length === 0 && group.length > 1 ? "none healthy, so all count as healthy; " : "";
    if (group[0].latencyRegion !== undefined) {
      // Latency: the record of the region with the lowest latency for the client; when its branch is
      // unhealthy "Route 53 backs out of that branch of the tree, looks for the latency alias record
      // with the next-best latency" [COMPLEX].
      const rank = (r: ModelRecord) => {
        const i = client.latency.indexOf(r.latencyRegion!);
        if (i < 0) throw new Error(`client ${client.name} has no latency to ${r.latencyRegion}`);
        return i;
      };
      group.forEach(rank);
      const best = [...candidates].sort((a, b) => rank(a) - rank(b))[0];
      const nearest = [...group].sort((a, b) => rank(a) - rank(b))[0];
      const why =
        group.length === 1
          ? `${best.latencyRegion} (the only record${health.get(best) ? "" : ", unhealthy"})`
          : best === nearest
            ? `${best.latencyRegion} (${fallback}lowest latency${health.get(best) || fallback ? "" : ", unhealthy"})`
            : `${best.latencyRegion} (${nearest.latencyRegion} unhealthy; next-best latency, healthy)`;
      return { record: best, why };
    }
    const only = candidates[0];
    return { record: only, why: `the only record (${health.get(only) ? "healthy" : "unhealthy"})` };
  }

  /**
   * Whether Route 53 considers a record healthy. [CHOOSE]: a "Non-alias record with an associated
   * health check" takes "the current status of the health check"; an "Alias record with Evaluate
   * Target Health set to Yes" takes "the health status of the resource that the alias record
   * references, for example, an ELB load balancer or another record in the same hosted zone";
   * "Records without a health check are always healthy". A health check on an alias record counts
   * as well: "If you associate a health check with an alias record and also select Yes for Evaluate
   * Target Health, both must evaluate to true" [FAILOVER-ALIAS, Health check].
   *
   * An alias record with Evaluate Target Health and no health check of its own is health-checked
   * through its target (this reading of [CHOOSE]'s "If you omit the health check for the secondary
   * record ... Route 53 always responds ... by using the secondary record" applies that sentence to a
   * record with no health checking at all: neither a health check nor Evaluate Target Health).
   */
  healthy(r: ModelRecord, depth: number): boolean {
    if (depth > MAX_DEPTH) throw new Error(`${r.name}: alias chain deeper than ${MAX_DEPTH}`);
    const own = r.healthCheckId === undefined ? true : this.check(r.healthCheckId, r);
    if (!own) return false;
    if (!r.alias?.evaluateTargetHealth) return true;
    return this.targetHealthy(r.alias, depth + 1);
  }

  private check(id: string, r: ModelRecord): boolean {
    const state = this.world.healthChecks[id];
    if (state === undefined) throw new Error(`${describe(r)}: health check ${id} has no state in this world`);
    return state;
  }

  /** The health of an alias target, as Evaluate Target Health sees it. */
  targetHealthy(alias: ModelAlias, depth: number): boolean {
    const lb = this.world.loadBalancers[normalizeName(alias.name)];
    if (lb) {
      // [FAILOVER-ALIAS], Evaluate target health, Application and Network Load Balancers: "For an
      // Application or Network Load Balancer to be considered healthy, every target group that
      // contains targets must contain at least one healthy target. If any target group contains only
      // unhealthy targets, the load balancer is considered unhealthy" ... "A target group that has no
      // registered targets is considered unhealthy."
      return lb.targetGroups.length > 0 && lb.targetGroups.every((tg) => tg.registered > 0 && tg.healthy > 0);
    }
    const group = this.group(alias.zoneId, alias.name);
    // Route 53 refuses to create an alias to a record that does not exist.
    if (group.length === 0)
      throw new Error(`alias target ${alias.name} does not exist in zone ${alias.zoneId}`);
    // [CHOOSE], Alias records: "As long as at least one of the weighted records is healthy, Route 53
    // considers the alias record to be healthy." / "If none of the weighted records is healthy, Route
    // 53 considers the alias record to be unhealthy." A failover group answers with a healthy record
    // whenever its PRIMARY or its SECONDARY is healthy: the same rule.
    return group.some((r) => this.healthy(r, depth));
  }
}

function policyOf(r: ModelRecord): string {
  if (r.failover !== undefined) return "failover";
  if (r.latencyRegion !== undefined) return "latency";
  return "simple";
}
