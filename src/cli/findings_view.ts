/**
 * The human view of findings over a stream of records (`decode --check`): kept in bounded memory
 * (the first {@link FINDINGS_PER_RULE} of each rule, the rest counted), then printed as one table
 * under a `findings:` heading, a line per rule that had more, and the totals. A capture of ten
 * million bad records prints a few hundred lines, not ten million; `--ndjson` and `--json` carry
 * every finding, on its record.
 *
 * @example
 * ```ts
 * import { KeptFindings } from "./findings_view.ts";
 * import { finding } from "../rules/finding.ts";
 * const kept = new KeptFindings();
 * for (let i = 0; i < 25; i++) kept.add([finding("REC-TYPE", "type = 0", { index: i })]);
 * kept.lines(25, "record").at(-2); // => "... 5 more REC-TYPE findings (--ndjson lists every one)"
 * ```
 * @module
 */
import { hex, plural } from "../codec/numbers.ts";
import type { Finding } from "../rules/finding.ts";
import { withHints } from "./hints.ts";
import { table } from "./render.ts";

/** Findings of one rule shown; past it they are counted. */
export const FINDINGS_PER_RULE = 20;

/** Findings kept for the human view: the first of each rule, and counts. */
export class KeptFindings {
  readonly #kept: Finding[] = [];
  readonly #perRule = new Map<string, number>();
  /** Errors found. */
  errors = 0;
  /** Warnings found. */
  warnings = 0;

  /** Takes findings (in record order); returns them. */
  add(fs: readonly Finding[]): readonly Finding[] {
    for (const f of fs) {
      if (f.severity === "error") this.errors++;
      else if (f.severity === "warning") this.warnings++;
      const n = (this.#perRule.get(f.rule) ?? 0) + 1;
      this.#perRule.set(f.rule, n);
      if (n <= FINDINGS_PER_RULE) this.#kept.push(f);
    }
    return fs;
  }

  /**
   * The lines of the view: a blank line, `findings:` and the table (when there are any), a line
   * per rule with more than were shown, and `N records checked: E errors, W warnings`.
   */
  lines(records: number, what: string, width?: number): string[] {
    const out = [""];
    if (this.#kept.length) {
      out.push("findings:");
      const rows = this.#kept.map((f) => [
        f.severity,
        f.rule,
        `#${f.index ?? "-"}${f.field ? ` ${f.field}` : ""} @${hex(f.offset ?? 0)}`,
        withHints(f.message, f.hints),
      ]);
      out.push(...table(["severity", "rule", "where", "message"], rows, new Set(), width));
      for (const [rule, n] of this.#perRule) {
        if (n > FINDINGS_PER_RULE) {
          out.push(
            `... ${plural(n - FINDINGS_PER_RULE, `more ${rule} finding`)} (--ndjson lists every ` +
              `one)`,
          );
        }
      }
    }
    out.push(
      `${plural(records, what)} checked: ${plural(this.errors, "error")}, ` +
        `${plural(this.warnings, "warning")}`,
    );
    return out;
  }
}
