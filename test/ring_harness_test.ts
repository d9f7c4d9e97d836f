// The benchmark harness around the ring: the C11 reference moves exactly the TypeScript
// ring's records in the same layout, the minimal ring baseline verifies what it moves, the
// workers say which CPUs they ran on, and the counters of index loads follow the protocol.
import assert from "node:assert/strict";
import { buildCReference, cReferenceArgs, removeCReference } from "../src/bench/c_reference.ts";
import { parseCpuinfo, statProcessor } from "../src/bench/machine.ts";
import { BenchRecordCodec } from "../src/bench/record.ts";
import { runConfig } from "../src/bench/runner.ts";
import type { RunSpec } from "../src/bench/types.ts";
import { RingConsumer } from "../src/ring/consumer.ts";
import { ringGeometry, type RingLayoutId } from "../src/ring/geometry.ts";
import { RingProducer } from "../src/ring/producer.ts";
import { createRingBuffer } from "../src/ring/region.ts";

const TIMEOUT_MS = 20_000;

function spec(over: Partial<RunSpec>): RunSpec {
  return {
    transport: "ring",
    layout: "dma-fault",
    placement: "region",
    batch: 16,
    wait: "spin",
    records: 20_000,
    durationMs: 0,
    ...over,
  };
}

Deno.test("the C reference gets the region layouts of abi.md section 3 and the records' words", () => {
  const d = cReferenceArgs(spec({ transport: "c-reference" }));
  // dma-fault: head@16, tail@0, ring at PAGE_SIZE, 64-byte entries, 512 of them, 0x9000 bytes.
  assert.deepEqual(d.slice(0, 2), ["-g", "16,0,4096,64,512,36864"]);
  // mainline iommu_fault (abi.md 2.5): type 1 DMA_UNRECOV, reason 4 WALK_EABT, flags 7
  // (PASID, ADDR, FETCH_ADDR valid), perm 1 READ; pasid word 4, addr words 6-7, fetch_addr 8-9.
  assert.deepEqual(d.slice(2, 6), ["-t", "1,0,4,7,0,1,0,0,0,0,0,0,0,0,0,0", "-f", "4,6,7,8,9"]);
  const r = cReferenceArgs(spec({ transport: "c-reference", layout: "rfc3", batch: 7 }));
  // rfc3: {size@0, prod@4, cons@8}, queue at 16, 1365 x 48 bytes in 0x10000.
  assert.deepEqual(r.slice(0, 2), ["-g", "4,8,16,48,1365,65536"]);
  assert.deepEqual(r.slice(r.indexOf("-b"), r.indexOf("-b") + 2), ["-b", "7"]);
  assert.ok(r.includes("-n") && !r.includes("-d"), "a record-count run, not a timed one");
});

for (const layout of ["rfc3", "dma-fault"] as RingLayoutId[]) {
  Deno.test(`C reference, ${layout}: its records are the TypeScript ring's, byte for byte`, async () => {
    const c = await buildCReference();
    if (!c.ok) {
      // Without a compiler the command says so (tested in ring_bench_cli_test.ts).
      console.log(`skipped: ${c.reason}`);
      return;
    }
    try {
      const g = ringGeometry(layout);
      const records = 3 * g.capacity + 17; // several laps, ending mid-ring
      const dump = `${c.dir}/region.bin`;
      const args = [
        ...cReferenceArgs(spec({ transport: "c-reference", layout, records })),
        "-x",
        dump,
      ];
      const out = await new Deno.Command(c.binary, { args, stdout: "piped", stderr: "piped" })
        .output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      const j = JSON.parse(new TextDecoder().decode(out.stdout));
      assert.equal(j.verified, true);
      assert.equal(j.ok, records);
      assert.equal(j.consumer.records, records);
      // The region the C ring leaves behind: indices where the protocol says, and the last
      // lap of records as the TypeScript codec writes and checks them.
      const bytes = await Deno.readFile(dump);
      const dv = new DataView(bytes.buffer);
      const end = records % g.capacity;
      assert.equal(dv.getUint32(g.prodOffset, true), end);
      assert.equal(dv.getUint32(g.consOffset, true), end);
      const codec = new BenchRecordCodec(g.abi === "rfc3" ? "rfc3" : "mainline");
      const w = new Int32Array(bytes.buffer, 0, bytes.length >> 2);
      for (let back = 1; back < g.capacity; back++) {
        const slot = (end - back + g.capacity) % g.capacity;
        const seq = codec.check(w, (g.ringOffset + slot * g.entrySize) >> 2);
        assert.equal(seq, records - back, `slot ${slot}`);
      }
    } finally {
      await removeCReference(c);
    }
  });
}

