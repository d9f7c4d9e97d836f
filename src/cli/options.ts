/**
 * Value parsers for command options: every integer, offset, page size and list flag of every
 * command goes through these, so they accept and reject the same forms. A bad value throws
 * {@link ArgError}, which the command table turns into one line naming the flag (exit 2).
 *
 * @example
 * ```ts
 * import { parseOffset, parsePageSize } from "./options.ts";
 * parseOffset("9<<40"); // 9895604649984: VFIO region index 9
 * parseOffset("0x10000"); // 65536
 * parsePageSize("64k"); // 65536
 * ```
 * @module
 */
import { ABI_IDS } from "../abi/records.ts";
import { PAGE_SIZES } from "../abi/regions.ts";
import { ArgError } from "./spec.ts";

/**
 * A parser for an integer in decimal or 0x hex, within `[min, max]`.
 */
export function intArg(min = 0, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v: string) => {
    const s = v.trim();
    const n = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new ArgError(
        max === Number.MAX_SAFE_INTEGER
          ? `must be an integer >= ${min}`
          : `must be an integer from ${min} to ${max}`,
      );
    }
    return n;
  };
}

/**
 * {@link intArg}, also taking counts written with an exponent (`1e6`, `2.5e9`), as large event
 * counts are written.
 *
 * @example
 * ```ts
 * countArg(1)("1e12"); // 1000000000000
 * ```
 */
export function countArg(min = 0, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  const plain = intArg(min, max);
  return (v: string) => {
    const s = v.trim();
    if (!/^\d+(\.\d+)?e\+?\d+$/i.test(s)) return plain(s);
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new ArgError(`must be an integer from ${min} to ${max} (1e6 notation allowed)`);
    }
    return n;
  };
}

/** A comma list of integers, each within `[min, max]`. */
export function intList(v: string, min = 1, max = Number.MAX_SAFE_INTEGER): number[] {
  const parse = intArg(min, max);
  return v.split(",").map((x) => parse(x));
}

/** A parser for a comma list of known names (deduplicated, in the order given). */
export function choiceList<T extends string>(all: readonly T[], what: string): (v: string) => T[] {
  return (v: string): T[] => {
    const list = v.split(",").map((x) => x.trim());
    for (const x of list) {
      if (!(all as readonly string[]).includes(x)) {
        throw new ArgError(`${what} "${x}" is not one of ${all.join(", ")}`);
      }
    }
    return [...new Set(list)] as T[];
  };
}

/** A positive number of seconds, at most a day. */
export function seconds(v: string): number {
  const n = Number(v.trim());
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || !(n > 0) || n > 86_400) {
    throw new ArgError("must be a number of seconds above 0 (at most 86400)");
  }
  return n;
}

/** Parses a byte offset: an integer, or `A<<B` as VFIO region offsets are written. */
export function parseOffset(v: string): number {
  const m = v.trim().match(/^(\S+?)\s*<<\s*(\d+)$/);
  if (!m) return intArg(0)(v);
  const n = intArg(0)(m[1]) * 2 ** Number(m[2]);
  if (!Number.isSafeInteger(n)) throw new ArgError("offset too large");
  return n;
}

/** Parses a page size: 4096, 16384 or 65536 (also as 4k/16k/64k). */
export function parsePageSize(v: string): number {
  const m = v.trim().toLowerCase().match(/^(\d+)k$/);
  const n = m ? Number(m[1]) * 1024 : Number(v.trim());
  if (!PAGE_SIZES.includes(n)) {
    throw new ArgError(
      `must be one of ${PAGE_SIZES.join(", ")} (or ${
        PAGE_SIZES.map((p) => `${p / 1024}k`).join(", ")
      })`,
    );
  }
  return n;
}

/** `decode --abi`: the record ABIs plus the iommufd vEVENTQ stream. */
export const abiChoices = [...ABI_IDS, "vevent"] as const;
