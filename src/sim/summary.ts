/**
 * The summary of a run: the `simulate --json` object and the trace's last line, built from the
 * model's counters. Keys are snake_case (this is the JSON edge); the order of keys is part of the
 * output and stays as documented in the README.
 *
 * @example
 * ```ts
 * import { Simulation } from "./engine.ts";
 * import { parseScenario } from "./scenario.ts";
 * import { summarize } from "./summary.ts";
 * const sim = new Simulation(parseScenario({ events: 10_000 }));
 * sim.run();
 * const s = summarize(sim);
 * s.produced === s.delivered + s.dropped + s.pending; // => true
 * Object.keys(s).slice(0, 4); // => ["scenario", "seed", "layout", "abi"]
 * ```
 * @module
 */
import { DROP_CAUSES, type DropCause } from "./events.ts";
import type { Simulation } from "./engine.ts";
import { latencyUs } from "./stats.ts";

/**
 * The same scenario run without its injections to the same simulated time (see
 * `SimSummary.injection`).
 */
export interface Baseline {
  /** Faults the kernel was handed. */
  produced: number;
  /** Faults the VMM read. */
  delivered: number;
  /** Faults lost, all causes. */
  dropped: number;
}

/** The summary of a run (also the `--json` object). */
export interface SimSummary {
  /** The scenario's name. */
  scenario: string;
  /** PRNG seed. */
  seed: number;
  /** Region layout id. */
  layout: string;
  /** Record ABI id. */
  abi: string;
  /** Host page size in bytes. */
  page_size: number;
  /** Ring entries. */
  capacity: number;
  /** Region bytes. */
  region_size: number;
  /** The kernel's full test: modulo or circ. */
  index_math: string;
  /** The kernel's header check: none, bounds or stop. */
  header_check: string;
  /**
   * Policies the scenario left to its layout where they differ from the RFC v3 kernel's
   * (`index_math`, `header_check`, `cons_write`): what changes silently with the layout.
   */
  layout_defaults: Record<string, string>;
  /** Events processed. */
  events: number;
  /** Simulated time at the end (µs). */
  sim_time_us: number;
  /** True when the run stopped because nothing more could happen (before `events`). */
  quiescent: boolean;
  /** Faults the kernel was handed. */
  produced: number;
  /** Faults the VMM read. */
  delivered: number;
  /** Faults lost, all causes. */
  dropped: number;
  /** Faults lost, by cause. */
  dropped_by_cause: Record<DropCause, number>;
  /** Faults queued and not yet read at the end. */
  pending: number;
  /** False as soon as any fault was lost: the lossy/complete flag users of ring tools ask for. */
  complete: boolean;
  /** Highest occupancy. */
  max_occupancy: number;
  /** Time-weighted mean occupancy. */
  mean_occupancy: number;
  /** Time the kernel saw the ring full (µs). */
  time_full_us: number;
  /** The same as a fraction of the run. */
  time_full_fraction: number;
  /** Delivery latency; 0 everywhere when nothing was delivered. */
  latency: { p50: number; p99: number; max: number; mean: number; unit: "us" };
  /** Eventfd signals the kernel sent. */
  signals: number;
  /** Handler runs of the VMM. */
  wakes: number;
  /** Records the consumer read from a slot that held no undelivered fault. */
  stale_reads: number;
  /** The header at the end, by the layout's field names. */
  header: Record<string, number>;
  /** The VMM at the end. */
  consumer: { state: string; hung: boolean; hang_reason: string | null };
  /** Whether the kernel stopped the queue, when and why. */
  queue: { stopped: boolean; stopped_at_event: number | null; stop_reason: string | null };
  /** Injections and what they cost; null without any. */
  injection: null | {
    injected: { at_event: number; kind: string; value: number; time_us: number }[];
    would_write_oob: boolean;
    oob_writes: number;
    first_oob_offset: number | null;
    queue_stopped: boolean;
    /** Faults dropped or overwritten from the first injection on, whatever the cause. */
    faults_lost: number;
    lost_by_cause: Record<DropCause, number>;
    /**
     * The same scenario without injections, run to the same simulated time; null when the run
     * was interrupted before it was made.
     */
    baseline: Baseline | null;
    /** How many more faults the corrupted run lost than the baseline; null without one. */
    extra_lost: number | null;
  };
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

const byCause = (a: readonly number[]) =>
  Object.fromEntries(DROP_CAUSES.map((c, i) => [c, a[i]])) as Record<DropCause, number>;

/**
 * The summary of `sim` so far; `baseline` is the run without injections, when one was made.
 *
 * @example
 * ```ts
 * import { DEFAULT_SCENARIO } from "./defaults.ts";
 * import { Simulation } from "./engine.ts";
 * import { summarize } from "./summary.ts";
 * const sim = new Simulation(DEFAULT_SCENARIO);
 * sim.run();
 * summarize(sim).dropped_by_cause.full; // => 14920: faults dropped because the ring was full
 * summarize(sim).latency.unit; // => "us"
 * ```
 */
export function summarize(sim: Simulation, baseline?: Baseline): SimSummary {
  const sc = sim.scenario;
  const st = sim.stats();
  const end = st.timeUs;
  const tl = sim.timeline, latency = latencyUs(sim.hist);
  const header: Record<string, number> = {};
  const byRole: Record<string, number> = st.header;
  for (const f of sim.layout.header) if (f.role in byRole) header[f.name] = byRole[f.role];
  if (sim.layout.externalConsumer) header[sim.layout.externalConsumer.field] = st.header.consumer;
  const lost = st.lostAfterInjection.reduce((x, y) => x + y, 0);
  return {
    scenario: sc.name,
    seed: sc.seed,
    layout: sc.region.layout,
    abi: sc.region.abi,
    page_size: sc.region.pageSize,
    capacity: sim.capacity,
    region_size: sim.regionSize,
    index_math: sc.kernel.indexMath,
    header_check: sc.kernel.headerCheck,
    layout_defaults: { ...sc.layoutDefaults },
    events: st.events,
    sim_time_us: r3(end),
    quiescent: st.quiescent,
    produced: st.produced,
    delivered: st.delivered,
    dropped: st.dropped,
    dropped_by_cause: byCause(st.drops),
    pending: st.pending,
    complete: st.dropped === 0,
    max_occupancy: st.maxOccupancy,
    mean_occupancy: r3(tl.meanOccupancy(end)),
    time_full_us: r3(tl.totalFull),
    time_full_fraction: end > 0 ? r3(tl.totalFull / end) : 0,
    latency: {
      p50: r3(latency.p50),
      p99: r3(latency.p99),
      max: r3(latency.max),
      mean: r3(latency.mean),
      unit: "us",
    },
    signals: st.signals,
    wakes: st.wakes,
    stale_reads: st.staleReads,
    header,
    consumer: { state: st.consumerState, hung: st.hung, hang_reason: st.hangReason },
    queue: {
      stopped: st.stopped,
      stopped_at_event: st.stoppedAtEvent,
      stop_reason: st.stopReason,
    },
    injection: st.injected.length || sc.inject.length
      ? {
        injected: st.injected.map((i) => ({
          at_event: i.atEvent,
          kind: i.kind,
          value: i.value,
          time_us: i.timeUs,
        })),
        would_write_oob: st.oobWrites > 0,
        oob_writes: st.oobWrites,
        first_oob_offset: st.firstOobOffset,
        queue_stopped: st.stopped,
        faults_lost: lost,
        lost_by_cause: byCause(st.lostAfterInjection),
        // Always both keys (type-stable JSON): null when there is no baseline to compare with.
        baseline: baseline ?? null,
        extra_lost: baseline ? st.dropped - baseline.dropped : null,
      }
      : null,
  };
}
