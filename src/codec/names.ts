/**
 * Names for raw values, resolved through the enum and flag descriptions of the ABI data.
 *
 * @example
 * ```ts
 * import { flagNames, enumName } from "./names.ts";
 * import { PERM_V8, REASON_V4 } from "../abi/records.ts";
 * flagNames(PERM_V8, 0x3); // { names: ["READ", "WRITE"], unknown: 0 }
 * enumName(REASON_V4, 6); // "PERMISSION"
 * ```
 * @module
 */
import type { EnumDesc, EnumValue, FlagSet } from "../abi/types.ts";

/** The enum entry for `value`, if the enum defines it. */
export function enumEntry(desc: EnumDesc, value: number): EnumValue | undefined {
  return desc.values.find((v) => v.value === value);
}

/** The kernel name (without prefix) of `value`, or null when the enum has no such value. */
export function enumName(desc: EnumDesc, value: number): string | null {
  return enumEntry(desc, value)?.name ?? null;
}

/** Mask of every bit the flag set defines. */
export function knownMask(flags: FlagSet): number {
  let m = 0;
  for (const b of flags.bits) m |= 1 << b.bit;
  return m >>> 0;
}

/** Names of the set bits that the flag set defines, and the set bits it does not. */
export function flagNames(flags: FlagSet, value: number): { names: string[]; unknown: number } {
  const names: string[] = [];
  for (const b of flags.bits) if ((value >>> b.bit) & 1) names.push(b.name);
  return { names, unknown: (value & ~knownMask(flags)) >>> 0 };
}

/** The bit named `name` in the set, if any. */
export function bitByName(flags: FlagSet, name: string): number | undefined {
  return flags.bits.find((b) => b.name === name)?.bit;
}

export { hex } from "./numbers.ts";
