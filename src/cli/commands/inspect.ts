/**
 * `faultscope inspect FILE|-`: a region image's header, geometry, occupancy and pending records
 * in consumer order, decoded; `--all` every slot, `--hex` the raw bytes, `--json` for machines.
 *
 * It shows what there is and counts what it does not show, saying why: pending slots past the
 * end of the region (a header whose ring overflows it), past the end of the image, or left out
 * by `--limit`. When QEMU's two ways of reading the ring disagree (the mmap path at PAGE_SIZE,
 * the pread fallback at the header's offset) it lists the records each would deliver; when the
 * header allows several record ABIs (v4, v7 and v8 in a PROD region) it says so.
 *
 * On a device: `faultscope inspect /dev/vfio/devices/vfio0 --offset '9<<40' --json`.
 *
 * @example
 * ```ts
 * import { run } from "./inspect.ts";
 * import { INSPECT } from "../commands.ts";
 * import { denoIo } from "../io.ts";
 * import { parseCommand } from "../spec.ts";
 * const { options } = parseCommand(INSPECT, ["testdata/rfc3-sample.bin", "--limit", "2"]);
 * let stdout = ""; // captured; `denoIo()` alone writes to the terminal
 * const write = (t: string) => void (stdout += t);
 * const io = { ...denoIo(), out: { write, line: (t = "") => write(t + "\n"), flush() {} } };
 * await run(options, io); // => 0: header, geometry, occupancy; 2 of the 5 pending records
 * stdout.split("\n")[6]; // => "occupancy  5 pending, 1359 free of 1364 usable; not full"
 * ```
 * @module
 */
import { RECORDS } from "../../abi/records.ts";
import { type DecodedFields, decoderFor } from "../../codec/decode.ts";
import type { JsonObject } from "../../codec/json.ts";
import type { HeaderRole } from "../../abi/types.ts";
import { hex, plural } from "../../codec/numbers.ts";
import {
  pendingSlots,
  type Region,
  ringViews,
  slotOffset,
  slotReadable,
  slotsFrom,
  slotsInRegion,
} from "../../region/model.ts";
import { rankingJson, rankingLines } from "../abi_choice.ts";
import { filtered, filterSpec } from "../decode_common.ts";
import { recordCells, recordColumns } from "../format.ts";
import type { INSPECT } from "../commands.ts";
import { EXIT, type ExitCode } from "../errors.ts";
import type { Io, Writer } from "../io.ts";
import { loadRegion } from "../region_input.ts";
import { fit, table, wrap } from "../render.ts";
import type { Parsed } from "../spec.ts";

/** Most slots `--all` lists (a hostile capacity must not print forever). */
const MAX_LISTED = 1 << 16;

/** A slot `inspect` lists, and whether its record is pending or left over. */
export interface Listed {
  /** Ring slot. */
  slot: number;
  /** Pending (between the consumer and the producer), or stale. */
  state: "pending" | "stale";
}

/** Slots not listed, how many, and why. */
export interface NotShown {
  /** How many. */
  count: number;
  /** Why, in words. */
  why: string;
  /** Left out on request (`--limit`), not for want of bytes. */
  limited?: boolean;
  /** Left out by the filters (`--type`, `--pasid`, ...). */
  filtered?: boolean;
}

/** What one way of reading the ring lists. */
export interface Listing {
  /** Which consumer path reads the ring this way; undefined when there is only one way. */
  path?: "mmap" | "pread";
  /** Byte offset of slot 0. */
  ringOffset: number;
  /** The slots listed, in order. */
  slots: Listed[];
  /** What is not listed, and why. */
  notShown: NotShown[];
}

/**
 * What `inspect` loads only when an option asks for it: the facets (filters, `--summary`), the
 * hex dump (`--raw`), the JSON view (`--json`). A plain `inspect FILE` loads none of them.
 */
