/**
 * `faultscope watch SOURCE... [--log FILE]...`: follows live fault sources (a region image or a
 * VFIO device at an offset, polled; a record stream from a FIFO, a device or stdin; `/dev/kmsg`;
 * log files like `tail -F`), prints each fault as it arrives and each loss the moment it is
 * seen, and exports Prometheus metrics (`--listen`, `--metrics-file`). The followers are the
 * pure core in `src/watch/`; this module reads, prints and serves.
 *
 * Exit status: 0 at `--duration`, `--count` or when every source ended (stdin); 2 for a usage or
 * input error, or a metrics port or file that cannot be used; 130 after Ctrl-C, 143 after
 * SIGTERM, each after the final summary.
 *
 * @example
 * ```ts
 * import { run } from "./watch.ts";
 * import { WATCH } from "../commands.ts";
 * import { denoIo } from "../io.ts";
 * import { parseCommand } from "../spec.ts";
 * const argv = ["testdata/rfc3-sample.bin", "--from-start", "--duration", "0.2"];
 * const { options } = parseCommand(WATCH, argv);
 * let stdout = ""; // captured; `denoIo()` alone writes to the terminal
 * const write = (t: string) => void (stdout += t);
 * const io = { ...denoIo(), out: { write, line: (t = "") => write(t + "\n"), flush() {} } };
 * await run(options, io);
 * // => 0 after 0.2 s: the 5 pending faults, one line each, then the summary
 * stdout.split("\n").filter((l) => l.endsWith("]")).length;
 * // => 5: "... PERMISSION (10) ... [slot 1363]"
 * stdout.trimEnd().split("\n").at(-1);
 * // => "complete: every fault the sources carried while watched was reported"
 * ```
 * @module
 */
import { VERSION } from "../main.ts";
import { WatchMetrics } from "../../watch/exporter.ts";
import type { WATCH } from "../commands.ts";
import { EXIT, type ExitCode, UsageError } from "../errors.ts";
import type { Io } from "../io.ts";
import { interrupts } from "../signals.ts";
import type { Parsed } from "../spec.ts";
import { MetricsFile, type MetricsServer, serveMetrics } from "./watch/export.ts";
import { WatchOutput } from "./watch/output.ts";
import {
  followKmsg,
  followLog,
  followRegion,
  followStream,
  type LoopContext,
  resolveSource,
  type SourceSpec,
} from "./watch/sources.ts";

/** The parsed options of `watch`. */
export type WatchOpts = Parsed<typeof WATCH>;

/** Resolves every source of the command line; two sources with one label are an error. */
async function sources(o: WatchOpts): Promise<SourceSpec[]> {
  const d = {
    abi: o.abi,
    veventType: o.veventType,
    offset: o.offset,
    layout: o.layout,
    endian: o.endian,
    pageSize: o.pageSize,
  };
  const specs: SourceSpec[] = [];
  for (const s of o.source) specs.push(await resolveSource(s, d, false));
  for (const s of o.log) specs.push(await resolveSource(s, d, true));
  if (!specs.length) {
    throw new UsageError(
      "nothing to watch: give a SOURCE or --log FILE; see 'faultscope watch --help'",
    );
  }
  // Before the labels: two stdin sources share the label 'stdin', and no label helps them.
  if (specs.filter((s) => s.path === "-").length > 1) {
    throw new UsageError("only one input can come from stdin ('-')");
  }
  const labels = new Set<string>();
  for (const s of specs) {
    if (labels.has(s.label)) {
      throw new UsageError(
        `two sources are named '${s.label}': name one with PATH,label=NAME`,
      );
    }
    labels.add(s.label);
  }
  return specs;
}

