/**
 * Follows a fault region through successive reads of its bytes: the records the producer added
 * since the last poll (they stay in their slots until it laps, even after the consumer took
 * them), the occupancy, how long the ring stays full (the kernel drops new faults uncounted
 * then), a consumer that stops, the header rules of `validate` (HDR-*, IDX-*) on every change,
 * and every case where records may have been missed.
 *
 * Indices are taken modulo the capacity and carry no lap count, so between two polls:
 * - the consumer's move `dC`, the producer's `dP` and the two occupancies give the least the
 *   producer can have written: `dC + pending(B) - pending(A)`, plus one capacity when that is
 *   negative. When it is a whole capacity or more, or a slot outside the range the producer
 *   could have filled without lapping changed its bytes, the producer went round the ring: a
 *   proven lap, reported as "at least N overwritten" (no upper bound exists);
 * - when the producer moved by more than the free space of the last poll, the consumer took
 *   records meanwhile, and both may have gone round unseen: "may have missed", unbounded;
 * - otherwise the `dP` records in the slots after the last producer index are the new ones.
 *
 * Reads are not atomic: the CLI reads the header, the ring, then the header again (as a reader
 * of a seqlock would). The slots the producer may be writing during the read (from the first
 * producer index to the second, inclusive) are neither reported nor taken as evidence of a lap.
 *
 * @example
 * ```ts
 * import { buildRegion } from "../region/model.ts";
 * import { RegionFollower } from "./region.ts";
 * const lines: string[] = [];
 * const f = new RegionFollower({ layout: "rfc3", abi: "rfc3", regionSize: 65536 }, {
 *   fault: (x) => lines.push(`slot ${x.kind === "record" ? x.position.slot : "?"}`),
 *   loss: (l) => lines.push(l.message),
 *   finding: () => {},
 *   state: () => {},
 * });
 * f.observe({ bytes: buildRegion({ layout: "rfc3", producer: 0, consumer: 0 }), time: 0 });
 * f.observe({ bytes: buildRegion({ layout: "rfc3", producer: 2, consumer: 0 }), time: 100 });
 * lines; // => ["slot 0", "slot 1"]
 * ```
 * @module
 */
import type { AbiId } from "../abi/records.ts";
import { headerField, type RegionLayoutId, REGIONS } from "../abi/regions.ts";
import { duration, plural } from "../codec/numbers.ts";
import type { Detection } from "../region/detect.ts";
import { readHeader, roleValue } from "../region/header.ts";
import { openDetected, type Region, slotOffset, slotReadable, slotsFrom } from "../region/model.ts";
import type { Finding } from "../rules/finding.ts";
import { checkRegion } from "../rules/region.ts";
import type { WatchSink } from "./events.ts";

/** How to read the region, and when a consumer counts as stalled. */
export interface RegionFollowerOptions {
  /** The layout of the header. */
  layout: RegionLayoutId;
  /** The record ABI of the ring. */
  abi: AbiId;
  /** Byte order (default little-endian). */
  littleEndian?: boolean;
  /** Bytes of the region. */
  regionSize: number;
  /** Host page size, for the page-size rules. */
  pageSize?: number;
  /** A consumer with records pending that does not move for longer than this is stalled (ms; default 1000). */
  stallMs?: number;
  /** Report the records already pending at the first poll (default: only what comes after). */
  fromStart?: boolean;
  /**
   * The region came into being while watched (its file appeared, or grew to a region): what the
   * first poll shows was written before it and is no longer pending is a loss
   * (`before_first_look`), where for a region that was already there it is only history.
   */
  historyIsLoss?: boolean;
}

/** One read of the region. */
export interface RegionRead {
  /** The region's bytes as read, header first (valid during the call only). */
  bytes: Uint8Array;
  /** The header read again after the ring, when the reader did (see the module notes). */
  headerAfter?: Uint8Array;
  /** When the read was made (ms since the epoch). */
  time: number;
}

/**
 * Rules left to other outputs: occupancy is a gauge, and a full ring is a loss line and a gauge.
 * The two-snapshot rules (SNAP-*) are not run between polls: their arithmetic assumes neither
 * index went round the ring between the snapshots, which a live region breaks all the time (a
 * consumer that drained a whole lap reads as SNAP-PROGRESS); the lap reasoning above is what
 * applies to a live ring, and a change of geometry is a resync loss.
 */
const LEFT_TO_GAUGES = new Set(["IDX-OCCUPANCY", "IDX-FULL"]);

const mod = (v: number, c: number) => ((v % c) + c) % c;

