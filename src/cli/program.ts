/**
 * The faultscope command tree. Each command lives in its own module under `commands/` and
 * registers itself here; this module only assembles them and sets the shared conventions
 * (usage errors exit 2, output through the configured writers).
 *
 * @example
 * ```ts
 * import { buildProgram } from "./program.ts";
 * await buildProgram().parseAsync(["node", "faultscope", "layout", "rfc3"]);
 * ```
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { registerBench } from "./commands/bench.ts";
import { registerDecode } from "./commands/decode.ts";
import { registerDemo } from "./commands/demo.ts";
import { registerInspect } from "./commands/inspect.ts";
import { registerLayout } from "./commands/layout.ts";
import { registerRules } from "./commands/rules.ts";
import { registerValidate } from "./commands/validate.ts";
import { registerSimulate } from "./commands/simulate.ts";

/** faultscope's version, as `--version` prints it. */
export const VERSION = "0.1.0";

/** Builds a fresh command tree (tests build one per case). */
export function buildProgram(): Command {
  const program = new Command()
    .name("faultscope")
    .description(
      "Inspect, simulate, validate and benchmark VFIO nested-IOMMU fault regions and rings.",
    )
    .version(VERSION)
    .exitOverride()
    // One line per usage error, in faultscope's voice; subcommands inherit this at creation.
    .configureOutput({
      outputError: (str, write) => write(`faultscope: ${str.replace(/^error: /, "")}`),
    });
  registerDemo(program);
  registerDecode(program);
  registerInspect(program);
  registerValidate(program);
  registerRules(program);
  registerLayout(program);
  registerSimulate(program);
  registerBench(program);
  return program;
}
