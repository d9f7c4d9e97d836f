/**
 * The sources `watch` reads, and how: what a command-line source is (a region image or device
 * node read at an offset, a record stream, `/dev/kmsg`, a log file), and one loop per kind that
 * reads it and hands the bytes to its follower in `src/watch/`. The loops keep following through
 * what `tail -F` users expect (a file that appears late, is truncated, replaced, rotated or
 * deleted; a FIFO whose writer closes; a device that goes away) with one line each, and poll at
 * the interval: never a busy loop.
 *
 * @example
 * ```ts
 * import { parseSourceArg } from "./sources.ts";
 * parseSourceArg("/tmp/veq.fifo,abi=vevent,label=vm1");
 * // => { path: "/tmp/veq.fifo", keys: { abi: "vevent", label: "vm1" } }
 * ```
 * @module
 */
import { type AbiId, FAULT_ABIS } from "../../../abi/records.ts";
import { REGION_IDS, type RegionLayoutId, REGIONS } from "../../../abi/regions.ts";
import { VEVENT_TYPES, type VeventTypeId } from "../../../abi/vevent.ts";
import { hex, plural } from "../../../codec/numbers.ts";
import { locate, MAX_REGION_SIZE, PROBE_BYTES } from "../../../region/detect.ts";
import type { WatchSink } from "../../../watch/events.ts";
import type { SourceKind } from "../../../watch/exporter.ts";
import { KlogFollower } from "../../../watch/klog.ts";
import { RegionFollower } from "../../../watch/region.ts";
import { StreamFollower } from "../../../watch/stream.ts";
import { deniedReason, InputError, osWords, UsageError } from "../../errors.ts";
import { fsError } from "../../files.ts";
import { withHints } from "../../hints.ts";
import { ClosedPipe, type Reader, StdoutFailed } from "../../io.ts";
import { parseOffset } from "../../options.ts";
import { ArgError } from "../../spec.ts";

/** ABIs only a stream carries (iommufd's queues are read, not mapped). */
export const STREAM_ABIS: readonly string[] = ["vevent", "hwpt-pgfault"];

/** Record ABIs a stream of faults can carry: the `iommu_fault` generations, iommufd's two queues. */
export const WATCH_ABIS = [...FAULT_ABIS, "hwpt-pgfault", "vevent"] as const;

/** One source, fully resolved. */
export interface SourceSpec {
  /** The name it is reported under (`source` in lines, JSON and metrics). */
  label: string;
  /** The path (`-`: stdin). */
  path: string;
  /** What it is, and so how it is read. */
  kind: SourceKind;
  /** Record ABI (regions: undefined means inferred). */
  abi?: AbiId | "vevent";
  /** The vEVENTQ type, for `abi: vevent`. */
  veventType: VeventTypeId;
  /** Region offset in the file or device. */
  offset: number;
  /** Region layout (undefined: detected). */
  layout?: RegionLayoutId;
  /** Byte order. */
  littleEndian: boolean;
  /** Host page size, for the region rules. */
  pageSize?: number;
}

/** Keys a source may carry after its path: `PATH,key=value,...`. */
const KEYS = ["label", "kind", "abi", "vevent-type", "offset", "layout", "endian"] as const;

/** Splits `PATH[,key=value...]`; a comma not followed by a known key stays in the path. */
export function parseSourceArg(text: string): { path: string; keys: Record<string, string> } {
  const parts = text.split(",");
  let i = parts.length;
  while (i > 1 && /^[a-z-]+=/.test(parts[i - 1])) i--;
  const keys: Record<string, string> = {};
  for (const p of parts.slice(i)) {
    const eq = p.indexOf("=");
    const k = p.slice(0, eq);
    if (!(KEYS as readonly string[]).includes(k)) {
      throw new UsageError(`source '${text}': unknown key '${k}' (keys: ${KEYS.join(", ")})`);
    }
    keys[k] = p.slice(eq + 1);
  }
  return { path: parts.slice(0, i).join(","), keys };
}

/** The options every source takes its defaults from. */
export interface SourceDefaults {
  /** `--abi`. */
  abi?: string;
  /** `--vevent-type`. */
  veventType: VeventTypeId;
  /** `--offset`. */
  offset: number;
  /** `--layout`. */
  layout?: RegionLayoutId;
  /** `--endian`. */
  endian: "little" | "big";
  /** `--page-size`. */
  pageSize?: number;
}

