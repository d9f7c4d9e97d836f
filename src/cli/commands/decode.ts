/**
 * `faultscope decode [FILE|-] [--hex TEXT]`: decodes a raw capture of records (or a pasted hex
 * dump) as a stream in bounded memory: `iommu_fault` generations, iommufd records, or an IOMMU's
 * own hardware records (`--as-iommu-fault` adds the `iommu_fault` each of those becomes). The ABI
 * is given with `--abi` or inferred, and an inference is always said: the pick, why, every candidate's score, and when the input cannot
 * decide (ambiguous) how to choose. A word-grouped hex dump is read in its byte order and said
 * so, or refused with a line saying how to give it. The command reads its input, asks the core
 * for the records (and the inference, and the findings with `--check`), then hands that one
 * result to a view: the human table, a JSON object, or NDJSON.
 *
 * @example
 * ```ts
 * import { run } from "./decode.ts";
 * import { denoIo } from "../io.ts";
 * const rfc3 = "01 00 00 00 0a 00 00 00 00 b0 ad de" + " 00".repeat(36);
 * const io = denoIo();
 * const code = await run({
 *   file: undefined, hex: rfc3, abi: "rfc3", ndjson: true, json: false, raw: false,
 *   check: false, endian: "little", veventType: "arm-smmuv3", oneRead: false,
 *   asIommuFault: false,
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
import { HexError, hexLines, type HexReading, hexString, readHex } from "../../codec/hex.ts";
import { iommuFaultOutcomes, outcomeJson } from "../../codec/hw_fault.ts";
import { type JsonObject, recordJson } from "../../codec/json.ts";
import { jsonLineWriter } from "../../codec/jsonline.ts";
import { hex, plural } from "../../codec/numbers.ts";
import {
  type LossTotals,
  lossTotals,
  parseVevents,
  veventFields,
  veventJson,
  type VeventRecord,
} from "../../codec/vevent.ts";
import { type Finding, tally } from "../../rules/finding.ts";
import { checkRecord } from "../../rules/records.ts";
import { GroupChecker, trailingFinding } from "../../rules/stream.ts";
import { checkVevents } from "../../rules/vevent.ts";
import { rankingJson, rankingLines } from "../abi_choice.ts";
import type { DECODE } from "../commands.ts";
import { EXIT, type ExitCode, InputError, UsageError } from "../errors.ts";
import { concat, inputInfo, readChunks } from "../files.ts";
import { cellWriter, recordColumns } from "../format.ts";
import { findingJson, withHints } from "../hints.ts";
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
  /** How a hex dump was read; undefined for raw bytes. */
  hex?: HexReading;
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
  const whole = (text: string): Source => {
    let read;
    try {
      read = readHex(text, {
        groups: o.hexGroups,
        hostOrder: o.endian === "big" ? "big" : "little",
      });
    } catch (e) {
      if (e instanceof HexError) throw new InputError(`${name}: ${withHints(e.message, e.hints)}`);
      throw e;
    }
    if (read.bytes.length === 0) throw new InputError(`${name}: empty input (no records)`);
    const bytes = read.bytes;
    return { name, length: bytes.length, first: bytes, chunks: once(bytes), hex: read.reading };
  };
  if (o.hex !== undefined) return whole(o.hex);
  const { size } = await inputInfo(file!);
  // Chunks are a multiple of every record size: no record straddles two in practice.
  const stream = readChunks(file!, captureUnit(), undefined, io.stdin);
  const next = await stream.next();
  const first = next.done ? new Uint8Array(0) : next.value;
  if (looksLikeText(first)) {
    const parts: Uint8Array[] = [first.slice()];
    for await (const c of stream) parts.push(c.slice()); // chunks reuse one buffer
    return whole(new TextDecoder().decode(concat(parts)));
  }
  if (size === 0 || first.length === 0) throw new InputError(`${name}: empty input (no records)`);
  return { name, length: size, first, chunks: chain(first, stream) };
}

/** How a word-grouped dump was read, in one line; undefined for bytes. */
export function hexText(r: HexReading | undefined): string | undefined {
  if (!r || r.groups !== "words") return undefined;
  return `hex read as ${8 * r.wordBytes!}-bit ${r.order}-endian words (${r.format})` +
    (r.assumed
      ? `; ${r.order}-endian is the default for a host-order dump: --hex-groups ` +
        `${r.order === "little" ? "big" : "little"} if it came from a ` +
        `${r.order === "little" ? "big" : "little"}-endian host, --hex-groups bytes if its ` +
        `groups are bytes`
      : "");
}

