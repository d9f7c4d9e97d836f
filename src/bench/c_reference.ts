/**
 * The C11 reference ring of `bench --c-reference`: builds `bench/c/ring.c` with the system's C
 * compiler (`cc -std=c11 -O2 -pthread`) into a temporary directory, and runs it with the
 * layout and the record template of a ring configuration, both derived from the ABI data as
 * the TypeScript ring's are, so the two move the same bytes by the same protocol. Its one JSON
 * line becomes a {@link RunResult} like a Worker run's.
 *
 * Where there is no compiler, no source (a compiled faultscope binary carries none) or no
 * permission to run one, {@link buildCReference} says so in one line instead of failing.
 *
 * @example
 * ```ts ignore
 * // Not run by `deno test --doc`: it spawns the C compiler, then the binary it built.
 * import { buildCReference, removeCReference, runCReference } from "./c_reference.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "c-reference", layout: "dma-fault", placement: "region", batch: 64, wait: "spin",
 *   records: 100_000, durationMs: 0,
 * };
 * const c = await buildCReference();
 * if (c.ok) {
 *   const r = await runCReference(c, spec);
 *   r.verified; // => true
 *   r.recordsPerS; // the C11 twin's figure, for the ring's `vs C` ratio
 *   await removeCReference(c);
 * }
 * ```
 * @module
 */
import { ringGeometry } from "../ring/geometry.ts";
import { BenchRecordCodec } from "./record.ts";
import type { RunResult } from "./runner.ts";
import type { ConsumerReport, ProducerReport, RunSpec, SideStats } from "./types.ts";
import { LatencyHistogram } from "../stats/histogram.ts";

/** The C reference's source, next to the project's benchmarks. */
export const C_SOURCE = new URL("../../bench/c/ring.c", import.meta.url);

/**
 * Where the C reference is built: one binary at a fixed path, replaced by each build and kept
 * (bench/out/ is not tracked), so that `deno task faultscope` can allow running `cc` and it and
 * nothing else (`--allow-run=cc,bench/out/c-reference/ring`).
 */
export const C_BINARY = new URL("../../bench/out/c-reference/ring", import.meta.url);

/** A built C reference (with a scratch directory of its own), or why there is none. */
export type CReference =
  | { readonly ok: true; readonly binary: string; readonly compiler: string; readonly dir: string }
  | { readonly ok: false; readonly reason: string };

async function run(cmd: string, args: string[], signal?: AbortSignal) {
  const out = await new Deno.Command(cmd, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal,
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Compiles the C reference, or says in one line why it cannot.
 *
 * @example
 * ```ts
 * import { buildCReference } from "./c_reference.ts";
 * // With a compiler: `{ ok: true, compiler: "cc (Debian 14.2.0-19) 14.2.0", binary, dir }`,
 * // binary being bench/out/c-reference/ring and dir a scratch directory.
 * const c = await buildCReference("no-such-cc"); // a machine without one
 * c.ok ? c.compiler : c.reason; // => "no C compiler: `no-such-cc` is not on PATH"
 * ```
 */
export async function buildCReference(cc = "cc"): Promise<CReference> {
  if (C_SOURCE.protocol !== "file:") {
    return { ok: false, reason: "the C reference source is not a local file here" };
  }
  const src = C_SOURCE.pathname;
  try {
    await Deno.stat(src);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { ok: false, reason: `no C reference source at ${src} (a compiled binary has none)` };
    }
    return { ok: false, reason: `cannot read ${src}: ${(e as Error).message}` };
  }
  let version: string;
  try {
    version = (await run(cc, ["--version"])).stdout.split("\n")[0].trim();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { ok: false, reason: `no C compiler: \`${cc}\` is not on PATH` };
    }
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      return { ok: false, reason: `running \`${cc}\` needs --allow-run` };
    }
    return { ok: false, reason: `cannot run \`${cc}\`: ${(e as Error).message}` };
  }
  let dir: string;
  const binary = C_BINARY.pathname;
  try {
    await Deno.mkdir(new URL(".", C_BINARY), { recursive: true });
    dir = await Deno.makeTempDir({ prefix: "faultscope-cref-" });
  } catch (e) {
    return { ok: false, reason: `cannot make a build directory: ${(e as Error).message}` };
  }
  // Built beside its final name and renamed over it, so that a bench running the previous
  // binary, or building at the same time, never runs a half-written one. Deno refuses a write
  // to a program it may run (`--allow-run=...,bench/out/c-reference/ring`): there, `cc` writes
  // the binary in place.
  const atomic = Deno.permissions.querySync({ name: "write", path: binary }).state === "granted";
  const out = atomic ? `${binary}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp` : binary;
  const r = await run(cc, ["-std=c11", "-O2", "-pthread", "-o", out, src]);
  const failed = async (reason: string): Promise<CReference> => {
    if (atomic) await Deno.remove(out).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    return { ok: false, reason };
  };
  if (r.code !== 0) {
    const first = r.stderr.split("\n").find((l) => l.includes("error")) ?? r.stderr.split("\n")[0];
    return failed(`\`${cc}\` failed on ${src}: ${first.trim()}`);
  }
  if (atomic) {
    try {
      await Deno.rename(out, binary);
    } catch (e) {
      return failed(`cannot place the C reference at ${binary}: ${(e as Error).message}`);
    }
  }
  return { ok: true, binary, compiler: version || cc, dir };
}

