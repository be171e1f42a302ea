/**
 * The app domain's failover records (components/failoverRouting.ts), pure: the chain of pairs from
 * the app domain down to the serve pair. No mocks (the failover mutation run,
 * stryker.failover.config.mjs, runs this file); the records as the control stack registers them are
 * tests/control.test.ts.
 */
import { expect } from "chai";
import { pinChain, pinRecordName } from "../components/failoverRouting";

describe("the failover pairs of the plans", () => {
  it("chains one failover pair per plan: the app domain's for the first, a pin pair per further plan, then the serve pair", () => {
    expect(pinChain("app.example.com", ["ca-central-1"])).to.deep.equal([
      { standby: "ca-central-1", recordName: "app.example.com", primaryTo: "serve.app.example.com" },
    ]);
    expect(pinChain("app.example.com", ["ca-central-1", "eu-west-1", "ap-south-1"])).to.deep.equal([
      {
        standby: "ca-central-1",
        recordName: "app.example.com",
        primaryTo: pinRecordName("app.example.com", "eu-west-1"),
      },
      {
        standby: "eu-west-1",
        recordName: "pin-eu-west-1.app.example.com",
        primaryTo: "pin-ap-south-1.app.example.com",
      },
      {
        standby: "ap-south-1",
        recordName: "pin-ap-south-1.app.example.com",
        primaryTo: "serve.app.example.com",
      },
    ]);
  });
});
