/**
 * A tier's config keys that say what its instances run (config/rules.ts): \`image\` (an AMI id or an SSM
 * parameter, of the instance type's architecture) and \`userData\` (a keyword or a file of the project),
 * checked directly and through buildConfig. Pure: no program runs (the launch template that uses them:
 * tests/tierAsg.test.ts).
 */
import { expect } from "chai";
import { buildConfig, ConfigError, ConfigErrors, validateImage } from "../config";
import { HOME_CONFIG } from "./helpers";

const AMI = "ami-0123456789abcdef0";

describe("tier config: image and userData", () => {
  it("checks the form of an image in the config, with the key, the value and what is allowed", () => {
    for (const good of [
      "ami-12345678",
      AMI,
      "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
      "resolve:ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id",
      "resolve:ssm:my-app-ami",
      "resolve:ssm:/my-app/ami:12",
      "resolve:ssm:/my-app/ami:prod_2",
      "resolve:ssm:arn:aws:ssm:us-east-1:123456789012:parameter/images/my-app:prod",
    ]) {
      expect(() => validateImage("frontend.image", good, "t4g.small"), good).not.to.throw();
    }
    const bad: [string, RegExp][] = [
      ["ami-123", /ami- and 8 or 17 lower-case hex digits/],
      ["AMI-0123456789ABCDEF0", /ami- and 8 or 17 lower-case hex digits/],
      ["/my-app/ami", /an SSM parameter: resolve:ssm:\/my-app\/ami/],
      ["{{resolve:ssm:/my-app/ami}}", /without CloudFormation's \{\{ \}\}/],
      ["resolve:ssm:/my app/ami", /must be an AMI id/],
      ["resolve:ssm:/my-app/ami:0", /must be an AMI id/],
      ["resolve:ssm:my-app/ami", /a parameter name with a hierarchy starts with \//],
      [`resolve:ssm:${"/a".repeat(16)}`, /at most 15 levels/],
      [
        "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        /names an x86_64 image, but the instance type t4g.small is arm64 \(Graviton\)/,
      ],
      [
        "resolve:ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
        /names an x86_64 image/,
      ],
    ];
    for (const [value, allowed] of bad) {
      let error: unknown;
      try {
        validateImage("frontend.image", value, "t4g.small");
      } catch (e) {
        error = e;
      }
      expect(error, value).to.be.instanceOf(ConfigError);
      expect((error as Error).message, value).to.contain(
        `Invalid config "frontend.image" = ${JSON.stringify(value)}:`,
      );
      expect((error as Error).message, value).to.match(allowed);
    }
    expect(() =>
      validateImage(
        "backend.image",
        "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
        "t3.small",
      ),
    ).to.throw(/names an arm64 image, but the instance type t3.small is x86_64: use the x86_64 image/);
  });

  it("reports bad image and userData values with every other problem of the stack, before any resource", () => {
    let error: unknown;
    try {
      buildConfig({
        ...HOME_CONFIG,
        frontend: { image: "ami-nothex0000000000", userData: "/etc/passwd" },
        backend: { userData: "none" },
      });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigErrors);
    const problems = (error as ConfigErrors).problems.map((p) => [p.key, p.value]);
    expect(problems).to.deep.equal([
      ["frontend.image", "ami-nothex0000000000"],
      ["frontend.userData", "/etc/passwd"],
      ["backend.userData", "none"],
    ]);
    expect((error as Error).message).to.contain(
      'Invalid config "backend.userData" = "none": needs backend.image, an image that starts the application by itself',
    );
    const config = buildConfig({
      ...HOME_CONFIG,
      frontend: { image: AMI, userData: "tests/fixtures/userData/app.sh" },
      backend: { image: "resolve:ssm:/my-app/backend/ami", userData: "none" },
    });
    expect([config.frontend.image, config.frontend.userData]).to.deep.equal([
      AMI,
      "tests/fixtures/userData/app.sh",
    ]);
    expect([config.backend.image, config.backend.userData]).to.deep.equal([
      "resolve:ssm:/my-app/backend/ami",
      "none",
    ]);
  });
});
