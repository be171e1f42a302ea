/**
 * docs/security.md names files, tests and sections as evidence: every one must exist, so that the
 * table cannot point at a test that was renamed or a file that moved. What each test asserts is the
 * test's own business.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { ROOT_DIR } from "../tools/mocks";
import { anchorsOf } from "./markdown";

const read = (file: string) => fs.readFileSync(path.join(ROOT_DIR, file), "utf8");
const doc = read("docs/security.md");
const rows = doc.split("\n").filter((l) => /^\| \d[a-z]? +\|/.test(l));
const cells = (row: string) => row.split(" | ").map((c) => c.trim());

describe("docs/security.md", () => {
  it("has a row for the high finding (two parts), the four listed mediums and each low of item 6", () => {
    expect(rows.map((r) => cells(r)[0].replace("| ", ""))).to.deep.equal([
      "1a",
      "1b",
      "2",
      "3",
      "4",
      "5",
      "6a",
      "6b",
      "6c",
      "6d",
      "6e",
      "6f",
      "6g",
      "6h",
    ]);
    for (const row of rows) {
      const status = cells(row)[2];
      expect(["fixed", "fixed, with a residual", "stays", "open"], row.slice(0, 60)).to.include(status);
    }
  });

  it("names only files that exist", () => {
    const files = [
      ...doc.matchAll(
        /`((?:components|tests|tools|config|policy|docs|\.github\/workflows)\/[\w./-]+\.\w+)`/g,
      ),
    ].map(([, f]) => f);
    expect(files.length).to.be.greaterThan(15);
    for (const file of files) expect(fs.existsSync(path.join(ROOT_DIR, file)), file).to.equal(true);
  });

  it("quotes test titles that the test files it names hold", () => {
    let quoted = 0;
    for (const row of rows) {
      const evidence = cells(row)[4];
      for (const part of evidence.split(/; (?=`tests\/)/)) {
        const file = /^`(tests\/[\w.]+\.ts)`/.exec(part)?.[1];
        if (!file) continue;
        const source = read(file);
        for (const [, title] of part.matchAll(/"([^"]+)"/g)) {
          quoted++;
          expect(source, `${file}: ${title}`).to.include(`"${title.replace(/\\\*/g, "*")}"`);
        }
      }
    }
    expect(quoted).to.be.greaterThan(15);
  });

  it("links only to sections that exist", () => {
    const links = [...doc.matchAll(/\]\(([\w-]+\.md)?(?:#([\w-]+))?\)/g)];
    expect(links.length).to.be.greaterThan(8);
    for (const [link, file, section] of links) {
      const target = `docs/${file ?? "security.md"}`;
      expect(fs.existsSync(path.join(ROOT_DIR, target)), link).to.equal(true);
      if (section) expect(anchorsOf(target), link).to.include(section);
    }
  });

  it("is linked from docs/compliance.md", () => {
    expect(read("docs/compliance.md")).to.include("(security.md)");
  });
});
