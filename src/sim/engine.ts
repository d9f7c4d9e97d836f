/**
 * The discrete-event model of the kernel producer and the VMM consumer sharing one fault region.
 * It keeps state and counters and tells an optional {@link SimEvents} observer what happened;
 * the trace format (`trace.ts`), the summary JSON (`summary.ts`), region images
 * (`snapshot.ts`) and the chart (`svg.ts`) are views built elsewhere from what it exposes.
 *
 * Time is in microseconds. Only three timers exist (next arrival, next consumer action, next
 * stall edge), so picking the next event is two comparisons instead of a heap, and the loop
 * allocates nothing: per slot the model keeps the fault number, its arrival time and whether it
 * is still undelivered, in typed arrays. Ties are broken stall edge, then consumer, then
 * arrival, always, so runs are reproducible. Every call to {@link Simulation.run} processes at
 * most the events it is asked for: each loop turn is one event or the end of the run.
 *
 * What is modelled (keys of src/abi/sources.ts): the kernel's fault handler as the VFIO series
 * wrote it (M9-05; v8's in Message-Id 20190526161004.25232-27-eric.auger@redhat.com) and QEMU's
 * `vfio_dma_fault_notifier_handler` (`hw/vfio/pci.c` of S1, S7, S8 and S12):
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
 * const s = sim.stats();
 * s.produced === s.delivered + s.dropped + s.pending; // => true
 * ```
 * @module
 */
import { RECORDS } from "../abi/records.ts";
import { headerField, REGIONS, ringOffsetFor } from "../abi/regions.ts";
import type { RegionLayout } from "../abi/types.ts";
import { CIRC_SPACE, trueSpace } from "./circ.ts";
import { CAUSE, DROP_CAUSES, type SimEvents } from "./events.ts";
import { type CompiledMix, compileMix } from "./faults.ts";
import { SplitMix64, Xoshiro128 } from "./prng.ts";
import { captureRecords, type Injection, type Scenario } from "./scenario.ts";
import { LatencyHistogram } from "../stats/histogram.ts";
import { Timeline } from "./stats.ts";

// Drop causes as plain numbers: the hot path compares and indexes with them.
const FULL = CAUSE.full, SPURIOUS = CAUSE.spurious_full, BAD_INDEX = CAUSE.bad_index;
const STOPPED = CAUSE.queue_stopped, TRAP = CAUSE.trap, OOB = CAUSE.oob_write;
const OVERWRITTEN = CAUSE.overwritten;

/** Consumer states. */
const OFF = 0, IDLE = 1, WAKING = 2, DRAINING = 3, STALLED = 4, HUNG = 5;
const STATE_NAMES = ["not started", "idle", "waking", "draining", "stalled", "hung"];

/**
 * A shaded interval or an instant worth marking on the time axis of a chart.
 *
 * @example
 * ```ts
 * import { DEFAULT_SCENARIO } from "./defaults.ts";
 * import { Simulation } from "./engine.ts";
 * const sim = new Simulation(DEFAULT_SCENARIO); // the VMM stalls from 150 ms to 450 ms
 * sim.run();
 * sim.marks.filter((m) => m.kind === "stall");
 * // => [{ kind: "stall", from: 150000, to: 450000, label: "stall" }]
 * ```
 */
export interface Mark {
  /** A stall window, a header corruption, or a consequence (queue stopped, VMM hung). */
  kind: "stall" | "inject" | "event";
  /** Start (µs). */
  from: number;
  /** End (µs); equal to `from` for an instant. */
  to: number;
  /** What the chart writes beside it. */
  label: string;
}

/** Marks kept for a chart: enough for any chart to be readable, bounded for any run. */
const MAX_MARKS = 4096;

/** An injection as it happened. */
export interface Injected {
  /** Its event number. */
  atEvent: number;
  /** The injection kind. */
  kind: string;
  /** The value written. */
  value: number;
  /** Simulated time (µs). */
  timeUs: number;
}

