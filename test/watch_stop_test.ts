/**
 * What `watch` holds when it is stopped (Ctrl-C) is not lost silently: a report the log parser
 * holds for its next line is printed, and a record a stream had only begun is a declared loss.
 */
import assert from "node:assert/strict";
import { faultscope, objects, waitFor } from "./watch_support.ts";
import { dmarLine } from "./watch_writers.ts";

type Obj = Record<string, unknown>;
const faults = (text: string) => objects(text).filter((o) => o.type === "fault");

Deno.test("Ctrl-C prints the SMMUv3 dump the parser still holds for its decoded lines", async () => {
  // An SMMUv3 event dump (logs.md: "event 0x10 received:" and four words) waits for the decoded
  // lines 6.15+ prints after it; with nothing after it, only the stop can print it.
  const dir = await Deno.makeTempDir();
  const log = `${dir}/kern.log`;
  const dump = [
    "event 0x10 received:",
    "\t0x0000010000000010",
    "\t0x0000020800000000",
    "\t0x00000000ffff1000",
    "\t0x0000000000000000",
  ].map((t) => `[ 4402.115021] arm-smmu-v3 arm-smmu-v3.0.auto: ${t}\n`).join("");
  await Deno.writeTextFile(log, `[  812.004401] ${dmarLine(1)}\n${dump}`);
  const w = faultscope(["watch", "--log", log, "--from-start", "--ndjson", "--interval", "5"]);
  try {
    await waitFor(() => faults(w.stdout).length === 1, "the DMAR fault before the dump");
    w.kill("SIGINT");
    assert.equal((await w.done()).code, 130);
    const f = faults(w.stdout).map((o) => o.fault as Obj);
    assert.equal(f.length, 2);
    assert.equal(f[1].vendor, "arm-smmu-v3");
    assert.equal(f[1].addr, "0xffff1000");
    assert.match(w.stderr, /complete/);
  } finally {
    await w.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ctrl-C inside a record of a stream: that record is a declared loss", async () => {
  // 60 bytes of 40-byte hwpt-pgfault records on stdin, which stays open: one whole record and
  // half of the next. The half was held silently at the stop and the summary said complete.
  const w = faultscope(["watch", "-", "--abi", "hwpt-pgfault", "--ndjson"]);
  try {
    const wr = w.child.stdin.getWriter();
    await wr.write(new Uint8Array(60));
    await waitFor(() => faults(w.stdout).length === 1, "the whole record");
    w.kill("SIGINT");
    assert.equal((await w.done()).code, 130);
    const loss = objects(w.stdout).filter((o) => o.type === "loss");
    assert.equal(loss.length, 1);
    assert.equal(loss[0].cause, "partial_record");
    assert.equal(loss[0].count, 1);
    assert.match(loss[0].message as string, /20 bytes into/);
    assert.match(w.stderr, /LOSSY/);
    wr.releaseLock();
  } finally {
    await w.stop();
  }
});

Deno.test("kernel log text on stdin that ends is an end, not a source down", async () => {
  // A stream that ends says neither down nor up (a record stream on stdin already did not);
  // log text on stdin said "down: its faults are not seen until it is back" at its end.
  const w = faultscope(["watch", "--log", "-", "--ndjson"]);
  try {
    const wr = w.child.stdin.getWriter();
    await wr.write(new TextEncoder().encode(`[  812.004401] ${dmarLine(1)}\n`));
    await wr.close();
    assert.equal((await w.done()).code, 0);
    assert.deepEqual(objects(w.stdout).map((o) => o.type), ["fault"]);
    assert.match(w.stderr, /ended after 1 line/);
  } finally {
    await w.stop();
  }
});
