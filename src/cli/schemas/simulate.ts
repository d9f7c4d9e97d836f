/**
 * Schemas of `simulate --json` (the summary) and of each line of `simulate --trace FILE`
 * (`faultscope-sim-trace/1`). The resolved scenario on the trace's `begin` line is described by
 * walking the scenario's own field table (`SCENARIO_FIELDS`: types, ranges, choices), so a new
 * scenario key is in the schema without an edit here.
 *
 * @example
 * ```ts
 * import { simulateSchema } from "./simulate.ts";
 * (simulateSchema().required as string[]).includes("dropped_by_cause"); // => true
 * ```
 * @module
 */
import { ABI_IDS } from "../../abi/records.ts";
import { REGIONS, SIMULATED_LAYOUTS } from "../../abi/regions.ts";
import { closed, count, type JsonSchema, nullable, uint } from "../../codec/json_schema.ts";
import { DROP_CAUSES } from "../../sim/events.ts";
import type { FieldSpec } from "../../sim/fields.ts";
import { INJECT_KINDS, SCENARIO_FIELDS } from "../../sim/scenario.ts";

const NUM: JsonSchema = { type: "number", minimum: 0 };
const STR: JsonSchema = { type: "string" };

/** The schema of one value of a field table, resolved (every key present, as `fieldsToJson`). */
function fieldSchema(f: FieldSpec): JsonSchema {
  const doc = { description: f.doc };
  switch (f.type) {
    case "number":
    case "integer": {
      const s: JsonSchema = { type: f.type, ...doc };
      if (f.oneOf) s.enum = [...f.oneOf];
      if (f.min !== undefined) s.minimum = f.min;
      if (f.above !== undefined) s.exclusiveMinimum = f.above;
      if (f.max !== undefined) s.maximum = f.max;
      return f.nullable || f.default === null ? nullable(s) : s;
    }
    case "choice":
      return typeof f.values === "function"
        ? { type: "string", ...doc }
        : { enum: [...f.values], ...doc };
    case "string": {
      const s: JsonSchema = { type: "string", ...doc };
      // A parsed string comes back through toJson in its canonical form, which the pattern
      // (written for what users type) accepts.
      if (f.pattern) s.pattern = f.pattern.source;
      if (f.maxLength !== undefined) s.maxLength = f.maxLength;
      return s;
    }
    case "boolean":
      return { type: "boolean", ...doc };
    case "weights":
      return {
        type: "object",
        additionalProperties: { type: "number", minimum: 0, maximum: f.max },
        ...doc,
      };
    case "object": {
      const s = tableSchema(f.fields, doc);
      return f.optional ? nullable(s) : s;
    }
    case "array":
      return { type: "array", maxItems: f.maxItems, items: tableSchema(f.of), ...doc };
    case "variant": {
      const kinds = Object.keys(f.kinds);
      return {
        type: "object",
        required: ["kind"],
        properties: { kind: { enum: kinds } },
        // Closed in each branch: the keys depend on the kind.
        allOf: kinds.map((k) => ({
          if: { properties: { kind: { const: k } }, required: ["kind"] },
          then: tableSchema(f.kinds[k], {}, { kind: { const: k } }),
        })),
        ...doc,
      };
    }
  }
}

/** A closed object with every key of the table. */
function tableSchema(
  fields: readonly FieldSpec[],
  extra: JsonSchema = {},
  first: Record<string, JsonSchema> = {},
): JsonSchema {
  const props: Record<string, JsonSchema> = { ...first };
  for (const f of fields) props[f.key] = fieldSchema(f);
  return closed(props, Object.keys(props), extra);
}

/** The resolved scenario (every key present, defaults applied), as the trace's `begin` has it. */
export function scenarioSchema(): JsonSchema {
  return tableSchema(SCENARIO_FIELDS, { description: "the scenario, defaults applied" });
}

const byCause = (what: string) =>
  closed(Object.fromEntries(DROP_CAUSES.map((c) => [c, count()])), DROP_CAUSES, {
    description: what,
  });

/** Every header field name of the simulated layouts (and the CONS region's consumer index). */
function headerNames(): string[] {
  const names = new Set<string>();
  for (const id of SIMULATED_LAYOUTS) {
    const l = REGIONS[id];
    for (const h of l.header) names.add(h.name);
    if (l.externalConsumer) names.add(l.externalConsumer.field);
  }
  return [...names];
}

