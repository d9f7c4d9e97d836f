/**
 * Behaviour of the simulated kernel and VMM on scenarios small enough to work out by hand:
 * every expected number below follows from the scenario (capacity, arrivals, service time),
 * not from a previous run.
 */
import assert from "node:assert/strict";
import { runScenario } from "../src/sim/mod.ts";
import { parseScenario } from "../src/sim/scenario.ts";

const run = (json: Record<string, unknown>) => runScenario(parseScenario(json)).summary;

Deno.test("an idle consumer delivers each fault after exactly wake + service time", () => {
  const s = run({
    events: 3000,
    producer: { arrivals: { kind: "steady", rate_per_s: 1000 } }, // 1 ms apart
    consumer: { wake_us: 10, service_us: 2 },
  });
  assert.equal(s.dropped, 0);
  assert.equal(s.latency.p50, 12);
  assert.equal(s.latency.p99, 12);
  assert.equal(s.latency.max, 12);
  // Each fault makes three events (fault, wake, deliver): 1000 faults in 3000 events.
  assert.equal(s.produced, 1000);
  assert.equal(s.delivered, 1000);
  assert.equal(s.wakes, 1000);
  assert.equal(s.max_occupancy, 1);
});

Deno.test("a burst into a stalled 512-entry ring: 511 queued, the rest dropped as full", () => {
  const s = run({
    events: 1_000_000,
    region: { layout: "dma-fault" },
    producer: {
      arrivals: { kind: "storm", burst: 1000, gap_us: 0.1, interval_us: 1e6 },
      faults: 1000,
    },
    consumer: { stalls: [{ at_us: 0, for_us: 5000 }] },
  });
  assert.equal(s.produced, 1000);
  assert.equal(s.dropped_by_cause.full, 1000 - 511);
  assert.equal(s.dropped, 489);
  assert.equal(s.max_occupancy, 511);
  // After the stall the consumer drains everything; then nothing is left to happen.
  assert.equal(s.delivered, 511);
  assert.equal(s.pending, 0);
  assert.ok(s.quiescent);
  // The kernel signals only what it queued, and the signals coalesce into few handler runs.
  assert.equal(s.signals, 511);
  assert.ok(s.wakes <= 3, `wakes ${s.wakes}`);
  assert.equal(s.complete, false);
});

Deno.test("late start: drain at start empties the ring; without it the full ring deadlocks", () => {
  const base = {
    events: 1_000_000,
    region: { layout: "dma-fault" },
    producer: {
      arrivals: { kind: "storm", burst: 600, gap_us: 1, interval_us: 10_000 },
      faults: 1200,
    },
  };
  const drained = run({ ...base, consumer: { start_us: 5000, drain_at_start: true } });
  // Before the start the kernel has no trigger: 511 queued, 89 dropped, no signal at all. The
  // start drains those 511 (about 1 ms at 2 µs each), so the second burst (at 10 ms) meets an
  // empty ring again and at least 511 more get through.
  assert.equal(drained.produced, 1200);
  assert.ok(drained.delivered >= 511 + 511, `delivered ${drained.delivered}`);
  assert.equal(drained.pending, 0);
  assert.equal(drained.produced, drained.delivered + drained.dropped);

  const stuck = run({ ...base, consumer: { start_us: 5000, drain_at_start: false } });
  // Armed but never signalled: the ring is full, so every later fault is dropped unsignalled.
  assert.equal(stuck.delivered, 0);
  assert.equal(stuck.wakes, 0);
  assert.equal(stuck.signals, 0);
  assert.equal(stuck.pending, 511);
  assert.equal(stuck.dropped, 1200 - 511);
});

Deno.test("a bounded batch without repoll leaves records behind until the next signal", () => {
  const json = (repoll: boolean) => ({
    events: 10_000,
    producer: {
      arrivals: { kind: "storm", burst: 100, gap_us: 0.05, interval_us: 1e6 },
      faults: 100,
    },
    consumer: { wake_us: 10, batch: 10, repoll },
  });
  // All 100 faults arrive within 5 µs, before the handler runs at 10 µs: one signal count.
  const stuck = run(json(false));
  assert.equal(stuck.delivered, 10);
  assert.equal(stuck.pending, 90);
  const polled = run(json(true));
  assert.equal(polled.delivered, 100);
  assert.equal(polled.pending, 0);
  assert.equal(polled.wakes, 10);
});

