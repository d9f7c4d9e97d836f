/**
 * `faultscope validate FILE|- [--previous FILE]`: runs the rule catalogue on one region image, or
 * on two snapshots taken in order. Exit 0 when no error is found, 1 when one is (or a warning,
 * with `--strict`), 2 on a usage or input error.
 *
 * @example
 * ```sh
 * faultscope validate testdata/rfc3-sample.bin && echo consistent
 * faultscope validate after.bin --previous before.bin --json
 * ```
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { type Finding, finding, tally } from "../../rules/finding.ts";
import { validateRegion, validateSnapshots } from "../../rules/validate.ts";
import { hex } from "../../codec/names.ts";
import { EXIT } from "../errors.ts";
import { Output } from "../io.ts";
import { regionOptions } from "../options.ts";
import { LayoutUnknown, loadRegion, type RegionInputOptions } from "../region_input.ts";
import { paint, table } from "../render.ts";

type Tagged = Finding & { snapshot?: "previous" };

async function check(file: string, o: RegionInputOptions) {
  try {
    const { region } = await loadRegion(file, o);
    return { region, findings: validateRegion(region) as Tagged[] };
  } catch (e) {
    if (!(e instanceof LayoutUnknown)) throw e;
    return {
      region: undefined,
      findings: [finding("LAYOUT-DETECT", e.message, { offset: o.offset ?? 0 })] as Tagged[],
    };
  }
}

const SEVERITY_COLOUR = { error: "red", warning: "yellow", info: "dim" } as const;

/** Adds the `validate` command. */
export function registerValidate(program: Command): void {
  regionOptions(
    program.command("validate")
      .description("check a region image (or two snapshots) against the rule catalogue")
      .argument("<file>", "region image, device node, or - for stdin"),
  )
    .option("--previous <file>", "an earlier snapshot of the same region, for the SNAP-* rules")
    .option("--strict", "exit 1 on warnings too")
    .option("--json", "{findings, errors, warnings, infos} (schema in the README)")
    .addHelpText(
      "after",
      "\nExit status: 0 no error found, 1 error found (or warning with --strict), 2 usage or input error.\n\nExamples:\n  faultscope validate testdata/rfc3-sample.bin\n  faultscope validate now.bin --previous before.bin --strict --json",
    )
    .action(async (file, options) => {
      const opts = options as RegionInputOptions & {
        previous?: string;
        strict?: true;
        json?: true;
      };
      const cur = await check(file, opts);
      const findings: Tagged[] = [...cur.findings];
      if (opts.previous) {
        const prev = await check(opts.previous, opts);
        findings.unshift(...prev.findings.map((f) => ({ ...f, snapshot: "previous" as const })));
        if (prev.region && cur.region) findings.push(...validateSnapshots(prev.region, cur.region));
      }
      const { errors, warnings, infos } = tally(findings);
      const out = new Output();
      if (opts.json) {
        const layout = cur.region?.layout.id ?? null, abi = cur.region?.abi ?? null;
        out.line(JSON.stringify({ layout, abi, findings, errors, warnings, infos }, null, 2));
      } else {
        const rows = findings.map((f) => [
          paint(SEVERITY_COLOUR[f.severity], f.severity),
          f.rule,
          [
            f.snapshot,
            f.slot !== undefined ? `slot ${f.slot}` : "",
            f.field ?? "",
            f.offset !== undefined ? `@${hex(f.offset)}` : "",
          ]
            .filter(Boolean).join(" "),
          f.message,
        ]);
        if (rows.length) {
          for (const l of table(["severity", "rule", "where", "message"], rows)) out.line(l);
        }
        const verdict = errors || (opts.strict && warnings)
          ? paint("red", "INCONSISTENT")
          : paint("green", "consistent");
        out.line(
          `${
            rows.length ? "\n" : ""
          }${verdict}: ${errors} error(s), ${warnings} warning(s), ${infos} info`,
        );
      }
      out.flush();
      if (errors || (opts.strict && warnings)) Deno.exitCode = EXIT.FINDINGS;
    });
}