function choice<T extends string>(
  text: string,
  key: string,
  value: string,
  all: readonly T[],
): T {
  if (!(all as readonly string[]).includes(value)) {
    throw new UsageError(`source '${text}': ${key} '${value}' is not one of ${all.join(", ")}`);
  }
  return value as T;
}

/**
 * Resolves one source: its keys over the defaults, and its kind from what the path is (a FIFO or
 * `-` is a stream, `/dev/kmsg` the kernel log, a file or device node a region unless its ABI is
 * one only a stream carries). A missing path is waited for; a directory is an error.
 */
export async function resolveSource(
  text: string,
  d: SourceDefaults,
  log: boolean,
): Promise<SourceSpec> {
  const { path, keys } = parseSourceArg(text);
  if (!path) throw new UsageError(`source '${text}': no path`);
  const abi = keys.abi !== undefined ? choice(text, "abi", keys.abi, WATCH_ABIS) : d.abi;
  let offset = d.offset;
  if (keys.offset !== undefined) {
    try {
      offset = parseOffset(keys.offset);
    } catch (e) {
      if (e instanceof ArgError) throw new UsageError(`source '${text}': offset: ${e.message}`);
      throw e;
    }
  }
  const spec: SourceSpec = {
    label: keys.label ?? (path === "-" ? "stdin" : path),
    path,
    kind: "region",
    abi: abi as AbiId | "vevent" | undefined,
    veventType: keys["vevent-type"] !== undefined
      ? choice(
        text,
        "vevent-type",
        keys["vevent-type"],
        Object.keys(VEVENT_TYPES) as VeventTypeId[],
      )
      : d.veventType,
    offset,
    layout: keys.layout !== undefined ? choice(text, "layout", keys.layout, REGION_IDS) : d.layout,
    littleEndian:
      (keys.endian !== undefined
        ? choice(text, "endian", keys.endian, ["little", "big"] as const)
        : d.endian) !== "big",
    pageSize: d.pageSize,
  };
  if (!spec.label) throw new UsageError(`source '${text}': an empty label`);
  const kinds = ["region", "stream", "kmsg", "log"] as const;
  const given = keys.kind !== undefined ? choice(text, "kind", keys.kind, kinds) : undefined;
  const streamAbi = abi !== undefined && STREAM_ABIS.includes(abi);
  if (log || given === "log") return { ...spec, kind: "log" };
  if (path === "-") {
    if (!abi) {
      throw new UsageError(
        "- (stdin) is a record stream: give --abi (or --log - for kernel log text)",
      );
    }
    return { ...spec, kind: "stream" };
  }
  let st: Deno.FileInfo | undefined;
  try {
    st = await Deno.stat(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw fsError(e, path);
  }
  if (st?.isDirectory) throw new InputError(`${path}: is a directory`);
  let kind: SourceKind = given ?? (streamAbi ? "stream" : "region");
  if (!given) {
    let real = path;
    try {
      real = await Deno.realPath(path);
    } catch { /* not there yet */ }
    if (real === "/dev/kmsg") kind = "kmsg";
    else if (st?.isFifo || st?.isSocket) kind = "stream";
  }
  if (kind === "kmsg" && !keys.label) spec.label = "kmsg";
  if (kind === "stream" && !abi) {
    throw new UsageError(
      `${path}: a ${st?.isFifo ? "FIFO" : "stream"} of records: give --abi (or ${path},abi=...)`,
    );
  }
  if (kind === "region" && streamAbi) {
    throw new UsageError(`${path}: ${abi} records come from a stream, not a region (kind=stream)`);
  }
  if (kind === "region" && st && !st.isFile && !st.isCharDevice && !st.isBlockDevice) {
    throw new InputError(`${path}: not a file or a device node`);
  }
  return { ...spec, kind };
}

// --- loops ------------------------------------------------------------------------------------

/** What every loop needs. */
export interface LoopContext {
  /** Poll period (ms). */
  interval: number;
  /** Aborted when watch stops. */
  signal: AbortSignal;
  /** The wall clock (ms since the epoch). */
  now: () => number;
  /** Report what is already there at the start. */
  fromStart: boolean;
  /** Stall time of region consumers (ms). */
  stallMs: number;
  /** stdin, for `-`. */
  stdin: Reader;
  /** One line about the source, on stderr. */
  note: (text: string) => void;
  /**
   * Whether the source can be read (the up gauge, and a `down`/`up` state on a change). `ended`:
   * it ended as a stream does (stdin at its end, a FIFO's writer gone), not a failure to read:
   * the gauge falls, no state is said, and the next reader or writer is a fresh start.
   */
  up: (up: boolean, ended?: "ended") => void;
  /** After each batch of events: write them out. */
  flush: () => void;
  /** Describes the source once it is known (for the summary). */
  describe: (what: string) => void;
  /** Registers what to do when watch stops (flush a parser's held lines). */
  onStop: (f: () => void) => void;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/** A read that gives up (null) when watch stops: a FIFO or /dev/kmsg blocks until data comes. */
function readOrStop(r: Reader, buf: Uint8Array, signal: AbortSignal): Promise<number | null> {
  if (signal.aborted) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const stop = () => resolve(null);
    signal.addEventListener("abort", stop, { once: true });
    r.read(buf).then((n) => {
      signal.removeEventListener("abort", stop);
      resolve(n);
    }, (e) => {
      signal.removeEventListener("abort", stop);
      reject(e);
    });
  });
}

