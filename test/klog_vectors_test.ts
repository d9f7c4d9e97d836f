/**
 * Every print generation of logs.md section 9, line by line: expected fields written from the
 * "expected decode" tables there (and the kernel tables), not from the parser's output.
 */
import assert from "node:assert/strict";
import { parseKlog } from "../src/klog/parser.ts";
import type { FaultEvent, LossEvent } from "../src/klog/types.ts";

function faults(text: string): FaultEvent[] {
  return parseKlog(text).events.filter((e): e is FaultEvent => e.type === "fault");
}
function losses(text: string): LossEvent[] {
  return parseKlog(text).events.filter((e): e is LossEvent => e.type === "loss");
}
function one(text: string): FaultEvent {
  const f = faults(text);
  assert.equal(f.length, 1, `one fault from ${JSON.stringify(text)}, got ${f.length}`);
  return f[0];
}

Deno.test("T2 V4: DMA read, no PASID, 3b:00.0, 0xfee00000, legacy 0x06", () => {
  const e = one(
    "[  812.004421] DMAR: [DMA Read NO_PASID] Request device [3b:00.0] fault addr 0xfee00000 [fault reason 0x06] PTE Read access is not set",
  );
  assert.equal(e.vendor, "intel");
  assert.equal(e.device, "0000:3b:00.0");
  assert.equal(e.pasid, null);
  assert.equal(e.addr, "0xfee00000");
  assert.deepEqual(e.access, ["read"]);
  assert.equal(e.code, 0x06);
  assert.equal(e.name, "PTE Read access is not set");
  assert.equal(e.generation, "V4");
  assert.equal(e.time.boot, 812.004421);
  assert.equal(e.time.text, "[  812.004421]");
});

Deno.test("T3 V4: DMA write with PASID 0x1a, SM reason 0x71", () => {
  const e = one(
    "[  812.004530] DMAR: [DMA Write PASID 0x1a] Request device [00:02.0] fault addr 0x7f5e4c3b2000 [fault reason 0x71] SM: Present bit in first-level paging entry is clear",
  );
  assert.equal(e.pasid, 0x1a);
  assert.equal(e.device, "0000:00:02.0");
  assert.equal(e.addr, "0x7f5e4c3b2000");
  assert.deepEqual(e.access, ["write"]);
  assert.equal(e.code, 0x71);
});

Deno.test("T4 V4: interrupt remapping, index 0x18, reason 0x25", () => {
  const e = one(
    "[  812.004602] DMAR: [INTR-REMAP] Request device [f0:1f.0] fault index 0x18 [fault reason 0x25] Blocked a compatibility format interrupt request",
  );
  assert.equal(e.device, "0000:f0:1f.0");
  assert.equal(e.code, 0x25);
  assert.equal(e.addr, null);
  assert.equal(e.detail?.index, 0x18);
  assert.equal(e.detail?.fault, "intr");
});

Deno.test("T5, T6: dmar_fault suppressed calls and FSTS PFO are loss; T1 (PPF only) is not", () => {
  const l = losses(
    "[  812.004417] DMAR: DRHD: handling fault status reg 2\n[  817.011902] dmar_fault: 37 callbacks suppressed\n[  817.011905] DMAR: DRHD: handling fault status reg 103\n",
  );
  assert.deepEqual(l.map((x) => [x.kind, x.count]), [["suppressed", 37], ["hw-overflow", null]]);
  assert.equal(l[0].source, "dmar_fault");
  assert.equal(l[1].faults_at_least, 1);
});

Deno.test("T5: dmar_fault's refused calls are at least one fault in three", () => {
  // drivers/iommu/intel/dmar.c dmar_fault(): one interrupt calls __ratelimit(&rs) for the DRHD
  // status line, once per record, and once more for the iteration that finds DMA_FRCD_F clear
  // and stops. The fewest faults behind N refused calls: any 3 consecutive calls of
  // DRHD, record, stop, DRHD, record, stop... hold one record; 2 (a stop, then the next DRHD
  // line) may hold none.
  const n = (count: number) =>
    losses(`[  817.011902] dmar_fault: ${count} callbacks suppressed\n`)[0].faults_at_least;
  assert.equal(n(1), 0);
  assert.equal(n(2), 0);
  assert.equal(n(3), 1);
  assert.equal(n(37), 12);
});

