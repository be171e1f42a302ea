/** Config validation: pure functions, no mocks. Every rule is tested with a bad and a good value. */
import { expect } from "chai";
import * as YAML from "yaml";
import {
  buildConfig,
  configFromEngine,
  ConfigErrors,
  ConfigError,
  parseCidr,
  RawConfig,
  TIER_DEFAULTS,
  validateAzCount,
  validateDomainInZone,
  validateSingleActive,
  validateStandbyRegion,
  validateSubnetMask,
  validateVpcCidr,
} from "../config";
import { fixtureText, HOME_CONFIG as HOME, STANDBY_CONFIG as STANDBY } from "./helpers";

/** Asserts that `fn` throws a ConfigError naming `key`, the value, and containing `allowed`. */
function expectConfigError(fn: () => unknown, key: string, allowed?: RegExp): ConfigError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, `expected a ConfigError for ${key}`).to.be.instanceOf(ConfigError);
  const configError = error as ConfigError;
  expect(configError.key).to.equal(key);
  expect(configError.message).to.contain(`"${key}"`);
  expect(configError.message).to.contain(JSON.stringify(configError.value) ?? "undefined");
  if (allowed) expect(configError.message).to.match(allowed);
  return configError;
}

describe("config", () => {
  describe("role", () => {
    it("rejects an unknown role, naming what is allowed", () => {
      const err = expectConfigError(
        () => buildConfig({ ...HOME, role: "primary" }),
        "role",
        /active, passive/,
      );
      expect(err.value).to.equal("primary");
    });
    it("rejects a missing role", () => {
      expectConfigError(() => buildConfig({ ...HOME, role: undefined }), "role");
    });
    it("applies the design's sizing table for each role", () => {
      const active = buildConfig(HOME);
      const passive = buildConfig(STANDBY);
      expect([
        active.frontend.minSize,
        active.frontend.desiredCapacity,
        active.frontend.maxSize,
      ]).to.deep.equal([2, 2, 6]);
      expect([active.backend.minSize, active.backend.desiredCapacity, active.backend.maxSize]).to.deep.equal([
        2, 2, 6,
      ]);
      expect([
        passive.frontend.minSize,
        passive.frontend.desiredCapacity,
        passive.frontend.maxSize,
      ]).to.deep.equal([1, 1, 6]);
      expect([
        passive.backend.minSize,
        passive.backend.desiredCapacity,
        passive.backend.maxSize,
      ]).to.deep.equal([1, 1, 6]);
      expect(active.database.instanceCount).to.equal(2);
      expect(passive.database.instanceCount).to.equal(1);
    });
    it("lets stack config override one sizing field and keeps the role default for the rest", () => {
      const cfg = buildConfig({ ...STANDBY, frontend: { maxSize: 10 } });
      expect(cfg.frontend.maxSize).to.equal(10);
      expect(cfg.frontend.minSize).to.equal(TIER_DEFAULTS.passive.minSize);
      expect(cfg.frontend.scalingTarget).to.equal(50);
    });
    it("defaults the scaling target per metric", () => {
      const cfg = buildConfig({ ...HOME, backend: { scalingMetric: "requestCount" } });
      expect(cfg.backend.scalingTarget).to.equal(1000);
    });
  });

  describe("CIDR", () => {
    it("rejects malformed CIDRs", () => {
      for (const bad of ["10.0.0.0", "10.0.0/16", "10.0.0.256/16", "ten/16", "10.0.0.0/33", ""]) {
        expectConfigError(() => parseCidr("vpcCidr", bad), "vpcCidr", /IPv4 CIDR/);
      }
    });
    it("rejects host bits set", () => {
      expectConfigError(() => parseCidr("vpcCidr", "10.0.1.0/16"), "vpcCidr", /host bits/);
    });
    it("accepts /16 to /24 and rejects prefixes outside", () => {
      expect(validateVpcCidr("10.0.0.0/16").prefix).to.equal(16);
      expect(validateVpcCidr("10.0.0.0/24").prefix).to.equal(24);
      expectConfigError(() => validateVpcCidr("10.0.0.0/15"), "vpcCidr", /between \/16 and \/24/);
      expectConfigError(() => validateVpcCidr("10.0.0.0/25"), "vpcCidr", /between \/16 and \/24/);
      expectConfigError(() => buildConfig({ ...HOME, vpcCidr: "10.0.0.0/8" }), "vpcCidr");
    });
    it("rejects subnets that do not fit the VPC", () => {
      validateSubnetMask("10.0.0.0/16", 20, 3);
      expectConfigError(() => validateSubnetMask("10.0.0.0/24", 26, 3), "subnetCidrMask", /do not fit/);
      expectConfigError(() => validateSubnetMask("10.0.0.0/16", 12, 2), "subnetCidrMask");
      expectConfigError(
        () => buildConfig({ ...HOME, vpcCidr: "10.0.0.0/24", subnetCidrMask: 26, azCount: 3 }),
        "subnetCidrMask",
      );
    });
  });

  describe("sizing", () => {
    it("rejects a desired capacity outside the sizes, naming it", () => {
      expectConfigError(
        () => buildConfig({ ...HOME, frontend: { minSize: 3, desiredCapacity: 2 } }),
        "frontend.desiredCapacity",
        /must be from frontend.minSize \(3\) to frontend.maxSize \(6\)/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, backend: { desiredCapacity: 7, maxSize: 6 } }),
        "backend.desiredCapacity",
        /must be from backend.minSize \(2\) to backend.maxSize \(6\)/,
      );
    });
    it("holds an unset desired capacity within the sizes the user set, instead of blaming it", () => {
      expect(buildConfig({ ...HOME, frontend: { minSize: 3 } }).frontend.desiredCapacity).to.equal(3);
      expect(
        buildConfig({ ...HOME, frontend: { minSize: 0, maxSize: 1 } }).frontend.desiredCapacity,
      ).to.equal(1);
    });
    it("blames the size the user set when minSize exceeds maxSize", () => {
      expectConfigError(
        () => buildConfig({ ...HOME, frontend: { minSize: 7 } }),
        "frontend.minSize",
        /must be at most frontend.maxSize \(6\)/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, frontend: { maxSize: 1 } }),
        "frontend.maxSize",
        /must be at least frontend.minSize \(2\)/,
      );
    });
    it("rejects non-integer and negative sizes, and a bad metric or target", () => {
      expectConfigError(() => buildConfig({ ...HOME, frontend: { minSize: -1 } }), "frontend.minSize");
      expectConfigError(
        () => buildConfig({ ...HOME, frontend: { maxSize: "6" as unknown as number } }),
        "frontend.maxSize",
      );
      expectConfigError(
        () => buildConfig({ ...HOME, frontend: { scalingMetric: "memory" as "cpu" } }),
        "frontend.scalingMetric",
        /cpu, requestCount/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, frontend: { scalingTarget: 150 } }),
        "frontend.scalingTarget",
      );
      expectConfigError(
        () => buildConfig({ ...HOME, frontend: { instanceType: "large" } }),
        "frontend.instanceType",
      );
    });
  });

  describe("azCount", () => {
    it("accepts 2 and 3, rejects outside 2–3", () => {
      expect(validateAzCount(2, "us-east-1")).to.equal(2);
      expect(validateAzCount(3, "ca-central-1")).to.equal(3);
      expectConfigError(() => validateAzCount(1, "us-east-1"), "azCount", /from 2 to 3/);
      expectConfigError(() => validateAzCount(4, "us-east-1"), "azCount", /from 2 to 3/);
      expectConfigError(() => validateAzCount(2.5, "us-east-1"), "azCount");
    });
    it("rejects more AZs than the region offers", () => {
      expectConfigError(() => validateAzCount(3, "us-west-1"), "azCount", /us-west-1 offers 2/);
    });
  });

  describe("domain", () => {
    it("rejects a domain outside the hosted zone", () => {
      expectConfigError(
        () => validateDomainInZone("app.example.org", "example.com"),
        "domain",
        /inside the hosted zone "example.com"/,
      );
      expectConfigError(() => validateDomainInZone("badexample.com", "example.com"), "domain");
    });
    it("accepts the apex and names inside the zone", () => {
      validateDomainInZone("example.com", "example.com");
      validateDomainInZone("app.eu.example.com", "example.com");
    });
    it("rejects malformed names and a trailing dot", () => {
      expectConfigError(() => validateDomainInZone("app.example.com.", "example.com"), "domain");
      expectConfigError(() => validateDomainInZone("App.Example.com", "example.com"), "domain");
      expectConfigError(() => buildConfig({ ...HOME, hostedZone: "example" }), "hostedZone");
      expectConfigError(() => buildConfig({ ...HOME, domain: undefined }), "domain", /required/);
    });
  });

  describe("ports", () => {
    it("rejects non-positive and out-of-range ports", () => {
      for (const bad of [0, -8080, 65536, 80.5]) {
        expectConfigError(() => buildConfig({ ...HOME, appPort: bad }), "appPort", /1 to 65535/);
      }
    });
    it("rejects the public listener ports as app port", () => {
      expectConfigError(() => buildConfig({ ...HOME, appPort: 443 }), "appPort", /80 or 443/);
    });
    it("accepts a valid port", () => {
      expect(buildConfig({ ...HOME, appPort: 3000 }).appPort).to.equal(3000);
    });
  });

  describe("stack wiring", () => {
    it("rejects a passive stack without primaryStack", () => {
      expectConfigError(
        () => buildConfig({ ...STANDBY, primaryStack: undefined }),
        "primaryStack",
        /must name the home stack/,
      );
    });
    it("rejects a primaryStack that is not fully qualified, or names itself", () => {
      expectConfigError(
        () => buildConfig({ ...STANDBY, primaryStack: "us-east-1" }),
        "primaryStack",
        /fully qualified/,
      );
      expectConfigError(
        () => buildConfig({ ...STANDBY, primaryStack: "organization/multi-region-web/ca-central-1" }),
        "primaryStack",
        /not this stack itself/,
      );
    });
    it("rejects primaryStack on the home stack", () => {
      expectConfigError(
        () => buildConfig({ ...HOME, primaryStack: "organization/multi-region-web/x" }),
        "primaryStack",
        /home/,
      );
    });
    it("requires standby regions on the home stack, and only there", () => {
      expectConfigError(() => buildConfig({ ...HOME, standbyRegions: [] }), "standbyRegions", /at least one/);
      expectConfigError(
        () => buildConfig({ ...HOME, standbyRegions: ["us-east-1"] }),
        "standbyRegions",
        /home region/,
      );
      expectConfigError(() => buildConfig({ ...HOME, standbyRegions: ["canada"] }), "standbyRegions[0]");
      expectConfigError(
        () => buildConfig({ ...STANDBY, standbyRegions: ["us-east-1"] }),
        "standbyRegions",
        /home stack only/,
      );
    });
    it("keeps the home stack home when its role flips to passive (failover)", () => {
      const cfg = buildConfig({ ...HOME, role: "passive" });
      expect(cfg.home).to.equal(true);
      expect(cfg.frontend.minSize).to.equal(1);
      expect(cfg.database.instanceCount).to.equal(1);
    });
    it("gives a promoted standby the active sizing, a writer and a reader included", () => {
      const cfg = buildConfig({ ...STANDBY, role: "active" });
      expect(cfg.home).to.equal(false);
      expect(cfg.frontend.minSize).to.equal(2);
      expect(cfg.database.instanceCount).to.equal(2);
      expectConfigError(
        () => buildConfig({ ...STANDBY, role: "active", database: { instanceCount: 1 } }),
        "database.instanceCount",
        /writer \+ reader/,
      );
    });
    it("rejects a second active region: a standby may be active only once the home is passive", () => {
      expectConfigError(
        () => validateSingleActive("active", "active", "organization/multi-region-web/us-east-1"),
        "role",
        /home stack organization\/multi-region-web\/us-east-1 is active too/,
      );
      validateSingleActive("active", "passive", "organization/multi-region-web/us-east-1");
      validateSingleActive("passive", "active", "organization/multi-region-web/us-east-1");
    });
    it("rejects a standby in the home region", () => {
      expectConfigError(
        () => validateStandbyRegion("us-east-1", "us-east-1"),
        "aws:region",
        /other than the home region/,
      );
      validateStandbyRegion("ca-central-1", "us-east-1");
    });
  });

  describe("other keys", () => {
    it("rejects bad health check settings", () => {
      expectConfigError(
        () => buildConfig({ ...HOME, healthCheckInterval: 20 }),
        "healthCheckInterval",
        /10, 30/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, healthCheckFailureThreshold: 0 }),
        "healthCheckFailureThreshold",
      );
      expectConfigError(
        () => buildConfig({ ...HOME, healthCheckFailureThreshold: 11 }),
        "healthCheckFailureThreshold",
      );
    });
    it("rejects a log retention CloudWatch does not accept", () => {
      expectConfigError(() => buildConfig({ ...HOME, logRetentionDays: 100 }), "logRetentionDays", /90/);
    });
    it("rejects map data sources and styles the region does not offer", () => {
      expectConfigError(
        () => buildConfig({ ...HOME, maps: { dataSource: "Google" } }),
        "maps.dataSource",
        /Esri, Here, Grab/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, maps: { dataSource: "Grab" } }),
        "maps.dataSource",
        /ap-southeast-1/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, maps: { mapStyle: "VectorEsriStreet" } }),
        "maps.mapStyle",
        /VectorEsriStreets/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, maps: { mapStyle: "VectorGrabStandardLight" } }),
        "maps.mapStyle",
      );
      expect(
        buildConfig({ ...HOME, maps: { dataSource: "Here", mapStyle: "VectorHereExplore" } }).maps.dataSource,
      ).to.equal("Here");
    });
    it("rejects a WAF rate limit below the minimum", () => {
      expectConfigError(() => buildConfig({ ...HOME, wafRateLimit: 50 }), "wafRateLimit", /from 100 to/);
    });
    it("rejects database settings AWS or the design does not allow", () => {
      expectConfigError(
        () => buildConfig({ ...HOME, database: { instanceCount: 1 } }),
        "database.instanceCount",
        /writer \+ reader/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, database: { backupRetentionDays: 3 } }),
        "database.backupRetentionDays",
        /7 to 35/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, database: { masterUsername: "postgres" } }),
        "database.masterUsername",
      );
      expectConfigError(
        () => buildConfig({ ...HOME, database: { engineVersion: "latest" } }),
        "database.engineVersion",
      );
      expectConfigError(
        () =>
          buildConfig({
            ...HOME,
            database: { instanceClass: "db.serverless", serverlessMinCapacity: 8, serverlessMaxCapacity: 4 },
          }),
        "database.serverlessMaxCapacity",
      );
      expect(
        buildConfig({ ...STANDBY, database: { instanceClass: "db.serverless" } }).database.instanceClass,
      ).to.equal("db.serverless");
    });
    it("requires the external mail provider's settings and secret", () => {
      expectConfigError(() => buildConfig({ ...HOME, mail: { provider: "external" } }), "mail.smtpHost");
      expectConfigError(
        () =>
          buildConfig({
            ...HOME,
            mail: {
              provider: "external",
              smtpHost: "smtp.mail.example.net",
              smtpPort: 587,
              smtpUsername: "u",
            },
          }),
        "smtpPassword",
        /pulumi config set --secret smtpPassword/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, mail: { provider: "ses", fromAddress: "a@other.org" } }),
        "mail.fromAddress",
      );
      expectConfigError(
        () => buildConfig({ ...HOME, mail: { provider: "pigeon" as "ses" } }),
        "mail.provider",
        /ses, external/,
      );
    });
    it("rejects non-positive alarm thresholds", () => {
      const withAlarms = (a: RawConfig["alarms"]) =>
        buildConfig({ ...HOME, alarms: { ...HOME.alarms, ...a } });
      expectConfigError(
        () => withAlarms({ p99ResponseTimeSeconds: 0 }),
        "alarms.p99ResponseTimeSeconds",
        /positive/,
      );
      expectConfigError(() => withAlarms({ unhealthyHosts: -1 }), "alarms.unhealthyHosts");
      expectConfigError(() => withAlarms({ dbCpuPercent: 120 }), "alarms.dbCpuPercent", /at most 100/);
      expect(withAlarms({ p99ResponseTimeSeconds: 0.5 }).alarms.p99ResponseTimeSeconds).to.equal(0.5);
    });
    it("rejects fractional counts, and alarms that notify nobody", () => {
      const withAlarms = (a: RawConfig["alarms"]) =>
        buildConfig({ ...HOME, alarms: { ...HOME.alarms, ...a } });
      expectConfigError(
        () => withAlarms({ wafBlockedRequests: 2.5 }),
        "alarms.wafBlockedRequests",
        /a positive integer/,
      );
      expectConfigError(() => withAlarms({ emails: [] }), "alarms.emails", /notifies nobody/);
      expectConfigError(() => buildConfig({ ...HOME, alarms: undefined }), "alarms.emails", /at least one/);
      expectConfigError(() => withAlarms({ emails: ["not-an-address"] }), "alarms.emails[0]");
      expectConfigError(
        () => withAlarms({ emails: ["a@example.com", "A@example.com"] }),
        "alarms.emails[1]",
        /repeats/,
      );
    });
    it("rejects a backup retention shorter than its cross-region copy", () => {
      expectConfigError(
        () => buildConfig({ ...HOME, backup: { dailyRetentionDays: 7, copyRetentionDays: 35 } }),
        "backup.dailyRetentionDays",
        /copyRetentionDays \(35\)/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, backup: { weeklyRetentionDays: 0 } }),
        "backup.weeklyRetentionDays",
      );
    });
  });

  describe("failover settings: NAT gateways, the home probe, write forwarding", () => {
    it("gives the home one NAT gateway per AZ and a standby one, whatever the role", () => {
      expect(buildConfig(HOME).natGateways).to.equal("onePerAz");
      expect(buildConfig(STANDBY).natGateways).to.equal("single");
      expect(buildConfig({ ...HOME, role: "passive" }).natGateways).to.equal("onePerAz");
      expect(buildConfig({ ...STANDBY, natGateways: "onePerAz" }).natGateways).to.equal("onePerAz");
      expect(buildConfig({ ...HOME, natGateways: "single" }).natGateways).to.equal("single");
      expectConfigError(() => buildConfig({ ...HOME, natGateways: "OnePerAz" }), "natGateways");
      expectConfigError(() => buildConfig({ ...HOME, natGateways: "none" }), "natGateways");
    });

    it("probes the home for 3 minutes by default, 1 to 10 on a standby, and never on the home", () => {
      expect(buildConfig(STANDBY).homeProbeMinutes).to.equal(3);
      expect(buildConfig({ ...STANDBY, homeProbeMinutes: 1 }).homeProbeMinutes).to.equal(1);
      expect(buildConfig({ ...STANDBY, homeProbeMinutes: 10 }).homeProbeMinutes).to.equal(10);
      for (const bad of [0, 11, 2.5]) {
        expectConfigError(() => buildConfig({ ...STANDBY, homeProbeMinutes: bad }), "homeProbeMinutes");
      }
      expectConfigError(() => buildConfig({ ...HOME, homeProbeMinutes: 3 }), "homeProbeMinutes");
    });
  });

  describe("what AWS accepts (catalog)", () => {
    it("accepts only engine versions AWS offers with global databases and write forwarding", () => {
      for (const good of ["14.17", "15.10", "16.13", "17.9", "18.3"]) {
        expect(() => buildConfig({ ...HOME, database: { engineVersion: good } }), good).to.not.throw();
      }
      // 16.6 has left AWS's release calendar; the suggestion stays in the major the user chose.
      const gone = expectConfigError(
        () => buildConfig({ ...HOME, database: { engineVersion: "16.6" } }),
        "database.engineVersion",
        /not an aurora-postgresql version AWS offers; usable versions: 16.8, 16.9, 16.10, 16.11, 16.13$/,
      );
      expect(gone.value).to.equal("16.6");
      for (const bad of ["13.23", "12.22", "14.6"]) {
        expectConfigError(
          () => buildConfig({ ...HOME, database: { engineVersion: bad } }),
          "database.engineVersion",
          /does not support global write forwarding/,
        );
      }
      expectConfigError(
        () => buildConfig({ ...HOME, database: { engineVersion: "latest" } }),
        "database.engineVersion",
        /17.9/,
      );
    });
    it("accepts only instance classes Aurora PostgreSQL global databases support", () => {
      for (const good of ["db.r6g.large", "db.r7g.2xlarge", "db.r8g.48xlarge", "db.serverless"]) {
        expect(() => buildConfig({ ...HOME, database: { instanceClass: good } }), good).to.not.throw();
      }
      expectConfigError(
        () => buildConfig({ ...HOME, database: { instanceClass: "db.r6g.medium" } }),
        "database.instanceClass",
        /not a DB instance class of Aurora PostgreSQL; db.r6g comes in large, xlarge, /,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, database: { instanceClass: "db.t4g.medium" } }),
        "database.instanceClass",
        /global databases do not support/,
      );
    });
    it("accepts only EC2 instance types and regions the provider knows, suggesting the nearest", () => {
      expect(
        buildConfig({ ...HOME, frontend: { instanceType: "t4g.small" } }).frontend.instanceType,
      ).to.equal("t4g.small");
      expectConfigError(
        () => buildConfig({ ...HOME, frontend: { instanceType: "t3.smal" } }),
        "frontend.instanceType",
        /did you mean "t3.small"/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, region: "us-east-7" }),
        "aws:region",
        /did you mean "us-east-1"/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, standbyRegions: ["ca-centrl-1"] }),
        "standbyRegions[0]",
        /ca-central-1/,
      );
    });
  });

  describe("field types of structured keys", () => {
    it("rejects an unquoted engine version (YAML makes it a number), saying to quote it", () => {
      expectConfigError(
        () => buildConfig({ ...HOME, database: { engineVersion: 16.6 as unknown as string } }),
        "database.engineVersion",
        /must be a string \(quote it in YAML: "16.6"\)/,
      );
    });
    it("rejects a string where a boolean or number belongs, instead of treating it as truthy", () => {
      expectConfigError(
        () => buildConfig({ ...HOME, backup: { vaultLock: "false" as unknown as boolean } }),
        "backup.vaultLock",
        /must be true or false/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, alarms: { ...HOME.alarms, dbCpuPercent: "80" as unknown as number } }),
        "alarms.dbCpuPercent",
        /must be a number/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, mail: { fromAddress: 7 as unknown as string } }),
        "mail.fromAddress",
        /must be a string/,
      );
      expectConfigError(
        () => buildConfig({ ...HOME, frontend: { scalingTarget: "50" as unknown as number } }),
        "frontend.scalingTarget",
      );
      expectConfigError(
        () => buildConfig({ ...HOME, alarms: { emails: "ops@example.com" as unknown as string[] } }),
        "alarms.emails",
        /must be a list of strings/,
      );
    });
  });

  describe("a warm standby that costs a third of the active region", () => {
    it("runs Graviton instances, and a standby database on Aurora Serverless v2 at 0.5 ACU", () => {
      const home = buildConfig(HOME);
      const standby = buildConfig(STANDBY);
      expect([home.frontend.instanceType, home.backend.instanceType]).to.deep.equal([
        "t4g.small",
        "t4g.small",
      ]);
      expect(standby.frontend.instanceType).to.equal("t4g.small");
      expect(home.database).to.include({ instanceClass: "db.r6g.large", instanceCount: 2 });
      expect(standby.database).to.include({
        instanceClass: "db.serverless",
        instanceCount: 1,
        serverlessMinCapacity: 0.5,
        serverlessMaxCapacity: 16,
      });
      // x86 and a provisioned standby stay a choice.
      expect(
        buildConfig({ ...STANDBY, frontend: { instanceType: "t3.small" } }).frontend.instanceType,
      ).to.equal("t3.small");
      expect(
        buildConfig({ ...STANDBY, database: { instanceClass: "db.r6g.large" } }).database.instanceClass,
      ).to.equal("db.r6g.large");
    });
    it("holds a Serverless v2 home to AWS's recommended 8 ACUs for a global database's primary", () => {
      expect(
        buildConfig({ ...HOME, database: { instanceClass: "db.serverless" } }).database.serverlessMinCapacity,
      ).to.equal(8);
      expectConfigError(
        () =>
          buildConfig({ ...HOME, database: { instanceClass: "db.serverless", serverlessMinCapacity: 4 } }),
        "database.serverlessMinCapacity",
        /at least 8 ACUs on the home stack/,
      );
      expect(
        buildConfig({ ...STANDBY, database: { serverlessMinCapacity: 0.5 } }).database.serverlessMinCapacity,
      ).to.equal(0.5);
    });
  });

  describe("names we build from the project, stack and region", () => {
    it("rejects a stack name that would make the database identifiers longer than RDS allows", () => {
      const stack = "us-east-1-production-blue-green";
      const err = expectConfigError(() => buildConfig({ ...HOME, stack }), "stack name", /at most 40/);
      expect(err.message).to.contain("multi-region-web-us-east-1-production-blue-green");
    });
    it("rejects a project name that makes a failover plan name longer than ARC's 32 characters", () => {
      expectConfigError(
        () => buildConfig({ ...HOME, project: "multi-region-web-app" }),
        "standbyRegions",
        /"multi-region-web-app-ca-central-1" \(33 characters\); ARC allows 32/,
      );
      expect(() => buildConfig({ ...HOME, project: "multi-region-web" })).to.not.throw();
    });
  });

  describe("values as the engine hands them over", () => {
    const engine = (values: Record<string, string>) =>
      configFromEngine({
        project: "multi-region-web",
        stack: "us-east-1",
        organization: "organization",
        values: {
          "aws:region": "us-east-1",
          "multi-region-web:role": "active",
          "multi-region-web:home": "true",
          "multi-region-web:standbyRegions": '["ca-central-1"]',
          "multi-region-web:domain": "app.example.com",
          "multi-region-web:hostedZone": "example.com",
          "multi-region-web:alarms": '{"emails":["ops@example.com"]}',
          ...values,
        },
      });
    it("reads the fixture home stack's values", () => {
      const cfg = engine({ "multi-region-web:azCount": "3" });
      expect(cfg.azCount).to.equal(3);
      expect(cfg.home).to.equal(true);
      expect(cfg.standbyRegions).to.deep.equal(["ca-central-1"]);
    });
    it("rejects a misspelt top-level key instead of silently using a default, suggesting the right one", () => {
      expectConfigError(
        () => engine({ "multi-region-web:azcount": "3" }),
        "azcount",
        /not a key of this project \(did you mean "azCount"\?\)/,
      );
    });
    it("names a structured key's field written as a key of its own (mis-indented YAML) as a field to indent", () => {
      // Not "did you mean mail?": the nearest top-level key is not the mistake.
      expectConfigError(
        () => engine({ "multi-region-web:emails": '["ops@example.com"]' }),
        "emails",
        /: is not a key of this project but a field of alarms: indent it under alarms$/,
      );
      expectConfigError(
        () => engine({ "multi-region-web:maxSize": "4" }),
        "maxSize",
        /: is not a key of this project but a field of frontend and of backend: indent it under the one it belongs to$/,
      );
    });
    it("rejects a misspelt field inside a structured key, and a structured key that is not a mapping", () => {
      expectConfigError(
        () => engine({ "multi-region-web:frontend": '{"minsize":3}' }),
        "frontend.minsize",
        /did you mean "minSize"/,
      );
      expectConfigError(
        () => engine({ "multi-region-web:database": "big" }),
        "database",
        /must be a mapping/,
      );
    });
    it("rejects yes for a boolean (YAML 1.2 reads it as a string), naming the key set", () => {
      expectConfigError(() => engine({ "multi-region-web:home": "yes" }), "home", /must be true or false/);
      expectConfigError(
        () => engine({ "multi-region-web:azCount": "three" }),
        "azCount",
        /must be an integer/,
      );
    });
    it("reports every problem of the stack at once", () => {
      let error: unknown;
      try {
        engine({
          "multi-region-web:azcount": "3",
          "multi-region-web:vpcCidr": "10.0.0.0/8",
          "multi-region-web:frontend": '{"instanceType":"t3.smal"}',
          "multi-region-web:backup": '{"copyRetentionDays":60}',
        });
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(ConfigErrors);
      expect((error as ConfigErrors).problems.map((p) => p.key)).to.have.members([
        "azcount",
        "vpcCidr",
        "frontend.instanceType",
        "backup.copyRetentionDays",
      ]);
      expect((error as Error).message).to.match(/^4 config problems:/);
    });
    it("blames copyRetentionDays when only it is set, and the local retention when that is", () => {
      expectConfigError(
        () => engine({ "multi-region-web:backup": '{"copyRetentionDays":60}' }),
        "backup.copyRetentionDays",
        /at most backup.dailyRetentionDays \(35\)/,
      );
      expectConfigError(
        () => engine({ "multi-region-web:backup": '{"copyRetentionDays":60,"dailyRetentionDays":40}' }),
        "backup.dailyRetentionDays",
      );
    });
  });

  describe("fixture stack files", () => {
    it("have the roles of the design", () => {
      const configOf = (stack: string) =>
        (YAML.parse(fixtureText(`Pulumi.${stack}.yaml`)) as { config: Record<string, unknown> }).config;
      const home = configOf("us-east-1");
      const standby = configOf("ca-central-1");
      expect(home["multi-region-web:role"]).to.equal("active");
      expect(home["aws:region"]).to.equal("us-east-1");
      expect(standby["multi-region-web:role"]).to.equal("passive");
      expect(standby["aws:region"]).to.equal("ca-central-1");
    });
  });
});
