/**
 * What the user could give to get further, as data: the core says "the header reads as a
 * big-endian one" or "the consumer index lives elsewhere" and the CLI turns that into the flag
 * to pass (`--endian big`, `--cons N`). Nothing in the core spells a flag.
 *
 * @example
 * ```ts
 * import type { Hint } from "./hint.ts";
 * const h: Hint = { kind: "endian", order: "big" };
 * h.kind; // => "endian"
 * ```
 * @module
 */
import type { RegionLayoutId } from "../abi/regions.ts";

/** One thing the user could supply. */
export type Hint =
  /** Read the image in this byte order: it makes sense that way. */
  | { readonly kind: "endian"; readonly order: "big" | "little" }
  /** Name the layout: it could not be inferred. */
  | { readonly kind: "layout"; readonly choices: readonly RegionLayoutId[] }
  /** Supply the consumer index: it lives in another region (v4-v8 CONS). */
  | { readonly kind: "consumer-index" }
  /** Supply the region size: nothing in the input says it. */
  | { readonly kind: "region-size" }
  /** Name the record ABI: several fit the input (or none could be inferred). */
  | { readonly kind: "abi"; readonly choices: readonly string[] }
  /** Say how to read hex groups wider than a byte: memory-order bytes, or words in an order. */
  | { readonly kind: "hex-groups"; readonly choices: readonly ("bytes" | "little" | "big")[] }
  /** Say that the input is the buffer of one read() (so read boundaries are known). */
  | { readonly kind: "one-read" }
  /** Supply the vEVENTQ's depth (`veventq_depth` of IOMMU_VEVENTQ_ALLOC). */
  | { readonly kind: "veventq-depth" }
  /** Bound how far each index moved between two snapshots (less than a lap decides them). */
  | { readonly kind: "max-progress" }
  /** Supply the VMM's private consumer index (QEMU's `fault_tail_index`). */
  | { readonly kind: "shadow" };
