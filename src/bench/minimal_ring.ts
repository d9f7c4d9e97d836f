/**
 * The "minimal ring" baseline: the simplest correct SharedArrayBuffer ring, written the way
 * anyone would write it first, to tell what faultscope's ring costs over the bare protocol. It
 * mirrors a widely used reference shape (a single 64 KiB region: 16-byte header
 * `{size, prod, cons, reserved}`, then 1023 slots of 64 bytes; `Atomics.load`/`Atomics.store`
 * on the two indices; one slot kept empty):
 *
 * - producer: loads `cons` once per batch, fills every free slot up to the batch size with a
 *   64-byte `iommu_fault`-shaped record (10 of its 16 words: type, pad, reason, flags, pasid,
 *   perm, addr, fetch_addr), stores `prod` once;
 * - consumer: loads `prod`, checks every record's type and sequence-carrying `addr`, folds
 *   every record into a checksum, stores `cons` once per drain;
 * - both fold what they wrote or read into a 32-bit checksum that must agree at the end.
 *
 * It has no per-record timestamp (so no latency figures), no doorbell (busy spin only), no
 * checks of the other side's index, and reads the clock only to open its measurement window
 * and to stop at the deadline. Every record is still checked. Its loops are deliberately its
 * own, not the shared skeleton: a baseline must not inherit what it is measured against.
 *
 * @example
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { minimalRegion, runMinimalConsumer, runMinimalProducer } from "./minimal_ring.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "minimal-ring", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: minimalRegion(), control, epoch };
 * // Both sides in one thread, one after the other (`bench` runs each in its own worker): the
 * // 100 records fit in the ring, so the producer never waits for the consumer.
 * const p = runMinimalProducer({ ...order, role: "producer" });
 * const c = runMinimalConsumer({ ...order, role: "consumer" });
 * p.stats.checksum === c.stats.checksum; // => true
 * c.verify; // => { ok: 100, lost: 0, duplicatedOrReordered: 0, torn: 0, clockSkew: 0 }
 * ```
 * @module
 */
import { CTL } from "./control.ts";
import { CpuTrace } from "./machine.ts";
import { awaitGo } from "./skeleton.ts";
import type { ConsumerReport, ProducerReport, WorkerOrder } from "./types.ts";
import { emptyStats } from "./types.ts";
import { MeasureWindow, warmRecordsFor } from "./window.ts";
import { LatencyHistogram } from "../stats/histogram.ts";

/** Bytes of the minimal ring's region. */
export const MINIMAL_REGION = 65536;
/** Bytes of its header. */
const HDR = 16;
/** Bytes per record. */
export const MINIMAL_RECORD = 64;
/** Slots: (65536 - 16) / 64. */
export const MINIMAL_SLOTS = (MINIMAL_REGION - HDR) / MINIMAL_RECORD;
const H_SIZE = 0, H_PROD = 1, H_CONS = 2;
const TYPE = 1;
/** addr = 0x7f0000000000 + seq * 4096: high word base. */
const ADDR_HI = 0x7f00;

/**
 * A fresh region for the minimal ring, its `size` word set.
 *
 * @example
 * ```ts
 * import { minimalRegion } from "./minimal_ring.ts";
 * new Uint32Array(minimalRegion())[0]; // => 1023
 * ```
 */
export function minimalRegion(): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(MINIMAL_REGION);
  new Uint32Array(sab)[H_SIZE] = MINIMAL_SLOTS;
  return sab;
}

/** Writes record `s` into slot `slot`; returns its checksum term. */
function fill(u32: Uint32Array, slot: number, s: number): number {
  const o = 4 + slot * 16;
  const reason = s & 7, flags = (s >>> 3) & 15;
  const pasid = Math.imul(s, 0x9E3779B1) >>> 12, perm = 1 << (s & 3);
  const addrLo = (s & 0xfffff) * 4096, addrHi = ADDR_HI + (s >>> 20);
  const fetchLo = addrLo + ((s << 2) & 0xffc);
  u32[o] = TYPE;
  u32[o + 1] = 0;
  u32[o + 2] = reason;
  u32[o + 3] = flags;
  u32[o + 4] = pasid;
  u32[o + 5] = perm;
  u32[o + 6] = addrLo;
  u32[o + 7] = addrHi;
  u32[o + 8] = fetchLo;
  u32[o + 9] = addrHi;
  return TYPE ^ reason ^ (flags << 8) ^ pasid ^ (perm << 16) ^ fetchLo ^ addrHi;
}

function isExpected(u32: Uint32Array, slot: number, s: number): boolean {
  const o = 4 + slot * 16;
  return u32[o] === TYPE && u32[o + 6] === (s & 0xfffff) * 4096 &&
    u32[o + 7] === ADDR_HI + (s >>> 20);
}

function mixAt(u32: Uint32Array, slot: number): number {
  const o = 4 + slot * 16;
  return u32[o] ^ u32[o + 2] ^ (u32[o + 3] << 8) ^ u32[o + 4] ^ (u32[o + 5] << 16) ^ u32[o + 8] ^
    u32[o + 9];
}

/**
 * Producer worker of the minimal ring.
 *
 * @example
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { minimalRegion, runMinimalProducer } from "./minimal_ring.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "minimal-ring", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: minimalRegion(), control, epoch };
 * const p = runMinimalProducer({ ...order, role: "producer" }); // must equal the consumer's
 * p.stats.records; // => 100
 * new Uint32Array(order.sab)[1]; // => 100: prod, stored once per batch
 * ```
 */
