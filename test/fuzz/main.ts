/**
 * `deno task fuzz`: seeded fuzzing of every parser of faultscope at scale. Each target (see
 * `--list`) gets `--count` inputs (default 100,000) made from `--seed`; each runs in a worker
 * process the harness watches (no input may throw anything but the documented errors, hang, or
 * pass the memory bound). Prints, per target, the inputs, seed, time, peak memory and outcomes,
 * and each failing input as a JSON line with the command that runs it again. Exit status 0 when
 * every input held, 1 when one did not, 2 for bad flags.
 *
 *     deno task fuzz                          # every target, 100,000 inputs each (the full run)
 *     deno task fuzz --slice ci               # the smaller slice .ci/run runs
 *     deno task fuzz --target hex --count 1e6 --seed 7
 *     deno task fuzz --target region --seed 7 --index 91234   # one input again, in process
 *     deno task fuzz --list
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fuzzTarget, type TargetReport } from "./harness.ts";
import { inputRand } from "./rand.ts";
import { errorLine, inputFrom, inputJson } from "./target.ts";
import { target, TARGETS } from "./targets/mod.ts";

/**
 * Inputs per target of the CI slice (`--slice ci`): a fifth of the full run, the first 20000
 * inputs of each target's seed-1 sequence, 60-90 s on two cores (README:
 * Fuzzing).
 */
export const CI_SLICE = 20_000;

class UsageError extends Error {}

const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One line of the table. */
function row(r: TargetReport): string {
  const outcomes = Object.entries(r.outcomes).sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`).join(", ");
  return [
    r.target.padEnd(26),
    String(r.inputs).padStart(7),
    String(r.seed).padStart(10),
    secs(r.ms).padStart(8),
    mib(r.peakRss).padStart(8),
    mib(r.peakHeap).padStart(8),
    `${r.slowest.ms.toFixed(1)} ms (#${r.slowest.index})`.padStart(22),
    String(r.failures.length).padStart(5),
    "  " + outcomes,
  ].join(" ");
}

const HEADER = [
  "target".padEnd(26),
  "inputs".padStart(7),
  "seed".padStart(10),
  "time".padStart(8),
  "peak RSS".padStart(8),
  "peak JS".padStart(8),
  "slowest input".padStart(22),
  "fails".padStart(5),
  "  outcomes",
].join(" ");

/** The targets a `--target` names: an exact name, or every target of a family (`decode`). */
function select(names: string[]): string[] {
  if (!names.length) return TARGETS.map((t) => t.name);
  const out: string[] = [];
  for (const n of names) {
    const hits = TARGETS.filter((t) => t.name === n || t.name.startsWith(n + ":"));
    if (!hits.length) {
      throw new UsageError(`--target ${n}: no such target or family (see --list)`);
    }
    out.push(...hits.map((t) => t.name));
  }
  return [...new Set(out)];
}

