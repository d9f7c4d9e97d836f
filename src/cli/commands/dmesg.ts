/**
 * `faultscope dmesg [FILE|-]`: the IOMMU faults in a kernel log, decoded. Reads plain `dmesg`,
 * `journalctl -k` (short modes and `-o json`), `/dev/kmsg` records and syslog files (also
 * gzip-compressed), streamed through one reused buffer and a streaming `TextDecoder`, so memory
 * stays bounded whatever the size. Prints one line per fault (and per sign of loss), then a
 * summary: faults per device and reason, address ranges, and what was lost. `--json` and
 * `--ndjson` carry the same events for machines (schema in the README).
 *
 * In a script: `dmesg | faultscope dmesg - --check --no-events` (exit 1 on any fault or loss).
 *
 * @example
 * ```ts
 * import { run } from "./dmesg.ts";
 * import { DMESG } from "../commands.ts";
 * import { denoIo } from "../io.ts";
 * import { parseCommand } from "../spec.ts";
 * const { options } = parseCommand(DMESG, ["testdata/klog/intel.log", "--no-events"]);
 * let stdout = ""; // captured; `denoIo()` alone writes to the terminal
 * const write = (t: string) => void (stdout += t);
 * const io = { ...denoIo(), out: { write, line: (t = "") => write(t + "\n"), flush() {} } };
 * await run(options, io); // => 0
 * stdout.split("\n")[0]; // => "summary  5 faults in 9 lines (dmesg), 2 signs of loss"
 * ```
 * @module
 */
import { hex, plural } from "../../codec/numbers.ts";
import type { JsonObject } from "../../codec/json.ts";
import { deviceName, iomemIndex, parseIomem, parseLspci, regionLabel } from "../../klog/context.ts";
import { Fault } from "../../klog/event.ts";
import { explainRow } from "../../klog/explain.ts";
import { parseTimeArg } from "../../klog/container.ts";
import { makeFilter } from "../../klog/filter.ts";
import { KlogParser } from "../../klog/parser.ts";
import { rate, Summary, type SummaryRow } from "../../klog/summary.ts";
import type { Access, FaultEvent, LogTime, LossEvent } from "../../klog/types.ts";
import type { DMESG } from "../commands.ts";
import { EXIT, type ExitCode, InputError, UsageError } from "../errors.ts";
import { fsError, inputInfo, readWhole } from "../files.ts";
import type { Io, Reader } from "../io.ts";
import { table } from "../render.ts";
import { type Interrupts, interrupts } from "../signals.ts";
import { type Parsed, wrap } from "../spec.ts";

/** The parsed options of `faultscope dmesg`. */
export type DmesgOpts = Parsed<typeof DMESG>;
type Event = FaultEvent | LossEvent;

/** Bytes per read: one buffer, reused for the whole input. */
const READ_BYTES = 1 << 20;

/** Bytes decoded to one string. */
const DECODE_BYTES = 1 << 16;

/** Bytes examined to tell text from binary data. */
const SNIFF_BYTES = 4096;

/** Magic numbers of inputs that are not log text, and what to do instead. */
const MAGIC: readonly { bytes: number[]; what: string }[] = [
  {
    bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
    what: "xz-compressed: run xz -dc FILE | faultscope dmesg -",
  },
  {
    bytes: [0x28, 0xb5, 0x2f, 0xfd],
    what: "zstd-compressed: run zstd -dc FILE | faultscope dmesg -",
  },
  { bytes: [0x42, 0x5a, 0x68], what: "bzip2-compressed: run bzip2 -dc FILE | faultscope dmesg -" },
  {
    bytes: [...new TextEncoder().encode("LPKSHHRH")],
    what: "a systemd journal file: run journalctl --file FILE -k -o json | faultscope dmesg -",
  },
];

const startsWith = (b: Uint8Array, m: readonly number[]) =>
  b.length >= m.length && m.every((x, i) => b[i] === x);

/**
 * Why the first bytes of an input are not kernel log text, or null when they may be. Text has
 * no NUL byte in its first line and few control characters; a run of NUL bytes after a line end
 * is the padding a crash leaves in a syslog file, and invalid UTF-8 alone is not a reason either
 * (it is decoded as U+FFFD, as `less` shows it). Without `log` (a context file, which is no
 * kernel log), the reason says what the bytes are and no more.
 */
