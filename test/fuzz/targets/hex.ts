/**
 * The fuzz target of the hex-dump reader: dumps as the tools print them (`xxd`, `xxd -a` and
 * `hexdump -C` with their `*` lines and closing offsets, `od -tx1/2/4/8` with and without `-An`,
 * `xxd -e`, `0x` lists, bare bytes), then damaged (characters inserted, lines cut or repeated,
 * offsets moved far ahead so that `*` asks for more than the size cap, a BOM, CRLF), through
 * `readHex` with a random grouping and host byte order.
 *
 * Each input is capped: the text at 32 KiB, what it may expand to at {@link HEX_CAP} (the
 * reader's own `maxBytes`), so a run of 100,000 inputs stays in bounded time and memory while
 * `*` lines are fuzzed. About one input in 3000 is a dump of 64 MiB of zeros, which the reader
 * accepts: the harness's memory bound holds it to a reader that streams (before the streaming
 * reader, 64 MiB of zeros peaked at 1.3 GB resident, ~20 bytes a byte).
 *
 * Documented error: `HexError`, naming a line and column of the text. Properties: the output is
 * at most the cap; without `*` and read as bytes, it holds at most one byte per two hex digits.
 *
 * @module
 */
import { HexError, readHex } from "../../../src/codec/hex.ts";
import type { Rand } from "../rand.ts";
import { check, type Target } from "../target.ts";

/** Most bytes one input may expand to (`*` repeats included). */
export const HEX_CAP = 1 << 20;

/** What the rare large-expansion inputs expand to (a quarter of the reader's own cap). */
const EXPAND = 64 << 20;

const h2 = (b: number) => b.toString(16).padStart(2, "0");

/** Bytes with runs of repeated lines, as real region dumps have (mostly zeros). */
function data(r: Rand): Uint8Array {
  const n = r.length(2048);
  const out = new Uint8Array(n);
  for (let at = 0; at < n;) {
    const len = r.int(1, 128);
    if (!r.chance(0.6)) out.set(r.bytes(Math.min(len, n - at)), at); // else a zero run
    at += len;
  }
  return out;
}

/** Groups of `width` bytes as words (little-endian hosts print them reversed). */
function word(bytes: Uint8Array, at: number, width: number, le: boolean): string {
  let s = "";
  for (let k = 0; k < width; k++) s += h2(bytes[at + (le ? width - 1 - k : k)] ?? 0);
  return s;
}

/** A dump of `bytes` in one of the formats people paste. */
function dump(r: Rand, bytes: Uint8Array): string {
  const lines: string[] = [];
  const format = r.pick(["xxd", "hexdump-C", "od", "od-An", "0x", "bare", "colon"] as const);
  const width = format === "od" || format === "od-An" ? r.pick([1, 2, 4, 8]) : 1;
  const le = r.chance(0.8);
  const squeeze = r.chance(0.6);
  let prev = "";
  let starred = false;
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const key = Array.from(row).join(",");
    if (squeeze && key === prev && format !== "0x" && format !== "bare") {
      if (!starred) lines.push("*");
      starred = true;
      continue;
    }
    prev = key;
    starred = false;
    const bytesText = Array.from(row, h2);
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "."))
      .join("");
    switch (format) {
      case "xxd":
        lines.push(`${at.toString(16).padStart(8, "0")}: ${bytesText.join(" ")}  ${ascii}`);
        break;
      case "hexdump-C":
        lines.push(`${at.toString(16).padStart(8, "0")}  ${bytesText.join(" ")}  |${ascii}|`);
        break;
      case "od":
      case "od-An": {
        const words: string[] = [];
        for (let k = 0; k < row.length; k += width) words.push(word(row, k, width, le));
        const off = format === "od"
          ? at.toString(r.chance(0.5) ? 8 : 16).padStart(7, "0") + " "
          : " ";
        lines.push(off + words.join(" "));
        break;
      }
      case "0x":
        lines.push(bytesText.map((b) => "0x" + b).join(", ") + ",");
        break;
      case "bare":
        lines.push(bytesText.join(r.pick([" ", ""])));
        break;
      case "colon":
        lines.push(`${at.toString(16).padStart(4, "0")}: ${bytesText.join(" ")}`);
    }
  }
  if ((format === "xxd" || format === "hexdump-C" || format === "od") && r.chance(0.7)) {
    // The closing offset line: the length, or (hostile) far past it, which `*` must fill.
    const end = r.chance(0.7) ? bytes.length : r.pick([0x100000, 0x200000, 0x10000000, r.u32()]);
    lines.push(end.toString(16).padStart(8, "0") + (format === "xxd" ? ":" : ""));
  }
  return lines.join(r.chance(0.1) ? "\r\n" : "\n");
}

