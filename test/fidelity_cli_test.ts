/**
 * Where faultscope once disagreed with the real kernel and QEMU code, or guessed silently (issue
 * 8), checked through the CLI with the values the issue and abi.md give: every expected value
 * below is worked out from abi.md (sections 3, 5.1, 5.3, 8 and 9, as corrected) and the kernel
 * code it cites, not read back from faultscope's output.
 */
import assert from "node:assert/strict";
import { encodeRecord } from "../src/codec/encode.ts";
import { parseHex } from "../src/codec/hex.ts";
import { buildRegion } from "../src/region/model.ts";
import { assertOneLineError, cli, data, tmpFile } from "./support/cli.ts";
import { TV10, TV2, TV3, TV6, TV7, TV8_24, TV9 } from "./support/vectors.ts";

type Json = Record<string, unknown>;
type Finding = { rule: string; severity: string; message: string };
/** Every finding of a `decode --check --json` object: on its records, then of the whole input. */
const findings = (j: Json) => [
  ...(j.records as { findings: Finding[] }[]).flatMap((r) => r.findings),
  ...((j.check as { findings?: Finding[] } | undefined)?.findings ?? []),
];
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const hexOf = (b: Uint8Array | number[]) =>
  Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");

// ---- 1. iommufd and SMMUv3 ----------------------------------------------------------------------

/** An SMMUv3 vEVENT (header, then evt[4] = TV10's payload) with this sequence. */
const vevent = (seq: number) => [...le32(0), ...le32(seq), ...parseHex(TV10.hex).subarray(8, 40)];
const lostHeader = (seq: number) => [...le32(1), ...le32(seq)];

