/**
 * S3 (our buckets hold ALB access logs). In provider v7 a bucket's encryption, public access block
 * and policy are separate resources that name the bucket: each is checked on its own, and a stack
 * policy checks that every bucket has all three.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, validateResourceOfType } from "@pulumi/policy";
import { ofType, PackResourcePolicy, PackStackPolicy, perResource, refersTo, TYPES } from "./common";

export const ACCEPTED_SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

export const s3PublicAccessBlock: PackResourcePolicy = {
  name: "s3-public-access-block",
  description: "Bucket public access blocks turn on all four settings.",
  rationale: "Access logs reveal client IPs and URLs; no ACL or policy may ever make them public.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true.",
  validateResource: validateResourceOfType(aws.s3.BucketPublicAccessBlock, (block, _args, report) => {
    const settings = {
      blockPublicAcls: block.blockPublicAcls,
      blockPublicPolicy: block.blockPublicPolicy,
      ignorePublicAcls: block.ignorePublicAcls,
      restrictPublicBuckets: block.restrictPublicBuckets,
    };
    const off = Object.entries(settings).filter(([, value]) => value !== true);
    if (off.length > 0) report(`Not true: ${off.map(([key]) => key).join(", ")}.`);
  }),
};

export const s3Encryption: PackResourcePolicy = {
  name: "s3-default-encryption",
  description: "Bucket encryption configurations set a default server-side encryption algorithm.",
  rationale: "Objects at rest are encrypted whatever the writer asks (ALB log delivery supports SSE-S3).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: 'Set `rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]`.',
  validateResource: validateResourceOfType(
    aws.s3.BucketServerSideEncryptionConfiguration,
    (config, _args, report) => {
      const algorithms = (config.rules ?? []).map((r) => r.applyServerSideEncryptionByDefault?.sseAlgorithm);
      if (!algorithms.some((a) => a !== undefined && ACCEPTED_SSE_ALGORITHMS.includes(a))) {
        report("No default server-side encryption algorithm.");
      }
    },
  ),
};

interface PolicyStatement {
  Effect?: string;
  Condition?: Record<string, Record<string, unknown>>;
}

/** True when the policy document denies every request that is not made over TLS. */
export function deniesInsecureTransport(policy: unknown): boolean {
  const document = (typeof policy === "string" ? JSON.parse(policy) : policy) as
    | { Statement?: PolicyStatement | PolicyStatement[] }
    | undefined;
  const statements = document?.Statement;
  return (Array.isArray(statements) ? statements : statements ? [statements] : []).some((s) => {
    const secure = s.Condition?.Bool?.["aws:SecureTransport"];
    return s.Effect === "Deny" && (secure === "false" || secure === false);
  });
}

export const s3TlsOnly: PackResourcePolicy = {
  name: "s3-tls-only-policy",
  description: 'Bucket policies deny requests without TLS (`aws:SecureTransport` "false").',
  rationale: "Without the deny, clients may read and write the logs over plain HTTP.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    'Add `{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }`.',
  validateResource: validateResourceOfType(aws.s3.BucketPolicy, (bucketPolicy, _args, report) => {
    if (!deniesInsecureTransport(bucketPolicy.policy)) report("The policy does not deny insecure transport.");
  }),
};

export const s3OwnershipEnforced: PackResourcePolicy = {
  name: "s3-bucket-owner-enforced",
  description: "Bucket ownership controls disable ACLs (BucketOwnerEnforced).",
  rationale: "With ACLs off, only the bucket policy decides access (and ALB log delivery still works).",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps: 'Set `rule: { objectOwnership: "BucketOwnerEnforced" }`.',
  validateResource: validateResourceOfType(aws.s3.BucketOwnershipControls, (controls, _args, report) => {
    if (controls.rule?.objectOwnership !== "BucketOwnerEnforced") {
      report(`objectOwnership is ${controls.rule?.objectOwnership ?? "unset"}.`);
    }
  }),
};

export const s3BucketCompanions: PackStackPolicy = {
  name: "s3-bucket-protected",
  description:
    "Every bucket has a public access block, a default encryption configuration and a bucket policy.",
  rationale: "The per-resource checks only run on companions that exist; a bucket without them is unguarded.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Create BucketPublicAccessBlock, BucketServerSideEncryptionConfiguration and BucketPolicy with `bucket: bucket.id`.",
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const buckets = ofType(args, TYPES.bucket);
    if (buckets.length === 0) args.notApplicable("No S3 bucket");
    const companions: [string, PolicyResource[]][] = [
      ["public access block", ofType(args, TYPES.bucketPublicAccessBlock)],
      ["encryption configuration", ofType(args, TYPES.bucketEncryption)],
      ["bucket policy (TLS only)", ofType(args, TYPES.bucketPolicy)],
    ];
    for (const bucket of buckets) {
      for (const [what, candidates] of companions) {
        if (!candidates.some((c) => refersTo(c, "bucket", bucket)))
          report(`Bucket ${bucket.name} has no ${what}.`, bucket);
      }
    }
  },
};

export const s3Policies = [
  s3PublicAccessBlock,
  s3Encryption,
  s3TlsOnly,
  s3OwnershipEnforced,
  s3BucketCompanions,
];
