/**
 * Whole-process timings without hyperfine: runs each command N times, the commands interleaved
 * round by round (so a change in the machine's load falls on all of them alike), after a
 * warm-up, and reports the minimum, median and maximum wall time of each and its ratios to the
 * first command (the floor: an empty script, or `cat` of the same bytes). With `--rss` it also
 * reports the peak resident memory of each command's process tree, read from `/proc` while it
 * runs (VmHWM: the high-water mark, so a peak is caught as long as the process outlives it by
 * one poll). Needs nothing but Deno: for machines without hyperfine, GNU time or network.
 *
 * A command is split on spaces and run directly (like `hyperfine -N`); a command that starts
 * with `sh:` runs through `sh -c` (redirections, pipes); `@DIR ` before either runs it in DIR
 * (another checkout, with its own deno.json). Standard output goes to /dev/null.
 *
 * @example
 * ```sh
 * deno run -A bench/spawn_timer.ts --runs 20 --warmup 3 --json out.json \
 *   "deno run -A bench/empty.ts" "deno run -A main.ts inspect testdata/rfc3-sample.bin"
 * deno run -A bench/spawn_timer.ts --runs 5 --rss "sh:cat big.ndjson | cat >/dev/null" \
 *   "sh:deno run -A main.ts decode cap.bin --ndjson | cat >/dev/null"
 * ```
 * @module
 */

/** One command's results. */
export interface Timing {
  /** The command as given. */
  command: string;
  /** Wall times of the measured runs, in ms, in run order. */
  wall: number[];
  /** The smallest wall time, ms. */
  min: number;
  /** The median wall time, ms. */
  median: number;
  /** The largest wall time, ms. */
  max: number;
  /** Median and minimum over the first command's (the floor's). */
  ratio: { median: number; min: number };
  /** Largest peak RSS of the process tree over the runs, bytes (with --rss; null if unknown). */
  rssMax?: number | null;
}

/** The median of `xs` (not empty). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** How to run a command: its argv (`sh:` through `sh -c`, else split on spaces) and directory. */
export function argvOf(command: string): { argv: string[]; cwd?: string } {
  const at = /^@(\S+)\s+/.exec(command);
  const cwd = at?.[1];
  const c = at ? command.slice(at[0].length) : command;
  const argv = c.startsWith("sh:") ? ["sh", "-c", c.slice(3)] : c.trim().split(/\s+/);
  return cwd === undefined ? { argv } : { argv, cwd };
}

/** Peak RSS (VmHWM) of a process and its descendants as /proc shows them now, bytes. */
function treePeaks(pid: number, peaks: Map<number, number>): void {
  let status: string;
  try {
    status = Deno.readTextFileSync(`/proc/${pid}/status`);
  } catch {
    return; // gone, or no /proc
  }
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  if (m) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, Number(m[1]) * 1024));
  try {
    for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
      const kids = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/children`).trim();
      for (const k of kids ? kids.split(/\s+/) : []) treePeaks(Number(k), peaks);
    }
  } catch {
    // The process ended while it was read.
  }
}

/** Runs a command once; its wall time in ms, its exit code, and its tree's peak RSS if asked. */
async function once({ argv, cwd }: { argv: string[]; cwd?: string }, rss: boolean) {
  const start = performance.now();
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const peaks = new Map<number, number>();
  let polling = rss;
  const poll = async () => {
    while (polling) {
      treePeaks(child.pid, peaks);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  const poller = poll();
  const out = await child.output();
  const wall = performance.now() - start;
  polling = false;
  await poller;
  const rssMax = peaks.size ? Math.max(...peaks.values()) : null;
  return { wall, code: out.code, stderr: new TextDecoder().decode(out.stderr), rssMax };
}

/** Options of {@link timeCommands}. */
export interface TimerOptions {
  /** Measured runs of each command. */
  runs: number;
  /** Unmeasured runs of each command first. */
  warmup: number;
  /** Read the peak RSS of each run's process tree. */
  rss: boolean;
}

/**
 * Times `commands`, interleaved: every round runs each command once, starting one command later
 * than the round before. A command that exits non-zero stops the measurement with its stderr.
 */
export async function timeCommands(
  commands: readonly string[],
  o: TimerOptions,
): Promise<Timing[]> {
  const argvs = commands.map(argvOf);
  const walls = commands.map(() => [] as number[]);
  const rss = commands.map(() => null as number | null);
  for (let round = 0; round < o.warmup + o.runs; round++) {
    for (let k = 0; k < commands.length; k++) {
      const i = (round + k) % commands.length;
      const r = await once(argvs[i], o.rss);
      if (r.code !== 0) {
        throw new Error(`'${commands[i]}' exited ${r.code}: ${r.stderr.trim().split("\n")[0]}`);
      }
      if (round < o.warmup) continue;
      walls[i].push(r.wall);
      if (r.rssMax !== null) rss[i] = Math.max(rss[i] ?? 0, r.rssMax);
    }
  }
  const floor = { median: median(walls[0]), min: Math.min(...walls[0]) };
  return commands.map((command, i) => {
    const min = Math.min(...walls[i]), med = median(walls[i]);
    const t: Timing = {
      command,
      wall: walls[i],
      min,
      median: med,
      max: Math.max(...walls[i]),
      ratio: { median: med / floor.median, min: min / floor.min },
    };
    if (o.rss) t.rssMax = rss[i];
    return t;
  });
}

/** The results as a plain-text table. */
export function timingTable(ts: readonly Timing[]): string {
  const rows = ts.map((t) => [
    t.min.toFixed(1),
    t.median.toFixed(1),
    t.max.toFixed(1),
    `${t.ratio.median.toFixed(2)}x`,
    `${t.ratio.min.toFixed(2)}x`,
    t.rssMax === undefined ? "" : t.rssMax === null ? "n/a" : `${(t.rssMax / 1e6).toFixed(0)} MB`,
    t.command,
  ]);
  const head = ["min ms", "median ms", "max ms", "median/1st", "min/1st", "peak RSS", "command"];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((c, i) => i === r.length - 1 ? c : c.padStart(w[i])).join("  ").trimEnd();
  return [line(head), ...rows.map(line)].join("\n") + "\n";
}

function usage(): never {
  console.error(
    "usage: deno run -A bench/spawn_timer.ts [--runs N] [--warmup N] [--rss] [--json FILE] " +
      "COMMAND...\n  (the first command is the floor the ratios are taken against; " +
      "'sh:...' runs through sh -c)",
  );
  Deno.exit(2);
}

if (import.meta.main) {
  const o: TimerOptions = { runs: 20, warmup: 3, rss: false };
  let json: string | undefined;
  const commands: string[] = [];
  const args = [...Deno.args];
  while (args.length) {
    const a = args.shift()!;
    if (a === "--runs" || a === "--warmup") {
      const n = Number(args.shift());
      if (!Number.isInteger(n) || n < (a === "--runs" ? 1 : 0)) usage();
      if (a === "--runs") o.runs = n;
      else o.warmup = n;
    } else if (a === "--rss") o.rss = true;
    else if (a === "--json") json = args.shift() ?? usage();
    else if (a.startsWith("--")) usage();
    else commands.push(a);
  }
  if (!commands.length) usage();
  try {
    const ts = await timeCommands(commands, o);
    console.log(timingTable(ts));
    if (json) Deno.writeTextFileSync(json, JSON.stringify({ options: o, results: ts }, null, 1));
  } catch (e) {
    console.error(`spawn_timer: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
