/**
 * The Pulumi CLI's own checks on a project's Pulumi.yaml and Pulumi.<stack>.yaml files, emulated offline: what
 * `pulumi preview` / `up` reject before any program starts. Every problem is a Finding (the CLI stops at the first).
 *
 * Sources, in pulumi/pulumi at commit 1b59498 (2026-08-21): config.go is pkg/workspace/config.go; project.go,
 * project.json and loaders.go are in sdk/go/common/workspace; key.go, map.go and object.go in
 * sdk/go/common/resource/config. The CLI reads YAML with gopkg.in/yaml.v3 (sdk/go/common/encoding/marshal.go), whose
 * scalar types the `yaml` package's YAML 1.2 core schema matches, except `017` (octal 15 in Go) and `1_000` (an
 * integer in Go, a string here).
 */
import * as fs from "fs";
import * as path from "path";
import {
  Document,
  isMap,
  isScalar,
  LineCounter,
  Node,
  parse,
  parseDocument,
  Scalar,
  visit,
  YAMLMap,
} from "yaml";
import { editDistance, type Finding } from "./errors";

export interface FileText {
  /** Relative to the repository root, as the user sees it (`control/Pulumi.global.yaml`). */
  path: string;
  text: string;
}

export interface ProjectTexts {
  projectFile: FileText;
  stackFiles: FileText[];
  /** The project's folder, when the texts come from one: a runtime option's file is looked for there. */
  projectDir?: string;
}

export interface ItemsType {
  type: string;
  items?: ItemsType;
}

/** A `config:` entry of Pulumi.yaml after the CLI's shorthand rewrite (`azCount: 2` is `{default: 2}`). */
export interface Declaration {
  /** As written in Pulumi.yaml. */
  key: string;
  /** `<namespace>:<name>`, as the engine keys it. */
  fullKey: string;
  namespace: string;
  type?: string;
  items?: ItemsType;
  default?: unknown;
  value?: unknown;
  secret: boolean;
  line?: number;
}

/** A stack's config as the engine hands it to the program: project defaults filled in, objects as JSON. */
export interface AppliedStack {
  stack: string;
  file: string;
  /** By full key. A secure value, which only the CLI can decrypt, is "[secret]". */
  config: Record<string, string>;
  secretKeys: string[];
}

export interface ProjectCheck {
  findings: Finding[];
  project?: { name: string; config: Declaration[] };
  stacks: AppliedStack[];
}

const REPO_ROOT = path.resolve(__dirname, "..");
const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;
// project.json $defs simpleConfigType and configTypeDeclaration (additionalProperties: false).
const TYPES = ["string", "integer", "boolean", "array", "object"];
const ATTRIBUTES = ["type", "items", "description", "secret", "default", "value"];
// project.json: these top-level attributes are strings (or null).
const STRING_ATTRIBUTES = ["description", "author", "website", "license", "main", "stackConfigDir"];
// project.go ProjectStack. yaml.v3 silently drops any other top-level key: no CLI error, but its settings are lost.
const STACK_FILE_KEYS = ["secretsprovider", "encryptedkey", "encryptionsalt", "config", "environment"];
// tokens/names.go IsName, tokens/project.go ValidateProjectName, tokens/stack_name.go ParseStackName.
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const MISUSED_SECURE =
  "has a `secure` field the CLI reads as plain text: a secret is `secure: <ciphertext>` alone, as `pulumi config set --secret` writes it";
const INT64 = 2n ** 63n;
const TYPE_NAMES = TYPES.join(", ");
const NAME_CHARS = "may only contain alphanumerics, hyphens, underscores, and periods (at most 100)";
const BAD_KEY =
  "could not parse as a configuration key (configuration keys should be of the form `<namespace>:<name>`)";

interface Entry {
  key: string;
  at: Node;
  node: Node | null;
  value: unknown;
}

/** One parsed file: `report` files a Finding at a node's position. */
class Source {
  readonly lines = new LineCounter();
  readonly doc: Document.Parsed;

