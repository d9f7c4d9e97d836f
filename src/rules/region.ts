/**
 * Header, geometry and index rules (HDR-*, IDX-*) for one region snapshot.
 *
 * @example
 * ```ts
 * import { buildRegion, openRegion } from "../region/model.ts";
 * import { checkRegion } from "./region.ts";
 * const r = openRegion(buildRegion({ layout: "rfc3", producer: 0, consumer: 0, header: { reserved: 1 } }));
 * checkRegion(r).some((f) => f.rule === "HDR-RESERVED-ZERO"); // true
 * ```
 * @module
 */
import { RECORDS } from "../abi/records.ts";
import {
  capacityFollowsRegion,
  capacityFor,
  headerField,
  PAGE_SIZES,
  regionSizeFor,
} from "../abi/regions.ts";
import type { HeaderRole } from "../abi/types.ts";
import { hex, plural } from "../codec/numbers.ts";
import type { Hint } from "../region/hint.ts";
import type { Region } from "../region/model.ts";
import { appliesTo, rule, type RuleId } from "./catalogue.ts";
import { type Finding, finding } from "./finding.ts";

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

const isPow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

const ENDIAN_BIG: Hint = { kind: "endian", order: "big" };

/** Checks the header, geometry and indices of a region. */
export function checkRegion(r: Region): Finding[] {
  const out: Finding[] = [];
  const { layout, geometry: g, header: h } = r;
  const field = (role: HeaderRole) => headerField(layout, role);
  const at = (role: HeaderRole) => {
    const f = field(role)!;
    return { field: f.name, offset: f.offset };
  };
  const push = (id: RuleId, message: string, where: Partial<Finding> = {}) => {
    if (appliesTo(rule(id), layout.id)) out.push(finding(id, message, where));
  };
  const capName = field("capacity")!.name;
  const record = RECORDS[r.abi];

  const wanted = Math.min(g.regionSize, Math.max(layout.headerSize, g.ringEnd));
  if (r.bytes.length < g.regionSize) {
    push(
      "HDR-TRUNCATED",
      `image has ${plural(r.bytes.length, "byte")}, the region ${g.regionSize}` +
        (r.bytes.length < wanted ? `; slots past byte ${r.bytes.length} cannot be read` : ""),
      { offset: r.bytes.length },
    );
  }
  if (field("reserved") && h.reserved !== 0) {
    push("HDR-RESERVED-ZERO", `reserved = ${hex(h.reserved)}, must be 0`, at("reserved"));
  }
  if (g.capacity === 0) push("HDR-CAP-NONZERO", `${capName} = 0`, at("capacity"));

  const page = r.pageSize ?? 4096;
  const kernelCap = layout.fixedCapacity ??
    capacityFor(layout, record.size, page, g.regionSize);
  // First: a byte-swapped header explains every other finding on it.
  // A big-endian dump read as little-endian: a kernel value that reads right only byte-swapped
  // (nb_entries 0x20000 = 512 swapped, entry_size 0x40000000 = 64 swapped).
  const swappedCap = swap32(g.capacity);
  const swappedEntry = g.headerEntrySize === undefined ? undefined : swap32(g.headerEntrySize);
  const capSwapped = g.capacity !== kernelCap && swappedCap === kernelCap;
  const entrySwapped = g.headerEntrySize !== undefined && g.headerEntrySize !== record.size &&
    swappedEntry === record.size;
  if (capSwapped || entrySwapped) {
    push(
      "HDR-ENDIAN",
      (entrySwapped
        ? `entry_size = ${hex(g.headerEntrySize!)} reads as ${swappedEntry}`
        : `${capName} = ${hex(g.capacity)} reads as ${swappedCap}`) +
        " byte-swapped (a big-endian dump)",
      { ...(entrySwapped ? at("entry_size") : at("capacity")), hints: [ENDIAN_BIG] },
    );
  }

  if (g.capacity !== 0 && g.capacity !== kernelCap) {
    push(
      "HDR-CAP-DERIVED",
      `${capName} = ${g.capacity}, but the kernel gives ${kernelCap} for ${record.size}-byte ` +
        `records` + (capacityFollowsRegion(layout) ? ` in a ${g.regionSize}-byte region` : ""),
      at("capacity"),
    );
  }
  if (g.capacity !== 0 && g.ringEnd > g.regionSize) {
    push(
      "HDR-RING-BOUNDS",
      `ring ends at ${hex(g.ringEnd)} (offset ${hex(g.ringOffset)} + ${g.capacity} x ` +
        `${g.entrySize}), past the ${g.regionSize}-byte region`,
      at("capacity"),
    );
  }
  if (g.capacity !== 0 && !isPow2(g.capacity)) {
    push(
      "HDR-CAP-POW2",
      `${capName} = ${g.capacity} is not a power of two: CIRC_SPACE misjudges full/empty`,
      at("capacity"),
    );
  }
  if (g.headerEntrySize !== undefined && g.headerEntrySize !== record.size) {
    push(
      "HDR-ENTRY-SIZE",
      `entry_size = ${g.headerEntrySize}, but ${record.struct} (${r.abi}) is ${record.size} bytes`,
      at("entry_size"),
    );
  }
  if (field("ring_offset")) {
    const off = g.ringOffset;
    if (off < layout.headerSize || off % 8 !== 0) {
      push(
        "HDR-OFFSET",
        `offset = ${hex(off)} ` +
          (off < layout.headerSize
            ? `overlaps the ${layout.headerSize}-byte header`
            : `is not 8-byte aligned`),
        at("ring_offset"),
      );
    } else if (r.pageSize !== undefined ? off !== r.pageSize : !PAGE_SIZES.includes(off)) {
      push(
        "HDR-PAGE-SIZE",
        `offset = ${hex(off)} is not ` +
          (r.pageSize !== undefined
            ? `the page size ${hex(r.pageSize)}`
            : `a page size (0x1000, 0x4000 or 0x10000)`),
        at("ring_offset"),
      );
    }
    if (g.capacity !== 0 && PAGE_SIZES.includes(off)) {
      const expect = regionSizeFor(layout, record.size, g.capacity, off);
      if (expect !== g.regionSize) {
        push(
          "HDR-REGION-SIZE",
          `region is ${g.regionSize} bytes; the kernel allocates ${expect} ` +
            `(ALIGN(${record.size} x ${g.capacity}, ${off}) + ${off})`,
          { offset: 0 },
        );
      }
    }
  }
  if (field("version") && h.version === 0xffffffff) {
    push(
      "HDR-VERSION",
      "version = 0xffffffff: the v8 initial value (no ABI negotiated, or a v8 kernel that never updates it)",
      at("version"),
    );
  }
  const prodF = field("producer")!;
  const consF = field("consumer");
  if (g.capacity !== 0 && r.producer >= g.capacity) {
    push(
      "IDX-PROD-RANGE",
      `${prodF.name} = ${r.producer} is not below ${capName} = ${g.capacity}`,
      at("producer"),
    );
  }
  if (g.capacity !== 0 && r.consumer !== undefined && r.consumer >= g.capacity) {
    push(
      "IDX-CONS-RANGE",
      `${consF?.name ?? "cons"} = ${r.consumer} is not below ${capName} = ${g.capacity}` +
        (r.consumer === g.capacity ? " (v9-v11 kernels accepted this off-by-one)" : ""),
      consF ? at("consumer") : {},
    );
  }
  const occ = r.occupancy;
  if (occ) {
    push(
      "IDX-OCCUPANCY",
      `${occ.pending} pending, ${occ.free} free of ${g.capacity - 1} usable slots`,
      {},
    );
    if (occ.full) {
      push(
        "IDX-FULL",
        `ring is full (${occ.pending} pending): the kernel is dropping new faults uncounted`,
        at("producer"),
      );
    }
  } else if (r.consumer === undefined && g.capacity !== 0) {
    push("IDX-OCCUPANCY", `consumer index is not in this region`, {
      hints: [{ kind: "consumer-index" }],
    });
  }
  return out;
}
