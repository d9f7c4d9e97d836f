/**
 * Bounded-memory statistics for runs of any length: the delivery latencies as the summary
 * reports them (kept in the one latency histogram of faultscope, `src/stats/histogram.ts`, in
 * ns), and an occupancy timeline of a fixed number of bins that halves its resolution whenever
 * simulated time outgrows it.
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "../stats/histogram.ts";
 * import { latencyUs } from "./stats.ts";
 * const h = new LatencyHistogram();
 * for (const us of [10, 20, 30]) h.record(us * 1000);
 * latencyUs(h); // => { p50: 20.096, p99: 30, max: 30, mean: 20 }
 * // p50: the middle of the bucket [19.968, 20.224) µs that holds 20 µs
 * ```
 * @module
 */
import type { LatencyHistogram } from "../stats/histogram.ts";
import { DROP_CAUSES } from "./events.ts";

/** Sub-buckets per power of two of the histogram (`src/stats/histogram.ts`): 64. */
const SUB = 64;

/**
 * The bucket of the histogram that holds `ns`: its lower bound and width in ns (exact below
 * 128 ns, then 64 buckets per power of two).
 */
function bucket(ns: number): [number, number] {
  if (ns < 2 * SUB) return [Math.floor(ns), 1];
  let e = Math.floor(Math.log2(ns));
  // log2 of a value just below a power of two can round up: fix the octave exactly.
  if (2 ** e > ns) e--;
  else if (2 ** (e + 1) <= ns) e++;
  const w = 2 ** (e - 6);
  return [Math.floor(ns / w) * w, w];
}

/** Delivery latency as the summary reports it, in µs. */
export interface LatencyUs {
  /** Median. */
  p50: number;
  /** 99th percentile. */
  p99: number;
  /** Largest. */
  max: number;
  /** Mean. */
  mean: number;
}

/**
 * The latencies recorded in `h` (ns) in µs, as `simulate` has always reported them: each
 * percentile the middle of the bucket that holds its rank, clamped to the observed minimum and
 * maximum (so exact when all samples are equal); all 0 when nothing was delivered.
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "../stats/histogram.ts";
 * import { latencyUs } from "./stats.ts";
 * latencyUs(new LatencyHistogram()); // => { p50: 0, p99: 0, max: 0, mean: 0 }
 * ```
 */
export function latencyUs(h: LatencyHistogram): LatencyUs {
  if (h.total === 0) return { p50: 0, p99: 0, max: 0, mean: 0 };
  const min = h.min / 1000, max = h.max / 1000;
  const at = (q: number) => {
    // The histogram answers with a value inside the bucket of the rank (its lower bound, or the
    // minimum when that lies in the same bucket): the bucket is the one holding that value.
    const [lo, w] = bucket(h.percentile(q));
    return Math.min(max, Math.max(min, (lo + w / 2) / 1000));
  };
  return { p50: at(0.5), p99: at(0.99), max, mean: h.mean / 1000 };
}

/**
 * Number of timeline bins kept in memory.
 *
 * @example
 * ```ts
 * import { Timeline, TIMELINE_BINS } from "./stats.ts";
 * new Timeline().maxOcc.length === TIMELINE_BINS; // => true
 * ```
 */
export const TIMELINE_BINS = 1024;

/**
 * Occupancy and drops over simulated time in {@link TIMELINE_BINS} bins. Feed it with
 * {@link Timeline.advance} before every state change; the engine inlines the common case.
 *
 * @example
 * ```ts
 * import { Timeline } from "./stats.ts";
 * const tl = new Timeline();
 * tl.advance(0, 3); // 3 records queued at 0 µs
 * tl.advance(5, 1); // held until 5 µs, then 1
 * tl.advance(10, 1);
 * tl.meanOccupancy(10); // => 2
 * tl.maxOcc[0]; // => 3: bin 0 covers [0, 1) µs
 * ```
 */
export class Timeline {
  /** Width of one bin (µs); doubles as the run outgrows the bins. */
  width = 1;
  /** Occupancy integrated over each bin (records × µs). */
  readonly integral = new Float64Array(TIMELINE_BINS);
  /** Highest occupancy in each bin. */
  readonly maxOcc = new Float64Array(TIMELINE_BINS);
  /** Faults dropped in each bin, all causes. */
  readonly drops = new Float64Array(TIMELINE_BINS);
  /**
   * `drops` by cause: bin `i` of cause `c` (an index of the model's drop causes, `events.ts`)
   * is at `c * TIMELINE_BINS + i`, one array so that counting a drop is one store.
   */
  readonly dropsByCause: Float64Array;
  /** How many causes {@link dropsByCause} counts apart. */
  readonly causes: number;
  /** Time the kernel saw the ring full in each bin (µs). */
  readonly fullTime = new Float64Array(TIMELINE_BINS);
  /** Time up to which the integral has been accumulated. */
  last = 0;
  /** Occupancy held since `last`. */
  occ = 0;
  /** Whether the kernel sees the ring full since `last`. */
  full = false;
  /** Occupancy integrated over the whole run. */
  total = 0;
  /** Time the kernel saw the ring full, whole run (µs). */
  totalFull = 0;

