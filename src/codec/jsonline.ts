/**
 * A JSON-line writer compiled from the ABI description: it writes the same text as
 * `JSON.stringify(recordJson(...))` straight from the record's bytes into an output byte buffer,
 * without building objects, BigInts or strings. `decode --ndjson` writes a million records a
 * second this way and more (bench/RESULTS.md): a first version built an object per record and
 * stringified it (0.68 M records/s); a second one, compiled like this one but concatenating
 * strings, spent half its time in the strings, their UTF-8 encoding and the garbage they left.
 *
 * {@link jsonLineBytes} is the byte writer; {@link jsonLineWriter} returns the same text as a
 * string (one record at a time: `watch`, tests).
 *
 * @example
 * ```ts
 * import { byteBuffer, jsonLineBytes, jsonLineWriter } from "./jsonline.ts";
 * const dv = new DataView(new ArrayBuffer(48));
 * const line = jsonLineWriter("rfc3")(dv, 0, true, '"index":0,"offset":0');
 * JSON.parse(line).type_name; // => null (type 0 is not a fault type)
 * const w = jsonLineBytes("rfc3", ["index", "offset"]);
 * const buf = byteBuffer(w.maxBytes);
 * const end = w.write(dv, 0, true, buf, 0, 0, 0); // the same line, as bytes: its end is returned
 * new TextDecoder().decode(buf.bytes.subarray(0, end)) === line; // => true
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

/** An output buffer: its bytes, and a DataView of the same bytes (for four-byte stores). */
export interface ByteBuffer {
  /** The bytes. */
  readonly bytes: Uint8Array;
  /** A DataView of {@link ByteBuffer.bytes}. */
  readonly view: DataView;
}

/** A {@link ByteBuffer} of `n` bytes. */
export function byteBuffer(n: number): ByteBuffer {
  const bytes = new Uint8Array(n);
  return { bytes, view: new DataView(bytes.buffer) };
}

/**
 * Writes one record's JSON object into `out` at `p`, its position keys' values first (`k0`,
 * `k1`: safe integers, as many as the writer has keys); returns the position after the closing
 * brace. The caller guarantees `maxBytes` of room.
 */
export type JsonBytesWriter = (
  dv: DataView,
  o: number,
  le: boolean,
  out: ByteBuffer,
  p: number,
  k0?: number,
  k1?: number,
) => number;

/** The compiled byte writer of one record layout. */
export interface JsonLineBytes {
  /** Writes one record. */
  readonly write: JsonBytesWriter;
  /** The most bytes {@link JsonLineBytes.write} writes for any record of the layout. */
  readonly maxBytes: number;
}

const utf8 = new TextEncoder();

/** `0123456789abcdef` as bytes. */
const HEX = utf8.encode("0123456789abcdef");
/** `00` to `99`: two decimal digits per division. */
const PAIRS = utf8.encode(
  Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0")).join(""),
);

/**
 * Writes `v` (a safe integer, at least 0) in decimal at `b[p]`; returns the position after it.
 * Small values, the most common in records, take the first branch; the function stays small
 * enough for V8 to inline it into the compiled writers.
 *
 * @example
 * ```ts
 * import { writeDecimal } from "./jsonline.ts";
 * const b = new Uint8Array(20);
 * writeDecimal(b, 0, 4294967295); // => 10
 * ```
 */
export function writeDecimal(b: Uint8Array, p: number, v: number): number {
  if (v < 10) {
    b[p] = 48 + v;
    return p + 1;
  }
  return v <= 0x7fffffff ? writeInt31(b, p, v) : writeLarge(b, p, v);
}

/** Digits of `v`, 10 <= v < 2^31. */
function digits(v: number): number {
  return v < 1e5
    ? (v < 100 ? 2 : v < 1e3 ? 3 : v < 1e4 ? 4 : 5)
    : (v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : v < 1e9 ? 9 : 10);
}

/**
 * `v` in decimal, 10 <= v < 2^31, two digits per step: `(v / 100) | 0` of an int32 is a
 * multiplication in optimised code, where `Math.floor` of a double is a division.
 */
