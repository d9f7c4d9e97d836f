/**
 * Property tests of the codec (fast-check). Field positions come from the hand transcription
 * of abi.md in support/abi_tables.ts, so a field the description misplaces shows up as bytes in
 * the wrong place even when encode and decode agree with each other.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { AbiId } from "../src/abi/types.ts";
import { type DecodedFields, decodeRecord, type Value } from "../src/codec/decode.ts";
import { type EncodeInput, encodeInto, encodeRecord } from "../src/codec/encode.ts";
import { hexLines, parseHex } from "../src/codec/hex.ts";
import { RECORD_TABLES, type Row, usedRanges } from "./support/abi_tables.ts";
import { readUint } from "./support/flatten.ts";

const ABIS = Object.keys(RECORD_TABLES) as AbiId[];
const U64_MAX = (1n << 64n) - 1n;
const RUNS = 150;

const u32 = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff),
);
const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: U64_MAX }),
  fc.constantFrom(0n, 1n, 0xdeadb000n, 1n << 63n, U64_MAX, 0xffffffffn, 1n << 32n),
);

/** A record as rows and values: `type` first, then the rows the type selects. */
interface Sample {
  type: number;
  rows: Row[];
  values: Map<string, number | bigint>;
}

function sampleFor(abi: AbiId): fc.Arbitrary<Sample> {
  const t = RECORD_TABLES[abi];
  const hasType = t.common[0][0] === "type";
  const typeArb = hasType
    ? fc.oneof(fc.constantFrom(1, 2), fc.constantFrom(1, 2), u32)
    : fc.constant(0);
  return typeArb.chain((type) => {
    const rows = [...t.common, ...(t.variants?.[type]?.rows ?? [])];
    const arbs = rows.map(([name, , size]) =>
      name === "type" ? fc.constant(type) : size === 4 ? u32 : u64
    );
    return fc.tuple(...arbs).map((vals) => ({
      type,
      rows,
      values: new Map(rows.map(([n], i) => [n, vals[i] as number | bigint])),
    }));
  });
}

/** Nests dotted names (`event.addr`, `prm.private_data[1]`) as the C struct does. */
function nest(values: Map<string, number | bigint>): DecodedFields {
  const out: DecodedFields = {};
  for (const [path, v] of values) {
    const parts = path.split(".");
    let obj = out;
    for (const p of parts.slice(0, -1)) obj = (obj[p] ??= {}) as DecodedFields;
    const last = parts[parts.length - 1];
    const m = last.match(/^(.*)\[(\d+)\]$/);
    if (m) {
      const arr = (obj[m[1]] ??= []) as bigint[];
      arr[Number(m[2])] = v as bigint;
    } else {
      obj[last] = v as Value;
    }
  }
  return out;
}

for (const abi of ABIS) {
  Deno.test(`property: ${abi}: encode -> decode round-trips, bytes where abi.md puts them`, () => {
    fc.assert(
      fc.property(sampleFor(abi), fc.boolean(), (s, le) => {
        const expected = nest(s.values);
        const bytes = encodeRecord(abi, expected as EncodeInput, le);
        assert.equal(bytes.length, RECORD_TABLES[abi].size);
        // Every field sits at abi.md's offset with abi.md's size and the chosen endianness.
        for (const [name, off, size] of s.rows) {
          assert.equal(readUint(bytes, off, size, le), BigInt(s.values.get(name)!), name);
        }
        // Nothing else is written.
        const used = new Uint8Array(bytes.length);
        for (const [, off, size] of s.rows) used.fill(1, off, off + size);
        bytes.forEach((b, i) => assert.ok(used[i] || b === 0, `stray byte ${i}`));
        assert.deepEqual(decodeRecord(abi, bytes, 0, le), expected);
      }),
      { numRuns: RUNS },
    );
  });

  Deno.test(`property: ${abi}: decode -> encode reproduces bytes whose unused bytes are 0`, () => {
    const size = RECORD_TABLES[abi].size;
    const hasType = RECORD_TABLES[abi].common[0][0] === "type";
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: size, maxLength: size }),
        fc.constantFrom(1, 2, -1),
        fc.boolean(),
        (raw, forceType, le) => {
          const bytes = raw.slice();
          const dv = new DataView(bytes.buffer);
          if (hasType && forceType > 0) dv.setUint32(0, forceType, le);
          const type = hasType ? dv.getUint32(0, le) : 0;
          const used = new Uint8Array(size);
          for (const [a, b] of usedRanges(abi, type)) used.fill(1, a, b);
          for (let i = 0; i < size; i++) if (!used[i]) bytes[i] = 0;
          const again = encodeRecord(abi, decodeRecord(abi, bytes, 0, le), le);
          assert.deepEqual(again, bytes);
        },
      ),
      { numRuns: RUNS },
    );
  });
}

