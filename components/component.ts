/** What every component shares: its type token's areas, and the alias that keeps a renamed one. */
import * as pulumi from "@pulumi/pulumi";

/**
 * The areas of the architecture, the middle of every component's type token
 * (`multi-region-web:<area>:<Component>`): the URN tree reads like the diagram.
 */
export const AREAS = [
  "network",
  "compute",
  "data",
  "edge",
  "failover",
  "operations",
  "integrations",
] as const;

/**
 * `opts` with an alias to the type a component was registered under before its token was renamed:
 * a stack deployed under the old type finds the component, and everything under it, again instead
 * of replacing them.
 *
 * The alias on the component is enough, its children are aliased through it. @pulumi/pulumi 3.248.0
 * sends a resource's own aliases only (runtime/resource.js, `prepareResource`: it multiplies out the
 * parent's aliases itself, with `allAliases` / `inheritedChildAlias` in resource.js, only when the
 * engine lacks `supportsAliasSpecs`); the engine, for a resource whose parent was found under an
 * alias, adds the resource's URN under that parent's old one (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go, `generateAliases` / `inheritedChildAlias`), and so on down
 * the tree.
 */
export function renamedFrom(
  oldType: string,
  opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.ComponentResourceOptions {
  return { ...opts, aliases: [...(opts?.aliases ?? []), { type: oldType }] };
}
