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

/**
 * `p`, or undefined when a signal of `stop` arrives first: a read that waits on a pipe or a
 * terminal does not keep Ctrl-C waiting (what it would have read is no longer wanted).
 */
export function untilStopped<T>(stop: Interrupts, p: Promise<T>): Promise<T | undefined> {
  if (stop.signal) return Promise.resolve(undefined);
  return Promise.race([p, stop.arrived.then(() => undefined)]);
}

/**
 * The items of `items` until a signal of `stop` arrives: then it ends at once, as if the input
 * ended, without waiting for the read in progress. What reads records through it finishes the
 * chunk it holds, closes its output and calls {@link Interrupts.throwIfInterrupted}.
 *
 * @example
 * ```ts
 * import { interrupts, untilSignal } from "./signals.ts";
 * using stop = interrupts();
 * async function* chunks() {
 *   yield 1;
 *   yield 2;
 * }
 * for await (const c of untilSignal(stop, chunks())) c; // 1, then 2: no signal arrived
 * ```
 */
export async function* untilSignal<T>(
  stop: Interrupts,
  items: AsyncIterable<T>,
): AsyncGenerator<T> {
  const it = items[Symbol.asyncIterator]();
  let pending = false, done = false;
  try {
    while (true) {
      pending = true;
      const n = await untilStopped(stop, it.next());
      if (!n) return; // the read stays pending: the command is about to end
      pending = false;
      if (n.done) {
        done = true;
        return;
      }
      yield n.value;
    }
  } finally {
    // Left early (a --count reached): close the input as a for-await would.
    if (!pending && !done) await it.return?.();
  }
}
