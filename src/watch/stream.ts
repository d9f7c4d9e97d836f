/**
 * Follows a record stream as its bytes arrive (a FIFO, a character device, stdin): records of a
 * fixed size (`iommu_fault` of any generation, `iommu_hwpt_pgfault`) or vEVENTQ records
 * (an 8-byte header, then a payload unless the header says LOST_EVENTS). A record cut by the
 * end of a chunk is held until the rest arrives; a stream that ends inside one reports it as a
 * loss. vEVENTQ sequence numbers are accounted live, record by record, by the core's own function
 * ({@link veventLoss} of src/codec/vevent.ts, what `decode --check` counts with).
 *
 * @example
 * ```ts
 * import { StreamFollower } from "./stream.ts";
 * let faults = 0;
 * const s = new StreamFollower({ abi: "hwpt-pgfault" }, {
 *   fault: () => faults++, loss: () => {}, finding: () => {}, state: () => {},
 * });
 * s.push(new Uint8Array(60), 0); // one 40-byte record and half of the next
 * s.push(new Uint8Array(20), 1); // the rest of it
 * faults; // => 2
 * ```
 * @module
 */
import { type AbiId, RECORDS } from "../abi/records.ts";
import { VEVENT_TYPES, type VeventTypeId } from "../abi/vevent.ts";
import { plural } from "../codec/numbers.ts";
import { parseVevents, veventLoss } from "../codec/vevent.ts";
import { finding } from "../rules/finding.ts";
import type { WatchSink } from "./events.ts";

/** What the stream carries. */
export interface StreamFollowerOptions {
  /** A record ABI, or `vevent` for a vEVENTQ. */
  abi: AbiId | "vevent";
  /** The vEVENTQ type (default arm-smmuv3). */
  veventType?: VeventTypeId;
  /** Byte order of fixed records and vEVENTQ headers (default little-endian). */
  littleEndian?: boolean;
}

/** What a stream follower has seen so far. */
export interface StreamStats {
  /** Bytes taken. */
  bytes: number;
  /** Records decoded (LOST_EVENTS headers included). */
  records: number;
  /** Faults reported. */
  faults: number;
  /** Events known lost (vEVENTQ). */
  lost: number;
  /** Records cut short by the end of the stream. */
  partial: number;
}

/** Follows one stream; see the module notes. */
export class StreamFollower {
  readonly #sink: WatchSink;
  readonly #abi: AbiId | "vevent";
  readonly #type: VeventTypeId;
  readonly #le: boolean;
  readonly #size: number;
  readonly #payload: number;
  readonly #carry: Uint8Array;
  #held = 0;
  #index = 0;
  /** The last in-range vEVENTQ sequence number (the core's `previous`). */
  #previous: number | undefined;
  /** What the follower has seen so far. */
  readonly stats: StreamStats = { bytes: 0, records: 0, faults: 0, lost: 0, partial: 0 };

  /** A follower that reports to `sink`. */
  constructor(opts: StreamFollowerOptions, sink: WatchSink) {
    this.#sink = sink;
    this.#abi = opts.abi;
    this.#type = opts.veventType ?? "arm-smmuv3";
    this.#le = opts.littleEndian ?? true;
    this.#payload = VEVENT_TYPES[this.#type].payloadSize;
    this.#size = opts.abi === "vevent" ? 8 + this.#payload : RECORDS[opts.abi].size;
    this.#carry = new Uint8Array(this.#size);
  }

  /** Bytes since the stream was opened (the offset of the next byte). */
  get offset(): number {
    return this.stats.bytes;
  }

  /** Takes the next bytes of the stream (valid during the call only). */
  push(chunk: Uint8Array, time: number): void {
    let o = 0;
    const base = this.stats.bytes;
    this.stats.bytes += chunk.length;
    if (this.#held) {
      o = this.#fillCarry(chunk, time, base - this.#held);
      if (this.#held) return;
    }
    const end = this.#whole(chunk, o);
    if (end > o) this.#records(chunk, o, end, base, time);
    this.#carry.set(chunk.subarray(end), 0);
    this.#held = chunk.length - end;
  }

  /**
   * The stream ended (a FIFO's writer closed, stdin ended), or watch stopped reading it
   * (`stopped`): a record cut short is reported as a loss. The follower stays usable for the next
   * writer; sequence accounting continues across writers, as the queue behind them is the same.
   */
  end(time: number, stopped = false): void {
    if (!this.#held) return;
    const held = this.#held;
    this.#held = 0;
    this.stats.partial++;
    this.#sink.loss({
      time,
      cause: "partial_record",
      unit: "faults",
      count: 1,
      message: `${stopped ? "watch stopped" : "the stream ended"} ${plural(held, "byte")} ` +
        `into a ${this.#abi === "vevent" ? "vEVENTQ" : this.#abi} record: that record is lost`,
    });
  }