/** Follows the sources until a limit, a signal, or the end of every source. */
export async function run(o: WatchOpts, io: Io): Promise<ExitCode> {
  const specs = await sources(o);
  const metrics = o.listen || o.metricsFile
    ? new WatchMetrics({ maxDevices: o.maxDevices, version: VERSION, runtime: Deno.version.deno })
    : undefined;
  const metricsFile = o.metricsFile && metrics
    ? new MetricsFile(o.metricsFile, metrics, (t) => io.err(`faultscope: ${t}\n`))
    : undefined;
  using stop = interrupts();
  const halt = new AbortController();
  let why = "";
  const end = (reason: string) => {
    if (!why) why = reason;
    halt.abort();
  };
  stop.arrived.then((s) => end(s === "SIGINT" ? "Ctrl-C" : "SIGTERM"));
  let server: MetricsServer | undefined;
  if (o.listen && metrics) {
    server = serveMetrics(o.listen, metrics);
    const a = server.address;
    const host = a.hostname.includes(":") ? `[${a.hostname}]` : a.hostname;
    io.err(`faultscope: serving metrics on http://${host}:${a.port}/metrics\n`);
  }
  const out = new WatchOutput(io, {
    ndjson: o.ndjson,
    quiet: o.quiet,
    count: o.count,
    onCount: () => end(`--count ${o.count}`),
    metrics,
    status: io.stderrIsTerminal && !o.ndjson,
  });
  const started = performance.now();
  const timers: ReturnType<typeof setTimeout>[] = [];
  if (o.duration !== undefined) {
    timers.push(setTimeout(() => end(`--duration ${o.duration}`), o.duration * 1000));
  }
  if (metricsFile) {
    metricsFile.write(true);
    timers.push(setInterval(() => metricsFile.write(), o.interval));
  }
  if (io.stderrIsTerminal && !o.ndjson) timers.push(setInterval(() => out.status(), 1000));
  const stoppers: (() => void)[] = [];
  // `--count 0` reads nothing, as `decode --count 0` does: the arguments are checked, the
  // metrics outputs opened and the sources listed in the summary, and watch stops.
  if (o.count === 0) end("--count 0");
  const loops = specs.map((spec, i) => {
    const sink = out.source(spec.label, spec.kind);
    if (o.count === 0) return Promise.resolve();
    // `up`/`down` states when a source stops or starts being readable (not at a start that goes
    // well): what faultscope_source_up says to a scrape, said in the event stream.
    let wasUp: boolean | undefined;
    const up = (now: boolean, ended?: "ended") => {
      metrics?.up(spec.label, now);
      if (ended) {
        wasUp = undefined;
        return;
      }
      if (now !== wasUp && (wasUp !== undefined || !now)) {
        sink.state({
          time: Date.now(),
          state: now ? "up" : "down",
          message: now
            ? "the source is read again"
            : "the source cannot be read; its faults are not seen until it is back",
        });
        // Said now: a source that is down has no read after which the output is flushed.
        out.flush();
      }
      wasUp = now;
    };
    const ctx: LoopContext = {
      interval: o.interval,
      signal: halt.signal,
      now: () => Date.now(),
      fromStart: o.fromStart,
      stallMs: o.stallMs,
      stdin: io.stdin,
      note: (t) => out.note(spec.label, t),
      up,
      flush: () => out.flush(),
      describe: (what) => (out.tallies[i].what = what),
      onStop: (f) => stoppers.push(f),
    };
    const follow = spec.kind === "region"
      ? followRegion
      : spec.kind === "stream"
      ? followStream
      : spec.kind === "kmsg"
      ? followKmsg
      : followLog;
    return follow(spec, sink, ctx);
  });
  try {
    await Promise.race([
      Promise.all(loops).then(() => end("every source ended")),
      new Promise((resolve) => halt.signal.addEventListener("abort", resolve, { once: true })),
    ]);
  } finally {
    halt.abort();
    for (const t of timers) clearTimeout(t);
    // Reports a parser still holds (a dump waiting for its decoded lines) are printed now.
    for (const f of stoppers) f();
    out.flush();
    metricsFile?.write(true);
    await server?.shutdown();
  }
  const lines = out.summary((performance.now() - started) / 1000, why);
  if (o.ndjson) io.err(lines.map((l) => `faultscope: ${l}\n`).join(""));
  else {
    io.out.line();
    for (const l of lines) io.out.line(l);
  }
  stop.throwIfInterrupted(`stopped by ${stop.signal}; the summary above covers what was seen`);
  return EXIT.OK;
}
