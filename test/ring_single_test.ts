// The ring's protocol on one thread: geometry from the ABI, wrap-around at non-power-of-two
// capacities, the one-empty-slot rule at the full and empty boundaries, and hostile indices.
// Expected geometry values come from abi.md section 3, not from the code.
import assert from "node:assert/strict";
import fc from "fast-check";
import { RingConsumer } from "../src/ring/consumer.ts";
import { ringGeometry, type RingLayoutId } from "../src/ring/geometry.ts";
import { RingProducer } from "../src/ring/producer.ts";
import { BenchRecordCodec } from "../src/bench/record.ts";
import { createRingBuffer, dumpRegion } from "../src/ring/region.ts";

const LAYOUTS: RingLayoutId[] = ["rfc3", "dma-fault"];

Deno.test("geometry follows abi.md section 3 for both layouts", () => {
  const r = ringGeometry("rfc3");
  // 16-byte header {size@0, prod@4, cons@8, reserved@12}, queue at 16, (0x10000-16)/48 = 1365.
  assert.deepEqual(
    [r.prodOffset, r.consOffset, r.ringOffset, r.entrySize, r.capacity, r.regionSize],
    [4, 8, 16, 48, 1365, 0x10000],
  );
  const d = ringGeometry("dma-fault");
  // {tail@0, entry_size@4, nb_entries@8, offset@12, head@16}, ring at PAGE_SIZE, 512 x 64,
  // region ALIGN(64*512, 4096) + 4096 = 0x9000.
  assert.deepEqual(
    [d.prodOffset, d.consOffset, d.ringOffset, d.entrySize, d.capacity, d.regionSize],
    [16, 0, 4096, 64, 512, 0x9000],
  );
  // The 64-byte record in the RFC v3 region: 1023 entries, 48 bytes unused (abi.md 3.1).
  assert.equal(ringGeometry("rfc3", { abi: "mainline" }).capacity, 1023);
  assert.equal(ringGeometry("dma-fault", { pageSize: 65536 }).regionSize, 0x20000);
});

Deno.test("split placement puts each index alone on a cache line", () => {
  for (const layout of LAYOUTS) {
    const g = ringGeometry(layout, { placement: "split" });
    const line = (off: number) => Math.floor(off / 64);
    assert.notEqual(line(g.prodOffset), line(g.consOffset));
    assert.ok(line(g.ringOffset) > line(g.consOffset), "no record shares the cons line");
    assert.equal(g.capacity, ringGeometry(layout).capacity);
    assert.throws(() => dumpRegion(createRingBuffer(g), g), /not a region image/);
  }
});

Deno.test("a fresh region image has the kernel's setup words, little-endian", () => {
  const d = ringGeometry("dma-fault");
  const dv = new DataView(dumpRegion(createRingBuffer(d), d).buffer);
  assert.deepEqual(
    [0, 4, 8, 12, 16].map((o) => dv.getUint32(o, true)),
    [0, 64, 512, 4096, 0], // tail, entry_size, nb_entries, offset, head
  );
  const r = ringGeometry("rfc3");
  const rv = new DataView(dumpRegion(createRingBuffer(r), r).buffer);
  assert.deepEqual([0, 4, 8, 12].map((o) => rv.getUint32(o, true)), [1365, 0, 0, 0]);
});

/** A ring in a buffer whose bytes outside the slots and indices hold a canary. */
function canaryRing(layout: RingLayoutId) {
  const g = ringGeometry(layout);
  const guard = 256;
  const sab = createRingBuffer(g, guard);
  const bytes = new Uint8Array(sab);
  const ringEnd = g.ringOffset + g.capacity * g.entrySize;
  const header = new Set(g.headerInit.map((h) => h.offset));
  const outside = (i: number) =>
    (i < g.ringOffset || i >= ringEnd) &&
    !header.has(i & ~3) && (i & ~3) !== g.prodOffset && (i & ~3) !== g.consOffset;
  for (let i = 0; i < bytes.length; i++) if (outside(i)) bytes[i] = 0xa5;
  const untouched = () => {
    for (let i = 0; i < bytes.length; i++) {
      if (outside(i) && bytes[i] !== 0xa5) return i;
    }
    return -1;
  };
  return { g, sab, untouched };
}

