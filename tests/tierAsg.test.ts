import { gunzipSync } from "zlib";
import { expect } from "chai";
import { buildConfig, ConfigError, SCALING_TARGET_DEFAULTS, TIER_DEFAULTS, TierConfig } from "../config";
import { RegionalVpc } from "../components/regionalVpc";
import {
  amiFor,
  scalingMetricSpecification,
  TierAsg,
  TierAsgArgs,
  TierImage,
  tierImage,
  TLS_POLICY,
  INTERNAL_TLS_POLICY,
  validateTierAsgArgs,
} from "../components/tierAsg";
import { tierUserData } from "../components/userData";
import { MockAccount, RecordedResource, runProgram, StackRun } from "../tools/mocks";
import { dependsOn, HOME_CONFIG, ofType } from "./helpers";

const APP_PORT = 8080;
const BACKEND_CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/backend-0000";
const CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555";
const BUCKET = "alb-logs-bucket-1234567";

function sizing(role: "active" | "passive", scalingMetric: TierConfig["scalingMetric"] = "cpu"): TierConfig {
  return { ...TIER_DEFAULTS[role], scalingMetric, scalingTarget: SCALING_TARGET_DEFAULTS[scalingMetric] };
}

interface Options {
  role?: "active" | "passive";
  frontendMetric?: TierConfig["scalingMetric"];
  backendMetric?: TierConfig["scalingMetric"];
  /** The frontend's image and user data (base64), as index.ts passes them. */
  frontendImage?: TierImage;
  frontendUserData?: string;
}

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** The two tiers wired as index.ts wires them, over a RegionalVpc. */
async function runTiers(opts: Options = {}): Promise<StackRun> {
  const role = opts.role ?? "active";
  return runProgram(
    () => {
      const network = new RegionalVpc("network", {
        cidrBlock: "10.10.0.0/16",
        availabilityZones: ["us-east-1a", "us-east-1b"],
        subnetCidrMask: 20,
        natStrategy: "OnePerAz",
        flowLogRetentionDays: 90,
        logKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      });
      const common = {
        vpcId: network.vpcId,
        instanceSubnetIds: network.privateSubnetIds,
        appPort: APP_PORT,
        accessLogBucket: BUCKET,
        deletionProtection: true,
      };
      const backend = new TierAsg("backend", {
        ...common,
        loadBalancerSubnetIds: network.privateSubnetIds,
        internetFacing: false,
        certificateArn: BACKEND_CERTIFICATE_ARN,
        sizing: sizing(role, opts.backendMetric),
        userDataBase64: base64("#!/bin/bash\necho backend\n"),
        instanceSettings: { AppSsmPrefix: "/multi-region-web/us-east-1" },
      });
      const frontend = new TierAsg("frontend", {
        ...common,
        loadBalancerSubnetIds: network.publicSubnetIds,
        internetFacing: true,
        certificateArn: CERTIFICATE_ARN,
        sizing: sizing(role, opts.frontendMetric),
        image: opts.frontendImage,
        userDataBase64: opts.frontendUserData ?? base64("#!/bin/bash\necho frontend\n"),
        instanceSettings: { AppBackendUrl: "https://backend.internal.app.example.com" },
      });
      frontend.connectTo(backend);
      const outputsOf = (tier: TierAsg) => ({
        albArn: tier.albArn,
        albArnSuffix: tier.albArnSuffix,
        albDnsName: tier.albDnsName,
        albZoneId: tier.albZoneId,
        albSecurityGroupId: tier.albSecurityGroupId,
        instanceSecurityGroupId: tier.instanceSecurityGroupId,
        targetGroupArn: tier.targetGroupArn,
        targetGroupArnSuffix: tier.targetGroupArnSuffix,
        instanceRoleName: tier.instanceRoleName,
        instanceRoleArn: tier.instanceRoleArn,
        asgName: tier.asgName,
        asgArn: tier.asgArn,
        launchTemplateId: tier.launchTemplateId,
      });
      return {
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        frontend: outputsOf(frontend),
        backend: outputsOf(backend),
      };
    },
    { stack: "us-east-1", config: { "aws:region": "us-east-1" } },
  );
}

type TierOutputs = Record<string, string>;

