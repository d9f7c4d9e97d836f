/**
 * The region model: reads a region image's header (untrusted), derives the geometry and the
 * occupancy with a true modulo, lists pending slots in consumer order, and builds region images.
 * Nothing here throws on a hostile header or reads outside the bytes it was given.
 *
 * @example
 * ```ts
 * import { buildRegion, openRegion } from "./model.ts";
 * const img = buildRegion({ layout: "rfc3", producer: 3, consumer: 1 });
 * const r = openRegion(img);
 * r.occupancy?.pending; // 2, in slots 1 and 2
 * ```
 * @module
 */
import { type AbiId, RECORDS } from "../abi/records.ts";
import {
  capacityFor,
  PAGE_SIZES,
  type RegionLayoutId,
  REGIONS,
  regionSizeFor,
  ringOffsetFor,
  VFIO_FAULT_REGION_SIZE,
} from "../abi/regions.ts";
import type { RegionLayout } from "../abi/types.ts";
import { type EncodeInput, encodeInto } from "../codec/encode.ts";
import { plural } from "../codec/numbers.ts";
import { detect, type Detection, layoutUnknown } from "./detect.ts";
import {
  type Geometry,
  geometry,
  type Occupancy,
  occupancy,
  readHeader,
  type RegionHeader,
  roleValue,
} from "./header.ts";
import type { Hint } from "./hint.ts";

export { type Candidate, type Detection, detectLayout, locate, type Location } from "./detect.ts";
export {
  type Geometry,
  geometry,
  type Occupancy,
  occupancy,
  readHeader,
  type RegionHeader,
} from "./header.ts";
export type { Hint } from "./hint.ts";

/** An opened region image. */
export interface Region {
  /** The layout of its header. */
  layout: RegionLayout;
  /** The record ABI of its ring. */
  abi: AbiId;
  /** Byte order the header and records were read in. */
  littleEndian: boolean;
  /** The bytes available (may be shorter than the region on a truncated image). */
  bytes: Uint8Array;
  /** Header fields by kernel name. */
  header: RegionHeader;
  /** Where the ring is. */
  geometry: Geometry;
  /** The producer index. */
  producer: number;
  /** Undefined when the consumer index lives outside this region and was not supplied. */
  consumer: number | undefined;
  /** Undefined when an index is out of range or the capacity is zero. */
  occupancy: Occupancy | undefined;
  /** How the layout and ABI were chosen. */
  detection: Detection;
  /** The host page size, when given or evident from the ring offset. */
  pageSize: number | undefined;
}

/** Options for {@link openRegion}; all optional. */
export interface OpenOptions {
  /** The layout (default: detected from the header). */
  layout?: RegionLayoutId;
  /** The record ABI (default: what the header names). */
  abi?: AbiId;
  /** Byte order (default little-endian). */
  littleEndian?: boolean;
  /** Declared region size; defaults to the number of bytes given. */
  regionSize?: number;
  /** Host page size, for the page-size rules. */
  pageSize?: number;
  /** Consumer index for layouts that keep it elsewhere (v4-v8 CONS region). */
  consumer?: number;
}

/** The region cannot be opened as asked (e.g. shorter than its header). */
export class RegionError extends Error {
  /** `message` says what, without flags; `hints` say what could be supplied. */
  constructor(
    message: string,
    /** The catalogue rule this failure is: no layout fits, or the image is too short. */
    readonly rule: "LAYOUT-DETECT" | "HDR-TRUNCATED",
    /** The field the failure is about. */
    readonly field?: string,
    /** Where in the image. */
    readonly offset?: number,
    /** What the user could supply to get further. */
    readonly hints: readonly Hint[] = [],
  ) {
    super(message);
    this.name = "RegionError";
  }
}

/**
 * Opens a region image. Throws {@link RegionError} only when the image is shorter than its
 * header or no layout can be inferred; every other inconsistency is left to the validator.
 */
export function openRegion(bytes: Uint8Array, opts: OpenOptions = {}): Region {
  const le = opts.littleEndian ?? true;
  const regionSize = opts.regionSize ?? bytes.length;
  const detection = detect(bytes, regionSize, opts);
  if (!detection) {
    const { message, hints } = layoutUnknown(bytes, regionSize, le);
    throw new RegionError(message, "LAYOUT-DETECT", "header", 0, hints);
  }
  return openDetected(bytes, detection, { ...opts, regionSize });
}

/**
 * Opens a region image whose layout and ABI are already known (from `locate`), without judging
 * the header again. Throws {@link RegionError} (HDR-TRUNCATED) when the image is shorter than
 * the header.
 */
export function openDetected(
  bytes: Uint8Array,
  detection: Detection,
  opts: OpenOptions = {},
): Region {
  const le = opts.littleEndian ?? true;
  const regionSize = opts.regionSize ?? bytes.length;
  const layout = REGIONS[detection.layout];
  if (bytes.length < layout.headerSize) {
    throw new RegionError(
      `${plural(bytes.length, "byte")} is shorter than the ${layout.headerSize}-byte header ` +
        `(struct ${layout.struct})`,
      "HDR-TRUNCATED",
      "header",
      bytes.length,
    );
  }
  const header = readHeader(layout, bytes, le);
  const g = geometry(layout, header, detection.abi, regionSize);
  const producer = roleValue(layout, header, "producer") ?? 0;
  const consumer = roleValue(layout, header, "consumer") ?? opts.consumer;
  const pageSize = opts.pageSize ??
    (layout.fixedRingOffset === undefined && PAGE_SIZES.includes(g.ringOffset)
      ? g.ringOffset
      : undefined);
  return {
    layout,
    abi: detection.abi,
    littleEndian: le,
    bytes,
    header,
    geometry: g,
    producer,
    consumer,
    occupancy: consumer === undefined ? undefined : occupancy(producer, consumer, g.capacity),
    detection,
    pageSize,
  };
}

