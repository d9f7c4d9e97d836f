/**
 * `faultscope decode [FILE|-] [--hex TEXT]`: decodes a raw capture of records (or a hex dump) as
 * a stream in bounded memory, whatever its size: `iommu_fault` generations, iommufd records, an
 * IOMMU's own hardware records (`--as-iommu-fault` adds the `iommu_fault` each of those
 * becomes), or the vEVENTQ stream (`--abi vevent`, in `../vevent_view.ts`). The ABI is given
 * with `--abi` or inferred, and an inference is always said: the pick, why, every candidate's
 * score, and when the input cannot decide (ambiguous) how to choose. A word-grouped hex dump is
 * read in its byte order and said so, or refused with a line saying how to give it.
 *
 * The command opens the input (`../capture_input.ts`: text or records, said), asks the core for
 * the records (and the inference, the filter's predicate, the findings with `--check`, the
 * summary with `--summary`), and hands each record to one view: the human table (its columns
 * fixed from the ABI data, so a million rows stay aligned; cut to the terminal's width on a
 * TTY), a JSON object, or NDJSON. `--count N` stops reading after N records shown.
 *
 * @example
 * ```ts
 * import { run } from "./decode.ts";
 * import { DECODE } from "../commands.ts";
 * import { denoIo } from "../io.ts";
 * import { parseCommand } from "../spec.ts";
 * const rfc3 = "01 00 00 00 0a 00 00 00 00 b0 ad de" + " 00".repeat(36);
 * const { options } = parseCommand(DECODE, ["--abi", "rfc3", "--hex", rfc3, "--ndjson"]);
 * let stdout = ""; // captured; `denoIo()` alone writes to the terminal
 * const write = (t: string) => void (stdout += t);
 * const io = { ...denoIo(), out: { write, line: (t = "") => write(t + "\n"), flush() {} } };
 * await run(options, io); // => 0
 * JSON.parse(stdout); // one JSON line: the RFC v3 PERMISSION fault of testdata/vectors/rfc3-unrecov.bin
 * // => { index: 0, offset: 0, abi: "rfc3", type: 1, type_name: "DMA_UNRECOV", reason: 10,
 * //   reason_name: "PERMISSION", addr: "0xdeadb000", fetch_addr: "0x0", ... }
 * ```
 * @module
 */
import { type AbiId, HARDWARE_ABIS, RECORDS } from "../../abi/records.ts";
import type { RecordLayout } from "../../abi/types.ts";
import { type Capture, captureUnit, readCapture, type RecordRun } from "../../codec/capture.ts";
import { type DecodedFields, decoderFor } from "../../codec/decode.ts";
import type { RecordFilterSpec, RecordSummary } from "../../codec/facets.ts";
import { type AbiGuess, guessAbi } from "../../codec/guess.ts";
import { hexLines, hexString } from "../../codec/hex.ts";
import { type JsonObject, recordJson } from "../../codec/json.ts";
import { jsonLineBytes } from "../../codec/jsonline.ts";
import { hex, plural } from "../../codec/numbers.ts";
import type { Finding } from "../../rules/finding.ts";
import { checkRecord } from "../../rules/records.ts";
import { GroupChecker, trailingFinding } from "../../rules/stream.ts";
import { rankingJson, rankingLines } from "../abi_choice.ts";
import {
  filtered,
  filterSpec,
  hexJson,
  inputNote,
  interruptedText,
  positionWidths,
  shrankError,
} from "../decode_common.ts";
import { type CaptureInput, openCapture } from "../capture_input.ts";
import type { DECODE } from "../commands.ts";
import { EXIT, type ExitCode, InputError, UsageError } from "../errors.ts";
import { KeptFindings } from "../findings_view.ts";
import { cellWriter, columnWidths, recordColumns } from "../format.ts";
import { findingJson } from "../hints.ts";
import { byteWriter, type Io } from "../io.ts";
import { fit, FixedTable, table, wrap } from "../render.ts";
import { interrupts, untilSignal, untilStopped } from "../signals.ts";
import type { Parsed } from "../spec.ts";

/** The parsed options of `decode`. */
export type DecodeOpts = Parsed<typeof DECODE>;

