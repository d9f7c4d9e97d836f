/**
 * AMD-Vi event log entry and PPR log entry (16 bytes each), read here as two little-endian
 * 64-bit words: `raw[0]` = `event[0] | event[1] << 32` of the driver's four u32, `raw[1]` = the
 * address. So entry bit 48 is bit 16 of `event[1]`: the IO_PAGE_FAULT flag GN.
 *
 * Sources: torvalds/linux @ 014e756247e847cde8a06fc27ee3a72a5140b972,
 * `drivers/iommu/amd/amd_iommu_types.h` (`EVENT_*`, `PPR_*`); torvalds/linux @
 * 0217ed5a946b61cca3a608d1ba9a422f8f85baf6, `drivers/iommu/amd/iommu.c` `iommu_print_event`;
 * flag positions of the entry: mirror/vbox @ 0720f5fac2ac, `include/VBox/iommu-amd.h`.
 *
 * @example
 * ```ts
 * import { AMD_EVENT_TYPES, amdEventType } from "./amd.ts";
 * amdEventType(2)?.name; // "IO_PAGE_FAULT"
 * AMD_EVENT_TYPES.length; // 11
 * ```
 * @module
 */
import type { EnumDesc, FlagSet } from "../types.ts";
import type { BitField, CodeEntry, HwRecord } from "./fields.ts";

/** An AMD-Vi event type: the bracket tag the kernel prints and its `EVENT_TYPE_*` macro. */
export interface AmdEventType extends CodeEntry {
  readonly kernel: string;
}

/** Every event type the kernel prints by name (codes 0xa-0xc have no case in mainline). */
export const AMD_EVENT_TYPES: readonly AmdEventType[] = [
  {
    code: 0x1,
    name: "ILLEGAL_DEV_TABLE_ENTRY",
    kernel: "EVENT_TYPE_ILL_DEV",
    text: "The device table entry of the requesting device is invalid or has reserved bits set.",
  },
  {
    code: 0x2,
    name: "IO_PAGE_FAULT",
    kernel: "EVENT_TYPE_IO_FAULT",
    text: "A request from the device failed translation or a permission check.",
  },
  {
    code: 0x3,
    name: "DEV_TAB_HARDWARE_ERROR",
    kernel: "EVENT_TYPE_DEV_TAB_ERR",
    text: "A hardware error occurred while the IOMMU read the device table.",
  },
  {
    code: 0x4,
    name: "PAGE_TAB_HARDWARE_ERROR",
    kernel: "EVENT_TYPE_PAGE_TAB_ERR",
    text: "A hardware error occurred while the IOMMU read a page table.",
  },
  {
    code: 0x5,
    name: "ILLEGAL_COMMAND_ERROR",
    kernel: "EVENT_TYPE_ILL_CMD",
    text: "The IOMMU fetched an invalid command from the command buffer.",
  },
  {
    code: 0x6,
    name: "COMMAND_HARDWARE_ERROR",
    kernel: "EVENT_TYPE_CMD_HARD_ERR",
    text: "A hardware error occurred while the IOMMU fetched a command.",
  },
  {
    code: 0x7,
    name: "IOTLB_INV_TIMEOUT",
    kernel: "EVENT_TYPE_IOTLB_INV_TO",
    text: "A device did not complete an IOTLB invalidation in time.",
  },
  {
    code: 0x8,
    name: "INVALID_DEVICE_REQUEST",
    kernel: "EVENT_TYPE_INV_DEV_REQ",
    text: "The device made a request its configuration does not allow (e.g. ATS when disabled).",
  },
  {
    code: 0x9,
    name: "INVALID_PPR_REQUEST",
    kernel: "EVENT_TYPE_INV_PPR_REQ",
    text: "A peripheral page request was rejected as invalid.",
  },
  {
    code: 0xd,
    name: "RMP_PAGE_FAULT",
    kernel: "EVENT_TYPE_RMP_FAULT",
    text: "An SEV-SNP reverse map table (RMP) check failed for the access.",
  },
  {
    code: 0xe,
    name: "RMP_HW_ERROR",
    kernel: "EVENT_TYPE_RMP_HW_ERR",
    text: "A hardware error occurred while the IOMMU read the reverse map table (RMP).",
  },
];

const BY_CODE = new Map(AMD_EVENT_TYPES.map((e) => [e.code, e]));
const BY_NAME = new Map(AMD_EVENT_TYPES.map((e) => [e.name, e]));

/** The event type with this code, if the kernel names it. */
export function amdEventType(code: number): AmdEventType | undefined {
  return BY_CODE.get(code);
}

/** The event type with this bracket tag (`IO_PAGE_FAULT`, ...). */
export function amdEventByName(name: string): AmdEventType | undefined {
  return BY_NAME.get(name);
}

/** Event codes as an enum. */
export const AMD_EVENT_ENUM: EnumDesc = {
  name: "AMD-Vi event code",
  prefix: "EVENT_TYPE_",
  values: AMD_EVENT_TYPES.map((e) => ({ value: e.code, name: e.name, meaning: e.text })),
};

