/**
 * The ARM SMMUv3 event queue record (32 bytes, four little-endian 64-bit words) and every event
 * ID of the architecture, with the fields the kernel decodes for each. The iommufd vEVENTQ
 * SMMUv3 payload is this record with a virtual StreamID (see `src/abi/vevent.ts`), and the PRI
 * queue entry (16 bytes) is described here too.
 *
 * Sources: masks from ColinIanKing/linux-next @ 3cdb4bc78b47daa9f9db999d79754744e1b14f0d,
 * `drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h` (`EVTQ_*`, `PRIQ_*`, `EVT_ID_*`); how the driver
 * takes them from atlanticdg/linux-6.18.y @ 6c3dcfd01987448ad4e21c303ab436b68bbe36f3,
 * `drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c` `arm_smmu_decode_event`:
 * `event->ipa = raw[3] & EVTQ_3_IPA; event->fetch_addr = raw[3] & EVTQ_3_FETCH_ADDR;` (masked,
 * not shifted). IDs the kernel does not define come from qemu/qemu @
 * f22833602095b05733bceaddeb20f3edfced3c07, `hw/arm/smmuv3-internal.h` (`SMMUEventType`);
 * meanings follow the SMMUv3 architecture specification (ARM IHI 0070), section 7.3.
 *
 * @example
 * ```ts
 * import { SMMUV3_EVT, smmuv3Event } from "./smmuv3.ts";
 * SMMUV3_EVT.size; // 32
 * smmuv3Event(0x10)?.name; // "F_TRANSLATION"
 * ```
 * @module
 */
import type { EnumDesc, FlagSet } from "../types.ts";
import type { BitField, CodeEntry, HwRecord } from "./fields.ts";

/** An SMMUv3 event ID: architecture name, whether the kernel names it, and what it carries. */
export interface Smmuv3Event extends CodeEntry {
  /** The kernel's `EVT_ID_*` macro, when it defines one (6.15+ header). */
  readonly kernel?: string;
  /** Whether the 6.15+ decoded line prints the name (`event_str[]`) or `UNKNOWN`. */
  readonly kernelNamed: boolean;
  /** Fields of the record the event carries (and the 6.15+ driver prints). */
  readonly fields: readonly string[];
}

const BASE = ["sid", "ssv", "ssid"] as const;
const XLATE = [...BASE, "iova", "ipa", "pnu", "ind", "rnw", "s2", "class", "stall", "stag"];
const FETCH = [...BASE, "fetch_addr"];

