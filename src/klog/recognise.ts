/**
 * Recognisers: the kernel's IOMMU fault report formats, every print generation in the kernel's
 * history (see the module docs of each part below for the format strings), applied to one line
 * of kernel text with its container already stripped. Each returns what the line is; grouping
 * of multi-line reports (SMMUv3 dumps, split AMD and 3.x VT-d records) is the parser's job.
 *
 * Sources of the format strings: `drivers/iommu/intel/dmar.c` `dmar_fault_do_one` (torvalds/linux
 * @ c34e9ab9a612ee8b18273398ef75c207b01f516d for 5.15+, @ 01feba590cd610780c463aa3d498200ba4503703
 * for 5.5-5.13; New-B/Linux3.6 @ b5154d3e5bc2e54a1c611abd3bb787931fe471ab for 3.x;
 * WindRiver-Labs/kernel-4.8.x @ 0871bd813f296a8ed102449437e09cb5ee81be34 for 4.x);
 * `drivers/iommu/intel/prq.c` and `trace.h`; `drivers/iommu/amd/iommu.c` `iommu_print_event`
 * (torvalds/linux @ 0217ed5a946b61cca3a608d1ba9a422f8f85baf6; ColinIanKing/linux-next @
 * 3fb1346db6e9d80f3269b343ec577ee0668c70c2 with the PCI segment); SMMUv3
 * `arm_smmu_evtq_thread`/`arm_smmu_dump_event` (torvalds/linux @
 * 0468be89b3fa5b9249cee1097f1d50314950a2df; atlanticdg/linux-6.18.y @
 * 6c3dcfd01987448ad4e21c303ab436b68bbe36f3); `include/trace/events/iommu.h`; `virtio-iommu.c`;
 * `lib/ratelimit.c`.
 *
 * @example
 * ```ts
 * import { recognise } from "./recognise.ts";
 * const r = recognise("DMAR: [DMA Read NO_PASID] Request device [3b:00.0] fault addr 0xfee00000 [fault reason 0x06] PTE Read access is not set");
 * r?.k; // => "fault"
 * ```
 * @module
 */
import { AMD_EVT, amdEventByName, amdEventType } from "../abi/hw/amd.ts";
import { ARM_SMMU_FSR, ARM_SMMU_FSR_FAULTS, ARM_SMMU_FSYNR0 } from "../abi/hw/arm_smmu.ts";
import { VIRTIO_IOMMU_FAULT, VIRTIO_IOMMU_REASONS } from "../abi/hw/virtio_iommu.ts";
import { VTD_FSTS, VTD_PRQ, vtdFaultReason } from "../abi/hw/vtd.ts";
import { decodeHw } from "../codec/bitfield.ts";
import { vtdPrqToIommuFault } from "../codec/hw_fault.ts";
import {
  encodeHalves,
  fieldHex,
  fieldNum,
  fieldsJson,
  fieldsNum,
  type Halves,
  halvesOf,
  wordsOf,
} from "./fast_fields.ts";
import { deferred, encodeMainline } from "./iommu_fault_json.ts";
import type { Json, JsonObject } from "../codec/json.ts";
import type { FaultCore } from "./event.ts";
import { AMD_FLAG_PR } from "./explain.ts";
import type { Access, LossKind, Vendor } from "./types.ts";

export type { FaultCore };

/** What one line of kernel text is. */
export type Rec =
  | { k: "fault"; ev: FaultCore }
  | {
    k: "loss";
    kind: LossKind;
    vendor: Vendor | null;
    source: string;
    count: number | null;
    faults_at_least: number;
    /** The SMMU that printed it, for closing its open dump. */
    unit?: string;
  }
  | { k: "smmu-head"; unit: string; id: number }
  | { k: "smmu-dword"; unit: string; lo: number; hi: number }
  | { k: "smmu-decoded"; unit: string; ev: FaultCore }
  | { k: "smmu-decoded2"; unit: string; detail: JsonObject; access: Access[] }
  | { k: "vtd-v0-head"; ev: FaultCore }
  | { k: "vtd-v0-reason"; code: number; text: string; intr: boolean }
  | { k: "amd-head"; unit: string | null; device: string | null }
  | { k: "amd-body"; body: string; unit: string | null }
  | { k: "prq-reason"; unit: string; reason: string }
  | { k: "known"; unit?: string }
  | { k: "malformed"; looksLike: string };

const hex = (v: number | bigint) => "0x" + v.toString(16);
const h = (s: string) => parseInt(s, 16);

/** Hex digits as the kernel's `%#llx` would print the value: `0x`, lower case, no leading zeros. */
export function hexNorm(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48 /* 0 */) i++;
  return "0x" + (i ? digits.slice(i) : digits).toLowerCase();
}

/** A number printed as `0x...` or decimal (AMD `key=value`); NaN when it is neither. */
function parseNum(s: string): number {
  if (s.startsWith("0x") || s.startsWith("0X")) return parseInt(s.slice(2), 16);
  return /^\d+$/.test(s) ? Number(s) : NaN;
}

/**
 * Device names already built, by number: a storm names the same few devices a million times,
 * and the one string per device is flat and hashed once when the summary looks rows up by it.
 * Bounded: past `MAX_NAMES` devices, names are built afresh each time (a host has far fewer).
 */
const NAMES = new Map<number, string>();
const MAX_NAMES = 4096;

function cached(key: number, make: () => string): string {
  let s = NAMES.get(key);
  if (s === undefined) {
    s = make();
    if (NAMES.size < MAX_NAMES) NAMES.set(key, s);
  }
  return s;
}

