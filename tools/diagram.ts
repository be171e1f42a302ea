/**
 * The architecture diagram: the component tree of every example stack (the fixtures in
 * tests/fixtures/stacks, run under mocks: `fixtureStackRuns`), and a DECLARED list of the connections
 * between components (`CONNECTIONS`). It documents the architecture, not a deployment: it is drawn
 * from the examples, never from the stack files at the repository's root, so that a user's own
 * domain, regions or organization never rewrite docs/architecture.svg nor make `--check` fail.
 *
 *   nodes  one per top-level `multi-region-web:` component a stack registers (its awsx and AWS
 *          children are not drawn), one cluster per stack: the regional stacks home first, then the
 *          failover control stack; and one `users` node on top
 *   edges  each declared connection whose two ends exist in the runs
 *
 *   npm run diagram             writes docs/architecture.svg (Graphviz WebAssembly) and docs/architecture.mmd
 *   npm run diagram -- --check  only compares, and exits 1 naming the stale files
 *
 * Stacks, nodes and edges come in a fixed order and nothing carries a timestamp: the committed files
 * change only when the components or the declared connections do.
 */
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import { RecordedResource, ROOT_DIR, StackRun } from "./mocks";
import { fixtureStackRuns, isControlRun } from "./runStacks";

const PROJECT = "multi-region-web";
export const USERS_NODE_ID = "users";

/** traffic: requests; data: reads and writes of the data stores; replication: asynchronous copies
 * from the home to a standby; control: what serves, scales or moves the writer; monitoring. */
export type EdgeKind = "traffic" | "data" | "replication" | "control" | "monitoring";

/** `id`: the DOT and Mermaid id; `kind`: the component's class (`TierAsg`); `stack`: "" for the users. */
export interface DiagramNode {
  id: string;
  kind: string;
  name: string;
  stack: string;
  title: string;
  details: string[];
}
export type DiagramEdge = { from: string; to: string; kind: EdgeKind; label: string };
export type Role = "home" | "standby" | "control";
export type DiagramCluster = { stack: string; role: Role; label: string; nodes: string[] };
/** `nodes`: the users, then every cluster's nodes in cluster order. */
export interface DiagramModel {
  users: DiagramNode;
  clusters: DiagramCluster[];
  nodes: DiagramNode[];
  edges: DiagramEdge[];
}

/** One end of a connection: a node, with the run and the component behind it (none for the users). */
type End = { node: DiagramNode; run?: StackRun; resource?: RecordedResource };

const config = (run: StackRun | undefined, key: string) => run?.config[`${PROJECT}:${key}`];
export const isHomeRun = (run?: StackRun) => !!run && !isControlRun(run) && config(run, "home") === "true";
const isRegional = (e: End) => !!e.run && !isControlRun(e.run);
const text = (value: unknown) => (typeof value === "string" ? value : "");

/** The inputs of a FailoverPlan's ARC Region switch plan (its child): `regions` (two) and `triggers`. */
function arcPlan(plan: End): { regions?: string[]; triggers?: { targetRegion?: string }[] } {
  const arc = plan.run?.resources.find(
    (r) => r.type === "aws:arcregionswitch/plan:Plan" && r.parent === plan.resource?.urn,
  );
  return arc?.inputs ?? {};
}

/**
 * Per component class, in the order drawn within a cluster: its colour, what it is (the label's
 * second line), and `bottom` for the ones off the request path (drawn in the cluster's last row).
 */
