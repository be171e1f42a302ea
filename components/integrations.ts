/**
 * The backend's outside services from the diagram: SNS (messages to customers), mail (SES, or an
 * external SMTP provider) and maps (Amazon Location Service); the SSM parameters through which the
 * backend discovers them and this region's data tier; and the one IAM policy that lets the backend
 * role use exactly these resources, its database included: it logs in to this region's Aurora cluster
 * as the application's user (AppDatabaseUser) with IAM database authentication, never with a password.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MailConfig, MapsConfig } from "../config";
import { APP_DB_USER, dbConnectArn } from "./appDatabaseUser";
import { Component } from "./component";
import { DataConnection } from "./dataTier";

export interface IntegrationsArgs {
  /** The app domain; the SES identity when mail.provider is "ses". */
  domain: string;
  /** Public hosted zone that holds `domain` (DKIM records go there). */
  hostedZoneId: pulumi.Input<string>;
  mail: MailConfig;
  maps: MapsConfig;
  /** This region's data key: encrypts the topic and the SMTP secret. */
  kmsKeyArn: pulumi.Input<string>;
  /** Name of the backend instances' IAM role, which gets the policy. */
  backendRoleName: pulumi.Input<string>;
  /** The backend instances' security group: an external mail provider needs an SMTP egress rule on it. */
  backendSecurityGroupId: pulumi.Input<string>;
  /** This region's data tier, published for the backend in SSM. */
  data: pulumi.Input<DataConnection>;
  /** SSM path prefix, such as `/<project>/<stack>` (no trailing slash). */
  ssmPrefix: string;
  /** Pulumi `protect` on the stateful resources (the SMTP secret). @default true */
  protect?: boolean;
}

/** Mail as the IAM policy sees it: the SES identity, or the secret holding external SMTP credentials. */
export type MailAccess =
  | { provider: "ses"; identityArn: string; fromAddress: string }
  | { provider: "external"; smtpSecretArn: string };

/** Plain values the backend policy is built from (see `backendPolicyDocument`). */
export interface BackendPolicyValues {
  partition: string;
  region: string;
  accountId: string;
  topicArn: string;
  mail: MailAccess;
  placeIndexArn: string;
  mapArn: string;
  /** This region's Aurora cluster's resource id (`cluster-…`): each cluster of the global database has its own. */
  clusterResourceId: string;
  /** The database user the backend logs in as (AppDatabaseUser). */
  dbUser: string;
  /** The table's ARN in this region. */
  tableArn: string;
  /** Keys the backend decrypts with: this region's data key (the table's) and the topic's. */
  kmsKeyArns: string[];
  ssmPrefix: string;
}

interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** Item-level DynamoDB actions: no Scan, no table administration. */
export const DYNAMODB_ITEM_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:Query",
  "dynamodb:BatchGetItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:ConditionCheckItem",
];

/**
 * The backend role's one policy. Every action used here supports resource-level permissions, so no
 * statement needs `"Resource": "*"`.
 *
 * The database: rds-db:connect as its one user on this region's cluster only (`dbConnectArn`). A
 * standby's backend therefore logs in to its own region's cluster, which after a failover holds the
 * writer; it can read no secret of the database (no stack hands it the master password).
 */
