/**
 * arm-smmu (SMMUv1/v2) context-fault registers the driver prints: FSR and FSYNR0.
 *
 * Source: the kernel commit d525b0af0c3b "iommu/arm-smmu: Pretty-print context fault related
 * regs" (`drivers/iommu/arm/arm-smmu/arm-smmu.h` `ARM_SMMU_CB_FSR_*`, `ARM_SMMU_CB_FSYNR0_*`,
 * and `arm_smmu_print_context_fault_info` in `arm-smmu.c`), Linux 6.11.
 *
 * @example
 * ```ts
 * import { ARM_SMMU_FSR } from "./arm_smmu.ts";
 * ARM_SMMU_FSR.fields.find((f) => f.name === "TF")?.lo; // 1
 * ```
 * @module
 */
import type { BitField, HwRecord } from "./fields.ts";

const bit = (name: string, b: number, meaning: string): BitField => ({
  name,
  word: 0,
  lo: b,
  hi: b,
  meaning,
});

/** The context bank fault status register. */
export const ARM_SMMU_FSR: HwRecord = {
  id: "arm-smmu-fsr",
  struct: "ARM_SMMU_CB_FSR",
  title: "arm-smmu context bank fault status",
  size: 4,
  wordBits: 32,
  source: "commit d525b0af0c3b, drivers/iommu/arm/arm-smmu/arm-smmu.h ARM_SMMU_CB_FSR_*",
  fields: [
    bit("TF", 1, "translation fault"),
    bit("AFF", 2, "access flag fault"),
    bit("PF", 3, "permission fault"),
    bit("EF", 4, "external fault"),
    bit("TLBMCF", 5, "TLB match conflict fault"),
    bit("TLBLKF", 6, "TLB lock fault"),
    bit("ASF", 7, "address size fault"),
    bit("UUT", 8, "unsupported upstream transaction"),
    { name: "FORMAT", word: 0, lo: 9, hi: 10, meaning: "fault record format" },
    bit("SS", 30, "stalled: the transaction awaits a resume or terminate"),
    bit("MULTI", 31, "multiple faults occurred"),
  ],
};

/** Fault syndrome register 0. */
export const ARM_SMMU_FSYNR0: HwRecord = {
  id: "arm-smmu-fsynr0",
  struct: "ARM_SMMU_CB_FSYNR0",
  title: "arm-smmu context bank fault syndrome 0",
  size: 4,
  wordBits: 32,
  source: "commit d525b0af0c3b, drivers/iommu/arm/arm-smmu/arm-smmu.h ARM_SMMU_CB_FSYNR0_*",
  fields: [
    { name: "PLVL", word: 0, lo: 0, hi: 1, meaning: "page table level of the fault" },
    bit("WNR", 4, "write (1) or read (0)"),
    bit("PNU", 5, "privileged (1) or unprivileged (0)"),
    bit("IND", 6, "instruction (1) or data (0)"),
    bit("NSATTR", 8, "non-secure attribute"),
    bit("PTWF", 10, "fault on a page table walk"),
    bit("AFR", 11, "asynchronous fault recorded"),
    { name: "S1CBNDX", word: 0, lo: 16, hi: 23, meaning: "stage 1 context bank index" },
  ],
};

/** The fault bits of FSR in the order the driver prints them after `Format=`. */
export const ARM_SMMU_FSR_FAULTS = ["UUT", "ASF", "TLBLKF", "TLBMCF", "EF", "PF", "AFF", "TF"];