Deno.test("callbacks suppressed of a function outside the IOMMU drivers is no IOMMU loss", () => {
  // lib/ratelimit.c prints `%s: %d callbacks suppressed` with __func__ of any caller: amdgpu's
  // display interrupt handler and the AMD EDAC driver are not the AMD IOMMU.
  for (const func of ["amdgpu_dm_irq_handler", "amd64_decode_bus_error", "amd_pstate_update"]) {
    assert.deepEqual(losses(`[    4.000000] ${func}: 5 callbacks suppressed\n`), [], func);
  }
  // An IOMMU driver function not in the table is still a sign of loss (counted as no fault).
  const l = losses("[    4.000000] amd_iommu_int_thread: 5 callbacks suppressed\n");
  assert.deepEqual(l.map((x) => [x.source, x.faults_at_least]), [["amd_iommu_int_thread", 0]]);
});

Deno.test("T7 V3 (5.14): 0x before bus and device", () => {
  const e = one(
    "[  402.113000] DMAR: [DMA Write NO_PASID] Request device [0x00:0x1f.6] fault addr 0xbbf42000 [fault reason 0x05] PTE Write access is not set",
  );
  assert.equal(e.generation, "V3");
  assert.equal(e.device, "0000:00:1f.6");
  assert.equal(e.addr, "0xbbf42000");
  assert.equal(e.code, 5);
});

Deno.test("T8, T9 V2: PASID ffffffff is none; the reason is decimal (12 = 0x0c, 113 = 0x71)", () => {
  const a = one(
    "[  351.000101] DMAR: [DMA Read] Request device [00:14.0] PASID ffffffff fault addr 8cc3e000 [fault reason 12] non-zero reserved fields in PTE",
  );
  assert.equal(a.generation, "V2");
  assert.equal(a.pasid, null);
  assert.equal(a.addr, "0x8cc3e000");
  assert.equal(a.code, 0x0c);
  const b = one(
    "[  351.000180] DMAR: [DMA Read] Request device [00:02.0] PASID 1 fault addr 7f3a10000 [fault reason 113] SM: Present bit in first-level paging entry is clear",
  );
  assert.equal(b.pasid, 1);
  assert.equal(b.code, 0x71);
  assert.equal(b.addr, "0x7f3a10000");
});

Deno.test("T10 V1/V2 INTR-REMAP: index hex without 0x, reason 37 decimal = 0x25", () => {
  const e = one(
    "[  351.000260] DMAR: [INTR-REMAP] Request device [f0:1f.0] fault index 18 [fault reason 37] Blocked a compatibility format interrupt request",
  );
  assert.equal(e.code, 0x25);
  assert.equal(e.detail?.index, 0x18);
});

Deno.test("T11 V1: no PASID field", () => {
  const e = one(
    "[   95.700000] DMAR: [DMA Write] Request device [02:00.0] fault addr ffff0000 [fault reason 05] PTE Write access is not set",
  );
  assert.equal(e.generation, "V1");
  assert.equal(e.device, "0000:02:00.0");
  assert.equal(e.addr, "0xffff0000");
  assert.equal(e.code, 5);
});

Deno.test("T12: reason 0x27 is outside every table: Unknown, number kept", () => {
  const e = one(
    "[  812.004700] DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr 0x1000 [fault reason 0x27] Unknown",
  );
  assert.equal(e.code, 0x27);
  assert.equal(e.name, "Unknown");
});

Deno.test("V0 (3.x): one record over two text lines, decimal reason", () => {
  const e = one(
    "dmar: DMAR:[DMA Read] Request device [00:02.0] fault addr fffe0000 \nDMAR:[fault reason 06] PTE Read access is not set\n",
  );
  assert.equal(e.generation, "V0");
  assert.equal(e.device, "0000:00:02.0");
  assert.equal(e.addr, "0xfffe0000");
  assert.equal(e.code, 6);
  assert.equal(e.raw.length, 2);
  const ir = one(
    "dmar: INTR-REMAP: Request device [[f0:1f.0] fault index 18\nINTR-REMAP:[fault reason 37] Blocked a compatibility format interrupt request\n",
  );
  assert.equal(ir.code, 0x25);
  assert.equal(ir.detail?.index, 0x18);
});

