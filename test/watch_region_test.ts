/**
 * The region follower against hand-built snapshot sequences. Expected values come from the ring
 * rules of abi.md 4.1/4.5 (indices modulo the capacity, one slot kept empty, the producer writes
 * the record before it moves the index) and the lap arithmetic worked out in each test.
 */
import assert from "node:assert/strict";
import { buildRegion } from "../src/region/model.ts";
import type { WatchFault, WatchLoss, WatchSink, WatchState } from "../src/watch/events.ts";
import { RegionFollower } from "../src/watch/region.ts";
import type { Finding } from "../src/rules/finding.ts";

/** RFC v3: 1365 slots of 48 bytes after a 16-byte header (abi.md 3.1). */
const C = 1365;
const SIZE = 65536;

/** Fault number k is an RFC v3 PERMISSION fault whose address names it: 0x1000 * (k + 1). */
const fault = (k: number) => ({
  type: 1,
  reason: 10,
  addr: BigInt(0x1000 * (k + 1)),
  pasid: 1,
  pasid_valid: 1,
});

/** A ring that holds faults by slot, with the given indices. */
function image(prod: number, cons: number, slots: Map<number, number>, header = {}): Uint8Array {
  return buildRegion({
    layout: "rfc3",
    producer: prod,
    consumer: cons,
    records: [...slots].map(([slot, k]) => ({ slot, fields: fault(k) })),
    header,
  });
}

interface Seen {
  faults: number[];
  slots: number[];
  losses: WatchLoss[];
  findings: Finding[];
  states: WatchState[];
  order: string[];
}

function follower(
  o: { stallMs?: number; fromStart?: boolean; historyIsLoss?: boolean } = {},
) {
  const seen: Seen = { faults: [], slots: [], losses: [], findings: [], states: [], order: [] };
  const sink: WatchSink = {
    fault(f: WatchFault) {
      assert.equal(f.kind, "record");
      if (f.kind !== "record") return;
      const addr = f.dv.getBigUint64(f.at + 8, true);
      const k = Number(addr / 0x1000n) - 1;
      seen.faults.push(k);
      seen.slots.push(f.position.slot!);
      seen.order.push(`f${k}`);
    },
    loss(l) {
      seen.losses.push(l);
      seen.order.push(`loss:${l.cause}`);
    },
    finding(f) {
      seen.findings.push(f.finding);
    },
    state(s) {
      seen.states.push(s);
    },
  };
  const f = new RegionFollower({ layout: "rfc3", abi: "rfc3", regionSize: SIZE, ...o }, sink);
  return { f, seen };
}

/** The producer's view: faults 0.. written at positions from `start`, as a real ring holds them. */
class Ring {
  slots = new Map<number, number>();
  prod: number;
  cons: number;
  k = 0;
  constructor(start = 0) {
    this.prod = this.cons = start % C;
  }
  produce(n: number) {
    for (let i = 0; i < n; i++) {
      assert.ok((this.prod - this.cons + C) % C < C - 1, "the producer never fills the last slot");
      this.slots.set(this.prod, this.k++);
      this.prod = (this.prod + 1) % C;
    }
  }
  consume(n: number) {
    this.cons = (this.cons + n) % C;
  }
  image() {
    return image(this.prod, this.cons, this.slots);
  }
}

Deno.test("new records between the last and the new producer index are reported in order", () => {
  const { f, seen } = follower();
  const r = new Ring(1360);
  r.produce(2);
  f.observe({ bytes: r.image(), time: 0 }); // baseline: 2 pending, not reported
  r.produce(6); // wraps: slots 1362, 1363, 1364, 0, 1, 2
  r.consume(3);
  f.observe({ bytes: r.image(), time: 100 });
  assert.deepEqual(seen.faults, [2, 3, 4, 5, 6, 7]);
  assert.deepEqual(seen.slots, [1362, 1363, 1364, 0, 1, 2]);
  assert.equal(seen.losses.length, 0);
});

Deno.test("--from-start reports the records pending at the first poll, consumer first", () => {
  const { f, seen } = follower({ fromStart: true });
  const r = new Ring(1363);
  r.produce(5);
  r.consume(1);
  f.observe({ bytes: r.image(), time: 0 });
  assert.deepEqual(seen.faults, [1, 2, 3, 4]);
  assert.deepEqual(seen.slots, [1364, 0, 1, 2]);
});