/** `0000:bb:dd.f` from a source-id / DeviceID (bus 15:8, devfn 7:0). */
export function bdfOf(id: number, segment = 0): string {
  const p2 = (v: number, n = 2) => v.toString(16).padStart(n, "0");
  return cached(
    (segment & 0xffff) * 0x10000 + (id & 0xffff),
    () => `${p2(segment, 4)}:${p2((id >> 8) & 0xff)}:${p2((id >> 3) & 0x1f)}.${id & 7}`,
  );
}

/** `sid:0x100`: an SMMU StreamID (meaningful within its SMMU). */
export function sidName(sid: number): string {
  // Above the BDF keys (segment * 2^16 + id < 2^32).
  return cached(0x1_0000_0000 + sid, () => `sid:0x${sid.toString(16)}`);
}

/** Normalises a printed BDF (`3b:00.0`, `0x00:0x1f.6`, `0000:04:00.0`) to `0000:bb:dd.f`. */
export function normBdf(s: string): string | null {
  const m = /^(?:([0-9a-fA-F]{1,4}):)?(?:0x)?([0-9a-fA-F]{1,2}):(?:0x)?([0-9a-fA-F]{1,2})\.([0-7])$/
    .exec(s);
  if (!m) return null;
  const seg = m[1] ? h(m[1]) : 0;
  return bdfOf((h(m[2]) << 8) | (h(m[3]) << 3) | +m[4], seg);
}

/** `<driver> <device>: ` of dev_printk lines (as `/^([\w.-]+) ([\w.:-]+): /` matches it). */
export const RE_DEV = /^([\w.-]+) ([\w.:-]+): /;

/** `\w`, `.`, `-` (and `:` when `colon`): the characters of a driver or device name. */
function nameChar(c: number, colon: boolean): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 ||
    c === 46 || c === 45 || (colon && c === 58);
}

/**
 * Where the device name of a `<driver> <device>: ` prefix ends (the index of its colon), or -1:
 * RE_DEV without a match array, for the lines of a storm. The driver ends at the first space.
 */
export function devPrefixEnd(text: string): number {
  const sp = text.indexOf(" ");
  if (sp <= 0) return -1;
  for (let i = 0; i < sp; i++) if (!nameChar(text.charCodeAt(i), false)) return -1;
  // The device is the run of name characters after the space; it must end with ": ".
  let i = sp + 1;
  while (i < text.length && nameChar(text.charCodeAt(i), true)) i++;
  if (i < sp + 3 || text.charCodeAt(i) !== 32 || text.charCodeAt(i - 1) !== 58) return -1;
  return i - 1;
}

/**
 * Functions whose `callbacks suppressed` line means IOMMU fault reports were refused, and how many
 * refused calls stand for at least one fault (0: none need be a fault).
 */
const SUPPRESSORS: Readonly<Record<string, { vendor: Vendor; callsPerFault: number }>> = {
  // dmar_fault() calls __ratelimit for the DRHD status line, for each record, and once more for
  // the iteration that finds DMA_FRCD_F clear and stops: any 3 consecutive calls hold a record.
  dmar_fault: { vendor: "intel", callsPerFault: 3 },
  prq_event_thread: { vendor: "intel", callsPerFault: 0 },
  amd_iommu_report_page_fault: { vendor: "amd", callsPerFault: 1 },
  iommu_print_event: { vendor: "amd", callsPerFault: 1 },
  arm_smmu_evtq_thread: { vendor: "arm-smmu-v3", callsPerFault: 1 },
  arm_smmu_dump_event: { vendor: "arm-smmu-v3", callsPerFault: 1 },
  arm_smmu_context_fault: { vendor: "arm-smmu", callsPerFault: 1 },
  arm_smmu_print_context_fault_info: { vendor: "arm-smmu", callsPerFault: 1 },
  viommu_fault_handler: { vendor: "virtio-iommu", callsPerFault: 1 },
};

// ---------------------------------------------------------------------------------------------
// Intel VT-d, as `dmar_fault_do_one` (drivers/iommu/intel/dmar.c) printed it in each release.
// V1/V2 (to 5.13): decimal reason, no 0x; V3 (5.14, 719a19335692 "iommu/vt-d: Tweak the
// description of a DMA fault"): 0x before bus and device; V4 (5.15 on): not.
// A reason is printed `%02d` (V0-V2) or `0x%02x` (V3, V4): without 0x its digits are decimal, and
// a line whose reason is neither (`[fault reason ffffffff]`) is no kernel's; it is counted as a
// report that does not parse, never decoded with a guessed base.
// ---------------------------------------------------------------------------------------------
const RE_VTD_DMA =
  /\[(DMA Read|DMA Write)(?: (NO_PASID|PASID 0x([0-9a-fA-F]+)))?\] Request device \[((?:[0-9a-fA-F]{4}:)?(0x)?[0-9a-fA-F]{1,2}:(?:0x)?[0-9a-fA-F]{1,2}\.[0-7])\] (?:PASID ([0-9a-fA-F]+) )?fault addr (0x)?([0-9a-fA-F]+) \[fault reason (0x)?((?<=0x)[0-9a-fA-F]+|\d+)\] ?(.*)$/;
const RE_VTD_IR =
  /\[INTR-REMAP\] Request device \[((?:[0-9a-fA-F]{4}:)?(0x)?[0-9a-fA-F]{1,2}:(?:0x)?[0-9a-fA-F]{1,2}\.[0-7])\] fault index (0x)?([0-9a-fA-F]+) \[fault reason (0x)?((?<=0x)[0-9a-fA-F]+|\d+)\] ?(.*)$/;
