/**
 * Which record generation a capture is, when nobody said: the generations of the registry's
 * inference order whose record size divides the input's length, each scored by the record rules'
 * errors on a sample of its first records; the fewest errors wins, ties go to the earlier rank.
 * The answer is data (the scores, and the generations that share the winner's bytes but read
 * them differently); the CLI words it. Also: whether an input is hex-dump text.
 *
 * @example
 * ```ts
 * import { guessAbi, looksLikeText } from "./guess.ts";
 * import { encodeRecord } from "./encode.ts";
 * const rec = encodeRecord("rfc3", { type: 1, reason: 10, addr: 0xdeadb000n, pasid: 5, pasid_valid: 1 });
 * const g = guessAbi(rec, rec.length, true);
 * g.kind === "guessed" && g.abi; // "rfc3": 48 bytes, and clean under RFC v3's rules
 * looksLikeText(new TextEncoder().encode("0000: 01 00")); // true
 * ```
 * @module
 */
import { type AbiId, FAULT_ABIS, GUESS_ORDER, RECORD_LIST, RECORDS } from "../abi/records.ts";
import type { Field, RecordLayout } from "../abi/types.ts";
import { checkRecord } from "../rules/records.ts";

/** Records of each candidate scored (from the start of the input). */
export const GUESS_SAMPLE = 256;

/** One candidate's score: record rule errors over the sample. */
export interface AbiScore {
  /** The candidate generation. */
  abi: AbiId;
  /** Errors the record rules found in its reading of the sample. */
  errors: number;
}

/** The outcome of ABI inference. */
export type AbiGuess =
  | {
    /** A generation was chosen. */
    kind: "guessed";
    /** The generation. */
    abi: AbiId;
    /** The input's length in bytes, when known (a file); undefined for a stream. */
    length: number | undefined;
    /** Its score. */
    errors: number;
    /** The other candidates' scores, in inference order. */
    others: AbiScore[];
    /** Generations never inferred that share its bytes and read them differently (v4, v7). */
    lookalikes: AbiId[];
  }
  | {
    /** No generation's record size divides the input's length. */
    kind: "no-fit";
    /** The input's length. */
    length: number;
    /** The record sizes of the fault generations. */
    sizes: number[];
  };

/** The byte layout of fields, without names or meanings: equal shapes read the same bytes. */
function shape(fields: readonly Field[]): string {
  return fields.map((f) => {
    switch (f.kind) {
      case "union":
        return `u${f.offset}:${f.size}{${f.variants.map((v) => `${v.when}:${shape(v.fields)}`)}}`;
      case "bytes":
        return `b${f.offset}:${f.size}`;
      case "array":
        return `a${f.offset}:${f.count}`;
      case "bits":
        return `i${f.offset}:${f.type}:${f.hi}:${f.lo}`;
      default:
        return `s${f.offset}:${f.type}`;
    }
  }).join(",");
}

/** Generations outside the inference order with the same bytes as `abi` (and its family). */
function lookalikesOf(abi: AbiId): AbiId[] {
  const me: RecordLayout = RECORDS[abi];
  const key = `${me.size}/${shape(me.fields)}`;
  return RECORD_LIST.filter((r) =>
    r.id !== abi && r.family === me.family && !GUESS_ORDER.includes(r.id) &&
    `${r.size}/${shape(r.fields)}` === key
  ).map((r) => r.id);
}

/**
 * Infers the record ABI of a capture from its first bytes (`sample`) and total `length` (undefined
 * for a stream: every candidate is then scored).
 */
export function guessAbi(sample: Uint8Array, length: number | undefined, le: boolean): AbiGuess {
  const fits = GUESS_ORDER.filter((a) => length === undefined || length % RECORDS[a].size === 0);
  if (!fits.length) {
    return {
      kind: "no-fit",
      length: length!,
      sizes: [...new Set(FAULT_ABIS.map((a) => RECORDS[a].size))],
    };
  }
  const scores = fits.map((abi): AbiScore => {
    const size = RECORDS[abi].size;
    let errors = 0;
    const n = Math.min(GUESS_SAMPLE, Math.floor(sample.length / size));
    for (let i = 0; i < n; i++) {
      errors += checkRecord(abi, sample, i * size, { index: i }, undefined, le)
        .filter((f) => f.severity === "error").length;
    }
    return { abi, errors };
  });
  const best = scores.reduce((a, b) => (b.errors < a.errors ? b : a));
  return {
    kind: "guessed",
    abi: best.abi,
    length,
    errors: best.errors,
    others: scores.filter((s) => s !== best),
    lookalikes: lookalikesOf(best.abi),
  };
}

/** Whether a chunk looks like hex-dump text rather than raw records (which hold NUL bytes). */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (!bytes.length) return false;
  for (const b of bytes.subarray(0, 4096)) {
    if (b === 0 || b > 0x7e || (b < 0x20 && b !== 9 && b !== 10 && b !== 13)) return false;
  }
  return true;
}
