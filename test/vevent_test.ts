/**
 * vEVENTQ stream: abi.md TV10 decodes to the stated values, lost events are counted as the kernel
 * numbers them (abi.md 5.3 corrected: a LOST_EVENTS header takes the last lost event's sequence;
 * `(lost.sequence - previous.sequence) mod 2^31`), and each VEQ rule fires on the input that
 * breaks it and stays quiet on a correct stream.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseHex } from "../src/codec/hex.ts";
import {
  addLoss,
  lossTotals,
  NO_LOSS,
  parseVevents,
  readVevents,
  veventFields,
  veventJson,
  veventLoss,
} from "../src/codec/vevent.ts";
import { checkVevents, VeventChecker } from "../src/rules/vevent.ts";
import { TV10 as VECTOR_TV10 } from "./support/vectors.ts";

const TV10 = parseHex(VECTOR_TV10.hex);

/** One SMMUv3 vEVENT: header {flags, seq}, then evt[4] little-endian. */
function smmu(seq: number, evt0 = 0x0000000800005813n, flags = 0): Uint8Array {
  const b = new Uint8Array(40);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, flags, true);
  dv.setUint32(4, seq, true);
  dv.setBigUint64(8, evt0, true);
  return b;
}
function lost(seq: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setUint32(0, 1, true);
  new DataView(b.buffer).setUint32(4, seq, true);
  return b;
}
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), o += p.length);
  return out;
};
const rules = (bytes: Uint8Array, type: "arm-smmuv3" | "tegra241-cmdqv" = "arm-smmuv3") =>
  checkVevents([...parseVevents(bytes, type)], type).map((f) => f.rule);

Deno.test("TV10: an SMMUv3 F_PERMISSION event then a LOST_EVENTS marker (abi.md 8)", () => {
  assert.equal(TV10.length, 48); // 8 + 32 + 8
  const recs = [...parseVevents(TV10, "arm-smmuv3")];
  assert.equal(recs.length, 2);
  const j = veventJson("arm-smmuv3", recs[0], 0);
  assert.equal(j.sequence, 0);
  assert.deepEqual(j.evt, ["0x800005813", "0x800000000", "0xdeadb000", "0x0"]);
  const e = j.event as Record<string, unknown>;
  assert.equal(e.id, 0x13);
  assert.equal(e.id_name, "F_PERMISSION");
  assert.equal(e.ssv, 1);
  assert.equal(e.ssid, 5);
  assert.equal(e.vsid, 8);
  assert.equal(e.rnw, 1); // bit 35 of evt[1]
  assert.equal(e.input_addr, "0xdeadb000");
  const l = veventJson("arm-smmuv3", recs[1], 1);
  assert.equal(l.offset, 40);
  assert.deepEqual(l.flags_names, ["LOST_EVENTS"]);
  assert.equal(l.sequence, 1);
  assert.equal("evt" in l, false); // a LOST_EVENTS header has no payload
  // Event 0, then LOST_EVENTS with sequence 1: one event (sequence 1) was lost.
  assert.deepEqual(rules(TV10), ["VEQ-LOST-EVENTS"]);
  assert.deepEqual(lossTotals(recs), { lost: 1, exact: true, headers: 1, gaps: 0 });
});

