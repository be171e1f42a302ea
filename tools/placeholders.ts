/**
 * `npm run placeholders`: every example value still in the stack files of both projects (Pulumi.<stack>.yaml and
 * control/Pulumi.<stack>.yaml), one per line, as `file:line:col: key = value: replace with …`. Exit 0 when there is
 * none, 2 when there is one (or on a bad option, or a stack file that is not YAML). The preview and deploy workflows
 * run it before any `pulumi` command; `npm run plan` prints the same list as its "Before you deploy" section, and
 * plans the examples all the same (offline, nothing is deployed).
 *
 * What counts as a placeholder is the PLACEHOLDERS list below, and only it.
 */
import * as path from "path";
import { isMap, isScalar, isSeq, LineCounter, Node, parse, parseDocument } from "yaml";
import { Finding, formatFinding } from "../config/errors";
import { parseKey, readProjectTexts } from "../config/pulumiCli";

/** One kind of example value a real deployment must replace. */
export interface Placeholder {
  /** What it is, in a word or two. */
  what: string;
  /** The keys it is looked for in: the engine's full key and path (`multi-region-web:alarms.emails[0]`). */
  key: RegExp;
  /** True for a value that is still the example's. */
  matches(value: string): boolean;
  /** What to put instead (the message says "replace with <this>"). */
  replaceWith: string;
  /**
   * Only a placeholder on Pulumi Cloud: a self-managed (DIY) backend's organization is literally "organization"
   * ("Non-legacy DIY backends do support the org/project/stack format, but org must be set to "organization"":
   * Pulumi's automation API reference, fullyQualifiedStackName).
   */
  cloudOnly?: true;
}

/**
 * A name under a domain reserved for documentation, which no one can register, so no real hosted zone, certificate
 * or mailbox can use it: example.com, example.net, example.org (RFC 2606 §3) and the .example top-level domain (§2).
 */
export function isExampleName(value: string): boolean {
  const name = value.toLowerCase().replace(/\.$/, "");
  return /(^|\.)example\.(com|net|org)$/.test(name) || /(^|\.)example$/.test(name);
}

/** An e-mail address at such a name. */
export function isExampleAddress(value: string): boolean {
  const at = value.lastIndexOf("@");
  return at > 0 && isExampleName(value.slice(at + 1));
}

/**
 * Every placeholder, in the order tried (the first whose key and value match names it). The committed stack files
 * ship with the first seven; the last catches an example name or address anywhere else (a mail sender, an SMTP host).
 */
export const PLACEHOLDERS: readonly Placeholder[] = [
  {
    what: "the app's domain",
    key: /^[^:]+:domain$/,
    matches: isExampleName,
    replaceWith: "your app's DNS name, inside hostedZone",
  },
  {
    what: "the hosted zone",
    key: /^[^:]+:hostedZone$/,
    matches: isExampleName,
    replaceWith: "your public Route 53 hosted zone (it must exist before the first deploy)",
  },
  {
    what: "an alarm e-mail",
    key: /^[^:]+:(alarms\.emails|alarmEmails)\[\d+\]$/,
    matches: isExampleAddress,
    replaceWith: "an address your on-call team reads (AWS mails it a link to confirm)",
  },
  {
    what: "the organization",
    key: /^[^:]+:(primaryStack|homeStack)$/,
    matches: (v) => v.startsWith("organization/"),
    replaceWith:
      "your Pulumi Cloud organization in place of organization/ (right as it is on a self-managed backend: " +
      "with PULUMI_BACKEND_URL set to it, this is not reported)",
    cloudOnly: true,
  },
  {
    what: "the Owner tag",
    key: /^aws:defaultTags\.tags\.Owner$/,
    matches: (v) => v === "platform-team",
    replaceWith: "the team that owns this deployment",
  },
  {
    what: "the CostCentre tag",
    key: /^aws:defaultTags\.tags\.CostCentre$/,
    matches: (v) => v === "0000",
    replaceWith: "your cost centre",
  },
  {
    what: "an approver",
    key: /^[^:]+:approvalPrincipals\[\d+\]$/,
    // 123456789012 and 111122223333 are the account ids AWS's documentation uses in its examples.
    matches: (v) => /^arn:[^:]+:iam::(123456789012|111122223333):/.test(v),
    replaceWith: "the ARN of a role or user of your account that may approve a failover (your on-call role)",
  },
  {
    what: "an example name",
    key: /./,
    matches: (v) => isExampleName(v) || isExampleAddress(v),
    replaceWith: "yours (example.com, .net, .org and .example are reserved for documentation, RFC 2606)",
  },
];

/** DIY backend URL schemes (pulumi login: file://, s3://, azblob://, gs://). */
const SELF_MANAGED = /^(file|s3|azblob|gs):\/\//;

