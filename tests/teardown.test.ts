/**
 * docs/teardown.md, as far as offline allows: its settings are schema keys the programs accept, and
 * with them every stack registers nothing protected, no deletion protection where the doc says so, and
 * still the Aurora final snapshot; lifting the protection replaces nothing. Its commands parse, name
 * their region, go in the documented order and name what the stacks really create and export. Walked
 * in order against the backup guards the stacks register (tests/teardownModel.ts), every command runs
 * as an identity the vault and key policies allow, and docs/backups.md's table of who may lift each
 * guard, and its procedure for adding a break-glass principal, are the policies' own. What AWS does
 * beyond the model is for the first real teardown.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { checkScalar, SCHEMA, validateBreakGlassPrincipals } from "../config";
import { AnySchema, fromEngine } from "../config/build";
import { ObjectSpec, ScalarSpec } from "../config/schema";
import { CONTROL_SCHEMA } from "../config/control";
import { ACCOUNT_ID, RecordedResource, ROOT_DIR, StackRun } from "../tools/mocks";
import { PROJECT } from "../tools/runStacks";
import { HOME_REGION, Overrides, runDataStacks, Runs, STANDBY_REGION, steadyRuns } from "./dataStacks";
import { awsCalls, shBlocks } from "./docBlocks";
import { ofType, one } from "./helpers";
import { engineUrn, Guard, guardsOf, walkTeardown } from "./teardownModel";

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
const backupsDoc = fs.readFileSync(path.join(ROOT_DIR, "docs", "backups.md"), "utf8");

/** The text of a markdown section (from its heading to the next heading of the same or a higher level). */
function section(text: string, heading: string): string {
  const start = text.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const level = /^#+/.exec(heading)![0];
  const rest = text.slice(start + heading.length);
  const next = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  return next < 0 ? rest : rest.slice(0, next);
}

