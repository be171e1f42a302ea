/**
 * The policy pack, offline: every policy passes a compliant and flags a violating hand-built
 * resource (or stack); pack config overrides take effect; the runner behaves like the engine
 * (unknowns, notApplicable, stackTags, options); the committed docs are up to date.
 *
 * Never imports policy/index.ts: constructing the PolicyPack would start its server.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { validateResourceOfType } from "@pulumi/policy";
import * as aws from "@pulumi/aws";
import { DOCS_FILE, renderPolicyTable } from "../policy/docs";
import { configSchema, levelDefaults, PackPolicy, policies } from "../policy/policies";
import { TYPES } from "../policy/rules/common";
import { MODERN_SSL_POLICIES } from "../policy/rules/loadBalancers";
import { allows, arnRegion, wildcardMatch } from "../policy/rules/failover";
import { executionPolicyDocument } from "../components/failoverPlanPolicy";
import { planWorkflows } from "../components/failoverWorkflows";
import { regionKeyPolicy } from "../components/regionKey";
import { FAILED_JOBS_PATTERN } from "../components/backups";
import { auroraLagAlarm } from "../components/alarms";
import { opsTopicPolicy } from "../components/notificationTopic";
import { PackConfig, reconcileConfig, runPolicies, RunnerResource, UNKNOWN } from "../policy/runner";
import { dep, res } from "./policyHelpers";

// ---------------------------------------------------------------------------------------------
// Hand-built resources.

const T = {
  ...TYPES,
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  topic: "aws:sns/topic:Topic",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  backupPlan: "aws:backup/plan:Plan",
  backupSelection: "aws:backup/selection:Selection",
  vaultNotifications: "aws:backup/vaultNotifications:VaultNotifications",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
};
const OPS_TOPIC = "arn:aws:sns:us-east-1:123456789012:ops-ops";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const publicAlb = (over: Record<string, unknown> = {}) =>
  res(
    T.loadBalancer,
    "frontend-alb",
    {
      loadBalancerType: "application",
      internal: false,
      accessLogs: { bucket: "alb-logs", enabled: true, prefix: "frontend" },
      dropInvalidHeaderFields: true,
      enableDeletionProtection: true,
      securityGroups: ["sg-public"],
      tags: { tier: "frontend" },
      ...over,
    },
    { out: { arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/frontend/1" } },
  );
const internalAlb = () =>
  res(
    T.loadBalancer,
    "backend-alb",
    { loadBalancerType: "application", internal: true, securityGroups: ["sg-internal"] },
    { out: { arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/backend/2" } },
  );
const listener = (name: string, lb: RunnerResource, inputs: Record<string, unknown>) =>
  res(T.listener, name, { loadBalancerArn: "arn", ...inputs }, dep("loadBalancerArn", lb));
const redirect80 = {
  protocol: "HTTP",
  port: 80,
  defaultActions: [
    { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
  ],
};
const https443 = {
  protocol: "HTTPS",
  port: 443,
  sslPolicy: MODERN_SSL_POLICIES[0],
  certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/1",
  defaultActions: [{ type: "forward", targetGroupArn: "arn" }],
};
const managedRule = (group: string, priority: number, override: object = { none: {} }) => ({
  name: group,
  priority,
  overrideAction: override,
  statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
  visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: group },
});
const rateRule = {
  name: "rate",
  priority: 0,
  action: { block: {} },
  statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: "IP" } },
  visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: "rate" },
};
const webAcl = (
  rules: object[] = [
    rateRule,
    ...["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"].map((g, i) =>
      managedRule(g, i + 1),
    ),
  ],
) =>
  res(
    T.webAcl,
    "web-acl",
    {
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      rules,
      visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: "acl" },
    },
    { out: { arn: "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/web/abc" } },
  );
const launchTemplate = (over: Record<string, unknown> = {}) =>
  res(T.launchTemplate, "frontend-lt", {
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3" } }],
    networkInterfaces: [
      { deviceIndex: 0, associatePublicIpAddress: "false", securityGroups: ["sg-frontend"] },
    ],
    monitoring: { enabled: true },
    iamInstanceProfile: { arn: "arn:aws:iam::123456789012:instance-profile/frontend" },
    ...over,
  });
const asg = (over: Record<string, unknown> = {}) =>
  res(T.asg, "frontend-asg", {
    healthCheckType: "ELB",
    launchTemplate: { id: "lt-1", version: "$Latest" },
    vpcZoneIdentifiers: ["subnet-a", "subnet-b"],
    minSize: 2,
    maxSize: 6,
    desiredCapacity: 2,
    ...over,
  });
const sg = (name: string, id: string, over: Record<string, unknown> = {}) =>
  res(
    T.securityGroup,
    name,
    { description: `${name} traffic`, vpcId: "vpc-1", ...over },
    {
      out: { arn: `arn:aws:ec2:us-east-1:123456789012:security-group/${id}` },
    },
  );
const ingress = (name: string, over: Record<string, unknown>, extra: Partial<RunnerResource> = {}) =>
  res(
    T.ingressRule,
    name,
    { securityGroupId: "sg-x", ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "https", ...over },
    extra,
  );
const cluster = (over: Record<string, unknown> = {}, extra: Partial<RunnerResource> = {}) =>
  res(
    T.cluster,
    "data-cluster",
    {
      engine: "aurora-postgresql",
      globalClusterIdentifier: "app-global",
      storageEncrypted: true,
      kmsKeyId: KEY,
      deletionProtection: true,
      skipFinalSnapshot: false,
      backupRetentionPeriod: 7,
      iamDatabaseAuthenticationEnabled: true,
      clusterIdentifier: "app-us-east-1",
      ...over,
    },
    { protect: true, ...extra },
  );
const instance = (name: string, over: Record<string, unknown> = {}) =>
  res(T.clusterInstance, name, {
    clusterIdentifier: "app-us-east-1",
    instanceClass: "db.r6g.large",
    publiclyAccessible: false,
    performanceInsightsEnabled: true,
    performanceInsightsKmsKeyId: KEY,
    ...over,
  });
const table = (over: Record<string, unknown> = {}) =>
  res(
    T.table,
    "data-table",
    {
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: KEY },
      deletionProtectionEnabled: true,
      streamEnabled: true,
      streamViewType: "NEW_AND_OLD_IMAGES",
      ...over,
    },
    { protect: true },
  );
const replica = (over: Record<string, unknown> = {}) =>
  res(
    T.tableReplica,
    "data-replica",
    {
      globalTableArn: "arn",
      kmsKeyArn: KEY,
      pointInTimeRecovery: true,
      deletionProtectionEnabled: true,
      ...over,
    },
    { protect: true },
  );
const bucket = () =>
  res(T.bucket, "alb-logs-bucket", {}, { out: { bucket: "alb-logs-abc", arn: "arn:aws:s3:::alb-logs-abc" } });
const tlsOnlyPolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: ["arn:aws:s3:::alb-logs-abc", "arn:aws:s3:::alb-logs-abc/*"],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ],
});
const healthCheck = (interval: number, threshold: number) =>
  res(
    T.healthCheck,
    "edge-health",
    { type: "HTTPS", requestInterval: interval, failureThreshold: threshold },
    {
      out: { arn: "arn:aws:route53:::healthcheck/hc-1" },
    },
  );
/** A regional stack's record: a health-checked latency alias to its ALB in home.<domain> or standby.<domain>. */
const regionRecord = (hc?: RunnerResource, over: Record<string, unknown> = {}, name = "edge-region") =>
  res(
    T.record,
    name,
    {
      zoneId: "Z1",
      name: "standby.app.example.com",
      type: "A",
      setIdentifier: "ca-central-1",
      latencyRoutingPolicies: [{ region: "ca-central-1" }],
      aliases: [
        { name: "alb-1.ca-central-1.elb.amazonaws.com", zoneId: "ZQSVJUPU6J1EY", evaluateTargetHealth: true },
      ],
      ...(hc ? { healthCheckId: "hc-1" } : {}),
      ...over,
    },
    hc ? dep("healthCheckId", hc) : {},
  );

/** The control stack's PRIMARY: the ARC check of the home, an alias to the serve pair (its health not evaluated). */
const controlPrimary = (over: Record<string, unknown> = {}, alias: Record<string, unknown> = {}) =>
  res(T.record, "routing-primary", {
    zoneId: "Z1",
    name: "app.example.com",
    type: "A",
    setIdentifier: "us-east-1",
    failoverRoutingPolicies: [{ type: "PRIMARY" }],
    healthCheckId: "arc-home-check",
    aliases: [{ name: "serve.app.example.com", zoneId: "Z1", evaluateTargetHealth: false, ...alias }],
    ...over,
  });
