/**
 * Schemas of the outputs made of records and findings: `decode --json`/`--ndjson`,
 * `inspect --json`, `validate --json` and `rules --json`. The record schemas come from the ABI
 * registry (`recordSchema` walks each description as the JSON view does), the rule IDs and
 * severities from the rule catalogue, the layouts and header fields from the region registry:
 * a new generation, rule or layout is in these schemas without an edit here.
 *
 * @example
 * ```ts
 * import { decodeLineSchema } from "./records.ts";
 * const s = decodeLineSchema();
 * Object.keys(s.$defs as object).includes("abi-rfc3"); // => true
 * ```
 * @module
 */
import { ABI_IDS, HARDWARE_ABIS, RECORDS } from "../../abi/records.ts";
import { REGION_IDS, REGIONS } from "../../abi/regions.ts";
import { VEVENT_TYPES, type VeventTypeId } from "../../abi/vevent.ts";
import {
  closed,
  count,
  type JsonSchema,
  nullable,
  type ObjectParts,
  recordDefs,
  recordSchema,
  uint,
  veventSchema,
} from "../../codec/json_schema.ts";
import { RULES } from "../../rules/catalogue.ts";

const SEVERITY: JsonSchema = { enum: ["error", "warning", "info"] };

/**
 * A finding as `findingJson` writes it: the rule, its severity, the message (hints folded in as
 * the flag to pass), and where, when the rule knows; `snapshot` only in `validate --previous`.
 */
export function findingSchema(withSnapshot: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    rule: { enum: RULES.map((r) => r.id), description: "the rule's ID (faultscope rules ID)" },
    severity: SEVERITY,
    message: {
      type: "string",
      description: "one line; ends with the flag to pass when there is one (`; try --endian big`)",
    },
    field: { type: "string", description: "kernel field name, dotted inside a union" },
    offset: count("byte offset in the input"),
    slot: count("ring slot, for a record of a region"),
    index: count("record index, for a record of a capture"),
  };
  if (withSnapshot) {
    properties.snapshot = {
      const: "previous",
      description: "the finding is about the --previous image",
    };
  }
  return closed(properties, ["rule", "severity", "message"]);
}

/** `raw`: the record's bytes as one lowercase hex string (with `--raw`/`--hex`). */
function raw(size: number): JsonSchema {
  return {
    type: "string",
    pattern: `^[0-9a-f]{${2 * size}}$`,
    description: `the record's ${size} bytes as hex (--raw, --hex)`,
  };
}

/** `findings`: the record rules that fired on the record (with `--check`). */
const FINDINGS: JsonSchema = { type: "array", items: { $ref: "#/$defs/finding" } };

/** `index` and `offset` of a record in a capture. */
const CAPTURE_POSITION: ObjectParts = {
  properties: {
    index: count("record number in the capture, from 0"),
    offset: count("byte offset of the record in the input"),
  },
  required: ["index", "offset"],
};

/** The `$defs` name of a record ABI's schema. */
const abiDef = (id: string) => `abi-${id}`;

/**
 * Every record ABI's schema as `$defs`, with the position keys and the optional `raw` (and
 * `findings`) after the fields, plus the `u64` (and `finding`) they refer to.
 */
function defs(
  position: ObjectParts,
  withFindings: boolean,
  ids: readonly string[] = ABI_IDS,
): Record<string, JsonSchema> {
  const d: Record<string, JsonSchema> = { ...recordDefs() };
  if (withFindings) {
    d.finding = findingSchema(false);
    d[FAULT_DEF] = recordSchema(RECORDS.mainline);
  }
  for (const id of ids as readonly (keyof typeof RECORDS)[]) {
    const extra: ObjectParts = { properties: { raw: raw(RECORDS[id].size) }, required: [] };
    if (withFindings) extra.properties.findings = FINDINGS;
    if (withFindings && RECORDS[id].family === "hardware") {
      extra.properties.iommu_fault = IOMMU_FAULT;
    }
    d[abiDef(id)] = recordSchema(RECORDS[id], { position, extra });
  }
  return d;
}

/** The `$defs` name of the mainline record a hardware record becomes. */
const FAULT_DEF = "iommu-fault-mainline";

/**
 * `iommu_fault` of a hardware record (`decode --as-iommu-fault`): one object per kernel path,
 * with the mainline record it makes and its 64 bytes, or `fault: null` and why none.
 */