  constructor(
    readonly file: FileText,
    readonly findings: Finding[],
  ) {
    const text = file.text.replace(/^\uFEFF/, ""); // loaders.go readFileStripUTF8BOM
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false });
  }

  line(at?: Node | null): number | undefined {
    return at?.range ? this.lines.linePos(at.range[0]).line : undefined;
  }

  report(key: string, message: string, at?: Node | null, value?: unknown): void {
    const pos = at?.range ? this.lines.linePos(at.range[0]) : undefined;
    const finding: Finding = { file: this.file.path, key, message };
    if (value !== undefined) finding.value = value;
    this.findings.push(pos ? { ...finding, line: pos.line, column: pos.col } : finding);
  }

  /** False on a syntax error, or a key yaml.v3 does not decode as a string (project.go SimplifyMarshalledValue). */
  valid(): boolean {
    for (const e of this.doc.errors) {
      const { line, col } = this.lines.linePos(e.pos[0]);
      const message = `invalid YAML: ${e.message}`;
      this.findings.push({ file: this.file.path, key: "(yaml)", message, line, column: col });
    }
    if (this.doc.errors.length > 0) return false;
    const before = this.findings.length;
    visit(this.doc, {
      Pair: (_, { key }) => {
        if (isScalar(key) && typeof key.value === "string") return;
        const text = isScalar(key) ? String(key.value) : String(key);
        this.report(text, `expected only string keys, got '${text}': quote it`, key as Node);
      },
    });
    return this.findings.length === before;
  }

  /** A mapping's entries, values as plain JS. */
  entries(map: YAMLMap): Entry[] {
    return map.items.map(({ key, value }) => {
      const node = value as Node | null;
      return {
        key: (key as Scalar<string>).value,
        at: key as Node,
        node,
        value: node?.toJS(this.doc) as unknown,
      };
    });
  }
}

const isEmpty = (node: unknown) => node === null || (isScalar(node) && node.value === null);
const isObject = (v: unknown): v is object => typeof v === "object" && v !== null;

/** "; did you mean 'x'?" for the nearest of `keys` within 2 edits (project.go findClosestKey), or "". */
function didYouMean(needle: string, keys: string[]): string {
  const distance = (k: string) => editDistance(needle.toLowerCase(), k.toLowerCase());
  const best = [...keys].sort().reduce((b, k) => (distance(b) <= distance(k) ? b : k), keys[0]);
  return best !== undefined && distance(best) <= 2 ? `; did you mean '${best}'?` : "";
}

/** key.go ParseKey: `ns:name` or the old `ns:config:name`; config.go parseConfigKey: no colon is the project's. */
export function parseKey(key: string, project: string): string | undefined {
  const parts = key.split(":");
  if (parts.length === 1) return `${project}:${key}`;
  if (parts.length === 2) return key;
  return parts.length === 3 && parts[1] === "config" ? `${parts[0]}:${parts[2]}` : undefined;
}

/** project.go InferFullTypeName. */
const typeName = (type: string, items?: ItemsType): string =>
  items ? `array<${typeName(items.type, items.items)}>` : type;

/** project.go ValidateConfigValue: an integer may be a string strconv.Atoi parses, a boolean "true" or "false". */
function fitsType(type: string, items: ItemsType | undefined, v: unknown): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "integer":
      if (typeof v === "number") return Number.isInteger(v);
      return typeof v === "string" && /^[+-]?\d+$/.test(v) && BigInt(v) >= -INT64 && BigInt(v) < INT64;
    case "boolean":
      return typeof v === "boolean" || v === "true" || v === "false";
    case "object":
      return isObject(v) && !Array.isArray(v);
    default:
      return Array.isArray(v) && items !== undefined && v.every((i) => fitsType(items.type, items.items, i));
  }
}

/** object.go isSecureValue: `{secure: <string>}` alone; any other map is a plain object. */
const isSecure = (v: unknown) =>
  isObject(v) && Object.keys(v).length === 1 && typeof (v as { secure?: unknown }).secure === "string";
/** value.go Secure: a secure value or an object holding one. */
const hasSecure = (v: unknown): boolean => isSecure(v) || (isObject(v) && Object.values(v).some(hasSecure));
/** A map with a `secure` field isSecureValue does not accept: no CLI error, but the program gets it as plain text. */
const misusedSecure = (v: unknown): boolean =>
  isObject(v) &&
  !isSecure(v) &&
  ((!Array.isArray(v) && "secure" in v) || Object.values(v).some(misusedSecure));

