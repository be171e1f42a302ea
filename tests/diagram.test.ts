/**
 * The architecture diagram is derived from the real program's recorded resources: both regions,
 * every tier, the traffic path in order, the cross-region replication, and no edge without the
 * wiring behind it. The committed docs/architecture.svg and docs/architecture.mmd (and the README's
 * Mermaid block, when it has the markers) must be the generated ones.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { ROOT_DIR, StackRun } from "../tools/mocks";
import { runAllStacks } from "../tools/runStacks";
import {
  buildDiagramModel,
  DiagramEdge,
  DiagramModel,
  DiagramNode,
  expectedFiles,
  NodeKind,
  renderDiagram,
  renderDot,
  renderMermaid,
  replaceReadmeBlock,
  USERS_NODE_ID,
} from "../tools/diagram";

const isHomeRun = (run: StackRun) => run.config[`${run.project}:home`] === "true";

function node(model: DiagramModel, stack: string, kind: NodeKind): DiagramNode {
  const found = model.nodes.filter((n) => n.stack === stack && n.kind === kind);
  expect(found, `${kind} node in ${stack}`).to.have.length.greaterThan(0);
  return found[0];
}

function edgesBetween(model: DiagramModel, from: DiagramNode | string, to: DiagramNode): DiagramEdge[] {
  const fromId = typeof from === "string" ? from : from.id;
  return model.edges.filter((e) => e.from === fromId && e.to === to.id);
}

/** Follows traffic edges from `start` through `kinds` in order; returns the nodes visited. */
function walkTraffic(model: DiagramModel, stack: string, start: string, kinds: NodeKind[]): DiagramNode[] {
  const visited: DiagramNode[] = [];
  let current = start;
  for (const kind of kinds) {
    const next = model.edges
      .filter((e) => e.from === current && e.kind === "traffic")
      .map((e) => model.nodes.find((n) => n.id === e.to)!)
      .find((n) => n.stack === stack && n.kind === kind);
    expect(next, `traffic edge ${current} → ${kind} in ${stack}`).to.not.equal(undefined);
    visited.push(next!);
    current = next!.id;
  }
  return visited;
}

/** A deep copy of the runs, so a test can break the wiring without touching the shared runs. */
function copyRuns(runs: StackRun[]): StackRun[] {
  return JSON.parse(JSON.stringify(runs)) as StackRun[];
}

