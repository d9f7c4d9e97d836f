/**
 * The terminal a command talks to. Every command gets one {@link Io}: a buffered stdout writer,
 * stderr, stdin, and what the terminal is (colour decided once, here, from the TTY and
 * `NO_COLOR`; the width for wrapping). `denoIo()` is the real one; tests pass their own and run
 * commands in-process.
 *
 * @example
 * ```ts
 * import { denoIo } from "./io.ts";
 * const io = denoIo(); // colour only on a terminal without NO_COLOR
 * io.out.line(io.paint("bold", "faultscope")); // queued
 * io.out.flush(); // now on stdout: "faultscope", bold on a terminal
 * ```
 * @module
 */
import type { styleText } from "node:util";
import { InputError, osWords } from "./errors.ts";

/** A style of `node:util` `styleText`, e.g. `"bold"` or `"red"`. */
export type Style = Parameters<typeof styleText>[0];

/**
 * node:util, once colour needs it. Loading node:util costs about 5 ms, a third of faultscope's
 * own start-up; without colour (a pipe, a file, NO_COLOR) nothing is painted and nothing needs
 * it, so it is loaded only for a terminal: `run` awaits {@link loadColour} when `io.color`.
 */
let util: typeof import("node:util") | undefined;

/** Loads what {@link paint} needs (node:util's `styleText`); idempotent. */
export async function loadColour(): Promise<void> {
  util ??= await import("node:util");
}

/**
 * `text` without its terminal escape sequences (node:util's `stripVTControlCharacters`), for
 * widths. Without colour loaded, faultscope wrote no escape sequence and the text is returned
 * whole: a raw escape byte in the input then counts in a width, the only difference.
 */
export function withoutEscapes(text: string): string {
  return util && (text.includes("\x1b") || text.includes("\x9b"))
    ? util.stripVTControlCharacters(text)
    : text;
}

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

/**
 * A write to stdout failed otherwise (`>/dev/full`, an I/O error): exit 2, one line. Its own
 * class, so a loop that retries its reads (watch) does not take it for a read of its source.
 */
export class StdoutFailed extends InputError {
  /** `cause`: the write's error, in the OS's words without "(os error N)". */
  constructor(cause: unknown) {
    super(`stdout: ${osWords(cause)}`);
    this.name = "StdoutFailed";
  }
}

const encoder = new TextEncoder();

import type { ByteBuffer } from "../codec/jsonline.ts";

/**
 * Bytes written straight into an output buffer (the fast path of `decode --ndjson`: no string
 * is built). Reserve room with {@link ByteWriter.room}, write at {@link ByteWriter.pos}, move
 * `pos` past what was written, and call {@link ByteWriter.settle} at the end of each batch.
 */
export interface ByteWriter {
  /** The next free byte of the buffer {@link ByteWriter.room} returned. */
  pos: number;
  /** The buffer, with at least `n` bytes free from `pos` (earlier bytes may be written out). */
  room(n: number): ByteBuffer;
  /** Hands what was written to the writer beneath (a no-op when that is the buffer's owner). */
  settle(): void;
}

/** A {@link ByteBuffer} of `n` bytes. */
function byteBuffer(n: number): ByteBuffer {
  const bytes = new Uint8Array(n);
  return { bytes, view: new DataView(bytes.buffer) };
}

/** Bytes the output buffer holds before they are written out to a file: one write() per MiB. */
export const OUTPUT_BUFFER = 1 << 20;

/**
 * Bytes per write() to a pipe, FIFO, socket or terminal: a Linux pipe's capacity. A larger write
 * blocks until the reader has drained all of it, so encoding waits on the reader; one pipe's
 * worth returns as soon as it fits, and the next chunk is encoded while the reader drains this
 * one. Measured on `decode --ndjson | cat` of 1 M records: 1 MiB writes 354 ms, 128 KiB 303 ms,
 * 64 KiB 233 ms, 32 KiB 236 ms; to a file the other way round (64 KiB 415 ms, 1 MiB 315 ms).
 */
export const PIPE_CHUNK = 1 << 16;

/**
 * The write size for stdout: {@link OUTPUT_BUFFER} to a regular file, {@link PIPE_CHUNK} to
 * anything else. Asked of `/dev/stdout` only where read access is already granted, so a narrow
 * permission set never prompts for it; unknown is a file's size.
 */
export function stdoutChunk(): number {
  try {
    const q = Deno.permissions.querySync({ name: "read", path: "/dev/stdout" });
    if (q.state !== "granted") return OUTPUT_BUFFER;
    return Deno.statSync("/dev/stdout").isFile ? OUTPUT_BUFFER : PIPE_CHUNK;
  } catch {
    return OUTPUT_BUFFER;
  }
}

