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
    message: "missing required argument 'file'",
  });
});
