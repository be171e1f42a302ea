/**
 * Every config key of the project, declared once: type, default (one value, one per role, one per
 * home/standby, or worked out from other settings), allowed values, scope and documentation. The
 * config reader (`build.ts`) applies and checks it; `generate.ts` writes `Pulumi.yaml`'s `config:`
 * schema and docs/configuration.md from it (a test fails when they are stale).
 *
 * A table of our own rather than a schema library (zod and the like): a default here depends on the
 * stack's role or on whether it is the home, and the same table must produce Pulumi's project schema
 * (types string, integer, boolean, array) and the reference docs. A library would validate the shape
 * and leave those three to code we would write anyway; `Fields<T>` below makes the compiler hold this
 * table and the `AppConfig` interfaces (types.ts) together.
 */
import {
  MAIL_PROVIDERS,
  MAP_DATA_SOURCES,
  NAT_GATEWAYS,
  ProjectKeys,
  MailConfig,
  Role,
  ROLES,
  SCALING_METRICS,
  VAULT_LOCK_MODES,
} from "./types";

/** Retention values that CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays`). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Route 53 health checks accept only these request intervals, in seconds (CreateHealthCheck `RequestInterval`). */
export const HEALTH_CHECK_INTERVALS = [10, 30] as const;

/** Aurora Serverless v2 capacity: 0 to 256 ACUs in steps of 0.5 (Aurora User Guide, "Aurora Serverless v2 capacity"). */
export const SERVERLESS_ACU = { min: 0, max: 256, step: 0.5 } as const;

/**
 * EC2's limit on user data: "User data is limited to 16 KB, in raw form, before it is base64-encoded"
 * (EC2 User Guide, "Work with instance user data"); above it EC2 refuses the launch with
 * `InvalidUserData.Malformed: User data is limited to 16384 bytes`.
 */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;

/** What the default of a key depends on. */
export type Default<V> =
  | { value: V }
  | { byRole: Record<Role, V> }
  | { byHome: { home: V; standby: V } }
  /** Worked out from other settings, as the words say (the reader applies it). */
  | { computed: string };

export type ScalarType = "string" | "integer" | "number" | "boolean" | "stringList";

interface Common<V> {
  /** One or two sentences for docs/configuration.md and Pulumi.yaml. */
  doc: string;
  default?: Default<V>;
  /** No default: every stack (or every stack of `scope`) must set it. */
  required?: boolean;
  /** Stored encrypted (`pulumi config set --secret`). */
  secret?: boolean;
  /** Only this kind of stack may set it. */
  scope?: "home" | "standby";
}

export interface ScalarSpec<V> extends Common<V> {
  type: ScalarType;
  /** The allowed values; a misspelt one gets a suggestion. */
  oneOf?: readonly V[];
  /** Inclusive bounds of a number (`min` may depend on the role). */
  min?: number | Record<Role, number>;
  max?: number;
  /** A number must be more than 0. */
  positive?: boolean;
  /** A number must be a multiple of this. */
  step?: number;
  /** What is allowed, in words, when a rule in rules.ts checks more than oneOf / min / max. */
  allowed?: string;
}

export interface ObjectSpec<T> {
  type: "object";
  doc: string;
  fields: Fields<T>;
}

/** The spec of a value of type V: a scalar's for string, number, boolean and string[]; an object's otherwise. */
export type Spec<V> = [V] extends [string | number | boolean | string[]] ? ScalarSpec<V> : ObjectSpec<V>;

/** One spec per field of T, and no other: the compiler keeps this table and types.ts in step. */
export type Fields<T> = { [K in keyof T]-?: Spec<NonNullable<T[K]>> };

/** The keys of the project's namespace as a stack file sets them: `mail`'s password is a top-level secret. */
export type StackKeys = Omit<ProjectKeys, "mail"> & {
  mail: Omit<MailConfig, "smtpPassword">;
  smtpPassword: string;
};

const byRole = <V>(active: V, passive: V): Default<V> => ({ byRole: { active, passive } });
const value = <V>(v: V): Default<V> => ({ value: v });

