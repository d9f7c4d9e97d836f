/**
 * Writes a synthetic kernel log of N lines for benchmarks: about 90% ordinary kernel messages and
 * 10% IOMMU fault reports of every vendor, printed with the kernel's own format strings
 * (`src/klog/kernel_print.ts`), with `dmesg` timestamps. Deterministic for a given seed.
 *
 * @example
 * ```sh
 * deno run -A bench/make_klog.ts 10000000 /tmp/klog10m.log [seed]
 * ```
 * @module
 */
import { encodeHw } from "../src/codec/bitfield.ts";
import { AMD_EVT } from "../src/abi/hw/amd.ts";
import { SMMUV3_EVT } from "../src/abi/hw/smmuv3.ts";
import { VIRTIO_IOMMU_FAULT } from "../src/abi/hw/virtio_iommu.ts";
import { VTD_FRCD, VTD_PRQ } from "../src/abi/hw/vtd.ts";
import {
  printAmdEvent,
  printPrqReport,
  printSmmuEvent,
  printVirtioFault,
  printVtdFault,
} from "../src/klog/kernel_print.ts";
import { Mulberry32 } from "../src/sim/prng.ts";

// Ordinary messages; with the stamp they average about 100 bytes a line, so that 10 million
// lines make the 1 GB log of the benchmark (issue 9 section 3).
const ORDINARY = [
  "usb 1-1: new high-speed USB device number 2 using xhci_hcd",
  "EXT4-fs (nvme0n1p2): mounted filesystem with ordered data mode. Quota mode: none.",
  'audit: type=1400 audit(1709630143.101:42): apparmor="STATUS" operation="profile_load" name="snap"',
  "e1000e 0000:00:1f.6 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx",
  "systemd[1]: Started systemd-journald.service - Journal Service.",
  "nvme nvme0: 16/0/0 default/read/poll queues",
  "input: Logitech USB Receiver as /devices/pci0000:00/0000:00:14.0/usb1/1-2/input/input5",
  "IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready",
  'audit: type=1400 audit(1709630143.213:57): apparmor="DENIED" operation="open" class="file" ' +
  'profile="snap.firefox.firefox" name="/proc/pressure/memory" pid=2711 comm="firefox" ' +
  'requested_mask="r" denied_mask="r" fsuid=1000 ouid=0',
  "[drm] Initialized amdgpu 3.57.0 20150101 for 0000:0b:00.0 on minor 1",
];

/** Generates `n` lines (without newlines), deterministic for `seed`. */
export function* klogLines(n: number, seed = 1): Generator<string> {
  const m = new Mulberry32(seed);
  const rnd = () => m.nextFloat();
  const r = (k: number) => Math.floor(rnd() * k);
  let t = 1.0;
  let i = 0;
  const stamp = () => `[${t.toFixed(6).padStart(12)}] `;
  while (i < n) {
    t += rnd() * 0.001;
    // 6% of draws start a report; SMMUv3 dumps take 5-7 lines, so ~10% of lines are reports.
    if (rnd() >= 0.06) {
      yield stamp() + ORDINARY[r(ORDINARY.length)];
      i++;
      continue;
    }
    const sid = r(0x10000);
    const addr = BigInt(r(0x100000)) << 12n;
    let lines: string[];
    switch (r(6)) {
      case 0:
        lines = [printVtdFault(
          ["V1", "V2", "V3", "V4"][r(4)] as "V4",
          encodeHw(VTD_FRCD, {
            fi: addr,
            sid,
            fr: [5, 6, 0x25, 0x71, 0x27][r(5)],
            pp: r(2),
            pv: r(0x100),
            t: r(2),
            f: 1,
          }),
        )];
        break;
      case 1:
        lines = [printAmdEvent(
          r(2) ? "E4" : "E3",
          encodeHw(AMD_EVT, {
            devid: sid,
            code: [1, 2, 2, 2, 3, 4, 8, 9, 0xa][r(9)],
            flags: r(0x200),
            domid: r(16),
            address: addr,
          }),
        )];
        break;
      case 2:
        lines = printSmmuEvent(
          r(2) ? "M2" : "M1",
          encodeHw(SMMUV3_EVT, {
            id: [0x10, 0x11, 0x13, 0x09, 0x02][r(5)],
            sid: r(0x400),
            ssv: r(2),
            ssid: r(8),
            rnw: r(2),
            class: r(3),
            iova: addr,
            ipa: addr,
          }),
          `arm-smmu-v3.${r(2)}.auto`,
          "0000:01:00.0",
        );
        break;
      case 3:
        lines = [printVirtioFault(encodeHw(VIRTIO_IOMMU_FAULT, {
          reason: r(3),
          flags: r(8) | 0x100,
          endpoint: r(64),
          address: addr,
        }))];
        break;
      case 4:
        lines = [printPrqReport(
          encodeHw(VTD_PRQ, {
            rid: sid,
            pasid: 1 + r(100),
            pasid_present: 1,
            addr: addr >> 12n,
            rd_req: 1,
            lpig: 1,
            prg_index: r(0x200),
          }),
          "dmar1",
          "0000:6a:01.0",
          i,
          "irq/64-dmar1-prq-210",
          t.toFixed(6),
        )];
        yield lines[0];
        i++;
        continue;
      default:
        lines = [
          "arm_smmu_evtq_thread: 12 callbacks suppressed",
          "dmar_fault: 3 callbacks suppressed",
        ]
          .slice(r(2), r(2) + 1);
        if (!lines.length) lines = ["amd_iommu_report_page_fault: 40 callbacks suppressed"];
    }
    for (const l of lines) {
      if (i++ >= n) return;
      yield stamp() + l;
    }
  }
}

if (import.meta.main) {
  const n = Number(Deno.args[0] ?? 1_000_000);
  const path = Deno.args[1];
  const seed = Number(Deno.args[2] ?? 1);
  if (!path || !Number.isInteger(n) || n < 0) {
    console.error("usage: deno run -A bench/make_klog.ts LINES OUTPUT [SEED]");
    Deno.exit(2);
  }
  const f = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  let buf: string[] = [];
  let bytes = 0;
  for (const l of klogLines(n, seed)) {
    buf.push(l);
    if (buf.length === 10_000) {
      const b = enc.encode(buf.join("\n") + "\n");
      bytes += b.length;
      await f.write(b);
      buf = [];
    }
  }
  if (buf.length) {
    const b = enc.encode(buf.join("\n") + "\n");
    bytes += b.length;
    await f.write(b);
  }
  f.close();
  console.error(`${n} lines, ${bytes} bytes -> ${path}`);
}
