/**
 * A seeded fuzzer for simulation scenarios: random and hostile scenario files, generated from
 * the scenario field table itself (so every key is covered and new keys are fuzzed as soon as
 * they exist), go through the parser, and every one that parses goes through a simulation with
 * a bounded event count, its snapshots, trace, summary and chart; every `cliEvery`-th one also
 * goes through the `simulate` command in-process with all its output files.
 *
 * What must hold for every input: the parser returns a scenario or throws a ScenarioError (never
 * anything else); a run never throws, never processes more events than allowed, conserves
 * faults (produced = delivered + dropped + pending) and draws a finite chart; the command ends
 * with success or a one-line error with exit 2 and leaves no temporary file; no input runs for
 * `hangMs` (the work runs in a worker that is terminated and reported if it does); the worker's
 * memory (heap and array buffers) stays under `memoryLimit`.
 *
 * @example
 * ```ts
 * import { fuzzScenarios } from "./scenario_fuzz.ts";
 * const report = await fuzzScenarios({ count: 100_000, seed: 1 });
 * report.failures; // [] when every input held
 * ```
 * @module
 */
import type { FieldSpec } from "../../src/sim/fields.ts";
import {
  occupancySvg,
  parseScenario,
  parseScenarioText,
  runScenario,
  type Scenario,
  ScenarioError,
  sparkline,
} from "../../src/sim/mod.ts";
import { Mulberry32 } from "../../src/sim/prng.ts";
import { SCENARIO_FIELDS } from "../../src/sim/scenario.ts";

/** Options of {@link fuzzScenarios}. */
export interface ScenarioFuzzOptions {
  /** How many inputs (the four hostile scenarios of the issue come first). */
  count: number;
  /** Seed of the input generator: the same seed gives the same inputs. */
  seed: number;
  /** Most events one simulated run may process (default 2000). */
  maxEvents?: number;
  /** An input still running after this many ms is a hang (default 30 s). */
  hangMs?: number;
  /** Largest heap + array buffer memory of the worker, bytes (default 768 MiB). */
  memoryLimit?: number;
  /** Every this many parsed inputs also run the `simulate` command (default 50; 0: never). */
  cliEvery?: number;
  /** Called after each input with the number done. */
  onProgress?: (done: number) => void;
}

/** What went wrong with one input. */
export interface FuzzFailure {
  /** The input's position in the sequence (rerun it with the same seed). */
  index: number;
  /** The scenario (JSON text). */
  input: string;
  error: string;
}

/** What {@link fuzzScenarios} found. */
export interface ScenarioFuzzReport {
  inputs: number;
  /** Inputs the parser accepted. */
  parsed: number;
  /** Inputs the parser refused with a ScenarioError. */
  rejected: number;
  /** Inputs also run through the `simulate` command. */
  cliRuns: number;
  /** Largest heap + array buffer memory seen in the worker, bytes. */
  maxMemory: number;
  /** The slowest input, ms. */
  slowestMs: number;
  failures: FuzzFailure[];
}

/** The hostile scenarios, run first whatever the seed. */
export const HOSTILE_SCENARIOS: readonly string[] = [
  '{"producer":{"arrivals":{"kind":"poisson","rate_per_s":5e-324}}}',
  '{"producer":{"arrivals":{"kind":"storm","burst":1e12,"gap_us":0,"interval_us":1}},' +
  '"inject":[{"at_event":10,"kind":"prod_corrupt"}]}',
  '{"producer":{"arrivals":{"kind":"poisson","start_us":1e308}}}',
  '{"region":{"region_size":1e15}}',
];

const HOSTILE_VALUES: unknown[] = [
  5e-324,
  1e308,
  -1e308,
  -1,
  0,
  -0,
  0.5,
  1e-300,
  1e15,
  1e16,
  2 ** 53,
  2 ** 32,
  0xffffffff,
  "1",
  "",
  null,
  true,
  [],
  {},
  [1, 2],
];
const NAMES = [
  "rfc3",
  "v4",
  "v7",
  "v8",
  "mainline",
  "fault-prod",
  "dma-fault",
  "steady",
  "poisson",
  "storm",
  "replay",
  "DMA_UNRECOV",
  "PAGE_REQ",
  "PERMISSION",
  "INTERNAL",
  "bogus",
];

