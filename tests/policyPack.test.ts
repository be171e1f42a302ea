/**
 * The pack loads the engine's way: policy/index.ts, run from policy/ as the CLI's policy host runs it,
 * constructs its one PolicyPack, which validates the policies and starts the analyzer server (its port
 * on stdout). The process is stopped once the port appears.
 */
import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

const POLICY_DIR = path.join(__dirname, "..", "policy");

describe("policy pack as the CLI loads it", function () {
  this.timeout(30_000);

  it("has a valid PulumiPolicy.yaml for the Node.js runtime", () => {
    const manifest = YAML.parse(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")) as {
      runtime: string;
      description?: string;
    };
    expect(manifest.runtime).to.equal("nodejs");
    expect(manifest.description).to.be.a("string").and.not.empty;
  });

  it("serves: index.ts builds exactly one PolicyPack and prints the analyzer's port", async () => {
    const child = spawn(process.execPath, ["-r", "sucrase/register/ts", "index.ts"], {
      cwd: POLICY_DIR,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^(\d+)\s*$/m.exec(stdout);
        if (match) resolve(match[1]);
      });
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("exit", (code) => reject(new Error(`pack exited ${code} before serving: ${stderr}`)));
    }).finally(() => child.kill());
    expect(Number(port)).to.be.greaterThan(0);
    expect(stderr).to.equal("");
  });
});
