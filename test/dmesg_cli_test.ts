/**
 * `faultscope dmesg` through the CLI: every log container and every vendor, the filters,
 * `--check` as a CI gate, hostile input (exact input, exit code, one line on stderr), a storm
 * that folds into one row, the context files, the layout of the human output, and the JSON
 * schema of an event as the README documents it. Expected values come from logs.md (section 9
 * test vectors, section 8 containers) and the kernel's tables, not from this code's output.
 */
import assert from "node:assert/strict";
import { assertOneLineError, cli, data, type Result, spawnCli, tmpFile } from "./support/cli.ts";
import { schemaErrors } from "./support/schema.ts";

const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);

/** Runs `faultscope dmesg - ARGS` with `text` on stdin. */
function dmesg(text: string | Uint8Array, ...args: string[]): Promise<Result> {
  return cli(["dmesg", "-", ...args], { stdin: typeof text === "string" ? bytes(text) : text });
}

// deno-lint-ignore no-explicit-any
type Json = any;

/** The lines of `--ndjson` output: events, then the summary. */
function ndjson(r: Result, stderr: RegExp | "" = ""): { events: Json[]; summary: Json } {
  if (stderr === "") assert.equal(r.stderr, "", "nothing on stderr");
  else assert.match(r.stderr, stderr);
  const lines = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
  const summary = lines.pop();
  assert.equal(summary.type, "summary");
  return { events: lines, summary };
}

const faults = (events: Json[]) => events.filter((e) => e.type === "fault");
const losses = (events: Json[]) => events.filter((e) => e.type === "loss");

// logs.md 9.1 T2, the fault 9.5 shows in every container.
const T2 =
  "DMAR: [DMA Read NO_PASID] Request device [3b:00.0] fault addr 0xfee00000 [fault reason 0x06] PTE Read access is not set";

/** Asserts the decode logs.md gives for T2. */
function assertT2(e: Json): void {
  assert.equal(e.type, "fault");
  assert.equal(e.vendor, "intel");
  assert.equal(e.device, "0000:3b:00.0"); // source_id 0x3b00, segment not printed
  assert.equal(e.pasid, null);
  assert.equal(e.addr, "0xfee00000");
  assert.deepEqual(e.access, ["read"]);
  assert.equal(e.code, 0x06);
  assert.equal(e.name, "PTE Read access is not set"); // dma_remap_fault_reasons[6]
}

Deno.test("dmesg: the same fault in every container (logs.md 9.5), with its timestamp", async () => {
  const cases: [string, string, { format: string; text: string; boot?: number; wall?: number }][] =
    [
      ["dmesg", `[  812.004421] ${T2}`, {
        format: "dmesg",
        text: "[  812.004421]",
        boot: 812.004421,
      }],
      ["dmesg -r", `<3>[  812.004421] ${T2}`, {
        format: "dmesg",
        text: "[812.004421]",
        boot: 812.004421,
      }],
      ["dmesg -x", `kern  :err   : [  812.004421] ${T2}`, {
        format: "dmesg",
        text: "[  812.004421]",
        boot: 812.004421,
      }],
      ["dmesg -T", `[Tue Mar  5 10:15:42 2024] ${T2}`, {
        format: "dmesg-T",
        text: "Tue Mar  5 10:15:42 2024",
        wall: Date.UTC(2024, 2, 5, 10, 15, 42) / 1000,
      }],
      ["dmesg --time-format iso", `2024-03-05T10:15:42,123456+01:00 ${T2}`, {
        format: "dmesg-iso",
        text: "2024-03-05T10:15:42,123456+01:00",
        wall: Date.UTC(2024, 2, 5, 9, 15, 42) / 1000 + 0.123456,
      }],
      ["journalctl -k", `Mar 05 10:15:43 host1 kernel: ${T2}`, {
        format: "journal",
        text: "Mar 05 10:15:43",
        // A year-less stamp is placed in 2000 (documented in the README).
        wall: Date.UTC(2000, 2, 5, 10, 15, 43) / 1000,
      }],
      ["journalctl -o short-iso", `2024-03-05T10:15:43+01:00 host1 kernel: ${T2}`, {
        format: "journal",
        text: "2024-03-05T10:15:43+01:00",
        wall: Date.UTC(2024, 2, 5, 9, 15, 43) / 1000,
      }],
      ["journalctl -o short-precise", `Mar 05 10:15:43.101203 host1 kernel: ${T2}`, {
        format: "journal",
        text: "Mar 05 10:15:43.101203",
        wall: Date.UTC(2000, 2, 5, 10, 15, 43) / 1000 + 0.101203,
      }],
      ["kern.log", `Mar  5 10:15:43 host1 kernel: [  812.004421] ${T2}`, {
        format: "syslog",
        text: "Mar  5 10:15:43",
        boot: 812.004421,
      }],
      ["/dev/kmsg", `3,48213,812004421,-;${T2}`, {
        format: "kmsg",
        text: "812004421",
        boot: 812.004421,
      }],
      [
        "journalctl -o json",
        JSON.stringify({
          __REALTIME_TIMESTAMP: "1709630143101203",
          __MONOTONIC_TIMESTAMP: "1042330250",
          PRIORITY: "3",
          _SOURCE_MONOTONIC_TIMESTAMP: "812004421",
          MESSAGE: T2,
        }),
        { format: "journal-json", text: "812004421", boot: 812.004421 },
      ],
    ];
  for (const [name, line, want] of cases) {
    const { events, summary } = ndjson(await dmesg(line + "\n", "--ndjson"));
    assert.equal(events.length, 1, name);
    assertT2(events[0]);
    assert.equal(summary.format, want.format, name);
    assert.equal(events[0].time.text, want.text, name);
    if (want.boot !== undefined) assert.equal(events[0].time.boot, want.boot, name);
    if (want.wall !== undefined) assert.ok(Math.abs(events[0].time.wall - want.wall) < 1e-6, name);
    assert.deepEqual(events[0].raw, [line], name);
  }
});

