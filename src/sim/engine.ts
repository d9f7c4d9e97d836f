/**
 * The discrete-event model of the kernel producer and the VMM consumer sharing one fault region.
 *
 * Time is in microseconds. Only three timers exist (next arrival, next consumer action, next
 * stall edge), so picking the next event is two comparisons instead of a heap, and the loop
 * allocates nothing: per slot the model keeps the fault number, its arrival time and whether it
 * is still undelivered, in typed arrays. Records are encoded only when a snapshot is taken.
 * Ties are broken stall edge, then consumer, then arrival, always, so runs are reproducible.
 *
 * What is modelled (domain.md 1.2-1.6, abi.md 4):
 * - the kernel reads the shared header on every fault; with `header_check: none` (RFC v3) it
 *   trusts `size`, `prod` and `cons` as found; `bounds` uses its own capacity and drops the fault
 *   when an index is out of range; `stop` compares the header with its own copy and stops using
 *   the queue at the first inconsistency. It drops the new fault when full (`CIRC_SPACE < 1`
 *   or the true modulo), signals the eventfd only when it enqueued and the VMM has armed it;
 * - a write the kernel would make outside the region is counted, never performed;
 * - the VMM clears the eventfd, reads `prod` (and, in the RFC v3 consumer, `cons` and `size`)
 *   once per handler run, consumes up to that `prod` or a bounded batch, one record per service
 *   time, and writes `cons` per record or once per drain. A `prod >= size` makes its loop spin
 *   forever and a slot past the region faults (SIGBUS): both are reported as a hung consumer.
 *
 * @example
 * ```ts
 * import { Simulation } from "./engine.ts";
 * import { parseScenario } from "./scenario.ts";
 * const sim = new Simulation(parseScenario({ events: 10_000 }));
 * sim.run();
 * const s = sim.summary();
 * s.produced === s.delivered + s.dropped + s.pending; // true
 * ```
 * @module
 */
import { RECORDS } from "../abi/records.ts";
import { headerField, REGIONS, ringOffsetFor } from "../abi/regions.ts";
import type { RegionLayout } from "../abi/types.ts";
import { decoderFor } from "../codec/decode.ts";
import { encodeInto } from "../codec/encode.ts";
import { buildRegion } from "../region/model.ts";
import { type CompiledMix, compileMix, faultFields } from "./faults.ts";
import { SplitMix64, Xoshiro128 } from "./prng.ts";
import type { Injection, Scenario } from "./scenario.ts";
import { scenarioJson } from "./scenario.ts";
import { LatencyHistogram, Timeline } from "./stats.ts";
import type { Mark } from "./svg.ts";
import { ascii, TraceWriter } from "./trace.ts";

/**
 * Why a fault did not reach the consumer.
 *
 * @example
 * ```ts
 * summary.dropped_by_cause[DROP_CAUSES[1]]; // spurious_full
 * ```
 */
export const DROP_CAUSES = [
  "full",
  "spurious_full",
  "bad_index",
  "queue_stopped",
  "trap",
  "oob_write",
  "overwritten",
] as const;
/** A drop cause. */
export type DropCause = typeof DROP_CAUSES[number];
// Trace fragments, encoded once.
const K_N = ascii('{"n":');
const K_T = ascii(',"t":');
const K_CONS = ascii(',"cons":');
const K_OFFSET = ascii(',"offset":');
const END = ascii("}\n");
const K_SLOT = ascii(',"slot":');
const K_PROD = ascii(',"prod":');
const K_OCC = ascii(',"occ":');
const K_LAT = ascii(',"lat":');
const NULL = ascii("null");
const EV_DROP = ascii(',"ev":"drop","k":');
const EV_FAULT = ascii(',"ev":"fault","k":');
const EV_HANG = ascii(',"ev":"hang"');
const EV_WAKE = ascii(',"ev":"wake","efd":');
const EV_DELIVER = ascii(',"ev":"deliver","k":');
const EV_START = ascii(',"ev":"start","drain":');
const EV_STALL = ascii(',"ev":"stall","until":');
const EV_RESUME = ascii(',"ev":"resume"}\n');
const EV_INJECT = ascii(',"ev":"inject"');
const SIG1 = ascii(',"sig":1}\n');
const SIG0 = ascii(',"sig":0}\n');
const TRUE_END = ascii("true}\n");
const FALSE_END = ascii("false}\n");
/** `,"cause":"<name>","prod":` per cause, pre-built for the trace. */
const CAUSE_JSON = DROP_CAUSES.map((c) => ascii(`,"cause":"${c}","prod":`));
const FULL = 0, SPURIOUS = 1, BAD_INDEX = 2, STOPPED = 3, TRAP = 4, OOB = 5, OVERWRITTEN = 6;

