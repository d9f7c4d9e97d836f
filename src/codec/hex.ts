/**
 * Parses hex dumps as people paste them: bare bytes, `0000: 01 00 ...` lines (abi.md style),
 * `xxd` output (offset prefix, byte groups, ASCII column), `hexdump -C`, `0x01, 0x02` lists,
 * and word-grouped dumps, whose groups are numbers rather than bytes in memory order: `xxd -e`,
 * `od -tx2/-tx4/-tx8` (with or without `-An`), plain `hexdump`, and `0x`-lists of 16-, 32- or
 * 64-bit values (the kernel prints SMMUv3 event dwords as `0x%016llx`).
 *
 * A word-grouped dump is recognised by its token widths and offset column, and its words are
 * read in the dump's byte order: the host's, little-endian unless told otherwise. When the dump
 * cannot say whether its groups are words or bytes (`xxd -g4` and `xxd -e` print the same
 * shape; only printable bytes in the ASCII column tell them apart), parsing refuses with a
 * {@link HexError} that says how to choose, rather than guess. How the groups were read is part
 * of the answer ({@link HexReading}), so a caller can always say it.
 *
 * @example
 * ```ts
 * import { parseHex, readHex } from "./hex.ts";
 * parseHex("0000: 01 00 00 00\n0004: 0a 00 00 00"); // Uint8Array [1, 0, 0, 0, 10, 0, 0, 0]
 * const r = readHex(" 00000001 0000000a"); // od -An -tx4 on a little-endian host
 * r.bytes; // Uint8Array [1, 0, 0, 0, 10, 0, 0, 0]
 * r.reading.groups; // "words"
 * ```
 * @module
 */
import type { Hint } from "../region/hint.ts";

/** A hex dump that could not be parsed (or read without a guess); says where. */
export class HexError extends Error {
  /** `line` and `column` (from 1) point at the offending text; `hints` say what could decide. */
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly hints: readonly Hint[] = [],
  ) {
    super(message);
    this.name = "HexError";
  }
}

/** How to read hex groups wider than a byte: bytes in textual order, or words in a byte order. */
export type HexGroups = "bytes" | "little" | "big";

/** How a dump was read. */
export interface HexReading {
  /** Groups read as bytes in textual (memory) order, or as numbers. */
  readonly groups: "bytes" | "words";
  /** Bytes per word, for words. */
  readonly wordBytes?: 2 | 4 | 8;
  /** Byte order of the words, for words. */
  readonly order?: "little" | "big";
  /** The dump format recognised, in a few words (`od -tx4`, `xxd -e`, `0x-list`, ...). */
  readonly format: string;
  /** The word order was the default, not given or evident. */
  readonly assumed: boolean;
}

/** Options of {@link readHex}. */
export interface HexOptions {
  /** Most bytes a dump may expand to (`*` repeats). */
  readonly maxBytes?: number;
  /** How to read groups wider than a byte; default: from the dump's format. */
  readonly groups?: HexGroups;
  /** Byte order of the host that printed a word dump, when not given (default little). */
  readonly hostOrder?: "little" | "big";
}

const OFFSET_PREFIX = /^\s*(?:0x)?[0-9a-fA-F]+:/;
// hexdump -C: an offset without a colon, two spaces, then bytes; its ASCII column is |...|.
const HEXDUMP_C_OFFSET = /^\s*[0-9a-fA-F]{6,}(?=\s{2,}[0-9a-fA-F]{2}(\s|$))/;
const HEXDUMP_C_ASCII = /\s\|.*\|\s*$/;

/** Most bytes `*` repeats may expand to (a 23-character dump must not ask for 2 GiB). */
export const MAX_HEX_BYTES = 256 * 1024 * 1024;

/** One group of hex digits as written. */
interface Token {
  /** The digits, without `0x`. */
  hex: string;
  /** It was written with `0x`. */
  ox: boolean;
  /** 1-based line and column. */
  line: number;
  col: number;
}

/** One line of data. */
interface Line {
  /** Its offset column, when it has one (as written). */
  offset?: string;
  tokens: Token[];
  /** xxd's ASCII column, when there is one. */
  ascii?: string;
}

