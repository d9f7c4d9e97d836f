/**
 * `faultscope decode [FILE|-] [--hex TEXT]`: decodes a raw capture of records (or a pasted hex
 * dump) as a stream in bounded memory: `iommu_fault` generations, iommufd records, or an IOMMU's
 * own hardware records (`--as-iommu-fault` adds the `iommu_fault` each of those becomes). The ABI is given with `--abi` or inferred, and an
 * inference is always said. The command reads its input, asks the core for the records (and the
 * inference, and the findings with `--check`), then hands that one result to a view: the human
 * table, a JSON array, or NDJSON.
 *
 * @example
 * ```ts
 * import { run } from "./decode.ts";
 * import { denoIo } from "../io.ts";
 * const rfc3 = "01 00 00 00 0a 00 00 00 00 b0 ad de" + " 00".repeat(36);
 * const io = denoIo();
 * const code = await run({
 *   file: undefined, hex: rfc3, abi: "rfc3", ndjson: true, json: false, raw: false,
 *   check: false, endian: "little", veventType: "arm-smmuv3", asIommuFault: false,
 * }, io); // one JSON line: the RFC v3 PERMISSION fault of abi.md TV3
 * code; // 0
 * io.out.flush();
 * ```
 * @module
 */
import { type AbiId, HARDWARE_ABIS, RECORDS } from "../../abi/records.ts";
import type { RecordLayout } from "../../abi/types.ts";
import { VEVENT_TYPES } from "../../abi/vevent.ts";
import { type Capture, captureUnit, readCapture, type RecordRun } from "../../codec/capture.ts";
import { type DecodedFields, decoderFor } from "../../codec/decode.ts";
import { type AbiGuess, guessAbi, looksLikeText } from "../../codec/guess.ts";
import { HexError, hexLines, hexString, parseHex } from "../../codec/hex.ts";
import { iommuFaultOutcomes, outcomeJson } from "../../codec/hw_fault.ts";
import { type JsonObject, recordJson } from "../../codec/json.ts";
import { jsonLineWriter } from "../../codec/jsonline.ts";
import { hex, plural } from "../../codec/numbers.ts";
import { parseVevents, veventFields, veventJson, type VeventRecord } from "../../codec/vevent.ts";
import type { Finding } from "../../rules/finding.ts";
import { checkRecord } from "../../rules/records.ts";
import { checkVevents } from "../../rules/vevent.ts";
import type { DECODE } from "../commands.ts";
import { EXIT, type ExitCode, InputError, UsageError } from "../errors.ts";
import { concat, inputInfo, readChunks } from "../files.ts";
import { cellWriter, recordColumns } from "../format.ts";
import { findingJson } from "../hints.ts";
import { FAULT_COLUMNS, FAULT_HEADING, faultRows } from "../iommu_fault_view.ts";
import type { Io, Writer } from "../io.ts";
import { table } from "../render.ts";
import type { Parsed } from "../spec.ts";

/** The parsed options of `decode`. */
export type DecodeOpts = Parsed<typeof DECODE>;

/** The input: its name for messages, its length when known, and its bytes as chunks. */
interface Source {
  name: string;
  /** Bytes in all, when known (a file, or hex text). */
  length: number | undefined;
  /** The first chunk (what ABI inference samples). */
  first: Uint8Array;
  /** Every chunk, the first included. */
  chunks: AsyncIterable<Uint8Array>;
}

/** Yields an already-read first chunk, then the rest of the stream. */
async function* chain(first: Uint8Array, rest: AsyncIterable<Uint8Array>) {
  yield first;
  yield* rest;
}

async function* once(bytes: Uint8Array) {
  yield bytes;
}

