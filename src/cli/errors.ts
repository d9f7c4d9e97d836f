/**
 * The CLI's error classes. Each carries its exit code on the class, so a command never sets an
 * exit status by hand for a failure: it throws the error that says what went wrong, and
 * `main.ts` prints `faultscope: <message>` (one line, no stack trace) and exits with that code.
 *
 * | class          | exit | meaning                                                        |
 * | -------------- | ---- | -------------------------------------------------------------- |
 * | `CheckFailed`  | 1    | the check the user asked for failed (e.g. a record torn)       |
 * | `UsageError`   | 2    | bad flag, bad flag value, missing or extra argument            |
 * | `InputError`   | 2    | an input or output file is missing, unreadable or unusable     |
 * | `Interrupted`  | 130  | SIGINT (143 for SIGTERM), after printing partial results       |
 * | anything else  | 70   | a bug in faultscope: still one line, and it says to report it  |
 *
 * @example
 * ```ts
 * import { EXIT, InputError } from "./errors.ts";
 * const e = new InputError("capture.bin: 100 bytes is not a multiple of the 64-byte record");
 * e.exitCode === EXIT.INPUT; // => true
 * ```
 * @module
 */

/** Exit codes, documented in the README. */
export const EXIT = {
  /** Success; for `validate`, no error found. */
  OK: 0,
  /** A check found a problem: `validate`/`decode --check` errors, `bench` lost or torn records. */
  FINDINGS: 1,
  /** Usage error: bad flag, bad flag value, missing or extra argument. */
  USAGE: 2,
  /** Input or output error: missing, unreadable, truncated or unusable file, bad hex. */
  INPUT: 2,
  /** A bug in faultscope (sysexits' EX_SOFTWARE). */
  INTERNAL: 70,
  /** Interrupted by SIGINT (Ctrl-C) after printing partial results: 128 + 2. */
  INTERRUPTED: 130,
  /** Ended by SIGTERM after printing partial results: 128 + 15. */
  TERMINATED: 143,
} as const;

/** The exit status a command resolves to. */
export type ExitCode = number;

/** A failure reported as one line on stderr with the exit code of its class. */
export abstract class FaultscopeError extends Error {
  /** The process exit status for this failure. */
  abstract readonly exitCode: ExitCode;
}

/** Bad flag, bad flag value, missing or extra argument: exit 2. */
export class UsageError extends FaultscopeError {
  /** 2. */
  readonly exitCode: ExitCode = EXIT.USAGE;
  /** One line naming the option or argument. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** An input or output file that is missing, unreadable, truncated or unusable: exit 2. */
export class InputError extends FaultscopeError {
  /** 2. */
  readonly exitCode: ExitCode = EXIT.INPUT;
  /** One line naming the file and what is wrong with it. */
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** The check the user asked for failed, after its report was printed: exit 1. */
export class CheckFailed extends FaultscopeError {
  /** 1. */
  readonly exitCode: ExitCode = EXIT.FINDINGS;
  /** One line saying what failed. */
  constructor(message: string) {
    super(message);
    this.name = "CheckFailed";
  }
}

/** Interrupted by a signal after printing partial results: exit 130 (SIGINT) or 143 (SIGTERM). */
export class Interrupted extends FaultscopeError {
  /** 130 for SIGINT, 143 for SIGTERM. */
  readonly exitCode: ExitCode;
  /** One line saying what was left undone; `signal` is the one that arrived. */
  constructor(message: string, readonly signal: "SIGINT" | "SIGTERM" = "SIGINT") {
    super(message);
    this.name = "Interrupted";
    this.exitCode = signal === "SIGTERM" ? EXIT.TERMINATED : EXIT.INTERRUPTED;
  }
}

/**
 * An error in the OS's words, as one line: its message's first line without Deno's
 * " (os error N)" and what follows it, lowercased to read inside a sentence.
 *
 * @example
 * ```ts
 * osWords(new Error("No space left on device (os error 28)")); // => "no space left on device"
 * ```
 */
export function osWords(e: unknown): string {
  const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
  return msg.replace(/ \(os error \d+\).*$/, "").toLowerCase();
}

/**
 * Why an access was refused, in a few words: the OS's "permission denied", or, when Deno's
 * permissions refused it (`NotCapable`), which flag it needs. Deno opens device files such as
 * /dev/kmsg, a VFIO device or /dev/full (not /dev/null or /dev/zero), and /proc, only with
 * --allow-all, whatever --allow-read says: through `deno task faultscope` they are refused so.
 *
 * @example
 * ```ts
 * import { deniedReason } from "./errors.ts";
 * const refused = 'Requires read access to "x.bin", run again with the --allow-read flag';
 * deniedReason(new Deno.errors.NotCapable(refused)); // => "not allowed without --allow-read"
 * deniedReason(new Deno.errors.PermissionDenied("EACCES")); // => "permission denied"
 * ```
 */
export function deniedReason(e: unknown): string {
  if (!(e instanceof Deno.errors.NotCapable)) return "permission denied";
  const flag = /--allow-[a-z]+/.exec(e.message)?.[0];
  if (flag === "--allow-all") {
    return "Deno opens device files and /proc only with --allow-all: run deno run -A main.ts, " +
      "or a binary from deno task compile";
  }
  return flag ? `not allowed without ${flag}` : "not allowed by Deno's permissions";
}
