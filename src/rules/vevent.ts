/**
 * vEVENTQ stream rules (VEQ-*): flags, sequence range and gaps (lost events, modulo 2^31, so the
 * INT_MAX -> 0 wrap is not a loss), LOST_EVENTS placement, reported SMMUv3 event IDs.
 *
 * @example
 * ```ts
 * import { parseVevents } from "../codec/vevent.ts";
 * import { checkVevents } from "./vevent.ts";
 * checkVevents([...parseVevents(new Uint8Array(8), "arm-smmuv3")], "arm-smmuv3")[0].rule; // "VEQ-TRUNCATED"
 * ```
 * @module
 */
import { VEVENT_FLAGS, VEVENT_SEQ_MAX, VEVENT_TYPES, type VeventTypeId } from "../abi/vevent.ts";
import type { VeventRecord } from "../codec/vevent.ts";
import { veventFields } from "../codec/vevent.ts";
import { enumEntry, flagNames } from "../codec/names.ts";
import { hex, plural } from "../codec/numbers.ts";
import { type Finding, finding } from "./finding.ts";

/** Checks a vEVENTQ stream, record by record and across records. */
export function checkVevents(records: readonly VeventRecord[], type: VeventTypeId): Finding[] {
  const out: Finding[] = [];
  const t = VEVENT_TYPES[type];
  let prev: number | undefined;
  records.forEach((r, index) => {
    const where = { index, offset: r.offset };
    if (r.truncated) {
      out.push(finding(
        "VEQ-TRUNCATED",
        `the input ends inside the record at ${hex(r.offset)} (a ${8 + t.payloadSize}-byte record)`,
        where,
      ));
      return;
    }
    const unknown = flagNames(VEVENT_FLAGS, r.flags).unknown;
    if (unknown) {
      out.push(
        finding("VEQ-FLAGS", `flags = ${hex(r.flags)} has undefined bits ${hex(unknown)}`, {
          ...where,
          field: "flags",
        }),
      );
    }
    if (r.sequence > VEVENT_SEQ_MAX) {
      out.push(
        finding("VEQ-SEQ-RANGE", `sequence = ${hex(r.sequence)} exceeds INT_MAX`, {
          ...where,
          field: "sequence",
        }),
      );
    } else if (prev !== undefined) {
      const lost = (r.sequence - prev - 1) & VEVENT_SEQ_MAX;
      if (lost) {
        // The same number twice is a duplicated record, not 2^31 - 1 lost events.
        const what = r.sequence === prev
          ? `sequence ${prev} repeated: a duplicated or re-read record`
          : `sequence ${prev} -> ${r.sequence}: ${plural(lost, "event")} lost`;
        out.push(finding("VEQ-SEQ-GAP", what, { ...where, field: "sequence" }));
      }
    }
    if (r.sequence <= VEVENT_SEQ_MAX) prev = r.sequence;
    if (r.lost && index !== records.length - 1) {
      out.push(
        finding("VEQ-LOST-LAST", "a LOST_EVENTS header is not the last record of the read", where),
      );
    }
    const fields = r.payload && t.fields.length ? veventFields(type, r.payload) : undefined;
    const idField = t.fields.find((f) => f.enum);
    if (fields && idField?.enum && !enumEntry(idField.enum, Number(fields[idField.name]))) {
      out.push(finding(
        "VEQ-EVENT-ID",
        `event ID ${hex(fields[idField.name])} is not one vEVENTQ reports`,
        { ...where, field: `${t.array.name}[0]` },
      ));
    }
  });
  return out;
}
