/**
 * Hex dumps as the common tools print them, rebuilt here from their documented formats
 * (xxd, xxd -g1, xxd -a squeezing, hexdump -C, Python hexdump's two-space groups), must parse to
 * exactly the original bytes.
 */
import assert from "node:assert/strict";
import { HexError, parseHex, readHex } from "../src/codec/hex.ts";

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

// ---- word-grouped dumps ------------------------------------------------------------------------
// Their groups are numbers in the dumping host's byte order, not bytes in memory order. Each
// generator below follows the tool's documented format (xxd(1) -e: "little-endian hexdump",
// partial last word right-aligned in its column; od(1): octal offsets, words of -tx SIZE,
// zero-padded last word, closing offset line; hexdump(1) default: 16-bit words, hex offsets;
// the kernel's SMMUv3 dump: each dword as 0x%016llx).

/** Little-endian words of `n` bytes, as hex numbers (what a little-endian host prints). */
function words(bytes: Uint8Array, n: number, le = true): string[] {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += n) {
    const w = Array.from(bytes.subarray(i, i + n));
    while (w.length < n) w.push(0); // od pads the last word with zeros
    out.push((le ? w.reverse() : w).map(h2).join(""));
  }
  return out;
}

/** xxd -e [-g n]: words right-aligned, a short last word right-aligned in its column. */
function xxdE(bytes: Uint8Array, n = 4): string {
  const lines: string[] = [];
  for (let o = 0; o < bytes.length; o += 16) {
    const row = bytes.subarray(o, o + 16);
    const groups: string[] = [];
    for (let i = 0; i < 16; i += n) {
      const w = Array.from(row.subarray(i, i + n)).reverse().map(h2).join("");
      groups.push(w.padStart(2 * n));
    }
    lines.push(`${o.toString(16).padStart(8, "0")}: ${groups.join(" ")}  ${ascii(row)}`);
  }
  return lines.join("\n") + "\n";
}

/** od [-An] -tx<n>: offsets in octal (7 digits), 16 bytes a line, the total length last. */
function od(bytes: Uint8Array, n: number, offsets = true): string {
  const lines: string[] = [];
  for (let o = 0; o < bytes.length; o += 16) {
    const w = words(bytes.subarray(o, o + 16), n).join(" ");
    lines.push(offsets ? `${o.toString(8).padStart(7, "0")} ${w}` : ` ${w}`);
  }
  if (offsets) lines.push(bytes.length.toString(8).padStart(7, "0"));
  return lines.join("\n") + "\n";
}

/** hexdump (no -C): 16-bit words, hex offsets of 7 digits, the total length last. */
function hexdumpWords(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let o = 0; o < bytes.length; o += 16) {
    lines.push(
      `${o.toString(16).padStart(7, "0")} ${words(bytes.subarray(o, o + 16), 2).join(" ")}`,
    );
  }
  lines.push(bytes.length.toString(16).padStart(7, "0"));
  return lines.join("\n") + "\n";
}

// abi.md TV10 (48 bytes): an SMMUv3 vEVENT, then a LOST_EVENTS header.
const TV10 = parseHex(`
0000: 00 00 00 00 00 00 00 00 13 58 00 00 08 00 00 00
0010: 00 00 00 00 08 00 00 00 00 b0 ad de 00 00 00 00
0020: 00 00 00 00 00 00 00 00 01 00 00 00 01 00 00 00
`);
const odd = TV10.subarray(0, 46); // a partial last word

for (
  const [name, dump, want, wordBytes] of [
    ["xxd -e", xxdE(TV10), TV10, 4],
    ["xxd -e, a partial last word", xxdE(odd), odd, 4],
    ["xxd -e -g 8", xxdE(TV10, 8), TV10, 8],
    ["od -tx4", od(TV10, 4), TV10, 4],
    ["od -tx4, a zero-padded last word cut by the length line", od(odd, 4), odd, 4],
    ["od -An -tx4", od(TV10, 4, false), TV10, 4],
    ["od -tx8", od(TV10, 8), TV10, 8],
    ["od -tx2", od(TV10, 2), TV10, 2],
    ["hexdump", hexdumpWords(TV10), TV10, 2],
  ] as const
) {
  Deno.test(`readHex reads ${name} as ${8 * wordBytes}-bit little-endian words`, () => {
    const r = readHex(dump);
    assert.deepEqual(r.bytes, want);
    assert.equal(r.reading.groups, "words");
    assert.equal(r.reading.wordBytes, wordBytes);
    assert.equal(r.reading.order, "little");
  });
}

