/**
 * The chart says what happened: spurious drops appear only under CIRC_SPACE, injections and
 * their consequences are labelled, a lossless run says so, and the same run draws the same bytes.
 */
import assert from "node:assert/strict";
import { occupancySvg, runScenario } from "../src/sim/mod.ts";
import { parseScenario } from "../src/sim/scenario.ts";

const chart = (json: Record<string, unknown>) => {
  const r = runScenario(parseScenario(json));
  return { svg: occupancySvg(r), s: r.summary };
};

const v8 = (index_math: string) => ({
  events: 60_000,
  region: { layout: "fault-prod", page_size: 4096 },
  kernel: { index_math },
  producer: { arrivals: { kind: "poisson", rate_per_s: 200_000 } },
  consumer: { service_us: 4, stall_every: { every_us: 10_000, for_us: 600 } },
});

Deno.test("CIRC_SPACE's early drops get their own colour; true modulo has none", () => {
  const circ = chart(v8("circ"));
  const mod = chart(v8("modulo"));
  assert.ok(circ.s.dropped_by_cause.spurious_full > 0);
  assert.match(circ.svg, /dropped with slots free/);
  assert.match(circ.svg, /fill="#ffa000"/);
  assert.ok(mod.s.dropped > 0);
  assert.doesNotMatch(mod.svg, /#ffa000/);
});

Deno.test("injections and what followed are labelled; a lossless run says so", () => {
  const hit = chart({
    events: 20_000,
    kernel: { header_check: "stop" },
    inject: [{ at_event: 5000, kind: "reserved_nonzero" }],
  });
  assert.match(hit.svg, />reserved_nonzero</);
  assert.match(hit.svg, />queue stopped</);
  const calm = chart({
    events: 3000,
    producer: { arrivals: { kind: "steady", rate_per_s: 1000 } },
  });
  assert.equal(calm.s.dropped, 0);
  assert.match(calm.svg, /no fault dropped/);
  assert.equal(chart({ events: 3000 }).svg, chart({ events: 3000 }).svg);
});
