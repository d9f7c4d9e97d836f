/**
 * `faultscope rules`: the rule catalogue, printed from the same data the validator runs.
 *
 * @example
 * ```sh
 * faultscope rules
 * faultscope rules --json | jq '.[] | select(.severity == "error") | .id'
 * ```
 * @module
 */
import { RULES } from "../../rules/catalogue.ts";
import type { RULES_COMMAND } from "../commands.ts";
import { EXIT, type ExitCode } from "../errors.ts";
import type { Io } from "../io.ts";
import type { Parsed } from "../spec.ts";

/** Prints the catalogue. */
export function run(o: Parsed<typeof RULES_COMMAND>, io: Io): Promise<ExitCode> {
  const out = io.out;
  if (o.json) {
    out.line(JSON.stringify(RULES, null, 2));
  } else {
    for (const r of RULES) {
      const layouts = r.layouts === "all" ? "all layouts" : r.layouts.join(", ");
      out.line(`${io.paint("bold", r.id)}  ${r.severity}  ${r.scope}  (${layouts})`);
      out.line(`    invariant: ${r.invariant}`);
      out.line(`    why:       ${r.why}`);
      out.line();
    }
    out.line(`${RULES.length} rules`);
  }
  return Promise.resolve(EXIT.OK);
}