/** A `*` (repeat the previous line up to the next offset) or a closing length line. */
type Item = { kind: "data"; line: Line } | { kind: "star" } | {
  kind: "length";
  offset: string;
  line: number;
};

/** How a dump lays out its lines. */
type Layout = "colon" | "hexdump-c" | "bare-offset" | "plain";

const isHex = (t: string) => /^[0-9a-fA-F]+$/.test(t);

/** The value of each ASCII hex digit, -1 for any other character. */
const HEX_VALUE = Int8Array.from({ length: 128 }, (_, c) => {
  const ch = String.fromCharCode(c);
  return /[0-9a-fA-F]/.test(ch) ? parseInt(ch, 16) : -1;
});

/** Whether `c` separates tokens (white space or a comma). */
const isSeparator = (c: number) => c === 32 || c === 9 || c === 44 || c === 13 || c === 11;

/**
 * Whether every multi-token line starts with an offset column without a colon (od, hexdump):
 * a first token of 6 to 8 digits, wider or narrower than the data after it, the same width on
 * every line. `od -An -tx4` lines (no offsets) have all tokens of one width.
 */
function bareOffsetWidth(lines: string[]): number | undefined {
  let w0: number | undefined;
  let seen = false;
  for (const l of lines) {
    const toks = l.trim().split(/\s+/).filter(Boolean);
    if (toks.length < 2 || toks[0] === "*") continue;
    const [first, ...rest] = toks;
    if (!isHex(first) || first.length < 6 || first.length > 8) return undefined;
    if (rest.some((t) => !isHex(t)) || rest.every((t) => t.length === first.length)) {
      return undefined;
    }
    if (w0 !== undefined && w0 !== first.length) return undefined;
    w0 = first.length;
    seen = true;
  }
  return seen ? w0 : undefined;
}

/** Splits the text into data lines, `*` lines and length lines (pass 1: no bytes yet). */
function scan(text: string): { items: Item[]; layout: Layout } {
  const lines = text.split(/\r?\n/);
  const hexdumpC = lines.some((l) => HEXDUMP_C_OFFSET.test(l) && HEXDUMP_C_ASCII.test(l));
  const colon = !hexdumpC && lines.some((l) => OFFSET_PREFIX.test(l));
  const bare = !hexdumpC && !colon ? bareOffsetWidth(lines) : undefined;
  const layout: Layout = hexdumpC
    ? "hexdump-c"
    : colon
    ? "colon"
    : bare !== undefined
    ? "bare-offset"
    : "plain";
  const items: Item[] = [];
  for (let li = 0; li < lines.length; li++) {
    let line = lines[li];
    let col = 0;
    if (line.trim() === "*") {
      items.push({ kind: "star" });
      continue;
    }
    let prefix: string | undefined;
    if (layout === "bare-offset") {
      const m = line.match(/^\s*([0-9a-fA-F]+)(?=\s|$)/);
      if (m && m[1].length === bare) {
        if (line.trim() === m[1]) {
          items.push({ kind: "length", offset: m[1], line: li + 1 });
          continue;
        }
        prefix = m[0];
      }
    } else {
      prefix = (line.match(OFFSET_PREFIX) ?? (hexdumpC ? line.match(HEXDUMP_C_OFFSET) : null))
        ?.[0];
      if (!prefix && hexdumpC && /^\s*[0-9a-fA-F]{6,}\s*$/.test(line)) {
        // hexdump -C ends with a line holding only the total length
        items.push({ kind: "length", offset: line.trim(), line: li + 1 });
        continue;
      }
    }
    const data: Line = { tokens: [] };
    if (prefix) {
      data.offset = prefix.replace(/[:\s]/g, "");
      col = prefix.length;
      line = line.slice(col);
      if (hexdumpC) line = line.replace(HEXDUMP_C_ASCII, "");
    }
    let groupLen = 0;
    let last = 0;
    let bytes = 0;
    // Tokens are runs of anything but white space and commas (a hand-written scanner: this loop
    // runs once per byte of a byte dump).
    for (let i = 0; i < line.length;) {
      while (i < line.length && isSeparator(line.charCodeAt(i))) i++;
      if (i >= line.length) break;
      const start = i;
      let hexTok = true;
      while (i < line.length && !isSeparator(line.charCodeAt(i))) {
        const c = line.charCodeAt(i);
        if (c > 127 || HEX_VALUE[c] < 0) hexTok = false;
        i++;
      }
      const raw = line.slice(start, i);
      const at = col + start + 1;
      const gap = start - last;
      last = i;
      const ox = raw.length >= 2 && raw.charCodeAt(0) === 48 && (raw.charCodeAt(1) | 32) === 120;
      const tok = ox ? raw.slice(2) : raw;
      if (ox) hexTok = isHex(tok);
      // On an xxd line, a token after a wide gap that is not a group like the others is the
      // ASCII column: it ends the data. Groups separated by two spaces are still data. xxd pads
      // a short last line, so a gap of 3+ spaces, a line that already holds 16 bytes, or a rest
      // of line exactly as long as the bytes read (xxd prints one ASCII character per byte:
      // `xxd -c 4` gives "6162 6364  abcd") also means the ASCII column. An `xxd -e` line may
      // end in a partial word right-aligned in its group's column ("000a0000     0000"): a
      // shorter token exactly where a full group would have ended.
      if (layout === "colon" && prefix && groupLen && gap >= 2) {
        const restLen = line.length - start;
        const partial = hexTok && groupLen >= 8 && tok.length < groupLen &&
          tok.length % 2 === 0 && gap === 1 + groupLen - tok.length && bytes < 16;
        if (
          !partial &&
          (!hexTok || tok.length !== groupLen || gap >= 3 || bytes >= 16 || restLen === bytes)
        ) {
          data.ascii = line.slice(start);
          break;
        }
      }
      if (!hexTok || (!tok.length)) {
        throw new HexError(`bad hex '${raw}' at line ${li + 1}, column ${at}`, li + 1, at);
      }
      groupLen ||= tok.length;
      bytes += Math.ceil(tok.length / 2);
      data.tokens.push({ hex: tok, ox, line: li + 1, col: at });
    }
    if (data.tokens.length || data.offset !== undefined) items.push({ kind: "data", line: data });
  }
  return { items, layout };
}

