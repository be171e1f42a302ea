/** Assertion helpers shared by the specs that inspect a run's recorded resources. */
import { expect } from "chai";
import { RawConfig } from "../config";
import { ofType, RecordedResource, StackRun } from "../tools/mocks";

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

/** The committed home stack's config as buildConfig takes it (the minimum; everything else defaults). */
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

/** The committed standby stack's config, likewise. */
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
