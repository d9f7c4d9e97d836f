/**
 * `parseHex` on the formats people paste: abi.md dumps, xxd output (2-byte groups, ASCII
 * column), xxd -g1, 0x lists, bare bytes; and its errors (HexError with line and column).
 * Expected bytes are written by hand from the dump text.
 */
import assert from "node:assert/strict";
import { HEX_CHUNK, HexError, HexStream, parseHex } from "../src/codec/hex.ts";

const bytes = (...b: number[]) => Uint8Array.from(b);

function hexError(text: string): HexError {
  try {
    parseHex(text);
  } catch (e) {
    assert.ok(e instanceof HexError, `expected HexError, got ${e}`);
    return e;
  }
  assert.fail(`parseHex(${JSON.stringify(text)}) did not throw`);
}

Deno.test("hex: abi.md style '0000:' offsets are not data", () => {
  assert.deepEqual(
    parseHex("0000: 01 00 00 00\n0004: 0a 00 00 00"),
    bytes(1, 0, 0, 0, 0x0a, 0, 0, 0),
  );
  assert.deepEqual(parseHex("0x0010: de ad"), bytes(0xde, 0xad));
  assert.deepEqual(parseHex("   0010: be ef"), bytes(0xbe, 0xef), "indented, as in markdown");
  assert.deepEqual(parseHex("00000010:01 02"), bytes(1, 2), "no space after the colon");
});

Deno.test("hex: xxd default output (2-byte groups, ASCII column ignored)", () => {
  // `xxd` of the first 32 bytes of abi.md TV1.
  const text = [
    "00000000: 0100 0000 0000 0000 0600 0000 0300 0000  ................",
    "00000010: 0500 0000 0300 0000 00b0 adde 0000 0000  ................",
  ].join("\n");
  assert.deepEqual(
    parseHex(text),
    bytes(
      ...[1, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0],
      ...[5, 0, 0, 0, 3, 0, 0, 0, 0, 0xb0, 0xad, 0xde, 0, 0, 0, 0],
    ),
  );
});

Deno.test("hex: xxd ASCII column that itself looks like hex, and a short last line", () => {
  const text = [
    "00000000: 6162 6364 3031 3233 6465 6164 6265 6566  abcd0123deadbeef",
    "00000010: 6162 63                                  abc",
  ].join("\n");
  assert.deepEqual(
    parseHex(text),
    bytes(
      ...[0x61, 0x62, 0x63, 0x64, 0x30, 0x31, 0x32, 0x33],
      ...[0x64, 0x65, 0x61, 0x64, 0x62, 0x65, 0x65, 0x66],
      ...[0x61, 0x62, 0x63],
    ),
  );
});

Deno.test("hex: xxd ASCII column with spaces in it", () => {
  // Bytes: 'a', ' ', ' ', 'b'  ->  ASCII column "a  b".
  assert.deepEqual(
    parseHex("00000000: 6120 2062                                a  b"),
    bytes(0x61, 0x20, 0x20, 0x62),
  );
  // Bytes: ' ', ' ', 'A'  ->  ASCII column "  A".
  assert.deepEqual(
    parseHex("00000000: 2020 41                                    A"),
    bytes(0x20, 0x20, 0x41),
  );
});

Deno.test("hex: xxd -g1 output", () => {
  assert.deepEqual(
    parseHex("00000000: 01 00 00 00 0a 00 00 00  ........"),
    bytes(1, 0, 0, 0, 10, 0, 0, 0),
  );
});

Deno.test("hex: 0x lists and xxd -i C arrays", () => {
  assert.deepEqual(parseHex("0x01, 0x02,0x03\n0xff"), bytes(1, 2, 3, 0xff));
  assert.deepEqual(parseHex("  0x01, 0x00, 0X0A,\n  0xDE, 0xad"), bytes(1, 0, 10, 0xde, 0xad));
});

Deno.test("hex: bare bytes, tabs, blank lines, CRLF, upper case, long tokens", () => {
  assert.deepEqual(parseHex("01 02\t03\r\n\r\n  04  "), bytes(1, 2, 3, 4));
  assert.deepEqual(parseHex("DE AD be EF"), bytes(0xde, 0xad, 0xbe, 0xef));
  assert.deepEqual(parseHex("deadb000"), bytes(0xde, 0xad, 0xb0, 0x00), "in textual order");
  assert.deepEqual(parseHex(""), bytes());
  assert.deepEqual(parseHex(" \n\t\n"), bytes());
});

