/**
 * faultscope: inspect, simulate, validate and benchmark VFIO nested-IOMMU fault regions.
 *
 * @example
 * ```sh
 * deno run -A main.ts inspect testdata/rfc3-sample.bin
 * ```
 * @module
 */
import { run } from "./src/cli/main.ts";

if (import.meta.main) {
  Deno.exit(await run(Deno.args));
}
