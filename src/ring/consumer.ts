/**
 * The consumer side of the ring: the VMM's role. It keeps its own copy of `cons`, reads
 * `prod` with `Atomics.load`, reads every available record, then publishes `cons` once with
 * `Atomics.store`.
 *
 * The producer index is untrusted input too: an out-of-range `prod`, or one that moved back
 * over records already published, is reported and the consumer stops. It never loops over
 * more than `capacity - 1` slots per read of `prod`, so a bad header cannot keep it spinning
 * (QEMU's `while (cons != prod)` loop never ended on an out-of-range `prod`).
 *
 * @example
 * ```ts
 * import { RingConsumer } from "./consumer.ts";
 * import { ringGeometry } from "./geometry.ts";
 * import { createRingBuffer } from "./region.ts";
 * const g = ringGeometry("dma-fault");
 * const c = new RingConsumer(createRingBuffer(g), g);
 * const n = c.available(); // => 0: empty
 * c.release(n);
 * ```
 * @module
 */
import { ringFieldNames, type RingGeometry } from "./geometry.ts";
import type { RingFault } from "./producer.ts";

/**
 * Single consumer over a ring buffer.
 *
 * @example
 * ```ts
 * import { RingConsumer } from "./consumer.ts";
 * import { ringGeometry } from "./geometry.ts";
 * import { createRingBuffer } from "./region.ts";
 * const g = ringGeometry("rfc3");
 * const sab = createRingBuffer(g);
 * new DataView(sab).setUint32(g.prodOffset, 5000, true); // a hostile prod
 * const c = new RingConsumer(sab, g);
 * c.available(); // => -1
 * c.fault?.reason; // => "prod 5000 is out of range (size 1365)"
 * ```
 */
export class RingConsumer {
  /** The whole shared buffer as 32-bit words; records are read through it. */
  readonly words: Int32Array;
  /** Slots in the ring. */
  readonly capacity: number;
  /** Why the consumer stopped, once it has. */
  fault: RingFault | undefined;
  /** Loads of the producer index so far (each may move a cache line from the other core). */
  prodLoads = 0;
  #cons = 0;
  /** `prod` as last read: it may only move forward, and never onto `cons` from behind. */
  #prod = 0;
  readonly #prodWord: number;
  readonly #consWord: number;
  readonly #ringWord: number;
  readonly #slotWords: number;
  readonly #name: { prod: string; cons: string; cap: string };

  /** The consumer of the ring in `sab` laid out as `g`, starting at the `cons` it holds. */
  constructor(sab: SharedArrayBuffer, g: RingGeometry) {
    this.words = new Int32Array(sab);
    this.capacity = g.capacity;
    this.#prodWord = g.prodOffset >> 2;
    this.#consWord = g.consOffset >> 2;
    this.#ringWord = g.ringOffset >> 2;
    this.#slotWords = g.entrySize >> 2;
    this.#name = ringFieldNames(g);
    this.#cons = Atomics.load(this.words, this.#consWord) >>> 0;
    if (this.#cons >= this.capacity) this.#cons = 0;
    this.#prod = this.#cons;
  }

  /** The consumer's own index: the next slot it will read. */
  get cons(): number {
    return this.#cons;
  }

  /**
   * Reads `prod` and returns how many records are ready (0 when empty), or -1 once the
   * consumer has stopped on a bad `prod` (see {@link fault}).
   */
  available(): number {
    if (this.fault !== undefined) return -1;
    const cap = this.capacity;
    const p = Atomics.load(this.words, this.#prodWord) >>> 0;
    this.prodLoads++;
    let n = p - this.#cons;
    if (n < 0) n += cap;
    if (p !== this.#prod) {
      if (p >= cap) {
        this.fault = {
          index: "prod",
          value: p,
          reason: `${this.#name.prod} ${p} is out of range (${this.#name.cap} ${cap})`,
        };
        return -1;
      }
      let before = this.#prod - this.#cons;
      if (before < 0) before += cap;
      if (n < before) {
        this.fault = {
          index: "prod",
          value: p,
          reason: `${this.#name.prod} moved back from ${this.#prod} to ${p} ` +
            `(${this.#name.cons} ${this.#cons}): published records were withdrawn`,
        };
        return -1;
      }
      this.#prod = p;
    }
    return n;
  }

  /** Word index in {@link words} of the `i`-th ready slot after `cons`. */
  slotWord(i: number): number {
    let s = this.#cons + i;
    if (s >= this.capacity) s -= this.capacity;
    return this.#ringWord + s * this.#slotWords;
  }

  /** Frees `n` read records: advances `cons` and stores it with `Atomics.store`. */
  release(n: number): void {
    let c = this.#cons + n;
    if (c >= this.capacity) c -= this.capacity;
    this.#cons = c;
    Atomics.store(this.words, this.#consWord, c);
  }
}
