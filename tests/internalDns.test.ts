/** InternalDns: the private zone of one region's VPC and the backend's alias to the internal ALB. */
import { expect } from "chai";
import { backendHostName, InternalDns, internalZoneName } from "../components/internalDns";
import { runProgram, StackRun } from "../tools/mocks";
import { dependsOn, ofType, one } from "./helpers";

const ALB = "internal-backend-alb-0123456789.ca-central-1.elb.amazonaws.com";

describe("InternalDns", () => {
  let run: StackRun;
  before(async () => {
    run = await runProgram(
      () => {
        const dns = new InternalDns("internal", {
          domain: "app.example.com",
          vpcId: "vpc-0fedcba9876543210",
          region: "ca-central-1",
          loadBalancerDnsName: ALB,
          loadBalancerZoneId: "ZQSVJUPU6J1EY",
        });
        return { zoneId: dns.zoneId, backendName: dns.backendName };
      },
      { stack: "ca-central-1", config: { "aws:region": "ca-central-1" } },
    );
  });

  it("names the backend under a subdomain of its own, not the app domain's zone", () => {
    expect(internalZoneName("app.example.com")).to.equal("internal.app.example.com");
    expect(backendHostName("app.example.com")).to.equal("backend.internal.app.example.com");
    expect(run.outputs.backendName).to.equal("backend.internal.app.example.com");
  });

  it("creates a private zone associated with this region's VPC only", () => {
    const zone = one(run, "aws:route53/zone:Zone");
    expect(zone.inputs.name).to.equal("internal.app.example.com");
    expect(zone.inputs.vpcs).to.deep.equal([{ vpcId: "vpc-0fedcba9876543210", vpcRegion: "ca-central-1" }]);
    expect(zone.inputs).not.to.have.property("delegationSetId");
    expect(run.outputs.zoneId).to.equal(zone.outputs.zoneId);
  });

  it("aliases the backend's name to the internal ALB in that zone", () => {
    const zone = one(run, "aws:route53/zone:Zone");
    const records = ofType(run, "aws:route53/record:Record");
    expect(records).to.have.length(1);
    expect(records[0].inputs).to.deep.include({
      name: "backend.internal.app.example.com",
      type: "A",
      aliases: [{ name: ALB, zoneId: "ZQSVJUPU6J1EY", evaluateTargetHealth: false }],
    });
    expect(dependsOn(records[0], "zoneId", zone)).to.equal(true);
  });
});
