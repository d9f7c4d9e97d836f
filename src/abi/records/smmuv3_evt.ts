/**
 * The ARM SMMUv3 event queue record: 32 bytes, four little-endian 64-bit words, with every event
 * ID of the architecture, its name, its meaning and the fields the driver decodes for it. The
 * iommufd vEVENTQ SMMUv3 payload is this record with a virtual StreamID; `src/abi/vevent.ts`
 * derives its fields from this description.
 *
 * Sources: masks from ColinIanKing/linux-next @ 3cdb4bc78b47daa9f9db999d79754744e1b14f0d,
 * `drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h` (`EVTQ_*`, `EVT_ID_*`); how the driver takes
 * them from atlanticdg/linux-6.18.y @ 6c3dcfd01987448ad4e21c303ab436b68bbe36f3,
 * `drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c` `arm_smmu_decode_event`
 * (`event->ipa = raw[3] & EVTQ_3_IPA; event->fetch_addr = raw[3] & EVTQ_3_FETCH_ADDR;`: masked,
 * not shifted); IDs the kernel does not define from qemu/qemu @
 * f22833602095b05733bceaddeb20f3edfced3c07, `hw/arm/smmuv3-internal.h` (`SMMUEventType`);
 * meanings and RES0 bits from the SMMUv3 architecture specification (ARM IHI 0070), 7.3.
 *
 * @example
 * ```ts
 * import { SMMUV3_EVT } from "./smmuv3_evt.ts";
 * SMMUV3_EVT.size; // => 32
 * SMMUV3_EVT.fields.find((f) => f.name === "ipa"); // bits 51:12 of evt[3], taken masked
 * // => { kind: "bits", name: "ipa", offset: 24, type: "u64", lo: 12, hi: 51, take: "mask", ... }
 * ```
 * @module
 */
import { b64, type CodeEntry, res0 } from "../hw/fields.ts";
import type { EnumDesc, RecordLayout } from "../types.ts";

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

