/**
 * Confused-deputy guards (tools/servicePrincipals.ts) over every service-principal statement the three
 * committed stacks register (one shared run), and the check itself on hand-built statements: each way
 * a guard can be missing, or only look present, fails.
 */
import { expect } from "chai";
import { ACCOUNT_ID } from "../tools/mocks";
import { fixtureStackRuns } from "../tools/runStacks";
import {
  exemptionFor,
  NO_SOURCE_CONDITION,
  ruleFor,
  ServiceStatement,
  serviceStatements,
  SOURCE_CONDITION_RULES,
  unguarded,
} from "../tools/servicePrincipals";

function statement(over: Partial<ServiceStatement>): ServiceStatement {
  return {
    stack: "t",
    where: "aws:sns/topicPolicy:TopicPolicy ops-policy.policy",
    kind: "resource",
    principal: "events.amazonaws.com",
    condition: {},
    ...over,
  };
}

describe("confused-deputy guards (tools/servicePrincipals.ts)", function () {
  this.timeout(60_000);

  describe("over the three committed stacks", () => {
    let found: ServiceStatement[];
    before(async () => {
      found = (await fixtureStackRuns()).flatMap((run) => serviceStatements(run));
    });

    it("finds the service principals of trust, key, resource policies and Lambda permissions in every stack", () => {
      expect(new Set(found.map((s) => s.kind))).to.deep.equal(
        new Set(["trust", "key", "resource", "permission"]),
      );
      expect(new Set(found.map((s) => s.stack))).to.deep.equal(
        new Set(["us-east-1", "ca-central-1", "global"]),
      );
      // The ops topic's and key's publishers, in both regions (issue 21.5).
      for (const stack of ["us-east-1", "ca-central-1"]) {
        const at = (where: string, principal: string) =>
          found.filter((s) => s.stack === stack && s.where.includes(where) && s.principal === principal);
        for (const principal of ["backup.amazonaws.com", "events.amazonaws.com"]) {
          expect(at("ops-ops-policy.policy", principal), `${stack} topic ${principal}`).to.have.length(1);
          expect(at("ops-ops-key.policy", principal), `${stack} key ${principal}`).to.have.length(1);
        }
      }
    });

    it("every one carries a documented source condition naming the account, or a recorded exemption", () => {
      expect(found.map((s) => unguarded(s, ACCOUNT_ID)).filter(Boolean)).to.deep.equal([]);
    });

    it("the exemptions are trust policies only, and each principal+kind is still registered (a stale one would hide a new statement)", () => {
      for (const e of NO_SOURCE_CONDITION) {
        expect(e.kind, e.principal).to.equal("trust");
        expect(e.why, e.principal).to.match(/components\/\w+\.ts\)$/);
        expect(
          found.some((s) => s.principal === e.principal && s.kind === e.kind),
          `${e.principal} ${e.kind}`,
        ).to.equal(true);
      }
      for (const rule of SOURCE_CONDITION_RULES) {
        expect(
          found.some((s) => ruleFor(s.principal) === rule && !exemptionFor(s)),
          String(rule.principal),
        ).to.equal(true);
      }
    });

    it("the ops topic's publishers are held to this account's vaults and rules in the topic's region, its key to this account", () => {
      for (const stack of ["us-east-1", "ca-central-1"]) {
        const topic = (principal: string) =>
          found.find(
            (s) => s.stack === stack && s.where.includes("ops-ops-policy") && s.principal === principal,
          )!;
        expect(topic("backup.amazonaws.com").condition).to.deep.equal({
          ArnLike: { "aws:SourceArn": `arn:aws:backup:${stack}:${ACCOUNT_ID}:backup-vault:*` },
          StringEquals: { "aws:SourceAccount": ACCOUNT_ID },
        });
        expect(topic("events.amazonaws.com").condition).to.deep.equal({
          ArnLike: { "aws:SourceArn": `arn:aws:events:${stack}:${ACCOUNT_ID}:rule/*` },
          StringEquals: { "aws:SourceAccount": ACCOUNT_ID },
        });
        for (const principal of ["backup.amazonaws.com", "events.amazonaws.com"]) {
          const key = found.find(
            (s) => s.stack === stack && s.where.includes("ops-ops-key") && s.principal === principal,
          )!;
          expect(key.condition, principal).to.deep.equal({
            StringEquals: { "aws:SourceAccount": ACCOUNT_ID },
          });
        }
      }
    });
  });

  describe("the check", () => {
    const ok = (over: Partial<ServiceStatement>) => unguarded(statement(over), ACCOUNT_ID);
    const sourceArn = `arn:aws:events:us-east-1:${ACCOUNT_ID}:rule/*`;

    it("passes a documented key naming the account, in any case (IAM condition keys are case-insensitive)", () => {
      expect(ok({ condition: { ArnLike: { "aws:SourceArn": sourceArn } } })).to.equal(undefined);
      expect(ok({ condition: { StringEquals: { "AWS:SourceAccount": ACCOUNT_ID } } })).to.equal(undefined);
      expect(
        ok({
          principal: "logs.ca-central-1.amazonaws.com",
          kind: "key",
          condition: {
            ArnLike: {
              "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:ca-central-1:${ACCOUNT_ID}:log-group:*`,
            },
          },
        }),
      ).to.equal(undefined);
    });

    it("flags a statement without a condition, naming where, the keys and the page", () => {
      expect(ok({ sid: "EventBridgeRulesPublish" })).to.equal(
        `t: aws:sns/topicPolicy:TopicPolicy ops-policy.policy (EventBridgeRulesPublish) lets events.amazonaws.com in without aws:SourceArn or aws:SourceAccount naming account ${ACCOUNT_ID} (${ruleFor("events.amazonaws.com")!.source})`,
      );
    });

    it("flags a guard that only looks present: another account, a wildcard, a negation, IfExists, a key the service does not document", () => {
      const lookalikes: ServiceStatement["condition"][] = [
        { StringEquals: { "aws:SourceAccount": "111122223333" } },
        { ArnLike: { "aws:SourceArn": "arn:aws:events:*:*:rule/*" } },
        { StringEquals: { "aws:SourceAccount": [ACCOUNT_ID, "111122223333"] } },
        { StringNotEquals: { "aws:SourceAccount": "111122223333" } },
        { ArnLikeIfExists: { "aws:SourceArn": sourceArn } },
        { Null: { "aws:SourceArn": "false" } },
        { StringEquals: { "aws:PrincipalAccount": ACCOUNT_ID } },
        { StringEquals: { "aws:SourceAccount": [] } },
      ];
      for (const condition of lookalikes) {
        expect(ok({ condition }), JSON.stringify(condition)).to.match(
          / without aws:SourceArn or aws:SourceAccount/,
        );
      }
    });

    it("flags a service nobody recorded, and exempts only the recorded principal in the recorded kind", () => {
      expect(ok({ principal: "sns.amazonaws.com" })).to.match(/no recorded confused-deputy keys/);
      expect(ok({ principal: "ec2.amazonaws.com", kind: "trust" })).to.equal(undefined);
      expect(ok({ principal: "ec2.amazonaws.com", kind: "resource" })).to.match(
        /no recorded confused-deputy keys/,
      );
      // AWS Backup's role trust is exempt; its topic statement is not.
      expect(ok({ principal: "backup.amazonaws.com", kind: "trust" })).to.equal(undefined);
      expect(ok({ principal: "backup.amazonaws.com", kind: "resource" })).to.match(/without aws:SourceArn/);
    });

    it("reads Lambda permissions as the statement AddPermission writes, and any other resource with a service principal", () => {
      const resources = [
        {
          type: "aws:lambda/permission:Permission",
          name: "invoke",
          inputs: {
            principal: "events.amazonaws.com",
            sourceArn: sourceArn,
            action: "lambda:InvokeFunction",
          },
        },
        {
          type: "aws:lambda/permission:Permission",
          name: "open",
          inputs: { principal: "events.amazonaws.com" },
        },
        { type: "aws:example/grant:Grant", name: "g", inputs: { principal: "sns.amazonaws.com" } },
        { type: "aws:example/thing:Thing", name: "x", inputs: { principal: "arn:aws:iam::1:root" } },
      ];
      const found = serviceStatements({ stack: "t", resources } as never);
      expect(found.map((s) => [s.kind, s.where, s.condition])).to.deep.equal([
        [
          "permission",
          "aws:lambda/permission:Permission invoke.principal",
          { ArnLike: { "AWS:SourceArn": sourceArn } },
        ],
        ["permission", "aws:lambda/permission:Permission open.principal", {}],
        ["permission", "aws:example/grant:Grant g.principal", {}],
      ]);
      expect(found.map((s) => unguarded(s, ACCOUNT_ID))).to.satisfy(
        ([a, b, c]: (string | undefined)[]) =>
          a === undefined && /without/.test(b!) && /no recorded/.test(c!),
      );
    });

    it("reads every service of a statement's principal list, and skips Deny statements", () => {
      const policy = JSON.stringify({
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: ["backup.amazonaws.com", "events.amazonaws.com"] },
            Action: "SNS:Publish",
            Resource: "x",
          },
          {
            Effect: "Deny",
            Principal: { Service: "sns.amazonaws.com" },
            Action: "SNS:Publish",
            Resource: "x",
          },
        ],
      });
      const found = serviceStatements({
        stack: "t",
        resources: [{ type: "aws:sns/topicPolicy:TopicPolicy", name: "p", inputs: { policy } }],
      } as never);
      expect(found.map((s) => s.principal)).to.deep.equal(["backup.amazonaws.com", "events.amazonaws.com"]);
    });
  });
});