/** What the follower has seen so far (for the final summary). */
export interface RegionStats {
  /** Reads observed. */
  polls: number;
  /** Records reported as faults. */
  faults: number;
  /** Records pending at the first poll. */
  pendingAtStart: number | null;
  /** Proven laps. */
  laps: number;
  /** Polls after which records may have been missed unseen. */
  possibleLaps: number;
  /** Seconds the ring was seen full (between polls that both saw it full). */
  fullSeconds: number;
  /** Times the ring became full. */
  fullEpisodes: number;
  /** Times the consumer stalled. */
  stalls: number;
}

/** Follows one region; see the module notes. */
export class RegionFollower {
  readonly #o: Required<Omit<RegionFollowerOptions, "pageSize">> & { pageSize?: number };
  readonly #sink: WatchSink;
  readonly #detection: Detection;
  /** Two copies of the region, swapped every poll: the previous read and the current one. */
  #bufs: [Uint8Array, Uint8Array];
  #words: [Uint32Array, Uint32Array];
  #cur = 0;
  #prev: Region | undefined;
  #prevTime = 0;
  #active = new Set<string>();
  #consMovedAt = 0;
  #stalled = false;
  #fullSince: number | null = null;
  #lastFull = 0;
  #fullPolls = 0;
  /** What the follower has seen so far. */
  readonly stats: RegionStats = {
    polls: 0,
    faults: 0,
    pendingAtStart: null,
    laps: 0,
    possibleLaps: 0,
    fullSeconds: 0,
    fullEpisodes: 0,
    stalls: 0,
  };