/** Consumer states. */
const OFF = 0, IDLE = 1, WAKING = 2, DRAINING = 3, STALLED = 4, HUNG = 5;
const STATE_NAMES = ["not started", "idle", "waking", "draining", "stalled", "hung"];

/** The summary of a run (also the `--json` object). */
export interface SimSummary {
  scenario: string;
  seed: number;
  layout: string;
  abi: string;
  page_size: number;
  capacity: number;
  region_size: number;
  index_math: string;
  header_check: string;
  events: number;
  sim_time_us: number;
  /** True when the run stopped because nothing more could happen (before `events`). */
  quiescent: boolean;
  produced: number;
  delivered: number;
  dropped: number;
  dropped_by_cause: Record<DropCause, number>;
  pending: number;
  /** False as soon as any fault was lost: the lossy/complete flag users of ring tools ask for. */
  complete: boolean;
  max_occupancy: number;
  mean_occupancy: number;
  time_full_us: number;
  time_full_fraction: number;
  latency: { p50: number; p99: number; max: number; mean: number; unit: "us" };
  signals: number;
  wakes: number;
  /** Records the consumer read from a slot that held no undelivered fault. */
  stale_reads: number;
  header: Record<string, number>;
  consumer: { state: string; hung: boolean; hang_reason: string | null };
  queue: { stopped: boolean; stopped_at_event: number | null; stop_reason: string | null };
  injection: null | {
    injected: { at_event: number; kind: string; value: number; time_us: number }[];
    would_write_oob: boolean;
    oob_writes: number;
    first_oob_offset: number | null;
    queue_stopped: boolean;
    /** Faults dropped or overwritten from the first injection on, whatever the cause. */
    faults_lost: number;
    lost_by_cause: Record<DropCause, number>;
    /**
     * The same scenario without injections, run to the same simulated time, and how many more
     * faults the corrupted run lost than it (set by `runScenario`).
     */
    baseline?: { produced: number; delivered: number; dropped: number };
    extra_lost?: number;
  };
}

/** A region image taken from the running model. */
export interface Snapshot {
  /** Event number after which it was taken. */
  event: number;
  time_us: number;
  image: Uint8Array;
  layout: string;
  abi: string;
  /** Header values as simulated (may be corrupted). */
  prod: number;
  cons: number;
  /** False for fault-prod, whose consumer index lives in the separate CONS region. */
  consInImage: boolean;
}

/** Options of a {@link Simulation}. */
export interface SimOptions {
  /** Raw records to replay, for `arrivals.kind = "replay"`. */
  capture?: Uint8Array;
  /**
   * Receives the NDJSON trace in chunks of about 256 KiB; omit for no trace. A chunk is only
   * valid during the call (the buffer is reused): write or copy it before returning.
   */
  trace?: (chunk: Uint8Array) => void;
}

/**
 * A simulation in progress. Drive it with {@link Simulation.run} (in chunks if you want progress
 * or snapshots), then read {@link Simulation.summary}.
 *
 * @example
 * ```ts
 * const sim = new Simulation(scenario);
 * sim.run(500); // stop after event 500
 * const snap = sim.snapshot();
 * sim.run();
 * ```
 */
export class Simulation {
  readonly scenario: Scenario;
  readonly layout: RegionLayout;
  /** The kernel's capacity (`VFIO_FAULT_QUEUE_SIZE`, `nb_entries`). */
  readonly capacity: number;
  readonly entrySize: number;
  readonly ringOffset: number;
  readonly regionSize: number;
  /** Slots that fit in the region (a corrupted size can send the kernel past the ring). */
  readonly physSlots: number;

