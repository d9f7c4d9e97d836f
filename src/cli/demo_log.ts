/**
 * The kernel log `faultscope demo` decodes: a fault storm from each vendor's IOMMU (Intel VT-d,
 * AMD-Vi, ARM SMMUv3) with the kernel's signs of loss, in plain `dmesg` form. Each fault starts
 * as a hardware record encoded through the registry, and is printed the way the kernel prints it
 * (`src/klog/kernel_print.ts`, which follows the kernel's own format strings), so the log is
 * generated, byte for byte the same, on every run.
 *
 * @example
 * ```ts
 * import { demoKernelLog } from "./demo_log.ts";
 * const log = demoKernelLog();
 * log.split("\n")[1];
 * // => "[  812.004421] DMAR: [DMA Read NO_PASID] Request device [3b:00.0] fault addr 0xfee00000 [fault reason 0x06] PTE Read access is not set"
 * ```
 * @module
 */
import { RECORDS } from "../abi/records.ts";
import { wordView } from "../abi/hw/fields.ts";
import { readWords } from "../codec/bitfield.ts";
import { type EncodeInput, encodeRecord } from "../codec/encode.ts";
import { printAmdEvent, printSmmuEvent, printVtdFault } from "../klog/kernel_print.ts";

/** Faults of each storm (before the kernel's ratelimit gave up). */
export const DEMO_STORM = { intel: 12, amd: 10, smmu: 6 } as const;

/** The i-th SMMUv3 event of the storm: an F_TRANSLATION read from StreamID 0x100. */
const SMMU_EVENT = (i: number): EncodeInput => ({
  id: 0x10,
  sid: 0x100,
  rnw: 1,
  class: 2,
  iova: 0xffff1000n + BigInt(i) * 0x1000n,
});

/** The words of a hardware record built from its fields through the registry. */
function wordsOf(abi: "vtd-fault" | "amd-evt" | "smmuv3-evt", fields: EncodeInput): bigint[] {
  return readWords(wordView(RECORDS[abi]), encodeRecord(abi, fields))!;
}

/** The demo's kernel log, one line per record, ending with a newline. */
export function demoKernelLog(): string {
  const out: string[] = [];
  let t = 812.004417;
  const at = (s: string) => out.push(`[${t.toFixed(6).padStart(12)}] ${s}`);
  const tick = (dt = 0.000004) => (t += dt);

  // Intel VT-d: a NIC at 3b:00.0 reads unmapped pages (reason 0x06), then the ratelimit.
  at("DMAR: DRHD: handling fault status reg 2");
  for (let i = 0; i < DEMO_STORM.intel; i++) {
    tick();
    const fi = 0xfee00000n + BigInt(i) * 0x1000n;
    at(printVtdFault("V4", wordsOf("vtd-fault", { fi, sid: 0x3b00, fr: 0x06, t: 1, f: 1 })));
  }
  tick(5.007481);
  at("dmar_fault: 37 callbacks suppressed");

  // AMD-Vi: a GPU at 0000:04:00.0 writes into a present page without permission (PR|RW|PE).
  t = 1042.330101;
  for (let i = 0; i < DEMO_STORM.amd; i++) {
    const address = 0xfd000000n + BigInt(i) * 0x40n;
    at(printAmdEvent(
      "E4",
      wordsOf("amd-evt", { devid: 0x0400, code: 2, flags: 0x070, domid: 0x000d, address }),
    ));
    tick(0.000089);
  }
  tick(5.0);
  at("amd_iommu_report_page_fault: 211 callbacks suppressed");

  // ARM SMMUv3 (6.15+ printing): translation faults from StreamID 0x100, then the event queue
  // overflowed.
  t = 4402.115021;
  for (let i = 0; i < DEMO_STORM.smmu; i++) {
    const words = wordsOf("smmuv3-evt", SMMU_EVENT(i));
    for (const l of printSmmuEvent("M2", words, "arm-smmu-v3.0.auto", "0000:01:00.0")) {
      at(l);
      tick(0.000001);
    }
  }
  tick(0.1);
  at("arm-smmu-v3 arm-smmu-v3.0.auto: EVTQ overflow detected -- events lost");
  return out.join("\n") + "\n";
}

/** The first SMMUv3 event of the demo's storm, as the hex of its 32 bytes. */
export function demoSmmuEvent(): string {
  const bytes = encodeRecord("smmuv3-evt", SMMU_EVENT(0));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}
