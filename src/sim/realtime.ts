/**
 * A live region image of a running simulation, for `simulate --realtime`: the writes a kernel and
 * a VMM would make to the shared region, event by event, in their order (the producer writes the
 * record, then the producer index; the consumer writes its index), and a pacer that releases
 * them at the wall-clock time of their event. Pure: the writes go to a sink the caller gives and
 * the clock and the sleep are the caller's, so `watch` can be tested against a known ground
 * truth (the trace of the same run).
 *
 * @example
 * ```ts
 * import { RegionWriter } from "./realtime.ts";
 * import { Simulation } from "./engine.ts";
 * import { parseScenario } from "./scenario.ts";
 * const writer = new RegionWriter();
 * const sim = new Simulation(parseScenario({ events: 50 }), { events: writer });
 * writer.attach(sim);
 * sim.run(sim.n + 1);
 * const writes: [number, number][] = [];
 * writer.flush((offset, bytes) => writes.push([offset, bytes.length]));
 * writes; // => [[16, 48], [4, 4]]: the first fault's record in slot 0, then prod
 * ```
 * @module
 */
import { decoderFor } from "../codec/decode.ts";
import { encodeInto } from "../codec/encode.ts";
import type { Simulation } from "./engine.ts";
import type { SimEvents } from "./events.ts";
import { faultFields } from "./faults.ts";

/** The methods of {@link SimEvents}, for {@link teeEvents}. */
const EVENT_NAMES = [
  "fault",
  "drop",
  "wake",
  "deliver",
  "hang",
  "start",
  "stall",
  "resume",
  "inject",
] as const satisfies readonly (keyof SimEvents)[];

/** Calls every observer given, in order (a run can have a trace and a region writer). */
export function teeEvents(...observers: (SimEvents | undefined)[]): SimEvents | undefined {
  const list = observers.filter((o): o is SimEvents => o !== undefined);
  if (list.length <= 1) return list[0];
  const all: Record<string, (...args: unknown[]) => void> = {};
  for (const k of EVENT_NAMES) {
    all[k] = (...args: unknown[]) => {
      for (const o of list) (o[k] as (...a: unknown[]) => void).apply(o, args);
    };
  }
  return all as unknown as SimEvents;
}

/** One positioned write: bytes at an offset of the region. */
export interface RegionWrite {
  /** Byte offset in the region. */
  offset: number;
  /** What to write there. */
  bytes: Uint8Array;
}

/**
 * The writes of a running simulation to its region, queued per event in kernel order and taken
 * with {@link RegionWriter.flush}. Observe the simulation with it, then {@link RegionWriter.attach}.
 */
export class RegionWriter implements SimEvents {
  #sim: Simulation | undefined;
  #queue: RegionWrite[] = [];
  #header = new Map<string, number>();
  #record: Uint8Array | undefined;

  /** Starts following `sim` (created with this writer as its observer). */
  attach(sim: Simulation): void {
    this.#sim = sim;
    this.#record = new Uint8Array(sim.entrySize);
    for (const f of sim.layout.header) this.#header.set(f.name, this.#headerValue(f.role));
  }

  #headerValue(role: string): number {
    const s = this.#sim!;
    return role === "capacity"
      ? s.hdrSize
      : role === "producer"
      ? s.hdrProd
      : role === "consumer"
      ? s.hdrCons
      : role === "reserved"
      ? s.hdrReserved
      : NaN;
  }

  /** The kernel wrote fault `k` in `slot`: the record now, its index after ({@link flush}). */
  fault(_n: number, _t: number, k: number, slot: number): void {
    const sim = this.#sim;
    if (!sim) return;
    const r = sim.scenario.region;
    const rec = this.#record!;
    rec.fill(0);
    const dv = new DataView(rec.buffer);
    const cap = sim.capture;
    const fields = cap
      ? decoderFor(r.abi)(
        new DataView(cap.bytes.buffer, cap.bytes.byteOffset, cap.bytes.byteLength),
        (k % cap.count) * sim.entrySize,
        true,
      )
      : faultFields(sim.mix, sim.scenario.seed, k);
    encodeInto(r.abi, fields, dv, 0, true);
    this.#queue.push({ offset: sim.ringOffset + slot * sim.entrySize, bytes: rec.slice() });
  }

  /** A dropped fault writes nothing. */
  drop(): void {}
  /** The handler's wake-up writes nothing (its reads are not writes). */
  wake(): void {}
  /** The consumer's index move is written by {@link RegionWriter.flush}. */
  deliver(): void {}
  /** Nothing to write. */
  hang(): void {}
  /** Nothing to write. */
  start(): void {}
  /** Nothing to write. */
  stall(): void {}
  /** Nothing to write. */
  resume(): void {}
  /** The corrupted header field is written by {@link RegionWriter.flush}. */
  inject(): void {}

  /**
   * Hands the writes of the events since the last call to `write`, in order: records first, then
   * every header field that changed (so a reader never sees an index before its record).
   */
  flush(write: (offset: number, bytes: Uint8Array) => void): void {
    const sim = this.#sim;
    if (!sim) return;
    for (const w of this.#queue) write(w.offset, w.bytes);
    this.#queue.length = 0;
    const le = new Uint8Array(4);
    const dv = new DataView(le.buffer);
    for (const f of sim.layout.header) {
      const v = this.#headerValue(f.role);
      if (Number.isNaN(v) || this.#header.get(f.name) === v) continue;
      this.#header.set(f.name, v);
      dv.setUint32(0, v >>> 0, true);
      write(f.offset, le.slice());
    }
  }
}

/** Options of {@link pacer}. */
export interface PacerOptions {
  /** Simulated seconds per wall-clock second (default 1). */
  speed?: number;
  /** The wall clock (ms). */
  now: () => number;
  /** Waits `ms` milliseconds. */
  sleep: (ms: number) => Promise<void>;
  /** Applies the writes of the events up to now. */
  flush: () => void;
}

/**
 * A pacer for `runScenarioAsync`: after each event it waits until the wall clock reaches the
 * event's simulated time (divided by `speed`), then flushes the writes. Events already due are
 * flushed at once, so a run that cannot keep up loses no write, only time.
 *
 * @example
 * ```ts
 * import { pacer } from "./realtime.ts";
 * import { runScenarioAsync } from "./run.ts";
 * import { parseScenario } from "./scenario.ts";
 * let clock = 0; // a clock of its own, so the example does not wait
 * const slept: number[] = [];
 * const pace = pacer({
 *   speed: 0.001, // a simulated µs lasts a wall-clock ms
 *   now: () => clock,
 *   sleep: (ms) => Promise.resolve(void (slept.push(ms), clock += ms)),
 *   flush: () => {},
 * });
 * await runScenarioAsync(parseScenario({ events: 5 }), { chunk: 1, pace });
 * slept.map(Math.round); // => [10, 8, 2, 1]: the gaps between the events in simulated µs
 * ```
 */
export function pacer(o: PacerOptions): (sim: Simulation) => Promise<void> | undefined {
  const speed = o.speed ?? 1;
  const t0 = o.now();
  return (sim) => {
    const due = t0 + sim.now / 1000 / speed;
    const wait = due - o.now();
    if (wait >= 1) return o.sleep(wait).then(o.flush);
    o.flush();
    return undefined;
  };
}
