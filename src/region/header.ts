/**
 * A region header as data: its fields read from the bytes (untrusted), the value of a role
 * (capacity, producer, ...), the ring geometry it describes and the occupancy of two indices
 * with a true modulo (capacities are not powers of two).
 *
 * @example
 * ```ts
 * import { occupancy } from "./header.ts";
 * occupancy(3, 1365 - 2, 1365); // => { pending: 5, free: 1359, full: false, empty: false }
 * ```
 * @module
 */
import { type AbiId, RECORDS } from "../abi/records.ts";
import { headerField } from "../abi/regions.ts";
import type { HeaderRole, RegionLayout } from "../abi/types.ts";

/** Header fields by kernel name (all `__u32`). */
export type RegionHeader = Record<string, number>;

/** Where the ring sits in the region, as the header describes it. */
export interface Geometry {
  /** Ring entries, as the header says. */
  capacity: number;
  /** Stride used to read records: the record ABI's size, as QEMU's consumers did. */
  entrySize: number;
  /** The header's `entry_size`, when the layout has one. */
  headerEntrySize?: number;
  /** Byte offset of slot 0 in the region. */
  ringOffset: number;
  /** First byte after the last slot (may exceed the region on a hostile header). */
  ringEnd: number;
  /** Bytes of the region. */
  regionSize: number;
  /** Region bytes after the ring (negative when the ring overflows the region). */
  unusedBytes: number;
}

/** Pending/free counts, from indices already known to be in range. */
export interface Occupancy {
  /** Records between the consumer and the producer. */
  pending: number;
  /** Slots the producer may still fill (one is always kept empty). */
  free: number;
  /** No slot left: the kernel drops new faults. */
  full: boolean;
  /** Nothing pending. */
  empty: boolean;
}

/** Reads every header field of `layout` (missing bytes read as undefined and are omitted). */
export function readHeader(
  layout: RegionLayout,
  bytes: Uint8Array,
  littleEndian = true,
): RegionHeader {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h: RegionHeader = {};
  for (const f of layout.header) {
    if (f.offset + 4 <= bytes.length) h[f.name] = dv.getUint32(f.offset, littleEndian);
  }
  return h;
}

/** The value of the header field that plays `role`, if the layout has one and it was read. */
export function roleValue(
  layout: RegionLayout,
  h: RegionHeader,
  role: HeaderRole,
): number | undefined {
  const f = headerField(layout, role);
  return f ? h[f.name] : undefined;
}

/** Occupancy with a true modulo (capacities are not powers of two); undefined if out of range. */
export function occupancy(
  producer: number,
  consumer: number,
  capacity: number,
): Occupancy | undefined {
  const index = (i: number) => Number.isInteger(i) && i >= 0 && i < capacity;
  if (!(capacity > 0) || !index(producer) || !index(consumer)) return undefined;
  const pending = (producer - consumer + capacity) % capacity;
  return {
    pending,
    free: capacity - 1 - pending,
    full: pending === capacity - 1,
    empty: pending === 0,
  };
}

/** Geometry of the ring as the header describes it, for the given record ABI. */
export function geometry(
  layout: RegionLayout,
  h: RegionHeader,
  abi: AbiId,
  regionSize: number,
): Geometry {
  const capacity = roleValue(layout, h, "capacity") ?? 0;
  const entrySize = RECORDS[abi].size;
  const ringOffset = layout.fixedRingOffset ?? roleValue(layout, h, "ring_offset") ?? 0;
  const ringEnd = ringOffset + capacity * entrySize;
  return {
    capacity,
    entrySize,
    headerEntrySize: roleValue(layout, h, "entry_size"),
    ringOffset,
    ringEnd,
    regionSize,
    unusedBytes: regionSize - ringEnd,
  };
}
