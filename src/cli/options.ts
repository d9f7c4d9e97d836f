/**
 * Option parsers and option sets shared by the commands. Bad values become commander's
 * InvalidArgumentError, which the CLI reports in one line with exit 2.
 *
 * @example
 * ```ts
 * import { parseOffset } from "./options.ts";
 * parseOffset("9<<40"); // 9895604649984: VFIO region index 9
 * parseOffset("0x10000"); // 65536
 * ```
 * @module
 */
import { type Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import { ABI_IDS } from "../abi/records.ts";
import { REGION_IDS } from "../abi/regions.ts";

/**
 * A parser for an integer option in decimal or 0x hex, within `[min, max]` (every command's
 * integer flags use it, so they accept and reject the same forms).
 */
export function intArg(min = 0, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v: string) => {
    const s = v.trim();
    const n = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER
          ? `must be an integer >= ${min}`
          : `must be an integer from ${min} to ${max}`,
      );
    }
    return n;
  };
}

/** Parses a non-negative integer in decimal or 0x hex, up to 2^53. */
export const parseCount: (v: string) => number = intArg(0);

/** Parses a positive integer. */
export const parsePositive: (v: string) => number = intArg(1);

/** Parses a byte offset: an integer, or `A<<B` as VFIO region offsets are written. */
export function parseOffset(v: string): number {
  const m = v.trim().match(/^(\S+?)\s*<<\s*(\d+)$/);
  if (!m) return parseCount(v);
  const n = parseCount(m[1]) * 2 ** Number(m[2]);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError("offset too large");
  return n;
}

/** Parses a page size: 4096, 16384 or 65536 (also as 4k/16k/64k). */
export function parsePageSize(v: string): number {
  const m = v.trim().toLowerCase().match(/^(\d+)k$/);
  const n = m ? Number(m[1]) * 1024 : parseCount(v);
  if (![4096, 16384, 65536].includes(n)) {
    throw new InvalidArgumentError("must be 4096, 16384 or 65536 (or 4k, 16k, 64k)");
  }
  return n;
}

/** `--abi` with the known record ABIs. */
export const abiOption = () =>
  new Option("--abi <abi>", "record ABI generation (default: inferred, and said so)").choices(
    ABI_IDS,
  );

/** `decode --abi`: the record ABIs plus the iommufd vEVENTQ stream. */
export const decodeAbiOption = () =>
  new Option("--abi <abi>", "record ABI generation, or vevent (default: inferred, and said so)")
    .choices([...ABI_IDS, "vevent"] as const);

/** `--endian` (VFIO headers and records are host-endian). */
export const endianOption = () =>
  new Option("--endian <order>", "byte order of the image").choices(["little", "big"] as const)
    .default("little" as const);

/** Adds the options that locate and interpret a region image (inspect and validate share them). */
export function regionOptions<C extends Command<[string], Record<string, unknown>>>(cmd: C) {
  return cmd
    .addOption(
      new Option("--layout <layout>", "region layout (default: inferred from the header)")
        .choices(REGION_IDS),
    )
    .addOption(abiOption())
    .addOption(endianOption())
    .option("--offset <bytes>", "read the region at this byte offset (e.g. 9<<40)", parseOffset, 0)
    .option(
      "--region-size <bytes>",
      "region size (default: the file's size from --offset, else the layout's kernel size)",
      parsePositive,
    )
    .option("--page-size <bytes>", "host page size: 4k, 16k or 64k", parsePageSize)
    .option(
      "--cons <index>",
      "consumer index, for fault-prod regions (it lives in CONS)",
      parseCount,
    );
}
