/**
 * Our own programs, run under the shared mocks for every committed stack file (the regional stacks
 * and the failover control stack), against the whole policy pack: no violation in any stack, mandatory
 * or advisory (the README says the program passes them all).
 *
 * The stack tag `role` is set from the stack's config, as `pulumi stack tag set role <role>` does
 * for real stacks (see policy/README.md).
 */
import { expect } from "chai";
import { policies } from "../policy/policies";
import { byLevel, RunResult } from "../policy/runner";
import { runPolicies } from "../policy/runner";
import { listControlStackFiles, listStackFiles, StackRun } from "../tools/mocks";
import { runAllStacks } from "../tools/runStacks";

function describeViolations(stack: string, result: RunResult, level: "mandatory" | "advisory"): string[] {
  return byLevel(result, level).map(
    (v) =>
      `  [${stack}] ${level} ${v.policyName} ${v.urn ?? "(stack)"}: ${v.message.split("\n").slice(1).join(" ")}`,
  );
}

describe("our program against the policy pack", function () {
  this.timeout(300_000);

  let runs: StackRun[];
  const results = new Map<string, RunResult>();

  before(async () => {
    runs = await runAllStacks();
    for (const run of runs) {
      const role = run.config[`${run.project}:role`];
      results.set(
        run.stack,
        await runPolicies(policies, run.resources, {
          stackTags: { "pulumi:project": run.project, ...(role ? { role } : {}) },
        }),
      );
    }
  });

  it("runs every committed stack file", () => {
    expect(runs.map((r) => r.stack).sort()).to.deep.equal(
      [...listStackFiles(), ...listControlStackFiles()].map((s) => s.stack).sort(),
    );
    expect(runs.length).to.be.at.least(3);
  });

  it("has no violation in any stack, mandatory or advisory", () => {
    const found = [...results].flatMap(([stack, result]) => [
      ...describeViolations(stack, result, "mandatory"),
      ...describeViolations(stack, result, "advisory"),
    ]);
    expect(found, found.join("\n")).to.deep.equal([]);
  });
});
