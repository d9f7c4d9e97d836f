/**
 * `decode --abi vevent`: the iommufd vEVENTQ stream, read record by record in bounded memory
 * (`readVevents`), with the loss accounting applied as records arrive (`veventLoss`, `addLoss`)
 * and the VEQ rules run one record at a time (`VeventChecker`). The human table has fixed column
 * widths (from the payload's field descriptions); JSON and NDJSON write each record when the
 * next one arrives, so a finding that only the next record reveals (VEQ-LOST-LAST) is still on
 * its record. Findings of the end of the input (VEQ-TRUNCATED, VEQ-DEPTH) are in the JSON
 * object's `check.findings` and, with NDJSON, on stderr.
 *
 * @example
 * ```ts
 * import { lossText } from "./vevent_view.ts";
 * lossText({ lost: 2, exact: true, headers: 1, gaps: 1 });
 * // => "2 events lost (from 1 LOST_EVENTS header and 1 sequence gap): the guest never heard of them"
 * ```
 * @module
 */
import { VEVENT_TYPES, type VeventTypeId } from "../abi/vevent.ts";
import type { DwordField } from "../abi/vevent.ts";
import { RecordSummary, summaryJson } from "../codec/facets.ts";
import type { JsonObject } from "../codec/json.ts";
import { hex, plural } from "../codec/numbers.ts";
import {
  addLoss,
  type LossTotals,
  NO_LOSS,
  parseVevents,
  readVevents,
  veventFields,
  veventJson,
  veventLoss,
  type VeventRecord,
} from "../codec/vevent.ts";
import type { Finding } from "../rules/finding.ts";
import { VeventChecker } from "../rules/vevent.ts";
import type { CaptureInput } from "./capture_input.ts";
import type { DECODE } from "./commands.ts";
import {
  filterSpec,
  hexJson,
  inputNote,
  interruptedText,
  positionWidths,
  shrankError,
} from "./decode_common.ts";
import { compileFilter, summaryLines } from "./facets_view.ts";
import type { Parsed } from "./spec.ts";

type DecodeOpts = Parsed<typeof DECODE>;
import { EXIT, type ExitCode, InputError, UsageError } from "./errors.ts";
import { KeptFindings } from "./findings_view.ts";
import { findingJson } from "./hints.ts";
import type { Io } from "./io.ts";
import type { Interrupts } from "./signals.ts";
import { fit, FixedTable, wrap } from "./render.ts";
import { filterText } from "../codec/facets.ts";

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

/** Largest value of a payload field, as it is read (a masked field keeps its position). */
const fieldMax = (f: DwordField) =>
  (1n << BigInt(f.take === "mask" ? f.hi + 1 : f.hi - f.lo + 1)) - 1n;

/** A payload field's cell: an event ID by name, small fields in decimal, the rest in hex. */
function cell(f: DwordField, x: bigint | undefined): string {
  if (x === undefined) return "";
  const name = f.enum ? f.enum.values.find((e) => BigInt(e.value) === x)?.name : undefined;
  return name ? `${name}(${hex(x)})` : f.hi - f.lo < 8 ? String(x) : hex(x);
}

/** The widest cell a payload field can have. */
function cellWidth(f: DwordField): number {
  const max = fieldMax(f);
  let w = f.hi - f.lo < 8 ? String(max).length : hex(max).length;
  for (const e of f.enum?.values ?? []) w = Math.max(w, `${e.name}(${hex(e.value)})`.length);
  return w;
}

/** A view of the stream: records as they come, then the end. */
interface VeventView {
  record(r: VeventRecord, index: number, fields: Record<string, bigint>, fs: Finding[]): void;
  /** Findings about the record before the current one, or of the end of the input. */
  late(fs: readonly Finding[]): void;
  /** The end: the loss, and the totals of the rules (with --check). */
  end(loss: LossTotals, checked: Checked | undefined): void;
}

/** What the rules found in all. */
interface Checked {
  records: number;
  errors: number;
  warnings: number;
}

