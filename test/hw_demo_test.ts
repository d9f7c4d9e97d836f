/**
 * The demo's kernel log: the same text on every run, in the formats of logs.md (V4 VT-d lines,
 * E4 AMD-Vi lines, the M2 SMMUv3 dump), and what the kernel-log parser finds in it is the storm
 * it was built from: 12 VT-d read faults from 3b:00.0, 10 AMD IO_PAGE_FAULTs from 04:00.0, 6
 * SMMUv3 translation faults from SID 0x100, and three signs of loss.
 */
import assert from "node:assert/strict";
import { DEMO_STORM, demoKernelLog, demoSmmuEvent } from "../src/cli/demo_log.ts";
import { parseKlog } from "../src/klog/parser.ts";
import type { FaultEvent, LossEvent } from "../src/klog/types.ts";

Deno.test("demo log: generated the same way each time, parsed back to the storm it was built from", () => {
  const log = demoKernelLog();
  assert.equal(demoKernelLog(), log);
  assert.deepEqual(DEMO_STORM, { intel: 12, amd: 10, smmu: 6 });
  const { events } = parseKlog(log);
  const faults = events.filter((e): e is FaultEvent => e.type === "fault");
  const by = (v: string) => faults.filter((f) => f.vendor === v);
  assert.equal(by("intel").length, 12);
  assert.ok(by("intel").every((f) => f.code === 0x06 && f.device === "0000:3b:00.0"));
  assert.deepEqual(by("intel")[11].addr, "0xfee0b000");
  assert.equal(by("amd").length, 10);
  assert.ok(by("amd").every((f) => f.name === "IO_PAGE_FAULT" && f.device === "0000:04:00.0"));
  assert.deepEqual(by("amd")[0].access, ["write"]); // flags 0x070: RW set
  assert.equal(by("arm-smmu-v3").length, 6);
  assert.ok(by("arm-smmu-v3").every((f) => f.name === "F_TRANSLATION" && f.code === 0x10));
  const loss = events.filter((e): e is LossEvent => e.type === "loss");
  assert.deepEqual(loss.map((l) => [l.kind, l.count]), [
    ["suppressed", 37],
    ["suppressed", 211],
    ["overflow", null],
  ]);
  // The event the demo decodes is the storm's first SMMUv3 record (logs.md 9.3 S1's words).
  assert.equal(
    demoSmmuEvent(),
    "10 00 00 00 00 01 00 00 00 00 00 00 08 02 00 00 00 10 ff ff 00 00 00 00" + " 00".repeat(8),
  );
});
