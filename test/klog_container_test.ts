/**
 * The same fault in every container of logs.md 9.5, plus pasted text (quoting, prompts, CRLF,
 * a timestamp wrapped onto its own line), `/dev/kmsg` escaping and sequence gaps, and journal
 * JSON. Each must give the same decoded fault and the container's own timestamp.
 */
import assert from "node:assert/strict";
import { detectFormat, stripLine } from "../src/klog/container.ts";
import { parseKlog } from "../src/klog/parser.ts";
import type { FaultEvent, LossEvent } from "../src/klog/types.ts";

const MSG =
  "DMAR: [DMA Read NO_PASID] Request device [3b:00.0] fault addr 0xfee00000 [fault reason 0x06] PTE Read access is not set";

function fault(text: string, format?: Parameters<typeof parseKlog>[1]): FaultEvent {
  const f = parseKlog(text, format).events.filter((e): e is FaultEvent => e.type === "fault");
  assert.equal(f.length, 1, JSON.stringify(text));
  assert.equal(f[0].device, "0000:3b:00.0");
  assert.equal(f[0].code, 6);
  assert.equal(f[0].addr, "0xfee00000");
  return f[0];
}

Deno.test("dmesg, dmesg -r, dmesg -x: kernel seconds since boot", () => {
  assert.equal(fault(`[  812.004421] ${MSG}\n`).time.boot, 812.004421);
  assert.equal(fault(`<3>[  812.004421] ${MSG}\n`).time.boot, 812.004421);
  assert.equal(fault(`kern  :err   : [  812.004421] ${MSG}\n`).time.boot, 812.004421);
});

Deno.test("dmesg -T and --time-format iso: wall clock", () => {
  const t = fault(`[Tue Mar  5 10:15:42 2024] ${MSG}\n`).time;
  assert.equal(t.text, "Tue Mar  5 10:15:42 2024");
  assert.equal(t.wall, Date.UTC(2024, 2, 5, 10, 15, 42) / 1000);
  const i = fault(`2024-03-05T10:15:42,123456+01:00 ${MSG}\n`).time;
  assert.equal(i.wall, Date.UTC(2024, 2, 5, 9, 15, 42) / 1000 + 0.123456);
});

Deno.test("journalctl -k short, short-iso, short-precise, short-monotonic", () => {
  const s = fault(`Mar 05 10:15:43 host1 kernel: ${MSG}\n`).time;
  assert.equal(s.text, "Mar 05 10:15:43");
  assert.equal(s.wall, Date.UTC(2000, 2, 5, 10, 15, 43) / 1000); // no year: placed in 2000
  assert.equal(
    fault(`2024-03-05T10:15:43+01:00 host1 kernel: ${MSG}\n`).time.wall,
    Date.UTC(2024, 2, 5, 9, 15, 43) / 1000,
  );
  assert.equal(
    fault(`Mar 05 10:15:43.101203 host1 kernel: ${MSG}\n`).time.text,
    "Mar 05 10:15:43.101203",
  );
  assert.equal(fault(`[  812.004421] host1 kernel: ${MSG}\n`).time.boot, 812.004421);
});

Deno.test("kern.log (syslog with imklog's printk stamp) keeps both times", () => {
  const t = fault(`Mar  5 10:15:43 host1 kernel: [  812.004421] ${MSG}\n`).time;
  assert.equal(t.boot, 812.004421);
  assert.equal(t.wall, Date.UTC(2000, 2, 5, 10, 15, 43) / 1000);
  assert.equal(
    stripLine(`Mar  5 10:15:43 host1 kernel: [  812.004421] ${MSG}`, "auto")?.format,
    "syslog",
  );
});

