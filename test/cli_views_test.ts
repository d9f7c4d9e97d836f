/**
 * Issue 12, section 2, for decode, inspect, rules, validate and layout: lines fit a terminal and
 * stay whole when piped; a streamed table stays aligned; one flag and one parser for the same
 * thing everywhere; and the filters, the summary and `inspect --brief` that operators asked for.
 * Expected values come from the fixtures (testdata/generate.ts) and abi.md's vectors.
 */
import assert from "node:assert/strict";
import { encodeRecord } from "../src/codec/encode.ts";
import { parseHex } from "../src/codec/hex.ts";
import { intArg, sizeArg } from "../src/cli/options.ts";
import { assertOneLineError, cli, data, tmpFile } from "./support/cli.ts";
import { TV1, TV10, TV4 } from "./support/vectors.ts";

const rowsOf = (out: string) => out.split("\n").filter((l) => /^\s*\d+\s+0x/.test(l));

Deno.test("rules: wrapped to an 80-column terminal; whole lines when piped", async () => {
  const tty = await cli(["rules"], { columns: 80, color: false });
  assert.equal(tty.code, 0);
  const long = tty.stdout.split("\n").filter((l) => l.length > 80);
  assert.deepEqual(long, [], "every line fits 80 columns");
  // A continued text starts under the text, not under the label.
  assert.match(tty.stdout, /^ {4}why: {7}\S.*\n {15}\S/m);
  const piped = await cli(["rules"]);
  assert.ok(piped.stdout.split("\n").some((l) => l.length > 200), "piped: one line per text");
  assert.equal(
    piped.stdout.split("\n").filter((l) => /^\s+why:/.test(l)).length,
    tty.stdout.split("\n").filter((l) => /^\s+why:/.test(l)).length,
  );
});

Deno.test("validate and layout wrap on a terminal; decode's table is cut there with …", async () => {
  const v = await cli(["validate", data("dma-fault-1024.bin")], { columns: 100, color: false });
  assert.equal(v.code, 1);
  assert.ok(v.stdout.split("\n").every((l) => l.length <= 100), v.stdout);
  // The message continues under the message column.
  assert.match(v.stdout, /^error {5}HDR-RING-BOUNDS .*\n {44}\S/m);
  const l = await cli(["layout", "smmuv3-evt"], { columns: 100, color: false });
  assert.ok(l.stdout.split("\n").every((x) => x.length <= 100));
  const d = await cli(["decode", data("mainline-capture.bin")], { columns: 80, color: false });
  const rows = rowsOf(d.stdout);
  assert.equal(rows.length, 3);
  for (const r of rows) assert.ok(r.length === 80 && r.endsWith("…"), r);
  // The inference's long lines wrap (every candidate is still there).
  assert.deepEqual(d.stdout.split("\n").filter((x) => x.length > 80), []);
  assert.match(d.stdout.replace(/\n {4}/g, " "), /resp24 20 errors, 1 warning in 8 records/);
});