function named(run: StackRun, name: string): RecordedResource {
  const found = run.resources.filter((r) => r.name === name);
  expect(found, name).to.have.length(1);
  return found[0];
}

interface Rule {
  securityGroupId: string;
  ipProtocol: string;
  fromPort: number;
  toPort: number;
  cidrIpv4?: string;
  referencedSecurityGroupId?: string;
  description?: string;
}

/** `sg <- source : port` for ingress, `sg -> destination : port` for egress, with names for the ids. */
function describeRules(run: StackRun, type: string, arrow: string): string[] {
  const sgNames: Record<string, string> = {};
  for (const tier of ["frontend", "backend"]) {
    const outputs = run.outputs[tier] as TierOutputs;
    sgNames[outputs.albSecurityGroupId] = `${tier}-alb`;
    sgNames[outputs.instanceSecurityGroupId] = `${tier}-instances`;
  }
  return ofType(run, type).map((r) => {
    const rule = r.inputs as unknown as Rule;
    expect(rule.ipProtocol, r.name).to.equal("tcp");
    expect(rule.fromPort, r.name).to.equal(rule.toPort);
    expect(rule.description, r.name).to.be.a("string").and.not.equal("");
    const peer = rule.cidrIpv4 ?? sgNames[rule.referencedSecurityGroupId ?? ""] ?? "unknown";
    return `${sgNames[rule.securityGroupId] ?? "unknown"} ${arrow} ${peer} : ${rule.fromPort}`;
  });
}

