/**
 * The data block of the diagram, for both roles:
 *
 *   home stack:    GlobalCluster ─▶ primary Aurora cluster (writer + readers; a secondary while
 *                  database.writerRegion names a standby) · DynamoDB table
 *                  · master credentials in Secrets Manager (generated here, for the bootstrap of
 *                  the application's database user only: AppDatabaseUser)
 *   standby stack: secondary Aurora cluster joined to the home's GlobalCluster, forwarding
 *                  writes to the writer · DynamoDB TableReplica of the home table · no master
 *                  credentials: the backend logs in as the application's user with IAM database
 *                  authentication, in every region (docs/operations.md, "The application's database user")
 *
 * Everything is encrypted with the region's data key (RegionKey). Both replicate asynchronously
 * from the home region. Which stack is the *home* never changes on a
 * failover (an ARC Region switch plan moves the Aurora writer; Pulumi does not), so a failover never
 * recreates a data resource. Every resource is in this stack's own region: nothing here needs another
 * region's API to be updated.
 *
 * Which region holds the Aurora writer is the home's `database.writerRegion` (a standby reads it from
 * the home's `dbWriterRegion` output): after the plan moved the writer, the home's cluster is a
 * secondary, and the home builds it as one. What that changes, and why it replaces nothing, is at
 * `homeClusterIgnores`; the procedure is docs/operations.md, "Failback after a lossy failover".
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DatabaseConfig, RDS_BASE_MAX, rdsIdentifier, Role } from "../config";
import { Component } from "./component";

/** PostgreSQL's port; the DB security group opens nothing else. */
export const DB_PORT = 5432;
export const DB_ENGINE = "aurora-postgresql";

/**
 * The engine version policy (docs/operations.md, "Engine versions"):
 *
 * - The major version is pinned: `database.engineVersion`'s major names the cluster parameter group
 *   family, and only a deliberate, documented upgrade changes it.
 * - Minor versions are AWS's to move: Aurora applies a minor version "in cases of critical security
 *   issues or when a version reaches its end of support date ... even if you haven't enabled Auto minor
 *   version upgrade" (Aurora User Guide, "Amazon Aurora versions and upgrades"; English wording:
 *   unverified), and operators apply the others with AWS's upgrade procedure for global databases
 *   (secondaries first). Pulumi never undoes one: the GlobalCluster and every member Cluster ignore
 *   `engineVersion`, the members as the provider's aws_rds_global_cluster "Upgrading Engine Versions"
 *   section prescribes, the GlobalCluster because a refreshed state holding the newer minor would
 *   otherwise plan a downgrade, which AWS refuses. The configured version is the creation version.
 * - A standby joins at the version the global database runs (`engineVersionActual`), since a secondary
 *   must match it, and managed failover needs every member on the same version.
 */
/** The major version of an aurora-postgresql version (`16` of `16.6`): the parameter group family's. */
export function engineMajor(version: string): string {
  return version.split(".")[0];
}

/**
 * The stack outputs a standby stack reads from the home stack (all plain strings). The home exports
 * every one of them (`DataTier.homeOutputs`); a standby reads them with `readHomeOutputs`, which fails
 * on the first one that is missing.
 */
export const HOME_OUTPUT_NAMES = [
  /** Region of the home stack: a standby must be elsewhere. */
  "homeRegion",
  /** The Aurora global database the standby's secondary cluster joins. */
  "globalClusterIdentifier",
  /** Database name of the global database (a secondary cluster cannot set its own). */
  "dbName",
  /** Engine version of the global database, which a secondary must match to join it. */
  "dbEngineVersion",
  /**
   * The global database's writer endpoint: it always names the writer of the current primary cluster
   * (`aws.rds.GlobalCluster.endpoint`), so it follows a switchover or failover without a deploy.
   */
  "dbGlobalWriterEndpoint",
  /**
   * Region whose Aurora cluster holds the writer, as the home's `database.writerRegion` says (the home's
   * own region unless a failover moved it): a standby's alarms watch its cluster as the writer when it
   * is this region.
   */
  "dbWriterRegion",
  "dynamoTableName",
  /** The home table, which the standby's TableReplica replicates. */
  "dynamoTableArn",
] as const;

export type HomeOutputName = (typeof HOME_OUTPUT_NAMES)[number];

/** What a standby needs from the home stack, as plain strings. */
export type HomeOutputs = Record<HomeOutputName, string>;

