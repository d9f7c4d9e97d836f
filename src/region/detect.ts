/**
 * Which layout a header is, how big its region is, and whether the input holds all of it:
 * layout detection over the registry's detection order, the region size a header implies (for
 * devices and regions inside larger files), and {@link locate}, which answers all of it from the
 * first bytes of an input in one pass: found, truncated, or unknown with hints.
 *
 * @example
 * ```ts
 * import { locate } from "./detect.ts";
 * import { buildRegion } from "./model.ts";
 * const probe = buildRegion({ layout: "dma-fault", producer: 2, consumer: 0 }).subarray(0, 64);
 * const where = locate(probe, {}); // no size known: the header says ALIGN(64 * 512, 4 KiB) + 4 KiB
 * where.kind === "found" && where.regionSize; // => 0x9000
 * ```
 * @module
 */
import { type AbiId, RECORDS } from "../abi/records.ts";
import {
  alignUp,
  capacityFor,
  DETECT_ORDER,
  headerField,
  PAGE_SIZES,
  REGION_IDS,
  type RegionLayoutId,
  REGIONS,
  regionSizeFor,
} from "../abi/regions.ts";
import type { RegionLayout } from "../abi/types.ts";
import { article, hex } from "../codec/numbers.ts";
import { geometry, readHeader, type RegionHeader, roleValue } from "./header.ts";
import type { Hint } from "./hint.ts";

/** Largest region faultscope reads (dma-fault on 64 KiB pages is 128 KiB). */
export const MAX_REGION_SIZE = 16 * 1024 * 1024;

/** Bytes of an input enough to locate a region: every layout's header fits. */
export const PROBE_BYTES = 64;

/** How the layout and record ABI were chosen. */
export interface Detection {
  /** The layout. */
  layout: RegionLayoutId;
  /** The record ABI. */
  abi: AbiId;
  /**
   * Every record ABI the header allows for the ring (the layout's ABIs whose record size is the
   * header's entry size): more than one when the header cannot tell them apart (v4, v7 and v8
   * in a v4-v8 PROD region). Just the ABI when it was given.
   */
  abis: AbiId[];
  /** True when faultscope inferred the layout or ABI rather than being told. */
  guessed: boolean;
  /** Why, in one sentence. */
  reason: string;
}

/** One layout judged against a header. */
export interface Candidate {
  /** The layout judged. */
  layout: RegionLayoutId;
  /** The record ABI the header names for it. */
  abi: AbiId;
  /** Every record ABI the header allows (see {@link Detection.abis}). */
  abis: AbiId[];
  /** Every header value is consistent with the layout. */
  plausible: boolean;
  /**
   * Every header value is consistent with the layout except that the ring runs past the end of
   * the region: a complete image with a bad header, or a cut one (the caller decides).
   */
  boundsOnly: boolean;
  /** The capacity is the one the kernel gives the layout (a strong signature). */
  exact: boolean;
  /** Why, in one sentence. */
  why: string;
}

/** Capacities the kernel gives `layout` for a record size, over the page sizes it ran on. */
function kernelCapacities(layout: RegionLayout, entrySize: number, regionSize: number): number[] {
  if (layout.fixedCapacity !== undefined) return [layout.fixedCapacity];
  return PAGE_SIZES.map((p) => capacityFor(layout, entrySize, p, regionSize));
}

/**
 * The record ABIs the header allows, the layout's default first when it is one of them: those
 * whose size is its `entry_size` (v4, v7 and v8 are all 48 bytes), or, for a layout whose VMM
 * steps its compiled-in record whatever the header says (RFC v3), that record alone. The
 * layout's default when no size fits.
 */
function recordAbis(layout: RegionLayout, h: RegionHeader): AbiId[] {
  if (layout.abiEvidence === "stride") return [layout.defaultAbi];
  const entry = roleValue(layout, h, "entry_size");
  const fits = [...new Set([layout.defaultAbi, ...layout.abis])].filter((a) =>
    RECORDS[a].size === entry
  );
  return fits.length ? fits : [layout.defaultAbi];
}

