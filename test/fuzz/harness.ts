/**
 * The fuzz harness: runs `count` inputs of one target in a worker process (`child.ts`) and
 * watches it. The worker reports after every batch of inputs (about a quarter of a second of
 * work); a batch that does not report within `hangMs` is a hang: the worker is killed, the input
 * it was on (it writes each input's index to a file before running it) is reported, and a fresh
 * worker goes on after it. A worker that dies (out of its V8 heap, a crash) is handled the same
 * way, and so is one whose resident memory passes `memoryLimit` (it stops itself). So no input
 * can stop the run or take the others with it. A hang or a death is confirmed by running the
 * input again alone: one that then passes was a stall of a busy machine, not a failure (it is
 * listed as such). Every failure comes back with the input that caused it: target, seed and index make it again (`deno task fuzz --target T --seed S --index I`),
 * and its JSON line is printed.
 *
 * @example
 * ```ts
 * import { fuzzTarget } from "./harness.ts";
 * const r = await fuzzTarget("hex", { seed: 1, count: 1000 });
 * r.failures; // [] when every input held
 * ```
 * @module
 */
import type { Job, Report } from "./child.ts";
import { inputRand } from "./rand.ts";
import { inputJson } from "./target.ts";
import { target } from "./targets/mod.ts";

/** Options of {@link fuzzTarget}. */
export interface FuzzOptions {
  /** Seed of the inputs: the same seed makes the same inputs. */
  seed: number;
  /** How many inputs. */
  count: number;
  /** Index of the first input (default 0). */
  from?: number;
  /** A batch that does not report in this many ms is a hang (default 10000). */
  hangMs?: number;
  /** Resident memory of the worker past which an input fails, bytes (default 1 GiB). */
  memoryLimit?: number;
  /** V8 heap limit of the worker, MiB (default 1024): past it the worker dies, and is reported. */
  heapMiB?: number;
  /** About this much work (ms) between the worker's reports (default 250). */
  batchMs?: number;
  /** Target options (e.g. `maxEvents` for scenario:simulate). */
  options?: Record<string, unknown>;
  /** Called after each report with the inputs done. */
  onProgress?: (done: number) => void;
  /** For the harness's own tests: inputs replaced by a hang, a crash or a hold on memory. */
  sabotage?: Job["sabotage"];
}

/** One input that did not hold. */
export interface Failure {
  /** The input's index: with the target and seed, it makes the input again. */
  index: number;
  /** What went wrong, one line. */
  error: string;
  /** The input, one JSON line (byte fields in hex). */
  input: string;
}

/** What {@link fuzzTarget} found. */
export interface TargetReport {
  /** The target's name. */
  target: string;
  /** The seed. */
  seed: number;
  /** Inputs run. */
  inputs: number;
  /** How the inputs ended, by the target's labels (`ok`, `rejected`, ...), plus `hang`/`crash`. */
  outcomes: Record<string, number>;
  /** Inputs that broke a property, hung, crashed or passed the memory bound. */
  failures: Failure[];
  /** Known failures (the target's `known` list): how many inputs each, and the first input. */
  known: { note: string; count: number; first: Failure }[];
  /** Wall time, ms. */
  ms: number;
  /** Largest resident set of a worker, bytes. */
  peakRss: number;
  /** Largest JS heap + array buffers of a worker, bytes. */
  peakHeap: number;
  /** The slowest input. */
  slowest: { index: number; ms: number };
  /** Worker processes started (1 when nothing hung or died). */
  workers: number;
  /**
   * Inputs whose worker hung or died once but that then ran alone without trouble: the machine
   * was too busy, not the input at fault (counted under their own outcome, not as failures).
   */
  stalls: { index: number; first: string }[];
}

const CHILD = new URL("./child.ts", import.meta.url).pathname;
/** A worker that has not said it is ready after this long is a hang too (module loading). */
const STARTUP_MS = 120_000;

/** The input `index` of `name` under `seed`, as one JSON line. */
export function inputLine(name: string, seed: number, index: number): string {
  return inputJson(target(name).gen(inputRand(seed, name, index), index));
}

/**
 * Runs `count` inputs of the target `name`; resolves when all are done, whatever they did.
 *
 * @example
 * ```ts
 * const r = await fuzzTarget("klog", { seed: 7, count: 500, hangMs: 5000 });
 * r.inputs; // 500
 * ```
 */
