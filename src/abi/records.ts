/**
 * The registry of record generations: the list below is built from one file per generation in
 * `records/`, and every id, order and set the rest of faultscope uses is derived from it (the
 * `AbiId` type, `decode --abi` choices, the fault generations, the ABI inference order). Adding a
 * generation is one file in `records/` and its line in {@link RECORD_LIST}; a test fails if a
 * file there is missing from the list or the list holds anything else.
 *
 * @example
 * ```ts
 * import { ABI_IDS, GUESS_ORDER, RECORDS } from "./records.ts";
 * RECORDS.rfc3.size; // => 48: the flat RFC v3 record, 1365 of them fill a 64 KiB region
 * ABI_IDS.includes("mainline"); // => true
 * GUESS_ORDER.slice(0, 5); // => ["mainline", "rfc3", "v8", "v4", "v7"]
 * ```
 * @module
 */
import { HWPT_PGFAULT } from "./records/hwpt_pgfault.ts";
import { HWPT_RESPONSE } from "./records/hwpt_response.ts";
import { MAINLINE } from "./records/mainline.ts";
import { RESP20 } from "./records/resp20.ts";
import { RESP24 } from "./records/resp24.ts";
import { RFC3 } from "./records/rfc3.ts";
import { V4 } from "./records/v4.ts";
import { V7 } from "./records/v7.ts";
import { V8 } from "./records/v8.ts";
import { SMMUV3_EVT } from "./records/smmuv3_evt.ts";
import { SMMUV3_PRIQ } from "./records/smmuv3_priq.ts";
import { AMD_EVT } from "./records/amd_evt.ts";
import { AMD_PPR } from "./records/amd_ppr.ts";
import { VTD_FRCD } from "./records/vtd_fault.ts";
import { VTD_PRQ } from "./records/vtd_prq.ts";
import { VIRTIO_IOMMU_FAULT } from "./records/virtio_iommu_fault.ts";
import { ARM_SMMU_FSR } from "./records/arm_smmu_fsr.ts";
import { ARM_SMMU_FSYNR0 } from "./records/arm_smmu_fsynr0.ts";
import type { RecordLayout } from "./types.ts";

export * from "./iommu_fault.ts";
export { PAGE_RESP_CODE, PAGE_RESP_FLAGS, PAGE_RESP_VERSION } from "./page_response.ts";
export { REASON_RFC3 } from "./records/rfc3.ts";
export { PGFAULT_FLAGS, PGFAULT_PERM } from "./records/hwpt_pgfault.ts";
export { IOMMUFD_RESP_CODE } from "./records/hwpt_response.ts";

/** Every record generation, in presentation order (`layout`, `--abi` choices, help). */
export const RECORD_LIST = [
  RFC3,
  V4,
  V7,
  V8,
  MAINLINE,
  RESP20,
  RESP24,
  HWPT_PGFAULT,
  HWPT_RESPONSE,
  // Hardware and paravirtual records (family "hardware"): what the IOMMU itself writes.
  SMMUV3_EVT,
  SMMUV3_PRIQ,
  AMD_EVT,
  AMD_PPR,
  VTD_FRCD,
  VTD_PRQ,
  VIRTIO_IOMMU_FAULT,
  ARM_SMMU_FSR,
  ARM_SMMU_FSYNR0,
] as const satisfies readonly RecordLayout[];

/** The description of one registered generation, with its literal id and family. */
export type ListedRecord = typeof RECORD_LIST[number];

/** Identifier of a record ABI that `decode --abi` accepts: derived from {@link RECORD_LIST}. */
export type AbiId = ListedRecord["id"];

/** Identifier of an `iommu_fault` generation (a record with a fault type). */
export type FaultAbiId = Extract<ListedRecord, { family: "iommu_fault" }>["id"];

/** Every record ABI, by the id `decode --abi` takes. */
export const RECORDS: Readonly<Record<AbiId, RecordLayout>> = Object.fromEntries(
  RECORD_LIST.map((r): [string, RecordLayout] => [r.id, r]),
) as Record<AbiId, RecordLayout>;

/** Record ABI ids in presentation order. */
export const ABI_IDS: readonly AbiId[] = RECORD_LIST.map((r) => r.id);

/** The `iommu_fault` generations (those with a fault type), in presentation order. */
export const FAULT_ABIS: readonly FaultAbiId[] = RECORD_LIST
  .filter((r): r is Extract<ListedRecord, { family: "iommu_fault" }> => r.family === "iommu_fault")
  .map((r) => r.id);

/** Identifier of a hardware (or paravirtual) record: an SMMUv3 event, an AMD-Vi entry, ... */
export type HardwareAbiId = Extract<ListedRecord, { family: "hardware" }>["id"];

/** The hardware and paravirtual records, in presentation order. */
export const HARDWARE_ABIS: readonly HardwareAbiId[] = RECORD_LIST
  .filter((r): r is Extract<ListedRecord, { family: "hardware" }> => r.family === "hardware")
  .map((r) => r.id);

/** The generations ABI inference tries, best rank first (ties in the score go to the first). */
export const GUESS_ORDER: readonly AbiId[] = RECORD_LIST
  .filter((r) => (r as RecordLayout).guessRank !== undefined)
  .sort((a, b) => (a as RecordLayout).guessRank! - (b as RecordLayout).guessRank!)
  .map((r) => r.id);

/** Looks up a record ABI by id; undefined when unknown. */
export function recordLayout(id: string): RecordLayout | undefined {
  return Object.hasOwn(RECORDS, id) ? RECORDS[id as AbiId] : undefined;
}
