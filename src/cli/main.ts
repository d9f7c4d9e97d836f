/**
 * Entry point of the CLI: runs the command tree and turns every failure into one line on stderr
 * with a documented exit code (see `errors.ts`); no stack trace reaches the user.
 *
 * @example
 * ```ts
 * import { run } from "./main.ts";
 * Deno.exitCode = await run(["layout", "rfc3"]);
 * ```
 * @module
 */
import { CommanderError } from "@commander-js/extra-typings";
import { EXIT, UsageError } from "./errors.ts";
import { buildProgram } from "./program.ts";

/** Runs faultscope with `args` (without the program name); resolves to the exit code. */
export async function run(args: string[]): Promise<number> {
  const program = buildProgram();
  if (args[0] === "complete") {
    const { default: tab } = await import("@bomb.sh/tab/commander");
    tab(program as unknown as import("commander").Command);
  }
  try {
    await program.parseAsync(args, { from: "user" });
    return typeof Deno.exitCode === "number" ? Deno.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error (already printed).
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (e instanceof Deno.errors.BrokenPipe) {
      // Any writer (stdout, a trace to /dev/stdout, ...) whose reader went away, e.g. `| head`.
      console.error("faultscope: output closed (broken pipe); output stopped");
      return EXIT.USAGE;
    }
    if (e instanceof UsageError) {
      console.error(`faultscope: ${e.message}`);
      return e.exitCode;
    }
    // A bug: still one line, but say it is ours.
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    console.error(`faultscope: internal error: ${msg.split("\n")[0]} (please report)`);
    return 70;
  }
}
