/**
 * The streaming kernel-log parser: feed it text in chunks of any size (or line by line) and it
 * calls back with one normalised {@link FaultEvent} per fault report and one {@link LossEvent}
 * per sign of loss. State is bounded whatever the input: open SMMUv3 dumps (one per SMMU, at
 * most `maxGroups`), one split VT-d 3.x and AMD record, and the first `keepUnparsed` lines that
 * looked like fault reports but did not parse.
 *
 * Speed: most lines of a kernel log are not IOMMU reports, so a chunk is searched with one
 * regular expression for the words every IOMMU report contains, and only the lines around a hit
 * are split off and parsed; line numbers come from counting newlines with `indexOf`. `/dev/kmsg`
 * input is parsed line by line instead, since its sequence numbers show loss on any line.
 *
 * @example
 * ```ts
 * import { KlogParser } from "./parser.ts";
 * const out: string[] = [];
 * const p = new KlogParser({ onEvent: (e) => out.push(e.type) });
 * p.push("[  812.004421] DMAR: [DMA Read NO_PASID] Request device [3b:00.0] fault addr 0xfee00000 [fault reason 0x06] PTE Read access is not set\n");
 * p.end();
 * out; // => ["fault"]
 * ```
 * @module
 */
import { bareTimestamp, detectFormat, type Format, stripLine, type Stripped } from "./container.ts";
import { Fault, type FaultCore } from "./event.ts";
import { mappingOf } from "./explain.ts";
import { amdBody, type Rec, recognise } from "./recognise.ts";
import { smmuv3Fault } from "./smmuv3_event.ts";
import { vtdFaultReason } from "../abi/hw/vtd.ts";
import { SMMUV3_EVENTS } from "../abi/hw/smmuv3.ts";
import { detach } from "./summary.ts";
import type { FaultEvent, LogTime, LossEvent, Unparsed } from "./types.ts";

/** Options of a parser. */
export interface ParserOptions {
  /** Container format; `auto` (default) detects it from the first lines. */
  format?: Format;
  /** Receives each event as soon as it is complete. */
  onEvent: (e: FaultEvent | LossEvent) => void;
  /** Most SMMUs with an open dump at once (default 64). */
  maxGroups?: number;
  /** How many unparsed lines to keep for `-v` (all are counted; default 1000). */
  keepUnparsed?: number;
  /**
   * Whether records carry the `iommu_fault` each kernel path makes of an SMMUv3 event or VT-d
   * page request (default true; built only when the record is written as JSON).
   */
  iommuFault?: boolean;
}

/**
 * Words every line the recognisers act on contains (one of them), in kernel text; global, reset
 * before use. `mmu`/`MMU` cover iommu, IOMMU, smmu, viommu and every ratelimited function but
 * `prq_event_thread` and `dmar_fault` (`suppressed`, `dmar`); `Event logged` an AMD-Vi event a
 * 4.19.y kernel printed on the faulting device without `AMD-Vi: ` (E2: its backport of upstream
 * 1a21ee1aabf7 "iommu/amd: Fix line-break in error log reporting" has no `dev_fmt`). The second
 * line of a record split over two lines (a 3.x VT-d reason, a 4.9-4.16 AMD-Vi body) may hold
 * none of them: the parser reads the line after such a head whatever it holds. Few literals keep
 * the regular expression's Boyer-Moore lookahead long: this set scans at about 3 GB/s, the 19
 * literals it replaced at 0.5 GB/s.
 */
export const PREFILTER = /mmu|MMU|dmar|DMAR|AMD-Vi|suppressed|Event logged/g;

/**
 * The prefilter of a container: journald's own `Missed N kernel messages` appears only where
 * journald's messages are (journalctl without -k, syslog files, pasted text), and journal JSON
 * stores a message with unprintable bytes as an array of numbers (`"MESSAGE":[`).
 */