/**
 * Counters and state of a run so far, in the model's own terms (the summary JSON is made from
 * it by `summary.ts`).
 */
export interface ModelStats {
  /** Events processed. */
  events: number;
  /** Simulated time (µs). */
  timeUs: number;
  /** True when the run stopped because nothing more could happen. */
  quiescent: boolean;
  /** Faults the kernel was handed. */
  produced: number;
  /** Faults the VMM read. */
  delivered: number;
  /** Faults lost, all causes. */
  dropped: number;
  /** Per {@link DROP_CAUSES} entry. */
  drops: readonly number[];
  /** Faults queued and not yet read. */
  pending: number;
  /** Highest occupancy seen. */
  maxOccupancy: number;
  /** Eventfd signals the kernel sent. */
  signals: number;
  /** Handler runs of the VMM. */
  wakes: number;
  /** Records the consumer read from a slot that held no undelivered fault. */
  staleReads: number;
  /** The shared header's values by role (as simulated, corruptions included). */
  header: { capacity: number; producer: number; consumer: number; reserved: number };
  /** The VMM's state at the end (`idle`, `draining`, `hung`, ...). */
  consumerState: string;
  /** The VMM stopped making progress for good. */
  hung: boolean;
  /** Why it hung. */
  hangReason: string | null;
  /** The kernel stopped using the queue (`header_check: stop`). */
  stopped: boolean;
  /** The event at which it stopped. */
  stoppedAtEvent: number | null;
  /** What inconsistency stopped it. */
  stopReason: string | null;
  /** Injections so far. */
  injected: readonly Injected[];
  /** Copies the kernel would have made past the region. */
  oobWrites: number;
  /** The byte offset of the first of them. */
  firstOobOffset: number | null;
  /** Drops from the first injection on, per {@link DROP_CAUSES} entry. */
  lostAfterInjection: readonly number[];
}

/** Options of a {@link Simulation}. */
export interface SimOptions {
  /** Raw records to replay, for `arrivals.kind = "replay"`. */
  capture?: Uint8Array;
  /** Hears every event (the NDJSON trace is one). */
  events?: SimEvents;
}

/**
 * A simulation in progress. Drive it with {@link Simulation.run} (in chunks if you want progress
 * or snapshots), then read {@link Simulation.stats}.
 *
 * @example
 * ```ts
 * import { Simulation } from "./engine.ts";
 * import { parseScenario } from "./scenario.ts";
 * import { takeSnapshot } from "./snapshot.ts";
 * const sim = new Simulation(parseScenario({ events: 5000 }));
 * sim.run(500); // stop after event 500
 * takeSnapshot(sim).event; // => 500
 * sim.run(); // on to the scenario's end
 * sim.n; // => 5000
 * ```
 */
export class Simulation {
  /** The scenario being run. */
  readonly scenario: Scenario;
  /** The region layout's description. */
  readonly layout: RegionLayout;
  /** The kernel's capacity (`VFIO_FAULT_QUEUE_SIZE`, `nb_entries`). */
  readonly capacity: number;
  /** Bytes per record. */
  readonly entrySize: number;
  /** Byte offset of slot 0 in the region. */
  readonly ringOffset: number;
  /** Bytes in the region. */
  readonly regionSize: number;
  /** Slots that fit in the region (a corrupted size can send the kernel past the ring). */
  readonly physSlots: number;
  /** The fault mix resolved for the region's ABI (snapshots encode records with it). */
  readonly mix: CompiledMix;
  /** The replayed capture and its record count, for replay scenarios. */
  readonly capture?: { bytes: Uint8Array; count: number };

