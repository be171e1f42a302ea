/**
 * Every policy of the pack, in one array that tests and tools import without starting the pack's
 * server (policy/index.ts, which constructs the PolicyPack, is only loaded by the Pulumi CLI).
 */
import { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";
import { PackPolicy } from "./rules/common";
import { computePolicies } from "./rules/compute";
import { dataPolicies } from "./rules/data";
import { drPolicies } from "./rules/dr";
import { failoverPolicies } from "./rules/failover";
import { loadBalancerPolicies } from "./rules/loadBalancers";
import { logPolicies } from "./rules/logs";
import { networkPolicies } from "./rules/network";
import { operationsPolicies } from "./rules/operations";
import { s3Policies } from "./rules/s3";
import { tagPolicies } from "./rules/tags";
import { wafPolicies } from "./rules/waf";

export type { PackPolicy } from "./rules/common";

export const PACK_NAME = "multi-region-web";
export const PACK_DESCRIPTION =
  "Security and disaster-recovery rules of the multi-region web app (ALB + WAF + ASG + Aurora global + DynamoDB global table)";
/** The engine's default for a policy without a level; every policy here sets its own. */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "advisory";

export const policies: PackPolicy[] = [
  ...loadBalancerPolicies,
  ...wafPolicies,
  ...computePolicies,
  ...networkPolicies,
  ...logPolicies,
  ...dataPolicies,
  ...s3Policies,
  ...drPolicies,
  ...failoverPolicies,
  ...operationsPolicies,
  ...tagPolicies,
];

/** Default level of every policy, by name: what `--policy-pack-config` overrides. */
export const levelDefaults: Record<string, EnforcementLevel> = Object.fromEntries(
  policies.map((p) => [p.name, p.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL]),
);

/** The pack's config schema: each configurable policy's properties (with defaults), by policy name. */
export const configSchema: Record<string, PolicyConfigSchema> = Object.fromEntries(
  policies
    .filter((p) => p.configSchema !== undefined)
    .map((p) => [p.name, p.configSchema as PolicyConfigSchema]),
);
