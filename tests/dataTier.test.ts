import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { DATABASE_DEFAULTS, DatabaseConfig, rdsIdentifier } from "../config";
import {
  CLUSTER_FORCE_NEW_INPUTS,
  DataTier,
  engineMajor,
  homeClusterIgnores,
  HOME_OUTPUT_NAMES,
  HomeOutputs,
  readHomeOutputs,
  validateDataTierArgs,
  writerRegionOf,
} from "../components/dataTier";
import { RegionKey } from "../components/regionKey";
import { RecordedResource, runProgram, StackRun } from "../tools/mocks";
import { dependsOn, isSecret, ofType, one, unsecret } from "./helpers";

const T = {
  key: "aws:kms/key:Key",
  alias: "aws:kms/alias:Alias",
  globalCluster: "aws:rds/globalCluster:GlobalCluster",
  cluster: "aws:rds/cluster:Cluster",
  instance: "aws:rds/clusterInstance:ClusterInstance",
  subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  table: "aws:dynamodb/table:Table",
  replica: "aws:dynamodb/tableReplica:TableReplica",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  password: "random:index/randomPassword:RandomPassword",
  awsProvider: "pulumi:providers:aws",
};
/** Resources that hold data or guard it: each must carry Pulumi `protect`. */
const STATEFUL = [T.key, T.globalCluster, T.cluster, T.table, T.replica, T.secret];

const SUBNETS = ["subnet-iso-a", "subnet-iso-b"];
const BACKEND_SG = "sg-backend0000000001";

const STANDBY_HOME: HomeOutputs = {
  homeRegion: "us-east-1",
  globalClusterIdentifier: "multi-region-web-us-east-1-aurora",
  dbName: "app",
  dbEngineVersion: "16.6",
  dbGlobalWriterEndpoint: "multi-region-web-us-east-1-aurora.global-0123456789.global.rds.amazonaws.com",
  dbWriterRegion: "us-east-1",
  dynamoTableName: "data-table-1234567",
  dynamoTableArn: "arn:aws:dynamodb:us-east-1:123456789012:table/data-table-1234567",
};

function runHome(
  opts: { protect?: boolean; deletionProtection?: boolean; database?: Partial<DatabaseConfig> } = {},
) {
  return runProgram(
    () => {
      const key = new RegionKey("data", { region: "us-east-1", protect: opts.protect ?? true });
      const data = new DataTier("data", {
        home: true,
        role: "active",
        region: "us-east-1",
        vpcId: "vpc-0123456789abcdef0",
        isolatedSubnetIds: SUBNETS,
        availabilityZones: ["us-east-1a", "us-east-1b"],
        backendSecurityGroupId: BACKEND_SG,
        database: { ...DATABASE_DEFAULTS.active, ...opts.database },
        kmsKeyArn: key.keyArn,
        protect: opts.protect ?? true,
        deletionProtection: opts.deletionProtection,
        logRetentionDays: 90,
      });
      return {
        ...data.homeOutputs,
        isWriter: data.isWriter,
        connection: data.connection,
        kmsKeyArn: key.keyArn,
        tableArn: data.tableArn,
        masterSecretArn: data.masterSecretArn,
        clusterArn: data.clusterArn,
        databaseSecurityGroupId: data.databaseSecurityGroupId,
      };
    },
    { stack: "us-east-1", config: { "aws:region": "us-east-1" } },
  );
}

function runStandby(
  opts: {
    protect?: boolean;
    deletionProtection?: boolean;
    homeOutputs?: HomeOutputs;
    region?: string;
    database?: Partial<DatabaseConfig>;
  } = {},
) {
  const region = opts.region ?? "ca-central-1";
  return runProgram(
    () => {
      const key = new RegionKey("data", { region, protect: opts.protect ?? true });
      const data = new DataTier("data", {
        home: false,
        role: "passive",
        region,
        vpcId: "vpc-0fedcba9876543210",
        isolatedSubnetIds: SUBNETS,
        availabilityZones: [`${region}a`, `${region}b`],
        backendSecurityGroupId: BACKEND_SG,
        database: { ...DATABASE_DEFAULTS.passive, ...opts.database },
        homeOutputs: opts.homeOutputs ?? STANDBY_HOME,
        kmsKeyArn: key.keyArn,
        protect: opts.protect ?? true,
        deletionProtection: opts.deletionProtection,
        logRetentionDays: 90,
      });
      return {
        homeOutputCount: Object.keys(data.homeOutputs).length,
        isWriter: data.isWriter,
        writerRegion: data.writerRegion,
        instanceClass: data.instanceClass,
        instanceArns: data.instanceArns,
        connection: data.connection,
        kmsKeyArn: key.keyArn,
        tableArn: data.tableArn,
        hasMasterSecret: data.masterSecretArn !== undefined,
      };
    },
    { stack: region, config: { "aws:region": region } },
  );
}

