/**
 * ABI inference as data: the candidates are the generations whose record size divides the
 * input, scored by record rule errors, ties to the earlier rank; the generations that share the
 * winner's bytes are named. Vectors from abi.md section 8.
 */
import assert from "node:assert/strict";
import { encodeRecord } from "../src/codec/encode.ts";
import { guessAbi, looksLikeText } from "../src/codec/guess.ts";
import { parseHex } from "../src/codec/hex.ts";
import { TV1, TV3 } from "./support/vectors.ts";

const repeat = (b: Uint8Array, n: number) => {
  const out = new Uint8Array(b.length * n);
  for (let i = 0; i < n; i++) out.set(b, i * b.length);
  return out;
};

Deno.test("guess: four TV3 records are RFC v3 (192 bytes: 48 and 64 both divide it)", () => {
  const cap = repeat(parseHex(TV3.hex), 4);
  const g = guessAbi(cap, cap.length, true);
  assert.equal(g.kind, "guessed");
  if (g.kind !== "guessed") return;
  assert.equal(g.abi, "rfc3");
  assert.equal(g.errors, 0);
  assert.equal(g.length, 192);
  // Candidates in the registry's order: mainline (64 divides 192) and v8 were scored too.
  assert.deepEqual(g.others.map((s) => s.abi), ["mainline", "v8"]);
  assert.deepEqual(g.lookalikes, []);
});

Deno.test("guess: TV1 alone is mainline: no 48-byte generation divides 64 bytes", () => {
  const tv1 = parseHex(TV1.hex);
  const g = guessAbi(tv1, tv1.length, true);
  assert.deepEqual(g, {
    kind: "guessed",
    abi: "mainline",
    length: 64,
    errors: 0,
    others: [],
    lookalikes: [],
  });
});

Deno.test("guess: v8 records, and v4/v7 named as sharing their bytes", () => {
  // abi.md 2.4: v8 calls the word at offset 4 `padding` (should be zero: a warning at most);
  // RFC v3 reads it as `reason`, and 13 is past its enum (0-12): an error per record.
  const rec = encodeRecord("v8", TV1.fields);
  new DataView(rec.buffer).setUint32(4, 13, true);
  const cap = repeat(rec, 3); // 144 bytes: 48 divides it, 64 does not
  const g = guessAbi(cap, cap.length, true);
  assert.equal(g.kind === "guessed" && g.abi, "v8");
  assert.deepEqual(g.kind === "guessed" && g.others, [{ abi: "rfc3", errors: 3 }]);
  assert.deepEqual(g.kind === "guessed" && g.lookalikes, ["v4", "v7"]);
});

Deno.test("guess: no record size divides the length", () => {
  assert.deepEqual(guessAbi(new Uint8Array(50), 50, true), {
    kind: "no-fit",
    length: 50,
    sizes: [48, 64],
  });
});

Deno.test("looksLikeText: hex dumps yes, raw records (NUL bytes) and empty input no", () => {
  assert.equal(looksLikeText(new TextEncoder().encode(TV3.hex)), true);
  assert.equal(looksLikeText(parseHex(TV3.hex)), false);
  assert.equal(looksLikeText(new Uint8Array(0)), false);
  assert.equal(looksLikeText(Uint8Array.of(0xef, 0xbb, 0xbf, 0x30)), false, "a BOM is not ASCII");
});
