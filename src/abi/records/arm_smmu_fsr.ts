/**
 * arm-smmu (SMMUv1/v2) context bank fault status register, as
 * `arm_smmu_print_context_fault_info` (`drivers/iommu/arm/arm-smmu/arm-smmu.c`) prints it: one
 * little-endian `u32`.
 *
 * Source: the kernel commit d525b0af0c3b "iommu/arm-smmu: Pretty-print context fault related
 * regs" (`drivers/iommu/arm/arm-smmu/arm-smmu.h` `ARM_SMMU_CB_FSR_*`), Linux 6.11.
 *
 * @example
 * ```ts
 * import { ARM_SMMU_FSR } from "./arm_smmu_fsr.ts";
 * ARM_SMMU_FSR.fields.find((f) => f.name === "TF")?.lo; // => 1
 * ```
 * @module
 */
import { b32 } from "../hw/fields.ts";
import type { RecordLayout } from "../types.ts";

const bit = (name: string, b: number, meaning: string) => b32(name, 0, b, b, meaning);

/** The context bank fault status register. */
export const ARM_SMMU_FSR = {
  id: "arm-smmu-fsr",
  struct: "arm_smmu_cb_fsr", // the u32 register ARM_SMMU_CB_FSR
  title: "arm-smmu context bank fault status register",
  era: "SMMUv1/v2 hardware; printed by Linux arm-smmu 6.11+",
  family: "hardware",
  size: 4,
  source: ["log:S6"],
  fields: [
    bit("TF", 1, "translation fault"),
    bit("AFF", 2, "access flag fault"),
    bit("PF", 3, "permission fault"),
    bit("EF", 4, "external fault"),
    bit("TLBMCF", 5, "TLB match conflict fault"),
    bit("TLBLKF", 6, "TLB lock fault"),
    bit("ASF", 7, "address size fault"),
    bit("UUT", 8, "unsupported upstream transaction"),
    b32("FORMAT", 0, 10, 9, "fault record format"),
    bit("SS", 30, "stalled: the transaction awaits a resume or terminate"),
    bit("MULTI", 31, "multiple faults occurred"),
  ],
} as const satisfies RecordLayout;
