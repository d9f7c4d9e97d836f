/**
 * Entry point of the CLI: finds the command in the table, parses its options, runs it, and turns
 * every failure into one line on stderr with the exit code of its class (see `errors.ts`); no
 * stack trace reaches the user. A reader that goes away (`| head`) ends the command quietly with
 * exit 0, as ripgrep and coreutils users expect of a filter.
 *
 * @example
 * ```ts
 * import { run } from "./main.ts";
 * import { denoIo } from "./io.ts";
 * let stdout = ""; // captured; `denoIo()` alone writes to the terminal
 * const write = (t: string) => void (stdout += t);
 * const io = { ...denoIo(), out: { write, line: (t = "") => write(t + "\n"), flush() {} } };
 * await run(["layout", "rfc3"], io); // => 0; `run(["layout", "rfc3"])` prints to the terminal
 * stdout.split("\n")[1]; // => "struct iommu_fault {"
 * await run(["layout", "--bogus"], { ...io, err: () => {} });
 * // => 2: a usage error, one line on stderr
 * ```
 * @module
 */
import { command, COMMANDS } from "./commands.ts";
import {
  deniedReason,
  EXIT,
  type ExitCode,
  FaultscopeError,
  InputError,
  osWords,
  UsageError,
} from "./errors.ts";
import { safeLine } from "../codec/quote.ts";
import { ClosedPipe, denoIo, type Io, loadColour } from "./io.ts";
import {
  commandHelp,
  type CommandModule,
  type CommandSpec,
  parseArgv,
  suggest,
  wrap,
} from "./spec_core.ts";

/** faultscope's version, as `--version` prints it. */
export const VERSION = "0.1.0";

/** What faultscope is, in one paragraph: the top-level help's and the manual's. */
export const ABOUT: string =
  "Inspect, simulate, validate and benchmark VFIO nested-IOMMU fault regions " +
  "and rings; decode every iommu_fault generation, the iommufd fault and vEVENT " +
  "queues and the IOMMUs' hardware records; read the faults in kernel logs; and " +
  "follow live sources without losing a fault silently, with Prometheus metrics.";

/** The top-level help: usage, the commands and their one-line summaries. */
export function mainHelp(width = 80): string {
  const names = [...COMMANDS.map((c) => c.name), "help"];
  // One column for option terms and command names alike.
  const pad = Math.max("-V, --version".length, ...names.map((n) => n.length)) + 2;
  const lines = [
    "Usage: faultscope [options] [command]",
    "",
    ...wrap(ABOUT, width, 0),
    "",
    "Options:",
    "  -V, --version".padEnd(pad + 2) + "print the name and version (and Deno's)",
    "  -h, --help".padEnd(pad + 2) + "show this help",
    "",
    "Commands:",
  ];
  for (const c of COMMANDS) {
    const body = wrap(c.summary, width, pad + 2);
    lines.push(
      `  ${c.name.padEnd(pad)}${body[0]}`,
      ...body.slice(1).map((l) => " ".repeat(pad + 2) + l),
    );
  }
  lines.push(`  ${"help".padEnd(pad)}show the help of a command: faultscope help <command>`);
  lines.push("", "Run 'faultscope <command> --help' for a command's options and examples.");
  return lines.join("\n") + "\n";
}

/**
 * Runs one command line without the failure mapping of {@link run}: errors propagate (demo runs
 * its steps through this).
 */
