/**
 * Issue 12, section 4: the inputs that broke `decode` and `inspect`, each exactly as reported,
 * run in process with a stdin that counts what it gives (an endless one stands for /dev/zero and
 * `yes`), and a few as real processes on the real /dev/zero. Each asserts the exit status, the
 * one line said, and how much was read: reading stops where the output does, and memory follows
 * a chunk, not the input (the figures are in bench/RESULTS.md). decode and inspect write no file,
 * so there is nothing to leave half-written; what they print before an input error stays printed.
 */
import assert from "node:assert/strict";
import { run } from "../src/cli/main.ts";
import type { Reader } from "../src/cli/io.ts";
import { parseHex } from "../src/codec/hex.ts";
import { assertOneLineError, captureIo, cli, data, type Result, root } from "./support/cli.ts";
import { checkJsonOutputs } from "./support/schema.ts";
import { TV1, TV10, TV3 } from "./support/vectors.ts";

/** A stdin that repeats `unit` forever (or `times` times), counting the bytes it gives. */
function repeating(unit: Uint8Array, times = Infinity): Reader & { given: number } {
  let at = 0, left = times;
  const r = {
    given: 0,
    read(p: Uint8Array): Promise<number | null> {
      if (left <= 0) return Promise.resolve(null);
      let n = 0;
      while (n < p.length && left > 0) {
        const k = Math.min(p.length - n, unit.length - at);
        p.set(unit.subarray(at, at + k), n);
        n += k;
        at += k;
        if (at === unit.length) [at, left] = [0, left - 1];
      }
      r.given += n;
      return Promise.resolve(n);
    },
  };
  return r;
}

