/**
 * ABI inference as data: every generation whose record size divides the input is a candidate
 * (v4 and v7 included, and the 8-, 20-, 24- and 40-byte records of abi.md TV8 and TV9), scored by
 * the record rules; candidates that score alike make the answer ambiguous. The expected scores
 * are worked out by hand below from abi.md's vectors and tables, not taken from the code.
 */
import assert from "node:assert/strict";
import { encodeRecord } from "../src/codec/encode.ts";
import { guessAbi, inputKind, looksLikeText, rankAbis } from "../src/codec/guess.ts";
import { parseHex } from "../src/codec/hex.ts";
import { TV1, TV2, TV3, TV8_20, TV8_24, TV9 } from "./support/vectors.ts";

const repeat = (b: Uint8Array, n: number) => {
  const out = new Uint8Array(b.length * n);
  for (let i = 0; i < n; i++) out.set(b, i * b.length);
  return out;
};
const guessed = (bytes: Uint8Array) => {
  const g = guessAbi(bytes, bytes.length, true);
  assert.equal(g.kind, "guessed");
  if (g.kind !== "guessed") throw new Error("unreachable");
  return g;
};
const scores = (g: ReturnType<typeof guessed>) =>
  Object.fromEntries(g.candidates.map((c) => [c.abi, [c.records, c.errors, c.warnings]]));

Deno.test("guess: TV2 (a v4 record) is ambiguous between v8, v4, v7 and rfc3", () => {
  const g = guessed(parseHex(TV2.hex));
  // 48 bytes: the four 48-byte generations, two 24-byte resp24 and six 8-byte responses.
  // v4/v7: flags 0x7 = PASID|PERM|ADDR valid, perm WRITE: clean. v8 reads the same bytes as
  // PASID|ADDR|FETCH_ADDR valid and READ: also clean. rfc3 reads reason 0 and pasid 0xdeadb000
  // with pasid_valid 0: no error, one REC-VALID-BITS warning.
  // resp24: argsz 1, version 0, flags 0x6 (+ pasid 7 without PASID_VALID); then argsz
  // 0xdeadb000 and version 0: 5 errors, 1 warning. hwpt-response: code 7, and cookies 0 twice.
  assert.deepEqual(scores(g), {
    v8: [1, 0, 0],
    v4: [1, 0, 0],
    v7: [1, 0, 0],
    rfc3: [1, 0, 1],
    "hwpt-response": [6, 3, 0],
    resp24: [2, 5, 1],
  });
  assert.equal(g.ambiguous, true);
  assert.deepEqual(g.tied, ["v8", "v4", "v7", "rfc3"]);
  // v8, v4 and v7 score alike; v8 comes first in the inference order (mainline, rfc3, v8, v4, v7).
  assert.equal(g.abi, "v8");
  assert.equal(g.by, "rank");
  assert.deepEqual(g.candidates.map((c) => c.abi), [
    "v8",
    "v4",
    "v7",
    "rfc3",
    "hwpt-response",
    "resp24",
  ]);
});

Deno.test("guess: TV8 (24 bytes) is resp24, TV8 (20 bytes) resp20, TV9 (40 bytes) hwpt-pgfault", () => {
  // 24 = 1 x 24 = 3 x 8: the 8-byte reading has code 5 in its second response.
  const r24 = guessed(parseHex(TV8_24.hex));
  assert.equal(r24.abi, "resp24");
  assert.equal(r24.ambiguous, false);
  assert.equal(r24.by, "errors");
  assert.deepEqual(scores(r24), { resp24: [1, 0, 0], "hwpt-response": [3, 1, 0] });
  // 20 bytes: only resp20's size divides it.
  const r20 = guessed(parseHex(TV8_20.hex));
  assert.equal(r20.abi, "resp20");
  assert.equal(r20.by, "only");
  assert.deepEqual(scores(r20), { resp20: [1, 0, 0] });
  // 40 = 1 x 40 = 2 x 20 = 5 x 8. resp20 reads version 3 and code 3, then version 0 and flags
  // 0xdeadb000: 4 errors. hwpt-response reads code 7 and a last cookie of 0: 2 errors.
  const tv9 = guessed(parseHex(TV9.hex));
  assert.equal(tv9.abi, "hwpt-pgfault");
  assert.equal(tv9.ambiguous, false);
  assert.deepEqual(scores(tv9), {
    "hwpt-pgfault": [1, 0, 0],
    "hwpt-response": [5, 2, 0],
    resp20: [2, 4, 0],
  });
});

Deno.test("guess: TV1 alone is mainline; four TV3 records are RFC v3", () => {
  const tv1 = guessed(parseHex(TV1.hex));
  assert.equal(tv1.abi, "mainline");
  assert.equal(tv1.ambiguous, false);
  // 8 x 8 bytes: codes 3 and 3, and four cookies of 0.
  assert.deepEqual(scores(tv1), { mainline: [1, 0, 0], "hwpt-response": [8, 6, 0] });

  const cap = repeat(parseHex(TV3.hex), 4); // 192 bytes: 64, 48, 24 and 8 divide it
  const g = guessed(cap);
  assert.equal(g.abi, "rfc3");
  assert.equal(g.ambiguous, false);
  assert.equal(g.length, 192);
  assert.deepEqual(g.candidates.map((c) => c.abi).sort(), [
    "hwpt-response",
    "mainline",
    "resp24",
    "rfc3",
    "v4",
    "v7",
    "v8",
  ]);
  assert.deepEqual(scores(g).rfc3, [4, 0, 0]);
});

