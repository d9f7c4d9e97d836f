/**
 * The npm `ringbuf.js` SPSC ring (a wait-free ring over a `SharedArrayBuffer`, two atomic
 * indices, records copied in and out) as a baseline transport: its producer and consumer sides
 * for the shared loops of skeleton.ts, on the same records and the same verifier as the fault
 * ring. The producer writes a batch into a private buffer and `push`es it; the consumer `pop`s
 * everything available into its own buffer and verifies it there.
 *
 * @example
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { ringbufStorage, runRingbufConsumer, runRingbufProducer } from "./ringbuf_side.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "ringbuf.js", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: ringbufStorage(511), control, epoch };
 * // Both sides in one thread, one after the other (`bench` runs each in its own worker): the
 * // 100 records fit in the ring, so the producer never waits for the consumer.
 * runRingbufProducer({ ...order, role: "producer" }).stats.records; // => 100
 * runRingbufConsumer({ ...order, role: "consumer" }).verify;
 * // => { ok: 100, lost: 0, duplicatedOrReordered: 0, torn: 0, clockSkew: 0 }
 * ```
 * @module
 */
import { RingBuffer } from "ringbuf.js";
import { Doorbell } from "../ring/doorbell.ts";
import { CTL } from "./control.ts";
import { baselineCodec, type BenchRecordCodec } from "./record.ts";
import { consume, type ConsumerSide, produce, type ProducerSide } from "./skeleton.ts";
import type { ConsumerReport, ProducerReport, WorkerOrder } from "./types.ts";
import { RecordVerifier } from "./verify.ts";

/**
 * The producer side over `ringbuf.js`.
 *
 * @example
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { RingbufProducerSide, ringbufStorage } from "./ringbuf_side.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "ringbuf.js", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: ringbufStorage(511), control, epoch };
 * const side = new RingbufProducerSide({ ...order, role: "producer" });
 * side.reserve(256); // => 256: whole records that fit now, up to 256
 * side.write(0, 256, 0); // => true: pushed
 * side.reserve(1000); // => 255: the rest of the 511 records' room
 * ```
 */
export class RingbufProducerSide implements ProducerSide {
  /** ringbuf.js has no index to corrupt: the side never stops on a fault. */
  readonly fault: undefined = undefined;
  readonly #rb: RingBuffer;
  readonly #codec: BenchRecordCodec;
  readonly #staging: Int32Array;

  /** The producer over `o`'s ringbuf.js buffer. */
  constructor(o: WorkerOrder) {
    this.#rb = new RingBuffer(o.sab!, Int32Array);
    this.#codec = baselineCodec();
    this.#staging = new Int32Array(o.spec.batch * this.#codec.words);
  }

  /** Loads of the read index: one per reserve (availableWrite) and one per push. */
  indexLoads = 0;

  reserve(max: number): number {
    this.indexLoads++;
    // Whole records only: the capacity is a multiple of a record, so a push never splits one.
    const n = Math.floor(this.#rb.availableWrite() / this.#codec.words);
    return n < max ? n : max;
  }

  write(seq: number, n: number, ts: number): boolean {
    const codec = this.#codec;
    const W = codec.words;
    const staging = this.#staging;
    codec.fill(staging, 0, n * W, seq, ts);
    this.#rb.push(staging, n * W);
    this.indexLoads++;
    return true;
  }
}

/**
 * The consumer side over `ringbuf.js`.
 *
 * @example
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { RingbufConsumerSide, ringbufStorage, runRingbufProducer } from "./ringbuf_side.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "ringbuf.js", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: ringbufStorage(511), control, epoch };
 * runRingbufProducer({ ...order, role: "producer" });
 * new RingbufConsumerSide({ ...order, role: "consumer" }).poll(); // => 100: popped into its buffer
 * ```
 */
export class RingbufConsumerSide implements ConsumerSide {
  /** ringbuf.js has no index to corrupt: the side never stops on a fault. */
  readonly fault: undefined = undefined;
  readonly #rb: RingBuffer;
  readonly #W: number;
  readonly #buf: Int32Array;
  /** Records popped and not yet taken. */
  #held = 0;

  /** The consumer over `o`'s ringbuf.js buffer. */
  constructor(o: WorkerOrder) {
    this.#rb = new RingBuffer(o.sab!, Int32Array);
    this.#W = baselineCodec().words;
    this.#buf = new Int32Array(this.#rb.capacity());
  }

  /** Loads of the write index: one per pop. */
  indexLoads = 0;

  poll(): number {
    if (this.#held === 0) {
      this.indexLoads++;
      this.#held = this.#rb.pop(this.#buf, this.#buf.length) / this.#W;
    }
    return this.#held;
  }

  take(n: number, v: RecordVerifier, nowNs: number, measure: boolean): boolean {
    v.takeRun(this.#buf, 0, n * this.#W, nowNs, measure);
    this.#held = 0;
    return true;
  }
}

/**
 * Producer worker of the ringbuf.js baseline.
 *
 * @example
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { ringbufStorage, runRingbufProducer } from "./ringbuf_side.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "ringbuf.js", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: ringbufStorage(511), control, epoch };
 * runRingbufProducer({ ...order, role: "producer" }).stats.records; // => 100
 * ```
 */
export function runRingbufProducer(o: WorkerOrder): ProducerReport {
  const bell = new Doorbell(new Int32Array(o.control), CTL.CONSUMER_BELL);
  return produce(o, new RingbufProducerSide(o), bell);
}

/**
 * Consumer worker of the ringbuf.js baseline.
 *
 * @example
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { ringbufStorage, runRingbufConsumer, runRingbufProducer } from "./ringbuf_side.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "ringbuf.js", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: ringbufStorage(511), control, epoch };
 * // Both sides in one thread, one after the other (`bench` runs each in its own worker): the
 * // 100 records fit in the ring, so the producer never waits for the consumer.
 * runRingbufProducer({ ...order, role: "producer" });
 * runRingbufConsumer({ ...order, role: "consumer" }).verify.ok; // => 100
 * ```
 */
export function runRingbufConsumer(o: WorkerOrder): ConsumerReport {
  const bell = new Doorbell(new Int32Array(o.control), CTL.PRODUCER_BELL);
  return consume(o, new RingbufConsumerSide(o), new RecordVerifier(baselineCodec()), bell);
}

/**
 * The shared buffer `ringbuf.js` needs for `records` records of the baseline's size.
 *
 * @example
 * ```ts
 * import { RingBuffer } from "ringbuf.js";
 * import { baselineCodec } from "./record.ts";
 * import { ringbufStorage } from "./ringbuf_side.ts";
 * const sab = ringbufStorage(511); // the dma-fault ring's usable capacity
 * const rb = new RingBuffer(sab, Int32Array);
 * rb.availableWrite() / baselineCodec().words; // => 511
 * ```
 */
export function ringbufStorage(records: number): SharedArrayBuffer {
  return RingBuffer.getStorageForCapacity(records * baselineCodec().words, Int32Array);
}
