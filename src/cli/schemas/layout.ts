/**
 * Schema of `layout --json`: the ABI descriptions themselves, as `src/abi/types.ts` defines
 * them (`RecordLayout`, `RegionLayout` and the field, enum and flag types), keys as they are
 * there. Enumerated values (ids, families, roles, kinds) come from the registries.
 *
 * @example
 * ```ts
 * import { layoutSchema } from "./layout.ts";
 * Object.keys(layoutSchema().properties as object); // => ["records", "regions", "streams"]
 * ```
 * @module
 */
import { ABI_IDS, RECORD_LIST } from "../../abi/records.ts";
import { REGION_IDS } from "../../abi/regions.ts";
import { closed, count, type JsonSchema } from "../../codec/json_schema.ts";
import { CITATION_KINDS } from "../../abi/sources.ts";

const STR: JsonSchema = { type: "string" };
const STRINGS: JsonSchema = { type: "array", items: STR };
const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` });

const ENUM = closed({
  name: STR,
  prefix: STR,
  values: {
    type: "array",
    items: closed({
      value: count(),
      name: STR,
      meaning: STR,
      expectsFlag: STR,
      kernelName: STR,
      fields: STRINGS,
      injects: STR,
    }, ["value", "name"]),
  },
  unmapped: STR,
}, ["name", "prefix", "values"]);

const FLAGS = closed({
  name: STR,
  prefix: STR,
  bits: {
    type: "array",
    items: closed({
      bit: { type: "integer", minimum: 0, maximum: 63 },
      name: STR,
      meaning: STR,
      guards: STR,
      requires: STR,
      kernelName: STR,
      leak: STR,
    }, ["bit", "name"]),
  },
}, ["name", "prefix", "bits"]);

const NULLABLE_STR: JsonSchema = { type: ["string", "null"] };

/** A public source, as `src/abi/sources.ts` `citationJson` writes it; every key present. */
const CITATION = closed({
  kind: { enum: CITATION_KINDS },
  cite: { ...STR, description: "where it is, in one line" },
  what: { ...STR, description: "what it is and shows" },
  repo: { ...NULLABLE_STR, description: "owner/name of a git repository (kind git)" },
  commit: { ...NULLABLE_STR, description: "the commit read (kind git)" },
  paths: { ...STRINGS, description: "files read (kinds git and package)" },
  message_id: {
    ...NULLABLE_STR,
    description: "a mail's Message-Id, without angle brackets (kind mail)",
  },
  url: {
    ...NULLABLE_STR,
    description: "a mail on lore.kernel.org, a document; null for the others",
  },
});

const ROLE: JsonSchema = {
  enum: ["reserved", "padding", "bool", "selector", "cookie", "hint"],
};
const WORD: JsonSchema = { enum: ["u32", "u64"] };

const SCALAR = closed({
  kind: { const: "scalar" },
  name: STR,
  offset: count(),
  type: WORD,
  meaning: STR,
  enum: ref("enum"),
  flags: ref("flags"),
  role: ROLE,
  guards: STR,
  ranges: {
    type: "array",
    items: closed({ max: count(), meaning: STR }),
    description: "what each range of values means, ascending",
  },
  expected: count(),
}, ["kind", "name", "offset", "type", "meaning"]);

const ARRAY = closed({
  kind: { const: "array" },
  name: STR,
  offset: count(),
  type: { const: "u64" },
  count: count(),
  meaning: STR,
}, ["kind", "name", "offset", "type", "count", "meaning"]);

const BYTES = closed({
  kind: { const: "bytes" },
  name: STR,
  offset: count(),
  size: count(),
  meaning: STR,
  role: { const: "padding" },
}, ["kind", "name", "offset", "size", "meaning", "role"]);

const BITS = closed({
  kind: { const: "bits" },
  name: STR,
  offset: count(),
  type: WORD,
  lo: { type: "integer", minimum: 0, maximum: 63 },
  hi: { type: "integer", minimum: 0, maximum: 63 },
  take: { enum: ["shift", "mask"] },
  meaning: STR,
  macro: STR,
  enum: ref("enum"),
  flags: ref("flags"),
  role: ROLE,
  format: { const: "bdf" },
  onlyWhen: closed({ field: STR, values: { type: "array", items: count() } }),
}, ["kind", "name", "offset", "type", "lo", "hi", "meaning"]);

const UNION = closed({
  kind: { const: "union" },
  name: STR,
  offset: count(),
  size: count(),
  selector: STR,
  variants: {
    type: "array",
    items: closed({
      when: count(),
      name: STR,
      struct: STR,
      size: count(),
      fields: { type: "array", items: ref("member") },
    }, ["when", "name", "struct", "size", "fields"]),
  },
  padding: ref("bytes"),
  meaning: STR,
}, ["kind", "name", "offset", "size", "selector", "variants", "meaning"]);

/** One schema per `kind`, chosen by it (each branch is closed). */
function byKind(kinds: string[]): JsonSchema {
  return {
    type: "object",
    required: ["kind"],
    properties: { kind: { enum: kinds } },
    allOf: kinds.map((k) => ({
      if: { properties: { kind: { const: k } }, required: ["kind"] },
      then: ref(k),
    })),
  };
}

const RECORD = closed({
  id: { enum: ABI_IDS },
  struct: STR,
  title: STR,
  era: STR,
  family: { enum: [...new Set(RECORD_LIST.map((r) => r.family))] },
  size: count(),
  fields: { type: "array", items: ref("field") },
  sources: { type: "array", items: ref("citation"), minItems: 1 },
  notes: STRINGS,
  guessRank: { type: "integer", minimum: 1 },
}, ["id", "struct", "title", "era", "family", "size", "fields", "sources"]);

const HEADER_ROLE: JsonSchema = {
  enum: ["capacity", "producer", "consumer", "entry_size", "ring_offset", "reserved", "version"],
};

const REGION = closed({
  id: { enum: REGION_IDS },
  struct: STR,
  title: STR,
  era: STR,
  headerSize: count(),
  header: {
    type: "array",
    items: closed({
      name: STR,
      offset: count(),
      role: HEADER_ROLE,
      writer: { enum: ["kernel", "userspace"] },
      meaning: STR,
    }, ["name", "offset", "role", "writer", "meaning"]),
  },
  defaultAbi: { enum: ABI_IDS },
  abis: { type: "array", items: { enum: ABI_IDS } },
  fixedRingOffset: count(),
  fixedCapacity: count(),
  sizing: { enum: ["fixed-64k", "one-page-ring", "align-ring-plus-page"] },
  externalConsumer: closed({ struct: STR, field: STR, offset: count() }, [
    "struct",
    "field",
    "offset",
  ]),
  detectRank: { type: "integer", minimum: 1 },
  abiEvidence: { enum: ["entry_size", "stride"] },
  ringTypes: closed({ types: STRINGS, ring: STR, why: STR }, ["types", "ring", "why"]),
  simulator: closed({
    indexMath: { enum: ["modulo", "circ"] },
    headerCheck: { enum: ["none", "bounds", "stop"] },
    consWrite: { enum: ["per_record", "per_drain"] },
    rereadsConsumer: { type: "boolean" },
  }, ["indexMath", "headerCheck", "consWrite", "rereadsConsumer"]),
  sources: { type: "array", items: ref("citation"), minItems: 1 },
  notes: STRINGS,
}, [
  "id",
  "struct",
  "title",
  "era",
  "headerSize",
  "header",
  "defaultAbi",
  "abis",
  "sizing",
  "detectRank",
  "abiEvidence",
  "sources",
]);

/** The vEVENTQ stream (`layout vevent`): its header, and each queue type's payload. */
const STREAM = closed({
  id: { const: "vevent" },
  header: closed({
    struct: STR,
    size: count(),
    fields: {
      type: "array",
      items: closed({ name: STR, offset: count(), size: count(), meaning: STR }),
    },
    flags: ref("flags"),
    sequence_max: count(),
  }),
  types: {
    type: "array",
    items: closed({
      id: STR,
      value: count(),
      struct: STR,
      array: STR,
      words: count(),
      size: count(),
      fields: {
        type: "array",
        items: closed({
          name: STR,
          word: count(),
          lo: { type: "integer", minimum: 0, maximum: 63 },
          hi: { type: "integer", minimum: 0, maximum: 63 },
          take: { enum: ["shift", "mask"] },
          meaning: STR,
        }),
      },
    }),
  },
  sources: { type: "array", items: ref("citation"), minItems: 1 },
});

/**
 * `layout --json`: `{records, regions, streams}`, the descriptions of the generation asked for
 * (a name that is both a record and a region layout, like `rfc3`, has one of each; `vevent` is
 * the one stream), or of every generation without one.
 */
export function layoutSchema(): JsonSchema {
  return {
    ...closed({
      records: { type: "array", items: ref("record") },
      regions: { type: "array", items: ref("region") },
      streams: { type: "array", items: STREAM },
    }),
    $defs: {
      record: RECORD,
      region: REGION,
      field: byKind(["scalar", "array", "bytes", "union", "bits"]),
      member: byKind(["scalar", "array"]),
      scalar: SCALAR,
      array: ARRAY,
      bytes: BYTES,
      union: UNION,
      bits: BITS,
      enum: ENUM,
      flags: FLAGS,
      citation: CITATION,
    },
  };
}
