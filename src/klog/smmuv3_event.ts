/**
 * An SMMUv3 event record (the four words of a raw dump) as a normalised fault: the event's name
 * and meaning, the fields it carries, and the `iommu_fault` each kernel path makes of it.
 *
 * @example
 * ```ts
 * import { smmuv3Fault } from "./smmuv3_event.ts";
 * import { halvesOf } from "./fast_fields.ts";
 * const words = halvesOf(["0000010000000010", "0000020800000000", "00000000ffff1000", "0"]);
 * const ev = smmuv3Fault("arm-smmu-v3.0.auto", words);
 * ev.name; // => "F_TRANSLATION"
 * ev.device; // => "sid:0x100"
 * ```
 * @module
 */
import { SMMUV3_EVT, smmuv3Event } from "../abi/hw/smmuv3.ts";
import { decodeHw } from "../codec/bitfield.ts";
import { smmuv3ToIommuFault } from "../codec/hw_fault.ts";
import { fieldHex, fieldsJson, fieldsNum, type Halves, wordsOf } from "./fast_fields.ts";
import { deferred, encodeMainline } from "./iommu_fault_json.ts";
import type { JsonObject } from "../codec/json.ts";
import type { FaultCore } from "./event.ts";
import { sidName } from "./recognise.ts";
import type { Access } from "./types.ts";

const hex = (v: number) => "0x" + v.toString(16);

/**
 * The normalised fault of a complete (or, with fewer words, truncated) SMMUv3 dump. `halves` are
 * the dump's words as 32-bit halves, low half first (two per word; fewer than eight: truncated).
 */
export function smmuv3Fault(unit: string, halves: Halves, headId?: number): FaultCore {
  const words = halves.length >> 1;
  const full: Halves = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => halves[i] ?? 0);
  const f = fieldsNum(SMMUV3_EVT, full);
  const id = words ? f.id : headId ?? 0;
  const e = smmuv3Event(id);
  const carried = carriedFields(id);
  const access: Access[] = [];
  if (carried.includes("rnw") && words >= 2) {
    access.push(f.rnw ? "read" : "write");
    if (f.ind) access.push("exec");
    if (f.pnu) access.push("priv");
  }
  let addr: string | null = null;
  if (carried.includes("iova") && words >= 3) addr = fieldHex(SMMUV3_EVT, "iova", full);
  else if (carried.includes("fetch_addr") && words >= 4) {
    addr = fieldHex(SMMUV3_EVT, "fetch_addr", full);
  }
  return {
    vendor: "arm-smmu-v3",
    iommu: unit,
    device: words ? sidName(f.sid) : null,
    pasid: f.ssv ? f.ssid : null,
    addr,
    access,
    code: id,
    name: e?.name ?? "unknown",
    text: e?.text ??
      `Event ID ${hex(id)} is not defined by the architecture (IMPLEMENTATION DEFINED?).`,
    generation: "M1",
    // Built when read (JSON output), not for every event of a storm that is only counted.
    recordOf: (iommuFault) => smmuv3Record(full, carried, words === 4 && iommuFault),
  };
}

/** The fields each event ID carries, by ID (one list per ID, shared by its events). */
const CARRIED = new Map<number, readonly string[]>();

function carriedFields(id: number): readonly string[] {
  let c = CARRIED.get(id);
  if (!c) {
    const e = smmuv3Event(id);
    c = e ? ["id", ...e.fields] : ["id", "sid", "ssv", "ssid"];
    if (CARRIED.size < 256) CARRIED.set(id, c);
  }
  return c;
}

/** The record's fields, its four words, and (when asked) the `iommu_fault` of each path. */
function smmuv3Record(full: Halves, carried: readonly string[], iommuFault: boolean): JsonObject {
  const record = fieldsJson(SMMUV3_EVT, full, carried);
  record.words = [0, 2, 4, 6].map((i) =>
    "0x" + full[i + 1].toString(16).padStart(8, "0") + full[i].toString(16).padStart(8, "0")
  );
  if (iommuFault) {
    record.iommu_fault = deferred(() => {
      const d = decodeHw(SMMUV3_EVT, wordsOf(SMMUV3_EVT, full));
      return {
        "mainline-5.13": encodeMainline(smmuv3ToIommuFault(d, "mainline-5.13")),
        "mainline-6.8": encodeMainline(smmuv3ToIommuFault(d, "mainline-6.8")),
        "nested-v9-v12": encodeMainline(smmuv3ToIommuFault(d, "nested-v9-v12")),
      };
    });
  }
  return record;
}
