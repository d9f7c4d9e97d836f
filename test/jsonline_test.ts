/**
 * The compiled JSON-line writer (the fast `decode --ndjson` path) must write exactly what the
 * reference path writes: JSON.stringify of recordJson over the decoded record, as text and as the
 * bytes `decode --ndjson` writes, never past the room it asks for.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { ABI_IDS, RECORDS } from "../src/abi/records.ts";
import { decoderFor } from "../src/codec/decode.ts";
import { recordJson } from "../src/codec/json.ts";
import { byteBuffer, jsonLineBytes, jsonLineWriter, writeDecimal } from "../src/codec/jsonline.ts";

for (const abi of ABI_IDS) {
  Deno.test(`jsonline ${abi}: same text as JSON.stringify(recordJson) on random bytes`, () => {
    const size = RECORDS[abi].size;
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: size, maxLength: size }),
        fc.constantFrom(0, 1, 2, 3), // also force the union selector to each variant and beyond
        fc.boolean(),
        fc.nat(1 << 20),
        (bytes, type, le, index) => {
          if (abi !== "rfc3" && RECORDS[abi].fields.some((f) => f.kind === "union")) {
            new DataView(bytes.buffer).setUint32(0, type, le);
          }
          const dv = new DataView(bytes.buffer);
          const fast = jsonLineWriter(abi)(dv, 0, le, `"index":${index},"offset":${index * size}`);
          const ref = JSON.stringify(
            recordJson(abi, decoderFor(abi)(dv, 0, le), { index, offset: index * size }),
          );
          assert.equal(fast, ref);
        },
      ),
      { numRuns: 400 },
    );
  });
}

Deno.test("jsonline writes u64 halves as one lowercase hex number", () => {
  const b = new Uint8Array(48);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 1, true);
  dv.setBigUint64(8, 0x0000000100000000n, true); // addr: the high half only
  dv.setBigUint64(16, 0xffffffffffffffffn, true); // fetch_addr: all ones
  const j = JSON.parse(jsonLineWriter("rfc3")(dv, 0, true, ""));
  assert.equal(j.addr, "0x100000000");
  assert.equal(j.fetch_addr, "0xffffffffffffffff");
  assert.equal("index" in j, false);
});

Deno.test("jsonline bytes: writeDecimal writes what String() writes, at every width", () => {
  const b = new Uint8Array(32);
  const text = (v: number) => new TextDecoder().decode(b.subarray(3, writeDecimal(b, 3, v)));
  for (
    const v of [0, 9, 10, 99, 100, 12345, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 1e15 + 7]
  ) assert.equal(text(v), String(v));
  assert.equal(text(Number.MAX_SAFE_INTEGER), "9007199254740991");
  fc.assert(fc.property(fc.maxSafeNat(), (v) => text(v) === String(v)), { numRuns: 2000 });
});

for (const abi of ABI_IDS) {
  Deno.test(`jsonline bytes ${abi}: no record writes past maxBytes, even every bit set`, () => {
    const { write, maxBytes } = jsonLineBytes(abi);
    const size = RECORDS[abi].size;
    // The buffer ends exactly at the bound: a write past it would be lost and the line cut.
    const out = byteBuffer(maxBytes);
    const check = (bytes: Uint8Array, le: boolean) => {
      const dv = new DataView(bytes.buffer);
      const end = write(dv, 0, le, out, 0);
      assert.ok(end <= maxBytes, `${end} > ${maxBytes}`);
      const line = new TextDecoder().decode(out.bytes.subarray(0, end));
      const ref = JSON.stringify(recordJson(abi, decoderFor(abi)(dv, 0, le)));
      assert.equal(line, ref);
    };
    const ones = new Uint8Array(size).fill(0xff);
    check(ones, true);
    for (let type = 0; type < 4; type++) {
      const b = ones.slice();
      new DataView(b.buffer).setUint32(0, type, true);
      check(b, true);
    }
    fc.assert(
      fc.property(fc.uint8Array({ minLength: size, maxLength: size }), fc.boolean(), check),
      { numRuns: 200 },
    );
  });
}
