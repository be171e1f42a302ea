/**
 * Stack configuration: read once, defaults applied from the role, validated before any resource is
 * registered. Everything below `loadConfig` is a pure function so it can be tested without mocks.
 *
 * Every key is documented in the project config schema in `Pulumi.yaml` and in docs/configuration.md.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";

export * from "./errors";

/**
 * Steady-state role of a region: `active` carries the traffic, `passive` is the warm standby. It sets
 * the default sizing (ASG sizes at creation, Aurora instances) and the database alarms' posture. It
 * does not decide DNS or the network: which region serves is the failover plan's to change.
 */
export type Role = "active" | "passive";
export const ROLES: readonly Role[] = ["active", "passive"];

export type ScalingMetric = "cpu" | "requestCount";
export const SCALING_METRICS: readonly ScalingMetric[] = ["cpu", "requestCount"];

/**
 * NAT gateways of a region's VPC: one per AZ (an AZ failure leaves the others their egress) or a
 * single one (the standby's cost saving). Its own setting, not the role's: a failover must not
 * rebuild the network of the region that is taking the traffic.
 */
export type NatGateways = "onePerAz" | "single";
export const NAT_GATEWAYS: readonly NatGateways[] = ["onePerAz", "single"];

export type MailProvider = "ses" | "external";
export const MAIL_PROVIDERS: readonly MailProvider[] = ["ses", "external"];

/** One Auto Scaling tier (frontend or backend). */
export interface TierConfig {
  instanceType: string;
  minSize: number;
  desiredCapacity: number;
  maxSize: number;
  scalingMetric: ScalingMetric;
  /** Target value: average CPU percent, or ALB requests per target per minute. */
  scalingTarget: number;
  /** Seconds before the ELB health check counts against a new instance. */
  healthCheckGracePeriod: number;
}

export interface DatabaseConfig {
  /** aurora-postgresql engine version; must be one that Aurora Global Database supports. */
  engineVersion: string;
  /** Provisioned class (`db.r6g.large`) or `db.serverless` for Aurora Serverless v2. */
  instanceClass: string;
  /** Instances in this region's cluster (home: writer + readers; standby: readers). */
  instanceCount: number;
  /** Serverless v2 capacity in ACUs; used when `instanceClass` is `db.serverless`. */
  serverlessMinCapacity: number;
  serverlessMaxCapacity: number;
  backupRetentionDays: number;
  databaseName: string;
  masterUsername: string;
}

export interface MailConfig {
  provider: MailProvider;
  /** Address the backend sends from; must be inside the app domain when the provider is SES. */
  fromAddress: string;
  /** External provider only. */
  smtpHost?: string;
  smtpPort?: number;
  smtpUsername?: string;
  smtpPassword?: pulumi.Output<string>;
}

export interface MapsConfig {
  /** Amazon Location Service data provider. */
  dataSource: string;
  /** Map style for the Location Service map. */
  mapStyle: string;
}

/** Alarm thresholds (issue: day-2 operations). */
export interface AlarmsConfig {
  emails: string[];
  alb5xxRatePercent: number;
  p99ResponseTimeSeconds: number;
  unhealthyHosts: number;
  dbCpuPercent: number;
  dbFreeableMemoryMiB: number;
  auroraReplicationLagMs: number;
  dynamoReplicationLatencyMs: number;
  dynamoThrottledRequests: number;
  wafBlockedRequests: number;
  natPortAllocationErrors: number;
}

export interface BackupConfig {
  dailyRetentionDays: number;
  weeklyRetentionDays: number;
  /** Days the cross-region copy is kept. */
  copyRetentionDays: number;
  vaultLock: boolean;
}

export interface AppConfig {
  /** Pulumi project, stack and organization this program runs in. */
  project: string;
  stack: string;
  organization: string;
  region: string;
  role: Role;
  /** The home stack owns the global data resources (Aurora GlobalCluster, DynamoDB table). */
  home: boolean;
  /** Fully qualified name of the home stack; required on every stack that is not the home. */
  primaryStack?: string;
  /** Regions of the standby stacks (home only): secret replicas and backup copies go there. */
  standbyRegions: string[];
  vpcCidr: string;
  subnetCidrMask: number;
  azCount: number;
  /** NAT gateways of the VPC (default: onePerAz on the home stack, single on a standby). */
  natGateways: NatGateways;
  /**
   * Standby only: consecutive minutes of failed probes of the home region's deep health before the
   * standby's home-unhealthy alarm turns red (the failover plan's automatic trigger).
   */
  homeProbeMinutes: number;
  appPort: number;
  domain: string;
  hostedZone: string;
  healthCheckInterval: number;
  healthCheckFailureThreshold: number;
  albDeletionProtection: boolean;
  logRetentionDays: number;
  accessLogExpirationDays: number;
  wafRateLimit: number;
  protectData: boolean;
  frontend: TierConfig;
  backend: TierConfig;
  database: DatabaseConfig;
  mail: MailConfig;
  maps: MapsConfig;
  alarms: AlarmsConfig;
  backup: BackupConfig;
}

// ---------------------------------------------------------------------------------------------
// Defaults: the sizing table of the design, in one place.

