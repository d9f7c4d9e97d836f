/**
 * Commands described as data, and everything faultscope's start-up needs of that data: the
 * shapes of the command table ({@link CommandSpec}), the help rendered from it, and the typed
 * options built from argv once it is split into option values and positional arguments.
 *
 * Splitting argv is node:util's `parseArgs`; loading node:util costs about 5 ms, a third of
 * faultscope's own start-up, so {@link parseArgv} loads it only for an argv that holds an option:
 * `faultscope inspect FILE` does not pay for it. `spec.ts` is the same with node:util imported
 * statically (`parseCommand`, synchronous). Nothing else here imports more than the error classes.
 *
 * @example
 * ```ts
 * import { defineCommand, parseArgv } from "./spec_core.ts";
 * const spec = defineCommand({
 *   name: "hello",
 *   summary: "say hello",
 *   args: [{ name: "who", help: "whom to greet", required: true }],
 *   options: { loud: { help: "shout", short: "l" } },
 *   examples: ["faultscope hello world --loud"],
 *   load: () => Promise.resolve({ run: () => Promise.resolve(0) }),
 * });
 * await parseArgv(spec, ["world"]); // no option given: node:util is not loaded
 * // => { help: false, options: { who: "world", loud: false } }
 * ```
 * @module
 */
import { UsageError } from "./errors.ts";
import type { Io } from "./io.ts";

/** Thrown by an option's value parser: the message says what a valid value is. */
export class ArgError extends Error {
  /** What a valid value is. */
  constructor(message: string) {
    super(message);
    this.name = "ArgError";
  }
}

/** What shell completion offers for a value or an argument. */
export type Completion = "file" | "dir" | "none" | readonly string[];

/** One `--option`. It takes a value when `value` (the placeholder shown in help) is set. */
export interface OptionSpec {
  /** One line of help. */
  readonly help: string;
  /** Placeholder of the value, e.g. `n` in `--limit <n>`; absent for a boolean flag. */
  readonly value?: string;
  /** One-letter alias, e.g. `j` for `--json`. */
  readonly short?: string;
  /** The only accepted values (checked before `parse`). */
  readonly choices?: readonly string[];
  /** Turns the text into the value; throws {@link ArgError} saying what is valid. */
  readonly parse?: (text: string) => unknown;
  /** The value when the option is not given. */
  readonly default?: unknown;
  /** A boolean that defaults to true and is turned off with `--no-<name>`. */
  readonly negate?: true;
  /** May be given several times; the values are collected in order. */
  readonly multiple?: true;
  /** Options (by key) that cannot be combined with this one. */
  readonly conflicts?: readonly string[];
  /** Left out of help and completion (self-tests). */
  readonly hidden?: true;
  /** What completion offers for the value (default: the choices, or nothing). */
  readonly complete?: Completion;
}

/**
 * An example command line, as `--help`, the manual and the README show it. A string runs as
 * shown in the examples test; the object form says why the test cannot run it here (`skip`: a
 * device path, a shell's own syntax) or only runs it on request (`slow`: minutes of work).
 */
export type Example =
  | string
  | { readonly line: string; readonly skip: string }
  | { readonly line: string; readonly slow: string };

/** The command line of an example. */
export function exampleLine(e: Example): string {
  return typeof e === "string" ? e : e.line;
}

/** One positional argument. */
export interface ArgSpec {
  /** Its name in usage lines and in the parsed options. */
  readonly name: string;
  /** One line of help. */
  readonly help: string;
  /** Missing is a usage error. */
  readonly required?: true;
  /** Takes every remaining positional argument. */
  readonly variadic?: true;
  /** What completion offers for it. */
  readonly complete?: Completion;
}

/** What a command module exports: its one entry point. */
export interface CommandModule {
  /** Runs the command with its parsed options; resolves to the exit status. */
  // deno-lint-ignore no-explicit-any
  run(options: any, io: Io): Promise<number>;
}

