/** Assertion helpers shared by the specs that inspect a run's recorded resources. */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RawConfig, problemsOf } from "../config";
import { ofType, RecordedResource, StackRun } from "../tools/mocks";
import { FIXTURE_STACKS_DIR, StackFileEdit, stackRoot } from "../tools/runStacks";

export { ofType };

/** The one resource of a type (optionally with that name); fails the test when there are more or none. */
export function one(run: StackRun, type: string, name?: string): RecordedResource {
  const found = ofType(run, type).filter((r) => name === undefined || r.name === name);
  expect(found, `${type}${name ? ` ${name}` : ""} in ${run.stack}`).to.have.length(1);
  return found[0];
}

/** True when `r`'s input `input` was built from an output of `on` (the engine's property dependency). */
export function dependsOn(r: RecordedResource, input: string, on: RecordedResource): boolean {
  return (r.propertyDependencies[input] ?? []).includes(on.urn);
}

/** The signature key Pulumi uses to mark a serialized secret value. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export function isSecret(value: unknown): boolean {
  return typeof value === "object" && value !== null && SECRET_SIG in value;
}

export function unsecret(value: unknown): unknown {
  return isSecret(value) ? (value as Record<string, unknown>).value : value;
}

/** The fixture home stack's config (tests/fixtures/stacks) as buildConfig takes it (the minimum; everything else defaults). */
export const HOME_CONFIG: RawConfig = {
  project: "multi-region-web",
  stack: "us-east-1",
  organization: "organization",
  region: "us-east-1",
  role: "active",
  home: true,
  standbyRegions: ["ca-central-1"],
  domain: "app.example.com",
  hostedZone: "example.com",
  alarms: { emails: ["ops@example.com"] },
};

/** The fixture standby stack's config, likewise. */
export const STANDBY_CONFIG: RawConfig = {
  project: "multi-region-web",
  stack: "ca-central-1",
  organization: "organization",
  region: "ca-central-1",
  role: "passive",
  primaryStack: "organization/multi-region-web/us-east-1",
  domain: "app.example.com",
  hostedZone: "example.com",
  alarms: { emails: ["ops@example.com"] },
};

/**
 * A temporary copy of the fixture stack files (tests/fixtures/stacks) with this repository's project
 * files, for the pre-flight and the plan (which take a root folder): each edit replaces `from` (which
 * must occur) with `to` in one file, or writes a whole file when `from` is undefined.
 */
export function editedRoot(edits: StackFileEdit[]): string {
  return stackRoot(FIXTURE_STACKS_DIR, edits);
}

/** The text of a fixture stack file (`Pulumi.ca-central-1.yaml`, `control/Pulumi.global.yaml`). */
export function fixtureText(file: string): string {
  return fs.readFileSync(path.join(FIXTURE_STACKS_DIR, file), "utf8");
}

/** The 1-based line of a fixture stack file that first contains `text` (0 when none does). */
export function fixtureLine(file: string, text: string): number {
  return (
    fixtureText(file)
      .split("\n")
      .findIndex((l) => l.includes(text)) + 1
  );
}

/** The fixture standby stack file moved to another region (a third region's file). */
export function standbyFileFor(region: string, vpcCidr: string): string {
  return fixtureText("Pulumi.ca-central-1.yaml")
    .replace("aws:region: ca-central-1", `aws:region: ${region}`)
    .replace("vpcCidr: 10.20.0.0/16", `vpcCidr: ${vpcCidr}`)
    .replace("Stack: ca-central-1", `Stack: ${region}`);
}

/** What a user puts in the stack files in place of the examples (tests/examples.test.ts, tests/placeholders.test.ts). */
export const USER_VALUES = {
  domain: "shop.acme.io",
  hostedZone: "acme.io",
  organization: "acme",
  email: "oncall@acme.io",
  owner: "web-team",
  costCentre: "CC-4711",
  home: "us-west-2",
  standby: "eu-west-1",
  approver: "arn:aws:iam::210987654321:role/acme-oncall",
};

/**
 * The fixture stack files as a user makes them their own: another domain, zone, organization, alarm e-mail, Owner and
 * CostCentre tags, and other regions (the files renamed after them; the control stack stays in us-east-1), laid out
 * as a root (`stackRoot`). Each rewrite must find what it replaces, so the variant never silently equals the fixtures.
 */
export function userVariantRoot(): string {
  const u = USER_VALUES;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "user-stacks-"));
  fs.mkdirSync(path.join(dir, "control"));
  const rewrite = (file: string, pairs: [string, string][]) =>
    pairs.reduce((text, [from, to]) => {
      if (!text.includes(from)) throw new Error(`test setup: ${file} has no ${from}`);
      return text.split(from).join(to);
    }, fixtureText(file));
  const common: [string, string][] = [
    ["ops@example.com", u.email],
    ["Owner: platform-team", `Owner: ${u.owner}`],
    ['CostCentre: "0000"', `CostCentre: "${u.costCentre}"`],
  ];
  const regional: [string, string][] = [
    ...common,
    ["app.example.com", u.domain],
    ["hostedZone: example.com", `hostedZone: ${u.hostedZone}`],
    ["us-east-1", u.home],
    ["ca-central-1", u.standby],
  ];
  const write = (file: string, text: string) => fs.writeFileSync(path.join(dir, file), text);
  write(`Pulumi.${u.home}.yaml`, rewrite("Pulumi.us-east-1.yaml", regional));
  write(
    `Pulumi.${u.standby}.yaml`,
    rewrite("Pulumi.ca-central-1.yaml", [...regional, ["organization/", `${u.organization}/`]]),
  );
  write(
    "control/Pulumi.global.yaml",
    rewrite("control/Pulumi.global.yaml", [
      ...common,
      ["organization/multi-region-web/us-east-1", `${u.organization}/multi-region-web/${u.home}`],
      ["arn:aws:iam::111122223333:role/failover-approver", u.approver],
    ]),
  );
  const root = stackRoot(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  return root;
}

/** The config problems `fn` throws, as the `key = value: allowed` lines the user reads; [] when it
 * does not throw. Anything but config problems is rethrown. */
export function problemLines(fn: () => unknown): string[] {
  try {
    fn();
    return [];
  } catch (e) {
    const list = problemsOf(e);
    if (!list) throw e;
    return list.map((p) => `${p.key} = ${JSON.stringify(p.value)}: ${p.allowed}`);
  }
}
