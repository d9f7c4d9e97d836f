/**
 * The fault ring as a benchmark transport: its producer and consumer sides for the shared
 * loops of skeleton.ts. The producer writes a batch in place (one generated loop per
 * contiguous run of slots) and publishes `prod`; the consumer verifies every ready record the
 * same way and publishes `cons` after each contiguous run.
 * With `spin-wait` each side rings the other's doorbell after publishing. The test hooks
 * (a corrupted index, a captured copy of every record) live here, since only the ring has
 * indices to corrupt.
 *
 * @example
 * ```ts ignore
 * // inside a worker (see worker.ts):
 * import { runRingConsumer } from "./ring_side.ts";
 * self.onmessage = (e) => postMessage({ type: "consumer", report: runRingConsumer(e.data) });
 * ```
 * @module
 */
import { RingConsumer } from "../ring/consumer.ts";
import { Doorbell } from "../ring/doorbell.ts";
import { ringGeometry } from "../ring/geometry.ts";
import { RingProducer } from "../ring/producer.ts";
import { CTL } from "./control.ts";
import { BenchRecordCodec } from "./record.ts";
import { consume, type ConsumerSide, produce, type ProducerSide } from "./skeleton.ts";
import type { ConsumerReport, ProducerReport, WorkerOrder } from "./types.ts";
import { RecordVerifier } from "./verify.ts";

function codecFor(o: WorkerOrder): BenchRecordCodec {
  const g = ringGeometry(o.spec.layout, { placement: o.spec.placement });
  return new BenchRecordCodec(g.abi === "rfc3" ? "rfc3" : "mainline");
}

/**
 * The ring's producer side.
 *
 * @example
 * ```ts ignore
 * const side = new RingProducerSide(order, consumerBell);
 * side.reserve(16); // slots free now, up to 16
 * ```
 */
export class RingProducerSide implements ProducerSide {
  readonly #p: RingProducer;
  readonly #codec: BenchRecordCodec;
  readonly #bell: Doorbell;
  readonly #sleepy: boolean;
  readonly #corruptAt: number;
  readonly #badProd: number;
  readonly #prodWord: number;

  /** The producer of `o`'s ring; `consumerBell` is rung after publishing (spin-wait). */
  constructor(o: WorkerOrder, consumerBell: Doorbell) {
    const g = ringGeometry(o.spec.layout, { placement: o.spec.placement });
    this.#p = new RingProducer(o.sab!, g);
    this.#codec = codecFor(o);
    this.#bell = consumerBell;
    this.#sleepy = o.spec.wait === "spin-wait";
    this.#corruptAt = o.spec.corruptProdAt ?? -1;
    this.#badProd = g.capacity + 3;
    this.#prodWord = g.prodOffset >> 2;
  }

  get fault(): string | undefined {
    return this.#p.fault?.reason;
  }

  get indexLoads(): number {
    return this.#p.consLoads;
  }

  reserve(max: number): number {
    return this.#p.reserve(max);
  }

