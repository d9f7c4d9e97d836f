/**
 * Commands described as data. A {@link CommandSpec} names a command's arguments, options (with
 * their value parsers, choices, defaults and conflicts), examples and the module that runs it;
 * the one command table (`commands.ts`) is a list of them. From that data this module parses
 * argv (with `node:util` `parseArgs`) into a typed options object and renders `--help`; shell
 * completion and the manual are generated from the same table. Nothing here knows any command.
 * All of it but the static import of node:util lives in `spec_core.ts` (re-exported here), which
 * start-up loads without node:util.
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
 * parseCommand(spec, ["world", "-l"]); // => { help: false, options: { who: "world", loud: true } }
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { type CommandSpec, type ParseResult, parseWith } from "./spec_core.ts";

export * from "./spec_core.ts";

/**
 * Parses `argv` (after the command name) against `spec`. Every problem is a one-line
 * `UsageError` naming the option or argument.
 */
export function parseCommand<C extends CommandSpec>(spec: C, argv: string[]): ParseResult<C> {
  return parseWith(spec, argv, parseArgs);
}
