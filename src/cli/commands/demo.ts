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
import type { Command } from "@commander-js/extra-typings";
import { paint } from "../render.ts";

/** Adds the `demo` command. */
export function registerDemo(program: Command): void {
  program.command("demo")
    .description(
      "simulate a fault storm on the seed's RFC v3 region, then inspect and validate the snapshot",
    )
    .option("--dir <dir>", "where to write the snapshot and chart (default: a new temp dir)")
    .addHelpText("after", "\nExample:\n  faultscope demo\n  faultscope demo --dir /tmp/fs-demo")
    .action(async (opts) => {
      const dir = opts.dir ?? await Deno.makeTempDir({ prefix: "faultscope-demo-" });
      const image = `${dir}/seed-storm.bin`;
      const chart = `${dir}/seed-storm.svg`;
      const steps: string[][] = [
        ["simulate", "--out", image, "--plot", chart, "--no-progress"],
        ["inspect", image, "--limit", "8"],
        ["validate", image],
      ];
      for (const [i, args] of steps.entries()) {
        console.log(`${i ? "\n" : ""}${paint("bold", `$ faultscope ${args.join(" ")}`)}`);
        await program.parseAsync(args, { from: "user" });
      }
      console.log(
        `\nThe storm filled the ring while the VMM was stalled: the kernel dropped faults it never ` +
          `counts (IDX-FULL).\nChart: ${chart}`,
      );
    });
}
