/**
 * The plan's pre-flight: every check that needs no program run, over every stack file of both
 * projects, every problem at once. In order: what the Pulumi CLI itself would refuse (pulumiCli.ts),
 * each stack's own config (build.ts, the same code the program runs), and what the stacks must agree
 * on (crossStack.ts). Each problem names the file, the key as the user wrote it, the value and what
 * is allowed, with the line and column where the key is.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { isMap, isSeq, LineCounter, Node, parseDocument } from "yaml";
import { AnySchema, configFromEngine, fieldOwners } from "./build";
import { ControlConfig, controlConfigFromEngine } from "./control";
import { crossStackProblems, ControlStack, RegionalStack } from "./crossStack";
import { ConfigError, Finding, problemsOf } from "./errors";
import { AppliedStack, checkProjectTexts, FileText, parseKey, readProjectTexts } from "./pulumiCli";
import { SCHEMA } from "./schema";
import { AppConfig } from "./types";

/** A stack that passed the pre-flight, with its config as the engine will hand it to the program. */
export interface CheckedStack extends AppliedStack {
  project: string;
}

export interface Preflight {
  findings: Finding[];
  /** The regional stacks (home first) and the control stacks; empty when there are findings. */
  regional: CheckedStack[];
  control: CheckedStack[];
  /** The organization the standbys' primaryStack names (every stack lives in one). */
  organization: string;
}

/** Where a config key is in a stack file, and how the user wrote it. */
export function locate(
  file: FileText,
  project: string,
  key: string,
): { key: string; line?: number; column?: number } {
  const special = ["stack name", "project name"];
  if (special.includes(key)) return { key };
  const lines = new LineCounter();
  const doc = parseDocument(file.text, { lineCounter: lines });
  const [namespace, rest] = key.includes(":")
    ? [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)]
    : [project, key];
  const segments = rest.split(/\.|(?=\[)/).map((s) => (/^\[\d+\]$/.test(s) ? Number(s.slice(1, -1)) : s));
  const top = String(segments[0]);
  const config = doc.get("config", true);
  const written = [`${namespace}:${top}`, ...(namespace === project ? [top] : [])].find(
    (k) => isMap(config) && config.has(k),
  );
  const tail = rest.slice(top.length);
  if (written === undefined || !isMap(config)) return { key: `${namespace}:${rest}` };
  let node = config.get(written, true) as Node | undefined;
  let at: Node | undefined =
    (config.items.find((p) => (p.key as { value?: unknown }).value === written)?.key as Node) ?? node;
  for (const segment of segments.slice(1)) {
    if (!(isMap(node) || isSeq(node))) break;
    const pair = isMap(node)
      ? node.items.find((p) => (p.key as { value?: unknown }).value === segment)
      : undefined;
    const next = isMap(node)
      ? (pair?.value as Node | undefined)
      : (node.get(segment as number, true) as Node | undefined);
    if (next === undefined) break;
    at = (pair?.key as Node | undefined) ?? next;
    node = next;
  }
  const pos = at?.range ? lines.linePos(at.range[0]) : undefined;
  return { key: `${written}${tail}`, ...(pos && { line: pos.line, column: pos.col }) };
}

function finding(
  file: FileText,
  project: string,
  problem: { key: string; value: unknown; message: string },
): Finding {
  const where = locate(file, project, problem.key);
  const notSet = where.line === undefined && !["stack name", "project name"].includes(problem.key);
  return {
    file: file.path,
    key: where.key,
    ...(problem.value !== undefined && { value: problem.value }),
    message:
      notSet && problem.value !== undefined
        ? `${problem.message} (the default: this file does not set it)`
        : problem.message,
    ...(where.line !== undefined && { line: where.line, column: where.column }),
  };
}

const allowedOf = (e: ConfigError) => ({ key: e.key, value: e.value, message: e.allowed });

/** Where a stack file names the organization: a standby's primaryStack, a control stack's homeStack. */
interface OrganizationName {
  file: string;
  project: string;
  key: string;
  value: string;
  organization: string;
}

function organizationNames(stacks: AppliedStack[], project: string, key: string): OrganizationName[] {
  return stacks.flatMap((s) => {
    const value = s.config[`${project}:${key}`];
    const parts = value?.split("/") ?? [];
    return parts.length === 3 ? [{ file: s.file, project, key, value, organization: parts[0] }] : [];
  });
}

