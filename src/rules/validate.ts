/**
 * The validator: runs the rule catalogue on a region image, on the pending records in it (one by
 * one, and as groups in consumer order), and on two snapshots of the same region taken in order.
 * Two snapshots are decided only when neither index can have lapped the ring between them: modulo
 * indices carry no lap count, so without a bound on progress an apparent overtake, overflow or
 * rewritten slot is SNAP-AMBIGUOUS, not an error.
 *
 * @example
 * ```ts
 * import { buildRegion } from "../region/model.ts";
 * import { validateImage } from "./validate.ts";
 * const { findings } = validateImage(buildRegion({ layout: "rfc3", producer: 3, consumer: 1 }));
 * findings.filter((f) => f.severity === "error").length;
 * // => 2: the two pending slots are all-zero records (REC-TYPE)
 * ```
 * @module
 */
import {
  type OpenOptions,
  openRegion,
  pendingSlots,
  type Region,
  RegionError,
  slotOffset,
  slotReadable,
  slotsFrom,
} from "../region/model.ts";
import { RECORDS } from "../abi/records.ts";
import { decoderFor } from "../codec/decode.ts";
import { hex, plural } from "../codec/numbers.ts";
import type { RuleId } from "./catalogue.ts";
import { type Finding, finding } from "./finding.ts";
import { checkRecord } from "./records.ts";
import { checkRegion } from "./region.ts";
import { GroupChecker } from "./stream.ts";

/** Checks the region and every pending record it holds. */
export function validateRegion(r: Region): Finding[] {
  const out = checkRegion(r);
  // With a ring that overflows the region the slot positions themselves are wrong: checking the
  // "records" there would bury the one real finding under one per slot.
  if (out.some((f) => f.rule === "HDR-RING-BOUNDS")) return out;
  const perRule = new Map<string, Finding[]>();
  const add = (f: Finding) => {
    const list = perRule.get(f.rule) ?? [];
    list.push(f);
    perRule.set(f.rule, list);
  };
  const groups = new GroupChecker(RECORDS[r.abi]);
  const decode = decoderFor(r.abi);
  const dv = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
  for (const slot of pendingSlots(r)) {
    if (!slotReadable(r, slot)) continue; // HDR-TRUNCATED already says so
    const at = slotOffset(r, slot);
    const rec = decode(dv, at, r.littleEndian);
    checkRecord(r.abi, r.bytes, at, { slot }, r.layout.id, r.littleEndian, rec).forEach(add);
    groups.push(rec, { slot, offset: at }).forEach(add);
  }
  // The ring's last pending group may still be filling: the kernel queues requests one by one.
  for (const list of perRule.values()) out.push(...summarise(list));
  return out;
}

/** Record findings of one rule listed one by one before the rest are summarised. */
export const RECORD_FINDINGS_LISTED = 8;

/** Keeps the first few findings of a rule and folds the rest into one (a storm stays readable). */
function summarise(list: Finding[]): Finding[] {
  if (list.length <= RECORD_FINDINGS_LISTED) return list;
  const rest = list.slice(RECORD_FINDINGS_LISTED);
  const slots = rest.map((f) => f.slot);
  return [
    ...list.slice(0, RECORD_FINDINGS_LISTED),
    finding(
      list[0].rule,
      `and ${plural(rest.length, "more pending record")} (slots ${slots.slice(0, 4).join(", ")}` +
        `${rest.length > 4 ? ", ..." : ""})`,
      { slot: rest[0].slot },
    ),
  ];
}

/** Opens and validates an image; a header that cannot be read becomes a finding. */
export function validateImage(
  bytes: Uint8Array,
  opts: OpenOptions = {},
): { region?: Region; findings: Finding[] } {
  try {
    const region = openRegion(bytes, opts);
    return { region, findings: validateRegion(region) };
  } catch (e) {
    if (!(e instanceof RegionError)) throw e;
    const where = { field: e.field, offset: e.offset, hints: e.hints };
    return { findings: [finding(e.rule, e.message, where)] };
  }
}

/** What is known of the time between two snapshots. */
export interface SnapshotBound {
  /**
   * Neither index moved more than this many slots between the snapshots (e.g. fewer faults
   * than this were produced, from a trace or a counter). Below the capacity, it rules out a lap
   * and decides SNAP-OVERTAKE, SNAP-PROGRESS and SNAP-LIVE-STABLE.
   */
  maxProgress?: number;
}