/** A failure of watch's own output, never of a source: it ends watch instead of a retry. */
function outputFailed(e: unknown): boolean {
  return e instanceof StdoutFailed || e instanceof ClosedPipe;
}

/** The OS's words for an error, without "(os error N)". */
function why(e: unknown): string {
  if (e instanceof InputError) return e.message;
  if (e instanceof Deno.errors.NotFound) return "no such file";
  if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
    return deniedReason(e);
  }
  return osWords(e);
}

/** The path's file info, or undefined while it does not exist (other errors are thrown). */
function statIfThere(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    return undefined;
  }
}

/** Reads `buf.length` bytes at `offset` (fewer at the end of the file). */
function readAt(file: Deno.FsFile, offset: number, buf: Uint8Array): number {
  file.seekSync(offset, Deno.SeekMode.Start);
  let got = 0;
  while (got < buf.length) {
    const n = file.readSync(buf.subarray(got));
    if (n === null || n === 0) break;
    got += n;
  }
  return got;
}

/** Next tick of a fixed schedule: no drift, and no burst of catch-up polls after a stall. */
function nextTick(ctx: LoopContext, start: number): number {
  const now = performance.now();
  const elapsed = now - start;
  return ctx.interval - (elapsed % ctx.interval);
}

/**
 * Follows a region: reads it whole every interval (header, ring, header again), waiting for a
 * file that is missing, empty or shorter than its region, and starting over, with the records
 * pending in it, on a file that was replaced or came back.
 */