/**
 * Reads every HOME_OUTPUT_NAMES entry from the home stack. A missing output throws ("Required output
 * 'x' does not exist on stack 'y'") instead of yielding `undefined`, so a standby never joins with half
 * of the wiring.
 */
export async function readHomeOutputs(ref: pulumi.StackReference): Promise<HomeOutputs> {
  const values = await Promise.all(HOME_OUTPUT_NAMES.map((name) => ref.requireOutputValue(name)));
  const outputs = {} as HomeOutputs;
  HOME_OUTPUT_NAMES.forEach((name, i) => {
    const value: unknown = values[i];
    if (typeof value !== "string" || value === "") {
      throw new Error(`Home stack output '${name}' must be a non-empty string, got ${JSON.stringify(value)}`);
    }
    outputs[name] = value;
  });
  return outputs;
}

/** What the backend and Integrations need to reach this region's data. */
export interface DataConnection {
  /** Cluster (writer) endpoint; on a standby it accepts writes only after a global failover. */
  writerEndpoint: string;
  readerEndpoint: string;
  port: number;
  databaseName: string;
  tableName: string;
  /** The table's ARN in this region (the replica's on a standby). */
  tableArn: string;
  /** The global database's writer endpoint (the current primary cluster's writer, in any region). */
  globalWriterEndpoint: string;
  /**
   * This region's cluster's resource id (`cluster-…`): the backend's `rds-db:connect` ARN names it, and
   * it differs per regional cluster of the global database.
   */
  clusterResourceId: string;
  /** This region's data key (Aurora, DynamoDB, SNS, the secrets). */
  kmsKeyArn: string;
}

