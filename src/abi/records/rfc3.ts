/**
 * RFC v3 (Jan 2019): the flat 48-byte `struct iommu_fault` (`linux-headers/linux/iommu.h` of
 * QEMU's RFC v3 test branch, source S1 in src/abi/sources.ts), with its own reason numbering.
 * 1365 of them fill the 64 KiB RFC v3 region exactly.
 *
 * @example
 * ```ts
 * import { RFC3 } from "./rfc3.ts";
 * RFC3.size; // => 48
 * ```
 * @module
 */
import { FAULT_TYPE } from "../iommu_fault.ts";
import { GRPID_RANGES, u32, u64 } from "../fields.ts";
import type { EnumDesc, RecordLayout } from "../types.ts";

/** `enum iommu_fault_reason` as numbered in RFC v3 (source S1's `linux-headers/linux/iommu.h`). */
export const REASON_RFC3: EnumDesc = {
  name: "iommu_fault_reason (RFC v3)",
  prefix: "IOMMU_FAULT_REASON_",
  // QEMU's RFC v3 smmuv3_inject_faults (hw/arm/smmuv3.c of source S1) maps eleven reasons;
  // UNKNOWN and INTERNAL keep event type 0, which smmuv3_record_event discards
  // (`case SMMU_EVT_NONE`).
  unmapped: "QEMU records it as vSMMU event type 0, which smmuv3_record_event discards silently",
  values: [
    { value: 0, name: "UNKNOWN" },
    { value: 1, name: "INTERNAL" },
    { value: 2, name: "PASID_FETCH", injects: "F_CD_FETCH" },
    { value: 3, name: "DEVICE_CONTEXT_FETCH", injects: "F_STE_FETCH" },
    { value: 4, name: "BAD_PASID_ENTRY", injects: "C_BAD_CD" },
    { value: 5, name: "BAD_DEVICE_CONTEXT_ENTRY", injects: "C_BAD_STE" },
    { value: 6, name: "PASID_INVALID", injects: "C_BAD_SUBSTREAMID" },
    { value: 7, name: "SOURCEID_INVALID", injects: "C_BAD_STREAMID" },
    { value: 8, name: "WALK_EABT", injects: "F_WALK_EABT" },
    { value: 9, name: "PTE_FETCH", injects: "F_TRANSLATION" },
    { value: 10, name: "PERMISSION", injects: "F_PERMISSION" },
    { value: 11, name: "ACCESS", injects: "F_ACCESS" },
    { value: 12, name: "OOR_ADDRESS", injects: "F_ADDR_SIZE" },
  ],
};

/** RFC v3's flat fault record. */
export const RFC3 = {
  id: "rfc3",
  struct: "iommu_fault",
  title: "RFC v3 flat iommu_fault",
  era: "RFC v3, Jan 2019 (v5.0-rc1-2stage-rfc-v3)",
  family: "iommu_fault",
  size: 48,
  source: ["S1", "S2"],
  guessRank: 2,
  notes: [
    "Flat struct: no flags word; validity is carried by the boolean words pasid_valid and last_req.",
    "Reason numbering differs from every later generation (PERMISSION = 10 here, 6 from v4).",
    "No source read documents the encoding of prot and access, the header included.",
  ],
  fields: [
    u32("type", 0, "fault type", { enum: FAULT_TYPE }),
    u32("reason", 4, "fault reason (RFC v3 numbering)", { enum: REASON_RFC3 }),
    u64("addr", 8, "offending page address"),
    u64("fetch_addr", 16, "address whose fetch aborted, if any"),
    u32("pasid", 24, "PASID / SSID"),
    u32("page_req_group_id", 28, "page request group index", { ranges: GRPID_RANGES }),
    u32("last_req", 32, "last request in a page request group", { role: "bool" }),
    u32("pasid_valid", 36, "the pasid field is valid", { role: "bool", guards: "pasid" }),
    u32("prot", 40, "access protection (encoding undocumented)"),
    u32("access", 44, "undocumented"),
  ],
} as const satisfies RecordLayout;
