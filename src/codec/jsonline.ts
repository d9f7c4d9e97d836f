/**
 * A JSON-line writer compiled from the ABI description: it writes the same text as
 * `JSON.stringify(recordJson(...))` straight from the bytes, without building objects or BigInts.
 * `decode --ndjson` of a 1,000,000-record capture spent most of its time building and
 * stringifying those objects (0.68 M records/s); this path is what meets the 1 M/s target.
 *
 * @example
 * ```ts
 * import { jsonLineWriter } from "./jsonline.ts";
 * const line = jsonLineWriter("rfc3")(new DataView(new ArrayBuffer(48)), 0, true, '"index":0,"offset":0');
 * JSON.parse(line).type_name; // null (type 0 is not a fault type)
 * ```
 * @module
 */
import { type AbiId, RECORDS } from "../abi/records.ts";
import type {
  BitsField,
  EnumDesc,
  Field,
  FlagSet,
  RecordLayout,
  ScalarField,
} from "../abi/types.ts";
import { bdf, bitsExpr, bitsFitNumber } from "./bits.ts";
import { enumName, flagNameList } from "./names.ts";

/** Writes one record as a JSON object; `prefix` holds the position keys without braces. */
export type JsonLineWriter = (dv: DataView, o: number, le: boolean, prefix: string) => string;

/** JSON text of an enum value's name, for every value the enum defines. */
function enumTable(e: EnumDesc): string[] {
  const max = Math.max(...e.values.map((v) => v.value));
  return Array.from({ length: max + 1 }, (_, v) => JSON.stringify(enumName(e, v)));
}

/**
 * JSON text of the names of every value below the set's highest bit; a set with a gap (virtio's
 * bits 3-7, AMD PPR's bit 0) has unknown bits in that range too, named as hex like the slow path.
 */
function flagsTable(f: FlagSet): string[] {
  const top = Math.max(...f.bits.map((b) => b.bit)) + 1;
  return Array.from({ length: 2 ** top }, (_, v) => flagsSlow(f, v));
}

/** Names of a flags value, including unknown bits as hex (the slow path, rarely taken). */
function flagsSlow(f: FlagSet, v: number): string {
  return JSON.stringify(flagNameList(f, v));
}

/** u64 as lowercase 0x hex from its two halves, without a BigInt. */
function u64hex(dv: DataView, at: number, le: boolean): string {
  const lo = dv.getUint32(le ? at : at + 4, le), hi = dv.getUint32(le ? at + 4 : at, le);
  return hi === 0
    ? "0x" + lo.toString(16)
    : "0x" + hi.toString(16) + lo.toString(16).padStart(8, "0");
}

interface Ctx {
  tables: unknown[];
  code: string[];
}

function ref(ctx: Ctx, v: unknown): string {
  ctx.tables.push(v);
  return `t[${ctx.tables.length - 1}]`;
}

function scalar(ctx: Ctx, f: ScalarField | BitsField, at: string, sep: string) {
  const key = JSON.stringify(f.name);
  if (f.kind === "bits" && !bitsFitNumber(f)) {
    ctx.code.push(`s += '${sep}${key}:"0x' + ${bitsExpr(f, at)}.toString(16) + '"';`);
    return;
  }
  if (f.kind === "scalar" && f.type === "u64") {
    ctx.code.push(`s += '${sep}${key}:"' + u64(dv, ${at}, le) + '"';`);
    return;
  }
  const v = `v${ctx.code.length}`;
  const read = f.kind === "bits" ? bitsExpr(f, at) : `dv.getUint32(${at}, le)`;
  ctx.code.push(`const ${v} = ${read}; s += '${sep}${key}:' + ${v};`);
  if (f.kind === "bits" && f.format === "bdf") {
    ctx.code.push(`s += ',"${f.name}_bdf":"' + bdf(${v}) + '"';`);
  }
  if (f.enum) {
    const t = ref(ctx, enumTable(f.enum));
    ctx.code.push(`s += ',"${f.name}_name":' + (${t}[${v}] ?? "null");`);
  }
  if (f.flags) {
    const t = ref(ctx, flagsTable(f.flags)), fs = ref(ctx, f.flags);
    ctx.code.push(`s += ',"${f.name}_names":' + (${t}[${v}] ?? slow(${fs}, ${v}));`);
  }
}

function fields(ctx: Ctx, list: readonly Field[], base: string, first: boolean) {
  let sep = first ? "" : ",";
  for (const f of list) {
    if (f.kind === "bytes") continue;
    const at = `${base} + ${f.offset}`;
    // A field that belongs only to some event codes is written only for them (never the first).
    const only = f.kind === "bits" && f.onlyWhen;
    if (only) {
      const sel = list.find((g) => g.name === only.field) as ScalarField | BitsField;
      const selAt = `${base} + ${sel.offset}`;
      const read = sel.kind === "bits" ? bitsExpr(sel, selAt) : `dv.getUint32(${selAt}, le)`;
      ctx.code.push(`if (${ref(ctx, only.values)}.includes(${read})) {`);
    }
    if (f.kind === "array") {
      const items = Array.from(
        { length: f.count },
        (_, i) => `'"' + u64(dv, ${at} + ${8 * i}, le) + '"'`,
      );
      ctx.code.push(`s += '${sep}${JSON.stringify(f.name)}:[' + ${items.join(" + ',' + ")} + ']';`);
    } else if (f.kind === "scalar" || f.kind === "bits") {
      scalar(ctx, f, at, sep);
    } else {
      ctx.code.push(`switch (dv.getUint32(o + ${offsetOf(list, f.selector)}, le)) {`);
      for (const v of f.variants) {
        ctx.code.push(`case ${v.when}: s += ',${JSON.stringify(v.name)}:{';`);
        fields(ctx, v.fields, `${base} + ${f.offset}`, true);
        ctx.code.push(`s += '}'; break;`);
      }
      ctx.code.push(`}`);
    }
    if (only) ctx.code.push(`}`);
    sep = ",";
  }
}

function offsetOf(list: readonly Field[], name: string): number {
  return list.find((f) => f.name === name)!.offset;
}

const cache = new Map<RecordLayout, JsonLineWriter>();

/** The compiled JSON-line writer of a record ABI, or of any record description. */
export function jsonLineWriter(abi: AbiId | RecordLayout): JsonLineWriter {
  const layout = typeof abi === "string" ? RECORDS[abi] : abi;
  let w = cache.get(layout);
  if (w) return w;
  const ctx: Ctx = { tables: [], code: [] };
  fields(ctx, layout.fields, "o", true);
  const body =
    `let s = '{' + prefix + (prefix ? ',' : '') + '"abi":${JSON.stringify(layout.id)},';\n` +
    ctx.code.join("\n") + `\nreturn s + '}';`;
  const make = new Function(
    "t",
    "u64",
    "slow",
    "bdf",
    `return (dv, o, le, prefix) => {\n${body}\n};`,
  );
  w = make(ctx.tables, u64hex, flagsSlow, bdf) as JsonLineWriter;
  cache.set(layout, w);
  return w;
}
