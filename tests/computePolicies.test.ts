/**
 * The launch template and Auto Scaling group policies (policy/rules/compute.ts), condition by
 * condition, both ways, with the exact message.
 */
import { expect } from "chai";
import { TYPES } from "../policy/rules/common";
import { messages, res } from "./policyHelpers";

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const template = (over: Record<string, unknown> = {}) =>
  res(LAUNCH_TEMPLATE, "frontend-lt", {
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3" } }],
    networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false" }],
    monitoring: { enabled: true },
    iamInstanceProfile: { arn: "arn:aws:iam::123456789012:instance-profile/frontend" },
    ...over,
  });
const group = (over: Record<string, unknown> = {}) =>
  res(TYPES.asg, "frontend-asg", {
    healthCheckType: "ELB",
    launchTemplate: { id: "lt-1", version: "$Latest" },
    vpcZoneIdentifiers: ["subnet-a", "subnet-b"],
    ...over,
  });

describe("compute policies", () => {
  it("launch-template-imdsv2: requires session tokens unless the endpoint is off, metadataOptions unset included", async () => {
    const name = "launch-template-imdsv2";
    expect(await messages(name, [template()])).to.deep.equal([]);
    expect(
      await messages(name, [
        template({ metadataOptions: { httpEndpoint: "disabled", httpTokens: "optional" } }),
      ]),
    ).to.deep.equal([]);
    const unset = 'metadataOptions.httpTokens is unset (optional), not "required".';
    expect(await messages(name, [template({ metadataOptions: undefined })])).to.deep.equal([unset]);
    expect(await messages(name, [template({ metadataOptions: { httpEndpoint: "enabled" } })])).to.deep.equal([
      unset,
    ]);
    expect(await messages(name, [template({ metadataOptions: { httpTokens: "optional" } })])).to.deep.equal([
      'metadataOptions.httpTokens is optional, not "required".',
    ]);
  });

  it('launch-template-encrypted-volumes: declares EBS volumes, each encrypted (true or "true")', async () => {
    const name = "launch-template-encrypted-volumes";
    const none = "No EBS block device mapping: the root volume's encryption depends on the AMI.";
    expect(
      await messages(name, [
        template({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: true } }] }),
      ]),
    ).to.deep.equal([]);
    expect(await messages(name, [template({ blockDeviceMappings: undefined })])).to.deep.equal([none]);
    expect(
      await messages(name, [
        template({ blockDeviceMappings: [{ deviceName: "/dev/sdb", virtualName: "ephemeral0" }] }),
      ]),
    ).to.deep.equal([none]);
    expect(
      await messages(name, [
        template({
          blockDeviceMappings: [
            { deviceName: "/dev/xvda", ebs: { encrypted: "true" } },
            { deviceName: "/dev/sdb", ebs: { encrypted: "false" } },
            { ebs: { volumeSize: 8 } },
            { deviceName: "/dev/sdc", ebs: { encrypted: false } },
          ],
        }),
      ]),
    ).to.deep.equal([
      "EBS volume /dev/sdb is not encrypted.",
      "EBS volume ? is not encrypted.",
      "EBS volume /dev/sdc is not encrypted.",
    ]);
  });

  it("launch-template-no-public-ip: no interface associates a public address", async () => {
    const name = "launch-template-no-public-ip";
    expect(await messages(name, [template({ networkInterfaces: undefined })])).to.deep.equal([]);
    expect(
      await messages(name, [
        template({
          networkInterfaces: [
            { deviceIndex: 1, associatePublicIpAddress: "true" },
            { associatePublicIpAddress: true },
            { deviceIndex: 2 },
          ],
        }),
      ]),
    ).to.deep.equal([
      "Network interface 1 associates a public IP address.",
      "Network interface 0 associates a public IP address.",
    ]);
  });

  it("launch-template-detailed-monitoring and -instance-profile", async () => {
    for (const monitoring of [undefined, { enabled: false }]) {
      expect(await messages("launch-template-detailed-monitoring", [template({ monitoring })])).to.deep.equal(
        ["Detailed monitoring is off."],
      );
    }
    const profile = "launch-template-instance-profile";
    expect(await messages(profile, [template({ iamInstanceProfile: { name: "frontend" } })])).to.deep.equal(
      [],
    );
    for (const iamInstanceProfile of [undefined, {}]) {
      expect(await messages(profile, [template({ iamInstanceProfile })])).to.deep.equal([
        "No instance profile.",
      ]);
    }
  });

  it("asg-elb-health-check: ELB, naming the EC2 default when unset", async () => {
    expect(await messages("asg-elb-health-check", [group({ healthCheckType: "EC2" })])).to.deep.equal([
      "healthCheckType is EC2.",
    ]);
    expect(await messages("asg-elb-health-check", [group({ healthCheckType: undefined })])).to.deep.equal([
      "healthCheckType is EC2 (default).",
    ]);
  });

  it("asg-launch-template: a launch template, directly or in a mixed instances policy, and no launch configuration", async () => {
    const name = "asg-launch-template";
    const wrong = "The group does not use (only) a launch template.";
    expect(
      await messages(name, [
        group({
          launchTemplate: undefined,
          mixedInstancesPolicy: { launchTemplate: { launchTemplateSpecification: {} } },
        }),
      ]),
    ).to.deep.equal([]);
    expect(await messages(name, [group({ launchTemplate: undefined })])).to.deep.equal([wrong]);
    expect(
      await messages(name, [group({ launchTemplate: undefined, mixedInstancesPolicy: {} })]),
    ).to.deep.equal([wrong]);
    expect(await messages(name, [group({ launchConfiguration: "lc-1" })])).to.deep.equal([wrong]);
  });

  it("asg-multiple-subnets: distinct subnets, as many as its config asks", async () => {
    const name = "asg-multiple-subnets";
    expect(await messages(name, [group({ vpcZoneIdentifiers: ["subnet-a", "subnet-a"] })])).to.deep.equal([
      "The group spans 1 subnet(s); at least 2 needed.",
    ]);
    expect(await messages(name, [group({ vpcZoneIdentifiers: undefined })])).to.deep.equal([
      "The group spans 0 subnet(s); at least 2 needed.",
    ]);
    expect(await messages(name, [group()], { config: { minSubnets: 3 } })).to.deep.equal([
      "The group spans 2 subnet(s); at least 3 needed.",
    ]);
    expect(
      await messages(name, [group({ vpcZoneIdentifiers: ["a", "b", "c"] })], { config: { minSubnets: 3 } }),
    ).to.deep.equal([]);
  });
});
