/**
 * Record copy paths of the ring, single-threaded (issue 3: "know where the time goes").
 * Each iteration moves 512 64-byte records (one dma-fault ring) into or out of a
 * SharedArrayBuffer; ns/record = time per iteration / 512.
 *
 * Groups: how the producer writes a record into a slot, how the consumer checks one, and what
 * the clock costs (the reason the producer reads it once per batch).
 *
 * @example
 * ```sh
 * deno bench -A --frozen bench/ring_record_bench.ts
 * ```
 * @module
 */
import { RECORDS } from "../src/abi/records.ts";
import { BenchRecordCodec } from "../src/bench/record.ts";
import { RecordVerifier } from "../src/bench/verify.ts";

const N = 512;
const codec = new BenchRecordCodec("mainline");
const W = codec.words;
const SIZE = RECORDS.mainline.size;
const sab = new SharedArrayBuffer(4096 + N * SIZE);
const ring = new Int32Array(sab);
const ringBytes = new Uint8Array(sab);
const ringDv = new DataView(sab);
const RING = 4096;
// A staged copy of the 512 records (what a producer that builds records elsewhere would copy).
const staged = new Int32Array(N * W);
for (let i = 0; i < N; i++) codec.write(staged, i * W, i, 1000);
const stagedBytes = new Uint8Array(staged.buffer);
const stagedViews = Array.from(
  { length: N },
  (_, i) => stagedBytes.subarray(i * SIZE, (i + 1) * SIZE),
);
let seq = 0;
let sink = 0;

Deno.bench("write: generated straight-line Int32 stores (the ring's path)", {
  group: "write",
  baseline: true,
}, () => {
  for (let i = 0; i < N; i++) codec.write(ring, (RING >> 2) + i * W, seq++, 1000);
});

Deno.bench("write: generated run, one call per batch (fill)", { group: "write" }, () => {
  codec.fill(ring, RING >> 2, (RING >> 2) + N * W, seq, 1000);
  seq += N;
});

// The minimal ring's record (10 of 16 words, an xor checksum folded by the caller), as the
// simplest correct ring writes it: what faultscope's record costs over it.
const u32 = new Uint32Array(sab);
function minimalFill(slot: number, s: number): number {
  const o = (RING >> 2) + slot * 16;
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
  return 1 ^ reason ^ (flags << 8) ^ pasid ^ (perm << 16) ^ fetchLo ^ addrHi;
}
Deno.bench("write: the minimal ring's record (10 words, xor fold)", { group: "write" }, () => {
  let csum = 0;
  for (let i = 0; i < N; i++) csum = (Math.imul(csum, 31) + minimalFill(i, seq++)) | 0;
  sink += csum;
});

Deno.bench("write: template loop of 16 Int32 stores + 5 fields", { group: "write" }, () => {
  const t = staged.subarray(0, W);
  for (let i = 0; i < N; i++) {
    const b = (RING >> 2) + i * W;
    for (let k = 0; k < W; k++) ring[b + k] = t[k];
    ring[b + 4] = seq & 0xfffff;
    ring[b + 6] = seq << 12;
    ring[b + 7] = seq >>> 20;
    ring[b + 8] = 1000;
    ring[b + 9] = seq++;
  }
});

Deno.bench("write: DataView setUint32 per field, little-endian", { group: "write" }, () => {
  for (let i = 0; i < N; i++) {
    const o = RING + i * SIZE;
    const s = seq++;
    ringDv.setUint32(o, 1, true);
    ringDv.setUint32(o + 4, 0, true);
    ringDv.setUint32(o + 8, 4, true);
    ringDv.setUint32(o + 12, 7, true);
    ringDv.setUint32(o + 16, s & 0xfffff, true);
    ringDv.setUint32(o + 20, 1, true);
    ringDv.setUint32(o + 24, s << 12, true);
    ringDv.setUint32(o + 28, s >>> 20, true);
    ringDv.setUint32(o + 32, 1000, true);
    ringDv.setUint32(o + 36, s, true);
    for (let z = 40; z < 64; z += 4) ringDv.setUint32(o + z, 0, true);
  }
});

Deno.bench(
  "copy: Uint8Array.set of a staged 64-byte record (prebuilt views)",
  { group: "write" },
  () => {
    for (let i = 0; i < N; i++) ringBytes.set(stagedViews[i], RING + i * SIZE);
  },
);

