/**
 * The kernel's own printing of hardware records, reproduced from its format strings: a VT-d
 * fault record as `dmar_fault_do_one` prints it (each generation), an AMD-Vi event entry as
 * `iommu_print_event` does, an SMMUv3 record as the raw dump (and the 6.15+ decoded lines), a
 * virtio-iommu fault, a VT-d page request as the `prq_report` tracepoint. Used to generate test
 * and benchmark logs and to round-trip records through the parser; `%#x` of 0 prints `0x0` as in
 * the kernel's vsprintf.
 *
 * @example
 * ```ts
 * import { printVtdFault } from "./kernel_print.ts";
 * printVtdFault("V4", [0x00007f5e4c3b2000n, 0x80001a7180000010n]);
 * // => "DMAR: [DMA Write PASID 0x1a] Request device [00:02.0] fault addr 0x7f5e4c3b2000 [fault reason 0x71] SM: Present bit in first-level paging entry is clear"
 * ```
 * @module
 */
import { AMD_EVT, amdEventType } from "../abi/hw/amd.ts";
import { SMMUV3_CLASS, SMMUV3_EVT, smmuv3Event } from "../abi/hw/smmuv3.ts";
import { VIRTIO_IOMMU_FAULT, VIRTIO_IOMMU_REASONS } from "../abi/hw/virtio_iommu.ts";
import { VTD_FRCD, VTD_PRQ, vtdFaultReason } from "../abi/hw/vtd.ts";
import { decodeHw } from "../codec/bitfield.ts";

const x = (v: number | bigint, w = 0) => v.toString(16).padStart(w, "0");
/** Kernel `%#x`/`%#llx`: `0x` prefix, also for zero. */
const hx = (v: number | bigint) => "0x" + v.toString(16);
const dev = (id: number) => `${x((id >> 8) & 0xff, 2)}:${x((id >> 3) & 0x1f, 2)}.${id & 7}`;

/** VT-d print generations of `dmar_fault_do_one`. */
export type VtdGen = "V1" | "V2" | "V3" | "V4";

/** A fault recording register (two qwords) as the kernel logs it, with the `DMAR: ` prefix. */
export function printVtdFault(gen: VtdGen, words: readonly bigint[]): string {
  const f = decodeHw(VTD_FRCD, words);
  const code = Number(f.fr), sid = Number(f.sid);
  const r = vtdFaultReason(code);
  const b = (sid >> 8) & 0xff, d = (sid >> 3) & 0x1f, fn = sid & 7;
  const type = f.t ? "DMA Read" : "DMA Write";
  const pasid = f.pp ? Number(f.pv) : -1;
  if (r.kind === "intr") {
    const index = f.fault_index;
    if (gen === "V1" || gen === "V2") {
      return `DMAR: [INTR-REMAP] Request device [${x(b, 2)}:${x(d, 2)}.${fn}] fault index ${
        x(index)
      } [fault reason ${String(code).padStart(2, "0")}] ${r.name}`;
    }
    const bus = gen === "V3" ? `0x${x(b, 2)}:0x${x(d, 2)}` : `${x(b, 2)}:${x(d, 2)}`;
    return `DMAR: [INTR-REMAP] Request device [${bus}.${fn}] fault index ${
      hx(index)
    } [fault reason 0x${x(code, 2)}] ${r.name}`;
  }
  if (gen === "V1") {
    return `DMAR: [${type}] Request device [${x(b, 2)}:${x(d, 2)}.${fn}] fault addr ${
      x(f.fi)
    } [fault reason ${String(code).padStart(2, "0")}] ${r.name}`;
  }
  if (gen === "V2") {
    return `DMAR: [${type}] Request device [${x(b, 2)}:${x(d, 2)}.${fn}] PASID ${
      x(pasid >>> 0)
    } fault addr ${x(f.fi)} [fault reason ${String(code).padStart(2, "0")}] ${r.name}`;
  }
  const tag = pasid < 0 ? `${type} NO_PASID` : `${type} PASID ${hx(pasid)}`;
  const bus = gen === "V3" ? `0x${x(b, 2)}:0x${x(d, 2)}` : `${x(b, 2)}:${x(d, 2)}`;
  return `DMAR: [${tag}] Request device [${bus}.${fn}] fault addr ${hx(f.fi)} [fault reason 0x${
    x(code, 2)
  }] ${r.name}`;
}

