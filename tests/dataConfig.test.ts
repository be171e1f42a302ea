/**
 * The database's config keys (config/rules.ts): \`database.writerRegion\`, \`dataDeletionProtection\`, and
 * the master user against the application's database user, checked directly and through buildConfig.
 * Pure: no program runs (the data tier they configure: tests/dataTier.test.ts, tests/appDatabaseUser.test.ts).
 */
import { expect } from "chai";
import {
  APP_DB_USER,
  buildConfig,
  ConfigError,
  DATABASE_DEFAULTS,
  DatabaseConfig,
  GLOBAL_PRIMARY_MIN_ACU,
  RawConfig,
  validateDatabase,
  validateWriterRegion,
} from "../config";
import { AURORA_POSTGRESQL_VERSIONS, AuroraVersion } from "../config/catalog";
import { HOME_CONFIG, STANDBY_CONFIG, problemLines } from "./helpers";

describe("database config", () => {
  describe("config: database.writerRegion and dataDeletionProtection", () => {
    /** The problems buildConfig reports, as `key = value: allowed` lines (what the user reads). */
    const problems = (raw: RawConfig): string[] => problemLines(() => buildConfig(raw));
    const withDatabase = (raw: RawConfig, database: Record<string, unknown>): RawConfig => ({
      ...raw,
      database,
    });

    it("defaults: the writer at home (unset), deletion protection on", () => {
      const home = buildConfig(HOME_CONFIG);
      expect(home.database.writerRegion).to.equal(undefined);
      expect(home.dataDeletionProtection).to.equal(true);
      expect(buildConfig(STANDBY_CONFIG).dataDeletionProtection).to.equal(true);
      expect(buildConfig({ ...HOME_CONFIG, dataDeletionProtection: false, protectData: false })).to.include({
        dataDeletionProtection: false,
        protectData: false,
      });
    });

    it("takes a standby region of the home as the writer's region, or the home's own", () => {
      expect(
        buildConfig(withDatabase(HOME_CONFIG, { writerRegion: "ca-central-1" })).database.writerRegion,
      ).to.equal("ca-central-1");
      expect(
        buildConfig(withDatabase(HOME_CONFIG, { writerRegion: "us-east-1" })).database.writerRegion,
      ).to.equal("us-east-1");
    });

    it("refuses a region outside the global database, a typo, a standby's setting and a non-string, naming each", () => {
      expect(problems(withDatabase(HOME_CONFIG, { writerRegion: "eu-west-1" }))).to.deep.equal([
        'database.writerRegion = "eu-west-1": must be a region of the global database: this stack\'s region us-east-1 or one of standbyRegions (ca-central-1)',
      ]);
      expect(problems(withDatabase(HOME_CONFIG, { writerRegion: "ca-central1" }))).to.deep.equal([
        'database.writerRegion = "ca-central1": must be a region of the global database: this stack\'s region us-east-1 or one of standbyRegions (ca-central-1) (did you mean "ca-central-1"?)',
      ]);
      expect(problems(withDatabase(STANDBY_CONFIG, { writerRegion: "ca-central-1" }))).to.deep.equal([
        'database.writerRegion = "ca-central-1": is set on the home stack only: a standby reads where the writer is from the home stack\'s dbWriterRegion output',
      ]);
      expect(problems(withDatabase(HOME_CONFIG, { writerRegion: 1 }))).to.deep.equal([
        'database.writerRegion = 1: must be a string (quote it in YAML: "1")',
      ]);
      expect(problems({ ...HOME_CONFIG, dataDeletionProtection: "off" })).to.deep.equal([
        'dataDeletionProtection = "off": must be true or false',
      ]);
    });

    it("validateWriterRegion throws a ConfigError naming the key; unset passes", () => {
      const args = { home: true, region: "us-east-1", standbyRegions: ["ca-central-1", "eu-west-1"] };
      expect(() => validateWriterRegion(args)).not.to.throw();
      expect(() => validateWriterRegion({ ...args, writerRegion: "eu-west-1" })).not.to.throw();
      expect(() => validateWriterRegion({ ...args, writerRegion: "us-west-2" }))
        .to.throw(ConfigError, "or one of standbyRegions (ca-central-1, eu-west-1)")
        .with.property("key", "database.writerRegion");
      expect(() =>
        validateWriterRegion({ ...args, home: false, standbyRegions: [], writerRegion: "us-east-1" }),
      ).to.throw(ConfigError, "home stack only");
    });
  });

  describe("the master user", () => {
    it("config keeps the master user off the application's user's name, before anything is registered", () => {
      expect(() =>
        validateDatabase({ ...DATABASE_DEFAULTS.active, masterUsername: APP_DB_USER }, true),
      ).to.throw(
        `Invalid config "database.masterUsername" = "app": must not be app, the application's database user`,
      );
      expect(() =>
        validateDatabase({ ...DATABASE_DEFAULTS.active, databaseName: "app" }, true),
      ).not.to.throw();
    });
  });

  describe("exactly", () => {
    const problems = problemLines;
    const database = (over: Partial<DatabaseConfig>): DatabaseConfig => ({
      ...DATABASE_DEFAULTS.active,
      ...over,
    });
    const WRITER_HOME_ONLY =
      "is set on the home stack only: a standby reads where the writer is from the home stack's dbWriterRegion output";

    it("validateWriterRegion: unset anywhere, the home's region or a standby's; the message lists them", () => {
      const args = { home: true, region: "us-east-1", standbyRegions: ["ca-central-1", "eu-west-1"] };
      expect(problems(() => validateWriterRegion({ ...args, writerRegion: undefined }))).to.deep.equal([]);
      expect(
        problems(() => validateWriterRegion({ ...args, home: false, writerRegion: undefined })),
      ).to.deep.equal([]);
      for (const writerRegion of ["us-east-1", "ca-central-1", "eu-west-1"]) {
        expect(
          problems(() => validateWriterRegion({ ...args, writerRegion })),
          writerRegion,
        ).to.deep.equal([]);
      }
      expect(problems(() => validateWriterRegion({ ...args, writerRegion: "ap-northeast-3" }))).to.deep.equal(
        [
          'database.writerRegion = "ap-northeast-3": must be a region of the global database: this stack\'s region us-east-1 or one of standbyRegions (ca-central-1, eu-west-1)',
        ],
      );
      expect(problems(() => validateWriterRegion({ ...args, writerRegion: "eu-west-2" }))).to.deep.equal([
        'database.writerRegion = "eu-west-2": must be a region of the global database: this stack\'s region us-east-1 or one of standbyRegions (ca-central-1, eu-west-1) (did you mean "eu-west-1"?)',
      ]);
      expect(
        problems(() =>
          validateWriterRegion({
            ...args,
            home: false,
            region: "ca-central-1",
            writerRegion: "ca-central-1",
          }),
        ),
      ).to.deep.equal([`database.writerRegion = "ca-central-1": ${WRITER_HOME_ONLY}`]);
    });

    it("buildConfig checks the writer's region only once home, standbyRegions and aws:region are sound", () => {
      const writer = { writerRegion: "ca-central-1" };
      expect(problems(() => buildConfig({ ...HOME_CONFIG, home: "yes", database: writer }))).to.deep.equal([
        'home = "yes": must be true or false',
      ]);
      expect(
        problems(() =>
          buildConfig({ ...HOME_CONFIG, standbyRegions: "ca-central-1", database: writer } as RawConfig),
        ),
      ).to.deep.equal(['standbyRegions = "ca-central-1": must be a list of strings']);
      expect(
        problems(() =>
          buildConfig({ ...HOME_CONFIG, region: "us-east-9", database: { writerRegion: "us-east-1" } }),
        ),
      ).to.deep.equal([
        'aws:region = "us-east-9": must be an AWS region name such as us-east-1 (did you mean "us-east-1"?)',
      ]);
      expect(problems(() => buildConfig({ ...STANDBY_CONFIG, database: writer }))).to.deep.equal([
        `database.writerRegion = "ca-central-1": ${WRITER_HOME_ONLY}`,
      ]);
    });

    it("keeps the master user off the application's user, exactly", () => {
      expect(APP_DB_USER).to.equal("app");
      expect(problems(() => validateDatabase(database({ masterUsername: "app" }), true))).to.deep.equal([
        'database.masterUsername = "app": must not be app, the application\'s database user (it logs in with IAM, without a password)',
      ]);
      for (const name of ["app_admin", "apps", "application", "a"]) {
        expect(
          problems(() => validateDatabase(database({ masterUsername: name }), true)),
          name,
        ).to.deep.equal([]);
      }
    });

    it("asks the home's Serverless v2 primary for 8 ACUs, not a standby (validateDatabase's default)", () => {
      expect(GLOBAL_PRIMARY_MIN_ACU).to.equal(8);
      const serverless = database({
        instanceClass: "db.serverless",
        serverlessMinCapacity: 0.5,
        serverlessMaxCapacity: 16,
      });
      expect(problems(() => validateDatabase(serverless))).to.deep.equal([]);
      expect(problems(() => validateDatabase(serverless, false))).to.deep.equal([]);
      expect(problems(() => validateDatabase(serverless, true))).to.deep.equal([
        "database.serverlessMinCapacity = 0.5: must be at least 8 ACUs on the home stack: AWS's minimum recommended capacity for the primary cluster of a global database on Aurora Serverless v2",
      ]);
      expect(
        problems(() => validateDatabase({ ...serverless, serverlessMinCapacity: 8 }, true)),
      ).to.deep.equal([]);
    });

    it("refuses a version AWS offers but not for global databases (none in today's catalog: one added for the test)", () => {
      // awsCatalog.json lists no such version today; a refresh may bring one (AWS offers some versions
      // without global database support), and the message must then say so rather than "write forwarding".
      const versions = AURORA_POSTGRESQL_VERSIONS as AuroraVersion[];
      versions.push({ version: "14.99", globalDatabase: false, writeForwarding: true });
      try {
        expect(problems(() => validateDatabase(database({ engineVersion: "14.99" }), true))).to.deep.equal([
          'database.engineVersion = "14.99": does not support Aurora global databases; usable versions: 14.17, 14.18, 14.19, 14.20, 14.22',
        ]);
      } finally {
        versions.pop();
      }
      expect(versions.some((v) => v.version === "14.99")).to.equal(false);
    });
  });
});
