/**
 * `required-tags`, condition by condition, both ways: on hand-built resources shaped like what the
 * engine hands a stack policy (outputs, with the provider's `tagsAll`).
 */
import { expect } from "chai";
import { policies } from "../policy/policies";
import { REQUIRED_TAGS } from "../policy/rules/tags";
import { runPolicies, RunnerResource, UNKNOWN } from "../policy/runner";

const policy = policies.find((p) => p.name === "required-tags")!;
const FULL = Object.fromEntries(REQUIRED_TAGS.map((k) => [k, `${k.toLowerCase()}-value`]));

function res(type: string, name: string, outputs: Record<string, unknown>): RunnerResource {
  return { urn: `urn:pulumi:test::p::${type}::${name}`, type, name, inputs: {}, outputs };
}
const key = (name: string, tagsAll: Record<string, unknown>) => res("aws:kms/key:Key", name, { tagsAll });
const asg = (tags: { key: string; value: string; propagateAtLaunch: boolean }[]) =>
  res("aws:autoscaling/group:Group", "asg", { tags });
const launchTemplate = (specs: { resourceType: string; tags: Record<string, string> }[]) =>
  res("aws:ec2/launchTemplate:LaunchTemplate", "lt", { tagsAll: FULL, tagSpecifications: specs });
const propagated = (tags: Record<string, string>, propagateAtLaunch = true) =>
  Object.entries(tags).map(([k, value]) => ({ key: k, value, propagateAtLaunch }));

async function messages(resources: RunnerResource[], config = {}): Promise<string[]> {
  const result = await runPolicies([policy], resources, { config: { "required-tags": config } });
  return result.violations.map((v) => v.message.split("\n").slice(1).join(" "));
}

describe("policy required-tags", () => {
  it("defaults to the tags of the lead's strategy", () => {
    expect(REQUIRED_TAGS).to.deep.equal(["Project", "Stack", "Role", "Home", "Owner", "CostCentre"]);
  });

  it("passes resources whose tagsAll (default tags included) carry every required tag", async () => {
    expect(await messages([key("a", FULL), key("b", { ...FULL, Name: "b" })])).to.deep.equal([]);
  });

  it("reports a tag no resource carries once for the stack, not once per resource", async () => {
    const noOwner = { ...FULL, Owner: undefined };
    const found = await messages([key("a", noOwner), key("b", noOwner), key("c", noOwner)]);
    expect(found).to.have.length(1);
    expect(found[0]).to.contain("No resource carries Owner (3 taggable resources)");
    const result = await runPolicies([policy], [key("a", noOwner)]);
    expect(result.violations[0].urn).to.equal(undefined);
  });

  it("reports, on the resource, a tag that others carry but it lacks or leaves empty", async () => {
    const result = await runPolicies(
      [policy],
      [
        key("tagged", FULL),
        key("missing", { ...FULL, CostCentre: undefined }),
        key("empty", { ...FULL, Stack: "" }),
      ],
    );
    expect(result.violations.map((v) => [v.urn?.split("::").pop(), v.message.split("\n")[1]])).to.deep.equal([
      ["missing", "aws:kms/key:Key missing: tags lack CostCentre."],
      ["empty", "aws:kms/key:Key empty: tags lack Stack."],
    ]);
  });

  it("checks the tags an Auto Scaling group propagates at launch (default tags never reach it)", async () => {
    expect(await messages([key("a", FULL), asg(propagated(FULL))])).to.deep.equal([]);
    expect(await messages([key("a", FULL), asg(propagated({ Name: "asg" }))])).to.deep.equal([
      `aws:autoscaling/group:Group asg: tags propagated at launch lack ${REQUIRED_TAGS.join(", ")}.`,
    ]);
    expect(await messages([key("a", FULL), asg(propagated(FULL, false))])).to.have.length(1);
  });

  it("checks a launch template's tags for instances and volumes", async () => {
    const both = [
      { resourceType: "instance", tags: FULL },
      { resourceType: "volume", tags: FULL },
    ];
    expect(await messages([launchTemplate(both)])).to.deep.equal([]);
    expect(await messages([launchTemplate([both[0]])])).to.deep.equal([
      `aws:ec2/launchTemplate:LaunchTemplate lt: tagSpecifications volume lack ${REQUIRED_TAGS.join(", ")}.`,
    ]);
  });

  it("skips resources that cannot be tagged and tags unknown during preview", async () => {
    const record = res("aws:route53/record:Record", "r", { name: "x" });
    expect(
      await messages([key("a", FULL), record, res("aws:kms/key:Key", "later", { tagsAll: UNKNOWN.object })]),
    ).to.deep.equal([]);
    const result = await runPolicies([policy], [record]);
    expect(result.notApplicable.map((n) => n.reason)).to.deep.equal(["No taggable resource"]);
  });

  it("takes its required tags from the pack config", async () => {
    expect(await messages([key("a", { Project: "p" })], { requiredTags: ["Project"] })).to.deep.equal([]);
    expect(await messages([key("a", { Project: "p" })], { requiredTags: ["Project", "Team"] })).to.deep.equal(
      ["No resource carries Team (1 taggable resources): set it in the stack's aws:defaultTags."],
    );
  });
});

