// Mutation testing of the failover code (issue 20, part 2): `npm run mutation:failover`. A run of its
// own, so that its break threshold holds on the failover code alone (in one run with config/ and the
// policies, their mutants would carry a weak failover score past the threshold), and so that a change
// to the failover code gets its answer in minutes (CONTRIBUTING.md, "Mutation testing"). Runner,
// coverage, concurrency, timeouts and thresholds are stryker.config.mjs's; the reports are
// reports/mutation/failover.{html,json}.
//
// Mutated: the pure functions. Each component's constructor (resource registration and the plumbing
// of outputs) carries a `Stryker disable all` saying why: it is tested by the program runs under
// mocks, which cannot run once per mutant; what it decides is in the pure functions it calls.
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  mutate: [
    // The plan: its workflows, alarms and trigger; its roles' documents; its settings and checks.
    "components/failoverWorkflows.ts",
    "components/failoverPlanPolicy.ts",
    "components/failoverPlan.ts",
    // The trigger's witnesses and the probe behind each: alarms, settings, environment, role.
    "components/failoverTrigger.ts",
    "components/homeProbe.ts",
    // The routing chain and its records, and which ARC check each record carries.
    "components/failoverRouting.ts",
    "components/arcHealthChecks.ts",
    // The control stack's checks: its config, and what it reads from the regional stacks.
    "config/control.ts",
    "control/regionalStacks.ts",
  ],
  mochaOptions: {
    // Specs that call the pure functions directly; none runs a program in a before() hook, whose
    // coverage would be counted against whichever test ran last (perTest coverage). Static mutants (module-level values: the control
    // schema's docs, the step names, the probe's settings) run every spec; the generated docs' check
    // kills the schema's first.
    spec: [
      "tests/configDocs.test.ts",
      "tests/failoverPlan.test.ts",
      "tests/triggerWitnesses.test.ts",
      "tests/failoverRouting.test.ts",
      "tests/arcHealthChecks.test.ts",
      "tests/homeProbeSettings.test.ts",
      "tests/controlConfig.test.ts",
    ],
  },
  htmlReporter: { fileName: "reports/mutation/failover.html" },
  jsonReporter: { fileName: "reports/mutation/failover.json" },
  // Its own sandbox directory: the two runs may run at once on one machine.
  tempDirName: ".stryker-tmp-failover",
};