/**
 * Each name of the organization that the others contradict. Every stack of the app lives in one
 * organization, but which name is stale is the user's to say: a user who set homeStack to their own
 * organization and left a standby's primaryStack at the example's must not be told to set homeStack
 * back. So each file that names one is told what the others name, and that they must agree.
 */
function organizationConflicts(names: OrganizationName[]) {
  const distinct = new Set(names.map((n) => n.organization));
  if (distinct.size < 2) return [];
  return names.map((n) => {
    const others = names
      .filter((o) => o.organization !== n.organization)
      .map((o) => `${o.file}'s ${o.key} names ${o.organization}`);
    return {
      name: n,
      message:
        `names the organization ${n.organization}, but ${others.join(", ")}: every stack of the app lives in one ` +
        `organization, so make them agree (your Pulumi Cloud organization, or "organization" on a self-managed backend)`,
    };
  });
}

/**
 * Runs the pre-flight on the projects under `root` (Pulumi.yaml and control/Pulumi.yaml, each with its stack files):
 * the repository's root for the user's stack files, a copy of the fixtures' for the specs.
 */
export function preflight(root: string): Preflight {
  const texts = {
    regional: readProjectTexts(root, root),
    control: readProjectTexts(path.join(root, "control"), root),
  };
  const cli = { regional: checkProjectTexts(texts.regional), control: checkProjectTexts(texts.control) };
  const findings: Finding[] = [...cli.regional.findings, ...cli.control.findings];
  const project = cli.regional.project?.name ?? "multi-region-web";
  const controlProject = cli.control.project?.name ?? "multi-region-web-control";
  const fileText = (file: string) =>
    [...texts.regional.stackFiles, ...texts.control.stackFiles].find((f) => f.path === file) as FileText;

  const names = [
    ...organizationNames(cli.regional.stacks, project, "primaryStack"),
    ...organizationNames(cli.control.stacks, controlProject, "homeStack"),
  ];
  const organization = names[0]?.organization ?? "organization";
  const conflicts = organizationConflicts(names);
  for (const { name, message } of conflicts) {
    findings.push(finding(fileText(name.file), name.project, { key: name.key, value: name.value, message }));
  }

  const regional: RegionalStack[] = [];
  let allBuilt = true;
  for (const s of cli.regional.stacks) {
    const file = fileText(s.file);
    for (const [key, spec] of Object.entries(SCHEMA)) {
      const fullKey = `${project}:${key}`;
      if ("secret" in spec && spec.secret && fullKey in s.config && !s.secretKeys.includes(fullKey)) {
        findings.push(
          finding(file, project, {
            key,
            value: undefined,
            message: `is a secret stored in plain text: remove it and set it with \`pulumi config set --secret ${key} <value>\``,
          }),
        );
      }
    }
    try {
      const cfg: AppConfig = configFromEngine({
        project,
        stack: s.stack,
        organization,
        values: s.config,
        smtpPassword:
          s.config[`${project}:smtpPassword`] !== undefined ? pulumi.secret("[secret]") : undefined,
      });
      const database = parsed(s.config[`${project}:database`]);
      regional.push({
        file: s.file,
        cfg,
        sets: (key) => key === "database.engineVersion" && database.engineVersion !== undefined,
      });
    } catch (e) {
      const problems = problemsOf(e);
      if (problems === undefined) throw e;
      allBuilt = false;
      const misplaced = misplacedUnder(s.config, project);
      findings.push(
        ...problems
          .filter((p) => !misplaced.some((owner) => p.key === owner || isFieldOf(p.key, owner)))
          .map((p) => finding(file, project, allowedOf(p))),
      );
    }
  }

  const controls: ControlStack[] = [];
  for (const s of cli.control.stacks) {
    try {
      const cfg: ControlConfig = controlConfigFromEngine({
        project: controlProject,
        stack: s.stack,
        organization,
        values: s.config,
      });
      controls.push({ file: s.file, cfg });
    } catch (e) {
      const problems = problemsOf(e);
      if (problems === undefined) throw e;
      allBuilt = false;
      findings.push(...problems.map((p) => finding(fileText(s.file), controlProject, allowedOf(p))));
    }
  }

  // Across stacks only once each stack's own config is valid: before that, they would repeat its problems.
  if (allBuilt && cli.regional.findings.length === 0) {
    const homeFirstStacks = [...regional.filter((s) => s.cfg.home), ...regional.filter((s) => !s.cfg.home)];
    const home = homeFirstStacks.find((s) => s.cfg.home);
    for (const p of crossStackProblems(homeFirstStacks, controls)) {
      // A name of the home that is wrong only in its organization: the conflict above says it, without
      // taking a side (the check here would hold every file to the first standby's organization).
      const tail = typeof p.value === "string" ? p.value.split("/").slice(1).join("/") : undefined;
      const onlyOrganization =
        conflicts.length > 0 &&
        ["primaryStack", "homeStack"].includes(p.key) &&
        tail === `${project}/${home?.cfg.stack}`;
      if (onlyOrganization) continue;
      const isControl = controls.some((c) => c.file === p.file);
      findings.push(finding(fileText(p.file), isControl ? controlProject : project, p));
    }
  }
  if (cli.regional.stacks.length === 0 && findings.length === 0) {
    findings.push({
      file: "Pulumi.yaml",
      key: "(stack files)",
      message: `no Pulumi.<stack>.yaml files in ${root}`,
    });
  }

  // One message per mistake: a value the CLI already refuses (a type, a missing key) needs no second
  // one from the program's own check of that key or its fields; a missing key's says what is allowed.
  const cliCount = cli.regional.findings.length + cli.control.findings.length;
  const cliFindings = findings.slice(0, cliCount);
  const controlFiles = new Set(texts.control.stackFiles.map((f) => f.path));
  const fullKey = (f: Finding) => {
    const owner = controlFiles.has(f.file) ? controlProject : project;
    return parseKey(f.key, owner) ?? f.key;
  };
  const repeats = (f: Finding, cliFinding: Finding) =>
    f.file === cliFinding.file &&
    (fullKey(f) === fullKey(cliFinding) || isFieldOf(fullKey(f), fullKey(cliFinding)));
  const reported = findings.slice(cliCount).filter((f) => {
    const cliFinding = cliFindings.find((c) => repeats(f, c));
    if (cliFinding === undefined) return true;
    if (cliFinding.message.includes(MISSING) && f.message.startsWith(REQUIRED)) {
      cliFinding.message += ` (allowed: ${f.message.slice(REQUIRED.length)})`;
    }
    return false;
  });
  findings.splice(cliCount, findings.length - cliCount, ...reported);
  const ok = findings.length === 0;
  const homeFirst = [...cli.regional.stacks].sort(
    (a, b) => Number(isHome(b, project)) - Number(isHome(a, project)),
  );
  return {
    findings,
    regional: ok ? homeFirst.map((s) => ({ ...s, project })) : [],
    control: ok ? cli.control.stacks.map((s) => ({ ...s, project: controlProject })) : [],
    organization,
  };
}

