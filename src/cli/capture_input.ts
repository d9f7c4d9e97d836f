/**
 * Opens what `decode` reads (a file, stdin, or `--hex TEXT`) as one stream of record bytes in
 * bounded memory, whatever its size: raw records are streamed as they are; a hex dump is decoded
 * as it is read ({@link hexStream}), never read whole. Whether a file or stdin is a hex dump or
 * raw records is decided from its first 4 KiB (`inputKind`: NUL bytes mean records; UTF-8 or
 * UTF-16 text, a byte-order mark skipped, means a dump) and said. The first MiB of bytes is
 * sampled for ABI inference; when the input ends within it, its length is known even on a pipe.
 * {@link CaptureInput.shrank} tells a file that got shorter while it was read.
 *
 * @example
 * ```ts
 * import { openCapture } from "./capture_input.ts";
 * const src = await openCapture({ file: "testdata/rfc3-capture.bin" }, Deno.stdin);
 * src.length; // => 240
 * src.kind?.why; // => "a NUL byte at offset 0x1"
 * ```
 * @module
 */
import { type InputKind, inputKind, TEXT_SAMPLE } from "../codec/guess.ts";
import { HexError, type HexGroups, type HexReading, hexStream } from "../codec/hex.ts";
import { InputError } from "./errors.ts";
import { inputInfo, readChunks } from "./files.ts";
import { withHints } from "./hints.ts";
import type { Reader } from "./io.ts";

/** Bytes of record data sampled for ABI inference before the stream goes on. */
export const CAPTURE_SAMPLE = 1 << 20;

/** What to open. */
export interface CaptureSpec {
  /** A path, or `-` for stdin. */
  file?: string;
  /** Hex text given on the command line. */
  hex?: string;
  /** How to read hex groups wider than a byte. */
  hexGroups?: HexGroups;
  /** Byte order of the host a word dump came from. */
  hostOrder?: "little" | "big";
  /** Chunks of raw input are a multiple of this (records then never straddle two). */
  unit?: number;
}

/** An input opened for decoding. */
export interface CaptureInput {
  /** For messages: the path, `stdin` or `--hex`. */
  readonly name: string;
  /** Record bytes in all, when known (a file of records, or an input that ended in the sample). */
  readonly length: number | undefined;
  /** The first {@link CAPTURE_SAMPLE} bytes of record data (all of it when shorter). */
  readonly sample: Uint8Array;
  /** Every byte of record data, the sample first; a chunk is valid until the next is asked for. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** How a hex dump was read (undefined for raw records). */
  hex(): HexReading | undefined;
  /** Text or records, and why (undefined for `--hex`). */
  readonly kind: InputKind | undefined;
  /**
   * After the whole input was read: the file's size when it started and the bytes read, when the
   * file ended early (it shrank while it was read); undefined otherwise.
   */
  shrank(): { size: number; read: number } | undefined;
}

/** Turns a HexError into the one-line input error naming the input. */
function hexFailure(name: string, e: unknown): unknown {
  if (e instanceof HexError) return new InputError(`${name}: ${withHints(e.message, e.hints)}`);
  return e;
}

/** Yields `first` (already read), then the rest. */
async function* chain(first: readonly Uint8Array[], rest: AsyncIterator<Uint8Array>) {
  yield* first;
  while (true) {
    const n = await rest.next();
    if (n.done) return;
    yield n.value;
  }
}

/**
 * Reads up to {@link CAPTURE_SAMPLE} bytes of `it` into a sample (copied: chunks are reused),
 * and whether `it` ended within it.
 */
async function sampleOf(it: AsyncIterator<Uint8Array>) {
  const parts: Uint8Array[] = [];
  let got = 0, ended = false;
  while (got < CAPTURE_SAMPLE) {
    const n = await it.next();
    if (n.done) {
      ended = true;
      break;
    }
    parts.push(n.value.slice());
    got += n.value.length;
  }
  const sample = new Uint8Array(got);
  let at = 0;
  for (const p of parts) {
    sample.set(p, at);
    at += p.length;
  }
  return { parts, sample, ended };
}

/** One piece of text, as a stream. */
async function* once(text: string) {
  yield text;
}

/** Decodes text bytes in `encoding` as they come (a character may straddle two chunks). */
async function* textOf(
  chunks: AsyncIterable<Uint8Array>,
  encoding: string,
): AsyncGenerator<string> {
  const dec = new TextDecoder(encoding);
  for await (const c of chunks) yield dec.decode(c, { stream: true });
  yield dec.decode();
}

/** Opens `spec` for decoding; a missing input, or an empty one, is a one-line InputError. */
export async function openCapture(spec: CaptureSpec, stdin: Reader): Promise<CaptureInput> {
  if (spec.hex !== undefined) {
    return await fromHex("--hex", once(spec.hex), spec, undefined, () => undefined);
  }
  const file = spec.file ?? "-";
  const name = file === "-" ? "stdin" : file;
  const { size } = await inputInfo(file);
  let read = 0, done = false;
  async function* raw() {
    for await (const c of readChunks(file, spec.unit ?? 1, undefined, stdin)) {
      read += c.length;
      yield c;
    }
    done = true;
  }
  const shrank = () => done && size !== undefined && read < size ? { size, read } : undefined;
  const it = raw();
  // The first chunk is 1 MiB, or all there is: enough to tell text from records.
  const head = await it.next();
  const first = head.done ? new Uint8Array(0) : head.value;
  if (!first.length) throw new InputError(`${name}: empty input (no records)`);
  const kind = inputKind(first.subarray(0, TEXT_SAMPLE));
  if (kind.kind === "text") {
    const text = textOf(chain([first], it), kind.encoding!);
    return await fromHex(name, text, spec, kind, shrank);
  }
  const s = await sampleOf(chain([first], it)[Symbol.asyncIterator]());
  return {
    name,
    length: size ?? (s.ended ? s.sample.length : undefined),
    sample: s.sample,
    chunks: chain(s.parts, it),
    hex: () => undefined,
    kind,
    shrank,
  };
}

async function fromHex(
  name: string,
  text: AsyncIterable<string>,
  spec: CaptureSpec,
  kind: InputKind | undefined,
  shrank: CaptureInput["shrank"],
): Promise<CaptureInput> {
  const h = hexStream(text, { groups: spec.hexGroups, hostOrder: spec.hostOrder });
  async function* checked(it: AsyncIterator<Uint8Array>) {
    try {
      while (true) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    } catch (e) {
      throw hexFailure(name, e);
    }
  }
  const it = checked(h.chunks);
  const s = await sampleOf(it);
  if (!s.sample.length) throw new InputError(`${name}: empty input (no records)`);
  return {
    name,
    length: s.ended ? s.sample.length : undefined,
    sample: s.sample,
    chunks: chain(s.parts, it),
    hex: h.reading,
    kind,
    shrank,
  };
}
