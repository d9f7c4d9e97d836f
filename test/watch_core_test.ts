/**
 * The pure core of `watch` beside the region follower: the exposition formats (against the
 * Prometheus 0.0.4 and OpenMetrics 1.0 texts), the record-stream follower with vEVENTQ loss
 * accounting (abi.md 5.3, a kernel-faithful queue model in watch_writers.ts), the kernel-log
 * follower with /dev/kmsg gaps (logs.md 8.1), the metrics a fault and a loss update, and labels.
 */
import assert from "node:assert/strict";
import type { WatchLoss, WatchSink } from "../src/watch/events.ts";
import { WatchMetrics } from "../src/watch/exporter.ts";
import { KlogFollower } from "../src/watch/klog.ts";
import { faultLabels, recordLabeler } from "../src/watch/labels.ts";
import { escapeLabel, negotiate, Registry } from "../src/watch/metrics.ts";
import { StreamFollower } from "../src/watch/stream.ts";
import { dmarNumber, kmsgRecords, veventNumber, VeventQueueModel } from "./watch_writers.ts";

// --- exposition formats ----------------------------------------------------------------------

Deno.test("0.0.4 text: HELP and TYPE on the sample name, counters end in _total, escaping", () => {
  const r = new Registry();
  const c = r.counter("x_events", 'Events, with a back\\slash\nand "quotes".', ["source"]);
  r.gauge("x_up", "Up.", ["source"]).set(['a"b\\c\nd'], 1);
  r.info("x_build", "Build.", ["version"]).set(["1.0"], 1);
  r.counter("x_empty", "No sample yet.", ["source"]);
  c.inc(["s"], 3);
  assert.equal(
    r.render("prometheus"),
    [
      // 0.0.4 escapes backslash and line feed in HELP, not the double quote.
      '# HELP x_events_total Events, with a back\\\\slash\\nand "quotes".',
      "# TYPE x_events_total counter",
      'x_events_total{source="s"} 3',
      "# HELP x_up Up.",
      "# TYPE x_up gauge",
      'x_up{source="a\\"b\\\\c\\nd"} 1',
      "# HELP x_build_info Build.",
      "# TYPE x_build_info gauge",
      'x_build_info{version="1.0"} 1',
      "# HELP x_empty_total No sample yet.",
      "# TYPE x_empty_total counter",
      "",
    ].join("\n"),
  );
});

Deno.test("OpenMetrics 1.0: family names without _total/_info, info type, quotes escaped, # EOF", () => {
  const r = new Registry();
  r.counter("x_events", 'Say "hi".', ["source"]).inc(["s"], 2);
  r.info("x_build", "Build.", ["version"]).set(["1.0"], 1);
  assert.equal(
    r.render("openmetrics"),
    [
      "# TYPE x_events counter",
      '# HELP x_events Say \\"hi\\".',
      'x_events_total{source="s"} 2',
      "# TYPE x_build info",
      "# HELP x_build Build.",
      'x_build_info{version="1.0"} 1',
      "# EOF",
      "",
    ].join("\n"),
  );
});

Deno.test("a counter's name is given without _total; counters never go down", () => {
  const r = new Registry();
  assert.throws(() => r.counter("x_total", "h", []), /without _total/);
  const c = r.counter("x", "h", []);
  assert.throws(() => c.inc([], -1), /only goes up/);
  assert.throws(() => r.gauge("x", "h", []), /registered twice/);
  assert.equal(escapeLabel("plain"), "plain");
});

Deno.test("Accept negotiation: what Prometheus sends gets OpenMetrics; curl gets 0.0.4", () => {
  // Prometheus 2.x's scrape Accept header (scrape/scrape.go, scrapeAcceptHeader).
  const prom = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;" +
    "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
  assert.equal(negotiate(prom), "openmetrics");
  assert.equal(negotiate(null), "prometheus");
  assert.equal(negotiate("*/*"), "prometheus");
  assert.equal(negotiate("text/plain;version=0.0.4"), "prometheus");
  assert.equal(negotiate("application/openmetrics-text;version=0.0.1"), "prometheus");
  assert.equal(negotiate("text/plain;q=0.9,application/openmetrics-text;q=0.5"), "prometheus");
  assert.equal(negotiate("application/openmetrics-text"), "openmetrics");
});

// --- record streams -----------------------------------------------------------------------------

interface Collected {
  faults: number[];
  losses: WatchLoss[];
  order: string[];
}

function collector(): { sink: WatchSink; c: Collected } {
  const c: Collected = { faults: [], losses: [], order: [] };
  const sink: WatchSink = {
    fault(f) {
      const n = f.kind === "vevent"
        ? veventNumber(f.payload[2])
        : f.kind === "log"
        ? dmarNumber(f.event.addr!)
        : f.dv.getUint32(f.at + 4, f.littleEndian);
      c.faults.push(n);
      c.order.push(`f${n}`);
    },
    loss(l) {
      c.losses.push(l);
      c.order.push(`loss${l.count ?? "?"}`);
    },
    finding() {},
    state() {},
  };
  return { sink, c };
}

