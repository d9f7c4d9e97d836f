/**
 * Captures as streams: the chunk unit comes from the registered record sizes, and a record of a
 * size that does not divide the chunks (an odd 44-byte record, described here and not
 * registered) still decodes right across chunk boundaries. Expected values are written into the
 * bytes by hand with a DataView, not by the encoder.
 */
import assert from "node:assert/strict";
import { RECORD_LIST } from "../src/abi/records.ts";
import type { RecordLayout } from "../src/abi/types.ts";
import { captureUnit, MAX_CAPTURE_UNIT, readCapture } from "../src/codec/capture.ts";
import { decoderFor } from "../src/codec/decode.ts";
import { readChunks } from "../src/cli/files.ts";
import { tmpFile } from "./support/cli.ts";

/** A 44-byte record: no registered size divides it, and 44 divides none of them. */
const ODD: RecordLayout = {
  id: "odd44-test",
  struct: "odd",
  title: "test",
  era: "test",
  family: "iommufd_fault",
  size: 44,
  source: [],
  fields: [
    { kind: "scalar", name: "seq", offset: 0, type: "u32", meaning: "" },
    { kind: "scalar", name: "addr", offset: 4, type: "u64", meaning: "" },
    { kind: "scalar", name: "tail", offset: 40, type: "u32", meaning: "" },
  ],
};

/** n records: seq = i, addr = 0x1000 * i + 0xabc, tail = 0xfeed0000 + i. */
function capture(n: number): Uint8Array {
  const b = new Uint8Array(n * 44);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < n; i++) {
    dv.setUint32(44 * i, i, true);
    dv.setBigUint64(44 * i + 4, 0x1000n * BigInt(i) + 0xabcn, true);
    dv.setUint32(44 * i + 40, 0xfeed0000 + i, true);
  }
  return b;
}

Deno.test("captureUnit: a multiple of every registered record size (960 for today's)", () => {
  const unit = captureUnit();
  for (const r of RECORD_LIST) assert.equal(unit % r.size, 0, r.id);
  // abi.md's sizes: 20, 24, 40, 48, 64 (and 8): their least common multiple is 960.
  assert.equal(unit, 960);
  // A new generation's size joins the unit.
  const withOdd = captureUnit([...RECORD_LIST.map((r) => r.size), 44]);
  assert.equal(withOdd % 44, 0);
  assert.equal(withOdd % 960, 0);
  // Sizes whose multiple would be huge give up on alignment: records are carried instead.
  assert.equal(captureUnit([65521, 65519]), 1);
  assert.ok(MAX_CAPTURE_UNIT >= 960);
});

Deno.test("an odd-size record decodes across chunk boundaries, every record, in order", async () => {
  const n = 1000;
  const path = await tmpFile(capture(n));
  const decode = decoderFor(ODD);
  // Chunks of 100 bytes (unit 1): nearly every record straddles two chunks.
  for (const [unit, chunkBytes] of [[1, 100], [captureUnit([960, 44]), 1 << 20], [1, 45]]) {
    const cap = readCapture(readChunks(path, unit, chunkBytes), ODD.size);
    let seen = 0;
    for await (const run of cap.runs) {
      for (let i = 0; i < run.count; i++) {
        const k = run.index + i;
        assert.equal(k, seen++);
        assert.equal(run.base + 44 * i, 44 * k, "offset in the capture");
        assert.deepEqual(decode(run.dv, 44 * i, true), {
          seq: k,
          addr: 0x1000n * BigInt(k) + 0xabcn,
          tail: 0xfeed0000 + k,
        }, `record ${k} with chunks of ${chunkBytes}`);
      }
    }
    assert.equal(seen, n);
    assert.deepEqual(cap.end(), {
      records: n,
      bytes: 44 * n,
      trailing: undefined,
      limited: false,
    });
  }
  await Deno.remove(path);
});

Deno.test("a capture that ends inside a record reports where; a limit stops the reading", async () => {
  const bytes = capture(10).subarray(0, 10 * 44 - 7);
  const path = await tmpFile(bytes);
  const cap = readCapture(readChunks(path, 1, 64), ODD.size);
  let n = 0;
  for await (const run of cap.runs) n += run.count;
  assert.equal(n, 9);
  assert.deepEqual(cap.end().trailing, { offset: 9 * 44, length: 44 - 7 });
  assert.equal(cap.end().bytes, 10 * 44 - 7, "every byte read, the cut record's too");
  const limited = readCapture(readChunks(path, 1, 64), ODD.size, 3);
  let m = 0;
  for await (const run of limited.runs) m += run.count;
  assert.equal(m, 3);
  assert.equal(limited.end().limited, true);
  assert.equal(limited.end().bytes, 3 * 44, "the bytes of the records taken");
  const none = readCapture(readChunks(path, 1, 64), ODD.size, 0);
  for await (const _ of none.runs) assert.fail("a limit of 0 yields nothing");
  assert.deepEqual(none.end(), { records: 0, bytes: 0, trailing: undefined, limited: true });
  await Deno.remove(path);
});