/** One command of the table. */
export interface CommandSpec {
  /** The command's name: `faultscope <name>`. */
  readonly name: string;
  /** One line, shown in `faultscope --help` and as the first line of the command's help. */
  readonly summary: string;
  /** Positional arguments, in order. */
  readonly args: readonly ArgSpec[];
  /** Options by key; the flag is the key in kebab case (`regionSize` is `--region-size`). */
  readonly options: { readonly [key: string]: OptionSpec };
  /** Command lines shown under "Examples:"; each runs as shown (test/examples_test.ts). */
  readonly examples: readonly Example[];
  /** Paragraphs shown before the examples (exit status, inputs that can block, ...). */
  readonly notes?: readonly string[];
  /** Imports the module that runs the command. */
  readonly load: () => Promise<CommandModule>;
}

/** Identity with inference: keeps the literal types of `spec` for {@link Parsed}. */
export function defineCommand<const C extends CommandSpec>(spec: C): C {
  return spec;
}

/** The value of one option: what its parser returns, one of its choices, a string or a flag. */
export type OptionValue<O> = O extends { parse: (text: string) => infer R } ? R
  : O extends { choices: readonly (infer C)[] } ? C
  : O extends { value: string } ? string
  : boolean;
/** An option's value, or the list of them for a repeatable option. */
export type OptionType<O> = O extends { multiple: true } ? OptionValue<O>[] : OptionValue<O>;
/** Whether an option always has a value (a default, a negatable flag, a list, a boolean). */
export type Always<O> = O extends { default: unknown } | { negate: true } | { multiple: true }
  ? true
  : O extends { value: string } ? false
  : true;
/** The options of a spec, typed: those with a value always present, the others optional. */
export type OptionValues<Os> =
  & { -readonly [K in keyof Os as Always<Os[K]> extends true ? K : never]: OptionType<Os[K]> }
  & { -readonly [K in keyof Os as Always<Os[K]> extends true ? never : K]?: OptionType<Os[K]> };
/** The positional arguments of a spec, by name. */
export type ArgValues<As extends readonly ArgSpec[]> = {
  -readonly [A in As[number] as A["name"]]: A extends { variadic: true } ? string[]
    : A extends { required: true } ? string
    : string | undefined;
};

/** The typed options object a command's `run` receives: options and arguments by name. */
export type Parsed<C extends CommandSpec> = OptionValues<C["options"]> & ArgValues<C["args"]>;

/** `regionSize` -> `region-size`. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** How an option is written in help and messages: `--limit <n>`, `-j, --json`, `--no-idle`. */
export function optionLabel(key: string, o: OptionSpec, withShort = false): string {
  const long = o.negate ? `--no-${flagName(key)}` : `--${flagName(key)}`;
  const value = o.value ? ` <${o.value}>` : "";
  return `${withShort && o.short ? `-${o.short}, ` : ""}${long}${value}`;
}

