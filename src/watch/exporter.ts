/**
 * The metrics `watch` exports: what the followers report, counted the way Prometheus users
 * expect (naming conventions; node_exporter's `aer` collector for the device label, with the
 * `_total` suffix it lacks): counters for faults and losses, gauges only for state. Device labels
 * are capped: past `maxDevices` distinct devices, faults count under `device="other"`.
 *
 * | metric | type | labels |
 * | --- | --- | --- |
 * | `faultscope_faults_total` | counter | source, vendor, device, code, name |
 * | `faultscope_lost_faults_total` | counter | source, cause |
 * | `faultscope_lost_log_records_total` | counter | source, cause |
 * | `faultscope_loss_events_total` | counter | source, cause |
 * | `faultscope_ring_full_seconds_total` | counter | source |
 * | `faultscope_findings_total` | counter | source, rule, severity |
 * | `faultscope_ring_pending_records` | gauge | source |
 * | `faultscope_ring_capacity_records` | gauge | source |
 * | `faultscope_ring_full` | gauge | source |
 * | `faultscope_consumer_stalled` | gauge | source |
 * | `faultscope_source_up` | gauge | source, kind |
 * | `faultscope_build_info` | gauge (info) | version, deno |
 *
 * @example
 * ```ts
 * import { WatchMetrics } from "./exporter.ts";
 * const m = new WatchMetrics({ maxDevices: 1, version: "0.1.0", runtime: "2.9.6" });
 * m.addSource("kmsg", "kmsg");
 * m.fault("kmsg", { vendor: "intel", device: "0000:3b:00.0", code: "6", name: "PTE Read" });
 * m.fault("kmsg", { vendor: "intel", device: "0000:3c:00.0", code: "6", name: "PTE Read" });
 * m.registry.render("prometheus").includes('device="other"');
 * // => true: the second device is over the cap
 * ```
 * @module
 */
import type { LossCause, RingGauges, WatchLoss } from "./events.ts";
import type { FaultLabels } from "./labels.ts";
import { type Family, Registry } from "./metrics.ts";
import type { Finding } from "../rules/finding.ts";

/** The kinds of source, as `faultscope_source_up{kind}` names them. */
export type SourceKind = "region" | "stream" | "kmsg" | "log";

/** The losses each kind of source can report (their series exist, at 0, from the start). */
export const LOSS_CAUSES: Readonly<Record<SourceKind, readonly LossCause[]>> = {
  region: ["ring_full", "lapped", "may_have_lapped", "before_first_look", "resync"],
  stream: ["vevent_overflow", "vevent_gap", "partial_record", "resync"],
  kmsg: ["kmsg_overwritten", "suppressed", "hw_overflow"],
  log: ["kmsg_overwritten", "journal_missed", "suppressed", "hw_overflow", "log_truncated"],
};

/** Options of {@link WatchMetrics}. */
export interface WatchMetricsOptions {
  /** Distinct device label values kept; the rest count as `other`. */
  maxDevices: number;
  /** faultscope's version, for `faultscope_build_info`. */
  version: string;
  /** The runtime's version, for `faultscope_build_info`. */
  runtime: string;
}

/** The registry of `watch` and how events update it; see the module notes. */
export class WatchMetrics {
  /** The families, for rendering. */
  readonly registry: Registry = new Registry();
  readonly #faults: Family;
  readonly #lostFaults: Family;
  readonly #lostRecords: Family;
  readonly #lossEvents: Family;
  readonly #fullSeconds: Family;
  readonly #findings: Family;
  readonly #pending: Family;
  readonly #capacity: Family;
  readonly #full: Family;
  readonly #stalled: Family;
  readonly #up: Family;
  readonly #devices = new Set<string>();
  readonly #maxDevices: number;
  readonly #kinds = new Map<string, SourceKind>();
  /** Increments on every change (a metrics file is rewritten only when it moved). */
  version = 0;