export async function followRegion(
  spec: SourceSpec,
  sink: WatchSink,
  ctx: LoopContext,
): Promise<void> {
  const { path, offset } = spec;
  const where = offset ? ` at offset ${hex(offset)}` : "";
  let file: Deno.FsFile | undefined;
  let ino: number | null = null;
  let follower: RegionFollower | undefined;
  let buf = new Uint8Array(0), head = new Uint8Array(0);
  let waiting = "";
  let opened = 0; // opens so far: a later one follows a new or rewritten region
  /** Says why watch waits, once per kind of reason (a truncation seen three ways is one). */
  const wait = (kind: string, text: string) => {
    if (kind !== waiting) ctx.note(text);
    waiting = kind;
    ctx.up(false);
  };
  const close = () => {
    try {
      file?.close();
    } catch { /* already closed */ }
    file = undefined;
    follower = undefined;
  };
  const open = (st: Deno.FileInfo): boolean => {
    file = Deno.openSync(path, { read: true });
    ino = st.ino;
    const available = st.isFile ? st.size - offset : undefined;
    if (available !== undefined && available <= 0) {
      close();
      wait(
        "short",
        available === 0 && offset === 0
          ? "empty; waiting for a region"
          : `nothing${where}; waiting`,
      );
      return false;
    }
    const probe = new Uint8Array(PROBE_BYTES);
    const got = readAt(file, offset, probe);
    const loc = locate(probe.subarray(0, got), {
      layout: spec.layout,
      abi: spec.abi === "vevent" ? undefined : spec.abi,
      littleEndian: spec.littleEndian,
      regionSize: offset === 0 ? available : undefined,
    });
    if (loc.kind === "truncated") {
      close();
      wait(
        "short",
        `truncated: ${loc.available} of the ${loc.regionSize} bytes its header describes; waiting`,
      );
      return false;
    }
    if (loc.kind === "unknown") {
      close();
      // watch has no --region-size: a layout names the header that says the size.
      const hints = loc.hints.map((h) =>
        h.kind === "region-size" ? { kind: "layout" as const, choices: REGION_IDS } : h
      );
      const msg = `${path}${where}: ${withHints(loc.message, hints)}`;
      // A file that is there but is no region: nothing will work, unless it was one before, or
      // it appeared while watched (a producer may size its file before it writes the header).
      if (opened === 0 && !waiting) throw new InputError(msg);
      wait("unknown", `not a fault region ${opened ? "now" : "yet"} (${loc.message}); waiting`);
      return false;
    }
    if (loc.regionSize > MAX_REGION_SIZE) {
      close();
      throw new InputError(`${path}: ${loc.regionSize} bytes is larger than any fault region`);
    }
    if (buf.length !== loc.regionSize) buf = new Uint8Array(loc.regionSize);
    const layout = REGIONS[loc.detection.layout];
    head = new Uint8Array(layout.headerSize);
    const first = opened++ === 0;
    // Waited for (missing, empty or short) before this first open: the region came into being
    // while watched, so what it already holds is news, and what it already lost is a loss.
    const appeared = first && waiting !== "";
    follower = new RegionFollower({
      layout: loc.detection.layout,
      abi: loc.detection.abi,
      littleEndian: spec.littleEndian,
      regionSize: loc.regionSize,
      pageSize: spec.pageSize,
      stallMs: ctx.stallMs,
      // After a gap, whatever is pending is news (what went before it is the gap's loss).
      fromStart: ctx.fromStart || !first || appeared,
      historyIsLoss: appeared,
    }, sink);
    const what = `${loc.detection.layout} region${where}, ${plural(buf.length, "byte")}, ` +
      `${loc.detection.abi} records`;
    ctx.describe(what);
    if (!first) {
      sink.loss({
        time: ctx.now(),
        cause: "resync",
        unit: "faults",
        atMost: null,
        message: `following ${path} again: faults its producer wrote and its consumer took ` +
          `meanwhile were not seen`,
      });
    }
    if (waiting || !first) ctx.note(`following: ${what}`);
    waiting = "";
    return true;
  };
  const start = performance.now();
  while (!ctx.signal.aborted) {
    try {
      const st = statIfThere(path);
      if (!st) {
        close();
        wait(
          "missing",
          opened ? "deleted; waiting for it to come back" : "waiting for it to appear",
        );
      } else if (file && st.ino !== ino) {
        close();
        ctx.note("replaced: following the new file");
        open(st);
      } else if (!file) {
        open(st);
      }
      if (file && follower && st) {
        if (st.isFile && st.size < offset + buf.length) {
          close();
          wait(
            "short",
            `truncated to ${plural(st.size, "byte")} (the region needs ${
              offset + buf.length
            }); waiting`,
          );
        } else {
          const got = readAt(file, offset, buf);
          if (got < buf.length) {
            close();
            wait("short", `read ${got} of ${buf.length} bytes; waiting`);
          } else {
            readAt(file, offset, head);
            ctx.up(true); // before what the read shows, so an `up` state precedes its faults
            follower.observe({ bytes: buf, headerAfter: head, time: ctx.now() });
            ctx.flush();
          }
        }
      }
    } catch (e) {
      if (outputFailed(e)) throw e;
      if (e instanceof InputError && opened === 0 && !waiting) throw e;
      close();
      wait("error", `cannot read: ${why(e)}; waiting for it to come back`);
    }
    await sleep(nextTick(ctx, start), ctx.signal);
  }
  close();
}

/** Bytes per read of a stream or a log. */
const READ_BYTES = 1 << 16;

/**
 * Follows a record stream: stdin to its end; a FIFO or character device through writer after
 * writer (a writer that closes is said once, and the next one is waited for); a regular file as
 * it grows, like `tail -F`.
 */
