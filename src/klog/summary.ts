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
import type { Access, FaultEvent, LogTime, LossEvent, LossKind, Vendor } from "./types.ts";

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
}

/** Options of a summary. */
export interface SummaryOptions {
  maxRows?: number;
  maxPages?: number;
}

function seconds(t: LogTime): number | null {
  return t.boot ?? t.wall;
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
  #pages = new Map<string, Set<bigint>>();
  #opts: Required<SummaryOptions>;

  constructor(opts: SummaryOptions = {}) {
    this.#opts = { maxRows: 10_000, maxPages: 4096, ...opts };
  }

  /** Adds one event. */
  add(e: FaultEvent | LossEvent): void {
    if (e.type === "loss") return this.#addLoss(e);
    this.faults++;
    const key = `${e.device}\u0000${e.vendor}\u0000${e.code}\u0000${e.name}`;
    let r = this.rows.get(key);
    if (!r) {
      if (this.rows.size >= this.#opts.maxRows) {
        this.overflowFaults++;
        return;
      }
      r = {
        device: e.device,
        vendor: e.vendor,
        iommu: e.iommu,
        code: e.code,
        name: e.name,
        text: e.text,
        count: 0,
        first: e.time,
        last: e.time,
        access: [],
        pages: 0,
        pagesCapped: false,
        addrMin: null,
        addrMax: null,
      };
      this.rows.set(key, r);
    }
    r.count++;
    r.last = e.time;
    for (const a of e.access) if (!r.access.includes(a)) r.access.push(a);
    if (e.addr !== null) {
      const a = BigInt(e.addr);
      if (r.addrMin === null || a < r.addrMin) r.addrMin = a;
      if (r.addrMax === null || a > r.addrMax) r.addrMax = a;
      let set = this.#pages.get(key);
      if (!set) this.#pages.set(key, set = new Set());
      const page = a >> 12n;
      if (!set.has(page)) {
        if (set.size < this.#opts.maxPages) (set.add(page), r.pages++);
        else r.pagesCapped = true;
      }
    }
  }

  #addLoss(e: LossEvent): void {
    const key = `${e.kind}\u0000${e.source}`;
    const i = this.#lossIndex.get(key);
    if (i === undefined) {
      this.#lossIndex.set(key, this.loss.length);
      this.loss.push({
        kind: e.kind,
        source: e.source,
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
        ? `${l.source} restarted ${l.events} time(s) after an overflow`
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
