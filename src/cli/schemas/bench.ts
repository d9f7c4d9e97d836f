/**
 * Schema of `bench --json`: the machine, the options used, the C reference, one row per
 * configuration, C twin and baseline, the headline ratios, the latency probes and the idle-CPU
 * check of the wait strategies.
 *
 * @example
 * ```ts
 * import { benchSchema } from "./bench.ts";
 * (benchSchema().required as string[]).includes("results"); // => true
 * ```
 * @module
 */
import { closed, count, type JsonSchema, nullable } from "../../codec/json_schema.ts";
import { WAIT_STRATEGIES } from "../../ring/doorbell.ts";
import { RING_LAYOUTS } from "../../ring/geometry.ts";
import { LATENCY_PROBES, RATIO_KEYS } from "../../bench/suite.ts";

const NUM: JsonSchema = { type: "number", minimum: 0 };
const STR: JsonSchema = { type: "string" };
/** A measured figure, rounded to 2 decimals; null when it could not be measured. */
const FIGURE = nullable(NUM);

const SIDE = nullable(closed({
  records: count(),
  publishes: count(),
  waits: count(),
  spins: count(),
  arms: count(),
  sleeps: count(),
  timeouts: count(),
  notifies: count(),
  index_loads: count("loads of the other side's index"),
  clock_reads: count(),
  cpus: { type: "array", items: count(), description: "CPUs the side ran on; empty: unknown" },
  fault: nullable(STR),
}));

/** Delivery latency in ns; nulls where the transport stamps nothing. */
const LATENCY = closed({ p50: FIGURE, p99: FIGURE, p999: FIGURE, max: FIGURE });

/** `bench --json`. */
export function benchSchema(): JsonSchema {
  return closed({
    machine: closed({
      cpu_model: nullable(STR),
      logical_cpus: count(),
      physical_cores: nullable(count()),
      allowed_cpus: nullable(STR),
      os: STR,
      deno: STR,
      v8: STR,
      loadavg: nullable({ type: "array", items: NUM, minItems: 3, maxItems: 3 }),
    }),
    options: closed(
      {
        records: nullable({ ...count(), description: "records per configuration; null: by time" }),
        duration_ms: nullable({
          ...count(),
          description: "measurement per configuration; null: by records",
        }),
        warmup_ms: count(),
        batches: { type: "array", items: count(), minItems: 1 },
        layouts: { type: "array", items: { enum: RING_LAYOUTS }, minItems: 1 },
        waits: { type: "array", items: { enum: WAIT_STRATEGIES }, minItems: 1 },
        split: { type: "boolean", description: "also the indices on separate cache lines" },
        baselines: { type: "boolean" },
        c_reference: { type: "boolean" },
        spin_us: count("spin-wait: first and smallest spin budget (µs)"),
        spin_max_us: count("spin-wait: largest spin budget (µs)"),
        sleep_ms: count("spin-wait: longest single sleep (ms)"),
        repeat: count(),
      },
      undefined,
      { description: "what the run used, defaults included" },
    ),
    c_reference: closed({
      available: { type: "boolean" },
      compiler: nullable(STR),
      reason: nullable({ ...STR, description: "why it is not available" }),
    }),
    verified: { type: "boolean" },
    interrupted: { type: "boolean" },
    results: {
      type: "array",
      items: closed({
        name: STR,
        transport: { enum: ["ring", ...RATIO_KEYS] },
        layout: nullable({ enum: RING_LAYOUTS }),
        indices: nullable(STR),
        twin_of: nullable({ ...STR, description: "the ring row a C11 twin mirrors" }),
        record_size: count(),
        batch: count(),
        wait: { enum: [...WAIT_STRATEGIES, "spin", "event-loop"] },
        records: count(),
        seconds: FIGURE,
        records_per_s: count(),
        runs: { type: "array", items: count() },
        mb_per_s: FIGURE,
        latency_ns: LATENCY,
        mean_batch: closed({ producer: FIGURE, consumer: FIGURE }),
        producer: SIDE,
        consumer: SIDE,
        ratio: closed(Object.fromEntries(RATIO_KEYS.map((b) => [b, FIGURE]))),
        sweep: nullable({
          type: "array",
          items: closed({ batch: count(), records_per_s: count() }),
          description: "a swept baseline: each batch size (the row is the best); null otherwise",
        }),
        verified: { type: "boolean" },
        lost: count(),
        duplicated_or_reordered: count(),
        torn: count(),
        problems: { type: "array", items: STR },
      }),
    },
    headline: closed({
      best: nullable({ ...STR, description: "the batched ring row with the most records/s" }),
      records_per_s: nullable(count()),
      vs_minimal_ring: FIGURE,
      vs_c_reference: FIGURE,
      best_per_layout: closed(Object.fromEntries(RING_LAYOUTS.map((l) => [l, nullable(STR)]))),
      dma_fault_vs_rfc3: FIGURE,
    }),
    latency: {
      type: "array",
      items: closed({
        kind: { enum: Object.keys(LATENCY_PROBES) },
        wait: { enum: WAIT_STRATEGIES },
        gap_us: count(),
        records: count(),
        ring: LATENCY,
        c_reference: nullable(LATENCY),
      }),
    },
    idle: {
      type: "array",
      items: closed({
        wait: { enum: WAIT_STRATEGIES },
        idle_ms: count(),
        cpu_ms: FIGURE,
        consumer_sleeps: nullable(count()),
      }),
    },
  });
}
