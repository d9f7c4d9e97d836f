/**
 * Hardware and paravirtual fault records are described once, in the record registry
 * (`src/abi/records/`), with bit fields of little-endian words (`kind: "bits"`). This module
 * holds the constructors those descriptions are written with, and the **word view** derived from
 * a description: the same fields indexed by 64-bit (or 32-bit) word instead of byte offset, the
 * way kernel logs print records (an SMMUv3 dump is four `0x%016llx` words) and the way the
 * kernel-log parser reads them. A view is computed from the registry, never written by hand.
 *
 * A field is taken either as the kernel's `FIELD_GET(GENMASK(hi, lo), w)` (`take: "shift"`, the
 * default: the value is shifted down to bit 0) or as `w & GENMASK(hi, lo)` (`take: "mask"`: the
 * value keeps its position, so an address field reads as the address itself). The SMMUv3 driver
 * takes `ipa` and `fetch_addr` masked; getting this wrong shifts an address by 12 or 3 bits.
 *
 * @example
 * ```ts
 * import { b64, wordView } from "./fields.ts";
 * const view = wordView({
 *   id: "example", struct: "u64 evt[2]", title: "example", era: "example", family: "hardware",
 *   size: 16, source: [],
 *   fields: [b64("id", 0, 7, 0, "event ID"), b64("addr", 8, 51, 12, "page", { take: "mask" })],
 * });
 * view.fields[1]; // => { name: "addr", word: 1, lo: 12, hi: 51, take: "mask", meaning: "page" }
 * ```
 * @module
 */
import type { BitsField, EnumDesc, FlagSet, RecordLayout } from "../types.ts";
import type { SourceKey } from "../sources.ts";

/** How the kernel takes a field out of its word. */
export type Take = "shift" | "mask";

/** One bit range of one word of a record's word view. */
export interface BitField {
  /** The kernel's name for the value (struct member or local variable). */
  readonly name: string;
  /** Index of the word in the record (word size is the view's `wordBits`). */
  readonly word: number;
  /** Lowest bit of the field in its word. */
  readonly lo: number;
  /** Highest bit of the field in its word (inclusive). */
  readonly hi: number;
  /** `shift` = `FIELD_GET` (default); `mask` = `& GENMASK`, value left in place. */
  readonly take?: Take;
  /** What it holds, in a few words. */
  readonly meaning: string;
  /** The kernel macro that names the mask, e.g. `EVTQ_3_IPA`. */
  readonly macro?: string;
  /** The enum its values come from. */
  readonly enum?: EnumDesc;
  /** Flag bits inside the field's value (bit 0 = the field's lowest bit). */
  readonly flags?: FlagSet;
}

/** The word view of a registered hardware record: fixed size, little-endian words, bit fields. */
export interface HwRecord {
  /** The registry id (`smmuv3-evt`, `amd-evt`, ...). */
  readonly id: string;
  /** C struct or register name. */
  readonly struct: string;
  /** One line for humans. */
  readonly title: string;
  /** Bytes. */
  readonly size: number;
  /** Width of the words the fields index: 32 or 64. */
  readonly wordBits: 32 | 64;
  /** The fields (reserved bits left out), in the description's order. */
  readonly fields: readonly BitField[];
  /** Where the record comes from: keys of `sources.ts`, each a list of public citations. */
  readonly source: readonly SourceKey[];
  /** Caveats, as the description gives them. */
  readonly notes?: readonly string[];
}

/** One code of a vendor's event or reason table: number, kernel name, one-sentence meaning. */
export interface CodeEntry {
  /** The code. */
  readonly code: number;
  /** The name the kernel prints (an enum name, or the table's string). */
  readonly name: string;
  /** What it means, one sentence. */
  readonly text: string;
}

/** Extra properties of a bit field (enum, flags, role, macro, take, format, onlyWhen). */
export type BitsExtra = Partial<Omit<BitsField, "kind" | "name" | "offset" | "type" | "lo" | "hi">>;