  // Shared header, as userspace and the kernel see it.
  hdrSize: number;
  hdrProd = 0;
  hdrCons = 0;
  hdrReserved = 0;
  // Kernel private state.
  private kprod = 0;
  private stopped = false;
  private stoppedAt: number | null = null;
  private stopReason: string | null = null;
  // Slots.
  private slotSeq: Float64Array;
  private slotTime: Float64Array;
  private slotLive: Uint8Array;
  private live = 0;
  // Counters.
  n = 0;
  now = 0;
  private produced = 0;
  private delivered = 0;
  private drops = new Float64Array(DROP_CAUSES.length);
  private lostAfter = new Float64Array(DROP_CAUSES.length);
  private injected = false;
  private oobWrites = 0;
  private firstOob: number | null = null;
  private signals = 0;
  private wakes = 0;
  private stale = 0;
  private maxOcc = 0;
  private occ = 0;
  private full = false;
  // Producer (arrivals) and consumer (service jitter) draw from separate streams.
  private rng: Xoshiro128;
  private srng: Xoshiro128;
  private tArr = Infinity;
  private k = 0;
  private faultLimit: number;
  private arrInterval = 0;
  private arrMean = 0;
  // Consumer.
  private state = OFF;
  private tCons = Infinity;
  private efd = 0;
  private cshadow = 0;
  private csize = 0;
  private ctarget = 0;
  private batchLeft = 0;
  private savedState = IDLE;
  private savedDelay = 0;
  private armed = false;
  private hangReason: string | null = null;
  private readonly rereadsCons: boolean;
  private readonly perRecord: boolean;
  // Stalls.
  private tStall = Infinity;
  private stallIdx = 0;
  private inStall = false;
  // Injections.
  private injIdx = 0;
  private nextInjAt: number;
  private injLog: { at_event: number; kind: string; value: number; time_us: number }[] = [];
  // Output.
  readonly hist = new LatencyHistogram();
  readonly timeline = new Timeline();
  /** Stall windows and injections as they happened (for the chart), capped. */
  readonly marks: Mark[] = [];
  private w?: TraceWriter;
  private ended = false;
  private quiescent = false;
  private mix: CompiledMix;
  /** Set by `runScenario`: the same run without injections (see `SimSummary.injection`). */
  baseline?: { produced: number; delivered: number; dropped: number };
  private capture?: { bytes: Uint8Array; count: number };

  constructor(scenario: Scenario, opts: SimOptions = {}) {
    this.scenario = scenario;
    const r = scenario.region;
    this.layout = REGIONS[r.layout];
    this.capacity = r.capacity;
    this.entrySize = RECORDS[r.abi].size;
    this.ringOffset = ringOffsetFor(this.layout, r.page_size);
    this.regionSize = r.region_size;
    this.physSlots = Math.floor((this.regionSize - this.ringOffset) / this.entrySize);
    this.hdrSize = this.capacity;
    this.slotSeq = new Float64Array(this.physSlots).fill(-1);
    this.slotTime = new Float64Array(this.physSlots);
    this.slotLive = new Uint8Array(this.physSlots);
    const sm = new SplitMix64(BigInt(scenario.seed));
    this.rng = Xoshiro128.fromSplitMix(sm);
    this.srng = Xoshiro128.fromSplitMix(sm);
    this.mix = compileMix(scenario.producer.mix, r.abi);
    const c = scenario.consumer;
    // The RFC v3 consumer re-read cons and size from the mmapped header on every signal;
    // v4+ consumers kept a private shadow index.
    this.rereadsCons = r.layout === "rfc3";
    this.perRecord = c.cons_write === "per_record";
    if (opts.trace) this.w = new TraceWriter(opts.trace);

    const a = scenario.producer.arrivals;
    this.faultLimit = scenario.producer.faults ?? Infinity;
    if (a.kind === "replay") {
      const bytes = opts.capture;
      if (!bytes) throw new Error("a replay scenario needs the capture bytes (SimOptions.capture)");
      const count = Math.floor(bytes.length / this.entrySize);
      if (count === 0 || bytes.length % this.entrySize !== 0) {
        throw new RangeError(
          `capture of ${bytes.length} bytes is not a whole number of ${this.entrySize}-byte ${r.abi} records`,
        );
      }
      this.capture = { bytes, count };
      if (!a.loop) this.faultLimit = Math.min(this.faultLimit, count);
    }
    if (a.kind === "steady" || a.kind === "poisson" || a.kind === "replay") {
      this.arrInterval = 1e6 / a.rate_per_s;
      this.arrMean = this.arrInterval;
    }
    this.tArr = this.faultLimit > 0 ? this.arrivalTime(0, a.start_us) : Infinity;

    if (c.start_us > 0) {
      this.state = OFF;
      this.tCons = c.start_us;
    } else {
      this.state = IDLE;
      this.armed = true;
    }
    this.tStall = this.stallEdge(0);
    this.nextInjAt = scenario.inject.length ? scenario.inject[0].at_event : Infinity;

    if (this.w) {
      this.w.text(
        JSON.stringify({
          ev: "begin",
          format: "faultscope-sim-trace/1",
          capacity: this.capacity,
          region_size: this.regionSize,
          ring_offset: this.ringOffset,
          entry_size: this.entrySize,
          scenario: scenarioJson(scenario),
        }) + "\n",
      );
    }
  }

