/**
 * The GitHub Actions workflows: the checks of tools/workflowChecks.ts on the real files, and each
 * check on a small bad snippet to show that it can fail.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import {
  checkActionsPinned,
  checkDeployConcurrency,
  checkDeployOrder,
  checkExplicitPermissions,
  checkIdTokenPermission,
  checkNoSecretsInRun,
  checkNpmScripts,
  checkPolicyPack,
  checkStackReferences,
  deployedStacks,
  isDeployWorkflow,
  loadStacks,
  loadWorkflows,
  npmCalls,
  parseWorkflow,
  runStepOutputs,
  StackInfo,
  Workflow,
} from "../tools/workflowChecks";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS_DIR = path.join(ROOT, ".github", "workflows");
const PROJECT = (parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string }).name;
const SCRIPTS = (
  JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

const workflows = loadWorkflows(WORKFLOWS_DIR);
const stacks = loadStacks(ROOT, PROJECT);
/** The failover control project's stacks (control/Pulumi.<stack>.yaml). */
const controlStacks = loadStacks(path.join(ROOT, "control"), "multi-region-web-control").map((s) => s.name);
const stackNames = stacks.map((s) => s.name);
const workflow = (file: string): Workflow => {
  const wf = workflows.find((w) => w.file === file);
  if (wf === undefined) throw new Error(`.github/workflows/${file} is missing`);
  return wf;
};

/** A snippet as a workflow; `jobs` is YAML indented as under `jobs:`. */
function snippet(text: string): Workflow {
  return parseWorkflow("snippet.yml", text);
}

/** A temporary copy of the stack files, to run the stack-listing steps against other layouts. */
function stackDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

function repoStackFiles(): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(ROOT)
      .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
      .map((f) => [f, fs.readFileSync(path.join(ROOT, f), "utf8")]),
  );
}

