/**
 * The network of one region: public subnets (ALBs, NAT gateways), private subnets (the frontend and
 * backend instances) and isolated subnets (Aurora), VPC flow logs, and a DynamoDB gateway endpoint so
 * that table traffic from the backend stays on the AWS network and does not pay for NAT.
 */
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config";
import { Component } from "./component";

/** How many NAT gateways the VPC gets: one per AZ (active) or a single one (passive, cheaper). */
export type NatStrategy = "OnePerAz" | "Single";
export const NAT_STRATEGIES: readonly NatStrategy[] = ["OnePerAz", "Single"];

export interface RegionalVpcArgs {
  /** IPv4 CIDR block of the VPC, e.g. `10.10.0.0/16`. */
  cidrBlock: string;
  /**
   * Names of the availability zones the subnets span, from `chooseAvailabilityZones`. Explicit, so the
   * database tier places its instances in exactly these AZs.
   */
  availabilityZones: string[];
  /** Prefix length of every subnet (public, private and isolated, in every AZ). */
  subnetCidrMask: number;
  /** `OnePerAz` survives the loss of an AZ; `Single` is the warm standby's cost saving. */
  natStrategy: NatStrategy;
  /** Days the VPC flow logs are kept in CloudWatch Logs. */
  flowLogRetentionDays: number;
  /** The region's data key (RegionKey), whose policy lets CloudWatch Logs encrypt the flow logs. */
  logKmsKeyArn: pulumi.Input<string>;
}

/**
 * The first `count` availability zones of the stack's region that are available and need no opt-in
 * (Local and Wavelength Zones do): one list for the subnets and the database instances. Awaited by
 * the program before any resource is registered; too few is a config error on `azCount`.
 */
export async function chooseAvailabilityZones(count: number): Promise<string[]> {
  const zones = await aws.getAvailabilityZones({
    state: "available",
    filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
  });
  if (zones.names.length < count) {
    throw new ConfigError(
      "azCount",
      count,
      `the region has only ${zones.names.length} available availability zones (${zones.names.join(", ")})`,
    );
  }
  return [...zones.names].sort().slice(0, count);
}

/**
 * The DynamoDB gateway endpoint's policy: every DynamoDB action, but only by principals of this
 * account and only on this account's tables (their indexes and streams are under `table/`) in this
 * region. A gateway endpoint policy is a resource policy on the endpoint ("Control access to VPC
 * endpoints using endpoint policies", AWS PrivateLink Guide); aws:PrincipalAccount is a global key.
 */
export function dynamoEndpointPolicy(
  partition: pulumi.Input<string>,
  region: pulumi.Input<string>,
  accountId: pulumi.Input<string>,
): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ThisAccountsTablesOnly",
        Effect: "Allow",
        Principal: "*",
        Action: "dynamodb:*",
        Resource: pulumi.interpolate`arn:${partition}:dynamodb:${region}:${accountId}:table/*`,
        Condition: { StringEquals: { "aws:PrincipalAccount": accountId } },
      },
    ],
  };
}

/** Number of NAT gateways a strategy creates over `azCount` AZs. */
export function natGatewayCount(strategy: NatStrategy, azCount: number): number {
  return strategy === "Single" ? 1 : azCount;
}

/** Throws before any resource is registered when the arguments cannot describe a working VPC. */
export function validateRegionalVpcArgs(args: RegionalVpcArgs): void {
  if (!NAT_STRATEGIES.includes(args.natStrategy)) {
    throw new Error(
      `RegionalVpc natStrategy "${String(args.natStrategy)}" must be one of ${NAT_STRATEGIES.join(", ")}`,
    );
  }
  if (
    args.availabilityZones.length < 1 ||
    new Set(args.availabilityZones).size !== args.availabilityZones.length
  ) {
    throw new Error(
      `RegionalVpc availabilityZones ${JSON.stringify(args.availabilityZones)} must name at least one AZ, each once`,
    );
  }
  if (!Number.isInteger(args.subnetCidrMask) || args.subnetCidrMask < 16 || args.subnetCidrMask > 28) {
    throw new Error(`RegionalVpc subnetCidrMask ${args.subnetCidrMask} must be an integer from 16 to 28`);
  }
  if (!Number.isInteger(args.flowLogRetentionDays) || args.flowLogRetentionDays < 1) {
    throw new Error(
      `RegionalVpc flowLogRetentionDays ${args.flowLogRetentionDays} must be a positive integer`,
    );
  }
}

export interface RegionalVpcOutputs {
  /** Id of the VPC. */
  vpcId: pulumi.Output<string>;
  /** One per AZ: the ALB of the frontend and the NAT gateways. */
  publicSubnetIds: pulumi.Output<string[]>;
  /** One per AZ: the instances of both tiers and the internal ALB. */
  privateSubnetIds: pulumi.Output<string[]>;
  /** One per AZ, no route to the internet: the database. */
  isolatedSubnetIds: pulumi.Output<string[]>;
  /** NAT gateways this VPC pays for (alarms and the cost report use it). */
  natGatewayCount: number;
  /** Ids of the NAT gateways (natGatewayCount of them), for the port-allocation alarms. */
  natGatewayIds: pulumi.Output<string[]>;
}

