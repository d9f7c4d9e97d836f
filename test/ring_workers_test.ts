// The ring under real concurrency: a producer Worker and a consumer Worker on one
// SharedArrayBuffer. Every record the consumer reads is also copied out in arrival order and
// checked here with the codec's own decoder (not the ring's), so loss, duplication,
// reordering and tearing are judged independently of the code under test.
// Kept to a few seconds in all: small record counts, but many wraps of each ring.
import assert from "node:assert/strict";
import { decoderFor } from "../src/codec/decode.ts";
import { runConfig } from "../src/bench/runner.ts";
import type { RunSpec } from "../src/bench/types.ts";
import type { WaitStrategy } from "../src/ring/doorbell.ts";
import { ringGeometry, type RingLayoutId } from "../src/ring/geometry.ts";
import { createRingBuffer } from "../src/ring/region.ts";

const RECORDS = 12_000; // 23 laps of the 512-slot ring, 8 of the 1365-slot one
const TIMEOUT_MS = 20_000;

function spec(over: Partial<RunSpec>): RunSpec {
  return {
    transport: "ring",
    layout: "dma-fault",
    placement: "region",
    batch: 16,
    wait: "spin",
    records: RECORDS,
    durationMs: 0,
    ...over,
  };
}

/** Checks the captured records: record i carries seq i, read with the codec's decoder. */
function assertInOrder(capture: SharedArrayBuffer, layout: RingLayoutId, count: number) {
  const g = ringGeometry(layout);
  const decode = decoderFor(g.abi);
  const dv = new DataView(capture);
  for (let i = 0; i < count; i++) {
    const rec = decode(dv, i * g.entrySize, true);
    const addr = g.abi === "rfc3" ? rec.addr : (rec.event as Record<string, unknown>).addr;
    if (addr !== BigInt(i) << 12n) {
      assert.fail(
        `record ${i} carries page ${(addr as bigint) >> 12n}: lost, duplicated or reordered`,
      );
    }
  }
}

for (const layout of ["rfc3", "dma-fault"] as RingLayoutId[]) {
  for (const wait of ["spin", "spin-wait"] as WaitStrategy[]) {
    // 1: publish per record; 7: batches that do not divide either capacity; 600: more than
    // the dma-fault ring holds, so the producer fills it to the one empty slot.
    for (const batch of [1, 7, 600]) {
      Deno.test(`${layout} ${wait} batch ${batch}: every record once, in order, intact`, async () => {
        const g = ringGeometry(layout);
        const capture = new SharedArrayBuffer(RECORDS * g.entrySize);
        const r = await runConfig(spec({ layout, wait, batch, capture, spinUs: 5 }), {
          timeoutMs: TIMEOUT_MS,
        });
        assert.deepEqual(r.problems, []);
        assert.equal(r.verified, true);
        assert.equal(r.producer!.stats.records, RECORDS);
        assert.equal(r.consumer!.stats.records, RECORDS);
        assert.deepEqual(r.consumer!.verify, {
          ok: RECORDS,
          lost: 0,
          duplicatedOrReordered: 0,
          torn: 0,
          clockSkew: r.consumer!.verify.clockSkew,
        });
        assert.ok(r.meanBatch.producer <= Math.min(batch, g.capacity - 1));
        assertInOrder(capture, layout, RECORDS);
      });
    }
  }
}

Deno.test("full boundary: a slow consumer keeps the ring full; the producer waits, then sleeps", async () => {
  for (const wait of ["spin", "spin-wait"] as WaitStrategy[]) {
    const r = await runConfig(
      // The slow side sleeps (pauses of 1 ms and more do) rather than spins, so the test holds
      // even when other processes leave the two workers a single core between them.
      spec({ wait, batch: 64, records: 6000, consumerPauseUs: 1000, spinUs: 1, sleepMs: 5000 }),
      { timeoutMs: TIMEOUT_MS },
    );
    assert.equal(r.verified, true, r.problems.join("; "));
    const p = r.producer!.stats;
    assert.ok(p.waits > 0, "the producer never found the ring full");
    // The consumer drains everything available: at least once a full ring, 511 records.
    assert.ok(r.meanBatch.consumer > 64, `consumer drained ${r.meanBatch.consumer} per release`);
    if (wait === "spin-wait") {
      assert.ok(p.sleeps > 0, "the producer never slept on a full ring");
      assert.equal(p.timeouts, 0, "a sleeping producer was not woken: lost wake-up");
      assert.ok(r.consumer!.stats.notifies > 0);
    } else {
      assert.equal(p.sleeps, 0);
    }
  }
});

