/**
 * The filters and the summary of `decode` and `inspect`, as the command line gives them: the
 * core's predicate for the filters (a filter that cannot apply is a usage error naming its
 * flag) and the summary's lines. The commands import this module only when a filter or
 * `--summary` is given: the facets (src/codec/facets.ts) are not loaded for a plain listing.
 *
 * @example
 * ```ts
 * import { compileFilter } from "./facets_view.ts";
 * import { RECORDS } from "../abi/records.ts";
 * const keep = compileFilter(RECORDS.mainline, { pasid: [5] });
 * keep?.({ type: 1, event: { pasid: 5 } }); // => true
 * ```
 * @module
 */
import {
  FilterError,
  recordFilter,
  type RecordFilterSpec,
  type RecordKind,
  type SummaryResult,
} from "../codec/facets.ts";
import { article, hex, plural } from "../codec/numbers.ts";
import { quoted } from "../codec/quote.ts";
import { FILTER_OPTIONS } from "./commands.ts";
import { UsageError } from "./errors.ts";
import { optionLabel } from "./spec_core.ts";
import { table } from "./render.ts";

export { filterText, RecordSummary, summaryJson } from "../codec/facets.ts";

/** Enum names listed in an error up to this many (VT-d's 40-odd reason sentences are not). */
const LISTED_NAMES = 24;

/**
 * The core's predicate for the filters given; a filter that cannot apply is a usage error in
 * the option parser's words (`option '--type <list>' argument 'X' is invalid: ...`).
 */
export function compileFilter(
  kind: RecordKind,
  spec: RecordFilterSpec,
): ((rec: Readonly<Record<string, unknown>>) => boolean) | undefined {
  try {
    return recordFilter(kind, spec);
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    const key = e.facet === "address" ? "addr" : e.facet;
    const option = `option '${optionLabel(key, FILTER_OPTIONS[key])}'`;
    const r = e.refused;
    if (!r) throw new UsageError(`${option} does not apply: ${e.message}`);
    const given = (spec[e.facet as "type" | "reason"] ?? [r.name]).join(",");
    const id = typeof kind === "string" ? kind : kind.id;
    const expected = !r.names.length
      ? "give a number"
      : r.names.length <= LISTED_NAMES
      ? `expected one of ${r.names.join(", ")}, or a number`
      : `expected a number or one of the names 'faultscope layout ` +
        `${id.startsWith("vevent:") ? "vevent" : id}' lists`;
    const of = r.names.length > LISTED_NAMES ? ` of ${id} records` : "";
    throw new UsageError(
      `${option} argument ${quoted(given)} is invalid: ${quoted(r.name)} is not ` +
        `${article(`${e.facet} name`)}${of}; ${expected}`,
    );
  }
}

/** The summary as lines: counts per type x reason, then the address range and pages. */
export function summaryLines(s: SummaryResult, what = "record"): string[] {
  const lines = [`summary of ${plural(s.records, what)}:`];
  if (s.rows.length) {
    const rows = s.rows.map((r) => [r.type, r.reason, String(r.count)]);
    lines.push(...table(["type", "reason", "records"], rows, new Set([2])).map((l) => `  ${l}`));
  }
  lines.push(
    s.address
      ? `  addresses ${hex(s.address.min)}-${hex(s.address.max)} in ` +
        `${s.pagesExact ? "" : "at least "}${plural(s.pages, "page")} of 4 KiB`
      : "  addresses: none (no record has one)",
  );
  return lines;
}
