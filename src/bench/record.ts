/**
 * The records the ring moves in tests and benchmarks: real `struct iommu_fault` records (a
 * `DMA_UNRECOV` / `WALK_EABT` event, every validity flag set, reserved and padding bytes zero)
 * that also carry a sequence number, a timestamp and a checksum, so a region image dumped
 * mid-run is a valid region and every record can be checked for loss, duplication, reordering
 * and tearing.
 *
 * Where the payload goes (field offsets come from `RECORDS`, never from here):
 * - `addr` = `seq << 12`: a page address whose page frame number is the sequence number;
 * - `pasid` = `seq & 0xfffff` (20 bits, as PCIe allows);
 * - `fetch_addr` low word = producer timestamp in ns modulo 2^32 (see {@link LatencyClock});
 *   high word = checksum.
 *
 * The checksum is a position-weighted sum `Σ imul(word[k], weight(k))` over every 32-bit word
 * of the record except the checksum word itself. Weights are odd, so a change to any single word
 * always changes the sum; a record mixing words of two records (a torn read) changes `seq`-derived
 * words and the timestamp together and is caught with probability 1 - 2^-32 at worst.
 *
 * Words are read and written through an `Int32Array` over the shared buffer: records are 4-byte
 * aligned in every layout, the host is little-endian (checked in `region.ts`), and an `Int32Array`
 * copy never canonicalises bits the way a `Float64Array` copy may canonicalise NaN payloads.
 *
 * @example
 * ```ts
 * import { BenchRecordCodec } from "./record.ts";
 * const codec = new BenchRecordCodec("mainline");
 * const words = new Int32Array(codec.words);
 * codec.write(words, 0, 42, 1000);
 * codec.check(words, 0); // => 42
 * words[3] ^= 1;
 * codec.check(words, 0); // => -1: corrupted
 * ```
 * @module
 */
import { FAULT_TYPE, RECORDS } from "../abi/records.ts";
import type { AbiId, EnumDesc, Field, FlagSet, ScalarField } from "../abi/types.ts";

/** Record ABIs the bench record can be built for. */
export type BenchAbi = "rfc3" | "mainline";

/** A scalar field and its absolute byte offset in the record. */
interface Located {
  readonly field: ScalarField;
  readonly offset: number;
}

function locate(fields: readonly Field[], name: string, base = 0, variant = "event"): Located {
  for (const f of fields) {
    if (f.kind === "scalar" && f.name === name) return { field: f, offset: base + f.offset };
    if (f.kind === "union") {
      const v = f.variants.find((x) => x.name === variant);
      if (v !== undefined) {
        try {
          return locate(v.fields, name, base + f.offset, variant);
        } catch { /* not in this union: keep looking */ }
      }
    }
  }
  throw new Error(`record has no field ${name}`);
}

function enumValue(desc: EnumDesc | undefined, name: string): number {
  const v = desc?.values.find((x) => x.name === name);
  if (v === undefined) throw new Error(`enum has no ${name}`);
  return v.value;
}

function allBits(flags: FlagSet | undefined): number {
  let m = 0;
  for (const b of flags?.bits ?? []) m |= 1 << b.bit;
  return m;
}

/** Odd weight of word `k`: multiplication by it is a bijection modulo 2^32. */
function weight(k: number): number {
  return (Math.imul(2 * k + 1, 0x9e3779b1) | 1) >>> 0;
}

/** Writes record `seq` with timestamp `ts` (u32 ns) at word index `base` of `w`. */
export type RecordWriter = (w: Int32Array, base: number, seq: number, ts: number) => void;
/** Checks the record at word index `base`: its sequence number (u32), or -1 if corrupt/torn. */
export type RecordChecker = (w: Int32Array, base: number) => number;
/**
 * Writes records `seq`, `seq + 1`, ... (u32, wrapping) at word indices `b`, `b + words`, ...
 * below `end`, all stamped `ts`.
 */
export type RecordFiller = (w: Int32Array, b: number, end: number, seq: number, ts: number) => void;
/** Pairs a {@link RecordScanner} can report per call: `runs` holds `1 + 2 * RUN_SLOTS` words. */
export const RUN_SLOTS = 32;
/**
 * Checks records at word indices `b`, `b + words`, ... below `end`, expecting them intact and
 * carrying sequence numbers `next`, `next + 1`, ... (compared modulo 2^32). Returns the word
 * index of the first record that is not exactly what was expected (or `end`). The runs of good
 * records that share a producer timestamp go into `runs`: `runs[0]` pairs, then `(ts, count)`
 * per run; the scan also stops before a record that would need a pair beyond {@link RUN_SLOTS}.
 */