/** Byte offset of `slot` in the region. */
export function slotOffset(r: Region, slot: number): number {
  return r.geometry.ringOffset + slot * r.geometry.entrySize;
}

/** Whether the whole record of `slot` lies inside the bytes available. */
export function slotReadable(r: Region, slot: number): boolean {
  return slotOffset(r, slot) + r.geometry.entrySize <= r.bytes.length;
}

/** Most slots a listing returns: far above any real ring (1365), reached only by hostile headers. */
export const MAX_LISTED_SLOTS = 1 << 20;

/**
 * Slots `first .. first + count - 1` positions after `consumer` (modulo the capacity), in that
 * order, keeping only those inside the declared region and at most {@link MAX_LISTED_SLOTS}.
 * Works on the (at most two) contiguous runs, so a hostile capacity of 0xffffffff with in-range
 * indices costs no more than the region can hold.
 */
export function slotsFrom(r: Region, consumer: number, first: number, count: number): number[] {
  const cap = r.geometry.capacity;
  if (!(cap > 0) || count <= 0) return [];
  const inRegion = Math.max(
    0,
    Math.floor((r.geometry.regionSize - r.geometry.ringOffset) / r.geometry.entrySize),
  );
  const start = (consumer + first) % cap;
  const runs: [number, number][] = start + count <= cap
    ? [[start, start + count]]
    : [[start, cap], [0, start + count - cap]];
  const slots: number[] = [];
  for (const [from, to] of runs) {
    const end = Math.min(to, inRegion, from + MAX_LISTED_SLOTS - slots.length);
    for (let s = from; s < end; s++) slots.push(s);
  }
  return slots;
}

/**
 * Pending slots in consumer order (consumer, consumer+1, ... producer-1, modulo capacity) that
 * lie in the declared region (use {@link slotReadable} before reading one). Empty when the
 * indices are out of range.
 */
export function pendingSlots(r: Region): number[] {
  const occ = r.occupancy;
  if (!occ || r.consumer === undefined) return [];
  return slotsFrom(r, r.consumer, 0, occ.pending);
}

/** Options for {@link buildRegion}. */
export interface BuildOptions {
  /** The layout to build. */
  layout: RegionLayoutId;
  /** Record ABI; the layout's default if omitted. */
  abi?: AbiId;
  /** Host page size (default 4 KiB). */
  pageSize?: number;
  /** Ring capacity; the kernel's value for the layout, ABI and page size if omitted. */
  capacity?: number;
  /** Region size; the kernel's value if omitted. */
  regionSize?: number;
  /** The producer index to write. */
  producer: number;
  /** The consumer index to write (where the layout has one). */
  consumer: number;
  /** Records to place, by slot. */
  records?: ReadonlyArray<{ slot: number; fields: EncodeInput }>;
  /** Raw header overrides by field name, applied last (to build corrupt images). */
  header?: Readonly<Record<string, number>>;
  /** Byte order (default little-endian). */
  littleEndian?: boolean;
}

/** Builds a region image the way the kernel lays it out. */
export function buildRegion(o: BuildOptions): Uint8Array {
  const layout = REGIONS[o.layout];
  const abi = o.abi ?? layout.defaultAbi;
  const le = o.littleEndian ?? true;
  const page = o.pageSize ?? 4096;
  const entry = RECORDS[abi].size;
  const capacity = o.capacity ??
    capacityFor(layout, entry, page, o.regionSize ?? VFIO_FAULT_REGION_SIZE);
  const regionSize = o.regionSize ?? regionSizeFor(layout, entry, capacity, page);
  const ringOffset = ringOffsetFor(layout, page);
  const bytes = new Uint8Array(regionSize);
  const dv = new DataView(bytes.buffer);
  const byRole: Partial<Record<string, number>> = {
    capacity,
    producer: o.producer,
    consumer: o.consumer,
    entry_size: entry,
    ring_offset: ringOffset,
    reserved: 0,
    version: 1,
  };
  for (const f of layout.header) dv.setUint32(f.offset, byRole[f.role] ?? 0, le);
  for (const r of o.records ?? []) {
    const at = ringOffset + r.slot * entry;
    if (r.slot < 0 || r.slot >= capacity || at + entry > regionSize) {
      throw new RangeError(`slot ${r.slot} is outside a ${capacity}-entry ring`);
    }
    encodeInto(abi, r.fields, dv, at, le);
  }
  for (const [name, v] of Object.entries(o.header ?? {})) {
    const f = layout.header.find((h) => h.name === name);
    if (!f) throw new RangeError(`${layout.struct} has no field ${name}`);
    dv.setUint32(f.offset, v >>> 0, le);
  }
  return bytes;
}
