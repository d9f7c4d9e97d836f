/**
 * Intel VT-d: the 128-bit fault recording register (FRCD), the 32-byte page request descriptor,
 * the fault status register bits, and the three fault-reason tables with the kernel's lookup
 * order (`dmar_get_fault_reason`).
 *
 * Sources: torvalds/linux @ c34e9ab9a612ee8b18273398ef75c207b01f516d,
 * `drivers/iommu/intel/dmar.c` (`dma_remap_fault_reasons[]`, `dma_remap_sm_fault_reasons[]`,
 * `irq_remap_fault_reasons[]`, `dmar_get_fault_reason`, `dmar_fault`);
 * `drivers/iommu/intel/iommu.h` (`dma_frcd_*`, `DMA_FSTS_*`); torvalds/linux @
 * 1a7c3068143be177deea86d977d3042a0c256706, `drivers/iommu/intel/prq.c` (`struct page_req_dsc`,
 * `intel_prq_report`); AT, PRIV and EXE (not read by the kernel) from qemu/qemu
 * `hw/i386/intel_iommu_internal.h` (`VTD_FRCD_*`).
 *
 * @example
 * ```ts
 * import { vtdFaultReason } from "./vtd.ts";
 * vtdFaultReason(0x05); // { code: 5, name: "PTE Write access is not set", kind: "dma", ... }
 * vtdFaultReason(0x25).kind; // "intr"
 * vtdFaultReason(0x27).name; // "Unknown"
 * ```
 * @module
 */
import type { EnumDesc, FlagSet } from "../types.ts";
import type { BitField, CodeEntry, HwRecord } from "./fields.ts";

/** `dma_remap_fault_reasons[]`, index = code (0x0d is absent from 3.x kernels). */
export const VTD_DMA_REASONS: readonly string[] = [
  "Software",
  "Present bit in root entry is clear",
  "Present bit in context entry is clear",
  "Invalid context entry",
  "Access beyond MGAW",
  "PTE Write access is not set",
  "PTE Read access is not set",
  "Next page table ptr is invalid",
  "Root table address invalid",
  "Context table ptr is invalid",
  "non-zero reserved fields in RTP",
  "non-zero reserved fields in CTP",
  "non-zero reserved fields in PTE",
  "PCE for translation request specifies blocking",
];

/** `irq_remap_fault_reasons[]`, code = 0x20 + index. */
export const VTD_IRQ_REASONS: readonly string[] = [
  "Detected reserved fields in the decoded interrupt-remapped request",
  "Interrupt index exceeded the interrupt-remapping table size",
  "Present field in the IRTE entry is clear",
  "Error accessing interrupt-remapping table pointed by IRTA_REG",
  "Detected reserved fields in the IRTE entry",
  "Blocked a compatibility format interrupt request",
  "Blocked an interrupt request due to source-id verification failure",
];

/** Scalable-mode reasons the kernel names; every other code in 0x30-0x90 is "Unknown". */
const SM_NAMED: ReadonlyArray<readonly [number, string]> = [
  [0x30, "SM: Invalid Root Table Address"],
  [0x31, "SM: TTM 0 for request with PASID"],
  [0x32, "SM: TTM 0 for page group request"],
  [0x38, "SM: Error attempting to access Root Entry"],
  [0x39, "SM: Present bit in Root Entry is clear"],
  [0x3a, "SM: Non-zero reserved field set in Root Entry"],
  [0x40, "SM: Error attempting to access Context Entry"],
  [0x41, "SM: Present bit in Context Entry is clear"],
  [0x42, "SM: Non-zero reserved field set in the Context Entry"],
  [0x43, "SM: Invalid Context Entry"],
  [0x44, "SM: DTE field in Context Entry is clear"],
  [0x45, "SM: PASID Enable field in Context Entry is clear"],
  [0x46, "SM: PASID is larger than the max in Context Entry"],
  [0x47, "SM: PRE field in Context-Entry is clear"],
  [0x48, "SM: RID_PASID field error in Context-Entry"],
  [0x50, "SM: Error attempting to access the PASID Directory Entry"],
  [0x51, "SM: Present bit in Directory Entry is clear"],
  [0x52, "SM: Non-zero reserved field set in PASID Directory Entry"],
  [0x58, "SM: Error attempting to access PASID Table Entry"],
  [0x59, "SM: Present bit in PASID Table Entry is clear"],
  [0x5a, "SM: Non-zero reserved field set in PASID Table Entry"],
  [0x5b, "SM: Invalid Scalable-Mode PASID Table Entry"],
  [0x5c, "SM: ERE field is clear in PASID Table Entry"],
  [0x5d, "SM: SRE field is clear in PASID Table Entry"],
  [0x70, "SM: Error attempting to access first-level paging entry"],
  [0x71, "SM: Present bit in first-level paging entry is clear"],
  [0x72, "SM: Non-zero reserved field set in first-level paging entry"],
  [0x73, "SM: Error attempting to access FL-PML4 entry"],
  [0x74, "SM: First-level entry address beyond MGAW in Nested translation"],
  [0x75, "SM: Read permission error in FL-PML4 entry in Nested translation"],
  [0x76, "SM: Read permission error in first-level paging entry in Nested translation"],
  [0x77, "SM: Write permission error in first-level paging entry in Nested translation"],
  [0x78, "SM: Error attempting to access second-level paging entry"],
  [0x79, "SM: Read/Write permission error in second-level paging entry"],
  [0x7a, "SM: Non-zero reserved field set in second-level paging entry"],
  [0x7b, "SM: Invalid second-level page table pointer"],
  [0x7c, "SM: A/D bit update needed in second-level entry when set up in no snoop"],
  [0x80, "SM: Address in first-level translation is not canonical"],
  [0x81, "SM: U/S set 0 for first-level translation with user privilege"],
  [0x82, "SM: No execute permission for request with PASID and ER=1"],
  [0x83, "SM: Address beyond the DMA hardware max"],
  [0x84, "SM: Second-level entry address beyond the max"],
  [0x85, "SM: No write permission for Write/AtomicOp request"],
  [0x86, "SM: No read permission for Read/AtomicOp request"],
  [0x87, "SM: Invalid address-interrupt address"],
  [0x90, "SM: A/D bit update needed in first-level entry when set up in no snoop"],
];

