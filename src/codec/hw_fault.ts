/**
 * Which `iommu_fault` a hardware event becomes: the conversions the kernel drivers perform,
 * returning the fields of a mainline `struct iommu_fault` (encode them with
 * `encodeRecord("mainline", ...)`), or why the event is not reported. Constants come from the
 * ABI description (`PERM_V8`, `UNRECOV_V8`, `PRQ_MAINLINE`, `REASON_V4`), never literals.
 *
 * Paths:
 * - SMMUv3, out-of-tree nested series v9-v12: `arm_smmu_handle_evt` of that series ("[PATCH v12
 *   13/15] iommu/smmuv3: Report non recoverable faults", source M8 in src/abi/sources.ts), which
 *   also reports configuration faults.
 * - SMMUv3, mainline about 5.13-6.7: `arm_smmu_handle_evt` (torvalds/linux, e.g. the 6.6 tree
 *   @ 0468be89b3fa5b9249cee1097f1d50314950a2df, drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c):
 *   IDs 0x10-0x13 without S2; a stalled one is a page request, otherwise an unrecoverable fault.
 * - SMMUv3, mainline 6.8 and later: the same function returns -EOPNOTSUPP unless the event is
 *   stalled (Lu Baolu's series removing unrecoverable fault reporting), so only page requests.
 * - VT-d page request: `intel_prq_report` (torvalds/linux @
 *   1a7c3068143be177deea86d977d3042a0c256706, drivers/iommu/intel/prq.c).
 * - AMD PPR: `iommu_call_iopf_notifier` (torvalds/linux @
 *   3c6a2bac15247bc4f28125247ff89165324612fe, drivers/iommu/amd/ppr.c).
 *
 * @example
 * ```ts
 * import { smmuv3ToIommuFault } from "./hw_fault.ts";
 * import { decodeHw } from "./bitfield.ts";
 * import { SMMUV3_EVT } from "../abi/hw/smmuv3.ts";
 * const ev = decodeHw(SMMUV3_EVT, [0x0000010000000010n, 0x0000020800000000n, 0xffff1000n, 0n]);
 * smmuv3ToIommuFault(ev, "mainline-5.13").fault; // => { type: 1, event: { reason: 5, ... } }
 * ```
 * @module
 */
import type { EnumDesc, FlagSet } from "../abi/types.ts";
import { FAULT_TYPE, PERM_V8, PRQ_MAINLINE, REASON_V4, UNRECOV_V8 } from "../abi/records.ts";
import { AMD_PPR_FLAGS, PPR_REQ_FAULT } from "../abi/hw/amd.ts";
import { VEVENT_REPORTED_IDS } from "../abi/vevent.ts";
import type { HwFields } from "./bitfield.ts";
import { genmask } from "./bitfield.ts";
import { type DecodedFields, decodeRecord } from "./decode.ts";
import { type EncodeInput, encodeRecord } from "./encode.ts";
import { type JsonObject, recordJson } from "./json.ts";

/** The fields of a mainline `iommu_fault`, as `encodeRecord("mainline", ...)` takes them. */
export interface MainlineFault {
  /** `enum iommu_fault_type`: DMA_UNRECOV (1) or PAGE_REQ (2). */
  type: number;
  /** The unrecoverable fault (type 1). */
  event?: {
    reason: number;
    flags: number;
    pasid: number;
    perm: number;
    addr: bigint;
    fetch_addr: bigint;
  };
  /** The page request (type 2). */
  prm?: {
    flags: number;
    pasid: number;
    grpid: number;
    perm: number;
    addr: bigint;
    private_data: [bigint, bigint];
  };
  /** Lets it pass as `EncodeInput`. */
  [k: string]: unknown;
}

/** A conversion result: the fault the driver reports, or null and why not. */
export interface Conversion {
  /** The fault the driver reports, or null. */
  fault: MainlineFault | null;
  /** The driver function and kernel range that perform it. */
  path: string;
  /** Why no fault is reported (when `fault` is null). */
  dropped?: string;
}

/** SMMUv3 conversion paths. */
export type Smmuv3Path = "nested-v9-v12" | "mainline-5.13" | "mainline-6.8";

