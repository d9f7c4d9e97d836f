/**
 * Schema of `bench --json`: the machine, the options used, one row per configuration and
 * baseline, and the idle-CPU check of the wait strategies.
 *
 * @example
 * ```ts
 * import { benchSchema } from "./bench.ts";
 * (benchSchema().required as string[]).includes("results"); // true
 * ```
 * @module
 */
import { closed, count, type JsonSchema, nullable } from "../../codec/json_schema.ts";
import { WAIT_STRATEGIES } from "../../ring/doorbell.ts";
import { RING_LAYOUTS } from "../../ring/geometry.ts";
import { BASELINES } from "../../bench/suite.ts";

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
  fault: nullable(STR),
}));

/** `bench --json`. */
export function benchSchema(): JsonSchema {
  return closed({
    machine: closed({
      cpus: count(),
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
        spin_us: count("spin-wait: first and smallest spin budget (µs)"),
        spin_max_us: count("spin-wait: largest spin budget (µs)"),
        repeat: count(),
      },
      undefined,
      { description: "what the run used, defaults included" },
    ),
    verified: { type: "boolean" },
    interrupted: { type: "boolean" },
    results: {
      type: "array",
      items: closed({
        name: STR,
        transport: { enum: ["ring", ...BASELINES] },
        layout: nullable({ enum: RING_LAYOUTS }),
        indices: nullable(STR),
        record_size: count(),
        batch: count(),
        wait: { enum: [...WAIT_STRATEGIES, "spin", "event-loop"] },
        records: count(),
        seconds: FIGURE,
        records_per_s: count(),
        runs: { type: "array", items: count() },
        mb_per_s: FIGURE,
        latency_ns: closed({ p50: FIGURE, p99: FIGURE, p999: FIGURE }),
        mean_batch: closed({ producer: FIGURE, consumer: FIGURE }),
        producer: SIDE,
        consumer: SIDE,
        ratio: closed(Object.fromEntries(BASELINES.map((b) => [b, FIGURE]))),
        sweep: nullable({
          type: "array",
          items: closed({ batch: count(), records_per_s: count() }),
          description: "ringbuf.js: each batch size (the row is the best); null for the others",
        }),
        verified: { type: "boolean" },
        lost: count(),
        duplicated_or_reordered: count(),
        torn: count(),
        problems: { type: "array", items: STR },
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
