/**
 * The simulator's public API: run a scenario with snapshots at chosen events, and the demo
 * entry point the `demo` command calls. Pure: no file or terminal I/O; callers pass sinks.
 *
 * @example
 * ```ts
 * import { runDemo } from "./mod.ts";
 * const { image, summary } = runDemo();
 * summary.dropped > 0; // true: the storm overflows the stalled ring
 * image.length; // 65536, a region image `inspect` and `validate` read
 * ```
 * @module
 */
import { DEFAULT_SCENARIO } from "./defaults.ts";
import { type SimOptions, type SimSummary, Simulation, type Snapshot } from "./engine.ts";
import { MAX_EVENTS, type Scenario } from "./scenario.ts";

export { DEFAULT_SCENARIO, DEFAULT_SCENARIO_JSON } from "./defaults.ts";
export { DROP_CAUSES, Simulation } from "./engine.ts";
export type { DropCause, SimOptions, SimSummary, Snapshot } from "./engine.ts";
export {
  type Arrivals,
  type HeaderCheck,
  INJECT_KINDS,
  type Injection,
  type InjectKind,
  type Mix,
  parseScenario,
  parseScenarioText,
  type Scenario,
  ScenarioError,
  scenarioJson,
  SIM_LAYOUTS,
  type SimLayout,
  type Stall,
} from "./scenario.ts";
export type { IndexMath } from "./circ.ts";
export { type Mark, occupancySvg } from "./svg.ts";
export { LatencyHistogram, sparkline, Timeline } from "./stats.ts";

/** Options of {@link runScenario}. */
export interface RunOptions extends SimOptions {
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
}

/** What {@link runScenario} returns. */
export interface RunResult {
  summary: SimSummary;
  snapshots: Snapshot[];
  sim: Simulation;
  /** True when `shouldStop` cut the run short. */
  interrupted: boolean;
}

/**
 * The run as steps: each `yield` is a point between chunks where a caller may hand control to
 * the event loop (progress bar, Ctrl-C) before the simulation goes on.
 */
function* steps(scenario: Scenario, opts: RunOptions): Generator<void, RunResult> {
  const sim = new Simulation(scenario, opts);
  const snapshots: Snapshot[] = [];
  const take = () => {
    const s = sim.snapshot();
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
    yield;
    if (opts.shouldStop?.()) {
      interrupted = true;
      break;
    }
  }
  if (opts.snapshotAtEnd && sim.n !== lastSnap) take();
  if (sim.summary().injection && !interrupted) {
    // What the corruption cost: the same run without it, to the same simulated time. Arrivals
    // draw from their own stream, so both runs see the same faults.
    const base = new Simulation({
      ...scenario,
      inject: [],
      events: MAX_EVENTS,
      duration_us: Math.max(sim.now, 1e-9),
    });
    while (!base.done) {
      base.run(base.n + chunk);
      yield;
    }
    const b = base.summary();
    sim.baseline = { produced: b.produced, delivered: b.delivered, dropped: b.dropped };
  }
  const summary = sim.finish();
  return { summary, snapshots, sim, interrupted };
}

/**
 * Runs a scenario to its end, taking the snapshots asked for, and closes the trace.
 *
 * @example
 * ```ts
 * const r = runScenario(parseScenario({ events: 5000 }), { snapshotAt: [1000, 2000] });
 * r.snapshots.map((s) => s.event); // [1000, 2000]
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
 * let stop = false;
 * Deno.addSignalListener("SIGINT", () => (stop = true));
 * const r = await runScenarioAsync(scenario, { shouldStop: () => stop });
 * r.interrupted; // true if Ctrl-C arrived
 * ```
 */
export async function runScenarioAsync(
  scenario: Scenario,
  opts: RunOptions = {},
): Promise<RunResult> {
  const it = steps(scenario, opts);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    // A macrotask, not a microtask: signal listeners and timers only run from the event loop.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** What {@link runDemo} returns. */
export interface DemoResult {
  /** The region image at the end of the run (the ring full, inside the stall). */
  image: Uint8Array;
  snapshot: Snapshot;
  summary: SimSummary;
  scenario: Scenario;
}

/**
 * Runs the embedded default scenario (the seed's 64 KiB region, a fault storm, a stalled VMM)
 * and returns the final region image with the summary. Deterministic: same bytes every time.
 *
 * @example
 * ```ts
 * const { image, summary } = runDemo();
 * // write image to a file, then inspect/validate it with layout rfc3
 * ```
 */
export function runDemo(): DemoResult {
  const r = runScenario(DEFAULT_SCENARIO, { snapshotAtEnd: true });
  const snapshot = r.snapshots[r.snapshots.length - 1];
  return { image: snapshot.image, snapshot, summary: r.summary, scenario: DEFAULT_SCENARIO };
}
