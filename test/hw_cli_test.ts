/**
 * The hardware records through the CLI, as a reader meets them: `layout` tables (offsets, bit
 * ranges, masked fields, code tables with meanings), `decode` tables with requester IDs as
 * bb:dd.f and names beside numbers, `--check` exit codes, captures with several records, and
 * one clear line for input that does not fit. Expected values from logs.md sections 3-5, 7, 9.
 */
import assert from "node:assert/strict";
import { assertOneLineError, cli, tmpFile } from "./support/cli.ts";

const words = (...ws: bigint[]) => {
  const b = new Uint8Array(ws.length * 8);
  ws.forEach((w, i) => new DataView(b.buffer).setBigUint64(8 * i, w, true));
  return b;
};
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");

Deno.test("layout smmuv3-evt: four u64 words, ipa and fetch_addr masked, every event with its meaning", async () => {
  const r = await cli(["layout", "smmuv3-evt"]);
  assert.equal(r.code, 0, r.stderr);
  // abi.md 5.3: dword 3 bits 51:12 IPA, taken masked; logs.md 5.1: FETCH_ADDR 51:3.
  assert.match(
    r.stdout,
    /__u64 ipa:40;\s+\/\*\s+24\s+8 \*\/\s+bits 51:12 \(masked, not shifted\); EVTQ_3_IPA/,
  );
  assert.match(
    r.stdout,
    /__u64 fetch_addr:49;\s+\/\*\s+24\s+8 \*\/\s+bits 51:3 \(masked, not shifted\)/,
  );
  assert.match(r.stdout, /__u64 sid:32;\s+\/\*\s+0\s+8 \*\/\s+bits 63:32/);
  assert.match(r.stdout, /^\s+F_TRANSLATION = 16 {2}\/\* Translation fault: .*\. \*\/$/m);
  assert.match(r.stdout, /^\s+F_VMS_FETCH = 37 /m);
  assert.match(
    r.stdout,
    /^note: Fields each event carries .*F_STE_FETCH\/F_CD_FETCH\/F_VMS_FETCH: sid, ssv, ssid, fetch_addr/m,
  );
  assert.match(r.stdout, /size: 32/);
});