Deno.test("Out-of-tree VT-d with a PCI segment in the BDF", () => {
  const e = one(
    "DMAR: [DMA Read NO_PASID] Request device [0001:3b:00.0] fault addr 0x1000 [fault reason 0x06] PTE Read access is not set",
  );
  assert.equal(e.device, "0001:3b:00.0");
});

Deno.test("T13 PRQ overflow is loss on dmar1; T14 prq_report is a page request", () => {
  const l = losses("IOMMU: dmar1: PRQ overflow detected");
  assert.equal(l[0].kind, "overflow");
  assert.match(l[0].source, /dmar1/);
  const e = one(
    "kworker/u64:3-211 [007] ..... 977.120001: prq_report: dmar1/0000:6a:01.0 seq# 17: rid=0x6a08 addr=0x7f3a1 r---l pasid=0x1 index=0x5",
  );
  assert.equal(e.iommu, "dmar1");
  assert.equal(e.device, "0000:6a:01.0");
  assert.equal(e.addr, "0x7f3a1000");
  assert.deepEqual(e.access, ["read"]);
  assert.equal(e.pasid, 1);
  assert.equal(e.detail?.group_index, 5);
  assert.equal(e.detail?.last, true);
  assert.equal(e.detail?.seq, 17);
  assert.equal(e.record?.rid, 0x6a08);
});

Deno.test("VT-d 'Invalid page request' lines carry the descriptor; the reason line before names why", () => {
  const e = one(
    "DMAR: IOMMU: dmar0: Page request in Privilege Mode\nDMAR: dmar0: Invalid page request: 0020000102000001 0000007f3a100003\n",
  );
  assert.equal(e.iommu, "dmar0");
  assert.equal(e.device, "0000:02:00.0"); // rid 0x0200
  assert.deepEqual(e.access, ["read", "write", "priv"]);
  assert.match(e.text, /Privilege Mode/);
});

Deno.test("A1 E3/E4 pci_err: device from the prefix, RW = write", () => {
  const e = one(
    "[ 1042.330101] amdgpu 0000:0b:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d address=0xfffff000 flags=0x0020]",
  );
  assert.equal(e.vendor, "amd");
  assert.equal(e.code, 2);
  assert.equal(e.name, "IO_PAGE_FAULT");
  assert.equal(e.device, "0000:0b:00.0");
  assert.equal(e.detail?.domain, 0x0d);
  assert.equal(e.addr, "0xfffff000");
  assert.deepEqual(e.access, ["write"]);
  assert.deepEqual(e.record?.flags_names, ["RW"]);
});

Deno.test("A2 E4 and A3 E3: PR + RW + PE, with and without segment", () => {
  const a = one(
    "[ 1042.330190] AMD-Vi: Event logged [IO_PAGE_FAULT device=0000:04:00.0 domain=0x0000 address=0xfd000000 flags=0x0070]",
  );
  assert.equal(a.generation, "E4");
  assert.equal(a.device, "0000:04:00.0");
  assert.deepEqual(a.record?.flags_names, ["PR", "RW", "PE"]);
  const b = one(
    "[  200.100000] AMD-Vi: Event logged [IO_PAGE_FAULT device=04:00.0 domain=0x0000 address=0xfd000000 flags=0x0070]",
  );
  assert.equal(b.generation, "E3");
  assert.equal(b.device, "0000:04:00.0");
});

Deno.test("A4 E1: 'Event logged [' and its body in two records make one event", () => {
  const e = one(
    "[   12.500000] iommu ivhd0: AMD-Vi: Event logged [\n[   12.500003] iommu ivhd0: ILLEGAL_DEV_TABLE_ENTRY device=00:14.0 pasid=0x00000 address=0x00000000fee00000 flags=0x0020]\n",
  );
  assert.equal(e.generation, "E1");
  assert.equal(e.code, 1);
  assert.equal(e.device, "0000:00:14.0");
  assert.equal(e.pasid, 0);
  assert.equal(e.addr, "0xfee00000");
  assert.equal(e.iommu, "ivhd0");
  assert.equal(e.raw.length, 2);
  assert.equal(e.time.boot, 12.5);
});

