/**
 * Configuration of the failover control stack (control/): its keys, their defaults and rules, and the
 * typed result. Here, below both programs, because more than the control program reads it: the plan's
 * pre-flight checks the control stack files with it (preflight.ts), the cross-stack checks compare it
 * with the regional stacks (crossStack.ts), and Pulumi.yaml's schema and docs/configuration.md are
 * generated from it (generate.ts). Same `Invalid config "<key>" = <value>: <allowed>` errors as the
 * regional stacks, every problem at once; all pure, tested without mocks. The control program reads
 * its engine values through `loadControlConfig` (control/config.ts).
 */
import { AnySchema, readEngineValues, scalar, unknownKeyHint } from "./build";
import { ConfigError, Problems } from "./errors";
import { validateEmailList, validateRegion } from "./rules";
import { Fields, fieldDefaults } from "./schema";

/**
 * The region of the control stack. ARC Region switch serves plan create/update from us-east-1 only
 * (the control-plane endpoint arc-region-switch-control-plane.us-east-1.api.aws, AWS General
 * Reference, "Amazon Application Recovery Controller endpoints and quotas"), and Route 53 publishes
 * health-check metrics only there. Nothing in a failover runs in this stack.
 */
export const CONTROL_REGION = "us-east-1";

export interface ControlConfig {
  project: string;
  stack: string;
  organization: string;
  /** Fully qualified name of the home regional stack (`<org>/<project>/<stack>`). */
  homeStack: string;
  /**
   * Automatic failover: the home serves only while its deep health passes (Route 53 moves reads to the
   * standby set without anyone), and the plan of `automaticStandbyRegion` starts on its own when that
   * standby sees the home failing. Manual: only an operator's plan execution moves traffic.
   */
  automaticFailover: boolean;
  /** The standby region whose plan the automatic trigger starts; undefined = the home's first standby. */
  automaticStandbyRegion?: string;
  /** Every plan execution starts with a manual approval step. */
  manualApproval: boolean;
  /**
   * The IAM roles and users (ARNs) the plans' approval role trusts: who may approve an execution's
   * `approve` step. Required when manualApproval or automaticFailover is on.
   */
  approvalPrincipals: string[];
  /**
   * Regions that each probe the home for the automatic trigger, besides the automatic standby;
   * undefined: the first of WITNESS_REGION_PREFERENCE that is neither the home nor that standby.
   */
  triggerWitnessRegions?: string[];
  /** Consecutive minutes every witness must see the home failing before the trigger fires. */
  triggerMinutes: number;
  /** ARC's recovery time objective for each plan, in minutes. */
  recoveryTimeObjectiveMinutes: number;
  /** Least minutes between two automatic executions of a plan. */
  triggerCooldownMinutes: number;
  /** Days the plans' execution reports are kept. */
  reportRetentionDays: number;
  /** Addresses notified by the Route 53 health-check alarms (us-east-1). */
  alarmEmails: string[];
  /** Pulumi `protect` on the report buckets and the alarm topic's key. */
  protectData: boolean;
}

/**
 * Where the automatic trigger's second vantage point runs when `triggerWitnessRegions` is not set:
 * the first of these that is neither the home nor the automatic standby (of three regions, two at most
 * are taken). Regions enabled by default in every account ("Regions that are enabled by default",
 * AWS Account Management Reference Guide), in different geographies.
 */
export const WITNESS_REGION_PREFERENCE = ["us-west-2", "us-east-2", "eu-west-1"] as const;