Deno.test("dmesg: --format overrides detection (a kmsg record read as dmesg is not one)", async () => {
  const kmsg = `3,48213,812004421,-;${T2}\n`;
  assert.equal(ndjson(await dmesg(kmsg, "--ndjson", "--format", "kmsg")).events.length, 1);
  // Forced to dmesg, the record header stays in front of the kernel's text: no report found.
  const asDmesg = ndjson(await dmesg(kmsg, "--ndjson", "--format", "dmesg"));
  assert.equal(asDmesg.summary.format, "dmesg");
  assert.equal(asDmesg.events.length, 0);
  // dmesg lines forced to kmsg carry no record: nothing is found.
  const none = ndjson(await dmesg(`[  812.004421] ${T2}\n`, "--ndjson", "--format", "kmsg"));
  assert.equal(none.events.length, 0);
  const bad = await dmesg("x\n", "--format", "dmseg");
  assertOneLineError(bad, 2, "--format", "dmseg");
});

Deno.test("dmesg: every vendor of logs.md 9 through the CLI", async () => {
  const { events, summary } = ndjson(
    await cli(["dmesg", data("klog/vectors_logs_md_9.log"), "--ndjson"]),
  );
  const f = faults(events);
  const by = (v: string) => f.filter((e) => e.vendor === v);
  // T2-T4, T7-T12 (nine DMAR lines) and T14 (prq_report).
  assert.equal(by("intel").length, 10);
  // A1-A6 (A4 is two records, one event).
  assert.equal(by("amd").length, 6);
  // S1 (two dumps: 0x10 on unit 0, 0x02 on unit 1) and R1-R5.
  assert.equal(by("arm-smmu-v3").length, 7);
  assert.equal(by("arm-smmu").length, 1); // C1
  assert.equal(by("virtio-iommu").length, 2); // V1, V2
  assert.equal(by("trace").length, 1); // P1
  assert.equal(summary.faults, 27);

  // T8 (V2): reason printed in decimal, 12 = 0x0c; PASID ffffffff means none.
  const t8 = f.find((e) => e.addr === "0x8cc3e000")!;
  assert.equal(t8.code, 0x0c);
  assert.equal(t8.pasid, null);
  assert.equal(t8.generation, "V2");
  // T10: interrupt remapping, index 18 hex, reason 37 decimal = 0x25.
  const t10 = f.find((e) => e.line === 10)!;
  assert.equal(t10.code, 0x25);
  assert.equal(t10.detail.index, 0x18);
  // A1: device from the pci_err prefix, flags 0x020 = RW (write), PR clear: no mapping.
  const a1 = by("amd").find((e) => e.addr === "0xfffff000")!;
  assert.equal(a1.device, "0000:0b:00.0");
  assert.deepEqual(a1.access, ["write"]);
  assert.equal(a1.mapping, "none");
  assert.deepEqual(a1.record.flags_names, ["RW"]);
  // A2: flags 0x070 = PR + RW + PE: a present page, a permission error.
  const a2 = by("amd").find((e) => e.device === "0000:04:00.0" && e.generation === "E4")!;
  assert.equal(a2.mapping, "denied");
  // A6: UNKNOWN, code (0xa0000000 >> 28) & 0xf = 0xa, devid 0x0010 = 00:02.0.
  const a6 = by("amd").find((e) => e.code === 0xa)!;
  assert.equal(a6.device, "0000:00:02.0");
  assert.equal(a6.name, "unknown");
  // S1: F_TRANSLATION on arm-smmu-v3.0.auto, SID 0x100, read, iova 0xffff1000, grouped across
  // the interleaved lines of unit 1; C_BAD_STREAMID with SID 0x1234 on unit 1.
  const s1 = by("arm-smmu-v3").find((e) => e.line === 24)!;
  assert.equal(s1.iommu, "arm-smmu-v3.0.auto");
  assert.equal(s1.device, "sid:0x100");
  assert.equal(s1.code, 0x10);
  assert.equal(s1.name, "F_TRANSLATION");
  assert.deepEqual(s1.access, ["read"]);
  assert.equal(s1.addr, "0xffff1000");
  assert.equal(s1.raw.length, 5);
  const bad = by("arm-smmu-v3").find((e) => e.iommu === "arm-smmu-v3.1.auto")!;
  assert.equal(bad.name, "C_BAD_STREAMID");
  assert.equal(bad.device, "sid:0x1234");
  // R2: F_PERMISSION, priv data write, SSID 3, client 0000:00:01.0, ipa masked not shifted.
  const r2 = by("arm-smmu-v3").find((e) => e.code === 0x13)!;
  assert.equal(r2.device, "0000:00:01.0");
  assert.equal(r2.pasid, 3);
  assert.deepEqual(r2.access, ["write", "priv"]);
  assert.equal(r2.record.ipa, "0x81234000");
  assert.equal(r2.generation, "M2");
  assert.equal(r2.mapping, "denied");
  // C1: context bank 3, TF, write (WNR), stream 0x800.
  const c1 = by("arm-smmu")[0];
  assert.equal(c1.name, "TF");
  assert.equal(c1.device, "sid:0x800");
  assert.deepEqual(c1.access, ["write"]);
  assert.equal(c1.record.cb, 3);
  // V1: reason 2 (mapping), endpoint 8, write; V2: reason 1 (domain), no address.
  const [v1, v2] = by("virtio-iommu");
  assert.deepEqual([v1.code, v1.device, v1.addr, v1.access], [2, "ep:8", "0x12340000", ["write"]]);
  assert.deepEqual([v2.code, v2.device, v2.addr], [1, "ep:16", null]);
  // P1: the generic tracepoint, flags 0x1 = IOMMU_FAULT_WRITE, with the trace's timestamp.
  const p1 = by("trace")[0];
  assert.deepEqual([p1.device, p1.addr, p1.access], ["0000:0b:00.0", "0xfffff000", ["write"]]);
  assert.equal(p1.time.boot, 1042.3301);
  // T14: prq_report, rid 0x6a08, page 0x7f3a1 << 12, read, last in group, PASID 1, index 5.
  const t14 = by("intel").find((e) => e.generation === "prq_report")!;
  assert.deepEqual([t14.iommu, t14.device, t14.addr, t14.pasid], [
    "dmar1",
    "0000:6a:01.0",
    "0x7f3a1000",
    1,
  ]);
  assert.equal(t14.record.rid, 0x6a08);
  assert.deepEqual(t14.detail, { group_index: 5, last: true, seq: 17 });
});

