/**
 * The shared mocks' emulation of the provider's default tags: `tagsAll` on every resource type whose
 * provider schema has it, the stack's `aws:defaultTags` overridden by the resource's own `tags`. And
 * the `aliases` option, recorded as the engine receives it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { defaultTagsOf, fabricateState, runProgram, takesDefaultTags } from "../tools/mocks";

describe("mocks: provider default tags", () => {
  it("knows from the provider schema which types take default tags", () => {
    expect(takesDefaultTags("aws:cloudwatch/logGroup:LogGroup")).to.equal(true);
    expect(takesDefaultTags("aws:kms/key:Key")).to.equal(true);
    // aws_autoscaling_group has no tags_all: default tags never reach it (nor its instances).
    expect(takesDefaultTags("aws:autoscaling/group:Group")).to.equal(false);
    expect(takesDefaultTags("aws:route53/record:Record")).to.equal(false);
    expect(takesDefaultTags("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).to.equal(false);
    expect(takesDefaultTags("multi-region-web:network:RegionalVpc")).to.equal(false);
    expect(takesDefaultTags("aws:nosuchmodule/thing:Thing")).to.equal(false);
  });

  it("reads aws:defaultTags as the engine passes it (a JSON string), or none", () => {
    expect(defaultTagsOf({ "aws:defaultTags": JSON.stringify({ tags: { Project: "p" } }) })).to.deep.equal({
      Project: "p",
    });
    expect(defaultTagsOf({})).to.deep.equal({});
  });

  it("merges the default tags under the resource's own tags into tagsAll", () => {
    const { state } = fabricateState(
      "aws:cloudwatch/logGroup:LogGroup",
      "logs",
      { tags: { Name: "logs", Owner: "team-a" } },
      "us-east-1",
      { Project: "p", Owner: "platform" },
    );
    expect(state.tagsAll).to.deep.equal({ Project: "p", Owner: "team-a", Name: "logs" });
    const untagged = fabricateState("aws:kms/key:Key", "key", {}, "us-east-1", { Project: "p" });
    expect(untagged.state.tagsAll).to.deep.equal({ Project: "p" });
    const group = fabricateState("aws:autoscaling/group:Group", "asg", {}, "us-east-1", { Project: "p" });
    expect(group.state).not.to.have.property("tagsAll");
  });

  it("applies the stack config's default tags to a program's resources", async () => {
    const run = await runProgram(
      () => {
        const key = new aws.kms.Key("key", { tags: { Name: "key" } });
        return { arn: key.arn };
      },
      {
        stack: "tags",
        config: { "aws:region": "us-east-1", "aws:defaultTags": JSON.stringify({ tags: { Stack: "tags" } }) },
      },
    );
    const key = run.resources.find((r) => r.type === "aws:kms/key:Key")!;
    expect(key.outputs.tagsAll).to.deep.equal({ Stack: "tags", Name: "key" });
    expect(key.inputs).not.to.have.property("tagsAll");
  });
});

describe("mocks: aliases", () => {
  it("records each alias as the engine receives it: a spec (the parent filled in) or a URN", async () => {
    const urn = "urn:pulumi:aliases::multi-region-web::test:old:Parent::was";
    const run = await runProgram(
      () => {
        const parent = new pulumi.ComponentResource(
          "test:index:Parent",
          "parent",
          {},
          {
            aliases: [{ type: "test:old:Parent" }, { name: "was", parent: pulumi.rootStackResource }, urn],
          },
        );
        new aws.kms.Key("key", {}, { parent });
        return {};
      },
      { stack: "aliases", config: { "aws:region": "us-east-1" } },
    );
    const stack = run.resources.find((r) => r.type === "pulumi:pulumi:Stack")!;
    const parent = run.resources.find((r) => r.type === "test:index:Parent")!;
    expect(parent.aliases).to.deep.equal([
      { type: "test:old:Parent", parentUrn: stack.urn },
      { name: "was", noParent: true },
      { urn },
    ]);
    // A child's own request carries none: the engine derives its aliases from its parent's.
    expect(run.resources.find((r) => r.type === "aws:kms/key:Key")!.aliases).to.deep.equal([]);
  });
});
