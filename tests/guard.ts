/**
 * Mocha root hooks (loaded by .mocharc.json before any spec): the stack files at the repository's root are the
 * user's (their domain, organization, e-mails, tags, regions), so no spec may depend on them. Every read of one
 * (Pulumi.<stack>.yaml, control/Pulumi.<stack>.yaml) is recorded, unless tests/examples.test.ts makes it inside
 * `readingTheUsersStackFiles`; after the last spec, the run fails naming each reader. The specs read the fixtures
 * instead (tests/fixtures/README.md).
 */
// The module object itself (`import * as` would hand out a copy, and patching it would patch nothing).
import fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const STACK_FILE = /^(control[\\/])?Pulumi\.[^\\/]+\.yaml$/;

/** Whether `file` (a path or URL) is one of the user's stack files. */
export function isUsersStackFile(file: unknown): boolean {
  if (typeof file !== "string" && !(file instanceof URL)) return false;
  const absolute = file instanceof URL ? file.pathname : path.resolve(file);
  return STACK_FILE.test(path.relative(ROOT, absolute));
}

/** Each read of a user's stack file outside `readingTheUsersStackFiles`: the file and where it was read from. */
export const unexpectedReads: { file: string; from: string }[] = [];

let allowed = 0;

/** Runs `check` with reads of the user's stack files allowed: for tests/examples.test.ts only. */
export async function readingTheUsersStackFiles<T>(check: () => Promise<T>): Promise<T> {
  allowed++;
  try {
    return await check();
  } finally {
    allowed--;
  }
}

function record(file: unknown): void {
  if (allowed > 0 || !isUsersStackFile(file)) return;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  const from = stack
    .split("\n")
    .filter((l) => l.includes(`${path.sep}tests${path.sep}`) && !l.includes("guard.ts"))
    .map((l) => l.trim().replace(/^at /, ""))
    .slice(0, 2)
    .join(" ← ");
  unexpectedReads.push({ file: path.relative(ROOT, String(file)), from: from || "(no spec frame)" });
}

/** Wraps an fs function so that it records its first argument before doing what it does. */
function watch<K extends "readFileSync" | "readFile" | "copyFileSync" | "createReadStream">(name: K): void {
  const original = fs[name] as (...args: unknown[]) => unknown;
  (fs as unknown as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
    record(args[0]);
    return original.apply(this, args);
  };
}

watch("readFileSync");
watch("readFile");
watch("copyFileSync");
watch("createReadStream");
const readFilePromise = fs.promises.readFile;
fs.promises.readFile = function (...args: Parameters<typeof readFilePromise>) {
  record(args[0]);
  return readFilePromise.apply(fs.promises, args);
} as typeof readFilePromise;

export const mochaHooks = {
  afterAll(): void {
    if (unexpectedReads.length === 0) return;
    const lines = unexpectedReads.map((r) => `  ${r.file}, read by ${r.from}`);
    throw new Error(
      `specs read the user's stack files at the repository's root (use the fixtures: tests/fixtures/README.md):\n${lines.join("\n")}`,
    );
  },
};
