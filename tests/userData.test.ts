import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import {
  ENVIRONMENT_PATH,
  placeholderService,
  renderPlaceholderService,
  SERVER_PATH,
  validatePlaceholderServiceOptions,
} from "../components/userData";

/** The body of a `cat > <file> <<'<marker>'` heredoc in a rendered script. */
function heredoc(script: string, file: string): string {
  const match = new RegExp(`cat > ${file.replace(/[/.]/g, "\\$&")} <<'(\\w+)'\\n([\\s\\S]*?)\\n\\1\\n`).exec(
    script,
  );
  expect(match, `heredoc for ${file}`).to.not.equal(null);
  return match![2];
}

function environmentOf(script: string): Record<string, string> {
  return Object.fromEntries(
    heredoc(script, ENVIRONMENT_PATH)
      .split("\n")
      .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}

function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((done) => output.apply(done));
}

const FRONTEND = {
  tier: "frontend",
  port: 8080,
  backendUrl: "http://internal-backend-alb-1.elb.amazonaws.com:8080",
};
const BACKEND = {
  tier: "backend",
  port: 8080,
  ssmPrefix: "/multi-region-web/us-east-1",
  region: "us-east-1",
};

describe("placeholderService user data", () => {
  describe("script", () => {
    it("is a bash script that bash parses", () => {
      for (const opts of [FRONTEND, BACKEND]) {
        const script = renderPlaceholderService(opts);
        expect(script.startsWith("#!/bin/bash\n")).to.equal(true);
        expect(script).to.include("set -euo pipefail");
        execFileSync("bash", ["-n"], { input: script });
      }
    });

    it("installs nothing from the internet (AL2023's python3 only)", () => {
      for (const opts of [FRONTEND, BACKEND]) {
        expect(renderPlaceholderService(opts)).not.to.match(/\b(dnf|yum|curl|wget|pip3?|rpm)\b/);
      }
    });

    it("runs the server as an unprivileged systemd service reading the environment file", () => {
      const script = renderPlaceholderService(BACKEND);
      const unit = heredoc(script, "/etc/systemd/system/app.service");
      expect(unit).to.include(`ExecStart=/usr/bin/python3 ${SERVER_PATH}`);
      expect(unit).to.include(`EnvironmentFile=${ENVIRONMENT_PATH}`);
      expect(unit).to.include("DynamicUser=yes");
      expect(unit).to.include("Restart=always");
      expect(unit).not.to.include("CAP_NET_BIND_SERVICE");
      expect(script).to.include("systemctl enable --now app.service");
      expect(
        heredoc(renderPlaceholderService({ tier: "frontend", port: 80 }), "/etc/systemd/system/app.service"),
      ).to.include("AmbientCapabilities=CAP_NET_BIND_SERVICE");
    });

    it("gives the backend its SSM prefix and region and the frontend its backend URL, and nothing else", () => {
      expect(environmentOf(renderPlaceholderService(BACKEND))).to.deep.equal({
        APP_TIER: "backend",
        APP_PORT: "8080",
        APP_SSM_PREFIX: "/multi-region-web/us-east-1",
        APP_REGION: "us-east-1",
      });
      expect(environmentOf(renderPlaceholderService(FRONTEND))).to.deep.equal({
        APP_TIER: "frontend",
        APP_PORT: "8080",
        BACKEND_URL: FRONTEND.backendUrl,
      });
    });

    it("rejects values that would break the script, before any Output is involved", () => {
      expect(() => validatePlaceholderServiceOptions({ tier: "frontend", port: 0 })).to.throw(/port 0/);
      expect(() => validatePlaceholderServiceOptions({ tier: "Front End", port: 8080 })).to.throw(/tier/);
      expect(() =>
        validatePlaceholderServiceOptions({ ...FRONTEND, backendUrl: "http://x\nEvil=1" }),
      ).to.throw(/backendUrl/);
      expect(() =>
        validatePlaceholderServiceOptions({ ...FRONTEND, backendUrl: "http://x/'; rm -rf /" }),
      ).to.throw(/backendUrl/);
      expect(() => validatePlaceholderServiceOptions({ ...BACKEND, ssmPrefix: "/a b" })).to.throw(
        /ssmPrefix/,
      );
      for (const region of ["us-east", "US-EAST-1", "us-east-1\nEvil=1", "us-gov-west-1a"]) {
        expect(() => validatePlaceholderServiceOptions({ ...BACKEND, region })).to.throw(/region/);
      }
      expect(() => validatePlaceholderServiceOptions({ ...BACKEND, region: undefined })).to.throw(
        /ssmPrefix and region go together/,
      );
      expect(() => validatePlaceholderServiceOptions({ ...FRONTEND, region: "us-east-1" })).to.throw(
        /ssmPrefix and region go together/,
      );
      expect(() => placeholderService({ tier: "backend", port: 70000 })).to.throw(/port 70000/);
      expect(() => validatePlaceholderServiceOptions(FRONTEND)).not.to.throw();
      expect(() => validatePlaceholderServiceOptions(BACKEND)).not.to.throw();
      expect(() => validatePlaceholderServiceOptions({ ...BACKEND, region: "us-gov-west-1" })).not.to.throw();
    });

    it("resolves an Output backend URL into the script", async () => {
      const script = await resolve(
        placeholderService({ tier: "frontend", port: 8080, backendUrl: pulumi.output(FRONTEND.backendUrl) }),
      );
      expect(script).to.equal(renderPlaceholderService(FRONTEND));
      expect(await resolve(placeholderService(BACKEND))).to.equal(renderPlaceholderService(BACKEND));
    });
  });

  describe("server (the shipped Python, run locally)", function () {
    this.timeout(20000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "placeholder-"));
    const running: ChildProcess[] = [];

    async function freePort(): Promise<number> {
      return new Promise((done, fail) => {
        const server = net.createServer().listen(0, "127.0.0.1", () => {
          const port = (server.address() as net.AddressInfo).port;
          server.close(() => done(port));
        });
        server.on("error", fail);
      });
    }

    function get(port: number, urlPath: string): Promise<{ status: number; body: string }> {
      return new Promise((done, fail) => {
        http
          .get({ host: "127.0.0.1", port, path: urlPath, timeout: 5000 }, (res) => {
            let body = "";
            res.on("data", (chunk: Buffer) => (body += chunk.toString()));
            res.on("end", () => done({ status: res.statusCode ?? 0, body }));
          })
          .on("error", fail);
      });
    }

    /** Starts the server exactly as the unit would: the script's server.py with its environment file. */
    async function start(script: string): Promise<{ port: number; process: ChildProcess }> {
      const env = environmentOf(script);
      const file = path.join(dir, `${env.APP_TIER}-${env.APP_PORT}.py`);
      fs.writeFileSync(file, heredoc(script, SERVER_PATH));
      const child = spawn("python3", [file], { env: { ...process.env, ...env }, stdio: "ignore" });
      running.push(child);
      const port = Number(env.APP_PORT);
      for (let attempt = 0; attempt < 100; attempt++) {
        try {
          await get(port, "/healthz");
          return { port, process: child };
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      throw new Error(`the ${env.APP_TIER} server did not start`);
    }

    after(() => {
      for (const child of running) child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("answers /healthz with 200 ok, / with its tier, anything else with 404", async () => {
      const backend = await start(renderPlaceholderService({ ...BACKEND, port: await freePort() }));
      expect(await get(backend.port, "/healthz")).to.deep.equal({ status: 200, body: "ok" });
      const root = await get(backend.port, "/");
      expect(root.status).to.equal(200);
      expect(root.body).to.match(/^backend on /);
      expect((await get(backend.port, "/admin")).status).to.equal(404);
    });

    it("frontend / goes through the backend; its /healthz keeps answering when the backend is down", async () => {
      const backend = await start(renderPlaceholderService({ ...BACKEND, port: await freePort() }));
      const frontend = await start(
        renderPlaceholderService({
          tier: "frontend",
          port: await freePort(),
          backendUrl: `http://127.0.0.1:${backend.port}`,
        }),
      );
      const through = await get(frontend.port, "/");
      expect(through.status).to.equal(200);
      expect(through.body).to.match(/^frontend on .* -> backend on /);

      backend.process.kill();
      await new Promise((r) => backend.process.once("exit", r));
      expect(await get(frontend.port, "/healthz")).to.deep.equal({ status: 200, body: "ok" });
      const down = await get(frontend.port, "/");
      expect(down.status).to.equal(502);
      expect(down.body).to.include("backend unavailable");
    });
  });
});
