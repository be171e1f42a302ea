/**
 * One application tier: its load balancer (public for the frontend, internal for the backend, both
 * HTTPS), the target group and listeners, and the Auto Scaling group of instances behind it, with the
 * security groups that admit exactly the traffic of the design's diagram and nothing else.
 *
 * The same component serves both tiers; what differs between them is only in the arguments.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  AMI_ID,
  ConfigError,
  defaultImage,
  instanceArchitecture,
  TierConfig,
  validateImage,
  validateTierSizing,
} from "../config";
import { Component } from "./component";

/**
 * The public ALB's TLS policy: TLS 1.3, and TLS 1.2 with AEAD (GCM) forward-secret suites only: the
 * `-Res-` ("restricted") variant of ELBSecurityPolicy-TLS13-1-2-2021-06 drops the CBC suites (ELB User
 * Guide, "Security policies for your Application Load Balancer", the TLS 1.2 cipher table). Every
 * current browser speaks TLS 1.3 or ECDHE-GCM on TLS 1.2; who loses access: clients limited to CBC
 * suites on TLS 1.2, such as Internet Explorer 11 on Windows 7 / 8.1 with an RSA certificate (ACM's
 * default), Safari on iOS 8 / OS X 10.10 and earlier, and Java 7 (unverified against a live ALB).
 */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";
/**
 * The internal ALB's: TLS 1.3 only. Its one client is our frontend (Python's ssl on Amazon Linux
 * 2023, OpenSSL 3), so nothing needs 1.2. That this name is the TLS-1.3-only policy is corroborated by
 * AWS's policy table as third-party code quotes it, not by the AWS page itself: unverified.
 */
export const INTERNAL_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-3-2021-06";
export const HEALTH_CHECK_PATH = "/healthz";
export const HTTP_PORT = 80;
export const HTTPS_PORT = 443;
/** The only CIDR any rule of the design admits from: the public ALB's 80/443. */
export const ANYWHERE = "0.0.0.0/0";

/** Metrics the ASG publishes to CloudWatch (free at 1-minute granularity): capacity dashboards and alarms. */
const ASG_METRICS: aws.autoscaling.Metric[] = [
  "GroupMinSize",
  "GroupMaxSize",
  "GroupDesiredCapacity",
  "GroupInServiceInstances",
  "GroupPendingInstances",
  "GroupTerminatingInstances",
  "GroupTotalInstances",
];

export interface TierAsgArgs {
  /** VPC of the target group and the security groups. */
  vpcId: pulumi.Input<string>;
  /** Subnets of the ALB: public for an internet-facing one, private for an internal one. */
  loadBalancerSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Subnets of the instances: always private (no public IPs). */
  instanceSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Internet-facing ALB (HTTPS with TLS_POLICY, and an HTTP→HTTPS redirect on 80), or an internal one
   * (HTTPS only, INTERNAL_TLS_POLICY). Either way the ALB reaches the instances over HTTP on `appPort`,
   * inside the private subnets.
   */
  internetFacing: boolean;
  /** Port the instances listen on (the target group's). */
  appPort: number;
  /** ACM certificate of the HTTPS listener, for the name clients use to reach this ALB. Required. */
  certificateArn: pulumi.Input<string>;
  /** Bucket for the ALB's access logs (written under the prefix `<name>/`). */
  accessLogBucket: pulumi.Input<string>;
  /** ALB deletion protection. @default true */
  deletionProtection?: boolean;
  /** Instance type, ASG sizes and scaling target of this tier in this region's role. */
  sizing: TierConfig;
  /** What the instances boot (`tierImage`). @default Amazon Linux 2023 of the instance type's architecture */
  image?: TierImage;
  /**
   * The launch template's user data, base64-encoded (userData.ts: `tierUserData`). A change is a new
   * launch template version, which rolls the instances. @default none
   */
  userDataBase64?: pulumi.Input<string>;
  /**
   * What the instances read about their place, as instance tags in the instance metadata
   * (`/latest/meta-data/tags/instance/<key>`): `AppPort` always, and these (docs/application.md).
   * Keys as IMDS allows them (INSTANCE_SETTING_KEY). @default {}
   */
  instanceSettings?: Record<string, pulumi.Input<string>>;
  /**
   * Tags the instances and their volumes get at launch, besides `Name` and `Tier`: the stack's
   * provider default tags, which reach neither an Auto Scaling group (it has no `tags_all`) nor what
   * it launches. @default {}
   */
  launchTags?: Record<string, string>;
}

