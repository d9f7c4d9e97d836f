/**
 * The RFC v3 fault region (the RFC v3 18/21 patch and its review, and QEMU's RFC v3 branches:
 * sources seed, S1 and S2 in src/abi/sources.ts): one 64 KiB region, mmapped read-write whole,
 * with a 16-byte header `{size, prod, cons, reserved}` and the queue right after it.
 *
 * @example
 * ```ts
 * import { RFC3_REGION } from "./rfc3.ts";
 * RFC3_REGION.headerSize; // => 16
 * ```
 * @module
 */
import { headerWord as f } from "../header.ts";
import type { RegionLayout } from "../types.ts";

/** `VFIO_FAULT_REGION_SIZE` of RFC v3: 64 KiB so that it can be mmapped with 64 KiB pages. */
export const VFIO_FAULT_REGION_SIZE = 0x10000;

/** The RFC v3 layout. */
export const RFC3_REGION = {
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
  detectRank: 1,
  // No entry_size, and QEMU's consumer steps sizeof(struct iommu_fault) = 48 whatever `size`
  // says: a `size` of 1023 (what a 64-byte record gives) is corruption, not a 64-byte ring. A
  // 64-byte rebuild stays choosable with --abi mainline (and in the simulator).
  abiEvidence: "stride",
  simulator: {
    indexMath: "modulo",
    headerCheck: "none",
    consWrite: "per_record",
    rereadsConsumer: true,
  },
  source: ["seed", "S1", "S2"],
  notes: [
    "VFIO_FAULT_QUEUE_SIZE = (0x10000 - 16) / sizeof(struct iommu_fault): 1365 with the RFC v3 " +
    "48-byte record (filling the region exactly), 1023 if rebuilt with the 64-byte record.",
    "QEMU's consumer steps 48 bytes and wraps at size whatever size says: the ring carries RFC v3 " +
    "records; a size other than 1365 is header corruption (HDR-CAP-RECORD).",
    "The whole region, header included, is mmapped read-write: userspace can scribble on size " +
    "and prod, so the header is untrusted input.",
  ],
} as const satisfies RegionLayout<string>;
