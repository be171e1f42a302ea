import { execFile, execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { DATABASE_DEFAULTS } from "../config";
import { AURORA_POSTGRESQL_VERSIONS } from "../config/catalog";
import {
  APP_DB_SCHEMA,
  APP_DB_USER,
  AppDatabaseUser,
  BOOTSTRAP_SOURCE,
  bootstrapPolicy,
  DATA_API_MINIMUM,
  dataApiSupports,
  dbConnectArn,
  validateAppDatabaseUserArgs,
} from "../components/appDatabaseUser";
import { DataTier } from "../components/dataTier";
import { PolicyDocument } from "../components/integrations";
import { RegionKey } from "../components/regionKey";
import { isControlRun, fixtureStackRuns } from "../tools/runStacks";
import { runProgram, StackRun } from "../tools/mocks";
import { dependsOn, ofType, one, unsecret } from "./helpers";

const T = {
  fn: "aws:lambda/function:Function",
  invocation: "aws:lambda/invocation:Invocation",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  cluster: "aws:rds/cluster:Cluster",
  instance: "aws:rds/clusterInstance:ClusterInstance",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  password: "random:index/randomPassword:RandomPassword",
  key: "aws:kms/key:Key",
  backendPolicy: "aws:iam/policy:Policy",
  component: "multi-region-web:data:AppDatabaseUser",
};

/** The home's data tier and the bootstrap wired as index.ts wires them. */
function runHome(opts: { user?: string } = {}): Promise<StackRun> {
  return runProgram(
    () => {
      const key = new RegionKey("data", { region: "us-east-1", protect: true });
      const data = new DataTier("data", {
        home: true,
        role: "active",
        region: "us-east-1",
        vpcId: "vpc-0123456789abcdef0",
        isolatedSubnetIds: ["subnet-iso-a", "subnet-iso-b"],
        availabilityZones: ["us-east-1a", "us-east-1b"],
        backendSecurityGroupId: "sg-backend0000000001",
        database: DATABASE_DEFAULTS.active,
        kmsKeyArn: key.keyArn,
        logRetentionDays: 90,
      });
      const user = new AppDatabaseUser("db-user", {
        clusterArn: data.clusterArn,
        instanceArns: data.instanceArns,
        masterSecretArn: data.masterSecretArn!,
        masterSecretKeyArn: key.keyArn,
        databaseName: DATABASE_DEFAULTS.active.databaseName,
        user: opts.user,
        logRetentionDays: 90,
        logKmsKeyArn: key.keyArn,
      });
      return { user: user.user, schema: user.schema, functionName: user.functionName };
    },
    { stack: "us-east-1", config: { "aws:region": "us-east-1" } },
  );
}

describe("AppDatabaseUser", function () {
  this.timeout(60_000);

  describe("the bootstrap at home (us-east-1)", () => {
    let run: StackRun;
    before(async () => {
      run = await runHome();
    });
    const fn = () => one(run, T.fn);
    const masterSecret = () => one(run, T.secret);

    it("runs the shipped appDatabaseUser.py on python3.13, outside any VPC, with its settings", async () => {
      const i = fn().inputs;
      expect(i).to.include({
        runtime: "python3.13",
        handler: "index.handler",
        timeout: 300,
        memorySize: 128,
      });
      expect(i.vpcConfig, "the Data API is an AWS endpoint: no path into the VPC").to.equal(undefined);
      // The SDK's deserialized archive holds its assets and their text as promises.
      const code = i.code as { assets: Promise<Record<string, { text: Promise<string> }>> };
      const assets = await code.assets;
      expect(Object.keys(assets)).to.deep.equal(["index.py"]);
      expect(await assets["index.py"].text).to.equal(BOOTSTRAP_SOURCE);
      expect(BOOTSTRAP_SOURCE).to.equal(
        fs.readFileSync(path.join(__dirname, "../components/appDatabaseUser.py"), "utf8"),
      );
      expect((i.environment as { variables: Record<string, string> }).variables).to.deep.equal({
        CLUSTER_ARN: one(run, T.cluster).outputs.arn,
        SECRET_ARN: masterSecret().outputs.arn,
        DATABASE: "app",
        APP_USER: "app",
        APP_SCHEMA: "app",
      });
      // The secret's ARN comes from its version: the function exists only once the value does.
      expect(dependsOn(fn(), "environment", one(run, T.secretVersion))).to.equal(true);
      expect(run.outputs).to.deep.include({ user: APP_DB_USER, schema: APP_DB_SCHEMA });
    });

    it("logs to its own log group, created first with a retention and the region's key", () => {
      const logs = ofType(run, T.logGroup).find((g) => String(g.inputs.name).startsWith("/aws/lambda/"));
      expect(logs?.inputs).to.deep.include({
        name: `/aws/lambda/${String(fn().outputs.name)}`,
        retentionInDays: 90,
        kmsKeyId: one(run, T.key).outputs.arn,
      });
      expect(fn().inputs.loggingConfig).to.deep.equal({ logFormat: "Text", logGroup: logs?.outputs.name });
      expect(fn().outputs.name).to.equal("multi-region-web-us-east-1-db-user");
    });

    it("gets a role Lambda alone assumes (no source condition: components/homeProbe.ts), with only the bootstrap's permissions", () => {
      const trust = JSON.parse(one(run, T.role).inputs.assumeRolePolicy as string) as {
        Statement: unknown[];
      };
      expect(trust.Statement).to.deep.equal([
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ]);
      const policy = one(run, T.rolePolicy);
      expect(policy.inputs.role).to.equal(one(run, T.role).id);
      const logs = ofType(run, T.logGroup).find((g) => String(g.inputs.name).startsWith("/aws/lambda/"));
      expect(JSON.parse(policy.inputs.policy as string)).to.deep.equal(
        bootstrapPolicy({
          region: "us-east-1",
          clusterArn: String(one(run, T.cluster).outputs.arn),
          secretArn: String(masterSecret().outputs.arn),
          secretKeyArn: String(one(run, T.key).outputs.arn),
          logGroupArn: String(logs?.outputs.arn),
        }),
      );
      // The permissions exist before the function can run.
      expect(fn().dependencies).to.include(policy.urn);
    });

    it("invokes the function once the writer exists, with what it applies (no secret) and its code's hash", () => {
      const invocation = one(run, T.invocation);
      expect(invocation.inputs.functionName).to.equal(fn().outputs.name);
      expect(dependsOn(invocation, "functionName", fn())).to.equal(true);
      expect(JSON.parse(invocation.inputs.input as string)).to.deep.equal({
        cluster: one(run, T.cluster).outputs.arn,
        database: "app",
        user: "app",
        schema: "app",
      });
      // Ordered after every instance of the cluster: the Data API runs statements on the writer.
      for (const instance of ofType(run, T.instance)) {
        expect(dependsOn(invocation, "input", instance), instance.name).to.equal(true);
      }
      expect(invocation.inputs.triggers).to.deep.equal({
        source: crypto.createHash("sha256").update(BOOTSTRAP_SOURCE).digest("hex"),
      });
      // CREATE_ONLY (the default): deleting the invocation drops nothing.
      expect(invocation.inputs.lifecycleScope).to.equal(undefined);
      const password = String(unsecret(one(run, T.password).outputs.result));
      expect(JSON.stringify(invocation.inputs)).not.to.include(password);
      expect(JSON.stringify(fn().inputs)).not.to.include(password);
    });

    it("is a data-area component that owns every resource it creates", () => {
      const component = one(run, T.component);
      for (const type of [T.fn, T.invocation, T.role, T.rolePolicy]) {
        expect(one(run, type).parent, type).to.equal(component.urn);
      }
    });

    it("refuses names it could not write into SQL as they are, before registering anything", async () => {
      let error: Error | undefined;
      try {
        await runHome({ user: 'app"; DROP ROLE x; --' });
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).to.include("AppDatabaseUser: user");
    });
  });

  describe("policies and names (pure)", () => {
    const policy = bootstrapPolicy({
      region: "us-east-1",
      clusterArn: "arn:aws:rds:us-east-1:123456789012:cluster:multi-region-web-us-east-1-cluster",
      secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:data-master-secret-AbCdEf",
      secretKeyArn: "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
      logGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x",
    }) as PolicyDocument;

    it("bootstrapPolicy: the one cluster through the Data API, the one secret, its key through Secrets Manager", () => {
      expect(policy.Version).to.equal("2012-10-17");
      expect(policy.Statement.map((s) => [s.Sid, s.Effect, s.Action, s.Resource])).to.deep.equal([
        [
          "RunBootstrapStatements",
          "Allow",
          ["rds-data:ExecuteStatement"],
          ["arn:aws:rds:us-east-1:123456789012:cluster:multi-region-web-us-east-1-cluster"],
        ],
        [
          "ReadMasterSecret",
          "Allow",
          ["secretsmanager:GetSecretValue"],
          ["arn:aws:secretsmanager:us-east-1:123456789012:secret:data-master-secret-AbCdEf"],
        ],
        [
          "DecryptMasterSecret",
          "Allow",
          ["kms:Decrypt"],
          ["arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"],
        ],
        [
          "WriteOwnLogGroup",
          "Allow",
          ["logs:CreateLogStream", "logs:PutLogEvents"],
          ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:*"],
        ],
      ]);
      expect(policy.Statement[2].Condition).to.deep.equal({
        StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" },
      });
      for (const s of policy.Statement) {
        expect(s.Resource).not.to.include("*");
        for (const a of s.Action) expect(a).to.match(/^[a-z0-9-]+:[A-Za-z]+$/);
      }
    });

    it("dbConnectArn: dbuser:<cluster resource id>/<user>, and nothing that is not a cluster resource id", () => {
      const v = {
        partition: "aws",
        region: "ca-central-1",
        accountId: "123456789012",
        clusterResourceId: "cluster-ABCDEFGHIJKL01234",
        user: "app",
      };
      expect(dbConnectArn(v)).to.equal(
        "arn:aws:rds-db:ca-central-1:123456789012:dbuser:cluster-ABCDEFGHIJKL01234/app",
      );
      // A cluster identifier (its name) or an instance's resource id (db-…) is not what IAM matches.
      for (const clusterResourceId of ["multi-region-web-ca-central-1-cluster", "db-ABCDEFGHIJKL01234", ""]) {
        expect(() => dbConnectArn({ ...v, clusterResourceId }), clusterResourceId).to.throw(/resource id/);
      }
      for (const user of ["*", "App", "app/x", ""]) {
        expect(() => dbConnectArn({ ...v, user }), user).to.throw(/user name/);
      }
    });

    it("validateAppDatabaseUserArgs names the key and the rule", () => {
      expect(() =>
        validateAppDatabaseUserArgs({ databaseName: "app", user: "app", schema: "app" }),
      ).not.to.throw();
      expect(() => validateAppDatabaseUserArgs({ databaseName: "app", user: "app", schema: "App" })).to.throw(
        'AppDatabaseUser: schema "App" must be a plain lower-case PostgreSQL identifier',
      );
    });

    it("every engine version config accepts supports the RDS Data API (the bootstrap's only path)", () => {
      const accepted = AURORA_POSTGRESQL_VERSIONS.filter((v) => v.globalDatabase && v.writeForwarding);
      expect(accepted).to.not.be.empty;
      for (const { version } of accepted) expect(dataApiSupports(version), version).to.equal(true);
      expect(dataApiSupports(DATABASE_DEFAULTS.active.engineVersion)).to.equal(true);
    });

    it("dataApiSupports: the documented minimum of each major, nothing before it or in another major", () => {
      for (const [major, minor] of Object.entries(DATA_API_MINIMUM)) {
        expect(dataApiSupports(`${major}.${minor}`), `${major}.${minor}`).to.equal(true);
        expect(dataApiSupports(`${major}.${minor - 1}`), `${major}.${minor - 1}`).to.equal(false);
      }
      for (const version of ["12.22", "11.21", "17", "x.y"])
        expect(dataApiSupports(version), version).to.equal(false);
    });
  });

  describe("every stack (the committed stack files, under mocks)", () => {
    let runs: StackRun[];
    let home: StackRun;
    let standbys: StackRun[];
    before(async () => {
      runs = await fixtureStackRuns();
      const regional = runs.filter((r) => !isControlRun(r));
      home = regional.find((r) => r.config["multi-region-web:home"] === "true")!;
      standbys = regional.filter((r) => r !== home);
    });

    it("exports the master password nowhere: no stack's output holds it, and no output is a secret", () => {
      const password = String(unsecret(one(home, T.password).outputs.result));
      expect(password.length).to.be.at.least(16);
      expect(runs.length).to.be.at.least(3);
      for (const run of runs) {
        expect(JSON.stringify(run.outputs), run.stack).not.to.include(password);
        expect(run.secretOutputNames, run.stack).to.deep.equal([]);
        expect(
          Object.keys(run.outputs).filter((k) => /credential|password/i.test(k)),
          run.stack,
        ).to.deep.equal([]);
      }
    });

    it("keeps the master password at home: no standby has a password, a master secret or the bootstrap", () => {
      expect(ofType(home, T.invocation)).to.have.length(1);
      for (const standby of standbys) {
        for (const type of [T.password, T.invocation, T.component]) {
          expect(ofType(standby, type), `${standby.stack} ${type}`).to.have.length(0);
        }
        for (const secret of ofType(standby, T.secret)) {
          expect(String(secret.inputs.description), standby.stack).not.to.match(/master/i);
        }
      }
    });

    it("grants each region's backend rds-db:connect for exactly its own cluster's user, in its region", () => {
      const seen = new Set<string>();
      for (const run of [home, ...standbys]) {
        const cluster = one(run, T.cluster);
        const backend = ofType(run, T.backendPolicy).find((p) => String(p.name).endsWith("-backend-policy"));
        const doc = JSON.parse(backend!.inputs.policy as string) as PolicyDocument;
        const connect = doc.Statement.filter((s) => s.Action.some((a) => a.startsWith("rds-db:")));
        expect(connect, run.stack).to.have.length(1);
        expect(connect[0].Action).to.deep.equal(["rds-db:connect"]);
        expect(connect[0].Resource).to.deep.equal([
          `arn:aws:rds-db:${run.region}:123456789012:dbuser:${String(cluster.outputs.clusterResourceId)}/app`,
        ]);
        seen.add(String(cluster.outputs.clusterResourceId));
        // And no database secret: nothing of Secrets Manager with SES mail.
        expect(
          doc.Statement.flatMap((s) => s.Action).filter((a) => a.startsWith("secretsmanager:")),
        ).to.deep.equal([]);
      }
      expect(seen.size, "a resource id per regional cluster").to.equal(1 + standbys.length);
    });
  });

  describe("docs/operations.md, The application's database user: its commands name what the stacks create", () => {
    const text = fs.readFileSync(path.join(__dirname, "../docs/operations.md"), "utf8");
    const section = text.slice(text.indexOf("## The application's database user"));
    const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
    let home: StackRun;
    let standby: StackRun;
    before(async () => {
      const regional = (await fixtureStackRuns()).filter((r) => !isControlRun(r));
      home = regional.find((r) => r.config["multi-region-web:home"] === "true")!;
      standby = regional.find((r) => r.stack === "ca-central-1")!;
    });
    const command = (prefix: string) => {
      const found = blocks.filter((b) => b.trimStart().startsWith(prefix));
      expect(found, prefix).to.have.length(1);
      return found[0].replace(/\\\n\s*/g, "");
    };

    it("has four sh blocks, each one bash parses", () => {
      expect(blocks).to.have.length(4);
      for (const block of blocks) execFileSync("bash", ["-n"], { input: block });
    });

    it("invokes the home's bootstrap function in the home's region", () => {
      const invoke = command("aws lambda invoke");
      expect(invoke).to.include(`--region ${home.region} `);
      expect(invoke).to.include(`--function-name ${String(one(home, T.fn).outputs.name)} `);
    });

    it("replaces the home's master password by its URN", () => {
      expect(command("pulumi up")).to.include(
        `--stack ${home.stack} --replace '${one(home, T.password).urn}'`,
      );
    });

    it("resets the master password of the standby's cluster in its region, without characters RDS refuses", () => {
      const reset = command("aws rds modify-db-cluster");
      expect(reset).to.include(`--region ${standby.region} `);
      expect(reset).to.include(
        `--db-cluster-identifier ${String(one(standby, T.cluster).inputs.clusterIdentifier)} `,
      );
      // MasterUserPassword: printable ASCII except "/", '"' and "@"; 8 to 41 characters (RDS API).
      const removed = /tr -d '([^']*)'/.exec(reset)![1];
      for (const c of ["/", '"', "@", " "]) expect(removed, c).to.include(c);
      expect(reset).to.include("openssl rand -base64 30");
    });

    it("unprotects the standby's former master secret by the URN it had (the home's secret's, in that stack)", () => {
      const homeSecret = one(home, T.secret).urn;
      expect(command("pulumi state unprotect")).to.include(
        `--stack ${standby.stack} '${homeSecret.replace(`urn:pulumi:${home.stack}::`, `urn:pulumi:${standby.stack}::`)}'`,
      );
    });
  });

  describe("appDatabaseUser.py (run by python3 with boto3 stubbed)", function () {
    this.timeout(20_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "db-user-"));

    /** Replaces boto3 with a scripted rds-data client, imports index.py and runs each command given as JSON. */
    const DRIVER = String.raw`
import json, sys, types
calls, sleeps, command = [], [], {}
class ClientError(Exception):
    def __init__(self, code):
        Exception.__init__(self, "An error occurred (%s)" % code)
        self.response = {"Error": {"Code": code}}
class Client:
    def __init__(self, service, **kwargs):
        calls.append({"client": service})
        self.failures = list(command.get("failures", []))
    def execute_statement(self, **kwargs):
        calls.append(kwargs)
        if self.failures:
            raise ClientError(self.failures.pop(0))
        if kwargs["sql"].startswith("SELECT"):
            return {"records": [[{"booleanValue": v} for v in command["role"]]] if command["role"] else []}
        return {"numberOfRecordsUpdated": 0}
boto3 = types.ModuleType("boto3")
boto3.client = Client
sys.modules["boto3"] = boto3
sys.path.insert(0, sys.argv[1])
import index
outputs = []
for command in json.loads(sys.argv[2]):
    calls, sleeps = [], []
    try:
        if command["op"] == "handler":
            result = index.handler({"ignored": True}, None)
        elif command["op"] == "run":
            result = index.run(command["settings"], Client("rds-data"), sleep=sleeps.append)
        else:
            result = index.statements(*command["args"])
        outputs.append({"result": result, "calls": calls, "sleeps": sleeps})
    except Exception as error:
        outputs.append({"error": "%s: %s" % (type(error).__name__, error), "calls": calls, "sleeps": sleeps})
print(json.dumps(outputs))
`;

    interface Output {
      result?: unknown;
      error?: string;
      calls: Record<string, unknown>[];
      sleeps: number[];
    }

    /** Runs the commands in one python3 process (the driver's last line is their outputs). */
    function pythonAll(commands: object[], env: Record<string, string> = {}): Promise<Output[]> {
      return new Promise((done, fail) => {
        execFile(
          "python3",
          [path.join(dir, "driver.py"), dir, JSON.stringify(commands)],
          { env: { ...process.env, ...env }, timeout: 15_000 },
          (error, stdout, stderr) => {
            if (error) return fail(new Error(`${error.message}\n${stderr}`));
            const lines = stdout.trim().split("\n");
            done(JSON.parse(lines.pop()!) as Output[]);
          },
        );
      });
    }
    const python = async (command: object, env: Record<string, string> = {}) =>
      (await pythonAll([command], env))[0];

    const SETTINGS = {
      cluster: "arn:aws:rds:us-east-1:123456789012:cluster:multi-region-web-us-east-1-cluster",
      secret: "arn:aws:secretsmanager:us-east-1:123456789012:secret:data-master-secret-AbCdEf",
      database: "app",
      user: "app",
      schema: "app",
    };
    /** rolcanlogin, rds_iam, then the six privileges the user must not hold. */
    const LEAST = [true, true, false, false, false, false, false, false];

    before(() => {
      fs.writeFileSync(path.join(dir, "index.py"), BOOTSTRAP_SOURCE);
      fs.writeFileSync(path.join(dir, "driver.py"), DRIVER);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("compiles (python3 -m py_compile)", () => {
      execFileSync("python3", ["-m", "py_compile", path.join(dir, "index.py")]);
    });

    it("creates the role if missing, grants rds_iam, its database and its own schema, idempotently", async () => {
      const { result } = await python({ op: "statements", args: ["app", "app", "app"] });
      expect(result).to.deep.equal([
        `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'app') THEN CREATE ROLE "app" LOGIN; END IF; END $$`,
        'GRANT rds_iam TO "app"',
        'GRANT CONNECT ON DATABASE "app" TO "app"',
        'CREATE SCHEMA IF NOT EXISTS "app"',
        'GRANT USAGE, CREATE ON SCHEMA "app" TO "app"',
        'ALTER ROLE "app" SET search_path = "app"',
      ]);
      // No statement that fails on a re-run (a bare CREATE ROLE / CREATE SCHEMA) and none that gives more.
      for (const sql of result as string[]) {
        expect(sql).not.to.match(
          /SUPERUSER|CREATEROLE|CREATEDB|PASSWORD|rds_superuser|ALL PRIVILEGES|public/i,
        );
      }
    });

    it("refuses a name it would have to quote differently, before any statement", async () => {
      const bad = ['app"; DROP ROLE x; --', "App", "1app", "", "a".repeat(64)];
      const outputs = await pythonAll(bad.map((name) => ({ op: "statements", args: ["app", name, "app"] })));
      outputs.forEach((output, i) =>
        expect(output.error, bad[i]).to.match(
          /^ValueError: .* is not a plain lower-case PostgreSQL identifier/,
        ),
      );
    });

    it("runs each statement on the cluster with the master secret, then checks the role, and reports it", async () => {
      const output = await python({ op: "run", settings: SETTINGS, role: LEAST });
      expect(output.error).to.equal(undefined);
      const statements = output.calls.filter((c) => "sql" in c);
      expect(statements).to.have.length(7);
      for (const call of statements) {
        expect(call).to.deep.include({
          resourceArn: SETTINGS.cluster,
          secretArn: SETTINGS.secret,
          database: "app",
        });
      }
      const check = statements[6];
      expect(String(check.sql)).to.match(/^SELECT rolcanlogin, .* WHERE rolname = :user$/);
      expect(check.parameters).to.deep.equal([{ name: "user", value: { stringValue: "app" } }]);
      expect(output.result).to.deep.equal({
        database: "app",
        user: "app",
        schema: "app",
        statements: 6,
        role: {
          rolcanlogin: true,
          rds_iam: true,
          rolsuper: false,
          rolcreaterole: false,
          rolcreatedb: false,
          rolreplication: false,
          rolbypassrls: false,
          rds_superuser: false,
        },
      });
      expect(output.sleeps).to.deep.equal([]);
    });

    it("retries while the writer comes up, 15 s apart", async () => {
      const output = await python({
        op: "run",
        settings: SETTINGS,
        role: LEAST,
        failures: ["DatabaseResumingException", "DatabaseUnavailableException"],
      });
      expect(output.error).to.equal(undefined);
      expect(output.sleeps).to.deep.equal([15, 15]);
      expect(output.calls.filter((c) => "sql" in c)).to.have.length(9);
    });

    it("fails at once on an answer, saying what to do when the writer is in another region", async () => {
      const output = await python({
        op: "run",
        settings: SETTINGS,
        role: LEAST,
        failures: ["BadRequestException"],
      });
      expect(output.error).to.match(
        /^RuntimeError: BadRequestException: .*run the bootstrap after the failback/,
      );
      expect(output.sleeps).to.deep.equal([]);
      expect(output.calls.filter((c) => "sql" in c)).to.have.length(1);
    });

    it("gives up after 12 tries", async () => {
      const output = await python({
        op: "run",
        settings: SETTINGS,
        role: LEAST,
        failures: Array(12).fill("DatabaseResumingException"),
      });
      expect(output.error).to.match(/^RuntimeError: DatabaseResumingException/);
      expect(output.sleeps).to.have.length(11);
    });

    it("refuses a role of that name that logs in without IAM or holds a privilege (set by hand before)", async () => {
      const cases: [boolean[], string][] = [
        [[true, true, true, false, false, false, false, false], "rolsuper': True"],
        [[true, false, false, false, false, false, false, false], "rds_iam': False"],
        [[true, true, false, false, false, false, false, true], "rds_superuser': True"],
        [[false, true, false, false, false, false, false, false], "rolcanlogin': False"],
      ];
      const outputs = await pythonAll(
        [...cases.map(([role]) => role), null].map((role) => ({ op: "run", settings: SETTINGS, role })),
      );
      cases.forEach(([, why], i) =>
        expect(outputs[i].error, why)
          .to.include("is not the least-privilege IAM user expected")
          .and.include(why),
      );
      expect(outputs[4].error).to.equal("RuntimeError: role app not found after the bootstrap");
    });

    it("takes its settings from the environment Pulumi set, not from the event", async () => {
      const output = await python(
        { op: "handler", role: LEAST },
        {
          CLUSTER_ARN: SETTINGS.cluster,
          SECRET_ARN: SETTINGS.secret,
          DATABASE: "app",
          APP_USER: "app",
          APP_SCHEMA: "app",
        },
      );
      expect(output.error).to.equal(undefined);
      expect(output.calls[0]).to.deep.equal({ client: "rds-data" });
      expect(output.calls.filter((c) => "sql" in c)).to.have.length(7);
    });
  });
});
