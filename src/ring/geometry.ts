/**
 * Where the ring's indices and slots sit in a shared buffer, derived from the ABI data
 * (`REGIONS`, `RECORDS`): nothing here knows an offset of its own.
 *
 * Two kinds of geometry exist. A *region* geometry is byte for byte a kernel region layout
 * (`rfc3`, `dma-fault`), so a dump of the buffer is a region image. A *split* geometry is a
 * benchmark configuration only: the same ring, but `prod` and `cons` each alone on a 64-byte
 * cache line (the seed thread's "ring in a separate page from the header" question).
 *
 * @example
 * ```ts
 * import { ringGeometry } from "./geometry.ts";
 * const g = ringGeometry("dma-fault");
 * [g.capacity, g.entrySize, g.ringOffset, g.prodOffset, g.consOffset]; // => [512, 64, 4096, 16, 0]
 * ```
 * @module
 */
import { RECORDS } from "../abi/records.ts";
import { capacityFor, headerField, REGIONS, regionSizeFor, ringOffsetFor } from "../abi/regions.ts";
import type { AbiId, HeaderRole, RegionLayoutId } from "../abi/types.ts";

import { RING_LAYOUTS, type RingLayoutId } from "./choices.ts";
export { RING_LAYOUTS, type RingLayoutId };

/** Where `prod`/`cons` live: as the region lays them out, or alone on separate cache lines. */
export type IndexPlacement = "region" | "split";

/** Bytes of a cache line on the machines this models (x86-64 and arm64 servers). */
export const CACHE_LINE = 64;

/** Host page size assumed when none is given (the x86-64 host this runs on). */
export const DEFAULT_PAGE_SIZE = 4096;

/** Everything the producer and the consumer need to agree on, in bytes. */
export interface RingGeometry {
  /** Region layout the indices and the ring follow. */
  readonly layout: RingLayoutId;
  /** Record ABI carried in the slots. */
  readonly abi: AbiId;
  /** Where the indices sit: as the region lays them out, or each on its own cache line. */
  readonly placement: IndexPlacement;
  /** Bytes of the region image (for a split geometry: of the benchmark buffer). */
  readonly regionSize: number;
  /** Byte offset of the producer index (`prod` / `head`). */
  readonly prodOffset: number;
  /** Byte offset of the consumer index (`cons` / `tail`). */
  readonly consOffset: number;
  /** Byte offset of slot 0. */
  readonly ringOffset: number;
  /** Bytes per slot: `sizeof(struct iommu_fault)` of the ABI. */
  readonly entrySize: number;
  /** Slots in the ring (`size` / `nb_entries`); one always stays empty. */
  readonly capacity: number;
  /** Header words the kernel writes once at setup: byte offset and value. */
  readonly headerInit: readonly { readonly offset: number; readonly value: number }[];
  /** Host page size the ring offset was computed with. */
  readonly pageSize: number;
}

/** Options of {@link ringGeometry}. */
export interface GeometryOptions {
  /** Record ABI; the layout's default ABI (`rfc3` / `mainline`) if omitted. */
  readonly abi?: AbiId;
  /** Host page size for layouts whose ring offset is a page; 4096 if omitted. */
  readonly pageSize?: number;
  /** `split` puts each index on its own cache line (benchmark only, not a region). */
  readonly placement?: IndexPlacement;
}

function offsetOf(layout: RingLayoutId, role: HeaderRole): number {
  const f = headerField(REGIONS[layout], role);
  if (f === undefined) throw new Error(`layout ${layout} has no ${role} header field`);
  return f.offset;
}

/**
 * The geometry of a ring laid out as `layout`, computed from the ABI description.
 *
 * @example
 * ```ts
 * import { ringGeometry } from "./geometry.ts";
 * ringGeometry("rfc3").capacity; // => 1365: (0x10000 - 16) / 48
 * ringGeometry("rfc3", { placement: "split" }).consOffset; // => 64
 * ```
 */
export function ringGeometry(layout: RingLayoutId, opts: GeometryOptions = {}): RingGeometry {
  const region = REGIONS[layout as RegionLayoutId];
  if (region === undefined || !(RING_LAYOUTS as readonly string[]).includes(layout)) {
    throw new Error(`unknown ring layout ${layout}`);
  }
  const abi = opts.abi ?? region.defaultAbi;
  if (!region.abis.includes(abi)) throw new Error(`layout ${layout} does not carry ${abi} records`);
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  const entrySize = RECORDS[abi].size;
  const capacity = capacityFor(region, entrySize, pageSize);
  const ringOffset = ringOffsetFor(region, pageSize);
  const regionSize = regionSizeFor(region, entrySize, capacity, pageSize);
  const headerInit: { offset: number; value: number }[] = [];
  const init = (role: HeaderRole, value: number) => {
    const f = headerField(region, role);
    if (f !== undefined) headerInit.push({ offset: f.offset, value });
  };
  init("capacity", capacity);
  init("entry_size", entrySize);
  init("ring_offset", ringOffset);
  if ((opts.placement ?? "region") === "region") {
    return {
      layout,
      abi,
      placement: "region",
      regionSize,
      prodOffset: offsetOf(layout, "producer"),
      consOffset: offsetOf(layout, "consumer"),
      ringOffset,
      entrySize,
      capacity,
      headerInit,
      pageSize,
    };
  }
  // Split: line 0 keeps the read-mostly header words and the producer index, line 1 holds
  // only the consumer index, and the ring starts on line 2 (or at the layout's page-aligned
  // offset if that is further). The header words are not moved, only the consumer index.
  const prodOffset = offsetOf(layout, "producer");
  const consOffset = CACHE_LINE;
  const splitRing = Math.max(ringOffset, 2 * CACHE_LINE);
  return {
    layout,
    abi,
    placement: "split",
    regionSize: splitRing + capacity * entrySize,
    prodOffset,
    consOffset,
    ringOffset: splitRing,
    entrySize,
    capacity,
    headerInit: headerInit.filter((h) => h.offset !== consOffset),
    pageSize,
  };
}

/**
 * The kernel's names of the producer, consumer and capacity fields, from the ABI data.
 *
 * @example
 * ```ts
 * import { ringFieldNames, ringGeometry } from "./geometry.ts";
 * ringFieldNames(ringGeometry("dma-fault"));
 * // => { prod: "head", cons: "tail", cap: "nb_entries" }
 * ```
 */
export function ringFieldNames(g: RingGeometry): { prod: string; cons: string; cap: string } {
  const region = REGIONS[g.layout];
  const name = (role: HeaderRole) => headerField(region, role)?.name ?? role;
  return { prod: name("producer"), cons: name("consumer"), cap: name("capacity") };
}

/**
 * Short human name of a geometry, e.g. `dma-fault` or `rfc3/split`.
 *
 * @example
 * ```ts
 * import { geometryName, ringGeometry } from "./geometry.ts";
 * geometryName(ringGeometry("rfc3", { placement: "split" })); // => "rfc3/split"
 * ```
 */
export function geometryName(g: RingGeometry): string {
  return g.placement === "split" ? `${g.layout}/split` : g.layout;
}
