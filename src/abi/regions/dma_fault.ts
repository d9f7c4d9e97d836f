/**
 * The v9+ DMA_FAULT region (the v9 region patch and v10's mmap patch, sources M4 and M6 in
 * src/abi/sources.ts): a 20-byte header `{tail, entry_size, nb_entries, offset, head}` on its
 * own page, and a 512-entry ring of 64-byte records from `offset`.
 *
 * @example
 * ```ts
 * import { DMA_FAULT_REGION } from "./dma_fault.ts";
 * DMA_FAULT_REGION.fixedCapacity; // => 512
 * ```
 * @module
 */
import { headerWord as f } from "../header.ts";
import type { RegionLayout } from "../types.ts";

/** `DMA_FAULT_RING_LENGTH` of v9+. */
export const DMA_FAULT_RING_LENGTH = 512;

/** The v9+ DMA_FAULT layout. */
export const DMA_FAULT_REGION = {
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
  detectRank: 2,
  abiEvidence: "entry_size",
  ringTypes: {
    types: ["DMA_UNRECOV"],
    ring: "DMA_FAULT",
    why: "only v12+ kernels queue recoverable faults",
  },
  simulator: {
    indexMath: "circ",
    headerCheck: "bounds",
    consWrite: "per_drain",
    rereadsConsumer: false,
  },
  source: ["M4", "M6", "M9-04", "M9-05", "M9-09", "S8", "S9"],
  notes: [
    "Region size = ALIGN(64 * 512, PAGE_SIZE) + PAGE_SIZE: 0x9000 on 4 KiB hosts, 0x20000 on 64 KiB.",
    "v9-v11 kernels accept tail == nb_entries (off-by-one fixed in v12).",
  ],
} as const satisfies RegionLayout<string>;
