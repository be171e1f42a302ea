/**
 * Every numeric bound of the config, property-based (fast-check): for each bounded key, values inside
 * its range pass and are kept, and values outside fail with exactly one ConfigError naming the key and
 * saying what is allowed. The bounds are written here once more, from AWS's limits and the design,
 * rather than read from config/schema.ts: a bound changed in the schema fails here.
 */
import { expect } from "chai";
import * as fc from "fast-check";
import { buildConfig, ConfigErrors, RawConfig, SCHEMA } from "../config";
import type { ObjectSpec, ScalarSpec } from "../config/schema";
import { HOME_CONFIG as HOME, STANDBY_CONFIG as STANDBY } from "./helpers";

interface Bound {
  /** `appPort`, or `frontend.minSize` for a field of a structured key. */
  key: string;
  integer: boolean;
  /** Inclusive lower bound; `exclusive` for "more than" (a positive number). */
  min: number;
  exclusive?: boolean;
  /** Inclusive upper bound, when there is one. */
  max?: number;
  step?: number;
  /** What the error says is allowed. */
  allowed: string;
  /** What it says below the range, when another rule than the key's own bound decides there. */
  allowedBelow?: (v: number) => string;
  /** The stack the key is checked on (standby-only keys, per-role bounds). */
  stack?: RawConfig;
  /** Other keys set with the value, so that only this key's own bound decides. */
  with?: (v: number) => Record<string, Record<string, unknown> | number>;
}

const EMAILS = { emails: ["ops@example.com"] };
/** A valid size at least `v`, for the keys that must hold `v` (whatever `v` is). */
const room = (v: number) => (Number.isFinite(v) ? Math.max(Math.ceil(v), 1) : 1);
const tier = (name: "frontend" | "backend"): Bound[] => [
  {
    key: `${name}.minSize`,
    integer: true,
    min: 0,
    allowed: "must be an integer of at least 0",
    with: (v) => ({ [name]: { maxSize: room(v) } }),
  },
  {
    key: `${name}.desiredCapacity`,
    integer: true,
    min: 0,
    allowed: "must be an integer of at least 0: minSize ≤ desiredCapacity ≤ maxSize",
    with: (v) => ({ [name]: { minSize: 0, maxSize: room(v) } }),
  },
  {
    key: `${name}.maxSize`,
    integer: true,
    min: 1,
    allowed: "must be a positive integer",
    with: () => ({ [name]: { minSize: 0 } }),
  },
  {
    key: `${name}.scalingTarget`,
    integer: false,
    min: 0,
    exclusive: true,
    allowed: "must be a positive number",
    with: () => ({ [name]: { scalingMetric: "requestCount" } }),
  },
  { key: `${name}.healthCheckGracePeriod`, integer: true, min: 1, allowed: "must be a positive integer" },
];
const alarm = (field: string, integer: boolean, max?: number): Bound => ({
  key: `alarms.${field}`,
  integer,
  min: integer ? 1 : 0,
  exclusive: !integer,
  max,
  allowed: integer
    ? "must be a positive integer"
    : `must be a positive number${max !== undefined ? ` of at most ${max}` : ""}`,
  with: () => ({ alarms: EMAILS }),
});

