/**
 * Ctrl-C and SIGTERM for long-running commands, handled one way everywhere: while a command
 * holds an {@link Interrupts}, the signals do not kill the process; the command's loops check
 * {@link Interrupts.signal} between units of work, finish the unit (a trace line, a ring run),
 * print what they have, and throw {@link Interrupted}, which exits 130 (SIGINT) or 143 (SIGTERM).
 *
 * @example
 * ```ts
 * import { interrupts } from "./signals.ts";
 * using stop = interrupts();
 * for (let i = 0; i < 3 && !stop.signal; i++) {
 *   // one unit of work
 * }
 * stop.throwIfInterrupted("partial results above"); // no signal arrived: nothing happens
 * ```
 * @module
 */
import { Interrupted } from "./errors.ts";

/** A signal the command was asked to stop by. */
export type StopSignal = "SIGINT" | "SIGTERM";

/** The signals caught while it is held; release it with `using` or {@link Interrupts.dispose}. */
export interface Interrupts extends Disposable {
  /** The first signal that arrived, if any. */
  readonly signal: StopSignal | undefined;
  /** Aborted when a signal arrives (for APIs that take an AbortSignal). */
  readonly abort: AbortSignal;
  /** Resolves when a signal arrives (to race against a wait). */
  readonly arrived: Promise<StopSignal>;
  /** Throws {@link Interrupted} with `message` if a signal arrived. */
  throwIfInterrupted(message: string): void;
  /** Stops catching the signals. */
  dispose(): void;
}

/** Catches SIGINT and SIGTERM until disposed. */
export function interrupts(): Interrupts {
  const controller = new AbortController();
  let signal: StopSignal | undefined;
  let resolve!: (s: StopSignal) => void;
  const arrived = new Promise<StopSignal>((r) => (resolve = r));
  const handlers = (["SIGINT", "SIGTERM"] as const).map((s) => {
    const h = () => {
      if (signal) return;
      signal = s;
      controller.abort(s);
      resolve(s);
    };
    Deno.addSignalListener(s, h);
    return [s, h] as const;
  });
  let disposed = false;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
  };
  return {
    get signal() {
      return signal;
    },
    abort: controller.signal,
    arrived,
    throwIfInterrupted(message: string) {
      if (signal) throw new Interrupted(message, signal);
    },
    dispose,
    [Symbol.dispose]: dispose,
  };
}
