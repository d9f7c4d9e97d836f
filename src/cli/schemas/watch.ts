/**
 * The schema of `watch --ndjson`: each line is a fault, a loss, a finding or a state change, with
 * `time`, `source` and `type`. A fault's `fault` object is the one `decode` prints for the record
 * (with its `slot` in a region, its `index` in a stream), `decode --abi vevent` for a vEVENT, or
 * `dmesg --ndjson` for a kernel-log report (its schema's fault event, reused as it is).
 *
 * @example
 * ```ts
 * import { watchLineSchema } from "./watch.ts";
 * const s = watchLineSchema();
 * (s.properties as Record<string, { enum?: string[] }>).type.enum;
 * // => ["fault", "loss", "finding", "state"]
 * ```
 * @module
 */
import { FAULT_ABIS, RECORDS } from "../../abi/records.ts";
import { VEVENT_TYPES, type VeventTypeId } from "../../abi/vevent.ts";
import {
  closed,
  count,
  type JsonSchema,
  nullable,
  type ObjectParts,
  recordDefs,
  recordSchema,
  veventSchema,
} from "../../codec/json_schema.ts";
import { dmesgLineSchema } from "./dmesg.ts";
import { findingSchema } from "./records.ts";

/** Record ABIs a watched source carries: the `iommu_fault` generations and iommufd's queue. */
const ABIS = [...FAULT_ABIS, "hwpt-pgfault"] as const;
const VEVENT_IDS = Object.keys(VEVENT_TYPES) as VeventTypeId[];

/** Where a record was read: `slot` and `offset` in a region, `index` and `offset` in a stream. */
const POSITION: ObjectParts = {
  properties: {
    slot: count("ring slot (a region)"),
    index: count("record number since the stream was opened (a stream)"),
    offset: count("byte offset in the region, or in the stream since it was opened"),
  },
  required: ["offset"],
};

/** The kernel-log parser's fault event: the fault alternative of `dmesg --ndjson`'s schema. */
function logFault(): JsonSchema {
  const alternatives = dmesgLineSchema().oneOf as JsonSchema[];
  return alternatives.find((s) =>
    (s.properties as Record<string, JsonSchema> | undefined)?.type?.const === "fault"
  )!;
}

/** The `fault` object: a record (by `abi`), a vEVENT, or a kernel-log event. */
function faultObject(): JsonSchema {
  const branches: JsonSchema[] = ABIS.map((id) => ({
    if: { properties: { abi: { const: id } }, required: ["abi"] },
    then: { $ref: `#/$defs/abi-${id}` },
  }));
  branches.push({
    if: { properties: { abi: { const: "vevent" } }, required: ["abi"] },
    then: {
      required: ["vevent_type"],
      properties: { vevent_type: { enum: VEVENT_IDS } },
      allOf: VEVENT_IDS.map((t) => ({
        if: { properties: { vevent_type: { const: t } }, required: ["vevent_type"] },
        then: { $ref: `#/$defs/vevent-${t}` },
      })),
    },
  });
  branches.push({
    if: { not: { required: ["abi"] } },
    then: { $ref: "#/$defs/log-fault" },
  });
  return { type: "object", properties: { abi: { enum: [...ABIS, "vevent"] } }, allOf: branches };
}

const HEAD: Record<string, JsonSchema> = {
  time: {
    type: "string",
    pattern: "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$",
    description: "when watch saw it, ISO 8601 UTC",
  },
  source: { type: "string", description: "the source's label" },
};

/** One line of `watch --ndjson`. */
export function watchLineSchema(): JsonSchema {
  const defs: Record<string, JsonSchema> = { ...recordDefs(), "log-fault": logFault() };
  for (const id of ABIS) defs[`abi-${id}`] = recordSchema(RECORDS[id], { position: POSITION });
  for (const t of VEVENT_IDS) {
    defs[`vevent-${t}`] = veventSchema(t, {
      position: { properties: POSITION.properties, required: ["index", "offset"] },
    });
  }
  const fault = closed({ ...HEAD, type: { const: "fault" }, fault: faultObject() });
  const loss = closed(
    {
      ...HEAD,
      type: { const: "loss" },
      cause: {
        enum: [
          "ring_full",
          "lapped",
          "may_have_lapped",
          "before_first_look",
          "resync",
          "vevent_overflow",
          "vevent_gap",
          "partial_record",
          "kmsg_overwritten",
          "journal_missed",
          "suppressed",
          "hw_overflow",
          "log_truncated",
        ],
      },
      unit: { enum: ["faults", "records", "messages"] },
      count: count("exactly this many were lost"),
      at_least: count("at least this many"),
      at_most: nullable(count("at most this many; null: no bound exists")),
      message: { type: "string" },
    },
    ["time", "source", "type", "cause", "unit", "message"],
    // Exactly one of: a count, or bounds (never a guess as a count).
    { oneOf: [{ required: ["count"] }, { required: ["at_most"] }] },
  );
  const f = findingSchema(false);
  const finding = closed(
    { ...HEAD, type: { const: "finding" }, ...(f.properties as Record<string, JsonSchema>) },
    ["time", "source", "type", "rule", "severity", "message"],
  );
  const state = closed(
    {
      ...HEAD,
      type: { const: "state" },
      state: { enum: ["ring_full", "ring_not_full", "stalled", "resumed", "up", "down"] },
      message: { type: "string" },
      seconds: { type: "number", minimum: 0, description: "how long the state that ended lasted" },
    },
    ["time", "source", "type", "state", "message"],
  );
  const kinds = { fault, loss, finding, state };
  return {
    type: "object",
    required: ["time", "source", "type"],
    properties: { type: { enum: Object.keys(kinds) } },
    allOf: Object.entries(kinds).map(([k, s]) => ({
      if: { properties: { type: { const: k } }, required: ["type"] },
      then: s,
    })),
    $defs: defs,
  };
}
