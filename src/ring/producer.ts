/**
 * The producer side of the ring: the kernel's role. It keeps its own copy of `prod` (the
 * header's copy is only ever written, never trusted back), reads `cons` with `Atomics.load`,
 * writes records, then publishes `prod` with `Atomics.store` after a batch.
 *
 * The consumer index is untrusted input: an out-of-range `cons`, or one that claims records
 * the producer never published, makes the producer stop using the queue for good and say why
 * (the policy the seed thread proposes: "if inconsistent the kernel may stop using the
 * queue"). Every slot it writes is computed from its own `prod`, so it never writes outside
 * the ring whatever the header holds.
 *
 * @example
 * ```ts
 * import { RingProducer } from "./producer.ts";
 * import { ringGeometry } from "./geometry.ts";
 * import { createRingBuffer } from "./region.ts";
 * const g = ringGeometry("dma-fault");
 * const p = new RingProducer(createRingBuffer(g), g);
 * const n = p.reserve(16); // => 16: the ring is empty
 * for (let i = 0; i < n; i++) p.words[p.slotWord(i)] = 1; // first word of each record
 * p.publish(n);
 * ```
 * @module
 */
import { ringFieldNames, type RingGeometry } from "./geometry.ts";

/** Why a side stopped using the queue. */
export interface RingFault {
  /** Which index was bad. */
  readonly index: "cons" | "prod";
  /** The value read from the header (u32). */
  readonly value: number;
  /** One line, with kernel names. */
  readonly reason: string;
}

/**
 * Single producer over a ring buffer. Not thread-safe on its own side: one producer.
 *
 * @example
 * ```ts
 * import { RingProducer } from "./producer.ts";
 * import { ringGeometry } from "./geometry.ts";
 * import { createRingBuffer } from "./region.ts";
 * const g = ringGeometry("rfc3");
 * new RingProducer(createRingBuffer(g), g).reserve(5000); // => 1364: capacity - 1
 * ```
 */
export class RingProducer {
  /** The whole shared buffer as 32-bit words; records are written through it. */
  readonly words: Int32Array;
  /** Slots in the ring. */
  readonly capacity: number;
  /** Why the producer stopped, once it has. */
  fault: RingFault | undefined;
  /** Loads of the consumer index so far (each may move a cache line from the other core). */
  consLoads = 0;
  #prod = 0;
  /** `cons` as last read: the consumer may only move it forward, up to `prod`. */
  #cons = 0;
  readonly #prodWord: number;
  readonly #consWord: number;
  readonly #ringWord: number;
  readonly #slotWords: number;
  readonly #name: { prod: string; cons: string; cap: string };
  readonly #bytes: Uint8Array;

  /** The producer of the ring in `sab` laid out as `g`, starting at the `prod` it holds. */
  constructor(sab: SharedArrayBuffer, g: RingGeometry) {
    this.words = new Int32Array(sab);
    this.#bytes = new Uint8Array(sab);
    this.capacity = g.capacity;
    this.#prodWord = g.prodOffset >> 2;
    this.#consWord = g.consOffset >> 2;
    this.#ringWord = g.ringOffset >> 2;
    this.#slotWords = g.entrySize >> 2;
    this.#name = ringFieldNames(g);
    // Start from the indices the buffer holds (zero for a fresh one), checked like any other.
    this.#prod = Atomics.load(this.words, this.#prodWord) >>> 0;
    if (this.#prod >= this.capacity) this.#prod = 0;
    this.#cons = this.#prod;
  }

  /** The producer's own index: the next slot it will write. */
  get prod(): number {
    return this.#prod;
  }

  /**
   * Returns how many slots (at most `max`) may be written now: 0 when the ring is full, -1 once
   * the producer has stopped (see {@link fault}). `cons` is read (and checked) only when the
   * space seen at the last read is not enough for `max`: it can only have grown since, and not
   * touching the consumer's cache line on every batch is what lets indices on separate lines
   * pay off (publishing per record, the producer reads `cons` once per lap instead of per
   * record).
   */
  reserve(max: number): number {
    if (this.fault !== undefined) return -1;
    const cap = this.capacity;
    let free = this.#cons - this.#prod - 1;
    if (free < 0) free += cap;
    if (free >= max) return max;
    const c = Atomics.load(this.words, this.#consWord) >>> 0;
    this.consLoads++;
    if (c !== this.#cons) {
      if (c >= cap) {
        return this.#stop(c, `${this.#name.cons} ${c} is out of range (${this.#name.cap} ${cap})`);
      }
      // The consumer may consume at most what was pending when we last looked.
      let moved = c - this.#cons;
      if (moved < 0) moved += cap;
      let pending = this.#prod - this.#cons;
      if (pending < 0) pending += cap;
      if (moved > pending) {
        return this.#stop(
          c,
          `${this.#name.cons} ${c} passed ${this.#name.prod} ${this.#prod}: it claims ${moved} ` +
            `records consumed of ${pending} pending`,
        );
      }
      this.#cons = c;
    }
    free = c - this.#prod - 1;
    if (free < 0) free += cap;
    return free < max ? free : max;
  }

  /** Word index in {@link words} of the `i`-th slot after `prod` (i < what reserve returned). */
  slotWord(i: number): number {
    let s = this.#prod + i;
    if (s >= this.capacity) s -= this.capacity;
    return this.#ringWord + s * this.#slotWords;
  }

  /**
   * Copies `n` records (`n * entrySize` bytes of `records`) into the reserved slots with at most
   * two `Uint8Array.set` calls (two when the slots wrap), without publishing. For a producer
   * that builds records elsewhere. Writing records in place is faster: into a
   * SharedArrayBuffer, V8 copies with relaxed atomic moves of 8 bytes, not a vectorised memcpy,
   * so a staged record is written twice and read once more (see bench/RESULTS.md).
   */
  copyIn(records: Uint8Array, n: number): void {
    const size = this.#slotWords * 4;
    const first = Math.min(n, this.capacity - this.#prod);
    this.#bytes.set(records.subarray(0, first * size), this.slotWord(0) * 4);
    if (first < n) this.#bytes.set(records.subarray(first * size, n * size), this.#ringWord * 4);
  }

  /** Publishes `n` written records: advances `prod` and stores it with `Atomics.store`. */
  publish(n: number): void {
    let p = this.#prod + n;
    if (p >= this.capacity) p -= this.capacity;
    this.#prod = p;
    Atomics.store(this.words, this.#prodWord, p);
  }

  #stop(value: number, reason: string): number {
    this.fault = { index: "cons", value, reason };
    return -1;
  }
}
