/**
 * Hostile and degenerate input: empty, binary garbage, invalid UTF-8 (decoded with U+FFFD as a
 * reader does), 1 MB lines, CR-only text, and chunk boundaries anywhere: never a throw, never a
 * fault invented, never one lost.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { KlogParser, parseKlog } from "../src/klog/parser.ts";
import type { FaultEvent, LossEvent } from "../src/klog/types.ts";

const LOG = await Deno.readTextFile(
  new URL("../testdata/klog/vectors_logs_md_9.log", import.meta.url),
);

Deno.test("empty input: no events, no lines", () => {
  const { events, parser } = parseKlog("");
  assert.equal(events.length, 0);
  assert.equal(parser.lines, 0);
});

Deno.test("binary garbage and invalid UTF-8 do not throw or invent faults", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
      const text = new TextDecoder().decode(bytes); // U+FFFD for invalid sequences
      const { events } = parseKlog(text);
      for (const e of events) assert.ok(e.type === "fault" || e.type === "loss");
    }),
    { numRuns: 300 },
  );
  const bad = new TextDecoder().decode(new Uint8Array([0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x0a]));
  assert.equal(parseKlog(bad).events.length, 0);
});

Deno.test("a 1 MB line between two faults: both faults, right line numbers", () => {
  const fault = "[  1.0] virtio_iommu virtio0: page fault from EP 8 at 0x12340000 [W]";
  const text = `${fault}\n${"A".repeat(1 << 20)}DMAR\n${fault}\n`;
  const { events, parser } = parseKlog(text);
  assert.deepEqual(events.map((e) => e.line), [1, 3]);
  assert.equal(parser.lines, 3);
});

Deno.test("a line of several MB with no newline is processed, memory stays bounded", () => {
  const p = new KlogParser({ onEvent: () => {} });
  for (let i = 0; i < 6; i++) p.push("x".repeat(1 << 20));
  p.end();
  // Past 4 MiB without a newline the text so far is taken as a line of its own.
  assert.equal(p.lines, 2);
});

Deno.test("CRLF line ends give the same events as LF", () => {
  const a = parseKlog(LOG).events;
  const b = parseKlog(LOG.replaceAll("\n", "\r\n")).events;
  assert.deepEqual(b.map(key), a.map(key));
});

function key(e: FaultEvent | LossEvent): string {
  return e.type === "fault"
    ? `${e.line} ${e.vendor} ${e.device} ${e.code} ${e.addr}`
    : `${e.line} ${e.kind} ${e.count}`;
}

Deno.test("chunk boundaries anywhere give the same events (streaming)", () => {
  const whole = parseKlog(LOG).events.map(key);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: LOG.length }), { maxLength: 8 }), (cuts) => {
      const at = [...new Set(cuts)].sort((x, y) => x - y);
      const out: string[] = [];
      const p = new KlogParser({ onEvent: (e) => out.push(key(e)) });
      let prev = 0;
      for (const c of at) (p.push(LOG.slice(prev, c)), prev = c);
      p.push(LOG.slice(prev));
      p.end();
      assert.deepEqual(out, whole);
    }),
    { numRuns: 100 },
  );
});

Deno.test("SMMUv3 state stays bounded: dumps from more SMMUs than maxGroups are closed as truncated", () => {
  const lines: string[] = [];
  for (let i = 0; i < 100; i++) lines.push(`arm-smmu-v3 s${i}.auto: event 0x10 received:`);
  const out: FaultEvent[] = [];
  const p = new KlogParser({ maxGroups: 8, onEvent: (e) => e.type === "fault" && out.push(e) });
  p.push(lines.join("\n") + "\n");
  assert.equal(out.length, 92); // closed as the 9th, 10th, ... arrived
  p.end();
  assert.equal(out.length, 100);
  assert.ok(out.every((e) => e.truncated));
});

Deno.test("a VT-d reason that is neither %02d nor 0x%02x is a line that does not parse, not NaN", () => {
  // The line the klog fuzz target found: a 5.15+ (V4) report whose reason lost its `0x` and
  // reads `ffffffff`. Every kernel prints the reason `%02d` (V0-V2) or `0x%02x` (V3, V4), so no
  // kernel printed this line: it is counted and kept for -v, and no fault is invented from it.
  const line =
    "DMAR: [DMA Read NO_PASID] Request device [3b:00.0] fault addr 0xfee05000 [fault reason ffffffff] PTE Read access is not set";
  const { events, parser } = parseKlog(`[  812.1] ${line}\n`);
  assert.deepEqual(events, []);
  assert.equal(parser.unparsedCount, 1);
  assert.equal(parser.unparsed[0].line, 1);
  assert.equal(parser.unparsed[0].looksLike, "VT-d fault");
  // The same for an interrupt-remapping fault; decimal and 0x reasons still decode.
  const ir = parseKlog(
    "DMAR: [INTR-REMAP] Request device [f0:1f.0] fault index 0x18 [fault reason 2f] x\n",
  );
  assert.equal(ir.events.length, 0);
  assert.equal(ir.parser.unparsedCount, 1);
  const ok = parseKlog(
    "DMAR: [DMA Read] Request device [00:02.0] fault addr 1000 [fault reason 06] PTE Read access is not set\n" +
      "DMAR: [INTR-REMAP] Request device [f0:1f.0] fault index 0x18 [fault reason 0x25] Blocked a compatibility format interrupt request\n",
  ).events as FaultEvent[];
  assert.deepEqual(ok.map((e) => [e.code, e.generation]), [[6, "V1"], [0x25, "V4"]]);
});

Deno.test("a /dev/kmsg gap ends an SMMUv3 dump: no event is built from words on both sides", () => {
  // arm_smmu_evtq_thread prints the `event 0x.. received:` line and each of the 4 dwords as
  // records of their own. Records 102-105 (A's last 3 words and B's head) were overwritten.
  const u = "arm-smmu-v3 arm-smmu-v3.0.auto: ";
  const text = [
    `6,100,1000,-;${u}event 0x10 received:`,
    `6,101,1001,-;${u}\\x090x0000010000000010`, // A: F_TRANSLATION, sid 0x100
    `6,106,1010,-;${u}\\x090x0000020000000010`, // B's words
    `6,107,1011,-;${u}\\x090x00000000bbbb0000`,
    `6,108,1012,-;${u}\\x090x00000000aaaa0000`,
    `6,109,1013,-;${u}\\x090x0000000000000000`,
  ].join("\n") + "\n";
  const { events, parser } = parseKlog(text);
  const f = events.filter((e): e is FaultEvent => e.type === "fault");
  const l = events.filter((e): e is LossEvent => e.type === "loss");
  assert.deepEqual(l.map((x) => [x.kind, x.count]), [["kmsg-gap", 4]]);
  assert.equal(f.length, 1);
  assert.equal(f[0].code, 0x10);
  assert.equal(f[0].addr, null); // A's address was in a lost record, not B's third word
  assert.equal(f[0].truncated, true);
  // B's words have no head line left: each is a report that does not parse, not a fault.
  assert.equal(parser.unparsedCount, 4);
});
