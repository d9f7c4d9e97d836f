/**
 * Parses hex dumps as people paste them: bare bytes, `0000: 01 00 ...` lines (offset, colon),
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
 * A dump of any length is read as a stream ({@link HexStream}, {@link hexStream}): the format is
 * decided on its first {@link HEX_SAMPLE_CHARS} characters (the whole dump when it is shorter),
 * then every line is turned into bytes as it arrives, in chunks of at most {@link HEX_CHUNK}
 * bytes, so memory follows one line and one chunk, never the dump. A `*` line (`xxd -a`,
 * `hexdump`) is expanded by copying chunks, and a dump never decodes to more than `maxBytes`
 * ({@link MAX_HEX_BYTES} by default): the limit is checked before a `*` is expanded, so a
 * 23-character dump that asks for 2 GiB ends at once.
 *
 * @example
 * ```ts
 * import { HexStream, parseHex, readHex } from "./hex.ts";
 * parseHex("0000: 01 00 00 00\n0004: 0a 00 00 00"); // => Uint8Array.of(1, 0, 0, 0, 10, 0, 0, 0)
 * const r = readHex(" 00000001 0000000a"); // od -An -tx4 on a little-endian host
 * r.bytes; // => Uint8Array.of(1, 0, 0, 0, 10, 0, 0, 0)
 * r.reading.groups; // => "words"
 * // xxd -a of a 256 MiB file of zeros: 138 characters, streamed in 64 KiB chunks.
 * const s = new HexStream();
 * let n = 0;
 * for (const chunk of s.write("00000000: 0000 0000 0000 0000 0000 0000 0000 0000  ....\n*\n")) n += chunk.length;
 * for (const chunk of s.write("0ffffff0: 0000 0000 0000 0000 0000 0000 0000 0000  ....\n")) n += chunk.length;
 * for (const chunk of s.end()) n += chunk.length;
 * n; // => 268435456
 * ```
 * @module
 */
