/**
 * The fuzz targets of simulation scenarios: random and hostile scenario files, generated from
 * the scenario field table itself (so every key is covered and new keys are fuzzed as soon as
 * they exist). `scenario:parse` feeds them to the parser; `scenario:simulate` also runs every
 * one it accepts with a bounded event count (`maxEvents`, default 2000), its snapshots, trace,
 * summary and chart, and every `cliEvery`-th (default 50) through the `simulate` command
 * in-process with all its output files. The four hostile scenarios of the issue that found the
 * endless runs come first, whatever the seed.
 *
 * Documented error: `ScenarioError`, one line naming the key (the command: exit 2 and one line).
 * Properties: a run never processes more events than allowed, conserves faults (produced =
 * delivered + dropped + pending) and draws a finite chart; the command leaves no temporary file.
 * The harness adds that no input runs for long and memory stays bounded.
 *
 * @module
 */
import type { FieldSpec } from "../../../src/sim/fields.ts";
import {
  occupancySvg,
  parseScenario,
  parseScenarioText,
  runScenario,
  type Scenario,
  ScenarioError,
  sparkline,
} from "../../../src/sim/mod.ts";
import { Mulberry32 } from "../../../src/sim/prng.ts";
import { SCENARIO_FIELDS } from "../../../src/sim/scenario.ts";
import type { Rand } from "../rand.ts";
import { check, type Target } from "../target.ts";

/** The hostile scenarios, inputs 0 to 3 of every run. */
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
export class ScenarioGenerator {
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

/** Raw records for a replay scenario (the file a scenario names is not read by the fuzzer). */
function captureFor(s: Scenario): Uint8Array {
  const size = { rfc3: 48, v4: 48, v7: 48, v8: 48, mainline: 64 }[s.region.abi as "rfc3"] ?? 48;
  const bytes = new Uint8Array(size * 5);
  for (let i = 0; i < 5; i++) bytes[i * size] = 1 + (i % 2);
  return bytes;
}

/**
 * Parses a scenario; undefined when the parser refused it with a one-line ScenarioError (the
 * documented error); throws on anything else.
 */
export function parsed(text: string): Scenario | undefined {
  let scenario: Scenario;
  try {
    scenario = parseScenarioText(text);
  } catch (e) {
    if (e instanceof ScenarioError) {
      check(!e.message.includes("\n"), `a two-line message: ${e.message}`);
      return undefined;
    }
    throw e;
  }
  check(parseScenario(JSON.parse(text)).seed === scenario.seed, "text and value parse alike");
  return scenario;
}

/**
 * Runs an accepted scenario with at most `maxEvents` events: snapshots, trace, summary, chart
 * and sparkline; throws when a property does not hold.
 */
export function simulate(scenario: Scenario, maxEvents: number): void {
  const capped = { ...scenario, events: Math.min(scenario.events, maxEvents) };
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
}

/**
 * The `simulate` command in-process with every output (trace, chart, snapshots), in a fresh
 * directory: success, or one line and exit 2; never a temporary file left behind.
 */
export async function simulateCommand(text: string, maxEvents: number): Promise<void> {
  const { cli } = await import("../../support/cli.ts");
  const dir = await Deno.makeTempDir({ prefix: "faultscope-fuzz-" });
  try {
    await Deno.writeTextFile(`${dir}/s.json`, text);
    const r = await cli([
      "simulate",
      "--scenario",
      `${dir}/s.json`,
      "--events",
      String(maxEvents),
      "--json",
      "--trace",
      `${dir}/t.ndjson`,
      "--plot",
      `${dir}/c.svg`,
      "--out",
      `${dir}/snap.bin`,
      "--snapshot-every",
      String(Math.max(1, Math.floor(maxEvents / 3))),
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

const maxEventsOf = (o: Readonly<Record<string, unknown>>) => (o.maxEvents as number) ?? 2000;
const cliEveryOf = (o: Readonly<Record<string, unknown>>) => (o.cliEvery as number) ?? 50;

/** A scenario file: one of the hostile ones first, then generated from the field table. */
function scenarioText(r: Rand, index: number): { text: string } {
  return {
    text: index < HOSTILE_SCENARIOS.length
      ? HOSTILE_SCENARIOS[index]
      : new ScenarioGenerator(r.u32()).next(),
  };
}

/** The scenario parser alone. */
const PARSE: Target = {
  name: "scenario:parse",
  doc: "scenario files from the field table, hostile values, damaged JSON: the parser",
  errors: "ScenarioError (one line naming the key)",
  cap: 64 * 1024,
  gen: scenarioText,
  run(input) {
    return parsed(input.text as string) ? "parsed" : "rejected";
  },
};

/** Parser, then a bounded simulation of each accepted scenario, and sometimes the command. */
const SIMULATE: Target = {
  name: "scenario:simulate",
  doc: "the same scenarios, each accepted one simulated (bounded events, snapshots, trace, " +
    "chart), some through the simulate command",
  errors: "ScenarioError from the parser; the command's exit 2 with one line",
  cap: 64 * 1024,
  gen: scenarioText,
  async run(input, ctx) {
    const text = input.text as string;
    const scenario = parsed(text);
    if (!scenario) return "rejected";
    simulate(scenario, maxEventsOf(ctx.options));
    const every = cliEveryOf(ctx.options);
    if (every > 0 && ctx.index % every === 0) {
      await simulateCommand(text, maxEventsOf(ctx.options));
      return "simulated+cli";
    }
    return "simulated";
  },
};

/** The scenario targets. */
export const SCENARIO_TARGETS: readonly Target[] = [PARSE, SIMULATE];
