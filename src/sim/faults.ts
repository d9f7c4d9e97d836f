/**
 * Fault contents: the record of fault number `k` as a pure function of `(seed, k)` and the mix,
 * in the field objects of `src/codec/encode.ts`. The engine never builds records; they are made
 * here only for the slots a snapshot shows, so the hot loop stays free of objects and BigInt.
 *
 * Validity bits follow the ABI data: `ADDR_VALID` for reasons that carry an address,
 * `FETCH_ADDR_VALID` for WALK_EABT, `PASID_VALID` always (every simulated fault has a PASID),
 * so a snapshot of an uncorrupted run draws no REC-* findings.
 *
 * @example
 * ```ts
 * import { compileMix, faultFields } from "./faults.ts";
 * import { parseScenario } from "./scenario.ts";
 * const s = parseScenario({ region: { layout: "dma-fault" } });
 * s.region.abi; // => "mainline"
 * faultFields(compileMix(s.producer.mix, "mainline"), 1, 0).event;
 * // => { reason: 6, flags: 3, pasid: 3, perm: 2, addr: 0x100000000n, fetch_addr: 0n }
 * ```
 * @module
 */
import { type AbiId, RECORDS } from "../abi/records.ts";
import type { EnumDesc, FlagSet, ScalarField, UnionField } from "../abi/types.ts";
import type { EncodeInput } from "../codec/encode.ts";
import { faultKey, Mulberry32 } from "./prng.ts";
import type { Mix } from "./scenario.ts";

/** A mix resolved against one record ABI: cumulative weights and bit values. */
export interface CompiledMix {
  /** The record ABI the mix was resolved for. */
  abi: AbiId;
  /** A flat record (RFC v3: fields at the top level), not a tagged union of `event` and `prm`. */
  flat: boolean;
  /** The scenario's mix. */
  mix: Mix;
  /** Cumulative type weights, normalised, with the type values. */
  types: { value: number; upTo: number }[];
  /** Cumulative reason weights, with the validity bits each reason implies. */
  reasons: { value: number; upTo: number; flags: number; addr: boolean; fetch: boolean }[];
  /** Flag and permission bit values of the ABI. */
  bits: {
    pasidValid: number;
    addrValid: number;
    fetchValid: number;
    read: number;
    write: number;
    prqPasid: number;
    prqLast: number;
  };
}

function cumulative<T>(entries: [T, number][]): { item: T; upTo: number }[] {
  const total = entries.reduce((a, [, w]) => a + w, 0);
  let acc = 0;
  return entries.filter(([, w]) => w > 0).map(([item, w]) => {
    acc += w / total;
    return { item, upTo: acc };
  });
}

function fieldsOf(
  abi: AbiId,
): { flat: boolean; reason?: EnumDesc; unrecov?: FlagSet; perm?: FlagSet; prq?: FlagSet } {
  const rec = RECORDS[abi];
  const scalars = rec.fields.filter((f): f is ScalarField => f.kind === "scalar");
  const union = rec.fields.find((f): f is UnionField => f.kind === "union");
  if (!union) return { flat: true, reason: scalars.find((f) => f.name === "reason")?.enum };
  const event = union.variants.find((v) => v.name === "event")!.fields as ScalarField[];
  const prm = union.variants.find((v) => v.name === "prm")!.fields as ScalarField[];
  return {
    flat: false,
    reason: event.find((f) => f.name === "reason")?.enum,
    unrecov: event.find((f) => f.name === "flags")?.flags,
    perm: event.find((f) => f.name === "perm")?.flags,
    prq: prm.find((f) => f.name === "flags")?.flags,
  };
}

const bit = (set: FlagSet | undefined, name: string): number => {
  const b = set?.bits.find((x) => x.name === name || x.name === name.replace("VALID", "PRESENT"));
  return b ? 1 << b.bit : 0;
};

/**
 * Resolves a mix's names against `abi` (reason numbers differ between RFC v3 and later).
 *
 * @example
 * ```ts
 * import { compileMix } from "./faults.ts";
 * import { parseScenario } from "./scenario.ts";
 * const { mix } = parseScenario({}).producer; // PERMISSION first
 * compileMix(mix, "rfc3").reasons[0].value; // => 10: PERMISSION in RFC v3 numbering
 * compileMix(mix, "mainline").reasons[0].value; // => 6
 * ```
 */