interface Loaded {
  facets?: typeof import("../facets_view.ts");
  hex?: typeof import("../../codec/hex.ts");
  json?: typeof import("../../codec/json.ts");
}

/** Which records to list: every one, or those the filters keep (described in words). */
interface Selection {
  keep?: (rec: DecodedFields) => boolean;
  /** The filters in words. */
  text?: string;
}

/** What `inspect` lists of the ring read from `ringOffset`, at most `limit` slots. */
function listing(
  r: Region,
  all: boolean,
  limit: number | undefined,
  ringOffset: number,
  sel: Selection,
): Listing {
  const notShown: NotShown[] = [];
  const g = r.geometry;
  const inRegion = slotsInRegion(r, ringOffset);
  let slots: Listed[];
  if (!all) {
    const pending = r.occupancy?.pending ?? 0;
    const there = pendingSlots(r, ringOffset);
    const readable = there.filter((s) => slotReadable(r, s, ringOffset));
    if (pending > there.length) {
      notShown.push({
        count: pending - there.length,
        why: `their slots lie past the end of the ${g.regionSize}-byte region (the ring from ` +
          `${hex(ringOffset)} would end at ${hex(ringOffset + g.capacity * g.entrySize)})`,
      });
    }
    if (there.length > readable.length) {
      notShown.push({
        count: there.length - readable.length,
        why: `their slots lie past the ${r.bytes.length} bytes the image holds`,
      });
    }
    slots = readable.map((slot) => ({ slot, state: "pending" }));
  } else {
    const pending = new Set(pendingSlots(r, ringOffset));
    slots = [];
    const upTo = Math.min(g.capacity, inRegion, MAX_LISTED);
    for (let s = 0; s < upTo && slotReadable(r, s, ringOffset); s++) {
      slots.push({ slot: s, state: pending.has(s) ? "pending" : "stale" });
    }
    const rest = g.capacity - slots.length;
    if (rest > 0) {
      notShown.push({
        count: rest,
        why: slots.length >= MAX_LISTED
          ? `--all lists at most ${MAX_LISTED} slots`
          : slots.length < Math.min(g.capacity, inRegion)
          ? `their slots lie past the ${r.bytes.length} bytes the image holds`
          : `their slots lie past the end of the ${g.regionSize}-byte region`,
      });
    }
  }
  if (sel.keep) {
    const dv = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
    const decode = decoderFor(r.abi);
    const kept = slots.filter(({ slot }) =>
      sel.keep!(decode(dv, slotOffset(r, slot, ringOffset), r.littleEndian))
    );
    if (kept.length < slots.length) {
      notShown.push({
        count: slots.length - kept.length,
        why: `left out by the filters (only records with ${sel.text})`,
        filtered: true,
      });
    }
    slots = kept;
  }
  if (limit !== undefined && slots.length > limit) {
    notShown.push({
      count: slots.length - limit,
      why: `left out by --limit ${limit}`,
      limited: true,
    });
    slots = slots.slice(0, limit);
  }
  return { ringOffset, slots, notShown };
}

/** The listings: one, or one per consumer path when QEMU's two paths read different slots. */
function listings(
  r: Region,
  all: boolean,
  limit: number | undefined,
  sel: Selection,
): Listing[] {
  const views = ringViews(r);
  if (!views.length) return [listing(r, all, limit, r.geometry.ringOffset, sel)];
  return views.map((v) => ({ ...listing(r, all, limit, v.ringOffset, sel), path: v.path }));
}

/** The summary of the records a listing holds. */
function summaryOf(r: Region, l: Listing, m: Loaded) {
  const dv = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
  const decode = decoderFor(r.abi);
  const s = new m.facets!.RecordSummary(RECORDS[r.abi]);
  for (const { slot } of l.slots) {
    s.add(decode(dv, slotOffset(r, slot, l.ringOffset), r.littleEndian));
  }
  return s.result();
}

