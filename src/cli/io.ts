/**
 * Input and output for the CLI: reads files, stdin, or a byte range of a larger file or device
 * (VFIO regions sit at `index << 40`), turning every OS error into a one-line {@link UsageError}
 * that names the file; writes stdout in large chunks and reports a closed pipe once.
 *
 * @example
 * ```ts
 * import { readRange } from "./io.ts";
 * const header = await readRange("region.bin", 0, 20); // only the 20 header bytes
 * ```
 * @module
 */
import { UsageError } from "./errors.ts";
import { colourEnabled } from "./render.ts";

/** Largest input read whole into memory (stdin regions, hex dumps). */
export const MAX_WHOLE_INPUT = 256 * 1024 * 1024;

/** Turns an OS error into a one-line message naming the path. */
export function fsError(e: unknown, path: string): UsageError {
  if (e instanceof UsageError) return e;
  if (e instanceof Deno.errors.NotFound) return new UsageError(`${path}: no such file`);
  if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
    return new UsageError(`${path}: permission denied`);
  }
  if (e instanceof Deno.errors.IsADirectory) return new UsageError(`${path}: is a directory`);
  const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
  return new UsageError(`${path}: ${msg}`);
}

/** What we know of an input before reading it. */
export interface InputInfo {
  /** Bytes in a regular file; undefined for stdin, pipes and devices. */
  size: number | undefined;
}

/** Stats a path ('-' is stdin), refusing directories. */
export async function inputInfo(path: string): Promise<InputInfo> {
  if (path === "-") return { size: undefined };
  try {
    const st = await Deno.stat(path);
    if (st.isDirectory) throw new UsageError(`${path}: is a directory`);
    return { size: st.isFile ? st.size : undefined };
  } catch (e) {
    throw fsError(e, path);
  }
}

async function readAllStdin(limit = MAX_WHOLE_INPUT): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of Deno.stdin.readable) {
    total += chunk.length;
    if (total > limit) throw new UsageError(`stdin: more than ${limit} bytes`);
    parts.push(chunk);
  }
  return concat(parts);
}

/** Joins byte chunks into one array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Reads up to `length` bytes at `offset` ('-' reads stdin and skips `offset`). Returns fewer
 * bytes when the input ends first; the caller decides whether that is truncation.
 */
export async function readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
  if (path === "-") {
    const all = await readAllStdin(Math.min(MAX_WHOLE_INPUT, offset + length));
    return all.subarray(Math.min(offset, all.length), Math.min(all.length, offset + length));
  }
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(path, { read: true });
    if (offset > 0) await file.seek(offset, Deno.SeekMode.Start);
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = await file.read(buf.subarray(got));
      if (n === null) break;
      got += n;
    }
    return buf.subarray(0, got);
  } catch (e) {
    throw fsError(e, path);
  } finally {
    file?.close();
  }
}

/** Reads a whole input ('-' is stdin), up to {@link MAX_WHOLE_INPUT}. */
export async function readWhole(path: string): Promise<Uint8Array> {
  if (path === "-") return await readAllStdin();
  const info = await inputInfo(path);
  if (info.size !== undefined && info.size > MAX_WHOLE_INPUT) {
    throw new UsageError(`${path}: ${info.size} bytes is more than faultscope reads whole`);
  }
  return await readRange(path, 0, info.size ?? MAX_WHOLE_INPUT);
}

/**
 * Streams an input in chunks whose length is a multiple of `unit` (except the last), so that
 * records never straddle chunks. Memory stays at one chunk whatever the input size: the same
 * buffer is refilled for every chunk (a fresh buffer per chunk kept ~64 MB of dead backing
 * stores alive between collections), so a caller that keeps a chunk must copy it.
 */
export async function* readChunks(
  path: string,
  unit: number,
  chunkBytes = 1 << 20,
): AsyncGenerator<Uint8Array> {
  const size = Math.max(unit, chunkBytes - (chunkBytes % unit));
  let file: Deno.FsFile | undefined;
  try {
    const reader = path === "-" ? Deno.stdin : (file = await Deno.open(path, { read: true }));
    const buf = new Uint8Array(size);
    let fill = 0;
    while (true) {
      const n = await reader.read(buf.subarray(fill));
      if (n === null) break;
      fill += n;
      if (fill === size) {
        yield buf;
        fill = 0;
      }
    }
    if (fill > 0) yield buf.subarray(0, fill);
  } catch (e) {
    throw fsError(e, path === "-" ? "stdin" : path);
  } finally {
    file?.close();
  }
}

/** Raised when stdout is closed under us (e.g. `| head -1`). */
export class ClosedPipe extends UsageError {
  constructor() {
    super("stdout closed (broken pipe); output stopped");
    this.name = "ClosedPipe";
  }
}

const encoder = new TextEncoder();

/**
 * Buffered stdout writer: one syscall per ~64 KiB, encoded into one reused buffer (a fresh
 * buffer per flush held hundreds of MB of dead memory on a large decode), and a closed pipe
 * becomes {@link ClosedPipe}.
 */
export class Output {
  #parts: string[] = [];
  #pending = 0;
  #buf = new Uint8Array(1 << 18);
  constructor(readonly sink: { writeSync(p: Uint8Array): number } = Deno.stdout) {}

  /** Queues text; flushes when the buffer is large. */
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

/** Writes a file, naming it in any error. */
export async function writeFile(path: string, data: Uint8Array | string): Promise<void> {
  try {
    if (typeof data === "string") await Deno.writeTextFile(path, data);
    else await Deno.writeFile(path, data);
  } catch (e) {
    throw fsError(e, path);
  }
}

/** Where a command writes; tests pass their own. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal: progress bars go there. */
  isTerminal: boolean;
  /** stdout may be coloured. */
  color: boolean;
}

function writeAll(f: { writeSync(b: Uint8Array): number }, text: string): void {
  let b = encoder.encode(text);
  try {
    while (b.length) b = b.subarray(f.writeSync(b));
  } catch (e) {
    if (e instanceof Deno.errors.BrokenPipe) throw new ClosedPipe();
    throw e;
  }
}

/** The real terminal: stdout/stderr writes (a closed pipe is {@link ClosedPipe}) and colour. */
export function denoIo(): CommandIo {
  return {
    stdout: (s) => writeAll(Deno.stdout, s),
    stderr: (s) => writeAll(Deno.stderr, s),
    isTerminal: Deno.stderr.isTerminal(),
    color: colourEnabled(),
  };
}