describe("TierAsg", () => {
  describe("pure functions", () => {
    const args: TierAsgArgs = {
      vpcId: "vpc-1",
      loadBalancerSubnetIds: ["subnet-a"],
      instanceSubnetIds: ["subnet-b"],
      internetFacing: true,
      appPort: APP_PORT,
      certificateArn: CERTIFICATE_ARN,
      accessLogBucket: BUCKET,
      sizing: sizing("active"),
    };

    it("requires a certificate on both tiers: every listener serves HTTPS", () => {
      const noCertificate = { ...args, certificateArn: undefined as unknown as string };
      expect(() => validateTierAsgArgs("frontend", noCertificate)).to.throw(
        /"frontend": certificateArn is required/,
      );
      expect(() => validateTierAsgArgs("backend", { ...noCertificate, internetFacing: false })).to.throw(
        /"backend": certificateArn is required/,
      );
      expect(() => validateTierAsgArgs("frontend", args)).not.to.throw();
      expect(() => validateTierAsgArgs("backend", { ...args, internetFacing: false })).not.to.throw();
    });

    it("rejects a bad port and bad sizing", () => {
      expect(() => validateTierAsgArgs("frontend", { ...args, appPort: 0 })).to.throw(/appPort 0/);
      expect(() =>
        validateTierAsgArgs("frontend", {
          ...args,
          sizing: { ...args.sizing, minSize: 3, desiredCapacity: 2 },
        }),
      ).to.throw(/frontend\.minSize/);
    });

    it("picks the AL2023 image of the instance type's architecture", () => {
      const x86 = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
      const arm = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";
      for (const type of [
        "t3.small",
        "m7i.large",
        "g5.xlarge",
        "g4dn.xlarge",
        "c6in.large",
        "m7i-flex.large",
      ]) {
        expect(amiFor(type), type).to.equal(x86);
      }
      for (const type of [
        "t4g.small",
        "m7gd.large",
        "c7gn.large",
        "g5g.xlarge",
        "is4gen.large",
        "a1.medium",
      ]) {
        expect(amiFor(type), type).to.equal(arm);
      }
    });

    it("refuses an image the config can tell is of the other architecture, and bad instance setting keys", () => {
      const x86Image = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
      expect(() =>
        validateTierAsgArgs("frontend", {
          ...args,
          image: { imageId: x86Image, rootDeviceName: "/dev/xvda" },
        }),
      ).to.throw(/"frontend.image" = .*names an x86_64 image, but the instance type t4g.small is arm64/);
      for (const key of ["App Port", "a/b", "_index", ".."]) {
        expect(
          () => validateTierAsgArgs("frontend", { ...args, instanceSettings: { [key]: "x" } }),
          key,
        ).to.throw(/is not a tag key the instance metadata serves/);
      }
      expect(() =>
        validateTierAsgArgs("frontend", { ...args, instanceSettings: { "app:backend-url.v1": "https://x" } }),
      ).not.to.throw();
    });

    it("maps the scaling metric to the predefined target-tracking metric", () => {
      expect(scalingMetricSpecification("cpu", "app/x/1", "targetgroup/y/2")).to.deep.equal({
        predefinedMetricType: "ASGAverageCPUUtilization",
      });
      expect(
        scalingMetricSpecification("requestCount", "app/x/1", "targetgroup/y/2").predefinedMetricType,
      ).to.equal("ALBRequestCountPerTarget");
    });

    it("throws before registering anything when a tier has no certificate", async () => {
      let error: unknown;
      const run = await runProgram(
        () => {
          try {
            new TierAsg("backend", {
              ...args,
              internetFacing: false,
              certificateArn: undefined as unknown as string,
            });
          } catch (e) {
            error = e;
          }
          return {};
        },
        { stack: "us-east-1", config: { "aws:region": "us-east-1" } },
      );
      expect(String(error)).to.match(/certificateArn is required/);
      expect(run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).to.have.length(0);
    });
  });

  describe("frontend and backend in the active role", () => {
    let run: StackRun;
    let frontend: TierOutputs;
    let backend: TierOutputs;
    before(async () => {
      run = await runTiers({ role: "active", frontendMetric: "requestCount", backendMetric: "cpu" });
      frontend = run.outputs.frontend as TierOutputs;
      backend = run.outputs.backend as TierOutputs;
    });

    it("opens exactly the diagram's ingress: internet→public ALB 80/443, ALB→its instances, frontend→internal ALB", () => {
      expect(
        describeRules(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "<-"),
      ).to.have.members([
        "frontend-alb <- 0.0.0.0/0 : 443",
        "frontend-alb <- 0.0.0.0/0 : 80",
        `frontend-instances <- frontend-alb : ${APP_PORT}`,
        `backend-instances <- backend-alb : ${APP_PORT}`,
        "backend-alb <- frontend-instances : 443",
      ]);
      expect(ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).to.have.length(5);
    });

    it("allows exactly the diagram's egress: ALBs to their instances, instances HTTPS out, frontend to internal ALB", () => {
      expect(
        describeRules(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "->"),
      ).to.have.members([
        `frontend-alb -> frontend-instances : ${APP_PORT}`,
        `backend-alb -> backend-instances : ${APP_PORT}`,
        "frontend-instances -> 0.0.0.0/0 : 443",
        "backend-instances -> 0.0.0.0/0 : 443",
        "frontend-instances -> backend-alb : 443",
      ]);
      expect(ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")).to.have.length(5);
    });

    it("has no inline rules, no SSH and no other IP ranges anywhere", () => {
      const groups = ofType(run, "aws:ec2/securityGroup:SecurityGroup");
      expect(groups).to.have.length(4);
      for (const group of groups) {
        expect(group.inputs.ingress ?? [], group.name).to.deep.equal([]);
        expect(group.inputs.egress ?? [], group.name).to.deep.equal([]);
        expect(group.inputs.description, group.name).to.be.a("string").and.not.equal("");
      }
      const rules = run.resources.filter((r) => r.type.startsWith("aws:vpc/securityGroup"));
      for (const rule of rules) {
        const { fromPort, toPort, cidrIpv4, cidrIpv6, prefixListId } = rule.inputs;
        expect(Number(fromPort) <= 22 && Number(toPort) >= 22, rule.name).to.equal(false);
        expect([undefined, "0.0.0.0/0"], rule.name).to.include(cidrIpv4);
        expect(cidrIpv6, rule.name).to.equal(undefined);
        expect(prefixListId, rule.name).to.equal(undefined);
      }
      const cidrIngress = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
        (r) => r.inputs.cidrIpv4 !== undefined,
      );
      expect(cidrIngress.map((r) => r.inputs.securityGroupId)).to.deep.equal([
        frontend.albSecurityGroupId,
        frontend.albSecurityGroupId,
      ]);
      expect(run.resources.filter((r) => "keyName" in r.inputs)).to.have.length(0);
    });

    it("makes the frontend ALB internet-facing in the public subnets, the backend ALB internal in the private ones", () => {
      const publicAlb = named(run, "frontend-alb");
      const internalAlb = named(run, "backend-alb");
      expect(publicAlb.inputs.internal).to.equal(false);
      expect(publicAlb.inputs.subnets).to.deep.equal(run.outputs.publicSubnetIds);
      expect(publicAlb.inputs.securityGroups).to.deep.equal([frontend.albSecurityGroupId]);
      expect(internalAlb.inputs.internal).to.equal(true);
      expect(internalAlb.inputs.subnets).to.deep.equal(run.outputs.privateSubnetIds);
      expect(internalAlb.inputs.securityGroups).to.deep.equal([backend.albSecurityGroupId]);
      expect(backend.albDnsName).to.match(/^internal-/);
      expect(frontend.albZoneId).to.equal("Z35SXDOTRQ7X7K");
      for (const [alb, tier] of [
        [publicAlb, "frontend"],
        [internalAlb, "backend"],
      ] as const) {
        expect(alb.inputs).to.include({
          loadBalancerType: "application",
          dropInvalidHeaderFields: true,
          enableDeletionProtection: true,
        });
        expect(alb.inputs.accessLogs).to.deep.equal({ bucket: BUCKET, prefix: tier, enabled: true });
      }
    });

    it("health-checks /healthz for 200 on the app port, with a short deregistration delay", () => {
      for (const tier of ["frontend", "backend"]) {
        const tg = named(run, `${tier}-tg`);
        expect(tg.inputs).to.include({
          port: APP_PORT,
          protocol: "HTTP",
          targetType: "instance",
          deregistrationDelay: 30,
        });
        expect(tg.inputs.vpcId).to.match(/^vpc-/);
        expect(tg.inputs.healthCheck).to.deep.include({
          path: "/healthz",
          matcher: "200",
          protocol: "HTTP",
          enabled: true,
        });
        const hc = tg.inputs.healthCheck as { interval: number; timeout: number; healthyThreshold: number };
        expect(hc.timeout).to.be.lessThan(hc.interval);
        expect(hc.healthyThreshold).to.be.within(2, 10);
      }
    });

    it("redirects HTTP to HTTPS and terminates TLS 1.3-capable HTTPS with the certificate on the public ALB", () => {
      const listeners = ofType(run, "aws:lb/listener:Listener").filter(
        (l) => l.inputs.loadBalancerArn === frontend.albArn,
      );
      expect(listeners).to.have.length(2);
      const http = listeners.find((l) => l.inputs.port === 80);
      expect(http?.inputs.protocol).to.equal("HTTP");
      expect(http?.inputs.defaultActions).to.deep.equal([
        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
      ]);
      const https = listeners.find((l) => l.inputs.port === 443);
      expect(https?.inputs).to.include({
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        certificateArn: CERTIFICATE_ARN,
      });
      // Behaviour change (issue 21.5): the restricted (-Res-) policy, no CBC suites on TLS 1.2.
      expect(TLS_POLICY).to.equal("ELBSecurityPolicy-TLS13-1-2-Res-2021-06");
      expect(https?.inputs.defaultActions).to.deep.equal([
        { type: "forward", targetGroupArn: frontend.targetGroupArn },
      ]);
    });

    it("serves only HTTPS on the internal ALB, TLS 1.3 only, with the backend's certificate", () => {
      const listeners = ofType(run, "aws:lb/listener:Listener").filter(
        (l) => l.inputs.loadBalancerArn === backend.albArn,
      );
      expect(listeners).to.have.length(1);
      expect(listeners[0].inputs).to.include({
        port: 443,
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06",
        certificateArn: BACKEND_CERTIFICATE_ARN,
      });
      expect(INTERNAL_TLS_POLICY).to.equal("ELBSecurityPolicy-TLS13-1-3-2021-06");
      expect(listeners[0].inputs.defaultActions).to.deep.equal([
        { type: "forward", targetGroupArn: backend.targetGroupArn },
      ]);
      // The ALB-to-instance leg stays HTTP on the app port, inside the private subnets.
      expect(named(run, "backend-tg").inputs).to.include({ protocol: "HTTP", port: APP_PORT });
    });

    it("creates each group and its scaling policy after its listeners (ELB health and request counts need them)", () => {
      for (const tier of ["frontend", "backend"]) {
        const alb = tier === "frontend" ? frontend.albArn : backend.albArn;
        const listeners = ofType(run, "aws:lb/listener:Listener").filter(
          (l) => l.inputs.loadBalancerArn === alb,
        );
        const group = ofType(run, "aws:autoscaling/group:Group").find(
          (g) => g.parent === named(run, tier).urn,
        )!;
        const policy = ofType(run, "aws:autoscaling/policy:Policy").find(
          (p) => p.parent === named(run, tier).urn,
        )!;
        for (const l of listeners) {
          expect(group.dependencies, `${tier} group after ${l.name}`).to.include(l.urn);
          expect(policy.dependencies, `${tier} policy after ${l.name}`).to.include(l.urn);
        }
      }
    });

    it("gives instances an EC2 role with SSM Session Manager access through an instance profile", () => {
      for (const tier of ["frontend", "backend"]) {
        const role = named(run, `${tier}-instance-role`);
        const trust = JSON.parse(role.inputs.assumeRolePolicy as string) as {
          Statement: { Principal: unknown }[];
        };
        expect(trust.Statement.map((s) => s.Principal)).to.deep.equal([{ Service: "ec2.amazonaws.com" }]);
        // Behaviour change (issue 21.5): Session Manager's actions only, no managed policy (which
        // reads every parameter of the account).
        expect(ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).to.deep.equal([]);
        const policy = named(run, `${tier}-session-manager`);
        expect(policy.inputs.role).to.equal(role.outputs.id ?? role.id);
        const doc = JSON.parse(policy.inputs.policy as string) as {
          Statement: { Action: string[]; Resource: string }[];
        };
        expect(doc.Statement.flatMap((s) => s.Action).sort()).to.deep.equal([
          "ssm:UpdateInstanceInformation",
          "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel",
          "ssmmessages:OpenControlChannel",
          "ssmmessages:OpenDataChannel",
        ]);
        expect(doc.Statement[0].Resource).to.match(/^arn:aws:ec2:us-east-1:123456789012:instance\/\*$/);
        expect(JSON.stringify(doc)).not.to.contain("ssm:GetParameter");
        expect(named(run, `${tier}-instance-profile`).inputs.role).to.equal(role.outputs.name);
        const outputs = run.outputs[tier] as TierOutputs;
        expect(outputs.instanceRoleName).to.equal(role.outputs.name);
        expect(outputs.instanceRoleArn).to.equal(role.outputs.arn);
      }
    });

    it("launches hardened instances: IMDSv2, encrypted gp3 root, no public IP, the instance SG, the profile", () => {
      for (const tier of ["frontend", "backend"]) {
        const lt = named(run, `${tier}-lt`);
        const outputs = run.outputs[tier] as TierOutputs;
        // Graviton by default: the arm64 image.
        expect(lt.inputs.imageId).to.equal(
          "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        );
        expect(lt.inputs.instanceType).to.equal("t4g.small");
        expect(lt.inputs.metadataOptions).to.deep.equal({
          httpEndpoint: "enabled",
          httpTokens: "required",
          httpPutResponseHopLimit: 1,
          // The application's settings, as instance tags (docs/application.md).
          instanceMetadataTags: "enabled",
        });
        expect(lt.inputs.blockDeviceMappings).to.deep.equal([
          {
            deviceName: "/dev/xvda",
            ebs: { volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
          },
        ]);
        expect(lt.inputs.networkInterfaces).to.deep.equal([
          {
            deviceIndex: 0,
            associatePublicIpAddress: "false",
            deleteOnTermination: "true",
            securityGroups: [outputs.instanceSecurityGroupId],
          },
        ]);
        expect(lt.inputs.vpcSecurityGroupIds).to.equal(undefined);
        expect(lt.inputs.keyName).to.equal(undefined);
        expect(lt.inputs.monitoring).to.deep.equal({ enabled: true });
        expect(lt.inputs.updateDefaultVersion).to.equal(true);
        expect(lt.inputs.iamInstanceProfile).to.deep.equal({
          arn: named(run, `${tier}-instance-profile`).outputs.arn,
        });
        expect(Buffer.from(lt.inputs.userData as string, "base64").toString("utf8")).to.equal(
          `#!/bin/bash\necho ${tier}\n`,
        );
        const specs = lt.inputs.tagSpecifications as { resourceType: string; tags: Record<string, string> }[];
        expect(specs.map((s) => s.resourceType)).to.have.members(["instance", "volume"]);
        expect(specs.every((s) => s.tags.Name === tier)).to.equal(true);
        const instanceTags = specs.find((s) => s.resourceType === "instance")!.tags;
        expect(instanceTags).to.deep.include({ AppPort: String(APP_PORT), Tier: tier });
        expect(instanceTags).to.deep.include(
          tier === "frontend"
            ? { AppBackendUrl: "https://backend.internal.app.example.com" }
            : { AppSsmPrefix: "/multi-region-web/us-east-1" },
        );
        expect(specs.find((s) => s.resourceType === "volume")!.tags).not.to.have.property("AppPort");
        expect(outputs.launchTemplateId).to.match(/^lt-/);
      }
    });

    it("runs each ASG in the private subnets with ELB health checks, the active sizes and an instance refresh", () => {
      for (const tier of ["frontend", "backend"]) {
        const asg = named(run, `${tier}-asg`);
        const outputs = run.outputs[tier] as TierOutputs;
        expect(asg.inputs.vpcZoneIdentifiers).to.deep.equal(run.outputs.privateSubnetIds);
        expect(asg.inputs.launchTemplate).to.deep.equal({ id: outputs.launchTemplateId, version: "1" });
        expect(asg.inputs).to.include({
          minSize: 2,
          desiredCapacity: 2,
          maxSize: 6,
          healthCheckType: "ELB",
          healthCheckGracePeriod: 300,
        });
        expect(asg.inputs.targetGroupArns).to.deep.equal([outputs.targetGroupArn]);
        expect(asg.inputs.instanceRefresh).to.deep.equal({
          strategy: "Rolling",
          preferences: { minHealthyPercentage: 100, maxHealthyPercentage: 200, skipMatching: true },
        });
        expect(asg.inputs.enabledMetrics).to.include("GroupInServiceInstances");
        expect(asg.inputs.tags).to.deep.include({ key: "Name", value: tier, propagateAtLaunch: true });
        // The failover plan raises the floor and the desired capacity; a later pulumi up must not undo it.
        expect(asg.ignoreChanges).to.have.members(["minSize", "desiredCapacity"]);
        expect(asg.ignoreChanges).to.not.include("maxSize");
        expect(outputs.asgName).to.equal(asg.outputs.name);
        expect(outputs.asgArn).to.equal(asg.outputs.arn);
      }
    });

    it("scales the frontend on requests per target and the backend on CPU", () => {
      const frontendPolicy = named(run, "frontend-scaling");
      expect(frontendPolicy.inputs.policyType).to.equal("TargetTrackingScaling");
      expect(frontendPolicy.inputs.autoscalingGroupName).to.equal(frontend.asgName);
      expect(frontendPolicy.inputs.targetTrackingConfiguration).to.deep.equal({
        predefinedMetricSpecification: {
          predefinedMetricType: "ALBRequestCountPerTarget",
          resourceLabel: `${frontend.albArnSuffix}/${frontend.targetGroupArnSuffix}`,
        },
        targetValue: 1000,
      });
      expect(frontend.albArnSuffix).to.match(/^app\/.+\/[0-9a-f]+$/);
      expect(frontend.targetGroupArnSuffix).to.match(/^targetgroup\/.+\/[0-9a-f]+$/);

      const backendPolicy = named(run, "backend-scaling");
      expect(backendPolicy.inputs.autoscalingGroupName).to.equal(backend.asgName);
      expect(backendPolicy.inputs.targetTrackingConfiguration).to.deep.equal({
        predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
        targetValue: 50,
      });
    });

    it("parents every child to its tier, named after it (connectTo rules to the calling tier)", () => {
      for (const tier of ["frontend", "backend"]) {
        const component = run.resources.find(
          (r) => r.type === "multi-region-web:compute:TierAsg" && r.name === tier,
        ) as RecordedResource;
        const children = run.resources.filter((r) => r.parent === component.urn);
        expect(children.length).to.be.greaterThan(10);
        for (const child of children) expect(child.name).to.match(new RegExp(`^${tier}-`));
      }
      expect(named(run, "frontend-to-backend-alb-in").parent).to.equal(
        run.resources.find((r) => r.name === "frontend" && r.type === "multi-region-web:compute:TierAsg")
          ?.urn,
      );
    });
  });

  describe("passive role", () => {
    it("sizes both ASGs 1/1/6 and keeps both ALBs and scaling in place", async () => {
      const run = await runTiers({ role: "passive" });
      for (const tier of ["frontend", "backend"]) {
        expect(named(run, `${tier}-asg`).inputs).to.include({ minSize: 1, desiredCapacity: 1, maxSize: 6 });
        expect(named(run, `${tier}-scaling`).inputs.targetTrackingConfiguration).to.deep.include({
          targetValue: 50,
        });
      }
      expect(ofType(run, "aws:lb/loadBalancer:LoadBalancer")).to.have.length(2);
      expect(ofType(run, "aws:lb/listener:Listener")).to.have.length(3);
    });
  });

  describe("what the instances run: the tiers' image and userData keys", () => {
    const AMI = "ami-0123456789abcdef0";
    const tier = (over: Partial<TierConfig> = {}): TierConfig => ({ ...sizing("active"), ...over });
    const onlyTheStack = (run: StackRun) => run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");

    /** tierImage under the mocks, in `account`: its answer or its error, and what it invoked. */
    async function lookUp(config: TierConfig, account = new MockAccount()) {
      let image: TierImage | undefined;
      let error: unknown;
      const run = await runProgram(
        async () => {
          try {
            image = await tierImage("frontend", config, "us-east-1");
          } catch (e) {
            error = e;
          }
          return {};
        },
        { stack: "us-east-1", config: { "aws:region": "us-east-1" }, account },
      );
      const lookups = run.invokes.filter((i) => i.token === "aws:ec2/getAmi:getAmi").map((i) => i.args);
      return { image, error, lookups, run };
    }

    it("keeps the placeholder service on Amazon Linux 2023 as the default", async () => {
      for (const role of ["active", "passive"] as const) {
        expect(TIER_DEFAULTS[role].userData).to.equal("placeholder");
        expect(TIER_DEFAULTS[role]).not.to.have.property("image");
      }
      const config = buildConfig(HOME_CONFIG);
      for (const key of ["frontend", "backend"] as const) {
        expect(config[key].userData, key).to.equal("placeholder");
        expect(config[key].image, key).to.equal(undefined);
      }
      const { image, lookups } = await lookUp(tier());
      expect(image).to.deep.equal({ imageId: amiFor("t4g.small"), rootDeviceName: "/dev/xvda" });
      expect(lookups).to.deep.equal([]);
      const userData = tierUserData("frontend.userData", config.frontend, { tier: "frontend", port: 8080 });
      const script = await new Promise<string>((done) => userData!.apply(done));
      expect(gunzipSync(Buffer.from(script, "base64")).toString("utf8")).to.contain(
        "ExecStart=/usr/bin/python3 /opt/app/server.py",
      );
    });

    it("looks an AMI id up in the stack's region: of the instance type's architecture, its root device mapped", async () => {
      const account = new MockAccount();
      account.images.set(AMI, { architecture: "arm64", rootDeviceName: "/dev/sda1" });
      const { image, error, lookups } = await lookUp(tier({ image: AMI }), account);
      expect(error).to.equal(undefined);
      expect(image).to.deep.equal({ imageId: AMI, rootDeviceName: "/dev/sda1" });
      expect(lookups).to.deep.equal([
        {
          filters: [
            { name: "image-id", values: [AMI] },
            { name: "architecture", values: ["arm64"] },
          ],
          includeDeprecated: true,
        },
      ]);
      const x86 = await lookUp(tier({ image: AMI, instanceType: "t3.small" }), new MockAccount());
      expect(x86.lookups[0].filters).to.deep.include({ name: "architecture", values: ["x86_64"] });
    });

    it("refuses an AMI id DescribeImages does not find (missing, or of the other architecture) before registering anything", async () => {
      const missing = new MockAccount();
      missing.images.set(AMI, "missing");
      const wrong = new MockAccount();
      wrong.images.set(AMI, { architecture: "x86_64", rootDeviceName: "/dev/xvda" });
      for (const account of [missing, wrong]) {
        const { error, run } = await lookUp(tier({ image: AMI }), account);
        expect(error).to.be.instanceOf(ConfigError);
        expect((error as ConfigError).key).to.equal("frontend.image");
        expect(String((error as Error).message)).to.match(
          /^Invalid config "frontend.image" = "ami-0123456789abcdef0": EC2 DescribeImages in us-east-1 finds no arm64 image with this id that this account can launch: an AMI id is regional/,
        );
        expect(String((error as Error).message)).to.match(/\(arm64\)$/);
        expect(onlyTheStack(run)).to.deep.equal([]);
      }
    });

    it("leaves a resolve:ssm: image to EC2 at launch: no lookup, Amazon Linux's root device", async () => {
      const { image, lookups } = await lookUp(tier({ image: "resolve:ssm:/my-app/frontend/ami:3" }));
      expect(image).to.deep.equal({
        imageId: "resolve:ssm:/my-app/frontend/ami:3",
        rootDeviceName: "/dev/xvda",
      });
      expect(lookups).to.deep.equal([]);
    });

    it("passes the image, its root device, the user data and the settings to the launch template as they are", async () => {
      const userData = base64("#!/bin/bash\nexec /opt/my-app/start\n");
      const run = await runTiers({
        frontendImage: { imageId: AMI, rootDeviceName: "/dev/sda1" },
        frontendUserData: userData,
      });
      const lt = named(run, "frontend-lt");
      expect(lt.inputs).to.deep.include({ imageId: AMI, userData });
      expect(lt.inputs.blockDeviceMappings).to.deep.equal([
        {
          deviceName: "/dev/sda1",
          ebs: { volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
        },
      ]);
      // The other tier keeps its defaults.
      expect(named(run, "backend-lt").inputs.imageId).to.equal(amiFor("t4g.small"));
    });

    it("launches nothing at all without user data when the key says none", async () => {
      const run = await runProgram(
        () => {
          new TierAsg("frontend", {
            vpcId: "vpc-1",
            loadBalancerSubnetIds: ["subnet-a"],
            instanceSubnetIds: ["subnet-b"],
            internetFacing: true,
            appPort: APP_PORT,
            certificateArn: CERTIFICATE_ARN,
            accessLogBucket: BUCKET,
            sizing: sizing("active"),
            image: { imageId: AMI, rootDeviceName: "/dev/xvda" },
            userDataBase64: tierUserData(
              "frontend.userData",
              { userData: "none" },
              { tier: "frontend", port: 80 },
            ),
          });
          return {};
        },
        { stack: "us-east-1", config: { "aws:region": "us-east-1" } },
      );
      expect(named(run, "frontend-lt").inputs).not.to.have.property("userData");
    });

    it("rolls the instances when the image or the user data changes: a new template version the group follows by number", async () => {
      const before = await runTiers();
      const changes = [
        await runTiers({ frontendImage: { imageId: AMI, rootDeviceName: "/dev/xvda" } }),
        await runTiers({ frontendUserData: base64("#!/bin/bash\necho version 2\n") }),
      ];
      for (const after of changes) {
        const [old, changed] = [before, after].map((run) => named(run, "frontend-lt").inputs);
        // A different template: the provider creates a new version of it (latestVersion + 1)...
        expect(changed).not.to.deep.equal(old);
        // ...and the group names that version, not $Latest or $Default, so its launchTemplate changes
        // and the provider starts the instance refresh (aws.autoscaling.Group, instanceRefresh notes).
        const asg = named(after, "frontend-asg");
        const lt = named(after, "frontend-lt");
        expect(dependsOn(asg, "launchTemplate", lt)).to.equal(true);
        expect(asg.inputs.launchTemplate).to.deep.equal({ id: lt.outputs.id ?? lt.id, version: "1" });
        expect(asg.inputs.instanceRefresh).to.deep.equal({
          strategy: "Rolling",
          preferences: { minHealthyPercentage: 100, maxHealthyPercentage: 200, skipMatching: true },
        });
        // The backend is untouched.
        expect(named(after, "backend-lt").inputs).to.deep.equal(named(before, "backend-lt").inputs);
      }
    });
  });
});