/** Every secure value replaced by "[secret]": what the engine's text and a type check can see offline. */
function reveal(v: unknown): unknown {
  if (isSecure(v)) return "[secret]";
  if (Array.isArray(v)) return v.map(reveal);
  return isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, i]) => [k, reveal(i)])) : v;
}

/** A config.Value's text (object.go MarshalString): scalars printed, null "" (loaders.go), objects as JSON. */
function engineText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return typeof v === "string" ? v : isSecure(v) ? "[secret]" : JSON.stringify(reveal(v));
}

/** project.json configItemsType; Go's ProjectConfigItemsType.Type is a string. */
function itemsType(v: unknown, problems: string[]): ItemsType | undefined {
  const { type, items } = Object(v) as { type?: unknown; items?: unknown };
  if (typeof type !== "string" || !TYPES.includes(type)) {
    problems.push(`'items' must have a 'type', one of ${TYPE_NAMES}`);
    return undefined;
  }
  if (type === "array" && items === undefined) problems.push("'items' of type array needs its own 'items'");
  const inner = items === undefined ? undefined : itemsType(items, problems);
  return { type, ...(inner && { items: inner }) };
}

/** project.go isPrimitiveValue or isArray: a value written in place of a declaration. */
const isShorthand = (v: unknown) =>
  typeof v === "string" || typeof v === "boolean" || Number.isInteger(v) || Array.isArray(v);

/** One `config:` entry: project.json's schema, RewriteShorthandConfigValues and Project.Validate (project.go). */
function declaration(src: Source, project: string, e: Entry): Declaration | undefined {
  const problem = (message: string, value?: unknown) => src.report(e.key, message, e.at, value);
  const fullKey = parseKey(e.key, project);
  if (!fullKey) return void problem(BAD_KEY);
  const d: Declaration = { key: e.key, fullKey, namespace: fullKey.split(":")[0], secret: false };
  d.line = src.line(e.at);
  const ownKey = !e.key.includes(":") || e.key.startsWith(`${project}:`); // configKeyIsNamespacedByProject
  if (isMap(e.node)) {
    const attrs = e.value as Record<string, unknown>;
    const unknown = Object.keys(attrs).filter((a) => !ATTRIBUTES.includes(a));
    const problems = unknown.map((a) => `'${a}' not allowed${didYouMean(a, ATTRIBUTES)}`);
    const { type, description, secret, items } = attrs;
    if (type !== undefined && !TYPES.includes(type as string)) {
      problems.push(`'type' must be one of ${TYPE_NAMES}`);
    }
    if (![undefined, true, false].includes(secret as boolean))
      problems.push("'secret' must be true or false");
    if (description !== undefined && typeof description !== "string") {
      problems.push("'description' not a string");
    }
    const itemsDecl = items === undefined ? undefined : itemsType(items, problems);
    problems.forEach((m) => problem(m));
    if (problems.length > 0) return undefined;
    d.secret = secret === true;
    if (type !== undefined) d.type = type as string;
    if (itemsDecl) d.items = itemsDecl;
    // Go's `default: null` is nil: no default.
    if (attrs.default !== undefined && attrs.default !== null) d.default = attrs.default;
    if (attrs.value !== undefined && attrs.value !== null) d.value = attrs.value;
  } else if (isShorthand(e.value)) {
    Object.assign(d, ownKey ? { default: e.value } : { value: e.value });
  } else {
    return void problem("must be a string, integer, boolean, array or a declaration (type, …)", e.value);
  }
  if (d.default !== undefined && d.value !== undefined) problem("cannot have both a 'default' and a 'value'");
  if (ownKey && d.type === "array" && !d.items) {
    problem("declares an array but does not specify the underlying type via the 'items' attribute");
  } else if (ownKey && d.type && d.default !== undefined && !fitsType(d.type, d.items, d.default)) {
    problem(`the default value is not of the expected type '${typeName(d.type, d.items)}'`, d.default);
  }
  // config.go mergeConfig sets a default as a plain value, then validateStackConfigValue rejects it as unencrypted
  // in every stack that does not set the key: pulumi/pulumi#21865 (since 3.202.0, open; fix PR #23696 not merged).
  if (ownKey && d.type && d.secret && (d.default ?? d.value) !== undefined) {
    problem(
      `is secret and has a default: the CLI fills the default in as plain text, then stops every stack that does ` +
        `not set the key ("Stack '<stack>' with configuration key '${e.key}' must be encrypted as it's secret", ` +
        `pulumi/pulumi#21865). Drop the default (every stack must then \`pulumi config set --secret ${e.key}\`) or ` +
        `drop the declaration`,
      d.default ?? d.value,
    );
  }
  if (!ownKey && d.type) problem("is not namespaced by the project and should not define a type");
  if (!ownKey && d.default !== undefined) {
    problem("is not namespaced by the project: use 'value', not 'default'");
  }
  if (!ownKey && d.value === undefined) problem("is namespaced and must provide an attribute 'value'");
  return d;
}

