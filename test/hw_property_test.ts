/**
 * Property tests: every hardware record type round-trips through the registry (encode, decode,
 * encode again: every described bit kept, see support/hw_tables.ts), and, where the kernel logs
 * it, on through a log line printed the kernel's way (src/klog/kernel_print.ts, or the format
 * string of logs.md 5.6 for arm-smmu) and parsed back by the kernel-log parser, which must find
 * the same code, device, address, PASID and access as the registry decoded. The AMD PPR entry
 * and the SMMUv3 PRI queue entry have no log line the parser reads (the kernel prints the first
 * only with dynamic debug, the second without its fields decoded); their property is the
 * page request the kernel makes of them (logs.md 4.5, drivers/iommu/amd/ppr.c).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { HARDWARE_ABIS, RECORDS } from "../src/abi/records.ts";
import type { RecordLayout } from "../src/abi/types.ts";
import { HW_RECORDS } from "../src/abi/hw/mod.ts";
import { readWords } from "../src/codec/bitfield.ts";
import { type DecodedFields, decodeRecord } from "../src/codec/decode.ts";
import { type EncodeInput, encodeRecord } from "../src/codec/encode.ts";
import { iommuFaultOutcomes } from "../src/codec/hw_fault.ts";
import { recordJson } from "../src/codec/json.ts";
import {
  printAmdEvent,
  printPrqReport,
  printSmmuEvent,
  printVirtioFault,
  printVtdFault,
} from "../src/klog/kernel_print.ts";
import { parseKlog } from "../src/klog/parser.ts";
import type { FaultEvent } from "../src/klog/types.ts";
import { AMD_EVENT_CODES, HW_TABLES, SMMUV3_EVENT_NAMES } from "./support/hw_tables.ts";

const RUNS = 200;
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const layout = (id: string) => RECORDS[id as keyof typeof RECORDS] as RecordLayout;
const view = (id: string) => HW_RECORDS.find((r) => r.id === id)!;

/** Encodes through the registry, decodes back, and returns the record, its JSON and its words. */
function roundTrip(id: string, input: EncodeInput) {
  const bytes = encodeRecord(layout(id), input);
  const rec = decodeRecord(layout(id), bytes);
  return { bytes, rec, json: recordJson(layout(id), rec), words: readWords(view(id), bytes)! };
}

/** The one fault the parser finds in `text`. */
function only(text: string): FaultEvent {
  const f = parseKlog(text + "\n").events.filter((e): e is FaultEvent => e.type === "fault");
  assert.equal(f.length, 1, text);
  return f[0];
}

/** The bits of a record that logs.md describes (fields and reserved ranges), as a byte mask. */
function describedMask(id: string): Uint8Array {
  const t = HW_TABLES[id];
  const mask = new Uint8Array(t.size);
  const ranges = [...t.fields.map(([, lo, hi]) => [lo, hi]), ...t.reserved];
  for (const [lo, hi] of ranges) for (let b = lo; b <= hi; b++) mask[b >> 3] |= 1 << (b & 7);
  return mask;
}

Deno.test("every hardware record: bytes -> decode -> encode keeps every bit logs.md describes", () => {
  for (const id of HARDWARE_ABIS) {
    const mask = describedMask(id);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: mask.length, maxLength: mask.length }), (bytes) => {
        const rec = decodeRecord(layout(id), bytes);
        const back = encodeRecord(layout(id), rec);
        assert.deepEqual(back, bytes.map((b, i) => b & mask[i]), id);
        assert.deepEqual(decodeRecord(layout(id), back), rec, id);
      }),
      { numRuns: 100 },
    );
  }
});