/** AMD print generations: E3 (`device=bb:dd.f`) and E4 (segment first). */
export type AmdGen = "E3" | "E4";

/** An event log entry as `iommu_print_event` logs it (`dev_err` on `iommu ivhdN`). */
export function printAmdEvent(gen: AmdGen, words: readonly bigint[], unit = "ivhd0"): string {
  const f = decodeHw(AMD_EVT, words);
  const code = Number(f.code);
  const id = Number(f.devid);
  const device = gen === "E4" ? `0000:${dev(id)}` : dev(id);
  const pd = Number(f.pasid_hi) | Number(f.domid);
  const addr = hx(f.address);
  const flags = "0x" + x(f.flags, 4);
  const pre = `iommu ${unit}: AMD-Vi: Event logged [`;
  const t = amdEventType(code);
  switch (t?.name) {
    case "ILLEGAL_DEV_TABLE_ENTRY":
      return `${pre}ILLEGAL_DEV_TABLE_ENTRY device=${device} pasid=0x${
        x(pd, 5)
      } address=${addr} flags=${flags}]`;
    case "IO_PAGE_FAULT":
      return `AMD-Vi: Event logged [IO_PAGE_FAULT device=${device} domain=0x${
        x(Number(f.domid), 4)
      } address=${addr} flags=${flags}]`;
    case "DEV_TAB_HARDWARE_ERROR":
      return `${pre}DEV_TAB_HARDWARE_ERROR device=${device} address=${addr} flags=${flags}]`;
    case "PAGE_TAB_HARDWARE_ERROR":
      return `${pre}PAGE_TAB_HARDWARE_ERROR device=${device} pasid=0x${
        x(pd, 4)
      } address=${addr} flags=${flags}]`;
    case "ILLEGAL_COMMAND_ERROR":
      return `${pre}ILLEGAL_COMMAND_ERROR address=${addr}]`;
    case "COMMAND_HARDWARE_ERROR":
      return `${pre}COMMAND_HARDWARE_ERROR address=${addr} flags=${flags}]`;
    case "IOTLB_INV_TIMEOUT":
      return `${pre}IOTLB_INV_TIMEOUT device=${device} address=${addr}]`;
    case "INVALID_DEVICE_REQUEST":
      return `${pre}INVALID_DEVICE_REQUEST device=${device} pasid=0x${
        x(pd, 5)
      } address=${addr} flags=${flags}]`;
    case "INVALID_PPR_REQUEST": {
      const pasid = (Number(f.ppr_pasid_hi) << 16) | Number(f.ppr_pasid_lo);
      return `${pre}INVALID_PPR_REQUEST device=${device} pasid=0x${
        x(pasid, 5)
      } address=${addr} flags=${flags} tag=0x${x(Number(f.tag), 3)}]`;
    }
    case "RMP_PAGE_FAULT":
      return `AMD-Vi: Event logged [RMP_PAGE_FAULT device=${device}, vmg_tag=0x${
        x(Number(f.domid), 4)
      }, gpa=${addr}, flags_rmp=0x${x(Number(f.flags_rmp), 4)}, flags=${flags}]`;
    case "RMP_HW_ERROR":
      return `AMD-Vi: Event logged [RMP_HW_ERROR device=${device}, vmg_tag=0x${
        x(Number(f.domid), 4)
      }, spa=${hx(f.address & ~7n)}, flags=${flags}]`;
  }
  const e = [words[0] & 0xffffffffn, words[0] >> 32n, words[1] & 0xffffffffn, words[1] >> 32n];
  return `${pre}UNKNOWN event[0]=0x${x(e[0], 8)} event[1]=0x${x(e[1], 8)} event[2]=0x${
    x(e[2], 8)
  } event[3]=0x${x(e[3], 8)}`;
}

