/**
 * What the user could give to get further, as data: the core says "the header reads as a
 * big-endian one" or "the consumer index lives elsewhere" and the CLI turns that into the flag
 * to pass (`--endian big`, `--cons N`). Nothing in the core spells a flag.
 *
 * @example
 * ```ts
 * import type { Hint } from "./hint.ts";
 * const h: Hint = { kind: "endian", order: "big" };
 * h.kind; // "endian"
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
  | { readonly kind: "region-size" };
