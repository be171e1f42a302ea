/**
 * The whole program under mocks: a smoke run for each fixture stack file, and the two-stack run
 * (home first, its real exports fed to the standby's StackReference) with the wiring asserted end to end.
 */
import { gunzipSync } from "zlib";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackFile, StackRun } from "../tools/mocks";
import { editedRoot, ofType, one, standbyFileFor } from "./helpers";
import { HOME_OUTPUT_NAMES } from "../components/dataTier";
import {
  fixtureStackFiles,
  fixtureStackRuns,
  isControlRun,
  isHome,
  qualifiedName,
  References,
  runAllStacks,
  runStack,
} from "../tools/runStacks";
import { plan, PlanOptions } from "../tools/plan";

function withConfig(stack: StackFile, overrides: Record<string, string>): StackFile {
  return { ...stack, config: { ...stack.config, ...overrides } };
}

/** What a StackReference to `file`'s stack reads: these outputs, none of them secret. */
function references(file: StackFile, outputs: Record<string, unknown>): References {
  const name = qualifiedName(file.stack);
  return { outputs: { [name]: outputs }, secretOutputs: { [name]: [] } };
}

/** Resource types that make up a region's network and its way in: what a failover must not rebuild. */
const NETWORK =
  /^(awsx:ec2:|aws:ec2\/|aws:vpc\/|aws:lb\/|aws:route53\/|aws:wafv2\/|multi-region-web:network:)/;