Deno.test("hex: bad token -> HexError naming line and column (1-based)", () => {
  const e = hexError("0000: 01 zz");
  assert.equal(e.name, "HexError");
  assert.equal(e.line, 1);
  assert.equal(e.column, 10, "'zz' starts at the 10th character of the line");
  assert.match(e.message, /zz/);
  assert.match(e.message, /line 1/);

  const e2 = hexError("01 02\n03 g4 05");
  assert.equal(e2.line, 2);
  assert.equal(e2.column, 4);

  const e3 = hexError("01\n\n\n  0010: 0g");
  assert.equal(e3.line, 4);
  assert.equal(e3.column, 9, "two spaces, '0010:', a space: the token is the 9th character");
});

Deno.test("hex: odd number of digits -> HexError", () => {
  const e = hexError("01 2");
  assert.equal(e.line, 1);
  assert.equal(e.column, 4);
  assert.match(e.message, /odd/);
  hexError("0x1");
  hexError("abc");
});

Deno.test("hex: lone 0x, punctuation and non-hex words -> HexError", () => {
  hexError("0x");
  hexError("01 | 02");
  hexError("unsigned char tv1[] = {");
  hexError("01-02");
});

// Regression: this lost the second half of every line until f16872f (found by this suite):
// two spaces between byte groups were taken for the start of the xxd ASCII column. The Python
// `hexdump` package prints exactly this.
Deno.test({
  name: "hex: double space between byte groups on an offset line keeps every byte",
  fn() {
    const line = "00000000: 01 02 03 04 05 06 07 08  09 0A 0B 0C 0D 0E 0F 10  ................";
    assert.deepEqual(
      parseHex(line),
      bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16),
    );
    assert.deepEqual(parseHex("0000: 01 02  03 04"), bytes(1, 2, 3, 4));
  },
});

Deno.test("hex: hexdump -C (no colon, |ASCII| column, closing length line)", () => {
  const text = [
    "00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |................|",
    "00000010  10 11 12 13 14 15 16 17  18 19 1a 1b 1c 1d 1e 1f  |................|",
    "00000020  41                                                |A|",
    "00000021",
  ].join("\n");
  assert.deepEqual(parseHex(text), bytes(...Array.from({ length: 32 }, (_, i) => i), 0x41));
});

Deno.test("hex: '*' repeats the previous line up to the next offset (hexdump -C, xxd -a)", () => {
  const hd = [
    "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|",
    "*",
    "00000030  01                                                |.|",
    "00000031",
  ].join("\n");
  assert.deepEqual(parseHex(hd), bytes(...new Array(48).fill(0), 1));
  const xxd = [
    "00000000: 0102 0304 0506 0708 090a 0b0c 0d0e 0f10  ................",
    "*",
    "00000030: 0102 0304 0506 0708 090a 0b0c 0d0e 0f10  ................",
  ].join("\n");
  const row = Array.from({ length: 16 }, (_, i) => i + 1);
  assert.deepEqual(parseHex(xxd), bytes(...row, ...row, ...row, ...row));
});

// Regression: a '*' line was once expanded by pushing copies of the previous line up to the next
// offset, whatever it was: the 23-character input "0000: 00\n*\n7fffffff: 00" ran for ~7 s and
// ~2.5 GB, then threw "RangeError: Invalid array length". It must end with a HexError that names
// the limit (how fast it ends is for the benchmark, bench/decode_bench.ts).
Deno.test("hex: '*' before a huge offset ends with a HexError naming the limit", () => {
  for (const text of ["0000: 00\n*\n7fffffff: 00", "0000: 00 00\n*\nffffffffffff: 00"]) {
    const e = hexError(text);
    assert.equal(e.line, 3, text);
    assert.match(e.message, /limit/);
  }
});

// Regression: xxd's ASCII column was once taken for data when it was made of hex letters and
// as long as a byte group. `xxd -c 4` of "abcd" prints "00000000: 6162 6364  abcd", which parses
// as 61 62 63 64 ab cd (6 bytes) instead of 4: silently wrong data.
Deno.test({
  name: "hex: xxd -c 4 with a hex-looking ASCII column",
  fn() {
    assert.deepEqual(parseHex("00000000: 6162 6364  abcd"), bytes(0x61, 0x62, 0x63, 0x64));
    assert.deepEqual(parseHex("00000000: 61 62  ab"), bytes(0x61, 0x62), "xxd -c 2 -g 1");
  },
});