/** Checks two snapshots `a` then `b` of one region (SNAP-*). */
export function validateSnapshots(a: Region, b: Region, bound: SnapshotBound = {}): Finding[] {
  const out: Finding[] = [];
  const ga = a.geometry, gb = b.geometry;
  const same = a.layout.id === b.layout.id && ga.capacity === gb.capacity &&
    ga.ringOffset === gb.ringOffset && ga.headerEntrySize === gb.headerEntrySize &&
    ga.regionSize === gb.regionSize;
  if (!same) {
    out.push(finding(
      "SNAP-SAME-REGION",
      `geometry changed: ${a.layout.id} capacity ${ga.capacity} at ${hex(ga.ringOffset)} -> ` +
        `${b.layout.id} capacity ${gb.capacity} at ${hex(gb.ringOffset)}`,
    ));
    return out;
  }
  const cap = ga.capacity;
  if (!a.occupancy || !b.occupancy || a.consumer === undefined || b.consumer === undefined) {
    return out; // indices out of range: the single-snapshot rules already report it
  }
  const dP = (b.producer - a.producer + cap) % cap;
  const dC = (b.consumer - a.consumer + cap) % cap;
  const net = a.occupancy.pending + dP - dC;
  const prodName = a.layout.header.find((h) => h.role === "producer")!.name;
  const consName = a.layout.header.find((h) => h.role === "consumer")?.name ?? "cons";
  // Without a bound below the capacity, either index may have lapped the ring unseen.
  const max = bound.maxProgress;
  const decided = max !== undefined && max < cap;
  /** A finding when decided; otherwise SNAP-AMBIGUOUS naming the rule it would be. */
  const report = (id: RuleId, what: string, where: Partial<Finding> = {}) =>
    out.push(
      decided ? finding(id, what, where) : finding(
        "SNAP-AMBIGUOUS",
        `${what}: that is ${id}, or a lap of the ring (${cap - 1} faults or more) passed ` +
          `between the snapshots; modulo indices cannot tell which`,
        { ...where, hints: [{ kind: "max-progress" }] },
      ),
    );
  if (decided && (dP > max || dC > max)) {
    const [name, d] = dP > max ? [prodName, dP] : [consName, dC];
    out.push(finding(
      "SNAP-PROGRESS",
      `${name} advanced ${d} slots, more than the ${max} the bound allows: the bound is wrong ` +
        `or the index was written by someone else`,
      { field: name },
    ));
  } else if (net < 0) {
    report(
      "SNAP-OVERTAKE",
      `${consName} advanced ${dC} but only ${a.occupancy.pending} were pending and ${prodName} ` +
        `advanced ${dP}`,
      { field: consName },
    );
  } else if (net > cap - 1) {
    report(
      "SNAP-PROGRESS",
      `${a.occupancy.pending} pending + ${dP} produced - ${dC} consumed = ${net} > ${cap - 1}`,
      { field: prodName },
    );
  } else {
    // Slots pending in A that B has not consumed yet must not have changed.
    const size = a.geometry.entrySize;
    const changed: { slot: number; off: number; diff: number; was: number; is: number }[] = [];
    for (const slot of slotsFrom(a, a.consumer, dC, a.occupancy.pending - dC)) {
      if (!slotReadable(a, slot) || !slotReadable(b, slot)) continue;
      const off = slotOffset(a, slot);
      const ra = a.bytes.subarray(off, off + size), rb = b.bytes.subarray(off, off + size);
      const diff = ra.findIndex((x, i) => x !== rb[i]);
      if (diff >= 0) changed.push({ slot, off, diff, was: ra[diff], is: rb[diff] });
    }
    const what = (c: typeof changed[number]) =>
      `pending slot ${c.slot} changed at byte ${c.diff} (${hex(c.was)} -> ${hex(c.is)})`;
    if (decided) {
      for (const c of changed) {
        out.push(
          finding("SNAP-LIVE-STABLE", what(c), { slot: c.slot, offset: c.off + c.diff }),
        );
      }
    } else if (changed.length) {
      const c = changed[0];
      report(
        "SNAP-LIVE-STABLE",
        what(c) + (changed.length > 1 ? ` (and ${plural(changed.length - 1, "more slot")})` : ""),
        { slot: c.slot, offset: c.off + c.diff },
      );
    }
  }
  if (a.occupancy.full && b.occupancy.full) {
    out.push(finding("SNAP-DROPS", "ring full in both snapshots: sustained loss of faults"));
  }
  return out;
}