/** The most common token width of the data (the group width). */
function groupWidth(tokens: Token[]): number {
  const count = new Map<number, number>();
  for (const t of tokens) count.set(t.hex.length, (count.get(t.hex.length) ?? 0) + 1);
  let best = 0, n = -1;
  for (const [w, c] of count) if (c > n || (c === n && w > best)) [best, n] = [w, c];
  return best;
}

/**
 * What xxd's ASCII column says of 2k-digit groups: `bytes` when its printable characters match
 * the groups' digits in textual order, `words` when they match them byte-reversed (`xxd -e`),
 * undefined when no printable byte tells the two apart.
 */
function asciiEvidence(lines: Line[]): "bytes" | "words" | undefined {
  let asBytes = 0, asWords = 0;
  for (const l of lines) {
    if (l.ascii === undefined) continue;
    let pos = 0;
    const memBytes: number[] = [], memWords: number[] = [];
    for (const t of l.tokens) {
      const pairs = t.hex.match(/../g) ?? [];
      const b = pairs.map((p) => parseInt(p, 16));
      memBytes.push(...b);
      memWords.push(...b.reverse());
      pos += pairs.length;
    }
    const ascii = l.ascii.slice(-pos).padStart(pos, " ");
    for (let i = 0; i < pos; i++) {
      const c = ascii.charCodeAt(i);
      if (c < 0x21 || c > 0x7e || c === 0x2e) continue; // space and '.' say nothing
      if (memBytes[i] === memWords[i]) continue;
      if (memBytes[i] === c) asBytes++;
      if (memWords[i] === c) asWords++;
    }
  }
  if (asBytes && !asWords) return "bytes";
  if (asWords && !asBytes) return "words";
  return undefined;
}

const WORD_HINT = (choices: readonly HexGroups[]): Hint => ({
  kind: "hex-groups",
  choices,
});

