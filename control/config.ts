/**
 * Configuration of the failover control stack: read once, validated before any resource is
 * registered, with the same `Invalid config "<key>" = <value>: <allowed>` errors as the regional
 * stacks (config.ts). Everything below `loadControlConfig` is pure and tested without mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, validateEmailList, validateRegion } from "../config";

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

export const CONTROL_DEFAULTS = {
  automaticFailover: true,
  manualApproval: false,
  recoveryTimeObjectiveMinutes: 15,
  triggerCooldownMinutes: 60,
  reportRetentionDays: 365,
  protectData: true,
};

/** Keys a control stack file may set in this project's namespace. */
export const CONTROL_KEYS = [
  "homeStack",
  "automaticFailover",
  "automaticStandbyRegion",
  "manualApproval",
  "recoveryTimeObjectiveMinutes",
  "triggerCooldownMinutes",
  "reportRetentionDays",
  "alarmEmails",
  "protectData",
] as const;

export interface RawControlConfig {
  project: string;
  stack: string;
  organization: string;
  region?: string;
  values: Record<string, unknown>;
}

const FULL_STACK_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

function integer(key: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(key, value, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function boolean(key: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new ConfigError(key, value, "must be true or false");
  return value;
}

/** Applies the defaults and validates; throws ConfigError on the first invalid value. */
export function buildControlConfig(raw: RawControlConfig): ControlConfig {
  for (const [key, value] of Object.entries(raw.values)) {
    if (!(CONTROL_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(
        key,
        value,
        `is not a key of this project; known keys: ${CONTROL_KEYS.join(", ")}`,
      );
    }
  }
  if (raw.region !== CONTROL_REGION) {
    throw new ConfigError(
      "aws:region",
      raw.region,
      `must be ${CONTROL_REGION}: ARC Region switch plans are created and updated there, and Route 53 publishes its health-check metrics only there`,
    );
  }
  const v = raw.values;
  const homeStack = v.homeStack;
  if (typeof homeStack !== "string" || !FULL_STACK_NAME.test(homeStack)) {
    throw new ConfigError(
      "homeStack",
      homeStack,
      "is required: the home regional stack as <organization>/<project>/<stack>",
    );
  }
  const automaticStandbyRegion =
    v.automaticStandbyRegion === undefined || v.automaticStandbyRegion === ""
      ? undefined
      : validateRegion("automaticStandbyRegion", v.automaticStandbyRegion as string);
  validateEmailList("alarmEmails", v.alarmEmails);
  return {
    project: raw.project,
    stack: raw.stack,
    organization: raw.organization,
    homeStack,
    automaticFailover: boolean(
      "automaticFailover",
      v.automaticFailover ?? CONTROL_DEFAULTS.automaticFailover,
    ),
    automaticStandbyRegion,
    manualApproval: boolean("manualApproval", v.manualApproval ?? CONTROL_DEFAULTS.manualApproval),
    recoveryTimeObjectiveMinutes: integer(
      "recoveryTimeObjectiveMinutes",
      v.recoveryTimeObjectiveMinutes ?? CONTROL_DEFAULTS.recoveryTimeObjectiveMinutes,
      1,
      10080,
    ),
    triggerCooldownMinutes: integer(
      "triggerCooldownMinutes",
      v.triggerCooldownMinutes ?? CONTROL_DEFAULTS.triggerCooldownMinutes,
      1,
      10080,
    ),
    reportRetentionDays: integer(
      "reportRetentionDays",
      v.reportRetentionDays ?? CONTROL_DEFAULTS.reportRetentionDays,
      1,
      3650,
    ),
    alarmEmails: v.alarmEmails as string[],
    protectData: boolean("protectData", v.protectData ?? CONTROL_DEFAULTS.protectData),
  };
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

/** Parses a value the engine hands over as a string into what the YAML said. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reads this stack's config once. Call it at the start of the control program. */
export function loadControlConfig(): ControlConfig {
  const project = pulumi.getProject();
  const values: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
    if (fullKey.startsWith(`${project}:`)) values[fullKey.slice(project.length + 1)] = parsed(text);
  }
  // Strings stay strings even when they look like JSON (a stack name never does).
  if (typeof values.homeStack !== "undefined")
    values.homeStack = pulumi.runtime.getConfig(`${project}:homeStack`);
  if (typeof values.automaticStandbyRegion !== "undefined") {
    values.automaticStandbyRegion = pulumi.runtime.getConfig(`${project}:automaticStandbyRegion`);
  }
  return buildControlConfig({
    project,
    stack: pulumi.getStack(),
    organization: pulumi.getOrganization(),
    region: new pulumi.Config("aws").get("region"),
    values,
  });
}
