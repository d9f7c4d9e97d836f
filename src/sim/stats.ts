/**
 * Bounded-memory statistics for runs of any length: a log-linear latency histogram (relative
 * error under 1/64, exact when every sample is equal because percentiles are clamped to the
 * observed min and max), and an occupancy timeline of a fixed number of bins that halves its
 * resolution whenever simulated time outgrows it.
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "./stats.ts";
 * const h = new LatencyHistogram();
 * for (const v of [10, 20, 30]) h.add(v);
 * h.percentile(0.5); // about 20
 * ```
 * @module
 */
import { DROP_CAUSES } from "./events.ts";

/** Sub-buckets per power of two: 64 gives a relative bucket width of 1/64. */
const SUB = 64;
const LOG_SUB = 6;
/** Values are kept in nanoseconds; 2^52 ns is far beyond any simulated run. */
const MAX_EXP = 52;

/**
 * Latency histogram over non-negative values in microseconds.
 *
 * @example
 * ```ts
 * const h = new LatencyHistogram();
 * h.add(12);
 * h.max; // 12
 * ```
 */
export class LatencyHistogram {
  /** Samples per bucket. */
  readonly counts = new Float64Array((MAX_EXP + 2) * SUB);
  /** Samples added. */
  count = 0;
  /** Smallest sample (µs). */
  min: number = Infinity;
  /** Largest sample (µs). */
  max = 0;
  /** Sum of the samples (µs). */
  sum = 0;

  /** Bucket index of a value in ns: exact below 2*SUB ns, then SUB buckets per octave. */
  static bucket(ns: number): number {
    if (ns < 2 * SUB) return ns < 0 ? 0 : Math.floor(ns);
    let e = Math.floor(Math.log2(ns)) - LOG_SUB;
    let m = Math.floor(ns / 2 ** e);
    // log2 of a value just below a power of two can round up; fix the octave exactly.
    if (m < SUB) {
      e--;
      m = Math.floor(ns / 2 ** e);
    } else if (m >= 2 * SUB) {
      e++;
      m = Math.floor(ns / 2 ** e);
    }
    return Math.min(e * SUB + m, (MAX_EXP + 2) * SUB - 1);
  }

  /** Lower bound (ns) and width of bucket `i`. */
  static range(i: number): [number, number] {
    if (i < 2 * SUB) return [i, 1];
    const e = Math.floor(i / SUB) - 1;
    const m = i - e * SUB;
    return [m * 2 ** e, 2 ** e];
  }

  /** Adds a sample (µs). */
  add(us: number): void {
    this.counts[LatencyHistogram.bucket(us * 1000)]++;
    this.count++;
    this.sum += us;
    if (us < this.min) this.min = us;
    if (us > this.max) this.max = us;
  }

  /** The q-quantile (0..1) in µs, or 0 when empty. */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) {
        const [lo, w] = LatencyHistogram.range(i);
        const mid = (lo + w / 2) / 1000;
        return Math.min(this.max, Math.max(this.min, mid));
      }
    }
    return this.max;
  }
}

/**
 * Number of timeline bins kept in memory.
 *
 * @example
 * ```ts
 * new Timeline().maxOcc.length === TIMELINE_BINS; // true
 * ```
 */
export const TIMELINE_BINS = 1024;

/**
 * Occupancy and drops over simulated time in {@link TIMELINE_BINS} bins. Feed it with
 * {@link Timeline.advance} before every state change; the engine inlines the common case.
 *
 * @example
 * ```ts
 * const tl = new Timeline();
 * tl.advance(5, 3); // occupancy 3 held from 0 to 5 µs
 * tl.meanOccupancy(5); // 3
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
 * sparkline(tl, end, 1364, 40); // "▁▁▂▅███████▇▃▁..."
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
