/**
 * Component type tokens: `multi-region-web:<area>:<Component>` over a fixed set of areas, and every
 * renamed token aliased to its former one, so that a stack deployed under the former tokens keeps
 * every resource (checked below by replaying the engine's alias matching over the fixture stacks).
 */
import { expect } from "chai";
import { AREAS, renamedFrom } from "../components/component";
import { RecordedAlias, RecordedResource, StackRun } from "../tools/mocks";
import { fixtureStackRuns } from "../tools/runStacks";

/** Every component: its token, and the token it was deployed under before, when renamed. */
const TOKENS: Record<string, { type: string; was?: string }> = {
  RegionalVpc: { type: "multi-region-web:network:RegionalVpc" },
  InternalDns: { type: "multi-region-web:network:InternalDns" },
  TierAsg: { type: "multi-region-web:compute:TierAsg" },
  DataTier: { type: "multi-region-web:data:DataTier" },
  AppDatabaseUser: { type: "multi-region-web:data:AppDatabaseUser" },
  RegionKey: { type: "multi-region-web:data:RegionKey" },
  Backups: { type: "multi-region-web:data:Backups", was: "multi-region-web:backups:Backups" },
  EdgeDns: { type: "multi-region-web:edge:EdgeDns", was: "multi-region-web:edgeDns:EdgeDns" },
  AppCertificate: {
    type: "multi-region-web:edge:AppCertificate",
    was: "multi-region-web:appCertificate:AppCertificate",
  },
  WebFirewall: { type: "multi-region-web:edge:WebFirewall", was: "multi-region-web:webFirewall:WebFirewall" },
  FailoverPlan: { type: "multi-region-web:failover:FailoverPlan" },
  FailoverRouting: { type: "multi-region-web:failover:FailoverRouting" },
  FailoverTrigger: { type: "multi-region-web:failover:FailoverTrigger" },
  PlanEvaluationAlerts: { type: "multi-region-web:failover:PlanEvaluationAlerts" },
  HomeProbe: { type: "multi-region-web:failover:HomeProbe" },
  Observability: {
    type: "multi-region-web:operations:Observability",
    was: "multi-region-web:observability:Observability",
  },
  AccessLogBucket: {
    type: "multi-region-web:operations:AccessLogBucket",
    was: "multi-region-web:logging:AccessLogBucket",
  },
  Integrations: { type: "multi-region-web:integrations:Integrations" },
};

const STACK_TYPE = "pulumi:pulumi:Stack";
const components = (run: StackRun) => run.resources.filter((r) => r.type.startsWith("multi-region-web:"));

/**
 * What the engine does with a run's registrations against a state deployed under the former tokens,
 * ported from pulumi/pulumi pkg/resource/deploy/step_generator.go (`generateSteps`, `generateAliases`,
 * `collapseAliasToUrn`, `inheritedChildAlias`): each resource is looked up under its URN, then under
 * its own aliases, then under its URN below its parent's former URN when the parent was found under an
 * alias. Returns, per resource, its URN in the former state and the one it was found under (none:
 * it would be created). URNs are built as the engine builds them (the mock monitor's name only the
 * parent's own type).
 */
