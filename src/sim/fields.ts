/**
 * Declarative field tables: each key of a JSON document described once (key, type, default,
 * range, meaning), and the three things made from that description: validation with a one-line
 * message naming the key, the resolved value with every default applied (camelCase keys: the
 * snake_case keys exist only at the JSON edge), and the reference text users read. The scenario
 * table in `scenario.ts` is the one user.
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { type FieldSpec, resolveFields } from "./fields.ts";
 * const fields: readonly FieldSpec[] = [
 *   { key: "wake_us", type: "number", default: 10, min: 0, max: 1e6, doc: "handler start delay" },
 * ];
 * resolveFields(fields, { wake_us: 3 }, ""); // => { wakeUs: 3 }
 * resolveFields(fields, {}, ""); // => { wakeUs: 10 }
 * throws(() => resolveFields(fields, { wake_us: -1 }, ""), {
 *   message: "wake_us: expected a number >= 0, got -1",
 * });
 * ```
 * @module
 */

/**
 * A document is invalid; `key` is the dotted path of the offending key.
 *
 * @example
 * ```ts
 * import { ScenarioError } from "./fields.ts";
 * new ScenarioError("consumer.batch", "expected an integer, got 1.5").message;
 * // => "consumer.batch: expected an integer, got 1.5"
 * ```
 */
export class ScenarioError extends Error {
  /**
   * A one-line error naming the key.
   *
   * @param key the dotted path of the offending key ("" for the whole document)
   * @param detail what is wrong with it
   */
  constructor(readonly key: string, detail: string) {
    super(key ? `${key}: ${detail}` : detail);
    this.name = "ScenarioError";
  }
}

/**
 * What a default or a check may look at while an object is being resolved.
 *
 * @example
 * ```ts
 * import { type FieldSpec, resolveFields, type Scope } from "./fields.ts";
 * const capacityDefault = (s: Scope) => (s.get("layout") === "rfc3" ? 1365 : 85);
 * const fields: readonly FieldSpec[] = [
 *   { key: "layout", type: "choice", values: ["rfc3", "fault-prod"], default: "rfc3", doc: "" },
 *   { key: "capacity", type: "integer", default: capacityDefault, min: 1, max: 1e6, doc: "" },
 * ];
 * resolveFields(fields, { layout: "fault-prod" }, "region");
 * // => { layout: "fault-prod", capacity: 85 }
 * ```
 */
export interface Scope {
  /** The dotted path of the object. */
  readonly path: string;
  /** The resolved value of a sibling (by JSON key), resolving it now if the table has it later. */
  get(key: string): unknown;
  /** The validated value of a sibling if the document gave it, else undefined (no default). */
  given(key: string): unknown;
  /** The enclosing object's scope; the root has none. */
  readonly parent?: Scope;
}

/** What every field has. */
export interface BaseSpec {
  /** The JSON key (snake_case); the resolved object uses its camelCase form. */
  readonly key: string;
  /** One line for the reference: what the value means. */
  readonly doc: string;
  /** The default as the reference prints it, when it is computed. */
  readonly defaultDoc?: string;
}

/** A number; `integer` also requires a safe integer. */
export interface NumberSpec extends BaseSpec {
  /** `integer` also requires a safe integer. */
  readonly type: "number" | "integer";
  /** Used when the key is absent; `null` (or absent with `nullable`) resolves to null. */
  readonly default: number | null | ((s: Scope) => number);
  /** Smallest value allowed. */
  readonly min?: number;
  /** Values must be greater than this (a strict lower bound). */
  readonly above?: number;
  /** Largest value allowed. */
  readonly max?: number;
  /** The only values allowed. */
  readonly oneOf?: readonly number[];
  /** JSON `null` is allowed and means "no limit". */
  readonly nullable?: boolean;
  /** Says why a value is out of range, instead of the generic "expected a number >= ...". */
  readonly rangeMessage?: (v: number) => string;
  /** Extra checks with their own message (after type and range). */
  readonly check?: (v: number, s: Scope, path: string) => void;
}

/** One of a list of strings. */
export interface ChoiceSpec extends BaseSpec {
  /** One of `values`. */
  readonly type: "choice";
  /** The values allowed, or a function of the keys resolved so far. */
  readonly values: readonly string[] | ((s: Scope) => readonly string[]);
  /** The values as the reference prints them, when they are computed. */
  readonly valuesDoc?: string;
  /** Used when the key is absent. */
  readonly default: string | ((s: Scope) => string);
  /** Extra checks with their own message. */
  readonly check?: (v: string, s: Scope, path: string) => void;
}