const KINDS: Record<string, { fill: string; about: (e: End) => string; cylinder?: true; bottom?: true }> = {
  EdgeDns: { fill: "#d6e4fb", about: (e) => `Route 53 ${text(e.run?.outputs.healthRecordName)}` },
  WebFirewall: { fill: "#d6e4fb", about: () => "WAF web ACL" },
  AppCertificate: { fill: "#d6e4fb", about: (e) => `ACM ${text(e.resource?.inputs.domain)}` },
  InternalDns: { fill: "#d6e4fb", about: () => "Route 53 private zone (VPC only)" },
  TierAsg: {
    fill: "#fde3b8",
    about: (e) => `${e.resource?.inputs.internetFacing ? "public" : "internal"} ALB · ASG`,
  },
  DataTier: {
    fill: "#e3d3f6",
    about: (e) => `Aurora ${isHomeRun(e.run) ? "primary" : "secondary"} · DynamoDB`,
    cylinder: true,
  },
  Integrations: { fill: "#c9ebee", about: () => "SNS · SES · Location" },
  AppDatabaseUser: { fill: "#e3d3f6", about: () => "Lambda: app's IAM DB user", bottom: true },
  RegionKey: { fill: "#e3d3f6", about: () => "KMS data key (data, backups, logs)", bottom: true },
  Backups: {
    fill: "#e3d3f6",
    about: () => "AWS Backup plan · vault",
    bottom: true,
  },
  Observability: { fill: "#e8e8e8", about: () => "CloudWatch alarms · dashboard", bottom: true },
  HomeProbe: { fill: "#e8e8e8", about: () => "Lambda probe of the home", bottom: true },
  AccessLogBucket: { fill: "#e8e8e8", about: () => "S3 ALB access logs", bottom: true },
  RegionalVpc: { fill: "#d3eed9", about: (e) => `VPC ${config(e.run, "vpcCidr")} · NAT`, bottom: true },
  FailoverRouting: { fill: "#fff1b8", about: (e) => `${text(e.resource?.inputs.domain)} failover` },
  FailoverPlan: { fill: "#fff1b8", about: (e) => `ARC Region switch ${arcPlan(e).regions?.join(" ⇄ ")}` },
  FailoverTrigger: {
    fill: "#fff1b8",
    about: (e) =>
      `trigger: probes from ${((e.resource?.inputs.witnessRegions as string[] | undefined) ?? []).join(", ")} · alarms`,
  },
  PlanEvaluationAlerts: {
    fill: "#e8e8e8",
    about: () => "EventBridge: plan evaluation warnings",
    bottom: true,
  },
};

/**
 * A declared connection. Ends are `Kind` or `Kind name`; `to` is looked for in the stack of `from`,
 * or per `scope`: `standbys` (from the home to each standby), `home` (from a standby to the home),
 * `regions` (from the users or a control stack to every regional stack), `control` (from a region to
 * the control stacks). `when` narrows further.
 */
type Extra = Pick<Connection, "scope" | "when">;
interface Connection {
  from: string;
  to: string;
  kind: EdgeKind;
  label: string | ((from: End, to: End) => string);
  scope?: "standbys" | "home" | "regions" | "control";
  when?: (from: End, to: End) => boolean;
}

function link(from: string, to: string, kind: EdgeKind, label: Connection["label"], more: Extra = {}) {
  return { from, to, kind, label, ...more };
}
const entry = (_: End, to: End) => (isHomeRun(to.run) ? "PRIMARY" : "SECONDARY");
const inPlan = (plan: End, region: End) => !!arcPlan(plan).regions?.includes(region.run!.region);
const triggers = (probe: End, trigger: End) => trigger.resource?.inputs.standbyRegion === probe.run!.region;
const homeOf = (trigger: End, region: End) => trigger.resource?.inputs.homeRegion === region.run!.region;

/**
 * The connections between components, declared rather than derived. Which component talks to which
 * is a design fact, made real by the components' wiring (security groups, IAM, DNS targets) and
 * checked there, by the wiring tests and the policy pack; re-deriving it here from IAM documents and
 * security-group rules only duplicated those checks. The diagram draws these, where both ends exist.
 */
