/** The benchmark's pure parts: arguments and the median (the timings themselves are not a test). */
import { expect } from "chai";
import { COMMANDS, median, parseBenchArgs } from "../tools/bench";
import * as pkg from "../package.json";

describe("bench", () => {
  it("takes the median of odd and even counts", () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
  });
  it("parses --runs and --json, and rejects bad values naming what is allowed", () => {
    expect(parseBenchArgs(["--runs", "3", "--json", "b.json"])).to.deep.equal({
      runs: 3,
      json: "b.json",
      help: false,
    });
    expect(parseBenchArgs([]).runs).to.equal(5);
    expect(() => parseBenchArgs(["--runs", "0"])).to.throw(/--runs "0": must be an integer from 1 to 100/);
    expect(() => parseBenchArgs(["--fast"])).to.throw(/unknown option "--fast"; allowed: --runs/);
  });
  it("times the same command that npm run plan runs", () => {
    const plan = COMMANDS[1].args.join(" ");
    expect(pkg.scripts.plan).to.equal(`node ${plan.replace(" --no-color", "")}`);
  });
});
