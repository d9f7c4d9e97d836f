/**
 * What the machine running a benchmark is, and where its threads ran, as far as the OS tells:
 * the CPU model and counts from `/proc/cpuinfo`, the CPUs the process may use from
 * `/proc/self/status`, and the CPU a thread last ran on from field 39 (`processor`) of
 * `/proc/thread-self/stat` (proc(5)). Elsewhere (or without read permission) the values are
 * `null` or empty, never guessed.
 *
 * @example
 * ```ts
 * import { currentCpu, machineInfo } from "./machine.ts";
 * const m = machineInfo();
 * [m.cpuModel, m.logicalCpus]; // e.g. ["AMD EPYC", 2]
 * currentCpu(); // e.g. 1, or null where the OS does not say
 * ```
 * @module
 */

/** The machine a benchmark ran on. */
export interface MachineInfo {
  /** CPU model name (`model name` in /proc/cpuinfo), or null. */
  readonly cpuModel: string | null;
  /** Logical CPUs online. */
  readonly logicalCpus: number;
  /** Distinct (package, core) pairs in /proc/cpuinfo, or null when it does not say. */
  readonly physicalCores: number | null;
  /** CPUs this process may run on (`Cpus_allowed_list`, e.g. `0-1` or `0,8`), or null. */
  readonly allowedCpus: string | null;
  /** e.g. `linux x86_64`. */
  readonly os: string;
  /** Deno version. */
  readonly deno: string;
  /** V8 version. */
  readonly v8: string;
}

function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/**
 * Parses /proc/cpuinfo text: the model name and the number of distinct physical cores.
 *
 * @example
 * ```ts
 * import { parseCpuinfo } from "./machine.ts";
 * parseCpuinfo("processor : 0\nmodel name : Xeon\nphysical id : 0\ncore id : 3\n");
 * // => { model: "Xeon", cores: 1, processors: 1 }
 * ```
 */
export function parseCpuinfo(
  text: string,
): { model: string | null; cores: number | null; processors: number } {
  let model: string | null = null;
  const cores = new Set<string>();
  let processors = 0;
  let pkg = "";
  let sawCoreId = false;
  for (const line of text.split("\n")) {
    const i = line.indexOf(":");
    if (i < 0) continue;
    const key = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (key === "processor") processors++;
    else if (key === "model name" && model === null) model = value;
    else if (key === "physical id") pkg = value;
    else if (key === "core id") {
      cores.add(`${pkg}/${value}`);
      sawCoreId = true;
    }
  }
  return { model, cores: sawCoreId ? cores.size : null, processors };
}

/**
 * The machine, read once.
 *
 * @example
 * ```ts
 * import { machineInfo } from "./machine.ts";
 * machineInfo().logicalCpus >= 1; // => true
 * ```
 */
export function machineInfo(): MachineInfo {
  const info = parseCpuinfo(readText("/proc/cpuinfo") ?? "");
  const status = readText("/proc/self/status") ?? "";
  const allowed = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? null;
  return {
    cpuModel: info.model,
    logicalCpus: navigator.hardwareConcurrency || info.processors,
    physicalCores: info.cores,
    allowedCpus: allowed,
    os: `${Deno.build.os} ${Deno.build.arch}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
  };
}

/**
 * Field 39 (`processor`: the CPU last run on) of a `/proc/.../stat` line, or null. The command
 * name in field 2 may hold spaces and parentheses, so fields are counted after its last `)`.
 *
 * @example
 * ```ts
 * import { statProcessor } from "./machine.ts";
 * const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
 * statProcessor(`42 (a) b) ${fields.join(" ")}`); // => 39
 * ```
 */
export function statProcessor(stat: string): number | null {
  const close = stat.lastIndexOf(")");
  if (close < 0) return null;
  const rest = stat.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state).
  const v = Number(rest[39 - 3]);
  return Number.isInteger(v) && v >= 0 ? v : null;
}

/**
 * The CPU the calling thread last ran on, or null where the OS does not tell (not Linux, or no
 * read permission). A worker calls it for its own thread.
 *
 * @example
 * ```ts
 * import { currentCpu } from "./machine.ts";
 * const cpu = currentCpu(); // e.g. 0
 * ```
 */
export function currentCpu(): number | null {
  const s = readText("/proc/thread-self/stat");
  return s === null ? null : statProcessor(s);
}

/**
 * The CPUs one thread was seen on, sampled at most every {@link CpuTrace.everyMs}: at the start,
 * then whenever the thread's loop offers a clock reading past the next sample time, and at the
 * end. Sampling reads a /proc file (tens of µs), so it is kept rare.
 *
 * @example
 * ```ts
 * import { CpuTrace } from "./machine.ts";
 * const t = new CpuTrace();
 * t.sample(performance.now());
 * t.cpus; // e.g. [1]
 * ```
 */
export class CpuTrace {
  /** Milliseconds between samples. */
  static readonly everyMs = 100;
  /** Next `performance.now()` at which {@link maybe} samples. */
  next = 0;
  readonly #seen = new Set<number>();
  #known = true;

  /** Samples now. */
  sample(now: number): void {
    this.next = now + CpuTrace.everyMs;
    if (!this.#known) return;
    const cpu = currentCpu();
    if (cpu === null) this.#known = false;
    else this.#seen.add(cpu);
  }

  /** Samples if the last sample is older than {@link CpuTrace.everyMs}. */
  maybe(now: number): void {
    if (now >= this.next) this.sample(now);
  }

  /** CPUs seen, ascending (empty when the OS does not tell). */
  get cpus(): number[] {
    return [...this.#seen].sort((a, b) => a - b);
  }
}