export const TIER_DEFAULTS: Record<Role, Omit<TierConfig, "scalingTarget"> & { scalingTarget?: number }> = {
  active: {
    instanceType: "t3.small",
    minSize: 2,
    desiredCapacity: 2,
    maxSize: 6,
    scalingMetric: "cpu",
    healthCheckGracePeriod: 300,
  },
  passive: {
    instanceType: "t3.small",
    minSize: 1,
    desiredCapacity: 1,
    maxSize: 6,
    scalingMetric: "cpu",
    healthCheckGracePeriod: 300,
  },
};

/** Default target per scaling metric: 50 % CPU, or 1000 requests per target per minute. */
export const SCALING_TARGET_DEFAULTS: Record<ScalingMetric, number> = { cpu: 50, requestCount: 1000 };

export const DATABASE_DEFAULTS: Record<Role, DatabaseConfig> = {
  active: {
    engineVersion: "16.6",
    instanceClass: "db.r6g.large",
    instanceCount: 2,
    serverlessMinCapacity: 0.5,
    serverlessMaxCapacity: 16,
    backupRetentionDays: 7,
    databaseName: "app",
    masterUsername: "app_admin",
  },
  passive: {
    engineVersion: "16.6",
    instanceClass: "db.r6g.large",
    instanceCount: 1,
    serverlessMinCapacity: 0.5,
    serverlessMaxCapacity: 16,
    backupRetentionDays: 7,
    databaseName: "app",
    masterUsername: "app_admin",
  },
};

export const DEFAULTS = {
  home: false,
  vpcCidr: "10.0.0.0/16",
  subnetCidrMask: 20,
  azCount: 2,
  natGateways: { home: "onePerAz", standby: "single" } as Record<"home" | "standby", NatGateways>,
  homeProbeMinutes: 3,
  appPort: 8080,
  healthCheckInterval: 10,
  healthCheckFailureThreshold: 3,
  albDeletionProtection: true,
  logRetentionDays: 90,
  accessLogExpirationDays: 90,
  wafRateLimit: 2000,
  protectData: true,
  maps: { dataSource: "Esri", mapStyle: "VectorEsriStreets" } as MapsConfig,
  alarms: {
    emails: [],
    alb5xxRatePercent: 5,
    p99ResponseTimeSeconds: 2,
    unhealthyHosts: 1,
    dbCpuPercent: 80,
    dbFreeableMemoryMiB: 512,
    auroraReplicationLagMs: 1000,
    dynamoReplicationLatencyMs: 1000,
    dynamoThrottledRequests: 10,
    wafBlockedRequests: 1000,
    natPortAllocationErrors: 1,
  } as AlarmsConfig,
  backup: {
    dailyRetentionDays: 35,
    weeklyRetentionDays: 90,
    copyRetentionDays: 35,
    vaultLock: false,
  } as BackupConfig,
};

// ---------------------------------------------------------------------------------------------
// Allowed values.

/** Retention values that CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Route 53 health checks accept only these request intervals (seconds). */
export const HEALTH_CHECK_INTERVALS = [10, 30] as const;

/**
 * Availability zones each region offers to a new account, so `azCount` can be checked offline.
 * Regions not listed are allowed up to the design's maximum of 3.
 */
export const REGION_AZ_COUNT: Record<string, number> = {
  "us-east-1": 6,
  "us-east-2": 3,
  "us-west-1": 2,
  "us-west-2": 4,
  "ca-central-1": 3,
  "eu-west-1": 3,
  "eu-central-1": 3,
  "sa-east-1": 3,
};

/** Aurora Serverless v2 capacity bounds (ACUs). */
export const SERVERLESS_MIN_ACU = 0;
export const SERVERLESS_MAX_ACU = 256;

// ---------------------------------------------------------------------------------------------
// Pure validation functions.

export function validateRole(value: unknown): Role {
  if (typeof value !== "string" || !(ROLES as readonly string[]).includes(value)) {
    throw new ConfigError("role", value, `must be one of ${ROLES.join(", ")}`);
  }
  return value as Role;
}

/** Parses `a.b.c.d/n` into its address and prefix; throws a ConfigError naming `key` when malformed. */
export function parseCidr(key: string, value: string): { address: number; prefix: number } {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : NaN;
  if (!match || octets.some((o) => o > 255) || prefix > 32) {
    throw new ConfigError(key, value, "must be an IPv4 CIDR block such as 10.0.0.0/16");
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 32 - prefix;
  if (address % 2 ** hostBits !== 0) {
    throw new ConfigError(key, value, `host bits must be zero (the network address for /${prefix})`);
  }
  return { address, prefix };
}

/** The VPC CIDR: valid, /16 to /24 (what a VPC accepts is /16–/28; the design needs room for 3 subnet tiers). */
export function validateVpcCidr(value: string): { address: number; prefix: number } {
  const cidr = parseCidr("vpcCidr", value);
  if (cidr.prefix < 16 || cidr.prefix > 24) {
    throw new ConfigError("vpcCidr", value, "prefix must be between /16 and /24");
  }
  return cidr;
}

/** Subnets: three tiers (public, private, isolated) per AZ must fit in the VPC. */
export function validateSubnetMask(vpcCidr: string, mask: number, azCount: number): void {
  const vpcPrefix = validateVpcCidr(vpcCidr).prefix;
  if (!Number.isInteger(mask) || mask < vpcPrefix || mask > 28) {
    throw new ConfigError(
      "subnetCidrMask",
      mask,
      `must be an integer between the VPC prefix /${vpcPrefix} and /28`,
    );
  }
  const needed = 3 * azCount;
  const available = 2 ** (mask - vpcPrefix);
  if (available < needed) {
    throw new ConfigError(
      "subnetCidrMask",
      mask,
      `${needed} subnets (3 tiers × ${azCount} AZs) of /${mask} do not fit in ${vpcCidr} (room for ${available}); use a smaller mask number or a larger VPC`,
    );
  }
}

export function validateAzCount(value: number, region: string): number {
  const offered = REGION_AZ_COUNT[region] ?? 3;
  const max = Math.min(3, offered);
  if (!Number.isInteger(value) || value < 2 || value > max) {
    throw new ConfigError(
      "azCount",
      value,
      `must be an integer from 2 to ${max} (${region} offers ${offered})`,
    );
  }
  return value;
}

export function validatePort(key: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new ConfigError(key, value, "must be an integer port from 1 to 65535");
  }
  return value;
}

