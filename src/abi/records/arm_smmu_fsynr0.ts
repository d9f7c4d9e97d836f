/**
 * arm-smmu (SMMUv1/v2) context bank fault syndrome register 0, as
 * `arm_smmu_print_context_fault_info` (`drivers/iommu/arm/arm-smmu/arm-smmu.c`) prints it: one
 * little-endian `u32`.
 *
 * Source: the kernel commit d525b0af0c3b "iommu/arm-smmu: Pretty-print context fault related
 * regs" (`drivers/iommu/arm/arm-smmu/arm-smmu.h` `ARM_SMMU_CB_FSYNR0_*`), Linux 6.11.
 *
 * @example
 * ```ts
 * import { ARM_SMMU_FSYNR0 } from "./arm_smmu_fsynr0.ts";
 * ARM_SMMU_FSYNR0.fields.find((f) => f.name === "WNR")?.lo; // => 4
 * ```
 * @module
 */
import { b32 } from "../hw/fields.ts";
import type { RecordLayout } from "../types.ts";

const bit = (name: string, b: number, meaning: string) => b32(name, 0, b, b, meaning);

/** Fault syndrome register 0. */
export const ARM_SMMU_FSYNR0 = {
  id: "arm-smmu-fsynr0",
  struct: "arm_smmu_cb_fsynr0", // the u32 register ARM_SMMU_CB_FSYNR0
  title: "arm-smmu context bank fault syndrome register 0",
  era: "SMMUv1/v2 hardware; printed by Linux arm-smmu 6.11+",
  family: "hardware",
  size: 4,
  source: ["log:S6"],
  fields: [
    b32("PLVL", 0, 1, 0, "page table level of the fault"),
    bit("WNR", 4, "write (1) or read (0)"),
    bit("PNU", 5, "privileged (1) or unprivileged (0)"),
    bit("IND", 6, "instruction (1) or data (0)"),
    bit("NSATTR", 8, "non-secure attribute"),
    bit("PTWF", 10, "fault on a page table walk"),
    bit("AFR", 11, "asynchronous fault recorded"),
    b32("S1CBNDX", 0, 23, 16, "stage 1 context bank index"),
  ],
} as const satisfies RecordLayout;
