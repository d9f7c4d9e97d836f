/**
 * The NDJSON trace, format `faultscope-sim-trace/1`: a `begin` line (geometry and the resolved
 * scenario), one line per event (`{"n":N,"t":T,"ev":"fault",...}`), and an `end` line carrying
 * the summary. It is an observer of the model ({@link SimEvents}); lines are formatted into one
 * reused buffer ({@link AsciiWriter}), so a run of any length allocates nothing per event.
 *
 * @example
 * ```ts
 * import { Simulation } from "./engine.ts";
 * import { parseScenario } from "./scenario.ts";
 * import { summarize } from "./summary.ts";
 * import { NdjsonTrace } from "./trace.ts";
 * let text = "";
 * const trace = new NdjsonTrace((c) => text += new TextDecoder().decode(c));
 * const sim = new Simulation(parseScenario({ events: 3 }), { events: trace });
 * trace.begin(sim);
 * sim.run();
 * trace.end(summarize(sim)); // flushes: the sink now holds the whole trace
 * text.split("\n")[1];
 * // => '{"n":1,"t":10.04,"ev":"fault","k":0,"slot":0,"prod":1,"occ":1,"sig":1}'
 * text.trim().split("\n").map((line) => JSON.parse(line).ev);
 * // => ["begin", "fault", "fault", "wake", "end"]
 * ```
 * @module
 */
import { ascii, AsciiWriter } from "./ascii.ts";
import type { Simulation } from "./engine.ts";
import { DROP_CAUSES, type SimEvents } from "./events.ts";
import { scenarioJson } from "./scenario.ts";
import type { SimSummary } from "./summary.ts";

// Fragments, encoded once.
const K_N = ascii('{"n":');
const K_T = ascii(',"t":');
const K_CONS = ascii(',"cons":');
const K_OFFSET = ascii(',"offset":');
const END = ascii("}\n");
const K_SLOT = ascii(',"slot":');
const K_PROD = ascii(',"prod":');
const K_OCC = ascii(',"occ":');
const K_LAT = ascii(',"lat":');
const NULL = ascii("null");
const EV_DROP = ascii(',"ev":"drop","k":');
const EV_FAULT = ascii(',"ev":"fault","k":');
const EV_HANG = ascii(',"ev":"hang"');
const EV_WAKE = ascii(',"ev":"wake","efd":');
const EV_DELIVER = ascii(',"ev":"deliver","k":');
const EV_START = ascii(',"ev":"start","drain":');
const EV_STALL = ascii(',"ev":"stall","until":');
const EV_RESUME = ascii(',"ev":"resume"}\n');
const EV_INJECT = ascii(',"ev":"inject"');
const SIG1 = ascii(',"sig":1}\n');
const SIG0 = ascii(',"sig":0}\n');
const TRUE_END = ascii("true}\n");
const FALSE_END = ascii("false}\n");
/** `,"cause":"<name>","prod":` per cause. */
const CAUSE_JSON = DROP_CAUSES.map((c) => ascii(`,"cause":"${c}","prod":`));

/**
 * Writes the trace of one run to `sink` in chunks of about 256 KiB.
 *
 * @example
 * ```ts
 * import { Simulation } from "./engine.ts";
 * import { parseScenario } from "./scenario.ts";
 * import { summarize } from "./summary.ts";
 * import { NdjsonTrace } from "./trace.ts";
 * let text = "";
 * const trace = new NdjsonTrace((chunk) => text += new TextDecoder().decode(chunk)); // copies it
 * const sim = new Simulation(parseScenario({ events: 3 }), { events: trace });
 * trace.begin(sim);
 * sim.run();
 * trace.end(summarize(sim));
 * JSON.parse(text.split("\n")[0]).format; // => "faultscope-sim-trace/1"
 * ```
 */
export class NdjsonTrace implements SimEvents {
  readonly #w: AsciiWriter;

  /**
   * A trace that writes to `sink`.
   *
   * @param sink receives each chunk; a chunk always ends at the end of a line, and is only valid
   *   during the call (the buffer is reused): write or copy it before returning.
   */
  constructor(sink: (chunk: Uint8Array) => void) {
    this.#w = new AsciiWriter(sink);
  }

