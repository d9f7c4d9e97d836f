/**
 * Hardware event -> iommu_fault conversions, with expected fields from abi.md section 6, the
 * mainline arm_smmu_handle_evt (logs.md 5.3), intel_prq_report (logs.md 3.6) and the AMD PPR
 * path (drivers/iommu/amd/ppr.c iommu_call_iopf_notifier), then the same through the registry
 * and `decode --as-iommu-fault`. Constants written as numbers from abi.md tables 2.5a and 2.6 so
 * a wrong description shows up.
 */
import assert from "node:assert/strict";
import { AMD_PPR } from "../src/abi/hw/amd.ts";
import { HARDWARE_ABIS, RECORDS } from "../src/abi/records.ts";
import { SMMUV3_EVT } from "../src/abi/hw/smmuv3.ts";
import { VTD_PRQ } from "../src/abi/hw/vtd.ts";
import { decodeHw, encodeHw } from "../src/codec/bitfield.ts";
import { decodeRecord } from "../src/codec/decode.ts";
import { type EncodeInput, encodeRecord } from "../src/codec/encode.ts";
import {
  amdPprToIommuFault,
  iommuFaultOutcomes,
  outcomeJson,
  smmuv3ToIommuFault,
  vtdPrqToIommuFault,
} from "../src/codec/hw_fault.ts";
import { assertOneLineError, cli } from "./support/cli.ts";

const S1 = decodeHw(SMMUV3_EVT, [0x0000010000000010n, 0x0000020800000000n, 0xffff1000n, 0n]);
const R2 = decodeHw(SMMUV3_EVT, [
  0x0000000800003813n,
  0x000011028000002an,
  0x0000aaaad0001000n,
  0x0000000081234000n,
]);
const R3 = decodeHw(SMMUV3_EVT, [0x0000030000001809n, 0n, 0n, 0x00000000fe0a0040n]);

Deno.test("SMMUv3 mainline 5.13-6.7: non-stalled F_TRANSLATION -> DMA_UNRECOV PTE_FETCH", () => {
  const c = smmuv3ToIommuFault(S1, "mainline-5.13");
  assert.equal(c.fault?.type, 1);
  assert.deepEqual(c.fault?.event, {
    reason: 5,
    flags: 0x2,
    pasid: 0,
    perm: 0x1,
    addr: 0xffff1000n,
    fetch_addr: 0n,
  });
  // It encodes as a 64-byte mainline record: type at 0, reason at 8, flags at 12, addr at 24.
  const b = encodeRecord("mainline", c.fault as unknown as EncodeInput);
  const dv = new DataView(b.buffer);
  assert.equal(b.length, 64);
  assert.equal(dv.getUint32(0, true), 1);
  assert.equal(dv.getUint32(8, true), 5);
  assert.equal(dv.getUint32(12, true), 2);
  assert.equal(dv.getBigUint64(24, true), 0xffff1000n);
  assert.equal((decodeRecord("mainline", b).event as Record<string, unknown>).reason, 5);
});

Deno.test("SMMUv3 mainline: a stalled F_PERMISSION is a page request (LAST_PAGE, grpid = STAG)", () => {
  for (const path of ["mainline-5.13", "mainline-6.8"] as const) {
    const c = smmuv3ToIommuFault(R2, path);
    assert.equal(c.fault?.type, 2);
    // perm WRITE (RnW 0) | PRIV (PnU); flags LAST_PAGE | PASID_VALID (SSV).
    assert.deepEqual(c.fault?.prm, {
      flags: 0x3,
      pasid: 3,
      grpid: 0x2a,
      perm: 0x2 | 0x8,
      addr: 0xaaaad0001000n,
      private_data: [0n, 0n],
    });
  }
});

Deno.test("SMMUv3 mainline 6.8+: non-stalled faults are not reported; S2 and other IDs never", () => {
  assert.equal(smmuv3ToIommuFault(S1, "mainline-6.8").fault, null);
  const s2 = decodeHw(SMMUV3_EVT, [0x10n, 1n << 39n, 0n, 0n]);
  assert.equal(smmuv3ToIommuFault(s2, "mainline-5.13").fault, null);
  assert.equal(smmuv3ToIommuFault(R3, "mainline-5.13").fault, null);
});

