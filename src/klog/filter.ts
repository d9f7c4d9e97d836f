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

/** Builds a predicate; throws an Error naming a `since`/`until` value that is not a time. */
export function makeFilter(spec: FilterSpec): (e: FaultEvent | LossEvent) => boolean {
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
    if (since) {
      const c = cmp(e.time, since);
      if (c === null || c < 0) return false;
    }
    if (until) {
      const c = cmp(e.time, until);
      if (c === null || c > 0) return false;
    }
    if (e.type === "loss") {
      return !spec.device && !spec.code &&
        (!spec.vendor || (e.vendor !== null && spec.vendor.includes(e.vendor)));
    }
    if (spec.vendor && !spec.vendor.includes(e.vendor)) return false;
    if (spec.code && (e.code === null || !spec.code.includes(e.code))) return false;
    if (devices && (e.device === null || !devices.includes(e.device.toLowerCase()))) return false;
    return true;
  };
}
