/**
 * Text rendering for humans: padded tables, and colour only on a TTY and never with NO_COLOR.
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
import { stripVTControlCharacters, styleText } from "node:util";

/**
 * Whether stdout wants colour: a terminal, and no NO_COLOR. NO_COLOR is read only when env access
 * is already granted, so faultscope never prompts for a permission just to decide on colour.
 */
export function colourEnabled(): boolean {
  if (!Deno.stdout.isTerminal()) return false;
  try {
    const env = Deno.permissions.querySync({ name: "env", variable: "NO_COLOR" });
    return env.state === "granted" && (Deno.env.get("NO_COLOR") ?? "") === "";
  } catch {
    return false;
  }
}

/** Colours text when colour is enabled. */
export function paint(
  format: Parameters<typeof styleText>[0],
  text: string,
  enabled = colourEnabled(),
): string {
  return enabled ? styleText(format, text, { validateStream: false }) : text;
}

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
