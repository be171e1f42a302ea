/**
 * One region's view of the home region's application: a small Lambda function, run every minute
 * outside the home, requests the home public ALB's deep health check and publishes the answer as a
 * metric (dimension ProbeRegion: where it ran), with two alarms on it. Each standby runs one (its
 * regional stack): its operators are told when the home app fails even while us-east-1 (and its
 * CloudWatch and Route 53 metrics) is down. The failover control stack runs more in third regions,
 * publishing into the standby region: the witnesses of the plan's automatic trigger
 * (components/failoverTrigger.ts), which alarms on every probe's metric there.
 *
 * The probe asks the ALB by its DNS name but speaks TLS for the app domain (SNI and a verified
 * certificate) with `Host: <domain>`: the request is the one a client makes, minus DNS failover.
 * A Route 53 record answering with the standby after a failover would make the probe watch itself.
 *
 * Pure parts (validation, alarm specs, policy documents) are exported and tested without mocks. The
 * function itself is Python, components/python/home_probe.py, with its own unittest module; its source
 * is exported too so that tests/homeProbe.test.ts runs it against a local HTTPS server.
 */
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, LOG_RETENTION_DAYS, validateDnsName, validateRegion } from "../config";
import { Component } from "./component";
import { AlarmSpec } from "./alarms";

/** Namespace of the probe's metric (custom namespaces must not start with `AWS/`: PutMetricData API reference). */
export const HOME_PROBE_NAMESPACE = "MultiRegionWeb/Failover";
/** The metric: 1 when the home answered the deep health check with a 2xx, 0 when not. */
export const HOME_PROBE_METRIC = "HomeDeepHealth";
/**
 * EventBridge rule schedule. A rate of one minute is the finest a scheduled rule offers ("Creating an
 * Amazon EventBridge rule that runs on a schedule"); each run yields one data point per minute.
 */
export const HOME_PROBE_SCHEDULE = "rate(1 minute)";
/** Bounds of `evaluationMinutes`: more than ten minutes would no longer be a fast failover trigger. */
export const EVALUATION_MINUTES_MIN = 1;
export const EVALUATION_MINUTES_MAX = 10;
/** Minutes without any data point before `probe-silent` alarms. */
export const PROBE_SILENT_MINUTES = 5;

/**
 * How long one run may take, in seconds, and what bounds it: the function's timeout, and the probe's
 * settings (passed to home_probe.py in its environment, so this is their one source). A run that
 * outlives the function's timeout publishes nothing: with `notBreaching` its minute counts as healthy
 * and a home that hangs would never turn an alarm red, so validateProbeBudget refuses any settings
 * whose worst case does not fit.
 * - `timeoutSeconds` × `attempts` + `pauseSeconds` × (attempts − 1): the tries (home_probe.py `check`,
 *   each try bounded by its own deadline, `probe`);
 * - `cloudWatchConnectSeconds` + `cloudWatchReadSeconds`: the one PutMetricData call (botocore Config
 *   connect_timeout, read_timeout; retries total_max_attempts 1 — it "includes the initial request,
 *   so a value of 1 indicates that no requests will be retried", botocore.config.Config — so no retry
 *   and no back-off to add);
 * - `marginSeconds`: the interpreter's start, the imports and the DNS look-ups, which no setting bounds
 *   (getaddrinfo takes no timeout): our assumption, unverified.
 * Lambda stops a run at its timeout ("The amount of time (in seconds) that Lambda allows a function to
 * run before stopping it", Lambda API reference, CreateFunction Timeout).
 */
export const HOME_PROBE_SETTINGS = {
  timeoutSeconds: 4,
  attempts: 2,
  pauseSeconds: 1,
  cloudWatchConnectSeconds: 2,
  cloudWatchReadSeconds: 5,
  marginSeconds: 5,
  functionTimeoutSeconds: 30,
} as const;

export type HomeProbeSettings = { [K in keyof typeof HOME_PROBE_SETTINGS]: number };

/** The worst case of one run, in seconds, margin included. */
export function probeRunBudgetSeconds(s: HomeProbeSettings): number {
  return (
    s.timeoutSeconds * s.attempts +
    s.pauseSeconds * (s.attempts - 1) +
    s.cloudWatchConnectSeconds +
    s.cloudWatchReadSeconds +
    s.marginSeconds
  );
}