/**
 * Instance tag keys the instance metadata serves: "letters (a-z, A-Z), numbers (0-9), and the
 * following characters: + - = . , _ : @", no space or `/`, and not `.`, `..` or `_index` (EC2 User
 * Guide, "View tags for your EC2 instances using instance metadata").
 */
export const INSTANCE_SETTING_KEY = /^(?!\.{1,2}$|_index$)[A-Za-z0-9+\-=.,_:@]{1,128}$/;

/** Throws before any resource is registered when the arguments cannot describe a working tier. */
export function validateTierAsgArgs(name: string, args: TierAsgArgs): void {
  if (args.certificateArn === undefined) {
    throw new Error(`TierAsg "${name}": certificateArn is required (every listener serves HTTPS)`);
  }
  if (!Number.isInteger(args.appPort) || args.appPort < 1 || args.appPort > 65535) {
    throw new Error(`TierAsg "${name}": appPort ${args.appPort} must be an integer from 1 to 65535`);
  }
  validateTierSizing(name, args.sizing);
  validateImage(`${name}.image`, args.image?.imageId, args.sizing.instanceType);
  for (const key of Object.keys(args.instanceSettings ?? {})) {
    if (!INSTANCE_SETTING_KEY.test(key)) {
      throw new Error(
        `TierAsg "${name}": instance setting "${key}" is not a tag key the instance metadata serves`,
      );
    }
  }
}

/** The default image (config's `defaultImage`): the latest AL2023 of the instance type's architecture. */
export function amiFor(instanceType: string): string {
  return defaultImage(instanceType);
}

/** The root device of Amazon Linux images, and what an image given by an SSM parameter must use. */
export const DEFAULT_ROOT_DEVICE = "/dev/xvda";

/** What a tier's instances boot, and the device its encrypted gp3 root volume is mapped to. */
export interface TierImage {
  /** The launch template's ImageId: an AMI id or `resolve:ssm:<parameter>`. */
  imageId: string;
  /**
   * The image's root device. A mapping on another device name would not be the root volume but an
   * extra volume without a size, which EC2 refuses to launch.
   */
  rootDeviceName: string;
}

/**
 * The image of a tier as its config says, checked where the config cannot be: an AMI id is looked up
 * in this stack's region (EC2 DescribeImages, through aws.ec2.getAmi, before any resource is
 * registered): it must exist there, be one this account may launch, and be of the instance type's
 * architecture; its root device is the one the launch template maps. A `resolve:ssm:` image is
 * resolved by EC2 at each launch, so nothing can be checked before: its parameter must hold an AMI of
 * the right architecture whose root device is /dev/xvda (Amazon Linux and images built from it). Under
 * the mocks (`npm run plan`, the tests) the lookup answers as AWS would for a good image: offline,
 * nothing about an AMI id is checked but its form.
 */
