/**
 * Human formatting of decoded records: one table row per record, with columns taken from the ABI
 * description (union members share columns by field name), decoded names next to raw values.
 *
 * @example
 * ```ts
 * import { recordColumns } from "./format.ts";
 * recordColumns("mainline"); // ["type", "reason", "flags", "pasid", "perm", "addr", "fetch_addr", "grpid", "private_data"]
 * ```
 * @module
 */
import { RECORDS } from "../abi/records.ts";
import type { AbiId, Field } from "../abi/types.ts";
import type { DecodedFields } from "../codec/decode.ts";
import { enumName, flagNames, hex } from "../codec/names.ts";

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

/** Column names for an ABI: every field but reserved/padding, in struct order, deduplicated. */
export function recordColumns(abi: AbiId): string[] {
  const cols: string[] = [];
  visit(RECORDS[abi].fields, undefined, (f) => {
    if (f.kind === "scalar" && (f.role === "reserved" || f.role === "padding")) return;
    if (!cols.includes(f.name)) cols.push(f.name);
  });
  return cols;
}

/** Formats a field value: enums as `NAME(n)`, flags as `0x3 A|B`, u64 as hex. */
export function formatValue(f: Field, v: DecodedFields[string]): string {
  if (f.kind === "array") return (v as bigint[]).map(hex).join(",");
  if (f.kind !== "scalar") return "";
  if (typeof v === "bigint") return hex(v);
  const n = v as number;
  if (f.enum) return `${enumName(f.enum, n) ?? "?"}(${n})`;
  if (f.flags) {
    if (n === 0) return "0";
    const { names, unknown } = flagNames(f.flags, n);
    if (unknown) names.push(`?${hex(unknown)}`);
    return `${hex(n)} ${names.join("|")}`;
  }
  return String(n);
}

/** The cells of one record under {@link recordColumns}; empty where a field does not apply. */
export function recordCells(abi: AbiId, rec: DecodedFields): string[] {
  const cols = recordColumns(abi);
  const cells = cols.map(() => "");
  visit(RECORDS[abi].fields, rec, (f, r) => {
    const i = cols.indexOf(f.name);
    if (i >= 0 && r) cells[i] = formatValue(f, r[f.name]);
  });
  return cells;
}