export function validatePositiveInteger(key: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(key, value, "must be a positive integer");
  }
  return value;
}

export function validatePositiveNumber(key: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(key, value, "must be a positive number");
  }
  return value;
}

export function validateOneOf<T>(key: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new ConfigError(key, value, `must be one of ${allowed.join(", ")}`);
  }
  return value;
}

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A lower-case DNS name without a trailing dot. */
export function validateDnsName(key: string, value: string): string {
  const labels = typeof value === "string" ? value.split(".") : [];
  if (labels.length < 2 || value.length > 253 || !labels.every((l) => DNS_LABEL.test(l))) {
    throw new ConfigError(
      key,
      value,
      "must be a lower-case DNS name such as app.example.com (no trailing dot)",
    );
  }
  return value;
}

/** The app domain must be the hosted zone's apex or a name inside it. */
export function validateDomainInZone(domain: string, hostedZone: string): void {
  validateDnsName("domain", domain);
  validateDnsName("hostedZone", hostedZone);
  if (domain !== hostedZone && !domain.endsWith(`.${hostedZone}`)) {
    throw new ConfigError("domain", domain, `must be inside the hosted zone "${hostedZone}"`);
  }
}

export function validateTierSizing(key: string, tier: TierConfig): void {
  for (const field of ["minSize", "desiredCapacity", "maxSize"] as const) {
    if (!Number.isInteger(tier[field]) || tier[field] < 0) {
      throw new ConfigError(`${key}.${field}`, tier[field], "must be a non-negative integer");
    }
  }
  if (tier.maxSize < 1) {
    throw new ConfigError(`${key}.maxSize`, tier.maxSize, "must be at least 1");
  }
  if (tier.minSize > tier.desiredCapacity) {
    throw new ConfigError(
      `${key}.minSize`,
      tier.minSize,
      `must not exceed ${key}.desiredCapacity (${tier.desiredCapacity})`,
    );
  }
  if (tier.desiredCapacity > tier.maxSize) {
    throw new ConfigError(
      `${key}.desiredCapacity`,
      tier.desiredCapacity,
      `must not exceed ${key}.maxSize (${tier.maxSize})`,
    );
  }
  validateOneOf(`${key}.scalingMetric`, tier.scalingMetric, SCALING_METRICS);
  validatePositiveNumber(`${key}.scalingTarget`, tier.scalingTarget);
  if (tier.scalingMetric === "cpu" && tier.scalingTarget > 100) {
    throw new ConfigError(
      `${key}.scalingTarget`,
      tier.scalingTarget,
      "a CPU target is a percentage, at most 100",
    );
  }
  validatePositiveInteger(`${key}.healthCheckGracePeriod`, tier.healthCheckGracePeriod);
  if (!/^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$/.test(tier.instanceType)) {
    throw new ConfigError(
      `${key}.instanceType`,
      tier.instanceType,
      "must be an EC2 instance type such as t3.small",
    );
  }
}

export function validateRegion(key: string, value: string): string {
  if (typeof value !== "string" || !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(value)) {
    throw new ConfigError(key, value, "must be an AWS region name such as us-east-1");
  }
  return value;
}

/**
 * Home / standby wiring: the home stack reads nobody; every other stack names the home stack in
 * `primaryStack` (`org/project/stack`), which must not be itself.
 */
export function validateStackWiring(args: {
  role: Role;
  home: boolean;
  primaryStack?: string;
  standbyRegions: string[];
  region: string;
  selfName: string;
}): void {
  const { home, primaryStack, standbyRegions, region, selfName } = args;
  if (home) {
    if (primaryStack !== undefined) {
      throw new ConfigError(
        "primaryStack",
        primaryStack,
        "must be unset on the home stack (home: true), which owns the global data resources",
      );
    }
    if (standbyRegions.length === 0) {
      throw new ConfigError(
        "standbyRegions",
        standbyRegions,
        "the home stack needs at least one standby region (where secrets and backups are replicated)",
      );
    }
    standbyRegions.forEach((r, i) => validateRegion(`standbyRegions[${i}]`, r));
    if (standbyRegions.includes(region)) {
      throw new ConfigError("standbyRegions", standbyRegions, `must not include the home region ${region}`);
    }
    if (new Set(standbyRegions).size !== standbyRegions.length) {
      throw new ConfigError("standbyRegions", standbyRegions, "must not repeat a region");
    }
    return;
  }
  if (primaryStack === undefined || primaryStack === "") {
    throw new ConfigError(
      "primaryStack",
      primaryStack,
      `a ${args.role} stack that is not the home stack must name the home stack as <organization>/<project>/<stack>`,
    );
  }
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(primaryStack)) {
    throw new ConfigError(
      "primaryStack",
      primaryStack,
      "must be a fully qualified stack name <organization>/<project>/<stack>",
    );
  }
  if (primaryStack === selfName) {
    throw new ConfigError("primaryStack", primaryStack, "must name the home stack, not this stack itself");
  }
  if (standbyRegions.length > 0) {
    throw new ConfigError("standbyRegions", standbyRegions, "is set on the home stack only");
  }
}

