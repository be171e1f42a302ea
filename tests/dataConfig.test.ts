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
  problemsOf,
  RawConfig,
  validateDatabase,
  validateWriterRegion,
} from "../config";
import { HOME_CONFIG, STANDBY_CONFIG } from "./helpers";

describe("database config", () => {
  describe("config: database.writerRegion and dataDeletionProtection", () => {
    /** The problems buildConfig reports, as `key = value: allowed` lines (what the user reads). */
    const problems = (raw: RawConfig): string[] => {
      try {
        buildConfig(raw);
        return [];
      } catch (e) {
        const list = problemsOf(e);
        if (!list) throw e;
        return list.map((p) => `${p.key} = ${JSON.stringify(p.value)}: ${p.allowed}`);
      }
    };
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
});