export function runMinimalProducer(o: WorkerOrder): ProducerReport {
  const { spec } = o;
  const ctl = new Int32Array(o.control);
  const hdr = new Int32Array(o.sab!, 0, 4);
  const u32 = new Uint32Array(o.sab!);
  const size = u32[H_SIZE];
  const pbatch = Math.min(spec.batch, size - 1);
  const n = spec.records > 0 ? spec.records : Infinity;
  const st = emptyStats();
  const cpu = new CpuTrace();
  awaitGo(ctl);
  const t0 = performance.now();
  cpu.sample(t0);
  const deadline = spec.durationMs > 0 ? t0 + (spec.warmupMs ?? 0) + spec.durationMs : Infinity;
  let prod = Atomics.load(hdr, H_PROD);
  let csum = 0, s = 0, batches = 0, spins = 0;
  while (s < n) {
    const cons = Atomics.load(hdr, H_CONS);
    const used = prod >= cons ? prod - cons : prod + size - cons;
    let avail = size - 1 - used;
    if (avail === 0) {
      if (spins++ === 0) st.waits++;
      if ((spins & 1023) === 0 && Atomics.load(ctl, CTL.STOP) !== 0) break;
      continue;
    }
    st.spins += spins;
    spins = 0;
    if (avail > pbatch) avail = pbatch;
    if (avail > n - s) avail = n - s;
    for (let k = 0; k < avail; k++, s++) {
      csum = (Math.imul(csum, 31) + fill(u32, prod, s)) | 0;
      prod = prod + 1 === size ? 0 : prod + 1;
    }
    Atomics.store(hdr, H_PROD, prod);
    // The clock and the stop flag only every 16 batches: the loop above is all the protocol.
    if ((++batches & 15) === 0) {
      const now = performance.now();
      cpu.maybe(now);
      if (now >= deadline || Atomics.load(ctl, CTL.STOP) !== 0) break;
    }
  }
  st.records = s;
  st.publishes = batches;
  st.checksum = csum >>> 0;
  st.indexLoads = batches + st.spins; // one load of cons per pass of the loop
  st.clockReads = (batches >> 4) + 2;
  cpu.sample(performance.now());
  st.cpus = cpu.cpus;
  Atomics.store(ctl, CTL.DONE, 1);
  return { stats: st };
}

/**
 * Consumer worker of the minimal ring.
 *
 * @example
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { minimalRegion, runMinimalConsumer, runMinimalProducer } from "./minimal_ring.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "minimal-ring", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: minimalRegion(), control, epoch };
 * // Both sides in one thread, one after the other (`bench` runs each in its own worker): the
 * // 100 records fit in the ring, so the producer never waits for the consumer.
 * runMinimalProducer({ ...order, role: "producer" });
 * new Uint32Array(order.sab)[4 + 16 * 7 + 6] ^= 1; // a torn address in record 7
 * runMinimalConsumer({ ...order, role: "consumer" }).verify.torn;
 * // => 1: records that failed the check
 * ```
 */
export function runMinimalConsumer(o: WorkerOrder): ConsumerReport {
  const { spec } = o;
  const ctl = new Int32Array(o.control);
  const hdr = new Int32Array(o.sab!, 0, 4);
  const u32 = new Uint32Array(o.sab!);
  const size = u32[H_SIZE];
  const st = emptyStats();
  const cpu = new CpuTrace();
  awaitGo(ctl);
  const t0 = performance.now();
  cpu.sample(t0);
  const win = new MeasureWindow(t0, spec.warmupMs ?? 0, warmRecordsFor(spec.records));
  let open = win.open(t0, 0);
  let cons = Atomics.load(hdr, H_CONS);
  let csum = 0, errors = 0, s = 0, drains = 0, spins = 0, clocks = 1;
  for (;;) {
    const prod = Atomics.load(hdr, H_PROD);
    if (prod === cons) {
      if (spins++ === 0) st.waits++;
      if ((spins & 1023) === 0) {
        // DONE is stored after the last publish: if it is set, this read of prod sees it all.
        if (Atomics.load(ctl, CTL.DONE) !== 0 && Atomics.load(hdr, H_PROD) === cons) break;
        if (Atomics.load(ctl, CTL.STOP) !== 0) break;
      }
      continue;
    }
    st.spins += spins;
    spins = 0;
    while (cons !== prod) {
      if (!isExpected(u32, cons, s)) errors++;
      csum = (Math.imul(csum, 31) + mixAt(u32, cons)) | 0;
      s++;
      cons = cons + 1 === size ? 0 : cons + 1;
    }
    Atomics.store(hdr, H_CONS, cons);
    // The clock only until the window opens (and for the CPU trace, every 64 drains).
    if ((++drains & 63) === 0 || !open) {
      const now = performance.now();
      clocks++;
      cpu.maybe(now);
      if (!open) open = win.open(now, s);
    }
  }
  const end = performance.now();
  cpu.sample(end);
  st.records = s;
  st.publishes = drains;
  st.checksum = csum >>> 0;
  st.indexLoads = drains + st.spins; // one load of prod per pass of the loop
  st.clockReads = clocks + 1;
  st.cpus = cpu.cpus;
  return {
    stats: st,
    verify: { ok: s - errors, lost: 0, duplicatedOrReordered: 0, torn: errors, clockSkew: 0 },
    nextSeq: s,
    ...win.result(end, s),
    latency: new LatencyHistogram().snapshot(),
  };
}
