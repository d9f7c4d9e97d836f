/**
 * `faultscope simulate`: parse flags, read the scenario and capture files, check every output
 * path, run the pure model of `src/sim/`, and write the summary, trace, snapshots and chart.
 * Nothing here decides behaviour: the scenario module resolves the flags, `sim/plan.ts`
 * estimates the cost, `atomic_file.ts` makes every output complete or absent.
 *
 * Exit status: 0; 2 for bad input or an output that cannot be written (one line naming it);
 * 130 after Ctrl-C (SIGINT) and 143 after SIGTERM, once the partial summary is printed.
 *
 * @example
 * ```ts
 * import { run } from "../main.ts";
 * import { denoIo } from "../io.ts";
 * let stdout = ""; // captured here; `run(args)` alone writes to the terminal
 * const write = (t: string) => void (stdout += t);
 * const io = { ...denoIo(), out: { write, line: (t = "") => write(t + "\n"), flush() {} } };
 * await run(["simulate", "--events", "10000", "--json"], io); // => 0
 * JSON.parse(stdout).events; // => 10000
 * ```
 * @module
 */
import { AtomicFile, checkOutput, writeFileAtomic } from "../atomic_file.ts";
import { MAX_WHOLE_INPUT, openInput, readUpTo } from "../files.ts";
import type { SIMULATE } from "../commands.ts";
import { EXIT, type ExitCode, InputError, osWords, UsageError } from "../errors.ts";
import { denoIo, type Io } from "../io.ts";
import { progressBar } from "../progress.ts";
import { article, hex, plural } from "../../codec/numbers.ts";
import { interrupts } from "../signals.ts";
import type { Parsed } from "../spec.ts";
import {
  captureRecords,
  DEFAULT_SCENARIO_JSON,
  type HeaderCheck,
  type IndexMath,
  occupancySvg,
  parseInjectSpec,
  parseScenarioText,
  runScenarioAsync,
  type Scenario,
  ScenarioError,
  scenarioKeys,
  type ScenarioOverrides,
  type SimLayout,
  type SimSummary,
  type Snapshot,
  sparkline,
} from "../../sim/mod.ts";
import { ANNOUNCE_ABOVE, CONFIRM_ABOVE, exceeds, planRun, type RunPlan } from "../../sim/plan.ts";
import { pacer, RegionWriter } from "../../sim/realtime.ts";
import { takeSnapshot } from "../../sim/snapshot.ts";
import type { Simulation } from "../../sim/engine.ts";
import { OutputError } from "../atomic_file.ts";
import type { Interrupts } from "../signals.ts";

/** Flags of `simulate`, as parsed from the command table (`--snapshot-at` lists flattened). */
export type SimulateFlags = Partial<Omit<Parsed<typeof SIMULATE>, "snapshotAt">> & {
  snapshotAt?: number[];
};

/**
 * Largest scenario file read: the field table's limits (100,000 stalls, 100,000 injections,
 * strings of 10,000 characters) keep a real one to a few MB, and `--scenario /dev/zero` must
 * end with a message, not with the memory of the machine.
 */
export const MAX_SCENARIO_BYTES = 16 * 1024 * 1024;

/**
 * Reads a file whole, up to `max` bytes; every failure (missing, a directory, permission, too
 * large) is one line naming the file and what it was for.
 */
async function readBounded(path: string, what: string, max: number): Promise<Uint8Array> {
  const label = `${path}: cannot read the ${what}`;
  const because = (e: unknown) =>
    e instanceof InputError && e.message.startsWith(`${path}: `)
      ? new InputError(`${label}: ${e.message.slice(path.length + 2)}`)
      : e;
  let input;
  try {
    input = await openInput(path);
  } catch (e) {
    throw because(e);
  }
  let bytes;
  try {
    bytes = await readUpTo(input, max + 1);
  } catch (e) {
    throw because(e);
  } finally {
    input.close();
  }
  if (bytes.length > max) throw new InputError(`${label}: more than ${max} bytes`);
  return bytes;
}

async function readText(path: string, what: string): Promise<string> {
  const bytes = await readBounded(path, what, MAX_SCENARIO_BYTES);
  return new TextDecoder().decode(bytes);
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : path.slice(0, i) || "/";
}

