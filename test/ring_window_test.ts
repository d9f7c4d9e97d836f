/** The consumers' measurement window: opens after the warm-up time or a fifth of the records. */
import assert from "node:assert/strict";
import { MeasureWindow, warmRecordsFor } from "../src/bench/window.ts";

Deno.test("the window opens when the warm-up time is over, and measures from there", () => {
  const w = new MeasureWindow(100, 200, Infinity);
  assert.equal(w.open(250, 40), false); // 150 ms in: still warming up
  assert.equal(w.open(300, 60), true); // 200 ms in: opens with 60 records already seen
  assert.equal(w.open(900, 500), true);
  assert.deepEqual(w.result(1300, 1060), { windowRecords: 1000, windowMs: 1000 });
});

Deno.test("a fixed-count run opens the window after a fifth of its records", () => {
  assert.equal(warmRecordsFor(1000), 200);
  assert.equal(warmRecordsFor(0), Infinity); // a timed run waits for the warm-up time
  const w = new MeasureWindow(0, 60_000, warmRecordsFor(1000));
  assert.equal(w.open(5, 199), false);
  assert.equal(w.open(6, 200), true);
  assert.deepEqual(w.result(16, 1000), { windowRecords: 800, windowMs: 10 });
});

Deno.test("no warm-up measures from the start; a window that never opened measured nothing", () => {
  assert.deepEqual(new MeasureWindow(10, 0, Infinity).result(30, 7), {
    windowRecords: 7,
    windowMs: 20,
  });
  assert.deepEqual(new MeasureWindow(0, 1000, Infinity).result(500, 9), {
    windowRecords: 0,
    windowMs: 0,
  });
});
