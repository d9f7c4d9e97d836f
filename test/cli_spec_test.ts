/**
 * Start-up parses an argv without options itself, without loading node:util's parseArgs: the
 * result must be exactly what parseArgs-based `parseCommand` gives, for every command of the
 * table, errors included. An argv with an option goes to parseArgs.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { COMMANDS, INSPECT } from "../src/cli/commands.ts";
import { UsageError } from "../src/cli/errors.ts";
import { parseCommand } from "../src/cli/spec.ts";
import { onlyPositionals, parseArgv } from "../src/cli/spec_core.ts";

/** The result or the error message of a parse. */
async function outcome(parse: () => unknown): Promise<unknown> {
  try {
    return { ok: await parse() };
  } catch (e) {
    assert.ok(e instanceof UsageError, `not a usage error: ${e}`);
    return { error: e.message };
  }
}

// Words parseArgs reads as positionals: anything not starting with '-', and '-' (stdin).
const positional = fc.oneof(
  fc.string({ maxLength: 12 }).filter((s) => !s.startsWith("-")),
  fc.constant("-"),
  fc.constantFrom("testdata/rfc3-sample.bin", "IDX-FULL", "bash", "rfc3", ""),
);

Deno.test("an argv of positionals parses the same without parseArgs, for every command", async () => {
  for (const spec of COMMANDS) {
    await fc.assert(
      fc.asyncProperty(fc.array(positional, { maxLength: 4 }), async (argv) => {
        assert.ok(onlyPositionals(argv));
        const fast = await outcome(() => parseArgv(spec, argv));
        const full = await outcome(() => parseCommand(spec, [...argv]));
        assert.deepEqual(fast, full, `${spec.name} ${JSON.stringify(argv)}`);
      }),
      { numRuns: 60 },
    );
  }
});

Deno.test("anything that starts with '-' but '-' itself is an option: parseArgs reads it", async () => {
  for (const argv of [["--json"], ["x", "-j"], ["--"], ["-5"], ["x", "--", "-y"]]) {
    assert.equal(onlyPositionals(argv), false, JSON.stringify(argv));
  }
  assert.equal(onlyPositionals(["-", "a-b", "x-"]), true);
  // Delegated: the same options, and the same one-line errors, as parseCommand.
  const args = ["testdata/rfc3-sample.bin", "--limit", "2", "-j"];
  assert.deepEqual(await parseArgv(INSPECT, args), parseCommand(INSPECT, args));
  await assert.rejects(() => parseArgv(INSPECT, ["x", "--limt", "2"]), {
    message: "unknown option '--limt' for 'inspect' (did you mean --limit?)",
  });
  await assert.rejects(() => parseArgv(INSPECT, []), {
    message: "missing required argument 'file' for 'inspect'",
  });
});

/** The one-line message of a parse that must fail. */
function usageError(spec: (typeof COMMANDS)[number], argv: string[]): string {
  try {
    parseCommand(spec, argv);
  } catch (e) {
    assert.ok(e instanceof UsageError, `not a usage error: ${e}`);
    assert.doesNotMatch(e.message, /\n/);
    return e.message;
  }
  assert.fail(`${spec.name} ${argv.join(" ")} parsed`);
}

const command = (name: string) => COMMANDS.find((c) => c.name === name)!;

Deno.test("a negative number after an option is its value, judged by the option's own parser", () => {
  // node:util calls `--seed -1` "ambiguous"; the seed is a u32 and -1 is out of its range.
  assert.equal(
    usageError(command("simulate"), ["--seed", "-1"]),
    "option '--seed <n>' argument '-1' is invalid: must be an integer from 0 to 4294967295 " +
      "(decimal, 0x hex or 1e6)",
  );
  // The short form, 0x hex, and a count whose parser starts at 0.
  for (const argv of [["-n", "-1", "x.bin"], ["--limit", "-0x10", "x.bin"]]) {
    assert.match(
      usageError(INSPECT, argv),
      /^option '--limit <n>' argument '-(1|0x10)' is invalid:/,
    );
  }
  assert.match(usageError(command("simulate"), ["--events", "-1e3"]), /'-1e3' is invalid: must be/);
  // After `--` nothing is an option's value.
  assert.equal(
    usageError(command("decode"), ["--count", "--", "-1"]),
    "option '--count <n>' needs a value, and '--' after it ends the options",
  );
});

Deno.test("an option followed by another option or a word that starts with '-' says so", () => {
  assert.equal(
    usageError(command("simulate"), ["--seed", "--json"]),
    "option '--seed <n>' needs a value, and '--json' after it is an option",
  );
  assert.equal(
    usageError(INSPECT, ["-n", "-j", "x.bin"]),
    "option '--limit <n>' needs a value, and '-j' after it is an option",
  );
  assert.equal(
    usageError(command("simulate"), ["--out", "-x.bin"]),
    "option '--out <file>' needs a value, but '-x.bin' follows it; a value that starts with " +
      "'-' is written --out=-x.bin",
  );
  // Which is how it is given.
  assert.equal(parseCommand(command("simulate"), ["--out=-x.bin"]).options.out, "-x.bin");
});