  /**
   * An empty timeline, one bin per µs until the run outgrows it.
   *
   * @param causes how many drop causes to count apart
   */
  constructor(causes: number = DROP_CAUSES.length) {
    this.causes = causes;
    this.dropsByCause = new Float64Array(causes * TIMELINE_BINS);
  }

  #merge(): void {
    const n = TIMELINE_BINS / 2;
    for (let i = 0; i < n; i++) {
      this.integral[i] = this.integral[2 * i] + this.integral[2 * i + 1];
      this.maxOcc[i] = Math.max(this.maxOcc[2 * i], this.maxOcc[2 * i + 1]);
      this.drops[i] = this.drops[2 * i] + this.drops[2 * i + 1];
      for (let c = 0, d = this.dropsByCause; c < this.causes; c++) {
        const o = c * TIMELINE_BINS;
        d[o + i] = d[o + 2 * i] + d[o + 2 * i + 1];
      }
      this.fullTime[i] = this.fullTime[2 * i] + this.fullTime[2 * i + 1];
    }
    this.integral.fill(0, n);
    this.maxOcc.fill(0, n);
    this.drops.fill(0, n);
    for (let c = 0; c < this.causes; c++) {
      this.dropsByCause.fill(0, c * TIMELINE_BINS + n, (c + 1) * TIMELINE_BINS);
    }
    this.fullTime.fill(0, n);
    this.width *= 2;
  }

  /** Accumulates the current occupancy up to time `t`, then sets the new occupancy. */
  advance(t: number, occ: number, full = this.full): void {
    if (t > this.last) {
      while (t >= this.width * TIMELINE_BINS) this.#merge();
      let from = this.last;
      const o = this.occ;
      while (from < t) {
        const bin = Math.floor(from / this.width);
        const end = Math.min(t, (bin + 1) * this.width);
        const dt = end - from;
        this.integral[bin] += o * dt;
        if (this.full) this.fullTime[bin] += dt;
        if (o > this.maxOcc[bin]) this.maxOcc[bin] = o;
        from = end;
      }
      this.total += o * (t - this.last);
      if (this.full) this.totalFull += t - this.last;
      this.last = t;
    }
    this.occ = occ;
    this.full = full;
    const bin = Math.floor(t / this.width);
    if (occ > this.maxOcc[bin]) this.maxOcc[bin] = occ;
  }

  /** Counts a fault dropped for `cause` at time `t` (call after {@link advance} to `t`). */
  drop(t: number, cause: number): void {
    const bin = Math.floor(t / this.width);
    this.drops[bin]++;
    this.dropsByCause[cause * TIMELINE_BINS + bin]++;
  }

  /** Time-weighted mean occupancy over [0, end]. */
  meanOccupancy(end: number): number {
    return end > 0 ? this.total / end : this.occ;
  }

  /** Number of bins that cover [0, end]. */
  binsUsed(end: number): number {
    return Math.min(TIMELINE_BINS, Math.floor(end / this.width) + 1);
  }
}

const SPARK = "▁▂▃▄▅▆▇█";

/**
 * An occupancy sparkline of `width` characters: each character is the highest occupancy in its
 * stretch of time, scaled to `scale` (the usable capacity).
 *
 * @example
 * ```ts
 * import { DEFAULT_SCENARIO } from "./defaults.ts";
 * import { runScenario } from "./run.ts";
 * import { sparkline } from "./stats.ts";
 * const { timeline, sim } = runScenario(DEFAULT_SCENARIO); // storms at 1, 101, 201 ... ms
 * sparkline(timeline, sim.now, 1364, 40); // full, drained, full again, then full in the stall
 * // => "█▁▁▁▁▁▁▁▁█▁▁▁▁▁▁▁▁▁█████████████████████"
 * ```
 */
export function sparkline(tl: Timeline, end: number, scale: number, width = 60): string {
  const used = tl.binsUsed(end);
  const cols = Math.min(width, used);
  let s = "";
  for (let c = 0; c < cols; c++) {
    const from = Math.floor((c * used) / cols);
    const to = Math.max(from + 1, Math.floor(((c + 1) * used) / cols));
    let m = 0;
    for (let i = from; i < to; i++) if (tl.maxOcc[i] > m) m = tl.maxOcc[i];
    const level = scale > 0 ? Math.min(7, Math.floor((m / scale) * 7.999)) : 0;
    s += SPARK[Math.max(0, level)];
  }
  return s;
}