export function compileMix(mix: Mix, abi: AbiId): CompiledMix {
  const f = fieldsOf(abi);
  const reasonEnum = f.reason!;
  const types = cumulative(
    Object.entries(mix.type).map(([n, w]) => [n === "PAGE_REQ" ? 2 : 1, w] as [number, number]),
  ).map(({ item, upTo }) => ({ value: item, upTo }));
  const reasons = cumulative(Object.entries(mix.reason)).map(({ item, upTo }) => {
    const e = reasonEnum.values.find((v) => v.name === item)!;
    // RFC v3's enum carries no expectsFlag; the same reasons imply an address there too.
    const expects = e.expectsFlag ??
      ({
        PTE_FETCH: "ADDR_VALID",
        PERMISSION: "ADDR_VALID",
        ACCESS: "ADDR_VALID",
        OOR_ADDRESS: "ADDR_VALID",
        WALK_EABT: "FETCH_ADDR_VALID",
      } as Record<string, string>)[e.name];
    return {
      value: e.value,
      upTo,
      flags: 0,
      addr: expects === "ADDR_VALID",
      fetch: expects === "FETCH_ADDR_VALID",
    };
  });
  return {
    abi,
    flat: f.flat,
    mix,
    types,
    reasons,
    /** Flag and permission bit values of the ABI. */
    bits: {
      pasidValid: bit(f.unrecov, "PASID_VALID"),
      addrValid: bit(f.unrecov, "ADDR_VALID"),
      fetchValid: bit(f.unrecov, "FETCH_ADDR_VALID"),
      read: bit(f.perm, "READ"),
      write: bit(f.perm, "WRITE"),
      prqPasid: bit(f.prq, "PASID_VALID"),
      prqLast: bit(f.prq, "LAST_PAGE"),
    },
  };
}

function pick<T extends { upTo: number }>(list: T[], u: number): T {
  for (const x of list) if (u < x.upTo) return x;
  return list[list.length - 1];
}

/**
 * The record of fault `k` under `seed`, as encoder input for the mix's ABI.
 *
 * @example
 * ```ts
 * import { compileMix, faultFields } from "./faults.ts";
 * import { parseScenario } from "./scenario.ts";
 * const { mix } = parseScenario({ producer: { mix: { type: { DMA_UNRECOV: 1, PAGE_REQ: 1 } } } })
 *   .producer;
 * const cm = compileMix(mix, "rfc3");
 * faultFields(cm, 1, 0).type; // => 2: a page request, the same on every run
 * faultFields(cm, 1, 41); // WALK_EABT: a fetch address, no address
 * // => { type: 1, reason: 8, addr: 0n, fetch_addr: 0x100029000n, pasid: 4, pasid_valid: 1 }
 * ```
 */
export function faultFields(cm: CompiledMix, seed: number, k: number): EncodeInput {
  const r = new Mulberry32(faultKey(seed, k));
  const type = pick(cm.types, r.nextFloat()).value;
  const reason = pick(cm.reasons, r.nextFloat());
  const { pasid: pm, address: am } = cm.mix;
  const pasid = pm.first + (r.nextU32() % pm.count);
  let page: number;
  if (am.pattern === "sequential") page = k % am.pages;
  else if (am.pattern === "random") page = r.nextU32() % am.pages;
  else {
    // Hotspot: nine faults in ten hit the first sixteenth of the range (one busy buffer).
    const hot = Math.max(1, Math.floor(am.pages / 16));
    page = r.nextFloat() < 0.9 ? r.nextU32() % hot : r.nextU32() % am.pages;
  }
  const addr = BigInt.asUintN(64, am.base + BigInt(page) * BigInt(am.stride));
  const write = (r.nextU32() & 1) === 1;
  const b = cm.bits;
  // v4-v7 have no READ bit: a read fault is one with WRITE clear.
  const perm = write ? b.write : b.read;
  if (cm.flat) {
    return type === 1
      ? {
        type,
        reason: reason.value,
        addr: reason.addr ? addr : 0n,
        fetch_addr: reason.fetch ? addr : 0n,
        pasid,
        pasid_valid: 1,
      }
      : {
        type,
        reason: 0,
        addr,
        pasid,
        page_req_group_id: k % 0x200,
        last_req: 1,
        pasid_valid: 1,
      };
  }
  if (type === 1) {
    return {
      type,
      padding: 0,
      event: {
        reason: reason.value,
        flags: b.pasidValid | (reason.addr ? b.addrValid : 0) | (reason.fetch ? b.fetchValid : 0),
        pasid,
        perm,
        addr: reason.addr ? addr : 0n,
        fetch_addr: reason.fetch ? addr : 0n,
      },
    };
  }
  return {
    type,
    padding: 0,
    prm: {
      flags: b.prqPasid | b.prqLast,
      pasid,
      grpid: k % 0x200,
      perm: b.read | b.write,
      addr,
      private_data: [0n, 0n],
    },
  };
}