/** Builds scenario JSON from the field table with a seeded PRNG. */
class Generator {
  readonly #r: Mulberry32;
  constructor(seed: number) {
    this.#r = new Mulberry32(seed);
  }
  #u(): number {
    return this.#r.nextFloat();
  }
  #pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.#u() * list.length)];
  }
  /** A log-uniform number in [lo, hi] (most ranges span many decades). */
  #logUniform(lo: number, hi: number): number {
    const a = Math.log10(Math.max(lo, 1e-3) + 1e-3), b = Math.log10(Math.max(hi, 1e-3) + 1e-3);
    return Math.min(hi, Math.max(lo, 10 ** (a + (b - a) * this.#u())));
  }

  value(f: FieldSpec): unknown {
    const u = this.#u();
    if (u < 0.08) return this.#pick(HOSTILE_VALUES);
    switch (f.type) {
      case "number":
      case "integer": {
        if (f.oneOf) return this.#pick(f.oneOf);
        const lo = f.min ?? f.above ?? 0, hi = Math.min(f.max ?? 1e15, 1e15);
        const edge = this.#u();
        let v = edge < 0.1 ? lo : edge < 0.2 ? hi : this.#logUniform(lo, hi);
        if (f.type === "integer") v = Math.round(v);
        return v;
      }
      case "choice":
        return typeof f.values === "function" || this.#u() < 0.1
          ? this.#pick(NAMES)
          : this.#pick(f.values);
      case "string":
        if (f.pattern) {
          return "0x" + Math.floor(this.#u() * 2 ** 48).toString(16) +
            (this.#u() < 0.1 ? "ffffffffffffffff" : "");
        }
        return this.#u() < 0.05 ? "x".repeat(20_000) : `s${Math.floor(this.#u() * 1000)}`;
      case "boolean":
        return this.#u() < 0.5;
      case "weights": {
        const o: Record<string, unknown> = {};
        const k = 1 + Math.floor(this.#u() * 3);
        for (let i = 0; i < k; i++) {
          o[this.#pick(NAMES)] = this.#u() < 0.1 ? this.#pick(HOSTILE_VALUES) : this.#u() * 10;
        }
        return o;
      }
      case "object":
        return this.object(f.fields);
      case "array": {
        const k = Math.floor(this.#u() * 4);
        return Array.from({ length: k }, () => this.object(f.of));
      }
      case "variant": {
        const kinds = Object.keys(f.kinds);
        const kind = this.#u() < 0.05 ? "bogus" : this.#pick(kinds);
        return { kind, ...this.object(f.kinds[kind] ?? []) };
      }
    }
  }

  object(fields: readonly FieldSpec[]): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    for (const f of fields) if (this.#u() < 0.35) o[f.key] = this.value(f);
    if (this.#u() < 0.02) o.unknown_key = 1;
    return o;
  }

  /** One input: mostly table-driven JSON, sometimes damaged text. */
  next(): string {
    const text = JSON.stringify(this.object(SCENARIO_FIELDS));
    const u = this.#u();
    if (u < 0.05) return text.slice(0, Math.floor(this.#u() * text.length));
    if (u < 0.08) return this.#pick(["[]", "null", "1", '"x"', "{", "{}}", "\u0000"]);
    return text;
  }
}

/** A request to the worker. */
interface Job {
  index: number;
  text: string;
  maxEvents: number;
  cli: boolean;
}

/** The worker's answer for one input. */
interface Outcome {
  index: number;
  parsed: boolean;
  cli: boolean;
  error?: string;
  ms: number;
  memory: number;
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
  const maxEvents = opts.maxEvents ?? 2000;
  const hangMs = opts.hangMs ?? 30_000;
  const memoryLimit = opts.memoryLimit ?? 768 * 2 ** 20;
  const cliEvery = opts.cliEvery ?? 50;
  const gen = new Generator(opts.seed);
  const inputs: string[] = [];
  const input = (i: number) => {
    while (inputs.length <= i) {
      inputs.push(
        inputs.length < HOSTILE_SCENARIOS.length ? HOSTILE_SCENARIOS[inputs.length] : gen.next(),
      );
    }
    return inputs[i];
  };
  const report: ScenarioFuzzReport = {
    inputs: opts.count,
    parsed: 0,
    rejected: 0,
    cliRuns: 0,
    maxMemory: 0,
    slowestMs: 0,
    failures: [],
  };
  let next = 0;
  while (next < opts.count) {
    // One worker until it hangs; a hung worker is terminated and a new one goes on.
    const worker = new Worker(import.meta.url, { type: "module" });
    try {
      next = await drive(worker, next);
    } finally {
      worker.terminate();
    }
  }
  return report;

  function drive(worker: Worker, from: number): Promise<number> {
    return new Promise((resolve) => {
      let i = from;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const send = () => {
        if (i >= opts.count) return resolve(i);
        const text = input(i);
        worker.postMessage(
          { index: i, text, maxEvents, cli: cliEvery > 0 && i % cliEvery === 0 } satisfies Job,
        );
        clearTimeout(timer);
        timer = setTimeout(() => {
          report.failures.push({
            index: i,
            input: text,
            error: `no answer in ${hangMs} ms (hang)`,
          });
          resolve(i + 1);
        }, hangMs);
      };
      worker.onmessage = (e: MessageEvent<Outcome>) => {
        const o = e.data;
        clearTimeout(timer);
        if (o.parsed) report.parsed++;
        else if (!o.error) report.rejected++;
        if (o.cli) report.cliRuns++;
        report.maxMemory = Math.max(report.maxMemory, o.memory);
        report.slowestMs = Math.max(report.slowestMs, o.ms);
        if (o.error) {
          report.failures.push({ index: o.index, input: input(o.index), error: o.error });
        }
        i = o.index + 1;
        opts.onProgress?.(i);
        if (o.memory > memoryLimit) {
          // Reported once, for the input that crossed the limit; a fresh worker goes on, so the
          // garbage it left does not fail the inputs after it.
          report.failures.push({
            index: o.index,
            input: input(o.index),
            error: `worker memory ${o.memory} bytes over ${memoryLimit}`,
          });
          return resolve(i);
        }
        send();
      };
      worker.onerror = (e) => {
        e.preventDefault();
        clearTimeout(timer);
        report.failures.push({ index: i, input: input(i), error: `worker error: ${e.message}` });
        resolve(i + 1);
      };
      send();
    });
  }
}

// ---- The worker side ------------------------------------------------------------------------

/** Raw records for a replay scenario (the file a scenario names is not read by the fuzzer). */
function captureFor(s: Scenario): Uint8Array {
  const size = { rfc3: 48, v4: 48, v7: 48, v8: 48, mainline: 64 }[s.region.abi as "rfc3"] ?? 48;
  const bytes = new Uint8Array(size * 5);
  for (let i = 0; i < 5; i++) bytes[i * size] = 1 + (i % 2);
  return bytes;
}

function check(cond: unknown, what: string): void {
  if (!cond) throw new Error(what);
}

/** Parse, run and draw one input; throws on anything that must not happen. */
function runOne(job: Job): boolean {
  let scenario: Scenario;
  try {
    scenario = parseScenarioText(job.text);
  } catch (e) {
    if (e instanceof ScenarioError) {
      check(!e.message.includes("\n"), `a two-line message: ${e.message}`);
      return false;
    }
    throw e;
  }
  const capped = { ...scenario, events: Math.min(scenario.events, job.maxEvents) };
  check(parseScenario(JSON.parse(job.text)).seed === scenario.seed, "text and value parse alike");
  let traced = 0;
  const r = runScenario(capped, {
    capture: capped.producer.arrivals.kind === "replay" ? captureFor(capped) : undefined,
    trace: (c) => (traced += c.length),
    snapshotAt: [Math.floor(capped.events / 2)],
    snapshotAtEnd: true,
    chunk: 500,
  });
  const s = r.summary;
  check(s.events <= capped.events, `${s.events} events, more than ${capped.events}`);
  check(s.produced === s.delivered + s.dropped + s.pending, "faults not conserved");
  check(Number.isFinite(s.sim_time_us), `sim_time_us ${s.sim_time_us}`);
  check(traced > 0, "no trace");
  JSON.stringify(s);
  const svg = occupancySvg(r);
  check(svg.endsWith("</svg>\n") && svg.length < 4e6, `a chart of ${svg.length} characters`);
  check(!/NaN|Infinity/.test(svg), "a chart with NaN or Infinity");
  sparkline(r.timeline, s.sim_time_us, s.capacity - 1);
  return true;
}

/** The `simulate` command in-process, with every output, in a fresh directory. */
async function runCli(job: Job): Promise<void> {
  const { cli } = await import("../support/cli.ts");
  const dir = await Deno.makeTempDir({ prefix: "faultscope-fuzz-" });
  try {
    await Deno.writeTextFile(`${dir}/s.json`, job.text);
    const r = await cli([
      "simulate",
      "--scenario",
      `${dir}/s.json`,
      "--events",
      String(job.maxEvents),
      "--json",
      "--trace",
      `${dir}/t.ndjson`,
      "--plot",
      `${dir}/c.svg`,
      "--out",
      `${dir}/snap.bin`,
      "--snapshot-every",
      String(Math.max(1, Math.floor(job.maxEvents / 3))),
      "--no-progress",
    ]);
    // Success, or a bad input said in one line with exit 2; never an internal error.
    const lines = r.stderr.trimEnd().split("\n");
    check(
      r.code === 0 || (r.code === 2 && lines.length === 1 && lines[0].startsWith("faultscope: ")),
      `simulate exited ${r.code}: ${r.stderr}`,
    );
    for (const f of Deno.readDirSync(dir)) check(!f.name.endsWith(".tmp"), `left ${f.name}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (typeof (globalThis as Record<string, unknown>).WorkerGlobalScope !== "undefined") {
  const scope = self as unknown as {
    onmessage: (e: MessageEvent<Job>) => void;
    postMessage: (o: Outcome) => void;
  };
  scope.onmessage = async (e) => {
    const job = e.data;
    const t0 = performance.now();
    let parsed = false;
    let error: string | undefined;
    try {
      parsed = runOne(job);
      if (parsed && job.cli) await runCli(job);
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    const m = Deno.memoryUsage();
    scope.postMessage({
      index: job.index,
      parsed,
      cli: parsed && job.cli,
      error,
      ms: performance.now() - t0,
      memory: m.heapUsed + m.external,
    });
  };
}
