/**
 * `faultscope demo`: the main job on an embedded default, with no arguments to find: inspects and
 * validates the sample RFC v3 region shipped in testdata/.
 *
 * @example
 * ```sh
 * faultscope demo
 * ```
 * @module
 */
import type { Command } from "@commander-js/extra-typings";

/** The sample region, resolved next to the source so it works from any working directory. */
export const SAMPLE_REGION = new URL("../../../testdata/rfc3-sample.bin", import.meta.url);

/** Adds the `demo` command. */
export function registerDemo(program: Command): void {
  program.command("demo")
    .description("inspect and validate the sample RFC v3 region shipped in testdata/")
    .addHelpText("after", "\nExample:\n  faultscope demo")
    .action(async () => {
      const path = decodeURIComponent(SAMPLE_REGION.pathname);
      console.log(`$ faultscope inspect ${path}`);
      await program.parseAsync(["inspect", path], { from: "user" });
      console.log(`\n$ faultscope validate ${path}`);
      await program.parseAsync(["validate", path], { from: "user" });
    });
}