/** The keys of a run's summary (`SimSummary`), in output order. */
function summaryProperties(): Record<string, JsonSchema> {
  return {
    scenario: STR,
    seed: uint(),
    layout: { enum: SIMULATED_LAYOUTS },
    abi: { enum: ABI_IDS },
    page_size: count(),
    capacity: count(),
    region_size: count(),
    index_math: { enum: ["modulo", "circ"] },
    header_check: { enum: ["none", "bounds", "stop"] },
    layout_defaults: closed(
      {
        index_math: { enum: ["modulo", "circ"] },
        header_check: { enum: ["none", "bounds", "stop"] },
        cons_write: { enum: ["per_record", "per_drain"] },
      },
      [],
      { description: "policies taken from the layout that differ from the RFC v3 kernel's" },
    ),
    events: count(),
    sim_time_us: NUM,
    quiescent: { type: "boolean" },
    produced: count(),
    delivered: count(),
    dropped: count(),
    dropped_by_cause: byCause("faults lost, by cause"),
    pending: count(),
    complete: { type: "boolean", description: "false as soon as any fault was lost" },
    max_occupancy: count(),
    mean_occupancy: NUM,
    time_full_us: NUM,
    time_full_fraction: { type: "number", minimum: 0, maximum: 1 },
    latency: closed({ p50: NUM, p99: NUM, max: NUM, mean: NUM, unit: { const: "us" } }),
    signals: count(),
    wakes: count(),
    stale_reads: count(),
    header: {
      type: "object",
      propertyNames: { enum: headerNames() },
      additionalProperties: uint(),
      description: "the header at the end, by the layout's field names",
    },
    consumer: closed({
      state: STR,
      hung: { type: "boolean" },
      hang_reason: nullable({ ...STR, description: "null unless hung" }),
    }),
    queue: closed({
      stopped: { type: "boolean" },
      stopped_at_event: nullable({ ...count(), description: "null unless stopped" }),
      stop_reason: nullable({ ...STR, description: "null unless stopped" }),
    }),
    injection: nullable({
      ...closed({
        injected: {
          type: "array",
          items: closed({
            at_event: count(),
            kind: { enum: INJECT_KINDS },
            value: uint(),
            time_us: NUM,
          }),
        },
        would_write_oob: { type: "boolean" },
        oob_writes: count(),
        first_oob_offset: nullable({ ...count(), description: "null without such a write" }),
        queue_stopped: { type: "boolean" },
        faults_lost: count(),
        lost_by_cause: byCause("faults lost from the first injection on, by cause"),
        baseline: nullable({
          ...closed({ produced: count(), delivered: count(), dropped: count() }),
          description: "the same run without injections; null when interrupted before it",
        }),
        extra_lost: nullable({
          type: "integer",
          description: "faults lost beyond the baseline's; null without a baseline",
        }),
      }),
      description: "null without injections",
    }),
  };
}

/** `simulate --json`: the summary, the snapshots written and the output paths. */
export function simulateSchema(): JsonSchema {
  return closed({
    ...summaryProperties(),
    interrupted: { type: "boolean", description: "Ctrl-C or SIGTERM: a partial summary" },
    occupancy_sparkline: STR,
    snapshots: {
      type: "array",
      items: closed({
        file: STR,
        event: count(),
        time_us: NUM,
        prod: count(),
        cons: count(),
        cons_in_image: { type: "boolean" },
      }),
    },
    trace: nullable({ ...STR, description: "the trace's path; null when none was written" }),
    plot: nullable({ ...STR, description: "the chart's path; null when none was written" }),
  });
}

/** One event line: `{"n":N,"t":T,"ev":KIND,...}`. */
function event(kind: string, keys: Record<string, JsonSchema>, optional: string[] = []) {
  const properties = { n: count("event number"), t: NUM, ev: { const: kind }, ...keys };
  return closed(properties, Object.keys(properties).filter((k) => !optional.includes(k)));
}

const SLOT = count("ring slot");
const K = count("fault number");

/** One line of `simulate --trace FILE`, chosen by `ev`. */
export function traceSchema(): JsonSchema {
  const lines: Record<string, JsonSchema> = {
    begin: closed({
      ev: { const: "begin" },
      format: { const: "faultscope-sim-trace/1" },
      capacity: count(),
      region_size: count(),
      ring_offset: count(),
      entry_size: count(),
      scenario: { $ref: "#/$defs/scenario" },
    }),
    fault: event("fault", {
      k: K,
      slot: SLOT,
      prod: count(),
      occ: count("occupancy after it"),
      sig: { enum: [0, 1], description: "1: the kernel signalled the eventfd" },
    }),
    drop: event("drop", {
      k: K,
      cause: { enum: DROP_CAUSES },
      prod: count(),
      cons: count(),
      why: STR,
      offset: count("where the kernel would have written"),
    }, ["why", "offset"]),
    wake: event("wake", { efd: count("eventfd count read"), prod: count(), cons: count() }),
    deliver: event("deliver", {
      k: { type: "integer", minimum: -1, description: "-1 for a stale slot" },
      slot: SLOT,
      lat: nullable({ ...NUM, description: "latency (µs); null for a stale slot" }),
      cons: count(),
    }),
    hang: event("hang", { why: STR }),
    start: event("start", { drain: { type: "boolean" } }),
    stall: event("stall", { until: NUM }),
    resume: event("resume", {}),
    inject: event("inject", { kind: { enum: INJECT_KINDS }, field: STR, value: uint() }),
    end: closed({ ev: { const: "end" }, summary: { $ref: "#/$defs/summary" } }),
  };
  const kinds = Object.keys(lines);
  return {
    type: "object",
    required: ["ev"],
    properties: { ev: { enum: kinds } },
    // Closed in each branch: the keys depend on the event.
    allOf: kinds.map((k) => ({
      if: { properties: { ev: { const: k } }, required: ["ev"] },
      then: { $ref: `#/$defs/${k}` },
    })),
    $defs: {
      ...lines,
      scenario: scenarioSchema(),
      summary: closed(summaryProperties()),
    },
  };
}
