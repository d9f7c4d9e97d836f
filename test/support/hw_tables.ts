/**
 * An independent, hand-made transcription of the hardware record tables of logs.md (sections
 * 3.3, 3.5, 3.6, 4.1, 4.2, 4.5, 5.1, 5.2, 5.6, 7) and abi.md 5.3: each field as absolute bit
 * positions in the record (logs.md counts bit 64 as bit 0 of the second 64-bit word), how the
 * kernel takes it, and the codes and flag bits with their names. The bits the kernel does not
 * read (VT-d T2 and the reserved ranges) come from mirror/vbox @ 0720f5fac2ac,
 * include/VBox/iommu-intel.h. Nothing here is computed from `src/`.
 *
 * @module
 */

/** One field: name, lowest and highest bit of the record (inclusive), and `mask` when taken in place. */
export type BitRow = readonly [name: string, lo: number, hi: number, take?: "mask"];

/** A hardware record: size in bytes, its fields, and its reserved (RES0) ranges. */
export interface HwTable {
  readonly size: number;
  readonly fields: readonly BitRow[];
  readonly reserved: readonly (readonly [lo: number, hi: number])[];
}

/** Every hardware record, by the id the CLI uses. */
export const HW_TABLES: Readonly<Record<string, HwTable>> = {
  // abi.md 5.3 (dword table) and logs.md 5.1: dword n starts at bit 64n.
  "smmuv3-evt": {
    size: 32,
    fields: [
      ["id", 0, 7],
      ["ssv", 11, 11],
      ["ssid", 12, 31],
      ["sid", 32, 63],
      ["stag", 64, 79],
      ["stall", 95, 95],
      ["pnu", 97, 97],
      ["ind", 98, 98],
      ["rnw", 99, 99],
      ["s2", 103, 103],
      ["class", 104, 105],
      ["tt_read", 108, 108],
      ["iova", 128, 191],
      ["ipa", 192 + 12, 192 + 51, "mask"],
      ["fetch_addr", 192 + 3, 192 + 51, "mask"],
    ],
    // ARM IHI 0070 7.3: bits 10:8 are RES0 in every event record; dwords 1-3 in C_BAD_STREAMID,
    // C_BAD_STE, F_STREAM_DISABLED and C_BAD_SUBSTREAMID (7.3.3, 7.3.5, 7.3.7, 7.3.9).
    reserved: [[8, 10], [64, 127], [128, 191], [192, 255]],
  },
  // logs.md 5.1 PRIQ: SID 31:0, SSID 51:32, PERM/LAST/SSID_V 63:58, PRG_IDX 8:0, ADDR 63:12.
  "smmuv3-priq": {
    size: 16,
    fields: [
      ["sid", 0, 31],
      ["ssid", 32, 51],
      ["perm", 58, 63],
      ["grpid", 64, 72],
      ["addr", 64 + 12, 127, "mask"],
    ],
    reserved: [],
  },
  // logs.md 4.1: event[0] bits 0-31, event[1] 32-63, address 64-127.
  "amd-evt": {
    size: 16,
    fields: [
      ["devid", 0, 15],
      ["pasid_hi", 16, 19, "mask"],
      ["flags_rmp", 16, 23],
      ["ppr_pasid_lo", 16, 31],
      ["domid", 32, 47],
      ["tag", 32, 41],
      ["ppr_pasid_hi", 42, 45],
      ["flags", 48, 59],
      ["code", 60, 63],
      ["address", 64, 127],
    ],
    // IO_PAGE_FAULT only (vbox EVT_IO_PAGE_FAULT_T): event[0] 31:20, entry bits 59:57.
    reserved: [[20, 31], [57, 59]],
  },
  // logs.md 4.5.
  "amd-ppr": {
    size: 16,
    fields: [
      ["devid", 0, 15],
      ["pasid_lo", 16, 31],
      ["tag", 32, 41],
      ["pasid_hi", 42, 45],
      ["flags", 48, 59],
      ["req_type", 60, 63],
      ["address", 64, 127],
    ],
    reserved: [],
  },
  // logs.md 3.5 (and vbox for T2 at bit 92).
  "vtd-fault": {
    size: 16,
    fields: [
      ["fi", 12, 63, "mask"],
      ["fault_index", 48, 63],
      ["sid", 64, 79],
      ["t2", 92, 92],
      ["priv", 93, 93],
      ["exe", 94, 94],
      ["pp", 95, 95],
      ["fr", 96, 103],
      ["pv", 104, 123],
      ["at", 124, 125],
      ["t", 126, 126],
      ["f", 127, 127],
    ],
    reserved: [[0, 11], [80, 91]],
  },
  // logs.md 3.6.
  "vtd-prq": {
    size: 32,
    fields: [
      ["type", 0, 7],
      ["pasid_present", 8, 8],
      ["priv_data_present", 9, 9],
      ["rid", 16, 31],
      ["pasid", 32, 51],
      ["exe_req", 52, 52],
      ["pm_req", 53, 53],
      ["rd_req", 64, 64],
      ["wr_req", 65, 65],
      ["lpig", 66, 66],
      ["prg_index", 67, 75],
      ["addr", 76, 127],
      ["priv_data[0]", 128, 191],
      ["priv_data[1]", 192, 255],
    ],
    reserved: [[10, 15], [54, 63]],
  },
  // logs.md 7: reason at byte 0, reserved[3], flags at 4, endpoint at 8, reserved2[4], address at 16.
  "virtio-iommu-fault": {
    size: 24,
    fields: [
      ["reason", 0, 7],
      ["flags", 32, 63],
      ["endpoint", 64, 95],
      ["address", 128, 191],
    ],
    reserved: [[8, 31], [96, 127]],
  },
  // logs.md 5.6.
  "arm-smmu-fsr": {
    size: 4,
    fields: [
      ["TF", 1, 1],
      ["AFF", 2, 2],
      ["PF", 3, 3],
      ["EF", 4, 4],
      ["TLBMCF", 5, 5],
      ["TLBLKF", 6, 6],
      ["ASF", 7, 7],
      ["UUT", 8, 8],
      ["FORMAT", 9, 10],
      ["SS", 30, 30],
      ["MULTI", 31, 31],
    ],
    reserved: [],
  },
  "arm-smmu-fsynr0": {
    size: 4,
    fields: [
      ["PLVL", 0, 1],
      ["WNR", 4, 4],
      ["PNU", 5, 5],
      ["IND", 6, 6],
      ["NSATTR", 8, 8],
      ["PTWF", 10, 10],
      ["AFR", 11, 11],
      ["S1CBNDX", 16, 23],
    ],
    reserved: [],
  },
};