/** Throws unless every run ends, with its data point published, before Lambda stops it. */
export function validateProbeBudget(s: HomeProbeSettings): void {
  for (const [key, value] of Object.entries(s)) {
    // Number.isFinite is false for anything but a finite number (it does not convert, unlike isFinite).
    if (!(Number.isFinite(value) && value >= 0)) {
      throw new Error(`settings: ${key} ${String(value)} must be a number of seconds, 0 or more`);
    }
  }
  if (!Number.isInteger(s.attempts) || s.attempts < 1) {
    throw new Error(`settings: attempts ${s.attempts} must be a positive integer`);
  }
  if (s.timeoutSeconds <= 0 || s.cloudWatchConnectSeconds <= 0 || s.cloudWatchReadSeconds <= 0) {
    throw new Error("settings: every timeout must be more than 0 s (0 means none to the socket module)");
  }
  // Lambda's timeout: "The default is 3 seconds. The maximum allowed value is 900 seconds" (CreateFunction).
  if (
    !Number.isInteger(s.functionTimeoutSeconds) ||
    s.functionTimeoutSeconds < 1 ||
    s.functionTimeoutSeconds > 900
  ) {
    throw new Error(
      `settings: functionTimeoutSeconds ${s.functionTimeoutSeconds} must be an integer from 1 to 900`,
    );
  }
  const budget = probeRunBudgetSeconds(s);
  if (budget > s.functionTimeoutSeconds) {
    throw new Error(
      `settings: a run may take ${budget} s (${s.attempts} tries of ${s.timeoutSeconds} s, ${s.attempts - 1} pauses of ${s.pauseSeconds} s, PutMetricData ${s.cloudWatchConnectSeconds} + ${s.cloudWatchReadSeconds} s, ${s.marginSeconds} s margin), more than the function's ${s.functionTimeoutSeconds} s: a hanging home would end every run without a data point, and the alarms, which treat a missing minute as healthy, would never see it`,
    );
  }
  // One run a minute: a run longer than that overlaps the next and its data point lands late.
  if (budget > 60) {
    throw new Error(`settings: a run may take ${budget} s, more than the minute between two runs`);
  }
}

/** The probe's environment variables for its settings (read by home_probe.py `settings_from`). */
export function probeSettingsEnvironment(s: HomeProbeSettings): Record<string, string> {
  return {
    PROBE_TIMEOUT_SECONDS: String(s.timeoutSeconds),
    PROBE_ATTEMPTS: String(s.attempts),
    PROBE_PAUSE_SECONDS: String(s.pauseSeconds),
    CLOUDWATCH_CONNECT_TIMEOUT_SECONDS: String(s.cloudWatchConnectSeconds),
    CLOUDWATCH_READ_TIMEOUT_SECONDS: String(s.cloudWatchReadSeconds),
  };
}
/** Lambda function names: 1 to 64 letters, digits, `-` and `_` (Lambda API reference, CreateFunction). */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The defaults of the optional arguments, in one place. */
export const HOME_PROBE_DEFAULTS = {
  path: "/healthz/deep",
  evaluationMinutes: 3,
} as const;

export interface HomeProbeArgs {
  /**
   * Where the probe runs: the provider's region, unless `metricRegion` names another region, and then
   * every resource but the alarms names `region` itself (a regional stack's resources name none). Required.
   */
  region: string;
  /**
   * Where the probe publishes its metric and where its two alarms live (and `alarmTopicArn` is): a
   * witness in a third region publishes into the standby region, whose alarms the failover trigger
   * reads. @default region
   */
  metricRegion?: string;
  /** The home region whose application is probed; must differ from `region`. Required. */
  homeRegion: string;
  /** DNS name of the home region's public ALB (the home stack's output). Required. */
  homeAlbDnsName: pulumi.Input<string>;
  /** The app domain: TLS server name, verified certificate name and `Host` header. Lower case. Required. */
  domain: string;
  /** Path of the deep health check on the ALB. @default "/healthz/deep" */
  path?: string;
  /** Consecutive unhealthy minutes before `home-unhealthy` alarms, 1 to 10. @default 3 */
  evaluationMinutes?: number;
  /** SNS topic (in `metricRegion`) that both alarms notify on ALARM and OK: the ops topic. Required. */
  alarmTopicArn: pulumi.Input<string>;
  /** Days the function's log group keeps its logs (a value CloudWatch Logs accepts). Required. */
  logRetentionDays: number;
  /** A key of `region` that CloudWatch Logs may use (RegionKey's policy), for the function's log group. Required. */
  logKmsKeyArn: pulumi.Input<string>;
  /** Lambda function name, also the log group's `/aws/lambda/<name>`. @default the component's name */
  functionName?: string;
  /** Extra tags for every resource that takes tags. @default {} */
  tags?: Record<string, string>;
  /** The run's timings, and the function's timeout (validateProbeBudget). @default HOME_PROBE_SETTINGS */
  settings?: HomeProbeSettings;
}