Deno.test("every command's summary reads as one lowercase phrase, as the others in --help do", () => {
  // the help list, the man page's NAME lines and the completion descriptions put these side by
  // side; simulate's once began with a capital and ended with a period.
  for (const c of Object.values(COMMANDS)) {
    assert.match(c.summary, /^[a-z]/, `${c.name}: ${c.summary}`);
    assert.doesNotMatch(c.summary, /[.\s]$/, `${c.name}: ${c.summary}`);
  }
});

Deno.test("an empty value or argument is refused by name, never taken as 'not given'", () => {
  // `--out ""` once ran the simulation and wrote no image, exit 0; `inspect ""` said ": no such
  // file", naming nothing.
  const cases: [string, string[], string][] = [
    ["simulate", ["--out", ""], "--out <file>"],
    ["simulate", ["--trace="], "--trace <file>"],
    ["simulate", ["--plot", ""], "--plot <file.svg>"],
    ["simulate", ["--scenario", ""], "--scenario <file>"],
    ["validate", ["x.bin", "--previous", ""], "--previous <file>"],
    ["demo", ["--dir", ""], "--dir <dir>"],
    ["watch", ["x.bin", "--metrics-file", ""], "--metrics-file <file>"],
    ["dmesg", ["x.log", "--device", ""], "--device <dev>"], // once filtered every event out
    ["decode", ["--hex", ""], "--hex <text>"],
  ];
  for (const [name, argv, label] of cases) {
    assert.equal(
      usageError(command(name), argv),
      `option '${label}' argument '' is invalid: must not be empty`,
      `${name} ${argv.join(" ")}`,
    );
  }
  assert.equal(
    usageError(INSPECT, [""]),
    "argument 'file' for 'inspect' is invalid: must not be empty",
  );
  assert.equal(
    usageError(command("watch"), ["x.bin", ""]),
    "argument 'source' for 'watch' is invalid: must not be empty",
  );
});

Deno.test("an option given twice: the last value wins, and every value is read", () => {
  // `--events abc --events 10` once ran 10 events: 'abc' was never read. The last value still
  // wins (POSIX tools do so; a script may append a flag the user gives again), but a bad value
  // anywhere is refused by name.
  assert.equal(
    usageError(command("simulate"), ["--events", "abc", "--events", "10"]),
    "option '--events <n>' argument 'abc' is invalid: must be an integer >= 1 (decimal, 0x hex or 1e6)",
  );
  assert.equal(parseCommand(INSPECT, ["x.bin", "-n", "1", "--limit=2"]).options.limit, 2);
  // Repeatable options collect their values; a flag without a value may be repeated.
  const ok = parseCommand(command("dmesg"), [
    "x",
    "--vendor",
    "intel",
    "--vendor",
    "amd",
    "-j",
    "-j",
  ]);
  assert.deepEqual(ok.options.vendor, [["intel"], ["amd"]]);
});

Deno.test("a number too large for an option says its largest value, not a rule it meets", () => {
  // '99999999999999999999 is invalid: must be an integer >= 0' told the user nothing.
  for (const v of ["99999999999999999999", "1e999", "0x1ffffffffffffffff"]) {
    assert.equal(
      usageError(command("decode"), ["--count", v]),
      `option '--count <n>' argument '${v}' is invalid: too large, at most 9007199254740991`,
    );
    assert.equal(
      usageError(INSPECT, ["x.bin", "--offset", v]),
      `option '--offset <bytes>' argument '${v}' is invalid: too large, at most ` +
        "9007199254740991 bytes",
    );
  }
  // A bounded option keeps its range; a malformed value keeps what a valid one looks like.
  assert.match(usageError(command("simulate"), ["--seed", "1e999"]), /from 0 to 4294967295/);
  assert.match(usageError(command("decode"), ["--count", "abc"]), /must be an integer >= 0/);
});

Deno.test("'-' for an output file is refused: it named a file '-' in the working directory", () => {
  // `simulate --trace -` wrote megabytes to ./- while the user looked for them on stdout.
  const cases: [string, string[], string][] = [
    ["simulate", ["--trace", "-"], "--trace <file>"],
    ["simulate", ["-o", "-"], "--out <file>"],
    ["simulate", ["--plot=-"], "--plot <file.svg>"],
    ["watch", ["x.bin", "--metrics-file", "-"], "--metrics-file <file>"],
    ["demo", ["--dir", "-"], "--dir <dir>"],
  ];
  for (const [name, argv, label] of cases) {
    assert.equal(
      usageError(command(name), argv),
      `option '${label}' argument '-' is invalid: an output file, not stdout; ` +
        "write ./- for a file named -",
      `${name} ${argv.join(" ")}`,
    );
  }
  assert.equal(parseCommand(command("simulate"), ["--trace", "./-"]).options.trace, "./-");
});
