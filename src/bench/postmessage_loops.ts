/**
 * The `postMessage` baselines of `faultscope bench`, on the same records and the same verifier
 * as the ring: `postMessage` of each record and of batched arrays, over a `MessageChannel`
 * between the two workers, with credit-based flow control so the producer cannot queue
 * unbounded messages. They are event-driven (the consumer is a message handler), so they do not
 * run the shared-memory skeleton, only its start signal, window and report.
 *
 * @example
 * ```ts ignore
 * // inside a worker (see worker.ts):
 * import { runPostMessageConsumer } from "./postmessage_loops.ts";
 * self.onmessage = async (e) =>
 *   postMessage({ type: "consumer", report: await runPostMessageConsumer(e.data) });
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
