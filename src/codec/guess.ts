/**
 * Which record generation a capture is, when nobody said: every generation of the registry's
 * inference order whose record size divides the input's length is a candidate, scored by the
 * record rules on a sample of its first records (errors, then warnings, per record read). The
 * fewest wins; candidates that score alike (the same error rate, within {@link NEAR_TIE}) make
 * the answer ambiguous, and the answer says so: v4, v7 and v8 read the same 48 bytes with
 * different PERM and flag bits, so a v4 record is never told from a v8 one by its bytes alone.
 * The answer is data (the scores, the pick, what decided it); the CLI words it. Also: whether an
 * input is hex-dump text.
 *
 * @example
 * ```ts
 * import { guessAbi, looksLikeText } from "./guess.ts";
 * import { encodeRecord } from "./encode.ts";
 * const rec = encodeRecord("rfc3", { type: 1, reason: 10, addr: 0xdeadb000n, pasid: 5, pasid_valid: 1 });
 * const g = guessAbi(rec, rec.length, true);
 * g.kind === "guessed" && g.abi; // "rfc3": the other readings of its 48 bytes have errors
 * g.kind === "guessed" && g.ambiguous; // false
 * looksLikeText(new TextEncoder().encode("0000: 01 00")); // true
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

/** Whether a chunk looks like hex-dump text rather than raw records (which hold NUL bytes). */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (!bytes.length) return false;
  for (const b of bytes.subarray(0, 4096)) {
    if (b === 0 || b > 0x7e || (b < 0x20 && b !== 9 && b !== 10 && b !== 13)) return false;
  }
  return true;
}
