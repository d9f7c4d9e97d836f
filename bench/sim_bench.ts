/**
 * Simulator throughput: simulated events per second of the pure model, with and without the
 * NDJSON trace (formatted into memory and discarded, so the disk is not measured here).
 * events/s = 1e6 / (time per iteration in s), since every iteration simulates 1 M events.
 *
 *   deno bench -A --frozen bench/sim_bench.ts
 */
import { DEFAULT_SCENARIO } from "../src/sim/defaults.ts";
import { Simulation } from "../src/sim/engine.ts";
import { parseScenario, type Scenario } from "../src/sim/scenario.ts";

const EVENTS = 1_000_000;

const storm: Scenario = { ...DEFAULT_SCENARIO, events: EVENTS, duration_us: null };
const poisson = parseScenario({
  events: EVENTS,
  region: { layout: "dma-fault", page_size: 4096 },
  producer: { arrivals: { kind: "poisson", rate_per_s: 300_000 } },
  consumer: {
    service_us: 3,
    service_jitter_us: 1,
    stall_every: { every_us: 50_000, for_us: 5000 },
  },
});
const v8circ = parseScenario({
  events: EVENTS,
  region: { layout: "fault-prod", page_size: 4096 },
  kernel: { index_math: "circ" },
  producer: { arrivals: { kind: "poisson", rate_per_s: 200_000 } },
  consumer: { service_us: 4, stall_every: { every_us: 10_000, for_us: 600 } },
});

function run(s: Scenario, trace: boolean): number {
  let bytes = 0;
  const sim = new Simulation(s, trace ? { trace: (c) => (bytes += c.length) } : {});
  sim.run();
  return sim.n + bytes;
}

Deno.bench("seed storm, stalled VMM (rfc3, 1365) — 1M events", {
  group: "no trace",
  baseline: true,
}, () => {
  run(storm, false);
});
Deno.bench(
  "poisson + jitter + periodic stalls (dma-fault, 512) — 1M events",
  { group: "no trace" },
  () => {
    run(poisson, false);
  },
);
Deno.bench("v8 85-entry ring, CIRC_SPACE — 1M events", { group: "no trace" }, () => {
  run(v8circ, false);
});
Deno.bench("seed storm with the NDJSON trace — 1M events", { group: "trace" }, () => {
  run(storm, true);
});
Deno.bench("poisson with the NDJSON trace — 1M events", { group: "trace" }, () => {
  run(poisson, true);
});