export type RecordScanner = (
  w: Int32Array,
  b: number,
  end: number,
  next: number,
  runs: Int32Array,
) => number;

/** The generated run writer: {@link RecordFiller} with a BigInt64Array view `q` of `w`. */
type WideFiller = (
  w: Int32Array,
  q: BigInt64Array,
  b: number,
  end: number,
  seq: number,
  ts: number,
) => void;
/** The generated run checker: {@link RecordScanner} with a BigInt64Array view `q` of `w`. */
type WideScanner = (
  w: Int32Array,
  q: BigInt64Array,
  b: number,
  end: number,
  next: number,
  runs: Int32Array,
) => number;

/**
 * Writes and checks bench records of one ABI.
 *
 * The writer and the checker are generated once per ABI as straight-line code with the word
 * offsets and weights as constants (as the codec's decoders are): a generic loop over a template
 * cost 13 ns per 64-byte record to write and 11.5 ns to check here, the unrolled form about
 * 3 ns, and at 40 M records/s each side has 25 ns per record in all. See bench/ring_record.ts.
 *
 * @example
 * ```ts
 * import { BenchRecordCodec } from "./record.ts";
 * const c = new BenchRecordCodec("rfc3");
 * c.words; // => 12: the 48-byte RFC v3 record
 * ```
 */
export class BenchRecordCodec {
  /** Record ABI. */
  readonly abi: BenchAbi;
  /** Bytes per record. */
  readonly size: number;
  /** 32-bit words per record. */
  readonly words: number;
  /** Word index of the checksum (high word of `fetch_addr`). */
  readonly checkWord: number;
  /** Word index of the timestamp (low word of `fetch_addr`). */
  readonly tsWord: number;
  /** Word index of `pasid`. */
  readonly pasidWord: number;
  /** Word index of the low word of `addr` (the high word follows). */
  readonly addrWord: number;
  /**
   * The words every record shares (type, reason, flags, perm, zeros), with 0 in the words that
   * vary (`pasid`, `addr`, `fetch_addr`): what another implementation needs to write the same
   * records (see bench/c/ring.c).
   */
  readonly template: Int32Array;
  /**
   * Writes every word of record `seq` (the kernel copies the whole struct, and so do we), with
   * timestamp `ts` (u32 ns), at word index `base` of `w`.
   */
  readonly write: RecordWriter;
  /**
   * Checks every word of the record at word index `base` against the checksum and the
   * sequence-derived fields; returns its sequence number (u32), or -1 if corrupt or torn.
   */
  readonly check: RecordChecker;
  readonly #fill: WideFiller;
  readonly #scan: WideScanner;
  #lastW: Int32Array | undefined;
  #lastQ: BigInt64Array | undefined;