/** Levenshtein distance, for "did you mean" on a mistyped option or command. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

/** The closest of `known` to `word`, when it is close enough to be a typo. */
export function suggest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined, bestD = Infinity;
  for (const k of known) {
    const dist = distance(word, k);
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/** The result of parsing one command's argv. */
export interface ParseResult<C extends CommandSpec> {
  /** `-h`/`--help` was given: print help instead of running. */
  help: boolean;
  /** The options and arguments, typed from the spec. */
  options: Parsed<C>;
}

/** The option key of each flag parseArgs reports (`region-size` -> `regionSize`, `no-idle`). */
export function flagKeys(spec: CommandSpec): Map<string, string> {
  const byFlag = new Map<string, string>();
  for (const [key, o] of Object.entries(spec.options)) {
    byFlag.set(o.negate ? `no-${flagName(key)}` : flagName(key), key);
  }
  return byFlag;
}

/**
 * The typed options of `spec` from argv split into option values (by flag, as parseArgs returns
 * them) and positional arguments: choices, value parsers, conflicts, defaults and arguments
 * applied. Every problem is a one-line {@link UsageError} naming the option or argument.
 */
export function parseTokens<C extends CommandSpec>(
  spec: C,
  values: Readonly<Record<string, unknown>>,
  positionals: readonly string[],
): ParseResult<C> {
  const opts: Record<string, unknown> = {};
  const given = Object.entries(values);
  const byFlag = given.length ? flagKeys(spec) : undefined;
  for (const [flag, raw] of given) {
    if (flag === "help") continue;
    const key = byFlag!.get(flag)!;
    const o = spec.options[key];
    if (o.negate) {
      opts[key] = !raw;
      continue;
    }
    if (Array.isArray(raw) && !o.multiple) {
      // parseArgs collects every value (see parseWith). The last one wins, as in the POSIX
      // tools (an alias or a script may append a flag the user then gives again), but each is
      // read, so a bad earlier value is refused rather than dropped unseen.
      opts[key] = raw.map((r) => convert(key, o, r)).at(-1);
      continue;
    }
    opts[key] = Array.isArray(raw) ? raw.map((r) => convert(key, o, r)) : convert(key, o, raw);
  }
  for (const [key, o] of Object.entries(spec.options)) {
    for (const other of o.conflicts ?? []) {
      if (opts[key] !== undefined && opts[other] !== undefined) {
        throw new UsageError(
          `option '${optionLabel(key, o)}' cannot be used with option ` +
            `'${optionLabel(other, spec.options[other])}'`,
        );
      }
    }
  }
  for (const [key, o] of Object.entries(spec.options)) {
    if (opts[key] !== undefined) continue;
    if (o.negate) opts[key] = true;
    else if (o.multiple) opts[key] = [];
    else if (o.default !== undefined) opts[key] = o.default;
    else if (!o.value) opts[key] = false;
  }
  // An empty argument (`inspect ""`, an unset shell variable) is a mistake, named here: as a
  // path it would only read as "no such file", naming nothing.
  const empty = spec.args.length ? positionals.indexOf("") : -1;
  if (empty >= 0) {
    const a = spec.args[Math.min(empty, spec.args.length - 1)];
    throw new UsageError(
      `argument '${a.name}' for '${spec.name}' is invalid: must not be empty`,
    );
  }
  const rest = [...positionals];
  for (const a of spec.args) {
    if (a.variadic) {
      if (a.required && !rest.length) throw missingArgument(spec, a);
      opts[a.name] = rest.splice(0);
    } else if (rest.length) opts[a.name] = rest.shift();
    else if (a.required && !values.help) throw missingArgument(spec, a);
  }
  if (rest.length && !values.help) {
    const max = spec.args.length;
    throw new UsageError(
      `too many arguments for '${spec.name}': expected ${max === 0 ? "none" : `at most ${max}`}` +
        `, got '${rest[0]}'`,
    );
  }
  return { help: values.help === true, options: opts as Parsed<C> };
}

function missingArgument(spec: CommandSpec, a: ArgSpec): UsageError {
  return new UsageError(`missing required argument '${a.name}' for '${spec.name}'`);
}

function convert(key: string, o: OptionSpec, raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  const label = optionLabel(key, o);
  // `--out ""` is no output path, not "no --out": refused before a parser can read it as nothing.
  if (raw === "") {
    throw new UsageError(`option '${label}' argument '' is invalid: must not be empty`);
  }
  if (o.choices && !o.choices.includes(raw)) {
    throw new UsageError(
      `option '${label}' argument '${raw}' is invalid: expected one of ${o.choices.join(", ")}`,
    );
  }
  if (!o.parse) return raw;
  try {
    return o.parse(raw);
  } catch (e) {
    if (e instanceof ArgError) {
      throw new UsageError(`option '${label}' argument '${raw}' is invalid: ${e.message}`);
    }
    throw e;
  }
}

/** node:util's `parseArgs`, as {@link parseWith} calls it. */
export type ParseArgs = typeof import("node:util").parseArgs;

/**
 * Parses `argv` against `spec`, splitting it with `parseArgs` (node:util's: `spec.ts` passes it
 * from its static import, {@link parseArgv} from a dynamic one, loaded only when needed).
 */
export function parseWith<C extends CommandSpec>(
  spec: C,
  argv: string[],
  parseArgs: ParseArgs,
): ParseResult<C> {
  type PaOptions = Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  >;
  const pa: PaOptions = { help: { type: "boolean", short: "h" } };
  for (const [flag, key] of flagKeys(spec)) {
    const o = spec.options[key];
    pa[flag] = { type: o.value ? "string" : "boolean" };
    if (o.short) pa[flag].short = o.short;
    // Every value is kept, so parseTokens reads each one of a single-valued option.
    if (o.multiple || o.value) pa[flag].multiple = true;
  }
  let values: Record<string, unknown>, positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: joinNegativeValues(spec, argv),
      options: pa,
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    throw parseArgsError(spec, e, argv);
  }
  return parseTokens(spec, values, positionals);
}