/**
 * One active region in steady state: a standby may be active only once the home stack is passive.
 * `role` is the sizing a region runs in steady state (and which Aurora alarms it watches); a
 * failover does not change it, the failover plan does (docs/runbook.md).
 */
export function validateSingleActive(role: Role, homeRole: unknown, primaryStack: string): void {
  if (role === "active" && homeRole === "active") {
    throw new ConfigError(
      "role",
      role,
      `the home stack ${primaryStack} is active too: one region carries the traffic in steady state (sizing, ` +
        "the database alarms and the DR report follow role); set role passive on the home stack and pulumi up it first " +
        "(docs/runbook.md, after-care)",
    );
  }
}

/** Home and standby regions differ: a standby in the home region protects against nothing. */
export function validateStandbyRegion(region: string, homeRegion: string): void {
  if (region === homeRegion) {
    throw new ConfigError(
      "aws:region",
      region,
      `a standby stack must be in a region other than the home region ${homeRegion}`,
    );
  }
}

/**
 * Global write forwarding on Aurora PostgreSQL: "In Aurora PostgreSQL version 16 and higher major
 * versions, global write forwarding is supported in all minor versions. For earlier Aurora PostgreSQL
 * versions, global write forwarding is supported with version 15.4 and higher minor versions, and
 * version 14.9 and higher minor versions." (Aurora User Guide, "Using write forwarding in an Aurora
 * PostgreSQL global database"). Lowest minor per major; majors above the last listed support it all.
 */
export const WRITE_FORWARDING_MIN_MINOR: Record<number, number> = { 14: 9, 15: 4, 16: 0 };

export function supportsGlobalWriteForwarding(engineVersion: string): boolean {
  const [major, minor] = engineVersion.split(".").map(Number);
  if (major >= 16) return true;
  const min = WRITE_FORWARDING_MIN_MINOR[major];
  return min !== undefined && minor >= min;
}

export function validateDatabase(db: DatabaseConfig, role: Role): void {
  if (!/^\d+\.\d+$/.test(db.engineVersion)) {
    throw new ConfigError(
      "database.engineVersion",
      db.engineVersion,
      "must be an aurora-postgresql version such as 16.6",
    );
  }
  if (!supportsGlobalWriteForwarding(db.engineVersion)) {
    throw new ConfigError(
      "database.engineVersion",
      db.engineVersion,
      "must be a version with Aurora global write forwarding (14.9 or later 14.x, 15.4 or later 15.x, 16 and later), which the standby needs to write before a failover",
    );
  }
  if (db.instanceClass !== "db.serverless" && !/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(db.instanceClass)) {
    throw new ConfigError(
      "database.instanceClass",
      db.instanceClass,
      "must be a DB instance class such as db.r6g.large, or db.serverless",
    );
  }
  // The active region needs a writer and a reader in another AZ (the reader takes over if the
  // writer's AZ fails); a standby's secondary cluster serves reads from one instance.
  const minInstances = role === "active" ? 2 : 1;
  if (!Number.isInteger(db.instanceCount) || db.instanceCount < minInstances || db.instanceCount > 16) {
    throw new ConfigError(
      "database.instanceCount",
      db.instanceCount,
      `must be an integer from ${minInstances} to 16${minInstances === 2 ? " (writer + reader in different AZs)" : ""}`,
    );
  }
  if (db.instanceClass === "db.serverless") {
    const { serverlessMinCapacity: min, serverlessMaxCapacity: max } = db;
    if (!(min >= SERVERLESS_MIN_ACU && min <= SERVERLESS_MAX_ACU) || (min * 2) % 1 !== 0) {
      throw new ConfigError(
        "database.serverlessMinCapacity",
        min,
        `must be ${SERVERLESS_MIN_ACU}–${SERVERLESS_MAX_ACU} ACUs in steps of 0.5`,
      );
    }
    if (!(max >= 1 && max <= SERVERLESS_MAX_ACU && max >= min) || (max * 2) % 1 !== 0) {
      throw new ConfigError(
        "database.serverlessMaxCapacity",
        max,
        `must be 1–${SERVERLESS_MAX_ACU} ACUs in steps of 0.5, and at least serverlessMinCapacity (${min})`,
      );
    }
  }
  const minRetention = role === "active" ? 7 : 1;
  if (
    !Number.isInteger(db.backupRetentionDays) ||
    db.backupRetentionDays < minRetention ||
    db.backupRetentionDays > 35
  ) {
    throw new ConfigError(
      "database.backupRetentionDays",
      db.backupRetentionDays,
      `must be an integer from ${minRetention} to 35 days`,
    );
  }
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(db.databaseName)) {
    throw new ConfigError(
      "database.databaseName",
      db.databaseName,
      "must start with a letter and hold only a-z, 0-9 and _ (max 63)",
    );
  }
  if (
    !/^[a-z][a-z0-9_]{0,15}$/.test(db.masterUsername) ||
    ["admin", "postgres", "rdsadmin"].includes(db.masterUsername)
  ) {
    throw new ConfigError(
      "database.masterUsername",
      db.masterUsername,
      "must start with a letter, hold only a-z, 0-9 and _ (max 16), and not be a reserved name (admin, postgres, rdsadmin)",
    );
  }
}

