/**
 * The shape of a stack's validated configuration (AppConfig) and of its structured keys. Each field is
 * declared once more, with its type, default, allowed values and documentation, in `schema.ts`; the
 * compiler holds the two together (`Fields<T>` there names every field of these interfaces).
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * Steady-state role of a region: `active` carries the traffic, `passive` is the warm standby. It sets
 * the default sizing (ASG sizes at creation, Aurora instances). It does not decide DNS or the network
 * (which region serves is the failover plan's to change), nor the database alarms' posture (they
 * follow the Aurora writer, `database.writerRegion`).
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
/** AWS Backup Vault Lock modes (PutBackupVaultLockConfiguration: compliance when ChangeableForDays is set). */
export const VAULT_LOCK_MODES = ["governance", "compliance"] as const;
export type VaultLockMode = (typeof VAULT_LOCK_MODES)[number];

export const NAT_GATEWAYS: readonly NatGateways[] = ["onePerAz", "single"];

export type MailProvider = "ses" | "external";
export const MAIL_PROVIDERS: readonly MailProvider[] = ["ses", "external"];

/** Amazon Location data providers; Grab serves only Southeast Asia (ap-southeast-1). */
export type MapDataSource = "Esri" | "Here" | "Grab";
export const MAP_DATA_SOURCES: readonly MapDataSource[] = ["Esri", "Here", "Grab"];

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
  /**
   * What the instances boot: an AMI id, or `resolve:ssm:<parameter>` that EC2 resolves at each launch.
   * Unset: Amazon Linux 2023 of the instance type's architecture (`defaultImage`).
   */
  image?: string;
  /**
   * What they run at first boot: `placeholder` (the placeholder service), `none`, or a file relative to
   * the project directory, passed to EC2 as it is (`readUserDataFile`).
   */
  userData: string;
}

export interface DatabaseConfig {
  /** aurora-postgresql engine version; one that Aurora Global Database and write forwarding support. */
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
  /**
   * Home only: the region whose Aurora cluster holds the global database's writer, once the failover
   * plan has moved it elsewhere (docs/operations.md, failback). Unset: the home's own region. A standby
   * reads it from the home's `dbWriterRegion` output.
   */
  writerRegion?: string;
}

export interface MailConfig {
  provider: MailProvider;
  /** Address the backend sends from; must be inside the app domain when the provider is SES. */
  fromAddress: string;
  /** External provider only. */
  smtpHost?: string;
  smtpPort?: number;
  smtpUsername?: string;
  /** The top-level secret key `smtpPassword`, never a field of `mail` (it would be stored in plain text). */
  smtpPassword?: pulumi.Output<string>;
}

export interface MapsConfig {
  /** Amazon Location Service data provider. */
  dataSource: MapDataSource;
  /** Map style for the Location Service map. */
  mapStyle: string;
}

/** Alarm thresholds and who is notified. */
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
  /** AWS Backup Vault Lock on the vault. */
  vaultLock: boolean;
  /** governance (removable by whoever the vault policy lets) or compliance (immutable after the grace days). */
  vaultLockMode: VaultLockMode;
  /** Compliance mode only: days before the lock becomes immutable (at least 3). */
  vaultLockChangeableForDays: number;
  /** IAM principals besides the account root that may lift the backup protections. */
  breakGlassPrincipalArns: string[];
}

/** The keys a stack file sets in this project's namespace, validated and with defaults applied. */
export interface ProjectKeys {
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
  /** Standby only: minutes of failed probes of the home's deep health before its alarm turns red. */
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
  /** AWS deletion protection on the Aurora global cluster and clusters, the DynamoDB table and replicas. */
  dataDeletionProtection: boolean;
  frontend: TierConfig;
  backend: TierConfig;
  database: DatabaseConfig;
  mail: MailConfig;
  maps: MapsConfig;
  alarms: AlarmsConfig;
  backup: BackupConfig;
}

export interface AppConfig extends ProjectKeys {
  /** Pulumi project, stack and organization this program runs in. */
  project: string;
  stack: string;
  organization: string;
  region: string;
  /**
   * The provider's default tags (`aws:defaultTags: {tags: ...}`): the provider puts them on every
   * resource that takes tags; the program copies them onto what Auto Scaling launches.
   */
  defaultTags: Record<string, string>;
}