/**
 * The self-managed backend the stacks live in, if any: PULUMI_BACKEND_URL (which the CLI prefers over the
 * logged-in one, pulumi/pulumi#5789), else Pulumi.yaml's `backend.url`.
 */
export function selfManagedBackend(projectText: string, env: NodeJS.ProcessEnv): string | undefined {
  let url = env.PULUMI_BACKEND_URL;
  if (!url) {
    try {
      const backend = (Object(parse(projectText)) as { backend?: { url?: unknown } }).backend;
      url = typeof backend?.url === "string" ? backend.url : undefined;
    } catch {
      url = undefined; // a syntax error: the pre-flight reports it
    }
  }
  return url && SELF_MANAGED.test(url) ? url : undefined;
}

/** A stack file the scan could not read (not YAML): the pre-flight (`npm run plan`) names the problem. */
export class UnreadableStackFile extends Error {}

/**
 * Every placeholder value in the stack files of the projects under `root` (Pulumi.yaml and control/Pulumi.yaml), in
 * file order, each at the value's line and column, with the key as the file writes it.
 */
export function findPlaceholders(root: string, env: NodeJS.ProcessEnv = process.env): Finding[] {
  const found: Finding[] = [];
  for (const dir of [root, path.join(root, "control")]) {
    const { projectFile, stackFiles } = readProjectTexts(dir, root);
    const project = (Object(parse(projectFile.text)) as { name?: unknown }).name;
    const selfManaged = selfManagedBackend(projectFile.text, env) !== undefined;
    for (const file of stackFiles) {
      const lines = new LineCounter();
      const doc = parseDocument(file.text, { lineCounter: lines });
      if (doc.errors.length > 0) {
        throw new UnreadableStackFile(`${file.path}: not valid YAML (npm run plan names the problem)`);
      }
      const config = doc.get("config", true);
      if (!isMap(config)) continue;
      const visit = (node: unknown, written: string, full: string) => {
        if (isMap(node)) {
          for (const pair of node.items) {
            const k = String((pair.key as { value?: unknown }).value);
            visit(pair.value, `${written}.${k}`, `${full}.${k}`);
          }
        } else if (isSeq(node)) {
          node.items.forEach((item, i) => visit(item, `${written}[${i}]`, `${full}[${i}]`));
        } else if (isScalar(node) && ["string", "number", "boolean"].includes(typeof node.value)) {
          const value = String(node.value as string | number | boolean);
          const placeholder = PLACEHOLDERS.find(
            (p) => p.key.test(full) && p.matches(value) && !(p.cloudOnly && selfManaged),
          );
          if (!placeholder) return;
          const pos = (node as Node).range ? lines.linePos((node as Node).range![0]) : undefined;
          found.push({
            file: file.path,
            key: written,
            value: node.value,
            message: `replace with ${placeholder.replaceWith}`,
            ...(pos && { line: pos.line, column: pos.col }),
          });
        }
      };
      for (const pair of config.items) {
        const written = String((pair.key as { value?: unknown }).value);
        const full = typeof project === "string" ? parseKey(written, project) : undefined;
        if (full) visit(pair.value, written, full);
      }
    }
  }
  return found;
}

export const USAGE = `Usage: npm run placeholders [-- --help]

Lists every example value still in the stack files (Pulumi.<stack>.yaml, control/Pulumi.<stack>.yaml)
that a real deployment must replace: an example.com domain, zone or e-mail, the organization
"organization" in primaryStack/homeStack (on Pulumi Cloud), the example Owner and CostCentre tags.

Exit codes: 0 none left, 2 at least one (or a bad option, or a stack file that is not YAML).`;

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The command: prints the list and returns the exit code. */
export function placeholdersMain(argv: string[], io: Io, root: string, env = process.env): number {
  const bad = argv.find((a) => a !== "--help" && a !== "-h");
  if (bad !== undefined) {
    io.err(`error: unknown option "${bad}"; allowed: --help`);
    io.err(USAGE);
    return 2;
  }
  if (argv.length > 0) {
    io.out(USAGE);
    return 0;
  }
  let found: Finding[];
  try {
    found = findPlaceholders(root, env);
  } catch (e) {
    if (!(e instanceof UnreadableStackFile)) throw e;
    io.err(`error: ${e.message}`);
    return 2;
  }
  if (found.length === 0) {
    io.out("No placeholder values left in the stack files.");
    return 0;
  }
  found.forEach((f) => io.out(formatFinding(f)));
  io.err(
    `${found.length} placeholder value(s) in the stack files: replace them before a real deploy ` +
      "(npm run plan still plans them offline).",
  );
  return 2;
}

if (require.main === module) {
  process.exitCode = placeholdersMain(
    process.argv.slice(2),
    { out: (l) => console.log(l), err: (l) => console.error(l) },
    path.resolve(__dirname, ".."),
  );
}