Deno.test("SMMUv3 nested v9-v12 (abi.md 6): reasons, flags, and the shifted fetch_addr", () => {
  const p = smmuv3ToIommuFault(R2, "nested-v9-v12").fault!;
  assert.equal(p.type, 1);
  assert.equal(p.event?.reason, 6); // PERMISSION
  assert.equal(p.event?.flags, 0x2 | 0x1); // ADDR_VALID | PASID_VALID
  assert.equal(p.event?.perm, 0x2 | 0x8);
  const cd = smmuv3ToIommuFault(R3, "nested-v9-v12").fault!;
  assert.equal(cd.event?.reason, 1); // PASID_FETCH
  assert.equal(cd.event?.flags, 0x4 | 0x1); // FETCH_ADDR_VALID | PASID_VALID
  assert.equal(cd.event?.fetch_addr, 0xfe0a0040n >> 3n); // FIELD_GET(GENMASK_ULL(51, 3))
  const bad = decodeHw(SMMUV3_EVT, [0x08n, 0n, 0n, 0n]);
  assert.equal(smmuv3ToIommuFault(bad, "nested-v9-v12").fault?.event?.reason, 3); // PASID_INVALID
  assert.equal(smmuv3ToIommuFault(bad, "nested-v9-v12").fault?.event?.flags, 0x1);
  const walk = decodeHw(SMMUV3_EVT, [0x0bn, 1n << 39n, 0n, 0n]);
  assert.equal(smmuv3ToIommuFault(walk, "nested-v9-v12").fault, null); // dropped with S2
  assert.equal(
    smmuv3ToIommuFault(decodeHw(SMMUV3_EVT, [0x02n, 0n, 0n, 0n]), "nested-v9-v12").fault,
    null,
  );
});

Deno.test("VT-d page request (T14) -> prm.addr = addr << 12, perm READ, LAST_PAGE, NEEDS_PASID", () => {
  const d = decodeHw(
    VTD_PRQ,
    encodeHw(VTD_PRQ, {
      rid: 0x6a08,
      pasid_present: 1,
      pasid: 1,
      addr: 0x7f3a1n,
      rd_req: 1,
      lpig: 1,
      prg_index: 5,
    }),
  );
  const c = vtdPrqToIommuFault(d);
  assert.deepEqual(c.fault?.prm, {
    flags: 0x2 | 0x1 | 0x8,
    pasid: 1,
    grpid: 5,
    perm: 0x1,
    addr: 0x7f3a1000n,
    private_data: [0n, 0n],
  });
  const stop = decodeHw(VTD_PRQ, encodeHw(VTD_PRQ, { lpig: 1 }));
  assert.equal(vtdPrqToIommuFault(stop).fault, null);
});

Deno.test("AMD PPR -> page request: PRIV when US is clear, grpid = tag & 0x1ff, LAST_PAGE from tag bit 9", () => {
  const raw0 = 0x4100n | (0x2345n << 16n) | (0x205n << 32n) | (0x1n << 42n) | (0x124n << 48n) |
    (1n << 60n);
  const c = amdPprToIommuFault(decodeHw(AMD_PPR, [raw0, 0x7f0000001234n]));
  assert.deepEqual(c.fault?.prm, {
    flags: 0x8 | 0x1 | 0x2,
    pasid: 0x12345,
    grpid: 5,
    perm: 0x1 | 0x2 | 0x8,
    addr: 0x7f0000001000n,
    private_data: [0n, 0n],
  });
  const noGn = decodeHw(AMD_PPR, [raw0 & ~(0x100n << 48n), 0n]);
  assert.equal(amdPprToIommuFault(noGn).fault, null);
});

// The registry-level view: every kernel path of every hardware record, as decode --as-iommu-fault
// shows it. Expected values from logs.md 3.6, 4.5, 5.3 and abi.md 6 (constants as numbers).