/** A string, optionally matching a pattern and parsed into another type. */
export interface StringSpec extends BaseSpec {
  /** Any string, or one matching `pattern`. */
  readonly type: "string";
  /** Used when the key is absent. */
  readonly default: string;
  /** The form required. */
  readonly pattern?: RegExp;
  /** "expected <patternDoc>, got ..." when the pattern does not match. */
  readonly patternDoc?: string;
  /** Longest string allowed. */
  readonly maxLength?: number;
  /** Non-empty required (message: `required`). */
  readonly required?: string;
  /** Turns the string into the resolved value (e.g. a bigint). */
  readonly parse?: (s: string) => unknown;
  /** Turns the resolved value back into JSON. */
  readonly toJson?: (v: unknown) => unknown;
}

/** true or false. */
export interface BoolSpec extends BaseSpec {
  /** true or false. */
  readonly type: "boolean";
  /** Used when the key is absent. */
  readonly default: boolean;
}

/** An object of named non-negative weights, keyed by names from a list. */
export interface WeightsSpec extends BaseSpec {
  /** An object of weights. */
  readonly type: "weights";
  /** The names allowed as keys. */
  readonly names: (s: Scope) => readonly string[];
  /** Used when the key is absent. */
  readonly default: Readonly<Record<string, number>>;
  /** Largest weight allowed. */
  readonly max: number;
}

/** A nested object. */
export interface ObjectSpec extends BaseSpec {
  /** A nested object. */
  readonly type: "object";
  /** Its keys. */
  readonly fields: readonly FieldSpec[];
  /** Absent or null resolves to null (else an absent object resolves with its defaults). */
  readonly optional?: boolean;
  /** Checks across the object's keys, after they are resolved. */
  readonly check?: (o: Record<string, unknown>, s: Scope) => void;
}

/** An array of objects. */
export interface ArraySpec extends BaseSpec {
  /** An array of objects. */
  readonly type: "array";
  /** The keys of each item. */
  readonly of: readonly FieldSpec[];
  /** Most items allowed. */
  readonly maxItems: number;
  /** Checks across the items (order, overlap), after each is resolved. */
  readonly check?: (items: Record<string, unknown>[], s: Scope) => void;
}

/** An object whose keys depend on its `kind`. */
export interface VariantSpec extends BaseSpec {
  /** An object whose keys depend on its `kind`. */
  readonly type: "variant";
  /** The kind when `kind` is absent. */
  readonly defaultKind: string;
  /** Fields of each kind (besides `kind` itself), in output order. */
  readonly kinds: Readonly<Record<string, readonly FieldSpec[]>>;
  /** Checks across the object's keys, after they are resolved. */
  readonly check?: (o: Record<string, unknown>, s: Scope) => void;
}

/**
 * One key of a document.
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { type FieldSpec, resolveFields } from "./fields.ts";
 * const seed: FieldSpec = {
 *   key: "seed", type: "integer", default: 1, min: 0, max: 0xffffffff, doc: "PRNG seed",
 * };
 * resolveFields([seed], {}, ""); // => { seed: 1 }
 * throws(() => resolveFields([seed], { seed: 1.5 }, ""), {
 *   message: "seed: expected an integer, got 1.5",
 * });
 * ```
 */
export type FieldSpec =
  | NumberSpec
  | ChoiceSpec
  | StringSpec
  | BoolSpec
  | WeightsSpec
  | ObjectSpec
  | ArraySpec
  | VariantSpec;

/**
 * `rate_per_s` → `ratePerS`: the resolved objects' property names.
 *
 * @example
 * ```ts
 * import { camel } from "./fields.ts";
 * camel("service_jitter_us"); // => "serviceJitterUs"
 * ```
 */
export function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * A value as a message shows it: strings quoted and cut at 40 characters.
 *
 * @example
 * ```ts
 * import { describe } from "./fields.ts";
 * describe([1]); // => "an array"
 * describe("x".repeat(50)); // => '"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"'
 * ```
 */
export function describe(v: unknown): string {
  return v === null
    ? "null"
    : Array.isArray(v)
    ? "an array"
    : typeof v === "object"
    ? "an object"
    : typeof v === "string"
    ? JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)
    : String(v);
}

/**
 * The dotted path of a key or an array index.
 *
 * @example
 * ```ts
 * import { join } from "./fields.ts";
 * join("consumer.stalls", 1); // => "consumer.stalls[1]"
 * join("consumer", "batch"); // => "consumer.batch"
 * join("", "seed"); // => "seed"
 * ```
 */
