/**
 * The `postMessage` baselines of `faultscope bench`, on the same records and the same verifier
 * as the ring: `postMessage` of each record and of batched arrays, over a `MessageChannel`
 * between the two workers, with credit-based flow control so the producer cannot queue
 * unbounded messages. They are event-driven (the consumer is a message handler), so they do not
 * run the shared-memory skeleton, only its start signal, window and report.
 *
 * @example
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { runPostMessageConsumer, runPostMessageProducer } from "./postmessage_loops.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "postMessage-batched", layout: "dma-fault", placement: "region", batch: 16,
 *   wait: "spin", records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const { port1, port2 } = new MessageChannel();
 * // Both ends in one thread (`bench` gives each its own worker): the consumer's handler runs
 * // once the producer has posted its 100 records, well inside its credit window.
 * const [p, c] = await Promise.all([
 *   runPostMessageProducer({ spec, control, epoch, role: "producer", port: port1 }),
 *   runPostMessageConsumer({ spec, control, epoch, role: "consumer", port: port2 }),
 * ]);
 * port1.close();
 * [p.stats.publishes, c.stats.publishes]; // => [7, 7]: 6 messages of 16 records, then 4
 * c.verify; // => { ok: 100, lost: 0, duplicatedOrReordered: 0, torn: 0, clockSkew: 0 }
 * ```
 * @module
 */
import { MeasureWindow, warmRecordsFor } from "./window.ts";
import type { ConsumerReport, ProducerReport, WorkerOrder } from "./types.ts";
import { emptyStats } from "./types.ts";
import { LatencyClock } from "./clock.ts";
import { CTL } from "./control.ts";
import { CpuTrace } from "./machine.ts";
import { baselineCodec } from "./record.ts";
import { awaitGo, consumerReport } from "./skeleton.ts";
import { RecordVerifier } from "./verify.ts";

/** Records a postMessage producer may have in flight before it waits for credit. */
export const POST_WINDOW = 8192;
/** The postMessage consumer returns credit after this many records. */
const POST_ACK_EVERY = 512;

function deadlineOf(o: WorkerOrder): number {
  return o.spec.durationMs > 0
    ? performance.now() + (o.spec.warmupMs ?? 0) + o.spec.durationMs
    : Infinity;
}

/**
 * Producer of both postMessage baselines: one record per message, or `batch` per message.
 *
 * @example
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { runPostMessageProducer } from "./postmessage_loops.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "postMessage", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const { port1, port2 } = new MessageChannel();
 * const order = { spec, control, epoch, role: "producer" as const, port: port1 };
 * const report = await runPostMessageProducer(order);
 * report.stats.publishes; // => 100: one record per message ("postMessage")
 * port1.close(); // nobody reads them here
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
  const cpu = new CpuTrace();
  const limit = spec.records > 0 ? spec.records : Infinity;
  let acked = 0;
  let wake: (() => void) | undefined;
  port.onmessage = (e: MessageEvent<number>) => {
    acked = e.data;
    wake?.();
    wake = undefined;
  };
  awaitGo(ctl);
  cpu.sample(performance.now());
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
    codec.fill(staging, 0, n * W, seq, ts);
    // A view's whole buffer is cloned, so a short last batch gets its own copy.
    port.postMessage(n === k ? staging : staging.slice(0, n * W));
    seq += n;
    st.publishes++;
    if (now >= deadline || Atomics.load(ctl, CTL.STOP) !== 0) break;
  }
  st.records = seq;
  cpu.sample(performance.now());
  st.cpus = cpu.cpus;
  port.postMessage({ done: seq });
  return { stats: st };
}

/**
 * Consumer of both postMessage baselines.
 *
 * @example
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { runPostMessageConsumer, runPostMessageProducer } from "./postmessage_loops.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "postMessage", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const { port1, port2 } = new MessageChannel();
 * // Both ends in one thread (`bench` gives each its own worker): the consumer's handler runs
 * // once the producer has posted its 100 records, well inside its credit window.
 * const [p, c] = await Promise.all([
 *   runPostMessageProducer({ spec, control, epoch, role: "producer", port: port1 }),
 *   runPostMessageConsumer({ spec, control, epoch, role: "consumer", port: port2 }),
 * ]);
 * port1.close();
 * c.verify.ok; // => 100
 * c.windowRecords; // => 100 (no warm-up asked); records/s is windowRecords / (windowMs / 1000)
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
  const cpu = new CpuTrace();
  let win = new MeasureWindow(0, 0, 0); // replaced at the go signal, before any message
  let lastAck = 0;
  return new Promise((resolve) => {
    port.onmessage = (e: MessageEvent<Int32Array | { done: number }>) => {
      const d = e.data;
      const now = performance.now();
      if (d instanceof Int32Array) {
        const measure = win.open(now, v.seen);
        const nowNs = clock.ns(now);
        v.takeRun(d, 0, d.length, nowNs, measure);
        st.publishes++;
        if (v.seen - lastAck >= POST_ACK_EVERY) {
          lastAck = v.seen;
          port.postMessage(v.seen);
        }
        return;
      }
      st.records = v.seen;
      cpu.sample(now);
      st.cpus = cpu.cpus;
      port.close();
      resolve(consumerReport(st, v, win, now));
    };
    awaitGo(ctl);
    cpu.sample(performance.now());
    win = new MeasureWindow(performance.now(), spec.warmupMs ?? 0, warmRecordsFor(spec.records));
  });
}