/** The JSON form of how a hex dump was read (null for raw input). */
function hexJson(r: HexReading | undefined): JsonObject | null {
  if (!r) return null;
  return {
    format: r.format,
    groups: r.groups,
    ...(r.groups === "words" ? { word_bytes: r.wordBytes!, order: r.order! } : {}),
    assumed: r.assumed,
  };
}

/** What the core made of the input: the records of one ABI, as runs, and how it was chosen. */
interface Decoded {
  name: string;
  abi: AbiId;
  layout: RecordLayout;
  le: boolean;
  guess: Extract<AbiGuess, { kind: "guessed" }> | undefined;
  hex: HexReading | undefined;
  capture: Capture;
  /** Run the record rules on each record. */
  check: boolean;
  /** Add each record's raw bytes. */
  raw: boolean;
  /** Add the iommu_fault each (hardware) record becomes. */
  asFault: boolean;
}

/** How the ABI was chosen, as the first line of the human view says it. */
export function guessText(g: Extract<AbiGuess, { kind: "guessed" }>): string {
  const size = RECORDS[g.abi].size;
  const what = g.length === undefined
    ? "from the first records"
    : `${g.length} bytes = ${g.length / size} x ${size}`;
  return `guessed ${g.abi}${g.ambiguous ? ", AMBIGUOUS" : ""}: ${what}`;
}

/** Record rules and group rules over the capture, with offsets in the capture. */
class Checker {
  readonly groups: GroupChecker;
  errors = 0;
  warnings = 0;
  records = 0;
  constructor(readonly d: Decoded) {
    this.groups = new GroupChecker(d.layout);
  }
  /** Findings on record `i` of a run (and what it reveals about its group). */
  of(run: RecordRun, i: number, rec: DecodedFields): Finding[] {
    const fs = checkRecord(
      this.d.abi,
      run.bytes,
      i * run.size,
      { index: run.index + i },
      undefined,
      this.d.le,
      rec,
    );
    for (const f of fs) if (f.offset !== undefined) f.offset += run.base;
    const at = run.base + i * run.size;
    fs.push(...this.groups.push(rec, { index: run.index + i, offset: at }));
    this.records++;
    return this.count(fs);
  }
  /** Findings of the end of the capture: a group cut, trailing bytes (FQ-ALIGN). */
  end(trailing: { offset: number; length: number } | undefined): Finding[] {
    return this.count([...this.groups.end(), ...trailingFinding(this.d.layout, trailing)]);
  }
  count(fs: Finding[]): Finding[] {
    const t = tally(fs);
    this.errors += t.errors;
    this.warnings += t.warnings;
    return fs;
  }
}

/** A view renders the records and returns how many errors the record rules found. */
type View = (d: Decoded, io: Io) => Promise<{ errors: number }>;

/** The findings table, and the count line. */
function findingsTable(out: Writer, found: readonly Finding[], what: string, c: Checker) {
  out.line();
  if (found.length) {
    const rows = found.map((f) => [
      f.severity,
      f.rule,
      `#${f.index ?? "-"} ${f.field ?? ""} @${hex(f.offset ?? 0)}`,
      withHints(f.message, f.hints),
    ]);
    for (const l of table(["severity", "rule", "where", "message"], rows)) out.line(l);
  }
  out.line(
    `${plural(c.records, what)} checked: ${plural(c.errors, "error")}, ` +
      `${plural(c.warnings, "warning")}`,
  );
}

/** The human table: one row per record, laid out per run; findings and a count at the end. */
const humanView: View = async (d, io) => {
  const out = io.out;
  const size = d.layout.size;
  out.line(
    `abi ${d.abi}: ${d.layout.title}, ${size} bytes (${d.guess ? guessText(d.guess) : "given"})`,
  );
  if (d.guess) { for (const l of rankingLines(d.guess)) out.line(`  ${l}`); }
  const words = hexText(d.hex);
  if (words) out.line(`  ${words}`);
  const columns = ["index", "offset", ...recordColumns(d.layout)];
  const cells = cellWriter(d.layout);
  const dec = decoderFor(d.layout);
  const checker = new Checker(d);
  const found: Finding[] = [];
  let headed = false;
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
      if (d.check) found.push(...checker.of(run, i, rec));
    }
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
    found.push(...checker.end(d.capture.end().trailing));
    findingsTable(out, found, "record", checker);
  }
  return { errors: checker.errors };
};