/** A value that starts with `-` and reads as a number: `-1`, `-0x10`, `-1e3`, `-.5`. */
const NEGATIVE_NUMBER = /^-\.?\d/;

/** The option key of a flag as written in argv (`--seed`, `-n`), if the spec has one. */
function keyOfFlag(spec: CommandSpec, flag: string): string | undefined {
  if (flag.startsWith("--")) return flagKeys(spec).get(flag.slice(2));
  if (/^-[^-]$/.test(flag)) {
    return Object.keys(spec.options).find((k) => spec.options[k].short === flag[1]);
  }
  return undefined;
}

/**
 * `argv` with each number that starts with `-` joined to the option before it that takes a
 * value (`--seed -1` becomes `--seed=-1`): parseArgs refuses such a value as "ambiguous", and
 * the option's own parser is the one that knows whether a negative number is a mistake, and can
 * say what is wrong with it. Nothing after `--` is touched.
 */
export function joinNegativeValues(spec: CommandSpec, argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const key = a.startsWith("-") && !a.includes("=") ? keyOfFlag(spec, a) : undefined;
    if (key !== undefined && spec.options[key].value && NEGATIVE_NUMBER.test(argv[i + 1] ?? "")) {
      out.push(`--${flagName(key)}=${argv[++i]}`);
    } else out.push(a);
  }
  return out;
}

function parseArgsError(spec: CommandSpec, e: unknown, argv: readonly string[] = []): Error {
  const code = (e as { code?: string }).code;
  const msg = e instanceof Error ? e.message : String(e);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const opt = msg.match(/'([^']+)'/)?.[1] ?? msg;
    const known = Object.entries(spec.options).filter(([, o]) => !o.hidden)
      .map(([k, o]) => optionLabel(k, o).split(" ")[0]);
    const near = suggest(opt.split("=")[0], known);
    return new UsageError(
      `unknown option '${opt}' for '${spec.name}'` +
        (near ? ` (did you mean ${near}?)` : `; see 'faultscope ${spec.name} --help'`),
    );
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const flag = msg.match(/'(-[^' ]+)/)?.[1];
    if (flag && /argument missing/.test(msg)) {
      const key = [...Object.keys(spec.options)].find((k) =>
        `--${flagName(k)}` === flag || `-${spec.options[k].short}` === flag
      );
      const label = key ? optionLabel(key, spec.options[key]) : flag;
      return new UsageError(`option '${label}' needs a value`);
    }
    if (flag && /ambiguous/.test(msg)) {
      // The word after the option starts with `-` and is not a number: another option, or a
      // value that starts with `-`, which only `--option=value` can give.
      const key = keyOfFlag(spec, flag);
      const label = key ? optionLabel(key, spec.options[key]) : flag;
      const next = argv[argv.indexOf(flag) + 1] ?? "";
      const isOption = next === "-h" || next === "--help" ||
        keyOfFlag(spec, next.split("=")[0]) !== undefined;
      return new UsageError(
        next === "--"
          ? `option '${label}' needs a value, and '--' after it ends the options`
          : isOption
          ? `option '${label}' needs a value, and '${next}' after it is an option`
          : `option '${label}' needs a value, but '${next}' follows it; a value that starts ` +
            `with '-' is written --${key ? flagName(key) : flag.replace(/^-+/, "")}=${next}`,
      );
    }
    return new UsageError(msg.split("\n")[0].replace(/\.$/, ""));
  }
  return new UsageError(msg.split("\n")[0]);
}