function writeInt31(b: Uint8Array, p: number, v: number): number {
  const end = p + digits(v);
  let at = end;
  while (v >= 100) {
    const q = (v / 100) | 0, r = (v - q * 100) << 1;
    b[at - 1] = PAIRS[r + 1];
    b[at - 2] = PAIRS[r];
    at -= 2;
    v = q;
  }
  if (v >= 10) {
    b[at - 1] = PAIRS[(v << 1) + 1];
    b[at - 2] = PAIRS[v << 1];
  } else b[at - 1] = 48 + v;
  return end;
}

/** `v` in decimal, 2^31 <= v < 2^53: the digits above the last eight, then those eight. */
function writeLarge(b: Uint8Array, p: number, v: number): number {
  const hi = Math.floor(v / 1e8), lo = v - hi * 1e8;
  p = writeDecimal(b, p, hi);
  const end = p + 8;
  let x = lo;
  for (let at = end - 1; at >= p; at--) {
    const q = (x / 10) | 0;
    b[at] = 48 + x - q * 10;
    x = q;
  }
  return end;
}

/** Writes a u32 as lowercase hex without leading zeros (`0` for 0); returns the end. */
function writeHex32(b: Uint8Array, p: number, v: number): number {
  const n = v === 0 ? 1 : (35 - Math.clz32(v)) >> 2;
  for (let at = p + n - 1; at >= p; at--) {
    b[at] = HEX[v & 15];
    v >>>= 4;
  }
  return p + n;
}

/** Writes a u64 given as its two u32 halves as lowercase hex, without a BigInt; returns the end. */
function writeHex64(b: Uint8Array, p: number, lo: number, hi: number): number {
  if (hi === 0) return writeHex32(b, p, lo);
  p = writeHex32(b, p, hi);
  for (let at = p + 7; at >= p; at--) {
    b[at] = HEX[lo & 15];
    lo >>>= 4;
  }
  return p + 8;
}

/** Copies `a` (a short run of bytes: a name's JSON text) to `b[p]`; returns the end. */
function writeBytes(b: Uint8Array, p: number, a: Uint8Array): number {
  for (let i = 0; i < a.length; i++) b[p + i] = a[i];
  return p + a.length;
}

/** Writes `s` as UTF-8 (a rare value built as a string); returns the end. */
function writeText(b: Uint8Array, p: number, s: string): number {
  return p + utf8.encodeInto(s, b.subarray(p)).written;
}

/** Bytes of the JSON text of an enum value's name, for every value the enum defines. */
function enumTable(e: EnumDesc): Uint8Array[] {
  const max = Math.max(...e.values.map((v) => v.value));
  return Array.from({ length: max + 1 }, (_, v) => utf8.encode(JSON.stringify(enumName(e, v))));
}

/**
 * Bytes of the JSON text of the names of every value below the set's highest bit; a set with a
 * gap (virtio's bits 3-7, AMD PPR's bit 0) has unknown bits in that range too, named as hex like
 * the slow path.
 */
function flagsTable(f: FlagSet): Uint8Array[] {
  const top = Math.max(...f.bits.map((b) => b.bit)) + 1;
  return Array.from({ length: 2 ** top }, (_, v) => utf8.encode(flagsSlow(f, v)));
}

/** Names of a flags value, including unknown bits as hex (the slow path, rarely taken). */
function flagsSlow(f: FlagSet, v: number): string {
  return JSON.stringify(flagNameList(f, v));
}

/** The longest JSON text of a flags value: every defined name and 32 bits as hex. */
function flagsMax(f: FlagSet): number {
  return 2 + f.bits.reduce((n, b) => n + b.name.length + 3, 0) + 32 * '"0x80000000",'.length;
}

/** The code being generated, its tables, and the bound on what it writes. */
interface Ctx {
  tables: unknown[];
  code: string[];
  /** Constant text not yet emitted (adjacent constants become one run of stores). */
  text: string;
  /** Bytes written at most so far. */
  max: number;
}

function ref(ctx: Ctx, v: unknown): string {
  ctx.tables.push(v);
  return `t[${ctx.tables.length - 1}]`;
}

/** Queues constant text: keys and punctuation. */
function lit(ctx: Ctx, text: string) {
  ctx.text += text;
  ctx.max += utf8.encode(text).length;
}