  /** Arrival time of fault `k` (the previous arrival was at `prev`). */
  private arrivalTime(k: number, prev: number): number {
    const a = this.scenario.producer.arrivals;
    switch (a.kind) {
      case "steady":
        return a.start_us + k * this.arrInterval;
      case "poisson":
        return (k === 0 ? a.start_us : prev) + this.rng.nextExp(this.arrMean);
      case "storm":
        return a.start_us + Math.floor(k / a.burst) * a.interval_us + (k % a.burst) * a.gap_us;
      case "replay":
        return a.timing === "steady"
          ? a.start_us + k * this.arrInterval
          : (k === 0 ? a.start_us : prev) + this.rng.nextExp(this.arrMean);
    }
  }

  /** The first stall edge after the current stall index. */
  private stallEdge(_t: number): number {
    const c = this.scenario.consumer;
    const i = this.stallIdx;
    if (c.stall_every) {
      const e = c.stall_every;
      const start = e.first_us + Math.floor(i / 2) * e.every_us;
      return i % 2 === 0 ? start : start + e.for_us;
    }
    const s = c.stalls[i >> 1];
    if (!s) return Infinity;
    return i % 2 === 0 ? s.at_us : s.at_us + s.for_us;
  }

  private service(): number {
    const c = this.scenario.consumer;
    return c.service_jitter_us > 0
      ? c.service_us + c.service_jitter_us * this.srng.nextFloat()
      : c.service_us;
  }

  /** Starts a trace line: `{"n":N,"t":T,"ev":"kind"`. */
  private line(t: number, ev: Uint8Array): TraceWriter {
    const w = this.w!;
    w.bytes(K_N);
    w.int(this.n);
    w.bytes(K_T);
    w.time(t);
    w.bytes(ev);
    return w;
  }

  /** Recomputes occupancy (true modulo over the kernel's capacity) and the kernel's "full". */
  private refresh(t: number): void {
    const C = this.capacity;
    const p = this.hdrProd, c = this.hdrCons;
    const occ = p < C && c < C ? (p - c + C) % C : this.live;
    const check = this.scenario.kernel.header_check;
    const S = check === "none" ? this.hdrSize : C;
    const kp = check === "stop" ? this.kprod : p;
    let full = false;
    if (S > 0 && !this.stopped) {
      full = this.scenario.kernel.index_math === "circ"
        ? ((c - (kp + 1)) & (S - 1)) === 0
        : S - 1 - (((kp - c) % S) + S) % S < 1;
    }
    if (occ > this.maxOcc) this.maxOcc = occ;
    this.occ = occ;
    this.full = full;
    this.timeline.advance(t, occ, full);
  }

  private drop(t: number, cause: number, why?: string, offset?: number): void {
    this.drops[cause]++;
    if (this.injected) this.lostAfter[cause]++;
    this.timeline.advance(t, this.occ, this.full);
    this.timeline.drop(t, cause === SPURIOUS);
    if (this.w) {
      const w = this.line(t, EV_DROP);
      w.int(this.k);
      w.bytes(CAUSE_JSON[cause]);
      w.int(this.hdrProd);
      w.bytes(K_CONS);
      w.int(this.hdrCons);
      if (why) w.text(`,"why":${JSON.stringify(why)}`);
      if (offset !== undefined) {
        w.bytes(K_OFFSET);
        w.int(offset);
      }
      w.bytes(END);
    }
  }

