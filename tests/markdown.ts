/**
 * What the docs' tests need to know about Markdown as GitHub renders it: the anchor of each heading
 * and the relative links of a file, outside code blocks.
 */
import * as fs from "fs";
import * as path from "path";
import { ROOT_DIR } from "../tools/mocks";

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The lines of a Markdown text outside fenced code blocks. */
export function proseLines(text: string): string[] {
  let fenced = false;
  return text.split("\n").filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** The anchors a Markdown file (relative to the repository) offers: its headings, a repeated one as
 * GitHub numbers it (`-1`, `-2`, …), and explicit `<a id="…">` / `<a name="…">` targets. */
export function anchorsOf(file: string): Set<string> {
  const text = fs.readFileSync(path.join(ROOT_DIR, file), "utf8");
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of proseLines(text)) {
    const heading = /^#{1,6} (.*)$/.exec(line);
    if (heading) {
      const base = anchor(heading[1].trim());
      const n = seen.get(base) ?? 0;
      anchors.add(n === 0 ? base : `${base}-${n}`);
      seen.set(base, n + 1);
    }
    for (const a of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(a[1]);
  }
  return anchors;
}

/** The relative link targets of a Markdown text (`[text](target)`), outside code blocks and inline
 * code; external (scheme:) links are left out. */
export function relativeLinks(text: string): string[] {
  const links: string[] = [];
  for (const line of proseLines(text)) {
    const prose = line.replace(/`[^`]*`/g, "");
    for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (!/^[a-z][a-z0-9+.-]*:/i.test(m[1])) links.push(m[1]);
    }
  }
  return links;
}