Deno.test("E0: printk header and an unprefixed body", () => {
  const e = one(
    "AMD-Vi: Event logged [\nIO_PAGE_FAULT device=00:14.0 domain=0x0003 address=0x00000000fee00000 flags=0x0010]\n",
  );
  assert.equal(e.code, 2);
  assert.equal(e.device, "0000:00:14.0");
  assert.deepEqual(e.access, ["read"]);
});

Deno.test("A5 INVALID_PPR_REQUEST: pasid 0x1, tag 0x005", () => {
  const e = one(
    "[ 1043.001000] iommu ivhd1: AMD-Vi: Event logged [INVALID_PPR_REQUEST device=0000:41:00.0 pasid=0x00001 address=0x7f0000001000 flags=0x0000 tag=0x005]",
  );
  assert.equal(e.code, 9);
  assert.equal(e.pasid, 1);
  assert.equal(e.addr, "0x7f0000001000");
  assert.equal(e.detail?.tag, 5);
  assert.equal(e.iommu, "ivhd1");
});

Deno.test("A6 UNKNOWN (no closing bracket): code 0xa from event[1], devid 0x0010 = 00:02.0", () => {
  const e = one(
    "[ 1043.002000] iommu ivhd0: AMD-Vi: Event logged [UNKNOWN event[0]=0x00000010 event[1]=0xa0000000 event[2]=0x00000000 event[3]=0x00000000",
  );
  assert.equal(e.code, 0xa);
  assert.equal(e.name, "unknown");
  assert.equal(e.device, "0000:00:02.0");
});

Deno.test("A7, A8: AMD suppressed calls and log restart are loss", () => {
  const l = losses(
    "[ 1047.400000] amd_iommu_report_page_fault: 211 callbacks suppressed\n[ 1047.500000] AMD-Vi: IOMMU Event log restarting\n",
  );
  assert.deepEqual(l.map((x) => x.kind), ["suppressed", "log-restart"]);
  assert.equal(l[0].count, 211);
  assert.equal(l[0].faults_at_least, 211);
});

Deno.test("AMD RMP events, comma-separated", () => {
  const e = one(
    "AMD-Vi: Event logged [RMP_PAGE_FAULT device=0000:41:00.0, vmg_tag=0x0001, gpa=0x7f0000, flags_rmp=0x0002, flags=0x0020]",
  );
  assert.equal(e.code, 0xd);
  assert.equal(e.addr, "0x7f0000");
  assert.equal(e.detail?.vmg_tag, 1);
});

const S1 = [
  "[ 4402.115021] arm-smmu-v3 arm-smmu-v3.0.auto: event 0x10 received:",
  "[ 4402.115024] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000010000000010",
  "[ 4402.115025] arm-smmu-v3 arm-smmu-v3.1.auto: event 0x02 received:",
  "[ 4402.115026] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000020800000000",
  "[ 4402.115027] other-driver 0000:02:00.0: unrelated message",
  "[ 4402.115028] arm-smmu-v3 arm-smmu-v3.1.auto: \t0x0000123400000002",
  "[ 4402.115029] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x00000000ffff1000",
  "[ 4402.115030] arm-smmu-v3 arm-smmu-v3.1.auto: \t0x0000000000000000",
  "[ 4402.115031] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000000000000",
  "[ 4402.115032] arm-smmu-v3 arm-smmu-v3.1.auto: \t0x0000000000000000",
  "[ 4402.115033] arm-smmu-v3 arm-smmu-v3.1.auto: \t0x0000000000000000",
  "[ 4407.200000] arm_smmu_evtq_thread: 118 callbacks suppressed",
  "[ 4407.300000] arm-smmu-v3 arm-smmu-v3.0.auto: EVTQ overflow detected -- events lost",
].join("\n") + "\n";