describe("DataTier", function () {
  this.timeout(60000);

  describe("home stack (us-east-1)", () => {
    let run: StackRun;
    before(async () => {
      run = await runHome();
    });

    const homeKey = () => one(run, T.key);

    it("opens the DB security group on 5432 to the backend security group only, with the matching egress", () => {
      const sg = one(run, T.sg);
      expect(sg.inputs.description).to.be.a("string").and.not.empty;
      expect(sg.inputs.ingress, "no inline rules").to.equal(undefined);
      expect(sg.inputs.egress, "no inline rules").to.equal(undefined);
      const ingress = ofType(run, T.ingress);
      expect(ingress, "exactly one ingress rule").to.have.length(1);
      expect(ingress[0].inputs).to.include({
        referencedSecurityGroupId: BACKEND_SG,
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
      });
      expect(ingress[0].inputs.cidrIpv4).to.equal(undefined);
      expect(ingress[0].inputs.description).to.be.a("string").and.not.empty;
      expect(dependsOn(ingress[0], "securityGroupId", sg)).to.equal(true);

      const egress = one(run, T.egress);
      expect(egress.inputs).to.include({
        securityGroupId: BACKEND_SG,
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
      });
      expect(dependsOn(egress, "referencedSecurityGroupId", sg)).to.equal(true);
      const component = run.resources.find(
        (r) => r.type === "multi-region-web:data:DataTier",
      ) as RecordedResource;
      expect(egress.parent).to.equal(component.urn);
    });

    it("puts the DB subnet group on the isolated subnets", () => {
      expect(one(run, T.subnetGroup).inputs.subnetIds).to.deep.equal(SUBNETS);
    });

    it("creates an encrypted, deletion-protected aurora-postgresql global cluster", () => {
      const gc = one(run, T.globalCluster);
      expect(gc.inputs).to.include({
        engine: "aurora-postgresql",
        engineVersion: DATABASE_DEFAULTS.active.engineVersion,
        storageEncrypted: true,
        deletionProtection: true,
        globalClusterIdentifier: "multi-region-web-us-east-1-aurora",
      });
      expect(gc.protect).to.equal(true);
    });

    it("pins the major version and leaves minor versions to AWS: the version drift is ignored everywhere", () => {
      const gc = one(run, T.globalCluster);
      // A refreshed state holding an AWS-applied minor must not plan a downgrade.
      expect(gc.ignoreChanges).to.deep.equal(["engineVersion"]);
      expect(one(run, T.cluster).ignoreChanges).to.include("engineVersion");
      // The major names the parameter group family.
      expect(one(run, "aws:rds/clusterParameterGroup:ClusterParameterGroup").inputs.family).to.equal(
        `aurora-postgresql${engineMajor(DATABASE_DEFAULTS.active.engineVersion)}`,
      );
      expect(engineMajor("16.6")).to.equal("16");
      expect(engineMajor("15.10")).to.equal("15");
      // A standby joins at the version that runs, not the one first configured.
      expect(run.outputs.dbEngineVersion).to.equal(gc.outputs.engineVersionActual);
    });

    it("joins the primary cluster to it, encrypted with this region's key, with backups and audit settings", () => {
      const cluster = one(run, T.cluster);
      const gc = one(run, T.globalCluster);
      const i = cluster.inputs;
      expect(i.globalClusterIdentifier).to.equal(gc.inputs.globalClusterIdentifier);
      expect(i.engine).to.equal("aurora-postgresql");
      expect(i.engineVersion).to.equal(gc.inputs.engineVersion);
      expect(i.kmsKeyId).to.equal(homeKey().outputs.arn);
      expect(i.storageEncrypted).to.equal(true);
      expect(i.deletionProtection).to.equal(true);
      expect(i.skipFinalSnapshot).to.equal(false);
      expect(i.finalSnapshotIdentifier).to.match(/^[a-z][a-z0-9-]*[a-z0-9]$/);
      expect(i.deleteAutomatedBackups).to.equal(false);
      expect(i.backupRetentionPeriod).to.be.at.least(7);
      expect(i.preferredBackupWindow).to.be.a("string");
      expect(i.copyTagsToSnapshot).to.equal(true);
      expect(i.iamDatabaseAuthenticationEnabled).to.equal(true);
      expect(i.enabledCloudwatchLogsExports).to.deep.equal(["postgresql"]);
      expect(i.databaseName).to.equal("app");
      expect(i.masterUsername).to.equal("app_admin");
      expect(i.enableGlobalWriteForwarding, "forwards writes once demoted by a switchover").to.equal(true);
      // The RDS Data API, for the bootstrap of the application's database user (AppDatabaseUser).
      expect(i.enableHttpEndpoint).to.equal(true);
      expect(i.manageMasterUserPassword).to.equal(undefined);
      expect(i.serverlessv2ScalingConfiguration).to.equal(undefined);
      expect(dependsOn(cluster, "vpcSecurityGroupIds", one(run, T.sg))).to.equal(true);
      expect(i.vpcSecurityGroupIds).to.have.length(1);
      expect(dependsOn(cluster, "dbSubnetGroupName", one(run, T.subnetGroup))).to.equal(true);
      expect(cluster.ignoreChanges).to.include.members([
        "replicationSourceIdentifier",
        "globalClusterIdentifier",
        "engineVersion",
      ]);
    });

    it("generates the master password (RDS-safe characters) and keeps it secret", () => {
      const password = one(run, T.password);
      const special = password.inputs.overrideSpecial as string;
      for (const forbidden of ["/", "@", '"', "'", " "]) expect(special).not.to.include(forbidden);
      expect(password.inputs.length).to.be.at.least(16);
      const cluster = one(run, T.cluster);
      expect(isSecret(cluster.inputs.masterPassword), "masterPassword is a secret").to.equal(true);
      expect(unsecret(cluster.inputs.masterPassword)).to.equal(unsecret(password.outputs.result));
      // In no output: the master password is used for the bootstrap only, no standby reads it.
      expect(JSON.stringify(run.outputs)).not.to.include(String(unsecret(password.outputs.result)));
      expect(run.secretOutputNames).to.deep.equal([]);
    });

    it("stores the credentials in Secrets Manager with this region's key, replicated nowhere", () => {
      const secret = one(run, T.secret);
      expect(secret.inputs.kmsKeyId).to.equal(homeKey().outputs.arn);
      expect(secret.inputs.recoveryWindowInDays).to.equal(30);
      expect(secret.protect).to.equal(true);
      // A replica would be a resource in another region (and no other region needs the password).
      expect(secret.inputs).to.not.have.property("replicas");
      expect(ofType(run, T.awsProvider)).to.be.empty;
      for (const r of run.resources.filter((r) => r.custom)) expect(r.region, r.name).to.equal("us-east-1");

      const version = one(run, T.secretVersion);
      expect(isSecret(version.inputs.secretString), "secretString is a secret").to.equal(true);
      const value = JSON.parse(unsecret(version.inputs.secretString) as string) as Record<string, unknown>;
      // What the RDS Data API reads (username, password); no host or port.
      expect(value).to.deep.equal({
        username: "app_admin",
        password: unsecret(one(run, T.password).outputs.result),
        engine: "postgres",
        dbname: "app",
      });
    });

    it("hands the master secret's ARN out once its value exists, and exports the password nowhere", () => {
      const version = one(run, T.secretVersion);
      // The version's `arn` is the secret's: a reader of the ARN waits for the value.
      expect(run.outputs.masterSecretArn).to.equal(one(run, T.secret).outputs.arn);
      expect(version.outputs.arn).to.equal(one(run, T.secret).outputs.arn);
      expect(Object.keys(run.outputs).filter((k) => /credential|password/i.test(k))).to.deep.equal([]);
      for (const name of HOME_OUTPUT_NAMES) expect(run.secretOutputNames, name).to.not.include(name);
    });

    it("publishes this cluster's resource id for the backend's rds-db:connect", () => {
      const connection = run.outputs.connection as { clusterResourceId: string };
      expect(connection.clusterResourceId).to.equal(one(run, T.cluster).outputs.clusterResourceId);
      expect(connection.clusterResourceId).to.match(/^cluster-[A-Z0-9]+$/);
      expect(connection).to.not.have.property("secretArn");
    });

    it("runs the writer and the reader in different AZs, private, with Performance Insights on our key", () => {
      const instances = ofType(run, T.instance);
      expect(instances).to.have.length(2);
      const zones = instances.map((r) => r.inputs.availabilityZone);
      expect(new Set(zones).size).to.equal(2);
      for (const instance of instances) {
        expect(instance.inputs.availabilityZone).to.match(/^us-east-1[a-z]$/);
        expect(instance.inputs).to.include({
          publiclyAccessible: false,
          performanceInsightsEnabled: true,
          performanceInsightsKmsKeyId: homeKey().outputs.arn,
          instanceClass: "db.r6g.large",
          engine: "aurora-postgresql",
        });
        expect(dependsOn(instance, "clusterIdentifier", one(run, T.cluster))).to.equal(true);
      }
    });

    it("creates the DynamoDB table on demand, with streams for global tables, PITR, our key and deletion protection", () => {
      const table = one(run, T.table);
      expect(table.inputs).to.include({
        billingMode: "PAY_PER_REQUEST",
        hashKey: "pk",
        rangeKey: "sk",
        streamEnabled: true,
        streamViewType: "NEW_AND_OLD_IMAGES",
        deletionProtectionEnabled: true,
      });
      expect(table.inputs.attributes).to.deep.equal([
        { name: "pk", type: "S" },
        { name: "sk", type: "S" },
      ]);
      expect(table.inputs.pointInTimeRecovery).to.deep.equal({ enabled: true });
      expect(table.inputs.serverSideEncryption).to.deep.equal({
        enabled: true,
        kmsKeyArn: homeKey().outputs.arn,
      });
      expect(table.ignoreChanges).to.deep.equal(["replicas"]);
      expect(ofType(run, T.replica)).to.have.length(0);
    });

    it("names the cluster, and creates its PostgreSQL log group first, with retention, on our key", () => {
      const cluster = one(run, T.cluster);
      expect(cluster.inputs.clusterIdentifier).to.equal("multi-region-web-us-east-1-cluster");
      const logs = one(run, "aws:cloudwatch/logGroup:LogGroup");
      expect(logs.inputs.name).to.equal("/aws/rds/cluster/multi-region-web-us-east-1-cluster/postgresql");
      expect(logs.inputs.retentionInDays).to.equal(90);
      expect(logs.inputs.kmsKeyId).to.equal(homeKey().outputs.arn);
      expect(cluster.dependencies).to.include(logs.urn);
    });

    it("protects every stateful resource", () => {
      for (const type of STATEFUL.filter((t) => t !== T.replica)) {
        const found = ofType(run, type);
        expect(found, type).not.to.be.empty;
        for (const r of found) expect(r.protect, `${type} ${r.name}`).to.equal(true);
      }
    });

    it("leaves the instances unprotected: they hold no data, and a role flip adds or removes a reader", () => {
      const instances = ofType(run, T.instance);
      expect(instances).to.have.length(2);
      for (const r of instances) expect(r.protect, r.name).to.equal(false);
    });

    it("exports every output a standby reads, as plain strings", () => {
      for (const name of HOME_OUTPUT_NAMES) {
        expect(run.outputs[name], name).to.be.a("string").and.not.empty;
      }
      expect(run.outputs.globalClusterIdentifier).to.equal("multi-region-web-us-east-1-aurora");
      expect(run.outputs.dynamoTableArn).to.equal(one(run, T.table).outputs.arn);
      expect(run.outputs.dbGlobalWriterEndpoint).to.equal(one(run, T.globalCluster).outputs.endpoint);
    });

    it("hands the backend this region's endpoints, table, cluster resource id and key (no secret)", () => {
      const cluster = one(run, T.cluster);
      expect(run.outputs.connection).to.deep.equal({
        writerEndpoint: cluster.outputs.endpoint,
        readerEndpoint: cluster.outputs.readerEndpoint,
        port: 5432,
        databaseName: "app",
        tableName: one(run, T.table).outputs.name,
        tableArn: one(run, T.table).outputs.arn,
        globalWriterEndpoint: one(run, T.globalCluster).outputs.endpoint,
        clusterResourceId: cluster.outputs.clusterResourceId,
        kmsKeyArn: homeKey().outputs.arn,
      });
    });
  });

  describe("home stack variants", () => {
    it("sizes Aurora Serverless v2 from config", async () => {
      const run = await runHome({
        database: { instanceClass: "db.serverless", serverlessMinCapacity: 0.5, serverlessMaxCapacity: 8 },
      });
      expect(one(run, T.cluster).inputs.serverlessv2ScalingConfiguration).to.deep.equal({
        minCapacity: 0.5,
        maxCapacity: 8,
      });
      for (const instance of ofType(run, T.instance))
        expect(instance.inputs.instanceClass).to.equal("db.serverless");
    });

    it("spreads three instances over the subnets' two AZs in turn", async () => {
      const run = await runHome({ database: { instanceCount: 3 } });
      const zones = ofType(run, T.instance).map((r) => r.inputs.availabilityZone);
      expect(zones).to.deep.equal(["us-east-1a", "us-east-1b", "us-east-1a"]);
    });

    it("leaves protect off when protect is false", async () => {
      const run = await runHome({ protect: false });
      for (const type of STATEFUL)
        for (const r of ofType(run, type)) expect(r.protect, r.name).to.equal(false);
    });
  });

  describe("standby stack (ca-central-1)", () => {
    let run: StackRun;
    before(async () => {
      run = await runStandby();
    });
    const key = () => one(run, T.key);

    it("uses its own region's key and creates no global or home-only resources", () => {
      expect(key().region).to.equal("ca-central-1");
      for (const type of [T.globalCluster, T.table, T.password, T.awsProvider]) {
        expect(ofType(run, type), type).to.have.length(0);
      }
      expect(run.outputs.homeOutputCount).to.equal(0);
      for (const r of run.resources.filter((r) => r.custom))
        expect(r.region, r.name).to.equal("ca-central-1");
    });

    it("holds no master credentials: no secret, no password, nothing read from the home but its outputs", () => {
      expect(ofType(run, T.secret)).to.have.length(0);
      expect(ofType(run, T.secretVersion)).to.have.length(0);
      expect(ofType(run, T.password)).to.have.length(0);
      expect(run.outputs.hasMasterSecret).to.equal(false);
      expect(one(run, T.cluster).inputs.enableHttpEndpoint, "no Data API where no bootstrap runs").to.equal(
        undefined,
      );
    });

    it("publishes its own cluster's resource id: the standby's backend logs in to this cluster", () => {
      const connection = run.outputs.connection as { clusterResourceId: string };
      expect(connection.clusterResourceId).to.equal(one(run, T.cluster).outputs.clusterResourceId);
    });

    it("creates its PostgreSQL log group before the secondary cluster, on this region's key", () => {
      // Left to RDS, the group is created on the first export with no retention and not on our key.
      const cluster = one(run, T.cluster);
      const logs = one(run, "aws:cloudwatch/logGroup:LogGroup");
      expect(logs.inputs.name).to.equal("/aws/rds/cluster/multi-region-web-ca-central-1-cluster/postgresql");
      expect(logs.inputs.kmsKeyId).to.equal(key().outputs.arn);
      expect(cluster.dependencies).to.include(logs.urn);
    });

    it("joins the home's global cluster with no credentials or database name, on this region's key", () => {
      const cluster = one(run, T.cluster);
      const i = cluster.inputs;
      expect(i.globalClusterIdentifier).to.equal(STANDBY_HOME.globalClusterIdentifier);
      expect(i.engine).to.equal("aurora-postgresql");
      expect(i.engineVersion).to.equal(STANDBY_HOME.dbEngineVersion);
      expect(i.masterUsername).to.equal(undefined);
      expect(i.masterPassword).to.equal(undefined);
      expect(i.databaseName).to.equal(undefined);
      expect(i.replicationSourceIdentifier).to.equal(undefined);
      expect(i.kmsKeyId).to.equal(key().outputs.arn);
      expect(String(i.kmsKeyId)).to.include(":ca-central-1:");
      expect(i).to.include({
        storageEncrypted: true,
        deletionProtection: true,
        skipFinalSnapshot: false,
        iamDatabaseAuthenticationEnabled: true,
      });
      expect(i.finalSnapshotIdentifier).to.equal("multi-region-web-ca-central-1-aurora-final");
      expect(i.enableGlobalWriteForwarding, "forwards the standby's writes to the writer").to.equal(true);
      expect(i.backupRetentionPeriod).to.be.at.least(7);
      expect(i.enabledCloudwatchLogsExports).to.deep.equal(["postgresql"]);
      expect(cluster.ignoreChanges).to.include.members([
        "replicationSourceIdentifier",
        "globalClusterIdentifier",
      ]);
      expect(ofType(run, T.ingress)).to.have.length(1);
      expect(one(run, T.ingress).inputs.referencedSecurityGroupId).to.equal(BACKEND_SG);
    });

    it("idles on Aurora Serverless v2 at 0.5 ACU by default, and lets the failover plan raise it", () => {
      const cluster = one(run, T.cluster);
      expect(cluster.inputs.serverlessv2ScalingConfiguration).to.deep.equal({
        minCapacity: 0.5,
        maxCapacity: 16,
      });
      // ARC's Aurora Serverless scaling block raises min and max ACUs: a pulumi up must not undo it.
      expect(cluster.ignoreChanges).to.include("serverlessv2ScalingConfiguration");
      const instance = one(run, T.instance);
      expect(instance.inputs.instanceClass).to.equal("db.serverless");
      expect(run.outputs.instanceClass).to.equal("db.serverless");
      expect(run.outputs.instanceArns).to.deep.equal([instance.outputs.arn]);
    });

    it("keeps a smaller provisioned class from being shrunk back after the plan raised it", async () => {
      const provisioned = await runStandby({ database: { instanceClass: "db.r6g.large" } });
      const cluster = one(provisioned, T.cluster);
      expect(cluster.inputs.serverlessv2ScalingConfiguration).to.equal(undefined);
      expect(cluster.ignoreChanges).to.not.include("serverlessv2ScalingConfiguration");
      expect(one(provisioned, T.instance).ignoreChanges).to.deep.equal(["instanceClass"]);
    });

    it("runs one private reader instance by default, Performance Insights on this region's key", () => {
      const instance = one(run, T.instance);
      expect(instance.region).to.equal("ca-central-1");
      expect(instance.inputs.availabilityZone).to.match(/^ca-central-1[a-z]$/);
      expect(instance.inputs).to.include({
        publiclyAccessible: false,
        performanceInsightsKmsKeyId: key().outputs.arn,
      });
    });

    it("replicates the home table into this region with this region's key, PITR and deletion protection", () => {
      const replica = one(run, T.replica);
      expect(replica.region).to.equal("ca-central-1");
      expect(replica.inputs).to.include({
        globalTableArn: STANDBY_HOME.dynamoTableArn,
        kmsKeyArn: key().outputs.arn,
        pointInTimeRecovery: true,
        deletionProtectionEnabled: true,
      });
    });

    it("protects every stateful resource", () => {
      for (const type of [T.key, T.cluster, T.replica]) {
        const found = ofType(run, type);
        expect(found, type).not.to.be.empty;
        for (const r of found) expect(r.protect, r.name).to.equal(true);
      }
    });

    it("points the backend at this region's copies: replica table, own cluster and key, the global writer", () => {
      const connection = run.outputs.connection as Record<string, unknown>;
      expect(connection.tableArn).to.equal(one(run, T.replica).outputs.arn);
      expect(connection.tableArn).to.equal(
        "arn:aws:dynamodb:ca-central-1:123456789012:table/data-table-1234567",
      );
      expect(connection.tableName).to.equal(STANDBY_HOME.dynamoTableName);
      expect(connection.clusterResourceId).to.equal(one(run, T.cluster).outputs.clusterResourceId);
      expect(connection).to.not.have.property("secretArn");
      expect(connection.kmsKeyArn).to.equal(key().outputs.arn);
      expect(connection.globalWriterEndpoint).to.equal(STANDBY_HOME.dbGlobalWriterEndpoint);
      expect(connection.databaseName).to.equal("app");
      expect(connection.writerEndpoint).to.equal(one(run, T.cluster).outputs.endpoint);
    });

    it("leaves protect off when protect is false", async () => {
      const unprotected = await runStandby({ protect: false });
      for (const type of STATEFUL)
        for (const r of ofType(unprotected, type)) expect(r.protect, r.name).to.equal(false);
    });

    it("follows the global database's engine version, not its own config", async () => {
      const older = await runStandby({ homeOutputs: { ...STANDBY_HOME, dbEngineVersion: "15.10" } });
      expect(one(older, T.cluster).inputs.engineVersion).to.equal("15.10");
      expect(one(older, "aws:rds/clusterParameterGroup:ClusterParameterGroup").inputs.family).to.equal(
        "aurora-postgresql15",
      );
    });

    it("joins what the home stack really exports", async () => {
      const home = await runHome();
      const homeOutputs = Object.fromEntries(
        HOME_OUTPUT_NAMES.map((n) => [n, home.outputs[n]]),
      ) as HomeOutputs;
      const standby = await runStandby({ homeOutputs });
      expect(one(standby, T.cluster).inputs.globalClusterIdentifier).to.equal(
        one(home, T.globalCluster).inputs.globalClusterIdentifier,
      );
      expect(one(standby, T.replica).inputs.globalTableArn).to.equal(one(home, T.table).outputs.arn);
      // Each regional cluster has its own resource id: each region's backend is granted its own.
      const homeId = (home.outputs.connection as { clusterResourceId: string }).clusterResourceId;
      const standbyId = (standby.outputs.connection as { clusterResourceId: string }).clusterResourceId;
      expect(standbyId).to.not.equal(homeId);
    });
  });

  describe("which region holds the writer (the home's database.writerRegion)", () => {
    /** What a failover may change: a resource's registration as the engine compares it with the state. */
    const registration = (r: RecordedResource) => ({
      inputs: r.inputs,
      protect: r.protect,
      ignoreChanges: r.ignoreChanges,
      deleteBeforeReplace: r.deleteBeforeReplace,
      retainOnDelete: r.retainOnDelete,
      parent: r.parent,
      provider: r.provider,
    });
    /** Input names whose values differ between two registrations of a resource. */
    const changed = (before: RecordedResource, after: RecordedResource) =>
      [...new Set([...Object.keys(before.inputs), ...Object.keys(after.inputs)])].filter(
        (k) => JSON.stringify(before.inputs[k]) !== JSON.stringify(after.inputs[k]),
      );
    /**
     * The inputs Pulumi would send as changed when `after` is registered over a state written by
     * `before`: ignoreChanges resets an ignored input to the state's value, or drops it when the state
     * has none (Pulumi docs, "Resource option: ignoreChanges"; PropertyPath.Reset).
     */
    const effectiveChanges = (before: RecordedResource, after: RecordedResource) =>
      changed(before, after).filter((k) => !after.ignoreChanges.includes(k));

    let steady: StackRun;
    let failedOver: StackRun;
    before(async () => {
      steady = await runHome();
      failedOver = await runHome({ database: { writerRegion: "ca-central-1" } });
    });

    it("builds the home's cluster as a secondary of its own global database once the writer is elsewhere", () => {
      const cluster = one(failedOver, T.cluster);
      const gc = one(failedOver, T.globalCluster);
      // RDS rejects a database name and master credentials on a secondary (as on the standby's).
      for (const input of ["databaseName", "masterUsername", "masterPassword", "manageMasterUserPassword"])
        expect(cluster.inputs[input], input).to.equal(undefined);
      expect(cluster.inputs.globalClusterIdentifier).to.equal(gc.inputs.globalClusterIdentifier);
      expect(dependsOn(cluster, "globalClusterIdentifier", gc)).to.equal(true);
      // It joins at the version the global database runs, like any secondary.
      expect(dependsOn(cluster, "engineVersion", gc)).to.equal(true);
      expect(cluster.inputs.engineVersion).to.equal(gc.outputs.engineVersionActual);
      expect(cluster.inputs).to.include({ enableGlobalWriteForwarding: true, skipFinalSnapshot: false });
      expect(failedOver.outputs.dbWriterRegion).to.equal("ca-central-1");
      expect(failedOver.outputs.isWriter).to.equal(false);
      // In the steady state it is the writer, and says so.
      expect(steady.outputs.dbWriterRegion).to.equal("us-east-1");
      expect(steady.outputs.isWriter).to.equal(true);
    });

    it("keeps every URN, and changes nothing but the cluster's registration", () => {
      expect(failedOver.resources.map((r) => r.urn)).to.have.members(steady.resources.map((r) => r.urn));
      // Custom resources: a component's own inputs reach no provider.
      for (const after of failedOver.resources.filter((r) => r.custom)) {
        const before = steady.resources.find((r) => r.urn === after.urn)!;
        if (after.type === T.cluster) continue;
        expect(registration(after), after.urn).to.deep.equal(registration(before));
      }
      expect(one(failedOver, T.cluster).protect).to.equal(true);
    });

    it("changes no input of the existing cluster when the writer leaves (the same cluster, rejoined as a secondary)", () => {
      const before = one(steady, T.cluster);
      const after = one(failedOver, T.cluster);
      expect(changed(before, after)).to.have.members([
        "databaseName",
        "masterUsername",
        "masterPassword",
        "enableHttpEndpoint",
      ]);
      // Each one is reset to the state's value: the update sends nothing, and no replace is planned.
      expect(effectiveChanges(before, after)).to.deep.equal([]);
      expect(after.ignoreChanges).to.include.members([
        "replicationSourceIdentifier",
        "globalClusterIdentifier",
      ]);
    });

    it("replaces nothing when the writer comes back, even to a cluster re-created as a secondary", () => {
      // The state written when the cluster was created while the writer was elsewhere.
      const created = one(failedOver, T.cluster);
      const back = one(steady, T.cluster);
      // Only masterPassword reaches the provider: an in-place modify to the password the global
      // database already has. Neither ForceNew input (databaseName, masterUsername) is sent.
      expect(effectiveChanges(created, back)).to.deep.equal(["enableHttpEndpoint", "masterPassword"]);
      for (const input of CLUSTER_FORCE_NEW_INPUTS)
        expect(effectiveChanges(created, back), input).not.to.include(input);
    });

    it("never sets an input that promotes the cluster or forces a new one, in either state", () => {
      for (const run of [steady, failedOver]) {
        const cluster = one(run, T.cluster);
        for (const input of [
          "sourceRegion",
          "snapshotIdentifier",
          "replicationSourceIdentifier",
          "availabilityZones",
        ])
          expect(cluster.inputs[input], input).to.equal(undefined);
      }
    });

    it("homeClusterIgnores: the creation-only inputs always, the password while the writer is elsewhere", () => {
      expect(homeClusterIgnores(true)).to.deep.equal(["databaseName", "masterUsername"]);
      expect(homeClusterIgnores(false)).to.deep.equal([
        "databaseName",
        "masterUsername",
        "masterPassword",
        "enableHttpEndpoint",
      ]);
      // Every input a primary sets and a secondary does not: ignored once the writer is elsewhere.
      expect(homeClusterIgnores(false)).to.include.members(
        changed(one(steady, T.cluster), one(failedOver, T.cluster)),
      );
    });

    it("names ForceNew inputs that exist: each is an input of aws.rds.ClusterArgs", () => {
      const dts = fs.readFileSync(
        path.join(__dirname, "..", "node_modules", "@pulumi", "aws", "rds", "cluster.d.ts"),
        "utf8",
      );
      const args = dts.slice(dts.indexOf("export interface ClusterArgs {"));
      const block = args.slice(0, args.indexOf("\n}\n"));
      for (const input of CLUSTER_FORCE_NEW_INPUTS)
        expect(block, input).to.match(new RegExp(`\\n\\s+(readonly )?${input}\\??:`));
    });

    it("a standby learns where the writer is from the home, and its data tier does not change", async () => {
      const writerHere = await runStandby({
        homeOutputs: { ...STANDBY_HOME, dbWriterRegion: "ca-central-1" },
      });
      const steadyStandby = await runStandby();
      expect(writerHere.outputs).to.include({ isWriter: true, writerRegion: "ca-central-1" });
      expect(steadyStandby.outputs).to.include({ isWriter: false, writerRegion: "us-east-1" });
      expect(writerHere.resources.map((r) => r.urn)).to.have.members(
        steadyStandby.resources.map((r) => r.urn),
      );
      for (const after of writerHere.resources.filter((r) => r.custom)) {
        const before = steadyStandby.resources.find((r) => r.urn === after.urn)!;
        expect(registration(after), after.urn).to.deep.equal(registration(before));
      }
    });

    it("writerRegionOf: the home's setting, its own region unset; a standby, the home's export", () => {
      const database = {};
      expect(writerRegionOf({ home: true, region: "us-east-1", database })).to.equal("us-east-1");
      expect(
        writerRegionOf({ home: true, region: "us-east-1", database: { writerRegion: "ca-central-1" } }),
      ).to.equal("ca-central-1");
      expect(
        writerRegionOf({
          home: false,
          region: "ca-central-1",
          database,
          homeOutputs: { dbWriterRegion: "eu-west-1" },
        }),
      ).to.equal("eu-west-1");
    });
  });

  describe("deletion protection (dataDeletionProtection) and the final snapshot", () => {
    it("is on everywhere by default", async () => {
      for (const run of [await runHome(), await runStandby()]) {
        for (const r of [...ofType(run, T.globalCluster), ...ofType(run, T.cluster)])
          expect(r.inputs.deletionProtection, r.urn).to.equal(true);
        for (const r of [...ofType(run, T.table), ...ofType(run, T.replica)])
          expect(r.inputs.deletionProtectionEnabled, r.urn).to.equal(true);
      }
    });

    it("turned off for a teardown, still takes the final snapshot and keeps the automated backups", async () => {
      const home = await runHome({ protect: false, deletionProtection: false });
      const standby = await runStandby({ protect: false, deletionProtection: false });
      for (const run of [home, standby]) {
        for (const r of run.resources) expect(r.protect, r.urn).to.equal(false);
        for (const r of [...ofType(run, T.globalCluster), ...ofType(run, T.cluster)])
          expect(r.inputs.deletionProtection, r.urn).to.equal(false);
        for (const r of [...ofType(run, T.table), ...ofType(run, T.replica)])
          expect(r.inputs.deletionProtectionEnabled, r.urn).to.equal(false);
        const cluster = one(run, T.cluster);
        expect(cluster.inputs).to.include({ skipFinalSnapshot: false, deleteAutomatedBackups: false });
        expect(cluster.inputs.finalSnapshotIdentifier).to.equal(
          `multi-region-web-${run.region}-aurora-final`,
        );
      }
      expect(ofType(home, T.globalCluster)).to.have.length(1);
      expect(ofType(standby, T.replica)).to.have.length(1);
    });
  });

  describe("readHomeOutputs", () => {
    const refName = "organization/multi-region-web/us-east-1";
    const read = (outputs: Record<string, unknown>) =>
      runProgram(
        async () => ({ home: await readHomeOutputs(new pulumi.StackReference("home", { name: refName })) }),
        {
          stack: "ca-central-1",
          config: { "aws:region": "ca-central-1" },
          stackReferences: { [refName]: outputs },
        },
      );

    it("reads every home output", async () => {
      const run = await read({ ...STANDBY_HOME, unrelated: "x" });
      expect(run.outputs.home).to.deep.equal(STANDBY_HOME);
    });

    it("fails naming the output the home stack does not export", async () => {
      const partial: Record<string, string> = { ...STANDBY_HOME };
      delete partial.dynamoTableArn;
      let error: Error | undefined;
      try {
        await read(partial);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).to.include("Required output 'dynamoTableArn' does not exist");
    });
  });

  describe("pure helpers", () => {
    const database = { instanceCount: 1, backupRetentionDays: 7 };

    it("validateDataTierArgs: the home gets nothing from a home, a standby its outputs", () => {
      expect(() =>
        validateDataTierArgs({ home: true, region: "us-east-1", homeOutputs: STANDBY_HOME, database }),
      ).to.throw(/must not be given homeOutputs/);
      expect(() => validateDataTierArgs({ home: false, region: "ca-central-1", database })).to.throw(
        /needs homeOutputs/,
      );
      expect(() => validateDataTierArgs({ home: true, region: "us-east-1", database })).not.to.throw();
      expect(() =>
        validateDataTierArgs({ home: false, region: "ca-central-1", homeOutputs: STANDBY_HOME, database }),
      ).not.to.throw();
    });

    it("validateDataTierArgs: standby placement and sizing", () => {
      expect(() =>
        validateDataTierArgs({
          home: false,
          region: "us-east-1",
          homeOutputs: STANDBY_HOME,
          database,
        }),
      ).to.throw(/home region us-east-1/);
      expect(() =>
        validateDataTierArgs({
          home: true,
          region: "us-east-1",
          database: { instanceCount: 0, backupRetentionDays: 7 },
        }),
      ).to.throw(/instanceCount/);
      expect(() =>
        validateDataTierArgs({
          home: true,
          region: "us-east-1",
          database: { instanceCount: 1, backupRetentionDays: 36 },
        }),
      ).to.throw(/backupRetentionDays/);
    });

    it("rdsIdentifier makes valid RDS identifiers", () => {
      expect(rdsIdentifier(["Multi_Region", "us-east-1", "aurora"])).to.equal(
        "multi-region-us-east-1-aurora",
      );
      expect(rdsIdentifier(["1st", "--x--"])).to.equal("db-1st-x");
      const long = rdsIdentifier(["a".repeat(70)]);
      expect(long).to.have.length(63);
      expect(rdsIdentifier(["ab", "c".repeat(70)], 3)).to.equal("ab");
    });
  });
});
