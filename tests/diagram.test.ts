/**
 * The architecture diagram: the component tree of every example stack (tests/fixtures/stacks, regional
 * and control) and the declared connections, drawn only where both ends exist; the committed
 * docs/architecture.svg and docs/architecture.mmd must be the ones generated from the examples (what
 * `npm run diagram -- --check` checks), whatever the stack files at the repository's root say.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { StackFile, StackRun } from "../tools/mocks";
import { fixtureStackFiles, fixtureStackRuns, isHome, runAllStacks } from "../tools/runStacks";
import {
  buildDiagramModel,
  DiagramModel,
  dotString,
  expectedFiles,
  MERMAID_FILE,
  renderDot,
  renderMermaid,
  renderSvg,
  staleFiles,
  SVG_FILE,
  USERS_NODE_ID,
} from "../tools/diagram";

const REGIONAL = [
  ...["EdgeDns edge", "WebFirewall web", "AppCertificate app", "TierAsg frontend", "TierAsg backend"],
  ...["AppCertificate backend", "InternalDns internal"],
  ...["DataTier data", "Integrations integrations", "Backups backups", "Observability ops"],
  ...["AccessLogBucket alb-logs", "RegionalVpc network", "RegionKey data"],
];

/** The id of the node `<stack>/<title>`, or of the users; fails when the model has no such node. */
function id(model: DiagramModel, ref: string): string {
  if (ref === "users") return USERS_NODE_ID;
  const [stack, title] = ref.split("/");
  const node = model.nodes.find((n) => n.stack === stack && n.title === title);
  expect(node, ref).to.not.equal(undefined);
  return node!.id;
}

/** `<kind> <label>` of the edges from → to. */
function edges(model: DiagramModel, from: string, to: string): string[] {
  const [fromId, toId] = [id(model, from), id(model, to)];
  return model.edges.filter((e) => e.from === fromId && e.to === toId).map((e) => `${e.kind} ${e.label}`);
}

const copy = (runs: StackRun[]) => JSON.parse(JSON.stringify(runs)) as StackRun[];
const runOf = (runs: StackRun[], stack: string) => runs.find((r) => r.stack === stack)!;
const withConfig = (file: StackFile, config: Record<string, string>) => ({
  ...file,
  config: { ...file.config, ...config },
});

