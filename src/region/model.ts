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
 * r.occupancy?.pending; // => 2, in slots 1 and 2
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
import { type AbiRanking, GUESS_SAMPLE, rankAbis, scoreAbi } from "../codec/guess.ts";
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
  /**
   * When the header allows several record ABIs (v4, v7 and v8 in a PROD region) and none was
   * given: how the pending records scored under each, and whether that decided it.
   */
  abiRanking?: AbiRanking;
  /** The host page size: given, implied by the region size, or evident from the ring offset. */
  pageSize: number | undefined;
  /** Where {@link pageSize} came from. */
  pageSizeFrom: "given" | "region-size" | "ring-offset" | undefined;
  /** The header as read again after the ring (a live input), when it was. */
  headerAgain?: RegionHeader;
  /** The VMM's private consumer index, when given (QEMU's `fault_tail_index`). */
  shadow?: number;
}

/**
 * Where a consumer reads the ring: QEMU's mmap path takes slot i at PAGE_SIZE + entry * i (the
 * sparse-mmap area; it ignores the header's offset), its pread fallback at offset + entry * i.
 */
export interface RingView {
  /** Which path of the consumer. */
  readonly path: "mmap" | "pread";
  /** Byte offset of slot 0 in the region on that path. */
  readonly ringOffset: number;
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
  /** The header's bytes as read again after the ring (a live input), for HDR-TORN. */
  headerAgain?: Uint8Array;
  /** The VMM's private consumer index (QEMU's `fault_tail_index`), for IDX-SHADOW. */
  shadow?: number;
  /** The region size was given (see `LocateOptions.complete`). */
  complete?: boolean;
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
  const [pageSize, pageSizeFrom] = pageSizeOf(layout, detection.abi, g, opts.pageSize);
  const r: Region = {
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
    pageSizeFrom,
    ...(opts.headerAgain ? { headerAgain: readHeader(layout, opts.headerAgain, le) } : {}),
    ...(opts.shadow !== undefined ? { shadow: opts.shadow } : {}),
  };
  if (detection.abis.length > 1) {
    // The header cannot tell these apart: score the pending records under each, and say when
    // that does not decide either.
    const slots = pendingSlots(r).filter((s) => slotReadable(r, s)).slice(0, GUESS_SAMPLE);
    const ranking = rankAbis(
      detection.abis.map((abi) => scoreAbi(abi, bytes, slots.map((s) => slotOffset(r, s)), le)),
    );
    r.abiRanking = ranking;
    if (ranking.abi !== r.abi) {
      r.abi = ranking.abi;
      r.detection = { ...detection, abi: ranking.abi };
      r.geometry = geometry(layout, header, ranking.abi, regionSize);
    }
  }
  return r;
}

/**
 * The host page size of a region: the one given; else the one the kernel's allocation formula
 * gives this region size for (0x9000 is dma-fault on 4 KiB pages, 0x20000 on 64 KiB); else the
 * ring offset, when it is a page size.
 */
function pageSizeOf(
  layout: RegionLayout,
  abi: AbiId,
  g: Geometry,
  given: number | undefined,
): [number | undefined, Region["pageSizeFrom"]] {
  if (given !== undefined) return [given, "given"];
  if (layout.fixedRingOffset !== undefined) return [undefined, undefined];
  const entry = RECORDS[abi].size;
  const implied = PAGE_SIZES.find((p) =>
    regionSizeFor(layout, entry, capacityFor(layout, entry, p), p) === g.regionSize
  );
  if (implied !== undefined) return [implied, "region-size"];
  if (PAGE_SIZES.includes(g.ringOffset)) return [g.ringOffset, "ring-offset"];
  return [undefined, undefined];
}

/**
 * The ways a consumer reads this ring when they differ: QEMU's mmap path (slot i at PAGE_SIZE +
 * entry * i) and its pread fallback (at the header's offset), for a layout with an `offset`
 * field whose value is not the page size. Empty when they agree or the page size is unknown.
 */
export function ringViews(r: Region): RingView[] {
  const off = roleValue(r.layout, r.header, "ring_offset");
  if (off === undefined || r.pageSize === undefined || r.pageSizeFrom === "ring-offset") return [];
  if (off === r.pageSize) return [];
  return [{ path: "mmap", ringOffset: r.pageSize }, { path: "pread", ringOffset: off }];
}

/** Byte offset of `slot` in the region (with the ring at `ringOffset`: the header's by default). */
export function slotOffset(r: Region, slot: number, ringOffset = r.geometry.ringOffset): number {
  return ringOffset + slot * r.geometry.entrySize;
}

/** Whether the whole record of `slot` lies inside the bytes available. */
export function slotReadable(r: Region, slot: number, ringOffset = r.geometry.ringOffset): boolean {
  return slotOffset(r, slot, ringOffset) + r.geometry.entrySize <= r.bytes.length;
}

/** Most slots a listing returns: far above any real ring (1365), reached only by hostile headers. */
export const MAX_LISTED_SLOTS = 1 << 20;

/**
 * Slots `first .. first + count - 1` positions after `consumer` (modulo the capacity), in that
 * order, keeping only those inside the declared region and at most {@link MAX_LISTED_SLOTS}.
 * Works on the (at most two) contiguous runs, so a hostile capacity of 0xffffffff with in-range
 * indices costs no more than the region can hold.
 */
export function slotsFrom(
  r: Region,
  consumer: number,
  first: number,
  count: number,
  ringOffset = r.geometry.ringOffset,
): number[] {
  const cap = r.geometry.capacity;
  if (!(cap > 0) || count <= 0) return [];
  const inRegion = slotsInRegion(r, ringOffset);
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

/** Slots whose whole record lies inside the declared region (the ring at `ringOffset`). */
export function slotsInRegion(r: Region, ringOffset = r.geometry.ringOffset): number {
  return Math.max(0, Math.floor((r.geometry.regionSize - ringOffset) / r.geometry.entrySize));
}

/**
 * Pending slots in consumer order (consumer, consumer+1, ... producer-1, modulo capacity) that
 * lie in the declared region (use {@link slotReadable} before reading one). Empty when the
 * indices are out of range.
 */
export function pendingSlots(r: Region, ringOffset = r.geometry.ringOffset): number[] {
  const occ = r.occupancy;
  if (!occ || r.consumer === undefined) return [];
  return slotsFrom(r, r.consumer, 0, occ.pending, ringOffset);
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
