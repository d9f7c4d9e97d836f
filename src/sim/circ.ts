/**
 * Ring index arithmetic as the kernel wrote it and as it should be. Every VFIO generation keeps
 * `prod`/`cons` wrapped into `[0, size)` with `% size` and leaves one slot empty, but decides
 * "full" with `CIRC_SPACE` from `<linux/circ_buf.h>`, which masks with `size - 1` and so is only
 * right for power-of-two sizes. With the v4-v8 85-entry ring it reports a spurious "full" in 916
 * of the 7,225 `(prod, cons)` states (test/sim_circ_test.ts enumerates them) and the kernel drops
 * faults early (the v8 fault handler, "[PATCH v8 26/29] vfio-pci: Register an iommu fault
 * handler", Message-Id 20190526161004.25232-27-eric.auger@redhat.com).
 *
 * @example
 * ```ts
 * import { CIRC_SPACE, trueSpace } from "./circ.ts";
 * CIRC_SPACE(4, 40, 85); // => 0: the kernel thinks the ring is full...
 * trueSpace(4, 40, 85); // => 35: ...while 35 slots are free
 * ```
 * @module
 */

/** How the producer computes free space. */
export type IndexMath = "modulo" | "circ";

/**
 * `CIRC_CNT(head, tail, size)`: `((head) - (tail)) & ((size) - 1)`, entries available to the
 * consumer, correct only for power-of-two sizes.
 *
 * @example
 * ```ts
 * CIRC_CNT(3, 1, 8); // => 2
 * CIRC_CNT(1, 3, 8); // => 6: wrapped
 * ```
 */
export function CIRC_CNT(head: number, tail: number, size: number): number {
  // C computes in unsigned int; JS `&` on the 32-bit two's complement gives the same low bits,
  // and `>>> 0` makes the result the unsigned value the kernel compares.
  return ((head - tail) & (size - 1)) >>> 0;
}

/**
 * `CIRC_SPACE(head, tail, size)`: `CIRC_CNT((tail), ((head) + 1), (size))`.
 *
 * @example
 * ```ts
 * CIRC_SPACE(0, 0, 8); // => 7: one slot stays empty
 * ```
 */
export function CIRC_SPACE(head: number, tail: number, size: number): number {
  return CIRC_CNT(tail, head + 1, size);
}

/**
 * Free slots with a true modulo and one slot kept empty: `size - 1 - (head - tail) mod size`.
 *
 * @example
 * ```ts
 * trueSpace(0, 0, 85); // => 84
 * ```
 */
export function trueSpace(head: number, tail: number, size: number): number {
  return size - 1 - (((head - tail) % size) + size) % size;
}

/**
 * Records pending with a true modulo: `(head - tail) mod size`.
 *
 * @example
 * ```ts
 * trueCount(2, 80, 85); // => 7
 * ```
 */
export function trueCount(head: number, tail: number, size: number): number {
  return (((head - tail) % size) + size) % size;
}

/**
 * Whether the producer finds room for one more record, with the arithmetic of `math`
 * (the kernel's test is `CIRC_SPACE(...) < 1` → drop).
 *
 * @example
 * ```ts
 * hasSpace("circ", 4, 40, 85); // => false (spurious full)
 * hasSpace("modulo", 4, 40, 85); // => true
 * ```
 */
export function hasSpace(math: IndexMath, head: number, tail: number, size: number): boolean {
  return math === "circ" ? CIRC_SPACE(head, tail, size) >= 1 : trueSpace(head, tail, size) >= 1;
}
