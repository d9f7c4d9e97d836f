/**
 * `watch` on files that change between two polls in ways their size does not show: a log
 * truncated and written again past where watch had read, a file of records truncated with records
 * watch had not read yet, a region file that appears before its producer wrote its header, a
 * log path that appears as a directory beside other sources. The changes a poll must not fall
 * inside are made with watch stopped (SIGSTOP).
 */
import assert from "node:assert/strict";
import { buildRegion } from "../src/region/model.ts";
import { faultscope, objects, waitFor } from "./watch_support.ts";
import { dmarLine, dmarNumber } from "./watch_writers.ts";

type Obj = Record<string, unknown>;
const line = (k: number) => `[  812.0044${String(k).padStart(2, "0")}] ${dmarLine(k)}\n`;
const faults = (text: string) => objects(text).filter((o) => o.type === "fault");

/**
 * A log with one line watch started after (at its end), and watch shown to follow it: lines
 * appended until one is reported (no other output says that watch has opened the file).
 */
async function followedLog() {
  const dir = await Deno.makeTempDir();
  const log = `${dir}/kern.log`;
  await Deno.writeTextFile(log, line(0));
  const w = faultscope(["watch", "--log", log, "--ndjson", "--interval", "5"]);
  try {
    await waitFor(async () => {
      await Deno.writeTextFile(log, line(1), { append: true });
      await new Promise((r) => setTimeout(r, 20));
      return faults(w.stdout).length > 0;
    }, "watch to follow the file");
  } catch (e) {
    await w.stop();
    await Deno.remove(dir, { recursive: true });
    throw e;
  }
  return { dir, log, w };
}

