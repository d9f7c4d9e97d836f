/**
 * The hardware record descriptions of `src/abi/hw`, read and written with 32-bit numbers instead
 * of BigInt: what the kernel-log parser uses for every record it sees in a storm. A record is held
 * as its 32-bit halves, low half first (`[w0 & 0xffffffff, w0 >> 32, w1 & 0xffffffff, ...]` for
 * 64-bit words, one number per word for 32-bit words). Each function gives exactly what the
 * generic BigInt codec (`src/codec/bitfield.ts`) gives for the same description: `fieldsJson`
 * equals `hwJson(rec, decodeHw(rec, words))`, `encodeHalves` equals `encodeHw` (a property test
 * holds them together), at about a tenth of the cost.
 *
 * @example
 * ```ts
 * import { fieldsJson, halvesOf } from "./fast_fields.ts";
 * import { SMMUV3_EVT } from "../abi/hw/smmuv3.ts";
 * const h = halvesOf(["0000010000000010", "0000020800000000", "00000000ffff1000", "0"]);
 * fieldsJson(SMMUV3_EVT, h, ["id", "sid", "iova"]);
 * // => { id: 16, id_name: "F_TRANSLATION", sid: 256, iova: "0xffff1000" }
 * ```
 * @module
 */
import type { BitField, HwRecord } from "../abi/hw/fields.ts";
import type { EnumDesc } from "../abi/types.ts";
import type { Json, JsonObject } from "../codec/json.ts";
import { enumName, flagNames } from "../codec/names.ts";

/** A record as 32-bit halves (unsigned numbers), low half of each word first. */
export type Halves = number[];

const TWO32 = 0x1_0000_0000;

/** Mask of bits `lo..hi` (0..31) as an unsigned 32-bit number. */
function mask32(lo: number, hi: number): number {
  if (hi < lo) return 0;
  const width = hi - lo + 1;
  return width === 32 ? 0xffffffff : ((2 ** width - 1) * 2 ** lo) >>> 0;
}

/** A field, compiled: where its bits sit in the halves. */
interface Compiled {
  readonly f: BitField;
  /** Index of the low half of its word. */
  readonly base: number;
  /** Masks of its bits in the low and high half. */
  readonly mLo: number;
  readonly mHi: number;
  /** Bits to shift down (0 for `take: "mask"`). */
  readonly shift: number;
  /** hwJson prints it as a `0x` string. */
  readonly wide: boolean;
  /** The enum's name of each value (what `enumName` finds by a scan of the values). */
  readonly names?: ReadonlyMap<number, string>;
}

const COMPILED = new WeakMap<HwRecord, Compiled[]>();
const BY_NAME = new WeakMap<HwRecord, Map<string, Compiled>>();

function compile(rec: HwRecord): Compiled[] {
  let c = COMPILED.get(rec);
  if (c) return c;
  c = rec.fields.map((f) => {
    const w64 = rec.wordBits === 64;
    return {
      f,
      base: w64 ? 2 * f.word : f.word,
      mLo: mask32(f.lo, Math.min(f.hi, 31)),
      mHi: w64 ? mask32(Math.max(f.lo, 32) - 32, f.hi - 32) : 0,
      shift: f.take === "mask" ? 0 : f.lo,
      wide: f.take === "mask" ? f.hi >= 32 : f.hi - f.lo >= 32,
      names: f.enum ? enumNames(f.enum) : undefined,
    };
  });
  COMPILED.set(rec, c);
  BY_NAME.set(rec, new Map(c.map((x) => [x.f.name, x])));
  return c;
}

function enumNames(e: EnumDesc): Map<number, string> {
  const m = new Map<number, string>();
  for (const v of e.values) if (!m.has(v.value)) m.set(v.value, enumName(e, v.value)!);
  return m;
}

function field(rec: HwRecord, name: string): Compiled {
  compile(rec);
  const c = BY_NAME.get(rec)!.get(name);
  if (!c) throw new Error(`${rec.id} has no field ${name}`);
  return c;
}

// The halves of the value `take` and `split` found: module state rather than a tuple, since a
// storm calls them millions of times and tuples were a tenth of the parser's garbage.
let HI = 0, LO = 0;

/** Sets HI, LO to the field's value, taken as the kernel takes it. */
function take(c: Compiled, h: Halves): void {
  let lo = ((h[c.base] ?? 0) & c.mLo) >>> 0;
  let hi = c.mHi ? ((h[c.base + 1] ?? 0) & c.mHi) >>> 0 : 0;
  const s = c.shift;
  if (s >= 32) {
    lo = hi >>> (s - 32);
    hi = 0;
  } else if (s > 0) {
    lo = ((lo >>> s) | (hi << (32 - s))) >>> 0;
    hi = hi >>> s;
  }
  HI = hi;
  LO = lo;
}

