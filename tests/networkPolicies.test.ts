/**
 * The network policies (policy/rules/network.ts), condition by condition, both ways, with the exact
 * message: openings to the world and to admin ports (rule resources and inline rules), descriptions,
 * flow logs and log retention.
 */
import { expect } from "chai";
import { TYPES } from "../policy/rules/common";
import { dep, findings, messages, res } from "./policyHelpers";

const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

const rule = (name: string, over: Record<string, unknown>) =>
  res(TYPES.ingressRule, name, {
    securityGroupId: "sg-x",
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    description: "https",
    ...over,
  });
const group = (name: string, id: string, over: Record<string, unknown> = {}) =>
  res(
    TYPES.securityGroup,
    name,
    { description: `${name} traffic`, vpcId: "vpc-1", ...over },
    { out: { id } },
  );
const inline = (...ingress: Record<string, unknown>[]) => group("app", "sg-app", { ingress });

describe("network policies", () => {
  describe("security-group-rule-world-only-80-443", () => {
    const name = "security-group-rule-world-only-80-443";
    it("passes tcp 80 or 443 from the world (tcp by name or number) and anything from a private range", async () => {
      for (const over of [
        { cidrIpv4: "0.0.0.0/0" },
        { cidrIpv6: "::/0", fromPort: 80, toPort: 80 },
        { cidrIpv4: "0.0.0.0/0", ipProtocol: "6" },
        { cidrIpv4: "10.0.0.0/8", fromPort: 0, toPort: 65535 },
        { referencedSecurityGroupId: "sg-alb", fromPort: 8080, toPort: 8080 },
      ]) {
        expect(await messages(name, [rule("r", over)]), JSON.stringify(over)).to.deep.equal([]);
      }
    });
    it("flags every other opening to the world, saying what it opens", async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ cidrIpv4: "0.0.0.0/0", fromPort: 8080, toPort: 8080 }, "0.0.0.0/0 on tcp 8080-8080"],
        [{ cidrIpv4: "0.0.0.0/0", fromPort: 80, toPort: 443 }, "0.0.0.0/0 on tcp 80-443"],
        [{ cidrIpv6: "::/0", ipProtocol: "udp" }, "::/0 on udp 443-443"],
        [
          { cidrIpv4: "0.0.0.0/0", ipProtocol: "-1", fromPort: undefined, toPort: undefined },
          "0.0.0.0/0 on -1 0-65535",
        ],
        [{ cidrIpv4: "0.0.0.0/0", ipProtocol: undefined }, "0.0.0.0/0 on ? 443-443"],
      ];
      for (const [over, what] of cases) {
        expect(await messages(name, [rule("r", over)]), what).to.deep.equal([
          `ingress from ${what}; only tcp 80 or 443 may be open to the world`,
        ]);
      }
    });
  });

  describe("security-group-inline-world-only-80-443", () => {
    const name = "security-group-inline-world-only-80-443";
    it("names only the world's ranges of a rule, once per offending rule", async () => {
      expect(
        await messages(name, [
          inline(
            {
              protocol: "tcp",
              fromPort: 22,
              toPort: 22,
              cidrBlocks: ["10.0.0.0/8", "0.0.0.0/0"],
              ipv6CidrBlocks: ["::/0"],
            },
            { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
            { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["10.0.0.0/8"] },
            { protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] },
          ),
        ]),
      ).to.deep.equal([
        "ingress from 0.0.0.0/0, ::/0 on tcp 22-22; only tcp 80 or 443 may be open to the world",
        "ingress from ::/0 on -1 0-65535; only tcp 80 or 443 may be open to the world",
      ]);
      expect(await messages(name, [group("app", "sg-app")])).to.deep.equal([]);
    });
  });

  describe("security-group-no-ssh-rdp and its inline twin", () => {
    it("flags SSH or RDP from any CIDR, on a range of one port too (the hand mutation test's survivor)", async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ fromPort: 22, toPort: 22, cidrIpv4: "10.0.0.0/8" }, "22 from 10.0.0.0/8"],
        [{ fromPort: 3389, toPort: 3389, cidrIpv6: "::/0" }, "3389 from ::/0"],
        [{ fromPort: 20, toPort: 25, cidrIpv4: "192.168.0.0/16" }, "22 from 192.168.0.0/16"],
        [{ fromPort: 22, toPort: 3388, cidrIpv4: "10.0.0.0/8" }, "22 from 10.0.0.0/8"],
        [{ fromPort: 23, toPort: 3389, cidrIpv4: "10.0.0.0/8" }, "3389 from 10.0.0.0/8"],
        [{ fromPort: 0, toPort: 65535, cidrIpv4: "10.0.0.0/8" }, "22/3389 from 10.0.0.0/8"],
        [{ ipProtocol: "-1", fromPort: 0, toPort: 0, cidrIpv4: "10.0.0.0/8" }, "22/3389 from 10.0.0.0/8"],
        [{ fromPort: 22, toPort: undefined, cidrIpv4: "10.0.0.0/8" }, "22 from 10.0.0.0/8"],
      ];
      for (const [over, what] of cases) {
        expect(await messages("security-group-no-ssh-rdp", [rule("r", over)]), what).to.deep.equal([
          `ingress on port ${what}`,
        ]);
      }
    });
    it("passes other ports, and admin ports from another security group", async () => {
      for (const over of [
        { fromPort: 23, toPort: 3388, cidrIpv4: "10.0.0.0/8" },
        { fromPort: 21, toPort: 21, cidrIpv4: "10.0.0.0/8" },
        { fromPort: 3390, toPort: 3390, cidrIpv4: "10.0.0.0/8" },
        { fromPort: 22, toPort: 22, referencedSecurityGroupId: "sg-bastion" },
      ]) {
        expect(
          await messages("security-group-no-ssh-rdp", [rule("r", over)]),
          JSON.stringify(over),
        ).to.deep.equal([]);
      }
    });
    it("flags a group's inline SSH and RDP rules as well (issue 14: the rule resources alone were checked)", async () => {
      const sg = inline(
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] },
        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/8"] },
        { protocol: "tcp", fromPort: 3389, toPort: 3389, securityGroups: ["sg-bastion"] },
        { protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["fd00::/8"] },
      );
      expect(await messages("security-group-inline-no-ssh-rdp", [sg])).to.deep.equal([
        "ingress on port 22 from 10.0.0.0/8",
        "ingress on port 22/3389 from fd00::/8",
      ]);
      expect(await messages("security-group-inline-no-ssh-rdp", [group("app", "sg-app")])).to.deep.equal([]);
    });
  });

  describe("descriptions and inline rules", () => {
    it("wants a description of its own on groups and rules", async () => {
      expect(
        await messages("security-group-described", [group("a", "sg-a", { description: "" })]),
      ).to.deep.equal(["The security group has no description."]);
      expect(
        await messages("security-group-described", [
          group("a", "sg-a", { description: "Managed by Pulumi" }),
        ]),
      ).to.deep.equal(["The security group has no description."]);
      expect(
        await messages("security-group-ingress-rule-described", [rule("r", { description: "" })]),
      ).to.deep.equal(["The ingress rule has no description."]);
      expect(
        await messages("security-group-egress-rule-described", [res(EGRESS, "e", { ipProtocol: "-1" })]),
      ).to.deep.equal(["The egress rule has no description."]);
    });
    it("flags inline ingress or inline egress", async () => {
      for (const over of [{ ingress: [{ protocol: "tcp" }] }, { egress: [{ protocol: "-1" }] }]) {
        expect(await messages("security-group-no-inline-rules", [group("a", "sg-a", over)])).to.deep.equal([
          "The group has inline rules.",
        ]);
      }
      expect(
        await messages("security-group-no-inline-rules", [group("a", "sg-a", { ingress: [], egress: [] })]),
      ).to.deep.equal([]);
    });
  });

  describe("flow-log-all-traffic", () => {
    const flow = (over: Record<string, unknown>) =>
      res(TYPES.flowLog, "flow", { vpcId: "vpc-1", trafficType: "ALL", logDestination: "arn", ...over });
    it("wants ALL traffic logged to a destination", async () => {
      expect(await messages("flow-log-all-traffic", [flow({})])).to.deep.equal([]);
      expect(await messages("flow-log-all-traffic", [flow({ trafficType: "ACCEPT" })])).to.deep.equal([
        "trafficType is ACCEPT, not ALL.",
      ]);
      const bare = res(TYPES.flowLog, "flow", { vpcId: "vpc-1" });
      expect(await messages("flow-log-all-traffic", [bare])).to.deep.equal([
        "trafficType is unset, not ALL.",
        "No logDestination.",
      ]);
    });
  });

  describe("log-group-retention", () => {
    const logs = (days?: number) =>
      res(LOG_GROUP, "logs", days === undefined ? {} : { retentionInDays: days });
    it("keeps logs 30 days by default, forever passing too, and follows its config", async () => {
      expect(await messages("log-group-retention", [logs(30), logs(0), logs()])).to.deep.equal([]);
      expect(await messages("log-group-retention", [logs(14)])).to.deep.equal([
        "Retention is 14 days; at least 30.",
      ]);
      expect(
        await messages("log-group-retention", [logs(14)], { config: { minRetentionDays: 14 } }),
      ).to.deep.equal([]);
      expect(
        await messages("log-group-retention", [logs(7)], { config: { minRetentionDays: 14 } }),
      ).to.deep.equal(["Retention is 7 days; at least 14."]);
    });
  });

  describe("security-group-world-ingress-only-on-public-alb", () => {
    const name = "security-group-world-ingress-only-on-public-alb";
    const lb = (lbName: string, internal: boolean, sgs: string[]) =>
      res(TYPES.loadBalancer, lbName, { internal, securityGroups: sgs });
    const publicSg = group("public-alb-sg", "sg-public");
    const backendSg = group("backend-sg", "sg-backend");
    const albs = [lb("frontend-alb", false, ["sg-public"]), lb("backend-alb", true, ["sg-backend"])];
    it("lets the world reach only the groups of internet-facing load balancers", async () => {
      expect(
        await messages(name, [
          ...albs,
          publicSg,
          backendSg,
          rule("world", { cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-public" }),
          rule("world6", { cidrIpv6: "::/0", securityGroupId: "sg-public" }),
          rule("private", { cidrIpv4: "10.0.0.0/8", securityGroupId: "sg-backend" }),
          group("public-inline", "sg-public-2", { ingress: [{ cidrBlocks: ["0.0.0.0/0"] }] }),
          lb("other-alb", false, ["sg-public-2"]),
        ]),
      ).to.deep.equal([]);
    });
    it("names the rule and the group it opens, or says it is no group of the stack", async () => {
      const found = await findings(name, [
        ...albs,
        publicSg,
        backendSg,
        rule("to-backend", { cidrIpv6: "::/0", securityGroupId: "sg-backend" }),
        rule("to-unknown", { cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-elsewhere" }),
        group("inline-world", "sg-inline", { ingress: [{ ipv6CidrBlocks: ["::/0"] }] }),
        group("inline-private", "sg-private", { ingress: [{ cidrBlocks: ["10.0.0.0/8"] }] }),
      ]);
      expect(found.messages).to.deep.equal([
        "Rule to-backend opens group backend-sg to the world, and no internet-facing load balancer uses that group.",
        "Rule to-unknown opens a group to the world, and no internet-facing load balancer uses that group.",
        "Group inline-world has inline ingress from the world and is not an internet-facing ALB's group.",
      ]);
      expect(found.on).to.deep.equal(["to-backend", "to-unknown", "inline-world"]);
    });
    it("counts an internal load balancer's group as closed to the world", async () => {
      expect(
        await messages(name, [
          lb("backend-alb", true, ["sg-backend"]),
          backendSg,
          rule("world", { cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-backend" }),
        ]),
      ).to.deep.equal([
        "Rule world opens group backend-sg to the world, and no internet-facing load balancer uses that group.",
      ]);
    });
  });

  describe("vpc-flow-logs", () => {
    const vpc = (name: string, id: string, extra = {}) =>
      res(TYPES.vpc, name, { cidrBlock: "10.0.0.0/16" }, { out: { id }, ...extra });
    const flow = (name: string, vpcId: string, extra = {}) =>
      res(TYPES.flowLog, name, { vpcId, trafficType: "ALL" }, extra);
    it("is not applicable without a VPC", async () => {
      expect((await findings("vpc-flow-logs", [flow("f", "vpc-1")])).notApplicable).to.deep.equal(["No VPC"]);
    });
    it("finds each VPC's flow log by id or property dependency, and names the VPC without one", async () => {
      const a = vpc("a", "vpc-a");
      const b = vpc("b", "vpc-b");
      const c = vpc("c", "vpc-c");
      const found = await findings("vpc-flow-logs", [
        a,
        b,
        c,
        flow("fa", "vpc-a"),
        flow("fb", "unknown-id", dep("vpcId", b)),
      ]);
      expect(found.messages).to.deep.equal(["VPC c has no flow log."]);
      expect(found.on).to.deep.equal(["c"]);
    });
    it("counts a flow log on an awsx Vpc's own aws Vpc for both, whichever is the parent", async () => {
      const awsx = res(TYPES.awsxVpc, "network", {}, { out: { vpcId: "vpc-1" } });
      const child = vpc("network", "vpc-child", { parent: awsx.urn });
      expect(await messages("vpc-flow-logs", [awsx, child, flow("f", "vpc-child")])).to.deep.equal([]);
      expect(await messages("vpc-flow-logs", [awsx, child, flow("f", "vpc-1")])).to.deep.equal([]);
      const stranger = vpc("other", "vpc-other");
      expect(await messages("vpc-flow-logs", [awsx, child, stranger, flow("f", "vpc-other")])).to.deep.equal([
        "VPC network has no flow log.",
        "VPC network has no flow log.",
      ]);
    });
  });
});