/** Every event ID of the architecture: the kernel's `EVT_ID_*` plus QEMU's `SMMUEventType`. */
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
    text: "An ATS translation request arrived for a stream that does not allow ATS.",
  },
  {
    code: 0x06,
    name: "F_STREAM_DISABLED",
    kernel: "EVT_ID_STREAM_DISABLED_FAULT",
    kernelNamed: true,
    fields: BASE,
    text: "The STE disables traffic without a SubstreamID (or with SubstreamID 0) and such a " +
      "transaction arrived.",
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

/** The event IDs as an enum: name, meaning, kernel macro and carried fields of each. */
export const SMMUV3_EVENT_ENUM: EnumDesc = {
  name: "SMMUv3 event ID",
  prefix: "",
  values: SMMUV3_EVENTS.map((e) => ({
    value: e.code,
    name: e.name,
    meaning: e.text,
    ...(e.kernel ? { kernelName: e.kernel } : {}),
    fields: e.fields,
  })),
};

/** `event_class_str[]` of the 6.15+ driver, index = CLASS (ARM IHI 0070 7.3: CD, TTD, IN). */
export const SMMUV3_CLASS: EnumDesc = {
  name: "EVTQ_1_CLASS",
  prefix: "",
  values: [
    { value: 0, name: "CD fetch", meaning: "the fault was on fetching a context descriptor" },
    {
      value: 1,
      name: "Stage 1 translation table fetch",
      meaning: "the fault was on a stage 1 table walk (EVTQ_1_CLASS_TT)",
    },
    {
      value: 2,
      name: "Input address caused fault",
      meaning: "the input address itself faulted",
    },
    { value: 3, name: "Reserved", meaning: "not used by the architecture" },
  ],
};

/** IDs whose record holds nothing beyond dword 0 (ARM IHI 0070 7.3.3, 7.3.5, 7.3.7, 7.3.9). */
const DWORD0_ONLY = [0x02, 0x04, 0x06, 0x08];

/** The IDs whose events carry `field` (the table above is the one source of that). */
function carriedBy(field: string): { field: "id"; values: number[] } {
  return {
    field: "id",
    values: SMMUV3_EVENTS.filter((e) => e.fields.includes(field)).map((e) => e.code),
  };
}

/** One line per group of events that carry the same fields, for `layout`. */
function carriedNote(): string {
  const groups = new Map<string, string[]>();
  for (const e of SMMUV3_EVENTS) {
    const key = e.fields.join(", ");
    groups.set(key, [...(groups.get(key) ?? []), e.name]);
  }
  return "Fields each event carries (6.15+ driver): " +
    [...groups].map(([fields, names]) => `${names.join("/")}: ${fields}`).join("; ") + ".";
}

/** The 32-byte event record, with the driver's names (`struct arm_smmu_event`). */
export const SMMUV3_EVT = {
  id: "smmuv3-evt",
  struct: "smmuv3_evtq_ent", // the driver reads it as u64 evt[EVTQ_ENT_DWORDS]
  title: "ARM SMMUv3 event queue record",
  era: "SMMUv3 hardware; decoded by Linux arm-smmu-v3 (every version)",
  family: "hardware",
  size: 32,
  source: ["log:S3", "log:S2", "arm-ihi-0070", "M8"],
  notes: [
    "ipa and fetch_addr are raw[3] & GENMASK(51, 12) and GENMASK(51, 3): addresses, not " +
    "shifted page numbers (the out-of-tree nested series v9-v12 shifted fetch_addr: [PATCH v12 " +
    "13/15] iommu/smmuv3: Report non recoverable faults).",
    "sid is the physical StreamID; the iommufd vEVENTQ payload is this record with the " +
    "virtual one (decode --abi vevent).",
    "ssid is meaningful only with ssv; the driver then reports IOMMU_NO_PASID (0).",
    "Fields other than id, ssv, ssid and sid are shown and checked only for the events that " +
    "carry them; --raw shows every byte.",
    carriedNote(),
  ],
  fields: [
    b64("id", 0, 7, 0, "event ID", { macro: "EVTQ_0_ID", enum: SMMUV3_EVENT_ENUM }),
    res0("res0", 0, "u64", 10, 8),
    b64("ssv", 0, 11, 11, "SubstreamID valid", { macro: "EVTQ_0_SSV" }),
    b64("ssid", 0, 31, 12, "SubstreamID (PASID)", { macro: "EVTQ_0_SSID" }),
    b64("sid", 0, 63, 32, "StreamID", { macro: "EVTQ_0_SID" }),
    b64("stag", 8, 15, 0, "stall tag", { macro: "EVTQ_1_STAG", onlyWhen: carriedBy("stag") }),
    b64("stall", 8, 31, 31, "the transaction is stalled awaiting a response", {
      macro: "EVTQ_1_STALL",
      onlyWhen: carriedBy("stall"),
    }),
    b64("pnu", 8, 33, 33, "privileged (1) or unprivileged (0)", {
      macro: "EVTQ_1_PnU",
      onlyWhen: carriedBy("pnu"),
    }),
    b64("ind", 8, 34, 34, "instruction (1) or data (0)", {
      macro: "EVTQ_1_InD",
      onlyWhen: carriedBy("ind"),
    }),
    b64("rnw", 8, 35, 35, "read (1) or write (0)", {
      macro: "EVTQ_1_RnW",
      onlyWhen: carriedBy("rnw"),
    }),
    b64("s2", 8, 39, 39, "the fault is at stage 2", {
      macro: "EVTQ_1_S2",
      onlyWhen: carriedBy("s2"),
    }),
    b64("class", 8, 41, 40, "what caused the fault", {
      macro: "EVTQ_1_CLASS",
      enum: SMMUV3_CLASS,
      onlyWhen: carriedBy("class"),
    }),
    b64("tt_read", 8, 44, 44, "translation table access was a read", {
      macro: "EVTQ_1_TT_READ",
      onlyWhen: carriedBy("tt_read"),
    }),
    b64("iova", 16, 63, 0, "input address", { macro: "EVTQ_2_ADDR", onlyWhen: carriedBy("iova") }),
    b64("ipa", 24, 51, 12, "intermediate physical address (masked)", {
      macro: "EVTQ_3_IPA",
      take: "mask",
      onlyWhen: carriedBy("ipa"),
    }),
    b64("fetch_addr", 24, 51, 3, "address of the failed fetch (masked)", {
      macro: "EVTQ_3_FETCH_ADDR",
      take: "mask",
      onlyWhen: carriedBy("fetch_addr"),
    }),
    res0("res0_dw1", 8, "u64", 63, 0, { onlyWhen: { field: "id", values: DWORD0_ONLY } }),
    res0("res0_dw2", 16, "u64", 63, 0, { onlyWhen: { field: "id", values: DWORD0_ONLY } }),
    res0("res0_dw3", 24, "u64", 63, 0, { onlyWhen: { field: "id", values: DWORD0_ONLY } }),
  ],
} as const satisfies RecordLayout;