/** teardown.md's steps 1 to 5, in order (not the vault-keeping variant). */
const STEP_HEADINGS = [
  "## 1. Lift the protection",
  "## 2. The control stack",
  "## 3. Every standby, then the home",
  "## 4. What is left",
  "## 5. Later: the final snapshots and the data keys",
];
const stepBlocks = STEP_HEADINGS.map((h) => shBlocks(section(doc, h)));
const keepBlocks = shBlocks(section(doc, "## Backups you must keep"));
const addBreakGlass = section(backupsDoc, "### Adding a break-glass principal");
const addBreakGlassBlocks = shBlocks(addBreakGlass);
const BREAK_GLASS = "export AWS_PROFILE=break-glass";
/** The break-glass role docs/backups.md names, and the deploy role of docs/deploying.md (any other ARN). */
const BREAK_GLASS_ARN = /BREAK_GLASS_ARN=(\S+)/.exec(addBreakGlassBlocks.join("\n"))?.[1] ?? "";
const DEPLOY_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/github-deploy`;
const ROOT_ARN = `arn:aws:iam::${ACCOUNT_ID}:root`;

/** docs/backups.md's `pulumi config set --path <key path> "$BREAK_GLASS_ARN"`, as engine config. */
function breakGlassConfig(): Record<string, string> {
  const match = /pulumi config set --path '([a-zA-Z.]+)\.(\w+)\[0\]' "\$BREAK_GLASS_ARN" --stack/.exec(
    addBreakGlassBlocks.join("\n"),
  );
  if (!match) throw new Error("docs/backups.md: no pulumi config set --path of the break-glass list");
  const [top, ...fields] = match[1].split(".");
  let value: unknown = { [match[2]]: [BREAK_GLASS_ARN] };
  for (const field of fields.reverse()) value = { [field]: value };
  return { [`${PROJECT}:${top}`]: JSON.stringify(value) };
}

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

let breakGlass: Promise<Runs> | undefined;
/** The three stacks with docs/backups.md's break-glass principal, as the teardown finds them (once per process). */
function breakGlassRuns(): Promise<Runs> {
  const bg = breakGlassConfig();
  breakGlass ??= runDataStacks({ home: bg, standby: bg });
  return breakGlass;
}

const regional = (runs: Runs): StackRun[] => [runs.home, runs.standby];
const everyRun = (runs: Runs): StackRun[] => [runs.home, runs.standby, runs.control];

describe("teardown: the programs with docs/teardown.md's settings", function () {
  this.timeout(60_000);
  let steady: Runs;
  let down: Runs;

  before(async () => {
    // With a break-glass principal, as the teardown requires (docs/backups.md): the runs the guards
    // are read from below.
    const bg = breakGlassConfig();
    steady = await breakGlassRuns();
    const o = overrides();
    down = await runDataStacks({ ...o, home: { ...o.home, ...bg }, standby: { ...o.standby, ...bg } });
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

  describe("against the backup guards (the vault access policies, the data and backup key policies)", () => {
    const guardsIn = (run: StackRun): { resource: RecordedResource; guard: Guard }[] =>
      run.resources.flatMap((resource) => guardsOf(run, resource).map((guard) => ({ resource, guard })));
    /** The backticked actions of a row of docs/backups.md's "Who may lift each guard" table. */
    const tableActions = (rowStart: string): string[] => {
      const row = section(backupsDoc, "## Who may lift each guard")
        .split("\n")
        .find((l) => l.startsWith(`| ${rowStart}`));
      expect(row, rowStart).to.be.a("string");
      return [...row!.split("|")[2].matchAll(/`([a-z]+:[A-Za-z]+)`/g)].map(([, a]) => a);
    };
    const walk = (runs: Runs, stepTexts: string[][]) =>
      walkTeardown(stepTexts.flat(), regional(runs), {
        deploy: DEPLOY_ARN,
        "break-glass": BREAK_GLASS_ARN,
      });

    it("are the ones docs/backups.md's table names, on exactly each vault and the data and backup keys, sparing exactly the root user and the break-glass principals", () => {
      expect(BREAK_GLASS_ARN).to.match(/^arn:aws:iam::\d{12}:role\//);
      for (const run of regional(down)) {
        const found = guardsIn(run);
        expect(
          found.map(({ resource }) => `${resource.type} ${resource.name}`),
          run.stack,
        ).to.have.members([
          "aws:backup/vaultPolicy:VaultPolicy backups-vault-policy",
          "aws:kms/key:Key data-key",
          "aws:kms/key:Key backups-key-key",
        ]);
        for (const { resource, guard } of found) {
          expect(guard.exceptions, guard.where).to.deep.equal([ROOT_ARN, BREAK_GLASS_ARN]);
          const row = resource.type === "aws:kms/key:Key" ? "the data key" : "each vault";
          expect(guard.actions, guard.where).to.have.members(tableActions(row));
        }
      }
      expect(guardsIn(down.control)).to.deep.equal([]);
      expect(section(backupsDoc, "## Who may lift each guard")).to.include(
        "the account root user and `backup.breakGlassPrincipalArns`",
      );
    });

    it("walked in order, every command runs as an identity the guards allow, and nothing guarded is left", () => {
      const result = walk(down, stepBlocks);
      expect(result.refused).to.deep.equal([]);
      for (const region of [STANDBY_REGION, HOME_REGION]) {
        const r = result.regions[region];
        expect([r.vaultPolicy, r.lock, r.recoveryPoints, r.vault, r.destroyed], region).to.deep.equal([
          false,
          false,
          false,
          false,
          true,
        ]);
        // The backup key with its vault (step 3), the data key after the final snapshot (step 5).
        expect(r.keys, region).to.deep.equal({
          "data-key": "pending",
          "backups-key-key": "pending",
          "ops-ops-key": "pending",
        });
      }
      // Steps 3 and 5 made the guarded calls, as the break-glass principal; steps 1, 2 and 4 none.
      expect(
        result.calls.filter((c) => /DeleteBackupVault|ScheduleKeyDeletion|DeleteRecoveryPoint/.test(c)),
      ).to.satisfy((calls: string[]) => calls.length > 0 && calls.every((c) => c.startsWith("break-glass ")));
    });

    it("steps 3 and 5 switch to the break-glass principal, as the table of who runs what says, and steps 1, 2 and 4 do not", () => {
      stepBlocks.forEach((blocksOfStep, i) => {
        expect(blocksOfStep, STEP_HEADINGS[i]).to.have.length.greaterThan(0);
        for (const block of blocksOfStep)
          expect(block.split("\n")[0] === BREAK_GLASS, STEP_HEADINGS[i]).to.equal(i === 2 || i === 4);
      });
      for (const block of keepBlocks) expect(block.split("\n")[0]).to.equal(BREAK_GLASS);
      expect(doc).to.match(/\| 1, 2, 4 \| your usual deploy identity/);
      expect(doc).to.match(/\| 3, 5 {4}\| a principal in `backup\.breakGlassPrincipalArns`/);
    });

    it("run as the deploy role, step 3 is refused at each vault's access policy and its destroy at both keys; step 5 at the data keys", () => {
      const asDeploy = stepBlocks.map((b) => b.map((block) => block.replace(`${BREAK_GLASS}\n`, "")));
      const refused = walk(down, asDeploy).refused;
      expect(refused[0]).to.equal(
        `${STANDBY_REGION}: aws backup delete-backup-vault-access-policy --region $S --backup-vault-name $V: backup:DeleteBackupVaultAccessPolicy refused to the deploy identity by OnlyBreakGlassDeletesOrUnlocks (${STANDBY_REGION} backups-vault-policy)`,
      );
      for (const key of ["data-key", "backups-key-key"])
        expect(refused.join("\n")).to.include(
          `kms:ScheduleKeyDeletion refused to the deploy identity by OnlyBreakGlassDisablesOrDeletes (${STANDBY_REGION} ${key})`,
        );
      expect(refused.filter((r) => r.includes(": aws kms schedule-key-deletion"))).to.have.length(2);
      expect(doc).to.include("**Run as the deploy role instead**");
    });

    it("with no break-glass principal configured (the default) even the break-glass profile is refused: docs/backups.md's procedure comes first", async () => {
      const refused = walk(await steadyRuns(), stepBlocks).refused;
      expect(refused[0]).to.match(/refused to the break-glass identity by OnlyBreakGlassDeletesOrUnlocks/);
      expect(doc).to.include("(backups.md#adding-a-break-glass-principal)");
      expect(backupsDoc).to.include("### Adding a break-glass principal");
    });

    it("keeping a vault: the URNs are the engine's, only the plan, its selection and the notifications are destroyed first, and the vault leaves the state with its lock, policy and key", () => {
      const keep = keepBlocks.join("\n");
      for (const run of regional(down)) {
        const urns = [...keep.matchAll(/"\$B\\\$(\S+?)"/g)].map(
          ([, tail]) =>
            `urn:pulumi:${run.stack}::${PROJECT}::multi-region-web:data:Backups$${tail.replace(/\\\$/g, "$")}`,
        );
        const byUrn = new Map(run.resources.map((r) => [engineUrn(run, r), r]));
        expect(urns, run.stack).to.have.length(3);
        for (const urn of urns) expect(byUrn.has(urn), urn).to.equal(true);
        const [plan, notifications, key] = urns.map((u) => byUrn.get(u)!);
        /** A resource and its dependents, transitively: what --target-dependents takes along. */
        const closure = (roots: RecordedResource[]): string[] => {
          const names = new Set(roots.map((r) => r.name));
          for (let grew = true; grew; ) {
            grew = false;
            for (const r of run.resources)
              if (!names.has(r.name) && r.dependencies.some((d) => names.has(d.split("::").pop()!))) {
                names.add(r.name);
                grew = true;
              }
          }
          return [...names];
        };
        expect(closure([plan, notifications])).to.have.members([
          "backups-plan",
          "backups-selection",
          "backups-notifications",
        ]);
        expect(closure([key])).to.have.members([
          "backups-key-key",
          "backups-key-alias",
          "backups-vault",
          "backups-vault-lock",
          "backups-vault-policy",
          "backups-notifications",
          "backups-plan",
          "backups-selection",
        ]);
      }
      // Keeping the home's vault: the standbys go through step 3, the home through this block.
      const steps = stepBlocks.map((b) =>
        b.map((block) =>
          block.replace(/for S in [a-z0-9 -]+; do\n  V=/, `for S in ${STANDBY_REGION}; do\n  V=`),
        ),
      );
      const result = walk(down, [...steps.slice(0, 3), keepBlocks, ...steps.slice(3)]);
      expect(result.refused).to.deep.equal([]);
      const home = result.regions[HOME_REGION];
      expect([home.vaultPolicy, home.lock, home.recoveryPoints, home.vault, home.destroyed]).to.deep.equal([
        true,
        true,
        true,
        true,
        true,
      ]);
      expect(home.keys["backups-key-key"]).to.equal("live");
      expect(home.keys["data-key"]).to.equal("pending");
      expect(result.regions[STANDBY_REGION].vault).to.equal(false);
      expect(keep).not.to.match(
        /delete-backup-vault-access-policy|delete-backup-vault-lock-configuration|delete-recovery-point/,
      );
    });
  });
});

describe("docs/backups.md: adding a break-glass principal (the teardown's prerequisite)", function () {
  this.timeout(60_000);
  let before_: Runs;
  let after: Runs;

  before(async () => {
    before_ = await steadyRuns();
    after = await breakGlassRuns();
  });

  it("its blocks parse, name their region, and the example ARN is one the config accepts", () => {
    expect(addBreakGlassBlocks).to.have.length(2);
    for (const block of addBreakGlassBlocks) {
      execFileSync("bash", ["-n"], { input: block });
      expect(block, block).not.to.match(/\s#\s/);
    }
    for (const call of awsCalls(addBreakGlassBlocks.join("\n"))) expect(call).to.match(/--region \$S\b/);
    expect(() => validateBreakGlassPrincipals([BREAK_GLASS_ARN])).not.to.throw();
    const spec = specOf(SCHEMA as AnySchema, "backup.breakGlassPrincipalArns");
    expect(spec?.type).to.equal("stringList");
  });

  it("the root user deletes the access policy of every regional stack's vault, then the stacks are deployed in order", () => {
    const [rootBlock, deployBlock] = addBreakGlassBlocks;
    const loop = /^for S in ([a-z0-9 -]+); do$/m.exec(rootBlock)!;
    expect(loop[1].split(" ")).to.have.members(regional(before_).map((r) => r.region));
    expect(rootBlock).to.include(
      "aws backup delete-backup-vault-access-policy --region $S --backup-vault-name multi-region-web-$S",
    );
    for (const run of regional(before_))
      expect(ofType(run, T.vault).map((v) => v.inputs.name)).to.deep.equal([
        `multi-region-web-${run.region}`,
      ]);
    expect(/^for S in ([a-z0-9 -]+); do$/m.exec(deployBlock)![1].split(" ")).to.have.members([
      HOME_REGION,
      STANDBY_REGION,
    ]);
    const ups = [...deployBlock.matchAll(/pulumi up --stack "\$ORG\/([a-z0-9-]+)"/g)].map(([, st]) => st);
    expect(ups).to.deep.equal([HOME_REGION, STANDBY_REGION]);
    expect(addBreakGlass).to.include("as the **root user**");
  });

  it("the pulumi up changes only each vault's access policy and the data and backup key policies, which now spare the principal", () => {
    for (const stack of ["home", "standby", "control"] as const) {
      const changed = after[stack].resources
        .filter((r) => r.custom)
        .filter((r) => {
          const was = before_[stack].resources.find((x) => x.urn === r.urn)!;
          return JSON.stringify(was.inputs) !== JSON.stringify(r.inputs);
        })
        .map((r) => r.name);
      expect(changed, stack).to.have.members(
        stack === "control" ? [] : ["backups-vault-policy", "data-key", "backups-key-key"],
      );
    }
    for (const run of regional(after))
      for (const r of run.resources)
        for (const guard of guardsOf(run, r))
          expect(guard.exceptions, guard.where).to.include(BREAK_GLASS_ARN);
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
      expect(ofType(run, T.alias).map((a) => a.inputs.name)).to.include.members([
        `alias/multi-region-web-${S}-data`,
        `alias/multi-region-web-${S}-backup`,
      ]);
    }
    expect(all).to.include('pulumi stack output accessLogBucketName --stack "$ORG/$S"');
    expect(all).to.include("V=multi-region-web-$S");
    expect(all).to.include("--key-id alias/multi-region-web-$S-data");
    expect(doc).to.include("`alias/multi-region-web-<region>-backup`");
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
