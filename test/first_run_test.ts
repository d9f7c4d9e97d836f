/**
 * The README's first command, `deno task demo`, on a machine that has never run faultscope (an
 * empty Deno cache) prints the tool's own output and nothing else: no `Download https://...`
 * line for the npm packages the demo does not use (issue 12 section 3). deno.json keeps npm
 * packages in node_modules, installed by `deno install --frozen` ("nodeModulesDir": "manual"),
 * so nothing is fetched at run time; the tasks that need npm packages install them first.
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url).pathname;

Deno.test("deno task demo with an empty Deno cache prints only the task line and the demo", async () => {
  const cache = await Deno.makeTempDir({ prefix: "faultscope-fresh-deno-dir-" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "demo"],
      cwd: root,
      env: { DENO_DIR: cache, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    const stderr = dec.decode(out.stderr), stdout = dec.decode(out.stdout);
    assert.equal(out.code, 0, stderr);
    // deno task names the task it runs; that is all it may add.
    assert.deepEqual(stderr.trimEnd().split("\n"), [
      "Task demo deno run --allow-read --allow-write --allow-env=NO_COLOR main.ts demo",
    ]);
    assert.match(stdout, /^\$ faultscope simulate /);
    assert.doesNotMatch(stdout, /Download/);
    // Nothing was fetched into the cache either: its npm folder, if made, is empty.
    let fetched: string[] = [];
    try {
      fetched = [...Deno.readDirSync(`${cache}/npm`)].map((e) => e.name);
    } catch { /* no npm folder at all */ }
    assert.deepEqual(fetched, []);
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("every task that needs an npm package installs the pinned ones first", async () => {
  // The demo needs none; the CLI (bench's ringbuf.js baseline, progress bars), the tests and
  // benchmarks (fast-check, ajv), the fuzzer, the type check and the binary do.
  const tasks = JSON.parse(await Deno.readTextFile(`${root}deno.json`)).tasks as Record<
    string,
    string
  >;
  for (const name of ["faultscope", "test", "bench", "fuzz", "check", "compile"]) {
    assert.match(tasks[name], /^deno install --frozen --quiet && /, name);
  }
  assert.doesNotMatch(tasks.demo, /install/);
});
