/**
 * The iommufd vEVENTQ stream: walks header + payload records (a LOST_EVENTS header has no
 * payload), decodes the SMMUv3 event fields, and renders the JSON view. Payloads are always
 * little-endian (`__aligned_le64`); the header is host-endian.
 *
 * @example
 * ```ts
 * import { parseVevents } from "./vevent.ts";
 * const recs = [...parseVevents(new Uint8Array(8), "arm-smmuv3")];
 * recs[0].truncated; // true: a header promising a 32-byte payload that is not there
 * ```
 * @module
 */
import { VEVENT_FLAGS, VEVENT_TYPES, type VeventTypeId } from "../abi/vevent.ts";
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