const bytesOf = (...words: bigint[]) => {
  const b = new Uint8Array(words.length * 8);
  const dv = new DataView(b.buffer);
  words.forEach((w, i) => dv.setBigUint64(8 * i, w, true));
  return b;
};
const outcomes = (abi: string, ...words: bigint[]) =>
  iommuFaultOutcomes(abi, decodeRecord(abi as "vtd-prq", bytesOf(...words)));

Deno.test("as iommu_fault: an SMMUv3 event takes three paths, newest first, each named with its kernels", () => {
  const o = outcomes("smmuv3-evt", 0x0000010000000010n, 0x0000020800000000n, 0xffff1000n, 0n);
  assert.deepEqual(o.map((x) => x.id), ["mainline-6.8", "mainline-5.13", "nested-v9-v12"]);
  // S1 is not stalled: none since 6.8 (a nested master gets a vEVENT on 6.15+), an
  // unrecoverable PTE_FETCH read before.
  assert.equal(o[0].fault, null);
  assert.match(o[0].dropped!, /not stalled.*vEVENT/);
  assert.equal(o[1].fault?.type, 1);
  assert.equal(o[1].fault?.event?.reason, 5);
  assert.equal(o[1].fault?.event?.perm, 0x1);
  // An ID no path reports says so on each path.
  const cd = outcomes("smmuv3-evt", 0x0000030000001809n, 0n, 0n, 0x00000000fe0a0040n);
  assert.equal(cd[0].fault, null);
  assert.equal(cd[1].fault, null);
  assert.equal(cd[2].fault?.event?.reason, 1); // nested: F_CD_FETCH -> PASID_FETCH
});

Deno.test("as iommu_fault: a VT-d page request is refused as the kernel refuses it, in its order", () => {
  const req = (qw0: bigint, qw1: bigint) => outcomes("vtd-prq", qw0, qw1, 0n, 0n)[0];
  const ok = req(
    (0x6a08n << 16n) | (1n << 8n) | (1n << 32n),
    (0x7f3a1n << 12n) | 1n | 4n | (5n << 3n),
  );
  assert.equal(ok.fault?.prm?.addr, 0x7f3a1000n);
  // Address 1 << 47 (page 1 << 35) is not canonical with 4-level paging: refused first.
  assert.match(req(0n, (1n << 35n) << 12n | 1n).dropped!, /not canonical/);
  // pm_req with a read or write; exe_req with a read; a stop marker (lpig without r/w).
  assert.match(req(1n << 53n, 1n).dropped!, /privilege mode/);
  assert.match(req(1n << 52n, 1n).dropped!, /execution request/);
  assert.match(req(0n, 4n).dropped!, /stop marker/);
  assert.ok(req(1n << 52n, 2n).fault, "exec with a write is reported");
});

Deno.test("as iommu_fault: records no driver reports say what happens to them instead", () => {
  const cases: [string, bigint[], RegExp][] = [
    ["vtd-fault", [0x1000n, 1n << 63n], /logged and cleared.*vtd-prq/],
    ["amd-evt", [0x20000000_00000400n, 0n], /IO_PAGE_FAULT goes to report_iommu_fault/],
    ["amd-evt", [0x10000000_00000400n, 0n], /only logged/],
    ["virtio-iommu-fault", [2n, 0n, 0n], /only logs it/],
    ["smmuv3-priq", [0n, 0n], /unexpected PRI request received/],
  ];
  for (const [abi, words, why] of cases) {
    const o = outcomes(abi, ...words);
    assert.equal(o.length, 1, abi);
    assert.equal(o[0].fault, null, abi);
    assert.match(o[0].dropped!, why, abi);
  }
});