/** Decodes a vEVENTQ stream. */
export async function decodeVevents(
  src: CaptureInput,
  o: Parsed<typeof DECODE>,
  io: Io,
  stop?: Interrupts,
): Promise<ExitCode> {
  const type: VeventTypeId = o.veventType ?? "arm-smmuv3";
  const t = VEVENT_TYPES[type];
  const le = o.endian !== "big";
  if (o.veventqDepth !== undefined && !o.oneRead) {
    throw new UsageError("--veventq-depth needs --one-read: only one read() is bounded by it");
  }
  const kind = `vevent:${type}` as const;
  const filter = filterSpec(o);
  const keep = compileFilter(kind, filter);
  const summary = o.summary ? new RecordSummary(kind) : undefined;
  const count = o.count ?? Infinity;
  const checker = o.check
    ? new VeventChecker(type, { oneRead: o.oneRead, depth: o.veventqDepth })
    : undefined;
  const kept = new KeptFindings();
  const out = io.out;
  const cols = io.columns;
  const view: VeventView = o.json || o.ndjson
    ? jsonView(src, o, io, type, summary)
    : humanView(src, io, type, le, summary, filterText(filter));
  const stream = readVevents(src.chunks, type, le, keep ? Infinity : count);
  let loss = NO_LOSS, prev: number | undefined;
  let index = 0, shown = 0;
  let cut: VeventRecord | undefined;
  let stopped = count <= 0;
  if (!stopped) {
    for await (const r of stream.records) {
      const fs = checker ? checker.push(r) : [];
      kept.add(fs);
      const mine = fs.filter((f) => f.index === index);
      const late = fs.filter((f) => f.index !== index);
      if (late.length) view.late(late);
      index++;
      if (r.truncated) {
        cut = r;
        view.late(mine);
        continue;
      }
      const step = veventLoss(prev, r);
      loss = addLoss(loss, step);
      if (step.kind !== "out-of-range") prev = r.sequence;
      const fields = r.payload && t.fields.length ? veventFields(type, r.payload) : {};
      if (keep && !keep(fields)) continue;
      view.record(r, index - 1, fields, mine);
      if (++shown >= count) {
        stopped = true;
        break; // stops the reading
      }
    }
  }
  if (checker) {
    const ended = checker.end();
    kept.add(ended);
    view.late(ended);
  }
  view.end(
    loss,
    checker && { records: checker.records, errors: kept.errors, warnings: kept.warnings },
  );
  if (!o.json && !o.ndjson) {
    if (keep && !summary) out.line(`${shown} of ${plural(index, "record")} shown`);
    if (checker) { for (const l of kept.lines(checker.records, "record", cols)) out.line(l); }
    // A loss is said whether or not --check was given: lost events are lost faults.
    if (checker || loss.lost) out.line(`lost events: ${lossText(loss)}`);
  } else if (o.ndjson && (checker || loss.lost)) {
    io.err(`faultscope: ${src.name}: ${lossText(loss)}\n`);
  }
  stop?.throwIfInterrupted(interruptedText(index, shown, keep !== undefined, o.summary));
  const end = stream.end();
  if (!stopped && !end.limited) {
    if (cut && !checker) {
      throw new InputError(
        `${src.name}: trailing ${plural(end.bytes - cut.offset, "byte")} at offset ${
          hex(cut.offset)
        } ${end.bytes - cut.offset === 1 ? "is" : "are"} not a whole vEVENT record`,
      );
    }
    const shrank = shrankError(src, `${plural(index, "record")} decoded`);
    if (shrank) throw shrank;
  }
  return kept.errors ? EXIT.FINDINGS : EXIT.OK;
}

/** The cells of a record's row after its index and offset. */
function rowCells(type: VeventTypeId, r: VeventRecord, fields: Record<string, bigint>): string[] {
  return [
    r.lost ? "LOST_EVENTS" : hex(r.flags),
    String(r.sequence),
    ...VEVENT_TYPES[type].fields.map((f) => cell(f, fields[f.name])),
  ];
}

