/**
 * The CIRC_SPACE mask bug (abi.md 4.5): on the v4-v8 85-entry ring the kernel's power-of-two
 * macro reports "full" spuriously in 916 of the 7,225 (prod, cons) states and never misses a
 * true full. Checked exhaustively, first on the arithmetic, then through the simulator's kernel:
 * every state is loaded into a v8 ring and one fault is offered. The expected sets are computed
 * here from the macro's definition and a true modulo, and the counts come from abi.md.
 */
import assert from "node:assert/strict";
import { CIRC_SPACE, hasSpace, trueSpace } from "../src/sim/circ.ts";
import { Simulation } from "../src/sim/engine.ts";
import { summarize } from "../src/sim/summary.ts";
import { parseScenario } from "../src/sim/scenario.ts";

/** `CIRC_SPACE(h, t, s) < 1` as <linux/circ_buf.h> writes it, in 32-bit unsigned arithmetic. */
const macroFull = (h: number, t: number, s: number) => (((t - (h + 1)) >>> 0) & (s - 1)) < 1;
/** Full with one slot kept empty, by true modulo. */
const reallyFull = (h: number, t: number, s: number) => (h + 1) % s === t;

function spurious(size: number): number {
  let n = 0;
  for (let h = 0; h < size; h++) {
    for (let t = 0; t < size; t++) {
      const kernel = !hasSpace("circ", h, t, size);
      assert.equal(kernel, macroFull(h, t, size), `circ (${h}, ${t})`);
      assert.equal(!hasSpace("modulo", h, t, size), reallyFull(h, t, size), `modulo (${h}, ${t})`);
      // The macro never lets the producer write into a truly full ring.
      if (reallyFull(h, t, size)) assert.ok(kernel, `missed full at (${h}, ${t})`);
      if (kernel && !reallyFull(h, t, size)) n++;
    }
  }
  return n;
}

Deno.test("85 entries: 916 of 7,225 states are spuriously full; none is missed", () => {
  assert.equal(spurious(85), 916);
});

Deno.test("1365 entries (RFC v3 arithmetic size): 64,076 of 1,863,225 spurious states", () => {
  assert.equal(spurious(1365), 64_076);
});

Deno.test("power-of-two rings (the v9+ 512) agree exactly", () => {
  assert.equal(spurious(512), 0);
  assert.equal(spurious(64), 0);
});

Deno.test("CIRC_SPACE and the true space agree on a power of two and differ on 85", () => {
  assert.equal(CIRC_SPACE(10, 3, 16), trueSpace(10, 3, 16));
  assert.equal(trueSpace(0, 0, 85), 84);
  assert.equal(CIRC_SPACE(0, 0, 85), 84);
  assert.equal(trueSpace(4, 2, 85), 82);
  assert.equal(CIRC_SPACE(4, 2, 85), (2 - 5) & 84);
});

/** Offers one fault to a v8 ring whose header holds (h, t); returns the kernel's verdict. */
function offer(math: "circ" | "modulo", h: number, t: number): "queued" | "full" | "spurious_full" {
  const sim = new Simulation(parseScenario({
    events: 1,
    region: { layout: "fault-prod", page_size: 4096 },
    // bounds: the kernel takes prod from the header, as this test loads it.
    kernel: { index_math: math, header_check: "bounds" },
    producer: { arrivals: { kind: "steady", rate_per_s: 1000 } },
    consumer: { start_us: 1e9 },
  }));
  sim.hdrProd = h;
  sim.hdrCons = t;
  sim.run();
  const s = summarize(sim);
  if (s.dropped_by_cause.spurious_full) return "spurious_full";
  if (s.dropped_by_cause.full) return "full";
  assert.equal(s.dropped, 0);
  assert.equal(s.header.prod, (h + 1) % 85);
  return "queued";
}

Deno.test("the simulator's kernel reports exactly the 916 spurious-full states in circ mode", () => {
  let spur = 0, full = 0;
  for (let h = 0; h < 85; h++) {
    for (let t = 0; t < 85; t++) {
      const v = offer("circ", h, t);
      const want = reallyFull(h, t, 85) ? "full" : macroFull(h, t, 85) ? "spurious_full" : "queued";
      assert.equal(v, want, `(${h}, ${t})`);
      if (v === "spurious_full") spur++;
      if (v === "full") full++;
    }
  }
  assert.equal(spur, 916);
  assert.equal(full, 85);
});

Deno.test("with true modulo the simulator's kernel drops only in the 85 truly full states", () => {
  let full = 0;
  for (let h = 0; h < 85; h++) {
    for (let t = 0; t < 85; t++) {
      const v = offer("modulo", h, t);
      assert.notEqual(v, "spurious_full");
      if (v === "full") {
        assert.ok(reallyFull(h, t, 85));
        full++;
      }
    }
  }
  assert.equal(full, 85);
});