Deno.test("as iommu_fault JSON: the fault as decode --abi mainline writes it, and its 64 bytes", () => {
  const o = outcomes(
    "smmuv3-evt",
    0x0000000800003813n,
    0x000011028000002an,
    0x0000aaaad0001000n,
    0x0000000081234000n,
  );
  const j = outcomeJson(o[0]);
  assert.equal(j.path, "mainline-6.8");
  assert.equal(j.abi, "mainline");
  const fault = j.fault as Record<string, unknown>;
  assert.equal(fault.type_name, "PAGE_REQ");
  assert.deepEqual(fault.prm, {
    flags: 0x3,
    flags_names: ["PASID_VALID", "LAST_PAGE"],
    pasid: 3,
    grpid: 0x2a,
    perm: 0xa,
    perm_names: ["WRITE", "PRIV"],
    addr: "0xaaaad0001000",
    private_data: ["0x0", "0x0"],
  });
  // abi.md 2.5: type at 0 (2), prm.flags at 8, pasid at 12, grpid at 16, perm at 20, addr at 24.
  const b = (j.bytes as string).match(/../g)!.map((x) => parseInt(x, 16));
  assert.equal(b.length, 64);
  assert.deepEqual(b.slice(0, 4), [2, 0, 0, 0]);
  assert.deepEqual(b.slice(8, 24), [3, 0, 0, 0, 3, 0, 0, 0, 0x2a, 0, 0, 0, 0xa, 0, 0, 0]);
  assert.deepEqual(b.slice(24, 30), [0x00, 0x10, 0x00, 0xd0, 0xaa, 0xaa]);
  const none = outcomeJson(outcomes("vtd-fault", 0n, 1n << 63n)[0]);
  assert.equal(none.fault, null);
  assert.equal(typeof none.dropped, "string");
});

Deno.test("decode --as-iommu-fault: JSON member per record; one clear line without a hardware --abi", async () => {
  const t14 = "00 01 08 6a 01 00 00 00 2d 10 3a 7f 00 00 00 00" + " 00".repeat(16);
  const r = await cli(["decode", "--abi", "vtd-prq", "--as-iommu-fault", "--json", "--hex", t14]);
  assert.equal(r.code, 0, r.stderr);
  const [rec] = JSON.parse(r.stdout).records; // decode --json: {abi, ..., records}
  assert.equal(rec.rid_bdf, "6a:01.0");
  assert.equal(rec.iommu_fault.length, 1);
  const prm = rec.iommu_fault[0].fault.prm;
  // logs.md 3.6: addr << 12, perm READ, LAST_PAGE, PASID_VALID and NEEDS_PASID, grpid = index.
  assert.equal(prm.addr, "0x7f3a1000");
  assert.deepEqual(prm.perm_names, ["READ"]);
  assert.deepEqual(prm.flags_names, ["PASID_VALID", "LAST_PAGE", "NEEDS_PASID"]);
  assert.equal(prm.grpid, 5);
  assertOneLineError(
    await cli(["decode", "--abi", "rfc3", "--as-iommu-fault", "--hex", "00".repeat(48)]),
    2,
    "--as-iommu-fault",
    "smmuv3-evt",
  );
  assertOneLineError(
    await cli(["decode", "--abi", "amd-evt", "--endian", "big", "--hex", "00".repeat(16)]),
    2,
    "amd-evt",
    "little endian",
  );
  // The human view: a table per path under the records.
  const h = await cli(["decode", "--abi", "vtd-prq", "--as-iommu-fault", "--hex", t14]);
  assert.match(h.stdout, /^iommu_fault each record becomes/m);
  assert.match(
    h.stdout,
    /^\s+0\s+mainline\s.*PAGE_REQ\(2\)\s+0xb PASID_VALID\|LAST_PAGE\|NEEDS_PASID\s+1\s+0x1 READ\s+0x7f3a1000/m,
  );
});

Deno.test("as iommu_fault: every registered hardware record has its paths (none is left unanswered)", () => {
  for (const abi of HARDWARE_ABIS) {
    const o = iommuFaultOutcomes(abi, decodeRecord(abi, new Uint8Array(RECORDS[abi].size)));
    assert.ok(o.length >= 1, abi);
    for (const x of o) assert.ok(x.fault !== null || (x.dropped ?? "").length > 10, abi);
  }
  assert.throws(() => iommuFaultOutcomes("mainline", {}), /not a hardware record/);
});