export function backendPolicyDocument(v: BackendPolicyValues): PolicyDocument {
  const ssmPath = `arn:${v.partition}:ssm:${v.region}:${v.accountId}:parameter${v.ssmPrefix}`;
  const statements: PolicyStatement[] = [
    { Sid: "PublishCustomerMessages", Effect: "Allow", Action: ["sns:Publish"], Resource: [v.topicArn] },
  ];
  if (v.mail.provider === "ses") {
    statements.push({
      Sid: "SendMailFromIdentity",
      Effect: "Allow",
      Action: ["ses:SendEmail", "ses:SendRawEmail"],
      Resource: [v.mail.identityArn],
      Condition: { StringEquals: { "ses:FromAddress": v.mail.fromAddress } },
    });
  } else {
    statements.push({
      Sid: "ReadSmtpCredentials",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: [v.mail.smtpSecretArn],
    });
  }
  statements.push(
    {
      Sid: "SearchPlaces",
      Effect: "Allow",
      Action: ["geo:SearchPlaceIndexForText", "geo:SearchPlaceIndexForPosition", "geo:GetPlace"],
      Resource: [v.placeIndexArn],
    },
    {
      Sid: "ReadMap",
      Effect: "Allow",
      Action: ["geo:GetMapTile", "geo:GetMapStyleDescriptor", "geo:GetMapGlyphs", "geo:GetMapSprites"],
      Resource: [v.mapArn],
    },
    {
      // IAM database authentication: the backend signs a token for this user with its role.
      Sid: "ConnectAsAppDatabaseUser",
      Effect: "Allow",
      Action: ["rds-db:connect"],
      Resource: [
        dbConnectArn({
          partition: v.partition,
          region: v.region,
          accountId: v.accountId,
          clusterResourceId: v.clusterResourceId,
          user: v.dbUser,
        }),
      ],
    },
    {
      Sid: "ReadWriteTableItems",
      Effect: "Allow",
      Action: DYNAMODB_ITEM_ACTIONS,
      Resource: [v.tableArn, `${v.tableArn}/index/*`],
    },
    {
      // Only through the services that hold our encrypted data in this region.
      Sid: "UseDataKeysThroughServices",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: [...new Set(v.kmsKeyArns)],
      Condition: {
        StringEquals: {
          // Secrets Manager only for the external provider's SMTP secret: the backend reads no other.
          "kms:ViaService": [
            "sns",
            ...(v.mail.provider === "external" ? ["secretsmanager"] : []),
            "dynamodb",
          ].map((s) => `${s}.${v.region}.amazonaws.com`),
        },
      },
    },
    {
      Sid: "ReadServiceDiscoveryParameters",
      Effect: "Allow",
      Action: ["ssm:GetParameter", "ssm:GetParameters"],
      Resource: [`${ssmPath}/*`],
    },
    {
      Sid: "ListServiceDiscoveryParameters",
      Effect: "Allow",
      Action: ["ssm:GetParametersByPath"],
      Resource: [ssmPath, `${ssmPath}/*`],
    },
  );
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * Topic policy: no message reaches the topic or leaves it in clear text.
 *
 * - Publishing and subscribing without TLS are denied (the form of "Enforce encryption of data in
 *   transit", Amazon SNS Developer Guide, security best practices, extended from Publish to Subscribe).
 * - SNS has no action for receiving: deliveries are SNS's own, over the subscription's protocol. What
 *   reaches subscribers in clear text is an `http` subscription, so subscribing with that protocol is
 *   denied (the `sns:Protocol` key of Subscribe). The actions and the key are those the Service
 *   Authorization Reference lists for Amazon SNS (and the SNS Developer Guide's "Amazon SNS API
 *   permissions: Action and resource reference"); `sns:Receive` is not one of them, so it denied nothing.
 */
export function topicPolicyDocument(topicArn: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["sns:Publish", "sns:Subscribe"],
        Resource: topicArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyPlaintextDeliveries",
        Effect: "Deny",
        Principal: "*",
        Action: ["sns:Subscribe"],
        Resource: topicArn,
        Condition: { StringEquals: { "sns:Protocol": "http" } },
      },
    ],
  };
}

/** The SSM parameter names (relative to the prefix) the backend reads, per mail provider. */
export function parameterKeys(provider: MailConfig["provider"]): string[] {
  return [
    "db/writerEndpoint",
    "db/readerEndpoint",
    "db/globalWriterEndpoint",
    "db/port",
    "db/name",
    "db/user",
    "dynamodb/tableName",
    "sns/topicArn",
    "maps/placeIndexName",
    "maps/mapName",
    "mail/provider",
    "mail/fromAddress",
    ...(provider === "external" ? ["mail/smtpSecretArn"] : []),
  ];
}

