/**
 * The Pulumi CLI's checks on Pulumi.yaml and Pulumi.<stack>.yaml, emulated offline (config/pulumiCli.ts): one bad
 * and one good input per rule, then both projects' files (with the fixture stack files: the root's are the user's,
 * checked by tests/examples.test.ts).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import * as YAML from "yaml";
import { formatFinding } from "../config/errors";
import { checkProject, checkProjectTexts, ProjectCheck, readProjectTexts } from "../config/pulumiCli";
import { fixtureRoot } from "../tools/runStacks";

/** Checks a project named `web` with `config` under its `config:` and one file per stack. */
function check(
  config: string,
  stacks: Record<string, string> = {},
  head = "name: web\nruntime: nodejs\n",
): ProjectCheck {
  return checkProjectTexts({
    projectFile: { path: "Pulumi.yaml", text: `${head}${config ? `config:\n${config}` : ""}` },
    stackFiles: Object.entries(stacks).map(([stack, text]) => ({ path: `Pulumi.${stack}.yaml`, text })),
  });
}

const findings = (c: ProjectCheck) => c.findings.map(formatFinding);

/** The findings of one stack file `dev` setting `web:key` to `value` (YAML), for a project declaring `key`. */
function stackValue(declaration: string, value: string): string[] {
  return findings(check(`  key:\n${declaration}`, { dev: `config:\n  web:key: ${value}\n` }));
}

const TYPED = {
  string: "    type: string\n",
  integer: "    type: integer\n",
  boolean: "    type: boolean\n",
  object: "    type: object\n",
  strings: "    type: array\n    items:\n      type: string\n",
  integers: "    type: array\n    items:\n      type: integer\n",
};