const BOUNDS: Bound[] = [
  {
    key: "subnetCidrMask",
    integer: true,
    // A /16 VPC over 2 AZs needs 6 subnets: /19 is the largest mask number that fits them.
    min: 19,
    max: 28,
    allowed: "must be an integer of at most 28: at least the VPC's prefix, with room for 3 subnets per AZ",
    allowedBelow: (v) =>
      v < 16
        ? "must be an integer between the VPC prefix /16 and /28"
        : `6 subnets (3 tiers × 2 AZs) of /${v} do not fit in 10.0.0.0/16 (room for ${2 ** (v - 16)}); use a smaller mask number or a larger VPC`,
    with: () => ({ azCount: 2 }),
  },
  { key: "azCount", integer: true, min: 2, max: 3, allowed: "must be an integer from 2 to 3" },
  {
    key: "homeProbeMinutes",
    integer: true,
    min: 1,
    max: 10,
    allowed: "must be an integer from 1 to 10",
    stack: STANDBY,
  },
  {
    key: "appPort",
    integer: true,
    min: 1,
    max: 65535,
    allowed: "must be an integer from 1 to 65535: not 80 or 443, which the public ALB listens on",
  },
  {
    key: "healthCheckFailureThreshold",
    integer: true,
    min: 1,
    max: 10,
    allowed: "must be an integer from 1 to 10",
  },
  { key: "accessLogExpirationDays", integer: true, min: 1, allowed: "must be a positive integer" },
  {
    key: "wafRateLimit",
    integer: true,
    min: 100,
    max: 2_000_000_000,
    allowed: "must be an integer from 100 to 2000000000",
  },
  ...tier("frontend"),
  ...tier("backend"),
  {
    key: "database.instanceCount",
    integer: true,
    min: 2,
    max: 16,
    allowed: "must be an integer from 2 to 16: an active region needs a writer + reader in different AZs",
  },
  {
    key: "database.instanceCount",
    integer: true,
    min: 1,
    max: 16,
    allowed: "must be an integer from 1 to 16: an active region needs a writer + reader in different AZs",
    stack: STANDBY,
  },
  {
    key: "database.serverlessMinCapacity",
    integer: false,
    min: 0,
    max: 256,
    step: 0.5,
    allowed: "must be a number from 0 to 256 in steps of 0.5",
  },
  {
    key: "database.serverlessMaxCapacity",
    integer: false,
    min: 1,
    max: 256,
    step: 0.5,
    allowed: "must be a number from 1 to 256 in steps of 0.5",
  },
  {
    key: "database.backupRetentionDays",
    integer: true,
    min: 7,
    max: 35,
    allowed: "must be an integer from 7 to 35",
  },
  {
    key: "database.backupRetentionDays",
    integer: true,
    min: 1,
    max: 35,
    allowed: "must be an integer from 1 to 35",
    stack: STANDBY,
  },
  { key: "mail.smtpPort", integer: true, min: 1, max: 65535, allowed: "must be an integer from 1 to 65535" },
  alarm("alb5xxRatePercent", false, 100),
  alarm("p99ResponseTimeSeconds", false),
  alarm("unhealthyHosts", true),
  alarm("dbCpuPercent", false, 100),
  alarm("dbFreeableMemoryMiB", false),
  alarm("auroraReplicationLagMs", false),
  alarm("dynamoReplicationLatencyMs", false),
  alarm("dynamoThrottledRequests", true),
  alarm("wafBlockedRequests", true),
  alarm("natPortAllocationErrors", true),
  {
    key: "backup.dailyRetentionDays",
    integer: true,
    min: 1,
    allowed: "must be a positive integer: at least copyRetentionDays",
    with: () => ({ backup: { copyRetentionDays: 1 } }),
  },
  {
    key: "backup.weeklyRetentionDays",
    integer: true,
    min: 1,
    allowed: "must be a positive integer: at least copyRetentionDays",
    with: () => ({ backup: { copyRetentionDays: 1 } }),
  },
  {
    key: "backup.copyRetentionDays",
    integer: true,
    min: 1,
    allowed: "must be a positive integer",
    with: (v) => ({ backup: { dailyRetentionDays: room(v), weeklyRetentionDays: room(v) } }),
  },
  {
    key: "backup.vaultLockChangeableForDays",
    integer: true,
    min: 3,
    allowed: "must be an integer of at least 3: an integer of at least 3, with vaultLockMode compliance",
    with: () => ({ backup: { vaultLockMode: "compliance" } }),
  },
];

/** The stack's raw config with `key` set to `v`, merged into the keys `bound.with` sets. */
function configWith(bound: Bound, v: number): RawConfig {
  const raw: Record<string, unknown> = { ...(bound.stack ?? HOME), ...bound.with?.(v) };
  const [top, field] = bound.key.split(".");
  if (field === undefined) raw[top] = v;
  else raw[top] = { ...(raw[top] as object), [field]: v };
  return raw as RawConfig;
}

function valueAt(cfg: object, key: string): unknown {
  return key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], cfg);
}

/** The problems of a config, as `key: message`; [] when it builds. */
function problems(raw: RawConfig): string[] {
  try {
    buildConfig(raw);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigErrors)) throw e;
    return e.problems.map((p) => `${p.key}: ${p.message}`);
  }
}

const label = (b: Bound) => `${b.key}${b.stack === STANDBY ? " (standby)" : ""}`;
const RUNS = { numRuns: 25 };
const LARGE = 1e9;

function passes(b: Bound, v: number): void {
  const raw = configWith(b, v);
  expect(problems(raw), `${label(b)} = ${v}`).to.deep.equal([]);
  expect(valueAt(buildConfig(raw), b.key)).to.equal(v);
}
function fails(b: Bound, v: number): void {
  const allowed = v < b.min && b.allowedBelow ? b.allowedBelow(v) : b.allowed;
  expect(problems(configWith(b, v)), `${label(b)} = ${v}`).to.deep.equal([
    `${b.key}: Invalid config "${b.key}" = ${JSON.stringify(v)}: ${allowed}`,
  ]);
}

/** Values inside the bound: integers, multiples of the step, or any number. */
function inside(b: Bound): fc.Arbitrary<number> {
  const max = b.max ?? LARGE;
  if (b.integer) return fc.integer({ min: b.min, max }).filter((v) => !isPublicPort(b, v));
  if (b.step !== undefined) {
    const step = b.step;
    return fc.integer({ min: Math.ceil(b.min / step), max: Math.floor(max / step) }).map((n) => n * step);
  }
  return fc.double({ min: b.min, max, noNaN: true }).filter((v) => !b.exclusive || v > b.min);
}
const isPublicPort = (b: Bound, v: number) => b.key === "appPort" && (v === 80 || v === 443);

