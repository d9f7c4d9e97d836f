/**
 * iommufd's fault queue record `struct iommu_hwpt_pgfault` (Linux v6.11+, 40 bytes;
 * `include/uapi/linux/iommufd.h`).
 *
 * @example
 * ```ts
 * import { HWPT_PGFAULT } from "./hwpt_pgfault.ts";
 * HWPT_PGFAULT.size; // => 40
 * ```
 * @module
 */
import { GRPID_RANGES, u32, u64 } from "../fields.ts";
import { PERM_V8 } from "../iommu_fault.ts";
import type { FlagSet, RecordLayout } from "../types.ts";

/**
 * `IOMMU_PGFAULT_FLAGS_*`, and the kernel-internal bit that leaks into the word: the uapi
 * defines bits 0-1, but `iommufd_compose_fault_message` copies the internal `prm.flags`
 * unmasked, and the internal `IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID` is bit 2 since the private
 * data flag was removed from `include/linux/iommu.h` (torvalds/linux). VT-d's
 * `intel_prq_report` (drivers/iommu/intel/prq.c) sets it on every request with a PASID, and
 * AMD's PPR handler on every request: `flags` is 0x7 on healthy Intel hosts.
 */
export const PGFAULT_FLAGS: FlagSet = {
  name: "iommu_hwpt_pgfault.flags",
  prefix: "IOMMU_PGFAULT_FLAGS_",
  bits: [
    { bit: 0, name: "PASID_VALID", guards: "pasid" },
    { bit: 1, name: "LAST_PAGE", meaning: "last request of the group" },
    {
      bit: 2,
      name: "NEEDS_PASID",
      kernelName: "IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID",
      meaning: "kernel-internal: the response must carry the PASID",
      requires: "PASID_VALID",
      leak: "iommufd_compose_fault_message copies the kernel's internal prm.flags unmasked; " +
        "VT-d (intel_prq_report) sets this bit on every page request with a PASID, AMD on " +
        "every one",
    },
  ],
};

/** `IOMMU_PGFAULT_PERM_*`: the bits of `IOMMU_FAULT_PERM_*` from v8. */
export const PGFAULT_PERM: FlagSet = {
  ...PERM_V8,
  name: "iommu_hwpt_pgfault.perm",
  prefix: "IOMMU_PGFAULT_PERM_",
};

/** The fault queue record. */
export const HWPT_PGFAULT = {
  id: "hwpt-pgfault",
  struct: "iommu_hwpt_pgfault",
  title: "iommufd fault queue record",
  era: "Linux v6.11+ (padding explicit since the v6.14 fix)",
  family: "iommufd_fault",
  size: 40,
  guessRank: 6,
  source: ["K7", "K8", "K9"],
  notes: [
    "Bytes 20-23 were implicit, unzeroed padding before the v6.14 fix.",
    "flags bit 2 is the kernel-internal NEEDS_PASID, copied unmasked: 0x7 on VT-d hosts.",
    "grpid is a PCI PRI group index (<= 0x1ff), or the 16-bit stall tag of an SMMUv3 stall fault.",
  ],
  fields: [
    u32("flags", 0, "fault flags", { flags: PGFAULT_FLAGS }),
    u32("dev_id", 4, "iommufd device object ID"),
    u32("pasid", 8, "PASID"),
    u32("grpid", 12, "page request group index", { ranges: GRPID_RANGES }),
    u32("perm", 16, "requested permissions", { flags: PGFAULT_PERM }),
    u32("__reserved", 20, "must be 0", { role: "reserved" }),
    u64("addr", 24, "fault address"),
    u32("length", 32, "prefetch-size hint, 0 if none", { role: "hint" }),
    u32("cookie", 36, "fault group cookie, echoed in the response", { role: "cookie" }),
  ],
} as const satisfies RecordLayout;
