/**
 * The home probe (components/homeProbe.ts) under mocks, and its Python function run against a local
 * HTTPS server. Its pure parts (arguments, a run's budget, alarms) are tests/homeProbeSettings.test.ts.
 */
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import { expect } from "chai";
import {
  HOME_PROBE_METRIC,
  HOME_PROBE_NAMESPACE,
  HOME_PROBE_SCHEDULE,
  HOME_PROBE_SETTINGS,
  HOME_PROBE_SOURCE,
  HomeProbe,
  HomeProbeArgs,
  homeProbePolicy,
  probeRunBudgetSeconds,
  validateProbeBudget,
} from "../components/homeProbe";
import { RecordedResource, runProgram, StackRun } from "../tools/mocks";
import { one } from "./helpers";
import { ALB, ARGS, DOMAIN, KEY, TOPIC } from "./homeProbeArgs";

const FUNCTION = "aws:lambda/function:Function";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

function runProbe(args: HomeProbeArgs, name = "home-probe"): Promise<StackRun> {
  return runProgram(
    () => {
      const probe = new HomeProbe(name, args);
      return {
        homeUnhealthyAlarmArn: probe.homeUnhealthyAlarmArn,
        homeUnhealthyAlarmName: probe.homeUnhealthyAlarmName,
        probeSilentAlarmArn: probe.probeSilentAlarmArn,
        functionName: probe.functionName,
        metricNamespace: probe.metricNamespace,
        metricName: probe.metricName,
      };
    },
    { stack: args.region, config: { "aws:region": args.region } },
  );
}

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: { Service?: string };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

function statements(document: unknown): Statement[] {
  const parsed = (typeof document === "string" ? JSON.parse(document) : document) as {
    Statement: Statement[];
  };
  return parsed.Statement;
}

