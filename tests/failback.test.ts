/**
 * The programs in the states a failover and its failback go through, and the procedure that moves
 * between them (docs/operations.md, "Which region holds the writer"): the writer on the standby with
 * the home's cluster a secondary (rejoined, or re-created as one), then back home. Nothing stateful may
 * be replaced or deleted on the way: same URNs, no changed input that reaches the provider except the
 * ones the doc names, and the control stack untouched.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { buildConfig, SCHEMA } from "../config";
import { RecordedResource, ROOT_DIR, StackRun } from "../tools/mocks";
import { runDataStacks, Runs, steadyRuns } from "./dataStacks";
import { assignments, awsCalls, shBlocks } from "./docBlocks";
import { HOME_CONFIG as HOME_RAW, ofType, one } from "./helpers";

const CLUSTER = "aws:rds/cluster:Cluster";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";
const INVOCATION = "aws:lambda/invocation:Invocation";
/** The alarms that watch a cluster in one role (Observability `db-writer-*`, `db-reader-*`). */
const ROLE_ALARM = /^ops-db-(writer|reader)-/;

/** A resource's registration as the engine compares it with the state. */
const registration = (r: RecordedResource) => ({
  type: r.type,
  inputs: r.inputs,
  protect: r.protect,
  ignoreChanges: r.ignoreChanges,
  deleteBeforeReplace: r.deleteBeforeReplace,
  retainOnDelete: r.retainOnDelete,
  parent: r.parent,
  provider: r.provider,
  dependencies: r.dependencies,
});

/** Inputs Pulumi sends as changed when `after` is registered over the state `before` wrote (ignoreChanges applied). */
const sentChanges = (before: RecordedResource, after: RecordedResource) =>
  [...new Set([...Object.keys(before.inputs), ...Object.keys(after.inputs)])].filter(
    (k) =>
      JSON.stringify(before.inputs[k]) !== JSON.stringify(after.inputs[k]) &&
      !after.ignoreChanges.includes(k),
  );

/** URNs of the custom resources whose registration differs between two runs of one stack. */
function differing(before: StackRun, after: StackRun): string[] {
  return after.resources
    .filter((r) => r.custom)
    .filter((r) => {
      const old = before.resources.find((b) => b.urn === r.urn);
      return old !== undefined && JSON.stringify(registration(old)) !== JSON.stringify(registration(r));
    })
    .map((r) => r.urn);
}

const roleAlarms = (run: StackRun) =>
  ofType(run, ALARM)
    .map((a) => a.name)
    .filter((n) => ROLE_ALARM.test(n))
    .sort();

const AWAY = { home: { "multi-region-web:database": JSON.stringify({ writerRegion: "ca-central-1" }) } };

describe("failback: the programs while the writer is away from home, and back", function () {
  this.timeout(60_000);
  let steady: Runs;
  let away: Runs;

  before(async () => {
    steady = await steadyRuns();
    away = await runDataStacks(AWAY);
  });

  it("the home says where the writer is, and the standby knows it from the home", () => {
    expect(steady.home.outputs.dbWriterRegion).to.equal("us-east-1");
    expect(away.home.outputs.dbWriterRegion).to.equal("ca-central-1");
    // The standby sets nothing: its alarms follow what the home exports.
    expect(roleAlarms(steady.standby)).to.deep.equal(["ops-db-reader-cpu", "ops-db-reader-memory"]);
    expect(roleAlarms(away.standby)).to.deep.equal(["ops-db-writer-cpu", "ops-db-writer-memory"]);
    // The home's two instances: writer and reader at home; both readers of a secondary away.
    expect(roleAlarms(steady.home)).to.deep.equal([
      "ops-db-reader-cpu",
      "ops-db-reader-memory",
      "ops-db-writer-cpu",
      "ops-db-writer-memory",
    ]);
    expect(roleAlarms(away.home)).to.deep.equal(["ops-db-reader-cpu", "ops-db-reader-memory"]);
  });

  for (const stack of ["home", "standby", "control"] as const) {
    it(`${stack}: keeps every URN but the database role alarms, which follow the writer`, () => {
      const urns = (run: StackRun) =>
        run.resources
          .filter((r) => !(r.type === ALARM && ROLE_ALARM.test(r.name)) && r.type !== INVOCATION)
          .map((r) => r.urn);
      expect(urns(away[stack])).to.have.members(urns(steady[stack]));
    });
  }

  it("home: runs the database user's bootstrap only while the writer is home (the Data API answers on the primary only)", () => {
    expect(ofType(steady.home, INVOCATION).map((r) => r.name)).to.deep.equal(["db-user-bootstrap"]);
    expect(ofType(away.home, INVOCATION)).to.deep.equal([]);
    // Removing the invocation runs nothing (lifecycle CREATE_ONLY); the function, its role and logs stay.
    expect(ofType(away.home, "aws:lambda/function:Function").map((r) => r.name)).to.include(
      "db-user-function",
    );
  });

  it("home: changes nothing but its cluster's ignored inputs and the alarms' dashboard", () => {
    const changed = differing(steady.home, away.home);
    const cluster = one(away.home, CLUSTER);
    expect(changed.filter((u) => ![cluster.urn].includes(u) && !u.includes(DASHBOARD))).to.deep.equal([]);
    // What reaches the provider for the existing cluster: nothing (databaseName, masterUsername and
    // masterPassword are reset from the state), so no replace and no modify.
    expect(sentChanges(one(steady.home, CLUSTER), cluster)).to.deep.equal([]);
    expect(cluster.protect).to.equal(true);
  });

  it("home: re-created as a secondary when its cluster is gone, with nothing a secondary may not set", () => {
    const cluster = one(away.home, CLUSTER);
    for (const input of [
      "databaseName",
      "masterUsername",
      "masterPassword",
      "snapshotIdentifier",
      "sourceRegion",
    ])
      expect(cluster.inputs[input], input).to.equal(undefined);
    expect(cluster.inputs.globalClusterIdentifier).to.equal(away.home.outputs.globalClusterIdentifier);
    expect(cluster.inputs.clusterIdentifier).to.equal(one(steady.home, CLUSTER).inputs.clusterIdentifier);
  });

  it("home, back at home: only masterPassword and the Data API reach a cluster that was re-created as a secondary", () => {
    expect(sentChanges(one(away.home, CLUSTER), one(steady.home, CLUSTER))).to.deep.equal([
      "enableHttpEndpoint",
      "masterPassword",
    ]);
  });

  it("standby: changes nothing but the alarms' dashboard; control: changes nothing", () => {
    expect(differing(steady.standby, away.standby).filter((u) => !u.includes(DASHBOARD))).to.deep.equal([]);
    expect(differing(steady.control, away.control)).to.deep.equal([]);
  });
});

