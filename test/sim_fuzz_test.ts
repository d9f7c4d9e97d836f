/**
 * A slice of the scenario fuzzer (`test/fuzz/targets/scenario.ts`): the hostile scenarios
 * and a few hundred seeded random ones through the parser, the model and the `simulate` command.
 * The full run (100,000 inputs) is the fuzz task's job; this keeps the fuzzer itself working.
 * The harness's watchdog and memory bound have their own tests (`test/fuzz/harness_test.ts`).
 */
import assert from "node:assert/strict";
import { inputLine } from "./fuzz/harness.ts";
import { fuzzScenarios, HOSTILE_SCENARIOS } from "./fuzz/scenario_fuzz.ts";

Deno.test("scenario fuzzer: 400 seeded inputs, hostile ones first, none fails", async () => {
  const r = await fuzzScenarios({ count: 400, seed: 20261130, maxEvents: 1500, cliEvery: 20 });
  assert.deepEqual(r.failures, []);
  assert.equal(r.inputs, 400);
  assert.equal(r.parsed + r.rejected, 400);
  // Both paths are exercised: inputs the parser refuses and runs of accepted ones.
  assert.ok(r.parsed >= 50, `parsed ${r.parsed}`);
  assert.ok(r.rejected >= 50, `rejected ${r.rejected}`);
  assert.ok(r.cliRuns >= 2, `cli runs ${r.cliRuns}`);
});

Deno.test("scenario fuzzer: the hostile scenarios first, then the same inputs for the same seed", () => {
  // The four (an endless Poisson rate, 10^12 faults at once with an injection, a start
  // at 1e308, a 1e15-byte region) are inputs 0 to 3 whatever the seed.
  assert.equal(HOSTILE_SCENARIOS.length, 4);
  for (const seed of [1, 5]) {
    for (let i = 0; i < 4; i++) {
      assert.equal(JSON.parse(inputLine("scenario:simulate", seed, i)).text, HOSTILE_SCENARIOS[i]);
    }
  }
  const a = Array.from({ length: 60 }, (_, i) => inputLine("scenario:parse", 5, i));
  const b = Array.from({ length: 60 }, (_, i) => inputLine("scenario:parse", 5, i));
  const c = Array.from({ length: 60 }, (_, i) => inputLine("scenario:parse", 6, i));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.slice(4), c.slice(4));
});
