/**
 * Names for raw values, resolved through the enum and flag descriptions of the ABI data.
 *
 * @example
 * ```ts
 * import { enumName, flagNameList, flagNames } from "./names.ts";
 * import { PERM_V8, REASON_V4 } from "../abi/records.ts";
 * flagNames(PERM_V8, 0x3); // => { names: ["READ", "WRITE"], unknown: 0 }
 * flagNameList(PERM_V8, 0x83); // => ["READ", "WRITE", "0x80"]
 * enumName(REASON_V4, 6); // => "PERMISSION"
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

/**
 * The set bits of `value` as the JSON views list them: the names the set defines, then each
 * undefined set bit as hex (`"0x80"`), so that no bit is ever silently dropped.
 */
export function flagNameList(flags: FlagSet, value: number): string[] {
  const { names, unknown } = flagNames(flags, value);
  for (let b = 0; b < 32; b++) if ((unknown >>> b) & 1) names.push(hex(2 ** b));
  return names;
}

/** The bit named `name` in the set, if any. */
export function bitByName(flags: FlagSet, name: string): number | undefined {
  return flags.bits.find((b) => b.name === name)?.bit;
}

import { hex } from "./numbers.ts";

export { hex };