function replayAgainstFormerState(
  run: StackRun,
): { resource: RecordedResource; urn: string; formerUrn: string; foundUnder?: string }[] {
  const former = (type: string) => Object.values(TOKENS).find((t) => t.type === type)?.was ?? type;
  const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
  const qualifiedType = (urn: string) => urn.split("::")[2];
  const createUrn = (name: string, type: string, parent: string) =>
    `urn:pulumi:${run.stack}::${run.project}::${parent ? `${qualifiedType(parent)}$` : ""}${type}::${name}`;
  /** The engine's URN of `r`, its types (its own and its ancestors') mapped by `typeOf`. */
  const engineUrn = (r: RecordedResource, typeOf: (type: string) => string): string => {
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    const parentUrn = parent && parent.type !== STACK_TYPE ? engineUrn(parent, typeOf) : "";
    return createUrn(r.name, typeOf(r.type), parentUrn);
  };
  const formerState = new Set(run.resources.map((r) => engineUrn(r, former)));

  const aliasedFrom = new Map<string, string>(); // the engine's sg.aliases: URN → the former URN it matched
  return run.resources.map((r) => {
    const urn = engineUrn(r, (t) => t);
    const parentRecord = r.parent ? byUrn.get(r.parent) : undefined;
    const parent = parentRecord ? engineUrn(parentRecord, (t) => t) : "";
    const collapse = (alias: RecordedAlias): string => {
      if (alias.urn) return alias.urn;
      const aliasParentRecord = alias.parentUrn ? byUrn.get(alias.parentUrn) : undefined;
      let aliasParent = aliasParentRecord ? engineUrn(aliasParentRecord, (t) => t) : parent;
      if (alias.parentUrn) aliasParent = aliasedFrom.get(aliasParent) ?? aliasParent;
      if (alias.noParent || qualifiedType(aliasParent) === STACK_TYPE) aliasParent = "";
      return createUrn(alias.name ?? r.name, alias.type ?? r.type, aliasParent);
    };
    const inherited = (type: string, name: string, parentAlias: string) => {
      const parentName = parent.split("::")[3];
      const formerParentName = parentAlias.split("::")[3];
      const aliasName = name.startsWith(parentName) ? formerParentName + name.slice(parentName.length) : name;
      return createUrn(aliasName, type, parentAlias);
    };
    const candidates = [urn, ...r.aliases.map(collapse)];
    const parentAlias = aliasedFrom.get(parent);
    if (parentAlias) {
      candidates.push(inherited(r.type, r.name, parentAlias));
      for (const alias of r.aliases) {
        const own = collapse(alias);
        candidates.push(inherited(qualifiedType(own).split("$").pop()!, own.split("::")[3], parentAlias));
      }
    }
    const foundUnder = candidates.find((c) => formerState.has(c));
    if (foundUnder !== undefined && foundUnder !== urn) aliasedFrom.set(urn, foundUnder);
    return { resource: r, urn, formerUrn: engineUrn(r, former), foundUnder };
  });
}

describe("renamedFrom", () => {
  it("adds an alias to the former type after the caller's own, keeping the other options", () => {
    const opts = { protect: true, aliases: [{ name: "older" }] };
    expect(renamedFrom("a:b:C", opts)).to.deep.equal({
      protect: true,
      aliases: [{ name: "older" }, { type: "a:b:C" }],
    });
    expect(renamedFrom("a:b:C", undefined)).to.deep.equal({ aliases: [{ type: "a:b:C" }] });
    expect(opts.aliases).to.have.length(1);
  });
});

describe("component tokens", function () {
  this.timeout(60_000);
  let runs: StackRun[];
  before(async () => {
    runs = await fixtureStackRuns();
  });

  it("are multi-region-web:<area>:<Component>, the area one of a fixed few", () => {
    const pattern = new RegExp(`^multi-region-web:(${AREAS.join("|")}):[A-Z][A-Za-z]+$`);
    const seen = new Set(runs.flatMap(components).map((r) => r.type));
    for (const type of seen) expect(type).to.match(pattern);
    expect([...seen].sort()).to.deep.equal(
      Object.values(TOKENS)
        .map((t) => t.type)
        .sort(),
    );
  });

  for (const [component, { type, was }] of Object.entries(TOKENS)) {
    it(`${component}: registers ${type}${was ? `, aliased to ${was}` : ", without aliases"}`, () => {
      const registered = runs.flatMap((run) => run.resources.filter((r) => r.type === type));
      expect(registered, component).to.not.be.empty;
      for (const r of registered) {
        expect(r.aliases, `${r.name}`).to.deep.equal(was ? [{ type: was, parentUrn: r.parent }] : []);
      }
    });
  }

  it("a stack deployed under the former tokens keeps every resource: each is found under its former URN", () => {
    for (const run of runs) {
      const replayed = replayAgainstFormerState(run);
      for (const { resource: r, formerUrn, foundUnder } of replayed) {
        expect(foundUnder, `${run.stack}: ${r.type} ${r.name}`).to.equal(formerUrn);
      }
      // The renamed components' children and grandchildren are found through the components' aliases.
      const moved = replayed.filter((x) => x.urn !== x.formerUrn);
      expect(
        moved.filter((x) => x.resource.aliases.length === 0),
        run.stack,
      ).to.not.be.empty;
    }
  });
});