Deno.test("a log truncated and written again past the read position: a loss, then its lines from the start", async () => {
  // tail -F tells a truncation by the size only; a log truncated and rewritten longer than
  // what was read between two polls was read on from the old position: lines 2 and 3 were
  // skipped, the read started inside line 4's text, and the summary said complete.
  const { dir, log, w } = await followedLog();
  try {
    const before = faults(w.stdout).length;
    w.kill("SIGSTOP");
    await Deno.writeTextFile(log, line(2) + line(3) + line(4) + line(5));
    w.kill("SIGCONT");
    await waitFor(() => faults(w.stdout).length === before + 4, "lines 2 to 5");
    const out = objects(w.stdout).slice(-5);
    assert.equal(out[0].cause, "log_truncated");
    assert.deepEqual(
      out.slice(1).map((o) => dmarNumber((o.fault as Obj).addr as string)),
      [2, 3, 4, 5],
    );
    w.kill("SIGTERM");
    await w.done();
    assert.match(w.stderr, /LOSSY/);
  } finally {
    w.kill("SIGCONT");
    await w.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a log rewritten and then rotated between two polls: a loss, then the rewritten lines", async () => {
  // Before following a rotated file, watch reads the rest of the old one; when the old one had
  // been rewritten first, that read found the bytes before its position changed and stopped,
  // and the rewritten lines went unread with no loss declared.
  const { dir, log, w } = await followedLog();
  try {
    const before = faults(w.stdout).length;
    w.kill("SIGSTOP");
    await Deno.writeTextFile(log, line(2) + line(3) + line(4) + line(5)); // rewritten, longer
    await Deno.rename(log, `${log}.1`); // then rotated
    await Deno.writeTextFile(log, line(6));
    w.kill("SIGCONT");
    await waitFor(() => faults(w.stdout).length === before + 5, "lines 2 to 6");
    const out = objects(w.stdout).filter((o) => o.type === "fault" || o.type === "loss").slice(-6);
    assert.equal(out[0].cause, "log_truncated");
    assert.deepEqual(
      out.slice(1).map((o) => dmarNumber((o.fault as Obj).addr as string)),
      [2, 3, 4, 5, 6],
    );
  } finally {
    w.kill("SIGCONT");
    await w.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

/** `n` hwpt-pgfault records (40 bytes), record k with addr 0x1000 * (k + 1). */
function pgfaults(from: number, n: number): Uint8Array {
  const b = new Uint8Array(40 * n);
  const dv = new DataView(b.buffer);
  // struct iommu_hwpt_pgfault: flags, dev_id, pasid, grpid, perm, __reserved, addr (u64 at 24).
  for (let i = 0; i < n; i++) dv.setBigUint64(40 * i + 24, BigInt(0x1000 * (from + i + 1)), true);
  return b;
}

Deno.test("a file of records truncated before watch read its last records: a declared loss", async () => {
  // The log follower declared such a truncation; the record-stream follower, on the same
  // tail -F loop, only started over: two records never read, and "complete".
  const dir = await Deno.makeTempDir();
  const path = `${dir}/faults.bin`;
  await Deno.writeFile(path, new Uint8Array(0));
  const watch = faultscope(
    [
      "watch",
      `${path},abi=hwpt-pgfault,kind=stream`,
      "--ndjson",
      "--interval",
      "5",
      "--from-start",
    ],
  );
  try {
    await waitFor(async () => {
      await Deno.writeFile(path, pgfaults(0, 1), { append: true });
      await new Promise((r) => setTimeout(r, 20));
      return faults(watch.stdout).length > 0;
    }, "watch to follow the file");
    await waitFor(async () => {
      await new Promise((r) => setTimeout(r, 50));
      return faults(watch.stdout).length === (await Deno.stat(path)).size / 40;
    }, "every record written so far");
    watch.kill("SIGSTOP");
    await Deno.writeFile(path, pgfaults(100, 2), { append: true }); // never read
    await Deno.writeFile(path, pgfaults(200, 1)); // truncated, one new record
    watch.kill("SIGCONT");
    await waitFor(
      () => faults(watch.stdout).some((o) => (o.fault as Obj).addr === "0xc9000"),
      "the record after the truncation",
    );
    const out = objects(watch.stdout);
    const loss = out.filter((o) => o.type === "loss");
    assert.equal(loss.length, 1);
    assert.equal(loss[0].cause, "resync");
    assert.equal(loss[0].at_most, null);
    assert.ok(out.indexOf(loss[0]) < out.length - 1, "said before the record after it");
    assert.ok(
      !faults(watch.stdout).some((o) => /^0x6[56]000$/.test((o.fault as Obj).addr as string)),
    );
  } finally {
    watch.kill("SIGCONT");
    await watch.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a region file that appears before its header is written is waited for, then followed", async () => {
  // A producer that sizes its file first (ftruncate) and writes the header after: watch, which
  // was waiting for the path, took the zeros for a file that is no region and exited 2, with
  // every other source.
  const dir = await Deno.makeTempDir();
  const path = `${dir}/r.bin`;
  const w = faultscope(["watch", path, "--ndjson", "--interval", "5"]);
  try {
    await waitFor(() => w.stderr.includes("waiting for it to appear"), "the wait");
    await Deno.writeFile(`${path}.tmp`, new Uint8Array(65536));
    await Deno.rename(`${path}.tmp`, path);
    await waitFor(() => w.stderr.includes("not a fault region"), "the zeros", 10_000);
    assert.equal(w.status, undefined, `still running: ${w.stderr}`);
    const f = await Deno.open(path, { write: true }); // in place: same file, no truncation
    await f.write(buildRegion({
      layout: "rfc3",
      producer: 2,
      consumer: 0,
      records: [0, 1].map((k) => ({
        slot: k,
        fields: { type: 1, reason: 10, addr: BigInt(0x1000 * (k + 1)), pasid: 1, pasid_valid: 1 },
      })),
    }));
    f.close();
    await waitFor(() => faults(w.stdout).length === 2, "the 2 pending faults");
    assert.deepEqual(faults(w.stdout).map((o) => (o.fault as Obj).addr), ["0x1000", "0x2000"]);
  } finally {
    await w.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a log path that appears as a directory is said and waited on; the other sources go on", async () => {
  // It threw "is a directory" out of watch: exit 2 mid-run, no summary, and the region beside
  // it no longer followed. At the start, a directory is still an error (see watch_cli_test.ts).
  const dir = await Deno.makeTempDir();
  const log = `${dir}/kern.log`;
  const region = `${dir}/r.bin`;
  const w = faultscope(["watch", region, "--log", log, "--ndjson", "--interval", "5"]);
  try {
    await waitFor(() => /kern.log: waiting for it to appear/.test(w.stderr), "the log wait");
    await waitFor(() => /r.bin: waiting for it to appear/.test(w.stderr), "the region wait");
    await Deno.mkdir(log);
    await waitFor(() => /kern.log: is a directory/.test(w.stderr), "the directory");
    await Deno.writeFile(
      region,
      buildRegion({
        layout: "rfc3",
        producer: 1,
        consumer: 0,
        records: [{ slot: 0, fields: { type: 1, reason: 10, addr: 0x1000n, pasid: 1 } }],
      }),
    );
    await waitFor(() => faults(w.stdout).length === 1, "the region's fault");
    await Deno.remove(log);
    await Deno.writeTextFile(log, line(1));
    await waitFor(() => faults(w.stdout).length === 2, "the log's line");
    w.kill("SIGTERM");
    assert.equal((await w.done()).code, 143, w.stderr);
    assert.match(w.stderr, /watched 2 sources/);
  } finally {
    await w.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
