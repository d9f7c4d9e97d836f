// The one latency histogram (ns): bounded relative error, exact when samples are equal, a
// documented empty value, and values far beyond u32 (the simulator's runs last days).
import assert from "node:assert/strict";
import fc from "fast-check";
import { LatencyHistogram } from "../src/stats/histogram.ts";

function exactQuantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * xs.length)) - 1];
}

Deno.test("percentiles never exceed the exact value and stay within 1/64 of it", () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.nat({ max: 2 ** 31 }), fc.nat({ max: 2000 })), {
        minLength: 1,
        maxLength: 400,
      }),
      (xs) => {
        const h = new LatencyHistogram();
        for (const x of xs) h.record(x);
        for (const q of [0, 0.5, 0.99, 0.999, 1]) {
          const exact = exactQuantile(xs, q);
          const got = h.percentile(q);
          assert.ok(got <= exact && exact - got <= exact / 64, `q${q}: ${got} vs ${exact}`);
        }
      },
    ),
  );
});

Deno.test("values beyond 2^32 ns (simulated hours) keep the same relative error", () => {
  fc.assert(
    fc.property(fc.double({ min: 2 ** 32, max: 2 ** 52, noNaN: true }), (x) => {
      const h = new LatencyHistogram();
      h.record(x);
      h.record(1); // a second sample so the clamp to min/max does not make it exact
      const got = h.percentile(1);
      assert.ok(got <= x && x - got <= x / 64, `${got} vs ${x}`);
    }),
  );
  // Just below a power of two, where log2 rounds up.
  const h = new LatencyHistogram();
  h.record(2 ** 40 - 1);
  h.record(0);
  assert.ok(h.percentile(1) < 2 ** 40);
});

Deno.test("equal samples give that value exactly; counts, min, max and mean follow", () => {
  const h = new LatencyHistogram();
  h.record(1_234_567, 10);
  assert.equal(h.percentile(0.5), 1_234_567);
  assert.equal(h.percentile(0.999), 1_234_567);
  h.record(-5); // a clock offset below zero counts as 0 ns
  assert.equal(h.total, 11);
  assert.equal(h.min, 0);
  assert.equal(h.max, 1_234_567);
  assert.equal(h.mean, 1_234_567 * 10 / 11);
});

Deno.test("an empty histogram says NaN (no samples), never 0", () => {
  const h = new LatencyHistogram();
  assert.equal(h.total, 0);
  for (const v of [h.percentile(0.5), h.min, h.max, h.mean]) assert.ok(Number.isNaN(v));
});

Deno.test("a snapshot crosses postMessage and merges", async () => {
  const a = new LatencyHistogram();
  for (let v = 100; v < 200; v++) a.record(v);
  const { port1, port2 } = new MessageChannel();
  const got = new Promise<MessageEvent>((r) => (port2.onmessage = r));
  port1.postMessage(a.snapshot());
  const b = LatencyHistogram.from((await got).data);
  port1.close();
  port2.close();
  assert.equal(b.total, 100);
  assert.equal(b.percentile(0.5), a.percentile(0.5));
  const c = new LatencyHistogram();
  c.record(5000);
  b.merge(c);
  assert.equal(b.total, 101);
  assert.equal(b.max, 5000);
  assert.equal(b.min, 100);
});
