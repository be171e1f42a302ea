/**
 * `npm run bench`: times the offline plan of every stack (`npm run plan`, as its own process) against
 * a baseline process that only loads @pulumi/pulumi, @pulumi/aws and @pulumi/awsx and exits, and
 * reports the medians and their ratio. A benchmark, not a test: it never fails on a slow machine.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT_DIR } from "./mocks";

export const TARGETS = { planSeconds: 5, ratio: 2.5 };

export const USAGE = `Usage: npm run bench -- [--runs <n>] [--json <file>]

Times the full offline plan of every stack against a process that only loads the Pulumi SDKs.
  --runs <n>     timed runs of each (default 5; one untimed warm-up run of each comes first)
  --json <file>  also write the timings as JSON
  -h, --help     show this help`;

export interface BenchOptions {
  runs: number;
  json?: string;
  help: boolean;
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  const opts: BenchOptions = { runs: 5, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === "-h" || arg === "--help") {
      opts.help = true;
    } else if (arg === "--runs") {
      const runs = Number(value);
      if (value === undefined || !Number.isInteger(runs) || runs < 1 || runs > 100) {
        throw new Error(`--runs ${JSON.stringify(value)}: must be an integer from 1 to 100`);
      }
      opts.runs = runs;
      i++;
    } else if (arg === "--json") {
      if (value === undefined || value.startsWith("--")) throw new Error("--json needs a file name");
      opts.json = value;
      i++;
    } else {
      throw new Error(`unknown option "${arg}"; allowed: --runs <n>, --json <file>, --help`);
    }
  }
  return opts;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface Command {
  name: string;
  args: string[];
}

/** The same command `npm run plan` runs (package.json), minus npm's own start-up. */
export const COMMANDS: Command[] = [
  {
    name: "baseline (load @pulumi/pulumi, @pulumi/aws, @pulumi/awsx)",
    args: ["-e", "require('@pulumi/pulumi'); require('@pulumi/aws'); require('@pulumi/awsx');"],
  },
  { name: "plan of every stack", args: ["-r", "sucrase/register/ts", "tools/plan.ts", "--no-color"] },
];

function timeOnce(command: Command): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, command.args, {
    cwd: ROOT_DIR,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${command.name} exited ${result.status}: ${result.stderr.toString().slice(0, 500)}`);
  }
  return seconds;
}

export interface BenchResult {
  runs: number;
  node: string;
  cpus: number;
  commands: { name: string; seconds: number[]; median: number }[];
  ratio: number;
  targets: typeof TARGETS;
}

export function bench(runs: number): BenchResult {
  COMMANDS.forEach(timeOnce); // warm-up: file cache and module resolution
  const seconds: number[][] = COMMANDS.map(() => []);
  // Interleaved, so a burst of load on the machine hits both sides alike.
  for (let i = 0; i < runs; i++) COMMANDS.forEach((c, j) => seconds[j].push(timeOnce(c)));
  const commands = COMMANDS.map((c, j) => ({
    name: c.name,
    seconds: seconds[j],
    median: median(seconds[j]),
  }));
  return {
    runs,
    node: process.version,
    cpus: os.cpus().length,
    commands,
    ratio: commands[1].median / commands[0].median,
    targets: TARGETS,
  };
}

function main(): void {
  let opts: BenchOptions;
  try {
    opts = parseBenchArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (opts.help) {
    console.log(USAGE);
    return;
  }
  const result = bench(opts.runs);
  console.log(`${result.runs} timed runs each, Node ${result.node}, ${result.cpus} CPUs`);
  for (const c of result.commands) {
    console.log(
      `  ${c.name}: median ${c.median.toFixed(2)} s (runs: ${c.seconds.map((s) => s.toFixed(2)).join(", ")})`,
    );
  }
  const plan = result.commands[1].median;
  console.log(`  ratio plan / baseline: ${result.ratio.toFixed(2)}×`);
  console.log(
    `  targets: plan < ${TARGETS.planSeconds} s (${plan < TARGETS.planSeconds ? "met" : "missed"}), ` +
      `< ${TARGETS.ratio}× baseline (${result.ratio < TARGETS.ratio ? "met" : "missed"})`,
  );
  if (opts.json) {
    fs.writeFileSync(path.resolve(opts.json), JSON.stringify(result, null, 2) + "\n");
    console.log(`Wrote ${opts.json}`);
  }
}

if (require.main === module) main();