/** logs.md 5.2: every SMMUv3 event ID and its name; `kernel` marks those `event_str[]` names. */
export const SMMUV3_EVENT_NAMES: Readonly<Record<number, { name: string; kernel: boolean }>> = {
  0x01: { name: "F_UUT", kernel: false },
  0x02: { name: "C_BAD_STREAMID", kernel: true },
  0x03: { name: "F_STE_FETCH", kernel: true },
  0x04: { name: "C_BAD_STE", kernel: true },
  0x05: { name: "F_BAD_ATS_TREQ", kernel: false },
  0x06: { name: "F_STREAM_DISABLED", kernel: true },
  0x07: { name: "F_TRANSL_FORBIDDEN", kernel: false },
  0x08: { name: "C_BAD_SUBSTREAMID", kernel: true },
  0x09: { name: "F_CD_FETCH", kernel: true },
  0x0a: { name: "C_BAD_CD", kernel: true },
  0x0b: { name: "F_WALK_EABT", kernel: false },
  0x10: { name: "F_TRANSLATION", kernel: true },
  0x11: { name: "F_ADDR_SIZE", kernel: true },
  0x12: { name: "F_ACCESS", kernel: true },
  0x13: { name: "F_PERMISSION", kernel: true },
  0x20: { name: "F_TLB_CONFLICT", kernel: false },
  0x21: { name: "F_CFG_CONFLICT", kernel: false },
  0x24: { name: "E_PAGE_REQUEST", kernel: false },
  0x25: { name: "F_VMS_FETCH", kernel: true },
};

