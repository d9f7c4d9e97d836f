/**
 * Hardware and paravirtual IOMMU fault records as words: the word view of every registered
 * record of the `hardware` family, derived from the registry (`src/abi/records.ts`), for the
 * code that reads records the way kernel logs print them. Nothing here describes a record
 * twice: each description is one file in `src/abi/records/`.
 *
 * @example
 * ```ts
 * import { HW_RECORDS } from "./mod.ts";
 * HW_RECORDS.map((r) => r.id).includes("smmuv3-evt"); // => true
 * ```
 * @module
 */
import { RECORD_LIST } from "../records.ts";
import type { RecordLayout } from "../types.ts";
import { type HwRecord, wordView } from "./fields.ts";

export * from "./fields.ts";

/** The word view of every registered hardware record, in registry order. */
export const HW_RECORDS: readonly HwRecord[] = (RECORD_LIST as readonly RecordLayout[])
  .filter((r) => r.family === "hardware")
  .map(wordView);

/** The word view with this id, if any. */
export function hwRecord(id: string): HwRecord | undefined {
  return HW_RECORDS.find((r) => r.id === id);
}
