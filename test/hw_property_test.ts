/**
 * Property tests: every hardware record type round-trips words -> fields -> words (keeping the
 * bits its fields cover), and records printed the kernel's way parse back to the same record.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { AMD_EVENT_TYPES, AMD_EVT } from "../src/abi/hw/amd.ts";
import { HW_RECORDS } from "../src/abi/hw/mod.ts";
import { SMMUV3_EVENTS, SMMUV3_EVT } from "../src/abi/hw/smmuv3.ts";
import { VIRTIO_IOMMU_FAULT } from "../src/abi/hw/virtio_iommu.ts";
import { VTD_FRCD, VTD_PRQ } from "../src/abi/hw/vtd.ts";
import { decodeHw, encodeHw, knownBits, readWords, writeWords } from "../src/codec/bitfield.ts";
import {
  printAmdEvent,
  printPrqReport,
  printSmmuEvent,
  printVirtioFault,
  printVtdFault,
} from "../src/klog/kernel_print.ts";
import { parseKlog } from "../src/klog/parser.ts";
import type { FaultEvent } from "../src/klog/types.ts";

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const RUNS = 200;

function only(text: string): FaultEvent {
  const f = parseKlog(text + "\n").events.filter((e): e is FaultEvent => e.type === "fault");
  assert.equal(f.length, 1, text);
  return f[0];
}

Deno.test("every record: bytes -> words -> fields -> words -> bytes keeps every described bit", () => {
  for (const rec of HW_RECORDS) {
    const known = knownBits(rec);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: rec.size, maxLength: rec.size }), (bytes) => {
        const words = readWords(rec, bytes)!;
        const back = encodeHw(rec, decodeHw(rec, words));
        assert.deepEqual(back, words.map((w, i) => w & known[i]), rec.id);
        assert.deepEqual(readWords(rec, writeWords(rec, back)), back);
      }),
      { numRuns: 50 },
    );
  }
});

const bdf = (sid: number) =>
  `0000:${((sid >> 8) & 0xff).toString(16).padStart(2, "0")}:${
    ((sid >> 3) & 0x1f).toString(16).padStart(2, "0")
  }.${sid & 7}`;

Deno.test("VT-d fault records printed in each generation parse back", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("V1", "V2", "V3", "V4" as const),
      fc.record({
        page: fc.bigInt({ min: 0n, max: (1n << 52n) - 1n }),
        sid: fc.integer({ min: 0, max: 0xffff }),
        fr: fc.integer({ min: 0, max: 0xff }),
        pp: fc.integer({ min: 0, max: 1 }),
        pv: fc.integer({ min: 0, max: 0xfffff }),
        t: fc.integer({ min: 0, max: 1 }),
      }),
      (gen, r) => {
        const words = encodeHw(VTD_FRCD, {
          fi: r.page << 12n,
          sid: r.sid,
          fr: r.fr,
          pp: r.pp,
          pv: r.pv,
          t: r.t,
          f: 1,
        });
        const e = only(printVtdFault(gen, words));
        assert.equal(e.code, r.fr);
        assert.equal(e.device, bdf(r.sid));
        const intr = r.fr >= 0x20 && r.fr <= 0x26;
        if (intr) assert.equal(e.detail?.index, Number((r.page << 12n) >> 48n));
        else {
          assert.equal(e.addr, "0x" + (r.page << 12n).toString(16));
          assert.deepEqual(e.access, [r.t ? "read" : "write"]);
          const pasidPrinted = gen !== "V1";
          assert.equal(e.pasid, r.pp && pasidPrinted ? r.pv : null);
        }
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("AMD-Vi event entries printed as iommu_print_event parse back to the same fields", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("E3", "E4" as const),
      fc.constantFrom(...AMD_EVENT_TYPES.map((t) => t.code), 0xa, 0xb, 0xf),
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 0xfff }),
      fc.integer({ min: 0, max: 0xffff }),
      u64,
      (gen, code, devid, flags, domid, addr) => {
        const words = encodeHw(AMD_EVT, { devid, code, flags, domid, address: addr });
        const e = only(printAmdEvent(gen, words));
        assert.equal(e.code, code);
        const f = decodeHw(AMD_EVT, words);
        const t = AMD_EVENT_TYPES.find((x) => x.code === code);
        assert.equal(e.name, t?.name ?? "unknown");
        if (code !== 5 && code !== 6) assert.equal(e.device, bdf(devid));
        // UNKNOWN prints the raw words: the parser does not call any of them an address.
        if (!t) assert.equal(e.addr, null);
        else if (code === 0xe) assert.equal(e.addr, "0x" + (addr & ~7n).toString(16));
        else assert.equal(e.addr, "0x" + addr.toString(16));
        if (t && code !== 5 && code !== 7) assert.equal(e.record?.flags, Number(f.flags));
        if (!t) assert.deepEqual(e.record?.address, "0x" + addr.toString(16));
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("SMMUv3 records dumped (M1) or dumped and decoded (M2) parse back to the same words", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("M1", "M2" as const),
      fc.constantFrom(...SMMUV3_EVENTS.map((e) => e.code), 0x30),
      u64,
      u64,
      u64,
      u64,
      (gen, id, w0, w1, w2, w3) => {
        const words = [(w0 & ~0xffn) | BigInt(id), w1, w2, w3];
        const e = only(printSmmuEvent(gen, words).join("\n"));
        assert.deepEqual(
          e.record?.words,
          words.map((w) => "0x" + w.toString(16).padStart(16, "0")),
        );
        assert.equal(e.code, id);
        assert.equal(e.generation, gen);
        const f = decodeHw(SMMUV3_EVT, words);
        assert.equal(e.pasid, f.ssv ? Number(f.ssid) : null);
        if (id >= 0x10 && id <= 0x13) {
          assert.equal(e.addr, "0x" + w2.toString(16));
          assert.equal(e.access[0], f.rnw ? "read" : "write");
        }
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("virtio-iommu faults and VT-d prq_report lines parse back", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 0, max: 7 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 0xffffffff }),
      u64,
      (reason, rwx, hasAddr, ep, addr) => {
        const words = encodeHw(VIRTIO_IOMMU_FAULT, {
          reason,
          flags: rwx | (hasAddr ? 0x100 : 0),
          endpoint: ep,
          address: hasAddr ? addr : 0n,
        });
        const e = only(printVirtioFault(words));
        assert.equal(e.code, reason);
        assert.equal(e.device, `ep:${ep}`);
        assert.equal(e.addr, hasAddr ? "0x" + addr.toString(16) : null);
        if (hasAddr) assert.equal(e.record?.flags, rwx | 0x100);
      },
    ),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffff }),
      fc.bigInt({ min: 0n, max: (1n << 52n) - 1n }),
      fc.integer({ min: 1, max: 0xfffff }),
      fc.integer({ min: 0, max: 0x1ff }),
      fc.integer({ min: 0, max: 31 }),
      (rid, page, pasid, idx, bits) => {
        const words = encodeHw(VTD_PRQ, {
          rid,
          addr: page,
          pasid,
          pasid_present: 1,
          prg_index: idx,
          rd_req: bits & 1,
          wr_req: (bits >> 1) & 1,
          exe_req: (bits >> 2) & 1,
          pm_req: (bits >> 3) & 1,
          lpig: (bits >> 4) & 1,
        });
        const e = only(printPrqReport(words, "dmar3", bdf(rid)));
        assert.equal(e.addr, "0x" + (page << 12n).toString(16));
        assert.equal(e.pasid, pasid);
        assert.equal(e.record?.rid, rid);
        assert.equal(e.record?.prg_index, idx);
        assert.equal(e.iommu, "dmar3");
      },
    ),
    { numRuns: RUNS },
  );
});
