/**
 * Value parsers for command options: every count, size, offset, page size and list flag of every
 * command goes through these, so they accept and reject the same forms. A bad value throws
 * {@link ArgError}, which the command table turns into one line naming the flag (exit 2).
 *
 * - a count ({@link intArg}): decimal, `0x` hex, or a power of ten as large counts are written
 *   (`1e6`, `2.5e9`), when the value is a whole number;
 * - a size in bytes ({@link sizeArg}): a count, or with a binary suffix `k`, `M`, `G` (`KiB`,
 *   `MiB`, `GiB` too; `64k` is 65536, `1.5M` 1572864);
 * - an offset ({@link parseOffset}): a size, or `A<<B` as VFIO region offsets are written.
 *
 * @example
 * ```ts
 * import { intArg, parseOffset, parsePageSize, sizeArg } from "./options.ts";
 * intArg(0)("1e6"); // => 1000000
 * sizeArg(1)("64k"); // => 65536
 * parseOffset("9<<40"); // => 9895604649984: VFIO region index 9
 * parseOffset("0x10000"); // => 65536
 * parsePageSize("64k"); // => 65536
 * ```
 * @module
 */
import { ABI_IDS } from "../abi/records.ts";
import { PAGE_SIZES } from "../abi/regions.ts";
import { ArgError } from "./spec_core.ts";

/** A count as written: decimal, 0x hex, or `1e6` notation; NaN when it is none of them. */
function countValue(s: string): number {
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s, 16);
  if (/^\d+$/.test(s)) return Number(s);
  if (/^\d+(\.\d+)?e\+?\d+$/i.test(s)) return Number(s);
  return NaN;
}

/** "from 0 to 7", or ">= 1" when there is no upper bound. */
function range(min: number, max: number, unit = ""): string {
  return max === Number.MAX_SAFE_INTEGER ? `>= ${min}${unit}` : `from ${min} to ${max}${unit}`;
}

/**
 * For a number written well but past an option without a bound of its own (2^53-1, the largest
 * a JS number counts exactly): say so, as ">= 0" would be true of it.
 */
function tooLarge(n: number, max: number, unit = ""): ArgError | undefined {
  if (max !== Number.MAX_SAFE_INTEGER || !(n > max)) return undefined;
  return new ArgError(`too large, at most ${max}${unit}`);
}

/**
 * A parser for a whole number within `[min, max]`: decimal, `0x` hex, or `1e6` notation (`1e12`
 * is 1000000000000; `1.5e3` is 1500; `1.5e0` is not whole and is refused).
 */
export function intArg(min = 0, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v: string) => {
    const n = countValue(v.trim());
    const big = tooLarge(n, max);
    if (big) throw big;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new ArgError(`must be an integer ${range(min, max)} (decimal, 0x hex or 1e6)`);
    }
    return n;
  };
}

const SUFFIX: Readonly<Record<string, number>> = {
  "": 1,
  k: 2 ** 10,
  kib: 2 ** 10,
  m: 2 ** 20,
  mib: 2 ** 20,
  g: 2 ** 30,
  gib: 2 ** 30,
};

/** A size in bytes as written ({@link sizeArg}); NaN when it is not one. */
export function sizeValue(v: string): number {
  const m = v.trim().match(/^(0x[0-9a-f]+|\d+(?:\.\d+)?(?:e\+?\d+)?)\s*([a-z]*)$/i);
  const scale = m ? SUFFIX[m[2].toLowerCase()] : undefined;
  if (!m || scale === undefined) return NaN;
  const n = /^0x/i.test(m[1]) ? parseInt(m[1], 16) : Number(m[1]);
  // A fraction only with a suffix (1.5M), never a fraction of a byte.
  return n * scale;
}

