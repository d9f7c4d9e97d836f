/**
 * Commands described as data. A {@link CommandSpec} names a command's arguments, options (with
 * their value parsers, choices, defaults and conflicts), examples and the module that runs it;
 * the one command table (`commands.ts`) is a list of them. From that data this module parses
 * argv (with `node:util` `parseArgs`) into a typed options object and renders `--help`; shell
 * completion and the manual are generated from the same table. Nothing here knows any command.
 * All but the argv splitting lives in `spec_core.ts` (re-exported here), which start-up loads
 * without node:util.
 *
 * A command's module is imported only when that command runs, so `faultscope inspect` loads
 * inspect's code and nothing of `simulate` or `bench`.
 *
 * @example
 * ```ts
 * import { defineCommand, parseCommand } from "./spec.ts";
 * const spec = defineCommand({
 *   name: "hello",
 *   summary: "say hello",
 *   args: [{ name: "who", help: "whom to greet", required: true }],
 *   options: { loud: { help: "shout", short: "l" } },
 *   examples: ["faultscope hello world --loud"],
 *   load: () => Promise.resolve({ run: () => Promise.resolve(0) }),
 * });
 * const parsed = parseCommand(spec, ["world", "-l"]);
 * // parsed = { help: false, options: { who: "world", loud: true } }
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";
import {
  type CommandSpec,
  flagKeys,
  flagName,
  optionLabel,
  type ParseResult,
  parseTokens,
  suggest,
} from "./spec_core.ts";

export * from "./spec_core.ts";

/**
 * Parses `argv` (after the command name) against `spec`. Every problem is a one-line
 * {@link UsageError} naming the option or argument.
 */
export function parseCommand<C extends CommandSpec>(spec: C, argv: string[]): ParseResult<C> {
  type PaOptions = Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  >;
  const pa: PaOptions = { help: { type: "boolean", short: "h" } };
  for (const [flag, key] of flagKeys(spec)) {
    const o = spec.options[key];
    pa[flag] = { type: o.value ? "string" : "boolean" };
    if (o.short) pa[flag].short = o.short;
    if (o.multiple) pa[flag].multiple = true;
  }
  let values: Record<string, unknown>, positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: pa,
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    throw parseArgsError(spec, e);
  }
  return parseTokens(spec, values, positionals);
}

function parseArgsError(spec: CommandSpec, e: unknown): Error {
  const code = (e as { code?: string }).code;
  const msg = e instanceof Error ? e.message : String(e);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const opt = msg.match(/'([^']+)'/)?.[1] ?? msg;
    const known = Object.entries(spec.options).filter(([, o]) => !o.hidden)
      .map(([k, o]) => optionLabel(k, o).split(" ")[0]);
    const near = suggest(opt.split("=")[0], known);
    return new UsageError(
      `unknown option '${opt}' for '${spec.name}'` +
        (near ? ` (did you mean ${near}?)` : `; see 'faultscope ${spec.name} --help'`),
    );
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const flag = msg.match(/'(-[^' ]+)/)?.[1];
    if (flag && /argument missing/.test(msg)) {
      const key = [...Object.keys(spec.options)].find((k) =>
        `--${flagName(k)}` === flag || `-${spec.options[k].short}` === flag
      );
      const label = key ? optionLabel(key, spec.options[key]) : flag;
      return new UsageError(`option '${label}' needs a value`);
    }
    return new UsageError(msg.split("\n")[0].replace(/\.$/, ""));
  }
  return new UsageError(msg.split("\n")[0]);
}