/**
 * Removes a built C reference's scratch directory; the binary stays at {@link C_BINARY}, where
 * the next build replaces it.
 *
 * @example
 * ```ts
 * import { C_BINARY, type CReference, removeCReference } from "./c_reference.ts";
 * const dir = await Deno.makeTempDir(); // as buildCReference leaves it, a file inside
 * await Deno.writeFile(`${dir}/region.bin`, new Uint8Array(0));
 * const c: CReference = { ok: true, binary: C_BINARY.pathname, compiler: "cc", dir };
 * await removeCReference(c);
 * await Deno.stat(dir).catch((e) => e.name); // => "NotFound"
 * ```
 */
export async function removeCReference(c: CReference): Promise<void> {
  if (c.ok) await Deno.remove(c.dir, { recursive: true }).catch(() => {});
}

/**
 * The command-line arguments that make the C reference run `spec`.
 *
 * @example
 * ```ts
 * import { cReferenceArgs } from "./c_reference.ts";
 * cReferenceArgs({
 *   transport: "c-reference", layout: "dma-fault", placement: "region", batch: 256,
 *   wait: "spin", records: 0, durationMs: 1000,
 * }).slice(0, 2);
 * // => ["-g", "16,0,4096,64,512,36864"]
 * ```
 */
export function cReferenceArgs(spec: RunSpec): string[] {
  const g = ringGeometry(spec.layout, { placement: spec.placement });
  const codec = new BenchRecordCodec(g.abi === "rfc3" ? "rfc3" : "mainline");
  const args = [
    "-g",
    [g.prodOffset, g.consOffset, g.ringOffset, g.entrySize, g.capacity, g.regionSize].join(","),
    "-t",
    [...codec.template].map((w) => String(w >>> 0)).join(","),
    "-f",
    [codec.pasidWord, codec.addrWord, codec.addrWord + 1, codec.tsWord, codec.checkWord].join(","),
    "-b",
    String(spec.batch),
    "-w",
    spec.wait,
    "-u",
    String(spec.warmupMs ?? 0),
  ];
  if (spec.records > 0) args.push("-n", String(spec.records));
  else args.push("-d", String(spec.durationMs));
  if (spec.spinUs !== undefined) args.push("-s", String(spec.spinUs));
  if (spec.sleepMs !== undefined) args.push("-l", String(spec.sleepMs));
  if (spec.producerPauseUs !== undefined) args.push("-i", String(spec.producerPauseUs));
  return args;
}

interface CSide {
  records: number;
  publishes: number;
  waits: number;
  spins: number;
  arms: number;
  sleeps: number;
  timeouts: number;
  notifies: number;
  index_loads: number;
  clock_reads: number;
  fault: string | null;
  cpus: number[];
}

interface COutput {
  verified: boolean;
  records_per_s: number;
  window_records: number;
  window_ms: number;
  ok: number;
  lost: number;
  duplicated_or_reordered: number;
  torn: number;
  clock_skew: number;
  latency_ns: { p50: number; p99: number; p999: number; max: number } | null;
  producer: CSide;
  consumer: CSide;
}