export async function fuzzTarget(name: string, o: FuzzOptions): Promise<TargetReport> {
  const from = o.from ?? 0, to = from + o.count;
  const hangMs = o.hangMs ?? 10_000;
  const report: TargetReport = {
    target: name,
    seed: o.seed,
    inputs: o.count,
    outcomes: {},
    failures: [],
    known: [],
    ms: 0,
    peakRss: 0,
    peakHeap: 0,
    slowest: { index: -1, ms: -1 },
    workers: 0,
    stalls: [],
  };
  const count = (
    label: string,
    n = 1,
  ) => (report.outcomes[label] = (report.outcomes[label] ?? 0) + n);
  const t = target(name);
  // Known failures are counted apart; the outcome the input was first counted under moves too.
  const moved: Record<string, number> = {};
  const fail = (index: number, error: string, source: string) => {
    const input = t.gen(inputRand(o.seed, name, index), index);
    const f = { index, error, input: inputJson(input) };
    const k = t.known?.find((k) => k.match.test(error) && (!k.input || k.input(input)));
    if (!k) return void report.failures.push(f);
    const seen = report.known.find((x) => x.note === k.note);
    if (seen) seen.count++;
    else report.known.push({ note: k.note, count: 1, first: f });
    moved[source] = (moved[source] ?? 0) + 1;
  };
  const indexFile = await Deno.makeTempFile({ prefix: "faultscope-fuzz-index-" });
  const skip: number[] = [];
  const t0 = performance.now();
  let next = from;
  const peaks = (r: Extract<Report, { at: number }>) => {
    report.peakRss = Math.max(report.peakRss, r.rss);
    report.peakHeap = Math.max(report.peakHeap, r.heap);
    if (r.slowest.ms > report.slowest.ms) report.slowest = r.slowest;
  };
  const job = (start: number, end: number): Job => ({
    target: name,
    seed: o.seed,
    from: start,
    to: end,
    skip: skip.filter((i) => i >= start && i < end),
    options: o.options ?? {},
    indexFile,
    memoryLimit: o.memoryLimit ?? 2 ** 30,
    batchMs: o.batchMs ?? 250,
    sabotage: o.sabotage,
  });
  const heapMiB = o.heapMiB ?? 1024;
  try {
    while (next < to) {
      report.workers++;
      await Deno.writeFile(indexFile, new Uint8Array(8).fill(0xff)); // NaN: no input yet
      const ended = await worker(job(next, to), hangMs, heapMiB, {
        progress(r) {
          next = r.at;
          for (const [k, v] of Object.entries(r.outcomes)) count(k, v);
          peaks(r);
          o.onProgress?.(next - from);
        },
        fail: (index, error) =>
          fail(index, error, error.startsWith("memory:") ? "memory" : "failed"),
      });
      if (ended.kind === "done") break;
      if (ended.kind === "memory") continue; // `next` is past the input that crossed the bound
      // A hang or a death: the worker was on one input (it wrote its index before starting it).
      const cell = new Float64Array((await Deno.readFile(indexFile)).buffer.slice(0, 8));
      // Before its first input the worker was on none: the next one it would have run is blamed.
      let at = Number.isInteger(cell[0]) ? cell[0] : next;
      while (skip.includes(at)) at++;
      if (at >= to) break;
      // Confirmed alone in a fresh worker: a machine too busy to run the worker for a while (a
      // stall) is not the input's doing, and the input's own outcome then counts.
      report.workers++;
      const outcomes: Record<string, number> = {};
      const failures: string[] = [];
      const again = await worker(job(at, at + 1), hangMs, heapMiB, {
        progress(r) {
          for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
          peaks(r);
        },
        fail: (_index, error) => void failures.push(error),
      });
      skip.push(at);
      if (again.kind === "done" || again.kind === "memory") {
        report.stalls.push({ index: at, first: ended.why });
        for (const [k, v] of Object.entries(outcomes)) count(k, v);
        for (const error of failures) {
          fail(at, error, error.startsWith("memory:") ? "memory" : "failed");
        }
      } else {
        count(ended.kind);
        fail(at, ended.why, ended.kind);
      }
      // A fresh worker goes on from the last report, without it (the inputs between are run
      // again, so every outcome is counted once).
    }
  } finally {
    await Deno.remove(indexFile).catch(() => {});
    for (const i of skip) await Deno.remove(`${indexFile}.${i}.once`).catch(() => {});
  }
  for (const [label, n] of Object.entries(moved)) {
    count(label, -n);
    count("known", n);
  }
  for (const [k, v] of Object.entries(report.outcomes)) if (!v) delete report.outcomes[k];
  report.ms = performance.now() - t0;
  return report;
}

type Ended =
  | { kind: "done" }
  | { kind: "memory" }
  | { kind: "hang" | "crash"; why: string };

/** Runs one worker process until it ends, hangs or dies. */
async function worker(
  job: Job,
  hangMs: number,
  heapMiB: number,
  on: {
    progress(r: Extract<Report, { at: number }>): void;
    fail(index: number, error: string): void;
  },
): Promise<Ended> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--cached-only",
      `--v8-flags=--max-old-space-size=${heapMiB}`,
      CHILD,
      JSON.stringify(job),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let hung = false;
  const arm = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      hung = true;
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, ms);
  };
  arm(STARTUP_MS);
  let end: Ended | undefined;
  let carry = "";
  try {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (carry + chunk).split("\n");
      carry = parts.pop()!;
      for (const line of parts) {
        const r = JSON.parse(line) as Report;
        if ("ready" in r) arm(hangMs);
        else if ("at" in r) {
          on.progress(r);
          arm(hangMs);
        } else if ("fail" in r) on.fail(r.fail, r.error);
        else if ("end" in r) end = r.end === "done" ? { kind: "done" } : { kind: "memory" };
      }
    }
  } finally {
    clearTimeout(timer);
  }
  const status = await child.status;
  const err = (await stderr).trim().split("\n").filter(Boolean);
  if (hung) return { kind: "hang", why: `hang: no report from the worker in ${hangMs} ms` };
  if (end) return end;
  const last = err.find((l) => /out of memory|Fatal|panicked|error/i.test(l)) ?? err.at(-1) ?? "";
  return {
    kind: "crash",
    why:
      `crash: the worker died (exit ${status.code}${status.signal ? `, ${status.signal}` : ""})` +
      (last ? `: ${last.trim()}` : ""),
  };
}
