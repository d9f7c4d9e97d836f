/**
 * `watch` end to end against sources whose ground truth is known:
 *
 * - a region written live by `simulate --realtime` (records first, then the producer index): the
 *   trace of the same run lists every fault the kernel queued, in order. Every record watch
 *   reports must be one of them, in order, and every queued fault it did not report must lie
 *   inside a loss it declared (between the last record before and the first after), with no
 *   `at_least` above what was really missed;
 * - a vEVENTQ and a /dev/kmsg stream through FIFOs, from the writers of watch_writers.ts, whose
 *   losses are known exactly.
 */
import assert from "node:assert/strict";
import { faultscope, objects, type Proc, waitFor } from "./watch_support.ts";
import { dmarNumber, kmsgRecords, veventNumber, VeventQueueModel } from "./watch_writers.ts";

/** The scenario's addresses: sequential pages from 0x100000000, so fault k is at base + 4096 k. */
const BASE = 0x100000000n;
const kOfAddr = (addr: string) => Number((BigInt(addr) - BASE) / 4096n);

function scenario(o: { name: string; arrivals: unknown; consumer: unknown; durationUs: number }) {
  return JSON.stringify({
    name: o.name,
    seed: 11,
    events: 1e9,
    duration_us: o.durationUs,
    region: { layout: "rfc3" },
    producer: {
      arrivals: o.arrivals,
      // PERMISSION faults carry their address (ADDR_VALID); one page per fault.
      mix: { reason: { PERMISSION: 1 }, address: { pattern: "sequential", pages: 4294967296 } },
    },
    consumer: o.consumer,
  });
}

type Obj = Record<string, unknown>;

/**
 * Checks watch's output against the queued faults: reported ones are queued ones, in order; the
 * others are inside declared losses. Returns how many were missed and how many losses covered them.
 */
function verify(queued: number[], out: Obj[], kOf: (o: Obj) => number) {
  const position = new Map(queued.map((k, i) => [k, i]));
  let last = -1, missed = 0, losses: Obj[] = [];
  const covering: Obj[] = [];
  for (const o of out) {
    if (o.type === "loss") {
      assert.ok(typeof o.message === "string" && o.message.length > 0);
      // A region loss is never a count: only bounds are known.
      assert.equal(o.count, undefined, `a count for ${o.cause}`);
      assert.ok("at_most" in o, "a bound-only loss says at_most (null: none)");
      losses.push(o);
      continue;
    }
    if (o.type !== "fault") continue;
    const k = kOf(o);
    const i = position.get(k);
    assert.ok(i !== undefined, `reported fault ${k} was never queued`);
    assert.ok(i > last, `fault ${k} reported out of order or twice`);
    const gap = i - last - 1;
    if (gap > 0) {
      assert.ok(losses.length > 0, `${gap} queued faults before ${k} missed with no loss declared`);
      const atLeast = losses.reduce((n, l) => n + ((l.at_least as number) ?? 0), 0);
      assert.ok(atLeast <= gap, `at least ${atLeast} declared, ${gap} missed`);
      missed += gap;
      covering.push(...losses);
    }
    losses = [];
    last = i;
  }
  return { reported: out.filter((o) => o.type === "fault").length, missed, covering, last };
}

