/**
 * Fuzz targets of the region model, one per region layout: images built by the kernel's rules
 * (`buildRegion`), then damaged (header words set to hostile values, records over random bytes,
 * bytes poked, the image cut short), and read the way `inspect` and `validate` read them:
 * `locate` on the first bytes (with and without a known size or layout), the region opened, its
 * header, geometry and pending slots, the validator on the image and on two snapshots.
 *
 * Documented errors: `RegionError` from opening (no layout fits, or the image is shorter than its
 * header); `locate`, the validator and the snapshot rules throw nothing. Properties: pending
 * slots are in consumer order, in range and inside the image; findings name catalogue rules
 * and point inside the image; a header that cannot be read is exactly one finding.
 *
 * @module
 */
import { ABI_IDS, type AbiId } from "../../../src/abi/records.ts";
import { PAGE_SIZES, REGION_IDS, type RegionLayoutId, REGIONS } from "../../../src/abi/regions.ts";
import {
  buildRegion,
  locate,
  openDetected,
  type OpenOptions,
  openRegion,
  pendingSlots,
  type Region,
  RegionError,
  ringViews,
  slotOffset,
  slotReadable,
} from "../../../src/region/model.ts";
import { PROBE_BYTES } from "../../../src/region/detect.ts";
import { validateImage, validateRegion, validateSnapshots } from "../../../src/rules/validate.ts";
import type { Rand } from "../rand.ts";
import { check, type Input, type Target } from "../target.ts";
import { checkFindings } from "./decode.ts";

/** A kernel-built image of `layout`, then damaged. */
function image(r: Rand, id: RegionLayoutId): Input {
  const layout = REGIONS[id];
  const pageSize = r.pick(PAGE_SIZES);
  const le = r.chance(0.8);
  const abi = r.chance(0.8) ? layout.defaultAbi : r.pick(layout.abis);
  let bytes: Uint8Array;
  try {
    bytes = buildRegion({
      layout: id,
      abi,
      pageSize,
      producer: r.int(0, 600),
      consumer: r.int(0, 600),
      littleEndian: le,
    });
  } catch {
    bytes = new Uint8Array(64);
  }
  const dv = new DataView(bytes.buffer);
  const names = layout.header.map((h) => h.offset);
  // Header words: the indices mostly in range; sometimes any field hostile.
  for (let k = r.int(0, 3); k > 0; k--) dv.setUint32(r.pick(names), r.hostileU32(), le);
  // Records over random bytes with real type words, at the ring's first slots.
  const ring = layout.fixedRingOffset ?? pageSize;
  for (let k = r.int(0, 8); k > 0; k--) {
    const at = ring + r.int(0, 600) * 64;
    if (at + 64 > bytes.length) continue;
    bytes.set(r.bytes(64), at);
    if (r.chance(0.7)) dv.setUint32(at, r.int(1, 2), le);
  }
  for (let k = r.chance(0.3) ? r.int(1, 20) : 0; k > 0; k--) {
    bytes[r.int(0, bytes.length - 1)] = r.int(0, 255);
  }
  if (r.chance(0.15)) bytes = bytes.slice(0, r.int(0, bytes.length));
  const opts: OpenOptions = {};
  if (r.chance(0.3)) opts.layout = r.chance(0.8) ? id : r.pick(REGION_IDS);
  if (r.chance(0.2)) opts.abi = r.pick(ABI_IDS) as AbiId;
  if (!le || r.chance(0.1)) opts.littleEndian = le;
  if (r.chance(0.2)) opts.regionSize = r.chance(0.5) ? bytes.length : r.hostileU32();
  if (r.chance(0.3)) opts.pageSize = r.chance(0.7) ? pageSize : r.hostileU32();
  if (r.chance(0.3)) opts.consumer = r.hostileU32();
  if (r.chance(0.1)) opts.shadow = r.hostileU32();
  if (r.chance(0.1)) opts.headerAgain = r.bytes(r.int(0, 32));
  // Bytes the second snapshot has changed (position, xor), for the snapshot rules.
  const later = Array.from({ length: r.int(0, 4) }, () => [r.u32(), r.int(1, 255)]);
  return { opts, later, bytes };
}

function checkRegionView(region: Region, bytes: Uint8Array): void {
  check(region.bytes.length === bytes.length, "the region holds the image's bytes");
  const slots = pendingSlots(region);
  const pending = region.occupancy?.pending ?? 0;
  const cap = region.geometry.capacity;
  check(slots.length <= pending, () => `${slots.length} slots listed, ${pending} pending`);
  let last = -1;
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i];
    const k = (s - region.consumer! + cap) % cap;
    const inside = !slotReadable(region, s) ||
      slotOffset(region, s) + region.geometry.entrySize <= bytes.length;
    if (!(Number.isInteger(s) && s >= 0 && s < cap && k > last && k < pending && inside)) {
      check(false, () => `slot ${s} (#${i}) out of range, order or image`);
    }
    last = k;
  }
  ringViews(region);
}

function regionTarget(id: RegionLayoutId): Target {
  return {
    name: `region:${id}`,
    doc: `damaged ${id} images: locate, open, header, geometry, pending slots, validator, ` +
      `snapshot rules`,
    errors: "RegionError from opening (no layout fits; shorter than the header)",
    cap: 2 * 65536,
    gen: (r) => image(r, id),
    run(input) {
      const bytes = input.bytes as Uint8Array;
      const opts = input.opts as OpenOptions;
      const le = opts.littleEndian ?? true;
      // How inspect places a region: the first bytes, and the size when it is known.
      for (const regionSize of [undefined, bytes.length, opts.regionSize]) {
        const where = locate(bytes.subarray(0, PROBE_BYTES), {
          layout: opts.layout,
          abi: opts.abi,
          littleEndian: le,
          regionSize,
        });
        JSON.stringify(where);
        if (where.kind === "found" && regionSize === bytes.length) {
          try {
            checkRegionView(openDetected(bytes, where.detection, opts), bytes);
          } catch (e) {
            if (!(e instanceof RegionError)) throw e;
          }
        }
      }
      let region: Region | undefined;
      let outcome = "ok";
      try {
        region = openRegion(bytes, opts);
        checkRegionView(region, bytes);
        checkFindings(validateRegion(region), bytes.length);
      } catch (e) {
        if (!(e instanceof RegionError)) throw e;
        check(e.message.length > 0 && !e.message.includes("\n"), "a one-line RegionError");
        outcome = "rejected";
      }
      const v = validateImage(bytes, opts);
      checkFindings(v.findings, bytes.length);
      if (!v.region) {
        check(v.findings.length === 1, "a header that cannot be read is one finding");
        check(
          ["LAYOUT-DETECT", "HDR-TRUNCATED"].includes(v.findings[0].rule),
          () => `not read: ${v.findings[0].rule}`,
        );
      }
      if (region) {
        // The same region later, with a few bytes changed: the snapshot rules.
        const later = bytes.slice();
        for (const [at, x] of input.later as [number, number][]) {
          if (later.length) later[at % later.length] ^= x;
        }
        try {
          const b = openRegion(later, opts);
          const findings = validateSnapshots(region, b);
          checkFindings(findings, bytes.length);
          check(findings.every((f) => f.rule.startsWith("SNAP-")), "snapshot rules are SNAP-*");
        } catch (e) {
          if (!(e instanceof RegionError)) throw e;
        }
      }
      return outcome;
    },
  };
}

/** One target per region layout. */
export const REGION_TARGETS: readonly Target[] = REGION_IDS.map(regionTarget);