Deno.test("veventLoss: a LOST_EVENTS header s after p loses (s - p) mod 2^31; a gap d loses d - 1", () => {
  const H = (sequence: number) => ({ lost: true, sequence });
  const E = (sequence: number) => ({ lost: false, sequence });
  assert.deepEqual(veventLoss(0, H(1)), {
    kind: "header",
    lost: 1,
    exact: true,
    first: 1,
    last: 1,
  });
  assert.deepEqual(veventLoss(7, H(9)), {
    kind: "header",
    lost: 2,
    exact: true,
    first: 8,
    last: 9,
  });
  // The INT_MAX wrap: 0x7fffffff, then the header 1: 0 and 1 were lost.
  assert.deepEqual(veventLoss(0x7fffffff, H(1)), {
    kind: "header",
    lost: 2,
    exact: true,
    first: 0,
    last: 1,
  });
  // A header just before the wrap: 0x7ffffffd, header 0x7fffffff: two lost.
  assert.equal((veventLoss(0x7ffffffd, H(0x7fffffff)) as { lost: number }).lost, 2);
  // Events: the next number is no loss, across INT_MAX -> 0 too; a gap of d loses d - 1.
  assert.deepEqual(veventLoss(5, E(6)), { kind: "next" });
  assert.deepEqual(veventLoss(0x7fffffff, E(0)), { kind: "next" });
  assert.deepEqual(veventLoss(5, E(9)), { kind: "gap", lost: 3, exact: true, first: 6, last: 8 });
  assert.deepEqual(veventLoss(0x7ffffffe, E(1)), {
    kind: "gap",
    lost: 2,
    exact: true,
    first: 0x7fffffff,
    last: 0,
  });
  // After a header with sequence s the next event is s + 1: nothing more lost.
  assert.deepEqual(veventLoss(9, E(10)), { kind: "next" });
  assert.deepEqual(veventLoss(undefined, E(4)), { kind: "first" });
  assert.deepEqual(veventLoss(undefined, H(4)), { kind: "header", lost: 1, exact: false, last: 4 });
  assert.deepEqual(veventLoss(4, E(4)), { kind: "repeat" });
  assert.deepEqual(veventLoss(4, E(0x80000000)), { kind: "out-of-range" });
  // Totals, one record at a time, as a live reader would keep them.
  let t = NO_LOSS;
  for (const [p, r] of [[0, H(1)], [1, E(5)], [5, E(6)]] as const) t = addLoss(t, veventLoss(p, r));
  assert.deepEqual(t, { lost: 4, exact: true, headers: 1, gaps: 1 });
});

Deno.test("lossTotals: a capture of several reads: a LOST header followed by more events", () => {
  // read 1: events 0, 1 and LOST 4 (2, 3, 4 lost); read 2: events 5, 6, then a gap to 9.
  const b = cat(smmu(0), smmu(1), lost(4), smmu(5), smmu(6), smmu(9));
  const recs = [...parseVevents(b, "arm-smmuv3")];
  assert.deepEqual(lossTotals(recs), { lost: 5, exact: true, headers: 1, gaps: 1 });
  assert.deepEqual(rules(b), ["VEQ-LOST-EVENTS", "VEQ-SEQ-GAP"]);
});

Deno.test("an SMMUv3 vEVENT's ipa is evt[3] & GENMASK(51, 12), not shifted", () => {
  // abi.md 5.3 (corrected) and arm_smmu_decode_event: `event->ipa = raw[3] & EVTQ_3_IPA`.
  const b = smmu(0);
  new DataView(b.buffer).setBigUint64(8 + 24, 0xfff0000081234abcn, true);
  const [r] = [...parseVevents(b, "arm-smmuv3")];
  assert.equal(veventFields("arm-smmuv3", r.payload!).ipa, 0x81234000n);
  assert.equal((veventJson("arm-smmuv3", r, 0).event as Record<string, unknown>).ipa, "0x81234000");
});

Deno.test("VEQ-SEQ-GAP counts lost events, and the INT_MAX -> 0 wrap is not a loss", () => {
  assert.deepEqual(rules(cat(smmu(5), smmu(6), smmu(7))), []);
  const gap = checkVevents([...parseVevents(cat(smmu(5), smmu(9)), "arm-smmuv3")], "arm-smmuv3");
  assert.deepEqual(gap.map((f) => f.rule), ["VEQ-SEQ-GAP"]);
  assert.match(gap[0].message, /3 events lost/);
  assert.deepEqual(rules(cat(smmu(0x7fffffff), smmu(0))), []);
  assert.deepEqual(rules(cat(smmu(0x7ffffffe), smmu(0))), ["VEQ-SEQ-GAP"]);
});

