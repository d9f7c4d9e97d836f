/**
 * The AMD-Vi peripheral page request (PPR) log entry: 16 bytes, two little-endian 64-bit words.
 * Linux 6.9+ turns a valid one into an `iommu_fault` page request (`iommu_call_iopf_notifier`,
 * `drivers/iommu/amd/ppr.c`).
 *
 * Source: torvalds/linux @ 014e756247e847cde8a06fc27ee3a72a5140b972,
 * `drivers/iommu/amd/amd_iommu_types.h` (`PPR_*`).
 *
 * @example
 * ```ts
 * import { AMD_PPR } from "./amd_ppr.ts";
 * AMD_PPR.size; // => 16
 * ```
 * @module
 */
import { b64 } from "../hw/fields.ts";
import type { EnumDesc, FlagSet, RecordLayout } from "../types.ts";

/** PPR flags (`PPR_FLAG_*`). */
export const AMD_PPR_FLAGS: FlagSet = {
  name: "PPR flags",
  prefix: "PPR_FLAG_",
  bits: [
    { bit: 1, name: "EXEC", meaning: "execute permission requested" },
    { bit: 2, name: "READ", meaning: "read permission requested" },
    { bit: 5, name: "WRITE", meaning: "write permission requested" },
    { bit: 6, name: "US", meaning: "user (1) or supervisor (0)" },
    { bit: 7, name: "RVSD", meaning: "reserved bit not zero: an invalid request" },
    { bit: 8, name: "GN", meaning: "GVA and PASID are valid" },
  ],
};

/** `PPR_REQ_FAULT`: the only PPR request type the driver handles. */
export const PPR_REQ_FAULT = 0x01;

/** PPR request types (`PPR_REQ_*`). */
export const AMD_PPR_REQ_TYPE: EnumDesc = {
  name: "PPR request type",
  prefix: "PPR_REQ_",
  values: [{ value: PPR_REQ_FAULT, name: "FAULT", meaning: "a page request from the device" }],
};

/** The 16-byte PPR log entry. */
export const AMD_PPR = {
  id: "amd-ppr",
  struct: "amd_iommu_ppr_entry", // the driver reads it as u64 raw[2]
  title: "AMD-Vi peripheral page request",
  era: "AMD IOMMU hardware with PPR; reported as iommu_fault by Linux 6.9+",
  family: "hardware",
  size: 16,
  source: ["log:A7", "log:A8"],
  notes: [
    "PASID = pasid_hi << 16 | pasid_lo (PPR_PASID); tag bit 9 marks the last page of a group " +
    "and tag & 0x1ff is its group index.",
    "devid is the PCI requester ID on the IOMMU's PCI segment.",
  ],
  fields: [
    b64("devid", 0, 15, 0, "DeviceID: PPR_DEVID", { format: "bdf" }),
    b64("pasid_lo", 0, 31, 16, "PASID[15:0]: PPR_PASID1"),
    b64("tag", 0, 41, 32, "tag (bit 9 = last page in group): PPR_TAG"),
    b64("pasid_hi", 0, 45, 42, "PASID[19:16]: PPR_PASID2"),
    b64("flags", 0, 59, 48, "flags: PPR_FLAGS", { flags: AMD_PPR_FLAGS }),
    b64("req_type", 0, 63, 60, "request type: PPR_REQ_TYPE", { enum: AMD_PPR_REQ_TYPE }),
    b64("address", 8, 63, 0, "address (the driver keeps raw[1] & PAGE_MASK)"),
  ],
} as const satisfies RecordLayout;