function number(v: string | undefined, flag: string, dflt: number, min = 0): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${flag} ${v}: expected an integer >= ${min}`);
  }
  return n;
}

/** Target options from `--option key=value` (numbers as numbers). */
function options(list: string[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const kv of list) {
    const m = /^([a-zA-Z]\w*)=(.*)$/.exec(kv);
    if (!m) throw new UsageError(`--option ${kv}: expected key=value`);
    o[m[1]] = m[2] !== "" && !isNaN(Number(m[2])) ? Number(m[2]) : m[2];
  }
  return o;
}

/** One input, in this process, with its stack trace when it fails (for a debugger too). */
async function one(
  name: string,
  seed: number,
  index: number,
  given: string | undefined,
  opts: Record<string, unknown>,
): Promise<number> {
  const t = target(name);
  const input = given !== undefined ? inputFrom(given) : t.gen(inputRand(seed, name, index), index);
  console.log(`input ${inputJson(input)}`);
  try {
    console.log(`outcome ${await t.run(input, { index, options: opts })}`);
    return 0;
  } catch (e) {
    console.log(`FAIL ${errorLine(e)}`);
    console.error(e);
    return 1;
  }
}

async function main(args: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args,
    options: {
      count: { type: "string" },
      seed: { type: "string" },
      target: { type: "string", multiple: true, default: [] },
      slice: { type: "string" },
      jobs: { type: "string" },
      "hang-ms": { type: "string" },
      "memory-mib": { type: "string" },
      index: { type: "string" },
      input: { type: "string" },
      option: { type: "string", multiple: true, default: [] },
      json: { type: "string" },
      list: { type: "boolean" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (v.list) {
    for (const t of TARGETS) {
      console.log(`${t.name.padEnd(26)} ${t.doc}\n${"".padEnd(26)} errors: ${t.errors}`);
    }
    return 0;
  }
  if (v.slice !== undefined && v.slice !== "ci") {
    throw new UsageError(`--slice ${v.slice}: only "ci"`);
  }
  const seed = number(v.seed, "--seed", 1);
  const names = select(v.target);
  const opts = options(v.option);
  if (v.index !== undefined || v.input !== undefined) {
    if (names.length !== 1) throw new UsageError("--index and --input need one --target");
    return await one(names[0], seed, number(v.index, "--index", 0), v.input, opts);
  }
  const count = Number(v.count ?? 100_000);
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new UsageError(`--count ${v.count}: expected an integer >= 1`);
  }
  const jobs = number(v.jobs, "--jobs", 2, 1);
  const hangMs = number(v["hang-ms"], "--hang-ms", 10_000, 1);
  const memoryLimit = number(v["memory-mib"], "--memory-mib", 1024, 64) * 2 ** 20;
  const countOf = () => (v.slice ? CI_SLICE : count);
  console.log(
    `fuzz: ${names.length} targets, ${countOf()} inputs each${v.slice ? " (the ci slice)" : ""}, ` +
      `seed ${seed}, ${jobs} jobs, a hang is ${hangMs} ms without a report, memory bound ` +
      `${mib(memoryLimit)}; load average ${Deno.loadavg().map((x) => x.toFixed(1)).join(" ")}`,
  );
  console.log(HEADER);
  const reports: TargetReport[] = [];
  const queue = [...names];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      const r = await fuzzTarget(name, {
        seed,
        count: countOf(),
        hangMs,
        memoryLimit,
        options: opts,
      });
      reports.push(r);
      console.log(row(r));
    }
  }));
  const failures = reports.flatMap((r) => r.failures.map((f) => ({ ...f, target: r.target })));
  const inputs = reports.reduce((n, r) => n + r.inputs, 0);
  console.log(
    `${names.length} targets, ${inputs} inputs, ${failures.length} failures, ` +
      `${reports.reduce((n, r) => n + r.stalls.length, 0)} stalls, ` +
      `${secs(performance.now() - t0)}; peak RSS ${
        mib(Math.max(0, ...reports.map((r) => r.peakRss)))
      }`,
  );
  for (const r of reports) {
    for (const st of r.stalls) {
      console.log(
        `\nstall ${r.target} index ${st.index}: ${st.first}; it passed when run again alone ` +
          `(a busy machine, not the input)`,
      );
    }
    for (const k of r.known) {
      console.log(`\nknown ${r.target}: ${k.count} inputs: ${k.note}`);
      console.log(`  first: index ${k.first.index}: ${k.first.error}`);
      console.log(
        `  again: deno task fuzz --target ${r.target} --seed ${seed} --index ${k.first.index}`,
      );
    }
  }
  for (const f of failures) {
    console.log(`\nFAIL ${f.target} seed ${seed} index ${f.index}: ${f.error}`);
    console.log(`  input ${f.input}`);
    console.log(`  again: deno task fuzz --target ${f.target} --seed ${seed} --index ${f.index}`);
  }
  if (v.json) {
    await Deno.writeTextFile(v.json, JSON.stringify({ seed, reports }, null, 2) + "\n");
  }
  return failures.length ? 1 : 0;
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (e) {
    if (!(e instanceof UsageError) && !(e instanceof TypeError && "code" in e)) throw e;
    console.error(`fuzz: ${(e as Error).message}`);
    code = 2;
  }
  Deno.exit(code);
}
