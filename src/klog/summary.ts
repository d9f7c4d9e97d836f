/**
 * The summary of a stream of fault events: faults per device x reason (count, first and last
 * time, rate), address ranges (distinct pages, lowest and highest), and the loss picture stated
 * as "at least N faults were not logged". Memory is bounded: at most `maxRows` rows and
 * `maxPages` distinct pages per row are tracked (beyond that the counts are lower bounds).
 *
 * @example
 * ```ts
 * import { Summary } from "./summary.ts";
 * const s = new Summary();
 * s.lossLines(); // => [] before any event
 * ```
 * @module
 */
import type { Json, JsonObject } from "../codec/json.ts";
import { plural } from "../codec/numbers.ts";
import type { Access, FaultEvent, LogTime, LossEvent, LossKind, Mapping, Vendor } from "./types.ts";

/** One row: a device and one reason. */
export interface SummaryRow {
  /** The device (PCI address, `sid:0x..`, `ep:N`). */
  device: string | null;
  /** Which IOMMU family. */
  vendor: Vendor;
  /** The IOMMU unit of its first fault. */
  iommu: string | null;
  /** The reason or event code. */
  code: number | null;
  /** The kernel's name for it. */
  name: string;
  /** What it means. */
  text: string;
  /** Faults. */
  count: number;
  /** Time of the first fault. */
  first: LogTime;
  /** Time of the last fault. */
  last: LogTime;
  /** Every access kind seen (read, write, exec, priv order). */
  access: Access[];
  /** Distinct 4 KiB pages (a lower bound once `pagesCapped`). */
  pages: number;
  /** More distinct pages were seen than the summary tracks. */
  pagesCapped: boolean;
  /** Lowest fault address, null when none had one. */
  addrMin: bigint | null;
  /** Highest fault address. */
  addrMax: bigint | null;
  /** Faults per `/proc/iomem` region (with the `region` option; `(none)`: in no region). */
  regions: Map<string, number>;
  /** Faults by what the report says of the mapping (see `explain.ts`). */
  mapping: Record<Mapping, number>;
}

/** A row as the summary keeps it while counting: flat, one object touched per fault. */
interface RowState {
  device: string | null;
  vendor: Vendor;
  iommu: string | null;
  code: number | null;
  name: string;
  text: string;
  /** The IOMMU, for a device named only within it (StreamID, endpoint); else null. */
  unit: string | null;
  count: number;
  first: LogTime;
  last: LogTime;
  /** Access kinds seen, as bits of ACCESS. */
  access: number;
  none: number;
  denied: number;
  noDomain: number;
  /** The address range as doubles (exact below 2^53), to compare without BigInt. */
  min: number;
  max: number;
  /** The range as BigInt, once an address was past 2^53. */
  minBig: bigint | null;
  maxBig: bigint | null;
  /** Distinct pages seen (up to the caps). */
  pages: Set<number> | null;
  pagesCapped: boolean;
  regions: Map<string, number> | null;
}

const ACCESS: readonly Access[] = ["read", "write", "exec", "priv"];
const ACCESS_BIT: Readonly<Record<Access, number>> = { read: 1, write: 2, exec: 4, priv: 8 };

/** Options of a summary. */
export interface SummaryOptions {
  /** Rows kept (faults of later device x reason pairs are only counted). */
  maxRows?: number;
  /** Distinct pages tracked per row. */
  maxPages?: number;
  /** Distinct pages tracked over all rows (what bounds the memory of a random-address storm). */
  maxPagesTotal?: number;
  /** Names the region an address falls in (a `/proc/iomem` lookup), or null. */
  region?: (addr: bigint) => string | null;
}

/** The region name counted for an address that falls in no region. */
export const NO_REGION = "(none)";

function seconds(t: LogTime): number | null {
  return t.boot ?? t.wall;
}

/**
 * A copy of a string that does not keep the text it was cut from alive. A kernel log is read in
 * chunks and V8 cuts a substring of 13 characters or more as a view into its parent: a row that
 * kept such a view of a device name or a timestamp would keep a whole chunk of the log.
 */
export function detach<T extends string | null>(s: T): T {
  return (s === null || s.length < 13 ? s : (s + " ").slice(0, -1)) as T;
}

function detachTime(t: LogTime): LogTime {
  return { text: detach(t.text), boot: t.boot, wall: t.wall };
}

/** `once`, `twice`, `3 times`. */
export function times(n: number): string {
  return n === 1 ? "once" : n === 2 ? "twice" : `${n} times`;
}

/** Faults per second between the first and last report (null with one report or no clock). */
export function rate(r: Pick<SummaryRow, "count" | "first" | "last">): number | null {
  const a = seconds(r.first), b = seconds(r.last);
  if (a === null || b === null || r.count < 2 || b <= a) return null;
  return (r.count - 1) / (b - a);
}

