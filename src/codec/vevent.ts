/**
 * The iommufd vEVENTQ stream: walks header + payload records (a LOST_EVENTS header has no
 * payload), from one buffer ({@link parseVevents}) or as a stream of chunks in bounded memory
 * ({@link readVevents}), decodes the SMMUv3 event fields, renders the JSON view, and counts lost events from
 * the sequence numbers. Payloads are always little-endian (`__aligned_le64`); the header is
 * host-endian.
 *
 * Loss accounting follows the kernel (torvalds/linux drivers/iommu/iommufd/driver.c
 * `iommufd_viommu_report_event`, iommufd_private.h `iommufd_vevent_handler`): every queued record
 * takes `sequence = counter; counter = (counter + 1) & INT_MAX`, and on overflow the one
 * `lost_events_header` is queued through the same handler, so each lost event consumes a number
 * and the header carries the number of the last one lost. Hence, with `p` the previous record's
 * sequence, a LOST_EVENTS header `s` means `(s - p) mod 2^31` events lost, and a delivered event
 * `t` means `(t - p - 1) mod 2^31` lost before it.
 *
 * @example
 * ```ts
 * import { parseVevents, veventLoss } from "./vevent.ts";
 * const recs = [...parseVevents(new Uint8Array(8), "arm-smmuv3")];
 * recs[0].truncated; // => true: a header promising a 32-byte payload that is not there
 * veventLoss(0, { lost: true, sequence: 1 }); // testdata/vectors/vevent-lost.bin: 1 lost
 * // => { kind: "header", lost: 1, exact: true, first: 1, last: 1 }
 * veventLoss(0x7fffffff, { lost: false, sequence: 0 }).kind; // => "next": the INT_MAX wrap
 * ```
 * @module
 */
import { VEVENT_FLAGS, VEVENT_SEQ_MAX, VEVENT_TYPES, type VeventTypeId } from "../abi/vevent.ts";
import type { JsonObject } from "./json.ts";
import { enumName, flagNameList, hex } from "./names.ts";
import { getField } from "./bitfield.ts";

/** One record of a vEVENTQ read buffer. */
export interface VeventRecord {
  /** Byte offset of the header in the input. */
  offset: number;
  /** `IOMMU_VEVENTQ_FLAG_*` of the header. */
  flags: number;
  /** The header's sequence number. */
  sequence: number;
  /** A LOST_EVENTS header (no payload). */
  lost: boolean;
  /** The payload's `__le64` words (absent for LOST_EVENTS and truncated records). */
  payload?: bigint[];
  /** The input ended inside this record. */
  truncated?: boolean;
}

/** Walks the records of a vEVENTQ read buffer; a short tail yields one truncated record. */
export function* parseVevents(
  bytes: Uint8Array,
  type: VeventTypeId,
  littleEndian = true,
): Generator<VeventRecord> {
  const t = VEVENT_TYPES[type];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 0;
  while (o < bytes.length) {
    if (o + 8 > bytes.length) {
      yield { offset: o, flags: 0, sequence: 0, lost: false, truncated: true };
      return;
    }
    const flags = dv.getUint32(o, littleEndian), sequence = dv.getUint32(o + 4, littleEndian);
    const lost = (flags & 1) === 1;
    if (lost) {
      yield { offset: o, flags, sequence, lost };
      o += 8;
      continue;
    }
    if (o + 8 + t.payloadSize > bytes.length) {
      yield { offset: o, flags, sequence, lost, truncated: true };
      return;
    }
    const payload = Array.from(
      { length: t.array.count },
      (_, i) => dv.getBigUint64(o + 8 + 8 * i, true),
    );
    yield { offset: o, flags, sequence, lost, payload };
    o += 8 + t.payloadSize;
  }
}

/** One record at `o` of `dv` (whole, as {@link parseVevents} reads it); `at` is its offset. */
function recordAt(
  dv: DataView,
  o: number,
  at: number,
  count: number,
  littleEndian: boolean,
): VeventRecord {
  const flags = dv.getUint32(o, littleEndian), sequence = dv.getUint32(o + 4, littleEndian);
  const lost = (flags & 1) === 1;
  if (lost) return { offset: at, flags, sequence, lost };
  const payload = new Array<bigint>(count);
  for (let i = 0; i < count; i++) payload[i] = dv.getBigUint64(o + 8 + 8 * i, true);
  return { offset: at, flags, sequence, lost, payload };
}

