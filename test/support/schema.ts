/**
 * Every JSON output a test produces is checked against its published schema, with a real
 * JSON Schema 2020-12 validator (Ajv). `cli()` and `spawnCli()` call {@link checkJsonOutputs}
 * after each run: a command asked for `--json`/`-j`/`--ndjson` must print what
 * `schemas/<command>.<option>.schema.json` allows (each line, for NDJSON), and a file output
 * with a schema (`simulate --trace FILE`) is checked line by line. A command that has such an
 * option but no schema fails loudly ("no schema for dmesg --json"): whoever adds an output adds
 * its schema in `src/cli/schemas/`.
 */
import { AssertionError } from "node:assert/strict";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { command } from "../../src/cli/commands.ts";
import {
  type JsonOutput,
  jsonOutput,
  type OutputId,
  outputSchema,
  schemaFileName,
} from "../../src/cli/schemas/mod.ts";
import { type CommandSpec, flagName, parseCommand } from "../../src/cli/spec.ts";

/** The options whose output is JSON on stdout: each needs a schema. */
const JSON_OPTIONS = ["json", "ndjson"];

// Strict: a keyword Ajv does not know or a type mismatch inside a schema is an error, not a log
// line. `required` of a key declared in a sibling's `properties` (the if/then of a union member)
// is standard 2020-12; Ajv's extra strictRequired check would reject it.
const ajv = new Ajv2020({
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  allErrors: true,
});
const compiled = new Map<OutputId, ValidateFunction>();

/** The compiled validator of an output's schema (compiled once per test process). */
export function validatorFor(id: OutputId): ValidateFunction {
  let v = compiled.get(id);
  if (!v) {
    v = ajv.compile(outputSchema(id));
    compiled.set(id, v);
  }
  return v;
}

/** Why `value` does not match the output's schema: Ajv's errors as lines, none when it does. */
export function schemaErrors(id: OutputId, value: unknown): string[] {
  const v = validatorFor(id);
  if (v(value)) return [];
  return (v.errors ?? []).map((e) =>
    `${e.instancePath || "/"} ${e.message}${
      e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ""
    } (${e.schemaPath})`
  );
}

/** Fails, naming the output and the first errors, unless `value` matches the schema. */
export function assertMatchesSchema(id: OutputId, value: unknown, where: string = id): void {
  const errors = schemaErrors(id, value);
  if (errors.length) {
    throw new AssertionError({
      message: `${where} does not match schemas/${schemaFileName(id)}:\n  ` +
        errors.slice(0, 8).join("\n  "),
    });
  }
}

/** Checks one output's text: one document, or NDJSON line by line. */
export function assertOutputText(o: JsonOutput, text: string, where: string): void {
  const id = o.id as OutputId;
  const parse = (t: string, at: string) => {
    try {
      return JSON.parse(t);
    } catch (e) {
      throw new AssertionError({ message: `${at} is not JSON: ${(e as Error).message}` });
    }
  };
  if (!o.lines) {
    assertMatchesSchema(id, parse(text, where), where);
    return;
  }
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  lines.forEach((l, i) => {
    const at = `${where} line ${i + 1}`;
    assertMatchesSchema(id, parse(l, at), at);
  });
}

/**
 * After a run of `faultscope ...args`: every JSON output it was asked for matches its schema.
 * A run that printed nothing (a usage or input error before any output) has nothing to check.
 */
export function checkJsonOutputs(
  args: readonly string[],
  stdout: string,
  o: {
    /** Finds a command's spec (default: the command table; a test passes its own). */
    lookup?: (name: string) => CommandSpec | undefined;
    /** The directory the command ran in (relative output paths are there). */
    cwd?: string;
  } = {},
): void {
  const [name, ...rest] = args;
  const spec = name === undefined ? undefined : (o.lookup ?? command)(name);
  if (!spec) return;
  let parsed;
  try {
    parsed = parseCommand(spec, [...rest]);
  } catch {
    return; // a usage error: nothing was run
  }
  if (parsed.help) return;
  const options = parsed.options as Record<string, unknown>;
  for (const key of Object.keys(spec.options)) {
    const value = options[key];
    if (value === undefined || value === false) continue;
    const out = jsonOutput(spec.name, key);
    if (JSON_OPTIONS.includes(key)) {
      if (!out) {
        throw new AssertionError({
          message: `no schema for ${spec.name} --${flagName(key)}: add it to src/cli/schemas/ ` +
            `(outputs.ts and mod.ts) and run 'deno task schemas'`,
        });
      }
      if (stdout !== "") assertOutputText(out, stdout, `${spec.name} --${flagName(key)}`);
    } else if (out?.to === "file" && typeof value === "string") {
      const path = o.cwd && !value.startsWith("/") ? `${o.cwd}/${value}` : value;
      let text: string;
      try {
        if (!Deno.statSync(path).isFile) continue; // a device or a pipe
        text = Deno.readTextFileSync(path);
      } catch {
        continue; // not written (a failed or interrupted run)
      }
      assertOutputText(out, text, `${spec.name} --${flagName(key)} ${value}`);
    }
  }
}