Deno.test("vtd-fault: encode, decode, print (V1-V4), parse: same reason, device, address, PASID", () => {
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
        const { rec, json, words } = roundTrip("vtd-fault", { ...r, fi: r.page << 12n, f: 1 });
        assert.deepEqual(
          [rec.fi, rec.sid, rec.fr, rec.pp, rec.pv, rec.t, rec.f],
          [r.page << 12n, r.sid, r.fr, r.pp, r.pv, r.t, 1],
        );
        const e = only(printVtdFault(gen, words));
        assert.equal(e.code, r.fr);
        // The kernel prints no segment; the parser says 0000 (logs.md 3.1).
        assert.equal(e.device, `0000:${json.sid_bdf}`);
        if (json.fault_index !== undefined) {
          assert.equal(e.detail?.index, json.fault_index); // interrupt remapping (0x20-0x26)
        } else {
          assert.equal(e.addr, json.fi);
          assert.deepEqual(e.access, [json.t_name === "DMA Read" ? "read" : "write"]);
          assert.equal(e.pasid, r.pp && gen !== "V1" ? r.pv : null);
        }
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("amd-evt: encode, decode, print (E3, E4), parse: same event, device, address, flags", () => {
  const codes = [...Object.keys(AMD_EVENT_CODES).map(Number), 0xa, 0xb, 0xf];
  fc.assert(
    fc.property(
      fc.constantFrom("E3", "E4" as const),
      fc.constantFrom(...codes),
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 0xfff }),
      fc.integer({ min: 0, max: 0xffff }),
      u64,
      (gen, code, devid, flags, domid, address) => {
        const { rec, json, words } = roundTrip("amd-evt", { devid, code, flags, domid, address });
        assert.deepEqual([rec.devid, rec.code, rec.flags, rec.domid, rec.address], [
          devid,
          code,
          flags,
          domid,
          address,
        ]);
        const e = only(printAmdEvent(gen, words));
        assert.equal(e.code, code);
        assert.equal(e.name, json.code_name ?? "unknown");
        // ILLEGAL_COMMAND_ERROR and COMMAND_HARDWARE_ERROR name no device.
        if (code !== 5 && code !== 6) assert.equal(e.device, `0000:${json.devid_bdf}`);
        const named = AMD_EVENT_CODES[code] !== undefined;
        // The kernel prints the address (RMP_HW_ERROR with its low 3 bits cleared); UNKNOWN
        // prints the raw words, which the parser keeps without calling any an address.
        if (!named) assert.equal(e.addr, null);
        else if (code === 0xe) assert.equal(e.addr, "0x" + (address & ~7n).toString(16));
        else assert.equal(e.addr, json.address);
        if (named && code !== 5 && code !== 7) assert.equal(e.record?.flags, json.flags);
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("smmuv3-evt: decode, dump (M1, M2), parse: the same words, event, SSID and address", () => {
  const ids = [...Object.keys(SMMUV3_EVENT_NAMES).map(Number), 0x30];
  fc.assert(
    fc.property(
      fc.constantFrom("M1", "M2" as const),
      fc.constantFrom(...ids),
      u64,
      u64,
      u64,
      u64,
      (gen, id, w0, w1, w2, w3) => {
        const words = [(w0 & ~0xffn) | BigInt(id), w1, w2, w3];
        const bytes = new Uint8Array(32);
        words.forEach((w, i) => new DataView(bytes.buffer).setBigUint64(8 * i, w, true));
        const json = recordJson(layout("smmuv3-evt"), decodeRecord(layout("smmuv3-evt"), bytes));
        const back = encodeRecord(
          layout("smmuv3-evt"),
          decodeRecord(layout("smmuv3-evt"), bytes) as DecodedFields,
        );
        assert.deepEqual(back, bytes);
        const e = only(printSmmuEvent(gen, words).join("\n"));
        assert.deepEqual(
          e.record?.words,
          words.map((w) => "0x" + w.toString(16).padStart(16, "0")),
        );
        assert.equal(e.code, json.id);
        assert.equal(e.name, json.id_name ?? "unknown");
        assert.equal(e.device, `sid:0x${(json.sid as number).toString(16)}`);
        assert.equal(e.pasid, json.ssv ? json.ssid : null);
        // What the registry shows for this event is what the parser reports as its address.
        assert.equal(e.addr, json.iova ?? json.fetch_addr ?? null);
        if (json.rnw !== undefined) assert.equal(e.access[0], json.rnw ? "read" : "write");
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("virtio-iommu-fault and vtd-prq: encode, decode, print, parse", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 0, max: 7 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 0xffffffff }),
      u64,
      (reason, rwx, hasAddr, endpoint, addr) => {
        const flags = rwx | (hasAddr ? 0x100 : 0);
        const { rec, json, words } = roundTrip("virtio-iommu-fault", {
          reason,
          flags,
          endpoint,
          address: hasAddr ? addr : 0n,
        });
        assert.deepEqual([rec.reason, rec.flags, rec.endpoint], [reason, flags, endpoint]);
        const e = only(printVirtioFault(words));
        assert.equal(e.code, reason);
        assert.equal(e.device, `ep:${endpoint}`);
        assert.equal(e.addr, hasAddr ? json.address : null);
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
        const { rec, json, words } = roundTrip("vtd-prq", {
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
        assert.deepEqual([rec.rid, rec.addr, rec.pasid, rec.prg_index], [rid, page, pasid, idx]);
        const e = only(printPrqReport(words, "dmar3", `0000:${json.rid_bdf}`));
        assert.equal(e.addr, "0x" + (page << 12n).toString(16));
        assert.equal(e.pasid, pasid);
        assert.equal(e.device, `0000:${json.rid_bdf}`);
        assert.equal(e.record?.prg_index, idx);
        assert.equal(e.iommu, "dmar3");
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("arm-smmu-fsr and -fsynr0: the context-fault line of logs.md 5.6 parses to the registry's fields", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 127 }),
      (fsr, fsynr, iova, sid, cb) => {
        const fs = roundTrip("arm-smmu-fsr", fieldsOf("arm-smmu-fsr", fsr));
        const sy = roundTrip("arm-smmu-fsynr0", fieldsOf("arm-smmu-fsynr0", fsynr));
        // "Unhandled context fault: fsr=0x%x, iova=0x%08lx, fsynr=0x%x, cbfrsynra=0x%x, cb=%d"
        const e = only(
          `arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x${fsr.toString(16)}, ` +
            `iova=0x${iova.toString(16).padStart(8, "0")}, fsynr=0x${fsynr.toString(16)}, ` +
            `cbfrsynra=0x${sid.toString(16)}, cb=${cb}`,
        );
        const record = e.record as Record<string, Record<string, unknown>>;
        for (const [k, v] of Object.entries(fs.rec)) assert.equal(record.fsr[k], v, `fsr ${k}`);
        for (const [k, v] of Object.entries(sy.rec)) assert.equal(record.fsynr0[k], v, k);
        assert.equal(e.access[0], sy.rec.WNR ? "write" : "read");
      },
    ),
    { numRuns: RUNS },
  );
});

/** The fields of a 32-bit register value, decoded by the registry (to feed the round trip). */
function fieldsOf(id: string, v: number): EncodeInput {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return decodeRecord(layout(id), b) as EncodeInput;
}

Deno.test("amd-ppr and smmuv3-priq: the page request the kernel makes of them (logs.md 4.5, ppr.c)", () => {
  fc.assert(
    fc.property(
      fc.record({
        devid: fc.integer({ min: 0, max: 0xffff }),
        pasid: fc.integer({ min: 0, max: 0xfffff }),
        tag: fc.integer({ min: 0, max: 0x3ff }),
        flags: fc.integer({ min: 0, max: 0xfff }),
        req_type: fc.integer({ min: 0, max: 15 }),
        address: u64,
      }),
      (p) => {
        const { rec } = roundTrip("amd-ppr", {
          ...p,
          pasid_lo: p.pasid & 0xffff,
          pasid_hi: p.pasid >> 16,
        });
        assert.deepEqual(
          [rec.devid, (Number(rec.pasid_hi) << 16) | Number(rec.pasid_lo), rec.tag, rec.flags],
          [p.devid, p.pasid, p.tag, p.flags],
        );
        const [o] = iommuFaultOutcomes("amd-ppr", rec);
        // PPR_REQ_FAULT, GN set, RVSD clear and a PASID other than 0 make a page request.
        const reported = p.req_type === 1 && (p.flags & 0x100) !== 0 && (p.flags & 0x80) === 0 &&
          p.pasid !== 0;
        assert.equal(o.fault !== null, reported, `${p.req_type} ${p.flags} ${p.pasid}`);
        if (!o.fault) return;
        assert.equal(o.fault.type, 2);
        assert.equal(o.fault.prm?.pasid, p.pasid);
        assert.equal(o.fault.prm?.grpid, p.tag & 0x1ff);
        assert.equal(o.fault.prm?.addr, p.address & ~0xfffn);
        // PASID_VALID | NEEDS_PASID always, LAST_PAGE with tag bit 9.
        assert.equal(o.fault.prm?.flags, 0x1 | 0x8 | (p.tag & 0x200 ? 0x2 : 0));
        // READ, WRITE, EXEC from the flags; PRIV when US is clear.
        const perm = (p.flags & 0x4 ? 1 : 0) | (p.flags & 0x20 ? 2 : 0) | (p.flags & 0x2 ? 4 : 0) |
          (p.flags & 0x40 ? 0 : 8);
        assert.equal(o.fault.prm?.perm, perm);
      },
    ),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(u64, u64, (w0, w1) => {
      const bytes = new Uint8Array(16);
      new DataView(bytes.buffer).setBigUint64(0, w0, true);
      new DataView(bytes.buffer).setBigUint64(8, w1, true);
      const rec = decodeRecord(layout("smmuv3-priq"), bytes);
      assert.equal(BigInt(rec.sid as number), w0 & 0xffffffffn);
      assert.equal(rec.addr, w1 & ~0xfffn); // PRIQ_1_ADDR_MASK, not shifted
      const [o] = iommuFaultOutcomes("smmuv3-priq", rec);
      assert.equal(o.fault, null); // mainline never reports a PRI request
    }),
    { numRuns: RUNS },
  );
});
