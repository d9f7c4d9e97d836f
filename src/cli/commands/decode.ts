/**
 * `faultscope decode [FILE|-] [--hex TEXT]`: decodes a raw capture of records (or a pasted hex
 * dump) as a stream in bounded memory. The ABI is given with `--abi` or inferred, and an
 * inference is always said.
 *
 * @example
 * ```sh
 * faultscope decode capture.bin --ndjson
 * faultscope decode --abi rfc3 --hex '01 00 00 00 0a 00 00 00 00 b0 ad de ...'
 * ```
 * @module
 */
import { FAULT_ABIS, GUESS_ORDER, RECORDS } from "../../abi/records.ts";
import type { AbiId } from "../../abi/types.ts";
import { decoderFor } from "../../codec/decode.ts";
import { HexError, hexLines, hexString, parseHex } from "../../codec/hex.ts";
import { recordJson } from "../../codec/json.ts";
import { jsonLineWriter } from "../../codec/jsonline.ts";
import { hex } from "../../codec/names.ts";
import type { Finding } from "../../rules/finding.ts";
import { checkRecord } from "../../rules/records.ts";
import type { DECODE } from "../commands.ts";
import { EXIT, type ExitCode, InputError, UsageError } from "../errors.ts";
import { concat, inputInfo, readChunks } from "../files.ts";
import type { Io } from "../io.ts";
import type { Parsed } from "../spec.ts";
import { recordCells, recordColumns } from "../format.ts";
import { VEVENT_TYPES } from "../../abi/vevent.ts";
import { parseVevents, veventFields, veventJson } from "../../codec/vevent.ts";
import { checkVevents } from "../../rules/vevent.ts";
import { table } from "../render.ts";

/** Records sampled to infer an ABI. */
const SAMPLE = 256;

/** The outcome of ABI inference, with the reason shown to the user. */
export interface AbiGuess {
  abi: AbiId;
  reason: string;
}

/**
 * Infers the record ABI of a capture: candidates whose record size divides the length, scored by
 * record rule errors on a sample; ties go to mainline, then rfc3, then v8 (v4/v7 are never
 * guessed: their bytes equal v8's and only their meaning differs).
 */
export function guessAbi(
  sample: Uint8Array,
  length: number | undefined,
  le: boolean,
): AbiGuess | string {
  const fits = GUESS_ORDER.filter((a) => length === undefined || length % RECORDS[a].size === 0);
  if (!fits.length) {
    const sizes = [...new Set(FAULT_ABIS.map((a) => RECORDS[a].size))].join(" or ");
    return `${length} bytes is not a multiple of any record size (${sizes}); pass --abi`;
  }
  const scores = fits.map((abi) => {
    const size = RECORDS[abi].size;
    let errors = 0;
    const n = Math.min(SAMPLE, Math.floor(sample.length / size));
    for (let i = 0; i < n; i++) {
      errors += checkRecord(abi, sample, i * size, { index: i }, undefined, le)
        .filter((f) => f.severity === "error").length;
    }
    return { abi, errors };
  });
  const best = scores.reduce((a, b) => (b.errors < a.errors ? b : a));
  const others = scores.filter((s) => s !== best).map((s) => `${s.abi} ${s.errors}`).join(", ");
  const what = length === undefined
    ? "from the first records"
    : `${length} bytes = ${length / RECORDS[best.abi].size} x ${RECORDS[best.abi].size}`;
  return {
    abi: best.abi,
    reason: `guessed ${best.abi}: ${what}; ${best.errors} record errors` +
      (others ? ` (${others})` : "") +
      (best.abi === "v8" ? "; v4/v7 share its bytes but read flags differently" : "") +
      "; pass --abi to choose",
  };
}

/** Whether a chunk looks like hex-dump text rather than raw records (which hold NUL bytes). */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (!bytes.length) return false;
  for (const b of bytes.subarray(0, 4096)) {
    if (b === 0 || b > 0x7e || (b < 0x20 && b !== 9 && b !== 10 && b !== 13)) return false;
  }
  return true;
}

type DecodeOpts = Parsed<typeof DECODE>;

/** Yields an already-read first chunk, then the rest of the stream. */
async function* chain(first: Uint8Array | undefined, rest: AsyncGenerator<Uint8Array> | undefined) {
  if (first) yield first;
  if (rest) yield* rest;
}