/** How JSON objects are framed: one object holding the records, or one object per line. */
interface Framing {
  begin(out: Writer, head: JsonObject): void;
  item(out: Writer, json: string, first: boolean): void;
  end(out: Writer, tail: JsonObject): void;
}

/** `{...head, "records": [ ... ], ...tail}`, the records streamed one by one. */
const OBJECT: Framing = {
  begin: (out, head) => {
    const h = JSON.stringify(head);
    out.write(`${h.slice(0, -1)}${h.length > 2 ? "," : ""}\n"records": [`);
  },
  item: (out, s, first) => out.write(first ? `\n${s}` : `,\n${s}`),
  end: (out, tail) => {
    const t = JSON.stringify(tail);
    out.line(`\n]${t.length > 2 ? `,\n${t.slice(1, -1)}` : ""}}`);
  },
};
/** One record per line; the head and tail (inference, totals) are said on stderr. */
const LINES: Framing = { begin() {}, item: (out, s) => out.line(s), end() {} };

/** The JSON head: the ABI, how it was chosen, how the input was read. */
function headJson(d: Decoded): JsonObject {
  return {
    abi: d.abi,
    guessed: d.guess !== undefined,
    ...rankingJson(d.guess),
    hex: hexJson(d.hex),
  };
}

/**
 * Says on stderr how the ABI was inferred and how hex was read (the JSON object carries it too;
 * NDJSON has no other place for it).
 */
function stderrNotes(d: Decoded, io: Io) {
  if (d.guess) {
    io.err(`faultscope: ${d.name}: ${guessText(d.guess)}; ${rankingLines(d.guess).join("; ")}\n`);
  }
  const words = hexText(d.hex);
  if (words) io.err(`faultscope: ${d.name}: ${words}\n`);
}

/**
 * The JSON views: one object holding the records, or one record per line. Without `--check` or
 * `--raw` a line is written straight from the bytes (compiled from the ABI data), the path that
 * keeps `--ndjson` at its speed.
 */
function jsonView(framing: Framing): View {
  return async (d, io) => {
    const out = io.out;
    stderrNotes(d, io);
    const size = d.layout.size;
    const line = jsonLineWriter(d.layout);
    const dec = decoderFor(d.layout);
    const checker = new Checker(d);
    let first = true;
    framing.begin(out, headJson(d));
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
          if (d.check) j.findings = checker.of(run, i, rec).map((f) => findingJson(f));
          s = JSON.stringify(j);
        }
        framing.item(out, s, first);
        first = false;
      }
    }
    const tail: JsonObject = {};
    if (d.check) {
      const ended = checker.end(d.capture.end().trailing);
      tail.check = {
        records: checker.records,
        errors: checker.errors,
        warnings: checker.warnings,
        findings: ended.map((f) => findingJson(f)),
      };
      if (framing === LINES) {
        for (const f of ended) io.err(`faultscope: ${f.severity}: ${f.rule}: ${f.message}\n`);
      }
    }
    framing.end(out, tail);
    return { errors: checker.errors };
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
    return decodeVevents(src, concat(parts), o, le, io);
  }
  if (o.oneRead || o.veventqDepth !== undefined) {
    throw new UsageError("--one-read and --veventq-depth apply to --abi vevent");
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
    guess: guess?.kind === "guessed" ? guess : undefined,
    hex: src.hex,
    capture: readCapture(src.chunks, layout.size, o.count ?? Infinity),
    check: o.check,
    raw: o.raw,
    asFault: o.asIommuFault,
  };
  const view = o.json ? jsonView(OBJECT) : o.ndjson ? jsonView(LINES) : humanView;
  const { errors } = await view(d, io);
  const end = d.capture.end();
  // With --check, the iommufd queue's partial record is a finding (FQ-ALIGN) already reported.
  const reported = o.check && layout.family.startsWith("iommufd");
  if (end.trailing && !end.limited && !reported) {
    throw new InputError(
      `${src.name}: trailing ${end.trailing.length} bytes at offset ${hex(end.trailing.offset)} ` +
        `are not a whole ${layout.size}-byte ${abi} record`,
    );
  }
  return errors ? EXIT.FINDINGS : EXIT.OK;
}