/** logs.md 4.2: AMD-Vi event codes, the bracket tag printed and the `EVENT_TYPE_*` macro. */
export const AMD_EVENT_CODES: Readonly<Record<number, readonly [tag: string, macro: string]>> = {
  0x1: ["ILLEGAL_DEV_TABLE_ENTRY", "EVENT_TYPE_ILL_DEV"],
  0x2: ["IO_PAGE_FAULT", "EVENT_TYPE_IO_FAULT"],
  0x3: ["DEV_TAB_HARDWARE_ERROR", "EVENT_TYPE_DEV_TAB_ERR"],
  0x4: ["PAGE_TAB_HARDWARE_ERROR", "EVENT_TYPE_PAGE_TAB_ERR"],
  0x5: ["ILLEGAL_COMMAND_ERROR", "EVENT_TYPE_ILL_CMD"],
  0x6: ["COMMAND_HARDWARE_ERROR", "EVENT_TYPE_CMD_HARD_ERR"],
  0x7: ["IOTLB_INV_TIMEOUT", "EVENT_TYPE_IOTLB_INV_TO"],
  0x8: ["INVALID_DEVICE_REQUEST", "EVENT_TYPE_INV_DEV_REQ"],
  0x9: ["INVALID_PPR_REQUEST", "EVENT_TYPE_INV_PPR_REQ"],
  0xd: ["RMP_PAGE_FAULT", "EVENT_TYPE_RMP_FAULT"],
  0xe: ["RMP_HW_ERROR", "EVENT_TYPE_RMP_HW_ERR"],
};

/** logs.md 4.1: IO_PAGE_FAULT flag bits (bit of the 12-bit flags value). */
export const AMD_IOPF_FLAGS: Readonly<Record<string, number>> = {
  GN: 0,
  NX: 1,
  US: 2,
  I: 3,
  PR: 4,
  RW: 5,
  PE: 6,
  RZ: 7,
  TR: 8,
};

/** logs.md 4.5: PPR flags. */
export const AMD_PPR_FLAG_BITS: Readonly<Record<string, number>> = {
  EXEC: 1,
  READ: 2,
  WRITE: 5,
  US: 6,
  RVSD: 7,
  GN: 8,
};

/** logs.md 7: virtio-iommu reasons and flags. */
export const VIRTIO_REASONS: Readonly<Record<number, string>> = {
  0: "UNKNOWN",
  1: "DOMAIN",
  2: "MAPPING",
};
export const VIRTIO_FLAGS: Readonly<Record<string, number>> = {
  READ: 0,
  WRITE: 1,
  EXEC: 2,
  ADDRESS: 8,
};

/**
 * logs.md 3.3: a sample of each reason table by code (the kernel's strings), and the codes that
 * print "Unknown" inside the scalable-mode range.
 */
export const VTD_REASONS: Readonly<Record<number, string>> = {
  0x00: "Software",
  0x05: "PTE Write access is not set",
  0x06: "PTE Read access is not set",
  0x0c: "non-zero reserved fields in PTE",
  0x0d: "PCE for translation request specifies blocking",
  0x20: "Detected reserved fields in the decoded interrupt-remapped request",
  0x25: "Blocked a compatibility format interrupt request",
  0x26: "Blocked an interrupt request due to source-id verification failure",
  0x30: "SM: Invalid Root Table Address",
  0x5d: "SM: SRE field is clear in PASID Table Entry",
  0x71: "SM: Present bit in first-level paging entry is clear",
  0x90: "SM: A/D bit update needed in first-level entry when set up in no snoop",
};
export const VTD_SM_UNKNOWN_RANGES: readonly (readonly [number, number])[] = [
  [0x33, 0x37],
  [0x3b, 0x3f],
  [0x49, 0x4f],
  [0x53, 0x57],
  [0x5e, 0x6f],
  [0x7d, 0x7f],
  [0x88, 0x8f],
];