const IOMMU_FAULT: JsonSchema = {
  type: "array",
  minItems: 1,
  description: "the iommu_fault each kernel path makes of the record (--as-iommu-fault)",
  items: {
    type: "object",
    required: ["path", "kernels", "via", "fault"],
    properties: {
      path: { type: "string", description: "the path's id: mainline-6.8, nested-v9-v12, ..." },
      kernels: { type: "string", description: "the kernels that take it" },
      via: { type: "string", description: "the driver function that performs it" },
    },
    oneOf: [
      closed({
        path: { type: "string" },
        kernels: { type: "string" },
        via: { type: "string" },
        abi: { const: "mainline" },
        fault: { $ref: `#/$defs/${FAULT_DEF}` },
        bytes: { type: "string", pattern: "^[0-9a-f]{128}$", description: "its 64 bytes" },
      }),
      closed({
        path: { type: "string" },
        kernels: { type: "string" },
        via: { type: "string" },
        fault: { type: "null" },
        dropped: { type: "string", description: "why this path reports no iommu_fault" },
      }),
    ],
  },
};

/** `if <key> is X then #/$defs/X`, for each X: the one schema chosen by a discriminating key. */
function dispatch(key: string, ids: readonly string[], ref = (id: string) => id): JsonSchema[] {
  return ids.map((id) => ({
    if: { properties: { [key]: { const: id } }, required: [key] },
    then: { $ref: `#/$defs/${ref(id)}` },
  }));
}

const VEVENT_IDS = Object.keys(VEVENT_TYPES) as VeventTypeId[];
const veventDef = (t: string) => `vevent-${t}`;

/** One decoded record of any ABI (vEVENTQ records included), chosen by its `abi`. */
function decodeRecord(): JsonSchema {
  return {
    type: "object",
    required: ["abi"],
    properties: { abi: { enum: [...ABI_IDS, "vevent"] } },
    // Closed in each branch: every record schema is a closed object.
    allOf: [
      ...dispatch("abi", ABI_IDS, abiDef),
      {
        if: { properties: { abi: { const: "vevent" } }, required: ["abi"] },
        then: {
          type: "object",
          required: ["vevent_type"],
          properties: { vevent_type: { enum: VEVENT_IDS } },
          allOf: dispatch("vevent_type", VEVENT_IDS, veventDef),
        },
      },
    ],
  };
}

function decodeDefs(): Record<string, JsonSchema> {
  const d = defs(CAPTURE_POSITION, true);
  d.record = decodeRecord();
  for (const t of VEVENT_IDS) {
    d[veventDef(t)] = veventSchema(t, {
      position: CAPTURE_POSITION,
      extra: { properties: { findings: FINDINGS }, required: [] },
    });
  }
  return d;
}

/** `decode --ndjson`: each line is one record. */
export function decodeLineSchema(): JsonSchema {
  return { $ref: "#/$defs/record", $defs: decodeDefs() };
}

/** One candidate of ABI inference, with what the record rules found in its reading. */
const CANDIDATE: JsonSchema = closed({
  abi: { enum: ABI_IDS },
  records: count("records of it read from the first bytes"),
  errors: count("errors the record rules found in them"),
  warnings: count("warnings the record rules found in them"),
});

/** How the ABI was chosen: `guessed`, `ambiguous`, `candidates` (best first), `tied`. */
const INFERENCE: Record<string, JsonSchema> = {
  guessed: { type: "boolean", description: "inferred (true), or given with --abi (false)" },
  ambiguous: {
    type: "boolean",
    description: "other candidates score as well: the input alone cannot decide",
  },
  candidates: {
    type: "array",
    items: CANDIDATE,
    description: "every candidate scored, best first; empty when the ABI was given",
  },
  tied: {
    type: "array",
    items: { enum: ABI_IDS },
    description: "the candidates that score alike, the pick first (when ambiguous)",
  },
};

/** How a hex dump was read; null for raw bytes. */
const HEX_READING: JsonSchema = nullable(closed({
  format: { type: "string", description: "the dump format recognised (xxd -e, od -tx4, ...)" },
  groups: { enum: ["bytes", "words"] },
  word_bytes: { enum: [2, 4, 8] },
  order: { enum: ["little", "big"] },
  assumed: { type: "boolean", description: "the word order was the default, not given" },
  text: {
    type: "string",
    description: "how a file's or stdin's text was read: ASCII text, UTF-8 text (byte-order " +
      "mark skipped), UTF-16LE text (byte-order mark), ...",
  },
}, ["format", "groups", "assumed"]));

