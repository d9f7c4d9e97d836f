// The bench record: a real iommu_fault as the codec's own decoder reads it, and a check that
// catches any single flipped bit and any record torn between two writes.
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeRecord } from "../src/codec/decode.ts";
import { type BenchAbi, BenchRecordCodec, RUN_SLOTS } from "../src/bench/record.ts";
import { RecordVerifier } from "../src/bench/verify.ts";

function bytesOf(w: Int32Array, words: number, base = 0): Uint8Array {
  return new Uint8Array(w.buffer, w.byteOffset + base * 4, words * 4).slice();
}

Deno.test("mainline bench record decodes as a WALK_EABT event carrying seq and ts", () => {
  const codec = new BenchRecordCodec("mainline");
  const w = new Int32Array(16);
  const seq = 0x12345678;
  codec.write(w, 0, seq, 0xdeadbeef);
  const rec = decodeRecord("mainline", bytesOf(w, 16));
  // abi.md 2.5: type 1 = DMA_UNRECOV; v4+ reason 4 = WALK_EABT; flags 0x7 = PASID, ADDR and
  // FETCH_ADDR valid; perm bit 0 = READ from v8 on.
  assert.equal(rec.type, 1);
  const ev = rec.event as Record<string, unknown>;
  assert.equal(ev.reason, 4);
  assert.equal(ev.flags, 7);
  assert.equal(ev.perm, 1);
  assert.equal(ev.pasid, seq & 0xfffff);
  assert.equal(ev.addr, BigInt(seq) << 12n);
  assert.equal(Number((ev.fetch_addr as bigint) & 0xffffffffn), 0xdeadbeef);
  // Bytes 40-63 (beyond the event member) stay zero (abi.md section 9).
  assert.deepEqual([...bytesOf(w, 16).subarray(40)], new Array(24).fill(0));
});

Deno.test("rfc3 bench record decodes with the RFC v3 reason numbering", () => {
  const codec = new BenchRecordCodec("rfc3");
  const w = new Int32Array(12);
  codec.write(w, 0, 77, 5);
  const rec = decodeRecord("rfc3", bytesOf(w, 12));
  assert.equal(rec.type, 1);
  assert.equal(rec.reason, 8); // WALK_EABT is 8 in RFC v3 (abi.md 2.1), 4 from v4 on
  assert.equal(rec.addr, 77n << 12n);
  assert.equal(rec.pasid, 77);
  assert.equal(rec.pasid_valid, 1);
  assert.equal(rec.last_req, 0);
});

for (const abi of ["rfc3", "mainline"] as BenchAbi[]) {
  Deno.test(`${abi}: seq round-trips and every single-bit flip is caught`, () => {
    const codec = new BenchRecordCodec(abi);
    const n = codec.words;
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (seq, ts) => {
        const w = new Int32Array(n);
        codec.write(w, 0, seq, ts);
        assert.equal(codec.check(w, 0), seq);
        assert.equal(codec.timestamp(w, 0), ts);
        for (let bit = 0; bit < n * 32; bit++) {
          w[bit >> 5] ^= 1 << (bit & 31);
          assert.equal(codec.check(w, 0), -1, `bit ${bit} flipped unnoticed`);
          w[bit >> 5] ^= 1 << (bit & 31);
        }
      }),
      { numRuns: 20 },
    );
  });

  Deno.test(`${abi}: a record torn between two writes is caught`, () => {
    const codec = new BenchRecordCodec(abi);
    const n = codec.words;
    fc.assert(
      fc.property(
        fc.nat({ max: 0xfffffff }),
        fc.integer({ min: 1, max: 5000 }),
        fc.nat({ max: 0xffffffff }),
        fc.integer({ min: 1, max: n - 1 }),
        (seq, lap, ts, cut) => {
          // The consumer read the first `cut` words of the old record, the rest of the new one
          // the producer wrote in the same slot a lap later.
          const old = new Int32Array(n);
          const neu = new Int32Array(n);
          codec.write(old, 0, seq, ts);
          codec.write(neu, 0, seq + lap, (ts + 1000) >>> 0);
          const torn = new Int32Array(n);
          torn.set(old.subarray(0, cut));
          torn.set(neu.subarray(cut), cut);
          const differs = torn.some((v, i) => v !== old[i]) && torn.some((v, i) => v !== neu[i]);
          if (differs) assert.equal(codec.check(torn, 0), -1);
        },
      ),
      { numRuns: 300 },
    );
  });
}