Deno.test("a region that appeared while watched: what it took before the first look is a loss", () => {
  // A fresh ring starts at 0 (the kernel zeroes the header). Consumer index 40 at the first look:
  // at least 40 faults were written and taken before it; a lap would hide 1365 more, so no most.
  const r = new Ring(0);
  r.produce(43);
  r.consume(40);
  const { f, seen } = follower({ fromStart: true, historyIsLoss: true });
  f.observe({ bytes: r.image(), time: 0 });
  assert.deepEqual(seen.order, ["loss:before_first_look", "f40", "f41", "f42"]);
  assert.deepEqual(seen.losses.map((l) => [l.cause, l.atLeast, l.atMost, l.count]), [
    ["before_first_look", 40, null, undefined],
  ]);
  assert.match(seen.losses[0].message, /consumer index 40\): at least 40 faults .* the 3 pending/);
  // A region that was there before watch started has history, not a loss.
  const old = follower({ fromStart: true });
  old.f.observe({ bytes: r.image(), time: 0 });
  assert.deepEqual(old.seen.order, ["f40", "f41", "f42"]);
  // One seen from its start lost nothing.
  const fresh = new Ring(0);
  fresh.produce(3);
  const early = follower({ fromStart: true, historyIsLoss: true });
  early.f.observe({ bytes: fresh.image(), time: 0 });
  assert.deepEqual(early.seen.order, ["f0", "f1", "f2"]);
});

Deno.test("a lap the indices prove: at least the overwritten records declared before the rest", () => {
  const { f, seen } = follower();
  const r = new Ring(10);
  f.observe({ bytes: r.image(), time: 0 }); // empty at 10
  // The consumer takes 1365 + 5 and the producer writes 1365 + 5 + 3: prod 18, cons 15.
  for (let i = 0; i < 2 * C; i++) {
    r.produce(1);
    if (i >= 3) r.consume(1);
  }
  // 2730 written, 2727 consumed: prod = 10 + 2730 = 2740 = 10 mod 1365, 3 pending.
  assert.equal(r.prod, 10);
  assert.equal((r.prod - r.cons + C) % C, 3);
  f.observe({ bytes: r.image(), time: 100 });
  // dP = 0, dC = 0, pending 0 -> 3: the least the producer wrote is 0 + 3 - 0 = 3 (not a lap by
  // indices); but every slot outside 10..10 changed: a lap, proven by the bytes.
  assert.equal(seen.losses.length, 1);
  assert.equal(seen.losses[0].cause, "lapped");
  assert.equal(seen.losses[0].atMost, null);
  assert.equal(seen.losses[0].atLeast, 1); // dP 0 + the one slot at prod, possibly being written
  assert.equal(seen.order[0], "loss:lapped", "the loss comes before the records after it");
  // The 1364 slots after prod hold faults 1366 .. 2729, oldest first.
  assert.equal(seen.faults.length, C - 1);
  assert.equal(seen.faults[0], 2730 - (C - 1));
  assert.equal(seen.faults.at(-1), 2729);
  for (let i = 1; i < seen.faults.length; i++) assert.equal(seen.faults[i], seen.faults[i - 1] + 1);
});

Deno.test("a lap proven by the indices alone, even when every record is identical", () => {
  const { f, seen } = follower();
  // Identical records everywhere: the bytes cannot tell; the indices can. A: empty at 10.
  const same = new Map(Array.from({ length: C }, (_, s) => [s, 7] as [number, number]));
  f.observe({ bytes: image(10, 10, same), time: 0 });
  // B: prod 10, cons 15: 1360 pending. The consumer moved at least 5, so the producer wrote at
  // least 5 + 1360 - 0 = 1365 = C: it went round.
  f.observe({ bytes: image(10, 15, same), time: 100 });
  assert.equal(seen.losses[0]?.cause, "lapped");
  assert.match(seen.losses[0].message, /consumer moved 5 and 1360 are pending/);
});

Deno.test("moving more than the free space may hide a lap: declared, unbounded, before the records", () => {
  const { f, seen } = follower();
  const r = new Ring(0);
  r.produce(C - 4); // 1361 pending, 3 free
  f.observe({ bytes: r.image(), time: 0 });
  r.consume(10);
  r.produce(8); // more than the 3 free slots: the consumer made room meanwhile
  f.observe({ bytes: r.image(), time: 100 });
  assert.deepEqual(seen.order, [
    "loss:may_have_lapped",
    ...Array.from({ length: 8 }, (_, i) => `f${C - 4 + i}`),
  ]);
  const l = seen.losses[0];
  assert.equal(l.atLeast, 0);
  assert.equal(l.atMost, null);
  assert.equal(l.count, undefined, "never a count");
  assert.match(l.message, /more than the 3 free slots/);
});

Deno.test("slots written during the read (between the two header reads) are not a lap", () => {
  const { f, seen } = follower();
  const r = new Ring(0);
  f.observe({ bytes: r.image(), time: 0 });
  r.produce(3);
  const header = r.image().subarray(0, 16);
  r.produce(2); // written while the ring was being read: prod moved 3 -> 5
  const bytes = r.image();
  bytes.set(header, 0); // the header as first read
  f.observe({ bytes, headerAfter: r.image().subarray(0, 16), time: 100 });
  assert.deepEqual(seen.faults, [0, 1, 2]);
  assert.equal(seen.losses.length, 0);
  f.observe({ bytes: r.image(), time: 200 });
  assert.deepEqual(seen.faults, [0, 1, 2, 3, 4]);
});

