/**
 * The iommufd vEVENTQ stream (Linux v6.15+; `include/uapi/linux/iommufd.h`,
 * `drivers/iommu/iommufd/eventq.c`): each record is an 8-byte `iommufd_vevent_header` followed
 * by a payload whose size depends on the queue type, except a LOST_EVENTS header, which has
 * none. Described as data like the VFIO records.
 *
 * @example
 * ```ts
 * import { VEVENT_TYPES } from "./vevent.ts";
 * VEVENT_TYPES["arm-smmuv3"].payloadSize; // => 32: the raw SMMUv3 event record
 * ```
 * @module
 */
import type { EnumDesc, FlagSet } from "./types.ts";
import type { BitField } from "./hw/fields.ts";
import { SMMUV3_EVENTS, SMMUV3_EVT } from "./hw/smmuv3.ts";

/** `IOMMU_VEVENTQ_FLAG_*` of `struct iommufd_vevent_header`. */
export const VEVENT_FLAGS: FlagSet = {
  name: "iommufd_vevent_header.flags",
  prefix: "IOMMU_VEVENTQ_FLAG_",
  bits: [{
    bit: 0,
    name: "LOST_EVENTS",
    meaning: "events were lost; this header has no payload and is the last record of the read() " +
      "that returned it",
  }],
};

/** `struct iommufd_vevent_header`. */
export const VEVENT_HEADER = {
  struct: "iommufd_vevent_header",
  size: 8,
  /** Where the stream's layout and delivery come from (keys of `sources.ts`). */
  source: ["K7", "K10"],
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

/** A bit field of one 64-bit word of a hardware event record (the shared description type). */
export type DwordField = BitField;

/**
 * SMMUv3 event IDs that vEVENTQ reports (the doc comment of `struct iommu_vevent_arm_smmuv3`,
 * `include/uapi/linux/iommufd.h`): a subset of the architecture's.
 */
export const VEVENT_REPORTED_IDS: readonly number[] = [
  0x04,
  0x06,
  0x08,
  0x0a,
  0x10,
  0x11,
  0x12,
  0x13,
];

/** SMMUv3 event IDs that vEVENTQ reports, named as in {@link SMMUV3_EVENTS}. */
export const SMMUV3_EVENT_ID: EnumDesc = {
  name: "SMMUv3 event ID (reported through vEVENTQ)",
  prefix: "EVT_ID_",
  values: SMMUV3_EVENTS.filter((e) => VEVENT_REPORTED_IDS.includes(e.code)).map((e) => ({
    value: e.code,
    name: e.name,
  })),
};

/**
 * The vEVENT payload is the SMMUv3 event record with the StreamID replaced by the virtual one:
 * the fields of the registry's `smmuv3-evt` description (through its word view
 * {@link SMMUV3_EVT}, so never a second copy), `sid` shown as `vsid`, the input address under
 * the name this view has always used, the event ID limited to what vEVENTQ reports, and no
 * `fetch_addr` (no reported event carries one). `ipa` is `evt[3] & GENMASK(51, 12)`, not
 * shifted.
 */
export const SMMUV3_EVENT_FIELDS: readonly DwordField[] = SMMUV3_EVT.fields
  .filter((f) => f.name !== "fetch_addr")
  .map((f) => {
    if (f.name === "id") return { ...f, enum: SMMUV3_EVENT_ID };
    if (f.name === "sid") {
      return { ...f, name: "vsid", meaning: "virtual StreamID (vDEVICE virt_id)" };
    }
    if (f.name === "iova") return { ...f, name: "input_addr" };
    return f;
  });

/** Identifier of a vEVENTQ type that `decode --abi vevent --vevent-type` takes. */
export type VeventTypeId = "arm-smmuv3" | "tegra241-cmdqv";

/** A vEVENTQ type: its enum value, payload struct and size, and how to read the payload. */
export interface VeventType {
  /** The id `--vevent-type` takes. */
  readonly id: VeventTypeId;
  /** Its `enum iommu_veventq_type` value. */
  readonly value: number;
  /** The payload's C struct. */
  readonly struct: string;
  /** Name of the payload's `__aligned_le64` array and its length. */
  readonly array: {
    /** The array's name. */
    readonly name: string;
    /** Its length in words. */
    readonly count: number;
  };
  /** Bytes of the payload. */
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