Deno.test("/dev/kmsg: header, continuation lines, \\x09 escapes, sequence gaps as loss", () => {
  const text = [
    `3,48213,812004421,-;${MSG}`,
    "3,48214,4402115021,-,caller=T57;arm-smmu-v3 arm-smmu-v3.0.auto: event 0x10 received:",
    " SUBSYSTEM=platform",
    " DEVICE=+platform:arm-smmu-v3.0.auto",
    "3,48215,4402115024,-;arm-smmu-v3 arm-smmu-v3.0.auto: \\x090x0000010000000010",
    "3,48216,4402115024,-;arm-smmu-v3 arm-smmu-v3.0.auto: \\x090x0000020800000000",
    "3,48217,4402115024,-;arm-smmu-v3 arm-smmu-v3.0.auto: \\x090x00000000ffff1000",
    "3,48218,4402115024,-;arm-smmu-v3 arm-smmu-v3.0.auto: \\x090x0000000000000000",
    "4,48230,817011902,-;dmar_fault: 37 callbacks suppressed",
    "4,48250,817011903,-;other: message",
  ].join("\n") + "\n";
  const { events, parser } = parseKlog(text);
  assert.equal(parser.format, "kmsg");
  const f = events.filter((e): e is FaultEvent => e.type === "fault");
  assert.equal(f[0].time.boot, 812.004421);
  assert.equal(f[1].name, "F_TRANSLATION");
  assert.equal(f[1].addr, "0xffff1000");
  const gaps = events.filter((e): e is LossEvent => e.type === "loss" && e.kind === "kmsg-gap");
  // 48218 -> 48230: 11 records; 48230 -> 48250: 19 records (logs.md 9.5).
  assert.deepEqual(gaps.map((g) => g.count), [11, 19]);
});

Deno.test("journalctl -o json: MESSAGE, monotonic and realtime timestamps", () => {
  const j = JSON.stringify({
    __REALTIME_TIMESTAMP: "1709630143101203",
    __MONOTONIC_TIMESTAMP: "1042330250",
    PRIORITY: "3",
    _SOURCE_MONOTONIC_TIMESTAMP: "1042330101",
    MESSAGE:
      "amdgpu 0000:0b:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d address=0xfffff000 flags=0x0020]",
  });
  const { events, parser } = parseKlog(j + "\n");
  assert.equal(parser.format, "journal-json");
  const e = events[0] as FaultEvent;
  assert.equal(e.device, "0000:0b:00.0");
  assert.equal(e.time.boot, 1042.330101);
  assert.equal(e.time.wall, 1709630143.101203);
  const bytes = JSON.stringify({ MESSAGE: Array.from(new TextEncoder().encode(MSG)) });
  fault(bytes + "\n", "journal-json");
});

Deno.test("pasted from an issue: quoting, prompt, CRLF, indentation, wrapped timestamp", () => {
  assert.equal(fault(`> [  812.004421] ${MSG}\r\n`).time.boot, 812.004421);
  assert.equal(fault(`> > [  812.004421] ${MSG}\n`).time.boot, 812.004421);
  fault(`    [  812.004421] ${MSG}\n`);
  fault(`$ dmesg | grep DMAR\n[  812.004421] ${MSG}\r\n`);
  const w = fault(`[  812.004421]\n${MSG}\n`);
  assert.equal(w.time.boot, 812.004421);
  // SMMUv3 words whose tab became spaces.
  const f = parseKlog(
    "arm-smmu-v3 x.auto: event 0x10 received:\narm-smmu-v3 x.auto:     0x0000010000000010\narm-smmu-v3 x.auto: 0x0000020800000000\r\narm-smmu-v3 x.auto: \t0x00000000ffff1000\narm-smmu-v3 x.auto: \t0x0000000000000000\n",
  ).events;
  assert.equal((f[0] as FaultEvent).addr, "0xffff1000");
});

Deno.test("--format forces a container; detection picks the majority", () => {
  assert.equal(detectFormat([`[ 1.0] a`, `[ 2.0] b`, "junk"]), "dmesg");
  assert.equal(detectFormat([`Mar 05 10:15:43 h kernel: a`]), "journal");
  assert.equal(detectFormat(["3,1,2,-;x", "3,2,3,-;y"]), "kmsg");
  assert.equal(detectFormat(["hello"]), "plain");
  fault(`3,48213,812004421,-;${MSG}\n`, "kmsg");
  // A kmsg line read as dmesg is not a kmsg record: the message is still found in the text.
  assert.equal(fault(`[  812.004421] ${MSG}\n`, "dmesg").time.boot, 812.004421);
});