  private stop(t: number, why: string): void {
    this.stopped = true;
    this.stoppedAt = this.n;
    this.stopReason = why;
    this.marks.push({ kind: "event", from: t, to: t, label: "queue stopped" });
    this.refresh(t);
  }

  /** The kernel's fault handler for fault `this.k` at time `t`. */
  private enqueue(t: number): void {
    this.produced++;
    if (this.stopped) return this.drop(t, STOPPED);
    const C = this.capacity;
    const check = this.scenario.kernel.header_check;
    let S: number, p: number;
    const c = this.hdrCons;
    if (check === "none") {
      S = this.hdrSize;
      p = this.hdrProd;
      if (S === 0) {
        // `% 0` in the kernel: an oops. Nothing is written and the queue is dead from now on.
        this.stop(t, "size 0: prod % size divides by zero (kernel oops)");
        return this.drop(t, TRAP, this.stopReason!);
      }
    } else if (check === "bounds") {
      S = C;
      p = this.hdrProd;
      if (p >= C || c >= C) {
        return this.drop(t, BAD_INDEX, p >= C ? `prod ${p} >= ${C}` : `cons ${c} >= ${C}`);
      }
    } else {
      S = C;
      p = this.kprod;
      const why = this.hdrSize !== C
        ? `size ${this.hdrSize} != ${C}`
        : this.hdrReserved !== 0
        ? `reserved ${this.hdrReserved} != 0`
        : this.hdrProd !== this.kprod
        ? `prod ${this.hdrProd} != ${this.kprod} (the kernel's own)`
        : c >= C
        ? `cons ${c} >= ${C}`
        : null;
      if (why) {
        this.stop(t, why);
        return this.drop(t, STOPPED, why);
      }
    }
    const trueRoom = S - 1 - (((p - c) % S) + S) % S;
    const room = this.scenario.kernel.index_math === "circ"
      ? (((c - (p + 1)) & (S - 1)) >>> 0)
      : trueRoom;
    if (room < 1) return this.drop(t, trueRoom < 1 ? FULL : SPURIOUS);
    if (p >= this.physSlots) {
      // The copy would land past the region: counted, never performed. The fault is lost even
      // though the kernel believes it queued it and moves prod on.
      const off = this.ringOffset + p * this.entrySize;
      this.oobWrites++;
      if (this.firstOob === null) this.firstOob = off;
      this.drop(
        t,
        OOB,
        `slot ${p} at offset ${off} is outside the ${this.regionSize}-byte region`,
        off,
      );
    } else {
      if (this.slotLive[p]) {
        // An undelivered fault is overwritten: only corrupted indices get here.
        this.drops[OVERWRITTEN]++;
        if (this.injected) this.lostAfter[OVERWRITTEN]++;
        this.live--;
      }
      this.slotSeq[p] = this.k;
      this.slotTime[p] = t;
      this.slotLive[p] = 1;
      this.live++;
    }
    const np = (p + 1) % S;
    this.hdrProd = np;
    this.kprod = np;
    let sig = 0;
    if (this.armed) {
      sig = 1;
      this.signals++;
      this.efd++;
      if (this.state === IDLE) {
        this.state = WAKING;
        this.tCons = t + this.scenario.consumer.wake_us;
      }
    }
    this.refresh(t);
    if (this.w && p < this.physSlots) {
      const w = this.line(t, EV_FAULT);
      w.int(this.k);
      w.bytes(K_SLOT);
      w.int(p);
      w.bytes(K_PROD);
      w.int(np);
      w.bytes(K_OCC);
      w.int(this.occ);
      w.bytes(sig ? SIG1 : SIG0);
    }
  }

  private hang(t: number, why: string): void {
    this.state = HUNG;
    this.tCons = Infinity;
    this.hangReason = why;
    this.marks.push({ kind: "event", from: t, to: t, label: "VMM hung" });
    if (this.w) this.line(t, EV_HANG).text(`,"why":${JSON.stringify(why)}}\n`);
  }

