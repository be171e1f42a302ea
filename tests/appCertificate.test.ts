import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { AppCertificate, VALIDATION_RECORD_TTL } from "../components/appCertificate";
import { RecordedResource, StackRun, runProgram } from "../tools/mocks";

function only(run: StackRun, type: string): RecordedResource {
  const found = run.resources.filter((r) => r.type === type);
  expect(found, type).to.have.length(1);
  return found[0];
}

describe("AppCertificate", () => {
  let run: StackRun;

  before(async () => {
    run = await runProgram(
      () => {
        const cert = new AppCertificate("app", { domain: "app.example.com", hostedZone: "example.com" });
        // Stands in for the listener: records which resources its certificate input depends on.
        new aws.ssm.Parameter("listener-probe", { type: "String", value: cert.certificateArn });
        return { certificateArn: cert.certificateArn, hostedZoneId: cert.hostedZoneId };
      },
      { stack: "ca-central-1", config: { "aws:region": "ca-central-1" } },
    );
  });

  it("issues a DNS-validated certificate for the domain in the stack's region", () => {
    const cert = only(run, "aws:acm/certificate:Certificate");
    expect(cert.inputs.domainName).to.equal("app.example.com");
    expect(cert.inputs.validationMethod).to.equal("DNS");
    expect(cert.region).to.equal("ca-central-1");
    expect(cert.provider ?? "").not.to.match(/us-east-1/);
  });

  it("writes the validation record ACM asks for into the looked-up public zone", () => {
    const cert = only(run, "aws:acm/certificate:Certificate");
    const [option] = cert.outputs.domainValidationOptions as {
      resourceRecordName: string;
      resourceRecordType: string;
      resourceRecordValue: string;
    }[];
    const record = only(run, "aws:route53/record:Record");
    expect(record.inputs.name).to.equal(option.resourceRecordName);
    expect(record.inputs.type).to.equal("CNAME");
    expect(record.inputs.records).to.deep.equal([option.resourceRecordValue]);
    expect(record.inputs.ttl).to.equal(VALIDATION_RECORD_TTL);
    expect(record.inputs.allowOverwrite).to.equal(true);
    expect(record.retainOnDelete, "the record is shared by every region's stack").to.equal(true);
    expect(record.inputs.zoneId).to.equal(run.outputs.hostedZoneId);
    expect(run.outputs.hostedZoneId).to.match(/^Z[0-9A-F]{20}$/);
  });

  it("validates the certificate with the record it created", () => {
    const cert = only(run, "aws:acm/certificate:Certificate");
    const record = only(run, "aws:route53/record:Record");
    const validation = only(run, "aws:acm/certificateValidation:CertificateValidation");
    expect(validation.inputs.certificateArn).to.equal(cert.outputs.arn);
    expect(validation.inputs.validationRecordFqdns).to.deep.equal([record.outputs.fqdn]);
  });

  it("hands the listener the ARN from the validation, so it waits for issuance", () => {
    const cert = only(run, "aws:acm/certificate:Certificate");
    const validation = only(run, "aws:acm/certificateValidation:CertificateValidation");
    const probe = run.resources.find((r) => r.name === "listener-probe")!;
    expect(run.outputs.certificateArn).to.equal(cert.outputs.arn);
    expect(probe.propertyDependencies.value).to.include(validation.urn);
  });

  it("parents every child to the component with role-based names", () => {
    const component = only(run, "multi-region-web:edge:AppCertificate");
    const children = run.resources.filter(
      (r) => r.type.startsWith("aws:acm") || r.type.startsWith("aws:route53"),
    );
    expect(children).to.have.length(3);
    for (const child of children) {
      expect(child.parent, child.name).to.equal(component.urn);
      expect(child.name).to.match(/^app-/);
    }
  });
});