// 3.x: `DMAR:[DMA Read] Request device [00:02.0] fault addr fffe0000 ` then `DMAR:[fault reason 06] ...`.
const RE_VTD_V0 =
  /^DMAR:\[(DMA Read|DMA Write)\] Request device \[([0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\] fault addr ([0-9a-fA-F]+) ?$/;
const RE_VTD_V0_IR =
  /^INTR-REMAP: Request device \[\[([0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\] fault index ([0-9a-fA-F]+)$/;
const RE_VTD_V0_REASON = /^(DMAR|INTR-REMAP):\[fault reason (\d+)\] ?(.*)$/;
const RE_DRHD = /DRHD: handling fault status reg ([0-9a-fA-F]+)/;
const RE_PRQ_MSG = /^IOMMU: (dmar\d+): (.+?)\s*$/;
const RE_PRQ_INVALID =
  /^(?:DMAR: )?(dmar\d+): Invalid page request: ([0-9a-fA-F]+) ([0-9a-fA-F]+)$/;
const RE_PRQ_TRACE =
  /prq_report: (\S+?)\/(\S+) seq# (\d+): rid=0x([0-9a-fA-F]+) addr=0x([0-9a-fA-F]+) ([r-])([w-])([x-])([p-])([l-]) pasid=0x([0-9a-fA-F]+) index=0x([0-9a-fA-F]+)(?: private=0x([0-9a-fA-F]+)\/0x([0-9a-fA-F]+))?/;

function vtdReasonFields(code: number) {
  const r = vtdFaultReason(code);
  return { name: r.name, text: r.text ?? r.name, kind: r.kind };
}

function vtdDma(m: RegExpExecArray): FaultCore {
  const [, type, pasidTok, pasidHex, dev, zeroX, v2Pasid, addr0x, addr, reason0x, reason] = m;
  const code = reason0x ? h(reason) : parseInt(reason, 10);
  let generation: string;
  let pasid: number | null = null;
  if (pasidTok) {
    generation = zeroX ? "V3" : "V4";
    if (pasidHex) pasid = h(pasidHex);
  } else if (v2Pasid !== undefined) {
    generation = "V2";
    const p = h(v2Pasid);
    pasid = p === 0xffffffff ? null : p;
  } else generation = "V1";
  if (!addr0x && reason0x) generation += "?";
  const r = vtdReasonFields(code);
  return {
    vendor: "intel",
    iommu: null,
    device: normBdf(dev),
    pasid,
    addr: hexNorm(addr),
    access: [type === "DMA Read" ? "read" : "write"],
    code,
    name: r.name,
    text: r.text,
    generation,
    detail: {
      fault: r.kind === "unknown" ? "dma" : r.kind === "intr" ? "intr" : "dma",
      printed: m[11] ?? "",
    },
  };
}

function vtdIr(m: RegExpExecArray): FaultCore {
  const [, dev, zeroX, , index, reason0x, reason] = m;
  const code = reason0x ? h(reason) : parseInt(reason, 10);
  const r = vtdReasonFields(code);
  return {
    vendor: "intel",
    iommu: null,
    device: normBdf(dev),
    pasid: null,
    addr: null,
    access: [],
    code,
    name: r.name,
    text: r.text,
    generation: reason0x ? (zeroX ? "V3" : "V4") : "V1/V2",
    detail: { fault: "intr", index: h(index) },
  };
}

function recogniseVtd(text: string): Rec | null {
  let m = RE_VTD_DMA.exec(text);
  if (m) return { k: "fault", ev: vtdDma(m) };
  m = RE_VTD_IR.exec(text);
  if (m) return { k: "fault", ev: vtdIr(m) };
  const t = text.startsWith("dmar: ") ? text.slice(6) : text;
  m = RE_VTD_V0.exec(t);
  if (m) {
    return {
      k: "vtd-v0-head",
      ev: {
        vendor: "intel",
        iommu: null,
        device: normBdf(m[2]),
        pasid: null,
        addr: hexNorm(m[3]),
        access: [m[1] === "DMA Read" ? "read" : "write"],
        code: null,
        name: "unknown",
        text: "",
        generation: "V0",
        detail: { fault: "dma" },
      },
    };
  }
  m = RE_VTD_V0_IR.exec(t);
  if (m) {
    return {
      k: "vtd-v0-head",
      ev: {
        vendor: "intel",
        iommu: null,
        device: normBdf(m[1]),
        pasid: null,
        addr: null,
        access: [],
        code: null,
        name: "unknown",
        text: "",
        generation: "V0",
        detail: { fault: "intr", index: h(m[2]) },
      },
    };
  }
  m = RE_VTD_V0_REASON.exec(t);
  if (m) return { k: "vtd-v0-reason", code: parseInt(m[2], 10), text: m[3], intr: m[1] !== "DMAR" };
  m = RE_DRHD.exec(text);
  if (m) {
    const fsts = h(m[1]);
    const pfo = VTD_FSTS.bits.find((b) => b.name === "PFO")!.bit;
    if ((fsts >> pfo) & 1) {
      return {
        k: "loss",
        kind: "hw-overflow",
        vendor: "intel",
        source: "DMAR_FSTS_REG.PFO",
        count: null,
        faults_at_least: 1,
      };
    }
    return { k: "known" };
  }
  return null;
}

function recogniseVtdPrq(text: string): Rec | null {
  let m = RE_PRQ_INVALID.exec(text);
  if (m) {
    const ev = prqEvent(m[1], halvesOf([m[2], m[3], "0", "0"]), "invalid page request");
    ev.generation = "PRQ";
    return { k: "fault", ev };
  }
  m = RE_PRQ_MSG.exec(text);
  if (m) {
    const msg = m[2];
    if (msg === "PRQ overflow detected") {
      return {
        k: "loss",
        kind: "overflow",
        vendor: "intel",
        source: `${m[1]} PRQ`,
        count: null,
        faults_at_least: 1,
      };
    }
    if (msg === "PRQ overflow cleared") return { k: "known" };
    if (
      msg === "Address is not canonical" || msg === "Page request in Privilege Mode" ||
      msg === "Execution request not supported"
    ) return { k: "prq-reason", unit: m[1], reason: msg };
    return { k: "known" };
  }
  return null;
}

function prqEvent(unit: string, h: Halves, why: string): FaultCore {
  const f = fieldsNum(VTD_PRQ, h);
  const access: Access[] = [];
  if (f.rd_req) access.push("read");
  if (f.wr_req) access.push("write");
  if (f.exe_req) access.push("exec");
  if (f.pm_req) access.push("priv");
  const page = fieldHex(VTD_PRQ, "addr", h);
  return {
    vendor: "intel",
    iommu: unit,
    device: bdfOf(f.rid),
    pasid: f.pasid_present ? f.pasid : null,
    // The descriptor holds the page number (addr >> 12).
    addr: page === "0x0" ? page : page + "000",
    access,
    code: null,
    name: "page request",
    text: why === "page request"
      ? "The device asked for a page (PCIe PRI page request)."
      : "The driver refused a malformed page request.",
    generation: "PRQ",
    // Built when read, not for every request of a storm that is only counted.
    recordOf: (iommuFault) => {
      const record = fieldsJson(VTD_PRQ, h);
      if (!iommuFault) return record;
      record.iommu_fault = deferred(() =>
        encodeMainline(vtdPrqToIommuFault(decodeHw(VTD_PRQ, wordsOf(VTD_PRQ, h))))
      );
      return record;
    },
    detail: { group_index: f.prg_index, last: f.lpig === 1 },
  };
}

function recognisePrqTrace(text: string): Rec | null {
  const m = RE_PRQ_TRACE.exec(text);
  if (!m) return { k: "malformed", looksLike: "intel_iommu:prq_report" };
  const words = encodeHalves(VTD_PRQ, {
    rid: h(m[4]),
    addr: m[5],
    rd_req: m[6] === "r" ? 1 : 0,
    wr_req: m[7] === "w" ? 1 : 0,
    exe_req: m[8] === "x" ? 1 : 0,
    pm_req: m[9] === "p" ? 1 : 0,
    lpig: m[10] === "l" ? 1 : 0,
    pasid: h(m[11]),
    // decode_prq_descriptor prints the PASID whether or not it is present; 0 is taken as absent.
    pasid_present: h(m[11]) ? 1 : 0,
    prg_index: h(m[12]),
    priv_data_present: m[13] ? 1 : 0,
    priv_data0: m[13] ?? 0,
    priv_data1: m[14] ?? 0,
  });
  const ev = prqEvent(m[1], words, "page request");
  ev.traceTime = traceTime(text);
  ev.device = normBdf(m[2]) ?? m[2];
  ev.generation = "prq_report";
  ev.detail = { ...ev.detail, seq: Number(m[3]) };
  return { k: "fault", ev };
}

// ---------------------------------------------------------------------------------------------
// AMD-Vi: `Event logged [TAG key=value ...]`, E0-E4, as `iommu_print_event` and
// `amd_iommu_report_page_fault` (drivers/iommu/amd/iommu.c) print it.
// ---------------------------------------------------------------------------------------------
const RE_AMD_KV = /([a-z_]+(?:\[\d\])?)=((?:0x)?[0-9a-fA-F]+(?::[0-9a-fA-F]+){0,2}(?:\.[0-7])?)/g;
const RE_AMD_TAG = /^([A-Z][A-Z_]+[A-Z])(?: |\]|$)/;

/** Decodes the body of an AMD event (`IO_PAGE_FAULT domain=0x000d address=... flags=...]`). */
export function amdBody(body: string, prefixDevice: string | null, unit: string | null): Rec {
  const tm = RE_AMD_TAG.exec(body);
  if (!tm) return { k: "malformed", looksLike: "AMD-Vi event" };
  const tag = tm[1];
  const kv: Record<string, string> = {};
  RE_AMD_KV.lastIndex = 0;
  for (let m; (m = RE_AMD_KV.exec(body)) !== null;) kv[m[1]] = m[2];
  let code: number | null;
  let name: string;
  let text: string;
  let words: Halves | null = null;
  if (tag === "UNKNOWN" && kv["event[1]"]) {
    // `UNKNOWN event[0]=0x%08x ...`: the whole entry is printed (no closing bracket).
    words = [0, 1, 2, 3].map((i) => (parseNum(kv[`event[${i}]`] ?? "0") || 0) >>> 0);
    code = (words[1] >>> 28) & 0xf;
    const t = amdEventType(code);
    name = t?.name ?? "unknown";
    text = t?.text ?? `Event code ${hex(code)} has no name in the kernel.`;
  } else {
    const t = amdEventByName(tag);
    if (!t) return { k: "malformed", looksLike: "AMD-Vi event" };
    code = t.code;
    name = t.name;
    text = t.text;
  }
  const num = (k: string) => {
    if (kv[k] === undefined) return null;
    const v = parseNum(kv[k]);
    return Number.isNaN(v) ? null : v;
  };
  const addrS = kv.address ?? kv.gpa ?? kv.spa;
  const addr = addrS !== undefined && /^0x[0-9a-fA-F]+$/.test(addrS)
    ? hexNorm(addrS.slice(2))
    : null;
  let device = kv.device ? normBdf(kv.device) : prefixDevice;
  // UNKNOWN prints only the raw entry: the DeviceID is event[0] & 0xffff.
  if (!device && words) device = bdfOf(words[0] & 0xffff);
  const flags = num("flags");
  const pd = num("pasid") ?? num("domain");
  if (!words) {
    const devid = device
      ? parseInt(device.slice(5, 7), 16) << 8 | (parseInt(device.slice(8, 10), 16) << 3) |
        +device[11]
      : 0;
    words = encodeHalves(AMD_EVT, {
      devid,
      pasid_hi: pd !== null && code !== 9 ? pd & 0xf0000 : 0,
      domid: pd !== null && code !== 9 ? pd & 0xffff : num("vmg_tag") ?? 0,
      tag: code === 9 ? num("tag") ?? 0 : undefined,
      ppr_pasid_lo: code === 9 && pd !== null ? pd & 0xffff : undefined,
      ppr_pasid_hi: code === 9 && pd !== null ? (pd >> 16) & 0xf : undefined,
      flags_rmp: code === 0xd ? num("flags_rmp") ?? 0 : undefined,
      flags: flags ?? 0,
      code,
      address: addr ?? 0,
    });
  }
  const access: Access[] = [];
  const detail: JsonObject = {};
  let mapping: "none" | "denied" | null = null;
  if (code === 2) {
    const fl = fieldNum(AMD_EVT, "flags", words);
    mapping = fl & AMD_FLAG_PR ? "denied" : "none";
    access.push(fl & 0x20 ? "write" : "read");
    if (fl & 0x02) access.push("exec");
    detail.domain = kv.domain !== undefined ? num("domain") : null;
    if (fl & 0x08) detail.interrupt = true;
  }
  if (kv.tag !== undefined) detail.tag = num("tag");
  if (kv.vmg_tag !== undefined) detail.vmg_tag = num("vmg_tag");
  if (kv.flags_rmp !== undefined) detail.flags_rmp = num("flags_rmp");
  const only = code === 9 ? AMD_PPR_FIELDS : AMD_FIELDS;
  return {
    k: "fault",
    ev: {
      vendor: "amd",
      iommu: unit,
      device,
      pasid: kv.pasid !== undefined ? num("pasid") : null,
      addr,
      access,
      code,
      name,
      text,
      generation: amdGeneration(body, kv.device),
      mapping,
      recordOf: () => fieldsJson(AMD_EVT, words!, only),
      detail: Object.keys(detail).length ? detail : undefined,
    },
  };
}

/** The fields an AMD-Vi event line prints (INVALID_PPR_REQUEST: a tag instead of a domain). */
const AMD_FIELDS = ["devid", "flags", "code", "address", "domid", "pasid_hi"];
const AMD_PPR_FIELDS = ["devid", "flags", "code", "address", "tag"];

function amdGeneration(body: string, device: string | undefined): string {
  if (device && /^[0-9a-fA-F]{4}:/.test(device)) return "E4";
  if (/address=0x[0-9a-f]{16}\b/.test(body)) return "E1/E2";
  return "E3";
}

function recogniseAmd(text: string, unit: string | null, prefixDevice: string | null): Rec | null {
  let t = text.startsWith("AMD-Vi: ") ? text.slice(8) : text;
  // E0/E1 print the `AMD-Vi: ` inside the dev_err format.
  if (t.startsWith("AMD-Vi: ")) t = t.slice(8);
  const i = t.indexOf("Event logged [");
  if (i === 0) {
    const body = t.slice(14);
    if (!body.trim()) return { k: "amd-head", unit, device: prefixDevice };
    if (body.startsWith("Device not attached to domain properly")) return { k: "known" };
    return amdBody(body, prefixDevice, unit);
  }
  if (i > 0) return { k: "malformed", looksLike: "AMD-Vi event" };
  if (RE_AMD_TAG.test(t) && / device=| address=|\]$/.test(t)) {
    return { k: "amd-body", body: t, unit };
  }
  if (t.startsWith("IOMMU event log overflow")) {
    return {
      k: "loss",
      kind: "overflow",
      vendor: "amd",
      source: unit ? `${unit} event log` : "event log",
      count: null,
      faults_at_least: 1,
    };
  }
  const r = /^IOMMU (Event|PPR|GA) log restarting/.exec(t);
  if (r) {
    return {
      k: "loss",
      kind: "log-restart",
      vendor: "amd",
      source: `${r[1]} log`,
      count: null,
      faults_at_least: r[1] === "GA" ? 0 : 1,
    };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// ARM SMMUv3 (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c: M1, the raw dump of
// `arm_smmu_evtq_thread` to about 6.14; M2, `arm_smmu_dump_event`'s dump and decoded lines from
// 6.15) and arm-smmu v1/v2 (drivers/iommu/arm/arm-smmu/arm-smmu.c: `Unhandled context fault`,
// and `arm_smmu_print_context_fault_info` from 6.11).
// ---------------------------------------------------------------------------------------------
const RE_SMMU_HEAD = /^event 0x([0-9a-fA-F]{1,2}) received:\s*$/;
/** One word of a raw dump: tab (or `\x09` from /dev/kmsg, or spaces) then `0x%016llx`. */
export const RE_SMMU_DWORD = /^(?:\t|\\x09|\s)*0x([0-9a-fA-F]{16})\s*$/;

/** JavaScript's `\s`. */
function space(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f ||
    c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function hexDigit(c: number): number {
  return c >= 48 && c <= 57
    ? c - 48
    : c >= 97 && c <= 102
    ? c - 87
    : c >= 65 && c <= 70
    ? c - 55
    : -1;
}

/** The halves of the word `smmuDword` read. */
export let DWORD_HI = 0, DWORD_LO = 0;

/**
 * Reads one word of a raw dump into DWORD_HI/DWORD_LO: what RE_SMMU_DWORD matches, without a
 * match array or substrings (the words are most of the lines of an SMMUv3 storm).
 */
export function smmuDword(rest: string): boolean {
  let i = 0;
  const n = rest.length;
  for (;;) {
    const c = rest.charCodeAt(i);
    if (space(c)) i++;
    else if (c === 92 /* \ */ && rest.startsWith("\\x09", i)) i += 4;
    else break;
  }
  if (rest.charCodeAt(i) !== 48 || rest.charCodeAt(i + 1) !== 120 /* 0x */) return false;
  i += 2;
  let hi = 0, lo = 0;
  for (let k = 0; k < 16; k++) {
    const d = hexDigit(rest.charCodeAt(i + k));
    if (d < 0) return false;
    if (k < 8) hi = hi * 16 + d;
    else lo = lo * 16 + d;
  }
  i += 16;
  while (i < n && space(rest.charCodeAt(i))) i++;
  if (i !== n) return false;
  DWORD_HI = hi;
  DWORD_LO = lo;
  return true;
}
const RE_SMMU_DEC =
  /^event: (\S+) client: (.+?) sid: 0x([0-9a-fA-F]+) ssid: 0x([0-9a-fA-F]+)(?: iova: 0x([0-9a-fA-F]+) ipa: 0x([0-9a-fA-F]+)| fetch_addr: 0x([0-9a-fA-F]+))?\s*$/;
const RE_SMMU_DEC2 =
  /^(priv|unpriv) (inst|data) (read|write) (s1|s2) "([^"]*)"( ttd_read| ttd_write)?( stall)? stag: 0x([0-9a-fA-F]+)\s*$/;
const RE_SMMU_PRI =
  /^\s*sid 0x([0-9a-fA-F]+)\.0x([0-9a-fA-F]+): \[(\d+)(L?)\] (un)?privileged (R?)(W?)(X?) access at iova 0x([0-9a-fA-F]+)/;
const RE_CTX =
  /^Unhandled context fault: fsr=0x([0-9a-fA-F]+), iova=0x([0-9a-fA-F]+), fsynr=0x([0-9a-fA-F]+), (?:cbfrsynra=0x([0-9a-fA-F]+), )?cb=(\d+)/;

function recogniseSmmu(driver: string, unit: string, rest: string): Rec | null {
  if (smmuDword(rest)) return { k: "smmu-dword", unit, hi: DWORD_HI, lo: DWORD_LO };
  let m = RE_SMMU_HEAD.exec(rest);
  if (m) return { k: "smmu-head", unit, id: h(m[1]) };
  if (rest.startsWith("event: ")) {
    m = RE_SMMU_DEC.exec(rest);
    if (!m) return { k: "malformed", looksLike: "SMMUv3 decoded event" };
    return { k: "smmu-decoded", unit, ev: smmuDecoded(unit, m) };
  }
  m = RE_SMMU_DEC2.exec(rest);
  if (m) {
    const access: Access[] = [m[3] === "read" ? "read" : "write"];
    if (m[2] === "inst") access.push("exec");
    if (m[1] === "priv") access.push("priv");
    return {
      k: "smmu-decoded2",
      unit,
      access,
      detail: {
        stage: m[4],
        class: m[5],
        ...(m[6] ? { tt: m[6].trim() } : {}),
        stall: !!m[7],
        stag: h(m[8]),
      },
    };
  }
  if (/^(EVTQ|PRIQ) overflow detected/.test(rest)) {
    const q = rest.slice(0, 4);
    return {
      k: "loss",
      kind: "overflow",
      vendor: "arm-smmu-v3",
      source: `${unit} ${q}`,
      count: null,
      faults_at_least: q === "EVTQ" ? 1 : 0,
      unit,
    };
  }
  if (/^(EVTQ|PRIQ) write aborted -- events may have been lost/.test(rest)) {
    return {
      k: "loss",
      kind: "overflow",
      vendor: "arm-smmu-v3",
      source: `${unit} ${rest.slice(0, 4)} write abort`,
      count: null,
      faults_at_least: 0,
      unit,
    };
  }
  m = RE_SMMU_PRI.exec(rest);
  if (m) {
    const access: Access[] = [];
    if (m[6]) access.push("read");
    if (m[7]) access.push("write");
    if (m[8]) access.push("exec");
    if (!m[5]) access.push("priv");
    return {
      k: "fault",
      ev: {
        vendor: "arm-smmu-v3",
        iommu: unit,
        device: sidName(h(m[1])),
        pasid: h(m[2]),
        addr: hexNorm(m[9]),
        access,
        code: null,
        name: "PRI request",
        text: "An unexpected PCIe page request arrived; the driver denied it.",
        generation: "M1",
        detail: { group_index: +m[3], last: m[4] === "L" },
      },
    };
  }
  if (rest.startsWith("unexpected PRI request received")) return { k: "known", unit };
  if (driver === "arm-smmu" || rest.startsWith("Unhandled context fault")) {
    return recogniseArmSmmu(unit, rest);
  }
  return null;
}

function smmuDecoded(unit: string, m: RegExpExecArray): FaultCore {
  const [, evName, client, sid, ssid, iova, ipa, fetch] = m;
  const known = evName !== "UNKNOWN";
  const bdf = normBdf(client);
  return {
    vendor: "arm-smmu-v3",
    iommu: unit,
    device: bdf ?? sidName(h(sid)),
    pasid: h(ssid) || null,
    addr: iova !== undefined ? hexNorm(iova) : fetch !== undefined ? hexNorm(fetch) : null,
    access: [],
    code: null,
    name: known ? evName : "unknown",
    text: known ? "" : "An event the kernel does not name (its number is only in the raw dump).",
    generation: "M2",
    detail: {
      client,
      sid: h(sid),
      ...(ipa !== undefined ? { ipa: hexNorm(ipa) } : {}),
      ...(fetch !== undefined ? { fetch_addr: hexNorm(fetch) } : {}),
    },
  };
}

function recogniseArmSmmu(unit: string, rest: string): Rec | null {
  const m = RE_CTX.exec(rest);
  if (m) {
    const fsr = h(m[1]), fsynr = h(m[3]);
    const f = fieldsNum(ARM_SMMU_FSR, [fsr]);
    const s = fieldsNum(ARM_SMMU_FSYNR0, [fsynr]);
    const faults = ARM_SMMU_FSR_FAULTS.filter((n) => f[n]).reverse();
    const access: Access[] = [s.WNR ? "write" : "read"];
    if (s.IND) access.push("exec");
    if (s.PNU) access.push("priv");
    const sid = m[4] !== undefined ? h(m[4]) & 0xffff : null;
    const meanings = faults.map((n) => ARM_SMMU_FSR.fields.find((x) => x.name === n)!.meaning);
    return {
      k: "fault",
      ev: {
        vendor: "arm-smmu",
        iommu: unit,
        device: sid !== null ? sidName(sid) : null,
        pasid: null,
        addr: hexNorm(m[2]),
        access,
        code: fsr,
        name: faults.join(" ") || "unknown",
        text: meanings.length
          ? meanings.map((x) => x[0].toUpperCase() + x.slice(1)).join("; ") + "."
          : "No fault bit is set in FSR.",
        generation: m[4] !== undefined ? "cbfrsynra" : "classic",
        recordOf: () => ({
          fsr: fieldsJson(ARM_SMMU_FSR, [fsr]),
          fsynr0: fieldsJson(ARM_SMMU_FSYNR0, [fsynr]),
          cb: +m[5],
        }),
      },
    };
  }
  if (/^(FSR|FSYNR0) += /.test(rest)) return { k: "known" };
  if (rest.startsWith("Unhandled context fault")) {
    return { k: "malformed", looksLike: "arm-smmu context fault" };
  }
  const q = /^Unhandled arm-smmu context fault from (\S+?)!?$/.exec(rest);
  if (q) {
    return {
      k: "fault",
      ev: {
        vendor: "arm-smmu",
        iommu: unit,
        device: normBdf(q[1]) ?? q[1],
        pasid: null,
        addr: null,
        access: [],
        code: null,
        name: "unknown",
        text: "A context fault (vendor tree format; registers follow in its own dump).",
        generation: "vendor",
      },
    };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// virtio-iommu (`viommu_fault_handler`, drivers/iommu/virtio-iommu.c) and the generic
// `io_page_fault` tracepoint (include/trace/events/iommu.h).
// ---------------------------------------------------------------------------------------------
const RE_VIRTIO =
  /^(domain|page|unknown) fault from EP (\d+)(?: at 0x([0-9a-fA-F]+) \[(R?)(W?)(X?)\])?\s*$/;
const RE_TRACE = /io_page_fault: IOMMU:(\S+) (\S+) iova=0x([0-9a-fA-F]+) flags=0x([0-9a-fA-F]+)/;

function recogniseVirtio(unit: string, rest: string): Rec | null {
  const m = RE_VIRTIO.exec(rest);
  if (!m) {
    return rest.includes(" fault from EP")
      ? { k: "malformed", looksLike: "virtio-iommu fault" }
      : null;
  }
  const r = VIRTIO_IOMMU_REASONS.find((x) => x.print === m[1])!;
  const access: Access[] = [];
  let flags = 0;
  if (m[4]) (access.push("read"), flags |= 1);
  if (m[5]) (access.push("write"), flags |= 2);
  if (m[6]) (access.push("exec"), flags |= 4);
  if (m[3] !== undefined) flags |= 0x100;
  const addr = m[3] !== undefined ? hexNorm(m[3]) : null;
  const words = encodeHalves(VIRTIO_IOMMU_FAULT, {
    reason: r.code,
    flags,
    endpoint: +m[2],
    address: addr ?? 0,
  });
  return {
    k: "fault",
    ev: {
      vendor: "virtio-iommu",
      iommu: unit,
      device: `ep:${+m[2]}`,
      pasid: null,
      addr,
      access,
      code: r.code,
      name: r.name,
      text: r.text,
      generation: "virtio",
      recordOf: () => fieldsJson(VIRTIO_IOMMU_FAULT, words, VIRTIO_RECORD_FIELDS),
    },
  };
}

const VIRTIO_RECORD_FIELDS = ["reason", "flags", "endpoint", "address"];

/** The timestamp of an ftrace line (`task-pid [cpu] flags 1042.330100: event: ...`). */
const RE_TRACE_TIME = / (\d+\.\d+): (?:io_page_fault|prq_report): /;

/** Seconds of the trace clock (`local` by default: per-CPU time since boot), when present. */
function traceTime(text: string): string | undefined {
  return RE_TRACE_TIME.exec(text)?.[1];
}

function recogniseTrace(text: string): Rec {
  const m = RE_TRACE.exec(text);
  if (!m) return { k: "malformed", looksLike: "iommu:io_page_fault" };
  const flags = h(m[4]);
  return {
    k: "fault",
    ev: {
      traceTime: traceTime(text),
      vendor: "trace",
      iommu: null,
      device: normBdf(m[2]) ?? m[2],
      pasid: null,
      addr: hexNorm(m[3]),
      access: [flags & 1 ? "write" : "read"],
      code: flags,
      name: flags & 1 ? "IOMMU_FAULT_WRITE" : "IOMMU_FAULT_READ",
      text: "report_iommu_fault() was called for this access (the io_page_fault tracepoint).",
      generation: "io_page_fault",
      detail: { driver: m[1] },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Dispatch.
// ---------------------------------------------------------------------------------------------
const RE_SUPPRESSED = /^(\w+): (\d+) callbacks suppressed\s*$/;
const RE_MISSED = /Missed (\d+) kernel messages/;

/** What a line of kernel text (container stripped) is; null when it is not an IOMMU report. */
export function recognise(text: string): Rec | null {
  const c0 = text.charCodeAt(0);
  // `<func>: N callbacks suppressed` (lib/ratelimit.c).
  if (text.endsWith("callbacks suppressed") || text.endsWith("callbacks suppressed\r")) {
    const m = RE_SUPPRESSED.exec(text);
    if (!m) return null;
    const s = SUPPRESSORS[m[1]];
    const n = +m[2];
    if (!s) {
      // An IOMMU driver's function (amd_iommu_*, arm_smmu_*, dmar_*); `amd` alone is amdgpu too.
      if (!/iommu|smmu|dmar/i.test(m[1])) return null;
      return {
        k: "loss",
        kind: "suppressed",
        vendor: null,
        source: m[1],
        count: n,
        faults_at_least: 0,
      };
    }
    return {
      k: "loss",
      kind: "suppressed",
      vendor: s.vendor,
      source: m[1],
      count: n,
      faults_at_least: s.callsPerFault ? Math.floor(n / s.callsPerFault) : 0,
    };
  }
  if (text.indexOf("io_page_fault: ") >= 0) return recogniseTrace(text);
  if (text.indexOf("prq_report: ") >= 0) return recognisePrqTrace(text);
  if (c0 === 68 /* D */ || c0 === 100 /* d */ || c0 === 73 /* I */) {
    if (text.startsWith("DMAR") || text.startsWith("dmar") || text.startsWith("INTR-REMAP")) {
      const t = text.startsWith("DMAR: ") ? text.slice(6) : text;
      const r = recogniseVtd(t);
      if (r) return r;
      const p = recogniseVtdPrq(t);
      if (p) return p;
      if (/Request device \[|fault addr|fault index/.test(text)) {
        return { k: "malformed", looksLike: "VT-d fault" };
      }
      return null;
    }
    if (text.startsWith("IOMMU: dmar")) return recogniseVtdPrq(text);
  }
  if (c0 === 91 /* [ */ && text.indexOf("] Request device [") > 0) {
    // A VT-d line whose `DMAR: ` prefix was cut off by a paste.
    const r = recogniseVtd(text);
    return r ?? { k: "malformed", looksLike: "VT-d fault" };
  }
  if (text.startsWith("AMD-Vi: ")) return recogniseAmd(text, null, null);
  const colon = devPrefixEnd(text);
  if (colon > 0) {
    const sp = text.indexOf(" ");
    const driver = text.slice(0, sp), dev = text.slice(sp + 1, colon);
    const rest = text.slice(colon + 2);
    if (driver === "arm-smmu-v3" || driver === "arm-smmu" || driver.startsWith("arm-smmu")) {
      return recogniseSmmu(driver, dev, rest);
    }
    if (driver === "virtio_iommu") return recogniseVirtio(dev, rest);
    if (rest.startsWith("AMD-Vi: ") || rest.startsWith("Event logged [")) {
      const unit = driver === "iommu" ? dev : null;
      return recogniseAmd(rest, unit, normBdf(dev));
    }
    if (driver === "iommu" && /^ivhd\d+$/.test(dev)) {
      // E1 second record: the body after a bare `Event logged [`.
      return recogniseAmd(rest, dev, null);
    }
    if (rest.startsWith("event 0x") && rest.includes(" received")) {
      return recogniseSmmu(driver, dev, rest);
    }
    if (rest.startsWith("Unhandled context fault")) return recogniseArmSmmu(dev, rest);
  }
  const mm = RE_MISSED.exec(text);
  if (mm) {
    return {
      k: "loss",
      kind: "journal-missed",
      vendor: null,
      source: "journald",
      count: +mm[1],
      faults_at_least: 0,
    };
  }
  // E0: the body of `printk(KERN_ERR "AMD-Vi: Event logged [")` arrives without any prefix.
  if (c0 >= 65 && c0 <= 90 && RE_AMD_TAG.test(text) && / device=[0-9a-fA-F]/.test(text)) {
    return { k: "amd-body", body: text, unit: null };
  }
  return null;
}

/** Names of the fields the decoded events carry that are JSON-valued. */
export type { Json };
