/**
 * Drives a whole run: the model in chunks, the snapshots asked for, the NDJSON trace, the
 * "cost of corruption" baseline, and a stop request between chunks. Pure: no file or terminal
 * I/O; callers pass sinks.
 *
 * @example
 * ```ts
 * import { runScenario } from "./run.ts";
 * import { parseScenario } from "./scenario.ts";
 * const r = runScenario(parseScenario({ events: 5000 }), { snapshotAt: [1000, 2000] });
 * r.snapshots.map((s) => s.event); // => [1000, 2000]
 * r.summary.events; // => 5000
 * ```
 * @module
 */
import { DEFAULT_SCENARIO } from "./defaults.ts";
import { type Mark, type SimOptions, Simulation } from "./engine.ts";
import { teeEvents } from "./realtime.ts";
import { MAX_EVENTS, type Scenario } from "./scenario.ts";
import { type Snapshot, takeSnapshot } from "./snapshot.ts";
import type { Timeline } from "./stats.ts";
import { type SimSummary, summarize } from "./summary.ts";
import { NdjsonTrace } from "./trace.ts";

/** Options of {@link runScenario}. */
export interface RunOptions extends SimOptions {
  /**
   * Receives the NDJSON trace in chunks of about 256 KiB, each ending at a line end; omit for no
   * trace. A chunk is only valid during the call (the buffer is reused).
   */
  trace?: (chunk: Uint8Array) => void;
  /** Take a snapshot after each of these event numbers. */
  snapshotAt?: readonly number[];
  /** Take a snapshot after every N events. */
  snapshotEvery?: number;
  /** Take a snapshot when the run ends. */
  snapshotAtEnd?: boolean;
  /** Receives each snapshot as it is taken (else they are collected in the result). */
  onSnapshot?: (s: Snapshot) => void;
  /** Called between chunks with the events done so far. */
  onProgress?: (events: number) => void;
  /** Polled between chunks; returning true stops the run early (e.g. on SIGINT). */
  shouldStop?: () => boolean;
  /** Events per chunk between progress calls (default 1 M). */
  chunk?: number;
  /**
   * Called after every chunk with the model (`runScenarioAsync` only); a promise it returns is
   * awaited before the run goes on. `simulate --realtime` paces the run to the wall clock with it.
   */
  pace?: (sim: Simulation) => Promise<void> | undefined;
  /** Called once the model exists, before the first event (a region writer attaches to it). */
  onStart?: (sim: Simulation) => void;
}

/** What {@link runScenario} returns: the summary and what a chart or a sparkline needs. */
export interface RunResult {
  /** The summary (the `--json` object). */
  summary: SimSummary;
  /** Snapshots taken, unless `onSnapshot` received them. */
  snapshots: Snapshot[];
  /** The model at the end of the run. */
  sim: Simulation;
  /** Occupancy, "full" time and drops over simulated time. */
  timeline: Timeline;
  /** Stall windows, injections and their consequences. */
  marks: readonly Mark[];
  /** True when `shouldStop` cut the run short. */
  interrupted: boolean;
}

/**
 * The run as steps: each `yield` is a point between chunks where a caller may hand control to
 * the event loop (progress bar, Ctrl-C) before the simulation goes on.
 */
function* steps(scenario: Scenario, opts: RunOptions): Generator<Simulation, RunResult> {
  const trace = opts.trace ? new NdjsonTrace(opts.trace) : undefined;
  const sim = new Simulation(scenario, {
    capture: opts.capture,
    events: teeEvents(opts.events, trace),
  });
  trace?.begin(sim);
  opts.onStart?.(sim);
  const snapshots: Snapshot[] = [];
  const take = () => {
    const s = takeSnapshot(sim);
    if (opts.onSnapshot) opts.onSnapshot(s);
    else snapshots.push(s);
  };
  const at = [...new Set(opts.snapshotAt ?? [])].sort((a, b) => a - b);
  let ai = 0;
  const every = opts.snapshotEvery ?? 0;
  const chunk = opts.chunk ?? 1_000_000;
  let interrupted = false;
  let lastSnap = -1;
  while (!sim.done) {
    let target = sim.n + chunk;
    while (ai < at.length && at[ai] <= sim.n) ai++;
    if (ai < at.length) target = Math.min(target, at[ai]);
    if (every > 0) target = Math.min(target, (Math.floor(sim.n / every) + 1) * every);
    sim.run(target);
    const snapNow = (ai < at.length && sim.n === at[ai]) || (every > 0 && sim.n % every === 0);
    if (snapNow && sim.n !== lastSnap && sim.n === target) {
      take();
      lastSnap = sim.n;
    }
    opts.onProgress?.(sim.n);
    yield sim;
    if (opts.shouldStop?.()) {
      interrupted = true;
      break;
    }
  }
  if (opts.snapshotAtEnd && sim.n !== lastSnap) take();
  let baseline;
  if (scenario.inject.length && !interrupted) {
    // What the corruption cost: the same run without it, to the same simulated time and the
    // same faults. Arrivals draw from their own stream, so both runs see the same faults; the
    // fault limit keeps the baseline as short as the run (a storm of 10^12 faults at one
    // instant would otherwise be replayed whole, since they all arrive "by" that time).
    const base = new Simulation(
      {
        ...scenario,
        inject: [],
        events: MAX_EVENTS,
        durationUs: Math.max(sim.now, 1e-9),
        producer: { ...scenario.producer, faults: sim.stats().produced },
      },
      { capture: opts.capture },
    );
    while (!base.done) {
      base.run(base.n + (opts.pace ? 1_000_000 : chunk));
      yield base;
      if (opts.shouldStop?.()) {
        interrupted = true;
        break;
      }
    }
    if (!interrupted) {
      const b = summarize(base);
      baseline = { produced: b.produced, delivered: b.delivered, dropped: b.dropped };
    }
  }
  const summary = summarize(sim, baseline);
  trace?.end(summary);
  return { summary, snapshots, sim, timeline: sim.timeline, marks: sim.marks, interrupted };
}

