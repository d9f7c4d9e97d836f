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
 * bell.ring(); // => false: nobody sleeps, no notify issued
 * bell.sleep(() => true, 10); // => "ready": the condition held after arming
 * ```
 * @module
 */

import { DEFAULT_SPIN_US, MAX_SPIN_US, WAIT_STRATEGIES, type WaitStrategy } from "./choices.ts";
export { DEFAULT_SPIN_US, MAX_SPIN_US, WAIT_STRATEGIES, type WaitStrategy };

/** What {@link Doorbell.sleep} did. */
export type SleepOutcome = "ready" | "woken" | "timed-out";

/**
 * One doorbell word in a shared `Int32Array`: 1 while its owner is (about to be) asleep.
 *
 * @example
 * ```ts
 * import { Doorbell } from "./doorbell.ts";
 * const bell = new Doorbell(new Int32Array(new SharedArrayBuffer(4)), 0);
 * bell.sleep(() => false, 1); // => "timed-out" after 1 ms: nobody rang
 * ```
 */
export class Doorbell {
  /** Notifies issued by {@link ring} (each woke, or was about to wake, a sleeper). */
  notifies = 0;
  /** Times {@link sleep} armed the doorbell (each allows at most one notify). */
  arms = 0;
  /** Calls of `Atomics.wait` by {@link sleep}. */
  sleeps = 0;
  /** Sleeps that ended by timeout rather than a ring (a lost wake-up, if work was pending). */
  timeouts = 0;
  readonly #ctl: Int32Array;
  readonly #word: number;

  /** The doorbell at word `word` of `ctl`. */
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
    this.arms++;
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

/**
 * The spin-then-sleep policy of one side, adaptive like KVM's halt polling: call {@link idle}
 * on every poll that found no work and {@link progress} when work was found. With `spin-wait`,
 * once a wait has lasted the current budget the side sleeps on its doorbell. A sleep that the
 * other side ended within {@link MAX_SPIN_US} means records were coming and polling a little
 * longer would have caught them without two syscalls: the budget doubles. A longer sleep (or a
 * timeout) means the queue really was idle: the budget halves, down to `spinUs`.
 *
 * Why adaptive: with any fixed budget in the tens of µs, a saturated ring fell into lockstep
 * (both sides sleeping in turn, a ring's worth of records per two wake-ups, each wake-up slower
 * because the sleeper's vCPU had gone idle): 5 M records/s at batch 16 against 50-72 M/s busy
 * spinning with a 100 µs budget, 32 M/s with 256 polls, 4 M/s at batch 256 with 4096 polls.
 *
 * The clock is read only every 128 polls, so short waits (the common case under load) never pay
 * for `performance.now()`.
 *
 * @example
 * ```ts
 * import { Doorbell, Spinner } from "./doorbell.ts";
 * const bell = new Doorbell(new Int32Array(new SharedArrayBuffer(4)), 0);
 * const s = new Spinner(bell, "spin-wait", 0, 1);
 * for (let i = 0; i < 256; i++) s.idle(() => false); // sleeps once, 1 ms, nobody rings
 * bell.sleeps; // => 1
 * ```
 */
export class Spinner {
  readonly #bell: Doorbell;
  readonly #sleepy: boolean;
  readonly #minMs: number;
  readonly #maxMs: number;
  readonly #sleepMs: number;
  #budgetMs: number;
  #polls = 0;
  /** Clock reads so far. */
  clockReads = 0;
  #since = 0;

  /** A spinner that sleeps on `bell` (spin-wait) after `spinUs`, at most `sleepMs` at a time. */
  constructor(
    bell: Doorbell,
    wait: WaitStrategy,
    spinUs: number,
    sleepMs: number,
    maxSpinUs = Math.max(spinUs, MAX_SPIN_US),
  ) {
    this.#bell = bell;
    this.#sleepy = wait === "spin-wait";
    this.#minMs = spinUs / 1000;
    this.#maxMs = maxSpinUs / 1000;
    this.#budgetMs = this.#minMs;
    this.#sleepMs = sleepMs;
  }

  /** Current spin budget in µs. */
  get budgetUs(): number {
    return this.#budgetMs * 1000;
  }

  /** One poll found no work; `ready` re-reads the other side's index before sleeping. */
  idle(ready: () => boolean): void {
    const n = ++this.#polls;
    if ((n & 127) !== 0 || !this.#sleepy) return;
    const now = performance.now();
    this.clockReads++;
    if (n === 128) {
      this.#since = now;
      return;
    }
    if (now - this.#since < this.#budgetMs) return;
    const outcome = this.#bell.sleep(ready, this.#sleepMs);
    if (outcome !== "ready") {
      const slept = performance.now() - now;
      this.clockReads++;
      this.#budgetMs = outcome === "woken" && slept <= this.#maxMs
        ? Math.min(this.#maxMs, this.#budgetMs * 2)
        : Math.max(this.#minMs, this.#budgetMs / 2);
    }
    this.#polls = 0;
  }

  /** Work was found: the next wait starts a fresh budget. */
  progress(): void {
    this.#polls = 0;
  }
}