function rowOf(st: RowState): SummaryRow {
  // Where a BigInt range exists it covers the double one (both are kept up to date).
  const lo = st.minBig ?? (st.min === Infinity ? null : BigInt(st.min));
  const hi = st.maxBig ?? (st.max === -Infinity ? null : BigInt(st.max));
  return {
    device: st.device,
    vendor: st.vendor,
    iommu: st.iommu,
    code: st.code,
    name: st.name,
    text: st.text,
    count: st.count,
    first: st.first,
    last: st.last,
    access: ACCESS.filter((a) => st.access & ACCESS_BIT[a]),
    pages: st.pages?.size ?? 0,
    pagesCapped: st.pagesCapped,
    addrMin: lo,
    addrMax: hi,
    regions: st.regions ?? new Map(),
    mapping: { "none": st.none, "denied": st.denied, "no-domain": st.noDomain },
  };
}

/** Aggregates fault and loss events. */
export class Summary {
  /** Faults that did not fit in `maxRows` rows. */
  overflowFaults = 0;
  /** Faults added. */
  faults = 0;
  /** The signs of loss, one entry per kind and source, with their totals. */
  readonly loss: {
    kind: LossKind;
    source: string;
    count: number | null;
    faults_at_least: number;
    events: number;
  }[] = [];
  #lossIndex = new Map<string, number>();
  /** Rows by device, then a short list: no key string built and hashed per fault. */
  #index = new Map<string | null, RowState[]>();
  #rows = 0;
  #pagesTotal = 0;
  #opts: Required<Omit<SummaryOptions, "region">> & Pick<SummaryOptions, "region">;

  /** A summary with the given caps. */
  constructor(opts: SummaryOptions = {}) {
    this.#opts = { maxRows: 10_000, maxPages: 4096, maxPagesTotal: 1 << 18, ...opts };
  }

  /** The rows so far, by device, IOMMU (for StreamIDs and endpoints), vendor, code and name. */
  get rows(): Map<string, SummaryRow> {
    const out = new Map<string, SummaryRow>();
    for (const list of this.#index.values()) {
      for (const st of list) {
        out.set(
          `${st.device}\u0000${st.unit}\u0000${st.vendor}\u0000${st.code}\u0000${st.name}`,
          rowOf(st),
        );
      }
    }
    return out;
  }

  /** Adds one event. */
  add(e: FaultEvent | LossEvent): void {
    if (e.type === "loss") return this.#addLoss(e);
    this.faults++;
    // A StreamID or endpoint number names a device only within its IOMMU.
    const unit = e.device === null || !e.device.startsWith("0000:") ? e.iommu : null;
    let st: RowState | undefined;
    const list = this.#index.get(e.device);
    if (list) {
      for (let i = 0; i < list.length; i++) {
        const x = list[i];
        if (x.code === e.code && x.name === e.name && x.vendor === e.vendor && x.unit === unit) {
          st = x;
          break;
        }
      }
    }
    if (!st) {
      st = this.#newRow(e, unit, list);
      if (!st) return;
    }
    st.count++;
    st.last = detachTime(e.time);
    for (let i = 0; i < e.access.length; i++) st.access |= ACCESS_BIT[e.access[i]];
    const m = e.mapping;
    if (m === "none") st.none++;
    else if (m === "denied") st.denied++;
    else if (m === "no-domain") st.noDomain++;
    if (e.addr !== null) this.#addAddr(st, e.addr);
  }

