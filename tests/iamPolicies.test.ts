/**
 * The IAM check (tools/iamPolicies.ts) over every policy document the three committed stacks register
 * (one shared run), and the check itself on hand-written documents: each rule fails when it should.
 */
import { expect } from "chai";
import { fixtureStackRuns } from "../tools/runStacks";
import {
  checkPolicyDocuments,
  expandAction,
  PolicyDocumentRef,
  policyDocuments,
  referencePage,
  Statement,
  WILDCARD_RESOURCE_REASONS,
} from "../tools/iamPolicies";

function doc(kind: PolicyDocumentRef["kind"], ...statements: Statement[]): PolicyDocumentRef {
  return { stack: "t", where: "test", kind, document: { Statement: statements } };
}

describe("IAM check (tools/iamPolicies.ts)", function () {
  this.timeout(60_000);

  describe("over the three committed stacks", () => {
    let documents: PolicyDocumentRef[];
    before(async () => {
      documents = (await fixtureStackRuns()).flatMap((run) => policyDocuments(run));
    });

    it("finds every kind of policy document: identity, trust, key and resource policies", () => {
      const kinds = (kind: string) =>
        documents.filter((d) => d.kind === kind).map((d) => d.where.split(" ")[0]);
      expect(new Set(kinds("identity"))).to.deep.equal(
        new Set(["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"]),
      );
      expect(new Set(kinds("trust"))).to.deep.equal(new Set(["aws:iam/role:Role"]));
      expect(new Set(kinds("key"))).to.deep.equal(new Set(["aws:kms/key:Key"]));
      expect(new Set(kinds("resource"))).to.deep.equal(
        new Set([
          "aws:s3/bucketPolicy:BucketPolicy",
          "aws:sns/topicPolicy:TopicPolicy",
          "aws:backup/vaultPolicy:VaultPolicy",
          "aws:ec2/vpcEndpoint:VpcEndpoint",
        ]),
      );
      expect(new Set(documents.map((d) => d.stack))).to.deep.equal(
        new Set(["us-east-1", "ca-central-1", "global"]),
      );
    });

    it("every action exists, and no Allow puts a resource-level action on * without a recorded reason", async () => {
      expect(await checkPolicyDocuments(documents)).to.deep.equal([]);
    });

    it("every recorded wildcard reason is still used (a stale exception would hide a new one)", () => {
      const sids = new Set(
        documents.flatMap((d) =>
          (Array.isArray(d.document.Statement) ? d.document.Statement : [d.document.Statement]).map(
            (s) => s.Sid,
          ),
        ),
      );
      for (const sid of Object.keys(WILDCARD_RESOURCE_REASONS)) expect(sids, sid).to.include(sid);
    });

    it("the plan's execution role describes only the plan's global cluster, clusters and instances", () => {
      const execution = documents.find((d) => d.where.includes("execution-policy"))!;
      const statements = execution.document.Statement as Statement[];
      const onStar = statements.filter((s) => s.Resource === "*" || (s.Resource as string[]).includes("*"));
      expect(onStar.flatMap((s) => s.Action as string[]).filter((a) => a.startsWith("rds:"))).to.deep.equal(
        [],
      );
      const describe = statements.find((s) => s.Sid === "DescribeDatabases")!;
      expect(describe.Resource).to.have.length(3);
      expect((describe.Resource as string[])[0]).to.match(/^arn:aws:rds::123456789012:global-cluster:/);
    });
  });

  describe("the rules", () => {
    it("an action the service does not have (sns:Receive), even in a Deny", async () => {
      const findings = await checkPolicyDocuments([
        doc("resource", {
          Sid: "Tls",
          Effect: "Deny",
          Action: ["sns:Publish", "sns:Receive"],
          Resource: "x",
        }),
      ]);
      expect(findings).to.have.length(1);
      expect(findings[0].message).to.equal(
        "sns:Receive is not an action of sns (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html)",
      );
    });

    it("wildcards must match an action; services must exist; case does not matter", async () => {
      expect((await expandAction("kms:Describe*")).actions).to.include("kms:DescribeKey");
      expect((await expandAction("SNS:Publish")).actions).to.deep.equal(["sns:Publish"]);
      expect((await expandAction("kms:Frobnicate*")).error).to.match(/not an action of kms/);
      expect((await expandAction("snss:Publish")).error).to.match(/no service "snss"/);
      expect((await expandAction("*")).error).to.match(/every service/);
      expect(await referencePage("kms")).to.match(/list_awskeymanagementservice\.html$/);
    });

    it('Resource "*" on an Allow of a resource-level action, unless the Sid records why', async () => {
      const star = (Sid: string, Action: string[]): Statement => ({
        Sid,
        Effect: "Allow",
        Action,
        Resource: "*",
      });
      const findings = await checkPolicyDocuments([
        doc(
          "identity",
          star("Describe", ["rds:DescribeDBClusters", "autoscaling:DescribeAutoScalingGroups"]),
        ),
        doc("identity", star("PublishProbeMetric", ["cloudwatch:PutMetricData"])),
        doc("identity", { ...star("Deny", ["rds:DeleteDBCluster"]), Effect: "Deny" }),
        doc("key", star("Admin", ["kms:*"])),
      ]);
      expect(findings.map((f) => f.message)).to.deep.equal([
        'rds:DescribeDBClusters supports resource-level permissions but is allowed on "*" (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html)',
      ]);
    });

    it("reads inline role policies and trust policies from a role's inputs", () => {
      const trust = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "sts:AssumeRole" }] });
      const inline = JSON.stringify({
        Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
      });
      const found = policyDocuments({
        stack: "t",
        resources: [
          {
            type: "aws:iam/role:Role",
            name: "r",
            inputs: {
              assumeRolePolicy: trust,
              inlinePolicies: [{ name: "p", policy: inline }],
              description: "x",
            },
          },
        ] as never,
      });
      expect(found.map((d) => [d.kind, d.where])).to.deep.equal([
        ["trust", "aws:iam/role:Role r.assumeRolePolicy"],
        ["identity", "aws:iam/role:Role r.inlinePolicies"],
      ]);
    });
  });
});
