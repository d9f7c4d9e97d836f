/**
 * Parses hex dumps as people paste them: bare bytes, `0000: 01 00 ...` lines (abi.md style),
 * `xxd` output (offset prefix, 2-byte groups, ASCII column), `0x01, 0x02` lists.
 *
 * @example
 * ```ts
 * import { parseHex } from "./hex.ts";
 * parseHex("0000: 01 00 00 00\n0004: 0a 00 00 00"); // Uint8Array [1, 0, 0, 0, 10, 0, 0, 0]
 * ```
 * @module
 */

/** A hex dump that could not be parsed; says where. */
export class HexError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
    this.name = "HexError";
  }
}

const OFFSET_PREFIX = /^\s*(?:0x)?[0-9a-fA-F]+:/;

/** Parses a hex dump into bytes; throws {@link HexError} naming the line and column. */
export function parseHex(text: string): Uint8Array {
  const out: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let li = 0; li < lines.length; li++) {
    let line = lines[li];
    let col = 0;
    const prefix = line.match(OFFSET_PREFIX);
    if (prefix) {
      col = prefix[0].length;
      line = line.slice(col);
      // xxd puts the ASCII column after two or more spaces; it is not data.
      const ascii = line.search(/\S\s{2,}\S/);
      if (ascii >= 0) line = line.slice(0, ascii + 1);
    }
    const re = /[^\s,]+/g;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      let tok = m[0];
      const at = col + m.index + 1;
      if (/^0x/i.test(tok)) tok = tok.slice(2);
      if (!/^[0-9a-fA-F]+$/.test(tok)) {
        throw new HexError(`bad hex '${m[0]}' at line ${li + 1}, column ${at}`, li + 1, at);
      }
      if (tok.length % 2) {
        throw new HexError(
          `odd number of hex digits in '${m[0]}' at line ${li + 1}, column ${at}`,
          li + 1,
          at,
        );
      }
      for (let i = 0; i < tok.length; i += 2) out.push(parseInt(tok.slice(i, i + 2), 16));
    }
  }
  return Uint8Array.from(out);
}

/** Formats bytes as `xxd`-like lines of 16 (`0000: 01 00 ...`), with a base offset. */
export function hexLines(bytes: Uint8Array, base = 0, width = 4): string[] {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = Array.from(bytes.subarray(i, i + 16), (b) => b.toString(16).padStart(2, "0"));
    lines.push(`${(base + i).toString(16).padStart(width, "0")}: ${row.join(" ")}`);
  }
  return lines;
}