export interface IntegrationsOutputs {
  /** The SNS topic for messages to customers. */
  topicArn: pulumi.Output<string>;
  /** The Amazon Location place index (geocoding). */
  placeIndexName: pulumi.Output<string>;
  /** The Amazon Location map. */
  mapName: pulumi.Output<string>;
  /** The backend's policy: exactly these resources. */
  policyArn: pulumi.Output<string>;
  /** SSM prefix under which the backend finds its endpoints. */
  parameterPrefix: string;
}

export class Integrations extends Component<IntegrationsOutputs> {
  constructor(name: string, args: IntegrationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-web:integrations:Integrations", name, args, opts);
    if (!/^\/[A-Za-z0-9_.\-/]*[A-Za-z0-9_.-]$/.test(args.ssmPrefix)) {
      throw new Error(
        `Integrations: ssmPrefix must start with "/" and not end with "/", got "${args.ssmPrefix}"`,
      );
    }
    const protect = args.protect ?? true;
    // Location Service names are per account and region: qualify them with the project and stack.
    const base = `${pulumi.getProject()}-${pulumi.getStack()}`.replace(/[^A-Za-z0-9._-]/g, "-");
    const data = pulumi.output(args.data);

    const topic = new aws.sns.Topic(
      `${name}-customer-messages`,
      { kmsMasterKeyId: args.kmsKeyArn },
      { parent: this },
    );
    new aws.sns.TopicPolicy(
      `${name}-customer-messages-tls-only`,
      { arn: topic.arn, policy: topic.arn.apply((arn) => JSON.stringify(topicPolicyDocument(arn))) },
      { parent: this },
    );

    let mail: pulumi.Output<MailAccess>;
    let smtpSecretArn: pulumi.Output<string> | undefined;
    if (args.mail.provider === "ses") {
      const identity = new aws.ses.DomainIdentity(
        `${name}-mail-domain`,
        { domain: args.domain },
        { parent: this },
      );
      // Easy DKIM: SES signs with keys published under <token>._domainkey, and these records also
      // verify the identity. No `_amazonses` TXT record: its token differs per region and every
      // regional stack would write the same record name (Route 53 rejects the second, or with
      // allowOverwrite the stacks overwrite each other's), while the DKIM names are unique per
      // region. SES API reference, VerifyDomainDkim: sending works "even if you haven't added the
      // TXT record provided by the VerifyDomainIdentity operation".
      const dkim = new aws.ses.DomainDkim(`${name}-mail-dkim`, { domain: identity.domain }, { parent: this });
      // SES always returns three tokens.
      for (let i = 0; i < 3; i++) {
        const token = dkim.dkimTokens.apply((tokens) => tokens[i]);
        new aws.route53.Record(
          `${name}-mail-dkim-${i}`,
          {
            zoneId: args.hostedZoneId,
            name: pulumi.interpolate`${token}._domainkey.${args.domain}`,
            type: "CNAME",
            ttl: 1800,
            records: [pulumi.interpolate`${token}.dkim.amazonses.com`],
          },
          { parent: this },
        );
      }
      const fromAddress = args.mail.fromAddress;
      mail = identity.arn.apply((identityArn) => ({ provider: "ses" as const, identityArn, fromAddress }));
    } else {
      const { smtpHost, smtpPort, smtpUsername, smtpPassword } = args.mail;
      if (!smtpHost || !smtpPort || !smtpUsername || !smtpPassword) {
        throw new Error(
          "Integrations: an external mail provider needs smtpHost, smtpPort, smtpUsername and smtpPassword",
        );
      }
      const secret = new aws.secretsmanager.Secret(
        `${name}-smtp-credentials`,
        {
          description: `${base}: SMTP credentials of the external mail provider`,
          kmsKeyId: args.kmsKeyArn,
          recoveryWindowInDays: 30,
        },
        { parent: this, protect },
      );
      new aws.secretsmanager.SecretVersion(
        `${name}-smtp-credentials-value`,
        {
          secretId: secret.id,
          secretString: pulumi.secret(
            pulumi
              .output(smtpPassword)
              .apply((password) =>
                JSON.stringify({ host: smtpHost, port: smtpPort, username: smtpUsername, password }),
              ),
          ),
        },
        { parent: this },
      );
      // The backend's group allows only HTTPS out; SMTP submission to the provider needs its port.
      // The provider's addresses are not ours to pin (DNS names, changing IPs), hence the open range.
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-backend-to-smtp`,
        {
          securityGroupId: args.backendSecurityGroupId,
          description: `SMTP submission to the external mail provider ${smtpHost}`,
          ipProtocol: "tcp",
          fromPort: smtpPort,
          toPort: smtpPort,
          cidrIpv4: "0.0.0.0/0",
        },
        { parent: this },
      );
      smtpSecretArn = secret.arn;
      mail = secret.arn.apply((arn) => ({ provider: "external" as const, smtpSecretArn: arn }));
    }

    const placeIndex = new aws.location.PlaceIndex(
      `${name}-places`,
      {
        indexName: `${base}-places`,
        dataSource: args.maps.dataSource,
        // Results are shown, not stored: storing them needs intendedUse "Storage" (and its pricing).
        dataSourceConfiguration: { intendedUse: "SingleUse" },
        description: "Address and place search for the backend",
      },
      { parent: this },
    );
    const map = new aws.location.Map(
      `${name}-map`,
      {
        mapName: `${base}-map`,
        configuration: { style: args.maps.mapStyle },
        description: "Map tiles for the app",
      },
      { parent: this },
    );

    // Service discovery: the backend reads these at start-up instead of values baked into user data.
    const values: Record<string, pulumi.Input<string>> = {
      "db/writerEndpoint": data.writerEndpoint,
      "db/readerEndpoint": data.readerEndpoint,
      "db/globalWriterEndpoint": data.globalWriterEndpoint,
      "db/port": data.port.apply(String),
      "db/name": data.databaseName,
      // The backend logs in as this user with an IAM token for this region's cluster (no password).
      "db/user": APP_DB_USER,
      "dynamodb/tableName": data.tableName,
      "sns/topicArn": topic.arn,
      "maps/placeIndexName": placeIndex.indexName,
      "maps/mapName": map.mapName,
      "mail/provider": args.mail.provider,
      "mail/fromAddress": args.mail.fromAddress,
    };
    if (smtpSecretArn) values["mail/smtpSecretArn"] = smtpSecretArn;
    for (const key of parameterKeys(args.mail.provider)) {
      // Endpoints, names and ARNs are not secret: String.
      new aws.ssm.Parameter(
        `${name}-param-${key.replace(/\//g, "-")}`,
        { name: `${args.ssmPrefix}/${key}`, type: "String", value: values[key] },
        { parent: this },
      );
    }

    const caller = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this });
    const document = pulumi
      .output({
        partition: partition.partition,
        region: region.region,
        accountId: caller.accountId,
        topicArn: topic.arn,
        mail,
        placeIndexArn: placeIndex.indexArn,
        mapArn: map.mapArn,
        data,
        kmsKeyArn: args.kmsKeyArn,
      })
      .apply((v) =>
        JSON.stringify(
          backendPolicyDocument({
            partition: v.partition,
            region: v.region,
            accountId: v.accountId,
            topicArn: v.topicArn,
            mail: v.mail,
            placeIndexArn: v.placeIndexArn,
            mapArn: v.mapArn,
            clusterResourceId: v.data.clusterResourceId,
            dbUser: APP_DB_USER,
            tableArn: v.data.tableArn,
            // The topic / SMTP secret key and the data key (the table's).
            kmsKeyArns: [v.kmsKeyArn, v.data.kmsKeyArn],
            ssmPrefix: args.ssmPrefix,
          }),
        ),
      );
    const policy = new aws.iam.Policy(
      `${name}-backend-policy`,
      {
        description:
          "Backend: exactly this region's topic, mail, maps, database user, table, keys and parameters",
        policy: document,
      },
      { parent: this },
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-backend-policy-attachment`,
      { role: args.backendRoleName, policyArn: policy.arn },
      { parent: this },
    );

    this.publish({
      topicArn: topic.arn,
      placeIndexName: placeIndex.indexName,
      mapName: map.mapName,
      policyArn: policy.arn,
      parameterPrefix: args.ssmPrefix,
    });
  }
}