/**
 * Walks the records of a vEVENTQ stream arriving in chunks of any size (a record may straddle
 * two), in bounded memory: only a record cut by a chunk's end is copied. Stops after `limit`
 * records without reading further; a short tail yields one truncated record, as
 * {@link parseVevents} does. `end()` then says how many bytes were read.
 *
 * @example
 * ```ts
 * import { readVevents } from "./vevent.ts";
 * async function* chunks() { yield new Uint8Array(20); yield new Uint8Array(20); }
 * const s = readVevents(chunks(), "arm-smmuv3");
 * const recs = [];
 * for await (const r of s.records) recs.push(r);
 * recs.length; // => 1: a 40-byte SMMUv3 event cut across the two chunks
 * s.end().bytes; // => 40
 * ```
 */
export function readVevents(
  chunks: AsyncIterable<Uint8Array>,
  type: VeventTypeId,
  littleEndian = true,
  limit = Infinity,
): {
  records: AsyncGenerator<VeventRecord>;
  end(): { records: number; bytes: number; limited: boolean };
} {
  const t = VEVENT_TYPES[type];
  const full = 8 + t.payloadSize;
  let records = 0, base = 0, limited = false;
  async function* walk(): AsyncGenerator<VeventRecord> {
    if (limit <= 0) {
      limited = true;
      return;
    }
    const carry = new Uint8Array(full);
    const carryDv = new DataView(carry.buffer);
    let held = 0;
    /** Bytes the record starting with `head` (at least 8 bytes) takes. */
    const sizeOf = (dv: DataView, o: number) => (dv.getUint32(o, littleEndian) & 1 ? 8 : full);
    for await (const chunk of chunks) {
      const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      let o = 0;
      // Finish a record the previous chunk cut: its header first, then (if any) its payload.
      while (held) {
        const need = held < 8 ? 8 : sizeOf(carryDv, 0);
        if (held === need) {
          yield recordAt(carryDv, 0, base - (held - o), t.array.count, littleEndian);
          held = 0;
          if (++records >= limit) {
            base += o;
            return void (limited = true);
          }
          break;
        }
        if (o === chunk.length) break;
        const take = Math.min(need - held, chunk.length - o);
        carry.set(chunk.subarray(o, o + take), held);
        held += take;
        o += take;
      }
      if (held) {
        base += chunk.length;
        continue;
      }
      while (o + 8 <= chunk.length) {
        const size = sizeOf(dv, o);
        if (o + size > chunk.length) break;
        yield recordAt(dv, o, base + o, t.array.count, littleEndian);
        o += size;
        if (++records >= limit) {
          base += o;
          return void (limited = true);
        }
      }
      carry.set(chunk.subarray(o), 0);
      held = chunk.length - o;
      base += chunk.length;
    }
    if (held) {
      records++;
      yield {
        offset: base - held,
        flags: held >= 8 ? carryDv.getUint32(0, littleEndian) : 0,
        sequence: held >= 8 ? carryDv.getUint32(4, littleEndian) : 0,
        lost: false,
        truncated: true,
      };
    }
  }
  return { records: walk(), end: () => ({ records, bytes: base, limited }) };
}

/** Decodes the bit fields of a payload (SMMUv3: id, ssv, ssid, vsid, ...), as the kernel takes them. */
export function veventFields(
  type: VeventTypeId,
  payload: readonly bigint[],
): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const f of VEVENT_TYPES[type].fields) out[f.name] = getField(f, payload);
  return out;
}

/** JSON view of a record: header fields, the payload array as hex, decoded fields beside it. */
export function veventJson(type: VeventTypeId, r: VeventRecord, index: number): JsonObject {
  const t = VEVENT_TYPES[type];
  const out: JsonObject = {
    index,
    offset: r.offset,
    abi: "vevent",
    vevent_type: type,
    flags: r.flags,
    // Undefined set bits as hex, like every record's flags: a new kernel flag is never hidden.
    flags_names: flagNameList(VEVENT_FLAGS, r.flags),
    sequence: r.sequence,
  };
  if (!r.payload) return out;
  out[t.array.name] = r.payload.map(hex);
  if (!t.fields.length) return out;
  const decoded: JsonObject = {};
  const values = veventFields(type, r.payload);
  for (const f of t.fields) {
    const v = values[f.name];
    // Up to 32 bits fit a JSON number exactly; wider fields are hex like every __u64.
    decoded[f.name] = f.hi - f.lo < 32 ? Number(v) : hex(v);
    if (f.enum) decoded[`${f.name}_name`] = enumName(f.enum, Number(v));
  }
  out.event = decoded;
  return out;
}