/** The flags that change the scenario, as the scenario module's overrides. */
function overrides(f: SimulateFlags): ScenarioOverrides {
  return {
    seed: f.seed,
    events: f.events,
    durationUs: f.durationUs,
    layout: f.layout as SimLayout | undefined,
    pageSize: f.pageSize,
    kernelPolicy: f.kernelPolicy as SimLayout | undefined,
    indexMath: f.indexMath as IndexMath | undefined,
    headerCheck: f.headerCheck as HeaderCheck | undefined,
    inject: f.inject?.map((spec) => {
      try {
        return parseInjectSpec(spec);
      } catch (e) {
        if (e instanceof ScenarioError) throw new UsageError(`--inject ${e.message}`);
        throw e;
      }
    }),
  };
}

/** A loaded scenario with its inputs. */
export interface LoadedScenario {
  /** The resolved scenario, flags applied. */
  scenario: Scenario;
  /** The replayed capture, for replay scenarios. */
  capture?: Uint8Array;
  /** The capture's path, for replay scenarios. */
  capturePath?: string;
}

/**
 * Loads the scenario (file or embedded default) with the flags applied; UsageError if bad.
 *
 * @example
 * ```ts
 * import { loadScenario } from "./simulate.ts";
 * // Paths are relative to the working directory: the repository root here.
 * const { scenario } = await loadScenario({ scenario: "testdata/scenarios/v8-85-circ.json", seed: 2 });
 * scenario.name; // => "v8-85-circ"
 * scenario.seed; // => 2: the flag wins over the file
 * ```
 */
export async function loadScenario(f: SimulateFlags): Promise<LoadedScenario> {
  const source = f.scenario ?? "embedded default scenario";
  const text = f.scenario
    ? await readText(f.scenario, "scenario")
    : JSON.stringify(DEFAULT_SCENARIO_JSON);
  const o = overrides(f);
  let scenario: Scenario;
  try {
    scenario = parseScenarioText(text, o);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(`${source}: ${e.message}`);
    throw e;
  }
  const a = scenario.producer.arrivals;
  if (a.kind !== "replay") return { scenario };
  const path = a.file.startsWith("/") ? a.file : `${dirOf(f.scenario ?? ".")}/${a.file}`;
  const capture = await readBounded(path, "capture", MAX_WHOLE_INPUT);
  try {
    captureRecords(scenario, capture);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
  return { scenario, capture, capturePath: path };
}

/**
 * `base.ext` → `base-000123.ext` for the snapshot after event 123.
 *
 * @example
 * ```ts
 * import { numberedName } from "./simulate.ts";
 * numberedName("out/snap.bin", 123, 6); // => "out/snap-000123.bin"
 * numberedName("snap", 5, 3); // => "snap-005"
 * ```
 */
export function numberedName(out: string, event: number, width: number): string {
  const slash = out.lastIndexOf("/");
  const dot = out.lastIndexOf(".");
  const stem = dot > slash + 1 ? out.slice(0, dot) : out;
  const ext = dot > slash + 1 ? out.slice(dot) : "";
  return `${stem}-${String(event).padStart(width, "0")}${ext}`;
}

/** One file identity for a path: device and inode when it exists, else its resolved name. */
function identity(path: string): string {
  try {
    const st = Deno.statSync(path);
    if (st.ino !== null && st.dev !== null) return `inode ${st.dev}:${st.ino}`;
  } catch { /* not there yet */ }
  const dir = dirOf(path);
  let real = dir;
  try {
    real = Deno.realPathSync(dir);
  } catch { /* the output check names a missing directory */ }
  return `path ${real}/${path.slice(path.lastIndexOf("/") + 1)}`;
}

/** Refuses one file in two roles (`--scenario s.json --trace s.json`, `--out X --plot X`). */
function checkRoles(roles: [string, string | undefined][]): void {
  const seen = new Map<string, string>();
  for (const [role, path] of roles) {
    if (path === undefined) continue;
    const id = identity(path);
    const other = seen.get(id);
    if (other) {
      throw new UsageError(
        `${other} and ${role} name the same file (${path}): give each its own path`,
      );
    }
    seen.set(id, role);
  }
}

/** A count as the rest of faultscope writes it: plain decimal (`src/codec/numbers.ts`). */
const n = (v: number) => String(v);

/** `1536 MiB` → `1.5 GiB`. */
function fmtBytes(b: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) {
    b /= 1024;
    i++;
  }
  return i === 0 ? `${b} bytes` : `${b < 10 ? b.toFixed(1) : Math.round(b)} ${units[i]}`;
}

