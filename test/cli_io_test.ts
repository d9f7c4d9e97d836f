/**
 * The buffered stdout writer: text and bytes written straight into its buffer come out in the
 * order they were given, in writes of at most the buffer's size, whatever their sizes; a reader
 * that went away is a ClosedPipe. And any other writer (a test's captured terminal) gets the
 * bytes as text.
 */
import assert from "node:assert/strict";
import {
  byteWriter,
  ClosedPipe,
  Output,
  OUTPUT_BUFFER,
  PIPE_CHUNK,
  type Writer,
} from "../src/cli/io.ts";

/** A sink that keeps every write, taking at most `most` bytes a call (a pipe's partial write). */
function sink(most = Infinity) {
  const writes: Uint8Array[] = [];
  return {
    writes,
    writeSync(p: Uint8Array) {
      const n = Math.min(p.length, most);
      writes.push(p.slice(0, n));
      return n;
    },
    text: () => new TextDecoder().decode(concat(writes)),
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), o += p.length);
  return out;
}

/** Writes `text` (ASCII) through the byte interface, `chunk` bytes of room at a time. */
function putBytes(out: Output, text: string, chunk: number) {
  for (let i = 0; i < text.length; i += chunk) {
    const part = text.slice(i, i + chunk);
    const buf = out.room(part.length);
    for (let k = 0; k < part.length; k++) buf.bytes[out.pos + k] = part.charCodeAt(k);
    out.pos += part.length;
  }
  out.settle();
}

Deno.test("Output: text and bytes keep their order; nothing is written before flush or a full buffer", () => {
  const s = sink();
  const out = new Output(s);
  out.write("head ");
  out.line("é"); // two bytes in UTF-8
  putBytes(out, "bytes\n", 3);
  out.line("tail");
  assert.equal(s.writes.length, 0, "still buffered");
  out.flush();
  assert.equal(s.text(), "head é\nbytes\ntail\n");
  assert.equal(s.writes.length, 1);
  out.flush();
  assert.equal(s.writes.length, 1, "an empty flush writes nothing");
});

Deno.test("Output: megabytes of text and bytes go out in buffer-sized writes, in order, none lost", () => {
  const s = sink(100_000); // partial writes, like a pipe's
  const out = new Output(s);
  const a = "a".repeat(3 * OUTPUT_BUFFER + 17), b = "0123456789".repeat(250_000);
  const c = "€".repeat(OUTPUT_BUFFER); // 3 bytes each: encodeInto fills the buffer mid-string
  out.write(a);
  putBytes(out, b, 4096);
  out.write(c);
  out.flush();
  assert.equal(s.text(), a + b + c);
  assert.ok(s.writes.every((w) => w.length <= OUTPUT_BUFFER));
  const total = a.length + b.length + 3 * c.length;
  assert.ok(s.writes.length < 2 * Math.ceil(total / 100_000), `${s.writes.length} writes`);
});

Deno.test("Output: to a pipe, one pipe's worth a write; the write size asked only of a long output", () => {
  // A write larger than the pipe blocks until the reader drained all of it, so the writer stops
  // encoding meanwhile: to a pipe, faultscope writes 64 KiB (Linux's pipe capacity) at a time.
  let asked = 0;
  const pipeSize = () => (asked++, PIPE_CHUNK);
  const s = sink();
  const short = new Output(s, pipeSize);
  short.line("a table of a few rows");
  short.flush();
  assert.equal(asked, 0, "a short output never asks what stdout is");
  const out = new Output(s, pipeSize);
  const text = "0123456789abcdef".repeat(40_000); // 640,000 bytes
  out.write(text);
  putBytes(out, text, 4096);
  out.flush();
  assert.equal(asked, 1);
  assert.equal(s.text(), "a table of a few rows\n" + text + text);
  assert.ok(s.writes.slice(1).every((w) => w.length <= PIPE_CHUNK));
  assert.equal(s.writes.length, 1 + Math.ceil((2 * text.length) / PIPE_CHUNK));
  // To a file, the buffer grows to a MiB once the first pipe's worth is full, keeping its bytes.
  const f = sink();
  const file = new Output(f);
  file.write(text);
  file.flush();
  assert.deepEqual(f.writes.map((w) => w.length), [text.length]);
});

Deno.test("Output: room for more than the buffer holds grows it", () => {
  const s = sink();
  const out = new Output(s);
  putBytes(out, "x".repeat(OUTPUT_BUFFER + 5), OUTPUT_BUFFER + 5);
  out.flush();
  assert.equal(s.text().length, OUTPUT_BUFFER + 5);
});

Deno.test("Output: a reader that went away is a ClosedPipe", () => {
  const out = new Output({
    writeSync() {
      throw new Deno.errors.BrokenPipe("broken pipe");
    },
  });
  out.line("x");
  assert.throws(() => out.flush(), ClosedPipe);
});

Deno.test("byteWriter of a text writer: the bytes arrive as text at each settle", () => {
  let text = "";
  const w: Writer = {
    write: (t) => void (text += t),
    line: (t = "") => void (text += t + "\n"),
    flush() {},
  };
  const bw = byteWriter(w);
  const buf = bw.room(4);
  buf.view.setUint32(bw.pos, 0x0aa282e2, true); // U+20A2 (e2 82 a2) and a newline
  bw.pos += 4;
  assert.equal(text, "", "not before settle");
  bw.settle();
  assert.equal(text, "\u20a2\n");
  const out = new Output(sink());
  assert.equal(byteWriter(out), out, "the Output is its own byte writer");
});
