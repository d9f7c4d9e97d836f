/**
 * What `watch` prints and counts: one {@link WatchSink} per source, all writing to one
 * terminal. Human lines (a fault per line, a loss the moment it is seen, findings and state
 * changes), or NDJSON objects with `time`, `source` and `type`; the metrics; the `--count` limit;
 * a status line on a terminal; and the final summary.
 *
 * @example
 * ```ts
 * import { WatchOutput } from "./output.ts";
 * import { denoIo } from "../../io.ts";
 * let stdout = ""; // captured; `denoIo()` alone writes to the terminal
 * const write = (t: string) => void (stdout += t);
 * const io = { ...denoIo(), out: { write, line: (t = "") => write(t + "\n"), flush() {} } };
 * const out = new WatchOutput(io, { ndjson: true, quiet: false });
 * const sink = out.source("kmsg", "kmsg");
 * const message = "kmsg overwrote 3 records";
 * sink.loss({ time: 0, cause: "kmsg_overwritten", unit: "records", count: 3, message });
 * out.flush();
 * JSON.parse(stdout);
 * // => { time: "1970-01-01T00:00:00.000Z", source: "kmsg", type: "loss",
 * //   cause: "kmsg_overwritten", unit: "records", count: 3, message: "kmsg overwrote 3 records" }
 * ```
 * @module
 */
import { VEVENT_TYPES } from "../../../abi/vevent.ts";
import { decoderFor } from "../../../codec/decode.ts";
import { jsonLineWriter } from "../../../codec/jsonline.ts";
import { hex, plural } from "../../../codec/numbers.ts";
import { veventFields, veventJson } from "../../../codec/vevent.ts";
import type { WatchFault, WatchLoss, WatchSink } from "../../../watch/events.ts";
import type { SourceKind, WatchMetrics } from "../../../watch/exporter.ts";
import { faultLabels } from "../../../watch/labels.ts";
import { cellWriter, recordColumns } from "../../format.ts";
import { findingJson } from "../../hints.ts";
import type { Io } from "../../io.ts";

/** How `watch` prints. */
export interface OutputOptions {
  /** One JSON object per line instead of human lines. */
  ndjson: boolean;
  /** No line per fault. */
  quiet: boolean;
  /** Stop after this many faults. */
  count?: number;
  /** Called once when `count` faults were printed. */
  onCount?: () => void;
  /** Where faults and losses are counted for Prometheus. */
  metrics?: WatchMetrics;
  /** Draw a status line on stderr (a terminal). */
  status?: boolean;
}

