/**
 * Simulated snapshots are real region images: every snapshot of an uncorrupted run passes the
 * validator (no error finding, alone or pairwise), and a corruption makes the rule that
 * domain.md section 3 ties to it fire on the snapshot taken right after it.
 */
import assert from "node:assert/strict";
import { openRegion } from "../src/region/model.ts";
import { validateRegion, validateSnapshots } from "../src/rules/validate.ts";
import { runDemo, runScenario } from "../src/sim/mod.ts";
import { parseScenario, type SimLayout } from "../src/sim/scenario.ts";
import type { Snapshot } from "../src/sim/snapshot.ts";

const open = (s: Snapshot, pageSize: number) =>
  openRegion(s.image, { layout: s.layout as SimLayout, consumer: s.cons, pageSize });

const errors = (fs: { severity: string; rule: string; message: string }[]) =>
  fs.filter((f) => f.severity === "error").map((f) => `${f.rule}: ${f.message}`);

const CASES = [
  ["rfc3", 4096],
  ["fault-prod", 4096],
  ["fault-prod", 65536],
  ["dma-fault", 4096],
  ["dma-fault", 65536],
] as const;

for (const [layout, page_size] of CASES) {
  for (const cons_write of ["per_record", "per_drain"] as const) {
    Deno.test(`every snapshot of an uncorrupted ${layout} run (${page_size / 1024} KiB pages, cons ${cons_write}) validates`, () => {
      const scenario = parseScenario({
        events: 15_000,
        region: { layout, page_size },
        producer: {
          arrivals: { kind: "storm", burst: 1500, gap_us: 0.5, interval_us: 20_000 },
          mix: { type: { DMA_UNRECOV: 1 }, address: { pattern: "random" } },
        },
        // Two bursts land in the stall, so the ring sits full while drops are being counted.
        consumer: { cons_write, stalls: [{ at_us: 5000, for_us: 40_000 }] },
      });
      // Snapshots closer than the capacity in events, so no lap hides between two of them.
      const every = Math.max(10, Math.floor(scenario.region.capacity / 3));
      const r = runScenario(scenario, { snapshotEvery: every });
      assert.ok(r.snapshots.length >= 10);
      assert.ok(r.summary.dropped > 0, "the storm overflows the ring at least once");
      let sawFull = false;
      let prev;
      for (const s of r.snapshots) {
        const region = open(s, page_size);
        assert.deepEqual(errors(validateRegion(region)), [], `after event ${s.event}`);
        if (region.occupancy?.full) sawFull = true;
        // Once per drain, one cons write can publish a whole ring of records delivered before
        // the previous snapshot: modulo indices cannot show that lap, so pairs are only
        // checked when cons moves with each record.
        if (prev && cons_write === "per_record") {
          assert.deepEqual(errors(validateSnapshots(prev, region)), [], `events up to ${s.event}`);
        }
        prev = region;
      }
      // CIRC_SPACE on a non-power-of-two ring (fault-prod) drops before the ring is truly full.
      const early = r.summary.dropped_by_cause.spurious_full > 0;
      assert.ok(sawFull || early, "some snapshot caught the ring full");
    });
  }
}

Deno.test("the demo image validates with the ring full (IDX-FULL) and no error", () => {
  const d = runDemo();
  const region = openRegion(d.image);
  assert.equal(region.layout.id, "rfc3");
  assert.equal(region.geometry.capacity, 1365);
  const f = validateRegion(region);
  assert.deepEqual(errors(f), []);
  assert.ok(f.some((x) => x.rule === "IDX-FULL"));
  assert.equal(region.occupancy?.pending, 1364);
  assert.equal(d.summary.pending, 1364);
});

const MATCHING: [string, SimLayout, string][] = [
  ["cons_out_of_range", "rfc3", "IDX-CONS-RANGE"],
  ["cons_out_of_range", "fault-prod", "IDX-CONS-RANGE"],
  ["cons_out_of_range", "dma-fault", "IDX-CONS-RANGE"],
  ["reserved_nonzero", "rfc3", "HDR-RESERVED-ZERO"],
  // RFC v3's consumer ignores what size implies for the record: a changed size is HDR-CAP-RECORD.
  ["size_changed", "rfc3", "HDR-CAP-RECORD"],
  ["size_changed", "dma-fault", "HDR-CAP-DERIVED"],
  ["prod_corrupt", "rfc3", "IDX-PROD-RANGE"],
  ["prod_corrupt", "fault-prod", "IDX-PROD-RANGE"],
  ["prod_corrupt", "dma-fault", "IDX-PROD-RANGE"],
];

for (const [kind, layout, rule] of MATCHING) {
  Deno.test(`${kind} on a ${layout} region makes ${rule} fire`, () => {
    const r = runScenario(
      parseScenario({ events: 3000, region: { layout }, inject: [{ at_event: 1000, kind }] }),
      { snapshotAt: [1000, 1001] },
    );
    const [before, after] = r.snapshots.map((s) => open(s, 4096));
    assert.ok(!validateRegion(before).some((f) => f.rule === rule), "not before the injection");
    const hit = validateRegion(after).filter((f) => f.rule === rule);
    assert.ok(hit.length > 0, `${rule} after the injection`);
    assert.ok(errors(validateRegion(after)).length + hit.length > 0);
  });
}

Deno.test("a size change between two snapshots is reported as a different region", () => {
  const r = runScenario(
    parseScenario({ events: 3000, inject: [{ at_event: 1000, kind: "size_changed" }] }),
    { snapshotAt: [1000, 1001] },
  );
  const [a, b] = r.snapshots.map((s) => open(s, 4096));
  assert.ok(validateSnapshots(a, b).some((f) => f.rule === "SNAP-SAME-REGION"));
});