const bit = (set: FlagSet, name: string): number => {
  const b = set.bits.find((x) => x.name === name);
  if (!b) throw new Error(`${set.name} has no ${name}`);
  return 1 << b.bit;
};
const val = (e: EnumDesc, name: string): number => {
  const v = e.values.find((x) => x.name === name);
  if (!v) throw new Error(`${e.name} has no ${name}`);
  return v.value;
};

const DMA_UNRECOV = val(FAULT_TYPE, "DMA_UNRECOV");
const PAGE_REQ = val(FAULT_TYPE, "PAGE_REQ");
const P_READ = bit(PERM_V8, "READ"), P_WRITE = bit(PERM_V8, "WRITE");
const P_EXEC = bit(PERM_V8, "EXEC"), P_PRIV = bit(PERM_V8, "PRIV");
const U_PASID = bit(UNRECOV_V8, "PASID_VALID"), U_ADDR = bit(UNRECOV_V8, "ADDR_VALID");
const U_FETCH = bit(UNRECOV_V8, "FETCH_ADDR_VALID");
const R_PASID = bit(PRQ_MAINLINE, "PASID_VALID"), R_LAST = bit(PRQ_MAINLINE, "LAST_PAGE");
const R_NEEDS = bit(PRQ_MAINLINE, "NEEDS_PASID");

const n = (v: bigint | undefined) => Number(v ?? 0n);

/** perm from an SMMUv3 event: READ if RnW else WRITE, + EXEC if InD, + PRIV if PnU. */
function smmuPerm(e: HwFields): number {
  return (n(e.rnw) ? P_READ : P_WRITE) | (n(e.ind) ? P_EXEC : 0) | (n(e.pnu) ? P_PRIV : 0);
}

/** SMMUv3 translation events and the `iommu_fault_reason` each becomes. */
const XLATE_REASON: Readonly<Record<number, string>> = {
  0x10: "PTE_FETCH",
  0x11: "OOR_ADDRESS",
  0x12: "ACCESS",
  0x13: "PERMISSION",
};

/** Events the nested series reports: reason, flags always set, and whether S2 drops it. */
const NESTED: Readonly<Record<number, { reason: string; flags: number; s2Drops: boolean }>> = {
  0x08: { reason: "PASID_INVALID", flags: U_PASID, s2Drops: false },
  0x09: { reason: "PASID_FETCH", flags: U_FETCH, s2Drops: false },
  0x0a: { reason: "BAD_PASID_ENTRY", flags: 0, s2Drops: false },
  0x0b: { reason: "WALK_EABT", flags: U_ADDR | U_FETCH, s2Drops: true },
  0x10: { reason: "PTE_FETCH", flags: U_ADDR, s2Drops: true },
  0x11: { reason: "OOR_ADDRESS", flags: U_ADDR, s2Drops: true },
  0x12: { reason: "ACCESS", flags: U_ADDR, s2Drops: true },
  0x13: { reason: "PERMISSION", flags: U_ADDR, s2Drops: true },
};

function stalledPageRequest(e: HwFields): MainlineFault {
  const ssv = n(e.ssv) === 1;
  return {
    type: PAGE_REQ,
    prm: {
      flags: R_LAST | (ssv ? R_PASID : 0),
      pasid: ssv ? n(e.ssid) : 0,
      grpid: n(e.stag),
      perm: smmuPerm(e),
      addr: e.iova ?? 0n,
      private_data: [0n, 0n],
    },
  };
}

/**
 * The `iommu_fault` an SMMUv3 event record becomes on one of the kernel paths; `e` holds the
 * fields of {@link SMMUV3_EVT} (decoded with `decodeHw`).
 */
