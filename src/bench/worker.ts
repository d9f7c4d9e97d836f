/**
 * Worker entry of a bench or stress run: receives one {@link WorkerOrder}, plays the producer
 * or the consumer of the chosen transport until the run ends, and posts its report back.
 *
 * Needs read permission for this file (Deno checks a worker's module like any import).
 *
 * @example
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { minimalRegion } from "./minimal_ring.ts";
 * import type { RunSpec, WorkerOrder, WorkerReply } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "minimal-ring", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0, // they fit in the ring: this producer needs no consumer
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1);
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order: WorkerOrder = { role: "producer", spec, sab: minimalRegion(), control, epoch };
 * const w = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
 * const reply = await new Promise<WorkerReply>((resolve) => {
 *   w.onmessage = (e: MessageEvent<WorkerReply>) => resolve(e.data);
 *   w.postMessage(order); // runner.ts starts a producer and a consumer this way
 * });
 * w.terminate();
 * reply.type === "producer" && reply.report.stats.records; // => 100
 * ```
 * @module
 */
import { runPostMessageConsumer, runPostMessageProducer } from "./postmessage_loops.ts";
import { runRingbufConsumer, runRingbufProducer } from "./ringbuf_side.ts";
import { runMinimalConsumer, runMinimalProducer } from "./minimal_ring.ts";
import type { ConsumerReport, ProducerReport, WorkerOrder, WorkerReply } from "./types.ts";
import { runRingConsumer, runRingProducer } from "./ring_side.ts";

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<WorkerOrder>) => void) | null;
  postMessage(m: WorkerReply): void;
};

async function play(o: WorkerOrder): Promise<WorkerReply> {
  const t = o.spec.transport;
  if (o.role === "producer") {
    let report: ProducerReport;
    if (t === "ring") report = runRingProducer(o);
    else if (t === "ringbuf.js") report = runRingbufProducer(o);
    else if (t === "minimal-ring") report = runMinimalProducer(o);
    else report = await runPostMessageProducer(o);
    return { type: "producer", report };
  }
  let report: ConsumerReport;
  if (t === "ring") report = runRingConsumer(o);
  else if (t === "ringbuf.js") report = runRingbufConsumer(o);
  else if (t === "minimal-ring") report = runMinimalConsumer(o);
  else report = await runPostMessageConsumer(o);
  return { type: "consumer", report };
}

scope.onmessage = (e) => {
  play(e.data).then(
    (reply) => scope.postMessage(reply),
    (err) => scope.postMessage({ type: "error", message: String(err?.stack ?? err) }),
  );
};
