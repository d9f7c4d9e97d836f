/**
 * The one error type the CLI layer throws for bad input or usage: it carries the exit code and
 * a one-line message naming what and where (file, offset, field). `main.ts` prints it as
 * `faultscope: <message>` and exits; no stack trace reaches the user.
 *
 * @example
 * ```ts
 * import { EXIT, UsageError } from "./errors.ts";
 * throw new UsageError("capture.bin: 100 bytes is not a multiple of the 64-byte mainline record");
 * ```
 * @module
 */

/** Exit codes, documented in the README. */
export const EXIT = {
  /** Success; for `validate`, no error found. */
  OK: 0,
  /** `validate` found an error (or a warning with `--strict`); `bench` saw a lost/torn record. */
  FINDINGS: 1,
  /** Usage or input error: bad flag, missing/unreadable file, truncated input, bad hex. */
  USAGE: 2,
  /** Interrupted by SIGINT (Ctrl-C) after printing partial results. */
  INTERRUPTED: 130,
} as const;

/** A failure to report as one line on stderr with a documented exit code. */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.USAGE) {
    super(message);
    this.name = "UsageError";
  }
}
