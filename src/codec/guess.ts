/**
 * Which record generation a capture is, when nobody said: every generation of the registry's
 * inference order whose record size divides the input's length is a candidate, scored by the
 * record rules on a sample of its first records (errors, then warnings, per record read). The
 * fewest wins; candidates that score alike (the same error rate, within {@link NEAR_TIE}) make
 * the answer ambiguous, and the answer says so: v4, v7 and v8 read the same 48 bytes with
 * different PERM and flag bits, so a v4 record is never told from a v8 one by its bytes alone.
 * The answer is data (the scores, the pick, what decided it); the CLI words it. Also: whether an
 * input is hex-dump text or raw records ({@link inputKind}), and why.
 *
 * @example
 * ```ts
 * import { guessAbi, inputKind, looksLikeText } from "./guess.ts";
 * import { encodeRecord } from "./encode.ts";
 * const rec = encodeRecord("rfc3", { type: 1, reason: 10, addr: 0xdeadb000n, pasid: 5, pasid_valid: 1 });
 * const g = guessAbi(rec, rec.length, true);
 * g.kind === "guessed" && g.abi; // => "rfc3": the other readings of its 48 bytes have errors
 * g.kind === "guessed" && g.ambiguous; // => false
 * looksLikeText(new TextEncoder().encode("0000: 01 00")); // => true
 * inputKind(Uint8Array.of(0xef, 0xbb, 0xbf, 0x30, 0x31)).why;
 * // => "UTF-8 text (byte-order mark skipped)"
 * ```
 * @module
 */
import { type AbiId, GUESS_ORDER, RECORDS } from "../abi/records.ts";
import { checkRecord } from "../rules/records.ts";

/** Records of each candidate scored (from the start of the input). */
export const GUESS_SAMPLE = 256;

/**
 * Candidates whose error rates (errors per record read) differ by at most this much score
 * alike: 2 errors in 100 records is noise in a capture, not evidence.
 */
export const NEAR_TIE = 0.02;

/** One candidate's score: what the record rules found in its reading of the sample. */
export interface AbiScore {
  /** The candidate generation. */
  abi: AbiId;
  /** Records of it read from the sample. */
  records: number;
  /** Errors the record rules found. */
  errors: number;
  /** Warnings the record rules found. */
  warnings: number;
}

/** What set the pick apart from the next candidate. */
export type Decider =
  | "only" // the only candidate
  | "errors" // fewer errors per record
  | "warnings" // as few errors, fewer warnings per record
  | "rank"; // scores alike: the earlier generation in the inference order

/** Candidates ranked: the pick, every score, and whether the pick is in doubt. */
export interface AbiRanking {
  /** The generation picked. */
  abi: AbiId;
  /** Every candidate's score, best first. */
  candidates: AbiScore[];
  /** Another candidate scores as well (or nearly): the input alone cannot decide. */
  ambiguous: boolean;
  /** The candidates that score alike, the pick first (just the pick when not ambiguous). */
  tied: AbiId[];
  /** What set the pick apart from the next candidate. */
  by: Decider;
}

/** The outcome of ABI inference for a capture. */
export type AbiGuess =
  | ({
    /** A generation was chosen. */
    kind: "guessed";
    /** The input's length in bytes, when known (a file); undefined for a stream. */
    length: number | undefined;
  } & AbiRanking)
  | {
    /** No generation's record size divides the input's length. */
    kind: "no-fit";
    /** The input's length. */
    length: number;
    /** The record sizes of the generations inference tries, ascending. */
    sizes: number[];
  };

/** Scores `abi` on the records at `offsets` of `bytes` (offsets whose record is not all there are skipped). */
export function scoreAbi(
  abi: AbiId,
  bytes: Uint8Array,
  offsets: Iterable<number>,
  le: boolean,
): AbiScore {
  const size = RECORDS[abi].size;
  let records = 0, errors = 0, warnings = 0;
  for (const at of offsets) {
    if (at + size > bytes.length) continue;
    records++;
    for (const f of checkRecord(abi, bytes, at, {}, undefined, le)) {
      if (f.severity === "error") errors++;
      else if (f.severity === "warning") warnings++;
    }
  }
  return { abi, records, errors, warnings };
}

const rate = (n: number, s: AbiScore) => n / Math.max(1, s.records);
const rank = (abi: AbiId) => {
  const i = GUESS_ORDER.indexOf(abi);
  return i < 0 ? GUESS_ORDER.length : i;
};

/**
 * Ranks scored candidates: fewest errors per record, then fewest warnings per record, then the
 * inference order. Ambiguous when another candidate's error rate is within {@link NEAR_TIE} of
 * the pick's.
 */
export function rankAbis(scores: readonly AbiScore[]): AbiRanking {
  const sorted = [...scores].sort((a, b) =>
    rate(a.errors, a) - rate(b.errors, b) || rate(a.warnings, a) - rate(b.warnings, b) ||
    rank(a.abi) - rank(b.abi)
  );
  const best = sorted[0];
  const near = (s: AbiScore) => Math.abs(rate(s.errors, s) - rate(best.errors, best)) <= NEAR_TIE;
  const tied = sorted.filter(near).map((s) => s.abi);
  const next = sorted[1];
  const by: Decider = !next
    ? "only"
    : !near(next)
    ? "errors"
    : rate(next.warnings, next) !== rate(best.warnings, best)
    ? "warnings"
    : "rank";
  return { abi: best.abi, candidates: sorted, ambiguous: tied.length > 1, tied, by };
}

