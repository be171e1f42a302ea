import { expect } from "chai";
import { fabricateCall, RecordedResource, runProgram, StackRun } from "../tools/mocks";
import {
  natGatewayCount,
  RegionalVpc,
  RegionalVpcArgs,
  validateRegionalVpcArgs,
} from "../components/regionalVpc";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const ACTIVE: RegionalVpcArgs = {
  cidrBlock: "10.10.0.0/16",
  availabilityZones: ["us-east-1a", "us-east-1b"],
  subnetCidrMask: 20,
  natStrategy: "OnePerAz",
  flowLogRetentionDays: 90,
  logKmsKeyArn: KEY,
};

async function runVpc(args: RegionalVpcArgs, region = "us-east-1"): Promise<StackRun> {
  return runProgram(
    () => {
      const network = new RegionalVpc("network", args);
      return {
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        isolatedSubnetIds: network.isolatedSubnetIds,
        natGatewayCount: network.natGatewayCount,
      };
    },
    { stack: region, config: { "aws:region": region } },
  );
}

function only(run: StackRun, type: string): RecordedResource {
  const found = run.resources.filter((r) => r.type === type);
  expect(found, type).to.have.length(1);
  return found[0];
}

type PolicyDocument = {
  Statement: {
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
    Principal?: unknown;
  }[];
};

