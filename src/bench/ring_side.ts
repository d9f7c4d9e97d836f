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
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { ringGeometry } from "../ring/geometry.ts";
 * import { createRingBuffer } from "../ring/region.ts";
 * import { runRingConsumer, runRingProducer } from "./ring_side.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "ring", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: createRingBuffer(ringGeometry("dma-fault")), control, epoch };
 * // Both sides in one thread, one after the other (`bench` runs each in its own worker): the
 * // 100 records fit in the ring, so the producer never waits for the consumer.
 * runRingProducer({ ...order, role: "producer" }).stats.records; // => 100
 * runRingConsumer({ ...order, role: "consumer" }).verify;
 * // => { ok: 100, lost: 0, duplicatedOrReordered: 0, torn: 0, clockSkew: 0 }
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
 * ```ts
 * import { Doorbell } from "../ring/doorbell.ts";
 * import { createControl, CTL } from "./control.ts";
 * import { ringGeometry } from "../ring/geometry.ts";
 * import { createRingBuffer } from "../ring/region.ts";
 * import { RingProducerSide } from "./ring_side.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "ring", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: createRingBuffer(ringGeometry("dma-fault")), control, epoch };
 * const consumerBell = new Doorbell(ctl, CTL.CONSUMER_BELL); // rung after each publish
 * const side = new RingProducerSide({ ...order, role: "producer" }, consumerBell);
 * side.reserve(16); // => 16: slots free now, up to 16
 * side.write(0, 16, 0); // => true: records 0..15 written in place and published
 * side.reserve(1000); // => 495: the rest of the 511 usable slots
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
 * ```ts
 * import { Doorbell } from "../ring/doorbell.ts";
 * import { createControl, CTL } from "./control.ts";
 * import { ringGeometry } from "../ring/geometry.ts";
 * import { createRingBuffer } from "../ring/region.ts";
 * import { BenchRecordCodec } from "./record.ts";
 * import { RingConsumerSide, runRingProducer } from "./ring_side.ts";
 * import { RecordVerifier } from "./verify.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "ring", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: createRingBuffer(ringGeometry("dma-fault")), control, epoch };
 * runRingProducer({ ...order, role: "producer" });
 * const producerBell = new Doorbell(ctl, CTL.PRODUCER_BELL); // rung after freeing slots
 * const side = new RingConsumerSide({ ...order, role: "consumer" }, producerBell);
 * side.poll(); // => 100: records ready
 * const v = new RecordVerifier(new BenchRecordCodec("mainline"));
 * side.take(100, v, 0, false); // => true: verified, then freed
 * [v.result.ok, side.poll()]; // => [100, 0]
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
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { ringGeometry } from "../ring/geometry.ts";
 * import { createRingBuffer } from "../ring/region.ts";
 * import { runRingProducer } from "./ring_side.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "ring", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: createRingBuffer(ringGeometry("dma-fault")), control, epoch };
 * runRingProducer({ ...order, role: "producer" }).stats.publishes; // => 7: index publications
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
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { ringGeometry } from "../ring/geometry.ts";
 * import { createRingBuffer } from "../ring/region.ts";
 * import { runRingConsumer, runRingProducer } from "./ring_side.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "ring", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: createRingBuffer(ringGeometry("dma-fault")), control, epoch };
 * // Both sides in one thread, one after the other (`bench` runs each in its own worker): the
 * // 100 records fit in the ring, so the producer never waits for the consumer.
 * runRingProducer({ ...order, role: "producer" });
 * runRingConsumer({ ...order, role: "consumer" }).verify.lost; // => 0
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
