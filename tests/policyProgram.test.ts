/**
 * Our own programs, run under the shared mocks for every fixture stack file (the regional stacks
 * and the failover control stack), against the whole policy pack: no violation in any stack, mandatory
 * or advisory (the README says the program passes them all), except `required-tags` until the stack
 * files set `aws:defaultTags`; and the same stacks with default tags, as they will be, with none at all.
 *
 * The stack tag `role` is set from the stack's config, as `pulumi stack tag set role <role>` does
 * for real stacks (see policy/README.md).
 */
import { expect } from "chai";
import { policies } from "../policy/policies";
import { byLevel, RunResult } from "../policy/runner";
import { runPolicies } from "../policy/runner";
import { StackFile, StackRun } from "../tools/mocks";
import { REQUIRED_TAGS } from "../policy/rules/tags";
import { fixtureStackFiles, fixtureStackRuns, runAllStacks } from "../tools/runStacks";

function describeViolations(stack: string, result: RunResult, level: "mandatory" | "advisory"): string[] {
  return byLevel(result, level).map(
    (v) =>
      `  [${stack}] ${level} ${v.policyName} ${v.urn ?? "(stack)"}: ${v.message.split("\n").slice(1).join(" ")}`,
  );
}

async function evaluate(runs: StackRun[]): Promise<Map<string, RunResult>> {
  const results = new Map<string, RunResult>();
  for (const run of runs) {
    const role = run.config[`${run.project}:role`];
    results.set(
      run.stack,
      await runPolicies(policies, run.resources, {
        stackTags: { "pulumi:project": run.project, ...(role ? { role } : {}) },
      }),
    );
  }
  return results;
}

/** A stack file with the provider default tags the lead's tagging strategy adds (issue 12). */
function withoutDefaultTags(file: StackFile): StackFile {
  const config = { ...file.config };
  delete config["aws:defaultTags"];
  return { ...file, config };
}

describe("our program against the policy pack", function () {
  this.timeout(300_000);

  let runs: StackRun[];
  let results: Map<string, RunResult>;

  before(async () => {
    runs = await fixtureStackRuns();
    results = await evaluate(runs);
  });

  it("runs every fixture stack file", () => {
    const { regional, control } = fixtureStackFiles();
    expect(runs.map((r) => r.stack).sort()).to.deep.equal(
      [...regional, ...control].map((s) => s.stack).sort(),
    );
    expect(runs.length).to.be.at.least(3);
  });

  it("has no violation in any stack, mandatory or advisory", () => {
    // But the control stack's first `pulumi up`, before ARC has created its health checks: its PRIMARY
    // has none yet (docs/deploying.md; after the second, none at all: tests/control.test.ts).
    const firstDeploy =
      /^ {2}\[global\] advisory dr-failover-records \S+::routing-primary: PRIMARY record routing-primary has no health check/;
    const found = [...results]
      .flatMap(([stack, result]) => [
        ...describeViolations(stack, result, "mandatory"),
        ...describeViolations(stack, result, "advisory"),
      ])
      .filter((v) => !firstDeploy.test(v));
    expect(found, found.join("\n")).to.deep.equal([]);
    // The stack files' default tags reached what the Auto Scaling groups launch, which the provider never tags.
    const home = runs.find((r) => r.stack === "us-east-1")!;
    for (const group of home.resources.filter((r) => r.type === "aws:autoscaling/group:Group")) {
      const keys = (group.inputs.tags as { key: string; propagateAtLaunch: boolean }[])
        .filter((t) => t.propagateAtLaunch)
        .map((t) => t.key);
      expect(keys, group.name).to.include.members(REQUIRED_TAGS);
    }
  });

  it("fails required-tags (mandatory) on every stack whose file drops aws:defaultTags, once per stack", async () => {
    const { regional, control } = fixtureStackFiles();
    const untagged = await runAllStacks(regional.map(withoutDefaultTags), control.map(withoutDefaultTags));
    const found = [...(await evaluate(untagged))].flatMap(([stack, result]) =>
      describeViolations(stack, result, "mandatory"),
    );
    expect(
      found.filter((line) => line.includes("required-tags (stack): No resource carries")),
    ).to.have.length(untagged.length);
  });
});
