/**
 * The iommufd vEVENTQ stream (Linux v6.15+, abi.md 5.3): each record is an 8-byte
 * `iommufd_vevent_header` followed by a payload whose size depends on the queue type, except a
 * LOST_EVENTS header, which has none. Described as data like the VFIO records.
 *
 * @example
 * ```ts
 * import { VEVENT_TYPES } from "./vevent.ts";
 * VEVENT_TYPES["arm-smmuv3"].payloadSize; // 32: the raw SMMUv3 event record
 * ```
 * @module
 */
import type { EnumDesc, FlagSet } from "./types.ts";

/** `IOMMU_VEVENTQ_FLAG_*` of `struct iommufd_vevent_header`. */
export const VEVENT_FLAGS: FlagSet = {
  name: "iommufd_vevent_header.flags",
  prefix: "IOMMU_VEVENTQ_FLAG_",
  bits: [{
    bit: 0,
    name: "LOST_EVENTS",
    meaning: "events were lost; this header has no payload and is the last record",
  }],
};

/** `struct iommufd_vevent_header`. */
export const VEVENT_HEADER = {
  struct: "iommufd_vevent_header",
  size: 8,
  fields: [
    { name: "flags", offset: 0, meaning: "IOMMU_VEVENTQ_FLAG_*", flags: VEVENT_FLAGS },
    {
      name: "sequence",
      offset: 4,
      meaning: "event sequence number in [0, INT_MAX], then wraps to 0",
    },
  ],
} as const;

/** Largest sequence number: the kernel counts `(seq + 1) & INT_MAX`. */
export const VEVENT_SEQ_MAX = 0x7fffffff;

/** A bit field of one 64-bit dword of a hardware event record. */
export interface DwordField {
  readonly name: string;
  readonly dword: number;
  readonly lo: number;
  readonly hi: number;
  readonly meaning: string;
  readonly enum?: EnumDesc;
}

/** SMMUv3 event IDs that vEVENTQ reports (abi.md 5.3). */
export const SMMUV3_EVENT_ID: EnumDesc = {
  name: "SMMUv3 event ID (reported through vEVENTQ)",
  prefix: "EVT_ID_",
  values: [
    { value: 0x04, name: "C_BAD_STE" },
    { value: 0x06, name: "F_STREAM_DISABLED" },
    { value: 0x08, name: "C_BAD_SUBSTREAMID" },
    { value: 0x0a, name: "C_BAD_CD" },
    { value: 0x10, name: "F_TRANSLATION" },
    { value: 0x11, name: "F_ADDR_SIZE" },
    { value: 0x12, name: "F_ACCESS" },
    { value: 0x13, name: "F_PERMISSION" },
  ],
};

/** SMMUv3 event record fields the kernel decodes (abi.md 5.3, K13). */
export const SMMUV3_EVENT_FIELDS: readonly DwordField[] = [
  { name: "id", dword: 0, lo: 0, hi: 7, meaning: "event ID", enum: SMMUV3_EVENT_ID },
  { name: "ssv", dword: 0, lo: 11, hi: 11, meaning: "SubstreamID valid" },
  { name: "ssid", dword: 0, lo: 12, hi: 31, meaning: "SubstreamID (PASID)" },
  { name: "vsid", dword: 0, lo: 32, hi: 63, meaning: "virtual StreamID (vDEVICE virt_id)" },
  { name: "stag", dword: 1, lo: 0, hi: 15, meaning: "stall tag" },
  { name: "stall", dword: 1, lo: 31, hi: 31, meaning: "stalled transaction" },
  { name: "pnu", dword: 1, lo: 33, hi: 33, meaning: "privileged" },
  { name: "ind", dword: 1, lo: 34, hi: 34, meaning: "instruction" },
  { name: "rnw", dword: 1, lo: 35, hi: 35, meaning: "read (1) or write (0)" },
  { name: "s2", dword: 1, lo: 39, hi: 39, meaning: "stage 2 fault" },
  { name: "class", dword: 1, lo: 40, hi: 41, meaning: "CLASS" },
  { name: "tt_read", dword: 1, lo: 44, hi: 44, meaning: "translation table read" },
  { name: "input_addr", dword: 2, lo: 0, hi: 63, meaning: "input address" },
  { name: "ipa", dword: 3, lo: 12, hi: 51, meaning: "IPA (bits 51:12)" },
];

/** Identifier of a vEVENTQ type that `decode --abi vevent --vevent-type` takes. */
export type VeventTypeId = "arm-smmuv3" | "tegra241-cmdqv";

/** A vEVENTQ type: its enum value, payload struct and size, and how to read the payload. */
export interface VeventType {
  readonly id: VeventTypeId;
  readonly value: number;
  readonly struct: string;
  /** Name of the payload's `__aligned_le64` array and its length. */
  readonly array: { readonly name: string; readonly count: number };
  readonly payloadSize: number;
  /** Bit fields decoded from the array, if any. */
  readonly fields: readonly DwordField[];
}

/** `enum iommu_veventq_type` values faultscope decodes (DEFAULT = 0 is reserved). */
export const VEVENT_TYPES: Readonly<Record<VeventTypeId, VeventType>> = {
  "arm-smmuv3": {
    id: "arm-smmuv3",
    value: 1,
    struct: "iommu_vevent_arm_smmuv3",
    array: { name: "evt", count: 4 },
    payloadSize: 32,
    fields: SMMUV3_EVENT_FIELDS,
  },
  "tegra241-cmdqv": {
    id: "tegra241-cmdqv",
    value: 2,
    struct: "iommu_vevent_tegra241_cmdqv",
    array: { name: "lvcmdq_err_map", count: 2 },
    payloadSize: 16,
    fields: [],
  },
};
