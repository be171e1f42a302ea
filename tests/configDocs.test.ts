/** The generated config schema (both Pulumi.yaml files) and reference (docs/configuration.md) stay in step with the schema. */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { SCHEMA } from "../config";
import { declaration, pulumiYamlConfig, staleFiles } from "../config/generate";
import { AnySchema } from "../config/build";

describe("config docs generation", function () {
  this.timeout(20000);

  it("has written every generated file (npm run config-docs)", async () => {
    expect(await staleFiles()).to.deep.equal([]);
  });

  it("declares no key whose default depends on the stack, no stack-kind-only key, no secret, no structured key", () => {
    const declared = (
      YAML.parse(pulumiYamlConfig(SCHEMA as AnySchema)) as { config: Record<string, unknown> }
    ).config;
    for (const [key, spec] of Object.entries(SCHEMA as AnySchema)) {
      expect(key in declared, key).to.equal(declaration(spec).declare);
    }
    for (const key of ["natGateways", "homeProbeMinutes", "smtpPassword", "frontend", "database"]) {
      expect(declared, key).to.not.have.property(key);
    }
    expect(declared).to.include.keys("role", "domain", "hostedZone", "vpcCidr", "azCount");
  });

  it("gives every declared key without a default the CLI's meaning: required on every stack", () => {
    const text = fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8");
    const config = (YAML.parse(text) as { config: Record<string, { default?: unknown; secret?: boolean }> })
      .config;
    const required = Object.entries(config)
      .filter(([, d]) => !("default" in d))
      .map(([k]) => k);
    expect(required).to.have.members(["role", "domain", "hostedZone"]);
    for (const key of required) expect((SCHEMA as AnySchema)[key], key).to.have.property("required", true);
  });
});