export function notText(first: Uint8Array, log = true): string | null {
  for (const m of MAGIC) {
    if (startsWith(first, m.bytes)) return log ? m.what : m.what.split(":")[0];
  }
  const binary = log ? "binary data, not kernel log text" : "binary data";
  const n = Math.min(first.length, SNIFF_BYTES);
  let control = 0, line = false;
  for (let i = 0; i < n; i++) {
    const b = first[i];
    if (b === 10) line = true;
    else if (b === 0) {
      if (!line) return `${binary} (a NUL byte at offset ${hex(i)})`;
      if (first[i - 1] !== 10 && first[i - 1] !== 0) control++;
    } else if (b < 0x20 && (b < 9 || b > 13) && b !== 0x1b) control++; // tab..CR, ESC: text
  }
  if (control * 10 > n) {
    return `${binary} (${control} control bytes in the first ${n})`;
  }
  return null;
}

/** Races a read against Ctrl-C: a live `/dev/kmsg` blocks waiting for the next record. */
function readOrStop(r: Reader, buf: Uint8Array, stop: Interrupts): Promise<number | null> {
  if (stop.signal) return Promise.resolve(null);
  return Promise.race([r.read(buf), stop.arrived.then(() => null)]);
}

/** Chunks read from a regular file between two turns of the event loop (to see Ctrl-C). */
const SYNC_BURST = 128;

/**
 * The input's bytes, read through one reused buffer (a consumer must copy what it keeps). A
 * regular file is read with synchronous reads (no thread hop per chunk: a tenth of the run time
 * on a 1 GB log), yielding to the event loop every few chunks so that Ctrl-C is seen. A
 * `/dev/kmsg` reader whose position the kernel overwrote gets EPIPE once; reading on continues
 * at the oldest record, and the sequence gap reports the loss.
 */
async function* rawChunks(
  path: string,
  name: string,
  io: Io,
  stop: Interrupts,
  regular: boolean,
): AsyncGenerator<Uint8Array> {
  let file: Deno.FsFile | undefined;
  try {
    const reader: Reader = path === "-" ? io.stdin : (file = await Deno.open(path, { read: true }));
    const buf = new Uint8Array(READ_BYTES);
    let epipe = 0, burst = 0;
    while (true) {
      let n: number | null;
      try {
        if (file && regular) {
          if (++burst % SYNC_BURST === 0) await new Promise((r) => setTimeout(r, 0));
          n = stop.signal ? null : file.readSync(buf);
        } else n = await readOrStop(reader, buf, stop);
      } catch (e) {
        if (e instanceof Deno.errors.BrokenPipe && epipe++ < 16) continue;
        throw e;
      }
      if (n === null) return;
      epipe = 0;
      if (n > 0) yield buf.subarray(0, n);
    }
  } catch (e) {
    throw fsError(e, name);
  } finally {
    file?.close();
  }
}

/** Decompresses a gzip stream (`kern.log.2.gz`). */
async function* gunzip(src: AsyncGenerator<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  const copies = ReadableStream.from((async function* () {
    for await (const c of src) yield c.slice(); // the source reuses its buffer
  })());
  try {
    for await (const c of copies.pipeThrough(new DecompressionStream("gzip"))) yield c;
  } catch (e) {
    if (e instanceof InputError) throw e;
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new InputError(`${name}: not a valid gzip stream (${msg})`);
  }
}

/** The input's bytes, decompressed when it is gzip. */
async function* inputBytes(
  path: string,
  name: string,
  io: Io,
  stop: Interrupts,
  regular: boolean,
): AsyncGenerator<Uint8Array> {
  const src = rawChunks(path, name, io, stop, regular);
  const first = await src.next();
  if (first.done) return;
  if (startsWith(first.value, [0x1f, 0x8b])) {
    const rest = (async function* () {
      yield first.value;
      yield* src;
    })();
    yield* gunzip(rest, name);
    return;
  }
  yield first.value;
  yield* src;
}

/** What each context file option wants, as its errors say. */
const CONTEXT_FILES = {
  "--iomem": "a /proc/iomem listing",
  "--lspci": "'lspci -mm' or 'lspci -vmm' output",
} as const;

type ContextFlag = keyof typeof CONTEXT_FILES;

/** A context file's one line: the option, the file, what is wrong, and what the option wants. */
function contextError(flag: ContextFlag, path: string, why: string): InputError {
  return new InputError(
    `${flag} ${path === "-" ? "stdin" : path}: ${why}; expected ${CONTEXT_FILES[flag]}`,
  );
}

