/**
 * The baselines of `faultscope bench`, on the same records and the same verifier as the ring:
 * `postMessage` of each record, `postMessage` of batched arrays (both over a `MessageChannel`
 * between the two workers, with credit-based flow control so the producer cannot queue
 * unbounded messages), and the npm `ringbuf.js` SPSC ring over a `SharedArrayBuffer`.
 *
 * @example
 * ```ts ignore
 * // inside a worker (see worker.ts):
 * import { runPostMessageConsumer } from "./baseline_loops.ts";
 * self.onmessage = async (e) =>
 *   postMessage({ type: "consumer", report: await runPostMessageConsumer(e.data) });
 * ```
 * @module
 */
import { MeasureWindow, warmRecordsFor } from "./window.ts";
import { RingBuffer } from "ringbuf.js";
import type { ConsumerReport, ProducerReport, WorkerOrder } from "./types.ts";
import { emptyStats } from "./types.ts";
import { LatencyClock } from "./clock.ts";
import { CTL } from "./control.ts";
import { BenchRecordCodec } from "./record.ts";
import { awaitGo } from "./ring_loops.ts";
import { RecordVerifier } from "./verify.ts";

/** Records a postMessage producer may have in flight before it waits for credit. */
export const POST_WINDOW = 8192;
/** The postMessage consumer returns credit after this many records. */
const POST_ACK_EVERY = 512;

/** The record every baseline moves: the 64-byte mainline `iommu_fault`, as in `dma-fault`. */
function baselineCodec(): BenchRecordCodec {
  return new BenchRecordCodec("mainline");
}

function deadlineOf(o: WorkerOrder): number {
  return o.spec.durationMs > 0
    ? performance.now() + (o.spec.warmupMs ?? 0) + o.spec.durationMs
    : Infinity;
}

/**
 * Producer of both postMessage baselines: one record per message, or `batch` per message.
 *
 * @example
 * ```ts ignore
 * const report = await runPostMessageProducer(order); // order.port: a MessagePort
 * ```
 */
export async function runPostMessageProducer(o: WorkerOrder): Promise<ProducerReport> {
  const { spec } = o;
  const port = o.port!;
  const ctl = new Int32Array(o.control);
  const codec = baselineCodec();
  const clock = new LatencyClock(o.epoch);
  const W = codec.words;
  const k = spec.transport === "postMessage" ? 1 : spec.batch;
  const staging = new Int32Array(k * W);
  const st = emptyStats();
  const limit = spec.records > 0 ? spec.records : Infinity;
  let acked = 0;
  let wake: (() => void) | undefined;
  port.onmessage = (e: MessageEvent<number>) => {
    acked = e.data;
    wake?.();
    wake = undefined;
  };
  awaitGo(ctl);
  const deadline = deadlineOf(o);
  let seq = 0;
  while (seq < limit) {
    if (seq - acked >= POST_WINDOW) {
      st.waits++;
      await new Promise<void>((r) => (wake = r));
      continue;
    }
    const n = Math.min(k, limit - seq);
    const now = performance.now();
    const ts = clock.ns(now);
    for (let i = 0; i < n; i++) codec.write(staging, i * W, seq + i, ts);
    // A view's whole buffer is cloned, so a short last batch gets its own copy.
    port.postMessage(n === k ? staging : staging.slice(0, n * W));
    seq += n;
    st.publishes++;
    if (now >= deadline || Atomics.load(ctl, CTL.STOP) !== 0) break;
  }
  st.records = seq;
  port.postMessage({ done: seq });
  return { stats: st };
}

/**
 * Consumer of both postMessage baselines.
 *
 * @example
 * ```ts ignore
 * const report = await runPostMessageConsumer(order);
 * report.windowRecords / (report.windowMs / 1000); // records/s
 * ```
 */