/** Reads the input: hex text (an argument, or a file that looks like text) whole; a binary capture as a stream. */
async function openSource(o: DecodeOpts, io: Io): Promise<Source> {
  let file = o.file;
  if (o.hex !== undefined && file !== undefined) {
    throw new UsageError("give either FILE or --hex, not both");
  }
  if (o.hex === undefined && file === undefined) {
    if (io.stdinIsTerminal) {
      throw new UsageError("no input: give FILE, - for stdin, or --hex TEXT");
    }
    file = "-";
  }
  const name = file === undefined ? "--hex" : file === "-" ? "stdin" : file;
  const parse = (text: string) => {
    try {
      return parseHex(text);
    } catch (e) {
      if (e instanceof HexError) throw new InputError(`${name}: ${e.message}`);
      throw e;
    }
  };
  const whole = (bytes: Uint8Array): Source => {
    if (bytes.length === 0) throw new InputError(`${name}: empty input (no records)`);
    return { name, length: bytes.length, first: bytes, chunks: once(bytes) };
  };
  if (o.hex !== undefined) return whole(parse(o.hex));
  const { size } = await inputInfo(file!);
  // Chunks are a multiple of every record size: no record straddles two in practice.
  const stream = readChunks(file!, captureUnit(), undefined, io.stdin);
  const next = await stream.next();
  const first = next.done ? new Uint8Array(0) : next.value;
  if (looksLikeText(first)) {
    const parts: Uint8Array[] = [first.slice()];
    for await (const c of stream) parts.push(c.slice()); // chunks reuse one buffer
    return whole(parse(new TextDecoder().decode(concat(parts))));
  }
  if (size === 0 || first.length === 0) throw new InputError(`${name}: empty input (no records)`);
  return { name, length: size, first, chunks: chain(first, stream) };
}

/** What the core made of the input: the records of one ABI, as runs, and how it was chosen. */
interface Decoded {
  name: string;
  abi: AbiId;
  layout: RecordLayout;
  le: boolean;
  guess: AbiGuess | undefined;
  capture: Capture;
  /** Run the record rules on each record. */
  check: boolean;
  /** Add each record's raw bytes. */
  raw: boolean;
  /** Add the iommu_fault each (hardware) record becomes. */
  asFault: boolean;
}

/** How an inference is said: what was chosen, on what evidence, and how to choose instead. */
export function guessText(g: Extract<AbiGuess, { kind: "guessed" }>): string {
  const size = RECORDS[g.abi].size;
  const what = g.length === undefined
    ? "from the first records"
    : `${g.length} bytes = ${g.length / size} x ${size}`;
  const others = g.others.map((s) => `${s.abi} ${s.errors}`).join(", ");
  return `guessed ${g.abi}: ${what}; ${plural(g.errors, "record error")}` +
    (others ? ` (${others})` : "") +
    (g.lookalikes.length
      ? `; ${g.lookalikes.join("/")} share its bytes but read flags differently`
      : "") +
    "; pass --abi to choose";
}

/** The record rules on record `i` of a run, with offsets in the capture. */
function findingsOf(d: Decoded, run: RecordRun, i: number, rec?: DecodedFields): Finding[] {
  const fs = checkRecord(
    d.abi,
    run.bytes,
    i * run.size,
    { index: run.index + i },
    undefined,
    d.le,
    rec,
  );
  for (const f of fs) if (f.offset !== undefined) f.offset += run.base;
  return fs;
}

/** A view renders the records and returns how many errors the record rules found. */
type View = (d: Decoded, io: Io) => Promise<{ errors: number }>;

/** The human table: one row per record, laid out per run; findings and a count at the end. */
const humanView: View = async (d, io) => {
  const out = io.out;
  const size = d.layout.size;
  out.line(
    `abi ${d.abi}: ${d.layout.title}, ${size} bytes (${
      d.guess?.kind === "guessed" ? guessText(d.guess) : "given"
    })`,
  );
  const columns = ["index", "offset", ...recordColumns(d.layout)];
  const cells = cellWriter(d.layout);
  const dec = decoderFor(d.layout);
  const found: Finding[] = [];
  let headed = false, errors = 0, records = 0;
  for await (const run of d.capture.runs) {
    const rows: string[][] = [], faults: string[][] = [];
    for (let i = 0; i < run.count; i++) {
      const off = i * size;
      const rec = dec(run.dv, off, d.le);
      rows.push([String(run.index + i), hex(run.base + off), ...cells(rec)]);
      if (d.asFault) faults.push(...faultRows(d.abi, run.index + i, rec));
      if (d.raw) {
        rows.push([
          "",
          "",
          hexLines(run.bytes.subarray(off, off + size), run.base + off).join(" | "),
        ]);
      }
      if (d.check) {
        const fs = findingsOf(d, run, i, rec);
        errors += fs.filter((f) => f.severity === "error").length;
        found.push(...fs);
      }
    }
    records += run.count;
    // Laid out per run: a huge capture is never held whole just to align columns.
    const lines = table(columns, rows, new Set([0]));
    if (!headed) out.line(lines[0]);
    headed = true;
    for (const l of lines.slice(1)) out.line(l);
    if (faults.length) {
      out.line();
      out.line(FAULT_HEADING);
      for (const l of table(FAULT_COLUMNS, faults, new Set([0]))) out.line(l);
    }
  }
  if (d.check) {
    out.line();
    if (found.length) {
      const rows = found.map((f) => [
        f.severity,
        f.rule,
        `#${f.index} ${f.field ?? ""} @${hex(f.offset ?? 0)}`,
        f.message,
      ]);
      for (const l of table(["severity", "rule", "where", "message"], rows)) out.line(l);
    }
    out.line(`${plural(records, "record")} checked: ${plural(errors, "error")}`);
  }
  return { errors };
};

