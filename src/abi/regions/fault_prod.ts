/**
 * The v4-v8 producer fault region ("[PATCH v8 25/29] vfio-pci: Add a new VFIO_REGION_TYPE_NESTED
 * region type", source M1 in src/abi/sources.ts): a 20-byte header `{version, nb_entries,
 * entry_size, offset, prod}` and a one-page ring from `offset`; the consumer index lives in a
 * separate 8-byte CONS region.
 *
 * @example
 * ```ts
 * import { FAULT_PROD_REGION } from "./fault_prod.ts";
 * FAULT_PROD_REGION.externalConsumer.field; // => "cons"
 * ```
 * @module
 */
import { headerWord as f } from "../header.ts";
import type { RegionLayout } from "../types.ts";

/** The v4-v8 PROD layout. */
export const FAULT_PROD_REGION = {
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
  detectRank: 4,
  abiEvidence: "entry_size",
  simulator: {
    indexMath: "circ",
    headerCheck: "bounds",
    consWrite: "per_drain",
    rereadsConsumer: false,
  },
  source: ["M1", "S5", "S6", "S7"],
  notes: [
    "nb_entries = PAGE_SIZE / 48: 85 on 4 KiB hosts (not a power of two, see CIRC_SPACE), " +
    "1365 on 64 KiB hosts.",
  ],
} as const satisfies RegionLayout<string>;
