/**
 * A slice of the scenario fuzzer (`test/fuzz/scenario_fuzz.ts`): the hostile scenarios
 * and a few hundred seeded random ones through the parser, the model and the `simulate` command.
 * The full run (100,000 inputs) is the fuzz task's job; this keeps the fuzzer itself working.
 */
import assert from "node:assert/strict";
import { fuzzScenarios, HOSTILE_SCENARIOS } from "./fuzz/scenario_fuzz.ts";

Deno.test("scenario fuzzer: 400 seeded inputs, hostile ones first, none fails", async () => {
  const r = await fuzzScenarios({ count: 400, seed: 20261130, maxEvents: 1500, cliEvery: 40 });
  assert.deepEqual(r.failures, []);
  assert.equal(r.inputs, 400);
  assert.equal(r.parsed + r.rejected, 400);
  // Both paths are exercised: inputs the parser refuses and runs of accepted ones.
  assert.ok(r.parsed >= 50, `parsed ${r.parsed}`);
  assert.ok(r.rejected >= 50, `rejected ${r.rejected}`);
  assert.ok(r.cliRuns >= 2, `cli runs ${r.cliRuns}`);
});

Deno.test("scenario fuzzer: the same seed gives the same inputs; a hang is reported", async () => {
  const a = await fuzzScenarios({ count: 60, seed: 5, cliEvery: 0 });
  const b = await fuzzScenarios({ count: 60, seed: 5, cliEvery: 0 });
  assert.deepEqual([a.parsed, a.rejected], [b.parsed, b.rejected]);
  assert.equal(HOSTILE_SCENARIOS.length, 4);
  // With no time at all per input, every input is a "hang": the watchdog reports, then goes on.
  const h = await fuzzScenarios({ count: 2, seed: 1, hangMs: 0, cliEvery: 0 });
  assert.equal(h.failures.length, 2);
  assert.match(h.failures[0].error, /hang/);
});