/** `dma_remap_sm_fault_reasons[]`: 97 entries, code = 0x30 + index. */
export const VTD_SM_REASONS: readonly string[] = (() => {
  const t: string[] = Array.from({ length: 97 }, () => "Unknown");
  for (const [code, text] of SM_NAMED) t[code - 0x30] = text;
  return t;
})();

/** Which table a reason code falls in; `unknown` prints through the DMA branch. */
export type VtdReasonKind = "dma" | "dma-sm" | "intr" | "unknown";

/** A fault reason: code, the kernel's string (its name for it), its meaning and its table. */
export interface VtdReason extends CodeEntry {
  readonly kind: VtdReasonKind;
}

/** Meanings of the legacy codes, where the kernel's string is terse. */
const DMA_TEXT: Readonly<Record<number, string>> = {
  0x00: "Fault reported by software (reason 0).",
  0x01: "The root entry for the device's bus is not present.",
  0x02: "The context entry for the device is not present: no domain is attached.",
  0x03: "The context entry for the device is invalid.",
  0x04: "The address is beyond the domain's maximum guest address width.",
  0x05: "The device wrote to a page whose page-table entry does not allow writes.",
  0x06: "The device read a page whose page-table entry does not allow reads (often unmapped).",
  0x07: "A next-level page-table pointer is invalid.",
  0x08: "The root table address is invalid.",
  0x09: "The context table pointer is invalid.",
  0x0a: "A reserved field is set in the root table pointer.",
  0x0b: "A reserved field is set in the context table pointer.",
  0x0c: "A reserved field is set in a page-table entry.",
  0x0d: "The context entry blocks translation requests (ATS) from this device.",
};

/**
 * The kernel's lookup (`dmar_get_fault_reason`): 0x20-0x26 interrupt remapping, then 0x30-0x90
 * scalable mode, then 0x00-0x0d legacy, else "Unknown" (printed as a DMA fault).
 */
export function vtdFaultReason(code: number): VtdReason {
  if (code >= 0x20 && code < 0x20 + VTD_IRQ_REASONS.length) {
    const name = VTD_IRQ_REASONS[code - 0x20];
    return { code, name, text: name + ".", kind: "intr" };
  }
  if (code >= 0x30 && code < 0x30 + VTD_SM_REASONS.length) {
    const name = VTD_SM_REASONS[code - 0x30];
    if (name === "Unknown") {
      return { code, name, text: "Scalable-mode code the kernel does not name.", kind: "unknown" };
    }
    return { code, name, text: "Scalable mode: " + name.slice(4) + ".", kind: "dma-sm" };
  }
  if (code >= 0 && code < VTD_DMA_REASONS.length) {
    return { code, name: VTD_DMA_REASONS[code], text: DMA_TEXT[code], kind: "dma" };
  }
  return {
    code,
    name: "Unknown",
    text: "A reason code outside every kernel table.",
    kind: "unknown",
  };
}

