/**
 * Text rendering for humans: padded tables whose widths ignore colour escapes, tables laid out
 * one row at a time at widths fixed in advance (a stream of a million rows stays aligned), and
 * lines fitted to a terminal: on a TTY a table row is cut at its width (`…` marks the cut) and
 * prose is wrapped; piped, every line is kept whole for `grep` and `less -S`.
 *
 * @example
 * ```ts
 * import { FixedTable, table, wrap } from "./render.ts";
 * table(["rule", "severity"], [["IDX-FULL", "warning"]]);
 * // => ["rule      severity", "IDX-FULL  warning"]
 * const t = new FixedTable(["index", "type"], [5, 14], new Set([0]));
 * t.row(["7", "DMA_UNRECOV(1)"]); // => "    7  DMA_UNRECOV(1)"
 * wrap("why: the kernel drops the fault", 20, "     ");
 * // => ["why: the kernel", "     drops the fault"]
 * ```
 * @module
 */
import { withoutEscapes } from "./io.ts";

const visible = (s: string) => withoutEscapes(s).length;

/**
 * Lays out rows under headers with two spaces between columns; right-aligns the listed columns.
 * With `width` (a terminal's), a row wider than it continues its last column (a message) on the
 * next lines, under itself; without, each row is one line.
 */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  rightAlign: ReadonlySet<number> = new Set(),
  width?: number,
): string[] {
  // A loop, not Math.max(...rows): a table of 200,000 rows must not overflow the stack.
  const widths = headers.map((h) => h.length);
  for (const r of rows) {
    for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i], visible(r[i] ?? ""));
  }
  const fmt = (cells: readonly string[]) =>
    cells.map((c, i) => {
      const pad = " ".repeat(Math.max(0, widths[i] - visible(c)));
      return rightAlign.has(i) ? pad + c : i === cells.length - 1 ? c : c + pad;
    }).join("  ").trimEnd();
  const lines = [fmt(headers), ...rows.map(fmt)];
  const last = widths.slice(0, -1).reduce((n, w) => n + w + 2, 0);
  // Wrapping helps only when the last column has room; otherwise the rows are cut.
  if (width === undefined) return lines;
  if (width - last < 20) return lines.map((l) => fit(l, width));
  return lines.flatMap((l) => wrap(l, width, " ".repeat(last)));
}

/**
 * A table whose column widths are known before the first row (from the ABI data: a field's type,
 * enum and flag names), so each row is laid out alone: a stream of any length stays aligned and
 * nothing is held. A cell longer than its column (an undefined flag bit) pushes only its own row.
 * Cells are plain text (no colour escapes).
 */
export class FixedTable {
  readonly #pads: string[];

  /** Columns `headers` at `widths` (at least each header's length); `rightAlign` by index. */
  constructor(
    readonly headers: readonly string[],
    readonly widths: readonly number[],
    readonly rightAlign: ReadonlySet<number> = new Set(),
  ) {
    this.widths = widths.map((w, i) => Math.max(w, headers[i].length));
    this.#pads = this.widths.map((w) => " ".repeat(w));
  }

  /** The header line. */
  header(): string {
    return this.row(this.headers);
  }

  /** One row. */
  row(cells: readonly string[]): string {
    let line = "";
    const last = cells.length - 1;
    for (let i = 0; i <= last; i++) {
      const c = cells[i];
      const pad = this.widths[i] - c.length;
      if (i) line += "  ";
      if (this.rightAlign.has(i)) line += pad > 0 ? this.#pads[i].slice(0, pad) + c : c;
      else line += i === last || pad <= 0 ? c : c + this.#pads[i].slice(0, pad);
    }
    return line.trimEnd();
  }
}

/**
 * A table row fitted to a terminal of `columns`: cut with `…` when wider (a cut row loses its
 * colour). Undefined `columns` (not a terminal) keeps the line whole.
 */
export function fit(line: string, columns: number | undefined): string {
  if (columns === undefined || columns < 2 || line.length <= columns) return line;
  const plain = withoutEscapes(line);
  if (plain.length <= columns) return line;
  return plain.slice(0, columns - 1) + "…";
}

/**
 * Prose wrapped at word boundaries to `width` columns; the lines after the first start with
 * `indent`, and a word longer than a line is broken. Undefined `width` keeps one line.
 */
export function wrap(text: string, width: number | undefined, indent = ""): string[] {
  if (width === undefined || visible(text) <= width) return [text];
  const room = Math.max(1, width - indent.length);
  const lines: string[] = [];
  let line = "";
  // Each word with the spaces before it: a line's own spacing ("why:       the") is kept.
  for (let token of text.match(/\s*\S+/g) ?? []) {
    if (line.trim() && visible(line + token) > width) {
      lines.push(line);
      line = indent;
      token = token.trimStart();
    }
    while (visible(line + token) > width && token.trim().length > room) {
      const cut = Math.max(1, width - visible(line));
      lines.push(line + token.slice(0, cut));
      line = indent;
      token = token.slice(cut);
    }
    line += token;
  }
  lines.push(line);
  return lines;
}
