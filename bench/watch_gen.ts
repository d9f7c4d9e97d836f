/**
 * Writes N faults to stdout as one kind of `watch` source, for the soak, throughput and scrape
 * measurements in bench/RESULTS.md (Watch):
 *
 * - `mainline N`: 64-byte mainline `iommu_fault` records (reasons cycling through 1..8);
 * - `hwpt N [DEVICES]`: 40-byte `iommu_hwpt_pgfault` records, dev_id cycling over DEVICES;
 * - `vevent N [GAP]`: vEVENTQ arm-smmuv3 records (40 bytes), one sequence number skipped every
 *   GAP events (default 1000), as a queue that overflowed would show;
 * - `kmsg N [GAP]`: `/dev/kmsg` records of VT-d fault lines (logs.md 8.1), one sequence number
 *   skipped every GAP records (default 1000).
 *
 * @example
 * ```sh
 * deno run -A bench/watch_gen.ts mainline 10000000 | deno run -A main.ts watch - --abi mainline -q
 * ```
 * @module
 */
import { encodeInto } from "../src/codec/encode.ts";

const [kind, nText, extra] = Deno.args;
const n = Number(nText);
if (!["mainline", "hwpt", "vevent", "kmsg"].includes(kind) || !Number.isSafeInteger(n) || n <= 0) {
  console.error("usage: deno run -A bench/watch_gen.ts mainline|hwpt|vevent|kmsg N [GAP|DEVICES]");
  Deno.exit(2);
}
const out = Deno.stdout;
const CHUNK = 1 << 20;

function writeAll(b: Uint8Array) {
  for (let o = 0; o < b.length;) o += out.writeSync(b.subarray(o));
}

/** Writes n fixed-size records from `make(i, dv, at)`, a chunk at a time. */
function records(size: number, make: (i: number, dv: DataView, at: number) => void) {
  const per = Math.floor(CHUNK / size);
  const buf = new Uint8Array(per * size);
  const dv = new DataView(buf.buffer);
  for (let i = 0; i < n;) {
    const m = Math.min(per, n - i);
    for (let j = 0; j < m; j++) make(i + j, dv, j * size);
    writeAll(buf.subarray(0, m * size));
    i += m;
  }
}

try {
  if (kind === "mainline") {
    // Eight template records, copied: encoding each with BigInt would time the generator.
    const tpl = new Uint8Array(8 * 64);
    const tdv = new DataView(tpl.buffer);
    for (let r = 0; r < 8; r++) {
      encodeInto(
        "mainline",
        {
          type: 1,
          padding: 0,
          event: {
            reason: r + 1,
            flags: 3,
            pasid: 1,
            perm: 1,
            addr: 0x1000n * BigInt(r + 1),
            fetch_addr: 0n,
          },
        },
        tdv,
        r * 64,
        true,
      );
    }
    records(
      64,
      (i, dv, at) =>
        new Uint8Array(dv.buffer).set(tpl.subarray((i % 8) * 64, (i % 8) * 64 + 64), at),
    );
  } else if (kind === "hwpt") {
    const devices = Number(extra ?? 1000);
    records(40, (i, dv, at) => {
      dv.setUint32(at, 1, true);
      dv.setUint32(at + 4, i % devices, true);
      dv.setUint32(at + 8, 1, true);
      dv.setUint32(at + 16, 1, true);
      dv.setBigUint64(at + 24, 0x1000n, true);
      dv.setUint32(at + 36, (i % 65535) + 1, true);
    });
  } else if (kind === "vevent") {
    const gap = Number(extra ?? 1000);
    records(40, (i, dv, at) => {
      dv.setUint32(at, 0, true);
      // Every `gap` events one sequence number is skipped: an event the queue dropped.
      dv.setUint32(at + 4, (i + Math.floor(i / gap)) & 0x7fffffff, true);
      dv.setBigUint64(at + 8, 0x10n | (1n << 32n), true);
      dv.setBigUint64(at + 16, 0n, true);
      dv.setBigUint64(at + 24, 0x7000n, true);
      dv.setBigUint64(at + 32, 0n, true);
    });
  } else {
    const gap = Number(extra ?? 1000);
    const enc = new TextEncoder();
    let text = "";
    let seq = 1;
    for (let i = 0; i < n; i++) {
      if (i % gap === gap - 1) seq++; // a record the kernel overwrote
      text += `3,${seq++},${812004421 + i},-;DMAR: [DMA Read NO_PASID] Request device [3b:00.0] ` +
        `fault addr 0x${((i % 4096) * 4096 + 4096).toString(16)} [fault reason 0x06] PTE Read ` +
        `access is not set\n SUBSYSTEM=pci\n DEVICE=+pci:0000:3b:00.0\n`;
      if (text.length > CHUNK) {
        writeAll(enc.encode(text));
        text = "";
      }
    }
    writeAll(enc.encode(text));
  }
} catch (e) {
  if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
}