export function smmuv3ToIommuFault(e: HwFields, path: Smmuv3Path): Conversion {
  const id = n(e.id);
  const s2 = n(e.s2) === 1;
  const ssv = n(e.ssv) === 1;
  if (path === "nested-v9-v12") {
    const how =
      'arm_smmu_handle_evt, nested series v9-v12 ("iommu/smmuv3: Report non recoverable faults")';
    const m = NESTED[id];
    if (!m) return { fault: null, path: how, dropped: "event ID not reported to the nested user" };
    if (m.s2Drops && s2) return { fault: null, path: how, dropped: "stage-2 fault (S2 set)" };
    const flags = m.flags | (ssv ? U_PASID : 0);
    const addrValid = (flags & U_ADDR) !== 0;
    return {
      path: how,
      fault: {
        type: DMA_UNRECOV,
        event: {
          reason: val(REASON_V4, m.reason),
          flags,
          pasid: ssv || id === 0x08 ? n(e.ssid) : 0,
          perm: addrValid ? smmuPerm(e) : 0,
          addr: addrValid ? e.iova ?? 0n : 0n,
          // The series builds it with FIELD_GET(GENMASK_ULL(51, 3), evt[3]): shifted down by 3,
          // unlike the mainline driver's masked fetch_addr. Reproduced as that kernel did it.
          fetch_addr: flags & U_FETCH ? (e.fetch_addr ?? 0n) >> 3n : 0n,
        },
      },
    };
  }
  const how = path === "mainline-5.13"
    ? "arm_smmu_handle_evt, mainline about 5.13-6.7"
    : "arm_smmu_handle_evt, mainline 6.8 and later";
  const reason = XLATE_REASON[id];
  if (!reason) return { fault: null, path: how, dropped: "only IDs 0x10-0x13 are reported" };
  if (s2) return { fault: null, path: how, dropped: "stage-2 fault (S2 set): -EFAULT" };
  if (n(e.stall)) return { path: how, fault: stalledPageRequest(e) };
  if (path === "mainline-6.8") {
    return {
      fault: null,
      path: how,
      dropped: "not stalled: unrecoverable faults are not reported",
    };
  }
  return {
    path: how,
    fault: {
      type: DMA_UNRECOV,
      event: {
        reason: val(REASON_V4, reason),
        flags: U_ADDR | (ssv ? U_PASID : 0),
        pasid: ssv ? n(e.ssid) : 0,
        perm: smmuPerm(e),
        addr: e.iova ?? 0n,
        fetch_addr: 0n,
      },
    },
  };
}

/**
 * `is_canonical_address` of x86-64 with 4-level paging (`__VIRTUAL_MASK_SHIFT` = 47): bits 63:47
 * all equal. A kernel with 5-level paging accepts 57-bit addresses.
 */
function canonical(addr: bigint): boolean {
  const top = BigInt.asUintN(64, addr) >> 47n;
  return top === 0n || top === (1n << 17n) - 1n;
}

/** The `iommu_fault` a VT-d page request descriptor becomes (`intel_prq_report`). */
export function vtdPrqToIommuFault(d: HwFields): Conversion {
  const path = "intel_prq_report (prq.c, 6.13+; intel_svm_prq_report in svm.c before)";
  const rd = n(d.rd_req), wr = n(d.wr_req), lpig = n(d.lpig);
  // prq_event_thread answers malformed requests without reporting them, in this order, and
  // drops stop markers; a requester it does not know is answered the same way (not in the record).
  if (!canonical((d.addr ?? 0n) << 12n)) {
    return { fault: null, path, dropped: "address is not canonical: answered as invalid" };
  }
  if (n(d.pm_req) && (rd | wr)) {
    return { fault: null, path, dropped: "page request in privilege mode: answered as invalid" };
  }
  if (n(d.exe_req) && rd) {
    return { fault: null, path, dropped: "execution request not supported: answered as invalid" };
  }
  if (lpig && !rd && !wr) return { fault: null, path, dropped: "stop marker: dropped silently" };
  const pp = n(d.pasid_present) === 1;
  return {
    path,
    fault: {
      type: PAGE_REQ,
      prm: {
        flags: (lpig ? R_LAST : 0) | (pp ? R_PASID | R_NEEDS : 0),
        pasid: n(d.pasid),
        grpid: n(d.prg_index),
        perm: (rd ? P_READ : 0) | (wr ? P_WRITE : 0) | (n(d.exe_req) ? P_EXEC : 0) |
          (n(d.pm_req) ? P_PRIV : 0),
        addr: (d.addr ?? 0n) << 12n,
        private_data: [0n, 0n],
      },
    },
  };
}