/** Every named reason, as an enum (for the FRCD `fr` field and `layout`). */
export const VTD_REASON_ENUM: EnumDesc = {
  name: "VT-d fault reason",
  prefix: "",
  values: [
    ...VTD_DMA_REASONS.map((name, i) => ({ value: i, name })),
    ...VTD_IRQ_REASONS.map((name, i) => ({ value: 0x20 + i, name })),
    ...VTD_SM_REASONS.map((name, i) => ({ value: 0x30 + i, name })).filter((v) =>
      v.name !== "Unknown"
    ),
  ],
};

/** Fault status register bits the kernel uses (`DMA_FSTS_*`); FRI is bits 15:8. */
export const VTD_FSTS: FlagSet = {
  name: "DMAR_FSTS_REG",
  prefix: "DMA_FSTS_",
  bits: [
    { bit: 0, name: "PFO", meaning: "primary fault overflow: fault records were lost in hardware" },
    { bit: 1, name: "PPF", meaning: "primary pending fault: records to read" },
    { bit: 4, name: "IQE", meaning: "invalidation queue error" },
    { bit: 5, name: "ICE", meaning: "invalidation completion error" },
    { bit: 6, name: "ITE", meaning: "invalidation time-out error" },
    { bit: 7, name: "PRO", meaning: "page request overflow" },
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

/** The 128-bit fault recording register, as two little-endian qwords. */
export const VTD_FRCD: HwRecord = {
  id: "vtd-fault",
  struct: "VT-d fault recording register (FRCD_REG)",
  title: "Intel VT-d fault record",
  size: 16,
  wordBits: 64,
  source: "torvalds/linux @ c34e9ab9a612ee8b18273398ef75c207b01f516d, " +
    "drivers/iommu/intel/dmar.c dmar_fault; drivers/iommu/intel/iommu.h dma_frcd_*",
  notes: [
    "fi is the page address (dma_frcd_page_addr clears the low 12 bits); interrupt-remapping " +
    "faults keep the interrupt index in bits 63:48 (fault_index).",
    "The kernel reads T, PP, PV, FR, SID and F; AT, PRIV and EXE are not read.",
  ],
  fields: [
    f("fi", 0, 12, 63, "fault info: page address of the request", { take: "mask" }),
    f("fault_index", 0, 48, 63, "interrupt-remapping faults: the interrupt index (addr >> 48)"),
    f("sid", 1, 0, 15, "source-id (bus 15:8, devfn 7:0): dma_frcd_source_id"),
    f("priv", 1, 29, 29, "privilege-mode request (bit 93)"),
    f("exe", 1, 30, 30, "execute request (bit 94)"),
    f("pp", 1, 31, 31, "PASID present: dma_frcd_pasid_present"),
    f("fr", 1, 32, 39, "fault reason: dma_frcd_fault_reason", { enum: VTD_REASON_ENUM }),
    f("pv", 1, 40, 59, "PASID value: dma_frcd_pasid_value"),
    f("at", 1, 60, 61, "address type"),
    f("t", 1, 62, 62, "type: 1 = read (DMA Read), 0 = write: dma_frcd_type"),
    f("f", 1, 63, 63, "fault: the record is valid (DMA_FRCD_F)"),
  ],
};

/** The 32-byte page request descriptor (`struct page_req_dsc`). */
export const VTD_PRQ: HwRecord = {
  id: "vtd-prq",
  struct: "page_req_dsc",
  title: "Intel VT-d page request descriptor",
  size: 32,
  wordBits: 64,
  source: "torvalds/linux @ 1a7c3068143be177deea86d977d3042a0c256706, " +
    "drivers/iommu/intel/prq.c struct page_req_dsc",
  notes: [
    "addr is a page number, as the struct's 52-bit bit field: the address is addr << 12.",
    "Bit 9 of qword 0 is tested by decode_prq_descriptor as 'private data present'.",
  ],
  fields: [
    f("type", 0, 0, 7, "descriptor type"),
    f("pasid_present", 0, 8, 8, "the PASID field is valid"),
    f("priv_data_present", 0, 9, 9, "private data present (qwords 2 and 3)"),
    f("rid", 0, 16, 31, "requester ID (bus 15:8, devfn 7:0)"),
    f("pasid", 0, 32, 51, "PASID"),
    f("exe_req", 0, 52, 52, "execute access requested"),
    f("pm_req", 0, 53, 53, "privileged-mode access requested"),
    f("rd_req", 1, 0, 0, "read access requested"),
    f("wr_req", 1, 1, 1, "write access requested"),
    f("lpig", 1, 2, 2, "last page in group"),
    f("prg_index", 1, 3, 11, "page request group index"),
    f("addr", 1, 12, 63, "page number of the request"),
    f("priv_data0", 2, 0, 63, "private data [0]"),
    f("priv_data1", 3, 0, 63, "private data [1]"),
  ],
};