  /** A follower that reports to `sink`. */
  constructor(opts: RegionFollowerOptions, sink: WatchSink) {
    this.#o = {
      littleEndian: true,
      stallMs: 1000,
      fromStart: false,
      historyIsLoss: false,
      ...opts,
    };
    this.#sink = sink;
    this.#detection = {
      layout: opts.layout,
      abi: opts.abi,
      abis: [opts.abi],
      guessed: false,
      reason: "given by the watcher",
    };
    // Rounded up to whole words, so that a change check compares 4 bytes at a time.
    const words = Math.ceil(opts.regionSize / 4);
    const a = new Uint32Array(words), b = new Uint32Array(words);
    this.#words = [a, b];
    this.#bufs = [
      new Uint8Array(a.buffer, 0, opts.regionSize),
      new Uint8Array(b.buffer, 0, opts.regionSize),
    ];
  }

  /** Takes one read of the region and reports what changed since the previous one. */
  observe(read: RegionRead): void {
    const t = read.time;
    const buf = this.#bufs[this.#cur];
    if (read.bytes.length >= buf.length) buf.set(read.bytes.subarray(0, buf.length));
    else {
      buf.set(read.bytes);
      buf.fill(0, read.bytes.length);
    }
    const cur = openDetected(buf, this.#detection, {
      layout: this.#o.layout,
      abi: this.#o.abi,
      littleEndian: this.#o.littleEndian,
      regionSize: this.#o.regionSize,
      pageSize: this.#o.pageSize,
    });
    const prodAfter = read.headerAfter
      ? roleValue(
        cur.layout,
        readHeader(cur.layout, read.headerAfter, this.#o.littleEndian),
        "producer",
      )
      : undefined;
    this.stats.polls++;
    const prev = this.#prev;
    if (!prev) this.#first(cur, t);
    else if (this.#changed()) {
      this.#follow(prev, cur, prodAfter ?? cur.producer, t);
      this.#findings(cur, t);
    }
    this.#track(cur, prev, t);
    this.#prev = cur;
    this.#prevTime = t;
    this.#cur ^= 1;
  }

  /** Whether the current copy differs from the previous one. */
  #changed(): boolean {
    const a = this.#words[this.#cur], b = this.#words[this.#cur ^ 1];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
    return false;
  }

  #first(cur: Region, t: number): void {
    this.#consMovedAt = t;
    const occ = cur.occupancy;
    this.stats.pendingAtStart = occ ? occ.pending : null;
    // What went before the pending records is declared first, as a lap's loss is.
    if (this.#o.historyIsLoss) this.#history(cur, t);
    if (occ && this.#o.fromStart && cur.consumer !== undefined) {
      this.#report(cur, slotsFrom(cur, cur.consumer, 0, occ.pending), t);
    }
    this.#findings(cur, t);
  }

  /**
   * What the first poll shows was written before it and is gone. Indices start at 0 and count
   * modulo the capacity, so the consumer index is the least (the producer's, where the consumer
   * keeps its index elsewhere and nothing pending is reported); a lap hides a capacity more, so
   * there is no most.
   */
  #history(cur: Region, t: number): void {
    const idx = cur.consumer ?? cur.producer;
    if (!(idx > 0 && idx < cur.geometry.capacity)) return;
    if (cur.consumer !== undefined && !cur.occupancy) return;
    const pending = this.#o.fromStart && cur.occupancy ? cur.occupancy.pending : 0;
    const which = cur.consumer !== undefined ? "consumer" : "producer";
    this.#sink.loss({
      time: t,
      cause: "before_first_look",
      unit: "faults",
      atLeast: idx,
      atMost: null,
      message: `the region appeared while watched but had moved before the first look ` +
        `(${which} index ${idx}): at least ${idx} faults were written and taken unseen; ` +
        `the ${pending} pending are reported`,
    });
  }

  #report(r: Region, slots: readonly number[], t: number): void {
    const dv = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
    for (const slot of slots) {
      if (!slotReadable(r, slot)) continue;
      this.stats.faults++;
      this.#sink.fault({
        kind: "record",
        time: t,
        abi: r.abi,
        dv,
        at: slotOffset(r, slot),
        littleEndian: r.littleEndian,
        position: { slot },
      });
    }
  }

  /** Whether any of `count` slots from `from` (cyclic) differs between the two copies. */
  #slotsChanged(prev: Region, cur: Region, from: number, count: number): boolean {
    const a = this.#bufs[this.#cur], b = this.#bufs[this.#cur ^ 1];
    for (const slot of slotsFrom(cur, 0, from, count)) {
      if (!slotReadable(cur, slot) || !slotReadable(prev, slot)) continue;
      const off = slotOffset(cur, slot);
      for (let i = off; i < off + cur.geometry.entrySize; i++) if (a[i] !== b[i]) return true;
    }
    return false;
  }

  #follow(prev: Region, cur: Region, prodAfter: number, t: number): void {
    const C = cur.geometry.capacity;
    const same = prev.geometry.capacity === C &&
      prev.geometry.ringOffset === cur.geometry.ringOffset;
    const prodName = headerField(cur.layout, "producer")!.name;
    const placeable = (r: Region) =>
      r.producer < C && (r.consumer === undefined || r.occupancy !== undefined);
    // Out-of-range indices cannot be followed (the findings say which); once they are back, or
    // after a change of geometry, what was written meanwhile cannot be placed.
    if (same && !placeable(cur)) return;
    if (!same || !placeable(prev)) {
      this.#sink.loss({
        time: t,
        cause: "resync",
        unit: "faults",
        atMost: null,
        message: same
          ? `the indices are back in range: faults written while they were not cannot be placed`
          : `the header changed geometry (capacity ${prev.geometry.capacity} -> ${C}): ` +
            `following the new ring; faults written meanwhile cannot be placed`,
      });
      return;
    }
    const pa = prev.producer, pb = cur.producer;
    const dP = mod(pb - pa, C);
    const dRead = prodAfter < C ? mod(prodAfter - pb, C) : 0;
    const occA = prev.occupancy, occB = cur.occupancy;
    // The least the producer can have written: exact unless the consumer went round the ring
    // (fault-prod keeps its consumer index elsewhere: only the slots' bytes can tell a lap).
    let least: number | undefined, dC = 0;
    if (occA && occB) {
      dC = mod(cur.consumer! - prev.consumer!, C);
      least = dC + occB.pending - occA.pending;
      if (least < 0) least += C;
    }
    // Slots the producer may fill without lapping: from pa up to the index after the read.
    const window = Math.min(C, dP + dRead + 1);
    const contentLap = window < C && this.#slotsChanged(prev, cur, pa + window, C - window);
    const inFlight = dRead + 1; // slots pb..prodAfter: being written during the read
    const keep = Math.max(0, C - inFlight); // slots that hold whole records older than pb
    if ((least !== undefined && least >= C) || contentLap) {
      this.stats.laps++;
      const atLeast = dP + inFlight;
      this.#sink.loss({
        time: t,
        cause: "lapped",
        unit: "faults",
        atLeast,
        atMost: null,
        message: `the producer went round the ${C}-slot ring since the last poll (` +
          (contentLap
            ? "slots it could not reach without lapping changed"
            : `the consumer moved ${dC} and ${occB!.pending} are pending`) +
          `): at least ${plural(atLeast, "fault")} overwritten before watch read them; ` +
          `poll faster (--interval)`,
      });
      this.#report(cur, slotsFrom(cur, 0, pb + inFlight, keep), t);
      return;
    }
    if (dP + inFlight > C) {
      // The producer raced the read round onto the oldest new slots.
      const lost = dP + inFlight - C;
      this.stats.laps++;
      this.#sink.loss({
        time: t,
        cause: "lapped",
        unit: "faults",
        atLeast: lost,
        atMost: null,
        message:
          `the producer overwrote ${plural(lost, "new fault")} while watch was reading the ` +
          `ring; poll faster (--interval)`,
      });
      this.#report(cur, slotsFrom(cur, 0, pb + inFlight, keep), t);
      return;
    }
    if (occA && dP > occA.free) {
      this.stats.possibleLaps++;
      this.#sink.loss({
        time: t,
        cause: "may_have_lapped",
        unit: "faults",
        atLeast: 0,
        atMost: null,
        message: `may have missed faults: ${prodName} moved ${dP}, more than the ${occA.free} ` +
          `free slot${occA.free === 1 ? "" : "s"} of the last poll, so the consumer took ` +
          `records meanwhile and both may have gone round the ring unseen (${C} faults a ` +
          `lap); poll faster (--interval)`,
      });
    }
    this.#report(cur, slotsFrom(cur, 0, pa, dP), t);
  }

  /** Reports the header rules that began to fire; one still firing is not reported again. */
  #findings(cur: Region, t: number): void {
    const list: Finding[] = checkRegion(cur);
    const now = new Set<string>();
    for (const f of list) {
      if (LEFT_TO_GAUGES.has(f.rule)) continue;
      const key = `${f.rule}|${f.field ?? ""}|${f.slot ?? ""}`;
      if (now.has(key)) continue;
      now.add(key);
      if (!this.#active.has(key)) this.#sink.finding({ time: t, finding: f });
    }
    this.#active = now;
  }

  /** Time full, consumer stalls, gauges. */
  #track(cur: Region, prev: Region | undefined, t: number): void {
    const occ = cur.occupancy;
    const full = occ?.full ?? false;
    if (full) {
      if (this.#fullSince === null) {
        this.#fullSince = t;
        this.#fullPolls = 1;
        this.stats.fullEpisodes++;
        this.#sink.loss({
          time: t,
          cause: "ring_full",
          unit: "faults",
          atMost: null,
          message: `ring FULL (${occ!.pending} pending): the kernel drops new faults without ` +
            `counting them`,
        });
        this.#sink.state({ time: t, state: "ring_full", message: "ring full" });
      } else {
        this.#fullPolls++;
        const s = (t - this.#prevTime) / 1000;
        this.stats.fullSeconds += s;
        this.#sink.fullSeconds?.(s);
      }
      this.#lastFull = t;
    } else if (this.#fullSince !== null) {
      const seconds = (this.#lastFull - this.#fullSince) / 1000;
      this.#sink.state({
        time: t,
        state: "ring_not_full",
        seconds,
        message: (this.#fullPolls === 1
          ? "ring FULL at one poll"
          : `ring FULL for ${duration(seconds)} (${this.#fullPolls} polls)`) +
          ": faults arriving meanwhile were dropped uncounted",
      });
      this.#fullSince = null;
    }
    const cons = cur.consumer;
    const moved = prev === undefined || cons !== prev.consumer;
    if (!occ || occ.pending === 0 || moved) {
      if (this.#stalled) {
        this.#stalled = false;
        const seconds = (t - this.#consMovedAt) / 1000;
        this.#sink.state({
          time: t,
          state: "resumed",
          seconds,
          message: `consumer moved again after ${duration(seconds)}`,
        });
      }
      this.#consMovedAt = t;
    } else if (!this.#stalled && t - this.#consMovedAt > this.#o.stallMs) {
      this.#stalled = true;
      this.stats.stalls++;
      const consName = headerField(cur.layout, "consumer")?.name ?? "cons";
      this.#sink.state({
        time: t,
        state: "stalled",
        message: `consumer stalled: ${consName} = ${cons} unchanged for ` +
          `${duration((t - this.#consMovedAt) / 1000)} with ${
            plural(occ.pending, "fault")
          } pending`,
      });
    }
    this.#sink.ring?.({
      pending: occ ? occ.pending : null,
      capacity: cur.geometry.capacity,
      full,
      stalled: this.#stalled,
    });
  }
}

/** The regions watch can follow: every layout (fault-prod follows the producer only). */
export const FOLLOWED_LAYOUTS: readonly RegionLayoutId[] = Object.keys(REGIONS) as RegionLayoutId[];