export const CONNECTIONS: Connection[] = [
  // A region's request path.
  link("users", "EdgeDns", "traffic", (f, t) => `${config(t.run, "domain")} · ${entry(f, t)}`, {
    scope: "regions",
  }),
  link("EdgeDns", "WebFirewall", "traffic", "alias → public ALB"),
  link("WebFirewall", "TierAsg frontend", "traffic", "HTTPS 443"),
  link("TierAsg frontend", "TierAsg backend", "traffic", "HTTPS 443 (private name)"),
  link("InternalDns", "TierAsg backend", "traffic", "alias → internal ALB"),
  link("TierAsg backend", "DataTier", "data", "PostgreSQL 5432 · DynamoDB"),
  link("TierAsg backend", "Integrations", "traffic", "SNS · mail · maps"),
  link("AppCertificate app", "TierAsg frontend", "control", "TLS certificate"),
  link("AppCertificate backend", "TierAsg backend", "control", "TLS certificate"),
  // The home's data, copied to every standby.
  link("DataTier", "DataTier", "replication", "Aurora global DB + DynamoDB global table (async)", {
    scope: "standbys",
  }),
  // Every region backs up its own data and copies it to the other side (home ⇄ each standby).
  link("Backups", "DataTier", "data", "backs up"),
  link("AppDatabaseUser", "DataTier", "control", "creates the app's user (Data API)"),
  link("Backups", "Backups", "replication", "backup copies", { scope: "standbys" }),
  link("Backups", "Backups", "replication", "backup copies", { scope: "home" }),
  // Watching.
  link("Observability", "TierAsg", "monitoring", "alarms"),
  link("Observability", "DataTier", "monitoring", "alarms · replication lag"),
  link("Observability", "WebFirewall", "monitoring", "alarms"),
  link("TierAsg", "AccessLogBucket", "monitoring", "access logs"),
  link("HomeProbe", "TierAsg frontend", "monitoring", "probes /healthz/deep", { scope: "home" }),
  link("HomeProbe", "FailoverTrigger", "monitoring", "probe metric (a witness)", {
    scope: "control",
    when: triggers,
  }),
  link("FailoverTrigger", "TierAsg frontend", "monitoring", "probes /healthz/deep from third regions", {
    scope: "regions",
    when: homeOf,
  }),
  link("FailoverTrigger", "FailoverPlan", "control", "all witnesses red: starts (then waits for approval)", {
    when: (trigger, plan) =>
      !!arcPlan(plan).triggers?.some((t) => t.targetRegion === trigger.resource?.inputs.standbyRegion),
  }),
  link("PlanEvaluationAlerts", "FailoverPlan", "monitoring", "evaluation warnings → ops topics"),
  // The failover control stack.
  link("FailoverRouting", "EdgeDns", "control", (f, t) => `${entry(f, t)} record`, { scope: "regions" }),
  link("FailoverPlan", "FailoverRouting", "control", "flips the health checks"),
  link("FailoverPlan", "TierAsg", "control", "scales", { scope: "regions", when: inPlan }),
  link("FailoverPlan", "DataTier", "control", "moves the writer", { scope: "regions", when: inPlan }),
];

const SCOPES: Record<NonNullable<Connection["scope"]> | "same", (from: End, to: End) => boolean> = {
  same: (f, t) => !!f.run && t.run === f.run,
  standbys: (f, t) => isHomeRun(f.run) && isRegional(t) && !isHomeRun(t.run),
  home: (f, t) => isRegional(f) && !isHomeRun(f.run) && isHomeRun(t.run),
  regions: (f, t) => (!f.run || isControlRun(f.run)) && isRegional(t),
  control: (f, t) => isRegional(f) && !!t.run && isControlRun(t.run),
};

const slug = (value: string) => value.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
const matches = (e: End, selector: string) =>
  [e.node.kind, `${e.node.kind} ${e.node.name}`].includes(selector);
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Position in `list`, unlisted last. */
const position = (list: string[], item: string) => (list.includes(item) ? list.indexOf(item) : list.length);
const KIND_ORDER = Object.keys(KINDS);
const NAMED_ORDER = CONNECTIONS.flatMap((c) => [c.from, c.to]);
/** Within a cluster: by class (KINDS), then in the order CONNECTIONS names them (frontend first). */
const nodeOrder = (a: DiagramNode, b: DiagramNode) =>
  position(KIND_ORDER, a.kind) - position(KIND_ORDER, b.kind) ||
  position(NAMED_ORDER, `${a.kind} ${a.name}`) - position(NAMED_ORDER, `${b.kind} ${b.name}`) ||
  byString(a.name, b.name);

