/**
 * Hardware record descriptions: the test vectors of logs.md section 9 and the field positions of
 * the kernel headers decode to the stated values, and encode back to the stated bytes.
 */
import assert from "node:assert/strict";
import { AMD_EVT, AMD_PPR } from "../src/abi/hw/amd.ts";
import { HW_RECORDS } from "../src/abi/hw/mod.ts";
import { SMMUV3_EVENTS, SMMUV3_EVT } from "../src/abi/hw/smmuv3.ts";
import { VIRTIO_IOMMU_FAULT } from "../src/abi/hw/virtio_iommu.ts";
import { VTD_FRCD, VTD_PRQ, VTD_SM_REASONS, vtdFaultReason } from "../src/abi/hw/vtd.ts";
import { decodeHw, encodeHw, hwJson, readWords, writeWords } from "../src/codec/bitfield.ts";
import { parseHex } from "../src/codec/hex.ts";
import { parseVevents, veventFields, veventJson } from "../src/codec/vevent.ts";

Deno.test("every description fits its size and names each field once", () => {
  for (const r of HW_RECORDS) {
    const words = r.size / (r.wordBits / 8);
    const names = new Set<string>();
    for (const f of r.fields) {
      assert.ok(f.word < words && f.lo <= f.hi && f.hi < r.wordBits, `${r.id}.${f.name}`);
      assert.ok(!names.has(f.name), `${r.id}.${f.name} twice`);
      names.add(f.name);
    }
  }
});

Deno.test("VT-d FRCD: logs.md 9.1 T3 record (qword0 0x00007f5e4c3b2000, qword1 0x80001a7180000010)", () => {
  const f = decodeHw(VTD_FRCD, [0x00007f5e4c3b2000n, 0x80001a7180000010n]);
  assert.equal(f.fi, 0x7f5e4c3b2000n); // FI, page address, not shifted
  assert.equal(f.sid, 0x0010n);
  assert.equal(f.pp, 1n);
  assert.equal(f.fr, 0x71n);
  assert.equal(f.pv, 0x1an);
  assert.equal(f.t, 0n); // write
  assert.equal(f.f, 1n);
  const bytes = writeWords(
    VTD_FRCD,
    encodeHw(VTD_FRCD, { fi: 0x7f5e4c3b2000n, sid: 0x10, pp: 1, fr: 0x71, pv: 0x1a, f: 1 }),
  );
  assert.deepEqual(readWords(VTD_FRCD, bytes), [0x00007f5e4c3b2000n, 0x80001a7180000010n]);
});

Deno.test("VT-d reason lookup follows dmar_get_fault_reason's order", () => {
  assert.equal(vtdFaultReason(0x05).name, "PTE Write access is not set");
  assert.equal(vtdFaultReason(0x0d).name, "PCE for translation request specifies blocking");
  assert.equal(vtdFaultReason(0x25).kind, "intr");
  assert.equal(vtdFaultReason(0x25).name, "Blocked a compatibility format interrupt request");
  assert.equal(vtdFaultReason(0x71).name, "SM: Present bit in first-level paging entry is clear");
  assert.equal(
    vtdFaultReason(0x90).name,
    "SM: A/D bit update needed in first-level entry when set up in no snoop",
  );
  assert.equal(vtdFaultReason(0x33).name, "Unknown"); // inside the SM table, unnamed
  assert.equal(vtdFaultReason(0x27).name, "Unknown"); // outside every table
  assert.equal(vtdFaultReason(0x0e).name, "Unknown");
  assert.equal(VTD_SM_REASONS.length, 97);
  assert.equal(VTD_SM_REASONS.filter((t) => t !== "Unknown").length, 46);
});

Deno.test("AMD-Vi event entry: logs.md 9.2 A2 bytes", () => {
  const bytes = parseHex("00 04 00 00 00 00 70 20 00 00 00 fd 00 00 00 00");
  const f = decodeHw(AMD_EVT, readWords(AMD_EVT, bytes)!);
  assert.equal(f.devid, 0x0400n); // 04:00.0
  assert.equal(f.code, 2n); // IO_PAGE_FAULT
  assert.equal(f.flags, 0x070n);
  assert.equal(f.domid, 0n);
  assert.equal(f.address, 0xfd000000n);
  assert.deepEqual(hwJson(AMD_EVT, f).flags_names, ["PR", "RW", "PE"]);
  assert.equal(hwJson(AMD_EVT, f).code_name, "IO_PAGE_FAULT");
  // The printed pasid/domain is (event[0] & 0xf0000) | (event[1] & 0xffff).
  const g = decodeHw(AMD_EVT, [0x0000_1234_000a_0010n, 0n]);
  assert.equal(g.pasid_hi | g.domid, 0xa1234n);
});

Deno.test("AMD PPR entry: PPR_PASID, PPR_TAG and PPR_FLAGS positions (amd_iommu_types.h)", () => {
  // devid 0x4100, PASID1 0x2345, tag 0x205, PASID2 0x1, flags 0x124, type 1.
  const raw0 = 0x4100n | (0x2345n << 16n) | (0x205n << 32n) | (0x1n << 42n) | (0x124n << 48n) |
    (1n << 60n);
  const f = decodeHw(AMD_PPR, [raw0, 0x7f0000001234n]);
  assert.equal(f.devid, 0x4100n);
  assert.equal((f.pasid_hi << 16n) | f.pasid_lo, 0x12345n);
  assert.equal(f.tag, 0x205n);
  assert.equal(f.flags, 0x124n);
  assert.equal(f.req_type, 1n);
  assert.deepEqual(hwJson(AMD_PPR, f).flags_names, ["READ", "WRITE", "GN"]);
});