export interface DataTierArgs {
  /** True on the one stack that owns the global resources (GlobalCluster, table, master secret). */
  home: boolean;
  /** Sizing role; informational here (sizing arrives already resolved in `database`). */
  role: Role;
  /** This stack's region (`aws:region`). */
  region: string;
  vpcId: pulumi.Input<string>;
  /** Isolated (no route to the internet) subnets, one per AZ, for the DB subnet group. */
  isolatedSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** The AZs of those subnets (RegionalVpc's); instances are placed in them in turn. */
  availabilityZones: string[];
  /** The backend instances' security group: the only source allowed to reach the database. */
  backendSecurityGroupId: pulumi.Input<string>;
  /** Engine version, instance class/count, backups, names. */
  database: DatabaseConfig;
  /** Standby only: the home stack's outputs (from `readHomeOutputs`). */
  homeOutputs?: HomeOutputs;
  /** The region's data key (RegionKey): storage, secrets, Performance Insights and the log group. */
  kmsKeyArn: pulumi.Input<string>;
  /** Pulumi `protect` on every stateful resource. @default true */
  protect?: boolean;
  /**
   * AWS deletion protection on the global cluster, the clusters, the table and its replicas (config
   * `dataDeletionProtection`; off only for a teardown, docs/teardown.md). The final snapshot is taken
   * either way. @default true
   */
  deletionProtection?: boolean;
  /** Retention of the cluster's exported PostgreSQL log group (a CloudWatch Logs value). */
  logRetentionDays: number;
}

/** Throws before any resource is registered when the home/standby wiring is inconsistent. */
export function validateDataTierArgs(args: {
  home: boolean;
  region: string;
  homeOutputs?: HomeOutputs;
  database: Pick<DatabaseConfig, "instanceCount" | "backupRetentionDays">;
}): void {
  if (args.home && args.homeOutputs !== undefined) {
    throw new Error("DataTier: the home stack must not be given homeOutputs (it is the home)");
  }
  if (!args.home && args.homeOutputs === undefined) {
    throw new Error("DataTier: a standby stack needs homeOutputs (read from the home stack)");
  }
  if (!Number.isInteger(args.database.instanceCount) || args.database.instanceCount < 1) {
    throw new Error(
      `DataTier: database.instanceCount must be at least 1, got ${args.database.instanceCount}`,
    );
  }
  if (args.database.backupRetentionDays < 1 || args.database.backupRetentionDays > 35) {
    throw new Error(
      `DataTier: database.backupRetentionDays must be 1 to 35 (Aurora's range), got ${args.database.backupRetentionDays}`,
    );
  }
  if (!args.home && args.homeOutputs!.homeRegion === args.region) {
    throw new Error(`DataTier: a standby must not be in the home region ${args.region}`);
  }
}

export interface DataTierOutputs {
  /** The database's security group: 5432 from the backend instances only. */
  databaseSecurityGroupId: pulumi.Output<string>;
  /** This region's Aurora cluster (the primary at home, a secondary on a standby). */
  clusterIdentifier: pulumi.Output<string>;
  /** ARN of this region's cluster (backups, the failover plan). */
  clusterArn: pulumi.Output<string>;
  /** The cluster's instance class (`db.serverless` for Aurora Serverless v2), for the failover plan. */
  instanceClass: string;
  /** ARNs of the cluster's instances, for the failover plan's provisioned scaling block. */
  instanceArns: pulumi.Output<string[]>;
  /** The cluster's writer endpoint; on a standby it accepts writes only after a global failover. */
  writerEndpoint: pulumi.Output<string>;
  /** The cluster's reader endpoint. */
  readerEndpoint: pulumi.Output<string>;
  /** The DynamoDB table's name, the same in every region. */
  tableName: pulumi.Output<string>;
  /** The table's ARN in this region (the replica's on a standby). */
  tableArn: pulumi.Output<string>;
  /**
   * Home only: the master credentials' secret (JSON username/password), for the bootstrap of the
   * application's database user (AppDatabaseUser) and nothing else. Its value (the SecretVersion)
   * exists once this resolves. Standby: undefined (no master credentials outside the home).
   */
  masterSecretArn: pulumi.Output<string> | undefined;
  /** This region's data tier as the backend reads it (Integrations publishes it in SSM). */
  connection: pulumi.Output<DataConnection>;
  /** Home: every HOME_OUTPUT_NAMES entry, to export. Standby: empty. */
  homeOutputs: Record<string, pulumi.Output<string>>;
  /** Region whose cluster holds the global database's writer (`writerRegionOf`). */
  writerRegion: string;
  /** True when this region's cluster holds the writer (its alarms watch a writer, not a secondary). */
  isWriter: boolean;
}

/**
 * Region whose Aurora cluster holds the writer: the home's `database.writerRegion` (its own region when
 * unset); on a standby, what the home exports as `dbWriterRegion`, so the stacks cannot disagree.
 */
export function writerRegionOf(args: {
  home: boolean;
  region: string;
  database: Pick<DatabaseConfig, "writerRegion">;
  homeOutputs?: Pick<HomeOutputs, "dbWriterRegion">;
}): string {
  return args.home ? (args.database.writerRegion ?? args.region) : args.homeOutputs!.dbWriterRegion;
}

/**
 * Inputs of aws.rds.Cluster that force a replacement when they change: `ForceNew: true` in the
 * provider's schema (terraform-provider-aws internal/service/rds/cluster.go, resourceCluster; the
 * nested s3_import and restore_to_point_in_time blocks are ForceNew throughout). A cluster of this
 * program must never see one of them change: a replacement deletes the cluster (after its final
 * snapshot), and a member of a global database cannot even be re-created in place.
 */
export const CLUSTER_FORCE_NEW_INPUTS = [
  "availabilityZones",
  "clusterIdentifier",
  "clusterIdentifierPrefix",
  "clusterScalabilityType",
  "databaseName",
  "dbSubnetGroupName",
  "dbSystemId",
  "engine",
  "engineMode",
  "kmsKeyId",
  "masterUsername",
  "restoreToPointInTime",
  "s3Import",
  "snapshotIdentifier",
  "sourceRegion",
  "storageEncrypted",
] as const;

/**
 * What the home's cluster ignores besides what AWS manages, so that it moves between the writer and
 * a secondary without being replaced (docs/operations.md, "Which region holds the writer").
 *
 * The home creates its cluster as the global database's **primary** (databaseName, masterUsername,
 * masterPassword) while the writer is at home, and as a **secondary** (none of the three: "RDS rejects
 * masterUsername / masterPassword / databaseName" on a secondary, see the standby's cluster) when
 * `database.writerRegion` names another region. After a switchover or a managed failover the cluster
 * that exists is the same one, now a secondary: Aurora "automatically adds it back to the global
 * cluster as a secondary Region" once its region recovers (Aurora User Guide, "Using switchover or
 * failover in Amazon Aurora Global Database", managed failover; a switchover "maintains your global
 * database's existing replication topology"). Pulumi's ignoreChanges keeps a property's value from the
 * state, or drops it when the state has none, and the program's value is used only on create
 * (Pulumi docs, "Resource option: ignoreChanges"; pulumi/pulumi PropertyPath.Reset). So:
 *
 * - databaseName and masterUsername are ForceNew (CLUSTER_FORCE_NEW_INPUTS) and exist only when the
 *   cluster was created as a primary: always ignored, whichever way the cluster was created and
 *   wherever the writer is. A later change of `database.databaseName` does not rename the database.
 * - masterPassword is not ForceNew; while the writer is elsewhere it is ignored (RDS would refuse to
 *   set it on a secondary), and so is enableHttpEndpoint (the Data API is for a global database's
 *   primary only; the bootstrap runs only while the writer is at home). Once the writer is back, a cluster that had been re-created as a secondary
 *   gets it set once, in place, to the password the global database already has.
 */
export function homeClusterIgnores(writerHere: boolean): string[] {
  return ["databaseName", "masterUsername", ...(writerHere ? [] : ["masterPassword", "enableHttpEndpoint"])];
}

export class DataTier extends Component<DataTierOutputs> {
  constructor(name: string, args: DataTierArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-web:data:DataTier", name, args, opts);
    validateDataTierArgs(args);

    const protect = args.protect ?? true;
    const deletionProtection = args.deletionProtection ?? true;
    const db = args.database;
    const writerRegion = writerRegionOf(args);
    const isWriter = writerRegion === args.region;
    // A standby follows the global database's version, not its own config: a secondary must match it.
    const engineVersion = args.home ? db.engineVersion : (args.homeOutputs as HomeOutputs).dbEngineVersion;
    // Physical names that must be stable and unique per stack (aliases, identifiers, snapshots).
    const base = rdsIdentifier([pulumi.getProject(), pulumi.getStack()], RDS_BASE_MAX);
    const keyArn = args.kmsKeyArn;

    // ---- Network: subnet group on the isolated subnets, a security group open to the backend only.
    const subnetGroup = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      {
        description: "Aurora: isolated subnets, no route to the internet",
        subnetIds: args.isolatedSubnetIds,
      },
      { parent: this },
    );
    // No inline rules: the provider removes AWS's default allow-all egress, and the database never
    // initiates connections, so the one ingress rule below is the whole policy.
    const dbSg = new aws.ec2.SecurityGroup(
      `${name}-db-sg`,
      { vpcId: args.vpcId, description: "Aurora PostgreSQL: 5432 from the backend instances only" },
      { parent: this },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-db-from-backend`,
      {
        securityGroupId: dbSg.id,
        referencedSecurityGroupId: args.backendSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: DB_PORT,
        toPort: DB_PORT,
        description: "PostgreSQL from the backend instances",
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-backend-to-db`,
      {
        securityGroupId: args.backendSecurityGroupId,
        referencedSecurityGroupId: dbSg.id,
        ipProtocol: "tcp",
        fromPort: DB_PORT,
        toPort: DB_PORT,
        description: "PostgreSQL to the Aurora cluster",
      },
      { parent: this },
    );

