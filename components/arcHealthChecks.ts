/**
 * The Route 53 health checks of the ARC Region switch plans, and which of them the app domain's records
 * may carry. ARC creates them ("The execution block creates Amazon Route 53 health checks, which you
 * then attach to Route 53 DNS records in your account", ARC Developer Guide, "Amazon Route 53 health
 * check execution block"); the control stack finds them with ListRoute53HealthChecks and attaches them.
 *
 * What a `pulumi up` of the control stack does with them, first deploy and every later one:
 *
 * - ARC creates the checks some time after the plan: the `up` that creates a plan gets no list at all
 *   (the provider returns the API's list as is, and a nil list flattens to null:
 *   terraform-provider-aws, internal/service/arcregionswitch/route53_health_checks_data_source.go) or
 *   an empty one. The records then carry no ARC check, and the next `up` attaches them.
 * - A check is attached the first time only in a state that changes nothing DNS answers at that
 *   moment: the home's when ARC reports it healthy; the standby's when it is healthy, or unhealthy
 *   while the home's is healthy (the documented initial state of an active/passive plan: "the health
 *   check for the primary Region starts as healthy, and the health check for the standby Region is
 *   initially set to unhealthy", same page). ListRoute53HealthChecks reports a `status` of
 *   `healthy | unhealthy | unknown` (ARC API reference, Route53HealthCheck).
 * - A check a record carries is never detached by an `up`: an empty or shorter list, or another id,
 *   fails the `up` with what to do. Detaching the home's check during a failover would hand the app
 *   back to the deactivated home. What a record carries is read from Route 53 itself
 *   (ListResourceRecordSets, through `aws.route53.getRecords`), not from Pulumi's state: it is the
 *   truth even after a failed update, an import or a hand edit, and a first deploy finds no record.
 *
 * Both lookups are control-plane reads (ARC's and Route 53's, served from us-east-1) made by a
 * `pulumi up`; nothing in a failover depends on them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** A Route 53 health check's status as ListRoute53HealthChecks reports it. */
export type ArcCheckStatus = "healthy" | "unhealthy" | "unknown";

/** One of a plan's health checks. */
export interface ArcHealthCheck {
  id: string;
  status: ArcCheckStatus;
}

/** A plan's health checks for one record name, by region. */
export type ArcHealthChecks = Record<string, ArcHealthCheck>;

/** An entry of ListRoute53HealthChecks as the provider returns it (fields may be missing). */
export interface ListedArcCheck {
  healthCheckId?: string | null;
  hostedZoneId?: string | null;
  recordName?: string | null;
  region?: string | null;
  status?: string | null;
}

/** DNS names compare case-insensitively, with or without the trailing dot. */
export function sameDnsName(a: string, b: string): boolean {
  return a.replace(/\.$/, "").toLowerCase() === b.replace(/\.$/, "").toLowerCase();
}

/**
 * A plan's checks for `recordName` in `hostedZoneId`, by region, from ListRoute53HealthChecks' list:
 * none for a null or empty list, and none for an entry without an id ("healthCheckId ... Required:
 * No", ARC API reference, Route53HealthCheck). A status the API does not define counts as unknown.
 */
export function arcChecksByRegion(
  list: readonly ListedArcCheck[] | null | undefined,
  recordName: string,
  hostedZoneId: string,
): ArcHealthChecks {
  const checks: ArcHealthChecks = {};
  // Stryker disable next-line ArrayDeclaration: equivalent, a list of one string has no entry with an id either
  for (const c of list ?? []) {
    if (!c.healthCheckId || !c.region || !c.recordName || !sameDnsName(c.recordName, recordName)) continue;
    if (c.hostedZoneId && c.hostedZoneId !== hostedZoneId) continue;
    const status = c.status === "healthy" || c.status === "unhealthy" ? c.status : "unknown";
    checks[c.region] = { id: c.healthCheckId, status };
  }
  return checks;
}