describe("program", function () {
  this.timeout(60_000);
  const { regional: stackFiles, control: controlFiles } = fixtureStackFiles();
  let runs: StackRun[];
  let home: StackRun;
  let standby: StackRun;

  before(async () => {
    runs = (await fixtureStackRuns()).filter((r) => !isControlRun(r));
    home = runs.find((r) => r.config["multi-region-web:home"] === "true")!;
    standby = runs.find((r) => r.config["multi-region-web:home"] !== "true")!;
  });

  describe("the data sources it reads (provider function calls and their arguments)", () => {
    const calls = (run: StackRun, token: string) => run.invokes.filter((i) => i.token === token);

    it("picks AZs among the region's available, opt-in-free zones (no Local or Wavelength Zones)", () => {
      for (const run of runs) {
        const [azs] = calls(run, "aws:index/getAvailabilityZones:getAvailabilityZones");
        expect(azs.args).to.deep.equal({
          state: "available",
          filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
        });
        expect(azs.region).to.equal(run.region);
      }
    });

    it("looks the public hosted zone up by the configured name, never a private zone of that name", () => {
      for (const run of runs) {
        const zones = calls(run, "aws:route53/getZone:getZone");
        expect(zones.length).to.be.greaterThan(0);
        for (const z of zones) expect(z.args).to.deep.equal({ name: "example.com", privateZone: false });
      }
    });

    it("finds the private route tables by the VPC's private subnets, for the DynamoDB gateway endpoint", () => {
      for (const run of runs) {
        const [tables] = calls(run, "aws:ec2/getRouteTables:getRouteTables");
        expect(tables.args).to.deep.equal({
          vpcId: run.outputs.vpcId,
          filters: [{ name: "association.subnet-id", values: run.outputs.privateSubnetIds }],
        });
      }
    });

    it("reads the plan's Route 53 health checks by the plan's own ARN, in us-east-1", async () => {
      const control = (await fixtureStackRuns()).find(isControlRun)!;
      const plan = control.resources.find((r) => r.type === "aws:arcregionswitch/plan:Plan")!;
      const [checks] = calls(control, "aws:arcregionswitch/getRoute53HealthChecks:getRoute53HealthChecks");
      expect(checks.args).to.deep.equal({ planArn: plan.outputs.arn });
      expect(checks.region).to.equal("us-east-1");
    });
  });

  it("has a home stack and a standby stack file", () => {
    expect(stackFiles.map((s) => s.stack)).to.include.members(["us-east-1", "ca-central-1"]);
    expect(stackFiles.filter(isHome)).to.have.length(1);
  });

  for (const file of stackFiles) {
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

      it("sizes the ASGs for its role, and the NAT gateways by its own setting (home: one per AZ, standby: one)", () => {
        const role = run.config["multi-region-web:role"];
        const expected = role === "active" ? [2, 2, 6] : [1, 1, 6];
        for (const asg of ofType(run, "aws:autoscaling/group:Group")) {
          expect(
            [asg.inputs.minSize, asg.inputs.desiredCapacity, asg.inputs.maxSize],
            asg.name,
          ).to.deep.equal(expected);
          // After creation the plan and the scaling policy own the floor and the desired capacity.
          expect(asg.ignoreChanges, asg.name).to.include.members(["minSize", "desiredCapacity"]);
        }
        const vpc = one(run, "awsx:ec2:Vpc");
        expect((vpc.inputs.natGateways as { strategy: string }).strategy).to.equal(
          run.config["multi-region-web:home"] === "true" ? "OnePerAz" : "Single",
        );
      });

      it("names its public ALB in its own deep health-checked latency record, and no record of the app domain", () => {
        const domain = run.outputs.domain as string;
        const home = run.config["multi-region-web:home"] === "true";
        const publicAlb = ofType(run, "aws:lb/loadBalancer:LoadBalancer").find(
          (lb) => lb.inputs.internal !== true,
        )!;
        const healthCheck = one(run, "aws:route53/healthCheck:HealthCheck");
        expect(healthCheck.inputs).to.include({
          fqdn: publicAlb.outputs.dnsName,
          resourcePath: "/healthz/deep",
        });
        const records = ofType(run, "aws:route53/record:Record").filter(
          (r) => r.inputs.failoverRoutingPolicies || r.inputs.latencyRoutingPolicies,
        );
        expect(records).to.have.length(1);
        const [record] = records;
        expect(record.inputs).to.deep.include({
          name: `${home ? "home" : "standby"}.${domain}`,
          zoneId: run.outputs.hostedZoneId,
          setIdentifier: run.region,
          latencyRoutingPolicies: [{ region: run.region }],
          healthCheckId: healthCheck.id,
          aliases: [
            { name: publicAlb.outputs.dnsName, zoneId: publicAlb.outputs.zoneId, evaluateTargetHealth: true },
          ],
        });
        expect(run.outputs.healthRecordName).to.equal(record.inputs.name);
        expect(run.outputs.healthCheckId).to.equal(healthCheck.id);
        expect(ofType(run, "aws:route53/record:Record").map((r) => r.inputs.name)).to.not.include(domain);
      });

      it("calls its backend over HTTPS by a private name that only its own VPC resolves", () => {
        const domain = run.outputs.domain as string;
        const backendName = `backend.internal.${domain}`;
        const internalAlb = ofType(run, "aws:lb/loadBalancer:LoadBalancer").find(
          (lb) => lb.inputs.internal === true,
        )!;
        const zone = one(run, "aws:route53/zone:Zone");
        expect(zone.inputs).to.deep.include({
          name: `internal.${domain}`,
          vpcs: [{ vpcId: run.outputs.vpcId, vpcRegion: run.region }],
        });
        const record = ofType(run, "aws:route53/record:Record").find((r) => r.inputs.name === backendName)!;
        expect(record.inputs).to.deep.include({
          zoneId: zone.outputs.zoneId,
          type: "A",
          aliases: [
            {
              name: internalAlb.outputs.dnsName,
              zoneId: internalAlb.outputs.zoneId,
              evaluateTargetHealth: false,
            },
          ],
        });
        // A public ACM certificate for that name, validated in the public zone.
        const certificate = ofType(run, "aws:acm/certificate:Certificate").find(
          (c) => c.inputs.domainName === backendName,
        )!;
        expect(certificate.inputs.validationMethod).to.equal("DNS");
        const validation = ofType(run, "aws:route53/record:Record").find(
          (r) => typeof r.inputs.name === "string" && r.inputs.name.endsWith(`.${backendName}.`),
        )!;
        expect(validation.inputs.zoneId).to.equal(run.outputs.hostedZoneId);
        const listeners = ofType(run, "aws:lb/listener:Listener").filter(
          (l) => l.inputs.loadBalancerArn === internalAlb.outputs.arn,
        );
        expect(
          listeners.map((l) => [l.inputs.protocol, l.inputs.port, l.inputs.certificateArn]),
        ).to.deep.equal([["HTTPS", 443, certificate.outputs.arn]]);
        const frontendTemplate = ofType(run, "aws:ec2/launchTemplate:LaunchTemplate").find((lt) =>
          lt.name.startsWith("frontend"),
        )!;
        // base64 of the gzip-compressed script (components/userData.ts).
        const userData = gunzipSync(
          Buffer.from(frontendTemplate.inputs.userData as string, "base64"),
        ).toString("utf8");
        expect(userData).to.contain(`BACKEND_URL=https://${backendName}\n`);
        expect(run.outputs.backendUrl).to.equal(`https://${backendName}`);
      });

      it("shows its own Route 53 health check on its dashboard, read from us-east-1 where Route 53 publishes", () => {
        const dashboard = one(run, "aws:cloudwatch/dashboard:Dashboard");
        const body = JSON.parse(dashboard.inputs.dashboardBody as string) as {
          widgets: { properties: { region?: string; metrics?: unknown[][] } }[];
        };
        const health = body.widgets.filter((w) =>
          (w.properties.metrics ?? []).some((m) => m[1] === "HealthCheckStatus"),
        );
        expect(health).to.have.length(1);
        expect(health[0].properties.region).to.equal("us-east-1");
        expect(health[0].properties.metrics).to.deep.equal([
          ["AWS/Route53", "HealthCheckStatus", "HealthCheckId", run.outputs.healthCheckId],
        ]);
      });

      it("registers no resource outside its own region (static stability)", () => {
        const elsewhere = run.resources.filter((r) => r.custom && r.region !== run.region);
        expect(elsewhere.map((r) => `${r.type} ${r.name} in ${r.region}`)).to.deep.equal([]);
        expect(run.resources.filter((r) => r.custom && r.inputs.region !== undefined)).to.deep.equal([]);
        expect(ofType(run, "pulumi:providers:aws")).to.deep.equal([]);
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

      it("exports what an operator, the other stacks and the failover control stack need", () => {
        for (const key of [
          "publicAlbDnsName",
          "publicAlbZoneId",
          "internalAlbDnsName",
          "healthCheckId",
          "healthRecordName",
          "vpcId",
          "privateSubnetIds",
          "securityGroupIds",
          "asgArns",
          "clusterArn",
          "appHealthAlarmArn",
          run.config["multi-region-web:home"] === "true" ? "standbyRegions" : "homeProbeAlarmArn",
        ]) {
          expect(run.outputs, key).to.have.property(key);
        }
        const asgs = ofType(run, "aws:autoscaling/group:Group");
        expect(Object.values(run.outputs.asgArns as object).sort()).to.deep.equal(
          asgs.map((g) => g.outputs.arn).sort(),
        );
        expect(run.outputs.clusterArn).to.equal(one(run, "aws:rds/cluster:Cluster").outputs.arn);
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

    it("keeps the master credentials at home: the standby reads none and holds none (issue 21)", () => {
      expect(home.secretOutputNames).to.deep.equal([]);
      expect(home.outputs).to.not.have.property("dbCredentials");
      expect(ofType(standby, "aws:secretsmanager/secretVersion:SecretVersion")).to.be.empty;
      for (const s of ofType(home, "aws:secretsmanager/secret:Secret"))
        expect(s.inputs).to.not.have.property("replicas");
    });

    it("forwards the standby's Aurora writes to the writer, and the home's once a switchover demotes it", () => {
      for (const run of [home, standby]) {
        expect(one(run, "aws:rds/cluster:Cluster").inputs.enableGlobalWriteForwarding, run.stack).to.equal(
          true,
        );
      }
    });

    it("probes the home's public ALB from the standby region, alarm in the standby region", () => {
      const probe = one(standby, "aws:lambda/function:Function");
      expect(probe.region).to.equal(standby.region);
      const variables = (probe.inputs.environment as { variables: Record<string, string> }).variables;
      expect(variables.HOME_ALB_DNS_NAME).to.equal(home.outputs.publicAlbDnsName);
      expect(variables.APP_DOMAIN).to.equal(home.outputs.domain);
      expect(variables.PROBE_PATH).to.equal("/healthz/deep");
      expect(standby.outputs.homeProbeAlarmArn).to.match(/^arn:aws:cloudwatch:ca-central-1:/);
      // The home's one function is the bootstrap of the application's database user.
      expect(ofType(home, "aws:lambda/function:Function").map((f) => f.name)).to.deep.equal([
        "db-user-function",
      ]);
    });

    it("fails when the home stack does not export an output the standby reads", async () => {
      const standbyFile = stackFiles.find((s) => !isHome(s))!;
      const homeFile = stackFiles.find(isHome)!;
      const missing = HOME_OUTPUT_NAMES[0];
      const partial = Object.fromEntries(Object.entries(home.outputs).filter(([key]) => key !== missing));
      let error: unknown;
      try {
        await runStack(standbyFile, references(homeFile, partial));
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
        await runStack(
          withConfig(standbyFile, { "aws:region": home.region }),
          references(homeFile, home.outputs),
        );
      } catch (e) {
        error = e;
      }
      expect(String(error)).to.contain(`"aws:region"`).and.to.contain("other than the home region");
    });

    it("rejects a standby active in steady state while the home stack is active too", async () => {
      const standbyFile = stackFiles.find((s) => !isHome(s))!;
      const homeFile = stackFiles.find(isHome)!;
      expect(home.outputs.role).to.equal("active");
      let error: unknown;
      try {
        await runStack(
          withConfig(standbyFile, { "multi-region-web:role": "active" }),
          references(homeFile, home.outputs),
        );
      } catch (e) {
        error = e;
      }
      expect(String(error)).to.contain(`Invalid config "role" = "active"`).and.to.contain("is active too");
    });
  });

  describe("a role flip (the after-care of a lasting failover) changes no network resource", () => {
    it("gives both stacks' network, load balancers, DNS and WAF the same inputs with the roles swapped", async () => {
      const flipped = await runAllStacks(
        stackFiles.map((f) => withConfig(f, { "multi-region-web:role": isHome(f) ? "passive" : "active" })),
        [],
      );
      const network = (run: StackRun) =>
        run.resources
          .filter((r) => NETWORK.test(r.type))
          .map((r) => ({ urn: r.urn, inputs: r.inputs, ignoreChanges: r.ignoreChanges }));
      for (const run of runs) {
        const after = flipped.find((r) => r.stack === run.stack)!;
        expect(after.config["multi-region-web:role"]).to.not.equal(run.config["multi-region-web:role"]);
        expect(network(after), run.stack).to.deep.equal(network(run));
        expect(network(run).length, run.stack).to.be.greaterThan(20);
      }
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
      three = await runAllStacks(threeFiles, controlFiles);
    });

    it("plans all three regions, home first, then the control stack", () => {
      expect(three.map((r) => r.stack)).to.deep.equal(["us-east-1", "ca-central-1", "eu-west-1", "global"]);
      expect(three.map((r) => r.region)).to.deep.equal([
        "us-east-1",
        "ca-central-1",
        "eu-west-1",
        "us-east-1",
      ]);
    });

    it("adds each standby's deep-checked latency record to the standby set", () => {
      for (const stack of ["ca-central-1", "eu-west-1"]) {
        const run = runOf(stack);
        const latency = record(run, "edge-region");
        expect(latency.inputs.name).to.equal("standby.app.example.com");
        expect(latency.inputs.setIdentifier).to.equal(run.region);
        expect(latency.inputs.latencyRoutingPolicies).to.deep.equal([{ region: run.region }]);
        expect(latency.inputs.healthCheckId).to.equal(one(run, "aws:route53/healthCheck:HealthCheck").id);
      }
    });

    it("gives the control stack one plan per standby, the trigger on the first, and a pin pair for the second plan's checks", () => {
      const control = runOf("global");
      const plans = ofType(control, "aws:arcregionswitch/plan:Plan");
      const planOf = (standby: string) => plans.find((p) => (p.inputs.regions as string[])[1] === standby)!;
      expect(plans.map((p) => p.inputs.regions).sort()).to.deep.equal([
        ["us-east-1", "ca-central-1"],
        ["us-east-1", "eu-west-1"],
      ]);
      expect(planOf("ca-central-1").inputs.triggers).to.have.length(1);
      expect(planOf("eu-west-1").inputs).to.not.have.property("triggers");
      // The first plan's checks on the app domain's pair, the second's on its pin pair, then the serve
      // pair (components/failoverRouting.ts; which checks they carry: tests/control.test.ts).
      const primary = record(control, "routing-primary");
      const zoneId = primary.inputs.zoneId;
      expect(primary.inputs.aliases).to.deep.equal([
        { name: "pin-eu-west-1.app.example.com", zoneId, evaluateTargetHealth: false },
      ]);
      expect(record(control, "routing-pin-eu-west-1-primary").inputs).to.deep.include({
        name: "pin-eu-west-1.app.example.com",
        setIdentifier: "us-east-1",
        failoverRoutingPolicies: [{ type: "PRIMARY" }],
        aliases: [{ name: "serve.app.example.com", zoneId, evaluateTargetHealth: false }],
      });
      for (const name of [
        "routing-secondary",
        "routing-pin-eu-west-1-secondary",
        "routing-serve-secondary",
      ]) {
        expect(record(control, name).inputs.aliases, name).to.deep.equal([
          {
            name: "standby.app.example.com",
            zoneId,
            evaluateTargetHealth: name === "routing-serve-secondary",
          },
        ]);
      }
    });

    it("gives no standby the master credentials, and the home replicates nothing (issue 21)", () => {
      for (const s of ofType(runOf("us-east-1"), "aws:secretsmanager/secret:Secret")) {
        expect(s.inputs).to.not.have.property("replicas");
      }
      for (const stack of ["ca-central-1", "eu-west-1"]) {
        expect(ofType(runOf(stack), "aws:secretsmanager/secretVersion:SecretVersion"), stack).to.be.empty;
      }
    });

    it("passes npm run plan's policies for the three stacks (exit 0), eu-west-1 without prices", async () => {
      const out: string[] = [];
      const err: string[] = [];
      // The same three stacks as stack files: the home lists eu-west-1 and a third file is there.
      const root = editedRoot([
        {
          file: "Pulumi.us-east-1.yaml",
          from: "    - ca-central-1",
          to: "    - ca-central-1\n    - eu-west-1",
        },
        { file: "Pulumi.eu-west-1.yaml", to: standbyFileFor("eu-west-1", "10.30.0.0/16") },
      ]);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-three-"));
      const json = path.join(dir, "plan.json");
      const result = await plan(
        { color: false, help: false, json } as PlanOptions,
        { out: (t) => out.push(t), err: (t) => err.push(t) },
        root,
      );
      expect(result.exitCode, err.join("\n")).to.equal(0);
      expect(result.stacks.map((s) => s.stack)).to.deep.equal([
        "us-east-1",
        "ca-central-1",
        "eu-west-1",
        "global",
      ]);
      for (const s of result.stacks) expect(s.policies.mandatory, s.stack).to.deep.equal([]);
      const euw1 = result.dr!.regions.find((r) => r.region === "eu-west-1")!;
      expect(euw1.monthlyCost.unpriced).to.not.be.empty;
      expect(result.dr!.detectionSeconds).to.equal(30);
      // No $0.00 for a region without prices, and no ratio counting it as free.
      const written = JSON.parse(fs.readFileSync(json, "utf8")) as typeof result;
      expect(written.dr!.regions.map((r) => [r.region, r.monthlyCost.totalUsd === null])).to.deep.equal([
        ["us-east-1", false],
        ["ca-central-1", false],
        ["eu-west-1", true],
      ]);
      expect(written.dr!.regionsWithoutPrices).to.deep.equal(["eu-west-1"]);
      const text = out.join("\n");
      expect(text).to.match(/eu-west-1 \(passive\):.*\n {8}no prices for eu-west-1 in tools\/prices\.json/);
      expect(text).to.contain(
        `standby cost: ${written.dr!.standbyCostPercentOfActive}% of the active region's (without eu-west-1: no prices)`,
      );
      // The summary's totals leave it out too, and say so.
      expect(out).to.include(
        "  eu-west-1     eu-west-1     passive, standby  151 (+26)  0 mandatory violations, 0 advisory  no prices",
      );
      expect(written.cost).to.deep.include({ unpriced: ["eu-west-1"], activeUsd: 547.17 });
      const { totalUsd, overheadUsd } = written.cost!;
      expect(totalUsd).to.be.closeTo(547.17 + overheadUsd, 0.001);
      expect(out).to.include(
        `  Monthly cost of every stack: $${totalUsd.toFixed(2)}* (without eu-west-1: no prices), an on-demand ESTIMATE (details below).`,
      );
      fs.rmSync(dir, { recursive: true });
    });
  });
});
