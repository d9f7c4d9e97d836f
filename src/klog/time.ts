/**
 * Dates and times as kernel logs and their readers write them: the wall-clock arithmetic the
 * containers share, and the `--since`/`--until` values a user gives. Apart from the container
 * parser so that the command table checks those values without loading it.
 *
 * @example
 * ```ts
 * import { parseTimeArg } from "./time.ts";
 * parseTimeArg("812.5"); // => { boot: 812.5 }
 * parseTimeArg("2024-03-05T10:15:42Z"); // => { wall: 1709633742 }
 * parseTimeArg("yesterday"); // => null
 * ```
 * @module
 */

/** Month abbreviations as syslog and `dmesg -T` print them, to `Date.UTC` month numbers. */
export const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** A year-less timestamp (`Mar 05 10:15:43`) is placed in 2000, a leap year. */
export const NO_YEAR = 2000;

/**
 * Seconds since the epoch of a date and time as logs print them (`frac`: the digits after the
 * point; `zone`: `Z`, `+01:00` or `-0500`); null for a month out of range or a date that is none.
 */
export function wallOf(
  y: number,
  mon: number,
  d: number,
  hh: string,
  mm: string,
  ss: string,
  frac?: string,
  zone?: string,
): number | null {
  if (mon < 0 || mon > 11) return null;
  let t = Date.UTC(y, mon, d, +hh, +mm, +ss) / 1000;
  if (frac) t += Number("0." + frac);
  if (zone && zone !== "Z") {
    const m = /^([+-])(\d\d):?(\d\d)$/.exec(zone);
    if (m) t -= (m[1] === "-" ? -1 : 1) * (+m[2] * 3600 + +m[3] * 60);
  }
  return Number.isFinite(t) ? t : null;
}

/** Parses a timestamp a user gives (`--since`): boot seconds, ISO date-time, or `Mar 5 10:15`. */
export function parseTimeArg(s: string): { boot: number } | { wall: number } | null {
  const t = s.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return { boot: Number(t) };
  let m =
    /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?(Z|[+-]\d\d:?\d\d)?$/
      .exec(t);
  if (m) {
    const w = wallOf(+m[1], +m[2] - 1, +m[3], m[4] ?? "0", m[5] ?? "0", m[6] ?? "0", m[7], m[8]);
    return w === null ? null : { wall: w };
  }
  m = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d)(?::(\d\d))?$/.exec(t);
  if (m && m[1] in MONTHS) {
    return { wall: wallOf(NO_YEAR, MONTHS[m[1]], +m[2], m[3], m[4], m[5] ?? "0")! };
  }
  return null;
}