describe("config bounds (property-based)", () => {
  it("cover every bounded numeric key of the schema", () => {
    const numeric: string[] = [];
    for (const [key, spec] of Object.entries(SCHEMA)) {
      const specs: [string, ScalarSpec<unknown>][] =
        spec.type === "object"
          ? Object.entries((spec as ObjectSpec<object>).fields as Record<string, ScalarSpec<unknown>>).map(
              ([f, s]): [string, ScalarSpec<unknown>] => [`${key}.${f}`, s],
            )
          : [[key, spec as ScalarSpec<unknown>]];
      for (const [name, s] of specs) {
        if ((s.type === "integer" || s.type === "number") && s.oneOf === undefined) numeric.push(name);
      }
    }
    expect([...new Set(BOUNDS.map((b) => b.key))].sort()).to.deep.equal(numeric.sort());
  });

  for (const b of BOUNDS) {
    describe(label(b), () => {
      it(`accepts ${b.exclusive ? "more than" : "from"} ${b.min}${b.max !== undefined ? ` to ${b.max}` : ""}, and keeps the value`, () => {
        if (!b.exclusive) passes(b, b.min);
        if (b.max !== undefined) passes(b, b.max);
        fc.assert(
          fc.property(inside(b), (v) => passes(b, v)),
          RUNS,
        );
      });

      it("rejects values below the range, naming the key", () => {
        fails(b, b.exclusive ? b.min : b.min - (b.step ?? 1));
        const below = b.integer
          ? fc.integer({ min: -LARGE, max: b.min - 1 })
          : fc.double({ min: -LARGE, max: b.min, noNaN: true });
        fc.assert(
          fc.property(
            below.filter((v) => v < b.min || (b.exclusive === true && v === b.min)),
            (v) => fails(b, v),
          ),
          RUNS,
        );
      });

      if (b.max !== undefined) {
        const max = b.max;
        it("rejects values above the range, naming the key", () => {
          fails(b, max + (b.step ?? 1));
          const above = b.integer
            ? fc.integer({ min: max + 1, max: max + LARGE })
            : fc.double({ min: max, max: max + LARGE, noNaN: true }).filter((v) => v > max);
          fc.assert(
            fc.property(above, (v) => fails(b, v)),
            RUNS,
          );
        });
      }

      if (b.integer || b.step !== undefined) {
        it(`rejects ${b.integer ? "fractions" : "values between steps"} inside the range`, () => {
          const step = b.step ?? 1;
          fc.assert(
            fc.property(inside(b), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (v, part) => {
              const w = v + part * step;
              fc.pre(w <= (b.max ?? LARGE));
              fails(b, w);
            }),
            RUNS,
          );
        });
      }

      it("rejects values that are not finite numbers", () => {
        for (const v of [NaN, Infinity, -Infinity]) {
          expect(problems(configWith(b, v)), String(v)).to.deep.equal([
            `${b.key}: Invalid config "${b.key}" = null: ${b.allowed}`,
          ]);
        }
      });
    });
  }

  describe("the boundaries the hand mutation test moved", () => {
    it("appPort: 65535 passes, 65536 fails; 80 and 443 are the public ALB's", () => {
      const port = BOUNDS.find((b) => b.key === "appPort")!;
      passes(port, 65535);
      fails(port, 65536);
      for (const v of [80, 443]) {
        expect(problems(configWith(port, v))).to.deep.equal([
          `appPort: Invalid config "appPort" = ${v}: must not be 80 or 443, which the public ALB listens on`,
        ]);
      }
    });
    it("subnetCidrMask: /28 passes, /29 fails; /19 fits 6 subnets in a /16, /18 does not", () => {
      const mask = BOUNDS.find((b) => b.key === "subnetCidrMask")!;
      passes(mask, 28);
      fails(mask, 29);
      passes(mask, 19);
      expect(problems(configWith(mask, 18))).to.deep.equal([
        'subnetCidrMask: Invalid config "subnetCidrMask" = 18: 6 subnets (3 tiers × 2 AZs) of /18 do not fit in 10.0.0.0/16 (room for 4); use a smaller mask number or a larger VPC',
      ]);
      expect(problems(configWith(mask, 15))).to.deep.equal([
        'subnetCidrMask: Invalid config "subnetCidrMask" = 15: must be an integer between the VPC prefix /16 and /28',
      ]);
    });
    it("percentages: 100 % passes, 101 % and 100.5 % fail", () => {
      for (const key of ["alarms.alb5xxRatePercent", "alarms.dbCpuPercent"]) {
        const b = BOUNDS.find((x) => x.key === key)!;
        passes(b, 100);
        fails(b, 101);
        fails(b, 100.5);
      }
      const cpu = { ...HOME, frontend: { scalingTarget: 100 } };
      expect(buildConfig(cpu).frontend.scalingTarget).to.equal(100);
      for (const v of [101, 100.5]) {
        expect(problems({ ...HOME, frontend: { scalingTarget: v } })).to.deep.equal([
          `frontend.scalingTarget: Invalid config "frontend.scalingTarget" = ${v}: a CPU target is a percentage, at most 100`,
        ]);
      }
      // Requests per target are not a percentage.
      expect(
        buildConfig({ ...HOME, frontend: { scalingMetric: "requestCount", scalingTarget: 101 } }).frontend
          .scalingTarget,
      ).to.equal(101);
    });
  });
});