/** What one source saw, for the status line and the summary. */
export interface SourceTally {
  /** The source's label. */
  label: string;
  /** Its kind. */
  kind: SourceKind;
  /** What it is, for the summary (`rfc3 region, 1365 slots`). */
  what: string;
  /** Faults reported. */
  faults: number;
  /** Losses declared, by cause: how many times and the exact counts. */
  losses: Map<
    string,
    { times: number; exact: number; atLeast: number; unit: string; bounded: boolean }
  >;
  /** Findings reported. */
  findings: number;
  /** Seconds the ring was full. */
  fullSeconds: number;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/** `HH:MM:SS.mmm`, local time. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.` +
    String(d.getMilliseconds()).padStart(3, "0");
}

/** Whether a formatted cell says nothing worth a human line. */
const empty = (v: string) => v === "" || v === "0" || v === "0x0";

/** The human meaning of a fault: name and code, then the fields that are set. */
export function describeFault(f: WatchFault): { device: string; text: string } {
  const l = faultLabels(f);
  const named = `${l.name}${l.code !== "" ? ` (${l.code})` : ""}`;
  if (f.kind === "record") {
    const rec = decoderFor(f.abi)(f.dv, f.at, f.littleEndian);
    const cols = recordColumns(f.abi);
    const cells = cellWriter(f.abi)(rec);
    const parts: string[] = [];
    cols.forEach((c, i) => {
      if (c === "type" || c === "reason" || empty(cells[i])) return;
      parts.push(`${c}=${cells[i].replace(/ /g, ":")}`);
    });
    const where = f.position.slot !== undefined
      ? `slot ${f.position.slot}`
      : `#${f.position.index}`;
    return { device: l.device, text: `${named}  ${parts.join(" ")}  [${where}]` };
  }
  if (f.kind === "vevent") {
    const t = VEVENT_TYPES[f.veventType];
    const values = t.fields.length ? veventFields(f.veventType, f.payload) : {};
    const parts = t.fields
      .filter((x) => !x.enum && x.name !== "vsid" && values[x.name] !== 0n)
      .map((x) => `${x.name}=${x.hi - x.lo < 8 ? values[x.name] : hex(values[x.name])}`);
    if (!t.fields.length) parts.push(`${t.array.name}=${f.payload.map(hex).join(",")}`);
    return { device: l.device, text: `${named}  ${parts.join(" ")}  [seq ${f.sequence}]` };
  }
  const e = f.event;
  const parts = [
    e.addr !== null ? `addr=${e.addr}` : "",
    e.pasid !== null ? `pasid=${hex(e.pasid)}` : "",
    e.access.length ? `access=${e.access.join(",")}` : "",
    e.iommu ? `iommu=${e.iommu}` : "",
  ].filter(Boolean);
  return { device: l.device, text: `${named}  ${parts.join(" ")}  — ${e.text}` };
}

/** The NDJSON text of a fault's `fault` object: what `decode`, `inspect` or `dmesg` print for it. */
function faultJson(f: WatchFault): string {
  if (f.kind === "record") {
    const pos = f.position.slot !== undefined
      ? `"slot":${f.position.slot},"offset":${f.at}`
      : `"index":${f.position.index},"offset":${f.position.offset}`;
    return jsonLineWriter(f.abi)(f.dv, f.at, f.littleEndian, pos);
  }
  if (f.kind === "vevent") {
    return JSON.stringify(veventJson(f.veventType, {
      offset: f.position.offset ?? 0,
      flags: f.flags,
      sequence: f.sequence,
      lost: false,
      payload: [...f.payload],
    }, f.position.index ?? 0));
  }
  return JSON.stringify(f.event);
}

/** The NDJSON object of a loss. */
export function lossJson(l: WatchLoss): Record<string, unknown> {
  const o: Record<string, unknown> = { cause: l.cause, unit: l.unit };
  if (l.count !== undefined) o.count = l.count;
  else {
    if (l.atLeast !== undefined) o.at_least = l.atLeast;
    o.at_most = l.atMost ?? null;
  }
  o.message = l.message;
  return o;
}

/** Prints and counts what every source reports. */
export class WatchOutput {
  readonly #io: Io;
  readonly #o: OutputOptions;
  /** Per source, in the order they were added. */
  readonly tallies: SourceTally[] = [];
  /** Faults printed (or counted, with --quiet). */
  faults = 0;
  #stopped = false;
  #statusShown = false;
  #lastFault = "";
  #rateFaults = 0;
  #rateAt = performance.now();
  #rate = 0;

  /** An output on `io`. */
  constructor(io: Io, o: OutputOptions) {
    this.#io = io;
    this.#o = o;
  }

  /** Whether the fault limit was reached. */
  get limitReached(): boolean {
    return this.#stopped;
  }

  /** A note about a source, on stderr: `faultscope: SOURCE: text`. */
  note(label: string, text: string): void {
    this.#clearStatus();
    this.#io.err(`faultscope: ${label}: ${text}\n`);
  }

  /** The sink of one source. */
  source(label: string, kind: SourceKind, what = kind as string): WatchSink {
    const tally: SourceTally = {
      label,
      kind,
      what,
      faults: 0,
      losses: new Map(),
      findings: 0,
      fullSeconds: 0,
    };
    this.tallies.push(tally);
    this.#o.metrics?.addSource(label, kind);
    const io = this.#io, o = this.#o, metrics = o.metrics;
    const src = JSON.stringify(label);
    // A chunk's records share one time: its ISO text is made once.
    let isoAt = NaN, iso = "";
    const head = (time: number, type: string) => {
      if (time !== isoAt) [isoAt, iso] = [time, new Date(time).toISOString()];
      return `{"time":"${iso}","source":${src},"type":"${type}"`;
    };
    const human = (time: number, what: string, text: string) =>
      io.out.line(`${clock(time)}  ${label}  ${what}  ${text}`);
    return {
      fault: (f) => {
        if (this.#stopped) return;
        tally.faults++;
        this.faults++;
        this.#rateFaults++;
        if (metrics) metrics.fault(label, faultLabels(f));
        if (!o.quiet || this.#o.status) {
          if (o.ndjson) {
            if (!o.quiet) io.out.line(`${head(f.time, "fault")},"fault":${faultJson(f)}}`);
          } else {
            const d = describeFault(f);
            this.#lastFault = `${clock(f.time)} ${label} ${d.text.split("  ")[0]}`;
            if (!o.quiet) human(f.time, d.device || "-", d.text);
          }
        }
        if (o.count !== undefined && this.faults >= o.count) {
          this.#stopped = true;
          o.onCount?.();
        }
      },
      loss: (l) => {
        const t = tally.losses.get(l.cause) ??
          { times: 0, exact: 0, atLeast: 0, unit: l.unit, bounded: false };
        t.times++;
        if (l.count !== undefined) t.exact += l.count;
        else {
          t.bounded = true;
          t.atLeast += l.atLeast ?? 0;
        }
        tally.losses.set(l.cause, t);
        metrics?.loss(label, l);
        if (o.ndjson) {
          io.out.line(`${head(l.time, "loss")},${JSON.stringify(lossJson(l)).slice(1)}`);
        } else human(l.time, io.paint("yellow", "LOSS"), io.paint("yellow", l.message));
      },
      finding: (f) => {
        tally.findings++;
        metrics?.finding(label, f.finding);
        if (o.ndjson) {
          const j = JSON.stringify(findingJson(f.finding)).slice(1);
          io.out.line(`${head(f.time, "finding")},${j}`);
        } else {
          const colour = f.finding.severity === "error" ? "red" : "yellow";
          human(
            f.time,
            io.paint(colour, f.finding.severity),
            `${f.finding.rule}  ${f.finding.message}`,
          );
        }
      },
      state: (s) => {
        if (o.ndjson) {
          const j: Record<string, unknown> = { state: s.state, message: s.message };
          if (s.seconds !== undefined) j.seconds = s.seconds;
          io.out.line(`${head(s.time, "state")},${JSON.stringify(j).slice(1)}`);
        } else if (s.state !== "ring_full" && s.state !== "up" && s.state !== "down") {
          // A terminal has the source's own note on stderr for these (why it is down, and what
          // it follows now).
          human(s.time, "state", s.message);
        }
      },
      ring: (g) => metrics?.ring(label, g),
      fullSeconds: (s) => {
        tally.fullSeconds += s;
        metrics?.fullSeconds(label, s);
      },
    };
  }

  /** Writes what is queued (after each read of a source), keeping the status line below it. */
  flush(): void {
    this.#clearStatus();
    this.#io.out.flush();
  }

  #clearStatus(): void {
    if (this.#statusShown) {
      this.#io.err("\r\x1b[2K");
      this.#statusShown = false;
    }
  }

