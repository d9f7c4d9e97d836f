/**
 * `faultscope schema [OUTPUT]`: prints the JSON Schema (draft 2020-12) of one JSON output, as
 * `src/cli/schemas/` builds it from the ABI registry, the rule catalogue and the scenario table
 * (the repository's `schemas/` holds the same text); without OUTPUT, the list of outputs.
 *
 * In a shell: `faultscope schema decode.ndjson > decode.ndjson.schema.json`.
 *
 * @example
 * ```ts
 * import { run } from "./schema.ts";
 * import { denoIo } from "../io.ts";
 * let stdout = ""; // captured; `denoIo()` alone writes to the terminal
 * const write = (t: string) => void (stdout += t);
 * const io = { ...denoIo(), out: { write, line: (t = "") => write(t + "\n"), flush() {} } };
 * await run({ output: "rules.json" }, io); // => 0
 * JSON.parse(stdout).$schema; // => "https://json-schema.org/draft/2020-12/schema"
 * ```
 * @module
 */
import type { SCHEMA } from "../commands.ts";
import { EXIT, type ExitCode, UsageError } from "../errors.ts";
import type { Io } from "../io.ts";
import { JSON_OUTPUTS, OUTPUT_IDS, type OutputId, schemaText } from "../schemas/mod.ts";
import { flagName, type Parsed, suggest } from "../spec.ts";

/** Prints one output's schema, or the list of outputs. */
export function run(o: Parsed<typeof SCHEMA>, io: Io): Promise<ExitCode> {
  if (o.output === undefined) {
    const width = Math.max(...OUTPUT_IDS.map((id) => id.length)) + 2;
    for (const x of JSON_OUTPUTS) {
      const how = `${x.command} --${flagName(x.option)}${x.to === "file" ? " FILE" : ""}`;
      io.out.line(`${x.id.padEnd(width)}${how}: ${x.summary}`);
    }
    return Promise.resolve(EXIT.OK);
  }
  const id = o.output;
  if (!(OUTPUT_IDS as readonly string[]).includes(id)) {
    const near = suggest(id, OUTPUT_IDS);
    throw new UsageError(
      `unknown output '${id}'` +
        (near ? ` (did you mean ${near}?)` : `: expected one of ${OUTPUT_IDS.join(", ")}`),
    );
  }
  io.out.write(schemaText(id as OutputId));
  return Promise.resolve(EXIT.OK);
}