    // Require TLS for every connection (not the default on every Aurora PostgreSQL version).
    const parameterGroup = new aws.rds.ClusterParameterGroup(
      `${name}-cluster-params`,
      {
        family: `${DB_ENGINE}${engineMajor(engineVersion)}`,
        description: "Aurora PostgreSQL: TLS required",
        parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "immediate" }],
      },
      { parent: this },
    );

    const serverless = db.instanceClass === "db.serverless";
    // A fixed identifier, so the log group RDS exports to can exist before the cluster: left to RDS,
    // it is created on the first export with no retention at all (logs kept, and paid for, forever).
    const clusterIdentifier = rdsIdentifier([base, "cluster"]);
    const postgresLogs = new aws.cloudwatch.LogGroup(
      `${name}-postgresql-logs`,
      {
        name: `/aws/rds/cluster/${clusterIdentifier}/postgresql`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: keyArn,
      },
      { parent: this },
    );
    // What every cluster in the global database shares, primary or secondary.
    const clusterCommon = {
      clusterIdentifier,
      engine: DB_ENGINE,
      // No upgrades in a maintenance window on our say-so. For members of a global database the flag
      // is not honoured anyway ("configurations where automatic minor version upgrades are
      // unsupported, including Aurora clusters in a Global Database", AWS Config rule
      // rds-automatic-minor-version-upgrade-enabled), and AWS can still apply a minor version for
      // critical security fixes or at end of support: the engine version policy (engineMajor) lets it.
      autoMinorVersionUpgrade: false,
      storageEncrypted: true,
      kmsKeyId: keyArn,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [dbSg.id],
      dbClusterParameterGroupName: parameterGroup.name,
      port: DB_PORT,
      deletionProtection,
      // Always, teardown included (docs/teardown.md): the final snapshot is what a destroy leaves.
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${base}-aurora-final`,
      // Keep automated backups after a deletion: they are the last restore point.
      deleteAutomatedBackups: false,
      backupRetentionPeriod: db.backupRetentionDays,
      preferredBackupWindow: "03:00-04:00",
      preferredMaintenanceWindow: "sun:05:00-sun:06:00",
      copyTagsToSnapshot: true,
      iamDatabaseAuthenticationEnabled: true,
      enabledCloudwatchLogsExports: ["postgresql"],
      serverlessv2ScalingConfiguration: serverless
        ? { minCapacity: db.serverlessMinCapacity, maxCapacity: db.serverlessMaxCapacity }
        : undefined,
      // A secondary forwards the writes its sessions send to the primary's writer, so the standby's
      // backend can write before (and without) a database failover. Set on the primary too: "this
      // value is used immediately if the primary is demoted by a global cluster API operation"
      // (RDS API, CreateDBCluster EnableGlobalWriteForwarding), so after a switchover the old home
      // forwards its writes to the new writer. Aurora PostgreSQL supports it on 14.9+, 15.4+ and every
      // 16 and later version (Aurora User Guide, "Using write forwarding in an Aurora PostgreSQL global
      // database"); config.ts checks the engine version. Sessions opt in with
      // apg_write_forward.consistency_mode (default SESSION) and write through the reader endpoint.
      enableGlobalWriteForwarding: true,
    };
    // AWS, not this program, manages global-database membership: a switchover or failover sets
    // replicationSourceIdentifier on the new secondary, and a detach-and-promote clears
    // globalClusterIdentifier. Re-applying either would promote a secondary to a standalone cluster
    // or try to re-join a promoted one. The provider documents ignoring them:
    //   hashicorp/terraform-provider-aws#13715 (ignore_changes on replication_source_identifier, and
    //     PR #14490 / #40921), #43214 (the secondary cannot declare it at create time),
    //   cloudposse/terraform-aws-rds-cluster#281 (global_cluster_identifier -> null drift detaches
    //     the cluster from the global database).
    // engineVersion: the engine version policy (engineMajor). Members ignore it, as the provider's GlobalCluster docs
    // ("Upgrading Engine Versions") prescribe, see hashicorp/terraform-provider-aws#36107, #36246, #41127.
    const managedByAws = ["replicationSourceIdentifier", "globalClusterIdentifier", "engineVersion"];

    let cluster: aws.rds.Cluster;
    let tableName: pulumi.Output<string>;
    let tableArn: pulumi.Output<string>;
    let masterSecretArn: pulumi.Output<string> | undefined;
    let databaseName: pulumi.Output<string>;
    let globalWriterEndpoint: pulumi.Output<string>;
    let homeOutputs: Record<string, pulumi.Output<string>> = {};

    if (args.home) {
      const globalCluster = new aws.rds.GlobalCluster(
        `${name}-global`,
        {
          globalClusterIdentifier: rdsIdentifier([base, "aurora"]),
          engine: DB_ENGINE,
          engineVersion,
          storageEncrypted: true,
          deletionProtection,
        },
        // The engine version policy (engineMajor): the configured version is the creation version; AWS's minor
        // upgrades are not undone by the next `pulumi up --refresh`.
        { parent: this, protect, ignoreChanges: ["engineVersion"] },
      );

      // Not manageMasterUserPassword: RDS-managed master passwords are not supported for clusters in
      // an Aurora global database (Aurora User Guide, "Limitations for Secrets Manager integration").
      // RDS rejects '/', '@', '"', "'" and spaces in master passwords.
      const password = new random.RandomPassword(
        `${name}-master-password`,
        {
          length: 32,
          special: true,
          overrideSpecial: "!#$%&*()-_=+[]{}<>:?~^.,",
          minLower: 1,
          minUpper: 1,
          minNumeric: 1,
          minSpecial: 1,
        },
        { parent: this },
      );

      // The same resource (URN `${name}-primary`) whichever region holds the writer: built as the
      // global database's primary while the writer is here, as a secondary once the plan has moved it
      // (homeClusterIgnores says why neither build replaces the other). Never sourceRegion,
      // replicationSourceIdentifier or snapshotIdentifier: a secondary of a global database needs
      // none, and each is ForceNew or promotes the cluster.
      cluster = new aws.rds.Cluster(
        `${name}-primary`,
        isWriter
          ? {
              ...clusterCommon,
              engineVersion: globalCluster.engineVersion,
              globalClusterIdentifier: globalCluster.id,
              databaseName: db.databaseName,
              masterUsername: db.masterUsername,
              masterPassword: password.result,
              // The RDS Data API, through which AppDatabaseUser bootstraps the application's user with
              // no network path to the database: Aurora PostgreSQL 13.11+, 14.8+, 15.3+, 16.1+, 17.4+,
              // 18.3+ (Aurora User Guide, "Supported Regions and Aurora DB engines for RDS Data API";
              // every version config/awsCatalog.json accepts is above them, tests/appDatabaseUser.test.ts),
              // on the primary of a global database, not on T classes (which global databases refuse
              // too) ("Limitations for the Amazon RDS Data API"). The provider calls EnableHttpEndpoint
              // for provisioned and Serverless v2 clusters (hashicorp/terraform-provider-aws#38997).
              // While the writer is elsewhere homeClusterIgnores leaves it as it is.
              enableHttpEndpoint: true,
            }
          : {
              ...clusterCommon,
              // A secondary joins at the version the global database runs.
              engineVersion: globalCluster.engineVersionActual,
              globalClusterIdentifier: globalCluster.id,
            },
        {
          parent: this,
          protect,
          ignoreChanges: [...managedByAws, ...homeClusterIgnores(isWriter)],
          dependsOn: [postgresLogs],
        },
      );

      // The form the RDS Data API reads (username, password). Used once, by AppDatabaseUser's
      // bootstrap; no stack exports it and no standby holds a copy (docs/operations.md, "The
      // application's database user": how it is rotated, and used after a failover).
      const credentials = password.result.apply((pw) =>
        JSON.stringify({
          username: db.masterUsername,
          password: pw,
          engine: "postgres",
          dbname: db.databaseName,
        }),
      );
      const secret = new aws.secretsmanager.Secret(
        `${name}-master-secret`,
        {
          description: `${base}: Aurora master credentials (bootstrap of the application's database user only)`,
          kmsKeyId: keyArn,
          recoveryWindowInDays: 30,
        },
        { parent: this, protect },
      );
      const secretValue = new aws.secretsmanager.SecretVersion(
        `${name}-master-secret-value`,
        // Already a secret (a generated password); wrapped again so no refactor can leak it.
        { secretId: secret.id, secretString: pulumi.secret(credentials) },
        { parent: this },
      );
      // The version's `arn` is the secret's: whoever reads it waits for the value, not only the secret.
      masterSecretArn = secretValue.arn;

      const table = new aws.dynamodb.Table(
        `${name}-table`,
        {
          billingMode: "PAY_PER_REQUEST",
          hashKey: "pk",
          rangeKey: "sk",
          attributes: [
            { name: "pk", type: "S" },
            { name: "sk", type: "S" },
          ],
          // Global tables (2019.11.21) replicate through the stream; it must carry both images.
          streamEnabled: true,
          streamViewType: "NEW_AND_OLD_IMAGES",
          pointInTimeRecovery: { enabled: true },
          serverSideEncryption: { enabled: true, kmsKeyArn: keyArn },
          deletionProtectionEnabled: deletionProtection,
        },
        // Replicas are TableReplica resources in the standby stacks; without this the home stack
        // would remove them on its next update.
        { parent: this, protect, ignoreChanges: ["replicas"] },
      );

      tableName = table.name;
      tableArn = table.arn;
      databaseName = pulumi.output(db.databaseName);
      globalWriterEndpoint = globalCluster.endpoint;
      const exported: Record<HomeOutputName, pulumi.Output<string>> = {
        homeRegion: pulumi.output(args.region),
        globalClusterIdentifier: globalCluster.id,
        dbName: databaseName,
        // What runs, not what was configured: a new standby must join at the running version.
        dbEngineVersion: globalCluster.engineVersionActual,
        dbGlobalWriterEndpoint: globalWriterEndpoint,
        dbWriterRegion: pulumi.output(writerRegion),
        dynamoTableName: table.name,
        dynamoTableArn: table.arn,
      };
      homeOutputs = exported;
    } else {
      const home = args.homeOutputs as HomeOutputs;
      // A secondary cluster takes its credentials and database name from the global database: RDS
      // rejects masterUsername / masterPassword / databaseName here.
      cluster = new aws.rds.Cluster(
        `${name}-secondary`,
        {
          ...clusterCommon,
          engineVersion,
          globalClusterIdentifier: home.globalClusterIdentifier,
        },
        {
          parent: this,
          protect,
          // The failover plan's Aurora Serverless scaling block raises the minimum and maximum ACUs
          // before the writer moves ("Executing this block modifies the min and max ACU capacity
          // settings … may cause configuration drift", ARC Developer Guide, "Aurora Serverless
          // Scaling execution block"); a `pulumi up` mid-incident must not shrink the new writer.
          ignoreChanges: serverless ? [...managedByAws, "serverlessv2ScalingConfiguration"] : managedByAws,
          dependsOn: [postgresLogs],
        },
      );
      // The standby's provider is in this region: that makes this the replica's region.
      const replica = new aws.dynamodb.TableReplica(
        `${name}-table-replica`,
        {
          globalTableArn: home.dynamoTableArn,
          kmsKeyArn: keyArn,
          pointInTimeRecovery: true,
          deletionProtectionEnabled: deletionProtection,
        },
        { parent: this, protect },
      );
      tableName = pulumi.output(home.dynamoTableName);
      tableArn = replica.arn;
      databaseName = pulumi.output(home.dbName);
      globalWriterEndpoint = pulumi.output(home.dbGlobalWriterEndpoint);
    }

    // Explicit AZs, one per instance in turn, so the writer and its failover reader never share an
    // AZ (RDS alone does not guarantee that). They are the VPC's own AZs, so every AZ chosen has an
    // isolated subnet in the subnet group.
    const zones = args.availabilityZones;
    const instances: aws.rds.ClusterInstance[] = [];
    for (let i = 0; i < db.instanceCount; i++) {
      // The first instance Aurora brings up is the writer; a failover may swap roles, so the names
      // are positions, not roles. promotionTier orders the failover candidates.
      const instance = new aws.rds.ClusterInstance(
        `${name}-instance-${i}`,
        {
          clusterIdentifier: cluster.id,
          engine: DB_ENGINE,
          instanceClass: db.instanceClass,
          availabilityZone: zones[i % zones.length],
          promotionTier: Math.min(i, 15),
          publiclyAccessible: false,
          autoMinorVersionUpgrade: false,
          performanceInsightsEnabled: true,
          performanceInsightsKmsKeyId: keyArn,
          performanceInsightsRetentionPeriod: 7,
          copyTagsToSnapshot: true,
        },
        // Not protected, unlike the cluster: an instance holds no data (Aurora keeps it in the
        // cluster volume), and a role flip must be able to add or remove a reader (active 2,
        // passive 1). The runbook flips roles only after the writer has moved, so the instance
        // removed is a reader. On a standby of a smaller provisioned class, the failover plan's
        // Aurora provisioned scaling block raises the class to the home's ("Region switch modifies
        // the target instance to match the source class", ARC Developer Guide, "Aurora Provisioned
        // Scaling execution block"): a `pulumi up` must not shrink it back under the writer.
        { parent: this, ...(args.home || serverless ? {} : { ignoreChanges: ["instanceClass"] }) },
      );
      instances.push(instance);
    }

    this.publish({
      databaseSecurityGroupId: dbSg.id,
      clusterIdentifier: cluster.clusterIdentifier,
      clusterArn: cluster.arn,
      instanceClass: db.instanceClass,
      instanceArns: pulumi.all(instances.map((i) => i.arn)),
      writerEndpoint: cluster.endpoint,
      readerEndpoint: cluster.readerEndpoint,
      tableName,
      tableArn,
      masterSecretArn,
      connection: pulumi.output({
        writerEndpoint: cluster.endpoint,
        readerEndpoint: cluster.readerEndpoint,
        port: cluster.port,
        databaseName,
        tableName,
        tableArn,
        globalWriterEndpoint,
        clusterResourceId: cluster.clusterResourceId,
        kmsKeyArn: keyArn,
      }),
      homeOutputs,
      writerRegion,
      isWriter,
    });
  }
}