/** Chunk unit: a multiple of every record size (20, 24, 40, 48, 64), so no record straddles. */
const UNIT = 960;

/** Decodes a capture, stdin or hex. */
export async function run(o: DecodeOpts, io: Io): Promise<ExitCode> {
  let file = o.file;
  if (o.hex !== undefined && file !== undefined) {
    throw new UsageError("give either FILE or --hex, not both");
  }
  if (o.hex === undefined && file === undefined) {
    if (io.stdinIsTerminal) {
      throw new UsageError("no input: give FILE, - for stdin, or --hex TEXT");
    }
    file = "-";
  }
  const name = file === undefined ? "--hex" : file === "-" ? "stdin" : file;
  const le = o.endian !== "big";

  // Input: a hex text (argument or file) is parsed whole; a binary capture is streamed.
  let whole: Uint8Array | undefined;
  let length: number | undefined;
  let stream: AsyncGenerator<Uint8Array> | undefined;
  let first: Uint8Array | undefined;
  const parse = (text: string) => {
    try {
      return parseHex(text);
    } catch (e) {
      if (e instanceof HexError) throw new InputError(`${name}: ${e.message}`);
      throw e;
    }
  };
  if (o.hex !== undefined) {
    whole = parse(o.hex);
  } else {
    const info = await inputInfo(file!);
    length = info.size;
    stream = readChunks(file!, UNIT, undefined, io.stdin);
    const next = await stream.next();
    first = next.done ? new Uint8Array(0) : next.value;
    if (looksLikeText(first)) {
      const rest: Uint8Array[] = [first.slice()];
      for await (const c of stream) rest.push(c.slice()); // chunks reuse one buffer
      whole = parse(new TextDecoder().decode(concat(rest)));
      stream = undefined;
      first = undefined;
    }
  }
  if (whole) length = whole.length;
  if (length === 0 || (first && first.length === 0)) {
    throw new InputError(`${name}: empty input (no records)`);
  }
  if (o.abi === "vevent") {
    // vEVENTQ records vary in length; a read buffer is small, so it is decoded whole.
    if (!whole) {
      const parts = [first!.slice()];
      for await (const c of stream!) parts.push(c.slice());
      whole = concat(parts);
    }
    return decodeVevents(name, whole, o, le, io);
  }

  let abi = o.abi as AbiId | undefined;
  let guess: AbiGuess | undefined;
  if (!abi) {
    const g = guessAbi(whole ?? first!, length, le);
    if (typeof g === "string") throw new InputError(`${name}: ${g}`);
    guess = g;
    abi = g.abi;
  }
  const layout = RECORDS[abi];
  const size = layout.size;
  const decode = decoderFor(abi);
  const writeLine = jsonLineWriter(abi);
  const out = io.out;
  const human = !o.json && !o.ndjson;
  // The generation decides what every bit means, so human output always says which it used.
  if (human) {
    out.line(`abi ${abi}: ${layout.title}, ${size} bytes (${guess ? guess.reason : "given"})`);
  } else if (guess) io.err(`faultscope: ${name}: abi ${guess.reason}\n`);
  const columns = ["index", "offset", ...recordColumns(abi)];
  let headed = false;
  let index = 0, errors = 0;
  const allFindings: Finding[] = [];
  const limit = o.count ?? Infinity;
  if (o.json) out.write("[");

  const chunks = whole ? chain(whole, undefined) : chain(first, stream);
  let base = 0;
  let tail: Uint8Array | undefined;
  for await (const chunk of chunks) {
    const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const n = Math.floor(chunk.length / size);
    const rows: string[][] = [];
    for (let i = 0; i < n && index < limit; i++, index++) {
      const off = i * size;
      const rec = human || o.check || o.raw ? decode(dv, off, le) : undefined!;
      const findings = o.check
        ? checkRecord(abi, chunk, off, { index }, undefined, le, rec)
        : undefined;
      if (findings) {
        for (const f of findings) if (f.offset !== undefined) f.offset += base;
        errors += findings.filter((f) => f.severity === "error").length;
      }
      if (human) {
        rows.push([String(index), hex(base + off), ...recordCells(abi, rec)]);
        if (o.raw) {
          rows.push([
            "",
            "",
            hexLines(chunk.subarray(off, off + size), base + off).join(" | "),
          ]);
        }
        if (findings) allFindings.push(...findings);
      } else if (!findings && !o.raw) {
        const s = writeLine(dv, off, le, `"index":${index},"offset":${base + off}`);
        if (o.json) out.write(index ? `,\n${s}` : `\n${s}`);
        else out.line(s);
      } else {
        const j = recordJson(abi, rec, { index, offset: base + off });
        if (o.raw) {
          j.raw = hexString(chunk.subarray(off, off + size));
        }
        if (findings) j.findings = findings as unknown as typeof j.findings;
        const s = JSON.stringify(j);
        if (o.json) out.write(index ? `,\n${s}` : `\n${s}`);
        else out.line(s);
      }
    }
    if (rows.length) {
      // Laid out per chunk: a huge capture is never held whole just to align columns.
      const lines = table(columns, rows, new Set([0]));
      if (!headed) out.line(lines[0]);
      headed = true;
      for (const l of lines.slice(1)) out.line(l);
    }
    if (chunk.length % size) tail = chunk.subarray(n * size);
    base += chunk.length;
    if (index >= limit) break;
  }
  if (o.json) out.line("\n]");
  if (human && o.check) {
    out.line();
    if (allFindings.length) {
      for (
        const l of table(
          ["severity", "rule", "where", "message"],
          allFindings.map((
            f,
          ) => [
            f.severity,
            f.rule,
            `#${f.index} ${f.field ?? ""} @${hex(f.offset ?? 0)}`,
            f.message,
          ]),
        )
      ) out.line(l);
    }
    out.line(`${index} records checked: ${errors} error(s)`);
  }
  if (tail && index < limit) {
    throw new InputError(
      `${name}: trailing ${tail.length} bytes at offset ${
        hex(base - tail.length)
      } are not a whole ${size}-byte ${abi} record`,
    );
  }
  return errors ? EXIT.FINDINGS : EXIT.OK;
}

