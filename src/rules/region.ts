/**
 * Header, geometry and index rules (HDR-*, IDX-*) for one region snapshot (and, for a live
 * input read twice, whether the header changed while it was read).
 *
 * @example
 * ```ts
 * import { buildRegion, openRegion } from "../region/model.ts";
 * import { checkRegion } from "./region.ts";
 * const r = openRegion(buildRegion({ layout: "rfc3", producer: 0, consumer: 0, header: { reserved: 1 } }));
 * checkRegion(r).some((f) => f.rule === "HDR-RESERVED-ZERO"); // => true
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
import { type Region, ringViews, slotsFrom, slotsInRegion } from "../region/model.ts";
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
    const message = `${capName} = ${g.capacity}, but the kernel gives ${kernelCap} for ` +
      `${record.size}-byte records` +
      (capacityFollowsRegion(layout) ? ` in a ${g.regionSize}-byte region` : "");
    if (layout.abiEvidence === "stride") {
      // The VMM steps its compiled-in record whatever the capacity says.
      const other = Object.values(RECORDS).find((x) =>
        x.family === record.family && x.size !== record.size &&
        capacityFor(layout, x.size, page, g.regionSize) === g.capacity
      );
      push(
        "HDR-CAP-RECORD",
        message +
          (other
            ? ` (${g.capacity} is what ${other.size}-byte records give: the consumer still ` +
              `steps ${record.size} bytes)`
            : ""),
        at("capacity"),
      );
    } else push("HDR-CAP-DERIVED", message, at("capacity"));
  }
  if (g.capacity !== 0 && g.ringEnd > g.regionSize) {
    const fit = Math.min(g.capacity, slotsInRegion(r));
    push(
      "HDR-RING-BOUNDS",
      `ring ends at ${hex(g.ringEnd)} (offset ${hex(g.ringOffset)} + ${g.capacity} x ` +
        `${g.entrySize}), past the ${g.regionSize}-byte region: ` +
        `${plural(g.capacity - fit, "slot")} of ${g.capacity} lie outside it` +
        (fit ? ` (slots ${fit}-${g.capacity - 1})` : ""),
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
    }
    const views = ringViews(r);
    if (views.length) {
      const [mmap, pread] = views;
      const e = g.entrySize;
      const pending = r.occupancy?.pending;
      const past = (v: typeof mmap) =>
        v.ringOffset + g.capacity * e > g.regionSize ? ", partly past the region" : "";
      push(
        "HDR-RING-VIEWS",
        `offset = ${hex(off)} is not the page size ${hex(r.pageSize!)} ` +
          `(${r.pageSizeFrom === "given" ? "given" : `a ${g.regionSize}-byte region's`}): ` +
          `QEMU's mmap path reads slot i at ${hex(mmap.ringOffset)} + ${e} * i${past(mmap)}, ` +
          `its pread fallback at ${hex(pread.ringOffset)} + ${e} * i${past(pread)}; ` +
          (pending
            ? `the two deliver different records for the ${plural(pending, "pending slot")}`
            : `they would deliver different records`),
        at("ring_offset"),
      );
    } else if (r.pageSize === undefined && !PAGE_SIZES.includes(off)) {
      push(
        "HDR-PAGE-SIZE",
        `offset = ${hex(off)} is not a page size (0x1000, 0x4000 or 0x10000), and neither the ` +
          `page size nor a region size that implies one is known`,
        { ...at("ring_offset"), hints: [{ kind: "region-size" }] },
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
  if (r.headerAgain) {
    const changed = layout.header.filter((f) => r.headerAgain![f.name] !== h[f.name]);
    if (changed.length) {
      push(
        "HDR-TORN",
        `the header changed while the region was read: ` +
          changed.map((f) => `${f.name} ${h[f.name]} -> ${r.headerAgain![f.name]}`).join(", ") +
          `; the records listed may mix the two states`,
        at(changed[0].role),
      );
    }
  }
  if (r.shadow !== undefined && r.consumer !== undefined && r.shadow !== r.consumer) {
    const cap = g.capacity;
    const next = r.shadow < cap && r.producer < cap
      ? slotsFrom(r, r.shadow, 0, (r.producer - r.shadow + cap) % cap).length
      : undefined;
    push(
      "IDX-SHADOW",
      `QEMU's private index is ${r.shadow}, ${consF?.name ?? "cons"} = ${r.consumer}: ` +
        (next === undefined
          ? `it is out of range, so QEMU's loop to ${prodF.name} never ends`
          : `QEMU delivers ${plural(next, "record")} from slot ${r.shadow} next, not the ` +
            `pending list`),
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
