/**
 * The load balancer and S3 policies (policy/rules/loadBalancers.ts, s3.ts), condition by condition,
 * both ways, with the exact message; the allowed TLS policies and SSE algorithms are written out here
 * as AWS names them.
 */
import { expect } from "chai";
import { TYPES } from "../policy/rules/common";
import { loadBalancerTier } from "../policy/rules/loadBalancers";
import { deniesInsecureTransport } from "../policy/rules/s3";
import { dep, findings, messages, res } from "./policyHelpers";

const alb = (name: string, over: Record<string, unknown> = {}) =>
  res(
    TYPES.loadBalancer,
    name,
    {
      loadBalancerType: "application",
      internal: false,
      accessLogs: { bucket: "logs", enabled: true },
      dropInvalidHeaderFields: true,
      enableDeletionProtection: true,
      ...over,
    },
    { out: { arn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/${name}/1` } },
  );
const listener = (name: string, over: Record<string, unknown>, extra = {}) =>
  res(TYPES.listener, name, { loadBalancerArn: "arn", ...over }, extra);
const redirect = (over: Record<string, unknown> = {}) => ({
  type: "redirect",
  redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301", ...over },
});
const TLS13 = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
];
const https = { protocol: "HTTPS", port: 443, sslPolicy: TLS13[0], certificateArn: "arn:aws:acm:cert" };

describe("load balancer policies", () => {
  it("alb-access-logs: enabled, with a bucket", async () => {
    const off = "Access logs are not enabled (accessLogs.enabled with a bucket).";
    for (const accessLogs of [undefined, { bucket: "logs", enabled: false }, { enabled: true }]) {
      expect(
        await messages("alb-access-logs", [alb("a", { accessLogs })]),
        JSON.stringify(accessLogs),
      ).to.deep.equal([off]);
    }
  });

  it("alb-drop-invalid-headers: application load balancers only (unset type is one)", async () => {
    const found = await findings("alb-drop-invalid-headers", [
      alb("nlb", { loadBalancerType: "network", dropInvalidHeaderFields: undefined }),
    ]);
    expect([found.messages, found.notApplicable]).to.deep.equal([
      [],
      ["Only application load balancers parse HTTP headers"],
    ]);
    expect(
      await messages("alb-drop-invalid-headers", [
        alb("a", { loadBalancerType: undefined, dropInvalidHeaderFields: false }),
      ]),
    ).to.deep.equal(["dropInvalidHeaderFields is not true."]);
    expect(
      await messages("alb-deletion-protection", [alb("a", { enableDeletionProtection: false })]),
    ).to.deep.equal(["enableDeletionProtection is not true."]);
  });

  it("alb-internal-tier-not-internet-facing: the tier by tag (either spelling) or by name, its tiers from config", async () => {
    expect(loadBalancerTier({ tier: "API" }, "backend-alb")).to.equal("api");
    expect(loadBalancerTier({ Tier: "Backend" }, "x")).to.equal("backend");
    expect(loadBalancerTier({ tier: "web", Tier: "backend" }, "x")).to.equal("web");
    expect(loadBalancerTier(undefined, "Backend_ALB")).to.equal("backend");
    const name = "alb-internal-tier-not-internet-facing";
    const front = await findings(name, [alb("frontend-alb")]);
    expect([front.messages, front.notApplicable]).to.deep.equal([
      [],
      ['Tier "frontend" may be internet-facing'],
    ]);
    expect(await messages(name, [alb("x", { tags: { Tier: "Backend" } })])).to.deep.equal([
      "The backend tier's load balancer is internet-facing (internal is not true).",
    ]);
    expect(await messages(name, [alb("backend-alb", { internal: true })])).to.deep.equal([]);
    expect(await messages(name, [alb("api-alb")], { config: { internalTiers: ["API"] } })).to.deep.equal([
      "The api tier's load balancer is internet-facing (internal is not true).",
    ]);
  });

  it("alb-listener-http-redirects-to-https: port 80 over HTTP only 301-redirects to HTTPS:443", async () => {
    const name = "alb-listener-http-redirects-to-https";
    for (const over of [
      { protocol: "HTTPS", port: 80 },
      { protocol: "HTTP", port: 8080 },
    ]) {
      expect((await findings(name, [listener("l", over)])).notApplicable, JSON.stringify(over)).to.deep.equal(
        ["Not a plain-HTTP listener on port 80"],
      );
    }
    const http80 = (defaultActions?: object[]) =>
      listener("http", { protocol: "HTTP", port: 80, defaultActions });
    expect(await messages(name, [http80([redirect(), redirect()])])).to.deep.equal([]);
    const wrong = "The HTTP:80 listener does something other than a 301 redirect to HTTPS:443.";
    for (const actions of [
      undefined,
      [],
      [redirect({ protocol: "HTTP" })],
      [redirect({ port: "8443" })],
      [redirect({ statusCode: "HTTP_302" })],
      [{ type: "forward", redirect: redirect().redirect }],
      [{ type: "redirect" }],
      [redirect(), { type: "forward" }],
    ]) {
      expect(await messages(name, [http80(actions)]), JSON.stringify(actions)).to.deep.equal([wrong]);
    }
  });

  it("alb-listener-modern-tls: HTTPS and TLS listeners on an allowed TLS 1.3 policy, with a certificate", async () => {
    const name = "alb-listener-modern-tls";
    expect(
      (await findings(name, [listener("l", { protocol: "HTTP", port: 80 })])).notApplicable,
    ).to.deep.equal(["Not an HTTPS/TLS listener"]);
    for (const sslPolicy of TLS13) {
      expect(await messages(name, [listener("l", { ...https, sslPolicy })]), sslPolicy).to.deep.equal([]);
    }
    expect(
      await messages(name, [listener("l", { ...https, protocol: "TLS", sslPolicy: undefined })]),
    ).to.deep.equal(["sslPolicy (unset: the ELB default) is not an allowed TLS 1.3 policy."]);
    expect(
      await messages(name, [
        listener("l", { ...https, sslPolicy: "ELBSecurityPolicy-2016-08", certificateArn: undefined }),
      ]),
    ).to.deep.equal([
      "sslPolicy ELBSecurityPolicy-2016-08 is not an allowed TLS 1.3 policy.",
      "The listener has no certificateArn.",
    ]);
    expect(
      await messages(name, [listener("l", { ...https, sslPolicy: "ELBSecurityPolicy-2016-08" })], {
        config: { allowedSslPolicies: ["ELBSecurityPolicy-2016-08"] },
      }),
    ).to.deep.equal([]);
  });

  it("alb-listeners-https-only: names the listener, its protocol and where its ALB faces", async () => {
    const name = "alb-listeners-https-only";
    const pub = alb("frontend-alb");
    const int = alb("backend-alb", { internal: true });
    const nlb = alb("nlb", { loadBalancerType: "network" });
    const found = await findings(name, [
      pub,
      int,
      nlb,
      listener(
        "pub-http",
        { protocol: "HTTP", defaultActions: [{ type: "forward" }] },
        dep("loadBalancerArn", pub),
      ),
      listener("int-tcp", { defaultActions: [redirect({ protocol: "HTTP" })] }, dep("loadBalancerArn", int)),
      listener(
        "int-redirect",
        { protocol: "HTTP", defaultActions: [redirect()] },
        dep("loadBalancerArn", int),
      ),
      listener("int-none", { protocol: "HTTP" }, dep("loadBalancerArn", int)),
      listener("int-https", { protocol: "HTTPS" }, dep("loadBalancerArn", int)),
      listener("nlb-tcp", { protocol: "TCP" }, dep("loadBalancerArn", nlb)),
      listener("orphan", { protocol: "HTTP" }),
    ]);
    expect(found.messages).to.deep.equal([
      "Listener pub-http (HTTP) of an internet-facing ALB frontend-alb serves plain text.",
      "Listener int-tcp (?) of an internal ALB backend-alb serves plain text.",
      "Listener int-none (HTTP) of an internal ALB backend-alb serves plain text.",
    ]);
    expect(found.on).to.deep.equal(["pub-http", "int-tcp", "int-none"]);
  });
});

describe("S3 policies", () => {
  it("s3-public-access-block: names every setting that is not on", async () => {
    const block = (over: Record<string, unknown>) =>
      res(TYPES.bucketPublicAccessBlock, "pab", {
        bucket: "b",
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
        ...over,
      });
    expect(await messages("s3-public-access-block", [block({})])).to.deep.equal([]);
    expect(
      await messages("s3-public-access-block", [
        block({ blockPublicAcls: false, ignorePublicAcls: undefined }),
      ]),
    ).to.deep.equal(["Not true: blockPublicAcls, ignorePublicAcls."]);
  });

  it("s3-default-encryption: one accepted default algorithm", async () => {
    const sse = (...algorithms: (string | undefined)[]) =>
      res(TYPES.bucketEncryption, "sse", {
        bucket: "b",
        rules: algorithms.map((a) => ({
          applyServerSideEncryptionByDefault: a ? { sseAlgorithm: a } : undefined,
        })),
      });
    for (const algorithm of ["AES256", "aws:kms", "aws:kms:dsse"]) {
      expect(await messages("s3-default-encryption", [sse(undefined, algorithm)]), algorithm).to.deep.equal(
        [],
      );
    }
    for (const resource of [
      sse(),
      sse(undefined),
      sse("DES"),
      res(TYPES.bucketEncryption, "sse", { bucket: "b" }),
    ]) {
      expect(await messages("s3-default-encryption", [resource])).to.deep.equal([
        "No default server-side encryption algorithm.",
      ]);
    }
  });

  it("s3-tls-only-policy: a Deny on aws:SecureTransport false, as text or JSON, one statement or several", () => {
    const deny = (secure: unknown, effect = "Deny") => ({
      Effect: effect,
      Condition: { Bool: { "aws:SecureTransport": secure } },
    });
    expect(
      deniesInsecureTransport(JSON.stringify({ Statement: [{ Effect: "Allow" }, deny("false")] })),
    ).to.equal(true);
    expect(deniesInsecureTransport({ Statement: deny(false) })).to.equal(true);
    for (const policy of [
      { Statement: deny("true") },
      { Statement: deny("false", "Allow") },
      { Statement: { Effect: "Deny" } },
      { Statement: { Effect: "Deny", Condition: { StringEquals: {} } } },
      {},
      undefined,
    ]) {
      expect(deniesInsecureTransport(policy), JSON.stringify(policy)).to.equal(false);
    }
  });

  it("s3-tls-only-policy and s3-bucket-owner-enforced, as violations", async () => {
    expect(
      await messages("s3-tls-only-policy", [res(TYPES.bucketPolicy, "p", { bucket: "b", policy: "{}" })]),
    ).to.deep.equal(["The policy does not deny insecure transport."]);
    const ownership = (rule?: object) =>
      res("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "o", { bucket: "b", rule });
    expect(
      await messages("s3-bucket-owner-enforced", [ownership({ objectOwnership: "ObjectWriter" })]),
    ).to.deep.equal(["objectOwnership is ObjectWriter."]);
    expect(await messages("s3-bucket-owner-enforced", [ownership()])).to.deep.equal([
      "objectOwnership is unset.",
    ]);
  });

  it("s3-bucket-protected: names each companion a bucket lacks", async () => {
    expect((await findings("s3-bucket-protected", [])).notApplicable).to.deep.equal(["No S3 bucket"]);
    const bucket = res(TYPES.bucket, "logs", {}, { out: { bucket: "logs-abc" } });
    const other = res(TYPES.bucket, "other", {}, { out: { bucket: "other-abc" } });
    const found = await findings("s3-bucket-protected", [
      bucket,
      other,
      res(TYPES.bucketPublicAccessBlock, "pab", { bucket: "logs-abc" }),
      res(TYPES.bucketEncryption, "sse", { bucket: "unknown" }, dep("bucket", bucket)),
      res(TYPES.bucketPolicy, "policy", { bucket: "logs-abc" }),
    ]);
    expect(found.messages).to.deep.equal([
      "Bucket other has no public access block.",
      "Bucket other has no encryption configuration.",
      "Bucket other has no bucket policy (TLS only).",
    ]);
    expect(found.on).to.deep.equal(["other", "other", "other"]);
  });
});
