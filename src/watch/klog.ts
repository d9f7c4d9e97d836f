/**
 * Follows a kernel log as its text arrives (`/dev/kmsg` records, a log file, `journalctl -o
 * json`): the parser of `faultscope dmesg` ({@link KlogParser}) turns the text into fault
 * reports and signs of loss, which this follower hands to a {@link WatchSink}. A `/dev/kmsg`
 * sequence gap (records the kernel overwrote before they were read: the reader got EPIPE) is a
 * loss of that many records, each of which may have been a fault report.
 *
 * @example
 * ```ts
 * import { KlogFollower } from "./klog.ts";
 * const seen: string[] = [];
 * const k = new KlogFollower({
 *   fault: (f) => seen.push(f.kind), loss: (l) => seen.push(l.message), finding: () => {}, state: () => {},
 * }, "kmsg");
 * k.push("6,100,5000,-;hello\n", 0);
 * k.push("6,103,5001,-;world\n", 1);
 * seen; // => ["kmsg overwrote 2 records before they were read (sequence 100 -> 103)"]
 * ```
 * @module
 */
import type { Format } from "../klog/container.ts";
import { KlogParser } from "../klog/parser.ts";
import type { FaultEvent, LossEvent } from "../klog/types.ts";
import { plural } from "../codec/numbers.ts";
import type { LossCause, LossUnit, WatchLoss, WatchSink } from "./events.ts";

/** What a kernel-log follower has seen so far. */
export interface KlogStats {
  /** Lines read. */
  lines: number;
  /** Fault reports. */
  faults: number;
  /** Log records known lost (kmsg gaps, journald's missed messages). */
  lostRecords: number;
}

/** The watch loss for a loss the log parser found. */
export function klogLoss(e: LossEvent, time: number): WatchLoss {
  const n = e.count;
  const base = (cause: LossCause, unit: LossUnit, message: string): WatchLoss =>
    n === null
      ? { time, cause, unit, atLeast: Math.max(1, e.faults_at_least), atMost: null, message }
      : { time, cause, unit, count: n, message };
  switch (e.kind) {
    case "kmsg-gap": {
      const m = /seq (\d+) -> (\d+)/.exec(e.source);
      return base(
        "kmsg_overwritten",
        "records",
        `kmsg overwrote ${plural(n ?? 0, "record")} before they were read` +
          (m ? ` (sequence ${m[1]} -> ${m[2]})` : ""),
      );
    }
    case "journal-missed":
      return base(
        "journal_missed",
        "messages",
        `journald missed ${plural(n ?? 0, "kernel message")}`,
      );
    case "suppressed":
      return base(
        "suppressed",
        "messages",
        `${e.source}: ${n === null ? "" : `${n} `}callbacks suppressed (printk ratelimit)`,
      );
    default:
      return {
        time,
        cause: "hw_overflow",
        unit: "faults",
        atLeast: e.faults_at_least,
        atMost: null,
        message: `${e.source}: ${e.kind === "log-restart" ? "event log restarted" : "overflow"}` +
          ` (${e.raw[0]?.trim() ?? ""})`,
      };
  }
}

/** Follows one kernel log; see the module notes. */
export class KlogFollower {
  readonly #parser: KlogParser;
  #time = 0;
  /** What the follower has seen so far. */
  readonly stats: KlogStats = { lines: 0, faults: 0, lostRecords: 0 };

  /**
   * A follower that reports to `sink`; `format` is the container (`kmsg` for `/dev/kmsg`,
   * `auto` to detect it from the first lines).
   */
  constructor(readonly sink: WatchSink, format: Format = "auto") {
    this.#parser = new KlogParser({
      format,
      onEvent: (e: FaultEvent | LossEvent) => {
        if (e.type === "fault") {
          this.stats.faults++;
          sink.fault({ kind: "log", time: this.#time, event: e });
        } else {
          const l = klogLoss(e, this.#time);
          if (l.unit !== "faults" && l.count) this.stats.lostRecords += l.count;
          sink.loss(l);
        }
      },
    });
  }

  /** Takes the next text (any cut: a line waits for its end). */
  push(text: string, time: number): void {
    this.#time = time;
    this.#parser.push(text);
    this.stats.lines = this.#parser.lines;
  }

  /**
   * Flushes what the parser holds (a last line without its newline, an SMMUv3 dump waiting for
   * its decoded lines). Call when the input ends; a log followed again later gets a new follower.
   */
  end(time: number): void {
    this.#time = time;
    this.#parser.end();
    this.stats.lines = this.#parser.lines;
  }
}
