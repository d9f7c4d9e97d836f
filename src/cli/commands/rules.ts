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
import type { Command } from "@commander-js/extra-typings";
import { RULES } from "../../rules/catalogue.ts";
import { Output } from "../io.ts";
import { paint } from "../render.ts";

/** Adds the `rules` command. */
export function registerRules(program: Command): void {
  program.command("rules")
    .description("print the validation rule catalogue: ID, severity, layouts, invariant, why")
    .option("--json", "one JSON array")
    .addHelpText("after", "\nExample:\n  faultscope rules --json")
    .action((opts) => {
      const out = new Output();
      if (opts.json) {
        out.line(JSON.stringify(RULES, null, 2));
      } else {
        for (const r of RULES) {
          const layouts = r.layouts === "all" ? "all layouts" : r.layouts.join(", ");
          out.line(`${paint("bold", r.id)}  ${r.severity}  ${r.scope}  (${layouts})`);
          out.line(`    invariant: ${r.invariant}`);
          out.line(`    why:       ${r.why}`);
          out.line();
        }
        out.line(`${RULES.length} rules`);
      }
      out.flush();
    });
}
