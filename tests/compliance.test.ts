/**
 * tools/compliance.ts, offline: it loads rule files written the way pulumi/compliance-policies writes
 * them (against `@pulumi/compliance-policy-manager`, which npm does not serve), one by one, and runs
 * them over the fixture stacks with our runner. The rule files here are made up for the test; the
 * real ones come from a checkout (docs/compliance.md).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { loadCompliancePolicies, runCompliance } from "../tools/compliance";

const RULE = (name: string, body: string) => `
import { Listener } from "@pulumi/aws/lb";
import { validateResourceOfType } from "@pulumi/policy";
import { policyManager, valToBoolean } from "@pulumi/compliance-policy-manager";
export const rule = policyManager.registerPolicy({
  resourceValidationPolicy: {
    name: "${name}",
    description: "${name}",
    configSchema: policyManager.policyConfigSchema,
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(Listener, (listener, args, report) => {
      if (!policyManager.shouldEvalPolicy(args)) return;
      ${body}
    }),
  },
  vendors: ["aws"], services: ["lb"], severity: "critical", topics: ["network"], frameworks: ["pcidss"],
});
`;

describe("tools/compliance.ts", function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "compliance-"));
    fs.mkdirSync(path.join(dir, "lb", "Listener"), { recursive: true });
    fs.writeFileSync(
      path.join(dir, "lb", "Listener", "plainHttp.ts"),
      RULE("test-listener-plain-http", 'if (listener.protocol === "HTTP") report("plain HTTP");'),
    );
    fs.writeFileSync(
      path.join(dir, "lb", "Listener", "throws.ts"),
      RULE("test-listener-throws", 'if (valToBoolean("true")) throw new Error("provider 6 shape");'),
    );
    fs.writeFileSync(path.join(dir, "lb", "Listener", "broken.ts"), 'import "@pulumi/no-such-package";\n');
    fs.writeFileSync(path.join(dir, "lb", "index.ts"), "this index is never loaded\n");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("loads each rule file with the policy-manager stand-in, skipping index files and reporting unloadable ones", () => {
    const { policies, failed } = loadCompliancePolicies(dir);
    expect(policies.map((p) => p.name).sort()).to.deep.equal([
      "test-listener-plain-http",
      "test-listener-throws",
    ]);
    expect(policies.every((p) => p.severity === "critical")).to.equal(true);
    expect(failed).to.have.length(1);
    expect(failed[0]).to.match(/^lb\/Listener\/broken\.ts: /);
  });

  it("runs them over the three stacks: a finding per violating resource, a throwing rule as an error", async () => {
    const { policies } = loadCompliancePolicies(dir);
    const findings = await runCompliance(policies);
    const plain = findings.filter((f) => f.policy === "test-listener-plain-http");
    // The public ALB's port-80 redirect is the only plain-HTTP listener left, one per region.
    expect(plain.map((f) => [f.stack, f.resource?.split(" ").pop()])).to.deep.equal([
      ["us-east-1", "frontend-http"],
      ["ca-central-1", "frontend-http"],
    ]);
    const errors = findings.filter((f) => f.policy === "test-listener-throws");
    expect(errors.map((f) => f.severity)).to.deep.equal(["error", "error"]);
    expect(errors[0].message).to.contain("provider 6 shape");
  });
});