/** `summary` (with `--summary`): counts per type x reason, the address range, distinct pages. */
const SUMMARY: JsonSchema = closed({
  records: count("records summarised (those the filters keep)"),
  by_type_reason: {
    type: "array",
    description: "records per type and reason, most first; `-` where a record has none, " +
      "`?(n)` for a value the ABI does not name, one `other` row past 256 rows",
    items: closed({
      type: { type: "string" },
      reason: { type: "string" },
      count: count(),
    }),
  },
  address_min: nullable({
    type: "string",
    pattern: "^0x[0-9a-f]+$",
    description: "lowest address",
  }),
  address_max: nullable({
    type: "string",
    pattern: "^0x[0-9a-f]+$",
    description: "highest address",
  }),
  pages: count("distinct pages the addresses fall in (a lower bound when pages_exact is false)"),
  pages_exact: { type: "boolean", description: "false past 65536 distinct pages" },
  page_size: { const: 4096 },
});

/** The records, or (with `--summary`) the summary in their place: one of the two is there. */
const RECORDS_OR_SUMMARY: JsonSchema[] = [{ required: ["records"] }, { required: ["summary"] }];

/** `check`: the totals of `--check`, and the findings of the end of the capture. */
const CHECK: JsonSchema = closed({
  records: count(),
  errors: count(),
  warnings: count(),
  findings: { ...FINDINGS, description: "findings of the end of the capture (a group cut, ...)" },
});

/** `decode --json`: the inference, the records in capture order, and the totals. */
export function decodeSchema(): JsonSchema {
  const records = { type: "array", items: { $ref: "#/$defs/record" } };
  const capture = closed(
    {
      abi: { enum: ABI_IDS },
      ...INFERENCE,
      hex: HEX_READING,
      records,
      summary: SUMMARY,
      check: CHECK,
    },
    ["abi", "guessed", "ambiguous", "candidates", "hex"],
    { oneOf: RECORDS_OR_SUMMARY },
  );
  const vevent = closed({
    abi: { const: "vevent" },
    vevent_type: { enum: VEVENT_IDS },
    guessed: { const: false },
    hex: HEX_READING,
    records,
    summary: SUMMARY,
    lost_events: count("events the sequence numbers show lost"),
    lost_events_exact: {
      type: "boolean",
      description: "false when lost_events is a lower bound (a LOST_EVENTS header first)",
    },
    lost_events_from: closed({
      lost_events_headers: count("LOST_EVENTS headers that reported a loss"),
      sequence_gaps: count("gaps in the sequence before delivered events"),
    }),
    check: CHECK,
  }, [
    "abi",
    "vevent_type",
    "guessed",
    "hex",
    "lost_events",
    "lost_events_exact",
    "lost_events_from",
  ], { oneOf: RECORDS_OR_SUMMARY });
  return {
    type: "object",
    required: ["abi"],
    if: { properties: { abi: { const: "vevent" } }, required: ["abi"] },
    then: vevent,
    else: capture,
    $defs: decodeDefs(),
  };
}

/** The record ABIs a region can carry: an IOMMU's own hardware records never sit in one. */
const REGION_ABIS = ABI_IDS.filter((a) => !(HARDWARE_ABIS as readonly string[]).includes(a));

/** `not_shown`: what a listing leaves out, how many and why. */
const NOT_SHOWN: JsonSchema = {
  type: "array",
  items: closed({
    count: count(),
    why: { type: "string" },
    limited: { const: true, description: "left out by --limit, not for want of bytes" },
    filtered: { const: true, description: "left out by the filters (--type, --pasid, ...)" },
  }, ["count", "why"]),
};

/** `slot`, `offset` and `state` of a record in a region. */
const REGION_POSITION: ObjectParts = {
  properties: {
    slot: count("ring slot"),
    offset: count("byte offset of the slot in the input"),
    state: {
      enum: ["pending", "stale"],
      description: "pending: between the consumer and the producer; stale: left over (--all)",
    },
  },
  required: ["slot", "offset", "state"],
};

/** A region layout's header: its kernel field names, as read (a cut image may lack some). */
function headerSchema(layout: string): JsonSchema {
  const l = REGIONS[layout as keyof typeof REGIONS];
  return closed(Object.fromEntries(l.header.map((h) => [h.name, uint(undefined, h.meaning)])), [], {
    description: `struct ${l.struct}`,
  });
}

