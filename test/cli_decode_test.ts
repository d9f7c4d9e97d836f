/**
 * `decode`'s three views render one decoded result: the JSON object's records and NDJSON hold
 * the same objects, the human table one row per record, and `--check` the same findings in
 * each; the inference is said where the view puts it (the table's first lines; stderr and the
 * JSON object's `guessed`, `ambiguous` and `candidates`). In process (support/cli.ts).
 */
import assert from "node:assert/strict";
import { encodeRecord } from "../src/codec/encode.ts";
import { parseHex } from "../src/codec/hex.ts";
import { assertOneLineError, cli, data, tmpFile } from "./support/cli.ts";
import { TV1, TV4 } from "./support/vectors.ts";

/** TV1, TV4, then TV1 with an undefined flag bit (0x80): three mainline records. */
async function capture(): Promise<string> {
  const bad = encodeRecord("mainline", {
    type: 1,
    event: { ...(TV1.fields.event), flags: 0x83 },
  });
  const bytes = new Uint8Array(192);
  bytes.set(parseHex(TV1.hex), 0);
  bytes.set(parseHex(TV4.hex), 64);
  bytes.set(bad, 128);
  return await tmpFile(bytes);
}

Deno.test("decode: JSON array and NDJSON hold the same records; the table one row each", async () => {
  const p = await capture();
  const arr = await cli(["decode", p, "--json"]);
  const nd = await cli(["decode", p, "--ndjson"]);
  const human = await cli(["decode", p]);
  assert.equal(arr.code, 0, arr.stderr);
  const top = JSON.parse(arr.stdout);
  const objects = top.records;
  assert.deepEqual(nd.stdout.trimEnd().split("\n").map((l) => JSON.parse(l)), objects);
  assert.deepEqual(objects.map((o: { offset: number }) => o.offset), [0, 64, 128]);
  // 192 bytes: 64, 48, 24 and 8 divide it; only mainline reads these records without an error.
  assert.equal(top.abi, "mainline");
  assert.equal(top.guessed, true);
  assert.equal(top.ambiguous, false);
  assert.equal(top.candidates[0].abi, "mainline");
  assert.deepEqual(
    top.candidates.map((c: { abi: string }) => c.abi).sort(),
    ["hwpt-response", "mainline", "resp24", "rfc3", "v4", "v7", "v8"],
  );
  assert.equal(top.hex, null, "a binary capture");
  assert.deepEqual(objects.map((o: { type_name: string }) => o.type_name), [
    "DMA_UNRECOV",
    "PAGE_REQ",
    "DMA_UNRECOV",
  ]);
  // The inference: in the table's first line for humans, on stderr for machines.
  assert.match(
    human.stdout.split("\n")[0],
    /^abi mainline: .*guessed mainline: 192 bytes = 3 x 64/,
  );
  assert.match(arr.stderr, /guessed mainline/);
  assert.equal(nd.stderr, arr.stderr);
  const rows = human.stdout.split("\n").filter((l) => /^\s*\d+\s+0x/.test(l));
  assert.deepEqual(rows.map((l) => l.trim().split(/\s+/)[1]), ["0x0", "0x40", "0x80"]);
  await Deno.remove(p);
});