  /** Length of the record at `at` (needs its header). */
  #length(b: Uint8Array, at: number): number {
    if (this.#abi !== "vevent") return this.#size;
    const flags = this.#le
      ? b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)
      : (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
    return flags & 1 ? 8 : 8 + this.#payload;
  }

  /** The end of the whole records in `b` from `o`. */
  #whole(b: Uint8Array, o: number): number {
    if (this.#abi !== "vevent") return o + Math.floor((b.length - o) / this.#size) * this.#size;
    while (o + 8 <= b.length) {
      const n = this.#length(b, o);
      if (o + n > b.length) break;
      o += n;
    }
    return o;
  }

  /** Completes the held record from `chunk`; returns the bytes of `chunk` used. */
  #fillCarry(chunk: Uint8Array, time: number, at: number): number {
    let o = 0;
    const c = this.#carry;
    if (this.#held < 8 && this.#abi === "vevent") {
      const take = Math.min(8 - this.#held, chunk.length);
      c.set(chunk.subarray(0, take), this.#held);
      this.#held += take;
      o = take;
      if (this.#held < 8) return o;
    }
    const need = this.#length(c, 0);
    const take = Math.min(need - this.#held, chunk.length - o);
    c.set(chunk.subarray(o, o + take), this.#held);
    this.#held += take;
    o += take;
    if (this.#held === need) {
      this.#held = 0;
      this.#records(c, 0, need, at, time);
    }
    return o;
  }

  /** Reports the whole records in `b[from, to)`; `base` is the stream offset of `b[0]`. */
  #records(b: Uint8Array, from: number, to: number, base: number, time: number): void {
    if (this.#abi !== "vevent") {
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const abi = this.#abi;
      for (let at = from; at < to; at += this.#size) {
        this.stats.records++;
        this.stats.faults++;
        this.#sink.fault({
          kind: "record",
          time,
          abi,
          dv,
          at,
          littleEndian: this.#le,
          position: { offset: base + at, index: this.#index++ },
        });
      }
      return;
    }
    for (const r of parseVevents(b.subarray(from, to), this.#type, this.#le)) {
      this.stats.records++;
      const offset = base + from + r.offset;
      const index = this.#index++;
      const step = veventLoss(this.#previous, r);
      if (step.kind !== "out-of-range") this.#previous = r.sequence;
      if (step.kind === "header" || step.kind === "gap") {
        const where = step.kind === "header"
          ? `vEVENTQ overflow: LOST_EVENTS header, sequence ${r.sequence}`
          : `vEVENTQ sequence gap before ${r.sequence}`;
        if (step.exact) {
          this.stats.lost += step.lost;
          this.#sink.loss({
            time,
            cause: step.kind === "header" ? "vevent_overflow" : "vevent_gap",
            unit: "faults",
            count: step.lost,
            message: `lost ${plural(step.lost, "event")} (${where})`,
          });
        } else {
          // A LOST_EVENTS header first in the stream: at least one, how many is unknown.
          this.#sink.loss({
            time,
            cause: "vevent_overflow",
            unit: "faults",
            atLeast: step.lost,
            atMost: null,
            message: `lost events (${where}, the first record read: how many is unknown)`,
          });
        }
      } else if (step.kind === "repeat" || step.kind === "out-of-range") {
        this.#sink.finding({
          time,
          finding: step.kind === "repeat"
            ? finding(
              "VEQ-SEQ-GAP",
              `sequence ${r.sequence} repeated: a duplicated or re-read record`,
              {
                offset,
                index,
                field: "sequence",
              },
            )
            : finding("VEQ-SEQ-RANGE", `sequence = ${r.sequence} exceeds INT_MAX`, {
              offset,
              index,
              field: "sequence",
            }),
        });
      }
      if (r.lost || !r.payload) continue;
      this.stats.faults++;
      this.#sink.fault({
        kind: "vevent",
        time,
        veventType: this.#type,
        sequence: r.sequence,
        flags: r.flags,
        payload: r.payload,
        position: { offset, index },
      });
    }
  }
}
