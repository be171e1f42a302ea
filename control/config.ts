/**
 * The control program's config, read from the engine once. Its keys, defaults and rules are in
 * config/control.ts, where the regional side's pre-flight and docs generator read them too.
 */
import * as pulumi from "@pulumi/pulumi";
import { ControlConfig, controlConfigFromEngine } from "../config/control";

/** Reads this stack's config once. Call it at the start of the control program. */
export function loadControlConfig(): ControlConfig {
  return controlConfigFromEngine({
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
    organization: pulumi.getOrganization(),
    values: pulumi.runtime.allConfig(),
  });
}