import type { Hint } from "../region/hint.ts";
import { article } from "./numbers.ts";
import { quoted } from "./quote.ts";

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
  /**
   * Most bytes the dump may decode to, `*` repeats included (default {@link MAX_HEX_BYTES});
   * checked before a `*` is expanded.
   */
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
type Item = { kind: "data"; line: Line } | { kind: "star"; line: number } | {
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

/** The byte written by the two hex digits of `s` at `at` (both known to be hex digits). */
const pairValue = (s: string, at: number) =>
  (HEX_VALUE[s.charCodeAt(at)] << 4) | HEX_VALUE[s.charCodeAt(at + 1)];

/** Whether `c` separates tokens (white space or a comma). */
const isSeparator = (c: number) => c === 32 || c === 9 || c === 44 || c === 13 || c === 11;

/**
 * Whether every multi-token line starts with an offset column without a colon (od, hexdump):
 * a first token of 6 to 8 digits, wider or narrower than the data after it, the same width on
 * every line. `od -An -tx4` lines (no offsets) have all tokens of one width.
 */
function bareOffsetWidth(lines: readonly string[]): number | undefined {
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

/** How a dump lays out its lines, decided once from its first lines. */
interface LineFormat {
  layout: Layout;
  /** hexdump -C: some line has its offset and |ASCII| column. */
  hexdumpC: boolean;
  /** The width of a bare offset column (od, hexdump). */
  bare?: number;
}

/** Decides the line layout from the dump's first lines (pass 1: no bytes yet). */
function lineFormat(lines: readonly string[]): LineFormat {
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
  return { layout, hexdumpC, bare };
}

/** One line as a data line, a `*` line or a length line; undefined for a blank line. */
function scanLine(text: string, li: number, f: LineFormat): Item | undefined {
  let line = text;
  let col = 0;
  if (line.trim() === "*") return { kind: "star", line: li + 1 };
  const { layout, hexdumpC, bare } = f;
  let prefix: string | undefined;
  if (layout === "bare-offset") {
    const m = line.match(/^\s*([0-9a-fA-F]+)(?=\s|$)/);
    if (m && m[1].length === bare) {
      if (line.trim() === m[1]) return { kind: "length", offset: m[1], line: li + 1 };
      prefix = m[0];
    }
  } else {
    prefix = (line.match(OFFSET_PREFIX) ?? (hexdumpC ? line.match(HEXDUMP_C_OFFSET) : null))
      ?.[0];
    if (!prefix && hexdumpC && /^\s*[0-9a-fA-F]{6,}\s*$/.test(line)) {
      // hexdump -C ends with a line holding only the total length
      return { kind: "length", offset: line.trim(), line: li + 1 };
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
      throw new HexError(`bad hex ${quoted(raw)} at line ${li + 1}, column ${at}`, li + 1, at);
    }
    groupLen ||= tok.length;
    bytes += Math.ceil(tok.length / 2);
    data.tokens.push({ hex: tok, ox, line: li + 1, col: at });
  }
  if (data.tokens.length || data.offset !== undefined) return { kind: "data", line: data };
  return undefined;
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
    // Loops, not push(...spread): a token of 200,000 bytes must not overflow the stack.
    const memBytes: number[] = [], memWords: number[] = [];
    for (const t of l.tokens) {
      const n = t.hex.length >> 1;
      for (let i = 0; i < n; i++) {
        memBytes.push(pairValue(t.hex, 2 * i));
      }
      for (let i = n - 1; i >= 0; i--) memWords.push(pairValue(t.hex, 2 * i));
      pos += n;
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

/** Characters of a dump's start that decide its format (the whole dump when shorter). */
export const HEX_SAMPLE_CHARS = 256 * 1024;

/** Longest line a dump may have (a pasted `raw` string of 512 KiB fits). */
export const MAX_HEX_LINE = 1 << 20;

/** Most bytes {@link HexStream} yields at a time. */
export const HEX_CHUNK = 1 << 16;

/** Writes one token's bytes, in memory order, at `out[at]`; returns how many. */
type TokenWriter = (t: Token, out: Uint8Array, at: number) => number;

/** The writer of a reading: bytes in textual order, or words in their byte order. */
function tokenWriter(reading: HexReading): TokenWriter {
  const wordDigits = reading.groups === "words" ? 2 * reading.wordBytes! : 0;
  const valueList = reading.format === "0x-list of values";
  const reverse = reading.groups === "words" && reading.order === "little";
  return (t, out, at) => {
    const h = t.hex;
    if (h.length === 2) {
      // The common case: a byte.
      out[at] = pairValue(h, 0);
      return 1;
    }
    let digits = h;
    if (reading.groups === "words") {
      if (valueList || h.length > wordDigits) digits = h.padStart(wordDigits, "0");
      if (digits.length > wordDigits) {
        throw new HexError(
          `'${h}' at line ${t.line}, column ${t.col} is wider than ` +
            `${article(`${reading.wordBytes}-byte word`)}`,
          t.line,
          t.col,
        );
      }
    }
    if (digits.length % 2) {
      throw new HexError(
        `odd number of hex digits in '${t.ox ? "0x" : ""}${h}' at line ${t.line}, column ` +
          `${t.col}`,
        t.line,
        t.col,
      );
    }
    const n = digits.length / 2;
    for (let i = 0; i < n; i++) out[at + i] = pairValue(digits, reverse ? 2 * (n - 1 - i) : 2 * i);
    return n;
  };
}

/** Most bytes a line's tokens can make: a word pads to 8 bytes at most. */
const lineCapacity = (l: Line) => l.tokens.reduce((n, t) => n + Math.max(8, t.hex.length), 0);

/**
 * A hex dump read as it arrives: {@link HexStream.write} takes text in pieces of any size (a
 * line may be cut anywhere) and yields the bytes of every line it completes;
 * {@link HexStream.end} yields the rest. The format is decided on the first
 * {@link HEX_SAMPLE_CHARS} characters, so nothing is yielded before them (or the end).
 * Yielded chunks are one reused buffer of at most {@link HEX_CHUNK} bytes: use each before asking
 * for the next, and copy what you keep. Errors are {@link HexError}s naming line and column.
 */
export class HexStream {
  readonly #o: HexOptions;
  readonly #maxBytes: number;
  #partial = "";
  #lineNo = 0;
  #sample: string[] | undefined = [];
  #sampleChars = 0;
  #format: LineFormat | undefined;
  #reading: HexReading | undefined;
  #write: TokenWriter | undefined;
  #radix = 16;
  // Output: bytes of the last data line are held back (an od closing offset may cut its padding).
  #buf = new Uint8Array(HEX_CHUNK);
  #fill = 0;
  /** Bytes yielded or in #buf. */
  #emitted = 0;
  #held: Uint8Array | undefined;
  #previous: Uint8Array | undefined;
  #squeezed = false;
  #ended = false;

  /** A stream with the options of {@link readHex}. */
  constructor(o: HexOptions = {}) {
    this.#o = o;
    this.#maxBytes = o.maxBytes ?? MAX_HEX_BYTES;
  }

  /** How the dump is read: known once the format is decided (after the sample, or at the end). */
  get reading(): HexReading | undefined {
    return this.#reading;
  }

  /** Bytes decoded so far (yielded, or waiting in the buffer). */
  get bytes(): number {
    return this.#emitted + (this.#held?.length ?? 0);
  }

  /** Takes the next piece of the dump; yields the bytes of the lines it completes. */
  *write(text: string): Generator<Uint8Array> {
    if (this.#ended) throw new Error("HexStream: write after end");
    let from = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", from)) {
      const piece = text.slice(from, nl);
      const line = this.#partial ? this.#partial + piece : piece;
      this.#partial = "";
      from = nl + 1;
      yield* this.#line(line.endsWith("\r") ? line.slice(0, -1) : line);
    }
    if (from < text.length) {
      this.#partial += text.slice(from);
      if (this.#partial.length > MAX_HEX_LINE) {
        const n = this.#lineNo + 1;
        throw new HexError(
          `line ${n} is longer than ${MAX_HEX_LINE} characters: not a hex dump line`,
          n,
          MAX_HEX_LINE + 1,
        );
      }
    }
  }

  /** The dump ended: yields the last bytes. */
  *end(): Generator<Uint8Array> {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#partial) {
      const line = this.#partial;
      this.#partial = "";
      yield* this.#line(line);
    }
    if (this.#sample) yield* this.#decide();
    yield* this.#flushHeld();
    if (this.#fill) {
      const n = this.#fill;
      this.#fill = 0;
      yield this.#buf.subarray(0, n);
    }
  }

  *#line(text: string): Generator<Uint8Array> {
    const li = this.#lineNo++;
    if (text.length > MAX_HEX_LINE) {
      throw new HexError(
        `line ${li + 1} is longer than ${MAX_HEX_LINE} characters: not a hex dump line`,
        li + 1,
        MAX_HEX_LINE + 1,
      );
    }
    if (this.#sample) {
      this.#sample.push(text);
      this.#sampleChars += text.length + 1;
      if (this.#sampleChars >= HEX_SAMPLE_CHARS) yield* this.#decide();
      return;
    }
    const item = scanLine(text, li, this.#format!);
    if (item) yield* this.#item(item);
  }

  /** Decides the format from the sample, then turns the sample's lines into bytes. */
  *#decide(): Generator<Uint8Array> {
    const lines = this.#sample!;
    this.#sample = undefined;
    const format = lineFormat(lines);
    const items: Item[] = [];
    lines.forEach((l, i) => {
      const it = scanLine(l, i, format);
      if (it) items.push(it);
    });
    const { reading } = classify(items, format.layout, this.#o);
    this.#format = format;
    this.#reading = reading;
    this.#write = tokenWriter(reading);
    if (format.layout === "bare-offset") {
      this.#radix = offsetRadix(items, (l) => {
        const scratch = new Uint8Array(lineCapacity(l));
        return l.tokens.reduce((n, t) => n + this.#write!(t, scratch, n), 0);
      });
    }
    for (const it of items) yield* this.#item(it);
  }

  *#item(it: Item): Generator<Uint8Array> {
    // A closing length may cut the held line; anything else comes after it.
    if (it.kind !== "length") yield* this.#flushHeld();
    if (it.kind === "star") {
      this.#squeezed = true;
      return;
    }
    if (it.kind === "length") {
      const n = offsetIn(it.offset, this.#radix);
      if (this.#squeezed) yield* this.#flushHeld();
      yield* this.#unsqueeze(n, it.line);
      // od pads its last word with zeros; its closing offset says where the data really ends.
      const held = this.#held;
      if (held && n < this.#emitted + held.length) {
        if (n < this.#emitted) {
          throw new HexError(
            `the closing offset ${it.offset} at line ${it.line} is before the end of the ` +
              `data before it`,
            it.line,
            1,
          );
        }
        this.#held = held.subarray(0, n - this.#emitted);
      }
      return;
    }
    const l = it.line;
    const at = l.tokens[0]?.line ?? this.#lineNo;
    if (l.offset !== undefined) yield* this.#unsqueeze(offsetIn(l.offset, this.#radix), at);
    if (!l.tokens.length) return;
    const bytes = new Uint8Array(lineCapacity(l));
    let n = 0;
    for (const t of l.tokens) n += this.#write!(t, bytes, n);
    if (this.#emitted + n > this.#maxBytes) {
      throw new HexError(
        `the dump is larger than the ${this.#maxBytes}-byte limit at line ${at}`,
        at,
        l.tokens[0].col,
      );
    }
    this.#held = bytes.subarray(0, n);
    // The held line stays in the buffer until the next item: `*` repeats it.
    this.#previous = this.#held;
  }

  /** Expands a pending `*`: the previous line, repeated while whole copies end by `next`. */
  *#unsqueeze(next: number, line: number): Generator<Uint8Array> {
    const prev = this.#previous;
    if (!this.#squeezed || !prev?.length) return;
    this.#squeezed = false;
    if (next > this.#maxBytes) {
      throw new HexError(
        `'*' repeats up to offset 0x${next.toString(16)} at line ${line}, ` +
          `past the ${this.#maxBytes}-byte limit`,
        line,
        1,
      );
    }
    const copies = Math.floor((next - this.#emitted) / prev.length);
    if (copies <= 0) return;
    // One buffer of the line repeated, copied out chunk by chunk: no per-byte work.
    const per = Math.max(1, Math.floor(HEX_CHUNK / prev.length));
    const pattern = new Uint8Array(per * prev.length);
    for (let i = 0; i < per; i++) pattern.set(prev, i * prev.length);
    let left = copies * prev.length;
    while (left > 0) {
      const n = Math.min(left, pattern.length);
      yield* this.#out(pattern.subarray(0, n));
      left -= n;
    }
  }

  *#flushHeld(): Generator<Uint8Array> {
    const h = this.#held;
    if (!h) return;
    this.#held = undefined;
    yield* this.#out(h);
  }

  /** Appends bytes to the output; yields the buffer each time it fills. */
  *#out(bytes: Uint8Array): Generator<Uint8Array> {
    let from = 0;
    this.#emitted += bytes.length;
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, HEX_CHUNK - this.#fill);
      this.#buf.set(bytes.subarray(from, from + n), this.#fill);
      this.#fill += n;
      from += n;
      if (this.#fill === HEX_CHUNK) {
        this.#fill = 0;
        yield this.#buf;
      }
    }
  }
}

/**
 * A dump arriving as text chunks (a file or stdin, decoded), as byte chunks of at most
 * {@link HEX_CHUNK}; `reading()` says how it was read once the format is decided.
 */
export function hexStream(
  text: AsyncIterable<string>,
  o: HexOptions = {},
): { chunks: AsyncGenerator<Uint8Array>; reading: () => HexReading | undefined } {
  const s = new HexStream(o);
  async function* chunks() {
    for await (const t of text) yield* s.write(t);
    yield* s.end();
  }
  return { chunks: chunks(), reading: () => s.reading };
}

/** Reads a hex dump into bytes, and says how; throws {@link HexError} naming line and column. */
export function readHex(text: string, o: HexOptions = {}): {
  bytes: Uint8Array;
  reading: HexReading;
} {
  const s = new HexStream(o);
  const parts: Uint8Array[] = [];
  for (const c of s.write(text)) parts.push(c.slice());
  for (const c of s.end()) parts.push(c.slice());
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, reading: s.reading! };
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
