/**
 * Test-side views of the code's ABI data, in the shape of `abi_tables.ts` rows, so the two can
 * be compared; and accessors for nested decoded values by the dotted names those rows use.
 *
 * @module
 */
import type { Field, FlagSet, RecordLayout, ScalarField, UnionField } from "../../src/abi/types.ts";
import type { DecodedFields, Value } from "../../src/codec/decode.ts";
import type { Row } from "./abi_tables.ts";

function rowsOf(fields: readonly Field[], base: number, prefix: string): Row[] {
  const out: Row[] = [];
  for (const f of fields) {
    if (f.kind === "scalar") {
      out.push([prefix + f.name, base + f.offset, f.type === "u32" ? 4 : 8]);
    } else if (f.kind === "array") {
      for (let i = 0; i < f.count; i++) {
        out.push([`${prefix}${f.name}[${i}]`, base + f.offset + 8 * i, 8]);
      }
    }
  }
  return out;
}

/** The union of a record layout, if it has one. */
export function unionOf(layout: RecordLayout): UnionField | undefined {
  return layout.fields.find((f): f is UnionField => f.kind === "union");
}

/** Rows common to every record of `layout` (everything outside the union). */
export function commonRows(layout: RecordLayout): Row[] {
  return rowsOf(layout.fields, 0, "");
}

/** Rows of the union member selected by `type`, with absolute offsets. */
export function variantRows(layout: RecordLayout, type: number): Row[] {
  const u = unionOf(layout);
  const v = u?.variants.find((v) => v.when === type);
  if (!u || !v) return [];
  return rowsOf(v.fields, u.offset, `${v.name}.`);
}

/** name -> bit of a flag set. */
export function bitMap(flags: FlagSet | undefined): Record<string, number> {
  return Object.fromEntries((flags?.bits ?? []).map((b) => [b.name, b.bit]));
}

/** Reads `event.addr` / `prm.private_data[1]` / `type` from a decoded record. */
export function getPath(rec: DecodedFields, path: string): Value | undefined {
  let cur: Value | undefined = rec;
  for (const part of path.split(".")) {
    const m = part.match(/^(.*)\[(\d+)\]$/);
    if (cur === undefined || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    if (m) {
      const arr: Value | undefined = (cur as DecodedFields)[m[1]];
      cur = Array.isArray(arr) ? arr[Number(m[2])] : undefined;
    } else {
      cur = (cur as DecodedFields)[part];
    }
  }
  return cur;
}

/** Reads an unsigned little- or big-endian integer of `size` bytes at `off`, as a bigint. */
export function readUint(bytes: Uint8Array, off: number, size: number, le = true): bigint {
  let v = 0n;
  for (let i = 0; i < size; i++) {
    const b = bytes[le ? off + size - 1 - i : off + i];
    v = (v << 8n) | BigInt(b);
  }
  return v;
}

/** The scalar field of `layout` at a dotted path (`type`, `event.flags`), if any. */
export function scalarAt(layout: RecordLayout, path: string): ScalarField | undefined {
  const [a, b] = path.split(".");
  if (b === undefined) {
    return layout.fields.find((f): f is ScalarField => f.kind === "scalar" && f.name === a);
  }
  const v = unionOf(layout)?.variants.find((v) => v.name === a);
  return v?.fields.find((f): f is ScalarField => f.kind === "scalar" && f.name === b);
}
