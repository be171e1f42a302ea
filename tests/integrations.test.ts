import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { MailConfig } from "../config";
import { DataConnection } from "../components/dataTier";
import {
  backendPolicyDocument,
  BackendPolicyValues,
  DYNAMODB_ITEM_ACTIONS,
  Integrations,
  parameterKeys,
  PolicyDocument,
  topicPolicyDocument,
} from "../components/integrations";
import { runProgram, StackRun } from "../tools/mocks";
import { dependsOn, isSecret, ofType, one, unsecret } from "./helpers";

const T = {
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  identity: "aws:ses/domainIdentity:DomainIdentity",
  dkim: "aws:ses/domainDkim:DomainDkim",
  record: "aws:route53/record:Record",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  placeIndex: "aws:location/placeIndex:PlaceIndex",
  map: "aws:location/map:Map",
  parameter: "aws:ssm/parameter:Parameter",
  policy: "aws:iam/policy:Policy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
};

const DOMAIN = "app.example.com";
/** A DB cluster resource id per region (each cluster of the global database has its own). */
const CLUSTER_ID = (region: string) => `cluster-${region.toUpperCase().replace(/[^A-Z0-9]/g, "")}ABCDEF0123`;
const BACKEND_SG = "sg-0backend0000000000";
const ZONE_ID = "Z0123456789ABCDEFGHIJ";
const KMS = (region: string) =>
  `arn:aws:kms:${region}:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-${region.length}eeeeeeeeee`;
function connection(region: string): DataConnection {
  return {
    writerEndpoint: `data-primary.cluster-abc.${region}.rds.amazonaws.com`,
    readerEndpoint: `data-primary.cluster-ro-abc.${region}.rds.amazonaws.com`,
    port: 5432,
    databaseName: "app",
    tableName: "data-table-1234567",
    tableArn: `arn:aws:dynamodb:${region}:123456789012:table/data-table-1234567`,
    globalWriterEndpoint: "multi-region-web-aurora.global-abc.global.rds.amazonaws.com",
    clusterResourceId: CLUSTER_ID(region),
    kmsKeyArn: KMS(region),
  };
}

type MailInput = Omit<MailConfig, "smtpPassword"> & { smtpPassword?: string };

function runIntegrations(
  opts: { region?: string; mail?: MailInput; protect?: boolean; data?: DataConnection } = {},
) {
  const region = opts.region ?? "us-east-1";
  const mail: MailInput = opts.mail ?? { provider: "ses", fromAddress: `no-reply@${DOMAIN}` };
  return runProgram(
    () => {
      const integrations = new Integrations("integrations", {
        domain: DOMAIN,
        hostedZoneId: ZONE_ID,
        mail: { ...mail, smtpPassword: mail.smtpPassword ? pulumi.secret(mail.smtpPassword) : undefined },
        maps: { dataSource: "Esri", mapStyle: "VectorEsriStreets" },
        kmsKeyArn: KMS(region),
        backendRoleName: "backend-instance-role",
        backendSecurityGroupId: BACKEND_SG,
        data: opts.data ?? connection(region),
        ssmPrefix: `/multi-region-web/${region}`,
        protect: opts.protect ?? true,
      });
      return {
        topicArn: integrations.topicArn,
        placeIndexName: integrations.placeIndexName,
        mapName: integrations.mapName,
        policyArn: integrations.policyArn,
        parameterPrefix: integrations.parameterPrefix,
      };
    },
    { stack: region, config: { "aws:region": region } },
  );
}

/**
 * The actions a topic policy can name: the SNS Developer Guide's "Amazon SNS API permissions: Action and
 * resource reference" (a subset of the Service Authorization Reference's list for Amazon SNS). There is
 * no sns:Receive.
 */
const SNS_TOPIC_ACTIONS = [
  "sns:AddPermission",
  "sns:DeleteTopic",
  "sns:GetDataProtectionPolicy",
  "sns:GetTopicAttributes",
  "sns:ListSubscriptionsByTopic",
  "sns:ListTagsForResource",
  "sns:Publish",
  "sns:PutDataProtectionPolicy",
  "sns:RemovePermission",
  "sns:SetTopicAttributes",
  "sns:Subscribe",
];

