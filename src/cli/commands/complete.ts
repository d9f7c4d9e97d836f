/**
 * `faultscope complete <shell>`: prints the completion script of bash, zsh or fish, generated
 * from the command table (`completion.ts` says how, and why no library does it).
 *
 * @example
 * ```ts
 * import { run } from "./complete.ts";
 * import { denoIo } from "../io.ts";
 * let stdout = ""; // captured; `denoIo()` alone writes to the terminal
 * const write = (t: string) => void (stdout += t);
 * const io = { ...denoIo(), out: { write, line: (t = "") => write(t + "\n"), flush() {} } };
 * await run({ shell: "bash" }, io); // => 0
 * stdout.split("\n")[0];
 * // => "# bash completion for faultscope 0.1.0, generated from its command table by"
 * // The script `source <(faultscope complete bash)` loads; zsh the same after compinit;
 * // fish: `faultscope complete fish | source`.
 * ```
 * @module
 */
import { COMMANDS, type COMPLETE, SHELLS } from "../commands.ts";
import { completionScript, type Shell } from "../completion.ts";
import { EXIT, type ExitCode, UsageError } from "../errors.ts";
import type { Io } from "../io.ts";
import { VERSION } from "../main.ts";
import { type Parsed, suggest } from "../spec.ts";

/** Prints the completion script for a shell. */
export function run(o: Parsed<typeof COMPLETE>, io: Io): Promise<ExitCode> {
  if (!(SHELLS as readonly string[]).includes(o.shell)) {
    const near = suggest(o.shell, SHELLS);
    throw new UsageError(
      `complete: unknown shell '${o.shell}'` +
        (near ? ` (did you mean ${near}?)` : `: expected one of ${SHELLS.join(", ")}`),
    );
  }
  io.out.write(completionScript(o.shell as Shell, COMMANDS, VERSION));
  return Promise.resolve(EXIT.OK);
}
