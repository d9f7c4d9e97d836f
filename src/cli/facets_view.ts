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
import { hex, plural } from "../codec/numbers.ts";
import { UsageError } from "./errors.ts";
import { table } from "./render.ts";

export { filterText, RecordSummary, summaryJson } from "../codec/facets.ts";

/** The core's predicate for the filters given; a filter that cannot apply is a usage error. */
export function compileFilter(
  kind: RecordKind,
  spec: RecordFilterSpec,
): ((rec: Readonly<Record<string, unknown>>) => boolean) | undefined {
  try {
    return recordFilter(kind, spec);
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    const flag = e.facet === "address" ? "addr" : e.facet;
    throw new UsageError(`--${flag}: ${e.message}`);
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