function fmtDuration(s: number): string {
  return s < 60
    ? `${Math.max(1, Math.round(s))} s`
    : s < 3600
    ? `${Math.round(s / 60)} min`
    : s < 86400 * 2
    ? `${(s / 3600).toFixed(1)} h`
    : plural(Math.round(s / 86400), "day");
}

/** One line on what a run will cost: events, time, trace, snapshots. */
function describePlan(p: RunPlan): string {
  const parts = [`up to ${plural(p.events, "event")}, about ${fmtDuration(p.seconds)}`];
  if (p.traceBytes) parts.push(article(`${fmtBytes(p.traceBytes)} trace`));
  if (p.snapshots) {
    parts.push(`${plural(p.snapshots, "region image")} (${fmtBytes(p.snapshotBytes)})`);
  }
  return parts.join(", ");
}

/**
 * Prints every scenario key: its type and range, default and meaning (two lines a key).
 *
 * @example
 * ```ts
 * import { scenarioKeysText } from "./simulate.ts";
 * scenarioKeysText().split("\n")[0];
 * // => 'name  string of at most 200 characters; default: "unnamed"'
 * ```
 */
export function scenarioKeysText(): string {
  return scenarioKeys().map((r) =>
    `${r.key}  ${r.type}${r.default ? `; default: ${r.default}` : ""}\n    ${r.doc}\n`
  ).join("");
}

/**
 * Runs `simulate` with the options parsed from the command table. Bad input is a UsageError or
 * InputError (exit 2); an interrupted run prints the partial summary, then throws Interrupted
 * (exit 130 after SIGINT, 143 after SIGTERM).
 *
 * @example
 * ```ts
 * import { run } from "./simulate.ts";
 * import { SIMULATE } from "../commands.ts";
 * import { denoIo } from "../io.ts";
 * import { parseCommand } from "../spec.ts";
 * let stdout = "";
 * const write = (t: string) => void (stdout += t);
 * const io = { ...denoIo(), out: { write, line: (t = "") => write(t + "\n"), flush() {} } };
 * const { options } = parseCommand(SIMULATE, ["--events", "10000", "--json"]);
 * await run(options, io); // => 0
 * JSON.parse(stdout).events; // => 10000
 * ```
 */
export async function run(o: Parsed<typeof SIMULATE>, io: Io): Promise<ExitCode> {
  await simulateAction({ ...o, snapshotAt: o.snapshotAt.flat() }, io);
  return EXIT.OK;
}

