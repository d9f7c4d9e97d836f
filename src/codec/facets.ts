/**
 * What operators filter and count a fault storm by: each record's **type**, **reason**,
 * **PASID**, **device** and **address**, whatever the record's ABI. Where each of these lives in
 * each ABI is data ({@link FACET_FIELDS}: field paths of the ABI descriptions); from it come a
 * predicate over decoded records ({@link recordFilter}, what `decode` and `inspect` filter with)
 * and a bounded summary of a stream ({@link RecordSummary}: counts per type x reason, the address
 * range, distinct pages). An ABI without a facet (an iommu_fault record carries no device: its
 * region is the device's) refuses a filter on it rather than match nothing.
 *
 * @example
 * ```ts
 * import { RECORDS } from "../abi/records.ts";
 * import { recordFilter, RecordSummary } from "./facets.ts";
 * import { decodeRecord } from "./decode.ts";
 * import { encodeRecord } from "./encode.ts";
 * const rec = decodeRecord("mainline", encodeRecord("mainline", {
 *   type: 1, event: { reason: 6, flags: 3, pasid: 5, addr: 0xdeadb000n },
 * }));
 * recordFilter(RECORDS.mainline, { reason: ["permission"], pasid: [5] })!(rec); // => true
 * const s = new RecordSummary(RECORDS.mainline);
 * s.add(rec);
 * s.result().rows; // => [{ type: "DMA_UNRECOV", reason: "PERMISSION", count: 1 }]
 * ```
 * @module
 */
import type { AbiId } from "../abi/records.ts";
import type { EnumDesc, Field, RecordLayout } from "../abi/types.ts";
import { VEVENT_TYPES, type VeventTypeId } from "../abi/vevent.ts";
import { fieldPresent } from "./bits.ts";
import type { JsonObject } from "./json.ts";
import { enumEntry } from "./names.ts";
import { article, hex } from "./numbers.ts";

/** What a record can be filtered and counted by. */
export type FacetId = "type" | "reason" | "pasid" | "device" | "address";

/** Every facet, in the order filters and summaries list them. */
export const FACET_IDS: readonly FacetId[] = ["type", "reason", "pasid", "device", "address"];

/** A vEVENTQ type's records, as facets know them: `vevent:<type>`. */
export type VeventKind = `vevent:${VeventTypeId}`;

/**
 * Where each facet lives in each ABI: field paths (`member.field` inside a union), the first one
 * present in a record wins (a mainline page request has `prm.pasid`, a fault `event.pasid`).
 * Absent: the ABI has no such field.
 */
export const FACET_FIELDS: Readonly<
  Partial<Record<AbiId | VeventKind, Partial<Record<FacetId, readonly string[]>>>>
> = {
  rfc3: { type: ["type"], reason: ["reason"], pasid: ["pasid"], address: ["addr"] },
  ...Object.fromEntries(
    (["v4", "v7", "v8", "mainline"] as const).map((id) => [id, {
      type: ["type"],
      reason: ["event.reason"],
      pasid: ["event.pasid", "prm.pasid"],
      address: ["event.addr", "prm.addr"],
    }]),
  ),
  "hwpt-pgfault": { pasid: ["pasid"], device: ["dev_id"], address: ["addr"] },
  resp20: { pasid: ["pasid"] },
  resp24: { pasid: ["pasid"] },
  // SMMUv3: the event ID is the type; StreamID the device; SubstreamID the PASID.
  "smmuv3-evt": { type: ["id"], pasid: ["ssid"], device: ["sid"], address: ["iova", "ipa"] },
  "smmuv3-priq": { pasid: ["ssid"], device: ["sid"], address: ["addr"] },
  "amd-evt": { type: ["code"], device: ["devid"], address: ["address"] },
  "amd-ppr": { type: ["req_type"], device: ["devid"], address: ["address"] },
  "vtd-fault": { type: ["t"], reason: ["fr"], pasid: ["pv"], device: ["sid"], address: ["fi"] },
  "vtd-prq": { pasid: ["pasid"], device: ["rid"], address: ["addr"] },
  "virtio-iommu-fault": { reason: ["reason"], device: ["endpoint"], address: ["address"] },
  "vevent:arm-smmuv3": {
    type: ["id"],
    pasid: ["ssid"],
    device: ["vsid"],
    address: ["input_addr"],
  },
};