const ROLES: Role[] = ["home", "standby", "control"];
const roleOf = (run: StackRun): Role => (isControlRun(run) ? "control" : isHomeRun(run) ? "home" : "standby");

function clusterLabel(run: StackRun): string {
  if (isControlRun(run)) return `${run.stack} (failover control, ${run.region})`;
  const stack = run.stack === run.region ? "" : ` · stack ${run.stack}`;
  return `${run.region} (${roleOf(run)}, ${config(run, "role")})${stack}`;
}

function node(stack: string, kind: string, name: string, title = `${kind} ${name}`): DiagramNode {
  return { id: slug(`${stack}_${kind}_${name}`), kind, name, stack, title, details: [] };
}

/** The components of a run that are children of its stack resource, as nodes. */
function components(run: StackRun): End[] {
  return run.resources
    .filter((r) => r.type.startsWith(`${PROJECT}:`) && /::pulumi:pulumi:Stack::[^:]*$/.test(r.parent ?? ""))
    .map((resource) => {
      const end: End = {
        node: node(run.stack, resource.type.split(":").pop()!, resource.name),
        run,
        resource,
      };
      end.node.details.push(...(KINDS[end.node.kind] ? [KINDS[end.node.kind].about(end)] : []));
      return end;
    })
    .sort((a, b) => nodeOrder(a.node, b.node));
}

/** The diagram of recorded runs, regional and control, given in any order. */
export function buildDiagramModel(runs: StackRun[]): DiagramModel {
  const users = { ...node("", "users", "", "Users"), id: USERS_NODE_ID, details: ["internet"] };
  const ends: End[] = [{ node: users }];
  const ordered = [...runs].sort(
    (a, b) => ROLES.indexOf(roleOf(a)) - ROLES.indexOf(roleOf(b)) || byString(a.stack, b.stack),
  );
  const clusters = ordered.map((run): DiagramCluster => {
    const nodes = components(run);
    ends.push(...nodes);
    const ids = nodes.map((e) => e.node.id);
    return { stack: run.stack, role: roleOf(run), label: clusterLabel(run), nodes: ids };
  });
  const edges: DiagramEdge[] = [];
  for (const from of ends) {
    for (const c of CONNECTIONS.filter((c) => matches(from, c.from))) {
      for (const to of ends.filter((e) => e !== from && matches(e, c.to))) {
        if (!SCOPES[c.scope ?? "same"](from, to) || (c.when && !c.when(from, to))) continue;
        const label = typeof c.label === "string" ? c.label : c.label(from, to);
        edges.push({ from: from.node.id, to: to.node.id, kind: c.kind, label });
      }
    }
  }
  return { users, clusters, nodes: ends.map((e) => e.node), edges };
}

// ---------------------------------------------------------------------------------------------
// Rendering.

const EDGE_STYLE: Record<EdgeKind, Record<string, string | number>> = {
  traffic: { color: "#1f4e99", style: "solid", penwidth: 1.6, weight: 4 },
  data: { color: "#7b4bb3", style: "solid", penwidth: 1.4, weight: 2 },
  replication: { color: "#c0392b", style: "dashed", penwidth: 1.8, constraint: "false" },
  control: { color: "#9a6b00", style: "dashed", penwidth: 1.1 },
  monitoring: { color: "#8a8a8a", style: "dotted", constraint: "false" },
};
const CLUSTER_COLOR = { home: "#1f4e99", standby: "#7f8c8d", control: "#9a6b00" };
const FONT = "Helvetica,Arial,sans-serif";