Deno.test("verifier counts loss, duplicates, reordering and tears separately", () => {
  const codec = new BenchRecordCodec("mainline");
  const seqs = [0, 1, 2, 4, 5, 5, 3, 6, 7];
  const w = new Int32Array(seqs.length * 16);
  seqs.forEach((s, i) => codec.write(w, i * 16, s, 100));
  w[7 * 16 + 6] ^= 0x1000; // record 7 (seq 6) torn: its addr word changed
  const v = new RecordVerifier(codec);
  for (let i = 0; i < seqs.length; i++) v.take(w, i * 16, 350, true);
  // 3 is skipped (lost once), 5 repeats, 3 arrives late, 6 is torn.
  assert.deepEqual(v.result, { ok: 6, lost: 1, duplicatedOrReordered: 2, torn: 1, clockSkew: 0 });
  assert.equal(v.next, 8);
  assert.equal(v.latency.total, 8); // torn records carry no trustworthy timestamp
  const p50 = v.latency.percentile(0.5); // 350 - 100, to the histogram's bucket
  assert.ok(p50 <= 250 && 250 - p50 <= 250 / 32, String(p50));
});

for (const abi of ["rfc3", "mainline"] as BenchAbi[]) {
  Deno.test(`${abi}: a filled run is record for record what write produces`, () => {
    const codec = new BenchRecordCodec(abi);
    const W = codec.words;
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }),
        fc.integer({ min: 0, max: 40 }),
        fc.nat({ max: 0xffffffff }),
        (seq, n, ts) => {
          // Records start on an 8-byte boundary (word 2 here), as in every ring layout.
          const run = new Int32Array(n * W + 4).fill(0x5a5a5a5a);
          codec.fill(run, 2, 2 + n * W, seq, ts);
          const one = new Int32Array(n * W + 4).fill(0x5a5a5a5a);
          // Sequence numbers wrap modulo 2^32 in both.
          for (let i = 0; i < n; i++) codec.write(one, 2 + i * W, (seq + i) >>> 0, ts);
          assert.deepEqual(run, one);
        },
      ),
      { numRuns: 200 },
    );
    // The run forms write and read pairs of words as 64-bit words: a record off an 8-byte
    // boundary is refused, not half-written.
    const odd = new Int32Array(W + 2);
    assert.throws(() => codec.fill(odd, 1, 1 + W, 0, 0), RangeError);
    assert.throws(
      () => codec.scan(odd, 1, 1 + W, 0, new Int32Array(1 + 2 * RUN_SLOTS)),
      RangeError,
    );
    assert.deepEqual([...odd], new Array(W + 2).fill(0));
  });
}

Deno.test("takeRun classifies like take, record for record, and records the same latencies", () => {
  const codec = new BenchRecordCodec("mainline");
  const W = codec.words;
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          seq: fc.nat({ max: 40 }),
          ts: fc.constantFrom(100, 100, 100, 200, 4_294_967_000),
          flip: fc.option(fc.nat({ max: W * 32 - 1 }), { freq: 6 }),
        }),
        { maxLength: 60 },
      ),
      fc.nat({ max: 4000 }),
      (recs, nowNs) => {
        const w = new Int32Array(recs.length * W);
        recs.forEach((r, i) => {
          codec.write(w, i * W, r.seq, r.ts);
          if (r.flip !== null) w[i * W + (r.flip >> 5)] ^= 1 << (r.flip & 31);
        });
        const fast = new RecordVerifier(codec);
        fast.takeRun(w, 0, w.length, nowNs, true);
        const slow = new RecordVerifier(codec);
        for (let i = 0; i < recs.length; i++) slow.take(w, i * W, nowNs, true);
        assert.deepEqual(fast.result, slow.result);
        assert.equal(fast.next, slow.next);
        assert.equal(fast.seen, recs.length);
        assert.deepEqual(fast.latency.snapshot(), slow.latency.snapshot());
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("sequence numbers are compared modulo 2^32: a run past 2^32 records stays verified", () => {
  const codec = new BenchRecordCodec("rfc3");
  const W = codec.words;
  const v = new RecordVerifier(codec);
  // As if 2^32 - 2 records had already arrived in order.
  v.next = 2 ** 32 - 2;
  const w = new Int32Array(4 * W);
  // The producer's u32 sequence numbers wrap: ..., 2^32 - 2, 2^32 - 1, 0, 1.
  codec.fill(w, 0, w.length, 2 ** 32 - 2, 7);
  v.takeRun(w, 0, w.length, 10, false);
  assert.deepEqual(v.result, { ok: 4, lost: 0, duplicatedOrReordered: 0, torn: 0, clockSkew: 0 });
  assert.equal(v.next, 2 ** 32 + 2);
  // A loss across the wrap is a loss, not a reordering.
  codec.write(w, 0, 5, 7);
  v.take(w, 0, 10, false);
  assert.equal(v.result.lost, 3);
  assert.equal(v.next, 2 ** 32 + 6);
});