Deno.test("layout amd-evt and vtd-fault: u32 event words, IO_PAGE_FAULT flag bits, the reason tables", async () => {
  const a = await cli(["layout", "amd-evt"]);
  assert.match(a.stdout, /__u32 devid:16;\s+\/\*\s+0\s+4 \*\/\s+bits 15:0/);
  assert.match(a.stdout, /__u32 flags:12;\s+\/\*\s+4\s+4 \*\/\s+bits 27:16/);
  assert.match(a.stdout, /__u32 code:4;\s+\/\*\s+4\s+4 \*\/\s+bits 31:28/);
  assert.match(a.stdout, /__u64 address:64;\s+\/\*\s+8\s+8 \*\//);
  for (const [name, bit] of [["GN", 0], ["PR", 4], ["RW", 5], ["PE", 6], ["TR", 8]]) {
    assert.match(a.stdout, new RegExp(`^\\s+${name} = \\(1 << ${bit}\\)`, "m"));
  }
  assert.match(a.stdout, /^\s+IO_PAGE_FAULT = 2 /m);
  const v = await cli(["layout", "vtd-fault"]);
  assert.match(v.stdout, /__u64 sid:16;\s+\/\*\s+8\s+8 \*\/\s+bits 15:0/);
  assert.match(v.stdout, /^\s+PTE Write access is not set = 5 /m);
  assert.match(v.stdout, /^\s+Blocked a compatibility format interrupt request = 37 /m);
  assert.match(v.stdout, /^\s+SM: Present bit in first-level paging entry is clear = 113 /m);
  const j = await cli(["layout", "virtio-iommu-fault", "--json"]);
  const [d] = JSON.parse(j.stdout).records; // layout --json is {records, regions, streams}
  assert.deepEqual([d.id, d.family, d.size], ["virtio-iommu-fault", "hardware", 24]);
});

Deno.test("decode --abi vtd-fault: T3 and T4 of logs.md 9.1 as a table, names beside numbers", async () => {
  const t3 = words(0x00007f5e4c3b2000n, 0x80001a7180000010n);
  const t4 = words(0x18n << 48n, (1n << 63n) | (0x25n << 32n) | 0xf0f8n);
  const r = await cli(["decode", "--abi", "vtd-fault", "--hex", hex(t3) + " " + hex(t4)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^abi vtd-fault: Intel VT-d fault recording register, 16 bytes \(given\)$/m,
  );
  const rows = r.stdout.split("\n").filter((l) => /^\s+\d+\s+0x/.test(l));
  assert.equal(rows.length, 2);
  assert.match(
    rows[0],
    /0x7f5e4c3b2000\s+00:02\.0\s.*SM: Present bit in first-level paging entry is clear\(113\)\s+26\s+0\s+DMA Write\(0\)\s+1$/,
  );
  // T4: the interrupt index is shown; no PASID value without PP.
  assert.match(
    rows[1],
    /\s24\s+f0:1f\.0\s.*Blocked a compatibility format interrupt request\(37\)\s+0\s+DMA Write\(0\)\s+1$/,
  );
});

Deno.test("decode --abi smmuv3-evt FILE: a capture of several events; --check exits 1 on an unknown ID", async () => {
  // S1 F_TRANSLATION, R3 F_CD_FETCH, and an event ID the architecture does not define.
  const cap = new Uint8Array([
    ...words(0x0000010000000010n, 0x0000020800000000n, 0xffff1000n, 0n),
    ...words(0x0000030000001809n, 0n, 0n, 0x00000000fe0a0040n),
    ...words(0x0000010000000030n, 0n, 0n, 0n),
  ]);
  const f = await tmpFile(cap);
  const r = await cli(["decode", "--abi", "smmuv3-evt", f]);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.split("\n").filter((l) => /^\s+\d+\s+0x/.test(l));
  assert.equal(rows.length, 3);
  assert.match(
    rows[0],
    /F_TRANSLATION\(16\)\s+0\s+0\s+256\s+0\s+0\s+0\s+0\s+1\s+0\s+Input address caused fault\(2\)\s+0xffff1000\s+0x0$/,
  );
  assert.match(rows[1], /F_CD_FETCH\(9\)\s+1\s+1\s+768\s+0xfe0a0040$/); // only what it carries
  assert.match(rows[2], /\?\(48\)\s+0\s+0\s+256$/); // unknown, with its value
  const c = await cli(["decode", "--abi", "smmuv3-evt", "--check", f]);
  assert.equal(c.code, 1);
  assert.match(
    c.stdout,
    /^error\s+REC-ENUM\s+#2 id @0x40\s+id = 48 is not defined in SMMUv3 event ID/m,
  );
  assert.match(c.stdout, /3 records checked: 1 error, 0 warnings$/m);
  // A capture that ends inside a record: one line, the offset and the record size.
  const cut = await tmpFile(cap.subarray(0, 72));
  assertOneLineError(
    await cli(["decode", "--abi", "smmuv3-evt", cut]),
    2,
    "trailing 8 bytes at offset 0x40",
    "32-byte smmuv3-evt",
  );
  await Deno.remove(f);
  await Deno.remove(cut);
});

Deno.test("decode --abi amd-evt --ndjson and --json write the same object; virtio and PRQ show ids as bdf", async () => {
  const a2 = "00 04 00 00 00 00 70 20 00 00 00 fd 00 00 00 00";
  const n = await cli(["decode", "--abi", "amd-evt", "--ndjson", "--hex", a2]);
  const j = await cli(["decode", "--abi", "amd-evt", "--json", "--raw", "--hex", a2]);
  const line = JSON.parse(n.stdout);
  const [full] = JSON.parse(j.stdout).records; // decode --json: {abi, ..., records}
  delete full.raw;
  assert.deepEqual(line, full);
  assert.deepEqual(
    [line.devid_bdf, line.code_name, line.flags_names, line.domid, line.address],
    ["04:00.0", "IO_PAGE_FAULT", ["PR", "RW", "PE"], 0, "0xfd000000"],
  );
  const v1 = "02 00 00 00 02 01 00 00 08 00 00 00 00 00 00 00 00 00 34 12 00 00 00 00";
  const v = JSON.parse(
    (await cli(["decode", "--abi", "virtio-iommu-fault", "--ndjson", "--hex", v1])).stdout,
  );
  assert.deepEqual(
    [v.reason_name, v.flags_names, v.endpoint, v.address],
    ["MAPPING", ["WRITE", "ADDRESS"], 8, "0x12340000"],
  );
});
