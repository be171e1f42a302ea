/**
 * A tier's config keys that say what its instances run (config/rules.ts): \`image\` (an AMI id or an SSM
 * parameter, of the instance type's architecture) and \`userData\` (a keyword or a file of the project),
 * checked directly and through buildConfig. Pure: no program runs (the launch template that uses them:
 * tests/tierAsg.test.ts).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import {
  AMI_ID,
  buildConfig,
  ConfigError,
  ConfigErrors,
  defaultImage,
  instanceArchitecture,
  PROJECT_DIR,
  RawConfig,
  readUserDataFile,
  USER_DATA_LIMIT_BYTES,
  validateImage,
  validateUserData,
} from "../config";
import { HOME_CONFIG, problemLines } from "./helpers";

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

describe("tier config: what the config can tell of an instance type and an image", () => {
  it("instanceArchitecture: a g among the letters after the generation is Graviton, and a1; the rest x86_64", () => {
    for (const type of [
      "a1.medium",
      "t4g.small",
      "c6g.large",
      "c6gd.large",
      "c7g.large",
      "c7gn.large",
      "m6gd.large",
      "g5g.xlarge",
      "hpc7g.16xlarge",
      "im4gn.large",
      "is4gen.large",
    ]) {
      expect(instanceArchitecture(type), type).to.equal("arm64");
    }
    for (const type of [
      "t3.small",
      "t2.micro",
      "m7i.large",
      "m7i-flex.large",
      "c6in.large",
      "g4dn.xlarge",
      "g5.xlarge",
      "m5.large",
      "z1d.large",
    ]) {
      expect(instanceArchitecture(type), type).to.equal("x86_64");
    }
  });

  it("defaultImage: Amazon Linux 2023's public parameter of that architecture", () => {
    expect(defaultImage("t4g.small")).to.equal(
      "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
    );
    expect(defaultImage("t3.small")).to.equal(
      "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    );
  });

  it("AMI_ID: ami- and exactly 8 or 17 lower-case hex digits, nothing around them", () => {
    for (const good of ["ami-12345678", "ami-abcdef01", "ami-0123456789abcdef0"]) {
      expect(AMI_ID.test(good), good).to.equal(true);
    }
    for (const bad of [
      "ami-1",
      "ami-1234567",
      "ami-123456789",
      "ami-0123456789abcdef",
      "ami-0123456789abcdef01",
      "ami-1234567g",
      "ami-0123456789abcdefg",
      "xami-12345678",
      "ami-12345678 ",
      "ami-0123456789abcdef0x",
    ]) {
      expect(AMI_ID.test(bad), bad).to.equal(false);
    }
  });
});

describe("tier config: validateImage, exactly", () => {
  const ALLOWED =
    "must be an AMI id (ami- and 8 or 17 hex digits) or resolve:ssm:<parameter name or ARN>[:<version or label>], as EC2 takes in a launch template";
  /** The ConfigError validateImage throws, as `key = value: allowed`; "" when it accepts. */
  const check = (image: string | undefined, instanceType = "t4g.small", key = "frontend.image"): string => {
    try {
      validateImage(key, image, instanceType);
      return "";
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return `${e.key} = ${JSON.stringify(e.value)}: ${e.allowed}`;
    }
  };

  it("accepts no image (the default), an AMI id, and every form of SSM parameter EC2 resolves", () => {
    for (const good of [
      undefined,
      "ami-12345678",
      "ami-0123456789abcdef0",
      "resolve:ssm:p",
      "resolve:ssm:my-app-ami",
      "resolve:ssm:/my-app/ami",
      "resolve:ssm:/my-app/ami:1",
      "resolve:ssm:/my-app/ami:1234567890",
      "resolve:ssm:/my-app/ami:prod",
      "resolve:ssm:/my-app/ami:_prod.2-a",
      `resolve:ssm:/my-app/ami:${"l".repeat(100)}`,
      "resolve:ssm:arn:aws:ssm:us-east-1:123456789012:parameter/images/my-app",
      "resolve:ssm:arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/images/my-app:3",
      `resolve:ssm:${"/a".repeat(15)}`,
    ]) {
      expect(check(good), String(good)).to.equal("");
    }
  });

  it("refuses what EC2 would not resolve, naming the key, the value and what is allowed", () => {
    for (const bad of [
      "resolve:ssm:",
      "resolve:ssm:/my app/ami",
      "resolve:ssm:/my-app/ami:0",
      "resolve:ssm:/my-app/ami:12345678901",
      "resolve:ssm:/my-app/ami:1a",
      `resolve:ssm:/my-app/ami:${"l".repeat(101)}`,
      "resolve:ssm:/my-app/ami:",
      "resolve:ssm:/my-app/ami:prod:1",
      "resolve:ssm:/my-app/ami x",
      "xresolve:ssm:/my-app/ami",
      "resolve:ssm:arn:aws:ssm:us-east-1:12345678901:parameter/images/my-app",
      "resolve:ssm:arn:aws:ssm:us-east-1:1234567890123:parameter/images/my-app",
      "resolve:ssm:arn:aws:ssm:us-east-1:abcdefghijkl:parameter/images/my-app",
      "resolve:ssm:arn:aws:ssm::123456789012:parameter/images/my-app",
      "resolve:ssm:arn:aws:ssm:US_EAST:123456789012:parameter/images/my-app",
      "resolve:ssm:arn:aws:ssm:us-east-1:123456789012:parameter",
      "resolve:ssm:arn:aws:ssm:us-east-1:123456789012:parameter/images/my-app:",
      "ssm:/my-app/ami",
    ]) {
      expect(check(bad), bad).to.equal(`frontend.image = ${JSON.stringify(bad)}: ${ALLOWED}`);
    }
  });

  it("says what was probably meant: an SSM parameter, an AMI id's digits, EC2's form instead of CloudFormation's", () => {
    expect(check("/my-app/ami")).to.equal(
      `frontend.image = "/my-app/ami": ${ALLOWED} (an SSM parameter: resolve:ssm:/my-app/ami)`,
    );
    expect(check("/a")).to.equal(`frontend.image = "/a": ${ALLOWED} (an SSM parameter: resolve:ssm:/a)`);
    for (const notAParameter of ["/my app/ami", "images/my-app", "my/ami", "/"]) {
      expect(check(notAParameter), notAParameter).to.equal(
        `frontend.image = ${JSON.stringify(notAParameter)}: ${ALLOWED}`,
      );
    }
    for (const ami of ["ami-123", "AMI-0123456789ABCDEF0", "Ami-x"]) {
      expect(check(ami), ami).to.equal(
        `frontend.image = ${JSON.stringify(ami)}: ${ALLOWED} (an AMI id is ami- and 8 or 17 lower-case hex digits)`,
      );
    }
    expect(check("my-ami-12345678")).to.equal(`frontend.image = "my-ami-12345678": ${ALLOWED}`);
    expect(check("{{resolve:ssm:/my-app/ami}}")).to.equal(
      `frontend.image = "{{resolve:ssm:/my-app/ami}}": ${ALLOWED} (EC2's form, without CloudFormation's {{ }})`,
    );
  });

  it("takes a hierarchy that starts with /, of at most 15 levels (an ARN's name counts from its /)", () => {
    expect(check("resolve:ssm:my-app/ami")).to.equal(
      `frontend.image = "resolve:ssm:my-app/ami": ${ALLOWED}: a parameter name with a hierarchy starts with /`,
    );
    expect(check(`resolve:ssm:${"/a".repeat(15)}`)).to.equal("");
    expect(check(`resolve:ssm:${"/a".repeat(15)}:2`)).to.equal("");
    expect(check(`resolve:ssm:${"/abc".repeat(15)}`)).to.equal("");
    expect(check(`resolve:ssm:${"/a".repeat(16)}`)).to.equal(
      `frontend.image = "resolve:ssm:${"/a".repeat(16)}": ${ALLOWED}: SSM parameter names have at most 15 levels`,
    );
    const arn = "resolve:ssm:arn:aws:ssm:us-east-1:123456789012:parameter";
    expect(check(`${arn}${"/a".repeat(15)}`)).to.equal("");
    expect(check(`${arn}${"/a".repeat(16)}`)).to.equal(
      `frontend.image = "${arn}${"/a".repeat(16)}": ${ALLOWED}: SSM parameter names have at most 15 levels`,
    );
  });

  it("refuses a parameter that names the other architecture, in any of AWS's words for it, any case", () => {
    const arm = (image: string) =>
      `backend.image = ${JSON.stringify(image)}: names an arm64 image, but the instance type t3.small is x86_64: use the x86_64 image, or an instance type of the image's architecture`;
    const x86 = (image: string) =>
      `backend.image = ${JSON.stringify(image)}: names an x86_64 image, but the instance type t4g.small is arm64 (Graviton): use the arm64 image, or an instance type of the image's architecture`;
    for (const image of [
      "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
      "resolve:ssm:/images/aarch64/app",
      "resolve:ssm:/images/ARM64/app",
      "resolve:ssm:/images/app-arm64",
      "resolve:ssm:/images/arm64/app-arm64",
    ]) {
      expect(check(image, "t3.small", "backend.image"), image).to.equal(arm(image));
      expect(check(image, "t4g.small", "backend.image"), image).to.equal("");
    }
    for (const image of [
      "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
      "resolve:ssm:/images/amd64/app",
      "resolve:ssm:/images/X86_64/app",
      "resolve:ssm:arn:aws:ssm:us-east-1:123456789012:parameter/images/amd64",
    ]) {
      expect(check(image, "t4g.small", "backend.image"), image).to.equal(x86(image));
      expect(check(image, "t3.small", "backend.image"), image).to.equal("");
    }
    // No word, or both: the config cannot tell; EC2 checks at launch.
    for (const image of [
      "resolve:ssm:/my-app/ami",
      "resolve:ssm:/images/arm64/x86_64",
      "resolve:ssm:/images/armv8/app",
      "resolve:ssm:/images/app_arm64",
    ]) {
      expect(check(image, "t3.small"), image).to.equal("");
      expect(check(image, "t4g.small"), image).to.equal("");
    }
  });
});

