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
import { RECORDS } from "../abi/records.ts";
import {
  capacityFor,
  DETECT_ORDER,
  headerField,
  PAGE_SIZES,
  REGIONS,
  regionSizeFor,
  ringOffsetFor,
  VFIO_FAULT_REGION_SIZE,
} from "../abi/regions.ts";
import type { AbiId, RegionLayout, RegionLayoutId } from "../abi/types.ts";
import { type EncodeInput, encodeInto } from "../codec/encode.ts";

/** Header fields by kernel name (all `__u32`). */
export type RegionHeader = Record<string, number>;

/** Where the ring sits in the region, as the header describes it. */
export interface Geometry {
  capacity: number;
  /** Stride used to read records: the record ABI's size, as QEMU's consumers did. */
  entrySize: number;
  /** The header's `entry_size`, when the layout has one. */
  headerEntrySize?: number;
  ringOffset: number;
  /** First byte after the last slot (may exceed the region on a hostile header). */
  ringEnd: number;
  regionSize: number;
  /** Region bytes after the ring (negative when the ring overflows the region). */
  unusedBytes: number;
}

/** Pending/free counts, from indices already known to be in range. */
export interface Occupancy {
  pending: number;
  free: number;
  full: boolean;
  empty: boolean;
}

/** How the layout and record ABI were chosen. */
export interface Detection {
  layout: RegionLayoutId;
  abi: AbiId;
  /** True when faultscope inferred the layout or ABI rather than being told. */
  guessed: boolean;
  reason: string;
}

/** An opened region image. */
export interface Region {
  layout: RegionLayout;
  abi: AbiId;
  littleEndian: boolean;
  /** The bytes available (may be shorter than the region on a truncated image). */
  bytes: Uint8Array;
  header: RegionHeader;
  geometry: Geometry;
  producer: number;
  /** Undefined when the consumer index lives outside this region and was not supplied. */
  consumer: number | undefined;
  /** Undefined when an index is out of range or the capacity is zero. */
  occupancy: Occupancy | undefined;
  detection: Detection;
  pageSize: number | undefined;
}

/** Options for {@link openRegion}; all optional. */
export interface OpenOptions {
  layout?: RegionLayoutId;
  abi?: AbiId;
  littleEndian?: boolean;
  /** Declared region size; defaults to the number of bytes given. */
  regionSize?: number;
  pageSize?: number;
  /** Consumer index for layouts that keep it elsewhere (v4-v8 CONS region). */
  consumer?: number;
}

