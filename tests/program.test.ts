/**
 * The whole program under mocks: a smoke run for each committed stack file, and the two-stack run
 * (home first, its real exports fed to the standby's StackReference) with the wiring asserted end to end.
 */
import { expect } from "chai";
import { listStackFiles, StackFile, StackRun } from "../tools/mocks";
import { ofType, one } from "./helpers";
import { HOME_OUTPUT_NAMES } from "../components/dataTier";
import { committedStackRuns, isHome, qualifiedName, runAllStacks, runStack } from "../tools/runStacks";
import { plan, PlanOptions } from "../tools/plan";

function withConfig(stack: StackFile, overrides: Record<string, string>): StackFile {
  return { ...stack, config: { ...stack.config, ...overrides } };
}

describe("program", function () {
  this.timeout(60_000);
  const stackFiles = listStackFiles();
  let runs: StackRun[];
  let home: StackRun;
  let standby: StackRun;

  before(async () => {
    runs = await committedStackRuns();
    home = runs.find((r) => r.config["multi-region-web:home"] === "true")!;
    standby = runs.find((r) => r.config["multi-region-web:home"] !== "true")!;
  });

  it("has a home stack and a standby stack file", () => {
    expect(stackFiles.map((s) => s.stack)).to.include.members(["us-east-1", "ca-central-1"]);
    expect(stackFiles.filter(isHome)).to.have.length(1);
  });

  for (const file of listStackFiles()) {
    describe(`stack ${file.stack}`, () => {
      let run: StackRun;
      before(() => {
        run = runs.find((r) => r.stack === file.stack)!;
      });

      it("registers the regional stack: network, both tiers, firewall, edge, data, integrations", () => {
        const types = new Set(run.resources.map((r) => r.type));
        for (const type of [
          "multi-region-web:network:RegionalVpc",
          "awsx:ec2:Vpc",
          "aws:lb/loadBalancer:LoadBalancer",
          "aws:autoscaling/group:Group",
          "aws:wafv2/webAcl:WebAcl",
          "aws:wafv2/webAclAssociation:WebAclAssociation",
          "aws:route53/healthCheck:HealthCheck",
          "aws:route53/record:Record",
          "aws:acm/certificate:Certificate",
          "aws:rds/cluster:Cluster",
          "aws:kms/key:Key",
          "aws:sns/topic:Topic",
        ]) {
          expect(types, type).to.include(type);
        }
        expect(ofType(run, "aws:lb/loadBalancer:LoadBalancer")).to.have.length(2);
        expect(ofType(run, "aws:autoscaling/group:Group")).to.have.length(2);
      });

      it("sizes the ASGs and NAT gateways for its role", () => {
        const role = run.config["multi-region-web:role"];
        const expected = role === "active" ? [2, 2, 6] : [1, 1, 6];
        for (const asg of ofType(run, "aws:autoscaling/group:Group")) {
          expect(
            [asg.inputs.minSize, asg.inputs.desiredCapacity, asg.inputs.maxSize],
            asg.name,
          ).to.deep.equal(expected);
        }
        const vpc = one(run, "awsx:ec2:Vpc");
        expect((vpc.inputs.natGateways as { strategy: string }).strategy).to.equal(
          role === "active" ? "OnePerAz" : "Single",
        );
      });

      it("makes the public ALB the failover target: the PRIMARY when active, the standby set's member when passive", () => {
        const role = run.config["multi-region-web:role"];
        const domain = run.outputs.domain as string;
        const publicAlb = ofType(run, "aws:lb/loadBalancer:LoadBalancer").find(
          (lb) => lb.inputs.internal !== true,
        )!;
        const healthCheck = one(run, "aws:route53/healthCheck:HealthCheck");
        const routing = ofType(run, "aws:route53/record:Record").filter(
          (r) => r.inputs.failoverRoutingPolicies || r.inputs.latencyRoutingPolicies,
        );
        const failover = routing.filter((r) => r.inputs.failoverRoutingPolicies);
        expect(failover, "failover records").to.have.length(1);
        const [pairRecord] = failover;
        expect(pairRecord.inputs.name).to.equal(domain);
        expect(pairRecord.inputs.zoneId).to.equal(run.outputs.hostedZoneId);
        expect(healthCheck.inputs.fqdn).to.equal(publicAlb.outputs.dnsName);
        // The record that names the ALB: the PRIMARY itself, or the latency record in standby.<domain>.
        let albRecord;
        if (role === "active") {
          expect(routing).to.have.length(1);
          expect(pairRecord.inputs.failoverRoutingPolicies).to.deep.equal([{ type: "PRIMARY" }]);
          expect(pairRecord.inputs.setIdentifier).to.equal(run.region);
          albRecord = pairRecord;
        } else {
          expect(routing).to.have.length(2);
          expect(pairRecord.inputs.failoverRoutingPolicies).to.deep.equal([{ type: "SECONDARY" }]);
          expect(pairRecord.inputs.setIdentifier).to.equal("standby");
          expect(pairRecord.inputs.aliases).to.deep.equal([
            { name: `standby.${domain}`, zoneId: run.outputs.hostedZoneId, evaluateTargetHealth: true },
          ]);
          expect(pairRecord.inputs).to.not.have.property("healthCheckId");
          expect(pairRecord.retainOnDelete).to.equal(true);
          albRecord = routing.find((r) => r.inputs.latencyRoutingPolicies)!;
          expect(albRecord.inputs.name).to.equal(`standby.${domain}`);
          expect(albRecord.inputs.zoneId).to.equal(run.outputs.hostedZoneId);
          expect(albRecord.inputs.setIdentifier).to.equal(run.region);
          expect(albRecord.inputs.latencyRoutingPolicies).to.deep.equal([{ region: run.region }]);
        }
        expect(albRecord.inputs.healthCheckId).to.equal(healthCheck.id);
        expect(albRecord.inputs.aliases).to.deep.equal([
          { name: publicAlb.outputs.dnsName, zoneId: publicAlb.outputs.zoneId, evaluateTargetHealth: true },
        ]);
        expect(albRecord.inputs.allowOverwrite).to.equal(true);
        expect(pairRecord.inputs.allowOverwrite).to.equal(true);
      });

      it("associates the WAF with the public ALB only", () => {
        const publicAlb = ofType(run, "aws:lb/loadBalancer:LoadBalancer").find(
          (lb) => lb.inputs.internal !== true,
        )!;
        const association = one(run, "aws:wafv2/webAclAssociation:WebAclAssociation");
        expect(association.inputs.resourceArn).to.equal(publicAlb.outputs.arn);
      });

      it("protects every stateful resource", () => {
        const stateful = run.resources.filter((r) =>
          [
            "aws:kms/key:Key",
            "aws:rds/globalCluster:GlobalCluster",
            "aws:rds/cluster:Cluster",
            "aws:dynamodb/table:Table",
            "aws:dynamodb/tableReplica:TableReplica",
            "aws:secretsmanager/secret:Secret",
          ].includes(r.type),
        );
        expect(stateful).to.not.be.empty;
        for (const r of stateful) expect(r.protect, `${r.type} ${r.name}`).to.equal(true);
      });

      it("exports what an operator and the other stack need", () => {
        for (const key of [
          "publicAlbDnsName",
          "internalAlbDnsName",
          "healthCheckId",
          "vpcId",
          "privateSubnetIds",
          "securityGroupIds",
        ]) {
          expect(run.outputs, key).to.have.property(key);
        }
      });
    });
  }

  describe("two stacks: the standby joins the home's global resources", () => {
    it("the home exports every output the standby reads", () => {
      for (const key of HOME_OUTPUT_NAMES) expect(home.outputs, key).to.have.property(key);
    });

    it("joins the secondary cluster to the home's global cluster, with no credentials", () => {
      const globalCluster = one(home, "aws:rds/globalCluster:GlobalCluster");
      const secondary = one(standby, "aws:rds/cluster:Cluster");
      expect(secondary.inputs.globalClusterIdentifier).to.equal(globalCluster.id);
      expect(secondary.inputs).to.not.have.any.keys("masterUsername", "masterPassword", "databaseName");
      expect(ofType(standby, "aws:rds/globalCluster:GlobalCluster")).to.be.empty;
    });

    it("replicates the home table into the standby region", () => {
      const table = one(home, "aws:dynamodb/table:Table");
      const replica = one(standby, "aws:dynamodb/tableReplica:TableReplica");
      expect(replica.inputs.globalTableArn).to.equal(table.outputs.arn);
      expect(ofType(standby, "aws:dynamodb/table:Table")).to.be.empty;
    });

    it("replicates the DB secret into the standby's region", () => {
      const secrets = ofType(home, "aws:secretsmanager/secret:Secret").filter((s) => s.inputs.replicas);
      expect(secrets).to.have.length(1);
      const replicas = secrets[0].inputs.replicas as { region: string }[];
      expect(replicas.map((r) => r.region)).to.deep.equal([standby.region]);
    });

    it("fails when the home stack does not export an output the standby reads", async () => {
      const standbyFile = stackFiles.find((s) => !isHome(s))!;
      const homeFile = stackFiles.find(isHome)!;
      const missing = HOME_OUTPUT_NAMES[0];
      const partial = Object.fromEntries(Object.entries(home.outputs).filter(([key]) => key !== missing));
      let error: unknown;
      try {
        await runStack(standbyFile, { [qualifiedName(homeFile.stack)]: partial });
      } catch (e) {
        error = e;
      }
      expect(String(error)).to.contain(`Required output '${missing}' does not exist`);
    });

    it("rejects a standby whose region is the home region, with a config error", async () => {
      const standbyFile = stackFiles.find((s) => !isHome(s))!;
      const homeFile = stackFiles.find(isHome)!;
      let error: unknown;
      try {
        await runStack(withConfig(standbyFile, { "aws:region": home.region }), {
          [qualifiedName(homeFile.stack)]: home.outputs,
        });
      } catch (e) {
        error = e;
      }
      expect(String(error)).to.contain(`"aws:region"`).and.to.contain("other than the home region");
    });

    it("rejects promoting a standby while the home stack is still active (one PRIMARY record)", async () => {
      const standbyFile = stackFiles.find((s) => !isHome(s))!;
      const homeFile = stackFiles.find(isHome)!;
      expect(home.outputs.role).to.equal("active");
      let error: unknown;
      try {
        await runStack(withConfig(standbyFile, { "multi-region-web:role": "active" }), {
          [qualifiedName(homeFile.stack)]: home.outputs,
        });
      } catch (e) {
        error = e;
      }
      expect(String(error)).to.contain(`Invalid config "role" = "active"`).and.to.contain("is active too");
    });
  });

  describe("three stacks: a third region needs only its stack file (and the home's standbyRegions)", () => {
    const PROJECT = "multi-region-web";
    let threeFiles: StackFile[];
    let three: StackRun[];
    const runOf = (stack: string) => three.find((r) => r.stack === stack)!;
    const record = (run: StackRun, name: string) => one(run, "aws:route53/record:Record", name);

    before(async () => {
      const homeFile = stackFiles.find(isHome)!;
      const standbyFile = stackFiles.find((s) => s.stack === "ca-central-1")!;
      threeFiles = [
        withConfig(homeFile, {
          [`${PROJECT}:standbyRegions`]: JSON.stringify(["ca-central-1", "eu-west-1"]),
        }),
        standbyFile,
        {
          ...withConfig(standbyFile, {
            "aws:region": "eu-west-1",
            [`${PROJECT}:vpcCidr`]: "10.30.0.0/16",
          }),
          stack: "eu-west-1",
          file: "Pulumi.eu-west-1.yaml",
        },
      ];
      three = await runAllStacks(threeFiles);
    });

    it("plans all three, home first", () => {
      expect(three.map((r) => r.stack)).to.deep.equal(["us-east-1", "ca-central-1", "eu-west-1"]);
      expect(three.map((r) => r.region)).to.deep.equal(["us-east-1", "ca-central-1", "eu-west-1"]);
    });

    it("gives both standbys the same SECONDARY, and each its own latency record in the standby set", () => {
      const cac1 = runOf("ca-central-1");
      const euw1 = runOf("eu-west-1");
      const secondary = record(cac1, "edge-standby-failover");
      expect(record(euw1, "edge-standby-failover").inputs).to.deep.equal(secondary.inputs);
      expect(secondary.inputs.failoverRoutingPolicies).to.deep.equal([{ type: "SECONDARY" }]);
      for (const run of [cac1, euw1]) {
        const latency = record(run, "edge-standby-latency");
        expect(latency.inputs.name).to.equal((secondary.inputs.aliases as { name: string }[])[0].name);
        expect(latency.inputs.setIdentifier).to.equal(run.region);
        expect(latency.inputs.latencyRoutingPolicies).to.deep.equal([{ region: run.region }]);
        expect(latency.inputs.healthCheckId).to.equal(one(run, "aws:route53/healthCheck:HealthCheck").id);
        expect(latency.inputs.aliases).to.deep.equal([
          {
            name: run.outputs.publicAlbDnsName,
            zoneId: run.outputs.publicAlbZoneId,
            evaluateTargetHealth: true,
          },
        ]);
      }
      // One PRIMARY in all, the home's.
      const primaries = three.flatMap((run) =>
        ofType(run, "aws:route53/record:Record").filter(
          (r) =>
            (r.inputs.failoverRoutingPolicies as { type: string }[] | undefined)?.[0]?.type === "PRIMARY",
        ),
      );
      expect(primaries.map((r) => r.inputs.setIdentifier)).to.deep.equal(["us-east-1"]);
    });

    it("has the home replicate the DB secret, with a KMS key, into both standby regions", () => {
      const home3 = runOf("us-east-1");
      const secrets = ofType(home3, "aws:secretsmanager/secret:Secret").filter((s) => s.inputs.replicas);
      expect(secrets).to.have.length(1);
      const replicas = secrets[0].inputs.replicas as { region: string; kmsKeyId?: string }[];
      expect(replicas.map((r) => r.region).sort()).to.deep.equal(["ca-central-1", "eu-west-1"]);
      for (const region of ["ca-central-1", "eu-west-1"]) {
        const key = one(home3, "aws:kms/key:Key", `data-secret-replica-key-${region}`);
        expect(key.region).to.equal(region);
        expect(key.protect).to.equal(true);
        expect(replicas.find((r) => r.region === region)!.kmsKeyId).to.equal(key.outputs.arn);
      }
    });

    it("passes npm run plan's policies for the three stacks (exit 0), eu-west-1 listed as unpriced", async () => {
      const out: string[] = [];
      const err: string[] = [];
      const result = await plan(
        { color: false, help: false } as PlanOptions,
        { out: (t) => out.push(t), err: (t) => err.push(t) },
        threeFiles,
      );
      expect(result.exitCode, err.join("\n")).to.equal(0);
      expect(result.stacks.map((s) => s.stack)).to.deep.equal(["us-east-1", "ca-central-1", "eu-west-1"]);
      for (const s of result.stacks) expect(s.policies.mandatory, s.stack).to.deep.equal([]);
      const euw1 = result.dr!.regions.find((r) => r.region === "eu-west-1")!;
      expect(euw1.monthlyCost.unpriced).to.not.be.empty;
      expect(result.dr!.detectionSeconds).to.equal(30);
    });
  });
});