/** IO_PAGE_FAULT flags (the 12-bit `flags` value; entry bit = flag bit + 48). */
export const AMD_IO_PAGE_FAULT_FLAGS: FlagSet = {
  name: "IO_PAGE_FAULT flags",
  prefix: "",
  bits: [
    { bit: 0, name: "GN", meaning: "guest access: the PASID field is valid" },
    { bit: 1, name: "NX", meaning: "no-execute: the access was an instruction fetch" },
    { bit: 2, name: "US", meaning: "user (1) or supervisor (0) access" },
    { bit: 3, name: "I", meaning: "interrupt request (0 = memory transaction)" },
    { bit: 4, name: "PR", meaning: "the page was present (a permission fault)" },
    { bit: 5, name: "RW", meaning: "write (1) or read (0)" },
    { bit: 6, name: "PE", meaning: "permission check failed" },
    { bit: 7, name: "RZ", meaning: "reserved bit not zero in a table entry" },
    { bit: 8, name: "TR", meaning: "translation request (ATS)" },
  ],
};

/** INVALID_DEVICE_REQUEST flags: GN, US and TR at other positions, a type in 11:9. */
export const AMD_INV_DEV_REQ_FLAGS: FlagSet = {
  name: "INVALID_DEVICE_REQUEST flags",
  prefix: "",
  bits: [
    { bit: 0, name: "GN", meaning: "guest access" },
    { bit: 1, name: "US", meaning: "user (1) or supervisor (0)" },
    { bit: 8, name: "TR", meaning: "translation request" },
  ],
};

const f = (
  name: string,
  word: number,
  lo: number,
  hi: number,
  meaning: string,
  extra: Partial<BitField> = {},
): BitField => ({ name, word, lo, hi, meaning, ...extra });

/** The 16-byte event log entry. */
export const AMD_EVT: HwRecord = {
  id: "amd-evt",
  struct: "AMD-Vi event log entry (u32 event[4])",
  title: "AMD-Vi event log entry",
  size: 16,
  wordBits: 64,
  source: "torvalds/linux @ 0217ed5a946b61cca3a608d1ba9a422f8f85baf6, " +
    "drivers/iommu/amd/iommu.c iommu_print_event; mirror/vbox @ 0720f5fac2ac, " +
    "include/VBox/iommu-amd.h",
  notes: [
    "The printed pasid/domain is (event[0] & 0xf0000) | (event[1] & 0xffff): pasid_hi | domid.",
    "Flags bit positions depend on the event type; IO_PAGE_FAULT's are named here.",
  ],
  fields: [
    f("devid", 0, 0, 15, "DeviceID (bus 15:8, devfn 7:0): event[0] & 0xffff"),
    f("pasid_hi", 0, 16, 19, "PASID[19:16], kept in place: event[0] & 0xf0000", {
      take: "mask",
    }),
    f("flags_rmp", 0, 16, 23, "RMP_PAGE_FAULT flags: (event[0] >> 16) & 0xff"),
    f("ppr_pasid_lo", 0, 16, 31, "INVALID_PPR_REQUEST: PPR_PASID1"),
    f("domid", 0, 32, 47, "DomainID or PASID[15:0] (RMP: vmg_tag): event[1] & 0xffff"),
    f("tag", 0, 32, 41, "INVALID_PPR_REQUEST tag: event[1] & 0x3ff"),
    f("ppr_pasid_hi", 0, 42, 45, "INVALID_PPR_REQUEST: PPR_PASID2"),
    f("flags", 0, 48, 59, "flags: (event[1] >> 16) & 0xfff", { flags: AMD_IO_PAGE_FAULT_FLAGS }),
    f("code", 0, 60, 63, "event code: (event[1] >> 28) & 0xf", { enum: AMD_EVENT_ENUM }),
    f("address", 1, 0, 63, "address: (u64)event[3] << 32 | event[2]"),
  ],
};

/** PPR flags (`PPR_FLAG_*`). */
export const AMD_PPR_FLAGS: FlagSet = {
  name: "PPR flags",
  prefix: "PPR_FLAG_",
  bits: [
    { bit: 1, name: "EXEC", meaning: "execute permission requested" },
    { bit: 2, name: "READ", meaning: "read permission requested" },
    { bit: 5, name: "WRITE", meaning: "write permission requested" },
    { bit: 6, name: "US", meaning: "user (1) or supervisor (0)" },
    { bit: 7, name: "RVSD", meaning: "reserved bit not zero" },
    { bit: 8, name: "GN", meaning: "GVA and PASID are valid" },
  ],
};

/** `PPR_REQ_FAULT`: the only PPR request type the driver handles. */
export const PPR_REQ_FAULT = 0x01;

/** The 16-byte PPR log entry. */
export const AMD_PPR: HwRecord = {
  id: "amd-ppr",
  struct: "AMD-Vi PPR log entry (u64 raw[2])",
  title: "AMD-Vi peripheral page request",
  size: 16,
  wordBits: 64,
  source: "torvalds/linux @ 014e756247e847cde8a06fc27ee3a72a5140b972, " +
    "drivers/iommu/amd/amd_iommu_types.h (PPR_*)",
  notes: ["PASID = ppr_pasid_hi << 16 | ppr_pasid_lo; tag bit 9 marks the last page of a group."],
  fields: [
    f("devid", 0, 0, 15, "DeviceID: PPR_DEVID"),
    f("pasid_lo", 0, 16, 31, "PASID[15:0]: PPR_PASID1"),
    f("tag", 0, 32, 41, "tag (bit 9 = last page in group): PPR_TAG"),
    f("pasid_hi", 0, 42, 45, "PASID[19:16]: PPR_PASID2"),
    f("flags", 0, 48, 59, "flags: PPR_FLAGS", { flags: AMD_PPR_FLAGS }),
    f("req_type", 0, 60, 63, "request type: PPR_REQ_TYPE (1 = fault)"),
    f("address", 1, 0, 63, "address"),
  ],
};
