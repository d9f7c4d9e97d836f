/**
 * Runs that cannot go on forever: the cost estimate is an upper bound on the events a run
 * processes, the "cost of corruption" baseline replays the run's faults and no more, and a stop
 * request is heard during the baseline too.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { DEFAULT_SCENARIO, parseScenario, runScenario } from "../src/sim/mod.ts";
import { ANNOUNCE_ABOVE, CONFIRM_ABOVE, exceeds, planRun } from "../src/sim/plan.ts";

const STORM_AND_INJECT = {
  producer: { arrivals: { kind: "storm", burst: 1e12, gap_us: 0, interval_us: 1 } },
  inject: [{ at_event: 10, kind: "prod_corrupt" }],
};

Deno.test("10^12 faults at one instant: the baseline replays the run's faults, not 10^12", () => {
  const r = runScenario(parseScenario({ ...STORM_AND_INJECT, events: 50_000 }));
  const inj = r.summary.injection!;
  assert.equal(r.summary.events, 50_000);
  assert.equal(inj.baseline!.produced, r.summary.produced);
  assert.equal(r.interrupted, false);
});

Deno.test("a stop request during the baseline run is heard: no baseline, interrupted", () => {
  let polls = 0;
  let mainDone = false;
  const r = runScenario(parseScenario({ ...STORM_AND_INJECT, events: 20_000 }), {
    chunk: 1000,
    onProgress: (n) => (mainDone = n === 20_000),
    // The first poll after the run's last chunk lets it finish; the next is in the baseline.
    shouldStop: () => mainDone && ++polls > 1,
  });
  assert.equal(r.interrupted, true);
  assert.equal(r.summary.events, 20_000);
  assert.equal(r.summary.injection!.baseline, null);
  assert.equal(r.summary.injection!.extra_lost, null);
});

const small = fc.record({
  seed: fc.integer({ min: 0, max: 1000 }),
  events: fc.integer({ min: 1, max: 20_000 }),
  duration_us: fc.option(fc.integer({ min: 1, max: 50_000 }), { nil: null }),
  producer: fc.record({
    arrivals: fc.oneof(
      fc.record({
        kind: fc.constantFrom("steady", "poisson"),
        rate_per_s: fc.integer({ min: 1, max: 2_000_000 }),
        start_us: fc.integer({ min: 0, max: 2000 }),
      }),
      fc.record({
        kind: fc.constant("storm"),
        burst: fc.integer({ min: 1, max: 2000 }),
        gap_us: fc.constantFrom(0, 0.5),
        interval_us: fc.integer({ min: 1001, max: 20_000 }),
      }),
    ),
    faults: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: null }),
  }),
  consumer: fc.record({
    batch: fc.constantFrom(0, 1, 7),
    service_us: fc.constantFrom(0.5, 2, 30),
    stall_every: fc.option(fc.record({ every_us: fc.constant(3000), for_us: fc.constant(500) }), {
      nil: null,
    }),
  }),
});

Deno.test("the estimate never undercounts a run's events", () => {
  fc.assert(
    fc.property(small, (json) => {
      const s = parseScenario(json);
      const plan = planRun(s);
      const events = runScenario(s).summary.events;
      assert.ok(plan.events >= events, `estimated ${plan.events}, ran ${events}`);
    }),
    { numRuns: 120 },
  );
});

Deno.test("what needs --yes: 10^12 events, an image per event of a long run; not the default", () => {
  const huge = planRun(parseScenario({ events: 1e12 }), { trace: true });
  assert.equal(huge.events, 1e12);
  assert.deepEqual(exceeds(huge, CONFIRM_ABOVE), ["time", "disk"]);
  const images = planRun(parseScenario({ events: 200_000 }), { snapshotEvery: 1 });
  assert.equal(images.snapshots, 200_000);
  assert.equal(images.snapshotBytes, 200_000 * 65536);
  assert.ok(exceeds(images, CONFIRM_ABOVE).includes("files"));
  // The embedded default (420 ms of a storm) with a trace and one image: nothing to announce.
  const demo = planRun(DEFAULT_SCENARIO, { trace: true, snapshotAtEnd: true });
  assert.deepEqual(exceeds(demo, ANNOUNCE_ABOVE), []);
});
