/**
 * Record decoders, compiled from the ABI description. A generic interpreter that walks the
 * field list per record managed 3.1 M mainline records/s; a decoder generated once per layout
 * from the same data reaches 56 M, past the 25 M the project asks of it (`bench/decode_bench.ts`,
 * figures in `bench/RESULTS.md`), so the data stays the single source and speed comes from
 * compiling it.
 *
 * @example
 * ```ts
 * import { decoderFor } from "./decode.ts";
 * const decode = decoderFor("mainline");
 * const rec = decode(new DataView(new ArrayBuffer(64)), 0, true);
 * rec; // => { type: 0, padding: 0 }: type 0 selects no union member
 * ```
 * @module
 */
import { type AbiId, RECORDS } from "../abi/records.ts";
import type {
  ArrayField,
  BitsField,
  Field,
  RecordLayout,
  ScalarField,
  UnionField,
} from "../abi/types.ts";
import { bitsExpr } from "./bits.ts";

/** A decoded value: u32 as number, u64 as bigint, u64 arrays, union members as nested objects. */
export type Value = number | bigint | bigint[] | DecodedFields;
/** Field name to value, in the order of the C struct. */
export interface DecodedFields {
  /** A field's value (a union member's fields nest under the member's name). */
  [field: string]: Value;
}
/** Decodes one record at `offset` of `dv`; `le` selects little-endian. */
export type RecordDecoder = (dv: DataView, offset: number, le: boolean) => DecodedFields;

function scalarExpr(f: ScalarField | ArrayField | BitsField, base: number): string {
  const at = (off: number) => `o + ${base + off}`;
  if (f.kind === "bits") return bitsExpr(f, at(f.offset));
  if (f.kind === "array") {
    const items = Array.from(
      { length: f.count },
      (_, i) => `dv.getBigUint64(${at(f.offset + 8 * i)}, le)`,
    );
    return `[${items.join(", ")}]`;
  }
  return f.type === "u32"
    ? `dv.getUint32(${at(f.offset)}, le)`
    : `dv.getBigUint64(${at(f.offset)}, le)`;
}

function entries(
  fields: readonly Field[],
  base: number,
  selectorVar: Map<string, string>,
): string[] {
  const out: string[] = [];
  for (const f of fields) {
    if (f.kind === "bytes" || f.kind === "union") continue;
    out.push(`${JSON.stringify(f.name)}: ${selectorVar.get(f.name) ?? scalarExpr(f, base)}`);
  }
  return out;
}

/** Generates the source of a decoder for `layout` (exported for tests and `layout --codegen`). */
export function decoderSource(layout: RecordLayout): string {
  const union = layout.fields.find((f): f is UnionField => f.kind === "union");
  if (!union) return `return {${entries(layout.fields, 0, new Map()).join(", ")}};`;
  const sel = layout.fields.find((f) =>
    f.kind === "scalar" && f.name === union.selector
  ) as ScalarField;
  const vars = new Map([[sel.name, "sel"]]);
  const top = entries(layout.fields, 0, vars);
  const lines = [`const sel = ${scalarExpr(sel, 0)};`];
  for (const v of union.variants) {
    const member = `${JSON.stringify(v.name)}: {${
      entries(v.fields, union.offset, new Map()).join(", ")
    }}`;
    lines.push(`if (sel === ${v.when}) return {${[...top, member].join(", ")}};`);
  }
  lines.push(`return {${top.join(", ")}};`);
  return lines.join("\n");
}

const cache = new Map<RecordLayout, RecordDecoder>();

/**
 * The compiled decoder of a record ABI, or of any record description (compiled once per
 * description, then cached).
 */
export function decoderFor(abi: AbiId | RecordLayout): RecordDecoder {
  const layout = typeof abi === "string" ? RECORDS[abi] : abi;
  let d = cache.get(layout);
  if (!d) {
    d = new Function("dv", "o", "le", decoderSource(layout)) as RecordDecoder;
    cache.set(layout, d);
  }
  return d;
}

/** Decodes one record from `bytes` at `offset` (convenience for tests and small inputs). */
export function decodeRecord(
  abi: AbiId | RecordLayout,
  bytes: Uint8Array,
  offset = 0,
  littleEndian = true,
): DecodedFields {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return decoderFor(abi)(dv, offset, littleEndian);
}
