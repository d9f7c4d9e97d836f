/**
 * The VFIO fault region layouts of every generation (abi.md section 3), described once as
 * data, with the arithmetic that follows from them: region size, capacity, ring offset.
 *
 * @example
 * ```ts
 * import { REGIONS, regionSizeFor } from "./regions.ts";
 * regionSizeFor(REGIONS["dma-fault"], 64, 512, 4096); // 0x9000: ALIGN(64 * 512, 4096) + 4096
 * ```
 * @module
 */
import type { HeaderField, HeaderRole, RegionLayout, RegionLayoutId } from "./types.ts";

/** `VFIO_FAULT_REGION_SIZE` of RFC v3: 64 KiB so that it can be mmapped with 64 KiB pages. */
export const VFIO_FAULT_REGION_SIZE = 0x10000;
/** `DMA_FAULT_RING_LENGTH` and `DMA_FAULT_RESPONSE_RING_LENGTH` of v9+. */
export const DMA_FAULT_RING_LENGTH = 512;
/** Host page sizes the series ran on. */
export const PAGE_SIZES: readonly number[] = [4096, 16384, 65536];

const f = (
  name: string,
  offset: number,
  role: HeaderRole,
  writer: HeaderField["writer"],
  meaning: string,
): HeaderField => ({ name, offset, role, writer, meaning });

/** Every region layout, by the id `inspect --layout` takes. */
export const REGIONS: Readonly<Record<RegionLayoutId, RegionLayout>> = {
  rfc3: {
    id: "rfc3",
    struct: "vfio_fault_region_header",
    title: "RFC v3 fault region: header and queue in one RW-mmapped 64 KiB region",
    era: "RFC v3 18/21, Jan 2019",
    headerSize: 16,
    header: [
      f("size", 0, "capacity", "kernel", "number of queue entries (Read-Only)"),
      f("prod", 4, "producer", "kernel", "producer index (Read-Only for userspace)"),
      f("cons", 8, "consumer", "userspace", "consumer index"),
      f("reserved", 12, "reserved", "kernel", "must be 0"),
    ],
    defaultAbi: "rfc3",
    abis: ["rfc3", "mainline"],
    fixedRingOffset: 16,
    sizing: "fixed-64k",
    source: "seed RFC v3 18/21, S1, S2",
    notes: [
      "VFIO_FAULT_QUEUE_SIZE = (0x10000 - 16) / sizeof(struct iommu_fault): 1365 with the RFC v3 " +
      "48-byte record (filling the region exactly), 1023 if rebuilt with the 64-byte record.",
      "The whole region, header included, is mmapped read-write: userspace can scribble on size " +
      "and prod, so the header is untrusted input.",
    ],
  },
  "fault-prod": {
    id: "fault-prod",
    struct: "vfio_region_fault_prod",
    title: "v4-v8 producer fault region (the consumer index lives in the CONS region)",
    era: "PATCH v4-v8, 2019",
    headerSize: 20,
    header: [
      f("version", 0, "version", "kernel", "fault ABI in use (0xFFFFFFFF until negotiated)"),
      f("nb_entries", 4, "capacity", "kernel", "ring capacity: PAGE_SIZE / entry_size"),
      f("entry_size", 8, "entry_size", "kernel", "sizeof(struct iommu_fault) of the chosen ABI"),
      f("offset", 12, "ring_offset", "kernel", "ring offset inside the region: PAGE_SIZE"),
      f("prod", 16, "producer", "kernel", "producer index"),
    ],
    defaultAbi: "v8",
    abis: ["v4", "v7", "v8"],
    sizing: "one-page-ring",
    externalConsumer: { struct: "vfio_region_fault_cons", field: "cons", offset: 4 },
    source: "M1, S5-S7",
    notes: [
      "nb_entries = PAGE_SIZE / 48: 85 on 4 KiB hosts (not a power of two, see CIRC_SPACE), " +
      "1365 on 64 KiB hosts.",
    ],
  },
  "dma-fault": {
    id: "dma-fault",
    struct: "vfio_region_dma_fault",
    title: "v9+ DMA_FAULT region: header page, ring from offset (sparse mmap)",
    era: "PATCH v9-v13, 2019-2021",
    headerSize: 20,
    header: [
      f("tail", 0, "consumer", "userspace", "next entry the consumer will read (Write-Only)"),
      f("entry_size", 4, "entry_size", "kernel", "sizeof(struct iommu_fault): 64"),
      f("nb_entries", 8, "capacity", "kernel", "ring capacity: 512"),
      f("offset", 12, "ring_offset", "kernel", "ring offset inside the region: PAGE_SIZE"),
      f("head", 16, "producer", "kernel", "where the kernel inserts the next entry"),
    ],
    defaultAbi: "mainline",
    abis: ["mainline"],
    fixedCapacity: DMA_FAULT_RING_LENGTH,
    sizing: "align-ring-plus-page",
    source: "M4, M6, M9, S8, S9",
    notes: [
      "Region size = ALIGN(64 * 512, PAGE_SIZE) + PAGE_SIZE: 0x9000 on 4 KiB hosts, 0x20000 on 64 KiB.",
      "v9-v11 kernels accept tail == nb_entries (off-by-one fixed in v12).",
    ],
  },
  "dma-fault-response": {
    id: "dma-fault-response",
    struct: "vfio_region_dma_fault_response",
    title: "v11+ DMA_FAULT_RESPONSE region: roles of head and tail mirrored",
    era: "PATCH v11-v13, 2020-2021",
    headerSize: 20,
    header: [
      f("head", 0, "producer", "userspace", "where userspace put the newest response (Write-Only)"),
      f("entry_size", 4, "entry_size", "kernel", "sizeof(struct iommu_page_response): 24"),
      f("nb_entries", 8, "capacity", "kernel", "ring capacity: 512"),
      f("offset", 12, "ring_offset", "kernel", "ring offset inside the region: PAGE_SIZE"),
      f("tail", 16, "consumer", "kernel", "next response the kernel will consume"),
    ],
    defaultAbi: "resp24",
    abis: ["resp24", "resp20"],
    fixedCapacity: DMA_FAULT_RING_LENGTH,
    sizing: "align-ring-plus-page",
    source: "M7, M9 12/13, S10-S12",
    notes: ["QEMU writes responses without checking for a full ring."],
  },
};

/** Region layout ids in presentation order. */
export const REGION_IDS: readonly RegionLayoutId[] = Object.keys(REGIONS) as RegionLayoutId[];

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
