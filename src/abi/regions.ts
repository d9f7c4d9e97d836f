/**
 * The registry of VFIO fault region layouts: the list below is built from one file per layout
 * in `regions/`, and every id and order is derived from it (the `RegionLayoutId` type, the
 * `--layout` choices, the order layout detection tries them in, the layouts the simulator
 * drives). Adding a layout is one file in `regions/`, its line in {@link REGION_LIST}, and its
 * rules; a test fails if a file there is missing from the list or the list holds anything else.
 * Also the arithmetic that follows from a layout: region size, capacity, ring offset.
 *
 * @example
 * ```ts
 * import { DETECT_ORDER, REGIONS, regionSizeFor } from "./regions.ts";
 * regionSizeFor(REGIONS["dma-fault"], 64, 512, 4096); // => 0x9000: ALIGN(64 * 512, 4096) + 4096
 * DETECT_ORDER[0]; // => "rfc3"
 * ```
 * @module
 */
import { DMA_FAULT_REGION } from "./regions/dma_fault.ts";
import { DMA_FAULT_RESPONSE_REGION } from "./regions/dma_fault_response.ts";
import { FAULT_PROD_REGION } from "./regions/fault_prod.ts";
import { RFC3_REGION, VFIO_FAULT_REGION_SIZE } from "./regions/rfc3.ts";
import type { HeaderField, HeaderRole, RegionLayout } from "./types.ts";

export { VFIO_FAULT_REGION_SIZE } from "./regions/rfc3.ts";
export { DMA_FAULT_RING_LENGTH } from "./regions/dma_fault.ts";
export { DMA_FAULT_RESPONSE_RING_LENGTH } from "./regions/dma_fault_response.ts";

/** Every region layout, in presentation order (`layout`, `--layout` choices, help). */
export const REGION_LIST = [
  RFC3_REGION,
  FAULT_PROD_REGION,
  DMA_FAULT_REGION,
  DMA_FAULT_RESPONSE_REGION,
] as const satisfies readonly RegionLayout<string>[];

/** The description of one registered layout, with its literal id and traits. */
export type ListedRegion = typeof REGION_LIST[number];

/** Identifier of a region layout that `inspect --layout` accepts: derived from the list. */
export type RegionLayoutId = ListedRegion["id"];

/** A layout the simulator drives (one with simulator defaults). */
export type SimulatedLayoutId = Extract<ListedRegion, { simulator: object }>["id"];

/** Host page sizes the series ran on. */
export const PAGE_SIZES: readonly number[] = [4096, 16384, 65536];

/** Every region layout, by the id `inspect --layout` takes. */
export const REGIONS: Readonly<Record<RegionLayoutId, RegionLayout>> = Object.fromEntries(
  REGION_LIST.map((r): [string, RegionLayout<string>] => [r.id, r]),
) as Record<RegionLayoutId, RegionLayout>;

/** Region layout ids in presentation order. */
export const REGION_IDS: readonly RegionLayoutId[] = REGION_LIST.map((r) => r.id);

/** Region layout ids in the order layout detection tries them. */
export const DETECT_ORDER: readonly RegionLayoutId[] = [...REGION_LIST]
  .sort((a, b) => a.detectRank - b.detectRank)
  .map((r) => r.id);

/** The layouts the simulator drives, in presentation order. */
export const SIMULATED_LAYOUTS: readonly SimulatedLayoutId[] = REGION_LIST
  .filter((r): r is Extract<ListedRegion, { simulator: object }> => "simulator" in r)
  .map((r) => r.id);

/** Looks up a region layout by id; undefined when unknown. */
export function regionLayout(id: string): RegionLayout | undefined {
  return Object.hasOwn(REGIONS, id) ? REGIONS[id as RegionLayoutId] : undefined;
}

/** The header field that plays `role`, if the layout has one. */
export function headerField(layout: RegionLayout, role: HeaderRole): HeaderField | undefined {
  return layout.header.find((h) => h.role === role);
}

/** Rounds `n` up to a multiple of `align`. */
export function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

/** Region size the kernel allocates for this layout, record size, capacity and page size. */
export function regionSizeFor(
  layout: RegionLayout,
  entrySize: number,
  capacity: number,
  pageSize: number,
): number {
  switch (layout.sizing) {
    case "fixed-64k":
      return VFIO_FAULT_REGION_SIZE;
    case "one-page-ring":
      return 2 * pageSize;
    case "align-ring-plus-page":
      return alignUp(entrySize * capacity, pageSize) + pageSize;
  }
}

/** Whether the kernel derives this layout's capacity from the region size (RFC v3's `size`). */
export function capacityFollowsRegion(layout: RegionLayout): boolean {
  return layout.fixedCapacity === undefined && layout.sizing === "fixed-64k";
}

/** Capacity the kernel gives this layout for a record size and page size. */
export function capacityFor(
  layout: RegionLayout,
  entrySize: number,
  pageSize: number,
  regionSize = VFIO_FAULT_REGION_SIZE,
): number {
  if (layout.fixedCapacity !== undefined) return layout.fixedCapacity;
  if (layout.sizing === "one-page-ring") return Math.floor(pageSize / entrySize);
  return Math.floor((regionSize - layout.headerSize) / entrySize);
}

/** Ring offset the kernel uses for this layout and page size. */
export function ringOffsetFor(layout: RegionLayout, pageSize: number): number {
  return layout.fixedRingOffset ?? pageSize;
}
