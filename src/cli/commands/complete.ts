/**
 * `faultscope complete <shell>`: prints the completion script of bash, zsh or fish, generated
 * from the command table (`completion.ts` says how, and why no library does it).
 *
 * @example
 * ```ts
 * import { run } from "./complete.ts";
 * import { denoIo } from "../io.ts";
 * // zsh the same after compinit; fish: `faultscope complete fish | source`.
 * const io = denoIo();
 * await run({ shell: "bash" }, io); // the script `source <(faultscope complete bash)` loads
 * io.out.flush();
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
