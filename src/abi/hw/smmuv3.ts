/**
 * ARM SMMUv3 for the code that reads records as words (the kernel-log parser, the vEVENTQ
 * payload): the word views of the registry's `smmuv3-evt` and `smmuv3-priq` descriptions, the
 * event table, and a lookup by ID. The descriptions themselves are in
 * `src/abi/records/smmuv3_evt.ts` and `smmuv3_priq.ts`.
 *
 * @example
 * ```ts
 * import { SMMUV3_EVT, smmuv3Event } from "./smmuv3.ts";
 * SMMUV3_EVT.size; // => 32
 * SMMUV3_EVT.fields.find((f) => f.name === "ipa");
 * // => { word: 3, lo: 12, hi: 51, take: "mask", ... }
 * smmuv3Event(0x10)?.name; // => "F_TRANSLATION"
 * ```
 * @module
 */
import { SMMUV3_EVENTS, SMMUV3_EVT as EVT, type Smmuv3Event } from "../records/smmuv3_evt.ts";
import { SMMUV3_PRIQ as PRIQ } from "../records/smmuv3_priq.ts";
import { type HwRecord, wordView } from "./fields.ts";

export {
  SMMUV3_CLASS,
  SMMUV3_EVENT_ENUM,
  SMMUV3_EVENTS,
  type Smmuv3Event,
} from "../records/smmuv3_evt.ts";
export { PRIQ_PERM } from "../records/smmuv3_priq.ts";

const BY_CODE = new Map(SMMUV3_EVENTS.map((e) => [e.code, e]));

/** The event with this ID, if the architecture defines one. */
export function smmuv3Event(id: number): Smmuv3Event | undefined {
  return BY_CODE.get(id);
}

/** `EVTQ_1_CLASS_TT`: CLASS value meaning "translation table walk" (6.15+ header). */
export const EVTQ_1_CLASS_TT = 1;

/** The word view of the 32-byte event record (four 64-bit words). */
export const SMMUV3_EVT: HwRecord = wordView(EVT);

/** The word view of the 16-byte PRI queue entry. */
export const SMMUV3_PRIQ: HwRecord = wordView(PRIQ);