const NOISE = [..."0123456789abcdefABCDEF \t\n:,x|.*-gz#\u00a0\ufeff\u0000"];

/** Damage: characters inserted or deleted, a line repeated, a `*` added, a BOM in front. */
function damage(r: Rand, text: string): string {
  let t = text;
  for (let k = r.chance(0.5) ? r.int(1, 6) : 0; k > 0; k--) {
    const at = r.int(0, t.length);
    const u = r.float();
    if (u < 0.5) t = t.slice(0, at) + r.pick(NOISE) + t.slice(at);
    else if (u < 0.75) t = t.slice(0, at) + t.slice(at + r.int(1, 20));
    else t = t.slice(0, at) + "\n*\n" + t.slice(at);
  }
  if (r.chance(0.05)) t = "\ufeff" + t;
  if (r.chance(0.03)) t = "00".repeat(r.int(1000, 8000)) + "\n*\n" + t; // one long line
  return t.slice(0, 32 * 1024);
}

/** The hex-dump reader. */
export const HEX_TARGET: Target = {
  name: "hex",
  doc: "hex dumps of every supported format with `*` lines, damaged: readHex, any grouping",
  errors: "HexError (with the line and column of the text)",
  cap: 32 * 1024,
  gen(r) {
    if (r.chance(0.0003)) {
      // Rarely, an expansion the reader accepts but the cap above keeps out: 64 MiB of zeros.
      return {
        expand: true,
        maxBytes: EXPAND,
        groups: null,
        hostOrder: null,
        text: `00000000: ${"00 ".repeat(16)} ................\n*\n${EXPAND.toString(16)}:\n`,
      };
    }
    const text = r.chance(0.1)
      ? Array.from({ length: r.length(512) }, () => r.pick(NOISE)).join("")
      : damage(r, dump(r, data(r)));
    return {
      groups: r.pick([null, null, "bytes", "little", "big"]),
      hostOrder: r.pick([null, "little", "big"]),
      text,
    };
  },
  run(input) {
    const text = input.text as string;
    let out;
    try {
      out = readHex(text, {
        maxBytes: (input.maxBytes as number | undefined) ?? HEX_CAP,
        groups: (input.groups ?? undefined) as "bytes" | undefined,
        hostOrder: (input.hostOrder ?? undefined) as "little" | undefined,
      });
    } catch (e) {
      if (!(e instanceof HexError)) throw e;
      const lines = text.split(/\r?\n/);
      check(e.line >= 1 && e.line <= lines.length, () => `HexError at line ${e.line}`);
      const len = lines[e.line - 1].length;
      check(e.column >= 1 && e.column <= len + 1, () => `HexError at column ${e.column} of ${len}`);
      check(!e.message.includes("\n"), "a one-line HexError");
      return "rejected";
    }
    const cap = (input.maxBytes as number | undefined) ?? HEX_CAP;
    check(out.bytes.length <= cap, () => `${out.bytes.length} bytes, over the cap`);
    if (!text.includes("*") && out.reading.groups === "bytes") {
      const digits = (text.match(/[0-9a-fA-F]/g) ?? []).length;
      check(
        out.bytes.length * 2 <= digits,
        () => `${out.bytes.length} bytes from ${digits} digits`,
      );
    }
    return text.includes("*") ? "ok-star" : "ok";
  },
};
