/**
 * The rules of the config that the schema's types, allowed values and bounds cannot say: a CIDR's
 * shape, what AWS offers (catalog.ts), and how keys relate to each other. Each is a pure function
 * that throws a ConfigError naming the key the user has to change; `build.ts` runs them all and
 * reports every problem at once. One reads a file: a tier's user data (`readUserDataFile`).
 */
import * as fs from "fs";
import * as path from "path";
import {
  auroraVersion,
  AURORA_POSTGRESQL_CLASSES,
  AURORA_POSTGRESQL_VERSIONS,
  azCountOf,
  EC2_INSTANCE_TYPES,
  globalDatabaseSupports,
  REGIONS,
} from "./catalog";
import { ConfigError, didYouMean, Problems } from "./errors";
import { defaultOf, minOf, ScalarSpec, SCHEMA, USER_DATA_LIMIT_BYTES } from "./schema";
import {
  AlarmsConfig,
  BackupConfig,
  DatabaseConfig,
  MailConfig,
  MapsConfig,
  Role,
  TierConfig,
} from "./types";

const typeName = (value: unknown): string => (Array.isArray(value) ? "array" : typeof value);

/** The checks the schema declares for one value: its type, allowed values and bounds. */
export function checkScalar(key: string, value: unknown, spec: ScalarSpec<unknown>, role: Role): void {
  const expected = spec.type === "integer" ? "number" : spec.type === "stringList" ? "array" : spec.type;
  if (typeName(value) !== expected) {
    const what = {
      string: "a string",
      integer: "an integer",
      number: "a number",
      boolean: "true or false",
      stringList: "a list of strings",
    }[spec.type];
    const hint = spec.type === "string" && typeof value === "number" ? ` (quote it in YAML: "${value}")` : "";
    throw new ConfigError(key, value, `must be ${what}${hint}`);
  }
  if (spec.type === "stringList") {
    (value as unknown[]).forEach((item, i) => {
      if (typeof item !== "string") throw new ConfigError(`${key}[${i}]`, item, "must be a string");
    });
    return;
  }
  if (spec.oneOf !== undefined && !spec.oneOf.includes(value)) {
    throw new ConfigError(
      key,
      value,
      `must be one of ${spec.oneOf.join(", ")}${didYouMean(value, spec.oneOf as string[])}`,
    );
  }
  if (typeof value !== "number") return;
  const min = minOf(spec, role);
  const positiveInteger = spec.type === "integer" && min === 1 && spec.max === undefined;
  const kind = positiveInteger
    ? "a positive integer"
    : spec.type === "integer"
      ? "an integer"
      : spec.positive
        ? "a positive number"
        : "a number";
  const bounds = positiveInteger
    ? ""
    : min !== undefined && spec.max !== undefined
      ? ` from ${min} to ${spec.max}`
      : min !== undefined
        ? ` of at least ${min}`
        : spec.max !== undefined
          ? ` of at most ${spec.max}`
          : "";
  const step = spec.step !== undefined ? ` in steps of ${spec.step}` : "";
  if (
    !Number.isFinite(value) ||
    (spec.type === "integer" && !Number.isInteger(value)) ||
    (spec.positive === true && value <= 0) ||
    // Stryker disable next-line ConditionalExpression: the guard narrows the type; value < undefined is false too
    (min !== undefined && value < min) ||
    // Stryker disable next-line ConditionalExpression: the guard narrows the type; value > undefined is false too
    (spec.max !== undefined && value > spec.max) ||
    // Stryker disable next-line ConditionalExpression: without a step the remainder is NaN, and NaN > 1e-9 is false too
    (spec.step !== undefined && Math.abs(value / spec.step - Math.round(value / spec.step)) > 1e-9)
  ) {
    throw new ConfigError(
      key,
      value,
      `must be ${kind}${bounds}${step}${spec.allowed ? `: ${spec.allowed}` : ""}`,
    );
  }
}

/** Every set field of a structured value against its schema (for callers that did not read it through build.ts). */
export function checkFields(key: string, value: object, fields: object, role: Role = "active"): void {
  for (const [field, spec] of Object.entries(fields) as [string, ScalarSpec<unknown>][]) {
    const fieldValue = (value as Record<string, unknown>)[field];
    if (fieldValue !== undefined) checkScalar(`${key}.${field}`, fieldValue, spec, role);
  }
}