export class RegionalVpc extends Component<RegionalVpcOutputs> {
  constructor(name: string, args: RegionalVpcArgs, opts?: pulumi.ComponentResourceOptions) {
    validateRegionalVpcArgs(args);
    super("multi-region-web:network:RegionalVpc", name, args, opts);

    const vpc = new awsx.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.cidrBlock,
        availabilityZoneNames: args.availabilityZones,
        // "Auto" keeps the specs in the order given with the masks given; "Legacy" (the default)
        // re-orders them and is kept only for backwards compatibility.
        subnetStrategy: "Auto",
        subnetSpecs: [
          { type: "Public", name: "public", cidrMask: args.subnetCidrMask },
          { type: "Private", name: "private", cidrMask: args.subnetCidrMask },
          { type: "Isolated", name: "isolated", cidrMask: args.subnetCidrMask },
        ],
        natGateways: { strategy: args.natStrategy },
        // Both are needed for the private DNS names of interface endpoints and for Aurora endpoints.
        enableDnsHostnames: true,
        enableDnsSupport: true,
      },
      { parent: this },
    );

    const region = aws.getRegionOutput({}, { parent: this });
    const caller = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });

    // Flow logs: the record of who talked to whom, for incident response, encrypted with the
    // region's key. CloudWatch Logs encrypts as its own principal, so the delivery role below needs
    // no KMS permission (CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS").
    const flowLogGroup = new aws.cloudwatch.LogGroup(
      `${name}-flow-logs`,
      { retentionInDays: args.flowLogRetentionDays, kmsKeyId: args.logKmsKeyArn },
      { parent: this },
    );

    const flowLogRole = new aws.iam.Role(
      `${name}-flow-logs-role`,
      {
        description: `VPC flow logs of ${name} delivered to CloudWatch Logs`,
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "vpc-flow-logs.amazonaws.com" },
              Action: "sts:AssumeRole",
              // Confused-deputy guard: only flow logs of this account may use the role.
              Condition: {
                StringEquals: { "aws:SourceAccount": caller.accountId },
                ArnLike: {
                  "aws:SourceArn": pulumi.interpolate`arn:${partition.partition}:ec2:${region.region}:${caller.accountId}:vpc-flow-log/*`,
                },
              },
            },
          ],
        }),
      },
      { parent: this },
    );

    // What AWS documents for flow-log delivery, minus logs:CreateLogGroup (the group exists), and
    // scoped to this group. DescribeLogGroups is a list call that cannot be narrowed to one group, so
    // it gets this account's groups in this region rather than "*".
    const flowLogPolicy = new aws.iam.RolePolicy(
      `${name}-flow-logs-policy`,
      {
        role: flowLogRole.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
              Resource: [flowLogGroup.arn, pulumi.interpolate`${flowLogGroup.arn}:*`],
            },
            {
              Effect: "Allow",
              Action: "logs:DescribeLogGroups",
              Resource: pulumi.interpolate`arn:${partition.partition}:logs:${region.region}:${caller.accountId}:log-group:*`,
            },
          ],
        }),
      },
      { parent: this },
    );

    new aws.ec2.FlowLog(
      `${name}-flow-log`,
      {
        vpcId: vpc.vpcId,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: flowLogGroup.arn,
        iamRoleArn: flowLogRole.arn,
        tags: { Name: `${name}-flow-log` },
      },
      // Without the permissions in place the first deliveries fail until IAM catches up.
      { parent: this, dependsOn: [flowLogPolicy] },
    );

    // awsx is a remote component: its route tables are not objects this program can reference, so
    // the private ones are found by their subnet associations. The VPC's outputs resolve only after
    // all its children (associations included) exist, so the lookup sees every table.
    const privateRouteTables = aws.ec2.getRouteTablesOutput(
      {
        vpcId: vpc.vpcId,
        filters: [{ name: "association.subnet-id", values: vpc.privateSubnetIds }],
      },
      { parent: this, dependsOn: [vpc] },
    );

    // Gateway endpoints are free and DynamoDB traffic otherwise goes through NAT (paid per GB).
    // Only the private route tables: the backend lives there; the isolated subnets hold Aurora only.
    new aws.ec2.VpcEndpoint(
      `${name}-dynamodb`,
      {
        vpcId: vpc.vpcId,
        vpcEndpointType: "Gateway",
        serviceName: pulumi.interpolate`com.amazonaws.${region.region}.dynamodb`,
        routeTableIds: privateRouteTables.ids,
        // Instead of the default full access: this account's principals, this account's tables in
        // this region (data cannot leave through the endpoint to a table of another account).
        policy: pulumi.jsonStringify(
          dynamoEndpointPolicy(partition.partition, region.region, caller.accountId),
        ),
        tags: { Name: `${name}-dynamodb` },
      },
      { parent: this },
    );

    this.publish({
      vpcId: vpc.vpcId,
      publicSubnetIds: vpc.publicSubnetIds,
      privateSubnetIds: vpc.privateSubnetIds,
      isolatedSubnetIds: vpc.isolatedSubnetIds,
      natGatewayCount: natGatewayCount(args.natStrategy, args.availabilityZones.length),
      // awsx returns the gateways as resources; their ids are Outputs of their own.
      natGatewayIds: vpc.natGateways.apply((gateways) => pulumi.all(gateways.map((g) => g.id))),
    });
  }
}
