/**
 * The consumer's check of every record it reads: sequence number (loss, duplication,
 * reordering), checksum (tearing, corruption) and delivery latency. Shared by the ring's
 * consumer and the baselines, so every transport is judged by the same code.
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
 * v.take(w, 0, 150, true);
 * v.take(w, codec.words, 150, true);
 * v.result.lost; // 1
 * ```
 * @module
 */
import type { Verification } from "./types.ts";
import { LatencyHistogram } from "../stats/histogram.ts";
import type { BenchRecordCodec } from "./record.ts";

/**
 * Checks records in arrival order.
 *
 * @example
 * ```ts ignore
 * const v = new RecordVerifier(new BenchRecordCodec("rfc3"));
 * v.take(words, base, nowNs, true); // per record, in arrival order
 * v.result.torn; // records that failed the checksum
 * ```
 */
export class RecordVerifier {
  readonly result: Verification = {
    ok: 0,
    lost: 0,
    duplicatedOrReordered: 0,
    torn: 0,
    clockSkew: 0,
  };
  /** Records seen, good or bad. */
  seen = 0;
  /** Sequence number expected next. */
  next = 0;
  readonly #codec: BenchRecordCodec;
  readonly #tsWord: number;
  readonly #hist = new LatencyHistogram();
  // Records of one producer batch share a timestamp and are read in one drain, so they share a
  // latency: count runs of equal (timestamp, delivery time) and record each run once.
  #runTs = 0;
  #runNow = 0;
  #runLat = 0;
  #run = 0;

  constructor(codec: BenchRecordCodec) {
    this.#codec = codec;
    this.#tsWord = codec.tsWord;
  }

  /** Delivery latencies recorded so far. */
  get latency(): LatencyHistogram {
    this.#flush();
    return this.#hist;
  }

  #flush(): void {
    if (this.#run > 0) this.#hist.record(this.#runLat, this.#run);
    this.#run = 0;
  }

  /**
   * Checks the record at word `base` of `w`, delivered at `nowNs` (u32 ns, see LatencyClock);
   * its latency is recorded when `measure` is true.
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
    if (seq === this.next) {
      r.ok++;
      this.next = seq + 1;
    } else if (seq > this.next) {
      r.lost += seq - this.next;
      r.ok++;
      this.next = seq + 1;
    } else {
      r.duplicatedOrReordered++;
    }
    if (!measure) return;
    const ts = w[base + this.#tsWord];
    if (this.#run > 0 && ts === this.#runTs && nowNs === this.#runNow) {
      this.#run++;
      return;
    }
    this.#flush();
    let lat = (nowNs - ts) | 0;
    if (lat < 0) {
      r.clockSkew++;
      lat = 0;
    }
    this.#runTs = ts;
    this.#runNow = nowNs;
    this.#runLat = lat;
    this.#run = 1;
  }
}
