/**
 * iommufd's fault queue record `struct iommu_hwpt_pgfault` (Linux v6.11+, 40 bytes; abi.md 5.1).
 *
 * @example
 * ```ts
 * import { HWPT_PGFAULT } from "./hwpt_pgfault.ts";
 * HWPT_PGFAULT.size; // 40
 * ```
 * @module
 */
import { PRGI_MAX, u32, u64 } from "../fields.ts";
import { PERM_V8 } from "../iommu_fault.ts";
import type { FlagSet, RecordLayout } from "../types.ts";

/** `IOMMU_PGFAULT_FLAGS_*`. */
export const PGFAULT_FLAGS: FlagSet = {
  name: "iommu_hwpt_pgfault.flags",
  prefix: "IOMMU_PGFAULT_FLAGS_",
  bits: [
    { bit: 0, name: "PASID_VALID", guards: "pasid" },
    { bit: 1, name: "LAST_PAGE", meaning: "last request of the group" },
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
  source: "K7, K8, K9",
  notes: ["Bytes 20-23 were implicit, unzeroed padding before the v6.14 fix."],
  fields: [
    u32("flags", 0, "fault flags", { flags: PGFAULT_FLAGS }),
    u32("dev_id", 4, "iommufd device object ID"),
    u32("pasid", 8, "PASID"),
    u32("grpid", 12, "page request group index", { plausibleMax: PRGI_MAX }),
    u32("perm", 16, "requested permissions", { flags: PGFAULT_PERM }),
    u32("__reserved", 20, "must be 0", { role: "reserved" }),
    u64("addr", 24, "fault address"),
    u32("length", 32, "prefetch-size hint, 0 if none"),
    u32("cookie", 36, "fault group cookie, echoed in the response"),
  ],
} as const satisfies RecordLayout;
