/**
 * The worker process of the fuzz harness: runs inputs `from` to `to` of one target and reports
 * on stdout, one JSON object a line: `{"ready":true}`, then after every batch (about `batchMs` of
 * work) `{"at":N,...}` with the outcomes and memory so far, `{"fail":I,"error":...}` for each
 * input that broke a property, and `{"end":...}`. Before each input it writes the input's index
 * into `indexFile`, so that when it hangs or dies (out of memory, a crash) the harness, which
 * kills or outlives it, knows which input did it.
 *
 * Run by `harness.ts` as `deno run -A --v8-flags=--max-old-space-size=MIB child.ts JOB`.
 *
 * @module
 */
import { inputRand } from "./rand.ts";
import { errorLine } from "./target.ts";
import { target } from "./targets/mod.ts";

/** What the harness asks of one worker process. */
export interface Job {
  target: string;
  seed: number;
  /** First input index. */
  from: number;
  /** One past the last input index. */
  to: number;
  /** Indexes not to run (inputs that hung or crashed a previous worker). */
  skip: number[];
  /** Target options (e.g. `maxEvents`). */
  options: Record<string, unknown>;
  /** Where the index of the input being run is kept (8 bytes, a float64). */
  indexFile: string;
  /** Resident memory, bytes, past which the worker stops and reports the input that crossed. */
  memoryLimit: number;
  /** About this much work (ms) between two reports. */
  batchMs: number;
  /**
   * For the harness's own tests: inputs to replace by a hang, a run out of V8 heap, or a hold
   * on more memory than the bound, by index.
   */
  sabotage?: Record<string, Sabotage>;
}

/** What a sabotaged input does instead: `hang-once` hangs only the first worker that runs it. */
export type Sabotage = "hang" | "hang-once" | "oom" | "hold";

/** /proc/self/status, where Linux keeps the process's peak resident set (VmHWM). */
let status: Deno.FsFile | null | undefined;
const statusBuf = new Uint8Array(8192);
const dec = new TextDecoder();

/**
 * The peak resident set of this process so far, bytes (Linux's VmHWM: it sees memory an input
 * allocated and freed again, which the resident set after the input does not); undefined where
 * the system does not say.
 */
function peakRss(): number | undefined {
  if (status === undefined) {
    try {
      status = Deno.openSync("/proc/self/status");
    } catch {
      status = null;
    }
  }
  if (!status) return undefined;
  status.seekSync(0, Deno.SeekMode.Start);
  const n = status.readSync(statusBuf) ?? 0;
  const kb = /VmHWM:\s+(\d+) kB/.exec(dec.decode(statusBuf.subarray(0, n)));
  return kb ? Number(kb[1]) * 1024 : undefined;
}

/** Memory a `hold` sabotage keeps alive. */
const held: Uint8Array[] = [];

/** Does what a sabotaged input stands for (the harness must catch each). */
function sabotage(what: Sabotage, job: Job, index: number): void {
  if (what === "hang-once") {
    // A stall of the machine rather than of the input: the second worker to run it passes.
    const mark = `${job.indexFile}.${index}.once`;
    try {
      Deno.statSync(mark);
      return;
    } catch {
      Deno.writeFileSync(mark, new Uint8Array());
      what = "hang";
    }
  }
  if (what === "hang") {
    for (;;);
  }
  if (what === "oom") {
    const a: number[][] = [];
    for (;;) a.push(new Array(1 << 20).fill(1.5));
  }
  held.push(new Uint8Array(job.memoryLimit + (64 << 20)).fill(1)); // touched: resident
}

/** One line of the worker's report. */
export type Report =
  | { ready: true }
  | {
    /** Inputs before this index are done. */
    at: number;
    /** Outcomes of the batch, by label. */
    outcomes: Record<string, number>;
    /** The peak resident set so far, bytes (VmHWM on Linux). */
    rss: number;
    /** Largest JS heap + array buffers seen, bytes. */
    heap: number;
    /** The batch's slowest input and its time. */
    slowest: { index: number; ms: number };
  }
  | {
    /** The input's index. */
    fail: number;
    /** What went wrong, one line. */
    error: string;
  }
  | { end: "done" | "memory" };

const enc = new TextEncoder();
function emit(r: Report): void {
  let b = enc.encode(JSON.stringify(r) + "\n");
  while (b.length) b = b.subarray(Deno.stdout.writeSync(b));
}

async function main(job: Job): Promise<void> {
  const t = target(job.target);
  const skip = new Set(job.skip);
  const file = Deno.openSync(job.indexFile, { write: true, create: true });
  const cell = new Float64Array(1), cellBytes = new Uint8Array(cell.buffer);
  emit({ ready: true });
  let outcomes: Record<string, number> = {};
  let rss = 0, heap = 0;
  let slowest = { index: -1, ms: -1 };
  let batchStart = performance.now();
  const report = (at: number) => {
    emit({ at, outcomes, rss, heap, slowest });
    outcomes = {};
    slowest = { index: -1, ms: -1 };
    batchStart = performance.now();
  };
  for (let i = job.from; i < job.to; i++) {
    if (skip.has(i)) continue;
    cell[0] = i;
    file.seekSync(0, Deno.SeekMode.Start);
    file.writeSync(cellBytes);
    const input = t.gen(inputRand(job.seed, t.name, i), i);
    const t0 = performance.now();
    let outcome: string;
    try {
      const s = job.sabotage?.[i];
      if (s) sabotage(s, job, i);
      outcome = await t.run(input, { index: i, options: job.options });
    } catch (e) {
      emit({ fail: i, error: errorLine(e) });
      outcome = "failed";
    }
    const ms = performance.now() - t0;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (ms > slowest.ms) slowest = { index: i, ms };
    const m = Deno.memoryUsage();
    rss = Math.max(rss, peakRss() ?? m.rss);
    if (m.heapUsed + m.external > heap) heap = m.heapUsed + m.external;
    if (rss > job.memoryLimit) {
      outcomes[outcome]--; // counted as what it is: over the bound
      outcomes.memory = (outcomes.memory ?? 0) + 1;
      // Reported once, for the input during which the peak crossed the bound; a fresh process
      // goes on, so the memory it left behind does not fail the inputs after it.
      emit({
        fail: i,
        error: `memory: the resident set peaked at ${Math.round(rss / 2 ** 20)} MiB during ` +
          `this input, over the ${Math.round(job.memoryLimit / 2 ** 20)} MiB bound`,
      });
      report(i + 1);
      emit({ end: "memory" });
      return;
    }
    if (performance.now() - batchStart >= job.batchMs) report(i + 1);
  }
  report(job.to);
  emit({ end: "done" });
}

if (import.meta.main) {
  await main(JSON.parse(Deno.args[0]) as Job);
  // Workers or timers a parser left behind must not keep the process alive.
  Deno.exit(0);
}
