/**
 * What a fault is, in the few words a metric label can hold: who reported it (`vendor`), which
 * device (`device`, never an address), and the code and name of what went wrong. For records
 * these are read straight from the bytes at the offsets the ABI description gives (no decoding
 * into objects), so a stream of millions of records a second can be counted.
 *
 * | source                   | vendor                  | device          | code, name                 |
 * | ------------------------ | ----------------------- | --------------- | -------------------------- |
 * | VFIO `iommu_fault`       | `vfio`                  | empty           | reason; `PAGE_REQ` for PRQ |
 * | `iommu_hwpt_pgfault`     | `iommufd`               | `dev_id:N`      | empty, `PAGE_REQ`          |
 * | vEVENTQ                  | `arm-smmu-v3`, `tegra241-cmdqv` | `vsid:0xN` | event ID and name  |
 * | kernel log               | as `dmesg` says         | as `dmesg` says | as `dmesg` says            |
 *
 * @example
 * ```ts
 * import { recordLabeler } from "./labels.ts";
 * const rec = new Uint8Array(48);
 * rec[0] = 1; // type DMA_UNRECOV
 * rec[4] = 10; // reason PERMISSION (RFC v3 numbering)
 * recordLabeler("rfc3")(new DataView(rec.buffer), 0, true);
 * // => { vendor: "vfio", device: "", code: "10", name: "PERMISSION" }
 * ```
 * @module
 */
import { type AbiId, RECORDS } from "../abi/records.ts";
import type { EnumDesc, Field, ScalarField, UnionField } from "../abi/types.ts";
import type { BitField } from "../abi/hw/fields.ts";
import { VEVENT_TYPES, type VeventTypeId } from "../abi/vevent.ts";
import { hex } from "../codec/numbers.ts";
import { veventFields } from "../codec/vevent.ts";
import type { FaultEvent } from "../klog/types.ts";
import type { WatchFault } from "./events.ts";

/** The labels of one fault. */
export interface FaultLabels {
  /** Who reported it. */
  vendor: string;
  /** The device, or empty when the record does not say. */
  device: string;
  /** The vendor's code in decimal, or empty. */
  code: string;
  /** The code's name (`unknown` when the code has none). */
  name: string;
}

/** Reads the labels of a record of one ABI from its bytes. */
export type RecordLabeler = (dv: DataView, at: number, le: boolean) => FaultLabels;

const scalar = (fields: readonly Field[], name: string) =>
  fields.find((f): f is ScalarField => f.kind === "scalar" && f.name === name);

/** An enum's names by value (a Map: hostile values are not array indices). */
function names(e: EnumDesc | undefined): Map<number, string> {
  return new Map((e?.values ?? []).map((v) => [v.value, v.name]));
}

const cache = new Map<AbiId, RecordLabeler>();

/**
 * The labeler of a record ABI: `type` and `reason` read at their offsets (in the union member
 * the type selects), names from the ABI's enums.
 */
export function recordLabeler(abi: AbiId): RecordLabeler {
  const hit = cache.get(abi);
  if (hit) return hit;
  const layout = RECORDS[abi];
  const type = scalar(layout.fields, "type");
  const typeNames = names(type?.enum);
  const union = layout.fields.find((f): f is UnionField => f.kind === "union");
  const flatReason = scalar(layout.fields, "reason");
  const flatReasonNames = names(flatReason?.enum);
  // Per type value: where its reason is, if its member has one.
  const byType = new Map<number, { offset: number; names: Map<number, string> } | null>();
  for (const v of union?.variants ?? []) {
    const r = scalar(v.fields, "reason");
    byType.set(v.when, r ? { offset: union!.offset + r.offset, names: names(r.enum) } : null);
  }
  const devId = scalar(layout.fields, "dev_id");
  let labeler: RecordLabeler;
  if (layout.family !== "iommu_fault") {
    // iommufd's fault queue carries page requests only.
    labeler = (dv, at, le) => ({
      vendor: "iommufd",
      device: devId ? `dev_id:${dv.getUint32(at + devId.offset, le)}` : "",
      code: "",
      name: "PAGE_REQ",
    });
  } else {
    labeler = (dv, at, le) => {
      const t = type ? dv.getUint32(at + type.offset, le) : 0;
      const typeName = typeNames.get(t);
      let reason: { offset: number; names: Map<number, string> } | null | undefined;
      if (union) reason = byType.get(t);
      else if (flatReason && typeName !== undefined && /UNRECOV/.test(typeName)) {
        reason = { offset: flatReason.offset, names: flatReasonNames };
      }
      if (reason) {
        const code = dv.getUint32(at + reason.offset, le);
        return {
          vendor: "vfio",
          device: "",
          code: String(code),
          name: reason.names.get(code) ?? "unknown",
        };
      }
      return { vendor: "vfio", device: "", code: "", name: typeName ?? "unknown" };
    };
  }
  cache.set(abi, labeler);
  return labeler;
}

/** A field of a payload word, read as a number when it fits one 32-bit half (no BigInt). */
function halfReader(f: BitField): ((payload: readonly bigint[]) => number) | undefined {
  if (f.hi - f.lo >= 32 || (f.lo < 32 && f.hi >= 32) || f.take === "mask") return undefined;
  const shift = BigInt(f.lo >= 32 ? 32 : 0), lo = f.lo % 32, width = f.hi - f.lo + 1;
  const mask = width === 32 ? 0xffffffff : (1 << width) - 1;
  return (p) => ((Number(BigInt.asUintN(32, (p[f.word] ?? 0n) >> shift)) >>> lo) & mask) >>> 0;
}

const veventCache = new Map<VeventTypeId, (payload: readonly bigint[]) => FaultLabels>();

/** The labels of a vEVENTQ event: the event ID and name of an SMMUv3 record, its virtual SID. */
export function veventLabels(type: VeventTypeId, payload: readonly bigint[]): FaultLabels {
  let labeler = veventCache.get(type);
  if (!labeler) {
    const t = VEVENT_TYPES[type];
    const vendor = type === "arm-smmuv3" ? "arm-smmu-v3" : type;
    const idField = t.fields.find((x) => x.enum);
    const vsidField = t.fields.find((x) => x.name === "vsid");
    const id = idField && halfReader(idField);
    const vsid = vsidField && halfReader(vsidField);
    const idNames = names(idField?.enum);
    labeler = !idField ? () => ({ vendor, device: "", code: "", name: "LVCMDQ_ERR" }) : (p) => {
      const f = id && vsid ? undefined : veventFields(type, p);
      const code = id ? id(p) : Number(f![idField.name]);
      const v = vsid ? vsid(p) : f!.vsid !== undefined ? Number(f!.vsid) : undefined;
      return {
        vendor,
        device: v === undefined ? "" : `vsid:${hex(v)}`,
        code: String(code),
        name: idNames.get(code) ?? "unknown",
      };
    };
    veventCache.set(type, labeler);
  }
  return labeler(payload);
}

/** The labels of a kernel-log fault: what `dmesg` says, the address left out. */
export function logLabels(e: FaultEvent): FaultLabels {
  return {
    vendor: e.vendor,
    device: e.device ?? "",
    code: e.code === null ? "" : String(e.code),
    name: e.name,
  };
}

/** The labels of any fault. */
export function faultLabels(f: WatchFault): FaultLabels {
  switch (f.kind) {
    case "record":
      return recordLabeler(f.abi)(f.dv, f.at, f.littleEndian);
    case "vevent":
      return veventLabels(f.veventType, f.payload);
    case "log":
      return logLabels(f.event);
  }
}
