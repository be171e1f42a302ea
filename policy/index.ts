/**
 * The policy pack as the Pulumi CLI loads it (`pulumi preview --policy-pack policy`). Constructing a
 * PolicyPack starts the analyzer's gRPC server, and a process may serve only one: tests and tools
 * import ./policies instead of this file.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_DESCRIPTION, PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, {
  description: PACK_DESCRIPTION,
  enforcementLevel: PACK_ENFORCEMENT_LEVEL,
  provider: "aws",
  policies,
});