/** Runs faultscope in process with `stdin`; JSON outputs must match their schema. */
async function withStdin(args: string[], stdin: Reader): Promise<Result> {
  const io = { ...captureIo(), stdin };
  const code = await run(args, io);
  checkJsonOutputs(args, io.stdoutText());
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

const MiB = 1 << 20;
const ndjsonLines = (r: Result) =>
  r.stdout.trimEnd().split("\n").filter(Boolean).map((l) => JSON.parse(l));

/** The 138 bytes `xxd -a` prints for `truncate -s 256M zero`. */
const XXD_A_256M = "00000000: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n*\n" +
  "0ffffff0: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n";

Deno.test("hex '*': the xxd -a dump of a 256 MiB zero file decodes, in chunks (was 2.7 GB, exit 70)", async () => {
  const dump = new TextEncoder().encode(XXD_A_256M);
  assert.equal(dump.length, 138);
  const five = await withStdin(
    ["decode", "-", "--abi", "mainline", "--ndjson", "--count", "5"],
    repeating(dump, 1),
  );
  assert.equal(five.code, 0, five.stderr);
  assert.deepEqual(ndjsonLines(five).map((r) => [r.index, r.offset, r.type]), [
    [0, 0, 0],
    [1, 64, 0],
    [2, 128, 0],
    [3, 192, 0],
    [4, 256, 0],
  ]);
  // All of it: 256 MiB / 64 = 4194304 records of zeros, counted without being held.
  const all = await withStdin(
    ["decode", "-", "--abi", "mainline", "--summary", "--json"],
    repeating(dump, 1),
  );
  assert.equal(all.code, 0, all.stderr);
  const s = JSON.parse(all.stdout).summary;
  assert.equal(s.records, 4194304);
  assert.deepEqual(s.by_type_reason, [{ type: "?(0)", reason: "-", count: 4194304 }]);
  // One line further is past the 256 MiB limit: said before anything is expanded.
  const past = XXD_A_256M.replace("0ffffff0: 0000 ", "10000010: 0000 ");
  assertOneLineError(
    await cli(["decode", "--abi", "mainline", "--hex", past]),
    2,
    "--hex: '*' repeats up to offset 0x10000010 at line 3, past the 268435456-byte limit",
  );
});

Deno.test("hex '*': a 200,000-byte line followed by '*' (was exit 70, stack overflow)", async () => {
  const line = "00000000: " + Array.from({ length: 200_000 }, () => "01").join(" ");
  // Three copies of the line: 600000 bytes = 9375 64-byte records.
  const r = await cli([
    "decode",
    "--abi",
    "mainline",
    "--summary",
    "--hex",
    `${line}\n*\n000927c0:`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^summary of 9375 records:$/m);
  assert.match(r.stdout, /^ {2}\?\(16843009\) {2}-/m, "type 0x01010101, not a fault type");
});

Deno.test("decode --abi vevent /dev/zero --count 5: five records, one chunk read (was 3.2 GB in 30 s)", async () => {
  const zero = repeating(new Uint8Array(4096));
  const r = await withStdin(["decode", "--abi", "vevent", "-", "--count", "5", "--ndjson"], zero);
  assert.equal(r.code, 0, r.stderr);
  // Zero headers: flags 0, sequence 0, a 32-byte payload each: 40 bytes a record.
  assert.deepEqual(ndjsonLines(r).map((x) => [x.index, x.offset, x.sequence]), [
    [0, 0, 0],
    [1, 40, 0],
    [2, 80, 0],
    [3, 120, 0],
    [4, 160, 0],
  ]);
  assert.ok(zero.given <= 2 * MiB, `read ${zero.given} bytes for 5 records`);
  // The same on the real device, as a process.
  const p = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--cached-only",
      "-A",
      new URL("main.ts", root).pathname,
      "decode",
      "--abi",
      "vevent",
      "/dev/zero",
      "--count",
      "5",
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const out = new TextDecoder().decode(p.stdout);
  assert.equal(p.code, 0, new TextDecoder().decode(p.stderr));
  assert.equal(out.split("\n").filter((l) => /^\s+\d+\s+0x/.test(l)).length, 5, out);
});

Deno.test("decode --abi vevent streams: every record, the loss counted as they come", async () => {
  // TV10 (event 0, LOST_EVENTS 1) then 20000 more events 2.. as one stream: 1 event lost.
  const ev = (seq: number) => {
    const b = parseHex(TV10.hex).slice(0, 40);
    new DataView(b.buffer).setUint32(4, seq, true);
    return b;
  };
  const n = 20_000;
  const bytes = new Uint8Array(48 + 40 * n);
  bytes.set(parseHex(TV10.hex), 0);
  for (let i = 0; i < n; i++) bytes.set(ev(i + 2), 48 + 40 * i);
  const r = await withStdin(["decode", "--abi", "vevent", "-", "--json"], repeating(bytes, 1));
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.equal(o.records.length, n + 2);
  assert.equal(o.lost_events, 1);
  assert.deepEqual(o.lost_events_from, { lost_events_headers: 1, sequence_gaps: 0 });
});

Deno.test("hex text is streamed: yes '00 ...' | decode - --count 5 reads one chunk (was 4.6 GB)", async () => {
  const yes = repeating(
    new TextEncoder().encode("00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"),
  );
  const r = await withStdin(["decode", "-", "--abi", "mainline", "--count", "5", "--ndjson"], yes);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(ndjsonLines(r).length, 5);
  // The format is decided on the first 256 KiB of text; 1 MiB of record data is sampled: about
  // 3 MiB of text, whatever follows.
  assert.ok(yes.given <= 4 * MiB, `read ${yes.given} bytes of text for 5 records`);
});

Deno.test("decode --check (human) keeps 20 findings per rule and counts the rest (was 1.35 GB)", async () => {
  // 10000 zero mainline records: type 0 is no fault type, an error on each (REC-TYPE).
  const r = await withStdin(
    ["decode", "-", "--abi", "mainline", "--check"],
    repeating(new Uint8Array(64), 10_000),
  );
  assert.equal(r.code, 1, r.stderr);
  const rows = r.stdout.split("\n");
  const findings = rows.filter((l) => /^error\s+REC-TYPE\s/.test(l));
  assert.equal(findings.length, 20);
  assert.match(r.stdout, /^\.\.\. 9980 more REC-TYPE findings \(--ndjson lists every one\)$/m);
  assert.match(r.stdout, /^10000 records checked: 10000 errors, 0 warnings$/m);
  // --ndjson carries every one, on its record.
  const nd = await withStdin(
    ["decode", "-", "--abi", "mainline", "--check", "--ndjson"],
    repeating(new Uint8Array(64), 10_000),
  );
  assert.equal(
    ndjsonLines(nd).filter((x) => x.findings.some((f: { rule: string }) => f.rule === "REC-TYPE"))
      .length,
    10_000,
  );
});

Deno.test("decode /dev/zero --count 5 stops reading; --count 0 reads nothing", async () => {
  const zero = repeating(new Uint8Array(4096));
  const r = await withStdin(["decode", "-", "--abi", "mainline", "--count", "5"], zero);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split("\n").filter((l) => /^\s+\d+\s+0x/.test(l)).length, 5);
  assert.ok(zero.given <= 2 * MiB, `read ${zero.given}`);
  const none = await cli(["decode", data("mainline-capture.bin"), "--count", "0", "--ndjson"]);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(none.stdout, "");
});

Deno.test("inspect - </dev/zero refuses once past the largest region (16 MiB), one line", async () => {
  const zero = repeating(new Uint8Array(4096));
  const r = await withStdin(["inspect", "-"], zero);
  assertOneLineError(
    r,
    2,
    "stdin: more than 16777216 bytes, larger than any fault region; pass --region-size N to " +
      "read only its first N bytes",
  );
  assert.ok(zero.given <= 16 * MiB + 64 * 1024, `read ${zero.given} bytes`);
});

Deno.test("a capture that shrinks while decode reads it: its records, then one line, exit 2", async () => {
  // 3 MiB of TV1 records (49152); the file is cut to 2.5 MiB once the first records are out
  // (decode has read its first two 1 MiB chunks by then: the ABI sample).
  const rec = parseHex(TV1.hex);
  const bytes = new Uint8Array(3 * MiB);
  for (let o = 0; o < bytes.length; o += 64) bytes.set(rec, o);
  const path = await Deno.makeTempFile({ suffix: ".bin" });
  await Deno.writeFile(path, bytes);
  const io = captureIo();
  let cut = false;
  const out = io.out;
  const cutOnce = () => {
    if (!cut) Deno.truncateSync(path, 2.5 * MiB);
    cut = true;
  };
  // NDJSON lines reach the writer as text in batches (`write`), other views line by line.
  const shrinking = {
    ...io,
    out: {
      write(t: string) {
        cutOnce();
        out.write(t);
      },
      line(t?: string) {
        cutOnce();
        out.line(t);
      },
      flush: () => out.flush(),
    },
  };
  const code = await run(["decode", path, "--abi", "mainline", "--ndjson"], shrinking);
  const r = { code, stdout: io.stdoutText(), stderr: io.stderrText() };
  assertOneLineError(
    r,
    2,
    `${path}: the file shrank while it was read: it ended at byte 2621440 of the 3145728 it ` +
      "had when decode started (40960 of 49152 records decoded)",
  );
  assert.equal(ndjsonLines(r).length, 40960, "the records read are all printed");
  await Deno.remove(path);
});

Deno.test("a hex dump with a UTF-8 BOM, or non-ASCII in its ASCII column, is read as hex (was binary garbage, exit 0)", async () => {
  const bom = Uint8Array.of(0xef, 0xbb, 0xbf, ...new TextEncoder().encode(TV3.hex));
  const r = await withStdin(["decode", "-", "--abi", "rfc3"], repeating(bom, 1));
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^ {2}hex dump \(UTF-8 text \(byte-order mark skipped\); groups read as bytes\)$/m,
  );
  assert.match(r.stdout, /^\s+0\s+0x0\s+DMA_UNRECOV\(1\)\s+PERMISSION\(10\)\s.*0xdeadb000/m);
  // hexyl-style middle dots in the ASCII column: UTF-8, still text.
  const xxd = [
    "00000000: 0100 0000 0a00 0000 00b0 adde 0000 0000  ··········",
    "00000010: 0000 0000 0000 0000 0500 0000 0000 0000  ········",
    "00000020: 0000 0000 0100 0000 0000 0000 0000 0000  ········",
    "",
  ].join("\n");
  const u = await withStdin(
    ["decode", "-", "--abi", "rfc3", "--ndjson"],
    repeating(new TextEncoder().encode(xxd), 1),
  );
  assert.equal(u.code, 0, u.stderr);
  assert.deepEqual(ndjsonLines(u).map((x) => [x.reason_name, x.addr, x.pasid]), [
    ["PERMISSION", "0xdeadb000", 5],
  ]);
  // Records without a NUL byte are still records, and the choice is said.
  const ff = await withStdin(
    ["decode", "-", "--abi", "mainline"],
    repeating(new Uint8Array(64).fill(0xff), 1),
  );
  assert.match(
    ff.stdout,
    /^ {2}read as raw records \(byte 0xff at offset 0x0 is not UTF-8 text\)$/m,
  );
});

