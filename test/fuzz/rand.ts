/**
 * Seeded randomness for the fuzz targets. Every input is a pure function of (seed, target,
 * index): its generator gets its own stream keyed by the three, so input 91234 of a run can be
 * made again alone (`deno task fuzz --target hex --seed 7 --index 91234`) without making the
 * 91233 before it, and a target's inputs do not change when another target is added.
 *
 * @example
 * ```ts
 * import { inputRand } from "./rand.ts";
 * const a = inputRand(7, "hex", 91234).int(0, 100);
 * a === inputRand(7, "hex", 91234).int(0, 100); // true
 * ```
 * @module
 */
import { faultKey, lowbias32, Mulberry32 } from "../../src/sim/prng.ts";

/** 32-bit FNV-1a of a target name: its part of the input key. */
function nameKey(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Values that break integer code: zero, one, powers of two and their neighbours, all ones. */
const HOSTILE_U32 = [
  0,
  1,
  2,
  16,
  20,
  24,
  48,
  64,
  85,
  511,
  512,
  1023,
  1024,
  1364,
  1365,
  4096,
  0xffff,
  0x10000,
  0x7fffffff,
  0x80000000,
  0xfffffffe,
  0xffffffff,
];

/** A seeded stream of draws, with the shapes fuzz inputs are made of. */
export class Rand {
  readonly #m: Mulberry32;
  /** A stream seeded with a 32-bit key. */
  constructor(key: number) {
    this.#m = new Mulberry32(key);
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.#m.nextFloat();
  }
  /** A 32-bit unsigned integer. */
  u32(): number {
    return this.#m.nextU32();
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }
  /** One element of `list`. */
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.float() * list.length)];
  }
  /** A u32 that is often a boundary value. */
  hostileU32(): number {
    const u = this.float();
    return u < 0.4 ? this.pick(HOSTILE_U32) : u < 0.7 ? this.int(0, 4096) : this.u32();
  }
  /** `n` random bytes; sometimes all zero or all ones, which parsers treat specially. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    const u = this.float();
    if (u < 0.05) return out;
    if (u < 0.1) return out.fill(0xff);
    for (let i = 0; i < n; i += 4) {
      const w = this.u32();
      for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = (w >>> (8 * k)) & 0xff;
    }
    return out;
  }
  /** A length in [0, max], most often short: parsers fail at the edges, not in the middle. */
  length(max: number): number {
    const u = this.float();
    return u < 0.5
      ? this.int(0, Math.min(max, 64))
      : u < 0.85
      ? this.int(0, Math.min(max, 1024))
      : this.int(0, max);
  }
}

/**
 * The random stream of input `index` of `target` under `seed`.
 *
 * @example
 * ```ts
 * inputRand(1, "klog", 0).u32() !== inputRand(1, "klog", 1).u32(); // true
 * ```
 */
export function inputRand(seed: number, target: string, index: number): Rand {
  return new Rand(faultKey(lowbias32(seed >>> 0) ^ nameKey(target), index));
}