/**
 * Runs a scenario to its end, taking the snapshots asked for, and closes the trace.
 *
 * @example
 * ```ts
 * import { runScenario } from "./run.ts";
 * import { parseScenario } from "./scenario.ts";
 * const r = runScenario(parseScenario({ events: 5000 }), { snapshotAt: [1000, 2000] });
 * r.snapshots.map((s) => s.event); // => [1000, 2000]
 * r.interrupted; // => false
 * ```
 */
export function runScenario(scenario: Scenario, opts: RunOptions = {}): RunResult {
  const it = steps(scenario, opts);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/**
 * {@link runScenario}, giving the event loop a turn between chunks (about every 1 M events), so
 * a signal handler or a progress bar runs during a long simulation.
 *
 * @example
 * ```ts
 * import { runScenarioAsync } from "./run.ts";
 * import { parseScenario } from "./scenario.ts";
 * let stop = false; // a SIGINT listener sets it in `simulate`; here, the progress callback
 * const r = await runScenarioAsync(parseScenario({ events: 5000 }), {
 *   chunk: 1000,
 *   onProgress: (n) => (stop = n >= 3000),
 *   shouldStop: () => stop,
 * });
 * r.interrupted; // => true
 * r.summary.events; // => 3000
 * ```
 */
export async function runScenarioAsync(
  scenario: Scenario,
  opts: RunOptions = {},
): Promise<RunResult> {
  const it = steps(scenario, opts);
  let last = performance.now();
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    if (opts.pace && r.value.scenario === scenario) {
      const wait = opts.pace(r.value);
      if (wait) {
        await wait;
        last = performance.now();
        continue;
      }
    }
    // A macrotask, not a microtask: signal listeners and timers only run from the event loop.
    // At most every YIELD_MS: a step can be one event (--snapshot-every 1), and a timer per
    // event would cost more than the run.
    const now = performance.now();
    if (now - last >= YIELD_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      last = performance.now();
    }
  }
}

/** How often {@link runScenarioAsync} lets the event loop run (ms): Ctrl-C is heard this fast. */
const YIELD_MS = 25;

/** What {@link runDemo} returns. */
export interface DemoResult {
  /** The region image at the end of the run (the ring full, inside the stall). */
  image: Uint8Array;
  /** The final snapshot. */
  snapshot: Snapshot;
  /** The summary (the `--json` object). */
  summary: SimSummary;
  /** The embedded default scenario. */
  scenario: Scenario;
}

/**
 * Runs the embedded default scenario (the seed's 64 KiB region, a fault storm, a stalled VMM)
 * and returns the final region image with the summary. Deterministic: same bytes every time.
 *
 * @example
 * ```ts
 * import { runDemo } from "./run.ts";
 * const { image, summary } = runDemo(); // write `image` to a file, then inspect or validate it
 * image.length; // => 65536
 * summary.dropped; // => 14920
 * summary.header; // => { size: 1365, prod: 985, cons: 986, reserved: 0 }: the ring is full
 * ```
 */
export function runDemo(): DemoResult {
  const r = runScenario(DEFAULT_SCENARIO, { snapshotAtEnd: true });
  const snapshot = r.snapshots[r.snapshots.length - 1];
  return { image: snapshot.image, snapshot, summary: r.summary, scenario: DEFAULT_SCENARIO };
}
