/**
 * The AMD-Vi event log entry: 16 bytes, read by the driver as four `u32` `event[0..3]`
 * (`iommu_print_event`), with every event type the kernel names, the IO_PAGE_FAULT flag bits by
 * name, the device ID as a PCI requester ID, and the PASID/domain the kernel prints.
 *
 * Sources: torvalds/linux @ 014e756247e847cde8a06fc27ee3a72a5140b972,
 * `drivers/iommu/amd/amd_iommu_types.h` (`EVENT_*`); torvalds/linux @
 * 0217ed5a946b61cca3a608d1ba9a422f8f85baf6, `drivers/iommu/amd/iommu.c` `iommu_print_event`;
 * bit positions of each event type: mirror/vbox @ 0720f5fac2ac, `include/VBox/iommu-amd.h`
 * (`EVT_IO_PAGE_FAULT_T`, `EVT_INVALID_DEVICE_REQUEST`, ..., "in accordance with the AMD spec").
 *
 * @example
 * ```ts
 * import { AMD_EVT } from "./amd_evt.ts";
 * AMD_EVT.size; // => 16
 * ```
 * @module
 */
import { b32, b64, type CodeEntry, res0 } from "../hw/fields.ts";
import type { EnumDesc, FlagSet, RecordLayout } from "../types.ts";

/** An AMD-Vi event type: the bracket tag the kernel prints and its `EVENT_TYPE_*` macro. */
export interface AmdEventType extends CodeEntry {
  /** The kernel's `EVENT_TYPE_*` macro. */
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

/** Event codes as an enum: the printed tag, its meaning and the kernel's macro. */
export const AMD_EVENT_ENUM: EnumDesc = {
  name: "AMD-Vi event code",
  prefix: "",
  values: AMD_EVENT_TYPES.map((e) => ({
    value: e.code,
    name: e.name,
    meaning: e.text,
    kernelName: e.kernel,
  })),
};

/**
 * The 12-bit `flags` value (entry bit = flag bit + 48), named as IO_PAGE_FAULT names them; bits
 * 11:9 are a type in INVALID_DEVICE_REQUEST and the *_HARDWARE_ERROR events and reserved in
 * IO_PAGE_FAULT. Names and bits as `include/VBox/iommu-amd.h` gives them (source log:A9 in
 * src/abi/sources.ts); the meanings are read from those AMD names.
 */
export const AMD_IO_PAGE_FAULT_FLAGS: FlagSet = {
  name: "AMD-Vi event flags (IO_PAGE_FAULT names)",
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
    { bit: 9, name: "TYPE0", meaning: "type bit 0 of the error events; reserved in IO_PAGE_FAULT" },
    { bit: 10, name: "TYPE1", meaning: "type bit 1; reserved in IO_PAGE_FAULT" },
    { bit: 11, name: "TYPE2", meaning: "type bit 2; reserved in IO_PAGE_FAULT" },
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

const when = (...values: number[]) => ({ field: "code", values });

/** The 16-byte event log entry. */
export const AMD_EVT = {
  id: "amd-evt",
  struct: "amd_iommu_event", // the driver reads it as u32 event[4]
  title: "AMD-Vi event log entry",
  era: "AMD IOMMU hardware; decoded by Linux amd_iommu (every version)",
  family: "hardware",
  size: 16,
  source: ["log:A1", "log:A7", "log:A9"],
  notes: [
    "The kernel prints pasid/domain as (event[0] & 0xf0000) | (event[1] & 0xffff): " +
    "pasid_hi | domid; IO_PAGE_FAULT prints domid alone as domain=.",
    "devid is the PCI requester ID on the IOMMU's PCI segment (iommu->pci_seg, not in the entry).",
    "flags are named as IO_PAGE_FAULT names them; INVALID_DEVICE_REQUEST has US at bit 1 and a " +
    "type in bits 11:9.",
    "Code 0 means the entry was not written yet (the driver waits for it); codes 0xa-0xc and " +
    "0xf have no name in the kernel, which prints them as UNKNOWN with the four words.",
  ],
  fields: [
    b32("devid", 0, 15, 0, "DeviceID (bus 15:8, devfn 7:0): event[0] & 0xffff", {
      format: "bdf",
    }),
    b32("pasid_hi", 0, 19, 16, "PASID[19:16], kept in place: event[0] & 0xf0000", {
      take: "mask",
      onlyWhen: when(0x1, 0x2, 0x4, 0x8),
    }),
    res0("res0", 0, "u32", 31, 20, { onlyWhen: when(0x2) }),
    b32("flags_rmp", 0, 23, 16, "RMP flags: (event[0] >> 16) & 0xff", {
      onlyWhen: when(0xd),
    }),
    b32("ppr_pasid_lo", 0, 31, 16, "PASID[15:0] of the PPR request (PPR_PASID1)", {
      onlyWhen: when(0x9),
    }),
    b32("domid", 4, 15, 0, "DomainID or PASID[15:0] (RMP: vmg_tag): event[1] & 0xffff", {
      onlyWhen: when(0x1, 0x2, 0x4, 0x8, 0xd, 0xe),
    }),
    b32("tag", 4, 9, 0, "PPR tag: event[1] & 0x3ff", { onlyWhen: when(0x9) }),
    b32("ppr_pasid_hi", 4, 13, 10, "PASID[19:16] of the PPR request (PPR_PASID2)", {
      onlyWhen: when(0x9),
    }),
    b32("flags", 4, 27, 16, "flags: (event[1] >> 16) & 0xfff", { flags: AMD_IO_PAGE_FAULT_FLAGS }),
    res0("res0_flags", 4, "u32", 27, 25, { onlyWhen: when(0x2) }),
    b32("code", 4, 31, 28, "event code: (event[1] >> 28) & 0xf", { enum: AMD_EVENT_ENUM }),
    b64("address", 8, 63, 0, "address: (u64)event[3] << 32 | event[2]"),
  ],
} as const satisfies RecordLayout;