export async function tierImage(key: string, tier: TierConfig, region: string): Promise<TierImage> {
  const imageId = tier.image ?? amiFor(tier.instanceType);
  if (!AMI_ID.test(imageId)) return { imageId, rootDeviceName: DEFAULT_ROOT_DEVICE };
  const architecture = instanceArchitecture(tier.instanceType);
  let found: aws.ec2.GetAmiResult;
  try {
    found = await aws.ec2.getAmi({
      filters: [
        { name: "image-id", values: [imageId] },
        { name: "architecture", values: [architecture] },
      ],
      // A deprecated image still launches (EC2 User Guide, "Deprecate an AMI").
      includeDeprecated: true,
    });
  } catch (e) {
    // The provider's reason, when the engine passes one on (under the mocks it does not).
    const reason = e instanceof Error && e.message !== "" ? ` [${e.message.split("\n")[0]}]` : "";
    throw new ConfigError(
      `${key}.image`,
      imageId,
      `EC2 DescribeImages in ${region} finds no ${architecture} image with this id that this account can launch: an AMI id is regional (copy the image to each region and give each stack its own id, or use resolve:ssm: with a parameter of the same name in every region), and the image may be deregistered, not shared with this account, or built for another architecture than ${tier.instanceType}'s (${architecture})${reason}`,
    );
  }
  return { imageId, rootDeviceName: found.rootDeviceName };
}

/** What SSM Session Manager needs on an instance: register it, and open the session channels. */
export function sessionManagerPolicy(
  partition: pulumi.Input<string>,
  region: pulumi.Input<string>,
  accountId: pulumi.Input<string>,
): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        // Resource types `instance` / `managed-instance` (Service Authorization Reference, AWS
        // Systems Manager): this account's instances in this region.
        Sid: "RegisterWithSystemsManager",
        Effect: "Allow",
        Action: ["ssm:UpdateInstanceInformation"],
        Resource: pulumi.interpolate`arn:${partition}:ec2:${region}:${accountId}:instance/*`,
      },
      {
        // No resource types (Service Authorization Reference, Amazon Message Gateway Service).
        Sid: "SessionChannels",
        Effect: "Allow",
        Action: [
          "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel",
          "ssmmessages:OpenControlChannel",
          "ssmmessages:OpenDataChannel",
        ],
        Resource: "*",
      },
    ],
  };
}

/** The target-tracking metric for a tier's `scalingMetric`. */
export function scalingMetricSpecification(
  metric: TierConfig["scalingMetric"],
  albArnSuffix: pulumi.Input<string>,
  targetGroupArnSuffix: pulumi.Input<string>,
): aws.types.input.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecification {
  switch (metric) {
    case "cpu":
      return { predefinedMetricType: "ASGAverageCPUUtilization" };
    case "requestCount":
      return {
        predefinedMetricType: "ALBRequestCountPerTarget",
        resourceLabel: pulumi.interpolate`${albArnSuffix}/${targetGroupArnSuffix}`,
      };
  }
}

interface RuleSpec {
  securityGroupId: pulumi.Input<string>;
  port: number;
  description: string;
  cidrIpv4?: string;
  referencedSecurityGroupId?: pulumi.Input<string>;
}

export interface TierAsgOutputs {
  /** The tier's name (`frontend`, `backend`). */
  tier: string;
  /** Port the ALB serves the application on: HTTPS 443, internet-facing or internal. */
  listenerPort: number;
  /** ARN of the tier's ALB (the web ACL is associated with the public one). */
  albArn: pulumi.Output<string>;
  /** The ALB's ARN suffix: its `LoadBalancer` dimension in CloudWatch. */
  albArnSuffix: pulumi.Output<string>;
  /** The ALB's DNS name (alias records, the deep health check). */
  albDnsName: pulumi.Output<string>;
  /** The ALB's canonical hosted zone (alias records). */
  albZoneId: pulumi.Output<string>;
  /** Security group of the ALB (`connectTo` opens it to a calling tier). */
  albSecurityGroupId: pulumi.Output<string>;
  /** Security group of the instances. */
  instanceSecurityGroupId: pulumi.Output<string>;
  /** The instances' target group. */
  targetGroupArn: pulumi.Output<string>;
  /** The target group's ARN suffix: its `TargetGroup` dimension in CloudWatch. */
  targetGroupArnSuffix: pulumi.Output<string>;
  /** Name of the instances' IAM role (Integrations attaches the backend's policy to it). */
  instanceRoleName: pulumi.Output<string>;
  /** ARN of the instances' IAM role. */
  instanceRoleArn: pulumi.Output<string>;
  /** Name of the Auto Scaling group (alarms, dashboard). */
  asgName: pulumi.Output<string>;
  /** ARN of the Auto Scaling group: the failover plan scales it. */
  asgArn: pulumi.Output<string>;
  /** Launch template of the instances. */
  launchTemplateId: pulumi.Output<string>;
}