/** The control stack's SECONDARY: ARC's check of the standby, an alias to the standby set in the same zone, its health not evaluated. */
const controlSecondary = (over: Record<string, unknown> = {}, alias: Record<string, unknown> = {}) =>
  res(T.record, "routing-secondary", {
    zoneId: "Z1",
    name: "app.example.com",
    type: "A",
    setIdentifier: "standby",
    failoverRoutingPolicies: [{ type: "SECONDARY" }],
    healthCheckId: "arc-standby-check",
    aliases: [{ name: "standby.app.example.com", zoneId: "Z1", evaluateTargetHealth: false, ...alias }],
    ...over,
  });
/** The serve pair below the app domain's: the home's deep-checked record, else the standby set. */
const servePair = () => [
  res(T.record, "routing-serve-primary", {
    zoneId: "Z1",
    name: "serve.app.example.com",
    type: "A",
    setIdentifier: "us-east-1",
    failoverRoutingPolicies: [{ type: "PRIMARY" }],
    aliases: [{ name: "home.app.example.com", zoneId: "Z1", evaluateTargetHealth: true }],
  }),
  res(T.record, "routing-serve-secondary", {
    zoneId: "Z1",
    name: "serve.app.example.com",
    type: "A",
    setIdentifier: "standby",
    failoverRoutingPolicies: [{ type: "SECONDARY" }],
    aliases: [{ name: "standby.app.example.com", zoneId: "Z1", evaluateTargetHealth: true }],
  }),
];

const ARC = {
  home: {
    region: "us-east-1",
    frontendAsgArn:
      "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/frontend",
    backendAsgArn:
      "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:2:autoScalingGroupName/backend",
    clusterArn: "arn:aws:rds:us-east-1:123456789012:cluster:app-us-east-1",
    recordSetIdentifier: "us-east-1",
  },
  standby: {
    region: "ca-central-1",
    frontendAsgArn:
      "arn:aws:autoscaling:ca-central-1:123456789012:autoScalingGroup:3:autoScalingGroupName/frontend",
    backendAsgArn:
      "arn:aws:autoscaling:ca-central-1:123456789012:autoScalingGroup:4:autoScalingGroupName/backend",
    clusterArn: "arn:aws:rds:ca-central-1:123456789012:cluster:app-ca-central-1",
    recordSetIdentifier: "standby",
  },
  globalClusterIdentifier: "app-global",
  hostedZoneId: "Z1",
  domain: "app.example.com",
};
const ARC_ALARMS = [
  "arn:aws:cloudwatch:us-east-1:123456789012:alarm:app-health-us",
  "arn:aws:cloudwatch:ca-central-1:123456789012:alarm:app-health-ca",
];
const ROLE_ARN = "arn:aws:iam::123456789012:role/plan-execution";
const REPORTS = "plan-reports-bucket";

/** The execution role of a plan, trusting ARC. */
const executionRole = (service = "arc-region-switch.amazonaws.com") =>
  res(
    T.role,
    "plan-execution",
    {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
      }),
    },
    { out: { arn: ROLE_ARN, id: "plan-execution", name: "plan-execution" } },
  );
/** Its policy, as the component builds it, minus the statements named in `without`. */
const executionPolicy = (role: RunnerResource, without: string[] = [], triggerAlarmArns: string[] = []) => {
  const document = executionPolicyDocument({
    partition: "aws",
    accountId: "123456789012",
    planName: "app-ca-central-1",
    roleArn: ROLE_ARN,
    asgArns: [
      ARC.home.frontendAsgArn,
      ARC.home.backendAsgArn,
      ARC.standby.frontendAsgArn,
      ARC.standby.backendAsgArn,
    ],
    globalClusterIdentifier: ARC.globalClusterIdentifier,
    homeClusterArn: ARC.home.clusterArn,
    standbyClusterArn: ARC.standby.clusterArn,
    hostedZoneId: "Z1",
    appHealthAlarmArns: ARC_ALARMS,
    triggerAlarmArns,
    reportBucketArn: `arn:aws:s3:::${REPORTS}`,
  }) as { Statement: { Sid: string }[] };
  document.Statement = document.Statement.filter((st) => !without.includes(st.Sid));
  return res(
    T.rolePolicy,
    "plan-execution-policy",
    { role: "plan-execution", policy: JSON.stringify(document) },
    dep("role", role),
  );
};
/** An ARC Region switch plan built by the component's own workflow builder; `edit` changes its workflows. */
const arcPlan = (
  role: RunnerResource,
  over: Record<string, unknown> = {},
  edit: (w: Workflow[]) => void = () => {},
) => {
  const workflows = JSON.parse(JSON.stringify(planWorkflows(ARC))) as Workflow[];
  edit(workflows);
  return res(
    T.plan,
    "plan",
    {
      name: "app-ca-central-1",
      executionRole: ROLE_ARN,
      recoveryApproach: "activePassive",
      regions: ["us-east-1", "ca-central-1"],
      primaryRegion: "us-east-1",
      workflows,
      associatedAlarms: ARC_ALARMS.map((arn, i) => ({
        mapBlockKey: `a${i}`,
        alarmType: "applicationHealth",
        resourceIdentifier: arn,
      })),
      reportConfigurations: [
        {
          reportOutputs: [
            { s3Configurations: [{ bucketPath: `s3://${REPORTS}/app`, bucketOwner: "123456789012" }] },
          ],
        },
      ],
      ...over,
    },
    dep("executionRole", role),
  );
};
type Workflow = { workflowTargetRegion?: string; steps: Step[] };
type Step = {
  name: string;
  executionBlockType: string;
  parallelConfigs?: { steps: Step[] }[];
  globalAuroraConfigs?: { behavior: string; databaseClusterArns: string[]; ungracefuls?: unknown[] }[];
  ec2AsgCapacityIncreaseConfigs?: { asgs: { arn: string }[] }[];
  route53HealthCheckConfigs?: {
    recordName: string;
    hostedZoneId: string;
    recordSets: { region: string }[];
  }[];
};
const role = executionRole();
/** A complete control stack: the plan, its role and policy, the failover pair. */
const controlStack = (): RunnerResource[] => [
  role,
  executionPolicy(role),
  arcPlan(role),
  controlPrimary(),
  controlSecondary(),
];

// ---------------------------------------------------------------------------------------------
// One compliant and one violating case per policy.

interface Case {
  pass: RunnerResource[];
  fail: RunnerResource[];
  passTags?: Record<string, string>;
  failTags?: Record<string, string>;
}

const hcFast = healthCheck(10, 3);
const hcSlow = healthCheck(30, 3);
const pubAlb = publicAlb();
const intAlb = internalAlb();
const acl = webAcl();
const pubSg = sg("public-alb-sg", "sg-public");
const backendSg = sg("backend-sg", "sg-backend");
const flowVpc = res(T.awsxVpc, "network", { cidrBlock: "10.0.0.0/16" }, { out: { vpcId: "vpc-1" } });
const logs = bucket();
const companions = [
  res(
    T.bucketPublicAccessBlock,
    "pab",
    { bucket: "alb-logs-abc", blockPublicAcls: true },
    dep("bucket", logs),
  ),
  res(T.bucketEncryption, "sse", { bucket: "alb-logs-abc" }, dep("bucket", logs)),
  res(T.bucketPolicy, "policy", { bucket: "alb-logs-abc", policy: tlsOnlyPolicy }),
];

const CLUSTER_ARN = "arn:aws:rds:us-east-1:123456789012:cluster:app-us-east-1";
const backupPlan = res(
  T.backupPlan,
  "plan",
  {
    rules: [
      {
        ruleName: "daily",
        copyActions: [
          { destinationVaultArn: "arn:aws:backup:ca-central-1:123456789012:backup-vault:app-ca-central-1" },
        ],
      },
    ],
  },
  { out: { id: "plan-1", arn: "arn:aws:backup:us-east-1:123456789012:backup-plan:plan-1" } },
);

