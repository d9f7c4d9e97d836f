/**
 * Files a command reads and writes: a whole file, stdin, or a byte range of a larger file or
 * device (VFIO regions sit at `index << 40`), streamed in chunks where the input can be large.
 * Every OS error becomes a one-line {@link InputError} that names the file.
 *
 * @example
 * ```ts
 * import { readRange } from "./files.ts";
 * const header = await readRange("testdata/rfc3-sample.bin", 0, 16); // only the 16 header bytes
 * header.length; // => 16
 * ```
 * @module
 */
import { deniedReason, InputError } from "./errors.ts";
import type { Reader } from "./io.ts";

/** Largest input read whole into memory (stdin regions, hex dumps). */
export const MAX_WHOLE_INPUT = 256 * 1024 * 1024;

/** Turns an OS error into a one-line message naming the path. */
export function fsError(e: unknown, path: string): InputError {
  if (e instanceof InputError) return e;
  if (e instanceof Deno.errors.NotFound) return new InputError(`${path}: no such file`);
  if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
    return new InputError(`${path}: ${deniedReason(e)}`);
  }
  if (e instanceof Deno.errors.IsADirectory) return new InputError(`${path}: is a directory`);
  const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
  return new InputError(`${path}: ${msg}`);
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
    if (st.isDirectory) throw new InputError(`${path}: is a directory`);
    return { size: st.isFile ? st.size : undefined };
  } catch (e) {
    throw fsError(e, path);
  }
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
 * An input opened once. A regular file or a device is *seekable*: it is read at an offset
 * without reading what comes before, and only the bytes needed are read. stdin, a pipe, a FIFO
 * or `<(...)` is a stream: it can be opened and read only once, so whatever is needed of it is
 * read in one pass (opening a FIFO twice loses what the first open read, or blocks).
 */
export interface OpenedInput {
  /** For messages: the path, or `stdin`. */
  readonly name: string;
  /** Bytes in a regular file; undefined for streams and devices. */
  readonly size: number | undefined;
  /** Whether {@link OpenedInput.seek} works. */
  readonly seekable: boolean;
  /** Reads at the current position, like `Deno.FsFile.read`. */
  read(p: Uint8Array): Promise<number | null>;
  /** Moves to `offset` from the start (seekable inputs only). */
  seek(offset: number): Promise<void>;
  /** Closes the file (not stdin). */
  close(): void;
}

/** Opens a path once ('-' is `stdin`); every OS error is one line naming the path. */
export async function openInput(path: string, stdin: Reader = Deno.stdin): Promise<OpenedInput> {
  if (path === "-") {
    return {
      name: "stdin",
      size: undefined,
      seekable: false,
      read: (p) => stdin.read(p),
      seek: () => Promise.reject(new InputError("stdin: cannot seek")),
      close() {},
    };
  }
  let file: Deno.FsFile | undefined;
  try {
    const st = await Deno.stat(path);
    if (st.isDirectory) throw new InputError(`${path}: is a directory`);
    file = await Deno.open(path, { read: true });
    const f = file;
    return {
      name: path,
      size: st.isFile ? st.size : undefined,
      seekable: st.isFile || st.isCharDevice === true || st.isBlockDevice === true,
      async read(p) {
        try {
          return await f.read(p);
        } catch (e) {
          throw fsError(e, path);
        }
      },
      async seek(offset) {
        try {
          await f.seek(offset, Deno.SeekMode.Start);
        } catch (e) {
          throw fsError(e, path);
        }
      },
      close: () => f.close(),
    };
  } catch (e) {
    file?.close();
    throw fsError(e, path);
  }
}

/**
 * Reads up to `length` bytes from where the input stands (fewer when it ends first). Memory
 * follows what is read, not `length`: a bound of 256 MiB on a 10-byte pipe costs 64 KiB.
 */
export async function readUpTo(input: OpenedInput, length: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let got = 0;
  while (got < length) {
    const buf = new Uint8Array(Math.min(length - got, 1 << 16));
    let fill = 0;
    while (fill < buf.length) {
      const n = await input.read(buf.subarray(fill));
      if (n === null) break;
      fill += n;
    }
    parts.push(fill === buf.length ? buf : buf.subarray(0, fill));
    got += fill;
    if (fill < buf.length) break;
  }
  return parts.length === 1 ? parts[0] : concat(parts);
}

/**
 * Reads up to `length` bytes at `offset` ('-' reads `stdin` and skips `offset`). Returns fewer
 * bytes when the input ends first; the caller decides whether that is truncation.
 */
export async function readRange(
  path: string,
  offset: number,
  length: number,
  stdin: Reader = Deno.stdin,
): Promise<Uint8Array> {
  const input = await openInput(path, stdin);
  try {
    if (input.seekable) await input.seek(offset);
    else if (offset > MAX_WHOLE_INPUT) {
      throw new InputError(`${input.name}: cannot skip ${offset} bytes of a stream`);
    } else await readUpTo(input, offset);
    return await readUpTo(input, Math.min(length, MAX_WHOLE_INPUT));
  } finally {
    input.close();
  }
}

/** Reads a whole input ('-' is `stdin`), up to {@link MAX_WHOLE_INPUT}. */
export async function readWhole(path: string, stdin: Reader = Deno.stdin): Promise<Uint8Array> {
  const input = await openInput(path, stdin);
  try {
    if (input.size !== undefined && input.size > MAX_WHOLE_INPUT) {
      throw new InputError(`${path}: ${input.size} bytes is more than faultscope reads whole`);
    }
    const bytes = await readUpTo(input, (input.size ?? MAX_WHOLE_INPUT) + 1);
    if (bytes.length > MAX_WHOLE_INPUT) {
      throw new InputError(`${input.name}: more than ${MAX_WHOLE_INPUT} bytes`);
    }
    return bytes;
  } finally {
    input.close();
  }
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
  stdin: Reader = Deno.stdin,
): AsyncGenerator<Uint8Array> {
  const size = Math.max(unit, chunkBytes - (chunkBytes % unit));
  let file: Deno.FsFile | undefined;
  try {
    const reader = path === "-" ? stdin : (file = await Deno.open(path, { read: true }));
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

/** Writes a file, naming it in any error. */
export async function writeFile(path: string, data: Uint8Array | string): Promise<void> {
  try {
    if (typeof data === "string") await Deno.writeTextFile(path, data);
    else await Deno.writeFile(path, data);
  } catch (e) {
    throw fsError(e, path);
  }
}
