/**
 * Region images of a running simulation: the header as simulated (corruptions included) and
 * every slot the kernel ever wrote, stale ones too, as real memory would hold them. Records are
 * encoded here only (with BigInt), never in the model's loop.
 *
 * @example
 * ```ts
 * import { Simulation } from "./engine.ts";
 * import { parseScenario } from "./scenario.ts";
 * import { takeSnapshot } from "./snapshot.ts";
 * const sim = new Simulation(parseScenario({ events: 5000 }));
 * sim.run();
 * const { image } = takeSnapshot(sim); // an image `inspect` and `validate` read
 * image.length; // => 65536
 * new Uint32Array(image.buffer, 0, 4);
 * // => Uint32Array.of(1365, 493, 493, 0): size, prod, cons, reserved
 * ```
 * @module
 */
import { decoderFor } from "../codec/decode.ts";
import { encodeInto } from "../codec/encode.ts";
import { buildRegion } from "../region/model.ts";
import type { Simulation } from "./engine.ts";
import { faultFields } from "./faults.ts";

/** A region image taken from the running model. */
export interface Snapshot {
  /** Event number after which it was taken. */
  event: number;
  /** Simulated time (µs, rounded to the nanosecond). */
  timeUs: number;
  /** The region's bytes. */
  image: Uint8Array;
  /** Its layout id. */
  layout: string;
  /** Its record ABI. */
  abi: string;
  /** Header values as simulated (may be corrupted). */
  prod: number;
  /** The consumer index as simulated. */
  cons: number;
  /** False for fault-prod, whose consumer index lives in the separate CONS region. */
  consInImage: boolean;
}

/**
 * The region image as the consumer would see it now.
 *
 * @example
 * ```ts
 * import { Simulation } from "./engine.ts";
 * import { parseScenario } from "./scenario.ts";
 * import { takeSnapshot } from "./snapshot.ts";
 * const sim = new Simulation(parseScenario({ events: 5000 }));
 * sim.run(1000);
 * const s = takeSnapshot(sim);
 * s.event; // => 1000
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/snap-${s.event}.bin`, s.image); // `faultscope inspect` reads it
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function takeSnapshot(sim: Simulation): Snapshot {
  const r = sim.scenario.region;
  const header: Record<string, number> = {};
  for (const f of sim.layout.header) {
    if (f.role === "capacity") header[f.name] = sim.hdrSize;
    else if (f.role === "producer") header[f.name] = sim.hdrProd;
    else if (f.role === "consumer") header[f.name] = sim.hdrCons;
    else if (f.role === "reserved") header[f.name] = sim.hdrReserved;
  }
  const image = buildRegion({
    layout: r.layout,
    abi: r.abi,
    pageSize: r.pageSize,
    capacity: sim.capacity,
    regionSize: sim.regionSize,
    producer: sim.hdrProd,
    consumer: sim.hdrCons,
    header,
  });
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const cap = sim.capture;
  const decode = cap ? decoderFor(r.abi) : undefined;
  const capView = cap
    ? new DataView(cap.bytes.buffer, cap.bytes.byteOffset, cap.bytes.byteLength)
    : undefined;
  for (let s = 0; s < sim.physSlots; s++) {
    const k = sim.slotSeq[s];
    if (k < 0) continue;
    const fields = decode && capView
      ? decode(capView, (k % cap!.count) * sim.entrySize, true)
      : faultFields(sim.mix, sim.scenario.seed, k);
    encodeInto(r.abi, fields, dv, sim.ringOffset + s * sim.entrySize, true);
  }
  return {
    event: sim.n,
    timeUs: Math.round(sim.now * 1000) / 1000,
    image,
    layout: r.layout,
    abi: r.abi,
    prod: sim.hdrProd,
    cons: sim.hdrCons,
    consInImage: !sim.layout.externalConsumer,
  };
}
