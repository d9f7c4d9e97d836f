/**
 * `faultscope rules`: the rule catalogue, printed from the same data the validator runs; one rule
 * by ID, or the rules of one severity.
 *
 * In JSON, `layouts` is always an array of region layout IDs: a rule the catalogue marks as
 * applying to every layout lists them all, so a script never has to test for a string.
 *
 * In a shell: `faultscope rules --severity error --json | jq -r '.[].id'`.
 *
 * @example
 * ```ts
 * import { run } from "./rules.ts";
 * import { RULES_COMMAND } from "../commands.ts";
 * import { denoIo } from "../io.ts";
 * import { parseCommand } from "../spec.ts";
 * const { options } = parseCommand(RULES_COMMAND, ["IDX-FULL", "--json"]);
 * let stdout = ""; // captured; `denoIo()` alone writes to the terminal
 * const write = (t: string) => void (stdout += t);
 * const io = { ...denoIo(), out: { write, line: (t = "") => write(t + "\n"), flush() {} } };
 * await run(options, io); // => 0
 * JSON.parse(stdout);
 * // => [{ id: "IDX-FULL", severity: "warning", invariant: "pending < capacity - 1", ... }]
 * ```
 * @module
 */
import { REGION_IDS } from "../../abi/regions.ts";
import type { RegionLayoutId } from "../../abi/types.ts";
import { plural } from "../../codec/numbers.ts";
import { checkable, type Rule, RULES, type Scope, type Severity } from "../../rules/catalogue.ts";
import { hintText, withHints } from "../hints.ts";
import type { RULES_COMMAND } from "../commands.ts";
import { EXIT, type ExitCode, UsageError } from "../errors.ts";
import type { Io } from "../io.ts";
import { wrap } from "../render.ts";
import { type Parsed, suggest } from "../spec.ts";

/** A rule as `rules --json` prints it (schema in the README). */
export interface RuleJson {
  /** The rule's ID, e.g. `IDX-FULL`. */
  readonly id: string;
  /** error, warning or info. */
  readonly severity: Severity;
  /** What it looks at: region, record or snapshot. */
  readonly scope: Scope;
  /** Region layout IDs; every layout for a rule that applies to all. */
  readonly layouts: RegionLayoutId[];
  /** What must hold. */
  readonly invariant: string;
  /** Why it matters. */
  readonly why: string;
  /** `always`, `with-input` (only when `needs` is given), or `no` (faultscope cannot take it). */
  readonly checkable: "always" | "with-input" | "no";
  /** The input it needs beyond the image or capture, and how to give it; null when none. */
  readonly needs: string | null;
}

/** A rule in its JSON form. */
export function ruleJson(r: Rule): RuleJson {
  return {
    id: r.id,
    severity: r.severity,
    scope: r.scope,
    layouts: r.layouts === "all" ? [...REGION_IDS] : [...r.layouts],
    invariant: r.invariant,
    why: whyText(r),
    checkable: !r.needs ? "always" : checkable(r) ? "with-input" : "no",
    needs: r.needs ? needsText(r) : null,
  };
}

/** What a rule needs, and how to give it (or that faultscope cannot take it). */
function needsText(r: Rule): string {
  const n = r.needs!;
  if (n.hints.length) return `${n.input} (${n.hints.map(hintText).join("; ")})`;
  if (n.automatic) return `${n.input} (faultscope reads it itself when it can)`;
  return `${n.input}, which faultscope cannot take`;
}

/** A rule's "why" as users read it: its hint, if any, is the flag at the end. */
function whyText(r: Rule): string {
  return withHints(r.why, r.hint ? [r.hint] : []);
}

function find(id: string): Rule {
  const wanted = id.toUpperCase();
  const rule = RULES.find((r) => r.id === wanted);
  if (rule) return rule;
  const near = suggest(wanted, RULES.map((r) => r.id));
  throw new UsageError(
    `unknown rule '${id}'` + (near ? ` (did you mean ${near}?)` : "; see 'faultscope rules'"),
  );
}

/** Prints the catalogue, one rule of it, or the rules of one severity. */
export function run(o: Parsed<typeof RULES_COMMAND>, io: Io): Promise<ExitCode> {
  const out = io.out;
  let rules: readonly Rule[] = o.id === undefined ? RULES : [find(o.id)];
  if (o.severity) rules = rules.filter((r) => r.severity === o.severity);
  if (o.json) {
    out.line(JSON.stringify(rules.map(ruleJson), null, 2));
    return Promise.resolve(EXIT.OK);
  }
  // On a terminal the texts wrap under themselves; piped, each stays on one line for grep.
  const say = (text: string) => {
    for (const l of wrap(text, io.columns, " ".repeat(15))) out.line(l);
  };
  for (const r of rules) {
    const layouts = r.layouts === "all" ? "all layouts" : r.layouts.join(", ");
    say(`${io.paint("bold", r.id)}  ${r.severity}  ${r.scope}  (${layouts})`);
    say(`    invariant: ${r.invariant}`);
    say(`    why:       ${whyText(r)}`);
    if (r.needs) {
      say(`    ${checkable(r) ? "checked:   only with" : "NOT CHECKABLE: needs"} ${needsText(r)}`);
    }
    out.line();
  }
  if (o.id === undefined || !rules.length) {
    out.line(plural(rules.length, "rule"));
  }
  return Promise.resolve(EXIT.OK);
}