export async function followStream(
  spec: SourceSpec,
  sink: WatchSink,
  ctx: LoopContext,
): Promise<void> {
  const follower = new StreamFollower({
    abi: spec.abi!,
    veventType: spec.veventType,
    littleEndian: spec.littleEndian,
  }, sink);
  // A record begun when watch stops is never finished: a loss (nothing, when none is held).
  ctx.onStop(() => follower.end(ctx.now(), true));
  const abiText = spec.abi === "vevent" ? `vEVENTQ (${spec.veventType})` : `${spec.abi} records`;
  const buf = new Uint8Array(READ_BYTES);
  if (spec.path === "-") {
    ctx.describe(`stdin, ${abiText}`);
    ctx.up(true);
    while (!ctx.signal.aborted) {
      const n = await readOrStop(ctx.stdin, buf, ctx.signal);
      if (n === null) break;
      follower.push(buf.subarray(0, n), ctx.now());
      ctx.flush();
    }
    if (!ctx.signal.aborted) {
      follower.end(ctx.now());
      ctx.up(false, "ended");
      ctx.note(`ended after ${plural(follower.stats.records, "record")}`);
      ctx.flush();
    }
    return;
  }
  let st: Deno.FileInfo | undefined;
  try {
    st = await Deno.stat(spec.path);
  } catch { /* waited for below */ }
  if (!st || st.isFile) return followGrowingFile(spec, sink, follower, buf, ctx, abiText);
  ctx.describe(`${st.isFifo ? "FIFO" : "device"}, ${abiText}`);
  await readPipe(spec.path, ctx, buf, {
    data: (b) => follower.push(b, ctx.now()),
    end: () => follower.end(ctx.now()),
  });
}

/**
 * Reads a FIFO or a character device writer after writer: a FIFO's open waits for a writer; when
 * the writer closes, `end` is called, it is said once, and the next writer is waited for. A read
 * error (a device that went away) is said once and retried every interval.
 */
async function readPipe(
  path: string,
  ctx: LoopContext,
  buf: Uint8Array,
  o: { data: (b: Uint8Array) => void; end: () => void; seekEnd?: boolean },
) {
  let said = "";
  const say = (t: string) => {
    if (t !== said) ctx.note(t);
    said = t;
  };
  while (!ctx.signal.aborted) {
    let file: Deno.FsFile | undefined;
    try {
      const opening = Deno.open(path, { read: true });
      file = await Promise.race([opening, sleepForever(ctx.signal)]);
      if (!file) {
        opening.then((f) => f.close(), () => {});
        break;
      }
      if (o.seekEnd) await file.seek(0, Deno.SeekMode.End);
      ctx.up(true);
      if (said) say("reading again");
      let n: number | null;
      while (!ctx.signal.aborted) {
        try {
          n = await readOrStop(file, buf, ctx.signal);
        } catch (e) {
          // /dev/kmsg: the records this reader had not read were overwritten (EPIPE, once); the
          // next read returns the oldest record, and the sequence gap says how many were lost.
          if (e instanceof Deno.errors.BrokenPipe) continue;
          throw e;
        }
        if (n === null) break;
        o.data(buf.subarray(0, n));
        ctx.flush();
      }
      if (ctx.signal.aborted) break;
      o.end();
      ctx.up(false, "ended");
      say("the writer closed; waiting for the next one");
      ctx.flush();
    } catch (e) {
      if (outputFailed(e)) throw e;
      ctx.up(false);
      say(`cannot read: ${why(e)}; retrying every ${ctx.interval} ms`);
      ctx.flush();
    } finally {
      try {
        file?.close();
      } catch { /* a read may still hold it */ }
    }
    await sleep(ctx.interval, ctx.signal);
  }
}

/** A promise that settles (undefined) only when `signal` aborts. */
function sleepForever(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(undefined);
    signal.addEventListener("abort", () => resolve(undefined), { once: true });
  });
}

/** A regular file that grows (records appended): followed like `tail -F`. */
async function followGrowingFile(
  spec: SourceSpec,
  sink: WatchSink,
  follower: StreamFollower,
  buf: Uint8Array,
  ctx: LoopContext,
  abiText: string,
) {
  ctx.describe(`file, ${abiText}`);
  await tailFile(spec.path, ctx, {
    data: (b) => follower.push(b, ctx.now()),
    restart(why) {
      follower.end(ctx.now());
      if (why === "truncated") {
        sink.loss({
          time: ctx.now(),
          cause: "resync",
          unit: "faults",
          atMost: null,
          message: `${spec.path} was truncated: records written after the last read and ` +
            `before the truncation were not seen`,
        });
      }
    },
    buf,
  });
}