/** Roles whose values are offsets or bit words: printed in hex; counts and indices in decimal. */
const HEX_ROLES: ReadonlySet<HeaderRole> = new Set(["ring_offset", "reserved", "version"]);

/** `size=1365 prod=3 cons=1363 reserved=0x0`: the header as the kernel names its fields. */
function headerText(r: Region): string {
  return r.layout.header.filter((f) => f.name in r.header).map((f) => {
    const v = r.header[f.name];
    return `${f.name}=${HEX_ROLES.has(f.role) ? hex(v) : v}`;
  }).join(" ");
}

function rawHex(r: Region, slot: number, ringOffset: number): Uint8Array {
  const off = slotOffset(r, slot, ringOffset);
  return r.bytes.subarray(off, off + r.geometry.entrySize);
}

function recordsJson(r: Region, l: Listing, withHex: boolean, m: Loaded): JsonObject[] {
  const dv = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
  const decode = decoderFor(r.abi);
  return l.slots.map(({ slot, state }) => {
    const off = slotOffset(r, slot, l.ringOffset);
    const j = m.json!.recordJson(r.abi, decode(dv, off, r.littleEndian), {
      slot,
      offset: off,
      state,
    });
    if (withHex) j.raw = m.hex!.hexString(rawHex(r, slot, l.ringOffset));
    return j;
  });
}

/** The records of a listing in JSON, or with `--summary` its summary. */
function listed(r: Region, l: Listing, withHex: boolean, summary: boolean, m: Loaded): JsonObject {
  return summary
    ? { summary: m.facets!.summaryJson(summaryOf(r, l, m)) }
    : { records: recordsJson(r, l, withHex, m) };
}

/** The `inspect --json` object (documented in the README). */
function inspectJson(
  r: Region,
  ls: Listing[],
  withHex: boolean,
  summary: boolean,
  m: Loaded,
): JsonObject {
  const g = r.geometry;
  const occ = r.occupancy;
  const main = ls.find((l) => l.path !== "mmap") ?? ls[0];
  return {
    layout: r.layout.id,
    abi: r.abi,
    guessed: r.detection.guessed,
    detection: r.detection.reason,
    abis: [...r.detection.abis],
    ...rankingJson(r.abiRanking),
    endian: r.littleEndian ? "little" : "big",
    header: { ...r.header },
    capacity: g.capacity,
    entry_size: g.entrySize,
    ring_offset: g.ringOffset,
    region_size: g.regionSize,
    unused_bytes: g.unusedBytes,
    page_size: r.pageSize ?? null,
    pending: occ?.pending ?? null,
    free: occ?.free ?? null,
    full: occ?.full ?? null,
    empty: occ?.empty ?? null,
    // A full ring means the kernel is dropping faults it never counts: the view is lossy.
    lossy: occ ? occ.full : null,
    ...listed(r, main, withHex, summary, m),
    not_shown: main.notShown.map((n) => ({ ...n })),
    views: ls.length > 1
      ? ls.map((l) => ({
        path: l.path!,
        ring_offset: l.ringOffset,
        ...listed(r, l, withHex, summary, m),
        not_shown: l.notShown.map((n) => ({ ...n })),
      }))
      : null,
  };
}

