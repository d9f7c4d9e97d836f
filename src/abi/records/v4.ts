/**
 * v4-v6 (Feb-Mar 2019): the first tagged-union `struct iommu_fault`, 48 bytes, with `reserved`
 * at offset 4, `PERM_WRITE` at bit 0 and `UNRECOV_PERM_VALID` (eauger/linux
 * `include/uapi/linux/iommu.h` and QEMU's import of it, sources S4 and S5 in src/abi/sources.ts).
 *
 * @example
 * ```ts
 * import { V4 } from "./v4.ts";
 * V4.size; // => 48
 * ```
 * @module
 */
import { PERM_V4, PRQ_V4, type UnionRecord, unionRecord, UNRECOV_V4 } from "../iommu_fault.ts";

/** The v4-v6 record. Its bytes are v8's, only their meaning differs: inference says so. */
export const V4: UnionRecord<"v4"> = unionRecord({
  id: "v4",
  title: "v4-v6 union iommu_fault",
  era: "PATCH v4-v6, Feb-Mar 2019",
  source: ["S4", "S5"],
  word1: "reserved",
  perm: PERM_V4,
  unrecov: UNRECOV_V4,
  prq: PRQ_V4,
  size: 48,
  guessRank: 4,
  notes: ["PERM bit 0 is WRITE; a read fault is a fault with WRITE clear."],
});