/** What {@link tailFile} does with the bytes. */
interface TailSink {
  /** New bytes (valid during the call). */
  data(b: Uint8Array): void;
  /** The file was truncated or replaced: what is held is no longer continued. */
  restart(why: "truncated" | "rotated" | "deleted"): void;
  /** The read buffer. */
  buf: Uint8Array;
}

/** Bytes before the read position kept to tell a file rewritten in place past it. */
const MARK_BYTES = 4096;

/**
 * `tail -F` on one path: starts at its end (or its start with --from-start, and always for a file
 * that appears later), reads what is appended every interval, finishes a file that was rotated or
 * deleted before following the new one, starts over on one that was truncated. A file truncated
 * and written again past the read position between two polls keeps its inode and shows no
 * shrink, so every read starts at the last 4 KiB read before that position and compares them:
 * bytes that changed are a truncation too (only a rewrite with the same bytes there goes unseen).
 */
async function tailFile(path: string, ctx: LoopContext, sink: TailSink) {
  let file: Deno.FsFile | undefined;
  let ino: number | null = null;
  let pos = 0;
  let seen = false;
  let waited = false;
  let said = "";
  const say = (t: string) => {
    if (t !== said) ctx.note(t);
    said = t;
  };
  // The last bytes handed on (those just before `pos`): every read starts with them again, so
  // that the bytes compared and the bytes handed on come from one read, with no poll between.
  const mark = new Uint8Array(MARK_BYTES);
  let marked = 0;
  const remember = (b: Uint8Array) => {
    if (b.length >= MARK_BYTES) {
      mark.set(b.subarray(b.length - MARK_BYTES));
      marked = MARK_BYTES;
      return;
    }
    const keep = Math.min(marked, MARK_BYTES - b.length);
    mark.copyWithin(0, marked - keep, marked);
    mark.set(b, keep);
    marked = keep + b.length;
  };
  /** Bytes read and handed on; `-1` when the bytes before `pos` changed (a rewrite). */
  const read = (): number => {
    const k = marked;
    const n = readAt(file!, pos - k, sink.buf);
    if (n < k) return -1;
    for (let i = 0; i < k; i++) if (sink.buf[i] !== mark[i]) return -1;
    if (n === k) return 0;
    const b = sink.buf.subarray(k, n);
    pos += b.length;
    remember(b);
    sink.data(b);
    return b.length;
  };
  /**
   * Reads what is left before the file is let go (rotated, deleted): also when it was rewritten
   * first, which is then a truncation (declared) and its lines from the start.
   */
  const drain = () => {
    if (!file) return;
    for (let n; (n = read()) !== 0;) {
      if (n === -1) {
        sink.restart("truncated");
        pos = 0;
        marked = 0;
      }
    }
  };
  const close = () => {
    try {
      file?.close();
    } catch { /* gone */ }
    file = undefined;
  };
  const start = performance.now();
  while (!ctx.signal.aborted) {
    try {
      const st = statIfThere(path);
      if (!st) {
        if (file) {
          drain();
          close();
          sink.restart("deleted");
          ctx.up(false);
          say("deleted; waiting for it to come back");
        } else if (!seen) {
          waited = true;
          ctx.up(false);
          say("waiting for it to appear");
        }
      } else if (st.isDirectory) {
        // One there at the start was refused then; one that appears later ends no other source.
        if (!seen && !waited) throw new InputError(`${path}: is a directory`);
        if (file) {
          drain();
          close();
          sink.restart("deleted");
        }
        ctx.up(false);
        say("is a directory; waiting for a file");
      } else {
        if (file && st.ino !== ino) {
          drain();
          close();
          sink.restart("rotated");
          say("rotated: following the new file from its start");
        }
        if (!file) {
          file = Deno.openSync(path, { read: true });
          ino = st.ino;
          // A file there at the start is followed from its end; one that appeared while
          // watched holds nothing watch has not been waiting for: from its start.
          pos = !seen && !ctx.fromStart && !waited ? st.size : 0;
          marked = Math.min(pos, MARK_BYTES);
          if (readAt(file, pos - marked, mark.subarray(0, marked)) < marked) marked = 0;
          if (seen || said) say(`following from ${pos ? `byte ${pos}` : "its start"}`);
          seen = true;
        } else if (st.size < pos) {
          sink.restart("truncated");
          say(`truncated to ${plural(st.size, "byte")}: reading from its start`);
          pos = 0;
          marked = 0;
        }
        ctx.up(true);
        // At most 64 MiB a tick: a huge backlog does not hold up the other sources.
        for (let i = 0; i < 1024; i++) {
          const n = read();
          if (n === -1) {
            sink.restart("truncated");
            say(
              `rewritten before byte ${pos} (truncated and written again): reading from its start`,
            );
            pos = 0;
            marked = 0;
          } else if (n === 0) break;
        }
        ctx.flush();
      }
    } catch (e) {
      if (outputFailed(e)) throw e;
      if (e instanceof InputError && !seen) throw e;
      close();
      ctx.up(false);
      say(`cannot read: ${why(e)}; waiting`);
    }
    await sleep(nextTick(ctx, start), ctx.signal);
  }
  close();
}

