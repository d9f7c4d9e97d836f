/**
 * Simulator throughput: simulated events per second of the pure model, with and without the
 * NDJSON trace (formatted into memory and discarded, so the disk is not measured here).
 * events/s = 1e6 / (time per iteration in s), since every iteration simulates 1 M events.
 *
 *   deno bench -A --frozen bench/sim_bench.ts
 *
 * To compare with an older version in the same run (same machine, same load), extract that
 * version's `src/` somewhere and name the directory; each case is then measured for both, the
 * older one as the group's baseline:
 *
 *   mkdir -p /tmp/sim-before && git archive <commit> src | tar -x -C /tmp/sim-before
 *   SIM_BENCH_BASELINE=/tmp/sim-before deno bench -A --frozen bench/sim_bench.ts
 */
import { DEFAULT_SCENARIO_JSON } from "../src/sim/defaults.ts";
import { Simulation } from "../src/sim/engine.ts";
import { parseScenario } from "../src/sim/scenario.ts";
import { NdjsonTrace } from "../src/sim/trace.ts";

const EVENTS = 1_000_000;

const CASES: [string, Record<string, unknown>][] = [
  [
    "seed storm, stalled VMM (rfc3, 1365)",
    { ...structuredClone(DEFAULT_SCENARIO_JSON), events: EVENTS, duration_us: null },
  ],
  ["poisson + jitter + periodic stalls (dma-fault, 512)", {
    events: EVENTS,
    region: { layout: "dma-fault", page_size: 4096 },
    producer: { arrivals: { kind: "poisson", rate_per_s: 300_000 } },
    consumer: {
      service_us: 3,
      service_jitter_us: 1,
      stall_every: { every_us: 50_000, for_us: 5000 },
    },
  }],
  ["v8 85-entry ring, CIRC_SPACE", {
    events: EVENTS,
    region: { layout: "fault-prod", page_size: 4096 },
    kernel: { index_math: "circ" },
    producer: { arrivals: { kind: "poisson", rate_per_s: 200_000 } },
    consumer: { service_us: 4, stall_every: { every_us: 10_000, for_us: 600 } },
  }],
];
/** Cases also measured with the trace (the v8 one adds nothing there). */
const TRACED = new Set([CASES[0][0], CASES[1][0]]);

/** One version of the simulator: runs a scenario (JSON) to its end; returns a checksum. */
type Runner = (json: Record<string, unknown>, trace: boolean) => () => number;

const current: Runner = (json, trace) => {
  const s = parseScenario(json);
  return () => {
    let bytes = 0;
    const t = trace ? new NdjsonTrace((c) => (bytes += c.length)) : undefined;
    const sim = new Simulation(s, { events: t });
    t?.begin(sim);
    sim.run();
    return sim.n + bytes;
  };
};

/**
 * The same measurement for the checkout named by SIM_BENCH_BASELINE: the API since the model's
 * split (`Simulation(s, { events })` observed by an `NdjsonTrace`), or the one before it (a
 * `trace` sink option), whichever that checkout has.
 */
async function older(dir: string): Promise<Runner> {
  const engine = await import(`file://${dir}/src/sim/engine.ts`);
  const scenario = await import(`file://${dir}/src/sim/scenario.ts`);
  let traceMod: { NdjsonTrace: typeof NdjsonTrace } | undefined;
  try {
    traceMod = await import(`file://${dir}/src/sim/trace.ts`);
  } catch { /* before the split */ }
  return (json, trace) => {
    const s = scenario.parseScenario(json);
    return () => {
      let bytes = 0;
      const sink = (c: Uint8Array) => (bytes += c.length);
      if (traceMod) {
        const t = trace ? new traceMod.NdjsonTrace(sink) : undefined;
        const sim = new engine.Simulation(s, { events: t });
        t?.begin(sim);
        sim.run();
        return sim.n + bytes;
      }
      const sim = new engine.Simulation(s, trace ? { trace: sink } : {});
      sim.run();
      return sim.n + bytes;
    };
  };
}

const baselineDir = Deno.env.get("SIM_BENCH_BASELINE");
const before = baselineDir ? await older(baselineDir) : undefined;

for (const trace of [false, true]) {
  for (const [name, json] of CASES) {
    if (trace && !TRACED.has(name)) continue;
    const label = `${name}${trace ? " with the NDJSON trace" : ""} — 1M events`;
    if (before) {
      const fn = before(json, trace);
      Deno.bench(`before: ${label}`, { group: label, baseline: true }, () => {
        fn();
      });
      const now = current(json, trace);
      Deno.bench(`after: ${label}`, { group: label }, () => {
        now();
      });
    } else {
      const fn = current(json, trace);
      Deno.bench(label, { group: trace ? "trace" : "no trace" }, () => {
        fn();
      });
    }
  }
}