/** How JSON objects are framed: one array, or one object per line. */
interface Framing {
  begin(out: Writer): void;
  item(out: Writer, json: string, first: boolean): void;
  end(out: Writer): void;
}
const ARRAY: Framing = {
  begin: (out) => out.write("["),
  item: (out, s, first) => out.write(first ? `\n${s}` : `,\n${s}`),
  end: (out) => out.line("\n]"),
};
const LINES: Framing = { begin() {}, item: (out, s) => out.line(s), end() {} };

/**
 * The JSON views: one object per record, in an array or one per line. Without `--check` or
 * `--raw` a line is written straight from the bytes (compiled from the ABI data), the path that
 * keeps `--ndjson` at its speed.
 */
function jsonView(framing: Framing): View {
  return async (d, io) => {
    const out = io.out;
    if (d.guess?.kind === "guessed") io.err(`faultscope: ${d.name}: abi ${guessText(d.guess)}\n`);
    const size = d.layout.size;
    const line = jsonLineWriter(d.layout);
    const dec = decoderFor(d.layout);
    let errors = 0, first = true;
    framing.begin(out);
    for await (const run of d.capture.runs) {
      for (let i = 0; i < run.count; i++) {
        const off = i * size, index = run.index + i, at = run.base + off;
        let s: string;
        if (!d.check && !d.raw && !d.asFault) {
          s = line(run.dv, off, d.le, `"index":${index},"offset":${at}`);
        } else {
          const rec = dec(run.dv, off, d.le);
          const j = recordJson(d.layout, rec, { index, offset: at });
          if (d.raw) j.raw = hexString(run.bytes.subarray(off, off + size));
          if (d.asFault) j.iommu_fault = iommuFaultOutcomes(d.abi, rec).map(outcomeJson);
          if (d.check) {
            const fs = findingsOf(d, run, i, rec);
            errors += fs.filter((f) => f.severity === "error").length;
            j.findings = fs.map((f) => findingJson(f));
          }
          s = JSON.stringify(j);
        }
        framing.item(out, s, first);
        first = false;
      }
    }
    framing.end(out);
    return { errors };
  };
}

/** Decodes a capture, stdin or hex. */
export async function run(o: DecodeOpts, io: Io): Promise<ExitCode> {
  const le = o.endian !== "big";
  const src = await openSource(o, io);
  if (o.asIommuFault && !(HARDWARE_ABIS as readonly string[]).includes(o.abi ?? "")) {
    throw new UsageError(
      `--as-iommu-fault needs --abi with a hardware record: ${HARDWARE_ABIS.join(", ")}`,
    );
  }
  if (o.abi === "vevent") {
    // vEVENTQ records vary in length; a read buffer is small, so it is decoded whole.
    const parts: Uint8Array[] = [];
    for await (const c of src.chunks) parts.push(c.slice());
    return decodeVevents(src.name, concat(parts), o, le, io);
  }
  let abi = o.abi as AbiId | undefined;
  let guess: AbiGuess | undefined;
  if (!abi) {
    guess = guessAbi(src.first, src.length, le);
    if (guess.kind === "no-fit") {
      throw new InputError(
        `${src.name}: ${guess.length} bytes is not a multiple of any record size ` +
          `(${guess.sizes.join(" or ")}); pass --abi`,
      );
    }
    abi = guess.abi;
  }
  const layout = RECORDS[abi];
  if (layout.family === "hardware" && !le) {
    throw new UsageError(`${abi} records are little endian in every IOMMU; drop --endian big`);
  }
  const d: Decoded = {
    name: src.name,
    abi,
    layout,
    le,
    guess,
    capture: readCapture(src.chunks, layout.size, o.count ?? Infinity),
    check: o.check,
    raw: o.raw,
    asFault: o.asIommuFault,
  };
  const view = o.json ? jsonView(ARRAY) : o.ndjson ? jsonView(LINES) : humanView;
  const { errors } = await view(d, io);
  const end = d.capture.end();
  if (end.trailing && !end.limited) {
    throw new InputError(
      `${src.name}: trailing ${end.trailing.length} bytes at offset ${hex(end.trailing.offset)} ` +
        `are not a whole ${layout.size}-byte ${abi} record`,
    );
  }
  return errors ? EXIT.FINDINGS : EXIT.OK;
}