/** This project's keys, declared once: Pulumi.yaml's schema and the docs are generated from it. */
export const CONTROL_SCHEMA: Fields<Omit<ControlConfig, "project" | "stack" | "organization">> = {
  homeStack: {
    type: "string",
    doc: "Fully qualified name of the home regional stack, <organization>/multi-region-web/<home region>. The standby stacks are the home's standbyRegions, each a stack named after its region.",
    required: true,
    allowed: "<organization>/<project>/<stack>",
  },
  automaticFailover: {
    type: "boolean",
    doc: "true: the home serves only while its deep health passes (reads move to the standby set with no one involved), and the automatic standby's plan starts when that standby sees the home failing. false: only an operator's plan execution moves traffic.",
    default: { value: true },
  },
  automaticStandbyRegion: {
    type: "string",
    doc: "The standby region whose plan the automatic trigger starts (one of the home's standbyRegions). Empty: the first of them.",
    default: { value: "" },
    allowed: "one of the home stack's standbyRegions",
  },
  manualApproval: {
    type: "boolean",
    doc: "Every plan execution starts with a manual approval step. The automatic standby's plan has it whatever this says (a triggered execution moves nothing before a person approves).",
    default: { value: false },
  },
  approvalPrincipals: {
    type: "stringList",
    doc: "The IAM roles or users (full ARNs) that may assume the plans' approval role and approve or decline an execution's approve step. Required when manualApproval or automaticFailover is on.",
    default: { value: [] },
    allowed: "IAM role or user ARNs (arn:aws:iam::<account>:role/<name> or :user/<name>), each once",
  },
  triggerWitnessRegions: {
    type: "stringList",
    doc: "Regions that each run a probe of the home's deep health for the automatic trigger, besides the automatic standby's own probe: the plan starts only when every one of them sees the home failing. At least one with automaticFailover; neither the home nor the automatic standby.",
    default: {
      computed: `the first of ${WITNESS_REGION_PREFERENCE.join(", ")} that is neither the home nor the automatic standby`,
    },
    allowed: "AWS region names, each once, other than the home and the automatic standby",
  },
  triggerMinutes: {
    type: "integer",
    doc: "Consecutive minutes every witness of the automatic trigger must see the home's deep health failing before the plan starts: longer than a bad deploy you would roll back.",
    default: { value: 5 },
    min: 1,
    max: 60,
  },
  recoveryTimeObjectiveMinutes: {
    type: "integer",
    doc: "ARC's recovery time objective of each plan, in minutes.",
    default: { value: 15 },
    min: 1,
    max: 10080,
  },
  triggerCooldownMinutes: {
    type: "integer",
    doc: "Least minutes between two automatic executions of a plan.",
    default: { value: 60 },
    min: 1,
    max: 10080,
  },
  reportRetentionDays: {
    type: "integer",
    doc: "Days the plans' execution reports are kept.",
    default: { value: 365 },
    min: 1,
    max: 3650,
  },
  alarmEmails: {
    type: "stringList",
    doc: "Addresses notified by the alarms on every region's Route 53 deep health check (us-east-1).",
    required: true,
    allowed: "at least one e-mail address, each once",
  },
  protectData: {
    type: "boolean",
    doc: "Pulumi protect on the report buckets and the alarm topic's key.",
    default: { value: true },
  },
};

/**
 * The schema's context: no default or bound of the control stack's keys depends on a role or on being
 * the home (the context the regional keys' defaults and rules read).
 */
// Stryker disable next-line ObjectLiteral,BooleanLiteral: equivalent, nothing in CONTROL_SCHEMA reads the context
const CONTROL_CONTEXT = { role: "active" as const, home: true };

/** The defaults, as the schema declares them. */
export const CONTROL_DEFAULTS = fieldDefaults(CONTROL_SCHEMA, CONTROL_CONTEXT);

export interface RawControlConfig {
  project: string;
  stack: string;
  organization: string;
  region?: string;
  values: Record<string, unknown>;
}

