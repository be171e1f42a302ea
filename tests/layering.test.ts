/**
 * Imports run one way. config/ is the floor: the schema, the rules and the names every program
 * builds, importing nothing of ours above it. Components build on config; the two programs
 * (index.ts, control/) compose components; the policy pack stands alone (it is published and run
 * apart from the programs); tools import what they present; tests import anything.
 *
 * Every .ts file's import, export-from, import-equals, require() and import() specifiers are read
 * with TypeScript's own pre-processor (comments and strings are not imports). A specifier that is
 * not a literal (tools/runStacks.ts loads a program by path) is invisible here.
 *
 * Each of the three Pulumi projects (the regional program, control/, policy/) must also load no
 * package its own package.json does not declare as a dependency.
 */
import * as fs from "fs";
import { builtinModules } from "module";
import * as path from "path";
import { expect } from "chai";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..");

/**
 * The layers, by where a file is: its top folder; `program` for the regional program's index.ts;
 * `root` for the repository's other root files (package.json).
 */
const LAYERS = ["config", "components", "program", "control", "policy", "tools", "tests", "root"] as const;
type Layer = (typeof LAYERS)[number];

/** What each layer may import of ours (packages are anyone's). */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  config: ["config"],
  components: ["config", "components"],
  program: ["config", "components"],
  control: ["config", "components", "control"],
  policy: ["policy"],
  tools: ["config", "policy", "tools"],
  tests: LAYERS,
  root: [],
};

const SKIPPED = new Set(["node_modules", "bin", "reports", ".stryker-tmp", ".git"]);

/** Every .ts file of the repository, relative to its root, with `/` separators. */
function typeScriptFiles(dir = ROOT): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(full);
    return entry.name.endsWith(".ts") ? [path.relative(ROOT, full).split(path.sep).join("/")] : [];
  });
}

/** The layer of a repository path (a file, or a folder imported through its index.ts), if any. */
function layerOf(file: string): Layer | undefined {
  if (file === "index" || file === "index.ts") return "program";
  const top = file.split("/")[0];
  if ((LAYERS as readonly string[]).includes(top)) return top as Layer;
  return file.includes("/") || top === ".." ? undefined : "root";
}

/** The module specifiers of a source text, in order. */
function specifiersOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** One import against the rules: `<file> imports <specifier> (<layer>): <why>`, or none. */
function violation(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const from = layerOf(file) === "root" ? undefined : layerOf(file);
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  const to = layerOf(target);
  if (from === undefined) return `${file} is in no layer: give its folder one in tests/layering.test.ts`;
  if (to === undefined) return `${file} imports ${specifier}, which is in no layer`;
  if (MAY_IMPORT[from].includes(to)) return undefined;
  return `${file} imports ${specifier} (${to}): ${from === "program" ? "index.ts" : `${from}/`} may import only ${MAY_IMPORT[from].join(", ")}`;
}

/** The file a relative specifier names: `x.ts`, `x/index.ts` or `x` itself (`.json`). */
function resolveFile(target: string): string {
  const isFile = (candidate: string) => {
    const full = path.join(ROOT, candidate);
    return fs.existsSync(full) && fs.statSync(full).isFile();
  };
  const found = [`${target}.ts`, `${target}/index.ts`, target].find(isFile);
  if (found === undefined) throw new Error(`${target}: no such module`);
  return found;
}

/** The packages a program loads, from its entry file through every file it imports: package → first importer. */
function packagesLoadedBy(entry: string): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !file.endsWith(".ts")) return;
    seen.add(file);
    for (const specifier of specifiersOf(fs.readFileSync(path.join(ROOT, file), "utf8"))) {
      if (specifier.startsWith(".")) {
        visit(resolveFile(path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier))));
      } else {
        const parts = specifier.replace(/^node:/, "").split("/");
        const name = parts.slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
        if (!packages.has(name)) packages.set(name, file);
      }
    }
  };
  visit(entry);
  return packages;
}