/** project.json ProjectRuntimeInfo: a non-empty name, or {name, options} and nothing else. */
function isRuntime({ node, value }: Entry): boolean {
  if (typeof value === "string") return value !== "";
  const { name, options, ...others } = Object(value) as Record<string, unknown>;
  return (
    isMap(node) &&
    Object.keys(others).length === 0 &&
    (name === undefined || (typeof name === "string" && name !== "")) &&
    (options === undefined || (isObject(options) && !Array.isArray(options)))
  );
}

/**
 * The nodejs runtime's options, as pulumi-language-nodejs reads them (main.go parseOptions): any other key is ignored
 * without a word, so a misspelt one (`tsconfigpath`) silently does nothing.
 */
const NODEJS_OPTIONS: Record<string, (v: unknown) => boolean> = {
  typescript: (v) => typeof v === "boolean",
  // The tsconfig.json the program is type-checked with, relative to the program's folder (run.js: after
  // process.chdir(pwd), PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json"); pulumi/pulumi#8452.
  tsconfig: (v) => typeof v === "string",
  nodeargs: (v) => typeof v === "string",
  packagemanager: (v) => ["auto", "npm", "yarn", "pnpm", "bun"].includes(v as string),
};
const NODEJS_OPTION_TYPES: Record<string, string> = {
  typescript: "must be a boolean",
  tsconfig: "must be a string: the path of a tsconfig.json, from the project's folder",
  nodeargs: "must be a string",
  packagemanager: "must be one of auto, npm, yarn, pnpm or bun",
};

/** The `runtime.options` of a nodejs project: known keys, their types, and a tsconfig file that exists. */
function checkNodejsOptions(src: Source, runtime: Entry, projectDir?: string): void {
  if (!isMap(runtime.node)) return;
  const { name, options } = runtime.value as { name?: unknown; options?: unknown };
  const optionsNode = runtime.node.get("options", true);
  if (name !== "nodejs" || !isMap(optionsNode) || !isObject(options)) return;
  for (const e of src.entries(optionsNode)) {
    const key = `runtime.options.${e.key}`;
    const check = NODEJS_OPTIONS[e.key];
    if (check === undefined) {
      // `tsconfigpath` (the host's field name) is 4 edits from `tsconfig`: a known key it starts with is a match too.
      const prefix = Object.keys(NODEJS_OPTIONS).find((k) => e.key.toLowerCase().startsWith(k));
      const hint = prefix ? `; did you mean '${prefix}'?` : didYouMean(e.key, Object.keys(NODEJS_OPTIONS));
      src.report(key, `not a nodejs runtime option: the CLI ignores it${hint}`, e.at, e.value);
    } else if (!check(e.value)) {
      src.report(key, NODEJS_OPTION_TYPES[e.key], e.at, e.value);
    } else if (
      e.key === "tsconfig" &&
      projectDir &&
      !fs.existsSync(path.resolve(projectDir, e.value as string))
    ) {
      // run.js: "tsconfig path was set to <path> but the file was not found", and the program does not run.
      src.report(
        key,
        `names a file that is not there (from ${src.file.path}'s folder): the program would not run`,
        e.at,
        e.value,
      );
    }
  }
}