export function validateMail(mail: MailConfig, domain: string): void {
  validateOneOf("mail.provider", mail.provider, MAIL_PROVIDERS);
  const at = mail.fromAddress.lastIndexOf("@");
  if (at < 1) {
    throw new ConfigError("mail.fromAddress", mail.fromAddress, "must be an e-mail address");
  }
  if (mail.provider === "ses" && mail.fromAddress.slice(at + 1) !== domain) {
    throw new ConfigError(
      "mail.fromAddress",
      mail.fromAddress,
      `must be an address at the SES identity's domain "${domain}"`,
    );
  }
  if (mail.provider === "external") {
    if (!mail.smtpHost)
      throw new ConfigError("mail.smtpHost", mail.smtpHost, "is required when mail.provider is external");
    validateDnsName("mail.smtpHost", mail.smtpHost);
    validatePort("mail.smtpPort", mail.smtpPort ?? NaN);
    if (!mail.smtpUsername) {
      throw new ConfigError(
        "mail.smtpUsername",
        mail.smtpUsername,
        "is required when mail.provider is external",
      );
    }
    if (!mail.smtpPassword) {
      throw new ConfigError(
        "smtpPassword",
        undefined,
        "is required when mail.provider is external; set it with `pulumi config set --secret smtpPassword <password>`",
      );
    }
  }
}

/** Amazon Location data providers; Grab serves only Southeast Asia (ap-southeast-1). */
export const MAP_DATA_SOURCES = ["Esri", "Here", "Grab"] as const;
const GRAB_REGIONS = ["ap-southeast-1"];
/** Amazon Location map styles, by the data provider that serves them. */
export const MAP_STYLES: Record<(typeof MAP_DATA_SOURCES)[number], readonly string[]> = {
  Esri: [
    "VectorEsriStreets",
    "VectorEsriNavigation",
    "VectorEsriTopographic",
    "VectorEsriDarkGrayCanvas",
    "VectorEsriLightGrayCanvas",
    "RasterEsriImagery",
  ],
  Here: [
    "VectorHereExplore",
    "VectorHereExploreTruck",
    "VectorHereContrast",
    "RasterHereExploreSatellite",
    "HybridHereExploreSatellite",
  ],
  Grab: ["VectorGrabStandardLight", "VectorGrabStandardDark"],
};

export function validateMaps(maps: MapsConfig, region: string): void {
  validateOneOf("maps.dataSource", maps.dataSource, MAP_DATA_SOURCES as readonly string[]);
  const allStyles = Object.entries(MAP_STYLES).filter(
    ([source]) => source !== "Grab" || GRAB_REGIONS.includes(region),
  );
  if (maps.dataSource === "Grab" && !GRAB_REGIONS.includes(region)) {
    throw new ConfigError(
      "maps.dataSource",
      maps.dataSource,
      `Grab is offered only in ${GRAB_REGIONS.join(", ")}; use Esri or Here in ${region}`,
    );
  }
  const styles = allStyles.flatMap(([, list]) => list);
  if (!styles.includes(maps.mapStyle)) {
    throw new ConfigError("maps.mapStyle", maps.mapStyle, `must be one of ${styles.join(", ")} in ${region}`);
  }
}

/** Alarm thresholds that count events or hosts: whole numbers, at least 1. */
export const COUNT_THRESHOLDS = [
  "unhealthyHosts",
  "dynamoThrottledRequests",
  "wafBlockedRequests",
  "natPortAllocationErrors",
] as const;

export function validateAlarms(alarms: AlarmsConfig): void {
  for (const [key, value] of Object.entries(alarms)) {
    if (key === "emails") continue;
    if ((COUNT_THRESHOLDS as readonly string[]).includes(key)) {
      validatePositiveInteger(`alarms.${key}`, value as number);
    } else {
      validatePositiveNumber(`alarms.${key}`, value as number);
    }
  }
  if (alarms.alb5xxRatePercent > 100) {
    throw new ConfigError(
      "alarms.alb5xxRatePercent",
      alarms.alb5xxRatePercent,
      "is a percentage, at most 100",
    );
  }
  if (alarms.dbCpuPercent > 100) {
    throw new ConfigError("alarms.dbCpuPercent", alarms.dbCpuPercent, "is a percentage, at most 100");
  }
  validateEmailList("alarms.emails", alarms.emails);
}

/** A non-empty list of distinct e-mail addresses: whoever the alarms notify. */
export function validateEmailList(key: string, emails: unknown): void {
  if (!Array.isArray(emails) || emails.length === 0) {
    throw new ConfigError(
      key,
      emails,
      "must list at least one e-mail address: without a subscriber every alarm notifies nobody",
    );
  }
  const seen = new Set<string>();
  emails.forEach((e: unknown, i) => {
    if (typeof e !== "string" || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)) {
      throw new ConfigError(`${key}[${i}]`, e, "must be an e-mail address");
    }
    if (seen.has(e.toLowerCase())) {
      throw new ConfigError(`${key}[${i}]`, e, "repeats an earlier address (addresses are case-insensitive)");
    }
    seen.add(e.toLowerCase());
  });
}

