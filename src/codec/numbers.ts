/**
 * How faultscope writes numbers for humans, one convention everywhere:
 *
 * - counts, indices, sizes and capacities in plain decimal, no thousands separator (`1365`,
 *   `20000000`): what scripts parse, what `grep` finds, what the kernel prints;
 * - byte offsets, addresses, and words whose bits mean something (flags, reserved, version,
 *   register values) in lowercase `0x` hex (`0x1000`, `0xdead`), zero as `0x0`;
 * - durations with their unit, micro as `µs` (`12.5 µs`), as `deno bench` prints them;
 * - a count with its noun in the right number (`1 record`, `2 records`), and `a`/`an` chosen by
 *   how the next word is read (`an 8-byte header`, `an rfc3 region`).
 *
 * JSON keeps its own schema (u64 as `0x` strings, everything else as numbers).
 *
 * @example
 * ```ts
 * import { article, duration, hex, plural } from "./numbers.ts";
 * hex(57005); // => "0xdead"
 * plural(1, "record"); // => "1 record"
 * plural(3, "entry", "entries"); // => "3 entries"
 * article("8-byte header"); // => "an 8-byte header"
 * duration(0.0000125); // => "12.5 µs"
 * ```
 * @module
 */

/** `0x`-prefixed lowercase hex (`0x0` for zero). */
export function hex(v: number | bigint): string {
  return "0x" + v.toString(16);
}

/** A count with its noun, singular for exactly 1 (`plural(0, "error")` is `0 errors`). */
export function plural(n: number | bigint, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 || n === 1n ? noun : nouns}`;
}

/** `a` or `an` before `phrase`, by how its first word is read aloud. */
export function article(phrase: string): string {
  return `${anBefore(phrase) ? "an" : "a"} ${phrase}`;
}

// Numbers read aloud with a leading vowel sound: eight..., eleven, eighteen (and eleven or
// eighteen thousand, million, ...). Identifiers spelled out letter by letter (rfc3, hwpt-pgfault,
// smmuv3) start with the letter's name: "ar", "aitch", "ess". Other words go by their first letter.
const SPELLED = /^(rfc|hwpt|smmu|vfio|dma)/i;
const VOWEL_SOUND_LETTERS = /^[aefhilmnorsx]/i;

function anBefore(phrase: string): boolean {
  const digits = phrase.match(/^\d+/)?.[0];
  if (digits) {
    return digits.startsWith("8") || (digits.length % 3 === 2 && /^1[18]/.test(digits));
  }
  if (SPELLED.test(phrase)) return VOWEL_SOUND_LETTERS.test(phrase);
  return /^[aeiou]/i.test(phrase);
}

/** A duration given in seconds, with the unit that suits it: `s`, `ms`, `µs` or `ns`. */
export function duration(seconds: number): string {
  const abs = Math.abs(seconds);
  const [scale, unit] = abs >= 1 || abs === 0
    ? [1, "s"]
    : abs >= 1e-3
    ? [1e3, "ms"]
    : abs >= 1e-6
    ? [1e6, "µs"]
    : [1e9, "ns"];
  return `${Number((seconds * scale).toPrecision(3))} ${unit}`;
}