// ---------------------------------------------------------------------------------------------
// Regions and networks.

export function validateRegion(key: string, value: string): string {
  // Stryker disable next-line ConditionalExpression: the guard narrows the type; REGIONS includes no non-string either
  if (typeof value !== "string" || !REGIONS.includes(value)) {
    throw new ConfigError(
      key,
      value,
      `must be an AWS region name such as us-east-1${didYouMean(value, REGIONS)}`,
    );
  }
  return value;
}

/** Parses `a.b.c.d/n` into its address and prefix; throws a ConfigError naming `key` when malformed. */
export function parseCidr(key: string, value: string): { address: number; prefix: number } {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  // Stryker disable next-line ArrayDeclaration: without a match the check below throws on !match before reading octets
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : NaN;
  if (!match || octets.some((o) => o > 255) || prefix > 32) {
    throw new ConfigError(key, value, "must be an IPv4 CIDR block such as 10.0.0.0/16");
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (address % 2 ** (32 - prefix) !== 0) {
    throw new ConfigError(key, value, `host bits must be zero (the network address for /${prefix})`);
  }
  return { address, prefix };
}

/** True when two CIDR blocks share an address. */
export function cidrsOverlap(
  a: { address: number; prefix: number },
  b: { address: number; prefix: number },
): boolean {
  const size = (c: { prefix: number }) => 2 ** (32 - c.prefix);
  return a.address < b.address + size(b) && b.address < a.address + size(a);
}

/** The VPC CIDR: valid, /16 to /24 (a VPC takes /16–/28; the design needs room for 3 subnet tiers). */
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
  // Stryker disable next-line EqualityOperator: available is a power of 2 and needed a multiple of 3, never equal
  if (available < needed) {
    throw new ConfigError(
      "subnetCidrMask",
      mask,
      `${needed} subnets (3 tiers × ${azCount} AZs) of /${mask} do not fit in ${vpcCidr} (room for ${available}); use a smaller mask number or a larger VPC`,
    );
  }
}

