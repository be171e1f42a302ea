/**
 * docs/teardown.md, as far as offline allows: its settings are schema keys the programs accept, and
 * with them every stack registers nothing protected, no deletion protection where the doc says so, and
 * still the Aurora final snapshot; lifting the protection replaces nothing. Its commands parse, name
 * their region, go in the documented order and name what the stacks really create and export. What
 * AWS does with them is for the first real teardown.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { checkScalar, SCHEMA } from "../config";
import { AnySchema, fromEngine } from "../config/build";
import { ObjectSpec, ScalarSpec } from "../config/schema";
import { CONTROL_SCHEMA } from "../config/control";
import { RecordedResource, ROOT_DIR, StackRun } from "../tools/mocks";
import { PROJECT } from "../tools/runStacks";
import { HOME_REGION, Overrides, runDataStacks, Runs, STANDBY_REGION, steadyRuns } from "./dataStacks";
import { awsCalls, shBlocks } from "./docBlocks";
import { ofType, one } from "./helpers";

const T = {
  globalCluster: "aws:rds/globalCluster:GlobalCluster",
  cluster: "aws:rds/cluster:Cluster",
  table: "aws:dynamodb/table:Table",
  replica: "aws:dynamodb/tableReplica:TableReplica",
  loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
  alias: "aws:kms/alias:Alias",
  vault: "aws:backup/vault:Vault",
  validationRecord: "aws:route53/record:Record",
};
/** The inputs that carry AWS deletion protection, by resource type. */
const DELETION_PROTECTION: Record<string, string> = {
  [T.globalCluster]: "deletionProtection",
  [T.cluster]: "deletionProtection",
  [T.table]: "deletionProtectionEnabled",
  [T.replica]: "deletionProtectionEnabled",
  [T.loadBalancer]: "enableDeletionProtection",
};
const CONTROL_PROJECT = "multi-region-web-control";

const doc = fs.readFileSync(path.join(ROOT_DIR, "docs", "teardown.md"), "utf8");
const blocks = shBlocks(doc);
const all = blocks.join("\n");

/** A `pulumi config set` of the doc: which project, key, value. */
interface Setting {
  project: string;
  key: string;
  value: string;
}

/** Every `pulumi config set` of the doc; inside `(cd control && …)` it is the control stack's. */
function settings(): Setting[] {
  return all
    .split("\n")
    .filter((line) => line.includes("pulumi config set"))
    .map((line) => {
      const match = /pulumi config set (?:--path )?(\S+) (\S+) --stack/.exec(line);
      if (!match) throw new Error(`docs/teardown.md: cannot read "${line.trim()}"`);
      return {
        project: line.includes("cd control") ? CONTROL_PROJECT : PROJECT,
        key: match[1],
        value: match[2],
      };
    });
}

/** The schema spec of a (possibly `object.field`) key. */
function specOf(schema: AnySchema, key: string): ScalarSpec<unknown> | undefined {
  const [top, field] = key.split(".");
  const spec = schema[top];
  if (spec === undefined) return undefined;
  if (field === undefined) return spec.type === "object" ? undefined : spec;
  return spec.type === "object"
    ? (((spec as ObjectSpec<object>).fields as AnySchema)[field] as ScalarSpec<unknown>)
    : undefined;
}

/** The doc's settings as engine config of the three stacks. */
function overrides(): Overrides {
  const regional = Object.fromEntries(
    settings()
      .filter((s) => s.project === PROJECT)
      .map((s) => [`${PROJECT}:${s.key}`, s.value]),
  );
  const control = Object.fromEntries(
    settings()
      .filter((s) => s.project === CONTROL_PROJECT)
      .map((s) => [`${CONTROL_PROJECT}:${s.key}`, s.value]),
  );
  return { home: regional, standby: regional, control };
}

/** A registration, as the engine compares it with the state, without what the teardown may change. */
function withoutProtection(r: RecordedResource) {
  const inputs = { ...r.inputs };
  const flag = DELETION_PROTECTION[r.type];
  if (flag !== undefined) delete inputs[flag];
  return {
    type: r.type,
    inputs,
    ignoreChanges: r.ignoreChanges,
    parent: r.parent,
    deleteBeforeReplace: r.deleteBeforeReplace,
  };
}

