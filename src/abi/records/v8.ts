/**
 * v8 (May 2019): the same 48 bytes, `padding` at offset 4, `PERM_READ` inserted at bit 0 and
 * `UNRECOV_PERM_VALID` removed, so raw values shift (the headers of kernel branch
 * v5.2.0-rc1-2stage-v8 as QEMU imports them, source S7 in src/abi/sources.ts).
 *
 * @example
 * ```ts
 * import { V8 } from "./v8.ts";
 * V8.size; // => 48
 * ```
 * @module
 */
import { PERM_V8, PRQ_V7, type UnionRecord, unionRecord, UNRECOV_V8 } from "../iommu_fault.ts";

/** The v8 record. */
export const V8: UnionRecord<"v8"> = unionRecord({
  id: "v8",
  title: "v8 union iommu_fault",
  era: "PATCH v8, May 2019",
  source: ["S7", "M10"],
  word1: "padding",
  perm: PERM_V8,
  unrecov: UNRECOV_V8,
  prq: PRQ_V7,
  size: 48,
  guessRank: 3,
  notes: ["PERM_READ inserted at bit 0 and UNRECOV_PERM_VALID removed: raw values shift."],
});