  private wake(t: number): void {
    this.wakes++;
    const count = this.efd;
    this.efd = 0;
    if (this.rereadsCons) this.cshadow = this.hdrCons;
    this.csize = this.hdrSize;
    this.ctarget = this.hdrProd;
    if (this.w) {
      const w = this.line(t, EV_WAKE);
      w.int(count);
      w.bytes(K_PROD);
      w.int(this.ctarget);
      w.bytes(K_CONS);
      w.int(this.cshadow);
      w.bytes(END);
    }
    if (this.csize === 0) return this.hang(t, "size 0: the consumer's cons % size traps");
    if (this.cshadow === this.ctarget) {
      this.state = IDLE;
      this.tCons = Infinity;
      return;
    }
    if (this.ctarget >= this.csize) {
      return this.hang(
        t,
        `prod ${this.ctarget} >= size ${this.csize}: cons wraps before reaching it, the loop never ends`,
      );
    }
    this.state = DRAINING;
    this.batchLeft = this.scenario.consumer.batch || Infinity;
    this.tCons = t + this.service();
  }

  private deliver(t: number): void {
    const s = this.cshadow;
    if (s >= this.physSlots) {
      return this.hang(t, `reads slot ${s} past the end of the region (SIGBUS)`);
    }
    let lat = -1;
    if (this.slotLive[s]) {
      this.slotLive[s] = 0;
      this.live--;
      this.delivered++;
      lat = t - this.slotTime[s];
      this.hist.add(lat);
    } else {
      this.stale++;
    }
    const nc = (s + 1) % this.csize;
    this.cshadow = nc;
    const done = nc === this.ctarget || --this.batchLeft === 0;
    if (this.perRecord || done) this.hdrCons = nc;
    this.refresh(t);
    if (this.w) {
      const w = this.line(t, EV_DELIVER);
      w.int(lat < 0 ? -1 : this.slotSeq[s]);
      w.bytes(K_SLOT);
      w.int(s);
      w.bytes(K_LAT);
      if (lat < 0) w.bytes(NULL);
      else w.time(lat);
      w.bytes(K_CONS);
      w.int(nc);
      w.bytes(END);
    }
    if (!done) {
      this.tCons = t + this.service();
    } else if (nc !== this.ctarget && this.scenario.consumer.repoll) {
      this.state = WAKING;
      this.tCons = t;
    } else if (this.efd > 0) {
      // Signals arrived during the drain: the eventfd is still readable, the loop calls again.
      this.state = WAKING;
      this.tCons = t;
    } else {
      this.state = IDLE;
      this.tCons = Infinity;
    }
  }

  private consumerStep(t: number): void {
    switch (this.state) {
      case OFF: {
        this.armed = true;
        const drain = this.scenario.consumer.drain_at_start;
        if (this.w) this.line(t, EV_START).bytes(drain ? TRUE_END : FALSE_END);
        this.state = drain ? WAKING : IDLE;
        this.tCons = drain ? t : Infinity;
        return;
      }
      case WAKING:
        return this.wake(t);
      case DRAINING:
        return this.deliver(t);
    }
  }

  private stallStep(t: number): void {
    const starting = this.stallIdx % 2 === 0;
    this.stallIdx++;
    this.tStall = this.stallEdge(t);
    if (starting) {
      this.inStall = true;
      const until = this.tStall;
      if (this.marks.length < 4096) {
        this.marks.push({ kind: "stall", from: t, to: until, label: "stall" });
      }
      if (this.state !== HUNG) {
        this.savedState = this.state;
        // OFF keeps its absolute start time; work in progress keeps its remaining duration.
        this.savedDelay = this.state === OFF ? this.tCons : this.tCons - t;
        this.state = STALLED;
        this.tCons = Infinity;
      }
      if (this.w) {
        const w = this.line(t, EV_STALL);
        w.time(until);
        w.bytes(END);
      }
    } else {
      this.inStall = false;
      if (this.state === STALLED) {
        const s = this.savedState;
        this.state = s;
        if (s === OFF) this.tCons = Math.max(t, this.savedDelay);
        else if (s === WAKING || s === DRAINING) this.tCons = t + this.savedDelay;
        else if (this.efd > 0) {
          this.state = WAKING;
          this.tCons = t + this.scenario.consumer.wake_us;
        } else this.tCons = Infinity;
      }
      if (this.w) this.line(t, EV_RESUME);
    }
  }

