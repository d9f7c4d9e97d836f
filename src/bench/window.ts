/**
 * The measurement window of a consumer: it opens after the warm-up time, or after a fifth of a
 * fixed record count if that comes first (so a short run still measures something), and counts
 * the records and milliseconds inside it. Every transport's consumer uses the same one, so their
 * records/s are comparable.
 *
 * @example
 * ```ts
 * import { MeasureWindow } from "./window.ts";
 * const win = new MeasureWindow(0, 200, 1000);
 * win.open(250, 10);
 * // => true: the warm-up is over, the window opens at 250 ms with 10 records seen
 * win.result(1250, 110); // => { windowRecords: 100, windowMs: 1000 }
 * ```
 * @module
 */

/** Records and milliseconds inside the window (zero when it never opened). */
export interface WindowResult {
  /** Records consumed inside the window. */
  windowRecords: number;
  /** Length of the window in ms. */
  windowMs: number;
}

/** A consumer's measurement window. */
export class MeasureWindow {
  #start: number;
  #from = 0;

  /**
   * A window for a run that started at `t0`.
   *
   * @param t0 when the run started (ms, `performance.now()`)
   * @param warmMs warm-up time; 0 measures from `t0`
   * @param warmRecords records after which the window opens even if the warm-up time is not over
   */
  constructor(readonly t0: number, readonly warmMs: number, readonly warmRecords: number) {
    this.#start = warmMs > 0 ? -1 : t0;
  }

  /** Opens the window once the warm-up is over; true while measuring. */
  open(now: number, seen: number): boolean {
    if (this.#start < 0 && (now - this.t0 >= this.warmMs || seen >= this.warmRecords)) {
      this.#start = now;
      this.#from = seen;
    }
    return this.#start >= 0;
  }

  /** What the window measured, at the end of the run. */
  result(end: number, seen: number): WindowResult {
    return this.#start >= 0
      ? { windowRecords: seen - this.#from, windowMs: end - this.#start }
      : { windowRecords: 0, windowMs: 0 };
  }
}

/** Records after which the window opens on a fixed-count run: a fifth of them. */
export function warmRecordsFor(records: number): number {
  return records > 0 ? Math.floor(records / 5) : Infinity;
}
