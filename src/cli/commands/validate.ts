/**
 * `faultscope validate FILE|- [--previous FILE]`: runs the rule catalogue on one region image, or
 * on two snapshots taken in order. Exit 0 when no error is found, 1 when one is (or a warning,
 * with `--strict`), 2 on a usage or input error.
 *
 * In a script: `faultscope validate after.bin --previous before.bin --json`.
 *
 * @example
 * ```ts
 * import { run } from "./validate.ts";
 * import { VALIDATE } from "../commands.ts";
 * import { denoIo } from "../io.ts";
 * import { parseCommand } from "../spec.ts";
 * const { options } = parseCommand(VALIDATE, ["testdata/rfc3-sample.bin"]);
 * let stdout = ""; // captured; `denoIo()` alone writes to the terminal
 * const write = (t: string) => void (stdout += t);
 * const io = { ...denoIo(), out: { write, line: (t = "") => write(t + "\n"), flush() {} } };
 * await run(options, io); // => 0
 * stdout.trimEnd().split("\n").at(-1); // => "consistent: 0 errors, 0 warnings, 1 info"
 * ```
 * @module
 */
import { type Finding, finding, tally } from "../../rules/finding.ts";
import { validateRegion, validateSnapshots } from "../../rules/validate.ts";
import { hex, plural } from "../../codec/numbers.ts";
import { findingJson, withHints } from "../hints.ts";
import type { VALIDATE } from "../commands.ts";
import { EXIT, type ExitCode, UsageError } from "../errors.ts";
import type { Io } from "../io.ts";
import { LayoutUnknown, loadRegion, type RegionInputOptions } from "../region_input.ts";
import { table } from "../render.ts";
import type { Parsed } from "../spec.ts";

type Tagged = Finding & { snapshot?: "previous" };

async function check(file: string, o: RegionInputOptions, io: Io) {
  try {
    const { region } = await loadRegion(file, o, io.stdin);
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

/** Validates one image, or two snapshots in order. */
export async function run(o: Parsed<typeof VALIDATE>, io: Io): Promise<ExitCode> {
  const opts = o;
  // stdin cannot be read twice: the second read would be called an empty input.
  if (o.file === "-" && o.previous === "-") {
    throw new UsageError("only one input can come from stdin ('-')");
  }
  const cur = await check(o.file, opts, io);
  const findings: Tagged[] = [...cur.findings];
  if (opts.previous) {
    const prev = await check(opts.previous, opts, io);
    findings.unshift(...prev.findings.map((f) => ({ ...f, snapshot: "previous" as const })));
    if (prev.region && cur.region) {
      findings.push(
        ...validateSnapshots(prev.region, cur.region, { maxProgress: opts.maxProgress }),
      );
    }
  } else if (opts.maxProgress !== undefined) {
    throw new UsageError("--max-progress bounds the progress since --previous: give --previous");
  }
  const { errors, warnings, infos } = tally(findings);
  const out = io.out;
  if (opts.json) {
    const layout = cur.region?.layout.id ?? null, abi = cur.region?.abi ?? null;
    const list = findings.map(findingJson);
    out.line(JSON.stringify({ layout, abi, findings: list, errors, warnings, infos }, null, 2));
  } else {
    const rows = findings.map((f) => [
      io.paint(SEVERITY_COLOUR[f.severity], f.severity),
      f.rule,
      [
        f.snapshot,
        f.slot !== undefined ? `slot ${f.slot}` : "",
        f.field ?? "",
        f.offset !== undefined ? `@${hex(f.offset)}` : "",
      ]
        .filter(Boolean).join(" "),
      withHints(f.message, f.hints),
    ]);
    if (rows.length) {
      const lines = table(["severity", "rule", "where", "message"], rows, new Set(), io.columns);
      for (const l of lines) out.line(l);
    }
    const verdict = errors || (opts.strict && warnings)
      ? io.paint("red", "INCONSISTENT")
      : io.paint("green", "consistent");
    out.line(
      `${rows.length ? "\n" : ""}${verdict}: ${plural(errors, "error")}, ` +
        `${plural(warnings, "warning")}, ${plural(infos, "info", "info")}`,
    );
  }
  return errors || (opts.strict && warnings) ? EXIT.FINDINGS : EXIT.OK;
}