const regional = (runs: Runs): StackRun[] => [runs.home, runs.standby];
const everyRun = (runs: Runs): StackRun[] => [runs.home, runs.standby, runs.control];

describe("teardown: the programs with docs/teardown.md's settings", function () {
  this.timeout(60_000);
  let steady: Runs;
  let down: Runs;

  before(async () => {
    steady = await steadyRuns();
    down = await runDataStacks(overrides());
  });

  it("sets schema keys, with values the schema accepts, on the stacks the doc names", () => {
    const found = settings();
    expect(found.map((s) => `${s.project}:${s.key}=${s.value}`)).to.have.members([
      `${PROJECT}:protectData=false`,
      `${PROJECT}:dataDeletionProtection=false`,
      `${PROJECT}:albDeletionProtection=false`,
      `${CONTROL_PROJECT}:protectData=false`,
    ]);
    for (const s of found) {
      const schema = (s.project === PROJECT ? SCHEMA : CONTROL_SCHEMA) as AnySchema;
      const spec = specOf(schema, s.key);
      expect(spec, `${s.project}:${s.key}`).not.to.equal(undefined);
      expect(() => checkScalar(s.key, fromEngine(s.value, spec!), spec!, "active")).not.to.throw();
    }
    // The doc's table of settings names the same keys.
    for (const s of found) expect(doc).to.include(`| \`${s.key}: ${s.value}\``);
  });

  it("protects nothing in any stack", () => {
    for (const run of everyRun(down)) {
      expect(run.resources.length, run.stack).to.be.greaterThan(20);
      for (const r of run.resources) expect(r.protect, r.urn).to.equal(false);
    }
    // The same runs without the settings protect something: the assertion above can fail.
    for (const run of everyRun(steady))
      expect(
        run.resources.some((r) => r.protect),
        run.stack,
      ).to.equal(true);
  });

  it("turns AWS deletion protection off on the global cluster, the clusters, the table, the replica and the load balancers", () => {
    for (const [type, flag] of Object.entries(DELETION_PROTECTION)) {
      const found = regional(down).flatMap((run) => ofType(run, type));
      expect(found, type).not.to.be.empty;
      for (const r of found) expect(r.inputs[flag], r.urn).to.equal(false);
      for (const r of regional(steady).flatMap((run) => ofType(run, type)))
        expect(r.inputs[flag], r.urn).to.equal(true);
    }
  });

  it("still takes every Aurora cluster's final snapshot, under the name the doc gives, and keeps its automated backups", () => {
    for (const run of regional(down)) {
      const cluster = one(run, T.cluster);
      expect(cluster.inputs).to.include({ skipFinalSnapshot: false, deleteAutomatedBackups: false });
      const snapshot = `multi-region-web-${run.region}-aurora-final`;
      expect(cluster.inputs.finalSnapshotIdentifier).to.equal(snapshot);
    }
    expect(all).to.include("--db-cluster-snapshot-identifier multi-region-web-$S-aurora-final");
  });

  it("changes nothing else: same URNs, same inputs but the deletion protection flags", () => {
    for (const stack of ["home", "standby", "control"] as const) {
      expect(down[stack].resources.map((r) => r.urn)).to.have.members(
        steady[stack].resources.map((r) => r.urn),
      );
      for (const after of down[stack].resources.filter((r) => r.custom)) {
        const before = steady[stack].resources.find((r) => r.urn === after.urn)!;
        // As JSON: an archive's inputs are class instances that chai compares by prototype.
        expect(JSON.stringify(withoutProtection(after)), after.urn).to.equal(
          JSON.stringify(withoutProtection(before)),
        );
      }
    }
  });

  it("retains nothing on delete but the ACM validation records the regions share", () => {
    for (const run of everyRun(down)) {
      for (const r of run.resources.filter((x) => x.retainOnDelete))
        expect([r.type, r.name], r.urn).to.satisfy(
          ([type, name]: string[]) => type === T.validationRecord && name.endsWith("-validation"),
        );
    }
    expect(doc).to.include("`retainOnDelete`");
  });
});

