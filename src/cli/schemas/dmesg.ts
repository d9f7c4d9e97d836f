/**
 * Schemas of `dmesg --json` (`{events, summary, lost}`) and `dmesg --ndjson` (one event a line,
 * then the summary as a last line with `"type":"summary"` and the loss in it): the fault and
 * loss events of `src/klog/types.ts`, the summary of `src/klog/summary.ts`.
 *
 * `record` is the hardware record the log line carried, as the parser decodes it (its fields
 * depend on the vendor and event); it is described as an object here.
 *
 * @example
 * ```ts
 * import { dmesgLineSchema, dmesgSchema } from "./dmesg.ts";
 * (dmesgSchema().required as string[]); // => ["events", "summary", "lost"]
 * Array.isArray(dmesgLineSchema().oneOf); // => true
 * ```
 * @module
 */
import { closed, count, type JsonSchema, nullable } from "../../codec/json_schema.ts";
import { FORMATS } from "../../klog/container.ts";
import { VENDORS } from "../../klog/types.ts";

const STR: JsonSchema = { type: "string" };
const NUM: JsonSchema = { type: "number" };
/** An address as the kernel prints it with `%#llx`: lowercase, no leading zeros. */
const ADDR: JsonSchema = {
  type: "string",
  pattern: "^0x(0|[1-9a-f][0-9a-f]*)$",
  description: "lowercase 0x hex, as the kernel's %#llx prints it",
};
const TIME = closed({
  text: nullable({ ...STR, description: "the timestamp exactly as the log printed it" }),
  boot: nullable({ ...NUM, description: "seconds since boot, where known" }),
  wall: nullable({
    ...NUM,
    description: "wall-clock seconds (UTC when the log gives a zone; a year-less date in 2000)",
  }),
});
const ACCESS: JsonSchema = {
  type: "array",
  items: { enum: ["read", "write", "exec", "priv"] },
  uniqueItems: true,
};
const VENDOR: JsonSchema = { enum: VENDORS };
const LOSS_KINDS = [
  "suppressed",
  "overflow",
  "hw-overflow",
  "log-restart",
  "kmsg-gap",
  "journal-missed",
];
const LINES: JsonSchema = { type: "array", items: STR, minItems: 1 };

const FAULT_KEYS = {
  type: { const: "fault" },
  vendor: VENDOR,
  iommu: nullable({ ...STR, description: "the IOMMU unit: dmar1, ivhd0, arm-smmu-v3.0.auto" }),
  device: nullable({
    ...STR,
    description: "PCI address 0000:bb:dd.f, else sid:0x.. (a StreamID) or ep:N",
  }),
  pasid: nullable(count("PASID or SSID")),
  addr: nullable(ADDR),
  access: ACCESS,
  code: nullable(count("the vendor's reason or event code")),
  name: { ...STR, description: "the kernel's name for the code, or unknown" },
  text: { ...STR, description: "what it means, one sentence" },
  mapping: nullable({ enum: ["none", "denied", "no-domain"] }),
  time: TIME,
  line: count("line number (1-based) of the first source line"),
  generation: { ...STR, description: "the print generation recognised (V4, E3, M2, ...)" },
  truncated: { const: true, description: "an SMMUv3 dump that ended before its four words" },
  detail: { type: "object", description: "what else the line says" },
  record: { type: "object", description: "the hardware record the log carried, decoded" },
  raw: { ...LINES, description: "the source lines, exactly as read" },
  context: closed({ device_name: nullable(STR), region: nullable(STR) }, [], {
    description: "with --iomem/--lspci: the device's name and the address's region",
  }),
};

/** One fault event. */
const FAULT = closed(
  FAULT_KEYS,
  Object.keys(FAULT_KEYS).filter((k) => !["truncated", "detail", "record", "context"].includes(k)),
);

/** One sign of loss. */
const LOSS = closed({
  type: { const: "loss" },
  kind: { enum: LOSS_KINDS },
  vendor: nullable(VENDOR),
  source: { ...STR, description: "the function, queue or sequence range the line names" },
  count: nullable(count("calls refused, records skipped")),
  faults_at_least: count("a lower bound on the faults it hid"),
  time: TIME,
  raw: LINES,
  line: count(),
});

const ROW = closed(
  {
    device: nullable(STR),
    vendor: VENDOR,
    iommu: nullable(STR),
    code: nullable(count()),
    name: STR,
    text: STR,
    count: count(),
    first: TIME,
    last: TIME,
    rate: nullable({ type: "number", minimum: 0, description: "faults per second" }),
    access: ACCESS,
    pages: count("distinct 4 KiB pages (a lower bound when pages_capped)"),
    pages_capped: { type: "boolean" },
    addr_min: nullable(ADDR),
    addr_max: nullable(ADDR),
    mapping: closed({ "none": count(), "denied": count(), "no-domain": count() }),
    regions: {
      type: "object",
      additionalProperties: count(),
      description: "with --iomem: faults per /proc/iomem region",
    },
  },
  [
    "device",
    "vendor",
    "iommu",
    "code",
    "name",
    "text",
    "count",
    "first",
    "last",
    "rate",
    "access",
    "pages",
    "pages_capped",
    "addr_min",
    "addr_max",
    "mapping",
  ],
);

const SUMMARY_KEYS = {
  faults: count(),
  rows: { type: "array", items: ROW, description: "faults per device and reason, most first" },
  rows_capped_faults: count("faults on device x reason pairs past the row limit"),
  format: nullable({ enum: FORMATS.filter((f) => f !== "auto") }),
  lines: count(),
  unparsed: closed({
    count: count("lines that look like fault reports but do not parse"),
    lines: {
      type: "array",
      items: closed({ line: count(), raw: STR, looksLike: STR }),
      description: "with -v: the first of them",
    },
  }, ["count"]),
};

const LOST = closed({
  faults_at_least: count("a lower bound on the faults the log does not show"),
  records_lost: count("kernel log records overwritten or missed by journald"),
  signals: {
    type: "array",
    items: closed({
      kind: { enum: LOSS_KINDS },
      source: STR,
      count: nullable(count()),
      faults_at_least: count(),
      events: count(),
    }),
  },
});

/** `dmesg --json`. */
export function dmesgSchema(): JsonSchema {
  return closed({
    events: { type: "array", items: { oneOf: [FAULT, LOSS] } },
    summary: closed(SUMMARY_KEYS),
    lost: LOST,
  });
}

/** One line of `dmesg --ndjson`: an event, or the summary (the last line). */
export function dmesgLineSchema(): JsonSchema {
  return {
    oneOf: [
      FAULT,
      LOSS,
      closed({ type: { const: "summary" }, ...SUMMARY_KEYS, lost: LOST }),
    ],
  };
}