export function join(path: string, key: string | number): string {
  return typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/** A JSON object. */
export type Obj = Record<string, unknown>;

/** Checks that `v` is a plain object whose keys are all in `keys` (`$comment` is ignored). */
function object(v: unknown, path: string, keys: readonly string[]): Obj {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new ScenarioError(path, `expected an object, got ${describe(v)}`);
  }
  for (const k of Object.keys(v)) {
    if (k !== "$comment" && !keys.includes(k)) {
      throw new ScenarioError(join(path, k), `unknown key (expected one of: ${keys.join(", ")})`);
    }
  }
  return v as Obj;
}

/** A bound as people write it: `1e12`, `1e-6`, but `4294967295` and `0.25` as they are. */
function num(n: number): string {
  const e = n.toExponential().replace("e+", "e");
  return n !== 0 && (Math.abs(n) >= 1e6 || Math.abs(n) < 1e-3) && /^\d(e|$)/.test(e)
    ? e
    : String(n);
}

function checkNumber(spec: NumberSpec, v: unknown, p: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new ScenarioError(p, `expected a number, got ${describe(v)}`);
  }
  if (spec.type === "integer" && !Number.isSafeInteger(v)) {
    throw new ScenarioError(p, `expected an integer, got ${v}`);
  }
  const outside = (spec.above !== undefined && !(v > spec.above)) ||
    (spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max);
  if (outside && spec.rangeMessage) throw new ScenarioError(p, spec.rangeMessage(v));
  if (spec.above !== undefined && !(v > spec.above)) {
    throw new ScenarioError(p, `expected a number > ${num(spec.above)}, got ${v}`);
  }
  if (spec.min !== undefined && v < spec.min) {
    throw new ScenarioError(p, `expected a number >= ${num(spec.min)}, got ${v}`);
  }
  if (spec.max !== undefined && v > spec.max) {
    throw new ScenarioError(p, `expected a number <= ${num(spec.max)}, got ${v}`);
  }
  if (spec.oneOf && !spec.oneOf.includes(v)) {
    throw new ScenarioError(p, `expected one of ${spec.oneOf.join(", ")}, got ${v}`);
  }
  return v;
}

function checkString(v: unknown, p: string): string {
  if (typeof v !== "string") throw new ScenarioError(p, `expected a string, got ${describe(v)}`);
  return v;
}

/** Validates one given value (not a default) against its spec. */
function validate(spec: FieldSpec, v: unknown, p: string, scope: Scope): unknown {
  switch (spec.type) {
    case "number":
    case "integer": {
      if (v === null && spec.nullable) return null;
      const n = checkNumber(spec, v, p);
      spec.check?.(n, scope, p);
      return n;
    }
    case "choice": {
      const s = checkString(v, p);
      const values = typeof spec.values === "function" ? spec.values(scope) : spec.values;
      if (!values.includes(s)) {
        throw new ScenarioError(p, `expected one of ${values.join(", ")}, got ${describe(s)}`);
      }
      spec.check?.(s, scope, p);
      return s;
    }
    case "string": {
      const s = checkString(v, p);
      if (spec.maxLength !== undefined && s.length > spec.maxLength) {
        throw new ScenarioError(p, `expected at most ${spec.maxLength} characters`);
      }
      if (spec.pattern && !spec.pattern.test(s)) {
        throw new ScenarioError(p, `expected ${spec.patternDoc}, got ${describe(s)}`);
      }
      if (spec.required && !s) throw new ScenarioError(p, spec.required);
      return spec.parse ? spec.parse(s) : s;
    }
    case "boolean":
      if (typeof v !== "boolean") {
        throw new ScenarioError(p, `expected true or false, got ${describe(v)}`);
      }
      return v;
    case "weights": {
      const w = object(v, p, spec.names(scope));
      const out: Record<string, number> = {};
      let total = 0;
      for (const n of Object.keys(w)) {
        if (n === "$comment") continue;
        out[n] = checkNumber({ ...spec, type: "number", default: 0, min: 0 }, w[n], join(p, n));
        total += out[n];
      }
      if (!(total > 0)) throw new ScenarioError(p, "expected at least one weight > 0");
      return out;
    }
    case "object":
      if (v === null && spec.optional) return null;
      return resolveFields(spec.fields, v, p, scope, spec.check);
    case "array": {
      if (!Array.isArray(v)) throw new ScenarioError(p, `expected an array, got ${describe(v)}`);
      if (v.length > spec.maxItems) {
        throw new ScenarioError(p, `expected at most ${spec.maxItems} items, got ${v.length}`);
      }
      const items = v.map((item, i) => resolveFields(spec.of, item, join(p, i), scope));
      spec.check?.(items, scope);
      return items;
    }
    case "variant": {
      const all = variantKeys(spec);
      const base = object(v, p, all);
      const kinds = Object.keys(spec.kinds);
      const kind = base.kind === undefined
        ? spec.defaultKind
        : checkString(base.kind, join(p, "kind"));
      if (!kinds.includes(kind)) {
        throw new ScenarioError(
          join(p, "kind"),
          `expected one of ${kinds.join(", ")}, got ${describe(kind)}`,
        );
      }
      const fields = spec.kinds[kind];
      const { kind: _kind, ...rest0 } = object(base, p, ["kind", ...fields.map((f) => f.key)]);
      const check = spec.check;
      const rest = resolveFields(
        fields,
        rest0,
        p,
        scope,
        check && ((o, s) => check({ kind, ...o }, s)),
      );
      return { kind, ...rest };
    }
  }
}