const FULL_STACK_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** Applies the defaults and validates; throws one ConfigErrors with every problem found. */
export function buildControlConfig(raw: RawControlConfig, problems = new Problems()): ControlConfig {
  const schema = CONTROL_SCHEMA as AnySchema;
  const known = Object.keys(schema);
  for (const [key, value] of Object.entries(raw.values)) {
    if (!known.includes(key)) {
      problems.add(key, value, `is not a key of this project${unknownKeyHint(key, known)}`);
    }
  }
  if (raw.region !== CONTROL_REGION) {
    problems.add(
      "aws:region",
      raw.region,
      `must be ${CONTROL_REGION}: ARC Region switch plans are created and updated there, and Route 53 publishes its health-check metrics only there`,
    );
  }
  const get = (key: keyof typeof CONTROL_SCHEMA) =>
    scalar(schema, raw.values, key, CONTROL_CONTEXT, problems);
  const homeStack = get("homeStack") as string;
  // A missing or malformed value comes back as undefined (and is already a problem).
  if (homeStack && !FULL_STACK_NAME.test(homeStack)) {
    problems.add(
      "homeStack",
      homeStack,
      "must be the home regional stack as <organization>/<project>/<stack>",
    );
  }
  const standby = (get("automaticStandbyRegion") as string) || undefined;
  if (standby !== undefined) problems.check(() => validateRegion("automaticStandbyRegion", standby));
  const alarmEmails = get("alarmEmails") as string[];
  if (!problems.has("alarmEmails")) problems.check(() => validateEmailList("alarmEmails", alarmEmails));
  const automaticFailover = get("automaticFailover") as boolean;
  const manualApproval = get("manualApproval") as boolean;
  const approvalPrincipals = get("approvalPrincipals") as string[];
  if (!problems.has("approvalPrincipals")) {
    problems.check(() =>
      validateApprovalPrincipals(approvalPrincipals, { manualApproval, automaticFailover }),
    );
  }
  const triggerWitnessRegions = get("triggerWitnessRegions") as string[] | undefined;
  // A malformed list comes back as the default, undefined (and is already a problem).
  if (triggerWitnessRegions !== undefined) {
    problems.check(() => validateWitnessRegions(triggerWitnessRegions, automaticFailover));
  }
  const cfg: ControlConfig = {
    project: raw.project,
    stack: raw.stack,
    organization: raw.organization,
    homeStack,
    automaticFailover,
    automaticStandbyRegion: standby,
    manualApproval,
    approvalPrincipals,
    triggerWitnessRegions,
    triggerMinutes: get("triggerMinutes") as number,
    recoveryTimeObjectiveMinutes: get("recoveryTimeObjectiveMinutes") as number,
    triggerCooldownMinutes: get("triggerCooldownMinutes") as number,
    reportRetentionDays: get("reportRetentionDays") as number,
    alarmEmails,
    protectData: get("protectData") as boolean,
  };
  problems.throwIfAny();
  return cfg;
}

/**
 * An IAM role or user ARN: what a role's trust policy may name as a principal. The account root
 * (`:root`) is refused: it would let every principal of that account that IAM allows assume the
 * role (IAM User Guide, "AWS JSON policy elements: Principal", AWS account principals) — the
 * "approval role trusts the whole account" finding of issue 21.
 */
const PRINCIPAL_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/**
 * Who may approve: at least one named role or user when an execution can wait for approval
 * (manualApproval; automaticFailover, whose triggered executions always wait), each a role or user
 * ARN, each once.
 */
export function validateApprovalPrincipals(
  principals: unknown,
  on: { manualApproval: boolean; automaticFailover: boolean },
): void {
  if (!Array.isArray(principals)) {
    throw new ConfigError("approvalPrincipals", principals, "must be a list of IAM role or user ARNs");
  }
  const list = principals as unknown[];
  if (list.length === 0 && (on.manualApproval || on.automaticFailover)) {
    const why = on.manualApproval
      ? "manualApproval is on: every execution waits in its approve step for one of them"
      : "automaticFailover is on: an execution the trigger starts waits in its approve step for one of them (it moves nothing on its own)";
    throw new ConfigError(
      "approvalPrincipals",
      principals,
      `must name at least one IAM role or user ARN that may approve plan executions: ${why}`,
    );
  }
  const seen = new Set<string>();
  list.forEach((p, i) => {
    if (typeof p !== "string" || !PRINCIPAL_ARN.test(p)) {
      throw new ConfigError(
        `approvalPrincipals[${i}]`,
        p,
        "must be an IAM role or user ARN (arn:aws:iam::<account>:role/<name> or :user/<name>); an account root or a wildcard would let anyone in the account approve",
      );
    }
    if (seen.has(p)) throw new ConfigError(`approvalPrincipals[${i}]`, p, "repeats an earlier principal");
    seen.add(p);
  });
}