/** Reports a config.ts validator's complaint about the argument `key` as this component's. */
function argument(component: string, key: string, check: (key: string) => unknown): void {
  try {
    check(key);
  } catch (e) {
    // Stryker disable next-line ConditionalExpression: unreachable, the validators it wraps throw ConfigError only; anything else is a programming error, rethrown as is
    if (!(e instanceof ConfigError)) throw e;
    throw new Error(`${component}: ${key} ${JSON.stringify(e.value)} ${e.allowed}`);
  }
}

/** The arguments with their defaults applied (the one place they are), and where each resource goes. */
export function homeProbeLayout(name: string, args: HomeProbeArgs) {
  const metricRegion = args.metricRegion ?? args.region;
  // Placed explicitly only when it spans two regions (the control stack's witnesses); a regional
  // stack owns nothing outside its region and names none (tests/program.test.ts).
  const spans = metricRegion !== args.region;
  return {
    path: args.path ?? HOME_PROBE_DEFAULTS.path,
    evaluationMinutes: args.evaluationMinutes ?? HOME_PROBE_DEFAULTS.evaluationMinutes,
    functionName: args.functionName ?? name,
    settings: args.settings ?? HOME_PROBE_SETTINGS,
    metricRegion,
    /** The region of every resource but the alarms. */
    at: spans ? { region: args.region } : {},
    /** The region of the alarms: the metric's. */
    alarmsAt: spans ? { region: metricRegion } : {},
  };
}

/** Throws before any resource is registered when the arguments cannot describe a working probe. */
export function validateHomeProbeArgs(name: string, args: HomeProbeArgs): void {
  const component = `HomeProbe "${name}"`;
  const { path, evaluationMinutes: minutes, functionName, settings } = homeProbeLayout(name, args);
  argument(component, "region", (key) => validateRegion(key, args.region));
  argument(component, "homeRegion", (key) => validateRegion(key, args.homeRegion));
  if (args.metricRegion !== undefined) {
    argument(component, "metricRegion", (key) => validateRegion(key, args.metricRegion!));
  }
  for (const [key, region] of [
    ["region", args.region],
    ["metricRegion", args.metricRegion],
  ] as const) {
    if (region === args.homeRegion) {
      throw new Error(
        `${component}: homeRegion "${args.homeRegion}" must differ from ${key} "${region}": a probe in the home region goes down with it`,
      );
    }
  }
  try {
    validateProbeBudget(settings);
  } catch (e) {
    throw new Error(`${component}: ${(e as Error).message}`);
  }
  argument(component, "domain", (key) => validateDnsName(key, args.domain));
  // http.client sends the path as is and rejects non-ASCII and control characters with an exception
  // that would end every run without a data point.
  if (typeof path !== "string" || !/^\/[\x21-\x7e]*$/.test(path)) {
    throw new Error(
      `${component}: path ${JSON.stringify(path)} must start with "/" and be printable ASCII without spaces`,
    );
  }
  if (!Number.isInteger(minutes) || minutes < EVALUATION_MINUTES_MIN || minutes > EVALUATION_MINUTES_MAX) {
    throw new Error(
      `${component}: evaluationMinutes ${minutes} must be an integer from ${EVALUATION_MINUTES_MIN} to ${EVALUATION_MINUTES_MAX}`,
    );
  }
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(args.logRetentionDays)) {
    throw new Error(
      `${component}: logRetentionDays ${args.logRetentionDays} must be one of ${LOG_RETENTION_DAYS.join(", ")}`,
    );
  }
  if (!FUNCTION_NAME.test(functionName)) {
    throw new Error(
      `${component}: function name ${JSON.stringify(functionName)} (functionName, else the component's name) must be 1 to 64 letters, digits, "-" or "_"`,
    );
  }
}

