/**
 * Shell completion, driven through real shells: the script `faultscope complete <shell>` prints
 * is loaded the way the README says (`source <(faultscope complete bash)` with a `faultscope` on
 * PATH), then asked for completions three ways: bash's completion function called with the
 * COMP_WORDS readline would pass (in a plain bash, and in one with the bash-completion package
 * loaded), keystrokes typed into an interactive bash and zsh on a pseudo-terminal (TAB, then
 * Enter, with `faultscope` replaced by a function that prints the words it got), and fish's own
 * `complete -C`. Expected values come from the references (region layouts, ABI generations,
 * vEVENTQ types, page sizes: abi.md) and the files each test creates, not from the script.
 *
 * zsh and fish tests are skipped, saying so, where the shell is not installed.
 */
import assert from "node:assert/strict";
import { COMMANDS, LAYOUT } from "../src/cli/commands.ts";
import { flagName } from "../src/cli/spec.ts";
import { assertOneLineError, cli, root } from "./support/cli.ts";

const has = (program: string): boolean => {
  try {
    return new Deno.Command("sh", { args: ["-c", `command -v ${program}`], stdout: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
};
const HAVE = {
  zsh: has("zsh"),
  fish: has("fish"),
  script: has("script"),
  bashCompletion: (() => {
    try {
      return Deno.statSync("/usr/share/bash-completion/bash_completion").isFile;
    } catch {
      return false;
    }
  })(),
};

/** Temporary directories, removed when the tests end. */
const made: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = Deno.makeTempDirSync({ prefix });
  made.push(dir);
  return dir;
};
globalThis.addEventListener("unload", () => {
  for (const dir of made) Deno.removeSync(dir, { recursive: true });
});

/** A directory holding a `faultscope` that runs this checkout: what the scripts call. */
const bin = tempDir("faultscope-bin-");
Deno.writeTextFileSync(
  `${bin}/faultscope`,
  `#!/bin/sh\nexec '${Deno.execPath()}' run --cached-only -A '${
    new URL("main.ts", root).pathname
  }' "$@"\n`,
  { mode: 0o755 },
);

/**
 * A working directory with the files completion should offer: a name with a space, a directory,
 * a name that starts with a dash. HOME is separate, so no shell writes its state among them.
 */
function workdir(): { cwd: string; home: string } {
  const cwd = tempDir("faultscope-complete-");
  Deno.writeTextFileSync(`${cwd}/image one.bin`, "");
  Deno.writeTextFileSync(`${cwd}/scenario.json`, "{}");
  Deno.writeTextFileSync(`${cwd}/-dash.bin`, "");
  Deno.mkdirSync(`${cwd}/snaps`);
  Deno.writeTextFileSync(`${cwd}/snaps/a.bin`, "");
  return { cwd, home: tempDir("faultscope-home-") };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `program args` in `cwd` with faultscope on PATH, feeding `input` to stdin. */
async function shell(
  program: string,
  args: string[],
  o: { cwd: string; home: string; input?: string; env?: Record<string, string> },
): Promise<Run> {
  const child = new Deno.Command(program, {
    args,
    cwd: o.cwd,
    clearEnv: true,
    env: {
      PATH: `${bin}:${Deno.env.get("PATH")}`,
      HOME: o.home,
      XDG_CONFIG_HOME: `${o.home}/.config`,
      XDG_DATA_HOME: `${o.home}/.local/share`,
      DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
      NO_COLOR: "1",
      LANG: "C.UTF-8",
      ...o.env,
    },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // A hung shell fails the test instead of hanging the suite.
  const guard = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(o.input ?? ""));
  await w.close();
  const out = await child.output();
  clearTimeout(guard);
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

// ---------------------------------------------------------------------------------------------
// bash: the completion function, called as readline calls it

/**
 * One completion request: the words before the cursor and the word being completed, split as
 * bash splits them (COMP_WORDBREAKS makes `--layout=dma` three words: `--layout`, `=`, `dma`).
 */
interface Case {
  words: string[];
  expect: string[];
}

const LAYOUTS = ["rfc3", "fault-prod", "dma-fault", "dma-fault-response"]; // abi.md, section 3
const ABIS = [
  "rfc3",
  "v4",
  "v7",
  "v8",
  "mainline",
  "resp20",
  "resp24",
  "hwpt-pgfault",
  "hwpt-response",
];
const COMMAND_NAMES = [
  "demo",
  "decode",
  "dmesg",
  "inspect",
  "validate",
  "rules",
  "layout",
  "simulate",
  "watch",
  "bench",
  "schema",
  "complete",
  "man",
  "help",
];

const CASES: Case[] = [
  { words: [""], expect: COMMAND_NAMES },
  { words: ["in"], expect: ["inspect"] },
  { words: ["-"], expect: ["--help", "-h", "--version", "-V"] },
  { words: ["help", "va"], expect: ["validate"] },
  // values from a list: the option's choices
  { words: ["inspect", "--layout", ""], expect: LAYOUTS },
  { words: ["inspect", "--layout", "="], expect: LAYOUTS }, // `--layout=` TAB
  { words: ["inspect", "--layout", "=", "dma"], expect: ["dma-fault", "dma-fault-response"] },
  { words: ["validate", "--abi", ""], expect: ABIS },
  // decode also takes the hardware records (logs.md); a region never carries them.
  {
    words: ["decode", "--abi", "v"],
    expect: ["v4", "v7", "v8", "vtd-fault", "vtd-prq", "virtio-iommu-fault", "vevent"],
  },
  { words: ["decode", "--vevent-type", ""], expect: ["arm-smmuv3", "tegra241-cmdqv"] },
  { words: ["simulate", "--page-size", ""], expect: ["4k", "16k", "64k"] },
  { words: ["rules", "--severity", ""], expect: ["error", "warning", "info"] },
  { words: ["rules", "IDX-F"], expect: ["IDX-FULL"] },
  { words: ["complete", ""], expect: ["bash", "zsh", "fish"] },
  { words: ["schema", "dec"], expect: ["decode.json", "decode.ndjson"] },
  // files where a file is expected, directories where a directory is
  { words: ["inspect", "im"], expect: ["image one.bin"] },
  { words: ["inspect", "-n", "3", "im"], expect: ["image one.bin"] }, // -n takes a value
  { words: ["inspect", "--all", "im"], expect: ["image one.bin"] }, // --all does not
  { words: ["decode", "--count=2", "sn"], expect: ["snaps"] }, // bash leaves "=" in when not a break
  { words: ["validate", "x.bin", "--previous", "snaps/"], expect: ["snaps/a.bin"] },
  { words: ["simulate", "--scenario", "sc"], expect: ["scenario.json"] },
  { words: ["simulate", "-o", "sn"], expect: ["snaps"] },
  { words: ["simulate", "--out", "=", "sn"], expect: ["snaps"] },
  { words: ["simulate", "--plot", "im"], expect: ["image one.bin"] },
  { words: ["simulate", "--trace", "sc"], expect: ["scenario.json"] },
  { words: ["demo", "--dir", ""], expect: ["snaps"] },
  { words: ["inspect", "--", "-"], expect: ["-dash.bin"] }, // after --, a dash is a file name
  // nothing where nothing fits
  { words: ["inspect", "image one.bin", ""], expect: [] }, // inspect takes one file
  { words: ["layout", "rfc3", ""], expect: [] },
  { words: ["simulate", "--seed", ""], expect: [] },
  { words: ["simulate", ""], expect: [] }, // no arguments, and no files
  { words: ["nosuch", ""], expect: [] },
  // options
  { words: ["decode", "--js"], expect: ["--json"] },
  { words: ["inspect", "--l"], expect: ["--layout", "--limit"] },
  { words: ["simulate", "--no-p"], expect: ["--no-progress"] },
];

/** The bash program that loads the script and prints each case's COMPREPLY on one line. */
function bashDriver(cases: Case[], preamble = ""): string {
  const lines = [
    preamble,
    "source <(faultscope complete bash)",
    "source <(faultscope complete bash)", // loading it twice is harmless
    'ask() { COMP_WORDS=(faultscope "$@"); COMP_CWORD=$#; COMPREPLY=(); _faultscope;' +
    " local IFS=$'\\t'; printf 'REPLY\\t%s\\n' \"${COMPREPLY[*]}\"; }",
  ];
  for (const c of cases) lines.push(`ask ${c.words.map((w) => `'${w}'`).join(" ")}`);
  return lines.join("\n") + "\n";
}

function assertReplies(r: Run, cases: Case[]): void {
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "", "nothing on stderr: no missing helper, no readonly variable");
  const replies = r.stdout.split("\n").filter((l) => l.startsWith("REPLY\t"))
    .map((l) => l.slice(6) === "" ? [] : l.slice(6).split("\t"));
  assert.equal(replies.length, cases.length, r.stdout);
  cases.forEach((c, i) =>
    assert.deepEqual(replies[i], c.expect, `faultscope ${c.words.join(" ")}`)
  );
}

Deno.test("bash: the script loads in a plain bash (no bash-completion), twice, silently", async () => {
  const w = workdir();
  const r = await shell("bash", ["--norc", "--noprofile"], {
    ...w,
    input: "source <(faultscope complete bash)\nsource <(faultscope complete bash)\n" +
      "complete -p faultscope\n" +
      "if type _get_comp_words_by_ref >/dev/null 2>&1; then echo bash-completion-present; fi\n",
  });
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "complete -F _faultscope faultscope\n");
});

Deno.test("bash: commands, option values, files and directories complete in a plain bash", async () => {
  const w = workdir();
  assertReplies(
    await shell("bash", ["--norc", "--noprofile"], { ...w, input: bashDriver(CASES) }),
    CASES,
  );
});

Deno.test({
  name: "bash: the same completions with the bash-completion package loaded",
  ignore: !HAVE.bashCompletion,
  async fn() {
    const w = workdir();
    const preamble = "source /usr/share/bash-completion/bash_completion\n" +
      "type _get_comp_words_by_ref >/dev/null || exit 9";
    assertReplies(
      await shell("bash", ["--norc", "--noprofile"], {
        ...w,
        input: bashDriver(CASES, preamble),
      }),
      CASES,
    );
  },
});

Deno.test("bash: every command and every option of the table is offered", async () => {
  const w = workdir();
  const cases: Case[] = COMMANDS.map((c) => ({
    words: [c.name, "-"],
    expect: [
      ...Object.entries(c.options).filter(([, o]) => !o.hidden).flatMap(([k, o]) => [
        `--${o.negate ? "no-" : ""}${flagName(k)}`,
        ...(o.short ? [`-${o.short}`] : []),
      ]),
      "--help",
      "-h",
    ],
  }));
  cases.push({ words: ["layout", ""], expect: LAYOUT.args[0].complete as string[] });
  const r = await shell("bash", ["--norc", "--noprofile"], { ...w, input: bashDriver(cases) });
  assertReplies(r, cases);
  // The generations of `layout` include every record ABI and region layout of abi.md.
  for (const id of [...ABIS, ...LAYOUTS]) assert.ok(cases.at(-1)!.expect.includes(id), id);
});

// ---------------------------------------------------------------------------------------------
// Keystrokes on a pseudo-terminal: what a user at the shell gets

/**
 * Types each line (TABs included) into an interactive shell on a pty, with `faultscope`
 * replaced, after the script is loaded, by a function that prints the words it receives. The
 * completion stays bound to the name, so Enter shows what TAB completed. Only unique
 * completions are typed: an ambiguous one would list, and zsh drops typed-ahead keys then.
 */
async function typed(
  shellCommand: string,
  setup: string[],
  lines: string[],
): Promise<{ args: string[][]; transcript: string }> {
  const w = workdir();
  const input = [
    ...setup,
    `faultscope() { printf 'ARGS'; printf '<%s>' "$@"; printf '\\n'; }`,
    ...lines,
    "exit",
  ].join("\n") + "\n";
  const r = await shell("script", ["-qfec", shellCommand, "/dev/null"], {
    ...w,
    input,
    env: { TERM: "xterm", HISTFILE: "" },
  });
  // deno-lint-ignore no-control-regex
  const transcript = r.stdout.replace(/\x1b\[[0-9;?]*[a-zA-Z]|\x1b[=>]|\r/g, "");
  const args = [...transcript.matchAll(/^ARGS((?:<[^>]*>)*)$/gm)]
    .map((m) => [...m[1].matchAll(/<([^>]*)>/g)].map((x) => x[1]));
  return { args, transcript };
}

/** Lines typed with TAB (\t), and the words faultscope must receive from each. */
const TYPED: [string, string[]][] = [
  ["faultscope lay\trf\t", ["layout", "rfc3"]],
  ["faultscope inspect --layout=dma-fault-r\tima\t", [
    "inspect",
    "--layout=dma-fault-response",
    "image one.bin",
  ]],
  ["faultscope simulate -o sn\ta\t", ["simulate", "-o", "snaps/a.bin"]],
  ["faultscope decode --vevent-type te\t", ["decode", "--vevent-type", "tegra241-cmdqv"]],
  ["faultscope rules IDX-FU\t", ["rules", "IDX-FULL"]],
  ["faultscope validate --prev\tsc\t", ["validate", "--previous", "scenario.json"]],
];

/** `--opt=value` as two words: zsh completes `--prev` to `--previous=`, bash to `--previous `. */
const split = (words: string[]) =>
  words.flatMap((w) => /^--[^=]+=/.test(w) ? w.split(/=(.*)/s, 2) : [w]);

function assertTyped(r: { args: string[][]; transcript: string }): void {
  assert.doesNotMatch(r.transcript, /command not found|readonly|_get_comp_words_by_ref/);
  assert.deepEqual(r.args.map(split), TYPED.map(([, a]) => split(a)), r.transcript);
}

Deno.test({
  name: "bash: TAB at an interactive prompt completes commands, values and quoted file names",
  ignore: !HAVE.script,
  async fn() {
    assertTyped(
      await typed(
        "bash --norc --noprofile -i",
        ["source <(faultscope complete bash)", "source <(faultscope complete bash)"],
        TYPED.map(([l]) => l),
      ),
    );
  },
});

Deno.test({
  name: "zsh: TAB at an interactive prompt completes commands, values and quoted file names",
  ignore: !HAVE.zsh || !HAVE.script,
  async fn() {
    assertTyped(
      await typed(
        "zsh -f -i",
        [
          "autoload -Uz compinit && compinit -D -u",
          "source <(faultscope complete zsh)",
          "source <(faultscope complete zsh)",
        ],
        TYPED.map(([l]) => l),
      ),
    );
  },
});

Deno.test({
  name: "zsh: without compinit, loading the script says what to do instead of failing",
  ignore: !HAVE.zsh,
  async fn() {
    const w = workdir();
    const r = await shell("zsh", ["-f"], { ...w, input: "source <(faultscope complete zsh)\n" });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /^faultscope: zsh completion needs compinit first: .*compinit\n$/);
  },
});

Deno.test({
  name: "zsh: the script also works saved as _faultscope in $fpath (autoloaded)",
  ignore: !HAVE.zsh || !HAVE.script,
  async fn() {
    const fpath = tempDir("faultscope-fpath-");
    const script = await cli(["complete", "zsh"]);
    Deno.writeTextFileSync(`${fpath}/_faultscope`, script.stdout);
    const r = await typed(
      "zsh -f -i",
      [`fpath=(${fpath} $fpath)`, "autoload -Uz compinit && compinit -D -u"],
      TYPED.map(([l]) => l),
    );
    assertTyped(r);
  },
});

// ---------------------------------------------------------------------------------------------
// fish: its own completion engine, asked with `complete -C`

Deno.test({
  name: "fish: commands, option values, files and directories complete",
  ignore: !HAVE.fish,
  async fn() {
    const w = workdir();
    const asks: [string, string[]][] = [
      ["faultscope ", COMMAND_NAMES],
      ["faultscope ins", ["inspect"]],
      ["faultscope inspect --layout ", LAYOUTS],
      ["faultscope inspect --layout=dma", ["--layout=dma-fault", "--layout=dma-fault-response"]],
      ["faultscope decode --vevent-type ", ["arm-smmuv3", "tegra241-cmdqv"]],
      ["faultscope simulate --page-size ", ["4k", "16k", "64k"]],
      ["faultscope rules --severity ", ["error", "warning", "info"]],
      ["faultscope inspect im", ["image one.bin"]],
      ["faultscope inspect -n 3 im", ["image one.bin"]],
      ["faultscope simulate --scenario sc", ["scenario.json"]],
      ["faultscope simulate -o snaps/", ["snaps/a.bin"]],
      ["faultscope demo --dir ", ["snaps/"]],
      ["faultscope help va", ["validate"]],
      ["faultscope layout rfc3 ", []],
      ["faultscope simulate --seed ", []],
      ["faultscope inspect --l", ["--layout", "--limit"]],
    ];
    const input = "faultscope complete fish | source\nfaultscope complete fish | source\n" +
      asks.map(([l]) => `echo ASK; complete -C ${JSON.stringify(l)}`).join("\n") + "\n";
    const r = await shell("fish", ["--no-config"], { ...w, input });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const answers = r.stdout.split("ASK\n").slice(1).map((block) =>
      block.split("\n").filter(Boolean).map((l) => l.split("\t")[0])
    );
    asks.forEach(([line, expect], i) => {
      assert.deepEqual(
        [...answers[i]].sort(),
        [...expect].sort(),
        `fish: complete -C '${line}'`,
      );
    });
  },
});

// ---------------------------------------------------------------------------------------------
// The command itself

Deno.test("complete: every script passes its shell's syntax check", async () => {
  const w = workdir();
  const shells: [string, string[]][] = [["bash", ["-n"]]];
  if (HAVE.zsh) shells.push(["zsh", ["-n"]]);
  if (HAVE.fish) shells.push(["fish", ["--no-execute"]]);
  for (const [sh, flags] of shells) {
    const script = await cli(["complete", sh]);
    assert.equal(script.code, 0);
    const r = await shell(sh, flags, { ...w, input: script.stdout });
    assert.equal(r.code, 0, `${sh}: ${r.stderr}`);
    assert.equal(r.stderr, "", sh);
  }
});

Deno.test("complete: a missing or unknown shell is a one-line usage error", async () => {
  assertOneLineError(await cli(["complete"]), 2, "shell");
  assertOneLineError(await cli(["complete", "bsh"]), 2, "'bsh'", "did you mean bash");
  assertOneLineError(await cli(["complete", "powershell"]), 2, "bash, zsh, fish");
});