Deno.test("S1 M1: two interleaved dumps grouped by SMMU, then loss", () => {
  const f = faults(S1);
  assert.equal(f.length, 2);
  const a = f.find((e) => e.iommu === "arm-smmu-v3.0.auto")!;
  assert.equal(a.code, 0x10);
  assert.equal(a.name, "F_TRANSLATION");
  assert.equal(a.device, "sid:0x100");
  assert.equal(a.pasid, null);
  assert.equal(a.addr, "0xffff1000");
  assert.deepEqual(a.access, ["read"]);
  assert.equal(a.record?.class, 2);
  assert.equal(a.record?.ipa, "0x0");
  assert.equal(a.raw.length, 5);
  assert.equal(a.line, 1);
  const b = f.find((e) => e.iommu === "arm-smmu-v3.1.auto")!;
  assert.equal(b.name, "C_BAD_STREAMID");
  assert.equal(b.device, "sid:0x1234");
  const l = losses(S1);
  assert.deepEqual(l.map((x) => [x.kind, x.count]), [["suppressed", 118], ["overflow", null]]);
});

const R = [
  "arm-smmu-v3 arm-smmu-v3.0.auto: event 0x13 received:",
  "arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000800003813",
  "arm-smmu-v3 arm-smmu-v3.0.auto: \t0x000011028000002a",
  "arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000aaaad0001000",
  "arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000081234000",
  "arm-smmu-v3 arm-smmu-v3.0.auto: event: F_PERMISSION client: 0000:00:01.0 sid: 0x8 ssid: 0x3 iova: 0xaaaad0001000 ipa: 0x81234000",
  'arm-smmu-v3 arm-smmu-v3.0.auto: priv data write s1 "Stage 1 translation table fetch" ttd_read stall stag: 0x2a',
  "arm-smmu-v3 arm-smmu-v3.0.auto: event 0x09 received:",
  "arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000030000001809",
  "arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000000000000",
  "arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000000000000",
  "arm-smmu-v3 arm-smmu-v3.0.auto: \t0x00000000fe0a0040",
  "arm-smmu-v3 arm-smmu-v3.0.auto: event: F_CD_FETCH client: 0000:03:00.0 sid: 0x300 ssid: 0x1 fetch_addr: 0xfe0a0040",
  "arm-smmu-v3 arm-smmu-v3.0.auto: event: C_BAD_STREAMID client: (unassigned sid) sid: 0x1234 ssid: 0x0",
  "arm-smmu-v3 arm-smmu-v3.0.auto: event: UNKNOWN client: 0000:01:00.0 sid: 0x100 ssid: 0x0",
  "arm_smmu_dump_event: 9 callbacks suppressed",
].join("\n") + "\n";

Deno.test("R2, R3 M2: raw dump plus decoded lines make one event naming the client", () => {
  const f = faults(R);
  assert.equal(f.length, 4);
  const [r2, r3, r4, r5] = f;
  assert.equal(r2.generation, "M2");
  assert.equal(r2.code, 0x13);
  assert.equal(r2.device, "0000:00:01.0");
  assert.equal(r2.pasid, 3);
  assert.equal(r2.addr, "0xaaaad0001000");
  assert.deepEqual(r2.access, ["write", "priv"]);
  assert.equal(r2.record?.ipa, "0x81234000");
  assert.equal(r2.record?.stag, 0x2a);
  assert.equal(r2.record?.tt_read, 1);
  assert.equal(r2.detail?.stall, true);
  assert.equal(r2.raw.length, 7);
  assert.equal(r3.code, 0x09);
  assert.equal(r3.device, "0000:03:00.0");
  assert.equal(r3.addr, "0xfe0a0040");
  assert.equal(r3.pasid, 1);
  // R4, R5: decoded lines alone.
  assert.equal(r4.name, "C_BAD_STREAMID");
  assert.equal(r4.code, 0x02);
  assert.equal(r4.device, "sid:0x1234");
  assert.equal(r5.name, "unknown");
  assert.equal(r5.device, "0000:01:00.0");
  assert.equal(losses(R)[0].source, "arm_smmu_dump_event");
});