function renderListing(
  io: Io,
  r: Region,
  l: Listing,
  o: ListOptions,
  heading: string,
) {
  const out = io.out;
  out.line();
  out.line(heading);
  if (o.summary) {
    for (const line of o.loaded.facets!.summaryLines(summaryOf(r, l, o.loaded))) out.line(line);
  } else if (l.slots.length) {
    const dv = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
    const decode = decoderFor(r.abi);
    const headers = ["slot", "offset", ...recordColumns(r.abi)];
    const rows = l.slots.map(({ slot, state }) => [
      `${slot}${o.all && state === "pending" ? "*" : ""}`,
      hex(slotOffset(r, slot, l.ringOffset)),
      ...recordCells(r.abi, decode(dv, slotOffset(r, slot, l.ringOffset), r.littleEndian)),
    ]);
    const lines = table(headers, rows, new Set([0]));
    out.line(fit(lines[0], io.columns));
    rows.forEach((_, i) => {
      out.line(fit(lines[i + 1], io.columns));
      if (o.raw) {
        const slot = l.slots[i].slot;
        for (
          const h of o.loaded.hex!.hexLines(
            rawHex(r, slot, l.ringOffset),
            slotOffset(r, slot, l.ringOffset),
          )
        ) {
          out.line(`      ${h}`);
        }
      }
    });
  }
  for (const n of l.notShown) {
    out.line(
      n.limited
        ? `... ${n.count} more (--limit ${l.slots.length})`
        : `${plural(n.count, o.all ? "slot" : "pending record")} not shown: ${n.why}`,
    );
  }
}

/** How the human view lists records. */
interface ListOptions {
  all: boolean;
  raw: boolean;
  summary: boolean;
  /** The filters in words, when given. */
  filter?: string;
  /** What the options loaded. */
  loaded: Loaded;
}

function renderHuman(
  io: Io,
  name: string,
  offset: number,
  r: Region,
  ls: Listing[],
  o: ListOptions,
) {
  const all = o.all;
  const g = r.geometry;
  const occ = r.occupancy;
  const rec = RECORDS[r.abi];
  const out: Writer = io.out;
  // On a terminal, long lines wrap under their value; piped, each stays one line.
  const say = (text: string) => {
    for (const l of wrap(text, io.columns, "           ")) out.line(l);
  };
  const paint = io.paint;
  const b = (s: string) => paint("bold", s);
  const prod = r.layout.header.find((h) => h.role === "producer")!.name;
  const cons = r.layout.header.find((h) => h.role === "consumer")?.name ?? "cons";
  say(
    `${b("region")}     ${name}: ${g.regionSize} bytes at offset ${hex(offset)}, ${
      r.littleEndian ? "little" : "big"
    }-endian`,
  );
  say(`${b("layout")}     ${r.layout.id}: struct ${r.layout.struct} (${r.layout.era})`);
  say(`${b("abi")}        ${r.abi}: struct ${rec.struct}, ${rec.size} bytes (${rec.era})`);
  if (r.detection.guessed) say(`           ${r.detection.reason}`);
  if (r.abiRanking) {
    for (const l of rankingLines(r.abiRanking)) {
      say(`           ${l.startsWith("ambiguous") ? paint("yellow", l) : l}`);
    }
  }
  say(`${b("header")}     ${headerText(r)}`);
  say(
    `${b("geometry")}   capacity ${g.capacity}, entry ${g.entrySize} bytes, ring ${
      hex(g.ringOffset)
    }..${hex(g.ringEnd)}, ` +
      (g.unusedBytes >= 0 ? `${plural(g.unusedBytes, "byte")} unused` : paint(
        "red",
        `overflows the region by ${plural(-g.unusedBytes, "byte")}: ${
          plural(g.capacity - Math.min(g.capacity, slotsInRegion(r)), "slot")
        } do not fit (HDR-RING-BOUNDS; run validate)`,
      )),
  );
  const views = ls.length > 1;
  if (views) {
    say(
      paint(
        "red",
        `           offset ${hex(g.ringOffset)} is not the page size ${hex(r.pageSize!)}: ` +
          `QEMU's mmap path and its pread fallback read different slots (HDR-RING-VIEWS)`,
      ),
    );
  }
  if (occ) {
    const state = occ.full
      ? paint("yellow", "FULL: the kernel is dropping new faults, uncounted")
      : occ.empty
      ? "empty"
      : "not full";
    say(
      `${b("occupancy")}  ${occ.pending} pending, ${occ.free} free of ${
        g.capacity - 1
      } usable; ${state}`,
    );
  } else if (r.consumer === undefined) {
    say(`${b("occupancy")}  unknown: the consumer index is in the CONS region; pass --cons N`);
  } else {
    say(
      `${b("occupancy")}  ${
        paint(
          "red",
          `indices out of range (${prod}=${r.producer}, ${cons}=${r.consumer}, capacity ${g.capacity})`,
        )
      }: ` +
        `no records listed; run validate`,
    );
  }
  if (r.shadow !== undefined && r.shadow !== r.consumer) {
    const next = r.shadow < g.capacity && r.producer < g.capacity
      ? slotsFrom(r, r.shadow, 0, (r.producer - r.shadow + g.capacity) % g.capacity).length
      : undefined;
    say(
      paint(
        "yellow",
        `           QEMU's private index is ${r.shadow}, not ${cons}=${r.consumer}: ` +
          (next === undefined
            ? "out of range, its loop never ends"
            : `it delivers ${plural(next, "record")} from slot ${r.shadow} next (IDX-SHADOW)`),
      ),
    );
  }
  if (!occ && !all) return;
  for (const l of ls) {
    const via = l.path === "mmap"
      ? `as QEMU's mmap path reads them (slot i at ${hex(l.ringOffset)} + ${g.entrySize} * i)`
      : l.path === "pread"
      ? `as its pread fallback reads them (slot i at ${hex(l.ringOffset)} + ${g.entrySize} * i)`
      : "";
    const heading = all
      ? `slots in slot order, * = pending${via ? `, ${via}` : ""}:`
      : `pending records, consumer order (${cons}=${r.consumer} up to ${prod}=${r.producer})` +
        `${via ? `, ${via}` : ""}:`;
    if (!l.slots.length && !l.notShown.length && !views) return;
    renderListing(io, r, l, o, heading);
  }
}

