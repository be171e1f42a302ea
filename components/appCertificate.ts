/**
 * A public TLS certificate for one name under the app's domain: ACM, validated through DNS in the
 * app's public hosted zone. The public ALB presents the app domain's; the internal ALB presents the
 * backend's private name's (`backend.internal.<domain>`), which resolves only inside the VPC but is
 * validated in public DNS like any other (ACM checks the validation CNAME, not the name's address).
 * Every regional stack builds its own, because an ALB can only use a certificate issued in its own
 * region. ACM renews DNS-validated certificates in use by an ALB automatically (ACM User Guide,
 * "Managed renewal for ACM's certificates").
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Component, renamedFrom } from "./component";

export interface AppCertificateArgs {
  /** Fully qualified name the certificate is issued for, e.g. `app.example.com`. Required. */
  domain: string;
  /** Name of the public Route 53 hosted zone that holds `domain`, e.g. `example.com`. Required. */
  hostedZone: string;
  /** Extra tags for the certificate. @default {} */
  tags?: Record<string, string>;
}

/** TTL of the validation CNAME: short, so a re-issued certificate validates quickly. */
export const VALIDATION_RECORD_TTL = 60;

export interface AppCertificateOutputs {
  /** ARN of the certificate, available only once ACM has validated it: give this to the listener. */
  certificateArn: pulumi.Output<string>;
  /** Id of the public hosted zone that holds the domain (for the failover and mail records). */
  hostedZoneId: pulumi.Output<string>;
}

export class AppCertificate extends Component<AppCertificateOutputs> {
  constructor(name: string, args: AppCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super(
      "multi-region-web:edge:AppCertificate",
      name,
      args,
      renamedFrom("multi-region-web:appCertificate:AppCertificate", opts),
    );

    // The zone is created outside this program (it is usually delegated by a registrar); look it up
    // and insist on the public one, since a private zone of the same name would never validate.
    const zone = aws.route53.getZoneOutput({ name: args.hostedZone, privateZone: false }, { parent: this });

    // Pulumi replaces resources create-before-delete by default; that is what ACM needs (a new
    // certificate is issued and attached to the listener before the old one is deleted, and ACM
    // refuses to delete a certificate that a listener still uses), so no deleteBeforeReplace here.
    const certificate = new aws.acm.Certificate(
      `${name}-certificate`,
      {
        domainName: args.domain,
        validationMethod: "DNS",
        tags: { Name: args.domain, ...args.tags },
      },
      { parent: this },
    );

    const option = certificate.domainValidationOptions.apply((options) => {
      const found = options.find((o) => o.domainName === args.domain);
      if (found === undefined) {
        throw new Error(`ACM returned no DNS validation option for ${args.domain}`);
      }
      return found;
    });

    // ACM derives the validation record from the domain and the account, not the region: every
    // regional stack creates this very same record. allowOverwrite lets the second stack adopt it
    // instead of failing with "record already exists".
    const validationRecord = new aws.route53.Record(
      `${name}-validation`,
      {
        zoneId: zone.zoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: VALIDATION_RECORD_TTL,
        allowOverwrite: true,
      },
      // Shared by every region's certificate: destroying one stack must not delete the record the
      // other regions' certificates renew with.
      { parent: this, retainOnDelete: true },
    );

    // Waits until ACM reports the certificate ISSUED; a listener given an unvalidated certificate
    // fails to create.
    const validation = new aws.acm.CertificateValidation(
      `${name}-validation`,
      {
        certificateArn: certificate.arn,
        validationRecordFqdns: [validationRecord.fqdn],
      },
      { parent: this },
    );

    this.publish({ certificateArn: validation.certificateArn, hostedZoneId: zone.zoneId });
  }
}
