/**
 * The application's database user: the least-privilege PostgreSQL role the backend logs in as with
 * IAM database authentication, created in the home's cluster by a one-shot bootstrap.
 *
 *   home stack: Lambda (appDatabaseUser.py) ─RDS Data API, master secret─▶ the primary cluster's writer
 *               run by aws.lambda.Invocation when the cluster is new or the bootstrap changes
 *
 * The role, its grant of rds_iam and its schema live in the database, so they replicate to every
 * cluster of the global database: a standby's backend logs in to its own region's cluster with the same
 * user, before and after a failover, and no standby runs a bootstrap of its own. The master password is
 * read by this function only (no stack exports it): docs/operations.md, "The application's database
 * user".
 *
 * Why the Data API: it needs no network path from the deployer (or a Lambda in the VPC) to the
 * database, and no PostgreSQL driver, which the Lambda Python runtime does not ship.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_DB_USER } from "../config";
import { Component } from "./component";

/** The PostgreSQL role the backend logs in as (`db/user` in SSM); config/rules.ts keeps the master off it. */
export { APP_DB_USER };
/** The schema the backend owns its objects in, and its search_path. */
export const APP_DB_SCHEMA = "app";

/** The bootstrap's code, shipped as the function's `index.py`. */
export const BOOTSTRAP_SOURCE = fs.readFileSync(path.join(__dirname, "appDatabaseUser.py"), "utf8");

/** A plain lower-case PostgreSQL identifier: the only names the bootstrap writes into SQL. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The minimum Aurora PostgreSQL minor of each major that the RDS Data API supports on provisioned and
 * Serverless v2 clusters (Aurora User Guide, "Supported Regions and Aurora DB engines for RDS Data API":
 * 13.11, 14.8, 15.3, 16.1, 17.4 and, in the current table, 18.3 and higher).
 */
export const DATA_API_MINIMUM: Readonly<Record<string, number>> = {
  "13": 11,
  "14": 8,
  "15": 3,
  "16": 1,
  "17": 4,
  "18": 3,
};

/** Whether the RDS Data API supports an aurora-postgresql version (`17.9`). */
export function dataApiSupports(version: string): boolean {
  const [major, minor] = version.split(".");
  const minimum = DATA_API_MINIMUM[major];
  return minimum !== undefined && Number(minor) >= minimum;
}

/**
 * The IAM resource of `rds-db:connect` for one database user of one cluster:
 * `arn:<partition>:rds-db:<region>:<account>:dbuser:<DbClusterResourceId>/<user>` (Aurora User Guide,
 * "Creating and using an IAM policy for IAM database access"; Service Authorization Reference, Amazon
 * RDS IAM Authentication, resource type db-user). The resource id is the cluster's (`cluster-…`), not
 * its name, and each cluster of a global database has its own.
 */
export function dbConnectArn(v: {
  partition: string;
  region: string;
  accountId: string;
  clusterResourceId: string;
  user: string;
}): string {
  if (!/^cluster-[A-Z0-9]+$/.test(v.clusterResourceId)) {
    throw new Error(`dbConnectArn: "${v.clusterResourceId}" is not a DB cluster resource id (cluster-…)`);
  }
  if (!IDENTIFIER.test(v.user)) throw new Error(`dbConnectArn: "${v.user}" is not a database user name`);
  return `arn:${v.partition}:rds-db:${v.region}:${v.accountId}:dbuser:${v.clusterResourceId}/${v.user}`;
}

/**
 * Trust policy of the bootstrap's role: lambda.amazonaws.com, with no confused-deputy condition, as
 * the home probe's (components/homeProbe.ts says why: the Lambda Developer Guide documents none for an
 * execution role, and a condition Lambda did not meet would fail every first deploy).
 */