Deno.test("property: a little-endian record read big-endian gives byte-swapped fields", () => {
  const swap = (v: bigint, size: number) => readUint(writeLE(v, size), 0, size, false);
  function writeLE(v: bigint, size: number) {
    const b = new Uint8Array(size);
    for (let i = 0; i < size; i++) b[i] = Number((v >> BigInt(8 * i)) & 0xffn);
    return b;
  }
  fc.assert(
    fc.property(fc.constantFrom(...ABIS), u64, (abi, seed) => {
      const t = RECORD_TABLES[abi];
      const values = new Map<string, number | bigint>();
      let x = seed;
      for (const [name, , size] of t.common) {
        // A type whose byte swap is neither 1 nor 2 keeps the union out of the picture.
        if (name === "type") values.set(name, 0x01010101);
        else values.set(name, size === 4 ? Number(x & 0xffffffffn) : x);
        x = (x * 6364136223846793005n + 1442695040888963407n) & U64_MAX;
      }
      const bytes = encodeRecord(abi, nest(values) as EncodeInput, true);
      const be = decodeRecord(abi, bytes, 0, false);
      for (const [name, , size] of t.common) {
        const got = be[name] as number | bigint;
        assert.equal(BigInt(got), swap(BigInt(values.get(name)!), size), `${abi}.${name}`);
      }
    }),
    { numRuns: RUNS },
  );
});

Deno.test("property: encodeInto writes only the record's named bytes", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...ABIS),
      fc.integer({ min: 0, max: 40 }),
      fc.uint8Array({ minLength: 160, maxLength: 160 }),
      fc.boolean(),
      (abi, offset, background, le) => {
        const t = RECORD_TABLES[abi];
        const type = t.variants ? 1 + (background[0] & 1) : 0;
        const rows = [...t.common, ...(t.variants?.[type]?.rows ?? [])];
        const values = new Map<string, number | bigint>(
          rows.map(([n, , s], i) =>
            n === "type"
              ? [n, type]
              : [n, s === 4 ? 0x01020304 + i : 0x0102030405060708n + BigInt(i)]
          ),
        );
        const buf = background.slice();
        encodeInto(abi, nest(values) as EncodeInput, new DataView(buf.buffer), offset, le);
        const named = new Uint8Array(buf.length);
        for (const [, o, s] of rows) named.fill(1, offset + o, offset + o + s);
        for (let i = 0; i < buf.length; i++) {
          if (!named[i]) assert.equal(buf[i], background[i], `byte ${i} (record at ${offset})`);
        }
        for (const [n, o, s] of rows) {
          assert.equal(readUint(buf, offset + o, s, le), BigInt(values.get(n)!), n);
        }
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("property: parseHex round-trips hexLines output (LF and CRLF, any base)", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 300 }),
      fc.integer({ min: 0, max: 0x7fffffff }),
      fc.constantFrom("\n", "\r\n"),
      (bytes, base, eol) => {
        const text = hexLines(bytes, base).join(eol);
        assert.deepEqual(parseHex(text), bytes);
        // And with a trailing newline, as a file would have.
        assert.deepEqual(parseHex(text + eol), bytes);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("hexLines: 16 bytes a line, offsets in hex padded to the width", () => {
  const bytes = Uint8Array.from({ length: 33 }, (_, i) => i);
  assert.deepEqual(hexLines(bytes, 0x1000), [
    "1000: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f",
    "1010: 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f",
    "1020: 20",
  ]);
  assert.deepEqual(hexLines(new Uint8Array(1), 0, 8), ["00000000: 00"]);
  assert.deepEqual(hexLines(new Uint8Array(0)), []);
});
