/**
 * The fuzz harness catches what no target can catch alone, and reports each with its input: a
 * hang (the watchdog kills the worker), a worker that dies (out of its V8 heap), an input that
 * passes the memory bound, and a broken property; and after each the run goes on, so every other
 * input is run and counted. The sabotaged inputs stand for parser bugs of each kind.
 */
import assert from "node:assert/strict";
import { fuzzTarget, inputLine } from "./harness.ts";
import { inputFrom, inputJson } from "./target.ts";
import { target, TARGETS } from "./targets/mod.ts";
import { inputRand } from "./rand.ts";

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

Deno.test("a hang, a death and a memory hog are each reported with their input; the rest run", async () => {
  const r = await fuzzTarget("scenario:parse", {
    seed: 3,
    count: 12,
    hangMs: 2000,
    heapMiB: 96,
    memoryLimit: 256 * 2 ** 20,
    sabotage: { 2: "hang", 5: "oom", 8: "hold" },
  });
  const byIndex = new Map(r.failures.map((f) => [f.index, f]));
  assert.deepEqual([...byIndex.keys()].sort((a, b) => a - b), [2, 5, 8]);
  assert.match(byIndex.get(2)!.error, /^hang: no report from the worker in 2000 ms$/);
  assert.match(byIndex.get(5)!.error, /^crash: the worker died .*out of memory/i);
  assert.match(
    byIndex.get(8)!.error,
    /^memory: the resident set peaked at \d+ MiB during this input, over the 256 MiB bound$/,
  );
  // Each failure carries the input it was, as made again from seed and index.
  for (const f of r.failures) assert.equal(f.input, inputLine("scenario:parse", 3, f.index));
  // Every input is counted once: nine parsed or rejected, the hang, the crash and the hog.
  assert.equal(sum(r.outcomes), 12);
  assert.deepEqual([r.outcomes.hang, r.outcomes.crash, r.outcomes.memory], [1, 1, 1]);
  // The first worker, one for each confirmation run of the hang and the crash, and one after
  // each of the three.
  assert.equal(r.workers, 6);
  assert.deepEqual(r.stalls, []);
  assert.ok(r.peakRss >= 256 * 2 ** 20, `peak ${r.peakRss}`);
});

Deno.test("a worker that hangs once but not when the input runs alone is a stall, not a failure", async () => {
  const r = await fuzzTarget("scenario:parse", {
    seed: 3,
    count: 6,
    hangMs: 1500,
    sabotage: { 4: "hang-once" },
  });
  assert.deepEqual(r.failures, []);
  assert.deepEqual(r.stalls.map((s) => s.index), [4]);
  assert.match(r.stalls[0].first, /^hang: /);
  // Input 4 counted once, under its own outcome.
  assert.equal(sum(r.outcomes), 6);
  assert.equal(r.outcomes.hang, undefined);
});

Deno.test("a broken property is a failure with the one-line error; the worker goes on", async () => {
  // A known-good target: no failure, every input counted. Then a run whose property breaks on
  // every simulated input: scenario:simulate allowed at most -1 events (its `maxEvents` option)
  // must find that each run processed more, and say so in one line per input.
  const ok = await fuzzTarget("hex", { seed: 1, count: 200 });
  assert.deepEqual(ok.failures, []);
  assert.equal(sum(ok.outcomes), 200);
  const bad = await fuzzTarget("scenario:simulate", {
    seed: 1,
    count: 20,
    options: { maxEvents: -1, cliEvery: 0 },
  });
  const simulated = 20 - (bad.outcomes.rejected ?? 0);
  assert.ok(simulated > 0);
  assert.equal(bad.failures.length, simulated);
  for (const f of bad.failures) assert.doesNotMatch(f.error, /\n/);
  assert.equal(bad.workers, 1);
});

Deno.test("inputs print as one JSON line and read back; long byte arrays as their non-zero runs", () => {
  const bytes = new Uint8Array(70000);
  bytes.set([1, 2, 0, 3], 100);
  bytes[69999] = 9;
  const line = inputJson({ le: false, bytes, small: new Uint8Array([0xde, 0xad]) });
  assert.doesNotMatch(line, /\n/);
  assert.ok(line.length < 200, line);
  const back = inputFrom(line);
  assert.deepEqual(back.bytes, bytes);
  assert.deepEqual(back.small, new Uint8Array([0xde, 0xad]));
  assert.equal(back.le, false);
});

Deno.test("every target makes the same input again from seed and index, and runs it", async () => {
  for (const t of TARGETS) {
    for (const index of [0, 1, 57]) {
      const a = inputJson(t.gen(inputRand(9, t.name, index), index));
      assert.equal(a, inputJson(t.gen(inputRand(9, t.name, index), index)), t.name);
      const outcome = await t.run(inputFrom(a), { index, options: { cliEvery: 0 } });
      assert.equal(typeof outcome, "string", t.name);
    }
  }
  assert.throws(() => target("nope"), /no fuzz target nope; targets: decode:rfc3, /);
});