/** The vEVENTQ stream, decoded whole: its records and (with `--check`) the stream rules. */
interface DecodedVevents {
  type: DecodeOpts["veventType"];
  records: VeventRecord[];
  findings: Finding[];
}

function veventHumanView(v: DecodedVevents, check: boolean, out: Writer): void {
  const t = VEVENT_TYPES[v.type];
  out.line(
    `abi vevent: iommufd_vevent_header + struct ${t.struct} (${t.payloadSize} bytes), given`,
  );
  const cols = ["index", "offset", "flags", "sequence", ...t.fields.map((f) => f.name)];
  const rows = v.records.filter((r) => !r.truncated).map((r, i) => {
    const fields = r.payload && t.fields.length ? veventFields(v.type, r.payload) : {};
    return [
      String(i),
      hex(r.offset),
      r.lost ? "LOST_EVENTS" : hex(r.flags),
      String(r.sequence),
      ...t.fields.map((f) => {
        const x = fields[f.name];
        if (x === undefined) return "";
        const name = f.enum ? f.enum.values.find((e) => BigInt(e.value) === x)?.name : undefined;
        return name ? `${name}(${hex(x)})` : f.hi - f.lo < 8 ? String(x) : hex(x);
      }),
    ];
  });
  for (const l of table(cols, rows, new Set([0]))) out.line(l);
  if (check) {
    out.line();
    for (const f of v.findings) {
      out.line(`${f.severity}  ${f.rule}  #${f.index} @${hex(f.offset ?? 0)}  ${f.message}`);
    }
    const errors = v.findings.filter((f) => f.severity === "error").length;
    out.line(`${plural(v.records.length, "record")} checked: ${plural(errors, "error")}`);
  }
}

function veventJsonView(v: DecodedVevents, check: boolean, framing: Framing, out: Writer): void {
  framing.begin(out);
  v.records.filter((r) => !r.truncated).forEach((r, i) => {
    const j: JsonObject = veventJson(v.type, r, i);
    if (check) j.findings = v.findings.filter((f) => f.index === i).map((f) => findingJson(f));
    framing.item(out, JSON.stringify(j), i === 0);
  });
  framing.end(out);
}

function decodeVevents(
  name: string,
  bytes: Uint8Array,
  o: DecodeOpts,
  le: boolean,
  io: Io,
): ExitCode {
  const type = o.veventType;
  const records = [...parseVevents(bytes, type, le)].slice(0, o.count ?? Infinity);
  const v: DecodedVevents = { type, records, findings: o.check ? checkVevents(records, type) : [] };
  if (o.json) veventJsonView(v, o.check, ARRAY, io.out);
  else if (o.ndjson) veventJsonView(v, o.check, LINES, io.out);
  else veventHumanView(v, o.check, io.out);
  const cut = records.find((r) => r.truncated);
  if (cut && !o.check) {
    throw new InputError(
      `${name}: trailing ${bytes.length - cut.offset} bytes at offset ${
        hex(cut.offset)
      } are not a whole vEVENT record`,
    );
  }
  return v.findings.some((f) => f.severity === "error") ? EXIT.FINDINGS : EXIT.OK;
}
