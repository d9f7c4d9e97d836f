/**
 * A finding: one rule that fired, where, and why. Severity always comes from the catalogue.
 *
 * @example
 * ```ts
 * import { finding } from "./finding.ts";
 * finding("IDX-PROD-RANGE", "prod = 9 is not below size = 4", { field: "prod", offset: 4 });
 * ```
 * @module
 */
import type { Hint } from "../region/hint.ts";
import { rule, type RuleId, type Severity } from "./catalogue.ts";

/** One rule violation (or, for info rules, one observation). */
export interface Finding {
  /** The rule that fired. */
  rule: RuleId;
  /** Its severity, from the catalogue. */
  severity: Severity;
  /** What was found, in one line (no flags: see `hints`). */
  message: string;
  /** Kernel field name (dotted inside a union, e.g. `event.flags`). */
  field?: string;
  /** Byte offset in the input (region or capture). */
  offset?: number;
  /** Ring slot, for records in a region. */
  slot?: number;
  /** Record index, for records in a capture. */
  index?: number;
  /** What the user could supply to get further (the CLI names the flag). */
  hints?: readonly Hint[];
}

/** Builds a finding for `id` with the catalogue's severity. */
export function finding(
  id: RuleId,
  message: string,
  where: Omit<Finding, "rule" | "severity" | "message"> = {},
): Finding {
  return { rule: id, severity: rule(id).severity, message, ...where };
}

/** Counts findings by severity. */
export function tally(
  findings: readonly Finding[],
): { errors: number; warnings: number; infos: number } {
  let errors = 0, warnings = 0, infos = 0;
  for (const f of findings) {
    if (f.severity === "error") errors++;
    else if (f.severity === "warning") warnings++;
    else infos++;
  }
  return { errors, warnings, infos };
}
