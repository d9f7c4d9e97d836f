/**
 * Hardware event -> iommu_fault conversions, with expected fields from abi.md section 6, the
 * mainline arm_smmu_handle_evt (logs.md 5.3), intel_prq_report (logs.md 3.6) and the AMD PPR
 * path (drivers/iommu/amd/ppr.c iommu_call_iopf_notifier). Constants written as numbers from
 * abi.md tables 2.5a and 2.6 so a wrong description shows up.
 */
import assert from "node:assert/strict";
import { AMD_PPR } from "../src/abi/hw/amd.ts";
import { SMMUV3_EVT } from "../src/abi/hw/smmuv3.ts";
import { VTD_PRQ } from "../src/abi/hw/vtd.ts";
import { decodeHw, encodeHw } from "../src/codec/bitfield.ts";
import { decodeRecord } from "../src/codec/decode.ts";
import { type EncodeInput, encodeRecord } from "../src/codec/encode.ts";
import {
  amdPprToIommuFault,
  smmuv3ToIommuFault,
  vtdPrqToIommuFault,
} from "../src/codec/hw_fault.ts";

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