/** The vEVENTQ stream, decoded whole: its records, the loss, and (with `--check`) the findings. */
interface DecodedVevents {
  type: DecodeOpts["veventType"];
  records: VeventRecord[];
  loss: LossTotals;
  findings: Finding[];
  hex: HexReading | undefined;
}

/** The loss total in words: `2 events lost (from 1 LOST_EVENTS header and 1 sequence gap)`. */
export function lossText(t: LossTotals): string {
  return `${t.exact ? "" : "at least "}${plural(t.lost, "event")} lost` +
    (t.lost
      ? ` (from ${plural(t.headers, "LOST_EVENTS header")} and ${plural(t.gaps, "sequence gap")})` +
        `: the guest never heard of ${t.lost === 1 ? "it" : "them"}`
      : "");
}

/** The JSON form of the loss total. */
function lossJson(t: LossTotals): JsonObject {
  return {
    lost_events: t.lost,
    lost_events_exact: t.exact,
    lost_events_from: { lost_events_headers: t.headers, sequence_gaps: t.gaps },
  };
}

function veventHumanView(v: DecodedVevents, check: boolean, out: Writer): void {
  const t = VEVENT_TYPES[v.type];
  out.line(
    `abi vevent: iommufd_vevent_header + struct ${t.struct} (${t.payloadSize} bytes), given`,
  );
  const words = hexText(v.hex);
  if (words) out.line(`  ${words}`);
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
    if (v.findings.length) {
      const frows = v.findings.map((f) => [
        f.severity,
        f.rule,
        `#${f.index} @${hex(f.offset ?? 0)}`,
        f.message,
      ]);
      for (const l of table(["severity", "rule", "where", "message"], frows)) out.line(l);
    }
    const { errors, warnings } = tally(v.findings);
    out.line(
      `${plural(v.records.length, "record")} checked: ${plural(errors, "error")}, ` +
        `${plural(warnings, "warning")}`,
    );
  }
  // A loss is said whether or not --check was given: lost events are lost faults.
  if (check || v.loss.lost) out.line(`lost events: ${lossText(v.loss)}`);
}

function veventJsonView(v: DecodedVevents, check: boolean, framing: Framing, out: Writer): void {
  framing.begin(out, {
    abi: "vevent",
    vevent_type: v.type,
    guessed: false,
    hex: hexJson(v.hex),
  });
  v.records.filter((r) => !r.truncated).forEach((r, i) => {
    const j: JsonObject = veventJson(v.type, r, i);
    if (check) j.findings = v.findings.filter((f) => f.index === i).map((f) => findingJson(f));
    framing.item(out, JSON.stringify(j), i === 0);
  });
  const tail: JsonObject = { ...lossJson(v.loss) };
  if (check) {
    const { errors, warnings } = tally(v.findings);
    tail.check = { records: v.records.length, errors, warnings, findings: [] };
  }
  framing.end(out, tail);
}

function decodeVevents(
  src: Source,
  bytes: Uint8Array,
  o: DecodeOpts,
  le: boolean,
  io: Io,
): ExitCode {
  const type = o.veventType;
  if (o.veventqDepth !== undefined && !o.oneRead) {
    throw new UsageError("--veventq-depth needs --one-read: only one read() is bounded by it");
  }
  const records = [...parseVevents(bytes, type, le)].slice(0, o.count ?? Infinity);
  const v: DecodedVevents = {
    type,
    records,
    loss: lossTotals(records),
    findings: o.check
      ? checkVevents(records, type, { oneRead: o.oneRead, depth: o.veventqDepth })
      : [],
    hex: src.hex,
  };
  if (o.json) veventJsonView(v, o.check, OBJECT, io.out);
  else if (o.ndjson) {
    const words = hexText(v.hex);
    if (words) io.err(`faultscope: ${src.name}: ${words}\n`);
    veventJsonView(v, o.check, LINES, io.out);
    if (o.check || v.loss.lost) io.err(`faultscope: ${src.name}: ${lossText(v.loss)}\n`);
  } else veventHumanView(v, o.check, io.out);
  const cut = records.find((r) => r.truncated);
  if (cut && !o.check) {
    throw new InputError(
      `${src.name}: trailing ${bytes.length - cut.offset} bytes at offset ${
        hex(cut.offset)
      } are not a whole vEVENT record`,
    );
  }
  return v.findings.some((f) => f.severity === "error") ? EXIT.FINDINGS : EXIT.OK;
}
