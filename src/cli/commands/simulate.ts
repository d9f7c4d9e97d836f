/**
 * `faultscope simulate`: parse flags, read the scenario and capture files, run the pure model of
 * `src/sim/`, and write the summary, trace, snapshots and chart. Nothing here decides behaviour.
 *
 * @example
 * ```ts
 * import { buildProgram } from "../program.ts";
 * await buildProgram().parseAsync(["deno", "faultscope", "simulate", "--events", "10000", "--json"]);
 * ```
 * @module
 */
import type { SIMULATE } from "../commands.ts";
import { EXIT, type ExitCode, InputError, UsageError } from "../errors.ts";
import { denoIo, type Io } from "../io.ts";
import { progressBar } from "../progress.ts";
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
  type ScenarioOverrides,
  type SimLayout,
  type SimSummary,
  type Snapshot,
  sparkline,
} from "../../sim/mod.ts";

/** Flags of `simulate`, as parsed from the command table (`--snapshot-at` lists flattened). */
export type SimulateFlags = Partial<Omit<Parsed<typeof SIMULATE>, "snapshotAt">> & {
  snapshotAt?: number[];
};

async function readText(path: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    throw new InputError(`${path}: cannot read the ${what}: ${(e as Error).message}`);
  }
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

/**
 * Loads the scenario (file or embedded default) with the flags applied; UsageError if bad.
 *
 * @example
 * ```ts
 * const { scenario } = await loadScenario({ scenario: "testdata/scenarios/v8-85-circ.json", seed: 2 });
 * scenario.seed; // 2
 * ```
 */