/** The sequence facts of a record that loss accounting needs (a {@link VeventRecord} has them). */
export interface SequenceOf {
  /** A LOST_EVENTS header. */
  readonly lost: boolean;
  /** Its sequence number. */
  readonly sequence: number;
}

/** What one record's sequence number says, given the previous record's. */
export type VeventLoss =
  | {
    /** Nothing lost: the sequence is the previous + 1 (mod 2^31), or there is no previous. */
    readonly kind: "next" | "first";
  }
  | {
    /** Events were lost: shown by a LOST_EVENTS header, or by a gap before a delivered event. */
    readonly kind: "header" | "gap";
    /** How many. For a header with no earlier record, the one it proves (`exact` false). */
    readonly lost: number;
    /** False when the count is a lower bound (a LOST_EVENTS header first in the input). */
    readonly exact: boolean;
    /** Sequence of the first event lost, when known. */
    readonly first?: number;
    /** Sequence of the last event lost. */
    readonly last: number;
  }
  | {
    /** The same sequence as the previous record: a duplicated or re-read record. */
    readonly kind: "repeat";
  }
  | {
    /** A sequence above INT_MAX: no kernel writes it, so it says nothing about loss. */
    readonly kind: "out-of-range";
  };

/** Sequence numbers wrap at 2^31: `(a - b) mod 2^31`, never negative. */
function seqDelta(a: number, b: number): number {
  return (a - b) & VEVENT_SEQ_MAX;
}

/**
 * The lost events one record reveals, from its sequence and the previous record's (`previous`:
 * the last in-range sequence before it, undefined at the start). Pure, one record at a time:
 * usable on a live stream as records arrive.
 */
export function veventLoss(previous: number | undefined, record: SequenceOf): VeventLoss {
  const s = record.sequence;
  if (!(s >= 0 && s <= VEVENT_SEQ_MAX)) return { kind: "out-of-range" };
  if (previous === undefined) {
    return record.lost ? { kind: "header", lost: 1, exact: false, last: s } : { kind: "first" };
  }
  if (s === previous) return { kind: "repeat" };
  if (record.lost) {
    // The header took the last lost event's number: p + 1 .. s were lost.
    return {
      kind: "header",
      lost: seqDelta(s, previous),
      exact: true,
      first: (previous + 1) & VEVENT_SEQ_MAX,
      last: s,
    };
  }
  const lost = seqDelta(s, previous) - 1;
  if (lost === 0) return { kind: "next" };
  return {
    kind: "gap",
    lost,
    exact: true,
    first: (previous + 1) & VEVENT_SEQ_MAX,
    last: (s - 1) & VEVENT_SEQ_MAX,
  };
}

/** Lost events in all: how many, and from how many LOST_EVENTS headers and sequence gaps. */
export interface LossTotals {
  /** Events lost (a lower bound when `exact` is false). */
  readonly lost: number;
  /** False when one count was only a lower bound. */
  readonly exact: boolean;
  /** LOST_EVENTS headers that reported a loss. */
  readonly headers: number;
  /** Gaps in the sequence before delivered events. */
  readonly gaps: number;
}

/** No loss yet. */
export const NO_LOSS: LossTotals = { lost: 0, exact: true, headers: 0, gaps: 0 };

/** The totals after one more {@link veventLoss} step (pure). */
export function addLoss(t: LossTotals, step: VeventLoss): LossTotals {
  if (step.kind !== "header" && step.kind !== "gap") return t;
  return {
    lost: t.lost + step.lost,
    exact: t.exact && step.exact,
    headers: t.headers + (step.kind === "header" ? 1 : 0),
    gaps: t.gaps + (step.kind === "gap" ? 1 : 0),
  };
}

/** The loss totals of a whole stream (records in order; truncated ones are skipped). */
export function lossTotals(records: Iterable<SequenceOf & { truncated?: boolean }>): LossTotals {
  let t = NO_LOSS;
  let prev: number | undefined;
  for (const r of records) {
    if (r.truncated) continue;
    const step = veventLoss(prev, r);
    t = addLoss(t, step);
    if (step.kind !== "out-of-range") prev = r.sequence;
  }
  return t;
}