  // Shared header, as userspace and the kernel see it.
  /** The header's capacity field as simulated (an injection may corrupt it). */
  hdrSize: number;
  /** The header's producer index as simulated. */
  hdrProd = 0;
  /** The header's consumer index as simulated. */
  hdrCons = 0;
  /** The RFC v3 header's reserved word as simulated. */
  hdrReserved = 0;
  // Kernel private state.
  private kprod = 0;
  private stopped = false;
  private stoppedAt: number | null = null;
  private stopReason: string | null = null;
  private readonly circ: boolean;
  // Slots: the fault number each slot last received (-1: never written), when, and whether it
  // is still undelivered.
  /** The fault number each slot last received; -1: never written. */
  readonly slotSeq: Float64Array;
  private slotTime: Float64Array;
  private slotLive: Uint8Array;
  private live = 0;
  // Counters.
  /** Events processed so far. */
  n = 0;
  /** Simulated time of the last event (µs). */
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
  // Injections.
  private injIdx = 0;
  private nextInjAt: number;
  private injLog: Injected[] = [];
  // Output.
  /** Delivery latencies (ns). */
  readonly hist: LatencyHistogram = new LatencyHistogram();
  /** Occupancy, "full" time and drops over simulated time. */
  readonly timeline: Timeline = new Timeline();
  /** Stall windows and injections as they happened (for the chart), capped. */
  readonly marks: Mark[] = [];
  private ev?: SimEvents;
  private ended = false;
  private quiescent = false;

  /** Sets up the model at time 0; nothing runs until {@link Simulation.run}. */
  constructor(scenario: Scenario, opts: SimOptions = {}) {
    this.scenario = scenario;
    const r = scenario.region;
    this.layout = REGIONS[r.layout];
    this.capacity = r.capacity;
    this.entrySize = RECORDS[r.abi].size;
    this.ringOffset = ringOffsetFor(this.layout, r.pageSize);
    this.regionSize = r.regionSize;
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
    // v4+ consumers kept a private shadow index (the layout's registry traits say which).
    this.rereadsCons = this.layout.simulator?.rereadsConsumer ?? false;
    this.perRecord = c.consWrite === "per_record";
    this.circ = scenario.kernel.indexMath === "circ";
    this.ev = opts.events;

    const a = scenario.producer.arrivals;
    this.faultLimit = scenario.producer.faults ?? Infinity;
    if (a.kind === "replay") {
      const bytes = opts.capture;
      if (!bytes) throw new Error("a replay scenario needs the capture bytes (SimOptions.capture)");
      this.capture = { bytes, count: captureRecords(scenario, bytes) };
      if (!a.loop) this.faultLimit = Math.min(this.faultLimit, this.capture.count);
    }
    if (a.kind !== "storm") this.arrInterval = 1e6 / a.ratePerS;
    this.tArr = this.faultLimit > 0 ? this.arrivalTime(0, a.startUs) : Infinity;

    if (c.startUs > 0) {
      this.state = OFF;
      this.tCons = c.startUs;
    } else {
      this.state = IDLE;
      this.armed = true;
    }
    this.tStall = this.stallEdge();
    this.nextInjAt = scenario.inject.length ? scenario.inject[0].atEvent : Infinity;
  }

  /** Arrival time of fault `k` (the previous arrival was at `prev`). */
  private arrivalTime(k: number, prev: number): number {
    const a = this.scenario.producer.arrivals;
    switch (a.kind) {
      case "steady":
        return a.startUs + k * this.arrInterval;
      case "poisson":
        return (k === 0 ? a.startUs : prev) + this.rng.nextExp(this.arrInterval);
      case "storm":
        return a.startUs + Math.floor(k / a.burst) * a.intervalUs + (k % a.burst) * a.gapUs;
      case "replay":
        return a.timing === "steady"
          ? a.startUs + k * this.arrInterval
          : (k === 0 ? a.startUs : prev) + this.rng.nextExp(this.arrInterval);
    }
  }

  /** The stall edge at the current stall index (even: a start, odd: an end). */
  private stallEdge(): number {
    const c = this.scenario.consumer;
    const i = this.stallIdx;
    if (c.stallEvery) {
      const e = c.stallEvery;
      const start = e.firstUs + Math.floor(i / 2) * e.everyUs;
      return i % 2 === 0 ? start : start + e.forUs;
    }
    const s = c.stalls[i >> 1];
    if (!s) return Infinity;
    return i % 2 === 0 ? s.atUs : s.atUs + s.forUs;
  }

