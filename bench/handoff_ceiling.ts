/**
 * The ceiling of any JS ring on this machine: two workers hand blocks of bytes through a
 * SharedArrayBuffer (memcpy in, memcpy out, one flag per block, no per-record work). Compare the
 * ring's records/s in bench/RESULTS.md with this: the ring is far below it, so what bounds the
 * ring is per-record work (writing, stamping and verifying each record), not moving bytes.
 *
 * @example
 * ```sh
 * deno run -A bench/handoff_ceiling.ts
 * ```
 * @module
 */
const BYTES = 2 * 1024 ** 3;
const SLOTS = 4;

for (const block of [16384, 4096]) {
  for (let round = 1; round <= 3; round++) {
    const sab = new SharedArrayBuffer(4096 + block * SLOTS);
    const url = new URL("./handoff_ceiling_worker.ts", import.meta.url);
    const workers = [0, 1].map(() => new Worker(url, { type: "module" }));
    const done = workers.map((w) =>
      new Promise<{ ms: number; check: number }>((
        resolve,
      ) => (w.onmessage = (e) => resolve(e.data)))
    );
    workers.forEach((w, i) =>
      w.postMessage({ sab, role: i ? "consumer" : "producer", block, slots: SLOTS, bytes: BYTES })
    );
    const [p, c] = await Promise.all(done);
    workers.forEach((w) => w.terminate());
    if (c.check !== 7) throw new Error("the consumer did not receive the producer's bytes");
    const ms = Math.max(p.ms, c.ms);
    console.log(
      `block ${block} B, round ${round}: ${(BYTES / ms / 1e6).toFixed(1)} GB/s = ` +
        `${(BYTES / 64 / ms / 1e3).toFixed(0)} M 64-byte records/s`,
    );
  }
}