/**
 * Infers the record ABI of a capture from its first bytes (`sample`) and total `length`
 * (undefined for a stream: every candidate is then scored).
 */
export function guessAbi(sample: Uint8Array, length: number | undefined, le: boolean): AbiGuess {
  const fits = GUESS_ORDER.filter((a) => length === undefined || length % RECORDS[a].size === 0);
  if (!fits.length) {
    return {
      kind: "no-fit",
      length: length!,
      sizes: [...new Set(GUESS_ORDER.map((a) => RECORDS[a].size))].sort((a, b) => a - b),
    };
  }
  const scores = fits.map((abi) => {
    const size = RECORDS[abi].size;
    const n = Math.min(GUESS_SAMPLE, Math.floor(sample.length / size));
    return scoreAbi(abi, sample, Array.from({ length: n }, (_, i) => i * size), le);
  });
  return { kind: "guessed", length, ...rankAbis(scores) };
}

/** Bytes of an input's start that decide whether it is text ({@link inputKind}). */
export const TEXT_SAMPLE = 4096;

/** How to read an input: as hex-dump text (in an encoding), or as raw records. */
export interface InputKind {
  /** Text (a hex dump), or binary (records back to back). */
  readonly kind: "text" | "binary";
  /** The text's encoding (a byte-order mark decides UTF-16), for text. */
  readonly encoding?: "utf-8" | "utf-16le" | "utf-16be";
  /** Bytes of the byte-order mark to skip (0 without one). */
  readonly bom: number;
  /** Why, in a few words, for the line that says how the input was read. */
  readonly why: string;
}

const CONTROL_OK = new Set([9, 10, 11, 12, 13]); // \t \n \v \f \r

/**
 * Offset of the first byte that breaks UTF-8 in `b`, or -1. A sequence cut by the end is fine
 * unless `whole` (`b` is all the input: the text ends inside a character).
 */
function utf8Error(b: Uint8Array, whole: boolean): number {
  for (let i = 0; i < b.length;) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 &&
        c < 0xf5
      ? 3
      : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      if (i + k >= b.length) return whole ? i : -1;
      if ((b[i + k] & 0xc0) !== 0x80) return i;
    }
    i += n + 1;
  }
  return -1;
}

/**
 * Whether an input is a hex dump (text) or raw records, from its first bytes (`sample`, at least
 * {@link TEXT_SAMPLE} of them when the input has that many). Records hold NUL bytes (reserved
 * fields, the high bytes of small numbers); text never does. Text is UTF-8 without control
 * characters other than white space, after an optional byte-order mark (UTF-8, or UTF-16 when
 * the mark says so, as Windows tools write it); a non-ASCII character (a `·` in an ASCII column,
 * a `→` in a note) does not make it binary. A character cut by the end of the sample is text
 * when the sample is {@link TEXT_SAMPLE} bytes (the input goes on), not when it is shorter (the
 * sample is all the input: it ends inside the character).
 */
export function inputKind(sample: Uint8Array): InputKind {
  if (!sample.length) return { kind: "binary", bom: 0, why: "empty" };
  const at = (i: number) => `0x${i.toString(16)}`;
  const b0 = sample[0], b1 = sample[1];
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    const encoding = b0 === 0xff ? "utf-16le" : "utf-16be";
    const end = 2 + ((Math.min(sample.length, TEXT_SAMPLE) - 2) & ~1);
    const text = new TextDecoder(encoding).decode(sample.subarray(2, end));
    let ok = true;
    for (let i = 0; i < text.length && ok; i++) {
      const c = text.charCodeAt(i);
      ok = !(c === 0xfffd || (c < 0x20 && !CONTROL_OK.has(c)));
    }
    if (ok) {
      return {
        kind: "text",
        encoding,
        bom: 2,
        why: `${encoding.toUpperCase()} text (byte-order mark)`,
      };
    }
  }
  const bom = b0 === 0xef && b1 === 0xbb && sample[2] === 0xbf ? 3 : 0;
  const body = sample.subarray(bom, TEXT_SAMPLE);
  const nul = body.indexOf(0);
  if (nul >= 0) return { kind: "binary", bom: 0, why: `a NUL byte at offset ${at(nul + bom)}` };
  let ascii = true;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if ((c < 0x20 && !CONTROL_OK.has(c)) || c === 0x7f) {
      return { kind: "binary", bom: 0, why: `control byte ${at(c)} at offset ${at(i + bom)}` };
    }
    if (c > 0x7f) ascii = false;
  }
  // A sample shorter than TEXT_SAMPLE is the whole input (callers give that many when there
  // are): a character cut by its end is then no text (a one-byte file of 0xe8 is a byte of
  // records, not a dump whose one character cannot be decoded).
  const bad = ascii ? -1 : utf8Error(body, sample.length < TEXT_SAMPLE);
  if (bad >= 0) {
    return {
      kind: "binary",
      bom: 0,
      why: `byte ${at(body[bad])} at offset ${at(bad + bom)} is not UTF-8 text`,
    };
  }
  return {
    kind: "text",
    encoding: "utf-8",
    bom,
    why: bom ? "UTF-8 text (byte-order mark skipped)" : ascii ? "ASCII text" : "UTF-8 text",
  };
}

/** Whether a chunk looks like hex-dump text rather than raw records ({@link inputKind}). */
export function looksLikeText(bytes: Uint8Array): boolean {
  return inputKind(bytes).kind === "text";
}
