/**
 * Running faultscope in tests: in-process through the command contract (`run(args, io)` with a
 * captured terminal: fast, and what most CLI tests need), or as a real process for what only a
 * process shows (exit status, signals, closed pipes, permissions, the first run of a module).
 *
 * Both check every JSON output of the run against its published schema (`schema.ts`): a test
 * that runs `decode --ndjson` also proves each line matches `schemas/decode.ndjson.schema.json`.
 */
import assert from "node:assert/strict";
import { run } from "../../src/cli/main.ts";
import { type Io, paint, type Writer } from "../../src/cli/io.ts";
import { checkJsonOutputs } from "./schema.ts";

/** What a run printed and how it ended. */
export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The repository root, as a file URL. */
export const root = new URL("../../", import.meta.url);

/** Absolute path of a file under testdata/. */
export const data = (name: string): string => new URL(`testdata/${name}`, root).pathname;

/** How the captured terminal looks to the command. */
export interface FakeTerminal {
  /** Bytes on stdin (default: none, and stdin is not a terminal). */
  stdin?: Uint8Array;
  /** Pretend stdout is a terminal of this width (colour on unless `color: false`). */
  columns?: number;
  color?: boolean;
  /** Pretend stderr is a terminal (progress bars). */
  stderrIsTerminal?: boolean;
}

class Capture implements Writer {
  text = "";
  write(t: string) {
    this.text += t;
  }
  line(t = "") {
    this.text += t + "\n";
  }
  flush() {}
}

/** A terminal that keeps what is written. */
export function captureIo(
  t: FakeTerminal = {},
): Io & { stdoutText(): string; stderrText(): string } {
  const out = new Capture();
  let err = "";
  let input = t.stdin ?? new Uint8Array(0);
  const color = t.color ?? t.columns !== undefined;
  return {
    out,
    err: (s) => void (err += s),
    stdin: {
      read(p: Uint8Array) {
        if (!input.length) return Promise.resolve(null);
        const n = Math.min(p.length, input.length);
        p.set(input.subarray(0, n));
        input = input.subarray(n);
        return Promise.resolve(n);
      },
    },
    color,
    paint: (style, text) => paint(style, text, color),
    stdoutIsTerminal: t.columns !== undefined,
    stderrIsTerminal: t.stderrIsTerminal ?? false,
    stdinIsTerminal: false,
    columns: t.columns,
    stdoutText: () => out.text,
    stderrText: () => err,
  };
}

/** Runs faultscope in this process with a captured terminal; JSON outputs must match their schema. */
export async function cli(args: string[], t: FakeTerminal = {}): Promise<Result> {
  const io = captureIo(t);
  const code = await run(args, io);
  checkJsonOutputs(args, io.stdoutText());
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

/**
 * Runs faultscope as a real process. Children run with --cached-only: tests never reach the
 * network, and a fresh DENO_DIR's opportunistic npm metadata fetches ("Download
 * https://registry.npmjs.org/...") cannot land on the stderr these tests check. JSON outputs must
 * match their schema.
 */
export async function spawnCli(
  args: string[],
  o: { stdin?: Uint8Array; env?: Record<string, string>; denoFlags?: string[] } = {},
): Promise<Result> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--cached-only",
      ...(o.denoFlags ?? ["-A"]),
      new URL("main.ts", root).pathname,
      ...args,
    ],
    stdin: o.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...o.env },
  });
  const child = cmd.spawn();
  if (o.stdin) {
    const w = child.stdin.getWriter();
    await w.write(o.stdin);
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  const stdout = dec.decode(out.stdout);
  checkJsonOutputs(args, stdout);
  return { code: out.code, stdout, stderr: dec.decode(out.stderr) };
}

/** One line on stderr, starting with `faultscope:`, naming each needle; no stack trace. */
export function assertOneLineError(r: Result, code: number, ...needles: string[]): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(lines[0], /^faultscope: /);
  assert.doesNotMatch(r.stderr, /\bat .*:\d+:\d+|Stack backtrace|Uncaught/);
  for (const n of needles) assert.ok(lines[0].includes(n), `'${lines[0]}' names ${n}`);
}

/** Writes bytes to a new temporary file and returns its path. */
export async function tmpFile(bytes: Uint8Array, suffix = ".bin"): Promise<string> {
  const p = await Deno.makeTempFile({ suffix });
  await Deno.writeFile(p, bytes);
  return p;
}
