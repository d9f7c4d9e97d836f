/**
 * Output files that are either complete or not there (synchronous API): bytes go to a temporary file in the same
 * directory (`.NAME.XXXXXX.tmp`), which is renamed over `NAME` only when everything was written.
 * A full disk, a write error, Ctrl-C or an exception leaves the previous `NAME` (or nothing)
 * and removes the temporary file; a killed process (SIGKILL) can leave only the temporary file,
 * never a half-written `NAME`. There is no fsync unless asked (`durable`): atomic against a
 * crash of the process, not a durability guarantee against power loss.
 *
 * Paths that are not regular files (`/dev/null`, `/dev/stdout`, a FIFO, a terminal) cannot be
 * replaced by a rename; they are written directly, in order, as a stream. Every failure is an
 * {@link OutputError}: one line naming the file, exit 2.
 *
 * @example
 * ```ts
 * import { AtomicFile, checkOutput, writeFileAtomic } from "./atomic_file.ts";
 * const out = await Deno.makeTempDir();
 * checkOutput(`${out}/chart.svg`, "chart").kind; // => "new": the directory takes a new file
 * writeFileAtomic(`${out}/chart.svg`, "<svg/>", "chart"); // all or nothing
 *
 * // Streaming: write as you go, commit at the end; leaving the block without commit cleans up.
 * {
 *   using trace = AtomicFile.open(`${out}/run.ndjson`, "trace");
 *   trace.write(new TextEncoder().encode('{"n":1}\n'));
 *   trace.commit();
 * }
 * {
 *   using lost = AtomicFile.open(`${out}/lost.ndjson`, "trace");
 *   lost.write(new TextEncoder().encode('{"n":1}\n')); // no commit: nothing is left
 * }
 * Array.from(Deno.readDirSync(out), (e) => e.name).sort(); // => ["chart.svg", "run.ndjson"]
 * await Deno.remove(out, { recursive: true });
 * ```
 * @module
 */
import { deniedReason, InputError, osWords } from "./errors.ts";

/**
 * A file could not be written; the message names it and what happened, in one line.
 *
 * @example
 * ```ts
 * import { OutputError } from "./atomic_file.ts";
 * new OutputError("/dev/full", "region image", "no space left on device").message;
 * // => "/dev/full: cannot write the region image: no space left on device"
 * ```
 */
export class OutputError extends InputError {
  /**
   * The error for a file that could not be written.
   *
   * @param path the file the user named
   * @param what what it was for ("trace", "chart"), named in the message
   * @param detail what went wrong
   */
  constructor(readonly path: string, what: string, detail: string) {
    super(`${path}: cannot write the ${what}: ${detail}`);
    this.name = "OutputError";
  }
}

/** The OS's words for the errors users meet, without "(os error N)" and the syscall. */
function reason(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "no such directory";
  if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
    return deniedReason(e);
  }
  if (e instanceof Deno.errors.IsADirectory) return "is a directory";
  const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
  if (/os error 28\b/.test(msg)) return "no space left on device";
  if (/os error 27\b/.test(msg)) return "file too large (over the file size limit)";
  if (/os error 30\b/.test(msg)) return "read-only file system";
  if (/os error 122\b/.test(msg)) return "disk quota exceeded";
  return osWords(e);
}

/** `a/b/c.bin` → `a/b`; `c.bin` → `.`. */
function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : path.slice(0, i) || "/";
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** What is at an output path before anything is written. */
export interface OutputTarget {
  /** The path as given. */
  path: string;
  /** `new`: nothing there yet; `file`: a regular file to replace; `device`: written in place. */
  kind: "new" | "file" | "device";
  /** The path writes go to: symbolic links resolved, so that a link keeps pointing at the file. */
  real: string;
}

function statOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/**
 * Checks, before any work, that `path` can be written: its directory exists and takes a new
 * file (tried by creating and removing a temporary one), and the path is not a directory.
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { checkOutput } from "./atomic_file.ts";
 * throws(() => checkOutput("/nonexistent/x.svg", "chart"), {
 *   name: "OutputError",
 *   message: "/nonexistent/x.svg: cannot write the chart: no such directory /nonexistent",
 * });
 * checkOutput("/dev/null", "trace").kind; // => "device": written in place, not renamed over
 * ```
 */
export function checkOutput(path: string, what: string): OutputTarget {
  let st: Deno.FileInfo | undefined;
  try {
    st = statOrUndefined(path);
  } catch (e) {
    throw new OutputError(path, what, reason(e));
  }
  if (st?.isDirectory) throw new OutputError(path, what, "is a directory");
  if (st && !st.isFile) return { path, kind: "device", real: path };
  let real = path;
  if (st) {
    try {
      real = Deno.realPathSync(path);
    } catch { /* keep the path as given */ }
  }
  const dir = dirOf(real);
  const dst = statOrUndefined(dir);
  if (!dst) throw new OutputError(path, what, `no such directory ${dir}`);
  if (!dst.isDirectory) throw new OutputError(path, what, `${dir} is not a directory`);
  // The one honest test of "can I create a file here": create one.
  const probe = tempName(real);
  try {
    Deno.openSync(probe, { write: true, createNew: true }).close();
  } catch (e) {
    throw new OutputError(path, what, `${reason(e)} (in ${dir})`);
  }
  try {
    Deno.removeSync(probe);
  } catch { /* it was ours and empty; nothing to do */ }
  return { path, kind: st ? "file" : "new", real };
}