/** The modules `--as-iommu-fault` needs, loaded only for it. */
interface AsFault {
  hw: typeof import("../../codec/hw_fault.ts");
  view: typeof import("../iommu_fault_view.ts");
}

/** What the core made of the input: the records of one ABI, as runs, and how it was chosen. */
interface Decoded {
  src: CaptureInput;
  abi: AbiId;
  layout: RecordLayout;
  le: boolean;
  guess: Extract<AbiGuess, { kind: "guessed" }> | undefined;
  capture: Capture;
  /** Run the record rules on each record. */
  check: boolean;
  /** Add each record's raw bytes. */
  raw: boolean;
  /** Add the iommu_fault each (hardware) record becomes: its modules, loaded for it. */
  asFault: AsFault | undefined;
  /** The filters and the summary, loaded when one is given. */
  facets: typeof import("../facets_view.ts") | undefined;
  /** The filters' predicate (undefined: every record). */
  keep: ((rec: DecodedFields) => boolean) | undefined;
  filter: RecordFilterSpec;
  /** Summarise instead of listing. */
  summary: RecordSummary | undefined;
  /** Most records shown. */
  count: number;
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
    for (const f of this.groups.push(rec, { index: run.index + i, offset: at })) fs.push(f);
    this.records++;
    return this.count(fs);
  }
  /** Findings of the end of the capture: a group cut, trailing bytes (FQ-ALIGN). */
  end(trailing: { offset: number; length: number } | undefined): Finding[] {
    return this.count([...this.groups.end(), ...trailingFinding(this.d.layout, trailing)]);
  }
  count(fs: Finding[]): Finding[] {
    for (const f of fs) {
      if (f.severity === "error") this.errors++;
      else if (f.severity === "warning") this.warnings++;
    }
    return fs;
  }
}

/** A view: takes the records the filters keep, one at a time, then ends. */
interface View {
  /** Record `i` of `run` (`rec`: already decoded, when the filter needed it). */
  record(run: RecordRun, i: number, rec: DecodedFields | undefined): void;
  /** The first `n` records of `run`, every one shown (no filter): a view's fast path, if any. */
  records?(run: RecordRun, n: number): void;
  /** The capture ended (or `--count` stopped it): totals, findings, summary. */
  end(read: number): void;
  /** Errors the record rules found. */
  errors(): number;
}

/** The lines at the top of the human view: the ABI, how it was chosen, how the input was read. */
function headLines(d: Decoded): string[] {
  const lines = [
    `abi ${d.abi}: ${d.layout.title}, ${d.layout.size} bytes (${
      d.guess ? guessText(d.guess) : "given"
    })`,
  ];
  if (d.guess) { for (const l of rankingLines(d.guess)) lines.push(`  ${l}`); }
  const note = inputNote(d.src);
  if (note) lines.push(`  ${note}`);
  const f = d.facets?.filterText(d.filter);
  if (f) lines.push(`  only records with ${f}`);
  return lines;
}

/**
 * The widths of an input held whole in its sample (a pasted dump, a short capture): its own
 * records' cells, so a few records make a narrow table. Undefined for a longer input, whose
 * widths come from the ABI data.
 */
function sampleWidths(
  d: Decoded,
  dec: (dv: DataView, o: number, le: boolean) => DecodedFields,
  cells: (rec: DecodedFields) => string[],
): number[] | undefined {
  const { sample, length } = d.src;
  if (length === undefined || length > sample.length) return undefined;
  const dv = new DataView(sample.buffer, sample.byteOffset, sample.byteLength);
  const widths = recordColumns(d.layout).map(() => 0);
  for (let o = 0; o + d.layout.size <= sample.length; o += d.layout.size) {
    cells(dec(dv, o, d.le)).forEach((c, i) => widths[i] = Math.max(widths[i], c.length));
  }
  return widths;
}

