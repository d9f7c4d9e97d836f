/**
 * The two sides of a ring run, as they execute inside their workers: the producer writes and
 * publishes batches, the consumer drains everything available, verifies it and publishes once.
 * Both block their thread (spinning or in `Atomics.wait`) until the run ends.
 *
 * @example
 * ```ts ignore
 * // inside a worker (see worker.ts):
 * import { runRingConsumer } from "./ring_loops.ts";
 * self.onmessage = (e) => postMessage({ type: "consumer", report: runRingConsumer(e.data) });
 * ```
 * @module
 */
import { MeasureWindow, warmRecordsFor } from "./window.ts";
import type { ConsumerReport, ProducerReport, WorkerOrder } from "./types.ts";
import { emptyStats } from "./types.ts";
import { LatencyClock } from "./clock.ts";
import { RingConsumer } from "../ring/consumer.ts";
import { CTL } from "./control.ts";
import { DEFAULT_SPIN_US, Doorbell, Spinner } from "../ring/doorbell.ts";
import { ringGeometry } from "../ring/geometry.ts";
import { RingProducer } from "../ring/producer.ts";
import { BenchRecordCodec } from "./record.ts";
import { RecordVerifier } from "./verify.ts";

/**
 * Batches of at least this many records are built in a private buffer and copied into the ring
 * with one memcpy (see RingProducer.copyIn); smaller ones are written in place.
 */
export const DEFAULT_STAGE_MIN = 8;

/** Longest single sleep by default: a sleeping side re-checks the stop flag this often. */
export const DEFAULT_SLEEP_MS = 50;

/**
 * Signals readiness and blocks until the main thread says go.
 *
 * @example
 * ```ts ignore
 * awaitGo(new Int32Array(order.control)); // returns once the main thread sets GO
 * ```
 */
export function awaitGo(ctl: Int32Array): void {
  Atomics.add(ctl, CTL.READY, 1);
  while (Atomics.load(ctl, CTL.GO) === 0) Atomics.wait(ctl, CTL.GO, 0, DEFAULT_SLEEP_MS);
}

const napWord = new Int32Array(new SharedArrayBuffer(4));

/**
 * Pauses `us` microseconds (test hook: a slow side): busy below a millisecond, asleep above, so
 * that an idle producer costs no CPU when the idle consumer's CPU is being measured.
 *
 * @example
 * ```ts ignore
 * pause(100); // busy for 100 µs
 * pause(5000); // asleep for 5 ms
 * ```
 */
export function pause(us: number): void {
  if (us >= 1000) {
    Atomics.wait(napWord, 0, 0, us / 1000);
    return;
  }
  const end = performance.now() + us / 1000;
  while (performance.now() < end) { /* spin */ }
}

/**
 * The kernel's side: writes `spec.records` records (or until `spec.durationMs`), publishing
 * `prod` after each batch of up to `spec.batch` records.
 *
 * @example
 * ```ts ignore
 * const report = runRingProducer(order); // inside the producer worker
 * report.stats.publishes; // index publications
 * ```
 */
export function runRingProducer(o: WorkerOrder): ProducerReport {
  const { spec } = o;
  const g = ringGeometry(spec.layout, { placement: spec.placement });
  const ctl = new Int32Array(o.control);
  const p = new RingProducer(o.sab!, g);
  const codec = new BenchRecordCodec(g.abi === "rfc3" ? "rfc3" : "mainline");
  const clock = new LatencyClock(o.epoch);
  const consumerBell = new Doorbell(ctl, CTL.CONSUMER_BELL);
  const myBell = new Doorbell(ctl, CTL.PRODUCER_BELL);
  const st = emptyStats();
  const w = p.words;
  const k = spec.batch;
  const W = codec.words;
  const stageMin = spec.stageMin ?? DEFAULT_STAGE_MIN;
  const stage = new Int32Array(Math.min(k, g.capacity) * W);
  const stageBytes = new Uint8Array(stage.buffer);
  const limit = spec.records > 0 ? spec.records : Infinity;
  const sleepy = spec.wait === "spin-wait";
  const pauseUs = spec.producerPauseUs ?? 0;
  const spinner = new Spinner(
    myBell,
    spec.wait,
    spec.spinUs ?? DEFAULT_SPIN_US,
    spec.sleepMs ?? DEFAULT_SLEEP_MS,
  );
  const corruptAt = spec.corruptProdAt ?? -1;
  const ready = () => p.reserve(1) !== 0 || Atomics.load(ctl, CTL.STOP) !== 0;
  awaitGo(ctl);
  const deadline = spec.durationMs > 0
    ? performance.now() + (spec.warmupMs ?? 0) + spec.durationMs
    : Infinity;
  let seq = 0;
  let waiting = false;
  while (seq < limit) {
    let n = p.reserve(k);
    if (n === 0) {
      // Full. Count the episode once, then poll; spin-wait sleeps after its budget.
      if (!waiting) {
        st.waits++;
        waiting = true;
      }
      if ((++st.spins & 1023) === 0 && Atomics.load(ctl, CTL.STOP) !== 0) break;
      spinner.idle(ready);
      continue;
    }
    if (n < 0) break;
    if (waiting) {
      waiting = false;
      spinner.progress();
    }
    if (n > limit - seq) n = limit - seq;
    const now = performance.now();
    const ts = clock.ns(now);
    if (n >= stageMin) {
      for (let i = 0; i < n; i++) codec.write(stage, i * W, seq + i, ts);
      p.copyIn(stageBytes, n);
    } else {
      for (let i = 0; i < n; i++) codec.write(w, p.slotWord(i), seq + i, ts);
    }
    p.publish(n);
    seq += n;
    st.publishes++;
    if (sleepy) consumerBell.ring();
    if (corruptAt >= 0 && seq >= corruptAt) {
      // Test hook: a broken producer publishes an index outside the ring, then goes away.
      Atomics.store(w, g.prodOffset >> 2, g.capacity + 3);
      consumerBell.ring();
      break;
    }
    if (now >= deadline || Atomics.load(ctl, CTL.STOP) !== 0) break;
    if (pauseUs > 0) pause(pauseUs);
  }
  st.records = seq;
  st.arms = myBell.arms;
  st.sleeps = myBell.sleeps;
  st.timeouts = myBell.timeouts;
  st.notifies = consumerBell.notifies;
  if (p.fault !== undefined) st.fault = p.fault.reason;
  Atomics.store(ctl, CTL.DONE, 1);
  Atomics.notify(ctl, CTL.CONSUMER_BELL);
  return { stats: st };
}

