/**
 * What the control stack reads from the regional stacks, through StackReferences: every value a plan
 * or a record needs, checked before any resource is registered. A missing output is an error that
 * names it ("Required output 'x' does not exist on stack 'y'"), never `undefined`.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config";

/** One regional stack, as the control stack sees it. */
export interface RegionalStack {
  stack: string;
  region: string;
  home: boolean;
  domain: string;
  hostedZoneId: string;
  publicAlbDnsName: string;
  publicAlbZoneId: string;
  /** The region's deep health check (Route 53). */
  healthCheckId: string;
  /** `home.<domain>` or `standby.<domain>`. */
  healthRecordName: string;
  asgArns: { frontend: string; backend: string };
  clusterArn: string;
  /** The Aurora cluster's instance class and instance ARNs (for the plan's capacity raise). */
  dbInstanceClass: string;
  dbInstanceArns: string[];
  appHealthAlarmArn: string;
  /** The region's ops topic (alarms and EventBridge rules of its region publish to it). */
  opsTopicArn: string;
  /** Home only. */
  globalClusterIdentifier?: string;
  /** Home only. */
  standbyRegions?: string[];
  /** Standby only: its alarm on the home's deep health (the automatic trigger). */
  homeProbeAlarmArn?: string;
}

const STRING_OUTPUTS = [
  "region",
  "domain",
  "hostedZoneId",
  "publicAlbDnsName",
  "publicAlbZoneId",
  "healthCheckId",
  "healthRecordName",
  "clusterArn",
  "dbInstanceClass",
  "appHealthAlarmArn",
  "opsTopicArn",
] as const;

/** Checks one stack's raw outputs and returns them typed; `expectHome` says which kind it must be. */
export function parseRegionalOutputs(
  stack: string,
  outputs: Record<string, unknown>,
  expectHome: boolean,
): RegionalStack {
  const fail = (name: string, value: unknown, allowed: string) =>
    new Error(`Stack ${stack}: output '${name}' = ${JSON.stringify(value)}: ${allowed}`);
  const str = (name: string): string => {
    const value = outputs[name];
    if (typeof value !== "string" || value === "") throw fail(name, value, "must be a non-empty string");
    return value;
  };
  if (outputs.home !== expectHome) {
    throw fail(
      "home",
      outputs.home,
      expectHome ? "must be true: homeStack names the home stack" : "must be false: a standby stack",
    );
  }
  const asgArns = outputs.asgArns as { frontend?: unknown; backend?: unknown } | undefined;
  if (typeof asgArns?.frontend !== "string" || typeof asgArns.backend !== "string") {
    throw fail("asgArns", asgArns, "must be { frontend, backend } Auto Scaling group ARNs");
  }
  const instanceArns = outputs.dbInstanceArns;
  if (
    !Array.isArray(instanceArns) ||
    instanceArns.length === 0 ||
    !instanceArns.every((a) => typeof a === "string" && a !== "")
  ) {
    throw fail("dbInstanceArns", instanceArns, "must list the ARNs of the region's Aurora instances");
  }
  const result: RegionalStack = {
    stack,
    home: expectHome,
    ...(Object.fromEntries(STRING_OUTPUTS.map((name) => [name, str(name)])) as Record<
      (typeof STRING_OUTPUTS)[number],
      string
    >),
    asgArns: { frontend: asgArns.frontend, backend: asgArns.backend },
    dbInstanceArns: instanceArns as string[],
  };
  if (expectHome) {
    result.globalClusterIdentifier = str("globalClusterIdentifier");
    const standbys = outputs.standbyRegions;
    if (!Array.isArray(standbys) || standbys.length === 0 || !standbys.every((r) => typeof r === "string")) {
      throw fail("standbyRegions", standbys, "must list the standby regions");
    }
    result.standbyRegions = standbys;
  } else {
    result.homeProbeAlarmArn = str("homeProbeAlarmArn");
  }
  return result;
}

/** The names a stack must export, for `requireOutputValue`. */
export function outputNames(home: boolean): string[] {
  return [
    ...STRING_OUTPUTS,
    "home",
    "asgArns",
    "dbInstanceArns",
    ...(home ? ["globalClusterIdentifier", "standbyRegions"] : ["homeProbeAlarmArn"]),
  ];
}

// Stryker disable all: StackReference reads, answered by the mocks in the control stack's program runs
// (tests/control.test.ts); what the answers become is parseRegionalOutputs', the names outputNames'.
/** Reads and checks one regional stack. */
export async function readRegionalStack(name: string, stack: string, home: boolean): Promise<RegionalStack> {
  const ref = new pulumi.StackReference(name, { name: stack });
  const names = outputNames(home);
  const values = await Promise.all(names.map((n) => ref.requireOutputValue(n)));
  return parseRegionalOutputs(stack, Object.fromEntries(names.map((n, i) => [n, values[i]])), home);
}
// Stryker restore all

/**
 * What every region of the app must agree on for one failover to work: one domain in one zone, each
 * standby stack (read as the home's `standbyRegions` name it, in that order) in the region it is
 * named after and listed for, none in the home region. Errors are config errors: they name the stack
 * file to change.
 */
export function checkRegionalStacks(home: RegionalStack, standbys: RegionalStack[]): void {
  const listed = home.standbyRegions ?? [];
  standbys.forEach((s, i) => {
    // A plan built from a stack in another region than the home lists would scale, move the writer
    // to and route traffic to the wrong region's resources.
    if (s.region !== listed[i]) {
      throw new ConfigError(
        `${s.stack}: aws:region`,
        s.region,
        `must be ${listed[i] ?? "a region the home stack lists in standbyRegions"}: regional stacks are named after their region`,
      );
    }
  });
  for (const s of standbys) {
    if (s.domain !== home.domain) {
      throw new ConfigError(
        `${s.stack}: domain`,
        s.domain,
        `must be the home's domain "${home.domain}": the failover pair is one name`,
      );
    }
    if (s.hostedZoneId !== home.hostedZoneId) {
      throw new ConfigError(
        `${s.stack}: hostedZone`,
        s.hostedZoneId,
        `must be the home's hosted zone (${home.hostedZoneId}): the failover pair lives in one zone`,
      );
    }
    if (s.region === home.region) {
      throw new ConfigError(`${s.stack}: aws:region`, s.region, `must not be the home region ${home.region}`);
    }
  }
}