/** Runs `simulate` with flags (all optional); see {@link run}. */
export async function simulateAction(f: SimulateFlags, io: Io = denoIo()): Promise<void> {
  if (f.scenarioKeys) {
    io.out.write(scenarioKeysText());
    return;
  }
  if ((f.snapshotAt?.length || f.snapshotEvery) && !f.out) {
    throw new UsageError("--snapshot-at/--snapshot-every need --out FILE for the region images");
  }
  if (f.speed !== undefined && !f.realtime) throw new UsageError("--speed goes with --realtime");
  if (f.realtime && !f.out) {
    throw new UsageError("--realtime needs --out FILE: the region image it writes as it runs");
  }
  if (f.realtime && (f.snapshotAt?.length || f.snapshotEvery)) {
    throw new UsageError(
      "--realtime writes one live image (--out); --snapshot-at/--snapshot-every write copies",
    );
  }
  // Heard from here on, so that a signal at any point ends the run the documented way.
  using stop = interrupts();
  const { scenario, capture, capturePath } = await loadScenario(f);

  // Every output path, before any work: one file in two roles, a missing or read-only
  // directory, a device asked to hold numbered files.
  checkRoles([
    ["--scenario", f.scenario],
    ["the replayed capture", capturePath],
    ["--out", f.out],
    ["--plot", f.plot],
    ["--trace", f.trace],
  ]);
  const several = (f.snapshotAt?.length ?? 0) > 1 || !!f.snapshotEvery;
  if (f.out) {
    const target = checkOutput(f.out, "region image");
    if (f.realtime && target.kind === "device") {
      throw new UsageError(
        `--out ${f.out} is not a regular file: --realtime writes a region image file in place`,
      );
    }
    if (several && target.kind === "device") {
      throw new UsageError(
        `--out ${f.out} is not a regular file: several snapshots need a file name to number ` +
          `(e.g. --out snap.bin writes snap-000500.bin, ...)`,
      );
    }
  }
  if (f.plot) checkOutput(f.plot, "chart");
  const traceTarget = f.trace ? checkOutput(f.trace, "trace") : undefined;

  const snapshotAtEnd = !!f.out && !f.snapshotAt?.length && !f.snapshotEvery && !f.realtime;
  const plan = planRun(scenario, {
    trace: !!f.trace,
    snapshotAt: f.snapshotAt,
    snapshotEvery: f.snapshotEvery,
    snapshotAtEnd,
  });
  // A trace to a device or a pipe (/dev/null, /dev/stdout) takes the time, not the disk.
  if (traceTarget?.kind === "device") plan.traceBytes = 0;
  // Paced to the wall clock, a run takes its simulated time, not its compute time.
  const over = f.realtime ? [] : exceeds(plan, CONFIRM_ABOVE);
  if (over.length && !f.yes) {
    throw new UsageError(
      `this run would take ${describePlan(plan)}; pass --yes to start it ` +
        `(or fewer --events, a --duration-us, fewer snapshots)`,
    );
  }
  if (!f.realtime && exceeds(plan, ANNOUNCE_ABOVE).length) {
    io.err(`faultscope: ${describePlan(plan)}\n`);
  }
  const live = f.realtime ? liveImage(f.out!, f.speed ?? 1, stop) : undefined;

  // The trace streams into a temporary file, renamed over --trace only when the run completes.
  const traceFile = f.trace ? AtomicFile.open(f.trace, "trace") : undefined;
  const width = String(scenario.events).length;
  const written: {
    file: string;
    event: number;
    time_us: number;
    prod: number;
    cons: number;
    cons_in_image: boolean;
  }[] = [];
  const onSnapshot = (s: Snapshot) => {
    const file = several ? numberedName(f.out!, s.event, width) : f.out!;
    writeFileAtomic(file, s.image, "region image");
    written.push({
      file,
      event: s.event,
      time_us: s.timeUs,
      prod: s.prod,
      cons: s.cons,
      cons_in_image: s.consInImage,
    });
  };

  // Long runs on a terminal get a progress bar (on stderr, never in piped output).
  const total = Math.min(plan.events, scenario.events);
  const bar = await progressBar(
    f.progress !== false && io.stderrIsTerminal && total >= 5_000_000 && !f.realtime,
    "simulate [{bar}] {percentage}% | {value}/{total} events",
  );
  bar?.start(total, 0);

  let result;
  try {
    result = await runScenarioAsync(scenario, {
      capture,
      trace: traceFile && ((chunk) => traceFile.write(chunk)),
      snapshotAt: f.snapshotAt,
      snapshotEvery: f.snapshotEvery,
      snapshotAtEnd,
      onSnapshot: f.out ? onSnapshot : undefined,
      onProgress: bar ? (v) => bar.update(v) : undefined,
      shouldStop: () => stop.signal !== undefined,
      chunk: live ? 1 : 1_000_000,
      events: live?.writer,
      onStart: live?.start,
      pace: live?.pace,
    });
    live?.finish();
    if (!result.interrupted) traceFile?.commit();
  } finally {
    bar?.stop();
    traceFile?.abort();
    live?.close();
  }
  if (live) {
    // The live image ends as the model ends: its indices, and whether cons is in it at all
    // (the summary's header is keyed by the layout's field names, not by role).
    const last = takeSnapshot(result.sim);
    written.push({
      file: f.out!,
      event: last.event,
      time_us: last.timeUs,
      prod: last.prod,
      cons: last.cons,
      cons_in_image: last.consInImage,
    });
  }
  const { summary, timeline } = result;
  // The chart of a complete run; an interrupted run leaves neither chart nor trace behind.
  let failed: unknown;
  let plotted = false;
  if (f.plot && !result.interrupted) {
    try {
      writeFileAtomic(f.plot, occupancySvg(result), "chart");
      plotted = true;
    } catch (e) {
      failed = e;
    }
  }
  // A trace to a device or pipe was streamed as it went, and ends with whole lines either way.
  const streamed = traceTarget?.kind === "device";
  const traced = !!f.trace && (!result.interrupted || streamed);
  const spark = sparkline(timeline, summary.sim_time_us, summary.capacity - 1);

  if (f.json) {
    io.out.write(
      JSON.stringify(
        {
          ...summary,
          interrupted: result.interrupted,
          occupancy_sparkline: spark,
          snapshots: written,
          trace: traced ? f.trace : null,
          plot: plotted ? f.plot : null,
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    io.out.write(renderSummary(summary, spark, io.color));
    for (const w of written) {
      io.out.write(
        `  snapshot            ${w.file} after event ${w.event}` +
          (w.cons_in_image
            ? "\n"
            : ` (cons ${w.cons} lives in the CONS region, not in the image)\n`),
      );
    }
    if (traced) io.out.write(`  trace               ${f.trace}\n`);
    if (plotted) io.out.write(`  chart               ${f.plot}\n`);
  }
  if (failed) throw failed;
  if (result.interrupted) {
    const notWritten = [streamed ? undefined : f.trace, f.plot].filter((x) => x !== undefined);
    stop.throwIfInterrupted(
      `interrupted by ${stop.signal} after ${plural(summary.events, "event")}; the summary above ` +
        `covers them` + (notWritten.length ? `; not written: ${notWritten.join(", ")}` : ""),
    );
  }
}

/** The live region image of `--realtime`: written whole at the start, then in place. */
interface LiveImage {
  /** Observes the model: queues each event's writes. */
  writer: RegionWriter;
  /** Writes the first image (atomically), then opens it for the writes in place. */
  start(sim: Simulation): void;
  /** Waits for an event's wall-clock time, then writes what it changed. */
  pace: (sim: Simulation) => Promise<void> | undefined;
  /** Writes what is left. */
  finish(): void;
  /** Closes the file. */
  close(): void;
}

function liveImage(path: string, speed: number, stop: Interrupts): LiveImage {
  const writer = new RegionWriter();
  let file: Deno.FsFile | undefined;
  const write = (offset: number, bytes: Uint8Array) => {
    try {
      file!.seekSync(offset, Deno.SeekMode.Start);
      for (let b = bytes; b.length;) b = b.subarray(file!.writeSync(b));
    } catch (e) {
      throw new OutputError(path, "region image", osWords(e));
    }
  };
  const flush = () => writer.flush(write);
  // A sleep that a signal ends at once: the run stops between two events.
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      stop.arrived.then(() => {
        clearTimeout(t);
        resolve();
      });
    });
  return {
    writer,
    start(sim) {
      writer.attach(sim);
      writeFileAtomic(path, takeSnapshot(sim).image, "region image");
      try {
        file = Deno.openSync(path, { write: true });
      } catch (e) {
        throw new OutputError(path, "region image", osWords(e));
      }
    },
    pace: pacer({ speed, now: () => performance.now(), sleep, flush }),
    finish: () => file && flush(),
    close: () => file?.close(),
  };
}

function fmtUs(us: number): string {
  return us >= 1e6
    ? `${(us / 1e6).toFixed(3)} s`
    : us >= 1e3
    ? `${(us / 1e3).toFixed(3)} ms`
    : `${us.toFixed(3)} µs`;
}

/**
 * The human summary: a padded two-column table. Colour (red for loss) only when `color`.
 *
 * @example
 * ```ts
 * import { renderSummary } from "./simulate.ts";
 * import { runDemo } from "../../sim/run.ts";
 * const text = renderSummary(runDemo().summary, "▁▂▃", false);
 * text.split("\n").slice(0, 2);
 * // => ["seed-storm-stalled (seed 1)",
 * //   "  region              rfc3, 1365 entries of rfc3 records, 65536 bytes, 4 KiB pages"]
 * text.split("\n")[6]; // => "  dropped             14920 (full 14920)"
 * ```
 */
export function renderSummary(s: SimSummary, spark: string, color: boolean): string {
  const red = (t: string) => color ? `\x1b[31m${t}\x1b[39m` : t;
  const bold = (t: string) => color ? `\x1b[1m${t}\x1b[22m` : t;
  const rows: [string, string][] = [];
  const row = (k: string, v: string) => rows.push([k, v]);
  const causes = Object.entries(s.dropped_by_cause).filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${n(v)}`).join(", ");
  row(
    "region",
    `${s.layout}, ${
      plural(s.capacity, "entry", "entries")
    } of ${s.abi} records, ${s.region_size} bytes, ${s.page_size / 1024} KiB pages`,
  );
  row("kernel", `drop new when full, index math ${s.index_math}, header check ${s.header_check}`);
  const defaults = Object.entries(s.layout_defaults).map(([k, v]) => `${k} ${v}`);
  if (defaults.length) {
    row(
      "layout defaults",
      `${defaults.join(", ")} (${s.layout}'s; set with --kernel-policy or the scenario)`,
    );
  }
  row(
    "simulated",
    `${plural(s.events, "event")}, ${fmtUs(s.sim_time_us)}${
      s.quiescent ? " (nothing left to happen)" : ""
    }`,
  );
  row("produced", n(s.produced));
  row("delivered", n(s.delivered));
  row("dropped", s.dropped > 0 ? red(`${n(s.dropped)} (${causes})`) : "0");
  row("pending at end", n(s.pending));
  row(
    "occupancy",
    `max ${n(s.max_occupancy)} of ${n(s.capacity - 1)} usable, mean ${s.mean_occupancy.toFixed(1)}`,
  );
  row("time full", `${fmtUs(s.time_full_us)} (${(s.time_full_fraction * 100).toFixed(1)}%)`);
  row(
    "latency",
    s.delivered > 0
      ? `p50 ${fmtUs(s.latency.p50)}, p99 ${fmtUs(s.latency.p99)}, max ${fmtUs(s.latency.max)}`
      : "no fault delivered",
  );
  row(
    "notifications",
    `${plural(s.signals, "signal")}, ${plural(s.wakes, "handler run")}, ` +
      plural(s.stale_reads, "stale read"),
  );
  row("header at end", Object.entries(s.header).map(([k, v]) => `${k} ${v}`).join(", "));
  if (s.consumer.hung) row("consumer", red(`hung: ${s.consumer.hang_reason}`));
  if (s.queue.stopped) {
    row(
      "queue",
      red(
        `stopped by the kernel at event ${
          n(s.queue.stopped_at_event ?? 0)
        }: ${s.queue.stop_reason}`,
      ),
    );
  }
  const inj = s.injection;
  if (inj) {
    for (const i of inj.injected) {
      row("injected", `${i.kind} = ${i.value} as event ${n(i.at_event)} (t = ${fmtUs(i.time_us)})`);
    }
    row(
      "out of bounds",
      inj.would_write_oob
        ? red(
          `the kernel would have written past the region ${
            plural(inj.oob_writes, "time")
          }, first at offset ${hex(inj.first_oob_offset!)}`,
        )
        : "no write would leave the region",
    );
    row("queue stopped", inj.queue_stopped ? "yes" : "no");
    const lost = Object.entries(inj.lost_by_cause).filter(([, v]) => v > 0).map(([k, v]) =>
      `${k} ${n(v)}`
    ).join(", ");
    row("lost after inject", inj.faults_lost > 0 ? red(`${n(inj.faults_lost)} (${lost})`) : "0");
    if (inj.baseline && inj.extra_lost !== null) {
      row(
        "cost of corruption",
        `${inj.extra_lost > 0 ? red(n(inj.extra_lost)) : n(inj.extra_lost)} more dropped than ` +
          `the same run without it (which dropped ${n(inj.baseline.dropped)} of ` +
          `${n(inj.baseline.produced)})`,
      );
    }
  }
  row("peak over time", spark);
  const w = 20;
  return `${bold(s.scenario)} (seed ${s.seed})\n` +
    rows.map(([k, v]) => `  ${k.padEnd(w)}${v}\n`).join("");
}
