/**
 * Faults as answers: whether a fault hit an address with no mapping, a mapping that does not
 * allow the access, or a device with no domain at all (where the report says so), and one
 * sentence per summary row such as "0000:01:00.0 (Qualcomm QCA988x) wrote 3 times into System
 * RAM at 0xcece9e50-0xcff49550 while its domain had no mapping (IO_PAGE_FAULT)".
 *
 * What each report says, by vendor: AMD-Vi IO_PAGE_FAULT's PR flag (bit 4: the translation was
 * present; `include/VBox/iommu-amd.h` bit layout, source log:A9 in src/abi/sources.ts); SMMUv3
 * F_TRANSLATION (no valid translation) versus F_PERMISSION (ARM IHI 0070, 7.3); arm-smmu FSR.TF
 * versus FSR.PF; VT-d reasons 0x01 and 0x02 (root or context entry not present: no domain) and
 * the scalable-mode "Present bit ... is clear" reasons; virtio-iommu's DOMAIN reason. VT-d's
 * legacy "PTE Read/Write access is not set" cannot tell an absent page from a read-only one, so
 * it is not classified.
 *
 * @example
 * ```ts
 * import { mappingOf } from "./explain.ts";
 * mappingOf({ vendor: "arm-smmu-v3", code: 0x10, name: "F_TRANSLATION" }); // => "none"
 * mappingOf({ vendor: "amd", code: 2, name: "IO_PAGE_FAULT" }, 0x70); // => "denied"
 * ```
 * @module
 */
import { NO_REGION, type SummaryRow, times } from "./summary.ts";
import type { FaultEvent, Mapping } from "./types.ts";

export type { Mapping };

/** AMD-Vi IO_PAGE_FAULT flags.PR: the page was present. */
export const AMD_FLAG_PR = 0x10;

/**
 * What a fault report says about the mapping, or null when it does not say. AMD-Vi's answer is
 * in the IO_PAGE_FAULT flags, which the recogniser reads (pass them as `amdFlags`).
 */
export function mappingOf(
  e: Pick<FaultEvent, "vendor" | "code" | "name">,
  amdFlags?: number,
): Mapping | null {
  switch (e.vendor) {
    case "amd":
      if (e.code !== 2 || amdFlags === undefined) return null;
      return amdFlags & AMD_FLAG_PR ? "denied" : "none";
    case "arm-smmu-v3":
      return e.code === 0x10 ? "none" : e.code === 0x13 ? "denied" : null;
    case "arm-smmu": {
      const bits = e.name.split(" ");
      return bits.includes("TF") ? "none" : bits.includes("PF") ? "denied" : null;
    }
    case "intel":
      if (e.code === 0x01 || e.code === 0x02) return "no-domain";
      // Scalable mode: "SM: Present bit in ... paging entry is clear".
      return /^SM: Present bit in .*(paging|page-table|PTE)/i.test(e.name) ? "none" : null;
    case "virtio-iommu":
      return e.code === 1 ? "no-domain" : null;
    default:
      return null;
  }
}

const PHRASE: Readonly<Record<Mapping, string>> = {
  "none": "while its domain had no mapping",
  "denied": "where its mapping does not allow the access",
  "no-domain": "while it was attached to no domain",
};

function hex(v: bigint): string {
  return "0x" + v.toString(16);
}

/** `System RAM` or `System RAM (2) and Reserved (1)`. */
function regionList(regions: ReadonlyMap<string, number>, count: number): string {
  const list = [...regions].sort((a, b) => b[1] - a[1])
    .map(([n, c]) => [n === NO_REGION ? "no /proc/iomem region" : n, c] as const);
  if (list.length === 1 && list[0][1] === count) return list[0][0];
  const parts = list.map(([n, c]) => `${n} (${c})`);
  return parts.length > 1 ? parts.slice(0, -1).join(", ") + " and " + parts.at(-1) : parts[0];
}

/**
 * One sentence for a summary row: who did what how often, where (with the `/proc/iomem` region
 * when the row has them) and why, e.g. "0000:01:00.0 (Qualcomm QCA988x) wrote 3 times into
 * System RAM at 0xcece9e50-0xcff49550 while its domain had no mapping (IO_PAGE_FAULT)".
 */
export function explainRow(r: SummaryRow, deviceName: string | null = null): string {
  const who = (r.device ?? `an unnamed device on ${r.iommu ?? r.vendor}`) +
    (deviceName ? ` (${deviceName})` : "");
  const reads = r.access.includes("read"), writes = r.access.includes("write");
  const exec = r.access.includes("exec");
  const [verb, prep] = exec
    ? ["fetched instructions", "from"]
    : writes && !reads
    ? ["wrote", "into"]
    : reads && !writes
    ? ["read", "from"]
    : reads && writes
    ? ["read and wrote", "in"]
    : ["faulted", "in"];
  let s = `${who} ${verb} ${times(r.count)}`;
  if (r.addrMin !== null && r.addrMax !== null) {
    const at = r.addrMin === r.addrMax ? hex(r.addrMin) : `${hex(r.addrMin)}-${hex(r.addrMax)}`;
    if (r.regions.size) {
      s += ` ${prep} ${regionList(r.regions, r.count)} at ${at}`;
    } else s += ` at ${at}`;
  }
  const known = r.mapping.none + r.mapping.denied + r.mapping["no-domain"];
  if (known === r.count) {
    const only = (Object.keys(PHRASE) as Mapping[]).find((m) => r.mapping[m] === r.count);
    if (only) s += ` ${PHRASE[only]}`;
    else {
      s += ` (${r.mapping.none} with no mapping, ${r.mapping.denied} not permitted` +
        (r.mapping["no-domain"] ? `, ${r.mapping["no-domain"]} with no domain` : "") + ")";
    }
  }
  return `${s} (${r.name})`;
}