/** Reads a context file whole, as text; every error names the option and the file. */
async function readContext(flag: ContextFlag, path: string, io: Io): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readWhole(path, io.stdin);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const name = `${path === "-" ? "stdin" : path}: `;
    throw contextError(flag, path, e.message.replace(name, ""));
  }
  if (!bytes.length) throw contextError(flag, path, "empty");
  const why = notText(bytes, false);
  if (why) throw contextError(flag, path, why);
  return new TextDecoder().decode(bytes);
}

/**
 * Refuses a --since later than --until: no report could match, and an empty report reads as a
 * clean log. Seconds since boot compare with seconds, full dates with full dates; a syslog date
 * without a year is left to the filter.
 */
function checkWindow(since?: string, until?: string): void {
  if (since === undefined || until === undefined) return;
  const s = parseTimeArg(since), u = parseTimeArg(until);
  const later = s && u && "boot" in s && "boot" in u
    ? s.boot > u.boot
    : s && u && "wall" in s && "wall" in u && /^\d{4}-/.test(since.trim()) &&
      /^\d{4}-/.test(until.trim()) && s.wall > u.wall;
  if (later) {
    throw new UsageError(`--since ${since} is after --until ${until}: no report can match`);
  }
}

/** Context files: `/proc/iomem` and `lspci` output. */
interface Context {
  region?: (addr: bigint) => string | null;
  name?: (device: string | null) => string | null;
}

async function loadContext(o: DmesgOpts, io: Io): Promise<Context> {
  const ctx: Context = {};
  if (o.iomem !== undefined) {
    const map = parseIomem(await readContext("--iomem", o.iomem, io));
    if (!map.regions.length) {
      throw contextError("--iomem", o.iomem, "no '<start>-<end> : <name>' lines");
    }
    if (map.zeroed) {
      io.err(
        `faultscope: --iomem ${o.iomem}: every address is 0 (read without root); regions are ` +
          "not named\n",
      );
    } else {
      const find = iomemIndex(map);
      ctx.region = (a) => {
        const r = find(a);
        return r ? regionLabel(r) : null;
      };
    }
  }
  if (o.lspci !== undefined) {
    const pci = parseLspci(await readContext("--lspci", o.lspci, io));
    if (!pci.size) throw contextError("--lspci", o.lspci, "no devices found");
    ctx.name = (d) => deviceName(pci, d);
  }
  return ctx;
}

/** `r-x-`: read, write, exec, priv. */
function accessCell(a: readonly Access[]): string {
  return (a.includes("read") ? "r" : "-") + (a.includes("write") ? "w" : "-") +
    (a.includes("exec") ? "x" : "-") + (a.includes("priv") ? "p" : "-");
}

/**
 * `[  812.004421]` as given; microseconds since boot (`/dev/kmsg`, journal JSON) as seconds;
 * `-` when the line had none.
 */
function timeCell(t: LogTime): string {
  if (t.text === null) return t.boot !== null ? t.boot.toFixed(6) : "-";
  if (t.boot !== null && t.text.charCodeAt(0) !== 91 && /^\d+$/.test(t.text)) {
    return t.boot.toFixed(6);
  }
  return t.text;
}

function codeCell(code: number | null): string {
  return code === null ? "-" : "0x" + code.toString(16).padStart(2, "0");
}

/** The meaning of a fault: its name, and the sentence when it says more than the name. */
function meaning(e: Pick<FaultEvent, "name" | "text">): string {
  // VT-d's sentences repeat the reason's name after the table it comes from.
  const bare = (x: string) =>
    x.replace(/^(SM|Scalable mode|Interrupt remapping): /, "").replace(/\.$/, "").toLowerCase();
  return e.text && bare(e.text) !== bare(e.name) ? `${e.name}: ${e.text}` : e.name;
}

/**
 * The FAULT cell of an event line, by reason (a storm repeats a few reasons: each is composed
 * once). Bounded: past MAX_CELLS reasons, cells are composed afresh.
 */
const CELLS = new Map<
  string,
  { vendor: string; code: number | null; name: string; cell: string }
>();
const MAX_CELLS = 4096;