  /** The VMM's time for one record, jitter included. */
  private service(): number {
    const c = this.scenario.consumer;
    return c.serviceJitterUs > 0
      ? c.serviceUs + c.serviceJitterUs * this.srng.nextFloat()
      : c.serviceUs;
  }

  /** Recomputes occupancy (true modulo over the kernel's capacity) and the kernel's "full". */
  private refresh(t: number): void {
    const C = this.capacity;
    const p = this.hdrProd, c = this.hdrCons;
    // Both indices in range: one modulo is enough (trueCount's second one handles negative
    // differences of any size, and this runs on every event).
    const occ = p < C && c < C ? (p - c + C) % C : this.live;
    const check = this.scenario.kernel.headerCheck;
    const S = check === "none" ? this.hdrSize : C;
    const kp = check === "stop" ? this.kprod : p;
    let full = false;
    if (S > 0 && !this.stopped) full = (this.circ ? CIRC_SPACE(kp, c, S) : trueSpace(kp, c, S)) < 1;
    if (occ > this.maxOcc) this.maxOcc = occ;
    this.occ = occ;
    this.full = full;
    this.timeline.advance(t, occ, full);
  }

  /** Counts fault `this.k` as lost for `cause`. */
  private drop(t: number, cause: number, why?: string, offset?: number): void {
    this.drops[cause]++;
    if (this.injected) this.lostAfter[cause]++;
    this.timeline.advance(t, this.occ, this.full);
    this.timeline.drop(t, cause);
    this.ev?.drop(this.n, t, this.k, cause, this.hdrProd, this.hdrCons, why, offset);
  }