Deno.test("decode --abi vevent --check --json keeps VEQ-TRUNCATED (the human view showed it)", async () => {
  // TV10, then a header whose 32-byte payload is cut after 4 bytes.
  const hex = TV10.hex + "0030: 00 00 00 00 02 00 00 00 00 00 00 00";
  const j = await cli(["decode", "--abi", "vevent", "--check", "--json", "--hex", hex]);
  assert.equal(j.code, 1, j.stderr);
  const o = JSON.parse(j.stdout);
  assert.deepEqual(
    o.check.findings.map((f: { rule: string; offset: number }) => [f.rule, f.offset]),
    [
      ["VEQ-TRUNCATED", 48],
    ],
  );
  assert.equal(o.check.records, 3);
  const nd = await cli(["decode", "--abi", "vevent", "--check", "--ndjson", "--hex", hex]);
  assert.match(
    nd.stderr,
    /^faultscope: error: VEQ-TRUNCATED: the input ends inside the record at 0x30/m,
  );
  const h = await cli(["decode", "--abi", "vevent", "--check", "--hex", hex]);
  assert.match(h.stdout, /^error\s+VEQ-TRUNCATED\s+#2 @0x30\s/m);
});

Deno.test("--region-size past the largest region names the flag and the range (said 'pass --region-size')", async () => {
  assertOneLineError(
    await cli(["inspect", data("rfc3-sample.bin"), "--region-size", "16777217"]),
    2,
    "--region-size",
    "must be a size from 1 to 16777216 bytes",
  );
  // The RFC v3 sample followed by zeros up to 17 MiB, without --region-size: the flag that
  // would help, and what it does.
  const p = await Deno.makeTempFile();
  await Deno.copyFile(data("rfc3-sample.bin"), p);
  await Deno.truncate(p, 17 * MiB);
  assertOneLineError(
    await cli(["inspect", p]),
    2,
    `${p}: 17825792 bytes is larger than any fault region (at most 16777216); pass ` +
      "--region-size N to read only the first N bytes",
  );
  const r = await cli(["inspect", p, "--region-size", "64k", "--brief"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /: rfc3 region, rfc3 records \(48 bytes\), capacity 1365: 5 pending/);
  await Deno.remove(p);
});

/**
 * Runs `decode /dev/zero ARGS` as a process and sends `signal` once its first output arrived
 * (the records are flowing: decode holds the signals by then); what it printed and its status.
 */
async function decodeStopped(signal: Deno.Signal, args: string[]): Promise<Result> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--cached-only", "-A", new URL("main.ts", root).pathname, "decode", "/dev/zero"]
      .concat(args),
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.getReader();
  const dec = new TextDecoder();
  let stdout = "";
  for (let signalled = false;;) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += dec.decode(value, { stream: true });
    if (!signalled) child.kill(signal);
    signalled = true;
  }
  return { code: (await child.status).code, stdout, stderr: await stderr };
}

