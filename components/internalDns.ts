/**
 * The backend's name inside the VPC: a Route 53 private hosted zone `internal.<domain>` associated
 * with this region's VPC only, holding `backend.internal.<domain>` as an alias to the internal ALB.
 *
 * Why a name of ours: ACM issues public certificates for names under the app's domain, never for the
 * ALB's own `*.elb.amazonaws.com` name, and the frontend verifies the certificate against that name.
 * Why a subdomain of its own (`internal.`) rather than a private zone for the app domain itself: a
 * private zone answers NXDOMAIN for every name it does not hold ("If there's a matching private hosted
 * zone but there's no record that matches the domain name and type in the request, Resolver doesn't
 * forward the request to a public DNS resolver", Route 53 Developer Guide, "Considerations when working
 * with a private hosted zone"), so a zone for the app domain would hide its public records (the app,
 * `home.`, `standby.`) from every instance in the VPC. Each region has its own zone of the same name,
 * allowed as long as no VPC is associated with both ("Creating a private hosted zone"), so each
 * region's frontend reaches its own region's backend, and no region depends on another's zone.
 *
 * The name never resolves outside the VPC; it is public only in the certificate (Certificate
 * Transparency logs show it), which reveals a name, not an address.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Component } from "./component";

/** The private zone of the internal names, under the app domain. */
export function internalZoneName(domain: string): string {
  return `internal.${domain}`;
}

/** The backend's TLS name: what its certificate is issued for and what the frontend calls. */
export function backendHostName(domain: string): string {
  return `backend.${internalZoneName(domain)}`;
}

export interface InternalDnsArgs {
  /** The app domain, e.g. `app.example.com`: the zone is `internal.<domain>`. Required. */
  domain: string;
  /** This region's VPC: the only VPC associated with the zone. Required. */
  vpcId: pulumi.Input<string>;
  /** This stack's region (the VPC's). Required. */
  region: string;
  /** DNS name of the internal ALB, the alias target. Required. */
  loadBalancerDnsName: pulumi.Input<string>;
  /** Canonical hosted zone id of the internal ALB. Required. */
  loadBalancerZoneId: pulumi.Input<string>;
  /** Extra tags for the zone. @default {} */
  tags?: Record<string, string>;
}

export interface InternalDnsOutputs {
  /** Id of the private hosted zone. */
  zoneId: pulumi.Output<string>;
  /** The backend's name (`backend.internal.<domain>`). */
  backendName: string;
}

export class InternalDns extends Component<InternalDnsOutputs> {
  constructor(name: string, args: InternalDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-web:network:InternalDns", name, args, opts);
    const backendName = backendHostName(args.domain);

    // A private zone needs enableDnsHostnames and enableDnsSupport on the VPC (RegionalVpc sets both).
    const zone = new aws.route53.Zone(
      `${name}-zone`,
      {
        name: internalZoneName(args.domain),
        comment: `Names inside the ${args.region} VPC only`,
        vpcs: [{ vpcId: args.vpcId, vpcRegion: args.region }],
        tags: { Name: `${internalZoneName(args.domain)} (${args.region})`, ...args.tags },
      },
      { parent: this },
    );

    // Alias records to an ELB are supported in private zones (Route 53 Developer Guide, document
    // history); they answer with the ALB's addresses and a 60 s TTL. One target: nothing to fail over to.
    new aws.route53.Record(
      `${name}-backend`,
      {
        zoneId: zone.zoneId,
        name: backendName,
        type: "A",
        aliases: [
          { name: args.loadBalancerDnsName, zoneId: args.loadBalancerZoneId, evaluateTargetHealth: false },
        ],
      },
      { parent: this },
    );

    this.publish({ zoneId: zone.zoneId, backendName });
  }
}