export async function dispatch(args: string[], io: Io): Promise<ExitCode> {
  const width = Math.min(io.columns ?? 80, 100);
  const [name, ...rest] = args;
  if (name === undefined) {
    io.err(mainHelp(width));
    return EXIT.USAGE;
  }
  if (name === "-h" || name === "--help") {
    io.out.write(mainHelp(width));
    return EXIT.OK;
  }
  if (name === "-V" || name === "--version") {
    if (rest.length) throw extraArgument(name, "none", rest[0]);
    io.out.line(`faultscope ${VERSION} (deno ${Deno.version.deno})`);
    return EXIT.OK;
  }
  if (name === "help") {
    if (!rest.length) {
      io.out.write(mainHelp(width));
      return EXIT.OK;
    }
    if (rest.length > 1) throw extraArgument("help", "at most 1", rest[1]);
    const c = command(rest[0]);
    if (!c) throw unknownCommand(rest[0]);
    io.out.write(commandHelp(c, width));
    return EXIT.OK;
  }
  const spec = command(name);
  if (!spec) throw unknownCommand(name);
  const parsed = await parseArgv(spec, rest);
  if (parsed.help) {
    io.out.write(commandHelp(spec, width));
    return EXIT.OK;
  }
  const mod = await loadCommand(spec);
  return await mod.run(parsed.options, io);
}

/**
 * Imports a command's module. Run from source, Deno reads it only when the command runs, so
 * `deno run --allow-read=DIR main.ts` without the source tree refuses it: a permission to give,
 * not a bug to report.
 */
async function loadCommand(spec: CommandSpec): Promise<CommandModule> {
  try {
    return await spec.load();
  } catch (e) {
    const msg = e instanceof Error ? e.message : "";
    if (!(e instanceof Deno.errors.NotCapable) && !/^Requires \w+ access to /.test(msg)) throw e;
    throw new InputError(
      `cannot load the ${spec.name} command: ${deniedReason(new Deno.errors.NotCapable(msg))}`,
    );
  }
}

function unknownCommand(name: string): UsageError {
  if (name.startsWith("-") && name !== "-") {
    // An option before any command: only --help and --version are.
    const near = suggest(name, ["--help", "--version"]);
    return new UsageError(
      `unknown option '${name}'` +
        (near ? ` (did you mean ${near}?)` : "; see 'faultscope --help'"),
    );
  }
  const near = suggest(name, [...COMMANDS.map((c) => c.name), "help"]);
  return new UsageError(
    `unknown command '${name}'` + (near ? ` (did you mean ${near}?)` : "; see 'faultscope --help'"),
  );
}

function extraArgument(what: string, expected: string, got: string): UsageError {
  return new UsageError(`too many arguments for '${what}': expected ${expected}, got '${got}'`);
}

/** Maps a failure to its exit code, writing one line on stderr. */
function fail(e: unknown, io: Io): ExitCode {
  // The reader went away (`| head`): stop quietly, like ripgrep. (A stdout closed before the
  // start, `>&-`, cannot be told apart from `>/dev/null`: Deno reopens fd 1 on /dev/null.)
  if (e instanceof ClosedPipe || e instanceof Deno.errors.BrokenPipe) return EXIT.OK;
  if (e instanceof FaultscopeError) {
    // Arguments and file names are echoed in messages: escaped here, once for all of them.
    io.err(`faultscope: ${safeLine(e.message)}\n`);
    return e.exitCode;
  }
  const code = (e as { code?: string }).code;
  if (code === "ENOSPC" || code === "EIO" || code === "EBADF") {
    // A write to stdout failed (e.g. >/dev/full): an I/O error, not a bug.
    io.err(`faultscope: ${new InputError(`stdout: ${osWords(e)}`).message}\n`);
    return EXIT.INPUT;
  }
  // A bug: still one line, but say it is ours.
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  io.err(`faultscope: internal error: ${safeLine(msg.split("\n")[0])} (please report)\n`);
  return EXIT.INTERNAL;
}

/** Runs faultscope with `args` (without the program name); resolves to the exit code. */
export async function run(args: string[], io: Io = denoIo()): Promise<ExitCode> {
  try {
    if (io.color) await loadColour();
    const code = await dispatch(args, io);
    io.out.flush();
    return code;
  } catch (e) {
    try {
      io.out.flush(); // what was produced before the failure still reaches the reader
    } catch (flushError) {
      if (!(e instanceof FaultscopeError)) return fail(flushError, io);
    }
    return fail(e, io);
  }
}
