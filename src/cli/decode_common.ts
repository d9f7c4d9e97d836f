/**
 * What `decode`'s record views and its vEVENTQ view share: how the input was read (in words and
 * in JSON), the filters of the command line as the core takes them, the widths of the position
 * columns, and the error of a file that shrank while it was read. What needs the facets (the
 * filters' predicate, the summary's lines) is in `facets_view.ts`, loaded when asked for.
 *
 * @example
 * ```ts
 * import { positionWidths } from "./decode_common.ts";
 * positionWidths(64000000, 64); // => [6, 9]: index up to 999999, offset up to 0x3d08fff
 * ```
 * @module
 */
import type { RecordFilterSpec } from "../codec/facets.ts";
import type { HexReading } from "../codec/hex.ts";
import type { JsonObject } from "../codec/json.ts";
import { hex, plural } from "../codec/numbers.ts";
import type { CaptureInput } from "./capture_input.ts";
import type { DECODE } from "./commands.ts";
import { InputError } from "./errors.ts";
import type { Parsed } from "./spec.ts";

/** How a word-grouped dump was read, in one line; undefined for bytes. */
export function hexText(r: HexReading | undefined): string | undefined {
  if (!r || r.groups !== "words") return undefined;
  return `hex read as ${8 * r.wordBytes!}-bit ${r.order}-endian words (${r.format})` +
    (r.assumed
      ? `; ${r.order}-endian is the default for a host-order dump: --hex-groups ` +
        `${r.order === "little" ? "big" : "little"} if it came from a ` +
        `${r.order === "little" ? "big" : "little"}-endian host, --hex-groups bytes if its ` +
        `groups are bytes`
      : "");
}

/**
 * How the input was read, when it is worth saying: a hex dump from a file or stdin (and its
 * text encoding), word groups, or raw records chosen without the evidence of a NUL byte.
 * `loud`: only what a script should see on stderr (words, and a doubtful choice of records).
 */
export function inputNote(src: CaptureInput, loud = false): string | undefined {
  const r = src.hex();
  const k = src.kind;
  if (!r) {
    return k && !k.why.startsWith("a NUL byte") ? `read as raw records (${k.why})` : undefined;
  }
  const words = hexText(r);
  const text = k && k.why !== "ASCII text" ? `${k.why}; ` : "";
  if (words) return text + words;
  if (loud || !k) return undefined;
  // The format names the dump ("xxd", "xxd, 4-byte groups"), or is "bytes" / the flag's own
  // words: said once, not "groups read as bytes, groups read as bytes".
  const how = r.format === "bytes" || r.format.startsWith("groups read as")
    ? "groups read as bytes"
    : `groups read as bytes, ${r.format}`;
  return `hex dump (${text}${how})`;
}

/** The JSON form of how a hex dump was read (null for raw input). */
export function hexJson(src: CaptureInput): JsonObject | null {
  const r = src.hex();
  if (!r) return null;
  return {
    format: r.format,
    groups: r.groups,
    ...(r.groups === "words" ? { word_bytes: r.wordBytes!, order: r.order! } : {}),
    assumed: r.assumed,
    ...(src.kind ? { text: src.kind.why } : {}),
  };
}

/** The filter options `decode` and `inspect` share (commands.ts, FILTER_OPTIONS). */
export type FilterOptions = Pick<
  Partial<Parsed<typeof DECODE>>,
  "type" | "reason" | "pasid" | "device" | "addr"
>;

/** The filters of the command line, as the core takes them. */
export function filterSpec(o: FilterOptions): RecordFilterSpec {
  return { type: o.type, reason: o.reason, pasid: o.pasid, device: o.device, address: o.addr };
}

/** Whether any filter is given (then the facets are loaded: `facets_view.ts`). */
export function filtered(spec: RecordFilterSpec): boolean {
  return Object.values(spec).some((v) => v !== undefined);
}

/** Digits of the largest index and offset of a capture of `length` bytes (a wide guess when unknown). */
export function positionWidths(length: number | undefined, size: number): [number, number] {
  const records = length === undefined ? 1e9 : Math.max(1, Math.ceil(length / size));
  const bytes = length === undefined ? 2 ** 40 : Math.max(1, length);
  return [String(records - 1).length, hex(bytes - 1).length];
}

/**
 * The one-line error (exit 2) of a file that got shorter while it was read (after the records
 * read were shown); undefined when it did not. `decoded` says how far decoding got.
 */
export function shrankError(src: CaptureInput, decoded: string): InputError | undefined {
  const s = src.shrank();
  if (!s) return undefined;
  return new InputError(
    `${src.name}: the file shrank while it was read: it ended at byte ${s.read} of the ` +
      `${s.size} it had when decode started (${decoded})`,
  );
}

/** The line of a decode a signal ended: how far it got, and what of it is printed above. */
export function interruptedText(
  read: number,
  shown: number,
  filtered: boolean,
  summary = false,
): string {
  if (summary) return `interrupted after ${plural(read, "record")}; the summary so far is above`;
  return `interrupted after ${plural(read, "record")}` + (filtered ? ` read, ${shown} shown` : "") +
    "; the records so far are above";
}