/**
 * Follows `/dev/kmsg`: one record per read, from the end of the buffer (or its start with
 * --from-start). A reader the kernel overtook gets EPIPE once; reading on continues at the oldest
 * record, and the sequence gap the parser sees is the loss.
 */
export async function followKmsg(
  spec: SourceSpec,
  sink: WatchSink,
  ctx: LoopContext,
): Promise<void> {
  const follower = new KlogFollower(sink, "kmsg");
  ctx.onStop(() => follower.end(ctx.now()));
  const dec = new TextDecoder();
  let st: Deno.FileInfo | undefined;
  try {
    st = await Deno.stat(spec.path);
  } catch { /* said by the reader */ }
  ctx.describe(`kernel log (${spec.path})`);
  await readPipe(spec.path, ctx, new Uint8Array(READ_BYTES), {
    data: (b) => follower.push(dec.decode(b, { stream: true }), ctx.now()),
    end: () => {},
    // /dev/kmsg reads from its oldest record; SEEK_END moves to the next one to come.
    seekEnd: !ctx.fromStart && st?.isCharDevice === true,
  });
}

/** Follows kernel log text: a file like `tail -F`, or stdin (`journalctl -kf -o json`) to its end. */
export async function followLog(
  spec: SourceSpec,
  sink: WatchSink,
  ctx: LoopContext,
): Promise<void> {
  const follower = new KlogFollower(sink, "auto");
  let dec = new TextDecoder();
  const buf = new Uint8Array(READ_BYTES);
  const push = (b: Uint8Array) => follower.push(dec.decode(b, { stream: true }), ctx.now());
  if (spec.path === "-") {
    ctx.describe("kernel log text on stdin");
    ctx.up(true);
    while (!ctx.signal.aborted) {
      const n = await readOrStop(ctx.stdin, buf, ctx.signal);
      if (n === null) break;
      push(buf.subarray(0, n));
      ctx.flush();
    }
    follower.push(dec.decode(), ctx.now());
    follower.end(ctx.now());
    if (!ctx.signal.aborted) {
      ctx.up(false, "ended");
      ctx.note(`ended after ${plural(follower.stats.lines, "line")}`);
    }
    ctx.flush();
    return;
  }
  let st: Deno.FileInfo | undefined;
  try {
    st = await Deno.stat(spec.path);
  } catch { /* waited for below */ }
  ctx.onStop(() => {
    follower.push(dec.decode(), ctx.now());
    follower.end(ctx.now());
  });
  if (st?.isFifo || st?.isCharDevice) {
    ctx.describe(`kernel log text (${st.isFifo ? "FIFO" : "device"})`);
    await readPipe(spec.path, ctx, buf, { data: push, end: () => {} });
    return;
  }
  ctx.describe(`kernel log file`);
  await tailFile(spec.path, ctx, {
    data: push,
    restart(why) {
      dec = new TextDecoder();
      if (why === "truncated") {
        sink.loss({
          time: ctx.now(),
          cause: "log_truncated",
          unit: "messages",
          atMost: null,
          message: `${spec.path} was truncated: lines written after the last read and before ` +
            `the truncation were not seen`,
        });
      }
    },
    buf,
  });
}