  private inject(inj: Injection): void {
    const t = this.now;
    this.n++;
    this.injected = true;
    const field = {
      cons_out_of_range: "consumer",
      reserved_nonzero: "reserved",
      size_changed: "capacity",
      prod_corrupt: "producer",
    }[inj.kind] as "consumer" | "reserved" | "capacity" | "producer";
    if (field === "consumer") this.hdrCons = inj.value;
    else if (field === "reserved") this.hdrReserved = inj.value;
    else if (field === "capacity") this.hdrSize = inj.value;
    else this.hdrProd = inj.value;
    this.injLog.push({ at_event: this.n, kind: inj.kind, value: inj.value, time_us: t });
    if (this.marks.length < 4096) {
      this.marks.push({ kind: "inject", from: t, to: t, label: inj.kind });
    }
    this.refresh(t);
    if (this.w) {
      const name = headerField(this.layout, field)?.name ?? field;
      this.line(t, EV_INJECT).text(
        `,"kind":"${inj.kind}","field":"${name}","value":${inj.value}}\n`,
      );
    }
  }

  /** True once the run has reached its event limit, duration, or a state where nothing happens. */
  get done(): boolean {
    return this.ended;
  }

  /**
   * Runs until event number `until` (default: the scenario's `events`) or the end of the run.
   * Returns the number of events processed so far.
   */
  run(until = this.scenario.events): number {
    const limit = Math.min(until, this.scenario.events);
    const horizon = this.scenario.duration_us ?? Infinity;
    const inj = this.scenario.inject;
    while (this.n < limit && !this.ended) {
      if (this.n === this.nextInjAt) {
        this.inject(inj[this.injIdx++]);
        this.nextInjAt = this.injIdx < inj.length ? inj[this.injIdx].at_event : Infinity;
        continue;
      }
      const ta = this.tArr, tc = this.tCons, ts = this.tStall;
      if (ta === Infinity && tc === Infinity && (ts === Infinity || this.idleForever())) {
        this.ended = true;
        this.quiescent = true;
        break;
      }
      if (ts <= ta && ts <= tc) {
        if (ts > horizon) break;
        this.now = ts;
        this.n++;
        this.stallStep(ts);
      } else if (tc <= ta) {
        if (tc > horizon) break;
        this.now = tc;
        this.n++;
        this.consumerStep(tc);
      } else {
        if (ta > horizon) break;
        this.now = ta;
        this.n++;
        this.enqueue(ta);
        this.k++;
        this.tArr = this.k < this.faultLimit ? this.arrivalTime(this.k, ta) : Infinity;
      }
    }
    if (this.n >= this.scenario.events) this.ended = true;
    if (!this.ended && this.n < limit) {
      // Stopped by the duration horizon: the run covers [0, horizon].
      this.ended = true;
      this.now = Math.max(this.now, horizon);
    }
    return this.n;
  }

  /** No arrival or consumer work is left, so future stall edges change nothing. */
  private idleForever(): boolean {
    if (this.state === HUNG) return true;
    if (this.state === STALLED) {
      return this.savedState === IDLE && this.efd === 0;
    }
    return this.state === IDLE;
  }

  /** Ends the trace (writing the summary as its last line) and flushes it. */
  finish(): SimSummary {
    const s = this.summary();
    if (this.w) {
      this.w.text(JSON.stringify({ ev: "end", summary: s }) + "\n");
      this.w.flush();
      this.w = undefined;
    }
    return s;
  }