/** The default of a spec, for an absent key. */
function fallback(spec: FieldSpec, p: string, scope: Scope): unknown {
  switch (spec.type) {
    case "number":
    case "integer":
      return typeof spec.default === "function" ? spec.default(scope) : spec.default;
    case "choice":
      return typeof spec.default === "function" ? spec.default(scope) : spec.default;
    case "string":
      if (spec.required) throw new ScenarioError(p, spec.required);
      return spec.parse ? spec.parse(spec.default) : spec.default;
    case "boolean":
      return spec.default;
    case "weights":
      return { ...spec.default };
    case "object":
      return spec.optional ? null : validate(spec, {}, p, scope);
    case "array":
      return [];
    case "variant":
      return validate(spec, {}, p, scope);
  }
}

/** Every key any kind of a variant may have, `kind` first, in table order. */
function variantKeys(spec: VariantSpec): string[] {
  const keys = ["kind"];
  for (const fields of Object.values(spec.kinds)) {
    for (const f of fields) if (!keys.includes(f.key)) keys.push(f.key);
  }
  return keys;
}

/**
 * Validates the object `input` against `fields` and returns it with every default applied,
 * under camelCase keys, in table order. `onDefault` hears the path of every key that took its
 * default.
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { type FieldSpec, resolveFields } from "./fields.ts";
 * const fields: FieldSpec[] = [
 *   { key: "batch", type: "integer", default: 0, min: 0, max: 1e9, doc: "" },
 * ];
 * resolveFields(fields, {}, "consumer"); // => { batch: 0 }
 * throws(() => resolveFields(fields, { batch: 1.5 }, "consumer"), {
 *   message: "consumer.batch: expected an integer, got 1.5",
 * });
 * ```
 */
export function resolveFields(
  fields: readonly FieldSpec[],
  input: unknown,
  path: string,
  parent?: Scope,
  check?: (o: Obj, s: Scope) => void,
  onDefault?: (path: string) => void,
): Obj {
  const raw = object(input ?? {}, path, fields.map((f) => f.key));
  const out: Obj = {};
  const done = new Set<string>();
  const validated = new Map<string, unknown>();
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const hear = onDefault ?? (parent as ScopeImpl | undefined)?.onDefault;
  const scope: ScopeImpl = {
    path,
    parent,
    onDefault: hear,
    given(key) {
      const spec = byKey.get(key);
      if (!spec || raw[key] === undefined) return undefined;
      if (!validated.has(key)) validated.set(key, validate(spec, raw[key], join(path, key), scope));
      return validated.get(key);
    },
    get(key) {
      const spec = byKey.get(key);
      if (!spec) return (parent ? parent.get(key) : undefined);
      if (!done.has(key)) {
        const p = join(path, key);
        let v: unknown;
        if (raw[key] === undefined || (raw[key] === null && isNullDefault(spec))) {
          v = fallback(spec, p, scope);
          hear?.(p);
        } else v = scope.given(key);
        out[camel(key)] = v;
        done.add(key);
      }
      return out[camel(key)];
    },
  };
  for (const f of fields) scope.get(f.key);
  // Table order, whatever order `get` resolved them in.
  const ordered: Obj = {};
  for (const f of fields) ordered[camel(f.key)] = out[camel(f.key)];
  check?.(ordered, scope);
  return ordered;
}

interface ScopeImpl extends Scope {
  onDefault?: (path: string) => void;
}

/** A null that means the same as an absent key (an optional object). */
function isNullDefault(spec: FieldSpec): boolean {
  return spec.type === "object" && !!spec.optional;
}

