/**
 * The embedded default scenario: the seed's region (RFC v3 18/21: one 64 KiB region, 16-byte
 * header, 1365 flat 48-byte records) under a fault storm, with the VMM stalled for 300 ms. The
 * run ends inside the stall, so its final snapshot shows the ring full: exactly the state in
 * which the posted kernel drops faults and nothing counts them.
 *
 * @example
 * ```ts
 * import { DEFAULT_SCENARIO } from "./defaults.ts";
 * DEFAULT_SCENARIO.region.capacity; // => 1365
 * ```
 * @module
 */
import { parseScenario, type Scenario } from "./scenario.ts";

/**
 * The default scenario as JSON (also `testdata/scenarios/seed-storm-stalled.json`).
 *
 * @example
 * ```ts
 * import { DEFAULT_SCENARIO_JSON } from "./defaults.ts";
 * DEFAULT_SCENARIO_JSON.consumer.stalls[0]; // => { at_us: 150000, for_us: 300000 }
 * ```
 */
export const DEFAULT_SCENARIO_JSON = {
  name: "seed-storm-stalled",
  description: "RFC v3 64 KiB fault region, bursts of 4000 faults every 100 ms, " +
    "the VMM stalled from 150 ms to 450 ms; the run ends at 420 ms, inside the stall.",
  seed: 1,
  events: 100_000_000,
  duration_us: 420_000,
  region: { layout: "rfc3" },
  producer: {
    arrivals: { kind: "storm", burst: 4000, gap_us: 0.25, interval_us: 100_000, start_us: 1000 },
    mix: {
      type: { DMA_UNRECOV: 1 },
      reason: { PERMISSION: 4, PTE_FETCH: 2, ACCESS: 1, WALK_EABT: 1 },
      pasid: { first: 1, count: 4 },
      address: { pattern: "hotspot", base: "0x7f0000000000", stride: 4096, pages: 65536 },
    },
  },
  consumer: {
    wake_us: 10,
    service_us: 2,
    stalls: [{ at_us: 150_000, for_us: 300_000 }],
  },
} as const;

/**
 * The default scenario, resolved.
 *
 * @example
 * ```ts
 * import { DEFAULT_SCENARIO } from "./defaults.ts";
 * import { Simulation } from "./engine.ts";
 * new Simulation(DEFAULT_SCENARIO).run(); // => 23725 events
 * ```
 */
export const DEFAULT_SCENARIO: Scenario = parseScenario(
  structuredClone(DEFAULT_SCENARIO_JSON) as unknown,
);
