/**
 * Decoder micro-benchmarks (issue 2 target: >= 25 M mainline records/s into record objects).
 * Each iteration decodes 10,000 records; records/s = 10,000 / (time per iteration).
 * Baselines in the same run: a generic interpreter walking the same field list, and the
 * object-then-JSON.stringify path that the compiled JSON-line writer replaced. Also how fast the
 * hex parser refuses a `*` line that would repeat past its limit (the test only asserts that it
 * does), what ABI inference costs once per input (every candidate whose size divides the input,
 * scored on its first 256 records), and reading a word-grouped dump against a byte dump.
 *
 * @example
 * ```sh
 * deno bench -A bench/decode_bench.ts
 * ```
 * @module
 */
import { RECORDS } from "../src/abi/records.ts";
import type { Field } from "../src/abi/types.ts";
import { type DecodedFields, decoderFor } from "../src/codec/decode.ts";
import { encodeInto } from "../src/codec/encode.ts";
import { recordJson } from "../src/codec/json.ts";
import { byteBuffer, jsonLineBytes, jsonLineWriter } from "../src/codec/jsonline.ts";
import { HexError, hexLines, parseHex } from "../src/codec/hex.ts";
import { guessAbi } from "../src/codec/guess.ts";

const N = 10_000;
const buf = new Uint8Array(N * 64);
const dv = new DataView(buf.buffer);
for (let i = 0; i < N; i++) {
  encodeInto(
    "mainline",
    i % 3 === 2
      ? { type: 2, prm: { flags: 3, pasid: i, grpid: i & 0x1ff, perm: 1, addr: BigInt(i) << 12n } }
      : {
        type: 1,
        event: { reason: 6, flags: 3, pasid: i, perm: 3, addr: 0xdeadb000n + BigInt(i) },
      },
    dv,
    i * 64,
  );
}

/** What the decoder would be without compilation: walk the description per record. */
function interpret(fields: readonly Field[], base: number): DecodedFields {
  const out: DecodedFields = {};
  for (const f of fields) {
    if (f.kind === "scalar") {
      out[f.name] = f.type === "u32"
        ? dv.getUint32(base + f.offset, true)
        : dv.getBigUint64(base + f.offset, true);
    } else if (f.kind === "array") {
      out[f.name] = Array.from(
        { length: f.count },
        (_, i) => dv.getBigUint64(base + f.offset + 8 * i, true),
      );
    } else if (f.kind === "union") {
      const v = f.variants.find((v) => v.when === out[f.selector]);
      if (v) out[v.name] = interpret(v.fields, base + f.offset);
    }
  }
  return out;
}

let sink = 0;
// Decoded records are kept, as a consumer would keep them: reading one field of a record that
// is then dropped lets V8 elide the allocation and made the decoder look ~4x faster than it is.
const kept: DecodedFields[] = new Array(N);
const decode = decoderFor("mainline");
Deno.bench("decode mainline: compiled decoder", { group: "decode", baseline: true }, () => {
  for (let i = 0; i < N; i++) kept[i] = decode(dv, i * 64, true);
  sink += kept[N - 1].type as number;
});
Deno.bench("decode mainline: interpreted field walk", { group: "decode" }, () => {
  for (let i = 0; i < N; i++) kept[i] = interpret(RECORDS.mainline.fields, i * 64);
  sink += kept[N - 1].type as number;
});

// `decode --ndjson`'s path: lines written as bytes into one reused buffer, with their position
// keys, as the command writes them (a 1 MiB buffer, written out when full).
const bytesWriter = jsonLineBytes("mainline", ["index", "offset"]);
const out = byteBuffer(1 << 20);
Deno.bench("ndjson mainline: compiled JSON byte writer", { group: "json", baseline: true }, () => {
  let p = 0;
  for (let i = 0; i < N; i++) {
    if (out.bytes.length - p < bytesWriter.maxBytes + 1) [sink, p] = [sink + p, 0];
    p = bytesWriter.write(dv, i * 64, true, out, p, i, i * 64);
    out.bytes[p++] = 10;
  }
  sink += p;
});
const line = jsonLineWriter("mainline");
Deno.bench("ndjson mainline: the same lines as strings (watch)", { group: "json" }, () => {
  for (let i = 0; i < N; i++) {
    sink += line(dv, i * 64, true, `"index":${i},"offset":${i * 64}`).length;
  }
});
Deno.bench("ndjson mainline: decode + recordJson + JSON.stringify", { group: "json" }, () => {
  for (let i = 0; i < N; i++) {
    sink +=
      JSON.stringify(recordJson("mainline", decode(dv, i * 64, true), { index: i, offset: i * 64 }))
        .length;
  }
});

// 23 characters asking for 2 GiB of repeats: refused at the `*`, before any byte is repeated.
Deno.bench("hex: '*' up to offset 0x7fffffff is refused", { group: "hex" }, () => {
  try {
    parseHex("0000: 00\n*\n7fffffff: 00");
  } catch (e) {
    if (e instanceof HexError) sink++;
  }
});

// Once per input: a 64-byte mainline capture's first chunk, with 48-, 24- and 8-byte readings
// scored too (192 bytes a record triple: 64, 48, 24 and 8 all divide the length).
const sample = buf.subarray(0, 3 * 256 * 64);
Deno.bench("guess: every candidate of 256 records each", { group: "guess" }, () => {
  const g = guessAbi(sample, 1_000_000 * 192, true);
  if (g.kind === "guessed") sink += g.candidates.length;
});

// 1,000 records as a byte dump (xxd style) and as od -tx4 words: the word reading's cost.
const dumped = buf.subarray(0, 1000 * 64);
const byteDump = hexLines(dumped).join("\n");
const wordDump = Array.from({ length: dumped.length / 16 }, (_, l) => {
  const w = Array.from(
    { length: 4 },
    (_, i) => new DataView(dumped.buffer, l * 16 + 4 * i, 4).getUint32(0, true).toString(16),
  );
  return `${(l * 16).toString(8).padStart(7, "0")} ${w.map((x) => x.padStart(8, "0")).join(" ")}`;
}).join("\n");
Deno.bench("hex: 1,000 records as a byte dump", { group: "hexdump", baseline: true }, () => {
  sink += parseHex(byteDump).length;
});
Deno.bench("hex: 1,000 records as od -tx4 words", { group: "hexdump" }, () => {
  sink += parseHex(wordDump).length;
});

addEventListener("unload", () => {
  if (sink === 42) console.log(sink); // keeps the work observable
});