// decode was killed outright by Ctrl-C and SIGTERM (130/143, nothing said, the JSON cut
// anywhere); dmesg and watch say where they stopped. decode now ends the record it is on,
// closes its output and says so in one line.
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`decode /dev/zero --ndjson, ${signal}: every record printed whole, one line, exit ${code}`, async () => {
    const r = await decodeStopped(signal, ["--abi", "mainline", "--ndjson"]);
    assert.equal(r.code, code, r.stderr);
    const m = /^faultscope: interrupted after (\d+) records; the records so far are above\n$/
      .exec(r.stderr);
    assert.ok(m, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(lines.pop(), "", "the output ends with a whole line");
    assert.equal(lines.length, Number(m[1]), "as many records printed as the line says");
    assert.deepEqual(JSON.parse(lines.at(-1)!).index, lines.length - 1);
  });
}

Deno.test("decode --abi vevent /dev/zero --json, SIGINT: the JSON is closed, one line, exit 130", async () => {
  const r = await decodeStopped("SIGINT", ["--abi", "vevent", "--json"]);
  assert.equal(r.code, 130, r.stderr);
  const m = /^faultscope: interrupted after (\d+) records; the records so far are above\n$/
    .exec(r.stderr);
  assert.ok(m, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.records.length, Number(m[1]));
});