Deno.bench("copy: Uint8Array.set of the whole 32 KiB batch at once", { group: "write" }, () => {
  ringBytes.set(stagedBytes, RING);
});

Deno.bench("copy: copyWithin inside the SAB, per record", { group: "write" }, () => {
  // Records staged in the first 4 KiB... only 64 of them fit, so copy each 8 times over.
  for (let i = 0; i < N; i++) {
    ringBytes.copyWithin(RING + i * SIZE, (i & 63) * SIZE, (i & 63) * SIZE + SIZE);
  }
});

Deno.bench("copy: Int32Array word loop from staging", { group: "write" }, () => {
  for (let i = 0; i < N; i++) {
    const b = (RING >> 2) + i * W, s = i * W;
    for (let k = 0; k < W; k++) ring[b + k] = staged[s + k];
  }
});

for (let i = 0; i < N; i++) codec.write(ring, (RING >> 2) + i * W, i, 1000);

Deno.bench("check: generated (fixed words OR-folded + 4-term checksum)", {
  group: "check",
  baseline: true,
}, () => {
  for (let i = 0; i < N; i++) sink += codec.check(ring, (RING >> 2) + i * W);
});

Deno.bench("check: weighted sum over all 16 words in a loop", { group: "check" }, () => {
  const wt = new Int32Array(W).map((_, k) => (Math.imul(2 * k + 1, 0x9e3779b1) | 1));
  for (let i = 0; i < N; i++) {
    const b = (RING >> 2) + i * W;
    let s = 0;
    for (let k = 0; k < W; k++) s = (s + Math.imul(ring[b + k], wt[k])) | 0;
    sink += s;
  }
});

const v = new RecordVerifier(codec);
Deno.bench("check: full verifier per record (seq order + checksum + latency)", {
  group: "check",
}, () => {
  v.next = 0;
  for (let i = 0; i < N; i++) v.take(ring, (RING >> 2) + i * W, 5000, true);
});

Deno.bench("check: full verifier, generated run (scan + latency runs)", { group: "check" }, () => {
  v.next = 0;
  v.takeRun(ring, RING >> 2, (RING >> 2) + N * W, 5000, true);
});

// The minimal ring's check: type and addr against the expected sequence number, and an xor
// fold of 7 words into a checksum compared with the producer's at the end.
const mu32 = new Uint32Array(N * 16);
for (let i = 0; i < N; i++) {
  const o = i * 16;
  mu32[o] = 1;
  mu32[o + 6] = (i & 0xfffff) * 4096;
  mu32[o + 7] = 0x7f00 + (i >>> 20);
}
Deno.bench("check: the minimal ring's check (type, addr, xor fold)", { group: "check" }, () => {
  let csum = 0, errors = 0;
  for (let s = 0; s < N; s++) {
    const o = s * 16;
    if (
      !(mu32[o] === 1 && mu32[o + 6] === (s & 0xfffff) * 4096 &&
        mu32[o + 7] === 0x7f00 + (s >>> 20))
    ) errors++;
    csum = (Math.imul(csum, 31) +
      (mu32[o] ^ mu32[o + 2] ^ (mu32[o + 3] << 8) ^ mu32[o + 4] ^ (mu32[o + 5] << 16) ^
        mu32[o + 8] ^ mu32[o + 9])) | 0;
  }
  sink += csum + errors;
});

Deno.bench("clock: performance.now() x512", { group: "clock", baseline: true }, () => {
  for (let i = 0; i < N; i++) sink += performance.now();
});

const ctl = new Int32Array(new SharedArrayBuffer(64));
Deno.bench("publish: Atomics.store x512 (SC store: xchg on x86)", { group: "clock" }, () => {
  for (let i = 0; i < N; i++) Atomics.store(ctl, 0, i);
});

Deno.bench("publish: plain Int32Array store x512", { group: "clock" }, () => {
  for (let i = 0; i < N; i++) ctl[1] = i;
});

Deno.bench("publish: Atomics.load x512", { group: "clock" }, () => {
  for (let i = 0; i < N; i++) sink += Atomics.load(ctl, 0);
});

globalThis.addEventListener("unload", () => {
  if (sink === 0.5) console.log(sink);
});