/** Judges `layout` against the header in `bytes`, for a region of `regionSize` bytes. */
export function judge(
  layout: RegionLayout,
  bytes: Uint8Array,
  le: boolean,
  regionSize: number,
): Candidate {
  const h = readHeader(layout, bytes, le);
  const headerEntry = roleValue(layout, h, "entry_size");
  const abis = recordAbis(layout, h);
  const abi = abis[0];
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
    (roleValue(layout, h, "reserved") ?? 0) === 0,
  ];
  const plausible = checks.every(Boolean);
  const boundsOnly = !plausible && checks.every((ok, i) => ok || i === 4);
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
    abis,
    plausible,
    boundsOnly,
    exact,
    why: `${capName} = ${g.capacity}, ${RECORDS[abi].size}-byte records from offset ` +
      `${hex(g.ringOffset)} ` +
      (checks[4]
        ? `fit a ${regionSize}-byte region`
        : `run past the end of a ${regionSize}-byte region (to ${hex(g.ringEnd)})`) +
      (exact ? ` (the capacity the kernel gives this layout)` : ""),
  };
}

/** The sizes the kernel allocates for `layout` with records of `abi`, over the page sizes. */
function kernelRegionSizes(layout: RegionLayout, abi: AbiId): number[] {
  const entry = RECORDS[abi].size;
  return PAGE_SIZES.map((p) => regionSizeFor(layout, entry, capacityFor(layout, entry, p), p));
}

/** The best candidate: exact and plausible, else plausible, else exact (first in order). */
function best(cands: readonly Candidate[]): Candidate | undefined {
  return cands.find((c) => c.exact && c.plausible) ?? cands.find((c) => c.plausible) ??
    cands.find((c) => c.exact);
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
  return best(DETECT_ORDER.map((id) => judge(REGIONS[id], bytes, littleEndian, regionSize)));
}

/**
 * The region size a header of `layout` implies, for inputs of unknown size (a device, a region
 * inside a larger file): RFC v3's fixed 64 KiB, or the kernel's formula from the header's
 * `offset` (the page size), capacity and entry size. Undefined when the header gives no usable
 * page size or implies more than {@link MAX_REGION_SIZE}.
 */
export function impliedRegionSize(
  layout: RegionLayout,
  bytes: Uint8Array,
  littleEndian = true,
): number | undefined {
  if (layout.sizing === "fixed-64k") return regionSizeFor(layout, 0, 0, 0);
  const h = readHeader(layout, bytes, littleEndian);
  const page = roleValue(layout, h, "ring_offset") ?? 0;
  if (!page || page > MAX_REGION_SIZE) return undefined;
  const entry = roleValue(layout, h, "entry_size") ?? 0;
  const cap = roleValue(layout, h, "capacity") ?? 0;
  if (layout.sizing === "one-page-ring") return regionSizeFor(layout, entry, cap, page);
  const size = alignUp(cap * entry, page) + page;
  return size > 0 && size <= MAX_REGION_SIZE ? size : undefined;
}

/** What the caller knows of the input besides its first bytes. */
export interface LocateOptions {
  /** The layout, when the user gave it (no detection then). */
  layout?: RegionLayoutId;
  /** The record ABI, when the user gave it. */
  abi?: AbiId;
  /** Byte order of the image (default little-endian). */
  littleEndian?: boolean;
  /** The region size, when known (given, or the whole input is the region). */
  regionSize?: number;
  /**
   * The region size was given by the user (`--region-size`): the input holds the whole region,
   * so a header whose ring runs past its end is a bad header (HDR-RING-BOUNDS), never a cut image.
   */
  complete?: boolean;
}

/** Where the region is, or why it cannot be placed. */
export type Location =
  | {
    /** The layout is known, and so is the region's size. */
    readonly kind: "found";
    /** The region's size. */
    readonly regionSize: number;
    /** Layout and ABI, and how they were chosen. */
    readonly detection: Detection;
  }
  | {
    /** A header that fits only a larger region than the input holds: the image was cut. */
    readonly kind: "truncated";
    /** The layout the header is. */
    readonly layout: RegionLayoutId;
    /** The size its header describes. */
    readonly regionSize: number;
    /** The bytes there are. */
    readonly available: number;
  }
  | {
    /** The header matches no layout, or nothing says how big the region is. */
    readonly kind: "unknown";
    /** What is missing. */
    readonly missing: "layout" | "region-size";
    /** One line, without any flag. */
    readonly message: string;
    /** What the user could supply. */
    readonly hints: readonly Hint[];
  };

/** How the layout and ABI of a chosen candidate came about. */
function detectionOf(c: Candidate, o: LocateOptions): Detection {
  const layout = REGIONS[c.layout];
  if (o.abi) {
    // The ABI was given: the candidate's reasoning (made for the header's own record size) no
    // longer applies, and must not be shown as if it did.
    return {
      layout: c.layout,
      abi: o.abi,
      abis: [o.abi],
      guessed: !o.layout,
      reason: o.layout
        ? "layout and ABI given"
        : `ABI given; layout inferred from the header (${c.layout})`,
    };
  }
  if (o.layout) {
    return {
      layout: c.layout,
      abi: c.abi,
      abis: c.abis,
      guessed: c.abi !== layout.defaultAbi || c.abis.length > 1,
      reason: `layout given; ABI from the header: ${c.why}`,
    };
  }
  return {
    layout: c.layout,
    abi: c.abi,
    abis: c.abis,
    guessed: true,
    reason: `inferred: ${c.why}`,
  };
}

