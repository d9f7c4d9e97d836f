/**
 * Types of the hardware and paravirtual fault record descriptions: a record is a run of
 * little-endian words, and each field is a bit range of one word. One generic codec
 * (`src/codec/bitfield.ts`) reads and writes every record from this data.
 *
 * A field is taken either as the kernel's `FIELD_GET(GENMASK(hi, lo), w)` (`take: "shift"`, the
 * default: the value is shifted down to bit 0) or as `w & GENMASK(hi, lo)` (`take: "mask"`: the
 * value keeps its position, so an address field reads as the address itself). The SMMUv3 driver
 * takes `ipa` and `fetch_addr` masked; getting this wrong shifts an address by 12 or 3 bits.
 *
 * @example
 * ```ts
 * import type { HwRecord } from "./fields.ts";
 * const reg: HwRecord = {
 *   id: "example", struct: "u32 register", title: "one flag", size: 4, wordBits: 32,
 *   source: "example", fields: [{ name: "f", word: 0, lo: 31, hi: 31, meaning: "fault" }],
 * };
 * reg.fields[0].hi; // 31
 * ```
 * @module
 */
import type { EnumDesc, FlagSet } from "../types.ts";

/** How the kernel takes a field out of its word. */
export type Take = "shift" | "mask";

/** One bit range of one word of a hardware record. */
export interface BitField {
  /** The kernel's name for the value (struct member or local variable). */
  readonly name: string;
  /** Index of the word in the record (word size is the record's `wordBits`). */
  readonly word: number;
  readonly lo: number;
  readonly hi: number;
  /** `shift` = `FIELD_GET` (default); `mask` = `& GENMASK`, value left in place. */
  readonly take?: Take;
  readonly meaning: string;
  /** The kernel macro that names the mask, e.g. `EVTQ_3_IPA`. */
  readonly macro?: string;
  readonly enum?: EnumDesc;
  /** Flag bits inside the field's value (bit 0 = the field's lowest bit). */
  readonly flags?: FlagSet;
}

/** A hardware (or paravirtual) record: fixed size, little-endian words, bit fields. */
export interface HwRecord {
  /** Identifier (`smmuv3-evt`, `amd-evt`, ...). */
  readonly id: string;
  /** C struct or register name. */
  readonly struct: string;
  readonly title: string;
  /** Bytes. */
  readonly size: number;
  /** Width of the words the fields index: 32 or 64. */
  readonly wordBits: 32 | 64;
  readonly fields: readonly BitField[];
  /** Public source: repository @ commit, path, function. */
  readonly source: string;
  readonly notes?: readonly string[];
}

/** One code of a vendor's event or reason table: number, kernel name, one-sentence meaning. */
export interface CodeEntry {
  readonly code: number;
  /** The name the kernel prints (an enum name, or the table's string). */
  readonly name: string;
  /** What it means, one sentence. */
  readonly text: string;
}