Deno.test("dmesg: the loss picture of logs.md 9 (suppressed calls, overflows, restarts)", async () => {
  const { events, summary } = ndjson(
    await cli(["dmesg", data("klog/vectors_logs_md_9.log"), "--ndjson"]),
  );
  const l = losses(events).map((e) => [e.kind, e.source, e.count]);
  assert.deepEqual(l, [
    ["suppressed", "dmar_fault", 37], // T5
    ["hw-overflow", "DMAR_FSTS_REG.PFO", null], // T6: FSTS 0x103 has PFO (bit 0)
    ["overflow", "dmar1 PRQ", null], // T13
    ["suppressed", "amd_iommu_report_page_fault", 211], // A7
    ["log-restart", "Event log", null], // A8
    ["suppressed", "arm_smmu_evtq_thread", 118], // S1
    ["overflow", "arm-smmu-v3.0.auto EVTQ", null], // S1
    ["suppressed", "arm_smmu_dump_event", 9], // R6
  ]);
  // A lower bound: one fault per refused call of the AMD and SMMUv3 printers (each call prints
  // one event), a third of dmar_fault's 37 calls (an interrupt spends one on the DRHD status line,
  // one per record and one on the check that stops), one per overflow or restart.
  assert.equal(summary.lost.faults_at_least, 211 + 118 + 9 + Math.floor(37 / 3) + 4);
  const human = await cli(["dmesg", data("klog/vectors_logs_md_9.log")]);
  assert.match(human.stdout, /at least 354 faults were not logged/);
});

Deno.test("dmesg: /dev/kmsg sequence gaps are loss: records overwritten before they were read", async () => {
  const text = [
    `3,48213,812004421,-;${T2}`,
    " SUBSYSTEM=pci",
    " DEVICE=+pci:0000:3b:00.0",
    "4,48230,817011902,-;dmar_fault: 37 callbacks suppressed",
    "6,48250,817011999,-;usb 1-1: new high-speed USB device number 2 using xhci_hcd",
  ].join("\n") + "\n";
  const { events, summary } = ndjson(await dmesg(text, "--ndjson"));
  const gaps = losses(events).filter((e) => e.kind === "kmsg-gap");
  // 48213 -> 48230: 16 records; 48230 -> 48250: 19 records (logs.md 9.5).
  assert.deepEqual(gaps.map((g) => g.count), [16, 19]);
  assert.equal(summary.lost.records_lost, 35);
});

