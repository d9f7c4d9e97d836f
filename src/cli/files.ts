/**
 * Files a command reads and writes: a whole file, stdin, or a byte range of a larger file or
 * device (VFIO regions sit at `index << 40`), streamed in chunks where the input can be large.
 * Every OS error becomes a one-line {@link InputError} that names the file.
 *
 * @example
 * ```ts
 * import { readRange } from "./files.ts";
 * const header = await readRange("testdata/rfc3-sample.bin", 0, 16); // only the 16 header bytes
 * header.length; // 16
 * ```
 * @module
 */
import { InputError } from "./errors.ts";
import type { Reader } from "./io.ts";

/** Largest input read whole into memory (stdin regions, hex dumps). */
export const MAX_WHOLE_INPUT = 256 * 1024 * 1024;

/** Turns an OS error into a one-line message naming the path. */
export function fsError(e: unknown, path: string): InputError {
  if (e instanceof InputError) return e;
  if (e instanceof Deno.errors.NotFound) return new InputError(`${path}: no such file`);
  if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
    return new InputError(`${path}: permission denied`);
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

async function readAll(reader: Reader, name: string, limit = MAX_WHOLE_INPUT): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  const buf = new Uint8Array(1 << 16);
  while (true) {
    const n = await reader.read(buf);
    if (n === null) break;
    total += n;
    if (total > limit) throw new InputError(`${name}: more than ${limit} bytes`);
    parts.push(buf.slice(0, n));
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
 * Reads up to `length` bytes at `offset` ('-' reads `stdin` and skips `offset`). Returns fewer
 * bytes when the input ends first; the caller decides whether that is truncation.
 */
export async function readRange(
  path: string,
  offset: number,
  length: number,
  stdin: Reader = Deno.stdin,
): Promise<Uint8Array> {
  if (path === "-") {
    const all = await readAll(stdin, "stdin", Math.min(MAX_WHOLE_INPUT, offset + length));
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

/** Reads a whole input ('-' is `stdin`), up to {@link MAX_WHOLE_INPUT}. */
export async function readWhole(path: string, stdin: Reader = Deno.stdin): Promise<Uint8Array> {
  if (path === "-") return await readAll(stdin, "stdin");
  const info = await inputInfo(path);
  if (info.size !== undefined && info.size > MAX_WHOLE_INPUT) {
    throw new InputError(`${path}: ${info.size} bytes is more than faultscope reads whole`);
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
