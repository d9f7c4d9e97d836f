/**
 * Every JSON output faultscope has, by the command and option that ask for it: the list the
 * schemas, `faultscope schema`, the README and the tests' validation hook go by. Light data only
 * (the command table imports it for completion); the schemas are built in `mod.ts`.
 *
 * An output is written to stdout, or (`to: "file"`) to the file the option names. `lines`: NDJSON,
 * one JSON value per line, each valid against the schema; otherwise one JSON document.
 *
 * @example
 * ```ts
 * import { jsonOutput } from "./outputs.ts";
 * jsonOutput("decode", "ndjson")?.id; // => "decode.ndjson"
 * jsonOutput("dmesg", "ndjson")?.lines; // => true
 * ```
 * @module
 */

/** One JSON output. */
export interface JsonOutput {
  /** Its name: `<command>.<option>`, and its schema file is `schemas/<id>.schema.json`. */
  readonly id: string;
  /** The command that writes it. */
  readonly command: string;
  /** The option (its key in the command table) that asks for it. */
  readonly option: string;
  /** NDJSON (each line one value) or one JSON document. */
  readonly lines: boolean;
  /** Written to stdout, or to the file the option names. */
  readonly to: "stdout" | "file";
  /** What it is, in one line. */
  readonly summary: string;
}

/** Every JSON output, in the order the README lists them. */
export const JSON_OUTPUTS = [
  {
    id: "decode.json",
    command: "decode",
    option: "json",
    lines: false,
    to: "stdout",
    summary: "how the ABI was chosen, the records (any ABI, vEVENTQ included), and the totals",
  },
  {
    id: "decode.ndjson",
    command: "decode",
    option: "ndjson",
    lines: true,
    to: "stdout",
    summary: "one record per line",
  },
  {
    id: "dmesg.json",
    command: "dmesg",
    option: "json",
    lines: false,
    to: "stdout",
    summary: "the fault and loss events of a kernel log, the summary and the loss picture",
  },
  {
    id: "dmesg.ndjson",
    command: "dmesg",
    option: "ndjson",
    lines: true,
    to: "stdout",
    summary: "one fault or loss event per line, then the summary with type summary",
  },
  {
    id: "inspect.json",
    command: "inspect",
    option: "json",
    lines: false,
    to: "stdout",
    summary: "the region: header, geometry, occupancy and the records listed",
  },
  {
    id: "validate.json",
    command: "validate",
    option: "json",
    lines: false,
    to: "stdout",
    summary: "the findings and their counts by severity",
  },
  {
    id: "rules.json",
    command: "rules",
    option: "json",
    lines: false,
    to: "stdout",
    summary: "the rule catalogue (or the rules asked for)",
  },
  {
    id: "layout.json",
    command: "layout",
    option: "json",
    lines: false,
    to: "stdout",
    summary: "the ABI descriptions, as {records, regions, streams}",
  },
  {
    id: "simulate.json",
    command: "simulate",
    option: "json",
    lines: false,
    to: "stdout",
    summary: "the run's summary, snapshots and output paths",
  },
  {
    id: "simulate.trace",
    command: "simulate",
    option: "trace",
    lines: true,
    to: "file",
    summary: "a begin line, one line per event, an end line with the summary",
  },
  {
    id: "watch.ndjson",
    command: "watch",
    option: "ndjson",
    lines: true,
    to: "stdout",
    summary: "one fault, loss, finding or state change per line, with time, source and type",
  },
  {
    id: "bench.json",
    command: "bench",
    option: "json",
    lines: false,
    to: "stdout",
    summary: "the machine, the options used, one row per configuration, the idle check",
  },
] as const satisfies readonly JsonOutput[];

/** The name of a JSON output. */
export type OutputId = typeof JSON_OUTPUTS[number]["id"];

/** Every output's name, in order. */
export const OUTPUT_IDS: readonly OutputId[] = JSON_OUTPUTS.map((o) => o.id);

/** The output a command writes for an option, if it has a schema. */
export function jsonOutput(command: string, option: string): JsonOutput | undefined {
  return JSON_OUTPUTS.find((o) => o.command === command && o.option === option);
}