const isHome = (s: AppliedStack, project: string) => s.config[`${project}:home`] === "true";

/** The CLI's message on a missing required key (pulumiCli.ts), and the program's (build.ts). */
const MISSING = "is missing configuration value";
const REQUIRED = "is required: ";

/** True when `key` is a field or an element of `owner` (`alarms.emails`, `alarms.emails[0]` of `alarms`). */
const isFieldOf = (key: string, owner: string) => key.startsWith(`${owner}.`) || key.startsWith(`${owner}[`);

/**
 * The object keys left empty whose fields a stack file sets as keys of their own (a mis-indented
 * `emails:` under `alarms:`): the program reports the field as misplaced (build.ts
 * misplacedFieldHint), and the empty owner's own problems would only repeat it.
 */
function misplacedUnder(config: Record<string, string>, project: string): string[] {
  const keys = Object.keys(config)
    .filter((k) => k.startsWith(`${project}:`))
    .map((k) => k.slice(project.length + 1));
  return keys
    .filter((k) => !(k in SCHEMA))
    .flatMap((k) => fieldOwners(k, SCHEMA as AnySchema))
    .filter((owner) => !config[`${project}:${owner}`]);
}

function parsed(text: string | undefined): Record<string, unknown> {
  try {
    const value: unknown = text === undefined ? {} : JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