/** What the alarms depend on. */
export interface HomeProbeAlarmInputs {
  domain: string;
  homeRegion: string;
  /** Where the probe runs: one metric per vantage point (the trigger's witnesses must not mix). */
  probeRegion: string;
  evaluationMinutes: number;
}

/** The metric's dimensions, exactly as the function publishes them (home_probe.py `metric_datum`). */
export function homeProbeDimensions(
  domain: string,
  homeRegion: string,
  probeRegion: string,
): Record<string, string> {
  return { Domain: domain, HomeRegion: homeRegion, ProbeRegion: probeRegion };
}

/**
 * The two alarms, from plain values. Missing data means different things to them: for
 * `home-unhealthy` it means the probe is broken, which must never start a failover (notBreaching);
 * for `probe-silent` it is exactly the fault it reports (breaching). Behaviour of treatMissingData:
 * "Configuring how CloudWatch alarms treat missing data" (CloudWatch User Guide).
 */
export function homeProbeAlarmSpecs(input: HomeProbeAlarmInputs): AlarmSpec[] {
  const metric = {
    namespace: HOME_PROBE_NAMESPACE,
    metricName: HOME_PROBE_METRIC,
    dimensions: homeProbeDimensions(input.domain, input.homeRegion, input.probeRegion),
  };
  const where = `${input.domain} in ${input.homeRegion} (probed from ${input.probeRegion})`;
  return [
    {
      key: "home-unhealthy",
      args: {
        alarmDescription: `${where} failed its deep health check for ${input.evaluationMinutes} consecutive minutes (every try of every probe run)`,
        ...metric,
        // Minimum: one failed run in a minute is enough for that minute to count as unhealthy.
        statistic: "Minimum",
        period: 60,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        evaluationPeriods: input.evaluationMinutes,
        datapointsToAlarm: input.evaluationMinutes,
        // A minute with no data point (schedule jitter, a failed run) counts as healthy: it can only
        // delay this alarm, never raise it.
        treatMissingData: "notBreaching",
      },
    },
    {
      key: "probe-silent",
      args: {
        alarmDescription: `The probe of ${where} published nothing for ${PROBE_SILENT_MINUTES} minutes: the home-unhealthy alarm, and the failover trigger's witness from there, are blind (a blind witness never fires)`,
        ...metric,
        statistic: "SampleCount",
        period: PROBE_SILENT_MINUTES * 60,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: "breaching",
      },
    },
  ];
}

/**
 * Trust policy of the function's role: lambda.amazonaws.com, as the Lambda Developer Guide writes it
 * ("the role's trust policy must specify the Lambda service principal (lambda.amazonaws.com) as a
 * trusted service", "Defining Lambda function permissions with an execution role"). No confused-deputy
 * condition: the guide documents none for the execution role (its aws:SourceArn "applies only to
 * policies where your Lambda function is the target resource"), and whether Lambda sends
 * aws:SourceAccount when it assumes the role is unverified. A condition Lambda does not meet would
 * leave the function without credentials: no data point, ever, and a trigger that can never fire.
 * Passing the role to a function needs iam:PassRole in this account (roles cannot be passed to another
 * account's function), which is the guard that remains.
 */
export function homeProbeTrustPolicy(): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ],
  };
}

/**
 * The function's permissions: write its own log group, publish its own namespace.
 * - No logs:CreateLogGroup: the group exists before the function (and keeps its retention).
 * - Log streams are `<group ARN>:*`: the provider's LogGroup `arn` has the API's trailing `:*`
 *   removed (aws.cloudwatch.LogGroup schema in @pulumi/aws).
 * - PutMetricData takes `Resource: "*"` with a `cloudwatch:namespace` condition: the form of
 *   "Using condition keys to limit access to CloudWatch namespaces" (CloudWatch User Guide). That the
 *   action supports no resource-level permissions at all (Service Authorization Reference): unverified.
 */