export function bootstrapTrustPolicy(): object {
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
 * The bootstrap's permissions, and nothing else:
 * - rds-data:ExecuteStatement on the one cluster (resource type `cluster`, Service Authorization
 *   Reference, Amazon RDS Data API);
 * - the master secret, which the Data API reads with the caller's permissions (as AWS's managed policy
 *   AmazonRDSDataFullAccess grants GetSecretValue next to rds-data:*; the page "Authorizing access to
 *   RDS Data API" was not read here: unverified), and its key through Secrets Manager only (a customer
 *   managed key needs kms:Decrypt of the caller; that Secrets Manager asks for it on the caller's
 *   behalf on the Data API's path: unverified);
 * - its own log group (no logs:CreateLogGroup: the group exists first, with its retention).
 */
export function bootstrapPolicy(v: {
  region: string;
  clusterArn: string;
  secretArn: string;
  secretKeyArn: string;
  logGroupArn: string;
}): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "RunBootstrapStatements",
        Effect: "Allow",
        Action: ["rds-data:ExecuteStatement"],
        Resource: [v.clusterArn],
      },
      {
        Sid: "ReadMasterSecret",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: [v.secretArn],
      },
      {
        Sid: "DecryptMasterSecret",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: [v.secretKeyArn],
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${v.region}.amazonaws.com` } },
      },
      {
        Sid: "WriteOwnLogGroup",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        // The provider's LogGroup `arn` has no trailing `:*`; streams are under it.
        Resource: [`${v.logGroupArn}:*`],
      },
    ],
  };
}

export interface AppDatabaseUserArgs {
  /** This region's (the home's) Aurora cluster, the primary of the global database. */
  clusterArn: pulumi.Input<string>;
  /**
   * The cluster's instances: the bootstrap runs once they exist, since the Data API runs statements on
   * the writer. Only an ordering: a change of instances does not run the bootstrap again.
   */
  instanceArns: pulumi.Input<string[]>;
  /** The master credentials' secret (JSON with username and password), as the Data API reads it. */
  masterSecretArn: pulumi.Input<string>;
  /** The key that encrypts that secret (the region's data key). */
  masterSecretKeyArn: pulumi.Input<string>;
  /** The database the application uses (the cluster's `databaseName`). */
  databaseName: string;
  /** The role the backend logs in as. @default APP_DB_USER */
  user?: string;
  /** The schema the role uses and creates objects in. @default APP_DB_SCHEMA */
  schema?: string;
  /**
   * Run the bootstrap (the Data API reaches only the global database's primary): false while
   * `database.writerRegion` names another region, so that nothing fails while the writer is away; the
   * user is already there, replicated. @default true
   */
  bootstrap?: boolean;
  /** Retention of the function's log group (a CloudWatch Logs value). */
  logRetentionDays: number;
  /** The key that encrypts the function's log group. */
  logKmsKeyArn: pulumi.Input<string>;
}

export interface AppDatabaseUserOutputs {
  /** The role the backend logs in as. */
  user: string;
  /** Its schema. */
  schema: string;
  /** The bootstrap function (invoke it again by hand: docs/operations.md). */
  functionName: pulumi.Output<string>;
}

/** Throws before any resource is registered when a name could not be written into SQL as is. */
export function validateAppDatabaseUserArgs(args: {
  databaseName: string;
  user: string;
  schema: string;
}): void {
  for (const [key, value] of Object.entries(args)) {
    if (!IDENTIFIER.test(value)) {
      throw new Error(
        `AppDatabaseUser: ${key} "${value}" must be a plain lower-case PostgreSQL identifier (${String(IDENTIFIER)})`,
      );
    }
  }
}

export class AppDatabaseUser extends Component<AppDatabaseUserOutputs> {
  constructor(name: string, args: AppDatabaseUserArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-web:data:AppDatabaseUser", name, args, opts);
    const user = args.user ?? APP_DB_USER;
    const schema = args.schema ?? APP_DB_SCHEMA;
    validateAppDatabaseUserArgs({ databaseName: args.databaseName, user, schema });

    // Lambda function names are per account and region: qualify with the project and stack (64 max).
    const functionName = `${pulumi.getProject()}-${pulumi.getStack()}-${name}`
      .replace(/[^A-Za-z0-9_-]/g, "-")
      .slice(0, 64);
    const tags = { Name: name };
    const region = aws.getRegionOutput({}, { parent: this }).region;

    // Lambda logs to /aws/lambda/<function name>, created on the first invocation with no retention
    // ("Configuring CloudWatch log groups", Lambda Developer Guide): created here first.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
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
        description: `Bootstraps the database user ${user} through the RDS Data API`,
        assumeRolePolicy: JSON.stringify(bootstrapTrustPolicy()),
        tags,
      },
      { parent: this },
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.id,
        policy: pulumi.jsonStringify(
          pulumi
            .all([region, args.clusterArn, args.masterSecretArn, args.masterSecretKeyArn, logGroup.arn])
            .apply(([r, clusterArn, secretArn, secretKeyArn, logGroupArn]) =>
              bootstrapPolicy({ region: r, clusterArn, secretArn, secretKeyArn, logGroupArn }),
            ),
        ),
      },
      { parent: this },
    );
    const fn = new aws.lambda.Function(
      `${name}-function`,
      {
        name: functionName,
        description: `Creates the least-privilege IAM database user ${user} (schema ${schema}) through the RDS Data API`,
        runtime: aws.lambda.Runtime.Python3d13,
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({ "index.py": new pulumi.asset.StringAsset(BOOTSTRAP_SOURCE) }),
        role: role.arn,
        // Twelve tries 15 s apart while the writer comes up, and the statements: inside 300 s.
        timeout: 300,
        memorySize: 128,
        // No vpcConfig: the Data API is an AWS endpoint, reached from Lambda's own network.
        environment: {
          variables: {
            CLUSTER_ARN: args.clusterArn,
            SECRET_ARN: args.masterSecretArn,
            DATABASE: args.databaseName,
            APP_USER: user,
            APP_SCHEMA: schema,
          },
        },
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        tags,
      },
      // The run below must find its permissions in place.
      { parent: this, dependsOn: [policy] },
    );

    // What the bootstrap applies, readable in the plan and the state (no secret in it). The provider
    // invokes on create and replaces on a change of `input` or `triggers` ("CREATE_ONLY", the
    // default: hashicorp/terraform-provider-aws internal/service/lambda/invocation.go); deleting it
    // invokes nothing, so the user outlives a removal. A failed run (a FunctionError) fails the update.
    // The cluster ARN is read through the instances' ARNs: the run waits for the writer, and a change
    // of instances (a role flip) changes nothing here.
    const clusterOnceInstancesExist = pulumi
      .all([args.clusterArn, args.instanceArns])
      .apply(([clusterArn]) => clusterArn);
    if (args.bootstrap ?? true) {
      new aws.lambda.Invocation(
        `${name}-bootstrap`,
        {
          functionName: fn.name,
          input: pulumi.jsonStringify({
            cluster: clusterOnceInstancesExist,
            database: args.databaseName,
            user,
            schema,
          }),
          // A new bootstrap runs again (idempotent): the code is what decides what it does.
          triggers: {
            source: crypto.createHash("sha256").update(BOOTSTRAP_SOURCE).digest("hex"),
          },
        },
        { parent: this },
      );
    }

    this.publish({ user, schema, functionName: fn.name });
  }
}
