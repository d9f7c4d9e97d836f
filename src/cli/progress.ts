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
/** The part of cli-progress's `SingleBar` the commands use. */
export interface ProgressBar {
  /** Shows the bar at `value` of `total`; `payload` fills the format's other tokens. */
  start(total: number, value: number, payload?: Record<string, unknown>): void;
  /** Moves the bar to `value`. */
  update(value: number, payload?: Record<string, unknown>): void;
  /** Removes the bar's cursor handling and ends the line. */
  stop(): void;
}

/** A started-on-demand bar, or undefined when `show` is false. */
export async function progressBar(
  show: boolean,
  format: string,
): Promise<ProgressBar | undefined> {
  if (!show) return undefined;
  let cliProgress;
  try {
    // @ts-types="npm:@types/cli-progress@^3.11.6"
    cliProgress = (await import("cli-progress")).default;
  } catch {
    // Not installed (`deno run` before `deno install`: npm packages live in node_modules): a
    // bar is a nicety, the run goes on without one.
    return undefined;
  }
  return new cliProgress.SingleBar(
    { format, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
}
