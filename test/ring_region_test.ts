// A region image dumped from the ring is a region: the lead's region model (`inspect`) reads
// its geometry, indices and records, and the validator (`validate`) finds nothing wrong, both
// for a quiescent ring and for snapshots taken while two workers run at full speed.
import assert from "node:assert/strict";
import { decodeRecord } from "../src/codec/decode.ts";
import { openRegion, pendingSlots, slotOffset } from "../src/region/model.ts";
import { validateImage } from "../src/rules/validate.ts";
import { runConfig } from "../src/bench/runner.ts";
import { RingConsumer } from "../src/ring/consumer.ts";
import { ringGeometry, type RingLayoutId } from "../src/ring/geometry.ts";
import { RingProducer } from "../src/ring/producer.ts";
import { BenchRecordCodec } from "../src/bench/record.ts";
import { createRingBuffer, dumpRegion } from "../src/ring/region.ts";

function serious(bytes: Uint8Array) {
  return validateImage(bytes).findings.filter((f) => f.severity !== "info");
}

for (const layout of ["rfc3", "dma-fault"] as RingLayoutId[]) {
  Deno.test(`${layout}: a dump with records pending across the wrap inspects and validates`, () => {
    const g = ringGeometry(layout);
    const sab = createRingBuffer(g);
    const p = new RingProducer(sab, g);
    const c = new RingConsumer(sab, g);
    const codec = new BenchRecordCodec(g.abi === "rfc3" ? "rfc3" : "mainline");
    // Move both indices most of a lap, then leave 400 records pending across the wrap.
    let seq = 0;
    const push = (n: number) => {
      assert.equal(p.reserve(n), n);
      for (let i = 0; i < n; i++) codec.write(p.words, p.slotWord(i), seq++, 1);
      p.publish(n);
    };
    push(g.capacity - 100);
    c.available();
    c.release(g.capacity - 100);
    push(400);
    const image = dumpRegion(sab, g);
    assert.equal(image.length, g.regionSize);

    const r = openRegion(image);
    assert.equal(r.layout.id, layout, "layout inferred from the header");
    assert.equal(r.abi, g.abi);
    assert.equal(r.producer, 300);
    assert.equal(r.consumer, g.capacity - 100);
    assert.equal(r.occupancy?.pending, 400);
    const slots = pendingSlots(r);
    assert.equal(slots.length, 400);
    // The first pending record is the oldest: seq capacity - 100, in slot capacity - 100.
    const first = decodeRecord(g.abi, r.bytes, slotOffset(r, slots[0]));
    const addr = g.abi === "rfc3" ? first.addr : (first.event as Record<string, unknown>).addr;
    assert.equal(addr, BigInt(g.capacity - 100) << 12n);
    assert.deepEqual(serious(image), []);
  });
}

Deno.test("snapshots of a running ring validate: records are published only when whole", async () => {
  for (const layout of ["rfc3", "dma-fault"] as RingLayoutId[]) {
    const g = ringGeometry(layout);
    const sab = createRingBuffer(g);
    const images: Uint8Array[] = [];
    const snap = setInterval(() => images.push(dumpRegion(sab, g)), 15);
    const r = await runConfig(
      {
        transport: "ring",
        layout,
        placement: "region",
        batch: 16,
        wait: "spin-wait",
        records: 0,
        durationMs: 150,
        producerPauseUs: 2,
      },
      { sab, timeoutMs: 20_000 },
    );
    clearInterval(snap);
    assert.equal(r.verified, true, r.problems.join("; "));
    assert.ok(images.length >= 3, `only ${images.length} snapshots`);
    // A full ring is a true observation under load (IDX-FULL warns that the kernel would now
    // drop faults), not a defect of the image; anything else would be.
    for (const img of images) {
      assert.deepEqual(serious(img).filter((f) => f.rule !== "IDX-FULL"), []);
    }
  }
});