/** The widths of a stream held whole in its sample: its own records' cells (see decode.ts). */
function sampleWidths(src: CaptureInput, type: VeventTypeId, le: boolean): number[] | undefined {
  if (src.length === undefined || src.length > src.sample.length) return undefined;
  const t = VEVENT_TYPES[type];
  const widths = [0, 0, ...t.fields.map(() => 0)];
  for (const r of parseVevents(src.sample, type, le)) {
    if (r.truncated) continue;
    const fields = r.payload && t.fields.length ? veventFields(type, r.payload) : {};
    rowCells(type, r, fields).forEach((c, i) => widths[i] = Math.max(widths[i], c.length));
  }
  return widths;
}

function humanView(
  src: CaptureInput,
  io: Io,
  type: VeventTypeId,
  le: boolean,
  summary: RecordSummary | undefined,
  filter: string,
): VeventView {
  const t = VEVENT_TYPES[type];
  const out = io.out, cols = io.columns;
  out.line(
    `abi vevent: iommufd_vevent_header + struct ${t.struct} (${t.payloadSize} bytes), given`,
  );
  const note = inputNote(src);
  if (note) { for (const l of wrap(`  ${note}`, cols, "    ")) out.line(l); }
  if (filter) { for (const l of wrap(`  only records with ${filter}`, cols, "    ")) out.line(l); }
  const [iw, ow] = positionWidths(src.length, 8);
  const table = new FixedTable(
    ["index", "offset", "flags", "sequence", ...t.fields.map((f) => f.name)],
    [iw, ow, ...(sampleWidths(src, type, le) ?? [11, 10, ...t.fields.map(cellWidth)])],
    new Set([0]),
  );
  let headed = false;
  return {
    record(r, index, fields) {
      if (summary) return summary.add(fields);
      if (!headed) out.line(fit(table.header(), cols));
      headed = true;
      out.line(fit(
        table.row([String(index), hex(r.offset), ...rowCells(type, r, fields)]),
        cols,
      ));
    },
    late() {},
    end() {
      if (summary) { for (const l of summaryLines(summary.result())) out.line(l); }
      else if (!headed) out.line(fit(table.header(), cols));
    },
  };
}

function jsonView(
  src: CaptureInput,
  o: DecodeOpts,
  io: Io,
  type: VeventTypeId,
  summary: RecordSummary | undefined,
): VeventView {
  const out = io.out;
  const lines = o.ndjson;
  const note = inputNote(src, true);
  if (note) io.err(`faultscope: ${src.name}: ${note}\n`);
  const head: JsonObject = { abi: "vevent", vevent_type: type, guessed: false, hex: hexJson(src) };
  // A record is written when the next one arrives: a later finding about it is still on it.
  let pending: JsonObject | undefined;
  let first = true;
  const ended: Finding[] = [];
  const flush = () => {
    if (!pending) return;
    const s = JSON.stringify(pending);
    if (lines) out.line(s);
    else out.write(first ? `\n${s}` : `,\n${s}`);
    first = false;
    pending = undefined;
  };
  if (!lines && !summary) {
    const h = JSON.stringify(head);
    out.write(`${h.slice(0, -1)},\n"records": [`);
  }
  return {
    record(r, index, fields, fs) {
      if (summary) return summary.add(fields);
      flush();
      pending = veventJson(type, r, index);
      if (o.check) pending.findings = fs.map((f) => findingJson(f));
    },
    late(fs) {
      for (const f of fs) {
        const list = pending?.findings as JsonObject[] | undefined;
        if (pending && list && f.index === pending.index) list.push(findingJson(f));
        else ended.push(f);
      }
    },
    end(loss, checked) {
      flush();
      const tail: JsonObject = { ...lossJson(loss) };
      if (checked) {
        tail.check = { ...checked, findings: ended.map((f) => findingJson(f)) };
        if (lines) {
          for (const f of ended) io.err(`faultscope: ${f.severity}: ${f.rule}: ${f.message}\n`);
        }
      }
      if (summary) {
        out.line(JSON.stringify({ ...head, summary: summaryJson(summary.result()), ...tail }));
      } else if (!lines) {
        const t = JSON.stringify(tail);
        out.line(`\n]${t.length > 2 ? `,\n${t.slice(1, -1)}` : ""}}`);
      }
    },
  };
}