describe("pulumiCli (the CLI's checks before a program runs)", () => {
  describe("YAML", () => {
    it("reports a syntax error in any file as a finding at its line and column, never an exception", () => {
      const c = check("  a: b: c\n", { dev: "config:\n  web:a: 1\n  web:b: c: d\n" });
      expect(c.findings.map((f) => [f.file, f.key, f.line, f.column])).to.deep.equal([
        ["Pulumi.yaml", "(yaml)", 4, 6],
        ["Pulumi.dev.yaml", "(yaml)", 3, 10],
      ]);
      expect(c.findings[0].message).to.match(/^invalid YAML: Nested mappings are not allowed/);
      expect(findings(check("  a: [1]\n", { dev: "config:\n  web:a: 1\n" }))).to.deep.equal([]);
    });
    it("rejects a key that is not a string (project.go SimplifyMarshalledValue), and accepts it quoted", () => {
      expect(findings(check("", { dev: "config:\n  web:ports:\n    80: http\n" }))).to.deep.equal([
        "Pulumi.dev.yaml:3:5: 80: expected only string keys, got '80': quote it",
      ]);
      expect(findings(check("", { dev: 'config:\n  web:ports:\n    "80": http\n' }))).to.deep.equal([]);
    });
  });

  describe("Pulumi.yaml", () => {
    it("requires a non-empty string name, suggesting a misspelt one", () => {
      expect(findings(check("", {}, "nme: web\n"))).to.deep.equal([
        "Pulumi.yaml: name: project is missing a 'name' attribute; did you mean 'nme'?",
      ]);
      expect(findings(check("", {}, 'name: ""\n'))[0]).to.contain("non-empty string 'name'");
      expect(findings(check("", {}, "name: web\n"))).to.deep.equal([]);
    });
    it("rejects a project name a backend refuses (tokens.ValidateProjectName)", () => {
      expect(findings(check("", {}, "name: my web\n"))[0]).to.match(
        /name = "my web": project names may only/,
      );
      expect(findings(check("", {}, "name: my_web.v2-x\n"))).to.deep.equal([]);
    });
    it("checks the runtime against project.json: a name, or name and options only", () => {
      const head = "name: web\nruntime:\n  name: nodejs\n  option:\n    typescript: true\n";
      expect(findings(check("", {}, head))[0]).to.match(/^Pulumi.yaml:2:1: runtime = .*name and options/);
      const good = "name: web\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n";
      expect(findings(check("", {}, good))).to.deep.equal([]);
    });
    it("checks the nodejs runtime's options as pulumi-language-nodejs reads them: a misspelt one does nothing", () => {
      const head = (options: string) => `name: web\nruntime:\n  name: nodejs\n  options:\n${options}`;
      expect(
        findings(
          check(
            "",
            {},
            head("    tsconfigpath: ../tsconfig.json\n    typescript: yes\n    packagemanager: pip\n"),
          ),
        ),
      ).to.deep.equal([
        `Pulumi.yaml:5:5: runtime.options.tsconfigpath = "../tsconfig.json": not a nodejs runtime option: the CLI ignores it; did you mean 'tsconfig'?`,
        'Pulumi.yaml:6:5: runtime.options.typescript = "yes": must be a boolean',
        'Pulumi.yaml:7:5: runtime.options.packagemanager = "pip": must be one of auto, npm, yarn, pnpm or bun',
      ]);
      const good =
        "    typescript: false\n    tsconfig: tsconfig.build.json\n    nodeargs: --trace-warnings\n    packagemanager: npm\n";
      expect(findings(check("", {}, head(good)))).to.deep.equal([]);
      // Another runtime's options are its own.
      expect(
        findings(check("", {}, "name: web\nruntime:\n  name: python\n  options:\n    toolchain: uv\n")),
      ).to.deep.equal([]);
    });
    it("looks for runtime.options.tsconfig from the project's folder, where the program runs", () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-cli-"));
      fs.mkdirSync(path.join(root, "app"));
      fs.writeFileSync(
        path.join(root, "app", "Pulumi.yaml"),
        "name: app\nruntime:\n  name: nodejs\n  options:\n    tsconfig: ../tsconfig.json\n",
      );
      expect(checkProject(path.join(root, "app"), { root }).map(formatFinding)).to.deep.equal([
        `${path.join("app", "Pulumi.yaml")}:5:5: runtime.options.tsconfig = "../tsconfig.json": names a file that is not there (from ${path.join("app", "Pulumi.yaml")}'s folder): the program would not run`,
      ]);
      fs.writeFileSync(path.join(root, "tsconfig.json"), "{}\n");
      expect(checkProject(path.join(root, "app"), { root })).to.deep.equal([]);
      fs.rmSync(root, { recursive: true });
    });
    it("allows the types string, integer, boolean, array and object only", () => {
      expect(findings(check("  a:\n    type: int\n"))[0]).to.match(
        /^Pulumi.yaml:4:3: a: 'type' must be one of/,
      );
      expect(
        findings(check("  a:\n    type: object\n  b:\n    type: integer\n", { dev: SET_AB })),
      ).to.deep.equal([]);
    });
    it("requires `items` on an array, at every level", () => {
      expect(findings(check("  a:\n    type: array\n"))[0]).to.contain("via the 'items' attribute");
      expect(findings(check("  a:\n    type: array\n    items:\n      type: array\n"))[0]).to.contain(
        "needs its own 'items'",
      );
      const nested =
        "  a:\n    type: array\n    items:\n      type: array\n      items:\n        type: string\n";
      expect(findings(check(nested, { dev: "config:\n  web:a: [[x]]\n" }))).to.deep.equal([]);
    });
    it("rejects an unknown attribute of a declaration, suggesting the nearest", () => {
      expect(findings(check("  a:\n    type: string\n    defualt: x\n"))).to.deep.equal([
        "Pulumi.yaml:4:3: a: 'defualt' not allowed; did you mean 'default'?",
      ]);
    });
    it("requires a default of the declared type (project.go ValidateConfigValue)", () => {
      const bad = (type: string, value: string) => findings(check(`  a:\n${type}    default: ${value}\n`));
      expect(bad(TYPED.string, "3")).to.deep.equal([
        "Pulumi.yaml:4:3: a = 3: the default value is not of the expected type 'string'",
      ]);
      expect(bad(TYPED.integer, "2.5")[0]).to.contain("'integer'");
      expect(bad(TYPED.strings, "[1]")[0]).to.contain("'array<string>'");
      expect(bad(TYPED.boolean, "yes")[0]).to.contain("'boolean'");
      expect(bad(TYPED.integer, '"3"')).to.deep.equal([]);
      expect(bad(TYPED.boolean, '"true"')).to.deep.equal([]);
      expect(bad(TYPED.string, '"3"')).to.deep.equal([]);
    });
    it("rejects a secret key with a default: the CLI would refuse the plain-text default (pulumi#21865)", () => {
      const secret = "  password:\n    type: string\n    secret: true\n";
      const [finding] = check(`${secret}    default: ""\n`).findings;
      expect(finding).to.deep.include({
        file: "Pulumi.yaml",
        key: "password",
        value: "",
        line: 4,
        column: 3,
      });
      expect(finding.message).to.match(/#21865.*Drop the default.*or drop the declaration/);
      expect(
        findings(check(secret, { dev: "config:\n  web:password:\n    secure: v1:abc\n" })),
      ).to.deep.equal([]);
    });
    it("allows another namespace's key only with a value, no type or default (project.go Project.Validate)", () => {
      expect(findings(check("  aws:region:\n    type: string\n    value: x\n"))[0]).to.contain(
        "should not define a type",
      );
      expect(findings(check("  aws:region:\n    default: x\n"))[0]).to.contain("use 'value', not 'default'");
      expect(findings(check("  aws:region:\n    description: x\n"))[0]).to.contain(
        "must provide an attribute 'value'",
      );
      expect(
        findings(check("  aws:region: us-east-1\n  web:a:\n    type: string\n    default: x\n")),
      ).to.deep.equal([]);
    });
    it("rejects both a default and a value", () => {
      expect(findings(check("  a:\n    default: x\n    value: y\n"))[0]).to.contain(
        "both a 'default' and a 'value'",
      );
    });
    it("parses keys like config.ParseKey: one colon, or the old `ns:config:name`", () => {
      expect(findings(check("  aws:x:region: us-east-1\n"))[0]).to.contain(
        "could not parse as a configuration key",
      );
      expect(check("  aws:config:region: us-east-1\n", { dev: "" }).stacks[0].config).to.deep.equal({
        "aws:region": "us-east-1",
      });
    });
  });

  describe("Pulumi.<stack>.yaml", () => {
    it("requires a valid stack name in the file name (tokens.ParseStackName)", () => {
      expect(findings(check("", { "my stack": "" }))).to.deep.equal([
        "Pulumi.my stack.yaml: my stack: a stack name may only contain alphanumerics, hyphens, underscores, and " +
          "periods (at most 100): no stack reads this file",
      ]);
      expect(findings(check("", { ["x".repeat(101)]: "" }))).to.have.length(1);
      expect(findings(check("", { "us-east-1": "", "v1.2_b": "" }))).to.deep.equal([]);
    });
    it("must be a mapping (an empty file is an empty config), with a `config` mapping", () => {
      expect(findings(check("", { dev: "- a\n" }))[0]).to.contain("expected the stack file to be an object");
      expect(findings(check("", { dev: "config:\n  - a\n" }))[0]).to.contain("could not unmarshal map");
      expect(findings(check("", { dev: "", prod: "config:\n" }))).to.deep.equal([]);
    });
    it("reads only its known top-level keys; anything else the CLI silently drops", () => {
      expect(findings(check("", { dev: "confg:\n  web:a: 1\n" }))).to.deep.equal([
        "Pulumi.dev.yaml:1:1: confg: not a stack file key: the CLI ignores it; did you mean 'config'?",
      ]);
      expect(findings(check("", { dev: "secretsprovider:\n  a: b\n" }))[0]).to.contain("must be a string");
      const good =
        "secretsprovider: passphrase\nencryptionsalt: v1:x\nencryptedkey: k\nenvironment:\n  - e\n";
      expect(findings(check("", { dev: `${good}config:\n  web:a: 1\n` }))).to.deep.equal([]);
    });
    it("parses config keys like config.ParseKey, a bare key being the project's", () => {
      expect(findings(check("", { dev: "config:\n  web:a:b: 1\n" }))).to.deep.equal([
        "Pulumi.dev.yaml:2:3: web:a:b: could not parse as a configuration key (configuration keys should be of " +
          "the form `<namespace>:<name>`)",
      ]);
      const c = check(`  a:\n${TYPED.integer}`, { dev: "config:\n  a: 3\n  web:config:b: x\n  :c: y\n" });
      expect(c.findings).to.deep.equal([]);
      expect(c.stacks[0].config).to.deep.equal({ "web:a": "3", "web:b": "x", ":c": "y" });
    });
    it("reports a key written twice (bare and namespaced): the CLI keeps one of them at random", () => {
      expect(findings(check("", { dev: "config:\n  a: 1\n  web:a: 2\n" }))).to.deep.equal([
        "Pulumi.dev.yaml:3:3: web:a: is 'a' (line 2): the CLI keeps one at random",
      ]);
    });
    it("allows keys the project does not declare", () => {
      expect(findings(check(`  a:\n${TYPED.integer}    default: 1\n`, { dev: SET_ANYTHING }))).to.deep.equal(
        [],
      );
    });
  });

  describe("stack config against the project's declarations (config.go)", () => {
    it("requires a declared key without a default in every stack, at its `config:`", () => {
      const declared = `  a:\n${TYPED.string}  b:\n    description: untyped, still required\n`;
      expect(findings(check(declared, { dev: "config:\n  aws:region: x\n", prod: "" }))).to.deep.equal([
        // Set it in the stack file, never "give it a default" in Pulumi.yaml: our config block is generated.
        "Pulumi.dev.yaml:1:1: a: Stack 'dev' is missing configuration value 'a': Pulumi.yaml:4 declares it required, " +
          "with no default: set it in this file",
        "Pulumi.dev.yaml:1:1: b: Stack 'dev' is missing configuration value 'b': Pulumi.yaml:6 declares it required, " +
          "with no default: set it in this file",
        "Pulumi.prod.yaml: a: Stack 'prod' is missing configuration value 'a': Pulumi.yaml:4 declares it required, " +
          "with no default: set it in this file",
        "Pulumi.prod.yaml: b: Stack 'prod' is missing configuration value 'b': Pulumi.yaml:6 declares it required, " +
          "with no default: set it in this file",
      ]);
      expect(findings(check(declared, { dev: "config:\n  a: x\n  web:b: y\n" }))).to.deep.equal([]);
    });
    it("leaves a required key to a stack's ESC environment, which only the CLI can read", () => {
      expect(findings(check(`  a:\n${TYPED.string}`, { dev: "environment:\n  - web/dev\n" }))).to.deep.equal(
        [],
      );
    });
    it("types a string key's value as its text: numbers and booleans pass, lists and maps do not", () => {
      expect(stackValue(TYPED.string, "[a]")).to.deep.equal([
        `Pulumi.dev.yaml:2:3: web:key = ["a"]: Stack 'dev' with configuration key 'key' must be of type 'string'`,
      ]);
      expect(stackValue(TYPED.string, "{a: 1}")).to.have.length(1);
      for (const good of ["x", "3", "true", '""', ""])
        expect(stackValue(TYPED.string, good), good).to.deep.equal([]);
    });
    it("types an integer key's value as text strconv.Atoi parses: quoted digits and 3.0 pass", () => {
      for (const bad of ["2.5", "three", '""', "", "[3]", "99999999999999999999"]) {
        expect(stackValue(TYPED.integer, bad), bad).to.have.length(1);
      }
      expect(stackValue(TYPED.integer, "2.5")[0]).to.contain("must be of type 'integer'");
      for (const good of ["3", '"3"', "3.0", "-1", '"+7"', "0x10"]) {
        expect(stackValue(TYPED.integer, good), good).to.deep.equal([]);
      }
    });
    it('types a boolean key\'s value as text "true" or "false": YAML True passes, "True" and yes do not', () => {
      for (const bad of ['"True"', "yes", "1", '""'])
        expect(stackValue(TYPED.boolean, bad), bad).to.have.length(1);
      for (const good of ["true", "false", '"true"', "True", "FALSE"]) {
        expect(stackValue(TYPED.boolean, good), good).to.deep.equal([]);
      }
    });
    it("types an array key's items like its default's, and requires an array", () => {
      expect(stackValue(TYPED.strings, "[1]")[0]).to.contain("must be of type 'array<string>'");
      expect(stackValue(TYPED.strings, "a")).to.have.length(1);
      expect(stackValue(TYPED.integers, "[1.5]")[0]).to.contain("'array<integer>'");
      for (const good of ["[a, b]", "[]", "[a, {secure: v1:x}]"]) {
        expect(stackValue(TYPED.strings, good), good).to.deep.equal([]);
      }
      expect(stackValue(TYPED.integers, '[1, "2"]')).to.deep.equal([]);
    });
    it("requires a mapping for an object key", () => {
      expect(stackValue(TYPED.object, "[1]")[0]).to.contain("must be of type 'object'");
      expect(stackValue(TYPED.object, "a")).to.have.length(1);
      expect(stackValue(TYPED.object, "{a: 1}")).to.deep.equal([]);
    });
    it("requires a secret key's value to be encrypted, `secure: <ciphertext>` alone", () => {
      const secret = `${TYPED.string}    secret: true\n`;
      expect(stackValue(secret, "hunter2")).to.deep.equal([
        "Pulumi.dev.yaml:2:3: web:key: Stack 'dev' with configuration key 'key' must be encrypted as it's secret: " +
          "set it with `pulumi config set --secret key`",
      ]);
      expect(stackValue(secret, "{secure: v1:abc}")).to.deep.equal([]);
      expect(stackValue(secret, "{secure: 123}")).to.have.length(2);
    });
    it("reports a `secure` field the CLI reads as a plain value (object.go isSecureValue)", () => {
      expect(
        findings(check("", { dev: "config:\n  web:db:\n    secure: v1:x\n    user: a\n" })),
      ).to.deep.equal([
        "Pulumi.dev.yaml:2:3: web:db: has a `secure` field the CLI reads as plain text: a secret is " +
          "`secure: <ciphertext>` alone, as `pulumi config set --secret` writes it",
      ]);
      expect(
        findings(check("", { dev: "config:\n  web:db:\n    password:\n      secure: v1:x\n" })),
      ).to.deep.equal([]);
    });
    it("reports every problem of every file, not the first only", () => {
      const c = check(`  a:\n${TYPED.integer}  b:\n${TYPED.boolean}  c:\n${TYPED.string}`, {
        dev: "config:\n  a: x\n  b: y\n",
        prod: "config:\n  a: 1\n  b: no\n",
      });
      expect(c.findings.map((f) => `${f.file} ${f.key}`)).to.deep.equal([
        "Pulumi.dev.yaml a",
        "Pulumi.dev.yaml b",
        "Pulumi.dev.yaml c",
        "Pulumi.prod.yaml b",
        "Pulumi.prod.yaml c",
      ]);
    });
    it("hands the program the stack's values over the project's defaults, as the engine's strings", () => {
      const declared =
        `  aws:region: us-east-1\n  n:\n${TYPED.integer}    default: 2\n  tags:\n${TYPED.strings}    default: [a]\n` +
        `  enabled: true\n  password:\n${TYPED.string}    secret: true\n`;
      const c = check(declared, {
        dev: "config:\n  n: 5\n  web:db:\n    size: 1\n  password:\n    secure: v1:abc\n  web:empty:\n",
      });
      expect(c.findings).to.deep.equal([]);
      expect(c.stacks).to.deep.equal([
        {
          stack: "dev",
          file: "Pulumi.dev.yaml",
          config: {
            "web:n": "5",
            "web:db": '{"size":1}',
            "web:password": "[secret]",
            "web:empty": "",
            "aws:region": "us-east-1",
            "web:tags": '["a"]',
            "web:enabled": "true",
          },
          secretKeys: ["web:password"],
        },
      ]);
      expect(c.project?.config.map((d) => [d.fullKey, d.default, d.value])).to.deep.equal([
        ["aws:region", undefined, "us-east-1"],
        ["web:n", 2, undefined],
        ["web:tags", ["a"], undefined],
        ["web:enabled", true, undefined],
        ["web:password", undefined, undefined],
      ]);
    });
  });

  describe("reading a project folder", () => {
    it("reads the stack files of stackConfigDir, with paths relative to the root", () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-cli-"));
      fs.mkdirSync(path.join(root, "app", "stacks"), { recursive: true });
      fs.writeFileSync(
        path.join(root, "app", "Pulumi.yaml"),
        "name: app\nruntime: nodejs\nstackConfigDir: stacks\n",
      );
      fs.writeFileSync(path.join(root, "app", "stacks", "Pulumi.dev.yaml"), "config:\n  app:a: b: c\n");
      fs.writeFileSync(path.join(root, "app", "Pulumi.ignored.yaml"), "- not read\n");
      const texts = readProjectTexts(path.join(root, "app"), root);
      expect(texts.stackFiles.map((f) => f.path)).to.deep.equal([
        path.join("app", "stacks", "Pulumi.dev.yaml"),
      ]);
      const [finding] = checkProject(path.join(root, "app"), { root });
      expect(finding).to.deep.include({
        file: path.join("app", "stacks", "Pulumi.dev.yaml"),
        key: "(yaml)",
        line: 2,
      });
      fs.rmSync(root, { recursive: true });
    });
  });

  describe("the project files, with the fixture stack files", () => {
    const root = fixtureRoot();
    const control = path.join(root, "control");
    const texts = (dir: string) => readProjectTexts(dir, root);
    const declarations = (dir: string) => checkProjectTexts(texts(dir)).project?.config ?? [];
    const secretsWithDefaults = (dir: string) =>
      declarations(dir).filter((d) => d.secret && (d.default ?? d.value) !== undefined);

    it("read as the CLI reads them: both projects and every stack file", () => {
      expect(declarations(root).map((d) => d.key)).to.include.members(["role", "azCount", "domain"]);
      expect(declarations(control).map((d) => d.key)).to.include.members(["homeStack", "alarmEmails"]);
      expect(checkProjectTexts(texts(control)).stacks.map((s) => s.file)).to.deep.equal([
        path.join("control", "Pulumi.global.yaml"),
      ]);
    });
    it("control/Pulumi.yaml: no secret key has a default", () => {
      expect(secretsWithDefaults(control)).to.deep.equal([]);
    });
    // pulumi/pulumi#21865: a declared secret with a default breaks every stack.
    it("Pulumi.yaml: no secret key has a default", () => {
      expect(secretsWithDefaults(root)).to.deep.equal([]);
    });
    it("pass the CLI's checks", () => {
      expect(checkProject(root, { root }).map(formatFinding)).to.deep.equal([]);
      expect(checkProject(control, { root }).map(formatFinding)).to.deep.equal([]);
    });
  });

  describe("type-checked with the repository's tsconfig.json by the real CLI", () => {
    const REPO = path.join(__dirname, "..");
    const sdk = (file: string) => fs.readFileSync(require.resolve(`@pulumi/pulumi/${file}`), "utf8");
    const compilerOptions = (file: string) =>
      (
        ts.parseConfigFileTextToJson(file, fs.readFileSync(file, "utf8")).config as {
          compilerOptions?: object;
        }
      ).compilerOptions ?? {};

    it("control/: its Pulumi.yaml names ../tsconfig.json, which the SDK's runner reads from the program's folder", () => {
      // The runner (SDK 3.248.0) reads the path the language host passes from runtime.options.tsconfig.
      expect(sdk("cmd/run/run.js")).to.contain(
        'process.env["PULUMI_NODEJS_TSCONFIG_PATH"] ?? defaultTsConfigPath',
      );
      const project = YAML.parse(fs.readFileSync(path.join(REPO, "control", "Pulumi.yaml"), "utf8")) as {
        runtime: { options: Record<string, unknown> };
      };
      expect(project.runtime.options).to.deep.equal({ typescript: true, tsconfig: "../tsconfig.json" });
      expect(path.resolve(REPO, "control", project.runtime.options.tsconfig as string)).to.equal(
        path.join(REPO, "tsconfig.json"),
      );
      expect(
        fs.existsSync(path.join(REPO, "control", "tsconfig.json")),
        "a tsconfig.json of its own would win",
      ).to.equal(false);
    });

    it("policy/: a tsconfig.json of its own extends the root's and restates what the pack runner would override", () => {
      // The pack runner (SDK 3.248.0) reads ./tsconfig.json and nothing else: PulumiPolicy.yaml has no option for it.
      const runner = sdk("cmd/run-policy-pack/run.js");
      expect(runner).to.contain('const tsConfigPath = "tsconfig.json";');
      expect(runner).to.not.contain("PULUMI_NODEJS_TSCONFIG_PATH");
      const own = ts.parseConfigFileTextToJson(
        "tsconfig.json",
        fs.readFileSync(path.join(REPO, "policy", "tsconfig.json"), "utf8"),
      ).config as { extends?: string; compilerOptions: Record<string, unknown> };
      expect(path.resolve(REPO, "policy", own.extends!)).to.equal(path.join(REPO, "tsconfig.json"));
      // It spreads this file's own compilerOptions (extends not followed) over target ES2020 and module nodenext.
      const root = compilerOptions(path.join(REPO, "tsconfig.json")) as Record<string, unknown>;
      for (const option of ["target", "module", "moduleResolution"]) {
        expect(runner).to.match(new RegExp(`${option}: `));
        expect(own.compilerOptions[option], option).to.equal(root[option]);
      }
    });
  });
});

const SET_AB = "config:\n  web:a:\n    x: 1\n  web:b: 2\n";
const SET_ANYTHING = "config:\n  web:anything: [1, {b: c}]\n  aws:region: us-east-1\n  other:x: 1\n";