/** The human table: one row per record at fixed widths; findings, summary and counts at the end. */
function humanView(d: Decoded, io: Io): View {
  const out = io.out;
  const cols = io.columns;
  // On a terminal the prose wraps under itself; the table's rows are cut (fit) instead.
  for (const l of headLines(d)) for (const w of wrap(l, cols, "    ")) out.line(w);
  const size = d.layout.size;
  const [iw, ow] = positionWidths(d.src.length, size);
  const cells = cellWriter(d.layout);
  const dec = decoderFor(d.layout);
  const t = new FixedTable(
    ["index", "offset", ...recordColumns(d.layout)],
    [iw, ow, ...(sampleWidths(d, dec, cells) ?? columnWidths(d.layout))],
    new Set([0]),
  );
  const checker = new Checker(d);
  const kept = new KeptFindings();
  let headed = false;
  let faults: string[][] = [];
  let faultRun: RecordRun | undefined;
  let shown = 0;
  /** The iommu_fault table of the records shown since the last one; `more`: records follow. */
  const flushFaults = (more: boolean) => {
    if (!faults.length) return;
    out.line();
    const { FAULT_COLUMNS, FAULT_HEADING } = d.asFault!.view;
    out.line(FAULT_HEADING);
    for (const l of table(FAULT_COLUMNS, faults, new Set([0]))) out.line(fit(l, cols));
    faults = [];
    // The records that follow get a blank line and their header again, not rows that seem to
    // continue the iommu_fault table; the last table ends the output with no blank line.
    if (more) {
      out.line();
      headed = false;
    }
  };
  return {
    record(run, i, r) {
      const off = i * size, at = run.base + off;
      const rec = r ?? dec(run.dv, off, d.le);
      shown++;
      if (d.check) kept.add(checker.of(run, i, rec));
      if (d.summary) return d.summary.add(rec);
      if (faultRun !== run) flushFaults(true);
      faultRun = run;
      if (!headed) out.line(fit(t.header(), cols));
      headed = true;
      out.line(fit(t.row([String(run.index + i), hex(at), ...cells(rec)]), cols));
      if (d.raw) {
        for (const l of hexLines(run.bytes.subarray(off, off + size), at)) out.line(`      ${l}`);
      }
      if (d.asFault) faults.push(...d.asFault.view.faultRows(d.abi, run.index + i, rec));
    },
    end(read) {
      flushFaults(false);
      if (!headed && !d.summary) out.line(fit(t.header(), cols));
      if (d.summary) { for (const l of d.facets!.summaryLines(d.summary.result())) out.line(l); }
      if (d.keep && !d.summary) {
        out.line(`${shown} of ${plural(read, "record")} shown`);
      }
      if (d.check) {
        kept.add(checker.end(d.capture.end().trailing));
        for (const l of kept.lines(checker.records, "record", io.columns)) out.line(l);
      }
    },
    errors: () => checker.errors,
  };
}

/** The JSON head: the ABI, how it was chosen, how the input was read. */
function headJson(d: Decoded): JsonObject {
  return {
    abi: d.abi,
    guessed: d.guess !== undefined,
    ...rankingJson(d.guess),
    hex: hexJson(d.src),
  };
}

/**
 * Says on stderr how the ABI was inferred and how hex was read (the JSON object carries it too;
 * NDJSON has no other place for it).
 */
function stderrNotes(d: Decoded, io: Io) {
  if (d.guess) {
    io.err(
      `faultscope: ${d.src.name}: ${guessText(d.guess)}; ${rankingLines(d.guess).join("; ")}\n`,
    );
  }
  const note = inputNote(d.src, true);
  if (note) io.err(`faultscope: ${d.src.name}: ${note}\n`);
}

/**
 * The JSON views: one object holding the records (streamed into it), or one record per line.
 * Without `--check`, `--raw` or a filter, a run of records is written as bytes straight into
 * the output buffer by the writer compiled from the ABI data (`jsonLineBytes`): the path that
 * keeps `--ndjson` near the speed of the I/O beneath it. With `--summary`, the object holds the
 * summary instead of the records.
 */