/** Pulumi.yaml: loaders.go LoadProjectBytes (project.go ValidateProject with project.json, then Project.Validate). */
function readProject(src: Source, projectDir?: string): ProjectCheck["project"] {
  if (!src.valid()) return undefined;
  if (!isMap(src.doc.contents)) return void src.report("(file)", "expected project to be an object");
  const top = new Map(src.entries(src.doc.contents).map((e) => [e.key, e]));
  const name = top.get("name");
  if (!name) {
    const message = `project is missing a 'name' attribute${didYouMean("name", [...top.keys()])}`;
    return void src.report("name", message);
  }
  if (typeof name.value !== "string" || name.value === "") {
    const message = "project is missing a non-empty string 'name' attribute";
    return void src.report("name", message, name.at, name.value);
  }
  // Enforced by the diy backend (pkg/backend/diy/store.go) and by Pulumi Cloud for a new stack (httpstate/backend.go).
  if (!NAME.test(name.value)) src.report("name", `project names ${NAME_CHARS}`, name.at, name.value);
  for (const e of STRING_ATTRIBUTES.map((k) => top.get(k))) {
    if (e && e.value !== null && typeof e.value !== "string") {
      src.report(e.key, "must be a string", e.at, e.value);
    }
  }
  const runtime = top.get("runtime");
  if (runtime && !isRuntime(runtime)) {
    src.report("runtime", "must be a name, or a mapping of name and options", runtime.at, runtime.value);
  } else if (runtime) {
    checkNodejsOptions(src, runtime, projectDir);
  }
  const config = top.get("config");
  // project.go RewriteConfigPathIntoStackConfigDir: a string `config` is the old spelling of stackConfigDir.
  if (typeof config?.value === "string" && top.get("stackConfigDir")) {
    src.report(
      "config",
      "Should not use both config and stackConfigDir to define the stack directory",
      config.at,
    );
  }
  if (!config || isEmpty(config.node) || typeof config.value === "string") {
    return { name: name.value, config: [] };
  }
  if (!isMap(config.node)) return void src.report("config", "must be a mapping", config.at, config.value);
  const declarations = src.entries(config.node).map((e) => declaration(src, name.value as string, e));
  return { name: name.value, config: declarations.filter((d) => d !== undefined) };
}

/** A stack file's config entries by full key: loaders.go LoadProjectStackBytes, map.go Map.UnmarshalYAML. */
function readStackConfig(src: Source, project: string) {
  const values = new Map<string, Entry>();
  const top = src.doc.contents;
  let configAt: Node | undefined;
  let hasEnvironment = false;
  if (!isEmpty(top) && !isMap(top)) {
    return void src.report("(file)", "expected the stack file to be an object", top);
  }
  for (const e of isMap(top) ? src.entries(top) : []) {
    if (!STACK_FILE_KEYS.includes(e.key)) {
      src.report(
        e.key,
        `not a stack file key: the CLI ignores it${didYouMean(e.key, STACK_FILE_KEYS)}`,
        e.at,
      );
    } else if (e.key === "environment") {
      hasEnvironment = !isEmpty(e.node);
    } else if (e.key !== "config") {
      if (isObject(e.value)) src.report(e.key, "must be a string", e.at, e.value);
    } else if (!isEmpty(e.node) && !isMap(e.node)) {
      src.report(e.key, "could not unmarshal map: must be a mapping of config keys to values", e.at, e.value);
    } else {
      configAt = e.at;
      for (const c of isMap(e.node) ? src.entries(e.node) : []) {
        // loaders.go stackConfigNamespacedWithProject, then ParseKey. A key written twice (bare and namespaced)
        // lands in one Go map, whose order decides which value survives.
        const fullKey = parseKey(c.key, project);
        const twin = fullKey && values.get(fullKey);
        if (!fullKey) src.report(c.key, BAD_KEY, c.at);
        if (twin)
          src.report(
            c.key,
            `is '${twin.key}' (line ${src.line(twin.at)}): the CLI keeps one at random`,
            c.at,
          );
        if (misusedSecure(c.value)) src.report(c.key, MISUSED_SECURE, c.at);
        if (fullKey) values.set(fullKey, c);
      }
    }
  }
  return { values, configAt, hasEnvironment };
}

