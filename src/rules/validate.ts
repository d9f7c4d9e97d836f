/**
 * The validator: runs the rule catalogue on a region image, on the pending records in it, and on
 * two snapshots of the same region taken in order.
 *
 * @example
 * ```ts
 * import { buildRegion } from "../region/model.ts";
 * import { validateImage } from "./validate.ts";
 * const { findings } = validateImage(buildRegion({ layout: "rfc3", producer: 3, consumer: 1 }));
 * findings.filter((f) => f.severity === "error").length; // 2: the two pending slots are all-zero records (REC-TYPE)
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
import { hex, plural } from "../codec/numbers.ts";
import { type Finding, finding } from "./finding.ts";
import { checkRecord } from "./records.ts";
import { checkRegion } from "./region.ts";

/** Checks the region and every pending record it holds. */
export function validateRegion(r: Region): Finding[] {
  const out = checkRegion(r);
  // With a ring that overflows the region the slot positions themselves are wrong: checking the
  // "records" there would bury the one real finding under one per slot.
  if (out.some((f) => f.rule === "HDR-RING-BOUNDS")) return out;
  const perRule = new Map<string, Finding[]>();
  for (const slot of pendingSlots(r)) {
    if (!slotReadable(r, slot)) continue; // HDR-TRUNCATED already says so
    const at = slotOffset(r, slot);
    for (const f of checkRecord(r.abi, r.bytes, at, { slot }, r.layout.id, r.littleEndian)) {
      const list = perRule.get(f.rule) ?? [];
      list.push(f);
      perRule.set(f.rule, list);
    }
  }
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

/** Checks two snapshots `a` then `b` of one region (SNAP-*). */
export function validateSnapshots(a: Region, b: Region): Finding[] {
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
  if (net < 0) {
    out.push(finding(
      "SNAP-OVERTAKE",
      `${consName} advanced ${dC} but only ${a.occupancy.pending} were pending and ${prodName} ` +
        `advanced ${dP} (or the producer lapped the ring between the snapshots)`,
      { field: consName },
    ));
  } else if (net > cap - 1) {
    out.push(finding(
      "SNAP-PROGRESS",
      `${a.occupancy.pending} pending + ${dP} produced - ${dC} consumed = ${net} > ${cap - 1} ` +
        `(or the consumer drained a whole lap between the snapshots)`,
      { field: prodName },
    ));
  } else {
    // Slots pending in A that B has not consumed yet must not have changed.
    const size = a.geometry.entrySize;
    for (const slot of slotsFrom(a, a.consumer, dC, a.occupancy.pending - dC)) {
      if (!slotReadable(a, slot) || !slotReadable(b, slot)) continue;
      const off = slotOffset(a, slot);
      const ra = a.bytes.subarray(off, off + size), rb = b.bytes.subarray(off, off + size);
      const diff = ra.findIndex((x, i) => x !== rb[i]);
      if (diff >= 0) {
        out.push(finding(
          "SNAP-LIVE-STABLE",
          `pending slot ${slot} changed at byte ${diff} (${hex(ra[diff])} -> ${hex(rb[diff])})`,
          { slot, offset: off + diff },
        ));
      }
    }
  }
  if (a.occupancy.full && b.occupancy.full) {
    out.push(finding("SNAP-DROPS", "ring full in both snapshots: sustained loss of faults"));
  }
  return out;
}
