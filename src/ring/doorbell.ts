/**
 * Wait strategies and the doorbell (the eventfd analogue) that wakes a sleeping side.
 *
 * - `spin`: poll the other side's index in a loop. Lowest latency and highest throughput; burns
 *   a core while idle. Use when both sides have a core to themselves and faults arrive in bursts
 *   close together (or in benchmarks).
 * - `spin-wait`: poll up to a spin budget, then arm the doorbell and `Atomics.wait` on it; the
 *   other side rings it after publishing. An idle side sleeps at no CPU cost, and under load the
 *   spin budget covers the gap between batches so no one sleeps. Use for a real VMM thread.
 *
 * `Atomics.wait` needs an `Int32Array` word that is not part of the region image (the region
 * header is the ABI, and the kernel's wake-up is an eventfd, not a word in the region). The
 * doorbell words live in a separate small control buffer, one cache line each so that arming
 * one side's doorbell does not disturb the other's.
 *
 * Protocol (Dekker over sequentially consistent `Atomics`): the sleeper stores 1 in its doorbell
 * word, re-reads the index it waits on, and only then waits while the word is still 1. The
 * waker publishes its index, then loads the word: if it sees 1 it stores 0 and notifies. In the
 * single total order of SC operations one of the two reads sees the other's write, so a wake-up
 * is never lost. Rings are coalesced like an eventfd's counter: one notify per sleep, however
 * many batches were published meanwhile.
 *
 * @example
 * ```ts
 * import { Doorbell } from "./doorbell.ts";
 * const ctl = new Int32Array(new SharedArrayBuffer(64));
 * const bell = new Doorbell(ctl, 0);
 * bell.ring(); // false: nobody sleeps, no notify issued
 * bell.sleep(() => true, 10); // "ready": the condition held after arming
 * ```
 * @module
 */

/** How a side waits when it cannot make progress. */
export type WaitStrategy = "spin" | "spin-wait";

/** Wait strategies, in presentation order. */
export const WAIT_STRATEGIES: readonly WaitStrategy[] = ["spin", "spin-wait"];

/** What {@link Doorbell.sleep} did. */
export type SleepOutcome = "ready" | "woken" | "timed-out";

/**
 * One doorbell word in a shared `Int32Array`: 1 while its owner is (about to be) asleep.
 *
 * @example
 * ```ts
 * import { Doorbell } from "./doorbell.ts";
 * const bell = new Doorbell(new Int32Array(new SharedArrayBuffer(4)), 0);
 * bell.sleep(() => false, 1); // "timed-out" after 1 ms: nobody rang
 * ```
 */
export class Doorbell {
  /** Notifies issued by {@link ring} (each woke, or was about to wake, a sleeper). */
  notifies = 0;
  /** Calls of `Atomics.wait` by {@link sleep}. */
  sleeps = 0;
  /** Sleeps that ended by timeout rather than a ring (a lost wake-up, if work was pending). */
  timeouts = 0;
  readonly #ctl: Int32Array;
  readonly #word: number;

  constructor(ctl: Int32Array, word: number) {
    this.#ctl = ctl;
    this.#word = word;
  }

  /** Waker side, after publishing: wakes the sleeper if it armed the doorbell. */
  ring(): boolean {
    if (Atomics.load(this.#ctl, this.#word) === 0) return false;
    Atomics.store(this.#ctl, this.#word, 0);
    Atomics.notify(this.#ctl, this.#word);
    this.notifies++;
    return true;
  }

  /**
   * Sleeper side: arms the doorbell, re-checks `ready` (which must re-read the other side's
   * index), and waits up to `timeoutMs` unless it already holds or the waker already rang.
   */
  sleep(ready: () => boolean, timeoutMs: number): SleepOutcome {
    Atomics.store(this.#ctl, this.#word, 1);
    if (ready()) {
      Atomics.store(this.#ctl, this.#word, 0);
      return "ready";
    }
    this.sleeps++;
    const r = Atomics.wait(this.#ctl, this.#word, 1, timeoutMs);
    Atomics.store(this.#ctl, this.#word, 0);
    if (r !== "timed-out") return "woken";
    this.timeouts++;
    return "timed-out";
  }
}