/** Every event ID of the architecture (abi.md 5.3 plus logs.md 5.2). */
export const SMMUV3_EVENTS: readonly Smmuv3Event[] = [
  {
    code: 0x01,
    name: "F_UUT",
    kernelNamed: false,
    fields: BASE,
    text: "Unsupported upstream transaction: the SMMU cannot handle the incoming transaction type.",
  },
  {
    code: 0x02,
    name: "C_BAD_STREAMID",
    kernel: "EVT_ID_BAD_STREAMID_CONFIG",
    kernelNamed: true,
    fields: BASE,
    text: "The StreamID is out of range of the stream table, or no STE exists for it.",
  },
  {
    code: 0x03,
    name: "F_STE_FETCH",
    kernel: "EVT_ID_STE_FETCH_FAULT",
    kernelNamed: true,
    fields: FETCH,
    text: "Fetching the stream table entry (STE) failed with an external abort.",
  },
  {
    code: 0x04,
    name: "C_BAD_STE",
    kernel: "EVT_ID_BAD_STE_CONFIG",
    kernelNamed: true,
    fields: BASE,
    text: "The stream table entry (STE) is invalid or misconfigured.",
  },
  {
    code: 0x05,
    name: "F_BAD_ATS_TREQ",
    kernelNamed: false,
    fields: BASE,
    text: "An ATS translation request was not allowed or was malformed.",
  },
  {
    code: 0x06,
    name: "F_STREAM_DISABLED",
    kernel: "EVT_ID_STREAM_DISABLED_FAULT",
    kernelNamed: true,
    fields: BASE,
    text: "A transaction arrived on a stream whose STE is configured to abort (stream disabled).",
  },
  {
    code: 0x07,
    name: "F_TRANSL_FORBIDDEN",
    kernelNamed: false,
    fields: BASE,
    text:
      "An ATS-translated transaction arrived on a stream that does not permit translated traffic.",
  },
  {
    code: 0x08,
    name: "C_BAD_SUBSTREAMID",
    kernel: "EVT_ID_BAD_SUBSTREAMID_CONFIG",
    kernelNamed: true,
    fields: BASE,
    text: "The SubstreamID (PASID) is out of range or substreams are not enabled for the stream.",
  },
  {
    code: 0x09,
    name: "F_CD_FETCH",
    kernel: "EVT_ID_CD_FETCH_FAULT",
    kernelNamed: true,
    fields: FETCH,
    text: "Fetching the context descriptor (CD) failed with an external abort.",
  },
  {
    code: 0x0a,
    name: "C_BAD_CD",
    kernel: "EVT_ID_BAD_CD_CONFIG",
    kernelNamed: true,
    fields: BASE,
    text: "The context descriptor (CD) is invalid or misconfigured.",
  },
  {
    code: 0x0b,
    name: "F_WALK_EABT",
    kernelNamed: false,
    fields: BASE,
    text: "A translation table walk took an external abort.",
  },
  {
    code: 0x10,
    name: "F_TRANSLATION",
    kernel: "EVT_ID_TRANSLATION_FAULT",
    kernelNamed: true,
    fields: XLATE,
    text: "Translation fault: the page tables have no valid mapping for the input address.",
  },
  {
    code: 0x11,
    name: "F_ADDR_SIZE",
    kernel: "EVT_ID_ADDR_SIZE_FAULT",
    kernelNamed: true,
    fields: XLATE,
    text: "Address size fault: an address is out of the range the configuration allows.",
  },
  {
    code: 0x12,
    name: "F_ACCESS",
    kernel: "EVT_ID_ACCESS_FAULT",
    kernelNamed: true,
    fields: XLATE,
    text: "Access flag fault: the page's access flag is clear and hardware update is off.",
  },
  {
    code: 0x13,
    name: "F_PERMISSION",
    kernel: "EVT_ID_PERMISSION_FAULT",
    kernelNamed: true,
    fields: [...XLATE, "tt_read"],
    text: "Permission fault: the mapping does not allow this access (read, write or execute).",
  },
  {
    code: 0x20,
    name: "F_TLB_CONFLICT",
    kernelNamed: false,
    fields: BASE,
    text: "TLB conflict: overlapping TLB entries matched the transaction.",
  },
  {
    code: 0x21,
    name: "F_CFG_CONFLICT",
    kernelNamed: false,
    fields: BASE,
    text: "Configuration cache conflict: overlapping cached STE/CD entries matched.",
  },
  {
    code: 0x24,
    name: "E_PAGE_REQUEST",
    kernelNamed: false,
    fields: BASE,
    text: "A speculative page request hint was received.",
  },
  {
    code: 0x25,
    name: "F_VMS_FETCH",
    kernel: "EVT_ID_VMS_FETCH_FAULT",
    kernelNamed: true,
    fields: FETCH,
    text: "Fetching the virtual machine structure (VMS) failed with an external abort.",
  },
];

const BY_CODE = new Map(SMMUV3_EVENTS.map((e) => [e.code, e]));

/** The event with this ID, if the architecture defines one. */
export function smmuv3Event(id: number): Smmuv3Event | undefined {
  return BY_CODE.get(id);
}

/** The event IDs as an enum (for JSON `id_name` and the layout). */
export const SMMUV3_EVENT_ENUM: EnumDesc = {
  name: "SMMUv3 event ID",
  prefix: "",
  values: SMMUV3_EVENTS.map((e) => ({ value: e.code, name: e.name, meaning: e.text })),
};

/** `event_class_str[]` of the 6.15+ driver, index = CLASS. */
export const SMMUV3_CLASS: EnumDesc = {
  name: "EVTQ_1_CLASS",
  prefix: "",
  values: [
    { value: 0, name: "CD fetch" },
    { value: 1, name: "Stage 1 translation table fetch" },
    { value: 2, name: "Input address caused fault" },
    { value: 3, name: "Reserved" },
  ],
};

const f = (
  name: string,
  word: number,
  lo: number,
  hi: number,
  macro: string,
  meaning: string,
  extra: Partial<BitField> = {},
): BitField => ({ name, word, lo, hi, macro, meaning, ...extra });

