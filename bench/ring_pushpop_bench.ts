/**
 * Single-threaded push/pop through the ring's producer and consumer (no second thread, so no
 * cache-line transfer: this is the instruction cost of the protocol itself), against
 * `ringbuf.js` on the same records. Each iteration moves 100,000 64-byte records through the
 * dma-fault ring (511 usable slots) in batches of 1, 16 or 256; records/s = 100,000 / time.
 *
 * @example
 * ```sh
 * deno bench -A --frozen bench/ring_pushpop_bench.ts
 * ```
 * @module
 */
import { RingBuffer } from "ringbuf.js";
import { RingConsumer } from "../src/ring/consumer.ts";
import { ringGeometry } from "../src/ring/geometry.ts";
import { RingProducer } from "../src/ring/producer.ts";
import { BenchRecordCodec } from "../src/bench/record.ts";
import { RecordVerifier } from "../src/bench/verify.ts";
import { createRingBuffer } from "../src/ring/region.ts";

const TOTAL = 100_000;
const codec = new BenchRecordCodec("mainline");
const W = codec.words;
let bad = 0;

for (const batch of [1, 16, 256]) {
  const g = ringGeometry("dma-fault");
  const sab = createRingBuffer(g);
  const p = new RingProducer(sab, g);
  const c = new RingConsumer(sab, g);
  const w = p.words;
  let seq = 0;
  let next = 0;
  Deno.bench(`ring: write+publish, drain+check, batch ${batch}`, {
    group: `batch ${batch}`,
    baseline: true,
  }, () => {
    const end = seq + TOTAL;
    while (seq < end) {
      const n = p.reserve(Math.min(batch, end - seq));
      for (let i = 0; i < n; i++) codec.write(w, p.slotWord(i), seq + i, 7);
      p.publish(n);
      seq += n;
      const m = c.available();
      for (let i = 0; i < m; i++) if (codec.check(w, c.slotWord(i)) !== next++) bad++;
      c.release(m);
    }
  });

  const v = new RecordVerifier(codec);
  Deno.bench(`ring: fill in place+publish, drain+takeRun (the ring's path), batch ${batch}`, {
    group: `batch ${batch}`,
  }, () => {
    const end = seq + TOTAL;
    while (seq < end) {
      const n = p.reserve(Math.min(batch, end - seq));
      const first = Math.min(n, p.capacity - p.prod);
      const b = p.slotWord(0);
      codec.fill(w, b, b + first * W, seq, 7);
      if (first < n) {
        codec.fill(w, p.slotWord(first), p.slotWord(first) + (n - first) * W, seq + first, 7);
      }
      p.publish(n);
      seq += n;
      let m = c.available();
      while (m > 0) {
        const k = Math.min(m, c.capacity - c.cons);
        const cb = c.slotWord(0);
        v.takeRun(w, cb, cb + k * W, 9, true);
        c.release(k);
        m -= k;
      }
    }
    v.next = seq; // the other benches of the group moved records too
  });

  const staged = new Int32Array(batch * W);
  const stagedBytes = new Uint8Array(staged.buffer);
  Deno.bench(`ring: stage+copyIn (memcpy), drain+check, batch ${batch}`, {
    group: `batch ${batch}`,
  }, () => {
    const end = seq + TOTAL;
    while (seq < end) {
      const n = p.reserve(Math.min(batch, end - seq));
      for (let i = 0; i < n; i++) codec.write(staged, i * W, seq + i, 7);
      p.copyIn(stagedBytes, n);
      p.publish(n);
      seq += n;
      const m = c.available();
      for (let i = 0; i < m; i++) if (codec.check(w, c.slotWord(i)) !== next++) bad++;
      c.release(m);
    }
  });

  Deno.bench(`ring: protocol only (reserve/publish/available/release), batch ${batch}`, {
    group: `batch ${batch}`,
  }, () => {
    let moved = 0;
    while (moved < TOTAL) {
      const n = p.reserve(batch);
      p.publish(n);
      const m = c.available();
      c.release(m);
      moved += m;
    }
  });

  const rb = new RingBuffer(RingBuffer.getStorageForCapacity(511 * W, Int32Array), Int32Array);
  const stage = new Int32Array(batch * W);
  const out = new Int32Array(511 * W);
  let rseq = 0;
  let rnext = 0;
  Deno.bench(
    `ringbuf.js: stage+push, pop+check, batch ${batch}`,
    { group: `batch ${batch}` },
    () => {
      const end = rseq + TOTAL;
      while (rseq < end) {
        const n = Math.min(batch, end - rseq);
        for (let i = 0; i < n; i++) codec.write(stage, i * W, rseq + i, 7);
        rb.push(stage, n * W);
        rseq += n;
        const got = rb.pop(out, out.length);
        for (let b = 0; b < got; b += W) if (codec.check(out, b) !== rnext++) bad++;
      }
    },
  );
}