/**
 * Buffered writer: text is queued and encoded into one reused byte buffer (a fresh buffer per
 * flush held hundreds of MB of dead memory on a large decode), bytes are written into the same
 * buffer directly ({@link ByteWriter}), and the buffer is written out when full: one syscall per
 * buffer (1 MiB to a file, a pipe's capacity to a pipe: {@link stdoutChunk}). A reader that went
 * away becomes {@link ClosedPipe}.
 */
export class Output implements Writer, ByteWriter {
  #parts: string[] = [];
  #pending = 0;
  /** One pipe's worth until the output passes it; then the write size `chunk()` says. */
  #out = byteBuffer(PIPE_CHUNK);
  #chunk: (() => number) | undefined;
  /** Bytes of `#buf` not yet written out. */
  pos = 0;
  /**
   * Writes to `sink` (stdout by default), `chunk()` bytes per write() ({@link stdoutChunk}),
   * asked only once the output passes {@link PIPE_CHUNK}: a short output never pays for it.
   */
  constructor(
    readonly sink: { writeSync(p: Uint8Array): number } = Deno.stdout,
    chunk: () => number = () => OUTPUT_BUFFER,
  ) {
    this.#chunk = chunk;
  }

  /** Queues text; it is encoded past ~64 KiB and written out when the buffer is full. */
  write(text: string): void {
    this.#parts.push(text);
    this.#pending += text.length;
    if (this.#pending >= 1 << 16) this.#encode();
  }

  /** Queues a line. */
  line(text = ""): void {
    this.write(text + "\n");
  }

  /** The buffer with `n` bytes free at {@link Output.pos}, queued text encoded before them. */
  room(n: number): ByteBuffer {
    if (this.#parts.length) this.#encode();
    const free = () => this.#out.bytes.length - this.pos;
    if (free() < n && !(this.#grow() && free() >= n)) {
      this.#writeOut();
      if (this.#out.bytes.length < n) this.#out = byteBuffer(n);
    }
    return this.#out;
  }

  /** Nothing to do: the bytes are in this writer's own buffer. */
  settle(): void {}

  /** Writes everything queued. */
  flush(): void {
    this.#encode();
    this.#writeOut();
  }

  /**
   * The first time the buffer fills: asks the write size and, where it is larger, moves what is
   * buffered into a buffer of that size. Whether there is now more room.
   */
  #grow(): boolean {
    const size = this.#chunk?.() ?? 0;
    this.#chunk = undefined;
    if (size <= this.#out.bytes.length) return false;
    const out = byteBuffer(size);
    out.bytes.set(this.#out.bytes.subarray(0, this.pos));
    this.#out = out;
    return true;
  }

  /** Encodes the queued text into the buffer, writing the buffer out whenever it fills. */
  #encode(): void {
    if (this.#parts.length === 0) return;
    let text = this.#parts.length === 1 ? this.#parts[0] : this.#parts.join("");
    this.#parts = [];
    this.#pending = 0;
    while (true) {
      const { read, written } = encoder.encodeInto(text, this.#out.bytes.subarray(this.pos));
      this.pos += written;
      if (read === text.length) return;
      text = text.slice(read);
      if (!this.#grow()) this.#writeOut();
    }
  }

  #writeOut(): void {
    const bytes = this.#out.bytes.subarray(0, this.pos);
    this.pos = 0;
    try {
      for (let o = 0; o < bytes.length;) o += this.sink.writeSync(bytes.subarray(o));
    } catch (e) {
      if (e instanceof Deno.errors.BrokenPipe) throw new ClosedPipe();
      throw new StdoutFailed(e);
    }
  }
}

/** Decodes bytes written through a {@link ByteWriter} into text for a text-only {@link Writer}. */
class TextBytes implements ByteWriter {
  #buf = byteBuffer(1 << 16);
  #text = new TextDecoder();
  pos = 0;
  constructor(readonly out: Writer) {}
  room(n: number): ByteBuffer {
    if (this.#buf.bytes.length - this.pos < n) {
      this.settle();
      if (this.#buf.bytes.length < n) this.#buf = byteBuffer(n);
    }
    return this.#buf;
  }
  settle(): void {
    if (this.pos) {
      const bytes = this.#buf.bytes.subarray(0, this.pos);
      this.out.write(this.#text.decode(bytes, { stream: true }));
    }
    this.pos = 0;
  }
}

/**
 * A {@link ByteWriter} onto `out`: the {@link Output} itself, or one that decodes the bytes
 * into text for any other writer (a test's captured terminal) at each `settle`.
 */
export function byteWriter(out: Writer): ByteWriter {
  return out instanceof Output ? out : new TextBytes(out);
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

/** Colours text when `enabled` (and {@link loadColour} has run: `run` sees to it). */
export function paint(style: Style, text: string, enabled: boolean): string {
  return enabled && util ? util.styleText(style, text, { validateStream: false }) : text;
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
    out: new Output(Deno.stdout, stdoutChunk),
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
