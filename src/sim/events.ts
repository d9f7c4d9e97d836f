/**
 * What the model tells an observer, one call per simulated event: the seam between the model
 * (`engine.ts`), which knows nothing of output formats, and the NDJSON trace (`trace.ts`) or any
 * other listener. Every call carries the event number `n` and the time `t` (µs).
 *
 * @example
 * ```ts
 * import { DEFAULT_SCENARIO } from "./defaults.ts";
 * import { Simulation } from "./engine.ts";
 * import type { SimEvents } from "./events.ts";
 * let drops = 0;
 * const none = () => {};
 * const counter: SimEvents = {
 *   fault: none, drop: () => drops++, wake: none, deliver: none, hang: none,
 *   start: none, stall: none, resume: none, inject: none,
 * };
 * new Simulation(DEFAULT_SCENARIO, { events: counter }).run();
 * drops; // => 14920: the storm's faults lost while the VMM stalls
 * ```
 * @module
 */

/**
 * Why a fault did not reach the consumer, in the order of the summary's `dropped_by_cause`.
 *
 * @example
 * ```ts
 * import { DEFAULT_SCENARIO } from "./defaults.ts";
 * import { Simulation } from "./engine.ts";
 * import { DROP_CAUSES } from "./events.ts";
 * import { summarize } from "./summary.ts";
 * const sim = new Simulation(DEFAULT_SCENARIO);
 * sim.run();
 * DROP_CAUSES[0]; // => "full"
 * summarize(sim).dropped_by_cause[DROP_CAUSES[0]]; // => 14920
 * ```
 */
export const DROP_CAUSES = [
  "full",
  "spurious_full",
  "bad_index",
  "queue_stopped",
  "trap",
  "oob_write",
  "overwritten",
] as const;
/** A drop cause. */
export type DropCause = typeof DROP_CAUSES[number];

/** Indices into {@link DROP_CAUSES}, for the model's counters. */
export const CAUSE = {
  full: 0,
  spurious_full: 1,
  bad_index: 2,
  queue_stopped: 3,
  trap: 4,
  oob_write: 5,
  overwritten: 6,
} as const satisfies Record<DropCause, number>;

/**
 * The observer of a run. The model calls these in event order, after updating its state.
 *
 * @example
 * ```ts
 * import { Simulation } from "./engine.ts";
 * import { parseScenario } from "./scenario.ts";
 * import { NdjsonTrace } from "./trace.ts";
 * const chunks: Uint8Array[] = [];
 * const trace = new NdjsonTrace((chunk) => chunks.push(chunk.slice()));
 * new Simulation(parseScenario({ events: 3 }), { events: trace }).run();
 * chunks.length; // => 0: the trace buffers until its `end`
 * ```
 */
export interface SimEvents {
  /** The kernel queued fault `k` in `slot`, moving prod to `prod`; `signalled`: eventfd written. */
  fault(
    n: number,
    t: number,
    k: number,
    slot: number,
    prod: number,
    occupancy: number,
    signalled: boolean,
  ): void;
  /**
   * Fault `k` was lost (`cause` indexes {@link DROP_CAUSES}) with the header at `prod`/`cons`;
   * `why` explains a corruption, `offset` is where an out-of-region write would have gone.
   */
  drop(
    n: number,
    t: number,
    k: number,
    cause: number,
    prod: number,
    cons: number,
    why: string | undefined,
    offset: number | undefined,
  ): void;
  /** The VMM's handler ran after `count` signals and will read up to `prod` from `cons`. */
  wake(n: number, t: number, count: number, prod: number, cons: number): void;
  /**
   * The VMM read `slot`: fault `k` after `latencyUs`, or a stale slot (`k` and `latencyUs`
   * are -1); it moved its index to `cons`.
   */
  deliver(n: number, t: number, k: number, slot: number, latencyUs: number, cons: number): void;
  /** The VMM stopped making progress for good. */
  hang(n: number, t: number, why: string): void;
  /** A late VMM started; `drain`: it drains the ring at once. */
  start(n: number, t: number, drain: boolean): void;
  /** The VMM stalls until `until`. */
  stall(n: number, t: number, until: number): void;
  /** The stall ended. */
  resume(n: number, t: number): void;
  /** The header field `field` (the layout's name) was overwritten with `value`. */
  inject(n: number, t: number, kind: string, field: string, value: number): void;
}