Deno.test("vEVENT: TV10 lost one event, and decode --check says so in JSON and for humans", async () => {
  // abi.md 5.3 (corrected): event 0, then LOST_EVENTS with sequence 1: one event (1) lost.
  const j = await cli(["decode", "--abi", "vevent", "--check", "--json", "--hex", TV10.hex]);
  assert.equal(j.code, 0, "no format error: lost events are a warning");
  const o = JSON.parse(j.stdout);
  assert.equal(o.lost_events, 1);
  assert.equal(o.lost_events_exact, true);
  assert.deepEqual(o.lost_events_from, { lost_events_headers: 1, sequence_gaps: 0 });
  assert.deepEqual(findings(o).map((f) => [f.rule, f.severity]), [["VEQ-LOST-EVENTS", "warning"]]);
  const h = await cli(["decode", "--abi", "vevent", "--check", "--hex", TV10.hex]);
  assert.match(h.stdout, /^warning\s+VEQ-LOST-EVENTS\s+#1 .*1 event lost \(sequence 1\)/m);
  assert.match(
    h.stdout,
    /^lost events: 1 event lost \(from 1 LOST_EVENTS header and 0 sequence gaps\)/m,
  );
  // The total is said even without --check: lost events are lost faults.
  const plain = await cli(["decode", "--abi", "vevent", "--hex", TV10.hex]);
  assert.match(plain.stdout, /^lost events: 1 event lost/m);
});

Deno.test("vEVENT: the INT_MAX wrap, and several reads joined into one capture", async () => {
  const run = async (bytes: number[], ...flags: string[]) => {
    const r = await cli([
      "decode",
      "--abi",
      "vevent",
      "--check",
      "--json",
      ...flags,
      "--hex",
      hexOf(bytes),
    ]);
    return { code: r.code, o: JSON.parse(r.stdout) };
  };
  // 0x7ffffffe, 0x7fffffff, then LOST_EVENTS 1: the counter wrapped to 0, so 0 and 1 were lost.
  const w = await run([...vevent(0x7ffffffe), ...vevent(0x7fffffff), ...lostHeader(1)]);
  assert.equal(w.o.lost_events, 2);
  // INT_MAX -> 0 between delivered events is no loss (QEMU's unsigned check says ~2^31).
  const n = await run([...vevent(0x7fffffff), ...vevent(0)]);
  assert.equal(n.o.lost_events, 0);
  assert.deepEqual(findings(n.o), []);
  // A gap across the wrap: 0x7ffffffe -> 1 lost 0x7fffffff and 0.
  assert.equal((await run([...vevent(0x7ffffffe), ...vevent(1)])).o.lost_events, 2);
  // Read 1 returned event 0 and LOST_EVENTS 2 (1 and 2 lost); read 2 events 3 and 4. A header
  // followed by more events is normal in a capture; only one read's buffer says otherwise.
  const joined = [...vevent(0), ...lostHeader(2), ...vevent(3), ...vevent(4)];
  const j = await run(joined);
  assert.equal(j.code, 0);
  assert.equal(j.o.lost_events, 2);
  assert.deepEqual(findings(j.o).map((f) => f.rule), ["VEQ-LOST-EVENTS"]);
  const one = await run(joined, "--one-read");
  assert.deepEqual(findings(one.o).map((f) => f.rule), ["VEQ-LOST-EVENTS", "VEQ-LOST-LAST"]);
  // veventq_depth bounds one read.
  const deep = await run(
    [...vevent(0), ...vevent(1), ...vevent(2)],
    "--one-read",
    "--veventq-depth",
    "2",
  );
  assert.deepEqual(findings(deep.o).map((f) => f.rule), ["VEQ-DEPTH"]);
  assertOneLineError(
    await cli(["decode", "--abi", "vevent", "--veventq-depth", "2", "--hex", TV10.hex]),
    2,
    "--one-read",
  );
});

Deno.test("vEVENT: SMMUv3 ipa is evt[3] & GENMASK(51, 12), the address itself", async () => {
  // arm_smmu_decode_event: `event->ipa = raw[3] & EVTQ_3_IPA;` (masked, not shifted).
  const b = vevent(0);
  b.splice(8 + 24, 8, ...[0xbc, 0x4a, 0x23, 0x81, 0, 0, 0xf0, 0xff]); // evt[3] = 0xfff0000081234abc
  const r = await cli(["decode", "--abi", "vevent", "--json", "--hex", hexOf(b)]);
  const rec = JSON.parse(r.stdout).records[0];
  assert.equal(rec.event.ipa, "0x81234000");
});

/** TV9 (an iommu_hwpt_pgfault) with some fields changed. */
const pgfault = (o: { flags?: number; grpid?: number; cookie?: number }) =>
  encodeRecord("hwpt-pgfault", { ...TV9.fields, ...o });

Deno.test("iommufd: flags 0x7 on a VT-d host is bit 2, NEEDS_PASID: information, not corruption", async () => {
  // abi.md 5.1 (corrected): iommufd_compose_fault_message copies prm.flags unmasked; VT-d's
  // intel_prq_report sets IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID (bit 2) with every PASID.
  const r = await cli([
    "decode",
    "--abi",
    "hwpt-pgfault",
    "--check",
    "--json",
    "--hex",
    hexOf(pgfault({ flags: 0x7 })),
  ]);
  assert.equal(r.code, 0, r.stdout);
  const o = JSON.parse(r.stdout);
  assert.deepEqual(o.records[0].flags_names, ["PASID_VALID", "LAST_PAGE", "NEEDS_PASID"]);
  assert.deepEqual(findings(o).map((f) => [f.rule, f.severity]), [["REC-FLAG-LEAK", "info"]]);
  assert.match(findings(o)[0].message, /IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID/);
  // Bit 3 is nothing the kernel defines: still an error.
  const bad = await cli([
    "decode",
    "--abi",
    "hwpt-pgfault",
    "--check",
    "--hex",
    hexOf(pgfault({ flags: 0xb })),
  ]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /REC-FLAGS/);
});

Deno.test("iommufd: an SMMUv3 stall tag up to 0xffff in grpid draws no warning", async () => {
  // arm_smmu_handle_event: `.grpid = event->stag` (16 bits), LAST_PAGE on every stall fault.
  for (const grpid of [0x1ff, 0x200, 0x1234, 0xffff]) {
    const r = await cli([
      "decode",
      "--abi",
      "hwpt-pgfault",
      "--check",
      "--json",
      "--hex",
      hexOf(pgfault({ grpid })),
    ]);
    assert.deepEqual(findings(JSON.parse(r.stdout)), [], `grpid ${grpid}`);
  }
  const wide = await cli([
    "decode",
    "--abi",
    "hwpt-pgfault",
    "--check",
    "--json",
    "--hex",
    hexOf(pgfault({ grpid: 0x10000 })),
  ]);
  assert.deepEqual(findings(JSON.parse(wide.stdout)).map((f) => f.rule), ["REC-PRQ-GRPID"]);
  assert.equal(wide.code, 0, "a warning");
});

Deno.test("iommufd: cookie 0 and a group cut short are errors", async () => {
  // XA_FLAGS_ALLOC1: cookies start at 1.
  const zero = await cli([
    "decode",
    "--abi",
    "hwpt-pgfault",
    "--check",
    "--hex",
    hexOf(pgfault({ cookie: 0 })),
  ]);
  assert.equal(zero.code, 1);
  assert.match(zero.stdout, /FQ-COOKIE/);
  // A partial request of group 1 (no LAST_PAGE), then group 2: group 1 was never delivered whole.
  const cut = [...pgfault({ flags: 0x1, cookie: 1 }), ...pgfault({ cookie: 2 })];
  const r = await cli(["decode", "--abi", "hwpt-pgfault", "--check", "--hex", hexOf(cut)]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /error\s+FQ-GROUP .*cookie 1 ends after 1 record without LAST_PAGE/);
});

// ---- 2. VFIO regions ----------------------------------------------------------------------------

Deno.test("RFC v3: size 1023 is still 48-byte records, and header corruption", async () => {
  // abi.md TV6 with size = 1023 (ff 03 00 00): prod 3, cons 1, two pending; QEMU reads slot i
  // at 16 + 48 * i whatever size says: slots 1 and 2 at 0x40 and 0x70.
  const img = new Uint8Array(0x10000);
  img.set(parseHex(TV6.hex), 0);
  img.set(parseHex("ff 03 00 00"), 0);
  img.set(parseHex(TV3.hex), 0x40);
  img.set(parseHex(TV3.hex), 0x70);
  const p = await tmpFile(img);
  const i = JSON.parse((await cli(["inspect", p, "--json"])).stdout);
  assert.equal(i.abi, "rfc3");
  assert.equal(i.entry_size, 48);
  assert.deepEqual(i.records.map((r: { offset: number }) => r.offset), [0x40, 0x70]);
  assert.deepEqual(i.records.map((r: { reason_name: string }) => r.reason_name), [
    "PERMISSION",
    "PERMISSION",
  ]);
  const v = await cli(["validate", p, "--json"]);
  assert.equal(v.code, 1);
  const errors = JSON.parse(v.stdout).findings.filter((f: Finding) => f.severity === "error");
  assert.deepEqual(errors.map((f: Finding) => f.rule), ["HDR-CAP-RECORD"]);
  assert.match(errors[0].message, /size = 1023, but the kernel gives 1365 for 48-byte records/);
  await Deno.remove(p);
});

Deno.test("dma-fault: an offset that is not the page size names both views", async () => {
  for (const [offset, page] of [[0x40, 4096], [0x400, 4096], [0x800, 4096], [0xf000, 65536]]) {
    const img = buildRegion({
      layout: "dma-fault",
      producer: 2,
      consumer: 0,
      pageSize: page,
      header: { offset },
    });
    const p = await tmpFile(img);
    const v = await cli(["validate", p, "--json"]);
    assert.equal(v.code, 1, `offset ${offset}`);
    const f = JSON.parse(v.stdout).findings.find((f: Finding) => f.rule === "HDR-RING-VIEWS");
    assert.equal(f?.severity, "error");
    // QEMU's mmap path: slot i at PAGE_SIZE + 64 * i; its pread fallback: at offset + 64 * i.
    assert.ok(f.message.includes(`0x${page.toString(16)} + 64 * i`), f.message);
    assert.ok(f.message.includes(`0x${offset.toString(16)} + 64 * i`), f.message);
    const i = JSON.parse((await cli(["inspect", p, "--json"])).stdout);
    assert.deepEqual(
      i.views.map((v: { path: string; ring_offset: number }) => [v.path, v.ring_offset]),
      [["mmap", page], ["pread", offset]],
    );
    assert.deepEqual(
      i.views.map((v: { records: { offset: number }[] }) => v.records.map((r) => r.offset)),
      [[page, page + 64], [offset, offset + 64]],
    );
    await Deno.remove(p);
  }
  const h = await cli(["inspect", data("dma-fault-offset-0x40.bin")]);
  assert.match(h.stdout, /as QEMU's mmap path reads them \(slot i at 0x1000 \+ 64 \* i\)/);
  assert.match(h.stdout, /as its pread fallback reads them \(slot i at 0x40 \+ 64 \* i\)/);
});

Deno.test("a ring past the end of a complete image is HDR-RING-BOUNDS; a cut image is exit 2", async () => {
  // nb_entries = 1024 with offset 4096 in a 36 KiB region: the ring would end at 0x11000.
  const img = buildRegion({
    layout: "dma-fault",
    producer: 2,
    consumer: 0,
    header: { nb_entries: 1024 },
  });
  assert.equal(img.length, 0x9000);
  const p = await tmpFile(img);
  for (const extra of [[], ["--region-size", "36864"]]) {
    const v = await cli(["validate", p, ...extra, "--json"]);
    assert.equal(v.code, 1, v.stderr);
    const rules = JSON.parse(v.stdout).findings.map((f: Finding) => f.rule);
    assert.ok(rules.includes("HDR-RING-BOUNDS"), rules.join());
    const i = await cli(["inspect", p, ...extra]);
    assert.equal(i.code, 0, i.stderr);
    assert.match(
      i.stdout,
      /^header {5}tail=0 entry_size=64 nb_entries=1024 offset=0x1000 head=2$/m,
    );
    assert.match(i.stdout, /overflows the region by 32768 bytes: 512 slots do not fit/);
  }
  // The same header cut to 0x5000 bytes: a short file, not a header finding.
  const cut = await tmpFile(img.subarray(0, 0x5000));
  assertOneLineError(await cli(["validate", cut]), 2, "truncated region");
  await Deno.remove(p);
  await Deno.remove(cut);
});

// ---- 3. never guess silently --------------------------------------------------------------------

Deno.test("decode: TV2 (a v4 record) is ambiguous; TV8 and TV9 are guessed", async () => {
  const r = await cli(["decode", "--hex", TV2.hex, "--json"]);
  const o = JSON.parse(r.stdout);
  assert.equal(o.guessed, true);
  assert.equal(o.ambiguous, true);
  assert.deepEqual(o.tied, ["v8", "v4", "v7", "rfc3"]);
  assert.equal(o.abi, "v8");
  assert.deepEqual(o.candidates.map((c: { abi: string }) => c.abi).slice(0, 4), o.tied);
  const h = await cli(["decode", "--hex", TV2.hex]);
  assert.match(h.stdout, /guessed v8, AMBIGUOUS: 48 bytes = 1 x 48/);
  assert.match(h.stdout, /v8, v4 and v7 differ in their PERM and flag bits/);
  assert.match(h.stdout, /to choose: pass --abi v8\|v4\|v7\|rfc3/);
  // TV8 (24 bytes) and TV9 (40 bytes) were once never guessed.
  assert.equal(
    JSON.parse((await cli(["decode", "--hex", TV8_24.hex, "--json"])).stdout).abi,
    "resp24",
  );
  assert.equal(
    JSON.parse((await cli(["decode", "--hex", TV9.hex, "--json"])).stdout).abi,
    "hwpt-pgfault",
  );
});

Deno.test("inspect: a v4-v8 PROD image says v4, v7 and v8 fit and their PERM and flag bits differ", async () => {
  const r = await cli(["inspect", data("fault-prod-sample.bin"), "--cons", "1"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /ambiguous: v8, v4 and v7 read these records equally well, and their PERM and flag bits differ/,
  );
  const j = JSON.parse(
    (await cli(["inspect", data("fault-prod-sample.bin"), "--cons", "1", "--json"])).stdout,
  );
  assert.deepEqual(j.abis, ["v8", "v4", "v7"]);
  assert.equal(j.ambiguous, true);
  assert.equal(j.guessed, true);
});

Deno.test("decode: word-grouped dumps are read as words, never silently as bytes", async () => {
  // TV10 as xxd -e prints it on a little-endian host (32-bit words, ASCII column in memory order).
  const xxdE = [
    "00000000: 00000000 00000000 00005813 00000008  .........X......",
    "00000010: 00000000 00000008 deadb000 00000000  ................",
    "00000020: 00000000 00000000 00000001 00000001  ................",
  ].join("\n");
  const r = await cli(["decode", "--abi", "vevent", "--json", "--hex", xxdE]);
  const o = JSON.parse(r.stdout);
  const e = o.records[0].event;
  // Read as bytes these gave type 16777216 and vsid 0x13580000; as words abi.md's values.
  assert.equal(e.id_name, "F_PERMISSION");
  assert.equal(e.vsid, 8);
  assert.equal(e.ssid, 5);
  assert.deepEqual(o.hex, {
    format: "xxd -e",
    groups: "words",
    word_bytes: 4,
    order: "little",
    assumed: false,
  });
  // TV1's words, as od -tx4 prints them (octal offsets, the length last): a mainline record.
  const od =
    "0000000 00000001 00000000 00000006 00000003\n0000020 00000005 00000003 deadb000 00000000\n" +
    "0000040 00000000 00000000 00000000 00000000\n*\n0000100\n";
  const m = await cli(["decode", "--hex", od]);
  assert.match(m.stdout, /^abi mainline: /);
  assert.match(m.stdout, /hex read as 32-bit little-endian words \(od -tx4\)/);
  assert.match(
    m.stdout,
    /PERMISSION\(6\)\s+0x3 PASID_VALID\|ADDR_VALID\s+5\s+0x3 READ\|WRITE\s+0xdeadb000/,
  );
  // No printable byte to tell xxd -g 4 bytes from xxd -e words: refused, saying how.
  assertOneLineError(
    await cli(["decode", "--hex", "00000000: 00000001 00000000 00000006 00000003"]),
    2,
    "xxd -e",
    "--hex-groups bytes|little|big",
  );
  const said = await cli([
    "decode",
    "--hex-groups",
    "little",
    "--hex",
    "00000000: 00000001 00000000 00000006 00000003\n00000010: 00000005 00000003 deadb000 00000000\n" +
    "00000020: 00000000 00000000 00000000 00000000\n00000030: 00000000 00000000 00000000 00000000",
  ]);
  assert.match(said.stdout, /^abi mainline: /);
});

Deno.test("inspect: what is not shown is counted and explained", async () => {
  // rfc3-sample: cons 1363, prod 3: slots 1363, 1364, 0, 1, 2 pending.
  const all = await cli(["inspect", data("rfc3-sample.bin"), "--all", "--limit", "3"]);
  assert.match(all.stdout, /^slots in slot order, \* = pending:$/m);
  const rows = all.stdout.split("\n").filter((l) => /^\s*\d+\*?\s+0x/.test(l));
  assert.deepEqual(rows.map((l) => l.trim().split(/\s+/)[0]), ["0*", "1*", "2*"]);
  assert.match(all.stdout, /^\.\.\. 1362 more \(--limit 3\)$/m);
  assert.doesNotMatch(all.stdout, /pending records, consumer order/);
  // 64-byte records in the 64 KiB RFC v3 region: 1023 slots fit, so slots 1363 and 1364 lie
  // past its end; the stale "inferred: ... 48-byte records" line must not be shown.
  const m = await cli(["inspect", data("rfc3-sample.bin"), "--abi", "mainline"]);
  assert.equal(m.code, 0);
  assert.doesNotMatch(m.stdout, /48-byte records/);
  assert.match(m.stdout, /ABI given; layout inferred from the header \(rfc3\)/);
  assert.match(
    m.stdout,
    /^2 pending records not shown: their slots lie past the end of the 65536-byte region/m,
  );
  // A 20-byte dma-fault header (TV7 with head 4): four pending, none of them in the file.
  const hdr = parseHex(TV7.hex);
  hdr.set(le32(4), 16);
  const p = await tmpFile(hdr);
  const h = await cli(["inspect", p, "--layout", "dma-fault"]);
  assert.match(h.stdout, /4 pending/);
  assert.match(
    h.stdout,
    /^4 pending records not shown: their slots lie past the end of the 20-byte region/m,
  );
  await Deno.remove(p);
});

Deno.test("validate: two snapshots of a clean simulation more than a lap apart are not an error", async () => {
  const dir = await Deno.makeTempDir();
  const sim = await cli([
    "simulate",
    "--snapshot-at",
    "5000",
    "--snapshot-at",
    "10000",
    "--out",
    `${dir}/snap.bin`,
    "--no-progress",
  ]);
  assert.equal(sim.code, 0, sim.stderr);
  const [a, b] = [`${dir}/snap-000005000.bin`, `${dir}/snap-000010000.bin`];
  const r = await cli(["validate", b, "--previous", a, "--json"]);
  assert.equal(r.code, 0, r.stdout);
  const snap = JSON.parse(r.stdout).findings.filter((f: Finding) => f.rule.startsWith("SNAP-"));
  assert.deepEqual(snap.map((f: Finding) => [f.rule, f.severity]), [["SNAP-AMBIGUOUS", "warning"]]);
  assert.match(snap[0].message, /SNAP-OVERTAKE, or a lap of the ring/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("validate/inspect --shadow: QEMU's private index against the header's tail", async () => {
  // dma-fault-sample: tail 510, head 2.
  const v = await cli(["validate", data("dma-fault-sample.bin"), "--shadow", "0", "--json"]);
  const f = JSON.parse(v.stdout).findings.find((f: Finding) => f.rule === "IDX-SHADOW");
  assert.equal(f?.severity, "warning");
  assert.match(f.message, /QEMU delivers 2 records from slot 0 next/);
  const i = await cli(["inspect", data("dma-fault-sample.bin"), "--shadow", "0"]);
  assert.match(i.stdout, /QEMU's private index is 0, not tail=510/);
  const same = await cli(["validate", data("dma-fault-sample.bin"), "--shadow", "510", "--json"]);
  assert.ok(!JSON.parse(same.stdout).findings.some((f: Finding) => f.rule === "IDX-SHADOW"));
});
