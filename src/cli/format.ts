/**
 * Human formatting of decoded records: one table row per record, with columns taken from the ABI
 * description (union members share columns by field name), decoded names next to raw values.
 * Numbers follow `src/codec/numbers.ts`: counts in decimal, addresses and flag words in hex.
 *
 * @example
 * ```ts
 * import { columnWidths, recordColumns } from "./format.ts";
 * recordColumns("mainline");
 * // => ["type", "reason", "flags", "pasid", "perm", "addr", "fetch_addr", "grpid", "private_data"]
 * columnWidths("mainline")[0]; // => 14: "DMA_UNRECOV(1)" is the longest type
 * ```
 * @module
 */
import { type AbiId, RECORDS } from "../abi/records.ts";
import type { Field, RecordLayout } from "../abi/types.ts";
import type { DecodedFields } from "../codec/decode.ts";
import { bdf, bitsFitNumber, fieldPresent } from "../codec/bits.ts";
import { enumName, flagNames, knownMask } from "../codec/names.ts";
import { hex } from "../codec/numbers.ts";

function visit(
  fields: readonly Field[],
  rec: DecodedFields | undefined,
  cb: (f: Field, rec: DecodedFields | undefined) => void,
) {
  for (const f of fields) {
    if (f.kind === "union") {
      for (const v of f.variants) {
        const member = rec?.[v.name];
        if (rec && !member) continue;
        visit(v.fields, member as DecodedFields | undefined, cb);
      }
    } else if (f.kind !== "bytes") cb(f, rec);
  }
}

const layoutOf = (abi: AbiId | RecordLayout) => typeof abi === "string" ? RECORDS[abi] : abi;

/** Column names for an ABI: every field but reserved/padding, in struct order, deduplicated. */
export function recordColumns(abi: AbiId | RecordLayout): string[] {
  const cols: string[] = [];
  visit(layoutOf(abi).fields, undefined, (f) => {
    if (
      (f.kind === "scalar" || f.kind === "bits") && (f.role === "reserved" || f.role === "padding")
    ) {
      return;
    }
    if (!cols.includes(f.name)) cols.push(f.name);
  });
  return cols;
}

/**
 * Formats a field value: enums as `NAME(n)` (just `n` when the kernel's name is the number, as
 * in `IOMMU_PAGE_RESP_VERSION_1`; `?(n)` when the enum has no such value), flags as
 * `0x3 A|B`, u64 as hex, a PCI requester ID as `bb:dd.f`.
 */
export function formatValue(f: Field, v: DecodedFields[string]): string {
  if (f.kind === "array") return (v as bigint[]).map(hex).join(",");
  if (f.kind !== "scalar" && f.kind !== "bits") return "";
  if (typeof v === "bigint") return hex(v);
  const n = v as number;
  if (f.kind === "bits" && f.format === "bdf") return bdf(n);
  if (f.enum) {
    const name = enumName(f.enum, n);
    return name === String(n) ? name : `${name ?? "?"}(${n})`;
  }
  if (f.flags) {
    if (n === 0) return "0";
    const { names, unknown } = flagNames(f.flags, n);
    if (unknown) names.push(`?${hex(unknown)}`);
    return `${hex(n)} ${names.join("|")}`;
  }
  return String(n);
}

/** Turns a decoded record into the cells of {@link recordColumns}. */
export type CellWriter = (rec: DecodedFields) => string[];

const writers = new Map<RecordLayout, CellWriter>();

/** The cell writer of an ABI: columns are laid out once, not per record. */
export function cellWriter(abi: AbiId | RecordLayout): CellWriter {
  const layout = layoutOf(abi);
  let w = writers.get(layout);
  if (w) return w;
  const index = new Map(recordColumns(layout).map((c, i) => [c, i]));
  const width = index.size;
  w = (rec) => {
    const cells = new Array<string>(width).fill("");
    visit(layout.fields, rec, (f, r) => {
      const i = index.get(f.name);
      if (i !== undefined && r && fieldPresent(f, r)) cells[i] = formatValue(f, r[f.name]);
    });
    return cells;
  };
  writers.set(layout, w);
  return w;
}

/** The cells of one record under {@link recordColumns}; empty where a field does not apply. */
export function recordCells(abi: AbiId | RecordLayout, rec: DecodedFields): string[] {
  return cellWriter(abi)(rec);
}

/** Digits of the largest value a field can hold, as {@link formatValue} writes it. */
function valueWidth(f: Field): number {
  if (f.kind === "array") return f.count * 18 + f.count - 1;
  if (f.kind !== "scalar" && f.kind !== "bits") return 0;
  const big = f.kind === "scalar" ? f.type === "u64" : !bitsFitNumber(f);
  // Largest value: every bit of the field (a masked field keeps its position).
  const top = f.kind === "scalar"
    ? (f.type === "u64" ? 64 : 32)
    : f.take === "mask"
    ? f.hi + 1
    : f.hi - f.lo + 1;
  const max = (1n << BigInt(top)) - 1n;
  if (big) return 2 + max.toString(16).length;
  if (f.kind === "bits" && f.format === "bdf") return 7;
  if (f.enum) {
    let w = `?(${max})`.length;
    for (const v of f.enum.values) {
      const name = String(v.value) === v.name ? v.name : `${v.name}(${v.value})`;
      w = Math.max(w, name.length);
    }
    return w;
  }
  if (f.flags) {
    // Every defined bit set; undefined bits (`?0x...`) are rare enough to overflow the column.
    const all = knownMask(f.flags);
    return `${hex(all)} ${f.flags.bits.map((b) => b.name).join("|")}`.length;
  }
  return max.toString().length;
}

/**
 * The width of each of {@link recordColumns}: the longest text any value of the field can have
 * (its type's largest number, its enum's longest name, all its flag names), so a table printed
 * one row at a time stays aligned however long the capture.
 */
export function columnWidths(abi: AbiId | RecordLayout): number[] {
  const cols = recordColumns(abi);
  const widths = cols.map((c) => c.length);
  visit(layoutOf(abi).fields, undefined, (f) => {
    const i = cols.indexOf(f.name);
    if (i >= 0) widths[i] = Math.max(widths[i], valueWidth(f));
  });
  return widths;
}