const tierFields = (tier: string): Fields<ProjectKeys["frontend"]> => ({
  instanceType: {
    type: "string",
    // Graviton (arm64; amiFor picks the arm64 image): t4g.small is USD 0.0168 an hour against
    // t3.small's 0.0208 in us-east-1 for the same 2 vCPUs and 2 GiB (tools/prices.json, its sources).
    doc: `EC2 instance type of the ${tier} instances (Graviton by default; any x86 type works too).`,
    default: value("t4g.small"),
    allowed: "an EC2 instance type (the provider's aws.ec2.InstanceType list)",
  },
  minSize: {
    type: "integer",
    doc: "Least instances of the Auto Scaling group.",
    default: byRole(2, 1),
    min: 0,
  },
  desiredCapacity: {
    type: "integer",
    doc: "Instances at creation (then the scaling policy's). Unset: the role's default held within minSize and maxSize.",
    default: byRole(2, 1),
    min: 0,
    allowed: "minSize ≤ desiredCapacity ≤ maxSize",
  },
  maxSize: {
    type: "integer",
    doc: "Most instances; on a standby, room for the home's whole load after a failover.",
    default: byRole(6, 6),
    min: 1,
  },
  scalingMetric: {
    type: "string",
    doc: "What the target-tracking policy follows: average CPU, or ALB requests per target.",
    default: value("cpu"),
    oneOf: SCALING_METRICS,
  },
  scalingTarget: {
    type: "number",
    doc: "Target of the scaling policy: CPU percent (at most 100), or requests per target per minute.",
    default: { computed: "50 (% CPU), or 1000 requests per target per minute for requestCount" },
    positive: true,
  },
  healthCheckGracePeriod: {
    type: "integer",
    doc: "Seconds before the load balancer's health check counts against a new instance.",
    default: value(300),
    min: 1,
  },
  image: {
    type: "string",
    doc: `AMI of the ${tier} instances: an AMI id of this stack's region, or resolve:ssm:<parameter> (EC2 resolves it at every launch; one name can serve every region). A change rolls the instances (docs/application.md).`,
    default: {
      computed:
        "Amazon Linux 2023 of instanceType's architecture: resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 (or -x86_64)",
    },
    allowed:
      "an AMI id (ami- and 8 or 17 hex digits) or resolve:ssm:<parameter name or ARN>[:<version or label>], of instanceType's architecture",
  },
  userData: {
    type: "string",
    doc: `What the ${tier} instances run at first boot: placeholder (the placeholder service), none (the image starts the application itself), or a file relative to the project directory, given to EC2 as it is. A change rolls the instances (docs/application.md).`,
    default: value("placeholder"),
    allowed: `placeholder, none, or a file relative to the project directory of 1 to ${USER_DATA_LIMIT_BYTES} bytes`,
  },
});