/** A DOT double-quoted string: backslashes and quotes escaped, newlines as `\n`. */
export function dotString(value: string | number): string {
  return `"${String(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** A DOT attribute list, every value quoted. */
const attrs = (a: Record<string, string | number>) =>
  `[${Object.entries(a)
    .map(([k, v]) => `${k}=${dotString(v)}`)
    .join(", ")}]`;

/** Mermaid text inside `"…"`: quotes and angle brackets as entity codes. */
export function mermaidText(value: string): string {
  return value.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

/** Graphviz DOT, top to bottom: the users and the control stack on top, the regions side by side. */
export function renderDot(model: DiagramModel): string {
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  const label = (n: DiagramNode) => [n.title, ...n.details].join("\n");
  const title = "Multi-region web application: the components of each stack (npm run diagram)";
  const out = [
    "digraph architecture {",
    `  graph ${attrs({ rankdir: "TB", newrank: "true", nodesep: 0.3, ranksep: 0.55, fontname: FONT, fontsize: 13, labelloc: "t", label: title })};`,
    `  node ${attrs({ fontname: FONT, fontsize: 10, shape: "box", style: "rounded,filled", penwidth: 1.1, margin: "0.14,0.06" })};`,
    `  edge ${attrs({ fontname: FONT, fontsize: 9, arrowsize: 0.7 })};`,
    `  ${model.users.id} ${attrs({ label: label(model.users), shape: "oval", style: "solid" })};`,
  ];
  for (const c of model.clusters) {
    out.push(`  subgraph cluster_${slug(c.stack)} {`);
    out.push(
      `    graph ${attrs({ label: c.label, style: "rounded,bold", color: CLUSTER_COLOR[c.role], margin: 12 })};`,
    );
    for (const n of c.nodes.map((id) => byId.get(id)!)) {
      const { fill, cylinder } = KINDS[n.kind] ?? { fill: "#ffffff" };
      const shape: Record<string, string> = cylinder ? { shape: "cylinder", style: "filled" } : {};
      out.push(`    ${n.id} ${attrs({ label: label(n), fillcolor: fill, ...shape })};`);
    }
    out.push("  }");
  }
  // Layout only (invisible): the off-path components below a cluster's last on-path one, and the
  // regions side by side in order.
  const bottom = new Set(model.nodes.filter((n) => KINDS[n.kind]?.bottom).map((n) => n.id));
  for (const c of model.clusters) {
    const last = c.nodes.filter((id) => !bottom.has(id)).pop();
    for (const id of c.nodes.filter((id) => last && bottom.has(id)))
      out.push(`  ${last} -> ${id} [style=invis];`);
  }
  const anchors = model.clusters
    .filter((c) => c.role !== "control" && c.nodes.length > 0)
    .map((c) => c.nodes[0]);
  for (let i = 1; i < anchors.length; i++)
    out.push(`  { rank=same; ${anchors[i - 1]} -> ${anchors[i]} [style=invis]; }`);
  for (const e of model.edges) {
    const style = { ...EDGE_STYLE[e.kind], fontcolor: EDGE_STYLE[e.kind].color };
    if (bottom.has(e.from) || bottom.has(e.to)) Object.assign(style, { constraint: "false" });
    const labelAt = e.kind === "traffic" || e.kind === "data" ? "label" : "xlabel";
    out.push(`  ${e.from} -> ${e.to} ${attrs({ [labelAt]: e.label, ...style })};`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

/** Mermaid `flowchart TB` (GitHub renders it): a subgraph per stack. */
export function renderMermaid(model: DiagramModel): string {
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  const label = (n: DiagramNode) =>
    `"${[`<b>${mermaidText(n.title)}</b>`, ...n.details.map(mermaidText)].join("<br/>")}"`;
  const out = ["flowchart TB", `  ${model.users.id}([${label(model.users)}])`];
  for (const c of model.clusters) {
    out.push(`  subgraph cluster_${slug(c.stack)}["${mermaidText(c.label)}"]`);
    for (const n of c.nodes.map((id) => byId.get(id)!)) {
      out.push(KINDS[n.kind]?.cylinder ? `    ${n.id}[(${label(n)})]` : `    ${n.id}[${label(n)}]`);
    }
    out.push("  end");
  }
  for (const e of model.edges) {
    const arrow = e.kind === "traffic" || e.kind === "data" ? "-->" : "-.->";
    out.push(`  ${e.from} ${arrow}|"${mermaidText(e.label)}"| ${e.to}`);
  }
  for (const [kind, style] of Object.entries(EDGE_STYLE)) {
    const links = model.edges.flatMap((e, i) => (e.kind === kind ? [i] : []));
    if (links.length > 0) out.push(`  linkStyle ${links.join(",")} stroke:${style.color}`);
  }
  for (const [kind, { fill }] of Object.entries(KINDS)) {
    const ids = model.nodes.filter((n) => n.kind === kind).map((n) => n.id);
    if (ids.length > 0)
      out.push(`  classDef ${kind} fill:${fill},stroke:#555`, `  class ${ids.join(",")} ${kind}`);
  }
  for (const c of model.clusters)
    out.push(`  style cluster_${slug(c.stack)} fill:#fff,stroke:${CLUSTER_COLOR[c.role]}`);
  return `${out.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// SVG through Graphviz compiled to WebAssembly.

interface GraphvizWasm {
  dot(dotSource: string, outputFormat?: "svg"): string;
}

let graphviz: Promise<GraphvizWasm> | undefined;

/**
 * @hpcc-js/wasm-graphviz ships ES modules only. TypeScript compiles `import()` to `require()` for
 * CommonJS output, which cannot load it on every Node 20, so the import goes through a function
 * TypeScript does not rewrite.
 */
export function loadGraphviz(): Promise<GraphvizWasm> {
  if (!graphviz) {
    type Module = { Graphviz: { load(): Promise<GraphvizWasm> } };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const importModule = new Function("url", "return import(url)") as (url: string) => Promise<Module>;
    const entry = pathToFileURL(require.resolve("@hpcc-js/wasm-graphviz")).href;
    graphviz = importModule(entry).then((m) => m.Graphviz.load());
  }
  return graphviz;
}

/** Lays out `dot` and returns the SVG (deterministic for a given Graphviz version). */
export async function renderSvg(dot: string): Promise<string> {
  const svg = (await loadGraphviz()).dot(dot, "svg");
  return svg.endsWith("\n") ? svg : `${svg}\n`;
}

// ---------------------------------------------------------------------------------------------
// Files and the command line.

export const SVG_FILE = "docs/architecture.svg";
export const MERMAID_FILE = "docs/architecture.mmd";

/** Path (from the repository root) → content of every file `npm run diagram` writes. */
export async function expectedFiles(runs: StackRun[]): Promise<Map<string, string>> {
  const model = buildDiagramModel(runs);
  return new Map([
    [SVG_FILE, await renderSvg(renderDot(model))],
    [MERMAID_FILE, renderMermaid(model)],
  ]);
}

/** The files whose committed content differs from the expected one, or that are missing. */
export function staleFiles(expected: Map<string, string>, rootDir = ROOT_DIR): string[] {
  const committed = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined);
  return [...expected]
    .filter(([file, content]) => committed(path.join(rootDir, file)) !== content)
    .map(([file]) => file);
}

const USAGE = `usage: npm run diagram [-- --check]
  writes ${SVG_FILE} and ${MERMAID_FILE}, drawn from the example stack files in tests/fixtures/stacks
  (your own stack files at the repository's root never change the diagram)
  --check  only compare: exit 1 naming the stale files`;

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== "--check" && a !== "--help");
  if (argv.includes("--help") || unknown.length > 0) {
    if (unknown.length > 0) console.error(`unknown argument ${unknown[0]}`);
    (unknown.length > 0 ? console.error : console.log)(USAGE);
    return unknown.length > 0 ? 2 : 0;
  }
  const expected = await expectedFiles(await fixtureStackRuns());
  if (argv.includes("--check")) {
    const stale = staleFiles(expected);
    if (stale.length > 0) console.error(`stale: ${stale.join(", ")}; run npm run diagram`);
    else console.log(`diagram up to date: ${[...expected.keys()].join(", ")}`);
    return stale.length > 0 ? 1 : 0;
  }
  for (const [file, content] of expected) {
    fs.mkdirSync(path.dirname(path.join(ROOT_DIR, file)), { recursive: true });
    fs.writeFileSync(path.join(ROOT_DIR, file), content);
  }
  console.log(`wrote ${[...expected.keys()].join(", ")}`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
