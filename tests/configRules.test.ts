/**
 * The config rules, each problem with its exact key and text (what the user reads), both ways: the
 * rules of config/rules.ts called directly and through buildConfig, the error types of errors.ts, the
 * name limits of names.ts and the reader the program calls (loadConfig).
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import {
  buildConfig,
  checkFields,
  checkScalar,
  cidrsOverlap,
  ConfigError,
  ConfigErrors,
  DATABASE_DEFAULTS,
  DEFAULTS,
  didYouMean,
  editDistance,
  formatFinding,
  loadConfig,
  MAP_STYLES,
  nearest,
  PLAN_NAME_PATTERN,
  parseCidr,
  Problems,
  problemsOf,
  RawConfig,
  SCHEMA,
  STANDBY_ONLY_KEYS,
  TIER_DEFAULTS,
  TOP_LEVEL_KEYS,
  validateAlarms,
  validateAzCount,
  validateBackup,
  validateDatabase,
  validateDefaultTags,
  validateDnsName,
  validateEmailList,
  validateMail,
  validateMaps,
  validateSingleActive,
  validateStackWiring,
  validateSubnetMask,
  validateTierSizing,
} from "../config";
import { fromEngine, readEngineValues, scalar, unknownKeyHint } from "../config/build";
import { globalDatabaseSupports } from "../config/catalog";
import { runProgram } from "../tools/mocks";
import { HOME_CONFIG as HOME, STANDBY_CONFIG as STANDBY } from "./helpers";

/** Every problem `fn` throws, as `key: what is allowed`; [] when it does not throw. */
function problems(fn: () => unknown): string[] {
  try {
    fn();
    return [];
  } catch (e) {
    const list = problemsOf(e);
    if (list === undefined) throw e;
    return list.map((p) => `${p.key}: ${p.allowed}`);
  }
}
const home = (over: Record<string, unknown>) =>
  problems(() => buildConfig({ ...HOME, ...over } as RawConfig));
const standby = (over: Record<string, unknown>) =>
  problems(() => buildConfig({ ...STANDBY, ...over } as RawConfig));

const NOT_DNS = "must be a lower-case DNS name such as app.example.com (no trailing dot)";
const NOT_CIDR = "must be an IPv4 CIDR block such as 10.0.0.0/16";
const ALL_VERSIONS =
  "14.17, 14.18, 14.19, 14.20, 14.22, 15.10, 15.12, 15.13, 15.14, 15.15, 15.17, 16.8, 16.9, 16.10, 16.11, 16.13, 17.4, 17.5, 17.6, 17.7, 17.9, 18.3";
const CLASS_FAMILIES =
  "db.r5, db.r6g, db.r6gd, db.r6i, db.r6id, db.r7g, db.r7i, db.r8g, db.r8gd, db.x2g, db.t3, db.t4g";
const USERNAME =
  "database.masterUsername: must start with a letter, hold only a-z, 0-9 and _ (max 16), and not be a reserved name (admin, postgres, rdsadmin)";
const DB_NAME = "database.databaseName: must start with a letter and hold only a-z, 0-9 and _ (max 63)";
const TAGS_SHAPE = "aws:defaultTags: must be a mapping with one key, tags: a mapping of tag keys to values";

