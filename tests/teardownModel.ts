/**
 * docs/teardown.md walked against the backup guards the stacks register: each shell command of the
 * doc, in order, as the identity its block runs as, is mapped to the IAM action it calls and checked
 * against the explicit Denies of the registered policies (each vault's access policy while it stands,
 * the data and backup keys' policies), with what AWS adds (a locked vault keeps its recovery points; a
 * vault is deleted only when empty). A `pulumi destroy` of a regional stack calls the delete of each
 * guarded resource it holds, in dependency order. What it cannot model (timing, a compliance lock) the
 * doc says in words.
 */
import { RecordedResource, StackRun } from "../tools/mocks";

export type Identity = "deploy" | "break-glass";

/** An explicit Deny as the stacks write it: actions, and the principals `ArnNotEquals aws:PrincipalArn` spares. */
export interface Guard {
  /** `<region> <resource name>` and the statement's Sid. */
  where: string;
  sid: string;
  actions: string[];
  exceptions: string[];
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Condition?: { ArnNotEquals?: { "aws:PrincipalArn"?: string | string[] } };
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The guards of a resource's policy input (`policy`): its Deny statements that spare principals by
 * `aws:PrincipalArn`. The other Denies the stacks write (TLS-only, `aws:SecureTransport`) refuse no
 * call of the AWS CLI, which speaks HTTPS.
 */
export function guardsOf(run: StackRun, r: RecordedResource): Guard[] {
  if (typeof r.inputs.policy !== "string") return [];
  const doc = JSON.parse(r.inputs.policy) as { Statement: Statement[] };
  return asList(doc.Statement)
    .filter((s) => s.Effect === "Deny" && s.Condition?.ArnNotEquals?.["aws:PrincipalArn"] !== undefined)
    .map((s) => ({
      where: `${run.region} ${r.name}`,
      sid: s.Sid ?? "",
      actions: asList(s.Action),
      exceptions: asList(s.Condition?.ArnNotEquals?.["aws:PrincipalArn"]),
    }));
}

const T = {
  vault: "aws:backup/vault:Vault",
  vaultPolicy: "aws:backup/vaultPolicy:VaultPolicy",
  lock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
  key: "aws:kms/key:Key",
  alias: "aws:kms/alias:Alias",
};

/** What each AWS CLI command of the doc calls, and on what (the region's vault or data key, or neither). */
export const AWS_COMMANDS: Record<string, { action: string; on?: "vault" | "dataKey" }> = {
  "s3 rm": { action: "s3:DeleteObject" },
  "backup delete-backup-vault-access-policy": { action: "backup:DeleteBackupVaultAccessPolicy", on: "vault" },
  "backup delete-backup-vault-lock-configuration": {
    action: "backup:DeleteBackupVaultLockConfiguration",
    on: "vault",
  },
  "backup list-recovery-points-by-backup-vault": {
    action: "backup:ListRecoveryPointsByBackupVault",
    on: "vault",
  },
  "backup delete-recovery-point": { action: "backup:DeleteRecoveryPoint", on: "vault" },
  "backup delete-backup-vault": { action: "backup:DeleteBackupVault", on: "vault" },
  "kms describe-key": { action: "kms:DescribeKey", on: "dataKey" },
  "kms cancel-key-deletion": { action: "kms:CancelKeyDeletion", on: "dataKey" },
  "kms enable-key": { action: "kms:EnableKey", on: "dataKey" },
  "kms disable-key": { action: "kms:DisableKey", on: "dataKey" },
  "kms schedule-key-deletion": { action: "kms:ScheduleKeyDeletion", on: "dataKey" },
  "rds delete-db-cluster-snapshot": { action: "rds:DeleteDBClusterSnapshot" },
  "resourcegroupstaggingapi get-resources": { action: "tag:GetResources" },
  "logs describe-log-groups": { action: "logs:DescribeLogGroups" },
  "route53 list-health-checks": { action: "route53:ListHealthChecks" },
};

/** The delete a `pulumi destroy` calls for each guarded type (the provider's Delete). */
export const DESTROY_ACTIONS: Record<string, string> = {
  [T.vaultPolicy]: "backup:DeleteBackupVaultAccessPolicy",
  [T.lock]: "backup:DeleteBackupVaultLockConfiguration",
  [T.vault]: "backup:DeleteBackupVault",
  // The provider deletes a key by scheduling its deletion (aws.kms.Key deletionWindowInDays).
  [T.key]: "kms:ScheduleKeyDeletion",
};
const DESTROY_ORDER = [T.vaultPolicy, T.lock, T.vault, T.key];

interface RegionState {
  run: StackRun;
  vaultPolicy: boolean;
  lock: boolean;
  recoveryPoints: boolean;
  vault: boolean;
  /** Keys by resource name: "live", "pending" (deletion scheduled), "cancelled". */
  keys: Record<string, "live" | "pending" | "cancelled">;
  /** Resource names taken out of the state (`pulumi state delete`). */
  outOfState: Set<string>;
  destroyed: boolean;
}

export interface WalkResult {
  /** Every call the guards or AWS would refuse, in order. */
  refused: string[];
  /** Every call made, as `identity region action`. */
  calls: string[];
  regions: Record<string, Omit<RegionState, "run">>;
}

/** The identity that runs a block's line `i`: the break-glass principal from `export AWS_PROFILE=break-glass` on. */
function identityAt(lines: string[], i: number): Identity {
  return lines.slice(0, i + 1).some((l) => l.trim() === "export AWS_PROFILE=break-glass")
    ? "break-glass"
    : "deploy";
}

interface Line {
  text: string;
  identity: Identity;
  env: Record<string, string>;
}

/** A block's lines with its `for S in …` / `while read -r S KEY` loops unrolled, `$S` known on each. */
function unroll(block: string, env: Record<string, string>, dataKeys: string[]): Line[] {
  const lines = block.split("\n").filter((l) => l.trim() !== "");
  const out: Line[] = [];
  const local = { ...env };
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i];
    const assign = /^([A-Z]+)=([a-z0-9-]+)$/.exec(text.trim());
    if (assign) local[assign[1]] = assign[2];
    const loop = /^for S in ([a-z0-9 -]+); do$/.exec(text) ?? /^while read -r S KEY; do$/.exec(text);
    if (!loop) {
      out.push({ text, identity: identityAt(lines, i), env: { ...local } });
      continue;
    }
    // The loop's own `done` starts its line (a nested loop's is indented).
    const end = lines.findIndex((l, j) => j > i && /^done\b/.test(l));
    const body = lines.slice(i + 1, end);
    const regions = loop[1] !== undefined ? loop[1].trim().split(" ") : dataKeys;
    for (const S of regions) {
      body.forEach((b, j) =>
        out.push({ text: b, identity: identityAt(lines, i + 1 + j), env: { ...local, S } }),
      );
    }
    i = end;
  }
  return out;
}