export function validateBackup(backup: BackupConfig): void {
  validatePositiveInteger("backup.dailyRetentionDays", backup.dailyRetentionDays);
  validatePositiveInteger("backup.weeklyRetentionDays", backup.weeklyRetentionDays);
  validatePositiveInteger("backup.copyRetentionDays", backup.copyRetentionDays);
  // The copy in the standby region is what survives the loss of the home region; a source
  // retention shorter than the copy's would leave the home vault with fewer restore points than DR.
  if (backup.dailyRetentionDays < backup.copyRetentionDays) {
    throw new ConfigError(
      "backup.dailyRetentionDays",
      backup.dailyRetentionDays,
      `must be at least backup.copyRetentionDays (${backup.copyRetentionDays}): local restore points must not expire before their cross-region copies`,
    );
  }
  if (backup.weeklyRetentionDays < backup.copyRetentionDays) {
    throw new ConfigError(
      "backup.weeklyRetentionDays",
      backup.weeklyRetentionDays,
      `must be at least backup.copyRetentionDays (${backup.copyRetentionDays}): local restore points must not expire before their cross-region copies`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Assembly: raw values in, validated AppConfig out.

/** Raw config as read from the stack file; every field optional except what has no default. */
export interface RawConfig {
  project: string;
  stack: string;
  organization: string;
  region?: string;
  role?: unknown;
  home?: boolean;
  primaryStack?: string;
  standbyRegions?: string[];
  vpcCidr?: string;
  subnetCidrMask?: number;
  azCount?: number;
  natGateways?: string;
  homeProbeMinutes?: number;
  appPort?: number;
  domain?: string;
  hostedZone?: string;
  healthCheckInterval?: number;
  healthCheckFailureThreshold?: number;
  albDeletionProtection?: boolean;
  logRetentionDays?: number;
  accessLogExpirationDays?: number;
  wafRateLimit?: number;
  protectData?: boolean;
  frontend?: Partial<TierConfig>;
  backend?: Partial<TierConfig>;
  database?: Partial<DatabaseConfig>;
  mail?: Partial<Omit<MailConfig, "smtpPassword">>;
  /** Secret; the external mail provider's SMTP password. */
  smtpPassword?: pulumi.Output<string>;
  maps?: Partial<MapsConfig>;
  alarms?: Partial<AlarmsConfig>;
  backup?: Partial<BackupConfig>;
}

/** JSON type names as YAML delivers them, for type errors that name what is expected. */
type FieldType = "string" | "number" | "boolean" | "array";
const typeOf = (value: unknown): string => (Array.isArray(value) ? "array" : typeof value);

/**
 * The fields of a structured key must have the type of their default (or of `types`): YAML turns
 * `engineVersion: 16.6` into a number and `vaultLock: "false"` into a truthy string, which would
 * otherwise slip past the value checks.
 */
export function validateFieldTypes(
  key: string,
  value: object | undefined,
  types: Record<string, FieldType>,
): void {
  for (const [field, fieldValue] of Object.entries(value ?? {})) {
    const expected = types[field];
    if (expected === undefined || fieldValue === undefined || typeOf(fieldValue) === expected) continue;
    const hint =
      expected === "string" && typeof fieldValue === "number" ? ` (quote it in YAML: "${fieldValue}")` : "";
    const article = expected === "array" ? "an" : "a";
    throw new ConfigError(`${key}.${field}`, fieldValue, `must be ${article} ${expected}${hint}`);
  }
}

/** The field types of a defaults object. */
function typesOf(defaults: object): Record<string, FieldType> {
  return Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, typeOf(v) as FieldType]));
}

const MAIL_FIELD_TYPES: Record<string, FieldType> = {
  provider: "string",
  fromAddress: "string",
  smtpHost: "string",
  smtpPort: "number",
  smtpUsername: "string",
};

function tierConfig(key: string, role: Role, raw: Partial<TierConfig> | undefined): TierConfig {
  validateFieldTypes(key, raw, { ...typesOf(TIER_DEFAULTS[role]), scalingTarget: "number" });
  const merged = { ...TIER_DEFAULTS[role], ...raw };
  const tier: TierConfig = {
    ...merged,
    scalingTarget: merged.scalingTarget ?? SCALING_TARGET_DEFAULTS[merged.scalingMetric] ?? NaN,
  };
  validateTierSizing(key, tier);
  return tier;
}

function requireString(key: string, value: string | undefined): string {
  if (value === undefined || value === "") {
    throw new ConfigError(key, value, "is required");
  }
  return value;
}