/** Decides how to read the groups, or refuses (pass 2). */
function classify(
  items: Item[],
  layout: Layout,
  o: HexOptions,
): { reading: HexReading; width: number } {
  const lines = items.flatMap((i) => (i.kind === "data" ? [i.line] : []));
  const tokens = lines.flatMap((l) => l.tokens);
  const width = groupWidth(tokens);
  let maxWidth = 0, ox = tokens.length > 0;
  for (const t of tokens) {
    if (t.hex.length > maxWidth) maxWidth = t.hex.length;
    ox &&= t.ox;
  }
  const hostOrder = o.hostOrder ?? "little";
  const first = tokens.find((t) => t.hex.length === width) ?? tokens[0];
  const bytesReading = (format: string): HexReading => ({
    groups: "bytes",
    format,
    assumed: false,
  });
  const words = (format: string, w: number, evident = false): HexReading => {
    const wordBytes = (w <= 4 ? 2 : w <= 8 ? 4 : 8) as 2 | 4 | 8;
    const given = o.groups === "little" || o.groups === "big";
    const order = given ? o.groups as "little" | "big" : evident ? "little" : hostOrder;
    return { groups: "words", wordBytes, order, format, assumed: !given && !evident };
  };
  if (o.groups === "bytes") return { reading: bytesReading("groups read as bytes"), width };
  if (o.groups) {
    if (maxWidth > 16) {
      throw new HexError(
        `groups of ${maxWidth} hex digits at line ${first.line} are wider than a 64-bit word`,
        first.line,
        first.col,
      );
    }
    return { reading: words("groups read as words", maxWidth), width: maxWidth };
  }
  const refuse = (what: string, decidable = true): never => {
    throw new HexError(
      `${what} (line ${first.line})`,
      first.line,
      first.col,
      decidable ? [WORD_HINT(["bytes", "little", "big"])] : [],
    );
  };
  if (layout === "hexdump-c" || maxWidth <= 2) return { reading: bytesReading("bytes"), width };
  if (ox) {
    if (maxWidth > 16) refuse(`0x values of ${maxWidth} digits are wider than 64 bits`);
    return { reading: words("0x-list of values", maxWidth), width: maxWidth };
  }
  if (layout === "colon") {
    if (width === 4 || width === 8 || width === 16) {
      const said = asciiEvidence(lines);
      if (said === "words") return { reading: words("xxd -e", width, true), width };
      if (said === "bytes" || width === 4) {
        return { reading: bytesReading(`xxd, ${width / 2}-byte groups`), width };
      }
      refuse(
        `groups of ${width / 2} bytes after an offset are xxd -g ${width / 2} bytes or xxd -e ` +
          `little-endian words, and no printable byte in the ASCII column tells which`,
      );
    }
    return { reading: bytesReading("xxd"), width };
  }
  if (layout === "bare-offset") {
    if (width === 4 || width === 8 || width === 16) {
      return {
        reading: words(width === 4 ? "hexdump or od -tx2" : `od -tx${width / 2}`, width),
        width,
      };
    }
    refuse(
      `groups of ${width} digits after an offset column are not hex bytes or words: od prints ` +
        `octal by default; dump with od -An -tx1 (bytes) or od -An -tx4 (words)`,
      false,
    );
  }
  // No offset column.
  const multi = lines.some((l) => l.tokens.length > 1);
  if (multi && (width === 8 || width === 16) && tokens.every((t) => t.hex.length <= width)) {
    return { reading: words(`od -An -tx${width / 2}`, width), width };
  }
  if (multi && width === 4 && tokens.every((t) => t.hex.length === 4)) {
    refuse(
      "groups of 4 hex digits without an offset column are byte pairs (xxd) or 16-bit words " +
        "(od -An -tx2, hexdump)",
    );
  }
  return { reading: bytesReading("bytes"), width };
}

/** Parses an offset written in `radix`. */
const offsetIn = (o: string, radix: number) => parseInt(o.replace(/^0x/i, ""), radix);

/**
 * The radix of a bare offset column: od prints octal by default (`0000020` after 16 bytes),
 * hexdump hex (`0000010`), od -Ad decimal. The first consecutive pair of offset lines decides.
 */