export function runPostMessageConsumer(o: WorkerOrder): Promise<ConsumerReport> {
  const { spec } = o;
  const port = o.port!;
  const ctl = new Int32Array(o.control);
  const codec = baselineCodec();
  const clock = new LatencyClock(o.epoch);
  const v = new RecordVerifier(codec);
  const st = emptyStats();
  const W = codec.words;
  let win = new MeasureWindow(0, 0, 0); // replaced at the go signal, before any message
  let lastAck = 0;
  return new Promise((resolve) => {
    port.onmessage = (e: MessageEvent<Int32Array | { done: number }>) => {
      const d = e.data;
      const now = performance.now();
      if (d instanceof Int32Array) {
        const measure = win.open(now, v.seen);
        const nowNs = clock.ns(now);
        for (let b = 0; b < d.length; b += W) v.take(d, b, nowNs, measure);
        st.publishes++;
        if (v.seen - lastAck >= POST_ACK_EVERY) {
          lastAck = v.seen;
          port.postMessage(v.seen);
        }
        return;
      }
      st.records = v.seen;
      port.close();
      resolve({
        stats: st,
        verify: v.result,
        nextSeq: v.next,
        ...win.result(now, v.seen),
        latency: v.latency.snapshot(),
      });
    };
    awaitGo(ctl);
    win = new MeasureWindow(performance.now(), spec.warmupMs ?? 0, warmRecordsFor(spec.records));
  });
}

/**
 * Producer over `ringbuf.js`: stages a batch of records, then `push`es it.
 *
 * @example
 * ```ts ignore
 * const report = runRingbufProducer(order); // order.sab from ringbufStorage()
 * ```
 */
export function runRingbufProducer(o: WorkerOrder): ProducerReport {
  const { spec } = o;
  const ctl = new Int32Array(o.control);
  const rb = new RingBuffer(o.sab!, Int32Array);
  const codec = baselineCodec();
  const clock = new LatencyClock(o.epoch);
  const W = codec.words;
  const k = spec.batch;
  const staging = new Int32Array(k * W);
  const st = emptyStats();
  const limit = spec.records > 0 ? spec.records : Infinity;
  awaitGo(ctl);
  const deadline = deadlineOf(o);
  let seq = 0;
  let staged = 0;
  let off = 0;
  let pushed = 0;
  let last = false;
  let spins = 0;
  for (;;) {
    if (off === staged) {
      if (last || seq >= limit) break;
      const n = Math.min(k, limit - seq);
      const now = performance.now();
      const ts = clock.ns(now);
      for (let i = 0; i < n; i++) codec.write(staging, i * W, seq + i, ts);
      seq += n;
      staged = n * W;
      off = 0;
      last = now >= deadline;
    }
    // Records are whole multiples of W words and so is every free space, so push never
    // splits a record.
    const put = rb.push(staging, staged - off, off);
    if (put === 0) {
      if (spins === 0) st.waits++;
      spins++;
      if ((spins & 1023) === 0 && Atomics.load(ctl, CTL.STOP) !== 0) break;
      continue;
    }
    st.spins += spins;
    spins = 0;
    off += put;
    pushed += put;
    st.publishes++;
    if (Atomics.load(ctl, CTL.STOP) !== 0) break;
  }
  st.records = pushed / W;
  Atomics.store(ctl, CTL.DONE, 1);
  return { stats: st };
}

/**
 * Consumer over `ringbuf.js`: `pop`s everything available, then verifies it.
 *
 * @example
 * ```ts ignore
 * const report = runRingbufConsumer(order);
 * ```
 */
export function runRingbufConsumer(o: WorkerOrder): ConsumerReport {
  const { spec } = o;
  const ctl = new Int32Array(o.control);
  const rb = new RingBuffer(o.sab!, Int32Array);
  const codec = baselineCodec();
  const clock = new LatencyClock(o.epoch);
  const v = new RecordVerifier(codec);
  const st = emptyStats();
  const W = codec.words;
  const buf = new Int32Array(rb.capacity());
  awaitGo(ctl);
  const win = new MeasureWindow(
    performance.now(),
    spec.warmupMs ?? 0,
    warmRecordsFor(spec.records),
  );
  let spins = 0;
  for (;;) {
    let got = rb.pop(buf, buf.length);
    if (got === 0) {
      if (Atomics.load(ctl, CTL.DONE) !== 0) {
        got = rb.pop(buf, buf.length);
        if (got === 0) break;
      } else {
        if (spins === 0) st.waits++;
        spins++;
        if ((spins & 1023) === 0 && Atomics.load(ctl, CTL.STOP) !== 0) break;
        continue;
      }
    }
    st.spins += spins;
    spins = 0;
    const now = performance.now();
    const measure = win.open(now, v.seen);
    const nowNs = clock.ns(now);
    for (let b = 0; b < got; b += W) v.take(buf, b, nowNs, measure);
    st.publishes++;
  }
  const end = performance.now();
  st.spins += spins;
  st.records = v.seen;
  return {
    stats: st,
    verify: v.result,
    nextSeq: v.next,
    ...win.result(end, v.seen),
    latency: v.latency.snapshot(),
  };
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
