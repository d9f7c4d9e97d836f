/**
 * The CLI's words for what the core says the user could supply: a core {@link Hint} becomes the
 * flag to pass, and findings become their JSON shape (the core's `hints` folded into the message,
 * as a user reads it).
 *
 * @example
 * ```ts
 * import { withHints } from "./hints.ts";
 * withHints("consumer index is not in this region", [{ kind: "consumer-index" }]);
 * // => "consumer index is not in this region; pass --cons N"
 * ```
 * @module
 */
import type { Hint } from "../region/hint.ts";
import type { Finding } from "../rules/finding.ts";
import type { JsonObject } from "../codec/json.ts";

/** The flag that acts on a hint. */
export function hintText(h: Hint): string {
  switch (h.kind) {
    case "endian":
      return `try --endian ${h.order}`;
    case "layout":
      return `pass --layout ${h.choices.join("|")}`;
    case "consumer-index":
      return "pass --cons N";
    case "region-size":
      return "pass --region-size";
    case "abi":
      return `pass --abi ${h.choices.join("|")}`;
    case "hex-groups":
      return `pass --hex-groups ${h.choices.join("|")}`;
    case "one-read":
      return "pass --one-read";
    case "veventq-depth":
      return "pass --veventq-depth N";
    case "max-progress":
      return "pass --max-progress N";
    case "shadow":
      return "pass --shadow N";
  }
}

/** A message followed by the flag of each hint, `; `-separated. */
export function withHints(message: string, hints: readonly Hint[] = []): string {
  return [message, ...hints.map(hintText)].join("; ");
}

/**
 * A finding as `validate --json` and `decode --check --json` print it:
 * `{rule, severity, message, field?, offset?, slot?, index?, ...}` with the hints in the message.
 */
export function findingJson(f: Finding & { snapshot?: string }): JsonObject {
  const { hints, ...rest } = f;
  return { ...rest, message: withHints(f.message, hints) } as JsonObject;
}