export class TierAsg extends Component<TierAsgOutputs> {
  constructor(name: string, args: TierAsgArgs, opts?: pulumi.ComponentResourceOptions) {
    validateTierAsgArgs(name, args);
    super("multi-region-web:compute:TierAsg", name, args, opts);
    const deletionProtection = args.deletionProtection ?? true;
    const sizing = args.sizing;
    const tags = { Name: name, Tier: name };
    const launchTags = { ...args.launchTags, ...tags };

    // Security groups carry no inline rules: every rule is its own resource, so that other tiers
    // (connectTo) and components can add theirs without the two fighting over the rule set. The
    // provider removes AWS's default allow-all egress, so only the rules below exist.
    const albSg = new aws.ec2.SecurityGroup(
      `${name}-alb-sg`,
      {
        vpcId: args.vpcId,
        description: `${args.internetFacing ? "Internet-facing" : "Internal"} ALB of the ${name} tier`,
        tags: { ...tags, Name: `${name}-alb` },
      },
      { parent: this },
    );
    const instanceSg = new aws.ec2.SecurityGroup(
      `${name}-instance-sg`,
      {
        vpcId: args.vpcId,
        description: `Instances of the ${name} tier`,
        tags: { ...tags, Name: `${name}-instances` },
      },
      { parent: this },
    );

    if (args.internetFacing) {
      // The only CIDR ingress of the design. Port 80 only answers with a redirect to 443.
      for (const port of [HTTPS_PORT, HTTP_PORT]) {
        this.allow(`${name}-alb-in-${port}`, "ingress", {
          securityGroupId: albSg.id,
          port,
          cidrIpv4: ANYWHERE,
          description: `${port === HTTPS_PORT ? "HTTPS" : "HTTP (redirected to HTTPS)"} from the internet`,
        });
      }
    }
    // An internal ALB gets its ingress from the callers' connectTo.
    this.allow(`${name}-alb-out-app`, "egress", {
      securityGroupId: albSg.id,
      port: args.appPort,
      referencedSecurityGroupId: instanceSg.id,
      description: `Requests and health checks to the ${name} instances`,
    });
    this.allow(`${name}-instance-in-app`, "ingress", {
      securityGroupId: instanceSg.id,
      port: args.appPort,
      referencedSecurityGroupId: albSg.id,
      description: `Requests and health checks from the ${name} ALB`,
    });
    // Instances reach the internet through NAT for OS packages, and AWS APIs (SSM Session Manager,
    // CloudWatch, SNS, DynamoDB through its gateway endpoint...), all HTTPS. DNS, NTP and instance
    // metadata go to link-local/VPC resolver addresses that security groups do not filter.
    // Not narrowed (docs/compliance.md, "What each tier needs"): both tiers need Session Manager's
    // public regional endpoints (ssm, ssmmessages), which have no managed prefix list, and the backend
    // SNS, SES, Location, Secrets Manager and SSM; only interface VPC endpoints (paid per AZ and hour)
    // would let the frontend drop this rule.
    this.allow(`${name}-instance-out-https`, "egress", {
      securityGroupId: instanceSg.id,
      port: HTTPS_PORT,
      cidrIpv4: ANYWHERE,
      description: "HTTPS through NAT: packages, SSM, AWS APIs",
    });

    const alb = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        loadBalancerType: "application",
        internal: !args.internetFacing,
        securityGroups: [albSg.id],
        subnets: args.loadBalancerSubnetIds,
        // Requests with malformed headers are dropped instead of passed to the app (request smuggling).
        dropInvalidHeaderFields: true,
        enableDeletionProtection: deletionProtection,
        accessLogs: { bucket: args.accessLogBucket, prefix: name, enabled: true },
        tags,
      },
      { parent: this },
    );

    const targetGroup = new aws.lb.TargetGroup(
      `${name}-tg`,
      {
        vpcId: args.vpcId,
        targetType: "instance",
        protocol: "HTTP",
        port: args.appPort,
        // The default (300 s) would make every scale-in and instance refresh wait five minutes; the
        // app's requests are short.
        deregistrationDelay: 30,
        healthCheck: {
          enabled: true,
          protocol: "HTTP",
          port: "traffic-port",
          path: HEALTH_CHECK_PATH,
          matcher: "200",
          interval: 15,
          timeout: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
        tags,
      },
      { parent: this },
    );

    // HTTPS on both ALBs: the internal one presents a certificate for a name of ours
    // (InternalDns, `backend.internal.<domain>`), since ACM issues none for the ALB's own
    // `*.elb.amazonaws.com` name. The ALB-to-instance leg stays HTTP on appPort inside the private
    // subnets, where only the ALB's security group may reach the instances.
    const listeners: aws.lb.Listener[] = [
      new aws.lb.Listener(
        `${name}-https`,
        {
          loadBalancerArn: alb.arn,
          port: HTTPS_PORT,
          protocol: "HTTPS",
          sslPolicy: args.internetFacing ? TLS_POLICY : INTERNAL_TLS_POLICY,
          certificateArn: args.certificateArn,
          defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
          tags,
        },
        { parent: this },
      ),
    ];
    if (args.internetFacing) {
      // Port 80 only answers with a redirect: browsers that type the bare name still land on HTTPS.
      listeners.push(
        new aws.lb.Listener(
          `${name}-http`,
          {
            loadBalancerArn: alb.arn,
            port: HTTP_PORT,
            protocol: "HTTP",
            defaultActions: [
              {
                type: "redirect",
                redirect: { protocol: "HTTPS", port: String(HTTPS_PORT), statusCode: "HTTP_301" },
              },
            ],
            tags,
          },
          { parent: this },
        ),
      );
    }

    // No SSH key and no port 22: operators connect through SSM Session Manager.
    const partition = aws.getPartitionOutput({}, { parent: this });
    const role = new aws.iam.Role(
      `${name}-instance-role`,
      {
        description: `Instances of the ${name} tier`,
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "ec2.amazonaws.com" },
              Action: "sts:AssumeRole",
            },
          ],
        }),
        tags,
      },
      { parent: this },
    );
    // Session Manager only, instead of AmazonSSMManagedInstanceCore (which also lets an instance read
    // every SSM parameter of the account and region): the actions of "Step 2: Verify or add instance
    // permissions for Session Manager" (Systems Manager User Guide) without the optional S3/KMS ones
    // (session logging to S3 and KMS session encryption are not configured). Run Command, State
    // Manager and Patch Manager are not granted. The backend's parameters, under the stack's own
    // prefix, come from its Integrations policy; the frontend reads none.
    const caller = aws.getCallerIdentityOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this });
    new aws.iam.RolePolicy(
      `${name}-session-manager`,
      {
        role: role.id,
        policy: pulumi.jsonStringify(
          sessionManagerPolicy(partition.partition, region.region, caller.accountId),
        ),
      },
      { parent: this },
    );
    const instanceProfile = new aws.iam.InstanceProfile(
      `${name}-instance-profile`,
      { role: role.name, tags },
      { parent: this },
    );

    const image = args.image ?? { imageId: amiFor(sizing.instanceType), rootDeviceName: DEFAULT_ROOT_DEVICE };
    // What the application reads about its place, from the instance metadata (docs/application.md).
    const settings = { AppPort: String(args.appPort), ...args.instanceSettings };
    const launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-lt`,
      {
        description: `Instances of the ${name} tier`,
        imageId: image.imageId,
        instanceType: sizing.instanceType,
        iamInstanceProfile: { arn: instanceProfile.arn },
        // IMDSv2 only, and a hop limit of 1 so that nothing forwarded (a container, a proxied
        // request) can reach the instance's credentials. Instance tags in the metadata: the
        // application's settings (`instanceSettings`), readable without an IAM permission.
        metadataOptions: {
          httpEndpoint: "enabled",
          httpTokens: "required",
          httpPutResponseHopLimit: 1,
          instanceMetadataTags: "enabled",
        },
        // The launch template API takes these flags as strings. The image's own root device: the
        // root volume is encrypted gp3 whatever the image's snapshot says.
        blockDeviceMappings: [
          {
            deviceName: image.rootDeviceName,
            ebs: { volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
          },
        ],
        networkInterfaces: [
          {
            deviceIndex: 0,
            associatePublicIpAddress: "false",
            deleteOnTermination: "true",
            securityGroups: [instanceSg.id],
          },
        ],
        monitoring: { enabled: true },
        userData: args.userDataBase64,
        // The ASG pins latestVersion below; keeping the default in step avoids a stale default.
        updateDefaultVersion: true,
        tagSpecifications: [
          { resourceType: "instance", tags: { ...launchTags, ...settings } },
          { resourceType: "volume", tags: launchTags },
        ],
        tags,
      },
      { parent: this },
    );

    const asg = new aws.autoscaling.Group(
      `${name}-asg`,
      {
        vpcZoneIdentifiers: args.instanceSubnetIds,
        // The explicit version (not "$Latest") makes a template change a diff of the group, which
        // starts the instance refresh below.
        launchTemplate: {
          id: launchTemplate.id,
          version: launchTemplate.latestVersion.apply((version) => String(version)),
        },
        minSize: sizing.minSize,
        desiredCapacity: sizing.desiredCapacity,
        maxSize: sizing.maxSize,
        // Replace instances whose app stops answering, not only those whose VM fails.
        healthCheckType: "ELB",
        healthCheckGracePeriod: sizing.healthCheckGracePeriod,
        targetGroupArns: [targetGroup.arn],
        // A rolling deploy on every new launch template version (a new image, user data, instance
        // type or setting): the provider starts an instance refresh when `launchTemplate` changes,
        // which the explicit version above makes it (aws.autoscaling.Group, instanceRefresh: "A
        // refresh will not start when version = "$Latest""). Launch before terminate (100–200 %): a
        // warm standby runs one instance per tier, and a refresh that took it down first would leave
        // the tier empty until the new one is healthy. A new instance must pass the target group's
        // /healthz (ELB health) and warm up (the health check grace period, the default warm-up:
        // Auto Scaling User Guide, "Understand the default values for an instance refresh") before an
        // old one goes: a version that never turns healthy never displaces one that works. Skip
        // matching replaces only instances of another template version ("Use an instance refresh with
        // skip matching"). Left out on purpose:
        // - autoRollback: refused with an image from an SSM parameter (the default: "A rollback is not
        //   supported ... a launch template that uses an AWS Systems Manager parameter instead of an
        //   AMI ID", API RefreshPreferences), and the provider points the group at the new version
        //   before it starts the refresh, so a rollback would return to that same version
        //   (terraform-provider-aws#34189, open). Roll back by deploying the previous config.
        // - alarmSpecification: an alarm already in ALARM (the incident a fix is deployed for) would
        //   fail that fix's refresh at once.
        // - checkpoints: without an alarm to stop at, a checkpoint only waits; a group is 1–6 instances.
        // The provider does not wait for the refresh to finish ("This resource does not wait for the
        // instance refresh to complete"): `pulumi up` returns while it runs (docs/application.md).
        instanceRefresh: {
          strategy: "Rolling",
          preferences: { minHealthyPercentage: 100, maxHealthyPercentage: 200, skipMatching: true },
        },
        enabledMetrics: ASG_METRICS,
        metricsGranularity: "1Minute",
        tags: Object.entries(launchTags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
      },
      {
        parent: this,
        // The configured sizes are the group's sizes at creation. After that the scaling policy owns
        // the desired capacity, and the failover plan owns the floor: ARC Region switch's EC2 Auto
        // Scaling block raises the activated region's group to the other region's capacity with
        // UpdateAutoScalingGroup (ARC Developer Guide, "EC2 Auto Scaling execution block"; its sample
        // policy grants autoscaling:UpdateAutoScalingGroup). A `pulumi up` that re-applied either
        // number would scale the region carrying the traffic back down mid-incident. maxSize stays
        // managed: it is the ceiling both the plan and the scaling policy work under.
        ignoreChanges: ["minSize", "desiredCapacity"],
        // A target group health-checks its targets only once a listener uses it: create the group
        // after the listeners, so that ELB health is judged from the first instance on.
        dependsOn: listeners,
      },
    );

    new aws.autoscaling.Policy(
      `${name}-scaling`,
      {
        autoscalingGroupName: asg.name,
        policyType: "TargetTrackingScaling",
        targetTrackingConfiguration: {
          predefinedMetricSpecification: scalingMetricSpecification(
            sizing.scalingMetric,
            alb.arnSuffix,
            targetGroup.arnSuffix,
          ),
          targetValue: sizing.scalingTarget,
        },
      },
      // ALBRequestCountPerTarget needs the target group attached to the load balancer.
      { parent: this, dependsOn: listeners },
    );

    this.publish({
      tier: name,
      listenerPort: HTTPS_PORT,
      albArn: alb.arn,
      albArnSuffix: alb.arnSuffix,
      albDnsName: alb.dnsName,
      albZoneId: alb.zoneId,
      albSecurityGroupId: albSg.id,
      instanceSecurityGroupId: instanceSg.id,
      targetGroupArn: targetGroup.arn,
      targetGroupArnSuffix: targetGroup.arnSuffix,
      instanceRoleName: role.name,
      instanceRoleArn: role.arn,
      asgName: asg.name,
      asgArn: asg.arn,
      launchTemplateId: launchTemplate.id,
    });
  }

  /**
   * Lets this tier's instances call `target`'s ALB on its listener port: ingress on the target ALB's
   * security group from this tier's instances, and the matching egress from them (their egress is
   * otherwise HTTPS only).
   */
  public connectTo(target: TierAsg): void {
    const port = target.listenerPort;
    this.allow(`${this.tier}-to-${target.tier}-alb-in`, "ingress", {
      securityGroupId: target.albSecurityGroupId,
      port,
      referencedSecurityGroupId: this.instanceSecurityGroupId,
      description: `From the ${this.tier} instances`,
    });
    this.allow(`${this.tier}-to-${target.tier}-alb-out`, "egress", {
      securityGroupId: this.instanceSecurityGroupId,
      port,
      referencedSecurityGroupId: target.albSecurityGroupId,
      description: `To the ${target.tier} ALB`,
    });
  }

  /** One TCP port, one source or destination, one described rule. */
  private allow(ruleName: string, direction: "ingress" | "egress", rule: RuleSpec): void {
    const ruleArgs = {
      securityGroupId: rule.securityGroupId,
      ipProtocol: "tcp",
      fromPort: rule.port,
      toPort: rule.port,
      cidrIpv4: rule.cidrIpv4,
      referencedSecurityGroupId: rule.referencedSecurityGroupId,
      description: rule.description,
    };
    if (direction === "ingress") {
      new aws.vpc.SecurityGroupIngressRule(ruleName, ruleArgs, { parent: this });
    } else {
      new aws.vpc.SecurityGroupEgressRule(ruleName, ruleArgs, { parent: this });
    }
  }
}
