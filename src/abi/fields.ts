/**
 * Constructors for field descriptions, so a generation's file reads like its C struct: one line
 * per field, with the kernel's name, offset and meaning.
 *
 * @example
 * ```ts
 * import { u32, u64 } from "./fields.ts";
 * const fields = [u32("type", 0, "fault type"), u64("addr", 8, "page address")];
 * fields[1].type; // "u64"
 * ```
 * @module
 */
import type { ArrayField, ScalarField } from "./types.ts";

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

/** PCI PRI's page request group index is 9 bits (the SMMU stall tag is 16). */
export const PRGI_MAX = 0x1ff;
