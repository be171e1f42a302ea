/**
 * The failover policies (policy/rules/failover.ts), condition by condition, both ways, with the exact
 * message: one region per regional stack, what each plan workflow covers, the lossless switchover and
 * what the execution role may do. The plans are built by the component's own workflow builder.
 */
import { expect } from "chai";
import { PolicyResource } from "@pulumi/policy";
import { planWorkflows } from "../components/failoverWorkflows";
import { TYPES } from "../policy/rules/common";
import {
  allows,
  arnRegion,
  requiredPermissions,
  wildcardMatch,
  workflowProblems,
} from "../policy/rules/failover";
import { UNKNOWN } from "../policy/runner";
import { dep, findings, messages, res } from "./policyHelpers";

const asgArn = (region: string, n: number) =>
  `arn:aws:autoscaling:${region}:123456789012:autoScalingGroup:${n}:autoScalingGroupName/g${n}`;
const clusterArn = (region: string) => `arn:aws:rds:${region}:123456789012:cluster:app-${region}`;
const VALUES = {
  home: {
    region: "us-east-1",
    frontendAsgArn: asgArn("us-east-1", 1),
    backendAsgArn: asgArn("us-east-1", 2),
    clusterArn: clusterArn("us-east-1"),
    recordSetIdentifier: "us-east-1",
  },
  standby: {
    region: "ca-central-1",
    frontendAsgArn: asgArn("ca-central-1", 3),
    backendAsgArn: asgArn("ca-central-1", 4),
    clusterArn: clusterArn("ca-central-1"),
    recordSetIdentifier: "standby",
  },
  globalClusterIdentifier: "app-global",
  hostedZoneId: "Z1",
  domain: "app.example.com",
};
type Step = {
  name: string;
  executionBlockType: string;
  parallelConfigs?: { steps: Step[] }[];
  globalAuroraConfigs?: Record<string, unknown>[];
  ec2AsgCapacityIncreaseConfigs?: { asgs: { arn?: string }[] }[];
  route53HealthCheckConfigs?: Record<string, unknown>[];
};
type Workflow = { workflowTargetAction?: string; workflowTargetRegion?: string; steps: Step[] };
const workflows = (): Workflow[] => JSON.parse(JSON.stringify(planWorkflows(VALUES))) as Workflow[];
const ROLE_ARN = "arn:aws:iam::123456789012:role/plan-execution";
const plan = (over: Record<string, unknown> = {}, edit: (w: Workflow[]) => void = () => {}) => {
  const w = workflows();
  edit(w);
  return res(TYPES.plan, "plan", {
    name: "app-ca-central-1",
    executionRole: ROLE_ARN,
    recoveryApproach: "activePassive",
    regions: ["us-east-1", "ca-central-1"],
    workflows: w,
    ...over,
  });
};
const parallel = (w: Workflow) => w.steps[0].parallelConfigs![0].steps;
const PAIR = { name: "app.example.com", zoneId: "Z1" };
const REGIONS = ["us-east-1", "ca-central-1"];