/** `xxd -a` of a 256 MiB file of zeros (`truncate -s 256M z; xxd -a z`), exactly as printed. */
const XXD_A_256M = [
  "00000000: 0000 0000 0000 0000 0000 0000 0000 0000  ................",
  "*",
  "0ffffff0: 0000 0000 0000 0000 0000 0000 0000 0000  ................",
  "",
].join("\n");

// Regression (issue 12): this 138-byte dump ran 27 s and 2.7 GB, then exited 70 with
// "RangeError: Invalid array length": its bytes were held in a JS number array. It is exactly
// the 256 MiB limit, so it decodes, as chunks of at most 64 KiB.
Deno.test("hex: the xxd -a dump of 256 MiB of zeros streams in 64 KiB chunks", () => {
  const s = new HexStream();
  let total = 0, largest = 0, nonZero = 0;
  const take = (c: Uint8Array) => {
    total += c.length;
    largest = Math.max(largest, c.length);
    const words = new Uint32Array(c.buffer, c.byteOffset, c.length >> 2);
    for (let i = 0; i < words.length; i++) if (words[i]) nonZero++;
  };
  for (const c of s.write(XXD_A_256M)) take(c);
  for (const c of s.end()) take(c);
  assert.equal(total, 256 * 1024 * 1024);
  assert.equal(largest, HEX_CHUNK);
  assert.equal(HEX_CHUNK, 65536);
  assert.equal(nonZero, 0);
  assert.equal(s.reading?.format, "xxd, 2-byte groups");
  // A line more is past the limit, and says so before expanding anything.
  const e = hexError(XXD_A_256M.replace("0ffffff0: 0000 ", "10000010: 0000 "));
  assert.equal(e.line, 3);
  assert.match(
    e.message,
    /'\*' repeats up to offset 0x10000010 at line 3, past the 268435456-byte limit/,
  );
});

// Regression (issue 12): a 200,000-byte line followed by '*' exited 70 at once with "Maximum
// call stack size exceeded" (arrays spread into function arguments).
Deno.test("hex: a 200,000-byte line followed by '*' repeats it", () => {
  const line = Array.from({ length: 200_000 }, (_, i) => (i & 0xff).toString(16).padStart(2, "0"));
  for (
    const text of [
      `00000000: ${line.join(" ")}\n*\n000927c0: ff\n`, // xxd -g1 style, 0x927c0 = 600000
      `00000000: ${line.join("")}\n*\n000927c0: ff\n`, // one group of 400,000 digits
    ]
  ) {
    const b = parseHex(text);
    assert.equal(b.length, 600_001);
    assert.equal(b[0], 0);
    assert.equal(b[255], 255);
    assert.equal(b[200_000], 0, "the second copy starts with byte 0 of the line");
    assert.equal(b[400_000 + 199_999], 199_999 & 0xff);
    assert.equal(b[600_000], 0xff);
  }
});

Deno.test("hex: a stream gives the same bytes however the text is cut; a closing od offset still trims", () => {
  // od -An -tx4 would pad; here od -tx2 of the 3 bytes 01 02 03 on a little-endian host.
  const od = "0000000 0201 0003\n0000003\n";
  for (let cut = 0; cut <= od.length; cut++) {
    const s = new HexStream();
    const out: number[] = [];
    for (const c of s.write(od.slice(0, cut))) out.push(...c);
    for (const c of s.write(od.slice(cut))) out.push(...c);
    for (const c of s.end()) out.push(...c);
    assert.deepEqual(out, [1, 2, 3], `cut at ${cut}`);
  }
});

Deno.test("hex: a line longer than 1 MiB is refused, naming the line", () => {
  const s = new HexStream();
  assert.throws(
    () => {
      for (const _ of s.write("01 02\n")) { /* sampled */ }
      for (let i = 0; i < 400; i++) for (const _ of s.write("00".repeat(2000))) { /* */ }
    },
    (e) =>
      e instanceof HexError && e.line === 2 &&
      /line 2 is longer than 1048576 characters/.test(e.message),
  );
});

Deno.test("hex: a group wider than the dump's words names the word, with its article", () => {
  // od -tx4 (bare octal offsets), a 16-digit group among 8-digit ones.
  const e4 = hexError("0000000 00000001 00000002 000000030000000a\n");
  assert.match(e4.message, /'000000030000000a' at line 1, column 27 is wider than a 4-byte word/);
  // od -tx8: an 8-byte word is "an 8-byte word".
  const e8 = hexError(
    "0000000 0000000000000001 0000000000000002 00000000000000030000000000000004\n",
  );
  assert.match(e8.message, /is wider than an 8-byte word$/);
});
