/**
 * `faultscope watch` as its users meet it: bad command lines and inputs are one line and exit 2;
 * a file that appears late, is truncated, replaced or deleted, a log that rotates, a metrics
 * directory that goes away: one line each and watch keeps following (as `tail -F` and an
 * exporter do); the metrics endpoint and file; Ctrl-C, SIGTERM and --count end with a summary and
 * the documented status.
 */
import assert from "node:assert/strict";
import { buildRegion } from "../src/region/model.ts";
import { assertOneLineError, cli, data, spawnCli } from "./support/cli.ts";
import { faultscope, objects, waitFor } from "./watch_support.ts";
import { dmarLine } from "./watch_writers.ts";

/** An RFC v3 region whose faults name themselves: fault k at 0x1000 * (k + 1) in slot k. */
function region(prod: number, cons = 0): Uint8Array {
  return buildRegion({
    layout: "rfc3",
    producer: prod,
    consumer: cons,
    records: Array.from({ length: prod }, (_, k) => ({
      slot: k,
      fields: { type: 1, reason: 10, addr: BigInt(0x1000 * (k + 1)), pasid: 1, pasid_valid: 1 },
    })),
  });
}

/** Writes a file whole, as a writer that renames a finished file into place does. */
async function replace(path: string, bytes: Uint8Array) {
  await Deno.writeFile(`${path}.tmp`, bytes);
  await Deno.rename(`${path}.tmp`, path);
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

Deno.test("bad command lines and inputs: one line, exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assertOneLineError(await cli(["watch"]), 2, "nothing to watch");
    assertOneLineError(await cli(["watch", "-"]), 2, "--abi");
    assertOneLineError(await cli(["watch", dir]), 2, dir, "is a directory");
    assertOneLineError(await cli(["watch", `${dir}/x,colour=red`]), 2, "unknown key 'colour'");
    assertOneLineError(await cli(["watch", "a.bin,label=x", "b.bin,label=x"]), 2, "named 'x'");
    assertOneLineError(await cli(["watch", `${dir}/x,abi=nope`]), 2, "abi 'nope'");
    assertOneLineError(await cli(["watch", "x.bin", "--interval", "0"]), 2, "--interval");
    assertOneLineError(await cli(["watch", "x.bin", "--listen", "localhost"]), 2, "HOST:PORT");
    await new Deno.Command("mkfifo", { args: [`${dir}/fifo`] }).output();
    assertOneLineError(await cli(["watch", `${dir}/fifo`]), 2, "FIFO", "--abi");
    // A file that is there but is no fault region: nothing can work.
    await Deno.writeFile(`${dir}/junk.bin`, new Uint8Array(4096).fill(0xa5));
    assertOneLineError(await cli(["watch", `${dir}/junk.bin`]), 2, "junk.bin");
    // An output directory that does not exist.
    assertOneLineError(
      await cli(["watch", data("rfc3-sample.bin"), "--metrics-file", `${dir}/no/m.prom`]),
      2,
      "no such directory",
    );
    assertOneLineError(await cli(["simulate", "--realtime"]), 2, "--realtime needs --out");
    assertOneLineError(await cli(["simulate", "--speed", "2"]), 2, "--speed goes with --realtime");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a device whose header says no size: the hint is a flag watch has (--layout)", async () => {
  // It said "pass --region-size", which watch refuses as an unknown option.
  const r = await cli(["watch", "/dev/zero", "--duration", "0.2"]);
  assertOneLineError(r, 2, "/dev/zero", "cannot tell the region size", "--layout rfc3");
  assert.doesNotMatch(r.stderr, /--region-size/);
});

