/**
 * Pulumi's AWSGuard rules (@pulumi/awsguard) over the three committed stacks (tools/awsguard.ts):
 * nothing found, the exemptions exactly the log destinations, and the bridges between AWSGuard's
 * provider-4 rules and our provider-7 resources shown to work (a rule that could not see our
 * resources would pass vacuously).
 */
import { expect } from "chai";
import type { PackPolicy } from "../policy/rules/common";
import { RecordedResource } from "../tools/mocks";
import { fixtureStackRuns } from "../tools/runStacks";
import {
  awsGuardView,
  loadAwsGuardPolicies,
  logDestinations,
  providerAliases,
  runAwsGuard,
} from "../tools/awsguard";

function resource(type: string, name: string, inputs: Record<string, unknown>, id = ""): RecordedResource {
  return {
    urn: `urn:pulumi:test::p::${type}::${name}`,
    id,
    type,
    name,
    custom: true,
    region: "us-east-1",
    inputs,
    outputs: { ...inputs },
    protect: false,
    dependencies: [],
    propertyDependencies: {},
    ignoreChanges: [],
    deleteBeforeReplace: false,
    retainOnDelete: false,
    aliases: [],
  };
}

const BUCKET = "aws:s3/bucket:Bucket";
const ALB = "aws:lb/loadBalancer:LoadBalancer";

describe("AWSGuard (tools/awsguard.ts)", function () {
  this.timeout(120_000);
  let policies: PackPolicy[];
  before(() => {
    policies = loadAwsGuardPolicies();
  });

  it("finds nothing on the three committed stacks; exempts only log destinations; says what needs a live account", async () => {
    const runs = await fixtureStackRuns();
    expect(runs.map((r) => r.stack)).to.deep.equal(["us-east-1", "ca-central-1", "global"]);
    const result = await runAwsGuard(runs, policies);
    expect(result.rules).to.have.length(26);
    expect(result.findings).to.deep.equal([]);
    expect(result.exempt.map((f) => [f.stack, f.policy, f.resource])).to.deep.equal([
      ["us-east-1", "s3-bucket-logging-enabled", "aws:s3/bucket:Bucket alb-logs-bucket"],
      ["ca-central-1", "s3-bucket-logging-enabled", "aws:s3/bucket:Bucket alb-logs-bucket"],
      [
        "global",
        "s3-bucket-logging-enabled",
        "aws:s3/bucket:Bucket plan-ca-central-1-reports-access-logs-bucket",
      ],
    ]);
    // ACM-issued certificates renew themselves; the rule's expiry check needs DescribeCertificate.
    expect(result.needsLiveAccount.map((f) => [f.stack, f.policy])).to.deep.equal([
      ["us-east-1", "acm-certificate-expiration"],
      ["ca-central-1", "acm-certificate-expiration"],
    ]);
  });

  it("folds a BucketLogging into its bucket's provider-4 `loggings`, and flags a bucket without one", async () => {
    const bucket = resource(BUCKET, "data", { bucket: "data-bucket" }, "data-bucket");
    const logging = resource("aws:s3/bucketLogging:BucketLogging", "data-logging", {
      bucket: "data-bucket",
      targetBucket: "log-bucket",
      targetPrefix: "s3/",
    });
    const view = awsGuardView([bucket, logging]);
    expect(view.find((r) => r.type === BUCKET)?.inputs.loggings).to.deep.equal([
      { targetBucket: "log-bucket", targetPrefix: "s3/" },
    ]);
    const logged = await runAwsGuard([{ stack: "t", resources: [bucket, logging] }], policies);
    expect(logged.findings).to.deep.equal([]);
    const unlogged = await runAwsGuard([{ stack: "t", resources: [bucket] }], policies);
    expect(unlogged.findings.map((f) => f.policy)).to.deep.equal(["s3-bucket-logging-enabled"]);
  });

  it("shows an aws.lb ALB and listener under their provider-declared former types, so the ELB rules see them", async () => {
    expect(providerAliases(ALB)).to.deep.equal(["aws:elasticloadbalancingv2/loadBalancer:LoadBalancer"]);
    const alb = resource(ALB, "alb", { enableDeletionProtection: false, accessLogs: { enabled: false } });
    const listener = resource("aws:lb/listener:Listener", "http", {
      protocol: "HTTP",
      defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }],
    });
    const result = await runAwsGuard([{ stack: "t", resources: [alb, listener] }], policies);
    expect(result.findings.map((f) => f.policy).sort()).to.deep.equal([
      "alb-http-to-https-redirection",
      "elb-deletion-protection-enabled",
      "elb-logging-enabled",
    ]);
  });

  it("log destinations: an ALB's access-log bucket and a BucketLogging's target", () => {
    const alb = resource(ALB, "alb", { accessLogs: { bucket: "alb-logs", enabled: true } });
    const off = resource(ALB, "off", { accessLogs: { bucket: "unused", enabled: false } });
    const logging = resource("aws:s3/bucketLogging:BucketLogging", "l", {
      bucket: "a",
      targetBucket: "s3-logs",
    });
    expect([...logDestinations([alb, off, logging])].sort()).to.deep.equal(["alb-logs", "s3-logs"]);
  });
});
