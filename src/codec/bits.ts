/**
 * Bit fields of `__u32`/`__u64` words (hardware records), read and written the way the kernel
 * takes them: `FIELD_GET(GENMASK(hi, lo), w)` (shifted down) or `w & GENMASK(hi, lo)` (left in
 * place). A value that fits 32 bits is a number, a wider one a BigInt, like `__u32` and
 * `__u64` fields. The compiled decoder and JSON-line writer use {@link bitsExpr}; the encoder
 * and tests use {@link readBits} and {@link writeBits}.
 *
 * @example
 * ```ts
 * import { readBits, writeBits } from "./bits.ts";
 * import type { BitsField, Field } from "../abi/types.ts";
 * const ipa: BitsField = {
 *   kind: "bits", name: "ipa", offset: 0, type: "u64", lo: 12, hi: 51, take: "mask",
 *   meaning: "IPA, masked",
 * };
 * const dv = new DataView(new ArrayBuffer(8));
 * writeBits(ipa, dv, 0, 0x81234000n, true);
 * readBits(ipa, dv, 0, true); // => 0x81234000n: an address, not a page number
 * ```
 * @module
 */
import type { BitsField, Field } from "../abi/types.ts";

/** `GENMASK_ULL(hi, lo)`. */
export function genmask(hi: number, lo: number): bigint {
  return ((1n << BigInt(hi - lo + 1)) - 1n) << BigInt(lo);
}

/** Whether the field's value always fits 32 bits (then it decodes to a number). */
export function bitsFitNumber(f: BitsField): boolean {
  return f.take === "mask" ? f.hi < 32 : f.hi - f.lo < 32;
}

/** Bytes of the field's word. */
export function wordSize(f: BitsField): number {
  return f.type === "u64" ? 8 : 4;
}

/**
 * A JavaScript expression for the field's value, over `dv` and `le`, with the word at `at` (an
 * expression). Numbers use 32-bit halves of the word (no BigInt); wider values use BigInt.
 */
export function bitsExpr(f: BitsField, at: string): string {
  const mask = f.take === "mask";
  if (!bitsFitNumber(f)) {
    const w = `dv.getBigUint64(${at}, le)`;
    return mask
      ? `(${w} & ${genmask(f.hi, f.lo)}n)`
      : `((${w} >> ${f.lo}n) & ${genmask(f.hi - f.lo, 0)}n)`;
  }
  // The half of the word that holds the field, as a u32, and the field's bits within it.
  let half: string, lo = f.lo, hi = f.hi;
  if (f.type === "u32") half = `dv.getUint32(${at}, le)`;
  else if (f.hi < 32) half = `dv.getUint32(${at} + (le ? 0 : 4), le)`;
  else if (f.lo >= 32) {
    half = `dv.getUint32(${at} + (le ? 4 : 0), le)`;
    lo -= 32;
    hi -= 32;
  } else {
    // Straddles the halves (rare): take it through BigInt.
    return `Number((dv.getBigUint64(${at}, le) >> ${f.lo}n) & ${genmask(f.hi - f.lo, 0)}n)`;
  }
  const m = Number(genmask(hi, lo));
  return mask
    ? `((${half} & ${m}) >>> 0)`
    : `(((${half} >>> ${lo}) & ${Number(genmask(hi - lo, 0))}) >>> 0)`;
}

/** Reads the field from the word at byte `at` of `dv`. */
export function readBits(f: BitsField, dv: DataView, at: number, le: boolean): number | bigint {
  const w = f.type === "u64" ? dv.getBigUint64(at, le) : BigInt(dv.getUint32(at, le));
  const v = f.take === "mask"
    ? w & genmask(f.hi, f.lo)
    : (w >> BigInt(f.lo)) & genmask(f.hi - f.lo, 0);
  return bitsFitNumber(f) ? Number(v) : v;
}

/**
 * Writes `value` into the field's bits of the word at byte `at`, leaving the word's other bits
 * as they are (fields sharing a word are written one after the other). A value wider than the
 * field is cut to it; for a `mask` field the value is given in place (an address).
 */
export function writeBits(
  f: BitsField,
  dv: DataView,
  at: number,
  value: number | bigint,
  le: boolean,
): void {
  const m = genmask(f.hi, f.lo);
  const v = BigInt.asUintN(64, BigInt(value));
  const bits = f.take === "mask" ? v & m : (v << BigInt(f.lo)) & m;
  if (f.type === "u64") {
    dv.setBigUint64(at, (dv.getBigUint64(at, le) & ~m & 0xffffffffffffffffn) | bits, le);
  } else {
    dv.setUint32(at, Number((BigInt(dv.getUint32(at, le)) & ~m & 0xffffffffn) | bits), le);
  }
}

/**
 * Whether a field is part of a decoded record: always, unless its description says it belongs
 * only to some event codes (`onlyWhen`) and the record's code is none of them.
 */
export function fieldPresent(f: Field, rec: Readonly<Record<string, unknown>>): boolean {
  if (f.kind !== "bits" || !f.onlyWhen) return true;
  return f.onlyWhen.values.includes(Number(rec[f.onlyWhen.field]));
}

/** A PCI requester ID (bus 15:8, device 7:3, function 2:0) as `bb:dd.f`, without a segment. */
export function bdf(id: number): string {
  const h = (n: number) => n.toString(16).padStart(2, "0");
  return `${h((id >> 8) & 0xff)}:${h((id >> 3) & 0x1f)}.${id & 7}`;
}