export function prefilterFor(format: Format | null): RegExp {
  switch (format) {
    case "dmesg":
    case "dmesg-T":
    case "dmesg-iso":
    case "kmsg":
      return PREFILTER;
    case "journal-json":
      return new RegExp(PREFILTER.source + '|Missed |"MESSAGE":\\[', "g");
    default:
      return new RegExp(PREFILTER.source + "|Missed ", "g");
  }
}

/** An SMMUv3 dump being assembled for one SMMU. */
interface Group {
  unit: string;
  id: number;
  /** The words so far, as 32-bit halves (low half first). */
  words: number[];
  raw: string[];
  time: LogTime;
  line: number;
  /** The dump is complete and waits for the 6.15+ decoded lines. */
  done?: FaultCore;
  /** Candidate lines seen since it completed. */
  idle: number;
  /** A dump is being assembled (closed groups stay in the map, to be reused). */
  open: boolean;
}

/** Longest line kept whole (longer ones are cut, to keep memory bounded). */
const MAX_LINE = 4 * 1024 * 1024;

/** Characters examined to detect the container. */
const SAMPLE = 64 * 1024;

/** Lines after which a complete dump stops waiting for its decoded lines. */
const MAX_IDLE = 8;

/** Streaming parser of kernel log text. */
export class KlogParser {
  /** Lines read. */
  lines = 0;
  /** Lines that passed the prefilter. */
  candidates = 0;
  /** Lines that looked like fault reports but did not parse (all of them, counted). */
  unparsedCount = 0;
  /** The first of them, kept for `-v`. */
  readonly unparsed: Unparsed[] = [];
  /** The container, once detected (or as forced). */
  format: Exclude<Format, "auto"> | null = null;
  /** Fault events emitted. */
  faults = 0;

  #opts: Required<ParserOptions>;
  #carry = "";
  #perLine = false;
  /**
   * One group per SMMU, reused from one dump to the next: a map entry added and deleted per dump
   * reallocated the map's table, garbage that outlived the young generation in a storm.
   */
  #groups = new Map<string, Group>();
  #openGroups = 0;
  #v0: { ev: FaultCore; raw: string[]; time: LogTime; line: number } | null = null;
  #amd:
    | { unit: string | null; device: string | null; raw: string; time: LogTime; line: number }
    | null = null;
  #prqReason = new Map<string, string>();
  #lastSeq: number | null = null;
  /** Where the line being handled sits, to find the line before it only when needed. */
  #text0 = "";
  #from0 = 0;
  #start0 = 0;
  /** The last line of the previous range. */
  #lastLine = "";
  #ended = false;
  /** The prefilter of the container. */
  #re: RegExp = PREFILTER;
  #reOne: RegExp = new RegExp(PREFILTER.source);
  /** The first line of the next range follows the head of a two-line record. */
  #forceNext = false;

  /** A parser that calls `opts.onEvent` for each event. */
  constructor(opts: ParserOptions) {
    this.#opts = {
      format: "auto",
      maxGroups: 64,
      keepUnparsed: 1000,
      iommuFault: true,
      ...opts,
    };
    if (this.#opts.format !== "auto") this.#setFormat(this.#opts.format);
  }

  /** Feeds a chunk of text; a line cut at the end of the chunk waits for the next one. */
  push(chunk: string): void {
    if (!chunk) return;
    let from = 0;
    if (this.#carry) {
      const nl = chunk.indexOf("\n");
      if (nl < 0) {
        this.#carry += chunk;
        this.#cutLongLine();
        return;
      }
      // The line cut at the end of the last chunk, whole: a small string of its own.
      const head = this.#carry + chunk.slice(0, nl + 1);
      this.#carry = "";
      if (this.format === null) this.#detect(head + chunk.slice(nl + 1, nl + 1 + SAMPLE), 0);
      this.#scan(head, 0, head.length);
      from = nl + 1;
    }
    const last = chunk.lastIndexOf("\n");
    if (last < from) {
      this.#carry = chunk.slice(from);
      this.#cutLongLine();
      return;
    }
    if (this.format === null) this.#detect(chunk, from);
    // The chunk is scanned in place: no copy of it joined to the carried line.
    this.#scan(chunk, from, last + 1);
    this.#carry = last + 1 < chunk.length ? chunk.slice(last + 1) : "";
    this.#cutLongLine();
  }