function offsetRadix(items: Item[], bytesOf: (l: Line) => number): number {
  for (let i = 0; i + 1 < items.length; i++) {
    const a = items[i], b = items[i + 1];
    if (a.kind !== "data" || a.line.offset === undefined) continue;
    const next = b.kind === "data" ? b.line.offset : b.kind === "length" ? b.offset : undefined;
    if (next === undefined) continue;
    const n = bytesOf(a.line);
    for (const radix of [16, 8, 10]) {
      if (offsetIn(next, radix) - offsetIn(a.line.offset, radix) === n) return radix;
    }
  }
  return 16;
}

/** Reads a hex dump into bytes, and says how; throws {@link HexError} naming line and column. */
export function readHex(text: string, o: HexOptions = {}): {
  bytes: Uint8Array;
  reading: HexReading;
} {
  const maxBytes = o.maxBytes ?? MAX_HEX_BYTES;
  const { items, layout } = scan(text);
  const { reading } = classify(items, layout, o);
  const wordDigits = reading.groups === "words" ? 2 * reading.wordBytes! : 0;
  const valueList = reading.format === "0x-list of values";
  /** The bytes of one token, in memory order. */
  const reverse = reading.groups === "words" && reading.order === "little";
  /** Appends the bytes of one token, in memory order, to `out`; returns how many. */
  const emit = (t: Token, out: number[]): number => {
    const h = t.hex;
    if (h.length === 2) {
      // The common case: a byte.
      out.push((HEX_VALUE[h.charCodeAt(0)] << 4) | HEX_VALUE[h.charCodeAt(1)]);
      return 1;
    }
    let digits = h;
    if (reading.groups === "words") {
      if (valueList || t.hex.length > wordDigits) digits = t.hex.padStart(wordDigits, "0");
      if (digits.length > wordDigits) {
        throw new HexError(
          `'${t.hex}' at line ${t.line}, column ${t.col} is wider than a ${reading.wordBytes}-byte ` +
            `word`,
          t.line,
          t.col,
        );
      }
    }
    if (digits.length % 2) {
      throw new HexError(
        `odd number of hex digits in '${t.ox ? "0x" : ""}${t.hex}' at line ${t.line}, column ` +
          `${t.col}`,
        t.line,
        t.col,
      );
    }
    const n = digits.length / 2;
    for (let i = 0; i < n; i++) {
      const at = reverse ? 2 * (n - 1 - i) : 2 * i;
      out.push((HEX_VALUE[digits.charCodeAt(at)] << 4) | HEX_VALUE[digits.charCodeAt(at + 1)]);
    }
    return n;
  };
  const scratch: number[] = [];
  const lineBytes = (l: Line) => l.tokens.reduce((n, t) => n + emit(t, scratch), 0);
  const radix = layout === "bare-offset" ? offsetRadix(items, lineBytes) : 16;
  const out: number[] = [];
  let previous: number[] = [];
  let squeezed = false;
  let length: number | undefined;
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
    while (out.length + previous.length <= nextOffset) for (const b of previous) out.push(b);
  };
  for (const it of items) {
    if (it.kind === "star") {
      squeezed = true;
      continue;
    }
    if (it.kind === "length") {
      const n = offsetIn(it.offset, radix);
      unsqueeze(n, it.line);
      length = n;
      continue;
    }
    const l = it.line;
    if (l.offset !== undefined) unsqueeze(offsetIn(l.offset, radix), l.tokens[0]?.line ?? 1);
    const start = out.length;
    for (const t of l.tokens) emit(t, out);
    if (out.length > start) previous = out.slice(start);
    if (out.length > maxBytes) {
      throw new HexError(`the dump is larger than the ${maxBytes}-byte limit`, 1, 1);
    }
  }
  // od pads its last word with zeros; its closing offset says where the data really ends.
  if (length !== undefined && length < out.length) out.length = length;
  return { bytes: Uint8Array.from(out), reading };
}

/** Parses a hex dump into bytes; throws {@link HexError} naming the line and column. */
export function parseHex(text: string, maxBytes = MAX_HEX_BYTES): Uint8Array {
  return readHex(text, { maxBytes }).bytes;
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