/** The 32-byte event record, with the driver's names (`struct arm_smmu_event`). */
export const SMMUV3_EVT: HwRecord = {
  id: "smmuv3-evt",
  struct: "SMMUv3 event queue record (u64 evt[4])",
  title: "ARM SMMUv3 event record",
  size: 32,
  wordBits: 64,
  source: "ColinIanKing/linux-next @ 3cdb4bc78b47daa9f9db999d79754744e1b14f0d, " +
    "drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h; arm_smmu_decode_event in " +
    "atlanticdg/linux-6.18.y @ 6c3dcfd01987448ad4e21c303ab436b68bbe36f3",
  notes: [
    "ipa and fetch_addr are raw[3] & GENMASK: addresses, not shifted page numbers.",
    "ssid is meaningful only with ssv; the driver then reports IOMMU_NO_PASID (0).",
  ],
  fields: [
    f("id", 0, 0, 7, "EVTQ_0_ID", "event ID", { enum: SMMUV3_EVENT_ENUM }),
    f("ssv", 0, 11, 11, "EVTQ_0_SSV", "SubstreamID valid"),
    f("ssid", 0, 12, 31, "EVTQ_0_SSID", "SubstreamID (PASID)"),
    f("sid", 0, 32, 63, "EVTQ_0_SID", "StreamID"),
    f("stag", 1, 0, 15, "EVTQ_1_STAG", "stall tag"),
    f("stall", 1, 31, 31, "EVTQ_1_STALL", "the transaction is stalled awaiting a response"),
    f("pnu", 1, 33, 33, "EVTQ_1_PnU", "privileged (1) or unprivileged (0)"),
    f("ind", 1, 34, 34, "EVTQ_1_InD", "instruction (1) or data (0)"),
    f("rnw", 1, 35, 35, "EVTQ_1_RnW", "read (1) or write (0)"),
    f("s2", 1, 39, 39, "EVTQ_1_S2", "the fault is at stage 2"),
    f("class", 1, 40, 41, "EVTQ_1_CLASS", "what caused the fault", { enum: SMMUV3_CLASS }),
    f("tt_read", 1, 44, 44, "EVTQ_1_TT_READ", "translation table access was a read"),
    f("iova", 2, 0, 63, "EVTQ_2_ADDR", "input address"),
    f("ipa", 3, 12, 51, "EVTQ_3_IPA", "intermediate physical address (masked)", {
      take: "mask",
    }),
    f("fetch_addr", 3, 3, 51, "EVTQ_3_FETCH_ADDR", "address of the failed fetch (masked)", {
      take: "mask",
    }),
  ],
};

/** `EVTQ_1_CLASS_TT`: CLASS value meaning "translation table walk" (6.15+ header). */
export const EVTQ_1_CLASS_TT = 1;

/** PRI queue permission bits, as flags of the PRIQ word 0 bits 58-63 (`PRIQ_0_PERM_*`). */
export const PRIQ_PERM: FlagSet = {
  name: "PRIQ_0 permission bits",
  prefix: "PRIQ_0_",
  bits: [
    { bit: 0, name: "PERM_PRIV" },
    { bit: 1, name: "PERM_EXEC" },
    { bit: 2, name: "PERM_READ" },
    { bit: 3, name: "PERM_WRITE" },
    { bit: 4, name: "PRG_LAST" },
    { bit: 5, name: "SSID_V" },
  ],
};

/** The 16-byte PRI queue entry (page request). */
export const SMMUV3_PRIQ: HwRecord = {
  id: "smmuv3-priq",
  struct: "SMMUv3 PRI queue entry (u64 evt[2])",
  title: "ARM SMMUv3 page request",
  size: 16,
  wordBits: 64,
  source: "ColinIanKing/linux-next @ 3cdb4bc78b47daa9f9db999d79754744e1b14f0d, " +
    "drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h (PRIQ_*)",
  fields: [
    f("sid", 0, 0, 31, "PRIQ_0_SID", "StreamID"),
    f("ssid", 0, 32, 51, "PRIQ_0_SSID", "SubstreamID (PASID)"),
    f("perm", 0, 58, 63, "PRIQ_0_PERM_*", "permission and group bits", { flags: PRIQ_PERM }),
    f("grpid", 1, 0, 8, "PRIQ_1_PRG_IDX", "page request group index"),
    f("addr", 1, 12, 63, "PRIQ_1_ADDR_MASK", "page address (masked)", { take: "mask" }),
  ],
};