/**
 * The IAM policy grammar's shape (IAM User Guide, "IAM JSON policy element reference"): Version
 * 2012-10-17, unique Sids, Allow or Deny, `service:Action` names, ARNs (no `*` resource), and a
 * Principal exactly in resource policies.
 */
function assertValidPolicy(doc: object, opts: { principals: boolean }): void {
  const policy = doc as { Version: string; Statement: Record<string, unknown>[] };
  expect(policy.Version).to.equal("2012-10-17");
  expect(policy.Statement).to.be.an("array").that.is.not.empty;
  const sids = policy.Statement.map((s) => s.Sid);
  expect(new Set(sids).size, "unique Sids").to.equal(sids.length);
  for (const s of policy.Statement) {
    expect(sids[0] === undefined || /^[A-Za-z0-9]+$/.test(String(s.Sid)), String(s.Sid)).to.equal(true);
    expect(["Allow", "Deny"]).to.include(s.Effect);
    const actions = ([] as unknown[]).concat(s.Action);
    expect(actions, String(s.Sid)).to.not.be.empty;
    for (const a of actions) expect(a, String(s.Sid)).to.match(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
    for (const r of ([] as unknown[]).concat(s.Resource)) expect(r, String(s.Sid)).to.match(/^arn:aws:/);
    expect(s.Principal !== undefined, `${String(s.Sid)} Principal`).to.equal(opts.principals);
  }
}

const policyOf = (run: StackRun) => JSON.parse(one(run, T.policy).inputs.policy as string) as PolicyDocument;
const statement = (doc: PolicyDocument, sid: string) => {
  const found = doc.Statement.find((s) => s.Sid === sid);
  expect(found, sid).to.not.equal(undefined);
  return found as PolicyDocument["Statement"][number];
};
const parameters = (run: StackRun) =>
  Object.fromEntries(
    ofType(run, T.parameter).map((p) => [p.inputs.name as string, unsecret(p.inputs.value)]),
  );

describe("Integrations", function () {
  this.timeout(60000);

  describe("SES mail (us-east-1)", () => {
    let run: StackRun;
    before(async () => {
      run = await runIntegrations();
    });

    it("opens no network path of its own: SES is reached over HTTPS, which the backend already has", () => {
      expect(ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")).to.be.empty;
    });

    it("encrypts the customer-message topic with our key; denies non-TLS publish and subscribe, and http deliveries", () => {
      const topic = one(run, T.topic);
      expect(topic.inputs.kmsMasterKeyId).to.equal(KMS("us-east-1"));
      const topicPolicy = one(run, T.topicPolicy);
      expect(topicPolicy.inputs.arn).to.equal(topic.outputs.arn);
      const doc = JSON.parse(topicPolicy.inputs.policy as string) as { Statement: unknown[] };
      expect(doc.Statement).to.deep.equal([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: ["sns:Publish", "sns:Subscribe"],
          Resource: topic.outputs.arn,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        {
          Sid: "DenyPlaintextDeliveries",
          Effect: "Deny",
          Principal: "*",
          Action: ["sns:Subscribe"],
          Resource: topic.outputs.arn,
          Condition: { StringEquals: { "sns:Protocol": "http" } },
        },
      ]);
    });

    it("creates the SES domain identity and its three DKIM CNAMEs in the hosted zone", () => {
      expect(one(run, T.identity).inputs.domain).to.equal(DOMAIN);
      const dkim = one(run, T.dkim);
      expect(dkim.inputs.domain).to.equal(DOMAIN);
      const tokens = dkim.outputs.dkimTokens as string[];
      expect(tokens).to.have.length(3);
      const records = ofType(run, T.record);
      expect(records).to.have.length(3);
      expect(records.map((r) => r.inputs.name)).to.deep.equal(tokens.map((t) => `${t}._domainkey.${DOMAIN}`));
      records.forEach((record, i) => {
        expect(record.inputs).to.include({ zoneId: ZONE_ID, type: "CNAME" });
        expect(record.inputs.records).to.deep.equal([`${tokens[i]}.dkim.amazonses.com`]);
      });
      // No shared `_amazonses` TXT record: it would collide between the regional stacks.
      expect(records.filter((r) => r.inputs.type === "TXT")).to.have.length(0);
      expect(ofType(run, T.secret)).to.have.length(0);
    });

    it("creates a Location place index and map from config, named per stack", () => {
      expect(one(run, T.placeIndex).inputs).to.include({
        indexName: "multi-region-web-us-east-1-places",
        dataSource: "Esri",
      });
      const map = one(run, T.map);
      expect(map.inputs.mapName).to.equal("multi-region-web-us-east-1-map");
      expect(map.inputs.configuration).to.deep.equal({ style: "VectorEsriStreets" });
      expect(run.outputs.placeIndexName).to.equal("multi-region-web-us-east-1-places");
      expect(run.outputs.mapName).to.equal("multi-region-web-us-east-1-map");
    });

    it("publishes the service-discovery parameters under the prefix, as String", () => {
      const data = connection("us-east-1");
      const p = "/multi-region-web/us-east-1";
      expect(parameters(run)).to.deep.equal({
        [`${p}/db/writerEndpoint`]: data.writerEndpoint,
        [`${p}/db/readerEndpoint`]: data.readerEndpoint,
        [`${p}/db/globalWriterEndpoint`]: data.globalWriterEndpoint,
        [`${p}/db/port`]: "5432",
        [`${p}/db/name`]: "app",
        [`${p}/db/user`]: "app",
        [`${p}/dynamodb/tableName`]: data.tableName,
        [`${p}/sns/topicArn`]: one(run, T.topic).outputs.arn,
        [`${p}/maps/placeIndexName`]: "multi-region-web-us-east-1-places",
        [`${p}/maps/mapName`]: "multi-region-web-us-east-1-map",
        [`${p}/mail/provider`]: "ses",
        [`${p}/mail/fromAddress`]: `no-reply@${DOMAIN}`,
      });
      for (const parameter of ofType(run, T.parameter)) expect(parameter.inputs.type).to.equal("String");
      expect(run.outputs.parameterPrefix).to.equal(p);
    });

    it("grants the backend exactly these resources, with no '*' resource", () => {
      const doc = policyOf(run);
      assertValidPolicy(doc, { principals: false });
      const data = connection("us-east-1");
      const resources = doc.Statement.flatMap((s) => s.Resource);
      expect(resources).not.to.include("*");
      expect(doc.Statement.every((s) => s.Effect === "Allow")).to.equal(true);

      expect(statement(doc, "PublishCustomerMessages")).to.deep.include({
        Action: ["sns:Publish"],
        Resource: [one(run, T.topic).outputs.arn],
      });
      const ses = statement(doc, "SendMailFromIdentity");
      expect(ses.Action).to.deep.equal(["ses:SendEmail", "ses:SendRawEmail"]);
      expect(ses.Resource).to.deep.equal([one(run, T.identity).outputs.arn]);
      expect(ses.Condition).to.deep.equal({ StringEquals: { "ses:FromAddress": `no-reply@${DOMAIN}` } });
      expect(statement(doc, "SearchPlaces").Resource).to.deep.equal([
        one(run, T.placeIndex).outputs.indexArn,
      ]);
      expect(statement(doc, "SearchPlaces").Action).to.include("geo:SearchPlaceIndexForText");
      expect(statement(doc, "ReadMap").Resource).to.deep.equal([one(run, T.map).outputs.mapArn]);
      // The database: IAM authentication as the application's user on this region's cluster, no secret.
      expect(statement(doc, "ConnectAsAppDatabaseUser")).to.deep.include({
        Action: ["rds-db:connect"],
        Resource: [`arn:aws:rds-db:us-east-1:123456789012:dbuser:${data.clusterResourceId}/app`],
      });
      expect(
        doc.Statement.flatMap((s) => s.Action).filter((a) => a.startsWith("secretsmanager:")),
      ).to.deep.equal([]);
      const table = statement(doc, "ReadWriteTableItems");
      expect(table.Resource).to.deep.equal([data.tableArn, `${data.tableArn}/index/*`]);
      expect(table.Action).to.deep.equal(DYNAMODB_ITEM_ACTIONS);
      expect(table.Action).not.to.include("dynamodb:Scan");
      expect(table.Action.filter((a) => /Table|\*/.test(a))).to.deep.equal([]);
      const kms = statement(doc, "UseDataKeysThroughServices");
      expect(kms.Resource).to.deep.equal([KMS("us-east-1")]);
      expect(kms.Action).to.deep.equal(["kms:Decrypt", "kms:GenerateDataKey"]);
      // No secret to read with SES: no key use through Secrets Manager.
      expect(kms.Condition).to.deep.equal({
        StringEquals: {
          "kms:ViaService": ["sns.us-east-1.amazonaws.com", "dynamodb.us-east-1.amazonaws.com"],
        },
      });
      expect(statement(doc, "ReadServiceDiscoveryParameters").Resource).to.deep.equal([
        "arn:aws:ssm:us-east-1:123456789012:parameter/multi-region-web/us-east-1/*",
      ]);
      expect(statement(doc, "ListServiceDiscoveryParameters").Resource).to.deep.equal([
        "arn:aws:ssm:us-east-1:123456789012:parameter/multi-region-web/us-east-1",
        "arn:aws:ssm:us-east-1:123456789012:parameter/multi-region-web/us-east-1/*",
      ]);
      // rds-db:connect for exactly one user of exactly one cluster: nothing else of the database.
      expect(
        doc.Statement.flatMap((s) => s.Action.filter((a) => /^rds/.test(a)).map((a) => [a, s.Resource])),
      ).to.deep.equal([
        ["rds-db:connect", [`arn:aws:rds-db:us-east-1:123456789012:dbuser:${CLUSTER_ID("us-east-1")}/app`]],
      ]);
    });

    it("attaches the one policy to the backend role", () => {
      const attachment = one(run, T.attachment);
      expect(attachment.inputs.role).to.equal("backend-instance-role");
      expect(dependsOn(attachment, "policyArn", one(run, T.policy))).to.equal(true);
      expect(run.outputs.policyArn).to.equal(one(run, T.policy).outputs.arn);
    });
  });

  describe("standby region (ca-central-1)", () => {
    it("scopes every ARN to this region: its key, and its own cluster's database user", async () => {
      const run = await runIntegrations({ region: "ca-central-1", data: connection("ca-central-1") });
      const doc = policyOf(run);
      expect(statement(doc, "UseDataKeysThroughServices").Resource).to.deep.equal([KMS("ca-central-1")]);
      expect(statement(doc, "UseDataKeysThroughServices").Condition).to.deep.equal({
        StringEquals: {
          "kms:ViaService": ["sns.ca-central-1.amazonaws.com", "dynamodb.ca-central-1.amazonaws.com"],
        },
      });
      // After a failover this region's cluster holds the writer: the backend logs in to it, as before.
      expect(statement(doc, "ConnectAsAppDatabaseUser").Resource).to.deep.equal([
        `arn:aws:rds-db:ca-central-1:123456789012:dbuser:${CLUSTER_ID("ca-central-1")}/app`,
      ]);
      for (const resource of doc.Statement.flatMap((s) => s.Resource)) {
        expect(resource, resource).to.include(":ca-central-1:");
      }
      expect(JSON.stringify(doc)).not.to.include(CLUSTER_ID("us-east-1"));
    });
  });

  describe("external mail provider", () => {
    let run: StackRun;
    const mail: MailInput = {
      provider: "external",
      fromAddress: "no-reply@mailer.example.net",
      smtpHost: "smtp.mailer.example.net",
      smtpPort: 587,
      smtpUsername: "app-mailer",
      smtpPassword: "smtp-password-from-config",
    };
    before(async () => {
      run = await runIntegrations({ mail });
    });

    it("keeps the SMTP credentials in a protected, KMS-encrypted secret and creates no SES resources", () => {
      const secret = one(run, T.secret);
      expect(secret.inputs.kmsKeyId).to.equal(KMS("us-east-1"));
      expect(secret.inputs.recoveryWindowInDays).to.equal(30);
      expect(secret.protect).to.equal(true);
      const version = one(run, T.secretVersion);
      expect(isSecret(version.inputs.secretString), "secretString is a secret").to.equal(true);
      expect(JSON.parse(unsecret(version.inputs.secretString) as string)).to.deep.equal({
        host: "smtp.mailer.example.net",
        port: 587,
        username: "app-mailer",
        password: "smtp-password-from-config",
      });
      for (const type of [T.identity, T.dkim, T.record]) expect(ofType(run, type), type).to.have.length(0);
    });

    it("publishes the SMTP secret's ARN and lets the backend read it instead of sending through SES", () => {
      const secretArn = one(run, T.secret).outputs.arn;
      const params = parameters(run);
      expect(params["/multi-region-web/us-east-1/mail/smtpSecretArn"]).to.equal(secretArn);
      expect(params["/multi-region-web/us-east-1/mail/provider"]).to.equal("external");
      const doc = policyOf(run);
      expect(statement(doc, "ReadSmtpCredentials").Resource).to.deep.equal([secretArn]);
      expect(doc.Statement.flatMap((s) => s.Action).some((a) => a.startsWith("ses:"))).to.equal(false);
      // The SMTP secret's key is used through Secrets Manager.
      expect(statement(doc, "UseDataKeysThroughServices").Condition).to.deep.equal({
        StringEquals: {
          "kms:ViaService": [
            "sns.us-east-1.amazonaws.com",
            "secretsmanager.us-east-1.amazonaws.com",
            "dynamodb.us-east-1.amazonaws.com",
          ],
        },
      });
      expect(JSON.stringify(run.outputs)).not.to.include("smtp-password-from-config");
    });

    it("opens the backend's group to the provider's SMTP port, outbound only", () => {
      const rule = one(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule");
      expect(rule.inputs).to.include({
        securityGroupId: BACKEND_SG,
        ipProtocol: "tcp",
        fromPort: 587,
        toPort: 587,
        cidrIpv4: "0.0.0.0/0",
      });
      expect(rule.inputs.description).to.contain("smtp.mailer.example.net");
      expect(ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).to.be.empty;
    });

    it("leaves the secret unprotected when protect is false", async () => {
      const unprotected = await runIntegrations({ mail, protect: false });
      expect(one(unprotected, T.secret).protect).to.equal(false);
    });

    it("rejects an external provider without credentials", async () => {
      let error: Error | undefined;
      try {
        await runIntegrations({ mail: { ...mail, smtpPassword: undefined } });
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).to.include("needs smtpHost, smtpPort, smtpUsername and smtpPassword");
    });
  });

  describe("pure helpers", () => {
    const values: BackendPolicyValues = {
      partition: "aws",
      region: "us-east-1",
      accountId: "123456789012",
      topicArn: "arn:aws:sns:us-east-1:123456789012:customer-messages",
      mail: {
        provider: "ses",
        identityArn: "arn:aws:ses:us-east-1:123456789012:identity/app.example.com",
        fromAddress: "no-reply@app.example.com",
      },
      placeIndexArn: "arn:aws:geo:us-east-1:123456789012:place-index/places",
      mapArn: "arn:aws:geo:us-east-1:123456789012:map/map",
      clusterResourceId: "cluster-ABCDEFGHIJKL01234",
      dbUser: "app",
      tableArn: "arn:aws:dynamodb:us-east-1:123456789012:table/t",
      kmsKeyArns: [KMS("us-east-1"), KMS("us-east-1")],
      ssmPrefix: "/p/s",
    };

    it("backendPolicyDocument lists exactly the given ARNs", () => {
      const doc = backendPolicyDocument(values);
      expect(doc.Version).to.equal("2012-10-17");
      expect(new Set(doc.Statement.flatMap((s) => s.Resource))).to.deep.equal(
        new Set([
          values.topicArn,
          (values.mail as { identityArn: string }).identityArn,
          values.placeIndexArn,
          values.mapArn,
          "arn:aws:rds-db:us-east-1:123456789012:dbuser:cluster-ABCDEFGHIJKL01234/app",
          values.tableArn,
          `${values.tableArn}/index/*`,
          KMS("us-east-1"),
          "arn:aws:ssm:us-east-1:123456789012:parameter/p/s",
          "arn:aws:ssm:us-east-1:123456789012:parameter/p/s/*",
        ]),
      );
      expect(statement(doc, "UseDataKeysThroughServices").Resource, "deduplicated").to.have.length(1);
    });

    it("backendPolicyDocument swaps SES for the SMTP secret with an external provider", () => {
      const smtpSecretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:smtp-AbCdEf";
      const doc = backendPolicyDocument({ ...values, mail: { provider: "external", smtpSecretArn } });
      expect(doc.Statement.map((s) => s.Sid)).not.to.include("SendMailFromIdentity");
      expect(statement(doc, "ReadSmtpCredentials").Resource).to.deep.equal([smtpSecretArn]);
    });

    it("topicPolicyDocument denies insecure transport on the topic", () => {
      const doc = topicPolicyDocument("arn:aws:sns:us-east-1:123456789012:t") as {
        Statement: { Effect: string; Resource: string }[];
      };
      expect(doc.Statement[0]).to.include({
        Effect: "Deny",
        Resource: "arn:aws:sns:us-east-1:123456789012:t",
      });
    });

    it("topicPolicyDocument names only actions and keys SNS documents for topic policies (no sns:Receive)", () => {
      const doc = topicPolicyDocument("arn:aws:sns:us-east-1:123456789012:t") as {
        Version: string;
        Statement: { Sid: string; Action: string[]; Condition: Record<string, Record<string, string>> }[];
      };
      assertValidPolicy(doc, { principals: true });
      for (const s of doc.Statement) {
        for (const action of s.Action) expect(SNS_TOPIC_ACTIONS, `${s.Sid}: ${action}`).to.include(action);
        for (const key of Object.values(s.Condition).flatMap((c) => Object.keys(c))) {
          expect(["aws:SecureTransport", "sns:Protocol"], `${s.Sid}: ${key}`).to.include(key);
        }
      }
      expect(JSON.stringify(doc)).not.to.include("sns:Receive");
    });

    it("backendPolicyDocument is a valid identity policy for either mail provider", () => {
      assertValidPolicy(backendPolicyDocument(values), { principals: false });
      const smtpSecretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:smtp-AbCdEf";
      assertValidPolicy(backendPolicyDocument({ ...values, mail: { provider: "external", smtpSecretArn } }), {
        principals: false,
      });
    });

    it("parameterKeys adds the SMTP secret only for an external provider", () => {
      expect(parameterKeys("ses")).not.to.include("mail/smtpSecretArn");
      expect(parameterKeys("external")).to.include("mail/smtpSecretArn");
      expect(parameterKeys("external")).to.have.length(parameterKeys("ses").length + 1);
    });

    it("rejects a malformed SSM prefix", async () => {
      let error: Error | undefined;
      try {
        await runProgram(
          () => {
            new Integrations("integrations", {
              domain: DOMAIN,
              hostedZoneId: ZONE_ID,
              mail: { provider: "ses", fromAddress: `no-reply@${DOMAIN}` },
              maps: { dataSource: "Esri", mapStyle: "VectorEsriStreets" },
              kmsKeyArn: KMS("us-east-1"),
              backendRoleName: "r",
              backendSecurityGroupId: "sg-backend",
              data: connection("us-east-1"),
              ssmPrefix: "no-leading-slash/",
            });
            return {};
          },
          { stack: "us-east-1", config: { "aws:region": "us-east-1" } },
        );
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).to.include("ssmPrefix must start with");
    });
  });
});