/**
 * The region in one line, like QMP's `info`: the input, layout and record ABI, and occupancy with
 * whether the ring is full (then the kernel drops new faults uncounted: the view is lossy).
 */
export function briefLine(name: string, r: Region): string {
  const g = r.geometry;
  const occ = r.occupancy;
  const what = `${name}: ${r.layout.id} region, ${r.abi} records (${g.entrySize} bytes), ` +
    `capacity ${g.capacity}`;
  if (occ) {
    const state = occ.full
      ? "FULL, lossy: the kernel drops new faults uncounted"
      : occ.empty
      ? "empty"
      : "not full";
    return `${what}: ${occ.pending} pending, ${occ.free} free; ${state}`;
  }
  if (r.consumer === undefined) return `${what}: occupancy unknown (pass --cons N)`;
  return `${what}: indices out of range (run validate)`;
}

/** Shows the region. */
export async function run(o: Parsed<typeof INSPECT>, io: Io): Promise<ExitCode> {
  const { region, name } = await loadRegion(o.file, o, io.stdin);
  if (o.brief) {
    io.out.line(briefLine(name, region));
    return EXIT.OK;
  }
  const raw = o.raw || o.hex;
  const spec = filterSpec(o);
  const loaded: Loaded = {
    facets: filtered(spec) || o.summary ? await import("../facets_view.ts") : undefined,
    hex: raw ? await import("../../codec/hex.ts") : undefined,
    json: o.json ? await import("../../codec/json.ts") : undefined,
  };
  const keep = loaded.facets?.compileFilter(RECORDS[region.abi], spec);
  const sel: Selection = keep ? { keep, text: loaded.facets!.filterText(spec) } : {};
  const ls = listings(region, o.all, o.limit, sel);
  if (o.json) {
    io.out.line(JSON.stringify(inspectJson(region, ls, raw, o.summary, loaded), null, 2));
  } else {
    renderHuman(io, name, o.offset, region, ls, {
      all: o.all,
      raw,
      summary: o.summary,
      filter: sel.text,
      loaded,
    });
  }
  return EXIT.OK;
}