/** Applies defaults and validates; throws ConfigError on the first invalid value. */
export function buildConfig(raw: RawConfig): AppConfig {
  const role = validateRole(raw.role);
  const region = validateRegion("aws:region", requireString("aws:region", raw.region));
  const home = raw.home ?? DEFAULTS.home;
  const standbyRegions = raw.standbyRegions ?? [];
  validateStackWiring({
    role,
    home,
    primaryStack: raw.primaryStack,
    standbyRegions,
    region,
    selfName: `${raw.organization}/${raw.project}/${raw.stack}`,
  });

  const vpcCidr = raw.vpcCidr ?? DEFAULTS.vpcCidr;
  validateVpcCidr(vpcCidr);
  const azCount = validateAzCount(raw.azCount ?? DEFAULTS.azCount, region);
  const subnetCidrMask = raw.subnetCidrMask ?? DEFAULTS.subnetCidrMask;
  validateSubnetMask(vpcCidr, subnetCidrMask, azCount);

  const natGateways = validateOneOf(
    "natGateways",
    raw.natGateways ?? DEFAULTS.natGateways[home ? "home" : "standby"],
    NAT_GATEWAYS as readonly string[],
  ) as NatGateways;
  if (home && raw.homeProbeMinutes !== undefined) {
    // Pulumi.yaml gives this key no default (STANDBY_ONLY_KEYS), so set means set by the user.
    throw new ConfigError(
      "homeProbeMinutes",
      raw.homeProbeMinutes,
      "is set on standby stacks only (a standby probes the home; the home probes nobody)",
    );
  }
  const homeProbeMinutes = raw.homeProbeMinutes ?? DEFAULTS.homeProbeMinutes;
  if (!Number.isInteger(homeProbeMinutes) || homeProbeMinutes < 1 || homeProbeMinutes > 10) {
    throw new ConfigError("homeProbeMinutes", homeProbeMinutes, "must be an integer from 1 to 10 minutes");
  }

  const appPort = validatePort("appPort", raw.appPort ?? DEFAULTS.appPort);
  if (appPort === 80 || appPort === 443) {
    throw new ConfigError("appPort", appPort, "must not be 80 or 443, which the public ALB listens on");
  }

  const domain = requireString("domain", raw.domain);
  const hostedZone = requireString("hostedZone", raw.hostedZone);
  validateDomainInZone(domain, hostedZone);

  const healthCheckInterval = validateOneOf(
    "healthCheckInterval",
    raw.healthCheckInterval ?? DEFAULTS.healthCheckInterval,
    HEALTH_CHECK_INTERVALS as readonly number[],
  );
  const healthCheckFailureThreshold = raw.healthCheckFailureThreshold ?? DEFAULTS.healthCheckFailureThreshold;
  if (
    !Number.isInteger(healthCheckFailureThreshold) ||
    healthCheckFailureThreshold < 1 ||
    healthCheckFailureThreshold > 10
  ) {
    throw new ConfigError(
      "healthCheckFailureThreshold",
      healthCheckFailureThreshold,
      "must be an integer from 1 to 10",
    );
  }

  const logRetentionDays = validateOneOf(
    "logRetentionDays",
    raw.logRetentionDays ?? DEFAULTS.logRetentionDays,
    LOG_RETENTION_DAYS as readonly number[],
  );
  const accessLogExpirationDays = validatePositiveInteger(
    "accessLogExpirationDays",
    raw.accessLogExpirationDays ?? DEFAULTS.accessLogExpirationDays,
  );
  const wafRateLimit = raw.wafRateLimit ?? DEFAULTS.wafRateLimit;
  // AWS accepts 10, but the provider still validates 100 and up (pulumi/pulumi-aws#5841).
  if (!Number.isInteger(wafRateLimit) || wafRateLimit < 100 || wafRateLimit > 2_000_000_000) {
    throw new ConfigError(
      "wafRateLimit",
      wafRateLimit,
      "must be an integer from 100 to 2000000000 requests per 5 minutes",
    );
  }

  const frontend = tierConfig("frontend", role, raw.frontend);
  const backend = tierConfig("backend", role, raw.backend);

  validateFieldTypes("database", raw.database, typesOf(DATABASE_DEFAULTS[role]));
  const database: DatabaseConfig = { ...DATABASE_DEFAULTS[role], ...raw.database };
  validateDatabase(database, role);

  validateFieldTypes("mail", raw.mail, MAIL_FIELD_TYPES);
  const mail: MailConfig = {
    provider: "ses",
    fromAddress: `no-reply@${domain}`,
    ...raw.mail,
    smtpPassword: raw.smtpPassword,
  };
  validateMail(mail, domain);

  validateFieldTypes("maps", raw.maps, typesOf(DEFAULTS.maps));
  const maps: MapsConfig = { ...DEFAULTS.maps, ...raw.maps };
  validateMaps(maps, region);

  validateFieldTypes("alarms", raw.alarms, typesOf(DEFAULTS.alarms));
  const alarms: AlarmsConfig = { ...DEFAULTS.alarms, ...raw.alarms };
  validateAlarms(alarms);
  validateFieldTypes("backup", raw.backup, typesOf(DEFAULTS.backup));
  const backup: BackupConfig = { ...DEFAULTS.backup, ...raw.backup };
  validateBackup(backup);

  return {
    project: raw.project,
    stack: raw.stack,
    organization: raw.organization,
    region,
    role,
    home,
    primaryStack: raw.primaryStack,
    standbyRegions,
    vpcCidr,
    subnetCidrMask,
    azCount,
    natGateways,
    homeProbeMinutes,
    appPort,
    domain,
    hostedZone,
    healthCheckInterval,
    healthCheckFailureThreshold,
    albDeletionProtection: raw.albDeletionProtection ?? DEFAULTS.albDeletionProtection,
    logRetentionDays,
    accessLogExpirationDays,
    wafRateLimit,
    protectData: raw.protectData ?? DEFAULTS.protectData,
    frontend,
    backend,
    database,
    mail,
    maps,
    alarms,
    backup,
  };
}

/**
 * Keys only a standby may set. Their defaults live here and not in Pulumi.yaml, where the CLI would
 * fill them in on the home stack too, which could then not tell a user's setting from the default.
 */
export const STANDBY_ONLY_KEYS = ["homeProbeMinutes"] as const;