// The minimal ring (1023 x 64-byte slots, 10 words written, type and addr checked, an xor fold
// compared at the end), single-threaded, as the reference shape writes it.
for (const batch of [1, 16, 256]) {
  const size = 1023;
  const u32 = new Uint32Array(new SharedArrayBuffer(65536));
  const hdr = new Int32Array(u32.buffer, 0, 4);
  let s = 0, rs = 0, prod = 0, cons = 0, pc = 0, cc = 0;
  Deno.bench(`minimal ring: fill+publish, drain+check, batch ${batch}`, {
    group: `batch ${batch}`,
  }, () => {
    const end = s + TOTAL;
    while (s < end) {
      const c0 = Atomics.load(hdr, 2);
      const used = prod >= c0 ? prod - c0 : prod + size - c0;
      let avail = Math.min(size - 1 - used, batch, end - s);
      for (; avail > 0; avail--, s++) {
        const o = 4 + prod * 16;
        const reason = s & 7, flags = (s >>> 3) & 15;
        const pasid = Math.imul(s, 0x9E3779B1) >>> 12, perm = 1 << (s & 3);
        const addrLo = (s & 0xfffff) * 4096, addrHi = 0x7f00 + (s >>> 20);
        const fetchLo = addrLo + ((s << 2) & 0xffc);
        u32[o] = 1;
        u32[o + 1] = 0;
        u32[o + 2] = reason;
        u32[o + 3] = flags;
        u32[o + 4] = pasid;
        u32[o + 5] = perm;
        u32[o + 6] = addrLo;
        u32[o + 7] = addrHi;
        u32[o + 8] = fetchLo;
        u32[o + 9] = addrHi;
        pc = (Math.imul(pc, 31) +
          (1 ^ reason ^ (flags << 8) ^ pasid ^ (perm << 16) ^ fetchLo ^ addrHi)) | 0;
        prod = prod + 1 === size ? 0 : prod + 1;
      }
      Atomics.store(hdr, 1, prod);
      const p0 = Atomics.load(hdr, 1);
      while (cons !== p0) {
        const o = 4 + cons * 16;
        if (
          !(u32[o] === 1 && u32[o + 6] === (rs & 0xfffff) * 4096 &&
            u32[o + 7] === 0x7f00 + (rs >>> 20))
        ) bad++;
        cc = (Math.imul(cc, 31) +
          (u32[o] ^ u32[o + 2] ^ (u32[o + 3] << 8) ^ u32[o + 4] ^ (u32[o + 5] << 16) ^
            u32[o + 8] ^ u32[o + 9])) | 0;
        rs++;
        cons = cons + 1 === size ? 0 : cons + 1;
      }
      Atomics.store(hdr, 2, cons);
    }
    if (pc !== cc) bad++;
  });
}

globalThis.addEventListener("unload", () => {
  if (bad !== 0) throw new Error(`${bad} records failed their check`);
});