function jsonView(d: Decoded, io: Io, lines: boolean): View {
  const out = io.out;
  stderrNotes(d, io);
  const size = d.layout.size;
  const dec = decoderFor(d.layout);
  const checker = new Checker(d);
  const fast = !d.check && !d.raw && !d.asFault;
  let first = true;
  const head = headJson(d);
  if (!lines && !d.summary) {
    const h = JSON.stringify(head);
    out.write(`${h.slice(0, -1)},\n"records": [`);
  }
  const w = jsonLineBytes(d.layout, ["index", "offset"]);
  // Room for the longest record and a separator.
  const need = w.maxBytes + 2;
  const bw = byteWriter(out);
  /** Writes records `from` to `to` (excluded) of `run` as JSON into the output buffer. */
  const write = (run: RecordRun, from: number, to: number) => {
    const dv = run.dv, le = d.le, body = w.write;
    let buf = bw.room(need), b = buf.bytes, p = bw.pos;
    for (let i = from, o = from * size; i < to; i++, o += size) {
      if (b.length - p < need) {
        bw.pos = p;
        buf = bw.room(need);
        b = buf.bytes;
        p = bw.pos;
      }
      if (!lines) {
        if (!first) b[p++] = 44; // ,
        b[p++] = 10;
        first = false;
      }
      p = body(dv, o, le, buf, p, run.index + i, run.base + o);
      if (lines) b[p++] = 10;
    }
    bw.pos = p;
    bw.settle();
  };
  return {
    record(run, i, r) {
      const off = i * size, index = run.index + i, at = run.base + off;
      if (d.summary) return d.summary.add(r ?? dec(run.dv, off, d.le));
      if (fast) return write(run, i, i + 1);
      const rec = r ?? dec(run.dv, off, d.le);
      const j = recordJson(d.layout, rec, { index, offset: at });
      if (d.raw) j.raw = hexString(run.bytes.subarray(off, off + size));
      if (d.asFault) {
        const { iommuFaultOutcomes, outcomeJson } = d.asFault.hw;
        j.iommu_fault = iommuFaultOutcomes(d.abi, rec).map(outcomeJson);
      }
      if (d.check) j.findings = checker.of(run, i, rec).map((f) => findingJson(f));
      const s = JSON.stringify(j);
      if (lines) out.line(s);
      else out.write(first ? `\n${s}` : `,\n${s}`);
      first = false;
    },
    records: fast && !d.summary ? (run, n) => write(run, 0, n) : undefined,
    end() {
      const tail: JsonObject = {};
      if (d.check) {
        const ended = checker.end(d.capture.end().trailing);
        tail.check = {
          records: checker.records,
          errors: checker.errors,
          warnings: checker.warnings,
          findings: ended.map((f) => findingJson(f)),
        };
        if (lines) {
          for (const f of ended) io.err(`faultscope: ${f.severity}: ${f.rule}: ${f.message}\n`);
        }
      }
      if (d.summary) {
        const summary = d.facets!.summaryJson(d.summary.result());
        out.line(JSON.stringify({ ...head, summary, ...tail }));
      } else if (!lines) {
        const t = JSON.stringify(tail);
        out.line(`\n]${t.length > 2 ? `,\n${t.slice(1, -1)}` : ""}}`);
      }
    },
    errors: () => checker.errors,
  };
}

/** Checks the combinations of options the table cannot express. */
function checkOptions(o: DecodeOpts): void {
  if (o.hex !== undefined && o.file !== undefined) {
    throw new UsageError("give either FILE or --hex, not both");
  }
  const filtered = o.type || o.reason || o.pasid || o.device || o.addr;
  if (o.check && (filtered || o.summary)) {
    throw new UsageError(
      "--check checks every record of the capture: give it without filters and --summary",
    );
  }
  if (o.asIommuFault && !(HARDWARE_ABIS as readonly string[]).includes(o.abi ?? "")) {
    throw new UsageError(
      `--as-iommu-fault needs --abi with a hardware record: ${HARDWARE_ABIS.join(", ")}`,
    );
  }
  if (o.abi !== "vevent" && (o.oneRead || o.veventqDepth !== undefined)) {
    throw new UsageError("--one-read and --veventq-depth apply to --abi vevent");
  }
  if (o.abi !== "vevent" && o.veventType !== undefined) {
    throw new UsageError("--vevent-type applies to --abi vevent");
  }
}

