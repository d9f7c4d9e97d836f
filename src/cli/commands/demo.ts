/**
 * `faultscope demo`: the main job on embedded defaults, with no arguments to find. Simulates the
 * seed's 64 KiB RFC v3 region under a fault storm with a stalled VMM, writes the final region
 * image, then inspects and validates that image, printing each command so it can be repeated.
 *
 * @example
 * ```sh
 * faultscope demo
 * ```
 * @module
 */
import type { DEMO } from "../commands.ts";
import { EXIT, type ExitCode } from "../errors.ts";
import type { Io } from "../io.ts";
import { dispatch } from "../main.ts";
import type { Parsed } from "../spec.ts";

/** Runs the demo's steps, each printed as the command line that repeats it. */
export async function run(o: Parsed<typeof DEMO>, io: Io): Promise<ExitCode> {
  const dir = o.dir ?? await Deno.makeTempDir({ prefix: "faultscope-demo-" });
  const image = `${dir}/seed-storm.bin`;
  const chart = `${dir}/seed-storm.svg`;
  const steps: string[][] = [
    ["simulate", "--out", image, "--plot", chart, "--no-progress"],
    ["inspect", image, "--limit", "8"],
    ["validate", image],
  ];
  for (const [i, args] of steps.entries()) {
    io.out.line(`${i ? "\n" : ""}${io.paint("bold", `$ faultscope ${args.join(" ")}`)}`);
    const code = await dispatch(args, io);
    if (code !== EXIT.OK) return code;
  }
  io.out.line(
    `\nThe storm filled the ring while the VMM was stalled: the kernel dropped faults it never ` +
      `counts (IDX-FULL).\nChart: ${chart}`,
  );
  return EXIT.OK;
}
