/** The offline plan: exit codes, the JSON shape, and the DR arithmetic against hand-computed values. */
import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DR_ASSUMPTIONS, drReport } from "../tools/drReport";
import { defaultTagsOf, isFabricated, ofType, RecordedResource, StackFile, StackRun } from "../tools/mocks";
import { formatFinding } from "../config/errors";
import { findPlaceholders } from "../tools/placeholders";
import {
  EXIT,
  maskFabricated,
  paint,
  parseArgs,
  plan,
  Plan,
  PlanIo,
  printDr,
  remoteChildren,
  renderOutput,
  selectStack,
  StackPlan,
  UNKNOWN,
  UsageError,
} from "../tools/plan";
import { fixtureRoot, fixtureStackFiles, fixtureStackRuns, runAllStacks } from "../tools/runStacks";
import { editedRoot, fixtureLine, unsecret, userVariantRoot } from "./helpers";

const PROJECT = "multi-region-web";

function capture(): PlanIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

/** The fixture stack files with some keys changed (fully qualified keys, engine-style string values). */
function stacksWith(overrides: Record<string, Record<string, string>>): StackFile[] {
  return fixtureStackFiles().regional.map((s) => ({
    ...s,
    config: { ...s.config, ...(overrides[s.stack] ?? {}) },
  }));
}

/** The fixture control stack file with some keys changed. */
function controlWith(overrides: Record<string, string>): StackFile[] {
  return fixtureStackFiles().control.map((s) => ({ ...s, config: { ...s.config, ...overrides } }));
}

const HOME = "Pulumi.us-east-1.yaml";
const STANDBY = "Pulumi.ca-central-1.yaml";
const CONTROL = "control/Pulumi.global.yaml";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-"));

