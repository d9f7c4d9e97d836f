/**
 * Intel VT-d for the code that reads records as words (the kernel-log parser): the word views
 * of the registry's `vtd-fault` and `vtd-prq` descriptions, the fault status register bits, and
 * the kernel's fault-reason lookup (`dmar_get_fault_reason`) over the reason tables of
 * `src/abi/records/vtd_fault.ts`.
 *
 * @example
 * ```ts
 * import { vtdFaultReason } from "./vtd.ts";
 * vtdFaultReason(0x05).name; // => "PTE Write access is not set"
 * vtdFaultReason(0x25).kind; // => "intr"
 * vtdFaultReason(0x27).name; // => "Unknown"
 * ```
 * @module
 */
import {
  VTD_DMA_REASONS,
  VTD_FRCD as FRCD,
  VTD_IRQ_BASE,
  VTD_IRQ_REASONS,
  VTD_REASON_ENUM,
  VTD_SM_BASE,
  VTD_SM_REASONS,
} from "../records/vtd_fault.ts";
import { VTD_PRQ as PRQ } from "../records/vtd_prq.ts";
import type { FlagSet } from "../types.ts";
import { type CodeEntry, type HwRecord, wordView } from "./fields.ts";

export {
  VTD_DMA_REASONS,
  VTD_FAULT_TYPE,
  VTD_IRQ_REASONS,
  VTD_REASON_ENUM,
  VTD_SM_REASONS,
} from "../records/vtd_fault.ts";

/** Which table a reason code falls in; `unknown` prints through the DMA branch. */
export type VtdReasonKind = "dma" | "dma-sm" | "intr" | "unknown";

/** A fault reason: code, the kernel's string (its name for it), its meaning and its table. */
export interface VtdReason extends CodeEntry {
  /** The table it comes from. */
  readonly kind: VtdReasonKind;
}

const MEANING = new Map(VTD_REASON_ENUM.values.map((v) => [v.value, v.meaning ?? v.name]));

/**
 * The kernel's lookup (`dmar_get_fault_reason`): 0x20-0x26 interrupt remapping, then 0x30-0x90
 * scalable mode, then 0x00-0x0d legacy, else "Unknown" (printed as a DMA fault).
 */
export function vtdFaultReason(code: number): VtdReason {
  if (code >= VTD_IRQ_BASE && code < VTD_IRQ_BASE + VTD_IRQ_REASONS.length) {
    return {
      code,
      name: VTD_IRQ_REASONS[code - VTD_IRQ_BASE],
      text: MEANING.get(code)!,
      kind: "intr",
    };
  }
  if (code >= VTD_SM_BASE && code < VTD_SM_BASE + VTD_SM_REASONS.length) {
    const name = VTD_SM_REASONS[code - VTD_SM_BASE];
    if (name === "Unknown") {
      return { code, name, text: "Scalable-mode code the kernel does not name.", kind: "unknown" };
    }
    return { code, name, text: MEANING.get(code)!, kind: "dma-sm" };
  }
  if (code >= 0 && code < VTD_DMA_REASONS.length) {
    return { code, name: VTD_DMA_REASONS[code], text: MEANING.get(code)!, kind: "dma" };
  }
  return {
    code,
    name: "Unknown",
    text: "A reason code outside every kernel table.",
    kind: "unknown",
  };
}

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

/** The word view of the 128-bit fault recording register (two 64-bit words). */
export const VTD_FRCD: HwRecord = wordView(FRCD);

/** The word view of the 32-byte page request descriptor. */
export const VTD_PRQ: HwRecord = wordView(PRQ);