/** Stores of `bytes` at `p`, and `p` moved past them: no call and no copy loop per record. */
function stores(bytes: Uint8Array): string {
  const out: string[] = [];
  let i = 0;
  // Four bytes per store: a quarter of the stores of the byte-wise version, 25% faster.
  for (; i + 4 <= bytes.length; i += 4) {
    const w = (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0;
    out.push(`bv.setUint32(p + ${i}, ${w}, true);`);
  }
  for (; i < bytes.length; i++) out.push(`b[p + ${i}] = ${bytes[i]};`);
  return `${out.join(" ")} p += ${bytes.length};`;
}

/** Emits the queued constant. */
function emit(ctx: Ctx) {
  if (!ctx.text) return;
  ctx.code.push(stores(utf8.encode(ctx.text)));
  ctx.text = "";
}

/** Most values of a name table written as a `switch` of stores; a larger one is copied. */
const MAX_CASES = 256;

/**
 * Writes the name of value `v` from `names` (the JSON text of each value from 0): a `switch`
 * of constant stores; a value past the table takes `other` (its last entry when "null").
 */
function cases(ctx: Ctx, v: string, names: Uint8Array[], other: string) {
  const known = other === "null" ? names.length - 1 : names.length;
  ctx.max += Math.max(...names.map((n) => n.length));
  if (known > MAX_CASES) {
    const t = ref(ctx, names.slice(0, known));
    const fallback = other === "null" ? `bytes(b, p, ${ref(ctx, names[known])})` : "";
    ctx.code.push(
      `{ const n = ${t}[${v}]; if (n) p = bytes(b, p, n); else ${
        fallback ? `p = ${fallback};` : other
      } }`,
    );
    return;
  }
  const lines = [`switch (${v}) {`];
  for (let i = 0; i < known; i++) lines.push(`case ${i}: ${stores(names[i])} break;`);
  lines.push(`default: ${other === "null" ? stores(names[known]) : other}`, "}");
  ctx.code.push(lines.join("\n"));
}

/** Emits a dynamic write (`code` sets `p`) of at most `max` bytes. */
function dyn(ctx: Ctx, code: string, max: number) {
  emit(ctx);
  ctx.code.push(code);
  ctx.max += max;
}

function u64expr(at: string): string {
  return `p = hex64(b, p, dv.getUint32(le ? ${at} : ${at} + 4, le), ` +
    `dv.getUint32(le ? ${at} + 4 : ${at}, le));`;
}

function scalar(ctx: Ctx, f: ScalarField | BitsField, at: string, sep: string) {
  const key = JSON.stringify(f.name);
  if (f.kind === "bits" && !bitsFitNumber(f)) {
    lit(ctx, `${sep}${key}:"0x`);
    dyn(ctx, `p = text(b, p, ${bitsExpr(f, at)}.toString(16));`, 16);
    lit(ctx, `"`);
    return;
  }
  if (f.kind === "scalar" && f.type === "u64") {
    lit(ctx, `${sep}${key}:"0x`);
    dyn(ctx, u64expr(at), 16);
    lit(ctx, `"`);
    return;
  }
  const v = `v${ctx.code.length}`;
  const read = f.kind === "bits" ? bitsExpr(f, at) : `dv.getUint32(${at}, le)`;
  lit(ctx, `${sep}${key}:`);
  dyn(ctx, `const ${v} = ${read}; p = dec(b, p, ${v});`, 10);
  if (f.kind === "bits" && f.format === "bdf") {
    lit(ctx, `,"${f.name}_bdf":"`);
    dyn(ctx, `p = text(b, p, bdf(${v}));`, "bb:dd.f".length);
    lit(ctx, `"`);
  }
  if (f.enum) {
    const names = enumTable(f.enum);
    lit(ctx, `,"${f.name}_name":`);
    emit(ctx);
    names.push(utf8.encode("null")); // any other value
    cases(ctx, v, names, "null");
  }
  if (f.flags) {
    const names = flagsTable(f.flags), fs = ref(ctx, f.flags);
    lit(ctx, `,"${f.name}_names":`);
    emit(ctx);
    cases(ctx, v, names, `p = text(b, p, slow(${fs}, ${v}));`);
    ctx.max += flagsMax(f.flags) - Math.max(...names.map((n) => n.length));
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
      dyn(ctx, `if (${ref(ctx, only.values)}.includes(${read})) {`, 0);
    }
    if (f.kind === "array") {
      lit(ctx, `${sep}${JSON.stringify(f.name)}:[`);
      for (let i = 0; i < f.count; i++) {
        lit(ctx, `${i ? "," : ""}"0x`);
        dyn(ctx, u64expr(`${at} + ${8 * i}`), 16);
        lit(ctx, `"`);
      }
      lit(ctx, "]");
    } else if (f.kind === "scalar" || f.kind === "bits") {
      scalar(ctx, f, at, sep);
    } else {
      dyn(ctx, `switch (dv.getUint32(o + ${offsetOf(list, f.selector)}, le)) {`, 0);
      // One member is written: the bound is the largest of them.
      const before = ctx.max;
      let largest = 0;
      for (const v of f.variants) {
        ctx.max = 0;
        dyn(ctx, `case ${v.when}: {`, 0);
        lit(ctx, `,${JSON.stringify(v.name)}:{`);
        fields(ctx, v.fields, `${base} + ${f.offset}`, true);
        lit(ctx, "}");
        dyn(ctx, "break; }", 0);
        largest = Math.max(largest, ctx.max);
      }
      ctx.max = before + largest;
      dyn(ctx, `}`, 0);
    }
    if (only) dyn(ctx, `}`, 0);
    sep = ",";
  }
}

