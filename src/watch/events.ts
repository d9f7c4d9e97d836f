/**
 * What the followers of `src/watch/` report, one call per event, to a {@link WatchSink}: a fault
 * (a record decoded from a region or a stream, or a kernel-log report), a loss (faults that may
 * never be seen, with an exact count or only bounds), a finding (a validator rule that began to
 * fire), and a state change (ring full, consumer stalled, source up). Followers are pure: they
 * get bytes and times, and call the sink synchronously; the sink renders, counts and exports.
 *
 * A fault's bytes are only valid during the call (followers reuse their buffers): a sink that
 * keeps a record decodes or copies it there.
 *
 * @example
 * ```ts
 * import type { WatchSink } from "./events.ts";
 * const seen: string[] = [];
 * const sink: WatchSink = {
 *   fault: (f) => seen.push(`fault ${f.kind}`),
 *   loss: (l) => seen.push(`loss ${l.cause}`),
 *   finding: (f) => seen.push(`finding ${f.finding.rule}`),
 *   state: (s) => seen.push(`state ${s.state}`),
 * };
 * sink.loss({ time: 0, cause: "vevent_overflow", unit: "faults", count: 2, message: "lost 2" });
 * seen; // => ["loss vevent_overflow"]
 * ```
 * @module
 */
import type { AbiId } from "../abi/records.ts";
import type { VeventTypeId } from "../abi/vevent.ts";
import type { FaultEvent } from "../klog/types.ts";
import type { Finding } from "../rules/finding.ts";

/** Where a record was read from. */
export interface RecordPosition {
  /** Ring slot (region sources). */
  slot?: number;
  /** Byte offset in the stream since it was opened (stream sources). */
  offset?: number;
  /** Record index in the stream since it was opened (stream sources). */
  index?: number;
}

/** A fixed-size record (any `iommu_fault` generation, `iommu_hwpt_pgfault`) in a buffer. */
export interface RecordFault {
  /** Discriminant. */
  kind: "record";
  /** When it was seen (ms since the epoch). */
  time: number;
  /** Its record ABI. */
  abi: AbiId;
  /** The buffer holding it (valid during the call only). */
  dv: DataView;
  /** Byte offset of the record in `dv`. */
  at: number;
  /** Byte order of the record. */
  littleEndian: boolean;
  /** Where it was read from. */
  position: RecordPosition;
}

/** A vEVENTQ event with its payload words. */
export interface VeventFault {
  /** Discriminant. */
  kind: "vevent";
  /** When it was seen (ms since the epoch). */
  time: number;
  /** The queue's type (the payload's format). */
  veventType: VeventTypeId;
  /** The header's sequence number. */
  sequence: number;
  /** The header's flags. */
  flags: number;
  /** The payload's `__le64` words. */
  payload: readonly bigint[];
  /** Where it was read from. */
  position: RecordPosition;
}

/** A fault reported in the kernel log, as the `dmesg` parser gives it. */
export interface LogFault {
  /** Discriminant. */
  kind: "log";
  /** When its line was read (ms since the epoch). */
  time: number;
  /** The parsed report. */
  event: FaultEvent;
}

/** One fault, from any kind of source. */
export type WatchFault = RecordFault | VeventFault | LogFault;

/** Why faults (or the log records that carry them) may be missing. */
export type LossCause =
  /** The ring was full: the kernel drops new faults without counting them. */
  | "ring_full"
  /** The indices prove the producer went round the ring between two polls. */
  | "lapped"
  /** The producer may have gone round the ring unseen (only bounds are known). */
  | "may_have_lapped"
  /**
   * A region that appeared while watched had moved before watch's first look: faults written and
   * taken in between (the indices give the least; a lap hides more).
   */
  | "before_first_look"
  /**
   * The header became unreadable or changed geometry, a region file was replaced or came back, a
   * file of records was truncated: the records written meanwhile are unknown.
   */
  | "resync"
  /** A vEVENTQ LOST_EVENTS header: the queue was full. */
  | "vevent_overflow"
  /** A jump in vEVENTQ sequence numbers between two delivered events. */
  | "vevent_gap"
  /** The stream ended inside a record. */
  | "partial_record"
  /** `/dev/kmsg` sequence numbers skipped: the kernel overwrote records before they were read. */
  | "kmsg_overwritten"
  /** journald said "Missed N kernel messages". */
  | "journal_missed"
  /** printk ratelimiting: `N callbacks suppressed`. */
  | "suppressed"
  /** A hardware fault queue or log overflowed (the log line says so). */
  | "hw_overflow"
  /** The log file shrank (truncated or replaced) before the rest of it was read. */
  | "log_truncated";

/** What a loss counts. */
export type LossUnit = "faults" | "records" | "messages";

/**
 * A loss: `count` when it is known exactly; otherwise `atMost` (null: no bound can be given)
 * and, when something is certain, `atLeast`. Never a guess as a count.
 */
export interface WatchLoss {
  /** When it was detected (ms since the epoch). */
  time: number;
  /** Why. */
  cause: LossCause;
  /** What `count` and the bounds count. */
  unit: LossUnit;
  /** Exactly this many were lost. */
  count?: number;
  /** At least this many. */
  atLeast?: number;
  /** At most this many (null: unbounded). */
  atMost?: number | null;
  /** One line for humans, the numbers and the reason in it. */
  message: string;
}

/** A rule that began to fire (or fired on a transition between two polls). */
export interface WatchFinding {
  /** When it appeared (ms since the epoch). */
  time: number;
  /** The rule and where. */
  finding: Finding;
}

/** A state that began or ended. */
export interface WatchState {
  /** When it changed (ms since the epoch). */
  time: number;
  /** The state that began. */
  state:
    | "ring_full"
    | "ring_not_full"
    | "stalled"
    | "resumed"
    | "up"
    | "down";
  /** One line for humans. */
  message: string;
  /** How long the state that just ended lasted (s), as far as the polls saw it. */
  seconds?: number;
}

/** Ring gauges, after every poll of a region. */
export interface RingGauges {
  /** Records pending (null: an index is out of range). */
  pending: number | null;
  /** Slots of the ring. */
  capacity: number;
  /** The ring is full. */
  full: boolean;
  /** The consumer is stalled. */
  stalled: boolean;
}

/** Receives what a follower sees, synchronously and in order. */
export interface WatchSink {
  /** A fault. */
  fault(f: WatchFault): void;
  /** A loss, the moment it is detected. */
  loss(l: WatchLoss): void;
  /** A finding, the first time it appears. */
  finding(f: WatchFinding): void;
  /** A state change. */
  state(s: WatchState): void;
  /** Ring gauges after a poll (region sources). */
  ring?(g: RingGauges): void;
  /** Seconds the ring was seen full since the previous call (region sources). */
  fullSeconds?(s: number): void;
}
