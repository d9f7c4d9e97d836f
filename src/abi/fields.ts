/**
 * Constructors for field descriptions, so a generation's file reads like its C struct: one line
 * per field, with the kernel's name, offset and meaning.
 *
 * @example
 * ```ts
 * import { u32, u64 } from "./fields.ts";
 * const fields = [u32("type", 0, "fault type"), u64("addr", 8, "page address")];
 * fields[1].type; // => "u64"
 * ```
 * @module
 */
import type { ArrayField, ScalarField, ValueRange } from "./types.ts";

/** A `__u32` field; `extra` adds an enum, flags, role, guard or bounds. */
export function u32(
  name: string,
  offset: number,
  meaning: string,
  extra: Partial<ScalarField> = {},
): ScalarField {
  return { kind: "scalar", name, offset, type: "u32", meaning, ...extra };
}

/** A `__u64` field. */
export function u64(
  name: string,
  offset: number,
  meaning: string,
  extra: Partial<ScalarField> = {},
): ScalarField {
  return { kind: "scalar", name, offset, type: "u64", meaning, ...extra };
}

/** A `__u64 name[count]` array. */
export function u64Array(name: string, offset: number, count: number, meaning: string): ArrayField {
  return { kind: "array", name, offset, type: "u64", count, meaning };
}

/**
 * What a page request group index (`grpid`, `page_req_group_id`) means by its value. A record
 * does not say which producer made it: a PCI PRI page request group index (PRGI) is 9 bits, and
 * for an ARM SMMUv3 stall fault `arm_smmu_handle_event` puts the 16-bit stall tag (STAG) in
 * `grpid` (torvalds/linux drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c, `.grpid = event->stag`).
 * No producer gives more than 16 bits.
 */
export const GRPID_RANGES: readonly ValueRange[] = [
  { max: 0x1ff, meaning: "a PCI PRI page request group index (9 bits), or an SMMUv3 stall tag" },
  { max: 0xffff, meaning: "an SMMUv3 stall tag (STAG, 16 bits): not a PCI PRI group index" },
];