for (const layout of LAYOUTS) {
  Deno.test(`${layout}: random push/pop interleavings match a FIFO model`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 1500 })), {
          minLength: 1,
          maxLength: 60,
        }),
        (ops) => {
          const { g, sab, untouched } = canaryRing(layout);
          const p = new RingProducer(sab, g);
          const c = new RingConsumer(sab, g);
          const codec = new BenchRecordCodec(g.abi === "rfc3" ? "rfc3" : "mainline");
          let written = 0;
          let read = 0;
          for (const [push, k] of ops) {
            if (push) {
              const n = p.reserve(k);
              // Space is capacity - 1 - pending: one slot always stays empty.
              assert.equal(n, Math.min(k, g.capacity - 1 - (written - read)));
              for (let i = 0; i < n; i++) codec.write(p.words, p.slotWord(i), written + i, 7);
              p.publish(n);
              written += n;
            } else {
              const n = Math.min(c.available(), k);
              assert.ok(n >= 0);
              for (let i = 0; i < n; i++) {
                assert.equal(codec.check(c.words, c.slotWord(i)), read + i);
              }
              c.release(n);
              read += n;
            }
            assert.equal(c.available(), written - read);
          }
          assert.equal(untouched(), -1, "a byte outside the ring and the indices changed");
          assert.equal(p.fault, undefined);
          assert.equal(c.fault, undefined);
        },
      ),
      { numRuns: 60 },
    );
  });

  Deno.test(`${layout}: full at capacity - 1, empty at prod == cons, across many wraps`, () => {
    const g = ringGeometry(layout);
    const sab = createRingBuffer(g);
    const p = new RingProducer(sab, g);
    const c = new RingConsumer(sab, g);
    const dv = new DataView(sab);
    for (let lap = 0; lap < 5; lap++) {
      assert.equal(p.reserve(Infinity), g.capacity - 1);
      p.publish(g.capacity - 1);
      assert.equal(p.reserve(1), 0, "full: the last free slot is the one kept empty");
      // The published prod is (cons - 1) mod capacity: the full state of abi.md 4.5.
      const cons = dv.getUint32(g.consOffset, true);
      assert.equal(dv.getUint32(g.prodOffset, true), (cons + g.capacity - 1) % g.capacity);
      assert.equal(c.available(), g.capacity - 1);
      c.release(g.capacity - 1);
      assert.equal(c.available(), 0);
      assert.equal(dv.getUint32(g.prodOffset, true), dv.getUint32(g.consOffset, true));
      // Move the indices by a prime so each lap wraps at a different slot.
      assert.equal(p.reserve(7), 7);
      p.publish(7);
      c.available();
      c.release(7);
    }
  });

  Deno.test(`${layout}: the producer stops on a hostile cons and never writes`, () => {
    const names = layout === "rfc3" ? /cons/ : /tail/;
    for (const bad of ["range", "all-ones", "overtake"] as const) {
      const { g, sab, untouched } = canaryRing(layout);
      const p = new RingProducer(sab, g);
      assert.equal(p.reserve(10), 10);
      p.publish(10);
      const before = new Uint8Array(sab).slice();
      const dv = new DataView(sab);
      // overtake: claims 20 records consumed when only 10 were published.
      const value = bad === "range" ? g.capacity : bad === "all-ones" ? 0xffffffff : 20;
      dv.setUint32(g.consOffset, value, true);
      // Space already seen is used without reading cons again...
      assert.equal(p.reserve(5), 5);
      // ...and the first read of cons (when more is needed) finds the bad value and stops.
      assert.equal(p.reserve(g.capacity), -1);
      assert.match(p.fault!.reason, names);
      assert.match(p.fault!.reason, new RegExp(String(value)));
      assert.equal(p.fault!.value, value);
      // It stays stopped even if cons looks sane again.
      dv.setUint32(g.consOffset, 0, true);
      assert.equal(p.reserve(5), -1);
      assert.match(p.fault!.reason, layout === "rfc3" ? /cons|size/ : /tail|nb_entries/);
      const after = new Uint8Array(sab);
      for (let i = 0; i < after.length; i++) {
        if ((i & ~3) !== g.consOffset) assert.equal(after[i], before[i], `byte ${i} changed`);
      }
      assert.equal(untouched(), -1);
    }
  });

  Deno.test(`${layout}: the consumer stops on a hostile prod instead of looping`, () => {
    for (const bad of ["range", "back"] as const) {
      const g = ringGeometry(layout);
      const sab = createRingBuffer(g);
      const p = new RingProducer(sab, g);
      const c = new RingConsumer(sab, g);
      p.reserve(10);
      p.publish(10);
      assert.equal(c.available(), 10);
      const dv = new DataView(sab);
      dv.setUint32(g.prodOffset, bad === "range" ? 0xfffffff0 : 4, true);
      assert.equal(c.available(), -1);
      assert.match(c.fault!.reason, bad === "range" ? /out of range/ : /moved back/);
      assert.equal(c.available(), -1, "stays stopped");
    }
  });
}

Deno.test("copyIn writes a staged batch across the wrap exactly as slot-by-slot writes do", () => {
  for (const layout of LAYOUTS) {
    const g = ringGeometry(layout);
    const codec = new BenchRecordCodec(g.abi === "rfc3" ? "rfc3" : "mainline");
    const [a, b] = [createRingBuffer(g), createRingBuffer(g)];
    const [pa, pb] = [new RingProducer(a, g), new RingProducer(b, g)];
    const [ca, cb] = [new RingConsumer(a, g), new RingConsumer(b, g)];
    // Park both rings 5 slots before the end, then write 12 records: 5 at the end, 7 at 0.
    for (const [p, c] of [[pa, ca], [pb, cb]] as const) {
      p.publish(g.capacity - 5);
      c.available();
      c.release(g.capacity - 5);
    }
    assert.equal(pa.reserve(12), 12);
    assert.equal(pb.reserve(12), 12);
    const stage = new Int32Array(12 * codec.words);
    for (let i = 0; i < 12; i++) {
      codec.write(stage, i * codec.words, 100 + i, 9);
      codec.write(pb.words, pb.slotWord(i), 100 + i, 9);
    }
    pa.copyIn(new Uint8Array(stage.buffer), 12);
    pa.publish(12);
    pb.publish(12);
    assert.deepEqual(new Uint8Array(a), new Uint8Array(b));
    assert.equal(ca.available(), 12);
    for (let i = 0; i < 12; i++) assert.equal(codec.check(ca.words, ca.slotWord(i)), 100 + i);
  }
});
