/**
 * The kernel log's named choices: the container formats `dmesg --format` takes and the IOMMU
 * families `--vendor` filters on. Data alone, so that the command table offers them without
 * loading the log parser; `container.ts` and `types.ts` re-export them.
 *
 * @example
 * ```ts
 * import { FORMATS, VENDORS } from "./choices.ts";
 * [FORMATS[0], VENDORS[0]]; // => ["auto", "intel"]
 * ```
 * @module
 */

/** Container formats `--format` accepts (`auto` detects per line). */
export const FORMATS = [
  "auto",
  "dmesg",
  "dmesg-T",
  "dmesg-iso",
  "journal",
  "journal-json",
  "kmsg",
  "syslog",
  "plain",
] as const;
/** A container format. */
export type Format = typeof FORMATS[number];

/** Every IOMMU family a fault can come from (`trace`: the generic `io_page_fault` tracepoint). */
export const VENDORS = [
  "intel",
  "amd",
  "arm-smmu-v3",
  "arm-smmu",
  "virtio-iommu",
  "trace",
] as const;

/** Which IOMMU family reported the fault. */
export type Vendor = typeof VENDORS[number];