/** SMMUv3 generations: M1 raw dump only; M2 raw dump at err level plus decoded lines. */
export type SmmuGen = "M1" | "M2";

/** The lines of an SMMUv3 event as `arm_smmu_evtq_thread` / `arm_smmu_dump_event` log it. */
export function printSmmuEvent(
  gen: SmmuGen,
  words: readonly bigint[],
  unit = "arm-smmu-v3.0.auto",
  client = "(unassigned sid)",
): string[] {
  const p = `arm-smmu-v3 ${unit}: `;
  const f = decodeHw(SMMUV3_EVT, words);
  const id = Number(f.id);
  const out = [`${p}event 0x${x(id, 2)} received:`, ...words.map((w) => `${p}\t0x${x(w, 16)}`)];
  if (gen === "M1") return out;
  const e = smmuv3Event(id);
  const name = e?.kernelNamed ? e.name : "UNKNOWN";
  const ssid = f.ssv ? f.ssid : 0n;
  const head = `${p}event: ${name} client: ${client} sid: ${hx(f.sid)} ssid: ${hx(ssid)}`;
  if (id >= 0x10 && id <= 0x13) {
    out.push(`${head} iova: ${hx(f.iova)} ipa: ${hx(f.ipa)}`);
    const classTt = id === 0x13 && f.class === 1n;
    out.push(
      `${p}${f.pnu ? "priv" : "unpriv"} ${f.ind ? "inst" : "data"} ${f.rnw ? "read" : "write"} ${
        f.s2 ? "s2" : "s1"
      } "${SMMUV3_CLASS.values[Number(f.class)].name}"${
        classTt ? (f.tt_read ? " ttd_read" : " ttd_write") : ""
      }${f.stall ? " stall" : ""} stag: ${hx(f.stag)}`,
    );
  } else if (id === 0x03 || id === 0x09 || id === 0x25) {
    out.push(`${head} fetch_addr: ${hx(f.fetch_addr)}`);
  } else out.push(head);
  return out;
}

/** A `struct virtio_iommu_fault` as `viommu_fault_handler` logs it. */
export function printVirtioFault(words: readonly bigint[], unit = "virtio0"): string {
  const f = decodeHw(VIRTIO_IOMMU_FAULT, words);
  const reason = VIRTIO_IOMMU_REASONS.find((r) => BigInt(r.code) === f.reason)?.print ?? "unknown";
  const fl = Number(f.flags);
  const p = `virtio_iommu ${unit}: ${reason} fault from EP ${f.endpoint}`;
  if (!(fl & 0x100)) return p;
  return `${p} at ${hx(f.address)} [${fl & 1 ? "R" : ""}${fl & 2 ? "W" : ""}${fl & 4 ? "X" : ""}]`;
}

/** A page request descriptor as the `intel_iommu:prq_report` tracepoint prints it. */
export function printPrqReport(
  words: readonly bigint[],
  unit = "dmar0",
  device = "0000:00:02.0",
  seq = 0,
  task = "irq/64-dmar0-prq-210",
  ts = "100.000000",
): string {
  const f = decodeHw(VTD_PRQ, words);
  const fl = (f.rd_req ? "r" : "-") + (f.wr_req ? "w" : "-") + (f.exe_req ? "x" : "-") +
    (f.pm_req ? "p" : "-") + (f.lpig ? "l" : "-");
  let s = `${task} [000] ..... ${ts}: prq_report: ${unit}/${device} seq# ${seq}: rid=${
    hx(f.rid)
  } addr=${hx(f.addr)} ${fl} pasid=${hx(f.pasid)} index=${hx(f.prg_index)}`;
  if (f.priv_data_present) s += ` private=${hx(f.priv_data0)}/${hx(f.priv_data1)}`;
  return s;
}
