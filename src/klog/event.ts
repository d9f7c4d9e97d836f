/**
 * The fault event the parser emits: the fields of {@link FaultEvent}, with the decoded hardware
 * record built only when it is read (`e.record`) or written as JSON. A storm of a million lines
 * that is only counted never pays for a million records; `--json` gets every one.
 *
 * @example
 * ```ts
 * import { Fault } from "./event.ts";
 * const f = new Fault({
 *   vendor: "virtio-iommu", iommu: "virtio0", device: "ep:8", pasid: null, addr: "0x1000",
 *   access: ["write"], code: 2, name: "MAPPING", text: "...", generation: "virtio",
 *   recordOf: () => ({ endpoint: 8 }),
 * }, { text: null, boot: null, wall: null }, ["virtio_iommu virtio0: ..."], 1);
 * f.record?.endpoint; // => 8
 * JSON.parse(JSON.stringify(f)).record.endpoint; // => 8
 * ```
 * @module
 */
import type { Json, JsonObject } from "../codec/json.ts";
import type { Access, FaultEvent, LogTime, Mapping, Vendor } from "./types.ts";

/** A fault as the recognisers build it, before the parser adds where and when it was logged. */
export interface FaultCore {
  /** Which IOMMU family reported it. */
  vendor: Vendor;
  /** The IOMMU unit, null when the line omits it. */
  iommu: string | null;
  /** The device: PCI address, `sid:0x..` or `ep:N`. */
  device: string | null;
  /** PASID or SSID, null when none. */
  pasid: number | null;
  /** Fault address as `0x` hex, null when none. */
  addr: string | null;
  /** The access, as far as the report says. */
  access: Access[];
  /** The vendor's reason or event code. */
  code: number | null;
  /** The kernel's name for the code, or `unknown`. */
  name: string;
  /** What the code means, one sentence. */
  text: string;
  /** The print generation recognised. */
  generation: string;
  /** What the report says about the mapping; the parser fills it in when absent. */
  mapping?: Mapping | null;
  /** The decoded record, already built. */
  record?: JsonObject;
  /**
   * Builds the decoded record when it is first needed; with `iommuFault`, also the `iommu_fault`
   * each kernel path makes of it (SMMUv3 events, VT-d page requests).
   */
  recordOf?: (iommuFault: boolean) => JsonObject;
  /** Extra fields of the report. */
  detail?: { [k: string]: Json };
  /** An SMMUv3 dump that ended before its four words. */
  truncated?: boolean;
  /** The timestamp of a trace line, used when the log's container gives none. */
  traceTime?: string;
}

/** One fault event (see {@link FaultEvent} for the fields). */
export class Fault implements FaultEvent {
  /** Always `fault`. */
  readonly type = "fault" as const;
  /** Which IOMMU family reported it. */
  vendor: Vendor;
  /** The IOMMU unit, null when the line omits it. */
  iommu: string | null;
  /** The device: PCI address, `sid:0x..` or `ep:N`. */
  device: string | null;
  /** PASID or SSID, null when none. */
  pasid: number | null;
  /** Fault address as `0x` hex, null when none. */
  addr: string | null;
  /** The access, as far as the report says. */
  access: Access[];
  /** The vendor's reason or event code. */
  code: number | null;
  /** The kernel's name for the code, or `unknown`. */
  name: string;
  /** What the code means, one sentence. */
  text: string;
  /** What the report says of the mapping. */
  mapping: Mapping | null;
  /** When the log says it happened. */
  time: LogTime;
  /** Line number (1-based) of the first source line. */
  line: number;
  /** The print generation recognised. */
  generation: string;
  /** Extra fields of the report. */
  detail?: { [k: string]: Json };
  /** An SMMUv3 dump that ended before its four words. */
  truncated?: boolean;
  /** The source lines, exactly as read. */
  raw: string[];
  #record: JsonObject | undefined;
  #recordOf: ((iommuFault: boolean) => JsonObject) | undefined;
  #iommuFault: boolean;

  /** `iommuFault`: the record carries the `iommu_fault` conversions (default: yes). */
  constructor(c: FaultCore, time: LogTime, raw: string[], line: number, iommuFault = true) {
    this.vendor = c.vendor;
    this.iommu = c.iommu;
    this.device = c.device;
    this.pasid = c.pasid;
    this.addr = c.addr;
    this.access = c.access;
    this.code = c.code;
    this.name = c.name;
    this.text = c.text;
    this.mapping = c.mapping ?? null;
    this.time = time;
    this.line = line;
    this.generation = c.generation;
    if (c.detail !== undefined) this.detail = c.detail;
    if (c.truncated !== undefined) this.truncated = c.truncated;
    this.raw = raw;
    this.#record = c.record;
    this.#recordOf = c.record ? undefined : c.recordOf;
    this.#iommuFault = iommuFault;
  }

  /** The decoded hardware record, when the log carried one (built on first read). */
  get record(): JsonObject | undefined {
    if (this.#recordOf) {
      this.#record = this.#recordOf(this.#iommuFault);
      this.#recordOf = undefined;
    }
    return this.#record;
  }

  /** The JSON object of the README's schema, fields in its order. */
  toJSON(): JsonObject {
    const o: JsonObject = {
      type: this.type,
      vendor: this.vendor,
      iommu: this.iommu,
      device: this.device,
      pasid: this.pasid,
      addr: this.addr,
      access: this.access,
      code: this.code,
      name: this.name,
      text: this.text,
      mapping: this.mapping,
      time: this.time as unknown as Json,
      line: this.line,
      generation: this.generation,
    };
    if (this.truncated) o.truncated = true;
    if (this.detail !== undefined) o.detail = this.detail;
    const r = this.record;
    if (r !== undefined) o.record = r;
    o.raw = this.raw;
    return o;
  }
}
