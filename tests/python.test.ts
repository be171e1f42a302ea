/**
 * The Python the program ships (components/python/): its own unittest modules run here, so that
 * `npm test` (and CI) runs them, and the files are where the components read them at run time.
 * The behaviour specs that run the whole programs against local servers are userData.test.ts and
 * homeProbe.test.ts.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { HOME_PROBE_SOURCE, HOME_PROBE_SOURCE_FILE } from "../components/homeProbe";
import { renderPlaceholderService, SERVER_PY, SERVER_SOURCE_FILE } from "../components/userData";

const PYTHON_DIR = path.join(__dirname, "..", "components", "python");

interface Run {
  status: number | null;
  output: string;
  error?: Error;
}

/** `python3 -m unittest` over components/python, its exit status and its output (unittest reports on stderr). */
function unittest(): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(
      "python3",
      ["-B", "-m", "unittest", "discover", "-s", PYTHON_DIR, "-t", PYTHON_DIR, "-p", "test_*.py"],
      { env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) => resolve({ status: null, output, error }));
    child.on("close", (status) => resolve({ status, output }));
  });
}

// Started when mocha loads this file: the Python runs on the other core while the specs before this
// one run, and `npm test` takes no longer for it.
const run = unittest();

describe("the shipped Python (components/python)", () => {
  it("passes its unittest modules: behaviour, py_compile, oldest grammar, lint", async () => {
    const { status, output, error } = await run;
    if (error) throw error;
    if (status !== 0) expect.fail(`python3 -m unittest exited ${status}:\n${output}`);
    expect(output).to.match(/^Ran [1-9]\d* tests in [\d.]+s\n\nOK\n$/m);
  });

  it("is what the components read at run time, from the files beside them", () => {
    for (const file of [SERVER_SOURCE_FILE, HOME_PROBE_SOURCE_FILE]) {
      expect(path.dirname(file)).to.equal(PYTHON_DIR);
    }
    expect(HOME_PROBE_SOURCE).to.equal(fs.readFileSync(path.join(PYTHON_DIR, "home_probe.py"), "utf8"));
    // Behaviour change: the user data holds the server as it is, comments included (it is
    // gzip-compressed now; userData.ts, gzipUserData).
    const server = fs.readFileSync(path.join(PYTHON_DIR, "placeholder_service.py"), "utf8");
    expect(SERVER_PY).to.equal(server);
    expect(renderPlaceholderService({ tier: "backend", port: 8080 })).to.include(
      `<<'PYEOF'\n${server.trimEnd()}\nPYEOF\n`,
    );
  });

  it("has no line in the server that would end its user-data heredoc early", () => {
    const server = fs.readFileSync(SERVER_SOURCE_FILE, "utf8");
    expect(server.split("\n")).to.not.include("PYEOF");
  });
});