Deno.test("fixed records cut anywhere: each decoded once, in order; a cut tail is one lost record", () => {
  // 5 hwpt-pgfault records (40 bytes, abi.md 5.1) with dev_id = record number.
  const bytes = new Uint8Array(5 * 40 + 7);
  for (let i = 0; i < 5; i++) new DataView(bytes.buffer).setUint32(i * 40 + 4, i, true);
  for (const cut of [1, 3, 39, 40, 41, 64]) {
    const { sink, c } = collector();
    const s = new StreamFollower({ abi: "hwpt-pgfault" }, sink);
    for (let o = 0; o < bytes.length; o += cut) s.push(bytes.subarray(o, o + cut), 0);
    s.end(1);
    assert.deepEqual(c.faults, [0, 1, 2, 3, 4], `chunks of ${cut}`);
    assert.equal(c.losses.length, 1);
    assert.equal(c.losses[0].cause, "partial_record");
    assert.equal(c.losses[0].count, 1);
    assert.match(c.losses[0].message, /7 bytes into a hwpt-pgfault record/);
  }
});

Deno.test("vEVENTQ: a sequence gap between delivered events loses delta - 1 (abi.md 5.3)", () => {
  // Depth 2: events 5, 6 queued, 7 lost (the LOST_EVENTS header), the reader takes one record,
  // event 8 is queued behind it and removes the header: the reader sees 5, 6, 8.
  const q = new VeventQueueModel(2, 5);
  for (let i = 0; i < 3; i++) q.report();
  const first = q.read(40);
  q.report();
  const rest = q.read();
  assert.deepEqual(q.lost, [2]);
  const { sink, c } = collector();
  const s = new StreamFollower({ abi: "vevent" }, sink);
  // Byte by byte: records are held until whole.
  for (const b of [...first, ...rest]) s.push(new Uint8Array([b]), 0);
  assert.deepEqual(c.faults, q.delivered);
  assert.deepEqual(c.order, ["f0", "f1", "loss1", "f3"]);
  assert.equal(c.losses[0].cause, "vevent_gap");
  assert.equal(s.stats.lost, q.lost.length);
});

Deno.test({
  name: "vEVENTQ overflow at depth 2: every lost event declared, counted as abi.md 5.3 says",
  fn() {
    const q = new VeventQueueModel(2);
    const reads: Uint8Array[] = [];
    // Bursts of 4 reports between reads: 2 queued, 2 lost each time.
    for (let burst = 0; burst < 5; burst++) {
      for (let i = 0; i < 4; i++) q.report();
      reads.push(q.read());
    }
    assert.equal(q.lost.length, 10);
    const { sink, c } = collector();
    const s = new StreamFollower({ abi: "vevent" }, sink);
    for (const r of reads) s.push(r, 0);
    assert.deepEqual(c.faults, q.delivered);
    // Each burst: two events, then a loss of two (the LOST_EVENTS header).
    assert.deepEqual(c.order.slice(0, 3), ["f0", "f1", "loss2"]);
    assert.equal(s.stats.lost, q.lost.length);
    assert.ok(c.losses.every((l) => l.cause === "vevent_overflow" && l.count === 2));
  },
});

Deno.test("vEVENTQ: a LOST_EVENTS header is never silent, even as the first record read", () => {
  const { sink, c } = collector();
  const s = new StreamFollower({ abi: "vevent" }, sink);
  const hdr = new Uint8Array(8);
  new DataView(hdr.buffer).setUint32(0, 1, true);
  new DataView(hdr.buffer).setUint32(4, 77, true);
  s.push(hdr, 0);
  assert.equal(c.losses.length, 1);
  assert.equal(c.losses[0].count, undefined, "how many is unknown");
  assert.equal(c.losses[0].atLeast, 1);
  assert.equal(c.losses[0].atMost, null);
});

// --- kernel log -------------------------------------------------------------------------------

Deno.test("/dev/kmsg: a sequence gap is a loss of exactly that many records, where it happened", () => {
  const { text, missing } = kmsgRecords(10, 48213, new Set([48216, 48217, 48218]));
  const { sink, c } = collector();
  const k = new KlogFollower(sink, "kmsg");
  // Read as /dev/kmsg returns them: one record per read.
  for (const rec of text.split(/(?<=\n)(?=\d)/)) k.push(rec, 0);
  k.end(1);
  assert.deepEqual(missing, [3, 4, 5]);
  assert.deepEqual(c.faults, [0, 1, 2, 6, 7, 8, 9]);
  assert.deepEqual(c.order.slice(2, 5), ["f2", "loss3", "f6"]);
  assert.equal(c.losses[0].cause, "kmsg_overwritten");
  assert.equal(c.losses[0].unit, "records");
  assert.match(c.losses[0].message, /kmsg overwrote 3 records .*48215 -> 48219/);
});