/** Runs `simulate --realtime` on a scenario while `watch` follows the image; returns both. */
async function liveRun(scenarioText: string, watchArgs: string[], speed = 1) {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-watch-e2e-" });
  await Deno.writeTextFile(`${dir}/s.json`, scenarioText);
  const image = `${dir}/live.bin`;
  const watch = faultscope(["watch", image, "--ndjson", "--from-start", ...watchArgs]);
  let sim: Proc | undefined;
  try {
    await waitFor(() => watch.stderr.includes("waiting for it to appear"), "watch to start");
    sim = faultscope([
      "simulate",
      "--realtime",
      "--speed",
      String(speed),
      "--scenario",
      `${dir}/s.json`,
      "--out",
      image,
      "--trace",
      `${dir}/t.ndjson`,
      "--json",
    ]);
    const st = await sim.done();
    assert.equal(st.code, 0, sim.stderr);
    const trace = (await Deno.readTextFile(`${dir}/t.ndjson`)).split("\n").filter(Boolean)
      .map((l) => JSON.parse(l));
    const queued: number[] = trace.filter((e) => e.ev === "fault").map((e) => e.k);
    const lastAddr = `"addr":"0x${(BASE + 4096n * BigInt(queued.at(-1)!)).toString(16)}"`;
    // The last record the kernel wrote is always read (no later write can lap it).
    await waitFor(() => watch.stdout.includes(lastAddr), "watch to read the last record");
    watch.kill("SIGTERM");
    const ws = await watch.done();
    return { queued, trace, watch, code: ws.code, summary: JSON.parse(sim.stdout) };
  } finally {
    await sim?.stop();
    await watch.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

const faultK = (o: Obj) => kOfAddr((o.fault as Obj).addr as string);

Deno.test("a live region racing watch: every report was queued, in order; every miss is a declared loss", async () => {
  // 60,000 faults/s read every 50 ms: about 3,000 faults a poll in a 1365-slot ring, so the
  // producer laps watch again and again; a VMM that keeps up, so the ring never fills.
  const text = scenario({
    name: "watch-laps",
    arrivals: { kind: "steady", rate_per_s: 60000, start_us: 200000 },
    consumer: { service_us: 2, wake_us: 10 },
    durationUs: 1_200_000,
  });
  const r = await liveRun(text, ["--interval", "50"]);
  assert.equal(r.code, 143, "SIGTERM ends watch with 143, after the summary");
  assert.match(r.watch.stderr, /faultscope: watched 1 source .*\(SIGTERM\)/);
  assert.equal(r.summary.dropped, 0, "the kernel dropped nothing: every loss is watch's");
  const out = objects(r.watch.stdout);
  const v = verify(r.queued, out, faultK);
  assert.equal(v.last, r.queued.length - 1);
  assert.ok(v.missed > 0, "the producer lapped watch (3,000 faults a poll, 1365 slots)");
  assert.ok(v.covering.some((l) => l.cause === "lapped"));
  assert.equal(v.reported + v.missed, r.queued.length);
});

Deno.test("a storm into a stalled VMM: ring full and stall declared; records in order, misses covered", async () => {
  // Bursts of 3,000 faults every 100 ms; the VMM stalls from 350 to 650 ms: the ring fills and
  // the kernel drops new faults uncounted (abi.md 4.1).
  const text = scenario({
    name: "watch-stall",
    arrivals: { kind: "storm", burst: 3000, gap_us: 5, interval_us: 100000, start_us: 200000 },
    consumer: { service_us: 2, wake_us: 10, stalls: [{ at_us: 350000, for_us: 300000 }] },
    durationUs: 800_000,
  });
  const r = await liveRun(text, ["--interval", "10", "--stall-ms", "100"]);
  assert.equal(r.code, 143);
  assert.ok(r.summary.dropped_by_cause.full > 0, "the scenario fills the ring");
  const out = objects(r.watch.stdout);
  const v = verify(r.queued, out, faultK);
  assert.equal(v.reported + v.missed, r.queued.length);
  assert.ok(out.some((o) => o.type === "loss" && o.cause === "ring_full" && o.at_most === null));
  assert.ok(out.some((o) => o.type === "state" && o.state === "stalled"));
  assert.ok(out.some((o) => o.type === "state" && o.state === "ring_not_full"));
});

/** Writes `chunks` to a FIFO, opening it once (watch is its reader). */
async function writeFifo(path: string, chunks: Uint8Array[]) {
  const f = await Deno.open(path, { write: true });
  for (const c of chunks) await f.write(c);
  f.close();
}

Deno.test("a vEVENTQ through a FIFO: gaps counted exactly, writers come and go, a cut record is lost", async () => {
  const dir = await Deno.makeTempDir();
  const fifo = `${dir}/veq`;
  await new Deno.Command("mkfifo", { args: [fifo] }).output();
  const watch = faultscope(["watch", `${fifo},abi=vevent,label=veq`, "--ndjson"]);
  try {
    // Writer 1: depth 2; events 0, 1 queued, 2 lost, the reader takes one record, event 3
    // queued (the LOST_EVENTS header goes): the reader sees 0 | 1, 3: a gap of one.
    const q = new VeventQueueModel(2);
    for (let i = 0; i < 3; i++) q.report();
    const a = q.read(40);
    q.report();
    const b = q.read();
    await writeFifo(fifo, [a, b.subarray(0, 17), b.subarray(17)]);
    await waitFor(() => watch.stderr.includes("the writer closed"), "the first writer's end");
    // Writer 2: one event and 12 bytes of the next.
    q.report();
    q.report();
    const c = q.read();
    await writeFifo(fifo, [c.subarray(0, 52)]);
    await waitFor(
      () => objects(watch.stdout).some((o) => o.cause === "partial_record"),
      "the cut record",
    );
    const out = objects(watch.stdout);
    const faults = out.filter((o) => o.type === "fault").map((o) =>
      veventNumber(BigInt(((o.fault as Obj).evt as string[])[2]))
    );
    assert.deepEqual(faults, [0, 1, 3, 4]);
    const losses = out.filter((o) => o.type === "loss");
    assert.deepEqual(losses.map((l) => [l.cause, l.count]), [["vevent_gap", 1], [
      "partial_record",
      1,
    ]]);
    assert.deepEqual(q.lost, [2]);
  } finally {
    await watch.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "vEVENTQ overflow at depth 2 through a FIFO: each LOST_EVENTS header counted exactly",
  async fn() {
    const dir = await Deno.makeTempDir();
    const fifo = `${dir}/veq`;
    await new Deno.Command("mkfifo", { args: [fifo] }).output();
    const watch = faultscope(["watch", `${fifo},abi=vevent`, "--ndjson"]);
    try {
      const q = new VeventQueueModel(2);
      const reads: Uint8Array[] = [];
      for (let burst = 0; burst < 4; burst++) {
        for (let i = 0; i < 5; i++) q.report();
        reads.push(q.read());
      }
      await writeFifo(fifo, reads);
      await waitFor(() => watch.stderr.includes("the writer closed"), "the writer's end");
      const out = objects(watch.stdout);
      const lost = out.filter((o) => o.type === "loss").reduce(
        (n, o) => n + (o.count as number),
        0,
      );
      assert.equal(lost, q.lost.length);
      assert.deepEqual(
        out.filter((o) => o.type === "fault").map((o) =>
          veventNumber(BigInt(((o.fault as Obj).evt as string[])[2]))
        ),
        q.delivered,
      );
    } finally {
      await watch.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("/dev/kmsg records through a FIFO: the sequence gap is counted where it happened", async () => {
  const dir = await Deno.makeTempDir();
  const fifo = `${dir}/kmsg`;
  await new Deno.Command("mkfifo", { args: [fifo] }).output();
  const watch = faultscope(["watch", `${fifo},kind=kmsg`, "--ndjson"]);
  try {
    const { text, missing } = kmsgRecords(20, 48213, new Set([48220, 48221, 48222, 48223]));
    await writeFifo(fifo, [new TextEncoder().encode(text)]);
    await waitFor(
      () => objects(watch.stdout).filter((o) => o.type === "fault").length === 16,
      "16 faults",
    );
    const out = objects(watch.stdout);
    const seq = out.map((o) =>
      o.type === "loss" ? `loss ${o.count}` : String(dmarNumber((o.fault as Obj).addr as string))
    );
    assert.deepEqual(missing, [7, 8, 9, 10]);
    assert.deepEqual(seq.slice(6, 9), ["6", "loss 4", "11"]);
    const loss = out.find((o) => o.type === "loss")!;
    assert.equal(loss.cause, "kmsg_overwritten");
    assert.equal(loss.unit, "records");
  } finally {
    await watch.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "the real /dev/kmsg: a fault line written to the kernel log is reported " +
    "[opt-in: FAULTSCOPE_KMSG_TEST=1, as root; it adds a line to the host's kernel log]",
  ignore: Deno.env.get("FAULTSCOPE_KMSG_TEST") !== "1",
  async fn() {
    // --from-start: the whole buffer, then what comes; no race with watch's start.
    const watch = faultscope(["watch", "/dev/kmsg", "--ndjson", "--from-start"]);
    try {
      const tag = Date.now() % 0xfffff;
      const line = `DMAR: [DMA Read NO_PASID] Request device [3b:00.0] fault addr 0x${
        (tag * 0x1000).toString(16)
      } [fault reason 0x06] PTE Read access is not set\n`;
      const k = await Deno.open("/dev/kmsg", { write: true });
      await k.write(new TextEncoder().encode(line));
      k.close();
      await waitFor(
        () =>
          objects(watch.stdout).some((o) =>
            (o.fault as Obj)?.addr === `0x${(tag * 0x1000).toString(16)}`
          ),
        "the fault from /dev/kmsg",
      );
    } finally {
      await watch.stop();
    }
  },
});