/** `inspect --json`: the region, its geometry and occupancy, and the records listed. */
export function inspectSchema(): JsonSchema {
  const d = defs(REGION_POSITION, false, REGION_ABIS);
  for (const id of REGION_IDS) d[`header-${id}`] = headerSchema(id);
  const occupancy = (s: JsonSchema, what: string) =>
    nullable({ ...s, description: `${what}; null when an index is out of range` });
  return {
    ...closed({
      layout: { enum: REGION_IDS },
      abi: { enum: REGION_ABIS },
      guessed: { type: "boolean", description: "the layout or ABI was inferred, not given" },
      detection: { type: "string", description: "how the layout and ABI were chosen" },
      abis: {
        type: "array",
        items: { enum: REGION_ABIS },
        description: "the record ABIs the header allows (v4, v7 and v8 for a PROD region)",
      },
      ambiguous: INFERENCE.ambiguous,
      candidates: INFERENCE.candidates,
      tied: INFERENCE.tied,
      endian: { enum: ["little", "big"] },
      header: { type: "object", description: "the header fields by kernel name" },
      capacity: count("ring entries, as the header says"),
      entry_size: count("bytes per record read"),
      ring_offset: count("byte offset of the ring in the region"),
      region_size: count("bytes of the region"),
      unused_bytes: {
        type: "integer",
        description: "bytes after the ring; negative when the ring overflows the region",
      },
      pending: occupancy(count(), "records between the consumer and the producer"),
      free: occupancy(count(), "slots the producer may still fill"),
      full: occupancy({ type: "boolean" }, "the ring is full"),
      empty: occupancy({ type: "boolean" }, "no record is pending"),
      lossy: occupancy(
        { type: "boolean" },
        "the ring is full: the kernel is dropping faults it never counts",
      ),
      page_size: nullable(count("the host page size: given, or implied; null when unknown")),
      records: {
        type: "array",
        description: "the records listed (pending, or every slot), read at the header's offset",
      },
      summary: { ...SUMMARY, description: "with --summary, in place of the records" },
      not_shown: NOT_SHOWN,
      views: nullable({
        type: "array",
        description: "QEMU's mmap path and pread fallback, when they read different slots",
        items: closed(
          {
            path: { enum: ["mmap", "pread"] },
            ring_offset: count("byte offset of slot 0 on that path"),
            records: { type: "array", description: "the records that path reads" },
            summary: SUMMARY,
            not_shown: NOT_SHOWN,
          },
          ["path", "ring_offset", "not_shown"],
          { oneOf: RECORDS_OR_SUMMARY },
        ),
      }),
    }, [
      "layout",
      "abi",
      "guessed",
      "detection",
      "abis",
      "ambiguous",
      "candidates",
      "endian",
      "header",
      "capacity",
      "entry_size",
      "ring_offset",
      "region_size",
      "unused_bytes",
      "page_size",
      "pending",
      "free",
      "full",
      "empty",
      "lossy",
      "not_shown",
      "views",
    ], { oneOf: RECORDS_OR_SUMMARY }),
    // The header follows the layout, the records the ABI.
    allOf: [
      ...REGION_IDS.map((id) => ({
        if: { properties: { layout: { const: id } } },
        then: { properties: { header: { $ref: `#/$defs/header-${id}` } } },
      })),
      ...REGION_ABIS.map((id): JsonSchema => ({
        if: { properties: { abi: { const: id } } },
        then: {
          properties: {
            records: { type: "array", items: { $ref: `#/$defs/${abiDef(id)}` } },
            views: {
              anyOf: [{ type: "null" }, {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    records: { type: "array", items: { $ref: `#/$defs/${abiDef(id)}` } },
                  },
                },
              }],
            },
          },
        },
      })),
    ],
    $defs: d,
  };
}

/** `validate --json`: the findings and their counts by severity. */
export function validateSchema(): JsonSchema {
  return {
    ...closed({
      layout: nullable({ enum: REGION_IDS, description: "null when no layout matched" }),
      abi: nullable({ enum: REGION_ABIS, description: "null when no layout matched" }),
      findings: {
        type: "array",
        items: findingSchema(true),
        description: "--previous image first, then this one, then the snapshot rules",
      },
      errors: count(),
      warnings: count(),
      infos: count(),
    }),
  };
}

/** `rules --json`: the catalogue (or the rules asked for). */
export function rulesSchema(): JsonSchema {
  return {
    type: "array",
    items: closed({
      id: { enum: RULES.map((r) => r.id) },
      severity: SEVERITY,
      scope: { enum: ["region", "record", "snapshot"] },
      layouts: {
        type: "array",
        items: { enum: REGION_IDS },
        uniqueItems: true,
        description: "region layouts the rule applies to; all of them for a rule of every layout",
      },
      invariant: { type: "string" },
      why: { type: "string", description: "ends with the flag to pass when there is one" },
      checkable: {
        enum: ["always", "with-input", "no"],
        description: "with-input: only with what needs names; no: faultscope cannot take it",
      },
      needs: nullable({
        type: "string",
        description: "the input the rule needs beyond the image or capture, and how to give it",
      }),
    }),
  };
}
