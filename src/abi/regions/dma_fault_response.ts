/**
 * The v11+ DMA_FAULT_RESPONSE region (sources M7 and M9-12 in src/abi/sources.ts): the fault
 * region's header with the writer roles of `head` and `tail` mirrored, and a 512-entry ring of
 * 24-byte page responses.
 *
 * @example
 * ```ts
 * import { DMA_FAULT_RESPONSE_REGION } from "./dma_fault_response.ts";
 * DMA_FAULT_RESPONSE_REGION.defaultAbi; // => "resp24"
 * ```
 * @module
 */
import { headerWord as f } from "../header.ts";
import type { RegionLayout } from "../types.ts";

/** `DMA_FAULT_RESPONSE_RING_LENGTH` of v11+. */
export const DMA_FAULT_RESPONSE_RING_LENGTH = 512;

/** The v11+ response layout. */
export const DMA_FAULT_RESPONSE_REGION = {
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
  fixedCapacity: DMA_FAULT_RESPONSE_RING_LENGTH,
  sizing: "align-ring-plus-page",
  detectRank: 3,
  abiEvidence: "entry_size",
  source: ["M7", "M9-12", "S10", "S11", "S12"],
  notes: ["QEMU writes responses without checking for a full ring."],
} as const satisfies RegionLayout<string>;
