/**
 * Stack configs of our own for the specs that run the whole programs in the states the data tier must
 * survive (failback: tests/failback.test.ts; teardown: tests/teardown.test.ts): a home in us-east-1, a
 * standby in ca-central-1 and the failover control stack, with values no user's stack file holds, so
 * that a user's own domain, organization or e-mails never turn these specs red.
 */
import { CONTROL_DIR, ROOT_DIR, StackFile, StackRun } from "../tools/mocks";
import { addReference, emptyReferences, PROJECT, qualifiedName, runStack } from "../tools/runStacks";

export const HOME_REGION = "us-east-1";
export const STANDBY_REGION = "ca-central-1";
const CONTROL_PROJECT = "multi-region-web-control";

const tags = (stack: string, role: string, home: boolean) =>
  JSON.stringify({
    tags: {
      Project: PROJECT,
      Stack: stack,
      Role: role,
      Home: String(home),
      Owner: "data-tests",
      CostCentre: "1234",
    },
  });

/** Config as the engine passes it: `namespace:key` → string (structures as JSON). */
export type EngineConfig = Record<string, string>;

export const HOME_CONFIG: EngineConfig = {
  "aws:region": HOME_REGION,
  "aws:defaultTags": tags(HOME_REGION, "active", true),
  [`${PROJECT}:role`]: "active",
  [`${PROJECT}:home`]: "true",
  [`${PROJECT}:standbyRegions`]: JSON.stringify([STANDBY_REGION]),
  [`${PROJECT}:vpcCidr`]: "10.30.0.0/16",
  [`${PROJECT}:domain`]: "shop.data-tests.org",
  [`${PROJECT}:hostedZone`]: "data-tests.org",
  [`${PROJECT}:alarms`]: JSON.stringify({ emails: ["oncall@data-tests.org"] }),
};

export const STANDBY_CONFIG: EngineConfig = {
  "aws:region": STANDBY_REGION,
  "aws:defaultTags": tags(STANDBY_REGION, "passive", false),
  [`${PROJECT}:role`]: "passive",
  [`${PROJECT}:primaryStack`]: qualifiedName(HOME_REGION),
  [`${PROJECT}:vpcCidr`]: "10.40.0.0/16",
  [`${PROJECT}:domain`]: "shop.data-tests.org",
  [`${PROJECT}:hostedZone`]: "data-tests.org",
  [`${PROJECT}:alarms`]: JSON.stringify({ emails: ["oncall@data-tests.org"] }),
};

export const CONTROL_CONFIG: EngineConfig = {
  "aws:region": "us-east-1",
  "aws:defaultTags": JSON.stringify({
    tags: {
      Project: CONTROL_PROJECT,
      Stack: "global",
      Role: "failover-control",
      Home: "false",
      Owner: "data-tests",
      CostCentre: "1234",
    },
  }),
  [`${CONTROL_PROJECT}:homeStack`]: qualifiedName(HOME_REGION),
  [`${CONTROL_PROJECT}:alarmEmails`]: JSON.stringify(["oncall@data-tests.org"]),
  [`${CONTROL_PROJECT}:approvalPrincipals`]: JSON.stringify(["arn:aws:iam::123456789012:role/oncall"]),
};

/** Per-stack overrides of the configs above (same key format). */
export interface Overrides {
  home?: EngineConfig;
  standby?: EngineConfig;
  control?: EngineConfig;
}

export interface Runs {
  home: StackRun;
  standby: StackRun;
  control: StackRun;
}

const file = (stack: string, project: string, dir: string, config: EngineConfig): StackFile => ({
  stack,
  file: `(tests/dataStacks.ts: ${stack})`,
  project,
  dir,
  config,
});

/** Runs home, standby (reading the home's exports) and control (reading both), with the overrides. */
export async function runDataStacks(overrides: Overrides = {}): Promise<Runs> {
  const references = emptyReferences();
  const home = await runStack(
    file(HOME_REGION, PROJECT, ROOT_DIR, { ...HOME_CONFIG, ...overrides.home }),
    references,
  );
  addReference(references, home);
  const standby = await runStack(
    file(STANDBY_REGION, PROJECT, ROOT_DIR, { ...STANDBY_CONFIG, ...overrides.standby }),
    references,
  );
  addReference(references, standby);
  const control = await runStack(
    file("global", CONTROL_PROJECT, CONTROL_DIR, { ...CONTROL_CONFIG, ...overrides.control }),
    references,
  );
  return { home, standby, control };
}

let steady: Promise<Runs> | undefined;

/** The three stacks with the configs above as they are (computed once per process; runs are deterministic). */
export function steadyRuns(): Promise<Runs> {
  steady ??= runDataStacks();
  return steady;
}
