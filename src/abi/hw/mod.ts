/**
 * Hardware and paravirtual IOMMU fault records, described as data. They are kept out of the
 * `RECORDS` registry of `iommu_fault` generations on purpose; `HW_RECORDS` lists them all.
 *
 * @example
 * ```ts
 * import { HW_RECORDS } from "./mod.ts";
 * HW_RECORDS.map((r) => r.id).includes("smmuv3-evt"); // true
 * ```
 * @module
 */
import { AMD_EVT, AMD_PPR } from "./amd.ts";
import { ARM_SMMU_FSR, ARM_SMMU_FSYNR0 } from "./arm_smmu.ts";
import type { HwRecord } from "./fields.ts";
import { SMMUV3_EVT, SMMUV3_PRIQ } from "./smmuv3.ts";
import { VIRTIO_IOMMU_FAULT } from "./virtio_iommu.ts";
import { VTD_FRCD, VTD_PRQ } from "./vtd.ts";

export * from "./fields.ts";

/** Every hardware record description, by id. */
export const HW_RECORDS: readonly HwRecord[] = [
  SMMUV3_EVT,
  SMMUV3_PRIQ,
  AMD_EVT,
  AMD_PPR,
  VTD_FRCD,
  VTD_PRQ,
  VIRTIO_IOMMU_FAULT,
  ARM_SMMU_FSR,
  ARM_SMMU_FSYNR0,
];

/** The description with this id, if any. */
export function hwRecord(id: string): HwRecord | undefined {
  return HW_RECORDS.find((r) => r.id === id);
}