describe("tier config: readUserDataFile and validateUserData", () => {
  let dir: string;
  const allowed = () => `must be placeholder, none, or a file relative to the project directory (${dir})`;
  /** The ConfigError readUserDataFile throws, as `key = value: allowed`. */
  const refusal = (file: string, projectDir = dir): string => {
    try {
      readUserDataFile("frontend.userData", file, projectDir);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return `${e.key} = ${JSON.stringify(e.value)}: ${e.allowed}`;
    }
    throw new Error(`${file} was accepted`);
  };
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "userdata-"));
    fs.mkdirSync(path.join(dir, "scripts"));
    fs.writeFileSync(path.join(dir, "scripts", "app.sh"), "#!/bin/bash\necho hi\n");
    fs.writeFileSync(path.join(dir, "empty.sh"), "");
    fs.writeFileSync(path.join(dir, "limit.bin"), Buffer.alloc(USER_DATA_LIMIT_BYTES, 0x61));
    fs.writeFileSync(path.join(dir, "over.bin"), Buffer.alloc(USER_DATA_LIMIT_BYTES + 1, 0x61));
    fs.writeFileSync(path.join(dir, "..data"), "x");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads a file of the project directory as its bytes, up to EC2's 16384 exactly", () => {
    expect(readUserDataFile("k", "scripts/app.sh", dir).toString()).to.equal("#!/bin/bash\necho hi\n");
    expect(readUserDataFile("k", "./scripts/../scripts/app.sh", dir).toString()).to.equal(
      "#!/bin/bash\necho hi\n",
    );
    expect(readUserDataFile("k", "limit.bin", dir)).to.have.length(16384);
    expect(readUserDataFile("k", "..data", dir).toString()).to.equal("x");
  });

  it("reads relative to the project (Pulumi.yaml's directory) by default", () => {
    expect(PROJECT_DIR).to.equal(path.resolve(__dirname, ".."));
    const file = "tests/fixtures/userData/app.sh";
    expect(
      readUserDataFile("frontend.userData", file).equals(fs.readFileSync(path.join(PROJECT_DIR, file))),
    ).to.equal(true);
  });

  it("refuses an empty name, an absolute path, the directory itself and anything outside it", () => {
    expect(refusal("")).to.equal(`frontend.userData = "": ${allowed()}`);
    expect(refusal("  ")).to.equal(`frontend.userData = "  ": ${allowed()}`);
    const absolute = path.join(dir, "scripts", "app.sh");
    expect(refusal(absolute)).to.equal(
      `frontend.userData = ${JSON.stringify(absolute)}: ${allowed()}, not an absolute path: the deploy workflow runs in a fresh checkout of this repository`,
    );
    for (const outside of [".", "scripts/..", "..", "../x.sh", "scripts/../../x.sh"]) {
      expect(refusal(outside), outside).to.equal(
        `frontend.userData = ${JSON.stringify(outside)}: ${allowed()}, inside it: the deploy workflow runs in a fresh checkout of this repository`,
      );
    }
  });

  it("refuses a missing file, a directory, an empty file and one byte over 16384, naming the file", () => {
    expect(refusal("scripts/missing.sh")).to.equal(
      `frontend.userData = "scripts/missing.sh": ${allowed()}: there is no ${path.join(dir, "scripts", "missing.sh")}`,
    );
    expect(refusal("scripts")).to.equal(
      `frontend.userData = "scripts": ${allowed()}: ${path.join(dir, "scripts")} is not a file`,
    );
    expect(refusal("empty.sh")).to.equal(
      `frontend.userData = "empty.sh": ${allowed()}: ${path.join(dir, "empty.sh")} is empty (none says "no user data")`,
    );
    expect(refusal("over.bin")).to.equal(
      `frontend.userData = "over.bin": is 16385 bytes: EC2 takes at most 16384 bytes of user data before base64 (EC2 User Guide, "Work with instance user data"); gzip it (cloud-init reads gzip-compressed user data) or have it fetch the rest at boot`,
    );
  });

  it("validateUserData: the keywords pass as they are, anything else must be a file readUserDataFile takes", () => {
    expect(() => validateUserData("frontend.userData", "placeholder")).not.to.throw();
    expect(() => validateUserData("frontend.userData", "none")).not.to.throw();
    expect(() => validateUserData("frontend.userData", "tests/fixtures/userData/app.sh")).not.to.throw();
    expect(() => validateUserData("backend.userData", "tests/fixtures/userData/missing.sh"))
      .to.throw(ConfigError, "there is no")
      .with.property("key", "backend.userData");
    expect(() => validateUserData("backend.userData", "Placeholder"))
      .to.throw(ConfigError)
      .with.property("key", "backend.userData");
  });
});

