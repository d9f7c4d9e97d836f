/**
 * The normalised records the kernel-log parser produces: one {@link FaultEvent} per IOMMU fault
 * report, one {@link LossEvent} per sign that faults went unlogged, and the lines that looked
 * like fault reports but did not parse. This is the JSON schema of `faultscope dmesg`.
 *
 * @example
 * ```ts
 * import type { FaultEvent } from "./types.ts";
 * const e: Pick<FaultEvent, "vendor" | "code"> = { vendor: "intel", code: 6 };
 * e.code; // => 6
 * ```
 * @module
 */
import type { Json, JsonObject } from "../codec/json.ts";

import { type Vendor, VENDORS } from "./choices.ts";
export { type Vendor, VENDORS };

/** An access type, as far as the report says. */
export type Access = "read" | "write" | "exec" | "priv";

/**
 * What a report says about the translation when the device faulted: no mapping for the address
 * (`none`), a mapping that does not allow the access (`denied`), or no domain attached to the
 * device at all (`no-domain`). See `explain.ts` for which reports say what.
 */
export type Mapping = "none" | "denied" | "no-domain";

/** A log timestamp: the text as given, and what it means where known. */
export interface LogTime {
  /** The timestamp exactly as the container printed it (null: none). */
  text: string | null;
  /** Seconds since boot (printk `[s.us]`, `/dev/kmsg` ts, journal monotonic), where known. */
  boot: number | null;
  /**
   * Wall-clock seconds (UTC when the log gives a zone; else the local time read as UTC; a
   * timestamp without a year, e.g. `Mar 05 10:15:43`, is placed in the year 2000).
   */
  wall: number | null;
}

/** One IOMMU fault, normalised across vendors and kernel generations. */
export interface FaultEvent {
  /** Always `fault`. */
  type: "fault";
  /** Which IOMMU family reported it. */
  vendor: Vendor;
  /** The IOMMU unit (`dmar1`, `ivhd0`, `arm-smmu-v3.0.auto`), null when the line omits it. */
  iommu: string | null;
  /** `0000:00:02.0` for a PCI device, `sid:0x100` for a StreamID, `ep:8` for virtio. */
  device: string | null;
  /** PASID (VT-d, AMD-Vi) or SSID (SMMUv3); null when the report has none. */
  pasid: number | null;
  /** Fault address (or page) as `0x` hex; null when the report has none. */
  addr: string | null;
  /** The access, as far as the report says. */
  access: Access[];
  /** The vendor's reason or event code. */
  code: number | null;
  /** The kernel's name for the code, or `unknown`. */
  name: string;
  /** What the code means, one sentence. */
  text: string;
  /** What the report says about the mapping; null when it does not say. */
  mapping: Mapping | null;
  /** When the log says it happened. */
  time: LogTime;
  /** The source lines (container stripped off nothing: exactly as read). */
  raw: string[];
  /** Line number (1-based) of the first source line. */
  line: number;
  /** The print generation recognised (`V4`, `E3`, `M2`, ...). */
  generation: string;
  /** The decoded hardware record, when the log carried one. */
  record?: JsonObject;
  /** Extra fields of the report (interrupt index, domain, client, ...). */
  detail?: { [k: string]: Json };
  /** The SMMUv3 dump ended before its four words. */
  truncated?: boolean;
}

/** What kind of loss a line reports. */
export type LossKind =
  | "suppressed" // `<func>: N callbacks suppressed`
  | "overflow" // a queue or log overflowed (EVTQ, PRIQ, PRQ, AMD event log)
  | "hw-overflow" // VT-d FSTS PFO: the fault recording registers overflowed
  | "log-restart" // AMD log restarting (after an overflow)
  | "kmsg-gap" // /dev/kmsg sequence numbers skipped: records overwritten
  | "journal-missed"; // journald: Missed N kernel messages

/** A sign that faults (or log records) were lost before this log was read. */
export interface LossEvent {
  /** Always `loss`. */
  type: "loss";
  /** What was lost, and how the log says so. */
  kind: LossKind;
  /** Which IOMMU family, when the line says. */
  vendor: Vendor | null;
  /** The function (suppressed), unit (overflow) or queue named by the line. */
  source: string;
  /** Calls refused, records skipped, ...; null when the line gives no number. */
  count: number | null;
  /** A lower bound on the faults this loss hid (0 when it may have hidden none). */
  faults_at_least: number;
  /** When the log says it happened. */
  time: LogTime;
  /** The source line, exactly as read. */
  raw: string[];
  /** Its line number (1-based). */
  line: number;
}

/** A line that starts like a fault report but does not parse. */
export interface Unparsed {
  /** Line number (1-based). */
  line: number;
  /** The line as read. */
  raw: string;
  /** Which report it looked like. */
  looksLike: string;
}