Deno.test("guess: v8 records whose padding word RFC v3 reads as reason 13: v4/v7/v8 tie", () => {
  // abi.md 2.4: v8 calls the word at offset 4 `padding` (should be zero: a warning); RFC v3
  // reads it as `reason`, and 13 is past its enum (0-12): an error per record. v4 and v7 read
  // TV1's flags 0x3 as PASID|PERM valid and perm 0x3 as WRITE|EXEC: no error either, but their
  // `reserved` word is 13, and addr without their ADDR_VALID (bit 2) and PERMISSION without it
  // are two REC-VALID-BITS warnings. RFC v3 also reads pasid 0xdeadb000 with pasid_valid 0.
  const rec = encodeRecord("v8", TV1.fields);
  new DataView(rec.buffer).setUint32(4, 13, true);
  const g = guessed(repeat(rec, 3)); // 144 bytes: 48, 24 and 8 divide it, 64 does not
  assert.equal(g.abi, "v8");
  assert.deepEqual(g.tied, ["v8", "v4", "v7"]);
  assert.equal(g.by, "warnings");
  assert.deepEqual(scores(g).v8, [3, 0, 3]);
  assert.deepEqual(scores(g).v4, [3, 0, 9]);
  assert.deepEqual(scores(g).rfc3, [3, 3, 3]);
});

Deno.test("rankAbis: near ties (within 2% errors per record) are ambiguous; clear wins are not", () => {
  const s = (abi: "v8" | "v4", records: number, errors: number) => ({
    abi,
    records,
    errors,
    warnings: 0,
  });
  assert.equal(rankAbis([s("v8", 100, 0), s("v4", 100, 2)]).ambiguous, true);
  assert.equal(rankAbis([s("v8", 100, 0), s("v4", 100, 3)]).ambiguous, false);
  assert.equal(rankAbis([s("v4", 100, 0), s("v8", 100, 0)]).abi, "v8", "v8 ranks before v4");
  // No records to read (an empty ring): nothing decides.
  assert.equal(rankAbis([s("v8", 0, 0), s("v4", 0, 0)]).ambiguous, true);
});

Deno.test("guess: no record size divides the length", () => {
  assert.deepEqual(guessAbi(new Uint8Array(50), 50, true), {
    kind: "no-fit",
    length: 50,
    sizes: [8, 20, 24, 40, 48, 64],
  });
});

Deno.test("looksLikeText: hex dumps yes, raw records (NUL bytes) and empty input no", () => {
  assert.equal(looksLikeText(new TextEncoder().encode(TV3.hex)), true);
  assert.equal(looksLikeText(parseHex(TV3.hex)), false);
  assert.equal(looksLikeText(new Uint8Array(0)), false);
});

// Regression (issue 12): a hex dump saved with a UTF-8 byte-order mark, or with any non-ASCII
// byte in its first 4 KiB, was decoded as binary garbage with exit 0.
Deno.test("inputKind: a BOM or a non-ASCII character keeps a dump text; NULs make records", () => {
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const withBom = Uint8Array.of(0xef, 0xbb, 0xbf, ...utf8("0000: 01 00"));
  assert.deepEqual(inputKind(withBom), {
    kind: "text",
    encoding: "utf-8",
    bom: 3,
    why: "UTF-8 text (byte-order mark skipped)",
  });
  // hexyl and some editors put non-ASCII in the ASCII column or in a note.
  assert.equal(inputKind(utf8("00000000: 0100 0000  ·······  → TV1")).why, "UTF-8 text");
  // PowerShell's `>` writes UTF-16LE with a byte-order mark.
  const le = Uint8Array.of(0xff, 0xfe, ...[..."01 00"].flatMap((c) => [c.charCodeAt(0), 0]));
  assert.equal(inputKind(le).encoding, "utf-16le");
  assert.equal(inputKind(le).kind, "text");
  // Records: TV3's first NUL is byte 1 (type = 1 as a little-endian u32).
  assert.deepEqual(inputKind(parseHex(TV3.hex)), {
    kind: "binary",
    bom: 0,
    why: "a NUL byte at offset 0x1",
  });
  // No NUL, but not text either: a lone 0xff is no UTF-8.
  assert.equal(
    inputKind(Uint8Array.of(0x30, 0xff, 0x30)).why,
    "byte 0xff at offset 0x1 is not UTF-8 text",
  );
  assert.equal(inputKind(Uint8Array.of(0x30, 0x1b)).why, "control byte 0x1b at offset 0x1");
  // A UTF-8 character cut by the end of the 4 KiB sample is still text.
  const cut = utf8("0".repeat(4095) + "é").subarray(0, 4096);
  assert.equal(inputKind(cut).kind, "text");
  // A sample shorter than 4 KiB is the whole input: a character cut by its end is not text.
  // A one-byte file of 0xe8 (a 3-byte lead) or 0xc3 (a 2-byte lead) is a byte of records.
  for (const b of [0xe8, 0xc3]) {
    assert.deepEqual(inputKind(Uint8Array.of(b)), {
      kind: "binary",
      bom: 0,
      why: `byte 0x${b.toString(16)} at offset 0x0 is not UTF-8 text`,
    });
  }
  assert.equal(inputKind(utf8("01 é").subarray(0, 4)).kind, "binary");
  assert.equal(inputKind(utf8("01 é")).kind, "text");
  // A UTF-16 mark followed by records is not text.
  assert.equal(inputKind(Uint8Array.of(0xff, 0xfe, 1, 0, 0, 0)).kind, "binary");
});
