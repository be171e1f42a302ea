/**
 * What the stacks of one app must agree on, checked over every stack file before any program runs:
 * a failover pairs the home with each standby, so a disagreement here breaks the failover, not the
 * deploy (a standby on another domain gets no traffic; two homes make two unreplicated databases).
 */
import { type ControlConfig, triggerWitnesses } from "./control";
import { ConfigError } from "./errors";
import { cidrsOverlap, parseCidr } from "./rules";
import type { AppConfig } from "./types";

export interface RegionalStack {
  /** The stack file, as the user sees it (`Pulumi.ca-central-1.yaml`). */
  file: string;
  cfg: AppConfig;
  /** True when the stack file sets the key (`database.engineVersion`), not the default. */
  sets: (key: string) => boolean;
}

export interface ControlStack {
  file: string;
  cfg: ControlConfig;
}

/** One disagreement: in which file, at which config key (as config/ names it), and why. */
export interface CrossStackProblem {
  file: string;
  key: string;
  value: unknown;
  message: string;
}

const qualified = (s: RegionalStack) => `${s.cfg.organization}/${s.cfg.project}/${s.cfg.stack}`;

export function crossStackProblems(
  stacks: RegionalStack[],
  controls: ControlStack[] = [],
): CrossStackProblem[] {
  const problems: CrossStackProblem[] = [];
  const add = (s: { file: string }, key: string, value: unknown, message: string) =>
    problems.push({ file: s.file, key, value, message });
  const homes = stacks.filter((s) => s.cfg.home);
  if (homes.length === 0 && stacks.length > 0) {
    for (const s of stacks)
      add(s, "home", false, "no stack file sets home: true: one stack must own the global data resources");
  }
  if (homes.length > 1) {
    for (const s of homes) {
      const others = homes.filter((o) => o !== s).map((o) => o.file);
      add(
        s,
        "home",
        true,
        `${others.join(", ")} ${others.length > 1 ? "say" : "says"} home: true too: exactly one stack owns the global database and table (two would make two unreplicated databases)`,
      );
    }
  }
  const home = homes.length === 1 ? homes[0] : undefined;

  for (const s of stacks) {
    // The tags that describe the stack must say what its config says: a Role tag of "passive" on
    // the active region misleads cost reports and incident response (after a role flip, change both).
    const describes: Record<string, string> = {
      Project: s.cfg.project,
      Stack: s.cfg.stack,
      Role: s.cfg.role,
      Home: String(s.cfg.home),
    };
    for (const [key, value] of Object.entries(describes)) {
      const tag = s.cfg.defaultTags[key];
      if (tag !== undefined && tag !== value) {
        add(s, `aws:defaultTags.tags.${key}`, tag, `must be "${value}", as this stack's config says`);
      }
    }
  }

  const byRegion = new Map<string, RegionalStack>();
  for (const s of stacks) {
    const first = byRegion.get(s.cfg.region);
    if (first)
      add(
        s,
        "aws:region",
        s.cfg.region,
        `is also ${first.file}'s region: each stack protects a region of its own`,
      );
    else byRegion.set(s.cfg.region, s);
    if (s.cfg.stack !== s.cfg.region) {
      add(
        s,
        "stack name",
        s.cfg.stack,
        `must be the stack's region (${s.cfg.region}): the failover control stack finds a standby's stack by its region`,
      );
    }
  }

  for (let i = 0; i < stacks.length; i++) {
    for (let j = 0; j < i; j++) {
      const [a, b] = [stacks[i], stacks[j]];
      if (cidrsOverlap(parseCidr("vpcCidr", a.cfg.vpcCidr), parseCidr("vpcCidr", b.cfg.vpcCidr))) {
        add(
          a,
          "vpcCidr",
          a.cfg.vpcCidr,
          `overlaps ${b.file}'s ${b.cfg.vpcCidr}: give each region its own range, so that peering, Transit Gateway or VPN routes between them stay possible`,
        );
      }
    }
  }

  const actives = stacks.filter((s) => s.cfg.role === "active");
  if (actives.length === 0 && stacks.length > 0) {
    for (const s of stacks)
      add(s, "role", s.cfg.role, "no stack is active: one region carries the traffic in steady state");
  }
  if (actives.length > 1) {
    for (const s of actives.filter((s) => !s.cfg.home)) {
      add(
        s,
        "role",
        "active",
        `${actives
          .filter((o) => o !== s)
          .map((o) => o.file)
          .join(
            ", ",
          )} is active too: one region carries the traffic in steady state; make the home passive first (docs/runbook.md, after-care)`,
      );
    }
  }

  if (!home) return problems;
  for (const s of stacks.filter((s) => s !== home)) {
    if (s.cfg.primaryStack !== qualified(home)) {
      add(
        s,
        "primaryStack",
        s.cfg.primaryStack,
        `must name the home stack ${qualified(home)} (${home.file})`,
      );
    }
    if (!home.cfg.standbyRegions.includes(s.cfg.region)) {
      add(
        home,
        "standbyRegions",
        home.cfg.standbyRegions,
        `does not list ${s.cfg.region}, the region of ${s.file}: the home replicates its secret and copies its backups only to the regions it lists, and the control stack makes a plan only for them`,
      );
    }
    for (const key of ["domain", "hostedZone"] as const) {
      if (s.cfg[key] !== home.cfg[key]) {
        add(
          s,
          key,
          s.cfg[key],
          `differs from ${home.file}'s "${home.cfg[key]}": the home's and the standby's failover records must be one name in one zone, or no failover reaches the standby`,
        );
      }
    }
    if (
      s.sets("database.engineVersion") &&
      s.cfg.database.engineVersion !== home.cfg.database.engineVersion
    ) {
      add(
        s,
        "database.engineVersion",
        s.cfg.database.engineVersion,
        `differs from ${home.file}'s ${home.cfg.database.engineVersion}: a global database has one engine version, the home's (upgrade it there)`,
      );
    }
    for (const tier of ["frontend", "backend"] as const) {
      if (s.cfg[tier].maxSize < home.cfg[tier].desiredCapacity) {
        add(
          s,
          `${tier}.maxSize`,
          s.cfg[tier].maxSize,
          `is below ${home.file}'s ${tier}.desiredCapacity (${home.cfg[tier].desiredCapacity}): after a failover the standby could not carry even the home's steady load`,
        );
      }
    }
  }
  for (const region of home.cfg.standbyRegions) {
    if (!byRegion.has(region)) {
      add(
        home,
        "standbyRegions",
        region,
        `lists ${region}, but no stack file is in that region (add Pulumi.${region}.yaml, or remove it from the list)`,
      );
    }
  }

  for (const c of controls) {
    if (c.cfg.homeStack !== qualified(home)) {
      add(c, "homeStack", c.cfg.homeStack, `must name the home stack ${qualified(home)} (${home.file})`);
    }
    const target = c.cfg.automaticStandbyRegion;
    if (target !== undefined && !home.cfg.standbyRegions.includes(target)) {
      add(
        c,
        "automaticStandbyRegion",
        target,
        `must be one of ${home.file}'s standbyRegions (${home.cfg.standbyRegions.join(", ")})`,
      );
    }
    // The trigger's witnesses, as the control program checks them (control/index.ts): never the home
    // nor the automatic standby.
    const automatic = target ?? home.cfg.standbyRegions[0];
    if (c.cfg.automaticFailover && automatic !== undefined) {
      try {
        triggerWitnesses(c.cfg, home.cfg.region, automatic);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        add(c, e.key, e.value, `${e.allowed} (${home.file} is the home; ${automatic} the automatic standby)`);
      }
    }
  }
  return problems;
}