Deno.test("ring full: a loss the moment it is seen, its duration when it ends, full seconds", () => {
  const full: number[] = [];
  const { seen } = follower();
  const sink: WatchSink = {
    fault: () => {},
    loss: (l) => seen.losses.push(l),
    finding: () => {},
    state: (s) => seen.states.push(s),
    fullSeconds: (s) => full.push(s),
  };
  const f = new RegionFollower({ layout: "rfc3", abi: "rfc3", regionSize: SIZE }, sink);
  const r = new Ring(0);
  f.observe({ bytes: r.image(), time: 0 });
  r.produce(C - 1);
  f.observe({ bytes: r.image(), time: 1000 });
  assert.equal(seen.losses.length, 1);
  assert.equal(seen.losses[0].cause, "ring_full");
  assert.equal(seen.losses[0].atMost, null);
  f.observe({ bytes: r.image(), time: 1100 });
  f.observe({ bytes: r.image(), time: 2200 });
  r.consume(1);
  f.observe({ bytes: r.image(), time: 2300 });
  assert.equal(seen.losses.length, 1, "one loss per episode");
  const end = seen.states.find((s) => s.state === "ring_not_full")!;
  assert.equal(end.seconds, 1.2); // seen full from 1.0 s to 2.2 s
  assert.match(end.message, /ring FULL for 1\.2 s \(3 polls\)/);
  assert.deepEqual(full.map((s) => Math.round(s * 1000)), [100, 1100]);
});

Deno.test("a consumer with records pending that does not move past --stall-ms is stalled", () => {
  const { f, seen } = follower({ stallMs: 500 });
  const r = new Ring(0);
  r.produce(4);
  f.observe({ bytes: r.image(), time: 0 });
  f.observe({ bytes: r.image(), time: 400 });
  assert.equal(seen.states.length, 0);
  f.observe({ bytes: r.image(), time: 600 });
  assert.equal(seen.states.length, 1);
  assert.equal(seen.states[0].state, "stalled");
  assert.match(seen.states[0].message, /cons = 0 unchanged for 600 ms with 4 faults pending/);
  f.observe({ bytes: r.image(), time: 900 });
  assert.equal(seen.states.length, 1, "said once");
  r.consume(4);
  f.observe({ bytes: r.image(), time: 1000 });
  assert.equal(seen.states[1].state, "resumed");
  assert.equal(seen.states[1].seconds, 1);
});

Deno.test("an empty ring with a still consumer is not stalled", () => {
  const { f, seen } = follower({ stallMs: 100 });
  const r = new Ring(0);
  for (let t = 0; t < 1000; t += 100) f.observe({ bytes: r.image(), time: t });
  assert.equal(seen.states.length, 0);
});

Deno.test("header findings: reported once when they appear, again only after they cleared", () => {
  const { f, seen } = follower();
  const r = new Ring(0);
  f.observe({ bytes: r.image(), time: 0 });
  // A consistent region: IDX-OCCUPANCY (info) is all validate says, and it is a gauge here.
  assert.equal(seen.findings.length, 0);
  const reserved = (v: number) => image(r.prod, r.cons, r.slots, { reserved: v });
  f.observe({ bytes: reserved(0xdead), time: 100 });
  f.observe({ bytes: reserved(0xbeef), time: 200 });
  assert.equal(seen.findings.filter((x) => x.rule === "HDR-RESERVED-ZERO").length, 1);
  f.observe({ bytes: reserved(0), time: 300 });
  f.observe({ bytes: reserved(1), time: 400 });
  assert.equal(seen.findings.filter((x) => x.rule === "HDR-RESERVED-ZERO").length, 2);
  assert.deepEqual(new Set(seen.findings.map((x) => x.rule)), new Set(["HDR-RESERVED-ZERO"]));
});

Deno.test("a producer index out of range: nothing placed, then a resync loss when it is back", () => {
  const { f, seen } = follower();
  const r = new Ring(0);
  r.produce(2);
  f.observe({ bytes: r.image(), time: 0 });
  f.observe({ bytes: image(4000, r.cons, r.slots), time: 100 });
  assert.ok(seen.findings.some((x) => x.rule === "IDX-PROD-RANGE"));
  assert.equal(seen.faults.length, 0);
  r.produce(1);
  f.observe({ bytes: r.image(), time: 200 });
  assert.equal(seen.faults.length, 0, "what was written while prod was out of range is unknown");
  assert.equal(seen.losses[0].cause, "resync");
  assert.equal(seen.losses[0].atMost, null);
  r.produce(1);
  f.observe({ bytes: r.image(), time: 300 });
  assert.deepEqual(seen.faults, [3], "following again");
});