Deno.test("decode --check: the same findings in every view, and exit 1", async () => {
  const p = await capture();
  const arr = await cli(["decode", p, "--abi", "mainline", "--check", "--json"]);
  const nd = await cli(["decode", p, "--abi", "mainline", "--check", "--ndjson"]);
  const human = await cli(["decode", p, "--abi", "mainline", "--check"]);
  for (const r of [arr, nd, human]) assert.equal(r.code, 1, r.stderr);
  const top = JSON.parse(arr.stdout);
  const objects = top.records;
  assert.equal(top.guessed, false);
  assert.deepEqual(top.check, { records: 3, errors: 1, warnings: 0, findings: [] });
  assert.deepEqual(nd.stdout.trimEnd().split("\n").map((l) => JSON.parse(l)), objects);
  const found = objects.flatMap((o: { findings: { rule: string; offset: number }[] }) =>
    o.findings
  );
  // Record 2's flags 0x83: bit 7 is no IOMMU_FAULT_UNRECOV_* bit (abi.md 2.6b); event.flags is
  // at byte 12 of the record, byte 128 + 12 of the capture.
  assert.deepEqual(found.map((f: { rule: string }) => f.rule), ["REC-FLAGS"]);
  assert.equal(found[0].offset, 128 + 12);
  assert.match(human.stdout, /error\s+REC-FLAGS\s+#2 event\.flags @0x8c/);
  assert.match(human.stdout, /^3 records checked: 1 error, 0 warnings$/m);
  await Deno.remove(p);
});

Deno.test("decode: trailing bytes are reported after the records; --count stops before them", async () => {
  const bytes = new Uint8Array(64 * 2 + 10);
  bytes.set(parseHex(TV1.hex), 0);
  bytes.set(parseHex(TV1.hex), 64);
  const p = await tmpFile(bytes);
  const r = await cli(["decode", p, "--abi", "mainline", "--ndjson"]);
  assertOneLineError(r, 2, "trailing 10 bytes at offset 0x80", "64-byte mainline record");
  assert.equal(r.stdout.trimEnd().split("\n").length, 2, "the whole records were printed");
  const c = await cli(["decode", p, "--abi", "mainline", "--ndjson", "--count", "2"]);
  assert.equal(c.code, 0, c.stderr);
  await Deno.remove(p);
  // One byte is one byte, and it is not a record.
  const one = ["trailing 1 byte at offset 0x0 is not a whole"];
  assertOneLineError(await cli(["decode", "--abi", "rfc3", "--hex", "01"]), 2, ...one, "rfc3");
  assertOneLineError(await cli(["decode", "--abi", "vevent", "--hex", "01"]), 2, ...one, "vEVENT");
  const q = await cli(["decode", "--abi", "hwpt-pgfault", "--check", "--hex", "01"]);
  assert.match(q.stdout, /FQ-ALIGN +#- @0x0 +trailing 1 byte at 0x0 is not a whole /);
});

Deno.test("decode: a resp20 version prints as 1, not 1(1)", async () => {
  // abi.md TV8 (v5.3-v5.9): version IOMMU_PAGE_RESP_VERSION_1.
  const r = await cli([
    "decode",
    "--abi",
    "resp20",
    "--hex",
    "01 00 00 00 01 00 00 00 05 00 00 00 07 00 00 00 00 00 00 00",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const row = r.stdout.split("\n").find((l) => /^\s*0\s+0x0/.test(l))!;
  assert.match(row, /^\s*0\s+0x0\s+1\s+0x1 PASID_VALID\s+5\s+7\s+SUCCESS\(0\)$/);
});

Deno.test("decode: RFC v3 capture guessed with the other candidates' scores", async () => {
  const r = await cli(["decode", data("rfc3-capture.bin"), "--ndjson"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /guessed rfc3: 240 bytes = 5 x 48; picked rfc3: the fewest record errors/);
  // Every generation whose size divides 240 was scored: 48, 40, 24, 20 and 8 bytes.
  for (const abi of ["v8", "v4", "v7", "hwpt-pgfault", "resp24", "resp20", "hwpt-response"]) {
    assert.match(r.stderr, new RegExp(`; ${abi} \\d+ errors?, \\d+ warnings? in \\d+ records`));
  }
  assert.match(r.stderr, /candidates: rfc3 0 errors, 0 warnings in 5 records;/);
});

Deno.test("--vevent-type without --abi vevent is refused, as --one-read is", async () => {
  // `decode x --abi rfc3 --vevent-type tegra241-cmdqv` decoded rfc3 records and ignored it.
  const capture = data("rfc3-capture.bin");
  for (const args of [["--abi", "rfc3"], []]) {
    assertOneLineError(
      await cli(["decode", capture, ...args, "--vevent-type", "tegra241-cmdqv"]),
      2,
      "--vevent-type",
      "--abi vevent",
    );
  }
  // The default type still applies when it is not given: arm-smmuv3, whose payload is
  // struct iommu_vevent_arm_smmuv3 (include/uapi/linux/iommufd.h).
  const r = await cli(["decode", "--abi", "vevent", "--hex", "01 00 00 00 01 00 00 00"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\biommu_vevent_arm_smmuv3\b/);
});

// A one-byte file of a UTF-8 lead byte (0xe8, 0xc3) was read as text: the lone byte decoded to
// U+FFFD and the message echoed it (`bad hex '\uFFFD'`). The input ends inside the character,
// so it is not text: it is one byte of records, and the message says so in words.
Deno.test("decode: a lone non-ASCII byte is not text; no message echoes a raw or replaced byte", async () => {
  for (const b of [0xe8, 0xc3]) {
    const p = await tmpFile(Uint8Array.of(b));
    const r = await cli(["decode", p]);
    assertOneLineError(r, 2, p, "1 byte is not a multiple of any record size");
    assert.doesNotMatch(r.stderr, /\uFFFD/);
    await Deno.remove(p);
  }
  // A control character in a bad token is shown escaped, never sent to the terminal.
  const esc = await cli(["decode", "--abi", "rfc3", "--hex", "01 \x1b[2J"]);
  assertOneLineError(esc, 2, "bad hex '\\x1b[2J'", "line 1, column 4");
  // Past the 4 KiB sniffed, a byte that is no UTF-8 reaches the hex reader as U+FFFD: escaped.
  const dump = new TextEncoder().encode("00 ".repeat(2000));
  const p = await tmpFile(Uint8Array.of(...dump, 0xe8, 0x0a), ".txt");
  const r = await cli(["decode", "--abi", "rfc3", p]);
  assertOneLineError(r, 2, p, "bad hex '\\ufffd'", "column 6001");
  assert.doesNotMatch(r.stderr, /\uFFFD/);
  await Deno.remove(p);
});

Deno.test("decode --as-iommu-fault over several chunks: each table headed, no trailing blank line", async () => {
  // 40,000 32-byte SMMUv3 records (1.28 MB) arrive in more than one chunk; the iommu_fault table
  // of the first chunk's records came before the next chunk's rows, which then read as if they
  // continued it, and the output ended with an empty line.
  const path = await tmpFile(new Uint8Array(32 * 40_000));
  try {
    const r = await cli(["decode", path, "--abi", "smmuv3-evt", "--as-iommu-fault"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(lines.at(-1), "", "ends with a newline");
    assert.notEqual(lines.at(-2), "", "and not with a blank line");
    const recordHeads = lines.flatMap((l, i) => /^index\s+offset\s+id\s/.test(l) ? [i] : []);
    const faultHeads = lines.flatMap((l, i) =>
      /^iommu_fault each record becomes/.test(l) ? [i] : []
    );
    assert.ok(faultHeads.length >= 2, `${faultHeads.length} iommu_fault tables`);
    assert.equal(recordHeads.length, faultHeads.length, "one records table before each");
    // Every records header after the first follows a blank line that ends an iommu_fault table.
    for (const i of recordHeads.slice(1)) assert.equal(lines[i - 1], "");
    // Each record has its row and its three kernel paths (6.8+, 5.13-6.7, nested v9-v12).
    assert.equal(lines.filter((l) => /^\s*\d+\s+0x[0-9a-f]+\s+\?\(0\)/.test(l)).length, 40_000);
    assert.equal(
      lines.filter((l) => /^\s*\d+\s+(mainline-6\.8|mainline-5\.13|nested-v9-v12)\s/.test(l))
        .length,
      120_000,
    );
  } finally {
    await Deno.remove(path);
  }
});