/** AMD `PPR_FLAG_*` values the conversion reads. */
const PPR = {
  EXEC: bit(AMD_PPR_FLAGS, "EXEC"),
  READ: bit(AMD_PPR_FLAGS, "READ"),
  WRITE: bit(AMD_PPR_FLAGS, "WRITE"),
  US: bit(AMD_PPR_FLAGS, "US"),
  RVSD: bit(AMD_PPR_FLAGS, "RVSD"),
  GN: bit(AMD_PPR_FLAGS, "GN"),
};

/**
 * The `iommu_fault` an AMD PPR log entry becomes (`iommu_call_iopf_notifier`); fields of
 * {@link AMD_PPR}. A device's `max_pasids` is not in the entry, so only PASID 0 is refused here.
 */
export function amdPprToIommuFault(p: HwFields): Conversion {
  const path = "iommu_call_iopf_notifier (drivers/iommu/amd/ppr.c, 6.9+)";
  if (n(p.req_type) !== PPR_REQ_FAULT) {
    return { fault: null, path, dropped: "not a fault request: 'Unknown PPR request received'" };
  }
  const flags = n(p.flags);
  if (!(flags & PPR.GN)) return { fault: null, path, dropped: "GN=0: request ignored" };
  if (flags & PPR.RVSD) return { fault: null, path, dropped: "reserved bit set: invalid format" };
  const pasid = (n(p.pasid_hi) << 16) | n(p.pasid_lo);
  if (pasid === 0) return { fault: null, path, dropped: "PASID 0: 'Invalid PASID'" };
  const tag = n(p.tag);
  return {
    path,
    fault: {
      type: PAGE_REQ,
      prm: {
        flags: R_NEEDS | R_PASID | (tag & 0x200 ? R_LAST : 0),
        pasid,
        grpid: tag & 0x1ff,
        perm: (flags & PPR.READ ? P_READ : 0) | (flags & PPR.WRITE ? P_WRITE : 0) |
          (flags & PPR.EXEC ? P_EXEC : 0) | (flags & PPR.US ? 0 : P_PRIV),
        addr: (p.address ?? 0n) & ~genmask(11, 0) & ((1n << 64n) - 1n),
        private_data: [0n, 0n],
      },
    },
  };
}

/** One kernel path a record takes to (or short of) an `iommu_fault`, with its outcome. */
export interface FaultOutcome extends Conversion {
  /** Short id of the path (`mainline-6.8`, `nested-v9-v12`, ...). */
  id: string;
  /** The kernels that take it. */
  kernels: string;
}

/** A record that no kernel turns into an `iommu_fault`: the one path it takes, and why. */
function never(id: string, kernels: string, path: string, dropped: string): FaultOutcome[] {
  return [{ id, kernels, path, fault: null, dropped }];
}

/** Field values of a decoded record by name, as BigInt (array elements as `name0`, ...). */
export function hwFields(rec: Readonly<Record<string, unknown>>): HwFields {
  const out: HwFields = {};
  for (const [k, v] of Object.entries(rec)) {
    if (typeof v === "number" || typeof v === "bigint") out[k] = BigInt(v);
    else if (Array.isArray(v)) v.forEach((x, i) => (out[`${k}${i}`] = BigInt(x)));
  }
  return out;
}

/**
 * Every kernel path a hardware record of `abi` takes toward an `iommu_fault`, and what comes
 * out of each: the mainline-layout fault, or null and why none (`rec` is a decoded record of
 * that ABI, as `decoderFor` gives it). Records no driver reports still get one outcome that
 * says what the kernel does with them instead.
 *
 * @example
 * ```ts
 * import { iommuFaultOutcomes } from "./hw_fault.ts";
 * import { decodeRecord } from "./decode.ts";
 * import { parseHex } from "./hex.ts";
 * const rec = decodeRecord("vtd-fault", parseHex("00 20 3b 4c 5e 7f 00 00 10 00 00 80 71 1a 00 80"));
 * iommuFaultOutcomes("vtd-fault", rec)[0].fault; // => null: VT-d logs DMA-remapping faults only
 * ```
 */
