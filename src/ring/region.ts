/**
 * The shared buffer behind a ring: allocated with the region's size, its read-mostly header
 * words written once (as the kernel does at setup), and dumped as a region image.
 *
 * Indices are read and written with `Atomics` on an `Int32Array`, i.e. in host byte order, while
 * the region header is little-endian `__u32`. The two agree only on a little-endian host, which
 * {@link assertLittleEndian} checks before any ring is built.
 *
 * @example
 * ```ts
 * import { createRingBuffer, dumpRegion } from "./region.ts";
 * import { ringGeometry } from "./geometry.ts";
 * const g = ringGeometry("rfc3");
 * const sab = createRingBuffer(g);
 * new DataView(dumpRegion(sab, g).buffer).getUint32(0, true); // => 1365: the `size` field
 * ```
 * @module
 */
import type { RingGeometry } from "./geometry.ts";

/**
 * Throws unless the host is little-endian (typed arrays use host byte order).
 *
 * @example
 * ```ts
 * import { assertLittleEndian } from "./region.ts";
 * assertLittleEndian(); // => undefined here (x86-64, arm64); throws on a big-endian host
 * ```
 */
export function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error("the ring needs a little-endian host: region headers are little-endian");
  }
}

/**
 * Allocates the shared buffer for `g` and writes its setup-time header words. `guard` extra
 * bytes after the region let tests detect a write past the region's end.
 *
 * @example
 * ```ts
 * import { createRingBuffer } from "./region.ts";
 * import { ringGeometry } from "./geometry.ts";
 * createRingBuffer(ringGeometry("dma-fault")).byteLength; // => 0x9000
 * ```
 */
export function createRingBuffer(g: RingGeometry, guard = 0): SharedArrayBuffer {
  assertLittleEndian();
  const sab = new SharedArrayBuffer(g.regionSize + guard);
  const dv = new DataView(sab);
  for (const h of g.headerInit) dv.setUint32(h.offset, h.value, true);
  return sab;
}

/**
 * A copy of the region's bytes, i.e. a region image that `inspect` and `validate` read.
 * Only a region geometry has one: a split geometry is a benchmark layout, not a region.
 *
 * @example
 * ```ts
 * import { createRingBuffer, dumpRegion } from "./region.ts";
 * import { ringGeometry } from "./geometry.ts";
 * const g = ringGeometry("dma-fault");
 * dumpRegion(createRingBuffer(g), g).length; // => 0x9000
 * ```
 */
export function dumpRegion(sab: SharedArrayBuffer, g: RingGeometry): Uint8Array {
  if (g.placement !== "region") {
    throw new Error(`a ${g.placement} geometry is a benchmark layout, not a region image`);
  }
  return new Uint8Array(sab, 0, g.regionSize).slice();
}
