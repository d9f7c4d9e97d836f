/**
 * `faultscope demo`: the main jobs on embedded defaults, with no arguments to find. Simulates the
 * seed's 64 KiB RFC v3 region under a fault storm with a stalled VMM, writes the final region
 * image and its chart, then inspects and validates that image; then writes a kernel log with a
 * fault storm from each vendor's IOMMU (Intel, AMD, ARM SMMUv3), decodes one of its SMMUv3 event
 * records into the `iommu_fault` each kernel makes of it, and has `faultscope dmesg` decode and
 * summarise the log. Each command is printed so it can be repeated. Without `--dir` the files go
 * to a temporary directory that is removed at the end (the output says so); `--dir DIR` keeps
 * them, creating DIR if needed.
 *
 * @example
 * ```sh
 * faultscope demo
 * faultscope demo --dir /tmp/fs-demo
 * ```
 * @module
 */
import { COMMANDS, type DEMO } from "../commands.ts";
import { demoKernelLog, demoSmmuEvent } from "../demo_log.ts";
import { deniedReason, EXIT, type ExitCode, InputError, osWords } from "../errors.ts";
import type { Io } from "../io.ts";
import { dispatch } from "../main.ts";
import type { Parsed } from "../spec.ts";

/** The OS's words for why a directory could not be made or used. */
function reason(e: unknown): string {
  if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
    return deniedReason(e);
  }
  if (e instanceof Deno.errors.AlreadyExists) return "a file is in the way";
  return osWords(e);
}

/**
 * Makes sure `dir` is a directory to write into: creates it (and its parents) when missing and
 * returns true. One line naming `--dir` when it cannot be used.
 */
async function prepareDir(dir: string): Promise<boolean> {
  let st: Deno.FileInfo | undefined;
  try {
    st = await Deno.stat(dir);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new InputError(`--dir ${dir}: cannot use the directory: ${reason(e)}`);
    }
  }
  if (st && !st.isDirectory) throw new InputError(`--dir ${dir}: not a directory`);
  if (st) return false;
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new InputError(`--dir ${dir}: cannot create the directory: ${reason(e)}`);
  }
  return true;
}

/** A fresh temporary directory for the demo's files; one line naming what refused it. */
async function tempDir(): Promise<string> {
  try {
    return await Deno.makeTempDir({ prefix: "faultscope-demo-" });
  } catch (e) {
    throw new InputError(`demo: cannot create a temporary directory: ${reason(e)}`);
  }
}

/**
 * Runs the demo's steps, each printed as the command line that repeats it.
 *
 * @example
 * ```ts
 * import { run } from "../main.ts";
 * import { denoIo } from "../io.ts";
 * let stdout = ""; // captured; `denoIo()` alone writes to the terminal
 * const write = (t: string) => void (stdout += t);
 * const io = { ...denoIo(), out: { write, line: (t = "") => write(t + "\n"), flush() {} } };
 * const dir = await Deno.makeTempDir();
 * await run(["demo", "--dir", dir], io); // => 0: simulate, inspect, validate, dmesg
 * stdout.split("\n")[0].startsWith(`$ faultscope simulate --out ${dir}/seed-storm.bin`); // => true
 * Array.from(Deno.readDirSync(dir), (e) => e.name).sort(); // the files are kept
 * // => ["iommu-storm.log", "seed-storm.bin", "seed-storm.svg"]
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function run(o: Parsed<typeof DEMO>, io: Io): Promise<ExitCode> {
  const keep = o.dir !== undefined;
  let said = false;
  if (keep && await prepareDir(o.dir!)) {
    io.out.line(`Created ${o.dir} for the demo's files.`);
    said = true;
  }
  const dir = o.dir ?? await tempDir();
  const image = `${dir}/seed-storm.bin`;
  const chart = `${dir}/seed-storm.svg`;
  const log = `${dir}/iommu-storm.log`;
  /** Prints the command line (arguments with spaces quoted, as a shell takes them), runs it. */
  const step = async (args: string[], first = false) => {
    const line = args.map((a) => (a.includes(" ") ? `'${a}'` : a)).join(" ");
    io.out.line(`${first && !said ? "" : "\n"}${io.paint("bold", `$ faultscope ${line}`)}`);
    return await dispatch(args, io);
  };
  try {
    const region = [
      ["simulate", "--out", image, "--plot", chart, "--no-progress"],
      ["inspect", image, "--limit", "8"],
      ["validate", image],
    ];
    for (const [i, args] of region.entries()) {
      const code = await step(args, i === 0);
      if (code !== EXIT.OK) return code;
    }
    io.out.line(
      `\nThe storm filled the ring while the VMM was stalled: the kernel dropped faults it never ` +
        `counts (IDX-FULL).`,
    );
    // The same kind of storm as a host's kernel log shows it, from each vendor's IOMMU: one of
    // its hardware records decoded, then (where this build has dmesg) the whole log.
    await Deno.writeTextFile(log, demoKernelLog());
    io.out.line(`\nWrote ${log}: a fault storm from an Intel, an AMD and an ARM SMMUv3 IOMMU.`);
    const steps = [["decode", "--abi", "smmuv3-evt", "--as-iommu-fault", "--hex", demoSmmuEvent()]];
    if (COMMANDS.some((c) => c.name === "dmesg")) steps.push(["dmesg", log, "--no-events"]);
    for (const args of steps) {
      const code = await step(args);
      if (code !== EXIT.OK) return code;
    }
    io.out.line(
      keep
        ? `\nFiles: ${image} (region image), ${chart} (chart), ${log} (kernel log).`
        : `\nThe files were in ${dir}, removed now; keep them with --dir DIR.`,
    );
    return EXIT.OK;
  } finally {
    if (!keep) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
