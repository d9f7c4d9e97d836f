/**
 * The Intel VT-d fault recording register (FRCD): 128 bits, two little-endian 64-bit words,
 * with the three fault-reason tables of `dmar_get_fault_reason`: legacy (0x00-0x0d), interrupt
 * remapping (0x20-0x26) and scalable mode (0x30-0x90), by code, the kernel's string and its
 * meaning.
 *
 * Sources: torvalds/linux @ c34e9ab9a612ee8b18273398ef75c207b01f516d,
 * `drivers/iommu/intel/dmar.c` (`dma_remap_fault_reasons[]`, `dma_remap_sm_fault_reasons[]`,
 * `irq_remap_fault_reasons[]`, `dmar_fault`); `drivers/iommu/intel/iommu.h` (`dma_frcd_*`);
 * the bits the kernel does not read (T2, PRIV, EXE, AT) and the reserved ones from mirror/vbox @
 * 0720f5fac2ac, `include/VBox/iommu-intel.h` (`VTD_BF_0_FRCD_REG_*`, `VTD_BF_1_FRCD_REG_*`).
 *
 * @example
 * ```ts
 * import { VTD_FRCD, VTD_REASON_ENUM } from "./vtd_fault.ts";
 * VTD_FRCD.size; // => 16
 * VTD_REASON_ENUM.values.find((v) => v.value === 0x05)?.name; // => "PTE Write access is not set"
 * ```
 * @module
 */
import { b64, res0 } from "../hw/fields.ts";
import type { EnumDesc, EnumValue, RecordLayout } from "../types.ts";

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

/** Meanings of the legacy codes, where the kernel's string is terse. */
const DMA_TEXT: readonly string[] = [
  "Fault reported by software (reason 0).",
  "The root entry for the device's bus is not present.",
  "The context entry for the device is not present: no domain is attached.",
  "The context entry for the device is invalid.",
  "The address is beyond the domain's maximum guest address width.",
  "The device wrote to a page whose page-table entry does not allow writes.",
  "The device read a page whose page-table entry does not allow reads (often unmapped).",
  "A next-level page-table pointer is invalid.",
  "The root table address is invalid.",
  "The context table pointer is invalid.",
  "A reserved field is set in the root table pointer.",
  "A reserved field is set in the context table pointer.",
  "A reserved field is set in a page-table entry.",
  "The context entry blocks translation requests (ATS) from this device.",
];

/** The first and one past the last code of each table, in `dmar_get_fault_reason`'s order. */
export const VTD_IRQ_BASE = 0x20;
/** First scalable-mode code. */
export const VTD_SM_BASE = 0x30;

/**
 * Every reason the kernel names, as an enum: its string as `name`, a sentence as `meaning`.
 * Codes the kernel prints as "Unknown" (0x0e-0x1f, 0x27-0x2f, the unnamed scalable-mode codes,
 * 0x91 and up) are not values: they decode as unknown, with their number.
 */
export const VTD_REASON_ENUM: EnumDesc = {
  name: "VT-d fault reason (dmar_get_fault_reason)",
  prefix: "",
  values: [
    ...VTD_DMA_REASONS.map((name, i): EnumValue => ({ value: i, name, meaning: DMA_TEXT[i] })),
    ...VTD_IRQ_REASONS.map((name, i): EnumValue => ({
      value: VTD_IRQ_BASE + i,
      name,
      meaning: `Interrupt remapping: ${name[0].toLowerCase()}${name.slice(1)}.`,
    })),
    ...VTD_SM_REASONS.map((name, i): EnumValue => ({
      value: VTD_SM_BASE + i,
      name,
      meaning: `Scalable mode: ${name.slice(4)}.`,
    })).filter((v) => v.name !== "Unknown"),
  ],
};

/** The type bit T as the kernel prints it (`type ? "DMA Read" : "DMA Write"`). */
export const VTD_FAULT_TYPE: EnumDesc = {
  name: "dma_frcd_type",
  prefix: "",
  values: [
    { value: 0, name: "DMA Write", meaning: "the faulting request was a write" },
    { value: 1, name: "DMA Read", meaning: "the faulting request was a read (or an AtomicOp)" },
  ],
};

const INTR = VTD_IRQ_REASONS.map((_, i) => VTD_IRQ_BASE + i);

/** The 128-bit fault recording register, as two little-endian qwords. */
export const VTD_FRCD = {
  id: "vtd-fault",
  struct: "vtd_frcd_reg", // FRCD_REG: the kernel reads the qword at +0, the dwords at +8, +12
  title: "Intel VT-d fault recording register",
  era: "VT-d hardware; logged by Linux dmar_fault (every version)",
  family: "hardware",
  size: 16,
  source: ["log:I1", "log:I10", "vbox-vtd"],
  notes: [
    "fi is the page address (dma_frcd_page_addr clears the low 12 bits); interrupt-remapping " +
    "faults keep the interrupt index in bits 63:48 (fault_index, printed as addr >> 48).",
    "sid is bus 15:8, devfn 7:0 with no PCI segment: the segment is the DMAR unit's.",
    "The kernel reads F, T, PP, PV, FR, SID and FI; T2, PRIV, EXE and AT it does not read.",
    "fr: 0x20-0x26 interrupt remapping, then 0x30-0x90 scalable mode, then 0x00-0x0d legacy; " +
    "any other code prints as 'Unknown' through the DMA branch.",
  ],
  fields: [
    res0("res0", 0, "u64", 11, 0),
    b64("fi", 0, 63, 12, "fault info: page address of the request", { take: "mask" }),
    b64("fault_index", 0, 63, 48, "interrupt index (interrupt-remapping faults): addr >> 48", {
      onlyWhen: { field: "fr", values: INTR },
    }),
    b64("sid", 8, 15, 0, "source-id (bus 15:8, devfn 7:0): dma_frcd_source_id", {
      format: "bdf",
    }),
    res0("res0_hi", 8, "u64", 27, 16),
    b64("t2", 8, 28, 28, "type bit 2 (VT-d 3.0+; not read by the kernel)"),
    b64("priv", 8, 29, 29, "privilege-mode request (not read by the kernel)"),
    b64("exe", 8, 30, 30, "execute request (not read by the kernel)"),
    b64("pp", 8, 31, 31, "PASID present: dma_frcd_pasid_present"),
    b64("fr", 8, 39, 32, "fault reason: dma_frcd_fault_reason", { enum: VTD_REASON_ENUM }),
    b64("pv", 8, 59, 40, "PASID value: dma_frcd_pasid_value", {
      onlyWhen: { field: "pp", values: [1] },
    }),
    b64("at", 8, 61, 60, "address type: 0 untranslated, 1 translation request, 2 translated"),
    b64("t", 8, 62, 62, "type: dma_frcd_type", { enum: VTD_FAULT_TYPE }),
    b64("f", 8, 63, 63, "fault: the record is valid (DMA_FRCD_F)"),
  ],
} as const satisfies RecordLayout;