describe("RegionalVpc", () => {
  describe("pure functions", () => {
    it("counts one NAT gateway per AZ, or one for Single", () => {
      expect(natGatewayCount("OnePerAz", 3)).to.equal(3);
      expect(natGatewayCount("OnePerAz", 2)).to.equal(2);
      expect(natGatewayCount("Single", 3)).to.equal(1);
    });

    it("rejects an unknown NAT strategy and a bad AZ count before any resource", () => {
      expect(() => validateRegionalVpcArgs({ ...ACTIVE, natStrategy: "Multi" as "Single" })).to.throw(
        /natStrategy "Multi"/,
      );
      expect(() => validateRegionalVpcArgs({ ...ACTIVE, availabilityZones: [] })).to.throw(
        /availabilityZones/,
      );
      expect(() =>
        validateRegionalVpcArgs({ ...ACTIVE, availabilityZones: ["us-east-1a", "us-east-1a"] }),
      ).to.throw(/each once/);
      expect(() => validateRegionalVpcArgs({ ...ACTIVE, flowLogRetentionDays: 0 })).to.throw(
        /flowLogRetentionDays/,
      );
      expect(() => validateRegionalVpcArgs(ACTIVE)).not.to.throw();
    });
  });

  describe("active region (OnePerAz, 2 AZs)", () => {
    let run: StackRun;
    before(async () => {
      run = await runVpc(ACTIVE);
    });

    it("builds an awsx VPC with public, private and isolated subnets of the configured mask", () => {
      const vpc = only(run, "awsx:ec2:Vpc");
      const component = only(run, "multi-region-web:network:RegionalVpc");
      expect(vpc.parent).to.equal(component.urn);
      expect(vpc.name).to.equal("network-vpc");
      expect(vpc.inputs.cidrBlock).to.equal("10.10.0.0/16");
      expect(vpc.inputs.availabilityZoneNames).to.deep.equal(["us-east-1a", "us-east-1b"]);
      expect(vpc.inputs.subnetSpecs).to.deep.equal([
        { type: "Public", name: "public", cidrMask: 20 },
        { type: "Private", name: "private", cidrMask: 20 },
        { type: "Isolated", name: "isolated", cidrMask: 20 },
      ]);
      expect(vpc.inputs.natGateways).to.deep.equal({ strategy: "OnePerAz" });
      expect(vpc.inputs.enableDnsHostnames).to.equal(true);
      expect(vpc.inputs.enableDnsSupport).to.equal(true);
    });

    it("exposes the awsx subnets and the NAT gateway count", () => {
      const vpc = only(run, "awsx:ec2:Vpc");
      expect(run.outputs.vpcId).to.equal(vpc.outputs.vpcId);
      expect(run.outputs.publicSubnetIds).to.deep.equal(vpc.outputs.publicSubnetIds);
      expect(run.outputs.privateSubnetIds).to.deep.equal(vpc.outputs.privateSubnetIds);
      expect(run.outputs.isolatedSubnetIds).to.deep.equal(vpc.outputs.isolatedSubnetIds);
      expect(run.outputs.privateSubnetIds).to.have.length(2);
      expect(run.outputs.natGatewayCount).to.equal(2);
    });

    it("sends ALL flow logs to a log group with the configured retention", () => {
      const flowLog = only(run, "aws:ec2/flowLog:FlowLog");
      const logGroup = only(run, "aws:cloudwatch/logGroup:LogGroup");
      const role = only(run, "aws:iam/role:Role");
      expect(logGroup.inputs.retentionInDays).to.equal(90);
      expect(logGroup.inputs.kmsKeyId).to.equal(KEY);
      expect(flowLog.inputs.trafficType).to.equal("ALL");
      expect(flowLog.inputs.logDestinationType).to.equal("cloud-watch-logs");
      expect(flowLog.inputs.logDestination).to.equal(logGroup.outputs.arn);
      expect(flowLog.inputs.iamRoleArn).to.equal(role.outputs.arn);
      expect(flowLog.inputs.vpcId).to.equal(run.outputs.vpcId);
      const rolePolicy = only(run, "aws:iam/rolePolicy:RolePolicy");
      expect(flowLog.dependencies).to.include(rolePolicy.urn);
    });

    it("lets only the flow-logs service assume the role, for this account", () => {
      const role = only(run, "aws:iam/role:Role");
      const trust = JSON.parse(role.inputs.assumeRolePolicy as string) as {
        Statement: {
          Principal: unknown;
          Action: string;
          Condition: Record<string, Record<string, string>>;
        }[];
      };
      expect(trust.Statement).to.have.length(1);
      expect(trust.Statement[0].Principal).to.deep.equal({ Service: "vpc-flow-logs.amazonaws.com" });
      expect(trust.Statement[0].Action).to.equal("sts:AssumeRole");
      expect(trust.Statement[0].Condition.StringEquals["aws:SourceAccount"]).to.equal("123456789012");
      expect(trust.Statement[0].Condition.ArnLike["aws:SourceArn"]).to.equal(
        "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*",
      );
    });

    it("allows only log delivery actions, scoped to the flow log group", () => {
      const role = only(run, "aws:iam/role:Role");
      const logGroup = only(run, "aws:cloudwatch/logGroup:LogGroup");
      const rolePolicy = only(run, "aws:iam/rolePolicy:RolePolicy");
      expect(rolePolicy.inputs.role).to.equal(role.outputs.name);
      const doc = JSON.parse(rolePolicy.inputs.policy as string) as PolicyDocument;
      const arn = logGroup.outputs.arn as string;
      const actions = doc.Statement.flatMap((s) => ([] as string[]).concat(s.Action)).sort();
      expect(actions).to.deep.equal([
        "logs:CreateLogStream",
        "logs:DescribeLogGroups",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
      ]);
      expect(doc.Statement.every((s) => s.Effect === "Allow")).to.equal(true);
      const writes = doc.Statement.find((s) =>
        ([] as string[]).concat(s.Action).includes("logs:PutLogEvents"),
      );
      expect(writes?.Resource).to.deep.equal([arn, `${arn}:*`]);
      const resources = doc.Statement.flatMap((s) => ([] as string[]).concat(s.Resource));
      expect(resources).not.to.include("*");
      for (const resource of resources) {
        expect(resource).to.match(/^arn:aws:logs:us-east-1:123456789012:log-group:/);
      }
    });

    it("attaches a DynamoDB gateway endpoint to the private route tables only", () => {
      const endpoint = only(run, "aws:ec2/vpcEndpoint:VpcEndpoint");
      expect(endpoint.inputs.vpcEndpointType).to.equal("Gateway");
      expect(endpoint.inputs.serviceName).to.equal("com.amazonaws.us-east-1.dynamodb");
      expect(endpoint.inputs.vpcId).to.equal(run.outputs.vpcId);
      // Not the default full access: this account's principals on this account's tables here.
      expect(JSON.parse(endpoint.inputs.policy as string)).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ThisAccountsTablesOnly",
            Effect: "Allow",
            Principal: "*",
            Action: "dynamodb:*",
            Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/*",
            Condition: { StringEquals: { "aws:PrincipalAccount": "123456789012" } },
          },
        ],
      });
      const lookup = (subnets: unknown) =>
        fabricateCall(
          "aws:ec2/getRouteTables:getRouteTables",
          { filters: [{ name: "association.subnet-id", values: subnets }] },
          "us-east-1",
        ).ids as string[];
      const privateTables = lookup(run.outputs.privateSubnetIds);
      expect(endpoint.inputs.routeTableIds).to.have.members(privateTables);
      expect(endpoint.inputs.routeTableIds).to.have.length(2);
      for (const other of [
        ...lookup(run.outputs.publicSubnetIds),
        ...lookup(run.outputs.isolatedSubnetIds),
      ]) {
        expect(endpoint.inputs.routeTableIds).not.to.include(other);
      }
    });

    it("parents every child to the component and names it after it", () => {
      const component = only(run, "multi-region-web:network:RegionalVpc");
      const children = run.resources.filter(
        (r) => r.urn !== component.urn && r.type !== "pulumi:pulumi:Stack",
      );
      expect(children.length).to.be.greaterThan(5);
      for (const child of children.filter((r) => !r.type.startsWith("pulumi:providers:"))) {
        expect(child.parent, child.name).to.equal(component.urn);
        expect(child.name).to.match(/^network-/);
      }
    });
  });

  describe("passive region (Single, 3 AZs)", () => {
    let run: StackRun;
    before(async () => {
      run = await runVpc(
        {
          ...ACTIVE,
          availabilityZones: ["ca-central-1a", "ca-central-1b", "ca-central-1d"],
          natStrategy: "Single",
          flowLogRetentionDays: 30,
        },
        "ca-central-1",
      );
    });

    it("asks awsx for one NAT gateway over three AZs", () => {
      const vpc = only(run, "awsx:ec2:Vpc");
      expect(vpc.inputs.natGateways).to.deep.equal({ strategy: "Single" });
      expect(vpc.inputs.availabilityZoneNames).to.deep.equal([
        "ca-central-1a",
        "ca-central-1b",
        "ca-central-1d",
      ]);
      expect(run.outputs.natGatewayCount).to.equal(1);
      expect(run.outputs.privateSubnetIds).to.have.length(3);
    });

    it("uses the region's DynamoDB service and the configured retention", () => {
      expect(only(run, "aws:ec2/vpcEndpoint:VpcEndpoint").inputs.serviceName).to.equal(
        "com.amazonaws.ca-central-1.dynamodb",
      );
      expect(only(run, "aws:ec2/vpcEndpoint:VpcEndpoint").inputs.routeTableIds).to.have.length(3);
      expect(only(run, "aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays).to.equal(30);
    });
  });
});