function sideStats(s: CSide): SideStats {
  const st: SideStats = {
    records: s.records,
    publishes: s.publishes,
    waits: s.waits,
    spins: s.spins,
    arms: s.arms,
    sleeps: s.sleeps,
    timeouts: s.timeouts,
    notifies: s.notifies,
    indexLoads: s.index_loads,
    clockReads: s.clock_reads,
    cpus: [...s.cpus].sort((a, b) => a - b),
  };
  if (s.fault !== null) st.fault = s.fault;
  return st;
}

/**
 * Runs the C reference for `spec` (a `c-reference` spec: the ring configuration it mirrors).
 * Aborting `signal` kills it; the result is then `interrupted`.
 *
 * @example
 * ```ts ignore
 * // Not run by `deno test --doc`: it spawns the binary buildCReference compiled.
 * import { buildCReference, removeCReference, runCReference } from "./c_reference.ts";
 * import type { RunSpec } from "./types.ts";
 * const ringSpec: RunSpec = {
 *   transport: "ring", layout: "rfc3", placement: "region", batch: 16, wait: "spin-wait",
 *   records: 100_000, durationMs: 0,
 * };
 * const c = await buildCReference();
 * if (!c.ok) throw new Error(c.reason);
 * const r = await runCReference(c, { ...ringSpec, transport: "c-reference" });
 * [r.verified, r.lost, r.recordSize]; // => [true, 0, 48]
 * await removeCReference(c);
 * ```
 */
export async function runCReference(
  c: CReference & { ok: true },
  spec: RunSpec,
  signal?: AbortSignal,
): Promise<RunResult> {
  const g = ringGeometry(spec.layout, { placement: spec.placement });
  const problems: string[] = [];
  let out: COutput | undefined;
  let interrupted = false;
  try {
    const r = await run(c.binary, cReferenceArgs(spec), signal);
    try {
      out = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "") as COutput;
    } catch {
      problems.push(
        `the C reference exited ${r.code} without a result: ${r.stderr.trim() || "no output"}`,
      );
    }
  } catch (e) {
    if (signal?.aborted) interrupted = true;
    else problems.push(`the C reference did not run: ${(e as Error).message}`);
  }
  if (signal?.aborted) interrupted = true;
  let producer: ProducerReport | undefined;
  let consumer: ConsumerReport | undefined;
  if (out !== undefined) {
    producer = { stats: sideStats(out.producer) };
    consumer = {
      stats: sideStats(out.consumer),
      verify: {
        ok: out.ok,
        lost: out.lost,
        duplicatedOrReordered: out.duplicated_or_reordered,
        torn: out.torn,
        clockSkew: out.clock_skew,
      },
      nextSeq: out.consumer.records,
      windowRecords: out.window_records,
      windowMs: out.window_ms,
      latency: new LatencyHistogram().snapshot(),
    };
    if (out.producer.fault) problems.push(`producer stopped: ${out.producer.fault}`);
    if (out.consumer.fault) problems.push(`consumer stopped: ${out.consumer.fault}`);
    if (out.lost > 0) problems.push(`${out.lost} records lost`);
    if (out.duplicated_or_reordered > 0) {
      problems.push(`${out.duplicated_or_reordered} records duplicated or reordered`);
    }
    if (out.torn > 0) problems.push(`${out.torn} records torn or corrupt`);
    if (out.consumer.records < out.producer.records) {
      problems.push(`${out.producer.records - out.consumer.records} records lost`);
    }
    if (!out.verified && problems.length === 0) problems.push("the C reference did not verify");
  }
  const recordsPerS = out !== undefined && out.window_ms > 0
    ? out.window_records / (out.window_ms / 1000)
    : 0;
  const lat = out?.latency_ns;
  const per = (s: CSide | undefined) => s && s.publishes > 0 ? s.records / s.publishes : 0;
  return {
    spec,
    producer,
    consumer,
    recordSize: g.entrySize,
    recordsPerS,
    mbPerS: recordsPerS * g.entrySize / 1e6,
    latencyNs: {
      p50: lat?.p50 ?? NaN,
      p99: lat?.p99 ?? NaN,
      p999: lat?.p999 ?? NaN,
      max: lat?.max ?? NaN,
    },
    meanBatch: { producer: per(out?.producer), consumer: per(out?.consumer) },
    verified: problems.length === 0 && !interrupted && out !== undefined,
    lost: out?.lost ?? 0,
    duplicatedOrReordered: out?.duplicated_or_reordered ?? 0,
    torn: out?.torn ?? 0,
    problems,
    interrupted,
    sab: undefined,
  };
}
