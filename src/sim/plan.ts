/**
 * What a run will cost before it starts: an upper bound on its events, and from it the time and
 * the disk its trace and snapshots will take, so that `simulate --events 1e12` or
 * `--snapshot-every 1` says so instead of running for a day or filling a disk. The rates are
 * this project's own measurements (bench/RESULTS.md, "Simulator"), rounded down.
 *
 * @example
 * ```ts
 * import { planRun } from "./plan.ts";
 * import { parseScenario } from "./scenario.ts";
 * const p = planRun(parseScenario({ events: 1e12 }), { trace: true });
 * p.events; // => 1e12
 * p.seconds > 86_400; // => true: more than a day
 * ```
 * @module
 */
import { RECORDS } from "../abi/records.ts";
import { REGIONS, ringOffsetFor } from "../abi/regions.ts";
import type { Scenario } from "./scenario.ts";

/**
 * Costs the estimates use (measured on a 2-core machine under load, rounded so that estimates
 * err long): events per second of the whole process with and without the trace, trace bytes per
 * event, snapshot cost per written slot and per file.
 *
 * @example
 * ```ts
 * COSTS.traceBytesPerEvent; // => 95: 100 M events made a 9.43 GB trace
 * ```
 */
export const COSTS = {
  eventsPerSecond: 10e6,
  tracedEventsPerSecond: 2.5e6,
  traceBytesPerEvent: 95,
  snapshotSecondsPerSlot: 1e-6,
  snapshotSecondsPerFile: 2e-4,
} as const;

/**
 * Runs at or above any of these need a confirmation (`simulate --yes`).
 *
 * @example
 * ```ts
 * CONFIRM_ABOVE.seconds; // => 300: five minutes
 * ```
 */
export const CONFIRM_ABOVE = { seconds: 300, bytes: 4 * 2 ** 30, files: 10_000 } as const;

/**
 * Runs at or above any of these say what they will cost before they start.
 *
 * @example
 * ```ts
 * ANNOUNCE_ABOVE.files; // => 100
 * ```
 */
export const ANNOUNCE_ABOVE = { seconds: 10, bytes: 256 * 2 ** 20, files: 100 } as const;

/** The estimate of a run. */
export interface RunPlan {
  /** Upper bound on the events it processes. */
  events: number;
  /** Estimated wall time, seconds. */
  seconds: number;
  /** Trace size, bytes (0 without a trace). */
  traceBytes: number;
  /** Region image files. */
  snapshots: number;
  /** Bytes of all region images. */
  snapshotBytes: number;
}

/** Outputs asked for. */
export interface PlanOutputs {
  /** An NDJSON trace is written. */
  trace?: boolean;
  /** Snapshots after these events. */
  snapshotAt?: readonly number[];
  /** A snapshot every N events. */
  snapshotEvery?: number;
  /** A snapshot at the end. */
  snapshotAtEnd?: boolean;
}

/** Faults the producer can make by time `t` (µs), an upper bound. */
function faultsBy(s: Scenario, t: number): number {
  const a = s.producer.arrivals;
  if (t < a.startUs) return 0;
  const span = t - a.startUs;
  if (a.kind === "storm") return (Math.floor(span / a.intervalUs) + 1) * a.burst;
  const mean = (span * a.ratePerS) / 1e6;
  // Poisson: the mean plus six standard deviations stays above any seeded run.
  const poisson = a.kind === "poisson" || (a.kind === "replay" && a.timing === "poisson");
  return Math.ceil(mean + (poisson ? 6 * Math.sqrt(mean) + 6 : 1));
}

/** Stall edges by time `t` (µs). */
function stallEdgesBy(s: Scenario, t: number): number {
  const c = s.consumer;
  if (c.stallEvery) {
    return t < c.stallEvery.firstUs
      ? 0
      : 2 * (Math.floor((t - c.stallEvery.firstUs) / c.stallEvery.everyUs) + 1);
  }
  return 2 * c.stalls.length;
}

/**
 * An upper bound on a run's events, and what its outputs will cost.
 *
 * @example
 * ```ts
 * import { DEFAULT_SCENARIO } from "./defaults.ts";
 * import { planRun } from "./plan.ts";
 * const p = planRun(DEFAULT_SCENARIO, { snapshotEvery: 1 }); // one image per event
 * p.events; // => 80003: at most four events per fault the 420 ms can hold, plus stall edges
 * p.snapshots; // => 80003
 * p.snapshotBytes; // => 5243076608: 64 KiB each
 * ```
 */
export function planRun(s: Scenario, out: PlanOutputs = {}): RunPlan {
  let events = s.events;
  if (s.durationUs !== null) {
    // Each fault makes at most four events (queued or dropped, a handler run for its signal,
    // a delivery, a handler run after the drain), plus stall edges, injections and the start.
    const faults = Math.min(faultsBy(s, s.durationUs), s.producer.faults ?? Infinity);
    events = Math.min(events, 4 * faults + stallEdgesBy(s, s.durationUs) + s.inject.length + 1);
  }
  const r = s.region;
  const slots = Math.floor(
    (r.regionSize - ringOffsetFor(REGIONS[r.layout], r.pageSize)) / RECORDS[r.abi].size,
  );
  let snapshots = (out.snapshotAt ?? []).filter((n) => n <= events).length;
  if (out.snapshotEvery) snapshots += Math.floor(events / out.snapshotEvery);
  if (out.snapshotAtEnd) snapshots += 1;
  const rate = out.trace ? COSTS.tracedEventsPerSecond : COSTS.eventsPerSecond;
  const seconds = events / rate +
    snapshots * (slots * COSTS.snapshotSecondsPerSlot + COSTS.snapshotSecondsPerFile);
  return {
    events,
    seconds,
    traceBytes: out.trace ? events * COSTS.traceBytesPerEvent : 0,
    snapshots,
    snapshotBytes: snapshots * r.regionSize,
  };
}

/**
 * Which of `limits` the plan reaches: `time`, `disk`, `files`; empty when none.
 *
 * @example
 * ```ts
 * import { CONFIRM_ABOVE, exceeds, planRun } from "./plan.ts";
 * import { parseScenario } from "./scenario.ts";
 * exceeds(planRun(parseScenario({ events: 1e12 }), { trace: true }), CONFIRM_ABOVE);
 * // => ["time", "disk"]
 * exceeds(planRun(parseScenario({ events: 1000 })), CONFIRM_ABOVE); // => []
 * ```
 */
export function exceeds(
  p: RunPlan,
  limits: { seconds: number; bytes: number; files: number },
): ("time" | "disk" | "files")[] {
  const over: ("time" | "disk" | "files")[] = [];
  if (p.seconds >= limits.seconds) over.push("time");
  if (p.traceBytes + p.snapshotBytes >= limits.bytes) over.push("disk");
  if (p.snapshots >= limits.files) over.push("files");
  return over;
}