/** A bit field `GENMASK(hi, lo)` of the little-endian `__u64` at byte `offset`. */
export function b64(
  name: string,
  offset: number,
  hi: number,
  lo: number,
  meaning: string,
  extra: BitsExtra = {},
): BitsField {
  return { kind: "bits", name, offset, type: "u64", lo, hi, meaning, ...extra };
}

/** A bit field `GENMASK(hi, lo)` of the little-endian `__u32` at byte `offset`. */
export function b32(
  name: string,
  offset: number,
  hi: number,
  lo: number,
  meaning: string,
  extra: BitsExtra = {},
): BitsField {
  return { kind: "bits", name, offset, type: "u32", lo, hi, meaning, ...extra };
}

/** Bits the architecture reserves (RES0): the record rules report them when set. */
export function res0(
  name: string,
  offset: number,
  type: "u32" | "u64",
  hi: number,
  lo: number,
  extra: BitsExtra = {},
): BitsField {
  return {
    kind: "bits",
    name,
    offset,
    type,
    lo,
    hi,
    meaning: "reserved, must be 0",
    role: "reserved",
    ...extra,
  };
}

const views = new WeakMap<RecordLayout, HwRecord>();

/**
 * The word view of a hardware record description: each field as `[word, lo..hi]` of 64-bit
 * words (32-bit words for a record whose size is not a multiple of 8), reserved bits left out,
 * a `__u64` array's elements as `name0`, `name1`, ... Computed once per description.
 */
export function wordView(l: RecordLayout): HwRecord {
  const cached = views.get(l);
  if (cached) return cached;
  const wordBits: 32 | 64 = l.size % 8 === 0 ? 64 : 32;
  const fields: BitField[] = [];
  const place = (name: string, offset: number, width: number, lo: number, hi: number) => {
    const word = Math.floor((offset * 8) / wordBits);
    const shift = offset * 8 - word * wordBits;
    if (shift + width > wordBits) throw new Error(`${l.id}.${name} straddles two words`);
    return { name, word, lo: lo + shift, hi: hi + shift, shift };
  };
  for (const f of l.fields) {
    if (f.kind === "bits") {
      if (f.role === "reserved") continue;
      const p = place(f.name, f.offset, f.type === "u64" ? 64 : 32, f.lo, f.hi);
      // A masked field keeps its place in its own word; in a wider view word it would move.
      if (f.take === "mask" && p.shift) throw new Error(`${l.id}.${f.name}: masked, not aligned`);
      fields.push({
        name: p.name,
        word: p.word,
        lo: p.lo,
        hi: p.hi,
        ...(f.take ? { take: f.take } : {}),
        meaning: f.meaning,
        ...(f.macro ? { macro: f.macro } : {}),
        ...(f.enum ? { enum: f.enum } : {}),
        ...(f.flags ? { flags: f.flags } : {}),
      });
    } else if (f.kind === "scalar") {
      if (f.role === "reserved" || f.role === "padding") continue;
      const width = f.type === "u64" ? 64 : 32;
      const p = place(f.name, f.offset, width, 0, width - 1);
      fields.push({
        name: p.name,
        word: p.word,
        lo: p.lo,
        hi: p.hi,
        meaning: f.meaning,
        ...(f.enum ? { enum: f.enum } : {}),
        ...(f.flags ? { flags: f.flags } : {}),
      });
    } else if (f.kind === "array") {
      for (let i = 0; i < f.count; i++) {
        const p = place(`${f.name}${i}`, f.offset + 8 * i, 64, 0, 63);
        fields.push({ name: p.name, word: p.word, lo: p.lo, hi: p.hi, meaning: f.meaning });
      }
    } else {
      throw new Error(`${l.id}.${f.name}: a ${f.kind} field has no word view`);
    }
  }
  const view: HwRecord = {
    id: l.id,
    struct: l.struct,
    title: l.title,
    size: l.size,
    wordBits,
    fields,
    source: l.source,
    ...(l.notes ? { notes: l.notes } : {}),
  };
  views.set(l, view);
  return view;
}
