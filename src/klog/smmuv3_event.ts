/**
 * An SMMUv3 event record (the four words of a raw dump) as a normalised fault: the event's name
 * and meaning, the fields it carries, and the `iommu_fault` each kernel path makes of it.
 *
 * @example
 * ```ts
 * import { smmuv3Fault } from "./smmuv3_event.ts";
 * const ev = smmuv3Fault("arm-smmu-v3.0.auto", [0x0000010000000010n, 0x0000020800000000n, 0xffff1000n, 0n]);
 * ev.name; // "F_TRANSLATION"
 * ev.device; // "sid:0x100"
 * ```
 * @module
 */
import { SMMUV3_EVT, smmuv3Event } from "../abi/hw/smmuv3.ts";
import { decodeHw, hwJson } from "../codec/bitfield.ts";
import { smmuv3ToIommuFault } from "../codec/hw_fault.ts";
import { encodeMainline, lazy } from "./iommu_fault_json.ts";
import type { FaultCore } from "./recognise.ts";
import type { Access } from "./types.ts";

const hex = (v: bigint | number) => "0x" + v.toString(16);

/** The normalised fault of a complete (or, with fewer words, truncated) SMMUv3 dump. */
export function smmuv3Fault(unit: string, words: readonly bigint[], headId?: number): FaultCore {
  const full = [0, 1, 2, 3].map((i) => words[i] ?? 0n);
  const f = decodeHw(SMMUV3_EVT, full);
  const id = words.length ? Number(f.id) : headId ?? 0;
  const e = smmuv3Event(id);
  const carried = e ? ["id", ...e.fields] : ["id", "sid", "ssv", "ssid"];
  const access: Access[] = [];
  if (carried.includes("rnw") && words.length >= 2) {
    access.push(f.rnw ? "read" : "write");
    if (f.ind) access.push("exec");
    if (f.pnu) access.push("priv");
  }
  let addr: string | null = null;
  if (carried.includes("iova") && words.length >= 3) addr = hex(f.iova);
  else if (carried.includes("fetch_addr") && words.length >= 4) addr = hex(f.fetch_addr);
  const record = hwJson(SMMUV3_EVT, f, carried);
  record.words = full.map((w) => "0x" + w.toString(16).padStart(16, "0"));
  if (words.length === 4) {
    // Computed when read (JSON output), not for every event of a storm that is only counted.
    lazy(record, "iommu_fault", () => ({
      "mainline-5.13": encodeMainline(smmuv3ToIommuFault(f, "mainline-5.13")),
      "mainline-6.8": encodeMainline(smmuv3ToIommuFault(f, "mainline-6.8")),
      "nested-v9-v12": encodeMainline(smmuv3ToIommuFault(f, "nested-v9-v12")),
    }));
  }
  return {
    vendor: "arm-smmu-v3",
    iommu: unit,
    device: words.length ? `sid:${hex(f.sid)}` : null,
    pasid: f.ssv ? Number(f.ssid) : null,
    addr,
    access,
    code: id,
    name: e?.name ?? "unknown",
    text: e?.text ??
      `Event ID ${hex(id)} is not defined by the architecture (IMPLEMENTATION DEFINED?).`,
    generation: "M1",
    record,
  };
}
