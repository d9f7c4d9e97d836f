/**
 * One codec for every hardware record described in `src/abi/hw`: words in, named fields out, and
 * back. A field is `GENMASK(hi, lo)` of its word, shifted down (`FIELD_GET`) or kept in place
 * (`& GENMASK`) as the description says.
 *
 * @example
 * ```ts
 * import { decodeHw, encodeHw } from "./bitfield.ts";
 * import { SMMUV3_EVT } from "../abi/hw/smmuv3.ts";
 * const words = [0x0000010000000010n, 0x0000020800000000n, 0xffff1000n, 0x81234567n];
 * const f = decodeHw(SMMUV3_EVT, words);
 * f.sid; // => 0x100n
 * f.ipa; // => 0x81234000n: masked, not shifted
 * encodeHw(SMMUV3_EVT, { id: 0x10, sid: 0x100 })[0]; // => 0x0000010000000010n
 * ```
 * @module
 */
import type { BitField, HwRecord } from "../abi/hw/fields.ts";
import type { Json, JsonObject } from "./json.ts";
import { enumName, flagNames, hex } from "./names.ts";

/** Field values by name (BigInt: fields reach 64 bits). */
export type HwFields = Record<string, bigint>;
/** Values to encode; missing fields are zero. */
export type HwInput = Readonly<Record<string, bigint | number | undefined>>;

/** `GENMASK_ULL(hi, lo)`. */
export function genmask(hi: number, lo: number): bigint {
  return ((1n << BigInt(hi - lo + 1)) - 1n) << BigInt(lo);
}

/** Words of a record from its bytes (little endian), or undefined when too short. */
export function readWords(rec: HwRecord, bytes: Uint8Array, offset = 0): bigint[] | undefined {
  if (offset < 0 || offset + rec.size > bytes.length) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, rec.size);
  const n = rec.size / (rec.wordBits / 8);
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      rec.wordBits === 64 ? dv.getBigUint64(8 * i, true) : BigInt(dv.getUint32(4 * i, true)),
    );
  }
  return out;
}

/** Bytes of a record from its words (little endian). */
export function writeWords(rec: HwRecord, words: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(rec.size);
  const dv = new DataView(out.buffer);
  const n = rec.size / (rec.wordBits / 8);
  for (let i = 0; i < n; i++) {
    const w = BigInt.asUintN(rec.wordBits, words[i] ?? 0n);
    if (rec.wordBits === 64) dv.setBigUint64(8 * i, w, true);
    else dv.setUint32(4 * i, Number(w), true);
  }
  return out;
}

/**
 * A field's mask and shift as BigInts, made once per description: building them on every read
 * (three BigInt allocations and shifts) was the largest cost of decoding a vEVENT stream.
 */
const MASKS = new WeakMap<BitField, readonly [mask: bigint, shift: bigint]>();
function maskOf(f: BitField): readonly [bigint, bigint] {
  let m = MASKS.get(f);
  if (!m) MASKS.set(f, m = [genmask(f.hi, f.lo), BigInt(f.lo)]);
  return m;
}

/** The value of one field, taken as the kernel takes it. */
export function getField(f: BitField, words: readonly bigint[]): bigint {
  const w = words[f.word] ?? 0n;
  const [mask, shift] = maskOf(f);
  const masked = w & mask;
  return f.take === "mask" ? masked : masked >> shift;
}

/** ORs one field's value into its word (values outside the field are cut to it). */
export function putField(f: BitField, words: bigint[], value: bigint | number): void {
  const v = BigInt(value);
  const m = genmask(f.hi, f.lo);
  words[f.word] = (words[f.word] ?? 0n) | (f.take === "mask" ? v & m : (v << BigInt(f.lo)) & m);
}

/** Every field of a record. */
export function decodeHw(rec: HwRecord, words: readonly bigint[]): HwFields {
  const out: HwFields = {};
  for (const f of rec.fields) out[f.name] = getField(f, words);
  return out;
}

/** Words of a record built from field values (fields not given stay zero). */
export function encodeHw(rec: HwRecord, input: HwInput): bigint[] {
  const words: bigint[] = Array.from({ length: rec.size / (rec.wordBits / 8) }, () => 0n);
  for (const f of rec.fields) {
    const v = input[f.name];
    if (v !== undefined) putField(f, words, v);
  }
  return words;
}

/** Bits of each word that some field covers: what a decode-encode round trip keeps. */
export function knownBits(rec: HwRecord): bigint[] {
  const words: bigint[] = Array.from({ length: rec.size / (rec.wordBits / 8) }, () => 0n);
  for (const f of rec.fields) words[f.word] |= genmask(f.hi, f.lo);
  return words;
}

/** The field with this name. */
export function hwField(rec: HwRecord, name: string): BitField | undefined {
  return rec.fields.find((f) => f.name === name);
}

/**
 * JSON view: fields up to 32 bits as numbers, wider ones as `0x` strings (a `__u64` does not fit
 * a JSON number), with `<name>_name` for enums and `<name>_names` for flags.
 */
export function hwJson(rec: HwRecord, fields: HwFields, only?: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const f of rec.fields) {
    if (only && !only.includes(f.name)) continue;
    const v = fields[f.name];
    if (v === undefined) continue;
    const wide = f.take === "mask" ? f.hi >= 32 : f.hi - f.lo >= 32;
    out[f.name] = (wide ? hex(v) : Number(v)) as Json;
    if (f.enum) out[`${f.name}_name`] = enumName(f.enum, Number(v));
    if (f.flags) out[`${f.name}_names`] = flagNames(f.flags, Number(v)).names;
  }
  return out;
}