/**
 * The VMM's side: drains every available record, verifies each, publishes `cons` once per
 * drain, until the producer is done and the ring is empty, or the run is stopped.
 *
 * @example
 * ```ts ignore
 * const report = runRingConsumer(order); // inside the consumer worker
 * report.verify.lost; // 0 when nothing was lost
 * ```
 */
export function runRingConsumer(o: WorkerOrder): ConsumerReport {
  const { spec } = o;
  const g = ringGeometry(spec.layout, { placement: spec.placement });
  const ctl = new Int32Array(o.control);
  const c = new RingConsumer(o.sab!, g);
  const codec = new BenchRecordCodec(g.abi === "rfc3" ? "rfc3" : "mainline");
  const clock = new LatencyClock(o.epoch);
  const producerBell = new Doorbell(ctl, CTL.PRODUCER_BELL);
  const myBell = new Doorbell(ctl, CTL.CONSUMER_BELL);
  const v = new RecordVerifier(codec);
  const st = emptyStats();
  const w = c.words;
  const sleepy = spec.wait === "spin-wait";
  const pauseUs = spec.consumerPauseUs ?? 0;
  const spinner = new Spinner(
    myBell,
    spec.wait,
    spec.spinUs ?? DEFAULT_SPIN_US,
    spec.sleepMs ?? DEFAULT_SLEEP_MS,
  );
  const corruptAt = spec.corruptConsAt ?? -1;
  const capture = spec.capture ? new Int32Array(spec.capture) : undefined;
  const ready = () =>
    c.available() !== 0 || Atomics.load(ctl, CTL.DONE) !== 0 || Atomics.load(ctl, CTL.STOP) !== 0;
  awaitGo(ctl);
  const t0 = performance.now();
  const win = new MeasureWindow(t0, spec.warmupMs ?? 0, warmRecordsFor(spec.records));
  let waiting = false;
  for (;;) {
    let n = c.available();
    if (n === 0) {
      if (Atomics.load(ctl, CTL.DONE) !== 0) {
        n = c.available(); // DONE is stored after the last publish: this read sees it all.
        if (n === 0) break;
      } else {
        if (!waiting) {
          st.waits++;
          waiting = true;
        }
        if ((++st.spins & 1023) === 0 && Atomics.load(ctl, CTL.STOP) !== 0) break;
        spinner.idle(ready);
        continue;
      }
    }
    if (n < 0) {
      // A bad prod: stop, and tell the producer nobody will free its slots again.
      Atomics.store(ctl, CTL.STOP, 1);
      Atomics.notify(ctl, CTL.PRODUCER_BELL);
      break;
    }
    if (waiting) {
      waiting = false;
      spinner.progress();
    }
    const now = performance.now();
    const measure = win.open(now, v.seen);
    const nowNs = clock.ns(now);
    for (let i = 0; i < n; i++) {
      const base = c.slotWord(i);
      if (capture !== undefined) {
        const at = v.seen * codec.words;
        for (let k = 0; k < codec.words && at + k < capture.length; k++) {
          capture[at + k] = w[base + k];
        }
      }
      v.take(w, base, nowNs, measure);
    }
    c.release(n);
    st.publishes++;
    if (sleepy) producerBell.ring();
    if (corruptAt >= 0 && v.seen >= corruptAt) {
      // Test hook: a buggy VMM scribbles on its consumer index.
      Atomics.store(w, g.consOffset >> 2, spec.corruptConsValue ?? g.capacity);
      break;
    }
    if (pauseUs > 0) pause(pauseUs);
  }
  const end = performance.now();
  st.records = v.seen;
  st.arms = myBell.arms;
  st.sleeps = myBell.sleeps;
  st.timeouts = myBell.timeouts;
  st.notifies = producerBell.notifies;
  if (c.fault !== undefined) st.fault = c.fault.reason;
  return {
    stats: st,
    verify: v.result,
    nextSeq: v.next,
    ...win.result(end, v.seen),
    latency: v.latency.snapshot(),
  };
}