// Stryker disable all: a provider invoke, answered by the mocks in the program runs (tests/control.test.ts);
// what its answer becomes is arcChecksByRegion's.
/** ARC's checks of a plan for the app domain, by region (a control-plane read, at `pulumi up`). */
export function planArcHealthChecks(
  planArn: pulumi.Input<string>,
  recordName: string,
  hostedZoneId: pulumi.Input<string>,
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<ArcHealthChecks> {
  const listed = aws.arcregionswitch.getRoute53HealthChecksOutput({ planArn }, opts);
  return pulumi
    .all([listed.healthChecks, hostedZoneId])
    .apply(([list, zone]) => arcChecksByRegion(list as ListedArcCheck[] | null, recordName, zone));
}
// Stryker restore all

/** Where a check is attached: a record's name and set identifier. */
export function recordKey(name: string, setIdentifier: string): string {
  return `${name.replace(/\.$/, "").toLowerCase()} ${setIdentifier}`;
}

/** A record set as `aws.route53.getRecords` returns it (fields may be missing). */
export interface LiveRecordSet {
  name?: string | null;
  setIdentifier?: string | null;
  healthCheckId?: string | null;
}

/** The health check each live record carries, by `recordKey` (records without one left out). */
export function attachedChecks(sets: readonly LiveRecordSet[] | null | undefined): Record<string, string> {
  const attached: Record<string, string> = {};
  // Stryker disable next-line ArrayDeclaration: equivalent, a list of one string has no record with a check either
  for (const s of sets ?? []) {
    if (s.name && s.setIdentifier && s.healthCheckId)
      attached[recordKey(s.name, s.setIdentifier)] = s.healthCheckId;
  }
  return attached;
}

/** `name` as an RE2 pattern that matches it exactly, with or without the trailing dot Route 53 returns. */
function exactName(name: string): string {
  return `${name
    .replace(/\.$/, "")
    .toLowerCase()
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.?`;
}

/** The `nameRegex` that selects exactly the records named `names` (Route 53 returns names in lower case). */
export function recordNameRegex(names: string[]): string {
  return `^(${names.map(exactName).join("|")})$`;
}

// Stryker disable all: a provider invoke, answered by the mocks in the program runs (tests/control.test.ts);
// what its answer becomes is attachedChecks', the names it asks for recordNameRegex's.
/**
 * The health checks Route 53's records named `names` carry now, by `recordKey`. The data source lists
 * the zone's records (ListResourceRecordSets, every page) and keeps those whose name matches
 * `nameRegex` (terraform-provider-aws, internal/service/route53/records_data_source.go).
 */
export function liveAttachedChecks(
  hostedZoneId: pulumi.Input<string>,
  names: string[],
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<Record<string, string>> {
  const nameRegex = recordNameRegex(names);
  return aws.route53
    .getRecordsOutput({ zoneId: hostedZoneId, nameRegex }, opts)
    .resourceRecordSets.apply((sets) => attachedChecks(sets as LiveRecordSet[] | null));
}
// Stryker restore all

/** A record that carries one of a plan's checks. */
export interface ArcCheckedRecord {
  /** The record's name and set identifier. */
  name: string;
  setIdentifier: string;
  /** `home`: the record that serves the home; `standby`: the one that serves the standbys. */
  side: "home" | "standby";
}

/** What one `pulumi up` attaches to one record, and what it says about it. */
export interface Attachment {
  healthCheckId?: string;
  /** Why nothing is attached (yet). */
  note?: { level: "info" | "warn"; text: string };
}

/** The `up` would detach a check a record carries: refused. */
export class ArcCheckDetachError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArcCheckDetachError";
  }
}

/**
 * Which of a plan's checks a record carries after this `up`. `attached` is the check the record
 * carries in Route 53 now; `checks` are ARC's checks of the plan by region; the record carries the
 * one of `region`. Throws ArcCheckDetachError instead of detaching a check.
 */
export function arcCheckToAttach(args: {
  record: ArcCheckedRecord;
  planArn: string;
  region: string;
  homeRegion: string;
  attached?: string;
  checks: ArcHealthChecks;
}): Attachment {
  const { record, planArn, region, attached, checks } = args;
  // The plan by name in notes (a first deploy's preview has no ARN to show; the error below names it).
  const plan = planArn.split(":plan/")[1]?.split(":")[0] ?? planArn;
  const listCommand =
    "`aws arc-region-switch list-route53-health-checks --region us-east-1 --arn <the plan's ARN: this stack's output plans>`";
  const listed = checks[region];
  const where = `${record.name} (${record.side === "home" ? "PRIMARY" : "SECONDARY"}, set ${record.setIdentifier})`;
  if (attached !== undefined) {
    if (listed?.id === attached) return { healthCheckId: attached };
    throw new ArcCheckDetachError(
      [
        `Refusing to detach ARC health check ${attached} from ${where}: plan ${planArn} now lists ` +
          `${listed ? `health check ${listed.id}` : "no health check"} for ${region}. ` +
          (record.side === "home"
            ? "Without it, no plan execution can take traffic off the home, and if a plan has activated a standby, " +
              "users would go back to the deactivated home."
            : "Without it, the records can no longer tell that a plan has activated the standby."),
        `If ARC is still creating the plan's checks (the plan was just created or replaced), wait and run ` +
          `\`pulumi up\` again; \`aws arc-region-switch list-route53-health-checks --region us-east-1 --arn ${planArn}\` ` +
          "shows them.",
        `If the plan was deleted or re-created on purpose and no failover is in progress, remove the health ` +
          `check from that record in Route 53 yourself (console: the hosted zone, record ${record.name} set ` +
          `${record.setIdentifier}, Edit, Health check ID: none), then run \`pulumi up\` again: it attaches ARC's current check.`,
      ].join("\n"),
    );
  }
  if (!listed) {
    return {
      note: {
        level: "info",
        text: `${where} carries no ARC health check yet: plan ${plan} lists none for ${region} (ARC creates them after the plan). Run \`pulumi up\` again once ${listCommand} lists it.`,
      },
    };
  }
  const home = checks[args.homeRegion];
  const attachable =
    // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, a home-side record carries the home's check (`listed` is `home`), for which the standby-side rule gives the same answer; the home's rule is spelled out for the reader
    record.side === "home"
      ? listed.status === "healthy"
      : listed.status === "healthy" || (listed.status === "unhealthy" && home?.status === "healthy");
  if (attachable) return { healthCheckId: listed.id };
  return {
    note: {
      level: "warn",
      text:
        `Not attaching ARC health check ${listed.id} (${listed.status}) to ${where}: attaching it now would change ` +
        `what DNS answers (${record.side === "home" ? "the home's check is not healthy" : "neither of the plan's checks is healthy"}). ` +
        `A plan ${plan} execution may be under way or ARC has not evaluated the check yet; run \`pulumi up\` again once the plan's ` +
        `checks are in a settled state (${listCommand}).`,
    },
  };
}