describe("HomeProbe", () => {
  describe("validateHomeProbeArgs", () => {
    it("throws before registering any resource", async () => {
      let error: unknown;
      const run = await runProgram(
        () => {
          try {
            new HomeProbe("home-probe", { ...ARGS, region: "us-east-1" });
          } catch (e) {
            error = e;
          }
          return {};
        },
        { stack: "us-east-1", config: { "aws:region": "us-east-1" } },
      );
      expect(String(error)).to.match(/must differ/);
      expect(run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).to.deep.equal([]);
    });
  });

  describe("resources (ca-central-1 watching us-east-1, under mocks)", () => {
    let run: StackRun;
    let component: RecordedResource;
    let fn: RecordedResource;
    let role: RecordedResource;
    let logGroup: RecordedResource;
    let rule: RecordedResource;
    const alarm = (key: string) => one(run, ALARM, `home-probe-${key}`);

    before(async () => {
      run = await runProbe(ARGS);
      component = one(run, "multi-region-web:failover:HomeProbe");
      fn = one(run, FUNCTION);
      role = one(run, "aws:iam/role:Role");
      logGroup = one(run, "aws:cloudwatch/logGroup:LogGroup");
      rule = one(run, "aws:cloudwatch/eventRule:EventRule");
    });

    it("parents every resource to the component, all in the standby region", () => {
      const children = run.resources.filter((r) => r.custom);
      expect(children.map((r) => r.type)).to.have.members([
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        FUNCTION,
        "aws:cloudwatch/eventRule:EventRule",
        "aws:lambda/permission:Permission",
        "aws:cloudwatch/eventTarget:EventTarget",
        ALARM,
        ALARM,
      ]);
      for (const r of children) {
        expect(r.parent, r.name).to.equal(component.urn);
        expect(r.region, r.name).to.equal("ca-central-1");
      }
    });

    it("runs the Python probe on python3.12 outside any VPC with its role", () => {
      expect(fn.inputs).to.deep.include({
        name: "home-probe",
        runtime: "python3.12",
        handler: "index.handler",
        role: role.outputs.arn,
        timeout: 30,
      });
      expect(fn.inputs.vpcConfig).to.equal(undefined);
      expect((fn.inputs.environment as { variables: Record<string, string> }).variables).to.deep.equal({
        HOME_ALB_DNS_NAME: ALB,
        APP_DOMAIN: DOMAIN,
        PROBE_PATH: "/healthz/deep",
        HOME_REGION: "us-east-1",
        METRIC_NAMESPACE: HOME_PROBE_NAMESPACE,
        METRIC_REGION: "ca-central-1",
        PROBE_TIMEOUT_SECONDS: "4",
        PROBE_ATTEMPTS: "2",
        PROBE_PAUSE_SECONDS: "1",
        CLOUDWATCH_CONNECT_TIMEOUT_SECONDS: "2",
        CLOUDWATCH_READ_TIMEOUT_SECONDS: "5",
      });
    });

    it("gives the function a timeout that the run it registers fits in, from the settings it hands the Python", () => {
      // What the function will do, read back from what is registered: the Python takes its tries,
      // timeouts and pause from these variables only (components/python/test_home_probe.py).
      const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
      const registered = {
        timeoutSeconds: Number(env.PROBE_TIMEOUT_SECONDS),
        attempts: Number(env.PROBE_ATTEMPTS),
        pauseSeconds: Number(env.PROBE_PAUSE_SECONDS),
        cloudWatchConnectSeconds: Number(env.CLOUDWATCH_CONNECT_TIMEOUT_SECONDS),
        cloudWatchReadSeconds: Number(env.CLOUDWATCH_READ_TIMEOUT_SECONDS),
        marginSeconds: HOME_PROBE_SETTINGS.marginSeconds,
        functionTimeoutSeconds: fn.inputs.timeout as number,
      };
      expect(probeRunBudgetSeconds(registered)).to.be.at.most(fn.inputs.timeout as number);
      expect(() => validateProbeBudget(registered)).to.not.throw();
    });

    it("registers nothing when its settings would outlive the function", async () => {
      let error: unknown;
      const refused = await runProgram(
        () => {
          try {
            new HomeProbe("home-probe", {
              ...ARGS,
              settings: { ...HOME_PROBE_SETTINGS, timeoutSeconds: 10 },
            });
          } catch (e) {
            error = e;
          }
          return {};
        },
        { stack: "ca-central-1", config: { "aws:region": "ca-central-1" } },
      );
      expect(String(error)).to.match(/more than the function's 30 s/);
      expect(refused.resources.filter((r) => r.custom)).to.deep.equal([]);
    });

    it("ships the exported source as index.py", async () => {
      // The SDK's deserialized archive holds its assets and their text as promises.
      const code = fn.inputs.code as { assets: Promise<Record<string, { text: Promise<string> }>> };
      const assets = await code.assets;
      expect(Object.keys(assets)).to.deep.equal(["index.py"]);
      expect(await assets["index.py"].text).to.equal(HOME_PROBE_SOURCE);
    });

    it("logs to its own log group /aws/lambda/<function name>, created with the configured retention", () => {
      expect(logGroup.inputs).to.deep.include({
        name: "/aws/lambda/home-probe",
        retentionInDays: 90,
        kmsKeyId: KEY,
      });
      expect(fn.inputs.loggingConfig).to.deep.equal({
        logFormat: "Text",
        logGroup: "/aws/lambda/home-probe",
      });
      expect(fn.propertyDependencies.loggingConfig).to.include(logGroup.urn);
    });

    it("lets lambda.amazonaws.com assume the role, as the Lambda guide writes it, with no undocumented condition", () => {
      expect(statements(role.inputs.assumeRolePolicy)).to.deep.equal([
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ]);
    });

    it("allows writing to its own log group and publishing its own namespace, nothing else", () => {
      const policy = one(run, "aws:iam/rolePolicy:RolePolicy");
      expect(policy.inputs.role).to.equal(role.id);
      const logArn = logGroup.outputs.arn as string;
      expect(logArn).to.equal("arn:aws:logs:ca-central-1:123456789012:log-group:/aws/lambda/home-probe");
      expect(statements(policy.inputs.policy)).to.deep.equal(statements(homeProbePolicy(logArn)));
      const [logs, metrics] = statements(policy.inputs.policy);
      expect(logs.Action).to.have.members(["logs:CreateLogStream", "logs:PutLogEvents"]);
      expect(logs.Resource).to.equal(`${logArn}:*`);
      expect(metrics).to.deep.include({
        Action: "cloudwatch:PutMetricData",
        Resource: "*",
        Condition: { StringEquals: { "cloudwatch:namespace": "MultiRegionWeb/Failover" } },
      });
      // The function waits for its permissions.
      expect(fn.dependencies).to.include(policy.urn);
    });

    it("is invoked every minute by an EventBridge rule that alone may invoke it", () => {
      expect(rule.inputs.scheduleExpression).to.equal("rate(1 minute)").and.equal(HOME_PROBE_SCHEDULE);
      const target = one(run, "aws:cloudwatch/eventTarget:EventTarget");
      expect(target.inputs).to.deep.include({
        rule: rule.outputs.name,
        arn: fn.outputs.arn,
        retryPolicy: { maximumEventAgeInSeconds: 60, maximumRetryAttempts: 2 },
      });
      const permission = one(run, "aws:lambda/permission:Permission");
      // EventBridge may invoke the function from its first run: the target comes after the permission.
      expect(target.dependencies).to.include(permission.urn);
      expect(permission.inputs).to.deep.include({
        action: "lambda:InvokeFunction",
        function: fn.outputs.name,
        principal: "events.amazonaws.com",
        sourceArn: rule.outputs.arn,
      });
      expect(String(rule.outputs.arn)).to.match(/^arn:aws:events:ca-central-1:123456789012:rule\//);
    });

    it("alarms on the metric the function publishes, with the dimensions of its environment", () => {
      const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
      for (const key of ["home-unhealthy", "probe-silent"]) {
        expect(alarm(key).inputs, key).to.deep.include({
          namespace: env.METRIC_NAMESPACE,
          metricName: HOME_PROBE_METRIC,
          // ProbeRegion: Lambda's AWS_REGION, the function's own region.
          dimensions: { Domain: env.APP_DOMAIN, HomeRegion: env.HOME_REGION, ProbeRegion: fn.region },
          threshold: 1,
          comparisonOperator: "LessThanThreshold",
        });
      }
    });

    it("evaluates home-unhealthy over 3 minutes by default, missing data not breaching", () => {
      expect(alarm("home-unhealthy").inputs).to.deep.include({
        statistic: "Minimum",
        period: 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: "notBreaching",
      });
      expect(alarm("probe-silent").inputs).to.deep.include({
        statistic: "SampleCount",
        period: 300,
        evaluationPeriods: 1,
        treatMissingData: "breaching",
      });
    });

    it("notifies the ops topic on ALARM and OK from both alarms", () => {
      for (const key of ["home-unhealthy", "probe-silent"]) {
        expect(alarm(key).inputs.alarmActions, key).to.deep.equal([TOPIC]);
        expect(alarm(key).inputs.okActions, key).to.deep.equal([TOPIC]);
      }
    });

    it("exposes the alarms, the function and the metric", () => {
      expect(run.outputs).to.deep.equal({
        homeUnhealthyAlarmArn: alarm("home-unhealthy").outputs.arn,
        homeUnhealthyAlarmName: alarm("home-unhealthy").outputs.name,
        probeSilentAlarmArn: alarm("probe-silent").outputs.arn,
        functionName: "home-probe",
        metricNamespace: "MultiRegionWeb/Failover",
        metricName: "HomeDeepHealth",
      });
      expect(String(run.outputs.homeUnhealthyAlarmArn)).to.match(/^arn:aws:cloudwatch:ca-central-1:/);
    });

    it("takes evaluationMinutes, path, functionName and tags from the arguments", async () => {
      const custom = await runProbe({
        ...ARGS,
        evaluationMinutes: 5,
        path: "/status",
        functionName: "probe-us-east-1",
        logRetentionDays: 14,
        tags: { Team: "sre" },
      });
      const unhealthy = one(custom, ALARM, "home-probe-home-unhealthy");
      expect(unhealthy.inputs).to.deep.include({ evaluationPeriods: 5, datapointsToAlarm: 5 });
      const customFn = one(custom, FUNCTION);
      expect(customFn.inputs.name).to.equal("probe-us-east-1");
      expect(
        (customFn.inputs.environment as { variables: Record<string, string> }).variables.PROBE_PATH,
      ).to.equal("/status");
      expect(one(custom, "aws:cloudwatch/logGroup:LogGroup").inputs).to.deep.include({
        name: "/aws/lambda/probe-us-east-1",
        retentionInDays: 14,
      });
      for (const r of custom.resources.filter((x) => x.custom && x.inputs.tags !== undefined)) {
        expect(r.inputs.tags, r.name).to.deep.equal({ Name: "home-probe", Team: "sre" });
      }
    });
  });

  describe("index.py (run by python3 with boto3 stubbed, against a local HTTPS server)", function () {
    this.timeout(20000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "home-probe-"));
    const servers: https.Server[] = [];
    let haveOpenssl = true;

    /** Replaces boto3 with a recorder, imports index.py and runs one command given as JSON. */
    const DRIVER = String.raw`
import json, sys, types
calls = []
class Client:
    def __init__(self, service, **kwargs):
        calls.append({"client": service, **kwargs})
    def put_metric_data(self, **kwargs):
        calls.append({"put_metric_data": kwargs})
boto3 = types.ModuleType("boto3")
boto3.client = Client
sys.modules["boto3"] = boto3
botocore = types.ModuleType("botocore")
botocore.config = types.ModuleType("botocore.config")
botocore.config.Config = lambda **kwargs: {"Config": kwargs}
sys.modules["botocore"] = botocore
sys.modules["botocore.config"] = botocore.config
sys.path.insert(0, sys.argv[1])
import index
command = json.loads(sys.argv[2])
op = command["op"]
if op == "probe":
    result = index.probe(*command["args"])
elif op == "check":
    script, sleeps = list(command["results"]), []
    result = index.check(lambda: (script.pop(0), "scripted"), command["attempts"], command["pause"], sleep=sleeps.append)
    result = {"healthy": result[0], "details": result[1], "sleeps": sleeps}
elif op == "run":
    sleeps = []
    result = index.run(command["settings"], Client("cloudwatch"), sleep=sleeps.append)
    result["sleeps"] = sleeps
elif op == "handler":
    result = index.handler({}, None)
print(json.dumps({"result": result, "calls": calls}, default=lambda value: value.isoformat()))
`;

    type Cert = { key: string; cert: string };
    let trusted: Cert;
    let wrongName: Cert;
    let untrusted: Cert;

    /** One openssl command; its arguments contain no spaces. */
    function openssl(command: string): void {
      execFileSync("openssl", command.split(" "), { cwd: dir, stdio: "ignore" });
    }

    /** A CA, and a server certificate it signs for `name` (ECDSA P-256, serverAuth). */
    function issue(ca: string, leaf: string, name: string): Cert {
      if (!fs.existsSync(path.join(dir, `${ca}.pem`))) {
        openssl(`ecparam -name prime256v1 -genkey -noout -out ${ca}.key`);
        openssl(`req -x509 -new -key ${ca}.key -subj /CN=${ca} -days 2 -out ${ca}.pem`);
      }
      openssl(`ecparam -name prime256v1 -genkey -noout -out ${leaf}.key`);
      openssl(`req -new -key ${leaf}.key -subj /CN=${name} -out ${leaf}.csr`);
      fs.writeFileSync(
        path.join(dir, `${leaf}.ext`),
        `subjectAltName=DNS:${name}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n`,
      );
      openssl(
        `x509 -req -in ${leaf}.csr -CA ${ca}.pem -CAkey ${ca}.key -CAcreateserial -days 2 -extfile ${leaf}.ext -out ${leaf}.pem`,
      );
      return {
        key: fs.readFileSync(path.join(dir, `${leaf}.key`), "utf8"),
        cert: fs.readFileSync(path.join(dir, `${leaf}.pem`), "utf8"),
      };
    }

    interface Seen {
      host?: string;
      path?: string;
      servername?: string | false;
    }

    /** An HTTPS server on 127.0.0.1: request i gets answers[i] (the last repeats; `hang` never answers). */
    async function serve(cert: Cert, answers: (number | "hang")[]): Promise<{ port: number; seen: Seen[] }> {
      const seen: Seen[] = [];
      const server = https.createServer(cert, (req, res) => {
        seen.push({
          host: req.headers.host,
          path: req.url,
          // Set by Node on a TLS server socket (the SNI the client sent); missing from @types/node 20.
          servername: (req.socket as tls.TLSSocket & { servername?: string | false }).servername,
        });
        const answer = answers[Math.min(seen.length - 1, answers.length - 1)];
        if (answer === "hang") return;
        res.writeHead(answer, { "Content-Type": "text/plain" });
        res.end("deep\n");
      });
      servers.push(server);
      await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
      return { port: (server.address() as net.AddressInfo).port, seen };
    }

    interface Output {
      result: unknown;
      calls: Record<string, unknown>[];
      /** Lines index.py printed (its CloudWatch log lines). */
      log: string[];
    }

    /** Runs the driver asynchronously: the HTTPS server lives in this process's event loop. */
    function python(command: object, env: Record<string, string> = {}): Promise<Output> {
      return new Promise((done, fail) => {
        execFile(
          "python3",
          [path.join(dir, "driver.py"), dir, JSON.stringify(command)],
          { env: { ...process.env, SSL_CERT_FILE: path.join(dir, "ca.pem"), ...env }, timeout: 15000 },
          (error, stdout, stderr) => {
            if (error) return fail(new Error(`${error.message}\n${stderr}`));
            // The driver's answer is the last line; before it, whatever index.py printed (its log).
            const lines = stdout.trim().split("\n");
            done({ ...(JSON.parse(lines.pop()!) as Omit<Output, "log">), log: lines });
          },
        );
      });
    }

    const probe = (port: number, timeout = 2) =>
      python({ op: "probe", args: ["127.0.0.1", DOMAIN, "/healthz/deep", port, timeout] }).then(
        (o) => o.result as [boolean, string],
      );

    before(function () {
      fs.writeFileSync(path.join(dir, "index.py"), HOME_PROBE_SOURCE);
      fs.writeFileSync(path.join(dir, "driver.py"), DRIVER);
      try {
        execFileSync("openssl", ["version"], { stdio: "ignore" });
      } catch {
        haveOpenssl = false;
        return;
      }
      trusted = issue("ca", "app", DOMAIN);
      wrongName = issue("ca", "other", "other.example.com");
      untrusted = issue("rogue-ca", "rogue", DOMAIN);
    });

    after(async () => {
      await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
      fs.rmSync(dir, { recursive: true, force: true });
    });

    describe("with a certificate (openssl)", function () {
      before(function () {
        if (!haveOpenssl) this.skip();
      });

      it("is healthy on a 2xx, connecting to the address with SNI and Host of the domain", async () => {
        const server = await serve(trusted, [200]);
        expect(await probe(server.port)).to.deep.equal([true, "HTTP 200"]);
        expect(server.seen).to.deep.equal([{ host: DOMAIN, path: "/healthz/deep", servername: DOMAIN }]);
        const noContent = await serve(trusted, [204]);
        expect(await probe(noContent.port)).to.deep.equal([true, "HTTP 204"]);
      });

      it("is unhealthy on a 5xx and on a redirect", async () => {
        expect(await probe((await serve(trusted, [503])).port)).to.deep.equal([false, "HTTP 503"]);
        expect(await probe((await serve(trusted, [302])).port)).to.deep.equal([false, "HTTP 302"]);
      });

      it("is unhealthy when no answer comes within the timeout, and gives up on time", async () => {
        const server = await serve(trusted, ["hang"]);
        const started = Date.now();
        expect(await probe(server.port, 0.5)).to.deep.equal([false, "timeout"]);
        expect(server.seen).to.have.length(1);
        // Python start-up included; a probe ignoring its deadline would wait for the server forever.
        expect(Date.now() - started).to.be.lessThan(3000);
      });

      it("is unhealthy when the certificate is for another name, or from an untrusted issuer", async () => {
        const [healthy, detail] = await probe((await serve(wrongName, [200])).port);
        expect(healthy).to.equal(false);
        expect(detail).to.match(/^certificate: Hostname mismatch/);
        const [rogueHealthy, rogueDetail] = await probe((await serve(untrusted, [200])).port);
        expect(rogueHealthy).to.equal(false);
        expect(rogueDetail).to.match(/^certificate: unable to get local issuer certificate/);
      });

      it("publishes 0 after two failed tries a short pause apart, 1 after a retry succeeds", async () => {
        const settings = (port: number) => ({
          address: "127.0.0.1",
          domain: DOMAIN,
          path: "/healthz/deep",
          home_region: "us-east-1",
          probe_region: "ca-central-1",
          metric_region: "ca-central-1",
          namespace: HOME_PROBE_NAMESPACE,
          port,
          timeout: 2,
          attempts: 2,
          pause: 1.0,
        });
        const down = await serve(trusted, [500]);
        const failed = await python({ op: "run", settings: settings(down.port) });
        expect(failed.result).to.deep.equal({
          healthy: false,
          attempts: ["HTTP 500", "HTTP 500"],
          sleeps: [1.0],
        });
        expect(down.seen).to.have.length(2);
        const datum = (failed.calls[1].put_metric_data as { MetricData: Record<string, unknown>[] })
          .MetricData[0];
        expect(datum).to.include({ MetricName: "HomeDeepHealth", Value: 0.0 });

        const flaky = await serve(trusted, [503, 200]);
        const recovered = await python({ op: "run", settings: settings(flaky.port) });
        expect(recovered.result).to.deep.equal({
          healthy: true,
          attempts: ["HTTP 503", "HTTP 200"],
          sleeps: [1.0],
        });
        const value = (recovered.calls[1].put_metric_data as { MetricData: { Value: number }[] })
          .MetricData[0].Value;
        expect(value).to.equal(1.0);
      });

      it("runs as the Lambda handler with the function's environment, publishing in the metric region with a bounded client", async () => {
        const run = await runProbe(ARGS);
        const env = (one(run, FUNCTION).inputs.environment as { variables: Record<string, string> })
          .variables;
        const server = await serve(trusted, [200]);
        const started = new Date();
        const output = await python(
          { op: "handler" },
          {
            ...env,
            HOME_ALB_DNS_NAME: "127.0.0.1",
            PROBE_PORT: String(server.port),
            AWS_REGION: "ca-central-1",
          },
        );
        expect(output.result).to.deep.equal({ healthy: true, attempts: ["HTTP 200"] });
        // One log line per run, the result as JSON.
        expect(output.log.map((line) => JSON.parse(line) as unknown)).to.deep.equal([output.result]);
        expect(server.seen).to.deep.equal([{ host: DOMAIN, path: "/healthz/deep", servername: DOMAIN }]);
        expect(output.calls[0]).to.deep.equal({
          client: "cloudwatch",
          region_name: env.METRIC_REGION,
          config: {
            Config: {
              connect_timeout: Number(env.CLOUDWATCH_CONNECT_TIMEOUT_SECONDS),
              read_timeout: Number(env.CLOUDWATCH_READ_TIMEOUT_SECONDS),
              retries: { total_max_attempts: 1, mode: "standard" },
            },
          },
        });
        const put = output.calls[1].put_metric_data as {
          Namespace: string;
          MetricData: { Timestamp: string; [key: string]: unknown }[];
        };
        expect(put.Namespace).to.equal("MultiRegionWeb/Failover");
        expect(put.MetricData).to.have.length(1);
        const { Timestamp, ...datum } = put.MetricData[0];
        expect(datum).to.deep.equal({
          MetricName: "HomeDeepHealth",
          Dimensions: [
            { Name: "Domain", Value: DOMAIN },
            { Name: "HomeRegion", Value: "us-east-1" },
            { Name: "ProbeRegion", Value: "ca-central-1" },
          ],
          Value: 1.0,
        });
        // An aware UTC timestamp of this run's start.
        expect(Timestamp).to.match(/\+00:00$/);
        expect(Math.abs(new Date(Timestamp).getTime() - started.getTime())).to.be.lessThan(5000);
      });
    });

    it("is unhealthy when nothing listens", async () => {
      const server = net.createServer();
      await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
      const port = (server.address() as net.AddressInfo).port;
      await new Promise((done) => server.close(done));
      const [healthy, detail] = await probe(port);
      expect(healthy).to.equal(false);
      expect(detail).to.match(/^ConnectionRefusedError/);
    });

    it("decides healthy on the first healthy try, pausing 1 s only between tries", async () => {
      const check = async (results: boolean[]) =>
        (await python({ op: "check", results, attempts: 2, pause: 1.0 })).result as {
          healthy: boolean;
          details: string[];
          sleeps: number[];
        };
      expect(await check([true])).to.deep.equal({ healthy: true, details: ["scripted"], sleeps: [] });
      expect(await check([false, true])).to.deep.equal({
        healthy: true,
        details: ["scripted", "scripted"],
        sleeps: [1.0],
      });
      expect(await check([false, false, true])).to.deep.equal({
        healthy: false,
        details: ["scripted", "scripted"],
        sleeps: [1.0],
      });
    });
  });
});