/** Records of an ABI, or of a vEVENTQ type. */
export type RecordKind = RecordLayout | VeventKind;

/** A facet's field in one ABI: how to read it from a decoded record. */
interface FacetField {
  readonly path: string;
  readonly enum?: EnumDesc;
  read(rec: Readonly<Record<string, unknown>>): number | bigint | undefined;
}

/** The fields a facet reads in records of `kind` (empty: the ABI has no such field). */
function facetFields(kind: RecordKind, facet: FacetId): FacetField[] {
  const key = typeof kind === "string" ? kind : kind.id as AbiId;
  const paths = FACET_FIELDS[key]?.[facet] ?? [];
  return paths.map((path) => {
    if (typeof kind === "string") {
      const t = VEVENT_TYPES[kind.slice("vevent:".length) as VeventTypeId];
      const f = t.fields.find((x) => x.name === path);
      if (!f) throw new Error(`facet ${facet}: no field ${path} in ${kind}`);
      return { path, enum: f.enum, read: (rec) => rec[path] as bigint | undefined };
    }
    const [member, name] = path.includes(".") ? path.split(".") : [undefined, path];
    const fields: readonly Field[] = member === undefined
      ? kind.fields
      : kind.fields.flatMap((f) =>
        f.kind === "union" ? f.variants.filter((v) => v.name === member) : []
      ).flatMap((v) => v.fields);
    const f = fields.find((x) => x.name === name);
    if (!f || (f.kind !== "scalar" && f.kind !== "bits")) {
      throw new Error(`facet ${facet}: no field ${path} in ${kind.id}`);
    }
    return {
      path,
      enum: f.enum,
      read(rec) {
        const c = (member === undefined ? rec : rec[member]) as
          | Readonly<Record<string, unknown>>
          | undefined;
        if (!c || !fieldPresent(f, c)) return undefined;
        return c[name] as number | bigint | undefined;
      },
    };
  });
}

/** The facets records of `kind` carry. */
export function facetsOf(kind: RecordKind): FacetId[] {
  return FACET_IDS.filter((f) => facetFields(kind, f).length > 0);
}

/** A facet's value in a record, and the enum that names it; undefined when the record has none. */
function reader(kind: RecordKind, facet: FacetId) {
  const fields = facetFields(kind, facet);
  return (rec: Readonly<Record<string, unknown>>) => {
    for (const f of fields) {
      const v = f.read(rec);
      if (v !== undefined) return { v, e: f.enum };
    }
    return undefined;
  };
}

/** What to keep: every facet given must match (values of one facet: any of them). */
export interface RecordFilterSpec {
  /** Types, by enum name (any case, with or without the kernel prefix) or number. */
  readonly type?: readonly string[];
  /** Reasons, by enum name or number. */
  readonly reason?: readonly string[];
  /** PASIDs (SubstreamIDs on SMMUv3). */
  readonly pasid?: readonly number[];
  /** Devices: iommufd dev_id, StreamID, PCI requester ID (bus << 8 | devfn), endpoint ID. */
  readonly device?: readonly number[];
  /** An address range, both ends included. */
  readonly address?: { readonly lo: bigint; readonly hi: bigint };
}

/** A name a filter was given that its enum lacks, and the names it has. */
export interface RefusedName {
  /** The name given. */
  readonly name: string;
  /** The enum's names (empty when the facet has no enum: only numbers are taken). */
  readonly names: readonly string[];
}

/** A filter that cannot apply to these records: the facet is missing, or a name is unknown. */
export class FilterError extends Error {
  /** `facet` is what the filter asked for; `refused`, the unknown name (absent: no such facet). */
  constructor(readonly facet: FacetId, message: string, readonly refused?: RefusedName) {
    super(message);
    this.name = "FilterError";
  }
}

