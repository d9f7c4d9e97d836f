/**
 * Event filters: device, vendor, code, and a time window on the log's own timestamps (seconds
 * since boot when the filter is a number, wall-clock when it is a date).
 *
 * @example
 * ```ts
 * import { makeFilter } from "./filter.ts";
 * const keep = makeFilter({ vendor: ["amd"] });
 * keep({ type: "fault", vendor: "intel" } as never); // => false
 * ```
 * @module
 */
import { parseTimeArg } from "./container.ts";
import { normBdf } from "./recognise.ts";
import type { FaultEvent, LogTime, LossEvent, Vendor } from "./types.ts";

/** What to keep; every given criterion must hold (within one, any value may match). */
export interface FilterSpec {
  /** Devices (`00:02.0`, `0000:3b:00.0`, `sid:0x100`, `ep:8`). */
  device?: string[];
  /** IOMMU families. */
  vendor?: Vendor[];
  /** Reason or event codes. */
  code?: number[];
  /** Earliest log time: seconds since boot or a date-time. */
  since?: string;
  /** Latest log time. */
  until?: string;
}

type Bound = { boot: number } | { wall: number };

function cmp(t: LogTime, b: Bound): number | null {
  if ("boot" in b) return t.boot === null ? null : t.boot - b.boot;
  return t.wall === null ? null : t.wall - b.wall;
}

/**
 * Builds a predicate; throws an Error naming a `since`/`until` value that is not a time.
 * `untimed` is told of each event left out only because its time cannot be compared with the
 * window (no timestamp, or boot seconds against a date): a caller says how many, so a window
 * never reads as a clean log by silence.
 */
export function makeFilter(
  spec: FilterSpec,
  untimed?: (e: FaultEvent | LossEvent) => void,
): (e: FaultEvent | LossEvent) => boolean {
  const devices = spec.device?.map((d) => normBdf(d) ?? d.toLowerCase());
  const bound = (name: string, v?: string): Bound | null => {
    if (v === undefined) return null;
    const b = parseTimeArg(v);
    if (!b) {
      throw new Error(`--${name} ${JSON.stringify(v)}: not a time (seconds since boot, or a date)`);
    }
    return b;
  };
  const since = bound("since", spec.since), until = bound("until", spec.until);
  return (e) => {
    if (since || until) {
      const a = since ? cmp(e.time, since) : 0, b = until ? cmp(e.time, until) : 0;
      if (a === null || b === null) {
        // Said only for what the other criteria would have kept.
        if (untimed && others(e)) untimed(e);
        return false;
      }
      if (a < 0 || b > 0) return false;
    }
    return others(e);
  };
  function others(e: FaultEvent | LossEvent): boolean {
    if (e.type === "loss") {
      return !spec.device && !spec.code &&
        (!spec.vendor || (e.vendor !== null && spec.vendor.includes(e.vendor)));
    }
    if (spec.vendor && !spec.vendor.includes(e.vendor)) return false;
    if (spec.code && (e.code === null || !spec.code.includes(e.code))) return false;
    if (devices && (e.device === null || !devices.includes(e.device.toLowerCase()))) return false;
    return true;
  }
}
