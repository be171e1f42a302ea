/**
 * Configuration errors. One bad value is a ConfigError that names the key, the value and what is
 * allowed; a stack's whole config is checked at once and every problem is reported together
 * (ConfigErrors), so a user fixes a stack file in one pass. Both are Pulumi RunErrors: `pulumi up`
 * and `preview` print the message without a stack trace.
 */
import * as pulumi from "@pulumi/pulumi";

export class ConfigError extends pulumi.RunError {
  constructor(
    public readonly key: string,
    public readonly value: unknown,
    public readonly allowed: string,
  ) {
    super(`Invalid config "${key}" = ${JSON.stringify(value)}: ${allowed}`);
    this.name = "ConfigError";
  }
}

/** Every problem of one stack's config. Its own key, value and text are the first problem's. */
export class ConfigErrors extends ConfigError {
  constructor(public readonly problems: ConfigError[]) {
    super(problems[0].key, problems[0].value, problems[0].allowed);
    this.name = "ConfigErrors";
    if (problems.length > 1) {
      this.message = `${problems.length} config problems:\n${problems.map((p) => `  ${p.message}`).join("\n")}`;
    }
  }
}

/**
 * Collects the problems of one stack's config. `check` runs one validation and records the
 * ConfigError it throws, so the next validation still runs; anything else is a bug and propagates.
 */
export class Problems {
  readonly list: ConfigError[] = [];

  add(key: string, value: unknown, allowed: string): void {
    this.record(new ConfigError(key, value, allowed));
  }

  /** Runs `fn`; on a ConfigError records it and returns undefined. */
  check<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ConfigErrors) {
        e.problems.forEach((p) => this.record(p));
        return undefined;
      }
      if (e instanceof ConfigError) {
        this.record(e);
        return undefined;
      }
      throw e;
    }
  }

  /** Runs `fn`; true when it passed, false when it threw a ConfigError (recorded). */
  passes(fn: () => unknown): boolean {
    let ok = true;
    this.check(() => {
      try {
        fn();
      } catch (e) {
        ok = false;
        throw e;
      }
    });
    return ok;
  }

  /** True when a problem was recorded for `key` or one of its fields. */
  has(key: string): boolean {
    return this.list.some((p) => p.key === key || p.key.startsWith(`${key}.`) || p.key.startsWith(`${key}[`));
  }

  /** Throws every problem recorded so far, if any. */
  throwIfAny(): void {
    if (this.list.length > 0) throw new ConfigErrors([...this.list]);
  }

  private record(problem: ConfigError): void {
    if (!this.list.some((p) => p.message === problem.message)) this.list.push(problem);
  }
}

/** The problems a thrown error carries: all of a ConfigErrors, the one of a ConfigError. */
export function problemsOf(e: unknown): ConfigError[] | undefined {
  if (e instanceof ConfigErrors) return e.problems;
  if (e instanceof ConfigError) return [e];
  return undefined;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** The allowed value nearest to `value` (case-insensitive), when it is close enough to be a typo. */
export function nearest(value: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const distance = editDistance(value.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(value.length / 3)) ? best : undefined;
}

/** " (did you mean X?)" or "". */
export function didYouMean(value: unknown, allowed: readonly string[]): string {
  if (typeof value !== "string") return "";
  const suggestion = nearest(value, allowed);
  return suggestion !== undefined && suggestion !== value ? ` (did you mean "${suggestion}"?)` : "";
}

/**
 * One problem found before any program runs (the pre-flight): in which file, at which key as the user
 * wrote it (`multi-region-web:vpcCidr`, `multi-region-web:database.engineVersion`), with the value,
 * what is wrong or allowed, and where in the file when known (1-based line and column).
 */
export interface Finding {
  file: string;
  key: string;
  value?: unknown;
  message: string;
  line?: number;
  column?: number;
}

/** `Pulumi.ca-central-1.yaml:7:3: multi-region-web:vpcCidr = "10.10.0.0/16": overlaps …` */
export function formatFinding(f: Finding): string {
  const where =
    f.line !== undefined ? `${f.file}:${f.line}${f.column !== undefined ? `:${f.column}` : ""}` : f.file;
  const value = "value" in f && f.value !== undefined ? ` = ${JSON.stringify(f.value)}` : "";
  return `${where}: ${f.key}${value}: ${f.message}`;
}