describe("failover policies", () => {
  describe("regional-stack-one-region", () => {
    const name = "regional-stack-one-region";
    const key = (keyName: string, region: string) =>
      res(TYPES.kmsKey, keyName, {}, { out: { arn: `arn:aws:kms:${region}:123456789012:key/${keyName}` } });
    it("takes the stack's region from most of its resources and names each one elsewhere", async () => {
      const found = await findings(name, [
        key("a", "us-east-1"),
        key("b", "ca-central-1"),
        key("c", "ca-central-1"),
        res("pulumi:providers:aws", "us", { region: "us-east-1" }),
        res("random:index/randomPassword:RandomPassword", "pw", { region: "us-east-1" }),
      ]);
      expect(found.messages).to.deep.equal([
        "aws:kms/key:Key a is in us-east-1; the stack's resources are in ca-central-1.",
      ]);
      expect(found.on).to.deep.equal(["a"]);
    });
    it("reads the region from the resource, else its provider, else its ARN", async () => {
      const provider = res("pulumi:providers:aws", "ca", { region: "ca-central-1" });
      const viaProvider = res(TYPES.kmsKey, "p", { region: "" }, { provider: `${provider.urn}::id` });
      expect(
        await messages(name, [provider, viaProvider, key("a", "us-east-1"), key("b", "us-east-1")]),
      ).to.deep.equal(["aws:kms/key:Key p is in ca-central-1; the stack's resources are in us-east-1."]);
      const blank = res("pulumi:providers:aws", "blank", { region: "" });
      const viaArn = res(
        TYPES.kmsKey,
        "q",
        {},
        { provider: `${blank.urn}::id`, out: { arn: "arn:aws:kms:eu-west-1:1:key/q" } },
      );
      expect(
        await messages(name, [blank, viaArn, key("a", "us-east-1"), key("b", "us-east-1")]),
      ).to.deep.equal(["aws:kms/key:Key q is in eu-west-1; the stack's resources are in us-east-1."]);
    });
    it("is not applicable without a resource whose region it knows", async () => {
      expect(
        (await findings(name, [res(TYPES.role, "r", {}, { out: { arn: "arn:aws:iam::1:role/r" } })]))
          .notApplicable,
      ).to.deep.equal(["No resource with a known region"]);
    });
    it("reads only ARNs as ARNs", () => {
      expect([
        arnRegion("xarn:aws:kms:us-east-1:1:key/a"),
        arnRegion(5),
        arnRegion("arn:aws:s3:::b"),
      ]).to.deep.equal([undefined, undefined, undefined]);
      expect(arnRegion("arn:aws:kms:us-east-1:1:key/a")).to.equal("us-east-1");
    });
  });

  describe("workflowProblems", () => {
    const check = (
      edit: (w: Workflow) => void,
      pair: { name?: string; zoneId?: string } = PAIR,
      minCapacitySteps = 2,
    ) => {
      const w = workflows()[0];
      edit(w);
      return workflowProblems("p", REGIONS, w as never, pair, minCapacitySteps);
    };
    const where = "Plan p, workflow activate ca-central-1";
    it("passes the component's workflow", () => {
      expect(check(() => {})).to.deep.equal([]);
    });
    it("wants each capacity step to name exactly one group per region", () => {
      expect(
        check((w) =>
          parallel(w)[0].ec2AsgCapacityIncreaseConfigs![0].asgs.push({ arn: asgArn("us-east-1", 9) }),
        ),
      ).to.deep.equal([
        `${where}: step scale-frontend does not name one Auto Scaling group in each of us-east-1 and ca-central-1.`,
      ]);
      expect(check((w) => (parallel(w)[0].ec2AsgCapacityIncreaseConfigs![0].asgs = [{}, {}]))).to.deep.equal([
        `${where}: step scale-frontend does not name one Auto Scaling group in each of us-east-1 and ca-central-1.`,
      ]);
    });
    it("wants the Aurora step to name both clusters and the global cluster", () => {
      expect(
        check((w) => {
          const aurora = parallel(w)[2].globalAuroraConfigs![0];
          aurora.databaseClusterArns = [
            clusterArn("us-east-1"),
            clusterArn("ca-central-1"),
            clusterArn("eu-west-1"),
          ];
          delete aurora.globalClusterIdentifier;
        }),
      ).to.deep.equal([
        `${where}: step move-aurora-writer does not name the Aurora cluster of each of us-east-1 and ca-central-1.`,
        `${where}: step move-aurora-writer names no global cluster.`,
      ]);
    });
    it("wants the DNS step on the pair's record and zone, mapping both regions", () => {
      const dns = (w: Workflow) => w.steps[1].route53HealthCheckConfigs![0];
      expect(check((w) => (dns(w).hostedZoneId = "Z2"))).to.deep.equal([
        `${where}: step route-traffic looks in zone Z2, not Z1.`,
      ]);
      expect(check((w) => (dns(w).hostedZoneId = "Z2"), { name: "app.example.com" })).to.deep.equal([]);
      expect(check((w) => (dns(w).recordName = "www.example.com"), {})).to.deep.equal([]);
      expect(check((w) => (dns(w).recordName = "App.Example.com."))).to.deep.equal([]);
      expect(check((w) => delete dns(w).recordName)).to.deep.equal([
        `${where}: step route-traffic flips undefined, not the app's failover records app.example.com.`,
      ]);
      expect(check((w) => (dns(w).recordSets = []))).to.deep.equal([
        `${where}: step route-traffic maps no record set to us-east-1, ca-central-1.`,
      ]);
    });
    it("names a workflow without a target region with ?, and counts its capacity steps against the minimum", () => {
      expect(check((w) => delete w.workflowTargetRegion, PAIR, 3)).to.deep.equal([
        "Plan p, workflow activate ? scales 2 Auto Scaling group pair(s); 3 tiers need scaling.",
      ]);
    });
  });

  describe("failover-plan-covers-pair", () => {
    const name = "failover-plan-covers-pair";
    it("is not applicable without a plan", async () => {
      expect((await findings(name, [])).notApplicable).to.deep.equal(["No ARC Region switch plan"]);
    });
    it("wants two different regions, named by the plan's name or else its resource's", async () => {
      expect(await messages(name, [plan({ regions: ["us-east-1", "us-east-1"] })])).to.deep.equal([
        "Plan app-ca-central-1 covers regions [us-east-1, us-east-1]; a plan covers two regions.",
      ]);
      expect(await messages(name, [plan({ name: UNKNOWN.string, regions: [] })])).to.deep.equal([
        "Plan plan covers regions []; a plan covers two regions.",
      ]);
    });
    it("wants exactly one activate workflow per region", async () => {
      expect(
        await messages(name, [plan({}, (w) => (w[0].workflowTargetAction = "deactivate"))]),
      ).to.deep.equal([
        "Plan app-ca-central-1 has 0 activate workflow(s) for ca-central-1; exactly one (failover and failback).",
      ]);
      expect(await messages(name, [plan({}, (w) => w.push(w[1]))])).to.deep.equal([
        "Plan app-ca-central-1 has 2 activate workflow(s) for us-east-1; exactly one (failover and failback).",
      ]);
    });
    it("checks the DNS steps against the PRIMARY of the pair, wherever it is listed", async () => {
      const record = (recordName: string, type: string, zoneId: string) =>
        res(TYPES.record, recordName, {
          name: "app.example.com",
          zoneId,
          failoverRoutingPolicies: [{ type }],
        });
      const found = await messages(name, [
        record("secondary", "SECONDARY", "Z9"),
        record("primary", "PRIMARY", "Z2"),
        plan(),
      ]);
      expect(found).to.deep.equal([
        "Plan app-ca-central-1, workflow activate us-east-1: step route-traffic looks in zone Z1, not Z2.",
        "Plan app-ca-central-1, workflow activate ca-central-1: step route-traffic looks in zone Z1, not Z2.",
      ]);
    });
  });

  describe("failover-plan-lossless-switchover", () => {
    const name = "failover-plan-lossless-switchover";
    it("is not applicable without a plan", async () => {
      expect((await findings(name, [])).notApplicable).to.deep.equal(["No ARC Region switch plan"]);
    });
    it("names the behaviour that loses data and a missing ungraceful failover, in Aurora steps only", async () => {
      const found = await messages(name, [
        plan({}, (w) => {
          const aurora = parallel(w[0])[2].globalAuroraConfigs![0];
          aurora.behavior = "failover";
          aurora.ungracefuls = [{ ungraceful: "switchoverOnly" }];
          parallel(w[1])[0].globalAuroraConfigs = [{ behavior: "failover" }];
        }),
      ]);
      expect(found).to.deep.equal([
        "Plan plan, step move-aurora-writer: behavior failover loses data even when graceful.",
        "Plan plan, step move-aurora-writer: no ungraceful failover, so an outage of the writer's region cannot move it.",
      ]);
    });
  });

  describe("failover-plan-role-permissions", () => {
    const name = "failover-plan-role-permissions";
    const role = (trust: object) =>
      res(
        TYPES.role,
        "plan-execution",
        { assumeRolePolicy: JSON.stringify(trust) },
        { out: { arn: ROLE_ARN } },
      );
    const trusting = (over: Record<string, unknown> = {}) =>
      role({
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: ["ec2.amazonaws.com", "arc-region-switch.amazonaws.com"] },
            Action: "sts:AssumeRole",
            ...over,
          },
        ],
      });
    const everything = (target: ReturnType<typeof res>, policyName = "all") =>
      res(
        TYPES.rolePolicy,
        policyName,
        { role: "x", policy: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } },
        dep("role", target),
      );
    it("is not applicable without a plan", async () => {
      expect((await findings(name, [])).notApplicable).to.deep.equal(["No ARC Region switch plan"]);
    });
    it("wants the role to trust ARC Region switch by an Allow with its service principal", async () => {
      const ok = trusting();
      expect(await messages(name, [ok, everything(ok), plan()])).to.deep.equal([]);
      for (const bad of [
        trusting({ Effect: "Deny" }),
        trusting({ Principal: { AWS: "arn:aws:iam::1:root" } }),
        role({}),
      ]) {
        expect(await messages(name, [bad, everything(bad), plan()])).to.deep.equal([
          "Role plan-execution does not trust arc-region-switch.amazonaws.com.",
        ]);
      }
    });
    it("reads only the policies of the plan's role, and none that does not parse", async () => {
      const ok = trusting();
      const other = res(TYPES.role, "other", {}, { out: { arn: "arn:aws:iam::123456789012:role/other" } });
      const withOthers = await messages(name, [
        ok,
        other,
        everything(other),
        res(TYPES.rolePolicy, "broken", { role: "x", policy: "{" }, dep("role", ok)),
        plan(),
      ]);
      expect(withOthers).to.deep.equal(await messages(name, [ok, plan()]));
      expect(withOthers[0]).to.equal(
        `Role plan-execution may not autoscaling:UpdateAutoScalingGroup on ${asgArn("us-east-1", 1)}, which plan plan needs.`,
      );
      expect(await messages(name, [plan()])).to.deep.equal([
        "Plan plan: its execution role is not a role of this stack, so its permissions cannot be checked.",
      ]);
    });
    it("needs s3:PutObject on each report bucket, with or without s3://", async () => {
      const ok = trusting();
      const policy = res(
        TYPES.rolePolicy,
        "policy",
        {
          role: "x",
          policy: JSON.stringify({
            Statement: [
              {
                Effect: "Allow",
                Action: ["autoscaling:*", "rds:*", "route53:*", "cloudwatch:*"],
                Resource: "*",
              },
            ],
          }),
        },
        dep("role", ok),
      );
      const reports = {
        reportConfigurations: [
          {
            reportOutputs: [
              {
                s3Configurations: [
                  { bucketPath: "s3://reports-a/app" },
                  { bucketPath: "reports-b/app" },
                  { bucketPath: "" },
                  {},
                ],
              },
            ],
          },
        ],
      };
      expect(await messages(name, [ok, policy, plan(reports)])).to.deep.equal([
        "Role plan-execution may not s3:PutObject on arn:aws:s3:::reports-a/report, which plan plan needs.",
        "Role plan-execution may not s3:PutObject on arn:aws:s3:::reports-b/report, which plan plan needs.",
      ]);
    });
  });

  describe("what a plan's role needs (requiredPermissions, allows, wildcardMatch)", () => {
    const planResource = (props: Record<string, unknown>) => ({ props }) as unknown as PolicyResource;
    it("lists an action per group, cluster, zone, alarm and bucket, skipping blocks without a target", () => {
      const needs = requiredPermissions(
        planResource({
          workflows: [
            {
              steps: [
                { ec2AsgCapacityIncreaseConfigs: [{ asgs: [{ arn: "asg-1" }, {}] }] },
                { globalAuroraConfigs: [{ databaseClusterArns: ["cluster-1"] }, {}] },
                { route53HealthCheckConfigs: [{ hostedZoneId: "Z1" }, {}] },
              ],
            },
          ],
          associatedAlarms: [{ resourceIdentifier: "alarm-1" }, {}],
        }),
        ["bucket-1"],
      );
      expect(needs.map((n) => `${n.action} ${n.resource}`)).to.deep.equal([
        "autoscaling:UpdateAutoScalingGroup asg-1",
        "rds:SwitchoverGlobalCluster cluster-1",
        "rds:FailoverGlobalCluster cluster-1",
        "route53:ListResourceRecordSets arn:aws:route53:::hostedzone/Z1",
        "cloudwatch:DescribeAlarms alarm-1",
        "s3:PutObject arn:aws:s3:::bucket-1/report",
      ]);
      expect(requiredPermissions(planResource({}), [])).to.deep.equal([]);
    });
    it("asks StartPlanExecution on the plan when it has a trigger and ARC has given it its ARN", () => {
      const arn = "arn:aws:arc-region-switch::123456789012:plan/app-ca-central-1:a1b2c3";
      const start = (props: Record<string, unknown>) =>
        requiredPermissions(planResource(props), []).filter((n) => n.action.startsWith("arc-region-switch:"));
      expect(start({ triggers: [{}], arn })).to.deep.equal([
        { action: "arc-region-switch:StartPlanExecution", resource: arn },
      ]);
      expect(start({ triggers: [], arn })).to.deep.equal([]);
      // A first preview: the plan has no ARN yet, nothing to check it against.
      expect(start({ triggers: [{}] })).to.deep.equal([]);
    });
    it("matches actions case-insensitively and resources as written, one or a list", () => {
      expect(
        allows(
          { Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*" }] },
          "S3:putobject",
          "arn:aws:s3:::b/x",
        ),
      ).to.equal(true);
      expect(
        allows(
          { Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::B/*" }] },
          "s3:PutObject",
          "arn:aws:s3:::b/x",
        ),
      ).to.equal(false);
      expect(allows({ Statement: [{ Effect: "Allow", Action: ["s3:Get*"] }] }, "s3:GetObject", "x")).to.equal(
        false,
      );
      expect(allows(undefined, "s3:GetObject", "x")).to.equal(false);
      expect(allows({}, "s3:GetObject", "x")).to.equal(false);
      expect(wildcardMatch("a.c", "abc")).to.equal(false);
      expect(wildcardMatch("a+c", "a+c")).to.equal(true);
    });
  });
});
