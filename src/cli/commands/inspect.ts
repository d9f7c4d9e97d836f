/**
 * `faultscope inspect FILE|-`: a region image's header, geometry, occupancy and pending records
 * in consumer order, decoded; `--all` every slot, `--hex` the raw bytes, `--json` for machines.
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
 * const io = denoIo();
 * await run(options, io); // header, geometry, occupancy; 2 of the 5 pending records
 * io.out.flush();
 * ```
 * @module
 */
import { RECORDS } from "../../abi/records.ts";
import { decoderFor } from "../../codec/decode.ts";
import { hexLines, hexString } from "../../codec/hex.ts";
import { type JsonObject, recordJson } from "../../codec/json.ts";
import type { HeaderRole } from "../../abi/types.ts";
import { hex, plural } from "../../codec/numbers.ts";
import { pendingSlots, type Region, slotOffset, slotReadable } from "../../region/model.ts";
import { recordCells, recordColumns } from "../format.ts";
import type { INSPECT } from "../commands.ts";
import { EXIT, type ExitCode } from "../errors.ts";
import type { Io, Writer } from "../io.ts";
import { loadRegion } from "../region_input.ts";
import { table } from "../render.ts";
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

function listedSlots(r: Region, all: boolean): Listed[] {
  // Only slots whose bytes were read can be decoded.
  const pending = pendingSlots(r).filter((s) => slotReadable(r, s));
  if (!all) return pending.map((slot) => ({ slot, state: "pending" }));
  const set = new Set(pending);
  const out: Listed[] = [];
  for (let s = 0; s < Math.min(r.geometry.capacity, MAX_LISTED); s++) {
    if (!slotReadable(r, s)) break;
    out.push({ slot: s, state: set.has(s) ? "pending" : "stale" });
  }
  return out;
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

function rawHex(r: Region, slot: number): Uint8Array {
  const off = slotOffset(r, slot);
  return r.bytes.subarray(off, off + r.geometry.entrySize);
}

/** The `inspect --json` object (documented in the README). */
export function inspectJson(r: Region, slots: Listed[], withHex: boolean): JsonObject {
  const dv = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
  const decode = decoderFor(r.abi);
  const g = r.geometry;
  const occ = r.occupancy;
  return {
    layout: r.layout.id,
    abi: r.abi,
    guessed: r.detection.guessed,
    detection: r.detection.reason,
    endian: r.littleEndian ? "little" : "big",
    header: { ...r.header },
    capacity: g.capacity,
    entry_size: g.entrySize,
    ring_offset: g.ringOffset,
    region_size: g.regionSize,
    unused_bytes: g.unusedBytes,
    pending: occ?.pending ?? null,
    free: occ?.free ?? null,
    full: occ?.full ?? null,
    empty: occ?.empty ?? null,
    // A full ring means the kernel is dropping faults it never counts: the view is lossy.
    lossy: occ ? occ.full : null,
    records: slots.map(({ slot, state }) => {
      const off = slotOffset(r, slot);
      const pos: JsonObject = { slot, offset: off };
      if (slots.length && state === "stale") pos.state = state;
      else pos.state = "pending";
      const j = recordJson(r.abi, decode(dv, off, r.littleEndian), pos);
      if (withHex) {
        j.raw = hexString(rawHex(r, slot));
      }
      return j;
    }),
  };
}

function renderHuman(
  io: Io,
  name: string,
  offset: number,
  r: Region,
  slots: Listed[],
  withHex: boolean,
) {
  const g = r.geometry;
  const occ = r.occupancy;
  const rec = RECORDS[r.abi];
  const out: Writer = io.out;
  const paint = io.paint;
  const b = (s: string) => paint("bold", s);
  const prod = r.layout.header.find((h) => h.role === "producer")!.name;
  const cons = r.layout.header.find((h) => h.role === "consumer")?.name ?? "cons";
  out.line(
    `${b("region")}     ${name}: ${g.regionSize} bytes at offset ${hex(offset)}, ${
      r.littleEndian ? "little" : "big"
    }-endian`,
  );
  out.line(`${b("layout")}     ${r.layout.id}: struct ${r.layout.struct} (${r.layout.era})`);
  out.line(`${b("abi")}        ${r.abi}: struct ${rec.struct}, ${rec.size} bytes (${rec.era})`);
  if (r.detection.guessed) out.line(`           ${r.detection.reason}`);
  out.line(`${b("header")}     ${headerText(r)}`);
  out.line(
    `${b("geometry")}   capacity ${g.capacity}, entry ${g.entrySize} bytes, ring ${
      hex(g.ringOffset)
    }..${hex(g.ringEnd)}, ` +
      (g.unusedBytes >= 0
        ? `${plural(g.unusedBytes, "byte")} unused`
        : paint("red", `overflows the region by ${-g.unusedBytes} bytes`)),
  );
  if (occ) {
    const state = occ.full
      ? paint("yellow", "FULL: the kernel is dropping new faults, uncounted")
      : occ.empty
      ? "empty"
      : "not full";
    out.line(
      `${b("occupancy")}  ${occ.pending} pending, ${occ.free} free of ${
        g.capacity - 1
      } usable; ${state}`,
    );
  } else if (r.consumer === undefined) {
    out.line(`${b("occupancy")}  unknown: the consumer index is in the CONS region; pass --cons N`);
  } else {
    out.line(
      `${b("occupancy")}  ${
        paint(
          "red",
          `indices out of range (${prod}=${r.producer}, ${cons}=${r.consumer}, capacity ${g.capacity})`,
        )
      }: ` +
        `no records listed; run validate`,
    );
  }
  if (!slots.length) return;
  out.line();
  out.line(
    slots.some((s) => s.state === "stale")
      ? `slots (every readable slot; * = pending):`
      : `pending records, consumer order (${cons}=${r.consumer} up to ${prod}=${r.producer}):`,
  );
  const dv = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
  const decode = decoderFor(r.abi);
  const headers = ["slot", "offset", ...recordColumns(r.abi)];
  const rows = slots.map(({ slot, state }) => [
    `${slot}${state === "pending" && slots.length > (occ?.pending ?? 0) ? "*" : ""}`,
    hex(slotOffset(r, slot)),
    ...recordCells(r.abi, decode(dv, slotOffset(r, slot), r.littleEndian)),
  ]);
  const lines = table(headers, rows, new Set([0]));
  out.line(lines[0]);
  rows.forEach((_, i) => {
    out.line(lines[i + 1]);
    if (withHex) {
      for (const l of hexLines(rawHex(r, slots[i].slot), slotOffset(r, slots[i].slot))) {
        out.line(`      ${l}`);
      }
    }
  });
}

/** Shows the region. */
export async function run(o: Parsed<typeof INSPECT>, io: Io): Promise<ExitCode> {
  const { region, name } = await loadRegion(o.file, o, io.stdin);
  const listed = listedSlots(region, o.all);
  const slots = listed.slice(0, o.limit ?? listed.length);
  if (o.json) io.out.line(JSON.stringify(inspectJson(region, slots, o.hex), null, 2));
  else {
    renderHuman(io, name, o.offset, region, slots, o.hex);
    if (slots.length < listed.length) {
      io.out.line(`... ${listed.length - slots.length} more (--limit ${o.limit})`);
    }
  }
  return EXIT.OK;
}