/** 2 or 3 AZs, and no more than the region offers (awsCatalog.json; a region it does not list: up to 3). */
export function validateAzCount(value: number, region: string): number {
  const offered = azCountOf(region);
  const max = Math.min(3, offered ?? 3);
  if (!Number.isInteger(value) || value < 2 || value > max) {
    throw new ConfigError(
      "azCount",
      value,
      `must be an integer from 2 to ${max}${offered !== undefined ? ` (${region} offers ${offered})` : ""}`,
    );
  }
  return value;
}

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A lower-case DNS name without a trailing dot. */
export function validateDnsName(key: string, value: string): string {
  // Stryker disable next-line ArrayDeclaration: a non-string is refused with one label as with none (fewer than 2)
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

// ---------------------------------------------------------------------------------------------
// Home and standby.

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
      `${args.role === "active" ? "an" : "a"} ${args.role} stack that is not the home stack must name the home stack as <organization>/<project>/<stack>`,
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
 * `role` is the sizing a region runs in steady state; a failover does not change it, the failover
 * plan does (docs/runbook.md). Which Aurora alarms a region watches follows the writer
 * (`database.writerRegion`), not the role.
 */
export function validateSingleActive(role: Role, homeRole: unknown, primaryStack: string): void {
  if (role === "active" && homeRole === "active") {
    throw new ConfigError(
      "role",
      role,
      `the home stack ${primaryStack} is active too: one region carries the traffic in steady state (sizing ` +
        "and the DR report follow role); set role passive on the home stack and pulumi up it first " +
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

// ---------------------------------------------------------------------------------------------
// Tiers.

export function validateInstanceType(key: string, value: string): void {
  if (!EC2_INSTANCE_TYPES.includes(value)) {
    throw new ConfigError(
      key,
      value,
      `is not an EC2 instance type (the provider's aws.ec2.InstanceType)${didYouMean(value, EC2_INSTANCE_TYPES)}`,
    );
  }
}

/**
 * How a tier's sizes relate. `userSet` names the fields the stack file sets, so the message blames
 * one of those (minSize above maxSize is about those two, whatever the default desired capacity).
 */
export function validateTierSizing(
  key: string,
  tier: TierConfig,
  userSet: ReadonlySet<string> = new Set(Object.keys(tier)),
): void {
  checkFields(key, tier, SCHEMA.frontend.fields);
  const blame = (a: keyof TierConfig, b: keyof TierConfig) => (userSet.has(a) || !userSet.has(b) ? a : b);
  if (tier.minSize > tier.maxSize) {
    const field = blame("minSize", "maxSize");
    const other = field === "minSize" ? "maxSize" : "minSize";
    throw new ConfigError(
      `${key}.${field}`,
      tier[field],
      `must be ${field === "minSize" ? "at most" : "at least"} ${key}.${other} (${tier[other]})`,
    );
  }
  if (tier.desiredCapacity < tier.minSize || tier.desiredCapacity > tier.maxSize) {
    throw new ConfigError(
      `${key}.desiredCapacity`,
      tier.desiredCapacity,
      `must be from ${key}.minSize (${tier.minSize}) to ${key}.maxSize (${tier.maxSize})`,
    );
  }
  if (tier.scalingMetric === "cpu" && tier.scalingTarget > 100) {
    throw new ConfigError(
      `${key}.scalingTarget`,
      tier.scalingTarget,
      "a CPU target is a percentage, at most 100",
    );
  }
  validateInstanceType(`${key}.instanceType`, tier.instanceType);
}

export type Architecture = "arm64" | "x86_64";

/**
 * The CPU architecture of an instance type, from EC2's naming: a `g` among the letters after the
 * generation number is AWS Graviton (`t4g`, `m7gd`, `c7gn`, `g5g`, `is4gen`: "Instance type naming
 * conventions", EC2 Instance Types guide), and `a1` is the first Graviton. Everything else the
 * provider's list holds is x86_64 (Intel or AMD). The name is all the config can check offline;
 * EC2 itself refuses to launch an image of the other architecture.
 */
export function instanceArchitecture(instanceType: string): Architecture {
  const family = instanceType.split(".")[0];
  return family === "a1" || /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) ? "arm64" : "x86_64";
}

/**
 * The default image: the latest Amazon Linux 2023 of the instance type's architecture, from AWS's
 * public SSM parameter, which EC2 resolves at each launch (EC2 User Guide, "Use a Systems Manager
 * parameter instead of an AMI ID"): no lookup in the program.
 */
export function defaultImage(instanceType: string): string {
  return `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${instanceArchitecture(instanceType)}`;
}

/** An AMI id: `ami-` and 17 hexadecimal digits (8 for older images). */
export const AMI_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/**
 * What EC2 takes for a launch template's ImageId besides an AMI id (EC2 API Reference,
 * RequestLaunchTemplateData `ImageId`): `resolve:ssm:` and a parameter name (letters, digits and
 * `_.-/`, 1011 at most, as SSM's own pattern `^[a-zA-Z0-9_.\-\/]+$`) or, for a parameter shared from
 * another account, its ARN; then optionally `:<version>` or `:<label>` (a label may not start with a
 * digit, at most 100 characters).
 */
const SSM_IMAGE =
  /^resolve:ssm:((?:arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter)?[A-Za-z0-9_./-]{1,1011})(?::(?:[1-9]\d{0,9}|[A-Za-z_.-][A-Za-z0-9_.-]{0,99}))?$/;

/** Architecture names found in AWS's public image parameters (Amazon Linux, Ubuntu, Bottlerocket, ECS). */
const ARCHITECTURE_WORDS: Record<string, Architecture> = {
  arm64: "arm64",
  aarch64: "arm64",
  x86_64: "x86_64",
  amd64: "x86_64",
};

/**
 * A tier's `image`: an AMI id or `resolve:ssm:<parameter>`. An image of another architecture than the
 * instance type's is refused where the config can tell, from a parameter name that says it
 * (`…-x86_64`, `…/arm64/…`); an AMI id's is checked at deploy (components/tierAsg.ts, `tierImage`).
 */
export function validateImage(key: string, image: string | undefined, instanceType: string): void {
  if (image === undefined) return;
  const allowed = `must be an AMI id (ami- and 8 or 17 hex digits) or resolve:ssm:<parameter name or ARN>[:<version or label>], as EC2 takes in a launch template`;
  if (AMI_ID.test(image)) return;
  const ssm = SSM_IMAGE.exec(image);
  if (ssm === null) {
    const hint = /^\/[A-Za-z0-9_./-]+$/.test(image)
      ? ` (an SSM parameter: resolve:ssm:${image})`
      : /^ami-/i.test(image)
        ? " (an AMI id is ami- and 8 or 17 lower-case hex digits)"
        : /\{\{resolve:ssm:/.test(image)
          ? " (EC2's form, without CloudFormation's {{ }})"
          : "";
    throw new ConfigError(key, image, `${allowed}${hint}`);
  }
  const name = ssm[1].replace(/^arn:[^/]*:parameter/, "");
  const levels = name.split("/").filter((part) => part !== "").length;
  if (name.includes("/") && !name.startsWith("/")) {
    throw new ConfigError(key, image, `${allowed}: a parameter name with a hierarchy starts with /`);
  }
  if (levels > 15) {
    throw new ConfigError(key, image, `${allowed}: SSM parameter names have at most 15 levels`);
  }
  const named = [
    ...new Set(name.split(/[/-]/).flatMap((word) => ARCHITECTURE_WORDS[word.toLowerCase()] ?? [])),
  ];
  const expected = instanceArchitecture(instanceType);
  if (named.length === 1 && named[0] !== expected) {
    throw new ConfigError(
      key,
      image,
      `names an ${named[0]} image, but the instance type ${instanceType} is ${expected}${expected === "arm64" ? " (Graviton)" : ""}: use the ${expected} image, or an instance type of the image's architecture`,
    );
  }
}

/** The project directory: where Pulumi.yaml is, and what a tier's user data file is relative to. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

/** The `userData` values that are not files. */
export const USER_DATA_KEYWORDS = ["placeholder", "none"] as const;

/**
 * A tier's user data file, read as it is (bytes: a gzip-compressed file works too). It must be inside
 * the project directory (the deploy workflow runs in a fresh checkout of this repository, nothing
 * else), a non-empty file of at most EC2's 16 KB. Throws a ConfigError naming `key` otherwise.
 */
export function readUserDataFile(key: string, file: string, projectDir: string = PROJECT_DIR): Buffer {
  const allowed = `must be placeholder, none, or a file relative to the project directory (${projectDir})`;
  if (file.trim() === "") throw new ConfigError(key, file, allowed);
  if (path.isAbsolute(file)) {
    throw new ConfigError(
      key,
      file,
      `${allowed}, not an absolute path: the deploy workflow runs in a fresh checkout of this repository`,
    );
  }
  const full = path.resolve(projectDir, file);
  const relative = path.relative(projectDir, full);
  if (relative === "" || relative.split(path.sep)[0] === "..") {
    throw new ConfigError(
      key,
      file,
      `${allowed}, inside it: the deploy workflow runs in a fresh checkout of this repository`,
    );
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    throw new ConfigError(key, file, `${allowed}: there is no ${full}`);
  }
  if (!stat.isFile()) throw new ConfigError(key, file, `${allowed}: ${full} is not a file`);
  const bytes = fs.readFileSync(full);
  if (bytes.length === 0) {
    throw new ConfigError(key, file, `${allowed}: ${full} is empty (none says "no user data")`);
  }
  if (bytes.length > USER_DATA_LIMIT_BYTES) {
    throw new ConfigError(
      key,
      file,
      `is ${bytes.length} bytes: EC2 takes at most ${USER_DATA_LIMIT_BYTES} bytes of user data before base64 (EC2 User Guide, "Work with instance user data"); gzip it (cloud-init reads gzip-compressed user data) or have it fetch the rest at boot`,
    );
  }
  return bytes;
}

/** A tier's `userData`: a keyword, or a file `readUserDataFile` accepts. */
export function validateUserData(key: string, userData: string): void {
  if ((USER_DATA_KEYWORDS as readonly string[]).includes(userData)) return;
  readUserDataFile(key, userData);
}

// ---------------------------------------------------------------------------------------------
// Database.

/**
 * The engine version must exist, support Aurora global databases, and support global write forwarding
 * (the standby's app writes through it before a failover). awsCatalog.json cites AWS for each.
 */
export function validateEngineVersion(version: string): void {
  const usable = AURORA_POSTGRESQL_VERSIONS.filter((v) => v.globalDatabase && v.writeForwarding).map(
    (v) => v.version,
  );
  // Suggest versions of the same major: an edit distance would offer 14.6 for 16.6.
  const major = version.split(".")[0];
  const sameMajor = usable.filter((v) => v.split(".")[0] === major);
  const suggestion = `; usable versions: ${(sameMajor.length > 0 ? sameMajor : usable).join(", ")}`;
  const found = auroraVersion(version);
  if (found === undefined) {
    throw new ConfigError(
      "database.engineVersion",
      version,
      `is not an aurora-postgresql version AWS offers${suggestion}`,
    );
  }
  if (!found.globalDatabase) {
    throw new ConfigError(
      "database.engineVersion",
      version,
      `does not support Aurora global databases${suggestion}`,
    );
  }
  if (!found.writeForwarding) {
    throw new ConfigError(
      "database.engineVersion",
      version,
      `does not support global write forwarding, which the standby needs to write before a failover (14.9 or later 14.x, 15.4 or later 15.x, 16 and later)${suggestion}`,
    );
  }
}

export function validateInstanceClass(value: string): void {
  if (value === "db.serverless") return;
  if (!AURORA_POSTGRESQL_CLASSES.includes(value)) {
    const family = value.split(".").slice(0, 2).join(".");
    const sizes = AURORA_POSTGRESQL_CLASSES.filter((c) => c.startsWith(`${family}.`));
    const families = [...new Set(AURORA_POSTGRESQL_CLASSES.map((c) => c.split(".").slice(0, 2).join(".")))];
    const hint =
      sizes.length > 0
        ? `; ${family} comes in ${sizes.map((c) => c.split(".")[2]).join(", ")}`
        : `${didYouMean(family, families)}; classes: ${families.join(", ")}`;
    throw new ConfigError(
      "database.instanceClass",
      value,
      `is not a DB instance class of Aurora PostgreSQL${hint}; or db.serverless`,
    );
  }
  if (!globalDatabaseSupports(value)) {
    throw new ConfigError(
      "database.instanceClass",
      value,
      "is a class Aurora global databases do not support (they require memory-optimized classes, not burstable db.t*); use db.r6g.large or larger, or db.serverless",
    );
  }
}

/**
 * "For a global database with Aurora Serverless v2, the minimum recommended capacity for the DB
 * cluster in the primary AWS Region is 8 ACUs" (Aurora User Guide, "Configuration requirements of an
 * Amazon Aurora global database"); it names no minimum for a secondary.
 */
export const GLOBAL_PRIMARY_MIN_ACU = 8;

/**
 * The PostgreSQL role the backend logs in as, with IAM database authentication (created by
 * components/appDatabaseUser.ts; docs/operations.md, "The application's database user"). Here, under
 * config, because the master user must not take its name.
 */
export const APP_DB_USER = "app";

/** The database's own rules; every problem of them at once (a ConfigErrors), as each is independent. */
export function validateDatabase(db: DatabaseConfig, home = false): void {
  const problems = new Problems();
  if (home && db.instanceClass === "db.serverless" && db.serverlessMinCapacity < GLOBAL_PRIMARY_MIN_ACU) {
    problems.add(
      "database.serverlessMinCapacity",
      db.serverlessMinCapacity,
      `must be at least ${GLOBAL_PRIMARY_MIN_ACU} ACUs on the home stack: AWS's minimum recommended capacity for the primary cluster of a global database on Aurora Serverless v2`,
    );
  }
  problems.check(() => validateEngineVersion(db.engineVersion));
  problems.check(() => validateInstanceClass(db.instanceClass));
  if (db.instanceClass === "db.serverless" && db.serverlessMaxCapacity < db.serverlessMinCapacity) {
    problems.add(
      "database.serverlessMaxCapacity",
      db.serverlessMaxCapacity,
      `must be at least database.serverlessMinCapacity (${db.serverlessMinCapacity})`,
    );
  }
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(db.databaseName)) {
    problems.add(
      "database.databaseName",
      db.databaseName,
      "must start with a letter and hold only a-z, 0-9 and _ (max 63)",
    );
  }
  if (
    !/^[a-z][a-z0-9_]{0,15}$/.test(db.masterUsername) ||
    ["admin", "postgres", "rdsadmin"].includes(db.masterUsername)
  ) {
    problems.add(
      "database.masterUsername",
      db.masterUsername,
      "must start with a letter, hold only a-z, 0-9 and _ (max 16), and not be a reserved name (admin, postgres, rdsadmin)",
    );
  }
  if (db.masterUsername === APP_DB_USER) {
    problems.add(
      "database.masterUsername",
      db.masterUsername,
      `must not be ${APP_DB_USER}, the application's database user (it logs in with IAM, without a password)`,
    );
  }
  problems.throwIfAny();
}

/**
 * `database.writerRegion`: which region's Aurora cluster holds the global database's writer. Set on the
 * home stack only (a standby reads it from the home's `dbWriterRegion` output, so the stacks cannot
 * disagree), and only to a region of the global database: the home's or one of its standbys'.
 */
export function validateWriterRegion(args: {
  home: boolean;
  region: string;
  standbyRegions: string[];
  writerRegion?: string;
}): void {
  const { writerRegion } = args;
  if (writerRegion === undefined) return;
  if (!args.home) {
    throw new ConfigError(
      "database.writerRegion",
      writerRegion,
      "is set on the home stack only: a standby reads where the writer is from the home stack's dbWriterRegion output",
    );
  }
  const regions = [args.region, ...args.standbyRegions];
  if (!regions.includes(writerRegion)) {
    throw new ConfigError(
      "database.writerRegion",
      writerRegion,
      `must be a region of the global database: this stack's region ${args.region} or one of standbyRegions (${args.standbyRegions.join(", ")})${didYouMean(writerRegion, regions)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Integrations.

export function validateMail(mail: MailConfig, domain: string): void {
  const at = mail.fromAddress.lastIndexOf("@");
  if (at < 1) throw new ConfigError("mail.fromAddress", mail.fromAddress, "must be an e-mail address");
  if (mail.provider === "ses" && mail.fromAddress.slice(at + 1) !== domain) {
    throw new ConfigError(
      "mail.fromAddress",
      mail.fromAddress,
      `must be an address at the SES identity's domain "${domain}"`,
    );
  }
  if (mail.provider !== "external") return;
  if (!mail.smtpHost)
    throw new ConfigError("mail.smtpHost", mail.smtpHost, "is required when mail.provider is external");
  validateDnsName("mail.smtpHost", mail.smtpHost);
  if (mail.smtpPort === undefined)
    throw new ConfigError("mail.smtpPort", mail.smtpPort, "is required when mail.provider is external");
  if (!mail.smtpUsername)
    throw new ConfigError(
      "mail.smtpUsername",
      mail.smtpUsername,
      "is required when mail.provider is external",
    );
  if (!mail.smtpPassword) {
    throw new ConfigError(
      "smtpPassword",
      undefined,
      "is required when mail.provider is external; set it with `pulumi config set --secret smtpPassword <password>`",
    );
  }
}

const GRAB_REGIONS = ["ap-southeast-1"];
/** Amazon Location map styles, by the data provider that serves them. */
export const MAP_STYLES: Record<MapsConfig["dataSource"], readonly string[]> = {
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
  if (maps.dataSource === "Grab" && !GRAB_REGIONS.includes(region)) {
    throw new ConfigError(
      "maps.dataSource",
      maps.dataSource,
      `Grab is offered only in ${GRAB_REGIONS.join(", ")}; use Esri or Here in ${region}`,
    );
  }
  const styles = MAP_STYLES[maps.dataSource] ?? [];
  if (!styles.includes(maps.mapStyle)) {
    throw new ConfigError(
      "maps.mapStyle",
      maps.mapStyle,
      `must be a ${maps.dataSource} style: ${styles.join(", ")}${didYouMean(maps.mapStyle, styles)}`,
    );
  }
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

export function validateAlarms(alarms: AlarmsConfig): void {
  checkFields("alarms", alarms, SCHEMA.alarms.fields);
  validateEmailList("alarms.emails", alarms.emails);
}

/**
 * The copy in the standby region is what survives the loss of the home region; a local retention
 * shorter than the copy's would leave the home vault with fewer restore points than the DR copy.
 * `userSet` names the fields the stack file sets: a long copyRetentionDays is blamed, not a default.
 */
export function validateBackup(
  backup: BackupConfig,
  userSet: ReadonlySet<string> = new Set(Object.keys(backup)),
): void {
  checkFields("backup", backup, SCHEMA.backup.fields);
  for (const local of ["dailyRetentionDays", "weeklyRetentionDays"] as const) {
    if (backup[local] >= backup.copyRetentionDays) continue;
    const why = "local restore points must not expire before their cross-region copies";
    if (userSet.has(local) || !userSet.has("copyRetentionDays")) {
      throw new ConfigError(
        `backup.${local}`,
        backup[local],
        `must be at least backup.copyRetentionDays (${backup.copyRetentionDays}): ${why}`,
      );
    }
    throw new ConfigError(
      "backup.copyRetentionDays",
      backup.copyRetentionDays,
      `must be at most backup.${local} (${backup[local]}): ${why}`,
    );
  }
  validateVaultLock(backup, userSet);
  validateBreakGlassPrincipals(backup.breakGlassPrincipalArns);
}

const DEFAULTS_CHANGEABLE_FOR_DAYS = defaultOf(SCHEMA.backup.fields.vaultLockChangeableForDays, {
  role: "active",
  home: true,
});

/** The lock's options only mean something together: a setting that would be ignored is an error. */
export function validateVaultLock(
  backup: Pick<BackupConfig, "vaultLock" | "vaultLockMode" | "vaultLockChangeableForDays">,
  userSet: ReadonlySet<string>,
): void {
  if (!backup.vaultLock && backup.vaultLockMode === "compliance") {
    throw new ConfigError(
      "backup.vaultLockMode",
      backup.vaultLockMode,
      "needs backup.vaultLock true (a compliance lock is a lock)",
    );
  }
  // The default (3) is in every config: only a value the user chose, and that would be ignored, is an error.
  const ownDays = backup.vaultLockChangeableForDays !== DEFAULTS_CHANGEABLE_FOR_DAYS;
  if (userSet.has("vaultLockChangeableForDays") && ownDays && backup.vaultLockMode !== "compliance") {
    throw new ConfigError(
      "backup.vaultLockChangeableForDays",
      backup.vaultLockChangeableForDays,
      "applies only with backup.vaultLockMode compliance (a governance lock has no lock date)",
    );
  }
}

/** IAM role or user ARNs (aws:PrincipalArn of a role session is its role's ARN), each once. */
export function validateBreakGlassPrincipals(arns: readonly string[]): void {
  const seen = new Set<string>();
  arns.forEach((arn, i) => {
    if (typeof arn !== "string" || !/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/.test(arn)) {
      throw new ConfigError(
        `backup.breakGlassPrincipalArns[${i}]`,
        arn,
        "must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/break-glass",
      );
    }
    if (seen.has(arn)) {
      throw new ConfigError(`backup.breakGlassPrincipalArns[${i}]`, arn, "repeats an earlier ARN");
    }
    seen.add(arn);
  });
}

// ---------------------------------------------------------------------------------------------
// Tags.

/**
 * `aws:defaultTags` as the engine passes it (JSON `{tags: {...}}`): a mapping of string values. Tags
 * it does not set are the required-tags policy's to report; that the tags describing the stack say
 * what its config says is the pre-flight's (crossStack.ts).
 */
export function validateDefaultTags(text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  const tags = (parsed as { tags?: unknown } | null)?.tags;
  // A value that is not a mapping (a string, number, boolean, null or array) has no `tags`: checking them is enough.
  if (typeof tags !== "object" || tags === null || Array.isArray(tags)) {
    throw new ConfigError(
      "aws:defaultTags",
      parsed,
      "must be a mapping with one key, tags: a mapping of tag keys to values",
    );
  }
  const problems = new Problems();
  for (const [key, value] of Object.entries(tags)) {
    if (typeof value !== "string" || value === "") {
      problems.add(`aws:defaultTags.tags.${key}`, value, "must be a non-empty string (quote it in YAML)");
    }
  }
  problems.throwIfAny();
  return tags as Record<string, string>;
}