Deno.test("dmesg: filters by device, vendor, code and log time", async () => {
  const pick = async (...args: string[]) =>
    faults(
      ndjson(await cli(["dmesg", data("klog/vectors_logs_md_9.log"), "--ndjson", ...args])).events,
    );
  assert.ok((await pick("--vendor", "amd")).every((e) => e.vendor === "amd"));
  assert.equal((await pick("--vendor", "amd")).length, 6);
  assert.equal((await pick("--vendor", "amd,virtio-iommu")).length, 8);
  assert.equal((await pick("--vendor", "amd", "--vendor", "trace")).length, 7);
  // 00:02.0: T3, T9, T12 (VT-d) and A6 (devid 0x0010).
  const d = await pick("--device", "00:02.0");
  assert.deepEqual(d.map((e) => e.line).sort((a, b) => a - b), [3, 9, 12, 21]);
  assert.deepEqual(await pick("--device", "0000:00:02.0"), d);
  // 0x10 is F_TRANSLATION: the S1 dump and R1.
  const c = await pick("--code", "0x10");
  assert.deepEqual(c.map((e) => e.name), ["F_TRANSLATION", "F_TRANSLATION"]);
  assert.equal((await pick("--code", "6,5")).length, 3); // T2 (0x06), T7 and T11 (0x05)
  // Seconds since boot: A1 1042.330101, A2 1042.330190, A5 1043.001, A6 1043.002 and the
  // tracepoint P1 at 1042.330100; lines without a timestamp never match a time filter, and
  // how many faults and signs of loss that left out is said on stderr. The file's lines without
  // one: the SMMUv3 reports at lines 37, 44, 51 (dumps), 57 and 58, arm-smmu's at 60, virtio's
  // at 63 and 64 (8 faults); the PRQ overflow at 13 and arm_smmu_dump_event's ratelimit at 59.
  const windowed = await cli([
    "dmesg",
    data("klog/vectors_logs_md_9.log"),
    "--ndjson",
    "--since",
    "1000",
    "--until",
    "1045",
  ]);
  const untimed = new RegExp(
    ": 8 faults and 2 signs of loss left out by --since/--until: no timestamp",
  );
  const t = faults(ndjson(windowed, untimed).events);
  assert.equal(t.length, 5);
  assert.ok(t.every((e) => e.time.boot >= 1000 && e.time.boot <= 1045));
  // Loss events follow the vendor filter and not the device or code filters.
  const amd = ndjson(
    await cli(["dmesg", data("klog/vectors_logs_md_9.log"), "--ndjson", "--vendor", "amd"]),
  );
  assert.deepEqual(losses(amd.events).map((e) => e.kind), ["suppressed", "log-restart"]);
  assert.equal(
    losses(
      ndjson(await cli(["dmesg", data("klog/vectors_logs_md_9.log"), "--ndjson", "--code", "6"]))
        .events,
    ).length,
    0,
  );
  // Wall-clock times compare with wall-clock filters.
  const w = faults(
    ndjson(
      await cli([
        "dmesg",
        data("klog/virtio-iommu.log"),
        "--ndjson",
        "--since",
        "2024-03-05T10:15:43",
      ]),
    ).events,
  );
  assert.deepEqual(w.map((e) => e.device), ["ep:16"]);
});

Deno.test("dmesg: bad filter values are one line and exit 2", async () => {
  for (
    const [args, needle] of [
      [["--vendor", "nvidia"], "nvidia"],
      [["--code", "ten"], "--code"],
      [["--since", "yesterday"], "--since"],
      [["--until", "2024-13-45"], "--until"],
      [["--json", "--ndjson"], "--ndjson"],
      [["--bogus"], "--bogus"],
      [["--iomem", "-"], "only one input can come from stdin"],
    ] as const
  ) {
    assertOneLineError(await dmesg(`[ 1.0] ${T2}\n`, ...args), 2, needle);
  }
});

Deno.test("dmesg --check: exit 1 on a fault or a sign of loss, 0 on a clean log", async () => {
  const clean = "[    1.000000] usb 1-1: new high-speed USB device number 2 using xhci_hcd\n" +
    "[    2.000000] EXT4-fs (nvme0n1p2): mounted filesystem with ordered data mode.\n";
  const ok = await dmesg(clean, "--check");
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /0 faults in 2 lines \(dmesg\)/);
  assert.equal((await dmesg(clean + `[ 3.0] ${T2}\n`, "--check")).code, 1);
  // Loss alone fails the gate: the faults were there, the log just did not keep them.
  assert.equal(
    (await dmesg(clean + "[ 3.0] dmar_fault: 3 callbacks suppressed\n", "--check")).code,
    1,
  );
  // The gate applies to what the filters keep.
  assert.equal((await dmesg(clean + `[ 3.0] ${T2}\n`, "--check", "--vendor", "amd")).code, 0);
  // Without --check, faults are not a failure.
  assert.equal((await dmesg(clean + `[ 3.0] ${T2}\n`)).code, 0);
  // As a real process, in a pipeline, as CI runs it.
  const p = await spawnCli(["dmesg", "-", "--check", "--no-events"], {
    stdin: bytes(`[ 3.0] ${T2}\n`),
  });
  assert.equal(p.code, 1);
  assert.match(p.stdout, /1 fault in 1 line/);
  assert.equal(p.stderr, "");
});

