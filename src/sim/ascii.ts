/**
 * ASCII text and numbers written straight into a reusable byte buffer, for the NDJSON trace. Building a string per event
 * and encoding it made the 100-million-event traced run allocate gigabytes of short-lived
 * strings (and the heap grew past 200 MB); ASCII digits written into one buffer allocate nothing.
 *
 * Times are written in fixed point with up to three decimals (µs to the nanosecond), from
 * `Math.round(t * 1000)`, so the text is the same on every machine.
 *
 * @example
 * ```ts
 * import { AsciiWriter } from "./ascii.ts";
 * const chunks: string[] = [];
 * const w = new AsciiWriter((b) => chunks.push(new TextDecoder().decode(b)));
 * w.raw('{"n":'); w.int(42); w.raw(',"t":'); w.time(1.5); w.raw("}\n");
 * w.flush();
 * chunks; // => ['{"n":42,"t":1.5}\n']
 * ```
 * @module
 */

const enc = new TextEncoder();

/**
 * Encodes a constant trace fragment once, for {@link AsciiWriter.bytes}.
 *
 * @example
 * ```ts
 * import { ascii } from "./ascii.ts";
 * const KEY = ascii(',"slot":'); // encoded once, written many times
 * KEY.length; // => 8
 * ```
 */
export function ascii(s: string): Uint8Array {
  return enc.encode(s);
}

/**
 * Writes ASCII text and numbers into a buffer; hands full chunks to `sink`.
 *
 * @example
 * ```ts
 * import { AsciiWriter } from "./ascii.ts";
 * let out = "";
 * const w = new AsciiWriter((b) => out += new TextDecoder().decode(b));
 * w.int(12); w.raw(" "); w.time(0.0004); w.raw("\n");
 * out; // => "": nothing reaches the sink before a flush or a full chunk
 * w.flush();
 * out; // => "12 0\n"
 * ```
 */
export class AsciiWriter {
  private buf: Uint8Array;
  private pos = 0;
  /** Where the current record (line) began: chunks are cut there, never inside a record. */
  private mark = 0;
  private readonly digits = new Uint8Array(24);
  private readonly cache = new Map<string, Uint8Array>();

  /**
   * An empty writer with a buffer of `size` bytes.
   *
   * @param sink receives each chunk; the bytes are only valid during the call (the buffer is
   *   reused), so the sink must write or copy them before returning.
   */
  constructor(private readonly sink: (chunk: Uint8Array) => void, size = 1 << 18) {
    this.buf = new Uint8Array(size);
  }

  /**
   * Marks the start of a record: when the buffer fills, the sink gets everything before the
   * mark and the record goes on in a fresh chunk, so no chunk ends inside a record (a reader of
   * a pipe, or an interrupted writer, never sees half a line).
   */
  lineStart(): void {
    this.mark = this.pos;
  }

  /** Makes room for `n` more bytes. */
  private room(n: number): void {
    if (this.pos + n > this.buf.length) {
      const partial = this.pos - this.mark;
      if (this.mark > 0) this.sink(this.buf.subarray(0, this.mark));
      if (partial + n > this.buf.length) {
        const bigger = new Uint8Array((partial + n) * 2);
        bigger.set(this.buf.subarray(this.mark, this.pos));
        this.buf = bigger;
      } else this.buf.copyWithin(0, this.mark, this.pos);
      this.pos = partial;
      this.mark = 0;
    }
  }

  /** Writes a constant fragment (encoded once, then cached). */
  raw(s: string): void {
    let b = this.cache.get(s);
    if (!b) {
      b = enc.encode(s);
      if (this.cache.size < 256) this.cache.set(s, b);
    }
    this.bytes(b);
  }

  /**
   * Writes pre-encoded bytes (see {@link ascii}). A plain loop: `TypedArray.set` costs more
   * than it saves on fragments of a dozen bytes.
   */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = b[i];
    this.pos = p;
  }

  /** Writes arbitrary text (not cached: for rare, variable strings). */
  text(s: string): void {
    const b = enc.encode(s);
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Writes an integer of magnitude below 2^53. */
  int(v: number): void {
    this.room(24);
    if (v < 0) {
      this.buf[this.pos++] = 45; // '-'
      v = -v;
    }
    // Small-integer arithmetic for the common case; doubles only past 2^31.
    if (v <= 0x7fffffff) this.smallInt(v | 0);
    else {
      const hi = Math.floor(v / 1e9);
      this.smallInt(hi);
      this.pad9((v - hi * 1e9) | 0);
    }
  }

  /** Writes a non-negative integer below 2^31. */
  private smallInt(v: number): void {
    const buf = this.buf;
    if (v < 10) {
      buf[this.pos++] = 48 + v;
      return;
    }
    const d = this.digits;
    let n = 0;
    while (v > 0) {
      const q = (v / 10) | 0;
      d[n++] = 48 + v - q * 10;
      v = q;
    }
    let p = this.pos;
    while (n > 0) buf[p++] = d[--n];
    this.pos = p;
  }

  /** Nine digits with leading zeros (the low part of a large integer). */
  private pad9(v: number): void {
    const buf = this.buf;
    let p = this.pos + 9;
    this.pos = p;
    for (let i = 0; i < 9; i++) {
      const q = (v / 10) | 0;
      buf[--p] = 48 + v - q * 10;
      v = q;
    }
  }

  /** Writes a time in µs with at most three decimals, trailing zeros dropped. */
  time(t: number): void {
    const m = Math.round(t * 1000);
    const whole = Math.floor(m / 1000);
    const frac = m - whole * 1000;
    this.int(whole);
    if (frac === 0) return;
    this.room(4);
    const buf = this.buf;
    buf[this.pos++] = 46; // '.'
    const d1 = Math.floor(frac / 100), d2 = Math.floor(frac / 10) % 10, d3 = frac % 10;
    buf[this.pos++] = 48 + d1;
    if (d2 || d3) buf[this.pos++] = 48 + d2;
    if (d3) buf[this.pos++] = 48 + d3;
  }

  /** Hands the buffered bytes to the sink. */
  flush(): void {
    if (this.pos > 0) {
      this.sink(this.buf.subarray(0, this.pos));
      this.pos = 0;
    }
    this.mark = 0;
  }
}
