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
 * checkVevents([...parseVevents(new Uint8Array(8), "arm-smmuv3")], "arm-smmuv3")[0].rule;
 * // => "VEQ-TRUNCATED"
 * ```
 * @module
 */
import { VEVENT_FLAGS, VEVENT_TYPES, type VeventTypeId } from "../abi/vevent.ts";
import { type VeventLoss, veventLoss, type VeventRecord } from "../codec/vevent.ts";
import { veventFields } from "../codec/vevent.ts";
import { enumEntry, flagNames } from "../codec/names.ts";
import { article, hex, plural } from "../codec/numbers.ts";
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

/**
 * Checks a vEVENTQ stream one record at a time, in bounded memory: {@link VeventChecker.push}
 * returns the findings a record reveals (VEQ-LOST-LAST of the record before it included, once
 * it is known not to be the last), {@link VeventChecker.end} those of the end of the input.
 *
 * @example
 * ```ts
 * import { VeventChecker } from "./vevent.ts";
 * const c = new VeventChecker("arm-smmuv3", { oneRead: true });
 * c.push({ offset: 0, flags: 1, sequence: 1, lost: true }).map((f) => f.rule);
 * // => ["VEQ-LOST-EVENTS"]
 * c.push({ offset: 8, flags: 1, sequence: 2, lost: true }).map((f) => f.rule);
 * // => ["VEQ-LOST-LAST", "VEQ-LOST-EVENTS"]: the first header was not the read's last record
 * c.end(); // => []
 * ```
 */
export class VeventChecker {
  readonly #type: VeventTypeId;
  readonly #input: VeventInput;
  #prev: number | undefined;
  #index = 0;
  #events = 0;
  #lastLost: { index: number; offset: number } | undefined;

  /** A checker for a stream of `type`, with what is known of the input. */
  constructor(type: VeventTypeId, input: VeventInput = {}) {
    this.#type = type;
    this.#input = input;
  }

  /** Records pushed so far. */
  get records(): number {
    return this.#index;
  }

  /** The findings of the next record (and of the one before it, now known not to be last). */
  push(r: VeventRecord): Finding[] {
    const out: Finding[] = [];
    const index = this.#index++;
    const t = VEVENT_TYPES[this.#type];
    const input = this.#input;
    const before = this.#lastLost;
    this.#lastLost = undefined;
    if (input.oneRead && before) {
      out.push(finding(
        "VEQ-LOST-LAST",
        "a LOST_EVENTS header is not the last record of the read (the kernel keeps it at the " +
          "tail of the queue)",
        before,
      ));
    }
    const where = { index, offset: r.offset };
    if (r.truncated) {
      out.push(finding(
        "VEQ-TRUNCATED",
        `the input ends inside the record at ${hex(r.offset)} ` +
          `(${article(`${8 + t.payloadSize}-byte record`)})`,
        where,
      ));
      return out;
    }
    if (!r.lost) this.#events++;
    const unknown = flagNames(VEVENT_FLAGS, r.flags).unknown;
    if (unknown) {
      out.push(
        finding("VEQ-FLAGS", `flags = ${hex(r.flags)} has undefined bits ${hex(unknown)}`, {
          ...where,
          field: "flags",
        }),
      );
    }
    const prev = this.#prev;
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
    if (step.kind !== "out-of-range") this.#prev = r.sequence;
    if (r.lost) this.#lastLost = where;
    const fields = r.payload && t.fields.length ? veventFields(this.#type, r.payload) : undefined;
    const idField = t.fields.find((f) => f.enum);
    if (fields && idField?.enum && !enumEntry(idField.enum, Number(fields[idField.name]))) {
      out.push(finding(
        "VEQ-EVENT-ID",
        `event ID ${hex(fields[idField.name])} is not one vEVENTQ reports`,
        { ...where, field: `${t.array.name}[0]` },
      ));
    }
    return out;
  }

  /** The findings of the end of the input (VEQ-DEPTH of a read that held too many events). */
  end(): Finding[] {
    const { oneRead, depth } = this.#input;
    if (oneRead && depth !== undefined && this.#events > depth) {
      return [finding(
        "VEQ-DEPTH",
        `one read returned ${plural(this.#events, "event")}, more than veventq_depth = ${depth}`,
        { index: 0, offset: 0 },
      )];
    }
    return [];
  }
}

/** Checks a vEVENTQ stream, record by record and across records ({@link VeventChecker}). */
export function checkVevents(
  records: readonly VeventRecord[],
  type: VeventTypeId,
  input: VeventInput = {},
): Finding[] {
  const c = new VeventChecker(type, input);
  const out: Finding[] = [];
  for (const r of records) out.push(...c.push(r));
  out.push(...c.end());
  return out;
}
