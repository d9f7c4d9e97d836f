/**
 * Loads a region image for `inspect` and `validate`: from a file, stdin, or a byte offset in a
 * larger file or device, reading only the header and then the region's own bytes.
 *
 * @example
 * ```ts
 * import { loadRegion } from "./region_input.ts";
 * const { region } = await loadRegion("testdata/rfc3-sample.bin", {});
 * region.layout.id; // "rfc3"
 * ```
 * @module
 */
import { DETECT_ORDER, REGIONS } from "../abi/regions.ts";
import type { AbiId, RegionLayoutId } from "../abi/types.ts";
import { hex } from "../codec/names.ts";
import { detectLayout, openRegion, readHeader, type Region, RegionError } from "../region/model.ts";
import { InputError } from "./errors.ts";
import { inputInfo, readRange, readWhole } from "./files.ts";
import type { Reader } from "./io.ts";

/** Largest region faultscope will read (dma-fault on 64 KiB pages is 128 KiB). */
const MAX_REGION = 16 * 1024 * 1024;
const PROBE = 64;

/** Options that locate and interpret a region. */
export interface RegionInputOptions {
  layout?: RegionLayoutId;
  abi?: AbiId;
  endian?: "little" | "big";
  offset?: number;
  regionSize?: number;
  pageSize?: number;
  cons?: number;
}

/** Region size the header itself implies, for inputs of unknown size (devices). */
function impliedSize(id: RegionLayoutId, probe: Uint8Array, le: boolean): number | undefined {
  const layout = REGIONS[id];
  const h = readHeader(layout, probe, le);
  if (layout.sizing === "fixed-64k") return 0x10000;
  const off = h.offset ?? 0, n = h.nb_entries ?? 0, e = h.entry_size ?? 0;
  if (!off || off > MAX_REGION) return undefined;
  if (layout.sizing === "one-page-ring") return 2 * off;
  const size = Math.ceil((n * e) / off) * off + off;
  return size > 0 && size <= MAX_REGION ? size : undefined;
}

/** The header matches no layout: `validate` reports it as LAYOUT-DETECT, `inspect` exits 2. */
export class LayoutUnknown extends InputError {
  constructor(message: string, readonly probe: Uint8Array) {
    super(message);
    this.name = "LayoutUnknown";
  }
}

/** Reads and opens a region; input problems become one-line {@link InputError}s. */
export async function loadRegion(
  path: string,
  o: RegionInputOptions,
  stdin: Reader = Deno.stdin,
): Promise<{ region: Region; name: string }> {
  const name = path === "-" ? "stdin" : path;
  const offset = o.offset ?? 0;
  const le = o.endian !== "big";
  const info = await inputInfo(path);
  const whole = path === "-" ? await readWhole("-", stdin) : undefined;
  const available = whole
    ? whole.length - offset
    : info.size !== undefined
    ? info.size - offset
    : undefined;
  const where = offset ? ` at offset ${hex(offset)}` : "";
  if (available !== undefined && available <= 0) {
    throw new InputError(
      available === 0 && offset === 0 ? `${name}: empty input` : `${name}: nothing to read${where}`,
    );
  }
  const probe = whole
    ? whole.subarray(offset, offset + PROBE)
    : await readRange(path, offset, PROBE);
  let regionSize = o.regionSize ?? (offset === 0 || whole ? available : undefined);
  if (regionSize === undefined) {
    // A device or a region inside a larger file: the header says how big the region is.
    const ids: readonly RegionLayoutId[] = o.layout ? [o.layout] : DETECT_ORDER;
    for (const id of ids) {
      const size = impliedSize(id, probe, le);
      if (size && (o.layout || detectLayout(probe, size, le)?.layout === id)) {
        regionSize = size;
        break;
      }
    }
    if (regionSize === undefined) {
      throw new InputError(`${name}: cannot tell the region size${where}; pass --region-size`);
    }
  }
  if (!o.layout && !detectLayout(probe, regionSize, le)) {
    // A header that is consistent only with a larger region: the image was cut short.
    for (const id of DETECT_ORDER) {
      const size = impliedSize(id, probe, le);
      if (size && size > regionSize && detectLayout(probe, size, le)?.layout === id) {
        throw new InputError(
          `${name}: truncated region: ${regionSize} of the ${size} bytes that its ${id} header ` +
            `describes${where}`,
        );
      }
    }
  }
  if (regionSize > MAX_REGION) {
    throw new InputError(
      `${name}: ${regionSize} bytes is larger than any fault region; pass --region-size`,
    );
  }
  const bytes = whole
    ? whole.slice(offset, offset + regionSize)
    : await readRange(path, offset, regionSize);
  try {
    const region = openRegion(bytes, {
      layout: o.layout,
      abi: o.abi,
      littleEndian: le,
      regionSize,
      pageSize: o.pageSize,
      consumer: o.cons,
    });
    if (bytes.length < regionSize) {
      throw new InputError(
        `${name}: truncated region: ${bytes.length} of ${regionSize} bytes${where}` +
          ` (the ${region.layout.id} ring needs ${hex(region.geometry.ringEnd)})`,
      );
    }
    return { region, name };
  } catch (e) {
    if (e instanceof RegionError) {
      // Too short for the header it was told to read: an input error, like any truncation.
      if (e.rule === "HDR-TRUNCATED") throw new InputError(`${name}${where}: ${e.message}`);
      throw new LayoutUnknown(`${name}${where}: ${e.message}`, probe);
    }
    throw e;
  }
}