/** Keys a stack file may set in this project's namespace (the project config schema in Pulumi.yaml). */
export const TOP_LEVEL_KEYS = [
  "role",
  "home",
  "primaryStack",
  "standbyRegions",
  "vpcCidr",
  "subnetCidrMask",
  "azCount",
  "natGateways",
  "homeProbeMinutes",
  "appPort",
  "domain",
  "hostedZone",
  "healthCheckInterval",
  "healthCheckFailureThreshold",
  "albDeletionProtection",
  "logRetentionDays",
  "accessLogExpirationDays",
  "wafRateLimit",
  "protectData",
  "frontend",
  "backend",
  "database",
  "mail",
  "smtpPassword",
  "maps",
  "alarms",
  "backup",
] as const;

const OBJECT_KEYS: Record<string, readonly string[]> = {
  frontend: [...Object.keys(TIER_DEFAULTS.active), "scalingTarget"],
  backend: [...Object.keys(TIER_DEFAULTS.active), "scalingTarget"],
  database: Object.keys(DATABASE_DEFAULTS.active),
  mail: ["provider", "fromAddress", "smtpHost", "smtpPort", "smtpUsername"],
  maps: Object.keys(DEFAULTS.maps),
  alarms: Object.keys(DEFAULTS.alarms),
  backup: Object.keys(DEFAULTS.backup),
};

/**
 * A misspelt key would otherwise be ignored and its default used silently: reject keys that the
 * schema does not know, at the top level and inside the structured keys.
 */
export function validateKnownKeys(values: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(values)) {
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(
        key,
        value,
        `is not a key of this project; known keys: ${TOP_LEVEL_KEYS.join(", ")}`,
      );
    }
    const allowed = OBJECT_KEYS[key];
    if (allowed === undefined || value === undefined) continue;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new ConfigError(key, value, `must be an object with keys ${allowed.join(", ")}`);
    }
    for (const [field, fieldValue] of Object.entries(value)) {
      if (!allowed.includes(field)) {
        throw new ConfigError(
          `${key}.${field}`,
          fieldValue,
          `is not a key of ${key}; known keys: ${allowed.join(", ")}`,
        );
      }
    }
  }
}

/** This project's keys from the engine's config, parsed where they hold YAML/JSON structures. */
function projectConfigValues(project: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
    const prefix = `${project}:`;
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    let value: unknown = text;
    if (OBJECT_KEYS[key] !== undefined) {
      try {
        value = JSON.parse(text);
      } catch {
        throw new ConfigError(key, text, "must be an object (YAML mapping) of the documented shape");
      }
    }
    values[key] = value;
  }
  return values;
}

function readTyped<T>(
  key: string,
  read: () => T | undefined,
  raw: () => string | undefined,
  allowed: string,
): T | undefined {
  try {
    return read();
  } catch {
    throw new ConfigError(key, raw(), allowed);
  }
}

/** Reads this stack's config once. Call it at the start of the program. */
export function loadConfig(): AppConfig {
  const project = pulumi.getProject();
  validateKnownKeys(projectConfigValues(project));
  const config = new pulumi.Config();
  const awsConfig = new pulumi.Config("aws");
  const num = (key: string) =>
    readTyped(
      key,
      () => config.getNumber(key),
      () => config.get(key),
      "must be a number",
    );
  const bool = (key: string) =>
    readTyped(
      key,
      () => config.getBoolean(key),
      () => config.get(key),
      "must be true or false",
    );
  const obj = <T>(key: string) =>
    readTyped(
      key,
      () => config.getObject<T>(key),
      () => config.get(key),
      "must be YAML/JSON of the documented shape",
    );
  const standbyRegions = obj<unknown>("standbyRegions");
  if (
    standbyRegions !== undefined &&
    (!Array.isArray(standbyRegions) || !standbyRegions.every((r) => typeof r === "string"))
  ) {
    throw new ConfigError("standbyRegions", standbyRegions, "must be a list of region names");
  }
  // Read raw (not through Config.get, which warns on secrets) only to tell set from unset.
  const smtpPassword = pulumi.runtime.getConfig(`${project}:smtpPassword`);
  return buildConfig({
    project,
    stack: pulumi.getStack(),
    organization: pulumi.getOrganization(),
    region: awsConfig.get("region"),
    role: config.get("role"),
    home: bool("home"),
    // The schema's default is "", which means unset.
    primaryStack: config.get("primaryStack") || undefined,
    standbyRegions,
    vpcCidr: config.get("vpcCidr"),
    subnetCidrMask: num("subnetCidrMask"),
    azCount: num("azCount"),
    natGateways: config.get("natGateways"),
    homeProbeMinutes: num("homeProbeMinutes"),
    appPort: num("appPort"),
    domain: config.get("domain"),
    hostedZone: config.get("hostedZone"),
    healthCheckInterval: num("healthCheckInterval"),
    healthCheckFailureThreshold: num("healthCheckFailureThreshold"),
    albDeletionProtection: bool("albDeletionProtection"),
    logRetentionDays: num("logRetentionDays"),
    accessLogExpirationDays: num("accessLogExpirationDays"),
    wafRateLimit: num("wafRateLimit"),
    protectData: bool("protectData"),
    frontend: obj("frontend"),
    backend: obj("backend"),
    database: obj("database"),
    mail: obj("mail"),
    // A top-level secret, so it is never stored in plain text in the stack file.
    smtpPassword: smtpPassword ? pulumi.secret(smtpPassword) : undefined,
    maps: obj("maps"),
    alarms: obj("alarms"),
    backup: obj("backup"),
  });
}