/** Decodes a capture, stdin or hex. */
export async function run(o: DecodeOpts, io: Io): Promise<ExitCode> {
  checkOptions(o);
  const le = o.endian !== "big";
  if (o.hex === undefined && o.file === undefined && io.stdinIsTerminal) {
    throw new UsageError("no input: give FILE, - for stdin, or --hex TEXT");
  }
  // Ctrl-C and SIGTERM end the reading as if the input ended: the chunk read is decoded, the
  // output closed (a JSON array ends), and one line says where it stopped (exit 130 or 143).
  using stop = interrupts();
  const opened = await untilStopped(
    stop,
    openCapture({
      file: o.file,
      hex: o.hex,
      hexGroups: o.hexGroups,
      hostOrder: le ? "little" : "big",
      // Chunks are a multiple of every record size: no record straddles two in practice.
      unit: captureUnit(),
    }, io.stdin),
  );
  stop.throwIfInterrupted("interrupted before a record was read");
  const src: CaptureInput = { ...opened!, chunks: untilSignal(stop, opened!.chunks) };
  if (o.abi === "vevent") {
    return await (await import("../vevent_view.ts")).decodeVevents(src, o, io, stop);
  }
  let abi = o.abi as AbiId | undefined;
  let guess: AbiGuess | undefined;
  if (!abi) {
    guess = guessAbi(src.sample, src.length, le);
    if (guess.kind === "no-fit") {
      throw new InputError(
        `${src.name}: ${plural(guess.length, "byte")} is not a multiple of any record size ` +
          `(${guess.sizes.join(" or ")}); pass --abi`,
      );
    }
    abi = guess.abi;
  }
  const layout = RECORDS[abi];
  if (layout.family === "hardware" && !le) {
    throw new UsageError(`${abi} records are little endian in every IOMMU; drop --endian big`);
  }
  const filter = filterSpec(o);
  const facets = filtered(filter) || o.summary ? await import("../facets_view.ts") : undefined;
  const keep = facets?.compileFilter(layout, filter);
  const count = o.count ?? Infinity;
  const d: Decoded = {
    src,
    abi,
    layout,
    le,
    guess: guess?.kind === "guessed" ? guess : undefined,
    // Without a filter every record read is shown: the reading itself stops at --count.
    capture: readCapture(src.chunks, layout.size, keep ? Infinity : count),
    check: o.check,
    raw: o.raw,
    asFault: o.asIommuFault
      ? {
        hw: await import("../../codec/hw_fault.ts"),
        view: await import("../iommu_fault_view.ts"),
      }
      : undefined,
    facets,
    keep,
    filter,
    summary: facets && o.summary ? new facets.RecordSummary(layout) : undefined,
    count,
  };
  const view = o.json
    ? jsonView(d, io, false)
    : o.ndjson
    ? jsonView(d, io, true)
    : humanView(d, io);
  const dec = decoderFor(layout);
  let shown = 0, read = 0;
  let stopped = count <= 0;
  if (!stopped) {
    runs: for await (const run of d.capture.runs) {
      if (!keep && view.records) {
        // Every record read is shown, and the reading itself stops at --count.
        const n = Math.min(run.count, count - shown);
        view.records(run, n);
        read += n;
        shown += n;
        if (shown >= count) {
          stopped = true;
          break runs;
        }
        continue;
      }
      for (let i = 0; i < run.count; i++) {
        read++;
        let rec: DecodedFields | undefined;
        if (keep) {
          rec = dec(run.dv, i * run.size, le);
          if (!keep(rec)) continue;
        }
        view.record(run, i, rec);
        if (++shown >= count) {
          stopped = true;
          break runs; // stops the reading: the input is closed, nothing more is read
        }
      }
    }
  }
  view.end(read);
  stop.throwIfInterrupted(interruptedText(read, shown, keep !== undefined, o.summary));
  const end = d.capture.end();
  if (!stopped && !end.limited) {
    // With --check, the iommufd queue's partial record is a finding (FQ-ALIGN) already reported.
    const reported = o.check && layout.family.startsWith("iommufd");
    if (end.trailing && !reported) {
      throw new InputError(
        `${src.name}: trailing ${plural(end.trailing.length, "byte")} at offset ` +
          `${hex(end.trailing.offset)} ${end.trailing.length === 1 ? "is" : "are"} not a whole ` +
          `${layout.size}-byte ${abi} record`,
      );
    }
    const size = src.shrank()?.size ?? 0;
    const shrank = shrankError(
      src,
      src.hex()
        ? `${plural(end.records, "record")} decoded`
        : `${end.records} of ${plural(Math.floor(size / layout.size), "record")} decoded`,
    );
    if (shrank) throw shrank;
  }
  return view.errors() ? EXIT.FINDINGS : EXIT.OK;
}