  /** The kernel stops using the queue for good. */
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
    const check = this.scenario.kernel.headerCheck;
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
    const trueRoom = trueSpace(p, c, S);
    const room = this.circ ? CIRC_SPACE(p, c, S) : trueRoom;
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
    let sig = false;
    if (this.armed) {
      sig = true;
      this.signals++;
      this.efd++;
      if (this.state === IDLE) {
        this.state = WAKING;
        this.tCons = t + this.scenario.consumer.wakeUs;
      }
    }
    this.refresh(t);
    if (p < this.physSlots) this.ev?.fault(this.n, t, this.k, p, np, this.occ, sig);
  }

  /** The VMM makes no more progress. */
  private hang(t: number, why: string): void {
    this.state = HUNG;
    this.tCons = Infinity;
    this.hangReason = why;
    this.marks.push({ kind: "event", from: t, to: t, label: "VMM hung" });
    this.ev?.hang(this.n, t, why);
  }

  /** The VMM's handler starts: clears the eventfd and reads the header. */
  private wake(t: number): void {
    this.wakes++;
    const count = this.efd;
    this.efd = 0;
    if (this.rereadsCons) this.cshadow = this.hdrCons;
    this.csize = this.hdrSize;
    this.ctarget = this.hdrProd;
    this.ev?.wake(this.n, t, count, this.ctarget, this.cshadow);
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

  /** The VMM reads one record and moves its index. */
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
      this.hist.record(lat * 1000);
    } else {
      this.stale++;
    }
    const nc = (s + 1) % this.csize;
    this.cshadow = nc;
    const done = nc === this.ctarget || --this.batchLeft === 0;
    if (this.perRecord || done) this.hdrCons = nc;
    this.refresh(t);
    this.ev?.deliver(this.n, t, lat < 0 ? -1 : this.slotSeq[s], s, lat, nc);
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

  /** The VMM's next action. */
  private consumerStep(t: number): void {
    switch (this.state) {
      case OFF: {
        this.armed = true;
        const drain = this.scenario.consumer.drainAtStart;
        this.ev?.start(this.n, t, drain);
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

  /** A stall starts or ends. */
  private stallStep(t: number): void {
    const starting = this.stallIdx % 2 === 0;
    this.stallIdx++;
    this.tStall = this.stallEdge();
    if (starting) {
      const until = this.tStall;
      if (this.marks.length < MAX_MARKS) {
        this.marks.push({ kind: "stall", from: t, to: until, label: "stall" });
      }
      if (this.state !== HUNG) {
        this.savedState = this.state;
        // OFF keeps its absolute start time; work in progress keeps its remaining duration.
        this.savedDelay = this.state === OFF ? this.tCons : this.tCons - t;
        this.state = STALLED;
        this.tCons = Infinity;
      }
      this.ev?.stall(this.n, t, until);
    } else {
      if (this.state === STALLED) {
        const s = this.savedState;
        this.state = s;
        if (s === OFF) this.tCons = Math.max(t, this.savedDelay);
        else if (s === WAKING || s === DRAINING) this.tCons = t + this.savedDelay;
        else if (this.efd > 0) {
          this.state = WAKING;
          this.tCons = t + this.scenario.consumer.wakeUs;
        } else this.tCons = Infinity;
      }
      this.ev?.resume(this.n, t);
    }
  }

  /** Corrupts the header as the injection says. */
  private inject(inj: Injection): void {
    const t = this.now;
    this.n++;
    this.injected = true;
    const role = ({
      cons_out_of_range: "consumer",
      reserved_nonzero: "reserved",
      size_changed: "capacity",
      prod_corrupt: "producer",
    } as const)[inj.kind];
    if (role === "consumer") this.hdrCons = inj.value;
    else if (role === "reserved") this.hdrReserved = inj.value;
    else if (role === "capacity") this.hdrSize = inj.value;
    else this.hdrProd = inj.value;
    this.injLog.push({ atEvent: this.n, kind: inj.kind, value: inj.value, timeUs: t });
    if (this.marks.length < MAX_MARKS) {
      this.marks.push({ kind: "inject", from: t, to: t, label: inj.kind });
    }
    this.refresh(t);
    const name = headerField(this.layout, role)?.name ?? role;
    this.ev?.inject(this.n, t, inj.kind, name, inj.value);
  }

  /** True once the run has reached its event limit, duration, or a state where nothing happens. */
  get done(): boolean {
    return this.ended;
  }

  /**
   * Runs until event number `until` (default: the scenario's `events`) or the end of the run.
   * Returns the number of events processed so far.
   */
  run(until: number = this.scenario.events): number {
    const limit = Math.min(until, this.scenario.events);
    const horizon = this.scenario.durationUs ?? Infinity;
    const inj = this.scenario.inject;
    while (this.n < limit && !this.ended) {
      if (this.n === this.nextInjAt) {
        this.inject(inj[this.injIdx++]);
        this.nextInjAt = this.injIdx < inj.length ? inj[this.injIdx].atEvent : Infinity;
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

  /** Counters and state so far; brings the timeline up to the current time first. */
  stats(): ModelStats {
    this.timeline.advance(this.now, this.occ, this.full);
    return {
      events: this.n,
      timeUs: this.now,
      quiescent: this.quiescent,
      produced: this.produced,
      delivered: this.delivered,
      dropped: this.drops.reduce((x, y) => x + y, 0),
      drops: Array.from(this.drops),
      pending: this.live,
      maxOccupancy: this.maxOcc,
      signals: this.signals,
      wakes: this.wakes,
      staleReads: this.stale,
      header: {
        capacity: this.hdrSize,
        producer: this.hdrProd,
        consumer: this.hdrCons,
        reserved: this.hdrReserved,
      },
      consumerState: STATE_NAMES[this.state],
      hung: this.state === HUNG,
      hangReason: this.hangReason,
      stopped: this.stopped,
      stoppedAtEvent: this.stoppedAt,
      stopReason: this.stopReason,
      injected: this.injLog,
      oobWrites: this.oobWrites,
      firstOobOffset: this.firstOob,
      lostAfterInjection: Array.from(this.lostAfter),
    };
  }
}
