/**
 * JSON Schemas (draft 2020-12) of the records' JSON view, made from the same ABI description
 * that drives the decoder and `recordJson`: a new generation gets its schema with no code. The
 * walk mirrors `json.ts` field by field: `__u32` as an integer, `__u64` (and a bit field wider
 * than 32 bits) as a canonical lowercase `0x` string, `X_name` beside an enum field (one of its
 * names, or null for a value the generation does not define), `X_names` beside a flags field
 * (names, and undefined set bits as single-bit hex strings), `X_bdf` beside a PCI requester ID,
 * a union member present exactly when its selector says so, a hardware field that only some
 * event codes carry present exactly for those. Every object is closed
 * (`additionalProperties: false`).
 *
 * @example
 * ```ts
 * import { recordSchema } from "./json_schema.ts";
 * import { RECORDS } from "../abi/records.ts";
 * const s = recordSchema(RECORDS.rfc3);
 * (s.properties as Record<string, unknown>).addr; // => { $ref: "#/$defs/u64" }
 * ```
 * @module
 */
import type { EnumDesc, Field, FlagSet, RecordLayout } from "../abi/types.ts";
import type { BitField } from "../abi/hw/fields.ts";
import { VEVENT_FLAGS, VEVENT_TYPES, type VeventTypeId } from "../abi/vevent.ts";
import { bitsFitNumber, genmask } from "./bits.ts";

/** A JSON value, read-only arrays allowed (the registries' id lists go in as they are). */
export type SchemaValue =
  | null
  | boolean
  | number
  | string
  | readonly SchemaValue[]
  | { readonly [k: string]: SchemaValue };

/** A JSON Schema: a JSON object (its keywords). */
export type JsonSchema = { [k: string]: SchemaValue };

/** The URI of the draft every faultscope schema is written in. */
export const DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";

/**
 * A `__u64` in JSON: lowercase hex with `0x`, no leading zeros (`0x0` for zero), at most 16
 * digits. The pattern is what `hex()` and the compiled JSON-line writer produce.
 */
export const U64_HEX: JsonSchema = {
  type: "string",
  pattern: "^0x(0|[1-9a-f][0-9a-f]{0,15})$",
  description: "a __u64 as lowercase 0x hex (a JSON number cannot hold every __u64)",
};

/** An undefined set bit of a flags word, as `json.ts` lists it: `0x1`, `0x80`, `0x80000000`. */
const UNKNOWN_BIT: JsonSchema = {
  type: "string",
  pattern: "^0x[1248]0{0,7}$",
  description: "a set bit the generation does not define, as hex",
};

/** The largest `__u32`. */
export const U32_MAX = 0xffffffff;

/** An integer in `0..max`. */
export function uint(max: number = U32_MAX, description?: string): JsonSchema {
  const s: JsonSchema = { type: "integer", minimum: 0, maximum: max };
  if (description) s.description = description;
  return s;
}

/** A non-negative integer with no upper bound of its own (counts, offsets, indices). */
export function count(description?: string): JsonSchema {
  const s: JsonSchema = { type: "integer", minimum: 0 };
  if (description) s.description = description;
  return s;
}

/** The same schema, or null (only where the README documents a null). */
export function nullable(s: JsonSchema): JsonSchema {
  if (typeof s.$ref === "string" || !s.type) return { anyOf: [s, { type: "null" }] };
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const out: JsonSchema = { ...s, type: [...types, "null"] };
  if (Array.isArray(s.enum)) out.enum = [...s.enum, null];
  return out;
}

/** Properties of an object and which of them are always there. */
export interface ObjectParts {
  /** Schema of each key, in output order. */
  properties: Record<string, JsonSchema>;
  /** Keys always present (the others appear only under the documented conditions). */
  required?: readonly string[];
  /** Conditions across keys (`if`/`then`), if any. */
  allOf?: JsonSchema[];
}

/**
 * A closed object: only the keys named, the required ones always. `required` defaults to every
 * key.
 */