Deno.test("readHex: the kernel's SMMUv3 dwords (0x%016llx) are 64-bit values", () => {
  // abi.md TV10's payload: evt[0] = 0x0000000800005813, evt[1] RnW, evt[2] = 0xdeadb000.
  const r = readHex(
    "0x0000000800005813 0x0000000800000000 0x00000000deadb000 0x0000000000000000",
  );
  assert.deepEqual(r.bytes, TV10.subarray(8, 40));
  assert.equal(r.reading.wordBytes, 8);
  // Shorter values in a list of 64-bit ones are the same values, zero-extended.
  assert.deepEqual(
    readHex("0x800005813, 0x800000000, 0xdeadb000, 0x0").bytes,
    TV10.subarray(8, 40),
  );
});

Deno.test("readHex: a dump from a big-endian host, said with --hex-groups big", () => {
  const be = words(TV10, 4, false).join(" "); // memory order = textual order on a BE host
  assert.deepEqual(readHex(be, { groups: "big" }).bytes, TV10);
  assert.deepEqual(readHex(be, { hostOrder: "big" }).bytes, TV10);
  assert.deepEqual(readHex(" " + words(TV10, 4).join(" "), { groups: "bytes" }).bytes.length, 48);
});

Deno.test("readHex: xxd -g 4 and xxd -e look alike; the ASCII column decides, or parsing refuses", () => {
  // "Hello, W": the ASCII column shows memory order, so the groups are bytes (xxd -g 4) ...
  const hello = new TextEncoder().encode("Hello, World!...");
  assert.deepEqual(readHex(xxd(hello, 4)).bytes, hello);
  assert.equal(readHex(xxd(hello, 4)).reading.groups, "bytes");
  // ... or words (xxd -e), whose digits are byte-reversed against the column.
  assert.deepEqual(readHex(xxdE(hello)).bytes, hello);
  assert.equal(readHex(xxdE(hello)).reading.groups, "words");
  // TV10 has one printable byte ('X' = 0x58): enough.
  assert.equal(readHex(xxdE(TV10)).reading.groups, "words");
  // No printable byte: either reading is possible, so it is refused, saying how to choose.
  const zeros = Uint8Array.of(1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0);
  let e: unknown;
  try {
    readHex(xxdE(zeros));
  } catch (x) {
    e = x;
  }
  assert.ok(e instanceof HexError);
  assert.match(e.message, /xxd -g 4 bytes or xxd -e little-endian words/);
  assert.deepEqual(e.hints, [{ kind: "hex-groups", choices: ["bytes", "little", "big"] }]);
  assert.deepEqual(readHex(xxdE(zeros), { groups: "little" }).bytes, zeros);
});

Deno.test("readHex: groups that cannot be told apart without an offset, and od's octal, are refused", () => {
  // Four hex digits and no offset column: xxd byte pairs, or od -An -tx2 / hexdump words?
  assert.throws(() => readHex("0100 0000 0a00 0000"), HexError);
  // od's default: octal 2-byte words (6 digits): no flag makes them hex.
  const octal = "0000000 000001 000000 000012 000000\n0000010";
  assert.throws(() => readHex(octal), (e: unknown) => e instanceof HexError && !e.hints.length);
  // Byte dumps stay byte dumps: one long run, and two-digit groups.
  assert.equal(readHex("deadb000").reading.groups, "bytes");
  assert.equal(readHex(od(TV10, 1)).reading.groups, "bytes");
  assert.deepEqual(readHex(od(TV10, 1)).bytes, TV10);
});

// The real tools, when this machine has them (CI installs xxd; od is coreutils).
for (
  const [tool, ...args] of [
    ["xxd", "-e"],
    ["xxd", "-e", "-g", "8"],
    ["od", "-tx4"],
    ["od", "-An", "-tx4"],
    ["od", "-tx8"],
    ["hexdump"],
  ]
) {
  const path = ["/usr/bin", "/bin"].map((d) => `${d}/${tool}`).find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
  Deno.test({
    name: `readHex reads real ${tool} ${args.join(" ")} output of TV10 back to its bytes`,
    ignore: path === undefined,
    fn() {
      const dir = Deno.makeTempDirSync();
      const file = `${dir}/tv10.bin`;
      Deno.writeFileSync(file, TV10);
      const out = new Deno.Command(path!, { args: [...args, file] }).outputSync();
      Deno.removeSync(dir, { recursive: true });
      assert.ok(out.success);
      const r = readHex(new TextDecoder().decode(out.stdout));
      assert.deepEqual(r.bytes, TV10);
      assert.equal(r.reading.groups, "words");
    },
  });
}
