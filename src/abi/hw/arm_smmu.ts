/**
 * arm-smmu (SMMUv1/v2) for the code that reads registers as words (the kernel-log parser): the
 * word views of the registry's `arm-smmu-fsr` and `arm-smmu-fsynr0` descriptions, and the order
 * in which the driver prints the FSR fault bits.
 *
 * @example
 * ```ts
 * import { ARM_SMMU_FSR } from "./arm_smmu.ts";
 * ARM_SMMU_FSR.fields.find((f) => f.name === "TF")?.lo; // => 1
 * ```
 * @module
 */
import { ARM_SMMU_FSR as FSR } from "../records/arm_smmu_fsr.ts";
import { ARM_SMMU_FSYNR0 as FSYNR0 } from "../records/arm_smmu_fsynr0.ts";
import { type HwRecord, wordView } from "./fields.ts";

/** The word view of the context bank fault status register (one 32-bit word). */
export const ARM_SMMU_FSR: HwRecord = wordView(FSR);

/** The word view of fault syndrome register 0. */
export const ARM_SMMU_FSYNR0: HwRecord = wordView(FSYNR0);

/** The fault bits of FSR in the order the driver prints them after `Format=`. */
export const ARM_SMMU_FSR_FAULTS = ["UUT", "ASF", "TLBLKF", "TLBMCF", "EF", "PF", "AFF", "TF"];