/**
 * Why no layout fits a header, without flags: the message, and hints (the other byte order when
 * the header makes sense that way, and the layouts there are).
 */
export function layoutUnknown(
  bytes: Uint8Array,
  regionSize: number,
  littleEndian: boolean,
): { message: string; hints: Hint[] } {
  const other = detectLayout(bytes, regionSize, !littleEndian);
  const order = littleEndian ? "big" : "little";
  return {
    message: "cannot infer the region layout from the header" +
      (other ? ` (it reads as ${article(other.layout)} region in ${order}-endian)` : ""),
    hints: [
      ...(other ? [{ kind: "endian", order } as const] : []),
      { kind: "layout", choices: REGION_IDS },
    ],
  };
}

/**
 * Places a region from its first bytes (at least {@link PROBE_BYTES}, or all there are) and what
 * is known of the input, judging each candidate layout once at the size that matters: the known
 * region size, or the size its own header implies (which also tells a cut image from a header
 * that matches nothing).
 */
export function locate(probe: Uint8Array, o: LocateOptions): Location {
  const le = o.littleEndian ?? true;
  const order = o.layout ? [o.layout] : DETECT_ORDER;
  const implied = new Map(
    order.map((id) => [id, impliedRegionSize(REGIONS[id], probe, le)] as const),
  );
  const found = (c: Candidate, regionSize: number): Location => ({
    kind: "found",
    regionSize,
    detection: detectionOf(c, o),
  });
  if (o.regionSize === undefined) {
    // A device or a region inside a larger file: each layout's header says how big it is.
    const cands = order.flatMap((id) => {
      const size = implied.get(id);
      return size ? [{ size, c: judge(REGIONS[id], probe, le, size) }] : [];
    });
    const pick = o.layout ? cands[0] : cands.find((x) => x.c === best(cands.map((y) => y.c)));
    if (!pick) {
      return {
        kind: "unknown",
        missing: "region-size",
        message: "cannot tell the region size",
        hints: [{ kind: "region-size" }],
      };
    }
    return found(pick.c, pick.size);
  }
  const size = o.regionSize;
  const here = order.map((id) => judge(REGIONS[id], probe, le, size));
  if (o.layout) return found(here[0], size);
  const c = best(here);
  if (c) return found(c, size);
  // A header right in everything but a ring that runs past the end: a complete image with a bad
  // header when the size was given, or is one the kernel allocates for that layout (0x9000 for
  // dma-fault on 4 KiB pages); the validator reports HDR-RING-BOUNDS. Otherwise a cut image.
  const bounded = here.find((x) =>
    x.boundsOnly && (o.complete || kernelRegionSizes(REGIONS[x.layout], x.abi).includes(size))
  );
  if (bounded) return found(bounded, size);
  // A header consistent only with a larger region than there is: the image was cut short.
  const larger = order.flatMap((id) => {
    const s = implied.get(id);
    return s && s > size ? [{ s, c: judge(REGIONS[id], probe, le, s) }] : [];
  });
  const cut = larger.find((x) => x.c === best(larger.map((y) => y.c)));
  if (cut) {
    return { kind: "truncated", layout: cut.c.layout, regionSize: cut.s, available: size };
  }
  return { kind: "unknown", missing: "layout", ...layoutUnknown(probe, size, le) };
}

/**
 * The layout and ABI of a complete image (no size question): the given layout, or the one
 * detected at `regionSize` (or, failing that, one whose header is right but for a ring past the
 * end, as {@link locate} accepts); undefined when none fits.
 */
export function detect(
  bytes: Uint8Array,
  regionSize: number,
  o: LocateOptions,
): Detection | undefined {
  const le = o.littleEndian ?? true;
  if (o.layout) return detectionOf(judge(REGIONS[o.layout], bytes, le, regionSize), o);
  const c = detectLayout(bytes, regionSize, le) ??
    DETECT_ORDER.map((id) => judge(REGIONS[id], bytes, le, regionSize)).find((x) =>
      x.boundsOnly &&
      (o.complete || kernelRegionSizes(REGIONS[x.layout], x.abi).includes(regionSize))
    );
  return c && detectionOf(c, o);
}
