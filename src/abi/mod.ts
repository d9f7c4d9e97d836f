/**
 * The ABI description: record generations and region layouts as data, one file each, and the
 * registries built from them.
 *
 * @example
 * ```ts
 * import { RECORDS, REGIONS } from "./mod.ts";
 * REGIONS.rfc3.headerSize + 1365 * RECORDS.rfc3.size; // => 65536
 * ```
 * @module
 */
export * from "./types.ts";
export * from "./records.ts";
export * from "./regions.ts";
