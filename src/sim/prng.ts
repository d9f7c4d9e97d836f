/**
 * Seeded pseudo-random numbers for the simulator. Two well-known generators, both specified by
 * their authors' C code (the reference outputs are checked in test/sim_prng_test.ts):
 *
 * - xoshiro128** 1.1 (Blackman and Vigna) for the sequential stream (inter-arrival gaps, service
 *   jitter), seeded from one integer through splitmix64 as the authors recommend;
 * - mulberry32 (Ettinger) keyed by lowbias32 (Wellons) for the contents of fault number `k`, so a
 *   record can be materialised lazily from `(seed, k)` when a snapshot is taken, without storing
 *   it or drawing from the sequential stream in the hot loop.
 *
 * Only 32-bit integer arithmetic (`Math.imul`, `>>>`) is used after seeding, so the streams are
 * the same on every machine.
 *
 * @example
 * ```ts
 * import { Xoshiro128 } from "./prng.ts";
 * const rng = Xoshiro128.fromSeed(42);
 * rng.nextU32(); // => 1776835114, as the reference C code prints
 * ```
 * @module
 */

const M64 = (1n << 64n) - 1n;

/**
 * splitmix64: the generator recommended to seed the xoshiro family from a single value. BigInt
 * is acceptable here because it runs a few times per simulation, never per event.
 *
 * @example
 * ```ts
 * const sm = new SplitMix64(1n);
 * sm.next(); // => 0x910a2dec89025cc1n
 * ```
 */
export class SplitMix64 {
  #x: bigint;
  /**
   * A generator seeded with `seed`.
   *
   * @param seed any 64-bit value
   */
  constructor(seed: bigint) {
    this.#x = BigInt.asUintN(64, seed);
  }
  /** The next 64-bit output. */
  next(): bigint {
    this.#x = (this.#x + 0x9e3779b97f4a7c15n) & M64;
    let z = this.#x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    return z ^ (z >> 31n);
  }
}

/**
 * xoshiro128** 1.1: 128-bit state, 32-bit outputs, fast with `Math.imul` and no allocation.
 *
 * @example
 * ```ts
 * const r = new Xoshiro128(1, 2, 3, 4);
 * r.nextU32(); // => 11520
 * ```
 */
export class Xoshiro128 {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /**
   * A generator with this state (the four words must not all be 0).
   *
   * @param s0 the state's first word
   * @param s1 the second
   * @param s2 the third
   * @param s3 the fourth
   */
  constructor(s0: number, s1: number, s2: number, s3: number) {
    this.#s0 = s0 >>> 0;
    this.#s1 = s1 >>> 0;
    this.#s2 = s2 >>> 0;
    this.#s3 = s3 >>> 0;
    // The all-zero state is the one fixed point of the generator.
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** Seeds from one integer: two splitmix64 outputs, low words first. */
  static fromSeed(seed: number | bigint): Xoshiro128 {
    return Xoshiro128.fromSplitMix(new SplitMix64(BigInt(seed)));
  }

  /**
   * Seeds from the next two outputs of `sm`: successive calls on one splitmix64 give
   * independent streams (the simulator keeps arrivals and service times apart this way, so a
   * change on the consumer side never moves an arrival).
   */
  static fromSplitMix(sm: SplitMix64): Xoshiro128 {
    const a = sm.next();
    const b = sm.next();
    return new Xoshiro128(
      Number(a & 0xffffffffn),
      Number(a >> 32n),
      Number(b & 0xffffffffn),
      Number(b >> 32n),
    );
  }

  /** The next 32-bit unsigned output. */
  nextU32(): number {
    const s1 = this.#s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return r;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  /**
   * Exponential variate with the given mean (inter-arrival gap of a Poisson process). Uses
   * `1 - u` so the argument of `log` is in (0, 1]; V8's `Math.log` is a port of fdlibm, the same
   * on every platform.
   */
  nextExp(mean: number): number {
    return -Math.log(1 - this.nextFloat()) * mean;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * lowbias32 (Wellons): a 32-bit integer hash with good avalanche, used to key per-fault streams.
 *
 * @example
 * ```ts
 * lowbias32(1); // => 1753845952
 * ```
 */
export function lowbias32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * mulberry32: a tiny 32-bit generator, one state word. Used for the few draws that describe one
 * fault (type, reason, PASID, address), keyed by {@link faultKey}.
 *
 * @example
 * ```ts
 * const m = new Mulberry32(0);
 * m.nextU32(); // => 1144304738
 * ```
 */
export class Mulberry32 {
  #a: number;
  /**
   * A generator seeded with `seed`.
   *
   * @param seed a 32-bit seed
   */
  constructor(seed: number) {
    this.#a = seed >>> 0;
  }
  /** The next 32-bit unsigned output. */
  nextU32(): number {
    this.#a = (this.#a + 0x6d2b79f5) >>> 0;
    let z = this.#a;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (z ^ (z >>> 14)) >>> 0;
  }
  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }
}

/**
 * The key of fault number `k` (0-based, below 2^53) under `seed`: a hash of both, so that fault
 * contents do not depend on how many draws the timing stream made.
 *
 * @example
 * ```ts
 * new Mulberry32(faultKey(7, 1000)).nextU32(); // same value on every run and machine
 * ```
 */
export function faultKey(seed: number, k: number): number {
  const lo = k >>> 0;
  const hi = Math.floor(k / 4294967296) >>> 0;
  return lowbias32(lowbias32(lowbias32(seed >>> 0) ^ lo) ^ hi);
}