describe("policy required-tags, exactly", () => {
  const specs = (instance: Record<string, string>, volume: Record<string, string>) => [
    { resourceType: "instance", tags: instance },
    { resourceType: "volume", tags: volume },
  ];
  const template = (props: Record<string, unknown>) =>
    res("aws:ec2/launchTemplate:LaunchTemplate", "lt", props);

  it("says them for several tags no resource carries, and counts the taggable resources", async () => {
    expect(
      await messages([key("a", { Project: "p" }), key("b", { Project: "p" })], {
        requiredTags: ["Project", "Team", "Tier"],
      }),
    ).to.deep.equal([
      "No resource carries Team, Tier (2 taggable resources): set them in the stack's aws:defaultTags.",
    ]);
  });

  it("treats null tags as none", async () => {
    expect(
      await messages([key("a", FULL), key("b", null as unknown as Record<string, unknown>)]),
    ).to.deep.equal([`aws:kms/key:Key b: tags lack ${REQUIRED_TAGS.join(", ")}.`]);
  });

  it("checks a launch template's tag specifications with or without tagsAll, and when tagsAll is unknown", async () => {
    expect(
      await messages([key("a", FULL), template({ tagSpecifications: specs(FULL, FULL) })]),
    ).to.deep.equal([]);
    expect(
      await messages([key("a", FULL), template({ tagSpecifications: specs(FULL, { Owner: "o" }) })]),
    ).to.deep.equal([
      `aws:ec2/launchTemplate:LaunchTemplate lt: tagSpecifications volume lack ${REQUIRED_TAGS.filter((t) => t !== "Owner").join(", ")}.`,
    ]);
    expect(
      await messages([
        key("a", FULL),
        template({ tagsAll: UNKNOWN.object, tagSpecifications: specs({}, FULL) }),
      ]),
    ).to.deep.equal([
      `aws:ec2/launchTemplate:LaunchTemplate lt: tagSpecifications instance lack ${REQUIRED_TAGS.join(", ")}.`,
    ]);
    expect(
      await messages([
        key("a", FULL),
        template({ tagsAll: { Project: "p" }, tagSpecifications: specs(FULL, FULL) }),
      ]),
    ).to.deep.equal([
      `aws:ec2/launchTemplate:LaunchTemplate lt: tags lack ${REQUIRED_TAGS.filter((t) => t !== "Project").join(", ")}.`,
    ]);
  });

  it("counts only tags an Auto Scaling group propagates, with a key", async () => {
    const tags = [...propagated(FULL), { key: "", value: "x", propagateAtLaunch: true }];
    expect(await messages([key("a", FULL), asg(tags)])).to.deep.equal([]);
    expect(await messages([key("a", FULL), res("aws:autoscaling/group:Group", "asg", {})])).to.deep.equal([
      `aws:autoscaling/group:Group asg: tags propagated at launch lack ${REQUIRED_TAGS.join(", ")}.`,
    ]);
  });
});
