/**
 * Help from the one command table: `faultscope help <command>`, the top-level help, short flags
 * that mean the same on every command, and the manual page, rendered by the real `man` and
 * checked by groff for warnings (skipped, saying so, where they are not installed).
 */
import assert from "node:assert/strict";
import { COMMANDS } from "../src/cli/commands.ts";
import { exampleLine, flagName } from "../src/cli/spec.ts";
import { assertOneLineError, cli, data } from "./support/cli.ts";

const has = (program: string): boolean => {
  try {
    return new Deno.Command("sh", { args: ["-c", `command -v ${program}`], stdout: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
};

Deno.test("help <command> prints the command's --help; help alone the top-level help", async () => {
  for (const c of COMMANDS) {
    const viaHelp = await cli(["help", c.name]);
    const viaFlag = await cli([c.name, "--help"]);
    assert.equal(viaHelp.code, 0, c.name);
    assert.equal(viaHelp.stdout, viaFlag.stdout, c.name);
    assert.match(viaHelp.stdout, new RegExp(`^Usage: faultscope ${c.name} `));
  }
  const top = await cli(["help"]);
  assert.equal(top.code, 0);
  assert.equal(top.stdout, (await cli(["--help"])).stdout);
  assertOneLineError(await cli(["help", "inspekt"]), 2, "'inspekt'", "did you mean inspect");
});

Deno.test("before a command: an option is called an option, and extra words are refused", async () => {
  // `faultscope --bogus` said "unknown command '--bogus'"; `help decode extra` and
  // `--version extra` ignored the extra word, where every command refuses one.
  assertOneLineError(await cli(["--bogus"]), 2, "unknown option '--bogus'", "faultscope --help");
  assertOneLineError(await cli(["-x", "decode"]), 2, "unknown option '-x'");
  assertOneLineError(await cli(["--verison"]), 2, "unknown option '--verison'", "--version");
  assertOneLineError(
    await cli(["help", "decode", "extra"]),
    2,
    "too many arguments for 'help': expected at most 1, got 'extra'",
  );
  assertOneLineError(
    await cli(["--version", "extra"]),
    2,
    "too many arguments for '--version': expected none, got 'extra'",
  );
});

Deno.test("the top-level help lists every command, complete and man included, in one column", async () => {
  const r = await cli(["--help"]);
  const lines = r.stdout.split("\n");
  for (const name of [...COMMANDS.map((c) => c.name), "help"]) {
    assert.ok(lines.some((l) => l.startsWith(`  ${name} `)), name);
  }
  // Option terms and command names share one column: the descriptions start together.
  const column = (prefix: string) => {
    const l = lines.find((x) => x.startsWith(prefix))!;
    return l.length - l.slice(prefix.length).trimStart().length;
  };
  assert.equal(column("  -V, --version"), column("  inspect"));
  assert.equal(column("  -h, --help"), column("  complete"));
});

Deno.test("short flags: -j is --json everywhere, -n a record limit, -o simulate's --out; no clash", () => {
  for (const c of COMMANDS) {
    const shorts = Object.values(c.options).flatMap((o) => o.short ? [o.short] : []);
    assert.equal(new Set(shorts).size, shorts.length, `${c.name}: a short flag used twice`);
    assert.ok(!shorts.includes("h"), `${c.name}: -h is --help`);
    for (const [key, o] of Object.entries(c.options)) {
      if (o.short) assert.match(o.short, /^[a-zA-Z]$/, `${c.name} --${flagName(key)}`);
      // One meaning per letter across the tool.
      if (o.short === "j") assert.equal(key, "json", `${c.name}: -j`);
      if (o.short === "o") assert.equal(key, "out", `${c.name}: -o`);
    }
    if (c.options.json) assert.equal(c.options.json.short, "j", `${c.name} --json`);
  }
  const byName = Object.fromEntries(COMMANDS.map((c) => [c.name, c]));
  assert.equal(byName.decode.options.count.short, "n");
  assert.equal(byName.inspect.options.limit.short, "n");
  assert.equal(byName.simulate.options.out.short, "o");
});

Deno.test("short flags do what their long forms do, and --help shows both", async () => {
  const same = async (short: string[], long: string[]) => {
    const a = await cli(short);
    const b = await cli(long);
    assert.equal(a.code, b.code, short.join(" "));
    assert.equal(a.stdout, b.stdout, short.join(" "));
    assert.ok(a.stdout.length > 0, short.join(" "));
  };
  await same(["rules", "-j"], ["rules", "--json"]);
  await same(["layout", "rfc3", "-j"], ["layout", "rfc3", "--json"]);
  await same(["inspect", data("rfc3-sample.bin"), "-j", "-n", "2"], [
    "inspect",
    data("rfc3-sample.bin"),
    "--json",
    "--limit",
    "2",
  ]);
  await same(["decode", data("mainline-capture.bin"), "-j", "-n", "1"], [
    "decode",
    data("mainline-capture.bin"),
    "--json",
    "--count",
    "1",
  ]);
  await same(["validate", data("rfc3-corrupt.bin"), "-j"], [
    "validate",
    data("rfc3-corrupt.bin"),
    "--json",
  ]);
  // -n 2 lists two of the sample's five pending records (cli_test.ts: slots 1363..2).
  const two = JSON.parse((await cli(["inspect", data("rfc3-sample.bin"), "-jn", "2"])).stdout);
  assert.deepEqual(two.records.map((r: { slot: number }) => r.slot), [1363, 1364]);
  // -o writes simulate's image: a 64 KiB RFC v3 region (the seed scenario's).
  const dir = await Deno.makeTempDir();
  const r = await cli(["simulate", "--events", "100", "-o", `${dir}/x.bin`, "-j", "--no-progress"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await Deno.stat(`${dir}/x.bin`)).size, 65536);
  await Deno.remove(dir, { recursive: true });
  const help = await cli(["inspect", "--help"]);
  assert.match(help.stdout, /^ {2}-j, --json {2,}one JSON object/m);
  assert.match(help.stdout, /^ {2}-n, --limit <n> {2,}list at most n records/m);
  assert.match(help.stdout, /^ {6}--all {2,}list every readable slot/m); // lined up with --json
});

/** Runs a program with `input` on stdin. */
async function pipeTo(program: string, args: string[], input: string, env = {}) {
  const child = new Deno.Command(program, {
    args,
    env: { MANWIDTH: "100", MAN_KEEP_FORMATTING: "", ...env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(input));
  await w.close();
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test({
  name: "man: groff reads the page without a warning",
  ignore: !has("groff"),
  async fn() {
    const page = await cli(["man"]);
    assert.equal(page.code, 0);
    const r = await pipeTo("groff", ["-man", "-Tutf8", "-ww", "-z"], page.stdout);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, "", "groff -ww warnings");
  },
});

Deno.test({
  name: "man: `man -l -` renders every command, option, example and exit status of the table",
  ignore: !has("man"),
  async fn() {
    const page = await cli(["man"]);
    const r = await pipeTo("man", ["-l", "-"], page.stdout);
    assert.equal(r.code, 0, r.stderr);
    // Rendered text, with hyphens as ASCII minus so commands can be copied from it.
    // deno-lint-ignore no-control-regex
    const text = r.stdout.replace(/.\x08/g, ""); // overstrike bold/underline, if any
    assert.match(text, /^FAULTSCOPE\(1\) +User Commands +FAULTSCOPE\(1\)/);
    for (const section of ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "EXIT STATUS"]) {
      assert.match(text, new RegExp(`^${section}$`, "m"), section);
    }
    const flat = text.replace(/\s+/g, " ");
    for (const c of COMMANDS) {
      assert.match(text, new RegExp(`^ {3}faultscope ${c.name} \\[options\\]`, "m"), c.name);
      for (const [key, o] of Object.entries(c.options)) {
        if (o.hidden) continue;
        const long = `--${o.negate ? "no-" : ""}${flagName(key)}`;
        assert.ok(flat.includes(o.short ? `-${o.short}, ${long}` : long), `${c.name} ${long}`);
      }
      for (const e of c.examples) {
        assert.ok(text.includes(exampleLine(e)), `${c.name} example: ${exampleLine(e)}`);
      }
    }
    for (const code of [0, 1, 2, 70, 130, 143]) {
      assert.match(text, new RegExp(`^ {7}${code}\\s`, "m"), `exit status ${code}`);
    }
  },
});
