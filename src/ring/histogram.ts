/**
 * A fixed-size log-linear latency histogram (HDR-style): exact below 64 ns, then 32 buckets per
 * power of two (relative error under 1/32, about 3%), up to 2^32 ns. Recording is a few integer
 * operations and no allocation, cheap enough for every record in the consumer's loop.
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "./histogram.ts";
 * const h = new LatencyHistogram();
 * for (let v = 1; v <= 1000; v++) h.record(v);
 * h.percentile(0.5); // 500 (within 3%)
 * ```
 * @module
 */

const SUB_BITS = 5;
const SUB = 1 << SUB_BITS;
const LINEAR = 2 * SUB;
/** Buckets: the linear part, then 32 per power of two from 2^6 to 2^31. */
const BUCKETS = LINEAR + (32 - (SUB_BITS + 1)) * SUB;

function bucketOf(v: number): number {
  if (v < LINEAR) return v;
  const e = 31 - Math.clz32(v); // >= SUB_BITS + 1
  return LINEAR + (e - SUB_BITS - 1) * SUB + ((v >>> (e - SUB_BITS)) & (SUB - 1));
}

function lowerBound(b: number): number {
  if (b < LINEAR) return b;
  const i = b - LINEAR;
  const e = (i >> SUB_BITS) + SUB_BITS + 1;
  return ((SUB + (i & (SUB - 1))) * 2 ** (e - SUB_BITS));
}

/**
 * Counts of latencies in nanoseconds (u32).
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "./histogram.ts";
 * const a = new LatencyHistogram();
 * a.record(100);
 * const b = LatencyHistogram.from(a.counts); // e.g. after postMessage
 * b.total; // 1
 * ```
 */
export class LatencyHistogram {
  /** Count per bucket. */
  readonly counts: Float64Array;
  /** Samples recorded. */
  total = 0;

  constructor(counts?: Float64Array) {
    this.counts = counts ?? new Float64Array(BUCKETS);
    if (counts !== undefined) { for (let i = 0; i < counts.length; i++) this.total += counts[i]; }
  }

  /** Rebuilds a histogram from counts sent across threads. */
  static from(counts: Float64Array): LatencyHistogram {
    return new LatencyHistogram(counts);
  }

  /** Records `n` samples of `ns` (an integer in [0, 2^32)). */
  record(ns: number, n = 1): void {
    this.counts[bucketOf(ns >>> 0)] += n;
    this.total += n;
  }

  /** Adds another histogram's counts. */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
    this.total += other.total;
  }

  /**
   * The value at quantile `q` (0..1): the lower bound of the bucket holding it, or NaN with no
   * samples.
   */
  percentile(q: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b];
      if (seen >= rank) return lowerBound(b);
    }
    return lowerBound(BUCKETS - 1);
  }
}