Deno.test("decode --raw: the bytes under each row, not a 230-column cell", async () => {
  const r = await cli(["decode", data("mainline-capture.bin"), "--raw"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n");
  const row = lines.findIndex((l) => /^\s+0\s+0x0\s/.test(l));
  // TV1's 64 bytes, as four lines of 16 at their offsets in the capture.
  assert.deepEqual(lines.slice(row + 1, row + 5), [
    "      0000: 01 00 00 00 00 00 00 00 06 00 00 00 03 00 00 00",
    "      0010: 05 00 00 00 03 00 00 00 00 b0 ad de 00 00 00 00",
    "      0020: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
    "      0030: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
  ]);
  const plain = await cli(["decode", data("mainline-capture.bin")]);
  const width = (s: string) => Math.max(...rowsOf(s).map((x) => x.length));
  assert.equal(width(r.stdout), width(plain.stdout), "--raw does not widen the table");
});

Deno.test("a streamed table stays aligned: 20000 records, columns fixed from the ABI data", async () => {
  // 1.28 MB: past the 1 MiB sample, so the widths come from the ABI, not from the records.
  const n = 20_000;
  const bytes = new Uint8Array(64 * n);
  const tv1 = parseHex(TV1.hex), tv4 = parseHex(TV4.hex);
  for (let i = 0; i < n; i++) bytes.set(i % 7 ? tv1 : tv4, 64 * i);
  // A record with every defined flag and a long name late in the stream.
  bytes.set(
    encodeRecord("mainline", {
      type: 1,
      event: { reason: 0xffffffff, flags: 7, pasid: 0xffffffff, addr: 0xffffffffffffffffn },
    }),
    64 * (n - 1),
  );
  const p = await tmpFile(bytes);
  const r = await cli(["decode", p, "--abi", "mainline"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n");
  const header = lines.find((l) => l.startsWith("index"))!;
  const rows = rowsOf(r.stdout);
  assert.equal(rows.length, n);
  // Each column starts where its header does, on every row (the type column right after the
  // offset column; addr where its header is, when the row has one).
  const col = (name: string) => header.indexOf(` ${name} `) + 1;
  for (const row of rows) {
    assert.equal(row.slice(col("type") - 2, col("type")), "  ", row);
    assert.notEqual(row[col("type")], " ", row);
    const a = row.slice(col("addr"));
    if (!/^ /.test(a)) assert.match(a, /^0x[0-9a-f]+ /, row);
  }
  assert.match(
    rows.at(-1)!,
    /\?\(4294967295\)\s+0x7 PASID_VALID\|ADDR_VALID\|FETCH_ADDR_VALID\s+4294967295\s/,
  );
  await Deno.remove(p);
});

Deno.test("vEVENT --check: the findings under a heading, with the field in 'where'", async () => {
  const r = await cli(["decode", "--abi", "vevent", "--check", "--hex", TV10.hex]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /\n\nfindings:\nseverity {2}rule {13}where {14}message\nwarning {3}VEQ-LOST-EVENTS {2}#1 sequence @0x28 /,
  );
});

Deno.test("one flag for the raw bytes: inspect --raw (--hex, its old name, still works, unlisted)", async () => {
  const raw = await cli(["inspect", data("rfc3-sample.bin"), "--raw"]);
  const old = await cli(["inspect", data("rfc3-sample.bin"), "--hex"]);
  assert.equal(raw.code, 0, raw.stderr);
  assert.equal(old.stdout, raw.stdout);
  // 5 pending 48-byte records: 3 lines of bytes each.
  assert.equal((raw.stdout.match(/^ {6}[0-9a-f]{4}: /gm) ?? []).length, 15);
  const help = await cli(["inspect", "--help"]);
  assert.match(help.stdout, /--raw/);
  assert.doesNotMatch(help.stdout, /--hex/);
  const json = JSON.parse(
    (await cli(["inspect", data("rfc3-sample.bin"), "--raw", "--json"])).stdout,
  );
  assert.match(json.records[0].raw, /^[0-9a-f]{96}$/);
});

Deno.test("one size parser: --region-size 64k, --page-size 0x1000, --offset 0 as sizes; 1e6 counts", async () => {
  const k = await cli(["inspect", data("rfc3-sample.bin"), "--region-size", "64k", "--json"]);
  const n = await cli(["inspect", data("rfc3-sample.bin"), "--region-size", "65536", "--json"]);
  assert.equal(k.code, 0, k.stderr);
  assert.equal(k.stdout, n.stdout);
  const p = await cli(["inspect", data("dma-fault-sample.bin"), "--page-size", "0x1000"]);
  assert.equal(p.code, 0, p.stderr);
  assertOneLineError(
    await cli(["inspect", data("dma-fault-sample.bin"), "--page-size", "abc"]),
    2,
    "--page-size",
    "must be one of 4096, 16384, 65536 (or 4k, 16k, 64k)",
  );
  assert.equal(intArg(0)("1e12"), 1_000_000_000_000);
  assert.equal(intArg(0)("2.5e3"), 2500);
  assert.equal(intArg(0)("0x10"), 16);
  assert.throws(() => intArg(0)("1.5e0"), /must be an integer >= 0/);
  assert.equal(sizeArg(0)("1.5M"), 1572864);
  assert.equal(sizeArg(0)("4KiB"), 4096);
  assert.throws(() => sizeArg(0)("1.5"), /must be a size/);
  const c = await cli(["decode", data("rfc3-capture.bin"), "--count", "2e0", "--ndjson"]);
  assert.equal(c.stdout.trimEnd().split("\n").length, 2);
});

Deno.test("one rule for zero: inspect --limit 0 like decode --count 0", async () => {
  const r = await cli(["inspect", data("rfc3-sample.bin"), "--limit", "0"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\.\.\. 5 more \(--limit 0\)$/m);
  assert.deepEqual(rowsOf(r.stdout), []);
});

Deno.test("filters: type, reason, pasid, device and address, in the core, for decode and inspect", async () => {
  const cap = data("mainline-capture.bin"); // TV1, a WALK_EABT fault at 0x1000, TV4
  const idx = async (...f: string[]) =>
    (await cli(["decode", cap, "--ndjson", ...f])).stdout.trimEnd().split("\n").filter(Boolean)
      .map((l) => JSON.parse(l).index);
  assert.deepEqual(await idx("--type", "PAGE_REQ"), [2]);
  assert.deepEqual(await idx("--type", "iommu_fault_page_req"), [2], "with the kernel prefix");
  assert.deepEqual(await idx("--reason", "permission,walk_eabt"), [0, 1]);
  assert.deepEqual(await idx("--pasid", "1"), [1]);
  assert.deepEqual(await idx("--addr", "0x1000-0x10000"), [1, 2]);
  assert.deepEqual(await idx("--addr", "0xdeadb000"), [0]);
  assert.deepEqual(await idx("--type", "1", "--pasid", "5"), [0]);
  // inspect: the same filters over the pending records (510 and 1 are PERMISSION faults).
  const j = JSON.parse(
    (await cli(["inspect", data("dma-fault-sample.bin"), "--reason", "PERMISSION", "--json"]))
      .stdout,
  );
  assert.deepEqual(j.records.map((r: { slot: number }) => r.slot), [510, 1]);
  assert.deepEqual(j.not_shown, [{
    count: 2,
    why: "left out by the filters (only records with reason PERMISSION)",
    filtered: true,
  }]);
  // iommufd records carry a device: dev_id.
  const pg = encodeRecord("hwpt-pgfault", { flags: 3, dev_id: 7, pasid: 5, grpid: 1, cookie: 1 });
  const pgs = await cli([
    "decode",
    "--abi",
    "hwpt-pgfault",
    "--device",
    "7",
    "--ndjson",
    "--hex",
    Array.from(pg, (b) => b.toString(16).padStart(2, "0")).join(" "),
  ]);
  assert.equal(pgs.stdout.trimEnd().split("\n").length, 1, pgs.stderr);
  // A VT-d fault's source-id as bb:dd.f (logs.md 9.1: 00:02.0 is 0x0010).
  const vtd = await cli([
    "decode",
    "--abi",
    "vtd-fault",
    "--device",
    "00:02.0",
    "--ndjson",
    "--hex",
    "00 20 3b 4c 5e 7f 00 00 10 00 00 80 71 1a 00 80",
  ]);
  assert.equal(vtd.code, 0, vtd.stderr);
  assert.equal(vtd.stdout.trimEnd().split("\n").length, 1);
});

// In the option parser's words (`option '--x <v>' argument 'v' is invalid: ...`), as --pasid,
// --device and --abi say it; the names listed where they are few, pointed to where they are many.
Deno.test("a filter that cannot apply is a usage error naming the flag", async () => {
  assertOneLineError(
    await cli(["decode", data("mainline-capture.bin"), "--device", "00:02.0"]),
    2,
    "faultscope: option '--device <list>' does not apply: mainline records carry no device " +
      "(they carry type, reason, pasid, address)",
  );
  assertOneLineError(
    await cli(["decode", data("mainline-capture.bin"), "--reason", "PERMISSION,NOPE"]),
    2,
    "faultscope: option '--reason <list>' argument 'PERMISSION,NOPE' is invalid: 'NOPE' is not " +
      "a reason name; expected one of UNKNOWN, PASID_FETCH, BAD_PASID_ENTRY, PASID_INVALID, " +
      "WALK_EABT, PTE_FETCH, PERMISSION, ACCESS, OOR_ADDRESS, or a number",
  );
  assertOneLineError(
    await cli(["decode", data("mainline-capture.bin"), "--type", "BOGUS"]),
    2,
    "faultscope: option '--type <list>' argument 'BOGUS' is invalid: 'BOGUS' is not a type " +
      "name; expected one of ",
    "or a number",
  );
  assertOneLineError(
    await cli(["inspect", data("rfc3-sample.bin"), "--type", "BOGUS"]),
    2,
    "faultscope: option '--type <list>' argument 'BOGUS' is invalid: 'BOGUS' is not a type name",
  );
  // VT-d's fault reasons are 40-odd sentences: not listed, but where to find them.
  const vtd = await cli(["decode", "--abi", "vtd-fault", "--reason", "NOPE", "--hex", "00"]);
  assertOneLineError(
    vtd,
    2,
    "faultscope: option '--reason <list>' argument 'NOPE' is invalid: 'NOPE' is not a reason " +
      "name of vtd-fault records; expected a number or one of the names " +
      "'faultscope layout vtd-fault' lists",
  );
  assert.ok(vtd.stderr.length < 240, vtd.stderr);
  assertOneLineError(
    await cli(["decode", data("mainline-capture.bin"), "--addr", "0x2000-0x1000"]),
    2,
    "--addr",
    "must be an address or a range lo-hi",
  );
  assertOneLineError(
    await cli(["decode", data("mainline-capture.bin"), "--check", "--pasid", "5"]),
    2,
    "--check checks every record of the capture: give it without filters and --summary",
  );
});

Deno.test("--summary: counts per type x reason, the address range and pages, in every view", async () => {
  const r = await cli(["decode", data("mainline-capture.bin"), "--summary", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.equal(o.records, undefined, "the summary replaces the records");
  assert.deepEqual(o.summary, {
    records: 3,
    by_type_reason: [
      { type: "DMA_UNRECOV", reason: "PERMISSION", count: 1 },
      { type: "DMA_UNRECOV", reason: "WALK_EABT", count: 1 },
      { type: "PAGE_REQ", reason: "-", count: 1 },
    ],
    address_min: "0x1000",
    address_max: "0xdeadb000",
    pages: 3,
    pages_exact: true,
    page_size: 4096,
  });
  const one = await cli(["decode", data("mainline-capture.bin"), "--summary", "--count", "1"]);
  assert.match(one.stdout, /^summary of 1 record:$/m);
  assert.match(one.stdout, /^ {2}addresses 0xdeadb000-0xdeadb000 in 1 page of 4 KiB$/m);
  assertOneLineError(
    await cli(["decode", data("mainline-capture.bin"), "--summary", "--ndjson"]),
    2,
    "--summary",
  );
  // vEVENT: TV10's event and its LOST_EVENTS header (no payload, no type).
  const v = JSON.parse(
    (await cli(["decode", "--abi", "vevent", "--summary", "--json", "--hex", TV10.hex])).stdout,
  );
  assert.deepEqual(v.summary.by_type_reason, [
    { type: "-", reason: "-", count: 1 },
    { type: "F_PERMISSION", reason: "-", count: 1 },
  ]);
  assert.equal(v.lost_events, 1);
});

Deno.test("inspect --brief: one line, like QMP info; a full ring says it is lossy", async () => {
  const r = await cli(["inspect", data("dma-fault-sample.bin"), "--brief"]);
  assert.equal(
    r.stdout,
    `${data("dma-fault-sample.bin")}: dma-fault region, mainline records (64 bytes), capacity ` +
      "512: 4 pending, 507 free; not full\n",
  );
  // An RFC v3 region whose producer is one behind the consumer: 1364 of 1364 usable slots.
  const full = new Uint8Array(65536);
  new DataView(full.buffer).setUint32(0, 1365, true);
  new DataView(full.buffer).setUint32(4, 1364, true);
  const p = await tmpFile(full);
  const f = await cli(["inspect", p, "--brief"]);
  assert.equal(f.code, 0, f.stderr);
  assert.match(
    f.stdout,
    /: 1364 pending, 0 free; FULL, lossy: the kernel drops new faults uncounted\n$/,
  );
  assertOneLineError(await cli(["inspect", p, "--brief", "--json"]), 2, "--brief");
  await Deno.remove(p);
});