Deno.test("empty boundary: a slow producer leaves the ring empty; the consumer sleeps and is woken", async () => {
  for (const wait of ["spin", "spin-wait"] as WaitStrategy[]) {
    const r = await runConfig(
      spec({ wait, batch: 3, records: 300, producerPauseUs: 1000, spinUs: 1, sleepMs: 5000 }),
      { timeoutMs: TIMEOUT_MS },
    );
    assert.equal(r.verified, true, r.problems.join("; "));
    const c = r.consumer!.stats;
    // 100 publishes 1 ms apart: the consumer finds the ring empty between most of them (fewer
    // when other processes deschedule it for longer than a gap).
    assert.ok(c.waits >= 10, `the consumer found the ring empty only ${c.waits} times`);
    if (wait === "spin-wait") {
      assert.ok(c.sleeps > 0, "the consumer never slept on an empty ring");
      assert.equal(c.timeouts, 0, "a sleeping consumer was not woken: lost wake-up");
      // Coalesced like an eventfd: at most one notify per arming of the doorbell, not one per
      // publish (an arming that found work on its re-check may still draw one notify).
      assert.ok(r.producer!.stats.notifies <= c.arms, `${r.producer!.stats.notifies} > ${c.arms}`);
      assert.ok(r.producer!.stats.notifies > 0);
    } else {
      assert.equal(c.sleeps, 0);
    }
  }
});

Deno.test("a corrupted consumer index stops the producer safely, and the loss is reported", async () => {
  const g = ringGeometry("dma-fault");
  const guard = 4096;
  const sab = createRingBuffer(g, guard);
  const bytes = new Uint8Array(sab);
  // Canary everywhere but the indices, the setup words and the slots.
  const ringEnd = g.ringOffset + g.capacity * g.entrySize;
  const keep = new Set([g.prodOffset, g.consOffset, ...g.headerInit.map((h) => h.offset)]);
  const canary = (i: number) => (i < g.ringOffset || i >= ringEnd) && !keep.has(i & ~3);
  for (let i = 0; i < bytes.length; i++) if (canary(i)) bytes[i] = 0x5a;
  const setup = g.headerInit.map((h) => new DataView(sab).getUint32(h.offset, true));

  const r = await runConfig(
    spec({ records: 200_000, batch: 32, corruptConsAt: 3000, corruptConsValue: 9999 }),
    { sab, timeoutMs: TIMEOUT_MS },
  );
  const p = r.producer!.stats;
  const c = r.consumer!.stats;
  assert.equal(r.verified, false);
  assert.match(p.fault ?? "", /tail 9999 is out of range \(nb_entries 512\)/);
  assert.ok(r.problems.some((x) => /producer stopped: tail 9999/.test(x)), r.problems.join("; "));
  // It stopped early rather than writing on; what it published but nobody read is reported.
  assert.ok(p.records < 200_000);
  assert.ok(c.records >= 3000);
  assert.equal(r.lost, p.records - c.records);
  if (r.lost > 0) assert.ok(r.problems.some((x) => /records lost/.test(x)));
  assert.equal(r.consumer!.verify.torn, 0);
  assert.equal(r.consumer!.verify.duplicatedOrReordered, 0);
  // Nothing outside the ring was written, and the setup words are intact.
  for (let i = 0; i < bytes.length; i++) {
    if (canary(i) && bytes[i] !== 0x5a) assert.fail(`byte ${i} outside the ring was written`);
  }
  assert.deepEqual(g.headerInit.map((h) => new DataView(sab).getUint32(h.offset, true)), setup);
});

Deno.test("a producer index out of range stops the consumer; the run ends instead of hanging", async () => {
  for (const wait of ["spin", "spin-wait"] as WaitStrategy[]) {
    const r = await runConfig(
      spec({ layout: "rfc3", wait, records: 100_000, corruptProdAt: 2000 }),
      { timeoutMs: TIMEOUT_MS },
    );
    assert.equal(r.interrupted, false, "the run had to be stopped by the timeout");
    assert.match(r.consumer!.stats.fault ?? "", /prod 1368 is out of range \(size 1365\)/);
    assert.equal(r.verified, false);
    // It read what was published before the bad index, which is at most a ring's worth
    // (1364 records) more than it had read; it read nothing that was not published.
    const published = r.producer!.stats.records;
    const read = r.consumer!.stats.records;
    assert.ok(published >= 2000, `published ${published}`);
    assert.ok(read <= published && read >= published - 1364, `read ${read} of ${published}`);
    assert.equal(r.consumer!.verify.ok, read);
  }
});

Deno.test("stopping a run (Ctrl-C) ends both sides and keeps their partial reports", async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 150);
  const r = await runConfig(spec({ records: 0, durationMs: 30_000, wait: "spin-wait" }), {
    signal: ac.signal,
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(r.interrupted, true);
  assert.equal(r.verified, false);
  assert.ok(r.producer !== undefined && r.consumer !== undefined, "partial reports kept");
  assert.equal(r.consumer!.verify.torn + r.consumer!.verify.duplicatedOrReordered, 0);
  assert.ok(r.consumer!.stats.records > 0);
});
