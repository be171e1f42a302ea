/**
 * Every relative link in the Markdown we ship (the README, CONTRIBUTING, docs/, the policy pack's and
 * the fixtures' READMEs) reaches a file that exists, and a `#section` a heading of that file: a reader
 * at 3 a.m. following "see the runbook, A4" must land on A4.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { ROOT_DIR } from "../tools/mocks";
import { anchor, anchorsOf, relativeLinks } from "./markdown";

const DOCS = [
  "README.md",
  "CONTRIBUTING.md",
  "policy/README.md",
  "tests/fixtures/README.md",
  ...fs
    .readdirSync(path.join(ROOT_DIR, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
].filter((f) => fs.existsSync(path.join(ROOT_DIR, f)));

/** The broken links of one file, as `target: why`. */
function brokenLinks(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT_DIR, file), "utf8");
  const broken: string[] = [];
  for (const link of relativeLinks(text)) {
    const [target, section] = link.split("#", 2);
    const resolved =
      target === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
    if (!fs.existsSync(path.join(ROOT_DIR, resolved))) {
      broken.push(`${link}: no file ${resolved}`);
    } else if (section !== undefined && resolved.endsWith(".md") && !anchorsOf(resolved).has(section)) {
      broken.push(`${link}: no heading in ${resolved} has the anchor #${section}`);
    }
  }
  return broken;
}

describe("links in the docs", () => {
  it("are checked in the README, CONTRIBUTING and every doc under docs/", () => {
    expect(DOCS).to.include.members(["README.md", "CONTRIBUTING.md", "docs/runbook.md", "docs/deploying.md"]);
  });

  for (const file of DOCS) {
    it(`${file}: every relative link reaches a file and section that exist`, () => {
      expect(brokenLinks(file)).to.deep.equal([]);
    });
  }

  it("finds a link to a missing section or file (the check can fail)", () => {
    const tmp = "tests/fixtures/.links-probe.md";
    fs.writeFileSync(
      path.join(ROOT_DIR, tmp),
      "# Probe\n\n[ok](#probe) [gone](#nowhere) [file](../../docs/none.md) [runbook](../../docs/runbook.md#a4-approve-it-as-the-approval-role)\n\n```sh\n[in code](#ignored)\n```\n",
    );
    try {
      expect(brokenLinks(tmp)).to.deep.equal([
        "#nowhere: no heading in tests/fixtures/.links-probe.md has the anchor #nowhere",
        "../../docs/none.md: no file docs/none.md",
      ]);
    } finally {
      fs.unlinkSync(path.join(ROOT_DIR, tmp));
    }
  });

  it("anchors headings as GitHub does", () => {
    expect(anchor("A4. Approve it, as the approval role")).to.equal("a4-approve-it-as-the-approval-role");
    expect(anchor("What `pulumi up` does in each state")).to.equal("what-pulumi-up-does-in-each-state");
  });
});