describe("tier config: buildConfig checks image and userData once their own values are sound", () => {
  /** The problems buildConfig reports, as `key = value: allowed` lines (what the user reads). */
  const problems = (raw: object): string[] => problemLines(() => buildConfig(raw as RawConfig));

  it("checks no image against an instance type that is itself wrong", () => {
    expect(
      problems({
        ...HOME_CONFIG,
        frontend: { instanceType: "t3.smal", image: "resolve:ssm:/images/arm64/app" },
      }),
    ).to.deep.equal([
      'frontend.instanceType = "t3.smal": is not an EC2 instance type (the provider\'s aws.ec2.InstanceType) (did you mean "t3.small"?)',
    ]);
    expect(
      problems({
        ...HOME_CONFIG,
        backend: { instanceType: "t3.small", image: "resolve:ssm:/images/arm64/app" },
      }),
    ).to.deep.equal([
      'backend.image = "resolve:ssm:/images/arm64/app": names an arm64 image, but the instance type t3.small is x86_64: use the x86_64 image, or an instance type of the image\'s architecture',
    ]);
  });

  it("asks no image for userData none when the image given is itself wrong", () => {
    expect(problems({ ...HOME_CONFIG, frontend: { image: 5, userData: "none" } })).to.deep.equal([
      'frontend.image = 5: must be a string (quote it in YAML: "5")',
    ]);
    expect(problems({ ...HOME_CONFIG, frontend: { userData: 5 } })).to.deep.equal([
      'frontend.userData = 5: must be a string (quote it in YAML: "5")',
    ]);
  });
});
