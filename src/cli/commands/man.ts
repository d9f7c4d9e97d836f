/**
 * `faultscope man`: prints the manual page, faultscope(1), in roff, rendered from the command
 * table (`man.ts`).
 *
 * @example
 * ```sh
 * faultscope man | man -l -                                 # read it now
 * faultscope man > ~/.local/share/man/man1/faultscope.1     # then: man faultscope
 * ```
 * @module
 */
import { COMMANDS, type MAN } from "../commands.ts";
import { EXIT, type ExitCode } from "../errors.ts";
import type { Io } from "../io.ts";
import { ABOUT, VERSION } from "../main.ts";
import { manPage } from "../man.ts";
import type { Parsed } from "../spec.ts";

/** Prints the manual page. */
export function run(_o: Parsed<typeof MAN>, io: Io): Promise<ExitCode> {
  io.out.write(manPage(COMMANDS, { version: VERSION, about: ABOUT }));
  return Promise.resolve(EXIT.OK);
}