const cases: Record<string, Case> = {
  "alb-access-logs": {
    pass: [publicAlb()],
    fail: [publicAlb({ accessLogs: { bucket: "b", enabled: false } })],
  },
  "alb-drop-invalid-headers": { pass: [publicAlb()], fail: [publicAlb({ dropInvalidHeaderFields: false })] },
  "alb-deletion-protection": {
    pass: [publicAlb()],
    fail: [publicAlb({ enableDeletionProtection: undefined })],
  },
  "alb-internal-tier-not-internet-facing": {
    pass: [internalAlb(), publicAlb()],
    fail: [res(T.loadBalancer, "backend-alb", { internal: false })],
  },
  "alb-listener-http-redirects-to-https": {
    pass: [listener("http", pubAlb, redirect80)],
    fail: [listener("http", pubAlb, { protocol: "HTTP", port: 80, defaultActions: [{ type: "forward" }] })],
  },
  "alb-listener-modern-tls": {
    pass: [listener("https", pubAlb, https443)],
    fail: [listener("https", pubAlb, { ...https443, sslPolicy: "ELBSecurityPolicy-2016-08" })],
  },
  "alb-listeners-https-only": {
    pass: [
      pubAlb,
      intAlb,
      listener("https", pubAlb, https443),
      listener("http", pubAlb, redirect80),
      listener("app", intAlb, https443),
    ],
    fail: [
      pubAlb,
      listener("http", pubAlb, { protocol: "HTTP", port: 8080, defaultActions: [{ type: "forward" }] }),
    ],
  },
  "waf-managed-rule-groups": {
    pass: [webAcl()],
    fail: [webAcl([rateRule, managedRule("AWSManagedRulesCommonRuleSet", 1, { count: {} })])],
  },
  "waf-rate-based-rule": {
    pass: [webAcl()],
    fail: [webAcl([managedRule("AWSManagedRulesCommonRuleSet", 1)])],
  },
  "waf-metrics-and-sampling": {
    pass: [webAcl()],
    fail: [
      webAcl([
        {
          ...rateRule,
          visibilityConfig: {
            cloudwatchMetricsEnabled: false,
            sampledRequestsEnabled: true,
            metricName: "r",
          },
        },
      ]),
    ],
  },
  "waf-logging-redacts-credentials": {
    pass: [
      res(T.webAclLogging, "logging", {
        resourceArn: "arn",
        logDestinationConfigs: ["arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-x"],
        redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
      }),
    ],
    fail: [res(T.webAclLogging, "logging", { resourceArn: "arn", logDestinationConfigs: ["arn"] })],
  },
  "waf-associated-with-public-albs": {
    pass: [
      pubAlb,
      intAlb,
      res(T.webAclAssociation, "assoc", { resourceArn: pubAlb.outputs?.arn, webAclArn: "arn" }),
    ],
    fail: [
      pubAlb,
      intAlb,
      res(T.webAclAssociation, "assoc", { resourceArn: intAlb.outputs?.arn, webAclArn: "arn" }),
    ],
  },
  "waf-logging-enabled": {
    pass: [
      acl,
      res(
        T.webAclLogging,
        "logging",
        { resourceArn: "arn", logDestinationConfigs: ["arn"] },
        dep("resourceArn", acl),
      ),
    ],
    fail: [acl],
  },
  "launch-template-imdsv2": {
    pass: [launchTemplate()],
    fail: [launchTemplate({ metadataOptions: { httpEndpoint: "enabled", httpTokens: "optional" } })],
  },
  "launch-template-encrypted-volumes": {
    pass: [launchTemplate()],
    fail: [
      launchTemplate({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeType: "gp3" } }] }),
    ],
  },
  "launch-template-no-public-ip": {
    pass: [launchTemplate()],
    fail: [launchTemplate({ networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "true" }] })],
  },
  "launch-template-detailed-monitoring": {
    pass: [launchTemplate()],
    fail: [launchTemplate({ monitoring: undefined })],
  },
  "launch-template-instance-profile": {
    pass: [launchTemplate()],
    fail: [launchTemplate({ iamInstanceProfile: undefined })],
  },
  "asg-elb-health-check": { pass: [asg()], fail: [asg({ healthCheckType: "EC2" })] },
  "asg-launch-template": {
    pass: [asg()],
    fail: [asg({ launchTemplate: undefined, launchConfiguration: "lc-1" })],
  },
  "asg-multiple-subnets": { pass: [asg()], fail: [asg({ vpcZoneIdentifiers: ["subnet-a", "subnet-a"] })] },
  "security-group-described": {
    pass: [sg("app", "sg-1")],
    fail: [sg("app", "sg-1", { description: "Managed by Pulumi" })],
  },
  "security-group-ingress-rule-described": {
    pass: [ingress("r", {})],
    fail: [ingress("r", { description: undefined })],
  },
  "security-group-egress-rule-described": {
    pass: [
      res(T.egressRule, "e", {
        securityGroupId: "sg-1",
        ipProtocol: "-1",
        cidrIpv4: "0.0.0.0/0",
        description: "all out",
      }),
    ],
    fail: [res(T.egressRule, "e", { securityGroupId: "sg-1", ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" })],
  },
  "security-group-no-inline-rules": {
    pass: [sg("app", "sg-1")],
    fail: [
      sg("app", "sg-1", {
        ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/8"] }],
      }),
    ],
  },
  "security-group-rule-world-only-80-443": {
    pass: [
      ingress("https", { cidrIpv4: "0.0.0.0/0" }),
      ingress("ipv6", { cidrIpv6: "::/0", fromPort: 80, toPort: 80 }),
    ],
    fail: [ingress("app", { cidrIpv4: "0.0.0.0/0", fromPort: 8080, toPort: 8080 })],
  },
  "security-group-inline-world-only-80-443": {
    pass: [
      sg("app", "sg-1", {
        ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
      }),
    ],
    fail: [
      sg("app", "sg-1", { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }] }),
    ],
  },
  "security-group-no-ssh-rdp": {
    pass: [ingress("from-sg", { fromPort: 22, toPort: 22, referencedSecurityGroupId: "sg-bastion" })],
    fail: [ingress("ssh", { fromPort: 0, toPort: 1024, cidrIpv4: "10.0.0.0/8" })],
  },
  "security-group-inline-no-ssh-rdp": {
    pass: [
      sg("app", "sg-1", {
        ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, securityGroups: ["sg-bastion"] }],
      }),
    ],
    fail: [
      sg("app", "sg-1", {
        ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] }],
      }),
    ],
  },
  "flow-log-all-traffic": {
    pass: [res(T.flowLog, "flow", { vpcId: "vpc-1", trafficType: "ALL", logDestination: "arn" })],
    fail: [res(T.flowLog, "flow", { vpcId: "vpc-1", trafficType: "REJECT", logDestination: "arn" })],
  },
  "log-group-retention": {
    pass: [res(T.logGroup, "logs", { retentionInDays: 90 }), res(T.logGroup, "forever", {})],
    fail: [res(T.logGroup, "logs", { retentionInDays: 7 })],
  },
  "security-group-world-ingress-only-on-public-alb": {
    pass: [
      pubAlb,
      pubSg,
      backendSg,
      ingress("world", { cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-public" }),
    ],
    fail: [
      pubAlb,
      pubSg,
      backendSg,
      ingress("world", { cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-backend" }),
    ],
  },
  "vpc-flow-logs": {
    pass: [flowVpc, res(T.flowLog, "flow", { vpcId: "vpc-1", trafficType: "ALL" })],
    fail: [flowVpc, res(T.flowLog, "flow", { vpcId: "vpc-other", trafficType: "ALL" })],
  },
  "aurora-encrypted-with-cmk": { pass: [cluster()], fail: [cluster({ kmsKeyId: undefined })] },
  "aurora-deletion-protection": { pass: [cluster()], fail: [cluster({ deletionProtection: false })] },
  "aurora-backup-retention": { pass: [cluster()], fail: [cluster({ backupRetentionPeriod: 1 })] },
  "aurora-iam-authentication": {
    pass: [cluster()],
    fail: [cluster({ iamDatabaseAuthenticationEnabled: undefined })],
  },
  "aurora-instance-not-public": {
    pass: [instance("writer")],
    fail: [instance("writer", { publiclyAccessible: true })],
  },
  "aurora-performance-insights-cmk": {
    pass: [instance("writer")],
    fail: [instance("writer", { performanceInsightsKmsKeyId: undefined })],
  },
  "aurora-global-cluster-encrypted": {
    pass: [res(T.globalCluster, "global", { globalClusterIdentifier: "g", storageEncrypted: true })],
    fail: [res(T.globalCluster, "global", { globalClusterIdentifier: "g" })],
  },
  "dynamodb-table-pitr": { pass: [table()], fail: [table({ pointInTimeRecovery: { enabled: false } })] },
  "dynamodb-replica-pitr": { pass: [replica()], fail: [replica({ pointInTimeRecovery: false })] },
  "dynamodb-table-cmk": {
    pass: [table()],
    fail: [table({ serverSideEncryption: { enabled: true, kmsKeyArn: "alias/aws/dynamodb" } })],
  },
  "dynamodb-replica-cmk": { pass: [replica()], fail: [replica({ kmsKeyArn: undefined })] },
  "dynamodb-table-deletion-protection": {
    pass: [table()],
    fail: [table({ deletionProtectionEnabled: false })],
  },
  "dynamodb-replica-deletion-protection": {
    pass: [replica()],
    fail: [replica({ deletionProtectionEnabled: undefined })],
  },
  "kms-key-rotation": {
    pass: [res(T.kmsKey, "key", { enableKeyRotation: true })],
    fail: [res(T.kmsKey, "key", { enableKeyRotation: false })],
  },
  "sns-topic-encrypted": {
    pass: [res(T.topic, "topic", { kmsMasterKeyId: KEY })],
    fail: [res(T.topic, "topic", { kmsMasterKeyId: "alias/aws/sns" })],
  },
  "secret-cmk": {
    pass: [res(T.secret, "secret", { kmsKeyId: KEY, replicas: [{ region: "ca-central-1", kmsKeyId: KEY }] })],
    fail: [res(T.secret, "secret", { kmsKeyId: KEY, replicas: [{ region: "ca-central-1" }] })],
  },
  "secret-recovery-window": {
    pass: [res(T.secret, "secret", { kmsKeyId: KEY })],
    fail: [res(T.secret, "secret", { kmsKeyId: KEY, recoveryWindowInDays: 0 })],
  },
  "s3-public-access-block": {
    pass: [
      res(T.bucketPublicAccessBlock, "pab", {
        bucket: "b",
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      }),
    ],
    fail: [
      res(T.bucketPublicAccessBlock, "pab", { bucket: "b", blockPublicAcls: true, blockPublicPolicy: true }),
    ],
  },
  "s3-default-encryption": {
    pass: [
      res(T.bucketEncryption, "sse", {
        bucket: "b",
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      }),
    ],
    fail: [res(T.bucketEncryption, "sse", { bucket: "b", rules: [{ bucketKeyEnabled: true }] })],
  },
  "s3-tls-only-policy": {
    pass: [res(T.bucketPolicy, "policy", { bucket: "b", policy: tlsOnlyPolicy })],
    fail: [
      res(T.bucketPolicy, "policy", {
        bucket: "b",
        policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject" }] }),
      }),
    ],
  },
  "s3-bucket-owner-enforced": {
    pass: [res(T.ownership, "own", { bucket: "b", rule: { objectOwnership: "BucketOwnerEnforced" } })],
    fail: [res(T.ownership, "own", { bucket: "b", rule: { objectOwnership: "ObjectWriter" } })],
  },
  "s3-bucket-protected": { pass: [logs, ...companions], fail: [logs, companions[0]] },
  "dr-failover-records": {
    pass: [hcFast, regionRecord(hcFast)],
    // A regional stack holding the app domain's failover record.
    fail: [hcFast, regionRecord(hcFast), controlPrimary()],
  },
  "dr-failure-detection-budget": {
    pass: [hcFast, regionRecord(hcFast)],
    fail: [hcSlow, regionRecord(hcSlow)],
  },
  "regional-stack-one-region": {
    pass: [
      cluster({}, {
        out: { arn: "arn:aws:rds:us-east-1:123456789012:cluster:a" },
      } as Partial<RunnerResource>),
      res(T.kmsKey, "key", {}, { out: { arn: "arn:aws:kms:us-east-1:123456789012:key/1" } }),
    ],
    fail: [
      cluster({}, {
        out: { arn: "arn:aws:rds:us-east-1:123456789012:cluster:a" },
      } as Partial<RunnerResource>),
      res(T.kmsKey, "key", {}, { out: { arn: "arn:aws:kms:us-east-1:123456789012:key/1" } }),
      res(T.kmsKey, "elsewhere", { region: "ca-central-1" }),
    ],
  },
  "failover-plan-covers-pair": {
    pass: controlStack(),
    // The activate-standby workflow without its DNS step.
    fail: [
      role,
      executionPolicy(role),
      arcPlan(role, {}, (w) => w[0].steps.pop()),
      controlPrimary(),
      controlSecondary(),
    ],
  },
  "failover-plan-lossless-switchover": {
    pass: controlStack(),
    fail: [
      role,
      arcPlan(role, {}, (w) => {
        w[0].steps[0].parallelConfigs![0].steps[2].globalAuroraConfigs![0].behavior = "failover";
      }),
    ],
  },
  "failover-plan-role-permissions": {
    pass: controlStack(),
    fail: [role, executionPolicy(role, ["MoveTheWriter"]), arcPlan(role)],
  },
  "dr-global-data-membership": {
    pass: [res(T.globalCluster, "global", { globalClusterIdentifier: "app-global" }), cluster(), table()],
    fail: [cluster({ masterUsername: "app_admin" })],
  },
  "dr-standby-capacity": {
    pass: [asg({ minSize: 1, desiredCapacity: 1, maxSize: 6 })],
    passTags: { role: "passive" },
    // A standby (it replicates the table) that cannot grow to the active capacity.
    fail: [res(T.tableReplica, "replica", {}), asg({ minSize: 1, desiredCapacity: 1, maxSize: 1 })],
  },
  "dr-stateful-protected": {
    pass: [cluster(), table(), res(T.kmsKey, "key", {}, { protect: true })],
    fail: [cluster({}, { protect: false }), res(T.kmsKey, "key", {})],
  },
  "ops-replication-lag-alarm": {
    pass: [cluster(), res(T.metricAlarm, "aurora-lag", { ...auroraLagAlarm("app-us-east-1", 1000, "test") })],
    fail: [
      cluster(),
      // An alarm on another metric of the same cluster does not count.
      res(T.metricAlarm, "aurora-cpu", {
        namespace: "AWS/RDS",
        metricName: "CPUUtilization",
        dimensions: { DBClusterIdentifier: "app-us-east-1" },
      }),
    ],
  },
  "ops-backup-cross-region-copy": {
    pass: [
      res(T.globalCluster, "global", { globalClusterIdentifier: "app-global" }),
      cluster({}, { out: { arn: CLUSTER_ARN } } as Partial<RunnerResource>),
      backupPlan,
      res(T.backupSelection, "selection", { planId: "plan-1", resources: [CLUSTER_ARN] }),
    ],
    fail: [
      res(T.globalCluster, "global", { globalClusterIdentifier: "app-global" }),
      cluster({}, { out: { arn: CLUSTER_ARN } } as Partial<RunnerResource>),
      backupPlan,
      // The plan copies across regions, but nothing selects the cluster.
      res(T.backupSelection, "selection", { planId: "plan-1", resources: [] }),
    ],
  },
  "log-group-encrypted-with-cmk": {
    pass: [res(T.logGroup, "logs", { retentionInDays: 90, kmsKeyId: KEY })],
    fail: [res(T.logGroup, "logs", { retentionInDays: 90 })],
  },
  "log-group-key-allows-cloudwatch-logs": {
    pass: [
      res(
        T.kmsKey,
        "key",
        { policy: JSON.stringify(regionKeyPolicy("aws", "123456789012", "us-east-1")) },
        { out: { arn: KEY } },
      ),
      res(T.logGroup, "logs", { region: "us-east-1", kmsKeyId: KEY }),
    ],
    fail: [
      res(T.kmsKey, "key", { policy: JSON.stringify({ Statement: [] }) }, { out: { arn: KEY } }),
      res(T.logGroup, "logs", { region: "us-east-1", kmsKeyId: KEY }),
    ],
  },
  "backup-vault-notifications-supported-events": {
    pass: [
      res(T.vaultNotifications, "n", {
        backupVaultName: "v",
        snsTopicArn: "t",
        backupVaultEvents: ["COPY_JOB_FAILED"],
      }),
    ],
    fail: [
      res(T.vaultNotifications, "n", {
        backupVaultName: "v",
        snsTopicArn: "t",
        backupVaultEvents: ["BACKUP_JOB_FAILED"],
      }),
    ],
  },
  "ops-backup-failures-notified": {
    pass: [
      res(T.backupPlan, "plan", { rules: [] }),
      res(T.eventRule, "rule", { name: "r", eventPattern: JSON.stringify(FAILED_JOBS_PATTERN) }),
      res(T.eventTarget, "target", { rule: "r", arn: "arn:aws:sns:us-east-1:123456789012:ops" }),
    ],
    fail: [res(T.backupPlan, "plan", { rules: [] })],
  },
  "ops-topic-allows-service-publishers": {
    pass: [
      res(T.topic, "ops", {}, { out: { arn: OPS_TOPIC } }),
      res(T.topicPolicy, "ops-policy", {
        arn: OPS_TOPIC,
        policy: JSON.stringify(opsTopicPolicy("aws", "123456789012", "us-east-1", OPS_TOPIC, ["backup"])),
      }),
      res(T.vaultNotifications, "n", {
        backupVaultName: "v",
        snsTopicArn: OPS_TOPIC,
        backupVaultEvents: ["COPY_JOB_FAILED"],
      }),
    ],
    fail: [
      res(T.topic, "ops", {}, { out: { arn: OPS_TOPIC } }),
      res(T.vaultNotifications, "n", {
        backupVaultName: "v",
        snsTopicArn: OPS_TOPIC,
        backupVaultEvents: ["COPY_JOB_FAILED"],
      }),
    ],
  },
  "aurora-engine-version-drift-ignored": {
    pass: [
      res(T.globalCluster, "global", { globalClusterIdentifier: "g" }, { ignoreChanges: ["engineVersion"] }),
      cluster({}, { ignoreChanges: ["engineVersion", "globalClusterIdentifier"] } as Partial<RunnerResource>),
    ],
    fail: [
      res(T.globalCluster, "global", { globalClusterIdentifier: "g" }, { ignoreChanges: ["engineVersion"] }),
      cluster({}, { ignoreChanges: ["globalClusterIdentifier"] } as Partial<RunnerResource>),
    ],
  },
  "required-tags": {
    pass: [
      res(
        T.kmsKey,
        "key",
        {},
        { out: { tagsAll: { Project: "p", Stack: "s", Role: "r", Home: "h", Owner: "o", CostCentre: "c" } } },
      ),
    ],
    fail: [res(T.kmsKey, "key", {}, { out: { tagsAll: { Project: "p" } } })],
  },
  "dr-active-multi-az": {
    pass: [
      asg(),
      cluster(),
      instance("writer", { availabilityZone: "us-east-1a" }),
      instance("reader", { availabilityZone: "us-east-1b" }),
    ],
    passTags: { role: "active" },
    fail: [asg(), cluster(), instance("writer", { availabilityZone: "us-east-1a" })],
    failTags: { role: "active" },
  },
};

function find(name: string): PackPolicy {
  const policy = policies.find((p) => p.name === name);
  if (!policy) throw new Error(`no policy ${name}`);
  return policy;
}

describe("policy pack: every policy both ways", () => {
  it("has a case for every policy and no case for a missing one", () => {
    expect(Object.keys(cases).sort()).to.deep.equal(policies.map((p) => p.name).sort());
  });

  for (const policy of policies) {
    describe(policy.name, () => {
      const c = cases[policy.name];
      it("passes a compliant " + ("validateStack" in policy ? "stack" : "resource"), async () => {
        const result = await runPolicies([policy], c.pass, { stackTags: c.passTags });
        expect(result.violations, JSON.stringify(result.violations, null, 2)).to.deep.equal([]);
        // It really ran: not "not applicable" to everything it was given.
        const applicable = "validateStack" in policy ? 1 : c.pass.length;
        expect(result.notApplicable.length, JSON.stringify(result.notApplicable)).to.be.lessThan(applicable);
      });
      it("flags a violating one at its default level", async () => {
        const result = await runPolicies([policy], c.fail, { stackTags: c.failTags });
        expect(result.violations).to.not.be.empty;
        for (const v of result.violations) {
          expect(v.policyName).to.equal(policy.name);
          expect(v.level).to.equal(policy.enforcementLevel);
          expect(v.severity).to.equal(policy.severity);
          expect(v.message.startsWith(policy.description)).to.be.true;
        }
      });
    });
  }
});

describe("policy pack: shape", () => {
  it("has at least 30 typed resource policies and the DR stack policies, with all metadata", () => {
    const resourcePolicies = policies.filter((p) => "validateResource" in p);
    expect(resourcePolicies.length).to.be.at.least(30);
    for (const p of resourcePolicies) {
      // validateResourceOfType tags the function with the resource type.
      expect(
        (p as { validateResource: { __pulumiType?: string } }).validateResource.__pulumiType,
        p.name,
      ).to.be.a("string");
    }
    for (const p of policies) {
      expect(p.name, "reserved").to.not.equal("all");
      for (const field of [
        "description",
        "enforcementLevel",
        "severity",
        "remediationSteps",
        "rationale",
      ] as const) {
        expect(p[field], `${p.name}.${field}`).to.be.a("string").and.not.empty;
      }
    }
    expect(new Set(policies.map((p) => p.name)).size).to.equal(policies.length);
    expect(policies.filter((p) => p.name.startsWith("dr-")).length).to.be.at.least(6);
  });

  it("makes data and network exposure mandatory and the rest advisory by default", () => {
    for (const name of [
      "aurora-encrypted-with-cmk",
      "aurora-instance-not-public",
      "security-group-rule-world-only-80-443",
      "launch-template-imdsv2",
      "s3-public-access-block",
      "dynamodb-table-cmk",
    ]) {
      expect(levelDefaults[name], name).to.equal("mandatory");
    }
    for (const name of [
      "alb-access-logs",
      "kms-key-rotation",
      "dr-standby-capacity",
      "asg-elb-health-check",
    ]) {
      expect(levelDefaults[name], name).to.equal("advisory");
    }
  });

  it("exposes each configurable policy's schema with defaults", () => {
    expect(configSchema["dr-failure-detection-budget"].properties.maxDetectionSeconds.default).to.equal(30);
    expect(configSchema["dr-standby-capacity"].properties.activeCapacity.default).to.equal(2);
    for (const schema of Object.values(configSchema)) {
      expect(schema.properties).to.not.have.property("enforcementLevel");
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe("policy pack: config overrides", () => {
  const mustRedirect = [
    listener("http", pubAlb, { protocol: "HTTP", port: 80, defaultActions: [{ type: "forward" }] }),
  ];

  it("a per-policy level override changes the reported level", async () => {
    const result = await runPolicies(policies, [publicAlb({ enableDeletionProtection: false })], {
      config: { "alb-deletion-protection": "mandatory" },
    });
    const v = result.violations.filter((x) => x.policyName === "alb-deletion-protection");
    expect(v.map((x) => x.level)).to.deep.equal(["mandatory"]);
  });

  it('"disabled" skips a policy, and "all" sets every level before per-policy entries', async () => {
    const disabled = await runPolicies(policies, mustRedirect, {
      config: { "alb-listener-http-redirects-to-https": "disabled" },
    });
    expect(disabled.violations.map((v) => v.policyName)).to.not.include(
      "alb-listener-http-redirects-to-https",
    );

    const all = await runPolicies(
      policies,
      [...mustRedirect, publicAlb({ enableDeletionProtection: false })],
      {
        config: { all: "advisory", "alb-deletion-protection": { enforcementLevel: "mandatory" } },
      },
    );
    const levels = Object.fromEntries(all.violations.map((v) => [v.policyName, v.level]));
    expect(levels["alb-listener-http-redirects-to-https"]).to.equal("advisory");
    expect(levels["alb-deletion-protection"]).to.equal("mandatory");

    const off = await runPolicies(policies, mustRedirect, { config: { all: "disabled" } });
    expect(off.violations).to.deep.equal([]);
  });

  it('"remediate" reports violations as mandatory, as the engine does', async () => {
    const result = await runPolicies([find("alb-access-logs")], [publicAlb({ accessLogs: undefined })], {
      config: { "alb-access-logs": "remediate" },
    });
    expect(result.violations.map((v) => v.level)).to.deep.equal(["mandatory"]);
  });

  it("a budget override takes effect, merged over the other defaults", async () => {
    const slow = [hcSlow, regionRecord(hcSlow)];
    const byDefault = await runPolicies([find("dr-failure-detection-budget")], slow);
    expect(byDefault.violations).to.have.length(1);
    expect(byDefault.violations[0].message).to.include("30 s × 3 = 90 s; the budget is 30 s");
    const relaxed = await runPolicies([find("dr-failure-detection-budget")], slow, {
      config: { "dr-failure-detection-budget": { maxDetectionSeconds: 90 } },
    });
    expect(relaxed.violations).to.deep.equal([]);
    expect(relaxed.config["dr-failure-detection-budget"]).to.deep.equal({
      enforcementLevel: "advisory",
      properties: { maxDetectionSeconds: 90 },
    });
  });

  it("a capacity override applies to the standby", async () => {
    const standby = [asg({ minSize: 1, desiredCapacity: 1, maxSize: 6 })];
    const tags = { role: "passive" };
    expect((await runPolicies([find("dr-standby-capacity")], standby, { stackTags: tags })).violations).to.be
      .empty;
    const bigger = await runPolicies([find("dr-standby-capacity")], standby, {
      stackTags: tags,
      config: { "dr-standby-capacity": { activeCapacity: 8 } },
    });
    expect(bigger.violations).to.have.length(1);
  });

  it("rejects config that does not match the schema or a level that does not exist", () => {
    expect(() =>
      reconcileConfig(policies, { "dr-failure-detection-budget": { maxDetectionSeconds: "soon" } }),
    ).to.throw(/dr-failure-detection-budget: maxDetectionSeconds: must be integer/);
    expect(() => reconcileConfig(policies, { "dr-standby-capacity": { activeCapacity: 0 } })).to.throw(
      />= 1/,
    );
    expect(() =>
      reconcileConfig(policies, { "alb-access-logs": "strict" } as unknown as PackConfig),
    ).to.throw(/not a valid enforcement level/);
  });

  it("the sample config names only real policies and is valid", () => {
    const sample = JSON.parse(
      fs.readFileSync(path.join(__dirname, "..", "policy", "config.sample.json"), "utf8"),
    ) as PackConfig;
    for (const key of Object.keys(sample))
      expect(["all", ...policies.map((p) => p.name)], key).to.include(key);
    const reconciled = reconcileConfig(policies, sample);
    expect(reconciled["dr-failure-detection-budget"].properties.maxDetectionSeconds).to.equal(60);
    expect(reconciled["launch-template-detailed-monitoring"].enforcementLevel).to.equal("disabled");
  });
});

// ---------------------------------------------------------------------------------------------

describe("policy pack: the runner mirrors the engine", () => {
  it("turns an unknown value read during preview into an advisory 'can't run' diagnostic", async () => {
    const lt = launchTemplate({ metadataOptions: { httpTokens: UNKNOWN.string } });
    const result = await runPolicies([find("launch-template-imdsv2")], [lt]);
    expect(result.violations).to.have.length(1);
    expect(result.violations[0].level).to.equal("advisory");
    const pack = JSON.parse(
      fs.readFileSync(path.join(__dirname, "..", "policy", "package.json"), "utf8"),
    ) as {
      version: string;
    };
    expect(result.violations[0].message).to.equal(
      `can't run policy 'launch-template-imdsv2' from policy pack 'multi-region-web@v${pack.version}' during preview: string value at .metadataOptions.httpTokens can't be known during preview`,
    );
  });

  it("calls @pulumi/policy internals that still have the shape the runner was written against (re-check on upgrade)", () => {
    // Not public API (their typings are empty): a new @pulumi/policy may change them.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const server = require("@pulumi/policy/server") as Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const protoutil = require("@pulumi/policy/protoutil") as Record<string, unknown>;
    // (packName, version, enforcementLevel, policies), as policy/runner.ts calls them.
    expect(server.makeAnalyzeRpcFun).to.be.a("function").with.property("length", 4);
    expect(server.makeAnalyzeStackRpcFun).to.be.a("function").with.property("length", 4);
    expect(protoutil.convertEnforcementLevel).to.be.a("function").with.property("length", 1);
  });

  it("treats an unknown key reference as a key of the program (never an AWS managed alias)", async () => {
    const topic = res(T.topic, "topic", { kmsMasterKeyId: UNKNOWN.string });
    expect((await runPolicies([find("sns-topic-encrypted")], [topic])).violations).to.deep.equal([]);
  });

  it("follows references during preview through property dependencies when the ids are unknown", async () => {
    const association = res(
      T.webAclAssociation,
      "assoc",
      { resourceArn: UNKNOWN.string, webAclArn: UNKNOWN.string },
      dep("resourceArn", pubAlb),
    );
    const result = await runPolicies([find("waf-associated-with-public-albs")], [pubAlb, association]);
    expect(result.violations).to.deep.equal([]);
    const unlinked = { ...association, propertyDependencies: {} };
    expect(
      (await runPolicies([find("waf-associated-with-public-albs")], [pubAlb, unlinked])).violations,
    ).to.have.length(1);
  });

  it("records notApplicable with its reason, for other types and from inside a policy", async () => {
    const result = await runPolicies(
      [find("aurora-performance-insights-cmk")],
      [instance("writer", { performanceInsightsEnabled: false }), publicAlb()],
    );
    expect(result.violations).to.deep.equal([]);
    expect(result.notApplicable).to.deep.equal([
      {
        policyName: "aurora-performance-insights-cmk",
        reason: "Performance Insights is off",
        urn: instance("writer").urn,
      },
      {
        policyName: "aurora-performance-insights-cmk",
        reason: "Policy only applies to resources of type 'aws:rds/clusterInstance:ClusterInstance'",
        urn: publicAlb().urn,
      },
    ]);
  });

  it("builds ResourceValidationArgs like the engine: proxied props, options, provider, stackTags, config", async () => {
    const provider = res("pulumi:providers:aws", "ca-central-1", { region: "ca-central-1" });
    const secretValue = {
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      value: "s3cr3t",
    };
    const key = res(
      T.kmsKey,
      "key",
      { description: secretValue, policy: undefined, tags: { tier: UNKNOWN.string } },
      {
        protect: true,
        parent: "urn:parent",
        provider: `${provider.urn}::provider-id`,
        ignoreChanges: ["policy"],
      },
    );
    const seen: Record<string, unknown> = {};
    const probe: PackPolicy = {
      name: "probe",
      description: "probe",
      rationale: "test",
      enforcementLevel: "advisory",
      configSchema: {
        properties: { a: { type: "integer", default: 1 }, b: { type: "string", default: "x" } },
      },
      validateResource: validateResourceOfType(aws.kms.Key, (props, args) => {
        seen.description = props.description;
        seen.hasPolicy = "policy" in props;
        seen.opts = args.opts;
        seen.provider = {
          type: args.provider?.type,
          name: args.provider?.name,
          region: args.provider?.props.region as unknown,
        };
        seen.role = args.stackTags.get("role");
        seen.config = args.getConfig();
        seen.isType = args.isType(aws.kms.Key) && !args.isType(aws.sns.Topic);
        expect(() => props.tags?.tier).to.throw(/can't be known during preview/);
      }),
    };
    const result = await runPolicies([probe], [provider, key], {
      stackTags: new Map([["role", "passive"]]),
      config: { probe: { b: "y" } },
    });
    expect(result.violations).to.deep.equal([]);
    expect(seen).to.deep.equal({
      description: "s3cr3t",
      hasPolicy: false,
      opts: {
        protect: true,
        ignoreChanges: ["policy"],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        parent: "urn:parent",
      },
      provider: { type: "pulumi:providers:aws", name: "ca-central-1", region: "ca-central-1" },
      role: "passive",
      config: { a: 1, b: "y" },
      isType: true,
    });
  });

  it("links stack resources (parent, dependencies, property dependencies) and passes stackTags", async () => {
    const parent = res("multi-region-web:edge:EdgeDns", "edge", {});
    const child = res(
      T.healthCheck,
      "edge-health",
      { type: "HTTPS" },
      { parent: parent.urn, dependencies: [parent.urn], propertyDependencies: { fqdn: [parent.urn] } },
    );
    let checked = false;
    const probe: PackPolicy = {
      name: "stack-probe",
      description: "probe",
      rationale: "test",
      enforcementLevel: "advisory",
      validateStack: (args) => {
        const hc = args.resources.find((r) => r.urn === child.urn);
        expect(hc?.parent?.urn).to.equal(parent.urn);
        expect(hc?.dependencies.map((d) => d.urn)).to.deep.equal([parent.urn]);
        expect(hc?.propertyDependencies.fqdn.map((d) => d.urn)).to.deep.equal([parent.urn]);
        expect(args.stackTags.get("role")).to.equal("active");
        checked = true;
      },
    };
    await runPolicies([probe], [parent, child], { stackTags: { role: "active" } });
    expect(checked).to.be.true;
  });

  it("knows the role from the stack tag first, else from the data tier: the home active, a standby passive", async () => {
    const standby = [res(T.tableReplica, "replica", {}), asg({ maxSize: 1 })];
    // No tag: the table replica makes it a standby, so its capacity is checked.
    expect((await runPolicies([find("dr-standby-capacity")], standby)).violations).to.have.length(1);
    // Tag says active: capacity does not apply.
    const tagged = await runPolicies([find("dr-standby-capacity")], standby, {
      stackTags: { role: "active" },
    });
    expect(tagged.violations).to.deep.equal([]);
    expect(tagged.notApplicable.map((n) => n.reason)).to.include("Role is active, not passive");
    // The home (it owns the global cluster) is active without a tag.
    const home = [res(T.globalCluster, "global", {}), asg({ maxSize: 1 })];
    const homeResult = await runPolicies([find("dr-standby-capacity")], home);
    expect(homeResult.notApplicable.map((n) => n.reason)).to.include("Role is active, not passive");
  });
});

describe("dr-failover-records: regional records and the control stack's failover pair", () => {
  const check = async (resources: RunnerResource[]) => {
    const result = await runPolicies([find("dr-failover-records")], resources);
    return result.violations.map((v) =>
      v.message.slice(find("dr-failover-records").description.length).trim(),
    );
  };
  const plan = arcPlan(role);

  const passing: [string, RunnerResource[]][] = [
    ["a regional stack with its deep-checked latency record", [hcFast, regionRecord(hcFast)]],
    ["the home's record, home.<domain>", [hcFast, regionRecord(hcFast, { name: "home.app.example.com" })]],
    ["the control stack's pair", [plan, controlPrimary(), controlSecondary()]],
    [
      "the control stack's pair over the serve pair",
      [plan, controlPrimary(), controlSecondary(), ...servePair()],
    ],
    [
      "the control stack's pair, a pin pair carrying a second plan's checks, and the serve pair",
      [
        plan,
        controlPrimary({}, { name: "pin-eu-west-1.app.example.com" }),
        controlSecondary(),
        {
          ...controlPrimary({ name: "pin-eu-west-1.app.example.com" }),
          urn: "urn:pin:1",
          name: "routing-pin-primary",
        },
        {
          ...controlSecondary({ name: "pin-eu-west-1.app.example.com" }),
          urn: "urn:pin:2",
          name: "routing-pin-secondary",
        },
        ...servePair(),
      ],
    ],
    [
      "the pair's name written with a trailing dot and in capitals",
      [plan, controlPrimary({ name: "App.Example.com." }), controlSecondary()],
    ],
  ];
  for (const [what, resources] of passing) {
    it(`passes ${what}`, async () => {
      expect(await check(resources)).to.deep.equal([]);
    });
  }

  const failing: [string, RunnerResource[], RegExp][] = [
    [
      "a latency record without a health check",
      [regionRecord()],
      /Latency record edge-region has no health check/,
    ],
    [
      "a latency record without a setIdentifier",
      [hcFast, regionRecord(hcFast)].map((r) => {
        if (r.type === T.record) {
          delete r.inputs.setIdentifier;
          delete (r.outputs as Record<string, unknown>).setIdentifier;
        }
        return r;
      }),
      /Latency record edge-region has no setIdentifier/,
    ],
    [
      "a latency record that does not evaluate its ALB's health",
      [
        hcFast,
        regionRecord(hcFast, { aliases: [{ name: "alb", zoneId: "Z", evaluateTargetHealth: false }] }),
      ],
      /does not evaluate its alias target's health/,
    ],
    [
      "a failover record in a regional stack",
      [hcFast, regionRecord(hcFast), controlSecondary()],
      /belongs to the failover control stack/,
    ],
    [
      "a control stack with no PRIMARY",
      [plan, controlSecondary()],
      /named app\.example\.com are 0 PRIMARY and 1 SECONDARY; a pair is exactly one of each/,
    ],
    [
      "a control stack with two SECONDARY",
      [
        plan,
        controlPrimary(),
        controlSecondary(),
        { ...controlSecondary(), urn: "urn:x::2", name: "second" },
      ],
      /named app\.example\.com are 1 PRIMARY and 2 SECONDARY/,
    ],
    [
      "a PRIMARY without the plan's health check",
      [plan, controlPrimary({ healthCheckId: undefined }), controlSecondary()].map((r) => {
        if (r.name === "routing-primary") {
          delete r.inputs.healthCheckId;
          delete (r.outputs as Record<string, unknown>).healthCheckId;
        }
        return r;
      }),
      /PRIMARY record routing-primary has no health check/,
    ],
    [
      "a SECONDARY that is not an alias",
      [plan, controlPrimary(), controlSecondary({ aliases: undefined, records: ["192.0.2.1"] })].map((r) => {
        if (r.name === "routing-secondary") {
          delete r.inputs.aliases;
          delete (r.outputs as Record<string, unknown>).aliases;
        }
        return r;
      }),
      /is not an alias to the standby set/,
    ],
    [
      "a SECONDARY that evaluates the standby set's health (issue 18: the deactivated home would answer)",
      [plan, controlPrimary(), controlSecondary({}, { evaluateTargetHealth: true })],
      /SECONDARY record routing-secondary evaluates its target's health: when every standby fails after a plan has activated one, Route 53 would answer the PRIMARY, the deactivated home/,
    ],
    [
      "a SECONDARY aliasing another zone",
      [plan, controlPrimary(), controlSecondary({}, { zoneId: "ZOTHER" })],
      /aliases a name in zone ZOTHER, not its own zone Z1/,
    ],
    [
      "a PRIMARY and a SECONDARY of different names",
      [plan, controlPrimary(), controlSecondary({ name: "www.example.com" })],
      /no single pair that no record aliases/,
    ],
    [
      "a pin pair that no record aliases (a second app domain pair)",
      [
        plan,
        controlPrimary(),
        controlSecondary(),
        {
          ...controlPrimary({ name: "pin-eu-west-1.app.example.com" }),
          urn: "urn:pin:1",
          name: "routing-pin-primary",
        },
        {
          ...controlSecondary({ name: "pin-eu-west-1.app.example.com" }),
          urn: "urn:pin:2",
          name: "routing-pin-secondary",
        },
      ],
      /\(app\.example\.com, pin-eu-west-1\.app\.example\.com\) have no single pair that no record aliases/,
    ],
  ];
  for (const [what, resources, message] of failing) {
    it(`flags ${what}`, async () => {
      const messages = await check(resources);
      expect(
        messages.some((m) => message.test(m)),
        messages.join("\n"),
      ).to.equal(true);
    });
  }

  it("is not applicable to a stack without failover or latency records", async () => {
    const result = await runPolicies([find("dr-failover-records")], [hcFast]);
    expect(result.notApplicable.map((n) => n.reason)).to.include("No failover or latency record");
  });

  it("counts the region record's health check in the detection budget", async () => {
    const result = await runPolicies([find("dr-failure-detection-budget")], [hcSlow, regionRecord(hcSlow)]);
    expect(result.violations).to.have.length(1);
    expect(result.violations[0].message).to.include("30 s × 3 = 90 s");
  });
});

describe("failover policies: the plan, its role, one region per regional stack", () => {
  const messages = async (name: string, resources: RunnerResource[], config?: PackConfig) =>
    (await runPolicies([find(name)], resources, { config })).violations.map((v) => v.message);
  const withParallel = (w: Workflow[], edit: (steps: Step[]) => void) =>
    edit(w[0].steps[0].parallelConfigs![0].steps);

  it("arnRegion, wildcardMatch and allows read ARNs and IAM documents as IAM does", () => {
    expect(arnRegion("arn:aws:rds:ca-central-1:123456789012:cluster:x")).to.equal("ca-central-1");
    expect(arnRegion("arn:aws:iam::123456789012:role/x")).to.equal(undefined);
    expect(arnRegion("not-an-arn")).to.equal(undefined);
    expect(wildcardMatch("arn:aws:s3:::b/*", "arn:aws:s3:::b/report")).to.equal(true);
    expect(wildcardMatch("arn:aws:s3:::b/*", "arn:aws:s3:::bb/report")).to.equal(false);
    expect(wildcardMatch("a?c", "abc")).to.equal(true);
    const doc = {
      Statement: [{ Effect: "Allow", Action: ["rds:Switchover*"], Resource: "arn:aws:rds:*:*:cluster:x" }],
    };
    expect(allows(doc, "rds:SwitchoverGlobalCluster", "arn:aws:rds:us-east-1:1:cluster:x")).to.equal(true);
    expect(allows(doc, "RDS:switchoverglobalcluster", "arn:aws:rds:us-east-1:1:cluster:x")).to.equal(true);
    expect(allows(doc, "rds:FailoverGlobalCluster", "arn:aws:rds:us-east-1:1:cluster:x")).to.equal(false);
    expect(
      allows({ Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] }, "s3:PutObject", "x"),
    ).to.equal(false);
  });

  describe("regional-stack-one-region", () => {
    it("flags each resource outside the stack's region, by its region attribute or its ARN", async () => {
      const found = await messages("regional-stack-one-region", [
        res(T.kmsKey, "a", {}, { out: { arn: "arn:aws:kms:ca-central-1:1:key/a" } }),
        res(T.kmsKey, "b", {}, { out: { arn: "arn:aws:kms:ca-central-1:1:key/b" } }),
        res(T.kmsKey, "c", {}, { out: { arn: "arn:aws:kms:us-east-1:1:key/c" } }),
        res(T.topic, "d", { region: "us-east-1" }),
      ]);
      expect(found).to.have.length(2);
      expect(found.join("\n")).to.contain(
        "aws:kms/key:Key c is in us-east-1; the stack's resources are in ca-central-1",
      );
      expect(found.join("\n")).to.contain("aws:sns/topic:Topic d is in us-east-1");
    });
    it("ignores global resources (no region in their ARN) and is not applicable to the control stack", async () => {
      expect(
        await messages("regional-stack-one-region", [
          res(T.kmsKey, "a", {}, { out: { arn: "arn:aws:kms:ca-central-1:1:key/a" } }),
          res(T.role, "r", {}, { out: { arn: "arn:aws:iam::1:role/r" } }),
          res(T.healthCheck, "h", {}, { out: { arn: "arn:aws:route53:::healthcheck/h" } }),
        ]),
      ).to.deep.equal([]);
      const control = await runPolicies(
        [find("regional-stack-one-region")],
        [
          arcPlan(role),
          res(T.kmsKey, "a", { region: "ca-central-1" }),
          res(T.kmsKey, "b", { region: "us-east-1" }),
        ],
      );
      expect(control.violations).to.deep.equal([]);
      expect(control.notApplicable.map((n) => n.reason)).to.include(
        "The failover control stack spans the regions of its plans",
      );
    });
  });

  describe("failover-plan-covers-pair", () => {
    const failing: [string, RunnerResource[], RegExp][] = [
      [
        "a plan over one region",
        [role, arcPlan(role, { regions: ["us-east-1"] })],
        /covers regions \[us-east-1\]; a plan covers two regions/,
      ],
      [
        "an active/active plan",
        [role, arcPlan(role, { recoveryApproach: "activeActive" })],
        /is activeActive, not activePassive/,
      ],
      [
        "no failback workflow",
        [role, arcPlan(role, {}, (w) => w.pop())],
        /has 0 activate workflow\(s\) for us-east-1/,
      ],
      [
        "one tier not scaled",
        [role, arcPlan(role, {}, (w) => withParallel(w, (steps) => steps.shift()))],
        /scales 1 Auto Scaling group pair\(s\); 2 tiers need scaling/,
      ],
      [
        "a capacity step with both groups in one region",
        [
          role,
          arcPlan(role, {}, (w) =>
            withParallel(
              w,
              (steps) =>
                (steps[0].ec2AsgCapacityIncreaseConfigs![0].asgs = [
                  { arn: ARC.home.frontendAsgArn },
                  { arn: ARC.home.backendAsgArn },
                ]),
            ),
          ),
        ],
        /step scale-frontend does not name one Auto Scaling group in each of us-east-1 and ca-central-1/,
      ],
      [
        "no Aurora step",
        [role, arcPlan(role, {}, (w) => withParallel(w, (steps) => steps.pop()))],
        /does not move the Aurora writer/,
      ],
      [
        "an Aurora step missing the standby's cluster",
        [
          role,
          arcPlan(role, {}, (w) =>
            withParallel(
              w,
              (steps) => (steps[2].globalAuroraConfigs![0].databaseClusterArns = [ARC.home.clusterArn]),
            ),
          ),
        ],
        /step move-aurora-writer does not name the Aurora cluster of each/,
      ],
      [
        "no DNS step",
        [role, arcPlan(role, {}, (w) => w[1].steps.pop())],
        /workflow activate us-east-1 does not move traffic/,
      ],
      [
        "a DNS step on another record",
        [
          role,
          arcPlan(
            role,
            {},
            (w) => (w[0].steps[1].route53HealthCheckConfigs![0].recordName = "www.example.com"),
          ),
          controlPrimary(),
          controlSecondary(),
        ],
        /flips www\.example\.com, not the app's failover records app\.example\.com/,
      ],
      [
        "a DNS step that maps no record set to the standby",
        [
          role,
          arcPlan(
            role,
            {},
            (w) => (w[0].steps[1].route53HealthCheckConfigs![0].recordSets = [{ region: "us-east-1" }]),
          ),
        ],
        /maps no record set to ca-central-1/,
      ],
    ];
    for (const [what, resources, message] of failing) {
      it(`flags ${what}`, async () => {
        const found = await messages("failover-plan-covers-pair", resources);
        expect(
          found.some((m) => message.test(m)),
          found.join("\n"),
        ).to.equal(true);
      });
    }
    it("takes the number of tiers to scale from its config", async () => {
      const one = [role, arcPlan(role, {}, (w) => withParallel(w, (steps) => steps.shift()))];
      expect(
        await messages("failover-plan-covers-pair", one, {
          "failover-plan-covers-pair": { minCapacitySteps: 1 },
        }),
      ).to.deep.equal([]);
    });
  });

  describe("failover-plan-lossless-switchover", () => {
    it("flags a plan with no ungraceful failover, which could not move the writer out of a dead region", async () => {
      const found = await messages("failover-plan-lossless-switchover", [
        role,
        arcPlan(role, {}, (w) =>
          withParallel(w, (steps) => delete steps[2].globalAuroraConfigs![0].ungracefuls),
        ),
      ]);
      expect(found.join("\n")).to.contain("no ungraceful failover");
    });
  });

  describe("failover-plan-role-permissions", () => {
    const cases: [string, string, RegExp][] = [
      [
        "ScaleTheseGroups",
        "autoscaling",
        /may not autoscaling:UpdateAutoScalingGroup on arn:aws:autoscaling:us-east-1/,
      ],
      [
        "MoveTheWriter",
        "rds",
        /may not rds:SwitchoverGlobalCluster on arn:aws:rds:us-east-1:123456789012:cluster:app-us-east-1/,
      ],
      [
        "FindTheRecords",
        "route53",
        /may not route53:ListResourceRecordSets on arn:aws:route53:::hostedzone\/Z1/,
      ],
      ["ReadAlarms", "cloudwatch", /may not cloudwatch:DescribeAlarms on arn:aws:cloudwatch:us-east-1/],
      ["WriteReports", "s3", /may not s3:PutObject on arn:aws:s3:::plan-reports-bucket\/report/],
    ];
    for (const [sid, what, message] of cases) {
      it(`flags a role without its ${what} statement (${sid})`, async () => {
        const found = await messages("failover-plan-role-permissions", [
          role,
          executionPolicy(role, [sid]),
          arcPlan(role),
        ]);
        expect(
          found.some((m) => message.test(m)),
          found.join("\n"),
        ).to.equal(true);
      });
    }
    it("flags a triggered plan's role that may not start the plan (StartThisPlanOnItsTrigger)", async () => {
      const arn = "arn:aws:arc-region-switch::123456789012:plan/app-ca-central-1:a1b2c3";
      const witness =
        "arn:aws:cloudwatch:ca-central-1:123456789012:alarm:app-ca-central-1-home-down-from-us-west-2";
      const triggered = arcPlan(role, {
        arn,
        triggers: [
          {
            action: "activate",
            targetRegion: "ca-central-1",
            conditions: [],
            minDelayMinutesBetweenExecutions: 60,
          },
        ],
      });
      const without = await messages("failover-plan-role-permissions", [
        role,
        executionPolicy(role, ["StartThisPlanOnItsTrigger"], [witness]),
        triggered,
      ]);
      expect(without).to.have.length(1);
      expect(without[0]).to.contain(
        `\nRole plan-execution may not arc-region-switch:StartPlanExecution on ${arn}, which plan plan needs.`,
      );
      expect(
        await messages("failover-plan-role-permissions", [
          role,
          executionPolicy(role, [], [witness]),
          triggered,
        ]),
      ).to.deep.equal([]);
    });
    it("flags a role that does not trust ARC Region switch", async () => {
      const other = executionRole("lambda.amazonaws.com");
      const found = await messages("failover-plan-role-permissions", [
        other,
        executionPolicy(other),
        arcPlan(other),
      ]);
      expect(found.join("\n")).to.contain("does not trust arc-region-switch.amazonaws.com");
    });
    it("flags a plan whose execution role is not in the stack", async () => {
      const found = await messages("failover-plan-role-permissions", [arcPlan(role)]);
      expect(found.join("\n")).to.contain("its execution role is not a role of this stack");
    });
  });
});

describe("policy pack: docs", () => {
  it("docs/policies.md is generated from the current policies (run `npm run policy-docs`)", () => {
    expect(fs.readFileSync(DOCS_FILE, "utf8")).to.equal(renderPolicyTable(policies));
  });
  it("the README links to the generated list", () => {
    expect(fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8")).to.contain("(docs/policies.md)");
  });
});