export async function loadScenario(
  f: SimulateFlags,
): Promise<{ scenario: Scenario; capture?: Uint8Array }> {
  const source = f.scenario ?? "embedded default scenario";
  const text = f.scenario
    ? await readText(f.scenario, "scenario")
    : JSON.stringify(DEFAULT_SCENARIO_JSON);
  let scenario: Scenario;
  try {
    scenario = parseScenarioText(text, overrides(f));
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(`${source}: ${e.message}`);
    throw e;
  }
  const a = scenario.producer.arrivals;
  if (a.kind !== "replay") return { scenario };
  const path = a.file.startsWith("/") ? a.file : `${dirOf(f.scenario ?? ".")}/${a.file}`;
  let capture: Uint8Array;
  try {
    capture = await Deno.readFile(path);
  } catch (e) {
    throw new InputError(`${path}: cannot read the capture: ${(e as Error).message}`);
  }
  try {
    captureRecords(scenario, capture);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
  return { scenario, capture };
}

/**
 * `base.ext` → `base-000123.ext` for the snapshot after event 123.
 *
 * @example
 * ```ts
 * numberedName("out/snap.bin", 123, 6); // "out/snap-000123.bin"
 * ```
 */
export function numberedName(out: string, event: number, width: number): string {
  const slash = out.lastIndexOf("/");
  const dot = out.lastIndexOf(".");
  const stem = dot > slash + 1 ? out.slice(0, dot) : out;
  const ext = dot > slash + 1 ? out.slice(dot) : "";
  return `${stem}-${String(event).padStart(width, "0")}${ext}`;
}

function writeFileSyncOrFail(path: string, data: Uint8Array | string, what: string): void {
  try {
    if (typeof data === "string") Deno.writeTextFileSync(path, data);
    else Deno.writeFileSync(path, data);
  } catch (e) {
    throw new InputError(`${path}: cannot write the ${what}: ${(e as Error).message}`);
  }
}

/**
 * Runs `simulate` with parsed flags. Throws UsageError for bad input (exit 2) and for an
 * interrupted run (exit 130, after printing the partial summary).
 *
 * @example
 * ```ts
 * await simulateAction({ events: 10_000, json: true }); // prints the summary JSON
 * ```
 */
export async function run(o: Parsed<typeof SIMULATE>, io: Io): Promise<ExitCode> {
  await simulateAction({ ...o, snapshotAt: o.snapshotAt.flat() }, io);
  return EXIT.OK;
}

/** Runs `simulate` with flags (all optional); see {@link run}. */
export async function simulateAction(f: SimulateFlags, io: Io = denoIo()): Promise<void> {
  if ((f.snapshotAt?.length || f.snapshotEvery) && !f.out) {
    throw new UsageError("--snapshot-at/--snapshot-every need --out FILE for the region images");
  }
  const { scenario, capture } = await loadScenario(f);

  let traceFile: Deno.FsFile | undefined;
  if (f.trace) {
    try {
      traceFile = Deno.openSync(f.trace, { write: true, create: true, truncate: true });
    } catch (e) {
      throw new InputError(`${f.trace}: cannot write the trace: ${(e as Error).message}`);
    }
  }
  // Written synchronously from the simulator's buffer: memory stays flat on any run length.
  const trace = traceFile
    ? (chunk: Uint8Array) => {
      let b = chunk;
      while (b.length) b = b.subarray(traceFile!.writeSync(b));
    }
    : undefined;

  const several = (f.snapshotAt?.length ?? 0) > 1 || !!f.snapshotEvery;
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
    writeFileSyncOrFail(file, s.image, "region image");
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
  const total = Math.min(scenario.events, 1e15);
  const bar = await progressBar(
    f.progress !== false && io.stderrIsTerminal && total >= 5_000_000,
    "simulate [{bar}] {percentage}% | {value}/{total} events",
  );
  bar?.start(total, 0);

  using stop = interrupts();
  let result;
  try {
    result = await runScenarioAsync(scenario, {
      capture,
      trace,
      snapshotAt: f.snapshotAt,
      snapshotEvery: f.snapshotEvery,
      snapshotAtEnd: !!f.out && !f.snapshotAt?.length && !f.snapshotEvery,
      onSnapshot: f.out ? onSnapshot : undefined,
      onProgress: bar ? (n) => bar.update(n) : undefined,
      shouldStop: () => stop.signal !== undefined,
      chunk: 1_000_000,
    });
  } finally {
    bar?.stop();
    traceFile?.close();
  }
  const { summary, timeline } = result;
  if (f.plot) writeFileSyncOrFail(f.plot, occupancySvg(result), "chart");

  if (f.json) {
    io.out.write(
      JSON.stringify(
        {
          ...summary,
          interrupted: result.interrupted,
          occupancy_sparkline: sparkline(timeline, summary.sim_time_us, summary.capacity - 1),
          snapshots: written,
          trace: f.trace ?? null,
          plot: f.plot ?? null,
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    io.out.write(
      renderSummary(
        summary,
        sparkline(timeline, summary.sim_time_us, summary.capacity - 1),
        io.color,
      ),
    );
    for (const w of written) {
      io.out.write(
        `  snapshot            ${w.file} after event ${w.event}` +
          (w.cons_in_image
            ? "\n"
            : ` (cons ${w.cons} lives in the CONS region, not in the image)\n`),
      );
    }
    if (f.trace) io.out.write(`  trace               ${f.trace}\n`);
    if (f.plot) io.out.write(`  chart               ${f.plot}\n`);
  }
  if (result.interrupted) {
    stop.throwIfInterrupted(
      `interrupted after ${summary.events} events; the summary above covers them`,
    );
  }
}

const n = (v: number) => v.toLocaleString("en-US");

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
 * renderSummary(summary, "▁▂▃", false); // "seed-storm-stalled (seed 1)\n  region ..."
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
    `${s.layout}, ${n(s.capacity)} entries of ${s.abi} records, ${n(s.region_size)} bytes, ${
      s.page_size / 1024
    } KiB pages`,
  );
  row("kernel", `drop new when full, index math ${s.index_math}, header check ${s.header_check}`);
  row(
    "simulated",
    `${n(s.events)} events, ${fmtUs(s.sim_time_us)}${
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
    `${n(s.signals)} signals, ${n(s.wakes)} handler runs, ${n(s.stale_reads)} stale reads`,
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
            n(inj.oob_writes)
          } times, first at offset 0x${inj.first_oob_offset!.toString(16)}`,
        )
        : "no write would leave the region",
    );
    row("queue stopped", inj.queue_stopped ? "yes" : "no");
    const lost = Object.entries(inj.lost_by_cause).filter(([, v]) => v > 0).map(([k, v]) =>
      `${k} ${n(v)}`
    ).join(", ");
    row("lost after inject", inj.faults_lost > 0 ? red(`${n(inj.faults_lost)} (${lost})`) : "0");
    if (inj.baseline && inj.extra_lost !== undefined) {
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