Deno.test("C reference: spin-wait sleeps on a slow producer and is woken, every record verified", async () => {
  const c = await buildCReference();
  if (!c.ok) return;
  try {
    const { runCReference } = await import("../src/bench/c_reference.ts");
    const r = await runCReference(
      c,
      // Sleeps end by the doorbell or after 5 s: a timeout here is a lost wake-up, not load.
      spec({
        transport: "c-reference",
        wait: "spin-wait",
        batch: 1,
        records: 30,
        producerPauseUs: 5000,
        sleepMs: 5000,
      }),
    );
    assert.deepEqual(r.problems, []);
    assert.equal(r.verified, true);
    const cs = r.consumer!.stats;
    assert.ok(cs.sleeps > 0, "the consumer never slept between records 5 ms apart");
    assert.equal(cs.timeouts, 0, "a sleeping consumer was not woken: lost wake-up");
    assert.ok(r.producer!.stats.notifies > 0 && r.producer!.stats.notifies <= cs.arms);
    assert.ok(r.latencyNs.p50 > 0 && r.latencyNs.p50 <= r.latencyNs.max);
  } finally {
    await removeCReference(c);
  }
});

Deno.test("minimal ring: every record checked, both checksums agree, nothing lost", async () => {
  for (const batch of [1, 256, 5000]) {
    const r = await runConfig(spec({ transport: "minimal-ring", batch, records: 50_000 }), {
      timeoutMs: TIMEOUT_MS,
    });
    assert.deepEqual(r.problems, [], `batch ${batch}`);
    assert.equal(r.verified, true);
    assert.equal(r.producer!.stats.records, 50_000);
    assert.equal(r.consumer!.stats.records, 50_000);
    assert.equal(r.consumer!.verify.ok, 50_000);
    assert.equal(r.producer!.stats.checksum, r.consumer!.stats.checksum);
    assert.ok(r.recordSize === 64 && r.recordsPerS > 0);
    // At most 1022 records in flight (one of 1023 slots stays empty).
    assert.ok(r.meanBatch.consumer <= 1022);
  }
});

Deno.test("each side reports the CPUs its thread ran on, as the OS tells", async () => {
  const r = await runConfig(spec({ records: 50_000 }), { timeoutMs: TIMEOUT_MS });
  assert.equal(r.verified, true);
  let known = true;
  try {
    Deno.readTextFileSync("/proc/thread-self/stat");
  } catch {
    known = false;
  }
  for (const st of [r.producer!.stats, r.consumer!.stats]) {
    if (!known) {
      assert.deepEqual(st.cpus, []);
      continue;
    }
    assert.ok(st.cpus.length >= 1);
    for (const cpu of st.cpus) assert.ok(Number.isInteger(cpu) && cpu >= 0);
    assert.deepEqual(st.cpus, [...new Set(st.cpus)].sort((a, b) => a - b));
  }
});

Deno.test("proc(5): the CPU is field 39 of a stat line, counted after the command's last ')'", () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // field n holds "n"
  assert.equal(statProcessor(`1 (cat) ${fields.join(" ")}`), 39);
  assert.equal(statProcessor(`1 (a) (b) c) ${fields.join(" ")}`), 39);
  assert.equal(statProcessor("garbage"), null);
  assert.equal(statProcessor("1 (short) R 2 3"), null);
});

Deno.test("cpuinfo: the model name and the distinct (package, core) pairs", () => {
  const text =
    [0, 1, 2, 3].map((p) =>
      `processor\t: ${p}\nmodel name\t: Intel(R) Xeon(R) Gold 6338\nphysical id\t: ${
        p >> 1
      }\ncore id\t\t: ${p & 1}\n`
    ).join("\n") + "\nprocessor\t: 4\nmodel name\t: Intel(R) Xeon(R) Gold 6338\n" +
    "physical id\t: 0\ncore id\t\t: 0\n"; // an SMT sibling of CPU 0
  assert.deepEqual(parseCpuinfo(text), {
    model: "Intel(R) Xeon(R) Gold 6338",
    cores: 4,
    processors: 5,
  });
  // arm64 kernels print no model name and no core id: unknown, not guessed.
  assert.deepEqual(parseCpuinfo("processor\t: 0\nBogoMIPS\t: 50.00\n"), {
    model: null,
    cores: null,
    processors: 1,
  });
});

Deno.test("the producer reads the consumer index once per lap, not once per batch", () => {
  const g = ringGeometry("dma-fault"); // 512 slots, 511 usable
  const sab = createRingBuffer(g);
  const p = new RingProducer(sab, g);
  const c = new RingConsumer(sab, g);
  let publishes = 0;
  for (let i = 0; i < 320; i++) {
    const n = p.reserve(16);
    assert.equal(n, 16);
    p.publish(n);
    publishes++;
    c.release(c.available()); // the consumer keeps up
  }
  // A fresh ring shows 511 free slots without a load (511 = 31 x 16 + 15), so the 32nd
  // reserve is the first to load cons; it finds 511 free, takes 16, and the 495 left last 30
  // more batches: from then on one load per 31 batches.
  assert.equal(p.consLoads, Math.floor((publishes - 32) / 31) + 1);
  // The consumer loads prod on every poll.
  assert.equal(c.prodLoads, publishes);
});
