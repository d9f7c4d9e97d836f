/**
 * Summary (storm folding, rate, pages, loss), filters, and the /proc/iomem and lspci context.
 */
import assert from "node:assert/strict";
import { deviceName, parseIomem, parseLspci, resolveAddr } from "../src/klog/context.ts";
import { makeFilter } from "../src/klog/filter.ts";
import { parseKlog } from "../src/klog/parser.ts";
import { rate, Summary } from "../src/klog/summary.ts";

const AMD = (t: number, addr: number) =>
  `[ ${
    t.toFixed(6)
  }] amdgpu 0000:0b:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d address=0x${
    addr.toString(16)
  } flags=0x0020]`;

Deno.test("a storm of identical faults folds into one row with count, first, last, rate, pages", () => {
  const lines: string[] = [];
  for (let i = 0; i < 1000; i++) lines.push(AMD(100 + i * 0.01, 0xcece9000 + (i % 3) * 0x1000));
  const s = new Summary();
  for (const e of parseKlog(lines.join("\n")).events) s.add(e);
  const rows = s.sortedRows();
  assert.equal(rows.length, 1);
  const r = rows[0];
  assert.equal(r.count, 1000);
  assert.equal(r.first.boot, 100);
  assert.equal(r.last.boot, 109.99);
  assert.ok(Math.abs(rate(r)! - 999 / 9.99) < 1e-6);
  assert.equal(r.pages, 3);
  assert.equal(r.addrMin, 0xcece9000n);
  assert.equal(r.addrMax, 0xceceb000n);
  assert.deepEqual(r.access, ["write"]);
});

Deno.test("loss: suppressed calls, overflows and kmsg gaps, as 'at least N faults'", () => {
  const text = [
    "3,10,1000,-;amd_iommu_report_page_fault: 211 callbacks suppressed",
    "3,11,1000,-;dmar_fault: 37 callbacks suppressed",
    "3,12,1000,-;arm-smmu-v3 arm-smmu-v3.0.auto: EVTQ overflow detected -- events lost",
    "3,40,1000,-;x",
  ].join("\n");
  const s = new Summary();
  for (const e of parseKlog(text).events) s.add(e);
  // 211 (one per call) + floor(37 / 3) (dmar_fault: DRHD line, records, closing check) + 1 overflow.
  assert.equal(s.faultsNotLogged(), 211 + 12 + 1);
  assert.equal(s.recordsLost(), 27);
  assert.match(s.lossLines()[0], /^at least 224 faults were not logged$/);
  const j = s.toJson();
  assert.equal((j.lost as { faults_at_least: number }).faults_at_least, 224);
});

Deno.test("a row cap keeps memory bounded and counts what did not fit", () => {
  const s = new Summary({ maxRows: 2, maxPages: 1 });
  const lines = [0, 1, 2, 3].map((i) =>
    `virtio_iommu virtio0: page fault from EP ${i} at 0x${(i + 1) * 0x1000} [R]`
  );
  for (const e of parseKlog(lines.join("\n")).events) s.add(e);
  assert.equal(s.rows.size, 2);
  assert.equal(s.overflowFaults, 2);
});

Deno.test("filters: device, vendor, code, since/until on boot seconds and dates", () => {
  const { events } = parseKlog([
    AMD(100, 0x1000),
    "[  200.000000] DMAR: [DMA Read NO_PASID] Request device [3b:00.0] fault addr 0x1000 [fault reason 0x06] PTE Read access is not set",
    "[Tue Mar  5 10:15:42 2024] virtio_iommu virtio0: domain fault from EP 16",
  ].join("\n"));
  const pick = (spec: Parameters<typeof makeFilter>[0]) =>
    events.filter(makeFilter(spec)).map((e) => e.line);
  assert.deepEqual(pick({ vendor: ["amd"] }), [1]);
  assert.deepEqual(pick({ device: ["3b:00.0"] }), [2]);
  assert.deepEqual(pick({ code: [6] }), [2]);
  assert.deepEqual(pick({ since: "150" }), [2]);
  assert.deepEqual(pick({ until: "150" }), [1]);
  assert.deepEqual(pick({ since: "2024-03-05T10:00:00" }), [3]);
  assert.throws(
    () => makeFilter({ since: "yesterday-ish" }),
    /--since "yesterday-ish": not a time/,
  );
});

const IOMEM = `00000000-00000fff : Reserved
00001000-0009ffff : System RAM
00100000-cff4ffff : System RAM
  05000000-05e03316 : Kernel code
d0000000-febfffff : PCI Bus 0000:00
  f0000000-f7ffffff : PCI Bus 0000:01
    f0000000-f01fffff : 0000:01:00.0
      f0000000-f01fffff : ath10k_pci
`;

Deno.test("/proc/iomem: innermost region, its path, and the PCI device owning a BAR", () => {
  const m = parseIomem(IOMEM);
  assert.equal(m.zeroed, false);
  assert.deepEqual(resolveAddr(m, 0xcece9e50n)?.path, ["System RAM"]);
  const bar = resolveAddr(m, 0xf0001000n)!;
  assert.deepEqual(bar.path, ["PCI Bus 0000:00", "PCI Bus 0000:01", "0000:01:00.0", "ath10k_pci"]);
  assert.equal(bar.device, "0000:01:00.0");
  assert.equal(resolveAddr(m, 0xff000000n), null);
  assert.equal(
    parseIomem("00000000-00000000 : System RAM\n00000000-00000000 : Reserved\n").zeroed,
    true,
  );
});

Deno.test("lspci -mm and -vmm name devices", () => {
  const mm = parseLspci(
    '01:00.0 "Network controller" "Qualcomm Atheros" "QCA986x/988x 802.11ac Wireless Network Adapter" -r01 "Foxconn" "Device e901"\n',
  );
  assert.equal(
    deviceName(mm, "0000:01:00.0"),
    "Qualcomm Atheros QCA986x/988x 802.11ac Wireless Network Adapter",
  );
  const vmm = parseLspci(
    "Slot:\t0000:00:02.0\nClass:\tVGA compatible controller\nVendor:\tIntel Corporation\nDevice:\tUHD Graphics 620\n\nSlot:\t01:00.0\nClass:\tNetwork controller\nVendor:\tQualcomm Atheros\nDevice:\tQCA988x\n",
  );
  assert.equal(deviceName(vmm, "0000:00:02.0"), "Intel Corporation UHD Graphics 620");
  assert.equal(deviceName(vmm, "0000:01:00.0"), "Qualcomm Atheros QCA988x");
  assert.equal(deviceName(vmm, "0000:09:00.0"), null);
});