Deno.test("v8 85-entry ring under a stall: CIRC_SPACE drops early, true modulo fills to 84", () => {
  const json = (index_math: string) => ({
    events: 1_000_000,
    region: { layout: "fault-prod", page_size: 4096 },
    kernel: { index_math },
    // Faults at 0, 100, ... 4000 µs (41 of them) are consumed first: cons = 41 when the stall
    // begins at 4050 µs.
    producer: { arrivals: { kind: "steady", rate_per_s: 10_000 }, faults: 400 },
    consumer: { stalls: [{ at_us: 4050, for_us: 20_000 }] },
  });
  const circ = run(json("circ"));
  const mod = run(json("modulo"));
  assert.equal(circ.produced, 400);
  assert.equal(mod.produced, 400);
  assert.equal(mod.dropped_by_cause.spurious_full, 0);
  assert.equal(mod.max_occupancy, 84);
  // From cons = 41 the macro first says full at the first prod h (going forward) with
  // (41 - (h + 1)) & 84 == 0; true modulo would wait for h = 40.
  let h = 41;
  while (((41 - (h + 1)) & 84) !== 0) h = (h + 1) % 85;
  const firstFullOcc = (h - 41 + 85) % 85;
  assert.ok(firstFullOcc < 84);
  assert.equal(circ.max_occupancy, firstFullOcc);
  assert.ok(circ.dropped_by_cause.spurious_full > 0);
  assert.ok(circ.dropped > mod.dropped);
});

Deno.test("per-drain cons writes leave the header behind the consumer until the drain ends", () => {
  const scenario = parseScenario({
    events: 10_000,
    region: { layout: "dma-fault" },
    producer: {
      arrivals: { kind: "storm", burst: 50, gap_us: 0.01, interval_us: 1e6 },
      faults: 50,
    },
    consumer: { wake_us: 10, service_us: 2, cons_write: "per_drain" },
  });
  // 50 fault events, then the wake (event 51), then 20 deliveries: the header still says 0.
  const r = runScenario(scenario, { snapshotAt: [71] });
  const snap = r.snapshots[0];
  assert.equal(snap.cons, 0);
  assert.equal(snap.prod, 50);
  assert.equal(r.summary.delivered, 50);
  assert.equal(r.summary.header.tail, 50);
});

Deno.test("the RFC v3 consumer re-reads cons from the header; a v9+ consumer keeps its own", () => {
  // abi.md 4.1: QEMU's RFC v3 handler loads cons from the mmapped header on every signal;
  // 4.3: the v9+ handler keeps a private tail index and only writes it. So a cons corrupted
  // while the VMM is idle (after the first fault's fault, wake and deliver: event 3) sends the
  // RFC v3 consumer to slot `cons`, past the last slot; the v9+ one never reads it. 31 events:
  // ten faults of three events each, and the injection.
  const corrupted = (layout: string, capacity: number) =>
    run({
      events: 31,
      region: { layout },
      kernel: { header_check: "none" },
      producer: { arrivals: { kind: "steady", rate_per_s: 1000 } },
      inject: [{ at_event: 3, kind: "cons_out_of_range", value: capacity }],
    });
  const rfc3 = corrupted("rfc3", 1365);
  assert.equal(rfc3.consumer.hung, true);
  assert.match(rfc3.consumer.hang_reason!, /slot 1365 past the end of the region/);
  const dma = corrupted("dma-fault", 512);
  assert.equal(dma.consumer.hung, false);
  assert.deepEqual([dma.produced, dma.delivered, dma.dropped], [10, 10, 0]);
});

Deno.test("header check stop looks at the header before the full test: a full ring still stops", () => {
  // A stalled VMM (the stall starts at t = 0: event 1), 600 faults 1 µs apart into the 512-entry
  // dma-fault ring: faults 0..510 are queued, 511..548 dropped as full (events 2..550). cons is
  // corrupted after event 550 (event 551). A kernel that validates what it read from the
  // header before using it (the v8 producer of abi.md 4.2 reads prod and cons, then tests
  // CIRC_SPACE) stops at the next fault although the ring is full: 600 - 549 = 51 faults lost
  // to the stopped queue, none more as full.
  const s = run({
    events: 10_000,
    region: { layout: "dma-fault" },
    kernel: { header_check: "stop" },
    producer: { arrivals: { kind: "storm", burst: 600, gap_us: 1, interval_us: 1e6 }, faults: 600 },
    consumer: { stalls: [{ at_us: 0, for_us: 1e6 }] },
    inject: [{ at_event: 550, kind: "cons_out_of_range", value: 512 }],
  });
  assert.equal(s.queue.stopped, true);
  assert.equal(s.queue.stopped_at_event, 552);
  assert.equal(s.queue.stop_reason, "cons 512 >= 512");
  assert.equal(s.dropped_by_cause.full, 38);
  assert.equal(s.dropped_by_cause.queue_stopped, 51);
});