/** A Pulumi.<stack>.yaml against the project: config.go ValidateStackConfigAndApplyProjectConfig (mergeConfig). */
function readStack(
  src: Source,
  projectFile: string,
  project: ProjectCheck["project"],
): AppliedStack | undefined {
  const stack = STACK_FILE.exec(path.basename(src.file.path))?.[1] ?? src.file.path;
  if (!NAME.test(stack))
    return void src.report(stack, `a stack name ${NAME_CHARS}: no stack reads this file`);
  if (!src.valid() || !project) return undefined;
  const stackConfig = readStackConfig(src, project.name);
  if (!stackConfig) return undefined;
  const { values, configAt, hasEnvironment } = stackConfig;
  for (const d of project.config) {
    const found = values.get(d.fullKey);
    // An ESC environment may set a key; only the CLI can open it.
    const required = d.default === undefined && d.value === undefined && d.namespace === project.name;
    if (!found && required && !hasEnvironment) {
      // Set it here: a default in Pulumi.yaml would be wrong advice, as its config block is generated
      // (config/generate.ts) and a required key has no value that suits every stack.
      const message = `Stack '${stack}' is missing configuration value '${d.key}'`;
      const why = `${projectFile}:${d.line} declares it required, with no default`;
      src.report(d.key, `${message}: ${why}: set it in this file`, configAt);
    } else if (found && d.type && d.secret && !hasSecure(found.value)) {
      // config.go validateStackConfigValue, run on every declared key with a type.
      const message = `Stack '${stack}' with configuration key '${d.key}' must be encrypted as it's secret`;
      src.report(found.key, `${message}: set it with \`pulumi config set --secret ${d.key}\``, found.at);
    } else if (found && d.type && !isSecure(found.value)) {
      // A scalar reaches ValidateConfigValue as its text, an object as decoded JSON (config.go).
      const content = isObject(found.value) ? reveal(found.value) : engineText(found.value);
      if (!fitsType(d.type, d.items, content)) {
        const message = `Stack '${stack}' with configuration key '${d.key}' must be of type`;
        src.report(found.key, `${message} '${typeName(d.type, d.items)}'`, found.at, found.value);
      }
    }
  }
  const config: Record<string, string> = {};
  values.forEach((e, key) => (config[key] = engineText(e.value)));
  for (const d of project.config) {
    const fallback = d.default ?? d.value; // config.go mergeConfig: the default wins over the value
    if (!(d.fullKey in config) && fallback !== undefined) config[d.fullKey] = engineText(fallback); // createConfigValue
  }
  const secretKeys = [...values].filter(([, e]) => hasSecure(e.value)).map(([key]) => key);
  return { stack, file: src.file.path, config, secretKeys };
}

/** Every finding on a project file and its stack files, and each stack's config as the engine applies it. */
export function checkProjectTexts({ projectFile, stackFiles, projectDir }: ProjectTexts): ProjectCheck {
  const findings: Finding[] = [];
  const project = readProject(new Source(projectFile, findings), projectDir);
  const stacks = stackFiles.map((f) => readStack(new Source(f, findings), projectFile.path, project));
  return { findings, ...(project && { project }), stacks: stacks.filter((s) => s !== undefined) };
}

/** Pulumi.yaml and every Pulumi.<stack>.yaml beside it, or in its stackConfigDir (paths.go ProjectStackPath). */
export function readProjectTexts(projectDir: string, root = REPO_ROOT): ProjectTexts {
  const read = (file: string) => ({ path: path.relative(root, file), text: fs.readFileSync(file, "utf8") });
  const projectFile = read(path.join(projectDir, "Pulumi.yaml"));
  let stackConfigDir: unknown;
  try {
    const doc = Object(parse(projectFile.text)) as { stackConfigDir?: unknown; config?: unknown };
    stackConfigDir = doc.stackConfigDir ?? doc.config;
  } catch {
    // A syntax error, which checkProjectTexts reports.
  }
  const stackDir = path.join(projectDir, typeof stackConfigDir === "string" ? stackConfigDir : "");
  const names = fs.existsSync(stackDir) ? fs.readdirSync(stackDir).filter((f) => STACK_FILE.test(f)) : [];
  return { projectFile, stackFiles: names.sort().map((f) => read(path.join(stackDir, f))), projectDir };
}

/** Every finding the CLI's checks raise on the project in `projectDir`, with paths relative to `root`. */
export function checkProject(projectDir: string, options: { root?: string } = {}): Finding[] {
  return checkProjectTexts(readProjectTexts(projectDir, options.root)).findings;
}
