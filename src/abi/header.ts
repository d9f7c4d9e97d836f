/**
 * Constructor for region header field descriptions (every header field is a `__u32`).
 *
 * @example
 * ```ts
 * import { headerWord } from "./header.ts";
 * headerWord("prod", 4, "producer", "kernel", "producer index").role; // => "producer"
 * ```
 * @module
 */
import type { HeaderField, HeaderRole, Writer } from "./types.ts";

/** One `__u32` of a region header. */
export function headerWord(
  name: string,
  offset: number,
  role: HeaderRole,
  writer: Writer,
  meaning: string,
): HeaderField {
  return { name, offset, role, writer, meaning };
}