const kindName = (k: RecordKind) => typeof k === "string" ? k : k.id;

/** The numbers `names` stand for in `e` (any case, with or without its prefix, or a number). */
function enumValues(facet: FacetId, names: readonly string[], e: EnumDesc | undefined): number[] {
  return names.map((n) => {
    const s = n.trim();
    if (/^(0x[0-9a-f]+|\d+)$/i.test(s)) return Number(s);
    const up = s.toUpperCase();
    const v = e?.values.find((x) =>
      x.name.toUpperCase() === up || (e.prefix + x.name).toUpperCase() === up ||
      x.kernelName?.toUpperCase() === up
    );
    if (!v) {
      const known = e?.values.map((x) => x.name) ?? [];
      throw new FilterError(
        facet,
        `'${s}' is not ${article(`${facet} name`)}` +
          (e ? ` (${known.join(", ")}, or a number)` : "; give a number"),
        { name: s, names: known },
      );
    }
    return v.value;
  });
}

/**
 * The predicate of a filter over decoded records of `kind` (a record layout's decoded fields, or
 * a vEVENT's `veventFields`); undefined when the filter keeps everything. Throws
 * {@link FilterError} when a facet asked for does not exist in these records, or a name is not
 * one of its enum's.
 */
export function recordFilter(
  kind: RecordKind,
  spec: RecordFilterSpec,
): ((rec: Readonly<Record<string, unknown>>) => boolean) | undefined {
  const tests: ((rec: Readonly<Record<string, unknown>>) => boolean)[] = [];
  const facet = (id: FacetId) => {
    const fields = facetFields(kind, id);
    if (!fields.length) {
      const has = facetsOf(kind);
      throw new FilterError(
        id,
        `${kindName(kind)} records carry no ${id}` +
          (has.length ? ` (they carry ${has.join(", ")})` : ""),
      );
    }
    return { read: reader(kind, id), e: fields.find((f) => f.enum)?.enum };
  };
  for (const id of ["type", "reason"] as const) {
    const names = spec[id];
    if (!names?.length) continue;
    const { read, e } = facet(id);
    const want = new Set(enumValues(id, names, e));
    tests.push((rec) => {
      const x = read(rec);
      return x !== undefined && want.has(Number(x.v));
    });
  }
  for (const id of ["pasid", "device"] as const) {
    const values = spec[id];
    if (!values?.length) continue;
    const { read } = facet(id);
    const want = new Set(values);
    tests.push((rec) => {
      const x = read(rec);
      return x !== undefined && want.has(Number(x.v));
    });
  }
  if (spec.address) {
    const { read } = facet("address");
    const { lo, hi } = spec.address;
    tests.push((rec) => {
      const x = read(rec);
      if (x === undefined) return false;
      const a = BigInt(x.v);
      return a >= lo && a <= hi;
    });
  }
  if (!tests.length) return undefined;
  return (rec) => tests.every((t) => t(rec));
}

/** A filter in words: `type DMA_UNRECOV and pasid 5 or 6 and address 0x1000-0x1fff`. */
export function filterText(spec: RecordFilterSpec): string {
  const parts: string[] = [];
  const list = (xs: readonly (string | number)[]) => xs.join(" or ");
  if (spec.type?.length) parts.push(`type ${list(spec.type)}`);
  if (spec.reason?.length) parts.push(`reason ${list(spec.reason)}`);
  if (spec.pasid?.length) parts.push(`pasid ${list(spec.pasid)}`);
  if (spec.device?.length) parts.push(`device ${list(spec.device.map(hex))}`);
  if (spec.address) parts.push(`address ${hex(spec.address.lo)}-${hex(spec.address.hi)}`);
  return parts.join(" and ");
}

/** Pages counted one by one up to this many; past it the count is a lower bound. */
export const SUMMARY_MAX_PAGES = 1 << 16;
/** Type x reason rows kept; past it the rest are counted in one `other` row. */
export const SUMMARY_MAX_ROWS = 256;
/** The page size distinct pages are counted in. */
export const SUMMARY_PAGE_SHIFT = 12;

