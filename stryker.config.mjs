// Mutation testing of the pure code (issue 14): `npm run mutation:core` (`npm run mutation` runs it and
// stryker.failover.config.mjs, which takes this file's settings). The run fails below thresholds.break;
// the reports are in reports/mutation/ (HTML and JSON). Scores and times: CONTRIBUTING.md.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  mutate: [
    "config/*.ts",
    // The pre-flight's file reading and the Pulumi CLI's rules are tested by running them over
    // the stack files (tests/preflight.test.ts, tests/pulumiCli.test.ts), not as pure functions.
    "!config/generate.ts",
    "!config/preflight.ts",
    "!config/pulumiCli.ts",
    // The control stack's config: the failover code's run mutates it (stryker.failover.config.mjs).
    "!config/control.ts",
    "policy/rules/*.ts",
    // The DR report: its timings, footprints, cost figures and standby options.
    "tools/drReport.ts",
  ],
  testRunner: "mocha",
  mochaOptions: {
    // .mocharc.json (sucrase, the ts extension) applies; the specs are those that exercise the
    // mutated files directly, not the program runs under mocks.
    spec: [
      // Static mutants (module-level code: the schema table, the policies' fields) run every spec:
      // the ones that kill them fastest come first.
      "tests/configDocs.test.ts",
      "tests/policies.test.ts",
      "tests/config.test.ts",
      "tests/configRules.test.ts",
      "tests/tierConfig.test.ts",
      "tests/dataConfig.test.ts",
      "tests/backupConfig.test.ts",
      "tests/configBounds.test.ts",
      "tests/names.test.ts",
      "tests/networkPolicies.test.ts",
      "tests/wafPolicies.test.ts",
      "tests/computePolicies.test.ts",
      "tests/dataPolicies.test.ts",
      "tests/edgePolicies.test.ts",
      "tests/policyCommon.test.ts",
      "tests/drPolicies.test.ts",
      "tests/failoverPolicies.test.ts",
      "tests/operationsPolicyBranches.test.ts",
      "tests/backupPolicies.test.ts",
      "tests/listenerPolicies.test.ts",
      "tests/logPolicies.test.ts",
      "tests/operationsPolicies.test.ts",
      "tests/tagPolicies.test.ts",
      "tests/crossStack.test.ts",
      "tests/preflight.test.ts",
      "tests/drReport.test.ts",
    ],
  },
  coverageAnalysis: "perTest",
  concurrency: 2,
  timeoutMS: 10000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 85, break: 85 },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