export function homeProbePolicy(logGroupArn: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "WriteOwnLogGroup",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${logGroupArn}:*`,
      },
      {
        Sid: "PublishProbeMetric",
        Effect: "Allow",
        Action: "cloudwatch:PutMetricData",
        Resource: "*",
        Condition: { StringEquals: { "cloudwatch:namespace": HOME_PROBE_NAMESPACE } },
      },
    ],
  };
}

/**
 * The function's environment: what to probe and where to publish (home_probe.py reads each), and the
 * settings of a run (probeSettingsEnvironment).
 */
export function homeProbeEnvironment(
  args: Pick<HomeProbeArgs, "homeAlbDnsName" | "domain" | "homeRegion">,
  layout: Pick<ReturnType<typeof homeProbeLayout>, "path" | "metricRegion" | "settings">,
): Record<string, pulumi.Input<string>> {
  return {
    HOME_ALB_DNS_NAME: args.homeAlbDnsName,
    APP_DOMAIN: args.domain,
    PROBE_PATH: layout.path,
    HOME_REGION: args.homeRegion,
    METRIC_NAMESPACE: HOME_PROBE_NAMESPACE,
    METRIC_REGION: layout.metricRegion,
    ...probeSettingsEnvironment(layout.settings),
  };
}

/**
 * The function's code, components/python/home_probe.py (tests next to it), read when this module loads
 * and shipped as `index.py` (handler `index.handler`). Python 3.12, standard library and boto3 (with
 * its botocore), which the Lambda Python runtimes include ("Building Lambda functions with Python",
 * Lambda Developer Guide). Environment: HOME_ALB_DNS_NAME, APP_DOMAIN, PROBE_PATH, HOME_REGION,
 * METRIC_NAMESPACE, METRIC_REGION and the settings of probeSettingsEnvironment; PROBE_PORT (default
 * 443) exists for the tests' local server. AWS_REGION is set by Lambda to the function's own region
 * ("Defined runtime environment variables", Lambda Developer Guide): the metric's ProbeRegion.
 */
export const HOME_PROBE_SOURCE_FILE = path.join(__dirname, "python", "home_probe.py");
export const HOME_PROBE_SOURCE = fs.readFileSync(HOME_PROBE_SOURCE_FILE, "utf8");

export interface HomeProbeOutputs {
  /** ARN of the `home-unhealthy` alarm (operators'; the trigger's witness alarms are components/failoverTrigger.ts). */
  homeUnhealthyAlarmArn: pulumi.Output<string>;
  /** Name of the `home-unhealthy` alarm. */
  homeUnhealthyAlarmName: pulumi.Output<string>;
  /** ARN of the `probe-silent` alarm: operators only, never a trigger. */
  probeSilentAlarmArn: pulumi.Output<string>;
  /** Name of the probe function. */
  functionName: pulumi.Output<string>;
  /** Namespace of the probe's metric. */
  metricNamespace: string;
  /** Name of the probe's metric. */
  metricName: string;
}

// Stryker disable all: the component's registration (resources and their wiring), run under mocks by
// tests/homeProbe.test.ts; the failover mutation run (stryker.failover.config.mjs) mutates the pure
// functions above, which hold its decisions.
export class HomeProbe extends Component<HomeProbeOutputs> {
  constructor(name: string, args: HomeProbeArgs, opts?: pulumi.ComponentResourceOptions) {
    validateHomeProbeArgs(name, args);
    super("multi-region-web:failover:HomeProbe", name, args, opts);

    const layout = homeProbeLayout(name, args);
    const { path, evaluationMinutes, functionName, settings, at, alarmsAt } = layout;
    const tags = { Name: name, ...args.tags };

    // Lambda logs to /aws/lambda/<function name>, which CloudWatch creates on the first invocation
    // ("Configuring CloudWatch log groups", Lambda Developer Guide) and keeps forever by default
    // ("Change log data retention in CloudWatch Logs"): created here first, with a retention.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        ...at,
        name: `/aws/lambda/${functionName}`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.logKmsKeyArn,
        tags,
      },
      { parent: this },
    );

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `Runs the probe of ${args.domain} in ${args.homeRegion} from ${args.region}`,
        assumeRolePolicy: JSON.stringify(homeProbeTrustPolicy()),
        tags,
      },
      { parent: this },
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      { role: role.id, policy: pulumi.jsonStringify(logGroup.arn.apply(homeProbePolicy)) },
      { parent: this },
    );

    const fn = new aws.lambda.Function(
      `${name}-function`,
      {
        ...at,
        name: functionName,
        description: `Probes https://${args.domain}${path} on the ${args.homeRegion} ALB every minute`,
        runtime: aws.lambda.Runtime.Python3d12,
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({ "index.py": new pulumi.asset.StringAsset(HOME_PROBE_SOURCE) }),
        role: role.arn,
        // Every run ends inside it (validateProbeBudget), so a hanging home still yields a 0 rather
        // than a timed-out run without a data point.
        timeout: settings.functionTimeoutSeconds,
        memorySize: 128,
        // No vpcConfig: a function outside a VPC runs in a Lambda-managed VPC with internet access
        // ("Enable internet access for VPC-connected Lambda functions", Lambda Developer Guide), so
        // the probe of a public endpoint does not depend on the standby VPC's NAT gateway.
        environment: { variables: homeProbeEnvironment(args, layout) },
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        tags,
      },
      // The first runs must find their permissions in place.
      { parent: this, dependsOn: [policy] },
    );

    // An EventBridge scheduled rule rather than EventBridge Scheduler: for one fixed one-minute
    // schedule it needs no role of its own, only this function's resource policy limited to the rule
    // (sourceArn). Scheduler is what AWS now recommends for new schedules (AWS SAM "Schedule" page);
    // its advantages (scale, time zones, one-time schedules) do not matter here.
    const rule = new aws.cloudwatch.EventRule(
      `${name}-schedule`,
      {
        ...at,
        description: `Runs the probe of ${args.domain} in ${args.homeRegion} every minute`,
        scheduleExpression: HOME_PROBE_SCHEDULE,
        tags,
      },
      { parent: this },
    );
    // "Using resource-based policies for Amazon EventBridge" (EventBridge User Guide): Lambda targets
    // are invoked through the function's resource policy for events.amazonaws.com.
    const permission = new aws.lambda.Permission(
      `${name}-invoke`,
      {
        ...at,
        action: "lambda:InvokeFunction",
        function: fn.name,
        principal: "events.amazonaws.com",
        sourceArn: rule.arn,
      },
      { parent: this },
    );
    new aws.cloudwatch.EventTarget(
      `${name}-target`,
      {
        ...at,
        rule: rule.name,
        arn: fn.arn,
        // EventBridge retries a failed delivery for up to 24 hours by default ("Event retry policy and
        // using dead-letter queues", EventBridge User Guide); a run delivered a minute late is
        // worthless, the next one is due. 60 s is the smallest age EventBridge accepts ("RetryPolicy",
        // EventBridge API Reference).
        retryPolicy: { maximumEventAgeInSeconds: 60, maximumRetryAttempts: 2 },
      },
      { parent: this, dependsOn: [permission] },
    );

    const actions = [args.alarmTopicArn];
    const alarms: Record<string, aws.cloudwatch.MetricAlarm> = {};
    for (const spec of homeProbeAlarmSpecs({
      domain: args.domain,
      homeRegion: args.homeRegion,
      probeRegion: args.region,
      evaluationMinutes,
    })) {
      alarms[spec.key] = new aws.cloudwatch.MetricAlarm(
        `${name}-${spec.key}`,
        { ...spec.args, ...alarmsAt, alarmActions: actions, okActions: actions, tags },
        { parent: this },
      );
    }

    this.publish({
      homeUnhealthyAlarmArn: alarms["home-unhealthy"].arn,
      homeUnhealthyAlarmName: alarms["home-unhealthy"].name,
      probeSilentAlarmArn: alarms["probe-silent"].arn,
      functionName: fn.name,
      metricNamespace: HOME_PROBE_NAMESPACE,
      metricName: HOME_PROBE_METRIC,
    });
  }
}
// Stryker restore all
