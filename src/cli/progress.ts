/**
 * A progress bar for long runs on a terminal. cli-progress is imported only when a bar is
 * actually drawn: importing it eagerly added ~30 ms to every faultscope invocation, including
 * `inspect` and `validate`, whose whole run is ~45 ms.
 *
 * @example
 * ```ts
 * import { progressBar } from "./progress.ts";
 * const bar = await progressBar(Deno.stderr.isTerminal(), "work [{bar}] {value}/{total}");
 * bar?.start(10, 0);
 * bar?.stop();
 * ```
 * @module
 */
// @ts-types="npm:@types/cli-progress@^3.11.6"
import type { SingleBar } from "cli-progress";

/** A started-on-demand bar, or undefined when `show` is false. */
export async function progressBar(show: boolean, format: string): Promise<SingleBar | undefined> {
  if (!show) return undefined;
  // @ts-types="npm:@types/cli-progress@^3.11.6"
  const { default: cliProgress } = await import("cli-progress");
  return new cliProgress.SingleBar(
    { format, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
}