export function closed(
  properties: Record<string, JsonSchema>,
  required: readonly string[] = Object.keys(properties),
  extra: JsonSchema = {},
): JsonSchema {
  // Descriptive keywords first, conditions (`allOf`) after the keys, for whoever reads it.
  const { allOf, ...about } = extra;
  return {
    type: "object",
    ...about,
    properties,
    required: [...required],
    additionalProperties: false,
    ...(allOf === undefined ? {} : { allOf }),
  };
}

/** `X_name`: one of the enum's names, or null for a value it does not define. */
function enumNameSchema(e: EnumDesc): JsonSchema {
  return {
    type: ["string", "null"],
    enum: [...e.values.map((v) => v.name), null],
    description: `${e.prefix}* name without the prefix; null when undefined`,
  };
}

/** `X_names`: the set bits by name; undefined set bits as hex, never dropped. */
function flagNamesSchema(f: FlagSet): JsonSchema {
  return {
    type: "array",
    uniqueItems: true,
    items: {
      type: "string",
      anyOf: [{ enum: f.bits.map((b) => b.name) }, UNKNOWN_BIT],
    },
    description: `set bits of ${f.prefix}* by name`,
  };
}

const U64: JsonSchema = { $ref: "#/$defs/u64" };

/** `X_bdf` beside a PCI requester ID: `bb:dd.f`, without a segment (a record holds none). */
const BDF: JsonSchema = {
  type: "string",
  pattern: "^[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]$",
  description: "the requester ID as bus:device.function, without a PCI segment",
};

/** The value of a bit field: a number when it fits 32 bits (as the decoder makes it), else hex. */
function bitsValue(f: { hi: number; lo: number; take?: "shift" | "mask" }, fits: boolean) {
  if (!fits) return U64;
  const max = f.take === "mask" ? genmask(f.hi, f.lo) : genmask(f.hi - f.lo, 0);
  return uint(Number(max));
}

/** Adds a value's schema and its `_name`/`_names` companions, as `json.ts` writes them. */
function scalar(
  out: ObjectParts & { required: string[] },
  name: string,
  value: JsonSchema,
  e: EnumDesc | undefined,
  flags: FlagSet | undefined,
) {
  out.properties[name] = value;
  out.required.push(name);
  if (e) {
    out.properties[`${name}_name`] = enumNameSchema(e);
    out.required.push(`${name}_name`);
  }
  if (flags) {
    out.properties[`${name}_names`] = flagNamesSchema(flags);
    out.required.push(`${name}_names`);
  }
}

/** The keys a list of fields writes (walked as `fieldsJson` in `json.ts` walks them). */
function fieldParts(fields: readonly Field[]): ObjectParts & { required: string[] } {
  const out = { properties: {} as Record<string, JsonSchema>, required: [] as string[] };
  const allOf: JsonSchema[] = [];
  for (const f of fields) {
    switch (f.kind) {
      case "bytes":
        continue; // padding is not shown
      case "array":
        out.properties[f.name] = {
          type: "array",
          items: U64,
          minItems: f.count,
          maxItems: f.count,
        };
        out.required.push(f.name);
        continue;
      case "scalar":
        scalar(out, f.name, f.type === "u64" ? U64 : uint(), f.enum, f.flags);
        continue;
      case "bits": {
        const before = out.required.length;
        scalar(out, f.name, bitsValue(f, bitsFitNumber(f)), f.enum, f.flags);
        if (f.format === "bdf") {
          out.properties[`${f.name}_bdf`] = BDF;
          out.required.push(`${f.name}_bdf`);
        }
        // A field some event codes carry is there exactly for those codes, with its companions.
        if (f.onlyWhen) {
          const keys = out.required.splice(before);
          const sel = f.onlyWhen.field;
          allOf.push({
            if: { properties: { [sel]: { enum: f.onlyWhen.values } }, required: [sel] },
            then: { required: keys },
            else: { not: { anyOf: keys.map((k) => ({ required: [k] })) } },
          });
        }
        continue;
      }
      case "union":
        // A member is there exactly when the selector names it; an undefined selector value
        // shows no member.
        for (const v of f.variants) {
          const m = fieldParts(v.fields);
          out.properties[v.name] = closed(m.properties, m.required, {
            description: `struct ${v.struct}, present when ${f.selector} is ${v.when}`,
          });
          allOf.push({
            if: { properties: { [f.selector]: { const: v.when } } },
            then: { required: [v.name] },
            else: { not: { required: [v.name] } },
          });
        }
    }
  }
  return allOf.length ? { ...out, allOf } : out;
}

