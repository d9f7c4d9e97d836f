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

globalThis.addEventListener("unload", () => {
  if (bad !== 0) throw new Error(`${bad} records failed their check`);
});