/**
 * Walks the blocks in order. `runs` are the regional runs (their policies are the guards), `arns`
 * the principal ARN of each identity.
 */
export function walkTeardown(blocks: string[], runs: StackRun[], arns: Record<Identity, string>): WalkResult {
  const state: Record<string, RegionState> = {};
  for (const run of runs) {
    const keys: RegionState["keys"] = {};
    for (const k of run.resources.filter((r) => r.type === T.key)) keys[k.name] = "live";
    state[run.region] = {
      run,
      vaultPolicy: true,
      lock: run.resources.some((r) => r.type === T.lock),
      recoveryPoints: true,
      vault: true,
      keys,
      outOfState: new Set(),
      destroyed: false,
    };
  }
  const refused: string[] = [];
  const calls: string[] = [];
  const dataKeys: string[] = [];

  const resourceOf = (s: RegionState, type: string, name?: string) =>
    s.run.resources.find((r) => r.type === type && (name === undefined || r.name === name));
  /** The guard that refuses `action` to `who` on a resource, if any. */
  const refusal = (s: RegionState, action: string, who: Identity, on: RecordedResource | undefined) => {
    if (on === undefined) return undefined;
    const guards =
      on.type === T.vault
        ? s.vaultPolicy
          ? guardsOf(s.run, resourceOf(s, T.vaultPolicy)!)
          : []
        : guardsOf(s.run, on);
    return guards.find((g) => g.actions.includes(action) && !g.exceptions.includes(arns[who]));
  };
  const call = (
    s: RegionState,
    who: Identity,
    action: string,
    on: RecordedResource | undefined,
    what: string,
  ) => {
    calls.push(`${who} ${s.run.region} ${action}`);
    const guard = refusal(s, action, who, on);
    if (guard) {
      refused.push(
        `${s.run.region}: ${what}: ${action} refused to the ${who} identity by ${guard.sid} (${guard.where})`,
      );
      return false;
    }
    return true;
  };

  for (const block of blocks) {
    for (const { text, identity, env } of unroll(block, {}, dataKeys)) {
      const S = env.S;
      const line = text.trim();
      const s = S !== undefined ? state[S] : undefined;
      if (/^echo "\$S \$KEY" >> data-keys.txt$/.test(line) && S) dataKeys.push(S);
      const stateDelete = /pulumi state delete "\$B\\\$(\S+)" /.exec(line);
      if (stateDelete && s) {
        // The named resource and everything that depends on it, transitively (--target-dependents).
        const name = stateDelete[1].split("::").pop()!;
        const gone = new Set([name]);
        for (let grew = true; grew; ) {
          grew = false;
          for (const r of s.run.resources) {
            if (!gone.has(r.name) && r.dependencies.some((d) => gone.has(d.split("::").pop()!))) {
              gone.add(r.name);
              grew = true;
            }
          }
        }
        gone.forEach((n) => s.outOfState.add(n));
        continue;
      }
      const destroy = /pulumi destroy (?:--refresh )?--stack "\$ORG\/\$S"( --target)?/.exec(line);
      if (destroy && s) {
        if (destroy[1]) continue; // the targeted destroy of the plan and notifications: nothing guarded (tested)
        for (const type of DESTROY_ORDER) {
          for (const r of s.run.resources.filter((x) => x.type === type && !s.outOfState.has(x.name))) {
            if (type === T.vaultPolicy && !s.vaultPolicy) continue; // --refresh: already gone
            if (type === T.lock && !s.lock) continue;
            if (!call(s, identity, DESTROY_ACTIONS[type], type === T.key ? r : resourceOf(s, T.vault), line))
              continue;
            if (type === T.vaultPolicy) s.vaultPolicy = false;
            if (type === T.lock) s.lock = false;
            if (type === T.vault) {
              if (s.recoveryPoints) refused.push(`${S}: ${line}: the vault is not empty`);
              else s.vault = false;
            }
            if (type === T.key) s.keys[r.name] = "pending";
          }
        }
        s.destroyed = true;
        continue;
      }
      const aws = /(?:^|\$\(|; |do )aws ([a-z0-9]+) ([a-z0-9-]+)/.exec(line);
      if (!aws) continue;
      const command = `${aws[1]} ${aws[2]}`;
      const spec = AWS_COMMANDS[command];
      if (!spec) {
        refused.push(`${line}: aws ${command} is not modelled (tests/teardownModel.ts AWS_COMMANDS)`);
        continue;
      }
      if (!s) continue; // a call outside the regional loops (listings in us-east-1)
      const dataKey = resourceOf(s, T.key, "data-key");
      const on = spec.on === "vault" ? resourceOf(s, T.vault) : spec.on === "dataKey" ? dataKey : undefined;
      if (spec.on === "vault" && !s.vault) continue;
      if (!call(s, identity, spec.action, on, line)) continue;
      if (command === "backup delete-backup-vault-access-policy") s.vaultPolicy = false;
      if (command === "backup delete-backup-vault-lock-configuration") s.lock = false;
      if (command === "backup delete-recovery-point") {
        if (s.lock) refused.push(`${S}: ${line}: the recovery points are locked`);
        else s.recoveryPoints = false;
      }
      if (command === "kms cancel-key-deletion") s.keys["data-key"] = "cancelled";
      if (command === "kms schedule-key-deletion") s.keys["data-key"] = "pending";
    }
  }
  const regions: WalkResult["regions"] = {};
  for (const [
    region,
    { vaultPolicy, lock, recoveryPoints, vault, keys, outOfState, destroyed },
  ] of Object.entries(state)) {
    regions[region] = { vaultPolicy, lock, recoveryPoints, vault, keys, outOfState, destroyed };
  }
  return { refused, calls, regions };
}

/** A resource's URN as the engine writes it: every ancestor's type, joined by `$` (the mocks keep only the parent's). */
export function engineUrn(run: StackRun, r: RecordedResource): string {
  const types: string[] = [];
  for (let at: RecordedResource | undefined = r; at; ) {
    types.unshift(at.type);
    const parent: string | undefined = at.parent;
    at = run.resources.find((x) => x.urn === parent && x.type !== "pulumi:pulumi:Stack");
  }
  return `urn:pulumi:${run.stack}::${run.project}::${types.join("$")}::${r.name}`;
}