Deno.test("dmesg: hostile input is one line on stderr and exit 2, never a stack trace", async () => {
  const dir = await Deno.makeTempDir();
  assertOneLineError(await cli(["dmesg", dir]), 2, dir, "is a directory");
  assertOneLineError(await cli(["dmesg", `${dir}/missing.log`]), 2, "missing.log", "no such file");
  const empty = await tmpFile(new Uint8Array(0), ".log");
  assertOneLineError(await cli(["dmesg", empty]), 2, empty, "empty input");
  assertOneLineError(await dmesg(new Uint8Array(0)), 2, "stdin", "empty input");
  // Binary garbage: a NUL byte in the first bytes.
  const garbage = new Uint8Array(4096).map((_, i) => (i * 7919) & 0xff);
  assertOneLineError(await dmesg(garbage), 2, "stdin", "binary data", "NUL byte at offset 0x0");
  const ctl = new Uint8Array(200).fill(0x01);
  assertOneLineError(await dmesg(ctl), 2, "binary data", "control bytes");
  // Compressed with something other than gzip: say how to decompress it.
  const xz = new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04]);
  assertOneLineError(await dmesg(xz), 2, "xz-compressed", "xz -dc");
  const zst = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
  assertOneLineError(await dmesg(zst), 2, "zstd-compressed");
  const journal = bytes("LPKSHHRH\0\0\0\0\0\0\0\0");
  assertOneLineError(await dmesg(journal), 2, "systemd journal file", "journalctl --file");
  // A truncated gzip stream.
  const gz = await gzip(bytes(`[ 1.0] ${T2}\n`.repeat(100)));
  assertOneLineError(await dmesg(gz.subarray(0, gz.length - 9)), 2, "not a valid gzip stream");
  // Context files are checked the same way, and every error names the option, the file and
  // what the option wants.
  const log = data("klog/amd.log");
  const iomem = "expected a /proc/iomem listing";
  const lspci = "expected 'lspci -mm' or 'lspci -vmm' output";
  const noRegions = await tmpFile(bytes("hello\n"), ".txt");
  const bin = await tmpFile(garbage, ".bin");
  for (const [flag, want] of [["--iomem", iomem], ["--lspci", lspci]]) {
    const side = (f: string) => cli(["dmesg", log, flag, f]);
    assertOneLineError(await side(empty), 2, `${flag} ${empty}: empty; ${want}`);
    assertOneLineError(await side(dir), 2, `${flag} ${dir}: is a directory; ${want}`);
    assertOneLineError(await side(`${dir}/gone`), 2, `${flag} ${dir}/gone: no such file; ${want}`);
    const b = await side(bin);
    assertOneLineError(b, 2, `${flag} ${bin}: binary data (a NUL byte at offset 0x0); ${want}`);
    assert.doesNotMatch(b.stderr, /kernel log/);
  }
  assertOneLineError(
    await cli(["dmesg", log, "--iomem", noRegions]),
    2,
    `--iomem ${noRegions}: no '<start>-<end> : <name>' lines; ${iomem}`,
  );
  assertOneLineError(
    await cli(["dmesg", log, "--lspci", noRegions]),
    2,
    `--lspci ${noRegions}: no devices found; ${lspci}`,
  );
});