/** The definitions a record schema refers to (`#/$defs/u64`); put them in the root's `$defs`. */
export function recordDefs(): Record<string, JsonSchema> {
  return { u64: U64_HEX };
}

/** Keys a command adds around the record's own: its position before, extras after. */
export interface RecordKeys {
  /** Position keys written before `abi` (`index`, `offset`; `slot`, `state`). */
  position?: ObjectParts;
  /** Keys written after the fields (`raw`, `findings`), present only with their flags. */
  extra?: ObjectParts;
}

function merge(
  a: ObjectParts | undefined,
  b: ObjectParts & { required: string[] },
  c: ObjectParts | undefined,
  title: string,
): JsonSchema {
  const properties = { ...a?.properties, ...b.properties, ...c?.properties };
  const required = [...(a?.required ?? []), ...b.required, ...(c?.required ?? [])];
  const allOf = [...(a?.allOf ?? []), ...(b.allOf ?? []), ...(c?.allOf ?? [])];
  return closed(properties, required, {
    title,
    ...(allOf.length ? { allOf } : {}),
  });
}

/**
 * The schema of one record's JSON object (as `recordJson` and the JSON-line writer make it),
 * with the position and extra keys a command adds. `$ref`s point at {@link recordDefs}.
 */
export function recordSchema(layout: RecordLayout, keys: RecordKeys = {}): JsonSchema {
  const body = fieldParts(layout.fields);
  body.properties = { abi: { const: layout.id }, ...body.properties };
  body.required.unshift("abi");
  return merge(keys.position, body, keys.extra, `${layout.id}: struct ${layout.struct}`);
}

/** The value of a vEVENT payload field, as `veventJson` writes it (up to 32 bits wide: a number). */
function veventValue(f: BitField): JsonSchema {
  return bitsValue(f, f.hi - f.lo < 32);
}

/**
 * The schema of one vEVENTQ record's JSON object (`veventJson`): the header's `flags` and
 * `sequence`, then, unless it is a LOST_EVENTS marker, the payload's words and (for a type whose
 * fields are described) the decoded `event`.
 */
export function veventSchema(type: VeventTypeId, keys: RecordKeys = {}): JsonSchema {
  const t = VEVENT_TYPES[type];
  const body = { properties: {} as Record<string, JsonSchema>, required: [] as string[] };
  body.properties.abi = { const: "vevent" };
  body.properties.vevent_type = { const: t.id };
  body.required.push("abi", "vevent_type");
  scalar(body, "flags", uint(), undefined, VEVENT_FLAGS);
  scalar(body, "sequence", uint(), undefined, undefined);
  const payload = [t.array.name];
  body.properties[t.array.name] = {
    type: "array",
    items: U64,
    minItems: t.array.count,
    maxItems: t.array.count,
    description: `struct ${t.struct}: the payload's __le64 words`,
  };
  if (t.fields.length) {
    const ev = { properties: {} as Record<string, JsonSchema>, required: [] as string[] };
    for (const f of t.fields) scalar(ev, f.name, veventValue(f), f.enum, f.flags);
    body.properties.event = closed(ev.properties, ev.required, {
      description: "the payload's fields, as the kernel takes them",
    });
    payload.push("event");
  }
  const lost: JsonSchema = {
    properties: { flags_names: { type: "array", contains: { const: "LOST_EVENTS" } } },
  };
  const parts: ObjectParts & { required: string[] } = {
    ...body,
    allOf: [{
      // A LOST_EVENTS header has no payload; every other record has one.
      if: lost,
      then: { not: { anyOf: payload.map((k) => ({ required: [k] })) } },
      else: { required: payload },
    }],
  };
  return merge(
    keys.position,
    parts,
    keys.extra,
    `vevent ${t.id}: iommufd_vevent_header + ${t.struct}`,
  );
}