Deno.test("stdin named twice: the same words in watch, validate and dmesg", async () => {
  // watch said "two sources are named 'stdin': name one with PATH,label=NAME", which cannot
  // help (stdin takes no keys); validate read stdin twice and called the second read empty.
  const capture = await Deno.readFile(data("rfc3-sample.bin"));
  for (
    const args of [
      ["watch", "-", "-", "--abi", "rfc3"],
      ["watch", "-", "--log", "-", "--abi", "rfc3"],
      ["validate", "-", "--previous", "-"],
      ["dmesg", "-", "--lspci", "-"],
    ]
  ) {
    const r = await cli(args, { stdin: capture });
    assertOneLineError(r, 2, "only one input can come from stdin ('-')");
  }
});

Deno.test("a metrics port already taken: one line, exit 2", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (l.addr as Deno.NetAddr).port;
    const r = await spawnCli(["watch", data("rfc3-sample.bin"), "--listen", `127.0.0.1:${port}`]);
    assertOneLineError(r, 2, `127.0.0.1:${port}`, "address already in use");
  } finally {
    l.close();
  }
});

Deno.test("a region that appears already moved: what it took before the first look is a declared loss", async () => {
  // Consumer index 40, producer 43: at least 40 faults were written and taken before watch could
  // look, though it was watching the path; a lap would hide 1365 more, so no upper bound.
  const dir = await Deno.makeTempDir();
  const path = `${dir}/r.bin`;
  const w = faultscope(["watch", path, "--ndjson", "--interval", "5"]);
  try {
    await waitFor(() => w.stderr.includes("waiting for it to appear"), "the wait");
    await replace(path, region(43, 40));
    await waitFor(
      () => objects(w.stdout).filter((o) => o.type === "fault").length === 3,
      "3 faults",
    );
    w.kill("SIGTERM");
    await w.done();
    const out = objects(w.stdout);
    assert.deepEqual(
      out.filter((o) => o.type === "loss" || o.type === "fault").map((o) =>
        o.type === "loss"
          ? [o.cause, o.at_least, o.at_most]
          : Number(BigInt((o.fault as { addr: string }).addr) / 0x1000n) - 1
      ),
      [["before_first_look", 40, null], 40, 41, 42],
    );
    assert.match(w.stderr, /lost: before first look 1 time \(at least 40 faults, unbounded\)/);
  } finally {
    await w.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a region file: appears late, grows, is truncated, comes back, is replaced, is deleted", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/r.bin`;
  const w = faultscope(["watch", path, "--ndjson", "--interval", "5"]);
  try {
    await waitFor(() => w.stderr.includes("waiting for it to appear"), "the wait");
    await replace(path, region(2));
    await waitFor(() => w.stderr.includes("following: rfc3 region"), "the region");
    await replace(path, region(4)); // a new file (inode): its records are news
    await waitFor(() => w.stderr.includes("replaced: following the new file"), "the replacement");
    await waitFor(
      () => objects(w.stdout).filter((o) => o.type === "fault").length === 6,
      "6 faults",
    );
    const f = await Deno.open(path, { write: true });
    await f.truncate(1000);
    // Seen by the size watch stats, or, when the truncation falls between its stat and its read,
    // by the read that comes back short: either way it waits.
    await waitFor(
      () => /truncated to 1000 bytes|read 1000 of 65536 bytes/.test(w.stderr),
      "the truncation",
    );
    await f.truncate(0);
    await f.write(region(5));
    f.close();
    // The replacement and the rewrite each start over: a resync loss, then the records pending.
    await waitFor(
      () => objects(w.stdout).filter((o) => o.type === "fault").length === 11,
      "the rewritten region's 5 faults",
    );
    assert.equal(objects(w.stdout).filter((o) => o.cause === "resync").length, 2);
    await Deno.remove(path);
    await waitFor(() => w.stderr.includes("deleted; waiting for it to come back"), "the deletion");
    // Each happening said once, though watch polled every 5 ms through it.
    for (const n of ["waiting for it to appear", "replaced", "deleted"]) {
      assert.equal(count(w.stderr, n), 1, `'${n}' once in:\n${w.stderr}`);
    }
    assert.equal(w.stderr.match(/truncated to 1000 bytes|read 1000 of 65536 bytes/g)?.length, 1);
    const out = objects(w.stdout);
    const ks = out.filter((o) => o.type === "fault").map((o) =>
      Number(BigInt((o.fault as { addr: string }).addr) / 0x1000n) - 1
    );
    // The first image appeared while watched, so its 2 pending records are news even without
    // --from-start (they once went unreported, and the summary said "complete"); the
    // replacement's 4 and the rewritten file's 5 are each reported in full, after a resync. Its
    // consumer index was 0: nothing was taken before the first look, so no loss for it.
    assert.deepEqual(ks, [0, 1, 0, 1, 2, 3, 0, 1, 2, 3, 4]);
    assert.equal(out.filter((o) => o.cause === "before_first_look").length, 0);
    // The event stream says when the source could not be read and when it could again: missing
    // at the start, back, truncated, back (the replacement never made it unreadable), deleted.
    // Each `up` comes before the faults of the read that brought it back.
    const updown = out.filter((o) => o.state === "up" || o.state === "down");
    assert.deepEqual(updown.map((o) => o.state), ["down", "up", "down", "up", "down"]);
    const firstUp = out.findIndex((o) => o.state === "up");
    assert.ok(firstUp < out.findIndex((o) => o.type === "fault"), "up before the first fault");
    w.kill("SIGINT");
    const st = await w.done();
    assert.equal(st.code, 130, "Ctrl-C: 130, after the summary");
    assert.match(w.stderr, /faultscope: watched 1 source for .*\(Ctrl-C\): 11 faults/);
    assert.match(w.stderr, /faultscope: stopped by SIGINT/);
  } finally {
    await w.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a log file that appears while watched is read from its first line", async () => {
  // A log that is not there when watch starts holds nothing watch was not waiting for: its
  // lines at the first look were once skipped (followed from the end, as a file that was there).
  const dir = await Deno.makeTempDir();
  const log = `${dir}/kern.log`;
  const line = (k: number) => `[  812.0044${String(k).padStart(2, "0")}] ${dmarLine(k)}\n`;
  const w = faultscope(["watch", "--log", log, "--ndjson", "--interval", "5"]);
  try {
    await waitFor(() => w.stderr.includes("waiting for it to appear"), "the wait");
    await replace(log, new TextEncoder().encode(line(1) + line(2)));
    await waitFor(
      () => objects(w.stdout).filter((o) => o.type === "fault").length === 2,
      "2 faults",
    );
    const addrs = objects(w.stdout).filter((o) => o.type === "fault").map((o) =>
      (o.fault as { addr: string }).addr
    );
    assert.deepEqual(addrs, ["0x2000", "0x3000"]);
  } finally {
    await w.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a log file like tail -F: lines before a rotation are read, then the new file; truncation is a loss", async () => {
  const dir = await Deno.makeTempDir();
  const log = `${dir}/kern.log`;
  const line = (k: number) => `[  812.0044${String(k).padStart(2, "0")}] ${dmarLine(k)}\n`;
  await Deno.writeTextFile(log, line(0)); // before watch: not reported (it starts at the end)
  const w = faultscope(["watch", "--log", log, "--ndjson", "--interval", "5"]);
  const faults = () => objects(w.stdout).filter((o) => o.type === "fault").length;
  try {
    // No condition shows that watch has opened the file; a line it reports does.
    await waitFor(async () => {
      await Deno.writeTextFile(log, line(1), { append: true });
      await new Promise((r) => setTimeout(r, 20));
      return faults() > 0;
    }, "watch to follow the file");
    const before = faults();
    await Deno.writeTextFile(log, line(2), { append: true });
    await Deno.rename(log, `${log}.1`); // logrotate: the old file keeps its name's lines
    await Deno.writeTextFile(log, line(3));
    // A poll between the rename and the new file sees the path missing, then a new file: said
    // as a deletion and a return, where a poll after both sees a new inode: a rotation.
    await waitFor(
      () => /rotated|deleted; waiting for it to come back/.test(w.stderr),
      "the rotation",
    );
    await waitFor(() => faults() === before + 2, "line 2 (old file) and line 3 (new file)");
    // Truncated and rewritten shorter (a rewrite of the same size looks like no change to any
    // tail -F: only the size tells a truncation).
    await Deno.writeTextFile(log, `[1.0] ${dmarLine(4)}\n`);
    await waitFor(
      () => objects(w.stdout).some((o) => o.cause === "log_truncated"),
      "the truncation",
    );
    await waitFor(() => faults() === before + 3, "line 4");
    const addrs = objects(w.stdout).filter((o) => o.type === "fault").slice(before - 1).map((o) =>
      (o.fault as { addr: string }).addr
    );
    assert.deepEqual(addrs, ["0x2000", "0x3000", "0x4000", "0x5000"]);
    w.kill("SIGTERM");
    assert.equal((await w.done()).code, 143);
  } finally {
    await w.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--count and --duration end with exit 0; stdin that ends ends watch", async () => {
  let r = await cli(["watch", data("rfc3-sample.bin"), "--from-start", "--count", "2"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split("\n").filter((l) => /\[slot /.test(l)).length, 2);
  assert.match(r.stdout, /\(--count 2\): 2 faults/);
  r = await cli(["watch", data("rfc3-sample.bin"), "--duration", "0.1", "-q"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /\(--duration 0\.1\): 0 faults/);
  // A capture on stdin: 5 RFC v3 records; a sixth cut at 20 bytes is a lost record.
  const capture = await Deno.readFile(data("rfc3-capture.bin"));
  const cut = new Uint8Array([...capture, ...new Uint8Array(20)]);
  r = await cli(["watch", "-", "--abi", "rfc3", "--ndjson"], { stdin: cut });
  assert.equal(r.code, 0);
  const objs = objects(r.stdout);
  assert.equal(objs.filter((o) => o.type === "fault").length, 5);
  assert.deepEqual(objs.at(-1), {
    ...objs.at(-1),
    type: "loss",
    cause: "partial_record",
    unit: "faults",
    count: 1,
  });
});

Deno.test("--count 0 reads nothing, as decode --count 0 does: exit 0, no fault, metrics written", async () => {
  // rfc3-sample.bin holds 5 pending records; --from-start would report them all.
  const dir = await Deno.makeTempDir();
  try {
    const metrics = `${dir}/faultscope.prom`;
    const r = await cli([
      "watch",
      data("rfc3-sample.bin"),
      "--from-start",
      "--count",
      "0",
      "--metrics-file",
      metrics,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /\[slot /);
    assert.match(r.stdout, /\(--count 0\): 0 faults/);
    const text = await Deno.readTextFile(metrics);
    assert.match(
      text,
      /^faultscope_loss_events_total\{source="[^"]*rfc3-sample\.bin",cause="ring_full"\} 0$/m,
    );
    assert.doesNotMatch(text, /^faultscope_faults_total\{/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--metrics-file: rewritten atomically; a directory that goes away is said once and retried", async () => {
  const dir = await Deno.makeTempDir();
  const metrics = `${dir}/m/faultscope.prom`;
  await Deno.mkdir(`${dir}/m`);
  const path = `${dir}/r.bin`;
  await replace(path, region(0));
  const w = faultscope(["watch", path, "--metrics-file", metrics, "--interval", "5", "-q"]);
  try {
    await waitFor(async () => {
      try {
        return (await Deno.readTextFile(metrics)).includes('faultscope_source_up{source="' + path);
      } catch {
        return false;
      }
    }, "the metrics file");
    await replace(path, region(3));
    await waitFor(async () => {
      const t = await Deno.readTextFile(metrics);
      return /faultscope_faults_total\{[^}]*name="PERMISSION"\} 3/.test(t);
    }, "3 faults in the file");
    const text = await Deno.readTextFile(metrics);
    assert.match(text, /^# HELP faultscope_faults_total /m);
    assert.match(text, /^# TYPE faultscope_ring_pending_records gauge$/m);
    assert.ok(!text.includes("# EOF"), "the textfile collector reads the 0.0.4 format");
    // Removed and made again, not renamed away and back: a rewrite under way at the rename
    // (temporary file made, rename over the target failed) left its temporary file in the
    // renamed directory, which came back with it: the test failed now and then under load.
    await waitFor(async () => {
      try {
        await Deno.remove(`${dir}/m`, { recursive: true });
        return true;
      } catch {
        return false; // a rewrite put its temporary file there meanwhile: again
      }
    }, "the directory removed");
    await waitFor(() => w.stderr.includes("cannot write the metrics file"), "the failure");
    await Deno.mkdir(`${dir}/m`);
    await waitFor(() => w.stderr.includes("written again"), "the recovery");
    assert.equal(count(w.stderr, "cannot write the metrics file"), 1);
    // Looked at once watch has stopped: while it runs, a rewrite every 5 ms has its temporary
    // file in the directory for a moment, by design.
    w.kill("SIGTERM");
    assert.equal((await w.done()).code, 143);
    const leftovers = [...Deno.readDirSync(`${dir}/m`)].map((e) => e.name);
    assert.deepEqual(leftovers, ["faultscope.prom"], "no temporary file left behind");
  } finally {
    await w.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--listen: /metrics in 0.0.4 text or OpenMetrics by Accept, 404 elsewhere, port 0 picks one", async () => {
  const w = faultscope([
    "watch",
    `${data("rfc3-sample.bin")},label=sample`,
    "--from-start",
    "--listen",
    "127.0.0.1:0",
    "-q",
  ]);
  try {
    await waitFor(
      () => /serving metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/.test(w.stderr),
      "the server",
    );
    const url = w.stderr.match(/http:\/\/127\.0\.0\.1:\d+\/metrics/)![0];
    await waitFor(
      async () => (await (await fetch(url)).text()).includes("faultscope_faults_total{"),
      "faults",
    );
    let res = await fetch(url);
    assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    // The sample's five records (testdata/generate.ts): PERMISSION, PTE_FETCH, WALK_EABT, a page
    // request and ACCESS, one each.
    for (const name of ["PERMISSION", "PTE_FETCH", "WALK_EABT", "PAGE_REQ", "ACCESS"]) {
      assert.match(
        text,
        new RegExp(
          `faultscope_faults_total\\{source="sample",vendor="vfio",device="",code="\\d*",name="${name}"\\} 1`,
        ),
      );
    }
    assert.match(text, /faultscope_ring_pending_records\{source="sample"\} 5/);
    assert.match(text, /faultscope_ring_capacity_records\{source="sample"\} 1365/);
    res = await fetch(url, { headers: { accept: "application/openmetrics-text; version=1.0.0" } });
    assert.match(
      res.headers.get("content-type")!,
      /^application\/openmetrics-text; version=1\.0\.0/,
    );
    assert.match(await res.text(), /^# TYPE faultscope_faults counter$[\s\S]*# EOF\n$/m);
    res = await fetch(url.replace("/metrics", "/nope"));
    assert.equal(res.status, 404);
    await res.body?.cancel();
  } finally {
    await w.stop();
  }
});

Deno.test("a terminal gets a status line on stderr; NO colour codes when piped", async () => {
  const { captureIo } = await import("./support/cli.ts");
  const { run } = await import("../src/cli/main.ts");
  const io = captureIo({ stderrIsTerminal: true });
  const code = await run(
    ["watch", data("rfc3-sample.bin"), "--from-start", "--duration", "1.3"],
    io,
  );
  assert.equal(code, 0);
  // Redrawn in place: carriage return, erase line (ESC [ 2 K), then the line.
  const status = io.stderrText().split("\r\u001b[2K").filter(Boolean);
  assert.ok(
    status.some((s) =>
      /^watching 1 source · [\d.]+ faults\/s · 5 faults · 0 losses · last /.test(s)
    ),
  );
  assert.ok(!io.stdoutText().includes("\u001b["), "no escape sequence on a pipe");
});
