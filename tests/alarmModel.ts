/**
 * A model of what CloudWatch metric alarms and an ARC trigger decide on minute-by-minute metric series,
 * from the AWS documentation cited at each function: the witness alarms and the plan's trigger are run
 * on it both as the control stack registers them (tests/failoverTrigger.test.ts) and as the pure
 * builders make them (tests/triggerWitnesses.test.ts).
 */
import { expect } from "chai";

/**
 * A CloudWatch metric alarm's state at the end of minute `t` (period 60 s): ALARM when at least
 * `datapointsToAlarm` of the last `evaluationPeriods` minutes breach ("M out of N", CloudWatch User
 * Guide, "Evaluating an alarm"); a minute without a data point breaches or not as treatMissingData
 * says ("Configuring how CloudWatch alarms treat missing data"). Each minute's value is the alarm's
 * statistic over that minute's points (Minimum here), compared with the threshold as the operator says.
 */
export function alarmState(
  alarm: Record<string, unknown>,
  minutes: (number[] | undefined)[],
  t: number,
): "ALARM" | "OK" {
  expect(alarm.period, "the model knows one-minute periods").to.equal(60);
  const n = alarm.evaluationPeriods as number;
  const m = (alarm.datapointsToAlarm as number | undefined) ?? n;
  const compare: Record<string, (a: number, b: number) => boolean> = {
    LessThanThreshold: (a, b) => a < b,
    LessThanOrEqualToThreshold: (a, b) => a <= b,
    GreaterThanThreshold: (a, b) => a > b,
    GreaterThanOrEqualToThreshold: (a, b) => a >= b,
  };
  const statistic: Record<string, (v: number[]) => number> = {
    Minimum: (v) => Math.min(...v),
    Maximum: (v) => Math.max(...v),
  };
  let breaching = 0;
  for (let i = Math.max(0, t - n + 1); i <= t; i++) {
    const points = minutes[i];
    if (points === undefined || points.length === 0) {
      if (alarm.treatMissingData === "breaching") breaching++;
      continue;
    }
    const value = statistic[alarm.statistic as string](points);
    if (compare[alarm.comparisonOperator as string](value, alarm.threshold as number)) breaching++;
  }
  return breaching >= m ? "ALARM" : "OK";
}

/**
 * The minute ARC starts the plan, if it does: "all conditions must be met", and "The trigger starts
 * plan execution when a CloudWatch alarm transitions to meet the conditions" (ARC Developer Guide,
 * "Create a trigger for a Region switch plan"); a condition `red` is an alarm in ALARM.
 */
export function triggerFiresAt(
  trigger: { conditions: { associatedAlarmName: string; condition: string }[] },
  alarmsByName: Record<string, Record<string, unknown>>,
  series: Record<string, (number[] | undefined)[]>,
  horizon: number,
): number | undefined {
  let before = false;
  for (let t = 0; t < horizon; t++) {
    const met = trigger.conditions.every((c) => {
      const alarm = alarmsByName[c.associatedAlarmName];
      const probeRegion = (alarm.dimensions as Record<string, string>).ProbeRegion;
      const state = alarmState(alarm, series[probeRegion] ?? [], t);
      return c.condition === "red" ? state === "ALARM" : state === "OK";
    });
    if (met && !before) return t;
    before = met;
  }
  return undefined;
}

/** A probe's minutes: `healthy` or not, one run (one point) a minute; `silent` minutes have none. */
export const minutes = (pattern: ("up" | "down" | "silent")[]): (number[] | undefined)[] =>
  pattern.map((p) => (p === "silent" ? undefined : [p === "up" ? 1 : 0]));
export const repeat = <T>(value: T, count: number): T[] => Array.from({ length: count }, () => value);
