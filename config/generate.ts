/**
 * `npm run config-docs`: writes, from the schemas (config/schema.ts, config/control.ts), the `config:`
 * schema of each project's Pulumi.yaml and the reference tables of docs/configuration.md.
 * `npm run config-docs -- --check` only compares and exits 1 when a file is stale (the tests run it).
 *
 * What Pulumi.yaml declares: a key with one default for every stack (with its type and default), and a
 * required key (type, no default: the CLI refuses a stack that does not set it). What it must not
 * declare: a default that depends on the stack (the CLI would fill it in everywhere, and the program
 * could not tell a setting from the default), a key one kind of stack may not set, a secret (a declared
 * secret with a default breaks every stack, pulumi/pulumi#21865; without one, the CLI requires it), and
 * the structured keys (the CLI types objects only since v3.187.0, pulumi/pulumi#20132: left undeclared,
 * older CLIs still load the project).
 */
import * as fs from "fs";
import * as path from "path";
import * as prettier from "prettier";
import * as YAML from "yaml";
import { AnySchema } from "./build";
import { CONTROL_SCHEMA } from "./control";
import { Default, ObjectSpec, ScalarSpec, SCHEMA } from "./schema";

export const ROOT = path.join(__dirname, "..");

export interface Project {
  /** Folder of the project's Pulumi.yaml, from the repository root. */
  dir: string;
  schema: AnySchema;
  /** Title of its section in docs/configuration.md. */
  title: string;
}

export const PROJECTS: Project[] = [
  { dir: ".", schema: SCHEMA as AnySchema, title: "Regional stacks (`Pulumi.<region>.yaml`)" },
  {
    dir: "control",
    schema: CONTROL_SCHEMA as AnySchema,
    title: "The failover control stack (`control/Pulumi.global.yaml`)",
  },
];

const PULUMI_TYPE: Partial<Record<ScalarSpec<unknown>["type"], string>> = {
  string: "string",
  integer: "integer",
  boolean: "boolean",
  stringList: "array",
};

/** Whether Pulumi.yaml may declare the key, and if not, why (see the file comment). */
export function declaration(spec: ScalarSpec<unknown> | ObjectSpec<unknown>): {
  declare: boolean;
  why?: string;
} {
  if (spec.type === "object") return { declare: false, why: "structured" };
  if (spec.secret) return { declare: false, why: "secret" };
  if (spec.scope !== undefined) return { declare: false, why: `${spec.scope} stacks only` };
  if (PULUMI_TYPE[spec.type] === undefined)
    return { declare: false, why: "a number Pulumi's schema cannot type" };
  const d = spec.default;
  if (d !== undefined && !("value" in d)) return { declare: false, why: "default depends on the stack" };
  if (d === undefined && !spec.required) return { declare: false, why: "optional, no default" };
  return { declare: true };
}

/** Bounds and allowed values of a scalar, in words. */
export function allowedText(spec: ScalarSpec<unknown>): string {
  const parts: string[] = [];
  if (spec.oneOf) parts.push(spec.oneOf.map((v) => `\`${String(v)}\``).join(", "));
  const min =
    typeof spec.min === "object" ? `${spec.min.active} (active) / ${spec.min.passive} (passive)` : spec.min;
  if (min !== undefined && spec.max !== undefined) parts.push(`${min} to ${spec.max}`);
  else if (min !== undefined) parts.push(`at least ${min}`);
  else if (spec.max !== undefined) parts.push(`at most ${spec.max}`);
  if (spec.positive) parts.push("more than 0");
  if (spec.step !== undefined) parts.push(`steps of ${spec.step}`);
  if (spec.allowed) parts.push(spec.allowed);
  return parts.join("; ");
}

export function defaultText(spec: ScalarSpec<unknown>): string {
  const d: Default<unknown> | undefined = spec.default;
  const show = (v: unknown) => `\`${typeof v === "string" && v !== "" ? v : JSON.stringify(v)}\``;
  if (d === undefined) return spec.required ? "required" : "unset";
  if ("value" in d) return show(d.value);
  if ("byRole" in d) {
    return d.byRole.active === d.byRole.passive
      ? show(d.byRole.active)
      : `active ${show(d.byRole.active)}, passive ${show(d.byRole.passive)}`;
  }
  if ("byHome" in d) return `home ${show(d.byHome.home)}, standby ${show(d.byHome.standby)}`;
  return d.computed;
}

