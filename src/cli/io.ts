/**
 * The terminal a command talks to. Every command gets one {@link Io}: a buffered stdout writer,
 * stderr, stdin, and what the terminal is (colour decided once, here, from the TTY and
 * `NO_COLOR`; the width for wrapping). `denoIo()` is the real one; tests pass their own and run
 * commands in-process.
 *
 * @example
 * ```ts
 * import { denoIo } from "./io.ts";
 * const io = denoIo();
 * io.out.line(io.paint("bold", "faultscope"));
 * io.out.flush();
 * ```
 * @module
 */
import { styleText } from "node:util";

/** A style of `node:util` `styleText`, e.g. `"bold"` or `"red"`. */
export type Style = Parameters<typeof styleText>[0];

/** Where text goes: buffered, flushed by the caller (main flushes stdout after each command). */
export interface Writer {
  /** Queues text. */
  write(text: string): void;
  /** Queues a line. */
  line(text?: string): void;
  /** Writes everything queued. */
  flush(): void;
}

/** A byte source with the `Deno.stdin` read shape. */
export interface Reader {
  /** Reads into `p`; resolves to the byte count, or null at the end. */
  read(p: Uint8Array): Promise<number | null>;
}

/** What a command talks to. */
export interface Io {
  /** stdout. */
  readonly out: Writer;
  /** Writes to stderr at once (warnings, notes, progress). */
  err(text: string): void;
  /** stdin, for `-` inputs. */
  readonly stdin: Reader;
  /** stdout may be coloured: a terminal, and no NO_COLOR. */
  readonly color: boolean;
  /** Colours `text` when {@link color} is on; returns it unchanged otherwise. */
  paint(style: Style, text: string): string;
  /** stdout is a terminal. */
  readonly stdoutIsTerminal: boolean;
  /** stderr is a terminal: progress bars and status lines go there. */
  readonly stderrIsTerminal: boolean;
  /** stdin is a terminal (no input piped in). */
  readonly stdinIsTerminal: boolean;
  /** stdout's width in columns when it is a terminal; undefined otherwise. */
  readonly columns: number | undefined;
}

/** stdout's reader went away (`| head`): the command stops quietly. */
export class ClosedPipe extends Error {
  /** No message to give: the reader is gone. */
  constructor() {
    super("stdout closed by its reader");
    this.name = "ClosedPipe";
  }
}

const encoder = new TextEncoder();

/**
 * Buffered writer: one syscall per ~64 KiB, encoded into one reused buffer (a fresh buffer per
 * flush held hundreds of MB of dead memory on a large decode); a reader that went away becomes
 * {@link ClosedPipe}.
 */
export class Output implements Writer {
  #parts: string[] = [];
  #pending = 0;
  #buf = new Uint8Array(1 << 18);
  /** Writes to `sink` (stdout by default). */
  constructor(readonly sink: { writeSync(p: Uint8Array): number } = Deno.stdout) {}

  /** Queues text; flushes past ~64 KiB. */
  write(text: string): void {
    this.#parts.push(text);
    this.#pending += text.length;
    if (this.#pending >= 1 << 16) this.flush();
  }

  /** Queues a line. */
  line(text = ""): void {
    this.write(text + "\n");
  }

  /** Writes everything queued. */
  flush(): void {
    if (this.#parts.length === 0) return;
    let text = this.#parts.join("");
    this.#parts = [];
    this.#pending = 0;
    try {
      while (text.length) {
        const { read, written } = encoder.encodeInto(text, this.#buf);
        const bytes = this.#buf.subarray(0, written);
        for (let o = 0; o < bytes.length;) o += this.sink.writeSync(bytes.subarray(o));
        text = text.slice(read);
      }
    } catch (e) {
      if (e instanceof Deno.errors.BrokenPipe) throw new ClosedPipe();
      throw e;
    }
  }
}

/**
 * Whether stdout wants colour: a terminal, and no NO_COLOR. NO_COLOR is read only when env access
 * is already granted, so faultscope never prompts for a permission just to decide on colour.
 */
export function colourEnabled(): boolean {
  if (!Deno.stdout.isTerminal()) return false;
  try {
    const env = Deno.permissions.querySync({ name: "env", variable: "NO_COLOR" });
    return env.state === "granted" && (Deno.env.get("NO_COLOR") ?? "") === "";
  } catch {
    return false;
  }
}

/** Colours text when `enabled`. */
export function paint(style: Style, text: string, enabled: boolean): string {
  return enabled ? styleText(style, text, { validateStream: false }) : text;
}

function terminalColumns(): number | undefined {
  if (!Deno.stdout.isTerminal()) return undefined;
  try {
    return Deno.consoleSize().columns || undefined;
  } catch {
    return undefined;
  }
}

/** The real terminal. stderr write failures (e.g. `2>/dev/full`) are ignored: nothing to tell. */
export function denoIo(): Io {
  const color = colourEnabled();
  return {
    out: new Output(Deno.stdout),
    err(text: string) {
      try {
        let b = encoder.encode(text);
        while (b.length) b = b.subarray(Deno.stderr.writeSync(b));
      } catch {
        // stderr itself is gone or full: there is nowhere left to report to.
      }
    },
    stdin: Deno.stdin,
    color,
    paint: (style, text) => paint(style, text, color),
    stdoutIsTerminal: Deno.stdout.isTerminal(),
    stderrIsTerminal: Deno.stderr.isTerminal(),
    stdinIsTerminal: Deno.stdin.isTerminal(),
    columns: terminalColumns(),
  };
}
