/**
 * The control block shared by the main thread and the two workers of a run: start and stop
 * flags and the two doorbells. It is a separate `SharedArrayBuffer`, never part of the region
 * image, because `Atomics.wait` needs `Int32Array` words and the region header is the ABI.
 * Each doorbell has its own cache line, and the flags a third one.
 *
 * @example
 * ```ts
 * import { CTL, createControl } from "./control.ts";
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.STOP, 1); // ask both sides to stop (Ctrl-C)
 * ```
 * @module
 */

/** Word indices in the control block. */
export const CTL = {
  /** Consumer's doorbell: 1 while the consumer sleeps; the producer rings it. */
  CONSUMER_BELL: 0,
  /** Producer's doorbell: 1 while the producer sleeps on a full ring; the consumer rings it. */
  PRODUCER_BELL: 16,
  /** Workers that finished setup. */
  READY: 32,
  /** 1 once the main thread lets both sides start together. */
  GO: 33,
  /** 1 when someone asked the run to stop (Ctrl-C, or the consumer stopped on a bad index). */
  STOP: 34,
  /** 1 once the producer will publish nothing more. */
  DONE: 35,
} as const;

/** Words in the control block. */
export const CONTROL_WORDS = 48;

/**
 * A fresh control block.
 *
 * @example
 * ```ts
 * import { CONTROL_WORDS, createControl, CTL } from "./control.ts";
 * const ctl = createControl();
 * ctl.length === CONTROL_WORDS; // => true, every word 0
 * ctl.buffer instanceof SharedArrayBuffer; // => true: it crosses postMessage as shared memory
 * Atomics.store(ctl, CTL.GO, 1); // let both sides start
 * ```
 */
export function createControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
}

/**
 * Wakes whoever sleeps on any word of the control block (used to stop a run).
 *
 * @example
 * ```ts
 * import { createControl, CTL, wakeAll } from "./control.ts";
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.STOP, 1);
 * wakeAll(ctl); // sleeping sides re-check STOP (here none sleeps: nothing to wake)
 * Atomics.load(ctl, CTL.STOP); // => 1
 * ```
 */
export function wakeAll(ctl: Int32Array): void {
  Atomics.notify(ctl, CTL.CONSUMER_BELL);
  Atomics.notify(ctl, CTL.PRODUCER_BELL);
  Atomics.notify(ctl, CTL.GO);
}