  /** Redraws the status line (a terminal only): sources, faults/s, losses, the last fault. */
  status(): void {
    if (!this.#o.status) return;
    const now = performance.now();
    if (now - this.#rateAt >= 1000) {
      this.#rate = this.#rateFaults * 1000 / (now - this.#rateAt);
      this.#rateFaults = 0;
      this.#rateAt = now;
    }
    let losses = 0;
    for (const t of this.tallies) for (const l of t.losses.values()) losses += l.times;
    const line =
      `watching ${plural(this.tallies.length, "source")} · ${this.#rate.toFixed(1)} faults/s · ${
        plural(this.faults, "fault")
      } · ${plural(losses, "loss", "losses")}` +
      (this.#lastFault ? ` · last ${this.#lastFault}` : "");
    const width = this.#io.columns ?? 120;
    this.#io.err(`\r\x1b[2K${line.slice(0, Math.max(20, width - 1))}`);
    this.#statusShown = true;
  }

  /** The final summary: per source, faults, losses (exact or bounded) and findings. */
  summary(seconds: number, why: string): string[] {
    const lines: string[] = [];
    let lossy = false;
    lines.push(
      `watched ${plural(this.tallies.length, "source")} for ${
        seconds.toFixed(seconds < 10 ? 2 : 1)
      } s (${why}): ` +
        `${plural(this.faults, "fault")}`,
    );
    for (const t of this.tallies) {
      const parts: string[] = [];
      for (const [cause, l] of t.losses) {
        lossy = true;
        const unit = l.unit.slice(0, -1);
        const exact = l.exact ? plural(l.exact, unit) : "";
        // A bounded loss still says the least it is sure of: "lapped 2 times (unbounded)"
        // once hid that 40 faults at least were gone.
        const more = l.atLeast ? `at least ${l.atLeast} more` : "more";
        const size = exact && l.bounded
          ? ` (${exact} and ${more}, unbounded)`
          : exact
          ? ` (${exact})`
          : l.bounded && l.atLeast
          ? ` (at least ${plural(l.atLeast, unit)}, unbounded)`
          : l.bounded
          ? " (unbounded)"
          : "";
        parts.push(`${cause.replace(/_/g, " ")} ${plural(l.times, "time")}${size}`);
      }
      if (t.fullSeconds > 0) parts.push(`ring full for ${t.fullSeconds.toFixed(1)} s`);
      lines.push(
        `  ${t.label}  ${t.what}: ${plural(t.faults, "fault")}, ` +
          `${plural(t.findings, "finding")}; ` +
          (parts.length ? `lost: ${parts.join(", ")}` : "no loss seen"),
      );
    }
    lines.push(
      lossy
        ? "LOSSY: some faults were not seen; the lines above say which losses are exact"
        : "complete: every fault the sources carried while watched was reported",
    );
    return lines;
  }
}
