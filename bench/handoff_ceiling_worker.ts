/**
 * Worker of bench/handoff_ceiling.ts: hands blocks through a SharedArrayBuffer, producer copying
 * in, consumer copying out, with no per-record work at all.
 *
 * @example
 * ```ts
 * new Worker(new URL("./handoff_ceiling_worker.ts", import.meta.url), { type: "module" });
 * ```
 * @module
 */
/// <reference lib="deno.worker" />

self.onmessage = (e: MessageEvent) => {
  const { sab, role, block, slots, bytes } = e.data as {
    sab: SharedArrayBuffer;
    role: "producer" | "consumer";
    block: number;
    slots: number;
    bytes: number;
  };
  // One flag per slot, 64 bytes apart so flags never share a cache line.
  const flags = new Int32Array(sab, 0, 16 * slots);
  const data = new Uint8Array(sab, 4096, block * slots);
  const local = new Uint8Array(block).fill(role === "producer" ? 7 : 0);
  const n = Math.floor(bytes / block);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = i % slots, f = s * 16;
    if (role === "producer") {
      while (Atomics.load(flags, f) !== 0) { /* spin */ }
      data.set(local, s * block);
      Atomics.store(flags, f, 1);
    } else {
      while (Atomics.load(flags, f) !== 1) { /* spin */ }
      local.set(data.subarray(s * block, s * block + block));
      Atomics.store(flags, f, 0);
    }
  }
  self.postMessage({ ms: performance.now() - t0, check: local[0] });
};