function offsetOf(list: readonly Field[], name: string): number {
  return list.find((f) => f.name === name)!.offset;
}

const cache = new Map<RecordLayout, Map<string, JsonLineBytes>>();

/**
 * The compiled JSON byte writer of a record ABI, or of any record description (cached), with up
 * to two position keys before the record's members (`["index", "offset"]`: `{"index":7,...`),
 * whose values the writer takes as arguments.
 */
export function jsonLineBytes(
  abi: AbiId | RecordLayout,
  keys: readonly string[] = [],
): JsonLineBytes {
  if (keys.length > 2) throw new RangeError("at most two position keys");
  const layout = typeof abi === "string" ? RECORDS[abi] : abi;
  const byKeys = cache.get(layout) ?? new Map<string, JsonLineBytes>();
  cache.set(layout, byKeys);
  let w = byKeys.get(keys.join(","));
  if (w) return w;
  const ctx: Ctx = { tables: [], code: [], text: "", max: 0 };
  lit(ctx, "{");
  keys.forEach((k, i) => {
    lit(ctx, `${JSON.stringify(k)}:`);
    // A position is a safe integer: 16 digits at most.
    dyn(ctx, `p = dec(b, p, k${i});`, 16);
    lit(ctx, ",");
  });
  lit(ctx, `"abi":${JSON.stringify(layout.id)},`);
  fields(ctx, layout.fields, "o", true);
  lit(ctx, "}");
  emit(ctx);
  const make = new Function(
    "t",
    "dec",
    "hex64",
    "bytes",
    "text",
    "slow",
    "bdf",
    `return (dv, o, le, out, p, k0, k1) => {\nconst b = out.bytes, bv = out.view;\n${
      ctx.code.join("\n")
    }\nreturn p;\n};`,
  );
  const write = make(
    ctx.tables,
    writeDecimal,
    writeHex64,
    writeBytes,
    writeText,
    flagsSlow,
    bdf,
  ) as JsonBytesWriter;
  w = { write, maxBytes: ctx.max };
  byKeys.set(keys.join(","), w);
  return w;
}

const utf8Text = new TextDecoder();

/** The compiled JSON-line writer of a record ABI as text: {@link jsonLineBytes}, decoded. */
export function jsonLineWriter(abi: AbiId | RecordLayout): JsonLineWriter {
  const { write, maxBytes } = jsonLineBytes(abi);
  const buf = byteBuffer(maxBytes);
  // The members after the brace, behind any position keys given as text.
  return (dv, o, le, prefix) =>
    `{${prefix}${prefix ? "," : ""}${
      utf8Text.decode(buf.bytes.subarray(1, write(dv, o, le, buf, 0)))
    }`;
}
