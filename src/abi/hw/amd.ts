/**
 * AMD-Vi for the code that reads records as words (the kernel-log parser): the word views of
 * the registry's `amd-evt` and `amd-ppr` descriptions (`raw[0]` = `event[0] | event[1] << 32`
 * of the driver's four u32, so entry bit 48 is the IO_PAGE_FAULT flag GN), the event table and
 * lookups. The descriptions themselves are in `src/abi/records/amd_evt.ts` and `amd_ppr.ts`.
 *
 * @example
 * ```ts
 * import { AMD_EVT, AMD_EVENT_TYPES, amdEventType } from "./amd.ts";
 * amdEventType(2)?.name; // => "IO_PAGE_FAULT"
 * AMD_EVENT_TYPES.length; // => 11
 * AMD_EVT.fields.find((f) => f.name === "flags")?.lo; // => 48
 * ```
 * @module
 */
import { AMD_EVENT_TYPES, AMD_EVT as EVT, type AmdEventType } from "../records/amd_evt.ts";
import { AMD_PPR as PPR } from "../records/amd_ppr.ts";
import { type HwRecord, wordView } from "./fields.ts";

export {
  AMD_EVENT_ENUM,
  AMD_EVENT_TYPES,
  AMD_INV_DEV_REQ_FLAGS,
  AMD_IO_PAGE_FAULT_FLAGS,
  type AmdEventType,
} from "../records/amd_evt.ts";
export { AMD_PPR_FLAGS, AMD_PPR_REQ_TYPE, PPR_REQ_FAULT } from "../records/amd_ppr.ts";

const BY_CODE = new Map(AMD_EVENT_TYPES.map((e) => [e.code, e]));
const BY_NAME = new Map(AMD_EVENT_TYPES.map((e) => [e.name, e]));

/** The event type with this code, if the kernel names it. */
export function amdEventType(code: number): AmdEventType | undefined {
  return BY_CODE.get(code);
}

/** The event type with this bracket tag (`IO_PAGE_FAULT`, ...). */
export function amdEventByName(name: string): AmdEventType | undefined {
  return BY_NAME.get(name);
}

/** The word view of the 16-byte event log entry (two 64-bit words). */
export const AMD_EVT: HwRecord = wordView(EVT);

/** The word view of the 16-byte PPR log entry. */
export const AMD_PPR: HwRecord = wordView(PPR);