export const SCHEMA: Fields<StackKeys> = {
  role: {
    type: "string",
    doc: "Steady-state role of this region: active (carries the traffic; active sizing) or passive (warm standby; passive sizing). It sets the default sizing, not DNS or the network (the failover plan moves traffic) nor the database alarms (they follow the Aurora writer, database.writerRegion).",
    required: true,
    oneOf: ROLES,
  },
  home: {
    type: "boolean",
    doc: "True on the one stack that owns the global data resources (Aurora GlobalCluster, DynamoDB table). Stays true on that stack after a failover.",
    default: value(false),
  },
  primaryStack: {
    type: "string",
    doc: "Fully qualified name (<organization>/<project>/<stack>) of the home stack. Required on every stack that is not the home; empty on the home stack.",
    default: value(""),
    allowed: "<organization>/<project>/<stack> of the home stack",
  },
  standbyRegions: {
    type: "stringList",
    doc: "Home stack only. Regions of the standby stacks; the DB secret is replicated and backups are copied there.",
    default: value([]),
    allowed: "AWS region names other than the home's, each once; at least one on the home stack",
  },
  vpcCidr: {
    type: "string",
    doc: "IPv4 CIDR of this region's VPC, /16 to /24. Each region its own range: no two stacks' ranges may overlap.",
    default: value("10.0.0.0/16"),
    allowed: "an IPv4 CIDR block /16 to /24 with zero host bits",
  },
  subnetCidrMask: {
    type: "integer",
    doc: "Prefix length of every subnet (public, private, isolated in each AZ); all must fit in vpcCidr.",
    default: value(20),
    max: 28,
    allowed: "at least the VPC's prefix, with room for 3 subnets per AZ",
  },
  azCount: {
    type: "integer",
    doc: "Availability zones to span, 2 or 3 (and no more than the region offers).",
    default: value(2),
    min: 2,
    max: 3,
  },
  natGateways: {
    type: "string",
    doc: "NAT gateways of the VPC: onePerAz (survives an AZ failure) or single (cheaper). Its own setting, never the role's, so a failover rebuilds no network.",
    default: { byHome: { home: "onePerAz", standby: "single" } },
    oneOf: NAT_GATEWAYS,
  },
  homeProbeMinutes: {
    type: "integer",
    doc: "Consecutive minutes of failed probes of the home's deep health before the standby's home-unhealthy alarm turns red (the failover plan's automatic trigger).",
    default: value(3),
    scope: "standby",
    min: 1,
    max: 10,
  },
  appPort: {
    type: "integer",
    doc: "Port the frontend and backend instances listen on (both ALBs reach them over HTTP on it; the ALBs themselves listen on 443).",
    default: value(8080),
    min: 1,
    max: 65535,
    allowed: "not 80 or 443, which the public ALB listens on",
  },
  domain: {
    type: "string",
    doc: "The app's DNS name (the failover record and the certificate), inside hostedZone. The same on every stack.",
    required: true,
    allowed: "a lower-case DNS name inside hostedZone",
  },
  hostedZone: {
    type: "string",
    doc: "Name of the existing public Route 53 hosted zone that holds domain. The same on every stack.",
    required: true,
    allowed: "a lower-case DNS name",
  },
  healthCheckInterval: {
    type: "integer",
    doc: "Route 53 health check request interval in seconds.",
    default: value(10),
    oneOf: HEALTH_CHECK_INTERVALS,
  },
  healthCheckFailureThreshold: {
    type: "integer",
    doc: "Consecutive failed health checks before Route 53 counts an endpoint unhealthy.",
    default: value(3),
    min: 1,
    max: 10,
  },
  albDeletionProtection: {
    type: "boolean",
    doc: "Deletion protection on both load balancers.",
    default: value(true),
  },
  logRetentionDays: {
    type: "integer",
    doc: "Retention of the VPC flow log and WAF log groups, in days.",
    default: value(90),
    oneOf: LOG_RETENTION_DAYS,
  },
  accessLogExpirationDays: {
    type: "integer",
    doc: "Days before ALB access log objects expire in the log bucket.",
    default: value(90),
    min: 1,
  },
  wafRateLimit: {
    // AWS accepts 10, but the provider still validates 100 and up (pulumi/pulumi-aws#5841).
    type: "integer",
    doc: "Requests per 5 minutes from one IP before the WAF rate-based rule blocks it.",
    default: value(2000),
    min: 100,
    max: 2_000_000_000,
  },
  protectData: {
    type: "boolean",
    doc: "Pulumi protect on every stateful resource (KMS keys, Aurora, DynamoDB, secrets, backup vaults).",
    default: value(true),
  },
  dataDeletionProtection: {
    type: "boolean",
    doc: "AWS deletion protection on the Aurora global cluster, every Aurora cluster, the DynamoDB table and its replicas. Turn it off only to tear the project down (docs/teardown.md): the Aurora final snapshot is taken either way.",
    default: value(true),
  },
  frontend: { type: "object", doc: "The public tier's Auto Scaling group.", fields: tierFields("frontend") },
  backend: { type: "object", doc: "The internal tier's Auto Scaling group.", fields: tierFields("backend") },
  database: {
    type: "object",
    doc: "This region's Aurora PostgreSQL cluster of the global database.",
    fields: {
      engineVersion: {
        type: "string",
        doc: "aurora-postgresql version the global database is created with; its major is pinned (the parameter-group family), minor upgrades are AWS's (docs/operations.md). Set on the home; a standby joins at the running version.",
        default: value("17.9"),
        allowed:
          "a version with Aurora global databases and global write forwarding (config/awsCatalog.json)",
      },
      instanceClass: {
        type: "string",
        doc: "DB instance class (provisioned), or db.serverless for Aurora Serverless v2. A standby's is its warm capacity: db.serverless (the default) idles at serverlessMinCapacity and the failover plan raises it to the home's before the writer moves; a provisioned class costs the same as the home's, or is raised by the plan when smaller.",
        default: { byHome: { home: "db.r6g.large", standby: "db.serverless" } },
        allowed:
          "a class Aurora PostgreSQL global databases support (config/awsCatalog.json), or db.serverless",
      },
      instanceCount: {
        type: "integer",
        doc: "Instances of this region's cluster: on the active region a writer and a reader in another AZ at least.",
        default: byRole(2, 1),
        min: { active: 2, passive: 1 },
        max: 16,
        allowed: "an active region needs a writer + reader in different AZs",
      },
      serverlessMinCapacity: {
        type: "number",
        doc: "Least Aurora Serverless v2 capacity in ACUs (db.serverless only). AWS recommends at least 8 on the primary of a global database; a secondary needs enough to keep up with replication (the db-replication-lag alarm tells).",
        default: { byHome: { home: 8, standby: 0.5 } },
        min: SERVERLESS_ACU.min,
        max: SERVERLESS_ACU.max,
        step: SERVERLESS_ACU.step,
      },
      serverlessMaxCapacity: {
        type: "number",
        doc: "Most Aurora Serverless v2 capacity in ACUs (db.serverless only), at least serverlessMinCapacity.",
        default: value(16),
        min: 1,
        max: SERVERLESS_ACU.max,
        step: SERVERLESS_ACU.step,
      },
      backupRetentionDays: {
        type: "integer",
        doc: "Days of Aurora's automated backups (point-in-time recovery).",
        default: value(7),
        min: { active: 7, passive: 1 },
        max: 35,
      },
      databaseName: {
        type: "string",
        doc: "Name of the app's database, created with the global database: the home's cluster ignores a later change (RDS cannot rename it without a new cluster).",
        default: value("app"),
        allowed: "a letter, then a-z, 0-9 and _ (63 at most)",
      },
      masterUsername: {
        type: "string",
        doc: "Master user (its password is generated and kept in the home's Secrets Manager, for the bootstrap of the application's IAM database user only), created with the global database: the home's cluster ignores a later change (RDS cannot rename it without a new cluster).",
        default: value("app_admin"),
        allowed: "a letter, then a-z, 0-9 and _ (16 at most), not admin, postgres, rdsadmin or app",
      },
      writerRegion: {
        type: "string",
        doc: "Region whose Aurora cluster holds the global database's writer. Leave unset while the writer is at home; after the failover plan moved it to a standby, set that region before the first pulumi up of the home stack, and unset it once the writer is back (docs/operations.md, failback). The home's cluster is then a secondary of the global database (re-created as one if it is gone), never replaced; standbys read the value from the home's dbWriterRegion output.",
        default: { computed: "the home stack's region" },
        scope: "home",
        allowed: "the home stack's region or one of its standbyRegions",
      },
    },
  },
  mail: {
    type: "object",
    doc: "How the backend sends mail: Amazon SES in the region, or an external SMTP provider.",
    fields: {
      provider: { type: "string", doc: "ses or external.", default: value("ses"), oneOf: MAIL_PROVIDERS },
      fromAddress: {
        type: "string",
        doc: "Address mail is sent from; with SES, an address at domain.",
        default: { computed: "no-reply@<domain>" },
        allowed: "an e-mail address (at domain with SES)",
      },
      smtpHost: { type: "string", doc: "External provider only: SMTP host.", allowed: "a DNS name" },
      smtpPort: { type: "integer", doc: "External provider only: SMTP port.", min: 1, max: 65535 },
      smtpUsername: { type: "string", doc: "External provider only: SMTP user name." },
    },
  },
  smtpPassword: {
    type: "string",
    doc: "External mail provider only: its SMTP password. Set it with `pulumi config set --secret smtpPassword`.",
    secret: true,
  },
  maps: {
    type: "object",
    doc: "The Amazon Location Service map the frontend shows.",
    fields: {
      dataSource: {
        type: "string",
        doc: "Data provider (Grab only in ap-southeast-1).",
        default: value("Esri"),
        oneOf: MAP_DATA_SOURCES,
      },
      mapStyle: {
        type: "string",
        doc: "Map style of the data provider, such as VectorEsriStreets or VectorHereExplore.",
        default: value("VectorEsriStreets"),
        allowed: "a style of the data provider",
      },
    },
  },
  alarms: {
    type: "object",
    doc: "Who the alarms notify, and their thresholds.",
    fields: {
      emails: {
        type: "stringList",
        doc: "Addresses subscribed to the alarm topic. Required: without one, every alarm notifies nobody.",
        required: true,
        allowed: "at least one e-mail address, each once",
      },
      alb5xxRatePercent: {
        type: "number",
        doc: "Public ALB 5xx responses, % of requests.",
        default: value(5),
        positive: true,
        max: 100,
      },
      p99ResponseTimeSeconds: {
        type: "number",
        doc: "p99 target response time, seconds.",
        default: value(2),
        positive: true,
      },
      unhealthyHosts: {
        type: "integer",
        doc: "Unhealthy targets in a target group.",
        default: value(1),
        min: 1,
      },
      dbCpuPercent: {
        type: "number",
        doc: "Aurora writer CPU, %.",
        default: value(80),
        positive: true,
        max: 100,
      },
      dbFreeableMemoryMiB: {
        type: "number",
        doc: "Aurora freeable memory below this, MiB.",
        default: value(512),
        positive: true,
      },
      auroraReplicationLagMs: {
        type: "number",
        doc: "Aurora global replication lag, ms (standby).",
        default: value(1000),
        positive: true,
      },
      dynamoReplicationLatencyMs: {
        type: "number",
        doc: "DynamoDB global table replication latency, ms.",
        default: value(1000),
        positive: true,
      },
      dynamoThrottledRequests: {
        type: "integer",
        doc: "DynamoDB throttled requests per period.",
        default: value(10),
        min: 1,
      },
      wafBlockedRequests: {
        type: "integer",
        doc: "WAF blocked requests per period.",
        default: value(1000),
        min: 1,
      },
      natPortAllocationErrors: {
        type: "integer",
        doc: "NAT gateway port allocation errors per period.",
        default: value(1),
        min: 1,
      },
    },
  },
  backup: {
    type: "object",
    doc: "AWS Backup plan of the stateful resources, copied to the other regions.",
    fields: {
      dailyRetentionDays: {
        type: "integer",
        doc: "Days a daily restore point is kept.",
        default: value(35),
        min: 1,
        allowed: "at least copyRetentionDays",
      },
      weeklyRetentionDays: {
        type: "integer",
        doc: "Days a weekly restore point is kept.",
        default: value(90),
        min: 1,
        allowed: "at least copyRetentionDays",
      },
      copyRetentionDays: {
        type: "integer",
        doc: "Days the cross-region copy is kept.",
        default: value(35),
        min: 1,
      },
      vaultLock: {
        type: "boolean",
        doc: "AWS Backup Vault Lock on the vault: no recovery point deleted or shortened below the shortest retention the vault holds (docs/backups.md).",
        default: value(true),
      },
      vaultLockMode: {
        type: "string",
        doc: "governance: the lock stays removable by the break-glass principals. compliance: after vaultLockChangeableForDays nobody, not even the root user, can remove it or delete a recovery point before it expires.",
        default: value("governance"),
        oneOf: VAULT_LOCK_MODES,
      },
      vaultLockChangeableForDays: {
        type: "integer",
        doc: "Compliance mode only: days before the lock becomes immutable; AWS Backup enforces a 72-hour cooling-off, so at least 3.",
        default: value(3),
        min: 3,
        allowed: "an integer of at least 3, with vaultLockMode compliance",
      },
      breakGlassPrincipalArns: {
        type: "stringList",
        doc: "IAM roles or users that, besides the account root user, may delete recovery points, change the vault's policy or lock, and disable or schedule the deletion of the region's KMS keys. Never the deploy role.",
        default: value([]),
        allowed: "IAM role or user ARNs of this account (arn:aws:iam::<account>:role/<name>), each once",
      },
    },
  },
};