  /** Generates the writer and checkers of `abi`'s records from the ABI data. */
  constructor(abi: BenchAbi) {
    this.abi = abi;
    const rec = RECORDS[abi as AbiId];
    this.size = rec.size;
    this.words = rec.size >> 2;
    const type = locate(rec.fields, "type");
    const reason = locate(rec.fields, "reason");
    const pasid = locate(rec.fields, "pasid");
    const addr = locate(rec.fields, "addr");
    const fetch = locate(rec.fields, "fetch_addr");
    const t = new Int32Array(this.words);
    t[type.offset >> 2] = enumValue(FAULT_TYPE, "DMA_UNRECOV");
    // WALK_EABT is the reason that expects FETCH_ADDR_VALID: the fetch_addr we fill is then
    // meaningful to a validator, not a field set while its valid bit is clear.
    t[reason.offset >> 2] = enumValue(reason.field.enum, "WALK_EABT");
    if (abi === "rfc3") {
      t[locate(rec.fields, "pasid_valid").offset >> 2] = 1;
    } else {
      const flags = locate(rec.fields, "flags");
      t[flags.offset >> 2] = allBits(flags.field.flags);
      const perm = locate(rec.fields, "perm");
      t[perm.offset >> 2] = 1 << (perm.field.flags?.bits.find((b) => b.name === "READ")?.bit ?? 0);
    }
    const P = pasid.offset >> 2;
    const AL = addr.offset >> 2;
    this.pasidWord = P;
    this.addrWord = AL;
    this.template = t;
    const AH = AL + 1;
    this.tsWord = fetch.offset >> 2;
    this.checkWord = this.tsWord + 1;
    const T = this.tsWord;
    const C = this.checkWord;
    let base = 0;
    for (let k = 0; k < this.words; k++) base = (base + Math.imul(t[k], weight(k))) | 0;
    const wr: string[] = [
      "const pasid = seq & 0xfffff, lo = seq << 12, hi = seq >>> 20;",
    ];
    for (let k = 0; k < this.words; k++) {
      const v = k === P
        ? "pasid"
        : k === AL
        ? "lo"
        : k === AH
        ? "hi"
        : k === T
        ? "ts"
        : k === C
        ? `(${base} + Math.imul(pasid, ${weight(P)}) + Math.imul(lo, ${weight(AL)}) + ` +
          `Math.imul(hi, ${weight(AH)}) + Math.imul(ts, ${weight(T)})) | 0`
        : String(t[k]);
      wr.push(`w[b + ${k}] = ${v};`);
    }
    // Words that never change are compared with their value (one OR-fold, one branch); the
    // words that change are covered by the checksum. Both together check every byte.
    const fixed: string[] = [];
    for (let k = 0; k < this.words; k++) {
      if (k === P || k === AL || k === AH || k === T || k === C) continue;
      fixed.push(t[k] === 0 ? `w[b + ${k}]` : `(w[b + ${k}] ^ ${t[k]})`);
    }
    const ck = [
      `if ((${fixed.join(" | ")}) !== 0) return -1;`,
      `const pasid = w[b + ${P}], lo = w[b + ${AL}], hi = w[b + ${AH}], ts = w[b + ${T}];`,
      `if (((${base} + Math.imul(pasid, ${weight(P)}) + Math.imul(lo, ${weight(AL)}) + ` +
      `Math.imul(hi, ${weight(AH)}) + Math.imul(ts, ${
        weight(T)
      })) | 0) !== w[b + ${C}]) return -1;`,
      `const seq = ((lo >>> 12) | (hi << 20)) >>> 0;`,
      `return pasid === (seq & 0xfffff) ? seq : -1;`,
    ];
    this.write = new Function("w", "b", "seq", "ts", wr.join("\n")) as RecordWriter;
    this.check = new Function("w", "b", ck.join("\n")) as RecordChecker;

    // The run forms. `seq` and `next` are kept as int32 (sequence numbers modulo 2^32), so the
    // loops stay in integer registers whatever the run's length. Pairs of words that never
    // change (type and padding, zeros) are written and compared as one 64-bit word through a
    // BigInt64Array view of the same memory (V8 keeps those in registers): 11 stores and 12
    // loads per 64-byte record instead of 16 and 16 (records start on 8-byte boundaries in
    // every layout; the host is little-endian, checked in region.ts).
    const W = this.words;
    const varying = new Set([P, AL, AH, T, C]);
    const pairs: { k: number; lit: string }[] = [];
    const singles: number[] = [];
    for (let k = 0; k < W; k++) {
      if (varying.has(k)) continue;
      if ((k & 1) === 0 && k + 1 < W && !varying.has(k + 1)) {
        const v = BigInt.asIntN(64, BigInt(t[k] >>> 0) | (BigInt(t[k + 1] >>> 0) << 32n));
        pairs.push({ k, lit: `${v}n` });
        k++;
      } else {
        singles.push(k);
      }
    }
    const fl = [
      `if ((b & 1) !== 0) throw new RangeError("records must start on an 8-byte boundary");`,
      `const tsTerm = (${base} + Math.imul(ts, ${weight(T)})) | 0;`,
      `let s = seq | 0;`,
      `for (let h = b >> 1; b < end; b += ${W}, h += ${W >> 1}) {`,
      `  const pasid = s & 0xfffff, lo = s << 12, hi = s >>> 20;`,
      ...pairs.map(({ k, lit }) => `  q[h + ${k >> 1}] = ${lit};`),
      ...singles.map((k) => `  w[b + ${k}] = ${t[k]};`),
      `  w[b + ${P}] = pasid;`,
      `  w[b + ${AL}] = lo;`,
      `  w[b + ${AH}] = hi;`,
      `  w[b + ${T}] = ts;`,
      `  w[b + ${C}] = (tsTerm + Math.imul(pasid, ${weight(P)}) + Math.imul(lo, ${weight(AL)}) + ` +
      `Math.imul(hi, ${weight(AH)})) | 0;`,
      `  s = (s + 1) | 0;`,
      `}`,
    ];
    const fixed64 = pairs.map(({ k, lit }) =>
      lit === "0n" ? `q[h + ${k >> 1}]` : `(q[h + ${k >> 1}] ^ ${lit})`
    );
    const fixed32 = singles.map((k) => t[k] === 0 ? `w[b + ${k}]` : `(w[b + ${k}] ^ ${t[k]})`);
    const sc = [
      `if ((b & 1) !== 0) throw new RangeError("records must start on an 8-byte boundary");`,
      // No call in the loop (a call there made V8 keep every value in memory across it, 1.6x
      // the time): runs of one timestamp are counted in registers and stored on a change.
      `let n = next | 0, runTs = 0, run = 0, k = 0;`,
      `for (let h = b >> 1; b < end; b += ${W}, h += ${W >> 1}) {`,
      `  const pasid = w[b + ${P}], lo = w[b + ${AL}], hi = w[b + ${AH}], ts = w[b + ${T}];`,
      `  const seq = (lo >>> 12) | (hi << 20);`,
      `  const sum = (${base} + Math.imul(pasid, ${weight(P)}) + Math.imul(lo, ${weight(AL)}) + ` +
      `Math.imul(hi, ${weight(AH)}) + Math.imul(ts, ${weight(T)})) | 0;`,
      fixed64.length > 0 ? `  if ((${fixed64.join(" | ")}) !== 0n) break;` : "",
      `  if ((${[...fixed32, `(sum ^ w[b + ${C}])`].join(" | ")} | (pasid ^ (seq & 0xfffff)) | ` +
      `(seq ^ n)) !== 0) break;`,
      `  if (ts !== runTs || run === 0) {`,
      `    if (run !== 0) {`,
      `      if (k === ${RUN_SLOTS - 1}) break;`,
      `      runs[1 + 2 * k] = runTs;`,
      `      runs[2 + 2 * k] = run;`,
      `      k++;`,
      `    }`,
      `    runTs = ts;`,
      `    run = 0;`,
      `  }`,
      `  n = (n + 1) | 0;`,
      `  run++;`,
      `}`,
      `if (run !== 0) {`,
      `  runs[1 + 2 * k] = runTs;`,
      `  runs[2 + 2 * k] = run;`,
      `  k++;`,
      `}`,
      `runs[0] = k;`,
      `return b;`,
    ];
    this.#fill = new Function("w", "q", "b", "end", "seq", "ts", fl.join("\n")) as WideFiller;
    this.#scan = new Function("w", "q", "b", "end", "next", "runs", sc.join("\n")) as WideScanner;
  }

