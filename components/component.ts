/**
 * What every component shares: a type token `multi-region-web:<area>:<Component>`, the alias that
 * keeps a deployed component whose token was renamed, and outputs declared once.
 */
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

/** `multi-region-web:<area>:<Component>`. */
export type ComponentType = `multi-region-web:${(typeof AREAS)[number]}:${string}`;

abstract class PublishingComponent<O extends object> extends pulumi.ComponentResource {
  constructor(
    type: ComponentType,
    name: string,
    args: pulumi.Inputs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super(type, name, args, opts);
  }

  /** Sets every output as a property of the component and registers them: the constructor's last call. */
  protected publish(outputs: O): void {
    Object.assign(this, outputs);
    this.registerOutputs(outputs);
  }
}

/**
 * The base of every component: `class X extends Component<XOutputs>`, where the interface
 * `XOutputs` declares and documents the outputs once (as pulumi-eks's `NodeGroupData` does), and the
 * constructor ends with one `this.publish({ ... })`, checked against `XOutputs` by the compiler: none
 * missing, none extra. Instances carry the outputs as readonly properties (`vpc.vpcId`), with the
 * interface's documentation.
 *
 * The cast only adds `Readonly<O>` to the instance type; `publish` is what sets those properties.
 * An interface merged into the class would type them too, but would leave them unchecked (hence
 * typescript-eslint's no-unsafe-declaration-merging).
 */
export const Component = PublishingComponent as abstract new <O extends object>(
  type: ComponentType,
  name: string,
  args: pulumi.Inputs,
  opts?: pulumi.ComponentResourceOptions,
) => PublishingComponent<O> & Readonly<O>;
