/**
 * What a fuzz target is: a parser of faultscope's, an input generator, and the properties every
 * input must keep. A target's `run` feeds one input, returns how it ended (`ok`, `rejected` for
 * a documented error, or a label of its own), and throws for anything that must not happen: an
 * error of another class, a property broken. The harness (`harness.ts`) adds what no target can
 * check alone: that an input ends (a watchdog), and memory.
 *
 * Inputs are plain objects whose byte fields are `Uint8Array`s, so a failing one prints as one
 * JSON line with those fields in hex ({@link inputJson}) and can be read back ({@link inputFrom}).
 *
 * @example
 * ```ts
 * import { check, inputFrom, inputJson } from "./target.ts";
 * const line = inputJson({ le: true, bytes: new Uint8Array([1, 2]) });
 * line; // '{"le":true,"bytes":{"hex":"0102"}}'
 * inputFrom(line).bytes; // Uint8Array [1, 2]
 * check(1 + 1 === 2, "arithmetic"); // passes; a false condition throws a FuzzFailure
 * ```
 * @module
 */
import type { Rand } from "./rand.ts";

/** One input: JSON-able values and byte arrays. */
export type Input = Record<string, unknown>;

/** What a target's `run` learns besides the input. */
export interface RunContext {
  /** The input's index in the run. */
  readonly index: number;
  /** Target options given on the command line or by a test (e.g. `maxEvents`). */
  readonly options: Readonly<Record<string, unknown>>;
}

/** A parser under fuzz. */
export interface Target {
  /** `family:variant`, e.g. `decode:rfc3`, `region:dma-fault`, `hex`. */
  readonly name: string;
  /** What it feeds and what it checks, one line (printed by `--list`). */
  readonly doc: string;
  /** The documented error classes: the only ones that may come out of the parser. */
  readonly errors: string;
  /** Largest input it makes, in bytes of its main field (the per-input size cap). */
  readonly cap: number;
  /**
   * Failures already found and reported to the owner of the parser, not yet fixed: an input
   * whose failure matches is counted and listed as known instead of failing the run. Each
   * names what is wrong; remove it when the fix lands.
   */
  readonly known?: readonly KnownFailure[];
  /** Input `index`, made from its own random stream. */
  gen(r: Rand, index: number): Input;
  /** Feeds one input; returns how it ended; throws for anything that must not happen. */
  run(input: Input, ctx: RunContext): string | Promise<string>;
}

/** A failure already reported (see {@link Target.known}). */
export interface KnownFailure {
  /** Matches the failure's one-line message ({@link errorLine}, or the harness's `hang:`, `crash:`, `memory:`). */
  readonly match: RegExp;
  /** Only inputs it says yes to (default: any). */
  readonly input?: (input: Input) => boolean;
  /** What is wrong and with which input, one line. */
  readonly note: string;
}

/** A property of the parser did not hold (what the harness reports, with the input). */
export class FuzzFailure extends Error {
  /** What was wrong, one line. */
  constructor(message: string) {
    super(message);
    this.name = "FuzzFailure";
  }
}

/** Throws a {@link FuzzFailure} with `what` unless `cond` holds. */
export function check(cond: unknown, what: string | (() => string)): asserts cond {
  if (!cond) throw new FuzzFailure(typeof what === "string" ? what : what());
}

const hexOf = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** Byte arrays longer than this print as their non-zero runs (region images are mostly zero). */
const SPARSE_ABOVE = 4096;

/** The input as one JSON line: byte arrays as `{"hex": ...}`, long ones as non-zero runs. */
export function inputJson(input: Input): string {
  return JSON.stringify(input, (_k, v) => {
    if (!(v instanceof Uint8Array)) return v;
    if (v.length <= SPARSE_ABOVE) return { hex: hexOf(v) };
    const runs: Record<string, string> = {};
    for (let i = 0; i < v.length;) {
      if (v[i] === 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < v.length && (v[j] !== 0 || (j + 1 < v.length && v[j + 1] !== 0))) j++;
      runs[i] = hexOf(v.subarray(i, j));
      i = j;
    }
    return { length: v.length, runs };
  });
}

/** Reads back a line of {@link inputJson}. */
export function inputFrom(line: string): Input {
  return JSON.parse(line, (_k, v) => {
    if (v && typeof v === "object" && typeof v.hex === "string" && Object.keys(v).length === 1) {
      return Uint8Array.from(v.hex.match(/../g) ?? [], (h: string) => parseInt(h, 16));
    }
    if (v && typeof v === "object" && typeof v.length === "number" && v.runs) {
      const out = new Uint8Array(v.length);
      for (const [at, hex] of Object.entries(v.runs as Record<string, string>)) {
        out.set(hex.match(/../g)!.map((h) => parseInt(h, 16)), Number(at));
      }
      return out;
    }
    return v;
  });
}

/** The message of anything thrown, one line: `Name: message`. */
export function errorLine(e: unknown): string {
  const s = e instanceof Error ? `${e.name}: ${e.message}` : `thrown non-Error: ${String(e)}`;
  return s.replace(/\s*\n\s*/g, " | ");
}