Deno.test("SMMUv3 dump cut short is reported as truncated, not dropped", () => {
  const f = faults(
    "arm-smmu-v3 arm-smmu-v3.0.auto: event 0x10 received:\narm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000010000000010\n",
  );
  assert.equal(f.length, 1);
  assert.equal(f[0].truncated, true);
  assert.equal(f[0].code, 0x10);
  const g = faults(
    "arm-smmu-v3 a.auto: event 0x10 received:\narm-smmu-v3 a.auto: \t0x0000010000000010\narm-smmu-v3 a.auto: event 0x02 received:\narm-smmu-v3 a.auto: \t0x0000123400000002\n\t\narm-smmu-v3 a.auto: \t0x0\n",
  );
  assert.equal(g[0].truncated, true);
});

Deno.test("C1 arm-smmu context fault: cb 3, TF, write, level 1, iova 0x12345000, SID 0x800", () => {
  const e = one(
    "arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0x12345000, fsynr=0x11, cbfrsynra=0x800, cb=3\narm-smmu 15000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x800\narm-smmu 15000000.iommu: FSYNR0 = 00000011 [S1CBNDX=0 WNR PLVL=1]\n",
  );
  assert.equal(e.vendor, "arm-smmu");
  assert.equal(e.name, "TF");
  assert.equal(e.addr, "0x12345000");
  assert.equal(e.device, "sid:0x800");
  assert.deepEqual(e.access, ["write"]);
  const rec = e.record as { cb: number; fsynr0: { PLVL: number }; fsr: { FORMAT: number } };
  assert.equal(rec.cb, 3);
  assert.equal(rec.fsynr0.PLVL, 1);
  assert.equal(rec.fsr.FORMAT, 2);
  const old = one(
    "arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0x12345000, fsynr=0x11, cb=3",
  );
  assert.equal(old.device, null);
});

Deno.test("V1, V2 virtio-iommu; P1 io_page_fault tracepoint", () => {
  const v1 = one("virtio_iommu virtio0: page fault from EP 8 at 0x12340000 [W]");
  assert.equal(v1.code, 2);
  assert.equal(v1.device, "ep:8");
  assert.equal(v1.addr, "0x12340000");
  assert.deepEqual(v1.access, ["write"]);
  assert.deepEqual(v1.record?.flags_names, ["WRITE", "ADDRESS"]);
  const v2 = one("virtio_iommu virtio0: domain fault from EP 16");
  assert.equal(v2.code, 1);
  assert.equal(v2.addr, null);
  const p = one(
    "irq/55-AMD-Vi-120 [003] ..... 1042.330100: io_page_fault: IOMMU:amdgpu 0000:0b:00.0 iova=0x00000000fffff000 flags=0x0001",
  );
  assert.equal(p.vendor, "trace");
  assert.equal(p.device, "0000:0b:00.0");
  assert.equal(p.addr, "0xfffff000");
  assert.deepEqual(p.access, ["write"]);
  assert.equal(p.detail?.driver, "amdgpu");
});

Deno.test("lines that look like reports but do not parse are counted and kept", () => {
  const { parser, events } = parseKlog(
    "DMAR: [DMA Read NO_PASID] Request device [zz:00.0] fault addr 0x1 [fault reason 0x06] x\namdgpu 0000:0b:00.0: AMD-Vi: Event logged [BOGUS_THING x=1]\n",
  );
  assert.equal(events.length, 0);
  assert.equal(parser.unparsedCount, 2);
  assert.deepEqual(parser.unparsed.map((u) => u.line), [1, 2]);
});

Deno.test("ordinary lines that mention an IOMMU are not faults", () => {
  const { events, parser } = parseKlog(
    "[    0.1] DMAR: IOMMU enabled\n[    0.2] AMD-Vi: Interrupt remapping enabled\n[ 0.3] iommu: Default domain type: Translated\n[ 0.4] net_ratelimit: 5 callbacks suppressed\n",
  );
  assert.equal(events.length, 0);
  assert.equal(parser.unparsedCount, 0);
  assert.equal(parser.lines, 4);
});
