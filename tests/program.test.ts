/**
 * The whole program under mocks: a smoke run for each committed stack file, and the two-stack run
 * (home first, its real exports fed to the standby's StackReference) with the wiring asserted end to end.
 */
import { expect } from "chai";
import { listStackFiles, StackFile, StackRun } from "../tools/mocks";
import { ofType, one } from "./helpers";
import { HOME_OUTPUT_NAMES } from "../components/dataTier";
import { committedStackRuns, isHome, qualifiedName, runStack } from "../tools/runStacks";

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

      it("makes the public ALB the failover target, PRIMARY when active and SECONDARY when passive", () => {
        const role = run.config["multi-region-web:role"];
        const publicAlb = ofType(run, "aws:lb/loadBalancer:LoadBalancer").find(
          (lb) => lb.inputs.internal !== true,
        )!;
        const failover = ofType(run, "aws:route53/record:Record").find(
          (r) => r.inputs.failoverRoutingPolicies,
        )!;
        const healthCheck = one(run, "aws:route53/healthCheck:HealthCheck");
        expect(failover.inputs.failoverRoutingPolicies).to.deep.equal([
          { type: role === "active" ? "PRIMARY" : "SECONDARY" },
        ]);
        expect(failover.inputs.setIdentifier).to.equal(run.region);
        expect(failover.inputs.healthCheckId).to.equal(healthCheck.id);
        expect((failover.inputs.aliases as { name: string }[])[0].name).to.equal(publicAlb.outputs.dnsName);
        expect(healthCheck.inputs.fqdn).to.equal(publicAlb.outputs.dnsName);
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
  });
});