Deno.test("/dev/kmsg: after the sequence starts over (a new boot, a buffer read again), gaps count from there", () => {
  // Sequence numbers only grow within one boot (logs.md 8.1); a writer that starts over (a FIFO
  // fed by another boot's /dev/kmsg, or the same buffer read again from its oldest record) once
  // left the last number at the old high mark, and every gap below it went unsaid.
  const a = kmsgRecords(3, 100, new Set());
  const b = kmsgRecords(6, 0, new Set([2, 3, 4]));
  const { sink, c } = collector();
  const k = new KlogFollower(sink, "kmsg");
  for (const rec of (a.text + b.text).split(/(?<=\n)(?=\d)/)) k.push(rec, 0);
  k.end(1);
  assert.equal(c.losses.length, 1);
  assert.equal(c.losses[0].cause, "kmsg_overwritten");
  assert.equal(c.losses[0].count, 3);
  assert.match(c.losses[0].message, /sequence 1 -> 5/);
});

// --- metrics and labels -----------------------------------------------------------------------

Deno.test("metrics: faults by labels with the device cap, losses exact or as events only", () => {
  const m = new WatchMetrics({ maxDevices: 2, version: "0.1.0", runtime: "2.9.6" });
  m.addSource("k", "kmsg");
  m.addSource("q", "stream");
  for (const d of ["0000:3b:00.0", "0000:3c:00.0", "0000:3d:00.0", "0000:3e:00.0"]) {
    m.fault("k", { vendor: "intel", device: d, code: "6", name: "x" });
  }
  m.loss("q", { time: 0, cause: "vevent_overflow", unit: "faults", count: 2, message: "" });
  m.loss("k", { time: 0, cause: "kmsg_overwritten", unit: "records", count: 37, message: "" });
  m.loss("q", {
    time: 0,
    cause: "vevent_overflow",
    unit: "faults",
    atLeast: 1,
    atMost: null,
    message: "",
  });
  const text = m.registry.render("prometheus");
  assert.match(
    text,
    /faultscope_faults_total\{source="k",vendor="intel",device="other",code="6",name="x"\} 2/,
  );
  assert.match(text, /faultscope_lost_faults_total\{source="q",cause="vevent_overflow"\} 2\n/);
  assert.match(text, /faultscope_loss_events_total\{source="q",cause="vevent_overflow"\} 2\n/);
  assert.match(text, /faultscope_lost_log_records_total\{source="k",cause="kmsg_overwritten"\} 37/);
  // Series exist at 0 before any loss, so that "loss > 0" alerts have something to compare.
  assert.match(text, /faultscope_loss_events_total\{source="k",cause="suppressed"\} 0/);
  assert.match(text, /faultscope_source_up\{source="k",kind="kmsg"\} 0/);
  assert.match(text, /faultscope_build_info\{version="0.1.0",deno="2.9.6"\} 1/);
  assert.doesNotMatch(text, /0x[0-9a-f]{4,}/, "no address in any label");
});

Deno.test("labels read from the bytes: reason by generation, PAGE_REQ, dev_id, vSID", () => {
  const rec = new Uint8Array(64);
  const dv = new DataView(rec.buffer);
  // mainline (abi.md 2.5): type at 0, union at 8; event.reason at 8: 6 = PERMISSION.
  dv.setUint32(0, 1, true);
  dv.setUint32(8, 6, true);
  assert.deepEqual(recordLabeler("mainline")(dv, 0, true), {
    vendor: "vfio",
    device: "",
    code: "6",
    name: "PERMISSION",
  });
  dv.setUint32(0, 2, true); // PAGE_REQ: the prm member has no reason
  assert.equal(recordLabeler("mainline")(dv, 0, true).name, "PAGE_REQ");
  dv.setUint32(0, 1, true);
  dv.setUint32(8, 0xffff, true); // a reason no generation defines
  assert.equal(recordLabeler("mainline")(dv, 0, true).name, "unknown");
  const pg = new Uint8Array(40);
  new DataView(pg.buffer).setUint32(4, 9, true); // dev_id at 4 (abi.md 5.1)
  assert.equal(recordLabeler("hwpt-pgfault")(new DataView(pg.buffer), 0, true).device, "dev_id:9");
  const l = faultLabels({
    kind: "vevent",
    time: 0,
    veventType: "arm-smmuv3",
    sequence: 0,
    flags: 0,
    payload: [0x10n | (0x42n << 32n), 0n, 0x7000n, 0n],
    position: {},
  });
  assert.deepEqual(l, {
    vendor: "arm-smmu-v3",
    device: "vsid:0x42",
    code: "16",
    name: "F_TRANSLATION",
  });
});