/** The stack's situation that defaults depend on. */
export interface DefaultContext {
  role: Role;
  home: boolean;
}

/** The default of a spec for this stack, or undefined (required, optional, or computed by the reader). */
export function defaultOf<V>(spec: { default?: Default<V> }, ctx: DefaultContext): V | undefined {
  const d = spec.default;
  if (d === undefined || "computed" in d) return undefined;
  if ("value" in d) return d.value;
  if ("byRole" in d) return d.byRole[ctx.role];
  return d.byHome[ctx.home ? "home" : "standby"];
}

/** The lower bound of a number for this role. */
export function minOf(spec: ScalarSpec<unknown>, role: Role): number | undefined {
  return typeof spec.min === "object" ? spec.min[role] : spec.min;
}

/** The static defaults of an object key's fields (computed ones left out), as the reader applies them. */
export function fieldDefaults<T>(fields: Fields<T>, ctx: DefaultContext): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(fields) as [string, ScalarSpec<unknown>][]) {
    const d = defaultOf(spec, ctx);
    if (d !== undefined) out[name] = d;
  }
  return out as Partial<T>;
}

/** Keys a stack file may set in this project's namespace. */
export const TOP_LEVEL_KEYS = Object.keys(SCHEMA) as (keyof StackKeys)[];

/** The structured keys and their fields. */
export const OBJECT_KEYS: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(SCHEMA)
    .filter(([, spec]) => spec.type === "object")
    .map(([key, spec]) => [key, Object.keys((spec as ObjectSpec<object>).fields)]),
);

/** Keys only one kind of stack may set. */
export const STANDBY_ONLY_KEYS = TOP_LEVEL_KEYS.filter(
  (k) => (SCHEMA[k] as ScalarSpec<unknown>).scope === "standby",
);
