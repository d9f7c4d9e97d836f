/**
 * The human view of `decode --as-iommu-fault`: for each hardware record, one row per kernel
 * path toward an `iommu_fault`, the fault in the columns `decode --abi mainline` shows (so a
 * reader follows a hardware event to what a VMM receives), or `none` and why.
 *
 * @example
 * ```ts
 * import { FAULT_COLUMNS, faultRows } from "./iommu_fault_view.ts";
 * import { decodeRecord } from "../codec/decode.ts";
 * FAULT_COLUMNS.slice(0, 4); // => ["index", "path", "kernels", "type"]
 * faultRows("vtd-fault", 0, decodeRecord("vtd-fault", new Uint8Array(16)))[0][3]; // => "none"
 * ```
 * @module
 */
import { iommuFaultOutcomes, outcomeRecord } from "../codec/hw_fault.ts";
import type { DecodedFields } from "../codec/decode.ts";
import { cellWriter, recordColumns } from "./format.ts";

const MAINLINE_COLUMNS = recordColumns("mainline");

/** Columns of the table: the record's index, the path, then the mainline record's columns. */
export const FAULT_COLUMNS: readonly string[] = [
  "index",
  "path",
  "kernels",
  ...MAINLINE_COLUMNS,
  "note",
];

/** The line above the table. */
export const FAULT_HEADING =
  "iommu_fault each record becomes (mainline layout, as decode --abi mainline shows it):";

/** The rows of one record: one per kernel path. */
export function faultRows(abi: string, index: number, rec: DecodedFields): string[][] {
  const cells = cellWriter("mainline");
  return iommuFaultOutcomes(abi, rec).map((o) => {
    const r = outcomeRecord(o);
    const body = r
      ? cells(r.rec)
      : ["none", ...Array.from({ length: MAINLINE_COLUMNS.length - 1 }, () => "")];
    return [String(index), o.id, o.kernels, ...body, r ? "" : o.dropped ?? "not reported"];
  });
}