/** The failback section of docs/operations.md. */
function failbackSection(): string {
  const text = fs.readFileSync(path.join(ROOT_DIR, "docs", "operations.md"), "utf8");
  const start = text.indexOf("### Failback after a lossy failover");
  expect(start, "docs/operations.md has the failback section").to.be.greaterThan(0);
  const end = text.indexOf("\n## ", start);
  return text.slice(start, end < 0 ? undefined : end);
}

describe("docs/operations.md failback procedure", function () {
  this.timeout(60_000);
  const section = failbackSection();
  const blocks = shBlocks(section);
  const all = blocks.join("\n");
  const vars = assignments(all);
  let steady: Runs;

  before(async () => {
    steady = await steadyRuns();
  });

  it("is shell that parses (bash -n), block by block", () => {
    expect(blocks.length).to.be.at.least(6);
    for (const block of blocks) execFileSync("bash", ["-n"], { input: block });
  });

  it("names every AWS region it calls, and asks the writer's region about the global database", () => {
    const calls = awsCalls(all);
    expect(calls.length).to.be.at.least(8);
    for (const call of calls) expect(call, call).to.match(/--region \$[WH]\b/);
    expect(all).to.match(/aws rds describe-global-clusters --region \$W /);
    expect(vars).to.include({ W: "ca-central-1", H: "us-east-1" });
  });

  it("names the global database and the home's cluster the home stack creates", () => {
    expect(vars.GDB).to.equal(steady.home.outputs.globalClusterIdentifier);
    expect(vars.CLUSTER).to.equal(one(steady.home, CLUSTER).inputs.clusterIdentifier);
  });

  it("sets and removes a key the home accepts, with a value it accepts, then deploys home first", () => {
    const sets = [...all.matchAll(/pulumi config set --path (\S+) (\S+) --stack "\$ORG\/us-east-1"/g)];
    expect(sets.map(([, key, value]) => [key, value])).to.deep.equal([
      ["database.writerRegion", "ca-central-1"],
    ]);
    expect(SCHEMA.database.fields).to.have.property("writerRegion");
    expect(
      buildConfig({ ...HOME_RAW, database: { writerRegion: "ca-central-1" } }).database.writerRegion,
    ).to.equal("ca-central-1");
    expect(all).to.include('pulumi config rm --path database.writerRegion --stack "$ORG/us-east-1"');
    const ups = [...all.matchAll(/pulumi up .*--stack "\$ORG\/([a-z0-9-]+)"/g)].map(([, s]) => s);
    expect(ups).to.deep.equal(["us-east-1", "ca-central-1", "us-east-1", "ca-central-1"]);
  });

  it("moves the detached cluster and its instances out of the names the state holds, deleting nothing", () => {
    // No `pulumi state delete`: the bootstrap's invocation depends on the instances, and the refresh
    // that finds a renamed instance gone drops it and every reference to it.
    expect(all).not.to.include("pulumi state delete");
    const members = "--query 'DBClusters[0].DBClusterMembers[].DBInstanceIdentifier' --output text";
    expect(all).to.include(
      `for I in $(aws rds describe-db-clusters --region $H --db-cluster-identifier $CLUSTER ${members}); do`,
    );
    expect(all).to.include(
      'aws rds modify-db-instance --region $H --db-instance-identifier "$I" --new-db-instance-identifier "$I-detached" --apply-immediately',
    );
    expect(all).to.include(
      "aws rds modify-db-cluster --region $H --db-cluster-identifier $CLUSTER --new-db-cluster-identifier $CLUSTER-detached",
    );
    // The instances are renamed before the cluster (the loop asks the cluster by its old name), and
    // nothing in the procedure deletes a cluster, an instance or a snapshot.
    expect(all.indexOf("modify-db-instance")).to.be.lessThan(all.indexOf("modify-db-cluster "));
    expect(all).not.to.match(/aws rds delete-/);
    // Whatever the stack names its instances, they are members of the cluster the loop asks about.
    for (const instance of ofType(steady.home, "aws:rds/clusterInstance:ClusterInstance"))
      expect(instance.inputs.clusterIdentifier).to.equal(
        one(steady.home, CLUSTER).outputs.id ?? vars.CLUSTER,
      );
  });

  it("watches the replication-lag alarm the home stack creates", () => {
    const [, prefix] = /--alarm-name-prefix (\S+)/.exec(all)!;
    expect(ofType(steady.home, ALARM).map((a) => a.name)).to.include(prefix);
  });
});
