/**
 * Plan health you can see before you need it: ARC evaluates every Region switch plan on its own "when
 * a plan is created or updated, and then every 30 minutes after that, during steady state" (ARC
 * Developer Guide, "About Region switch", Plan evaluation), and "an event is emitted when a warning is
 * returned. If the warning is not cleared, an event is emitted for the warning only once every 24
 * hours" (ARC Developer Guide, "Using Region switch in ARC with Amazon EventBridge"): an evaluation
 * that is not `passed` is an event; a passed one is none. This EventBridge rule sends each such event
 * to the ops topics.
 *
 * Where: the guide's rule goes "in the Region where you created the plan", the control plane's
 * region, us-east-1 (config/control.ts CONTROL_REGION), and its example event is from us-east-1.
 * That is where the control stack lives, so the rule is the control stack's: the evaluation is of its
 * plans, and a regional stack owns nothing outside its region. Evaluation matters before a failover
 * (it runs "during steady state"), when that region is up; during a us-east-1 outage no evaluation
 * result would change what on-call does, and `get-plan-evaluation-status` from the standby region
 * remains (docs/runbook.md). Whether ARC also delivers the events in a plan's other regions:
 * unverified, so no rule is placed there.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Component } from "./component";

/** The event source and detail-type (EventBridge Events Reference, "Amazon Application Recovery Controller (ARC) Region switch events"). */
export const ARC_EVENT_SOURCE = "aws.arc-region-switch";
export const PLAN_EVALUATION_DETAIL_TYPE = "ARC Region Switch Plan Evaluation";

/**
 * The rule's pattern: every plan-evaluation event of the account. The guide's example of an
 * evaluation warning carries the detail-type "ARC Region Switch Plan Execution" while its patterns and
 * the EventBridge reference say "ARC Region Switch Plan Evaluation": both are matched, the former
 * only with the warning (`detail.metadata.warning`) that execution events do not carry ($or and
 * `exists`: EventBridge User Guide, "Comparison operators for use in event patterns"). Not filtered by
 * plan: the example's `resources` holds `plan/a2b89be4821bfd1d`, not the API's `plan/<name>:<id>`, so
 * a filter on this stack's plan ARNs could match nothing; another plan of the account warns here too.
 */
export function planEvaluationEventPattern(): object {
  return {
    source: [ARC_EVENT_SOURCE],
    $or: [
      { "detail-type": [PLAN_EVALUATION_DETAIL_TYPE] },
      {
        "detail-type": ["ARC Region Switch Plan Execution"],
        detail: { metadata: { warning: [{ exists: true }] } },
      },
    ],
  };
}

export interface PlanEvaluationAlertsArgs {
  /** Where the rule lives: where ARC delivers the events, the control stack's region. Required. */
  region: string;
  /**
   * Topics in that region that are told (each must let EventBridge publish: notificationTopic's
   * `events` publisher). Required (at least one).
   */
  topicArns: pulumi.Input<string>[];
  tags?: Record<string, string>;
}

export interface PlanEvaluationAlertsOutputs {
  /** Name of the EventBridge rule. */
  ruleName: pulumi.Output<string>;
}

export class PlanEvaluationAlerts extends Component<PlanEvaluationAlertsOutputs> {
  constructor(name: string, args: PlanEvaluationAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    if (args.topicArns.length === 0) throw new Error(`PlanEvaluationAlerts "${name}": at least one topic`);
    super("multi-region-web:failover:PlanEvaluationAlerts", name, args, opts);
    const rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        region: args.region,
        description: "ARC Region switch plan evaluation warnings (a plan that may not run as built)",
        eventPattern: JSON.stringify(planEvaluationEventPattern()),
        tags: args.tags,
      },
      { parent: this },
    );
    args.topicArns.forEach((arn, i) => {
      new aws.cloudwatch.EventTarget(
        `${name}-target-${i}`,
        { region: args.region, rule: rule.name, arn },
        { parent: this },
      );
    });
    this.publish({ ruleName: rule.name });
  }
}
