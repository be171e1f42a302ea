import { ChildProcess, execFileSync, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { gunzipSync } from "zlib";
import { USER_DATA_LIMIT_BYTES } from "../config";
import { parameterKeys } from "../components/integrations";
import {
  encodeUserData,
  ENVIRONMENT_PATH,
  gzipUserData,
  placeholderService,
  renderPlaceholderService,
  SERVER_PATH,
  SERVER_PY,
  tierUserData,
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

/** The script in a launch template's user data: base64, then gzip. */
function unpack(userData: string): string {
  return gunzipSync(Buffer.from(userData, "base64")).toString("utf8");
}

const FRONTEND = {
  tier: "frontend",
  port: 8080,
  backendUrl: "https://backend.internal.app.example.com",
};
const BACKEND = {
  tier: "backend",
  port: 8080,
  ssmPrefix: "/multi-region-web/us-east-1",
  region: "us-east-1",
};

/** The fake instance role's credentials, as IMDS serves them. */
const ROLE_CREDENTIALS = {
  AccessKeyId: "ASIAFAKEROLEKEY",
  SecretAccessKey: "fake/secret+access+key",
  Token: "fake-session-token",
};
const IMDS_TOKEN = "fake-imds-token";
const TABLE = "multi-region-web-table";
/** PostgreSQL's SSLRequest: length 8, code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
/** The application's database user and database, as the data tier publishes them in SSM. */
const DB_USER = "app";
const DB_NAME = "app";
/** sha256 of gzipUserData's bytes for a fixed input, with fflate 0.8.3 (see the test that reads it). */
const GZIP_VECTOR_SHA256 = "d423135374950dfa7df6b6c5ddde77b4ed66930cc95fe3dc6e43701a944dff56";

/**
 * The signature of an IAM database authentication token (a SigV4 presigned GET for rds-db), written
 * from AWS's description of query-string signing, not from the server's code: the fake Aurora checks
 * every token with it.
 */
function presignedSignature(r: { address: string; query: URLSearchParams; secret: string }): string {
  const sha256 = (data: string) => crypto.createHash("sha256").update(data).digest("hex");
  const hmac = (key: Buffer | string, data: string) => crypto.createHmac("sha256", key).update(data).digest();
  // RFC 3986: encodeURIComponent leaves !'()* alone, SigV4 encodes them.
  const encode = (v: string) =>
    encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const pairs = [...r.query.entries()].filter(([name]) => name !== "X-Amz-Signature");
  const canonicalQuery = pairs
    .map(([name, value]) => `${encode(name)}=${encode(value)}`)
    .sort()
    .join("&");
  const amzDate = r.query.get("X-Amz-Date") ?? "";
  const scope = (r.query.get("X-Amz-Credential") ?? "").split("/").slice(1).join("/");
  const request = ["GET", "/", canonicalQuery, `host:${r.address}`, "", "host", sha256("")].join("\n");
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(request)].join("\n");
  const key = scope.split("/").reduce<Buffer | string>(hmac, `AWS4${r.secret}`);
  return hmac(key, stringToSign).toString("hex");
}

interface SignCase {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  region: string;
  service: string;
  credentials: { AccessKeyId: string; SecretAccessKey: string; Token?: string };
  amzDate: string;
}

/**
 * The test's own SigV4 (header signing, no query string), written from AWS's description and not from
 * the server's: the fakes check every request with it, and the tests hold both to AWS's vectors.
 */
function sigv4Signature(r: {
  method: string;
  path: string;
  /** The signed headers, lower-case names. */
  headers: Record<string, string>;
  body: Buffer | string;
  secret: string;
  amzDate: string;
  region: string;
  service: string;
}): string {
  const sha256 = (data: Buffer | string) => crypto.createHash("sha256").update(data).digest("hex");
  const hmac = (key: Buffer | string, data: string) => crypto.createHmac("sha256", key).update(data).digest();
  const names = Object.keys(r.headers).sort();
  const canonicalRequest = [
    r.method,
    r.path,
    "",
    ...names.map((name) => `${name}:${r.headers[name].trim().replace(/\s+/g, " ")}`),
    "",
    names.join(";"),
    sha256(r.body),
  ].join("\n");
  const day = r.amzDate.slice(0, 8);
  const scope = `${day}/${r.region}/${r.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", r.amzDate, scope, sha256(canonicalRequest)].join("\n");
  const key = [day, r.region, r.service, "aws4_request"].reduce<Buffer | string>(hmac, `AWS4${r.secret}`);
  return hmac(key, stringToSign).toString("hex");
}

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

    it("ships the server as it is, comments included, and fits EC2's 16 KB with room to spare once gzipped", async () => {
      const longest = [
        { ...BACKEND, ssmPrefix: `/${"p".repeat(64)}/${"s".repeat(64)}`, region: "ap-southeast-2" },
        {
          ...FRONTEND,
          backendUrl: `https://backend.internal.${"d".repeat(63)}.${"e".repeat(63)}.example.com`,
        },
      ];
      for (const opts of longest) {
        const script = renderPlaceholderService(opts);
        expect(heredoc(script, SERVER_PATH)).to.equal(SERVER_PY.trimEnd());
        const userData = await resolve(placeholderService(opts));
        const raw = Buffer.from(userData, "base64");
        // Behaviour change: EC2's limit is on these bytes, and they use well under half of it.
        expect(raw.length, opts.tier).to.be.below(USER_DATA_LIMIT_BYTES / 2);
        expect(unpack(userData)).to.equal(script);
      }
    });

    it("resolves an Output backend URL into the script", async () => {
      const userData = await resolve(
        placeholderService({ tier: "frontend", port: 8080, backendUrl: pulumi.output(FRONTEND.backendUrl) }),
      );
      expect(unpack(userData)).to.equal(renderPlaceholderService(FRONTEND));
      expect(unpack(await resolve(placeholderService(BACKEND)))).to.equal(renderPlaceholderService(BACKEND));
    });
  });

  describe("gzip and the launch template's encoding", () => {
    it("compresses to the same bytes every time: mtime 0, OS Unix, and a pinned library's output", () => {
      const script = renderPlaceholderService(BACKEND);
      const first = gzipUserData(script);
      const second = gzipUserData(Buffer.from(script, "utf8"));
      expect(first.equals(second)).to.equal(true);
      // RFC 1952: ID1 ID2 CM FLG, MTIME (4 bytes, 0 = none), XFL (2 = maximum compression), OS (3 = Unix).
      expect(first.subarray(0, 10).toString("hex")).to.equal("1f8b0800000000000203");
      // fflate 0.8.3's bytes for a fixed input: a library upgrade that compresses differently changes
      // every launch template, hence rolls every instance. Check this on purpose, then update it.
      const fixed = gzipUserData("#!/bin/bash\necho placeholder\n".repeat(50));
      expect(crypto.createHash("sha256").update(fixed).digest("hex")).to.equal(GZIP_VECTOR_SHA256);
    });

    it("is what Python's gzip (cloud-init's) and zlib uncompress to the script", () => {
      const script = renderPlaceholderService(FRONTEND);
      const packed = gzipUserData(script);
      expect(gunzipSync(packed).toString("utf8")).to.equal(script);
      const unpacked = execFileSync(
        "python3",
        ["-c", "import gzip, sys; sys.stdout.buffer.write(gzip.decompress(sys.stdin.buffer.read()))"],
        {
          input: packed,
        },
      );
      expect(unpacked.toString("utf8")).to.equal(script);
    });

    it("base64-encodes the raw bytes, and refuses more than EC2's 16 KB of them", () => {
      const bytes = Buffer.from([0x1f, 0x8b, 0x00, 0xff, 0x0a]);
      expect(Buffer.from(encodeUserData("x", bytes), "base64").equals(bytes)).to.equal(true);
      expect(encodeUserData("x", Buffer.alloc(USER_DATA_LIMIT_BYTES))).to.have.length(21848);
      expect(() =>
        encodeUserData("backend placeholder service", Buffer.alloc(USER_DATA_LIMIT_BYTES + 1)),
      ).to.throw(
        /backend placeholder service: 16385 bytes of user data, more than EC2's 16384 \(before base64\)/,
      );
    });

    it("gives a tier the placeholder, nothing, or its file's bytes as they are", async () => {
      const placeholder = tierUserData("backend.userData", { userData: "placeholder" }, BACKEND);
      expect(unpack(await resolve(placeholder!))).to.equal(renderPlaceholderService(BACKEND));
      expect(tierUserData("backend.userData", { userData: "none" }, BACKEND)).to.equal(undefined);
      const file = "tests/fixtures/userData/app.sh";
      const own = await resolve(tierUserData("frontend.userData", { userData: file }, FRONTEND)!);
      expect(Buffer.from(own, "base64").equals(fs.readFileSync(path.join(__dirname, "..", file)))).to.equal(
        true,
      );
      expect(() =>
        tierUserData("frontend.userData", { userData: "tests/fixtures/userData/missing.sh" }, FRONTEND),
      ).to.throw(
        /Invalid config "frontend.userData" = "tests\/fixtures\/userData\/missing.sh": must be placeholder, none, or a file/,
      );
    });
  });

  describe("server (the shipped Python, run locally)", function () {
    this.timeout(5000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "placeholder-"));
    const running: ChildProcess[] = [];
    const servers: (http.Server | net.Server)[] = [];
    const auroraSockets = new Set<net.Socket>();
    /** AWS endpoints for servers that get no fakes: a 503 for every request, never the real AWS or IMDS. */
    let offline: Record<string, string> = {};

    function listen<S extends http.Server | net.Server>(server: S): Promise<number> {
      servers.push(server);
      return new Promise((done, fail) => {
        server.on("error", fail);
        server.listen(0, "127.0.0.1", () => done((server.address() as net.AddressInfo).port));
      });
    }

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

    /** Any method: the status, headers and body, and what was asked (for messages). */
    function request(
      port: number,
      method: string,
      urlPath: string,
    ): Promise<{ request: string; status: number; headers: http.IncomingHttpHeaders; body: string }> {
      return new Promise((done, fail) => {
        http
          .request({ host: "127.0.0.1", port, method, path: urlPath, timeout: 5000 }, (res) => {
            let body = "";
            res.on("data", (chunk: Buffer) => (body += chunk.toString()));
            res.on("end", () =>
              done({
                request: `${method} ${urlPath}`,
                status: res.statusCode ?? 0,
                headers: res.headers,
                body,
              }),
            );
          })
          .on("error", fail)
          .end();
      });
    }

    async function timed<T>(promise: Promise<T>): Promise<[T, number]> {
      const started = Date.now();
      const result = await promise;
      return [result, Date.now() - started];
    }

    /**
     * The journal once it holds `expected`, or as it is after `ms`: the server logs after it answers,
     * so a test that reads it right after the response races the child's stderr pipe (seen under load).
     */
    async function journalWith(journal: () => string, expected: string | RegExp, ms = 5000): Promise<string> {
      const holds = () =>
        typeof expected === "string" ? journal().includes(expected) : expected.test(journal());
      for (const deadline = Date.now() + ms; !holds() && Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, 20));
      }
      return journal();
    }

    /** Starts the server exactly as the unit would: the script's server.py with its environment file. */
    async function start(
      script: string,
      extraEnv: Record<string, string> = {},
    ): Promise<{ port: number; process: ChildProcess; journal: () => string }> {
      const env = environmentOf(script);
      const file = path.join(dir, `${env.APP_TIER}-${env.APP_PORT}.py`);
      fs.writeFileSync(file, heredoc(script, SERVER_PATH));
      const child = spawn("python3", [file], {
        env: { ...process.env, ...offline, ...env, ...extraEnv },
        stdio: ["ignore", "ignore", "pipe"],
      });
      running.push(child);
      // What systemd would keep in the journal: the server's stderr.
      let journal = "";
      child.stderr?.on("data", (chunk: Buffer) => (journal += chunk.toString()));
      const port = Number(env.APP_PORT);
      for (let attempt = 0; attempt < 100; attempt++) {
        try {
          await get(port, "/healthz");
          return { port, process: child, journal: () => journal };
        } catch {
          await new Promise((r) => setTimeout(r, 25));
        }
      }
      throw new Error(`the ${env.APP_TIER} server did not start`);
    }

    before(async () => {
      execFileSync(
        "openssl",
        ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
          .concat(["-keyout", path.join(dir, "aurora-key.pem"), "-out", path.join(dir, "aurora-cert.pem")])
          .concat(["-days", "1", "-subj", "/CN=aurora.invalid"]),
        { stdio: "ignore" },
      );
      auroraCertificate = {
        key: fs.readFileSync(path.join(dir, "aurora-key.pem")),
        cert: fs.readFileSync(path.join(dir, "aurora-cert.pem")),
      };
      const unavailable = `http://127.0.0.1:${await listen(
        http.createServer((_req, res) => res.writeHead(503).end()),
      )}`;
      offline = {
        AWS_EC2_METADATA_SERVICE_ENDPOINT: unavailable,
        AWS_ENDPOINT_URL_SSM: unavailable,
        AWS_ENDPOINT_URL_DYNAMODB: unavailable,
      };
    });

    after(() => {
      for (const child of running) child.kill();
      for (const server of servers) {
        if (server instanceof http.Server) server.closeAllConnections();
        server.close();
      }
      for (const socket of auroraSockets) socket.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("answers /healthz with 200 ok, / with its tier, anything else with 404", async () => {
      const backend = await start(renderPlaceholderService({ ...BACKEND, port: await freePort() }));
      expect(await get(backend.port, "/healthz")).to.deep.equal({ status: 200, body: "ok" });
      // Behaviour change (issue 21.5): the tier, never the host name.
      expect(await get(backend.port, "/")).to.deep.equal({
        status: 200,
        body: "backend: placeholder service\n",
      });
      expect((await get(backend.port, "/admin")).status).to.equal(404);
    });

    it("reveals nothing: no Server header, no host name, no Python version, no echo of a bad request", async () => {
      const backend = await start(renderPlaceholderService({ ...BACKEND, port: await freePort() }));
      const answers = await Promise.all(
        [
          ["GET", "/"],
          ["GET", "/healthz"],
          ["GET", "/healthz/deep"],
          ["GET", "/nowhere"],
          ["POST", "/healthz"],
          ["PUT", "/%3Cscript%3E"],
          ["OPTIONS", "*"],
        ].map(([method, urlPath]) => request(backend.port, method, urlPath)),
      );
      for (const answer of answers) {
        expect(answer.headers.server, answer.request).to.equal(undefined);
        const shown = `${JSON.stringify(answer.headers)} ${answer.body}`;
        for (const secret of [os.hostname(), "Python", "BaseHTTP", "script", "Traceback", "127.0.0.1"]) {
          expect(shown, `${answer.request} shows ${secret}`).not.to.include(secret);
        }
      }
      expect(answers.find((a) => a.request === "POST /healthz")).to.deep.include({
        status: 501,
        body: "501 Not Implemented\n",
      });
      // The details are in the journal.
      const unsupported = /code 501, message Unsupported method \('POST'\)/;
      expect(await journalWith(backend.journal, unsupported)).to.match(unsupported);
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
      expect(await get(frontend.port, "/")).to.deep.equal({
        status: 200,
        body: "frontend -> backend: placeholder service\n",
      });

      backend.process.kill();
      await new Promise((r) => backend.process.once("exit", r));
      expect(await get(frontend.port, "/healthz")).to.deep.equal({ status: 200, body: "ok" });
      expect(await get(frontend.port, "/")).to.deep.equal({
        status: 502,
        body: "frontend: backend unavailable\n",
      });
      const refused = /backend http:\/\/127\.0\.0\.1:\d+\/ failed: .*Connection refused/;
      expect(await journalWith(frontend.journal, refused)).to.match(refused);
    });

    /** A fake AWS: IMDSv2, SSM and DynamoDB that check every request's SigV4 signature, and Aurora. */
    interface Fakes {
      env: Record<string, string>;
      calls: { imds: number; ssm: number; dynamodb: number; aurora: number };
      /** What a fake refused: a bad signature, target, content type or body. Empty in every test. */
      rejected: string[];
      getItems: unknown[];
      ssmUp: boolean;
      credentialsLifetimeMs: number;
      dynamodb: "ok" | "error" | "hang";
      /** login: TLS, a valid token for DB_USER, logged in; refuse: an ErrorResponse to the token. */
      aurora: "login" | "refuse" | "N" | "silent";
      /** Sessions that logged in and then sent Terminate. */
      auroraLogouts: number;
    }

    function readBody(req: http.IncomingMessage): Promise<Buffer> {
      return new Promise((done) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => done(Buffer.concat(chunks)));
      });
    }

    function sendJson(res: http.ServerResponse, status: number, body: unknown, contentType: string): void {
      res.writeHead(status, { "Content-Type": contentType }).end(JSON.stringify(body));
    }

    /** Why a request is not one AWS would accept from the fake role, or undefined. */
    function signingProblem(
      req: http.IncomingMessage,
      body: Buffer,
      service: string,
      target: string,
      contentType: string,
    ): string | undefined {
      const auth =
        /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
          req.headers.authorization ?? "",
        );
      if (!auth) return `Authorization ${req.headers.authorization}`;
      const [, keyId, day, region, signingName, signedHeaders, signature] = auth;
      if (keyId !== ROLE_CREDENTIALS.AccessKeyId || region !== "us-east-1" || signingName !== service) {
        return `credential scope ${auth[1]}/${day}/${region}/${signingName}`;
      }
      const names = signedHeaders.split(";");
      for (const name of ["content-type", "host", "x-amz-date", "x-amz-security-token", "x-amz-target"]) {
        if (!names.includes(name)) return `${name} not signed`;
      }
      if (req.headers["x-amz-target"] !== target)
        return `X-Amz-Target ${String(req.headers["x-amz-target"])}`;
      if (req.headers["content-type"] !== contentType) return `Content-Type ${req.headers["content-type"]}`;
      if (req.headers["x-amz-security-token"] !== ROLE_CREDENTIALS.Token) return "session token";
      const amzDate = String(req.headers["x-amz-date"]);
      const skew = Math.abs(
        Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z")) -
          Date.now(),
      );
      if (!(skew < 5 * 60_000) || !amzDate.startsWith(day)) return `X-Amz-Date ${amzDate}`;
      const expected = sigv4Signature({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: Object.fromEntries(names.map((name) => [name, String(req.headers[name])])),
        body,
        secret: ROLE_CREDENTIALS.SecretAccessKey,
        amzDate,
        region,
        service,
      });
      return signature === expected ? undefined : "signature does not match";
    }

    /** IMDSv2: a token for a PUT, then the role's name and credentials for requests that carry it. */
    function imdsAnswer(req: http.IncomingMessage, lifetimeMs: number): [number, string] {
      const base = "/latest/meta-data/iam/security-credentials/";
      if (req.method === "PUT" && req.url === "/latest/api/token") {
        const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
        return ttl >= 1 && ttl <= 21600 ? [200, IMDS_TOKEN] : [400, ""];
      }
      if (req.method !== "GET" || req.headers["x-aws-ec2-metadata-token"] !== IMDS_TOKEN) return [401, ""];
      if (req.url === base) return [200, "backend-role"];
      if (req.url !== `${base}backend-role`) return [404, ""];
      const expiration = new Date(Date.now() + lifetimeMs).toISOString().replace(/\.\d+Z$/, "Z");
      return [200, JSON.stringify({ Code: "Success", ...ROLE_CREDENTIALS, Expiration: expiration })];
    }

    /** The fake Aurora's TLS certificate (self-signed: the server does not verify Aurora's). */
    let auroraCertificate: { key: Buffer; cert: Buffer };

    /** Why a password is not an IAM token AWS would accept from the fake role for DB_USER here, or undefined. */
    function tokenProblem(token: string, port: number): string | undefined {
      const match = /^([^/]+)\/\?(.*)$/.exec(token);
      if (!match) return `not host:port/?query: ${token}`;
      const [, address, query] = match;
      if (address !== `127.0.0.1:${port}`) return `address ${address}`;
      const params = new URLSearchParams(query);
      const amzDate = params.get("X-Amz-Date") ?? "";
      const expected: Record<string, string> = {
        Action: "connect",
        DBUser: DB_USER,
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": `${ROLE_CREDENTIALS.AccessKeyId}/${amzDate.slice(0, 8)}/us-east-1/rds-db/aws4_request`,
        "X-Amz-Expires": "900",
        "X-Amz-SignedHeaders": "host",
        "X-Amz-Security-Token": ROLE_CREDENTIALS.Token,
      };
      for (const [name, value] of Object.entries(expected)) {
        if (params.get(name) !== value) return `${name} ${params.get(name)}`;
      }
      const skew = Math.abs(
        Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z")) -
          Date.now(),
      );
      if (!(skew < 5 * 60_000)) return `X-Amz-Date ${amzDate}`;
      const signature = presignedSignature({
        address,
        query: params,
        secret: ROLE_CREDENTIALS.SecretAccessKey,
      });
      return params.get("X-Amz-Signature") === signature ? undefined : "signature does not match";
    }

    async function startFakes(): Promise<Fakes> {
      const fakes: Fakes = {
        env: {},
        calls: { imds: 0, ssm: 0, dynamodb: 0, aurora: 0 },
        rejected: [],
        getItems: [],
        ssmUp: true,
        credentialsLifetimeMs: 3600_000,
        dynamodb: "ok",
        aurora: "login",
        auroraLogouts: 0,
      };
      const imdsPort = await listen(
        http.createServer((req, res) => {
          fakes.calls.imds++;
          const [status, body] = imdsAnswer(req, fakes.credentialsLifetimeMs);
          res.writeHead(status).end(body);
        }),
      );
      // Aurora: the SSLRequest, then TLS, a StartupMessage for DB_USER, a cleartext password that must be a
      // valid IAM token for this host and port, AuthenticationOk, ReadyForQuery and the client's Terminate.
      const auroraServer = net.createServer((socket) => {
        fakes.calls.aurora++;
        auroraSockets.add(socket);
        socket.on("error", () => undefined);
        socket.once("data", (data: Buffer) => {
          if (!data.equals(SSL_REQUEST)) {
            fakes.rejected.push(`aurora: ${data.toString("hex")}`);
            return;
          }
          if (fakes.aurora === "silent") return;
          if (fakes.aurora === "N") {
            socket.end("N");
            return;
          }
          socket.write("S");
          const secure = new tls.TLSSocket(socket, { isServer: true, ...auroraCertificate });
          auroraSockets.add(secure);
          secure.on("error", () => undefined);
          let buffered = Buffer.alloc(0);
          let started = false;
          const send = (kind: string, body: Buffer) => {
            const header = Buffer.alloc(5);
            header.write(kind, 0);
            header.writeUInt32BE(body.length + 4, 1);
            secure.write(Buffer.concat([header, body]));
          };
          secure.on("data", (chunk: Buffer) => {
            buffered = Buffer.concat([buffered, chunk]);
            if (!started) {
              if (buffered.length < 4 || buffered.length < buffered.readUInt32BE(0)) return;
              const length = buffered.readUInt32BE(0);
              const [version, ...fields] = [
                buffered.readUInt32BE(4),
                ...buffered.subarray(8, length).toString().split("\0"),
              ];
              buffered = buffered.subarray(length);
              started = true;
              const params = Object.fromEntries(
                fields.flatMap((f, i) => (i % 2 === 0 && f ? [[f, fields[i + 1]]] : [])),
              );
              if (version !== 196608 || params.user !== DB_USER || params.database !== DB_NAME) {
                fakes.rejected.push(`aurora startup: ${version} ${JSON.stringify(params)}`);
              }
              send("R", Buffer.from([0, 0, 0, 3]));
              return;
            }
            while (buffered.length >= 5 && buffered.length >= 1 + buffered.readUInt32BE(1)) {
              const kind = buffered.toString("latin1", 0, 1);
              const body = buffered.subarray(5, 1 + buffered.readUInt32BE(1));
              buffered = buffered.subarray(1 + buffered.readUInt32BE(1));
              if (kind === "X") {
                fakes.auroraLogouts++;
                secure.end();
              } else if (kind !== "p") {
                fakes.rejected.push(`aurora message ${kind}`);
              } else {
                const problem = tokenProblem(body.subarray(0, body.length - 1).toString(), auroraPort);
                if (problem) fakes.rejected.push(`aurora token: ${problem}`);
                if (problem || fakes.aurora === "refuse") {
                  send("E", Buffer.from('SFATAL\0C28000\0MPAM authentication failed for user "app"\0\0'));
                  secure.end();
                  continue;
                }
                send("R", Buffer.from([0, 0, 0, 0]));
                send("S", Buffer.from("server_version\x0017.9\0"));
                send("K", Buffer.alloc(8));
                send("Z", Buffer.from("I"));
              }
            }
          });
        });
      });
      const auroraPort = await listen(auroraServer);
      // Every parameter the data tier writes: more than one page (10) of GetParametersByPath.
      const values: Record<string, string> = {
        "db/readerEndpoint": "127.0.0.1",
        "db/port": String(auroraPort),
        "db/user": DB_USER,
        "db/name": DB_NAME,
        "dynamodb/tableName": TABLE,
      };
      const parameters = parameterKeys("ses").map((key) => ({
        Name: `${BACKEND.ssmPrefix}/${key}`,
        Type: "String",
        Value: values[key] ?? "unused",
      }));
      const ssmPort = await listen(
        http.createServer((req, res) => {
          fakes.calls.ssm++;
          const contentType = "application/x-amz-json-1.1";
          void readBody(req).then((body) => {
            const request = JSON.parse(body.toString()) as {
              Path?: string;
              Recursive?: boolean;
              NextToken?: string;
            };
            const problem =
              signingProblem(req, body, "ssm", "AmazonSSM.GetParametersByPath", contentType) ??
              (request.Path === `${BACKEND.ssmPrefix}/` && request.Recursive === true
                ? undefined
                : `request ${body.toString()}`);
            if (problem) {
              fakes.rejected.push(`ssm: ${problem}`);
              return sendJson(res, 400, { __type: "ValidationException" }, contentType);
            }
            if (!fakes.ssmUp) return sendJson(res, 500, { __type: "InternalServerError" }, contentType);
            const start = request.NextToken === "page-2" ? 10 : 0;
            sendJson(
              res,
              200,
              {
                Parameters: parameters.slice(start, start + 10),
                ...(start === 0 ? { NextToken: "page-2" } : {}),
              },
              contentType,
            );
          });
        }),
      );
      const dynamodbPort = await listen(
        http.createServer((req, res) => {
          fakes.calls.dynamodb++;
          const contentType = "application/x-amz-json-1.0";
          void readBody(req).then((body) => {
            const problem = signingProblem(req, body, "dynamodb", "DynamoDB_20120810.GetItem", contentType);
            if (problem) {
              fakes.rejected.push(`dynamodb: ${problem}`);
              return sendJson(
                res,
                400,
                { __type: "com.amazon.coral.service#InvalidSignatureException" },
                contentType,
              );
            }
            fakes.getItems.push(JSON.parse(body.toString()));
            if (fakes.dynamodb === "ok") return sendJson(res, 200, {}, contentType);
            if (fakes.dynamodb === "error") {
              return sendJson(
                res,
                500,
                { __type: "com.amazonaws.dynamodb.v20120810#InternalServerError" },
                contentType,
              );
            }
            // "hang": no answer at all.
          });
        }),
      );
      fakes.env = {
        AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${imdsPort}`,
        AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${ssmPort}`,
        AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${dynamodbPort}`,
      };
      return fakes;
    }

    async function startBackend(fakes?: Fakes): ReturnType<typeof start> {
      return start(renderPlaceholderService({ ...BACKEND, port: await freePort() }), fakes?.env);
    }

    async function startFrontend(backendUrl: string, env: Record<string, string> = {}): Promise<number> {
      return (
        await start(renderPlaceholderService({ tier: "frontend", port: await freePort(), backendUrl }), env)
      ).port;
    }

    /** The first deep answer once the backend has read its parameters (it reads them in the background). */
    async function deepOnceConfigured(port: number): Promise<{ status: number; body: string }> {
      for (let attempt = 0; attempt < 100; attempt++) {
        const answer = await get(port, "/healthz/deep");
        if (answer.body !== "not configured\n") return answer;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error("the backend never read its SSM parameters");
    }

    describe("backend /healthz/deep", () => {
      it("is 200 when the app's user logs in to Aurora with an IAM token and a signed GetItem succeeds, with parameters read from every SSM page", async () => {
        const fakes = await startFakes();
        const backend = await startBackend(fakes);
        expect(await deepOnceConfigured(backend.port)).to.deep.equal({
          status: 200,
          body: "ok: aurora, dynamodb\n",
        });
        expect(fakes.rejected).to.deep.equal([]);
        // Logged in (a valid token for the user and database from SSM, over TLS) and out again.
        expect(fakes.auroraLogouts).to.equal(1);
        // One IMDSv2 session (token, role, credentials) serves both SSM pages and the GetItem.
        expect(fakes.calls).to.deep.equal({ imds: 3, ssm: 2, dynamodb: 1, aurora: 1 });
        expect(fakes.getItems).to.deep.equal([
          { TableName: TABLE, Key: { pk: { S: "healthz" }, sk: { S: "healthz" } } },
        ]);
      });

      it("fetches the role's credentials again once they expire within 5 minutes", async () => {
        const fakes = await startFakes();
        fakes.credentialsLifetimeMs = 4 * 60_000;
        const backend = await startBackend(fakes);
        expect((await deepOnceConfigured(backend.port)).status).to.equal(200);
        // Three IMDS calls for each use: two SSM pages, the GetItem and the Aurora login's token.
        expect(fakes.calls).to.deep.equal({ imds: 12, ssm: 2, dynamodb: 1, aurora: 1 });
      });

      it("checks once per 5 s: a second call answers from the cache without touching any dependency", async () => {
        const fakes = await startFakes();
        const backend = await startBackend(fakes);
        const first = await deepOnceConfigured(backend.port);
        const calls = { ...fakes.calls };
        fakes.aurora = "N";
        fakes.dynamodb = "error";
        const again = await Promise.all([1, 2, 3].map(() => get(backend.port, "/healthz/deep")));
        expect(again).to.deep.equal([first, first, first]);
        expect(first.status).to.equal(200);
        expect(fakes.calls).to.deep.equal(calls);
      });

      it("is 503 naming Aurora when it answers N to the SSLRequest", async () => {
        const fakes = await startFakes();
        fakes.aurora = "N";
        const backend = await startBackend(fakes);
        const answer = await deepOnceConfigured(backend.port);
        // Behaviour change (issue 21.5): a reason from a fixed list; the details in the journal.
        expect(answer).to.deep.equal({ status: 503, body: "failed: aurora: unavailable\n" });
        expect(await journalWith(backend.journal, "SSLRequest answered b'N'")).to.include(
          "SSLRequest answered b'N'",
        );
        expect(fakes.rejected).to.deep.equal([]);
      });

      it("is 503 'login refused' when Aurora refuses the token (the user or its rds_iam grant missing)", async () => {
        const fakes = await startFakes();
        fakes.aurora = "refuse";
        const backend = await startBackend(fakes);
        const answer = await deepOnceConfigured(backend.port);
        expect(answer).to.deep.equal({ status: 503, body: "failed: aurora: login refused\n" });
        const pam = 'PAM authentication failed for user "app"';
        expect(await journalWith(backend.journal, pam)).to.include(pam);
        expect(fakes.rejected).to.deep.equal([]);
        expect(fakes.auroraLogouts).to.equal(0);
      });

      it("is 503 within about 0.8 s when Aurora does not answer", async () => {
        const fakes = await startFakes();
        fakes.aurora = "silent";
        const backend = await startBackend(fakes);
        const [answer, elapsed] = await timed(deepOnceConfigured(backend.port));
        expect(answer).to.deep.equal({ status: 503, body: "failed: aurora: timed out after 0.8s\n" });
        expect(elapsed).to.be.within(750, 1300);
      });

      it("is 503 naming DynamoDB when it answers 500, and shows no endpoint or table", async () => {
        const fakes = await startFakes();
        fakes.dynamodb = "error";
        const backend = await startBackend(fakes);
        const answer = await deepOnceConfigured(backend.port);
        expect(answer).to.deep.equal({
          status: 503,
          body: "failed: dynamodb: HTTP 500\n",
        });
        expect(answer.body).not.to.include(TABLE).and.not.to.include("127.0.0.1");
        expect(fakes.rejected).to.deep.equal([]);
      });

      it("is 503 within about 0.8 s when DynamoDB hangs", async () => {
        const fakes = await startFakes();
        fakes.dynamodb = "hang";
        const backend = await startBackend(fakes);
        const [answer, elapsed] = await timed(deepOnceConfigured(backend.port));
        expect(answer).to.deep.equal({ status: 503, body: "failed: dynamodb: timed out after 0.8s\n" });
        expect(elapsed).to.be.within(750, 1300);
      });

      it("is 503 not configured until SSM answers, then reads it on a background retry", async () => {
        const fakes = await startFakes();
        fakes.ssmUp = false;
        const backend = await startBackend(fakes);
        for (let attempt = 0; fakes.calls.ssm === 0 && attempt < 100; attempt++) {
          await new Promise((r) => setTimeout(r, 10));
        }
        expect(await get(backend.port, "/healthz/deep")).to.deep.equal({
          status: 503,
          body: "not configured\n",
        });
        expect(fakes.calls).to.deep.include({ dynamodb: 0, aurora: 0 });
        fakes.ssmUp = true;
        const [answer, elapsed] = await timed(deepOnceConfigured(backend.port));
        expect(answer.status).to.equal(200);
        expect(elapsed).to.be.below(1500);
      });

      it("leaves /healthz at 200 while the dependencies are down or hanging", async () => {
        const offlineBackend = await startBackend();
        expect(await get(offlineBackend.port, "/healthz")).to.deep.equal({ status: 200, body: "ok" });
        expect(await get(offlineBackend.port, "/healthz/deep")).to.deep.equal({
          status: 503,
          body: "not configured\n",
        });

        const fakes = await startFakes();
        fakes.aurora = "silent";
        fakes.dynamodb = "hang";
        const backend = await startBackend(fakes);
        const deep = deepOnceConfigured(backend.port);
        await new Promise((r) => setTimeout(r, 100));
        const [shallow, elapsed] = await timed(get(backend.port, "/healthz"));
        expect(shallow).to.deep.equal({ status: 200, body: "ok" });
        expect(elapsed).to.be.below(300);
        expect(await deep).to.deep.equal({
          status: 503,
          body: "failed: aurora: timed out after 0.8s; dynamodb: timed out after 0.8s\n",
        });
      });
    });

    describe("frontend /healthz/deep", () => {
      /** A stand-in backend: answers /healthz/deep with the given status, or never. */
      async function fakeBackend(status: number | "hang"): Promise<string> {
        const port = await listen(
          http.createServer((_req, res) => {
            if (status !== "hang") res.writeHead(status).end(`failed: aurora: timed out after 0.5s\n`);
          }),
        );
        return `http://127.0.0.1:${port}`;
      }

      it("is 200 when the backend's deep check passes (frontend → backend → fake AWS)", async () => {
        const fakes = await startFakes();
        const backend = await startBackend(fakes);
        await deepOnceConfigured(backend.port);
        const frontend = await startFrontend(`http://127.0.0.1:${backend.port}`);
        expect(await get(frontend, "/healthz/deep")).to.deep.equal({
          status: 200,
          body: "ok: backend (ok: aurora, dynamodb)\n",
        });
      });

      it("is 503 with the backend's reason when the backend answers 503", async () => {
        const frontend = await startFrontend(await fakeBackend(503));
        expect(await get(frontend, "/healthz/deep")).to.deep.equal({
          status: 503,
          body: "failed: backend: HTTP 503 failed: aurora: timed out after 0.5s\n",
        });
      });

      it("is 503 within its 1.5 s budget when the backend hangs, well inside Route 53's 2 s", async () => {
        const frontend = await startFrontend(await fakeBackend("hang"));
        const deep = timed(get(frontend, "/healthz/deep"));
        expect(await get(frontend, "/healthz")).to.deep.equal({ status: 200, body: "ok" });
        const [answer, elapsed] = await deep;
        expect(answer).to.deep.equal({ status: 503, body: "failed: backend: timed out after 1.5s\n" });
        expect(elapsed).to.be.within(1400, 1900);
      });

      it("is 503 when the backend refuses the connection", async () => {
        const frontend = await startFrontend(`http://127.0.0.1:${await freePort()}`);
        expect(await get(frontend, "/healthz/deep")).to.deep.equal({
          status: 503,
          body: "failed: backend: unavailable\n",
        });
      });

      it("verifies an https backend's certificate against the system CA bundle", async () => {
        execFileSync(
          "openssl",
          [
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            path.join(dir, "key.pem"),
            "-out",
            path.join(dir, "cert.pem"),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
          ],
          { stdio: "ignore" },
        );
        const tls = {
          key: fs.readFileSync(path.join(dir, "key.pem")),
          cert: fs.readFileSync(path.join(dir, "cert.pem")),
        };
        const port = await listen(
          https.createServer(tls, (_req, res) => res.writeHead(200).end("ok: aurora, dynamodb\n")),
        );
        // SSL_CERT_FILE replaces OpenSSL's default bundle: trusted, the self-signed certificate passes.
        const trusting = await startFrontend(`https://localhost:${port}`, {
          SSL_CERT_FILE: path.join(dir, "cert.pem"),
        });
        const verifying = await startFrontend(`https://localhost:${port}`);
        expect(await get(trusting, "/healthz/deep")).to.deep.equal({
          status: 200,
          body: "ok: backend (ok: aurora, dynamodb)\n",
        });
        expect(await get(verifying, "/healthz/deep")).to.deep.equal({
          status: 503,
          body: "failed: backend: unavailable\n",
        });
      });
    });

    /**
     * `call(c)` of the shipped server.py (imported as `server`, with `datetime`) on each case: `body` is
     * the function's body, one line each.
     */
    function pythonEach<T>(cases: unknown[], body: string[]): T[] {
      const file = path.join(dir, "each-server.py");
      fs.writeFileSync(file, heredoc(renderPlaceholderService(BACKEND), SERVER_PATH));
      const program = [
        "import datetime, importlib.util, json, sys",
        "spec = importlib.util.spec_from_file_location('server', sys.argv[1])",
        "server = importlib.util.module_from_spec(spec)",
        "spec.loader.exec_module(server)",
        "def call(c):",
        ...body.map((line) => `    ${line}`),
        "print(json.dumps([call(c) for c in json.loads(sys.argv[2])]))",
      ].join("\n");
      return JSON.parse(
        execFileSync("python3", ["-c", program, file, JSON.stringify(cases)]).toString(),
      ) as T[];
    }

    describe("IAM database authentication token", () => {
      /** The server's own db_auth_token(), on each case: host, port, user, region, credentials, date. */
      const pythonToken = (cases: unknown[][]) =>
        pythonEach<string>(cases, [
          "now = datetime.datetime.strptime(c[5], '%Y%m%dT%H%M%SZ')",
          "return server.db_auth_token(c[0], c[1], c[2], c[3], c[4], now)",
        ]);

      // botocore 1.43.11's generate_db_auth_token on the same input, its clock fixed:
      //   session.set_credentials(key, secret, token); client = session.create_client("rds", region_name=region)
      //   with mock.patch.object(botocore.auth.datetime, "datetime", wraps=datetime.datetime) as m:
      //       m.utcnow.return_value = m.now.return_value = datetime.datetime(2026, 1, 2, 3, 4, 5)
      //       client.generate_db_auth_token(host, port, user)
      const VECTORS: [unknown[], string][] = [
        [
          [
            "multi-region-web-us-east-1-cluster.cluster-ro-abc123.us-east-1.rds.amazonaws.com",
            5432,
            "app",
            "us-east-1",
            ROLE_CREDENTIALS,
            "20260102T030405Z",
          ],
          "multi-region-web-us-east-1-cluster.cluster-ro-abc123.us-east-1.rds.amazonaws.com:5432/?Action=connect&DBUser=app&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAFAKEROLEKEY%2F20260102%2Fus-east-1%2Frds-db%2Faws4_request&X-Amz-Date=20260102T030405Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Security-Token=fake-session-token&X-Amz-Signature=cec129c56433a2693f860991113ae12223c113c6d9403182daee564cbad434d7",
        ],
        [
          // A session token with the characters real ones carry (/ + =), and a space.
          [
            "h.cluster-ro-x.ca-central-1.rds.amazonaws.com",
            6543,
            "app_user",
            "ca-central-1",
            { AccessKeyId: "ASIAXYZ", SecretAccessKey: "s/e+c=ret", Token: "IQoJb3/JpZ2lu+X2VjE==x y" },
            "20260304T050607Z",
          ],
          "h.cluster-ro-x.ca-central-1.rds.amazonaws.com:6543/?Action=connect&DBUser=app_user&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAXYZ%2F20260304%2Fca-central-1%2Frds-db%2Faws4_request&X-Amz-Date=20260304T050607Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Security-Token=IQoJb3%2FJpZ2lu%2BX2VjE%3D%3Dx%20y&X-Amz-Signature=b04f5fcca8caa1d6b1185e8f32dbe6a576eab200f4225ac9534e1ed231e0e107",
        ],
      ];

      it("is botocore's generate_db_auth_token, byte for byte", () => {
        expect(pythonToken(VECTORS.map(([c]) => c))).to.deep.equal(VECTORS.map(([, token]) => token));
      });

      it("carries the signature the fake Aurora's independent check computes", () => {
        for (const [c, token] of VECTORS) {
          const [address, query] = token.split("/?");
          const params = new URLSearchParams(query);
          const secret = (c[4] as { SecretAccessKey: string }).SecretAccessKey;
          expect(presignedSignature({ address, query: params, secret })).to.equal(
            params.get("X-Amz-Signature"),
          );
        }
      });
    });

    describe("SigV4 signer", () => {
      /** The server's own sigv4(), called on each case with a fixed clock. */
      function pythonSigv4(cases: SignCase[]): Record<string, string>[] {
        return pythonEach<Record<string, string>>(cases, [
          "now = datetime.datetime.strptime(c['amzDate'], '%Y%m%dT%H%M%SZ')",
          "args = (c['method'], c['url'], c['headers'], c['body'].encode(), c['region'], c['service'])",
          "return server.sigv4(*args, c['credentials'], now)",
        ]);
      }

      /** The test's signer on a case, for the headers the server signed. */
      function nodeAuthorization(c: SignCase, signed: Record<string, string>): string {
        const names = Object.keys(signed)
          .map((name) => name.toLowerCase())
          .filter((name) => name !== "authorization")
          .sort();
        const lower = Object.fromEntries(
          Object.entries(signed).map(([name, value]) => [name.toLowerCase(), value]),
        );
        const signature = sigv4Signature({
          method: c.method,
          path: new URL(c.url).pathname,
          headers: Object.fromEntries(names.map((name) => [name, lower[name]])),
          body: c.body,
          secret: c.credentials.SecretAccessKey,
          amzDate: c.amzDate,
          region: c.region,
          service: c.service,
        });
        const scope = `${c.amzDate.slice(0, 8)}/${c.region}/${c.service}/aws4_request`;
        return `AWS4-HMAC-SHA256 Credential=${c.credentials.AccessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
      }

      // AWS's Signature Version 4 test suite: get-vanilla and post-x-www-form-urlencoded.
      const SUITE = { region: "us-east-1", service: "service", amzDate: "20150830T123600Z" };
      const SUITE_CREDENTIALS = {
        AccessKeyId: "AKIDEXAMPLE",
        SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      };
      const VECTORS: [SignCase, string][] = [
        [
          {
            ...SUITE,
            method: "GET",
            url: "https://example.amazonaws.com/",
            headers: {},
            body: "",
            credentials: SUITE_CREDENTIALS,
          },
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ],
        [
          {
            ...SUITE,
            method: "POST",
            url: "https://example.amazonaws.com/",
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            body: "Param1=value1",
            credentials: SUITE_CREDENTIALS,
          },
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
        ],
      ];

      it("reproduces AWS's published test vectors, as does the test's own signer", () => {
        const signed = pythonSigv4(VECTORS.map(([c]) => c));
        VECTORS.forEach(([c, authorization], i) => {
          expect(signed[i].Authorization).to.equal(authorization);
          expect(signed[i]["X-Amz-Date"]).to.equal(c.amzDate);
          expect(signed[i].Host).to.equal("example.amazonaws.com");
          expect(nodeAuthorization(c, signed[i])).to.equal(authorization);
        });
      });

      it("signs a DynamoDB GetItem with a session token as the test's independent signer does", () => {
        const c: SignCase = {
          method: "POST",
          url: "https://dynamodb.ca-central-1.amazonaws.com/",
          headers: {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810.GetItem",
          },
          body: JSON.stringify({ TableName: TABLE, Key: { pk: { S: "healthz" }, sk: { S: "healthz" } } }),
          region: "ca-central-1",
          service: "dynamodb",
          credentials: ROLE_CREDENTIALS,
          amzDate: "20260102T030405Z",
        };
        const [signed] = pythonSigv4([c]);
        expect(signed).to.deep.include({
          Host: "dynamodb.ca-central-1.amazonaws.com",
          "X-Amz-Date": "20260102T030405Z",
          "X-Amz-Security-Token": ROLE_CREDENTIALS.Token,
        });
        expect(signed.Authorization).to.match(
          /^AWS4-HMAC-SHA256 Credential=ASIAFAKEROLEKEY\/20260102\/ca-central-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/,
        );
        expect(signed.Authorization).to.equal(nodeAuthorization(c, signed));
      });
    });
  });
});
