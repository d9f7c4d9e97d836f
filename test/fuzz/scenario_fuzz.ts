/**
 * The scenario fuzzer as one call: the `scenario:simulate` target (`targets/scenario.ts`: random
 * and hostile scenario files through the parser, a bounded simulation of each accepted one,
 * every `cliEvery`-th through the `simulate` command) run by the fuzz harness, which adds the
 * hang watchdog and the memory bound. `deno task fuzz` runs the same target at scale; this is
 * the form tests use.
 *
 * @example
 * ```ts
 * import { fuzzScenarios } from "./scenario_fuzz.ts";
 * const report = await fuzzScenarios({ count: 100_000, seed: 1 });
 * report.failures; // [] when every input held
 * ```
 * @module
 */
import { fuzzTarget } from "./harness.ts";

export { HOSTILE_SCENARIOS } from "./targets/scenario.ts";

/** Options of {@link fuzzScenarios}. */
export interface ScenarioFuzzOptions {
  /** How many inputs (the four hostile scenarios of the issue come first). */
  count: number;
  /** Seed of the input generator: the same seed gives the same inputs. */
  seed: number;
  /** Most events one simulated run may process (default 2000). */
  maxEvents?: number;
  /** An input batch that does not report within this many ms is a hang (default 30 s). */
  hangMs?: number;
  /** Resident memory of the worker past which an input fails, bytes (default 1 GiB). */
  memoryLimit?: number;
  /** Every this many inputs also run the `simulate` command (default 50; 0: never). */
  cliEvery?: number;
}

/** What went wrong with one input. */
export interface FuzzFailure {
  /** The input's position in the sequence (rerun it with the same seed). */
  index: number;
  /** The input, one JSON line (`{"text": scenario}`). */
  input: string;
  /** What went wrong, one line. */
  error: string;
}

/** What {@link fuzzScenarios} found. */
export interface ScenarioFuzzReport {
  /** Inputs run. */
  inputs: number;
  /** Inputs the parser accepted (and that were simulated). */
  parsed: number;
  /** Inputs the parser refused with a ScenarioError. */
  rejected: number;
  /** Inputs also run through the `simulate` command. */
  cliRuns: number;
  /** Largest resident memory of the worker, bytes. */
  maxMemory: number;
  /** The slowest input, ms. */
  slowestMs: number;
  /** Inputs that broke a property, hung, crashed or passed the memory bound. */
  failures: FuzzFailure[];
}

/**
 * Runs `count` scenarios (the hostile ones first, then seeded random ones).
 *
 * @example
 * ```ts
 * const r = await fuzzScenarios({ count: 300, seed: 7, maxEvents: 1000 });
 * r.parsed + r.rejected + r.failures.length >= r.inputs; // true
 * ```
 */
export async function fuzzScenarios(opts: ScenarioFuzzOptions): Promise<ScenarioFuzzReport> {
  const r = await fuzzTarget("scenario:simulate", {
    seed: opts.seed,
    count: opts.count,
    hangMs: opts.hangMs ?? 30_000,
    memoryLimit: opts.memoryLimit,
    options: { maxEvents: opts.maxEvents ?? 2000, cliEvery: opts.cliEvery ?? 50 },
  });
  const o = r.outcomes;
  const cliRuns = o["simulated+cli"] ?? 0;
  return {
    inputs: r.inputs,
    parsed: (o.simulated ?? 0) + cliRuns,
    rejected: o.rejected ?? 0,
    cliRuns,
    maxMemory: r.peakRss,
    slowestMs: r.slowest.ms,
    failures: r.failures.map(({ index, input, error }) => ({ index, input, error })),
  };
}
