/**
 * Writes every output's schema to `schemas/<output>.schema.json` (and removes schema files of
 * outputs that no longer exist): `deno task schemas`. `test/json_schema_test.ts` fails when the
 * committed files differ from what `mod.ts` builds, so run this after changing an output.
 *
 * @example
 * ```sh
 * deno task schemas
 * ```
 * @module
 */
import { OUTPUT_IDS, schemaFileName, schemaText } from "./mod.ts";

/** The repository's schema directory. */
const DIR = new URL("../../../schemas/", import.meta.url);

if (import.meta.main) {
  Deno.mkdirSync(DIR, { recursive: true });
  const keep = new Set(OUTPUT_IDS.map(schemaFileName));
  for (const e of Deno.readDirSync(DIR)) {
    if (e.name.endsWith(".schema.json") && !keep.has(e.name)) {
      Deno.removeSync(new URL(e.name, DIR));
    }
  }
  for (const id of OUTPUT_IDS) {
    Deno.writeTextFileSync(new URL(schemaFileName(id), DIR), schemaText(id));
  }
  console.log(`wrote ${OUTPUT_IDS.length} schemas to ${DIR.pathname}`);
}
