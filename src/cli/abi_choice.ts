/**
 * How an inferred record ABI is said, the same way by `decode` and `inspect`: what was picked,
 * on what evidence, every candidate with its score, whether the input alone cannot decide
 * (ambiguous), and the flag that chooses. Also the JSON form of the same facts.
 *
 * @example
 * ```ts
 * import { rankingLines } from "./abi_choice.ts";
 * const lines = rankingLines({
 *   abi: "v8",
 *   candidates: [
 *     { abi: "v8", records: 1, errors: 0, warnings: 0 },
 *     { abi: "v4", records: 1, errors: 0, warnings: 0 },
 *   ],
 *   ambiguous: true,
 *   tied: ["v8", "v4"],
 *   by: "rank",
 * });
 * lines[0];
 * // => "ambiguous: v8 and v4 read these records equally well, and their PERM and flag bits differ"
 * ```
 * @module
 */
import { type AbiId, RECORDS } from "../abi/records.ts";
import type { AbiRanking, AbiScore } from "../codec/guess.ts";
import type { JsonObject } from "../codec/json.ts";
import { plural } from "../codec/numbers.ts";
import { hintText } from "./hints.ts";

/** `a, b and c`. */
export function listText(items: readonly string[]): string {
  return items.length < 2
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** One candidate's score in words: `v8 0 errors, 1 warning in 4 records`. */
export function scoreText(s: AbiScore): string {
  return `${s.abi} ${plural(s.errors, "error")}, ${plural(s.warnings, "warning")} in ` +
    plural(s.records, "record");
}

/** Whether a generation is one of the tagged-union `iommu_fault` records. */
const isUnion = (a: AbiId) =>
  RECORDS[a].family === "iommu_fault" && RECORDS[a].fields.some((f) => f.kind === "union");

/**
 * What the tied generations disagree on, in a few words: the union generations of one size
 * (v4, v7, v8) share the byte layout and differ in their PERM and flag bits; the others lay the
 * bytes out differently.
 */
function differ(tied: readonly AbiId[]): string {
  const size = RECORDS[tied[0]].size;
  const unions = tied.filter((a) => isUnion(a) && RECORDS[a].size === size);
  const others = tied.filter((a) => !unions.includes(a));
  if (unions.length < 2) return "they give the bytes different meanings";
  const perm =
    `${unions.length === tied.length ? "their" : `${listText(unions)} differ in their`}` +
    ` PERM and flag bits${unions.length === tied.length ? " differ" : ""}`;
  const lay = others.length === 1 ? "lays" : "lay";
  return others.length ? `${perm}; ${listText(others)} ${lay} the bytes out differently` : perm;
}

/** Why the pick was picked. */
function why(r: AbiRanking): string {
  switch (r.by) {
    case "only":
      return "the only candidate";
    case "errors":
      return "the fewest record errors";
    case "warnings":
      return "as few errors as the others, and the fewest warnings";
    case "rank":
      return "they score alike; the first of them in the inference order";
  }
}

/**
 * The facts of a ranking as lines (without the pick's own line, which the caller writes): for an
 * ambiguous one, which candidates tie and what they disagree on, the pick and why, every
 * candidate's score, and how to choose.
 */
export function rankingLines(r: AbiRanking): string[] {
  const lines: string[] = [];
  if (r.ambiguous) {
    lines.push(
      `ambiguous: ${listText(r.tied)} read these records equally well, and ${differ(r.tied)}`,
    );
  }
  lines.push(`picked ${r.abi}: ${why(r)}`);
  lines.push(`candidates: ${r.candidates.map(scoreText).join("; ")}`);
  lines.push(
    `to choose: ${hintText({ kind: "abi", choices: r.ambiguous ? r.tied : [r.abi] })}` +
      (r.ambiguous ? "" : " (or another)"),
  );
  return lines;
}

/** The JSON form: `ambiguous` and `candidates` ({abi, records, errors, warnings}, best first). */
export function rankingJson(r: AbiRanking | undefined): JsonObject {
  return {
    ambiguous: r?.ambiguous ?? false,
    candidates: (r?.candidates ?? []).map((c) => ({ ...c })),
    ...(r?.ambiguous ? { tied: [...r.tied] } : {}),
  };
}