  /**
   * Writes a run of consecutive records: records `seq`, `seq + 1`, ... (u32, wrapping) at word
   * indices `b`, `b + words`, ... below `end`, all stamped `ts`. The producer's hot loop,
   * generated like `write`, with the batch's timestamp term of the checksum computed once.
   */
  fill(w: Int32Array, b: number, end: number, seq: number, ts: number): void {
    this.#fill(w, this.#wide(w), b, end, seq, ts);
  }

  /**
   * Checks a run of records the consumer expects in order: records at word indices `b`,
   * `b + words`, ... below `end`, expected intact and carrying sequence numbers `next`,
   * `next + 1`, ... (compared modulo 2^32). Returns the word index of the first record that is
   * not exactly what was expected (or `end`); the caller classifies that one with `check`
   * (lost, duplicated, reordered or torn). The runs of good records sharing a producer
   * timestamp go into `runs` (see {@link RecordScanner}); the scan stops early when they would
   * not fit. The consumer's hot loop, generated like `check`.
   */
  scan(w: Int32Array, b: number, end: number, next: number, runs: Int32Array): number {
    return this.#scan(w, this.#wide(w), b, end, next, runs);
  }

  /** A BigInt64Array over the same memory as `w` (kept for the last `w` seen). */
  #wide(w: Int32Array): BigInt64Array {
    if (w !== this.#lastW) {
      const start = w.byteOffset & ~7;
      this.#lastW = w;
      this.#lastQ = new BigInt64Array(w.buffer, start, (w.byteOffset + w.byteLength - start) >> 3);
      // The generated code indexes from the buffer's 8-byte word 0, like w from its word 0.
      if (w.byteOffset !== start) throw new RangeError("word views must start 8-byte aligned");
    }
    return this.#lastQ!;
  }

  /** Producer timestamp (u32 ns) of the record at word index `base`. */
  timestamp(w: Int32Array, base: number): number {
    return w[base + this.tsWord] >>> 0;
  }
}

/**
 * The record every baseline moves: the 64-byte mainline `iommu_fault`, as in `dma-fault`.
 *
 * @example
 * ```ts
 * import { baselineCodec } from "./record.ts";
 * baselineCodec().size; // => 64
 * ```
 */
export function baselineCodec(): BenchRecordCodec {
  return new BenchRecordCodec("mainline");
}