describe("docs/teardown.md commands", function () {
  this.timeout(60_000);
  let steady: Runs;

  before(async () => {
    steady = await steadyRuns();
  });

  it("are shell that parses (bash -n), block by block, with no trailing comment (zsh would pass it on)", () => {
    expect(blocks.length).to.be.at.least(5);
    for (const block of blocks) {
      execFileSync("bash", ["-n"], { input: block });
      expect(block, block).not.to.match(/\s#\s/);
    }
  });

  it("name the region of every AWS call", () => {
    const calls = awsCalls(all);
    expect(calls.length).to.be.at.least(12);
    for (const call of calls) expect(call, call).to.match(/--region ("?\$[SR]"?|us-east-1)\b/);
  });

  it("destroy the control stack, then every standby, then the home, and lift the protection in the deploy order", () => {
    const destroyOrder: string[] = [];
    const lines = all.split("\n");
    lines.forEach((line, i) => {
      if (/pulumi destroy/.test(line) && line.includes("cd control")) destroyOrder.push("global");
      const loop = /^for S in ([a-z0-9 -]+); do/.exec(line);
      const body = lines.slice(i, lines.indexOf("done", i) + 1).join("\n");
      if (loop && body.includes("pulumi destroy")) destroyOrder.push(...loop[1].trim().split(" "));
    });
    expect(destroyOrder).to.deep.equal(["global", STANDBY_REGION, HOME_REGION]);
    const ups = [...all.matchAll(/pulumi up --stack "\$ORG\/([a-z0-9-]+)"/g)].map(([, s]) => s);
    expect(ups).to.deep.equal([HOME_REGION, STANDBY_REGION, "global"]);
    // A failed standby must stop the loop before the home.
    expect(all).to.match(/pulumi destroy --refresh --stack "\$ORG\/\$S" \|\| break/);
  });

  it("name the buckets, vaults and keys the stacks create and export", () => {
    for (const run of regional(steady)) {
      const S = run.region;
      expect(run.outputs.accessLogBucketName, S).to.be.a("string").and.not.empty;
      expect(ofType(run, T.vault).map((v) => v.inputs.name)).to.deep.equal([`multi-region-web-${S}`]);
      expect(ofType(run, T.alias).map((a) => a.inputs.name)).to.include(`alias/multi-region-web-${S}-data`);
    }
    expect(all).to.include('pulumi stack output accessLogBucketName --stack "$ORG/$S"');
    expect(all).to.include("V=multi-region-web-$S");
    expect(all).to.include("--key-id alias/multi-region-web-$S-data");
    // The control stack exports each plan's report bucket under its standby region.
    const plans = steady.control.outputs.plans as Record<string, { reportBucket?: unknown }>;
    expect(Object.keys(plans)).to.deep.equal([STANDBY_REGION]);
    expect(plans[STANDBY_REGION].reportBucket).to.be.a("string").and.not.empty;
    expect(all).to.include("pulumi stack output plans --json");
    expect(all).to.include("p.reportBucket");
  });

  it("give the recovery windows the stacks set: keys 30 days (data, backups) and 7 (topics), secrets 30", () => {
    const keys = everyRun(steady).flatMap((run) => ofType(run, "aws:kms/key:Key"));
    const regionKeys = keys.filter((k) => k.name === "data-key" || k.name === "backups-key-key");
    expect(regionKeys).to.have.length(4);
    for (const k of regionKeys) expect(k.inputs.deletionWindowInDays, k.urn).to.equal(30);
    for (const k of keys.filter((x) => !regionKeys.includes(x)))
      expect(k.inputs.deletionWindowInDays, k.urn).to.equal(7);
    expect(doc).to.include("7 days for the topic keys; the data and backup keys' are 30");
    const secrets = everyRun(steady).flatMap((run) => ofType(run, "aws:secretsmanager/secret:Secret"));
    expect(secrets).not.to.be.empty;
    for (const secret of secrets) expect(secret.inputs.recoveryWindowInDays, secret.urn).to.equal(30);
    expect(doc).to.include("recoverable for 30 days (`recoveryWindowInDays`)");
  });

  it("are linked from the README", () => {
    expect(fs.readFileSync(path.join(ROOT_DIR, "README.md"), "utf8")).to.include("(docs/teardown.md)");
  });
});