  /** The registry with every family registered and `faultscope_build_info` set. */
  constructor(o: WatchMetricsOptions) {
    const r = this.registry;
    this.#maxDevices = o.maxDevices;
    this.#faults = r.counter(
      "faultscope_faults",
      "IOMMU faults reported, by source, vendor, device, code and name.",
      ["source", "vendor", "device", "code", "name"],
    );
    this.#lostFaults = r.counter(
      "faultscope_lost_faults",
      "Faults known to be lost, counted exactly (vEVENTQ overflow and sequence gaps), by source and cause.",
      ["source", "cause"],
    );
    this.#lostRecords = r.counter(
      "faultscope_lost_log_records",
      "Kernel log records or messages known to be lost (kmsg overwritten, journald missed, ratelimited), by source and cause.",
      ["source", "cause"],
    );
    this.#lossEvents = r.counter(
      "faultscope_loss_events",
      "Losses detected, whether or not their size is known (ring full, producer lapped, overflow), by source and cause.",
      ["source", "cause"],
    );
    this.#fullSeconds = r.counter(
      "faultscope_ring_full_seconds",
      "Seconds the ring was seen full; the kernel drops new faults uncounted meanwhile.",
      ["source"],
    );
    this.#findings = r.counter(
      "faultscope_findings",
      "Validator rule findings that appeared, by source, rule and severity.",
      ["source", "rule", "severity"],
    );
    this.#pending = r.gauge(
      "faultscope_ring_pending_records",
      "Records between the consumer and the producer index at the last poll.",
      ["source"],
    );
    this.#capacity = r.gauge(
      "faultscope_ring_capacity_records",
      "Slots of the ring; one is always kept empty.",
      ["source"],
    );
    this.#full = r.gauge("faultscope_ring_full", "1 while the ring is full, else 0.", ["source"]);
    this.#stalled = r.gauge(
      "faultscope_consumer_stalled",
      "1 while the consumer has records pending and has not moved for the stall time, else 0.",
      ["source"],
    );
    this.#up = r.gauge(
      "faultscope_source_up",
      "1 while the source can be read, else 0.",
      ["source", "kind"],
    );
    r.info("faultscope_build", "faultscope's version and the Deno it runs on.", [
      "version",
      "deno",
    ]).set([o.version, o.runtime], 1);
  }

  /** Registers a source: its up gauge and its loss counters exist from now on, at 0. */
  addSource(source: string, kind: SourceKind): void {
    this.#kinds.set(source, kind);
    this.#up.set([source, kind], 0);
    for (const cause of LOSS_CAUSES[kind]) {
      this.#lossEvents.touch([source, cause]);
      if (kind === "stream") this.#lostFaults.touch([source, cause]);
      if (kind === "kmsg" || kind === "log") this.#lostRecords.touch([source, cause]);
    }
    if (kind === "region") this.#fullSeconds.touch([source]);
    this.version++;
  }

  /** The device label for `device`, within the cap. */
  deviceLabel(device: string): string {
    if (device === "" || this.#devices.has(device)) return device;
    if (this.#devices.size < this.#maxDevices) {
      this.#devices.add(device);
      return device;
    }
    return "other";
  }

  /** Counts one fault. */
  fault(source: string, l: FaultLabels): void {
    this.#faults.inc([source, l.vendor, this.deviceLabel(l.device), l.code, l.name]);
    this.version++;
  }

  /** Counts one loss. */
  loss(source: string, l: WatchLoss): void {
    this.#lossEvents.inc([source, l.cause]);
    if (l.count !== undefined) {
      if (l.unit === "faults") this.#lostFaults.inc([source, l.cause], l.count);
      else if (this.#kinds.get(source) !== "stream") {
        this.#lostRecords.inc([source, l.cause], l.count);
      }
    }
    this.version++;
  }

  /** Counts one finding. */
  finding(source: string, f: Finding): void {
    this.#findings.inc([source, f.rule, f.severity]);
    this.version++;
  }

  /** Adds seconds the ring was full. */
  fullSeconds(source: string, s: number): void {
    this.#fullSeconds.inc([source], s);
    this.version++;
  }

  /** Sets the ring gauges of a region source. */
  ring(source: string, g: RingGauges): void {
    if (g.pending !== null) this.#pending.set([source], g.pending);
    this.#capacity.set([source], g.capacity);
    this.#full.set([source], g.full ? 1 : 0);
    this.#stalled.set([source], g.stalled ? 1 : 0);
    this.version++;
  }

  /** Sets whether a source can be read. */
  up(source: string, up: boolean): void {
    this.#up.set([source, this.#kinds.get(source) ?? "region"], up ? 1 : 0);
    this.version++;
  }
}