function faultCell(e: FaultEvent): string {
  const c = CELLS.get(e.text);
  if (c && c.code === e.code && c.name === e.name && c.vendor === e.vendor) return c.cell;
  const cell = `${e.vendor} ${codeCell(e.code)} ${meaning(e)}`;
  if (CELLS.size < MAX_CELLS) {
    CELLS.set(e.text, { vendor: e.vendor, code: e.code, name: e.name, cell });
  }
  return cell;
}

/** Cuts `s` to `n` columns with an ellipsis. */
function fit(s: string, n: number): string {
  return s.length <= n ? s : n <= 1 ? s.slice(0, Math.max(n, 0)) : s.slice(0, n - 1) + "…";
}

/** Fixed-width event lines: laid out before the first row, so a stream stays aligned. */
class EventLines {
  #time = 0;
  constructor(private readonly io: Io) {}

  #row(time: string, device: string, pasid: string, access: string, addr: string, what: string) {
    const head = `${time.padEnd(this.#time)}  ${device.padEnd(12)}  ${pasid.padEnd(7)}  ` +
      `${access}  ${addr.padEnd(14)}  `;
    const cols = this.io.columns;
    return (cols ? fit(head + what, cols) : head + what).trimEnd();
  }

  #header(first: LogTime): void {
    this.#time = Math.max(4, timeCell(first).length);
    this.io.out.line(
      this.io.paint("bold", this.#row("TIME", "DEVICE", "PASID", "RWXP", "ADDRESS", "FAULT")),
    );
  }

  fault(e: FaultEvent): void {
    if (!this.#time) this.#header(e.time);
    const what = faultCell(e) + (e.truncated ? " [truncated dump]" : "");
    this.io.out.line(this.#row(
      timeCell(e.time),
      e.device ?? "-",
      e.pasid === null ? "-" : hex(e.pasid),
      accessCell(e.access),
      e.addr ?? "-",
      what,
    ));
  }

  loss(e: LossEvent): void {
    if (!this.#time) this.#header(e.time);
    const line = this.#row(timeCell(e.time), "-", "-", "----", "-", `LOSS ${lossText(e)}`);
    this.io.out.line(this.io.paint("yellow", line));
  }
}

function lossText(e: LossEvent): string {
  const at = e.faults_at_least > 0
    ? ` (at least ${plural(e.faults_at_least, "fault")} not logged)`
    : "";
  const n = e.count ?? 0;
  switch (e.kind) {
    case "suppressed":
      return `${e.source}: ${plural(n, "call")} suppressed by the ratelimit${at}`;
    case "kmsg-gap":
      return `${plural(n, "kernel log record")} overwritten before they were read (${e.source})`;
    case "journal-missed":
      return `journald missed ${plural(n, "kernel message")}`;
    case "hw-overflow":
      return `VT-d fault recording registers overflowed (FSTS.PFO): faults dropped by hardware`;
    case "log-restart":
      return `AMD-Vi ${e.source} restarted after an overflow${at}`;
    case "overflow":
      return `${e.source} overflowed${at}`;
  }
}

/** `0x1000` or `0x1000-0x7f3a10000`. */
function range(r: SummaryRow): string {
  if (r.addrMin === null || r.addrMax === null) return "-";
  return r.addrMin === r.addrMax ? hex(r.addrMin) : `${hex(r.addrMin)}-${hex(r.addrMax)}`;
}

function rateCell(r: SummaryRow): string {
  const v = rate(r);
  if (v === null) return "-";
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2);
}

/** A time as the summary shows it: `812.004421`, `Mar 05 10:15:43`. */
function shortTime(t: LogTime): string {
  const s = timeCell(t);
  return s.startsWith("[") && s.endsWith("]") ? s.slice(1, -1).trim() : s;
}

/** Summary columns, in the order they give way on a narrow terminal (after NAME shrinks). */
const GIVE_WAY = ["PER S", "FIRST", "IOMMU", "PAGES", "VENDOR", "CODE", "LAST"];

/**
 * Lays out the summary table to fit `width` columns (a terminal): NAME shrinks to 12 columns
 * first, then the columns of GIVE_WAY are left out one by one until the table fits.
 */