/** A parser for a size in bytes within `[min, max]`: `65536`, `0x10000`, `64k`, `1M`, `1.5G`. */
export function sizeArg(min = 0, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v: string) => {
    const n = sizeValue(v);
    const big = tooLarge(n, max, " bytes");
    if (big) throw big;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new ArgError(
        `must be a size ${range(min, max, " bytes")} (e.g. 65536, 0x10000, 64k, 1M)`,
      );
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

/**
 * A path faultscope writes (a file, or demo's directory). `-` is refused: where an input `-` is
 * stdin, an output `-` would silently be a file named "-" in the working directory.
 */
export function outputPath(v: string): string {
  if (v === "-") throw new ArgError("an output file, not stdout; write ./- for a file named -");
  return v;
}

/** Parses a byte offset: a size (`0x10000`, `64k`), or `A<<B` as VFIO region offsets are written. */
export function parseOffset(v: string): number {
  const m = v.trim().match(/^(\S+?)\s*<<\s*(\d+)$/);
  if (!m) return sizeArg(0)(v);
  const n = sizeArg(0)(m[1]) * 2 ** Number(m[2]);
  if (!Number.isSafeInteger(n)) throw new ArgError("offset too large");
  return n;
}

/** Parses a page size: 4096, 16384 or 65536, written as any size (4k, 0x1000, ...). */
export function parsePageSize(v: string): number {
  const n = sizeValue(v);
  if (!PAGE_SIZES.includes(n)) {
    throw new ArgError(
      `must be one of ${PAGE_SIZES.join(", ")} (or ${
        PAGE_SIZES.map((p) => `${p / 1024}k`).join(", ")
      })`,
    );
  }
  return n;
}

/** A comma list of enum names or numbers (`PERMISSION,WALK_EABT`), checked against the ABI later. */
export function nameList(v: string): string[] {
  const list = v.split(",").map((x) => x.trim());
  if (list.some((x) => !/^[A-Za-z0-9_]+$/.test(x))) {
    throw new ArgError("must be a comma list of names or numbers, e.g. PERMISSION,WALK_EABT");
  }
  return [...new Set(list)];
}

/**
 * A comma list of devices: PCI requester IDs as `bb:dd.f` (or `ssss:bb:dd.f`, the segment
 * ignored: a fault record holds none), or numbers (an iommufd dev_id, a StreamID, an endpoint).
 */
export function deviceList(v: string): number[] {
  return v.split(",").map((x) => {
    const m = x.trim().match(/^(?:[0-9a-f]{4}:)?([0-9a-f]{1,2}):([0-9a-f]{1,2})\.([0-7])$/i);
    if (m) {
      const bus = parseInt(m[1], 16), dev = parseInt(m[2], 16);
      if (dev < 32) return (bus << 8) | (dev << 3) | Number(m[3]);
    }
    const n = countValue(x.trim());
    if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) {
      throw new ArgError(
        `'${x.trim()}' is not a device: give bb:dd.f (PCI) or a number (dev_id, StreamID)`,
      );
    }
    return n;
  });
}

/** An address as written: decimal or 0x hex, up to 64 bits. */
function address(s: string): bigint | undefined {
  if (!/^(0x[0-9a-f]{1,16}|\d{1,20})$/i.test(s)) return undefined;
  const n = BigInt(s);
  return n < 1n << 64n ? n : undefined;
}

/** An address range `lo-hi` (both included) or one address, in 0x hex or decimal. */
export function addrRange(v: string): { lo: bigint; hi: bigint } {
  const [a, b, ...rest] = v.trim().split(/\s*-\s*/);
  const lo = address(a), hi = b === undefined ? lo : address(b);
  if (lo === undefined || hi === undefined || rest.length || hi < lo) {
    throw new ArgError("must be an address or a range lo-hi, e.g. 0xdead0000-0xdeadffff");
  }
  return { lo, hi };
}

/** `decode --abi`: the record ABIs plus the iommufd vEVENTQ stream. */
export const abiChoices = [...ABI_IDS, "vevent"] as const;
