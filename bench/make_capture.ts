/**
 * Writes a capture of N mainline records (two thirds unrecoverable faults, one third page
 * requests) for the whole-process `decode` measurements in bench/RESULTS.md.
 *
 * @example
 * ```sh
 * deno run -A bench/make_capture.ts 1000000 /tmp/cap1m.bin   # 64,000,000 bytes
 * ```
 * @module
 */
import { encodeInto } from "../src/codec/encode.ts";

const n = Number(Deno.args[0]);
const path = Deno.args[1];
if (!Number.isSafeInteger(n) || n <= 0 || !path) {
  console.error("usage: deno run -A bench/make_capture.ts RECORDS FILE");
  Deno.exit(2);
}
const buf = new Uint8Array(n * 64);
const dv = new DataView(buf.buffer);
for (let i = 0; i < n; i++) {
  const fields = i % 3 === 2
    ? {
      type: 2,
      prm: { flags: 3, pasid: i & 0xfffff, grpid: i & 0x1ff, perm: 1, addr: BigInt(i) * 4096n },
    }
    : {
      type: 1,
      event: {
        reason: 6,
        flags: 3,
        pasid: i & 0xfffff,
        perm: 3,
        addr: 0xdeadb000n + BigInt(i) * 4096n,
      },
    };
  encodeInto("mainline", fields, dv, i * 64);
}
Deno.writeFileSync(path, buf);
