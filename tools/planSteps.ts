/**
 * The steps of an ARC Region switch plan's workflow, one row each (the steps of a parallel step
 * under it), with the machine time the DR report assumes for each in both modes and the assumptions
 * that time rests on. One source for the runbook's generated timings table (tools/runbookDocs.ts)
 * and for the DR drill's comparison of measured step durations (tools/drillReport.ts).
 *
 * A plan's steps come in two shapes: the provider's inputs, as the control stack registers them
 * (`parallelConfigs: [{ steps }]`, `ec2AsgCapacityIncreaseConfigs: [...]`), and ARC's API, as
 * GetPlanExecution returns the plan that ran (`executionBlockConfiguration: { parallelConfig: { steps
 * }, ec2AsgCapacityIncreaseConfig: {...} }`: "ExecutionBlockConfiguration Union: only one key present",
 * ARC API reference, Step). `fromApiStep` reads the second into the first.
 */
import { Assumptions, DR_ASSUMPTIONS, stepSeconds } from "./drReport";

/** A step as the DR report reads it (the provider's input shape). */
export type StepLike = Parameters<typeof stepSeconds>[0];

/** A step as ARC's API returns it inside GetPlanExecution's `plan.workflows[].steps`. */
export interface ApiStep {
  name?: string;
  executionBlockType?: string;
  executionBlockConfiguration?: {
    parallelConfig?: { steps?: ApiStep[] };
    ec2AsgCapacityIncreaseConfig?: { ungraceful?: { minimumSuccessPercentage?: number } };
    executionApprovalConfig?: { timeoutMinutes?: number };
  };
}

/** The provider's shape of an API step (what `stepSeconds` reads). */
export function fromApiStep(step: ApiStep): StepLike {
  const config = step.executionBlockConfiguration ?? {};
  return {
    name: step.name,
    executionBlockType: step.executionBlockType,
    ...(config.ec2AsgCapacityIncreaseConfig && {
      ec2AsgCapacityIncreaseConfigs: [config.ec2AsgCapacityIncreaseConfig],
    }),
    ...(config.parallelConfig && {
      parallelConfigs: [{ steps: (config.parallelConfig.steps ?? []).map(fromApiStep) }],
    }),
  };
}

/** One step of a workflow, timed. */
export interface TimedStep {
  name: string;
  type: string;
  /** The parallel step this one runs inside, if any. */
  parent?: string;
  /** Machine seconds the DR report assumes; 0 for the approval (a person, timed apart). */
  ungracefulSeconds: number;
  gracefulSeconds: number;
  /** The DR_ASSUMPTIONS keys (or "capacity", "a person") the times rest on, per mode. */
  restsOn: { ungraceful: string[]; graceful: string[] };
}

/** What a step's time rests on, in one mode (the terms `stepSeconds` adds up). */
function basis(step: StepLike, ungraceful: boolean): string[] {
  switch (step.executionBlockType) {
    case "ManualApproval":
      return ["a person"];
    case "Parallel":
      return ["the longest step inside"];
    case "EC2AutoScaling": {
      const minimum = step.ec2AsgCapacityIncreaseConfigs?.[0]?.ungraceful?.minimumSuccessPercentage;
      return ungraceful && minimum === 0 ? ["arcStepStart"] : ["arcStepStart", "capacity"];
    }
    case "AuroraGlobalDatabase":
      return ["arcStepStart", ungraceful ? "auroraFailover" : "auroraSwitchover"];
    case "AuroraServerlessScaling":
      return ["arcStepStart", "auroraServerlessScaling"];
    case "AuroraProvisionedScaling":
      return ["arcStepStart", "auroraProvisionedScaling"];
    case "Route53HealthCheck":
      return ["arcStepStart", "healthCheckFlip"];
    default:
      return ["arcStepStart"];
  }
}

/**
 * Every step of a workflow in order, a parallel step's steps right after it, with the seconds the DR
 * report assumes. `capacitySeconds` is the time for a new instance to serve (the DR report's).
 */
export function timedSteps(
  steps: StepLike[],
  capacitySeconds: number,
  a: Assumptions = DR_ASSUMPTIONS,
): TimedStep[] {
  const rows: TimedStep[] = [];
  const visit = (step: StepLike, parent?: string) => {
    rows.push({
      name: String(step.name),
      type: String(step.executionBlockType),
      ...(parent !== undefined && { parent }),
      ungracefulSeconds: stepSeconds(step, true, capacitySeconds, a),
      gracefulSeconds: stepSeconds(step, false, capacitySeconds, a),
      restsOn: { ungraceful: basis(step, true), graceful: basis(step, false) },
    });
    for (const inner of (step.parallelConfigs ?? []).flatMap((p) => p.steps ?? [])) {
      visit(inner, String(step.name));
    }
  };
  steps.forEach((s) => visit(s));
  return rows;
}
