/**
 * A capture is records of one size back to back, read as a stream of chunks. This turns the
 * chunks into runs of whole records, in bounded memory, whatever the chunk boundaries: a record
 * cut by a boundary is carried over (a few bytes copied), so a record size that does not divide
 * the chunk size still decodes right. {@link captureUnit} picks a chunk unit that every
 * registered record size divides, so normally nothing is carried at all.
 *
 * @example
 * ```ts
 * import { captureUnit, readCapture } from "./capture.ts";
 * captureUnit([20, 24, 40, 48, 64]); // => 960
 * async function* chunks() { yield new Uint8Array(70); yield new Uint8Array(26); }
 * const capture = readCapture(chunks(), 48);
 * let n = 0;
 * for await (const run of capture.runs) n += run.count;
 * n; // => 2: the second record straddled the two chunks
 * capture.end().trailing; // => undefined: 96 bytes are two whole records
 * capture.end().bytes; // => 96
 * ```
 * @module
 */
import { RECORD_LIST } from "../abi/records.ts";

const gcd = (a: number, b: number): number => b === 0 ? a : gcd(b, a % b);

/** Largest unit {@link captureUnit} returns; past it, straddling records are carried instead. */
export const MAX_CAPTURE_UNIT = 1 << 16;

/**
 * The least common multiple of the record sizes (every registered generation by default): a
 * chunk that is a multiple of it ends on a record boundary whatever the generation. Capped at
 * {@link MAX_CAPTURE_UNIT} (an odd size would make it huge); records then straddle chunks and
 * are carried over.
 */
export function captureUnit(sizes: readonly number[] = RECORD_LIST.map((r) => r.size)): number {
  const lcm = sizes.reduce((l, s) => (l / gcd(l, s)) * s, 1);
  return lcm <= MAX_CAPTURE_UNIT ? lcm : 1;
}

/** Whole records, contiguous in one buffer. */
export interface RecordRun {
  /** The bytes of the run's records. */
  readonly bytes: Uint8Array;
  /** A view of `bytes`. */
  readonly dv: DataView;
  /** Byte offset of `bytes[0]` in the capture. */
  readonly base: number;
  /** Index of the run's first record in the capture. */
  readonly index: number;
  /** Records in the run. */
  readonly count: number;
  /** Bytes per record. */
  readonly size: number;
}

/** How the capture ended. */
export interface CaptureEnd {
  /** Records yielded. */
  readonly records: number;
  /** Bytes read: a whole capture's length, unless the limit stopped the reading first. */
  readonly bytes: number;
  /** Bytes after the last whole record, when the capture is not a multiple of the size. */
  readonly trailing?: { readonly offset: number; readonly length: number };
  /** The record limit stopped the reading (the rest of the input was not read). */
  readonly limited: boolean;
}

/** A capture being read: the runs, then how it ended. */
export interface Capture {
  /** Runs of whole records, in order; a run's buffer may be reused by the next one. */
  readonly runs: AsyncIterable<RecordRun>;
  /** How it ended (after `runs` is exhausted, or stopped at the limit). */
  end(): CaptureEnd;
}

/**
 * Reads records of `size` bytes from `chunks`, at most `limit` of them (the input is not read
 * past the limit). Chunks may be reused by their producer after each run is consumed.
 */
export function readCapture(
  chunks: AsyncIterable<Uint8Array>,
  size: number,
  limit = Infinity,
): Capture {
  let records = 0, base = 0, limited = false;
  let trailing: CaptureEnd["trailing"];
  async function* runs(): AsyncGenerator<RecordRun> {
    if (limit <= 0) return stop(0);
    const carry = new Uint8Array(size);
    let held = 0; // bytes of a record cut by the previous chunk's end
    for await (const chunk of chunks) {
      let at = 0;
      if (held) {
        const take = Math.min(size - held, chunk.length);
        carry.set(chunk.subarray(0, take), held);
        held += take;
        at = take;
        if (held < size) {
          base += chunk.length;
          continue;
        }
        yield run(carry, base - (held - take), 1);
        held = 0;
        if (records >= limit) return stop(take);
      }
      const n = Math.min(Math.floor((chunk.length - at) / size), limit - records);
      if (n > 0) yield run(chunk.subarray(at, at + n * size), base + at, n);
      if (records >= limit) return stop(at + n * size);
      const rest = chunk.subarray(at + n * size);
      carry.set(rest, 0);
      held = rest.length;
      base += chunk.length;
    }
    if (held) trailing = { offset: base - held, length: held };
  }
  function run(bytes: Uint8Array, at: number, count: number): RecordRun {
    const r = {
      bytes,
      dv: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      base: at,
      index: records,
      count,
      size,
    };
    records += count;
    return r;
  }
  /** The limit was reached `used` bytes into the current chunk. */
  function stop(used: number) {
    limited = true;
    base += used;
  }
  return { runs: runs(), end: () => ({ records, bytes: base, trailing, limited }) };
}
