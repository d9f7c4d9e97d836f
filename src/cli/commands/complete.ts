/**
 * `faultscope complete <shell>`: the shell completion script, and `faultscope complete -- WORDS`:
 * the completions of a partial command line (what the script calls on TAB). Both come from the
 * command table, through @bomb.sh/tab's completion engine.
 *
 * @example
 * ```sh
 * source <(faultscope complete bash)
 * faultscope complete -- inspect --layout ""   # rfc3, fault-prod, dma-fault, dma-fault-response
 * ```
 * @module
 */
import type { Complete, RootCommand } from "@bomb.sh/tab";
import { COMMANDS } from "../commands.ts";
import { EXIT, type ExitCode, UsageError } from "../errors.ts";
import type { Io } from "../io.ts";
import { type Completion, flagName } from "../spec.ts";

const SHELLS = ["bash", "zsh", "fish", "powershell"];

function values(c: Completion | undefined): ((complete: Complete) => void) | undefined {
  if (!Array.isArray(c)) return undefined;
  return (complete) => {
    for (const v of c as readonly string[]) complete(v, "");
  };
}

async function engine(): Promise<RootCommand> {
  const { default: t } = await import("@bomb.sh/tab");
  for (const spec of COMMANDS) {
    const cmd = t.command(spec.name, spec.summary);
    for (const [key, o] of Object.entries(spec.options)) {
      if (o.hidden) continue;
      const flag = o.negate ? `no-${flagName(key)}` : flagName(key);
      const handler = values(o.complete ?? o.choices) ?? (o.value ? () => {} : undefined);
      if (handler) cmd.option(flag, o.help, handler, o.short);
      else cmd.option(flag, o.help, o.short);
    }
    for (const a of spec.args) cmd.argument(a.name, values(a.complete), a.variadic);
  }
  return t;
}

/** Prints the completions of a partial command line. */
export async function completeWords(words: string[], io: Io): Promise<ExitCode> {
  io.out.flush();
  (await engine()).parse(words);
  return EXIT.OK;
}

/** Prints the completion script for a shell. */
export async function run(o: { shell?: string }, io: Io): Promise<ExitCode> {
  if (!o.shell || !SHELLS.includes(o.shell)) {
    throw new UsageError(`complete: give a shell: ${SHELLS.join(", ")}`);
  }
  io.out.flush();
  (await engine()).setup("faultscope", "faultscope", o.shell);
  return EXIT.OK;
}