describe("architecture diagram", function () {
  this.timeout(120_000);
  let runs: StackRun[];
  let model: DiagramModel;
  let home: StackRun;
  let standby: StackRun;

  before(async () => {
    runs = await runAllStacks();
    model = buildDiagramModel(runs);
    home = runs.find(isHomeRun)!;
    standby = runs.find((r) => !isHomeRun(r))!;
  });

  it("draws one cluster per region, labelled with region, role and home/standby, home first", () => {
    expect(model.clusters.map((c) => c.stack)).to.deep.equal([home.stack, standby.stack]);
    expect(model.clusters[0].label).to.contain(home.region).and.contain("active").and.contain("home");
    expect(model.clusters[1].label).to.contain(standby.region).and.contain("passive").and.contain("standby");
  });

  it("has every tier node in both regions", () => {
    const kinds: NodeKind[] = [
      "dns",
      "healthCheck",
      "waf",
      "publicAlb",
      "nat",
      "frontend",
      "internalAlb",
      "backend",
      "aurora",
      "dynamodb",
      "sns",
      "maps",
      "mail",
    ];
    for (const run of runs) {
      for (const kind of kinds) node(model, run.stack, kind);
    }
    expect(node(model, home.stack, "globalCluster").urn).to.match(/GlobalCluster/);
    expect(model.nodes.filter((n) => n.stack === standby.stack && n.kind === "globalCluster")).to.be.empty;
    expect(node(model, home.stack, "dynamodb").title).to.equal("DynamoDB table");
    expect(node(model, standby.stack, "dynamodb").title).to.equal("DynamoDB table replica");
  });

  it("counts the NAT gateways from the VPC inputs: one per AZ when active, one when passive", () => {
    expect(node(model, home.stack, "nat").title).to.equal("NAT gateway × 2");
    expect(node(model, standby.stack, "nat").title).to.equal("NAT gateway × 1");
  });

  for (const which of ["home", "standby"] as const) {
    it(`follows the traffic path in order in the ${which} region`, () => {
      const run = which === "home" ? home : standby;
      const dns = node(model, run.stack, "dns");
      expect(edgesBetween(model, USERS_NODE_ID, dns).map((e) => e.label)).to.deep.equal([
        `DNS · ${which === "home" ? "PRIMARY" : "SECONDARY"}`,
      ]);
      const path = walkTraffic(model, run.stack, dns.id, [
        "waf",
        "publicAlb",
        "frontend",
        "internalAlb",
        "backend",
      ]);
      expect(path.map((n) => n.kind)).to.deep.equal([
        "waf",
        "publicAlb",
        "frontend",
        "internalAlb",
        "backend",
      ]);
      const backend = path[path.length - 1];
      for (const kind of ["aurora", "dynamodb", "sns", "maps", "mail"] as NodeKind[]) {
        walkTraffic(model, run.stack, backend.id, [kind]);
      }
    });

    it(`labels the ${which} region's edges with their ports`, () => {
      const run = which === "home" ? home : standby;
      const label = (from: NodeKind, to: NodeKind) =>
        edgesBetween(model, node(model, run.stack, from), node(model, run.stack, to)).map((e) => e.label);
      expect(label("dns", "waf")).to.deep.equal(["443/80"]);
      expect(label("publicAlb", "frontend")).to.deep.equal(["HTTP 8080"]);
      expect(label("frontend", "internalAlb")).to.deep.equal(["HTTP 8080"]);
      expect(label("internalAlb", "backend")).to.deep.equal(["HTTP 8080"]);
      expect(label("backend", "aurora")).to.deep.equal(["5432"]);
    });
  }

  it("reaches the standby's ALB through the standby set: SECONDARY → standby.<domain> → latency record → ALB", () => {
    const domain = standby.outputs.domain as string;
    const dns = node(model, standby.stack, "dns");
    expect(dns.details).to.deep.equal([
      `${domain} A`,
      "SECONDARY · set standby",
      `→ standby.${domain} · latency ${standby.region}`,
    ]);
    const [edge] = edgesBetween(model, dns, node(model, standby.stack, "waf"));
    expect(edge.evidence.join("\n"))
      .to.contain(`alias name = standby.${domain}`)
      .and.contain("latency record");
    // The home's PRIMARY names its ALB directly.
    const homeDns = node(model, home.stack, "dns");
    expect(homeDns.details).to.deep.equal([`${domain} A`, `PRIMARY · set ${home.region}`]);
    const [homeEdge] = edgesBetween(model, homeDns, node(model, home.stack, "waf"));
    expect(homeEdge.evidence.join("\n")).to.not.contain("latency record");
  });

  it("draws each region's health check on its DNS: PRIMARY fails over on it, the standby set keeps healthy members", () => {
    const labels = (run: StackRun) =>
      edgesBetween(model, node(model, run.stack, "healthCheck"), node(model, run.stack, "dns")).map(
        (e) => `${e.kind} ${e.label}`,
      );
    expect(labels(home)).to.deep.equal(["control fails over on"]);
    expect(labels(standby)).to.deep.equal(["control standby while healthy"]);
  });

  it("drops the standby's DNS → WAF edge when the SECONDARY no longer aliases the standby set", () => {
    for (const breakIt of [
      // The latency record left the set (another name).
      (resources: StackRun["resources"]) => {
        const latency = resources.find(
          (r) => r.type === "aws:route53/record:Record" && r.inputs.latencyRoutingPolicies,
        )!;
        latency.inputs.name = "elsewhere.example.com";
      },
      // The SECONDARY aliases a name in another zone.
      (resources: StackRun["resources"]) => {
        const secondary = resources.find(
          (r) => r.type === "aws:route53/record:Record" && r.inputs.failoverRoutingPolicies,
        )!;
        (secondary.inputs.aliases as { zoneId: string }[])[0].zoneId = "ZOTHERZONE";
      },
    ]) {
      const altered = copyRuns(runs);
      breakIt(altered.find((r) => r.stack === standby.stack)!.resources);
      const m = buildDiagramModel(altered);
      const dns = node(m, standby.stack, "dns");
      expect(m.edges.filter((e) => e.from === dns.id && e.kind === "traffic")).to.be.empty;
      expect(edgesBetween(m, node(m, standby.stack, "healthCheck"), dns)).to.be.empty;
      // The home region is untouched.
      expect(edgesBetween(m, node(m, home.stack, "dns"), node(m, home.stack, "waf"))).to.have.length(1);
    }
  });

  it("never lets the frontend reach the database or the integrations directly", () => {
    for (const run of runs) {
      const frontend = node(model, run.stack, "frontend");
      const targets = model.edges
        .filter((e) => e.from === frontend.id && e.kind === "traffic")
        .map((e) => model.nodes.find((n) => n.id === e.to)!.kind);
      expect(targets).to.deep.equal(["internalAlb"]);
    }
  });

  it("draws the asynchronous replication from the home to the standby: Aurora, DynamoDB, the DB secret", () => {
    const replication = model.edges.filter((e) => e.kind === "replication");
    const aurora = edgesBetween(
      model,
      node(model, home.stack, "aurora"),
      node(model, standby.stack, "aurora"),
    );
    expect(aurora.map((e) => e.kind)).to.deep.equal(["replication"]);
    expect(aurora[0].label).to.contain("Aurora Global Database").and.contain("async");
    const dynamo = edgesBetween(
      model,
      node(model, home.stack, "dynamodb"),
      node(model, standby.stack, "dynamodb"),
    );
    expect(dynamo.map((e) => e.kind)).to.deep.equal(["replication"]);
    expect(dynamo[0].label).to.contain("DynamoDB global table").and.contain("async");
    const secret = replication.find((e) => e.label === "Secrets Manager replica");
    expect(secret, "secret replica edge").to.not.equal(undefined);
    const backupCopy = replication.find((e) => e.label === "AWS Backup copy");
    expect(backupCopy, "backup copy edge").to.not.equal(undefined);
    // Every replication edge goes from the home to the standby, never back.
    for (const e of replication) {
      expect(model.nodes.find((n) => n.id === e.from)!.stack, e.label).to.equal(home.stack);
      expect(model.nodes.find((n) => n.id === e.to)!.stack, e.label).to.equal(standby.stack);
    }
  });

  it("drops the DynamoDB replication edge when the TableReplica is gone or points elsewhere", () => {
    const hasDynamoReplication = (m: DiagramModel) =>
      m.edges.some((e) => e.kind === "replication" && e.label.startsWith("DynamoDB"));
    expect(hasDynamoReplication(model)).to.equal(true);

    const removed = copyRuns(runs);
    const standbyCopy = removed.find((r) => r.stack === standby.stack)!;
    standbyCopy.resources = standbyCopy.resources.filter(
      (r) => r.type !== "aws:dynamodb/tableReplica:TableReplica",
    );
    expect(hasDynamoReplication(buildDiagramModel(removed))).to.equal(false);

    const altered = copyRuns(runs);
    const replica = altered
      .find((r) => r.stack === standby.stack)!
      .resources.find((r) => r.type === "aws:dynamodb/tableReplica:TableReplica")!;
    replica.inputs.globalTableArn = String(replica.inputs.globalTableArn).replace(
      /table\/.*/,
      "table/another-table",
    );
    const alteredModel = buildDiagramModel(altered);
    expect(hasDynamoReplication(alteredModel)).to.equal(false);
    // The Aurora replication does not depend on the table.
    expect(alteredModel.edges.some((e) => e.kind === "replication" && e.label.startsWith("Aurora"))).to.equal(
      true,
    );
  });

  it("drops the Aurora replication edge when the standby cluster joins another global cluster", () => {
    const altered = copyRuns(runs);
    const secondary = altered
      .find((r) => r.stack === standby.stack)!
      .resources.find((r) => r.type === "aws:rds/cluster:Cluster")!;
    secondary.inputs.globalClusterIdentifier = "some-other-global-cluster";
    const m = buildDiagramModel(altered);
    expect(m.edges.some((e) => e.kind === "replication" && e.label.startsWith("Aurora"))).to.equal(false);
  });

  it("drops the WAF from the path when its association names another resource", () => {
    const altered = copyRuns(runs);
    const association = altered
      .find((r) => r.stack === home.stack)!
      .resources.find((r) => r.type === "aws:wafv2/webAclAssociation:WebAclAssociation")!;
    association.inputs.resourceArn =
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/y";
    const m = buildDiagramModel(altered);
    const waf = node(m, home.stack, "waf");
    expect(m.edges.filter((e) => e.from === waf.id || e.to === waf.id)).to.be.empty;
    // The record then reaches the ALB directly.
    expect(edgesBetween(m, node(m, home.stack, "dns"), node(m, home.stack, "publicAlb"))).to.have.length(1);
  });

  it("drops backend → Aurora when the DB security group no longer admits the backend", () => {
    const altered = copyRuns(runs);
    const run = altered.find((r) => r.stack === home.stack)!;
    run.resources = run.resources.filter(
      (r) =>
        !(
          r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" &&
          r.inputs.fromPort === 5432 &&
          r.inputs.toPort === 5432
        ),
    );
    const m = buildDiagramModel(altered);
    expect(edgesBetween(m, node(m, home.stack, "backend"), node(m, home.stack, "aurora"))).to.be.empty;
    expect(edgesBetween(m, node(m, home.stack, "backend"), node(m, home.stack, "dynamodb"))).to.have.length(
      1,
    );
  });

  it("renders deterministic DOT and Mermaid with both regions, tiers and dashed replication", () => {
    const again = buildDiagramModel(copyRuns(runs));
    expect(renderDot(again)).to.equal(renderDot(model));
    expect(renderMermaid(again)).to.equal(renderMermaid(model));

    const dot = renderDot(model);
    for (const run of runs)
      expect(dot).to.contain(`subgraph cluster_${run.stack.replace(/[^A-Za-z0-9]+/g, "_")} {`);
    expect(dot).to.match(/-> ca_central_1_aurora \[.*style=dashed/);
    expect(dot).to.contain('"5432"');
    const mermaid = renderMermaid(model);
    expect(mermaid.split("\n")[0]).to.equal("flowchart LR");
    expect(mermaid).to.match(
      /us_east_1_dynamodb -\.->\|"DynamoDB global table · async"\| ca_central_1_dynamodb/,
    );
  });

  it("replaces only the README block between the markers", () => {
    const readme = "# Title\n\nbefore\n\n<!-- diagram:start -->\nold\n<!-- diagram:end -->\n\nafter\n";
    expect(replaceReadmeBlock(readme, "flowchart LR\n  a --> b\n")).to.equal(
      "# Title\n\nbefore\n\n<!-- diagram:start -->\n\n```mermaid\nflowchart LR\n  a --> b\n```\n\n<!-- diagram:end -->\n\nafter\n",
    );
    expect(replaceReadmeBlock("# no markers\n", "x")).to.equal(undefined);
  });

  it("matches the committed docs/architecture.svg, docs/architecture.mmd and README block", async () => {
    const expected = expectedFiles(await renderDiagram(runs), ROOT_DIR);
    for (const [file, content] of expected) {
      const full = path.join(ROOT_DIR, file);
      const committed = fs.existsSync(full) ? fs.readFileSync(full, "utf8") : undefined;
      expect(committed === content, `${file} is stale: run npm run diagram`).to.equal(true);
    }
  });
});