  /** A line longer than any sane log line is processed as it is, to keep memory bounded. */
  #cutLongLine(): void {
    if (this.#carry.length <= MAX_LINE) return;
    const line = this.#carry + "\n";
    this.#carry = "";
    if (this.format === null) this.#detect(line, 0);
    this.#scan(line, 0, line.length);
  }

  /** Feeds one line (without its newline). */
  line(raw: string): void {
    this.push(raw + "\n");
  }

  /** Ends the input: flushes a last unterminated line and every open report. */
  end(): void {
    if (this.#ended) return;
    if (this.#carry) {
      const c = this.#carry + "\n";
      this.#carry = "";
      if (this.format === null) this.#detect(c, 0);
      this.#scan(c, 0, c.length);
    }
    this.#ended = true;
    this.#flushPending();
  }

  /** Ends every multi-record report still being assembled (VT-d 3.x, AMD-Vi, SMMUv3 dumps). */
  #flushPending(): void {
    this.#flushV0();
    this.#flushAmd();
    for (const g of this.#groups.values()) if (g.open) this.#closeGroup(g);
  }

  /** Detects the container from the first lines at `from`. */
  #detect(text: string, from: number): void {
    this.#setFormat(detectFormat(text.slice(from, from + SAMPLE).split("\n", 200)));
  }