/** One row of a summary: records of one type and reason. */
export interface SummaryRow {
  /** The type's name (`DMA_UNRECOV`), `?(n)` when the enum has no such value, `-` when none. */
  readonly type: string;
  /** The reason's name, likewise. */
  readonly reason: string;
  /** Records. */
  readonly count: number;
}

/** What a summary found. */
export interface SummaryResult {
  /** Records summarised. */
  readonly records: number;
  /** Counts per type x reason, most first (then by name). */
  readonly rows: readonly SummaryRow[];
  /** Lowest and highest address of the records that have one; null when none has. */
  readonly address: { readonly min: bigint; readonly max: bigint } | null;
  /** Distinct 4 KiB pages those addresses fall in (a lower bound when `exact` is false). */
  readonly pages: number;
  /** False past {@link SUMMARY_MAX_PAGES} distinct pages. */
  readonly pagesExact: boolean;
}

/** A facet's value as a summary names it. */
function label(x: { v: number | bigint; e?: EnumDesc } | undefined): string {
  if (x === undefined) return "-";
  const n = Number(x.v);
  if (!x.e) return String(x.v);
  return enumEntry(x.e, n)?.name ?? `?(${n})`;
}

/** Counts a stream of decoded records per type x reason, with its address range and pages. */
export class RecordSummary {
  readonly #type;
  readonly #reason;
  readonly #address;
  #records = 0;
  #rows = new Map<string, number>();
  #other = 0;
  #min: bigint | undefined;
  #max: bigint | undefined;
  #pages = new Set<number>();
  #pagesExact = true;

  /** A summary of records of `kind`. */
  constructor(kind: RecordKind) {
    this.#type = reader(kind, "type");
    this.#reason = reader(kind, "reason");
    this.#address = reader(kind, "address");
  }

  /** Counts one more decoded record. */
  add(rec: Readonly<Record<string, unknown>>): void {
    this.#records++;
    const key = `${label(this.#type(rec))}\u0000${label(this.#reason(rec))}`;
    const n = this.#rows.get(key);
    if (n !== undefined) this.#rows.set(key, n + 1);
    else if (this.#rows.size < SUMMARY_MAX_ROWS) this.#rows.set(key, 1);
    else this.#other++;
    const a = this.#address(rec);
    if (a === undefined) return;
    const addr = BigInt(a.v);
    if (this.#min === undefined || addr < this.#min) this.#min = addr;
    if (this.#max === undefined || addr > this.#max) this.#max = addr;
    const page = Number(addr >> BigInt(SUMMARY_PAGE_SHIFT));
    if (this.#pages.size < SUMMARY_MAX_PAGES) this.#pages.add(page);
    else if (!this.#pages.has(page)) this.#pagesExact = false;
  }

  /** What was counted so far. */
  result(): SummaryResult {
    const rows = [...this.#rows].map(([k, count]) => {
      const [type, reason] = k.split("\u0000");
      return { type, reason, count };
    }).sort((a, b) =>
      b.count - a.count || a.type.localeCompare(b.type) || a.reason.localeCompare(b.reason)
    );
    if (this.#other) rows.push({ type: "other", reason: "other", count: this.#other });
    return {
      records: this.#records,
      rows,
      address: this.#min === undefined ? null : { min: this.#min, max: this.#max! },
      pages: this.#pages.size,
      pagesExact: this.#pagesExact,
    };
  }
}

/** The JSON form of a summary (the `summary` of `decode --json` and `inspect --json`). */
export function summaryJson(s: SummaryResult): JsonObject {
  return {
    records: s.records,
    by_type_reason: s.rows.map((r) => ({ ...r })),
    address_min: s.address ? hex(s.address.min) : null,
    address_max: s.address ? hex(s.address.max) : null,
    pages: s.pages,
    pages_exact: s.pagesExact,
    page_size: 1 << SUMMARY_PAGE_SHIFT,
  };
}
