/**
 * The consumer's check of every record it reads: sequence number (loss, duplication,
 * reordering), checksum (tearing, corruption) and delivery latency. Shared by the ring's
 * consumer and the baselines, so every transport is judged by the same code.
 *
 * Sequence numbers travel modulo 2^32 (the record's page frame number), and are compared
 * modulo 2^32 here: a run longer than 4,294,967,296 records (43 s at 100 M records/s) goes on
 * verifying instead of calling every later record a duplicate.
 *
 * @example
 * ```ts
 * import { RecordVerifier } from "./verify.ts";
 * import { BenchRecordCodec } from "./record.ts";
 * const codec = new BenchRecordCodec("mainline");
 * const w = new Int32Array(codec.words * 2);
 * codec.write(w, 0, 0, 100);
 * codec.write(w, codec.words, 2, 100); // seq 1 is missing
 * const v = new RecordVerifier(codec);
 * v.takeRun(w, 0, w.length, 150, true);
 * v.result.lost; // => 1
 * ```
 * @module
 */
import { LatencyHistogram } from "../stats/histogram.ts";
import { type BenchRecordCodec, RUN_SLOTS } from "./record.ts";
import type { Verification } from "./types.ts";

/**
 * Checks records in arrival order.
 *
 * @example
 * ```ts
 * import { RecordVerifier } from "./verify.ts";
 * import { BenchRecordCodec } from "./record.ts";
 * const codec = new BenchRecordCodec("rfc3");
 * const w = new Int32Array(codec.words);
 * codec.write(w, 0, 0, 5);
 * w[3] ^= 1;
 * const v = new RecordVerifier(codec);
 * v.take(w, 0, 10, true); // one record, the slow path
 * v.result.torn; // => 1
 * ```
 */
export class RecordVerifier {
  /** What was found so far. */
  readonly result: Verification = {
    ok: 0,
    lost: 0,
    duplicatedOrReordered: 0,
    torn: 0,
    clockSkew: 0,
  };
  /** Records seen, good or bad. */
  seen = 0;
  /** Sequence number expected next (counting every record sent, not modulo 2^32). */
  next = 0;
  readonly #codec: BenchRecordCodec;
  readonly #W: number;
  readonly #tsWord: number;
  readonly #hist = new LatencyHistogram();
  /** Runs of one timestamp found by the last scan: count, then (ts, records) pairs. */
  readonly #runs = new Int32Array(1 + 2 * RUN_SLOTS);

  /** A verifier of `codec`'s records, expecting sequence number 0 first. */
  constructor(codec: BenchRecordCodec) {
    this.#codec = codec;
    this.#W = codec.words;
    this.#tsWord = codec.tsWord;
  }

  /** Delivery latencies recorded so far. */
  get latency(): LatencyHistogram {
    return this.#hist;
  }

  /** Records the latency of `n` records stamped `ts` (u32 ns) delivered at `nowNs`. */
  latencyRun(ts: number, n: number, nowNs: number): void {
    let lat = (nowNs - ts) | 0;
    if (lat < 0) {
      this.result.clockSkew += n;
      lat = 0;
    }
    this.#hist.record(lat, n);
  }

  /**
   * Checks the records at word indices `b`, `b + words`, ... below `end` of `w`, delivered at
   * `nowNs` (u32 ns, see LatencyClock); their latency is recorded when `measure` is true. The
   * generated scan checks the expected ones in one loop; a record it stops at is classified by
   * {@link take}.
   */
  takeRun(w: Int32Array, b: number, end: number, nowNs: number, measure: boolean): void {
    const W = this.#W;
    const r = this.result;
    const runs = this.#runs;
    while (b < end) {
      const stop = this.#codec.scan(w, b, end, this.next, runs);
      const good = (stop - b) / W;
      this.seen += good;
      this.next += good;
      r.ok += good;
      if (measure) {
        for (let i = 0, k = runs[0]; i < k; i++) {
          this.latencyRun(runs[1 + 2 * i], runs[2 + 2 * i], nowNs);
        }
      }
      if (stop >= end) return;
      // The scan stopped at a record it did not expect, or for room in `runs`: a record it
      // stopped at for room is simply expected, and take() says so.
      this.take(w, stop, nowNs, measure);
      b = stop + W;
    }
  }

  /**
   * Checks the one record at word `base` of `w`, delivered at `nowNs` (u32 ns, see
   * LatencyClock); its latency is recorded when `measure` is true.
   */
  take(w: Int32Array, base: number, nowNs: number, measure: boolean): void {
    this.seen++;
    const seq = this.#codec.check(w, base);
    const r = this.result;
    if (seq === -1) {
      r.torn++;
      this.next++;
      return;
    }
    // Distance from the expected sequence number, modulo 2^32, as a signed 32-bit number.
    const d = (seq - this.next) | 0;
    if (d < 0) {
      r.duplicatedOrReordered++;
    } else {
      r.lost += d;
      r.ok++;
      this.next += d + 1;
    }
    // An intact record carries a trustworthy timestamp, in order or not.
    if (measure) this.latencyRun(w[base + this.#tsWord], 1, nowNs);
  }
}