Deno.test("SMMUv3: logs.md 9.3 R2 and R3 records, ipa and fetch_addr masked not shifted", () => {
  const r2 = decodeHw(SMMUV3_EVT, [
    0x0000000800003813n,
    0x000011028000002an,
    0x0000aaaad0001000n,
    0x0000000081234000n,
  ]);
  assert.equal(r2.id, 0x13n);
  assert.equal(r2.ssv, 1n);
  assert.equal(r2.ssid, 3n);
  assert.equal(r2.sid, 8n);
  assert.equal(r2.stag, 0x2an);
  assert.equal(r2.stall, 1n);
  assert.equal(r2.pnu, 1n);
  assert.equal(r2.rnw, 0n);
  assert.equal(r2.ind, 0n);
  assert.equal(r2.s2, 0n);
  assert.equal(r2.class, 1n);
  assert.equal(r2.tt_read, 1n);
  assert.equal(r2.iova, 0xaaaad0001000n);
  assert.equal(r2.ipa, 0x81234000n);
  const r3 = decodeHw(SMMUV3_EVT, [0x0000030000001809n, 0n, 0n, 0x00000000fe0a0040n]);
  assert.equal(r3.id, 9n);
  assert.equal(r3.ssid, 1n);
  assert.equal(r3.sid, 0x300n);
  assert.equal(r3.fetch_addr, 0xfe0a0040n);
  // Bits below 12 are not part of the IPA; bits below 3 not part of fetch_addr.
  const low = decodeHw(SMMUV3_EVT, [0n, 0n, 0n, 0x81234567n]);
  assert.equal(low.ipa, 0x81234000n);
  assert.equal(low.fetch_addr, 0x81234560n);
});

Deno.test("SMMUv3 event table: every architecture ID once, kernel names as logs.md 5.2", () => {
  const ids = SMMUV3_EVENTS.map((e) => e.code);
  assert.deepEqual(ids, [
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    0x10,
    0x11,
    0x12,
    0x13,
    0x20,
    0x21,
    0x24,
    0x25,
  ]);
  const named = SMMUV3_EVENTS.filter((e) => e.kernelNamed).map((e) => e.code);
  assert.deepEqual(named, [2, 3, 4, 6, 8, 9, 10, 0x10, 0x11, 0x12, 0x13, 0x25]);
  assert.ok(SMMUV3_EVENTS.find((e) => e.code === 0x13)!.fields.includes("tt_read"));
  assert.ok(SMMUV3_EVENTS.find((e) => e.code === 0x09)!.fields.includes("fetch_addr"));
});

Deno.test("vEVENT SMMUv3 payload: ipa is evt[3] & GENMASK(51, 12), unshifted (the old bug shifted it)", () => {
  const b = new Uint8Array(40);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(8, 0x0000000800005813n, true);
  dv.setBigUint64(32, 0x000f_0000_8123_4567n, true);
  const [r] = [...parseVevents(b, "arm-smmuv3")];
  const f = veventFields("arm-smmuv3", r.payload!);
  assert.equal(f.ipa, 0x0000_0000_8123_4000n | (0xfn << 48n));
  assert.equal(f.vsid, 8n);
  const j = veventJson("arm-smmuv3", r, 0).event as Record<string, unknown>;
  assert.equal(j.ipa, "0xf000081234000");
});

Deno.test("virtio_iommu_fault: reason at 0, flags at 4, endpoint at 8, address at 16", () => {
  const b = new Uint8Array(24);
  const dv = new DataView(b.buffer);
  b[0] = 2;
  dv.setUint32(4, 0x102, true);
  dv.setUint32(8, 8, true);
  dv.setBigUint64(16, 0x12340000n, true);
  const f = decodeHw(VIRTIO_IOMMU_FAULT, readWords(VIRTIO_IOMMU_FAULT, b)!);
  assert.equal(f.reason, 2n);
  assert.equal(f.flags, 0x102n);
  assert.equal(f.endpoint, 8n);
  assert.equal(f.address, 0x12340000n);
  const j = hwJson(VIRTIO_IOMMU_FAULT, f);
  assert.equal(j.reason_name, "MAPPING");
  assert.deepEqual(j.flags_names, ["WRITE", "ADDRESS"]);
});

Deno.test("VT-d page request descriptor: logs.md 9.1 T14 fields", () => {
  // rid 0x6a08, pasid 1 (present), addr page 0x7f3a1, read, last, index 5.
  const w = encodeHw(VTD_PRQ, {
    rid: 0x6a08,
    pasid_present: 1,
    pasid: 1,
    addr: 0x7f3a1n,
    rd_req: 1,
    lpig: 1,
    prg_index: 5,
  });
  assert.equal(w[0], (0x6a08n << 16n) | (1n << 8n) | (1n << 32n));
  assert.equal(w[1], (0x7f3a1n << 12n) | 1n | 4n | (5n << 3n));
  const f = decodeHw(VTD_PRQ, w);
  assert.equal(f.addr, 0x7f3a1n);
});

Deno.test("readWords refuses a short buffer", () => {
  assert.equal(readWords(SMMUV3_EVT, new Uint8Array(31)), undefined);
});