/** The trigger's other witnesses: region names, each once, at least one with automaticFailover. */
export function validateWitnessRegions(regions: unknown, automaticFailover: boolean): void {
  if (!Array.isArray(regions)) {
    throw new ConfigError("triggerWitnessRegions", regions, "must be a list of AWS region names");
  }
  if (regions.length === 0 && automaticFailover) {
    throw new ConfigError(
      "triggerWitnessRegions",
      regions,
      "must name at least one region when automaticFailover is on: the standby's probe alone is one vantage point, and a network fault between two regions would look like the home going down",
    );
  }
  const seen = new Set<string>();
  regions.forEach((r: unknown, i) => {
    validateRegion(`triggerWitnessRegions[${i}]`, r as string);
    if (seen.has(r as string)) {
      throw new ConfigError(`triggerWitnessRegions[${i}]`, r, "repeats an earlier region");
    }
    seen.add(r as string);
  });
}

/**
 * The regions whose probes must all see the home failing before the automatic trigger fires: the
 * automatic standby's own, then the witnesses. A witness in the home goes down with it; one in the
 * standby would be the standby's own vantage point twice.
 */
export function triggerWitnesses(cfg: ControlConfig, homeRegion: string, automatic: string): string[] {
  const witnesses = cfg.triggerWitnessRegions ?? [
    WITNESS_REGION_PREFERENCE.find((r) => r !== homeRegion && r !== automatic)!,
  ];
  for (const region of witnesses) {
    if (region === homeRegion) {
      throw new ConfigError(
        "triggerWitnessRegions",
        region,
        `must not include the home region ${homeRegion}: a probe in the home goes down with it`,
      );
    }
    if (region === automatic) {
      throw new ConfigError(
        "triggerWitnessRegions",
        region,
        `must not include the automatic standby ${automatic}: its own probe is already the first witness; name a third region`,
      );
    }
  }
  return [automatic, ...witnesses];
}

/** The organization and project of the regional stacks, from the home stack's name. */
export function regionalProject(homeStack: string): { organization: string; project: string } {
  const [organization, project] = homeStack.split("/");
  return { organization, project };
}

/**
 * A standby region's regional stack: stacks are named after their region (`Pulumi.<region>.yaml`, a
 * convention the offline plan checks), so the home's `standbyRegions` list is the one list a new
 * region is added to.
 */
export function standbyStackName(homeStack: string, region: string): string {
  const { organization, project } = regionalProject(homeStack);
  return `${organization}/${project}/${region}`;
}

/** The automatic trigger's standby: the configured one, which must be a standby, or the first. */
export function automaticTarget(cfg: ControlConfig, standbyRegions: string[]): string | undefined {
  if (!cfg.automaticFailover) return undefined;
  const target = cfg.automaticStandbyRegion ?? standbyRegions[0];
  if (!standbyRegions.includes(target)) {
    throw new ConfigError(
      "automaticStandbyRegion",
      target,
      `must be one of the home stack's standby regions (${standbyRegions.join(", ")})`,
    );
  }
  return target;
}

/** Builds the config from engine values (what the program and the plan's pre-flight both have). */
export function controlConfigFromEngine(engine: {
  project: string;
  stack: string;
  organization: string;
  values: Record<string, string>;
}): ControlConfig {
  const problems = new Problems();
  const values = readEngineValues(engine.project, engine.values, CONTROL_SCHEMA as AnySchema, problems);
  return buildControlConfig({ ...engine, region: engine.values["aws:region"], values }, problems);
}
