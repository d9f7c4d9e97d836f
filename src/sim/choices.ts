/**
 * The simulator's named choices, the fault injections it knows: data alone, so that the command
 * table (`simulate --inject`) offers them without loading the simulator (the layouts it drives
 * come from the region registry). `scenario.ts` re-exports them.
 *
 * @example
 * ```ts
 * import { INJECT_KINDS } from "./choices.ts";
 * INJECT_KINDS.includes("size_changed"); // => true
 * ```
 * @module
 */

/**
 * Fault injection kinds.
 *
 * @example
 * ```ts
 * INJECT_KINDS[3]; // => "prod_corrupt"
 * ```
 */
export const INJECT_KINDS = [
  "cons_out_of_range",
  "reserved_nonzero",
  "size_changed",
  "prod_corrupt",
] as const;
/** A fault injection kind. */
export type InjectKind = typeof INJECT_KINDS[number];
