/**
 * Loads a region image for `inspect` and `validate`: from a file, a device at an offset, stdin or
 * a pipe, opened once. A file or device is read at the offset: the header first, then only the
 * region's own bytes, then the header again (a live region may change while it is read:
 * HDR-TORN); a stream (stdin, a pipe, a FIFO, `<(...)`) is read once, up to what a region can
 * be. The core's `locate` places the region in one pass: a header that fits, a cut image (an
 * input error), or a complete image whose header claims a ring larger than the region (a
 * finding, HDR-RING-BOUNDS, for the validator). This module only reads and turns the core's
 * answers and hints into one-line errors that name the flag to pass.
 *
 * @example
 * ```ts
 * import { loadRegion } from "./region_input.ts";
 * const { region } = await loadRegion("testdata/rfc3-sample.bin", {});
 * region.layout.id; // => "rfc3"
 * ```
 * @module
 */
import type { AbiId } from "../abi/records.ts";
import type { RegionLayoutId } from "../abi/regions.ts";
import { hex } from "../codec/numbers.ts";
import { locate, MAX_REGION_SIZE, PROBE_BYTES } from "../region/detect.ts";
import { openDetected, type Region, RegionError } from "../region/model.ts";
import { InputError } from "./errors.ts";
import { MAX_WHOLE_INPUT, openInput, readUpTo } from "./files.ts";
import { withHints } from "./hints.ts";
import type { Reader } from "./io.ts";

/** Options that locate and interpret a region. */
export interface RegionInputOptions {
  /** The layout (default: detected). */
  layout?: RegionLayoutId;
  /** The record ABI (default: what the header names). */
  abi?: AbiId;
  /** Byte order of the image. */
  endian?: "little" | "big";
  /** Where the region starts in the input. */
  offset?: number;
  /** The region size (default: the input's size from the offset, or what the header implies). */
  regionSize?: number;
  /** Host page size. */
  pageSize?: number;
  /** Consumer index, for layouts that keep it in another region. */
  cons?: number;
  /** The VMM's private consumer index (QEMU's `fault_tail_index`). */
  shadow?: number;
}

/** The header matches no layout: `validate` reports it as LAYOUT-DETECT, `inspect` exits 2. */
export class LayoutUnknown extends InputError {
  /** One line naming the input, with the flags that would help. */
  constructor(message: string) {
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
  const offset = o.offset ?? 0;
  const le = o.endian !== "big";
  const where = offset ? ` at offset ${hex(offset)}` : "";
  const input = await openInput(path, stdin);
  const name = input.name;
  try {
    // What the input holds from the offset on: a file's size says it; a stream is read now, in
    // full up to the largest region (it cannot be read twice).
    let stream: Uint8Array | undefined;
    let available: number | undefined;
    if (input.seekable) {
      if (input.size !== undefined) available = input.size - offset;
      if (available === undefined || available > 0) await input.seek(offset);
    } else {
      if (offset > MAX_WHOLE_INPUT) {
        throw new InputError(`${name}: cannot skip ${offset} bytes of a stream; give a file`);
      }
      await readUpTo(input, offset);
      stream = await readUpTo(input, (o.regionSize ?? MAX_REGION_SIZE) + 1);
      available = stream.length;
      if (o.regionSize === undefined && available > MAX_REGION_SIZE) {
        throw new InputError(
          `${name}: more than ${MAX_REGION_SIZE} bytes${where}, larger than any fault region; ` +
            `pass --region-size N to read only its first N bytes`,
        );
      }
    }
    if (available !== undefined && available <= 0) {
      throw new InputError(
        available === 0 && offset === 0
          ? `${name}: empty input`
          : `${name}: nothing to read${where}`,
      );
    }
    const probe = stream ? stream.subarray(0, PROBE_BYTES) : await readUpTo(input, PROBE_BYTES);
    // A whole file (or stream) is the region; a region inside a larger file or a device is as big
    // as its header says.
    const known = o.regionSize ?? (offset === 0 || stream ? available : undefined);
    const loc = locate(probe, {
      layout: o.layout,
      abi: o.abi,
      littleEndian: le,
      regionSize: known,
      complete: o.regionSize !== undefined,
    });
    if (loc.kind === "truncated") {
      throw new InputError(
        `${name}: truncated region: ${loc.available} of the ${loc.regionSize} bytes that its ` +
          `${loc.layout} header describes${where}`,
      );
    }
    if (loc.kind === "unknown") {
      const message = `${name}${where}: ${withHints(loc.message, loc.hints)}`;
      throw loc.missing === "layout" ? new LayoutUnknown(message) : new InputError(message);
    }
    const regionSize = loc.regionSize;
    if (regionSize > MAX_REGION_SIZE) {
      throw new InputError(
        `${name}: ${regionSize} bytes is larger than any fault region (at most ` +
          `${MAX_REGION_SIZE}); pass --region-size N to read only the first N bytes${where}`,
      );
    }
    const bytes = stream
      ? stream.slice(0, regionSize)
      : concatProbe(probe, await readUpTo(input, Math.max(0, regionSize - probe.length)));
    // A file or device is read again where the header is: a live region that changed meanwhile
    // shows it (HDR-TORN). A stream cannot be read twice.
    let headerAgain: Uint8Array | undefined;
    if (!stream) {
      await input.seek(offset);
      headerAgain = await readUpTo(input, Math.min(PROBE_BYTES, bytes.length));
    }
    const region = openDetected(bytes, loc.detection, {
      layout: o.layout,
      abi: o.abi,
      littleEndian: le,
      regionSize,
      pageSize: o.pageSize,
      consumer: o.cons,
      shadow: o.shadow,
      headerAgain,
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
      throw new InputError(`${name}${where}: ${withHints(e.message, e.hints)}`);
    }
    throw e;
  } finally {
    input.close();
  }
}

function concatProbe(probe: Uint8Array, rest: Uint8Array): Uint8Array {
  const out = new Uint8Array(probe.length + rest.length);
  out.set(probe);
  out.set(rest, probe.length);
  return out;
}
