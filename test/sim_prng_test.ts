/**
 * The simulator's generators against their authors' reference C code (xoshiro128** 1.1 and
 * splitmix64 from prng.di.unimi.it, mulberry32, lowbias32), compiled with gcc; the values below
 * are what those C programs print, not what our code returns.
 */
import assert from "node:assert/strict";
import { lowbias32, Mulberry32, SplitMix64, Xoshiro128 } from "../src/sim/prng.ts";

Deno.test("splitmix64 from state 1 matches the reference outputs", () => {
  const sm = new SplitMix64(1n);
  assert.deepEqual(
    [sm.next(), sm.next(), sm.next(), sm.next()],
    [0x910a2dec89025cc1n, 0xbeeb8da1658eec67n, 0xf893a2eefb32555en, 0x71c18690ee42c90bn],
  );
});

Deno.test("xoshiro128** from state {1,2,3,4} matches the reference outputs", () => {
  const r = new Xoshiro128(1, 2, 3, 4);
  const got = Array.from({ length: 8 }, () => r.nextU32());
  assert.deepEqual(
    got,
    [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849],
  );
});

Deno.test("xoshiro128** seeded through splitmix64(42), low words first, matches C", () => {
  const r = Xoshiro128.fromSeed(42);
  const got = Array.from({ length: 8 }, () => r.nextU32());
  assert.deepEqual(got, [
    1776835114,
    4165204688,
    17111135,
    2317295270,
    2792088233,
    2554630222,
    2940343271,
    2244566231,
  ]);
});

Deno.test("mulberry32 from 0 and lowbias32 match the reference outputs", () => {
  const m = new Mulberry32(0);
  assert.deepEqual(
    Array.from({ length: 6 }, () => m.nextU32()),
    [1144304738, 1416247, 958946056, 627933444, 2007157716, 2340967985],
  );
  assert.deepEqual(
    [0, 1, 2, 0xdeadbeef, 0xffffffff].map(lowbias32),
    [0, 1753845952, 3507691905, 3861431939, 1734902346],
  );
});

Deno.test("exponential gaps have the asked mean and are never negative", () => {
  const r = Xoshiro128.fromSeed(7);
  let sum = 0;
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const v = r.nextExp(20);
    assert.ok(v >= 0);
    sum += v;
  }
  // Standard error of the mean is 20/sqrt(n) = 0.045; 0.3 is over six of them.
  assert.ok(Math.abs(sum / n - 20) < 0.3, `mean ${sum / n}`);
});
