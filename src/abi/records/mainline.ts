/**
 * Mainline (Linux v5.3+, and the v9+ VFIO series): the 64-byte `struct iommu_fault`, the union
 * padded to 56 bytes by `padding2[56]` (mainline `include/uapi/linux/iommu.h`, source K1 in
 * src/abi/sources.ts).
 *
 * @example
 * ```ts
 * import { MAINLINE } from "./mainline.ts";
 * MAINLINE.size; // => 64
 * ```
 * @module
 */
import {
  PERM_V8,
  PRQ_MAINLINE,
  type UnionRecord,
  unionRecord,
  UNRECOV_V8,
} from "../iommu_fault.ts";

/** The mainline record. */
export const MAINLINE: UnionRecord<"mainline"> = unionRecord({
  id: "mainline",
  title: "mainline iommu_fault",
  era: "Linux v5.3+ (v9+ VFIO series)",
  source: ["K1", "K4", "S8"],
  word1: "padding",
  perm: PERM_V8,
  unrecov: UNRECOV_V8,
  prq: PRQ_MAINLINE,
  size: 64,
  guessRank: 1,
  notes: ["NEEDS_PASID (page-request flag bit 3) exists from about v5.9."],
});
