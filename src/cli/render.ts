/**
 * Text rendering for humans: padded tables whose widths ignore colour escapes.
 *
 * @example
 * ```ts
 * import { table } from "./render.ts";
 * table(["rule", "severity"], [["IDX-FULL", "warning"]]).join("\n");
 * // rule      severity
 * // IDX-FULL  warning
 * ```
 * @module
 */
import { stripVTControlCharacters } from "node:util";

const visible = (s: string) => stripVTControlCharacters(s).length;

/** Lays out rows under headers with two spaces between columns; right-aligns the listed columns. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  rightAlign: ReadonlySet<number> = new Set(),
): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visible(r[i] ?? ""))));
  const fmt = (cells: readonly string[]) =>
    cells.map((c, i) => {
      const pad = " ".repeat(Math.max(0, widths[i] - visible(c)));
      return rightAlign.has(i) ? pad + c : i === cells.length - 1 ? c : c + pad;
    }).join("  ").trimEnd();
  return [fmt(headers), ...rows.map(fmt)];
}