describe("architecture diagram", function () {
  this.timeout(120_000);
  let runs: StackRun[];
  let model: DiagramModel;

  before(async () => {
    runs = await fixtureStackRuns();
    model = buildDiagramModel(runs);
  });

  it("draws one cluster per stack: the home, the standby, then the control stack; the users once", () => {
    expect(model.clusters.map((c) => [c.stack, c.role, c.label])).to.deep.equal([
      ["us-east-1", "home", "us-east-1 (home, active)"],
      ["ca-central-1", "standby", "ca-central-1 (standby, passive)"],
      ["global", "control", "global (failover control, us-east-1)"],
    ]);
    expect(model.nodes.filter((n) => n.kind === "users").map((n) => n.id)).to.deep.equal([USERS_NODE_ID]);
    expect(model.nodes[0].id).to.equal(USERS_NODE_ID);
  });

  it("has a node for every top-level component of each stack, and none for their children", () => {
    const titles = (stack: string) => model.nodes.filter((n) => n.stack === stack).map((n) => n.title);
    expect(titles("us-east-1")).to.have.members([...REGIONAL, "AppDatabaseUser db-user"]);
    expect(titles("ca-central-1")).to.have.members([...REGIONAL, "HomeProbe home-probe"]);
    // The plan's report bucket is a component too, but a child of the plan.
    expect(titles("global")).to.have.members([
      "FailoverRouting routing",
      "FailoverPlan plan-ca-central-1",
      "FailoverTrigger trigger-ca-central-1",
      "PlanEvaluationAlerts plan-evaluation",
    ]);
    const plan = model.nodes.find((n) => n.title === "FailoverPlan plan-ca-central-1")!;
    expect(plan.details).to.deep.equal(["ARC Region switch us-east-1 ⇄ ca-central-1"]);
    expect(titles("us-east-1").indexOf("TierAsg frontend")).to.equal(
      titles("us-east-1").indexOf("TierAsg backend") - 1,
    );
  });

  for (const [stack, entry] of [
    ["us-east-1", "PRIMARY"],
    ["ca-central-1", "SECONDARY"],
  ]) {
    it(`follows the request path of ${stack} in order, with its ports`, () => {
      const at = (title: string) => (title === "users" ? title : `${stack}/${title}`);
      const hops = [
        ["users", "EdgeDns edge", `traffic app.example.com · ${entry}`],
        ["EdgeDns edge", "WebFirewall web", "traffic alias → public ALB"],
        ["WebFirewall web", "TierAsg frontend", "traffic HTTPS 443"],
        ["TierAsg frontend", "TierAsg backend", "traffic HTTPS 443 (private name)"],
        ["TierAsg backend", "DataTier data", "data PostgreSQL 5432 · DynamoDB"],
        ["TierAsg backend", "Integrations integrations", "traffic SNS · mail · maps"],
      ];
      const positions = hops.map(([from, to, label]) => {
        expect(edges(model, at(from), at(to)), `${from} → ${to}`).to.deep.equal([label]);
        return model.edges.findIndex((e) => e.from === id(model, at(from)) && e.to === id(model, at(to)));
      });
      expect(positions).to.deep.equal([...positions].sort((a, b) => a - b));
      expect(edges(model, at("TierAsg frontend"), at("DataTier data"))).to.deep.equal([]);
    });
  }

  it("draws frontend → backend over HTTPS, the backend's private name and its certificate", () => {
    expect(edges(model, "us-east-1/TierAsg frontend", "us-east-1/TierAsg backend")).to.deep.equal([
      "traffic HTTPS 443 (private name)",
    ]);
    expect(edges(model, "us-east-1/InternalDns internal", "us-east-1/TierAsg backend")).to.deep.equal([
      "traffic alias → internal ALB",
    ]);
    expect(edges(model, "us-east-1/AppCertificate backend", "us-east-1/TierAsg backend")).to.deep.equal([
      "control TLS certificate",
    ]);
    expect(edges(model, "us-east-1/AppCertificate backend", "us-east-1/TierAsg frontend")).to.deep.equal([]);
  });

  it("replicates the data from the home to the standby, and the backups both ways", () => {
    expect(edges(model, "us-east-1/DataTier data", "ca-central-1/DataTier data")).to.deep.equal([
      "replication Aurora global DB + DynamoDB global table (async)",
    ]);
    expect(edges(model, "ca-central-1/DataTier data", "us-east-1/DataTier data")).to.deep.equal([]);
    expect(edges(model, "us-east-1/Backups backups", "ca-central-1/Backups backups")).to.deep.equal([
      "replication backup copies",
    ]);
    expect(edges(model, "ca-central-1/Backups backups", "us-east-1/Backups backups")).to.deep.equal([
      "replication backup copies",
    ]);
    expect(model.edges.filter((e) => e.kind === "replication")).to.have.length(3);
    // Every region's plan backs up its own data.
    for (const stack of ["us-east-1", "ca-central-1"]) {
      expect(edges(model, `${stack}/Backups backups`, `${stack}/DataTier data`)).to.deep.equal([
        "data backs up",
      ]);
    }
  });

  it("probes the home's public entry from the standby and a third region, whose witnesses together trigger the plan", () => {
    const probe = "ca-central-1/HomeProbe home-probe";
    const trigger = "global/FailoverTrigger trigger-ca-central-1";
    const plan = "global/FailoverPlan plan-ca-central-1";
    expect(edges(model, probe, "us-east-1/TierAsg frontend")).to.deep.equal([
      "monitoring probes /healthz/deep",
    ]);
    expect(edges(model, probe, trigger)).to.deep.equal(["monitoring probe metric (a witness)"]);
    expect(edges(model, trigger, "us-east-1/TierAsg frontend")).to.deep.equal([
      "monitoring probes /healthz/deep from third regions",
    ]);
    expect(edges(model, trigger, "ca-central-1/TierAsg frontend")).to.deep.equal([]);
    expect(edges(model, trigger, plan)).to.deep.equal([
      "control all witnesses red: starts (then waits for approval)",
    ]);
    expect(edges(model, probe, plan)).to.deep.equal([]);
    expect(
      model.nodes.find((n) => n.title === "FailoverTrigger trigger-ca-central-1")!.details,
    ).to.deep.equal(["trigger: probes from us-west-2 · alarms"]);
  });

  it("connects the control stack to both regions", () => {
    const [routing, plan] = ["global/FailoverRouting routing", "global/FailoverPlan plan-ca-central-1"];
    expect(edges(model, routing, "us-east-1/EdgeDns edge")).to.deep.equal(["control PRIMARY record"]);
    expect(edges(model, routing, "ca-central-1/EdgeDns edge")).to.deep.equal(["control SECONDARY record"]);
    expect(edges(model, plan, routing)).to.deep.equal(["control flips the health checks"]);
    for (const stack of ["us-east-1", "ca-central-1"]) {
      expect(edges(model, plan, `${stack}/TierAsg frontend`)).to.deep.equal(["control scales"]);
      expect(edges(model, plan, `${stack}/TierAsg backend`)).to.deep.equal(["control scales"]);
      expect(edges(model, plan, `${stack}/DataTier data`)).to.deep.equal(["control moves the writer"]);
    }
  });

  it("drops the edges of a component that is missing, and only those", () => {
    const changed = copy(runs);
    const home = runOf(changed, "us-east-1");
    home.resources = home.resources.filter((r) => !r.type.endsWith(":WebFirewall"));
    const m = buildDiagramModel(changed);
    expect(m.nodes.filter((n) => n.kind === "WebFirewall").map((n) => n.stack)).to.deep.equal([
      "ca-central-1",
    ]);
    const lost = model.edges.filter((e) => !m.edges.some((x) => JSON.stringify(x) === JSON.stringify(e)));
    expect(lost.map((e) => `${e.from} → ${e.to}`)).to.deep.equal([
      "us_east_1_EdgeDns_edge → us_east_1_WebFirewall_web",
      "us_east_1_WebFirewall_web → us_east_1_TierAsg_frontend",
      "us_east_1_Observability_ops → us_east_1_WebFirewall_web",
    ]);
    expect(m.edges).to.have.length(model.edges.length - 3);
  });

  it("renders deterministic DOT and Mermaid that escape quotes", async () => {
    expect(renderDot(buildDiagramModel(copy(runs)))).to.equal(renderDot(model));
    expect(renderMermaid(buildDiagramModel(copy(runs)))).to.equal(renderMermaid(model));
    expect(dotString('a "b" \\ c\nd')).to.equal('"a \\"b\\" \\\\ c\\nd"');

    const changed = copy(runs);
    runOf(changed, "us-east-1").resources.find((r) => r.type.endsWith(":Integrations"))!.name = 'say "hi"';
    const m = buildDiagramModel(changed);
    const dot = renderDot(m);
    expect(dot).to.contain('us_east_1_Integrations_say_hi [label="Integrations say \\"hi\\"\\n');
    expect(renderMermaid(m)).to.contain(
      'us_east_1_Integrations_say_hi["<b>Integrations say #quot;hi#quot;</b>',
    );
    // Graphviz parses it: a stray quote would be a syntax error.
    expect(await renderSvg(dot)).to.contain("Integrations say &quot;hi&quot;");
  });

  it("adds a third cluster, with its own edges, for a third region", async () => {
    const { regional: files, control } = fixtureStackFiles();
    const standby = files.find((f) => f.stack === "ca-central-1")!;
    const eu = withConfig(standby, { "aws:region": "eu-west-1", "multi-region-web:vpcCidr": "10.30.0.0/16" });
    const standbyRegions = JSON.stringify(["ca-central-1", "eu-west-1"]);
    const three = buildDiagramModel(
      await runAllStacks(
        [
          withConfig(files.find(isHome)!, { "multi-region-web:standbyRegions": standbyRegions }),
          standby,
          { ...eu, stack: "eu-west-1", file: "Pulumi.eu-west-1.yaml" },
        ],
        control,
      ),
    );
    expect(three.clusters.map((c) => c.label)).to.deep.equal([
      "us-east-1 (home, active)",
      "ca-central-1 (standby, passive)",
      "eu-west-1 (standby, passive)",
      "global (failover control, us-east-1)",
    ]);
    expect(edges(three, "users", "eu-west-1/EdgeDns edge")).to.deep.equal([
      "traffic app.example.com · SECONDARY",
    ]);
    expect(edges(three, "eu-west-1/TierAsg frontend", "eu-west-1/TierAsg backend")).to.have.length(1);
    expect(edges(three, "us-east-1/DataTier data", "eu-west-1/DataTier data")).to.have.length(1);
    expect(edges(three, "eu-west-1/HomeProbe home-probe", "us-east-1/TierAsg frontend")).to.have.length(1);
    expect(edges(three, "global/FailoverRouting routing", "eu-west-1/EdgeDns edge")).to.have.length(1);
    // Replication leaves the home only (two stores to each standby); backups go home ⇄ each standby;
    // nothing flows between the standbys.
    const replication = three.edges.filter((e) => e.kind === "replication");
    expect(replication).to.have.length(6);
    expect(replication.filter((e) => e.from.startsWith("us_east_1_"))).to.have.length(4);
    expect(replication.filter((e) => !e.from.startsWith("us_east_1_")).map((e) => e.to)).to.deep.equal([
      "us_east_1_Backups_backups",
      "us_east_1_Backups_backups",
    ]);
    // Each plan reaches its own two regions; the automatic trigger is the first standby's only.
    expect(edges(three, "global/FailoverPlan plan-eu-west-1", "eu-west-1/DataTier data")).to.have.length(1);
    expect(edges(three, "global/FailoverPlan plan-ca-central-1", "eu-west-1/DataTier data")).to.deep.equal(
      [],
    );
    expect(
      edges(three, "eu-west-1/HomeProbe home-probe", "global/FailoverTrigger trigger-ca-central-1"),
    ).to.deep.equal([]);
    expect(
      edges(three, "global/FailoverTrigger trigger-ca-central-1", "global/FailoverPlan plan-eu-west-1"),
    ).to.deep.equal([]);
  });

  it("matches the committed docs/architecture.svg and docs/architecture.mmd (npm run diagram -- --check)", async () => {
    const expected = await expectedFiles(runs);
    expect([...expected.keys()]).to.deep.equal([SVG_FILE, MERMAID_FILE]);
    expect(staleFiles(expected), "stale: run npm run diagram").to.deep.equal([]);
    // What --check reports: missing or different files, by name.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "diagram-"));
    fs.mkdirSync(path.join(dir, "docs"));
    fs.writeFileSync(path.join(dir, MERMAID_FILE), `${expected.get(MERMAID_FILE)!}%% edited\n`);
    expect(staleFiles(expected, dir)).to.deep.equal([SVG_FILE, MERMAID_FILE]);
    fs.writeFileSync(path.join(dir, SVG_FILE), expected.get(SVG_FILE)!);
    expect(staleFiles(expected, dir)).to.deep.equal([MERMAID_FILE]);
    fs.rmSync(dir, { recursive: true });
  });
});