Deno.test("VEQ-SEQ-RANGE, VEQ-FLAGS, VEQ-EVENT-ID, VEQ-LOST-LAST, VEQ-TRUNCATED fire", () => {
  const oneRead = (b: Uint8Array) =>
    checkVevents([...parseVevents(b, "arm-smmuv3")], "arm-smmuv3", { oneRead: true })
      .map((f) => f.rule);
  assert.deepEqual(rules(smmu(0x80000000)), ["VEQ-SEQ-RANGE"]);
  assert.deepEqual(rules(smmu(1, 0x0000000800005813n, 0x4)), ["VEQ-FLAGS"]);
  assert.deepEqual(rules(smmu(1, 0x0000000800005801n)), ["VEQ-EVENT-ID"]); // 0x01 is not reported
  assert.deepEqual(rules(smmu(1, 0x0000000800005810n)), []); // 0x10 F_TRANSLATION is
  // In one read's buffer the LOST_EVENTS header is last; in a capture of joined reads a header
  // followed by more events is normal.
  assert.deepEqual(oneRead(cat(lost(1), smmu(2))), ["VEQ-LOST-EVENTS", "VEQ-LOST-LAST"]);
  assert.deepEqual(rules(cat(lost(1), smmu(2))), ["VEQ-LOST-EVENTS"]);
  assert.deepEqual(oneRead(cat(smmu(1), lost(2))), ["VEQ-LOST-EVENTS"]);
  assert.deepEqual(rules(cat(smmu(1), smmu(2).subarray(0, 20))), ["VEQ-TRUNCATED"]);
  assert.deepEqual(rules(new Uint8Array(5)), ["VEQ-TRUNCATED"]);
});

Deno.test("Tegra241 CMDQV payloads are 16 bytes", () => {
  const b = new Uint8Array(2 * 24);
  const dv = new DataView(b.buffer);
  dv.setUint32(28, 1, true); // second record: sequence 1
  dv.setBigUint64(8, 0x8000000000000001n, true);
  const recs = [...parseVevents(b, "tegra241-cmdqv")];
  assert.equal(recs.length, 2);
  assert.equal(recs[1].offset, 24);
  assert.deepEqual(veventJson("tegra241-cmdqv", recs[0], 0).lvcmdq_err_map, [
    "0x8000000000000001",
    "0x0",
  ]);
  assert.deepEqual(rules(b, "tegra241-cmdqv"), []);
});

/** `bytes` as chunks cut at `cuts` (offsets, in any order). */
async function* cutAt(bytes: Uint8Array, cuts: number[]) {
  let at = 0;
  for (const c of [...new Set(cuts.map((x) => x % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.slice(at, Math.max(at, c));
    at = Math.max(at, c);
  }
  yield bytes.slice(at);
}

Deno.test("readVevents: the records of parseVevents, however the stream is cut, and --count stops reading", async () => {
  const record = fc.oneof(
    fc.nat(0x7fffffff).map((s) => smmu(s)),
    fc.nat(0x7fffffff).map((s) => lost(s)),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(record, { maxLength: 8 }),
      fc.nat(39),
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.boolean(),
      async (recs, tail, cuts, check) => {
        const bytes = cat(...recs, new Uint8Array(tail));
        const want = [...parseVevents(bytes, "arm-smmuv3")];
        const s = readVevents(cutAt(bytes, cuts), "arm-smmuv3");
        const got = [];
        const checker = new VeventChecker("arm-smmuv3", { oneRead: true });
        const found = [];
        for await (const r of s.records) {
          got.push(r);
          if (check) found.push(...checker.push(r));
        }
        assert.deepEqual(got, want);
        assert.equal(s.end().bytes, bytes.length);
        if (check) {
          found.push(...checker.end());
          assert.deepEqual(found, checkVevents(want, "arm-smmuv3", { oneRead: true }));
        }
        const n = Math.min(2, want.length);
        const limited = readVevents(cutAt(bytes, cuts), "arm-smmuv3", true, n);
        const first = [];
        for await (const r of limited.records) first.push(r);
        assert.deepEqual(first, want.slice(0, n));
      },
    ),
    { numRuns: 500 },
  );
});

// Regression (issue 12): `decode --abi vevent /dev/zero --count 5` read the whole input first
// (3.2 GB in 30 s). The reader takes only the chunks the records it yields need.
Deno.test("readVevents: a limit stops reading an endless stream", async () => {
  let chunks = 0;
  async function* zeros() {
    while (true) {
      chunks++;
      yield new Uint8Array(1 << 16);
    }
  }
  const s = readVevents(zeros(), "arm-smmuv3", true, 5);
  const seen = [];
  for await (const r of s.records) seen.push(r.offset);
  assert.deepEqual(seen, [0, 40, 80, 120, 160]);
  assert.equal(chunks, 1);
  assert.deepEqual(s.end(), { records: 5, bytes: 200, limited: true });
});
