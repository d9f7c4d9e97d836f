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

/** The fill colours of the bars in the drops panel (below the occupancy panel). */
function dropBarColours(svg: string): Set<string> {
  const from = svg.indexOf("faults dropped per");
  // The legend swatches (14 px wide) come after the bars.
  const panel = svg.slice(from, svg.indexOf('width="14"', from));
  return new Set(
    [...panel.matchAll(
      /<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="(#\w+)"\/>/g,
    )]
      .map((m) => m[1]),
  );
}

Deno.test("queue-stopped drops get their own colour and legend, not the ring-full band's", async () => {
  const json = JSON.parse(
    await Deno.readTextFile(
      new URL("../testdata/scenarios/corrupt-cons-out-of-range-stop.json", import.meta.url),
    ),
  );
  const stop = chart({ ...json, events: 60_000 });
  // The kernel stopped the queue: every later fault is dropped as queue_stopped, the ring
  // drains, and the kernel never sees it full (issue 8 section 5).
  assert.ok(stop.s.dropped_by_cause.queue_stopped > 0);
  assert.equal(stop.s.dropped_by_cause.full, 0);
  assert.match(stop.svg, />dropped, queue stopped</);
  assert.doesNotMatch(stop.svg, />dropped, ring full</);
  // One colour for the one cause, its legend's, not the "kernel sees the ring full" band's.
  const colours = [...dropBarColours(stop.svg)];
  assert.equal(colours.length, 1);
  const band = /fill="(#\w+)"\/>\n<text [^>]*>kernel sees the ring full</.exec(stop.svg)![1];
  assert.notEqual(colours[0], band);
  assert.match(
    stop.svg,
    new RegExp(`fill="${colours[0]}"/>\\n<text [^>]*>dropped, queue stopped<`),
  );
});

Deno.test("every drop cause of a run has a legend entry of its own colour", () => {
  // size_changed trusted by the kernel: writes past the region, then the ring fills.
  const hit = chart({
    events: 40_000,
    producer: { arrivals: { kind: "poisson", rate_per_s: 100_000 } },
    consumer: { cons_write: "per_record" },
    inject: [{ at_event: 20_000, kind: "size_changed" }],
  });
  const causes = Object.entries(hit.s.dropped_by_cause).filter(([, v]) => v > 0);
  assert.ok(causes.length >= 2, JSON.stringify(hit.s.dropped_by_cause));
  const legend = [
    ...hit.svg.matchAll(
      /<rect x="[\d.]+" y="(\d+)" width="14" height="10" fill="(#\w+)"\/>\n<text [^>]*>(dropped[^<]*|overwritten[^<]*)</g,
    ),
  ];
  assert.equal(legend.length, causes.length);
  assert.equal(new Set(legend.map((m) => m[2])).size, causes.length, "one colour each");
  for (const [, , colour] of legend) assert.ok(dropBarColours(hit.svg).has(colour), colour);
});