describe("plan", function () {
  this.timeout(60_000);
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe("arguments", () => {
    it("parses every option", () => {
      expect(
        parseArgs(
          ["--stack", "us-east-1", "--json", "p.json", "--no-color", "--policy-pack-config", "c.json"],
          true,
        ),
      ).to.deep.equal({
        stack: "us-east-1",
        json: "p.json",
        policyConfig: "c.json",
        color: false,
        help: false,
      });
      expect(parseArgs(["--help"], false).help).to.equal(true);
    });
    it("rejects an unknown flag and a flag without its value, naming what is allowed", () => {
      expect(() => parseArgs(["--stacks", "x"], false)).to.throw(
        UsageError,
        /unknown option "--stacks"; allowed: --stack/,
      );
      expect(() => parseArgs(["--json"], false)).to.throw(UsageError, /--json needs a value/);
      expect(() => parseArgs(["--stack", "--no-color"], false)).to.throw(UsageError, /--stack needs a value/);
    });
    it("exits 2 with the usage for a bad flag, from the command line (as npm run plan starts it)", async () => {
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ["-r", "sucrase/register/ts", path.join(__dirname, "..", "tools", "plan.ts"), "--bogus"],
          { cwd: path.join(__dirname, "..") },
          (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
        );
      });
      expect(result.code).to.equal(EXIT.badInput);
      expect(result.stderr).to.contain('unknown option "--bogus"').and.to.contain("Usage: npm run plan");
      expect(result.stderr).to.not.match(/\n\s+at /);
    });
    it("exits 2 for a stack that has no stack file, listing the short and the fully qualified names", async () => {
      const io = capture();
      const result = await plan({ color: false, help: false, stack: "eu-west-9" }, io, fixtureRoot());
      expect(result.exitCode).to.equal(EXIT.badInput);
      expect(io.stderr.join("\n")).to.contain(
        '--stack "eu-west-9": no such stack file; allowed: us-east-1, ca-central-1, global (or fully qualified: ' +
          "organization/multi-region-web/us-east-1, organization/multi-region-web/ca-central-1, " +
          "organization/multi-region-web-control/global)",
      );
    });

    it("takes a fully qualified name; another organization or a malformed name is named as such", () => {
      const { regional, control } = fixtureStackFiles();
      const files = [...regional, ...control];
      for (const [name, stack] of [
        ["organization/multi-region-web/us-east-1", "us-east-1"],
        ["organization/multi-region-web-control/global", "global"],
        ["ca-central-1", "ca-central-1"],
      ]) {
        expect(selectStack(name, files, "organization").stack, name).to.equal(stack);
      }
      expect(selectStack("acme/multi-region-web/us-east-1", files, "acme").stack).to.equal("us-east-1");
      expect(() => selectStack("acme/multi-region-web/us-east-1", files, "organization")).to.throw(
        UsageError,
        /^--stack "acme\/multi-region-web\/us-east-1": the stack files name the organization organization \(primaryStack, homeStack\), not acme; allowed: /,
      );
      expect(() => selectStack("organization/multi-region-web/global", files, "organization")).to.throw(
        UsageError,
        /^--stack "organization\/multi-region-web\/global": no such stack file; allowed:/,
      );
      expect(() => selectStack("organization/us-east-1", files, "organization")).to.throw(
        UsageError,
        /^--stack "organization\/us-east-1": a stack name or <organization>\/<project>\/<stack>; allowed:/,
      );
      // A stack name both projects have: only its fully qualified name tells them apart.
      const twin = { ...control[0], stack: "us-east-1" };
      expect(() => selectStack("us-east-1", [...files, twin], "organization")).to.throw(
        UsageError,
        '--stack "us-east-1": both projects have it; name it fully qualified: organization/multi-region-web/us-east-1, organization/multi-region-web-control/us-east-1',
      );
    });
  });

  describe("the fixture stacks", () => {
    let result: Plan;
    let io: ReturnType<typeof capture>;
    const jsonFile = path.join(tmp, "plan.json");
    before(async () => {
      io = capture();
      result = await plan({ color: false, help: false, json: jsonFile }, io, fixtureRoot());
    });

    it("exit 0: every stack plans with no policy violation, mandatory or advisory", () => {
      expect(result.exitCode, io.stdout.filter((l) => l.includes("mandatory")).join("\n")).to.equal(
        EXIT.clean,
      );
      expect(result.stacks.map((s) => s.stack)).to.deep.equal(["us-east-1", "ca-central-1", "global"]);
      for (const stack of result.stacks) {
        expect(stack.policies.mandatory, stack.stack).to.deep.equal([]);
        // The control stack's first `pulumi up`: ARC has created no health checks yet, and the
        // advisory says to run `pulumi up` again (docs/deploying.md; the second one: control.test.ts).
        expect(
          stack.policies.advisory.map((v) => `${v.policyName} ${v.urn?.split("::").pop()}`),
          stack.stack,
        ).to.deep.equal(stack.stack === "global" ? ["dr-failover-records routing-primary"] : []);
      }
    });

    it("reads top-down: the summary, before you deploy, each stack, the DR report, then the policy counts", () => {
      const text = io.stdout.join("\n");
      const order = [
        "Summary",
        "Before you deploy: 16 example values to replace in the stack files",
        "Stack us-east-1 (us-east-1, active, home): + 155 to create, +28 in a real preview (awsx:ec2:Vpc's children)",
        "Stack ca-central-1 (ca-central-1, passive, standby): + 151 to create, +26 in a real preview",
        "Stack global (us-east-1, failover control): + 55 to create",
        "Disaster recovery",
        "Footprint and monthly on-demand cost (ESTIMATE)",
      ].map((heading) => text.indexOf(heading));
      expect(
        order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1])),
        String(order),
      ).to.equal(true);
      expect(io.stdout[io.stdout.length - 1]).to.equal(
        "Planned 3 stacks: 0 mandatory violations, 1 advisory; 16 example values to replace before a real deploy.",
      );
    });

    it("summarizes each stack, the totals, the DR overhead with the control stack, and the failover timings", () => {
      const start = io.stdout.indexOf("Summary");
      expect(io.stdout.slice(start, start + 15)).to.deep.equal([
        "Summary",
        "  stack         region        role              resources  policies                            monthly",
        "  us-east-1     us-east-1     active, home      155 (+28)  0 mandatory violations, 0 advisory  $547.17",
        "  ca-central-1  ca-central-1  passive, standby  151 (+26)  0 mandatory violations, 0 advisory  $167.27",
        // The control stack's first `pulumi up`: ARC has made no health check yet (the advisory above).
        "  global        us-east-1     failover control         55  0 mandatory violations, 1 advisory   $72.00",
        "  total         3 stacks                        361 (+54)  0 mandatory violations, 1 advisory  $786.44",
        "  (+n): more resources a real preview lists: awsx:ec2:Vpc is a remote component, and the mocks create none of",
        "  its children (the VPC, subnets, route tables and associations, routes, internet and NAT gateways, Elastic IPs).",
        // 547.17 + 167.27 + 72.00 (the plan 70, two KMS keys: the alarm topic's, the witness's logs')
        "  Monthly cost of every stack: $786.44, an on-demand ESTIMATE (details below).",
        // (167.27 + 72.00) / 547.17 = 43.729 %
        "  DR overhead: ca-central-1 + the control stack global = $239.27 a month, 43.73% of the active stack's $547.17.",
        "  Failover to ca-central-1 (automatic trigger): reads served by the standby after 90 s (detection 30 s + DNS 60 s);",
        "  Aurora writes 75 s ungraceful / 135 s (2.3 min) graceful after the plan starts; traffic routed by the plan after 180 s (3.0 min) / 240 s (4.0 min).",
        "",
        "Before you deploy: 16 example values to replace in the stack files (npm run placeholders lists them; the plan runs them offline all the same)",
        `  ${formatFinding(result.placeholders[0])}`,
      ]);
      expect(result.cost).to.deep.equal({
        totalUsd: 786.44,
        unpriced: [],
        activeUsd: 547.17,
        overheadUsd: 239.27,
        overheadPercent: 43.73,
      });
      expect(result.placeholders).to.deep.equal(findPlaceholders(fixtureRoot()));
      // The detail says the same: the standbys alone, then with the control stack.
      expect(io.stdout).to.include(
        "    standby cost: 30.57% of the active region's; with the control stack (the DR overhead): 43.73%",
      );
    });

    it("prints each stack's whole resource tree once, its outputs and policies, and the DR report", () => {
      const text = io.stdout.join("\n");
      for (const stack of result.stacks) {
        const tree = io.stdout.filter((l) => l.startsWith("+ "));
        for (const r of stack.resources) {
          const line = new RegExp(` ${r.type.replace(/[/.:]/g, "\\$&")} {2}${r.name}( \\[protected\\])?$`);
          expect(
            tree.some((l) => line.test(l)),
            `${stack.stack} ${r.type} ${r.name}`,
          ).to.equal(true);
        }
      }
      expect(io.stdout.filter((l) => l.startsWith("+ "))).to.have.length(155 + 151 + 55);
      expect(text).to.match(/├─ multi-region-web:failover:FailoverPlan {2}plan-ca-central-1/);
      expect(text).to.match(/\+ {3}pulumi:pulumi:Stack {2}multi-region-web-us-east-1/);
      expect(text).to.match(/├─ multi-region-web:\w+:TierAsg {2}frontend/);
      expect(text).to.contain("  Outputs:");
      expect(text).to.match(/ {2}Policies: 0 mandatory violations, 0 advisory/);
      expect(text).to.contain("Disaster recovery");
      expect(text).to.match(
        /\* serverless: 1 × Aurora Serverless v2, 0\.5 ACU minimum; \$[\d.]+ \([\d.]+% of active\); writes after 75 s ungraceful, 135 s \(2\.3 min\) graceful$/m,
      );
      // The trade-off said outright: what the configured option saves and what it costs in time.
      expect(text).to.match(
        /\* serverless: [^\n]+\n {8}against the home's class: saves \$\d+\.\d\d a month \(\d+\.\d\d points of the active region's cost\) for 0 s more before Aurora takes writes\n/,
      );
      // The home's class meets the target: no "over" note on its line.
      expect(text).to.match(/ {6}provisioned, the home's class: [^\n]+graceful\n/);
      expect(text).to.contain("  headless: no instance: storage only;");
      expect(text).to.contain(
        "Plan multi-region-web-ca-central-1, activate ca-central-1 (automatic trigger, manual approval):",
      );
      expect(text).to.contain(
        "    trigger: all of multi-region-web-ca-central-1-home-down-from-ca-central-1 (probe in ca-central-1), multi-region-web-ca-central-1-home-down-from-us-west-2 (probe in us-west-2) red, each after 300 s (5.0 min) of failures; the execution then waits for approval",
      );
      expect(text).to.contain("(b) the whole active region is down");
      expect(text).to.contain("1 × ARC Region switch plan");
      expect(text).to.contain("monthly on-demand cost (ESTIMATE)");
      // Said once: where a real preview shows more resources than the mocks.
      expect(text.split("awsx:ec2:Vpc is a remote component")).to.have.length(2);
    });

    it("writes JSON with the stacks, resources and their inputs, counts, outputs, policies, cost and DR report", () => {
      const json = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as Plan;
      expect(json).to.have.keys("stacks", "dr", "cost", "placeholders", "problems", "exitCode");
      expect([json.exitCode, json.problems, json.placeholders.length]).to.deep.equal([0, [], 16]);
      expect(json.stacks).to.have.length(3);
      for (const stack of json.stacks) {
        expect(stack).to.have.keys(
          "stack",
          "qualifiedName",
          "project",
          "region",
          "role",
          "home",
          "resources",
          "countsByType",
          "remoteChildren",
          "outputs",
          "unknownOutputs",
          "policies",
        );
        expect(stack.resources.length).to.equal(Object.values(stack.countsByType).reduce((a, b) => a + b, 0));
        expect(stack.resources[0]).to.include.keys("urn", "type", "name", "inputs", "unknownInputs");
        expect(stack.policies).to.have.keys("mandatory", "advisory");
        expect(stack.outputs).to.have.property(stack.role === "control" ? "plans" : "publicAlbDnsName");
      }
      expect(json.stacks.map((s) => [s.qualifiedName, s.remoteChildren])).to.deep.equal([
        // 2 AZs × 3 subnet types: VPC + IGW, 6 × (subnet, route table, association), 2 public + 2 private
        // routes, and per NAT gateway an EIP and the gateway (one per AZ at home, one in the standby).
        ["organization/multi-region-web/us-east-1", 2 + 18 + 4 + 2 * 2],
        ["organization/multi-region-web/ca-central-1", 2 + 18 + 4 + 2 * 1],
        ["organization/multi-region-web-control/global", 0],
      ]);
      expect(json.dr).to.include.keys(
        "detectionSeconds",
        "dnsSeconds",
        "capacitySeconds",
        "plan",
        "cases",
        "assumptions",
        "regions",
        "control",
        "standbyCostPercentOfActive",
        "regionsWithoutPrices",
        "priceTable",
      );
      expect(json.dr!.cases.map((c) => c.id)).to.deep.equal(["a", "b", "c", "d", "e"]);
      expect(json.dr!.regions.map((r) => r.role)).to.deep.equal(["active", "passive"]);
    });

    it("JSON: each resource's inputs as registered, secrets masked, values AWS assigns null and pointed at", async () => {
      const text = fs.readFileSync(jsonFile, "utf8");
      const json = JSON.parse(text) as Plan;
      const runs = await fixtureStackRuns();
      const [home, standby] = json.stacks;
      const resource = (s: StackPlan, type: string, name?: string) =>
        s.resources.find((r) => r.type === type && (name === undefined || r.name === name))!;
      // As registered: the launch template's instance type, the health check's path.
      expect(resource(home, "aws:ec2/launchTemplate:LaunchTemplate").inputs.instanceType).to.equal(
        "t4g.small",
      );
      expect(resource(home, "aws:route53/healthCheck:HealthCheck").inputs.resourcePath).to.equal(
        ofType(runs[0], "aws:route53/healthCheck:HealthCheck")[0].inputs.resourcePath,
      );
      // A secret input: the home's master credentials (the standby holds none: issue 21).
      expect(resource(home, "aws:secretsmanager/secretVersion:SecretVersion").inputs.secretString).to.equal(
        "[secret]",
      );
      expect(standby.resources.filter((r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion")).to
        .be.empty;
      expect(text).to.not.contain("4dabf18193072939515e22adb298388d");
      const password = runs[0].resources.find((r) => r.type.includes("RandomPassword"))!.outputs.result;
      expect(text).to.not.contain(unsecret(password) as string);
      // An input made of another resource's id: null, and its pointer says so.
      const endpoint = resource(home, "aws:ec2/vpcEndpoint:VpcEndpoint");
      expect(endpoint.inputs.vpcId).to.equal(null);
      expect(endpoint.unknownInputs).to.include("/vpcId");
      for (const stack of json.stacks) {
        for (const r of stack.resources) {
          for (const pointer of r.unknownInputs) {
            const value = pointer
              .split("/")
              .slice(1)
              .reduce<unknown>(
                (v, key) => (v as Record<string, unknown>)[key.replace(/~1/g, "/").replace(/~0/g, "~")],
                r.inputs,
              );
            expect(value, `${r.urn} ${pointer}`).to.equal(null);
          }
        }
      }
    });

    it("prints what config and inputs determine as it is, and what AWS assigns at deploy as unknown", () => {
      const text = io.stdout.join("\n");
      const home = text.slice(text.indexOf("Stack us-east-1"), text.indexOf("Stack ca-central-1"));
      for (const line of [
        'role: "active"',
        'region: "us-east-1"',
        'domain: "app.example.com"',
        'healthRecordName: "home.app.example.com"',
        'globalClusterIdentifier: "multi-region-web-us-east-1-aurora"',
        'standbyRegions: ["ca-central-1"]',
        "home: true",
        `vpcId: ${UNKNOWN}`,
        `hostedZoneId: ${UNKNOWN}`,
        `publicAlbDnsName: ${UNKNOWN}`,
        `publicAlbZoneId: ${UNKNOWN}`,
        `availabilityZones: [${UNKNOWN},${UNKNOWN}]`,
        `clusterArn: ${UNKNOWN}`,
      ]) {
        expect(home).to.contain(`    ${line}\n`);
      }
      // No stack exports the database's master credentials (issue 21): the home has no secret export.
      expect(home).not.to.contain("dbCredentials");
      expect(text).to.contain(
        `"planArn":${UNKNOWN},"planArnParameter":"/failover/multi-region-web-ca-central-1/plan-arn"`,
      );
      // ARC lists no health checks on the control stack's first `pulumi up`.
      expect(text).to.contain(`"reportBucket":${UNKNOWN},"arcHealthCheckIds":{}`);
      expect(text.split(`${UNKNOWN}: a value AWS assigns at deploy`)).to.have.length(2);
    });

    it("prints nothing the mocks invented, though the runs (and StackReferences) still carry it", async () => {
      const runs = await fixtureStackRuns();
      const fabricated = runs.flatMap((r) => r.fabricated);
      const text = io.stdout.join("\n").toLowerCase();
      expect(fabricated).to.include.members(["123456789012", "us-east-1a", "ca-central-1b"]);
      expect(fabricated.filter((f) => text.includes(f))).to.deep.equal([]);
      // The shapes of what AWS assigns, in case a mock invents one without registering it.
      const assigned =
        /123456789012|amazonaws\.com|\b(vpc|subnet|sg|nat|rtb|lt)-[0-9a-f]{17}\b|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-|\b[a-z]{2}-[a-z]+-\d[a-z]\b/i;
      expect(text).to.not.match(assigned);
      // The JSON has the inputs too, where a service principal (backup.amazonaws.com) is no deploy's:
      // a regional endpoint name is.
      const json = fs.readFileSync(jsonFile, "utf8");
      expect(json).to.match(/backup\.amazonaws\.com/);
      expect(json).to.not.match(
        new RegExp(
          assigned.source.replace("amazonaws\\.com", "\\.[a-z]{2}-[a-z]+-\\d\\.[a-z0-9.-]*amazonaws\\.com"),
          "i",
        ),
      );
      expect(runs[0].outputs.vpcId).to.match(/^vpc-[0-9a-f]{17}$/);
      expect(runs[0].outputs.publicAlbDnsName).to.match(/\.us-east-1\.elb\.amazonaws\.com$/);
    });

    it("JSON: unknown values are null and listed as JSON Pointers; a null export is not unknown", () => {
      const json = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as Plan;
      const [home, , control] = json.stacks;
      expect(home.outputs).to.deep.include({ role: "active", domain: "app.example.com", vpcId: null });
      expect(home.outputs.availabilityZones).to.deep.equal([null, null]);
      expect(home.unknownOutputs).to.include.members([
        "/vpcId",
        "/availabilityZones/0",
        "/securityGroupIds/backend",
      ]);
      expect(home.unknownOutputs).to.not.include.members(["/role", "/domain", "/region"]);
      const planOutputs = (control.outputs.plans as Record<string, Record<string, unknown>>)["ca-central-1"];
      expect(planOutputs.planArn).to.equal(null);
      // The plan with the trigger has an approval role: unknown before the deploy, like the plan's ARN.
      expect(planOutputs.approvalRoleArn).to.equal(null);
      expect(planOutputs.approvalRoleArnParameter).to.equal(
        "/failover/multi-region-web-ca-central-1/approval-role-arn",
      );
      expect(control.unknownOutputs).to.include.members([
        "/plans/ca-central-1/planArn",
        "/plans/ca-central-1/approvalRoleArn",
      ]);
      for (const stack of json.stacks) {
        for (const pointer of stack.unknownOutputs) {
          const value = pointer
            .split("/")
            .slice(1)
            .reduce<unknown>((v, key) => (v as Record<string, unknown>)[key], stack.outputs);
          expect(value, `${stack.stack} ${pointer}`).to.equal(null);
        }
      }
    });

    it("plans one stack with --stack, short or fully qualified; the DR report still covers every stack", async () => {
      for (const stack of ["ca-central-1", "organization/multi-region-web/us-east-1", "global"]) {
        const io = capture();
        const one = await plan({ color: false, help: false, stack }, io, fixtureRoot());
        const short = stack.split("/").pop();
        if (short === "us-east-1") {
          // The master credentials are exported no more (issue 21).
          expect(one.stacks[0].outputs).to.not.have.property("dbCredentials");
        }
        expect(one.exitCode).to.equal(EXIT.clean);
        expect(one.stacks.map((s) => s.stack)).to.deep.equal([short]);
        expect(one.dr, stack).to.deep.equal(result.dr);
        expect(one.cost, stack).to.deep.equal(result.cost);
        expect(io.stdout.filter((l) => l.startsWith("Stack "))).to.have.length(1);
        // The control stack's first `pulumi up` carries its one advisory (ARC has made no check yet).
        expect(io.stdout[io.stdout.length - 1]).to.match(
          short === "global"
            ? /^Planned 1 stack: 0 mandatory violations, 1 advisory;/
            : /^Planned 1 stack: 0 mandatory violations, 0 advisory;/,
        );
      }
    });
  });

  it("names no example value once a user replaced them all", async () => {
    const io = capture();
    const result = await plan({ color: false, help: false }, io, userVariantRoot());
    expect(result.exitCode, io.stderr.join("\n")).to.equal(EXIT.clean);
    expect(result.placeholders).to.deep.equal([]);
    expect(io.stdout).to.include("Before you deploy: no example values left in the stack files.");
    expect(io.stdout[io.stdout.length - 1]).to.equal("Planned 3 stacks: 0 mandatory violations, 1 advisory.");
  });

  it("exit 1: a mandatory violation injected through a stack file; the summary and the last line count advisories too", async () => {
    const root = editedRoot([
      {
        file: STANDBY,
        from: "  multi-region-web:azCount: 2",
        to: "  multi-region-web:azCount: 2\n  multi-region-web:protectData: false\n  multi-region-web:albDeletionProtection: false",
      },
    ]);
    const policyConfig = path.join(tmp, "policy-config.json");
    fs.writeFileSync(policyConfig, JSON.stringify({ "dr-stateful-protected": "mandatory" }));
    const io = capture();
    const result = await plan({ color: false, help: false, policyConfig }, io, root);
    expect(result.exitCode).to.equal(EXIT.mandatory);
    const standby = result.stacks.find((s) => s.stack === "ca-central-1")!;
    const names = (list: { policyName: string }[]) => [...new Set(list.map((v) => v.policyName))];
    expect(names(standby.policies.mandatory)).to.deep.equal(["dr-stateful-protected"]);
    // alb-deletion-protection stays advisory: one per load balancer.
    expect(standby.policies.advisory.map((v) => v.policyName)).to.deep.equal([
      "alb-deletion-protection",
      "alb-deletion-protection",
    ]);
    expect(result.stacks.find((s) => s.stack === "us-east-1")!.policies.mandatory).to.be.empty;
    const mandatory = standby.policies.mandatory.length;
    expect(mandatory).to.be.greaterThan(1);
    expect(io.stdout[io.stdout.length - 1]).to.equal(
      `${mandatory} mandatory violations, 3 advisory: a real pulumi preview with --policy-pack policy would fail; 16 example values to replace before a real deploy.`,
    );
    expect(io.stdout).to.include(
      `  ca-central-1  ca-central-1  passive, standby  151 (+26)  ${mandatory} mandatory violations, 2 advisory  $167.27`,
    );
    // The total: the standby's two and the control stack's first-deploy one.
    expect(io.stdout.find((l) => l.startsWith("  total "))).to.contain(
      `${mandatory} mandatory violations, 3 advisory`,
    );
  });

  it("exit 2: a bad config, named by file, line, key and value, before any program runs", async () => {
    const root = editedRoot([
      { file: HOME, from: "multi-region-web:azCount: 2", to: "multi-region-web:azCount: 7" },
    ]);
    const io = capture();
    const json = path.join(tmp, "plan-bad.json");
    const result = await plan({ color: false, help: false, json }, io, root);
    expect(result.exitCode).to.equal(EXIT.badInput);
    const err = io.stderr.join("\n");
    const line = fixtureLine(HOME, "azCount");
    expect(err).to.contain(
      `error: ${HOME}:${line}:3: multi-region-web:azCount = 7: must be an integer from 2 to 3`,
    );
    expect(err).to.contain("1 problem(s) in the stack files: nothing was planned");
    expect(err).to.not.match(/\n\s+at /);
    expect(io.stdout).to.deep.equal([]);
    // The JSON is written on exit 2 too, with the problems.
    expect(JSON.parse(fs.readFileSync(json, "utf8"))).to.deep.equal({
      stacks: [],
      dr: null,
      cost: null,
      placeholders: [],
      problems: [
        {
          file: HOME,
          key: "multi-region-web:azCount",
          value: 7,
          message: "must be an integer from 2 to 3",
          line,
          column: 3,
          text: `${HOME}:${line}:3: multi-region-web:azCount = 7: must be an integer from 2 to 3`,
        },
      ],
      exitCode: EXIT.badInput,
    });
  });

  it("exit 2: the JSON carries a bad --stack or policy pack config as a problem too", async () => {
    const json = path.join(tmp, "plan-bad-stack.json");
    const result = await plan({ color: false, help: false, json, stack: "nope" }, capture(), fixtureRoot());
    const written = JSON.parse(fs.readFileSync(json, "utf8")) as Plan;
    expect([result.exitCode, written.exitCode]).to.deep.equal([EXIT.badInput, EXIT.badInput]);
    expect(written.problems).to.have.length(1);
    expect(written.problems[0].message).to.match(/^--stack "nope": no such stack file/);
    expect(written.problems[0].text).to.equal(written.problems[0].message);
  });

  it("exit 2: a YAML syntax error, with file, line and column (not an internal error)", async () => {
    const root = editedRoot([
      { file: STANDBY, from: "  multi-region-web:azCount: 2", to: "  multi-region-web:azCount: [2" },
    ]);
    const io = capture();
    const result = await plan({ color: false, help: false }, io, root);
    expect(result.exitCode).to.equal(EXIT.badInput);
    expect(io.stderr.join("\n")).to.match(/error: Pulumi.ca-central-1.yaml:\d+:\d+: \(yaml\): invalid YAML/);
  });

  it("follows the organization the stack files name (a Pulumi Cloud organization)", async () => {
    const root = editedRoot([
      {
        file: STANDBY,
        from: "organization/multi-region-web/us-east-1",
        to: "my-org/multi-region-web/us-east-1",
      },
      {
        file: CONTROL,
        from: "organization/multi-region-web/us-east-1",
        to: "my-org/multi-region-web/us-east-1",
      },
    ]);
    const io = capture();
    const result = await plan({ color: false, help: false }, io, root);
    expect(result.exitCode, io.stderr.join("\n")).to.equal(EXIT.clean);
    expect(result.stacks).to.have.length(3);
  });

  it("exit 2: a control stack whose homeStack names another organization than the standbys, naming both files", async () => {
    const root = editedRoot([
      {
        file: STANDBY,
        from: "organization/multi-region-web/us-east-1",
        to: "my-org/multi-region-web/us-east-1",
      },
    ]);
    const io = capture();
    const result = await plan({ color: false, help: false }, io, root);
    expect(result.exitCode).to.equal(EXIT.badInput);
    // Which of the two is stale is the user's to say: neither is told to change back (the pre-flight's spec has the rest).
    expect(io.stderr.join("\n")).to.contain(
      `error: ${CONTROL}:${fixtureLine(CONTROL, "homeStack")}:3: multi-region-web-control:homeStack = "organization/multi-region-web/us-east-1": names the organization organization, but ${STANDBY}'s primaryStack names my-org`,
    );
    expect(io.stderr.join("\n")).to.not.contain("must name the home stack");
  });

  it("exit 2: a control stack whose homeStack is not the stack files' home, naming its file", async () => {
    const root = editedRoot([
      { file: CONTROL, from: "multi-region-web/us-east-1", to: "multi-region-web/ca-central-1" },
    ]);
    const io = capture();
    const result = await plan({ color: false, help: false }, io, root);
    expect(result.exitCode).to.equal(EXIT.badInput);
    expect(io.stderr.join("\n")).to.contain(
      `error: ${CONTROL}:${fixtureLine(CONTROL, "homeStack")}:3: multi-region-web-control:homeStack = "organization/multi-region-web/ca-central-1": must name the home stack organization/multi-region-web/us-east-1 (${HOME})`,
    );
  });

  it("exit 2: a control stack config error names the file and the key", async () => {
    const root = editedRoot([
      { file: CONTROL, from: "aws:region: us-east-1", to: "aws:region: ca-central-1" },
    ]);
    const io = capture();
    const result = await plan({ color: false, help: false }, io, root);
    expect(result.exitCode).to.equal(EXIT.badInput);
    expect(io.stderr.join("\n")).to.contain(
      `error: ${CONTROL}:${fixtureLine(CONTROL, "aws:region")}:3: aws:region = "ca-central-1": must be us-east-1`,
    );
  });

  it("exit 2: a primaryStack that names no home stack file", async () => {
    const root = editedRoot([
      {
        file: STANDBY,
        from: "organization/multi-region-web/us-east-1",
        to: "organization/multi-region-web/eu-west-1",
      },
    ]);
    const io = capture();
    const result = await plan({ color: false, help: false }, io, root);
    expect(result.exitCode).to.equal(EXIT.badInput);
    expect(io.stderr.join("\n")).to.contain(
      `${STANDBY}:${fixtureLine(STANDBY, "primaryStack")}:3: multi-region-web:primaryStack = "organization/multi-region-web/eu-west-1": must name the home stack organization/multi-region-web/us-east-1`,
    );
  });

  it("exit 2: a policy pack config with an unknown policy, a bad level or a bad setting", async () => {
    for (const [content, message] of [
      [{ "no-such-policy": "mandatory" }, '"no-such-policy" is not a policy of this pack'],
      [{ "alb-access-logs": "blocking" }, "blocking"],
      [{ "dr-standby-capacity": { activeCapacity: "ten" } }, "activeCapacity"],
    ] as const) {
      const file = path.join(tmp, "policy-config-bad.json");
      fs.writeFileSync(file, JSON.stringify(content));
      const io = capture();
      const result = await plan({ color: false, help: false, policyConfig: file }, io, fixtureRoot());
      expect(result.exitCode, JSON.stringify(content)).to.equal(EXIT.badInput);
      expect(io.stderr.join("\n")).to.contain(`--policy-pack-config "${file}"`).and.to.contain(message);
    }
  });

  it("exit 2: a --json file that cannot be written", async () => {
    const io = capture();
    const result = await plan(
      { color: false, help: false, json: path.join(tmp, "missing-dir", "p.json") },
      io,
      fixtureRoot(),
    );
    expect(result.exitCode).to.equal(EXIT.badInput);
    expect(io.stderr.join("\n")).to.contain("cannot write the file");
  });

  it("exit 2: an unreadable policy pack config", async () => {
    const io = capture();
    const bad = path.join(tmp, "bad.json");
    fs.writeFileSync(bad, "{ not json");
    const result = await plan({ color: false, help: false, policyConfig: bad }, io, fixtureRoot());
    expect(result.exitCode).to.equal(EXIT.badInput);
    expect(io.stderr.join("\n")).to.contain(`--policy-pack-config "${bad}": not valid JSON`);
  });

  describe("what a real preview lists besides", () => {
    const vpc = (inputs: Record<string, unknown>) =>
      ({ type: "awsx:ec2:Vpc", inputs }) as unknown as RecordedResource;
    const specs = (...types: string[]) => types.map((type) => ({ type, name: type.toLowerCase() }));

    it("counts an awsx:ec2:Vpc's children as pulumi-awsx creates them, per AZ, subnet type and NAT strategy", () => {
      const azs = (n: number) => ["a", "b", "c"].slice(0, n).map((z) => `us-east-1${z}`);
      const three = { availabilityZoneNames: azs(3), subnetSpecs: specs("Public", "Private", "Isolated") };
      // VPC + IGW; 9 × (subnet, route table, association); 3 public + 3 private routes; 3 × (EIP, NAT gateway).
      expect(remoteChildren([vpc({ ...three, natGateways: { strategy: "OnePerAz" } })])).to.equal(
        2 + 27 + 6 + 6,
      );
      // OnePerAz is awsx's default.
      expect(remoteChildren([vpc(three)])).to.equal(2 + 27 + 6 + 6);
      expect(remoteChildren([vpc({ ...three, natGateways: { strategy: "Single" } })])).to.equal(
        2 + 27 + 6 + 2,
      );
      // No NAT gateway: no route from the private subnets either.
      expect(remoteChildren([vpc({ ...three, natGateways: { strategy: "None" } })])).to.equal(2 + 27 + 3);
      const publicOnly = {
        availabilityZoneNames: azs(2),
        subnetSpecs: specs("Public"),
        natGateways: { strategy: "None" },
      };
      expect(remoteChildren([vpc(publicOnly)])).to.equal(2 + 6 + 2);
      expect(
        remoteChildren([{ type: "aws:ec2/vpc:Vpc", inputs: {} } as unknown as RecordedResource]),
      ).to.equal(0);
    });
  });

  describe("unknown values", () => {
    const fabricated = new Set(["vpc-0abc1234567", "123456789012", "us-east-1a"]);

    it("masks a string that holds an invented value, alone or inside, recursively; keeps the rest", () => {
      const paths: string[] = [];
      const outputs = {
        region: "us-east-1",
        vpc: "VPC-0ABC1234567",
        arn: "arn:aws:sns:us-east-1:123456789012:topic",
        zones: ["us-east-1a", "us-east-1-aurora"],
        "a/b~c": { id: "vpc-0abc1234567", port: 5432, none: null },
      };
      expect(maskFabricated(outputs, fabricated, null, paths)).to.deep.equal({
        region: "us-east-1",
        vpc: null,
        arn: null,
        zones: [null, "us-east-1-aurora"],
        "a/b~c": { id: null, port: 5432, none: null },
      });
      expect(paths).to.deep.equal(["/vpc", "/arn", "/zones/0", "/a~1b~0c/id"]);
      expect(renderOutput(outputs.zones, fabricated)).to.equal(`[${UNKNOWN},"us-east-1-aurora"]`);
      expect(renderOutput("app.example.com", fabricated)).to.equal('"app.example.com"');
    });

    it("the mocks register every string they add to a resource's state, bar the values AWS fixes", async () => {
      const runs = await fixtureStackRuns();
      const fabricated = runs.flatMap((r) => r.fabricated);
      const strings = (value: unknown): string[] =>
        typeof value === "string"
          ? [value]
          : value !== null && typeof value === "object"
            ? Object.values(value).flatMap(strings)
            : [];
      // The same for every resource of the type, whatever the account: no deploy needed to know them.
      const fixedByAws = ["CNAME", "$LATEST"];
      const leaks: string[] = [];
      for (const run of runs) {
        // The provider's default tags (tagsAll) come from the stack's config, not from the mocks.
        const configured = Object.values(defaultTagsOf(run.config));
        for (const r of run.resources) {
          // A secret's value is invented; its wrapper's signature key is Pulumi's constant.
          if (!r.custom || r.type.includes("RandomPassword")) continue;
          const inputs = new Set([...strings(r.inputs), ...configured]);
          for (const s of [r.id, ...strings(r.outputs)]) {
            if (!inputs.has(s) && !fixedByAws.includes(s) && !isFabricated(s, fabricated)) {
              leaks.push(`${r.type} ${r.name}: ${s}`);
            }
          }
        }
      }
      expect(leaks).to.deep.equal([]);
    });
  });

  describe("DR arithmetic", () => {
    const a = DR_ASSUMPTIONS;

    it("default config: deep check 10 s × 3, then the plan's steps (hand-computed)", async () => {
      const dr = drReport(await fixtureStackRuns());
      expect([a.aliasRecordTtl.seconds, a.arcStepStart.seconds, a.auroraFailover.seconds]).to.deep.equal([
        60, 15, 60,
      ]);
      expect([a.auroraSwitchover.seconds, a.healthCheckFlip.seconds, a.instanceBoot.seconds]).to.deep.equal([
        120, 30, 90,
      ]);
      expect(dr.detectionSeconds).to.equal(30);
      expect(dr.dnsSeconds).to.equal(60);
      // 90 s boot + healthy threshold 2 × interval 15 s.
      expect(dr.capacitySeconds).to.equal(120);
      const t = dr.plan!;
      expect(t.planName).to.equal("multi-region-web-ca-central-1");
      expect(t.automatic).to.equal(true);
      // The plan with the trigger starts with the approval step, manualApproval or not.
      expect(t.manualApproval).to.equal(true);
      expect(t.trigger).to.deep.equal({
        witnesses: [
          {
            alarmName: "multi-region-web-ca-central-1-home-down-from-ca-central-1",
            probeRegion: "ca-central-1",
          },
          { alarmName: "multi-region-web-ca-central-1-home-down-from-us-west-2", probeRegion: "us-west-2" },
        ],
        // triggerMinutes 5 × 60 s.
        seconds: 300,
      });
      expect([a.auroraServerlessScaling.seconds, a.auroraProvisionedScaling.seconds]).to.deep.equal([
        60, 900,
      ]);
      expect(t.steps.map((s) => [s.name, s.ungracefulSeconds, s.gracefulSeconds])).to.deep.equal([
        // A person's decision, apart from the machine time.
        ["approve", 0, 0],
        // max(tiers ungraceful 15 + 0, Serverless raise 15 + 60, failover 15 + 60);
        // max(tiers 15 + 120, raise 15 + 60, switchover 15 + 120)
        ["scale-and-move-writer", 75, 135],
        // 15 + 30
        ["route-traffic", 45, 45],
      ]);
      expect(t.ungraceful).to.deep.equal({
        writesSeconds: 75,
        trafficSeconds: 75 + 45 + 60,
        doneSeconds: 75 + 45,
      });
      expect(t.graceful).to.deep.equal({
        writesSeconds: 135,
        trafficSeconds: 135 + 45 + 60,
        doneSeconds: 135 + 45,
      });
    });

    it("meets the failover targets: reads from the standby ≤ 90 s (automatic), writes ≤ 3 min of machine time after the decision", async () => {
      const dr = drReport(await fixtureStackRuns());
      const byId = Object.fromEntries(dr.cases.map((c) => [c.id, c]));
      expect(byId.a.readsSeconds).to.equal(90);
      expect(byId.a.readsAfterDecision).to.equal(false);
      expect(byId.a.decisionSeconds).to.equal(0);
      for (const id of ["b", "c"]) {
        expect(byId[id].readsSeconds, id).to.be.at.most(90);
        expect(byId[id].writesSeconds, id).to.be.at.most(180);
        expect(byId[id].decisionSeconds, id).to.equal(a.humanDecision.seconds);
      }
      // Graceful writes: 135 s, within the 180 s target (the Serverless raise runs beside the switchover).
      expect(byId.d.writesSeconds).to.equal(135);
      expect(byId.d.writesSeconds).to.be.at.most(dr.writesTargetSeconds);
      expect(byId.d.rpo).to.equal("none");
      expect(byId.b.rpo).to.contain("typically under 1 s");
    });

    it("30 s × 2 detection, a manual control stack with approval: reads wait for the operator and the plan", async () => {
      const runs = await runAllStacks(
        stacksWith({
          "us-east-1": {
            [`${PROJECT}:healthCheckInterval`]: "30",
            [`${PROJECT}:healthCheckFailureThreshold`]: "2",
          },
        }),
        controlWith({
          "multi-region-web-control:automaticFailover": "false",
          "multi-region-web-control:manualApproval": "true",
        }),
      );
      const dr = drReport(runs);
      expect(dr.detectionSeconds).to.equal(60);
      const t = dr.plan!;
      expect(t.automatic).to.equal(false);
      expect(t.manualApproval).to.equal(true);
      expect(t.trigger).to.equal(null);
      expect(t.steps.map((s) => [s.name, s.ungracefulSeconds])).to.deep.equal([
        ["approve", 0],
        ["scale-and-move-writer", 75],
        ["route-traffic", 45],
      ]);
      const caseA = dr.cases.find((c) => c.id === "a")!;
      expect(caseA.readsAfterDecision).to.equal(true);
      expect(caseA.readsSeconds).to.equal(t.graceful.trafficSeconds);
      expect(caseA.decisionSeconds).to.equal(a.humanDecision.seconds);
      expect(dr.cases.find((c) => c.id === "b")!.readsSeconds).to.equal(t.ungraceful.trafficSeconds);
    });

    it("an ARC plan costs its price table figure, in the control stack apart from the regions", async () => {
      const dr = drReport(await fixtureStackRuns());
      const plan = dr.control!.monthlyCost.items.find((i) => i.item === "ARC Region switch plan")!;
      expect(plan).to.deep.equal({ item: "ARC Region switch plan", quantity: 1, monthlyUsd: 70 });
      expect(dr.regions.map((r) => r.role)).to.deep.equal(["active", "passive"]);
    });

    it("the standby's footprint and cost against the active region", async () => {
      const dr = drReport(await fixtureStackRuns());
      const [active, passive] = dr.regions;
      expect(active.tiers.map((t) => [t.tier, t.desired, t.max])).to.deep.equal([
        ["backend", 2, 6],
        ["frontend", 2, 6],
      ]);
      expect(passive.tiers.map((t) => [t.tier, t.desired, t.max])).to.deep.equal([
        ["backend", 1, 6],
        ["frontend", 1, 6],
      ]);
      expect([active.natGateways, passive.natGateways]).to.deep.equal([2, 1]);
      expect([active.dbInstances, passive.dbInstances]).to.deep.equal([2, 1]);
      // t4g.small: 0.0168 $/h in us-east-1 × 730 h × 2 instances = 24.528 → 24.53 per tier.
      expect(
        active.monthlyCost.items.find((i) => i.item === "EC2 t4g.small (frontend)")!.monthlyUsd,
      ).to.equal(24.53);
      // Serverless v2 at 0.5 ACU: 0.5 × 0.132 $/ACU-h in ca-central-1 × 730 h = 48.18.
      expect(passive.monthlyCost.items.find((i) => i.item.startsWith("Aurora"))).to.deep.equal({
        item: "Aurora Serverless v2 at its minimum 0.5 ACU",
        quantity: 1,
        monthlyUsd: 48.18,
      });
      // Each region's private zone internal.<domain>: 0.50 a month.
      expect(
        passive.monthlyCost.items.find((i) => i.item === "Route 53 private hosted zone")!.monthlyUsd,
      ).to.equal(0.5);
      const sum = (r: typeof active) => r.monthlyCost.items.reduce((s, i) => s + i.monthlyUsd, 0);
      expect(active.monthlyCost.totalUsd).to.be.closeTo(sum(active), 0.001);
      expect(dr.standbyCostPercentOfActive).to.be.closeTo(
        (passive.monthlyCost.totalUsd! / active.monthlyCost.totalUsd!) * 100,
        0.01,
      );
      // The warm standby's goal: at most 35 % of the active region's cost at the default config.
      expect(dr.standbyCostPercentOfActive).to.be.at.most(35);
      expect(dr.regionsWithoutPrices).to.deep.equal([]);
    });

    describe("the standby's database capacity options", () => {
      it("costs each option as the configured standby with only its database changed, and times its writes", async () => {
        const dr = drReport(await fixtureStackRuns());
        const [active, passive] = dr.regions;
        const byOption = Object.fromEntries(dr.standbyOptions.map((o) => [o.option, o]));
        const serverless = byOption.serverless;
        expect(serverless.configured).to.equal(true);
        expect(serverless.monthlyUsd).to.equal(passive.monthlyCost.totalUsd);
        expect(serverless.percentOfActive).to.equal(dr.standbyCostPercentOfActive);
        // The raise runs beside the writer move (15 + 60 failover / 15 + 120 switchover): the plan's own timeline.
        expect(serverless.writesSeconds).to.deep.equal({ ungraceful: 75, graceful: 135 });
        expect(serverless.writesSeconds.ungraceful).to.equal(dr.plan!.ungraceful.writesSeconds);
        expect(serverless.writesSeconds.graceful).to.equal(dr.plan!.graceful.writesSeconds);
        const provisioned = byOption["provisioned, the home's class"];
        // 48.18 for 0.5 ACU out, 208.78 for one db.r6g.large in.
        expect(provisioned.monthlyUsd).to.be.closeTo(passive.monthlyCost.totalUsd! - 48.18 + 208.78, 0.001);
        expect(provisioned.percentOfActive).to.be.closeTo(
          (provisioned.monthlyUsd! / active.monthlyCost.totalUsd!) * 100,
          0.01,
        );
        expect(provisioned.writesSeconds).to.deep.equal({ ungraceful: 75, graceful: 135 });
        // The home runs the smallest class of its family that global databases support.
        expect(byOption["provisioned, a smaller class"]).to.deep.include({
          offered: false,
          monthlyUsd: null,
        });
        expect(byOption.headless.offered).to.equal(false);
        expect(byOption.headless.note).to.contain("you must add a DB instance to it");
      });

      it("offers a smaller class of the home's family, and says what it costs in write RTO", async () => {
        const runs = await runAllStacks(
          stacksWith({
            "us-east-1": { [`${PROJECT}:database`]: JSON.stringify({ instanceClass: "db.r6g.2xlarge" }) },
          }),
          controlWith({}),
        );
        const smaller = drReport(runs).standbyOptions.find(
          (o) => o.option === "provisioned, a smaller class",
        )!;
        expect(smaller.offered).to.equal(true);
        expect(smaller.database).to.equal("1 × db.r6g.large");
        // The writer moves first (15 + 60 / 15 + 120); the class change (15 + 900) stops its writes after.
        expect(smaller.writesSeconds).to.deep.equal({ ungraceful: 75, graceful: 135 });
        expect(smaller.laterWriteOutageSeconds).to.equal(915);
      });
    });

    describe("a region tools/prices.json has no prices for", () => {
      // The fixture runs, moved: prices follow the run's region, nothing else in the report does.
      let runs: StackRun[];
      const moved = (run: StackRun, region: string, stack = run.stack): StackRun => ({
        ...run,
        region,
        stack,
      });
      const text = (dr: ReturnType<typeof drReport>) => {
        const io = capture();
        printDr(dr, io, paint(false));
        return io.stdout.join("\n");
      };
      before(async () => {
        runs = await fixtureStackRuns();
      });

      it("has no total ('no prices for'), not $0.00, and a second standby there is left out of the ratio", () => {
        const [home, standby, control] = runs;
        const dr = drReport([home, standby, moved(standby, "eu-west-1", "eu-west-1"), control]);
        const euw1 = dr.regions[2];
        expect(euw1.monthlyCost.totalUsd).to.equal(null);
        expect(euw1.monthlyCost.items).to.deep.equal([]);
        expect(euw1.monthlyCost.unpriced).to.include(
          "EC2 t4g.small (frontend) × 1 (not in tools/prices.json for eu-west-1)",
        );
        expect(dr.regionsWithoutPrices).to.deep.equal(["eu-west-1"]);
        expect(dr.standbyCostPercentOfActive).to.equal(drReport(runs).standbyCostPercentOfActive);
        const printed = text(dr);
        expect(printed).to.contain(
          `no prices for eu-west-1 in tools/prices.json: ${euw1.monthlyCost.unpriced.length} items unpriced, no total`,
        );
        expect(printed).to.not.contain("0.00  total");
        expect(printed).to.contain(
          `standby cost: ${dr.standbyCostPercentOfActive}% of the active region's (without eu-west-1: no prices)`,
        );
      });

      it("no ratio when the only standby or the active region has no prices, and the text says why", () => {
        const [home, standby, control] = runs;
        for (const dr of [
          drReport([home, moved(standby, "eu-west-1"), control]),
          drReport([moved(home, "eu-west-1"), standby, control]),
        ]) {
          expect(dr.standbyCostPercentOfActive).to.equal(null);
          expect(dr.regionsWithoutPrices).to.deep.equal(["eu-west-1"]);
          expect(text(dr)).to.contain(
            "standby cost against the active region's: not compared, no prices for eu-west-1",
          );
        }
      });

      it("a known region with an instance type the table lacks keeps its total and lists the item as unpriced", () => {
        const [home, standby, control] = runs;
        const odd: StackRun = {
          ...standby,
          resources: standby.resources.map((r) =>
            r.type === "aws:ec2/launchTemplate:LaunchTemplate"
              ? { ...r, inputs: { ...r.inputs, instanceType: "x9.huge" } }
              : r,
          ),
        };
        const dr = drReport([home, odd, control]);
        const cost = dr.regions[1].monthlyCost;
        expect(cost.unpriced).to.include(
          "EC2 x9.huge (frontend) × 1 (not in tools/prices.json for ca-central-1)",
        );
        expect(cost.totalUsd).to.be.a("number").and.above(0);
        expect(dr.regionsWithoutPrices).to.deep.equal([]);
        expect(dr.standbyCostPercentOfActive).to.be.a("number");
        expect(text(dr)).to.match(/unpriced {3}EC2 x9\.huge \(frontend\)/);
      });
    });
  });
});
