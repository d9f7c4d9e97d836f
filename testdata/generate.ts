/**
 * Writes the fixtures in testdata/ (deterministic: run it again and git shows no change).
 * Records are described by their fields, the region images are built by the region model.
 *
 * @example
 * ```sh
 * deno run --allow-write testdata/generate.ts
 * ```
 * @module
 */
import { type EncodeInput, encodeRecord } from "../src/codec/encode.ts";
import { buildRegion } from "../src/region/model.ts";

const dir = new URL("./", import.meta.url);
const write = (name: string, bytes: Uint8Array) => Deno.writeFileSync(new URL(name, dir), bytes);

// RFC v3 faults (reason numbering of RFC v3: 10 = PERMISSION, 9 = PTE_FETCH, 8 = WALK_EABT).
const rfc3: EncodeInput[] = [
  { type: 1, reason: 10, addr: 0xdeadb000n, pasid: 5, pasid_valid: 1 },
  { type: 1, reason: 9, addr: 0x7f0000401000n, pasid: 5, pasid_valid: 1 },
  { type: 1, reason: 8, addr: 0x80000000n, fetch_addr: 0x4000f008n },
  { type: 2, addr: 0x10000n, page_req_group_id: 7, last_req: 1 },
  { type: 1, reason: 11, addr: 0xfeedf000n, pasid: 9, pasid_valid: 1 },
];
// The sample wraps: cons = 1363, prod = 3, so the five pending records are slots 1363, 1364, 0, 1, 2.
write(
  "rfc3-sample.bin",
  buildRegion({
    layout: "rfc3",
    producer: 3,
    consumer: 1363,
    records: rfc3.map((fields, i) => ({ slot: (1363 + i) % 1365, fields })),
  }),
);
// The same region after userspace scribbled on the header (RFC v3 mmaps it read-write).
write(
  "rfc3-corrupt.bin",
  buildRegion({
    layout: "rfc3",
    producer: 3,
    consumer: 1363,
    records: rfc3.map((fields, i) => ({ slot: (1363 + i) % 1365, fields })),
    header: { reserved: 0xdead, prod: 4000 },
  }),
);

const mainline: EncodeInput[] = [
  { type: 1, event: { reason: 6, flags: 3, pasid: 5, perm: 3, addr: 0xdeadb000n } },
  { type: 1, event: { reason: 4, flags: 7, pasid: 1, addr: 0x1000n, fetch_addr: 0x2008n } },
  { type: 2, prm: { flags: 3, pasid: 5, grpid: 7, perm: 1, addr: 0x10000n } },
];
write(
  "dma-fault-sample.bin",
  buildRegion({
    layout: "dma-fault",
    producer: 2,
    consumer: 510,
    pageSize: 4096,
    records: [...mainline, mainline[0]].map((fields, i) => ({ slot: (510 + i) % 512, fields })),
  }),
);
// The v9 04/11 posting put the ring right after the header; here offset = 0x40 while the region
// keeps the sparse-mmap size: the kernel writes slot i at 0x40 + 64 * i (its pread path reads
// those), QEMU's mmap path reads slot i at 0x1000 + 64 * i (zeros here).
{
  const img = buildRegion({
    layout: "dma-fault",
    producer: 3,
    consumer: 0,
    pageSize: 4096,
    header: { offset: 0x40 },
  });
  mainline.forEach((fields, i) => img.set(encodeRecord("mainline", fields), 0x40 + 64 * i));
  write("dma-fault-offset-0x40.bin", img);
}
// A complete 36 KiB dma-fault image whose header claims 1024 entries: the ring would end at
// 0x11000, past the region (HDR-RING-BOUNDS), not a cut image.
write(
  "dma-fault-1024.bin",
  buildRegion({
    layout: "dma-fault",
    producer: 2,
    consumer: 0,
    pageSize: 4096,
    records: mainline.slice(0, 2).map((fields, i) => ({ slot: i, fields })),
    header: { nb_entries: 1024 },
  }),
);
// A v4-v8 PROD region (4 KiB pages: 85 entries of 48 bytes) with v8 records; its header says
// 48-byte records, which v4, v7 and v8 all are. Its consumer index lives in the CONS region.
write(
  "fault-prod-sample.bin",
  buildRegion({
    layout: "fault-prod",
    abi: "v8",
    producer: 3,
    consumer: 0,
    pageSize: 4096,
    records: mainline.slice(0, 2).map((fields, i) => ({ slot: i + 1, fields })),
  }),
);

const capture = (abi: "mainline" | "rfc3", recs: EncodeInput[]) => {
  const parts = recs.map((r) => encodeRecord(abi, r));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.forEach((p, i) => out.set(p, i * p.length));
  return out;
};
write("mainline-capture.bin", capture("mainline", mainline));
write("rfc3-capture.bin", capture("rfc3", rfc3));