/** The `config:` block of a project's Pulumi.yaml, with the comment naming what it leaves out. */
export function pulumiYamlConfig(schema: AnySchema): string {
  const config: Record<string, unknown> = {};
  const undeclared: string[] = [];
  for (const [key, spec] of Object.entries(schema)) {
    const { declare, why } = declaration(spec);
    if (!declare) {
      undeclared.push(`${key} (${why})`);
      continue;
    }
    const scalarSpec = spec as ScalarSpec<unknown>;
    const allowed = allowedText(scalarSpec);
    config[key] = {
      type: PULUMI_TYPE[scalarSpec.type],
      ...(scalarSpec.type === "stringList" ? { items: { type: "string" } } : {}),
      description: `${scalarSpec.doc}${allowed ? ` Allowed: ${allowed.replace(/`/g, "")}.` : ""}${scalarSpec.required ? " Required." : ""}`,
      ...(scalarSpec.default !== undefined && "value" in scalarSpec.default
        ? { default: scalarSpec.default.value }
        : {}),
    };
  }
  const comment = [
    `Generated from the schema by \`npm run config-docs\`: edit the schema (${"config/schema.ts or config/control.ts"}), not this block.`,
    "Declared: keys with one default for every stack, and required keys (the CLI refuses a stack without them).",
    "Not declared, but read and checked by the program and documented in docs/configuration.md (a declared",
    "default would be filled in on every stack; a declared secret with a default breaks every stack, #21865):",
    ...(undeclared.length > 0 ? wrap(undeclared.join(", "), 100) : ["none"]),
  ];
  return `${comment.map((l) => `# ${l}`.trimEnd()).join("\n")}\n${YAML.stringify({ config }, { lineWidth: 0 })}`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => `  ${l}`);
}

/** The markdown reference table of a project's keys, structured keys' fields as `key.field` rows. */
export function referenceTable(schema: AnySchema): string {
  const rows: string[][] = [];
  // Pipes break a table row; outside code spans, <organization> would be read as an HTML tag.
  const cell = (s: string) =>
    s
      .split("`")
      .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, "&lt;").replace(/>/g, "&gt;")))
      .join("`")
      .replace(/\|/g, "\\|");
  const row = (key: string, spec: ScalarSpec<unknown>) =>
    rows.push([
      `\`${key}\``,
      `${spec.secret ? "secret " : ""}${spec.type === "stringList" ? "string[]" : spec.type}${spec.scope ? ` (${spec.scope} only)` : ""}`,
      defaultText(spec),
      allowedText(spec),
      spec.doc,
    ]);
  for (const [key, spec] of Object.entries(schema)) {
    if (spec.type === "object") {
      rows.push([`\`${key}\``, "object", "", "", spec.doc]);
      for (const [field, fieldSpec] of Object.entries(spec.fields as object))
        row(`${key}.${field}`, fieldSpec as ScalarSpec<unknown>);
    } else row(key, spec);
  }
  const header = ["key", "type", "default", "allowed", "meaning"];
  return [header, header.map(() => "---"), ...rows].map((r) => `| ${r.map(cell).join(" | ")} |`).join("\n");
}

const YAML_MARKER = /^# Generated from the schema by `npm run config-docs`/m;
const DOC_BEGIN = (title: string) => `<!-- BEGIN generated by npm run config-docs: ${title} -->`;
const DOC_END = "<!-- END generated -->";

/** Every generated file's expected text (formatted as `npm run lint` wants it). */
export async function generatedFiles(root = ROOT): Promise<{ file: string; text: string }[]> {
  const files: { file: string; text: string }[] = [];
  const docsFile = path.join(root, "docs", "configuration.md");
  let docs = fs.readFileSync(docsFile, "utf8");
  for (const project of PROJECTS) {
    const file = path.join(root, project.dir, "Pulumi.yaml");
    const current = fs.readFileSync(file, "utf8");
    const marker = YAML_MARKER.exec(current);
    const head = marker ? current.slice(0, marker.index) : current.replace(/^(#.*\n)*config:[\s\S]*$/m, "");
    files.push({
      file,
      text: await prettier.format(head + pulumiYamlConfig(project.schema), { filepath: file }),
    });

    const begin = DOC_BEGIN(project.title);
    const start = docs.indexOf(begin);
    const end = docs.indexOf(DOC_END, start);
    const table = `${begin}\n\n${referenceTable(project.schema)}\n\n${DOC_END}`;
    docs =
      start >= 0 && end >= 0
        ? docs.slice(0, start) + table + docs.slice(end + DOC_END.length)
        : `${docs}\n## ${project.title}\n\n${table}\n`;
  }
  const prettierOptions = (await prettier.resolveConfig(docsFile)) ?? {};
  files.push({
    file: docsFile,
    text: await prettier.format(docs, { ...prettierOptions, filepath: docsFile }),
  });
  return files;
}

/** The files whose text differs from what the schema generates. */
export async function staleFiles(root = ROOT): Promise<string[]> {
  return (await generatedFiles(root))
    .filter(({ file, text }) => fs.readFileSync(file, "utf8") !== text)
    .map(({ file }) => path.relative(root, file));
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes("--check");
  const unknown = argv.filter((a) => a !== "--check");
  if (unknown.length > 0) {
    console.error(`error: unknown argument "${unknown[0]}"; allowed: --check`);
    return 2;
  }
  if (check) {
    const stale = await staleFiles();
    if (stale.length === 0) return 0;
    console.error(`stale (run npm run config-docs): ${stale.join(", ")}`);
    return 1;
  }
  for (const { file, text } of await generatedFiles()) fs.writeFileSync(file, text);
  console.log("wrote the config schema of Pulumi.yaml, control/Pulumi.yaml and docs/configuration.md");
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      console.error(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exitCode = 3;
    },
  );
}