/**
 * Whether parseArgs reads every element of `argv` as a positional argument (nothing starts with
 * `-`, or is `-` alone: stdin); then no option is given and argv needs no splitting.
 */
export function onlyPositionals(argv: readonly string[]): boolean {
  return argv.every((a) => a === "-" || !a.startsWith("-"));
}

/**
 * Parses `argv` (after the command name) against `spec`, like `spec.ts`'s `parseCommand`, and
 * loads node:util's parseArgs for it only when argv holds an option.
 */
export async function parseArgv<C extends CommandSpec>(
  spec: C,
  argv: readonly string[],
): Promise<ParseResult<C>> {
  if (onlyPositionals(argv)) return parseTokens(spec, {}, argv);
  const { parseArgs } = await import("node:util");
  return parseWith(spec, [...argv], parseArgs);
}

/** Wraps `text` to `width` columns, continuing lines at `indent`. */
export function wrap(text: string, width: number, indent: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line || !lines.length) lines.push(line);
  return lines;
}

/** Two columns: terms padded to one width, help wrapped beside them. */
function twoColumns(rows: readonly (readonly [string, string])[], width: number): string[] {
  const termWidth = Math.min(32, Math.max(...rows.map(([t]) => t.length)));
  const indent = 2 + termWidth + 2;
  const out: string[] = [];
  for (const [term, help] of rows) {
    const body = wrap(help, width, indent);
    if (term.length > termWidth) {
      out.push(`  ${term}`);
      for (const l of body) out.push(" ".repeat(indent) + l);
    } else {
      out.push(`  ${term.padEnd(termWidth)}  ${body[0]}`);
      for (const l of body.slice(1)) out.push(" ".repeat(indent) + l);
    }
  }
  return out;
}

/** The usage line's argument part: `<file>`, `[file]`, `<source...>`. */
export function argsUsage(args: readonly ArgSpec[]): string {
  return args.map((a) => {
    const n = a.variadic ? `${a.name}...` : a.name;
    return a.required ? `<${n}>` : `[${n}]`;
  }).join(" ");
}

/** An option's help line with its choices and default, as `--help` and the manual show it. */
export function optionHelp(o: OptionSpec): string {
  let help = o.help;
  if (o.choices) help += ` (one of: ${o.choices.join(", ")})`;
  if (o.default !== undefined && !o.negate && typeof o.default !== "object") {
    help += ` (default: ${o.default})`;
  }
  return help;
}

/** The help text of one command, wrapped to `width` columns. */
export function commandHelp(spec: CommandSpec, width = 80): string {
  const out = [
    `Usage: faultscope ${spec.name} [options]${spec.args.length ? " " + argsUsage(spec.args) : ""}`,
    "",
    ...wrap(spec.summary, width, 0),
  ];
  if (spec.args.length) {
    out.push("", "Arguments:", ...twoColumns(spec.args.map((a) => [a.name, a.help]), width));
  }
  // Long flags line up whether or not they have a short one: `-j, --json` over `    --all`.
  const rows: [string, string][] = [];
  for (const [key, o] of Object.entries(spec.options)) {
    if (o.hidden) continue;
    rows.push([`${o.short ? "" : "    "}${optionLabel(key, o, true)}`, optionHelp(o)]);
  }
  rows.push(["-h, --help", "show this help"]);
  out.push("", "Options:", ...twoColumns(rows, width));
  for (const n of spec.notes ?? []) out.push("", ...wrap(n, width, 0));
  if (spec.examples.length) {
    out.push("", "Examples:", ...spec.examples.map((e) => `  ${exampleLine(e)}`));
  }
  return out.join("\n") + "\n";
}