export function iommuFaultOutcomes(
  abi: string,
  rec: Readonly<Record<string, unknown>>,
): FaultOutcome[] {
  const f = hwFields(rec);
  switch (abi) {
    case "smmuv3-evt": {
      const now = smmuv3ToIommuFault(f, "mainline-6.8");
      const id = n(f.id);
      if (
        !now.fault && now.dropped?.startsWith("not stalled") && VEVENT_REPORTED_IDS.includes(id)
      ) {
        now.dropped += "; on 6.15+ a nested vIOMMU's master gets it as a vEVENT instead " +
          "(decode --abi vevent)";
      }
      return [
        { id: "mainline-6.8", kernels: "6.8 and later", ...now },
        {
          id: "mainline-5.13",
          kernels: "about 5.13 to 6.7",
          ...smmuv3ToIommuFault(f, "mainline-5.13"),
        },
        {
          id: "nested-v9-v12",
          kernels: "out-of-tree nested series v9-v12",
          ...smmuv3ToIommuFault(f, "nested-v9-v12"),
        },
      ];
    }
    case "vtd-prq":
      return [{ id: "mainline", kernels: "about 5.12 and later", ...vtdPrqToIommuFault(f) }];
    case "amd-ppr":
      return [{ id: "mainline", kernels: "6.9 and later", ...amdPprToIommuFault(f) }];
    case "smmuv3-priq":
      return never(
        "mainline",
        "every version",
        "arm_smmu_handle_ppr (arm-smmu-v3.c)",
        "PRI requests are not reported: the driver logs 'unexpected PRI request received' and " +
          "denies the last request of the group",
      );
    case "amd-evt":
      return never(
        "mainline",
        "every version",
        "iommu_print_event / amd_iommu_report_page_fault (drivers/iommu/amd/iommu.c)",
        n(f.code) === 2
          ? "an IO_PAGE_FAULT goes to report_iommu_fault (the io_page_fault tracepoint and the " +
            "domain's fault handler) and the log, never to an iommu_fault; page requests come " +
            "from the PPR log (amd-ppr)"
          : "event log entries other than IO_PAGE_FAULT are only logged",
      );
    case "vtd-fault":
      return never(
        "mainline",
        "every version",
        "dmar_fault / dmar_fault_do_one (drivers/iommu/intel/dmar.c)",
        "a fault record is logged and cleared; VT-d reports no DMA-remapping fault as an " +
          "iommu_fault (page requests come from the page request queue: vtd-prq)",
      );
    case "virtio-iommu-fault":
      return never(
        "mainline",
        "5.3 and later",
        "viommu_fault_handler (drivers/iommu/virtio-iommu.c)",
        "the driver only logs it (forwarding to report_iommu_fault is a TODO in the driver)",
      );
    case "arm-smmu-fsr":
    case "arm-smmu-fsynr0":
      return never(
        "mainline",
        "every version",
        "arm_smmu_context_fault (drivers/iommu/arm/arm-smmu/arm-smmu.c)",
        "a context fault goes to report_iommu_fault (the io_page_fault tracepoint and the " +
          "domain's fault handler) and the log, never to an iommu_fault",
      );
  }
  throw new Error(`${abi} is not a hardware record`);
}

/** The mainline record of an outcome, decoded as `decode --abi mainline` decodes it. */
export function outcomeRecord(o: FaultOutcome): { bytes: Uint8Array; rec: DecodedFields } | null {
  if (!o.fault) return null;
  const bytes = encodeRecord("mainline", o.fault as unknown as EncodeInput);
  return { bytes, rec: decodeRecord("mainline", bytes) };
}

/**
 * An outcome as JSON: `{path, kernels, via, abi: "mainline", fault, bytes}` with `fault` in the
 * JSON of `decode --abi mainline`, or `{path, kernels, via, fault: null, dropped}`.
 */
export function outcomeJson(o: FaultOutcome): JsonObject {
  const head: JsonObject = { path: o.id, kernels: o.kernels, via: o.path };
  const r = outcomeRecord(o);
  if (!r) return { ...head, fault: null, dropped: o.dropped ?? "not reported" };
  return {
    ...head,
    abi: "mainline",
    fault: recordJson("mainline", r.rec),
    bytes: Array.from(r.bytes, (b) => b.toString(16).padStart(2, "0")).join(""),
  };
}
