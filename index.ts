/**
 * One region of the multi-region web application. Read top to bottom, this is the diagram:
 *
 *   Route 53 (deep health check + this region's record) ─▶ WAF ─▶ public ALB ─▶ frontend ASG
 *     ─HTTPS▶ internal ALB (backend.internal.<domain>, private zone) ─▶ backend ASG
 *   backend ─▶ Aurora (global, writes forwarded to the writer) · DynamoDB (global table) · SNS · mail · maps
 *   ops: alarms + dashboard per region · backups in every region, copied to the other side
 *   standby only: a probe of the home region's deep health, the failover plan's automatic trigger
 *
 * The home stack owns the global data resources; every other stack reads them from the home stack
 * through a StackReference and joins them as a standby. Every resource is in this stack's region.
 * The app domain's failover pair and the ARC Region switch plan that moves traffic, capacity and the
 * Aurora writer belong to the failover control stack (control/), which reads these stacks' outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig, validateSingleActive, validateStandbyRegion } from "./config";
import { AccessLogBucket } from "./components/accessLogBucket";
import { AppDatabaseUser } from "./components/appDatabaseUser";
import { AppCertificate } from "./components/appCertificate";
import { Backups } from "./components/backups";
import { DataTier, HomeOutputs, readHomeOutputs } from "./components/dataTier";
import { EdgeDns } from "./components/edgeDns";
import { HomeProbe } from "./components/homeProbe";
import { backendHostName, InternalDns } from "./components/internalDns";
import { Integrations } from "./components/integrations";
import { Observability } from "./components/observability";
import { RegionKey } from "./components/regionKey";
import { chooseAvailabilityZones, RegionalVpc } from "./components/regionalVpc";
import { TierAsg, tierImage } from "./components/tierAsg";
import { tierUserData } from "./components/userData";
import { WebFirewall } from "./components/webFirewall";

export = async () => {
  const cfg = loadConfig();
  const launchTags = cfg.defaultTags;
  // What each tier boots, checked before anything is registered (an AMI id is looked up in the region).
  const images = {
    frontend: await tierImage("frontend", cfg.frontend, cfg.region),
    backend: await tierImage("backend", cfg.backend, cfg.region),
  };

  // A standby reads what it joins from the home stack before it registers anything: a missing
  // output is an error that names it, and a standby in the home's own region is a config error.
  let homeOutputs: HomeOutputs | undefined;
  let homeStack: pulumi.StackReference | undefined;
  let homePublicAlbDnsName: string | undefined;
  if (!cfg.home) {
    homeStack = new pulumi.StackReference("home", { name: cfg.primaryStack });
    homeOutputs = await readHomeOutputs(homeStack);
    validateStandbyRegion(cfg.region, homeOutputs.homeRegion);
    validateSingleActive(cfg.role, await homeStack.requireOutputValue("role"), cfg.primaryStack!);
    homePublicAlbDnsName = String(await homeStack.requireOutputValue("publicAlbDnsName"));
  }

  // The region's data key comes first: every log group, the network's included, is encrypted with it.
  const key = new RegionKey("data", {
    region: cfg.region,
    protect: cfg.protectData,
    deletionGuard: { breakGlassPrincipalArns: cfg.backup.breakGlassPrincipalArns },
  });

  const availabilityZones = await chooseAvailabilityZones(cfg.azCount);
  const network = new RegionalVpc("network", {
    cidrBlock: cfg.vpcCidr,
    availabilityZones,
    subnetCidrMask: cfg.subnetCidrMask,
    // Its own setting, never the role: a failover rebuilds no NAT gateway or route.
    natStrategy: cfg.natGateways === "onePerAz" ? "OnePerAz" : "Single",
    flowLogRetentionDays: cfg.logRetentionDays,
    logKmsKeyArn: key.keyArn,
  });

  const accessLogs = new AccessLogBucket("alb-logs", { expirationDays: cfg.accessLogExpirationDays });
  const certificate = new AppCertificate("app", { domain: cfg.domain, hostedZone: cfg.hostedZone });
  // The internal ALB's certificate: a public ACM certificate for the backend's private name, validated
  // in the public zone like the app's (InternalDns explains the name).
  const backendCertificate = new AppCertificate("backend", {
    domain: backendHostName(cfg.domain),
    hostedZone: cfg.hostedZone,
  });
  const ssmPrefix = `/${cfg.project}/${cfg.stack}`;

  const backend = new TierAsg("backend", {
    vpcId: network.vpcId,
    loadBalancerSubnetIds: network.privateSubnetIds,
    instanceSubnetIds: network.privateSubnetIds,
    internetFacing: false,
    appPort: cfg.appPort,
    certificateArn: backendCertificate.certificateArn,
    accessLogBucket: accessLogs.bucketName,
    deletionProtection: cfg.albDeletionProtection,
    sizing: cfg.backend,
    image: images.backend,
    userDataBase64: tierUserData("backend.userData", cfg.backend, {
      tier: "backend",
      port: cfg.appPort,
      ssmPrefix,
      region: cfg.region,
    }),
    instanceSettings: { AppSsmPrefix: ssmPrefix },
    launchTags,
  });
  const internalDns = new InternalDns("internal", {
    domain: cfg.domain,
    vpcId: network.vpcId,
    region: cfg.region,
    loadBalancerDnsName: backend.albDnsName,
    loadBalancerZoneId: backend.albZoneId,
  });

  const frontend = new TierAsg("frontend", {
    vpcId: network.vpcId,
    loadBalancerSubnetIds: network.publicSubnetIds,
    instanceSubnetIds: network.privateSubnetIds,
    internetFacing: true,
    appPort: cfg.appPort,
    certificateArn: certificate.certificateArn,
    accessLogBucket: accessLogs.bucketName,
    deletionProtection: cfg.albDeletionProtection,
    sizing: cfg.frontend,
    image: images.frontend,
    userDataBase64: tierUserData("frontend.userData", cfg.frontend, {
      tier: "frontend",
      port: cfg.appPort,
      // HTTPS to the internal ALB under the backend's private name, its certificate verified.
      backendUrl: `https://${internalDns.backendName}`,
    }),
    instanceSettings: { AppBackendUrl: `https://${internalDns.backendName}` },
    launchTags,
  });
  frontend.connectTo(backend);

  const firewall = new WebFirewall("web", {
    loadBalancerArn: frontend.albArn,
    rateLimit: cfg.wafRateLimit,
    logRetentionDays: cfg.logRetentionDays,
    logKmsKeyArn: key.keyArn,
  });

  const data = new DataTier("data", {
    home: cfg.home,
    role: cfg.role,
    region: cfg.region,
    vpcId: network.vpcId,
    isolatedSubnetIds: network.isolatedSubnetIds,
    availabilityZones,
    backendSecurityGroupId: backend.instanceSecurityGroupId,
    database: cfg.database,
    homeOutputs,
    kmsKeyArn: key.keyArn,
    protect: cfg.protectData,
    deletionProtection: cfg.dataDeletionProtection,
    logRetentionDays: cfg.logRetentionDays,
  });

  // The backend's database user, created where the writer is: the home. It replicates to every region.
  if (cfg.home) {
    new AppDatabaseUser("db-user", {
      clusterArn: data.clusterArn,
      instanceArns: data.instanceArns,
      masterSecretArn: data.masterSecretArn!,
      masterSecretKeyArn: key.keyArn,
      databaseName: cfg.database.databaseName,
      // Only the global database's primary answers the Data API.
      bootstrap: data.isWriter,
      logRetentionDays: cfg.logRetentionDays,
      logKmsKeyArn: key.keyArn,
    });
  }

  const integrations = new Integrations("integrations", {
    domain: cfg.domain,
    hostedZoneId: certificate.hostedZoneId,
    mail: cfg.mail,
    maps: cfg.maps,
    kmsKeyArn: key.keyArn,
    backendRoleName: backend.instanceRoleName,
    backendSecurityGroupId: backend.instanceSecurityGroupId,
    data: data.connection,
    ssmPrefix,
    protect: cfg.protectData,
  });

  const edge = new EdgeDns("edge", {
    domain: cfg.domain,
    hostedZoneId: certificate.hostedZoneId,
    home: cfg.home,
    region: cfg.region,
    loadBalancerDnsName: frontend.albDnsName,
    loadBalancerZoneId: frontend.albZoneId,
    healthCheckInterval: cfg.healthCheckInterval,
    healthCheckFailureThreshold: cfg.healthCheckFailureThreshold,
  });

  const ops = new Observability("ops", {
    stackName: `${cfg.project}-${cfg.stack}`,
    region: cfg.region,
    role: cfg.role,
    alarms: cfg.alarms,
    publicAlb: { arnSuffix: frontend.albArnSuffix, targetGroupArnSuffix: frontend.targetGroupArnSuffix },
    internalAlb: { arnSuffix: backend.albArnSuffix, targetGroupArnSuffix: backend.targetGroupArnSuffix },
    asgs: [
      { tier: "frontend", name: frontend.asgName, minSize: cfg.frontend.minSize },
      { tier: "backend", name: backend.asgName, minSize: cfg.backend.minSize },
    ],
    database: {
      clusterIdentifier: data.clusterIdentifier,
      // Where the writer is, as the home's database.writerRegion says (docs/operations.md): after the
      // plan moved it, setting that key moves the writer's alarms with it, whatever the roles.
      isSecondary: !data.isWriter,
      instanceCount: cfg.database.instanceCount,
    },
    // DynamoDB reports replication latency in the sending region, per receiving region.
    dynamo: {
      tableName: data.tableName,
      replicaRegions: cfg.home ? cfg.standbyRegions : [homeOutputs!.homeRegion],
    },
    webAcl: { metricName: firewall.webAclMetricName },
    natGateways: { count: network.natGatewayCount, ids: network.natGatewayIds },
    healthCheckId: edge.healthCheckId,
    protect: cfg.protectData,
  });

  // A standby watches the home's deep health from its own region: its operators hear of a home
  // failure while us-east-1's metrics are down, and the failover plan can start on its alarm.
  const homeProbe = cfg.home
    ? undefined
    : new HomeProbe("home-probe", {
        region: cfg.region,
        homeRegion: homeOutputs!.homeRegion,
        homeAlbDnsName: homePublicAlbDnsName!,
        domain: cfg.domain,
        evaluationMinutes: cfg.homeProbeMinutes,
        alarmTopicArn: ops.opsTopicArn,
        logRetentionDays: cfg.logRetentionDays,
        logKmsKeyArn: key.keyArn,
      });

  // Every region backs up its own data and copies it to the other side: the home to every standby,
  // a standby to the home. Whichever region holds the Aurora writer is backed up and copied away.
  const backups = new Backups("backups", {
    project: cfg.project,
    region: cfg.region,
    backup: cfg.backup,
    copyRegions: cfg.home ? cfg.standbyRegions : [homeOutputs!.homeRegion],
    resourceArns: [data.clusterArn, data.tableArn],
    notificationTopicArn: ops.opsTopicArn,
    protect: cfg.protectData,
  });

  return {
    role: cfg.role,
    region: cfg.region,
    appUrl: `https://${cfg.domain}`,
    domain: cfg.domain,
    hostedZoneId: certificate.hostedZoneId,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    isolatedSubnetIds: network.isolatedSubnetIds,
    availabilityZones,
    publicAlbDnsName: frontend.albDnsName,
    publicAlbZoneId: frontend.albZoneId,
    internalAlbDnsName: backend.albDnsName,
    backendUrl: `https://${internalDns.backendName}`,
    securityGroupIds: {
      publicAlb: frontend.albSecurityGroupId,
      frontend: frontend.instanceSecurityGroupId,
      internalAlb: backend.albSecurityGroupId,
      backend: backend.instanceSecurityGroupId,
      database: data.databaseSecurityGroupId,
    },
    healthCheckId: edge.healthCheckId,
    healthRecordName: edge.recordName,
    home: cfg.home,
    // What the failover control stack (control/) reads to build the Region switch plan.
    asgArns: { frontend: frontend.asgArn, backend: backend.asgArn },
    clusterArn: data.clusterArn,
    dbInstanceClass: data.instanceClass,
    dbInstanceArns: data.instanceArns,
    appHealthAlarmArn: ops.alarmArns["public-alb-5xx-rate"],
    ...(homeProbe
      ? { homeProbeAlarmArn: homeProbe.homeUnhealthyAlarmArn }
      : { standbyRegions: cfg.standbyRegions }),
    webAclArn: firewall.webAclArn,
    ssmPrefix,
    customerTopicArn: integrations.topicArn,
    opsTopicArn: ops.opsTopicArn,
    dashboardName: ops.dashboardName,
    backupVaultArn: backups.vaultArn,
    backupVaultName: backups.vaultName,
    backupPlanId: backups.planId,
    backupRoleArn: backups.roleArn,
    // The bucket a teardown empties first (docs/teardown.md): it is never force-destroyed.
    accessLogBucketName: accessLogs.bucketName,
    // On the home stack: what every standby reads (HOME_OUTPUT_NAMES in components/dataTier.ts).
    ...data.homeOutputs,
  };
};