async function gzip(b: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([b as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(s).arrayBuffer());
}

Deno.test("dmesg: gzip input, invalid UTF-8, CRLF, NUL padding and 1 MB lines are read", async () => {
  const log = `[  812.004421] ${T2}\n`;
  // kern.log.2.gz
  assertT2(ndjson(await dmesg(await gzip(bytes(log)), "--ndjson")).events[0]);
  // Invalid UTF-8 around the fault is decoded as U+FFFD; the fault is still found.
  const bad = new Uint8Array([0xc3, 0x28, 0x0a, ...bytes(log), 0xff, 0xfe, 0x0a]);
  const r = ndjson(await dmesg(bad, "--ndjson"));
  assert.equal(r.events.length, 1);
  assertT2(r.events[0]);
  assert.equal(r.summary.lines, 3);
  // CRLF line ends, and the NUL padding a crash leaves at the end of a syslog file.
  const crlf = ndjson(await dmesg(bytes(log.replace("\n", "\r\n") + "\0".repeat(64)), "--ndjson"));
  assertT2(crlf.events[0]);
  assert.equal(crlf.events[0].raw[0], `[  812.004421] ${T2}`);
  // A 1 MB line between two faults: both faults, right line numbers, one line each.
  const long = log + "A".repeat(1 << 20) + " iommu\n" + log;
  const l = ndjson(await dmesg(long, "--ndjson"));
  assert.deepEqual(l.events.map((e) => e.line), [1, 3]);
  assert.equal(l.summary.lines, 3);
});

Deno.test("dmesg: -v lists the lines that look like fault reports but do not parse", async () => {
  const text = [
    `[  1.000000] ${T2}`,
    "[  2.000000] DMAR: [DMA Read NO_PASID] Request device [zz:00.0] fault addr 0xfee00000 [fault reason 0x06] x",
    "[  3.000000] virtio_iommu virtio0: page fault from EP eight at 0x1000 [W]",
  ].join("\n") + "\n";
  const quiet = await dmesg(text);
  assert.equal(quiet.code, 0);
  assert.match(
    quiet.stdout,
    /2 lines look like fault reports but do not parse \(list them with -v\)/,
  );
  assert.doesNotMatch(quiet.stdout, /EP eight/);
  const v = await dmesg(text, "-v");
  assert.match(v.stdout, /2 lines look like fault reports but do not parse:/);
  assert.match(v.stdout, /line 2 \(VT-d fault\): .*\[zz:00\.0\]/);
  assert.match(v.stdout, /line 3 \(virtio-iommu fault\): .*EP eight/);
  const j = ndjson(await dmesg(text, "--ndjson", "-v"));
  assert.equal(j.summary.unparsed.count, 2);
  assert.deepEqual(j.summary.unparsed.lines.map((u: Json) => u.line), [2, 3]);
  assert.equal(ndjson(await dmesg(text, "--ndjson")).summary.unparsed.lines, undefined);
});

Deno.test("dmesg: an SMMUv3 dump cut short is reported as truncated", async () => {
  const text = [
    "[ 1.0] arm-smmu-v3 arm-smmu-v3.0.auto: event 0x10 received:",
    "[ 1.0] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000010000000010",
    "[ 1.0] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000020800000000",
  ].join("\n") + "\n";
  const [e] = faults(ndjson(await dmesg(text, "--ndjson")).events);
  assert.equal(e.truncated, true);
  assert.equal(e.code, 0x10);
  assert.equal(e.device, "sid:0x100");
  assert.match(e.text, /2 of 4 event words/);
  assert.match((await dmesg(text)).stdout, /F_TRANSLATION.*\[truncated dump\]/);
});

Deno.test("dmesg: a storm of a million identical lines folds into one summary row", async () => {
  const line =
    "[ 1042.330101] amdgpu 0000:0b:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d address=0xfffff000 flags=0x0020]\n";
  const n = 1_000_000;
  const r = await dmesg(line.repeat(n), "--no-events");
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.split("\n").filter((l) => l.startsWith("0000:"));
  assert.equal(rows.length, 1);
  const cells = rows[0].split(/\s+/);
  assert.deepEqual(cells.slice(0, 6), [
    "0000:0b:00.0",
    "-",
    "amd",
    "0x02",
    "IO_PAGE_FAULT",
    String(n),
  ]);
  assert.equal(cells.at(-1), "0xfffff000");
  assert.equal(cells.at(-2), "1"); // one distinct page
  assert.match(r.stdout, new RegExp(`${n} faults in ${n} lines`));
});

Deno.test("dmesg: --iomem and --lspci turn a row into an answer", async () => {
  const r = await cli([
    "dmesg",
    data("klog/amd.log"),
    "--iomem",
    data("klog/iomem.txt"),
    "--lspci",
    data("klog/lspci.txt"),
    "--no-events",
  ]);
  assert.equal(r.code, 0, r.stderr);
  // Three writes by 01:00.0 with PR clear (no translation), all inside the System RAM range
  // 0a210000-cfffffff of the iomem copy; lspci -mm names the device.
  assert.ok(
    r.stdout.includes(
      "0000:01:00.0 (Qualcomm Atheros QCA986x/988x 802.11ac Wireless Network Adapter) wrote 3 " +
        "times into System RAM at 0xcece9e50-0xcff49550 while its domain had no mapping " +
        "(IO_PAGE_FAULT)",
    ),
    r.stdout,
  );
  // 04:00.0 wrote to its own BAR with PR set (flags 0x70): a mapping that forbids it.
  assert.match(
    r.stdout,
    /0000:04:00\.0 \(Samsung .*\) wrote once into a BAR of 0000:04:00\.0 at 0xfd000000 where its mapping does not allow the access/,
  );
  const j = ndjson(
    await cli(["dmesg", data("klog/amd.log"), "--ndjson", "--iomem", data("klog/iomem.txt")]),
  );
  assert.equal(faults(j.events)[0].context.region, "System RAM");
  assert.deepEqual(j.summary.rows[0].regions, { "System RAM": 3 });
  // A copy read without root has every address zeroed: said once, regions left unnamed.
  const zero = await tmpFile(
    bytes("00000000-00000000 : System RAM\n00000000-00000000 : Reserved\n"),
  );
  const z = await cli(["dmesg", data("klog/amd.log"), "--iomem", zero, "--no-events"]);
  assert.equal(z.code, 0);
  assert.match(z.stderr, /^faultscope: --iomem \S+: every address is 0 \(read without root\)/);
});

Deno.test("dmesg: human output fits a terminal's width and stays aligned when piped", async () => {
  const log = data("klog/vectors_logs_md_9.log");
  const tty = await cli(["dmesg", log], { columns: 80, color: false });
  for (const l of tty.stdout.split("\n")) assert.ok(l.length <= 80, `${l.length}: ${l}`);
  const piped = await cli(["dmesg", log]);
  const lines = piped.stdout.split("\n");
  // Event lines: every column starts where its header does.
  const head = lines[0];
  const cols = ["DEVICE", "PASID", "RWXP", "ADDRESS", "FAULT"].map((c) => head.indexOf(c));
  for (const l of lines.slice(1, lines.indexOf(""))) {
    for (const c of cols) assert.equal(l[c - 1], " ", `column at ${c}: ${l}`);
    for (const c of cols) assert.notEqual(l[c], " ", `column at ${c}: ${l}`);
  }
  // Summary table: COUNT is right-aligned under its header.
  const th = lines.findIndex((l) => l.startsWith("DEVICE  "));
  const end = lines[th].indexOf("COUNT") + "COUNT".length;
  for (const l of lines.slice(th + 1, lines.indexOf("", th))) {
    assert.match(l.slice(0, end), /\d$/, l);
    assert.equal(l[end], " ", l);
  }
  // Long meanings are kept whole when piped.
  assert.ok(piped.stdout.includes("(often unmapped)."));
});

Deno.test("dmesg --json: {events, summary, lost}; the fault event schema of the README", async () => {
  const r = await cli(["dmesg", data("klog/vectors_logs_md_9.log"), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(j), ["events", "summary", "lost"]);
  assert.equal(faults(j.events).length, 27);
  assert.equal(losses(j.events).length, 8);
  const nullable = (t: string) => (v: unknown) => v === null || typeof v === t;
  const isStr = (v: unknown) => typeof v === "string";
  const isNum = (v: unknown) => typeof v === "number";
  const isHex = (v: unknown) => typeof v === "string" && /^0x[0-9a-f]+$/.test(v);
  const fault: Record<string, (v: unknown) => boolean> = {
    type: (v) => v === "fault",
    vendor: (v) =>
      ["intel", "amd", "arm-smmu-v3", "arm-smmu", "virtio-iommu", "trace"].includes(v as string),
    iommu: nullable("string"),
    device: nullable("string"),
    pasid: nullable("number"),
    addr: (v) => v === null || isHex(v),
    access: (v) =>
      Array.isArray(v) && v.every((a) => ["read", "write", "exec", "priv"].includes(a)),
    code: nullable("number"),
    name: isStr,
    text: isStr,
    mapping: (v) => v === null || ["none", "denied", "no-domain"].includes(v as string),
    time: (v) => {
      const t = v as Json;
      return nullable("string")(t.text) && nullable("number")(t.boot) && nullable("number")(t.wall);
    },
    line: isNum,
    generation: isStr,
    raw: (v) => Array.isArray(v) && v.length > 0 && v.every(isStr),
  };
  const optional: Record<string, (v: unknown) => boolean> = {
    truncated: (v) => v === true,
    detail: (v) => typeof v === "object" && v !== null,
    record: (v) => typeof v === "object" && v !== null,
  };
  for (const e of faults(j.events)) {
    for (const [k, ok] of Object.entries(fault)) {
      assert.ok(ok(e[k]), `${k} of ${JSON.stringify(e)}`);
    }
    for (const k of Object.keys(e)) {
      assert.ok(k in fault || (k in optional && optional[k](e[k])), `unexpected ${k}`);
    }
  }
  // The record of an SMMUv3 dump carries its four words; of an AMD event, its flags.
  const smmu = faults(j.events).find((e) => e.vendor === "arm-smmu-v3" && e.code === 0x10)!;
  assert.deepEqual(smmu.record.words, [
    "0x0000010000000010",
    "0x0000020800000000",
    "0x00000000ffff1000",
    "0x0000000000000000",
  ]);
  assert.equal(smmu.record.iommu_fault, undefined); // only with --as-iommu-fault
  const loss: Record<string, (v: unknown) => boolean> = {
    type: (v) => v === "loss",
    kind: (v) =>
      ["suppressed", "overflow", "hw-overflow", "log-restart", "kmsg-gap", "journal-missed"]
        .includes(v as string),
    vendor: nullable("string"),
    source: isStr,
    count: nullable("number"),
    faults_at_least: isNum,
    time: (v) => typeof v === "object",
    raw: Array.isArray,
    line: isNum,
  };
  for (const e of losses(j.events)) {
    assert.deepEqual(Object.keys(e).sort(), Object.keys(loss).sort());
    for (const [k, ok] of Object.entries(loss)) assert.ok(ok(e[k]), `${k} of ${JSON.stringify(e)}`);
  }
  assert.equal(j.summary.faults, 27);
  assert.equal(j.summary.format, "dmesg");
  assert.equal(j.summary.lines, 65);
  assert.ok(Array.isArray(j.summary.rows));
  assert.deepEqual(Object.keys(j.lost), ["faults_at_least", "records_lost", "signals"]);
  // --ndjson carries the same events, one a line, then the summary with the loss in it.
  const nd = ndjson(await cli(["dmesg", data("klog/vectors_logs_md_9.log"), "--ndjson"]));
  assert.deepEqual(nd.events, j.events);
  assert.deepEqual(nd.summary.lost, j.lost);
});

Deno.test("dmesg --as-iommu-fault: the iommu_fault each kernel path makes of an SMMUv3 event", async () => {
  const r = await cli(["dmesg", data("klog/smmuv3.kmsg"), "--ndjson", "--as-iommu-fault"]);
  const e = faults(ndjson(r).events).find((x) => x.code === 0x10)!;
  const conv = e.record.iommu_fault;
  assert.deepEqual(Object.keys(conv), ["mainline-5.13", "mainline-6.8", "nested-v9-v12"]);
  // abi.md 6: on the nested v9-v12 path F_TRANSLATION becomes an unrecoverable fault (type
  // DMA_UNRECOV = 1) with reason PTE_FETCH (5) and ADDR_VALID; perm READ since RnW = 1;
  // addr = dword 2. As a 64-byte mainline record.
  const n = conv["nested-v9-v12"].fault;
  assert.equal(n.type, 1);
  assert.equal(n.event.reason, 5);
  assert.deepEqual(n.event.flags_names, ["ADDR_VALID"]);
  assert.deepEqual(n.event.perm_names, ["READ"]);
  assert.equal(n.event.addr, "0xffff1000");
  assert.equal(conv["nested-v9-v12"].bytes.length, 2 * 64);
});

Deno.test("dmesg: every vendor's README example runs", async () => {
  for (
    const [file, vendor] of [
      ["intel.log", "intel"],
      ["amd.log", "amd"],
      ["smmuv3.kmsg", "arm-smmu-v3"],
      ["arm-smmu.log", "arm-smmu"],
      ["virtio-iommu.log", "virtio-iommu"],
    ]
  ) {
    const r = await cli(["dmesg", data(`klog/${file}`), "--ndjson"]);
    const f = faults(ndjson(r).events);
    assert.ok(f.length > 0 && f.every((e) => e.vendor === vendor), file);
  }
});

Deno.test({
  name:
    "dmesg: Ctrl-C on a live source (a FIFO, like /dev/kmsg) prints the summary so far, exit 130",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir();
    const fifo = `${dir}/kmsg`;
    assert.ok((await new Deno.Command("mkfifo", { args: [fifo] }).output()).success);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--cached-only",
        "-A",
        new URL("../main.ts", import.meta.url).pathname,
        "dmesg",
        fifo,
      ],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    // Opening the FIFO for writing waits for the reader: the command is then reading it.
    const w = await Deno.open(fifo, { write: true });
    await w.write(bytes(`[  812.004421] ${T2}\n`));
    await new Promise((r) => setTimeout(r, 1000)); // the line is read while the FIFO stays open
    child.kill("SIGINT");
    const out = await child.output();
    w.close();
    const dec = new TextDecoder();
    const stdout = dec.decode(out.stdout), stderr = dec.decode(out.stderr);
    assert.equal(out.code, 130, stderr);
    assert.match(stdout, /^summary {2}1 fault in 1 line \(dmesg\)$/m);
    assert.match(stdout, /PTE Read access is not set/);
    assert.equal(stderr, "faultscope: interrupted after 1 line; the summary so far is above\n");
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("dmesg: the published schemas accept its outputs and reject what the README rules out", async () => {
  const lines = (await cli(["dmesg", data("klog/vectors_logs_md_9.log"), "--ndjson", "-v"])).stdout
    .trimEnd().split("\n").map((l) => JSON.parse(l));
  for (const l of lines) assert.deepEqual(schemaErrors("dmesg.ndjson", l), [], JSON.stringify(l));
  const fault = lines.find((l) => l.type === "fault" && l.addr !== null);
  const bad = (patch: Json) => schemaErrors("dmesg.ndjson", { ...fault, ...patch }).length > 0;
  assert.ok(bad({ addr: 0xfee00000 }), "an address as a number");
  assert.ok(bad({ addr: "0xFEE00000" }), "upper-case hex");
  assert.ok(bad({ vendor: "nvidia" }), "an unknown vendor");
  assert.ok(bad({ access: ["read", "read"] }), "an access twice");
  assert.ok(bad({ extra: 1 }), "a key the schema does not name");
  const { time: _t, ...noTime } = fault;
  assert.ok(schemaErrors("dmesg.ndjson", noTime).length > 0, "a missing time");
  const j = JSON.parse(
    (await cli(["dmesg", data("klog/amd.log"), "--json", "--iomem", data("klog/iomem.txt")]))
      .stdout,
  );
  assert.deepEqual(schemaErrors("dmesg.json", j), []);
  assert.ok(schemaErrors("dmesg.json", { ...j, lost: { ...j.lost, faults_at_least: -1 } }).length);
});

Deno.test("--since after --until is refused: no report could match, and it printed none", async () => {
  // It ran and printed an empty report, exit 0, as if the log held no fault.
  const log = data("klog/intel.log");
  assertOneLineError(
    await cli(["dmesg", log, "--since", "10", "--until", "5"]),
    2,
    "--since 10",
    "--until 5",
  );
  assertOneLineError(
    await cli(["dmesg", log, "--since", "2024-03-05T10:00", "--until", "2024-03-04"]),
    2,
    "--since 2024-03-05T10:00",
  );
  // Equal bounds are one instant, and a window of seconds since boot with a date is not compared.
  assert.equal((await cli(["dmesg", log, "--since", "5", "--until", "5"])).code, 0);
  assert.equal((await cli(["dmesg", log, "--since", "10", "--until", "2024-03-04"])).code, 0);
});

Deno.test("dmesg --since/--until says how many faults it left out for want of a timestamp", async () => {
  // A window compares the log's own times; a line with none (or a wall-clock date against boot
  // seconds) cannot be placed and is left out. "0 faults" alone once read as a clean log.
  const line =
    "DMAR: [DMA Read NO_PASID] Request device [3b:00.0] fault addr 0xfee00000 [fault reason 0x06] PTE Read access is not set\n";
  const timed = `[  812.004421] ${line}`;
  const r = await dmesg(line + line + timed, "--since", "0", "--ndjson");
  assert.equal(r.code, 0, r.stderr);
  const { events } = ndjson(r, /left out/);
  assert.equal(events.filter((e: Json) => e.type === "fault").length, 1, "the timed fault is kept");
  const notes = r.stderr.split("\n").filter((l) => /left out/.test(l));
  assert.equal(notes.length, 1, r.stderr);
  assert.match(notes[0], /^faultscope: stdin: 2 faults left out by --since\/--until: no timestamp/);
  // Left out by another criterion first: not counted as untimed.
  const other = await dmesg(line + timed, "--since", "0", "--device", "00:02.0");
  assert.doesNotMatch(other.stderr, /left out/);
  // Without a window, nothing is said.
  assert.doesNotMatch((await dmesg(line + timed)).stderr, /left out/);
});