/** The region cannot be opened as asked (e.g. shorter than its header). */
export class RegionError extends Error {
  constructor(
    message: string,
    /** The catalogue rule this failure is: no layout fits, or the image is too short. */
    readonly rule: "LAYOUT-DETECT" | "HDR-TRUNCATED",
    readonly field?: string,
    readonly offset?: number,
  ) {
    super(message);
    this.name = "RegionError";
  }
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

function roleValue(layout: RegionLayout, h: RegionHeader, role: Parameters<typeof headerField>[1]) {
  const f = headerField(layout, role);
  return f ? h[f.name] : undefined;
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

/** Capacities the kernel gives `layout` for a record size, over the page sizes it ran on. */
function kernelCapacities(layout: RegionLayout, entrySize: number, regionSize: number): number[] {
  if (layout.fixedCapacity !== undefined) return [layout.fixedCapacity];
  return PAGE_SIZES.map((p) => capacityFor(layout, entrySize, p, regionSize));
}

/**
 * The record ABI the header names: the one whose size is its `entry_size`, or, for a header
 * without one, the one the kernel would have derived its capacity from (RFC v3's `size` is 1365
 * with 48-byte records and 1023 with 64-byte ones in 64 KiB). The layout's default otherwise.
 */
function recordAbi(layout: RegionLayout, h: RegionHeader, regionSize: number): AbiId {
  const candidates = [layout.defaultAbi, ...layout.abis];
  if (layout.abiEvidence === "entry_size") {
    const entry = roleValue(layout, h, "entry_size");
    return candidates.find((a) => RECORDS[a].size === entry) ?? layout.defaultAbi;
  }
  const cap = roleValue(layout, h, "capacity") ?? 0;
  const fits = (a: AbiId) => kernelCapacities(layout, RECORDS[a].size, regionSize).includes(cap);
  return candidates.find(fits) ?? layout.defaultAbi;
}

interface Candidate {
  layout: RegionLayoutId;
  abi: AbiId;
  plausible: boolean;
  exact: boolean;
  why: string;
}

function judge(
  layout: RegionLayout,
  bytes: Uint8Array,
  le: boolean,
  regionSize: number,
): Candidate {
  const h = readHeader(layout, bytes, le);
  const headerEntry = roleValue(layout, h, "entry_size");
  const abi = recordAbi(layout, h, regionSize);
  const g = geometry(layout, h, abi, regionSize);
  const prod = roleValue(layout, h, "producer") ?? 0;
  const cons = roleValue(layout, h, "consumer");
  const checks = [
    g.capacity > 0,
    prod < g.capacity,
    cons === undefined || cons <= g.capacity,
    g.ringOffset >= layout.headerSize,
    g.ringEnd <= regionSize,
    headerEntry === undefined || headerEntry === RECORDS[abi].size,
    (h.reserved ?? 0) === 0,
  ];
  const plausible = checks.every(Boolean);
  const expected = kernelCapacities(layout, RECORDS[abi].size, regionSize).find((c) =>
    c === g.capacity
  );
  // The kernel-given capacity is a strong signature even when indices or reserved are corrupt,
  // so such a header is still recognised and the validator can say what is wrong with it.
  const exact = g.capacity === expected && checks[0] && checks[3] && checks[4] && checks[5];
  const capName = headerField(layout, "capacity")!.name;
  return {
    layout: layout.id,
    abi,
    plausible,
    exact,
    why: `${capName} = ${g.capacity}, ${RECORDS[abi].size}-byte records from offset ` +
      `${g.ringOffset} fit a ${regionSize}-byte region` +
      (exact ? ` (the capacity the kernel gives this layout)` : ""),
  };
}

/**
 * Infers the layout and record ABI from the header and region size. Returns undefined when no
 * layout is plausible (the caller reports LAYOUT-DETECT).
 */
export function detectLayout(
  bytes: Uint8Array,
  regionSize: number,
  littleEndian = true,
): Candidate | undefined {
  const cands = DETECT_ORDER.map((id) => judge(REGIONS[id], bytes, littleEndian, regionSize));
  return cands.find((c) => c.exact && c.plausible) ?? cands.find((c) => c.plausible) ??
    cands.find((c) => c.exact);
}

/**
 * Opens a region image. Throws {@link RegionError} only when the image is shorter than its
 * header or no layout can be inferred; every other inconsistency is left to the validator.
 */
export function openRegion(bytes: Uint8Array, opts: OpenOptions = {}): Region {
  const le = opts.littleEndian ?? true;
  const regionSize = opts.regionSize ?? bytes.length;
  let detection: Detection;
  if (opts.layout) {
    const layout = REGIONS[opts.layout];
    const c = judge(layout, bytes, le, regionSize);
    const abi = opts.abi ?? c.abi;
    detection = {
      layout: layout.id,
      abi,
      guessed: !opts.abi && abi !== layout.defaultAbi,
      reason: opts.abi ? "layout and ABI given" : `layout given; ABI from the header: ${c.why}`,
    };
  } else {
    const c = detectLayout(bytes, regionSize, le);
    if (!c) {
      const be = le && detectLayout(bytes, regionSize, false);
      throw new RegionError(
        `cannot infer the region layout from the header` +
          (be ? ` (it reads as a ${be.layout} region in big-endian: try --endian big)` : "") +
          `; pass --layout rfc3|fault-prod|dma-fault|dma-fault-response`,
        "LAYOUT-DETECT",
        "header",
        0,
      );
    }
    detection = {
      layout: c.layout,
      abi: opts.abi ?? c.abi,
      guessed: true,
      reason: `inferred: ${c.why}`,
    };
  }
  const layout = REGIONS[detection.layout];
  if (bytes.length < layout.headerSize) {
    throw new RegionError(
      `${bytes.length} bytes is shorter than the ${layout.headerSize}-byte header (struct ${layout.struct})`,
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
  layout: RegionLayoutId;
  /** Record ABI; the layout's default if omitted. */
  abi?: AbiId;
  pageSize?: number;
  /** Ring capacity; the kernel's value for the layout, ABI and page size if omitted. */
  capacity?: number;
  regionSize?: number;
  producer: number;
  consumer: number;
  /** Records to place, by slot. */
  records?: ReadonlyArray<{ slot: number; fields: EncodeInput }>;
  /** Raw header overrides by field name, applied last (to build corrupt images). */
  header?: Readonly<Record<string, number>>;
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
