/**
 * The ring's named choices and spin budgets: data alone, so that the command table (`bench
 * --layout`, `--wait`, `--spin-us`) offers them without loading the ring. `doorbell.ts` and
 * `geometry.ts` re-export them.
 *
 * @example
 * ```ts
 * import { RING_LAYOUTS, WAIT_STRATEGIES } from "./choices.ts";
 * [...RING_LAYOUTS, ...WAIT_STRATEGIES]; // => ["rfc3", "dma-fault", "spin", "spin-wait"]
 * ```
 * @module
 */

/** How a side waits when it cannot make progress. */
export type WaitStrategy = "spin" | "spin-wait";

/**
 * Smallest spin budget of `spin-wait`, in µs, and where it starts. Measured here: a wait/notify
 * round trip between two Deno workers takes ~48 µs on a quiet machine, so a side that sleeps is
 * back ~24 µs after the other side rings, and much later once its vCPU has gone idle.
 */
export const DEFAULT_SPIN_US = 50;
/** Largest spin budget the adaptive policy grows to, in µs. */
export const MAX_SPIN_US = 2000;

/** Wait strategies, in presentation order. */
export const WAIT_STRATEGIES: readonly WaitStrategy[] = ["spin", "spin-wait"];

/** Layouts the ring can be laid out as: the two whose header holds both indices. */
export const RING_LAYOUTS = ["rfc3", "dma-fault"] as const;
/** A region layout the ring supports. */
export type RingLayoutId = typeof RING_LAYOUTS[number];