  write(seq: number, n: number, ts: number): boolean {
    const p = this.#p;
    const codec = this.#codec;
    const W = codec.words;
    // In place (a staged copy costs more: V8 copies into shared memory 8 bytes at a time, with
    // relaxed atomic moves): up to the end of the ring, then from its start.
    const w = p.words;
    const first = Math.min(n, p.capacity - p.prod);
    const b = p.slotWord(0);
    codec.fill(w, b, b + first * W, seq, ts);
    if (first < n) {
      const b2 = p.slotWord(first);
      codec.fill(w, b2, b2 + (n - first) * W, seq + first, ts);
    }
    p.publish(n);
    if (this.#sleepy) this.#bell.ring();
    if (this.#corruptAt >= 0 && seq + n >= this.#corruptAt) {
      // Test hook: a broken producer publishes an index outside the ring, then goes away.
      Atomics.store(p.words, this.#prodWord, this.#badProd);
      this.#bell.ring();
      return false;
    }
    return true;
  }
}

/**
 * The ring's consumer side.
 *
 * @example
 * ```ts ignore
 * const side = new RingConsumerSide(order, producerBell);
 * side.poll(); // records ready
 * ```
 */
export class RingConsumerSide implements ConsumerSide {
  readonly #c: RingConsumer;
  readonly #W: number;
  readonly #bell: Doorbell;
  readonly #sleepy: boolean;
  readonly #corruptAt: number;
  readonly #corruptValue: number;
  readonly #consWord: number;
  readonly #capture: Int32Array | undefined;

  /** The consumer of `o`'s ring; `producerBell` is rung after freeing slots (spin-wait). */
  constructor(o: WorkerOrder, producerBell: Doorbell) {
    const g = ringGeometry(o.spec.layout, { placement: o.spec.placement });
    this.#c = new RingConsumer(o.sab!, g);
    this.#W = g.entrySize >> 2;
    this.#bell = producerBell;
    this.#sleepy = o.spec.wait === "spin-wait";
    this.#corruptAt = o.spec.corruptConsAt ?? -1;
    this.#corruptValue = o.spec.corruptConsValue ?? g.capacity;
    this.#consWord = g.consOffset >> 2;
    this.#capture = o.spec.capture ? new Int32Array(o.spec.capture) : undefined;
  }

  get fault(): string | undefined {
    return this.#c.fault?.reason;
  }

  get indexLoads(): number {
    return this.#c.prodLoads;
  }

  poll(): number {
    return this.#c.available();
  }

  take(n: number, v: RecordVerifier, nowNs: number, measure: boolean): boolean {
    const c = this.#c;
    const w = c.words;
    const W = this.#W;
    const capture = this.#capture;
    if (capture !== undefined) {
      // Test hook: copy every record out, in arrival order, and check it alone.
      for (let i = 0; i < n; i++) {
        const base = c.slotWord(i);
        const at = v.seen * W;
        for (let k = 0; k < W && at + k < capture.length; k++) capture[at + k] = w[base + k];
        v.take(w, base, nowNs, measure);
      }
      c.release(n);
    } else {
      // Contiguous runs up to the end of the ring (then from its start), each freed as soon
      // as it is checked.
      let left = n;
      while (left > 0) {
        let k = c.capacity - c.cons;
        if (k > left) k = left;
        const b = c.slotWord(0);
        v.takeRun(w, b, b + k * W, nowNs, measure);
        c.release(k);
        left -= k;
      }
    }
    if (this.#sleepy) this.#bell.ring();
    if (this.#corruptAt >= 0 && v.seen >= this.#corruptAt) {
      // Test hook: a buggy VMM scribbles on its consumer index.
      Atomics.store(w, this.#consWord, this.#corruptValue);
      return false;
    }
    return true;
  }
}

/**
 * The kernel's side of a ring run, inside the producer worker.
 *
 * @example
 * ```ts ignore
 * runRingProducer(order).stats.publishes; // index publications
 * ```
 */
export function runRingProducer(o: WorkerOrder): ProducerReport {
  const ctl = new Int32Array(o.control);
  const consumerBell = new Doorbell(ctl, CTL.CONSUMER_BELL);
  return produce(o, new RingProducerSide(o, consumerBell), consumerBell);
}

/**
 * The VMM's side of a ring run, inside the consumer worker.
 *
 * @example
 * ```ts ignore
 * runRingConsumer(order).verify.lost; // 0 when nothing was lost
 * ```
 */
export function runRingConsumer(o: WorkerOrder): ConsumerReport {
  const ctl = new Int32Array(o.control);
  const producerBell = new Doorbell(ctl, CTL.PRODUCER_BELL);
  return consume(
    o,
    new RingConsumerSide(o, producerBell),
    new RecordVerifier(codecFor(o)),
    producerBell,
  );
}
