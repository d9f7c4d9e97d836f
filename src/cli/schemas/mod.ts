/**
 * The JSON Schema (draft 2020-12) of every JSON output, by name: built from the ABI registry,
 * the rule catalogue, the region layouts and the scenario's field table, so the schemas follow
 * the data. `schemas/<id>.schema.json` in the repository are these, written by
 * `deno task schemas`; a test fails when they differ from what this module builds.
 *
 * @example
 * ```ts
 * import { outputSchema, schemaText } from "./mod.ts";
 * outputSchema("rules.json").$schema; // => "https://json-schema.org/draft/2020-12/schema"
 * schemaText("decode.ndjson").endsWith("}\n"); // => true
 * ```
 * @module
 */
import { DRAFT_2020_12, type JsonSchema } from "../../codec/json_schema.ts";
import { benchSchema } from "./bench.ts";
import { dmesgLineSchema, dmesgSchema } from "./dmesg.ts";
import { layoutSchema } from "./layout.ts";
import { JSON_OUTPUTS, type OutputId } from "./outputs.ts";
import {
  decodeLineSchema,
  decodeSchema,
  inspectSchema,
  rulesSchema,
  validateSchema,
} from "./records.ts";
import { simulateSchema, traceSchema } from "./simulate.ts";
import { watchLineSchema } from "./watch.ts";

export { JSON_OUTPUTS, type JsonOutput, jsonOutput, OUTPUT_IDS, type OutputId } from "./outputs.ts";
export type { JsonSchema } from "../../codec/json_schema.ts";

const BUILD: Readonly<Record<OutputId, () => JsonSchema>> = {
  "decode.json": decodeSchema,
  "decode.ndjson": decodeLineSchema,
  "dmesg.json": dmesgSchema,
  "dmesg.ndjson": dmesgLineSchema,
  "inspect.json": inspectSchema,
  "validate.json": validateSchema,
  "rules.json": rulesSchema,
  "layout.json": layoutSchema,
  "simulate.json": simulateSchema,
  "simulate.trace": traceSchema,
  "watch.ndjson": watchLineSchema,
  "bench.json": benchSchema,
};

/** The schema of one output, with its draft, id and title. */
export function outputSchema(id: OutputId): JsonSchema {
  const o = JSON_OUTPUTS.find((x) => x.id === id)!;
  const flag = `--${o.option}`;
  return {
    $schema: DRAFT_2020_12,
    $id: `urn:faultscope:schema:${id}`,
    title: `faultscope ${o.command} ${flag}${o.to === "file" ? " FILE" : ""}`,
    description: o.summary + (o.lines ? " (NDJSON: this is the schema of one line)" : ""),
    ...BUILD[id](),
  };
}

/** The schema file's name in `schemas/`. */
export function schemaFileName(id: OutputId): string {
  return `${id}.schema.json`;
}

/** The schema as its file holds it: pretty-printed, one trailing newline. */
export function schemaText(id: OutputId): string {
  return JSON.stringify(outputSchema(id), null, 2) + "\n";
}