function summaryTable(rows: SummaryRow[], width: number | undefined, io: Io): string[] {
  let headers = [
    "DEVICE",
    "IOMMU",
    "VENDOR",
    "CODE",
    "NAME",
    "COUNT",
    "FIRST",
    "LAST",
    "PER S",
    "PAGES",
    "ADDRESSES",
  ];
  let cells = rows.map((r) => [
    r.device ?? "-",
    r.iommu ?? "-",
    r.vendor,
    codeCell(r.code),
    r.name,
    String(r.count),
    shortTime(r.first),
    shortTime(r.last),
    rateCell(r),
    r.pages + (r.pagesCapped ? "+" : ""),
    range(r),
  ]);
  if (width) {
    const natural = () =>
      headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const total = (w: number[]) => w.reduce((n, x) => n + x + 2, -2);
    for (const drop of [null, ...GIVE_WAY]) {
      if (drop !== null) {
        const i = headers.indexOf(drop);
        headers = headers.filter((_, j) => j !== i);
        cells = cells.map((c) => c.filter((_, j) => j !== i));
      }
      const w = natural();
      const name = headers.indexOf("NAME");
      const nameWidth = Math.max(12, width - (total(w) - w[name]));
      if (total(w) - w[name] + Math.min(nameWidth, w[name]) <= width || drop === "LAST") {
        for (const c of cells) c[name] = fit(c[name], nameWidth);
        break;
      }
    }
  }
  const right = new Set(["COUNT", "PER S", "PAGES"].map((h) => headers.indexOf(h)));
  const lines = table(headers, cells, right);
  return [io.paint("bold", lines[0]), ...lines.slice(1)];
}

/** The event as JSON, with the context files' names when given. */
function eventJson(e: Event, ctx: Context): Event | JsonObject {
  if (e.type !== "fault" || (!ctx.region && !ctx.name) || !(e instanceof Fault)) return e;
  const c: JsonObject = {};
  if (ctx.name) c.device_name = ctx.name(e.device);
  if (ctx.region) c.region = e.addr === null ? null : ctx.region(BigInt(e.addr));
  const j = e.toJSON();
  j.context = c;
  return j;
}

/** Decodes the IOMMU faults of a kernel log. */
export async function run(o: DmesgOpts, io: Io): Promise<ExitCode> {
  let file = o.file;
  if (file === undefined) {
    if (io.stdinIsTerminal) {
      throw new UsageError("no input: give FILE, or - for stdin (e.g. dmesg | faultscope dmesg -)");
    }
    file = "-";
  }
  const name = file === "-" ? "stdin" : file;
  const fromStdin = [file, o.iomem, o.lspci].filter((f) => f === "-").length;
  if (fromStdin > 1) throw new UsageError("only one input can come from stdin ('-')");
  // A directory or a missing file is one line before anything else.
  const regular = (await inputInfo(file)).size !== undefined;
  checkWindow(o.since, o.until);
  const ctx = await loadContext(o, io);
  const untimed = { faults: 0, losses: 0 };
  const keep = makeFilter({
    device: o.device.length ? o.device.flat() : undefined,
    vendor: o.vendor.length ? o.vendor.flat() : undefined,
    code: o.code.length ? o.code.flat() : undefined,
    since: o.since,
    until: o.until,
  }, (e) => e.type === "fault" ? untimed.faults++ : untimed.losses++);
  const summary = new Summary({ region: ctx.region });
  const out = io.out;
  const human = !o.json && !o.ndjson;
  const lines = new EventLines(io);
  let faults = 0, losses = 0, written = 0;
  if (o.json) out.write('{"events":[');
  const onEvent = (e: Event) => {
    if (!keep(e)) return;
    summary.add(e);
    if (e.type === "fault") faults++;
    else losses++;
    if (human) {
      if (!o.events) return;
      if (e.type === "fault") lines.fault(e);
      else lines.loss(e);
      return;
    }
    const s = JSON.stringify(eventJson(e, ctx));
    if (o.ndjson) out.line(s);
    else out.write((written++ ? ",\n" : "\n") + s);
  };
  const parser = new KlogParser({ format: o.format, onEvent, iommuFault: o.asIommuFault });

  using stop = interrupts();
  const decoder = new TextDecoder();
  let bytes = 0;
  for await (const chunk of inputBytes(file, name, io, stop, regular)) {
    if (bytes === 0) {
      const why = notText(chunk);
      if (why) throw new InputError(`${name}: ${why}`);
    }
    bytes += chunk.length;
    // Decoded in slices small enough for V8's young generation: a string of more than 128 KiB
    // goes to the large-object space, which only a full collection frees (peak memory doubled).
    for (let o = 0; o < chunk.length; o += DECODE_BYTES) {
      parser.push(decoder.decode(chunk.subarray(o, o + DECODE_BYTES), { stream: true }));
    }
  }
  if (bytes === 0) throw new InputError(`${name}: empty input (no kernel log lines)`);
  parser.push(decoder.decode());
  parser.end();
  if (untimed.faults || untimed.losses) {
    // A window that leaves out what it cannot place must say so, or "0 faults" reads as clean.
    const what = [
      untimed.faults ? plural(untimed.faults, "fault") : "",
      untimed.losses ? plural(untimed.losses, "sign of loss", "signs of loss") : "",
    ].filter(Boolean).join(" and ");
    io.err(
      `faultscope: ${name}: ${what} left out by --since/--until: no timestamp they can be ` +
        `compared with (none, or boot seconds against a date)\n`,
    );
  }

  const s = summary.toJson();
  const lost = s.lost as JsonObject;
  delete s.lost;
  const meta: JsonObject = {
    format: parser.format,
    lines: parser.lines,
    unparsed: {
      count: parser.unparsedCount,
      ...(o.verbose ? { lines: parser.unparsed as unknown as JsonObject[] } : {}),
    },
  };
  if (o.json) {
    delete s.type;
    out.write(`${written ? "\n" : ""}],\n"summary":${JSON.stringify({ ...s, ...meta })},\n`);
    out.line(`"lost":${JSON.stringify(lost)}}`);
  } else if (o.ndjson) {
    out.line(JSON.stringify({ ...s, ...meta, lost }));
  } else {
    renderSummary(summary, parser, ctx, o, io, faults, losses);
  }
  stop.throwIfInterrupted(
    `interrupted after ${plural(parser.lines, "line")}; the summary so far is above`,
  );
  if (o.check && (faults > 0 || losses > 0)) return EXIT.FINDINGS;
  return EXIT.OK;
}