/**
 * A resolved object back as JSON: snake_case keys in table order, parsed strings turned back.
 *
 * @example
 * ```ts
 * import { type FieldSpec, fieldsToJson } from "./fields.ts";
 * const fields: readonly FieldSpec[] = [
 *   { key: "wake_us", type: "number", default: 10, min: 0, max: 1e6, doc: "handler start delay" },
 * ];
 * fieldsToJson(fields, { wakeUs: 3 }); // => { wake_us: 3 }
 * ```
 */
export function fieldsToJson(fields: readonly FieldSpec[], value: Obj): Obj {
  const out: Obj = {};
  for (const f of fields) out[f.key] = valueToJson(f, value[camel(f.key)]);
  return out;
}

function valueToJson(spec: FieldSpec, v: unknown): unknown {
  if (v === null || v === undefined) return v ?? null;
  switch (spec.type) {
    case "string":
      return spec.toJson ? spec.toJson(v) : v;
    case "weights":
      return { ...(v as Obj) };
    case "object":
      return fieldsToJson(spec.fields, v as Obj);
    case "array":
      return (v as Obj[]).map((item) => fieldsToJson(spec.of, item));
    case "variant": {
      const o = v as Obj;
      return { kind: o.kind, ...fieldsToJson(spec.kinds[o.kind as string], o) };
    }
    default:
      return v;
  }
}

/** One row of the reference: a dotted key, its type and range, its default, its meaning. */
export interface FieldRow {
  /** Dotted JSON path (`[]` for array items; `(kind)` for one kind of a variant). */
  key: string;
  /** Type and allowed values or range. */
  type: string;
  /** The default, as JSON or in words. */
  default: string;
  /** What it means. */
  doc: string;
}

function typeText(f: FieldSpec): string {
  switch (f.type) {
    case "number":
    case "integer": {
      if (f.oneOf) return `${f.type}: ${f.oneOf.join(" | ")}`;
      const hi = f.max !== undefined ? ` .. ${num(f.max)}` : "";
      const range = f.min !== undefined
        ? `${num(f.min)}${hi}`
        : f.above !== undefined
        ? `> ${num(f.above)}${hi ? `, <= ${num(f.max!)}` : ""}`
        : hi;
      return `${f.type} ${range}${f.nullable ? " or null" : ""}`;
    }
    case "choice":
      return typeof f.values === "function" ? f.valuesDoc ?? "string" : f.values.join(" | ");
    case "string":
      return f.patternDoc ??
        (f.maxLength !== undefined ? `string of at most ${num(f.maxLength)} characters` : "string");
    case "boolean":
      return "true | false";
    case "weights":
      return `{ NAME: weight 0 .. ${num(f.max)} }`;
    case "object":
      return f.optional ? "object or null" : "object";
    case "array":
      return `array of at most ${num(f.maxItems)} items`;
    case "variant":
      return `object by kind: ${Object.keys(f.kinds).join(" | ")}`;
  }
}

function defaultText(f: FieldSpec): string {
  if (f.defaultDoc) return f.defaultDoc;
  switch (f.type) {
    case "object":
      return f.optional ? "null" : "";
    case "array":
      return "[]";
    case "variant":
      return `kind ${f.defaultKind}`;
    default:
      return typeof f.default === "function" ? "computed" : JSON.stringify(f.default);
  }
}

/**
 * The reference rows of a table, depth first.
 *
 * @example
 * ```ts
 * import { fieldRows } from "./fields.ts";
 * import { SCENARIO_FIELDS } from "./scenario.ts";
 * fieldRows(SCENARIO_FIELDS).find((r) => r.key === "seed")?.default; // => "1"
 * ```
 */
export function fieldRows(fields: readonly FieldSpec[], prefix = ""): FieldRow[] {
  const rows: FieldRow[] = [];
  for (const f of fields) {
    const key = join(prefix, f.key);
    rows.push({ key, type: typeText(f), default: defaultText(f), doc: f.doc });
    if (f.type === "object") rows.push(...fieldRows(f.fields, key));
    if (f.type === "array") rows.push(...fieldRows(f.of, `${key}[]`));
    if (f.type === "variant") {
      // A spec object shared by several kinds is listed once, with the kinds that have it.
      const seen = new Set<FieldSpec>();
      for (const list of Object.values(f.kinds)) {
        for (const x of list) {
          if (seen.has(x)) continue;
          seen.add(x);
          const kinds = Object.keys(f.kinds).filter((k) => f.kinds[k].includes(x));
          rows.push(...fieldRows([x], `${key}(${kinds.join(", ")})`));
        }
      }
    }
  }
  return rows;
}
