/**
 * v7 (Apr 2019): v4's bytes; `PERM_INST` removed and `PASID_PRESENT` renamed `PASID_VALID`
 * (the headers of kernel branch v5.1-rc3-2stage-v7 as QEMU imports them, source S6 in
 * src/abi/sources.ts).
 *
 * @example
 * ```ts
 * import { V7 } from "./v7.ts";
 * V7.size; // => 48
 * ```
 * @module
 */
import { PERM_V7, PRQ_V7, type UnionRecord, unionRecord, UNRECOV_V4 } from "../iommu_fault.ts";

/** The v7 record. Its bytes are v8's, only their meaning differs: inference says so. */
export const V7: UnionRecord<"v7"> = unionRecord({
  id: "v7",
  title: "v7 union iommu_fault",
  era: "PATCH v7, Apr 2019",
  source: ["S6"],
  word1: "reserved",
  perm: PERM_V7,
  unrecov: UNRECOV_V4,
  prq: PRQ_V7,
  size: 48,
  guessRank: 5,
});