describe("workflows", () => {
  it("has the CI, preview and deploy workflows, and reads the stack files", () => {
    expect(workflows.map((w) => w.file)).to.include.members(["ci.yml", "preview.yml", "deploy.yml"]);
    expect(stacks.filter((s) => s.home).map((s) => s.name)).to.deep.equal(["us-east-1"]);
    expect(stackNames).to.include.members(["us-east-1", "ca-central-1"]);
  });

  for (const wf of workflows) {
    describe(wf.file, () => {
      it("calls only npm scripts that package.json has, and real npm commands", () => {
        expect(checkNpmScripts(wf, SCRIPTS)).to.deep.equal([]);
      });
      it("names only stacks that have a stack file", () => {
        expect(checkStackReferences(wf, stackNames)).to.deep.equal([]);
      });
      it("grants id-token: write wherever AWS credentials are assumed, and uses no access keys", () => {
        expect(checkIdTokenPermission(wf)).to.deep.equal([]);
      });
      it("interpolates no secret into a script and prints none", () => {
        expect(checkNoSecretsInRun(wf)).to.deep.equal([]);
      });
      it("sets explicit permissions", () => {
        expect(checkExplicitPermissions(wf)).to.deep.equal([]);
      });
      it("pins every action to a version", () => {
        expect(checkActionsPinned(wf)).to.deep.equal([]);
      });
      it("runs the policy pack with every real preview and update", () => {
        expect(checkPolicyPack(wf)).to.deep.equal([]);
      });
      it("never overlaps or cancels a deploy", () => {
        expect(checkDeployConcurrency(wf)).to.deep.equal([]);
      });
      it("deploys the home stack first, then every standby", () => {
        expect(checkDeployOrder(wf, stacks, ROOT, controlStacks)).to.deep.equal([]);
      });
    });
  }

  describe("ci.yml", () => {
    const ci = () => workflow("ci.yml");
    const runs = () =>
      Object.values(ci().jobs)
        .flatMap((j) => j.steps ?? [])
        .map((s) => s.run ?? "")
        .join("\n");
    const uploads = () =>
      Object.values(ci().jobs)
        .flatMap((j) => j.steps ?? [])
        .filter((s) => /^actions\/upload-artifact@v4/.test(s.uses ?? ""));

    it("runs npm ci, lint, build, test and the offline plan with --json plan.json", () => {
      const scripts = npmCalls(runs()).map((c) => c.script ?? c.command);
      expect(scripts).to.include.members(["ci", "lint", "build", "test", "plan"]);
      expect(runs()).to.match(/npm run plan -- .*--json plan\.json/);
    });
    it("uploads plan.json and the diagram even when a step failed", () => {
      const paths = uploads().map((s) => s.with?.path);
      expect(paths).to.include.members(["plan.json", "docs/architecture.svg"]);
      for (const step of uploads()) expect(step.if).to.equal("always()");
    });
    it("uses Node 20 with the npm cache", () => {
      const setup = Object.values(ci().jobs)
        .flatMap((j) => j.steps ?? [])
        .find((s) => /^actions\/setup-node@v4/.test(s.uses ?? ""));
      expect(setup?.with).to.include({ "node-version": 20, cache: "npm" });
    });
  });

  describe("preview.yml and deploy.yml stack lists", () => {
    const listStep = (file: string) => {
      const step = (workflow(file).jobs.setup.steps ?? []).find((s) => s.id === "stacks");
      if (step === undefined) throw new Error(`${file}: no step with id "stacks" in job setup`);
      return step;
    };

    it("preview runs one job per stack file, in that stack's region", () => {
      const { all } = runStepOutputs(listStep("preview.yml"), ROOT);
      const include = (JSON.parse(all) as { include: { stack: string; region: string }[] }).include;
      expect(include.map((e) => e.stack).sort()).to.deep.equal(stackNames);
      for (const s of stacks) expect(include.find((e) => e.stack === s.name)?.region).to.equal(s.region);
    });

    it("preview and deploy list the stacks with the same script", () => {
      expect(listStep("preview.yml").run).to.equal(listStep("deploy.yml").run);
    });

    it("deploy sends the home stack to the home job and the others to the standby job", () => {
      const deploy = workflow("deploy.yml");
      expect(deployedStacks(deploy, "home", ROOT)).to.deep.equal(["us-east-1"]);
      expect(deployedStacks(deploy, "standby", ROOT)).to.deep.equal(["ca-central-1"]);
      expect(deploy.jobs.standby.needs).to.include("home");
    });

    it("a third region needs only its stack file", () => {
      const dir = stackDir({
        ...repoStackFiles(),
        "Pulumi.eu-west-1.yaml": `config:\n  aws:region: eu-west-1\n  ${PROJECT}:role: passive\n`,
      });
      try {
        const third = loadStacks(dir, PROJECT);
        const { all } = runStepOutputs(listStep("preview.yml"), dir);
        expect((JSON.parse(all) as { include: { stack: string }[] }).include.map((e) => e.stack)).to.include(
          "eu-west-1",
        );
        const deploy = workflow("deploy.yml");
        expect(checkDeployOrder(deploy, third, dir, controlStacks)).to.deep.equal([]);
        expect(deployedStacks(deploy, "standby", dir).sort()).to.deep.equal(["ca-central-1", "eu-west-1"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("the home moves with the stack file that says home: true", () => {
      const files = repoStackFiles();
      const dir = stackDir({
        "Pulumi.us-east-1.yaml": files["Pulumi.us-east-1.yaml"].replace(`${PROJECT}:home: true`, ""),
        "Pulumi.ca-central-1.yaml": files["Pulumi.ca-central-1.yaml"].replace(
          "config:\n",
          `config:\n  ${PROJECT}:home: true\n`,
        ),
      });
      try {
        const moved = loadStacks(dir, PROJECT);
        expect(moved.filter((s) => s.home).map((s) => s.name)).to.deep.equal(["ca-central-1"]);
        expect(deployedStacks(workflow("deploy.yml"), "home", dir)).to.deep.equal(["ca-central-1"]);
        expect(checkDeployOrder(workflow("deploy.yml"), moved, dir, controlStacks)).to.deep.equal([]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("the stack list fails on two home stacks or none", () => {
      const files = repoStackFiles();
      const twoHomes = stackDir({
        ...files,
        "Pulumi.eu-west-1.yaml": `config:\n  aws:region: eu-west-1\n  ${PROJECT}:home: true\n`,
      });
      const noHome = stackDir({ "Pulumi.ca-central-1.yaml": files["Pulumi.ca-central-1.yaml"] });
      try {
        expect(() => runStepOutputs(listStep("deploy.yml"), twoHomes)).to.throw(/both .* home/);
        expect(() => runStepOutputs(listStep("deploy.yml"), noHome)).to.throw(/no Pulumi.* sets/);
      } finally {
        fs.rmSync(twoHomes, { recursive: true, force: true });
        fs.rmSync(noHome, { recursive: true, force: true });
      }
    });

    it("deploy is a deploy workflow and preview and ci are not", () => {
      expect(isDeployWorkflow(workflow("deploy.yml"))).to.be.true;
      expect(isDeployWorkflow(workflow("preview.yml"))).to.be.false;
      expect(isDeployWorkflow(workflow("ci.yml"))).to.be.false;
    });
  });
});

describe("workflow checks on bad snippets", () => {
  it("npm: a missing script, a script-less run, and a non-npm command", () => {
    const wf = snippet(`
permissions: { contents: read }
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: npm ci && npm run nosuchscript -- --flag
      - run: npm lint
      - run: |
          npm test
          npm run
`);
    const problems = checkNpmScripts(wf, { lint: "eslint ." });
    expect(problems.join("\n")).to.match(/no script "nosuchscript"/);
    expect(problems.join("\n")).to.match(/"npm lint" is not an npm command/);
    expect(problems.join("\n")).to.match(/npm test: package.json has no script "test"/);
    expect(problems.join("\n")).to.match(/npm run without a script name/);
    expect(problems).to.have.length(4);
    expect(checkNpmScripts(wf, { lint: "x", test: "x", nosuchscript: "x" })).to.have.length(2);
  });

  it("stacks: a stack name or stack file that does not exist", () => {
    const wf = snippet(`
permissions: { contents: read }
jobs:
  a:
    runs-on: ubuntu-latest
    env: { STACK: acme/eu-west-2 }
    steps:
      - run: pulumi preview --stack acme/multi-region-web/us-west-9 --policy-pack policy
      - run: cat Pulumi.ap-south-1.yaml
      - uses: pulumi/actions@v6
        with: { command: preview, stack-name: acme/us-east-1, policyPacks: policy }
`);
    expect(checkStackReferences(wf, stackNames)).to.have.members([
      `snippet.yml: stack "ap-south-1" has no Pulumi.ap-south-1.yaml (stacks: ${stackNames.join(", ")})`,
      `snippet.yml: stack "eu-west-2" has no Pulumi.eu-west-2.yaml (stacks: ${stackNames.join(", ")})`,
      `snippet.yml: stack "us-west-9" has no Pulumi.us-west-9.yaml (stacks: ${stackNames.join(", ")})`,
    ]);
  });

  it("id-token: credentials assumed without id-token: write, or with access keys", () => {
    const wf = snippet(`
permissions: { contents: read }
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with: { role-to-assume: arn:aws:iam::123456789012:role/x, aws-region: us-east-1 }
  b:
    runs-on: ubuntu-latest
    permissions: { id-token: write }
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: \${{ secrets.KEY }}
          aws-secret-access-key: \${{ secrets.SECRET }}
          aws-region: us-east-1
`);
    const problems = checkIdTokenPermission(wf).join("\n");
    expect(problems).to.match(/job a assumes AWS credentials but lacks "id-token: write"/);
    expect(problems).to.match(/job b: configure-aws-credentials without role-to-assume/);
    expect(problems).to.match(/job b: long-lived AWS access keys/);
    expect(problems).not.to.match(/job b assumes/);
  });

  it("secrets: interpolated into run or github-script, or printed from env", () => {
    const wf = snippet(`
permissions: { contents: read }
jobs:
  a:
    runs-on: ubuntu-latest
    env: { TOKEN: "\${{ secrets.PULUMI_ACCESS_TOKEN }}" }
    steps:
      - name: echo
        run: echo \${{ secrets.PULUMI_ACCESS_TOKEN }}
      - name: login
        run: pulumi login --token "\${{secrets.PULUMI_ACCESS_TOKEN}}"
      - name: script
        uses: actions/github-script@v7
        with: { script: "console.log('\${{ secrets.X }}')" }
      - name: print
        run: printf '%s' "$TOKEN"
      - name: fine
        run: test -n "$TOKEN"
`);
    const problems = checkNoSecretsInRun(wf);
    expect(problems.filter((p) => p.includes("interpolated"))).to.have.length(3);
    expect(problems.filter((p) => p.includes("prints $TOKEN"))).to.have.length(1);
    expect(problems.join("\n")).not.to.match(/"fine"/);
  });

  it("permissions: none at all, or write-all", () => {
    const none = snippet(`
jobs:
  a: { runs-on: ubuntu-latest, steps: [{ run: "true" }] }
  b: { runs-on: ubuntu-latest, permissions: { contents: read }, steps: [{ run: "true" }] }
`);
    expect(checkExplicitPermissions(none)).to.deep.equal([
      "snippet.yml: no workflow-level permissions and job a sets none",
    ]);
    const all = snippet(`
permissions: write-all
jobs:
  a: { runs-on: ubuntu-latest, steps: [{ run: "true" }] }
`);
    expect(checkExplicitPermissions(all)).to.deep.equal(["snippet.yml: workflow grants write-all"]);
  });

  it("actions: unpinned or pinned to a branch", () => {
    const wf = snippet(`
permissions: { contents: read }
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout
      - uses: pulumi/actions@main
      - uses: actions/setup-node@v4
`);
    expect(checkActionsPinned(wf)).to.have.length(2);
  });

  it("policy pack: a preview or update without it", () => {
    const wf = snippet(`
permissions: { contents: read }
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: pulumi preview --stack "$STACK" --diff
      - run: pulumi up --stack "$STACK" --policy-pack other --yes
      - uses: pulumi/actions@v6
        with: { command: up, stack-name: x }
`);
    expect(checkPolicyPack(wf)).to.have.length(3);
  });

  const deploySnippet = (concurrency: string, homeNeeds: string, standbyNeeds: string) =>
    snippet(`
permissions: { contents: read }
${concurrency}
jobs:
  setup:
    runs-on: ubuntu-latest
    outputs:
      home: \${{ steps.stacks.outputs.home }}
      standbys: \${{ steps.stacks.outputs.standbys }}
    steps:
      - id: stacks
        run: |
          echo "home=ca-central-1" >> "$GITHUB_OUTPUT"
          echo 'standbys={"include":[{"stack":"us-east-1"}]}' >> "$GITHUB_OUTPUT"
  home:
    needs: [${homeNeeds}]
    runs-on: ubuntu-latest
    env: { STACK: "acme/\${{ needs.setup.outputs.home }}" }
    steps:
      - run: pulumi up --stack "$STACK" --policy-pack policy --yes
  standby:
    needs: [${standbyNeeds}]
    runs-on: ubuntu-latest
    strategy:
      matrix: \${{ fromJSON(needs.setup.outputs.standbys) }}
    env: { STACK: "acme/\${{ matrix.stack }}" }
    steps:
      - run: pulumi up --stack "$STACK" --policy-pack policy --yes
`);
  const twoStacks: StackInfo[] = [
    { name: "us-east-1", region: "us-east-1", home: true },
    { name: "ca-central-1", region: "ca-central-1", home: false },
  ];

  it("deploy order: the home job deploys a stack that is not the home, and the standby does not wait", () => {
    const wf = deploySnippet("", "setup", "setup");
    const problems = checkDeployOrder(wf, twoStacks, os.tmpdir());
    // The job named "home" deploys ca-central-1, so the real home (us-east-1) is in the "standby" job,
    // which does not need the job named "home" either.
    expect(problems.join("\n")).to.match(/standby job home does not need the home job standby/);
  });

  it("deploy order: a standby job that does not need the home job", () => {
    const stacksSwapped: StackInfo[] = [
      { name: "us-east-1", region: "us-east-1", home: false },
      { name: "ca-central-1", region: "ca-central-1", home: true },
    ];
    expect(checkDeployOrder(deploySnippet("", "setup", "setup"), stacksSwapped, os.tmpdir())).to.deep.equal([
      "snippet.yml: standby job standby does not need the home job home",
    ]);
    expect(
      checkDeployOrder(deploySnippet("", "setup", "setup, home"), stacksSwapped, os.tmpdir()),
    ).to.deep.equal([]);
  });

  it("deploy order: a stack file that no job deploys", () => {
    const three: StackInfo[] = [
      { name: "ca-central-1", home: true },
      { name: "us-east-1", home: false },
      { name: "eu-west-1", home: false },
    ];
    expect(checkDeployOrder(deploySnippet("", "setup", "setup, home"), three, os.tmpdir())).to.deep.equal([
      "snippet.yml: stack eu-west-1 is never deployed",
    ]);
  });

  const controlSnippet = (needs: string, policyPack: string, workingDirectory = "control") =>
    snippet(`
permissions: { contents: read }
jobs:
  home:
    runs-on: ubuntu-latest
    env: { STACK: "acme/us-east-1" }
    steps:
      - run: pulumi up --stack "$STACK" --policy-pack policy --yes
  standby:
    needs: [home]
    runs-on: ubuntu-latest
    env: { STACK: "acme/ca-central-1" }
    steps:
      - run: pulumi up --stack "$STACK" --policy-pack policy --yes
  control:
    needs: [${needs}]
    runs-on: ubuntu-latest
    defaults: { run: { working-directory: ${workingDirectory} } }
    env: { STACK: "acme/global" }
    steps:
      - run: pulumi up --stack "$STACK" --policy-pack ${policyPack} --yes
`);

  it("deploy order: the control stack after every regional stack; its policy pack path from control/", () => {
    expect(
      checkDeployOrder(controlSnippet("home, standby", "../policy"), twoStacks, os.tmpdir(), ["global"]),
    ).to.deep.equal([]);
    expect(checkPolicyPack(controlSnippet("home, standby", "../policy"))).to.deep.equal([]);
    expect(
      checkDeployOrder(controlSnippet("home", "../policy"), twoStacks, os.tmpdir(), ["global"]),
    ).to.deep.equal(["snippet.yml: control job control does not need the regional deploy job standby"]);
    // The path resolves from the job's working directory: "policy" inside control/ is not the pack.
    expect(checkPolicyPack(controlSnippet("home, standby", "policy"))).to.have.length(1);
    expect(checkPolicyPack(controlSnippet("home, standby", "../policy", "."))).to.have.length(1);
    // Without the control stack among the stack files, its deploy is a stack with no file.
    expect(
      checkDeployOrder(controlSnippet("home, standby", "../policy"), twoStacks, os.tmpdir()),
    ).to.deep.equal(["snippet.yml: deploys global, which has no stack file"]);
  });

  it("deploy order: a job that reads an output of a job it does not need", () => {
    const problems = checkDeployOrder(
      deploySnippet("", "", "setup, home"),
      [
        { name: "ca-central-1", home: true },
        { name: "us-east-1", home: false },
      ],
      os.tmpdir(),
    );
    expect(problems).to.deep.equal(["snippet.yml: job home does not need setup"]);
  });

  it("concurrency: missing, cancelling, or per-run group", () => {
    expect(checkDeployConcurrency(deploySnippet("", "setup", "setup, home"))[0]).to.match(
      /need workflow-level concurrency/,
    );
    expect(
      checkDeployConcurrency(
        deploySnippet("concurrency: { group: deploy, cancel-in-progress: true }", "setup", "setup, home"),
      ),
    ).to.have.length(1);
    expect(
      checkDeployConcurrency(
        deploySnippet("concurrency:\n  group: deploy-\${{ github.run_id }}", "setup", "setup, home"),
      ),
    ).to.have.length(2);
    expect(
      checkDeployConcurrency(
        deploySnippet("concurrency: { group: deploy, cancel-in-progress: false }", "setup", "setup, home"),
      ),
    ).to.deep.equal([]);
  });
});