  #newRow(e: FaultEvent, unit: string | null, list: RowState[] | undefined): RowState | undefined {
    if (this.#rows >= this.#opts.maxRows) {
      this.overflowFaults++;
      return undefined;
    }
    const st: RowState = {
      device: detach(e.device),
      vendor: e.vendor,
      iommu: detach(e.iommu),
      code: e.code,
      name: detach(e.name),
      text: detach(e.text),
      unit: detach(unit),
      count: 0,
      first: detachTime(e.time),
      last: e.time,
      access: 0,
      none: 0,
      denied: 0,
      noDomain: 0,
      min: Infinity,
      max: -Infinity,
      minBig: null,
      maxBig: null,
      pages: null,
      pagesCapped: false,
      regions: null,
    };
    if (list) list.push(st);
    else this.#index.set(st.device, [st]);
    this.#rows++;
    return st;
  }

  /** Address range, region and distinct pages of one more fault of a row. */
  #addAddr(st: RowState, addr: string): void {
    let page: number;
    let a: bigint | null = null;
    if (addr.length <= 15) {
      // Up to 13 hex digits (52 bits): exact as a double, no BigInt needed.
      const n = parseInt(addr.slice(2), 16);
      if (n < st.min) st.min = n;
      if (n > st.max) st.max = n;
      if (st.minBig !== null) {
        // The range already holds an address past 2^53: keep its BigInt form whole.
        const b = BigInt(n);
        if (b < st.minBig) st.minBig = b;
        if (b > st.maxBig!) st.maxBig = b;
      }
      page = Math.floor(n / 4096);
    } else {
      a = BigInt(addr);
      const lo = st.minBig ?? (st.min === Infinity ? a : BigInt(st.min));
      const hi = st.maxBig ?? (st.max === -Infinity ? a : BigInt(st.max));
      st.minBig = a < lo ? a : lo;
      st.maxBig = a > hi ? a : hi;
      // A page number fits a double exactly (64 - 12 bits < 53).
      page = Number(a >> 12n);
    }
    if (this.#opts.region) {
      const name = this.#opts.region(a ?? BigInt(addr)) ?? NO_REGION;
      st.regions ??= new Map();
      st.regions.set(name, (st.regions.get(name) ?? 0) + 1);
    }
    const set = st.pages ??= new Set();
    if (!set.has(page)) {
      if (set.size < this.#opts.maxPages && this.#pagesTotal < this.#opts.maxPagesTotal) {
        set.add(page);
        this.#pagesTotal++;
      } else st.pagesCapped = true;
    }
  }

  #addLoss(e: LossEvent): void {
    const key = `${e.kind}\u0000${e.source}`;
    const i = this.#lossIndex.get(key);
    if (i === undefined) {
      this.#lossIndex.set(key, this.loss.length);
      this.loss.push({
        kind: e.kind,
        source: detach(e.source)!,
        count: e.count,
        faults_at_least: e.faults_at_least,
        events: 1,
      });
      return;
    }
    const l = this.loss[i];
    l.events++;
    l.faults_at_least += e.faults_at_least;
    if (e.count !== null) l.count = (l.count ?? 0) + e.count;
  }

  /** A lower bound on the faults the log does not show. */
  faultsNotLogged(): number {
    return this.loss.reduce((n, l) => n + l.faults_at_least, 0);
  }

  /** Kernel log records overwritten before they were read (kmsg gaps, journald). */
  recordsLost(): number {
    return this.loss
      .filter((l) => l.kind === "kmsg-gap" || l.kind === "journal-missed")
      .reduce((n, l) => n + (l.count ?? 0), 0);
  }

  /** Rows, most faults first. */
  sortedRows(): SummaryRow[] {
    const out: SummaryRow[] = [];
    for (const list of this.#index.values()) for (const st of list) out.push(rowOf(st));
    return out.sort((a, b) => b.count - a.count);
  }

  /** The loss picture as sentences. */
  lossLines(): string[] {
    if (!this.loss.length) return [];
    const out: string[] = [];
    const n = this.faultsNotLogged();
    if (n > 0) out.push(`at least ${plural(n, "fault")} ${n === 1 ? "was" : "were"} not logged`);
    for (const l of this.loss) {
      const what = l.kind === "suppressed"
        ? `${l.source}: ${plural(l.count ?? 0, "call")} suppressed by the ratelimit`
        : l.kind === "kmsg-gap"
        ? `${
          plural(l.count ?? 0, "kernel log record")
        } overwritten before they were read (any may be faults)`
        : l.kind === "journal-missed"
        ? `journald missed ${plural(l.count ?? 0, "kernel message")}`
        : l.kind === "hw-overflow"
        ? `VT-d fault recording overflowed (FSTS.PFO) ${times(l.events)}: hardware dropped faults`
        : l.kind === "log-restart"
        ? `AMD-Vi ${l.source} restarted ${times(l.events)} after an overflow`
        : `${l.source} overflowed ${times(l.events)}`;
      out.push(what);
    }
    return out;
  }

  /** JSON view: `{faults, rows, lost}` (addresses and times as the events give them). */
  toJson(): JsonObject {
    return {
      type: "summary",
      faults: this.faults,
      rows: this.sortedRows().map((r) => ({
        device: r.device,
        vendor: r.vendor,
        iommu: r.iommu,
        code: r.code,
        name: r.name,
        text: r.text,
        count: r.count,
        first: r.first as unknown as Json,
        last: r.last as unknown as Json,
        rate: rate(r),
        access: r.access,
        pages: r.pages,
        pages_capped: r.pagesCapped,
        addr_min: r.addrMin === null ? null : "0x" + r.addrMin.toString(16),
        addr_max: r.addrMax === null ? null : "0x" + r.addrMax.toString(16),
        mapping: { ...r.mapping },
        ...(this.#opts.region ? { regions: Object.fromEntries(r.regions) } : {}),
      })),
      rows_capped_faults: this.overflowFaults,
      lost: {
        faults_at_least: this.faultsNotLogged(),
        records_lost: this.recordsLost(),
        signals: this.loss.map((l) => ({ ...l })),
      },
    };
  }
}
