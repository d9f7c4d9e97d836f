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
 * s.lossLines(); // [] before any event
 * ```
 * @module
 */
import type { Json, JsonObject } from "../codec/json.ts";
import type { Access, FaultEvent, LogTime, LossEvent, LossKind, Mapping, Vendor } from "./types.ts";

/** One row: a device and one reason. */
export interface SummaryRow {
  device: string | null;
  vendor: Vendor;
  iommu: string | null;
  code: number | null;
  name: string;
  text: string;
  count: number;
  first: LogTime;
  last: LogTime;
  access: Access[];
  /** Distinct 4 KiB pages (a lower bound once `pagesCapped`). */
  pages: number;
  pagesCapped: boolean;
  addrMin: bigint | null;
  addrMax: bigint | null;
  /** Faults per `/proc/iomem` region (with the `region` option; `(none)`: in no region). */
  regions: Map<string, number>;
  /** Faults by what the report says of the mapping (see `explain.ts`). */
  mapping: Record<Mapping, number>;
}

/** What the summary keeps of a row besides the row itself. */
interface RowState {
  row: SummaryRow;
  vendor: Vendor;
  code: number | null;
  name: string;
  unit: string | null;
  /** The address range as doubles (exact below 2^53), to compare without BigInt. */
  min: number;
  max: number;
  /** Distinct pages seen (up to the caps). */
  pages: Set<number>;
}

/** Options of a summary. */
export interface SummaryOptions {
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

/** Faults per second between the first and last report (null with one report or no clock). */
export function rate(r: Pick<SummaryRow, "count" | "first" | "last">): number | null {
  const a = seconds(r.first), b = seconds(r.last);
  if (a === null || b === null || r.count < 2 || b <= a) return null;
  return (r.count - 1) / (b - a);
}

/** Aggregates fault and loss events. */
export class Summary {
  readonly rows = new Map<string, SummaryRow>();
  /** Faults that did not fit in `maxRows` rows. */
  overflowFaults = 0;
  faults = 0;
  readonly loss: {
    kind: LossKind;
    source: string;
    count: number | null;
    faultsAtLeast: number;
    events: number;
  }[] = [];
  #lossIndex = new Map<string, number>();
  #index = new Map<string | null, RowState[]>();
  #pagesTotal = 0;
  #opts: Required<Omit<SummaryOptions, "region">> & Pick<SummaryOptions, "region">;

  constructor(opts: SummaryOptions = {}) {
    this.#opts = { maxRows: 10_000, maxPages: 4096, maxPagesTotal: 1 << 18, ...opts };
  }

  /** Adds one event. */
  add(e: FaultEvent | LossEvent): void {
    if (e.type === "loss") return this.#addLoss(e);
    this.faults++;
    // A StreamID or endpoint number names a device only within its IOMMU.
    const unit = e.device === null || !e.device.startsWith("0000:") ? e.iommu : null;
    // Rows by device, then a short scan: no key string built and hashed per fault.
    let st: RowState | undefined;
    const list = this.#index.get(e.device);
    if (list) {
      for (const x of list) {
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
    const r = st.row;
    r.count++;
    r.last = detachTime(e.time);
    for (const a of e.access) if (!r.access.includes(a)) r.access.push(a);
    if (e.mapping) r.mapping[e.mapping]++;
    if (e.addr !== null) this.#addAddr(st, e.addr);
  }

  #newRow(e: FaultEvent, unit: string | null, list: RowState[] | undefined): RowState | undefined {
    if (this.rows.size >= this.#opts.maxRows) {
      this.overflowFaults++;
      return undefined;
    }
    const row: SummaryRow = {
      device: detach(e.device),
      vendor: e.vendor,
      iommu: detach(e.iommu),
      code: e.code,
      name: detach(e.name),
      text: detach(e.text),
      count: 0,
      first: detachTime(e.time),
      last: e.time,
      access: [],
      pages: 0,
      pagesCapped: false,
      addrMin: null,
      addrMax: null,
      regions: new Map(),
      mapping: { "none": 0, "denied": 0, "no-domain": 0 },
    };
    const st: RowState = {
      row,
      vendor: e.vendor,
      code: e.code,
      name: row.name,
      unit: detach(unit),
      min: Infinity,
      max: -Infinity,
      pages: new Set(),
    };
    if (list) list.push(st);
    else this.#index.set(row.device, [st]);
    this.rows.set(
      `${row.device}\u0000${st.unit}\u0000${e.vendor}\u0000${e.code}\u0000${e.name}`,
      row,
    );
    return st;
  }

  /** Address range, region and distinct pages of one more fault of a row. */
  #addAddr(st: RowState, addr: string): void {
    const r = st.row;
    let page: number;
    let a: bigint | null = null;
    if (addr.length <= 15) {
      // Up to 13 hex digits (52 bits): exact as a double, no BigInt needed.
      const n = parseInt(addr.slice(2), 16);
      if (n < st.min) (st.min = n, r.addrMin = BigInt(n));
      if (n > st.max) (st.max = n, r.addrMax = BigInt(n));
      page = Math.floor(n / 4096);
    } else {
      a = BigInt(addr);
      if (r.addrMin === null || a < r.addrMin) r.addrMin = a;
      if (r.addrMax === null || a > r.addrMax) r.addrMax = a;
      st.min = Math.min(st.min, Number(r.addrMin));
      st.max = Math.max(st.max, Number(r.addrMax));
      // A page number fits a double exactly (64 - 12 bits < 53).
      page = Number(a >> 12n);
    }
    if (this.#opts.region) {
      const name = this.#opts.region(a ?? BigInt(addr)) ?? NO_REGION;
      r.regions.set(name, (r.regions.get(name) ?? 0) + 1);
    }
    const set = st.pages;
    if (!set.has(page)) {
      if (set.size < this.#opts.maxPages && this.#pagesTotal < this.#opts.maxPagesTotal) {
        set.add(page);
        r.pages++;
        this.#pagesTotal++;
      } else r.pagesCapped = true;
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
        faultsAtLeast: e.faultsAtLeast,
        events: 1,
      });
      return;
    }
    const l = this.loss[i];
    l.events++;
    l.faultsAtLeast += e.faultsAtLeast;
    if (e.count !== null) l.count = (l.count ?? 0) + e.count;
  }

  /** A lower bound on the faults the log does not show. */
  faultsNotLogged(): number {
    return this.loss.reduce((n, l) => n + l.faultsAtLeast, 0);
  }

  /** Kernel log records overwritten before they were read (kmsg gaps, journald). */
  recordsLost(): number {
    return this.loss
      .filter((l) => l.kind === "kmsg-gap" || l.kind === "journal-missed")
      .reduce((n, l) => n + (l.count ?? 0), 0);
  }

  /** Rows, most faults first. */
  sortedRows(): SummaryRow[] {
    return [...this.rows.values()].sort((a, b) => b.count - a.count);
  }

  /** The loss picture as sentences. */
  lossLines(): string[] {
    if (!this.loss.length) return [];
    const out: string[] = [];
    const n = this.faultsNotLogged();
    if (n > 0) out.push(`at least ${n} fault(s) were not logged`);
    for (const l of this.loss) {
      const what = l.kind === "suppressed"
        ? `${l.source}: ${l.count} call(s) suppressed by the ratelimit`
        : l.kind === "kmsg-gap"
        ? `${l.count} kernel log record(s) overwritten before they were read (any may be faults)`
        : l.kind === "journal-missed"
        ? `journald missed ${l.count} kernel message(s)`
        : l.kind === "hw-overflow"
        ? `VT-d fault recording overflowed (FSTS.PFO) ${l.events} time(s): hardware dropped faults`
        : l.kind === "log-restart"
        ? `AMD-Vi ${l.source} restarted ${l.events} time(s) after an overflow`
        : `${l.source} overflowed ${l.events} time(s)`;
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