  /** The summary so far. */
  summary(): SimSummary {
    const sc = this.scenario;
    const end = this.now;
    this.timeline.advance(end, this.occ, this.full);
    const byCause = (a: Float64Array) =>
      Object.fromEntries(DROP_CAUSES.map((c, i) => [c, a[i]])) as Record<DropCause, number>;
    const dropped = this.drops.reduce((x, y) => x + y, 0);
    const header: Record<string, number> = {};
    const byRole: Record<string, number> = {
      capacity: this.hdrSize,
      producer: this.hdrProd,
      consumer: this.hdrCons,
      reserved: this.hdrReserved,
    };
    for (const f of this.layout.header) if (f.role in byRole) header[f.name] = byRole[f.role];
    if (this.layout.externalConsumer) header[this.layout.externalConsumer.field] = this.hdrCons;
    const lost = this.lostAfter.reduce((x, y) => x + y, 0);
    const r3 = (v: number) => Math.round(v * 1000) / 1000;
    return {
      scenario: sc.name,
      seed: sc.seed,
      layout: sc.region.layout,
      abi: sc.region.abi,
      page_size: sc.region.page_size,
      capacity: this.capacity,
      region_size: this.regionSize,
      index_math: sc.kernel.index_math,
      header_check: sc.kernel.header_check,
      events: this.n,
      sim_time_us: r3(end),
      quiescent: this.quiescent,
      produced: this.produced,
      delivered: this.delivered,
      dropped,
      dropped_by_cause: byCause(this.drops),
      pending: this.live,
      complete: dropped === 0,
      max_occupancy: this.maxOcc,
      mean_occupancy: r3(this.timeline.meanOccupancy(end)),
      time_full_us: r3(this.timeline.totalFull),
      time_full_fraction: end > 0 ? r3(this.timeline.totalFull / end) : 0,
      latency: {
        p50: r3(this.hist.percentile(0.5)),
        p99: r3(this.hist.percentile(0.99)),
        max: r3(this.hist.max),
        mean: r3(this.hist.count ? this.hist.sum / this.hist.count : 0),
        unit: "us",
      },
      signals: this.signals,
      wakes: this.wakes,
      stale_reads: this.stale,
      header,
      consumer: {
        state: STATE_NAMES[this.state],
        hung: this.state === HUNG,
        hang_reason: this.hangReason,
      },
      queue: {
        stopped: this.stopped,
        stopped_at_event: this.stoppedAt,
        stop_reason: this.stopReason,
      },
      injection: this.injLog.length || sc.inject.length
        ? {
          injected: this.injLog,
          would_write_oob: this.oobWrites > 0,
          oob_writes: this.oobWrites,
          first_oob_offset: this.firstOob,
          queue_stopped: this.stopped,
          faults_lost: lost,
          lost_by_cause: byCause(this.lostAfter),
          ...(this.baseline
            ? { baseline: this.baseline, extra_lost: dropped - this.baseline.dropped }
            : {}),
        }
        : null,
    };
  }

  /**
   * The region image as the consumer would see it now: the simulated header (corruptions
   * included) and every slot the kernel ever wrote, stale ones too, as real memory would hold.
   */
  snapshot(): Snapshot {
    const r = this.scenario.region;
    const header: Record<string, number> = {};
    for (const f of this.layout.header) {
      if (f.role === "capacity") header[f.name] = this.hdrSize;
      else if (f.role === "producer") header[f.name] = this.hdrProd;
      else if (f.role === "consumer") header[f.name] = this.hdrCons;
      else if (f.role === "reserved") header[f.name] = this.hdrReserved;
    }
    const image = buildRegion({
      layout: r.layout,
      abi: r.abi,
      pageSize: r.page_size,
      capacity: this.capacity,
      regionSize: this.regionSize,
      producer: this.hdrProd,
      consumer: this.hdrCons,
      header,
    });
    const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
    const decode = this.capture ? decoderFor(r.abi) : undefined;
    const cap = this.capture
      ? new DataView(
        this.capture.bytes.buffer,
        this.capture.bytes.byteOffset,
        this.capture.bytes.byteLength,
      )
      : undefined;
    for (let s = 0; s < this.physSlots; s++) {
      const k = this.slotSeq[s];
      if (k < 0) continue;
      const fields = decode && cap
        ? decode(cap, (k % this.capture!.count) * this.entrySize, true)
        : faultFields(this.mix, this.scenario.seed, k);
      encodeInto(r.abi, fields, dv, this.ringOffset + s * this.entrySize, true);
    }
    return {
      event: this.n,
      time_us: Math.round(this.now * 1000) / 1000,
      image,
      layout: r.layout,
      abi: r.abi,
      prod: this.hdrProd,
      cons: this.hdrCons,
      consInImage: !this.layout.externalConsumer,
    };
  }
}
