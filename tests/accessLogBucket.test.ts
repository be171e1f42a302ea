import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { RecordedResource, runProgram, StackRun } from "../tools/mocks";
import { AccessLogBucket, validateAccessLogBucketArgs } from "../components/accessLogBucket";

/** ELB log-delivery accounts AWS documents for these regions. */
const ELB_ACCOUNT: Record<string, string> = { "us-east-1": "127311923021", "ca-central-1": "985666609251" };

async function runBucket(region: string, expirationDays = 30): Promise<StackRun> {
  return runProgram(
    () => {
      const logs = new AccessLogBucket("alb-logs", { expirationDays });
      // A consumer of the bucket name, as the ALB is: it must wait for the bucket policy.
      new aws.lb.LoadBalancer("consumer", {
        accessLogs: { bucket: logs.bucketName, prefix: "frontend", enabled: true },
      });
      return { bucketName: logs.bucketName, bucketArn: logs.bucketArn };
    },
    { stack: region, config: { "aws:region": region } },
  );
}

function only(run: StackRun, type: string): RecordedResource {
  const found = run.resources.filter((r) => r.type === type);
  expect(found, type).to.have.length(1);
  return found[0];
}

interface Statement {
  Sid: string;
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

describe("AccessLogBucket", () => {
  it("rejects a non-positive expiration before any resource", () => {
    expect(() => validateAccessLogBucketArgs({ expirationDays: 0 })).to.throw(/expirationDays 0/);
    expect(() => validateAccessLogBucketArgs({ expirationDays: 1.5 })).to.throw(/expirationDays/);
    expect(() => validateAccessLogBucketArgs({ expirationDays: 30, abortIncompleteUploadDays: -1 })).to.throw(
      /abortIncompleteUploadDays/,
    );
    expect(() => validateAccessLogBucketArgs({ expirationDays: 30 })).not.to.throw();
  });

  describe("in us-east-1", () => {
    let run: StackRun;
    let bucket: RecordedResource;
    before(async () => {
      run = await runBucket("us-east-1");
      bucket = only(run, "aws:s3/bucket:Bucket");
    });

    it("creates one bucket, parented to the component, without forceDestroy", () => {
      const component = only(run, "multi-region-web:operations:AccessLogBucket");
      expect(bucket.parent).to.equal(component.urn);
      expect(bucket.inputs.forceDestroy).to.not.equal(true);
      expect(run.outputs.bucketArn).to.equal(bucket.outputs.arn);
      expect(run.outputs.bucketName).to.equal(bucket.outputs.bucket);
    });

    it("encrypts with SSE-S3 (AES256), the only encryption ALB log delivery supports", () => {
      const sse = only(
        run,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      );
      expect(sse.inputs.bucket).to.equal(bucket.outputs.bucket);
      expect(sse.inputs.rules).to.deep.equal([
        { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ]);
    });

    it("blocks every kind of public access and disables ACLs", () => {
      const pab = only(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
      expect(pab.inputs).to.include({
        bucket: bucket.outputs.bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      const ownership = only(run, "aws:s3/bucketOwnershipControls:BucketOwnershipControls");
      expect(ownership.inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
    });

    it("expires logs after the configured days and aborts incomplete uploads", () => {
      const lifecycle = only(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
      expect(lifecycle.inputs.bucket).to.equal(bucket.outputs.bucket);
      const rules = lifecycle.inputs.rules as Record<string, unknown>[];
      expect(rules).to.have.length(1);
      expect(rules[0].status).to.equal("Enabled");
      expect(rules[0].filter).to.deep.equal({ prefix: "" });
      expect(rules[0].expiration).to.deep.equal({ days: 30 });
      expect(rules[0].abortIncompleteMultipartUpload).to.deep.equal({ daysAfterInitiation: 7 });
    });

    it("does not version the bucket (write-once logs; expiration must really delete)", () => {
      expect(run.resources.filter((r) => r.type.startsWith("aws:s3/bucketVersioning"))).to.have.length(0);
    });

    it("denies plain HTTP and lets only the region's ELB account write under AWSLogs/<account>/", () => {
      const policy = only(run, "aws:s3/bucketPolicy:BucketPolicy");
      expect(policy.inputs.bucket).to.equal(bucket.outputs.bucket);
      const doc = JSON.parse(policy.inputs.policy as string) as { Statement: Statement[] };
      const arn = bucket.outputs.arn as string;
      expect(doc.Statement).to.have.length(2);

      const deny = doc.Statement.find((s) => s.Effect === "Deny");
      expect(deny).to.deep.include({
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      });

      const allows = doc.Statement.filter((s) => s.Effect === "Allow");
      expect(allows).to.have.length(1);
      expect(allows[0].Principal).to.deep.equal({ AWS: `arn:aws:iam::${ELB_ACCOUNT["us-east-1"]}:root` });
      expect(allows[0].Action).to.equal("s3:PutObject");
      expect(allows[0].Resource).to.equal(`${arn}/*/AWSLogs/123456789012/*`);
    });

    it("applies the policy after the public access block, and consumers wait for the policy", () => {
      const policy = only(run, "aws:s3/bucketPolicy:BucketPolicy");
      const pab = only(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
      expect(policy.dependencies).to.include(pab.urn);
      const consumer = only(run, "aws:lb/loadBalancer:LoadBalancer");
      expect(consumer.propertyDependencies.accessLogs).to.include(policy.urn);
      expect((consumer.inputs.accessLogs as { bucket: string }).bucket).to.equal(bucket.outputs.bucket);
    });
  });

  it("uses the ELB account of the stack's region (ca-central-1)", async () => {
    const run = await runBucket("ca-central-1", 90);
    const doc = JSON.parse(only(run, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy as string) as {
      Statement: Statement[];
    };
    const allow = doc.Statement.find((s) => s.Effect === "Allow");
    expect(allow?.Principal).to.deep.equal({ AWS: `arn:aws:iam::${ELB_ACCOUNT["ca-central-1"]}:root` });
    const lifecycle = only(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
    expect((lifecycle.inputs.rules as { expiration: unknown }[])[0].expiration).to.deep.equal({ days: 90 });
  });

  it("serverAccessLogs: S3 logs the bucket into a companion that only logging.s3 of that bucket may write", async () => {
    const run = await runProgram(
      () => {
        new AccessLogBucket("reports", {
          expirationDays: 30,
          elbLogDelivery: false,
          region: "ca-central-1",
          serverAccessLogs: true,
        });
        return {};
      },
      { stack: "global", config: { "aws:region": "us-east-1" } },
    );
    const buckets = run.resources.filter((r) => r.type === "aws:s3/bucket:Bucket");
    expect(buckets.map((b) => b.name).sort()).to.deep.equal(["reports-access-logs-bucket", "reports-bucket"]);
    const [source, target] = ["reports-bucket", "reports-access-logs-bucket"].map(
      (n) => buckets.find((b) => b.name === n)!,
    );
    expect(target.inputs.region).to.equal("ca-central-1");

    const logging = only(run, "aws:s3/bucketLogging:BucketLogging");
    expect(logging.inputs).to.deep.include({
      region: "ca-central-1",
      bucket: source.outputs.bucket,
      targetBucket: target.outputs.bucket,
      targetPrefix: "s3-access/",
    });
    // Only the source logs: the chain of log buckets ends at the companion.
    const targetPolicy = run.resources.find((r) => r.name === "reports-access-logs-policy")!;
    expect(logging.propertyDependencies.targetBucket).to.include(targetPolicy.urn);

    const doc = JSON.parse(targetPolicy.inputs.policy as string) as { Statement: Statement[] };
    const allow = doc.Statement.filter((s) => s.Effect === "Allow");
    expect(allow).to.deep.equal([
      {
        Sid: "AllowS3ServerAccessLogDelivery",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${target.outputs.arn as string}/s3-access/*`,
        Condition: {
          ArnLike: { "aws:SourceArn": source.outputs.arn },
          StringEquals: { "aws:SourceAccount": "123456789012" },
        },
      },
    ]);
    // The source's own policy grants nobody a write.
    const sourcePolicy = run.resources.find((r) => r.name === "reports-policy")!;
    const sourceDoc = JSON.parse(sourcePolicy.inputs.policy as string) as { Statement: Statement[] };
    expect(sourceDoc.Statement.map((s) => s.Effect)).to.deep.equal(["Deny"]);
  });
});