  /** Writes the first line: the region's geometry and the resolved scenario. */
  begin(sim: Simulation): void {
    this.#w.text(
      JSON.stringify({
        ev: "begin",
        format: "faultscope-sim-trace/1",
        capacity: sim.capacity,
        region_size: sim.regionSize,
        ring_offset: sim.ringOffset,
        entry_size: sim.entrySize,
        scenario: scenarioJson(sim.scenario),
      }) + "\n",
    );
  }

  /** Writes the last line (the summary) and hands every buffered byte to the sink. */
  end(summary: SimSummary): void {
    this.#w.lineStart();
    this.#w.text(JSON.stringify({ ev: "end", summary }) + "\n");
    this.#w.flush();
  }

  /** Starts a line: `{"n":N,"t":T,"ev":"kind"`. */
  #line(n: number, t: number, ev: Uint8Array): AsciiWriter {
    const w = this.#w;
    w.lineStart();
    w.bytes(K_N);
    w.int(n);
    w.bytes(K_T);
    w.time(t);
    w.bytes(ev);
    return w;
  }

  /** {@inheritDoc SimEvents.fault} */
  fault(
    n: number,
    t: number,
    k: number,
    slot: number,
    prod: number,
    occupancy: number,
    signalled: boolean,
  ): void {
    const w = this.#line(n, t, EV_FAULT);
    w.int(k);
    w.bytes(K_SLOT);
    w.int(slot);
    w.bytes(K_PROD);
    w.int(prod);
    w.bytes(K_OCC);
    w.int(occupancy);
    w.bytes(signalled ? SIG1 : SIG0);
  }

  /** {@inheritDoc SimEvents.drop} */
  drop(
    n: number,
    t: number,
    k: number,
    cause: number,
    prod: number,
    cons: number,
    why: string | undefined,
    offset: number | undefined,
  ): void {
    const w = this.#line(n, t, EV_DROP);
    w.int(k);
    w.bytes(CAUSE_JSON[cause]);
    w.int(prod);
    w.bytes(K_CONS);
    w.int(cons);
    if (why) w.text(`,"why":${JSON.stringify(why)}`);
    if (offset !== undefined) {
      w.bytes(K_OFFSET);
      w.int(offset);
    }
    w.bytes(END);
  }

  /** {@inheritDoc SimEvents.wake} */
  wake(n: number, t: number, count: number, prod: number, cons: number): void {
    const w = this.#line(n, t, EV_WAKE);
    w.int(count);
    w.bytes(K_PROD);
    w.int(prod);
    w.bytes(K_CONS);
    w.int(cons);
    w.bytes(END);
  }

  /** {@inheritDoc SimEvents.deliver} */
  deliver(n: number, t: number, k: number, slot: number, latencyUs: number, cons: number): void {
    const w = this.#line(n, t, EV_DELIVER);
    w.int(k);
    w.bytes(K_SLOT);
    w.int(slot);
    w.bytes(K_LAT);
    if (latencyUs < 0) w.bytes(NULL);
    else w.time(latencyUs);
    w.bytes(K_CONS);
    w.int(cons);
    w.bytes(END);
  }

  /** {@inheritDoc SimEvents.hang} */
  hang(n: number, t: number, why: string): void {
    this.#line(n, t, EV_HANG).text(`,"why":${JSON.stringify(why)}}\n`);
  }

  /** {@inheritDoc SimEvents.start} */
  start(n: number, t: number, drain: boolean): void {
    this.#line(n, t, EV_START).bytes(drain ? TRUE_END : FALSE_END);
  }

  /** {@inheritDoc SimEvents.stall} */
  stall(n: number, t: number, until: number): void {
    const w = this.#line(n, t, EV_STALL);
    w.time(until);
    w.bytes(END);
  }

  /** {@inheritDoc SimEvents.resume} */
  resume(n: number, t: number): void {
    this.#line(n, t, EV_RESUME);
  }

  /** {@inheritDoc SimEvents.inject} */
  inject(n: number, t: number, kind: string, field: string, value: number): void {
    this.#line(n, t, EV_INJECT).text(
      `,"kind":"${kind}","field":"${field}","value":${value}}\n`,
    );
  }
}
