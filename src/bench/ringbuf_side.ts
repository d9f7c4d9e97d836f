/**
 * The npm `ringbuf.js` SPSC ring (a wait-free ring over a `SharedArrayBuffer`, two atomic
 * indices, records copied in and out) as a baseline transport: its producer and consumer sides
 * for the shared loops of skeleton.ts, on the same records and the same verifier as the fault
 * ring. The producer writes a batch into a private buffer and `push`es it; the consumer `pop`s
 * everything available into its own buffer and verifies it there.
 *
 * @example
 * ```ts ignore
 * // inside a worker (see worker.ts):
 * import { runRingbufConsumer } from "./ringbuf_side.ts";
 * self.onmessage = (e) => postMessage({ type: "consumer", report: runRingbufConsumer(e.data) });
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
 * ```ts ignore
 * new RingbufProducerSide(order).reserve(256); // whole records that fit now, up to 256
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
 * ```ts ignore
 * new RingbufConsumerSide(order).poll(); // records popped into the side's buffer
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
 * ```ts ignore
 * runRingbufProducer(order).stats.records;
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
 * ```ts ignore
 * runRingbufConsumer(order).verify.ok;
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
 * ```ts ignore
 * const sab = ringbufStorage(511); // the dma-fault ring's usable capacity
 * ```
 */
export function ringbufStorage(records: number): SharedArrayBuffer {
  return RingBuffer.getStorageForCapacity(records * baselineCodec().words, Int32Array);
}