function hexOf(hi: number, lo: number): string {
  return hi ? "0x" + hi.toString(16) + lo.toString(16).padStart(8, "0") : "0x" + lo.toString(16);
}

/** The field's value as a number (exact up to 2^53: every field but a full 64-bit one). */
export function fieldNum(rec: HwRecord, name: string, h: Halves): number {
  take(field(rec, name), h);
  return HI * TWO32 + LO;
}

/** The field's value as `0x` hex (exact for every width). */
export function fieldHex(rec: HwRecord, name: string, h: Halves): string {
  take(field(rec, name), h);
  return hexOf(HI, LO);
}

/** Every field as a number (a full 64-bit field loses its low bits past 2^53: use fieldHex). */
export function fieldsNum(rec: HwRecord, h: Halves): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of compile(rec)) {
    take(c, h);
    out[c.f.name] = HI * TWO32 + LO;
  }
  return out;
}

/** The compiled fields `only` keeps, by record and list (lists are shared, so few). */
const SELECTED = new WeakMap<HwRecord, WeakMap<readonly string[], Compiled[]>>();

function selected(rec: HwRecord, only: readonly string[] | undefined): Compiled[] {
  const all = compile(rec);
  if (!only) return all;
  let byList = SELECTED.get(rec);
  if (!byList) SELECTED.set(rec, byList = new WeakMap());
  let s = byList.get(only);
  if (!s) byList.set(only, s = all.filter((c) => only.includes(c.f.name)));
  return s;
}

/** Exactly `hwJson(rec, decodeHw(rec, words), only)`, from the halves. */
export function fieldsJson(rec: HwRecord, h: Halves, only?: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const c of selected(rec, only)) {
    take(c, h);
    const n = HI * TWO32 + LO;
    out[c.f.name] = (c.wide ? hexOf(HI, LO) : n) as Json;
    if (c.names) out[`${c.f.name}_name`] = c.names.get(n) ?? null;
    if (c.f.flags) out[`${c.f.name}_names`] = flagNames(c.f.flags, n).names;
  }
  return out;
}

/** Sets HI, LO to a value: a number (up to 2^53), a BigInt, or `0x` / bare hex text. */
function split(v: number | bigint | string): void {
  if (typeof v === "number") {
    HI = Math.floor(v / TWO32) >>> 0;
    LO = v >>> 0;
  } else if (typeof v === "bigint") {
    HI = Number((v >> 32n) & 0xffffffffn);
    LO = Number(v & 0xffffffffn);
  } else {
    const p = v.startsWith("0x") || v.startsWith("0X") ? 2 : 0;
    const cut = Math.max(p, v.length - 8);
    HI = cut > p ? parseInt(v.slice(Math.max(p, cut - 8), cut), 16) : 0;
    LO = cut < v.length ? parseInt(v.slice(cut), 16) : 0;
  }
}

/** Exactly `encodeHw(rec, input)` as halves: fields not given stay zero; values are cut to fit. */
export function encodeHalves(
  rec: HwRecord,
  input: Readonly<Record<string, number | bigint | string | undefined>>,
): Halves {
  const n = (rec.size / (rec.wordBits / 8)) * (rec.wordBits === 64 ? 2 : 1);
  const h: Halves = [];
  for (let i = 0; i < n; i++) h.push(0);
  for (const c of compile(rec)) {
    const v = input[c.f.name];
    if (v === undefined) continue;
    split(v);
    let hi = HI, lo = LO;
    const s = c.shift;
    // Shift the value up to the field's position, then keep the field's bits.
    if (s >= 32) {
      hi = (lo << (s - 32)) >>> 0;
      lo = 0;
    } else if (s > 0) {
      hi = ((hi << s) | (lo >>> (32 - s))) >>> 0;
      lo = (lo << s) >>> 0;
    }
    h[c.base] = (h[c.base] | (lo & c.mLo)) >>> 0;
    if (c.mHi) h[c.base + 1] = (h[c.base + 1] | (hi & c.mHi)) >>> 0;
  }
  return h;
}

/**
 * Halves from 64-bit words written in hex (`0000010000000010`, with or without `0x`), as the
 * SMMUv3 dump prints them.
 */
export function halvesOf(words: readonly string[]): Halves {
  const h: Halves = [];
  for (const w of words) {
    split(w);
    h.push(LO, HI);
  }
  return h;
}

/** The halves as BigInt words (for the conversions that want them; JSON output only). */
export function wordsOf(rec: HwRecord, h: Halves): bigint[] {
  if (rec.wordBits === 32) return h.map((x) => BigInt(x >>> 0));
  const out: bigint[] = [];
  for (let i = 0; i < h.length; i += 2) {
    out.push((BigInt(h[i + 1] >>> 0) << 32n) | BigInt(h[i] >>> 0));
  }
  return out;
}