function tempName(real: string): string {
  const tag = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  return `${dirOf(real)}/.${baseOf(real)}.${tag}.tmp`;
}

/**
 * A file written completely or not at all. Open it, write, then {@link AtomicFile.commit};
 * {@link AtomicFile.abort} (or leaving a `using` block without committing) removes what was
 * written and leaves the target as it was.
 *
 * @example
 * ```ts
 * import { AtomicFile } from "./atomic_file.ts";
 * const dir = await Deno.makeTempDir();
 * const image = new Uint8Array(65536);
 * const f = AtomicFile.open(`${dir}/snap.bin`, "region image");
 * try {
 *   f.write(image);
 *   f.commit(); // snap.bin now holds the whole image
 * } finally {
 *   f.abort(); // no-op after a commit
 * }
 * Deno.statSync(`${dir}/snap.bin`).size; // => 65536
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class AtomicFile implements Disposable {
  /** The temporary file, or undefined when the target is written in place (a device). */
  readonly tempPath: string | undefined;
  #file: Deno.FsFile | undefined;
  #done = false;

  private constructor(
    /** The path the user named. */
    readonly path: string,
    private readonly what: string,
    private readonly target: OutputTarget,
    private readonly durable: boolean,
  ) {
    const direct = target.kind === "device";
    this.tempPath = direct ? undefined : tempName(target.real);
    try {
      this.#file = direct
        ? Deno.openSync(path, { write: true })
        : Deno.openSync(this.tempPath!, { write: true, createNew: true, mode: 0o666 });
    } catch (e) {
      throw new OutputError(path, what, reason(e));
    }
    if (target.kind === "file" && this.tempPath) {
      // Keep the replaced file's permissions.
      try {
        Deno.chmodSync(this.tempPath, Deno.statSync(target.real).mode! & 0o7777);
      } catch { /* not fatal: the default mode stays */ }
    }
  }

  /**
   * Opens `path` for writing: a temporary file beside it, or the path itself for a device.
   *
   * @param what what the file is, for messages ("trace", "chart")
   * @param opts `durable`: fsync before the rename (slower; survives power loss)
   */
  static open(path: string, what: string, opts: { durable?: boolean } = {}): AtomicFile {
    return new AtomicFile(path, what, checkOutput(path, what), opts.durable ?? false);
  }

  /** Writes all of `data` (text is UTF-8). */
  write(data: Uint8Array | string): void {
    if (!this.#file) throw new OutputError(this.path, this.what, "already closed");
    let b = typeof data === "string" ? new TextEncoder().encode(data) : data;
    try {
      while (b.length) b = b.subarray(this.#file.writeSync(b));
    } catch (e) {
      if (e instanceof Deno.errors.BrokenPipe) throw e;
      this.abort();
      throw new OutputError(this.path, this.what, reason(e));
    }
  }

  /** Closes the file and puts it in place of the target. */
  commit(): void {
    if (this.#done) return;
    const f = this.#file;
    if (!f) throw new OutputError(this.path, this.what, "already closed");
    try {
      if (this.durable && this.tempPath) f.syncSync();
      f.close();
      this.#file = undefined;
      if (this.tempPath) Deno.renameSync(this.tempPath, this.target.real);
      this.#done = true;
    } catch (e) {
      this.abort();
      throw new OutputError(this.path, this.what, reason(e));
    }
  }

  /** Closes and removes the temporary file; the target keeps its previous contents. Idempotent. */
  abort(): void {
    if (this.#done) return;
    this.#done = true;
    try {
      this.#file?.close();
    } catch { /* already closed */ }
    this.#file = undefined;
    if (this.tempPath) {
      try {
        Deno.removeSync(this.tempPath);
      } catch { /* already gone */ }
    }
  }

  /** For `using`: aborts unless committed. */
  [Symbol.dispose](): void {
    this.abort();
  }
}

/**
 * Writes `data` to `path` completely or not at all (see {@link AtomicFile}).
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic_file.ts";
 * const dir = await Deno.makeTempDir();
 * writeFileAtomic(`${dir}/snap-000500.bin`, new Uint8Array(65536), "region image");
 * Deno.statSync(`${dir}/snap-000500.bin`).size; // => 65536
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, what: string): void {
  using f = AtomicFile.open(path, what);
  f.write(data);
  f.commit();
}