describe("layering: imports run one way", () => {
  it("flags an import against the rules, and only those", () => {
    expect(violation("config/names.ts", "../components/failoverPlan")).to.equal(
      "config/names.ts imports ../components/failoverPlan (components): config/ may import only config",
    );
    expect(violation("config/preflight.ts", "../control/config")).to.match(
      /\(control\): config\/ may import/,
    );
    expect(violation("components/tierAsg.ts", "../tools/mocks")).to.match(/\(tools\): components\//);
    expect(violation("components/tierAsg.ts", "../index")).to.match(/\(program\): components\//);
    expect(violation("policy/runner.ts", "../config")).to.match(
      /\(config\): policy\/ may import only policy/,
    );
    expect(violation("index.ts", "./control/config")).to.match(/\(control\): index\.ts may import only/);
    expect(violation("components/dataTier.ts", "../config")).to.equal(undefined);
    expect(violation("control/index.ts", "../components/failoverPlan")).to.equal(undefined);
    expect(violation("tools/plan.ts", "../policy/runner")).to.equal(undefined);
    expect(violation("config/catalog.ts", "./awsCatalog.json")).to.equal(undefined);
    expect(violation("config/x.ts", "@pulumi/pulumi")).to.equal(undefined);
    expect(violation("tests/bench.test.ts", "../package.json")).to.equal(undefined);
    expect(violation("config/x.ts", "../package.json")).to.match(/\(root\): config\/ may import only config/);
    expect(violation("scripts/x.ts", "./y")).to.match(/^scripts\/x\.ts is in no layer/);
    expect(violation("setup.ts", "./y")).to.match(/^setup\.ts is in no layer/);
    expect(violation("tools/x.ts", "../../elsewhere")).to.match(
      /imports \.\.\/\.\.\/elsewhere, which is in no layer/,
    );
  });

  it("reads every kind of import, and none in comments or strings", () => {
    const source = [
      'import type { A } from "./a";',
      'export * from "./b";',
      'import c = require("./c");',
      'const d = require("./d");',
      'export { e } from "./e";',
      'void import("./f");',
      '// import { g } from "./g";',
      'const h = `import "./h"`;',
      'import "./i";',
    ].join("\n");
    expect(specifiersOf(source)).to.deep.equal(["./a", "./b", "./c", "./d", "./e", "./f", "./i"]);
  });

  it("holds for every .ts file of the repository", () => {
    const files = typeScriptFiles();
    expect(files).to.include.members([
      "index.ts",
      "config/names.ts",
      "components/component.ts",
      "tests/layering.test.ts",
    ]);
    const problems = files.flatMap((file) =>
      specifiersOf(fs.readFileSync(path.join(ROOT, file), "utf8"))
        .map((specifier) => violation(file, specifier))
        .filter((p): p is string => p !== undefined),
    );
    expect(problems).to.deep.equal([]);
  });

  // The Pulumi CLI runs each project from its folder with what its package.json installs: a program
  // or pack that reached a devDependency (yaml, ajv) would work here and fail where it is deployed.
  for (const [entry, manifest] of [
    ["index.ts", "package.json"],
    ["control/index.ts", "control/package.json"],
    ["policy/index.ts", "policy/package.json"],
  ]) {
    it(`${entry} loads only ${manifest}'s dependencies and Node's built-ins`, () => {
      const { dependencies } = JSON.parse(fs.readFileSync(path.join(ROOT, manifest), "utf8")) as {
        dependencies: Record<string, string>;
      };
      const loaded = [...packagesLoadedBy(entry)];
      expect(loaded.map(([name]) => name)).to.include("@pulumi/pulumi");
      const missing = loaded.filter(([name]) => !(name in dependencies) && !builtinModules.includes(name));
      expect(missing.map(([name, file]) => `${name} (imported by ${file})`)).to.deep.equal([]);
    });
  }
});
