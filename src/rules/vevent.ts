/**
 * vEVENTQ stream rules (VEQ-*): flags, sequence range, lost events (a warning at every loss
 * site: each LOST_EVENTS header and each sequence gap, counted modulo 2^31 as the kernel numbers
 * them, see {@link veventLoss}), reported SMMUv3 event IDs, and, on the buffer of one read(),
 * where the LOST_EVENTS header sits and how many events the read returned.
 *
 * @example
 * ```ts
 * import { parseVevents } from "../codec/vevent.ts";
 * import { checkVevents } from "./vevent.ts";
 * checkVevents([...parseVevents(new Uint8Array(8), "arm-smmuv3")], "arm-smmuv3")[0].rule; // "VEQ-TRUNCATED"
 * ```
 * @module
 */
import { VEVENT_FLAGS, VEVENT_TYPES, type VeventTypeId } from "../abi/vevent.ts";
import { type VeventLoss, veventLoss, type VeventRecord } from "../codec/vevent.ts";
import { veventFields } from "../codec/vevent.ts";
import { enumEntry, flagNames } from "../codec/names.ts";
import { hex, plural } from "../codec/numbers.ts";
import { type Finding, finding } from "./finding.ts";

/** What is known of the input beyond its bytes. */
export interface VeventInput {
  /** The input is the buffer of one read() (read boundaries known: VEQ-LOST-LAST, VEQ-DEPTH). */
  readonly oneRead?: boolean;
  /** The queue's `veventq_depth` (VEQ-DEPTH, with `oneRead`). */
  readonly depth?: number;
}

/** What a guest missed: `it` for one event, `them` for more. */
const missed = (n: number) => `the guest never heard of ${n === 1 ? "it" : "them"}`;

/** The sequence numbers of the lost events, in words (`sequence 1`, `sequences 6-8`). */
function lostRange(step: Extract<VeventLoss, { kind: "header" | "gap" }>): string {
  if (step.first === undefined || step.first === step.last) return `sequence ${step.last}`;
  return `sequences ${step.first}-${step.last}`;
}

/** Checks a vEVENTQ stream, record by record and across records. */
export function checkVevents(
  records: readonly VeventRecord[],
  type: VeventTypeId,
  input: VeventInput = {},
): Finding[] {
  const out: Finding[] = [];
  const t = VEVENT_TYPES[type];
  let prev: number | undefined;
  let events = 0;
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
    if (!r.lost) events++;
    const unknown = flagNames(VEVENT_FLAGS, r.flags).unknown;
    if (unknown) {
      out.push(
        finding("VEQ-FLAGS", `flags = ${hex(r.flags)} has undefined bits ${hex(unknown)}`, {
          ...where,
          field: "flags",
        }),
      );
    }
    const step = veventLoss(prev, r);
    const at = { ...where, field: "sequence" };
    switch (step.kind) {
      case "out-of-range":
        out.push(finding("VEQ-SEQ-RANGE", `sequence = ${hex(r.sequence)} exceeds INT_MAX`, at));
        break;
      case "repeat":
        // The same number twice is a duplicated record, not 2^31 - 1 lost events.
        out.push(finding(
          "VEQ-SEQ-GAP",
          `sequence ${r.sequence} repeated: a duplicated or re-read record`,
          at,
        ));
        break;
      case "gap":
        out.push(finding(
          "VEQ-SEQ-GAP",
          `sequence ${prev} -> ${r.sequence}: ${plural(step.lost, "event")} lost ` +
            `(${lostRange(step)}); ${missed(step.lost)}`,
          at,
        ));
        break;
      case "header":
        out.push(finding(
          "VEQ-LOST-EVENTS",
          step.exact
            ? `LOST_EVENTS with sequence ${r.sequence} after ${prev}: ` +
              `${plural(step.lost, "event")} lost (${lostRange(step)}); ${missed(step.lost)}`
            : `LOST_EVENTS with sequence ${r.sequence} first in the input: at least one event ` +
              `lost (sequence ${r.sequence}); how many before it cannot be told`,
          at,
        ));
        break;
    }
    if (step.kind !== "out-of-range") prev = r.sequence;
    if (input.oneRead && r.lost && index !== records.length - 1) {
      out.push(finding(
        "VEQ-LOST-LAST",
        "a LOST_EVENTS header is not the last record of the read (the kernel keeps it at the " +
          "tail of the queue)",
        where,
      ));
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
  if (input.oneRead && input.depth !== undefined && events > input.depth) {
    out.push(finding(
      "VEQ-DEPTH",
      `one read returned ${plural(events, "event")}, more than veventq_depth = ${input.depth}`,
      { index: 0, offset: 0 },
    ));
  }
  return out;
}
