/**
 * EC2 launch templates and Auto Scaling groups: instance metadata, disks, addressing, monitoring,
 * health checks and spread.
 */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { isSet, PackResourcePolicy } from "./common";

/** Launch templates take booleans as strings ("true"); accept both spellings. */
function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

export const launchTemplateImdsv2: PackResourcePolicy = {
  name: "launch-template-imdsv2",
  description: "Launch templates require IMDSv2 session tokens (or disable the metadata endpoint).",
  rationale: "IMDSv1 lets an SSRF in the app read the instance role's credentials.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    'Set `metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 }`.',
  validateResource: validateResourceOfType(aws.ec2.LaunchTemplate, (lt, _args, report) => {
    const options = lt.metadataOptions;
    if (options?.httpEndpoint === "disabled") return;
    if (options?.httpTokens !== "required") {
      report(`metadataOptions.httpTokens is ${options?.httpTokens ?? "unset (optional)"}, not "required".`);
    }
  }),
};

export const launchTemplateEncryptedVolumes: PackResourcePolicy = {
  name: "launch-template-encrypted-volumes",
  description: "Launch templates declare their EBS volumes, all encrypted.",
  rationale: "Volumes inherit the AMI snapshot's encryption unless the template says otherwise.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    'Declare the root device in `blockDeviceMappings` with `ebs: { encrypted: "true", volumeType: "gp3" }`.',
  validateResource: validateResourceOfType(aws.ec2.LaunchTemplate, (lt, _args, report) => {
    const ebsMappings = (lt.blockDeviceMappings ?? []).filter((m) => m.ebs !== undefined);
    if (ebsMappings.length === 0) {
      report("No EBS block device mapping: the root volume's encryption depends on the AMI.");
    }
    for (const mapping of ebsMappings) {
      if (!isTrue(mapping.ebs?.encrypted))
        report(`EBS volume ${mapping.deviceName ?? "?"} is not encrypted.`);
    }
  }),
};

export const launchTemplateNoPublicIp: PackResourcePolicy = {
  name: "launch-template-no-public-ip",
  description: "Launch templates do not give instances a public IP address.",
  rationale: "Instances live in private subnets behind the ALBs; a public IP bypasses the WAF and the ALB.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: 'Remove `associatePublicIpAddress` or set it to "false" in every network interface.',
  validateResource: validateResourceOfType(aws.ec2.LaunchTemplate, (lt, _args, report) => {
    for (const nic of lt.networkInterfaces ?? []) {
      if (isTrue(nic.associatePublicIpAddress)) {
        report(`Network interface ${nic.deviceIndex ?? 0} associates a public IP address.`);
      }
    }
  }),
};

export const launchTemplateMonitoring: PackResourcePolicy = {
  name: "launch-template-detailed-monitoring",
  description: "Launch templates enable detailed (1-minute) CloudWatch monitoring.",
  rationale: "Target tracking and alarms react in one minute instead of five.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps: "Set `monitoring: { enabled: true }`.",
  validateResource: validateResourceOfType(aws.ec2.LaunchTemplate, (lt, _args, report) => {
    if (lt.monitoring?.enabled !== true) report("Detailed monitoring is off.");
  }),
};

export const launchTemplateInstanceProfile: PackResourcePolicy = {
  name: "launch-template-instance-profile",
  description: "Launch templates attach an instance profile.",
  rationale: "Instances are operated through SSM Session Manager (no SSH), which needs an instance role.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps:
    "Set `iamInstanceProfile: { arn }` to a profile whose role has AmazonSSMManagedInstanceCore.",
  validateResource: validateResourceOfType(aws.ec2.LaunchTemplate, (lt, _args, report) => {
    if (!isSet(lt.iamInstanceProfile, "arn") && !isSet(lt.iamInstanceProfile, "name")) {
      report("No instance profile.");
    }
  }),
};

export const asgElbHealthCheck: PackResourcePolicy = {
  name: "asg-elb-health-check",
  description: "Auto Scaling groups use ELB health checks.",
  rationale:
    "EC2 status checks miss a hung app; the ELB check replaces instances the ALB considers unhealthy.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps: 'Set `healthCheckType: "ELB"` and a `healthCheckGracePeriod`.',
  validateResource: validateResourceOfType(aws.autoscaling.Group, (asg, _args, report) => {
    if (asg.healthCheckType !== "ELB")
      report(`healthCheckType is ${asg.healthCheckType ?? "EC2 (default)"}.`);
  }),
};

export const asgLaunchTemplate: PackResourcePolicy = {
  name: "asg-launch-template",
  description: "Auto Scaling groups launch from a launch template, not a launch configuration.",
  rationale: "Launch configurations are deprecated and cannot require IMDSv2 or gp3 settings.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Set `launchTemplate: { id, version }` (or a mixed instances policy with a launch template).",
  validateResource: validateResourceOfType(aws.autoscaling.Group, (asg, _args, report) => {
    const template = isSet(asg, "launchTemplate") || isSet(asg.mixedInstancesPolicy, "launchTemplate");
    if (!template || isSet(asg, "launchConfiguration"))
      report("The group does not use (only) a launch template.");
  }),
};

export const asgMultiSubnet: PackResourcePolicy = {
  name: "asg-multiple-subnets",
  description: "Auto Scaling groups span at least `minSubnets` subnets (one per AZ).",
  rationale: "A group in one subnet dies with its availability zone.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps: "Set `vpcZoneIdentifiers` to the private subnets of every AZ.",
  configSchema: {
    properties: { minSubnets: { type: "integer", minimum: 1, default: 2, description: "Minimum subnets." } },
  },
  validateResource: validateResourceOfType(aws.autoscaling.Group, (asg, args, report) => {
    const { minSubnets } = args.getConfig<{ minSubnets: number }>();
    const subnets = new Set(asg.vpcZoneIdentifiers ?? []);
    if (subnets.size < minSubnets)
      report(`The group spans ${subnets.size} subnet(s); at least ${minSubnets} needed.`);
  }),
};

export const computePolicies = [
  launchTemplateImdsv2,
  launchTemplateEncryptedVolumes,
  launchTemplateNoPublicIp,
  launchTemplateMonitoring,
  launchTemplateInstanceProfile,
  asgElbHealthCheck,
  asgLaunchTemplate,
  asgMultiSubnet,
];
