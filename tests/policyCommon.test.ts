/**
 * The pack's shared helpers (policy/rules/common.ts), directly: reading values that may be unknown
 * during preview, following references between resources, port ranges and IAM documents.
 */
import { expect } from "chai";
import { PolicyResource } from "@pulumi/policy";
import {
  isApplicationLoadBalancer,
  isSet,
  known,
  policyDocument,
  portRange,
  refersTo,
  serviceGrants,
} from "../policy/rules/common";
import { unknownCheckingProxy, UNKNOWN } from "../policy/rules/sdk";

function resource(
  name: string,
  props: Record<string, unknown>,
  propertyDependencies: Record<string, PolicyResource[]> = {},
): PolicyResource {
  return {
    type: "aws:test/thing:Thing",
    name,
    urn: `urn:pulumi:s::p::aws:test/thing:Thing::${name}`,
    props: unknownCheckingProxy(props),
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    dependencies: [],
    propertyDependencies,
    isType: () => false,
    asType: () => undefined,
  };
}

describe("policy helpers", () => {
  it("isSet tells a present key, known or not, from an absent one", () => {
    const props = unknownCheckingProxy({ a: UNKNOWN.string, b: undefined as unknown });
    expect([isSet(props, "a"), isSet(props, "b"), isSet(props, "c")]).to.deep.equal([true, true, false]);
    expect([isSet(undefined, "a"), isSet(null as unknown as object, "a")]).to.deep.equal([false, false]);
  });

  it("known turns a value unknown during preview into undefined and lets other errors through", () => {
    const props = unknownCheckingProxy({ a: UNKNOWN.string, b: "x" }) as { a: string; b: string };
    expect(known(() => props.a)).to.equal(undefined);
    expect(known(() => props.b)).to.equal("x");
    expect(() =>
      known(() => {
        throw new RangeError("bug");
      }),
    ).to.throw(RangeError, "bug");
  });

  it("refersTo follows property dependencies first, then the target's id, ARN, ARN suffix, bucket or VPC id", () => {
    const target = resource("t", {
      id: "sg-1",
      arn: "arn:aws:ec2:us-east-1:1:security-group/sg-9",
      bucket: "b-1",
      vpcId: "vpc-1",
    });
    for (const value of ["sg-1", "arn:aws:ec2:us-east-1:1:security-group/sg-9", "sg-9", "b-1", "vpc-1"]) {
      expect(refersTo(resource("s", { k: value }), "k", target), value).to.equal(true);
    }
    expect(refersTo(resource("s", { k: ["x", UNKNOWN.string, "vpc-1"] }), "k", target)).to.equal(true);
    expect(refersTo(resource("s", { k: UNKNOWN.string }, { k: [target] }), "k", target)).to.equal(true);
    expect(refersTo(resource("s", { k: UNKNOWN.string }, { k: [resource("u", {})] }), "k", target)).to.equal(
      false,
    );
    expect(refersTo(resource("s", {}, { other: [target] }), "k", target)).to.equal(false);
    expect(refersTo(resource("s", { k: "sg-2" }), "k", target)).to.equal(false);
    // Empty and unknown identities never match anything.
    const blank = resource("blank", { id: "", arn: UNKNOWN.string });
    expect(refersTo(resource("s", { k: "" }), "k", blank)).to.equal(false);
    expect(refersTo(resource("s", { k: UNKNOWN.string }), "k", blank)).to.equal(false);
    const noSlash = resource("n", { arn: "arn:aws:sns:us-east-1:1:topic" });
    expect(refersTo(resource("s", { k: "arn:aws:sns:us-east-1:1:topic" }), "k", noSlash)).to.equal(true);
    expect(
      refersTo(
        resource("s", { k: "arn:aws:sns:us-east-1:1:topic".split("/").pop() }),
        "k",
        resource("x", {}),
      ),
    ).to.equal(false);
  });

  it("an unset load balancer type is an application load balancer", () => {
    expect(isApplicationLoadBalancer(resource("a", {}))).to.equal(true);
    expect(isApplicationLoadBalancer(resource("n", { loadBalancerType: "network" }))).to.equal(false);
  });

  it("portRange covers every port for all protocols, and defaults the ends", () => {
    expect(portRange("-1", 22, 22)).to.deep.equal([0, 65535]);
    expect(portRange("all", 22, 22)).to.deep.equal([0, 65535]);
    expect(portRange("tcp", 22, 22)).to.deep.equal([22, 22]);
    expect(portRange("tcp", 22)).to.deep.equal([22, 22]);
    expect(portRange("tcp")).to.deep.equal([0, 65535]);
    expect(portRange(undefined, undefined, 80)).to.deep.equal([0, 80]);
  });

  it("policyDocument reads JSON text or an object, one statement or a list", () => {
    const statement = { Effect: "Allow", Action: "s3:GetObject" };
    expect(policyDocument(JSON.stringify({ Statement: statement }))).to.deep.equal({
      Statement: [statement],
    });
    expect(policyDocument({ Statement: [statement, statement] })).to.deep.equal({
      Statement: [statement, statement],
    });
    expect(policyDocument({ Version: "2012-10-17" })).to.deep.equal({ Statement: [] });
    for (const bad of ["{", "5", 5, null, undefined])
      expect(policyDocument(bad), String(bad)).to.equal(undefined);
  });

  it("serviceGrants finds Allow statements that give a service principal every action, wildcards as IAM reads them", () => {
    const grant = (over: Record<string, unknown>) => ({
      Effect: "Allow",
      Principal: { Service: ["events.amazonaws.com", "backup.amazonaws.com"] },
      Action: ["SNS:Publish", "kms:GenerateDataKey*", "kms:Decrypt?"],
      ...over,
    });
    const doc = (...Statement: object[]) => ({ Statement: Statement as never[] });
    expect(serviceGrants(doc(grant({})), "backup.amazonaws.com", ["sns:publish"])).to.have.length(1);
    expect(
      serviceGrants(doc(grant({})), "events.amazonaws.com", [
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:DecryptX",
      ]),
    ).to.have.length(1);
    expect(
      serviceGrants(doc(grant({ Principal: { Service: "events.amazonaws.com" } })), "events.amazonaws.com", [
        "SNS:Publish",
      ]),
    ).to.have.length(1);
    for (const [over, service, actions] of [
      [{ Effect: "Deny" }, "backup.amazonaws.com", ["SNS:Publish"]],
      [{ Principal: "*" }, "backup.amazonaws.com", ["SNS:Publish"]],
      [{}, "logs.amazonaws.com", ["SNS:Publish"]],
      [{}, "backup.amazonaws.com", ["SNS:Publish", "SNS:Subscribe"]],
      [{}, "backup.amazonaws.com", ["kms:Decrypt"]],
      [{ Action: "SNS.Publish" }, "backup.amazonaws.com", ["SNSXPublish"]],
      [{ Action: undefined }, "backup.amazonaws.com", ["SNS:Publish"]],
      [{ Principal: { AWS: "arn:aws:iam::1:root" } }, "backup.amazonaws.com", ["SNS:Publish"]],
    ] as [Record<string, unknown>, string, string[]][]) {
      expect(
        serviceGrants(doc(grant(over)), service, actions),
        JSON.stringify([over, service, actions]),
      ).to.deep.equal([]);
    }
    expect(serviceGrants(undefined, "backup.amazonaws.com", [])).to.deep.equal([]);
  });
});