/** `2 lines look like fault reports but do not parse`. */
function unparsedLine(n: number): string {
  return n === 1
    ? "1 line looks like a fault report but does not parse"
    : `${n} lines look like fault reports but do not parse`;
}

function renderSummary(
  summary: Summary,
  parser: KlogParser,
  ctx: Context,
  o: DmesgOpts,
  io: Io,
  faults: number,
  losses: number,
): void {
  const out = io.out;
  const cols = io.columns;
  const b = (t: string) => io.paint("bold", t);
  // Prose is wrapped to a terminal's width (continuing indented); log lines are cut.
  const para = (text: string, indent = 0, style?: "yellow") => {
    const lines = cols ? wrap(text, cols, indent + 2) : [text];
    lines.forEach((l, i) => {
      const pad = " ".repeat(i ? indent + 2 : indent);
      out.line(pad + (style ? io.paint(style, l) : l));
    });
  };
  if (o.events && (faults || losses)) out.line();
  const container = parser.format === "plain" || parser.format === null
    ? "no container recognised"
    : parser.format;
  para(
    `${b("summary")}  ${plural(faults, "fault")} in ${
      plural(parser.lines, "line")
    } (${container})` +
      (losses ? `, ${plural(losses, "sign")} of loss` : ""),
  );
  const rows = summary.sortedRows();
  if (rows.length) {
    out.line();
    for (const l of summaryTable(rows, cols, io)) out.line(l);
    if (summary.overflowFaults) {
      para(
        `... and ${plural(summary.overflowFaults, "more fault")} on devices past the row limit`,
      );
    }
  }
  if (ctx.region || ctx.name) {
    out.line();
    for (const r of rows) para(explainRow(r, ctx.name?.(r.device) ?? null));
  }
  const loss = summary.lossLines();
  if (loss.length) {
    out.line();
    out.line(b("lost"));
    for (const l of loss) para(l, 2, "yellow");
  }
  if (parser.unparsedCount) {
    out.line();
    if (o.verbose) {
      para(
        unparsedLine(parser.unparsedCount) +
          (parser.unparsedCount > parser.unparsed.length
            ? ` (the first ${parser.unparsed.length}):`
            : ":"),
      );
      for (const u of parser.unparsed) {
        const l = `  line ${u.line} (${u.looksLike}): ${u.raw}`;
        out.line(cols ? fit(l, cols) : l);
      }
    } else {
      para(
        `${unparsedLine(parser.unparsedCount)} (list them with -v)`,
      );
    }
  }
}
