/**
 * Fuzz targets of the iommufd vEVENTQ reader, one per vEVENT type: read buffers of headers and
 * payloads (LOST_EVENTS headers without payload, sequence numbers near the INT_MAX wrap,
 * unknown flag bits, a cut last record), or plain garbage, through the record walker, the JSON
 * view, the loss accounting and the VEQ rules.
 *
 * Nothing may throw. Properties: the records tile the input (each starts where the previous one
 * ended; only the last can be cut); a LOST_EVENTS header has no payload and every other whole
 * record has the type's payload; the loss totals are whole numbers; findings name catalogue
 * rules and point inside the input.
 *
 * @module
 */
import { VEVENT_TYPES, type VeventTypeId } from "../../../src/abi/vevent.ts";
import { lossTotals, parseVevents, veventJson } from "../../../src/codec/vevent.ts";
import { checkVevents } from "../../../src/rules/vevent.ts";
import type { Rand } from "../rand.ts";
import { check, type Target } from "../target.ts";
import { checkFindings } from "./decode.ts";

/** A read buffer: mostly well-formed records, so loss accounting and the rules are reached. */
function buffer(r: Rand, type: VeventTypeId, le: boolean): Uint8Array {
  if (r.chance(0.15)) return r.bytes(r.length(1024));
  const payload = VEVENT_TYPES[type].payloadSize;
  const parts: Uint8Array[] = [];
  let seq = r.chance(0.3) ? 0x7fffffff - r.int(0, 3) : r.hostileU32();
  for (let i = r.int(0, 12); i > 0; i--) {
    const lost = r.chance(0.2);
    const flags = (lost ? 1 : 0) | (r.chance(0.1) ? r.hostileU32() & ~1 : 0);
    const head = new DataView(new ArrayBuffer(8));
    head.setUint32(0, flags, le);
    head.setUint32(4, seq >>> 0, le);
    parts.push(new Uint8Array(head.buffer));
    if (!lost) parts.push(r.bytes(payload));
    // Mostly the next number; sometimes a gap, a repeat or a jump backwards.
    seq = r.chance(0.8) ? (seq + 1) & 0x7fffffff : r.hostileU32();
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) all.set(p, (at += p.length) - p.length);
  return r.chance(0.2) ? all.subarray(0, r.int(0, all.length)) : all;
}

function veventTarget(type: VeventTypeId): Target {
  const t = VEVENT_TYPES[type];
  return {
    name: `vevent:${type}`,
    doc: `vEVENTQ read buffers of ${type} records: walker, JSON view, loss totals, VEQ rules`,
    errors: "none (a cut record is a record marked truncated)",
    cap: 12 * (8 + t.payloadSize),
    gen(r) {
      const le = r.chance(0.8);
      return { le, oneRead: r.chance(0.5), depth: r.int(1, 16), bytes: buffer(r, type, le) };
    },
    run(input) {
      const bytes = input.bytes as Uint8Array, le = input.le as boolean;
      const records = [...parseVevents(bytes, type, le)];
      let at = 0;
      records.forEach((rec, i) => {
        check(rec.offset === at, () => `record ${i} at ${rec.offset}, expected ${at}`);
        if (rec.truncated) {
          check(i === records.length - 1, () => `record ${i} of ${records.length} is cut`);
          at = bytes.length;
          return;
        }
        const words = rec.payload?.length ?? 0;
        check(words === (rec.lost ? 0 : t.array.count), () => `record ${i}: ${words} words`);
        JSON.stringify(veventJson(type, rec, i));
        at += 8 + (rec.lost ? 0 : t.payloadSize);
      });
      check(at === bytes.length, () => `records cover ${at} of ${bytes.length} bytes`);
      const loss = lossTotals(records);
      check(Number.isSafeInteger(loss.lost) && loss.lost >= 0, () => `lost ${loss.lost}`);
      const findings = checkVevents(records, type, {
        oneRead: input.oneRead as boolean,
        depth: input.depth as number,
      });
      checkFindings(findings, bytes.length);
      return records.at(-1)?.truncated ? "cut" : "ok";
    },
  };
}

/** One target per vEVENT type. */
export const VEVENT_TARGETS: readonly Target[] = (Object.keys(VEVENT_TYPES) as VeventTypeId[])
  .map(veventTarget);
