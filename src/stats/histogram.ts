/**
 * One latency histogram for every part of faultscope that measures time: a fixed-size
 * log-linear histogram (HDR-style) of **nanoseconds**. Values below 128 ns are exact; above,
 * each power of two is cut into 64 buckets, so a bucket's lower bound is within 1/64 (1.6%) of
 * any value in it. It covers 0 to 2^53 ns (104 days) in 3,072 buckets (24 KiB), records in a
 * few integer operations without allocating, and crosses `postMessage` as plain data
 * ({@link HistogramSnapshot}).
 *
 * Percentiles are the lower bound of the bucket holding the rank, clamped to the observed
 * minimum and maximum: never above the exact value, within 1/64 of it, and exact when every
 * sample is equal.
 *
 * **Empty value**: with no samples, {@link LatencyHistogram.percentile}, `min`, `max` and `mean`
 * are `NaN` ("no samples", never a latency of 0). Renderers show it as `-` and JSON as `null`.
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "./histogram.ts";
 * const h = new LatencyHistogram();
 * for (let ns = 1; ns <= 1000; ns++) h.record(ns);
 * h.percentile(0.5); // => 500: the bucket [500, 504) holds the 500th sample
 * new LatencyHistogram().percentile(0.5); // => NaN: no samples
 * ```
 * @module
 */

const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
/** Values below this are exact (one bucket per ns). */
const LINEAR = 2 * SUB;
/** Values at or above 2^MAX_EXP ns land in the last bucket. */
const MAX_EXP = 53;
/** Buckets: the linear part, then {@link SUB} per power of two from 2^7 to 2^52. */
export const HISTOGRAM_BUCKETS: number = LINEAR + (MAX_EXP - SUB_BITS - 1) * SUB;
const TWO_32 = 2 ** 32;

/** Bucket of a value in ns; negative and NaN values count as 0. */
function bucketOf(ns: number): number {
  if (!(ns > 0)) return 0;
  if (ns < TWO_32) {
    const v = ns >>> 0;
    if (v < LINEAR) return v;
    const e = 31 - Math.clz32(v); // >= SUB_BITS + 1
    return LINEAR + (e - SUB_BITS - 1) * SUB + ((v >>> (e - SUB_BITS)) & (SUB - 1));
  }
  if (ns >= 2 ** MAX_EXP) return HISTOGRAM_BUCKETS - 1;
  let e = Math.floor(Math.log2(ns));
  // log2 of a value just below a power of two can round up: fix the octave exactly.
  if (2 ** e > ns) e--;
  else if (2 ** (e + 1) <= ns) e++;
  const m = Math.floor(ns / 2 ** (e - SUB_BITS)) - SUB;
  return LINEAR + (e - SUB_BITS - 1) * SUB + m;
}

/** Lower bound in ns of bucket `b`. */
function lowerBound(b: number): number {
  if (b < LINEAR) return b;
  const i = b - LINEAR;
  const e = (i >> SUB_BITS) + SUB_BITS + 1;
  return (SUB + (i & (SUB - 1))) * 2 ** (e - SUB_BITS);
}

/** A histogram as plain data, e.g. to send it from a worker. */
export interface HistogramSnapshot {
  /** Samples per bucket ({@link HISTOGRAM_BUCKETS} entries). */
  readonly counts: Float64Array;
  /** Samples recorded. */
  readonly total: number;
  /** Smallest sample in ns (`Infinity` when empty). */
  readonly min: number;
  /** Largest sample in ns (`-Infinity` when empty). */
  readonly max: number;
  /** Sum of the samples in ns. */
  readonly sum: number;
}

/**
 * Counts of latencies in nanoseconds.
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "./histogram.ts";
 * const a = new LatencyHistogram();
 * a.record(100, 3); // three samples of 100 ns
 * const b = LatencyHistogram.from(a.snapshot()); // e.g. after postMessage
 * [b.total, b.percentile(0.99), b.mean]; // => [3, 100, 100]
 * ```
 */
export class LatencyHistogram {
  /** Samples per bucket. */
  readonly counts: Float64Array;
  /** Samples recorded. */
  total = 0;
  #min = Infinity;
  #max = -Infinity;
  #sum = 0;

  constructor() {
    this.counts = new Float64Array(HISTOGRAM_BUCKETS);
  }

  /**
   * Rebuilds a histogram from a {@link snapshot} (sent across threads).
   *
   * @example
   * ```ts
   * import { LatencyHistogram } from "./histogram.ts";
   * LatencyHistogram.from(new LatencyHistogram().snapshot()).total; // => 0
   * ```
   */
  static from(s: HistogramSnapshot): LatencyHistogram {
    const h = new LatencyHistogram();
    h.counts.set(s.counts);
    h.total = s.total;
    h.#min = s.min;
    h.#max = s.max;
    h.#sum = s.sum;
    return h;
  }

  /** Records `n` samples of `ns` nanoseconds (negative values count as 0). */
  record(ns: number, n = 1): void {
    const v = ns > 0 ? ns : 0;
    this.counts[bucketOf(v)] += n;
    this.total += n;
    this.#sum += v * n;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  /** Adds another histogram's samples. */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) this.counts[i] += other.counts[i];
    this.total += other.total;
    this.#sum += other.#sum;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
  }

  /** Smallest sample in ns; NaN when empty. */
  get min(): number {
    return this.total > 0 ? this.#min : NaN;
  }

  /** Largest sample in ns; NaN when empty. */
  get max(): number {
    return this.total > 0 ? this.#max : NaN;
  }

  /** Mean in ns; NaN when empty. */
  get mean(): number {
    return this.total > 0 ? this.#sum / this.total : NaN;
  }

  /**
   * The value in ns at quantile `q` (0..1): the lower bound of the bucket holding that rank,
   * clamped to the observed min and max; NaN when empty.
   */
  percentile(q: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let b = 0; b < HISTOGRAM_BUCKETS; b++) {
      seen += this.counts[b];
      if (seen >= rank) return Math.min(this.#max, Math.max(this.#min, lowerBound(b)));
    }
    return this.#max;
  }

  /** The histogram as plain data (a copy). */
  snapshot(): HistogramSnapshot {
    return {
      counts: this.counts.slice(),
      total: this.total,
      min: this.#min,
      max: this.#max,
      sum: this.#sum,
    };
  }
}