function decodeVevents(
  name: string,
  bytes: Uint8Array,
  o: DecodeOpts,
  le: boolean,
  io: Io,
): ExitCode {
  const type = o.veventType;
  const t = VEVENT_TYPES[type];
  const records = [...parseVevents(bytes, type, le)].slice(0, o.count ?? Infinity);
  const findings = o.check ? checkVevents(records, type) : [];
  const out = io.out;
  const whole = records.filter((r) => !r.truncated);
  if (o.json || o.ndjson) {
    const lines = whole.map((r, i) => {
      const j = veventJson(type, r, i);
      if (o.check) {
        j.findings = findings.filter((f) => f.index === i) as unknown as typeof j.findings;
      }
      return JSON.stringify(j);
    });
    if (o.json) out.line(`[${lines.length ? "\n" + lines.join(",\n") + "\n" : ""}]`);
    else for (const l of lines) out.line(l);
  } else {
    out.line(
      `abi vevent: iommufd_vevent_header + struct ${t.struct} (${t.payloadSize} bytes), given`,
    );
    const cols = ["index", "offset", "flags", "sequence", ...t.fields.map((f) => f.name)];
    const rows = whole.map((r, i) => {
      const fields = r.payload && t.fields.length ? veventFields(type, r.payload) : {};
      return [
        String(i),
        hex(r.offset),
        r.lost ? "LOST_EVENTS" : hex(r.flags),
        String(r.sequence),
        ...t.fields.map((f) => {
          const v = fields[f.name];
          if (v === undefined) return "";
          const name = f.enum ? f.enum.values.find((e) => BigInt(e.value) === v)?.name : undefined;
          return name ? `${name}(${hex(v)})` : f.hi - f.lo < 8 ? String(v) : hex(v);
        }),
      ];
    });
    for (const l of table(cols, rows, new Set([0]))) out.line(l);
    if (o.check) {
      out.line();
      for (const f of findings) {
        out.line(`${f.severity}  ${f.rule}  #${f.index} @${hex(f.offset ?? 0)}  ${f.message}`);
      }
      out.line(
        `${records.length} records checked: ${
          findings.filter((f) => f.severity === "error").length
        } error(s)`,
      );
    }
  }
  const cut = records.find((r) => r.truncated);
  if (cut && !o.check) {
    throw new InputError(
      `${name}: trailing ${bytes.length - cut.offset} bytes at offset ${
        hex(cut.offset)
      } are not a whole vEVENT record`,
    );
  }
  return findings.some((f) => f.severity === "error") ? EXIT.FINDINGS : EXIT.OK;
}