  #setFormat(format: Exclude<Format, "auto">): void {
    this.format = format;
    this.#perLine = format === "kmsg";
    this.#re = prefilterFor(format);
    this.#reOne = new RegExp(this.#re.source);
  }

  /** A two-line record is waiting for its second line. */
  #pending(): boolean {
    return this.#amd !== null || this.#v0 !== null;
  }

  /** Processes the whole lines of `text` in `[from, to)` (`text[to - 1]` is a newline). */
  #scan(text: string, from: number, to: number): void {
    this.#text0 = text;
    this.#from0 = from;
    if (this.#perLine) {
      let p = from;
      while (p < to) {
        const e = text.indexOf("\n", p);
        this.lines++;
        this.#start0 = p;
        this.#handle(text.slice(p, e), this.lines);
        p = e + 1;
      }
    } else {
      const re = this.#re;
      re.lastIndex = from;
      let counted = from; // position up to which newlines are counted into lineNo
      let lineNo = this.lines; // lines before `counted`
      if (this.#forceNext) {
        // The second line of a two-line record that began at the end of the last range.
        this.#forceNext = false;
        const end = text.indexOf("\n", from);
        this.#start0 = from;
        this.#handle(text.slice(from, end), lineNo + 1);
        re.lastIndex = end + 1;
      }
      // test() rather than exec(): no match array per hit; lastIndex - 1 is inside the match.
      while (re.test(text)) {
        const at = re.lastIndex - 1;
        if (at >= to) break;
        let start = text.lastIndexOf("\n", at) + 1;
        let end = text.indexOf("\n", at);
        while (counted < start) {
          counted = text.indexOf("\n", counted) + 1;
          lineNo++;
        }
        this.#start0 = start;
        this.#handle(text.slice(start, end), lineNo + 1);
        if (this.#pending()) {
          // The head of a two-line record: its second line may hold none of the keywords.
          if (end + 1 < to) {
            counted = start = end + 1;
            lineNo++;
            end = text.indexOf("\n", start);
            this.#start0 = start;
            this.#handle(text.slice(start, end), lineNo + 1);
          } else this.#forceNext = true;
        }
        re.lastIndex = end + 1;
      }
      while (counted < to) {
        counted = text.indexOf("\n", counted) + 1;
        lineNo++;
      }
      this.lines = lineNo;
    }
    // The last line of the range: the line before the first one of the next range (a copy: a
    // view would keep the whole chunk alive into the next one).
    const tail = text.lastIndexOf("\n", to - 2) + 1;
    if (tail >= from) this.#lastLine = detach(text.slice(tail, to - 1));
    this.#text0 = "";
  }

  /** The line before the one being handled (for a timestamp wrapped onto a line of its own). */
  #prevLine(): string {
    const text = this.#text0, start = this.#start0;
    if (start <= this.#from0) return this.#lastLine;
    return text.slice(text.lastIndexOf("\n", start - 2) + 1, start - 1);
  }

  /** One candidate line. */
  #handle(rawIn: string, lineNo: number): void {
    const raw = rawIn.charCodeAt(rawIn.length - 1) === 13 ? rawIn.slice(0, -1) : rawIn;
    const s = stripLine(raw, this.#opts.format === "auto" ? "auto" : this.#opts.format);
    if (!s || s.continuation) return;
    if (s.seq !== undefined) this.#seq(s, raw, lineNo);
    if (!this.#perLine || this.#reOne.test(s.text) || this.#pending()) {
      this.candidates++;
      // A message may hold an embedded newline (VT-d 3.x, or a /dev/kmsg `\x0a`).
      if (s.text.indexOf("\n") >= 0) {
        for (const part of s.text.split("\n")) this.#text(part, s, raw, lineNo);
      } else this.#text(s.text, s, raw, lineNo);
    }
  }

  #seq(s: Stripped, raw: string, lineNo: number): void {
    const seq = s.seq!;
    if (this.#lastSeq !== null && seq > this.#lastSeq + 1) {
      const n = seq - this.#lastSeq - 1;
      // The lost records may hold the rest of a report being assembled and the start of the next:
      // what was open before the gap ends there, never completed by lines after it.
      this.#flushPending();
      this.#emit({
        type: "loss",
        kind: "kmsg-gap",
        vendor: null,
        source: `/dev/kmsg seq ${this.#lastSeq} -> ${seq}`,
        count: n,
        faults_at_least: 0,
        time: s.time,
        raw: [raw],
        line: lineNo,
      });
    }
    // Numbers only grow within one boot: one that goes back is a new boot, or the buffer read
    // again from its oldest record, and gaps count from it (keeping the old high mark hid them).
    this.#lastSeq = seq;
  }

  #text(text: string, s: Stripped, raw: string, lineNo: number): void {
    let time = s.time;
    if (time.text === null) {
      // Pasted text wrapped after the timestamp: `[  812.004417]` alone on the line before.
      const t = bareTimestamp(this.#prevLine());
      if (t) time = t;
    }
    const r = recognise(text);
    this.#ageGroups(r);
    if (!r) return;
    // Any other line from an SMMU ends the dump it was printing.
    if (
      "unit" in r && r.unit && r.k !== "smmu-dword" && r.k !== "smmu-decoded" &&
      r.k !== "smmu-decoded2"
    ) {
      const g = this.#group(r.unit);
      if (g && (g.done || r.k !== "smmu-head")) this.#closeGroup(g);
    }
    this.#apply(r, raw, time, lineNo);
  }

  #apply(r: Rec, raw: string, time: LogTime, line: number): void {
    switch (r.k) {
      case "fault":
        this.#flushV0();
        if (r.ev.vendor === "intel" && r.ev.generation === "PRQ" && r.ev.iommu) {
          const why = this.#prqReason.get(r.ev.iommu);
          if (why) {
            r.ev.text = `The driver refused a page request: ${why}.`;
            this.#prqReason.delete(r.ev.iommu);
          }
        }
        this.#fault(r.ev, [raw], time, line);
        return;
      case "loss":
        this.#emit({
          type: "loss",
          kind: r.kind,
          vendor: r.vendor,
          source: r.source,
          count: r.count,
          faults_at_least: r.faults_at_least,
          time,
          raw: [raw],
          line,
        });
        return;
      case "smmu-head":
        return this.#smmuHead(r.unit, r.id, raw, time, line);
      case "smmu-dword":
        return this.#smmuWord(r.unit, r.lo, r.hi, raw, line);
      case "smmu-decoded":
        return this.#smmuDecoded(r.unit, r.ev, raw, time, line);
      case "smmu-decoded2": {
        const g = this.#group(r.unit);
        if (g?.done && g.done.generation === "M2") {
          g.raw.push(raw);
          g.done.detail = { ...g.done.detail, ...r.detail };
          if (!g.done.access.length) g.done.access = r.access;
          this.#closeGroup(g);
        }
        return;
      }
      case "vtd-v0-head":
        this.#flushV0();
        this.#v0 = { ev: r.ev, raw: [raw], time, line };
        return;
      case "vtd-v0-reason": {
        const v = this.#v0;
        if (!v) return this.#malformed(raw, line, "VT-d 3.x fault reason without its request line");
        const reason = vtdFaultReason(r.code);
        v.ev.code = r.code;
        v.ev.name = reason.name === "Unknown" && r.text ? r.text : reason.name;
        v.ev.text = reason.text ?? reason.name;
        v.raw.push(raw);
        this.#v0 = null;
        this.#fault(v.ev, v.raw, v.time, v.line);
        return;
      }
      case "amd-head":
        this.#flushAmd();
        this.#amd = { unit: r.unit, device: r.device, raw, time, line };
        return;
      case "amd-body": {
        const head = this.#amd;
        this.#amd = null;
        const b = amdBody(r.body, head?.device ?? null, head?.unit ?? r.unit);
        if (b.k !== "fault") return this.#malformed(raw, line, "AMD-Vi event");
        b.ev.generation = head ? "E1" : "E0";
        this.#fault(b.ev, head ? [head.raw, raw] : [raw], head?.time ?? time, head?.line ?? line);
        return;
      }
      case "prq-reason":
        this.#prqReason.set(r.unit, r.reason);
        if (this.#prqReason.size > 64) this.#prqReason.delete(this.#prqReason.keys().next().value!);
        return;
      case "known":
        return;
      case "malformed":
        return this.#malformed(raw, line, r.looksLike);
    }
  }

  #fault(ev: FaultCore, raw: string[], time: LogTime, line: number): void {
    this.faults++;
    if (ev.mapping === undefined) ev.mapping = mappingOf(ev);
    if (time.text === null && ev.traceTime !== undefined) {
      time = { text: ev.traceTime, boot: Number(ev.traceTime), wall: null };
    }
    this.#emit(new Fault(ev, time, raw, line, this.#opts.iommuFault));
  }

  #emit(e: FaultEvent | LossEvent): void {
    this.#opts.onEvent(e);
  }

  #malformed(raw: string, line: number, looksLike: string): void {
    this.unparsedCount++;
    if (this.unparsed.length < this.#opts.keepUnparsed) {
      this.unparsed.push({ line, raw: detach(raw), looksLike });
    }
  }

  #flushV0(): void {
    const v = this.#v0;
    if (!v) return;
    this.#v0 = null;
    this.#malformed(v.raw[0], v.line, "VT-d 3.x fault without its reason line");
  }

  #flushAmd(): void {
    const a = this.#amd;
    if (!a) return;
    this.#amd = null;
    this.#malformed(a.raw, a.line, "AMD-Vi 'Event logged [' without its body");
  }

  // SMMUv3 dumps, grouped by SMMU ------------------------------------------------------------

  /** The SMMU's open dump, if any. */
  #group(unit: string): Group | undefined {
    const g = this.#groups.get(unit);
    return g?.open ? g : undefined;
  }

  #ageGroups(r: Rec | null): void {
    if (!this.#openGroups) return;
    const unit = r && "unit" in r ? r.unit : null;
    for (const g of this.#groups.values()) {
      if (g.open && g.done && g.unit !== unit && ++g.idle > MAX_IDLE) this.#closeGroup(g);
    }
  }

  #smmuHead(unit: string, id: number, raw: string, time: LogTime, line: number): void {
    const old = this.#group(unit);
    if (old) this.#closeGroup(old);
    if (this.#openGroups >= this.#opts.maxGroups) {
      // The dump that started first is the one least likely to be continued.
      let first: Group | undefined;
      for (const g of this.#groups.values()) {
        if (g.open && (!first || g.line < first.line)) first = g;
      }
      this.#closeGroup(first!);
    }
    let g = this.#groups.get(unit);
    if (!g) {
      // Closed groups are dropped when they are many (a log naming thousands of SMMUs).
      if (this.#groups.size >= 2 * this.#opts.maxGroups) {
        for (const [k, x] of this.#groups) if (!x.open) this.#groups.delete(k);
      }
      g = { unit, id, words: [], raw: [], time, line, idle: 0, open: false };
      this.#groups.set(unit, g);
    }
    g.id = id;
    g.words.length = 0;
    g.raw = [raw];
    g.time = time;
    g.line = line;
    g.done = undefined;
    g.idle = 0;
    g.open = true;
    this.#openGroups++;
  }

  #smmuWord(unit: string, lo: number, hi: number, raw: string, line: number): void {
    const g = this.#group(unit);
    if (!g || g.done) {
      if (g?.done) this.#closeGroup(g);
      return this.#malformed(raw, line, "SMMUv3 event word without its 'event 0x.. received' line");
    }
    g.words.push(lo, hi);
    g.raw.push(raw);
    if (g.words.length === 8) {
      g.done = smmuv3Fault(unit, g.words, g.id);
      g.idle = 0;
    }
  }

  #smmuDecoded(unit: string, ev: FaultCore, raw: string, time: LogTime, line: number): void {
    const g = this.#group(unit);
    if (g?.done && !g.done.detail?.client) {
      // 6.15+: the decoded line follows the dump; it names the client device.
      const d = g.done;
      d.generation = "M2";
      d.detail = { ...d.detail, ...ev.detail };
      if (ev.device && !ev.device.startsWith("sid:")) d.device = ev.device;
      g.raw.push(raw);
      g.idle = 0;
      // Only translation faults print a second decoded line.
      if (typeof d.code !== "number" || d.code < 0x10 || d.code > 0x13) this.#closeGroup(g);
      return;
    }
    if (g) this.#closeGroup(g);
    // A decoded line on its own (its dump was ratelimited away or not pasted).
    ev.code = null;
    const known = ev.name !== "unknown";
    if (known) {
      const e = SMMU_BY_NAME.get(ev.name);
      if (e) (ev.code = e.code, ev.text = e.text);
    }
    this.#fault(ev, [raw], time, line);
  }

  #closeGroup(g: Group): void {
    g.open = false;
    this.#openGroups--;
    if (g.done) return this.#fault(g.done, g.raw, g.time, g.line);
    const ev = smmuv3Fault(g.unit, g.words, g.id);
    ev.truncated = true;
    ev.text =
      `Truncated dump: ${g.words.length >> 1} of 4 event words before the log ended or moved on. ` +
      ev.text;
    this.#fault(ev, g.raw, g.time, g.line);
  }
}

const SMMU_BY_NAME = new Map(SMMUV3_EVENTS.map((e) => [e.name, e]));

/** Parses a whole text at once (tests, small inputs): every event, in order. */
export function parseKlog(
  text: string,
  format: Format = "auto",
): { events: (FaultEvent | LossEvent)[]; parser: KlogParser } {
  const events: (FaultEvent | LossEvent)[] = [];
  const parser = new KlogParser({ format, onEvent: (e) => events.push(e) });
  parser.push(text);
  parser.end();
  return { events, parser };
}
