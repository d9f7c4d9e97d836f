/**
 * Runs the validator in a worker with a deadline: a hostile input that makes it loop or
 * allocate without bound fails the test in `ms` instead of hanging the suite.
 *
 * @module
 */
import type { GuardReply, GuardRequest } from "./validate_worker.ts";

/** The worker's reply, or `timedOut` when it did not answer in time (it is then terminated). */
export async function guarded(
  req: GuardRequest,
  ms: number,
): Promise<GuardReply & { timedOut: boolean; elapsed: number }> {
  const worker = new Worker(new URL("./validate_worker.ts", import.meta.url).href, {
    type: "module",
  });
  const start = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const reply = await new Promise<GuardReply | undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
      worker.onmessage = (e: MessageEvent<GuardReply>) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        resolve({ ok: false, error: { name: "WorkerError", message: e.message } });
      };
      worker.postMessage(req);
    });
    const elapsed = performance.now() - start;
    return reply ? { ...reply, timedOut: false, elapsed } : { ok: false, timedOut: true, elapsed };
  } finally {
    clearTimeout(timer);
    worker.terminate();
  }
}
