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
  /** `line` and `column` (from 1) point at the offending text. */
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
    this.name = "HexError";
  }
}

const OFFSET_PREFIX = /^\s*(?:0x)?[0-9a-fA-F]+:/;
// hexdump -C: an offset without a colon, two spaces, then bytes; its ASCII column is |...|.
const HEXDUMP_C_OFFSET = /^\s*[0-9a-fA-F]{6,}(?=\s{2,}[0-9a-fA-F]{2}(\s|$))/;
const HEXDUMP_C_ASCII = /\s\|.*\|\s*$/;

/** Most bytes `*` repeats may expand to (a 23-character dump must not ask for 2 GiB). */
export const MAX_HEX_BYTES = 256 * 1024 * 1024;

/** Parses a hex dump into bytes; throws {@link HexError} naming the line and column. */
export function parseHex(text: string, maxBytes = MAX_HEX_BYTES): Uint8Array {
  const out: number[] = [];
  const lines = text.split(/\r?\n/);
  const hexdumpC = lines.some((l) => HEXDUMP_C_OFFSET.test(l) && HEXDUMP_C_ASCII.test(l));
  // `*` (hexdump -C, xxd -a) stands for repeats of the previous line up to the next offset.
  let previous: number[] = [];
  let squeezed = false;
  const offsetOf = (p: string) => parseInt(p.replace(/[:\s]/g, "").replace(/^0x/i, ""), 16);
  const unsqueeze = (nextOffset: number, line: number) => {
    if (!squeezed || !previous.length) return;
    squeezed = false;
    if (nextOffset > maxBytes) {
      throw new HexError(
        `'*' repeats up to offset 0x${nextOffset.toString(16)} at line ${line}, ` +
          `past the ${maxBytes}-byte limit`,
        line,
        1,
      );
    }
    while (out.length + previous.length <= nextOffset) out.push(...previous);
  };
  for (let li = 0; li < lines.length; li++) {
    let line = lines[li];
    let col = 0;
    if (line.trim() === "*") {
      squeezed = true;
      continue;
    }
    const prefix = line.match(OFFSET_PREFIX) ?? (hexdumpC ? line.match(HEXDUMP_C_OFFSET) : null);
    if (prefix) {
      unsqueeze(offsetOf(prefix[0]), li + 1);
      col = prefix[0].length;
      line = line.slice(col).replace(HEXDUMP_C_ASCII, "");
    } else if (hexdumpC && /^\s*[0-9a-fA-F]{6,}\s*$/.test(line)) {
      unsqueeze(offsetOf(line), li + 1); // hexdump -C ends with a line holding only the total length
      continue;
    }
    const lineStart = out.length;
    const re = /[^\s,]+/g;
    let groupLen = 0;
    let last = 0;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      let tok = m[0];
      const at = col + m.index + 1;
      const gap = m.index - last;
      last = m.index + tok.length;
      if (/^0x/i.test(tok)) tok = tok.slice(2);
      const isHex = /^[0-9a-fA-F]+$/.test(tok);
      // On an offset line, a token after a wide gap that is not a byte group like the others is
      // the ASCII column (xxd): it ends the data. Groups separated by two spaces are still data.
      // xxd pads a short last line, so a gap of 3+ spaces, a line that already holds 16 bytes,
      // or a rest of line exactly as long as the bytes read (xxd prints one ASCII character per
      // byte: `xxd -c 4` gives "6162 6364  abcd") also means the ASCII column.
      const onLine = out.length - lineStart;
      if (
        prefix && groupLen && gap >= 2 &&
        (!isHex || tok.length !== groupLen || gap >= 3 || onLine >= 16 ||
          line.length - m.index === onLine)
      ) break;
      if (!isHex) {
        throw new HexError(`bad hex '${m[0]}' at line ${li + 1}, column ${at}`, li + 1, at);
      }
      if (tok.length % 2) {
        throw new HexError(
          `odd number of hex digits in '${m[0]}' at line ${li + 1}, column ${at}`,
          li + 1,
          at,
        );
      }
      groupLen ||= tok.length;
      for (let i = 0; i < tok.length; i += 2) out.push(parseInt(tok.slice(i, i + 2), 16));
    }
    if (out.length > lineStart) previous = out.slice(lineStart);
  }
  return Uint8Array.from(out);
}

/** Bytes as one lowercase hex string, two digits a byte (the `raw` field of the JSON output). */
export function hexString(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
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
