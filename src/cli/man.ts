/**
 * The manual page, `faultscope(1)`, rendered in roff (man(7) macros) from the command table: the
 * same summaries, arguments, options, notes and examples `--help` prints, so the two cannot
 * drift apart. Pure: table in, roff text out.
 *
 * @example
 * ```ts
 * import { COMMANDS } from "./commands.ts";
 * import { manPage } from "./man.ts";
 * const roff = manPage(COMMANDS, { version: "0.1.0", about: "Inspect fault regions." });
 * roff.startsWith(".\\\""); // => true: a comment line, then .TH
 * ```
 * @module
 */
import { EXIT } from "./errors.ts";
import {
  argsUsage,
  type CommandSpec,
  exampleLine,
  flagName,
  optionHelp,
  type OptionSpec,
} from "./spec.ts";

/** What the page says about the program as a whole. */
export interface ManInfo {
  /** faultscope's version, in the page's footer. */
  readonly version: string;
  /** The paragraph under DESCRIPTION (the top-level help's). */
  readonly about: string;
}

/**
 * Text for roff: backslashes written as `\e`, every `-` as `\-` (an ASCII minus, so option
 * names and examples can be copied from the rendered page), and a line that would start with
 * `.` or `'` (a request) guarded by `\&`.
 */
export function roffText(s: string): string {
  return s.replaceAll("\\", "\\e").replaceAll("-", "\\-").split("\n")
    .map((l) => /^[.']/.test(l) ? `\\&${l}` : l).join("\n");
}

const bold = (s: string) => `\\fB${roffText(s)}\\fR`;
const italic = (s: string) => `\\fI${roffText(s)}\\fR`;

function optionTerm(key: string, o: OptionSpec): string {
  const long = bold(`--${o.negate ? "no-" : ""}${flagName(key)}`);
  const value = o.value ? ` ${italic(o.value)}` : "";
  return `${o.short ? `${bold(`-${o.short}`)}, ` : ""}${long}${value}`;
}

/** The exit statuses every command shares (errors.ts gives the numbers). */
const EXIT_STATUS: readonly [number, string][] = [
  [EXIT.OK, "success; for validate, no error found. Also when stdout's reader goes away."],
  [
    EXIT.FINDINGS,
    "a check failed: validate found an error (or a warning with --strict), decode --check " +
    "found a record error, bench saw a lost, duplicated, reordered or torn record.",
  ],
  [
    EXIT.USAGE,
    "usage or input/output error: unknown command or option, bad option value, missing or " +
    "unreadable file, truncated region, bad hex, full stdout.",
  ],
  [EXIT.INTERNAL, "internal error (a bug: one line on stderr; please report it)."],
  [EXIT.INTERRUPTED, "interrupted by Ctrl-C (SIGINT) after printing partial results."],
  [EXIT.TERMINATED, "ended by SIGTERM after printing partial results."],
];

function commandSection(spec: CommandSpec): string[] {
  const usage = `faultscope ${spec.name} [options]${
    spec.args.length ? ` ${argsUsage(spec.args)}` : ""
  }`;
  const out = [`.SS ${bold(usage)}`, roffText(spec.summary)];
  if (spec.args.length) {
    out.push(".PP", "Arguments:");
    for (const a of spec.args) out.push(".TP", italic(a.name), roffText(a.help));
  }
  const options = Object.entries(spec.options).filter(([, o]) => !o.hidden);
  out.push(".PP", "Options:");
  for (const [key, o] of options) out.push(".TP", optionTerm(key, o), roffText(optionHelp(o)));
  out.push(".TP", `${bold("-h")}, ${bold("--help")}`, "show this help");
  for (const n of spec.notes ?? []) out.push(".PP", roffText(n));
  if (spec.examples.length) {
    out.push(".PP", "Examples:", ".PP", ".RS 4", ".EX");
    for (const e of spec.examples) out.push(roffText(exampleLine(e)));
    out.push(".EE", ".RE");
  }
  return out;
}

/** The manual page of faultscope, in roff. */
export function manPage(commands: readonly CommandSpec[], info: ManInfo): string {
  const lines = [
    `.\\" faultscope(1), generated from faultscope's command table by 'faultscope man'.`,
    `.TH FAULTSCOPE 1 "" "faultscope ${roffText(info.version)}" "User Commands"`,
    ".SH NAME",
    "faultscope \\- inspect, simulate, validate and benchmark VFIO nested\\-IOMMU fault regions",
    ".SH SYNOPSIS",
    `${bold("faultscope")} ${italic("command")} [${italic("options")}] [${italic("arguments")}]`,
    ".br",
    `${bold("faultscope help")} ${italic("command")}`,
    ".br",
    `${bold("faultscope")} ${bold("--help")} | ${bold("--version")}`,
    ".SH DESCRIPTION",
    roffText(info.about),
    ".PP",
    roffText(
      "Every command prints its options and examples with --help. Output is a human table by " +
        "default and JSON with --json (one object per line with --ndjson, for decode); u64 " +
        "values are 0x hex strings in JSON. Colour is used only on a terminal, never with " +
        "NO_COLOR. Errors are one line on stderr, 'faultscope: what and where'.",
    ),
    ".SH COMMANDS",
    ...commands.flatMap(commandSection),
    '.SH "EXIT STATUS"',
    ...EXIT_STATUS.flatMap(([code, text]) => [".TP", bold(String(code)), roffText(text)]),
    ".SH ENVIRONMENT",
    ".TP",
    bold("NO_COLOR"),
    roffText("when set and not empty, output is never coloured, even on a terminal."),
    '.SH "SEE ALSO"',
    `${bold("xxd")}(1), ${bold("jq")}(1)`,
  ];
  return lines.join("\n") + "\n";
}
