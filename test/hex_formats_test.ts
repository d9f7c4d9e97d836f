/**
 * Hex dumps as the common tools print them, rebuilt here from their documented formats
 * (xxd, xxd -g1, xxd -a squeezing, hexdump -C, Python hexdump's two-space groups), must parse to
 * exactly the original bytes.
 */
import assert from "node:assert/strict";
import { parseHex } from "../src/codec/hex.ts";

const h2 = (b: number) => b.toString(16).padStart(2, "0");
const ascii = (row: Uint8Array) =>
  Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");

/** xxd: `00000010: 0500 0000 ...  ascii`, groups of `g` bytes, short last line padded. */
function xxd(bytes: Uint8Array, g = 2, squeeze = false): string {
  const lines: string[] = [];
  let prev = "";
  let starred = false;
  for (let o = 0; o < bytes.length; o += 16) {
    const row = bytes.subarray(o, o + 16);
    const hex = Array.from(
      { length: 16 / g },
      (_, i) => Array.from(row.subarray(i * g, i * g + g), h2).join(""),
    )
      .join(" ");
    const full = 16 * 2 + 16 / g - 1;
    const body = `${hex.trimEnd().padEnd(full)}  ${ascii(row)}`;
    if (squeeze && body === prev && o + 16 < bytes.length) {
      if (!starred) lines.push("*");
      starred = true;
      continue;
    }
    starred = false;
    prev = body;
    lines.push(`${o.toString(16).padStart(8, "0")}: ${body}`);
  }
  return lines.join("\n") + "\n";
}

/** hexdump -C: `00000010  05 00 ... 00  00 ... |ascii|`, `*` for repeats, total length last. */
function hexdumpC(bytes: Uint8Array): string {
  const lines: string[] = [];
  let prev = "";
  let starred = false;
  for (let o = 0; o < bytes.length; o += 16) {
    const row = bytes.subarray(o, o + 16);
    const a = Array.from(row.subarray(0, 8), h2).join(" ");
    const b = Array.from(row.subarray(8), h2).join(" ");
    const body = `${`${a}  ${b}`.padEnd(49)}|${ascii(row)}|`;
    if (body === prev) {
      if (!starred) lines.push("*");
      starred = true;
      continue;
    }
    starred = false;
    prev = body;
    lines.push(`${o.toString(16).padStart(8, "0")}  ${body}`);
  }
  lines.push(bytes.length.toString(16).padStart(8, "0"));
  return lines.join("\n") + "\n";
}

/** Python `hexdump`: `00000000: 01 .. 08  09 .. 10  ascii`. */
function pyHexdump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let o = 0; o < bytes.length; o += 16) {
    const row = bytes.subarray(o, o + 16);
    const a = Array.from(row.subarray(0, 8), h2).join(" ").toUpperCase();
    const b = Array.from(row.subarray(8), h2).join(" ").toUpperCase();
    lines.push(`${o.toString(16).padStart(8, "0")}: ${a}  ${b}  ${ascii(row)}`);
  }
  return lines.join("\n");
}

// A 200-byte sample: printable runs that look like hex in the ASCII column ("abcdef"), a long
// run of zero lines (squeezed by xxd -a and hexdump -C), and a short last line.
const sample = new Uint8Array(200);
sample.set(new TextEncoder().encode("abcdef0123456789deadbeefcafef00d"), 0);
sample.set([1, 0, 0, 0, 10, 0, 0, 0, 0, 0xb0, 0xad, 0xde], 96);
sample.set([0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x20, 0x20], 192);

for (
  const [name, dump] of [
    ["xxd", xxd(sample)],
    ["xxd -g1", xxd(sample, 1)],
    ["xxd -g4", xxd(sample, 4)],
    ["xxd -a", xxd(sample, 2, true)],
    ["hexdump -C", hexdumpC(sample)],
    ["python hexdump", pyHexdump(sample)],
  ] as const
) {
  Deno.test(`parseHex reads ${name} output back to the same bytes`, () => {
    assert.deepEqual(parseHex(dump), sample);
  });
}

Deno.test("the squeezed forms really squeeze (so the * path is exercised)", () => {
  assert.match(xxd(sample, 2, true), /^\*$/m);
  assert.match(hexdumpC(sample), /^\*$/m);
});
