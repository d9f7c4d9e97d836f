/**
 * Every fuzz target, in the order `deno task fuzz` runs and prints them: decode per record ABI
 * and inference, vEVENT per type, region header per layout, hex text, kernel log lines,
 * scenario parser and scenario-to-simulate.
 *
 * @example
 * ```ts
 * import { TARGETS, target } from "./mod.ts";
 * TARGETS.map((t) => t.name).includes("region:dma-fault"); // true
 * target("hex").errors; // "HexError (with the line and column of the text)"
 * ```
 * @module
 */
import type { Target } from "../target.ts";
import { DECODE_TARGETS } from "./decode.ts";
import { HEX_TARGET } from "./hex.ts";
import { KLOG_TARGET } from "./klog.ts";
import { REGION_TARGETS } from "./region.ts";
import { SCENARIO_TARGETS } from "./scenario.ts";
import { VEVENT_TARGETS } from "./vevent.ts";

/** Every target. */
export const TARGETS: readonly Target[] = [
  ...DECODE_TARGETS,
  ...VEVENT_TARGETS,
  ...REGION_TARGETS,
  HEX_TARGET,
  KLOG_TARGET,
  ...SCENARIO_TARGETS,
];

/** The target named `name`; throws a one-line error listing the names when there is none. */
export function target(name: string): Target {
  const t = TARGETS.find((t) => t.name === name);
  if (!t) {
    throw new Error(`no fuzz target ${name}; targets: ${TARGETS.map((t) => t.name).join(", ")}`);
  }
  return t;
}