describe("config rules, exactly", () => {
  describe("required keys and the stack's region", () => {
    it("names what a missing or empty key needs", () => {
      expect(home({ role: undefined })).to.deep.equal(["role: is required: one of active, passive"]);
      expect(home({ region: undefined })).to.deep.equal([
        "aws:region: is required: the region of this stack",
      ]);
      expect(home({ region: "" })).to.deep.equal(["aws:region: is required: the region of this stack"]);
      expect(home({ region: 5 })).to.deep.equal(["aws:region: must be an AWS region name such as us-east-1"]);
      expect(home({ domain: undefined })).to.deep.equal([
        "domain: is required: a lower-case DNS name inside hostedZone",
      ]);
      expect(home({ domain: "" })).to.deep.equal([
        "domain: is required: a lower-case DNS name inside hostedZone",
      ]);
      expect(home({ hostedZone: undefined })).to.deep.equal([
        "hostedZone: is required: a lower-case DNS name",
      ]);
      expect(home({ alarms: { dbCpuPercent: 120 } })).to.deep.equal([
        "alarms.emails: is required: at least one e-mail address, each once",
        "alarms.dbCpuPercent: must be a positive number of at most 100",
      ]);
      expect(home({ alarms: { emails: null } })).to.deep.equal([
        "alarms.emails: is required: at least one e-mail address, each once",
      ]);
    });

    it("sizes an unknown role as active and says so in the rules that depend on it", () => {
      expect(standby({ role: "primary", primaryStack: undefined })).to.deep.equal([
        "role: must be one of active, passive",
        "primaryStack: an active stack that is not the home stack must name the home stack as <organization>/<project>/<stack>",
      ]);
      expect(buildConfig({ ...STANDBY, role: "passive" }).frontend.minSize).to.equal(1);
    });

    it("names each key's type, with a hint to quote a number where a string belongs", () => {
      expect(home({ domain: 5 })).to.deep.equal(['domain: must be a string (quote it in YAML: "5")']);
      expect(home({ home: 1 })).to.deep.equal(["home: must be true or false"]);
      expect(home({ azCount: "2" })).to.deep.equal(["azCount: must be an integer"]);
      expect(home({ standbyRegions: ["ca-central-1", 5] })).to.deep.equal([
        "standbyRegions[1]: must be a string",
      ]);
      expect(home({ standbyRegions: "ca-central-1" })).to.deep.equal([
        "standbyRegions: must be a list of strings",
      ]);
      expect(home({ frontend: { scalingTarget: "50" } })).to.deep.equal([
        "frontend.scalingTarget: must be a number",
      ]);
    });

    it("sets a standby-only key on a standby only, and a mapping only as a mapping with known keys", () => {
      expect(home({ homeProbeMinutes: 3 })).to.deep.equal([
        "homeProbeMinutes: is set on standby stacks only (this stack is the home)",
      ]);
      expect(STANDBY_ONLY_KEYS).to.deep.equal(["homeProbeMinutes"]);
      expect(TOP_LEVEL_KEYS).to.include.members(["role", "frontend", "smtpPassword"]);
      const keys =
        "engineVersion, instanceClass, instanceCount, serverlessMinCapacity, serverlessMaxCapacity, backupRetentionDays, databaseName, masterUsername, writerRegion";
      expect(home({ database: "big" })).to.deep.equal([`database: must be a mapping with the keys ${keys}`]);
      expect(home({ database: [] })).to.deep.equal([`database: must be a mapping with the keys ${keys}`]);
      expect(home({ frontend: { minsize: 3 } })).to.deep.equal([
        'frontend.minsize: is not a key of frontend (did you mean "minSize"?)',
      ]);
      // A field set to null is unset: its default applies.
      expect(buildConfig({ ...HOME, frontend: { minSize: null } }).frontend.minSize).to.equal(2);
    });
  });

  describe("one problem per mistake: a value that fails its own check does not make up others", () => {
    it("checks the wiring only when its keys are valid", () => {
      expect(home({ standbyRegions: ["ca-central-1", 5] })).to.deep.equal([
        "standbyRegions[1]: must be a string",
      ]);
      expect(home({ home: "yes" })).to.deep.equal(["home: must be true or false"]);
      expect(standby({ primaryStack: 7 })).to.deep.equal([
        'primaryStack: must be a string (quote it in YAML: "7")',
      ]);
    });
    it("checks the subnets only with a valid VPC range and AZ count", () => {
      expect(home({ vpcCidr: "10.0.0.0/8", subnetCidrMask: 20 })).to.deep.equal([
        "vpcCidr: prefix must be between /16 and /24",
      ]);
      expect(home({ azCount: 4, subnetCidrMask: 27 })).to.deep.equal([
        "azCount: must be an integer from 2 to 3",
      ]);
      expect(home({ vpcCidr: "10.0.0.0/24", subnetCidrMask: 29 })).to.deep.equal([
        "subnetCidrMask: must be an integer of at most 28: at least the VPC's prefix, with room for 3 subnets per AZ",
      ]);
    });
    it("checks a tier's, the database's, mail's, maps' and backup's rules only when their fields are valid", () => {
      expect(home({ frontend: { minSize: -1, maxSize: 1 } })).to.deep.equal([
        "frontend.minSize: must be an integer of at least 0",
      ]);
      expect(
        home({
          database: { instanceClass: "db.serverless", serverlessMinCapacity: 20, serverlessMaxCapacity: 0.3 },
        }),
      ).to.deep.equal(["database.serverlessMaxCapacity: must be a number from 1 to 256 in steps of 0.5"]);
      expect(home({ mail: { provider: "pigeon", fromAddress: "no-reply@other.org" } })).to.deep.equal([
        "mail.provider: must be one of ses, external",
      ]);
      expect(home({ maps: { dataSource: "Google", mapStyle: "VectorHereExplore" } })).to.deep.equal([
        "maps.dataSource: must be one of Esri, Here, Grab",
      ]);
      expect(home({ backup: { copyRetentionDays: 0, dailyRetentionDays: 5 } })).to.deep.equal([
        "backup.copyRetentionDays: must be a positive integer",
      ]);
      expect(home({ alarms: { emails: ["ops@example.com"], dbCpuPercent: 0 } })).to.deep.equal([
        "alarms.dbCpuPercent: must be a positive number of at most 100",
      ]);
    });
    it("checks the names built from the project and stack only once everything else is right", () => {
      expect(home({ stack: "us-east-1-production-blue-green", appPort: 80 })).to.deep.equal([
        "appPort: must not be 80 or 443, which the public ALB listens on",
      ]);
    });
    it("checks the domain against the zone only when both are set", () => {
      expect(home({ hostedZone: undefined, domain: "app.example.org" })).to.deep.equal([
        "hostedZone: is required: a lower-case DNS name",
      ]);
      expect(home({ domain: undefined, hostedZone: "Example.com" })).to.deep.equal([
        "domain: is required: a lower-case DNS name inside hostedZone",
      ]);
    });
  });

  describe("networks", () => {
    it("parses a CIDR whole, octets up to 255, prefixes up to 32", () => {
      for (const bad of ["x10.0.0.0/16", "10.0.0.0/16x", "10.0.0.1000/16", "10.0.0.0/33", "10.0.0.256/32"]) {
        expect(
          problems(() => parseCidr("vpcCidr", bad)),
          bad,
        ).to.deep.equal([`vpcCidr: ${NOT_CIDR}`]);
      }
      expect(parseCidr("vpcCidr", "255.255.255.255/32")).to.deep.equal({ address: 4294967295, prefix: 32 });
      expect(parseCidr("vpcCidr", "10.0.0.16/28")).to.deep.equal({ address: 167772176, prefix: 28 });
      expect(problems(() => parseCidr("vpcCidr", "10.0.0.8/28"))).to.deep.equal([
        "vpcCidr: host bits must be zero (the network address for /28)",
      ]);
    });
    it("tells adjacent ranges from overlapping ones, in either order", () => {
      const [a, b, big] = ["10.0.0.0/16", "10.1.0.0/16", "10.0.0.0/8"].map((c) => parseCidr("vpcCidr", c));
      expect([cidrsOverlap(a, b), cidrsOverlap(b, a)]).to.deep.equal([false, false]);
      expect([cidrsOverlap(big, b), cidrsOverlap(b, big), cidrsOverlap(a, a)]).to.deep.equal([
        true,
        true,
        true,
      ]);
    });
    it("fits three subnets per AZ between the VPC's prefix and /28", () => {
      expect(problems(() => validateSubnetMask("10.0.0.0/16", 20.5, 2))).to.deep.equal([
        "subnetCidrMask: must be an integer between the VPC prefix /16 and /28",
      ]);
      expect(problems(() => validateSubnetMask("10.0.0.0/16", 29, 2))).to.deep.equal([
        "subnetCidrMask: must be an integer between the VPC prefix /16 and /28",
      ]);
      expect(problems(() => validateSubnetMask("10.0.0.0/24", 24, 2))).to.deep.equal([
        "subnetCidrMask: 6 subnets (3 tiers × 2 AZs) of /24 do not fit in 10.0.0.0/24 (room for 1); use a smaller mask number or a larger VPC",
      ]);
      expect(problems(() => validateSubnetMask("10.0.0.0/16", 28, 3))).to.deep.equal([]);
      expect(problems(() => validateSubnetMask("10.0.0.0/24", 28, 3))).to.deep.equal([]);
    });
    it("says how many AZs a region offers only when the catalog knows it", () => {
      expect(problems(() => validateAzCount(4, "eu-fake-1"))).to.deep.equal([
        "azCount: must be an integer from 2 to 3",
      ]);
      expect(problems(() => validateAzCount(3, "us-west-1"))).to.deep.equal([
        "azCount: must be an integer from 2 to 2 (us-west-1 offers 2)",
      ]);
    });
    it("accepts DNS names of lower-case labels, 253 characters at most", () => {
      const label = "a".repeat(63);
      const longest = `${label}.${label}.${label}.${"a".repeat(61)}`;
      expect(longest).to.have.length(253);
      expect(validateDnsName("domain", longest)).to.equal(longest);
      for (const bad of [
        `${longest}a`,
        `${label}a.example.com`,
        "app.Example.com",
        "-app.example.com",
        "app-.example.com",
        "localhost",
        "app..example.com",
        5 as unknown as string,
      ]) {
        expect(
          problems(() => validateDnsName("domain", bad)),
          String(bad),
        ).to.deep.equal([`domain: ${NOT_DNS}`]);
      }
    });
  });

  describe("home and standby", () => {
    const wiring = (over: Partial<Parameters<typeof validateStackWiring>[0]>) =>
      problems(() =>
        validateStackWiring({
          role: "passive",
          home: false,
          primaryStack: "o/p/us-east-1",
          standbyRegions: [],
          region: "ca-central-1",
          selfName: "o/p/ca-central-1",
          ...over,
        }),
      );
    it("wants the home named, fully qualified, and not the stack itself", () => {
      expect(wiring({})).to.deep.equal([]);
      expect(wiring({ primaryStack: "" })).to.deep.equal([
        "primaryStack: a passive stack that is not the home stack must name the home stack as <organization>/<project>/<stack>",
      ]);
      expect(wiring({ primaryStack: undefined, role: "active" })).to.deep.equal([
        "primaryStack: an active stack that is not the home stack must name the home stack as <organization>/<project>/<stack>",
      ]);
      for (const bad of ["a/b/c/d", "/p/s", "o/p/s/", "o p/p/s"]) {
        expect(wiring({ primaryStack: bad }), bad).to.deep.equal([
          "primaryStack: must be a fully qualified stack name <organization>/<project>/<stack>",
        ]);
      }
      expect(wiring({ primaryStack: "o/p/ca-central-1" })).to.deep.equal([
        "primaryStack: must name the home stack, not this stack itself",
      ]);
      expect(wiring({ standbyRegions: ["us-east-1"] })).to.deep.equal([
        "standbyRegions: is set on the home stack only",
      ]);
    });
    it("wants the home's standbys listed once each, none in its own region", () => {
      const ofHome = (over: Partial<Parameters<typeof validateStackWiring>[0]>) =>
        wiring({
          home: true,
          primaryStack: undefined,
          region: "us-east-1",
          standbyRegions: ["ca-central-1"],
          ...over,
        });
      expect(ofHome({})).to.deep.equal([]);
      expect(ofHome({ standbyRegions: ["ca-central-1", "ca-central-1"] })).to.deep.equal([
        "standbyRegions: must not repeat a region",
      ]);
      expect(ofHome({ standbyRegions: ["ca-central-1", "us-east-1"] })).to.deep.equal([
        "standbyRegions: must not include the home region us-east-1",
      ]);
      expect(ofHome({ standbyRegions: [] })).to.deep.equal([
        "standbyRegions: the home stack needs at least one standby region (where secrets and backups are replicated)",
      ]);
      expect(ofHome({ primaryStack: "o/p/s" })).to.deep.equal([
        "primaryStack: must be unset on the home stack (home: true), which owns the global data resources",
      ]);
      expect(ofHome({ standbyRegions: ["eu-west-1", "mars-1"] })).to.deep.equal([
        "standbyRegions[1]: must be an AWS region name such as us-east-1",
      ]);
    });
    it("allows one active region, saying what to do", () => {
      expect(problems(() => validateSingleActive("active", "active", "o/p/us-east-1"))).to.deep.equal([
        "role: the home stack o/p/us-east-1 is active too: one region carries the traffic in steady state (sizing and the DR report follow role); set role passive on the home stack and pulumi up it first (docs/runbook.md, after-care)",
      ]);
    });
  });

  describe("tiers", () => {
    const tier = { ...TIER_DEFAULTS.active, scalingTarget: 50 };
    it("blames the size the user set when the sizes cross, and allows equal sizes", () => {
      expect(home({ frontend: { minSize: 7, maxSize: 5 } })).to.deep.equal([
        "frontend.minSize: must be at most frontend.maxSize (5)",
      ]);
      expect(home({ frontend: { minSize: 3, maxSize: 3 } })).to.deep.equal([]);
      expect(problems(() => validateTierSizing("backend", { ...tier, minSize: 9 }, new Set()))).to.deep.equal(
        ["backend.minSize: must be at most backend.maxSize (6)"],
      );
      expect(
        problems(() => validateTierSizing("backend", { ...tier, minSize: 9 }, new Set(["maxSize"]))),
      ).to.deep.equal(["backend.maxSize: must be at least backend.minSize (9)"]);
    });
    it("checks every field against the schema when called directly", () => {
      expect(problems(() => validateTierSizing("backend", { ...tier, minSize: -1 }))).to.deep.equal([
        "backend.minSize: must be an integer of at least 0",
      ]);
      expect(
        problems(() => validateTierSizing("backend", { ...tier, instanceType: "t3.smal" })),
      ).to.deep.equal([
        `backend.instanceType: is not an EC2 instance type (the provider's aws.ec2.InstanceType) (did you mean "t3.small"?)`,
      ]);
    });
  });

  describe("database", () => {
    it("suggests the usable versions of the major asked for, else all usable versions", () => {
      expect(home({ database: { engineVersion: "14.1" } })).to.deep.equal([
        "database.engineVersion: is not an aurora-postgresql version AWS offers; usable versions: 14.17, 14.18, 14.19, 14.20, 14.22",
      ]);
      expect(home({ database: { engineVersion: "14.6" } })).to.deep.equal([
        "database.engineVersion: does not support global write forwarding, which the standby needs to write before a failover (14.9 or later 14.x, 15.4 or later 15.x, 16 and later); usable versions: 14.17, 14.18, 14.19, 14.20, 14.22",
      ]);
      expect(home({ database: { engineVersion: "9.6" } })).to.deep.equal([
        `database.engineVersion: is not an aurora-postgresql version AWS offers; usable versions: ${ALL_VERSIONS}`,
      ]);
    });
    it("names the sizes of a known family, or the families", () => {
      expect(home({ database: { instanceClass: "db.r6x.large" } })).to.deep.equal([
        `database.instanceClass: is not a DB instance class of Aurora PostgreSQL (did you mean "db.r6g"?); classes: ${CLASS_FAMILIES}; or db.serverless`,
      ]);
      expect(home({ database: { instanceClass: "db.x2g.medium" } })).to.deep.equal([
        "database.instanceClass: is not a DB instance class of Aurora PostgreSQL; db.x2g comes in large, xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, 16xlarge; or db.serverless",
      ]);
      expect(globalDatabaseSupports("db.serverless")).to.equal(true);
      expect(globalDatabaseSupports("db.t4g.medium")).to.equal(false);
    });
    it("compares serverless capacities only for db.serverless, and allows equal ones", () => {
      expect(home({ database: { serverlessMinCapacity: 8, serverlessMaxCapacity: 4 } })).to.deep.equal([]);
      expect(
        home({
          database: { instanceClass: "db.serverless", serverlessMinCapacity: 8, serverlessMaxCapacity: 8 },
        }),
      ).to.deep.equal([]);
      expect(
        home({
          database: { instanceClass: "db.serverless", serverlessMinCapacity: 8, serverlessMaxCapacity: 4 },
        }),
      ).to.deep.equal([
        "database.serverlessMaxCapacity: must be at least database.serverlessMinCapacity (8)",
      ]);
    });
    it("takes database and user names PostgreSQL and RDS accept", () => {
      expect(home({ database: { databaseName: "a".repeat(63) } })).to.deep.equal([]);
      for (const bad of ["1app", "app-x", "App", "a".repeat(64)]) {
        expect(home({ database: { databaseName: bad } }), bad).to.deep.equal([DB_NAME]);
      }
      expect(home({ database: { masterUsername: "a".repeat(16) } })).to.deep.equal([]);
      for (const bad of ["admin", "postgres", "rdsadmin", "1u", "u-x", "a".repeat(17)]) {
        expect(home({ database: { masterUsername: bad } }), bad).to.deep.equal([USERNAME]);
      }
    });
    it("reports every database problem at once", () => {
      const db = DATABASE_DEFAULTS.active;
      expect(
        problems(() =>
          validateDatabase({
            ...db,
            engineVersion: "x",
            instanceClass: "y",
            databaseName: "",
            masterUsername: "",
          }),
        ),
      ).to.deep.equal([
        `database.engineVersion: is not an aurora-postgresql version AWS offers; usable versions: ${ALL_VERSIONS}`,
        `database.instanceClass: is not a DB instance class of Aurora PostgreSQL; classes: ${CLASS_FAMILIES}; or db.serverless`,
        DB_NAME,
        USERNAME,
      ]);
    });
    it("checks per-role bounds for the role it is given", () => {
      const fields = SCHEMA.database.fields;
      expect(problems(() => checkFields("database", { instanceCount: 1 }, fields))).to.deep.equal([
        "database.instanceCount: must be an integer from 2 to 16: an active region needs a writer + reader in different AZs",
      ]);
      expect(problems(() => checkFields("database", { instanceCount: 1 }, fields, "passive"))).to.deep.equal(
        [],
      );
      expect(problems(() => checkFields("database", { instanceCount: undefined }, fields))).to.deep.equal([]);
    });
  });

  describe("mail, maps, alarms, backup and tags", () => {
    const external = {
      provider: "external" as const,
      fromAddress: "a@mail.example.org",
      smtpHost: "smtp.example.org",
      smtpPort: 587,
      smtpUsername: "u",
      smtpPassword: pulumi.output("p"),
    };
    it("sends SES mail from an address at the domain", () => {
      expect(home({ mail: { fromAddress: "a@app.example.com" } })).to.deep.equal([]);
      expect(home({ mail: { fromAddress: "@app.example.com" } })).to.deep.equal([
        "mail.fromAddress: must be an e-mail address",
      ]);
      expect(home({ mail: { fromAddress: "app.example.com" } })).to.deep.equal([
        "mail.fromAddress: must be an e-mail address",
      ]);
      expect(home({ mail: { fromAddress: "a@example.com" } })).to.deep.equal([
        `mail.fromAddress: must be an address at the SES identity's domain "app.example.com"`,
      ]);
      expect(buildConfig(HOME).mail.fromAddress).to.equal("no-reply@app.example.com");
    });
    it("needs every setting of an external provider, from any address", () => {
      expect(problems(() => validateMail(external, "app.example.com"))).to.deep.equal([]);
      const without = (over: object) =>
        problems(() => validateMail({ ...external, ...over }, "app.example.com"));
      expect(without({ smtpHost: undefined })).to.deep.equal([
        "mail.smtpHost: is required when mail.provider is external",
      ]);
      expect(without({ smtpHost: "smtp" })).to.deep.equal([`mail.smtpHost: ${NOT_DNS}`]);
      expect(without({ smtpPort: undefined })).to.deep.equal([
        "mail.smtpPort: is required when mail.provider is external",
      ]);
      expect(without({ smtpUsername: "" })).to.deep.equal([
        "mail.smtpUsername: is required when mail.provider is external",
      ]);
      expect(without({ smtpPassword: undefined })).to.deep.equal([
        "smtpPassword: is required when mail.provider is external; set it with `pulumi config set --secret smtpPassword <password>`",
      ]);
    });
    it("accepts every style of each data provider where it is offered, and only those", () => {
      const count = Object.values(MAP_STYLES).flat().length;
      expect(count).to.equal(13);
      for (const [dataSource, styles] of Object.entries(MAP_STYLES)) {
        const region = dataSource === "Grab" ? "ap-southeast-1" : "us-east-1";
        for (const mapStyle of styles) {
          expect(
            problems(() => validateMaps({ dataSource: dataSource as "Esri", mapStyle }, region)),
            mapStyle,
          ).to.deep.equal([]);
        }
      }
      expect(
        problems(() => validateMaps({ dataSource: "Grab", mapStyle: "VectorEsriStreets" }, "ap-southeast-1")),
      ).to.deep.equal([
        "maps.mapStyle: must be a Grab style: VectorGrabStandardLight, VectorGrabStandardDark",
      ]);
      expect(
        problems(() =>
          validateMaps({ dataSource: "Grab", mapStyle: "VectorGrabStandardLight" }, "us-east-1"),
        ),
      ).to.deep.equal([
        "maps.dataSource: Grab is offered only in ap-southeast-1; use Esri or Here in us-east-1",
      ]);
      expect(
        problems(() => validateMaps({ dataSource: "Here", mapStyle: "VectorHereExplor" }, "us-east-1")),
      ).to.deep.equal([
        'maps.mapStyle: must be a Here style: VectorHereExplore, VectorHereExploreTruck, VectorHereContrast, RasterHereExploreSatellite, HybridHereExploreSatellite (did you mean "VectorHereExplore"?)',
      ]);
    });
    it("takes whole e-mail addresses, each once", () => {
      expect(problems(() => validateEmailList("alarms.emails", ["a@b.co", 5]))).to.deep.equal([
        "alarms.emails[1]: must be an e-mail address",
      ]);
      for (const bad of ["x a@b.co", "a@b.co x", "a@b", "a@@b.co"]) {
        expect(
          problems(() => validateEmailList("alarms.emails", [bad])),
          bad,
        ).to.deep.equal(["alarms.emails[0]: must be an e-mail address"]);
      }
      expect(problems(() => validateEmailList("alarms.emails", "a@b.co"))).to.deep.equal([
        "alarms.emails: must list at least one e-mail address: without a subscriber every alarm notifies nobody",
      ]);
      expect(
        problems(() => validateAlarms({ ...DEFAULTS.alarms, emails: ["a@b.co"], dbCpuPercent: 120 })),
      ).to.deep.equal(["alarms.dbCpuPercent: must be a positive number of at most 100"]);
    });
    it("keeps local restore points at least as long as their copies, blaming what the user set", () => {
      const why = "local restore points must not expire before their cross-region copies";
      expect(problems(() => validateBackup({ ...DEFAULTS.backup, copyRetentionDays: 0 }))).to.deep.equal([
        "backup.copyRetentionDays: must be a positive integer",
      ]);
      expect(problems(() => validateBackup({ ...DEFAULTS.backup, weeklyRetentionDays: 10 }))).to.deep.equal([
        `backup.weeklyRetentionDays: must be at least backup.copyRetentionDays (35): ${why}`,
      ]);
      expect(
        problems(() =>
          validateBackup({ ...DEFAULTS.backup, copyRetentionDays: 100 }, new Set(["copyRetentionDays"])),
        ),
      ).to.deep.equal([`backup.copyRetentionDays: must be at most backup.dailyRetentionDays (35): ${why}`]);
      expect(
        problems(() =>
          validateBackup({
            ...DEFAULTS.backup,
            dailyRetentionDays: 35,
            weeklyRetentionDays: 35,
            copyRetentionDays: 35,
          }),
        ),
      ).to.deep.equal([]);
    });
    it("reads aws:defaultTags as {tags: {key: non-empty string}}", () => {
      expect(validateDefaultTags(undefined)).to.deep.equal({});
      expect(validateDefaultTags('{"tags":{"Owner":"ops"}}')).to.deep.equal({ Owner: "ops" });
      for (const bad of [
        "tags",
        "null",
        "5",
        '{"tags":["a"]}',
        '{"tags":null}',
        '{"tags":"a"}',
        '{"Owner":"a"}',
      ]) {
        expect(
          problems(() => validateDefaultTags(bad)),
          bad,
        ).to.deep.equal([TAGS_SHAPE]);
      }
      const error = problemsOf(catching(() => validateDefaultTags("tags")))![0];
      expect(error.value).to.equal("tags");
      expect(problems(() => validateDefaultTags('{"tags":{"A":"","B":5,"C":"ok"}}'))).to.deep.equal([
        "aws:defaultTags.tags.A: must be a non-empty string (quote it in YAML)",
        "aws:defaultTags.tags.B: must be a non-empty string (quote it in YAML)",
      ]);
    });
  });

  describe("names we build (names.ts)", () => {
    it("fits the database identifiers: a base of 40 characters, not 41", () => {
      expect(home({ project: "p", stack: "s".repeat(38) })).to.deep.equal([]);
      expect(home({ project: "p", stack: "s".repeat(39) })).to.deep.equal([
        `stack name: with the project "p" makes the database identifier base "p-${"s".repeat(39)}" (41 characters); at most 40 fit RDS's 63 with their suffixes: use a shorter stack or project name`,
      ]);
    });
    it("fits the backup vault name: 50 characters of letters, digits, - and _", () => {
      const region = { region: "ap-southeast-1", standbyRegions: ["ca-central-1"], stack: "s" };
      expect(home({ ...region, project: "p".repeat(36) })).to.deep.equal([
        `project name: makes the backup vault name "${"p".repeat(36)}-ap-southeast-1", which AWS Backup does not accept (letters, digits, - and _; at most 50 characters)`,
      ]);
      // 50 characters is a valid vault name; the plan name is what is too long then.
      expect(home({ ...region, project: "p".repeat(35) })).to.deep.equal([
        `standbyRegions: makes the failover plan name "${"p".repeat(35)}-ca-central-1" (48 characters); ARC allows 32: use a shorter project name`,
      ]);
      expect(home({ project: "my project" })).to.deep.equal([
        'project name: makes the backup vault name "my project-us-east-1", which AWS Backup does not accept (letters, digits, - and _; at most 50 characters)',
      ]);
    });
    it("fits the failover plan name: 32 characters, not 33", () => {
      expect(home({ project: "multi-region-web-ap" })).to.deep.equal([]);
    });
  });

  describe("errors (errors.ts)", () => {
    it("a ConfigError names the key and value; ConfigErrors counts several problems, one is itself", () => {
      const one = new ConfigError("appPort", 80, "not 80");
      expect([one.name, one.message]).to.deep.equal(["ConfigError", 'Invalid config "appPort" = 80: not 80']);
      const single = new ConfigErrors([one]);
      expect([single.name, single.message, single.key]).to.deep.equal([
        "ConfigErrors",
        one.message,
        "appPort",
      ]);
      const two = new ConfigErrors([one, new ConfigError("azCount", 4, "2 or 3")]);
      expect(two.message).to.equal(
        '2 config problems:\n  Invalid config "appPort" = 80: not 80\n  Invalid config "azCount" = 4: 2 or 3',
      );
      expect(problemsOf(one)).to.deep.equal([one]);
      expect(problemsOf(two)).to.deep.equal(two.problems);
      expect(problemsOf(new Error("x"))).to.equal(undefined);
    });
    it("Problems records each message once, knows a key by its fields, and lets other errors through", () => {
      const list = new Problems();
      list.add("alarms.emails", [], "at least one");
      list.add("alarms.emails", [], "at least one");
      list.check(() => {
        throw new ConfigErrors([new ConfigError("backup[0]", 1, "x"), new ConfigError("vpcCidr", "x", "y")]);
      });
      expect(list.list.map((p) => p.key)).to.deep.equal(["alarms.emails", "backup[0]", "vpcCidr"]);
      expect(
        ["alarms", "alarms.emails", "backup", "vpcCidr", "vpc", "alarms.e", "emails"].map((k) => list.has(k)),
      ).to.deep.equal([true, true, true, true, false, false, false]);
      expect(list.check(() => 5)).to.equal(5);
      expect(() => list.check((): unknown => JSON.parse("{"))).to.throw(SyntaxError);
      expect(list.passes(() => 1)).to.equal(true);
      expect(() => new Problems().throwIfAny()).to.not.throw();
      expect(() => list.throwIfAny()).to.throw(ConfigErrors, /^3 config problems/);
    });
    it("suggests the nearest allowed value within a third of its length (at least 2 edits)", () => {
      expect(editDistance("kitten", "sitting")).to.equal(3);
      expect(editDistance("", "abc")).to.equal(3);
      expect(editDistance("abc", "")).to.equal(3);
      expect(editDistance("ab", "ba")).to.equal(2);
      expect(nearest("t3.smal", ["t3.small", "t3.large"])).to.equal("t3.small");
      expect(nearest("AZCOUNT", ["azCount"])).to.equal("azCount");
      expect(nearest("xy", ["ab"])).to.equal("ab");
      expect(nearest("xyz", ["abc"])).to.equal(undefined);
      expect(nearest("abcdefghi", ["abcxyzghi"])).to.equal("abcxyzghi");
      expect(nearest("abcdefghi", ["abwxyzghi"])).to.equal(undefined);
      expect(nearest("a", [])).to.equal(undefined);
      expect(didYouMean("t3.smal", ["t3.small"])).to.equal(' (did you mean "t3.small"?)');
      expect(didYouMean("t3.small", ["t3.small"])).to.equal("");
      expect(didYouMean(5, ["5"])).to.equal("");
      expect(didYouMean("zzzzzz", ["a"])).to.equal("");
    });
    it("formats a finding with the line and column it knows", () => {
      const f = { file: "P.yaml", key: "k", message: "bad" };
      expect(formatFinding(f)).to.equal("P.yaml: k: bad");
      expect(formatFinding({ ...f, value: undefined })).to.equal("P.yaml: k: bad");
      expect(formatFinding({ ...f, value: null, line: 3 })).to.equal("P.yaml:3: k = null: bad");
      expect(formatFinding({ ...f, value: "x", line: 3, column: 5 })).to.equal('P.yaml:3:5: k = "x": bad');
    });
  });

  describe("values as the engine passes them (fromEngine)", () => {
    it("reads numbers, booleans and JSON, and leaves what does not parse as the text", () => {
      const spec = (type: string) => ({ type, doc: "" }) as never;
      expect(fromEngine(" 42 ", spec("integer"))).to.equal(42);
      expect(fromEngine("-0.5", spec("number"))).to.equal(-0.5);
      for (const text of ["4x", "x4", "1.", "1.x", "1.5.2"])
        expect(fromEngine(text, spec("number"))).to.equal(text);
      expect(fromEngine("true", spec("boolean"))).to.equal(true);
      expect(fromEngine("false", spec("boolean"))).to.equal(false);
      expect(fromEngine("yes", spec("boolean"))).to.equal("yes");
      expect(fromEngine("42", spec("string"))).to.equal("42");
      expect(fromEngine('["a"]', spec("stringList"))).to.deep.equal(["a"]);
      expect(fromEngine("[a", spec("stringList"))).to.equal("[a");
    });
  });

  describe("loadConfig: the program's config, as the engine hands it over", () => {
    it("builds the stack's config and wraps the SMTP password as a secret", async () => {
      let seen: { region?: string; home?: boolean; secret?: boolean; password?: string } = {};
      await runProgram(
        () => {
          const cfg = loadConfig();
          seen = { region: cfg.region, home: cfg.home };
          cfg.mail.smtpPassword?.apply((p) => (seen.password = p));
          void pulumi.isSecret(cfg.mail.smtpPassword!).then((s) => (seen.secret = s));
          return {};
        },
        {
          stack: "ca-central-1",
          config: {
            "aws:region": "ca-central-1",
            "multi-region-web:role": "passive",
            "multi-region-web:primaryStack": "organization/multi-region-web/us-east-1",
            "multi-region-web:domain": "app.example.com",
            "multi-region-web:hostedZone": "example.com",
            "multi-region-web:alarms": '{"emails":["ops@example.com"]}',
            "multi-region-web:mail":
              '{"provider":"external","fromAddress":"a@x.org","smtpHost":"smtp.x.org","smtpPort":587,"smtpUsername":"u"}',
            "multi-region-web:smtpPassword": "s3cr3t",
          },
        },
      );
      expect(seen).to.deep.equal({ region: "ca-central-1", home: false, password: "s3cr3t", secret: true });
    });
  });
  describe("the generic checks, the network wiring, names and engine values, at their edges", () => {
    it("checkScalar: quotes a number given for a string, and only a number; bounds as the spec says", () => {
      const string = { type: "string", doc: "" } as never;
      expect(problems(() => checkScalar("k", 5, string, "active"))).to.deep.equal([
        'k: must be a string (quote it in YAML: "5")',
      ]);
      expect(problems(() => checkScalar("k", true, string, "active"))).to.deep.equal(["k: must be a string"]);
      expect(home({ domain: true })).to.deep.equal(["domain: must be a string"]);
      const number = (over: object) => ({ type: "number", doc: "", ...over }) as never;
      expect(problems(() => checkScalar("k", 0.5, number({ min: 1 }), "active"))).to.deep.equal([
        "k: must be a number of at least 1",
      ]);
      expect(problems(() => checkScalar("k", 1, number({ min: 1 }), "active"))).to.deep.equal([]);
      expect(problems(() => checkScalar("k", 0, number({ positive: true }), "active"))).to.deep.equal([
        "k: must be a positive number",
      ]);
      expect(problems(() => checkScalar("k", 101, number({ max: 100 }), "active"))).to.deep.equal([
        "k: must be a number of at most 100",
      ]);
      expect(problems(() => checkScalar("k", 0.75, number({ step: 0.5 }), "active"))).to.deep.equal([
        "k: must be a number in steps of 0.5",
      ]);
      expect(problems(() => checkScalar("k", 1.5, number({ step: 0.5 }), "active"))).to.deep.equal([]);
    });

    it("reads a structured key only as a mapping", () => {
      expect(home({ maps: "Esri" })).to.deep.equal([
        "maps: must be a mapping with the keys dataSource, mapStyle",
      ]);
      expect(home({ maps: 5 })).to.deep.equal(["maps: must be a mapping with the keys dataSource, mapStyle"]);
      expect(home({ maps: null })).to.deep.equal([
        "maps: must be a mapping with the keys dataSource, mapStyle",
      ]);
    });

    it("checks the subnets only once the VPC CIDR, the AZ count and the mask are each sound", () => {
      expect(
        home({ region: "us-west-1", azCount: 3, vpcCidr: "10.0.0.0/16", subnetCidrMask: 19 }),
      ).to.deep.equal(["azCount: must be an integer from 2 to 2 (us-west-1 offers 2)"]);
      expect(home({ vpcCidr: "10.0.0.0/8", subnetCidrMask: "x" })).to.deep.equal([
        "subnetCidrMask: must be an integer",
        "vpcCidr: prefix must be between /16 and /24",
      ]);
    });

    it("takes only a whole e-mail address string, each once", () => {
      expect(problems(() => validateEmailList("alarms.emails", [["a@b.co"]]))).to.deep.equal([
        "alarms.emails[0]: must be an e-mail address",
      ]);
      expect(problems(() => validateEmailList("alarms.emails", ["a@b.co", "A@B.co"]))).to.deep.equal([
        "alarms.emails[1]: repeats an earlier address (addresses are case-insensitive)",
      ]);
    });

    it("lists every style of the data provider when the style is not one of them", () => {
      expect(
        problems(() => validateMaps({ dataSource: "Esri", mapStyle: "Streets" }, "us-east-1")),
      ).to.deep.equal([
        "maps.mapStyle: must be a Esri style: VectorEsriStreets, VectorEsriNavigation, VectorEsriTopographic, VectorEsriDarkGrayCanvas, VectorEsriLightGrayCanvas, RasterEsriImagery",
      ]);
    });

    it("names: the failover plan name ARC takes, letters, digits and inner hyphens", () => {
      expect(home({ project: "my_app" })).to.deep.equal([
        'project name: makes the failover plan name "my_app-ca-central-1", which ARC does not accept (letters, digits and hyphens, a letter or digit at both ends): rename the project',
      ]);
      for (const good of ["a", "ab", "a-b", "A1", `a${"-".repeat(30)}b`]) {
        expect(PLAN_NAME_PATTERN.test(good), good).to.equal(true);
      }
      for (const bad of ["", "-a", "a-", "ab-", "-ab", "a_b", "a b", `a${"b".repeat(32)}`]) {
        expect(PLAN_NAME_PATTERN.test(bad), bad).to.equal(false);
      }
    });

    it("engine values: only the plain forms of numbers and booleans are read as such", () => {
      const spec = (type: string) => ({ type, doc: "" }) as never;
      expect(fromEngine("1e3", spec("integer"))).to.equal("1e3");
      expect(fromEngine("1e3", spec("number"))).to.equal("1e3");
      expect(fromEngine("1.25", spec("number"))).to.equal(1.25);
      expect(fromEngine(" true", spec("boolean"))).to.equal(" true");
      expect(fromEngine("null", spec("boolean"))).to.equal("null");
    });

    it("scalar: a key of the home stack only is refused on a standby, and the other way round", () => {
      const schema = {
        homeOnly: { type: "integer", doc: "", default: { value: 1 }, scope: "home" },
        standbyOnly: { type: "integer", doc: "", default: { value: 1 }, scope: "standby" },
      } as never;
      const read = (key: string, home: boolean) => {
        const found = new Problems();
        const value = scalar(schema, { [key]: 5 }, key, { role: "active", home }, found);
        return [value, ...found.list.map((p) => `${p.key}: ${p.allowed}`)];
      };
      expect(read("homeOnly", true)).to.deep.equal([5]);
      expect(read("homeOnly", false)).to.deep.equal([
        1,
        "homeOnly: is set on home stacks only (this stack is a standby)",
      ]);
      expect(read("standbyOnly", false)).to.deep.equal([5]);
      expect(read("standbyOnly", true)).to.deep.equal([
        1,
        "standbyOnly: is set on standby stacks only (this stack is the home)",
      ]);
    });

    it("readEngineValues: this project's keys, typed; secrets left to the caller, other namespaces skipped", () => {
      const found = new Problems();
      const raw = readEngineValues(
        "multi-region-web",
        {
          "aws:region": "us-east-1",
          "other:appPort": "1",
          "multi-region-web:appPort": "8081",
          "multi-region-web:smtpPassword": "s3cr3t",
        },
        SCHEMA as never,
        found,
      );
      expect(raw).to.deep.equal({ appPort: 8081 });
      expect(found.has("smtpPassword")).to.equal(false);
    });

    it("lists the known keys when no key is near an unknown one", () => {
      expect(unknownKeyHint("zzzzzzzz", ["appPort", "azCount"])).to.equal("; known keys: appPort, azCount");
      expect(unknownKeyHint("appport", ["appPort", "azCount"])).to.equal(' (did you mean "appPort"?)');
    });
  });
});

function catching(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}
